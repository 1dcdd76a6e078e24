/**
 * The network rows of `npm run bench` (also alone: `npm run bench -- --networks`): instance-steps/s
 * and achieved FLOP/s of the CPU engines on the networks issue's two settings, against the numpy
 * float32 peer (bench/numpy_network.py) doing the same forward and backward for a block of runs
 * with batched matmuls, run in the same bench.
 *
 *   fractal: the fractal notebook's setting, mean-field 16-16-1 without biases, tanh, MSE, 272
 *            Gaussian points, full batch; the sweep is input-layer LR x output-layer LR.
 *   iris:    4-8-3 with biases, tanh, cross-entropy, minibatches of 16; the sweep is LR x momentum.
 *
 * Two rows per engine: training only (network.sharpness_iterations 0, the work the peer does) and
 * with the default sharpness outcome (up to 100 Hessian-vector products after the last step).
 *
 * FLOPs count a multiply-add as two, from the model alone: 6 P B per step (forward, weight
 * gradients, deltas; P weights, B batch rows) plus 2 P N per evaluation of the whole training set
 * (N rows), which a minibatch run does at every outcome checkpoint. Both sides are charged the same.
 */
import { execFileSync } from 'node:child_process';
import { makeNetPlan, prepareSpec } from '../src/core/network/plan.ts';
import type { NetPlan } from '../src/core/network/plan.ts';
import type { NetSpec } from '../src/core/spec.ts';
import { parseAnySpec } from '../src/core/spec.ts';
import type { CpuEngine } from '../src/engine/cpu/engine.ts';
import type { GpuEngine } from '../src/engine/gpu/engine.ts';
import { weightDifference } from '../src/engine/gpu/net.ts';

export interface NetSetting {
  readonly name: 'fractal' | 'iris';
  readonly what: string;
  /** Runs and steps of the timed sweep (quick mode: fewer steps). */
  readonly side: number;
  readonly steps: number;
  readonly spec: (sharpness: boolean) => unknown;
}

export const NET_SETTINGS: readonly NetSetting[] = [
  {
    name: 'fractal',
    what: 'fractal (16-16-1 mean-field tanh, 272 points, full batch)',
    side: 16,
    steps: 200,
    spec: (sharpness) => ({
      network: { hidden: [16], bias: false, parametrization: 'mean_field', sharpness_iterations: sharpness ? 100 : 0 },
      data: { name: 'fractal' },
      optimizer: { name: 'SGD', lr: 0.1, param_groups: [{ params: ['layers.0'], lr: 0.1 }] },
      steps: 200,
      sweep: {
        x: { param: 'optimizer.param_groups.0.lr', min: 0.01, max: 3, count: 16, scale: 'log' },
        y: { param: 'optimizer.lr', min: 0.01, max: 3, count: 16, scale: 'log' },
      },
    }),
  },
  {
    name: 'iris',
    what: 'Iris (4-8-3 tanh, batch 16)',
    side: 32,
    steps: 200,
    spec: (sharpness) => ({
      network: { hidden: [8], batch_size: 16, sharpness_iterations: sharpness ? 100 : 0 },
      data: 'iris',
      optimizer: { name: 'SGD', lr: 0.05, momentum: 0.9 },
      steps: 200,
      sweep: {
        x: { param: 'optimizer.lr', min: 1e-3, max: 1, count: 32, scale: 'log' },
        y: { param: 'optimizer.momentum', min: 0, max: 0.95, count: 32 },
      },
    }),
  },
];

export async function netPlan(s: NetSetting, sharpness: boolean): Promise<NetPlan> {
  const spec = parseAnySpec(s.spec(sharpness)) as NetSpec;
  await prepareSpec(spec);
  return makeNetPlan(spec);
}

/** Model FLOPs of one run's training (see the header). */
export function trainingFlops(plan: NetPlan): number {
  const P = plan.layout.params;
  const N = plan.data.train.n;
  const B = plan.batch ?? N;
  const steps = plan.spec.steps;
  const evaluations = plan.batch === null ? 0 : Math.ceil(steps / plan.checkEvery);
  return steps * 6 * P * B + evaluations * 2 * P * N;
}

