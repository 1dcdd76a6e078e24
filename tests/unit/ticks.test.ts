/**
 * Axis ticks and compact number labels (src/view/ticks.ts).
 */
import { describe, expect, it } from 'vitest';
import { exactLabel, formatNumber, niceDomain, niceTicks, offsetTicks, type AxisScale, type Tick } from '../../src/view/ticks.ts';

/** The invariants every tick list must satisfy. */
function expectWellFormed(ticks: readonly Tick[], min: number, max: number, maxCount: number): void {
  expect(ticks.length).toBeGreaterThan(0);
  expect(ticks.length).toBeLessThanOrEqual(Math.max(1, maxCount));
  for (const t of ticks) {
    expect(t.value).toBeGreaterThanOrEqual(Math.min(min, max));
    expect(t.value).toBeLessThanOrEqual(Math.max(min, max));
    expect(t.label).not.toBe('');
    expect(t.label).not.toMatch(/NaN|e\+|\.$|\.\d*0$/);
  }
  for (let i = 1; i < ticks.length; i++) {
    expect((ticks[i] as Tick).value).toBeGreaterThan((ticks[i - 1] as Tick).value);
  }
  expect(new Set(ticks.map((t) => t.label)).size).toBe(ticks.length);
}

const labels = (ticks: readonly Tick[]): string[] => ticks.map((t) => t.label);

describe('niceTicks, linear', () => {
  it('uses 1, 2 or 5 × 10^k steps with exact decimal labels', () => {
    expect(labels(niceTicks(0, 1, 'linear', 5))).toEqual(['0', '0.5', '1']);
    expect(labels(niceTicks(0, 1, 'linear', 6))).toEqual(['0', '0.2', '0.4', '0.6', '0.8', '1']);
    expect(labels(niceTicks(0, 0.3, 'linear', 4))).toEqual(['0', '0.1', '0.2', '0.3']);
    expect(niceTicks(0, 0.3, 'linear', 4).map((t) => t.value)).toEqual([0, 0.1, 0.2, 0.3]);
    expect(labels(niceTicks(0, 100, 'linear', 5))).toEqual(['0', '50', '100']);
  });

  it('keeps every invariant over many ranges and counts', () => {
    const ranges: [number, number][] = [
      [0, 1],
      [-3.7, 2.2],
      [-1000, -999.5],
      [1e-9, 3e-9],
      [0.1, 0.30000000000000004],
      [123456, 987654],
      [-2, 2],
      [-1, 3],
      [0.0123400, 0.0123401],
      [1e300, 1e301],
    ];
    for (const [a, b] of ranges) {
      for (const count of [1, 2, 3, 5, 7, 10, 17, 40]) expectWellFormed(niceTicks(a, b, 'linear', count), a, b, count);
    }
  });

  it('handles negative ranges, including a tick at zero without a minus sign', () => {
    const t = niceTicks(-3.7, 2.2, 'linear', 8);
    expect(labels(t)).toEqual(['-3', '-2', '-1', '0', '1', '2']);
    expect(labels(niceTicks(-0.3, -0.1, 'linear', 3))).toEqual(['-0.3', '-0.2', '-0.1']);
  });

  it('gives distinct, readable labels 6 zoom levels deep', () => {
    const t = niceTicks(0.01234, 0.0123401, 'linear', 6);
    expectWellFormed(t, 0.01234, 0.0123401, 6);
    expect(t.length).toBeGreaterThanOrEqual(3);
    expect(labels(t)).toEqual(['0.01234', '0.01234002', '0.01234004', '0.01234006', '0.01234008', '0.0123401']);
    // Each label reads back as its tick's value.
    for (const x of t) expect(Number(x.label)).toBe(x.value);
  });

  it('stays distinct down to the resolution of a double', () => {
    const lo = 1;
    const hi = 1 + 64 * Number.EPSILON;
    const t = niceTicks(lo, hi, 'linear', 10);
    expectWellFormed(t, lo, hi, 10);
  });

  it('returns the single value when min == max, and nothing for non-finite bounds', () => {
    expect(niceTicks(0.1, 0.1, 'linear', 5)).toEqual([{ value: 0.1, label: '0.1' }]);
    expect(niceTicks(-7, -7, 'log', 5)).toEqual([]);
    expect(niceTicks(0, Infinity, 'linear', 5)).toEqual([]);
    expect(niceTicks(NaN, 1, 'linear', 5)).toEqual([]);
  });

  it('accepts reversed bounds', () => {
    expect(niceTicks(1, 0, 'linear', 5)).toEqual(niceTicks(0, 1, 'linear', 5));
  });

  it('caps huge counts and copes with ranges near the largest double', () => {
    const t = niceTicks(0, 1, 'linear', 1e12);
    expect(t.length).toBeLessThanOrEqual(1000);
    expectWellFormed(t, 0, 1, 1000);
    const big = niceTicks(-1e308, 1e308, 'linear', 5);
    expectWellFormed(big, -1e308, 1e308, 5);
    expect(labels(big)).toEqual(['-1e308', '-5e307', '0', '5e307', '1e308']);
  });

  it('writes exponents for large and tiny magnitudes', () => {
    expect(labels(niceTicks(0, 2e5, 'linear', 5))).toEqual(['0', '5e4', '1e5', '1.5e5', '2e5']);
    expect(labels(niceTicks(0, 1e-4, 'linear', 3))).toEqual(['0', '5e-5', '1e-4']);
  });
});

