/**
 * Colour bars with values inside them (view/legend.ts rampTicks): a scale of ten decades labelled at
 * its ends only could not be read (walkthrough 7).
 */
import { describe, expect, it } from 'vitest';
import { rampTicks } from '../../src/view/legend.ts';

describe('rampTicks', () => {
  it('places decades inside a log bar, away from its ends, at most four', () => {
    // log10 units: 7.5e-9 ... 15.8.
    const t = rampTicks(Math.log10(7.52e-9), Math.log10(15.8), 'log10');
    expect(t.length).toBeGreaterThanOrEqual(2);
    expect(t.length).toBeLessThanOrEqual(4);
    for (const k of t) {
      expect(k.at).toBeGreaterThan(0.12);
      expect(k.at).toBeLessThan(0.88);
      // Each label is the value at its place on the bar.
      const v = Number(k.label.replace('−', '-'));
      expect(Math.log10(v)).toBeCloseTo(Math.log10(7.52e-9) + k.at * (Math.log10(15.8) - Math.log10(7.52e-9)), 6);
    }
    expect([...t].sort((a, b) => a.at - b.at)).toEqual(t);
  });

  it('labels a linear or percentage bar with nice values, and nothing for an empty range', () => {
    // 40% lies 10% along the bar, beside its '33.3%' end: left to the end's label.
    expect(rampTicks(1 / 3, 1, 'percent').map((k) => k.label)).toEqual(['60%', '80%']);
    expect(rampTicks(0, 200, 'linear').map((k) => [k.label, k.at])).toEqual([['50', 0.25], ['100', 0.5], ['150', 0.75]]);
    expect(rampTicks(1, 1, 'linear')).toEqual([]);
    // Long labels: as many as fit the bar side by side (walkthrough 21: four of 1.5e-12 … 3e-12 ran together).
    const narrow = rampTicks(Math.log10(1.2e-12), Math.log10(3.4e-12), 'log10');
    expect(narrow.length).toBeGreaterThanOrEqual(1);
    expect(narrow.reduce((n, k) => n + k.label.length + 2, 0)).toBeLessThanOrEqual(18);
    expect(rampTicks(Number.NaN, 1, 'log10')).toEqual([]);
  });
});
