/**
 * The explorer's network views, DOM-free: each param group's LR as the CPU engines record it (against
 * the schedule per group, and under ReduceLROnPlateau against the rule replayed on the run's losses)
 * and its curve, the sliders of a
 * network's fixed values, the figure (map, legend, caption, and the runs' curves as charts), the
 * hover preview's throttling and cache, and the validation's passes and verdict words, on a small
 * sweep of the fractal-boundary network run by the float32 CPU engine in-process.
 */
import { describe, expect, it } from 'vitest';
import { P_OPTIMIZER } from '../../src/core/layout.ts';
import { makeNetPlan, prepareSpec } from '../../src/core/network/plan.ts';
import type { NetPlan } from '../../src/core/network/plan.ts';
import { sweepValue } from '../../src/core/plan.ts';
import type { FloatColumn, NetResults } from '../../src/core/results.ts';
import type { Precision } from '../../src/core/steps.ts';
import { roundingFor } from '../../src/core/steps.ts';
import type { NetTrajectory } from '../../src/core/trajectory.ts';
import { anySpecToJSON, parseAnySpec } from '../../src/core/spec.ts';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';
import { NET_HEAP_BYTES_PER_PARAM, NET_HEAP_RESERVE, NET_HEAP_SHARE, NET_MEMORY_SHARE, gib, netHeapFit, netHeapProblem, netMemoryFit, netMemoryProblem, netRunBytes } from '../../src/engine/cpu/network.ts';
import { validateNetPlan } from '../../src/engine/validation.ts';
import { drawnRuns, durationText, groupLrCurves, groupLrTexts, longNetSweepNote, netCurvePanels, netCurves, pageNetMemoryProblem } from '../../src/app/net-runs.ts';
import { keptNetSliders, netParamSliders, sliderCurve, sliderValue } from '../../src/app/sliders.ts';
import { NET_PREVIEW_MAX_WORK, NetPreviewController, netRunWork } from '../../src/app/controllers/net-preview-controller.ts';
import type { Timers } from '../../src/app/controllers/preview-controller.ts';
import { netTracedText, netVerdictText } from '../../src/app/controllers/validation-controller.ts';
import { netValidationPasses } from '../../src/app/validation-passes.ts';
import { figureGridSvg, netHeatmapSvg, panelSvg } from '../../src/view/svg.ts';
import { netCaption } from '../../src/view/caption.ts';
import { firstSplit, netPairPasses } from '../../src/core/validate.ts';
import { setAt } from '../../src/app/spec-edit.ts';

const FRACTAL = {
  network: { hidden: [16], activation: 'tanh', bias: false, parametrization: 'mean_field', batch_size: null, sharpness_iterations: 0 },
  data: { name: 'fractal', inputs: 16, outputs: 1 },
  optimizer: { name: 'SGD', lr: 100, param_groups: [{ params: ['layers.0'], lr: 100 }] },
  steps: 30,
  sweep: {
    x: { param: 'optimizer.param_groups.0.lr', min: 1, max: 1e5, count: 6, scale: 'log' },
    y: { param: 'optimizer.lr', min: 20, max: 600, count: 6, scale: 'log' },
  },
};

/** A spec's JSON as the app holds it: normalised by the parser (every default written out). */
function norm(json: unknown): Record<string, unknown> {
  return anySpecToJSON(parseAnySpec(json)) as Record<string, unknown>;
}

function netPlan(json: unknown): NetPlan {
  const s = parseAnySpec(json);
  if (s.problem !== 'network') throw new Error('not a network spec');
  return makeNetPlan(s);
}

const engine = new CpuEngine('cpu', { workers: 0, spawn: null });

/**
 * Group gi's LR at each recorded point after the start of path t, from the plan's step-driven
 * schedule: the group's values (the run's swept ones in its slots), the schedule evaluated with the
 * group's own lr as base_lr (torch's schedulers do so per group), in the engine's precision.
 */
function scheduledLrs(plan: NetPlan, t: NetTrajectory, gi: number, precision: Precision): number[] {
  const r = roundingFor(precision);
  const P = groupValues(plan, t.run, gi, r);
  const base = P[P_OPTIMIZER] as number;
  const node = plan.schedule;
  const out = new Float64Array(2);
  return Array.from(t.steps.subarray(1), (s) => {
    if (!node) return base;
    node.def.evaluate(r, P, node, s - 1, base, out);
    return out[0] as number;
  });
}

/**
 * Group gi's LR at each step of a path recorded every step under ReduceLROnPlateau, replaying the
 * rule on the recorded losses: full batch, the metric scheduler.step sees after step k is the
 * training loss at theta_k, the path's point k.
 */
function plateauLrs(plan: NetPlan, t: NetTrajectory, gi: number, precision: Precision): number[] {
  const r = roundingFor(precision);
  const node = plan.schedule;
  const rule = node?.def.plateau;
  if (!node || !rule) throw new Error('not a plateau plan');
  const P = groupValues(plan, t.run, gi, r);
  const state = new Float64Array(4);
  rule.init(r, P, node.base, P[P_OPTIMIZER] as number, state);
  return Array.from({ length: t.steps.length - 1 }, (_, k) => {
    const lr = state[0] as number;
    rule.step(r, P, node.base, state, t.trainLoss[k] as number);
    return lr;
  });
}

