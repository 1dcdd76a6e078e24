/**
 * The network studies: their measures (box counting), their claim checks (each shown to reject a
 * counterexample) and a run of each at its quick size on the float32 CPU engine in-process and on
 * the GPU engine (SwiftShader here and in CI), each claim's verdict the one its check gives.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';
import type { Engine, RunOptions } from '../../src/engine/engine.ts';
import type { NetPlan } from '../../src/core/network/plan.ts';
import { acquireNodeGpu } from '../../src/engine/gpu/device-node.ts';
import { GpuEngine } from '../../src/engine/gpu/engine.ts';
import { nodeShaderSources } from '../../src/engine/gpu/shader-sources-node.ts';
import { boundaryDimension, boxCount, edgeImage } from '../../src/studies/boxcount.ts';
import { classAgreement, nudgeDirection, pastResolution, resolutionFailure, ulpNudgedNetSpec, ulpStep } from '../../src/core/validate.ts';
import { netPlanOf } from '../../src/studies/run.ts';
import { FRACTAL_MIN_DIMENSION, checkFractalBoundary, fractalBoundary, fractalRun, fractalSpec, nextWindow } from '../../src/studies/fractal-boundary.ts';
import { checkTextsExample, textsExample, textsLrsAgainstBands } from '../../src/studies/texts-example.ts';
import { batchLr, checkBatchLr, gridSlopeError, logLogSlope } from '../../src/studies/batch-lr.ts';
import { MATCH_TOLERANCE, checkSgdVsAdam, sgdVsAdam } from '../../src/studies/sgd-vs-adam.ts';
import { checkSharpMinima, sharpMinima } from '../../src/studies/sharp-minima.ts';
import { rankCorrelation } from '../../src/core/validate.ts';
import type { Study, StudyResult } from '../../src/studies/types.ts';
import { fractalColours } from '../../src/view/colors.ts';
import { panelSources } from '../../src/view/panels.ts';
import { panelSvg } from '../../src/view/svg.ts';
import { disposeChecked } from '../gpu/fixture.ts';

const num = (r: StudyResult, k: string): number => r.findings[k] as number;
const nums = (r: StudyResult, k: string): number[] => r.findings[k] as number[];

/** Classes of an n x n grid from a predicate on cell (i, j). */
function grid(n: number, f: (i: number, j: number) => boolean): number[] {
  const out: number[] = [];
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) out.push(f(i, j) ? 1 : 0);
  return out;
}

describe('box counting', () => {
  it('the edge image marks the 2 x 2 blocks that hold both classes', () => {
    const e = edgeImage([0, 0, 0, 0, 1, 0, 0, 0, 0], 3, 3);
    expect(e.width).toBe(2);
    expect(Array.from(e.cells)).toEqual([1, 1, 1, 1]);
    expect(Array.from(edgeImage([0, 0, 0, 0, 0, 0, 0, 0, 1], 3, 3).cells)).toEqual([0, 0, 0, 1]);
    expect(Array.from(edgeImage([Number.NaN, Number.NaN, Number.NaN, Number.NaN], 2, 2).cells)).toEqual([0]);
    expect(() => edgeImage([0, 1], 2, 2)).toThrow(/2 cells for a 2 x 2 grid/);
  });

  it('a straight boundary has dimension 1, a circle about 1, a space-filling one 2', () => {
    expect(boundaryDimension(grid(65, (i) => i < 30), 65, 65).dimension).toBeCloseTo(1, 2);
    const circle = boundaryDimension(grid(128, (i, j) => (i - 64) ** 2 + (j - 64) ** 2 < 40 ** 2), 128, 128).dimension;
    expect(Math.abs(circle - 1)).toBeLessThan(0.08);
    expect(boundaryDimension(grid(65, (i, j) => (i + j) % 2 === 0), 65, 65).dimension).toBeCloseTo(2, 6);
  });

  it("the Sierpinski triangle's edge image has dimension log 3 / log 2", () => {
    const n = 256;
    const cells = new Uint8Array(n * n);
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) cells[j * n + i] = (i & j) === 0 ? 1 : 0;
    const b = boxCount({ width: n, height: n, cells });
    expect(b.sizes).toEqual([1, 2, 4, 8, 16, 32, 64]);
    expect(b.dimension).toBeCloseTo(Math.log(3) / Math.log(2), 6);
    for (const s of b.localSlopes) expect(s).toBeCloseTo(Math.log(3) / Math.log(2), 6);
  });

  it('no boundary: no dimension', () => {
    expect(boundaryDimension(grid(16, () => true), 16, 16).dimension).toBeNaN();
  });
});

