/**
 * GPU-vs-CPU validation: compare the results of two engines on the same plan.
 *
 * Near a basin boundary the dynamics are chaotic: an ulp of difference legitimately changes which
 * minimum a run reaches. Such runs are identified (not hidden) and reported apart: for grid sweeps,
 * a run is on a boundary when one of its eight neighbours in the reference result has a different
 * outcome; for random/Sobol sweeps, when a copy of the reference run started 1e-6 (relative to the
 * view) away ends differently. Position errors are summarised over the other runs only.
 */
import type { NetPlan } from './network/plan.ts';
import { OPTIMIZERS, SCHEDULES } from './registry/index.ts';
import type { Plan } from './plan.ts';
import { runCoordinates } from './plan.ts';
import { MAX_POINTS, netSpecToJSON, resolveNetPath } from './spec.ts';
import type { NetResults, Results } from './results.ts';
import { rowCount } from './results.ts';
import type { NetTrajectory } from './trajectory.ts';

/** An outcome class: basin index, -1 not converged, -2 diverged. */
export function outcomeClass(r: Results, i: number): number {
  return r.diverged[i] ? -2 : (r.basin[i] as number);
}

/** Runs whose 8-neighbourhood in `ref` holds another outcome class. */
export function gridBoundary(ref: Results): Uint8Array {
  return neighbourBoundary(ref.width, ref.height, (i) => outcomeClass(ref, i));
}

/** Runs of a w × h grid whose 8-neighbourhood holds another class than their own. */
function neighbourBoundary(w: number, h: number, classOf: (run: number) => number): Uint8Array {
  const out = new Uint8Array(w * h);
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const c = classOf(j * w + i);
      let edge = 0;
      for (let dj = -1; dj <= 1 && !edge; dj++) {
        for (let di = -1; di <= 1; di++) {
          const ii = i + di;
          const jj = j + dj;
          if ((di || dj) && ii >= 0 && jj >= 0 && ii < w && jj < h && classOf(jj * w + ii) !== c) {
            edge = 1;
            break;
          }
        }
      }
      out[j * w + i] = edge;
    }
  }
  return out;
}

/** Runs whose outcome differs between the reference and a perturbed reference. */
export function perturbationBoundary(ref: Results, perturbed: Results): Uint8Array {
  const out = new Uint8Array(ref.basin.length);
  for (let i = 0; i < out.length; i++) out[i] = outcomeClass(ref, i) !== outcomeClass(perturbed, i) ? 1 : 0;
  return out;
}

export interface RunReport {
  readonly run: number;
  readonly i: number;
  readonly j: number;
  readonly coords: Record<string, number>;
  readonly boundary: boolean;
  readonly a: { readonly x: number; readonly y: number; readonly outcome: number };
  readonly b: { readonly x: number; readonly y: number; readonly outcome: number };
  readonly positionError: number;
}

export interface PairReport {
  readonly a: string;
  readonly b: string;
  readonly runs: number;
  /** Fraction of all runs with the same outcome class (same minimum, or both not converged, or both diverged). */
  readonly sameOutcome: number;
  /** Fraction of runs on which the two agree whether the run diverged. */
  readonly sameDivergence: number;
  readonly boundaryRuns: number;
  /** Runs off the boundary whose final position float32 rounding itself moves (see conditioning). */
  readonly illConditionedRuns: number;
  /** Same-outcome fraction away from boundaries, where agreement is expected. */
  readonly sameOutcomeOffBoundary: number;
  /** Over well-conditioned runs off the boundary that neither engine saw diverge. */
  readonly position: {
    readonly runs: number;
    readonly median: number;
    readonly p99: number;
    readonly max: number;
    readonly identical: number;
  };
  readonly mismatches: number;
  readonly worst: readonly RunReport[];
}

/**
 * Position error: |pa - pb| / max(|pb|, 1), a relative error for points away from the origin and
 * an absolute one near it (where relative error means nothing).
 */
