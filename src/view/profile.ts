/**
 * A one-row sweep's map as a curve (DOM-free): a grid sweep over one hyperparameter has one cell
 * per value, and a square of stripes says less than the value each run ended with, drawn against
 * the swept axis. The heatmap draws the row as a strip and this curve under it, sharing its x axis;
 * each point takes its cell's colour, so the strip reads as the curve's colour key.
 *
 * The curve shows what the colouring shows where that is a number (loss, steps, sharpness,
 * accuracy), through the same cellValue / netCellValue the colours use. The colourings by kind
 * (outcome, basin, the network's convergence) have no one number, so their curve is the final
 * loss, and the points' colours carry the kind.
 */
import type { Rgb } from './colors.ts';
import type { HeatmapFrame, HeatmapMode } from './frame.ts';
import { LOG_FLOOR, cellColour, cellValue } from './frame.ts';
import type { NetFrame, NetHeatmapMode } from './net-frame.ts';
import { netCellColour, netCellValue } from './net-frame.ts';
import type { AxisScale } from './ticks.ts';
import { formatNumber, niceDomain } from './ticks.ts';
import type { NetColumns, ResultColumns } from '../core/results.ts';

/**
 * Whether a map is drawn as a strip with its curve: a grid with an x axis of several values and no
 * y axis (or one of one value), and a frame, when there is one, of one row. The axes decide, not
 * the frame alone: a random, Sobol or points sweep is one row of runs in no order along any axis,
 * drawn as columns; and before a first frame (or while an older frame of another shape is shown)
 * the axes already say what the map will be.
 */
export function isOneRow(xCount: number | null, yCount: number | null, frameHeight: number | null): boolean {
  return xCount !== null && xCount > 1 && (yCount === null || yCount === 1) && (frameHeight === null || frameHeight === 1);
}

/** isOneRow for a spec's sweep (a caption's, a figure's) and its plan's height. */
export function sweepIsOneRow(
  sweep: { readonly kind: string; readonly x?: { readonly count: number }; readonly y?: { readonly count: number } | null } | null | undefined,
  height: number,
): boolean {
  return sweep?.kind === 'grid' && isOneRow(sweep.x?.count ?? null, sweep.y?.count ?? null, height);
}

export interface Profile {
  /** What the curve's y is, in words (the chart's y-axis title). */
  readonly label: string;
  readonly scale: AxisScale;
  /** The value of each cell of the row, in the axis's own units (not log10); NaN: no point. */
  readonly y: Float64Array;
  /** Each cell's colour on the map (a diverged run's mark over the curve takes it too). */
  readonly colour: readonly Rgb[];
  /** 1 where the run diverged (drawn as a mark at the top, not a point). */
  readonly diverged: Uint8Array;
  /** The range of the finite values (NaN, NaN when there are none). */
  readonly min: number;
  readonly max: number;
  /** Points at LOG_FLOOR on a log scale: runs at the best minimum (their gap 0, or below the floor). */
  readonly atFloor: number;
  /** Points on the curve (ready runs with a value). */
  readonly points: number;
  /**
   * The spread that is rounding, in the curve's units: ROUNDING_ULPS of the results' precision at the
   * largest raw value (a loss gap is a difference of losses, so its rounding is the loss's); 0 for
   * counts and shares, which are exact.
   */
  readonly resolution: number;
  /** The results' precision (their columns' element type), for the words. */
  readonly precision: 'float32' | 'float64';
}

/**
 * Units in the last place a run's final value may carry from rounding over its steps: runs that all
 * settle in one minimum in float32 spread over about 3 (flat_sharp, losses near −0.9), so 16 keeps
 * them one value while any spread a float64 engine resolves stays a spread.
 */
export const ROUNDING_ULPS = 16;


/**
 * The curve's y range: niceDomain over its values, or, when they are all one value to within the
 * results' rounding (`flat`: an axis stretched over rounding would draw it as a response to the swept
 * value), a range around it (half a decade each way on a log axis, 10% on a linear one).
 */
export function profileDomain(p: Pick<Profile, 'min' | 'max' | 'scale' | 'resolution'>): { readonly lo: number; readonly hi: number; readonly flat: boolean } {
  const { min, max, scale } = p;
  if (max - min <= p.resolution) {
    const v = (min + max) / 2;
    if (scale === 'log') return { lo: v / Math.sqrt(10), hi: v * Math.sqrt(10), flat: true };
    const d = v === 0 ? 1 : 0.1 * Math.abs(v);
    return { lo: v - d, hi: v + d, flat: true };
  }
  const [lo, hi] = niceDomain(min, max, scale, 5);
  return { lo, hi, flat: false };
}

/**
 * What a colouring's curve plots: a mode whose number it is, its words, its axis, and the column its
 * rounding is measured on (none for counts and shares).
 */
interface Curve<M, C> {
  readonly mode: M;
  readonly label: string;
  readonly scale: AxisScale;
  readonly raw?: (c: C) => ArrayLike<number> | undefined;
}

