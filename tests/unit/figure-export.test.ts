/**
 * The explorer's exported figure (app/controllers/export-controller.ts, view/svg.ts,
 * view/contours.ts), walkthroughs 18 and 19 (F8): the selected and pinned runs framed on the map in
 * their curves' colours, the paths drawn on the surface (contours, minima, starts), and a file name
 * that names both axes.
 */
import { Resvg } from '@resvg/resvg-js';
import { describe, expect, it } from 'vitest';
import { makePlan } from '../../src/core/plan.ts';
import type { Plan } from '../../src/core/plan.ts';
import type { NetPlan } from '../../src/core/network/plan.ts';
import { makeNetPlan } from '../../src/core/network/plan.ts';
import type { NetColumns, Results } from '../../src/core/results.ts';
import { parseAnySpec, parseSpec } from '../../src/core/spec.ts';
import type { NetTrajectory, Trajectory } from '../../src/core/trajectory.ts';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';
import { pngDataUrl } from '../../src/cli/png.ts';
import { paramLabel } from '../../src/view/caption.ts';
import { SELECTED_INK, minimumColour, rgbCss } from '../../src/view/colors.ts';
import { LINE_INK, contourFill, contourLevels, surfaceContours } from '../../src/view/contours.ts';
import type { HeatmapPanel } from '../../src/view/panels.ts';
import { netHeatmapSvg, panelSvg, simplify } from '../../src/view/svg.ts';
import { ExportController, axisFileName, exportName, framedRuns, surfaceFigureSvg } from '../../src/app/controllers/export-controller.ts';
import { surfaceBackdrop, surfaceCurvePanels } from '../../src/app/runs.ts';
import { surfaceGrid } from '../../src/app/surface-grid.ts';

const engine = () => new CpuEngine('cpu', { workers: 0, spawn: null });

const LR_MOMENTUM = {
  surface: { name: 'rosenbrock' },
  optimizer: { name: 'SGD', lr: 0.001, momentum: 0.9 },
  steps: 60,
  sweep: { kind: 'grid', x: { param: 'optimizer.lr', min: 1e-5, max: 1e-3, count: 8, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0, max: 0.9, count: 6, scale: 'linear' } },
};

const STARTS = {
  surface: { name: 'himmelblau' },
  optimizer: { name: 'SGD', lr: 0.01, momentum: 0.8 },
  steps: 60,
  sweep: { kind: 'grid', x: { param: 'start.0', min: -5, max: 5, count: 10, scale: 'linear' }, y: { param: 'start.1', min: -5, max: 5, count: 10, scale: 'linear' } },
};

const plan = (json: unknown): Plan => makePlan(parseSpec(json));

async function sweep(p: Plan, runs: readonly number[]): Promise<{ results: Results; paths: Trajectory[] }> {
  const e = engine();
  const results = (await e.run(p, {})) as Results;
  const paths = runs.length > 0 ? ((await e.trajectories(p, { runs })) as Trajectory[]) : [];
  await e.dispose();
  return { results, paths };
}

const panelOf = (p: Plan, results: Results): HeatmapPanel => ({ kind: 'heatmap', title: `${p.optimizer.id} on ${p.surface.title}`, plan: p, results, mode: 'outcome' });

