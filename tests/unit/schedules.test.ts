/**
 * LR schedules against torch.
 *
 * The oracle (tests/oracles/lr-scheduler.ts) is a float64 port of torch/optim/lr_scheduler.py as
 * torch users run it, recursive chainable forms, constructors and SequentialLR's reset included.
 * Our closed forms are compared with it at every step of many configurations.
 *
 * Tolerance (float64): |ours - torch| <= 1e-12 |torch| + 1e-15 * (largest |LR| of the run). The
 * absolute part is ~5 ulps of the LR scale: torch's recursions and `1 + cos(x)` near x = pi carry
 * that much absolute rounding error themselves, which is a large *relative* error only where the
 * LR is ~1e-5 of its scale; our forms are accurate there (that is what the f32 tests check).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { P_COUNT, P_OPTIMIZER, scheduleBlockBase } from '../../src/core/layout.ts';
import type { ParamValue, ParamValues } from '../../src/core/params.ts';
import { encodeParams } from '../../src/core/params.ts';
import { SpecErrors } from '../../src/core/errors.ts';
import { parseSpec } from '../../src/core/spec.ts';
import type { OptimizerDef, Round, ScheduleDef, ScheduleNode } from '../../src/core/registry/index.ts';
import { SCHEDULES, findOptimizer, findSchedule, scheduleKind } from '../../src/core/registry/index.ts';
import { validateChainedScheduler, validateSequentialLR } from '../../src/core/registry/schedules/index.ts';
import { deviceSchedules, scheduleDispatch, scheduleFiles } from '../../src/engine/gpu/compose.ts';
import type { OptKind, Stepper } from '../oracles/lr-scheduler.ts';
import { TChainedScheduler, TSequentialLR, TorchOptimizer, TorchValueError, ZeroDivisionError, torchScheduler } from '../oracles/lr-scheduler.ts';

/**
 * The schedules torch has, with closed forms (WSD is basinlab's own, with no torch oracle;
 * ReduceLROnPlateau is driven by each run's loss and has its own oracle in plateau.test.ts).
 */
const TORCH_SCHEDULES = SCHEDULES.filter((s) => s.id !== 'WSD' && s.id !== 'ReduceLROnPlateau');

// ---------------------------------------------------------------------------------------------
// Specs, on both sides.

interface Sched {
  readonly name: string;
  readonly params?: Readonly<Record<string, ParamValue>>;
  readonly schedulers?: readonly Sched[];
}

function defOf(name: string): ScheduleDef {
  const def = findSchedule(name);
  if (!def) throw new Error(`unknown schedule ${name}`);
  return def;
}

/** Values with torch's defaults filled in, as the spec parser resolves them. */
function resolve(s: Sched): ParamValues {
  const def = defOf(s.name);
  const out: Record<string, ParamValue> = {};
  for (const p of def.params) out[p.key] = s.params?.[p.key] ?? p.default;
  for (const k of Object.keys(s.params ?? {})) {
    if (!def.params.some((p) => p.key === k)) throw new Error(`${s.name} has no parameter ${k}`);
  }
  return out;
}

interface Trace {
  readonly lr: Float64Array;
  readonly mom: Float64Array;
}

/** torch: LR and momentum after construction (k = 0) and after each of `steps` scheduler.step() calls. */
function torchTrace(s: Sched, baseLr: number, kind: OptKind, steps: number): Trace {
  const opt = new TorchOptimizer(baseLr, kind);
  let stepper: Stepper;
  if (s.name === 'SequentialLR') {
    const kids = (s.schedulers ?? []).map((c) => torchScheduler(c.name, resolve(c), opt));
    stepper = new TSequentialLR(opt, kids, resolve(s).milestones as readonly number[]);
  } else if (s.name === 'ChainedScheduler') {
    stepper = new TChainedScheduler((s.schedulers ?? []).map((c) => torchScheduler(c.name, resolve(c), opt)));
  } else {
    stepper = torchScheduler(s.name, resolve(s), opt);
  }
  const lr = new Float64Array(steps + 1);
  const mom = new Float64Array(steps + 1);
  for (let k = 0; k <= steps; k++) {
    if (k > 0) stepper.step();
    lr[k] = opt.group.lr;
    mom[k] = opt.momentumNow();
  }
  return { lr, mom };
}

function buildNode(s: Sched, block: number, P: Float64Array): ScheduleNode {
  const def = defOf(s.name);
  const base = scheduleBlockBase(block);
  const values = resolve(s);
  encodeParams(def.params, values, P, base);
  const children = (s.schedulers ?? []).map((c, i) => buildNode(c, i + 1, P));
  return { def, base, values, children };
}

const identity: Round = (x) => x;

/**
 * Ours, the way the CPU engine calls it: P (with the optimizer lr at P_OPTIMIZER) rounded to f32
 * first when r = Math.fround, or rounded to f32 and then evaluated in float64 (`f32Params`) to
 * isolate the error of the f32 arithmetic from that of the f32 parameters.
 */
function ourTrace(s: Sched, baseLr: number, steps: number, r: Round, f32Params = false): Trace {
  const P0 = new Float64Array(P_COUNT);
  P0[P_OPTIMIZER] = baseLr;
  const node = buildNode(s, 0, P0);
  const P = f32Params ? Float64Array.from(P0, Math.fround) : Float64Array.from(P0, r);
  const out = new Float64Array(2);
  const lr = new Float64Array(steps + 1);
  const mom = new Float64Array(steps + 1);
  for (let k = 0; k <= steps; k++) {
    out[0] = Number.NaN;
    out[1] = Number.NaN;
    node.def.evaluate(r, P, node, k, P[P_OPTIMIZER] as number, out);
    lr[k] = out[0] as number;
    mom[k] = out[1] as number;
  }
  return { lr, mom };
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (const x of a) m = Math.max(m, Math.abs(x));
  return m;
}

