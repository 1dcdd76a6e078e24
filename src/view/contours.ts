/**
 * Contours of a loss surface sampled on a grid, free of the DOM: the levels, fills and line ink of
 * the app's contour plot (app/components/contour-plot.ts draws them on a canvas), and the same
 * contours in data coordinates for a figure (svg.ts: the explorer figure's Paths panel, walkthrough
 * 19 found it drawn on a blank square).
 */
import { contours, type ContourMultiPolygon } from 'd3-contour';
import type { Domain, Minimum } from '../core/registry/types.ts';

/** Number of contour levels. */
export const LEVELS = 24;
/** Log levels start no lower than this fraction of the range (f − min f) above the minimum. */
const LOG_FLOOR = 1e-7;
/** Fill ramp from the lowest level (near-white) to the highest (blue-grey), linear in level index. */
const FILL_LOW: readonly [number, number, number] = [252, 252, 253];
const FILL_HIGH: readonly [number, number, number] = [172, 185, 202];
/** The contour lines' ink. */
export const LINE_INK = 'rgba(30, 40, 60, 0.3)';

/**
 * A surface sampled on a width × height lattice spanning `domain`, row-major with row 0 at yMin and
 * the outer rows and columns on the domain's edges (app/surface-grid.ts SurfaceGrid).
 */
export interface SampledSurface {
  readonly width: number;
  readonly height: number;
  readonly values: ArrayLike<number>;
  readonly domain: Domain;
}

/**
 * Contour thresholds: `LEVELS` values between the lowest and highest finite f, spaced evenly or
 * (log) geometrically in f − fMin, where fMin also counts the known minima (the grid rarely hits a
 * minimum exactly, and the true minimum anchors the log spacing).
 */
export function contourLevels(values: ArrayLike<number>, minima: readonly Minimum[], log: boolean, count = LEVELS): number[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0, n = values.length; i < n; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(lo < hi)) return [];
  const out: number[] = [];
  if (!log) {
    for (let k = 1; k <= count; k++) out.push(lo + ((hi - lo) * k) / (count + 1));
    return out;
  }
  let fMin = lo;
  for (const m of minima) if (Number.isFinite(m.value) && m.value < fMin) fMin = m.value;
  const range = hi - fMin;
  // Start at the smallest offset the grid resolves, so the lowest levels still enclose cells.
  let small = Infinity;
  for (let i = 0, n = values.length; i < n; i++) {
    const d = (values[i] as number) - fMin;
    if (d > 0 && d < small) small = d;
  }
  const a = Math.max(range * LOG_FLOOR, Math.min(small, range * 0.01));
  const la = Math.log(a);
  const lb = Math.log(range);
  for (let k = 0; k < count; k++) {
    const t = fMin + Math.exp(la + ((lb - la) * k) / count);
    // Near fMin, offsets below its ulp collapse onto one threshold.
    if (out.length === 0 || t > (out[out.length - 1] as number)) out.push(t);
  }
  return out;
}

/** The fill of the region above level k − 1 of n (k = 0: below every level). */
export function contourFill(k: number, n: number): string {
  const t = n > 0 ? k / n : 0;
  const c = FILL_LOW.map((lo, i) => Math.round(lo + ((FILL_HIGH[i] as number) - lo) * t));
  return `rgb(${c.join(', ')})`;
}

/**
 * The regions f ≥ level of each of `levels` (d3-contour's marching squares), in grid coordinates:
 * sample (i, j) at the point (i + 0.5, j + 0.5). Null for a grid too small or of the wrong length.
 */
export function contourPolygons(grid: Omit<SampledSurface, 'domain'>, levels: readonly number[]): ContourMultiPolygon[] | null {
  if (grid.width < 2 || grid.height < 2 || grid.values.length !== grid.width * grid.height) return null;
  // d3-contour only indexes `values` when given explicit thresholds, so a Float64Array serves as
  // well as the number[] its typings ask for, without copying the grid.
  return contours()
    .size([grid.width, grid.height])
    .thresholds(levels as number[])(grid.values as unknown as number[]);
}

/** One contour level as a figure draws it: the region f ≥ level, in data coordinates. */
export interface ContourBand {
  readonly level: number;
  /** The region's fill (contourFill). */
  readonly fill: string;
  /** Its rings (outer edges and holes alike: filled even-odd), each as x0, y0, x1, y1, … */
  readonly rings: readonly (readonly number[])[];
}

/** A surface's contours as plain data (a figure panel's): what lies under every band, and the bands in order. */
export interface SurfaceContours {
  /** The fill below the lowest level. */
  readonly ground: string;
  /** The regions f ≥ level, lowest level first, each inside the one before: painted in order they stack. */
  readonly bands: readonly ContourBand[];
  /** The lines' ink (each band's edge). */
  readonly line: string;
}

/**
 * The contour plot's contours of a sampled surface (levels log-spaced above the minimum, as the app
 * draws them by default), in data coordinates, or null where the grid has no contours (too small,
 * flat).
 */
export function surfaceContours(grid: SampledSurface, minima: readonly Minimum[], log = true): SurfaceContours | null {
  const levels = contourLevels(grid.values, minima, log);
  const polys = levels.length > 0 ? contourPolygons(grid, levels) : null;
  if (!polys) return null;
  const d = grid.domain;
  const sx = (d.xMax - d.xMin) / (grid.width - 1);
  const sy = (d.yMax - d.yMin) / (grid.height - 1);
  const n = levels.length;
  const bands = polys.map((mp, k): ContourBand => {
    const rings: number[][] = [];
    for (const polygon of mp.coordinates) {
      for (const ring of polygon) {
        const flat: number[] = [];
        for (const pt of ring) flat.push(d.xMin + ((pt[0] as number) - 0.5) * sx, d.yMin + ((pt[1] as number) - 0.5) * sy);
        rings.push(flat);
      }
    }
    return { level: levels[k] as number, fill: contourFill(k + 1, n), rings };
  });
  return { ground: contourFill(0, n), bands, line: LINE_INK };
}
