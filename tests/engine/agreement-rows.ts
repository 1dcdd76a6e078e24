/**
 * The GPU-vs-CPU agreement matrix: one table of rows over every optimiser, schedule and surface
 * (tests/engine/agreement.test.ts fails when a registry entry appears in no row), each row run through
 * the product's own validation (`validatePlan`, behind `basinlab validate`): gpu, cpu and cpu64 on one
 * plan, cpu64 deciding the basin boundaries and, with cpu, which runs are ill-conditioned.
 *
 * A parameterised table, not a blind cartesian product: each optimiser and schedule in at least one
 * row (the torch core ones in two or more), on varied surfaces, some with gradient noise, with a
 * control row first. Sweeps are chosen so that the per-run paths run too: a swept beta1, beta2 or
 * beta2_decay makes the shader compute the step scalars per run, a swept schedule parameter makes it
 * evaluate the schedule (ChainedScheduler's fold over its children included) per run instead of
 * reading the shared tables. The thresholds are derived in docs/validation.md.
 */
import type { Plan } from '../../src/core/plan.ts';
import type { PairReport } from '../../src/core/validate.ts';
import type { Engine } from '../../src/engine/engine.ts';
import { validatePlan } from '../../src/engine/validation.ts';

export interface AgreementRow {
  readonly name: string;
  readonly spec: Record<string, unknown>;
  /** Expect the two float32 engines to agree bit for bit (only +, -, *, /, sqrt involved). */
  readonly identical?: boolean;
  /**
   * Why positions are compared on a quarter of the runs or fewer (the rest on basin boundaries,
   * ill-conditioned or diverged); without it, more than a quarter must be compared.
   */
  readonly fewCompared?: string;
}

const axis = (param: string, min: number, max: number, scale?: 'log') => ({ param, min, max, count: 24, ...(scale ? { scale } : {}) });
const startGrid = (lo: number, hi: number) => ({ x: axis('start.0', lo, hi), y: axis('start.1', lo, hi) });
const lrMom = (lo: number, hi: number, param = 'optimizer.momentum', mlo = 0, mhi = 0.95) => ({
  x: axis('optimizer.lr', lo, hi, 'log'),
  y: axis(param, mlo, mhi),
});

