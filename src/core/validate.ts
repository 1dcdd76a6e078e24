/**
 * GPU-vs-CPU validation: compare the results of two engines on the same plan.
 *
 * Near a basin boundary the dynamics are chaotic: an ulp of difference legitimately changes which
 * minimum a run reaches. Such runs are identified (not hidden) and reported apart: for grid sweeps,
 * a run is on a boundary when one of its eight neighbours in the reference result has a different
 * outcome; for random/Sobol sweeps, when a copy of the reference run started 1e-6 (relative to the
 * view) away ends differently. Position errors are summarised over the other runs only.
 */
import type { Plan } from './plan.ts';
import { runCoordinates } from './plan.ts';
import type { Results } from './results.ts';

/** An outcome class: basin index, -1 not converged, -2 diverged. */
export function outcomeClass(r: Results, i: number): number {
  return r.diverged[i] ? -2 : (r.basin[i] as number);
}

/** Runs whose 8-neighbourhood in `ref` holds another outcome class. */
export function gridBoundary(ref: Results): Uint8Array {
  const { width: w, height: h } = ref;
  const out = new Uint8Array(w * h);
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const c = outcomeClass(ref, j * w + i);
      let edge = 0;
      for (let dj = -1; dj <= 1 && !edge; dj++) {
        for (let di = -1; di <= 1; di++) {
          const ii = i + di;
          const jj = j + dj;
          if ((di || dj) && ii >= 0 && jj >= 0 && ii < w && jj < h && outcomeClass(ref, jj * w + ii) !== c) {
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
  for (const run of mismatchRuns) if (boundary[run] !== 1 && worst.length < worstCount) worst.push(describe(run, errOf(run)));
  for (const { run, err } of order) if (worst.length < worstCount && err > 0) worst.push(describe(run, err));
  for (const run of mismatchRuns) if (boundary[run] === 1 && worst.length < worstCount) worst.push(describe(run, errOf(run)));
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
