/**
 * What a heatmap of network runs shows, and the colour of every cell (the twin of frame.ts for
 * network plans): the outcomes the network columns hold (core/columns.ts NET_BASE_COLUMNS), one per
 * mode, and the fractal-boundary paper's convergence colouring. DOM-free
 * (tests/unit/net-frame.test.ts); the app's Canvas 2D renderer paints what netCellColour says.
 */
import type { NetColumns } from '../core/results.ts';
import type { NetPlan } from '../core/network/plan.ts';
import { trainsOnMinibatches } from '../core/network/plan.ts';
import type { HeatmapMode } from './frame.ts';
import { HEATMAP_MODES, LOG_FLOOR } from './frame.ts';
import type { Rgb } from './colors.ts';
import { DIVERGED, DIVERGED_ON_RAMP, NOT_CONVERGED, PENDING, convergenceColour, dominantColourShare, viridisColour } from './colors.ts';
import type { Clipped } from './range.ts';
import { NOT_CLIPPED, colourRange, countClipped } from './range.ts';

export type NetHeatmapMode = 'convergence' | 'accuracy' | 'test_loss' | 'train_loss' | 'sharpness' | 'steps';
export const NET_HEATMAP_MODES: readonly NetHeatmapMode[] = ['convergence', 'accuracy', 'test_loss', 'train_loss', 'sharpness', 'steps'];
/** The colouring a network view opens with: trainable (blue) or not (red), by speed. */
export const NET_DEFAULT_MODE: NetHeatmapMode = 'convergence';

export const NET_MODE_LABEL: Record<NetHeatmapMode, string> = {
  convergence: 'convergence',
  accuracy: 'test accuracy',
  test_loss: 'test loss',
  train_loss: 'train loss',
  sharpness: 'sharpness',
  steps: 'steps to threshold',
};

export function isNetMode(m: string): m is NetHeatmapMode {
  return (NET_HEATMAP_MODES as readonly string[]).includes(m);
}

/** The modes a plan's columns can show: test accuracy only when its data set classifies. */
export function netModesOf(plan: Pick<NetPlan, 'data'>): NetHeatmapMode[] {
  return NET_HEATMAP_MODES.filter((m) => m !== 'accuracy' || plan.data.task === 'classification');
}

export interface NetFrame {
  readonly kind: 'network';
  readonly width: number;
  readonly height: number;
  readonly runsReady: number;
  readonly mode: NetHeatmapMode;
  readonly columns: NetColumns;
  /** Colour range of the continuous modes, in transformed units (log10 for losses and sharpness); accuracy always 0 … 1, steps 0 … steps. */
  readonly lo: number;
  readonly hi: number;
  /** Ready cells past lo or hi, drawn in the end colours (the loss modes' ranges are clipped: range.ts). */
  readonly clipped: Clipped;
  readonly steps: number;
  /**
   * Convergence mode: each ready run's rank in [0, 1] among the runs of its kind (trained, measure
   * < 0; or not), 0 the fastest; NaN where the measure is not finite. Empty in the other modes.
   */
  readonly rank: Float32Array;
  /** Ready runs that trained and did not, by the convergence measure's sign (every mode counts them). */
  readonly trained: number;
  readonly untrained: number;
  /**
   * The runs train on minibatches: the measure's sign is then its minibatch losses', not whether the
   * run trained (the app's outcome goes by the whole training set's loss then: walkthrough 14 read
   * "did not train" and "trained" for one run, and two counts of trained runs).
   */
  readonly minibatch: boolean;
  /** The colour range is a stand-in: no ready run has a value to range over yet (the legend names no ends). */
  readonly unranged?: true;
}

/**
 * The largest power-iteration residual ‖Hv − λv‖ / |λ| at which a sharpness estimate is shown: it
 * bounds the estimate's relative distance from an eigenvalue of the Hessian, so past 0.5 the
 * estimate may be off by more than half. Walkthrough 18: a run whose 10 iterations stopped at a
 * residual of 75 (λ = −0.0022) was coloured as the map's flattest. Converged estimates sit far
 * below (Iris at 100 iterations: all under 0.005; at 20, 2 of 256 above 0.3).
 */
export const SHARPNESS_MAX_RESIDUAL = 0.5;

/** A run's sharpness as the map and its summary show it: |λ|, or null where it has no trustworthy one (not finite, not converged). */
export function shownSharpness(c: Pick<NetColumns, 'sharpness'> & Partial<Pick<NetColumns, 'sharpness_residual'>>, run: number): number | null {
  const v = c.sharpness[run];
  const r = c.sharpness_residual?.[run];
  // A residual not recorded (NaN) leaves the estimate as it is; one above the bound, infinite included, hides it.
  if (v === undefined || !Number.isFinite(v) || (r !== undefined && r > SHARPNESS_MAX_RESIDUAL)) return null;
  return Math.abs(v);
}

/** The transformed value a continuous mode colours, or null when the cell has none. */
export function netCellValue(mode: NetHeatmapMode, c: NetColumns, run: number): number | null {
  const log = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? Math.log10(Math.max(Math.abs(v), LOG_FLOOR)) : null);
  if (mode === 'convergence') return null;
  if (c.diverged[run]) return null;
  switch (mode) {
    case 'accuracy': {
      const v = c.test_accuracy?.[run];
      return v !== undefined && Number.isFinite(v) ? v : null;
    }
    case 'test_loss':
      return log(c.test_loss[run]);
    case 'train_loss':
      return log(c.train_loss[run]);
    case 'sharpness': {
      const v = shownSharpness(c, run);
      return v === null ? null : log(v);
    }
    case 'steps': {
      const s = c.steps_to_threshold[run] as number;
      return s >= 0 ? s : null;
    }
  }
}

