/**
 * The line charts' vertical scales: a short axis still carries two labelled ticks (the run panel's
 * LR chart, 60-90 px of plot, showed "0" alone under lines at 0.008 and 0.032 in walkthrough 6).
 */
import { describe, expect, it } from 'vitest';
import { chartDomain, yTickCount, yTicks } from '../../src/app/components/canvas-axes.ts';
import { niceDomain } from '../../src/view/ticks.ts';

describe('yTicks', () => {
  it('labels at least two values of a short axis where the nice step leaves one', () => {
    const [lo, hi] = niceDomain(0.0078, 0.032, 'linear', yTickCount(40));
    expect([lo, hi]).toEqual([0, 0.04]);
    expect(yTicks(lo, hi, 'linear', 40).map((t) => t.label)).toEqual(['0', '0.04']);
    // A taller axis keeps its own nice ticks, every one inside the range.
    const tall = yTicks(lo, hi, 'linear', 200);
    expect(tall.length).toBeGreaterThanOrEqual(3);
    for (const t of tall) expect(t.value >= lo && t.value <= hi).toBe(true);
  });

  it('leaves an axis that has two ticks, or one value, as niceTicks gives it', () => {
    expect(yTicks(0.8, 0.9, 'linear', 40).map((t) => t.label)).toEqual(['0.8', '0.9']);
    expect(yTicks(1e-4, 1e-2, 'log', 40).map((t) => t.label)).toEqual(['1e-4', '0.01']);
    expect(yTicks(0.5, 0.5, 'linear', 40).map((t) => t.label)).toEqual(['0.5']);
  });
});

describe('chartDomain', () => {
  it('keeps a line at an end of the range off the frame, by 4% of the range in its own scale', () => {
    // Walkthrough 18: LRs 1e-4 … 10 on a log axis of whole decades put the LR of 10 on the frame.
    const [lo, hi] = chartDomain(1e-4, 10, 'log', 60);
    expect(lo).toBeLessThan(1e-4);
    expect(hi).toBeGreaterThan(10);
    expect(Math.log(hi / 10) / Math.log(hi / lo)).toBeCloseTo(0.04 / 1.08, 10);
    // An end the data do not reach keeps niceDomain's end.
    expect(chartDomain(2e-4, 5, 'log', 60)).toEqual([1e-4, 10]);
    const [a, b] = chartDomain(0, 0.1, 'linear', 100);
    expect(a).toBeCloseTo(-0.004, 12);
    expect(b).toBeCloseTo(0.104, 12);
    expect(chartDomain(0.01, 0.09, 'linear', 100)).toEqual([0, 0.1]);
  });
});
