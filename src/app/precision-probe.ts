/**
 * Whether a network map shows its boundary or rounding, measured on a sample of its own runs. A
 * float32 map's sample runs again on the float64 CPU engine and their classes (trained or not,
 * untrainedClass) are compared with the map's (core/validate.ts classAgreement, pastResolution). A zoom can be past
 * float32's resolution long before its cells are a few float32 steps apart: near the fractal
 * boundary, over hundreds of steps, rounding decides which side a run ends on. Float64 is tested
 * the same way against itself with each swept value moved by one float64 ulp (ulpNudgedNetSpec).
 * How deep float64 goes depends on where, so it is measured, not estimated from the ratio of the
 * two roundings (2^29): along the fractal-boundary study's central zoom at 500 steps float32 stops
 * at x100 and float64 at x64,000, while into the densest stretch of boundary at 300 steps float64
 * still resolves at x262,144 where float32 fails throughout (bench/cpu-runs/2026-12-05-fractal-float64/).
 * DOM-free: the controller (controllers/precision-probe-controller.ts) runs it.
 */
import type { NetPlan } from '../core/network/plan.ts';
import { makeNetPlan, prepareSpec } from '../core/network/plan.ts';
import { parseNetSpec } from '../core/spec.ts';
import type { ClassAgreement } from '../core/validate.ts';
import { MIN_KAPPA, MIN_MINORITY_KEPT, MIN_SPLIT_RUNS, classAgreement, resolutionFailure, ulpNudgedNetSpec } from '../core/validate.ts';

/** Which precision a split judges: float32 against float64, or float64 against itself nudged by one ulp. */
export type Judged = 'float32' | 'float64';

/**
 * The plan whose runs are the map's moved by one float64 ulp on each swept value (core/validate.ts
 * ulpNudgedNetSpec), its data set the map's; null for a plan that has none (not a grid, or integer
 * axes only).
 */
export async function ulpNudgedPlan(plan: NetPlan): Promise<NetPlan | null> {
  const json = ulpNudgedNetSpec(plan);
  if (!json) return null;
  const spec = parseNetSpec(json);
  await prepareSpec(spec);
  return makeNetPlan(spec);
}

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

// The probe's classes are core's (the study's too); re-exported for the app's existing importers.
export { untrainedClass } from '../core/validate.ts';

/**
 * The map's classes (1: did not train, untrainedClass) on the sampled runs against the reference's
 * (`ref`, one class column per range, rows relative to its begin).
 */
export function probeSplit(mapClass: ArrayLike<number>, ranges: readonly RunRange[], ref: readonly ArrayLike<number>[]): ClassAgreement {
  const shown: number[] = [];
  const refs: number[] = [];
  ranges.forEach((r, k) => {
    const col = ref[k];
    if (!col || col.length < r.end - r.begin) throw new Error(`probe range ${r.begin}..${r.end}: reference results missing`);
    for (let run = r.begin; run < r.end; run++) {
      shown.push(mapClass[run] === 1 ? 1 : 0);
      refs.push(col[run - r.begin] === 1 ? 1 : 0);
    }
  });
  return classAgreement(shown, refs);
}

/** What class 1 of a split is: runs that diverged (the validation), or runs that did not train (the probe). */
export type Classed = 'diverged' | 'untrained';

/** The words for the reference's smaller class, plural and singular: "diverge", "fail to train", or "train". */
function classWords(split: ClassAgreement, classed: Classed): [string, string] {
  if (split.share > 0.5) return ['train', 'trains'];
  return classed === 'diverged' ? ['diverge', 'diverges'] : ['fail to train', 'fails to train'];
}

/** A share as a whole percentage: "47%". */
export function pct(x: number): string {
  return `${Math.round(100 * x)}%`;
}

/**
 * A split of the runs past a precision's resolution in words (the probe's note and the
 * validation's headline), class 1 what `classed` says (diverged, or did not train): `of`, the runs
 * compared ("512 of this map's runs run again"); how many of them the reference puts in its smaller
 * class, and how the runs tested misplace them, whichever way of core/validate.ts pastResolution
 * failed. `judged` float32: float32 against float64; float64: float64 against
 * itself with each swept value moved by one ulp.
 */
export function resolutionText(split: ClassAgreement, of: string, judged: Judged = 'float32', classed: Classed = 'diverged'): string {
  const [verb, verbs] = classWords(split, classed);
  const failed = resolutionFailure(split);
  const kappa = `little better than chance would (κ ${split.kappa.toFixed(2)})`;
  const how =
    judged === 'float32'
      ? failed === 'kappa'
        ? `float32 has ${pct(split.minorityKept)} of them ${verb} too but agrees on which runs ${verb} ${kappa}`
        : failed === 'precision'
          ? `float32 ${verbs} on far more runs: only ${pct(split.minorityPrecision)} of those it sees ${verb} are among them`
          : `float32 ${verbs} on only ${pct(split.minorityKept)} of those same runs`
      : failed === 'kappa'
        ? `nudged, ${pct(split.minorityKept)} of them still ${verb} but the two agree on which runs ${verb} ${kappa}`
        : failed === 'precision'
          ? `nudged, far more runs ${verb}: only ${pct(split.minorityPrecision)} of those are among them`
          : `nudged, only ${pct(split.minorityKept)} of those same runs still ${verb}`;
  const ref = judged === 'float32' ? 'in float64' : 'in the map';
  return `Past ${judged}'s resolution: of ${of}, ${split.minorityRuns} ${verb} ${ref}, and ${how}. A map that shows its boundary keeps at least ${pct(MIN_MINORITY_KEPT)} both ways, with an agreement beyond chance (Cohen's κ) of at least ${MIN_KAPPA}.`;
}

