/**
 * The loss charts' scale (view/frame.ts lossCurves): above the best known minimum, as the maps colour
 * it, so a surface whose minimum is below 0 (flat_sharp's is −1.1) still has a log chart with its runs on it.
 */
import { describe, expect, it } from 'vitest';
import { lossCurves, LOG_FLOOR } from '../../src/view/frame.ts';
import { makePlan } from '../../src/core/plan.ts';
import { parseSpec } from '../../src/core/spec.ts';

const minimaOf = (name: string) => makePlan(parseSpec({ surface: { name }, optimizer: { name: 'SGD', lr: 0.01 }, steps: 10 })).minima;

describe('loss charts', () => {
  it('draw a negative-minimum surface above its best minimum, on a log axis, floored where a run sits at it', () => {
    const minima = minimaOf('flat_sharp');
    const best = Math.min(...minima.map((m) => m.value));
    expect(best).toBeLessThan(0);
    const c = lossCurves([{ values: Float64Array.from([best + 1, best + 0.01, best, best - 1e-9, Number.NaN]) }], minima);
    expect(c.log).toBe(true);
    expect(c.label).toBe('loss above the best minimum');
    const v = Array.from(c.series[0]?.values ?? []);
    expect(v[0]).toBeCloseTo(1, 12);
    expect(v[1]).toBeCloseTo(0.01, 12);
    // At the minimum, and a float32 hair below it: the floor, not a point lost off a log axis.
    expect([v[2], v[3]]).toEqual([LOG_FLOOR, LOG_FLOOR]);
    expect(Number.isNaN(v[4] as number)).toBe(true);
  });

  it('say "above the best minimum" where it is 0 too, and keep a surface with no known minimum raw, on a linear axis once a loss is not above 0', () => {
    expect(lossCurves([{ values: [1, 0.5] }], minimaOf('quadratic')).label).toBe('loss above the best minimum');
    expect(lossCurves([{ values: [1, 0.5] }], [])).toEqual({ series: [{ values: Float64Array.from([1, 0.5]) }], log: true, label: 'loss' });
    expect(lossCurves([{ values: [1, 0.5] }, { values: [0.2, -0.3] }], []).log).toBe(false);
  });
});
