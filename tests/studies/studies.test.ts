/**
 * Each study's central claim, checked numerically on its own runs (quick settings), on the float32
 * CPU engine and on the GPU engine (Node, SwiftShader in CI; no adapter fails the test). On the CPU
 * engine every panel's figure is also checked: rendered by resvg (DejaVu Sans) on a canvas larger
 * than its view box, nothing of it (no text, no legend) may fall outside the view box; every panel
 * names the specs it can open in the explorer.
 */
import { Resvg } from '@resvg/resvg-js';
import { afterAll, describe, expect, it } from 'vitest';
import { pngDataUrl } from '../../src/cli/png.ts';
import { panelSources } from '../../src/view/panels.ts';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';
import type { Engine } from '../../src/engine/engine.ts';
import { acquireNodeGpu } from '../../src/engine/gpu/device-node.ts';
import { GpuEngine } from '../../src/engine/gpu/engine.ts';
import { nodeShaderSources } from '../../src/engine/gpu/shader-sources-node.ts';
import { adamVsAdamW } from '../../src/studies/adam-adamw.ts';
import { flatVsSharp } from '../../src/studies/flat-vs-sharp.ts';
import { STUDIES } from '../../src/studies/index.ts';
import { lrFinder } from '../../src/studies/lr-finder.ts';
import { randomSearch } from '../../src/studies/random-search.ts';
import { schedulesLate } from '../../src/studies/schedules-late.ts';
import { fmt } from '../../src/studies/run.ts';
import { panelSvg } from '../../src/view/svg.ts';
import { swaStudy } from '../../src/studies/swa.ts';
import { tuneTogether } from '../../src/studies/tune-together.ts';
import type { Study, StudyResult } from '../../src/studies/types.ts';
import { disposeChecked } from '../gpu/fixture.ts';

const num = (r: StudyResult, k: string): number => r.findings[k] as number;

/** Pixels a figure draws outside its view box, rendered on a canvas MARGIN px larger each side. */
function outsidePixels(svg: string): { count: number; where: string } {
  const m = /<svg [^>]*width="(\d+)" height="(\d+)" viewBox="0 0 (\d+) (\d+)"/.exec(svg);
  if (!m) throw new Error('figure without a width, height and view box');
  const w = Number(m[1]);
  const h = Number(m[2]);
  const P = 200;
  const padded = svg.replace(m[0], m[0].replace(`width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"`, `width="${w + 2 * P}" height="${h + 2 * P}" viewBox="${-P} ${-P} ${w + 2 * P} ${h + 2 * P}"`));
  const img = new Resvg(padded, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render();
  const px = img.pixels;
  let count = 0;
  let box = [Infinity, Infinity, -Infinity, -Infinity];
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const inside = x >= P && x < P + w && y >= P && y < P + h;
      if (inside || (px[(y * img.width + x) * 4 + 3] as number) === 0) continue;
      count++;
      box = [Math.min(box[0] as number, x - P), Math.min(box[1] as number, y - P), Math.max(box[2] as number, x - P), Math.max(box[3] as number, y - P)];
    }
  }
  return { count, where: `x ${box[0]}..${box[2]}, y ${box[1]}..${box[3]} of ${w} x ${h}` };
}

/** Problems with a study's figures: anything drawn outside its view box, a panel that opens nothing. */
function figureProblems(r: StudyResult): string[] {
  const out: string[] = [];
  for (const p of r.panels) {
    const { count, where } = outsidePixels(panelSvg(p, pngDataUrl));
    if (count > 0) out.push(`${r.id}: "${p.title}" draws ${count} pixels outside its view box (${where})`);
    if (panelSources(p).length === 0) out.push(`${r.id}: "${p.title}" has no spec to open in the explorer`);
  }
  return out;
}

const ENGINES: { name: string; make: () => Promise<Engine> }[] = [
  { name: 'cpu', make: async () => new CpuEngine('cpu', { workers: 0, spawn: null }) },
  { name: 'gpu', make: async () => new GpuEngine(await acquireNodeGpu('studies'), nodeShaderSources) },
];

