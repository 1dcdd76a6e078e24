/**
 * The GPU engine's network runs (shaders/kernels/net_step.wgsl, src/engine/gpu/net.ts) against the
 * CPU engines: the minibatch rows bit for bit, then whole sweeps through the validation model of the
 * cpu vs cpu64 pair (engine/validation.ts validateNetPlan, NET_VALIDATION_THRESHOLDS): the GPU must
 * meet the same thresholds against cpu64 and against its float32 twin. Bit-identity is not expected
 * (the GPU's tanh, exp and log are not JavaScript's). Sizes are small: SwiftShader on two cores.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeNetPlan, prepareSpec } from '../../src/core/network/plan.ts';
import type { NetPlan } from '../../src/core/network/plan.ts';
import { NETWORK_PARAMS } from '../../src/core/network/schema.ts';
import type { ParamSchema } from '../../src/core/params.ts';
import { OPTIMIZERS } from '../../src/core/registry/index.ts';
import type { NetSpec } from '../../src/core/spec.ts';
import { parseNetSpec } from '../../src/core/spec.ts';
import { netPairPasses } from '../../src/core/validate.ts';
import type { NetPairReport } from '../../src/core/validate.ts';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';
import { minibatchRows } from '../../src/engine/cpu/network.ts';
import { CancelledError, GpuRunError } from '../../src/core/errors.ts';
import { GpuEngine } from '../../src/engine/gpu/engine.ts';
import { nodeShaderSources } from '../../src/engine/gpu/shader-sources-node.ts';
import { validateNetPlan } from '../../src/engine/validation.ts';
import { netGpuUnsupported, netTensorRule, weightDifference } from '../../src/engine/gpu/net.ts';
import { GpuFixture } from './fixture.ts';

let fx: GpuFixture;
let gpu: GpuEngine;
const cpu = new CpuEngine('cpu', { workers: 0, spawn: null });
const cpu64 = new CpuEngine('cpu64', { workers: 0, spawn: null });
beforeAll(async () => {
  fx = await GpuFixture.acquire();
  // The engine shares the fixture's device: the fixture's uncaptured-error check covers its work.
  gpu = new GpuEngine(fx.gpu, nodeShaderSources, { targetSubmitMs: 200 });
});
afterEach(() => fx.release());
afterAll(() => fx.dispose());

const ROWS_KERNEL = `${nodeShaderSources('lib/rng.wgsl')}
${nodeShaderSources('lib/minibatch.wgsl')}
@group(0) @binding(0) var<storage, read_write> rows: array<u32>;
override SEED: u32 = 0u;
override BATCH: u32 = 1u;
override N: u32 = 1u;
override STEPS: u32 = 1u;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  let run = i / STEPS;
  let k = i % STEPS;
  if (run >= 64u) { return; }
  var words = vec4u(0u);
  for (var b = 0u; b < BATCH; b++) {
    if ((b & 3u) == 0u) { words = minibatch_words(SEED, run, k, b); }
    rows[i * BATCH + b] = minibatch_row(words, b, N);
  }
}`;

describe('minibatch rows on the GPU', () => {
  it('are bit-identical to minibatchRows (engine/cpu/network.ts) for every run, step and row', async () => {
    const runs = 64;
    const steps = 50;
    const batch = 23;
    const n = 120;
    const seed = 987654321;
    await fx.scoped(async () => {
      const buf = fx.buffer('rows', runs * steps * batch * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
      await fx.dispatch(ROWS_KERNEL, [buf], runs * steps, { SEED: seed, BATCH: batch, N: n, STEPS: steps });
      const got = new Uint32Array(await fx.read(buf, runs * steps * batch * 4));
      const want = new Int32Array(batch);
      let mismatched = 0;
      for (let run = 0; run < runs; run++) {
        for (let k = 0; k < steps; k++) {
          minibatchRows(seed, run, k, batch, n, want);
          for (let b = 0; b < batch; b++) if (got[(run * steps + k) * batch + b] !== want[b]) mismatched++;
        }
      }
      expect(mismatched).toBe(0);
      // Not all one row: the test would pass for a constant generator otherwise.
      expect(new Set(got).size).toBeGreaterThan(n / 2);
    });
  });
});

async function planOf(json: unknown): Promise<NetPlan> {
  const spec = parseNetSpec(json) as NetSpec;
  await prepareSpec(spec);
  return makeNetPlan(spec);
}

/** Validates a plan on gpu, cpu and cpu64; returns the gpu pairs (after checking they pass). */
async function agree(plan: NetPlan): Promise<{ vsCpu: NetPairReport; vs64: NetPairReport }> {
  const run = await fx.scoped(() => validateNetPlan(plan, [gpu, cpu, cpu64]));
  const pair = (a: string, b: string): NetPairReport => {
    const p = run.report.pairs.find((x) => x.a === a && x.b === b);
    if (!p) throw new Error(`no ${a} vs ${b} pair`);
    return p;
  };
  const vsCpu = pair('gpu', 'cpu');
  const vs64 = pair('gpu', 'cpu64');
  const show = (p: NetPairReport): string =>
    `divergence off boundary ${p.sameDivergenceOffBoundary}, conditioned runs ${p.conditioned.runs}, median train/test ${p.conditioned.trainLoss.median.toExponential(1)}/${p.conditioned.testLoss.median.toExponential(1)}`;
  expect(netPairPasses(vsCpu), `gpu vs cpu: ${show(vsCpu)}`).toBe(true);
  expect(netPairPasses(vs64), `gpu vs cpu64: ${show(vs64)}`).toBe(true);
  // The comparison must have had runs to compare.
  expect(vs64.conditioned.runs).toBeGreaterThan(0);
  return { vsCpu, vs64 };
}