/** The number attributes of an element's start tag. */
function attrs(tag: string): Record<string, string> {
  return Object.fromEntries([...tag.matchAll(/([\w-]+)="([^"]*)"/g)].map((m) => [m[1] as string, m[2] as string]));
}

/** Frames drawn on a map: run, colour and centre. */
function frames(svg: string): { run: number; colour: string; cx: number; cy: number; w: number; h: number }[] {
  return [...svg.matchAll(/<rect class="framed"[^>]*>/g)].map((m) => {
    const a = attrs(m[0]);
    const [x, y, w, h] = [a.x, a.y, a.width, a.height].map(Number) as [number, number, number, number];
    return { run: Number(a['data-run']), colour: a.stroke as string, cx: x + w / 2, cy: y + h / 2, w, h };
  });
}

/** The map's image (its cells): where each cell lies. */
function mapImage(svg: string): { x: number; y: number; width: number; height: number } {
  const tag = /<image [^>]*>/.exec(svg)?.[0] ?? '';
  const a = attrs(tag);
  return { x: Number(a.x), y: Number(a.y), width: Number(a.width), height: Number(a.height) };
}

/** A single panel's SVG rendered by resvg on a canvas 40 px larger each side: the pixels drawn outside its view box, and the colour at (x, y) inside it. */
function rendered(svg: string): { outside: number; at: (x: number, y: number) => [number, number, number] } {
  const m = /<svg [^>]*width="(\d+)" height="(\d+)" viewBox="0 0 (\d+) (\d+)"/.exec(svg);
  if (!m) throw new Error('figure without a size');
  const [w, h, P] = [Number(m[1]), Number(m[2]), 40];
  const padded = svg.replace(m[0], m[0].replace(`width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"`, `width="${w + 2 * P}" height="${h + 2 * P}" viewBox="${-P} ${-P} ${w + 2 * P} ${h + 2 * P}"`));
  const img = new Resvg(padded, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render();
  const px = img.pixels;
  let outside = 0;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const inside = x >= P && x < P + w && y >= P && y < P + h;
      if (!inside && (px[(y * img.width + x) * 4 + 3] as number) !== 0) outside++;
    }
  }
  const at = (x: number, y: number): [number, number, number] => {
    const o = ((Math.round(y) + P) * img.width + Math.round(x) + P) * 4;
    return [px[o] as number, px[o + 1] as number, px[o + 2] as number];
  };
  return { outside, at };
}

