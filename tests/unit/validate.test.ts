/**
 * Known answers for the yardstick of GPU validation (src/core/validate.ts): positionError,
 * gridBoundary, illConditioned and comparePair, on hand-built results whose answers are derived by
 * hand in the comments. The agreement matrix, trajectory-agreement and `basinlab validate` all rely
 * on these numbers; without this file an error measured too small (a denominator of 1e6, the
 * smallest error reported as the largest) or a boundary drawn without its diagonals passed them
 * all (review 25, F1).
 */
import { describe, expect, it } from 'vitest';
import type { EngineName } from '../../src/core/columns.ts';
import { allocateColumns } from '../../src/core/columns.ts';
import type { Plan } from '../../src/core/plan.ts';
import { makePlan } from '../../src/core/plan.ts';
import type { Results } from '../../src/core/results.ts';
import { makeResults } from '../../src/core/results.ts';
import { parseSpec } from '../../src/core/spec.ts';
import { CONDITIONING_THRESHOLD, MIN_SHADE_RHO, MIN_SHADE_RUNS, classAgreement, comparePair, gridBoundary, illConditioned, positionError, rankCorrelation, shadeAgreement, shadesPast, untrainedClass } from '../../src/core/validate.ts';

/** A w x h grid over the start point (only its shape and axis values matter here). */
function gridPlan(w: number, h: number): Plan {
  return makePlan(
    parseSpec({
      surface: 'himmelblau',
      optimizer: { name: 'SGD', lr: 0.01 },
      steps: 10,
      sweep: { x: { param: 'start.0', min: -4, max: 4, count: w }, y: { param: 'start.1', min: -3, max: 3, count: h } },
    }),
  );
}

/** One run's final state as an engine would report it. */
interface Run {
  readonly x: number;
  readonly y: number;
  /** Index of the minimum reached, -1 none (the engines write -1 for a diverged run too). */
  readonly basin: number;
  readonly diverged?: boolean;
}

/** Results of `plan` holding exactly these runs (row-major), every other column zero. */
function results(plan: Plan, engine: EngineName, runs: readonly Run[]): Results {
  expect(runs.length).toBe(plan.runs);
  const cols = allocateColumns(plan.runs, 'f64', plan.spec);
  runs.forEach((r, i) => {
    cols.final_x[i] = r.x;
    cols.final_y[i] = r.y;
    cols.basin[i] = r.basin;
    cols.diverged[i] = r.diverged ? 1 : 0;
  });
  return makeResults(plan, engine, cols, {});
}

/** The smallest double above x (x > 0), from its bits: independent of validate.ts's ulpStep. */
function nextUp(x: number): number {
  const f = new Float64Array([x]);
  const u = new BigUint64Array(f.buffer);
  u[0] = (u[0] as bigint) + 1n;
  return f[0] as number;
}

describe('untrainedClass', () => {
  it('labels a run 1 when it did not train by the convergence sign (non-negative or NaN), 0 when it did', () => {
    expect(Array.from(untrainedClass([-1, 2, Number.NaN]))).toEqual([0, 1, 1]);
  });

  it("is the one labelling classAgreement sees, so an even split's smaller side is the untrained runs (review 27: the study labelled trained 1)", () => {
    const ref = untrainedClass([-1, -1, 1, 1]);
    // float32 keeps both untrained runs and flips one trained run.
    const s = classAgreement(untrainedClass([-1, 1, 1, 1]), ref);
    expect(s.share).toBe(0.5);
    expect(s.minorityKept).toBe(1);
    expect(s.minorityPrecision).toBeCloseTo(2 / 3, 12);
  });
});