/** First step where ours and torch differ beyond the float64 tolerance (see the file comment), or null. */
function firstMismatch(ours: Float64Array, torch: Float64Array): string | null {
  const floor = 1e-15 * maxAbs(torch);
  for (let k = 0; k < torch.length; k++) {
    const t = torch[k] as number;
    const o = ours[k] as number;
    if (!(Math.abs(o - t) <= 1e-12 * Math.abs(t) + floor)) return `k=${k}: ours ${o}, torch ${t}`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Configurations: every schedule, its boundary cases and the SequentialLR recipes.

interface Case {
  readonly label: string;
  readonly sched: Sched;
  readonly steps: number;
  readonly baseLr?: number;
  readonly opt?: OptKind;
  /** Extra relative f32 allowance, with the reason at the case. */
  readonly f32Slack?: number;
}

const warmupCosine: Sched = {
  name: 'SequentialLR',
  params: { milestones: [10] },
  schedulers: [
    { name: 'LinearLR', params: { start_factor: 0.01, end_factor: 1, total_iters: 10 } },
    { name: 'CosineAnnealingLR', params: { T_max: 90 } },
  ],
};

const CASES: readonly Case[] = [
  // StepLR
  { label: 'StepLR step 1', sched: { name: 'StepLR', params: { step_size: 1, gamma: 0.5 } }, steps: 60 },
  { label: 'StepLR step 3 gamma 0.1', sched: { name: 'StepLR', params: { step_size: 3, gamma: 0.1 } }, steps: 40 },
  { label: 'StepLR step 7 gamma 0.9', sched: { name: 'StepLR', params: { step_size: 7, gamma: 0.9 } }, steps: 300 },
  { label: 'StepLR gamma > 1', sched: { name: 'StepLR', params: { step_size: 4, gamma: 2 } }, steps: 80 },
  { label: 'StepLR negative gamma', sched: { name: 'StepLR', params: { step_size: 5, gamma: -0.5 } }, steps: 60 },
  { label: 'StepLR gamma 0', sched: { name: 'StepLR', params: { step_size: 2, gamma: 0 } }, steps: 10 },
  // MultiStepLR
  { label: 'MultiStepLR repeated milestone', sched: { name: 'MultiStepLR', params: { milestones: [10, 20, 20, 35], gamma: 0.5 } }, steps: 50 },
  { label: 'MultiStepLR milestone 0', sched: { name: 'MultiStepLR', params: { milestones: [0, 5], gamma: 0.1 } }, steps: 10 },
  { label: 'MultiStepLR triple milestone', sched: { name: 'MultiStepLR', params: { milestones: [3, 3, 3], gamma: 0.7 } }, steps: 8 },
  { label: 'MultiStepLR eight milestones', sched: { name: 'MultiStepLR', params: { milestones: [1, 2, 3, 5, 8, 13, 21, 34], gamma: 0.8 } }, steps: 40 },
  { label: 'MultiStepLR no milestones', sched: { name: 'MultiStepLR', params: { milestones: [], gamma: 0.1 } }, steps: 5 },
  // ExponentialLR
  { label: 'ExponentialLR 0.95', sched: { name: 'ExponentialLR', params: { gamma: 0.95 } }, steps: 400 },
  { label: 'ExponentialLR 0.999 long', sched: { name: 'ExponentialLR', params: { gamma: 0.999 } }, steps: 5000 },
  { label: 'ExponentialLR growth', sched: { name: 'ExponentialLR', params: { gamma: 1.01 } }, steps: 300 },
  { label: 'ExponentialLR gamma 0', sched: { name: 'ExponentialLR', params: { gamma: 0 } }, steps: 4 },
  { label: 'ExponentialLR negative', sched: { name: 'ExponentialLR', params: { gamma: -0.9 } }, steps: 50 },
  // CosineAnnealingLR: past T_max the curve comes back up (period 2 T_max).
  { label: 'CosineAnnealingLR T 10', sched: { name: 'CosineAnnealingLR', params: { T_max: 10 } }, steps: 45 },
  { label: 'CosineAnnealingLR T 7 eta', sched: { name: 'CosineAnnealingLR', params: { T_max: 7, eta_min: 0.001 } }, steps: 60 },
  { label: 'CosineAnnealingLR T 1', sched: { name: 'CosineAnnealingLR', params: { T_max: 1, eta_min: 0.01 } }, steps: 9 },
  { label: 'CosineAnnealingLR T 100', sched: { name: 'CosineAnnealingLR', params: { T_max: 100, eta_min: 0.05 } }, steps: 450, baseLr: 0.5 },
  { label: 'CosineAnnealingLR T 1000 to 0', sched: { name: 'CosineAnnealingLR', params: { T_max: 1000 } }, steps: 1000 },
  { label: 'CosineAnnealingLR eta > lr', sched: { name: 'CosineAnnealingLR', params: { T_max: 6, eta_min: 0.3 } }, steps: 30, baseLr: 0.1 },
  // CosineAnnealingWarmRestarts
  { label: 'CAWR T_0 10', sched: { name: 'CosineAnnealingWarmRestarts', params: { T_0: 10 } }, steps: 55 },
  { label: 'CAWR T_mult 2', sched: { name: 'CosineAnnealingWarmRestarts', params: { T_0: 3, T_mult: 2, eta_min: 1e-4 } }, steps: 200 },
  { label: 'CAWR T_0 1 T_mult 3', sched: { name: 'CosineAnnealingWarmRestarts', params: { T_0: 1, T_mult: 3 } }, steps: 130 },
  { label: 'CAWR T_0 1', sched: { name: 'CosineAnnealingWarmRestarts', params: { T_0: 1, eta_min: 0.01 } }, steps: 6 },
  { label: 'CAWR eta', sched: { name: 'CosineAnnealingWarmRestarts', params: { T_0: 5, T_mult: 1, eta_min: 0.02 } }, steps: 30, baseLr: 0.2 },
  // CyclicLR
  { label: 'CyclicLR triangular', sched: { name: 'CyclicLR', params: { base_lr: 0.001, max_lr: 0.1, step_size_up: 5 } }, steps: 60, opt: 'momentum' },
  { label: 'CyclicLR triangular2 up != down', sched: { name: 'CyclicLR', params: { base_lr: 0.01, max_lr: 1, step_size_up: 4, step_size_down: 7, mode: 'triangular2' } }, steps: 120, opt: 'betas' },
  { label: 'CyclicLR exp_range', sched: { name: 'CyclicLR', params: { base_lr: 0.01, max_lr: 0.5, step_size_up: 3, step_size_down: 2, mode: 'exp_range', gamma: 0.99 } }, steps: 200, opt: 'momentum' },
  { label: 'CyclicLR down 0 (sawtooth)', sched: { name: 'CyclicLR', params: { base_lr: 0.1, max_lr: 0.6, step_size_up: 5, step_size_down: 0 } }, steps: 30, opt: 'momentum' },
  { label: 'CyclicLR up 1 down 1', sched: { name: 'CyclicLR', params: { base_lr: 0.2, max_lr: 0.3, step_size_up: 1, step_size_down: 1 } }, steps: 12, opt: 'betas' },
  { label: 'CyclicLR max < base', sched: { name: 'CyclicLR', params: { base_lr: 0.5, max_lr: 0.1, step_size_up: 3, cycle_momentum: false } }, steps: 30, opt: 'none' },
  { label: 'CyclicLR scale_mode ignored', sched: { name: 'CyclicLR', params: { base_lr: 0.01, max_lr: 0.1, step_size_up: 2, mode: 'triangular2', scale_mode: 'iterations' } }, steps: 30, opt: 'momentum' },
  { label: 'CyclicLR default sizes', sched: { name: 'CyclicLR', params: {} }, steps: 4500, opt: 'momentum' },
  // OneCycleLR: k runs to total_steps inclusive, the last step torch allows.
  { label: 'OneCycleLR cos', sched: { name: 'OneCycleLR', params: { max_lr: 0.1, total_steps: 100 } }, steps: 100, opt: 'momentum' },
  { label: 'OneCycleLR cos three_phase', sched: { name: 'OneCycleLR', params: { max_lr: 0.1, total_steps: 100, three_phase: true } }, steps: 100, opt: 'betas' },
  { label: 'OneCycleLR linear', sched: { name: 'OneCycleLR', params: { max_lr: 1, total_steps: 50, anneal_strategy: 'linear' } }, steps: 50, opt: 'momentum' },
  {
    label: 'OneCycleLR linear three_phase',
    sched: { name: 'OneCycleLR', params: { max_lr: 1, total_steps: 60, anneal_strategy: 'linear', three_phase: true } },
    steps: 60,
    opt: 'betas',
    // Phase 2 ends at 2 * pct_start * 60 - 2, a rounded f32 product (36.000004 for pct_start =
    // 0.3f, not 36.0000014); at the step next to that end the LR is max_lr / 25 and the linear
    // segment, shifted by that ulp, is off by ~2e-6 of it. torch's own pct_start = 0.3 differs
    // from 0.3f by as much, so this is the f32 parameter's precision, not the formula's.
    f32Slack: 2e-6,
  },
  { label: 'OneCycleLR epochs x steps', sched: { name: 'OneCycleLR', params: { max_lr: 0.3, epochs: 4, steps_per_epoch: 25 } }, steps: 100, opt: 'momentum' },
  { label: 'OneCycleLR pct_start 0', sched: { name: 'OneCycleLR', params: { max_lr: 0.1, total_steps: 30, pct_start: 0 } }, steps: 30, opt: 'momentum' },
  { label: 'OneCycleLR pct_start 1', sched: { name: 'OneCycleLR', params: { max_lr: 0.1, total_steps: 30, pct_start: 1 } }, steps: 29, opt: 'momentum' },
  { label: 'OneCycleLR integer phase end', sched: { name: 'OneCycleLR', params: { max_lr: 0.1, total_steps: 20, pct_start: 0.25 } }, steps: 20, opt: 'momentum' },
  { label: 'OneCycleLR fractional phase ends', sched: { name: 'OneCycleLR', params: { max_lr: 0.1, total_steps: 7, pct_start: 0.3, three_phase: true } }, steps: 7, opt: 'momentum' },
  { label: 'OneCycleLR three_phase pct 0.5', sched: { name: 'OneCycleLR', params: { max_lr: 0.1, total_steps: 40, pct_start: 0.5, three_phase: true } }, steps: 39, opt: 'betas' },
  { label: 'OneCycleLR short total', sched: { name: 'OneCycleLR', params: { max_lr: 2, total_steps: 2, anneal_strategy: 'linear' } }, steps: 2, opt: 'momentum' },
  { label: 'OneCycleLR long', sched: { name: 'OneCycleLR', params: { max_lr: 0.05, total_steps: 10000 } }, steps: 10000, opt: 'betas' },
  { label: 'OneCycleLR no momentum', sched: { name: 'OneCycleLR', params: { max_lr: 0.1, total_steps: 1000, cycle_momentum: false, div_factor: 10, final_div_factor: 100 } }, steps: 1000, opt: 'none' },
  // LinearLR
  { label: 'LinearLR default', sched: { name: 'LinearLR' }, steps: 10 },
  { label: 'LinearLR warmup', sched: { name: 'LinearLR', params: { start_factor: 0.1, end_factor: 1, total_iters: 10 } }, steps: 20 },
  { label: 'LinearLR decay to 0', sched: { name: 'LinearLR', params: { start_factor: 1, end_factor: 0, total_iters: 8 } }, steps: 15 },
  { label: 'LinearLR 0.5 to 0.25', sched: { name: 'LinearLR', params: { start_factor: 0.5, end_factor: 0.25, total_iters: 4 } }, steps: 9 },
  { label: 'LinearLR total_iters 0', sched: { name: 'LinearLR', params: { start_factor: 0.2, total_iters: 0 } }, steps: 5 },
  { label: 'LinearLR long', sched: { name: 'LinearLR', params: { start_factor: 0.001, end_factor: 0.9, total_iters: 1000 } }, steps: 1100 },
  // ConstantLR
  { label: 'ConstantLR default', sched: { name: 'ConstantLR' }, steps: 10 },
  { label: 'ConstantLR total 1', sched: { name: 'ConstantLR', params: { factor: 0.5, total_iters: 1 } }, steps: 4 },
  { label: 'ConstantLR total_iters 0 never restores', sched: { name: 'ConstantLR', params: { factor: 0.1, total_iters: 0 } }, steps: 5 },
  { label: 'ConstantLR factor 1 (control: constant)', sched: { name: 'ConstantLR', params: { factor: 1, total_iters: 3 } }, steps: 6 },
  { label: 'ConstantLR factor 0 before total_iters', sched: { name: 'ConstantLR', params: { factor: 0, total_iters: 50 } }, steps: 49 },
  // SequentialLR
  { label: 'SequentialLR warmup + cosine', sched: warmupCosine, steps: 120 },
  {
    label: 'SequentialLR ConstantLR + ExponentialLR (torch docstring)',
    sched: {
      name: 'SequentialLR',
      params: { milestones: [20] },
      schedulers: [
        { name: 'ConstantLR', params: { factor: 0.1, total_iters: 20 } },
        { name: 'ExponentialLR', params: { gamma: 0.9 } },
      ],
    },
    steps: 40,
    baseLr: 0.05,
  },
  {
    label: 'SequentialLR ConstantLR restoring before the milestone',
    sched: {
      name: 'SequentialLR',
      params: { milestones: [8] },
      schedulers: [
        { name: 'ConstantLR', params: { factor: 0.25, total_iters: 3 } },
        { name: 'StepLR', params: { step_size: 4, gamma: 0.5 } },
      ],
    },
    steps: 25,
  },
  {
    label: 'SequentialLR ConstantLR total_iters 0 in both places',
    sched: {
      name: 'SequentialLR',
      params: { milestones: [3] },
      schedulers: [
        { name: 'ConstantLR', params: { factor: 0.5, total_iters: 0 } },
        { name: 'ConstantLR', params: { factor: 0.1, total_iters: 0 } },
      ],
    },
    steps: 8,
  },
  {
    label: 'SequentialLR four children',
    sched: {
      name: 'SequentialLR',
      params: { milestones: [5, 12, 30] },
      schedulers: [
        { name: 'LinearLR', params: { start_factor: 0.2, total_iters: 5 } },
        { name: 'MultiStepLR', params: { milestones: [0, 3, 3], gamma: 0.5 } },
        { name: 'CosineAnnealingWarmRestarts', params: { T_0: 4, T_mult: 2, eta_min: 0.001 } },
        { name: 'CosineAnnealingLR', params: { T_max: 10, eta_min: 0.01 } },
      ],
    },
    steps: 60,
  },
  {
    label: 'SequentialLR repeated milestone skips a child',
    sched: {
      name: 'SequentialLR',
      params: { milestones: [5, 5] },
      schedulers: [
        { name: 'ExponentialLR', params: { gamma: 0.8 } },
        { name: 'StepLR', params: { step_size: 1, gamma: 0.1 } },
        { name: 'LinearLR', params: { start_factor: 0.5, total_iters: 4 } },
      ],
    },
    steps: 15,
  },
  {
    label: 'SequentialLR first child chains from a later OneCycleLR initial_lr',
    sched: {
      name: 'SequentialLR',
      params: { milestones: [6] },
      schedulers: [
        { name: 'LinearLR', params: { start_factor: 0.5, total_iters: 4 } },
        { name: 'OneCycleLR', params: { max_lr: 1, total_steps: 30, cycle_momentum: false } },
      ],
    },
    steps: 36,
    baseLr: 0.01,
  },
  {
    label: 'SequentialLR first CosineAnnealingLR switches from chain lr to base_lrs after T_max',
    sched: {
      name: 'SequentialLR',
      params: { milestones: [17] },
      schedulers: [
        { name: 'CosineAnnealingLR', params: { T_max: 5, eta_min: 0.001 } },
        { name: 'OneCycleLR', params: { max_lr: 2, total_steps: 20, cycle_momentum: false } },
      ],
    },
    steps: 37,
    baseLr: 0.03,
  },
  {
    label: 'SequentialLR first CAWR uses base_lrs, not the chain lr',
    sched: {
      name: 'SequentialLR',
      params: { milestones: [9, 15] },
      schedulers: [
        { name: 'CosineAnnealingWarmRestarts', params: { T_0: 4 } },
        { name: 'ExponentialLR', params: { gamma: 0.9 } },
        { name: 'OneCycleLR', params: { max_lr: 1, total_steps: 10, cycle_momentum: false } },
      ],
    },
    steps: 20,
  },
  {
    label: 'SequentialLR later children take base_lrs from OneCycleLR',
    sched: {
      name: 'SequentialLR',
      params: { milestones: [4, 10] },
      schedulers: [
        { name: 'CosineAnnealingWarmRestarts', params: { T_0: 3 } },
        { name: 'OneCycleLR', params: { max_lr: 1, total_steps: 6, cycle_momentum: false } },
        { name: 'CosineAnnealingLR', params: { T_max: 5 } },
      ],
    },
    steps: 22,
    baseLr: 0.2,
  },
  {
    label: 'SequentialLR CyclicLR first sets initial_lr',
    sched: {
      name: 'SequentialLR',
      params: { milestones: [10] },
      schedulers: [
        { name: 'CyclicLR', params: { base_lr: 0.002, max_lr: 0.02, step_size_up: 3, cycle_momentum: false } },
        { name: 'ExponentialLR', params: { gamma: 0.95 } },
      ],
    },
    steps: 30,
    baseLr: 0.5,
  },
  {
    label: 'SequentialLR OneCycleLR then LinearLR',
    sched: {
      name: 'SequentialLR',
      params: { milestones: [20] },
      schedulers: [
        { name: 'OneCycleLR', params: { max_lr: 0.4, total_steps: 25, cycle_momentum: false, three_phase: true } },
        { name: 'LinearLR', params: { start_factor: 1, end_factor: 0.1, total_iters: 10 } },
      ],
    },
    steps: 40,
  },
  {
    label: 'SequentialLR cosine child with restarts inside its segment',
    sched: {
      name: 'SequentialLR',
      params: { milestones: [3] },
      schedulers: [
        { name: 'ConstantLR', params: { factor: 0.5, total_iters: 2 } },
        { name: 'CosineAnnealingLR', params: { T_max: 4, eta_min: 0.1 } },
      ],
    },
    steps: 30,
  },
  // PolynomialLR
  { label: 'PolynomialLR default', sched: { name: 'PolynomialLR' }, steps: 10 },
  { label: 'PolynomialLR torch docstring (50, 0.9)', sched: { name: 'PolynomialLR', params: { total_iters: 50, power: 0.9 } }, steps: 100, baseLr: 0.05 },
  { label: 'PolynomialLR power 2', sched: { name: 'PolynomialLR', params: { total_iters: 30, power: 2 } }, steps: 40 },
  { label: 'PolynomialLR power 0.5', sched: { name: 'PolynomialLR', params: { total_iters: 1000, power: 0.5 } }, steps: 1000 },
  { label: 'PolynomialLR power 0 (constant)', sched: { name: 'PolynomialLR', params: { total_iters: 7, power: 0 } }, steps: 12 },
  { label: 'PolynomialLR total_iters 0 never changes', sched: { name: 'PolynomialLR', params: { total_iters: 0, power: 2 } }, steps: 6 },
  { label: 'PolynomialLR total_iters 1', sched: { name: 'PolynomialLR', params: { total_iters: 1, power: 3 } }, steps: 4 },
  { label: 'PolynomialLR negative power before total_iters', sched: { name: 'PolynomialLR', params: { total_iters: 20, power: -0.5 } }, steps: 19 },
  // SWALR: from the optimizer lr to swa_lr, then held.
  { label: 'SWALR cos default', sched: { name: 'SWALR', params: { swa_lr: 0.05 } }, steps: 20, baseLr: 0.5 },
  { label: 'SWALR linear up', sched: { name: 'SWALR', params: { swa_lr: 0.3, anneal_epochs: 7, anneal_strategy: 'linear' } }, steps: 15, baseLr: 0.01 },
  { label: 'SWALR anneal_epochs 0', sched: { name: 'SWALR', params: { swa_lr: 0.02, anneal_epochs: 0 } }, steps: 5 },
  { label: 'SWALR anneal_epochs 1', sched: { name: 'SWALR', params: { swa_lr: 0.02, anneal_epochs: 1, anneal_strategy: 'linear' } }, steps: 5 },
  { label: 'SWALR long cos anneal', sched: { name: 'SWALR', params: { swa_lr: 1e-4, anneal_epochs: 500 } }, steps: 600, baseLr: 0.1 },
  { label: 'SWALR swa_lr = lr (control: constant)', sched: { name: 'SWALR', params: { swa_lr: 0.1, anneal_epochs: 5 } }, steps: 8 },
  // ChainedScheduler: the product of the children's factors.
  {
    label: 'ChainedScheduler ConstantLR x ExponentialLR (torch docstring)',
    sched: {
      name: 'ChainedScheduler',
      schedulers: [
        { name: 'ConstantLR', params: { factor: 0.1, total_iters: 20 } },
        { name: 'ExponentialLR', params: { gamma: 0.9 } },
      ],
    },
    steps: 40,
    baseLr: 0.05,
  },
  {
    label: 'ChainedScheduler LinearLR warmup x CosineAnnealingLR (eta_min 0, within T_max)',
    sched: {
      name: 'ChainedScheduler',
      schedulers: [
        { name: 'LinearLR', params: { start_factor: 0.1, total_iters: 10 } },
        { name: 'CosineAnnealingLR', params: { T_max: 100 } },
      ],
    },
    steps: 100,
  },
  {
    label: 'ChainedScheduler CosineAnnealingLR first, to T_max exactly',
    sched: {
      name: 'ChainedScheduler',
      schedulers: [
        { name: 'CosineAnnealingLR', params: { T_max: 12 } },
        { name: 'StepLR', params: { step_size: 5, gamma: 0.5 } },
      ],
    },
    steps: 12,
  },
  {
    label: 'ChainedScheduler four children',
    sched: {
      name: 'ChainedScheduler',
      schedulers: [
        { name: 'MultiStepLR', params: { milestones: [0, 4, 4, 9], gamma: 0.7 } },
        { name: 'PolynomialLR', params: { total_iters: 15, power: 1.5 } },
        { name: 'LinearLR', params: { start_factor: 0.5, end_factor: 0.8, total_iters: 6 } },
        { name: 'ConstantLR', params: { factor: 0.25, total_iters: 3 } },
      ],
    },
    steps: 20,
  },
  {
    label: 'ChainedScheduler total_iters 0 children keep their first factor',
    sched: {
      name: 'ChainedScheduler',
      schedulers: [
        { name: 'ConstantLR', params: { factor: 0.5, total_iters: 0 } },
        { name: 'LinearLR', params: { start_factor: 0.2, total_iters: 0 } },
        { name: 'PolynomialLR', params: { total_iters: 0 } },
      ],
    },
    steps: 6,
  },
  {
    label: 'ChainedScheduler a zero factor stays zero (LinearLR to 0, ConstantLR restore after)',
    sched: {
      name: 'ChainedScheduler',
      schedulers: [
        { name: 'LinearLR', params: { start_factor: 1, end_factor: 0, total_iters: 4 } },
        { name: 'ConstantLR', params: { factor: 0.5, total_iters: 6 } },
      ],
    },
    steps: 10,
  },
  {
    label: 'ChainedScheduler same kind twice, long',
    sched: {
      name: 'ChainedScheduler',
      schedulers: [
        { name: 'ExponentialLR', params: { gamma: 0.999 } },
        { name: 'StepLR', params: { step_size: 300, gamma: 0.3 } },
        { name: 'ExponentialLR', params: { gamma: 0.998 } },
      ],
    },
    steps: 2000,
  },
  // New schedules inside SequentialLR.
  {
    label: 'SequentialLR LinearLR warmup then PolynomialLR',
    sched: {
      name: 'SequentialLR',
      params: { milestones: [5] },
      schedulers: [
        { name: 'LinearLR', params: { start_factor: 0.2, total_iters: 5 } },
        { name: 'PolynomialLR', params: { total_iters: 20, power: 2 } },
      ],
    },
    steps: 30,
  },
  {
    label: 'SequentialLR PolynomialLR first chains from initial_lr',
    sched: {
      name: 'SequentialLR',
      params: { milestones: [8] },
      schedulers: [
        { name: 'PolynomialLR', params: { total_iters: 10, power: 0.7 } },
        { name: 'ExponentialLR', params: { gamma: 0.9 } },
      ],
    },
    steps: 20,
  },
  {
    label: 'SequentialLR SWALR first',
    sched: {
      name: 'SequentialLR',
      params: { milestones: [12] },
      schedulers: [
        { name: 'SWALR', params: { swa_lr: 0.01, anneal_epochs: 6 } },
        { name: 'StepLR', params: { step_size: 3, gamma: 0.5 } },
      ],
    },
    steps: 25,
  },
];

function optKind(c: Case): OptKind {
  return c.opt ?? 'momentum';
}

function cycles(c: Case): boolean {
  return defOf(c.sched.name).cyclesMomentum(resolve(c.sched));
}

describe('closed forms equal torch recursive schedulers at every step (float64)', () => {
  it.each(CASES.map((c) => [c.label, c]))('%s', (_label, c) => {
    const baseLr = c.baseLr ?? 0.1;
    const torch = torchTrace(c.sched, baseLr, optKind(c), c.steps);
    const ours = ourTrace(c.sched, baseLr, c.steps, identity);
    expect(firstMismatch(ours.lr, torch.lr)).toBeNull();
    // Decided from torch's side too (review 25): where torch's momentum moves, basinlab's must cycle it.
    if (new Set(torch.mom).size > 1) expect(cycles(c), 'torch cycles the momentum').toBe(true);
    if (cycles(c)) expect(firstMismatch(ours.mom, torch.mom)).toBeNull();
  });

  it('covers every torch schedule (WSD, not torch, is checked against SequentialLR below)', () => {
    const covered = new Set(CASES.flatMap((c) => [c.sched.name, ...(c.sched.schedulers ?? []).map((s) => s.name)]));
    expect([...covered].sort()).toEqual(TORCH_SCHEDULES.map((s) => s.id).sort());
  });

  it('the oracle and the comparison can fail: a wrong gamma is caught', () => {
    const torch = torchTrace({ name: 'StepLR', params: { step_size: 3, gamma: 0.1 } }, 0.1, 'none', 10);
    const ours = ourTrace({ name: 'StepLR', params: { step_size: 3, gamma: 0.1000001 } }, 0.1, 10, identity);
    expect(firstMismatch(ours.lr, torch.lr)).toMatch(/^k=3:/);
  });
});


// ---------------------------------------------------------------------------------------------

/**
 * Bound for f32 against float64 on the same (f32) parameters, relative to the float64 LR:
 * 1e-6, plus 6e-8 per e-folding of decay, because gamma ** k = exp(k ln gamma) is as accurate as
 * k ln gamma, whose f32 rounding grows with its size ln(scale / lr), plus `slack` where a case says
 * why. LRs below 1e-30 of the run's largest are underflow territory and skipped.
 */
function f32Mismatch(f32: Float64Array, f64: Float64Array, slack = 0): string | null {
  const scale = maxAbs(f64);
  for (let k = 0; k < f64.length; k++) {
    const t = f64[k] as number;
    const o = f32[k] as number;
    if (t === 0 ? o !== 0 : false) return `k=${k}: f32 ${o}, f64 0`;
    if (Math.abs(t) <= 1e-30 * scale) continue;
    const depth = Math.log(scale / Math.abs(t));
    if (!(Math.abs(o - t) <= (1e-6 + 6e-8 * depth + slack) * Math.abs(t))) return `k=${k}: f32 ${o}, f64 ${t}`;
  }
  return null;
}

describe('float32 twin against float64', () => {
  it.each(CASES.map((c) => [c.label, c]))('%s', (_label, c) => {
    const baseLr = c.baseLr ?? 0.1;
    const f32 = ourTrace(c.sched, baseLr, c.steps, Math.fround);
    const f64 = ourTrace(c.sched, baseLr, c.steps, identity, true);
    for (const x of f32.lr) expect(x).toBe(Math.fround(x));
    expect(f32Mismatch(f32.lr, f64.lr, c.f32Slack)).toBeNull();
    if (cycles(c)) expect(f32Mismatch(f32.mom, f64.mom)).toBeNull();
  });

  it('keeps relative accuracy where torch-style (1 + cos) / 2 in f32 would not', () => {
    // At k = T_max - 1 the factor is sin^2(pi / 2000) ~ 2.5e-6; (1 + cos x) / 2 in f32 keeps only
    // an absolute error of ~6e-8 there, i.e. ~2% relative. The comparison above must reject that.
    const T = 1000;
    const k = T - 1;
    const naive = Math.fround(Math.fround(1 + Math.fround(Math.cos(Math.fround(Math.fround(Math.PI * k) / T)))) / 2);
    const exact = (1 + Math.cos((Math.PI * k) / T)) / 2;
    expect(Math.abs(naive - exact) / exact).toBeGreaterThan(1e-3);
    const f32 = ourTrace({ name: 'CosineAnnealingLR', params: { T_max: T } }, 1, T, Math.fround);
    expect(Math.abs((f32.lr[k] as number) - exact) / exact).toBeLessThan(1e-6);
  });
});

// ---------------------------------------------------------------------------------------------

/** LR (and momentum) after k steps, from our float64 closed form. */
function at(s: Sched, baseLr: number, k: number): [number, number] {
  const t = ourTrace(s, baseLr, k, identity);
  return [t.lr[k] as number, t.mom[k] as number];
}

function expectNear(actual: number, expected: number, rel = 1e-14): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected) + 1e-300);
}