/** Group gi's parameter vector in run `run`, rounded as the engine holds it. */
function groupValues(plan: NetPlan, run: number, gi: number, r: (x: number) => number): Float64Array {
  const P = Float64Array.from(plan.groups[gi]?.P ?? [], r);
  plan.dims.forEach((d, k) => {
    if (d.where.kind === 'slot' && d.where.groups.includes(gi)) P[d.where.slot] = r(sweepValue(plan, run, k));
  });
  return P;
}

const engine64 = new CpuEngine('cpu64', { workers: 0, spawn: null });
const ENGINES = [
  { engine, precision: 'f32' as const },
  { engine: engine64, precision: 'f64' as const },
];

describe("each param group's recorded LR", () => {
  it('is, on cpu and cpu64, the schedule per group from its own base LR (StepLR: both halved at step 10, their ratio kept)', async () => {
    const plan = netPlan({ ...FRACTAL, schedule: { name: 'StepLR', step_size: 10, gamma: 0.5 } });
    for (const { engine: e, precision } of ENGINES) {
      const [t] = await e.trajectories(plan, { runs: [7], every: 1 });
      if (!t) throw new Error('no path');
      expect(t.groupLr.length, precision).toBe(2);
      // The default group's column is `lr`.
      expect(t.groupLr[1], precision).toBe(t.lr);
      const [a, b] = t.groupLr as [FloatColumn, FloatColumn];
      expect(Array.from(a), precision).toEqual(scheduledLrs(plan, t, 0, precision));
      expect(Array.from(b), precision).toEqual(scheduledLrs(plan, t, 1, precision));
      // Two groups on different LRs, each halved at step 10.
      expect(a[0]).not.toBe(b[0]);
      expect(a[15]).toBeCloseTo((a[0] as number) / 2, 3);
      expect(b[15]).toBeCloseTo((b[0] as number) / 2, 3);
      expect((a[15] as number) / (b[15] as number)).toBeCloseTo((a[0] as number) / (b[0] as number), 4);
    }
  });

  it('is, on cpu and cpu64 under ReduceLROnPlateau, what the rule gives each group on the run\'s own losses: both cut by factor at the same steps', async () => {
    // A 10% improvement a step counts as better: the slow runs of the fractal network plateau often.
    const plan = netPlan({ ...FRACTAL, steps: 40, schedule: { name: 'ReduceLROnPlateau', patience: 1, factor: 0.5, threshold: 0.1 } });
    for (const { engine: e, precision } of ENGINES) {
      const [t] = await e.trajectories(plan, { runs: [0], every: 1 });
      if (!t) throw new Error('no path');
      expect(t.diverged, precision).toBe(false);
      expect(t.groupLr[1], precision).toBe(t.lr);
      const [a, b] = t.groupLr as [FloatColumn, FloatColumn];
      expect(Array.from(a), precision).toEqual(plateauLrs(plan, t, 0, precision));
      expect(Array.from(b), precision).toEqual(plateauLrs(plan, t, 1, precision));
      // Each group starts at its own LR and is halved at the same steps as the other.
      const cuts = (c: FloatColumn): number[] => Array.from(c).flatMap((v, i) => (i > 0 && v < (c[i - 1] as number) ? [i] : []));
      expect(cuts(a).length, precision).toBeGreaterThan(1);
      expect(cuts(a)).toEqual(cuts(b));
      for (const i of cuts(a)) {
        expect(a[i]).toBeCloseTo((a[i - 1] as number) / 2, 12);
        expect(b[i]).toBeCloseTo((b[i - 1] as number) / 2, 12);
      }
      const r = roundingFor(precision);
      expect([a[0], b[0]]).toEqual([r(plan.xValues[0] as number), r(plan.yValues[0] as number)]);
      const last = a.length - 1;
      expect((a[last] as number) / (b[last] as number)).toBeCloseTo((a[0] as number) / (b[0] as number), 4);
    }
  });

  it('is one column, `lr`, for a plan with one group', async () => {
    const one = netPlan({ ...FRACTAL, optimizer: { name: 'SGD', lr: 100 }, sweep: { x: { param: 'optimizer.lr', min: 1, max: 100, count: 3, scale: 'log' } } });
    const [t] = await engine.trajectories(one, { runs: [1], every: 1 });
    expect(t?.groupLr).toEqual([t?.lr]);
    expect(t?.lr[0]).toBe(Math.fround(10));
  });
});

