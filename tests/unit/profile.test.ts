/**
 * A one-row sweep's curve (view/profile.ts): what it plots in each colouring, on hand-made columns
 * of a surface sweep and a network sweep over one LR.
 */
import { describe, expect, it } from 'vitest';
import { allocateColumns } from '../../src/core/columns.ts';
import { makePlan } from '../../src/core/plan.ts';
import { makeNetPlan } from '../../src/core/network/plan.ts';
import { parseAnySpec, parseSpec } from '../../src/core/spec.ts';
import { cellColour, heatmapFrame, LOG_FLOOR } from '../../src/view/frame.ts';
import { netCellColour, netFrame } from '../../src/view/net-frame.ts';
import { isOneRow, profileDomain, profileNotes, profileOf } from '../../src/view/profile.ts';
import { caption } from '../../src/view/caption.ts';
import { DIVERGED, DIVERGED_ON_RAMP } from '../../src/view/colors.ts';

/** A curve's values, NaN as null, to 12 significant digits (they come back from log10 through 10^v). */
const values = (y: Float64Array): (number | null)[] => Array.from(y, (v) => (Number.isNaN(v) ? null : Number(v.toPrecision(12))));

describe('which maps are a strip with a curve', () => {
  it('a grid over one axis of several values, with a frame of one row or none yet', () => {
    expect(isOneRow(61, null, 1)).toBe(true);
    expect(isOneRow(61, null, null)).toBe(true);
    expect(isOneRow(61, 1, 1)).toBe(true);
    // Two axes; one value on x; a random, Sobol or points sweep (one row of runs, no axes); an older frame of another shape.
    expect(isOneRow(61, 40, 40)).toBe(false);
    expect(isOneRow(1, null, 1)).toBe(false);
    expect(isOneRow(null, null, 1)).toBe(false);
    expect(isOneRow(61, null, 40)).toBe(false);
  });
});

const LR = { kind: 'grid', x: { param: 'optimizer.lr', min: 0.01, max: 1, count: 6, scale: 'log' }, y: null };