describe('hand-computed values', () => {
  it('StepLR: torch docstring (lr 0.05, step_size 30, gamma 0.1)', () => {
    const s: Sched = { name: 'StepLR', params: { step_size: 30, gamma: 0.1 } };
    expectNear(at(s, 0.05, 29)[0], 0.05);
    expectNear(at(s, 0.05, 30)[0], 0.005);
    expectNear(at(s, 0.05, 59)[0], 0.005);
    expectNear(at(s, 0.05, 60)[0], 0.0005);
  });

  it('MultiStepLR: docstring, and a repeated milestone multiplies by gamma ** count', () => {
    const s: Sched = { name: 'MultiStepLR', params: { milestones: [30, 80], gamma: 0.1 } };
    expectNear(at(s, 0.05, 29)[0], 0.05);
    expectNear(at(s, 0.05, 30)[0], 0.005);
    expectNear(at(s, 0.05, 80)[0], 0.0005);
    // Counter({2: 2}): at k = 2 the lr is multiplied by 0.5 ** 2.
    const rep: Sched = { name: 'MultiStepLR', params: { milestones: [2, 2], gamma: 0.5 } };
    expectNear(at(rep, 1, 1)[0], 1);
    expectNear(at(rep, 1, 2)[0], 0.25);
  });

  it('ConstantLR: docstring (factor 0.5, total_iters 40), and total_iters 0 never restores', () => {
    const s: Sched = { name: 'ConstantLR', params: { factor: 0.5, total_iters: 40 } };
    expectNear(at(s, 0.05, 0)[0], 0.025);
    expectNear(at(s, 0.05, 39)[0], 0.025);
    expectNear(at(s, 0.05, 40)[0], 0.05);
    // get_lr checks k == 0 (multiply by factor) before k == total_iters (divide by it).
    const z: Sched = { name: 'ConstantLR', params: { factor: 0.5, total_iters: 0 } };
    expectNear(at(z, 1, 100)[0], 0.5);
  });

  it('LinearLR: start_factor 0.05 over 40 steps (torch docstring values are one step late)', () => {
    const s: Sched = { name: 'LinearLR', params: { start_factor: 0.05, total_iters: 40 } };
    // 0.05 * (0.05 + 0.95 * k / 40): k = 0 -> 0.0025, k = 1 -> 0.0036875 (listed as "epoch == 0"
    // in torch's docstring), k = 2 -> 0.004875, k >= 40 -> 0.05.
    expectNear(at(s, 0.05, 0)[0], 0.0025);
    expectNear(at(s, 0.05, 1)[0], 0.0036875);
    expectNear(at(s, 0.05, 2)[0], 0.004875);
    expectNear(at(s, 0.05, 40)[0], 0.05);
    expectNear(at(s, 0.05, 41)[0], 0.05);
  });

  it('ExponentialLR: 0.5 ** 3', () => {
    expectNear(at({ name: 'ExponentialLR', params: { gamma: 0.5 } }, 1, 3)[0], 0.125);
  });

  it('CosineAnnealingLR: half cosine to eta_min, then back up (period 2 T_max)', () => {
    const s: Sched = { name: 'CosineAnnealingLR', params: { T_max: 10 } };
    expectNear(at(s, 1, 5)[0], 0.5);
    expect(at(s, 1, 10)[0]).toBe(0);
    expectNear(at(s, 1, 15)[0], 0.5);
    expectNear(at(s, 1, 20)[0], 1);
  });

  it('CosineAnnealingWarmRestarts: T_0 2, T_mult 2 restarts at 2 and 6', () => {
    const s: Sched = { name: 'CosineAnnealingWarmRestarts', params: { T_0: 2, T_mult: 2 } };
    expectNear(at(s, 1, 0)[0], 1);
    expectNear(at(s, 1, 1)[0], 0.5); // (1 + cos(pi/2)) / 2
    expectNear(at(s, 1, 2)[0], 1); // restart, T_i = 4
    expectNear(at(s, 1, 3)[0], 0.8535533905932737); // (1 + cos(pi/4)) / 2
    expectNear(at(s, 1, 4)[0], 0.5);
    expectNear(at(s, 1, 6)[0], 1); // restart, T_i = 8
  });

  it('CyclicLR: triangular with up 2, down 3, and momentum cycled inversely', () => {
    const s: Sched = { name: 'CyclicLR', params: { base_lr: 0.1, max_lr: 1.1, step_size_up: 2, step_size_down: 3 } };
    expect(at(s, 123, 0)).toEqual([0.1, 0.9]); // the optimizer lr (123) is ignored
    const [lr1, m1] = at(s, 123, 1);
    expectNear(lr1, 0.6);
    expectNear(m1, 0.85);
    const [lr2, m2] = at(s, 123, 2);
    expectNear(lr2, 1.1);
    expectNear(m2, 0.8);
    expectNear(at(s, 123, 3)[0], 0.1 + 2 / 3); // scale (5 - 3) / 3 on the way down
    expectNear(at(s, 123, 5)[0], 0.1, 1e-13); // next cycle
    // triangular2, cycle 2 (k = 5..9): amplitude halved, peak at k = 7 is 0.1 + 1 * 0.5.
    const t2: Sched = { name: 'CyclicLR', params: { base_lr: 0.1, max_lr: 1.1, step_size_up: 2, step_size_down: 3, mode: 'triangular2' } };
    expectNear(at(t2, 1, 7)[0], 0.6);
    // exp_range, gamma 0.5: at k = 2 scale 1 times 0.5 ** 2; momentum 0.9 - 0.1 * 0.25.
    const er: Sched = { name: 'CyclicLR', params: { base_lr: 0.1, max_lr: 1.1, step_size_up: 2, step_size_down: 3, mode: 'exp_range', gamma: 0.5 } };
    const [lrE, mE] = at(er, 1, 2);
    expectNear(lrE, 0.35);
    expectNear(mE, 0.875);
  });

  it('OneCycleLR: max_lr 1 over 10 steps, including the step torch still allows at k = total_steps', () => {
    // end_step of phase 1 = 0.3 * 10 - 1 = 2; initial 1 / 25 = 0.04; final 0.04 / 1e4 = 4e-6.
    const s: Sched = { name: 'OneCycleLR', params: { max_lr: 1, total_steps: 10 } };
    expect(at(s, 123, 0)).toEqual([0.04, 0.95]);
    const [lr1, m1] = at(s, 123, 1);
    expectNear(lr1, 0.52); // halfway: (0.04 + 1) / 2
    expectNear(m1, 0.9);
    const [lr2, m2] = at(s, 123, 2);
    expectNear(lr2, 1);
    expectNear(m2, 0.85);
    const [lr9, m9] = at(s, 123, 9);
    expectNear(lr9, 4e-6);
    expectNear(m9, 0.95);
    // k = 10: pct = (10 - 2) / (9 - 2) = 8/7 > 1, so the cosine has turned back up.
    expectNear(at(s, 123, 10)[0], 0.04951936798652623, 1e-12);
    // Linear: (4e-6 - 1) * 8/7 + 1 < 0. torch's LR after the last step is negative.
    const lin: Sched = { name: 'OneCycleLR', params: { max_lr: 1, total_steps: 10, anneal_strategy: 'linear' } };
    expectNear(at(lin, 1, 10)[0], -0.14285257142857133, 1e-12);
  });

  it('SequentialLR: torch docstring (ConstantLR 0.1 for 20 steps, then ExponentialLR 0.9)', () => {
    const s: Sched = {
      name: 'SequentialLR',
      params: { milestones: [20] },
      schedulers: [
        { name: 'ConstantLR', params: { factor: 0.1, total_iters: 20 } },
        { name: 'ExponentialLR', params: { gamma: 0.9 } },
      ],
    };
    expectNear(at(s, 0.05, 0)[0], 0.005);
    expectNear(at(s, 0.05, 19)[0], 0.005);
    expectNear(at(s, 0.05, 20)[0], 0.05);
    expectNear(at(s, 0.05, 21)[0], 0.045);
    expectNear(at(s, 0.05, 22)[0], 0.0405);
  });

  it('SequentialLR: LinearLR warmup then CosineAnnealingLR', () => {
    const s: Sched = {
      name: 'SequentialLR',
      params: { milestones: [5] },
      schedulers: [
        { name: 'LinearLR', params: { start_factor: 0.1, total_iters: 5 } },
        { name: 'CosineAnnealingLR', params: { T_max: 10 } },
      ],
    };
    expectNear(at(s, 1, 0)[0], 0.1);
    expectNear(at(s, 1, 4)[0], 0.82); // 0.1 + 0.9 * 4 / 5
    expectNear(at(s, 1, 5)[0], 1); // the cosine starts from base_lrs, not from 0.82
    expectNear(at(s, 1, 10)[0], 0.5);
    expect(at(s, 1, 15)[0]).toBe(0);
  });

  it('SequentialLR: a later ConstantLR with total_iters 0 runs at the full LR', () => {
    const s: Sched = {
      name: 'SequentialLR',
      params: { milestones: [3] },
      schedulers: [
        { name: 'ConstantLR', params: { factor: 0.5, total_iters: 0 } },
        { name: 'ConstantLR', params: { factor: 0.1, total_iters: 0 } },
      ],
    };
    expectNear(at(s, 1, 2)[0], 0.5);
    // Switched in by _get_closed_form_lr: factor + (0 >= 0) * (1 - factor) = 1.
    expectNear(at(s, 1, 3)[0], 1);
    expectNear(at(s, 1, 9)[0], 1);
  });

  it('SequentialLR: the first child chains from a later OneCycleLR initial_lr', () => {
    const s: Sched = {
      name: 'SequentialLR',
      params: { milestones: [6] },
      schedulers: [
        { name: 'LinearLR', params: { start_factor: 0.5, total_iters: 4 } },
        { name: 'OneCycleLR', params: { max_lr: 1, total_steps: 30, cycle_momentum: false } },
      ],
    };
    // OneCycleLR's constructor sets initial_lr = 1 / 25; SequentialLR resets the lr to it.
    expectNear(at(s, 0.01, 0)[0], 0.02);
    expectNear(at(s, 0.01, 4)[0], 0.04);
  });
});