export function positionError(ax: number, ay: number, bx: number, by: number): number {
  return Math.hypot(ax - bx, ay - by) / Math.max(1, Math.hypot(bx, by));
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

/**
 * A run is ill-conditioned when the float32 engine and float64 disagree on its final position by
 * more than this: rounding alone moves it (a limit cycle around a minimum, a slow crawl along a
 * valley), so two float32 engines cannot be expected to agree more closely than either agrees with
 * float64. Those runs are counted and left out of the position statistics, like boundary runs.
 */
export const CONDITIONING_THRESHOLD = 1e-4;

/** 1 for runs whose cpu (float32) and cpu64 final positions differ by more than the threshold. */
export function illConditioned(f32: Results, f64: Results, threshold = CONDITIONING_THRESHOLD): Uint8Array {
  const out = new Uint8Array(f32.basin.length);
  for (let i = 0; i < out.length; i++) {
    if (f32.diverged[i] || f64.diverged[i]) continue;
    const e = positionError(f32.final_x[i] as number, f32.final_y[i] as number, f64.final_x[i] as number, f64.final_y[i] as number);
    out[i] = e > threshold ? 1 : 0;
  }
  return out;
}

export function comparePair(
  plan: Plan,
  a: Results,
  b: Results,
  boundary: Uint8Array,
  conditioning: Uint8Array | null = null,
  worstCount = 10,
): PairReport {
  const n = a.basin.length;
  let same = 0;
  let sameDiv = 0;
  let bRuns = 0;
  let offSame = 0;
  let offRuns = 0;
  let ill = 0;
  const errs: number[] = [];
  const errRuns: number[] = [];
  const mismatchRuns: number[] = [];
  for (let i = 0; i < n; i++) {
    const ca = outcomeClass(a, i);
    const cb = outcomeClass(b, i);
    const onEdge = boundary[i] === 1;
    if (ca === cb) same++;
    if (a.diverged[i] === b.diverged[i]) sameDiv++;
    if (onEdge) bRuns++;
    else {
      offRuns++;
      if (ca === cb) offSame++;
    }
    if (ca !== cb) mismatchRuns.push(i);
    const illHere = !onEdge && conditioning !== null && conditioning[i] === 1;
    if (illHere) ill++;
    if (!onEdge && !illHere && !a.diverged[i] && !b.diverged[i]) {
      errs.push(positionError(a.final_x[i] as number, a.final_y[i] as number, b.final_x[i] as number, b.final_y[i] as number));
      errRuns.push(i);
    }
  }
  const sorted = Float64Array.from(errs).sort();
  const describe = (run: number, err: number): RunReport => ({
    run,
    i: run % a.width,
    j: Math.floor(run / a.width),
    coords: runCoordinates(plan, run),
    boundary: boundary[run] === 1,
    a: { x: a.final_x[run] as number, y: a.final_y[run] as number, outcome: outcomeClass(a, run) },
    b: { x: b.final_x[run] as number, y: b.final_y[run] as number, outcome: outcomeClass(b, run) },
    positionError: err,
  });
  // Worst: outcome mismatches off the boundary first (they need explaining), then the largest
  // position errors, then mismatches on the boundary.
  const order = errRuns.map((run, k) => ({ run, err: errs[k] as number })).sort((x, y) => y.err - x.err);
  const worst: RunReport[] = [];
  const errOf = (run: number): number =>
    positionError(a.final_x[run] as number, a.final_y[run] as number, b.final_x[run] as number, b.final_y[run] as number);
  // Each run once (review 25: an off-boundary mismatch was listed again among the largest errors).
  const listed = new Set<number>();
  const add = (run: number, err: number): void => {
    if (worst.length >= worstCount || listed.has(run)) return;
    listed.add(run);
    worst.push(describe(run, err));
  };
  for (const run of mismatchRuns) if (boundary[run] !== 1) add(run, errOf(run));
  for (const { run, err } of order) if (err > 0) add(run, err);
  for (const run of mismatchRuns) if (boundary[run] === 1) add(run, errOf(run));
  let identical = 0;
  for (const e of errs) if (e === 0) identical++;
  return {
    a: a.engine,
    b: b.engine,
    runs: n,
    sameOutcome: same / n,
    sameDivergence: sameDiv / n,
    boundaryRuns: bRuns,
    illConditionedRuns: ill,
    sameOutcomeOffBoundary: offRuns > 0 ? offSame / offRuns : 1,
    position: {
      runs: errs.length,
      median: quantile(sorted, 0.5),
      p99: quantile(sorted, 0.99),
      max: sorted.length ? (sorted[sorted.length - 1] as number) : 0,
      identical: errs.length ? identical / errs.length : 1,
    },
    mismatches: mismatchRuns.length,
    worst,
  };
}

/**
 * The spec with the start point moved by `delta` (and start-point sweep ranges with it), to find
 * the runs of a random/Sobol sweep whose outcome is sensitive to a tiny change.
 */
export function perturbedSpec<S extends { start: readonly [number, number]; sweep: unknown }>(spec: S, delta: number): S {
  const sweep = spec.sweep as { kind?: string; dims?: readonly { param: string; min: number; max: number; scale: string }[] } | null;
  const dims = sweep?.dims?.map((d) =>
    d.param.startsWith('start.') ? (d.scale === 'log' ? { ...d, min: d.min * (1 + delta), max: d.max * (1 + delta) } : { ...d, min: d.min + delta, max: d.max + delta }) : d,
  );
  return {
    ...spec,
    start: [spec.start[0] + delta, spec.start[1] + delta] as const,
    sweep: sweep && dims ? { ...sweep, dims } : spec.sweep,
  };
}

/**
 * What `basinlab validate` and the GPU agreement matrix require of gpu vs cpu (derived in
 * docs/validation.md): the same outcome on this fraction of runs, and at most this position error
 * (relative above |p| = 1) over well-conditioned, off-boundary, non-diverged runs.
 */
export const VALIDATION_THRESHOLDS = { minSameOutcome: 0.995, maxPositionError: 1e-3 } as const;

export interface ValidationReport {
  readonly spec: unknown;
  readonly engines: readonly string[];
  readonly boundaryMethod: 'grid-neighbours' | 'perturbation';
  readonly boundaryRuns: number;
  readonly pairs: readonly PairReport[];
}

/** The verdict on one pair of engines against VALIDATION_THRESHOLDS, with each measure's own. */
export interface PairVerdict {
  readonly pass: boolean;
  /** Same outcome on at least minSameOutcome of the runs. */
  readonly outcomesAgree: boolean;
  /** Position error at most maxPositionError on well-conditioned runs off the boundary. */
  readonly positionsAgree: boolean;
}

export function pairVerdict(pair: PairReport): PairVerdict {
  const outcomesAgree = pair.sameOutcome >= VALIDATION_THRESHOLDS.minSameOutcome;
  const positionsAgree = pair.position.max <= VALIDATION_THRESHOLDS.maxPositionError;
  return { pass: outcomesAgree && positionsAgree, outcomesAgree, positionsAgree };
}

// ---------------------------------------------------------------------------------------------
// Networks: float32 (cpu) against float64 (cpu64) training of the same network on the same data.
// A run's outcome is whether it diverged; its numbers are its final losses and accuracy.

/**
 * Runs of a network grid on the trainability boundary: one of their eight neighbours in the
 * reference diverged where they did not, or the other way round (the boundary the fractal paper
 * draws; there an ulp legitimately decides whether a run diverges).
 */
export function netGridBoundary(ref: NetResults): Uint8Array {
  return neighbourBoundary(ref.width, ref.height, (i) => ref.diverged[i] as number);
}

/** Runs whose divergence differs between the reference and the perturbed reference (list sweeps' boundary). */
export function netPerturbationBoundary(ref: NetResults, perturbed: NetResults): Uint8Array {
  const out = new Uint8Array(rowCount(ref));
  for (let i = 0; i < out.length; i++) out[i] = ref.diverged[i] !== perturbed.diverged[i] ? 1 : 0;
  return out;
}

/**
 * Keys whose value is a learning rate: the optimiser's and each param group's `lr`, and the
 * schedules' absolute LRs (OneCycleLR's and CyclicLR's max_lr, CyclicLR's base_lr, the cosine
 * schedules' eta_min, ReduceLROnPlateau's min_lr, SWALR's swa_lr). The probe scales them all.
 * Derived from the registry's `lr` markers (ParamSchema): an entry added with an LR of its own is
 * probed without this file knowing of it (review 27: a hand-kept list would leave it unscaled, and
 * its ill-conditioned runs called well-conditioned).
 */
export const LR_KEYS: ReadonlySet<string> = new Set(
  [...OPTIMIZERS, ...SCHEDULES].flatMap((e) => e.params.flatMap((p) => ((p.kind === 'number' || p.kind === 'int' || p.kind === 'tuple') && p.lr ? [p.key] : []))),
);

/**
 * Relative size of validation's perturbation probes, one value for both problems (review 27: it was
 * written once in the engine and once here): a surface list sweep's start points move by it times
 * the domain's diagonal (engine/validation.ts), a network's every LR by a factor 1 + it.
 */
export const PERTURBATION = 1e-6;
/** The network conditioning probe's LR change: PERTURBATION, by the name the network code and texts use. */
export const NET_PERTURBATION = PERTURBATION;

/**
 * A network spec (as JSON, anySpecToJSON) with every learning rate it uses scaled by (1 + delta):
 * the optimiser's, each param group's, the schedule's absolute LRs, and the LR values a sweep gives
 * (its ranges scaled, so every run's value is). A run whose float64 result moves by more than
 * CONDITIONING_THRESHOLD under so small a change is ill-conditioned: float32's rounding of its
 * inputs alone moves it as much, so float32 training cannot be held to reproduce float64's there.
 */
export function perturbedNetSpec(spec: Record<string, unknown>, delta: number): Record<string, unknown> {
  const f = 1 + delta;
  const scaleKeys = (o: unknown): unknown => {
    if (o === null || typeof o !== 'object' || Array.isArray(o)) return o;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) {
      // A schedule's LR given per param group (torch's list) is scaled element by element.
      if (LR_KEYS.has(k) && typeof v === 'number') out[k] = v * f;
      else if (LR_KEYS.has(k) && Array.isArray(v)) out[k] = v.map((x: unknown) => (typeof x === 'number' ? x * f : x));
      else out[k] = k === 'schedulers' && Array.isArray(v) ? v.map(scaleKeys) : v;
    }
    return out;
  };
  const optimizer = scaleKeys(spec.optimizer) as Record<string, unknown> | unknown;
  if (optimizer && typeof optimizer === 'object' && Array.isArray((optimizer as Record<string, unknown>).param_groups)) {
    (optimizer as Record<string, unknown>).param_groups = ((optimizer as Record<string, unknown>).param_groups as unknown[]).map(scaleKeys);
  }
  const isLr = (param: unknown): boolean => typeof param === 'string' && LR_KEYS.has(param.split('.').at(-1) ?? '');
  const range = <R extends { param?: unknown; min?: unknown; max?: unknown }>(r: R): R =>
    isLr(r.param) && typeof r.min === 'number' && typeof r.max === 'number' ? { ...r, min: r.min * f, max: r.max * f } : r;
  const sweep = spec.sweep as Record<string, unknown> | null | undefined;
  let outSweep: unknown = sweep;
  if (sweep && typeof sweep === 'object') {
    if (sweep.kind === 'points') {
      const lrDims = (sweep.params as unknown[]).map(isLr);
      outSweep = { ...sweep, points: (sweep.points as number[][]).map((p) => p.map((v, d) => (lrDims[d] ? v * f : v))) };
    } else if (Array.isArray(sweep.dims)) {
      outSweep = { ...sweep, dims: (sweep.dims as Record<string, unknown>[]).map(range) };
    } else {
      outSweep = { ...sweep, x: sweep.x ? range(sweep.x as Record<string, unknown>) : sweep.x, y: sweep.y ? range(sweep.y as Record<string, unknown>) : sweep.y };
    }
  }
  return { ...spec, optimizer, schedule: scaleKeys(spec.schedule), sweep: outSweep };
}

