/**
 * The app's DOM-free state pieces in Node: the zoom history and the rectangle-to-spec mapping, the
 * progress render throttle, and the memo that keeps what components hand their children stable.
 * (The controllers that touch the page are exercised in tests/browser/app.test.ts.)
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseSpec } from '../../src/core/spec.ts';
import { RenderThrottle } from '../../src/app/controllers/throttle.ts';
import { ZoomController } from '../../src/app/controllers/zoom-controller.ts';
import { memoLast } from '../../src/app/memo.ts';

const SPEC_JSON = {
  surface: { name: 'rosenbrock' },
  optimizer: { name: 'SGD', lr: 0.001, momentum: 0.9 },
  steps: 50,
  sweep: {
    kind: 'grid',
    x: { param: 'optimizer.lr', min: 1e-4, max: 1e-2, count: 3, scale: 'log' },
    y: { param: 'optimizer.momentum', min: 0, max: 0.8, count: 5, scale: 'linear' },
  },
};
const SPEC = parseSpec(SPEC_JSON);

describe('zoom history', () => {
  it('steps back and forward through pushed views, and a new view drops the forward ones', () => {
    const shown: [unknown, boolean][] = [];
    const z = new ZoomController((json, push) => shown.push([json, push]));
    expect([z.canGoBack(), z.canGoForward()]).toEqual([false, false]);
    z.push({ v: 1 });
    z.push({ v: 2 });
    z.push({ v: 3 });
    expect([z.index, z.canGoBack(), z.canGoForward()]).toEqual([2, true, false]);
    z.goHistory(-1);
    z.goHistory(-1);
    expect(z.index).toBe(0);
    expect(shown).toEqual([
      [{ v: 2 }, false],
      [{ v: 1 }, false],
    ]);
    z.goHistory(-1);
    expect(shown.length).toBe(2);
    z.goHistory(1);
    expect(shown.at(-1)).toEqual([{ v: 2 }, false]);
    z.push({ v: 4 });
    expect(z.stack).toEqual([{ v: 1 }, { v: 2 }, { v: 4 }]);
    expect(z.canGoForward()).toBe(false);
  });

  it('turns a dragged rectangle into the same grid over the cells it covers, as a new view', () => {
    const shown: [Record<string, unknown>, boolean][] = [];
    const z = new ZoomController((json, push) => shown.push([json, push]));
    // Cell k is centred on axis value k: x cells 0..2 are 1e-4, 1e-3, 1e-2 (log); y cells 0..4 are 0, 0.2, … 0.8.
    z.zoomTo(SPEC, { x0: 0.5, x1: 1.5, y0: 1.5, y1: 3.5 });
    expect(shown.length).toBe(1);
    const [json, push] = shown[0] as [Record<string, unknown>, boolean];
    expect(push).toBe(true);
    const sweep = json.sweep as { x: { min: number; max: number; count: number; scale: string }; y: { min: number; max: number; count: number } };
    expect(sweep.x.min).toBeCloseTo(1e-4, 15);
    expect(sweep.x.max).toBeCloseTo(1e-3, 15);
    expect([sweep.x.count, sweep.x.scale]).toEqual([3, 'log']);
    expect(sweep.y.min).toBeCloseTo(0.2, 15);
    expect(sweep.y.max).toBeCloseTo(0.6, 15);
    expect(sweep.y.count).toBe(5);
    // An empty rectangle, and a sweep that is not a grid, show nothing.
    z.zoomTo(SPEC, { x0: 1, x1: 1, y0: 0, y1: 4 });
    z.zoomTo(parseSpec({ ...SPEC_JSON, sweep: { kind: 'random', count: 8, dims: [{ param: 'optimizer.lr', min: 1e-4, max: 1e-2, scale: 'log' }] } }), { x0: 0, x1: 2, y0: 0, y1: 2 });
    z.zoomTo(null, { x0: 0, x1: 2, y0: 0, y1: 2 });
    expect(shown.length).toBe(1);
  });
});

describe('progress render throttle', () => {
  afterEach(() => vi.useRealTimers());

  it('asks for at most one render per interval however many reports arrive, and none after cancel', () => {
    vi.useFakeTimers();
    let renders = 0;
    const t = new RenderThrottle({ requestUpdate: () => renders++ } as never, 100);
    for (let k = 0; k < 50; k++) t.request();
    vi.advanceTimersByTime(0);
    expect(renders).toBe(1);
    // 1000 reports over the next second: one render per 100 ms.
    for (let ms = 0; ms < 1000; ms++) {
      t.request();
      vi.advanceTimersByTime(1);
    }
    expect(renders).toBeGreaterThanOrEqual(10);
    expect(renders).toBeLessThanOrEqual(11);
    t.request();
    t.cancel();
    vi.advanceTimersByTime(500);
    const after = renders;
    vi.advanceTimersByTime(500);
    expect(renders).toBe(after);
  });
});

describe('memoLast', () => {
  it('returns the same object until an input changes by identity', () => {
    let calls = 0;
    const f = memoLast((a: object, n: number) => ({ a, n, k: ++calls }));
    const a = {};
    const first = f(a, 1);
    expect(f(a, 1)).toBe(first);
    expect(calls).toBe(1);
    expect(f({}, 1)).not.toBe(first);
    expect(f(a, 2).n).toBe(2);
    expect(calls).toBe(3);
  });
});
