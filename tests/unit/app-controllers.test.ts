/**
 * The app's DOM-free state pieces in Node: the history bookkeeping behind Back and Forward, the
 * rectangle-to-spec mapping of a zoom, the validation's pass labels and time estimate, the progress
 * render throttle, and the memo that keeps what components hand their children stable.
 * (The controllers that touch the page are exercised in tests/browser/app.test.ts.)
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseSpec } from '../../src/core/spec.ts';
import { RenderThrottle } from '../../src/app/controllers/throttle.ts';
import { ZoomController } from '../../src/app/controllers/zoom-controller.ts';
import { memoByKey, memoLast } from '../../src/app/memo.ts';
import { EditBuffer } from '../../src/app/controllers/edit-buffer.ts';
import { HistoryModel, entryState, readEntryState } from '../../src/app/history-model.ts';
import { PassClock, StageClock, formatDuration, formatRemaining, formatRemainingShort, sweepTimeLeft, validationPasses } from '../../src/app/validation-passes.ts';
import { verdictClass } from '../../src/app/controllers/study-controller.ts';
import { verdictHeadline } from '../../src/studies/run.ts';
import { sweepOf } from '../../src/studies/run.ts';
import { STUDIES } from '../../src/studies/index.ts';
import type { Engine } from '../../src/engine/engine.ts';

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

describe('history (Back and Forward as undo and redo)', () => {
  it('pushes views, steps back and forward, and a new view drops the forward ones', () => {
    const h = new HistoryModel();
    expect([h.canGoBack(), h.canGoForward()]).toEqual([false, false]);
    expect([h.push(), h.push(), h.push()]).toEqual([1, 2, 3]);
    expect([h.canGoBack(), h.canGoForward()]).toEqual([true, false]);
    // Back twice: the browser says where it arrived.
    h.arrive(entryState(2, []));
    h.arrive(entryState(1, ['sweep.x']));
    expect([h.index, h.canGoBack(), h.canGoForward()]).toEqual([1, true, true]);
    h.arrive(entryState(2, []));
    expect(h.canGoForward()).toBe(true);
    // A new view from the middle: Forward has nothing left.
    expect(h.push()).toBe(3);
    expect([h.top, h.canGoForward()]).toEqual([3, false]);
    // An entry the app did not write (a fragment typed by hand) counts as a new view.
    expect(h.arrive(null)).toBe(4);
  });

  it("reads only its own entries' state", () => {
    expect(readEntryState(entryState(3, new Set(['sweep.y'])))).toEqual({ basinlab: 3, handSet: ['sweep.y'] });
    expect(readEntryState(null)).toBeNull();
    expect(readEntryState({ basinlab: -1 })).toBeNull();
    expect(readEntryState({ basinlab: 2, handSet: [1, 'sweep.x'] })).toEqual({ basinlab: 2, handSet: ['sweep.x'] });
  });
});

describe('zoom', () => {
  it('turns a dragged rectangle into the same grid over the cells it covers, as a new view', () => {
    const shown: Record<string, unknown>[] = [];
    const refused: string[] = [];
    const z = new ZoomController((json) => void shown.push(json), (why) => void refused.push(why));
    // Cell k is centred on axis value k: x cells 0..2 are 1e-4, 1e-3, 1e-2 (log); y cells 0..4 are 0, 0.2, … 0.8.
    z.zoomTo(SPEC, { x0: 0.5, x1: 1.5, y0: 1.5, y1: 3.5 });
    expect(shown.length).toBe(1);
    const json = shown[0] as Record<string, unknown>;
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
    expect(refused).toEqual([]);
    // A rectangle finer than float64 resolves (neighbouring cells under 4 float64 steps apart) is
    // refused before it becomes the view (its spec, its link, a step of the history): the reason is said.
    const deep = parseSpec({ ...SPEC_JSON, sweep: { kind: 'grid', x: { param: 'optimizer.lr', min: 0.1, max: 0.1 * (1 + 2 ** -49), count: 3, scale: 'linear' }, y: null } });
    z.zoomTo(deep, { x0: 0.5, x1: 1.5, y0: 0, y1: 1 });
    expect(shown.length).toBe(1);
    expect(refused).toEqual([expect.stringMatching(/^This zoom would be finer than even float64 resolves .*: the view stays as it is\.$/)]);
  });

  it('writes a dragged range with the digits its span needs, as the keyboard zoom does', () => {
    const shown: Record<string, unknown>[] = [];
    const z = new ZoomController((json) => void shown.push(json), (why) => expect.fail(why));
    // Edges inside cells (10^(-4 + 0.37) = 2.344228815319923e-4 and so on): 12 significant digits, as the keyboard writes them, not float noise.
    z.zoomTo(SPEC, { x0: 0.87, x1: 1.93, y0: 1.31, y1: 3.77 });
    const sweep = (shown[0] as { sweep: { x: { min: number; max: number }; y: { min: number; max: number } } }).sweep;
    for (const v of [sweep.x.min, sweep.x.max, sweep.y.min, sweep.y.max]) expect(String(v).replace(/^0\.0*|e.*$|\./g, '').length, String(v)).toBeLessThanOrEqual(12);
    expect(sweep.x.min).toBeCloseTo(10 ** (-4 + 0.37), 6);
    expect(sweep.y.max).toBeCloseTo(0.2 * 3.27, 6);
  });
});

describe('zoom around a cell', () => {
  it('zooms in around the cell as a new view, and says why a view cannot zoom in or out further', () => {
    const shown: Record<string, unknown>[] = [];
    const refused: string[] = [];
    const z = new ZoomController((json) => void shown.push(json), (why) => void refused.push(why));
    z.zoomAround(SPEC, { i: 1, j: 2 }, 0.5);
    expect(shown.length).toBe(1);
    const x = (shown[0] as { sweep: { x: { min: number; max: number } } }).sweep.x;
    // Around lr 1e-3 (the middle of 1e-4 … 1e-2 on a log axis), half the span.
    expect(Math.log10(x.max / x.min)).toBeCloseTo(1, 6);
    expect(x.min).toBeLessThan(1e-3);
    expect(x.max).toBeGreaterThan(1e-3);
    z.zoomAround(null, { i: 0, j: 0 }, 0.5);
    // Past float64: refused with the reason, nothing shown.
    const deep = parseSpec({ ...SPEC_JSON, sweep: { kind: 'grid', x: { param: 'optimizer.lr', min: 0.1, max: 0.1 * (1 + 2 ** -49), count: 3, scale: 'linear' }, y: null } });
    z.zoomAround(deep, { i: 1, j: 0 }, 0.25);
    expect(shown.length).toBe(1);
    expect(refused.length).toBe(1);
    expect(refused[0]).toMatch(/finer than even float64 resolves|cannot zoom in further/);
  });
});

describe('validation a person waits for', () => {
  it('labels its passes by engine, skipping the one already shown', () => {
    expect(validationPasses('gpu', ['cpu', 'cpu64']).map((p) => p.label)).toEqual(['1/2: float32 CPU engine', '2/2: float64 CPU engine']);
    expect(validationPasses('cpu', ['cpu', 'cpu64']).map((p) => p.label)).toEqual(['1/1: float64 CPU engine']);
    expect(validationPasses('gpu', ['cpu', 'cpu64'], true).at(-1)?.label).toMatch(/perturbed starts/);
  });

  it('estimates the time left from the run-steps per second measured, counting the passes to come', () => {
    const c = new PassClock(2, 1000);
    c.begin(0, 10);
    c.progress(50, 10.2);
    // A first report with under a tenth of the pass done: no rate yet.
    expect(c.remaining()).toBeNull();
    c.progress(250, 11);
    // 250 run-steps/s (200 in 0.8 s, from the first report): 750 left of this pass and 1000 of the next.
    expect(c.remaining()).toBeCloseTo(7, 9);
    c.begin(1, 14);
    // The next pass's first report, half of it done a second in: 500 run-steps/s from its start.
    c.progress(500, 15);
    expect(c.remaining()).toBeCloseTo(1, 9);
    // Then from that first report: 400 run-steps in 0.5 s.
    c.progress(900, 15.5);
    expect(c.remaining()).toBeCloseTo(100 / 800, 9);
    // Walkthrough 12: 5 s of start-up before a first report at 1% are no part of the rate ("77 min left", then "2 min").
    const slow = new PassClock(2, 1000);
    slow.begin(0, 0);
    slow.progress(10, 5);
    expect(slow.remaining()).toBeNull();
    slow.progress(260, 6);
    expect(slow.remaining()).toBeCloseTo(1740 / 250, 9);
    // A pass of two chunks reports at half and at the end: it has an estimate from its first report.
    const two = new PassClock(1, 1000);
    two.begin(0, 0);
    two.progress(500, 2);
    expect(two.remaining()).toBeCloseTo(2, 9);
    // However soon: half done 0.3 s in.
    const quick = new PassClock(1, 1000);
    quick.begin(0, 0);
    quick.progress(500, 0.3);
    expect(quick.remaining()).toBeCloseTo(0.3, 9);
    expect([formatRemaining(null), formatRemaining(0.2), formatRemaining(12.1), formatRemaining(300)]).toEqual([
      'estimating time left…',
      'almost done',
      'about 13 s left',
      'about 5 min left',
    ]);
    expect(formatRemaining(3 * 3600)).toBe('about 3 h left');
    // The header's few words (its verdict place while a validation runs).
    expect([null, 0.2, 12.1, 300, 3 * 3600].map(formatRemainingShort)).toEqual(['', 'almost done', '~13 s left', '~5 min left', '~3 h left']);
  });

  it("estimates a sweep's time left from its measured rate, once enough is done, and never for a quick sweep", () => {
    // A digits sweep: 10% done after 12 s, so about 108 s to go (a minute or more: how far, too).
    expect(sweepTimeLeft(1e6, 1e7, 12)).toBe('10%, ~2 min left');
    expect(sweepTimeLeft(5e6, 1e7, 30)).toBe('about 30 s left');
    // Too early: under 5% done, or under a second in.
    expect(sweepTimeLeft(4e5, 1e7, 30)).toBeUndefined();
    expect(sweepTimeLeft(5e6, 1e7, 0.9)).toBeUndefined();
    // A sweep expected to take under 3 s in all says nothing (it would flash by).
    expect(sweepTimeLeft(6e6, 1e7, 1.5)).toBeUndefined();
    // Near the end of a long sweep, and when nothing is measured or it is over.
    expect(sweepTimeLeft(9.99e6, 1e7, 600)).toBe('almost done');
    // Under 5% done, once the rate has been measured for 5 s since the first progress (walkthrough
    // 14: a 30-minute network sweep said nothing for its first minutes): 0.3% in 5.5 s after 0.1% at 0.5 s.
    expect(sweepTimeLeft(3e4, 1e7, 5.5, { done: 1e4, elapsed: 0.5 })).toBe('0.3%, ~42 min left');
    expect(sweepTimeLeft(3e4, 1e7, 4, { done: 1e4, elapsed: 0.5 })).toBeUndefined();
    expect(sweepTimeLeft(0, 1e7, 5)).toBeUndefined();
    expect(sweepTimeLeft(1e7, 1e7, 60)).toBeUndefined();
    expect(sweepTimeLeft(10, 0, 5)).toBeUndefined();
    // Measured from the first progress: 4 s of start-up (data, workers) before 8% came in at 4.4 s,
    // then 10% at 5 s: 0.6 s per 2%, so 27 s to go, not the 45 s the whole time's rate says.
    expect(sweepTimeLeft(1e6, 1e7, 5)).toBe('about 45 s left');
    expect(sweepTimeLeft(1e6, 1e7, 5, { done: 8e5, elapsed: 4.4 })).toBe('about 27 s left');
    // A first progress that is this one (nothing measured since) falls back to the whole time.
    expect(sweepTimeLeft(1e6, 1e7, 5, { done: 1e6, elapsed: 5 })).toBe('about 45 s left');
  });

  it("times a study's stages each from its own start (each stage's progress starts over)", () => {
    const c = new StageClock();
    expect(c.timeLeft(5, 10, 1000)).toBeUndefined();
    c.tick('depth 0', 0);
    c.tick('depth 0', 10_000);
    // Half of depth 0 in 10 s: 10 s to go.
    expect(c.timeLeft(5, 10, 10_000)).toBe('about 10 s left');
    // depth 1 starts at 20 s: a tenth of it 4 s later is 36 s to go, not reckoned from 0.
    c.tick('depth 1', 20_000);
    expect(c.timeLeft(1, 10, 24_000)).toBe('about 36 s left');
    c.reset();
    expect(c.timeLeft(1, 10, 24_000)).toBeUndefined();
  });

  it("counts a study's stages and the time since its run began", () => {
    const c = new StageClock();
    c.reset(5_000);
    c.tick('SGD, seed 0', 5_100);
    c.tick('SGD, seed 0', 9_000);
    c.tick('Adam, seed 0', 12_000);
    expect(c.stages).toBe(2);
    expect(c.elapsed(50_000)).toBe(45);
    c.reset(60_000);
    expect([c.stages, c.elapsed(61_000)]).toEqual([0, 1]);
  });

  it('writes durations to the second under a minute, then in minutes and hours', () => {
    expect([formatDuration(0.4), formatDuration(45), formatDuration(59.6)]).toEqual(['0 s', '45 s', '1 min']);
    expect([formatDuration(190), formatDuration(3599), formatDuration(3600), formatDuration(3900)]).toEqual(['3 min 10 s', '59 min 59 s', '1 h', '1 h 5 min']);
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

describe('memoByKey', () => {
  it('returns the same object while the key is the same, whatever objects carry it', () => {
    let calls = 0;
    const f = memoByKey((o: { s: { name: string } }) => JSON.stringify(o.s), (o) => ({ name: o.s.name, k: ++calls }));
    const first = f({ s: { name: 'rosenbrock' } });
    expect(f({ s: { name: 'rosenbrock' } })).toBe(first);
    expect(calls).toBe(1);
    expect(f({ s: { name: 'himmelblau' } }).name).toBe('himmelblau');
    expect(calls).toBe(2);
  });
});

describe("a study's verdict on the page", () => {
  it('heads a quick run that misses the claim as not shown (amber), and a run of the default size as not holding (red)', () => {
    expect([verdictClass(true, true), verdictHeadline(true, true)]).toEqual(['holds', 'The claim holds on this quick run.']);
    expect([verdictClass(true, false), verdictHeadline(true, false)]).toEqual(['holds', 'The claim holds on this run.']);
    expect(verdictClass(false, true)).toBe('unshown');
    expect(verdictHeadline(false, true)).toMatch(/^The claim is not shown on this quick run, which may be too small to show it: the default size tests it\.$/);
    expect([verdictClass(false, false), verdictHeadline(false, false)]).toEqual(['fails', 'The claim does not hold on this run.']);
  });
});

describe("a running study's progress", () => {
  it('says which sweep of how many: exact, at most (where findings decide), or without a count past it', () => {
    expect(sweepOf(3, { count: 12, atMost: false })).toBe('sweep 3 of 12');
    expect(sweepOf(3, { count: 16, atMost: true })).toBe('sweep 3 of at most 16');
    expect(sweepOf(13, { count: 12, atMost: false })).toBe('sweep 13');
    expect(sweepOf(1, null)).toBe('sweep 1');
  });

  it("counts fractal-boundary's sweeps on the float64 engine alone as it runs them (review 19: 'of at most 2', then 6)", () => {
    const fb = STUDIES.find((s) => s.id === 'fractal-boundary');
    if (!fb) throw new Error('no fractal-boundary');
    const cpu64 = { name: 'cpu64' } as unknown as Engine;
    const cpu = { name: 'cpu' } as unknown as Engine;
    // Quick: two depths; each the float64 sample, its ulp-moved twin and the map.
    expect(fb.sweeps({ quick: true, engine: cpu64 })).toEqual({ count: 6, atMost: true });
    expect(fb.sweeps({ quick: true, engine: cpu, float64: cpu64 })).toEqual({ count: 8, atMost: true });
    expect(fb.sweeps({ quick: true, engine: cpu })).toEqual({ count: 2, atMost: true });
  });

  it('has a count for every study at every size, at least one sweep', () => {
    for (const s of STUDIES)
      for (const ctx of [{ quick: true }, { quick: false }, { quick: false, full: true }]) {
        const n = s.sweeps(ctx);
        expect(Number.isInteger(n.count) && n.count >= 1, `${s.id} ${JSON.stringify(ctx)}: ${n.count}`).toBe(true);
      }
  });
});

describe("the spec editor's edit buffer", () => {
  it('holds an edit until the owner answers, so a second edit builds on the first', () => {
    let updates = 0;
    const host = { addController: () => {}, removeController: () => {}, requestUpdate: () => void updates++, updateComplete: Promise.resolve(true) };
    const b = new EditBuffer<{ lr: number; momentum: number }>(host);
    const given = { lr: 0.1, momentum: 0 };
    expect(b.current(given)).toBe(given);
    b.hold({ ...given, lr: 0.2 });
    expect(updates).toBe(1);
    // The owner has not answered (or kept its last valid value): the next edit starts from the held one.
    const second = { ...(b.current(given) ?? given), momentum: 0.9 };
    expect(second).toEqual({ lr: 0.2, momentum: 0.9 });
    b.answered();
    expect(b.current(given)).toBe(given);
    expect(b.current(null)).toBeNull();
  });
});

describe("a surface validation's message", () => {
  it('gives the shown float32 engine against float64 too, not only against its twin (walkthrough 11)', async () => {
    const { CpuEngine } = await import('../../src/engine/cpu/engine.ts');
    const { validatePlan } = await import('../../src/engine/validation.ts');
    const { surfaceValidationHeadline, surfaceValidationText } = await import('../../src/app/controllers/validation-controller.ts');
    const { makePlan } = await import('../../src/core/plan.ts');
    const plan = makePlan(SPEC);
    const cpu = new CpuEngine('cpu', { workers: 0, spawn: null });
    const cpu64 = new CpuEngine('cpu64', { workers: 0, spawn: null });
    // The shown results as a float32 engine named gpu would hand them (its twin's numbers).
    const shown = { ...(await cpu.run(plan)), engine: 'gpu' as const };
    const run = await validatePlan(plan, [cpu, cpu64], { computed: [shown] });
    expect(run.report.pairs.map((p) => `${p.a}-${p.b}`)).toEqual(['gpu-cpu', 'gpu-cpu64', 'cpu-cpu64']);
    const text = surfaceValidationText(run.report.pairs);
    expect(text).toMatch(/^PASS: gpu vs cpu: same outcome on 100\.00% of runs .* Against float64: gpu vs cpu64: same outcome on \d+\.\d\d% of runs/);
    // Walkthrough 12: the headline in words a student reads, the engines' names in full; the numbers under it.
    expect(surfaceValidationHeadline(run.report.pairs)).toMatch(
      new RegExp(`^The map checks out: run again on the float32 CPU engine, 100\\.00% of the map's ${plan.runs.toLocaleString('en-US')} runs end the same way, and \\d+\\.\\d\\d% on the float64 CPU engine \\(more than twice float32's digits\\)\\.$`),
    );
    expect(text).toMatch(/A run on a basin boundary has a neighbour on the map that ended elsewhere/);
    expect(text).not.toMatch(/e-3\d/);
    const bad = run.report.pairs.map((p, i) => (i === 0 ? { ...p, sameOutcome: 0.9, sameOutcomeOffBoundary: 0.9 } : p));
    expect(surfaceValidationHeadline(bad)).toMatch(/^The check failed: run again on the float32 CPU engine, 90\.00% of the map's \d+ runs end the same way \(at least 99\.50% must\), and .* The numbers below say where they differ\.$/);
    // Without a float32 engine before the twin pair, the first pair is the whole message.
    const plain = await validatePlan(plan, [cpu, cpu64]);
    expect(surfaceValidationText(plain.report.pairs)).not.toContain('Against float64');
  });
});

describe('the message line', () => {
  it("keeps a headline for a long text (a validation's numbers folded under it), dropped by the next thing said", async () => {
    const { MessageLine } = await import('../../src/app/controllers/message.ts');
    const m = new MessageLine({ addController: () => {}, removeController: () => {}, requestUpdate: () => {}, updateComplete: Promise.resolve(true) });
    m.say('PASS: cpu (…) vs cpu64 (…). Whether a run diverged: …', { tone: 'passed', headline: 'PASS: cpu vs cpu64: …' });
    expect([m.headline, m.tone]).toEqual(['PASS: cpu vs cpu64: …', 'passed']);
    m.add(['The selected run was cleared: …']);
    expect([m.headline, m.tone]).toEqual(['', 'notice']);
    m.say('Validation cancelled.');
    expect([m.headline, m.tone, m.text]).toEqual(['', 'notice', 'Validation cancelled.']);
  });

  it('drops routine news when a study opens, and keeps a notice or a verdict (walkthrough 12, review 15)', async () => {
    const { MessageLine } = await import('../../src/app/controllers/message.ts');
    const m = new MessageLine({ addController: () => {}, removeController: () => {}, requestUpdate: () => {}, updateComplete: Promise.resolve(true) });
    m.say('Link to this view copied.', { tone: 'info' });
    m.dropRoutine();
    expect(m.text).toBe('');
    m.say('FAIL: gpu vs cpu: …', { tone: 'notice' });
    m.dropRoutine();
    expect(m.text).toBe('FAIL: gpu vs cpu: …');
  });

  it("withdraws a sweep's note when the sweep ends, leaving what else was said (walkthrough 22)", async () => {
    const { MessageLine } = await import('../../src/app/controllers/message.ts');
    const m = new MessageLine({ addController: () => {}, removeController: () => {}, requestUpdate: () => {}, updateComplete: Promise.resolve(true) });
    m.say('The selected run was cleared.');
    m.add(['This sweep takes about 2 minutes.']);
    m.withdraw('This sweep takes about 2 minutes.');
    expect(m.text).toBe('The selected run was cleared.');
    m.add(['This sweep takes about 2 minutes.']);
    m.say('Run failed: out of memory.');
    m.withdraw('This sweep takes about 2 minutes.');
    expect(m.text).toBe('Run failed: out of memory.');
    m.say('This sweep takes about 2 minutes.');
    m.withdraw('This sweep takes about 2 minutes.');
    expect(m.text).toBe('');
  });
});