/**
 * 1 for runs whose final training loss in float64 moves by more than `threshold` (relative) between
 * the reference and the LR-perturbed reference (perturbedNetSpec), or whose divergence does.
 */
export function netIllConditioned(ref: NetResults, perturbed: NetResults, threshold = CONDITIONING_THRESHOLD): Uint8Array {
  const out = new Uint8Array(rowCount(ref));
  for (let i = 0; i < out.length; i++) {
    if (ref.diverged[i] !== perturbed.diverged[i]) out[i] = 1;
    else if (!ref.diverged[i]) out[i] = relativeError(perturbed.train_loss[i] as number, ref.train_loss[i] as number) > threshold ? 1 : 0;
  }
  return out;
}

/** Relative error |a − b| / |b| (|a − b| where b is 0): b is the reference. */
export function relativeError(a: number, b: number): number {
  const d = Math.abs(a - b);
  return b === 0 ? d : d / Math.abs(b);
}

/** A distribution of relative errors over some runs. */
export interface ErrorSummary {
  readonly runs: number;
  readonly median: number;
  readonly p99: number;
  readonly max: number;
  /** Fraction of those runs with error exactly 0. */
  readonly identical: number;
}

function summary(errs: readonly number[]): ErrorSummary {
  const sorted = Float64Array.from(errs).sort();
  let identical = 0;
  for (const e of errs) if (e === 0) identical++;
  return {
    runs: errs.length,
    median: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    max: sorted.length ? (sorted[sorted.length - 1] as number) : 0,
    identical: errs.length ? identical / errs.length : 1,
  };
}