describe('the figure frames the selected and pinned runs on the map', () => {
  it('draws a frame around each run, in its colour, centred on its cell, in order (the selected run last)', async () => {
    const p = plan(LR_MOMENTUM);
    const { results } = await sweep(p, []);
    const framed = [
      { run: 3, colour: '#0072b2' },
      { run: 2 * 8 + 5, colour: '#e69f00' },
      { run: 47, colour: SELECTED_INK },
    ];
    const svg = panelSvg({ ...panelOf(p, results), framed }, pngDataUrl);
    const f = frames(svg);
    expect(f.map((x) => [x.run, x.colour])).toEqual(framed.map((x) => [x.run, x.colour]));
    const img = mapImage(svg);
    const cw = img.width / 8;
    const ch = img.height / 6;
    for (const x of f) {
      const i = x.run % 8;
      const j = Math.floor(x.run / 8);
      // Row 0 at the bottom, as the sweep's y axis.
      expect(x.cx).toBeCloseTo(img.x + (i + 0.5) * cw, 0);
      expect(x.cy).toBeCloseTo(img.y + img.height - (j + 0.5) * ch, 0);
      // Just outside the cell: the cell itself stays visible inside its frame.
      expect(x.w).toBeGreaterThan(cw);
      expect(x.w).toBeLessThan(cw + 6);
      expect(x.h).toBeGreaterThan(ch);
    }
    // Each over a white rim, so that a frame reads on cells of any colour.
    expect(svg.match(/stroke="#fff" stroke-width="5"/g)).toHaveLength(3);
    // The legend says what the frames are, in their colours.
    expect(svg).toContain('framed: the runs whose curves are drawn beside, in their colours');
    // Frames on the corner cells stay inside the figure, and are drawn in their colour (resvg).
    const corners = panelSvg({ ...panelOf(p, results), framed: [{ run: 0, colour: '#0072b2' }, { run: p.runs - 1, colour: '#e69f00' }] }, pngDataUrl);
    const r = rendered(corners);
    expect(r.outside).toBe(0);
    const [c0, c1] = frames(corners);
    if (!c0 || !c1) throw new Error('no frames');
    // The middle of a frame's left edge: its colour.
    expect(r.at(c0.cx - c0.w / 2, c0.cy)).toEqual([0x00, 0x72, 0xb2]);
    expect(r.at(c1.cx - c1.w / 2, c1.cy)).toEqual([0xe6, 0x9f, 0x00]);
    // No runs, no frames and no legend row.
    const plain = panelSvg(panelOf(p, results), pngDataUrl);
    expect(frames(plain)).toEqual([]);
    expect(plain).not.toContain('framed:');
  });

  it('frames a small cell larger than the cell, and leaves out runs not on the map', async () => {
    const p = plan({ ...LR_MOMENTUM, sweep: { ...LR_MOMENTUM.sweep, x: { ...LR_MOMENTUM.sweep.x, count: 200 }, y: { ...LR_MOMENTUM.sweep.y, count: 2 } }, steps: 5 });
    const { results } = await sweep(p, []);
    const svg = panelSvg({ ...panelOf(p, results), framed: [{ run: 0, colour: '#0072b2' }, { run: -1, colour: '#000' }, { run: p.runs, colour: '#000' }] }, pngDataUrl);
    const f = frames(svg);
    expect(f.map((x) => x.run)).toEqual([0]);
    // A cell 2.2 px wide still gets a frame one can see.
    expect(f[0]?.w).toBeGreaterThanOrEqual(10);
  });

  it('frames runs on a one-row strip (with a line down the curve) and on a list sweep\'s band', async () => {
    const row = plan({ ...LR_MOMENTUM, sweep: { kind: 'grid', x: { param: 'optimizer.lr', min: 1e-5, max: 1e-3, count: 12, scale: 'log' } } });
    const r = await sweep(row, []);
    const strip = panelSvg({ ...panelOf(row, r.results), framed: [{ run: 4, colour: '#0072b2' }] }, pngDataUrl);
    const [f] = frames(strip);
    const img = mapImage(strip);
    expect(f?.cx).toBeCloseTo(img.x + (4.5 / 12) * img.width, 0);
    expect(f?.cy).toBeCloseTo(img.y + img.height / 2, 0);
    expect(strip).toMatch(new RegExp(`<line x1="${f?.cx.toFixed(1)}" [^>]*stroke="#0072b2"`));

    const list = plan({ ...LR_MOMENTUM, sweep: { kind: 'random', count: 20, seed: 3, dims: [{ param: 'optimizer.lr', min: 1e-5, max: 1e-3, scale: 'log' }] } });
    const l = await sweep(list, []);
    const band = panelSvg({ ...panelOf(list, l.results), framed: [{ run: 19, colour: '#e69f00' }] }, pngDataUrl);
    const [b] = frames(band);
    const bi = mapImage(band);
    expect(b?.cx).toBeCloseTo(bi.x + (19.5 / 20) * bi.width, 0);
    expect(b?.h).toBeGreaterThan(bi.height);
  });

  it('frames the runs on a network map too', async () => {
    const s = parseAnySpec({
      network: { hidden: [4], activation: 'tanh', bias: false, parametrization: 'mean_field', batch_size: null, sharpness_iterations: 2 },
      data: { name: 'fractal', inputs: 16, outputs: 1 },
      optimizer: { name: 'SGD', lr: 100, param_groups: [{ params: ['layers.0'], lr: 100 }] },
      steps: 5,
      sweep: { x: { param: 'optimizer.param_groups.0.lr', min: 1, max: 1e5, count: 4, scale: 'log' }, y: { param: 'optimizer.lr', min: 20, max: 600, count: 3, scale: 'log' } },
    });
    if (s.problem !== 'network') throw new Error('not a network spec');
    const np: NetPlan = makeNetPlan(s);
    const e = engine();
    const columns = (await e.run(np, {})) as NetColumns;
    const [t] = (await e.trajectories(np, { runs: [6] })) as NetTrajectory[];
    await e.dispose();
    if (!t) throw new Error('no path');
    const framed = framedRuns([{ trajectory: t, colour: SELECTED_INK }], np.runs);
    expect(framed).toEqual([{ run: 6, colour: SELECTED_INK }]);
    const svg = netHeatmapSvg({ kind: 'netmap', title: 'net', plan: np, columns, mode: 'convergence', framed }, pngDataUrl);
    const [f] = frames(svg);
    const img = mapImage(svg);
    expect(f?.cx).toBeCloseTo(img.x + (2.5 / 4) * img.width, 0);
    expect(f?.cy).toBeCloseTo(img.y + img.height - (1.5 / 3) * img.height, 0);
    // The export controller's file name says which LR is which (walkthrough 18: "lr-x-lr").
    type Sweep = ConstructorParameters<typeof ExportController>[0];
    const ex = new ExportController({ net: { plan: np, results: columns, columns }, plan: null, results: null } as unknown as Sweep, () => 'outcome');
    expect(ex.fileName('convergence')).toBe('basinlab-fractal-sgd-lr-of-layers-0-by-lr-of-layers-1-convergence');
  }, 60_000);
});

