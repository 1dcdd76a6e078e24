/**
 * Study figures (src/view/panels.ts, svg.ts): which figure offers which sweep in the app, and the
 * chart axes' integer ticks.
 */
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/core/spec.ts';
import { makePlan } from '../../src/core/plan.ts';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';
import type { ChartPanel, GridPanel, Panel, PanelSource } from '../../src/view/panels.ts';
import { figureOpens, opensElsewhereNote } from '../../src/view/panels.ts';
import { panelSvg } from '../../src/view/svg.ts';

const specAt = (lr: number) =>
  parseSpec({
    surface: { name: 'rosenbrock' },
    optimizer: { name: 'SGD', lr, momentum: 0.9 },
    steps: 50,
    sweep: { kind: 'grid', x: { param: 'optimizer.lr', min: 1e-4, max: 1e-2, count: 3, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0, max: 0.8, count: 2, scale: 'linear' } },
  });

const source = (label: string, lr: number): PanelSource => ({ label, spec: specAt(lr) });

const map = (title: string, src: PanelSource): GridPanel => ({
  kind: 'grid',
  title,
  width: 2,
  height: 2,
  x: { label: 'x', min: 1, max: 2, log: false },
  y: { label: 'y', min: 1, max: 2, log: false },
  values: [1, 2, 3, 4],
  scale: 'viridis',
  valueLabel: 'loss',
  sources: [src],
});

const chart = (title: string, sources: readonly PanelSource[], x: readonly number[] = [0, 1, 2]): ChartPanel => ({
  kind: 'chart',
  title,
  xLabel: 'x',
  yLabel: 'y',
  series: [{ label: 's', x, y: x.map((v) => v * 0.37 + 0.1), colour: '#000', points: true }],
  sources,
});

const labels = (o: { offers: readonly PanelSource[] }): string[] => o.offers.map((s) => s.label);

describe('figureOpens: each sweep offered once', () => {
  it('gives a chart computed from the maps no buttons of its own, and says where they are', () => {
    // The fractal study's shape: a map per depth, then charts computed from all of them. The charts'
    // sources are new objects with the same specs (the same sweeps).
    const panels: Panel[] = [
      map('Depth 0', source('this map', 1e-3)),
      map('Depth 1', source('this map', 2e-3)),
      chart('Box counts', [source('depth 0', 1e-3), source('depth 1', 2e-3)]),
      chart('Dimension by depth', [source('depth 0', 1e-3), source('depth 1', 2e-3)]),
    ];
    const o = figureOpens(panels);
    expect(o.map(labels)).toEqual([['this map'], ['this map'], [], []]);
    expect(o[2]?.elsewhere.map((e) => e.at)).toEqual([0, 1]);
    expect(opensElsewhereNote(panels, o[2] as (typeof o)[number])).toBe("To explore this chart's sweeps: “Open … in explorer” under the maps.");
    expect(opensElsewhereNote(panels, o[0] as (typeof o)[number])).toBe('');
  });

  it('offers a chart-only sweep on the first of the charts that use it, and names that chart on the others', () => {
    // sgd-vs-adam's shape: three charts over the same sweeps, in different colourings.
    const a = source('Adam', 1e-3);
    const b = source('SGD', 2e-3);
    const panels: Panel[] = [chart('Training loss by step', [a, b]), chart('Test loss by step', [{ ...a, mode: 'test_loss' }, b]), chart('Accuracy by LR', [a, b])];
    const o = figureOpens(panels);
    expect(o.map(labels)).toEqual([['Adam', 'SGD'], [], []]);
    expect(opensElsewhereNote(panels, o[1] as (typeof o)[number])).toBe("To explore this chart's sweeps: “Open … in explorer” under “Training loss by step”.");
  });

  it('offers a sweep on the chart most about it: the one with the fewest sources', () => {
    // lr-finder's shape: the range test's chart draws the constant-LR sweep's band too; the chart of
    // that sweep alone is where a reader looks for it.
    const panels: Panel[] = [chart('Range test', [source('the LR ramps', 1e-3), source('the constant-LR sweep', 2e-3)]), chart('Share converging', [source('the constant-LR sweep', 2e-3)])];
    const o = figureOpens(panels);
    expect(o.map(labels)).toEqual([['the LR ramps'], ['the constant-LR sweep']]);
    expect(opensElsewhereNote(panels, o[0] as (typeof o)[number])).toBe("To explore this chart's other sweep: “Open … in explorer” under “Share converging”.");
    expect(opensElsewhereNote(panels, o[1] as (typeof o)[number])).toBe('');
  });

  it('lets a map that comes after its chart offer the sweep, and keeps the chart its other sweeps', () => {
    // batch-lr's shape (chart, map, chart over one sweep) and schedules-late's (a chart over some
    // sweeps that have maps and some that do not).
    const s = source("the first seed's sweep", 1e-3);
    const only = source('SGD, step', 5e-3);
    const panels: Panel[] = [chart('Best LR by batch', [s]), map('Final loss', s), chart('Gap by schedule', [s, only])];
    const o = figureOpens(panels);
    expect(o.map(labels)).toEqual([[], ["the first seed's sweep"], ['SGD, step']]);
    expect(opensElsewhereNote(panels, o[0] as (typeof o)[number])).toBe("To explore this chart's sweep: “Open … in explorer” under “Final loss”.");
    expect(opensElsewhereNote(panels, o[2] as (typeof o)[number])).toBe("To explore this chart's other sweep: “Open … in explorer” under “Final loss”.");
  });

  it('loses no sweep: every source of every figure is offered by exactly one figure, or by its own map', () => {
    const panels: Panel[] = [
      chart('c0', [source('a', 1e-3), source('b', 2e-3), source('a again', 1e-3)]),
      map('m1', source('this map', 2e-3)),
      map('m2', source('this map', 2e-3)),
      chart('c3', [source('c', 3e-3), source('b', 2e-3)]),
    ];
    const o = figureOpens(panels);
    // Both maps of one sweep keep their button (each opens in its own colouring).
    expect(o.map(labels)).toEqual([['a'], ['this map'], ['this map'], ['c']]);
    expect(o[0]?.elsewhere.map((e) => e.at)).toEqual([1]);
    expect(o[3]?.elsewhere.map((e) => e.at)).toEqual([1]);
  });
});

