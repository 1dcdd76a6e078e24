import { describe, expect, it } from 'vitest';
import { padRange, panelSvg, pointRadius } from '../../src/view/svg.ts';

describe('padRange (a chart keeps its extremes off the frame)', () => {
  it('widens a linear range by the share of its span at each end', () => {
    const [lo, hi] = padRange(0, 10, false);
    expect(lo).toBeCloseTo(-0.5, 12);
    expect(hi).toBeCloseTo(10.5, 12);
  });
  it('widens a log range in log units, staying positive', () => {
    const [lo, hi] = padRange(1, 100, true);
    expect(Math.log10(lo)).toBeCloseTo(-0.1, 12);
    expect(Math.log10(hi)).toBeCloseTo(2.1, 12);
    const [a, b] = padRange(1.93, 2.28, true);
    expect(a).toBeGreaterThan(0);
    expect(a).toBeLessThan(1.93);
    expect(b).toBeGreaterThan(2.28);
  });
});

describe('padRange on a range it cannot widen', () => {
  it('leaves a range without finite ends, or a log range not above zero, as it is', () => {
    expect(padRange(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, true)).toEqual([Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]);
    expect(padRange(0, 1, true)).toEqual([0, 1]);
    expect(padRange(Number.NaN, 1, false)).toEqual([Number.NaN, 1]);
  });
});

describe('point markers', () => {
  const chart = (n: number): string =>
    panelSvg({ kind: 'chart', title: 't', xLabel: 'x', yLabel: 'y', series: [{ label: 's', x: Array.from({ length: n }, (_, k) => k), y: Array.from({ length: n }, (_, k) => k * k), colour: '#0072b2', points: true }] }, () => '');
  // The plot's markers (clipped to the plot), not the legend's dot.
  const radii = (svg: string): number[] => [...svg.matchAll(/<circle clip-path[^>]* r="([\d.]+)"/g)].map((m) => Number(m[1]));
  it('a few measurements are drawn large enough to read; a scatter of hundreds finer', () => {
    expect(radii(chart(3))).toEqual([4, 4, 4]);
    expect(new Set(radii(chart(40)))).toEqual(new Set([3]));
    expect(new Set(radii(chart(300)))).toEqual(new Set([2.2]));
    expect(pointRadius(12)).toBeGreaterThan(pointRadius(13));
  });
});

describe('a chart of one value', () => {
  // The y tick labels of a chart panel's SVG, top to bottom as drawn (text right-aligned left of the plot).
  const yTicks = (svg: string): number[] => [...svg.matchAll(/<text x="[\d.]+" y="[\d.]+" text-anchor="end">([^<]+)<\/text>/g)].map((m) => Number((m[1] ?? '').replace('−', '-')));
  const flat = (v: number): string =>
    panelSvg({ kind: 'chart', title: 'Learning rate per step', xLabel: 'step', yLabel: 'LR', series: [{ label: 'run', x: [0, 1, 2, 3], y: [v, v, v, v], colour: '#0072b2' }] }, () => '');
  it('draws it in a range of its own size around it, not on the 0 of −1 … 1 (walkthrough 19)', () => {
    const ticks = yTicks(flat(0.01));
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(Math.min(...ticks)).toBeGreaterThan(0);
    expect(Math.max(...ticks)).toBeLessThan(0.02);
    expect(ticks.some((t) => Math.abs(t - 0.01) < 1e-12)).toBe(true);
    // 0 itself keeps −1 … 1.
    expect(Math.min(...yTicks(flat(0)))).toBeLessThan(0);
  });
});