export interface NetRunReport {
  readonly run: number;
  readonly i: number;
  readonly j: number;
  readonly coords: Record<string, number>;
  readonly boundary: boolean;
  readonly illConditioned: boolean;
  readonly a: { readonly diverged: boolean; readonly train_loss: number; readonly test_loss: number; readonly test_accuracy: number | null };
  readonly b: { readonly diverged: boolean; readonly train_loss: number; readonly test_loss: number; readonly test_accuracy: number | null };
  readonly trainLossError: number;
  /**
   * Where the two engines' training first parts (firstSplit), for a run off the boundary that the
   * LR probe did not flag and whose final losses still differ by more than SPLIT_EXPLAINED; set by
   * validateNetPlan where it holds both engines (not for results passed in as computed).
   */
  readonly split?: NetSplit;
}

/**
 * A run's final losses differing by more than this between two engines, though the LR probe
 * leaves the run in place, get their paths compared step by step (NetRunReport.split): the probe
 * moves every LR together, and float32's rounding can move a run that no change of LR moves. Found
 * in review 18: Adam at LR 10 on Iris drove the loss to 147 times its start, the softmax
 * saturated, some gradients fell to 1e-10, below float32's resolution of the sums that make them,
 * and came out of float32 with the other sign; Adam divides by sqrt(v) + eps (eps 1e-8), so a
 * 1e-10 gradient still moves its weight by a hundredth of the LR, and the two engines' ReLUs
 * parted at step 3 (docs/validation.md, "Networks").
 */
export const SPLIT_EXPLAINED = 1e-3;

/** The first recorded step at which two paths of one run differ (see firstSplit). */
export interface NetSplit {
  readonly step: number;
  /** Each engine's training loss at that step. */
  readonly lossA: number;
  readonly lossB: number;
  /** The highest training loss of b's path up to that step, as a multiple of its start loss. */
  readonly peak: number;
}

/**
 * The first recorded step where two paths' training losses differ by more than `tolerance`
 * (relative to b's, as relativeError), or null where they never do (or a path holds no finite
 * start loss). Paths recorded with the same `every` share their steps.
 */
export function firstSplit(a: NetTrajectory, b: NetTrajectory, tolerance = SPLIT_EXPLAINED): NetSplit | null {
  const n = Math.min(a.steps.length, b.steps.length);
  const L0 = b.trainLoss[0] as number;
  if (!(Number.isFinite(L0) && L0 > 0)) return null;
  let peak = 0;
  for (let k = 0; k < n; k++) {
    const la = a.trainLoss[k] as number;
    const lb = b.trainLoss[k] as number;
    peak = Math.max(peak, lb);
    if (!(relativeError(la, lb) <= tolerance)) return { step: b.steps[k] as number, lossA: la, lossB: lb, peak: peak / L0 };
  }
  return null;
}

/**
 * A traced run (NetRunReport.split) in words, for the CLI's line and the app's verdict; `at` names
 * the run (its coordinates as the reader knows them). Null for a run that was not traced.
 */
