/**
 * GPU-vs-CPU agreement matrix: every optimiser, a representative set of schedules, several
 * surfaces, with and without noise; a parameterised table (each optimiser and schedule appears at
 * least twice, with a control row first), not a blind cartesian product. The GPU runs in Node on
 * whatever adapter Dawn finds (SwiftShader in CI); no adapter fails the test. The thresholds are
 * derived in docs/validation.md.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VALIDATION_THRESHOLDS, type PairReport } from '../../src/core/validate.ts';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';
import { acquireNodeGpu } from '../../src/engine/gpu/device-node.ts';
import { GpuEngine } from '../../src/engine/gpu/engine.ts';
import { nodeShaderSources } from '../../src/engine/gpu/shader-sources-node.ts';
import { agreementLine, agreementRow } from './agreement-rows.ts';
import { plan } from './engines.ts';

interface Row {
  readonly name: string;
  readonly spec: Record<string, unknown>;
  /** Expect the two float32 engines to agree bit for bit (only +, -, *, /, sqrt involved). */
  readonly identical?: boolean;
}

const lrMom = (lo: number, hi: number, param = 'optimizer.momentum', mlo = 0, mhi = 0.95) => ({
  x: { param: 'optimizer.lr', min: lo, max: hi, count: 24, scale: 'log' },
  y: { param, min: mlo, max: mhi, count: 24 },
});
const startGrid = (lo: number, hi: number) => ({
  x: { param: 'start.0', min: lo, max: hi, count: 24 },
  y: { param: 'start.1', min: lo, max: hi, count: 24 },
});

const ROWS: readonly Row[] = [
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
    name: 'SGD, per-run SequentialLR (LR swept): ConstantLR, OneCycleLR, CosineAnnealingLR, quadratic',
    spec: {
      surface: 'quadratic',
      optimizer: { name: 'SGD', momentum: 0.5 },
      schedule: {
        name: 'SequentialLR',
        milestones: [40, 160],
        schedulers: [
          { name: 'ConstantLR', factor: 0.5, total_iters: 20 },
          { name: 'OneCycleLR', max_lr: 0.08, total_steps: 120, cycle_momentum: false },
          { name: 'CosineAnnealingLR', T_max: 140, eta_min: 0.001 },
        ],
      },
      steps: 300,
      sweep: lrMom(1e-3, 0.3, 'optimizer.momentum', 0, 0.9),
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
    name: 'RAdam, LinearLR, Goldstein-Price',
    spec: {
      surface: 'goldstein_price',
      optimizer: { name: 'RAdam', lr: 0.01 },
      schedule: { name: 'LinearLR', start_factor: 1, end_factor: 0.1, total_iters: 300 },
      steps: 300,
      sweep: { x: { param: 'start.0', min: -2, max: 2, count: 24 }, y: { param: 'start.1', min: -2, max: 2, count: 24 } },
    },
  },
  {
    name: 'RAdam decoupled decay, constant LR, Rastrigin, noise',
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
];

let gpu: GpuEngine;
const cpu = new CpuEngine('cpu', { workers: 0, spawn: null });
const cpu64 = new CpuEngine('cpu64', { workers: 0, spawn: null });
const reports: { row: Row; gpuCpu: PairReport; cpuCpu64: PairReport }[] = [];

beforeAll(async () => {
  gpu = new GpuEngine(await acquireNodeGpu('agreement matrix'), nodeShaderSources);
});
afterAll(async () => {
  await gpu.dispose();
});

describe('GPU agrees with the float32 CPU twin', () => {
  for (const row of ROWS) {
    it(row.name, async () => {
      const { gpuCpu, cpuCpu64 } = await agreementRow(plan(row.spec), gpu, cpu, cpu64);
      reports.push({ row, gpuCpu, cpuCpu64 });
      expect(gpu.gpu.takeUncapturedErrors()).toEqual([]);
      expect(gpuCpu.sameOutcomeOffBoundary, JSON.stringify(gpuCpu.worst.slice(0, 3))).toBeGreaterThanOrEqual(0.99);
      expect(gpuCpu.position.max, JSON.stringify(gpuCpu.worst.slice(0, 3))).toBeLessThanOrEqual(VALIDATION_THRESHOLDS.maxPositionError);
      if (row.identical) {
        expect(gpuCpu.mismatches).toBe(0);
        expect(gpuCpu.position.identical).toBe(1);
      }
    });
  }

  it(`the same minimum on at least ${VALIDATION_THRESHOLDS.minSameOutcome * 100}% of all runs`, () => {
    expect(reports.length).toBe(ROWS.length);
    let same = 0;
    let runs = 0;
    for (const r of reports) {
      same += r.gpuCpu.sameOutcome * r.gpuCpu.runs;
      runs += r.gpuCpu.runs;
    }
    const lines = reports.map((r) => agreementLine(r.row.name, r));
    if (process.env.BASINLAB_REPORT) console.log(lines.join('\n'));
    expect(same / runs, lines.join('\n')).toBeGreaterThanOrEqual(VALIDATION_THRESHOLDS.minSameOutcome);
  });
});