const IRIS = (optimizer: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  network: { hidden: [8], batch_size: 16, sharpness_iterations: 0 },
  data: { name: 'iris', train: 120, test: 30 },
  optimizer,
  steps: 30,
  ...extra,
});

describe('GPU network runs agree with cpu and cpu64', () => {
  it('fractal setting (mean field, no bias, full batch, per-layer LRs), small', async () => {
    const plan = await planOf({
      network: { hidden: [16], bias: false, parametrization: 'mean_field', sharpness_iterations: 0 },
      data: { name: 'fractal' },
      optimizer: { name: 'SGD', lr: 100, param_groups: [{ params: ['layers.0'], lr: 100 }] },
      steps: 60,
      sweep: {
        x: { param: 'optimizer.param_groups.0.lr', min: 1, max: 1e5, count: 5, scale: 'log' },
        y: { param: 'optimizer.lr', min: 20, max: 600, count: 5, scale: 'log' },
      },
    });
    const { vs64 } = await agree(plan);
    // The sweep crosses the trainability boundary: both verdicts occur.
    expect(vs64.divergedB).toBeGreaterThan(0);
    expect(vs64.divergedB).toBeLessThan(1);
  });

  it('Iris with minibatches: SGD with momentum over LR x batch size (the batch is swept per run)', async () => {
    const plan = await planOf(
      IRIS({ name: 'SGD', lr: 0.1, momentum: 0.9 }, {
        sweep: {
          x: { param: 'optimizer.lr', min: 0.01, max: 1, count: 3, scale: 'log' },
          y: { param: 'network.batch_size', min: 1, max: 64, count: 3, scale: 'log' },
        },
      }),
    );
    const { vsCpu } = await agree(plan);
    expect(vsCpu.accuracy?.same).toBeGreaterThanOrEqual(0.99);
  });

  it('a schedule: CosineAnnealingLR from the shared table, and evaluated per run when the LR is swept', async () => {
    const plan = await planOf(
      IRIS({ name: 'SGD', lr: 0.1, momentum: 0.5 }, {
        schedule: { name: 'CosineAnnealingLR', T_max: 20 },
        sweep: { x: { param: 'optimizer.lr', min: 0.01, max: 1, count: 4, scale: 'log' } },
      }),
    );
    expect(plan.groups.every((g) => !g.scheduleShared)).toBe(true);
    await agree(plan);
    const shared = await planOf(
      IRIS({ name: 'Adam', lr: 0.01 }, {
        schedule: { name: 'OneCycleLR', max_lr: 0.05, total_steps: 30 },
        sweep: { x: { param: 'optimizer.weight_decay', min: 0, max: 0.1, count: 3 } },
      }),
    );
    expect(shared.groups.every((g) => g.scheduleShared)).toBe(true);
    await agree(shared);
  });

  it('SequentialLR with children cycling the momentum, evaluated per run (a bound swept) and from the shared table', async () => {
    const schedule = {
      name: 'SequentialLR',
      milestones: [6, 14, 20],
      schedulers: [
        { name: 'LinearLR', start_factor: 0.2, total_iters: 6 },
        { name: 'CyclicLR', base_lr: 0.01, max_lr: 0.1, step_size_up: 3, base_momentum: 0.6, max_momentum: 0.85 },
        { name: 'ConstantLR', factor: 0.5, total_iters: 4 },
        { name: 'OneCycleLR', max_lr: 0.1, total_steps: 10 },
      ],
    };
    const perRun = await planOf(IRIS({ name: 'SGD', lr: 0.1, momentum: 0.5 }, { schedule, sweep: { x: { param: 'schedule.schedulers.3.max_momentum', min: 0.8, max: 0.97, count: 4 } } }));
    expect(perRun.cyclesMomentum).toBe(true);
    expect(perRun.groups.every((g) => !g.scheduleShared)).toBe(true);
    await agree(perRun);
    const shared = await planOf(IRIS({ name: 'SGD', lr: 0.1, momentum: 0.5 }, { schedule, sweep: { x: { param: 'optimizer.weight_decay', min: 0, max: 0.1, count: 3 } } }));
    expect(shared.groups.every((g) => g.scheduleShared)).toBe(true);
    await agree(shared);
  });

  it('ReduceLROnPlateau: each group\'s LR follows the run\'s own minibatch loss', async () => {
    const plan = await planOf(
      IRIS({ name: 'SGD', lr: 0.2, param_groups: [{ params: ['layers.1'], lr: 0.1 }] }, {
        steps: 40,
        schedule: { name: 'ReduceLROnPlateau', patience: 1, factor: 0.5 },
        sweep: { x: { param: 'optimizer.lr', min: 0.05, max: 0.5, count: 3, scale: 'log' } },
      }),
    );
    await agree(plan);
    // The schedule acted: without it the same runs end elsewhere.
    const constant = await planOf(IRIS({ name: 'SGD', lr: 0.2, param_groups: [{ params: ['layers.1'], lr: 0.1 }] }, { steps: 40, sweep: { x: { param: 'optimizer.lr', min: 0.05, max: 0.5, count: 3, scale: 'log' } } }));
    const [a, b] = [await fx.scoped(() => gpu.run(plan)), await fx.scoped(() => gpu.run(constant))];
    expect(Array.from(a.train_loss)).not.toEqual(Array.from(b.train_loss));
  });

  it('SAM, SWA and two parameter groups', async () => {
    const plan = await planOf(
      IRIS({ name: 'SGD', lr: 0.05, momentum: 0.9, param_groups: [{ params: ['layers.1'], lr: 0.02, weight_decay: 0.01 }] }, {
        sam: { rho: 0.05 },
        swa: { start: 10, every: 2 },
        sweep: { x: { param: 'optimizer.param_groups.0.lr', min: 0.005, max: 0.2, count: 3, scale: 'log' } },
      }),
    );
    const { vsCpu } = await agree(plan);
    const res = await gpu.run(plan);
    // SWA's columns are filled, finite for runs that did not diverge.
    expect(res.swa_test_loss && Number.isFinite(res.swa_test_loss[0] as number)).toBe(true);
    expect(vsCpu.runs).toBe(3);
  });

  it('are bit-identical to the float32 twin in every column, the convergence measure included, where nothing is transcendental (identity MLP, Schedule-Free, SAM, SWA)', async () => {
    const plan = await planOf({
      network: { hidden: [6, 5], activation: 'identity', batch_size: 7, sharpness_iterations: 5 },
      data: { name: 'regression', train: 40, test: 10 },
      optimizer: { name: 'SGDScheduleFree', lr: 0.01, momentum: 0.9, weight_decay: 0.01, param_groups: [{ params: ['layers.0'], lr: 0.02 }] },
      sam: { rho: 0.05 },
      swa: { start: 10, every: 2 },
      steps: 30,
      sweep: { x: { param: 'optimizer.lr', min: 0.001, max: 0.05, count: 3 }, y: { param: 'network.batch_size', min: 1, max: 40, count: 3 } },
    });
    const [g, c] = [await fx.scoped(() => gpu.run(plan)), await cpu.run(plan)];
    // Review 12: the twin summed the measure in float64, an ulp off the kernel's float32 Kahan sums.
    for (const k of ['convergence', 'train_loss', 'test_loss', 'swa_train_loss', 'sharpness', 'steps_to_threshold'] as const) {
      expect(Array.from(g[k] ?? []), k).toEqual(Array.from(c[k] ?? []));
    }
  });

  it("SWA of a run that diverged before swa.start is its initial weights' (torch's AveragedModel holds them until its first average), on every engine", async () => {
    const plan = await planOf({
      network: { hidden: [4], sharpness_iterations: 0 },
      data: { name: 'regression', train: 30, test: 9 },
      optimizer: { name: 'SGD', lr: 5 },
      steps: 50,
      swa: { start: 40 },
      outcome: { check_every: 1 },
    });
    for (const e of [cpu64, cpu, gpu]) {
      const res = await fx.scoped(() => e.run(plan));
      expect(res.diverged[0], e.name).toBe(1);
      // The same weights, evaluated the same way, on the same engine: the same loss (review 12: it was the loss of all weights 0).
      expect(res.swa_train_loss?.[0], e.name).toBe(res.initial_loss[0]);
    }
  });

  // Adam with eps = 0 makes a weight whose gradient is exactly 0 a NaN (0/0): behind a relu, a dead
  // unit's (review 20); behind a tanh, a weight from digits 8x8's corner pixels, 0 in every image
  // (review 24: the kernel's clamp turned the NaN into -1, and the run trained on the GPU alone).
  const NAN_CASES: readonly (readonly [string, Record<string, unknown>, Record<string, unknown>])[] = [
    ['relu', { hidden: [4, 4], activation: 'relu', init_seed: 1 }, { name: 'fractal', inputs: 2 }],
    ['tanh', { hidden: [4], activation: 'tanh', batch_size: 16 }, { name: 'digits8', train: 64, test: 16 }],
  ];
  for (const [activation, network, data] of NAN_CASES) {
    it(`a NaN weight behind a ${activation} diverges the run on every engine, as torch gives NaN`, async () => {
      const plan = await planOf({ network: { ...network, sharpness_iterations: 0 }, data, optimizer: { name: 'Adam', lr: 0.01, eps: 0 }, steps: 3, outcome: { check_every: 1 } });
      for (const e of [cpu64, cpu, gpu]) {
        const res = await fx.scoped(() => e.run(plan));
        expect(res.diverged[0], e.name).toBe(1);
        expect(res.train_loss[0], e.name).toBeNaN();
      }
    });
  }

  // Every activation of the schema's enum (review 25, F9: a hand list would not require a new one on the GPU).
  const activationParam = (NETWORK_PARAMS as readonly ParamSchema[]).find((p) => p.key === 'activation');
  const ACTIVATIONS = activationParam?.kind === 'enum' ? activationParam.values : [];
  it('the activations below are the schema enum, and there are some', () => {
    expect(activationParam?.kind).toBe('enum');
    expect(ACTIVATIONS.length).toBeGreaterThan(1);
  });
  for (const activation of ACTIVATIONS) {
    it(`${activation} hidden layers with biases, MSE on regression data`, async () => {
      const plan = await planOf({
        network: { hidden: [6], activation, bias: true, batch_size: 16, loss: 'mse', sharpness_iterations: 0 },
        data: { name: 'regression', train: 64, test: 32 },
        optimizer: { name: 'SGD', lr: 0.01, momentum: 0.9 },
        steps: 30,
        sweep: { x: { param: 'optimizer.lr', min: 0.003, max: 0.1, count: 3, scale: 'log' } },
      });
      expect(plan.loss).toBe('mse');
      await agree(plan);
    });
  }

  // Sharpness on the GPU (the kernel's `sharpness` entry point: R-op Hessian-vector products in
  // float32) against the CPU's float32 twin and float64: the same iterations, lambda to 1e-5
  // relative of the twin (1e-3 of float64, where power iteration's own stopping rule decides).
  const SHARP: Record<string, Record<string, unknown>> = {
    'cross-entropy, tanh, biases (Iris)': {
      ...IRIS({ name: 'SGD', lr: 0.05 }, { sweep: { x: { param: 'optimizer.lr', min: 0.01, max: 0.1, count: 3 } } }),
      network: { hidden: [8], batch_size: 16, sharpness_iterations: 20 },
    },
    'MSE, mean field, no bias (fractal), a diverging run among them': {
      network: { hidden: [16], bias: false, parametrization: 'mean_field', sharpness_iterations: 30 },
      data: { name: 'fractal' },
      optimizer: { name: 'SGD', lr: 100 },
      steps: 20,
      sweep: { x: { param: 'optimizer.lr', min: 1, max: 300, count: 3, scale: 'log' } },
    },
    'MSE, gelu, biases (regression)': {
      network: { hidden: [6], activation: 'gelu', bias: true, batch_size: 16, loss: 'mse', sharpness_iterations: 25 },
      data: { name: 'regression', train: 64, test: 32 },
      optimizer: { name: 'SGD', lr: 0.01 },
      steps: 20,
      sweep: { x: { param: 'optimizer.lr', min: 0.003, max: 0.03, count: 2 } },
    },
  };
  for (const [name, json] of Object.entries(SHARP)) {
    it(`sharpness on the GPU matches the CPU twin and float64: ${name}`, async () => {
      const plan = await planOf(json);
      const [g, c, c64] = [await fx.scoped(() => gpu.run(plan)), await cpu.run(plan), await cpu64.run(plan)];
      expect(g.meta.sharpness).toMatch(/^gpu/);
      let measured = 0;
      for (let i = 0; i < plan.runs; i++) {
        const want = c.sharpness[i] as number;
        expect(g.diverged[i], `run ${i} diverged`).toBe(c.diverged[i]);
        if (c.diverged[i]) {
          expect(Number.isNaN(g.sharpness[i] as number) && g.sharpness_iterations[i] === 0, `run ${i}`).toBe(true);
          continue;
        }
        measured++;
        expect(g.sharpness_iterations[i], `run ${i} iterations`).toBe(c.sharpness_iterations[i]);
        expect(Math.abs((g.sharpness[i] as number) - want), `run ${i}: ${g.sharpness[i]} vs ${want}`).toBeLessThan(1e-5 * Math.abs(want));
        expect(Math.abs((g.sharpness[i] as number) - (c64.sharpness[i] as number))).toBeLessThan(1e-3 * Math.abs(c64.sharpness[i] as number));
        expect(Math.abs((g.sharpness_residual[i] as number) - (c.sharpness_residual[i] as number))).toBeLessThan(1e-3 * Math.max(1e-3, c.sharpness_residual[i] as number));
      }
      expect(measured).toBeGreaterThan(0);
    });
  }

  it('sharpness split over many submits equals sharpness in one', async () => {
    const plan = await planOf(SHARP['cross-entropy, tanh, biases (Iris)']);
    const small = new GpuEngine(fx.gpu, nodeShaderSources, { targetSubmitMs: 5, runStepsPerSubmit: 6 });
    const [a, b] = [await fx.scoped(() => gpu.run(plan)), await fx.scoped(() => small.run(plan))];
    for (const c of ['sharpness', 'sharpness_iterations', 'sharpness_residual'] as const) expect(Array.from(b[c]), c).toEqual(Array.from(a[c]));
  });
});

