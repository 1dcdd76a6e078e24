import { describe, expect, it } from 'vitest';
import { TANH64_RANGES, TANH_CAP, tanh64 } from '../../src/core/network/tanh.ts';

// basinlab's own tanh (core/network/tanh.ts), which every CPU network pass uses: its accuracy
// against Math.tanh (V8's fdlibm, within 1 ulp of the true value), its edges and symmetry. The
// WebAssembly lanes equal it bit for bit (tests/engine/net-kernel.test.ts).

const cell = new Float64Array(1);
const bits = new BigInt64Array(cell.buffer);
const ordinal = (v: number): bigint => {
  cell[0] = v;
  return bits[0] as bigint;
};
/** Distance in units in the last place between two finite numbers of the same sign. */
const ulps = (a: number, b: number): number => Math.abs(Number(ordinal(a) - ordinal(b)));

let seed = 12345;
const rnd = (): number => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
};

describe('tanh64', () => {
  it.each(TANH64_RANGES.map(([lo, hi]) => [lo, hi]))('is within 6 ulp of Math.tanh on 200,000 inputs in [%d, %d), most of them within 1 ulp', (lo, hi) => {
    let worst = 0;
    let close = 0;
    const N = 200_000;
    for (let i = 0; i < N; i++) {
      const x = lo + rnd() * (hi - lo);
      const d = ulps(tanh64(x), Math.tanh(x));
      worst = Math.max(worst, d);
      if (d <= 1) close++;
    }
    expect(worst).toBeLessThanOrEqual(6);
    expect(close / N).toBeGreaterThan(0.6);
  });

  it('is odd, bit for bit', () => {
    for (let i = 0; i < 100_000; i++) {
      const x = (rnd() - 0.5) * 50;
      expect(Object.is(tanh64(-x), -tanh64(x))).toBe(true);
    }
  });

  it('keeps the edges: +-0, tiny values, +-1 far out, NaN', () => {
    expect(Object.is(tanh64(0), 0)).toBe(true);
    expect(Object.is(tanh64(-0), -0)).toBe(true);
    for (const x of [5e-324, 1e-300, 1e-20, 2 ** -28, 2 ** -29]) {
      expect(tanh64(x)).toBe(x);
      expect(tanh64(-x)).toBe(-x);
    }
    for (const x of [19.1, TANH_CAP, 100, 1e300, Number.POSITIVE_INFINITY]) {
      expect(tanh64(x)).toBe(1);
      expect(tanh64(-x)).toBe(-1);
    }
    expect(Number.isNaN(tanh64(Number.NaN))).toBe(true);
  });
});