// ---------------------------------------------------------------------------------------------

function optimizer(name: string): OptimizerDef {
  const o = findOptimizer(name);
  if (!o) throw new Error(`no optimizer ${name}`);
  return o;
}

function validate(s: Sched, steps: number, opt = 'SGD'): string[] {
  return defOf(s.name).validate?.(resolve(s), { steps, optimizer: optimizer(opt) }, []) ?? [];
}

function torchRaises(s: Sched, steps: number, kind: OptKind = 'momentum'): boolean {
  try {
    torchTrace(s, 0.1, kind, steps);
    return false;
  } catch (e) {
    if (e instanceof ZeroDivisionError || e instanceof TorchValueError) return true;
    throw e;
  }
}

describe('validate', () => {
  it('OneCycleLR: total_steps must cover the run (torch raises past it)', () => {
    const s: Sched = { name: 'OneCycleLR', params: { total_steps: 100 } };
    expect(validate(s, 100)).toEqual([]);
    const errs = validate(s, 101);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toContain('Tried to step 101 times. The specified number of total steps is 100');
    expect(errs[0]).toContain('at least 101');
    expect(validate({ name: 'OneCycleLR', params: { epochs: 4, steps_per_epoch: 25 } }, 100)).toEqual([]);
    expect(validate({ name: 'OneCycleLR', params: { epochs: 4, steps_per_epoch: 25 } }, 101)).toHaveLength(1);
  });

  it('OneCycleLR: needs total_steps or epochs and steps_per_epoch', () => {
    for (const params of [{}, { epochs: 3 }, { steps_per_epoch: 3 }]) {
      const errs = validate({ name: 'OneCycleLR', params }, 10);
      expect(errs).toEqual([expect.stringContaining('You must define either total_steps OR (epochs AND steps_per_epoch)')]);
    }
  });

  it('OneCycleLR: division by zero in div_factor, final_div_factor or a zero-length phase', () => {
    expect(validate({ name: 'OneCycleLR', params: { total_steps: 10, div_factor: 0 } }, 10)).toEqual([expect.stringContaining('div_factor')]);
    expect(validate({ name: 'OneCycleLR', params: { total_steps: 10, final_div_factor: 0 } }, 10)).toEqual([
      expect.stringContaining('final_div_factor'),
    ]);
    // 0.1 * 10 - 1 = 0: phase 1 spans zero steps and get_lr divides by zero at construction.
    expect(validate({ name: 'OneCycleLR', params: { total_steps: 10, pct_start: 0.1 } }, 5)).toEqual([
      expect.stringMatching(/phase 1 .* zero length.*at step 0/),
    ]);
    // pct_start 1: the last phase has zero length and is used only at k = total_steps.
    expect(validate({ name: 'OneCycleLR', params: { total_steps: 30, pct_start: 1 } }, 29)).toEqual([]);
    expect(validate({ name: 'OneCycleLR', params: { total_steps: 30, pct_start: 1 } }, 30)).toEqual([
      expect.stringMatching(/phase 2 .*at step 30/),
    ]);
  });

  it('OneCycleLR: validate reports an error exactly when torch raises', () => {
    let raising = 0;
    for (const total of [1, 2, 3, 4, 5, 7, 10, 12, 20]) {
      for (const pct of [0, 0.05, 0.1, 0.2, 0.25, 1 / 3, 0.5, 0.55, 0.6, 0.75, 1]) {
        for (const three_phase of [false, true]) {
          for (const steps of [total - 1, total, total + 1]) {
            if (steps < 0) continue;
            const s: Sched = { name: 'OneCycleLR', params: { max_lr: 0.1, total_steps: total, pct_start: pct, three_phase } };
            const raises = torchRaises(s, steps);
            if (raises) raising++;
            expect({ total, pct, three_phase, steps, raises: validate(s, steps).length > 0 }).toEqual({
              total,
              pct,
              three_phase,
              steps,
              raises,
            });
          }
        }
      }
    }
    expect(raising).toBeGreaterThan(50);
  });

  it('CyclicLR and OneCycleLR: cycle_momentum needs momentum or betas (torch message)', () => {
    for (const name of ['CyclicLR', 'OneCycleLR']) {
      const s: Sched = { name, params: name === 'OneCycleLR' ? { total_steps: 10 } : {} };
      expect(validate(s, 10, 'Adagrad')).toEqual([
        expect.stringContaining('optimizer must support momentum or beta1 with `cycle_momentum` option enabled'),
      ]);
      expect(validate(s, 10, 'Adagrad')[0]).toContain('set cycle_momentum: false');
      expect(validate(s, 10, 'SGD')).toEqual([]);
      expect(validate(s, 10, 'Adam')).toEqual([]);
      expect(validate({ name, params: { ...s.params, cycle_momentum: false } }, 10, 'Adagrad')).toEqual([]);
      expect(torchRaises(s, 3, 'none')).toBe(true);
      expect(torchRaises({ name, params: { ...s.params, cycle_momentum: false } }, 3, 'none')).toBe(false);
    }
  });

  it('ConstantLR: factor 0 is an error exactly when torch reaches 1 / factor', () => {
    for (const total of [0, 1, 5]) {
      for (const steps of [0, 1, 4, 5, 6]) {
        const s: Sched = { name: 'ConstantLR', params: { factor: 0, total_iters: total } };
        expect({ total, steps, error: validate(s, steps).length > 0 }).toEqual({ total, steps, error: torchRaises(s, steps) });
      }
    }
    expect(validate({ name: 'ConstantLR', params: { factor: 0, total_iters: 5 } }, 10)[0]).toMatch(/factor: 0 .*ZeroDivisionError/);
  });
});

