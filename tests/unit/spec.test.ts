import { describe, expect, it } from 'vitest';
import { MAX_LISTED_ERRORS, SpecErrors } from '../../src/core/errors.ts';
import { P_COUNT, P_OPTIMIZER, P_RUN, P_RUN_SIZE, P_SCHEDULE, RUN_PARAMS, scheduleBlockBase } from '../../src/core/layout.ts';
import { PARAM_UNSET } from '../../src/core/params.ts';
import { makePlan, sweepValue } from '../../src/core/plan.ts';
import { MAX_CHECK_EVERY, MAX_MAGNITUDE, MAX_STEPS, RUN_PATHS, RUN_SETTINGS, RUN_SLOT_PATHS, SAM_DEFAULT_RHO, U32_MAX } from '../../src/core/run-settings.ts';
import type { ScheduleSpec } from '../../src/core/spec.ts';
import { defaultCheckEvery, netSpecToJSON, parseAnySpec, parseNetSpec, parseSpec, resolveParamPath, scheduleForGroup, scheduleGroupLists, specToJSON, sweepablePaths } from '../../src/core/spec.ts';
import { makeNetPlan } from '../../src/core/network/plan.ts';
import { slotOffsets } from '../../src/core/params.ts';
import { SCHEDULES, findSchedule } from '../../src/core/registry/index.ts';
import { perturbedNetSpec } from '../../src/core/validate.ts';
import { STEP_TABLE_WINDOW } from '../../src/engine/gpu/layouts.ts';

const base = {
  surface: 'rosenbrock',
  optimizer: { name: 'SGD', lr: 0.01, momentum: 0.9 },
  steps: 100,
};

/** The messages `parse` (parseSpec) rejects `input` with (fails the test if it accepts it). */
function errorsOf(input: unknown, parse: (input: unknown) => unknown = parseSpec): string[] {
  try {
    parse(input);
  } catch (e) {
    if (e instanceof SpecErrors) return e.errors.map((x) => x.message);
    throw e;
  }
  throw new Error('spec was accepted');
}

describe('parseSpec: a valid spec resolves with torch defaults', () => {
  it('fills every default and canonicalises names case-insensitively', () => {
    const s = parseSpec({ ...base, optimizer: { name: 'adamw' } });
    expect(s.optimizer.name).toBe('AdamW');
    expect(s.optimizer.params).toMatchObject({ lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0.01, amsgrad: false });
    expect(s.surface.params).toMatchObject({ a: 1, b: 100 });
    expect(s.start).toEqual([-1.5, 2]);
    expect(s.noise).toEqual({ std: 0, seed: 0 });
    expect(s.outcome.check_every).toBeNull();
    expect(makePlan(s).checkEvery).toBe(2); // 2% of 100 steps
    expect(s.schedule).toBeNull();
  });

  it('accepts the issue example (cosine schedule, LR x momentum grid)', () => {
    const s = parseSpec({
      surface: 'rosenbrock',
      optimizer: { name: 'SGD', lr: 0.01, momentum: 0.9, dampening: 0, nesterov: false, weight_decay: 0 },
      schedule: { name: 'CosineAnnealingLR', T_max: 500, eta_min: 0 },
      steps: 500,
      start: [-1.5, 2.0],
      noise: { std: 0.0, seed: 0 },
      sweep: {
        x: { param: 'optimizer.lr', min: 1e-4, max: 1, count: 256, scale: 'log' },
        y: { param: 'optimizer.momentum', min: 0, max: 0.99, count: 256, scale: 'linear' },
      },
    });
    const plan = makePlan(s);
    expect(plan.width).toBe(256);
    expect(plan.height).toBe(256);
    expect(plan.runs).toBe(65536);
    expect(plan.xValues[0]).toBe(1e-4);
    expect(plan.xValues[255]).toBe(1);
    expect(plan.yValues[255]).toBe(0.99);
  });

  it('round-trips through its JSON form', () => {
    const s = parseSpec({
      ...base,
      schedule: {
        name: 'SequentialLR',
        milestones: [10],
        schedulers: [
          { name: 'LinearLR', start_factor: 0.1, total_iters: 10 },
          { name: 'CosineAnnealingLR', T_max: 90 },
        ],
      },
    });
    expect(parseSpec(specToJSON(s))).toEqual(s);
  });
});