describe("each param group's LR curve", () => {
  it('is each group\'s recorded LR, labelled with the layers it trains: the default group\'s is `lr`, the explicit group\'s its own swept LR', async () => {
    const plan = netPlan(FRACTAL);
    const run = 2 * plan.width + 4;
    const [t] = await engine.trajectories(plan, { runs: [run], every: 1 });
    if (!t) throw new Error('no path');
    const g = groupLrCurves(plan, t);
    expect(g?.map((c) => c.label)).toEqual(['learning rate of layers.0, the input layer', 'learning rate of layers.1, the output layer']);
    const def = g?.[1]?.values ?? new Float64Array();
    expect(def.length).toBe(t.lr.length);
    expect(Array.from(def)).toEqual(Array.from(t.lr));
    // The explicit group's LR is this run's x value (constant: no schedule), not the default's.
    expect(Array.from(g?.[0]?.values ?? [])).toEqual(Array.from(t.lr, () => Math.fround(plan.xValues[4] as number)));
    expect(g?.[0]?.values[0]).not.toBe(def[0]);
  });

  it('is drawn under ReduceLROnPlateau too (the engines record each group)', async () => {
    const plan = netPlan({ ...FRACTAL, schedule: { name: 'ReduceLROnPlateau', patience: 1, factor: 0.5, threshold: 0.1 } });
    const [t] = await engine.trajectories(plan, { runs: [0], every: 1 });
    if (!t) throw new Error('no path');
    const g = groupLrCurves(plan, t);
    expect(g?.map((c) => c.values)).toEqual(t.groupLr);
    const charts = netCurvePanels(plan, [{ trajectory: t, colour: '#000', label: 'r' }]);
    expect(charts[1]?.title).toBe('Learning rate of each param group per step (dashed: the explicit groups)');
    expect(charts[1]?.series.length).toBe(2);
  });

  it('is not computed for one group (the recorded curve is it), and draws one labelled series per group, explicit groups dashed', async () => {
    const one = netPlan({ ...FRACTAL, optimizer: { name: 'SGD', lr: 100 }, sweep: { x: { param: 'optimizer.lr', min: 1, max: 100, count: 3, scale: 'log' } } });
    const [t1] = await engine.trajectories(one, { runs: [0], every: 1 });
    if (!t1) throw new Error('no path');
    expect(groupLrCurves(one, t1)).toBeNull();
    const plan = netPlan(FRACTAL);
    const [t] = await engine.trajectories(plan, { runs: [3], every: 1 });
    if (!t) throw new Error('no path');
    const c = netCurves([{ trajectory: t, colour: '#000', label: 'r', groups: groupLrCurves(plan, t) }]);
    expect(c.lr.map((s) => [s.label, s.dashed === true])).toEqual([
      ['learning rate of layers.0, the input layer', true],
      ['learning rate of layers.1, the output layer', false],
    ]);
  });
});

describe('the LR curves where the explicit groups hold every tensor (no default group in torch)', () => {
  const sweep = { x: FRACTAL.sweep.x, y: { param: 'optimizer.momentum', min: 0, max: 0.5, count: 2 } };
  const both = { ...FRACTAL, optimizer: { name: 'SGD', lr: 7, param_groups: [{ params: ['layers.0'], lr: 100 }, { params: ['layers.1'], lr: 300 }] }, sweep };

  it("draw each explicit group's LR, the last solid, and not the empty default group's", async () => {
    const plan = netPlan(both);
    const [t] = await engine.trajectories(plan, { runs: [4], every: 1 });
    if (!t) throw new Error('no path');
    const g = groupLrCurves(plan, t);
    expect(g?.map((c) => c.group)).toEqual([0, 1]);
    expect(Array.from(g?.[1]?.values ?? [])).toEqual(Array.from(t.lr, () => 300));
    const c = netCurves([{ trajectory: t, colour: '#000', label: 'r', groups: g ?? null }]);
    expect(c.lr.map((s) => s.dashed === true)).toEqual([true, false]);
    expect(c.lr.some((s) => s.values[0] === 7)).toBe(false);
    expect(groupLrTexts(plan).note).toBe(
      'Learning rate of each param group per step (solid: param_groups.1, learning rate of layers.1, the output layer; dashed: the other explicit one, learning rate of layers.0, the input layer); then the gradient norm.',
    );
    // With a default group that trains, it is the solid one.
    expect(groupLrTexts(netPlan(FRACTAL)).note).toBe(
      'Learning rate of each param group per step (solid: the default group, learning rate of layers.1, the output layer; dashed: the explicit one, learning rate of layers.0, the input layer); then the gradient norm.',
    );
    const charts = netCurvePanels(plan, [{ trajectory: t, colour: '#000', label: 'r' }]);
    expect(charts[1]?.title).toBe('Learning rate of each param group per step (solid: param_groups.1; dashed: the other explicit groups)');
  });

  it("draw one explicit group holding every tensor as the one LR curve, not the default group's", async () => {
    const plan = netPlan({ ...FRACTAL, optimizer: { name: 'SGD', lr: 7, param_groups: [{ params: ['layers.0', 'layers.1'], lr: 100 }] }, sweep });
    const [t] = await engine.trajectories(plan, { runs: [0], every: 1 });
    if (!t) throw new Error('no path');
    const g = groupLrCurves(plan, t);
    expect(g?.map((c) => c.group)).toEqual([0]);
    expect(Array.from(g?.[0]?.values ?? [])).toEqual(Array.from(t.lr, () => 1));
    expect(groupLrTexts(plan)).toEqual({ note: 'Learning rate per step; then the gradient norm.', title: 'Learning rate per step', label: 'LR per step' });
    expect(netCurvePanels(plan, [{ trajectory: t, colour: '#000', label: 'r' }])[1]?.title).toBe('Learning rate per step');
  });
});

