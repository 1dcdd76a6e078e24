/**
 * What a heatmap shows, and the colour of every cell: one function for the app's Canvas 2D
 * renderer, its legend, the study figures (svg.ts) and the browser tests' pixel checks; the app's
 * WebGPU renderer mirrors it in shaders/render/heatmap.wgsl with the same palette and look-up table.
 */
import type { Plan } from '../core/plan.ts';
import type { GridAxis } from '../core/spec.ts';
import type { ResultColumns } from '../core/results.ts';
import type { Rgb } from './colors.ts';
import { DIVERGED, DIVERGED_ON_RAMP, MINIMA_PALETTE, NOT_CONVERGED, PENDING, STILL_MOVING_ROW, dominantColourShare, minimumColour, outcomeColour, viridisColour } from './colors.ts';
import type { Clipped } from './range.ts';
import { NOT_CLIPPED, colourRange, countClipped } from './range.ts';

/**
 * What the colour of a cell says. `outcome` (the default) shows structure on every map: hue is
 * the outcome (the minimum reached, still moving, diverged), lightness how fast (steps to converge
 * for converged runs, the loss gap for runs still moving), as the fractal trainability-boundary maps
 * (Sohl-Dickstein 2024) colour theirs. The others show one quantity each.
 */
export type HeatmapMode = 'outcome' | 'basin' | 'loss' | 'steps' | 'sharpness';
export const HEATMAP_MODES: readonly HeatmapMode[] = ['outcome', 'basin', 'loss', 'steps', 'sharpness'];
/** The mode buttons' words (the network modes' are net-frame.ts NET_MODE_LABEL). */
export const MODE_LABEL: Record<HeatmapMode, string> = {
  outcome: 'outcome',
  basin: 'minimum reached',
  loss: 'final loss',
  steps: 'steps to converge',
  sharpness: 'sharpness',
};
/** The mode's number in shaders/render/heatmap.wgsl. */
export const MODE_INDEX: Record<HeatmapMode, number> = { basin: 0, loss: 1, steps: 2, sharpness: 3, outcome: 4 };

export interface HeatmapFrame {
  readonly width: number;
  readonly height: number;
  /** Runs [0, runsReady) are final; later cells show as pending. */
  readonly runsReady: number;
  readonly mode: HeatmapMode;
  readonly columns: ResultColumns;
  /**
   * Colour range of the continuous modes, in transformed units (log10 for loss and sharpness); for
   * `outcome`, the range of log10(loss − lossFloor) over the runs still moving.
   */
  readonly lo: number;
  readonly hi: number;
  /**
   * Ready cells whose value lies past lo or hi, drawn in the end colour: the loss modes clip their
   * range to robust percentiles where a few runs would stretch it (range.ts), and a shared range
   * may not cover a panel.
   */
  readonly clipped: Clipped;
  /** Loss is shown as log10(loss - lossFloor): suboptimality against the best known minimum. */
  readonly lossFloor: number;
  readonly steps: number;
  /** The colour range is a stand-in: no ready run has a value to range over yet (the legend names no ends). */
  readonly unranged?: true;
}

/** Smallest loss gap and sharpness shown on a log scale (below it the colour saturates). */
export const LOG_FLOOR = 1e-12;

/** The transformed value a continuous mode colours, or null when the cell has none (diverged…). */
export function cellValue(mode: HeatmapMode, cols: ResultColumns, run: number, lossFloor: number): number | null {
  if (cols.diverged[run]) return null;
  switch (mode) {
    case 'loss': {
      const v = cols.loss[run] as number;
      return Number.isFinite(v) ? Math.log10(Math.max(v - lossFloor, LOG_FLOOR)) : null;
    }
    case 'steps': {
      const s = cols.steps_to_converge[run] as number;
      return s >= 0 ? s : null;
    }
    case 'sharpness': {
      const v = cols.sharpness[run] as number;
      return Number.isFinite(v) ? Math.log10(Math.max(v, LOG_FLOOR)) : null;
    }
    case 'outcome': {
      // The lightness of runs still moving: their loss gap (converged runs take steps, diverged none).
      const v = cols.loss[run] as number;
      return (cols.basin[run] as number) < 0 && Number.isFinite(v) ? Math.log10(Math.max(v - lossFloor, LOG_FLOOR)) : null;
    }
    case 'basin':
      return null;
  }
}

