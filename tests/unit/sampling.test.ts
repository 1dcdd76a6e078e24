import { describe, expect, it } from 'vitest';
import { boxMuller, pcg4d, unitOpen0, unitOpen1 } from '../../src/core/rng.ts';
import { axisValues, randomUnit, scaleUnit, sobolUnit } from '../../src/core/sampling.ts';
import { pcg4dBig } from '../oracles/pcg4d.ts';

describe('pcg4d counter-based generator', () => {
  it('matches a BigInt reference on edge and random inputs', () => {
    const out = new Uint32Array(4);
    const inputs = [
      [0, 0, 0, 0],
      [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
      [1, 2, 3, 4],
      [12345, 1048575, 999, 0x5eed],
    ];
    for (let i = 0; i < 200; i++) inputs.push([i * 2654435761, i, i * 7, i % 5].map((v) => v >>> 0));
    for (const [a, b, c, d] of inputs as [number, number, number, number][]) {
      pcg4d(a, b, c, d, out);
      expect([...out]).toEqual(pcg4dBig(a, b, c, d));
    }
  });

  it('maps words to uniforms that are exact f32 values in the stated intervals', () => {
    for (const w of [0, 1, 255, 256, 0x7fffffff, 0xffffffff]) {
      const a = unitOpen0(w);
      const b = unitOpen1(w);
      expect(a).toBeGreaterThan(0);
      expect(a).toBeLessThanOrEqual(1);
      expect(b).toBeGreaterThanOrEqual(0);
      expect(b).toBeLessThan(1);
      expect(Math.fround(a)).toBe(a);
      expect(Math.fround(b)).toBe(b);
    }
  });

  it('gives standard normals (mean 0, variance 1, independent pair) from Box–Muller', () => {
    const w = new Uint32Array(4);
    const z = new Float64Array(2);
    let s0 = 0, s1 = 0, q0 = 0, q1 = 0, c = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      pcg4d(7, i, 3, 0, w);
      boxMuller((x) => x, w[0] as number, w[1] as number, z);
      const a = z[0] as number, b = z[1] as number;
      s0 += a; s1 += b; q0 += a * a; q1 += b * b; c += a * b;
    }
    // Standard errors: mean 1/sqrt(n) ≈ 0.0032, variance sqrt(2/n) ≈ 0.0045.
    expect(Math.abs(s0 / n)).toBeLessThan(0.015);
    expect(Math.abs(s1 / n)).toBeLessThan(0.015);
    expect(Math.abs(q0 / n - 1)).toBeLessThan(0.02);
    expect(Math.abs(q1 / n - 1)).toBeLessThan(0.02);
    expect(Math.abs(c / n)).toBeLessThan(0.015);
  });
});

describe('sweep sampling', () => {
  it('grid axes hit both endpoints exactly, log axes are geometric', () => {
    const lin = axisValues(0, 0.99, 4, 'linear', false);
    expect(lin[1]).toBeCloseTo(0.33, 14);
    expect(lin[2]).toBeCloseTo(0.66, 14);
    expect(lin[0]).toBe(0);
    expect(lin[3]).toBe(0.99);
    const log = axisValues(1e-4, 1, 5, 'log', false);
    expect(log[0]).toBe(1e-4);
    expect(log[4]).toBe(1);
    for (let i = 1; i < 5; i++) expect((log[i] as number) / (log[i - 1] as number)).toBeCloseTo(10, 10);
    expect([...axisValues(100, 1000, 4, 'linear', true)]).toEqual([100, 400, 700, 1000]);
    expect([...axisValues(3, 7, 1, 'linear', false)]).toEqual([3]);
    // Exact at decades, as numpy's logspace (review 18: exp and log gave 999.9999999999989 for 1000),
    // including negative ones, which V8's 10 ** k misses (10 ** -5 is 9.999999999999999e-6).
    expect([...axisValues(1e-2, 1e6, 9, 'log', false)]).toEqual([0.01, 0.1, 1, 10, 100, 1000, 1e4, 1e5, 1e6]);
    expect([...axisValues(1e-5, 1e-2, 4, 'log', false)]).toEqual([1e-5, 1e-4, 1e-3, 1e-2]);
    // Between decades, geometric to the last bits or so.
    const mid = axisValues(20, 600, 3, 'log', false)[1] as number;
    expect(Math.abs(mid - Math.sqrt(20 * 600)) / mid).toBeLessThan(1e-15);
  });

  it('random points depend only on (seed, run, dim)', () => {
    const a = randomUnit(5, 1000, 2);
    randomUnit(5, 3, 1);
    expect(randomUnit(5, 1000, 2)).toBe(a);
    expect(randomUnit(6, 1000, 2)).not.toBe(a);
    expect(randomUnit(5, 1000, 3)).not.toBe(a);
  });

  it('Sobol points stratify every dyadic interval in each of the four dimensions', () => {
    for (const seed of [0, 1, 42]) {
      for (let dim = 0; dim < 4; dim++) {
        const m = 256;
        const cells = new Set<number>();
        for (let i = 0; i < m; i++) cells.add(Math.floor(sobolUnit(seed, i, dim) * m));
        expect(cells.size).toBe(m);
      }
    }
  });

  it('the first two Sobol dimensions form a (0, m, 2)-net: one point per elementary box', () => {
    const m = 6;
    const n = 2 ** m;
    for (let k = 0; k <= m; k++) {
      const bx = 2 ** k;
      const by = 2 ** (m - k);
      const seen = new Set<number>();
      for (let i = 0; i < n; i++) {
        const cx = Math.floor(sobolUnit(9, i, 0) * bx);
        const cy = Math.floor(sobolUnit(9, i, 1) * by);
        seen.add(cx * by + cy);
      }
      expect(seen.size).toBe(n);
    }
  });

  it('a random 2-D sample is not a net (the control for the test above)', () => {
    const n = 64;
    const seen = new Set<number>();
    for (let i = 0; i < n; i++) seen.add(Math.floor(randomUnit(9, i, 0) * 8) * 8 + Math.floor(randomUnit(9, i, 1) * 8));
    expect(seen.size).toBeLessThan(n);
  });

  it('scales units linearly or logarithmically', () => {
    expect(scaleUnit(0.5, 2, 4, 'linear')).toBe(3);
    expect(scaleUnit(0.5, 1e-4, 1, 'log')).toBeCloseTo(1e-2, 12);
  });
});

describe('division-free log and sincos of the noise generator', () => {
  it('stay within 3e-7 of Math.log / Math.cos / Math.sin in float32', async () => {
    const { logUnit, sincos2pi } = await import('../../src/core/rng.ts');
    const out = new Float64Array(2);
    let worstLog = 0;
    let worstTrig = 0;
    for (let k = 1; k <= 1 << 24; k += 997) {
      const u = k * 2 ** -24;
      worstLog = Math.max(worstLog, Math.abs(logUnit(Math.fround, u) - Math.log(u)) / Math.max(1, Math.abs(Math.log(u))));
      const v = (k - 1) * 2 ** -24;
      sincos2pi(Math.fround, v, out);
      worstTrig = Math.max(worstTrig, Math.abs((out[0] as number) - Math.cos(2 * Math.PI * v)), Math.abs((out[1] as number) - Math.sin(2 * Math.PI * v)));
    }
    expect(worstLog).toBeLessThan(3e-7);
    expect(worstTrig).toBeLessThan(3e-7);
  });
});
