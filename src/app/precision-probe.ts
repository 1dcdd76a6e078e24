/**
 * Whether a network map drawn in float32 shows its boundary or float32's rounding, measured on a
 * sample: some of the map's own runs run again on the float64 CPU engine and their classes
 * (diverged or not) compared with the map's (core/validate.ts classAgreement, pastResolution). A
 * zoom can be past float32's resolution long before its cells are a few float32 steps apart: near
 * the fractal boundary, over hundreds of steps, rounding decides which side a run ends on.
 * DOM-free: the controller (controllers/precision-probe-controller.ts) runs it.
 */
import type { NetPlan } from '../core/network/plan.ts';
import type { ClassAgreement } from '../core/validate.ts';
import { MIN_KAPPA, MIN_MINORITY_KEPT, MIN_SPLIT_RUNS, classAgreement, resolutionFailure } from '../core/validate.ts';

/**
 * Rows the probe samples and runs per row: at most 512 runs, and at most half the map's. A deep zoom
 * into the fractal boundary trains ~97% of its runs: 512 runs hold ~15 that do not, enough to judge
 * (core/validate.ts MIN_SPLIT_RUNS); 256 would not.
 */
export const PROBE_ROWS = 16;
export const PROBE_ROW_RUNS = 32;

export interface RunRange {
  readonly begin: number;
  readonly end: number;
}

/**
 * The runs a probe of a grid plan samples, as ranges of consecutive runs (RunOptions.range: each run
 * keeps its own index, so its minibatches and seeds are the map's): up to PROBE_ROWS rows spread
 * evenly over the map, on each a stretch of up to PROBE_ROW_RUNS cells at a place that moves from row
 * to row, and no more than half of the map's runs. Empty for a plan that is not a grid or is
 * too small to sample.
 */
export function probeRanges(plan: Pick<NetPlan, 'mode' | 'width' | 'height' | 'runs'>): RunRange[] {
  if (plan.mode !== 'grid' || plan.runs < 64) return [];
  const { width: w, height: h } = plan;
  const rows = Math.min(PROBE_ROWS, h);
  const len = Math.max(1, Math.min(PROBE_ROW_RUNS, w, Math.floor(plan.runs / 2 / rows)));
  const out: RunRange[] = [];
  for (let k = 0; k < rows; k++) {
    const j = Math.floor(((k + 0.5) * h) / rows);
    // Where along the row: a golden-ratio walk, so the stretches do not line up in one column.
    const i0 = Math.floor(((k * 0.618034) % 1) * (w - len + 1));
    out.push({ begin: j * w + i0, end: j * w + i0 + len });
  }
  return out;
}

/**
 * The map's classes (1: diverged) on the sampled runs against float64's (`f64`, one diverged column
 * per range, rows relative to its begin).
 */
export function probeSplit(mapDiverged: ArrayLike<number>, ranges: readonly RunRange[], f64: readonly ArrayLike<number>[]): ClassAgreement {
  const shown: number[] = [];
  const ref: number[] = [];
  ranges.forEach((r, k) => {
    const col = f64[k];
    if (!col || col.length < r.end - r.begin) throw new Error(`probe range ${r.begin}..${r.end}: float64 results missing`);
    for (let run = r.begin; run < r.end; run++) {
      shown.push(mapDiverged[run] === 1 ? 1 : 0);
      ref.push(col[run - r.begin] === 1 ? 1 : 0);
    }
  });
  return classAgreement(shown, ref);
}

/** A share as a whole percentage: "47%". */
function pct(x: number): string {
  return `${Math.round(100 * x)}%`;
}

/**
 * A split of the runs by divergence (class 1: diverged) past float32's resolution in words (the
 * probe's note and the validation's headline): `of`, the runs compared ("512 of this map's runs
 * run again"); how many of them float64 puts in its smaller class (diverged, or trained when most
 * diverge), and how float32 misplaces them, whichever way of core/validate.ts pastResolution failed.
 */
export function resolutionText(split: ClassAgreement, of: string): string {
  const [verb, verbs] = split.share <= 0.5 ? ['diverge', 'diverges'] : ['train', 'trains'];
  const failed = resolutionFailure(split);
  const how =
    failed === 'kappa'
      ? `float32 has ${pct(split.minorityKept)} of them ${verb} too but agrees on which runs ${verb} little better than chance would (κ ${split.kappa.toFixed(2)})`
      : failed === 'precision'
        ? `float32 ${verbs} on far more runs: only ${pct(split.minorityPrecision)} of those it sees ${verb} are among them`
        : `float32 ${verbs} on only ${pct(split.minorityKept)} of those same runs`;
  return `Past float32's resolution: of ${of}, ${split.minorityRuns} ${verb} in float64, and ${how}. A map that shows its boundary keeps at least ${pct(MIN_MINORITY_KEPT)} both ways, with an agreement beyond chance (Cohen's κ) of at least ${MIN_KAPPA}.`;
}

/**
 * The probe's line above a map it found resolved (pastResolution did not fire): that the map's
 * boundary is float32's own to draw, on how many runs, or that too few runs fell on the smaller side
 * to judge. `runs`: the runs sampled.
 */
export function resolvedText(split: ClassAgreement, runs: number): string {
  const verb = split.share <= 0.5 ? 'diverge' : 'train';
  if (split.minorityRuns < MIN_SPLIT_RUNS) {
    return `${runs} of this map's runs were run again in float64: ${split.minorityRuns === 0 ? 'none' : `only ${split.minorityRuns}`} ${verb} there, too few to judge float32's resolution (${MIN_SPLIT_RUNS} needed).`;
  }
  return `✓ float32 resolves this view: ${runs} of its runs were run again in float64; of the ${split.minorityRuns} that ${verb} there, float32 has ${pct(split.minorityKept)} ${verb} too and their agreement beyond chance (Cohen's κ) is ${split.kappa.toFixed(2)} (a view fails below ${pct(MIN_MINORITY_KEPT)} or κ ${MIN_KAPPA}), so its boundary is not float32's rounding.`;
}

/** The line while the probe runs. */
export function probingText(runs: number): string {
  return `Checking float32's resolution: ${runs} of this map's runs run again in float64…`;
}