describe("the figure's paths on the surface", () => {
  it('draws the contours under the paths, the minima in their basins\' colours, one start; the map frames the runs in their curves\' colours', async () => {
    const p = plan(LR_MOMENTUM);
    const { results, paths } = await sweep(p, [3, 40]);
    const runs = paths.map((t, k) => ({ trajectory: t, colour: k === 0 ? '#0072b2' : SELECTED_INK, label: `run ${t.run}` }));
    const svg = surfaceFigureSvg(panelOf(p, results), runs, pngDataUrl);
    // The map: a frame per run, in the colour its curves have.
    expect(frames(svg).map((f) => [f.run, f.colour])).toEqual([
      [3, '#0072b2'],
      [40, SELECTED_INK],
    ]);
    for (const r of runs) expect(svg).toMatch(new RegExp(`<polyline [^>]*stroke="${r.colour}"`));
    // The paths panel: contours (filled and lined), the known minimum, the one start all runs share.
    const contours = /<g class="contours"[^>]*>([\s\S]*?)<\/g>/.exec(svg)?.[1] ?? '';
    const bands = contours.match(/<path d="M[^"]+" fill="rgb\([^)]+\)" fill-rule="evenodd" stroke="rgb\(30,40,60\)" stroke-opacity="0.3"/g) ?? [];
    expect(bands.length).toBeGreaterThanOrEqual(20);
    expect(svg.match(/<path class="minimum"[^>]*>/g)?.map((t) => attrs(t).fill)).toEqual([rgbCss(minimumColour(0))]);
    const starts = svg.match(/<circle class="start"[^>]*>/g) ?? [];
    expect(starts).toHaveLength(1);
    expect(attrs(starts[0] as string)).toMatchObject({ fill: '#fff', stroke: SELECTED_INK });
    // Its legend: the runs, the contours, the minima, the start; the chart's black minimum dot and grey start dot gave way.
    for (const t of ['contours of the loss (log-spaced above its minimum)', "known minima (in their basins' colours)", '>start<']) expect(svg).toContain(t);
    expect(svg).not.toContain('fill="#8a8a8a"');
    expect(svg).not.toContain('>known minima<');
    // Rendered (resvg), the paths panel is drawn on the contours' fills, not on white, and nothing of it falls outside.
    const [chart] = surfaceCurvePanels(p, runs);
    if (!chart) throw new Error('no paths chart');
    const r = rendered(panelSvg(chart, pngDataUrl));
    expect(r.outside).toBe(0);
    // The plot's top right corner (x 2, y 3 of Rosenbrock's view) lies high above the minimum: the darkest fill.
    const clip = attrs(/<clipPath id="[^"]+"><rect [^>]*>/.exec(panelSvg(chart, pngDataUrl))?.[0].replace(/^<clipPath id="[^"]+">/, '') ?? '');
    const corner = r.at(Number(clip.x) + Number(clip.width) - 3, Number(clip.y) + 3);
    expect(corner).not.toEqual([255, 255, 255]);
    expect(corner[2]).toBeGreaterThan(corner[0]);
  }, 60_000);

  it("marks each run's own start where the map sweeps the start", async () => {
    const p = plan(STARTS);
    const { results, paths } = await sweep(p, [11, 55, 88]);
    const runs = paths.map((t, k) => ({ trajectory: t, colour: ['#0072b2', '#e69f00', SELECTED_INK][k] as string, label: `run ${t.run}` }));
    const [chart] = surfaceCurvePanels(p, runs);
    if (!chart) throw new Error('no paths chart');
    const on = chart;
    expect(on.surface?.starts).toEqual(paths.map((t) => ({ x: t.x[0], y: t.y[0] })));
    expect(on.surface?.minima.map((m) => m.colour)).toEqual(p.minima.map((_, i) => rgbCss(minimumColour(i))));
    expect(on.series.map((s) => s.label)).toEqual(runs.map((r) => r.label));
    const svg = surfaceFigureSvg(panelOf(p, results), runs, pngDataUrl);
    expect(svg.match(/<circle class="start"/g)).toHaveLength(3);
    expect(svg.match(/<path class="minimum"/g)).toHaveLength(4);
    expect(svg).toContain('>starts<');
    expect(frames(svg).map((f) => f.run)).toEqual([11, 55, 88]);
    // The contours are the surface's over the chart's domain: the bands hold the minima inside their innermost rings.
    const c = on.surface?.contours;
    expect(c?.bands.length).toBe(24);
    expect(c?.ground).toBe(contourFill(0, 24));
  }, 60_000);

  it('draws the paths on a blank plot only where the surface cannot be sampled', () => {
    const p = plan(LR_MOMENTUM);
    const blank = { contours: null, minima: [{ x: 1, y: 1, colour: rgbCss(minimumColour(0)) }], starts: [] };
    expect(surfaceBackdrop(p, [], null)).toEqual(blank);
    // A domain surfaceGrid refuses (empty), not a thrown error.
    expect(surfaceBackdrop(p, [], { x: [1, 1], y: [0, 2] })).toEqual(blank);
    expect(surfaceBackdrop(p, [], { x: [0, 2], y: [0, 2] }).contours).not.toBeNull();
  });
});

