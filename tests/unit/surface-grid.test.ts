/**
 * The contour plot's surface grid (src/app/surface-grid.ts): layout, float64 values, domains.
 */
import { describe, expect, it } from 'vitest';
import { gridCoord, surfaceGrid } from '../../src/app/surface-grid.ts';
import { makePlan } from '../../src/core/plan.ts';
import type { Domain } from '../../src/core/registry/types.ts';
import { parseSpec } from '../../src/core/spec.ts';

function plan(surface: unknown) {
  return makePlan(parseSpec({ surface, optimizer: { name: 'SGD', lr: 0.001 }, steps: 10 }));
}

/** Index of the smallest value. */
function argmin(v: Float64Array): number {
  let k = 0;
  for (let i = 1; i < v.length; i++) if ((v[i] as number) < (v[k] as number)) k = i;
  return k;
}

describe('surfaceGrid', () => {
  it('covers the surface domain, row 0 at yMin, corners exactly on the domain edges', () => {
    const p = plan('rosenbrock');
    const d = p.surface.domain(p.spec.surface.params);
    const g = surfaceGrid(p, 41, 31);
    expect(g.width).toBe(41);
    expect(g.height).toBe(31);
    expect(g.values.length).toBe(41 * 31);
    expect(g.domain).toEqual(d);
    const f = (x: number, y: number): number => p.surface.value((v) => v, p.P, x, y, p.data);
    expect(g.values[0]).toBe(f(d.xMin, d.yMin));
    expect(g.values[40]).toBe(f(d.xMax, d.yMin));
    expect(g.values[30 * 41]).toBe(f(d.xMin, d.yMax));
    expect(g.values[30 * 41 + 40]).toBe(f(d.xMax, d.yMax));
    // An interior sample, to catch a transposed layout (41 ≠ 31).
    expect(g.values[7 * 41 + 12]).toBe(f(gridCoord(d.xMin, d.xMax, 41, 12), gridCoord(d.yMin, d.yMax, 31, 7)));
  });

  it('has its Rosenbrock minimum at the cell nearest (1, 1)', () => {
    const p = plan('rosenbrock');
    const g = surfaceGrid(p, 81, 81);
    const d = g.domain;
    const k = argmin(g.values);
    const i = k % g.width;
    const j = Math.floor(k / g.width);
    const near = (lo: number, hi: number, n: number, v: number): number => Math.round(((v - lo) / (hi - lo)) * (n - 1));
    expect(i).toBe(near(d.xMin, d.xMax, g.width, 1));
    expect(j).toBe(near(d.yMin, d.yMax, g.height, 1));
  });

  it('evaluates in float64, not the f32 twin', () => {
    const p = plan('rosenbrock');
    const g = surfaceGrid(p, 3, 3, { xMin: 0.1, xMax: 0.3, yMin: 0.1, yMax: 0.3 });
    const x = 0.2;
    const y = 0.2;
    const exact = (1 - x) ** 2 + 100 * (y - x * x) ** 2;
    expect(g.values[4]).toBeCloseTo(exact, 14);
    expect(g.values[4]).not.toBe(p.surface.value(Math.fround, p.P, x, y, p.data));
  });

  it('uses an explicit domain and finds each Himmelblau minimum', () => {
    const p = plan('himmelblau');
    const dom: Domain = { xMin: 2.5, xMax: 3.5, yMin: 1.5, yMax: 2.5 };
    const g = surfaceGrid(p, 11, 11, dom);
    expect(g.domain).toEqual(dom);
    // Himmelblau's minimum (3, 2) is the grid's centre sample.
    expect(argmin(g.values)).toBe(5 * 11 + 5);
    expect(g.values[5 * 11 + 5]).toBeCloseTo(0, 20);
  });

  it('rejects degenerate sizes and domains', () => {
    const p = plan('rosenbrock');
    expect(() => surfaceGrid(p, 1, 10)).toThrow(RangeError);
    expect(() => surfaceGrid(p, 10, 2.5)).toThrow(RangeError);
    expect(() => surfaceGrid(p, 10, 10, { xMin: 1, xMax: 1, yMin: 0, yMax: 1 })).toThrow(RangeError);
    expect(() => surfaceGrid(p, 10, 10, { xMin: 0, xMax: Infinity, yMin: 0, yMax: 1 })).toThrow(RangeError);
  });

  it('gridCoord hits both ends exactly', () => {
    expect(gridCoord(-2, 2, 161, 0)).toBe(-2);
    expect(gridCoord(-2, 2, 161, 160)).toBe(2);
    expect(gridCoord(-2, 2, 161, 80)).toBe(0);
    expect(gridCoord(0.1, 0.7, 7, 6)).toBe(0.7);
  });
});
