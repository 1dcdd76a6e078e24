/**
 * GPU-vs-CPU agreement for the catalogue entries (docs/catalogue.md): a row per new optimiser
 * (Adadelta, Adamax, ASGD, Rprop, Adafactor, LARS, LAMB, Lion; two each for SGDScheduleFree and
 * AdamWScheduleFree, whose gradient is taken at y, state pair 1) and per new schedule (PolynomialLR,
 * ChainedScheduler, SWALR, WSD), on varied surfaces, some with gradient noise, with the helpers and
 * thresholds of tests/engine/agreement.test.ts (derived in docs/validation.md). Sweeps are chosen so
 * that the per-run paths run too: a swept beta1 or beta2_decay makes the shader compute the step
 * scalars per run, a swept schedule parameter makes it evaluate the schedule (ChainedScheduler's
 * fold over its children included) per run instead of reading the shared tables.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VALIDATION_THRESHOLDS, type PairReport } from '../../src/core/validate.ts';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';
import { acquireNodeGpu } from '../../src/engine/gpu/device-node.ts';
import { GpuEngine } from '../../src/engine/gpu/engine.ts';
import { nodeShaderSources } from '../../src/engine/gpu/shader-sources-node.ts';
import { agreementLine, agreementRow } from './agreement-rows.ts';
import { plan } from './engines.ts';

/** Same outcome off the basin boundaries, per row. */
const MIN_SAME_OUTCOME_OFF_BOUNDARY = 0.99;

interface Row {
  readonly name: string;
  readonly spec: Record<string, unknown>;
}

const axis = (param: string, min: number, max: number, scale?: 'log') => ({ param, min, max, count: 24, ...(scale ? { scale } : {}) });
const startGrid = (lo: number, hi: number) => ({ x: axis('start.0', lo, hi), y: axis('start.1', lo, hi) });

const ROWS: readonly Row[] = [
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

let gpu: GpuEngine;
const cpu = new CpuEngine('cpu', { workers: 0, spawn: null });
const cpu64 = new CpuEngine('cpu64', { workers: 0, spawn: null });
const reports: { row: Row; gpuCpu: PairReport; cpuCpu64: PairReport }[] = [];

beforeAll(async () => {
  gpu = new GpuEngine(await acquireNodeGpu('catalogue agreement matrix'), nodeShaderSources);
});
afterAll(async () => {
  await gpu.dispose();
});

describe('catalogue: GPU agrees with the float32 CPU twin', () => {
  it('covers every catalogue optimiser and schedule', () => {
    const text = JSON.stringify(ROWS.map((r) => r.spec));
    for (const id of ['Adadelta', 'Adamax', 'ASGD', 'Rprop', 'Adafactor', 'LARS', 'LAMB', 'Lion', 'SGDScheduleFree', 'AdamWScheduleFree']) {
      expect(text, id).toContain(`"optimizer":{"name":"${id}"`);
    }
    for (const id of ['PolynomialLR', 'ChainedScheduler', 'SWALR', 'WSD']) expect(text, id).toContain(`"name":"${id}"`);
  });

  for (const row of ROWS) {
    it(row.name, async () => {
      const { gpuCpu, cpuCpu64 } = await agreementRow(plan(row.spec), gpu, cpu, cpu64);
      reports.push({ row, gpuCpu, cpuCpu64 });
      expect(gpu.gpu.takeUncapturedErrors()).toEqual([]);
      expect(gpuCpu.sameOutcomeOffBoundary, JSON.stringify(gpuCpu.worst.slice(0, 3))).toBeGreaterThanOrEqual(MIN_SAME_OUTCOME_OFF_BOUNDARY);
      expect(gpuCpu.position.max, JSON.stringify(gpuCpu.worst.slice(0, 3))).toBeLessThanOrEqual(VALIDATION_THRESHOLDS.maxPositionError);
      // The comparison had something to compare: most runs are well-conditioned and off the boundary.
      expect(gpuCpu.position.runs, 'well-conditioned runs compared').toBeGreaterThan(gpuCpu.runs / 4);
    });
  }

  it('report', () => {
    expect(reports.length).toBe(ROWS.length);
    const lines = reports.map((r) => agreementLine(r.row.name, r));
    if (process.env.BASINLAB_REPORT) console.log(lines.join('\n'));
  });
});