/**
 * Ranks of the convergence measure within each sign, 0 fastest (nearest 0 from either side) to 1
 * slowest: the notebook's cdf_img, which maps the sorted measures of each sign onto an even ramp.
 * An infinite measure ranks last on its side, as numpy sorts it: a run that did not train but whose
 * normalised loss touched 0 on some step (the notebook's sum of 1 / v is then +∞; the engines cap
 * 1 / v at max_val, so theirs stays finite, but a measure read from elsewhere may not) is the
 * slowest of the untrained runs, not a run without a measure. Only NaN goes unranked.
 */
export function convergenceRanks(measure: ArrayLike<number>, n: number): { rank: Float32Array; trained: number; untrained: number } {
  const rank = new Float32Array(n).fill(Number.NaN);
  const neg: number[] = [];
  const pos: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = measure[i] as number;
    if (Number.isNaN(v)) continue;
    (v < 0 ? neg : pos).push(i);
  }
  const place = (idx: number[]): void => {
    // A comparison, not a difference: two infinite measures tie (∞ − ∞ is NaN).
    idx.sort((a, b) => compare(Math.abs(measure[a] as number), Math.abs(measure[b] as number)));
    const d = Math.max(1, idx.length - 1);
    idx.forEach((run, k) => (rank[run] = k / d));
  };
  place(neg);
  place(pos);
  return { rank, trained: neg.length, untrained: pos.length };
}

/** Modes whose colour range is clipped to robust percentiles (range.ts): the losses. */
export function netClipsRange(mode: NetHeatmapMode): boolean {
  return mode === 'test_loss' || mode === 'train_loss';
}

function compare(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The frame of a network plan's results with runs [0, runsReady) final. */
export function netFrame(plan: NetPlan, columns: NetColumns, runsReady: number, mode: NetHeatmapMode): NetFrame {
  const steps = plan.spec.steps;
  const { rank, trained, untrained } = convergenceRanks(columns.convergence, runsReady);
  let lo = 0;
  let hi = 1;
  let clipped = NOT_CLIPPED;
  let unranged = false;
  if (mode === 'steps' || mode === 'accuracy') {
    // Fixed ranges: steps 0 … steps, accuracy 0 … 100% in every view, so one colour is one accuracy
    // in any two maps (walkthrough 11: stretched to each view's range, 60% in one map had 95%'s
    // colour in another; a map whose runs land within a few percent shows little contrast, and the
    // run panel and the hover give each run's number). No run with a value (none reached the
    // threshold): the bar has no values to name (walkthrough 9 saw 0 … 200 beside grey and red cells).
    hi = mode === 'steps' ? steps : 1;
    let any = false;
    for (let i = 0; i < runsReady && !any; i++) any = netCellValue(mode, columns, i) !== null;
    unranged = !any;
  } else if (mode !== 'convergence') {
    const values: number[] = [];
    for (let i = 0; i < runsReady; i++) {
      const v = netCellValue(mode, columns, i);
      if (v !== null) values.push(v);
    }
    ({ lo, hi } = colourRange(values, netClipsRange(mode)));
    clipped = countClipped(values, lo, hi);
    unranged = values.length === 0;
  }
  return {
    kind: 'network',
    width: plan.width,
    height: plan.height,
    runsReady,
    mode,
    columns,
    lo,
    hi,
    clipped,
    steps,
    rank: mode === 'convergence' ? rank : new Float32Array(0),
    trained,
    untrained,
    minibatch: trainsOnMinibatches(plan),
    ...(unranged ? { unranged: true as const } : {}),
  };
}

/** The colour of run `run` in a network frame. */
export function netCellColour(f: NetFrame, run: number): Rgb {
  if (run >= f.runsReady) return PENDING;
  const c = f.columns;
  if (f.mode === 'convergence') {
    const t = f.rank[run] as number;
    if (Number.isNaN(t)) return DIVERGED;
    return convergenceColour((c.convergence[run] as number) < 0, t);
  }
  if (c.diverged[run]) return DIVERGED_ON_RAMP;
  const v = netCellValue(f.mode, c, run);
  if (v === null) return NOT_CONVERGED;
  // Brighter = higher in every mode, as on the surfaces' loss maps and in the studies' figures of
  // the same sweeps (a loss ramp reversed here read as the opposite of the figure it opened from).
  return viridisColour((v - f.lo) / (f.hi - f.lo));
}

/** The share of the ready cells painted in the frame's most common colour (colors.ts dominantColourShare). */
export function netDominantShare(f: NetFrame): number {
  return dominantColourShare(f.runsReady, (run) => netCellColour(f, run));
}

/** A colouring of either kind of map (the `v` of a link). */
export type AnyHeatmapMode = HeatmapMode | NetHeatmapMode;

/** The colouring a map of `kind` shows for the chosen mode: the mode itself where that kind has it, else the kind's default. */
export function modeFor(kind: 'surface', mode: AnyHeatmapMode): HeatmapMode;
export function modeFor(kind: 'network', mode: AnyHeatmapMode, modes?: readonly NetHeatmapMode[]): NetHeatmapMode;
export function modeFor(kind: 'surface' | 'network', mode: AnyHeatmapMode, modes: readonly NetHeatmapMode[] = NET_HEATMAP_MODES): AnyHeatmapMode {
  if (kind === 'surface') return (HEATMAP_MODES as readonly string[]).includes(mode) ? mode : 'outcome';
  return (modes as readonly string[]).includes(mode) ? mode : NET_DEFAULT_MODE;
}