/** Modes whose colour range is clipped to robust percentiles (range.ts): the loss gap, alone or as the still-moving runs' lightness. */
export function clipsRange(mode: HeatmapMode): boolean {
  return mode === 'loss' || mode === 'outcome';
}

function readyValues(mode: HeatmapMode, cols: ResultColumns, runsReady: number, lossFloor: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < runsReady; i++) {
    const v = cellValue(mode, cols, i, lossFloor);
    if (v !== null) out.push(v);
  }
  return out;
}

/**
 * Range of a mode over the ready runs (steps: always 0..steps, so colours mean the same across
 * runs; the loss modes: clipped to robust percentiles where a few runs would stretch it, range.ts);
 * null when no ready run has a value to range over (colourRange's stand-in would be no run's).
 */
export function valueRange(mode: HeatmapMode, cols: ResultColumns, runsReady: number, lossFloor: number, steps: number): [number, number] | null {
  const fixed = fixedRange(mode, steps);
  if (fixed) return fixed;
  const values = readyValues(mode, cols, runsReady, lossFloor);
  return values.length > 0 ? ownRange(mode, values) : null;
}

/**
 * One colour range for panels meant to be compared: the union of theirs, leaving out panels with no
 * value; undefined when no panel has one (each then keeps its own).
 */
export function sharedRange(ranges: readonly ([number, number] | null)[]): [number, number] | undefined {
  const had = ranges.filter((r): r is [number, number] => r !== null);
  return had.length > 0 ? [Math.min(...had.map((r) => r[0])), Math.max(...had.map((r) => r[1]))] : undefined;
}

/** The range of the modes whose range does not depend on the values (steps, basin), else null. */
function fixedRange(mode: HeatmapMode, steps: number): [number, number] | null {
  return mode === 'steps' ? [0, steps] : mode === 'basin' ? [0, 1] : null;
}

function ownRange(mode: HeatmapMode, values: readonly number[]): [number, number] {
  const r = colourRange(values, clipsRange(mode));
  return [r.lo, r.hi];
}

/**
 * The frame of a plan's results with runs [0, runsReady) final: loss is measured against the best
 * known minimum (0 when the surface knows none), colour ranges over the ready runs.
 */
export function heatmapFrame(
  plan: Plan,
  columns: ResultColumns,
  runsReady: number,
  mode: HeatmapMode,
  /** A colour range to use instead of this frame's own: panels meant to be compared share one. */
  range?: readonly [number, number],
): HeatmapFrame {
  const lossFloor = lossFloorOf(plan);
  const steps = plan.spec.steps;
  const fixed = fixedRange(mode, steps);
  // The ready values once: for the frame's own range and for the count of cells past its ends.
  const values = fixed ? [] : readyValues(mode, columns, runsReady, lossFloor);
  const [lo, hi] = range ?? fixed ?? ownRange(mode, values);
  const clipped = fixed ? NOT_CLIPPED : countClipped(values, lo, hi, range !== undefined);
  const unranged = !fixed && !range && values.length === 0 && mode !== 'basin';
  return { width: plan.width, height: plan.height, runsReady, mode, columns, lo, hi, clipped, lossFloor, steps, ...(unranged ? { unranged: true as const } : {}) };
}

/** Loss is shown against the best known minimum (0 when the surface knows none). */
export function lossFloorOf(plan: Pick<Plan, 'minima'>): number {
  const best = plan.minima.reduce((m, x) => Math.min(m, x.value), Number.POSITIVE_INFINITY);
  return Number.isFinite(best) ? best : 0;
}

/**
 * Runs' losses per step as the charts draw them, on the scale the maps colour them: above the best
 * known minimum (floored at LOG_FLOOR) on a log axis. A surface that knows no minimum keeps the raw
 * loss, on a log axis only while every value is above 0: a loss below 0 (a surface whose minimum is
 * negative) has no place on one, and a log chart of it would draw nothing.
 */
