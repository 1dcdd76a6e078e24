/**
 * The plan-specialised CPU kernel (src/engine/cpu/jit/) against the generic one it is derived from:
 * bit for bit, in both precisions, for every optimiser, surface and schedule of the registry and
 * every run-level feature (noise, SAM, SWA, per-run schedules, swept step scalars, list sweeps,
 * minibatches). Coverage follows the registry: an entry added there is specialised here.
 */
import { describe, expect, it } from 'vitest';
import { makePlan } from '../../src/core/plan.ts';
import type { Plan } from '../../src/core/plan.ts';
import { OPTIMIZERS, SCHEDULES, SURFACES } from '../../src/core/registry/index.ts';
import type { ResultColumns } from '../../src/core/results.ts';
import { allocateColumns, columnOf, presentFields } from '../../src/core/results.ts';
import { overrideStandIn, parseSpec, scheduleOverrides } from '../../src/core/spec.ts';
import type { Precision } from '../../src/core/steps.ts';
import { composeKernel } from '../../src/engine/cpu/jit/compose.ts';
import { runRangeGeneric } from '../../src/engine/cpu/kernel.ts';

/** Runs the plan both ways and returns the first difference (bitwise: Object.is), or null. */
function compare(plan: Plan, precision: Precision, mayCall: RegExp | null = null): { field: string; run: number; jit: number; generic: number } | null {
  const a = allocateColumns(plan.runs, precision, plan.spec);
  const b = allocateColumns(plan.runs, precision, plan.spec);
  const k = composeKernel(plan, precision);
  // Every twin is read and inlined: a fallback (a call instead) is correct but slow, so it fails here.
  expect(k.fallbacks.filter((f) => !mayCall?.test(f)), JSON.stringify(plan.spec)).toEqual([]);
  k.run(0, plan.runs, a);
  runRangeGeneric(plan, precision, 0, plan.runs, b);
  for (const f of presentFields(a)) {
    const x = columnOf(a, f) as ResultColumns['loss'];
    const y = columnOf(b, f) as ResultColumns['loss'];
    for (let i = 0; i < plan.runs; i++) {
      if (!Object.is(x[i], y[i])) return { field: f, run: i, jit: x[i] as number, generic: y[i] as number };
    }
  }
  return null;
}

function plan(spec: Record<string, unknown>): Plan {
  return makePlan(parseSpec(spec));
}

/** A small start-point sweep, so that every run differs (and some diverge). */
function startSweep(surface: string, n = 6): Record<string, unknown> {
  const s = SURFACES.find((x) => x.id === surface);
  if (!s) throw new Error(surface);
  const d = s.domain({});
  return {
    x: { param: 'start.0', min: d.xMin, max: d.xMax, count: n },
    y: { param: 'start.1', min: d.yMin, max: d.yMax, count: n },
  };
}

const PRECISIONS: readonly Precision[] = ['f32', 'f64'];