describe('network trajectories on the GPU', () => {
  /** Largest relative difference between two columns (NaN where both are NaN counts as equal). */
  const rel = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
    expect(a.length).toBe(b.length);
    let m = 0;
    for (let i = 0; i < a.length; i++) {
      const [x, y] = [a[i] as number, b[i] as number];
      if (Number.isNaN(x) && Number.isNaN(y)) continue;
      m = Math.max(m, Math.abs(x - y) / Math.max(1e-30, Math.abs(y)));
    }
    return m;
  };

  it('record what the CPU twin records: the same points, losses, LR, gradient and weight norms (minibatches, a schedule, every 4th step, runs out of order, split submits)', async () => {
    const plan = await planOf(
      IRIS({ name: 'SGD', lr: 0.1, momentum: 0.9 }, {
        schedule: { name: 'CosineAnnealingLR', T_max: 20 },
        sweep: { x: { param: 'optimizer.lr', min: 0.01, max: 1, count: 4, scale: 'log' } },
      }),
    );
    const small = new GpuEngine(fx.gpu, nodeShaderSources, { targetSubmitMs: 5, runStepsPerSubmit: 8 });
    const runs = [3, 0, 2];
    const got = await fx.scoped(() => small.trajectories(plan, { runs, every: 4 }));
    const want = await cpu.trajectories(plan, { runs, every: 4 });
    expect(got.map((t) => t.run)).toEqual(runs);
    got.forEach((g, i) => {
      const c = want[i]!;
      expect(Array.from(g.steps)).toEqual(Array.from(c.steps));
      expect(g.diverged).toBe(c.diverged);
      expect(rel(g.trainLoss, c.trainLoss), 'train loss').toBeLessThan(1e-4);
      expect(rel(g.testLoss, c.testLoss), 'test loss').toBeLessThan(1e-4);
      expect(rel(g.lr, c.lr), 'lr').toBeLessThan(1e-6);
      expect(rel(g.gradNorm, c.gradNorm), 'grad norm').toBeLessThan(1e-3);
      expect(rel(g.paramNorm, c.paramNorm), 'param norm').toBeLessThan(1e-4);
    });
    // The schedule moved the LR along the path (a constant column would pass a broken LR too).
    expect(new Set(Array.from(got[0]!.lr)).size).toBeGreaterThan(3);
  });

  it('record runs past index 65,535, whose indices cross the kernel as two exact floats (review 24: they were u32 bits in a float array)', async () => {
    // 320 x 256 = 81,920 runs, minibatches: a run's rows depend on its index, so a wrong index trains another run.
    const plan = await planOf(
      IRIS({ name: 'SGD', lr: 0.1 }, { sweep: { x: { param: 'optimizer.lr', min: 0.01, max: 1, count: 320, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0, max: 0.9, count: 256 } } }),
    );
    const runs = [81_919, 65_536, 65_535, 3];
    const got = await fx.scoped(() => gpu.trajectories(plan, { runs, every: 5 }));
    const want = await cpu.trajectories(plan, { runs, every: 5 });
    expect(got.map((t) => t.run)).toEqual(runs);
    got.forEach((g, i) => expect(rel(g.trainLoss, want[i]!.trainLoss), `run ${runs[i]}`).toBeLessThan(1e-4));
  });

  it("record every param group's LR as the CPU twin does: a step schedule (swept in one group), ReduceLROnPlateau (each group cut at the same steps), a default group with no tensors, OneCycleLR with per-group lists", async () => {
    const groups = [{ params: ['layers.0'], lr: 0.2 }];
    const plans = [
      await planOf(IRIS({ name: 'SGD', lr: 0.05, momentum: 0.5, param_groups: groups }, { schedule: { name: 'StepLR', step_size: 7, gamma: 0.5 }, sweep: { x: { param: 'optimizer.param_groups.0.lr', min: 0.02, max: 0.2, count: 2, scale: 'log' } } })),
      // A 10% improvement a step counts as better: the LRs are cut often, far from a tie.
      await planOf(IRIS({ name: 'SGD', lr: 0.05, param_groups: groups }, { schedule: { name: 'ReduceLROnPlateau', patience: 1, factor: 0.5, threshold: 0.1 }, sweep: { x: { param: 'optimizer.lr', min: 0.02, max: 0.1, count: 2, scale: 'log' } } })),
      await planOf(IRIS({ name: 'SGD', lr: 0.05, param_groups: [...groups, { params: ['layers.1'], lr: 0.1 }] }, { schedule: { name: 'ExponentialLR', gamma: 0.9 } })),
      // torch's per-group lists: each group's max_lr and momenta in its own parameter vector, from
      // the groups' shared tables and, with a schedule value swept, evaluated per run in the kernel.
      await planOf(IRIS({ name: 'SGD', lr: 0.05, momentum: 0.9, param_groups: [{ params: ['layers.0'] }] }, { schedule: { name: 'OneCycleLR', max_lr: [0.02, 0.2], max_momentum: [0.9, 0.95], total_steps: 40 } })),
      await planOf(
        IRIS({ name: 'SGD', lr: 0.05, momentum: 0.9, param_groups: [{ params: ['layers.0'] }] }, {
          schedule: { name: 'OneCycleLR', max_lr: [0.02, 0.2], base_momentum: [0.8, 0.85], total_steps: 40 },
          sweep: { x: { param: 'schedule.pct_start', min: 0.2, max: 0.4, count: 2 } },
        }),
      ),
      // A per-group min_lr: each group's plateau cuts stop at its own floor.
      await planOf(IRIS({ name: 'SGD', lr: 0.05, param_groups: groups }, { schedule: { name: 'ReduceLROnPlateau', patience: 1, factor: 0.5, threshold: 0.1, min_lr: [0.05, 0.001] } })),
    ];
    const cuts = (c: ArrayLike<number>): number[] => Array.from(c).flatMap((v, i) => (i > 0 && v < (c[i - 1] as number) ? [i] : []));
    for (const [pi, plan] of plans.entries()) {
      const runs = [plan.runs - 1];
      const got = await fx.scoped(() => gpu.trajectories(plan, { runs, every: 3 }));
      const want = await cpu.trajectories(plan, { runs, every: 3 });
      got.forEach((g, i) => {
        const c = want[i]!;
        const label = `plan ${pi}, run ${g.run}`;
        expect(g.groupLr.length, label).toBe(plan.groups.length);
        expect(g.groupLr.at(-1), label).toBe(g.lr);
        g.groupLr.forEach((col, gi) => expect(rel(col, c.groupLr[gi]!), `${label}, group ${gi}`).toBeLessThan(1e-6));
        // The groups are on different LRs, and the schedule moved them.
        expect(g.groupLr[0]![0], label).not.toBe(g.groupLr[1]![0]);
        expect(cuts(g.groupLr[0]!).length, label).toBeGreaterThan(1);
        if (pi === 1) expect(cuts(g.groupLr[0]!), label).toEqual(cuts(g.groupLr[1]!));
      });
    }
    // The last plan's default group trains no tensor; its LR is recorded all the same.
    expect(plans[2]!.groups.at(-1)!.tensors).toEqual([]);
  });

  it('end where the run diverged, at the same checkpoint as the CPU (full batch, fractal setting)', async () => {
    const plan = await planOf({
      network: { hidden: [16], bias: false, parametrization: 'mean_field', sharpness_iterations: 0 },
      data: { name: 'fractal' },
      optimizer: { name: 'SGD', lr: 100 },
      steps: 40,
      sweep: { x: { param: 'optimizer.lr', min: 1, max: 3000, count: 3, scale: 'log' } },
    });
    const got = await fx.scoped(() => gpu.trajectories(plan, { runs: [0, 2] }));
    const want = await cpu.trajectories(plan, { runs: [0, 2] });
    expect(got[1]!.diverged).toBe(true);
    expect(want[1]!.diverged).toBe(true);
    expect(got[1]!.divergedAt).toBe(want[1]!.divergedAt);
    expect(Array.from(got[1]!.steps)).toEqual(Array.from(want[1]!.steps));
    expect(got[0]!.diverged).toBe(false);
    expect(Array.from(got[0]!.steps)).toEqual(Array.from(want[0]!.steps));
    expect(rel(got[0]!.trainLoss, want[0]!.trainLoss)).toBeLessThan(1e-4);
  });
});