describe('fractal-boundary: the zoom and the check', () => {
  it('compares two engines\' classes run by run: runs in different classes, and the reference\'s smaller class kept', () => {
    // 1: trained. float64 trains 6 of 8 (its smaller class: the 2 that do not).
    const f64 = [1, 1, 1, 1, 1, 1, 0, 0];
    expect(classAgreement(f64, f64)).toEqual({ disagree: 0, share: 0.75, minorityRuns: 2, minorityKept: 1, minorityPrecision: 1, kappa: 1 });
    // float32 moves one trained run across and one of the two untrained ones: 2 of 8 differ, 1 of 2 kept.
    // Both put 3/4 of the runs in the class, so chance alone agrees on 5/8: κ = (3/4 − 5/8) / (1 − 5/8) = 1/3.
    expect(classAgreement([1, 1, 1, 1, 1, 0, 1, 0], f64)).toEqual({ disagree: 0.25, share: 0.75, minorityRuns: 2, minorityKept: 0.5, minorityPrecision: 0.5, kappa: expect.closeTo(1 / 3, 12) });
    // When the class itself is the smaller one, it is the one followed.
    // Worse than chance (5/8): κ below 0.
    expect(classAgreement([0, 0, 0, 1], [1, 0, 0, 0])).toEqual({ disagree: 0.5, share: 0.25, minorityRuns: 1, minorityKept: 0, minorityPrecision: 0, kappa: expect.closeTo(-1 / 3, 12) });
    // No run in the smaller class (an empty map): nothing to lose.
    expect(classAgreement([], [])).toEqual({ disagree: 0, share: 0, minorityRuns: 0, minorityKept: 1, minorityPrecision: 1, kappa: 1 });
    // float32 puts far more runs in the class than float64 (all 10 of float64's, and 30 more): it keeps
    // every one of float64's, but only a quarter of its own are float64's, which is past its resolution too.
    const ref = Array.from({ length: 100 }, (_, i) => (i < 10 ? 1 : 0));
    const scattered = Array.from({ length: 100 }, (_, i) => (i < 40 ? 1 : 0));
    const s = classAgreement(scattered, ref);
    expect([s.minorityKept, s.minorityPrecision]).toEqual([1, 0.25]);
    expect(pastResolution(s)).toBe(true);
    expect(resolutionFailure(s)).toBe('precision');
    expect(pastResolution({ ...s, minorityPrecision: 0.9, kappa: 0.9 })).toBe(false);
    // About even sides, float32 noise: it keeps about half of float64's smaller side, as chance
    // does, which the shares alone pass; the agreement beyond chance (κ) does not.
    const even = Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? 1 : 0));
    // Deterministic "noise": a pattern independent of the reference's (i % 4 < 2), 53% of the smaller side kept.
    const noise = even.map((_, i) => (i % 4 < 2 ? 1 : 0) as number);
    for (let i = 0; i < 12; i += 1) noise[4 * i + 2] = 1;
    const n = classAgreement(noise, even);
    expect(n.minorityKept).toBeGreaterThanOrEqual(0.5);
    expect(n.minorityPrecision).toBeGreaterThanOrEqual(0.5);
    expect(n.kappa).toBeLessThan(0.2);
    expect(resolutionFailure(n)).toBe('kappa');
    expect(pastResolution(n)).toBe(true);
    // A faithful map of even sides, 10% of cells flipped at random places: resolved.
    const faithful = even.map((c, i) => (i % 10 === 3 ? 1 - c : c));
    expect(pastResolution(classAgreement(faithful, even))).toBe(false);
  });

  it("tests float64 against itself: the grid's runs as points, each swept value one float64 ulp away (none: the grid bit for bit)", async () => {
    expect(ulpStep(1, 1)).toBe(1 + 2 ** -52);
    expect(ulpStep(1, -1)).toBe(1 - 2 ** -53);
    expect(ulpStep(-2, 1)).toBe(-2 + 2 ** -52);
    expect(ulpStep(0, -1)).toBe(-Number.MIN_VALUE);
    const plan = await netPlanOf(fractalSpec({ x0: 2.3, x1: 2.9, y0: 1.9, y1: 2.2 }, 6, 40));
    const same = ulpNudgedNetSpec(plan, 0) as { sweep: { kind: string; params: string[]; points: number[][] } };
    const moved = ulpNudgedNetSpec(plan) as typeof same;
    expect(same.sweep.kind).toBe('points');
    expect(same.sweep.params).toEqual(['optimizer.param_groups.0.lr', 'optimizer.lr']);
    expect(moved.sweep.points).toHaveLength(36);
    const dirs = new Set<string>();
    moved.sweep.points.forEach((p, run) => {
      const x = plan.xValues[run % 6] as number;
      const y = plan.yValues[Math.floor(run / 6)] as number;
      expect(same.sweep.points[run]).toEqual([x, y]);
      expect(p).toEqual([ulpStep(x, nudgeDirection(run, 0)), ulpStep(y, nudgeDirection(run, 1))]);
      dirs.add(`${nudgeDirection(run, 0)} ${nudgeDirection(run, 1)}`);
    });
    // All four diagonal directions occur.
    expect(dirs.size).toBe(4);
    // The points sweep is the grid's runs: the same indices, so the same initial weights, bit for bit.
    const cpu64 = new CpuEngine('cpu64', { workers: 0, spawn: null });
    try {
      const a = await cpu64.run(plan);
      const b = await cpu64.run(await netPlanOf(same));
      const c = await cpu64.run(await netPlanOf(moved));
      expect(Array.from(b.convergence)).toEqual(Array.from(a.convergence));
      expect(Array.from(b.train_loss)).toEqual(Array.from(a.train_loss));
      // One ulp moves every run's losses (by a little: nothing here is near the boundary's chaos at 40 steps).
      let movedRuns = 0;
      for (let k = 0; k < 36; k++) if (c.train_loss[k] !== a.train_loss[k]) movedRuns++;
      expect(movedRuns).toBeGreaterThan(18);
    } finally {
      cpu64.dispose();
    }
    // An integer axis (the batch size) is not moved; a sweep of integers alone, or not a grid, has no nudge.
    const batch = await netPlanOf({ ...fractalSpec({ x0: 2, x1: 3, y0: 2, y1: 2 }, 3, 10), sweep: { x: { param: 'optimizer.lr', min: 10, max: 100, count: 3, scale: 'log' }, y: { param: 'network.batch_size', min: 4, max: 16, count: 3, scale: 'log' } } });
    const bp = (ulpNudgedNetSpec(batch) as typeof same).sweep.points;
    bp.forEach((p, run) => expect(p[1]).toBe(batch.yValues[Math.floor(run / 3)]));
    expect(bp.some((p, run) => p[0] !== batch.xValues[run % 3])).toBe(true);
    const ints = await netPlanOf({ ...fractalSpec({ x0: 2, x1: 3, y0: 2, y1: 2 }, 3, 10), sweep: { x: { param: 'network.batch_size', min: 4, max: 16, count: 3, scale: 'log' } } });
    expect(ulpNudgedNetSpec(ints)).toBeNull();
    expect(ulpNudgedNetSpec(await netPlanOf(moved))).toBeNull();
    // An exact 0 (no rounding moves it) stays, and no nudge leaves the parameter's range: a momentum
    // axis from 0 gives a spec that parses.
    const mom = await netPlanOf({ ...fractalSpec({ x0: 2, x1: 3, y0: 2, y1: 2 }, 3, 10), sweep: { x: { param: 'optimizer.lr', min: 10, max: 100, count: 3, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0, max: 0.5, count: 3 } } });
    const mp = ulpNudgedNetSpec(mom) as typeof same;
    mp.sweep.points.forEach((p, run) => (Math.floor(run / 3) === 0 ? expect(p[1]).toBe(0) : expect(p[1]).not.toBe(mom.yValues[Math.floor(run / 3)])));
    await expect(netPlanOf(mp)).resolves.toBeDefined();
  });

  it("zooms onto the boundary, the window's log widths divided by the zoom", () => {
    const side = 33;
    const cls = grid(side, (i) => i < 20);
    const w = { x0: 0, x1: 4, y0: 1, y1: 3 };
    for (const rule of ['densest', 'central'] as const) {
      const next = nextWindow(cls, side, w, 8, rule);
      expect(next).not.toBeNull();
      if (!next) continue;
      expect(next.x1 - next.x0).toBeCloseTo(0.5, 12);
      expect(next.y1 - next.y0).toBeCloseTo(0.25, 12);
      // The boundary lies between columns 19 and 20: x = 19.5 / 32 * 4.
      expect((next.x0 + next.x1) / 2).toBeCloseTo((19.5 / 32) * 4, 12);
    }
    expect(nextWindow(grid(side, () => false), side, w, 8)).toBeNull();
  });

  it('accepts a boundary that is rough at every depth, rejects a smooth one, an unstable one and too few depths', () => {
    const check = (dimensions: number[]) => checkFractalBoundary({ dimensions });
    expect(check([1.5, 1.6, 1.55]).holds).toBe(true);
    const smooth = boundaryDimension(grid(48, (i, j) => (i - 24) ** 2 + (j - 10) ** 2 < 30 ** 2), 48, 48).dimension;
    const r = check([smooth, smooth]);
    expect(r.holds).toBe(false);
    expect(r.failures.join(' ')).toContain(`below ${FRACTAL_MIN_DIMENSION}`);
    const unstable = check([1.25, 1.9]);
    expect(unstable.holds).toBe(false);
    expect(unstable.failures.join(' ')).toMatch(/moves by 0\.65/);
    expect(check([1.5]).holds).toBe(false);
    expect(check([1.5, Number.NaN]).holds).toBe(false);
  });

  it("leaves out a depth past float32's resolution that float32 drew, counts one drawn in float64, and says which", () => {
    // The H200's --full run: 1.41, 1.58, 1.39, 1.30 (spread 0.28); at depths 2 and 3 float32 keeps 45%
    // and 15% of float64's smaller side (64 x 64 samples on the CPU engines, docs/performance.md).
    const dimensions = [1.41, 1.58, 1.39, 1.3];
    const precisionMinorityRuns = [1735, 866, 166, 120];
    const precisionMinorityKept = [0.99, 0.89, 0.45, 0.15];
    expect(checkFractalBoundary({ dimensions }).holds).toBe(false);
    const left = checkFractalBoundary({ dimensions, precisionMinorityRuns, precisionMinorityKept, float64Depths: [] });
    expect(left.holds).toBe(true);
    expect(left.checked).toContain("depth 3 left out (dimension 1.3): past float32's resolution, float32 keeps 15% of float64's smaller side there (needs 50%)");
    expect(left.checked).toContain('2 depths resolved');
    expect(left.checked.join('\n')).toMatch(/moves by 0\.17 across the resolved depths/);
    // Drawn in float64, the same depths count again (here with the float32 dimensions: the spread fails).
    const drawn = checkFractalBoundary({ dimensions, precisionMinorityRuns, precisionMinorityKept, float64Depths: [2, 3] });
    expect(drawn.failures).toEqual(['the dimension moves by 0.28 across the depths (more than 0.25)']);
    expect(drawn.checked).toContain('depth 3: dimension 1.3, at least 1.2 (drawn in float64: float32 keeps 15% of float64\'s smaller side there (needs 50%))');
    // Drawn in float64 but past float64's resolution too (its sample moved by one float64 ulp keeps 41%,
    // as the default zoom sequence's next depth does, bench/cpu-runs/2026-12-05-fractal-float64/): left out again.
    const ulp = { ulpMinorityRuns: [1735, 866, 160, 120], ulpMinorityKept: [1, 0.98, 0.67, 0.41], ulpMinorityPrecision: [1, 0.98, 0.7, 0.45], ulpKappa: [1, 0.96, 0.67, 0.37] };
    const past64 = checkFractalBoundary({ dimensions, precisionMinorityRuns, precisionMinorityKept, float64Depths: [2, 3], ...ulp });
    expect(past64.holds).toBe(true);
    expect(past64.checked).toContain(
      "depth 3 left out (dimension 1.3): past float32's resolution, float32 keeps 15% of float64's smaller side there (needs 50%); drawn in float64, it is past float64's resolution too: moved by one float64 ulp, only 41% of the sample's runs on its smaller side stay there (needs 50%)",
    );
    expect(past64.checked).toContain("depth 2: dimension 1.39, at least 1.2 (drawn in float64: float32 keeps 45% of float64's smaller side there (needs 50%))");
    // A depth float32 resolves counts whatever float64's nudge says (its map is float32's).
    expect(checkFractalBoundary({ dimensions: [1.4, 1.5], precisionMinorityRuns: [30, 30], precisionMinorityKept: [0.9, 0.9], ulpMinorityRuns: [30, 30], ulpMinorityKept: [0.9, 0.3] }).checked).toContain('depth 1: dimension 1.5, at least 1.2');
    // Too few runs on float64's smaller side to judge (a quick run's 8 x 8 sample): the depth counts as float32 drew it.
    expect(checkFractalBoundary({ dimensions: [1.4, 1.5], precisionMinorityRuns: [30, 6], precisionMinorityKept: [0.9, 0] }).checked).toContain('depth 1: dimension 1.5, at least 1.2');
    expect(checkFractalBoundary({ dimensions: [1.4, 1.5], precisionMinorityRuns: [30, 20], precisionMinorityKept: [0.9, 0.2] }).failures).toEqual(['1 depth(s) resolved; stability across depth needs at least 2']);
  });

  it("colours as the paper: trained runs blue-green, the others red-orange, by rank within each sign", () => {
    const c = fractalColours([-100, -1, 1, 100, Number.NaN]);
    const blueish = (x: readonly number[]): boolean => (x[2] as number) > (x[0] as number);
    expect(blueish(c[0] as readonly number[])).toBe(true); // slowest trained: dark blue
    expect(blueish(c[3] as readonly number[])).toBe(false); // slowest untrained: dark red
    expect(c[4]).toEqual([20, 20, 20]);
    // Rank, not value: scaling the values leaves the colours alone.
    expect(fractalColours([-1e6, -1, 1, 2])).toEqual(fractalColours([-3, -2, 5, 9]));
  });
});

