/**
 * The explorer's interaction logic in Node, without a DOM: runs carried across sweeps, playback,
 * the path cache and which engine records, hover previews (cancelled when stale), selection and pins
 * surviving edits, live edits, the race, sliders, the heatmap's keys and zoom, and the text
 * alternatives. (What the page does with them is checked in tests/browser/app.test.ts.)
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { axisPosition, cellOfRun, makePlan, middleRun, nearestRun, runCoordinates, runOfCell, sameSetting, scalePosition } from '../../src/core/plan.ts';
import type { AnyPlan, Plan } from '../../src/core/plan.ts';
import type { NetPlan } from '../../src/core/network/plan.ts';
import { makeNetPlan, prepareSpec } from '../../src/core/network/plan.ts';
import { paramLabel, shortParam } from '../../src/view/caption.ts';
import { SCHEDULES, findSchedule } from '../../src/core/registry/index.ts';
import { parseNetSpec, parseSpec, specToJSON } from '../../src/core/spec.ts';
import type { AnySpec } from '../../src/core/spec.ts';
import { APP_MAX_RUNS, appLimitErrors } from '../../src/app/controllers/spec-controller.ts';
import { scheduleCurve } from '../../src/core/steps.ts';
import type { NetTrajectory, Trajectory, TrajectoryRequest } from '../../src/core/trajectory.ts';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';
import type { Engine, RunOptions } from '../../src/engine/engine.ts';
import type { AnyResults, NetResults, Results } from '../../src/core/results.ts';
import { typicalRange } from '../../src/core/typical.ts';
import { formatNumber } from '../../src/view/ticks.ts';
import { pageKey } from '../../src/app/controllers/keyboard-controller.ts';
import { LiveEdit } from '../../src/app/controllers/live-edit.ts';
import { MessageLine } from '../../src/app/controllers/message.ts';
import { toastShown } from '../../src/app/controllers/message-toast.ts';
import { CPU_PATH_MAX_STEPS, TrajectoryCache, pathEngine, previewEngine } from '../../src/app/controllers/paths.ts';
import { PinsController } from '../../src/app/controllers/pins-controller.ts';
import type { FrameClock } from '../../src/app/controllers/playback-controller.ts';
import { PLAY_SECONDS, PlaybackController } from '../../src/app/controllers/playback-controller.ts';
import { PreviewController } from '../../src/app/controllers/preview-controller.ts';
import { exportName } from '../../src/app/controllers/export-controller.ts';
import { LR_TRIES, RaceController, entrantFields, entrantLabel, raceSpec, setEntrantParam } from '../../src/app/controllers/race-controller.ts';
import { SelectionController } from '../../src/app/controllers/selection-controller.ts';
import { carryCursor, heatmapKey } from '../../src/app/heatmap/keys.ts';
import { explainError } from '../../src/app/explain-error.ts';
import { CLICK_PX, releaseOf } from '../../src/app/heatmap/gesture.ts';
import { tidy, zoomAround } from '../../src/app/heatmap/zoom-around.ts';
import { ZoomController } from '../../src/app/controllers/zoom-controller.ts';
import { SELECTED_INK } from '../../src/view/colors.ts';
import { COMPARE_COLOURS, MAX_PINS, carryRun, heatmapAxis, clearedRunsText, movedRunsText, noPlace, runPanelHeading, pathWithin, surfaceCurvePanels, freeColour, longestSteps, pointIndexAt, runLabel } from '../../src/app/runs.ts';
import { CURVE_BOX, SLIDER_STEPS, curvePoints, paramSliders, sliderCurve, sliderPosition, sliderValue } from '../../src/app/sliders.ts';
import { defaultAxisRange, getAt, setAt, switchSchedule } from '../../src/app/spec-edit.ts';
import { axesText, countOutcomes, heatmapSummary, logLrAxis, pathText, runText, scheduleNote, schedulePurpose, scheduleText, sequenceText } from '../../src/app/summary.ts';

const GRID = {
  surface: { name: 'rosenbrock' },
  optimizer: { name: 'SGD', lr: 0.001, momentum: 0.9 },
  steps: 60,
  start: [-1.5, 2],
  sweep: {
    kind: 'grid',
    x: { param: 'optimizer.lr', min: 1e-4, max: 1e-2, count: 9, scale: 'log' },
    y: { param: 'optimizer.momentum', min: 0, max: 0.8, count: 5, scale: 'linear' },
  },
};

function plan(json: Record<string, unknown> = GRID): Plan {
  return makePlan(parseSpec(json));
}

const host = () => ({ updates: 0, addController: () => {}, removeController: () => {}, requestUpdate() { this.updates++; }, updateComplete: Promise.resolve(true) });

/** An engine that records through the float32 CPU engine and counts (and can hold back) its requests. */
class CountingEngine implements Engine {
  readonly inner = new CpuEngine('cpu', { workers: 0, spawn: null });
  requests: number[][] = [];
  gate: Promise<void> | null = null;
  constructor(readonly name: 'cpu' | 'gpu' | 'cpu64' = 'cpu') {}
  /** Sweeps (the race's LR search for a new lane), counted apart from the recorded paths. */
  sweeps = 0;
  run(p: Plan, opts?: RunOptions): Promise<Results>;
  run(p: NetPlan, opts?: RunOptions): Promise<NetResults>;
  run(p: AnyPlan, opts?: RunOptions): Promise<AnyResults>;
  run(p: AnyPlan, opts?: RunOptions): Promise<AnyResults> {
    this.sweeps++;
    return this.inner.run(p, opts);
  }
  trajectories(p: Plan, req: TrajectoryRequest): Promise<Trajectory[]>;
  trajectories(p: NetPlan, req: TrajectoryRequest): Promise<NetTrajectory[]>;
  trajectories(p: AnyPlan, req: TrajectoryRequest): Promise<Trajectory[] | NetTrajectory[]>;
  async trajectories(p: AnyPlan, req: TrajectoryRequest): Promise<Trajectory[] | NetTrajectory[]> {
    this.requests.push([...req.runs]);
    if (this.gate) await this.gate;
    return this.inner.trajectories(p, req);
  }
  deviceResults(): null {
    return null;
  }
  async dispose(): Promise<void> {}
}

const flush = async (): Promise<void> => {
  for (let k = 0; k < 20; k++) await new Promise<void>((r) => setTimeout(r, 0));
};

describe('what the app refuses of a valid spec', () => {
  it('refuses more runs than the page can hold, naming the sweep, the limit and the CLI (walkthrough 8: 16384 x 16384 lost the GPU)', () => {
    const at = (count: number) => parseSpec({ ...GRID, sweep: { ...GRID.sweep, x: { ...GRID.sweep.x, count }, y: { ...GRID.sweep.y, count } } });
    expect(appLimitErrors(at(4096))).toEqual([]);
    const e = appLimitErrors(at(16384));
    expect(e.map((x) => x.path)).toEqual(['sweep']);
    expect(e[0]?.message).toMatch(/^268,435,456 runs is more than the 16,777,216 \(4096 × 4096\) the app holds.*npx basinlab sweep SPEC --out/);
    expect(APP_MAX_RUNS).toBe(4096 * 4096);
  });
});