export interface NetRow {
  readonly setting: string;
  readonly engine: string;
  readonly what: string;
  readonly runs: number;
  readonly steps: number;
  /** Instance-steps per second (a run's step = one optimiser step). */
  readonly rate: number;
  /** Achieved model FLOP/s (null for the rows with the sharpness outcome, whose work is not counted). */
  readonly flops: number | null;
}

/** Best of `reps` timed sweeps, after a warm-up unless `warm` is false (the pipelines already built). */
async function timed(engine: CpuEngine | GpuEngine, plan: NetPlan, reps = 2, warm = true): Promise<number> {
  if (warm) await engine.run(plan);
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await engine.run(plan);
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return best;
}

/**
 * The numpy peer's instance-steps/s and FLOP/s, or null without python3 and numpy: float32 (the
 * issue's peer for both CPU engines) or float64 (context for cpu64: the same code in its precision).
 * The best of `reps` runs, as the engines' rows are the best of theirs: one run of the peer has
 * read from 48,000 to 69,000 fractal steps/s on this machine, quiet.
 */
export function numpyNetwork(s: NetSetting, runs: number, steps: number, checkEvery: number, dtype: 'float32' | 'float64' = 'float32', reps = 3): { rate: number; flops: number } | null {
  let best: { rate: number; flops: number } | null = null;
  for (let i = 0; i < reps; i++) {
    try {
      const out = execFileSync('python3', ['bench/numpy_network.py', s.name, String(runs), String(steps), String(checkEvery), dtype], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const [rate, flops] = out.trim().split(/\s+/).map(Number);
      if (!(rate && flops)) return null;
      if (!best || rate > best.rate) best = { rate, flops };
    } catch {
      return null;
    }
  }
  return best;
}

export const TARGET_CPU_OVER_NUMPY = 0.5;
/** The networks issue's aim for the GPU engine (on SwiftShader too). */
export const TARGET_GPU_OVER_NUMPY = 2;

/**
 * The GPU engine's sizes: the issue's 4,096 and 65,536 runs of the settings' steps on a hardware
 * adapter. On SwiftShader (a CPU: ~10^2 fractal and ~10^3 Iris instance-steps/s, docs/performance.md
 * "GPU network engine") the CPU rows' runs for 10 steps, which also compile the pipelines the larger
 * size reuses, then 4,096 runs for 10 steps: a run's work outside its steps (the training set's
 * loss at the start and the end, its initial weights drawn on the host, its outcome record read
 * back; about one step's worth, docs/performance.md) weighed against only 2 steps made engine /
 * bare read 0.67 where it measures the same kernels. 65,536 runs are left out there: one step of
 * the fractal setting took 561 s (measured once), longer than the rest of the bench.
 */
export function gpuNetSizes(software: boolean, s: NetSetting): { runs: number; steps: number }[] {
  return software
    ? [
        { runs: s.side * s.side, steps: 10 },
        { runs: 4096, steps: 10 },
      ]
    : [
        { runs: 4096, steps: s.steps },
        { runs: 65_536, steps: s.steps },
      ];
}

/** A setting's plan at `runs` (a square grid) and `steps`; `checkEvery` where given, else the default. */
async function sizedPlan(s: Pick<NetSetting, 'spec'>, runs: number, steps: number, checkEvery?: number): Promise<NetPlan> {
  const j = s.spec(false) as { steps: number; sweep: { x: { count: number }; y: { count: number } } };
  const side = Math.round(Math.sqrt(runs));
  const outcome = checkEvery === undefined ? {} : { outcome: { check_every: checkEvery } };
  const spec = parseAnySpec({ ...j, ...outcome, steps, sweep: { x: { ...j.sweep.x, count: side }, y: { ...j.sweep.y, count: side } } }) as NetSpec;
  await prepareSpec(spec);
  return makeNetPlan(spec);
}

export async function networkRows(engines: readonly CpuEngine[], log: (s: string) => void, gpu?: GpuEngine): Promise<{ rows: NetRow[]; lines: string[] }> {
  const rows: NetRow[] = [];
  const lines: string[] = [];
  for (const s of NET_SETTINGS) {
    const train = await netPlan(s, false);
    const full = await netPlan(s, true);
    const flopsPerRun = trainingFlops(train);
    const np = numpyNetwork(s, train.runs, train.spec.steps, train.checkEvery);
    const np64 = numpyNetwork(s, train.runs, train.spec.steps, train.checkEvery, 'float64');
    for (const e of engines) {
      const t = await timed(e, train);
      const tf = await timed(e, full, 1);
      const steps = train.runs * train.spec.steps;
      rows.push({ setting: s.name, engine: e.name, what: `${s.what}, training`, runs: train.runs, steps: train.spec.steps, rate: steps / t, flops: (train.runs * flopsPerRun) / t });
      rows.push({ setting: s.name, engine: e.name, what: `${s.what}, with sharpness`, runs: full.runs, steps: full.spec.steps, rate: steps / tf, flops: null });
      log(`${s.name} ${e.name}: ${(steps / t).toFixed(0)} instance-steps/s (${((train.runs * flopsPerRun) / t / 1e9).toFixed(2)} GFLOP/s), with sharpness ${(steps / tf).toFixed(0)}`);
    }
    if (gpu) {
      const software = /swiftshader/i.test(Object.values(gpu.gpu.adapter).join(' '));
      for (const [k, size] of gpuNetSizes(software, s).entries()) {
        const plan = await sizedPlan(s, size.runs, size.steps);
        const t = await timed(gpu, plan, 1, k === 0);
        const steps = plan.runs * plan.spec.steps;
        const flops = (plan.runs * trainingFlops(plan)) / t;
        rows.push({ setting: s.name, engine: 'gpu', what: `${s.what}, training`, runs: plan.runs, steps: plan.spec.steps, rate: steps / t, flops });
        // The bare kernel: the same forward/backward and a momentum-SGD update, no bookkeeping (and
        // no training-set evaluations at checkpoints: its FLOPs are the steps' alone).
        const tb = (await gpu.runNetBaseline(plan)).ms / 1000;
        const bareFlops = (plan.runs * plan.spec.steps * 6 * plan.layout.params * (plan.batch ?? plan.data.train.n)) / tb;
        rows.push({ setting: s.name, engine: 'gpu-bare', what: `${s.what}, bare forward/backward + SGD kernel`, runs: plan.runs, steps: plan.spec.steps, rate: steps / tb, flops: bareFlops });
        log(
          `${s.name} gpu (${plan.runs} runs x ${plan.spec.steps} steps): ${(steps / t).toFixed(0)} instance-steps/s (${(flops / 1e9).toFixed(3)} GFLOP/s); ` +
            `bare kernel ${(steps / tb).toFixed(0)} (${(bareFlops / 1e9).toFixed(3)} GFLOP/s): engine / bare ${(flops / bareFlops).toFixed(2)} in FLOP/s`,
        );
      }
    }
    if (np) {
      rows.push({ setting: s.name, engine: 'numpy', what: `${s.what}, training, batched matmuls`, runs: train.runs, steps: train.spec.steps, rate: np.rate, flops: np.flops });
      log(`${s.name} numpy: ${np.rate.toFixed(0)} instance-steps/s (${(np.flops / 1e9).toFixed(2)} GFLOP/s)`);
    } else log(`${s.name} numpy: not measured (no python3 with numpy)`);
    if (np64) {
      rows.push({ setting: s.name, engine: 'numpy64', what: `${s.what}, training, batched matmuls in float64`, runs: train.runs, steps: train.spec.steps, rate: np64.rate, flops: np64.flops });
      log(`${s.name} numpy float64: ${np64.rate.toFixed(0)} instance-steps/s (${(np64.flops / 1e9).toFixed(2)} GFLOP/s)`);
    }
  }
  const isPeer = (r: NetRow): boolean => r.engine === 'numpy' || r.engine === 'numpy64';
  const ratio = (r: NetRow, peer: string): string => {
    const p = rows.find((q) => q.setting === r.setting && q.engine === peer);
    return p && r.flops !== null && !isPeer(r) ? `${(r.rate / p.rate).toFixed(2)}x` : '–';
  };
  lines.push('| network | engine | runs x steps | instance-steps/s | GFLOP/s | / numpy | / numpy float64 |', '|---|---|---|---|---|---|---|');
  for (const r of rows)
    lines.push(`| ${r.what} | ${r.engine} | ${r.runs} x ${r.steps} | ${r.rate.toFixed(0)} | ${r.flops === null ? '–' : (r.flops / 1e9).toFixed(2)} | ${ratio(r, 'numpy')} | ${ratio(r, 'numpy64')} |`);
  const below = (engine: (r: NetRow) => boolean, target: number): NetRow[] =>
    rows.filter((r) => {
      const np = rows.find((q) => q.setting === r.setting && q.engine === 'numpy');
      return r.flops !== null && engine(r) && np !== undefined && r.rate / np.rate < target;
    });
  const cpuBelow = below((r) => r.engine === 'cpu' || r.engine === 'cpu64', TARGET_CPU_OVER_NUMPY);
  for (const r of rows.filter((q) => q.engine === 'gpu')) {
    const bare = rows.find((q) => q.engine === 'gpu-bare' && q.setting === r.setting && q.runs === r.runs);
    if (bare?.flops && r.flops) lines.push(`GPU engine / bare kernel, ${r.setting} ${r.runs} runs: ${(r.flops / bare.flops).toFixed(2)} in FLOP/s (target ≥ 0.8).`);
  }
  lines.push('', `Target: CPU engines ≥ ${TARGET_CPU_OVER_NUMPY}x the numpy peer on training: ${cpuBelow.length === 0 ? 'met' : `not met (${cpuBelow.map((r) => `${r.setting} ${r.engine}`).join(', ')})`}.`);
  // Context, not the target: float64 against float64 (the issue's peer is float32 for both engines).
  const same = rows.filter((r) => r.engine === 'cpu64' && r.flops !== null).map((r) => `${r.setting} ${ratio(r, 'numpy64')}`);
  if (rows.some((r) => r.engine === 'numpy64')) lines.push(`cpu64 against the same peer in float64: ${same.join(', ')}.`);
  if (gpu) {
    const gpuBelow = below((r) => r.engine === 'gpu', TARGET_GPU_OVER_NUMPY);
    lines.push(`Target: GPU engine ≥ ${TARGET_GPU_OVER_NUMPY}x the numpy peer on training: ${gpuBelow.length === 0 ? 'met' : `not met (${gpuBelow.map((r) => `${r.setting} ${r.runs} runs`).join(', ')})`}.`);
  }
  return { rows, lines };
}

/**
 * `npm run bench -- --net-bare`: the GPU engine against the bare kernel on each setting, at the
 * default check_every and at one checkpoint at the end of the run (check_every = steps), alternated
 * with the bare kernel, best of three: what the engine's own work per step costs, apart from the
 * training-set evaluations its checkpoints make (which the bare kernel skips).
 */
export async function netBareRows(gpu: GpuEngine, log: (s: string) => void): Promise<string[]> {
  const lines = ['| setting | runs x steps | check_every | engine (instance-steps/s) | bare | engine / bare |', '|---|---|---|---|---|---|'];
  // Sizes that take a minute or two on SwiftShader (a fractal step reads all 272 points: ~300
  // instance-steps/s there); at 200 steps the default checks every 4th, at 50 every step.
  const sizes: Readonly<Record<string, readonly { readonly runs: number; readonly steps: number }[]>> = {
    fractal: [{ runs: 64, steps: 50 }],
    iris: [{ runs: 64, steps: 50 }, { runs: 256, steps: 200 }],
  };
  const time = async (f: () => Promise<unknown>): Promise<number> => {
    const t0 = performance.now();
    await f();
    return (performance.now() - t0) / 1000;
  };
  for (const s of NET_SETTINGS) {
    for (const size of sizes[s.name] ?? []) {
      const def = await sizedPlan(s, size.runs, size.steps);
      const end = await sizedPlan(s, size.runs, size.steps, size.steps);
      await gpu.run(def);
      await gpu.run(end);
      await gpu.runNetBaseline(def);
      let [tDef, tEnd, tBare] = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
      for (let i = 0; i < 3; i++) {
        tDef = Math.min(tDef, await time(() => gpu.run(def)));
        tEnd = Math.min(tEnd, await time(() => gpu.run(end)));
        tBare = Math.min(tBare, (await gpu.runNetBaseline(def)).ms / 1000);
      }
      const n = def.runs * size.steps;
      for (const [every, t] of [[def.checkEvery, tDef], [end.checkEvery, tEnd]] as const) {
        const line = `| ${s.name} | ${def.runs} x ${size.steps} | ${every} | ${(n / t).toFixed(0)} | ${(n / tBare).toFixed(0)} | ${(tBare / t).toFixed(2)} |`;
        log(line);
        lines.push(line);
      }
    }
  }
  return lines;
}

/**
 * `npm run bench -- --net-decomposition`: the bare kernel (forward, backward, momentum SGD) in its two
 * decompositions, an invocation per run (kernels/bare_net_sgd.wgsl, the engine's) and a workgroup per
 * run (kernels/bare_net_wg.wgsl), on the fractal and Iris settings and batch-lr's digits MLP (64-32-10
 * ReLU, batch 32 and 256), from the run counts where one invocation per run leaves a GPU idle (a
 * batch-lr seed's 119 runs) to those that fill it; best of three, alternated. The measurement that
 * chooses the engine's decomposition (docs/performance.md, "A workgroup per network run").
 */
export async function netDecompositionRows(gpu: GpuEngine, log: (s: string) => void): Promise<string[]> {
  const software = /swiftshader/i.test(Object.values(gpu.gpu.adapter).join(' '));
  const digits = (batch: number): Pick<NetSetting, 'what' | 'spec'> => ({
    what: `digits 8x8 (64-32-10 ReLU, batch ${batch})`,
    spec: () => ({
      network: { hidden: [32], activation: 'relu', batch_size: batch, sharpness_iterations: 0, init_seed: 0 },
      data: { name: 'digits8', train: 1000, test: 500 },
      optimizer: { name: 'SGD', lr: 0.1 },
      steps: 100,
      sweep: { x: { param: 'optimizer.lr', min: 1e-3, max: 10, count: 11, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0, max: 0.9, count: 11 } },
    }),
  });
  // SwiftShader runs a few hundred fractal instance-steps/s: small sizes and 5 steps there.
  const sizes = software ? [{ runs: 121, steps: 5 }] : [{ runs: 121, steps: 100 }, { runs: 4096, steps: 100 }, { runs: 65_536, steps: 20 }];
  const lines = [
    '| setting | runs x steps | an invocation per run (instance-steps/s) | a workgroup per run | workgroup / invocation | largest weight difference |',
    '|---|---|---|---|---|---|',
  ];
  for (const s of [...NET_SETTINGS, digits(32), digits(256)]) {
    for (const size of sizes) {
      const plan = await sizedPlan(s, size.runs, size.steps);
      // Compile both pipelines first, and check they train alike: the largest difference of a final
      // weight, relative above 1 (the GPU test's bound is 1e-5; a compiler may fuse multiply-adds).
      const a = (await gpu.runNetBaseline(plan, {}, { weights: true })).weights as Float32Array;
      const b = (await gpu.runNetBaseline(plan, {}, { decomposition: 'workgroup', weights: true })).weights as Float32Array;
      const diff = weightDifference(a, b);
      let [tInv, tWg] = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
      for (let i = 0; i < 3; i++) {
        tInv = Math.min(tInv, (await gpu.runNetBaseline(plan)).ms / 1000);
        tWg = Math.min(tWg, (await gpu.runNetBaseline(plan, {}, { decomposition: 'workgroup' })).ms / 1000);
      }
      const n = plan.runs * plan.spec.steps;
      const line = `| ${s.what} | ${plan.runs} x ${plan.spec.steps} | ${(n / tInv).toFixed(0)} | ${(n / tWg).toFixed(0)} | ${(tInv / tWg).toFixed(2)} | ${diff.toExponential(1)} |`;
      log(line);
      lines.push(line);
    }
  }
  return lines;
}