describe('the curve of a one-row surface sweep', () => {
  const plan = makePlan(parseSpec({ surface: { name: 'flat_sharp' }, optimizer: { name: 'SGD', lr: 0.1 }, steps: 10, sweep: LR }));
  const floor = plan.minima.reduce((m, x) => Math.min(m, x.value), Number.POSITIVE_INFINITY);
  const floor0 = floor;
  const cols = allocateColumns(plan.runs, 'f64', plan.spec);
  // Runs 0-2 still moving, run 3 converged at step 4 (gap 0), run 4 diverged, run 5 not ready.
  [1, 0.1, 0.01, 0].forEach((g, i) => (cols.loss[i] = floor + g));
  cols.loss[4] = Number.NaN;
  cols.diverged[4] = 1;
  cols.basin.fill(-1);
  cols.basin[3] = 0;
  cols.steps_to_converge.fill(-1);
  cols.steps_to_converge[3] = 4;

  it('plots the loss above the best minimum in the loss and outcome colourings, each point in its cell colour', () => {
    expect(plan.height).toBe(1);
    for (const mode of ['loss', 'outcome', 'basin'] as const) {
      const f = heatmapFrame(plan, cols, 5, mode);
      const p = profileOf(f);
      expect(p.scale).toBe('log');
      expect(p.label).toBe('final loss above the best minimum');
      expect(Array.from(p.y.slice(0, 3))).toEqual([1, 0.1, 0.01].map((g, i) => (cols.loss[i] as number) - floor).map((v) => expect.closeTo(v, 12) as unknown as number));
      // A gap of 0 sits at the colours' floor (a log axis has no 0); the diverged and the pending run have no point.
      expect(p.y[3]).toBeCloseTo(LOG_FLOOR, 20);
      expect(Number.isNaN(p.y[4] as number) && Number.isNaN(p.y[5] as number)).toBe(true);
      expect(Array.from(p.diverged)).toEqual([0, 0, 0, 0, 1, 0]);
      // Every point and the diverged run's mark take their cell's colour (red on a viridis map, black among the outcome hues).
      p.colour.forEach((c, i) => expect(c).toEqual(cellColour(f, i)));
      expect(p.colour[4]).toEqual(mode === 'loss' ? DIVERGED_ON_RAMP : DIVERGED);
      expect(p.min).toBeCloseTo(LOG_FLOOR, 20);
      expect(p.max).toBeCloseTo(1, 12);
    }
  });

  it('is captioned as stripes with their points, not pixels', () => {
    expect(caption(plan, 'loss')).toMatch(/^Each stripe \(and its point on the curve\) is one run of SGD/);
  });

  it('plots steps to converge on a linear axis, only for runs that converged', () => {
    const p = profileOf(heatmapFrame(plan, cols, 5, 'steps'));
    expect(p.scale).toBe('linear');
    expect(p.label).toBe('steps to converge');
    expect(values(p.y)).toEqual([null, null, null, 4, null, null]);
    expect([p.min, p.max]).toEqual([4, 4]);
  });

  it("names the loss as the legend does, on a surface whose best minimum is 0 too", () => {
    const q = makePlan(parseSpec({ surface: { name: 'quadratic' }, optimizer: { name: 'SGD', lr: 0.1 }, steps: 10, sweep: LR }));
    expect(profileOf(heatmapFrame(q, allocateColumns(q.runs, 'f64', q.spec), 0, 'loss')).label).toBe('final loss above the best minimum');
  });

  it("draws a spread within the results' rounding as one value (float32's, not float64's), and counts the points at the log floor", () => {
    const flat = profileDomain({ min: 0.2011528, max: 0.2011531, scale: 'log', resolution: 1e-6 });
    expect(flat.flat).toBe(true);
    expect(flat.lo).toBeCloseTo(0.2011529 / Math.sqrt(10), 6);
    expect(profileDomain({ min: 0, max: 0, scale: 'linear', resolution: 0 })).toEqual({ lo: -1, hi: 1, flat: true });
    expect(profileDomain({ min: 0.2, max: 0.3, scale: 'linear', resolution: 0 }).flat).toBe(false);
    // Runs that all settle in the flat minimum, in float32: 3 ulps of loss apart (−0.8978 …): one value.
    const f32 = allocateColumns(plan.runs, 'f32', plan.spec);
    f32.basin.fill(-1);
    const settled = Math.fround(-0.8978);
    const ulp = 2 ** -24;
    [0, 1, 2, 3, 1, 2].forEach((k, i) => (f32.loss[i] = settled - k * ulp));
    const p32 = profileOf(heatmapFrame(plan, f32, plan.runs, 'loss'));
    expect(p32.precision).toBe('float32');
    expect(profileDomain(p32).flat).toBe(true);
    expect(profileNotes(p32)).toEqual([expect.stringMatching(/^Every run ends at 0\.2011 on the curve, within float32 rounding of each other: drawn as one value\.$/)]);
    // The same spread in float64 results is a spread a float64 engine resolves: drawn as one.
    const f64 = allocateColumns(plan.runs, 'f64', plan.spec);
    f64.basin.fill(-1);
    [0, 1, 2, 3, 1, 2].forEach((k, i) => (f64.loss[i] = -0.8978 - k * 1e-9));
    const p64 = profileOf(heatmapFrame(plan, f64, plan.runs, 'loss'));
    expect([p64.precision, profileDomain(p64).flat]).toEqual(['float64', false]);
    // Nor is a real float32 spread (a thousand ulps) flattened.
    [0, 1000, 2000, 3000, 1000, 2000].forEach((k, i) => (f32.loss[i] = settled - k * ulp));
    expect(profileDomain(profileOf(heatmapFrame(plan, f32, plan.runs, 'loss'))).flat).toBe(false);
    const f = heatmapFrame(plan, cols, 5, 'loss');
    expect(profileOf(f).atFloor).toBe(1);
    expect(profileNotes(profileOf(f))).toEqual(['▲ over the curve: a run that diverged (no value to plot)', expect.stringMatching(/^1 point sits at the curve's 1e-12 floor/)]);
    // Every point at the floor: said so, not "one value".
    const floor = allocateColumns(plan.runs, 'f64', plan.spec);
    floor.basin.fill(0);
    floor.loss.fill(floor0);
    expect(profileNotes(profileOf(heatmapFrame(plan, floor, plan.runs, 'loss')))).toEqual([expect.stringMatching(/^Every point sits at the curve's 1e-12 floor: every run reached the best minimum/)]);
  });

  it('has no range before any run is ready', () => {
    const p = profileOf(heatmapFrame(plan, cols, 0, 'loss'));
    expect(Number.isNaN(p.min) && Number.isNaN(p.max)).toBe(true);
    expect(Array.from(p.y).every(Number.isNaN)).toBe(true);
  });
});

describe('the curve of a one-row network sweep', () => {
  const spec = parseAnySpec({
    network: { hidden: [], bias: true, batch_size: 32 },
    data: { name: 'regression', train: 50, test: 20 },
    optimizer: { name: 'SGD', lr: 0.01 },
    steps: 10,
    sweep: LR,
  });
  if (spec.problem !== 'network') throw new Error('not a network spec');
  const plan = makeNetPlan(spec);
  const cols = allocateColumns(plan.runs, 'f64', spec);
  [3, 2, 0.5, 0.25, Number.NaN, 1].forEach((v, i) => (cols.train_loss[i] = v));
  [4, 3, 1, 0.5, Number.NaN, 2].forEach((v, i) => (cols.test_loss[i] = v));
  cols.diverged[4] = 1;
  cols.convergence.set([-1, -2, -3, -4, Number.NaN, 5]);
  cols.steps_to_threshold.set([-1, -1, 7, 3, -1, -1]);

  it('plots the loss a loss colouring shows, and the final train loss under the convergence colouring', () => {
    expect(plan.height).toBe(1);
    const train = profileOf(netFrame(plan, cols, plan.runs, 'train_loss'));
    expect(train.label).toBe('final train loss');
    expect(values(train.y)).toEqual([3, 2, 0.5, 0.25, null, 1]);
    const test = profileOf(netFrame(plan, cols, plan.runs, 'test_loss'));
    expect(values(test.y)).toEqual([4, 3, 1, 0.5, null, 2]);
    const conv = netFrame(plan, cols, plan.runs, 'convergence');
    const c = profileOf(conv);
    expect(c.label).toBe('final train loss');
    expect(values(c.y)).toEqual([3, 2, 0.5, 0.25, null, 1]);
    // The diverged run's mark too takes its cell's colour: in this colouring, by its measure (NaN here: black).
    c.colour.forEach((col, i) => expect(col).toEqual(netCellColour(conv, i)));
    expect(c.colour[4]).toEqual(DIVERGED);
  });

  it('plots steps to the threshold only for runs that reached it', () => {
    const p = profileOf(netFrame(plan, cols, plan.runs, 'steps'));
    expect(p.scale).toBe('linear');
    expect(values(p.y)).toEqual([null, null, 7, 3, null, null]);
  });
});