describe('niceTicks, log', () => {
  it('puts ticks at powers of ten over many decades', () => {
    const t = niceTicks(1e-4, 1, 'log', 10);
    expect(t.map((x) => x.value)).toEqual([1e-4, 1e-3, 1e-2, 0.1, 1]);
    expect(labels(t)).toEqual(['1e-4', '0.001', '0.01', '0.1', '1']);
    for (const x of niceTicks(3e-9, 7e4, 'log', 20)) {
      expect(Math.log10(x.value)).toBeCloseTo(Math.round(Math.log10(x.value)), 12);
    }
  });

  it('skips decades evenly when there are more than maxCount', () => {
    const t = niceTicks(1e-12, 1e3, 'log', 6);
    expectWellFormed(t, 1e-12, 1e3, 6);
    expect(t.map((x) => x.value)).toEqual([1e-12, 1e-9, 1e-6, 1e-3, 1, 1e3]);
  });

  it('adds 2 and 5 between decades when the range spans fewer than 3', () => {
    const t = niceTicks(0.003, 0.4, 'log', 10);
    expectWellFormed(t, 0.003, 0.4, 10);
    expect(t.map((x) => x.value)).toEqual([0.005, 0.01, 0.02, 0.05, 0.1, 0.2]);
    // Wider ranges keep to decades.
    expect(niceTicks(1e-5, 1, 'log', 20).every((x) => /^1(e|$)|^0\.0*1$/.test(x.label))).toBe(true);
  });

  it('falls back to linear steps within one decade and stays well formed when zoomed in', () => {
    const t = niceTicks(0.31, 0.38, 'log', 5);
    expectWellFormed(t, 0.31, 0.38, 5);
    expect(t.length).toBeGreaterThanOrEqual(2);
    const deep = niceTicks(0.01234, 0.0123401, 'log', 5);
    expectWellFormed(deep, 0.01234, 0.0123401, 5);
  });

  it('gives a log axis under 3 decades at least 3 labels: 1-3 where 1-2-5 is too many, linear steps within a decade', () => {
    // 2.4 decades at 6 labels: 1-2-5 would be 7, whole decades only 0.001 and 0.01.
    expect(labels(niceTicks(2.9e-4, 0.075, 'log', 6))).toEqual(['3e-4', '0.001', '0.003', '0.01', '0.03']);
    // A span under a decade where 1-2-5 gives one or two marks: a lone 100 (or 100 and 200) says too little.
    expect(labels(niceTicks(70, 160, 'log', 6))).toEqual(['80', '100', '120', '140', '160']);
    expect(labels(niceTicks(60, 250, 'log', 6))).toEqual(['100', '150', '200', '250']);
    expect(labels(niceTicks(7.5, 44, 'log', 6))).toEqual(['10', '20', '30', '40']);
    // Where 1-2-5 already gives 3 or more it stays, as do whole decades over wide ranges.
    expect(labels(niceTicks(0.4, 2.6, 'log', 6))).toEqual(['0.5', '1', '2']);
    expect(labels(niceTicks(0.045, 2.2, 'log', 6))).toEqual(['0.05', '0.1', '0.2', '0.5', '1', '2']);
    expect(labels(niceTicks(1e-4, 1, 'log', 6))).toEqual(['1e-4', '0.001', '0.01', '0.1', '1']);
    // Every range of 0.7 to 3 decades gets at least 3 labels at 6 (narrower ones can get 2, where
    // linear 1-2-5 steps jump from 7 marks to 2: 1.5, 2 over 1.02..2.45).
    for (let lo = -5; lo <= 3; lo += 0.1) {
      for (let span = 0.3; span <= 3; span += 0.1) {
        const t = niceTicks(10 ** lo, 10 ** (lo + span), 'log', 6);
        expectWellFormed(t, 10 ** lo, 10 ** (lo + span), 6);
        expect(t.length, `${10 ** lo}..${10 ** (lo + span)}`).toBeGreaterThanOrEqual(span >= 0.7 ? 3 : 2);
      }
    }
  });

  it('keeps invariants for many log ranges', () => {
    const ranges: [number, number][] = [
      [1e-6, 1],
      [0.5, 2],
      [1, 10],
      [2e-3, 3e-3],
      [1e-300, 1e300],
      [7, 7000],
    ];
    for (const [a, b] of ranges) {
      for (const count of [1, 2, 4, 8, 30]) expectWellFormed(niceTicks(a, b, 'log', count), a, b, count);
    }
  });
});

