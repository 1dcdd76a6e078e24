/**
 * Minima of surfaces without closed-form minima, in float64: damped Newton from seed points,
 * then a filter (converged, positive-definite Hessian, inside the kept region), deduplication and a
 * deterministic order.
 */
import type { Domain, Minimum, SurfaceData, SurfaceDef } from '../types.ts';
import { eigen2, f64 } from './shared.ts';

/** A surface's float64 functions bound to one P vector and data set. */
export interface Smooth {
  value(x: number, y: number): number;
  grad(x: number, y: number, out: Float64Array): void;
  hessian(x: number, y: number, out: Float64Array): void;
}

export function bindF64(
  def: Pick<SurfaceDef, 'value' | 'grad' | 'hessian'>,
  P: Float64Array,
  data: SurfaceData | null,
): Smooth {
  return {
    value: (x, y) => def.value(f64, P, x, y, data),
    grad: (x, y, out) => def.grad(f64, P, x, y, data, out),
    hessian: (x, y, out) => def.hessian(f64, P, x, y, data, out),
  };
}

export interface NewtonOptions {
  /** Longest step taken at once, so a seed does not jump across several basins. */
  readonly maxStep: number;
  readonly maxIter?: number;
}

/**
 * Saddle-free damped Newton: the step uses |eigenvalues| of the Hessian, so it is a descent
 * direction even where the Hessian is indefinite, and an Armijo backtracking line search makes
 * every accepted step decrease f. It therefore runs to minima, not saddles (up to seeds that sit
 * exactly on a saddle's stable manifold, which the positive-definite filter then drops).
 * Returns null when the iteration leaves the finite range.
 */
export function newtonMinimize(f: Smooth, x0: number, y0: number, opts: NewtonOptions): [number, number] | null {
  const g = new Float64Array(2);
  const H = new Float64Array(3);
  let x = x0;
  let y = y0;
  let fx = f.value(x, y);
  const maxIter = opts.maxIter ?? 500;
  for (let it = 0; it < maxIter; it++) {
    f.grad(x, y, g);
    f.hessian(x, y, H);
    const gx = g[0]!;
    const gy = g[1]!;
    if (!Number.isFinite(fx) || !Number.isFinite(gx) || !Number.isFinite(gy)) return null;
    if (gx === 0 && gy === 0) break;
    const e = eigen2(H[0]!, H[1]!, H[2]!);
    if (!Number.isFinite(e.hi) || !Number.isFinite(e.lo)) return null;
    const floor = 1e-12 * Math.max(1, Math.abs(e.hi), Math.abs(e.lo));
    // Components of g along the two eigenvectors, each divided by |eigenvalue|.
    const a = (e.vx * gx + e.vy * gy) / Math.max(Math.abs(e.hi), floor);
    const b = (-e.vy * gx + e.vx * gy) / Math.max(Math.abs(e.lo), floor);
    let dx = -(a * e.vx - b * e.vy);
    let dy = -(a * e.vy + b * e.vx);
    const dn = Math.hypot(dx, dy);
    if (dn > opts.maxStep) {
      dx *= opts.maxStep / dn;
      dy *= opts.maxStep / dn;
    }
    const slope = gx * dx + gy * dy;
    let t = 1;
    let xn = x + dx;
    let yn = y + dy;
    let fn = f.value(xn, yn);
    while (!(fn <= fx + 1e-4 * t * slope) && t > 1e-12) {
      t *= 0.5;
      xn = x + t * dx;
      yn = y + t * dy;
      fn = f.value(xn, yn);
    }
    if (!(fn <= fx)) break; // at the rounding floor of f: the polish below takes over
    const moved = Math.hypot(xn - x, yn - y);
    x = xn;
    y = yn;
    fx = fn;
    if (moved <= 1e-15 * (1 + Math.abs(x) + Math.abs(y))) break;
  }
  return polish(f, x, y);
}

/**
 * Plain Newton steps, which f cannot judge any more once its changes are below rounding: keeps
 * the point of smallest gradient. This is what brings positions to ~1e-15 and |grad| to rounding.
 */