/** The colouring's own number, or the final loss for the colourings by kind (outcome, basin). */
const SURFACE_LOSS: Curve<HeatmapMode, ResultColumns> = { mode: 'loss', label: 'final loss above the best minimum', scale: 'log', raw: (c) => c.loss };
const SURFACE_CURVE: Record<HeatmapMode, Curve<HeatmapMode, ResultColumns>> = {
  loss: SURFACE_LOSS,
  outcome: SURFACE_LOSS,
  basin: SURFACE_LOSS,
  steps: { mode: 'steps', label: 'steps to converge', scale: 'linear' },
  sharpness: { mode: 'sharpness', label: 'sharpness at the end point', scale: 'log', raw: (c) => c.sharpness },
};

/** The colouring's own number, or the final train loss for the convergence colouring. */
const NET_TRAIN_LOSS: Curve<NetHeatmapMode, NetColumns> = { mode: 'train_loss', label: 'final train loss', scale: 'log', raw: (c) => c.train_loss };
const NET_CURVE: Record<NetHeatmapMode, Curve<NetHeatmapMode, NetColumns>> = {
  convergence: NET_TRAIN_LOSS,
  train_loss: NET_TRAIN_LOSS,
  test_loss: { mode: 'test_loss', label: 'test loss', scale: 'log', raw: (c) => c.test_loss },
  accuracy: { mode: 'accuracy', label: 'test accuracy', scale: 'linear' },
  sharpness: { mode: 'sharpness', label: 'sharpness at the end', scale: 'log', raw: (c) => c.sharpness },
  steps: { mode: 'steps', label: 'steps to the loss threshold', scale: 'linear' },
};

/** The machine epsilon of a column's element type (float32 engines' results are Float32Arrays). */
function epsOf(c: ArrayLike<number> | undefined): number {
  return c instanceof Float32Array ? 2 ** -23 : 2 ** -52;
}

/** The curve of row 0 of a frame (a one-row sweep's only row); cells not ready yet have no point. */
export function profileOf(f: HeatmapFrame | NetFrame): Profile {
  const n = f.width;
  const y = new Float64Array(n).fill(Number.NaN);
  const diverged = new Uint8Array(n);
  const colour: Rgb[] = [];
  let label: string;
  let scale: AxisScale;
  let value: (run: number) => number | null;
  let raw: ArrayLike<number> | undefined;
  if ('kind' in f) {
    const q = NET_CURVE[f.mode];
    ({ label, scale } = q);
    value = (r) => netCellValue(q.mode, f.columns, r);
    raw = q.raw?.(f.columns);
  } else {
    const q = SURFACE_CURVE[f.mode];
    // The legend's words for the same quantity (the loss above the best minimum, 0 or not).
    ({ label, scale } = q);
    value = (r) => cellValue(q.mode, f.columns, r, f.lossFloor);
    raw = q.raw?.(f.columns);
  }
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let atFloor = 0;
  let points = 0;
  let rawMax = 0;
  for (let i = 0; i < n; i++) {
    colour.push('kind' in f ? netCellColour(f, i) : cellColour(f, i));
    if (i >= f.runsReady) continue;
    if (f.columns.diverged[i]) {
      diverged[i] = 1;
      continue;
    }
    // The colours' transformed value (log10 on a log scale, floored at LOG_FLOOR), back in the axis's units.
    const v = value(i);
    if (v === null) continue;
    const shown = scale === 'log' ? 10 ** v : v;
    if (scale === 'log' && shown <= LOG_FLOOR * (1 + 1e-9)) atFloor++;
    const r = raw?.[i];
    if (r !== undefined && Number.isFinite(r)) rawMax = Math.max(rawMax, Math.abs(r));
    points++;
    y[i] = shown;
    min = Math.min(min, shown);
    max = Math.max(max, shown);
  }
  const none = min > max;
  return {
    label,
    scale,
    y,
    colour,
    diverged,
    min: none ? Number.NaN : min,
    max: none ? Number.NaN : max,
    atFloor,
    points,
    resolution: raw ? ROUNDING_ULPS * epsOf(raw) * rawMax : 0,
    precision: (raw ?? ('kind' in f ? f.columns.train_loss : f.columns.loss)) instanceof Float32Array ? 'float32' : 'float64',
  };
}

/**
 * What the curve's scale hides, in words for its legend (the page's and a figure's): diverged runs'
 * marks, every point at the log floor, one value drawn as one, some points at the floor.
 */
export function profileNotes(p: Profile): string[] {
  const out: string[] = [];
  if (p.diverged.includes(1)) out.push('▲ over the curve: a run that diverged (no value to plot)');
  if (p.points === 0) return out;
  if (p.atFloor === p.points) out.push(`Every point sits at the curve's ${formatNumber(LOG_FLOOR)} floor: every run reached the best minimum, to float resolution.`);
  else if (profileDomain(p).flat) out.push(`Every run ends at ${formatNumber((p.min + p.max) / 2, 4)} on the curve, within ${p.precision} rounding of each other: drawn as one value.`);
  else if (p.atFloor > 0) out.push(`${p.atFloor} ${p.atFloor === 1 ? 'point sits' : 'points sit'} at the curve's ${formatNumber(LOG_FLOOR)} floor: at the best minimum, to float resolution.`);
  return out;
}
