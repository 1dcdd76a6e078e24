/**
 * A one-row sweep's map as a curve (DOM-free): a sweep over one hyperparameter has one cell per
 * value, and a square of stripes says less than the value each run ended with, drawn against the
 * swept axis. The heatmap draws the row as a strip and this curve under it, sharing its x axis;
 * each point takes its cell's colour, so the strip reads as the curve's colour key.
 *
 * The curve shows what the colouring shows where that is a number (loss, steps, sharpness,
 * accuracy). The colourings by kind (outcome, basin, the network's convergence) have no one
 * number, so their curve is the final loss, and the points' colours carry the kind.
 */
import type { Rgb } from './colors.ts';
import type { HeatmapFrame } from './frame.ts';
import { LOG_FLOOR, cellColour, divergedColour } from './frame.ts';
import type { NetFrame } from './net-frame.ts';
import { netCellColour } from './net-frame.ts';
import type { AxisScale } from './ticks.ts';
import { DIVERGED_ON_RAMP } from './colors.ts';

export interface Profile {
  /** What the curve's y is, in words (the chart's y-axis title). */
  readonly label: string;
  readonly scale: AxisScale;
  /** The value of each cell of the row, in the axis's own units (not log10); NaN: no point. */
  readonly y: Float64Array;
  /** Each cell's colour on the map. */
  readonly colour: readonly Rgb[];
  /** 1 where the run diverged (drawn as a mark at the top, not a point). */
  readonly diverged: Uint8Array;
  /** The colour diverged runs have on the map (the mark's colour). */
  readonly divergedColour: Rgb;
  /** The range of the finite values (NaN, NaN when there are none). */
  readonly min: number;
  readonly max: number;
}

/** The curve of row 0 of a frame (a one-row sweep's only row); cells not ready yet have no point. */
export function profileOf(f: HeatmapFrame | NetFrame): Profile {
  const n = f.width;
  const y = new Float64Array(n).fill(Number.NaN);
  const diverged = new Uint8Array(n);
  const colour: Rgb[] = [];
  const { label, scale, value } = 'kind' in f ? netQuantity(f) : surfaceQuantity(f);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    colour.push('kind' in f ? netCellColour(f, i) : cellColour(f, i));
    if (i >= f.runsReady) continue;
    if (f.columns.diverged[i]) {
      diverged[i] = 1;
      continue;
    }
    const v = value(i);
    // A log axis has no place for 0 or below: such a value is clamped to the colours' floor.
    const shown = scale === 'log' ? Math.max(v, LOG_FLOOR) : v;
    if (!Number.isFinite(shown)) continue;
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
    divergedColour: 'kind' in f ? DIVERGED_ON_RAMP : divergedColour(f.mode),
    min: none ? Number.NaN : min,
    max: none ? Number.NaN : max,
  };
}

interface Quantity {
  readonly label: string;
  readonly scale: AxisScale;
  readonly value: (run: number) => number;
}

function surfaceQuantity(f: HeatmapFrame): Quantity {
  const c = f.columns;
  switch (f.mode) {
    case 'steps':
      // A run that did not converge has no steps (-1 in the column): no point.
      return { label: 'steps to converge', scale: 'linear', value: (r) => ((c.steps_to_converge[r] as number) >= 0 ? (c.steps_to_converge[r] as number) : Number.NaN) };
    case 'sharpness':
      return { label: 'sharpness at the end point', scale: 'log', value: (r) => c.sharpness[r] as number };
    default:
      return { label: f.lossFloor === 0 ? 'final loss' : 'final loss above the best minimum', scale: 'log', value: (r) => (c.loss[r] as number) - f.lossFloor };
  }
}

function netQuantity(f: NetFrame): Quantity {
  const c = f.columns;
  switch (f.mode) {
    case 'accuracy':
      return { label: 'test accuracy', scale: 'linear', value: (r) => c.test_accuracy?.[r] ?? Number.NaN };
    case 'test_loss':
      return { label: 'test loss', scale: 'log', value: (r) => c.test_loss[r] as number };
    case 'sharpness':
      return { label: 'sharpness at the end', scale: 'log', value: (r) => Math.abs(c.sharpness[r] as number) };
    case 'steps':
      return { label: 'steps to the loss threshold', scale: 'linear', value: (r) => ((c.steps_to_threshold[r] as number) >= 0 ? (c.steps_to_threshold[r] as number) : Number.NaN) };
    default:
      return { label: 'final train loss', scale: 'log', value: (r) => c.train_loss[r] as number };
  }
}