function polish(f: Smooth, x0: number, y0: number): [number, number] | null {
  const g = new Float64Array(2);
  const H = new Float64Array(3);
  let x = x0;
  let y = y0;
  f.grad(x, y, g);
  let best = Math.hypot(g[0]!, g[1]!);
  let bx = x;
  let by = y;
  for (let it = 0; it < 40; it++) {
    f.hessian(x, y, H);
    const det = H[0]! * H[2]! - H[1]! * H[1]!;
    if (!(det > 0 && H[0]! > 0)) break;
    x -= (H[2]! * g[0]! - H[1]! * g[1]!) / det;
    y -= (H[0]! * g[1]! - H[1]! * g[0]!) / det;
    f.grad(x, y, g);
    const n = Math.hypot(g[0]!, g[1]!);
    if (!Number.isFinite(n)) break;
    if (n < best) {
      best = n;
      bx = x;
      by = y;
    } else if (it > 3) {
      break;
    }
  }
  return Number.isFinite(bx) && Number.isFinite(by) ? [bx, by] : null;
}

/** Value and sharpness (largest Hessian eigenvalue) at a point. */
export function minimumAt(f: Smooth, x: number, y: number): Minimum {
  const H = new Float64Array(3);
  f.hessian(x, y, H);
  return { x, y, value: f.value(x, y), sharpness: eigen2(H[0]!, H[1]!, H[2]!).hi };
}

/** Stationary (|grad| below tol) with a positive-definite Hessian. */
export function isStrictMinimum(f: Smooth, x: number, y: number, gradTol: number): boolean {
  const g = new Float64Array(2);
  const H = new Float64Array(3);
  f.grad(x, y, g);
  f.hessian(x, y, H);
  const e = eigen2(H[0]!, H[1]!, H[2]!);
  return Math.hypot(g[0]!, g[1]!) < gradTol && e.lo > 1e-9 * Math.max(1, e.hi);
}

/**
 * Global minimum first: by value, then x, then y. Values equal to ~1e-9 relative count as ties so
 * that rounding noise (e.g. Himmelblau's four zeros, 1e-30 apart) cannot reorder the list.
 */
export function sortMinima(list: Minimum[]): Minimum[] {
  return list.sort((p, q) => {
    const tol = 1e-9 * Math.max(1, Math.abs(p.value), Math.abs(q.value));
    if (Math.abs(p.value - q.value) > tol) return p.value - q.value;
    if (p.x !== q.x) return p.x - q.x;
    return p.y - q.y;
  });
}

export interface SearchOptions extends NewtonOptions {
  /** Minima found outside this region are dropped. */
  readonly keep: Domain;
  /** Points closer than this are one minimum. */
  readonly mergeDistance: number;
  readonly gradTol?: number;
}

/** Runs Newton from every seed and returns the distinct strict minima, sorted (see sortMinima). */
export function searchMinima(f: Smooth, seeds: Iterable<readonly [number, number]>, opts: SearchOptions): Minimum[] {
  const found: Minimum[] = [];
  const gradTol = opts.gradTol ?? 1e-9;
  for (const [sx, sy] of seeds) {
    const p = newtonMinimize(f, sx, sy, opts);
    if (!p) continue;
    const [x, y] = p;
    const k = opts.keep;
    if (!(x >= k.xMin && x <= k.xMax && y >= k.yMin && y <= k.yMax)) continue;
    if (!isStrictMinimum(f, x, y, gradTol)) continue;
    if (found.some((m) => Math.hypot(m.x - x, m.y - y) < opts.mergeDistance)) continue;
    found.push(minimumAt(f, x, y));
  }
  return sortMinima(found);
}

/** An n x n grid of seeds covering a domain, edges included. */
export function gridSeeds(d: Domain, n: number): [number, number][] {
  const out: [number, number][] = [];
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      out.push([d.xMin + ((d.xMax - d.xMin) * i) / (n - 1), d.yMin + ((d.yMax - d.yMin) * j) / (n - 1)]);
    }
  }
  return out;
}

/** The domain grown by `frac` of its size on every side ("inside or near the domain"). */
export function grow(d: Domain, frac: number): Domain {
  const wx = (d.xMax - d.xMin) * frac;
  const wy = (d.yMax - d.yMin) * frac;
  return { xMin: d.xMin - wx, xMax: d.xMax + wx, yMin: d.yMin - wy, yMax: d.yMax + wy };
}
