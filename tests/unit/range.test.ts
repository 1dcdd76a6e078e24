/**
 * Colour ranges of the continuous heatmap modes (view/range.ts): the loss modes of surface and
 * network maps clip a long tail to robust percentiles, draw what lies past them in the end colours,
 * and their legends say so; modes whose range means something as it is keep their true ends.
 */
import { describe, expect, it } from 'vitest';
import { allocateColumns } from '../../src/core/columns.ts';
import { makeNetPlan } from '../../src/core/network/plan.ts';
import type { NetPlan } from '../../src/core/network/plan.ts';
import { makePlan } from '../../src/core/plan.ts';
import { parseAnySpec, parseSpec } from '../../src/core/spec.ts';
import { DIVERGED_ON_RAMP, VIRIDIS_LUT } from '../../src/view/colors.ts';
import { cellColour, heatmapFrame, sharedRange, valueRange } from '../../src/view/frame.ts';
import { heatmapLegend, netHeatmapLegend } from '../../src/view/legend.ts';
import { netCellColour, netFrame } from '../../src/view/net-frame.ts';
import { CLIP_TAIL_SHARE, colourRange, countClipped, percentile } from '../../src/view/range.ts';

/** n values spread evenly over [a, b]. */
function even(n: number, a: number, b: number): number[] {
  return Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
}

function viridisEnd(t: 0 | 1): [number, number, number] {
  const k = t * 255 * 4;
  return [VIRIDIS_LUT[k] as number, VIRIDIS_LUT[k + 1] as number, VIRIDIS_LUT[k + 2] as number];
}