describe('GPU network runs: chunks, ranges, progress, cancellation, limits', () => {
  it('split into chunks of 4 runs, or one range of runs, gives the same columns as one chunk', async () => {
    const plan = await planOf(
      IRIS({ name: 'Adam', lr: 0.01 }, {
        sweep: { x: { param: 'optimizer.lr', min: 0.001, max: 0.1, count: 3, scale: 'log' }, y: { param: 'network.batch_size', min: 4, max: 32, count: 3, scale: 'log' } },
      }),
    );
    const whole = await fx.scoped(() => gpu.run(plan));
    const chunked = new GpuEngine(fx.gpu, nodeShaderSources, { maxChunkRuns: 4, targetSubmitMs: 50 });
    expect(chunked.netChunkRuns(plan)).toBe(4);
    const parts = await fx.scoped(() => chunked.run(plan));
    const ranged = await fx.scoped(() => chunked.run(plan, { range: { begin: 2, end: 7 } }));
    for (const c of ['train_loss', 'test_loss', 'test_accuracy', 'diverged', 'convergence', 'initial_loss'] as const) {
      const w = Array.from(whole[c] ?? []);
      expect(Array.from(parts[c] ?? []), c).toEqual(w);
      expect(Array.from(ranged[c] ?? []), c).toEqual(w.slice(2, 7));
    }
  });

  it('reports progress, honours an abort with CancelledError, and runs again afterwards', async () => {
    const plan = await planOf(IRIS({ name: 'SGD', lr: 0.05 }, { steps: 400, sweep: { x: { param: 'optimizer.lr', min: 0.01, max: 0.1, count: 8 } } }));
    // Submits of 20 steps of the 8 runs: progress arrives long before the end.
    const small = new GpuEngine(fx.gpu, nodeShaderSources, { targetSubmitMs: 20, runStepsPerSubmit: 160 });
    const ac = new AbortController();
    const seen: number[] = [];
    const run = small.run(plan, {
      signal: ac.signal,
      onProgress: (p) => {
        seen.push(p.done);
        if (p.done > 0) ac.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(seen.some((d) => d > 0 && d < plan.runs * plan.spec.steps)).toBe(true);
    const again = await fx.scoped(() => small.run(plan, { onProgress: (p) => seen.push(p.done) }));
    expect(seen[seen.length - 1]).toBe(plan.runs * plan.spec.steps);
    expect(Number.isFinite(again.train_loss[0] as number)).toBe(true);
  });

  it('refuses, before any work, a sweep whose single run does not fit a storage buffer', async () => {
    const plan = await planOf({ ...IRIS({ name: 'SGD', lr: 0.05 }), network: { hidden: [4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096], batch_size: 16, sharpness_iterations: 0 } });
    expect(() => gpu.netChunkRuns(plan)).toThrow(/does not fit the GPU: one run needs .* MiB in one buffer .* storage buffer limit of/);
    let progressed = false;
    await expect(gpu.run(plan, { onProgress: () => (progressed = true) })).rejects.toBeInstanceOf(GpuRunError);
    expect(progressed).toBe(false);
  });

  it('the bench\'s bare kernel runs an SGD plan and refuses what it does not implement', async () => {
    const plan = await planOf(IRIS({ name: 'SGD', lr: 0.05, momentum: 0.9 }, { sweep: { x: { param: 'optimizer.lr', min: 0.01, max: 0.1, count: 3 } } }));
    expect((await fx.scoped(() => gpu.runNetBaseline(plan))).ms).toBeGreaterThan(0);
    await expect(gpu.runNetBaseline(await planOf(IRIS({ name: 'Adam' })))).rejects.toThrow(/bare network baseline runs SGD/);
  });

  it('refuses param groups that differ in a flag compiled into the kernel, naming it', async () => {
    const plan = await planOf(IRIS({ name: 'SGD', lr: 0.05, momentum: 0.9, param_groups: [{ params: ['layers.0'], nesterov: true }] }));
    await expect(gpu.run(plan)).rejects.toThrow(/SGD\.nesterov differs between groups .*cpu and cpu64 engines run it/);
  });
});

// Every optimiser the network spec accepts, derived from the registry, not listed by hand: those
// whose rule reads a whole tensor (the registry's tensor rules: LARS, LAMB, Adafactor, and Lion with
// caution) run tensor by tensor through their file's opt_tensor_step, the rest pair by pair.
const NET_OPTIMIZERS = OPTIMIZERS.filter((o) => {
  try {
    parseNetSpec(IRIS({ name: o.id }));
    return true;
  } catch {
    return false;
  }
});
const TENSOR_RULES = OPTIMIZERS.filter((o) => o.tensor !== undefined);

describe('every optimiser on the GPU', () => {
  it('the table is the whole registry, the tensor rules among it', () => {
    expect(NET_OPTIMIZERS.map((o) => o.id)).toEqual(OPTIMIZERS.map((o) => o.id));
    expect(TENSOR_RULES.map((o) => o.id).sort()).toEqual(['Adafactor', 'LAMB', 'LARS', 'Lion']);
  });
  for (const o of NET_OPTIMIZERS) {
    it(`${o.id}: gpu agrees with cpu and cpu64 over three LRs`, async () => {
      const lr = o.params.find((p) => p.key === 'lr');
      const base = lr && lr.kind === 'number' ? lr.default : 0.01;
      const plan = await planOf(IRIS({ name: o.id }, { sweep: { x: { param: 'optimizer.lr', min: base / 4, max: base * 4, count: 3, scale: 'log' } } }));
      expect(netGpuUnsupported(plan)).toBeNull();
      await agree(plan);
    });
  }
  // The tensor rules with the options that read a tensor whole switched on: trust ratios, the
  // cautious mask's mean, LAMB's global clip over two groups, Adafactor's factored weights with
  // weight decay, each with a second param group.
  const WHOLE: Record<string, Record<string, unknown>> = {
    LARS: { name: 'LARS', lr: 0.5, momentum: 0.9, weight_decay: 0.01, nesterov: true, param_groups: [{ params: ['layers.1'], lr: 0.2 }] },
    LAMB: { name: 'LAMB', lr: 0.01, caution: true, max_grad_norm: 0.5, trust_clip: true, param_groups: [{ params: ['layers.1'], lr: 0.005, weight_decay: 0.1 }] },
    Adafactor: { name: 'Adafactor', lr: 0.05, weight_decay: 0.01, param_groups: [{ params: ['layers.0'], lr: 0.02 }] },
    Lion: { name: 'Lion', lr: 0.001, caution: true, weight_decay: 0.1 },
  };
  for (const o of TENSOR_RULES) {
    it(`${o.id}'s tensor rule (${Object.keys(WHOLE[o.id] ?? {}).filter((k) => k !== 'name').join(', ')}): gpu agrees with cpu and cpu64`, async () => {
      const opt = WHOLE[o.id];
      expect(opt, `a WHOLE row for ${o.id}`).toBeDefined();
      const lr = opt!.lr as number;
      const plan = await planOf(IRIS(opt!, { sweep: { x: { param: 'optimizer.lr', min: lr / 4, max: lr * 4, count: 3, scale: 'log' } } }));
      expect(netTensorRule(plan)).toBe(true);
      await agree(plan);
    });
  }
  it('Lion with caution differs from Lion without (the mask acted on the GPU)', async () => {
    const sweep = { x: { param: 'optimizer.lr', min: 0.0005, max: 0.002, count: 2 } };
    const [a, b] = [await planOf(IRIS({ name: 'Lion', lr: 0.001, caution: true }, { sweep })), await planOf(IRIS({ name: 'Lion', lr: 0.001 }, { sweep }))];
    expect(netTensorRule(a)).toBe(true);
    expect(netTensorRule(b)).toBe(false);
    const [ra, rb] = [await fx.scoped(() => gpu.run(a)), await fx.scoped(() => gpu.run(b))];
    expect(Array.from(ra.train_loss)).not.toEqual(Array.from(rb.train_loss));
  });
});

describe('the bare network baseline in both decompositions', () => {
  // kernels/bare_net_wg.wgsl shares a run's work across a workgroup, each gradient entry owned by one
  // thread adding its samples in order: the weights it ends with are the per-invocation kernel's.
  const cases: [string, Record<string, unknown>][] = [
    [
      'fractal (mean field, no bias, full batch, MSE, per-layer LRs)',
      {
        network: { hidden: [16], bias: false, parametrization: 'mean_field', sharpness_iterations: 0 },
        data: { name: 'fractal' },
        optimizer: { name: 'SGD', lr: 30, param_groups: [{ params: ['layers.0'], lr: 30 }] },
        steps: 20,
        sweep: { x: { param: 'optimizer.param_groups.0.lr', min: 1, max: 100, count: 3, scale: 'log' }, y: { param: 'optimizer.lr', min: 1, max: 100, count: 2, scale: 'log' } },
      },
    ],
    [
      'Iris (bias, minibatch 16, cross-entropy, momentum, two hidden layers wider than the workgroup)',
      {
        ...IRIS({ name: 'SGD', lr: 0.05, momentum: 0.9 }, { steps: 12 }),
        network: { hidden: [70, 8], batch_size: 16, sharpness_iterations: 0 },
        sweep: { x: { param: 'optimizer.lr', min: 0.01, max: 0.2, count: 5, scale: 'log' } },
      },
    ],
  ];
  it.each(cases)('%s: the same weights, and they moved', async (_, json) => {
    const plan = await planOf(json);
    const one = await fx.scoped(() => gpu.runNetBaseline(plan, {}, { weights: true }));
    const wg = await fx.scoped(() => gpu.runNetBaseline(plan, {}, { decomposition: 'workgroup', weights: true }));
    const a = one.weights as Float32Array;
    const b = wg.weights as Float32Array;
    expect(b.length).toBe(plan.runs * plan.layout.params);
    // Float32 op for op; a compiler may contract a multiply-add differently in the two kernels.
    expect(weightDifference(a, b)).toBeLessThan(1e-5);
    expect(a.every((v) => Number.isFinite(v))).toBe(true);
    // Trained: the weights are not the initial ones (a kernel that did nothing would also agree).
    const init = await fx.scoped(() => gpu.runNetBaseline({ ...plan, spec: { ...plan.spec, steps: 0 } } as NetPlan, {}, { weights: true }));
    let moved = 0;
    const w0 = init.weights as Float32Array;
    for (let i = 0; i < a.length; i++) moved = Math.max(moved, Math.abs((a[i] as number) - (w0[i] as number)));
    expect(moved).toBeGreaterThan(1e-3);
  });
});