describe('chart axes', () => {
  /** The x axis's tick labels: the text centred under the plot, without the axis title. */
  const xTicks = (svg: string): string[] => [...svg.matchAll(/<text x="[\d.]+" y="[\d.]+" text-anchor="middle">([^<]*)<\/text>/g)].map((m) => m[1] as string).slice(0, -1);

  it('gives an axis of integers (zoom depths) integer ticks only, and others their usual steps', () => {
    const png = (): string => 'data:image/png;base64,';
    expect(xTicks(panelSvg(chart('depths', [], [0, 1, 2]), png))).toEqual(['0', '1', '2']);
    expect(xTicks(panelSvg(chart('fractions', [], [0, 1, 2.5]), png))).toEqual(['0', '0.5', '1', '1.5', '2', '2.5']);
  });

  it('ticks the x values a chart names (the batch sizes measured), not the nice steps between them', () => {
    const png = (): string => 'data:image/png;base64,';
    const batches = [4, 8, 16, 32, 64];
    const c: ChartPanel = { ...chart('batches', [], batches), logX: true };
    expect(xTicks(panelSvg(c, png))).not.toEqual(['4', '8', '16', '32', '64']);
    expect(xTicks(panelSvg({ ...c, xTicks: batches }, png))).toEqual(['4', '8', '16', '32', '64']);
  });
});