describe('positionError', () => {
  it('is |a - b| / max(1, |b|): absolute near the origin, relative to b away from it', () => {
    // (3,4) vs (0,0): |a - b| = 5, |b| = 0 -> denominator 1 -> 5.
    expect(positionError(3, 4, 0, 0)).toBe(5);
    // (0.3,0.4) vs (0,0): 0.5 / 1 (|b| < 1 is not a denominator).
    expect(positionError(0.3, 0.4, 0, 0)).toBe(Math.hypot(0.3, 0.4));
    // (0,0) vs (0.6,0.8): |a - b| = 1, |b| = 1 -> 1 (the two branches meet at |b| = 1).
    expect(positionError(0, 0, 0.6, 0.8)).toBeCloseTo(1, 15);
    // (10,0) vs (11,0): |a - b| = 1, |b| = 11 -> 1/11 (exact: hypot of (-1, 0) and (11, 0) are exact).
    expect(positionError(10, 0, 11, 0)).toBe(1 / 11);
    // Relative to b, not a: (11,0) vs (10,0) -> 1/10.
    expect(positionError(11, 0, 10, 0)).toBe(1 / 10);
    // (0,-300) vs (0,-400): |a - b| = 100, |b| = 400 -> 1/4.
    expect(positionError(0, -300, 0, -400)).toBe(0.25);
    // (3,4) vs (6,8): |a - b| = 5, |b| = 10 -> 1/2.
    expect(positionError(3, 4, 6, 8)).toBe(0.5);
    expect(positionError(7, -2, 7, -2)).toBe(0);
  });
});