describe('contours (view/contours.ts, shared with the app contour plot)', () => {
  const bowl = { width: 21, height: 11, domain: { xMin: -2, xMax: 2, yMin: -1, yMax: 1 } };
  const values = new Float64Array(bowl.width * bowl.height);
  for (let j = 0; j < bowl.height; j++) for (let i = 0; i < bowl.width; i++) values[j * bowl.width + i] = (-2 + (4 * i) / 20) ** 2 + (-1 + (2 * j) / 10) ** 2;

  it('spaces the levels evenly, or geometrically above the minimum (log)', () => {
    const lin = contourLevels(values, [], false, 4);
    expect(lin).toEqual([1, 2, 3, 4]);
    const log = contourLevels(values, [{ x: 0, y: 0, value: 0, sharpness: 2 }], true, 4);
    const ratios = log.slice(1).map((v, k) => v / (log[k] as number));
    for (const r of ratios) expect(r).toBeCloseTo(ratios[0] as number, 6);
    expect(contourLevels(new Float64Array(9).fill(1), [], true)).toEqual([]);
  });

  it('gives each level its region in data coordinates, the top level\'s where f is above it (the corners), lighter below', () => {
    const c = surfaceContours({ ...bowl, values }, [{ x: 0, y: 0, value: 0, sharpness: 2 }], false);
    if (!c) throw new Error('no contours');
    expect(c.line).toBe(LINE_INK);
    expect(c.bands.map((b) => b.level)).toEqual(contourLevels(values, [], false));
    // f >= level: the regions shrink (away from the centre) as the level rises; the region of the
    // top level lies in the corners, whose points are all far from the bowl's bottom.
    const top = c.bands.at(-1);
    if (!top) throw new Error('no top band');
    expect(top.rings.length).toBeGreaterThan(0);
    for (const ring of top.rings) {
      for (let k = 0; k < ring.length; k += 2) {
        const [x, y] = [ring[k] as number, ring[k + 1] as number];
        // Within the grid, widened half a sample.
        expect(Math.abs(x)).toBeLessThanOrEqual(2.1 + 1e-9);
        expect(Math.abs(y)).toBeLessThanOrEqual(1.1 + 1e-9);
        // On or above the level f = x² + y² (review 26: nothing had checked where the region lies);
        // the contour's straight pieces between samples cut inside the circle a little.
        expect(x * x + y * y).toBeGreaterThanOrEqual(top.level * 0.9);
      }
    }
    const low = c.bands[0];
    expect(low?.rings.length).toBeGreaterThanOrEqual(2); // the frame of the grid and the hole around the bottom
    expect(low?.fill).not.toBe(top?.fill);
    expect(surfaceContours({ ...bowl, values: new Float64Array(values.length).fill(2) }, [])).toBeNull();
  });

  it('samples a real surface: a plan\'s grid over its view gives the 24 levels the app draws', () => {
    const p = plan(STARTS);
    const g = surfaceGrid(p, 40, 40);
    const c = surfaceContours(g, p.minima);
    expect(c?.bands.length).toBe(24);
    expect(c?.bands.every((b) => b.rings.length > 0)).toBe(true);
  });

  it('simplifies a polyline to the points that shape it', () => {
    // A straight run of points, a corner, another straight run.
    const xy = [0, 0, 1, 0, 2, 0, 3, 0, 3, 1, 3, 2, 3, 3];
    expect(simplify(xy, 0.3)).toEqual([0, 3, 6]);
    expect(simplify([0, 0, 1, 0.2, 2, 0], 0.1)).toEqual([0, 1, 2]);
    expect(simplify([0, 0, 1, 1], 0.3)).toEqual([0, 1]);
  });
});