export function netSplitText(w: NetRunReport, at: string): string | null {
  const s = w.split;
  if (!s) return null;
  const g = (x: number): string => String(Number(x.toPrecision(3)));
  const apart = w.trainLossError >= 1 ? `${Math.round(100 * w.trainLossError)}%` : `${Number((100 * w.trainLossError).toPrecision(2))}%`;
  const spike = s.peak >= 10 ? `, after the loss rose to ${g(s.peak)} times its start` : '';
  return (
    `run ${w.run} (${at}) ends with train losses ${apart} apart, though a change of LR leaves it in place: ` +
    `the two trained it alike until step ${s.step} (train loss ${g(s.lossA)} vs ${g(s.lossB)})${spike}; rounding inside a step can part what the LR does not`
  );
}

/** Loss errors and accuracy agreement over a set of runs. */
export interface NetAgreement {
  /** Relative errors of the final training and test losses (b the reference). */
  readonly trainLoss: ErrorSummary;
  readonly testLoss: ErrorSummary;
  /**
   * Classification: the fraction of the runs whose test accuracy is the same (the same number of
   * test samples classified right) and the largest difference; null for regression.
   */
  readonly accuracy: { readonly runs: number; readonly same: number; readonly maxDifference: number } | null;
}

/** Two engines' results of one network plan, compared. */
export interface NetPairReport extends NetAgreement {
  readonly a: string;
  readonly b: string;
  readonly runs: number;
  /** Fraction of runs each engine saw diverge. */
  readonly divergedA: number;
  readonly divergedB: number;
  /** Fraction of runs on which the two agree whether the run diverged. */
  readonly sameDivergence: number;
  /** Runs on the trainability boundary of the reference (grid neighbours, or the probe for list sweeps). */
  readonly boundaryRuns: number;
  /** sameDivergence over the runs off that boundary. */
  readonly sameDivergenceOffBoundary: number;
  /** Runs off the boundary that neither saw diverge and whose float64 result the probe moves (netIllConditioned). */
  readonly illConditionedRuns: number;
  /**
   * trainLoss, testLoss and accuracy (inherited) are over every run neither engine saw diverge;
   * `conditioned` over those of them off the boundary and well-conditioned, where the two must agree.
   */
  readonly conditioned: NetAgreement & { readonly runs: number };
  /** Runs whose divergence differs between the two engines. */
  readonly mismatches: number;
  readonly worst: readonly NetRunReport[];
}

export function compareNetPair(plan: NetPlan, a: NetResults, b: NetResults, boundary: Uint8Array, conditioning: Uint8Array | null, worstCount = 10): NetPairReport {
  const n = rowCount(a);
  let sameDiv = 0;
  let offSame = 0;
  let offRuns = 0;
  let divA = 0;
  let divB = 0;
  let ill = 0;
  const both: number[] = [];
  const good: number[] = [];
  const mismatchRuns: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a.diverged[i] === 1;
    const db = b.diverged[i] === 1;
    if (da) divA++;
    if (db) divB++;
    if (da === db) sameDiv++;
    else mismatchRuns.push(i);
    const onEdge = boundary[i] === 1;
    if (!onEdge) {
      offRuns++;
      if (da === db) offSame++;
    }
    if (da || db) continue;
    both.push(i);
    if (onEdge) continue;
    if (conditioning?.[i] === 1) ill++;
    else good.push(i);
  }
  const trainErr = (run: number): number => relativeError(a.train_loss[run] as number, b.train_loss[run] as number);
  const testErr = (run: number): number => relativeError(a.test_loss[run] as number, b.test_loss[run] as number);
  const agreement = (runs: readonly number[]): NetAgreement => {
    let same = 0;
    let max = 0;
    const accA = a.test_accuracy;
    const accB = b.test_accuracy;
    if (accA && accB) {
      for (const run of runs) {
        const d = Math.abs((accA[run] as number) - (accB[run] as number));
        // Accuracies are k / n_test in either precision: the same k differs by at most an ulp of
        // float32, far below 1 / n_test.
        if (d < 0.5 / plan.data.test.n) same++;
        max = Math.max(max, d);
      }
    }
    return {
      trainLoss: summary(runs.map(trainErr)),
      testLoss: summary(runs.map(testErr)),
      accuracy: accA && accB ? { runs: runs.length, same: runs.length ? same / runs.length : 1, maxDifference: max } : null,
    };
  };
  const side = (r: NetResults, run: number): NetRunReport['a'] => ({
    diverged: r.diverged[run] === 1,
    train_loss: r.train_loss[run] as number,
    test_loss: r.test_loss[run] as number,
    test_accuracy: r.test_accuracy ? (r.test_accuracy[run] as number) : null,
  });
  const describe = (run: number): NetRunReport => ({
    run,
    i: run % a.width,
    j: Math.floor(run / a.width),
    coords: runCoordinates(plan, run),
    boundary: boundary[run] === 1,
    illConditioned: conditioning?.[run] === 1,
    a: side(a, run),
    b: side(b, run),
    trainLossError: trainErr(run),
  });
  // Worst: divergence mismatches off the boundary first, then the largest training-loss errors of
  // well-conditioned runs (those must agree), then of the others, then mismatches on the boundary.
  const worst: NetRunReport[] = [];
  const add = (run: number): void => {
    if (worst.length < worstCount && !worst.some((w) => w.run === run)) worst.push(describe(run));
  };
  const byError = (runs: readonly number[]): number[] => runs.filter((r) => trainErr(r) > 0).sort((x, y) => trainErr(y) - trainErr(x));
  for (const run of mismatchRuns) if (boundary[run] !== 1) add(run);
  for (const run of byError(good)) add(run);
  for (const run of byError(both)) add(run);
  for (const run of mismatchRuns) add(run);
  return {
    a: a.engine,
    b: b.engine,
    runs: n,
    divergedA: divA / n,
    divergedB: divB / n,
    sameDivergence: sameDiv / n,
    boundaryRuns: n - offRuns,
    sameDivergenceOffBoundary: offRuns > 0 ? offSame / offRuns : 1,
    illConditionedRuns: ill,
    ...agreement(both),
    conditioned: { runs: good.length, ...agreement(good) },
    mismatches: mismatchRuns.length,
    worst,
  };
}

