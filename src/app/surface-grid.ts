/**
 * The loss surface sampled on a regular grid, for the contour plot (plain TS: also runs in workers
 * and tests).
 */
import type { Plan } from '../core/plan.ts';
import type { Domain } from '../core/registry/types.ts';
import { f64 } from '../core/registry/surfaces/shared.ts';

/**
 * f sampled on a width × height lattice, row-major: values[j * width + i] = f(x_i, y_j) with
 * x_i = xMin + i·(xMax − xMin)/(width − 1) and y_j likewise, so row 0 is y = yMin (the bottom of a
 * plot) and the outer rows and columns lie exactly on the domain's edges (the same convention as a
 * grid sweep's axis values).
 */
export interface SurfaceGrid {
  readonly width: number;
  readonly height: number;
  readonly values: Float64Array;
  readonly domain: Domain;
}

/** Grid coordinate i of `n` samples spanning [lo, hi]; the ends are exact. */
export function gridCoord(lo: number, hi: number, n: number, i: number): number {
  if (i <= 0) return lo;
  if (i >= n - 1) return hi;
  return lo + (i / (n - 1)) * (hi - lo);
}

/**
 * Evaluates the plan's surface in float64 (the `cpu64` truth, not the f32 twin) on a width × height
 * grid over `domain`, by default the surface's own view for the spec's parameters. Swept surface
 * parameters take the spec's base value. Data-backed surfaces cost width·height·rows operations:
 * keep the grid modest (~200²) for those.
 */
export function surfaceGrid(
  plan: Pick<Plan, 'surface' | 'P' | 'data' | 'spec'>,
  width: number,
  height: number,
  domain?: Domain,
): SurfaceGrid {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 2 || height < 2) {
    throw new RangeError(`surface grid needs integer sizes >= 2, got ${width} × ${height}`);
  }
  const d = domain ?? plan.surface.domain(plan.spec.surface.params);
  if (![d.xMin, d.xMax, d.yMin, d.yMax].every(Number.isFinite) || !(d.xMax > d.xMin) || !(d.yMax > d.yMin)) {
    throw new RangeError(`surface grid needs a finite, non-empty domain, got ${JSON.stringify(d)}`);
  }
  const values = new Float64Array(width * height);
  const xs = new Float64Array(width);
  for (let i = 0; i < width; i++) xs[i] = gridCoord(d.xMin, d.xMax, width, i);
  const { surface, P, data } = plan;
  for (let j = 0; j < height; j++) {
    const y = gridCoord(d.yMin, d.yMax, height, j);
    const row = j * width;
    for (let i = 0; i < width; i++) {
      values[row + i] = surface.value(f64, P, xs[i] as number, y, data);
    }
  }
  return { width, height, values, domain: { xMin: d.xMin, xMax: d.xMax, yMin: d.yMin, yMax: d.yMax } };
}