describe('illConditioned', () => {
  it(`flags runs whose float32 and float64 end points differ by more than ${CONDITIONING_THRESHOLD}, not at it`, () => {
    const p = gridPlan(3, 2);
    // Run by run, f32 against f64 (f64 the reference, as positionError's b):
    //  0: (1e-4, 0) vs (0, 0): 1e-4 / 1 = 1e-4 exactly (hypot(x, 0) = |x|): at the threshold -> 0.
    //  1: (nextUp(1e-4), 0) vs (0, 0): one ulp past it -> 1.
    //  2: (10001, 0) vs (10000, 0): 1 / 10000, the double nearest 1e-4, i.e. 1e-4: at it -> 0.
    //  3: (10002, 0) vs (10000, 0): 2 / 10000 = 2e-4 -> 1 (a denominator of 1e6 would give 2e-6: 0).
    //  4: f32 diverged, 1e9 away -> 0 (diverged runs are not judged).
    //  5: f64 diverged -> 0.
    const f32 = results(p, 'cpu', [
      { x: 1e-4, y: 0, basin: 0 },
      { x: nextUp(1e-4), y: 0, basin: 0 },
      { x: 10001, y: 0, basin: 0 },
      { x: 10002, y: 0, basin: 0 },
      { x: 1e9, y: 0, basin: -1, diverged: true },
      { x: 1, y: 1, basin: 0 },
    ]);
    const f64 = results(p, 'cpu64', [
      { x: 0, y: 0, basin: 0 },
      { x: 0, y: 0, basin: 0 },
      { x: 10000, y: 0, basin: 0 },
      { x: 10000, y: 0, basin: 0 },
      { x: 0, y: 0, basin: 0 },
      { x: 1e9, y: 1e9, basin: -1, diverged: true },
    ]);
    expect(CONDITIONING_THRESHOLD).toBe(1e-4);
    expect(Array.from(illConditioned(f32, f64))).toEqual([0, 1, 0, 1, 0, 0]);
    // With a threshold given: 2e-4 is at it, nothing past.
    expect(Array.from(illConditioned(f32, f64, 2e-4))).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('gridBoundary', () => {
  it('flags exactly the 8 neighbours of an odd cell, diagonals included, and the cell itself', () => {
    // 6 wide x 5 tall (not square: a swapped i/j would move the flags), every run in basin 0 but
    // (i, j) = (2, 2), run 2*6 + 2 = 14, in basin 1. A run is flagged when one of its 8 neighbours
    // is in another class: the odd cell itself, and the cells with i in 1..3 and j in 1..3. The
    // four diagonal ones (1,1), (3,1), (1,3), (3,3) see the odd cell only across a corner.
    const W = 6;
    const H = 5;
    const p = gridPlan(W, H);
    const runs: Run[] = Array.from({ length: W * H }, (_, r) => ({ x: 3, y: 2, basin: r === 2 * W + 2 ? 1 : 0 }));
    const got = gridBoundary(results(p, 'cpu64', runs));
    const want = new Array<number>(W * H).fill(0);
    for (let j = 1; j <= 3; j++) for (let i = 1; i <= 3; i++) want[j * W + i] = 1;
    expect(Array.from(got)).toEqual(want);
    // The diagonal neighbours by name.
    for (const [i, j] of [[1, 1], [3, 1], [1, 3], [3, 3]] as const) expect(got[j * W + i], `(${i},${j})`).toBe(1);
  });

  it('a diverged run is its own class (not "not converged"), and the grid does not wrap', () => {
    // 5 x 5, every run not converged (basin -1) and the corner (4, 0), run 4, diverged (basin -1
    // too, as the engines write it): its class is -2 against the others' -1. Flagged: run 4 and
    // its three neighbours (3,0), (3,1), (4,1) = runs 3, 8, 9; (4,1) is the diagonal one. No run
    // of column 0 (which a wrapped i + 1 would reach from column 4) is flagged.
    const p = gridPlan(5, 5);
    const runs: Run[] = Array.from({ length: 25 }, (_, r) => ({ x: 9, y: 9, basin: -1, diverged: r === 4 }));
    const got = gridBoundary(results(p, 'cpu64', runs));
    const flagged = Array.from(got).flatMap((v, r) => (v ? [r] : []));
    expect(flagged).toEqual([3, 4, 8, 9]);
  });
});

describe('comparePair', () => {
  // 5 x 2 grid, a against b (b the reference), run by run:
  //  r  a (x, y, basin)       b (x, y, basin)    boundary  ill  -> what it counts as
  //  0  (1, 0) 0              (1, 0) 0                          same class, error 0 (identical)
  //  1  (10, 0) 0             (11, 0) 0                         same, error 1/11
  //  2  (3, 4) 0              (0, 0) 0                          same, error 5
  //  3  (0.5, 0) 1            (0, 0) 1                          same, error 0.5
  //  4  (100, 0) 0            (0, 0) 1           yes            mismatch on the boundary; no error
  //  5  (2e9, 0) diverged     (0, 0) 1                          mismatch off it; a diverged: no error
  //  6  (50, 0) 0             (0, 0) 0                     yes  same; ill-conditioned: no error
  //  7  (1, 1) 0              (3e9, 0) diverged                 mismatch off it; b diverged: no error
  //  8  (2, 0) -1             (0, 0) -1                         same (neither converged), error 2
  //  9  (4e9, 0) diverged     (5e9, 0) diverged                 same (both diverged); no error
  // Same outcome: 0,1,2,3,6,8,9 = 7 of 10. Same divergence: all but 5 and 7 = 8 of 10.
  // Boundary runs: 1 (run 4); off it 9 runs, 7 with the same outcome -> 7/9. Ill-conditioned: 1.
  // Position errors (off boundary, well-conditioned, neither diverged): runs 0,1,2,3,8 ->
  // [0, 1/11, 5, 0.5, 2], sorted [0, 1/11, 0.5, 2, 5]: median = sorted[floor(5/2)] = 0.5,
  // p99 = sorted[floor(0.99*5) = 4] = 5, max = 5, identical = 1 of 5 = 0.2. Mismatches: 4, 5, 7.
  // Worst: off-boundary mismatches in run order (5, 7), then errors > 0 largest first (2: 5,
  // 8: 2, 3: 0.5, 1: 1/11; run 0's 0 is not listed), then mismatches on the boundary (4).
  // (Every off-boundary mismatch here has a diverged side, so it has no position error; a run with
  // both is listed once, as a mismatch: the test after these.)
  const p = gridPlan(5, 2);
  const a = results(p, 'gpu', [
    { x: 1, y: 0, basin: 0 },
    { x: 10, y: 0, basin: 0 },
    { x: 3, y: 4, basin: 0 },
    { x: 0.5, y: 0, basin: 1 },
    { x: 100, y: 0, basin: 0 },
    { x: 2e9, y: 0, basin: -1, diverged: true },
    { x: 50, y: 0, basin: 0 },
    { x: 1, y: 1, basin: 0 },
    { x: 2, y: 0, basin: -1 },
    { x: 4e9, y: 0, basin: -1, diverged: true },
  ]);
  const b = results(p, 'cpu', [
    { x: 1, y: 0, basin: 0 },
    { x: 11, y: 0, basin: 0 },
    { x: 0, y: 0, basin: 0 },
    { x: 0, y: 0, basin: 1 },
    { x: 0, y: 0, basin: 1 },
    { x: 0, y: 0, basin: 1 },
    { x: 0, y: 0, basin: 0 },
    { x: 3e9, y: 0, basin: -1, diverged: true },
    { x: 0, y: 0, basin: -1 },
    { x: 5e9, y: 0, basin: -1, diverged: true },
  ]);
  const boundary = Uint8Array.from([0, 0, 0, 0, 1, 0, 0, 0, 0, 0]);
  const conditioning = Uint8Array.from([0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);

  it('counts outcomes, boundary and ill-conditioned runs, and summarises the position errors', () => {
    const r = comparePair(p, a, b, boundary, conditioning);
    expect([r.a, r.b, r.runs]).toEqual(['gpu', 'cpu', 10]);
    expect(r.sameOutcome).toBe(0.7);
    expect(r.sameDivergence).toBe(0.8);
    expect(r.boundaryRuns).toBe(1);
    expect(r.illConditionedRuns).toBe(1);
    expect(r.sameOutcomeOffBoundary).toBe(7 / 9);
    expect(r.mismatches).toBe(3);
    expect(r.position).toEqual({ runs: 5, median: 0.5, p99: 5, max: 5, identical: 0.2 });
  });

  it('lists the worst runs: off-boundary mismatches, then the largest errors, then boundary mismatches', () => {
    const r = comparePair(p, a, b, boundary, conditioning);
    expect(r.worst.map((w) => w.run)).toEqual([5, 7, 2, 8, 3, 1, 4]);
    expect(r.worst.map((w) => w.positionError).slice(2, 6)).toEqual([5, 2, 0.5, 1 / 11]);
    // Run 8 is (i, j) = (3, 1): x = -4 + 3 * 8/4 = 2, y = 3 (the last row).
    const w8 = r.worst[3];
    expect(w8).toMatchObject({ run: 8, i: 3, j: 1, boundary: false, a: { x: 2, y: 0, outcome: -1 }, b: { x: 0, y: 0, outcome: -1 } });
    expect(w8?.coords).toEqual({ 'start.0': 2, 'start.1': 3 });
    // Run 4 (boundary): (4, 0), a in basin 0, b in 1, error 100/1.
    expect(r.worst[6]).toMatchObject({ run: 4, i: 4, j: 0, boundary: true, positionError: 100, a: { outcome: 0 }, b: { outcome: 1 } });
    // Run 5: a diverged, outcome -2.
    expect(r.worst[0]).toMatchObject({ run: 5, a: { outcome: -2 }, b: { outcome: 1 } });
    // A shorter list keeps the head of that order.
    expect(comparePair(p, a, b, boundary, conditioning, 3).worst.map((w) => w.run)).toEqual([5, 7, 2]);
  });

  it('without a conditioning mask the ill-conditioned run is measured too', () => {
    // Run 6 joins with error 50: [0, 1/11, 0.5, 2, 5, 50]; median = sorted[3] = 2, max 50.
    const r = comparePair(p, a, b, boundary);
    expect(r.illConditionedRuns).toBe(0);
    expect(r.position).toEqual({ runs: 6, median: 2, p99: 50, max: 50, identical: 1 / 6 });
    expect(r.worst.map((w) => w.run)).toEqual([5, 7, 6, 2, 8, 3, 1, 4]);
  });

  it('lists a run once: an off-boundary mismatch with a position error is not listed again among the errors', () => {
    // Run 0 of a 2 x 2 grid: basins 0 vs 1, neither diverged, error |(3,4) - (0,0)| = 5; the others the same place.
    const q = gridPlan(2, 2);
    const same = { x: 0, y: 0, basin: 0 };
    const ga = results(q, 'gpu', [{ x: 3, y: 4, basin: 0 }, same, same, same]);
    const gb = results(q, 'cpu', [{ x: 0, y: 0, basin: 1 }, same, same, same]);
    const r = comparePair(q, ga, gb, Uint8Array.from([0, 0, 0, 0]), null);
    expect(r.worst.map((w) => [w.run, w.positionError])).toEqual([[0, 5]]);
  });

  it('identical results: every outcome the same, every error 0, no worst run', () => {
    const r = comparePair(p, b, b, boundary, conditioning);
    expect([r.sameOutcome, r.sameDivergence, r.sameOutcomeOffBoundary, r.mismatches]).toEqual([1, 1, 1, 0]);
    // Off boundary, well-conditioned, not diverged in b: runs 0,1,2,3,5,8 (b's run 5 did not diverge).
    expect(r.position).toEqual({ runs: 6, median: 0, p99: 0, max: 0, identical: 1 });
    expect(r.worst).toEqual([]);
  });
});

describe("a one-sided view's shades (walkthrough 22)", () => {
  it("ranks by Spearman's ρ, ties at their mean rank", () => {
    expect(rankCorrelation([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(rankCorrelation([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // Monotone but not linear: still 1.
    expect(rankCorrelation([1, 2, 3, 4, 5], [1, 8, 27, 64, 1e6])).toBeCloseTo(1, 12);
    // Ties: ranks [0.5, 0.5, 2, 3] against [0, 1, 2, 3]; ρ = Pearson of the ranks.
    expect(rankCorrelation([7, 7, 8, 9], [1, 2, 3, 4])).toBeCloseTo(4.5 / Math.sqrt(4.5 * 5), 12);
    expect(rankCorrelation([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(rankCorrelation([1, 2], [2, 1])).toBe(-1);
    expect(rankCorrelation([1], [1])).toBeNaN();
  });

  it("compares the reference's larger side on runs both put there, finite in both; needs MIN_SHADE_RUNS of them", () => {
    const n = MIN_SHADE_RUNS + 4;
    const ref = Array.from({ length: n }, (_, i) => 1 + i);
    // Reversed in the test: ρ −1, past; one run trained in the test and one NaN are left out.
    const test = ref.map((v) => 1000 - v);
    test[0] = -5;
    test[1] = Number.NaN;
    const s = shadeAgreement(test, ref);
    expect(s).toEqual({ rho: expect.closeTo(-1, 12), runs: n - 2, side: 1 });
    expect(shadesPast(s)).toBe(true);
    expect(shadesPast(shadeAgreement(ref, ref))).toBe(false);
    // The trained side, when it is the larger.
    expect(shadeAgreement(ref.map((v) => -v), ref.map((v) => -v))?.side).toBe(0);
    // Too few runs on the side: nothing to judge.
    expect(shadeAgreement(ref.slice(0, MIN_SHADE_RUNS - 1), ref.slice(0, MIN_SHADE_RUNS - 1))).toBeNull();
    expect(shadesPast(null)).toBe(false);
    expect(MIN_SHADE_RHO).toBe(0.5);
  });
});