/**
 * What `basinlab validate` requires of cpu (float32) vs cpu64 (float64) on a network spec (derived
 * and measured in docs/validation.md, "Networks"): the same divergence verdict on this fraction of
 * the runs off the trainability boundary, and over the well-conditioned runs off it that neither
 * saw diverge, a median relative error of the final training and test losses of at most this.
 * Measured: 100% and at most 5e-7 on every sweep of the docs' table. The tails (p99, max) are
 * reported, not required: the probe does not find every chaotic run (a run at the edge of
 * stability can be indifferent to its LR and not to float32's rounding of its weights), and there
 * float32 and float64 training part ways.
 */
export const NET_VALIDATION_THRESHOLDS = { minSameDivergenceOffBoundary: 0.99, maxMedianLossError: 1e-5 } as const;

/** Whether a cpu vs cpu64 network pair meets NET_VALIDATION_THRESHOLDS. */
export function netPairPasses(p: NetPairReport): boolean {
  const t = NET_VALIDATION_THRESHOLDS;
  return p.sameDivergenceOffBoundary >= t.minSameDivergenceOffBoundary && p.conditioned.trainLoss.median <= t.maxMedianLossError && p.conditioned.testLoss.median <= t.maxMedianLossError;
}

export interface NetValidationReport {
  readonly spec: unknown;
  readonly engines: readonly string[];
  readonly boundaryMethod: 'grid-neighbours' | 'perturbation';
  readonly boundaryRuns: number;
  /** The probe's relative LR change (NET_PERTURBATION). */
  readonly perturbation: number;
  readonly pairs: readonly NetPairReport[];
}

/** How a run's engine sorts runs into two classes (trained or not, diverged or not) against a reference's. */
export interface ClassAgreement {
  /** Share of the runs in different classes. */
  readonly disagree: number;
  /** Share of the reference's runs in the class (1): whether the class is the smaller one. */
  readonly share: number;
  /** Runs in the reference's smaller class. */
  readonly minorityRuns: number;
  /** Of those, the share in the same class in the engine tested (1 when there are none). */
  readonly minorityKept: number;
  /**
   * The other way round: of the runs the engine tested puts in that class, the share the reference
   * puts there too (1 when there are none). Low when the tested engine puts far more runs there.
   */
  readonly minorityPrecision: number;
  /**
   * Cohen's kappa: how far the two agree beyond what two classings with their class shares would
   * by chance (1: the same runs in the class; 0: no better than chance; 1 when both put every run
   * on one side).
   */
  readonly kappa: number;
}

/**
 * Compares two engines' classes (1: in the class, 0: not) run by run. The smaller class is where a
 * boundary shows: when a zoom is past what float32 resolves, float32 still draws about as many
 * diverged (or untrained) cells as float64, but on other cells, so `disagree` stays small while
 * `minorityKept` falls; it is the number that says whether a map shows the boundary.
 */
export function classAgreement(test: ArrayLike<number>, ref: ArrayLike<number>): ClassAgreement {
  const n = ref.length;
  let inClass = 0;
  for (let i = 0; i < n; i++) if (ref[i] === 1) inClass++;
  const minority = inClass * 2 <= n ? 1 : 0;
  let disagree = 0;
  let minorityRuns = 0;
  let kept = 0;
  let testRuns = 0;
  let testIn = 0;
  for (let i = 0; i < n; i++) {
    const a = test[i] === 1 ? 1 : 0;
    testIn += a;
    const b = ref[i] === 1 ? 1 : 0;
    if (a !== b) disagree++;
    if (a === minority) testRuns++;
    if (b === minority) {
      minorityRuns++;
      if (a === b) kept++;
    }
  }
  const share = (k: number): number => (n > 0 ? k / n : 0);
  const pa = share(testIn);
  const pb = share(inClass);
  const chance = pa * pb + (1 - pa) * (1 - pb);
  return {
    disagree: share(disagree),
    share: pb,
    minorityRuns,
    minorityKept: minorityRuns > 0 ? kept / minorityRuns : 1,
    minorityPrecision: testRuns > 0 ? kept / testRuns : 1,
    kappa: chance >= 1 ? 1 : (1 - share(disagree) - chance) / (1 - chance),
  };
}

/**
 * A network run's class by the convergence measure: 1 when it did not train (the notebook's sign:
 * non-negative, or not a number), 0 when it did. This is the seam the convergence colouring draws
 * and the fractal-boundary study measures; deep in that boundary no run diverges, so the diverged
 * column could not judge it. One labelling for every caller, because classAgreement is not
 * symmetric in it (`share` is class 1's, and an even split takes class 1 as the smaller side): the
 * app and the study labelled it oppositely before (review 27).
 */
