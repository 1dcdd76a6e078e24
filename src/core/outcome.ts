/**
 * Outcome rules, twin of shaders/lib/outcome.wgsl: which known minimum a point is in (within the
 * convergence radius), whether a run has diverged, and the sharpness (largest Hessian eigenvalue).
 */
import type { Lattice, Minimum, Round } from './registry/index.ts';

/** A known minimum's name: "sharp minimum" where the surface names it, else "minimum 2" (its index). */
export function minimumName(m: Minimum | undefined, i: number): string {
  return m?.name !== undefined ? `${m.name} minimum` : `minimum ${i}`;
}

/** A known minimum in a sentence: "the sharp minimum", or "minimum 2" (minimumName). */
export function minimumLabel(m: Minimum | undefined, i: number): string {
  return m?.name !== undefined ? `the ${minimumName(m, i)}` : minimumName(m, i);
}

/** Minima and radius prepared for fast lookup in one precision (positions rounded by `r`). */
export interface BasinTable {
  readonly mx: Float64Array;
  readonly my: Float64Array;
  readonly radius2: number;
  readonly lattice: Lattice | null;
  readonly latticeX0: number;
  readonly latticeY0: number;
  readonly latticeInvStep: number;
}

export function basinTable(r: Round, minima: readonly Minimum[], radius: number, lattice: Lattice | null): BasinTable {
  return {
    mx: Float64Array.from(minima, (m) => r(m.x)),
    my: Float64Array.from(minima, (m) => r(m.y)),
    radius2: r(radius * radius),
    lattice,
    latticeX0: r(lattice?.x0 ?? 0),
    latticeY0: r(lattice?.y0 ?? 0),
    latticeInvStep: r(1 / (lattice?.step ?? 1)),
  };
}

/** WGSL's round(): to nearest, ties to even. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** Index of the minimum within the radius of (x, y), or -1. Same operations as basin_of(). */
export function basinOf(r: Round, t: BasinTable, x: number, y: number): number {
  const lat = t.lattice;
  if (lat) {
    const fi = roundHalfEven(r(r(x - t.latticeX0) * t.latticeInvStep));
    const fj = roundHalfEven(r(r(y - t.latticeY0) * t.latticeInvStep));
    if (!(fi >= 0 && fj >= 0 && fi < lat.nx && fj < lat.ny)) return -1;
    const idx = fj * lat.nx + fi;
    // Typed-array reads use "!": idx is inside the lattice, which holds nx * ny minima.
    const dx = r(x - t.mx[idx]!);
    const dy = r(y - t.my[idx]!);
    return r(r(dx * dx) + r(dy * dy)) <= t.radius2 ? idx : -1;
  }
  const n = t.mx.length;
  for (let m = 0; m < n; m++) {
    const dx = r(x - t.mx[m]!);
    const dy = r(y - t.my[m]!);
    if (r(r(dx * dx) + r(dy * dy)) <= t.radius2) return m;
  }
  return -1;
}

/** A coordinate beyond the bound or not finite (NaN fails both comparisons). */
export function escaped(x: number, y: number, bound: number): boolean {
  return !(Math.abs(x) <= bound && Math.abs(y) <= bound);
}

/** Largest eigenvalue of [[hxx, hxy], [hxy, hyy]], same operations as largest_eigenvalue(). */
export function largestEigenvalue(r: Round, hxx: number, hxy: number, hyy: number): number {
  const mean = r(r(hxx + hyy) * 0.5);
  const half = r(r(hxx - hyy) * 0.5);
  return r(mean + r(Math.sqrt(r(r(half * half) + r(hxy * hxy)))));
}