describe('colourRange', () => {
  it('interpolates percentiles as numpy does', () => {
    expect(percentile([1, 2, 3, 4, 5], 50)).toBe(3);
    expect(percentile([0, 10], 25)).toBe(2.5);
    expect(percentile([7], 98)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('clips a long tail of a few extreme values to the 98th percentile', () => {
    // 98 log-losses between -1.5 and 0, and two near-divergent runs at 10^4.
    const values = [...even(98, -1.5, 0), 4, 4];
    const r = colourRange(values, true);
    expect(r.clipHi).toBe(true);
    expect(r.clipLo).toBe(false);
    expect(r.lo).toBe(-1.5);
    expect(r.hi).toBeLessThan(0.5);
    expect(r.hi).toBeGreaterThan(-0.1);
    expect(countClipped(values, r.lo, r.hi)).toEqual({ below: 0, above: 2 });
    // Without clipping, the true extremes.
    expect(colourRange(values, false)).toEqual({ lo: -1.5, hi: 4, clipLo: false, clipHi: false });
  });

  it('never clips the low end: the lowest losses are the runs that converged', () => {
    // A surface's converged runs sit at the log scale's floor, 1e-12, far below the runs still moving.
    const r = colourRange([-12, -12, ...even(98, -2, 0)], true);
    expect([r.lo, r.hi, r.clipLo, r.clipHi]).toEqual([-12, 0, false, false]);
  });

  it('keeps the true ends of values without outliers', () => {
    const r = colourRange(even(1000, -3, 1), true);
    expect(r).toEqual({ lo: -3, hi: 1, clipLo: false, clipHi: false });
    // A short tail past the percentile (less than CLIP_TAIL_SHARE of the span) is kept.
    const span = 2;
    const s = colourRange([...even(98, 0, span), span + 0.9 * CLIP_TAIL_SHARE * span, span + 0.9 * CLIP_TAIL_SHARE * span], true);
    expect(s.clipHi).toBe(false);
  });

  it('ignores non-finite values and never returns an empty range', () => {
    expect(colourRange([Number.NaN, Number.POSITIVE_INFINITY], true)).toEqual({ lo: 0, hi: 1, clipLo: false, clipHi: false });
    expect(colourRange([2, 2, 2], true)).toEqual({ lo: 1.5, hi: 2.5, clipLo: false, clipHi: false });
    // Mostly one value with a few outliers: the percentiles coincide, nothing is clipped.
    const r = colourRange([...Array<number>(99).fill(1), 9], true);
    expect([r.lo, r.hi, r.clipHi]).toEqual([1, 9, false]);
  });
});

describe('a legend before any run has a value', () => {
  it('names no ends of a range it has nothing to range over (not a stand-in 1 … 10), and ends once runs have values', () => {
    const plan = makePlan(parseSpec({ surface: { name: 'quadratic' }, optimizer: { name: 'SGD', lr: 0.1 }, steps: 10, sweep: { kind: 'grid', x: { param: 'optimizer.lr', min: 0.01, max: 1, count: 4, scale: 'log' }, y: null } }));
    const cols = allocateColumns(plan.runs, 'f64', plan.spec);
    cols.diverged.fill(1);
    for (const mode of ['loss', 'outcome'] as const) {
      const f = heatmapFrame(plan, cols, plan.runs, mode);
      expect(f.unranged).toBe(true);
      const ramps = heatmapLegend(f, plan.minima).filter((it) => it.kind === 'ramp' && /loss|still moving/.test(it.label));
      expect(ramps).toHaveLength(1);
      for (const r of ramps) expect(r.kind === 'ramp' && [r.from, r.to, /from \d/.test(r.label)]).toEqual([undefined, undefined, false]);
    }
    // Said in words a figure's reader knows (walkthrough 19: "none among the runs ready").
    const still = (ready: number) => heatmapLegend(heatmapFrame(plan, cols, ready, 'outcome'), plan.minima).find((it) => it.kind === 'ramp' && /still moving/.test(it.label))?.label;
    expect(still(plan.runs)).toMatch(/^still moving at the end \(none on this map\)/);
    expect(still(2)).toMatch(/^still moving at the end \(none of the runs done so far\)/);
    // A panel with no value adds nothing to a range shared by compared panels (no stand-in 0 … 1 in log10 units).
    expect(valueRange('loss', cols, plan.runs, 0, 10)).toBeNull();
    expect(sharedRange([null, [-3, -1], null, [-2, 0]])).toEqual([-3, 0]);
    expect(sharedRange([null, null])).toBeUndefined();
    cols.diverged.fill(0);
    cols.basin.fill(-1);
    cols.loss.set([1, 0.1, 0.01, 0.001]);
    const f = heatmapFrame(plan, cols, plan.runs, 'loss');
    expect(f.unranged).toBeUndefined();
    expect(heatmapLegend(f, plan.minima).find((it) => it.kind === 'ramp')).toMatchObject({ from: '0.001', to: '1' });
  });
});

describe('loss maps with near-divergent runs', () => {
  it("clip a surface map's loss range, draw the outliers in the end colour and say so in the legend", () => {
    const plan = makePlan(
      parseSpec({
        surface: { name: 'quadratic' },
        optimizer: { name: 'SGD', lr: 0.1 },
        steps: 10,
        sweep: { kind: 'grid', x: { param: 'optimizer.lr', min: 0.01, max: 1, count: 20, scale: 'log' }, y: { param: 'start.1', min: -1, max: 1, count: 20, scale: 'linear' } },
      }),
    );
    const cols = allocateColumns(plan.runs, 'f64', plan.spec);
    const floor = plan.minima.reduce((m, x) => Math.min(m, x.value), Number.POSITIVE_INFINITY);
    // 1% of the runs near divergence (up to 2% can be clipped at the 98th percentile).
    const gaps = [...even(396, -3, 0).map((e) => 10 ** e), 1e5, 1e6, 1e7, 1e8];
    gaps.forEach((g, i) => (cols.loss[i] = (Number.isFinite(floor) ? floor : 0) + g));
    cols.basin.fill(-1);
    const f = heatmapFrame(plan, cols, plan.runs, 'loss');
    // The top 2% (8 of 400) lie past the 98th percentile: the 4 outliers and the 4 highest of the rest.
    expect(f.clipped).toEqual({ below: 0, above: 8 });
    expect(10 ** f.hi).toBeLessThan(10);
    expect(cellColour(f, 399)).toEqual(viridisEnd(1));
    expect(cellColour(f, 396)).toEqual(cellColour(f, 399));
    // The bulk of the runs spans most of the scale: the run at the 50th percentile is mid-scale, not dark.
    const mid = (Math.log10(gaps[198] as number) - f.lo) / (f.hi - f.lo);
    expect(mid).toBeGreaterThan(0.5);
    const legend = heatmapLegend(f, plan.minima);
    const ramp = legend.find((it) => it.kind === 'ramp');
    expect(ramp?.kind === 'ramp' && ramp.to).toMatch(/^≥ /);
    expect(legend.some((it) => it.kind === 'note' && /clipped at the 98th percentile.*8 runs above/.test(it.label))).toBe(true);
    // The outcome mode's still-moving ramp (the same loss gap) clips alike.
    const o = heatmapFrame(plan, cols, plan.runs, 'outcome');
    expect(o.clipped.above).toBe(8);
    expect(heatmapLegend(o, plan.minima).some((it) => it.kind === 'ramp' && /to ≥ /.test(it.label))).toBe(true);
    // Sharpness and steps keep their ranges.
    expect(heatmapFrame(plan, cols, plan.runs, 'steps').clipped).toEqual({ below: 0, above: 0 });
    // A range shared by compared panels (a study's figure) says so, not that a percentile clipped it.
    const shared = heatmapFrame(plan, cols, plan.runs, 'loss', [f.lo, f.hi - 1]);
    expect(shared.clipped.shared).toBe(true);
    const notes = heatmapLegend(shared, plan.minima).filter((it) => it.kind === 'note').map((it) => it.label);
    expect(notes.some((l) => /^Colour range shared by the panels compared here: \d+ runs above/.test(l))).toBe(true);
    expect(notes.some((l) => /percentile/.test(l))).toBe(false);
  });

  const netSpec = {
    network: { hidden: [4], activation: 'relu', batch_size: 8, sharpness_iterations: 0 },
    data: { name: 'xor' },
    optimizer: { name: 'SGD', lr: 0.1 },
    steps: 5,
    sweep: { kind: 'grid', x: { param: 'optimizer.lr', min: 0.01, max: 1, count: 20, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0, max: 0.9, count: 20, scale: 'linear' } },
  };

  function netPlan(): NetPlan {
    const s = parseAnySpec(netSpec);
    if (s.problem !== 'network') throw new Error('not a network spec');
    return makeNetPlan(s);
  }

  it('name no ends of a network loss ramp before any run has a loss', () => {
    const plan = netPlan();
    const cols = allocateColumns(plan.runs, 'f64', plan.spec);
    cols.diverged.fill(1);
    const f = netFrame(plan, cols, plan.runs, 'train_loss');
    expect(f.unranged).toBe(true);
    const ramp = netHeatmapLegend(f).find((it) => it.kind === 'ramp');
    expect(ramp?.kind === 'ramp' && [ramp.from, ramp.to]).toEqual([undefined, undefined]);
    cols.diverged.fill(0);
    cols.train_loss.fill(0.5);
    expect(netFrame(plan, cols, plan.runs, 'train_loss').unranged).toBeUndefined();
  });

  it('clip a network map\'s loss ranges (drawn dark to bright, as the surfaces\' loss maps: the high end is the bright one), not its accuracy or convergence', () => {
    const plan = netPlan();
    const cols = allocateColumns(plan.runs, 'f64', plan.spec);
    const losses = [...even(396, -1.3, 0).map((e) => 10 ** e), 1e4, 3e4, 1e5, 1e6];
    losses.forEach((v, i) => {
      cols.train_loss[i] = v;
      cols.test_loss[i] = v;
      cols.convergence[i] = i < 200 ? -i - 1 : i;
    });
    cols.diverged[0] = 1;
    cols.train_loss[0] = Number.NaN;
    const f = netFrame(plan, cols, plan.runs, 'train_loss');
    expect(f.clipped).toEqual({ below: 0, above: 8 });
    expect(10 ** f.hi).toBeLessThan(2);
    // Losses draw high = bright: the clipped high end is viridis' bright end; the diverged run keeps its own colour.
    expect(netCellColour(f, 399)).toEqual(viridisEnd(1));
    expect(netCellColour(f, 0)).toEqual(DIVERGED_ON_RAMP);
    const legend = netHeatmapLegend(f);
    const ramp = legend.find((it) => it.kind === 'ramp');
    expect(ramp?.kind === 'ramp' && ramp.to).toMatch(/^≥ /);
    expect(ramp?.kind === 'ramp' && ramp.from).not.toMatch(/≤/);
    expect(legend.some((it) => it.kind === 'note' && /8 runs above/.test(it.label))).toBe(true);
    expect(netFrame(plan, cols, plan.runs, 'test_loss').clipped.above).toBe(8);
    for (const mode of ['convergence', 'steps', 'sharpness'] as const) {
      const g = netFrame(plan, cols, plan.runs, mode);
      expect(g.clipped, mode).toEqual({ below: 0, above: 0 });
      expect(netHeatmapLegend(g).some((it) => it.kind === 'note' && /clipped/.test(it.label)), mode).toBe(false);
    }
  });

  it('colours 0 … 100% in every view, so one colour is one accuracy in any two maps (walkthrough 11)', () => {
    const plan = netPlan();
    const cols = allocateColumns(plan.runs, 'f64', plan.spec);
    const acc = cols.test_accuracy;
    if (!acc) throw new Error('a classification plan has a test_accuracy column');
    acc.fill(Number.NaN);
    expect(netFrame(plan, cols, plan.runs, 'accuracy').unranged).toBe(true);
    acc.fill(0.95);
    acc[1] = 0.97;
    const f = netFrame(plan, cols, plan.runs, 'accuracy');
    expect([f.lo, f.hi, f.unranged]).toEqual([0, 1, undefined]);
    expect(f.clipped).toEqual({ below: 0, above: 0 });
    acc[1] = 0.6;
    const g = netFrame(plan, cols, plan.runs, 'accuracy');
    // The 95% runs keep their colour whatever else the view holds.
    expect(netCellColour(g, 0)).toEqual(netCellColour(f, 0));
    const ramp = netHeatmapLegend(g).find((it) => it.kind === 'ramp');
    expect(ramp?.kind === 'ramp' && [ramp.from, ramp.to]).toEqual(['0%', '100%']);
  });
});

describe('legend swatches', () => {
  it("name only the no-value and diverged colours a finished map shows, and every one while runs are coming (walkthrough 7)", () => {
    const plan = makePlan(
      parseSpec({
        surface: { name: 'quadratic' },
        optimizer: { name: 'SGD', lr: 0.1 },
        steps: 10,
        sweep: { kind: 'grid', x: { param: 'optimizer.lr', min: 0.01, max: 1, count: 4, scale: 'log' }, y: { param: 'start.1', min: -1, max: 1, count: 4, scale: 'linear' } },
      }),
    );
    const cols = allocateColumns(plan.runs, 'f64', plan.spec);
    cols.loss.fill(0.5);
    cols.basin.fill(-1);
    const labels = (mode: 'loss' | 'basin', ready = plan.runs): string[] =>
      heatmapLegend(heatmapFrame(plan, cols, ready, mode), plan.minima).filter((it) => it.kind === 'swatch').map((it) => it.label);
    // Nothing diverged, every loss finite: no "diverged", no "no value".
    expect(labels('loss')).not.toContain('diverged');
    expect(labels('loss')).not.toContain('no value');
    // Every run not converged: the basin map's grey is there, and named.
    expect(labels('basin')).toContain('not converged');
    // Half the runs still to come: any colour may still turn up.
    expect(labels('loss', 8)).toEqual(expect.arrayContaining(['no value', 'diverged', 'not computed yet']));
    // One run diverged, one has no finite loss: both are named.
    cols.diverged[3] = 1;
    cols.loss[5] = Number.NaN;
    expect(labels('loss')).toEqual(expect.arrayContaining(['no value', 'diverged']));
    // Every swatch a finished map names is a colour some cell shows.
    for (const mode of ['loss', 'basin', 'outcome', 'steps', 'sharpness'] as const) {
      const f = heatmapFrame(plan, cols, plan.runs, mode);
      const shown = new Set(Array.from({ length: plan.runs }, (_, r) => cellColour(f, r).join()));
      for (const it of heatmapLegend(f, plan.minima)) if (it.kind === 'swatch' && /no value|diverged|not converged/.test(it.label)) expect(shown.has(it.colour.join()), `${mode}: ${it.label}`).toBe(true);
    }
  });
});

describe('legend entries for what a finished map lacks', () => {
  it('says of a minimum no run reached that none did, and of a colouring no run has a value in that none has', () => {
    const plan = makePlan(
      parseSpec({
        surface: { name: 'quadratic' },
        optimizer: { name: 'SGD', lr: 0.1 },
        steps: 10,
        sweep: { kind: 'grid', x: { param: 'optimizer.lr', min: 0.01, max: 1, count: 4, scale: 'log' }, y: { param: 'start.1', min: -1, max: 1, count: 4, scale: 'linear' } },
      }),
    );
    const cols = allocateColumns(plan.runs, 'f64', plan.spec);
    cols.loss.fill(0.5);
    cols.basin.fill(-1);
    cols.steps_to_converge.fill(-1);
    const labels = (mode: 'basin' | 'outcome' | 'steps', ready = plan.runs): string[] => heatmapLegend(heatmapFrame(plan, cols, ready, mode), plan.minima).map((it) => it.label);
    expect(labels('basin').some((l) => /^minimum 0 .*: no run reached it$/.test(l))).toBe(true);
    expect(labels('outcome').some((l) => /: no run reached it$/.test(l))).toBe(true);
    // While runs are coming, no such word; once one run reaches it, neither.
    expect(labels('basin', 8).some((l) => /no run reached it/.test(l))).toBe(false);
    cols.basin[3] = 0;
    expect(labels('basin').some((l) => /no run reached it/.test(l))).toBe(false);
    expect(labels('basin').some((l) => /^reached minimum 0/.test(l))).toBe(true);
  });
});