export function untrainedClass(convergence: ArrayLike<number>): Uint8Array {
  return Uint8Array.from(Array.from(convergence, (c) => (c < 0 ? 0 : 1)));
}

/**
 * A map shows its boundary, not float32 rounding, when float32 keeps at least this share of
 * float64's smaller class (ClassAgreement.minorityKept). Below it most of the boundary's pattern is
 * rounding's choice: the fractal-boundary study at 500 steps and a x1000 zoom keeps ~15%.
 */
export const MIN_MINORITY_KEPT = 0.5;

/**
 * ...and when the two agree beyond chance by at least this Cohen's kappa (ClassAgreement.kappa).
 * The shares above measure the smaller class alone, which chance fills in proportion to its size:
 * where the classes are about even, a float32 map of noise keeps about half of float64's smaller
 * side. Measured on the fractal-boundary study's 32 x 32 and 64 x 64 samples: 0.55 to 0.99 at the
 * depths that resolve, 0.44 and 0.27 at the two MIN_MINORITY_KEPT caught (45% and 34% kept), and
 * 0.15 at a zoom into the densest stretch where 42% of the cells flip and float32 still keeps 53%
 * of float64's smaller side (bench/cpu-runs/2026-12-05-fractal-centres/).
 */
export const MIN_KAPPA = 0.5;

/** Fewer runs than this in the reference's smaller class say nothing about where its boundary is. */
export const MIN_SPLIT_RUNS = 10;

/**
 * Whether a map is past what the engine tested resolves: the reference's smaller class has enough
 * runs to judge, and the engine tested puts fewer than MIN_MINORITY_KEPT of them in the same class,
 * or fewer than that share of the runs it puts there are the reference's (it scatters the class
 * over far more runs), or the two agree beyond chance by less than MIN_KAPPA (about even classes
 * drawn as noise). Past that, the boundary it draws is its rounding's (a zoom into the fractal
 * boundary at 500 steps). `minorityPrecision` or `kappa` absent: judged on the others.
 */
export function pastResolution(split: ResolutionSplit): boolean {
  return resolutionFailure(split) !== null;
}

/** What pastResolution reads of a ClassAgreement (a study's findings may hold only some of it). */
export type ResolutionSplit = Pick<ClassAgreement, 'minorityRuns' | 'minorityKept'> & { readonly minorityPrecision?: number; readonly kappa?: number };

/**
 * Which of pastResolution's tests a split fails, the first in its order (null: resolved, or too few
 * runs to judge): the words a map's note and a study's verdict say it in.
 */
export function resolutionFailure(split: ResolutionSplit): 'kept' | 'precision' | 'kappa' | null {
  if (split.minorityRuns < MIN_SPLIT_RUNS) return null;
  if (split.minorityKept < MIN_MINORITY_KEPT) return 'kept';
  if ((split.minorityPrecision ?? 1) < MIN_MINORITY_KEPT) return 'precision';
  if ((split.kappa ?? 1) < MIN_KAPPA) return 'kappa';
  return null;
}

/**
 * Where a map has no boundary to test (all but a few runs on one side: resolutionFailure's "too few
 * to judge"), its colours are still a claim: the convergence colouring ranks runs within each side,
 * so float32's rounding can shade a window that float64 shades otherwise (walkthrough 22: a zoom where
 * no run trains drew a full-range speckle whose float32 and float64 ranks correlated 0.33). Below
 * this rank correlation (Spearman's ρ) with the reference, on at least MIN_SHADE_RUNS runs both put
 * on that side, the shades are the rounding's. Measured on the fractal network (32 x 32 windows,
 * 40-200 steps, float32 against float64): ρ 0.996-0.999 on the whole view, 0.85-0.99 at x100 and
 * 0.77-0.96 at x1000 along the seam, 0.33 in that speckle.
 */
export const MIN_SHADE_RHO = 0.5;
export const MIN_SHADE_RUNS = 32;

/**
 * Spearman's ρ of two equally long samples (ties given their mean rank): the Pearson correlation of
 * their ranks. NaN under 2 values or where one is constant. Also the sharp-minima study's test of a
 * rise with the batch size.
 */
export function rankCorrelation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  if (n < 2) return Number.NaN;
  const ranks = (v: ArrayLike<number>): Float64Array => {
    const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => (v[i] as number) - (v[j] as number));
    const r = new Float64Array(n);
    for (let k = 0; k < n; ) {
      let e = k;
      while (e + 1 < n && v[order[e + 1] as number] === v[order[k] as number]) e++;
      for (let t = k; t <= e; t++) r[order[t] as number] = (k + e) / 2;
      k = e + 1;
    }
    return r;
  };
  const ra = ranks(a);
  const rb = ranks(b);
  const mean = (n - 1) / 2;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    const x = (ra[i] as number) - mean;
    const y = (rb[i] as number) - mean;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : Number.NaN;
}

/** How the shades of a map's one side agree with the reference's: ρ over the runs both put there. */
export interface ShadeAgreement {
  readonly rho: number;
  readonly runs: number;
  /** The side compared: 1 did not train (untrainedClass), 0 trained. */
  readonly side: 0 | 1;
}