describe('niceTicks, integer axes', () => {
  it('never puts a tick between two integers', () => {
    // The fractal study's zoom depths 0, 1, 2, padded half a step each side.
    expect(labels(niceTicks(-0.1, 2.1, 'linear', 6, { integer: true }))).toEqual(['0', '1', '2']);
    expect(labels(niceTicks(-0.1, 2.1, 'linear', 6))).toEqual(['0', '0.5', '1', '1.5', '2']);
    expect(labels(niceTicks(-0.05, 1.05, 'linear', 6, { integer: true }))).toEqual(['0', '1']);
    // Wide ranges are unaffected: their steps are integers anyway.
    expect(niceTicks(0, 400, 'linear', 6, { integer: true })).toEqual(niceTicks(0, 400, 'linear', 6));
    // A log axis of box edges 1..4: not 1, 2 (and not 1.5, 2.5 from linear steps).
    expect(labels(niceTicks(1, 4, 'log', 6, { integer: true }))).toEqual(['1', '2', '3', '4']);
    // One tick over 6..9: steps 1 and 2 give too many, 5 none; the middle integer, not 7.5.
    expect(labels(niceTicks(6, 9, 'linear', 1, { integer: true }))).toEqual(['8']);
    // Below 1 a log axis has no integer marks but 1.
    expect(labels(niceTicks(0.2, 30, 'log', 6, { integer: true }))).toEqual(['1', '2', '5', '10', '20']);
    for (const [a, b] of [[-3.7, 2.2], [0, 7], [1, 1e6], [3, 9], [-1000, 1000]] as const) {
      for (const count of [1, 2, 3, 6, 10]) {
        for (const scale of ['linear', 'log'] as const) {
          if (scale === 'log' && a <= 0) continue;
          const t = niceTicks(a, b, scale, count, { integer: true });
          expectWellFormed(t, a, b, count);
          for (const x of t) expect(Number.isInteger(x.value)).toBe(true);
        }
      }
    }
  });

  it('gives ordinary ticks when the range holds no integer', () => {
    expect(labels(niceTicks(0.2, 0.8, 'linear', 4, { integer: true }))).toEqual(labels(niceTicks(0.2, 0.8, 'linear', 4)));
    expect(niceTicks(0.31, 0.38, 'log', 5, { integer: true }).length).toBeGreaterThanOrEqual(2);
  });
});

describe('formatNumber', () => {
  it('is compact', () => {
    expect(formatNumber(1e-4)).toBe('1e-4');
    expect(formatNumber(0.25)).toBe('0.25');
    expect(formatNumber(1.5e6)).toBe('1.5e6');
    expect(formatNumber(-3.2)).toBe('-3.2');
    expect(formatNumber(0.001)).toBe('0.001');
    expect(formatNumber(1 / 3)).toBe('0.3333');
    expect(formatNumber(2.5e-7)).toBe('2.5e-7');
  });

  it('never rounds integers below 1e5 and handles zero and non-finite values', () => {
    expect(formatNumber(12345)).toBe('12345');
    expect(formatNumber(-0)).toBe('0');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(NaN)).toBe('NaN');
    expect(formatNumber(Infinity)).toBe('∞');
    expect(formatNumber(-Infinity)).toBe('-∞');
  });

  it('honours the digit count', () => {
    expect(formatNumber(Math.PI, 2)).toBe('3.1');
    expect(formatNumber(Math.PI, 6)).toBe('3.14159');
  });

  it('exactLabel round-trips', () => {
    for (const x of [0.1, 1 / 3, 1e-20, 123456789.123, -2.5e-300]) expect(Number(exactLabel(x))).toBe(x);
  });
});