export const AGREEMENT_ROWS: readonly AgreementRow[] = [
  // The torch core: every optimiser and a representative set of schedules, twice each.
  {
    name: 'control: SGD momentum, constant LR, Rosenbrock',
    identical: true,
    spec: { surface: 'rosenbrock', optimizer: { name: 'SGD', momentum: 0.9 }, steps: 400, sweep: lrMom(1e-5, 3e-3) },
  },
  {
    name: 'SGD nesterov, StepLR, quadratic, noise',
    spec: {
      surface: 'quadratic',
      optimizer: { name: 'SGD', momentum: 0.9, nesterov: true },
      schedule: { name: 'StepLR', step_size: 100, gamma: 0.5 },
      steps: 300,
      noise: { std: 0.5, seed: 1 },
      sweep: lrMom(1e-3, 0.5, 'optimizer.momentum', 0.1, 0.95),
    },
  },
  {
    name: 'SGD, CyclicLR with momentum cycling, Himmelblau',
    spec: {
      surface: 'himmelblau',
      optimizer: { name: 'SGD', momentum: 0.9 },
      schedule: { name: 'CyclicLR', base_lr: 1e-4, max_lr: 0.01, step_size_up: 50, mode: 'triangular2' },
      steps: 300,
      sweep: startGrid(-5, 5),
    },
  },
  {
    name: 'Adam, CosineAnnealingLR, Himmelblau, noise',
    spec: {
      surface: 'himmelblau',
      optimizer: { name: 'Adam', lr: 0.05 },
      schedule: { name: 'CosineAnnealingLR', T_max: 300 },
      steps: 300,
      noise: { std: 0.5, seed: 3 },
      sweep: startGrid(-5, 5),
    },
  },
  {
    name: 'Adam amsgrad, OneCycleLR driving beta1, Rosenbrock',
    spec: {
      surface: 'rosenbrock',
      optimizer: { name: 'Adam', amsgrad: true },
      schedule: { name: 'OneCycleLR', max_lr: 0.05, total_steps: 400 },
      steps: 400,
      sweep: { x: { param: 'schedule.max_lr', min: 1e-3, max: 0.5, count: 24, scale: 'log' }, y: { param: 'optimizer.betas.1', min: 0.9, max: 0.9999, count: 24 } },
    },
  },
  {
    name: 'AdamW, warmup + cosine (SequentialLR), six-hump camel, noise',
    spec: {
      surface: 'six_hump_camel',
      optimizer: { name: 'AdamW', lr: 0.02, weight_decay: 0.05 },
      schedule: {
        name: 'SequentialLR',
        milestones: [30],
        schedulers: [{ name: 'LinearLR', start_factor: 0.1, total_iters: 30 }, { name: 'CosineAnnealingLR', T_max: 270 }],
      },
      steps: 300,
      noise: { std: 0.2, seed: 5 },
      sweep: { x: { param: 'start.0', min: -3, max: 3, count: 24 }, y: { param: 'start.1', min: -2, max: 2, count: 24 } },
    },
  },
  {
    // The OneCycleLR last: as second it would set the LR every child starts from, and the LR axis
    // would have no effect (refused; SequentialLR.lrSetter). Here the cosine starts from the swept
    // LR and the ConstantLR chains from the OneCycleLR's initial_lr.
    name: 'SGD, per-run SequentialLR (LR swept): ConstantLR, CosineAnnealingLR, OneCycleLR, quadratic',
    spec: {
      surface: 'quadratic',
      optimizer: { name: 'SGD', momentum: 0.5 },
      schedule: {
        name: 'SequentialLR',
        milestones: [40, 160],
        schedulers: [
          { name: 'ConstantLR', factor: 0.5, total_iters: 20 },
          { name: 'CosineAnnealingLR', T_max: 120, eta_min: 0.001 },
          { name: 'OneCycleLR', max_lr: 0.08, total_steps: 140, cycle_momentum: false },
        ],
      },
      steps: 300,
      sweep: lrMom(1e-3, 0.3, 'optimizer.momentum', 0, 0.9),
    },
  },
  {
    name: 'SGD, per-run SequentialLR cycling momentum (its bounds swept): a warm-up at the momentum OneCycleLR built last, CyclicLR, ConstantLR holding its last, OneCycleLR; quadratic',
    spec: {
      surface: 'quadratic',
      optimizer: { name: 'SGD', lr: 0.01, momentum: 0.5 },
      schedule: {
        name: 'SequentialLR',
        milestones: [40, 100, 150],
        schedulers: [
          { name: 'LinearLR', start_factor: 0.2, total_iters: 40 },
          { name: 'CyclicLR', base_lr: 1e-3, max_lr: 0.02, step_size_up: 25, base_momentum: 0.6, max_momentum: 0.85 },
          { name: 'ConstantLR', factor: 0.5, total_iters: 30 },
          { name: 'OneCycleLR', max_lr: 0.05, total_steps: 90 },
        ],
      },
      steps: 240,
      sweep: {
        x: { param: 'schedule.schedulers.1.max_lr', min: 2e-3, max: 0.2, count: 12, scale: 'log' },
        y: { param: 'schedule.schedulers.3.max_momentum', min: 0.8, max: 0.97, count: 12 },
      },
    },
  },
  {
    name: 'RMSprop centered, ExponentialLR, Beale',
    spec: {
      surface: 'beale',
      optimizer: { name: 'RMSprop', centered: true },
      schedule: { name: 'ExponentialLR', gamma: 0.995 },
      steps: 300,
      sweep: lrMom(1e-4, 0.1),
    },
  },
  {
    name: 'RMSprop momentum, CosineAnnealingWarmRestarts, Styblinski-Tang, noise',
    spec: {
      surface: 'styblinski_tang',
      optimizer: { name: 'RMSprop', lr: 0.01, momentum: 0.5 },
      schedule: { name: 'CosineAnnealingWarmRestarts', T_0: 50, T_mult: 2 },
      steps: 300,
      noise: { std: 1, seed: 9 },
      sweep: startGrid(-5, 5),
    },
  },
  {
    name: 'Adagrad, MultiStepLR, Booth',
    spec: {
      surface: 'booth',
      optimizer: { name: 'Adagrad' },
      schedule: { name: 'MultiStepLR', milestones: [100, 200], gamma: 0.3 },
      steps: 300,
      sweep: { x: { param: 'optimizer.lr', min: 0.01, max: 10, count: 24, scale: 'log' }, y: { param: 'optimizer.initial_accumulator_value', min: 0, max: 10, count: 24 } },
    },
  },
  {
    name: 'Adagrad lr_decay, ConstantLR warmup, flat vs sharp, noise',
    spec: {
      surface: 'flat_sharp',
      optimizer: { name: 'Adagrad', lr: 0.3, lr_decay: 0.01 },
      schedule: { name: 'ConstantLR', factor: 0.5, total_iters: 50 },
      steps: 300,
      noise: { std: 0.3, seed: 2 },
      sweep: { x: { param: 'start.0', min: -3.5, max: 3, count: 24 }, y: { param: 'start.1', min: -3, max: 3, count: 24 } },
    },
  },
  {
    // lr 1e-4: at 1e-2 every start diverged (Goldstein-Price's gradients reach ~1e6 on [-2, 2]²), which
    // left no position to compare.
    name: 'RAdam, LinearLR, Goldstein-Price',
    spec: {
      surface: 'goldstein_price',
      optimizer: { name: 'RAdam', lr: 1e-4 },
      schedule: { name: 'LinearLR', start_factor: 1, end_factor: 0.1, total_iters: 300 },
      steps: 300,
      sweep: startGrid(-1, 1),
    },
  },
  {
    name: 'RAdam decoupled decay, constant LR, Rastrigin, noise',
    fewCompared: 'the start grid spans dozens of lattice basins of a rippled surface: nearly every run is on a basin boundary, so outcomes are compared on all runs but positions on few',
    spec: {
      surface: 'rastrigin',
      optimizer: { name: 'RAdam', lr: 0.05, weight_decay: 0.01, decoupled_weight_decay: true },
      steps: 300,
      noise: { std: 1, seed: 4 },
      sweep: startGrid(-5.12, 5.12),
    },
  },
  {
    name: 'NAdam, OneCycleLR linear three-phase, Ackley',
    fewCompared: 'the start grid spans dozens of lattice basins of a rippled surface: nearly every run is on a basin boundary, so outcomes are compared on all runs but positions on few',
    spec: {
      surface: 'ackley',
      optimizer: { name: 'NAdam' },
      schedule: { name: 'OneCycleLR', max_lr: 0.1, total_steps: 300, anneal_strategy: 'linear', three_phase: true },
      steps: 300,
      sweep: startGrid(-5, 5),
    },
  },
  {
    name: 'NAdam, StepLR, logistic regression with minibatches, noise',
    spec: {
      surface: 'logistic',
      optimizer: { name: 'NAdam', lr: 0.05 },
      schedule: { name: 'StepLR', step_size: 100, gamma: 0.3 },
      steps: 300,
      noise: { std: 0.1, seed: 8 },
      sweep: { x: { param: 'optimizer.lr', min: 1e-3, max: 1, count: 24, scale: 'log' }, y: { param: 'surface.batch_size', min: 1, max: 64, count: 24 } },
    },
  },
  {
    name: 'SAM around SGD with momentum, LR x rho, flat vs sharp, noise',
    spec: {
      surface: 'flat_sharp',
      optimizer: { name: 'SGD', lr: 0.02, momentum: 0.9 },
      sam: { rho: 0.1 },
      steps: 300,
      start: [1.2, 0.2],
      noise: { std: 0.2, seed: 12 },
      sweep: { x: { param: 'optimizer.lr', min: 1e-3, max: 0.1, count: 24, scale: 'log' }, y: { param: 'sam.rho', min: 0, max: 0.5, count: 24 } },
    },
  },
  {
    name: 'adaptive SAM around Adam, Rosenbrock',
    spec: {
      surface: 'rosenbrock',
      optimizer: { name: 'Adam', lr: 0.01 },
      sam: { rho: 0.05, adaptive: true },
      steps: 300,
      sweep: startGrid(-2, 2),
    },
  },
  {
    name: 'SGD with ReduceLROnPlateau on each run\'s loss, LR x patience, Himmelblau, noise',
    spec: {
      surface: 'himmelblau',
      optimizer: { name: 'SGD', lr: 0.01, momentum: 0.5 },
      schedule: { name: 'ReduceLROnPlateau', factor: 0.5, patience: 10, cooldown: 5, threshold: 0.01 },
      steps: 300,
      start: [0.5, 0.5],
      noise: { std: 1, seed: 21 },
      sweep: { x: { param: 'optimizer.lr', min: 1e-3, max: 0.03, count: 24, scale: 'log' }, y: { param: 'schedule.patience', min: 0, max: 40, count: 24 } },
    },
  },
  {
    name: 'SGD, constant LR, saddle escape under noise',
    spec: {
      surface: 'saddle',
      optimizer: { name: 'SGD', lr: 0.05 },
      steps: 300,
      noise: { std: 0.05, seed: 6 },
      sweep: { x: { param: 'optimizer.lr', min: 1e-3, max: 0.5, count: 24, scale: 'log' }, y: { param: 'noise.std', min: 0, max: 0.5, count: 24 } },
    },
  },

  // The catalogue (docs/catalogue.md): a row per optimiser (two each for Schedule-Free, whose gradient
  // is taken at y, state pair 1) and per schedule.
  {
    name: 'Adadelta, PolynomialLR power 2, Himmelblau, noise (lr x rho)',
    spec: {
      surface: 'himmelblau',
      optimizer: { name: 'Adadelta' },
      schedule: { name: 'PolynomialLR', total_iters: 400, power: 2 },
      start: [0.5, -0.5],
      steps: 300,
      noise: { std: 0.3, seed: 11 },
      sweep: { x: axis('optimizer.lr', 1, 300, 'log'), y: axis('optimizer.rho', 0.5, 0.99) },
    },
  },
  {
    name: 'Adamax, WSD 1-sqrt, Rosenbrock (lr x beta1: per-run step scalars)',
    spec: {
      surface: 'rosenbrock',
      optimizer: { name: 'Adamax', weight_decay: 0.001 },
      schedule: { name: 'WSD', warmup_steps: 20, warmup_start_factor: 0.1, stable_steps: 200, decay_steps: 180, min_lr_ratio: 0.01 },
      steps: 400,
      sweep: { x: axis('optimizer.lr', 1e-3, 0.3, 'log'), y: axis('optimizer.betas.0', 0.5, 0.95) },
    },
  },
  {
    name: 'ASGD, ChainedScheduler LinearLR x ExponentialLR, quadratic, noise (lr x lambd)',
    spec: {
      surface: 'quadratic',
      optimizer: { name: 'ASGD', t0: 100 },
      schedule: {
        name: 'ChainedScheduler',
        schedulers: [{ name: 'LinearLR', start_factor: 0.2, total_iters: 30 }, { name: 'ExponentialLR', gamma: 0.995 }],
      },
      steps: 300,
      noise: { std: 0.5, seed: 12 },
      sweep: { x: axis('optimizer.lr', 1e-3, 0.5, 'log'), y: axis('optimizer.lambd', 0, 2) },
    },
  },
  {
    name: 'Rprop, SWALR cos, six-hump camel (start grid)',
    spec: {
      surface: 'six_hump_camel',
      optimizer: { name: 'Rprop', lr: 0.05 },
      schedule: { name: 'SWALR', swa_lr: 0.01, anneal_epochs: 50 },
      steps: 300,
      sweep: { x: axis('start.0', -3, 3), y: axis('start.1', -2, 2) },
    },
  },
  {
    name: 'Adafactor, ChainedScheduler CosineAnnealingLR x StepLR, Beale (lr x beta2_decay: per-run pow)',
    spec: {
      surface: 'beale',
      optimizer: { name: 'Adafactor', weight_decay: 0.01 },
      schedule: {
        name: 'ChainedScheduler',
        schedulers: [{ name: 'CosineAnnealingLR', T_max: 300 }, { name: 'StepLR', step_size: 100, gamma: 0.5 }],
      },
      start: [1, 1],
      steps: 300,
      sweep: { x: axis('optimizer.lr', 1e-3, 1, 'log'), y: axis('optimizer.beta2_decay', -1, -0.3) },
    },
  },
  {
    name: 'LARS nesterov with weight decay, PolynomialLR, logistic regression with minibatches (lr x momentum)',
    spec: {
      surface: 'logistic',
      optimizer: { name: 'LARS', weight_decay: 0.01, nesterov: true, momentum: 0.9, trust_coeff: 0.01 },
      schedule: { name: 'PolynomialLR', total_iters: 300, power: 2 },
      steps: 300,
      noise: { std: 0, seed: 13 },
      sweep: { x: axis('optimizer.lr', 0.1, 10, 'log'), y: axis('optimizer.momentum', 0.1, 0.95) },
    },
  },
  {
    name: 'LAMB caution, WSD linear, Goldstein-Price (start grid)',
    spec: {
      surface: 'goldstein_price',
      optimizer: { name: 'LAMB', lr: 0.02, caution: true },
      schedule: { name: 'WSD', warmup_steps: 10, warmup_start_factor: 0.1, stable_steps: 150, decay_steps: 140, decay_shape: 'linear' },
      steps: 300,
      sweep: { x: axis('start.0', -2, 2), y: axis('start.1', -2, 2) },
    },
  },
  {
    name: 'Lion, OneCycleLR driving beta1, Himmelblau (start grid)',
    spec: {
      surface: 'himmelblau',
      optimizer: { name: 'Lion', weight_decay: 0.01 },
      schedule: { name: 'OneCycleLR', max_lr: 0.05, total_steps: 300 },
      steps: 300,
      sweep: startGrid(-5, 5),
    },
  },
  {
    name: 'SGD momentum, SWALR linear with swa_lr swept, Rastrigin, noise (per-run schedule)',
    spec: {
      surface: 'rastrigin',
      optimizer: { name: 'SGD', lr: 0.005, momentum: 0.9 },
      schedule: { name: 'SWALR', swa_lr: 0.001, anneal_epochs: 100, anneal_strategy: 'linear' },
      start: [2.2, -1.7],
      steps: 300,
      noise: { std: 0.3, seed: 14 },
      sweep: { x: axis('schedule.swa_lr', 1e-4, 0.01, 'log'), y: axis('optimizer.momentum', 0, 0.9) },
    },
  },
  {
    name: 'Adam, ChainedScheduler ConstantLR x PolynomialLR x MultiStepLR with a child swept, Ackley (per-run fold)',
    spec: {
      surface: 'ackley',
      optimizer: { name: 'Adam', lr: 0.05 },
      schedule: {
        name: 'ChainedScheduler',
        schedulers: [
          { name: 'ConstantLR', factor: 0.5, total_iters: 20 },
          { name: 'PolynomialLR', total_iters: 250, power: 1.5 },
          { name: 'MultiStepLR', milestones: [100, 200], gamma: 0.5 },
        ],
      },
      start: [1.5, 1.5],
      steps: 300,
      sweep: { x: axis('optimizer.lr', 1e-3, 0.5, 'log'), y: axis('schedule.schedulers.1.power', 0.3, 3) },
    },
  },
  {
    name: 'RMSprop, WSD with decay_steps and min_lr_ratio swept, flat vs sharp, noise (per-run schedule)',
    spec: {
      surface: 'flat_sharp',
      optimizer: { name: 'RMSprop', lr: 0.01 },
      schedule: { name: 'WSD', warmup_steps: 20, stable_steps: 100 },
      start: [-1, 1],
      steps: 300,
      noise: { std: 0.3, seed: 15 },
      sweep: { x: axis('schedule.decay_steps', 1, 180), y: axis('schedule.min_lr_ratio', 0, 1) },
    },
  },
  {
    name: 'NAdam, SequentialLR LinearLR then PolynomialLR with power swept, Booth (per-run schedule)',
    spec: {
      surface: 'booth',
      optimizer: { name: 'NAdam', lr: 0.05 },
      schedule: {
        name: 'SequentialLR',
        milestones: [30],
        schedulers: [{ name: 'LinearLR', start_factor: 0.1, total_iters: 30 }, { name: 'PolynomialLR', total_iters: 270, power: 1 }],
      },
      steps: 300,
      sweep: { x: axis('optimizer.lr', 1e-3, 1, 'log'), y: axis('schedule.schedulers.1.power', 0.2, 4) },
    },
  },
  {
    name: 'SGDScheduleFree warmup, Himmelblau, noise (lr x r: per-run step scalars)',
    spec: {
      surface: 'himmelblau',
      optimizer: { name: 'SGDScheduleFree', warmup_steps: 20, weight_decay: 0.001 },
      start: [0.5, -0.5],
      steps: 300,
      noise: { std: 0.3, seed: 16 },
      sweep: { x: axis('optimizer.lr', 1e-3, 0.03, 'log'), y: axis('optimizer.r', 0, 2) },
    },
  },
  {
    name: 'SGDScheduleFree, OneCycleLR driving momentum, six-hump camel (start grid)',
    spec: {
      surface: 'six_hump_camel',
      optimizer: { name: 'SGDScheduleFree', lr: 0.02 },
      schedule: { name: 'OneCycleLR', max_lr: 0.05, total_steps: 300 },
      steps: 300,
      sweep: { x: axis('start.0', -3, 3), y: axis('start.1', -2, 2) },
    },
  },
  {
    name: 'AdamWScheduleFree weight decay, CosineAnnealingLR, Rosenbrock (lr x beta2: per-run step scalars)',
    spec: {
      surface: 'rosenbrock',
      optimizer: { name: 'AdamWScheduleFree', weight_decay: 0.01, warmup_steps: 10 },
      schedule: { name: 'CosineAnnealingLR', T_max: 400 },
      steps: 400,
      sweep: { x: axis('optimizer.lr', 1e-3, 0.1, 'log'), y: axis('optimizer.betas.1', 0.9, 0.999) },
    },
  },
  {
    name: 'AdamWScheduleFree, Beale, noise (warmup_steps x weight_lr_power)',
    spec: {
      surface: 'beale',
      optimizer: { name: 'AdamWScheduleFree', lr: 0.02, r: 0.5 },
      start: [1, 1],
      steps: 300,
      noise: { std: 0.2, seed: 17 },
      sweep: { x: axis('optimizer.warmup_steps', 0, 100), y: axis('optimizer.weight_lr_power', 0, 4) },
    },
  },

];