describe('texts-example: the check', () => {
  it('rejects a comparison that tuning the LR does not change', () => {
    expect(checkTextsExample({ atTextsLr: [0.0104, 0.0104, 17], atBestLr: [0.0104, 0.0104, 0.0104] }).holds).toBe(true);
    const r = checkTextsExample({ atTextsLr: [0.0104, 0.5, 17], atBestLr: [0.0104, 0.4, 12] });
    expect(r.holds).toBe(false);
    expect(r.failures[0]).toMatch(/less than 10x/);
    expect(checkTextsExample({ atTextsLr: [0.01, 1, 10], atBestLr: [0.01, Number.POSITIVE_INFINITY, 0.01] }).holds).toBe(false);
  });

  it("says where each texts' LR lies against its band, and how close a run outside it still ends", () => {
    // TEXTS_OPTIMIZERS: SGD 0.01, momentum 0.01, Adam 0.001.
    const inside = textsLrsAgainstBands([0.0104, 0.0104, 0.02], [0.0104, 0.0104, 0.0104], [[0.005, 0.02], [0.001, 0.05], [0.0005, 0.1]], 8);
    expect(inside).toBe("Each texts' LR lies in its optimiser's band. ");
    const outside = textsLrsAgainstBands([0.0104, 0.01045, 17], [0.0104, 0.0104, 0.0104], [[0.005, 0.02], [0.001, 0.00562], [0.01, 0.1]], 8);
    expect(outside).toContain("outside the band for SGD + momentum 0.9 (LR 0.01, above its band), whose one run there ends 0.48% above the band's best median");
    expect(outside).toMatch(/; for Adam \(LR 0\.001, below its band\), whose one run there ends at 1630x the band's best median\./);
    expect(outside).not.toMatch(/for SGD \(/);
    expect(outside).toContain('median over 8 seeds');
    // Said only where a run outside its band ends as close as the band's own tolerance.
    expect(textsLrsAgainstBands([0.0104, 0.0104, 17], [0.0104, 0.0104, 0.0104], [[0.005, 0.02], [0.001, 0.05], [0.01, 0.1]], 8)).not.toContain('median over');
  });
});

describe('sgd-vs-adam: the check', () => {
  it('needs Adam ahead early and SGD level or ahead at the end', () => {
    const ok = { adamEarlyTrainLoss: 0.5, sgdEarlyTrainLoss: 0.9, adamTestAccuracy: 0.9, sgdTestAccuracy: 0.9 - MATCH_TOLERANCE / 2 };
    expect(checkSgdVsAdam(ok).holds).toBe(true);
    const slowAdam = checkSgdVsAdam({ ...ok, adamEarlyTrainLoss: 1.3, sgdEarlyTrainLoss: 0.45 });
    expect(slowAdam.holds).toBe(false);
    expect(slowAdam.failures[0]).toMatch(/not below SGD/);
    const sgdBehind = checkSgdVsAdam({ ...ok, sgdTestAccuracy: 0.9 - 2 * MATCH_TOLERANCE });
    expect(sgdBehind.holds).toBe(false);
    expect(sgdBehind.failures[0]).toMatch(/below Adam/);
  });
});

describe('batch-lr: the check', () => {
  const B = [4, 8, 16, 32, 64, 128];
  const falling = [0.08, 0.04, 0.02, 0.01, 0.005, 0.002];
  it('log-log slope', () => {
    expect(logLogSlope([1, 2, 4], [3, 6, 12])).toBeCloseTo(1, 12);
    expect(logLogSlope([1, 2, 4], [3, 3, 3])).toBeCloseTo(0, 12);
  });
  it("the exponent's uncertainty from the LR grid alone: the worst case of half a step's error at every batch", () => {
    // The default: 17 LRs over 1e-3 .. 10 (steps of 10^0.25), batches 4 .. 256 (small half 4 .. 32): ±0.33.
    const lrs = Array.from({ length: 17 }, (_, k) => 10 ** (-3 + k / 4));
    const err = gridSlopeError(lrs, [4, 8, 16, 32, 64, 128, 256]);
    expect(err).toBeCloseTo((Math.log(10 ** 0.25) / 2) * (4 / (5 * Math.log(2))), 12);
    // The worst case itself: half a step down at the small end of the fit, up at the large end.
    const best = [0.32, 0.32, 1, 1];
    const half = 10 ** 0.125;
    const worst = [0.32 / half, 0.32 / half, 1 * half, 1 * half];
    expect(logLogSlope([4, 8, 16, 32], worst) - logLogSlope([4, 8, 16, 32], best)).toBeCloseTo(err, 12);
  });
  it('accepts linear growth up to a limit with falling noise; rejects no growth, growth without a limit, and noise that does not fall', () => {
    expect(checkBatchLr({ batchSizes: B, bestLr: [0.1, 0.2, 0.4, 0.8, 0.8, 0.8], noise: falling }).holds).toBe(true);
    const flat = checkBatchLr({ batchSizes: B, bestLr: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5], noise: falling });
    expect(flat.holds).toBe(false);
    expect(flat.failures.join(' ')).toMatch(/less than B\^0.5/);
    const unbounded = checkBatchLr({ batchSizes: B, bestLr: [0.1, 0.2, 0.4, 0.8, 1.6, 3.2], noise: falling });
    expect(unbounded.holds).toBe(false);
    expect(unbounded.failures.join(' ')).toMatch(/no limit seen/);
    expect(checkBatchLr({ batchSizes: B, bestLr: [0.1, 0.2, 0.4, 0.8, 0.8, 0.8], noise: [...falling].reverse() }).holds).toBe(false);
  });
});

describe('sharp-minima: the check', () => {
  it("Spearman's rank correlation", () => {
    expect(rankCorrelation([1, 2, 3, 4], [10, 20, 30, 1000])).toBeCloseTo(1, 12);
    expect(rankCorrelation([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(rankCorrelation([1, 2, 3], [5, 5, 5])).toBeNaN();
    expect(rankCorrelation([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 12);
  });
  it('accepts sharpness and test loss rising with the batch; rejects a flat sharpness and a test loss that falls', () => {
    const B = [4, 8, 16, 32, 64];
    expect(checkSharpMinima({ batchSizes: B, sharpness: [1, 1.5, 2, 4, 8], testLoss: [0.3, 0.32, 0.31, 0.4, 0.5] }).holds).toBe(true);
    const flat = checkSharpMinima({ batchSizes: B, sharpness: [2, 2.1, 1.9, 2, 1.95], testLoss: [0.3, 0.32, 0.31, 0.4, 0.5] });
    expect(flat.holds).toBe(false);
    expect(flat.failures[0]).toMatch(/sharpness vs batch size/);
    expect(checkSharpMinima({ batchSizes: B, sharpness: [1, 1.5, 2, 4, 8], testLoss: [0.5, 0.4, 0.35, 0.32, 0.3] }).holds).toBe(false);
  });
});

const ENGINES: { name: string; make: () => Promise<Engine> }[] = [
  { name: 'cpu', make: async () => new CpuEngine('cpu', { workers: 0, spawn: null }) },
  // SwiftShader in CI: no adapter fails the test.
  { name: 'gpu', make: async () => new GpuEngine(await acquireNodeGpu('network-studies'), nodeShaderSources) },
];

for (const E of ENGINES) describe(`network studies on ${E.name} (quick sizes)`, () => {
  let engine: Engine | null = null;
  const run = async (s: Study): Promise<StudyResult> => {
    engine ??= await E.make();
    const labels: string[] = [];
    const r = await s.run({ engine, quick: true, onProgress: (l) => void (labels.at(-1) !== l && labels.push(l)) });
    // Its progress counts the sweeps it said it would make ("sweep 3 of 8").
    expect(labels.length, `${s.id}: ${labels.join(' | ')}`).toBe(s.sweeps({ quick: true }).count);
    expect(s.sweeps({ quick: true }).atMost).toBe(false);
    return r;
  };
  afterAll(async () => {
    await disposeChecked(engine);
  });

  const renders = (r: StudyResult): void => {
    // Its tables are whole: a cell under every column.
    for (const t of r.tables ?? []) for (const row of t.rows) expect(row.length, t.title).toBe(t.columns.length);
    for (const p of r.panels) {
      const svg = panelSvg(p, () => 'data:image/png;base64,');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain(p.title.replace(/&/g, '&amp;').slice(0, 10));
      // Every figure, chart or map, opens the network sweep(s) it was computed from in the explorer.
      const sources = panelSources(p);
      expect(sources.length, p.title).toBeGreaterThan(0);
      for (const src of sources) {
        expect(src.spec.problem, p.title).toBe('network');
        expect(src.mode, p.title).toBeDefined();
      }
    }
  };

  it('fractal-boundary: two depths, a boundary at each, its dimension between a curve and the plane; each depth sampled in float64', async () => {
    engine ??= await E.make();
    const float64 = new CpuEngine('cpu64', { workers: 0, spawn: null });
    const labels: string[] = [];
    const r = await fractalBoundary.run({ engine, quick: true, float64, onProgress: (l) => void (labels.at(-1) !== l && labels.push(l)) }).finally(() => float64.dispose());
    // Its progress stays within the count it gave (each depth: two samples, the ulp-moved one, the map).
    const planned = fractalBoundary.sweeps({ quick: true, float64 });
    expect(planned).toEqual({ count: 8, atMost: true });
    expect(labels.length, labels.join(' | ')).toBeGreaterThanOrEqual(2);
    expect(labels.length, labels.join(' | ')).toBeLessThanOrEqual(planned.count);
    expect(num(r, 'precisionSampleSide')).toBe(8);
    for (const key of ['precisionDisagree', 'precisionMinorityKept']) {
      const v = nums(r, key);
      expect(v, key).toHaveLength(2);
      for (const x of v) expect(x >= 0 && x <= 1, `${key}: ${x}`).toBe(true);
    }
    expect(r.summary).toMatch(/float32 and in float64 on samples of 8 x 8 cells/);
    // Float64's own resolution at each depth, its sample nudged by one ulp.
    for (const key of ['ulpMinorityKept', 'ulpKappa']) expect(nums(r, key), key).toHaveLength(2);
    expect(r.summary).toMatch(/each LR moved by one float64 ulp/);
    expect(num(r, 'depths')).toBe(2);
    const dims = nums(r, 'dimensions');
    expect(dims).toHaveLength(2);
    for (const d of dims) {
      expect(d).toBeGreaterThan(0.8);
      expect(d).toBeLessThanOrEqual(2);
    }
    for (const c of nums(r, 'boundaryCells')) expect(c).toBeGreaterThan(0);
    for (const f of nums(r, 'trainedFraction')) {
      expect(f).toBeGreaterThan(0);
      expect(f).toBeLessThan(1);
    }
    expect(r.verdict).toEqual(checkFractalBoundary(r.findings as unknown as Parameters<typeof checkFractalBoundary>[0]));
    expect(nums(r, 'precisionMinorityRuns')).toHaveLength(2);
    for (const k of nums(r, 'float64Depths')) expect(r.panels[k]?.title).toMatch(/\(float64\)$/);
    expect(r.panels.filter((p) => p.kind === 'grid')).toHaveLength(2);
    renders(r);
  }, 600_000);

  it('fractal-boundary: a depth whose float32 and float64 samples disagree is drawn on the float64 engine, and counts', async () => {
    engine ??= await E.make();
    const cpu64 = new CpuEngine('cpu64', { workers: 0, spawn: null });
    // A "float64" engine that swaps trained and untrained (the sign of the convergence measure):
    // against it float32 keeps none of float64's smaller side, as past float32's resolution.
    const maps: number[] = [];
    const swapped: Engine = {
      name: 'cpu64',
      run: (async (plan: NetPlan, opts?: RunOptions) => {
        const r = await cpu64.run(plan, opts);
        maps.push(plan.runs);
        return { ...r, convergence: r.convergence.map((c) => -c) };
      }) as Engine['run'],
      trajectories: cpu64.trajectories.bind(cpu64) as Engine['trajectories'],
      deviceResults: () => null,
      dispose: () => cpu64.dispose(),
    };
    const size = { side: 12, depths: 2, steps: 30, zoom: 4, rule: 'central' as const, precisionSide: 8 };
    const r = await fractalRun({ engine, quick: true, float64: swapped }, size).finally(() => swapped.dispose());
    const redrawn = nums(r, 'float64Depths');
    const kept = nums(r, 'precisionMinorityKept');
    const runs = nums(r, 'precisionMinorityRuns');
    // Each depth drawn in float64 exactly where its samples say float32 does not resolve it.
    for (let k = 0; k < kept.length; k++) expect(redrawn.includes(k), `depth ${k}`).toBe((runs[k] as number) >= 10 && (kept[k] as number) < 0.5);
    expect(redrawn.length).toBeGreaterThan(0);
    // The float64 engine ran each depth's sample, and the whole map of each depth it redrew.
    expect(maps.filter((n) => n === size.side * size.side)).toHaveLength(redrawn.length);
    for (const k of redrawn) expect(r.panels[k]?.title).toMatch(/\(float64\)$/);
    // Its line, held or failed (a 12-cell image may not clear the floor), says so.
    expect([...r.verdict.checked, ...r.verdict.failures].join(' ')).toMatch(/drawn in float64: float32 keeps 0% of float64's smaller side/);
    expect(r.summary).toMatch(new RegExp(`drawn in float64 on the CPU instead \\(here depths? ${redrawn.join(', ')}\\)`));
  }, 120_000);

  it('fractal-boundary on the float64 engine alone: float64 tested against itself at every depth, every map a float64 one', async () => {
    const cpu64 = new CpuEngine('cpu64', { workers: 0, spawn: null });
    const size = { side: 12, depths: 2, steps: 20, zoom: 4, rule: 'central' as const, precisionSide: 8 };
    const r = await fractalRun({ engine: cpu64, quick: true }, size).finally(() => cpu64.dispose());
    expect(nums(r, 'ulpKappa')).toHaveLength(2);
    expect(nums(r, 'precisionMinorityKept')).toEqual([]);
    expect(nums(r, 'float64Depths')).toEqual([0, 1]);
    expect(r.summary).toMatch(/Every depth was drawn in float64\. Float64 is tested against itself/);
    expect(r.verdict).toEqual(checkFractalBoundary(r.findings as unknown as Parameters<typeof checkFractalBoundary>[0]));
  }, 120_000);

  it("fractal-boundary: each float32 sample runs on the engine its depth's map runs on, where a caller sends small sweeps elsewhere", async () => {
    engine ??= await E.make();
    const mapEngine = engine;
    const cpu64 = new CpuEngine('cpu64', { workers: 0, spawn: null });
    const small = new CpuEngine('cpu', { workers: 0, spawn: null });
    // Which engine ran each plan (by its runs): the map's, the small-sweep one's or float64's.
    const log: [string, number][] = [];
    const spy = (name: string, e: Engine): Engine => ({
      name: e.name,
      run: (async (plan: NetPlan, opts?: RunOptions) => {
        log.push([name, plan.runs]);
        return e.run(plan, opts);
      }) as Engine['run'],
      trajectories: e.trajectories.bind(e) as Engine['trajectories'],
      deviceResults: () => null,
      dispose: () => Promise.resolve(),
    });
    const big = spy('map', mapEngine);
    const tiny = spy('small', small);
    const f64 = spy('float64', cpu64);
    const size = { side: 12, depths: 2, steps: 20, zoom: 4, rule: 'central' as const, precisionSide: 8 };
    // As the app and the CLI may route: sweeps under 100 runs to another engine than the map's.
    await fractalRun({ engine: big, engineFor: (p) => (p.runs < 100 ? tiny : big), quick: true, float64: f64 }, size).finally(() => {
      cpu64.dispose();
      small.dispose();
    });
    const samples = log.filter(([, n]) => n === size.precisionSide ** 2);
    // Per depth: a float32 sample on the map's engine, a float64 sample and the same nudged by one
    // float64 ulp (float64's own resolution), and the map (float32 or float64).
    expect(samples.filter(([e]) => e === 'map')).toHaveLength(size.depths);
    expect(samples.filter(([e]) => e === 'float64')).toHaveLength(2 * size.depths);
    expect(samples.filter(([e]) => e === 'small')).toHaveLength(0);
  }, 120_000);

  it("texts-example: at the texts' LRs Adam lags far behind; at each optimiser's best LR all three reach the noise floor", async () => {
    const r = await run(textsExample);
    const texts = nums(r, 'trainLossAtTextsLr');
    const best = nums(r, 'trainLossAtBestLr');
    expect(texts[2]).toBeGreaterThan(100 * (texts[0] as number)); // Adam at 0.001 vs SGD at 0.01
    for (const b of best) expect(b).toBeLessThan(0.012); // the noise floor is 0.01
    // Each best LR lies in its band of LRs within 1% of its loss, and the summary gives the bands.
    const [lo, hi, lr] = [nums(r, 'bestLrBandLow'), nums(r, 'bestLrBandHigh'), nums(r, 'bestLr')];
    lr.forEach((x, k) => {
      expect(lo[k]).toBeLessThanOrEqual(x);
      expect(hi[k]).toBeGreaterThanOrEqual(x);
    });
    expect(r.summary).toMatch(/whose median loss stays within 1% of the best, from [\d.e-]+ to [\d.e-]+ \(SGD\)/);
    expect({ holds: r.verdict.holds, failures: r.verdict.failures }).toEqual({ holds: true, failures: [] });
    expect(r.verdict.checked).toHaveLength(3);
    renders(r);
  }, 600_000);

  it('sgd-vs-adam: each optimiser well above chance at its best LR, finite early losses, the verdict its check gives', async () => {
    const r = await run(sgdVsAdam);
    const acc = nums(r, 'finalTestAccuracy');
    expect(acc).toHaveLength(3);
    for (const a of acc) expect(a).toBeGreaterThan(0.5); // ten classes: chance is 0.1
    for (const l of nums(r, 'earlyTrainLoss')) expect(Number.isFinite(l)).toBe(true);
    const f = { adamEarlyTrainLoss: num(r, 'adamEarlyTrainLoss'), sgdEarlyTrainLoss: num(r, 'sgdEarlyTrainLoss'), adamTestAccuracy: num(r, 'adamTestAccuracy'), sgdTestAccuracy: num(r, 'sgdTestAccuracy') };
    expect(r.verdict.failures).toEqual(checkSgdVsAdam(f).failures);
    renders(r);
  }, 600_000);

  it('batch-lr: the best LR at the largest batch is at least that at the smallest', async () => {
    const r = await run(batchLr);
    const best = nums(r, 'bestLr');
    expect(best.length).toBe(5);
    expect(best[best.length - 1]).toBeGreaterThan(best[0] as number);
    const B = nums(r, 'batchSizes');
    expect(B).toEqual([4, 8, 16, 32, 64]);
    expect(r.verdict.failures).toEqual(checkBatchLr({ batchSizes: B, bestLr: best, noise: nums(r, 'noise') }).failures);
    renders(r);
  }, 600_000);

  it('sharp-minima: a finite sharpness and test loss per batch size, the verdict its check gives', async () => {
    const r = await run(sharpMinima);
    const B = nums(r, 'batchSizes');
    expect(B).toEqual([8, 16, 32, 64]);
    for (const v of nums(r, 'sharpness')) expect(v).toBeGreaterThan(0);
    for (const v of nums(r, 'testLoss')) expect(Number.isFinite(v)).toBe(true);
    expect(r.verdict.failures).toEqual(checkSharpMinima({ batchSizes: B, sharpness: nums(r, 'sharpness'), testLoss: nums(r, 'testLoss') }).failures);
    // The numbers by batch size are a table, a row per batch, not a list in the prose.
    expect(r.tables?.map((t) => t.rows.map((row) => row[0]))).toEqual([B.map(String)]);
    renders(r);
  }, 600_000);
});