describe('a long network sweep', () => {
  const plan = async (json: Record<string, unknown>): Promise<NetPlan> => {
    const s = parseAnySpec(json);
    if (s.problem !== 'network') throw new Error('not a network spec');
    await prepareSpec(s);
    return makeNetPlan(s);
  };
  const iris = (count: number) => ({
    network: { hidden: [8], activation: 'tanh', batch_size: 16 },
    data: { name: 'iris', train: 120, test: 30 },
    optimizer: { name: 'SGD', lr: 0.1, momentum: 0.9 },
    steps: 200,
    sweep: { x: { param: 'optimizer.lr', min: 1e-3, max: 1, count, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0, max: 0.95, count: 32 } },
  });

  it('is said a few seconds in when its own rate projects more than 20 s, from that rate (walkthroughs 14, 18, 22)', async () => {
    const big = await plan(iris(5000));
    const total = big.runs * big.spec.steps;
    // 3 s in, 0.1% done: about 50 minutes at that rate.
    expect(longNetSweepNote(big, { elapsed: 3, done: total / 1000, total }, 2)).toBe(
      '160,000 network runs of 200 steps: this sweep takes about 50 minutes on the CPU engine here, at the rate of its first 3 s. The header shows how far it is and the time left; Escape or Cancel stops it and keeps the last map.',
    );
    // On a first load there is no last map to keep (walkthrough 16).
    expect(longNetSweepNote(big, { elapsed: 3, done: total / 1000, total }, 2, false)).toMatch(/Escape or Cancel stops it\.$/);
    // A sweep that ends within 20 s at its rate is not said (walkthrough 22: a zoom whose runs diverge
    // within a few steps ran in 5-9 s under "about 2 minutes").
    const small = await plan(iris(32));
    const t = small.runs * small.spec.steps;
    expect(longNetSweepNote(small, { elapsed: 3, done: t / 5, total: t }, 2)).toBeNull();
    expect(longNetSweepNote(small, { elapsed: 3, done: t / 7, total: t }, 2)).toMatch(/^1,024 network runs of 200 steps: this sweep takes under a minute/);
    // No run finished yet: a lower bound, runs / workers x the time so far (a 16.8 M-parameter sweep
    // of about four days was announced as "minutes or more": walkthrough 16).
    expect(longNetSweepNote(big, { elapsed: 3, done: 0, total }, 2)).toMatch(
      /^160,000 network runs of 200 steps: this sweep takes at least about 3 days on the CPU engine here: none of its runs has finished in its first 3 s\. .* A smaller grid, fewer steps or a smaller network ends sooner/,
    );
    expect([durationText(30), durationText(60), durationText(3000), durationText(30 * 3600), durationText(330_000)]).toEqual(['under a minute', 'about a minute', 'about 50 minutes', 'about 30 hours', 'about 4 days']);
    // Nothing to say of a sweep that is done.
    expect(longNetSweepNote(big, { elapsed: 3, done: total, total }, 2)).toBeNull();
  });
});

describe('the runs whose curves are drawn', () => {
  it('are the pins and the selected run, a selected run that is pinned once', () => {
    const r = (run: number) => ({ run });
    expect(drawnRuns(r(3), [r(1), r(2)]).map((x) => x.run)).toEqual([1, 2, 3]);
    expect(drawnRuns(r(2), [r(1), r(2)]).map((x) => x.run)).toEqual([1, 2]);
    expect(drawnRuns(null, [r(1)]).map((x) => x.run)).toEqual([1]);
  });
});