describe('parseSpec: bad input names the field, what was given and what is allowed', () => {
  const cases: [string, unknown, RegExp][] = [
    ['negative lr', { ...base, optimizer: { name: 'SGD', lr: -1 } }, /^optimizer\.lr: -1 is out of range; allowed \[0, inf\)/],
    ['unknown optimizer', { ...base, optimizer: { name: 'Sgdd' } }, /^optimizer\.name: expected one of SGD, .*got "Sgdd"/],
    ['unknown surface', { ...base, surface: 'banana' }, /^surface\.name: expected one of .*rosenbrock.*, got "banana"$/],
    // A near miss in a name gets a suggestion (walkthrough 17); two swapped letters are one slip.
    ['misspelt surface', { ...base, surface: 'rosenbrok' }, /^surface\.name: expected one of .*, got "rosenbrok" \(did you mean rosenbrock\?\)$/],
    ['swapped letters', { ...base, optimizer: { name: 'Adma' } }, /^optimizer\.name: expected one of .*, got "Adma" \(did you mean Adam\?\)$/],
    ['misspelt schedule', { ...base, schedule: { name: 'OneCycleRL' } }, /^schedule\.name: expected one of .*, got "OneCycleRL" \(did you mean OneCycleLR\?\)$/],
    // No guess between two as near, nor for a short name that is another thing (review 23).
    ['tied names', { ...base, optimizer: { name: 'Adamx' } }, /^optimizer\.name: expected one of .*, got "Adamx"$/],
    // Walkthrough 23 item 11: a name string is taken too, so the message says so; misspelt sweep paths get a guess.
    ['a surface that is a number', { ...base, surface: 5 }, /^surface: expected a surface name or an object, got 5$/],
    ['an optimizer that is null', { ...base, optimizer: null }, /^optimizer: expected an optimizer name or an object, got null$/],
    ['a schedule that is a number', { ...base, schedule: 3 }, /^schedule: expected a schedule name or an object, got 3$/],
    ['sweep of a misspelt parameter', { ...base, sweep: { x: { param: 'optimizer.momentun', min: 0, max: 0.9, count: 2 } } }, /^sweep\.x\.param: no numeric parameter 'momentun' in optimizer \(did you mean optimizer\.momentum\?\); sweepable: optimizer\.lr/],
    // Two as near: both as whole paths (review 28).
    ['sweep of a parameter between two', { ...base, schedule: { name: 'CyclicLR', base_lr: 0.0001, max_lr: 0.01 }, sweep: { x: { param: 'schedule.step_size_dn', min: 1, max: 10, count: 2 } } }, /\(did you mean schedule\.step_size_up or schedule\.step_size_down\?\)/],
    ['unknown field', { ...base, optimiser: {} }, /^optimiser: unknown field \(did you mean optimizer\?\); allowed: surface, optimizer/],
    ['unknown optimizer field', { ...base, optimizer: { name: 'SGD', momentun: 0.9 } }, /^optimizer\.momentun: unknown field \(did you mean momentum\?\); allowed: name, lr, momentum/],
    ['betas out of range', { ...base, optimizer: { name: 'Adam', betas: [0.9, 1.5] } }, /^optimizer\.betas\.1: 1\.5 is out of range/],
    ['steps not integer', { ...base, steps: 10.5 }, /^steps: expected an integer in \[1, 10000000\], got 10\.5/],
    ['steps missing', { surface: 'rosenbrock', optimizer: { name: 'SGD' } }, /^steps: expected an integer in \[1, 10000000\], got nothing/],
    ['start of wrong shape', { ...base, start: [1] }, /^start: expected 2 numbers in \[-1e\+30, 1e\+30\], got \[1\]/],
    ['start beyond the bound', { ...base, start: [5000, 0] }, /^start\.0: 5000 is beyond the divergence bound 1000/],
    ['noise std negative', { ...base, noise: { std: -0.1 } }, /^noise\.std: -0\.1 is out of range/],
    ['required schedule parameter', { ...base, schedule: { name: 'StepLR' } }, /^schedule\.step_size: required: torch's StepLR has no default/],
    ['nesterov without momentum (torch raises)', { ...base, optimizer: { name: 'SGD', nesterov: true } }, /^optimizer\.nesterov: .*momentum > 0/],
    ['sweep of a non-numeric parameter', { ...base, sweep: { x: { param: 'optimizer.nesterov', min: 0, max: 1, count: 2 } } }, /^sweep\.x\.param: optimizer\.nesterov is not numeric/],
    ['sweep of an unknown path', { ...base, sweep: { x: { param: 'optimizer.beta', min: 0, max: 1, count: 2 } } }, /^sweep\.x\.param: no numeric parameter 'beta' in optimizer; sweepable: optimizer\.lr/],
    ['sweep range outside the parameter range', { ...base, sweep: { x: { param: 'optimizer.lr', min: -1, max: 1, count: 2 } } }, /^sweep\.x\.min: -1 is outside optimizer\.lr's allowed range/],
    ['log axis through zero', { ...base, sweep: { x: { param: 'optimizer.lr', min: 0, max: 1, count: 2, scale: 'log' } } }, /^sweep\.x\.min: a log axis needs min > 0/],
    ['too many points', { ...base, sweep: { x: { param: 'optimizer.lr', min: 0, max: 1, count: 100000 } } }, /^sweep\.x\.count: 100000 is out of range; allowed integers \[1, 16384\]/],
    ['a parameter that moves the minima', { ...base, sweep: { x: { param: 'surface.a', min: 0, max: 1, count: 2 } } }, /^sweep\.x\.param: surface\.a cannot be swept/],
    ['nesterov sweep through momentum 0', { ...base, optimizer: { name: 'SGD', momentum: 0.9, nesterov: true }, sweep: { x: { param: 'optimizer.momentum', min: 0, max: 0.9, count: 4 } } }, /at optimizer\.momentum = 0, an end of the sweep/],
    ['LR sweep under OneCycleLR', { ...base, schedule: { name: 'OneCycleLR', max_lr: 0.1, total_steps: 100 }, sweep: { x: { param: 'optimizer.lr', min: 0.01, max: 1, count: 2 } } }, /optimizer\.lr has no effect under OneCycleLR/],
    ['OneCycleLR shorter than the run', { ...base, schedule: { name: 'OneCycleLR', max_lr: 0.1, total_steps: 50 } }, /^schedule\.total_steps: torch raises "Tried to step 51 times/],
    ['cycling momentum on Adagrad (torch raises)', { ...base, optimizer: { name: 'Adagrad' }, schedule: { name: 'CyclicLR', base_lr: 0.001, max_lr: 0.01 } }, /^schedule\.cycle_momentum: optimizer must support momentum or beta1/],
    // Review 14: the message named SequentialLR inside a ChainedScheduler.
    ['ReduceLROnPlateau inside ChainedScheduler', { ...base, schedule: { name: 'ChainedScheduler', schedulers: [{ name: 'ReduceLROnPlateau' }, { name: 'ExponentialLR', gamma: 0.99 }] } }, /^schedule\.schedulers\.0: ReduceLROnPlateau needs the loss .*torch's ChainedScheduler calls its step\(\) without a metric/],
    ['ReduceLROnPlateau inside SequentialLR', { ...base, schedule: { name: 'SequentialLR', milestones: [5], schedulers: [{ name: 'ExponentialLR', gamma: 0.99 }, { name: 'ReduceLROnPlateau' }] } }, /^schedule\.schedulers\.1: ReduceLROnPlateau needs the loss .*torch's SequentialLR calls its step\(\) without a metric/],
    // Review 14: torch's RMSprop makes no buffer at a momentum of 0 at step 1 and raises KeyError at step 2.
    ['RMSprop momentum cycled up from 0 (CyclicLR; torch raises KeyError)', { ...base, optimizer: { name: 'RMSprop' }, schedule: { name: 'CyclicLR', base_lr: 0.001, max_lr: 0.01, base_momentum: 0.5, max_momentum: 0 } }, /^schedule\.max_momentum: .*RMSprop makes no momentum buffer.*KeyError: 'momentum_buffer'/],
    ['RMSprop momentum cycled up from 0 (OneCycleLR)', { ...base, optimizer: { name: 'RMSprop' }, schedule: { name: 'OneCycleLR', max_lr: 0.1, total_steps: 100, base_momentum: 0.8, max_momentum: 0 } }, /^schedule\.max_momentum: .*KeyError/],
    // Review 15: below 0 too, at the step where the cycle turns it positive.
    ['RMSprop momentum cycled up from below 0', { ...base, optimizer: { name: 'RMSprop' }, schedule: { name: 'CyclicLR', base_lr: 0.001, max_lr: 0.01, base_momentum: 0.5, max_momentum: -0.5, step_size_up: 10 } }, /^schedule\.max_momentum: the cycle starts the momentum at max_momentum = -0\.5, .*KeyError: 'momentum_buffer' at step 7,/],
    ['RMSprop momentum cycled up from 0 at a sweep end', { ...base, optimizer: { name: 'RMSprop' }, schedule: { name: 'CyclicLR', base_lr: 0.001, max_lr: 0.01, base_momentum: 0.5 }, sweep: { x: { param: 'schedule.max_momentum', min: 0, max: 0.9, count: 4 } } }, /KeyError.*\(at schedule\.max_momentum = 0, an end of the sweep\)/],
  ];
  for (const [name, input, pattern] of cases) {
    it(name, () => {
      const errs = errorsOf(input);
      expect(errs.some((e) => pattern.test(e)), `${errs.join('\n')}\n  should match ${pattern}`).toBe(true);
    });
  }

  it('reports every problem of a spec in one pass', () => {
    const errs = errorsOf({ surface: 'nope', optimizer: { name: 'SGD', lr: -1 }, steps: 0 });
    expect(errs.length).toBeGreaterThanOrEqual(3);
  });

  it('control: the same specs with the offending field fixed are accepted', () => {
    expect(() => parseSpec({ ...base, optimizer: { name: 'SGD', lr: 1 } })).not.toThrow();
    expect(() => parseSpec({ ...base, schedule: { name: 'StepLR', step_size: 10 } })).not.toThrow();
    expect(() => parseSpec({ ...base, optimizer: { name: 'SGD', momentum: 0.9, nesterov: true } })).not.toThrow();
  });

  it("judges a swept value's rules at the sweep's values, not at the stored one no run has (walkthrough 19)", () => {
    // The quadratic view stores momentum 0 and sweeps it on y: nesterov was refused for that 0.
    const nesterov = { ...base, optimizer: { name: 'SGD', momentum: 0, nesterov: true } };
    expect(() => parseSpec({ ...nesterov, sweep: { x: { param: 'optimizer.momentum', min: 0.01, max: 0.99, count: 4 } } })).not.toThrow();
    // A row at momentum 0 still breaks the rule, said at that end.
    expect(errorsOf({ ...nesterov, sweep: { x: { param: 'optimizer.momentum', min: 0, max: 0.99, count: 4 } } })).toEqual([
      expect.stringMatching(/^optimizer\.nesterov: .*got momentum=0, dampening=0\) \(at optimizer\.momentum = 0, an end of the sweep\)$/),
    ]);
    // A value swept elsewhere leaves the stored momentum as the runs' own: refused as before, without a note.
    expect(errorsOf({ ...nesterov, sweep: { x: { param: 'optimizer.lr', min: 0.001, max: 0.01, count: 4 } } })).toEqual([expect.stringMatching(/^optimizer\.nesterov: .*got momentum=0, dampening=0\)$/)]);
    // A fixed value that breaks the rule whatever the sweep (dampening): said once, not blamed on the swept momentum the message also prints (review 26).
    expect(errorsOf({ ...base, optimizer: { name: 'SGD', momentum: 0.3, dampening: 0.1, nesterov: true }, sweep: { x: { param: 'optimizer.momentum', min: 0.1, max: 0.9, count: 4 } } })).toEqual([
      expect.stringMatching(/^optimizer\.nesterov: .*dampening=0\.1\)$/),
    ]);
  });
});

describe('sweep paths resolve to the P slots the engines read', () => {
  const spec = parseSpec({
    ...base,
    optimizer: { name: 'Adam' },
    schedule: { name: 'SequentialLR', milestones: [5], schedulers: [{ name: 'ConstantLR' }, { name: 'ExponentialLR', gamma: 0.9 }] },
  });
  it('maps optimizer, tuple, schedule-child and run paths', () => {
    const at = (p: string): number => {
      const t = resolveParamPath(spec, p);
      if (typeof t === 'string') throw new Error(t);
      return t.slot;
    };
    expect(at('optimizer.lr')).toBe(P_OPTIMIZER);
    expect(at('optimizer.betas.1')).toBe(at('optimizer.betas.0') + 1);
    expect(at('schedule.schedulers.1.gamma')).toBeGreaterThanOrEqual(scheduleBlockBase(2));
    expect(at('start.1')).toBe(RUN_PARAMS['start.1']);
    expect(at('noise.std')).toBe(RUN_PARAMS['noise.std']);
  });

  it('encodes None as PARAM_UNSET, a finite f32', () => {
    const plan = makePlan(parseSpec({ ...base, schedule: { name: 'OneCycleLR', max_lr: 0.1, total_steps: 200 } }));
    expect([...plan.P].some((v) => v === PARAM_UNSET)).toBe(true);
    expect([...plan.P].every((v) => Number.isFinite(v) && Math.fround(v) !== Infinity && Math.fround(v) !== -Infinity)).toBe(true);
  });

  it('random and Sobol points depend only on (seed, run index) and stay in range', () => {
    const mk = (kind: string) =>
      makePlan(
        parseSpec({
          ...base,
          sweep: { kind, count: 1000, seed: 7, dims: [{ param: 'optimizer.lr', min: 1e-4, max: 1, scale: 'log' }, { param: 'optimizer.momentum', min: 0, max: 0.99 }] },
        }),
      );
    for (const kind of ['random', 'sobol']) {
      const a = mk(kind);
      const b = mk(kind);
      for (const run of [0, 1, 500, 999]) {
        expect(sweepValue(a, run, 0)).toBe(sweepValue(b, run, 0));
        expect(sweepValue(a, run, 0)).toBeGreaterThanOrEqual(1e-4);
        expect(sweepValue(a, run, 0)).toBeLessThanOrEqual(1);
        expect(sweepValue(a, run, 1)).toBeLessThanOrEqual(0.99);
      }
      expect(a.width).toBe(1000);
      expect(a.height).toBe(1);
    }
  });
});

describe('explicit points sweeps', () => {
  it('runs each given point, in order, and round-trips through JSON', () => {
    const s = parseSpec({ ...base, sweep: { kind: 'points', params: ['optimizer.lr', 'optimizer.momentum'], points: [[0.01, 0], [0.02, 0.5], [0.03, 0.9]] } });
    const p = makePlan(s);
    expect(p.runs).toBe(3);
    expect(sweepValue(p, 1, 0)).toBe(0.02);
    expect(sweepValue(p, 2, 1)).toBe(0.9);
    expect(parseSpec(specToJSON(s))).toEqual(s);
  });

  it('rejects points of the wrong width or outside the parameter range, at the point and coordinate', () => {
    expect(errorsOf({ ...base, sweep: { kind: 'points', params: ['optimizer.lr'], points: [[0.1, 2]] } }).join('\n')).toMatch(/^sweep\.points\.0: expected 1 finite number \(one per entry of sweep\.params\)/);
    // The field is the point holding the value (a points sweep has no sweep.dims).
    expect(errorsOf({ ...base, sweep: { kind: 'points', params: ['optimizer.lr'], points: [[0.1], [-1]] } })).toEqual([
      "sweep.points.1.0: -1 is outside optimizer.lr's allowed range [0, inf)",
    ]);
    expect(errorsOf({ ...base, sweep: { kind: 'points', params: ['optimizer.lr', 'optimizer.momentum'], points: [[0.1, 0], [0.2, 0.5], [0.3, -2], [0.4, 0.9]] } })).toEqual([
      "sweep.points.2.1: -2 is outside optimizer.momentum's allowed range [0, inf)",
    ]);
  });

  it('names the parameter of a points sweep at sweep.params.<i>', () => {
    expect(errorsOf({ ...base, sweep: { kind: 'points', params: ['optimizer.lr', 'optimizer.beta'], points: [[0.1, 0.2]] } })).toEqual([
      expect.stringMatching(/^sweep\.params\.1: no numeric parameter 'beta' in optimizer/),
    ]);
    expect(errorsOf({ ...base, sweep: { kind: 'points', params: ['optimizer.lr', 'optimizer.lr'], points: [[0.1, 0.2]] } })).toEqual(['sweep.params.1: optimizer.lr is swept twice']);
    expect(errorsOf({ ...base, sweep: { kind: 'points', params: ['optimizer.lr', 7], points: [[0.1, 0.2]] } })).toEqual([
      'sweep.params.1: expected a parameter path such as "optimizer.lr", got 7',
    ]);
    // A parameter with no effect is named where it is given.
    expect(
      errorsOf({ ...base, schedule: { name: 'OneCycleLR', max_lr: 0.1, total_steps: 100 }, sweep: { kind: 'points', params: ['optimizer.momentum', 'optimizer.lr'], points: [[0.1, 0.2]] } }),
    ).toContainEqual(expect.stringMatching(/^sweep\.params\.1: optimizer\.lr has no effect under OneCycleLR/));
  });
});

describe('run-level settings: one schema, and the limits it states', () => {
  it('the limits hold for the reasons their comments give', () => {
    // Kernels compute with f32(step): every step count must be an exact f32 integer.
    expect(MAX_STEPS).toBeLessThan(2 ** 24);
    expect(Math.fround(MAX_STEPS)).toBe(MAX_STEPS);
    // A checkpoint block must fit in the GPU engine's step-table window.
    expect(MAX_CHECK_EVERY).toBeLessThan(STEP_TABLE_WINDOW);
    // Reals up to MAX_MAGNITUDE stay finite in f32 slots and far from PARAM_UNSET.
    expect(Number.isFinite(Math.fround(MAX_MAGNITUDE))).toBe(true);
    expect(MAX_MAGNITUDE * 1e8).toBeLessThan(-PARAM_UNSET);
    expect(U32_MAX).toBe(2 ** 32 - 1);
    expect(parseSpec({ ...base, sam: {} }).sam).toEqual({ rho: SAM_DEFAULT_RHO, adaptive: false });
  });

  it('sweepable run fields get consecutive slots of the run block, in schema order, inside it', () => {
    expect(RUN_SLOT_PATHS).toEqual(['start.0', 'start.1', 'noise.std', 'sam.rho']);
    expect(Object.keys(RUN_PARAMS)).toEqual(RUN_SLOT_PATHS);
    RUN_SLOT_PATHS.forEach((p, i) => expect(RUN_PARAMS[p]).toBe(P_RUN + i));
    expect(RUN_SLOT_PATHS.length).toBeLessThanOrEqual(P_RUN_SIZE);
    expect(P_RUN + P_RUN_SIZE).toBeLessThanOrEqual(P_SCHEDULE);
    expect(P_SCHEDULE).toBeLessThan(P_COUNT);
  });

  it('every sweepable run path resolves to its slot with its field\'s range, and no other run path does', () => {
    const spec = parseSpec({ ...base, sam: {} });
    const run = sweepablePaths(spec).filter((t) => RUN_PATHS.some((p) => p.path === t.path));
    expect(run.map((t) => t.path)).toEqual(RUN_SLOT_PATHS);
    for (const t of run) {
      const field = RUN_PATHS.find((p) => p.path === t.path)?.field;
      expect(t.slot).toBe(RUN_PARAMS[t.path as (typeof RUN_SLOT_PATHS)[number]]);
      expect(t.range).toMatchObject({ min: field && 'min' in field ? field.min : NaN, max: field && 'max' in field ? field.max : NaN });
    }
    for (const p of RUN_PATHS.filter((q) => !RUN_SLOT_PATHS.includes(q.path as (typeof RUN_SLOT_PATHS)[number]))) {
      expect(resolveParamPath(spec, p.path), p.path).toMatch(new RegExp(`^${p.path.replace('.', '\\.')} cannot be swept`));
    }
    // A field of a switchable block is sweepable only while the block is on.
    expect(resolveParamPath(parseSpec(base), 'sam.rho')).toMatch(/^sam\.rho is swept but the spec has no sam block; add "sam": \{"rho": 0\.05\}/);
  });

  it('every run-level field just outside its range is refused at its path, naming the allowed range', () => {
    const cases: [unknown, string, RegExp][] = [
      [{ steps: 0 }, 'steps', /allowed integers \[1, 10000000\]/],
      [{ steps: MAX_STEPS + 1 }, 'steps', /allowed integers \[1, 10000000\]/],
      [{ start: [2 * MAX_MAGNITUDE, 0] }, 'start.0', /allowed \[-1e\+30, 1e\+30\]/],
      [{ noise: { std: -1e-3 } }, 'noise.std', /allowed \[0, 1e\+30\]/],
      [{ noise: { seed: U32_MAX + 1 } }, 'noise.seed', /allowed integers \[0, 4294967295\]/],
      [{ outcome: { radius: 0 } }, 'outcome.radius', /allowed \(0, 1e\+30\]/],
      [{ outcome: { bound: 2e30 } }, 'outcome.bound', /allowed \(0, 1e\+30\]/],
      [{ outcome: { check_every: MAX_CHECK_EVERY + 1 } }, 'outcome.check_every', /allowed integers \[1, 100000\]/],
      [{ swa: { start: 101 } }, 'swa.start', /allowed integers \[1, 100\]/],
      [{ swa: { start: 5, every: 0 } }, 'swa.every', /allowed integers \[1, 100\]/],
      [{ swa: {} }, 'swa.start', /expected an integer in \[1, 100\], got nothing/],
      [{ sam: { rho: -1 } }, 'sam.rho', /allowed \[0, 1e\+30\]/],
      [{ sam: { adaptive: 1 } }, 'sam.adaptive', /expected true or false, got 1/],
      [{ noise: 3 }, 'noise', /expected an object, got 3/],
    ];
    for (const [over, path, pattern] of cases) {
      const errs = errorsOf({ ...base, ...(over as object) });
      expect(errs.some((e) => e.startsWith(`${path}: `) && pattern.test(e)), `${JSON.stringify(over)}: ${errs.join('\n')}`).toBe(true);
    }
  });

  it("check_every's default is 2% of the steps, never past the most a spec may give (walkthrough 23: 200,000 for 10^7 steps)", () => {
    expect([defaultCheckEvery(1), defaultCheckEvery(500), defaultCheckEvery(1e6), defaultCheckEvery(1e7)]).toEqual([1, 10, 20_000, MAX_CHECK_EVERY]);
  });

  it('absent or null blocks resolve to their defaults (noise, outcome) or off (swa, sam), and specToJSON writes them in the order it always has', () => {
    const s = parseSpec({ ...base, noise: null, outcome: null, swa: null });
    expect(s.noise).toEqual({ std: 0, seed: 0 });
    expect(s.outcome).toEqual({ radius: null, bound: null, check_every: null });
    expect(s.swa).toBeNull();
    expect(s.sam).toBeNull();
    expect(Object.keys(specToJSON(s))).toEqual(['surface', 'optimizer', 'schedule', 'steps', 'start', 'noise', 'outcome', 'sweep']);
    const full = parseSpec({ ...base, swa: { start: 50 }, sam: { adaptive: true }, sweep: { x: { param: 'sam.rho', min: 0, max: 1, count: 2 } } });
    const json = specToJSON(full);
    expect(Object.keys(json)).toEqual(['surface', 'optimizer', 'schedule', 'steps', 'start', 'noise', 'outcome', 'sweep', 'swa', 'sam']);
    expect(json.swa).toEqual({ start: 50, every: 1 });
    expect(json.sam).toEqual({ rho: SAM_DEFAULT_RHO, adaptive: true });
    expect(parseSpec(json)).toEqual(full);
    // The JSON shares nothing with the spec.
    expect(json.start).not.toBe(full.start);
    expect(json.noise).not.toBe(full.noise);
    expect(RUN_SETTINGS.map((x) => x.key)).toEqual(['steps', 'start', 'noise', 'outcome', 'swa', 'sam']);
  });
});

describe('hardening: one rule for each value wherever it is given, and messages that name a real field in one short line', () => {
  const stepLR = { ...base, schedule: { name: 'StepLR', step_size: 10 } };

  it('an integer parameter swept to a non-integer end is refused at that end, in every sweep kind', () => {
    expect(errorsOf({ ...stepLR, sweep: { x: { param: 'schedule.step_size', min: 1, max: 2.5, count: 3 } } })).toEqual([
      'sweep.x.max: 2.5 is not an integer; schedule.step_size takes integers (a sweep of it runs its ends as given and rounds the values between)',
    ]);
    expect(errorsOf({ ...stepLR, sweep: { kind: 'random', count: 8, dims: [{ param: 'schedule.step_size', min: 0.5, max: 4 }] } })).toEqual([
      expect.stringMatching(/^sweep\.dims\.0\.min: 0\.5 is not an integer; schedule\.step_size takes integers/),
    ]);
    expect(errorsOf({ ...stepLR, sweep: { kind: 'points', params: ['optimizer.lr', 'schedule.step_size'], points: [[0.1, 2], [0.2, 2.5]] } })).toEqual([
      'sweep.points.1.1: 2.5 is not an integer; schedule.step_size takes integers',
    ]);
    // Control: integer ends run as given, the values between rounded and recorded as run.
    const plan = makePlan(parseSpec({ ...stepLR, sweep: { x: { param: 'schedule.step_size', min: 1, max: 4, count: 3 } } }));
    expect([...plan.xValues]).toEqual([1, 3, 4]);
  });

  it('a swept start beyond the divergence bound is refused like a fixed one, at the end (or point) holding it', () => {
    expect(errorsOf({ ...base, start: [5000, 0] })).toEqual(['start.0: 5000 is beyond the divergence bound 1000']);
    expect(errorsOf({ ...base, sweep: { x: { param: 'start.0', min: -5000, max: 0, count: 4 } } })).toEqual([
      'sweep.x.min: -5000 is beyond the divergence bound 1000 (a run starting at start.0 = -5000 has diverged before its first step)',
    ]);
    expect(errorsOf({ ...base, sweep: { kind: 'sobol', count: 8, dims: [{ param: 'optimizer.lr', min: 0.001, max: 0.01 }, { param: 'start.1', min: 0, max: 1e6 }] } })).toEqual([
      expect.stringMatching(/^sweep\.dims\.1\.max: 1000000 is beyond the divergence bound 1000/),
    ]);
    expect(errorsOf({ ...base, outcome: { bound: 10 }, sweep: { kind: 'points', params: ['start.1'], points: [[1], [-11], [2]] } })).toEqual([
      expect.stringMatching(/^sweep\.points\.1\.0: -11 is beyond the divergence bound 10/),
    ]);
    // Control: the same sweeps inside the bound are accepted.
    expect(() => parseSpec({ ...base, sweep: { x: { param: 'start.0', min: -1000, max: 1000, count: 4 } } })).not.toThrow();
  });

  it('quotes a given value in at most 60 characters, however large or deep, and a non-finite number as itself', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const [msg] = errorsOf({ ...base, start: deep });
    expect(msg).toBe('start: expected 2 numbers in [-1e+30, 1e+30], got [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[...');
    const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, 'x'.repeat(1000)]));
    expect(errorsOf({ ...base, noise: 'y'.repeat(1_000_000) })[0]?.length).toBeLessThan(100);
    expect(errorsOf({ ...base, sweep: { kind: 'points', params: ['optimizer.lr'], points: [wide] } })[0]).toMatch(/^sweep\.points\.0: expected 1 finite number .*, got \{"k0":"x+\.\.\.$/);
    expect(errorsOf({ ...base, optimizer: { name: 'SGD', lr: Infinity } })).toEqual(['optimizer.lr: expected a finite number in [0, inf), got Infinity']);
    expect(errorsOf({ ...base, steps: NaN })).toEqual(['steps: expected an integer in [1, 10000000], got NaN']);
  });

  it("hints torch's name for an unknown field: a pair written as two fields, a near miss, a dotted path; nothing for an unrelated name", () => {
    const adam = { ...base, optimizer: { name: 'Adam', beta1: 0.8, beta_2: 0.99 } };
    expect(errorsOf(adam)).toEqual([
      expect.stringMatching(/^optimizer\.beta1: unknown field \(torch takes betas as a pair: betas: \[beta1, beta2\], so beta1 is betas\[0\]\); allowed: .*betas/),
      expect.stringMatching(/^optimizer\.beta_2: unknown field \(torch takes betas as a pair: .* so beta_2 is betas\[1\]\)/),
    ]);
    expect(errorsOf({ ...base, optimizer: { name: 'Rprop', eta1: 0.5 } })).toEqual([expect.stringMatching(/^optimizer\.eta1: unknown field \(torch takes etas as a pair: etas: \[eta_minus, eta_plus\], so eta1 is etas\[0\]\)/)]);
    // SGD has no betas: no pair hint there, and beta1 is no near miss of any SGD field.
    expect(errorsOf({ ...base, optimizer: { name: 'SGD', beta1: 0.9 } })).toEqual([expect.stringMatching(/^optimizer\.beta1: unknown field; allowed: name, lr, momentum/)]);
    expect(errorsOf({ ...base, optimizer: { name: 'SGD', Weight_Decay: 0.1 } })).toEqual([expect.stringMatching(/^optimizer\.Weight_Decay: unknown field \(did you mean weight_decay\?\)/)]);
    expect(errorsOf({ ...base, optimizer: { name: 'SGD', weight_decy: 0.1 } })).toEqual([expect.stringMatching(/^optimizer\.weight_decy: unknown field \(did you mean weight_decay\?\)/)]);
    expect(errorsOf({ ...base, optimizer: { name: 'SGD', colour: 1 } })).toEqual([expect.stringMatching(/^optimizer\.colour: unknown field; allowed:/)]);
    // Two letters off a short name is another word: nope is not name.
    expect(errorsOf({ ...base, optimizer: { name: 'SGD', nope: 1 } })).toEqual([expect.stringMatching(/^optimizer\.nope: unknown field; allowed:/)]);
  });

  it('keeps every message on one line: names and values with control characters are escaped, odd names quoted, long ones cut', () => {
    const msgs = errorsOf({ ...base, 'evil\nkey\u001b[31m': 1, optimizer: { name: 'SGD\r\nx' }, ['k'.repeat(10_000)]: 1, '': 2, 'sweep.x': 3 });
    const allowed = 'allowed: surface, optimizer, schedule, steps, start, noise, outcome, sweep, swa, sam, $schema';
    expect(msgs).toEqual([
      `"evil\\nkey\\u001b[31m": unknown field; ${allowed}`,
      `"${'k'.repeat(40)}...": unknown field; ${allowed}`,
      `"": unknown field; ${allowed}`,
      `"sweep.x": unknown field (a path is written nested: sweep: { x: … }); ${allowed}`,
      expect.stringMatching(/^optimizer\.name: expected one of .*, got "SGD\\r\\nx" \(did you mean SGD\?\)$/),
    ]);
    expect(errorsOf({ ...base, optimizer: { name: 'SGD', 'lr ': 1 } })).toEqual(['optimizer."lr ": unknown field (did you mean lr?); allowed: name, lr, momentum, dampening, weight_decay, nesterov, maximize']);
    const long = errorsOf({ ...base, sweep: { x: { param: `optimizer.${'a'.repeat(100_000)}`, min: 0, max: 1, count: 2 } } });
    expect(long).toEqual([expect.stringMatching(/^sweep\.x\.param: expected a parameter path such as "optimizer\.lr", got "optimizer\.a+\.\.\.$/)]);
  });

  it('lists at most MAX_LISTED_ERRORS problems, however many there are, the last saying how many more', () => {
    const many = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`x${i}`, i]));
    const msgs = errorsOf({ ...base, ...many });
    expect(msgs).toHaveLength(MAX_LISTED_ERRORS);
    expect(msgs.at(-1)).toMatch(/^x49: unknown field; allowed: .* \(and 99950 more problems not listed\)$/);
  });

  it('a sweep with another kind\'s fields but no kind is told to give its kind, once; a grid axis that is not an object is one problem', () => {
    expect(errorsOf({ ...base, sweep: { count: 4, dims: [{ param: 'optimizer.lr', min: 0.001, max: 0.01 }] } })).toEqual([
      'sweep.kind: missing: a sweep without "kind" is a grid (x, y), but this one has count, dims; set "kind" to "random", "sobol" or "points"',
    ]);
    expect(errorsOf({ ...base, sweep: { kind: 'grid' } })).toEqual(['sweep.x: expected an object, got nothing']);
    expect(errorsOf({ ...base, sweep: { x: { param: 'optimizer.lr', min: 0.001, max: 0.01, count: 2 }, y: 5 } })).toEqual(['sweep.y: expected an object, got 5']);
  });

  it('names the whole spec when it is not an object', () => {
    for (const v of [null, 3, 'rosenbrock', [base]]) {
      expect(errorsOf(v)).toEqual([expect.stringMatching(/^a spec is a JSON object such as \{"surface": "rosenbrock", "optimizer": "SGD", "steps": 100\}, got /)]);
    }
  });
});