describe('runs across sweeps', () => {
  it('maps cells and runs both ways, and carries a run to the nearest one of a new sweep', () => {
    const p = plan();
    expect(runOfCell(p, { i: 3, j: 2 })).toBe(2 * 9 + 3);
    expect(cellOfRun(p, 2 * 9 + 3)).toEqual({ i: 3, j: 2 });
    const coords = { 'optimizer.lr': 1e-3, 'optimizer.momentum': 0.4 };
    // lr 1e-3 is x value 4 of 9 (log 1e-4..1e-2), momentum 0.4 is y value 2 of 5.
    expect(carryRun(p, coords)).toBe(2 * 9 + 4);
    // A zoom: the same coordinates on a finer grid.
    const zoomed = plan({ ...GRID, sweep: { kind: 'grid', x: { ...GRID.sweep.x, min: 5e-4, max: 2e-3, count: 3 }, y: { ...GRID.sweep.y, min: 0.3, max: 0.5, count: 3 } } });
    const run = carryRun(zoomed, coords);
    expect(run === null ? null : cellOfRun(zoomed, run)).toEqual({ i: 1, j: 1 });
    // An axis moved to another parameter, for a run whose other values are unknown (a link's): it
    // has no place there (at the spec's start.0 it would be a run nobody picked: walkthrough 7).
    const moved = plan({ ...GRID, sweep: { kind: 'grid', x: { param: 'start.0', min: -2, max: -1, count: 5, scale: 'linear' }, y: GRID.sweep.y } });
    expect(carryRun(moved, coords)).toBeNull();
    expect(clearedRunsText(coords, [], noPlace(moved, null))).toBe('The selected run was cleared: this map sweeps start[0], which it was not picked on.');
    expect(clearedRunsText(coords, [coords, { 'start.0': -1, 'optimizer.momentum': 0.2 }], noPlace(moved, null))).toBe(
      'The selected run and 1 pinned run were cleared: this map sweeps start[0], which they were not picked on.',
    );
    expect(clearedRunsText(null, [coords, coords], noPlace(moved, null))).toBe('2 pinned runs were cleared: this map sweeps start[0], which they were not picked on.');
    // Picked in `p`, where start.0 was -1.5 and lr the spec's 0.001: the same run stands in the new
    // sweep, at start.0 -1.5 and momentum 0.4.
    const there = carryRun(moved, coords, p);
    expect(there === null ? null : runCoordinates(moved, there)).toEqual({ 'start.0': -1.5, 'optimizer.momentum': 0.4 });
    // Another optimiser's runs: none of them is a run of Adam's, on Adam's axes (betas[0] had no value
    // in an SGD run) or on the same ones (walkthrough 10: SGD pins carried to Adam at the same LR).
    const adam = plan({ ...GRID, optimizer: { name: 'Adam', lr: 0.001 }, sweep: { kind: 'grid', x: GRID.sweep.x, y: { param: 'optimizer.betas.0', min: 0, max: 0.99, count: 5, scale: 'linear' } } });
    expect(carryRun(adam, coords, p)).toBeNull();
    expect(clearedRunsText(coords, [], noPlace(adam, p))).toBe("The selected run was cleared: it was SGD's and this map is Adam's.");
    const adamLr = plan({ ...GRID, optimizer: { name: 'Adam', lr: 0.001 }, sweep: { kind: 'grid', x: GRID.sweep.x } });
    expect(carryRun(adamLr, { 'optimizer.lr': 0.01 }, plan({ ...GRID, sweep: { kind: 'grid', x: GRID.sweep.x } }))).toBeNull();
    expect(clearedRunsText(null, [coords, coords], noPlace(adamLr, p))).toBe("2 pinned runs were cleared: they were SGD's and this map is Adam's.");
    // Placed in no plan (a link's run): on Adam's own axes the betas[0] it lacks says so.
    expect(clearedRunsText(coords, [], noPlace(adam, null))).toBe('The selected run was cleared: this map sweeps betas[0], which it was not picked on.');
    // The momentum axis dropped (an LR strip, momentum fixed at the spec's 0.9): a run picked at
    // momentum 0.4 is not in it (review 10); one picked at 0.9 is.
    const lrOnly = plan({ ...GRID, sweep: { kind: 'grid', x: GRID.sweep.x } });
    expect(carryRun(lrOnly, coords, p)).toBeNull();
    expect(clearedRunsText(coords, [], noPlace(lrOnly, p))).toBe("The selected run was cleared: this map holds momentum at 0.9 (the editor's value), not where it was picked.");
    expect(carryRun(lrOnly, { ...coords, 'optimizer.momentum': 0.9 }, p)).not.toBeNull();
    // Picked on a 256-row momentum axis, at the row nearest the editor's 0.9 (0.90157, not 0.9
    // itself: walkthrough 9): the strip's run at momentum 0.9 is in that run's cell.
    const fine = plan({ ...GRID, sweep: { kind: 'grid', x: GRID.sweep.x, y: { param: 'optimizer.momentum', min: 0, max: 0.99, count: 256, scale: 'linear' } } });
    const row = Math.round((0.9 / 0.99) * 255);
    const near = runCoordinates(fine, row * 9 + 4);
    expect(Math.abs((near['optimizer.momentum'] as number) - 0.9)).toBeGreaterThan(1e-4);
    expect(carryRun(lrOnly, near, fine)).not.toBeNull();
    // The next row is not.
    expect(carryRun(lrOnly, runCoordinates(fine, (row + 1) * 9 + 4), fine)).toBeNull();
    // A momentum axis added to an LR strip: the strip's run had the spec's momentum 0.9, a value of the new grid's range.
    const fromStrip = carryRun(p, { 'optimizer.lr': 1e-3 }, lrOnly);
    expect(fromStrip === null ? null : runCoordinates(p, fromStrip)).toEqual({ 'optimizer.lr': expect.closeTo(1e-3, 12), 'optimizer.momentum': 0.8 });
    expect(carryRun(p, { 'optimizer.lr': 1e-3 }, null)).toBeNull();
    // Nothing cleared: no message.
    expect(clearedRunsText(coords, [coords], noPlace(zoomed, p))).toBe('');
    expect(clearedRunsText({}, [], noPlace(moved, null))).toBe('');
    // No sweep: the one run.
    expect(carryRun(plan({ ...GRID, sweep: null }), coords)).toBe(0);
    // A sweep of nothing the run was swept over (start.0 x start.1): no run to carry it to.
    const other = plan({ ...GRID, sweep: { kind: 'grid', x: { param: 'start.0', min: -2, max: -1, count: 5, scale: 'linear' }, y: { param: 'start.1', min: 1, max: 2, count: 5, scale: 'linear' } } });
    expect(carryRun(other, coords)).toBeNull();
    // A run of no sweep (no coordinates): the new sweep's run at the spec's values.
    expect(carryRun(p, {})).toBe(carryRun(p, { 'optimizer.lr': p.P[p.dims[0]?.slot ?? 0] as number, 'optimizer.momentum': p.P[p.dims[1]?.slot ?? 0] as number }));
  });

  it('says when a new sweep shows a selected or pinned run at another run than the one picked (walkthrough 11)', () => {
    const p = plan();
    // Picked on the 9-column LR axis: column 3 and 6.
    const a = runCoordinates(p, 2 * 9 + 3);
    const b = runCoordinates(p, 4 * 9 + 6);
    const runs = [
      { what: 'selected' as const, coords: a, from: p },
      { what: 'pin' as const, coords: b, from: p },
    ];
    const place = (target: Plan) => (c: Readonly<Record<string, number>>, from: Plan | null) => carryRun(target, c, from);
    // The same grid, or a zoom's finer one: each stands within the cell it was picked in.
    expect(movedRunsText(p, runs, place(p))).toBe('');
    const finer = plan({ ...GRID, sweep: { kind: 'grid', x: { ...GRID.sweep.x, min: 1e-3, max: 5e-3, count: 64 }, y: { ...GRID.sweep.y, count: 64 } } });
    expect(movedRunsText(finer, [{ what: 'pin', coords: runCoordinates(p, 2 * 9 + 4), from: p }], place(finer))).toBe('');
    // A coarser LR axis (4 columns): the pin's nearest run lies outside the cell it was picked in
    // (named); the selection's, 0.0004642, inside its cell (half a column of the 9), has not moved.
    const coarse = plan({ ...GRID, sweep: { ...GRID.sweep, x: { ...GRID.sweep.x, count: 4 } } });
    expect(movedRunsText(coarse, runs, place(coarse))).toBe(
      "This sweep has no run where a run was picked, so it is shown at the nearest (a pin: lr 0.003162 → 0.002154): the curves are that run's.",
    );
    const both = movedRunsText(coarse, [...runs, { what: 'pin', coords: runCoordinates(p, 4 * 9 + 1), from: p }], place(coarse));
    expect(both).toMatch(/^This sweep has no run where runs were picked, so they are shown at the nearest \(a pin: lr 0\.003162 → 0\.002154; a pin: lr 1\.778e-4 → 1e-4\): the curves are those runs'\.$/);
    // A run with no place is the cleared message's, not this one's.
    expect(movedRunsText(coarse, runs, () => null)).toBe('');
    // Once shown at its nearest run, the next sweep that has it there says nothing more (walkthrough
    // 18: every later sweep repeated the move); measured from where it was shown, not where picked.
    const shown = carryRun(coarse, b, p) as number;
    const again = [{ what: 'pin' as const, coords: b, from: coarse, shownAt: runCoordinates(coarse, shown) }];
    expect(movedRunsText(coarse, again, place(coarse))).toBe('');
    // Back on the grid it was picked on, it is at its own run again: nothing to say.
    expect(movedRunsText(p, again, place(p))).toBe('');
    // Another sweep that moves it again is said, from where it was picked.
    const two = plan({ ...GRID, sweep: { ...GRID.sweep, x: { ...GRID.sweep.x, count: 2 } } });
    expect(movedRunsText(two, again, place(two))).toBe("This sweep has no run where a run was picked, so it is shown at the nearest (a pin: lr 0.003162 → 0.01): the curves are that run's.");
  });

  it('counts another integer as another setting on an integer axis, whatever cell it falls in (walkthrough 14)', () => {
    const range = { param: 'network.batch_size', min: 1, max: 1000, scale: 'log' as const };
    const from = { mode: 'grid', width: 6, height: 1, dims: [{ path: 'network.batch_size', int: true, range }] };
    // 77 lies in the cell of 63 on a 6-column log axis over 1 … 1000, but is another batch size.
    expect(sameSetting(77, 63, 'network.batch_size', from)).toBe(false);
    expect(sameSetting(63, 63, 'network.batch_size', from)).toBe(true);
    const real = { ...from, dims: [{ path: 'optimizer.lr', int: false, range: { ...range, param: 'optimizer.lr' } }] };
    expect(sameSetting(77, 63, 'optimizer.lr', real)).toBe(true);
  });

  it('names runs by their hyperparameters', () => {
    expect(shortParam('optimizer.lr')).toBe('lr');
    expect(shortParam('optimizer.betas.0')).toBe('betas[0]');
    expect(shortParam('schedule.schedulers.1.T_max')).toBe('T_max');
    expect(shortParam('start.1')).toBe('start[1]');
    expect(runLabel(plan(), 2 * 9 + 4)).toBe('lr=0.001, momentum=0.4');
    expect(runLabel(plan({ ...GRID, sweep: null }), 0)).toBe('SGD');
  });

  it('finds the point a path shows at a step, also for paths recorded every k steps and cut short', () => {
    const steps = Int32Array.from([0, 5, 10, 15, 17]);
    expect([-1, 0, 4, 5, 9, 10, 16, 17, 99].map((t) => pointIndexAt(steps, t))).toEqual([0, 0, 0, 1, 1, 2, 3, 4, 4]);
    expect(pointIndexAt(new Int32Array(0), 3)).toBe(0);
  });

  it('gives compared runs distinct colour-blind-safe colours, the first free one first', () => {
    expect(new Set(COMPARE_COLOURS).size).toBe(COMPARE_COLOURS.length);
    expect(freeColour([])).toBe(COMPARE_COLOURS[0]);
    expect(freeColour([COMPARE_COLOURS[0] as string, COMPARE_COLOURS[2] as string])).toBe(COMPARE_COLOURS[1]);
    expect(COMPARE_COLOURS).toContain(freeColour([...COMPARE_COLOURS]));
  });
});

describe('playback', () => {
  /** A clock whose frames run when the test says. */
  function fakeClock(): FrameClock & { t: number; pending: Map<number, (now: number) => void>; advance(ms: number): void } {
    let id = 0;
    const c = {
      t: 0,
      pending: new Map<number, (now: number) => void>(),
      now: () => c.t,
      request(cb: (now: number) => void) {
        c.pending.set(++id, cb);
        return id;
      },
      cancel(k: number) {
        c.pending.delete(k);
      },
      advance(ms: number) {
        c.t += ms;
        const due = [...c.pending.values()];
        c.pending.clear();
        for (const f of due) f(c.t);
      },
    };
    return c;
  }

  it('plays at a rate that takes a whole run PLAY_SECONDS at speed 1, pauses, steps, seeks and ends at the last step', () => {
    const clock = fakeClock();
    let len = 600;
    const pb = new PlaybackController(() => len, clock);
    let notes = 0;
    const off = pb.subscribe(() => notes++);
    expect(pb.playhead).toBeNull();
    pb.play();
    expect([pb.playing, pb.playhead]).toEqual([true, 0]);
    clock.advance(1000);
    expect(pb.playhead).toBe(Math.floor(600 / PLAY_SECONDS));
    pb.setSpeed(2);
    clock.advance(1000);
    expect(pb.playhead).toBe(Math.floor(600 / PLAY_SECONDS) * 3);
    pb.toggle();
    expect(pb.playing).toBe(false);
    clock.advance(1000);
    expect(pb.playhead).toBe(300);
    pb.step(1);
    pb.step(1);
    pb.step(-1);
    expect(pb.playhead).toBe(301);
    pb.play();
    clock.advance(10_000);
    // It stops at the end, showing the last step, with no frame left pending.
    expect([pb.playing, pb.playhead, clock.pending.size]).toEqual([false, 600, 0]);
    // Playing again from the end starts over; a shorter length clamps the playhead.
    pb.play();
    expect(pb.playhead).toBe(0);
    pb.pause();
    pb.seek(550);
    len = 100;
    expect(pb.playhead).toBe(100);
    pb.stop();
    expect(pb.playhead).toBeNull();
    expect(notes).toBeGreaterThan(5);
    const before = notes;
    off();
    pb.seek(3);
    expect(notes).toBe(before);
  });

  it('does nothing without a path, and steps from an idle playback start at the ends', () => {
    const clock = fakeClock();
    let len = 0;
    const pb = new PlaybackController(() => len, clock);
    pb.play();
    expect([pb.playing, clock.pending.size]).toEqual([false, 0]);
    len = 50;
    pb.step(1);
    expect(pb.playhead).toBe(1);
    pb.stop();
    pb.step(-1);
    expect(pb.playhead).toBe(49);
  });
});

describe('recording paths', () => {
  const engines = { gpu: new CountingEngine('gpu') as Engine, cpu: new CountingEngine('cpu') as Engine, cpu64: new CountingEngine('cpu64') as Engine };

  it('previews on the float32 CPU engine (float64 for a float64 sweep) and records selections on the sweep engine once it is done', () => {
    expect(previewEngine(engines, engines.gpu, 500)).toBe(engines.cpu);
    expect(previewEngine(engines, engines.cpu64, 500)).toBe(engines.cpu64);
    // Runs too long to record on the page's thread go to the GPU.
    expect(previewEngine(engines, engines.gpu, CPU_PATH_MAX_STEPS + 1)).toBe(engines.gpu);
    expect(pathEngine(engines, engines.gpu, false, 500)).toEqual({ engine: engines.gpu, exact: true });
    expect(pathEngine(engines, engines.gpu, true, 500)).toEqual({ engine: engines.cpu, exact: false });
    expect(pathEngine(engines, engines.gpu, true, CPU_PATH_MAX_STEPS + 1)).toEqual({ engine: engines.gpu, exact: true });
    expect(pathEngine(engines, engines.cpu, true, 500)).toEqual({ engine: engines.cpu, exact: true });
    // A GPU lost since the sweep: its float32 twin.
    expect(pathEngine({ ...engines, gpu: null }, engines.gpu, false, 500)).toEqual({ engine: engines.cpu, exact: true });
    expect(pathEngine(engines, null, false, 500)).toBeNull();
  });

  it('caches paths per plan and engine, asks the engine only for the missing runs, and drops the oldest past its budget', async () => {
    const e = new CountingEngine();
    const p = plan();
    const cache = new TrajectoryCache(61 * 3);
    const a = await cache.record(e, p, [1, 2]);
    const b = await cache.record(e, p, [2, 3, 1]);
    expect(e.requests).toEqual([[1, 2], [3]]);
    expect(b.map((t) => t.run)).toEqual([2, 3, 1]);
    expect(b[0]).toBe(a[1]);
    // 61 points a path, room for three: run 4 pushes out the least recently used (2: 1 was used after it).
    await cache.record(e, p, [4]);
    expect(cache.peek(e, p, 2)).toBeUndefined();
    expect(cache.peek(e, p, 1)).toBeDefined();
    // A new plan starts afresh.
    const q = plan();
    expect(cache.peek(e, q, 1)).toBeUndefined();
  });
});

describe('hover preview', () => {
  afterEach(() => vi.useRealTimers());

  it('records the hovered run after a short pause, shows a cached one at once, and drops a stale request', async () => {
    vi.useFakeTimers();
    const cpu = new CountingEngine('cpu');
    const engines = { gpu: null, cpu: cpu as Engine, cpu64: new CountingEngine('cpu64') as Engine };
    const p = plan();
    const sweep = { plan: p as Plan | null, engine: cpu as Engine | null, running: false };
    const h = host();
    const pv = new PreviewController(h, engines, sweep, new TrajectoryCache(), 30);
    pv.hover({ i: 1, j: 1 });
    pv.hover({ i: 2, j: 1 });
    expect(cpu.requests).toEqual([]);
    await vi.advanceTimersByTimeAsync(40);
    // Only the last hovered cell was recorded.
    expect(cpu.requests).toEqual([[11]]);
    expect(pv.trajectory?.run).toBe(11);
    // Back to a cell already recorded: at once, without the engine.
    pv.hover({ i: 3, j: 1 });
    await vi.advanceTimersByTimeAsync(40);
    pv.hover({ i: 2, j: 1 });
    expect(pv.trajectory?.run).toBe(11);
    expect(cpu.requests).toEqual([[11], [12]]);
    // A request overtaken by another hover is dropped when it answers.
    let open: () => void = () => {};
    cpu.gate = new Promise<void>((r) => (open = r));
    pv.hover({ i: 4, j: 1 });
    await vi.advanceTimersByTimeAsync(40);
    pv.hover({ i: 5, j: 1 });
    cpu.gate = null;
    await vi.advanceTimersByTimeAsync(40);
    open();
    await vi.advanceTimersByTimeAsync(0);
    expect(pv.trajectory?.run).toBe(14);
    // Leaving the heatmap clears it; a new sweep re-records the hovered cell on the new plan.
    pv.hover(null);
    expect(pv.trajectory).toBeNull();
    pv.hover({ i: 0, j: 0 });
    await vi.advanceTimersByTimeAsync(40);
    const q = plan({ ...GRID, start: [0, 0] });
    sweep.plan = q;
    pv.rebase();
    await vi.advanceTimersByTimeAsync(40);
    expect(pv.trajectory?.x[0]).toBe(0);
  });
});

describe('selection and pins across edits', () => {
  function setup() {
    const gpu = new CountingEngine('gpu');
    const cpu = new CountingEngine('cpu');
    const engines = { gpu: gpu as Engine, cpu: cpu as Engine, cpu64: new CountingEngine('cpu64') as Engine };
    const h = host();
    const msg = new MessageLine(h);
    const sweep = { plan: plan() as Plan | null, engine: gpu as Engine | null, running: false, columns: null, runsReady: 0 };
    const cache = new TrajectoryCache();
    const sel = new SelectionController(h, engines, msg, sweep, cache);
    const pins = new PinsController(h, engines, msg, sweep, cache);
    return { gpu, cpu, sweep, sel, pins, msg };
  }

  it('keeps the selection at its coordinates through an edit, recording ahead on the CPU while the GPU sweep runs, then on the GPU', async () => {
    const { gpu, cpu, sweep, sel } = setup();
    sel.select({ i: 4, j: 2 });
    await flush();
    expect(gpu.requests).toEqual([[22]]);
    expect([sel.trajectory?.run, sel.source, sel.exact, sel.label]).toEqual([22, 'gpu', true, 'lr=0.001, momentum=0.4']);
    // An edit of the start: a new sweep starts on the GPU.
    const next = plan({ ...GRID, start: [0.5, -0.5] });
    sweep.plan = next;
    sweep.running = true;
    sel.rebase(next);
    await flush();
    expect(cpu.requests).toEqual([[22]]);
    expect([sel.selected, sel.source, sel.exact, sel.trajectory?.x[0]]).toEqual([{ i: 4, j: 2 }, 'cpu', false, 0.5]);
    sweep.running = false;
    sel.settle(next);
    await flush();
    expect(gpu.requests).toEqual([[22], [22]]);
    expect([sel.source, sel.exact]).toEqual(['gpu', true]);
    // A zoom: the nearest cell of the new grid; the coordinates first chosen are kept.
    const zoomed = plan({ ...GRID, sweep: { kind: 'grid', x: { ...GRID.sweep.x, min: 5e-4, max: 2e-3, count: 3 }, y: { ...GRID.sweep.y, min: 0.3, max: 0.5, count: 3 } } });
    sweep.plan = zoomed;
    sel.rebase(zoomed);
    expect(sel.selected).toEqual({ i: 1, j: 1 });
    expect(sel.coords?.['optimizer.lr']).toBeCloseTo(0.001, 15);
    expect(sel.coords?.['optimizer.momentum']).toBeCloseTo(0.4, 15);
    sel.clear();
    expect([sel.selected, sel.trajectory]).toEqual([null, null]);
  });

  it('drops a selected and a pinned run, and the cursor, when a new sweep shares no parameter with theirs', async () => {
    const { sweep, sel, pins } = setup();
    sel.select({ i: 4, j: 2 });
    sel.setHover({ i: 4, j: 2 });
    pins.pin(runOfCell(sweep.plan as Plan, { i: 7, j: 3 }));
    await flush();
    const starts = plan({ ...GRID, sweep: { kind: 'grid', x: { param: 'start.0', min: -2, max: -1, count: 5, scale: 'linear' }, y: { param: 'start.1', min: 1, max: 2, count: 5, scale: 'linear' } } });
    sweep.plan = starts;
    sel.rebase(starts);
    pins.rebase(starts);
    expect([sel.selected, sel.coords, sel.trajectory, sel.hover]).toEqual([null, null, null, null]);
    expect(pins.list).toEqual([]);
  });

  it("places a link's selection and pins on the first plan, two pins on one run as one", async () => {
    const { sweep, sel, pins } = setup();
    const p = sweep.plan as Plan;
    const [a, b] = [runCoordinates(p, 7), runCoordinates(p, 30)];
    sel.restore(b);
    // Two pins whose coordinates fall on one run of this grid (the second a hair off the first).
    pins.restore([a, { ...a, 'optimizer.lr': (a['optimizer.lr'] as number) * (1 + 1e-9) }, b]);
    expect(pins.list.map((x) => x.run)).toEqual([-1, -1, -1]);
    sel.rebase(p);
    pins.rebase(p);
    expect(sel.selected).toEqual(cellOfRun(p, 30));
    expect(pins.list.map((x) => x.run)).toEqual([7, 30]);
    expect(new Set(pins.list.map((x) => x.colour)).size).toBe(2);
  });

  it('pins runs in distinct colours, records them in one request, re-records them after an edit, and unpins', async () => {
    const { gpu, sweep, sel, pins } = setup();
    sel.select({ i: 1, j: 1 });
    await flush();
    pins.pin(sel.runOf({ i: 1, j: 1 }), sel.trajectory);
    pins.pin(runOfCell(sweep.plan as Plan, { i: 7, j: 3 }));
    pins.pin(runOfCell(sweep.plan as Plan, { i: 7, j: 3 }));
    await flush();
    expect(pins.list.length).toBe(2);
    expect(pins.list[0]?.trajectory).toBe(sel.trajectory);
    expect(pins.list.map((p) => p.colour)).toEqual(COMPARE_COLOURS.slice(0, 2));
    expect(pins.list[1]?.label).toBe('lr=0.00562, momentum=0.6');
    const next = plan({ ...GRID, optimizer: { name: 'SGD', lr: 0.001, momentum: 0.9, nesterov: false, dampening: 0.1 } });
    sweep.plan = next;
    pins.rebase(next);
    await flush();
    // One request for both, on the GPU (the sweep is not running here).
    expect(gpu.requests.at(-1)).toEqual([10, 34]);
    expect(pins.list.map((p) => p.trajectory?.run)).toEqual([10, 34]);
    pins.unpin(pins.list[0]?.id ?? -1);
    expect(pins.list.map((p) => p.run)).toEqual([34]);
    // A freed colour is reused first; there are at most MAX_PINS.
    for (let r = 0; r < 10; r++) pins.pin(r);
    expect(pins.list.length).toBe(MAX_PINS);
    expect(pins.list[1]?.colour).toBe(COMPARE_COLOURS[0]);
    expect(pins.full).toBe(true);
    pins.clear();
    expect(pins.list).toEqual([]);
  });
});

describe('live edits', () => {
  it('runs the first edit at once, keeps only the latest while a sweep runs, runs it when the sweep ends, and the final edit at once', () => {
    const applied: [unknown, boolean][] = [];
    const ahead: unknown[] = [];
    let busy = false;
    const live = new LiveEdit((j, f) => applied.push([j, f]), () => busy, (j) => ahead.push(j));
    live.set({ v: 1 }, false);
    busy = true;
    live.set({ v: 2 }, false);
    live.set({ v: 3 }, false);
    expect(applied).toEqual([[{ v: 1 }, false]]);
    expect(ahead).toEqual([{ v: 2 }, { v: 3 }]);
    expect(live.pending).toBe(true);
    live.idle();
    expect(applied.at(-1)).toEqual([{ v: 3 }, false]);
    live.idle();
    expect(applied.length).toBe(2);
    // A sweep cancelled (or failed) drops the edit that waited.
    live.set({ v: 3.5 }, false);
    live.idle(false);
    live.idle();
    expect(applied.length).toBe(2);
    expect(live.pending).toBe(false);
    live.set({ v: 4 }, false);
    live.set({ v: 5 }, true);
    expect(applied.at(-1)).toEqual([{ v: 5 }, true]);
    expect(live.pending).toBe(false);
  });
});

describe('race', () => {
  it('lists each optimiser setting with its value, and edits tuple elements', () => {
    const f = entrantFields('Adam', { lr: 0.1 });
    expect(f.find((x) => x.key === 'lr')?.value).toBe(0.1);
    expect(f.find((x) => x.key === 'betas.1')?.value).toBe(0.999);
    expect(setEntrantParam('Adam', { lr: 0.1 }, 'betas.0', 0.5)).toEqual({ lr: 0.1, betas: [0.5, 0.999] });
    expect(setEntrantParam('Adam', { lr: 0.1 }, 'lr', 0.2)).toEqual({ lr: 0.2 });
    // Switches too: a lane can race Nesterov against heavy-ball momentum, and its name says which.
    const sgd = entrantFields('SGD', { lr: 1e-3, momentum: 0.9 });
    expect(sgd.find((x) => x.key === 'nesterov')).toMatchObject({ kind: 'bool', value: false });
    const nesterov = setEntrantParam('SGD', { lr: 1e-3, momentum: 0.9 }, 'nesterov', true);
    expect(nesterov).toEqual({ lr: 1e-3, momentum: 0.9, nesterov: true });
    expect(entrantFields('SGD', nesterov).find((x) => x.key === 'nesterov')?.value).toBe(true);
    expect(entrantLabel({ optimizer: 'SGD', params: nesterov })).toBe('SGD lr=0.001 momentum=0.9 nesterov');
    expect(entrantLabel({ optimizer: 'SGD', params: { ...nesterov, nesterov: false } })).toBe('SGD lr=0.001 momentum=0.9');
    expect(raceSpec(parseSpec(GRID), { optimizer: 'SGD', params: nesterov }).optimizer).toEqual({ name: 'SGD', lr: 1e-3, momentum: 0.9, nesterov: true });
    // A switch cannot be a tuple element.
    expect(setEntrantParam('Adam', { lr: 0.1 }, 'betas.0', true)).toEqual({ lr: 0.1 });
    const json = raceSpec(parseSpec(GRID), { optimizer: 'RMSprop', params: { lr: 0.01 } });
    expect(json.sweep).toBeUndefined();
    expect(json.optimizer).toEqual({ name: 'RMSprop', lr: 0.01 });
    expect(json.start).toEqual([-1.5, 2]);
  });

  it('records every lane from the spec without its sweep, follows the spec, and reports a lane that cannot run', async () => {
    const e = new CountingEngine();
    const h = host();
    const race = new RaceController(h, () => e);
    race.setBase(parseSpec(GRID));
    expect(e.requests).toEqual([]);
    race.setOpen(true);
    await flush();
    expect(race.lanes.map((l) => l.entrant.optimizer)).toEqual(['SGD', 'Adam', 'RMSprop']);
    expect(race.lanes.every((l) => l.trajectory && l.trajectory.x.length === 61)).toBe(true);
    expect(new Set(race.lanes.map((l) => l.entrant.colour)).size).toBe(3);
    expect(race.lanes[1]?.label).toBe('Adam lr=0.1');
    // The same spec again records nothing; a new start records every lane from it.
    const n = e.requests.length;
    race.setBase(parseSpec(GRID));
    await flush();
    expect(e.requests.length).toBe(n);
    race.setBase(parseSpec({ ...GRID, start: [1.5, -0.5] }));
    await flush();
    expect(race.lanes.map((l) => l.trajectory?.x[0])).toEqual([1.5, 1.5, 1.5]);
    race.setParam(race.lanes[0]?.entrant.id ?? -1, 'lr', -1);
    await flush();
    expect(race.lanes[0]?.error).toMatch(/optimizer\.lr/);
    race.setOptimizer(race.lanes[0]?.entrant.id ?? -1, 'Adagrad');
    await flush();
    // Another optimiser keeps the lane's LR (still invalid here) and drops the settings of the old one.
    expect([race.lanes[0]?.entrant.optimizer, race.lanes[0]?.entrant.params]).toEqual(['Adagrad', { lr: -1 }]);
    expect(race.lanes[0]?.error).toMatch(/optimizer\.lr/);
    race.setParam(race.lanes[0]?.entrant.id ?? -1, 'lr', 0.5);
    await flush();
    expect([race.lanes[0]?.error, race.lanes[0]?.trajectory?.x.length]).toEqual([null, 61]);
    const adding = race.add();
    // While its LR is chosen the new lane says so; recorded, it says nothing of it.
    expect(race.lanes[3]?.tuning).toBe(true);
    await adding;
    await flush();
    expect(race.lanes.length).toBe(4);
    expect(race.lanes[3]?.tuning).toBeFalsy();
    expect(race.lanes[3]?.trajectory).not.toBeNull();
    // The new lane (SGD, the first optimiser not racing) starts at the LR of LR_TRIES over its typical
    // range that ends lowest from this start: one sweep, and no other of those LRs ends lower.
    expect(e.sweeps).toBe(1);
    const added = race.lanes[3]?.entrant;
    expect(added?.optimizer).toBe('SGD');
    const lr = added?.params.lr;
    expect(typeof lr).toBe('number');
    expect(race.lanes[3]?.label).toBe(`SGD lr=${formatNumber(lr as number, 3)}`);
    const base = parseSpec({ ...GRID, start: [1.5, -0.5] });
    const tries = makePlan(parseSpec({ ...raceSpec(base, { optimizer: 'SGD', params: {} }), sweep: { kind: 'grid', x: { ...(typicalRange(base, 'optimizer.lr') as object), count: LR_TRIES, param: 'optimizer.lr' }, y: null } }));
    const res = await new CpuEngine('cpu', { workers: 0, spawn: null }).run(tries);
    const finished = Array.from(res.loss).filter((l, i) => !res.diverged[i] && Number.isFinite(l));
    const at = makePlan(parseSpec(raceSpec(base, { optimizer: 'SGD', params: { lr: lr as number } })));
    const own = await new CpuEngine('cpu', { workers: 0, spawn: null }).run(at);
    // Its LR is the best of the tries rounded to three digits: within a few percent of the best loss.
    expect(own.loss[0] as number).toBeLessThanOrEqual(Math.min(...finished) * 1.05 + 1e-12);
    expect(finished.length).toBeGreaterThan(1);

    race.remove(race.lanes[3]?.entrant.id ?? -1);
    expect(race.lanes.length).toBe(3);
  });
});

describe('sliders', () => {
  it('offers the fixed optimiser parameters, not the swept ones, on ranges that stay put and hold the value', () => {
    const p = plan({ ...GRID, optimizer: { name: 'Adam', lr: 0.001 }, sweep: { kind: 'grid', x: GRID.sweep.x, y: null } });
    const json = specToJSON(p.spec);
    const s = paramSliders(json, p);
    const by = new Map(s.map((m) => [m.path, m]));
    expect(by.has('optimizer.lr')).toBe(false);
    const b0 = by.get('optimizer.betas.0');
    expect(b0 && [b0.min, b0.max, b0.log, b0.value]).toEqual([0, 0.99, false, 0.9]);
    const eps = by.get('optimizer.eps');
    expect(eps?.log).toBe(true);
    expect((eps?.min ?? 0) < 1e-8 && (eps?.max ?? 0) > 1e-8).toBe(true);
    // The range is the default's, so moving the value does not move it.
    const moved = paramSliders({ ...json, optimizer: { ...(json.optimizer as object), eps: 1e-7 } }, p).find((m) => m.path === 'optimizer.eps');
    expect([moved?.min, moved?.max]).toEqual([eps?.min, eps?.max]);
    // A value outside it widens it.
    const wide = paramSliders({ ...json, optimizer: { ...(json.optimizer as object), eps: 0.5 } }, p).find((m) => m.path === 'optimizer.eps');
    expect(wide?.max).toBe(0.5);
  });

  it('maps positions to values on log and linear scales, rounded, inside the allowed range', () => {
    const p = plan({ ...GRID, sweep: { kind: 'grid', x: { param: 'start.0', min: -2, max: 2, count: 3, scale: 'linear' }, y: null } });
    const s = paramSliders(specToJSON(p.spec), p);
    const lr = s.find((m) => m.path === 'optimizer.lr');
    if (!lr) throw new Error('no lr slider');
    expect(lr.log).toBe(true);
    expect(sliderValue(lr, sliderPosition(lr, 0.001))).toBeCloseTo(0.001, 12);
    expect(sliderValue(lr, SLIDER_STEPS)).toBe(lr.max);
    expect(sliderValue(lr, 0)).toBe(lr.min);
    expect(String(sliderValue(lr, 333)).replace(/^0\.0*/, '').replace(/e.*/, '').replace('.', '').length).toBeLessThanOrEqual(3);
    const mom = s.find((m) => m.path === 'optimizer.momentum');
    expect(mom && [mom.log, mom.min, mom.max]).toEqual([false, 0, 0.99]);
    expect(mom && sliderValue(mom, 500)).toBe(0.495);
    // An excluded bound is never produced: a linear slider from an exclusive 0 steps off it.
    const open = { ...lr, log: false, min: 0, max: 1, lowOpen: true };
    expect(sliderValue(open, 0)).toBeGreaterThan(0);
  });

  it("offers the schedule's values under its own heading: integers and log where their ranges say, lengths in the run's steps, not the swept one", () => {
    const sweep = { kind: 'grid', x: { param: 'schedule.gamma', min: 0.1, max: 0.9, count: 3, scale: 'linear' }, y: null };
    const p = plan({ ...GRID, steps: 200, schedule: { name: 'StepLR', step_size: 50, gamma: 0.5 }, sweep });
    const s = paramSliders(specToJSON(p.spec), p);
    const by = new Map(s.map((m) => [m.path, m]));
    expect(by.has('schedule.gamma')).toBe(false);
    const size = by.get('schedule.step_size');
    // StepLR's typical step_size is 0.05 … 1 times the run's 200 steps.
    expect(size && [size.label, size.group, size.int, size.log, size.min, size.max, size.value]).toEqual(['step_size', 'schedule · StepLR', true, false, 10, 200, 50]);
    expect(by.get('optimizer.lr')?.group).toBe('optimizer · SGD');
    expect(size && sliderValue(size, 333)).toBe(73);
    // Not swept: gamma's typical range spans two decades, a log slider.
    const q = plan({ ...GRID, steps: 200, schedule: { name: 'StepLR', step_size: 50, gamma: 0.5 } });
    const gamma = paramSliders(specToJSON(q.spec), q).find((m) => m.path === 'schedule.gamma');
    expect(gamma && [gamma.log, gamma.min, gamma.max, gamma.int]).toEqual([true, 0.01, 1, false]);
  });

  it("labels a composite's children by their place, and offers only values the spec accepts", () => {
    const schedule = { name: 'ChainedScheduler', schedulers: [{ name: 'ConstantLR', factor: 0.5, total_iters: 10 }, { name: 'CosineAnnealingLR', T_max: 100 }] };
    const p = plan({ ...GRID, steps: 80, schedule });
    const json = specToJSON(p.spec);
    const by = new Map(paramSliders(json, p).map((m) => [m.path, m]));
    expect(by.get('schedule.schedulers.0.factor')?.group).toBe('schedulers[0] · ConstantLR');
    const tMax = by.get('schedule.schedulers.1.T_max');
    expect(tMax && [tMax.label, tMax.group]).toEqual(['T_max', 'schedulers[1] · CosineAnnealingLR']);
    // Chained, CosineAnnealingLR must not end within the run: its typical 0.1 … 2 times the steps
    // is cut to start at the steps (ChainedScheduler's childLimits), the first T_max the spec accepts.
    expect(tMax && [tMax.anchor.min, tMax.min, tMax.max]).toEqual([80, 80, 160]);
    expect(() => parseSpec(setAt(json, 'schedule.schedulers.1.T_max', 79))).toThrow(/T_max/);
    // …and only eta_min 0, so no slider for it.
    expect(by.has('schedule.schedulers.1.eta_min')).toBe(false);
    expect(() => parseSpec(setAt(json, 'schedule.schedulers.1.eta_min', 1e-4))).toThrow(/eta_min/);
  });

  it('has none for an optimiser value the schedule sets itself', () => {
    const p = plan({ ...GRID, sweep: { kind: 'grid', x: { param: 'start.0', min: -2, max: 2, count: 3, scale: 'linear' }, y: null }, schedule: { name: 'OneCycleLR', max_lr: 0.01, total_steps: 60 } });
    const paths = paramSliders(specToJSON(p.spec), p).map((m) => m.path);
    // OneCycleLR sets the LR from max_lr and cycles the momentum between base_momentum and max_momentum.
    expect(paths).not.toContain('optimizer.lr');
    expect(paths).not.toContain('optimizer.momentum');
    expect(paths).toEqual(expect.arrayContaining(['schedule.max_lr', 'schedule.base_momentum', 'schedule.max_momentum', 'optimizer.weight_decay']));
    // total_steps below the run's 60 steps is an error: its slider starts there.
    const total = paramSliders(specToJSON(p.spec), p).find((m) => m.path === 'schedule.total_steps');
    expect(total && [total.min, total.max]).toEqual([60, 120]);
  });

  it("gives every schedule's numeric values with an effect a slider inside the allowed range that holds the value", () => {
    const base = { ...GRID, sweep: { kind: 'grid', x: { param: 'start.0', min: -2, max: 2, count: 3, scale: 'linear' }, y: null } };
    const checked: string[] = [];
    const without: string[] = [];
    for (const def of SCHEDULES) {
      // The editor's schedule (a composite with its default children), every optional value set
      // (to the top of its own starting range) so that it has a slider too.
      let json = switchSchedule(base, def.id);
      const kids = getAt(json, 'schedule.schedulers');
      const entries = [
        { prefix: 'schedule', params: def.params },
        ...(Array.isArray(kids) ? kids : []).map((k: { name: string }, i) => ({ prefix: `schedule.schedulers.${i}`, params: findSchedule(k.name)?.params ?? [] })),
      ];
      for (const { prefix, params } of entries) {
        for (const q of params) if (q.kind === 'optional-number' || q.kind === 'optional-int') json = setAt(json, `${prefix}.${q.key}`, defaultAxisRange(json, `${prefix}.${q.key}`).max);
      }
      const p = plan(json);
      const full = specToJSON(p.spec);
      const lr = Array.from(scheduleCurve(p).lr);
      const by = new Map(paramSliders(full, p).map((m) => [m.path, m]));
      for (const { prefix, params } of entries) {
        for (const q of params) {
          if (q.kind !== 'number' && q.kind !== 'int' && q.kind !== 'optional-number' && q.kind !== 'optional-int') continue;
          const path = `${prefix}.${q.key}`;
          const m = by.get(path);
          if (!m) {
            // None only for a value that changes nothing over this run (or that the spec takes no
            // other value of) at the ends of the editor's range for it.
            const r = defaultAxisRange(full, path);
            for (const end of [r.min, r.max]) {
              let other: number[] | null = null;
              try {
                other = Array.from(scheduleCurve(plan(setAt(full, path, end))).lr);
              } catch {
                // The spec rejects it.
              }
              expect(other === null || other.every((x, i) => x === lr[i]), `${def.id}: no slider for ${path}, which changes the LR at ${end}`).toBe(true);
            }
            without.push(`${def.id} ${path}`);
            continue;
          }
          const int = q.kind === 'int' || q.kind === 'optional-int';
          expect([path, m.int, m.label]).toEqual([path, int, q.key]);
          expect(m.min < m.max && m.min <= m.value && m.value <= m.max, path).toBe(true);
          expect(m.min >= q.min && m.max <= q.max && (!m.log || m.min > 0), path).toBe(true);
          for (const pos of [0, SLIDER_STEPS / 2, SLIDER_STEPS]) {
            const v = sliderValue(m, pos);
            expect(v >= q.min && v <= q.max && !(q.minExclusive && v === q.min) && !(q.maxExclusive && v === q.max) && (!int || Number.isInteger(v)), `${path} at ${pos}: ${v}`).toBe(true);
          }
          checked.push(`${def.id} ${path}`);
        }
      }
    }
    expect(checked.length).toBeGreaterThan(40);
    // E.g. CyclicLR's gamma scales only the exp_range mode; chained, CosineAnnealingLR takes only eta_min 0.
    expect(without).toEqual(expect.arrayContaining(['CyclicLR schedule.gamma', 'ChainedScheduler schedule.schedulers.1.eta_min']));
    expect(without.length).toBeLessThan(10);
  });
});

describe('heatmap keys and zoom', () => {
  it('tells a click from a drag by screen pixels: a list band one cell high clicks through vertical jitter and never zooms', () => {
    // A 256 x 256 grid on 560 px; a one-row strip; a random sweep's band of 64 runs, 96 px tall.
    const grid = { width: 256, height: 256, pxPerCellX: 560 / 256, pxPerCellY: 560 / 256, oneRow: false, listRow: false };
    const list = { width: 64, height: 1, pxPerCellX: 560 / 64, pxPerCellY: 96, oneRow: false, listRow: true };
    const strip = { width: 64, height: 1, pxPerCellX: 560 / 64, pxPerCellY: 36, oneRow: true, listRow: false };
    // Jitter under CLICK_PX in both directions is a click on the pressed cell.
    expect(releaseOf({ x: 10.2, y: 20.5, x1: 11.5, y1: 21.9 }, grid)).toEqual({ kind: 'click', cell: { i: 10, j: 20 } });
    // Review 11: a band 96 px tall moved by 2 px (0.02 of its one cell) was a drag, then dropped.
    expect(releaseOf({ x: 5.5, y: 0.4, x1: 5.6, y1: 0.42 }, list)).toEqual({ kind: 'click', cell: { i: 5, j: 0 } });
    expect(releaseOf({ x: 5.5, y: 0.1, x1: 5.5, y1: 0.9 }, list)).toEqual({ kind: 'click', cell: { i: 5, j: 0 } });
    // A real drag across a list band: nothing (no zoom is offered there); across a grid or strip: a zoom.
    expect(releaseOf({ x: 5, y: 0.5, x1: 20, y1: 0.5 }, list)).toEqual({ kind: 'none' });
    expect(releaseOf({ x: 5, y: 0.5, x1: 20, y1: 0.2 }, strip)).toEqual({ kind: 'zoom', zoom: { x0: 5, x1: 20, y0: 0, y1: 1 } });
    expect(releaseOf({ x: 100, y: 30, x1: 50, y1: 300 }, grid)).toEqual({ kind: 'zoom', zoom: { x0: 50, x1: 100, y0: 30, y1: 256 } });
    // CLICK_PX is the boundary, in pixels whatever the cell size.
    expect(releaseOf({ x: 0, y: 0, x1: (CLICK_PX - 0.01) / grid.pxPerCellX, y1: 0 }, grid).kind).toBe('click');
    expect(releaseOf({ x: 0, y: 0, x1: (CLICK_PX + 0.01) / grid.pxPerCellX, y1: 0 }, grid).kind).toBe('zoom');
  });

  it('moves a cursor (from the middle at first), selects with Enter, zooms with + and −, and leaves other keys alone', () => {
    expect(heatmapKey('ArrowRight', false, null, 9, 5)).toEqual({ kind: 'move', cell: { i: 4, j: 2 } });
    expect(heatmapKey('ArrowRight', false, { i: 4, j: 2 }, 9, 5)).toEqual({ kind: 'move', cell: { i: 5, j: 2 } });
    expect(heatmapKey('ArrowUp', false, { i: 4, j: 2 }, 9, 5)).toEqual({ kind: 'move', cell: { i: 4, j: 3 } });
    expect(heatmapKey('ArrowDown', true, { i: 4, j: 2 }, 9, 5)).toEqual({ kind: 'move', cell: { i: 4, j: 0 } });
    expect(heatmapKey('ArrowLeft', true, { i: 4, j: 2 }, 9, 5)).toEqual({ kind: 'move', cell: { i: 0, j: 2 } });
    expect(heatmapKey('End', false, { i: 4, j: 2 }, 9, 5)).toEqual({ kind: 'move', cell: { i: 8, j: 2 } });
    expect(heatmapKey('Enter', false, { i: 4, j: 2 }, 9, 5)).toEqual({ kind: 'select', cell: { i: 4, j: 2 } });
    expect(heatmapKey('+', false, { i: 1, j: 1 }, 9, 5)).toEqual({ kind: 'zoom', cell: { i: 1, j: 1 }, factor: 0.5 });
    expect(heatmapKey('-', false, { i: 1, j: 1 }, 9, 5)).toEqual({ kind: 'zoom', cell: { i: 1, j: 1 }, factor: 2 });
    expect(heatmapKey('a', false, null, 9, 5)).toBeNull();
    expect(heatmapKey(' ', false, null, 9, 5)).toBeNull();
  });

  it('zooms in around the cursor within the view, and out within the parameters allowed ranges', () => {
    const spec = parseSpec(GRID);
    const inJson = zoomAround(spec, { i: 4, j: 2 }, 0.5);
    const zin = parseSpec(inJson).sweep as { x: { min: number; max: number; count: number; scale: string }; y: { min: number; max: number } };
    // x: log 1e-4..1e-2 centred on 1e-3, half the decades: 10^-3.5 .. 10^-2.5.
    expect(zin.x.min).toBeCloseTo(10 ** -3.5, 12);
    expect(zin.x.max).toBeCloseTo(10 ** -2.5, 12);
    expect([zin.x.count, zin.x.scale]).toEqual([9, 'log']);
    expect([zin.y.min, zin.y.max]).toEqual([0.2, 0.6]);
    // At an edge the window slides inside the view.
    const edge = parseSpec(zoomAround(spec, { i: 0, j: 0 }, 0.5)).sweep as { x: { min: number; max: number }; y: { min: number; max: number } };
    expect(edge.x.min).toBeCloseTo(1e-4, 15);
    expect([edge.y.min, edge.y.max]).toEqual([0, 0.4]);
    // Out: twice the span, never below momentum's 0 or an LR of 0.
    const out = parseSpec(zoomAround(spec, { i: 4, j: 0 }, 2)).sweep as { x: { min: number; max: number }; y: { min: number; max: number } };
    expect(out.x.min).toBeCloseTo(1e-5, 15);
    expect(out.x.max).toBeCloseTo(1e-1, 12);
    expect([out.y.min, out.y.max]).toEqual([0, 1.6]);
    // Not a grid: nothing.
    expect(zoomAround(parseSpec({ ...GRID, sweep: null }), { i: 0, j: 0 }, 0.5)).toBeNull();
    // Deep in: the range is tidied to its own span, so each press keeps halving it down to float64's
    // last digits (a fixed 12 digits stopped at a span of 1e-10 here).
    let deep = parseSpec({ ...GRID, sweep: { kind: 'grid', x: { param: 'start.0', min: 116.2843, max: 116.2844, count: 9, scale: 'linear' }, y: null } });
    for (let press = 0; press < 30; press++) {
      const next = zoomAround(deep, { i: 3, j: 0 }, 0.5);
      if (!next) throw new Error(`press ${press}: refused`);
      deep = parseSpec(next);
    }
    const d = deep.sweep as { x: { min: number; max: number } };
    expect(d.x.max - d.x.min).toBeGreaterThan(0);
    expect(d.x.max - d.x.min).toBeLessThan(1e-4 * 0.5 ** 28);
    expect(tidy(116.28432642413371, 1e-5)).toBe(116.28432642413);
    expect(tidy(116.28432642413371, 1e-12)).toBe(116.28432642413371);
    expect(tidy(0.2, 0.4)).toBe(0.2);
  });

  it('keeps the keyboard cursor on the same point when the axes change, and drops it when the new map does not hold it', () => {
    const lr = { label: 'lr', min: 1e-4, max: 1e-2, scale: 'log' as const, count: 9 };
    const mom = { label: 'momentum', min: 0, max: 0.8, scale: 'linear' as const, count: 5 };
    // Zoomed in around cell (4, 2) by + (the view above): the same point is the new map's centre.
    const zin = { x: { ...lr, min: 10 ** -3.5, max: 10 ** -2.5 }, y: { ...mom, min: 0.2, max: 0.6 } };
    expect(carryCursor({ i: 4, j: 2 }, { x: lr, y: mom }, zin)).toEqual({ i: 4, j: 2 });
    // Cell (2, 1) is lr 10^-3.5, momentum 0.2: the new map's bottom-left corner.
    expect(carryCursor({ i: 2, j: 1 }, { x: lr, y: mom }, zin)).toEqual({ i: 0, j: 0 });
    // Outside the zoomed window, or another parameter on an axis: no cursor.
    expect(carryCursor({ i: 0, j: 2 }, { x: lr, y: mom }, zin)).toBeNull();
    expect(carryCursor({ i: 4, j: 2 }, { x: lr, y: mom }, { x: lr, y: { ...mom, label: 'dampening' } })).toBeNull();
    // Another count over the same range: the nearest cell to the same point.
    expect(carryCursor({ i: 4, j: 2 }, { x: lr, y: mom }, { x: { ...lr, count: 101 }, y: mom })).toEqual({ i: 50, j: 2 });
    // A one-row sweep (no y axis) becoming a map, and back.
    expect(carryCursor({ i: 4, j: 0 }, { x: lr, y: null }, { x: lr, y: mom })).toBeNull();
    expect(carryCursor({ i: 4, j: 0 }, { x: lr, y: null }, { x: { ...lr, max: 1e-3 }, y: null })).toEqual({ i: 8, j: 0 });
  });

  it('plays with Space unless a control takes it, and cancels with Escape', () => {
    expect(pageKey(' ', 'CANVAS', false, false)).toBe('toggle-play');
    expect(pageKey(' ', 'DIV', false, false)).toBe('toggle-play');
    expect(pageKey(' ', 'BUTTON', false, false)).toBeNull();
    expect(pageKey(' ', 'input', false, false)).toBeNull();
    expect(pageKey(' ', 'DIV', true, false)).toBeNull();
    expect(pageKey('Escape', 'INPUT', false, false)).toBe('cancel');
    expect(pageKey(' ', 'DIV', false, true)).toBeNull();
    expect(pageKey('x', 'DIV', false, false)).toBeNull();
  });
});

describe('the schedule chart', () => {
  it("says it is drawn at the middle run's values when the map sweeps what shapes it, naming them; nothing otherwise", () => {
    // GRID sweeps lr and momentum with a constant LR: the momentum is not drawn, so not named.
    // No schedule, no chart: nothing to say of it; the heading's sentence says the LR is the run's own.
    expect(scheduleNote(plan())).toBe('');
    expect(scheduleText(plan(), false)).toBe("No schedule: every step uses the run's own lr (the map sweeps it).");
    expect(scheduleText(plan({ ...GRID, sweep: { kind: 'grid', x: { param: 'start.0', min: -1, max: 1, count: 3, scale: 'linear' }, y: null } }), false)).toBe(`No schedule: every step uses the run's own lr (${GRID.optimizer.lr}).`);
    expect(scheduleText(plan(), true)).toBe('No schedule: each lane of the race keeps its own lr at every step.');
    // The race: its lanes run the schedule from their own LRs, unless the schedule sets the LR itself.
    expect(scheduleText(plan({ ...GRID, schedule: { name: 'StepLR', step_size: 10 } }), true)).toBe("Drawn at the editor's LR; each lane of the race runs this schedule from its own LR.");
    expect(scheduleText(plan({ ...GRID, sweep: null, schedule: { name: 'OneCycleLR', max_lr: 0.01, total_steps: 60 } }), true)).toMatch(/^OneCycleLR sets the LR of every lane/);
    expect(scheduleText(plan({ ...GRID, schedule: { name: 'StepLR', step_size: 10 } }), false)).toBe(scheduleNote(plan({ ...GRID, schedule: { name: 'StepLR', step_size: 10 } })));
    expect(scheduleNote(plan({ ...GRID, schedule: { name: 'StepLR', step_size: 10 } }))).toBe("Drawn at lr 0.001, the middle run's; the map sweeps it: click a cell for its run's own LR.");
    // The middle run's, not the spec's stored LR (0.005 here, which no run has: walkthrough 18); the chart draws that run's curve.
    const stored = plan({ ...GRID, optimizer: { name: 'SGD', lr: 0.005, momentum: 0.9 }, schedule: { name: 'StepLR', step_size: 10 } });
    expect(scheduleNote(stored)).toMatch(/^Drawn at lr 0\.001, the middle run's;/);
    expect(scheduleCurve(stored, 'f64', middleRun(stored)).lr[0]).toBeCloseTo(1e-3, 15);
    expect(middleRun(stored)).toBe(2 * 9 + 4);
    // A random sweep's run ⌊N/2⌋ is one draw, named by its index (review 26).
    const random = plan({ ...GRID, schedule: { name: 'StepLR', step_size: 10 }, sweep: { kind: 'random', count: 64, seed: 1, dims: [{ param: 'optimizer.lr', min: 1e-4, max: 1e-2, scale: 'log' }] } });
    expect(scheduleNote(random)).toMatch(/^Drawn at lr [\d.e-]+, run 32's; the map sweeps it/);
    expect(sliderCurve(random)?.middleName).toBe('run 32');
    const starts = { ...GRID, sweep: { kind: 'grid', x: { param: 'start.0', min: -1, max: 1, count: 3, scale: 'linear' }, y: null } };
    expect(scheduleNote(plan(starts))).toBe('');
    // A schedule that follows the loss: the chart's flat line is only where every run starts.
    const plateau = plan({ ...starts, schedule: { name: 'ReduceLROnPlateau' } });
    expect(scheduleNote(plateau)).toMatch(/^ReduceLROnPlateau cuts the LR when a run's loss .* each run's LR is its own\. The line is the LR every run starts from; click a cell for its run's LR per step\.$/);
    expect(scheduleNote(plan({ ...GRID, schedule: { name: 'ReduceLROnPlateau' } }))).toMatch(/its run's LR per step\. Drawn at lr /);
    const cyclic = { ...GRID, schedule: { name: 'OneCycleLR', max_lr: 0.01, total_steps: GRID.steps }, sweep: { kind: 'grid', x: { param: 'schedule.max_lr', min: 1e-3, max: 0.1, count: 3, scale: 'log' }, y: { param: 'schedule.max_momentum', min: 0.85, max: 0.99, count: 3, scale: 'linear' } } };
    expect(scheduleNote(plan(cyclic))).toBe("Drawn at max_lr 0.01, max_momentum 0.92, the middle run's; the map sweeps them: click a cell for its run's own LR.");
    // With a run selected, its own LR is already drawn (walkthrough 16).
    expect(scheduleNote(plan(cyclic), true)).toBe("Drawn at max_lr 0.01, max_momentum 0.92, the middle run's; the map sweeps them: the selected run's own LR is drawn with its loss per step.");
  });

  it('says what the schedule does and what it is for (every schedule has a purpose), and why SGD has no stability lines under one (walkthrough 12)', () => {
    for (const d of SCHEDULES) expect(d.purpose, d.id).toMatch(/^[A-Z].{30,300}\.$/);
    const cosine = plan({ ...GRID, schedule: { name: 'CosineAnnealingLR', T_max: GRID.steps } });
    const def = findSchedule('CosineAnnealingLR');
    expect(schedulePurpose(cosine)).toEqual({ purpose: `${def?.purpose} The map's dashed stability lines are limits for a constant LR, so none is drawn under a schedule.`, exactly: def?.doc });
    expect(schedulePurpose(plan({ ...GRID, optimizer: { name: 'Adam', lr: 0.01 }, sweep: null, schedule: { name: 'StepLR', step_size: 10 } }))?.purpose).not.toMatch(/stability lines/);
    expect(schedulePurpose(plan(GRID))).toBeNull();
  });

  it("names a SequentialLR's phases, and says where torch starts them from another LR than the optimizer's (walkthrough 16: a double warm-up drawn without a word)", () => {
    const seq = (schedulers: object[], milestones: number[]) => sequenceText(parseSpec({ ...GRID, sweep: null, optimizer: { name: 'SGD', lr: 0.001 }, schedule: { name: 'SequentialLR', milestones, schedulers } }));
    const warm = { name: 'LinearLR', start_factor: 0.1, total_iters: 30 };
    expect(seq([warm, { name: 'CosineAnnealingLR', T_max: GRID.steps - 30 }], [30])).toBe(`Here: LinearLR for steps 0–29, then CosineAnnealingLR from step 30.`);
    expect(seq([warm, { name: 'OneCycleLR', max_lr: 0.005, total_steps: GRID.steps, cycle_momentum: false }], [30])).toBe(
      "Here: LinearLR for steps 0–29, then OneCycleLR from step 30. torch's OneCycleLR sets the LR every scheduler starts from (initial_lr) to max_lr / div_factor = 2e-4 when it is built, and SequentialLR starts from it: the schedulers before it run from there, not from the optimizer's lr (0.001), and the OneCycleLR warms up again when its turn comes.",
    );
    expect(seq([{ name: 'CyclicLR', base_lr: 0.002, max_lr: 0.02, step_size_up: 5, cycle_momentum: false }, { name: 'ExponentialLR', gamma: 0.99 }], [30])).toMatch(/CyclicLR, first, sets the LR every scheduler starts from to its base_lr \(0\.002\): the optimizer's lr \(0\.001\) is not used\.$/);
    expect(seq([warm, { name: 'StepLR', step_size: 10 }], [GRID.steps + 5])).toBe(`Here: LinearLR for steps 0–${GRID.steps - 1}, then StepLR (after the run's last step: never reached).`);
    expect(sequenceText(parseSpec({ ...GRID, schedule: { name: 'StepLR', step_size: 10 } }))).toBe('');
  });

  it('draws the LR on a log axis where it stays positive and a linear one would flatten a quarter of it to 0; linear where it reaches 0, and for a cosine', () => {
    expect(logLrAxis([0.1, 0.01, 0.001])).toBe(true);
    // One step in five under 5% of the top: a linear axis flattens too little of it to need a log one.
    expect(logLrAxis([0.1, 0.08, 0.06, 0.04, 0.002])).toBe(false);
    expect(logLrAxis([0.1, 0.01, 0])).toBe(false);
    const curve = (spec: Record<string, unknown>): Float64Array => scheduleCurve(plan({ ...GRID, ...spec, steps: 500, sweep: null })).lr;
    // StepLR x0.1 every 100 steps and a long ExponentialLR: most of the curve under 5% of its top.
    expect(logLrAxis(curve({ schedule: { name: 'StepLR', step_size: 100, gamma: 0.1 } }))).toBe(true);
    expect(logLrAxis(curve({ schedule: { name: 'ExponentialLR', gamma: 0.98 } }))).toBe(true);
    // Walkthrough 12: a cosine to eta_min 0 ends at ~1e-9 of its top, and a log axis drew its half
    // cosine as flat, then a cliff; a one-cycle's warm-up as a bump.
    expect(logLrAxis(curve({ schedule: { name: 'CosineAnnealingLR', T_max: 500 } }))).toBe(false);
    expect(logLrAxis(curve({ schedule: { name: 'OneCycleLR', max_lr: 0.01, total_steps: 500 } }))).toBe(false);
    // Every schedule as the editor proposes it (review 15: its ExponentialLR, down 100x, ends at 99.1x
    // its last LR drawn, and its MultiStepLR's two x0.1 drops at 99.99999999999994: both were linear).
    const proposed = (id: string): boolean => logLrAxis(scheduleCurve(plan(switchSchedule({ ...GRID, steps: 500, sweep: null }, id))).lr);
    const logs = SCHEDULES.map((d) => d.id).filter(proposed);
    expect(logs.sort()).toEqual(['ExponentialLR', 'MultiStepLR', 'StepLR']);
  });
});

describe('the message line', () => {
  it('clears when a sweep starts, except a message about the edit that started it, which the next sweep clears', () => {
    const m = new MessageLine(host());
    m.say('Link to this view copied.');
    m.runStarts();
    expect(m.text).toBe('');
    m.say('The map\'s axes moved with that edit.', { aboutNextRun: true });
    m.runStarts();
    expect(m.text).toBe('The map\'s axes moved with that edit.');
    m.runStarts();
    expect(m.text).toBe('');
    // What a sweep's start adds (runs it cleared, the engine it chose) goes beside what is said, not over it.
    m.say('The map\'s axes moved with that edit.', { aboutNextRun: true });
    m.runStarts();
    m.add(['', 'The selected run was cleared.']);
    m.add(['Running on the float64 CPU engine.']);
    expect(m.text).toBe('The map\'s axes moved with that edit. The selected run was cleared. Running on the float64 CPU engine.');
    m.add(['']);
    expect(m.text).toBe('The map\'s axes moved with that edit. The selected run was cleared. Running on the float64 CPU engine.');
  });
});

describe("the schedule's curve under its sliders", () => {
  const parse = (pts: string): [number, number][] => pts.split(' ').map((p) => p.split(',').map(Number) as [number, number]);
  it("draws the schedule's LR over the run in its box, from the editor's LR, log where the chart is", () => {
    const step = plan({ ...GRID, steps: 200, schedule: { name: 'StepLR', step_size: 50, gamma: 0.1 } });
    const c = sliderCurve(step);
    if (!c) throw new Error('no curve');
    const lr = scheduleCurve(step).lr;
    expect([c.min, c.max, c.steps, c.log]).toEqual([Math.min(...lr), Math.max(...lr), 200, logLrAxis(lr)]);
    expect(c.max).toBeCloseTo(GRID.optimizer.lr, 15);
    const pts = parse(c.points);
    // 200 steps, one column each; four plateaus, each a decade lower: on a log scale, equal drops.
    expect(pts.length).toBe(200);
    expect(pts.every(([x, y]) => x >= 0 && x <= CURVE_BOX.width && y >= 0 && y <= CURVE_BOX.height)).toBe(true);
    const ys = [...new Set(pts.map(([, y]) => y))];
    expect(ys.length).toBe(4);
    expect(ys[1]! - ys[0]!).toBeCloseTo(ys[3]! - ys[2]!, 0);
    // No schedule (or a loss-driven one): nothing to draw.
    expect(sliderCurve(plan())).toBeNull();
  });

  it("draws a swept value that feeds the schedule at its axis's middle, and says so (walkthrough 18)", () => {
    // The stored LR (0.005) is no run's: the curve is the middle run's, lr 1e-3 on the log axis 1e-4 … 1e-2.
    const swept = plan({ ...GRID, optimizer: { name: 'SGD', lr: 0.005, momentum: 0.9 }, schedule: { name: 'StepLR', step_size: 20, gamma: 0.5 } });
    const c = sliderCurve(swept);
    expect(c?.max).toBeCloseTo(1e-3, 15);
    expect(c?.middle).toBe('lr 0.001');
    // A swept schedule value (T_max 10 … 50, integer): the middle is 30, and the curve reaches eta_min at step 30.
    const tmax = plan({ ...GRID, schedule: { name: 'CosineAnnealingLR', T_max: 60 }, sweep: { kind: 'grid', x: { param: 'schedule.T_max', min: 10, max: 50, count: 5 }, y: GRID.sweep.y } });
    const t = sliderCurve(tmax);
    expect(t?.middle).toBe('T_max 30');
    expect(t?.min).toBe(0);
    // A sweep that feeds no schedule value (momentum alone) draws the stored values, unnamed.
    const mom = sliderCurve(plan({ ...GRID, schedule: { name: 'StepLR', step_size: 20, gamma: 0.5 }, sweep: { kind: 'grid', x: { param: 'start.0', min: -2, max: 2, count: 3 }, y: GRID.sweep.y } }));
    expect(mom?.max).toBeCloseTo(0.001, 15);
    expect(mom?.middle).toBeUndefined();
  });

  it("draws each pixel column's lowest and highest LR, so that a short cycle reads as a band", () => {
    const lr = Array.from({ length: 1000 }, (_, k) => (k % 2 ? 1 : 2));
    const c = curvePoints(lr, 100, 20);
    const pts = parse(c.points);
    expect(pts.length).toBe(200);
    expect(new Set(pts.map(([, y]) => y))).toEqual(new Set([1, 19]));
    expect(c.log).toBe(false);
    // A flat LR sits in the middle of the box.
    expect(new Set(parse(curvePoints([0.1, 0.1, 0.1], 100, 20).points).map(([, y]) => y))).toEqual(new Set([10]));
  });
});

describe('text alternatives', () => {
  it('counts outcomes and says what the heatmap shows', () => {
    const p = plan();
    const basin = Int32Array.from({ length: 45 }, (_, k) => (k < 10 ? 0 : -1));
    const diverged = Uint8Array.from({ length: 45 }, (_, k) => (k >= 40 ? 1 : 0));
    const c = countOutcomes({ basin, diverged }, 45, 45, 1);
    expect(c).toEqual({ ready: 45, total: 45, diverged: 5, notConverged: 30, perMinimum: [10] });
    const text = heatmapSummary(p, c);
    expect(text).toMatch(/^Heatmap of 45 runs of SGD on Rosenbrock, 60 steps each; x: lr \(log, 1e-4 to 0\.01\), y: momentum \(0 to 0\.8\)\./);
    expect(text).toMatch(/10 reached minimum 0 \(22\.2%\), 5 diverged \(11\.1%\), 30 did not converge \(66\.7%\)\.$/);
    expect(heatmapSummary(p, countOutcomes({ basin, diverged }, 20, 45, 1))).toMatch(/20 of 45 runs done so far/);
    // A deep zoom's range: digits enough that its ends differ (walkthrough 10 read "0.002058 to 0.002058").
    const deep = makePlan(parseSpec({ surface: 'rosenbrock', optimizer: { name: 'SGD', lr: 0.001, momentum: 0.5 }, steps: 10, sweep: { x: { param: 'optimizer.lr', min: 0.0020581, max: 0.0020583, count: 4, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0.64411, max: 0.64414, count: 3 } } }));
    expect(axesText(deep)).toBe('x: lr (log, 0.0020581 to 0.0020583), y: momentum (0.64411 to 0.64414)');
    // Nearly all still moving: the outcome colourings point to the final loss; the final loss's own does not.
    const moving = countOutcomes({ basin: Int32Array.from({ length: 45 }, (_, k) => (k < 2 ? 0 : -1)), diverged: new Uint8Array(45) }, 45, 45, 1);
    expect(heatmapSummary(p, moving)).toMatch(/43 did not converge \(95\.6%\)\. Most runs are still moving at the end: the final loss colouring tells them apart\.$/);
    expect(heatmapSummary(p, moving, 'loss')).toMatch(/\(95\.6%\)\.$/);
    expect(text).not.toMatch(/still moving/);
    // A surface that names its minima: the summary says which well, as the study does.
    const fs = plan({ ...GRID, surface: 'flat_sharp' });
    const sharp = fs.minima.findIndex((m) => m.name === 'sharp');
    const flat = fs.minima.findIndex((m) => m.name === 'flat');
    const b2 = Int32Array.from({ length: 45 }, (_, k) => (k < 10 ? sharp : k < 25 ? flat : -1));
    expect(heatmapSummary(fs, countOutcomes({ basin: b2, diverged: new Uint8Array(45) }, 45, 45, fs.minima.length))).toMatch(
      /10 reached the sharp minimum \(22\.2%\), 15 reached the flat minimum \(33\.3%\), 20 did not converge/,
    );
  });

  it('describes a run and a path in words', async () => {
    expect(runText({ 'optimizer.lr': 0.001 }, 'reached minimum 0', { steps_to_converge: 120, loss: 2e-7 })).toBe('lr 0.001: reached minimum 0, in 120 steps, final loss 2e-7.');
    const [t] = await new CpuEngine('cpu', { workers: 0, spawn: null }).trajectories(plan({ ...GRID, sweep: null }), { runs: [0] });
    if (!t) throw new Error('no path');
    expect(pathText('selected run', t)).toMatch(/^selected run: from \(-1\.5, 2\), ends at \(.+\) after 60 steps, loss /);
    expect(longestSteps([null, t])).toBe(60);
  });
});

describe('export file names', () => {
  it('name the view: problem, optimiser, swept parameters and what the file holds', () => {
    const p = plan();
    expect(exportName(p, p.surface.id, 'outcome')).toBe('basinlab-rosenbrock-sgd-lr-by-momentum-outcome');
    // Without the axes' labels (figure-export.test.ts: start-x-by-start-y), tuple elements and group
    // paths keep their index, so that two axes never read alike; odd characters become hyphens.
    const swept = { spec: { optimizer: { name: 'AdamW' } }, dims: [{ path: 'optimizer.betas.0' }, { path: 'optimizer.param_groups.1.lr' }] };
    expect(exportName(swept, 'Iris', 'test_accuracy')).toBe('basinlab-iris-adamw-betas-0-by-param-groups-1-lr-test-accuracy');
    expect(exportName({ spec: { optimizer: { name: 'SGD' } }, dims: [] }, 'regression', 'results')).toBe('basinlab-regression-sgd-results');
  });
});

describe('a surface figure with runs', () => {
  it("draws the selected and pinned runs' paths (with the minima and the start), loss and LR beside the map", async () => {
    const p = plan();
    const [a, b] = await new CpuEngine('cpu', { workers: 0, spawn: null }).trajectories(p, { runs: [3, 40] });
    if (!a || !b) throw new Error('no paths');
    expect(surfaceCurvePanels(p, [])).toEqual([]);
    const [paths, loss, lr] = surfaceCurvePanels(p, [
      { trajectory: a, colour: '#0072b2', label: 'lr=a' },
      { trajectory: b, colour: SELECTED_INK, label: 'lr=b' },
    ]);
    expect(paths?.series.map((s) => s.label)).toEqual(['lr=a', 'lr=b']);
    expect(paths?.series[0]?.x).toEqual(Array.from(a.x));
    // Drawn on the surface: its contours, its one minimum and the start both runs share.
    expect(paths?.surface?.contours?.bands.length).toBeGreaterThan(0);
    expect(paths?.surface?.minima.map((m) => [m.x, m.y])).toEqual([[1, 1]]);
    expect(paths?.surface?.starts).toEqual([{ x: -1.5, y: 2 }]);
    // On the surface's view (as the contour plot draws it), so a diverged path cannot stretch the axes.
    const d = p.surface.domain(p.spec.surface.params);
    expect(paths?.domain).toEqual({ x: [Math.min(d.xMin, -1.5), Math.max(d.xMax, -1.5)], y: [Math.min(d.yMin, 2), Math.max(d.yMax, 2)] });
    // Loss above the best minimum on a log axis (Rosenbrock's minimum is 0), against the recorded steps.
    expect(loss).toMatchObject({ yLabel: 'loss above the best minimum', logY: true });
    expect(loss?.series[1]?.x).toEqual(Array.from(b.steps));
    // The LR of each step that led to a point: one fewer than the points.
    expect(lr?.series[0]?.x.length).toBe(a.steps.length - 1);
    expect(lr?.series[0]?.y[0]).toBe(a.lr[0]);
  });
});

describe('a path in a figure', () => {
  it('ends where it leaves a box ten times its view, at the edge along its last step', () => {
    const view = { x: [-2, 2] as const, y: [-1, 3] as const };
    // Inside: unchanged.
    expect(pathWithin([0, 1, 2], [0, 1, 2], view)).toEqual({ x: [0, 1, 2], y: [0, 1, 2] });
    // A diverged run: cut at x = 2 + 40 on the step from (1, 1) to (1e19, 1).
    expect(pathWithin([0, 1, 1e19, 5], [0, 1, 1, 5], view)).toEqual({ x: [0, 1, 42], y: [0, 1, 1] });
    // Non-finite points end the path; no view keeps every finite point.
    expect(pathWithin([0, Number.NaN, 1], [0, 0, 1], view)).toEqual({ x: [0], y: [0] });
    expect(pathWithin([0, 1e19], [0, 1e19], null)).toEqual({ x: [0, 1e19], y: [0, 1e19] });
  });
});

describe('the message line pinned to the window while its line is out of sight', () => {
  it('shows a new message only while the line is off screen, until dismissed', () => {
    const m = new MessageLine(host());
    expect(toastShown(m.text, false, m.said, -1)).toBe(false);
    m.say('The selected run was cleared: this map sweeps betas[0], which it was not picked on.');
    const first = m.said;
    expect(toastShown(m.text, false, m.said, -1)).toBe(true);
    // On screen: the line says it; no box.
    expect(toastShown(m.text, true, m.said, -1)).toBe(false);
    // Dismissed (or read on its line): gone, until something new is said.
    expect(toastShown(m.text, false, m.said, first)).toBe(false);
    m.add(['Running on the float64 CPU engine.']);
    expect(toastShown(m.text, false, m.said, first)).toBe(true);
    // The same words again are nothing new; silence is nothing to show.
    const seen = m.said;
    m.say(m.text);
    expect(toastShown(m.text, false, m.said, seen)).toBe(false);
    m.say('');
    expect(toastShown(m.text, false, m.said, -1)).toBe(false);
  });
});

describe('error messages on the page', () => {
  it("says to reload where part of the page failed to load (the browsers' words), and passes other errors through", () => {
    for (const m of [
      'Failed to fetch dynamically imported module: http://127.0.0.1:5173/assets/0-C8xmMkdT.js',
      'error loading dynamically imported module: http://x/assets/a.js',
      'Importing a module script failed.',
    ]) {
      expect(explainError(new TypeError(m))).toMatch(/^part of the page could not be loaded .*: reload the page and try again \(/);
    }
    expect(explainError(new Error('optimizer.lr: 2 is out of range'))).toBe('optimizer.lr: 2 is out of range');
    expect(explainError('plain')).toBe('plain');
  });
});

describe('one place along a scale', () => {
  it('places values linearly or on a log scale, 0 for a range of one value, NaN where a log scale has no place; axisPosition falls back to linear there', () => {
    expect(scalePosition(5, 0, 10, false)).toBe(0.5);
    expect(scalePosition(1e-3, 1e-5, 1e-1, true)).toBeCloseTo(0.5, 12);
    expect(scalePosition(7, 3, 3, true)).toBe(0);
    expect(scalePosition(0, 1e-5, 1e-1, true)).toBeNaN();
    expect(scalePosition(1, -1, 10, true)).toBeNaN();
    expect(axisPosition({ param: 'optimizer.lr', min: 1e-5, max: 1e-1, scale: 'log' }, 1e-3)).toBeCloseTo(0.5, 12);
    expect(axisPosition({ param: 'optimizer.lr', min: 1e-5, max: 1e-1, scale: 'log' }, 0)).toBeCloseTo(-1e-5 / (1e-1 - 1e-5), 12);
  });
});

describe("the run panel's heading", () => {
  it('names the hovered run, except where the pointer rests on the selected cell', () => {
    const a = { i: 2, j: 3 };
    expect(runPanelHeading(null, null)).toBe('Hover a cell');
    expect(runPanelHeading(a, null)).toBe('Hovered run');
    expect(runPanelHeading(null, a)).toBe('Selected run');
    expect(runPanelHeading({ i: 2, j: 3 }, a)).toBe('Selected run');
    expect(runPanelHeading({ i: 2, j: 4 }, a)).toBe('Hovered run');
  });
});

describe('zooming a view with an integer axis', () => {
  /** An Iris network swept over 32 LRs and a batch-size axis. */
  const irisBatches = async (y: { min: number; max: number; count: number }): Promise<AnySpec> => {
    const { parseAnySpec } = await import('../../src/core/spec.ts');
    return parseAnySpec({
      network: { hidden: [8], sharpness_iterations: 0 },
      data: { name: 'iris' },
      optimizer: { name: 'SGD', lr: 0.1 },
      steps: 50,
      sweep: { x: { param: 'optimizer.lr', min: 0.01, max: 1, count: 32, scale: 'log' }, y: { param: 'network.batch_size', ...y, scale: 'log' } },
    });
  };

  it('keeps no more cells than distinct integers, so the zoom is not refused (review 13)', async () => {
    const { parseAnySpec } = await import('../../src/core/spec.ts');
    const spec = await irisBatches({ min: 1, max: 120, count: 11 });
    const z = zoomAround(spec, { i: 16, j: 2 }, 0.5);
    expect(z).not.toBeNull();
    const y = (z?.sweep as { y: { min: number; max: number; count: number } }).y;
    expect([y.min, y.max, y.count]).toEqual([1, 11, 6]);
    expect(() => parseAnySpec(z)).not.toThrow();
  });

  it('keeps an axis of powers of two in powers of two, within the training set (walkthrough 14)', async () => {
    const { parseAnySpec } = await import('../../src/core/spec.ts');
    // Iris trains on 120 rows: the editor's batch axis is 1 … 64, a cell a power.
    const spec = await irisBatches({ min: 1, max: 64, count: 7 });
    const yOf = (z: Record<string, unknown> | null): { min: number; max: number; count: number; scale: string } => (z?.sweep as { y: { min: number; max: number; count: number; scale: string } }).y;
    const pow2 = (v: number): boolean => Number.isInteger(Math.log2(v));
    for (const [j, factor] of [[1, 0.5], [5, 0.5], [3, 0.25], [6, 0.125], [3, 2]] as const) {
      const z = zoomAround(spec, { i: 16, j }, factor);
      const y = yOf(z);
      expect(pow2(y.min) && pow2(y.max), `${j} x${factor}: ${y.min} … ${y.max}`).toBe(true);
      expect(y.count).toBe(Math.log2(y.max / y.min) + 1);
      expect(y.max).toBeLessThanOrEqual(64);
      expect(() => parseAnySpec(z)).not.toThrow();
    }
    // Zooming in around 8 keeps 8 inside; a zoom out stops at 64, the largest power within 120.
    expect(yOf(zoomAround(spec, { i: 16, j: 3 }, 0.5))).toMatchObject({ min: 4, max: 32, count: 4 });
    expect(yOf(zoomAround(spec, { i: 16, j: 3 }, 2)).max).toBe(64);
    // A drag over cells 4.2 … 6.4 (batch ~14 … 57): 16 … 64, not 14 … 57 (walkthrough 14's 14 … 1000).
    const shown: Record<string, unknown>[] = [];
    new ZoomController((json) => void shown.push(json), (why) => expect.fail(why)).zoomTo(spec, { x0: 0, x1: 32, y0: 4.2, y1: 6.4 });
    const dragged = yOf(shown[0] ?? null);
    expect([dragged.min, dragged.max, dragged.count]).toEqual([16, 64, 3]);
  });
});

describe("a map's axis", () => {
  it('labels the cells of an integer axis with the values they run, on a surface as on a network (review 27)', async () => {
    const p = plan({
      surface: 'rosenbrock',
      optimizer: { name: 'SGD', lr: 1e-3, momentum: 0.9 },
      schedule: { name: 'StepLR', step_size: 100, gamma: 0.5 },
      steps: 500,
      sweep: { kind: 'grid', x: { param: 'schedule.step_size', min: 1, max: 60, count: 7, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0, max: 0.9, count: 4 } },
    });
    const sweep = p.spec.sweep;
    if (sweep?.kind !== 'grid' || !sweep.y) throw new Error('a grid');
    expect(heatmapAxis(sweep.x, p)).toEqual({ label: paramLabel(p, 'schedule.step_size'), min: 1, max: 60, scale: 'log', count: 7, cells: [1, 2, 4, 8, 15, 30, 60] });
    // A real-valued axis keeps a continuous scale's ticks.
    expect(heatmapAxis(sweep.y, p)).not.toHaveProperty('cells');
    expect(heatmapAxis(null, p)).toBeNull();
    expect(heatmapAxis(sweep.x, null)).toBeNull();
    const spec = parseNetSpec({
      network: { hidden: [4] },
      data: { name: 'iris' },
      optimizer: { name: 'SGD', lr: 0.1 },
      steps: 10,
      sweep: { x: { param: 'network.batch_size', min: 1, max: 100, count: 5, scale: 'log' }, y: { param: 'optimizer.lr', min: 0.01, max: 1, count: 3, scale: 'log' } },
    });
    await prepareSpec(spec);
    const n = makeNetPlan(spec);
    const ns = n.spec.sweep;
    if (ns?.kind !== 'grid') throw new Error('a grid');
    expect(heatmapAxis(ns.x, n)?.cells).toEqual(Array.from(n.xValues));
    expect(new Set(n.xValues).size).toBeGreaterThan(1);
    expect(n.xValues.every((v) => Number.isInteger(v))).toBe(true);
  });
});

describe('a run picked by its swept values (core/plan.ts nearestRun: the CLI\'s --at)', () => {
  it('names a value left out, or not finite, with the sweep\'s range (walkthrough 22)', () => {
    const p = plan();
    const [x, y] = p.dims;
    if (!x || !y) throw new Error('two axes');
    expect(() => nearestRun(p, { [x.path]: x.range.min })).toThrow(new RegExp(`^${y.path.replace('.', '\\.')}: missing; it is swept \\(${y.range.min} … ${y.range.max}\\), so a run is picked by a value for each of ${x.path} and ${y.path}$`));
    expect(() => nearestRun(p, { [x.path]: Number.NaN, [y.path]: y.range.min })).toThrow(/: NaN is not a finite number; the sweep's values run /);
    expect(() => nearestRun(p, { 'optimizer.eps': 1, [x.path]: 1, [y.path]: 1 })).toThrow(/^optimizer\.eps is not swept/);
    expect(nearestRun(p, { [x.path]: x.range.min, [y.path]: y.range.min })).toBe(0);
  });
});