describe('network sliders', () => {
  it('offer the fixed values, a group’s own overrides, the batch size and the steps, never a swept one', () => {
    const json = norm({ ...FRACTAL, sweep: { x: { param: 'optimizer.lr', min: 20, max: 600, count: 4, scale: 'log' } }, network: { ...FRACTAL.network, batch_size: 64 } });
    const plan = netPlan(json);
    const s = netParamSliders(json, plan);
    const paths = s.map((m) => m.path);
    expect(paths).toContain('optimizer.param_groups.0.lr');
    expect(paths).toContain('optimizer.momentum');
    expect(paths).toContain('network.batch_size');
    expect(paths).toContain('steps');
    expect(paths).not.toContain('optimizer.lr');
    // A value the editor refuses (steps 0, typed while the map shows the last spec that ran) has no
    // slider, rather than a knob mid-track beside "0" (walkthrough 14).
    expect(netParamSliders({ ...json, steps: 0 }, plan).map((m) => m.path)).not.toContain('steps');
    const g = s.find((m) => m.path === 'optimizer.param_groups.0.lr');
    expect(g?.label).toBe('lr of layers.0');
    // Momentum: no group overrides it, so it is every group's.
    expect(s.find((m) => m.path === 'optimizer.momentum')?.label).toBe('momentum');
    // Two decades either side of the group's LR, on a log scale.
    expect([g?.min, g?.max, g?.log]).toEqual([1, 10000, true]);
    const b = s.find((m) => m.path === 'network.batch_size');
    expect([b?.min, b?.max, b?.int]).toEqual([1, plan.data.train.n, true]);
    // Full batch (null) has no slider; a swept value none.
    const full = netParamSliders(norm(FRACTAL), netPlan(FRACTAL)).map((m) => m.path);
    expect(full).not.toContain('network.batch_size');
    expect(full).not.toContain('optimizer.param_groups.0.lr');
    expect(full).toContain('optimizer.momentum');
    // A tuple element is labelled as the editor and torch index it (walkthrough 22 met betas.1).
    const adamJson = norm({ ...FRACTAL, optimizer: { name: 'Adam', lr: 0.01, param_groups: [{ params: ['layers.0'], lr: 100 }] } });
    const adam = netParamSliders(adamJson, netPlan(adamJson));
    expect(adam.find((m) => m.path === 'optimizer.betas.1')?.label).toBe('betas[1]');
  });

  it("draw the schedule's LR under its sliders from the first group that trains", () => {
    // The default group's LR is 0 (it trains nothing here): the curve is the input layer's group's.
    const json = norm({ ...FRACTAL, optimizer: { name: 'SGD', lr: 0, param_groups: [{ params: ['layers.0'], lr: 50 }] }, schedule: { name: 'ExponentialLR', gamma: 0.8 }, sweep: null });
    const c = sliderCurve(netPlan(json));
    expect(c && [c.steps, c.max, c.log]).toEqual([30, 50, true]);
    expect(c?.min).toBeCloseTo(50 * 0.8 ** 29, 10);
    expect(sliderCurve(netPlan(norm({ ...FRACTAL, sweep: null })))).toBeNull();
    // That group's LR swept (log 1 … 100): the middle run's, 10; the default group's sweep does not reach it.
    const swept = netPlan(norm({ ...json, sweep: { kind: 'grid', x: { param: 'optimizer.param_groups.0.lr', min: 1, max: 100, count: 3, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0, max: 0.5, count: 2 } } }));
    const m = sliderCurve(swept);
    expect(m?.max).toBeCloseTo(10, 12);
    expect(m?.middle).toMatch(/^lr of .* 10$/);
  });

  it("judge a schedule value's effect in every group where the schedule holds per-group lists (review 17)", () => {
    // The default group's bounds are equal (a flat LR); group 0's cycle: step_size_up changes its curve.
    const json = norm({ ...FRACTAL, optimizer: { name: 'SGD', lr: 0.1, param_groups: [{ params: ['layers.0'] }] }, schedule: { name: 'CyclicLR', base_lr: [0.01, 0.1], max_lr: [0.1, 0.1], step_size_up: 5, cycle_momentum: false }, sweep: null });
    const paths = netParamSliders(json, netPlan(json)).map((m) => m.path);
    expect(paths).toContain('schedule.step_size_up');
    // A list is no one value to slide.
    expect(paths).not.toContain('schedule.base_lr');
  });

  it('keep their range while the value moves inside it, and re-anchor on a value typed outside', () => {
    const json = norm({ ...FRACTAL, sweep: { x: { param: 'optimizer.lr', min: 20, max: 600, count: 4, scale: 'log' } } });
    const first = netParamSliders(json, netPlan(json));
    const g = first.find((m) => m.path === 'optimizer.param_groups.0.lr');
    if (!g) throw new Error('no group slider');
    const moved = setAt(json, 'optimizer.param_groups.0.lr', sliderValue(g, 900));
    const again = netParamSliders(moved, netPlan(moved), first).find((m) => m.path === g.path);
    expect([again?.min, again?.max]).toEqual([g.min, g.max]);
    expect(again?.value).toBeGreaterThan(1000);
    const typed = setAt(json, 'optimizer.param_groups.0.lr', 1e6);
    const re = netParamSliders(typed, netPlan(typed), first).find((m) => m.path === g.path);
    expect(re?.max).toBeGreaterThanOrEqual(1e6);
  });

  it('are kept between renders by keptNetSliders: the same objects for the same spec, the range kept as a drag moves the value', () => {
    const sliders = keptNetSliders();
    const json = norm({ ...FRACTAL, sweep: { x: { param: 'optimizer.lr', min: 20, max: 600, count: 4, scale: 'log' } } });
    const plan = netPlan(json);
    const first = sliders(json, plan);
    expect(sliders(json, plan)).toBe(first);
    const g = first.find((m) => m.path === 'optimizer.param_groups.0.lr');
    if (!g) throw new Error('no group slider');
    const moved = setAt(json, 'optimizer.param_groups.0.lr', sliderValue(g, 900));
    const again = sliders(moved, netPlan(moved)).find((m) => m.path === g.path);
    expect([again?.min, again?.max]).toEqual([g.min, g.max]);
    // A fresh keeper has no sliders before: the same value anchors a new range around it.
    const fresh = keptNetSliders()(moved, netPlan(moved)).find((m) => m.path === g.path);
    expect([fresh?.min, fresh?.max]).not.toEqual([g.min, g.max]);
  });
});