describe('specialised CPU kernel = generic kernel, bit for bit', () => {
  for (const o of OPTIMIZERS) {
    it(`optimizer ${o.id}: LR sweep and start sweep, both precisions`, () => {
      for (const precision of PRECISIONS) {
        const lrSweep = plan({
          surface: 'rosenbrock',
          optimizer: { name: o.id, lr: 1e-3 },
          steps: 60,
          outcome: { check_every: 7 },
          sweep: { x: { param: 'optimizer.lr', min: 1e-4, max: 0.3, count: 12, scale: 'log' } },
        });
        expect(compare(lrSweep, precision)).toBeNull();
        const starts = plan({ surface: 'himmelblau', optimizer: { name: o.id, lr: 0.01 }, steps: 40, sweep: startSweep('himmelblau') });
        expect(compare(starts, precision)).toBeNull();
      }
    });
  }

  for (const s of SURFACES) {
    it(`surface ${s.id}: heavy-ball SGD from a grid of starts, both precisions`, () => {
      for (const precision of PRECISIONS) {
        const p = plan({ surface: s.id, optimizer: { name: 'SGD', lr: 2e-3, momentum: 0.8 }, steps: 50, sweep: startSweep(s.id, 5) });
        expect(compare(p, precision)).toBeNull();
      }
    });
  }

  // A schedule with its required parameters, valid over 80 steps.
  const SCHEDULE_SPECS: Record<string, Record<string, unknown>> = {
    StepLR: { step_size: 10, gamma: 0.5 },
    MultiStepLR: { milestones: [10, 30], gamma: 0.3 },
    ExponentialLR: { gamma: 0.97 },
    CosineAnnealingLR: { T_max: 40, eta_min: 1e-5 },
    CosineAnnealingWarmRestarts: { T_0: 15, T_mult: 2 },
    CyclicLR: { base_lr: 1e-3, max_lr: 0.02, step_size_up: 10, mode: 'triangular2' },
    OneCycleLR: { max_lr: 0.02, total_steps: 80 },
    LinearLR: { start_factor: 0.2, total_iters: 20 },
    ConstantLR: { factor: 0.5, total_iters: 15 },
    SequentialLR: { milestones: [20], schedulers: [{ name: 'LinearLR', start_factor: 0.1, total_iters: 20 }, { name: 'CosineAnnealingLR', T_max: 60 }] },
    PolynomialLR: { total_iters: 60, power: 2 },
    ChainedScheduler: { schedulers: [{ name: 'ExponentialLR', gamma: 0.98 }, { name: 'StepLR', step_size: 20, gamma: 0.5 }] },
    ReduceLROnPlateau: { patience: 3, factor: 0.5 },
    SWALR: { swa_lr: 0.005, anneal_epochs: 10 },
    WSD: { warmup_steps: 10, stable_steps: 40, decay_steps: 30 },
  };

  it('covers every schedule of the registry', () => {
    expect(SCHEDULES.map((s) => s.id).filter((id) => !(id in SCHEDULE_SPECS))).toEqual([]);
  });

  for (const s of SCHEDULES) {
    it(`schedule ${s.id}: shared (the step table) and per run (a swept schedule parameter), both precisions`, () => {
      const sched = { name: s.id, ...SCHEDULE_SPECS[s.id] };
      for (const optimizer of [{ name: 'SGD', lr: 0.01, momentum: 0.5 }, { name: 'Adam', lr: 0.02 }]) {
        for (const precision of PRECISIONS) {
          const shared = plan({ surface: 'six_hump_camel', optimizer, schedule: sched, steps: 80, sweep: startSweep('six_hump_camel', 4) });
          expect(compare(shared, precision)).toBeNull();
          // A schedule that sets the LR from its own values (CyclicLR's, OneCycleLR's max_lr): sweep that instead.
          const parsed = parseSpec({ surface: 'six_hump_camel', optimizer, schedule: sched, steps: 80 });
          const swept = scheduleOverrides(parsed).includes('lr') ? overrideStandIn('lr', parsed.schedule) : 'optimizer.lr';
          const perRun = plan({
            surface: 'six_hump_camel',
            optimizer,
            schedule: sched,
            steps: 80,
            sweep: { x: { param: swept, min: 0.03, max: 0.05, count: 5, scale: 'log' } },
          });
          expect(perRun.scheduleShared).toBe(false);
          // A composite's active child changes with the step at run time: its evaluate is called.
          expect(compare(perRun, precision, s.children ? /^evaluate: / : null)).toBeNull();
        }
      }
    });
  }

  it('gradient noise, SAM (plain and adaptive), SWA, swept betas and random/Sobol/point sweeps', () => {
    const cases: Record<string, unknown>[] = [
      { surface: 'himmelblau', optimizer: { name: 'SGD', lr: 0.01, momentum: 0.9 }, steps: 60, noise: { std: 2, seed: 7 }, sweep: startSweep('himmelblau') },
      { surface: 'rosenbrock', optimizer: { name: 'Adam', lr: 0.01 }, steps: 60, sam: { rho: 0.05 }, sweep: startSweep('rosenbrock') },
      { surface: 'rosenbrock', optimizer: { name: 'SGD', lr: 1e-3 }, steps: 60, sam: { rho: 0.3, adaptive: true }, noise: { std: 0.5, seed: 1 }, sweep: startSweep('rosenbrock') },
      { surface: 'flat_sharp', optimizer: { name: 'SGD', lr: 0.01, momentum: 0.5 }, steps: 80, swa: { start: 30, every: 3 }, noise: { std: 1, seed: 2 }, sweep: startSweep('flat_sharp') },
      {
        surface: 'rosenbrock',
        optimizer: { name: 'Adam', lr: 0.01 },
        steps: 50,
        sweep: { x: { param: 'optimizer.betas.0', min: 0.5, max: 0.95, count: 5 }, y: { param: 'optimizer.betas.1', min: 0.9, max: 0.999, count: 4 } },
      },
      { surface: 'beale', optimizer: { name: 'RMSprop', lr: 1e-3 }, steps: 40, sweep: { kind: 'random', count: 30, seed: 3, dims: [{ param: 'optimizer.lr', min: 1e-4, max: 0.1, scale: 'log' }, { param: 'start.0', min: -2, max: 2 }] } },
      { surface: 'booth', optimizer: { name: 'NAdam', lr: 0.05 }, steps: 40, sweep: { kind: 'sobol', count: 30, seed: 1, dims: [{ param: 'optimizer.lr', min: 1e-3, max: 0.3, scale: 'log' }, { param: 'noise.std', min: 0, max: 2 }] } },
      { surface: 'quadratic', optimizer: { name: 'SGD', lr: 0.1 }, steps: 30, sweep: { kind: 'points', params: ['optimizer.lr', 'start.1'], points: [[0.1, 1], [0.5, -1], [1.9, 0.5]] } },
      { surface: { name: 'logistic', batch_size: 8 }, optimizer: { name: 'SGD', lr: 0.5, momentum: 0.9 }, steps: 40, noise: { seed: 4 }, sweep: startSweep('logistic', 4) },
      { surface: 'rastrigin', optimizer: { name: 'SGD', lr: 1e-3 }, steps: 40, outcome: { check_every: 1 }, sweep: startSweep('rastrigin') },
    ];
    for (const c of cases) for (const precision of PRECISIONS) expect(compare(plan(c), precision), JSON.stringify(c)).toBeNull();
  });
});