describe('export file names', () => {
  it('name both axes by their figure labels, joined by "by"', () => {
    const p = plan(STARTS);
    expect(exportName(p, p.surface.id, 'outcome', (path) => paramLabel(p, path))).toBe('basinlab-himmelblau-sgd-start-x-by-start-y-outcome');
    const q = plan(LR_MOMENTUM);
    expect(exportName(q, q.surface.id, 'outcome', (path) => paramLabel(q, path))).toBe('basinlab-rosenbrock-sgd-lr-by-momentum-outcome');
    // Adam's β1 axis: the Greek letter spelled out, the bracketed torch name left out.
    const adam = plan({ ...LR_MOMENTUM, optimizer: { name: 'Adam', lr: 0.001 }, sweep: { ...LR_MOMENTUM.sweep, y: { param: 'optimizer.betas.0', min: 0, max: 0.9, count: 3, scale: 'linear' } } });
    expect(exportName(adam, adam.surface.id, 'basin', (path) => paramLabel(adam, path))).toBe('basinlab-rosenbrock-adam-lr-by-beta1-basin');
    // A schedule's value: its class without the possessive.
    expect(axisFileName('schedule.max_lr', () => "OneCycleLR's max_lr")).toBe('onecyclelr-max-lr');
    // Without labels, the paths as the editor writes them.
    expect(axisFileName('start.1')).toBe('start-1');
    expect(axisFileName('optimizer.betas.0')).toBe('betas-0');
  });

  it("the export controller names a surface view's files so", async () => {
    const p = plan(STARTS);
    type Sweep = ConstructorParameters<typeof ExportController>[0];
    const ex = new ExportController({ net: null, plan: p, results: null } as unknown as Sweep, () => 'outcome');
    expect(ex.fileName('outcome')).toBe('basinlab-himmelblau-sgd-start-x-by-start-y-outcome');
  });
});