describe('network schedule sliders', () => {
  const sweep = { x: { param: 'optimizer.momentum', min: 0, max: 0.9, count: 4, scale: 'linear' } };

  it("stay when the default group's LR is 0 (every layer in an explicit group): a value's effect is judged from a base LR of 1", () => {
    const optimizer = { name: 'SGD', lr: 0, momentum: 0.5, param_groups: [{ params: ['layers.0'], lr: 100 }, { params: ['layers.1'], lr: 50 }] };
    const json = norm({ ...FRACTAL, optimizer, sweep, schedule: { name: 'StepLR', step_size: 10, gamma: 0.5 } });
    expect(netParamSliders(json, netPlan(json)).map((m) => m.path)).toEqual(expect.arrayContaining(['schedule.step_size', 'schedule.gamma']));
  });

  it("offer the schedule's values, lengths in the run's steps, under the schedule's heading", () => {
    const json = norm({ ...FRACTAL, sweep, schedule: { name: 'CosineAnnealingLR', T_max: 30 } });
    const s = netParamSliders(json, netPlan(json));
    const t = s.find((m) => m.path === 'schedule.T_max');
    // CosineAnnealingLR's typical T_max is 0.1 … 2 times the run's 30 steps.
    expect(t && [t.label, t.group, t.int, t.min, t.max]).toEqual(['T_max', 'schedule · CosineAnnealingLR', true, 3, 60]);
    expect(s.find((m) => m.path === 'optimizer.param_groups.0.lr')?.group).toBe('optimizer · SGD');
    expect(s.find((m) => m.path === 'steps')?.group).toBe('run');
    // Swept, none.
    const swept = norm({ ...FRACTAL, sweep: { x: { param: 'schedule.T_max', min: 10, max: 40, count: 4, scale: 'linear' } }, schedule: { name: 'CosineAnnealingLR', T_max: 30 } });
    expect(netParamSliders(swept, netPlan(swept)).map((m) => m.path)).not.toContain('schedule.T_max');
  });

  it('have none for the LRs OneCycleLR sets, and keep total_steps and the steps where torch accepts them', () => {
    // The group takes no LR of its own: OneCycleLR sets every group's (a group's own is refused: walkthrough 13).
    const json = norm({ ...FRACTAL, optimizer: { name: 'SGD', lr: 100, param_groups: [{ params: ['layers.0'] }] }, sweep, schedule: { name: 'OneCycleLR', max_lr: 100, total_steps: 40, cycle_momentum: false } });
    const first = netParamSliders(json, netPlan(json));
    const by = new Map(first.map((m) => [m.path, m]));
    expect(by.has('optimizer.lr') || by.has('optimizer.param_groups.0.lr')).toBe(false);
    // Its momenta only act with cycle_momentum.
    expect(by.has('schedule.base_momentum') || by.has('schedule.max_momentum')).toBe(false);
    // max_lr is an LR: two decades either side, log.
    expect([by.get('schedule.max_lr')?.min, by.get('schedule.max_lr')?.max, by.get('schedule.max_lr')?.log]).toEqual([1, 10000, true]);
    // total_steps may not fall below the 30 steps, nor the steps rise above its 40.
    expect([by.get('schedule.total_steps')?.min, by.get('schedule.total_steps')?.max]).toEqual([30, 60]);
    expect(by.get('steps')?.max).toBe(40);
    // More steps: total_steps' slider starts there, from the range it kept, and comes back with fewer.
    const longer = setAt(json, 'steps', 35);
    const moved = netParamSliders(longer, netPlan(longer), first);
    expect(moved.find((m) => m.path === 'schedule.total_steps')?.min).toBe(35);
    const back = netParamSliders(json, netPlan(json), moved);
    expect(back.find((m) => m.path === 'schedule.total_steps')?.min).toBe(30);
  });
});

describe('the network figure', () => {
  it('draws the map with its axes, the colouring’s legend and caption, and the runs’ curves beside it', async () => {
    const plan = netPlan(FRACTAL);
    const res = (await engine.run(plan)) as NetResults;
    const png = (_: Uint8ClampedArray, w: number, h: number): string => `data:image/png;base64,${w}x${h}`;
    const map = netHeatmapSvg({ kind: 'netmap', title: 'T', plan, columns: res, mode: 'convergence' }, png);
    expect(map).toMatch(/^<svg xmlns/);
    expect(map).toContain('learning rate of layers.0, the input layer (log)');
    expect(map).toContain('learning rate of layers.1, the output layer (log)');
    expect(map).toMatch(/trained \(\d+ runs\)/);
    expect(map).toMatch(/did not train \(\d+ runs\)/);
    expect(map).toContain('data:image/png;base64,');
    // The caption, wrapped over lines: its first words.
    expect(map).toContain(netCaption(plan, 'convergence').slice(0, 20));
    const loss = netHeatmapSvg({ kind: 'netmap', title: 'T', plan, columns: res, mode: 'train_loss' }, png);
    expect(loss).toContain('train loss (log)');

    const [t] = await engine.trajectories(plan, { runs: [8], every: 1 });
    if (!t) throw new Error('no path');
    const charts = netCurvePanels(plan, [{ trajectory: t, colour: '#1d1d1f', label: 'run 8' }]);
    expect(charts.map((c) => c.title)).toEqual([
      'Training loss (solid) and test loss (dashed) per step',
      'Learning rate of each param group per step (dashed: the explicit groups)',
      'Gradient norm per step',
    ]);
    const lr = charts[1];
    expect(lr?.series.map((s) => s.label)).toEqual(['learning rate of layers.0, the input layer', 'learning rate of layers.1, the output layer']);
    expect(lr?.series[0]?.x.length).toBe(t.steps.length - 1);
    const fig = figureGridSvg([map, ...charts.map((c) => panelSvg(c, png))], 2);
    const size = /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="(\d+)" height="(\d+)"/.exec(fig);
    expect(Number(size?.[1])).toBe(1040);
    expect(Number(size?.[2])).toBeGreaterThan(700);
    expect(fig).toContain('<svg x="520" y="0"');
    expect(fig).toContain('stroke-dasharray="5 3"');
    expect(netCurvePanels(plan, [])).toEqual([]);
  });
});