describe('niceDomain', () => {
  const cases: [number, number, AxisScale][] = [
    [0.001, 0.1, 'linear'],
    [-3.7, 2.2, 'linear'],
    [3e-7, 12, 'log'],
    [0.3, 0.5, 'log'],
  ];
  it('contains the data', () => {
    for (const [a, b, s] of cases) {
      const [lo, hi] = niceDomain(a, b, s, 5);
      expect(lo).toBeLessThanOrEqual(a);
      expect(hi).toBeGreaterThanOrEqual(b);
      expect(hi).toBeGreaterThan(lo);
    }
  });

  it('grows to tick multiples and decades', () => {
    expect(niceDomain(0.001, 0.1, 'linear', 5)).toEqual([0, 0.1]);
    expect(niceDomain(3e-7, 12, 'log', 5)).toEqual([1e-7, 100]);
    // Only one tick falls inside the data; the domain still grows to the step around it.
    expect(niceDomain(-3.9998, -2.0004, 'linear', 2)).toEqual([-4, -2]);
    expect(niceDomain(0.85, 0.95, 'linear', 4)).toEqual([0.85, 0.95]);
    // Under two decades a log range is padded, not grown to whole decades: 28 ... 381 (four groups'
    // LRs) kept the plot's middle third over 10 ... 1000, with a single tick inside the data.
    const [lo, hi] = niceDomain(28, 381, 'log', 4);
    expect(lo).toBeGreaterThan(20);
    expect(hi).toBeLessThan(500);
    expect(niceTicks(lo, hi, 'log', 4).map((t) => t.label)).toEqual(['50', '100', '200']);
  });

  it('widens degenerate ranges', () => {
    const [lo, hi] = niceDomain(2, 2, 'linear', 5);
    expect(lo).toBeLessThan(2);
    expect(hi).toBeGreaterThan(2);
    const [llo, lhi] = niceDomain(0.01, 0.01, 'log', 5);
    expect(llo).toBeLessThan(0.01);
    expect(lhi).toBeGreaterThan(0.01);
  });
});

describe('offsetTicks (a deep zoom labelled as offsets from a base value)', () => {
  it('labels a range narrower than its values show as offsets upward from a short base at its low end', () => {
    const o = offsetTicks(116.28432642, 116.28432651, 8);
    expect(o.baseLabel).toBe('116.28432642');
    expect(o.ticks.map((t) => t.label)).toEqual(['0', '+2e-8', '+4e-8', '+6e-8', '+8e-8']);
    for (const t of o.ticks) {
      expect(t.value).toBeGreaterThanOrEqual(116.28432642 - 1e-14);
      expect(t.value).toBeLessThanOrEqual(116.28432651 + 1e-14);
    }
    // Each label is short however deep the zoom; the base names the place.
    const deep = offsetTicks(475.40203617461, 475.40203617466, 7);
    expect(deep.baseLabel).toBe('475.40203617461');
    expect(Math.max(...deep.ticks.map((t) => t.label.length))).toBeLessThanOrEqual(6);
    expect(offsetTicks(1, 1, 5).ticks).toEqual([]);
    // Walkthrough 22's zoom: "offset from 112", 0 to +0.001 upward (the base had been 112.001, the ticks down to -0.001).
    const w = offsetTicks(112, 112.00112, 8);
    expect([w.baseLabel, w.ticks.map((t) => t.label)]).toEqual(['112', ['0', '+0.0002', '+0.0004', '+0.0006', '+0.0008', '+0.001']]);
    // Negative ranges too, where rounding the low end would carry it up a digit (review 28).
    for (const [a, b] of [[-100.0003, -99.9995], [-1000.00003, -999.99991], [-0.0100003, -0.0099996], [-3.0000012, -3.0000001]] as const) {
      const o = offsetTicks(a, b, 8);
      expect(o.base, `${a} … ${b}`).toBeLessThanOrEqual(a);
      for (const t of o.ticks) expect(t.label, `${a} … ${b}`).not.toMatch(/^-/);
    }
  });
});