describe('a one-row sweep as a figure', () => {
  const png = (): string => 'data:image/png;base64,';
  const planOf = (y: unknown) =>
    makePlan(parseSpec({ surface: { name: 'quadratic' }, optimizer: { name: 'SGD', lr: 0.1 }, steps: 10, sweep: { kind: 'grid', x: { param: 'optimizer.lr', min: 0.01, max: 1, count: 5, scale: 'log' }, y } }));

  it('is a strip with the curve of its runs under it, as the explorer draws it: a point per run, a triangle per diverged run, the theory line across both', async () => {
    const plan = planOf(null);
    const results = await new CpuEngine('cpu64', { workers: 0, spawn: null }).run(plan);
    [1, 0.1, 0.01, 0.001].forEach((g, i) => (results.loss[i] = g));
    results.basin.fill(-1);
    results.diverged[4] = 1;
    results.loss[4] = Number.NaN;
    const line = { label: 'stability limit lr = 2(1 + momentum)/λ, λ = 10 (minimum 0)', x: [0.2, 0.2], y: [0, 1], colour: '#000000' };
    const svg = panelSvg({ kind: 'heatmap', title: 'one row', plan, results, mode: 'loss', lines: [line] }, png);
    expect(svg.match(/<circle /g)?.length).toBe(4);
    expect(svg.match(/<path d="M[\d.]+ [\d.]+ l-4 7 h8 z"/g)?.length).toBe(1);
    // The curve's y axis names what it plots, as the explorer's does.
    expect(svg).toContain('final loss above the best minimum (log)');
    // The vertical theory line crosses the strip and the curve (a line element, not a map's polyline).
    expect(svg).toMatch(/<line x1="[\d.]+" y1="[\d.]+" x2="[\d.]+" y2="[\d.]+" stroke="#000000" stroke-width="2" stroke-dasharray="6 3"\/>/);
  });

  it('stays a map when it has two axes', async () => {
    const plan = planOf({ param: 'optimizer.momentum', min: 0, max: 0.9, count: 3, scale: 'linear' });
    const results = await new CpuEngine('cpu64', { workers: 0, spawn: null }).run(plan);
    const svg = panelSvg({ kind: 'heatmap', title: 'two axes', plan, results, mode: 'loss' }, png);
    expect(svg).not.toContain('<circle ');
    // Every cell whole, as the page draws the map (walkthrough 18: the edge rows and columns were
    // half cells): the image fills the plot (438 x 330 at x = 64), and the ticks at the first and
    // last swept values (lr 0.01 and 1 over 5 columns, momentum 0 and 0.9 over 3 rows) stand at
    // their cells' centres, half a cell in from the edges.
    expect(svg).toMatch(/<image x="64" y="[\d.]+" width="438" height="330" /);
    const xTick = (label: string): number => Number(new RegExp(`<text x="([\\d.]+)" y="[\\d.]+" text-anchor="middle">${label}</text>`).exec(svg)?.[1]);
    expect(xTick('0.01')).toBeCloseTo(64 + 438 / 10, 6);
    expect(xTick('1')).toBeCloseTo(64 + 438 - 438 / 10, 6);
    const top = Number(/<image x="64" y="([\d.]+)"/.exec(svg)?.[1]);
    const yTick = (label: string): number => Number(new RegExp(`<text x="58" y="([\\d.]+)" text-anchor="end">${label}</text>`).exec(svg)?.[1]) - 4;
    expect(yTick('0')).toBeCloseTo(top + 330 - 330 / 6, 6);
    // The axis spans -0.225 … 1.125: 0.8 stands 1.025 / 1.35 of the way up.
    expect(yTick('0.8')).toBeCloseTo(top + 330 * (1 - 1.025 / 1.35), 6);
    // Its ticks name swept values only (review 23: labels from −0.5 on a 0 … 1 axis of two columns).
    const yLabels = [...svg.matchAll(/<text x="58" y="[\d.]+" text-anchor="end">([^<]*)<\/text>/g)].map((m) => Number(m[1]));
    expect(Math.min(...yLabels)).toBe(0);
    expect(Math.max(...yLabels)).toBeLessThanOrEqual(0.9);
  });
});

describe('a list sweep as a figure', () => {
  it('is a band of columns over the run index, as on the page, not a square with a made-up y axis', async () => {
    const png = (): string => 'data:image/png;base64,';
    const plan = makePlan(parseSpec({ surface: { name: 'quadratic' }, optimizer: { name: 'SGD', lr: 0.1 }, steps: 10, sweep: { kind: 'random', count: 12, seed: 0, dims: [{ param: 'optimizer.lr', min: 0.01, max: 1, scale: 'log' }] } }));
    const results = await new CpuEngine('cpu64', { workers: 0, spawn: null }).run(plan);
    const svg = panelSvg({ kind: 'heatmap', title: 'random', plan, results, mode: 'loss' }, png);
    expect(svg).toMatch(/<image x="64" y="[\d.]+" width="438" height="80" /);
    expect(svg).toContain('>run</text>');
    expect(svg).not.toContain('<circle ');
  });
});