describe('the network hover preview', () => {
  function timers(): Timers & { run(): void; pending: number } {
    const q = new Map<number, () => void>();
    let id = 0;
    return {
      set: (fn) => {
        q.set(++id, fn);
        return id;
      },
      clear: (h) => void q.delete(h as number),
      run() {
        const fns = [...q.values()];
        q.clear();
        for (const f of fns) f();
      },
      get pending() {
        return q.size;
      },
    };
  }

  it('records the hovered run once, after the pause, dropping hovers made stale', async () => {
    const plan = netPlan(FRACTAL);
    const tm = timers();
    let updates = 0;
    const calls: number[][] = [];
    const spy = {
      ...engine,
      name: engine.name,
      trajectories: (p: NetPlan, req: { runs: readonly number[] }) => {
        calls.push([...req.runs]);
        return engine.trajectories(p, { runs: req.runs });
      },
    } as unknown as CpuEngine;
    const pv = new NetPreviewController({ requestUpdate: () => updates++ }, 30, tm);
    pv.rebase(plan, spy);
    pv.hover({ i: 1, j: 0 });
    pv.hover({ i: 2, j: 0 });
    expect(tm.pending).toBe(1);
    tm.run();
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toEqual([[2]]);
    expect(pv.trajectory?.run).toBe(2);
    // Back to a cell already recorded: no new request.
    pv.hover({ i: 3, j: 0 });
    pv.hover({ i: 2, j: 0 });
    expect(pv.trajectory?.run).toBe(2);
    tm.run();
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toEqual([[2]]);
    pv.hover(null);
    expect(pv.trajectory).toBeNull();
    expect(updates).toBeGreaterThan(0);
  });

  it('previews nothing where one run costs too much, and says so', () => {
    const big = netPlan({ ...FRACTAL, steps: 100_000 });
    expect(netRunWork(big)).toBeGreaterThan(NET_PREVIEW_MAX_WORK);
    expect(netRunWork(netPlan(FRACTAL))).toBeLessThan(NET_PREVIEW_MAX_WORK);
    const tm = timers();
    const pv = new NetPreviewController({ requestUpdate: () => {} }, 30, tm);
    pv.rebase(big, engine);
    pv.hover({ i: 0, j: 0 });
    expect(tm.pending).toBe(0);
    expect(pv.skipped).toMatch(/No hover preview/);
  });
});