describe('validateSequentialLR', () => {
  const ctx = (steps: number, opt = 'SGD') => ({ steps, optimizer: optimizer(opt) });
  const check = (s: Sched, steps: number): string[] =>
    validateSequentialLR(
      resolve(s),
      (s.schedulers ?? []).map((c) => ({ def: defOf(c.name), values: resolve(c) })),
      ctx(steps),
    );
  const seq = (milestones: number[], schedulers: Sched[]): Sched => ({ name: 'SequentialLR', params: { milestones }, schedulers });

  it('accepts the common recipes', () => {
    expect(check(warmupCosine, 120)).toEqual([]);
  });

  it('needs one milestone fewer than schedulers (torch message)', () => {
    const s = seq([10, 20], [{ name: 'ExponentialLR' }, { name: 'StepLR' }]);
    expect(check(s, 50)).toEqual([expect.stringContaining('expects number of schedulers provided to be one more than the number of milestone points')]);
    expect(torchRaises(s, 5)).toBe(true);
  });

  it('runs children that cycle the momentum as torch does (what their constructors write holds), and rejects composite children', () => {
    // The port keeps torch's param group: each cycling child writes the momentum from its
    // constructor on, and nothing writes it back (review 20).
    const cases: [Sched, number][] = [
      [seq([5], [{ name: 'CyclicLR', params: { step_size_up: 3 } }, { name: 'StepLR' }]), 20],
      [seq([10], [{ name: 'LinearLR', params: { start_factor: 0.5, total_iters: 10 } }, { name: 'OneCycleLR', params: { max_lr: 0.2, total_steps: 40 } }]), 40],
      [
        seq([6, 14, 20], [
          { name: 'LinearLR', params: { start_factor: 0.2, total_iters: 6 } },
          { name: 'CyclicLR', params: { base_lr: 0.01, max_lr: 0.1, step_size_up: 3, base_momentum: 0.6, max_momentum: 0.85 } },
          { name: 'ConstantLR', params: { factor: 0.5, total_iters: 4 } },
          { name: 'OneCycleLR', params: { max_lr: 0.1, total_steps: 12 } },
        ]),
        30,
      ],
      // Two milestones at once: the CyclicLR between them never runs, so it writes nothing after its constructor.
      [seq([4, 4], [{ name: 'ExponentialLR' }, { name: 'CyclicLR', params: { step_size_up: 3 } }, { name: 'OneCycleLR', params: { max_lr: 0.1, total_steps: 30, cycle_momentum: false } }]), 25],
    ];
    for (const [s, steps] of cases) {
      expect(check(s, steps)).toEqual([]);
      for (const kind of ['momentum', 'betas'] as const) {
        const torch = torchTrace(s, 0.1, kind, steps);
        const ours = ourTrace(s, 0.1, steps, identity);
        expect(firstMismatch(ours.lr, torch.lr), `${JSON.stringify(s)} lr`).toBeNull();
        expect(firstMismatch(ours.mom, torch.mom), `${JSON.stringify(s)} ${kind}`).toBeNull();
      }
    }
    expect(check(seq([5], [{ name: 'StepLR' }, { name: 'SequentialLR' }]), 20)).toEqual([
      expect.stringMatching(/^schedulers\.1 \(SequentialLR\): a composite schedule/),
    ]);
    // A cycling CyclicLR built after a cycling OneCycleLR: current torch's constructor writes its
    // momentum bounds into the group, where OneCycleLR reads them (the port does so: its momentum
    // at step 0 is the CyclicLR's max); refused rather than run on OneCycleLR's own (review 21).
    const oneThenCyclic = seq([20], [{ name: 'OneCycleLR', params: { max_lr: 0.1, total_steps: 40, base_momentum: 0.7, max_momentum: 0.9 } }, { name: 'CyclicLR', params: { base_momentum: 0.5, max_momentum: 0.6 } }]);
    expect(torchTrace(oneThenCyclic, 0.1, 'momentum', 5).mom[0]).toBe(0.6);
    expect(check(oneThenCyclic, 30)).toEqual([expect.stringMatching(/^schedulers\.1 \(CyclicLR\): cycles momentum after schedulers\.0 \(OneCycleLR\), which does too: .*put the CyclicLR before the OneCycleLR/)]);
    expect(check(seq([20], [{ name: 'OneCycleLR', params: { max_lr: 0.1, total_steps: 40 } }, { name: 'CyclicLR', params: { cycle_momentum: false } }]), 30)).toEqual([]);
    // A child never switched in is still built: torch's constructor raises what it raises.
    const never = seq([1000], [{ name: 'ExponentialLR' }, { name: 'OneCycleLR', params: { max_lr: 0.1, total_steps: 40, div_factor: 0 } }]);
    expect(check(never, 20)).toEqual([expect.stringMatching(/^schedulers\.1 \(OneCycleLR\), never switched in but built \(its constructor runs its step 0\): div_factor: must not be 0/)]);
  });

  it('LinearLR with total_iters 0 after a milestone divides by zero in torch', () => {
    const later = seq([5], [{ name: 'StepLR' }, { name: 'LinearLR', params: { total_iters: 0 } }]);
    expect(check(later, 20)).toEqual([expect.stringMatching(/^schedulers\.1 \(LinearLR\): total_iters = 0 .*step 5/)]);
    expect(torchRaises(later, 20)).toBe(true);
    // Not reached within the run, or as the first child: fine in torch too.
    expect(check(later, 4)).toEqual([]);
    expect(torchRaises(later, 4)).toBe(false);
    const first = seq([5], [{ name: 'LinearLR', params: { total_iters: 0 } }, { name: 'StepLR' }]);
    expect(check(first, 20)).toEqual([]);
    expect(torchRaises(first, 20)).toBe(false);
  });

  it('only one OneCycleLR', () => {
    const s = seq([5], [
      { name: 'OneCycleLR', params: { total_steps: 5, cycle_momentum: false } },
      { name: 'OneCycleLR', params: { total_steps: 50, cycle_momentum: false } },
    ]);
    expect(check(s, 20)).toEqual([expect.stringMatching(/^schedulers\.1 \(OneCycleLR\): only one OneCycleLR/)]);
  });

  it("checks each child's run-level rules on the steps it is active for", () => {
    const oc = (total: number): Sched =>
      seq([50], [{ name: 'LinearLR' }, { name: 'OneCycleLR', params: { total_steps: total, cycle_momentum: false } }]);
    expect(check(oc(50), 100)).toEqual([]);
    expect(torchRaises(oc(50), 100)).toBe(false);
    expect(check(oc(49), 100)).toEqual([expect.stringMatching(/^schedulers\.1 \(OneCycleLR\), active for its local steps 0\.\.50: total_steps/)]);
    expect(torchRaises(oc(49), 100)).toBe(true);
    // A milestone beyond the run: the child never runs.
    expect(check(seq([200], [{ name: 'LinearLR' }, { name: 'OneCycleLR', params: { total_steps: 1, cycle_momentum: false } }]), 100)).toEqual([]);
    // ConstantLR factor 0 only raises if its total_iters falls inside its segment.
    const cz = (m: number): Sched => seq([m], [{ name: 'ConstantLR', params: { factor: 0, total_iters: 10 } }, { name: 'ExponentialLR' }]);
    expect(check(cz(10), 30)).toEqual([]);
    expect(torchRaises(cz(10), 30)).toBe(false);
    expect(check(cz(11), 30)).toHaveLength(1);
    expect(torchRaises(cz(11), 30)).toBe(true);
  });
});

