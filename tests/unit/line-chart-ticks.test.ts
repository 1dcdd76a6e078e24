/**
 * The line charts' vertical scales: a short axis still carries two labelled ticks (the run panel's
 * LR chart, 60-90 px of plot, showed "0" alone under lines at 0.008 and 0.032 in walkthrough 6).
 */
import { describe, expect, it } from 'vitest';
import { yTickCount, yTicks } from '../../src/app/components/canvas-axes.ts';
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