describe('network validation in the explorer', () => {
  it('names its two passes as validateNetPlan reports them, and words the verdict with what was compared', async () => {
    const plan = netPlan(FRACTAL);
    const cpu64 = new CpuEngine('cpu64', { workers: 0, spawn: null });
    const seen: string[] = [];
    const { report } = await validateNetPlan(plan, [engine, cpu64], { onEngine: (n) => seen.push(n) });
    const passes = netValidationPasses();
    // Every pass the app announces is one validateNetPlan runs (the shown engine's is reused).
    for (const p of passes) expect(seen).toContain(p.engine);
    const pair = report.pairs[0];
    if (!pair) throw new Error('no pair');
    const text = netVerdictText(pair, netPairPasses(pair), ', the engine that drew this map');
    expect(text).toMatch(/^(PASS|FAIL): cpu \(float32 CPU engine, the engine that drew this map\) vs cpu64 \(float64 CPU engine\)\. Whether a run diverged: the same on \d+\.\d\d% of the \d+ runs off the trainability boundary/);
    expect(text).toMatch(/train loss differs by median \d\.\de[-+]\d+/);
    expect(text).toContain('medians need ≤ 1e-5');
    expect(netPairPasses(pair)).toBe(true);
  }, 60_000);

  it('traces a run the LR probe misses on the shown engine, its results reused, and says so in the verdict (review 18)', async () => {
    const spec = parseAnySpec({
      network: { hidden: [4], activation: 'relu', batch_size: 16, sharpness_iterations: 0 },
      data: { name: 'iris', train: 120, test: 30 },
      optimizer: { name: 'Adam', lr: 0.01 },
      steps: 30,
      sweep: { x: { param: 'optimizer.lr', min: 1e-3, max: 10, count: 6, scale: 'log' }, y: { param: 'network.batch_size', min: 1, max: 120, count: 3, scale: 'log' } },
    });
    if (spec.problem !== 'network') throw new Error('not a network spec');
    await prepareSpec(spec);
    const plan = makeNetPlan(spec);
    const cpu64 = new CpuEngine('cpu64', { workers: 0, spawn: null });
    const shown = await engine.run(plan);
    const seen: string[] = [];
    const { report } = await validateNetPlan(plan, [engine, cpu64], { computed: [shown], onEngine: (n) => seen.push(n) });
    expect(seen).not.toContain('cpu');
    const pair = report.pairs[0];
    if (!pair) throw new Error('no pair');
    expect(pair.worst.find((w) => w.run === 11)?.split?.step).toBe(3);
    expect(netTracedText(plan, pair)).toMatch(/^ Traced: run 11 \(learning rate 10, batch size 11\) ends with train losses \d+% apart, though a change of LR leaves it in place: the two trained it alike until step 3 \(train loss [\d.]+ vs [\d.]+\), after the loss rose to \d+ times its start; rounding inside a step can part what the LR does not\.$/);
    // Without the shown engine (results only) nothing can be traced, and nothing is said.
    const bare = (await validateNetPlan(plan, [cpu64], { computed: [shown] })).report.pairs[0];
    if (!bare) throw new Error('no pair');
    expect(netTracedText(plan, bare)).toBe('');
  }, 120_000);

  it('finds the first step where two paths part (firstSplit), with the peak loss before it', () => {
    const path = (loss: number[], every = 1): NetTrajectory => {
      const col = Float64Array.from(loss);
      return { run: 0, every, steps: Int32Array.from(loss, (_, k) => k * every), trainLoss: col, testLoss: col, lr: col, groupLr: [col], gradNorm: col, paramNorm: col, diverged: false, divergedAt: null };
    };
    const b = path([2, 40, 300, 50, 1]);
    expect(firstSplit(path([2, 40, 300, 50, 1]), b)).toBeNull();
    // Within 1e-3 relative is the same; the split is the first step past it.
    expect(firstSplit(path([2.001, 40.03, 300, 2, 1]), b)).toEqual({ step: 3, lossA: 2, lossB: 50, peak: 150 });
    expect(firstSplit(path([2, 40, 300, 50, 1], 5), path([2, 40, 300, 51, 1], 5))?.step).toBe(15);
    // A NaN on one side is a split; no finite start loss gives none.
    expect(firstSplit(path([2, Number.NaN]), path([2, 3]))?.step).toBe(1);
    expect(firstSplit(path([1, 2]), path([Number.NaN, 2]))).toBeNull();
  });

  it('reuses results passed in `computed` instead of running their engine, and refuses ones of another plan', async () => {
    const plan = netPlan(FRACTAL);
    const cpu64 = new CpuEngine('cpu64', { workers: 0, spawn: null });
    const shown = await engine.run(plan);
    const seen: string[] = [];
    const { report, results } = await validateNetPlan(plan, [cpu64], { computed: [shown], onEngine: (n) => seen.push(n) });
    expect(report.engines).toEqual(['cpu', 'cpu64']);
    expect(results.cpu).toBe(shown);
    expect(seen).not.toContain('cpu');
    const other = await engine.run(netPlan({ ...FRACTAL, sweep: { ...FRACTAL.sweep, x: { ...FRACTAL.sweep.x, count: FRACTAL.sweep.x.count + 1 } } }));
    await expect(validateNetPlan(plan, [cpu64], { computed: [other] })).rejects.toThrow(/computed cpu results hold \d+ runs, not this plan's \d+/);
  }, 60_000);
});

describe('a network too large for the page (walkthrough 15: the tab crashed)', () => {
  it('is refused before it runs on the CPU engine, naming network.hidden, by heap or by memory', async () => {
    const spec = parseAnySpec({ network: { hidden: [4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096], activation: 'relu', batch_size: 16 }, data: { name: 'iris', train: 120, test: 30 }, optimizer: { name: 'Adam', lr: 0.001 }, steps: 10 });
    if (spec.problem !== 'network') throw new Error('not a network spec');
    await prepareSpec(spec);
    const big = makeNetPlan(spec);
    const GiB = 2 ** 30;
    expect(pageNetMemoryProblem(big, 2, 4 * GiB, 8 * GiB)).toMatch(/^network\.hidden: a run of this network \(117,501,955 parameters\) needs about 7\.0 GiB of JavaScript memory on the CPU engine, more than the 3\.0 GiB a worker of this page may hold: at most [\d,]+ parameters fit; a smaller network/);
    // 2,048 wide (3.9 GiB a run with the WebAssembly pass's copies): fits a worker's heap; one worker fits 8 GiB, two do not.
    const mid = makeNetPlan(parseAnySpec({ ...anySpecToJSON(spec), network: { hidden: [2048, 2048, 2048, 2048, 2048, 2048, 2048, 2048], activation: 'relu', batch_size: 16 } }) as never);
    expect(pageNetMemoryProblem(mid, 1, 4 * GiB, 8 * GiB)).toBeNull();
    expect(pageNetMemoryProblem(mid, 2, 4 * GiB, 8 * GiB)).toMatch(/^network\.hidden: a run of this network \(29,[\d,]+ parameters\) holds about [\d.]+ GiB on the CPU engine, and its 2 workers would hold [\d.]+ GiB, more than the 6\.0 GiB this page may use/);
    expect(pageNetMemoryProblem(netPlan(FRACTAL), 8, 4 * GiB, 8 * GiB)).toBeNull();
  });

  it("refuses exactly what the CLI refuses: one rule (netHeapFit, netMemoryFit), two wordings, at the byte either side of the budget (review 27)", () => {
    const plan = netPlan(FRACTAL);
    const params = plan.layout.params;
    const GiB = 2 ** 30;
    // The heap: a limit whose budget is the run's need, less or more one byte.
    const need = params * NET_HEAP_BYTES_PER_PARAM;
    for (const d of [-1, 0, 1]) {
      const limit = NET_HEAP_RESERVE + (need + d) / NET_HEAP_SHARE;
      const fit = netHeapFit(params, limit);
      if (d !== 0) expect(fit.fits, `heap budget need ${d > 0 ? '+' : ''}${d}`).toBe(d > 0);
      expect(netHeapProblem(params, limit) === null).toBe(fit.fits);
      expect(pageNetMemoryProblem(plan, 1, limit, 64 * GiB) === null).toBe(fit.fits);
    }
    // The machine's memory: three workers' runs against a total whose share is their need, less or more one byte.
    const perRun = netRunBytes(plan);
    for (const d of [-1, 0, 1]) {
      const total = (3 * perRun + d) / NET_MEMORY_SHARE;
      const fit = netMemoryFit(perRun, 3, total);
      if (d !== 0) expect(fit.fits, `memory budget need ${d > 0 ? '+' : ''}${d}`).toBe(d > 0);
      expect(netMemoryProblem(params, perRun, 3, total) === null).toBe(fit.fits);
      expect(pageNetMemoryProblem(plan, 3, 4 * GiB, total) === null).toBe(fit.fits);
    }
    // One GiB wording for both.
    expect(gib(0.01 * GiB)).toBe('0.010 GiB');
    expect(gib(3 * GiB)).toBe('3.0 GiB');
  });
});