for (const E of ENGINES) describe(`studies on ${E.name}: each claim, measured`, () => {
  let engine: Engine | null = null;
  const run = async (s: Study): Promise<StudyResult> => {
    engine ??= await E.make();
    const labels: string[] = [];
    const r = await s.run({ engine, quick: true, onProgress: (l) => void (labels.at(-1) !== l && labels.push(l)) });
    // Its progress counts the sweeps it said it would make ("sweep 3 of 4").
    expect(labels.length, `${s.id}: ${labels.join(' | ')}`).toBe(s.sweeps({ quick: true }).count);
    expect(s.sweeps({ quick: true }).atMost).toBe(false);
    // The figures do not depend on the engine: checked once.
    if (E.name === 'cpu') expect(figureProblems(r)).toEqual([]);
    for (const t of r.tables ?? []) for (const row of t.rows) expect(row.length, t.title).toBe(t.columns.length);
    // The claim, checked by the study's own check (its conditions: tests/unit/study-verdicts.test.ts);
    // each test below adds what only this size of run can promise.
    expect({ holds: r.verdict.holds, failures: r.verdict.failures }, r.id).toEqual({ holds: true, failures: [] });
    // Held: every condition says so with its numbers.
    expect(r.verdict.checked.length, r.id).toBeGreaterThan(0);
    return r;
  };
  afterAll(async () => {
    await disposeChecked(engine);
  });

  it('flat vs sharp: no run settles in the sharp minimum beyond its stability limit; large LRs favour the flat one, noise empties the sharp one', async () => {
    const r = await run(flatVsSharp);
    expect(num(r, 'sharpRunsWithinLimit')).toBeGreaterThan(100); // the control, on many runs: settling is possible below it
    // Where the starts end, with noise and with SAM: tables, not a list of shares in the prose.
    expect(r.tables?.map((t) => t.rows.length)).toEqual([3, 2, 6]);
    expect(r.summary).not.toMatch(/\d%\/\d/);
    // The first map colours by the last checkpoint alone: its caption says which sharp-coloured cells
    // past the limit the claim leaves out (passing through, not settled), counted from the results.
    const map = r.panels[0];
    if (map?.kind !== 'heatmap') throw new Error('the first panel is the LR x momentum map');
    const lam = Math.max(...map.plan.minima.map((m) => m.sharpness));
    const sharp = map.plan.minima.findIndex((m) => m.sharpness === lam);
    let passing = 0;
    for (let run = 0; run < map.plan.runs; run++) {
      const [lr, mu] = [map.plan.xValues[run % map.plan.width] as number, map.plan.yValues[Math.floor(run / map.plan.width)] as number];
      if (map.results.basin[run] === sharp && (map.results.steps_to_converge[run] as number) >= map.plan.spec.steps && lr * lam > 2 * (1 + mu)) passing++;
    }
    expect(num(r, 'sharpPassingBeyondLimit')).toBe(passing);
    expect(map.caption).toMatch(passing > 0 ? new RegExp(`the ${passing} sharp-coloured cells? right of the limit`) : /none right of the limit is coloured sharp/);
  });

  it('schedules: close together after 10% of training, far apart at the end; optimisers differ early', async () => {
    const r = await run(schedulesLate);
    // The loss maps are drawn on one colour scale, so that they can be compared.
    const ranges = r.panels.flatMap((p) => (p.kind === 'heatmap' && p.mode === 'loss' ? [JSON.stringify(p.range)] : []));
    expect(ranges.length).toBeGreaterThanOrEqual(4);
    expect(new Set(ranges).size).toBe(1);
    expect(ranges[0]).not.toBe(undefined);
    // Walkthrough 12: the page shows the schedules themselves, first, and says where each optimiser's
    // runs end (Adam's median gap, a local minimum's, read as "Adam never trains").
    const first = r.panels[0];
    expect(first?.kind === 'chart' && [first.title, first.series.length, first.series[0]?.y.length]).toEqual(['The seven schedules: the LR of each step (SGD, lr 0.01)', 7, 400]);
    const [adamGlobal, adamLocal, adamMoving] = r.findings.adamConstantEnd as number[];
    const sgdMoving = (r.findings.sgdConstantEnd as number[])[2] as number;
    expect((adamGlobal as number) + (adamLocal as number)).toBeGreaterThan(0.5);
    expect(adamMoving).toBeLessThan(sgdMoving);
    expect(r.summary).toContain(`noisiest, ${r.findings.noisiestSchedule as string} LR`);
    expect(r.summary).toContain(`still by ${fmt(r.findings.optimizerGapAt100 as number)} at the end`);
  });

  it("tune together: SGD's best LR fails for Adam and Adam's best LR fails for SGD", async () => {
    await run(tuneTogether);
  });

  // Their claims in full are their checks' (asserted in run()); these name what each shows.
  it('random vs grid: random and Sobol beat a grid of the same budget once only some of 3-4 dimensions matter', async () => {
    await run(randomSearch);
  });

  it("LR finder: the median suggestion lies inside the quadratic's converging band, below the stability limit", async () => {
    await run(lrFinder);
  });

  it('SWA: the average lands nearer the centre of the flat basin than the last iterate on most runs', async () => {
    const r = await run(swaStudy);
    // Stronger than the claim's "most" and "some", which these settings give with room to spare.
    expect(num(r, 'runsInFlatBasin')).toBeGreaterThan(100);
    expect(num(r, 'fractionSwaNearer')).toBeGreaterThan(0.6);
  });

  it('Adam vs AdamW: Adam ends at the L2-regularised minimum, AdamW does not', async () => {
    await run(adamVsAdamW);
  });

  it('the figure check sees what is drawn outside a view box (its control)', () => {
    const svg = (x: number): string =>
      `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="40" viewBox="0 0 100 40" font-family="DejaVu Sans" font-size="11"><rect width="100" height="40" fill="#fff"/><text x="${x}" y="20">a legend label</text></svg>`;
    expect(outsidePixels(svg(4)).count).toBe(0);
    expect(outsidePixels(svg(40)).count).toBeGreaterThan(20);
  });

  it('every study renders every panel as SVG', async () => {
    expect(STUDIES.length).toBe(12); // 7 on surfaces, the 5 network ones in network-studies.test.ts
    const r = await run(adamVsAdamW);
    for (const p of r.panels) {
      const svg = panelSvg(p, () => 'data:image/png;base64,');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain(p.title.replace(/&/g, '&amp;').slice(0, 10));
    }
  });
});