/** Names of the registry entries a row's spec uses: its surface, its optimiser, its schedules (children included). */
export function entriesOf(row: AgreementRow): { surface: string; optimizer: string; schedules: string[] } {
  const s = row.spec as { surface: string | { name: string }; optimizer: { name: string }; schedule?: Sched };
  const schedules: string[] = [];
  const walk = (x: Sched): void => {
    schedules.push(x.name);
    x.schedulers?.forEach(walk);
  };
  if (s.schedule) walk(s.schedule);
  return { surface: typeof s.surface === 'string' ? s.surface : s.surface.name, optimizer: s.optimizer.name, schedules };
}

interface Sched {
  readonly name: string;
  readonly schedulers?: readonly Sched[];
}

export interface RowReports {
  readonly gpuCpu: PairReport;
  readonly cpuCpu64: PairReport;
}

export async function agreementRow(p: Plan, gpu: Engine, cpu: Engine, cpu64: Engine): Promise<RowReports> {
  const { report } = await validatePlan(p, [gpu, cpu, cpu64]);
  const pair = (a: string, b: string): PairReport => {
    const r = report.pairs.find((x) => x.a === a && x.b === b);
    if (!r) throw new Error(`validatePlan reported no ${a} vs ${b} pair`);
    return r;
  };
  return { gpuCpu: pair('gpu', 'cpu'), cpuCpu64: pair('cpu', 'cpu64') };
}

/** One line of the matrix's report (printed with BASINLAB_REPORT=1). */
export function agreementLine(name: string, r: RowReports): string {
  const { gpuCpu: g, cpuCpu64: c } = r;
  return (
    `${name}: same ${(100 * g.sameOutcome).toFixed(2)}% (off boundary ${(100 * g.sameOutcomeOffBoundary).toFixed(2)}%), ` +
    `identical ${(100 * g.position.identical).toFixed(1)}%, max err ${g.position.max.toExponential(1)}, ` +
    `${g.boundaryRuns} boundary / ${g.illConditionedRuns} ill-conditioned runs; ` +
    `cpu vs cpu64 same ${(100 * c.sameOutcome).toFixed(2)}%, max err ${c.position.max.toExponential(1)}`
  );
}