describe('SequentialLR.lrSetter: where the optimiser lr is never read', () => {
  // Each layout run through the torch port at two optimiser LRs: the LR curves must be identical
  // exactly where lrSetter says the lr has no effect (so that sweeping it is refused), and differ
  // somewhere where it says the lr is read (so that no useful sweep is refused). Our evaluate must
  // agree on both counts.
  const kids: Record<string, Sched> = {
    LinearLR: { name: 'LinearLR', params: { start_factor: 0.25, total_iters: 10 } },
    ConstantLR: { name: 'ConstantLR', params: { factor: 0.5, total_iters: 10 } },
    'CosineAnnealingLR (T_max 10)': { name: 'CosineAnnealingLR', params: { T_max: 10 } },
    'CosineAnnealingLR (T_max 100)': { name: 'CosineAnnealingLR', params: { T_max: 100 } },
    CosineAnnealingWarmRestarts: { name: 'CosineAnnealingWarmRestarts', params: { T_0: 10 } },
    CyclicLR: { name: 'CyclicLR', params: { base_lr: 0.002, max_lr: 0.02, step_size_up: 10, cycle_momentum: false } },
    OneCycleLR: { name: 'OneCycleLR', params: { max_lr: 0.05, total_steps: 200, cycle_momentum: false } },
    StepLR: { name: 'StepLR', params: { step_size: 7, gamma: 0.5 } },
    ExponentialLR: { name: 'ExponentialLR', params: { gamma: 0.97 } },
    MultiStepLR: { name: 'MultiStepLR', params: { milestones: [5, 20], gamma: 0.5 } },
    PolynomialLR: { name: 'PolynomialLR', params: { total_iters: 20, power: 2 } },
    'ConstantLR (total_iters 0)': { name: 'ConstantLR', params: { factor: 0.5, total_iters: 0 } },
    SWALR: { name: 'SWALR', params: { swa_lr: 0.004, anneal_epochs: 5 } },
    'SWALR (anneal_epochs 0)': { name: 'SWALR', params: { swa_lr: 0.004, anneal_epochs: 0 } },
    'CyclicLR (cycling)': { name: 'CyclicLR', params: { base_lr: 0.003, max_lr: 0.03, step_size_up: 8 } },
  };
  const names = Object.keys(kids);
  const steps = 150;
  // Every layout basinlab accepts (SWALR after a milestone, two OneCycleLRs and the like are refused).
  const accepted = (s: Sched): boolean =>
    validateSequentialLR(resolve(s), (s.schedulers ?? []).map((c) => ({ def: defOf(c.name), values: resolve(c) })), { steps, optimizer: optimizer('SGD') }).length === 0;
  const layouts: [string, Sched][] = [];
  for (const a of names) {
    for (const b of names) {
      for (const c of [null, 'OneCycleLR', 'StepLR']) {
        const list = c ? [a, b, c] : [a, b];
        const schedulers = list.map((n) => kids[n] as Sched);
        const s: Sched = { name: 'SequentialLR', params: { milestones: c ? [30, 60] : [30] }, schedulers };
        if (accepted(s)) layouts.push([list.join(', '), s]);
      }
    }
  }
  // Review 22's: a child never switched in (equal milestones), a cosine's T_max at the boundary of
  // its span (at milestone 30, T_max 28 reads the base_lrs at step 29, T_max 29 does not), a
  // CyclicLR first switched out after one step (its max_lr then moves nothing), four children.
  const edge = (milestones: number[], ...names: string[]): [string, Sched] => [
    `${names.join(', ')} at ${milestones.join(', ')}`,
    { name: 'SequentialLR', params: { milestones }, schedulers: names.map((n) => kids[n] as Sched) },
  ];
  const edges: [string, Sched][] = [
    edge([30, 30], 'LinearLR', 'ExponentialLR', 'OneCycleLR'),
    edge([30, 30, 60], 'LinearLR', 'StepLR', 'OneCycleLR', 'StepLR'),
    edge([30, 60, 90], 'LinearLR', 'CyclicLR', 'CyclicLR (cycling)', 'OneCycleLR'),
    edge([30, 60, 90], 'LinearLR', 'CyclicLR', 'ConstantLR (total_iters 0)', 'OneCycleLR'),
    edge([1], 'CyclicLR', 'StepLR'),
    edge([1, 40], 'CyclicLR', 'ExponentialLR', 'OneCycleLR'),
    { name: 'SequentialLR', params: { milestones: [30] }, schedulers: [{ name: 'CosineAnnealingLR', params: { T_max: 29 } }, kids.OneCycleLR as Sched] },
    { name: 'SequentialLR', params: { milestones: [30] }, schedulers: [{ name: 'CosineAnnealingLR', params: { T_max: 28 } }, kids.OneCycleLR as Sched] },
  ].map((x) => (Array.isArray(x) ? x : [`CosineAnnealingLR (T_max ${String(x.schedulers?.[0]?.params?.T_max)}), OneCycleLR at 30`, x]));
  for (const e of edges) if (accepted(e[1])) layouts.push(e);

  it('holds every schedule torch can put in a SequentialLR (a new one is a row of the table above)', () => {
    const held = new Set(Object.values(kids).map((k) => k.name));
    expect(TORCH_SCHEDULES.filter((d) => !d.children && !held.has(d.id)).map((d) => d.id)).toEqual([]);
  });

  const same = (x: Float64Array, y: Float64Array): boolean => x.every((v, i) => v === y[i]);

  it.each(layouts)('%s', (_, s) => {
    const def = defOf('SequentialLR');
    const children = (s.schedulers ?? []).map((c) => ({ def: defOf(c.name), values: resolve(c) }));
    const setter = def.lrSetter?.(resolve(s), children) ?? null;
    const torchUnread = same(torchTrace(s, 0.01, 'momentum', steps).lr, torchTrace(s, 0.037, 'momentum', steps).lr);
    expect(setter !== null).toBe(torchUnread);
    expect(same(ourTrace(s, 0.01, steps, identity).lr, ourTrace(s, 0.037, steps, identity).lr)).toBe(torchUnread);
    // The stand-in it names is a child's value that sets the LR: moving it moves the curve.
    if (setter !== null) {
      const m = /^schedulers\.(\d+)\.(max_lr|base_lr|swa_lr)$/.exec(setter);
      expect(m).not.toBeNull();
      const [i, key] = [Number(m?.[1]), m?.[2] ?? ''];
      const moved = { ...s, schedulers: (s.schedulers ?? []).map((c, j) => (j === i ? { ...c, params: { ...c.params, [key]: Number(resolve(c)[key]) * 1.5 } } : c)) };
      expect(same(torchTrace(s, 0.01, 'momentum', steps).lr, torchTrace(moved, 0.01, 'momentum', steps).lr)).toBe(false);
    }
  });

  it('the layouts hold both answers, each in several forms', () => {
    const def = defOf('SequentialLR');
    const setters = layouts.map(([, s]) => def.lrSetter?.(resolve(s), (s.schedulers ?? []).map((c) => ({ def: defOf(c.name), values: resolve(c) }))) ?? null);
    expect(new Set(setters)).toEqual(new Set([null, 'schedulers.0.max_lr', 'schedulers.0.base_lr', 'schedulers.0.swa_lr', 'schedulers.1.max_lr', 'schedulers.2.max_lr', 'schedulers.3.max_lr']));
    expect(setters.filter((x) => x === null).length).toBeGreaterThan(100);
    expect(setters.filter((x) => x !== null).length).toBeGreaterThan(50);
  });

  it('refuses an axis over optimizer.lr where it is unread, naming the child to sweep', () => {
    const seq = (first: Sched, second: Sched): Sched => ({ name: 'SequentialLR', params: { milestones: [30] }, schedulers: [first, second] });
    const toSpec = (s: Sched): object => ({ name: s.name, ...s.params, ...(s.schedulers ? { schedulers: s.schedulers.map(toSpec) } : {}) });
    const errors = (s: Sched): string[] => {
      try {
        parseSpec({ surface: 'quadratic', optimizer: { name: 'SGD', lr: 0.01 }, schedule: toSpec(s), steps: 100, sweep: { x: { param: 'optimizer.lr', min: 0.001, max: 0.1, count: 3 } } });
        return [];
      } catch (e) {
        return e instanceof SpecErrors ? e.errors.map((x) => x.message) : [String(e)];
      }
    };
    expect(errors(seq(kids.LinearLR as Sched, kids.OneCycleLR as Sched))).toEqual([
      "sweep.x.param: optimizer.lr has no effect: SequentialLR's schedulers.1 (OneCycleLR) sets the LR every scheduler starts from (torch's initial_lr); sweep schedule.schedulers.1.max_lr instead",
    ]);
    expect(errors(seq(kids.CyclicLR as Sched, kids.StepLR as Sched))[0]).toMatch(/SequentialLR's schedulers\.0 \(CyclicLR\) sets the LR .*; sweep schedule\.schedulers\.0\.base_lr instead$/);
    expect(errors(seq(kids.LinearLR as Sched, kids.StepLR as Sched))).toEqual([]);
    expect(errors(seq(kids['CosineAnnealingLR (T_max 10)'] as Sched, kids.OneCycleLR as Sched))).toEqual([]);
  });
});


// ---------------------------------------------------------------------------------------------

/** torch's constructor arguments after `optimizer` (without last_epoch, scale_fn, schedulers), with defaults; undefined = required. */
const TORCH_SIGNATURES: Readonly<Record<string, readonly [string, ParamValue | undefined][]>> = {
  StepLR: [
    ['step_size', undefined],
    ['gamma', 0.1],
  ],
  MultiStepLR: [
    ['milestones', undefined],
    ['gamma', 0.1],
  ],
  ExponentialLR: [['gamma', undefined]],
  CosineAnnealingLR: [
    ['T_max', undefined],
    ['eta_min', 0.0],
  ],
  CosineAnnealingWarmRestarts: [
    ['T_0', undefined],
    ['T_mult', 1],
    ['eta_min', 0.0],
  ],
  CyclicLR: [
    ['base_lr', undefined],
    ['max_lr', undefined],
    ['step_size_up', 2000],
    ['step_size_down', null],
    ['mode', 'triangular'],
    ['gamma', 1.0],
    ['scale_mode', 'cycle'],
    ['cycle_momentum', true],
    ['base_momentum', 0.8],
    ['max_momentum', 0.9],
  ],
  OneCycleLR: [
    ['max_lr', undefined],
    ['total_steps', null],
    ['epochs', null],
    ['steps_per_epoch', null],
    ['pct_start', 0.3],
    ['anneal_strategy', 'cos'],
    ['cycle_momentum', true],
    ['base_momentum', 0.85],
    ['max_momentum', 0.95],
    ['div_factor', 25.0],
    ['final_div_factor', 1e4],
    ['three_phase', false],
  ],
  LinearLR: [
    ['start_factor', 1.0 / 3],
    ['end_factor', 1.0],
    ['total_iters', 5],
  ],
  ConstantLR: [
    ['factor', 1.0 / 3],
    ['total_iters', 5],
  ],
  SequentialLR: [['milestones', undefined]],
  PolynomialLR: [
    ['total_iters', 5],
    ['power', 1.0],
  ],
  // ChainedScheduler(schedulers, optimizer=None): no numeric arguments.
  ChainedScheduler: [],
  // torch.optim.swa_utils.SWALR(optimizer, swa_lr, anneal_epochs=10, anneal_strategy='cos', last_epoch=-1).
  SWALR: [
    ['swa_lr', undefined],
    ['anneal_epochs', 10],
    ['anneal_strategy', 'cos'],
  ],
};

describe('schemas and WGSL twins', () => {
  it('lists the schedules in kind order', () => {
    expect(SCHEDULES.map((s) => s.id)).toEqual([
      'StepLR',
      'MultiStepLR',
      'ExponentialLR',
      'CosineAnnealingLR',
      'CosineAnnealingWarmRestarts',
      'CyclicLR',
      'OneCycleLR',
      'LinearLR',
      'ConstantLR',
      'SequentialLR',
      'PolynomialLR',
      'ChainedScheduler',
      'SWALR',
      'WSD',
      'ReduceLROnPlateau',
    ]);
    SCHEDULES.forEach((s, i) => expect(scheduleKind(s)).toBe(i + 1));
  });

  it.each(TORCH_SCHEDULES.map((s) => [s.id, s]))('%s: torch names, order and defaults', (id, def) => {
    const sig = TORCH_SIGNATURES[id] ?? [];
    expect(def.params.map((p) => p.key)).toEqual(sig.map(([k]) => k));
    for (const [key, torchDefault] of sig) {
      const p = def.params.find((x) => x.key === key);
      if (!p) throw new Error(key);
      if (torchDefault === undefined) expect(p.doc).toMatch(/required in torch/i);
      else expect(p.default).toEqual(torchDefault);
    }
  });

  // Block size, docs and defaults in range: tests/unit/registry.test.ts, for every entry.
  it.each(SCHEDULES.map((s) => [s.id, s]))('%s: names its reference', (_id, def) => {
    if (def.id === 'WSD') expect(def.reference).toMatch(/^Hägele et al\. 2024/);
    else if (def.id === 'SWALR') expect(def.reference).toMatch(/^torch\/optim\/swa_utils\.py/);
    else expect(def.reference).toMatch(/^torch\/optim\/lr_scheduler\.py/);
  });

  it('momentum cycling is reported by CyclicLR and OneCycleLR only, per cycle_momentum', () => {
    for (const def of SCHEDULES) {
      const v = resolve({ name: def.id });
      expect(def.cyclesMomentum(v)).toBe(def.id === 'CyclicLR' || def.id === 'OneCycleLR');
      expect(def.cyclesMomentum({ ...v, cycle_momentum: false })).toBe(false);
    }
  });

  const wgsl = (file: string): string => readFileSync(new URL(`../../shaders/schedules/${file}`, import.meta.url), 'utf8');

  it('common.wgsl declares the pipeline overrides; the generated dispatch routes exactly the kinds it is given', () => {
    const common = wgsl('common.wgsl');
    for (const o of ['SCHEDULE_KIND', 'SCHEDULE_CHILD_KIND_0', 'SCHEDULE_CHILD_KIND_1', 'SCHEDULE_CHILD_KIND_2', 'SCHEDULE_CHILD_KIND_3']) {
      expect(common).toContain(`override ${o}: u32`);
    }
    expect(common).not.toMatch(/fn (schedule_eval|sched_leaf)\b/);
    const all = scheduleDispatch(SCHEDULES);
    expect(all).toContain('fn schedule_eval(k: u32, base_lr: f32) -> vec2f {');
    expect(all).toContain('fn sched_leaf(kind: u32, b: u32, k: u32, base_lr: f32) -> vec2f {');
    for (const def of SCHEDULES) {
      const leaf = `case SCHED_KIND_${def.id}: { return sched_${def.id}(b, k, base_lr); }`;
      const composite = `if (SCHEDULE_KIND == SCHED_KIND_${def.id}) {\n    return sched_${def.id}(P_SCHEDULE, k, base_lr);`;
      expect(all.includes(leaf), def.id).toBe(!def.children);
      expect(all.includes(composite), def.id).toBe(def.children !== undefined);
      // Alone: its own route and nothing else's.
      const one = scheduleDispatch([def]);
      expect(one.includes(def.children ? composite : leaf), def.id).toBe(true);
      expect(one.match(/SCHED_KIND_\w+/g) ?? [], def.id).toEqual([`SCHED_KIND_${def.id}`]);
    }
    // Nothing compiled: every kind is a constant LR.
    const none = scheduleDispatch([]);
    expect(none).not.toMatch(/SCHED_KIND_\w+|sched_[A-Z]/);
    expect(none).toMatch(/default: \{ return vec2f\(base_lr, 0\.0\); \}/);
  });

  it('a pipeline composes the schedules of its tree and what they call, nothing else', () => {
    const node = (id: string, children: ScheduleNode[] = []): ScheduleNode => {
      const def = findSchedule(id);
      if (!def) throw new Error(id);
      return { def, base: 0, values: {}, children };
    };
    const ids = (n: ScheduleNode | null): string[] => deviceSchedules(n).map((d) => d.id);
    expect(ids(null)).toEqual([]);
    expect(ids(node('StepLR'))).toEqual(['StepLR']);
    expect(ids(node('ChainedScheduler', [node('ExponentialLR'), node('StepLR')]))).toEqual(['StepLR', 'ExponentialLR', 'ChainedScheduler']);
    expect(ids(node('SequentialLR', [node('LinearLR'), node('ExponentialLR')]))).toEqual(
      ['ExponentialLR', 'CosineAnnealingLR', 'CosineAnnealingWarmRestarts', 'LinearLR', 'SequentialLR'],
    );
    const files = scheduleFiles(deviceSchedules(node('StepLR')));
    // The kernel calls plateau_init/plateau_step behind its PLATEAU override, so that file always comes.
    expect(files).toEqual(['schedules/common.wgsl', 'schedules/StepLR.wgsl', 'schedules/ReduceLROnPlateau.wgsl']);
  });

});

// ---------------------------------------------------------------------------------------------
// The catalogue schedules (PolynomialLR, ChainedScheduler, SWALR, WSD): hand values, WSD against
// SequentialLR, and their rules against the torch oracle.

describe('catalogue schedules: hand-computed values', () => {
  it('PolynomialLR: torch docstring (lr 0.05, total_iters 50, power 0.9; its values are one step late)', () => {
    const s: Sched = { name: 'PolynomialLR', params: { total_iters: 50, power: 0.9 } };
    // The initial step leaves the LR; after k steps it is 0.05 (1 - k / 50) ** 0.9. The docstring's
    // "0.0490 if epoch == 0" is k = 1: 0.05 * 0.98 ** 0.9 = 0.049099…
    expectNear(at(s, 0.05, 0)[0], 0.05);
    expectNear(at(s, 0.05, 1)[0], 0.05 * Math.pow(0.98, 0.9));
    expect(at(s, 0.05, 1)[0]).toBeCloseTo(0.0491, 4);
    expect(at(s, 0.05, 2)[0]).toBeCloseTo(0.0482, 4);
    expect(at(s, 0.05, 3)[0]).toBeCloseTo(0.0473, 4);
    expect(at(s, 0.05, 50)[0]).toBe(0);
    expect(at(s, 0.05, 80)[0]).toBe(0);
    // power 1 is linear: lr (1 - k / 5); power 0 is constant; total_iters 0 never changes the LR.
    expectNear(at({ name: 'PolynomialLR' }, 1, 2)[0], 0.6);
    expectNear(at({ name: 'PolynomialLR', params: { power: 0 } }, 1, 5)[0], 1);
    expectNear(at({ name: 'PolynomialLR', params: { total_iters: 0 } }, 1, 3)[0], 1);
  });

  it('SWALR: cosine anneal from the optimizer lr to swa_lr, then held; linear; anneal_epochs 0', () => {
    const cos: Sched = { name: 'SWALR', params: { swa_lr: 0.05, anneal_epochs: 10 } };
    expectNear(at(cos, 0.5, 0)[0], 0.5);
    // k = 5: alpha = (1 - cos(pi / 2)) / 2 = 0.5, so halfway: 0.275.
    expectNear(at(cos, 0.5, 5)[0], 0.275);
    // k = 2: alpha = (1 - cos(pi / 5)) / 2 = 0.0954915…
    const a2 = (1 - Math.cos(Math.PI / 5)) / 2;
    expectNear(at(cos, 0.5, 2)[0], 0.05 * a2 + 0.5 * (1 - a2));
    expectNear(at(cos, 0.5, 10)[0], 0.05);
    expectNear(at(cos, 0.5, 11)[0], 0.05);
    const lin: Sched = { name: 'SWALR', params: { swa_lr: 0.2, anneal_epochs: 4, anneal_strategy: 'linear' } };
    expectNear(at(lin, 1, 1)[0], 0.8); // 0.2 * 0.25 + 1 * 0.75
    expectNear(at(lin, 1, 3)[0], 0.4);
    // anneal_epochs 0: torch takes step = max(1, step), so swa_lr already after construction.
    expectNear(at({ name: 'SWALR', params: { swa_lr: 0.2, anneal_epochs: 0 } }, 1, 0)[0], 0.2);
  });

  it('ChainedScheduler: torch docstring (ConstantLR 0.1 for 20 steps times ExponentialLR 0.9, lr 0.05)', () => {
    const s: Sched = {
      name: 'ChainedScheduler',
      schedulers: [
        { name: 'ConstantLR', params: { factor: 0.1, total_iters: 20 } },
        { name: 'ExponentialLR', params: { gamma: 0.9 } },
      ],
    };
    expectNear(at(s, 0.05, 0)[0], 0.005);
    expectNear(at(s, 0.05, 1)[0], 0.0045);
    expectNear(at(s, 0.05, 2)[0], 0.00405);
    // The docstring truncates: 0.000675, 0.006078, 0.005470.
    const trunc = (x: number): number => Math.floor(x * 1e6) / 1e6;
    expect(trunc(at(s, 0.05, 19)[0])).toBe(0.000675);
    expect(trunc(at(s, 0.05, 20)[0])).toBe(0.006078);
    expect(trunc(at(s, 0.05, 21)[0])).toBe(0.00547);
    expectNear(at(s, 0.05, 21)[0], 0.05 * 0.9 ** 21, 1e-13);
  });
});

describe('WSD', () => {
  const wsd = (params: Record<string, ParamValue>): Sched => ({ name: 'WSD', params });
  /** torch's spelling of the linear form. */
  const asSequential = (W: number, s: number, S: number, D: number, m: number): Sched => ({
    name: 'SequentialLR',
    params: { milestones: [W, W + S] },
    schedulers: [
      { name: 'LinearLR', params: { start_factor: s, end_factor: 1, total_iters: W } },
      { name: 'ConstantLR', params: { factor: 1, total_iters: S } },
      { name: 'LinearLR', params: { start_factor: 1, end_factor: m, total_iters: D } },
    ],
  });

  it('has its own parameters and defaults (not a torch class)', () => {
    expect(resolve({ name: 'WSD' })).toEqual({
      warmup_steps: 10,
      warmup_start_factor: 0,
      stable_steps: 70,
      decay_steps: 20,
      min_lr_ratio: 0,
      decay_shape: '1-sqrt',
    });
    expect(defOf('WSD').doc).toContain('SequentialLR([LinearLR(');
    expect(defOf('WSD').doc).toContain('the 1-sqrt cooldown has no torch equivalent');
  });

  it('hand values: warmup, plateau, linear and 1-sqrt cooldowns, floor', () => {
    const base = { warmup_steps: 4, warmup_start_factor: 0.2, stable_steps: 3, decay_steps: 4, min_lr_ratio: 0.1 };
    const lin = wsd({ ...base, decay_shape: 'linear' });
    const sq = wsd({ ...base, decay_shape: '1-sqrt' });
    for (const s of [lin, sq]) {
      expectNear(at(s, 2, 0)[0], 0.4); // 2 * 0.2
      expectNear(at(s, 2, 2)[0], 1.2); // 2 * (0.2 * 2 + 2) / 4
      expectNear(at(s, 2, 4)[0], 2);
      expectNear(at(s, 2, 7)[0], 2); // plateau ends, cooldown at progress 0
      expectNear(at(s, 2, 11)[0], 0.2);
      expectNear(at(s, 2, 50)[0], 0.2);
    }
    // k = 8: progress 1/4. Linear: 0.1 + 0.9 * 0.75 = 0.775; 1-sqrt: 0.1 + 0.9 * (1 - 0.5) = 0.55.
    expectNear(at(lin, 2, 8)[0], 1.55);
    expectNear(at(sq, 2, 8)[0], 1.1);
    // k = 10: progress 3/4; 1 - sqrt(0.75) = 0.1339745962…
    expectNear(at(sq, 2, 10)[0], 2 * (0.1 + 0.9 * (1 - Math.sqrt(0.75))));
    // No warmup, no plateau, decay_steps 0: lr, then min_lr_ratio * lr at once.
    const drop = wsd({ warmup_steps: 0, stable_steps: 0, decay_steps: 0, min_lr_ratio: 0.3 });
    expectNear(at(drop, 1, 0)[0], 0.3);
    const noWarm = wsd({ warmup_steps: 0, stable_steps: 2, decay_steps: 2, min_lr_ratio: 0, decay_shape: 'linear' });
    expectNear(at(noWarm, 1, 0)[0], 1);
    expectNear(at(noWarm, 1, 3)[0], 0.5);
    expect(at(noWarm, 1, 4)[0]).toBe(0);
  });

  const configs: [number, number, number, number, number, number][] = [
    // W, s, S, D, m, steps
    [4, 0.2, 3, 4, 0.1, 20],
    [10, 0.01, 0, 20, 0, 40],
    [1, 1, 50, 1, 0.5, 60],
    [25, 0.5, 100, 75, 0.05, 260],
    [3, 0.3, 7, 300, 0.001, 330],
  ];

  it('linear WSD equals torch SequentialLR([LinearLR, ConstantLR, LinearLR]) at every step, bit for bit in both precisions', () => {
    for (const [W, s, S, D, m, steps] of configs) {
      const mine = wsd({ warmup_steps: W, warmup_start_factor: s, stable_steps: S, decay_steps: D, min_lr_ratio: m, decay_shape: 'linear' });
      const seq = asSequential(W, s, S, D, m);
      expect(validateSequentialLR(resolve(seq), (seq.schedulers ?? []).map((c) => ({ def: defOf(c.name), values: resolve(c) })), { steps, optimizer: optimizer('SGD') })).toEqual([]);
      for (const r of [identity, Math.fround]) {
        const a = ourTrace(mine, 0.3, steps, r);
        const b = ourTrace(seq, 0.3, steps, r);
        expect([...a.lr], `${JSON.stringify(mine.params)} ${r === identity ? 'f64' : 'f32'}`).toEqual([...b.lr]);
      }
      // …and both follow torch's recursive SequentialLR.
      expect(firstMismatch(ourTrace(mine, 0.3, steps, identity).lr, torchTrace(seq, 0.3, 'momentum', steps).lr)).toBeNull();
    }
  });

  it('the 1-sqrt cooldown differs from the linear one only inside the cooldown (control for the test above)', () => {
    const [W, s, S, D, m, steps] = configs[0]!;
    const p = { warmup_steps: W, warmup_start_factor: s, stable_steps: S, decay_steps: D, min_lr_ratio: m };
    const lin = ourTrace(wsd({ ...p, decay_shape: 'linear' }), 1, steps, identity).lr;
    const sq = ourTrace(wsd({ ...p, decay_shape: '1-sqrt' }), 1, steps, identity).lr;
    for (let k = 0; k <= steps; k++) {
      const inside = k > W + S && k < W + S + D;
      expect(lin[k] === sq[k], `k=${k}`).toBe(!inside);
      if (inside) expect(sq[k]!).toBeLessThan(lin[k]!); // 1 - sqrt(x) < 1 - x on (0, 1)
    }
  });

  it('float32 keeps relative accuracy to the end of both cooldowns', () => {
    for (const shape of ['linear', '1-sqrt']) {
      for (const [W, s, S, D, m, steps] of configs) {
        const sched = wsd({ warmup_steps: W, warmup_start_factor: s, stable_steps: S, decay_steps: D, min_lr_ratio: m, decay_shape: shape });
        const f32 = ourTrace(sched, 0.1, steps, Math.fround);
        const f64 = ourTrace(sched, 0.1, steps, identity, true);
        expect(f32Mismatch(f32.lr, f64.lr), `${shape} ${JSON.stringify(sched.params)}`).toBeNull();
      }
    }
    // The last cooldown step of 1-sqrt over 300 steps is 1 - sqrt(299/300) ~ 1.7e-3 of the LR; the
    // naive f32 form 1 - sqrt(x) would lose ~1e-4 of it there.
    const k = 3 + 7 + 299;
    const f32 = ourTrace(wsd({ warmup_steps: 3, warmup_start_factor: 0.3, stable_steps: 7, decay_steps: 300, min_lr_ratio: 0 }), 1, k, Math.fround);
    const exact = 1 - Math.sqrt(299 / 300);
    expect(Math.abs(f32.lr[k]! - exact) / exact).toBeLessThan(1e-6);
  });
});

describe('validate: catalogue schedules against torch', () => {
  const ctx = (steps: number, opt = 'SGD') => ({ steps, optimizer: optimizer(opt) });
  const chain = (...schedulers: Sched[]): Sched => ({ name: 'ChainedScheduler', schedulers });
  const checkChain = (s: Sched, steps: number, opt = 'SGD'): string[] =>
    validateChainedScheduler(
      resolve(s),
      (s.schedulers ?? []).map((c) => ({ def: defOf(c.name), values: resolve(c) })),
      ctx(steps, opt),
    );

  it('PolynomialLR: a negative power is an error exactly when torch reaches 0.0 ** power', () => {
    let raising = 0;
    for (const total of [0, 1, 5]) {
      for (const power of [-1, -0.5, 0, 0.5, 2]) {
        for (const steps of [0, 1, 4, 5, 6]) {
          const s: Sched = { name: 'PolynomialLR', params: { total_iters: total, power } };
          const raises = torchRaises(s, steps);
          if (raises) raising++;
          expect({ total, power, steps, error: validate(s, steps).length > 0 }).toEqual({ total, power, steps, error: raises });
        }
      }
    }
    expect(raising).toBeGreaterThan(5);
    expect(validate({ name: 'PolynomialLR', params: { total_iters: 5, power: -1 } }, 5)[0]).toMatch(/^power: .*ZeroDivisionError/);
  });

  it('ChainedScheduler accepts the multiplicative children (and the oracle agrees that they multiply)', () => {
    const ok = chain(
      { name: 'StepLR', params: { step_size: 3 } },
      { name: 'MultiStepLR', params: { milestones: [2, 5] } },
      { name: 'PolynomialLR', params: { total_iters: 10 } },
      { name: 'CosineAnnealingLR', params: { T_max: 12 } },
    );
    expect(checkChain(ok, 12)).toEqual([]);
    expect(checkChain(chain({ name: 'LinearLR' }, { name: 'ExponentialLR', params: { gamma: 0.9 } }, { name: 'ConstantLR' }), 1000)).toEqual([]);
    expect(firstMismatch(ourTrace(ok, 0.1, 12, identity).lr, torchTrace(ok, 0.1, 'momentum', 12).lr)).toBeNull();
  });

  it('ChainedScheduler rejects children whose chained form is not a factor, and torch shows why', () => {
    const rejected: [Sched, RegExp][] = [
      [{ name: 'CosineAnnealingWarmRestarts', params: { T_0: 4 } }, /^schedulers\.0 \(CosineAnnealingWarmRestarts\): cannot be chained: .*base_lr/],
      [{ name: 'CyclicLR', params: { base_lr: 0.01, max_lr: 0.1, step_size_up: 3, cycle_momentum: false } }, /^schedulers\.0 \(CyclicLR\): cannot be chained/],
      [{ name: 'OneCycleLR', params: { max_lr: 0.1, total_steps: 30, cycle_momentum: false } }, /^schedulers\.0 \(OneCycleLR\): cannot be chained/],
      [{ name: 'SWALR', params: { swa_lr: 0.01, anneal_epochs: 5 } }, /^schedulers\.0 \(SWALR\): cannot be chained: .*re-interpolates/],
      [{ name: 'WSD' }, /^schedulers\.0 \(WSD\): cannot be chained: it is not a torch scheduler/],
    ];
    for (const [child, msg] of rejected) {
      // Rejected first: torch then scales that child's absolute LR by the next child's *ratio* at
      // each step, not by its accumulated factor (last, its absolute LR would simply win).
      const s = chain(child, { name: 'ExponentialLR', params: { gamma: 0.9 } });
      expect(checkChain(s, 20), child.name).toEqual([expect.stringMatching(msg)]);
      // torch's chain is not the product of closed forms that basinlab would evaluate.
      if (child.name !== 'WSD') {
        expect(firstMismatch(ourTrace(s, 0.1, 20, identity).lr, torchTrace(s, 0.1, 'momentum', 20).lr), child.name).not.toBeNull();
      }
    }
  });

  it('ChainedScheduler: CosineAnnealingLR only with eta_min 0 and within T_max, as torch shows', () => {
    const eta = chain({ name: 'StepLR', params: { step_size: 3, gamma: 0.5 } }, { name: 'CosineAnnealingLR', params: { T_max: 20, eta_min: 0.01 } });
    expect(checkChain(eta, 20)).toEqual([expect.stringMatching(/^schedulers\.1 \(CosineAnnealingLR\): eta_min = 0\.01 .*affine/)]);
    expect(firstMismatch(ourTrace(eta, 0.1, 20, identity).lr, torchTrace(eta, 0.1, 'momentum', 20).lr)).not.toBeNull();
    const past = chain({ name: 'StepLR', params: { step_size: 3, gamma: 0.5 } }, { name: 'CosineAnnealingLR', params: { T_max: 10 } });
    expect(checkChain(past, 10)).toEqual([]);
    expect(checkChain(past, 11)).toEqual([expect.stringMatching(/^schedulers\.1 \(CosineAnnealingLR\): this 11-step run passes T_max = 10/)]);
    expect(firstMismatch(ourTrace(past, 0.1, 10, identity).lr, torchTrace(past, 0.1, 'momentum', 10).lr)).toBeNull();
    expect(firstMismatch(ourTrace(past, 0.1, 11, identity).lr, torchTrace(past, 0.1, 'momentum', 11).lr)).toMatch(/^k=11:/);
  });

  it('ChainedScheduler rejects composites and momentum cycling, and checks each child over the whole run', () => {
    expect(checkChain(chain({ name: 'StepLR' }, { name: 'SequentialLR', params: { milestones: [5] } }), 20)).toEqual([
      expect.stringMatching(/^schedulers\.1 \(SequentialLR\): a composite schedule/),
    ]);
    expect(checkChain(chain({ name: 'CyclicLR' }, { name: 'StepLR' }), 20)).toEqual([
      expect.stringMatching(/^schedulers\.0 \(CyclicLR\): cycles momentum.*set cycle_momentum: false/),
      expect.stringMatching(/^schedulers\.0 \(CyclicLR\): cannot be chained/),
    ]);
    const cz = (steps: number): string[] => checkChain(chain({ name: 'ConstantLR', params: { factor: 0, total_iters: 10 } }, { name: 'StepLR' }), steps);
    expect(cz(9)).toEqual([]);
    expect(cz(10)).toEqual([expect.stringMatching(/^schedulers\.0 \(ConstantLR\): factor: 0 .*ZeroDivisionError/)]);
    expect(torchRaises(chain({ name: 'ConstantLR', params: { factor: 0, total_iters: 10 } }, { name: 'StepLR' }), 10)).toBe(true);
    expect(torchRaises(chain({ name: 'ConstantLR', params: { factor: 0, total_iters: 10 } }, { name: 'StepLR' }), 9)).toBe(false);
    // The spec-level rule (validate through the ScheduleDef) is the same function.
    expect(defOf('ChainedScheduler').validate?.({}, ctx(20), [{ def: defOf('WSD'), values: resolve({ name: 'WSD' }) }, { def: defOf('StepLR'), values: resolve({ name: 'StepLR' }) }])).toEqual([
      expect.stringMatching(/^schedulers\.0 \(WSD\): cannot be chained/),
    ]);
  });

  it('SequentialLR: a later PolynomialLR with total_iters 0 divides by zero in torch; first it is fine', () => {
    const checkSeq = (s: Sched, steps: number): string[] =>
      validateSequentialLR(resolve(s), (s.schedulers ?? []).map((c) => ({ def: defOf(c.name), values: resolve(c) })), ctx(steps));
    const later: Sched = { name: 'SequentialLR', params: { milestones: [5] }, schedulers: [{ name: 'StepLR' }, { name: 'PolynomialLR', params: { total_iters: 0 } }] };
    expect(checkSeq(later, 20)).toEqual([expect.stringMatching(/^schedulers\.1 \(PolynomialLR\): total_iters = 0 .*step 5/)]);
    expect(torchRaises(later, 20)).toBe(true);
    expect(checkSeq(later, 4)).toEqual([]);
    expect(torchRaises(later, 4)).toBe(false);
    const first: Sched = { name: 'SequentialLR', params: { milestones: [5] }, schedulers: [{ name: 'PolynomialLR', params: { total_iters: 0 } }, { name: 'StepLR' }] };
    expect(checkSeq(first, 20)).toEqual([]);
    expect(torchRaises(first, 20)).toBe(false);
  });

  it('SequentialLR: a later SWALR anneals from the LR the previous child left, so it is rejected', () => {
    const checkSeq = (s: Sched, steps: number): string[] =>
      validateSequentialLR(resolve(s), (s.schedulers ?? []).map((c) => ({ def: defOf(c.name), values: resolve(c) })), ctx(steps));
    const s: Sched = {
      name: 'SequentialLR',
      params: { milestones: [10] },
      schedulers: [{ name: 'CosineAnnealingLR', params: { T_max: 20 } }, { name: 'SWALR', params: { swa_lr: 0.01, anneal_epochs: 5 } }],
    };
    expect(checkSeq(s, 30)).toEqual([expect.stringMatching(/^schedulers\.1 \(SWALR\): after a milestone torch's SWALR anneals from the LR/)]);
    // torch: from the cosine's LR at k = 9 (not the base LR) towards 0.01.
    const torch = torchTrace(s, 0.1, 'momentum', 30).lr;
    expectNear(torch[10]!, torch[9]!, 1e-12);
    expect(firstMismatch(ourTrace(s, 0.1, 30, identity).lr, torch)).not.toBeNull();
  });
});

/** The body of `fn name(...) { ... }` in comment-free WGSL (brace matching). */
function fnBody(src: string, name: string): string {
  const m = new RegExp(`\\bfn\\s+${name}\\s*\\(`).exec(src);
  if (!m) throw new Error(`no fn ${name}`);
  const open = src.indexOf('{', m.index);
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    if (src[i] === '{') depth++;
    else if (src[i] === '}' && --depth === 0) return src.slice(open + 1, i);
  }
  throw new Error(`unbalanced fn ${name}`);
}

describe('WGSL: composite dispatch', () => {
  const wgsl = (file: string): string =>
    readFileSync(new URL(`../../shaders/schedules/${file}`, import.meta.url), 'utf8').replace(/\/\/[^\n]*/g, '');

  it('schedule_eval routes ChainedScheduler to a fold over the children through sched_leaf (no recursion)', () => {
    const dispatch = scheduleDispatch(SCHEDULES);
    expect(dispatch).toMatch(/if \(SCHEDULE_KIND == SCHED_KIND_ChainedScheduler\) \{\s*return sched_ChainedScheduler\(P_SCHEDULE, k, base_lr\);/);
    // One call per child with the override constant itself (a loop over sched_child_kind(i) is not
    // unrolled by SwiftShader and runs the whole switch per child per step).
    const chained = fnBody(wgsl('ChainedScheduler.wgsl'), 'sched_ChainedScheduler');
    for (let i = 0; i < 4; i++) {
      expect(chained).toContain(
        `if (SCHEDULE_CHILD_KIND_${i} != 0u) {\n    lr = sched_leaf(SCHEDULE_CHILD_KIND_${i}, P_SCHEDULE + SCHEDULE_BLOCK * ${i + 1}u, k, lr).x;`,
      );
    }
    expect(chained).not.toMatch(/\b(for|loop|while|sched_child_kind)\b/);
    const leaf = fnBody(dispatch, 'sched_leaf');
    expect(leaf).not.toMatch(/sched_(ChainedScheduler|SequentialLR)\b/);
  });
});