export function lossCurves<S extends { readonly values: ArrayLike<number> }>(
  series: readonly S[],
  minima: Pick<Plan, 'minima'>['minima'],
): { series: (S & { readonly values: Float64Array })[]; log: boolean; label: string } {
  if (minima.length > 0) {
    const floor = lossFloorOf({ minima });
    return {
      series: series.map((s) => ({ ...s, values: Float64Array.from(s.values, (v) => (Number.isFinite(v) ? Math.max(v - floor, LOG_FLOOR) : v)) })),
      log: true,
      // The maps' and the curves' words, whether the best minimum is 0 or not.
      label: 'loss above the best minimum',
    };
  }
  const raw = series.map((s) => ({ ...s, values: Float64Array.from(s.values) }));
  return { series: raw, log: raw.every((s) => s.values.every((v) => !Number.isFinite(v) || v > 0)), label: 'loss' };
}

/** Steps to converge as the outcome mode's lightness: 0 at once, 1 at the last step. */
export function speedOf(stepsToConverge: number, steps: number): number {
  return steps > 0 ? stepsToConverge / steps : 0;
}

/** A diverged run's colour in a mode: black among the basin and outcome hues, red on viridis. */
export function divergedColour(mode: HeatmapMode): Rgb {
  return mode === 'basin' || mode === 'outcome' ? DIVERGED : DIVERGED_ON_RAMP;
}

/** How opaque the basin colours lie over the contour plot (of 255): the contours show through. */
export const BASIN_OVERLAY_ALPHA = 150;

/**
 * The basin each start point ends in, as an image to lay over the contour plot: when the sweep is
 * start.0 × start.1 its cells are points of the plane the plot draws (null otherwise). Runs not yet
 * done are transparent. `x`, `y`: the sweep's axes, the image's domain.
 */
export function basinOverlay(
  frame: HeatmapFrame | null,
  x: GridAxis | undefined,
  y: GridAxis | null | undefined,
): { width: number; height: number; rgba: Uint8ClampedArray; domain: { xMin: number; xMax: number; yMin: number; yMax: number } } | null {
  if (!frame || !x || !y || x.param !== 'start.0' || y.param !== 'start.1') return null;
  const f: HeatmapFrame = { ...frame, mode: 'basin' };
  const rgba = new Uint8ClampedArray(f.width * f.height * 4);
  for (let run = 0; run < f.width * f.height; run++) {
    const [r, g, b] = cellColour(f, run);
    rgba.set([r, g, b, run < f.runsReady ? BASIN_OVERLAY_ALPHA : 0], run * 4);
  }
  return { width: f.width, height: f.height, rgba, domain: { xMin: x.min, xMax: x.max, yMin: y.min, yMax: y.max } };
}

/** The colour of run `run` in a frame. */
export function cellColour(f: HeatmapFrame, run: number): Rgb {
  if (run >= f.runsReady) return PENDING;
  const c = f.columns;
  if (c.diverged[run]) return divergedColour(f.mode);
  if (f.mode === 'basin') {
    const b = c.basin[run] as number;
    return b >= 0 ? minimumColour(b) : NOT_CONVERGED;
  }
  if (f.mode === 'outcome') {
    const b = c.basin[run] as number;
    if (b >= 0) return outcomeColour(b % MINIMA_PALETTE.length, speedOf(c.steps_to_converge[run] as number, f.steps));
    const v = cellValue('outcome', c, run, f.lossFloor);
    // A loss that is not finite (and was not caught as diverged) is as far as a run can be.
    return outcomeColour(STILL_MOVING_ROW, v === null ? 1 : (v - f.lo) / (f.hi - f.lo));
  }
  const v = cellValue(f.mode, c, run, f.lossFloor);
  if (v === null) return NOT_CONVERGED;
  return viridisColour((v - f.lo) / (f.hi - f.lo));
}

/** The share of the ready cells painted in the frame's most common colour (colors.ts dominantColourShare). */
export function dominantShare(f: HeatmapFrame): number {
  return dominantColourShare(f.runsReady, (run) => cellColour(f, run));
}