/**
 * Below this agreement beyond chance between neighbouring cells (Cohen's κ over every cell and its
 * right and upper neighbours), the map's cells are coarser than its boundary's structure: each cell
 * is resolved, but together they sample the boundary rather than draw its shape (walkthrough 11: a
 * 512x zoom into the fractal seam read "✓ … shows its boundary" over a map of confetti, κ 0.05).
 */
export const ALIAS_KAPPA = 0.2;

/**
 * Cohen's κ between each cell's class and its right and upper neighbours' on a width x height grid:
 * 1 where the map is made of regions, about 0 where a cell says nothing of its neighbour. NaN where
 * there are no pairs, or all cells share one class (no boundary to draw).
 */
export function neighbourKappa(cls: ArrayLike<number>, width: number, height: number): number {
  let pairs = 0;
  let same = 0;
  let ones = 0;
  const n = Math.min(cls.length, width * height);
  for (let i = 0; i < n; i++) ones += cls[i] === 1 ? 1 : 0;
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const at = j * width + i;
      if (at >= n) continue;
      const c = cls[at];
      if (i + 1 < width && at + 1 < n) {
        pairs++;
        if (cls[at + 1] === c) same++;
      }
      if (j + 1 < height && at + width < n) {
        pairs++;
        if (cls[at + width] === c) same++;
      }
    }
  }
  const p1 = ones / n;
  const chance = p1 * p1 + (1 - p1) * (1 - p1);
  if (pairs === 0 || chance >= 1) return Number.NaN;
  return (same / pairs - chance) / (1 - chance);
}

/** What neighbouring cells' agreement (neighbourKappa) adds to a resolved map's line: '' where the cells draw regions. */
function aliasNote(cells: number): string {
  return cells < ALIAS_KAPPA
    ? ` But neighbouring cells agree little beyond chance (κ ${cells.toFixed(2)}): the boundary is finer than the cells, so this map samples it rather than drawing its shape. Raise the count, or zoom in.`
    : '';
}

/**
 * The probe's line above a map it found resolved (pastResolution did not fire): that the map's
 * boundary is its precision's own to draw, on how many runs, or that too few runs fell on the
 * smaller side to judge. `runs`: the runs sampled.
 */
export function resolvedText(split: ClassAgreement, runs: number, judged: Judged = 'float32', classed: Classed = 'untrained', cells = Number.NaN): string {
  const [verb, one] = classWords(split, classed);
  const again = judged === 'float32' ? 'run again in float64' : 'run again with each swept value moved by one float64 ulp (the size of its own rounding)';
  if (split.minorityRuns < MIN_SPLIT_RUNS) {
    return `${runs} of this map's runs were ${again}: ${split.minorityRuns === 0 ? 'none' : `only ${split.minorityRuns}`} ${split.minorityRuns === 1 ? one : verb} ${judged === 'float32' ? 'there' : 'in the map'}, too few to judge ${judged}'s resolution (${MIN_SPLIT_RUNS} needed).`;
  }
  const tested = judged === 'float32' ? `float32 has ${pct(split.minorityKept)} ${verb} too` : `${pct(split.minorityKept)} still ${verb} nudged`;
  return `✓ ${judged} resolves this view: ${runs} of its runs were ${again}; of the ${split.minorityRuns} that ${verb} ${judged === 'float32' ? 'there' : 'in the map'}, ${tested} and their agreement beyond chance (Cohen's κ) is ${split.kappa.toFixed(2)} (a view fails below ${pct(MIN_MINORITY_KEPT)} or κ ${MIN_KAPPA}), so its boundary is not ${judged}'s rounding.${aliasNote(cells)}`;
}

/**
 * The probe's short line above a map it found resolved (its measurement, resolvedText, folded under
 * it): a practitioner training a small model read the full sentence, Cohen's κ and all, as a warning
 * (walkthrough 7). Nothing to act on, said in a few words.
 */
export function resolvedHeadline(split: ClassAgreement, judged: Judged = 'float32', cells = Number.NaN): string {
  if (split.minorityRuns < MIN_SPLIT_RUNS) return `Too few runs on one side of this map's boundary to test ${judged}'s resolution here.`;
  // Resolved cells that do not draw regions: what was tested is the cells, not the shape (aliasNote).
  return cells < ALIAS_KAPPA
    ? `✓ ${judged}'s rounding does not decide these cells, but the boundary is finer than the cells: the map samples it.`
    : `✓ ${judged} resolves this view: the map shows its boundary, not its rounding.`;
}

/** The line while the probe runs. */
export function probingText(runs: number, judged: Judged = 'float32'): string {
  return judged === 'float32'
    ? `Checking float32's resolution: ${runs} of this map's runs run again in float64…`
    : `Checking float64's resolution: ${runs} of this map's runs run again with each swept value moved by one float64 ulp…`;
}