describe('network sweeps: the paths a network may sweep, and no axis lost', () => {
  const NET = { network: { hidden: [4] }, data: { name: 'spiral', train: 40, test: 20 }, optimizer: { name: 'SGD', lr: 0.1 }, steps: 10 };
  const netErrors = (input: unknown): string[] => {
    try {
      parseNetSpec(input);
    } catch (e) {
      if (e instanceof SpecErrors) return e.errors.map((x) => x.message);
      throw e;
    }
    throw new Error('spec was accepted');
  };
  const axis = (param: string, min = 0.01, max = 0.1) => ({ x: { param, min, max, count: 2 } });
  it('a misspelt tensor in a param group gets a guess (walkthrough 23 item 11)', () => {
    const spec = { ...NET, optimizer: { name: 'SGD', lr: 0.1, param_groups: [{ params: ['layers.0.wieght'] }] } };
    expect(netErrors(spec)).toEqual([
      'optimizer.param_groups.0.params.0: no tensor or layer "layers.0.wieght" (did you mean layers.0.weight?); the network has layers.0.weight, layers.0.bias, layers.1.weight, layers.1.bias',
    ]);
    // Two layers as near: no guess.
    expect(netErrors({ ...spec, optimizer: { name: 'SGD', lr: 0.1, param_groups: [{ params: ['layers.5'] }] } })[0]).toMatch(/no tensor or layer "layers\.5"; the network has/);
  });

  const LIST = 'sweep optimizer.<name>, optimizer.param_groups.<i>.<name>, schedule.<name>, network.batch_size or sam.rho';

  it("two axes that would write one group's value are refused, naming both; with the group's own value they sweep different groups", () => {
    const groups = (g: object) => ({ ...NET, optimizer: { name: 'SGD', lr: 0.1, param_groups: [g] } });
    const both = { x: { param: 'optimizer.param_groups.0.lr', min: 0.01, max: 0.1, count: 2 }, y: { param: 'optimizer.lr', min: 0.2, max: 0.3, count: 2 } };
    // Group 0 has no lr of its own: optimizer.lr sets it too, and the later axis overwrote the other (its values were lost).
    expect(netErrors({ ...groups({ params: ['layers.0'] }), sweep: both })).toEqual([
      'sweep.y.param: optimizer.lr and sweep.x.param (optimizer.param_groups.0.lr) would both set optimizer.param_groups.0\'s lr: one axis would be lost; give param_groups.0 its own "lr" (optimizer.lr then sweeps the groups without one)',
    ]);
    // The same the other way round, and for a tuple's element.
    expect(netErrors({ ...groups({ params: ['layers.0'] }), sweep: { x: both.y, y: both.x } })[0]).toMatch(/^sweep\.y\.param: optimizer\.param_groups\.0\.lr and sweep\.x\.param \(optimizer\.lr\) would both set optimizer\.param_groups\.0's lr/);
    const adam = { ...NET, optimizer: { name: 'Adam', lr: 0.01, param_groups: [{ params: ['layers.1'] }] } };
    expect(netErrors({ ...adam, sweep: { kind: 'random', count: 2, dims: [{ param: 'optimizer.betas.0', min: 0.8, max: 0.9 }, { param: 'optimizer.param_groups.0.betas.0', min: 0.8, max: 0.9 }] } })[0]).toMatch(
      /^sweep\.dims\.1\.param: .* would both set optimizer\.param_groups\.0's betas\.0: .* its own "betas"/,
    );
    // The fractal axes: the group has its own lr, so optimizer.lr sweeps the default group only.
    const spec = parseNetSpec({ ...groups({ params: ['layers.0'], lr: 0.05 }), sweep: both });
    expect(spec.sweep?.kind).toBe('grid');
  });

  it('a path a network cannot sweep is told what it can (not the surfaces\' start and noise)', () => {
    expect(netErrors({ ...NET, sweep: axis('data.noise') })).toEqual([`sweep.x.param: data.noise cannot be swept: the data set is built once, before the runs; ${LIST}`]);
    expect(netErrors({ ...NET, sweep: axis('outcome.bound', 1, 10) })).toEqual([`sweep.x.param: outcome.bound cannot be swept (it is not a per-run parameter); ${LIST}`]);
    expect(netErrors({ ...NET, sweep: axis('lr') })).toEqual([`sweep.x.param: unknown parameter path; ${LIST}`]);
    // What only the optimiser or schedule lists is theirs, as for surfaces.
    expect(netErrors({ ...NET, sweep: axis('optimizer.beta') })[0]).toMatch(/^sweep\.x\.param: no numeric parameter 'beta' in optimizer; sweepable: optimizer\.lr/);
  });

  it('a group index is one as written (0..n-1), or the message names the groups there are', () => {
    const two = { ...NET, optimizer: { name: 'SGD', lr: 0.1, param_groups: [{ params: ['layers.0'], lr: 0.2 }, { params: ['layers.1'], lr: 0.2 }] } };
    expect(netErrors({ ...two, sweep: axis('optimizer.param_groups.2.lr') })).toEqual(['sweep.x.param: optimizer.param_groups has no group 2; its groups are 0..1']);
    expect(netErrors({ ...two, sweep: axis('optimizer.param_groups.-1.lr') })).toEqual(['sweep.x.param: optimizer.param_groups has no group -1; its groups are 0..1']);
    expect(netErrors({ ...two, sweep: axis('optimizer.param_groups.01.lr') })).toEqual(['sweep.x.param: optimizer.param_groups has no group 01; its groups are 0..1']);
    expect(netErrors({ ...NET, sweep: axis('optimizer.param_groups.0.lr') })).toEqual(['sweep.x.param: optimizer.param_groups has no group 0; the optimizer has no param_groups']);
    expect(parseNetSpec({ ...two, sweep: axis('optimizer.param_groups.1.lr') }).sweep).not.toBeNull();
  });

  // One check (sweptRuleChecks) for surfaces and networks: the optimiser's and the schedule's rules
  // at each end of every axis that sweeps them, and no axis over a value the schedule sets itself.
  it('the optimiser and schedule rules hold at the ends of every axis, a group axis and a composite child axis included, as on surfaces', () => {
    const oneCycle = { name: 'OneCycleLR', max_lr: 0.1, total_steps: 10 };
    const chained = { name: 'ChainedScheduler', schedulers: [{ name: 'ExponentialLR', gamma: 0.99 }, { name: 'CosineAnnealingLR', T_max: 10 }] };
    const grouped = (o: object) => ({ ...NET, optimizer: { name: 'SGD', lr: 0.1, momentum: 0.9, ...o, param_groups: [{ params: ['layers.0'], lr: 0.2 }] } });
    expect(netErrors({ ...NET, schedule: oneCycle, sweep: axis('optimizer.lr') })).toEqual(['sweep.x.param: optimizer.lr has no effect under OneCycleLR, which sets the LR from its own parameters; sweep schedule.max_lr instead']);
    expect(netErrors({ ...grouped({}), schedule: oneCycle, sweep: axis('optimizer.param_groups.0.lr') })[0]).toMatch(/^sweep\.x\.param: optimizer\.param_groups\.0\.lr has no effect under OneCycleLR/);
    expect(netErrors({ ...NET, optimizer: { name: 'Adam', lr: 0.01 }, schedule: oneCycle, sweep: axis('optimizer.betas.0', 0.5, 0.9) })[0]).toMatch(/^sweep\.x\.param: optimizer\.betas\.0 has no effect: OneCycleLR with cycle_momentum sets it every step; sweep schedule\.max_momentum/);
    // Under SequentialLR the child that cycles it is named, and its own path offered (review 21: the
    // advice named a schedule.max_momentum SequentialLR does not have).
    const warmOneCycle = { name: 'SequentialLR', milestones: [3], schedulers: [{ name: 'LinearLR', start_factor: 0.5, total_iters: 3 }, { ...oneCycle, total_steps: 20 }] };
    const nested = netErrors({ ...NET, optimizer: { name: 'SGD', lr: 0.1, momentum: 0.5 }, schedule: warmOneCycle, sweep: axis('optimizer.momentum', 0.5, 0.9) });
    expect(nested).toEqual(["sweep.x.param: optimizer.momentum has no effect: SequentialLR's schedulers.1 (OneCycleLR) with cycle_momentum sets it every step; sweep schedule.schedulers.1.max_momentum instead"]);
    expect(() => parseNetSpec({ ...NET, optimizer: { name: 'SGD', lr: 0.1, momentum: 0.5 }, schedule: warmOneCycle, sweep: axis('schedule.schedulers.1.max_momentum', 0.8, 0.95) })).not.toThrow();
    // Warmed up into a OneCycleLR, no LR of the optimiser's is read (torch's initial_lr is the
    // OneCycleLR's): an LR axis, and a group's own LR, are refused with the child to set instead.
    expect(netErrors({ ...NET, schedule: warmOneCycle, sweep: axis('optimizer.lr') })).toEqual([
      "sweep.x.param: optimizer.lr has no effect: SequentialLR's schedulers.1 (OneCycleLR) sets the LR every scheduler starts from (torch's initial_lr); sweep schedule.schedulers.1.max_lr instead",
    ]);
    // A CyclicLR first: every child starts from its base_lr, the value to sweep; a group's own LR
    // needs both bounds as lists (review 22: the advice named max_lr alone).
    const cyclicFirst = { name: 'SequentialLR', milestones: [5], schedulers: [{ name: 'CyclicLR', base_lr: 0.01, max_lr: 0.05, step_size_up: 2, cycle_momentum: false }, { name: 'ExponentialLR', gamma: 0.98 }] };
    expect(netErrors({ ...NET, schedule: cyclicFirst, sweep: axis('optimizer.lr') })[0]).toMatch(/; sweep schedule\.schedulers\.0\.base_lr instead$/);
    expect(netErrors({ ...grouped({}), schedule: cyclicFirst })[0]).toMatch(
      /write the schedule's values as lists, one per group \(schedule\.schedulers\.0\.base_lr: \[0\.01, 0\.01\], schedule\.schedulers\.0\.max_lr: \[0\.05, 0\.05\]\), as torch takes it$/,
    );
    expect(netErrors({ ...grouped({}), schedule: warmOneCycle })).toEqual([
      "optimizer.param_groups.0.lr: has no effect: SequentialLR's schedulers.1 (OneCycleLR) sets every param group's lr from its own values, as torch does; to give each group its own, write the schedule's value as a list, one per group (schedule.schedulers.1.max_lr: [0.1, 0.1]), as torch takes it",
    ]);
    expect(netErrors({ ...NET, schedule: oneCycle, sweep: axis('schedule.total_steps', 5, 20) })[0]).toMatch(/^schedule\.total_steps: .*must be at least 10 \(at schedule\.total_steps = 5, an end of the sweep\)$/);
    expect(netErrors({ ...NET, schedule: chained, sweep: axis('schedule.schedulers.1.T_max', 5, 20) })[0]).toMatch(/^schedule\.schedulers\.1 \(CosineAnnealingLR\): .*use T_max >= 10 \(at schedule\.schedulers\.1\.T_max = 5, an end of the sweep\)$/);
    // A group's rule at the ends of a group axis: Schedule-Free's beta1 = 0 fails in the reference.
    const sf = { ...NET, optimizer: { name: 'AdamWScheduleFree', lr: 0.01, param_groups: [{ params: ['layers.0'], lr: 0.02 }] } };
    expect(netErrors({ ...sf, sweep: axis('optimizer.param_groups.0.betas.0', 0, 0.9) })[0]).toMatch(/^optimizer\.param_groups\.0\.betas: beta1 = 0 divides by zero .*\(at optimizer\.param_groups\.0\.betas\.0 = 0, an end of the sweep\)$/);
    // torch checks nesterov on the constructor's values only (review 12): a group's momentum axis
    // down to 0 is legal torch, the optimiser's own is not; optimizer.momentum moves the group too,
    // and only the constructor's rule is named.
    expect(() => parseNetSpec({ ...grouped({ nesterov: true }), sweep: axis('optimizer.param_groups.0.momentum', 0, 0.9) })).not.toThrow();
    expect(netErrors({ ...grouped({ nesterov: true }), sweep: axis('optimizer.momentum', 0, 0.9) })).toEqual([
      expect.stringMatching(/^optimizer\.nesterov: .*\(at optimizer\.momentum = 0, an end of the sweep\)$/),
    ]);
    // The same child axis on a surface; and ends the rules accept pass on both.
    const surface = { surface: 'rosenbrock', optimizer: { name: 'SGD', lr: 0.001 }, steps: 10, schedule: chained };
    expect(() => parseSpec({ ...surface, sweep: axis('schedule.schedulers.1.T_max', 5, 20) })).toThrow(/at schedule\.schedulers\.1\.T_max = 5, an end of the sweep/);
    expect(parseSpec({ ...surface, sweep: axis('schedule.schedulers.1.T_max', 10, 20) }).sweep).not.toBeNull();
    expect(parseNetSpec({ ...NET, schedule: chained, sweep: axis('schedule.schedulers.1.T_max', 10, 20) }).sweep).not.toBeNull();
    // A rule broken at the spec's values whatever the swept value is one problem, not one per end.
    const short = { ...oneCycle, total_steps: 5 };
    const once = netErrors({ ...NET, schedule: short, sweep: axis('schedule.max_lr', 0.01, 1) });
    expect(once).toHaveLength(1);
    expect(once[0]).toMatch(/^schedule\.total_steps: .*must be at least 10$/);
  });
});

describe('grid axes that would run one setting in several cells', () => {
  const net = (sweep: unknown) => () =>
    parseNetSpec({ network: { hidden: [4] }, data: { name: 'iris', train: 30, test: 9 }, optimizer: { name: 'SGD', lr: 0.1 }, steps: 5, sweep });
  it('refuses an axis whose max equals its min with more than one cell (walkthrough 11)', () => {
    const surface = { surface: 'rosenbrock', optimizer: { name: 'SGD', lr: 0.01 }, steps: 10 };
    expect(() => parseSpec({ ...surface, sweep: { x: { param: 'optimizer.lr', min: 0.0025, max: 0.0025000000000000001, count: 256, scale: 'log' } } })).toThrow(
      /^sweep\.x\.max: equal to min \(0\.0025\) with count 256: every cell would be the same run; widen the range, or set count 1$/,
    );
    expect(parseSpec({ ...surface, sweep: { x: { param: 'optimizer.lr', min: 0.0025, max: 0.0025, count: 1 } } }).sweep?.kind).toBe('grid');
    expect(net({ x: { param: 'optimizer.lr', min: 0.1, max: 0.1, count: 4 } })).toThrow(/^sweep\.x\.max: equal to min/);
    // One cell over a range runs min alone: the max is not dropped without a word (review 18).
    expect(() => parseSpec({ ...surface, sweep: { x: { param: 'optimizer.lr', min: 0.001, max: 0.01, count: 1 } } })).toThrow(
      /^sweep\.x\.count: 1 runs min \(0\.001\) alone, and max \(0\.01\) would go unused: set count 2 or more, or max equal to min$/,
    );
  });
  it('refuses an integer axis whose rounded values repeat, naming how many fit (review 12)', () => {
    expect(net({ x: { param: 'network.batch_size', min: 1, max: 3, count: 10 } })).toThrow(
      /^sweep\.x\.count: network\.batch_size takes integers, and 10 linear values from 1 to 3 round to 1 twice \(a setting run twice\): at most 3 distinct values fit this range$/,
    );
    expect(net({ x: { param: 'network.batch_size', min: 1, max: 30, count: 16, scale: 'log' } })).toThrow(/at most 8 distinct values fit this range$/);
    expect(net({ x: { param: 'network.batch_size', min: 1, max: 30, count: 8, scale: 'log' } })).not.toThrow();
    expect(net({ x: { param: 'network.batch_size', min: 1, max: 3, count: 3 } })).not.toThrow();
  });
});

describe('a network sweep of an optimiser value that reaches no tensor', () => {
  const spec = (optimizer: unknown, param: string) => () =>
    parseNetSpec({ network: { hidden: [4] }, data: { name: 'iris', train: 30, test: 9 }, optimizer, steps: 5, sweep: { x: { param, min: 0.1, max: 0.9, count: 2 } } });
  it('is refused when every tensor is in a group that sets the value itself (review 12)', () => {
    const all = { name: 'SGD', lr: 0.1, param_groups: [{ params: ['layers.0', 'layers.1'], lr: 0.3 }] };
    expect(spec(all, 'optimizer.lr')).toThrow(/^sweep\.x\.param: optimizer\.lr reaches no tensor: every tensor is in a param group that sets lr itself; sweep optimizer\.param_groups\.0\.lr instead$/);
    // The groups' own value, and a value they do not set, still sweep.
    expect(spec(all, 'optimizer.param_groups.0.lr')).not.toThrow();
    expect(spec(all, 'optimizer.momentum')).not.toThrow();
    // A tensor left to the default group: the value reaches it.
    expect(spec({ ...all, param_groups: [{ params: ['layers.0'], lr: 0.3 }] }, 'optimizer.lr')).not.toThrow();
  });
});

describe("torch's constructor rules, checked where torch checks them", () => {
  const spec = (optimizer: unknown) => () => parseNetSpec({ network: { hidden: [4] }, data: { name: 'iris', train: 30, test: 9 }, optimizer, steps: 5 });
  it('checks nesterov on the optimiser values only: a group with nesterov and momentum 0 is legal torch (review 12)', () => {
    expect(spec({ name: 'SGD', lr: 0.1, momentum: 0.9, nesterov: true, param_groups: [{ params: ['layers.0'], momentum: 0 }] })).not.toThrow();
    expect(spec({ name: 'SGD', lr: 0.1, momentum: 0.9, param_groups: [{ params: ['layers.0'], nesterov: true, dampening: 0.5 }] })).not.toThrow();
    expect(spec({ name: 'SGD', lr: 0.1, nesterov: true })).toThrow(/^optimizer\.nesterov: Nesterov momentum requires a momentum and zero dampening/);
    // Rprop's etas too are checked in its constructor only (review 13: torch 1.13 steps a group with (0.5, 0.9)).
    expect(spec({ name: 'Rprop', lr: 0.01, param_groups: [{ params: ['layers.0'], etas: [0.5, 0.9] }] })).not.toThrow();
    expect(spec({ name: 'Rprop', lr: 0.01, etas: [0.5, 0.9] })).toThrow(/^optimizer\.etas: Invalid eta values: 0\.5, 0\.9/);
    // Rules a group breaks where torch (or the reference) would fail stay: AdamWScheduleFree's beta1 = 0.
    expect(spec({ name: 'AdamWScheduleFree', lr: 0.01, param_groups: [{ params: ['layers.0'], betas: [0, 0.999] }] })).toThrow(/param_groups\.0\.betas: beta1 = 0 divides by zero/);
  });
});

describe("torch's per-group lists: a schedule value given once per param group", () => {
  const NET = { network: { hidden: [4] }, data: { name: 'spiral', train: 40, test: 20 }, steps: 20 };
  const SGD2 = { name: 'SGD', lr: 0.1, momentum: 0.9, param_groups: [{ params: ['layers.0'] }] };
  const errors = (input: unknown): string[] => errorsOf(input, parseAnySpec);

  it("are the values torch reads with _format_param (or ReduceLROnPlateau's and SWALR's own list check), and only those", () => {
    // torch/optim/lr_scheduler.py and swa_utils.py: CyclicLR and OneCycleLR format their bounds and
    // momenta per group; ReduceLROnPlateau takes min_lr as a list; SWALR formats swa_lr.
    const want = ['CyclicLR.base_lr', 'CyclicLR.max_lr', 'CyclicLR.base_momentum', 'CyclicLR.max_momentum', 'OneCycleLR.max_lr', 'OneCycleLR.base_momentum', 'OneCycleLR.max_momentum', 'ReduceLROnPlateau.min_lr', 'SWALR.swa_lr'];
    const got = SCHEDULES.flatMap((s) => s.params.flatMap((p) => ((p.kind === 'number' || p.kind === 'int') && p.perGroup ? [`${s.id}.${p.key}`] : [])));
    expect(got.sort()).toEqual([...want].sort());
  });

  it('are kept as lists in the spec, and each group runs on its own element (its parameter vector), a composite child included', () => {
    const spec = parseNetSpec({ ...NET, optimizer: SGD2, schedule: { name: 'OneCycleLR', max_lr: [0.02, 0.2], max_momentum: [0.9, 0.95], total_steps: 20 } });
    expect(spec.schedule?.params.max_lr).toEqual([0.02, 0.2]);
    expect((netSpecToJSON(spec).schedule as Record<string, unknown>).max_lr).toEqual([0.02, 0.2]);
    expect(scheduleGroupLists(spec.schedule)).toEqual(['max_lr', 'max_momentum']);
    const plan = makeNetPlan(spec);
    const o = slotOffsets(findSchedule('OneCycleLR')?.params ?? []);
    const at = (g: number, key: string): number => plan.groups[g]?.P[scheduleBlockBase(0) + (o[key] ?? -1)] as number;
    expect([at(0, 'max_lr'), at(1, 'max_lr')]).toEqual([0.02, 0.2]);
    expect([at(0, 'max_momentum'), at(1, 'max_momentum')]).toEqual([0.9, 0.95]);
    expect([at(0, 'base_momentum'), at(1, 'base_momentum')]).toEqual([0.85, 0.85]);
    const seq = parseNetSpec({ ...NET, optimizer: SGD2, schedule: { name: 'SequentialLR', milestones: [5], schedulers: [{ name: 'ConstantLR' }, { name: 'OneCycleLR', max_lr: [0.03, 0.3], total_steps: 15, cycle_momentum: false }] } });
    expect(scheduleGroupLists(seq.schedule)).toEqual(['schedulers.1.max_lr']);
    expect(scheduleForGroup(seq.schedule as ScheduleSpec, 0).schedulers[1]?.params.max_lr).toBe(0.03);
    expect(scheduleForGroup(seq.schedule as ScheduleSpec, 1).schedulers[1]?.params.max_lr).toBe(0.3);
    // A rule broken in every group is the schedule's, no group named.
    expect(errors({ ...NET, optimizer: SGD2, schedule: { name: 'SequentialLR', milestones: [5], schedulers: [{ name: 'ConstantLR' }, { name: 'OneCycleLR', max_lr: [0.03, 0.3], total_steps: 15, div_factor: 0 }] } })).toEqual([
      'schedule: schedulers.1 (OneCycleLR), active for its local steps 0..15: div_factor: must not be 0 (torch computes initial_lr = max_lr / div_factor: ZeroDivisionError)',
    ]);
    // Without lists the schedule is every group's as it is.
    const plain = parseNetSpec({ ...NET, optimizer: SGD2, schedule: { name: 'OneCycleLR', max_lr: 0.1, total_steps: 20 } }).schedule as ScheduleSpec;
    expect(scheduleForGroup(plain, 0)).toBe(plain);
  });

  it('name the field and the count or range when wrong: as many values as param groups, each in range; none on a surface', () => {
    expect(errors({ ...NET, optimizer: SGD2, schedule: { name: 'OneCycleLR', max_lr: [0.1, 0.2, 0.3], total_steps: 20 } })).toEqual([
      'schedule.max_lr: expected 2 values, one per param group (param_groups.0, then the default group), got 3; torch raises ValueError when max_lr has not as many values as optimizer.param_groups',
    ]);
    expect(errors({ ...NET, optimizer: { name: 'SGD', lr: 0.1 }, schedule: { name: 'SWALR', swa_lr: [0.1, 0.2] } })[0]).toMatch(/^schedule\.swa_lr: expected 1 value, one per param group \(the default group\), got 2/);
    expect(errors({ ...NET, optimizer: { name: 'SGD', lr: 0.1, param_groups: [{ params: ['layers.0'] }] }, schedule: { name: 'ReduceLROnPlateau', min_lr: [0.1, -1] } })).toEqual(['schedule.min_lr.1: -1 is out of range; allowed [0, inf)']);
    expect(errors({ ...NET, optimizer: SGD2, schedule: { name: 'OneCycleLR', max_lr: [0.1, 'x'], total_steps: 20 } })[0]).toMatch(/^schedule\.max_lr\.1: expected a finite number/);
    // Where the explicit groups hold every tensor, torch's optimiser has only those groups: a list
    // of one value each is taken (the empty default group reads the last), as is one with the default's too.
    const whole = { name: 'SGD', lr: 0.1, param_groups: [{ params: ['layers.0'] }, { params: ['layers.1'] }] };
    const covered = parseNetSpec({ ...NET, optimizer: whole, schedule: { name: 'OneCycleLR', max_lr: [0.02, 0.2], total_steps: 20, cycle_momentum: false } });
    expect(makeNetPlan(covered).groups.map((g) => g.P[scheduleBlockBase(0)])).toEqual([0.02, 0.2, 0.2]);
    expect(parseNetSpec({ ...NET, optimizer: whole, schedule: { name: 'OneCycleLR', max_lr: [0.02, 0.2, 0.5], total_steps: 20, cycle_momentum: false } }).schedule?.params.max_lr).toEqual([0.02, 0.2, 0.5]);
    expect(errors({ ...NET, optimizer: whole, schedule: { name: 'OneCycleLR', max_lr: [0.02], total_steps: 20, cycle_momentum: false } })[0]).toMatch(
      /^schedule\.max_lr: expected 2 values, one per param group \(param_groups\.0, param_groups\.1; the default group holds no tensor; or 3, with a value for it too\), got 1/,
    );
    // One value for torch's one group is the number itself (it sweeps and slides as one).
    expect(parseNetSpec({ ...NET, optimizer: { name: 'SGD', lr: 0.1 }, schedule: { name: 'SWALR', swa_lr: [0.02] } }).schedule?.params.swa_lr).toBe(0.02);
    expect(parseNetSpec({ ...NET, optimizer: { name: 'SGD', lr: 0.1, param_groups: [{ params: ['layers.0', 'layers.1'] }] }, schedule: { name: 'SWALR', swa_lr: [0.02] } }).schedule?.params.swa_lr).toBe(0.02);
    // torch reads the momenta's lists only with cycle_momentum (its _format_param is inside `if cycle_momentum:`).
    expect(parseNetSpec({ ...NET, optimizer: SGD2, schedule: { name: 'CyclicLR', base_lr: 0.01, max_lr: 0.1, cycle_momentum: false, base_momentum: [0.1, 0.2, 0.3] } }).schedule?.params.base_momentum).toEqual([0.1, 0.2, 0.3]);
    expect(errors({ ...NET, optimizer: SGD2, schedule: { name: 'CyclicLR', base_lr: 0.01, max_lr: 0.1, base_momentum: [0.1, 0.2, 0.3] } })[0]).toMatch(/^schedule\.base_momentum: expected 2 values/);
    // A param group that is itself refused still counts: the list was written for it (one error, not two).
    expect(errors({ ...NET, optimizer: { ...SGD2, param_groups: [{ params: ['layers.0'] }, { params: [] }] }, schedule: { name: 'OneCycleLR', max_lr: [0.1, 0.2, 0.3], total_steps: 20 } })).toHaveLength(1);
    // A list where torch takes none (a schedule's non-group value) is refused as any non-number is.
    expect(errors({ ...NET, optimizer: SGD2, schedule: { name: 'OneCycleLR', max_lr: 0.1, div_factor: [25, 25], total_steps: 20 } })[0]).toMatch(/^schedule\.div_factor: expected a finite number .*, got \[25,25\]$/);
    expect(errors({ surface: 'rosenbrock', optimizer: { name: 'SGD', lr: 0.001 }, schedule: { name: 'OneCycleLR', max_lr: [0.01, 0.02], total_steps: 100 }, steps: 100 })).toEqual([
      "schedule.max_lr: a list gives one value per param group (torch's form), and a surface run has one (its x and y): give one number in (-inf, inf), got 2 values",
    ]);
    // torch's list of one value for its one group: the number.
    expect(parseSpec({ surface: 'rosenbrock', optimizer: { name: 'SGD', lr: 0.001 }, schedule: { name: 'OneCycleLR', max_lr: [0.01], total_steps: 100 }, steps: 100 }).schedule?.params.max_lr).toBe(0.01);
  });

  it('are not swept (an axis gives every group one value), and the schedule\'s rules hold in each group, naming it', () => {
    const schedule = { name: 'OneCycleLR', max_lr: [0.02, 0.2], total_steps: 20 };
    expect(errors({ ...NET, optimizer: SGD2, schedule, sweep: { x: { param: 'schedule.max_lr', min: 0.01, max: 0.1, count: 2 } } })).toEqual([
      'sweep.x.param: schedule.max_lr holds one value per param group; a sweep axis would give every group the same one: write schedule.max_lr as one number to sweep it',
    ]);
    expect(parseNetSpec({ ...NET, optimizer: SGD2, schedule, sweep: { x: { param: 'schedule.pct_start', min: 0.2, max: 0.4, count: 2 } } }).sweep).not.toBeNull();
    // Nor one group's element; the paths offered leave the lists out; the stand-in's advice says how.
    expect(errors({ ...NET, optimizer: SGD2, schedule, sweep: { x: { param: 'schedule.max_lr.0', min: 0.01, max: 0.1, count: 2 } } })[0]).toMatch(/^sweep\.x\.param: schedule\.max_lr holds one value per param group/);
    const offered = errors({ ...NET, optimizer: SGD2, schedule, sweep: { x: { param: 'schedule.nope', min: 0.01, max: 0.1, count: 2 } } })[0] ?? '';
    expect(offered).toMatch(/sweepable: schedule\.total_steps/);
    expect(offered).not.toMatch(/schedule\.max_lr/);
    expect(errors({ ...NET, optimizer: SGD2, schedule, sweep: { x: { param: 'optimizer.lr', min: 0.01, max: 0.1, count: 2 } } })[0]).toMatch(/sweep schedule\.max_lr instead \(written as one number: a per-group list is not swept\)$/);
    // A default group that holds no tensor trains nothing: no rule fails in it (review 17).
    const covering = { name: 'RMSprop', lr: 0.01, momentum: 0.5, param_groups: [{ params: ['layers.0'] }, { params: ['layers.1'] }] };
    expect(parseNetSpec({ ...NET, optimizer: covering, schedule: { name: 'OneCycleLR', max_lr: 0.01, total_steps: 20, max_momentum: [0.9, 0.9, -0.5], base_momentum: [0.8, 0.8, 0.2] } }).schedule).not.toBeNull();
    // RMSprop's momentum cycled up from 0 in the default group alone: torch's KeyError at the step it turns positive.
    const rms = { name: 'RMSprop', lr: 0.01, momentum: 0.5, param_groups: [{ params: ['layers.0'] }] };
    expect(errors({ ...NET, optimizer: rms, schedule: { name: 'OneCycleLR', max_lr: 0.01, total_steps: 20, max_momentum: [0.9, -0.5], base_momentum: [0.8, 0.2] } })[0]).toMatch(
      /^schedule\.max_momentum: the cycle starts the momentum at max_momentum = -0\.5, .*KeyError.* \(the default group's values\)$/,
    );
    // A group's own LR under OneCycleLR says how torch gives each group its own.
    expect(errors({ ...NET, optimizer: { ...SGD2, param_groups: [{ params: ['layers.0'], lr: 0.5 }] }, schedule: { name: 'OneCycleLR', max_lr: 0.1, total_steps: 20 } })[0]).toMatch(
      /^optimizer\.param_groups\.0\.lr: has no effect: OneCycleLR sets every param group's lr .*write the schedule's value as a list, one per group \(schedule\.max_lr: \[0\.1, 0\.1\]\)/,
    );
  });

  it('scale element by element in the conditioning probe (every LR x (1 + delta))', () => {
    const spec = netSpecToJSON(parseNetSpec({ ...NET, optimizer: SGD2, schedule: { name: 'CyclicLR', base_lr: [0.001, 0.01], max_lr: [0.1, 0.2], step_size_up: 5 } }));
    const s = perturbedNetSpec(spec, 0.5).schedule as Record<string, unknown>;
    expect(s.base_lr).toEqual([0.0015, 0.015]);
    expect(s.max_lr).toEqual([0.1 * 1.5, 0.2 * 1.5]);
  });
});