/**
 * The rank agreement of the tested convergence values with the reference's on the reference's
 * larger side (runs both put on it, finite in both); null where fewer than MIN_SHADE_RUNS such runs.
 */
export function shadeAgreement(test: ArrayLike<number>, ref: ArrayLike<number>): ShadeAgreement | null {
  const n = Math.min(test.length, ref.length);
  let untrained = 0;
  for (let i = 0; i < n; i++) if (!((ref[i] as number) < 0)) untrained++;
  const side: 0 | 1 = untrained * 2 >= n ? 1 : 0;
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = test[i] as number;
    const r = ref[i] as number;
    if (!Number.isFinite(t) || !Number.isFinite(r)) continue;
    if ((t < 0 ? 0 : 1) !== side || (r < 0 ? 0 : 1) !== side) continue;
    a.push(t);
    b.push(r);
  }
  return a.length < MIN_SHADE_RUNS ? null : { rho: rankCorrelation(a, b), runs: a.length, side };
}

/** Whether shades measured by shadeAgreement are the rounding's: ρ below MIN_SHADE_RHO (a side one colour in either, ρ NaN, is not). */
export function shadesPast(s: ShadeAgreement | null): boolean {
  return s !== null && s.rho < MIN_SHADE_RHO;
}

/**
 * One float64 ulp from x toward +infinity (dir 1) or -infinity (dir -1): the next double that way.
 */
export function ulpStep(x: number, dir: 1 | -1): number {
  if (!Number.isFinite(x)) return x;
  if (x === 0) return dir * Number.MIN_VALUE;
  const b = new Float64Array([x]);
  const u = new BigInt64Array(b.buffer);
  // Doubles of one sign are ordered as their bit patterns: away from 0 is +1, toward 0 is -1.
  u[0] = (u[0] as bigint) + ((x > 0) === (dir > 0) ? 1n : -1n);
  return b[0] as number;
}

/** Which way run `run`'s value on axis `axis` is nudged: a fixed hash, so all four diagonals occur. */
export function nudgeDirection(run: number, axis: number): 1 | -1 {
  let h = Math.imul((2 * run + axis) ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & 1 ? 1 : -1;
}

/**
 * Float64's own resolution is tested the way float32's is, but nothing finer than float64 runs
 * here: instead, a grid network map's runs run again in float64 with each swept value moved by
 * `ulps` float64 ulps (one: the size of float64's own rounding of it), each run in its own direction
 * (nudgeDirection). A run whose class such a nudge flips is decided by perturbations as small as
 * float64's rounding, so a float64 map draws no truer a side for it than a float32 map draws for the
 * runs float32 flips; classAgreement(nudged, map) and pastResolution then judge float64 as they judge
 * float32. (Measured on the fractal-boundary windows, bench/cpu-runs/2026-12-05-fractal-float64/: a
 * nudge of float32's size, 2^-24, flips about as many runs as float32 arithmetic does, so the nudge
 * stands in for rounding.)
 *
 * The spec is a points sweep over every cell of the grid in the grid's run order, so each run keeps
 * its index (its initial weights and minibatches are the map's) and its exact axis values; an
 * integer axis (the batch size) and a value of exactly 0 are not moved, and a nudge that would
 * leave the parameter's range goes the other way. With ulps 0 it is the map itself. Null for a
 * plan that is not a grid, whose axes are all integer, or of more runs than a points sweep holds.
 */
export function ulpNudgedNetSpec(plan: NetPlan, ulps = 1): Record<string, unknown> | null {
  const sweep = plan.spec.sweep;
  if (plan.mode !== 'grid' || !sweep || sweep.kind !== 'grid' || plan.dims.every((d) => d.int) || plan.runs > MAX_POINTS) return null;
  const axes = [sweep.x, ...(sweep.y ? [sweep.y] : [])];
  const ranges = axes.map((a) => {
    const t = resolveNetPath(plan.spec, a.param);
    return typeof t === 'string' ? null : t.range;
  });
  const inside = (x: number, axis: number): boolean => {
    const r = ranges[axis];
    return !r || ((r.minExclusive ? x > r.min : x >= r.min) && (r.maxExclusive ? x < r.max : x <= r.max));
  };
  const move = (v: number, run: number, axis: number): number => {
    // An integer, or an exact 0 (which no rounding moves), stays; a nudge that would leave the
    // parameter's range (an LR below 0, a beta at 1) goes the other way.
    if (plan.dims[axis]?.int || v === 0) return v;
    const step = (dir: 1 | -1): number => {
      let x = v;
      for (let k = 0; k < ulps; k++) x = ulpStep(x, dir);
      return x;
    };
    const dir = nudgeDirection(run, axis);
    const x = step(dir);
    return inside(x, axis) ? x : step(dir === 1 ? -1 : 1);
  };
  const points: number[][] = [];
  for (let run = 0; run < plan.runs; run++) {
    const x = plan.xValues[run % plan.width] as number;
    const p = [move(x, run, 0)];
    if (axes.length > 1) p.push(move(plan.yValues[Math.floor(run / plan.width)] as number, run, 1));
    points.push(p);
  }
  return { ...netSpecToJSON(plan.spec), sweep: { kind: 'points', params: axes.map((a) => a.param), points } };
}
