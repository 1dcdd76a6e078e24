/**
 * `npm run bench`: instance-steps per second of every engine, per optimiser, at 64k and 1M runs,
 * plus the baselines the targets are stated against, all measured in this one run:
 *   - the bare kernel (momentum SGD on Rosenbrock and nothing else) on the same GPU,
 *   - a careful numpy float32 loop (bench/numpy_baseline.py), when python3 has numpy,
 *   - a single-threaded JavaScript loop.
 * Prints markdown tables for docs/performance.md and writes bench/results/latest.json.
 *
 *   npm run bench                 everything (a few minutes on 2 cores)
 *   npm run bench -- --quick      64k runs only, fewer steps
 *   npm run bench -- --scale      the 4096 x 4096 sweep to Parquet on gpu and cpu: time and peak
 *                                 resident memory (the CLI reports its own peak; ~10 minutes)
 *   npm run bench -- --unroll     each optimiser with one and with two steps per pass of the GPU
 *                                 step kernel's inner loop: the evidence for gpuTwoStepsPerPass
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { makePlan } from '../src/core/plan.ts';
import type { Plan } from '../src/core/plan.ts';
import { OPTIMIZERS } from '../src/core/registry/index.ts';
import { parseSpec } from '../src/core/spec.ts';
import { CpuEngine } from '../src/engine/cpu/engine.ts';
import { nodeWorkerSpawner } from '../src/engine/cpu/spawn-node.ts';
import type { Engine } from '../src/engine/engine.ts';
import { createNodeGpuEngine } from '../src/engine/gpu/node-gpu-engine.ts';
import puppeteer from 'puppeteer-core';
import type { AddressInfo } from 'node:net';
import { createServer } from 'vite';

const quick = process.argv.includes('--quick');
const M = 1e6;

interface Row {
  readonly what: string;
  readonly engine: string;
  readonly runs: number;
  readonly steps: number;
  readonly rate: number;
}
const rows: Row[] = [];

function fmt(rate: number): string {
  return `${(rate / M).toFixed(1)}M`;
}

/** LR ranges where most runs neither diverge (which ends them early) nor stall. */
const LR_RANGE: Record<string, [number, number]> = {
  SGD: [1e-5, 1e-3],
  Adam: [1e-4, 3e-2],
  AdamW: [1e-4, 3e-2],
  RMSprop: [1e-5, 3e-3],
  Adagrad: [1e-3, 0.3],
  NAdam: [1e-4, 3e-2],
  RAdam: [1e-4, 3e-2],
};

function sweepSpec(optimizer: string, side: number, steps: number, extra: Record<string, unknown> = {}): Plan {
  const [lo, hi] = LR_RANGE[optimizer] ?? [1e-4, 1e-2];
  const momentum = optimizer === 'SGD' || optimizer === 'RMSprop';
  return makePlan(
    parseSpec({
      surface: 'rosenbrock',
      optimizer: { name: optimizer, ...(momentum ? { momentum: 0.9 } : {}) },
      steps,
      start: [-1.5, 2],
      sweep: {
        x: { param: 'optimizer.lr', min: lo, max: hi, count: side, scale: 'log' },
        y: momentum ? { param: 'optimizer.momentum', min: 0, max: 0.9, count: side } : { param: 'start.1', min: 1.5, max: 2.5, count: side },
      },
      ...extra,
    }),
  );
}

/** Best of `reps` timed runs after one warm-up (pipeline compile, worker start-up). */
async function rate(engine: Engine, plan: Plan, reps = 2, warmUp = true): Promise<number> {
  if (warmUp) await engine.run(plan);
  let best = 0;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await engine.run(plan);
    best = Math.max(best, (plan.runs * plan.spec.steps) / ((performance.now() - t0) / 1000));
  }
  return best;
}

function jsLoop(side: number, steps: number): number {
  const t0 = performance.now();
  let sink = 0;
  for (let j = 0; j < side; j++) {
    const mu = (0.9 * j) / (side - 1);
    for (let i = 0; i < side; i++) {
      const lr = 1e-5 * 100 ** (i / (side - 1));
      let x = -1.5;
      let y = 2;
      let bx = 0;
      let by = 0;
      for (let k = 0; k < steps; k++) {
        const t = y - x * x;
        bx = mu * bx + (2 * (x - 1) - 400 * x * t);
        by = mu * by + 200 * t;
        x -= lr * bx;
        y -= lr * by;
      }
      sink += x + y;
    }
  }
  if (Number.isNaN(sink)) process.stdout.write('');
  return (side * side * steps) / ((performance.now() - t0) / 1000);
}

/**
 * The engine and the bare kernel in headless Chromium (WebGPU on SwiftShader), through the same
 * bench page the app's build would load; null when there is no Chromium.
 */
async function chromium(side: number, steps: number): Promise<{ engine: number; bare: number; adapter: string } | null> {
  if (!existsSync('/usr/bin/chromium')) return null;
  const server = await createServer({ server: { host: '127.0.0.1', port: 0 }, logLevel: 'error' });
  await server.listen();
  const port = (server.httpServer?.address() as AddressInfo).port;
  const browser = await puppeteer.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader',
      '--use-webgpu-adapter=swiftshader', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
    ],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/bench/browser/index.html#side=${side}&steps=${steps}`);
    await page.waitForFunction(() => '__bench' in window, { timeout: 600_000, polling: 500 });
    const r = (await page.evaluate(() => (window as unknown as { __bench: unknown }).__bench)) as { engine: number; bare: number; adapter: string; error?: string };
    if (r.error) throw new Error(`browser bench failed: ${r.error}`);
    return r;
  } finally {
    await browser.close();
    await server.close();
  }
}

function numpy(n: number, steps: number): number | null {
  try {
    const out = execFileSync('python3', ['bench/numpy_baseline.py', String(n), String(steps)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return Number(out.trim());
  } catch {
    return null;
  }
}

/** The 4096² sweep through the CLI, as a user runs it: time and the peak RSS the CLI reports. */
function scale(): void {
  const spec = {
    surface: 'rosenbrock',
    optimizer: { name: 'SGD', lr: 0.001, momentum: 0.9 },
    steps: 1000,
    start: [-1.5, 2],
    sweep: {
      x: { param: 'optimizer.lr', min: 1e-5, max: 1e-3, count: 4096, scale: 'log' },
      y: { param: 'optimizer.momentum', min: 0, max: 0.9, count: 4096 },
    },
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/scale-spec.json', JSON.stringify(spec));
  const lines = ['| engine | runs x steps | wall time | run-steps/s | peak RSS | Parquet size |', '|---|---|---|---|---|---|'];
  for (const engine of ['gpu', 'cpu']) {
    const out = `bench/results/scale-${engine}.parquet`;
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['bin/basinlab.js', 'sweep', 'bench/results/scale-spec.json', '--engine', engine, '--out', out], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    const secs = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`scale sweep on ${engine} failed: ${r.stderr}`);
    const peak = /peak RSS (\d+) MiB/.exec(r.stderr)?.[1] ?? '?';
    process.stderr.write(`${engine}: ${secs.toFixed(0)} s, peak RSS ${peak} MiB\n`);
    lines.push(`| ${engine} | 4096² x 1000 | ${secs.toFixed(0)} s | ${fmt((4096 * 4096 * 1000) / secs)} | ${peak} MiB | ${(statSync(out).size / 2 ** 20).toFixed(0)} MiB |`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * One vs two steps per inner-loop pass, per optimiser (256² runs x 1000 steps, check_every 20),
 * alternating the two engines and keeping the best of three of each, so the VM's drift hits both.
 */
async function unroll(): Promise<void> {
  const one = await createNodeGpuEngine({ twoStepsPerPass: false });
  const two = await createNodeGpuEngine({ twoStepsPerPass: true });
  const cases: [string, Plan][] = OPTIMIZERS.map((o) => [o.id, sweepSpec(o.id, 256, 1000)]);
  cases.push(['SGD + gradient noise', sweepSpec('SGD', 256, 1000, { noise: { std: 1, seed: 1 } })]);
  cases.push(['SGD + SAM', sweepSpec('SGD', 256, 1000, { sam: { rho: 0.05 } })]);
  const lines = ['| optimiser | one step per pass | two | two / one | gpuTwoStepsPerPass |', '|---|---|---|---|---|'];
  for (const [what, plan] of cases) {
    await one.run(plan);
    await two.run(plan);
    let a = 0;
    let b = 0;
    for (let i = 0; i < 3; i++) {
      a = Math.max(a, await rate(one, plan, 1, false));
      b = Math.max(b, await rate(two, plan, 1, false));
    }
    const flag = plan.optimizer.gpuTwoStepsPerPass === true ? 'yes' : 'no';
    process.stderr.write(`${what}: ${fmt(a)} -> ${fmt(b)} (${(b / a).toFixed(2)}x), registry ${flag}\n`);
    lines.push(`| ${what} | ${fmt(a)} | ${fmt(b)} | ${(b / a).toFixed(2)}x | ${flag} |`);
  }
  await one.dispose();
  await two.dispose();
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
  if (process.argv.includes('--scale')) return scale();
  if (process.argv.includes('--unroll')) return unroll();
  const gpu = await createNodeGpuEngine();
  const workers = availableParallelism();
  const cpu = new CpuEngine('cpu', { workers, spawn: nodeWorkerSpawner(), inProcessBelow: 0 });
  const cpu64 = new CpuEngine('cpu64', { workers, spawn: nodeWorkerSpawner(), inProcessBelow: 0 });
  const log = (s: string): void => void process.stderr.write(`${s}\n`);
  log(`adapter: ${JSON.stringify(gpu.gpu.adapter)}; ${cpus().length} cores (${cpus()[0]?.model ?? '?'})`);

  // 1. The headline workload: 1M runs x 1000 steps of momentum SGD on Rosenbrock.
  const side = quick ? 256 : 1024;
  const steps = quick ? 200 : 1000;
  const headline = sweepSpec('SGD', side, steps);
  const exact = sweepSpec('SGD', side, steps, { outcome: { check_every: 1 } });
  // Bare and engine alternate, best of three each: this VM's speed drifts by ±5% over a minute,
  // and measuring one after the other turned that drift into the ratio.
  await gpu.runBaseline(headline);
  await gpu.run(headline);
  let bare = 0;
  let engineRate = 0;
  for (let i = 0; i < 3; i++) {
    bare = Math.max(bare, (headline.runs * steps) / ((await gpu.runBaseline(headline)) / 1000));
    engineRate = Math.max(engineRate, await rate(gpu, headline, 1, false));
  }
  const exactRate = await rate(gpu, exact, 1);
  const np = numpy(side * side, steps);
  const js = jsLoop(quick ? 128 : 256, steps);
  const web = await chromium(side, steps);
  rows.push(
    ...(web
      ? [
          { what: 'bare kernel, in headless Chromium', engine: 'gpu (browser)', runs: headline.runs, steps, rate: web.bare },
          { what: 'engine, in headless Chromium', engine: 'gpu (browser)', runs: headline.runs, steps, rate: web.engine },
        ]
      : []),
    { what: 'bare kernel (momentum SGD, Rosenbrock)', engine: 'gpu', runs: headline.runs, steps, rate: bare },
    { what: 'engine, default check_every (2% of the run)', engine: 'gpu', runs: headline.runs, steps, rate: engineRate },
    { what: 'engine, check_every 1 (exact)', engine: 'gpu', runs: headline.runs, steps, rate: exactRate },
    ...(np ? [{ what: 'numpy float32 loop', engine: 'numpy', runs: headline.runs, steps, rate: np }] : []),
    { what: 'single-threaded JS loop (float64)', engine: 'js', runs: (quick ? 128 : 256) ** 2, steps, rate: js },
  );
  log(`headline: bare ${fmt(bare)}, engine ${fmt(engineRate)} (${((100 * engineRate) / bare).toFixed(0)}%), exact ${fmt(exactRate)}, numpy ${np ? fmt(np) : 'n/a'}, js ${fmt(js)}`);
  if (web) log(`chromium: bare ${fmt(web.bare)}, engine ${fmt(web.engine)} (${((100 * web.engine) / web.bare).toFixed(0)}%)${np ? `, engine / numpy ${(web.engine / np).toFixed(2)}x` : ''}`);

  // 2. Per optimiser, every engine, 64k and 1M runs. CPU engines take fewer steps at 1M (the rate
  //    is per instance-step and does not depend on the step count once workers are warm).
  const perOpt: { optimizer: string; size: string; gpu: number; cpu: number; cpu64: number }[] = [];
  const sizes: [string, number, number, number][] = quick
    ? [['64k', 256, 200, 50]]
    : [
        ['64k', 256, 1000, 100],
        ['1M', 1024, 1000, 20],
      ];
  for (const o of OPTIMIZERS) {
    for (const [label, s, gpuSteps, cpuSteps] of sizes) {
      const g = await rate(gpu, sweepSpec(o.id, s, gpuSteps), 1);
      const c = await rate(cpu, sweepSpec(o.id, s, cpuSteps), 1);
      const c64 = await rate(cpu64, sweepSpec(o.id, s, cpuSteps), 1);
      perOpt.push({ optimizer: o.id, size: label, gpu: g, cpu: c, cpu64: c64 });
      log(`${o.id} ${label}: gpu ${fmt(g)}, cpu ${fmt(c)}, cpu64 ${fmt(c64)}`);
    }
  }
  // 3. What the wrappers cost per step, against the optimiser they wrap or replace: SAM takes a
  //    second gradient; Schedule-Free keeps three sequences and takes its gradient at y. Same sweep
  //    (LR x start.1) for both sides of each pair, so only the rule differs.
  const costSpec = (optimizer: Record<string, unknown>, extra: Record<string, unknown>, s: number, n: number): Plan =>
    makePlan(
      parseSpec({
        surface: 'rosenbrock',
        optimizer,
        steps: n,
        start: [-1.5, 2],
        sweep: {
          x: { param: 'optimizer.lr', min: 1e-5, max: 1e-3, count: s, scale: 'log' },
          y: { param: 'start.1', min: 1.5, max: 2.5, count: s },
        },
        ...extra,
      }),
    );
  const pairs: [string, Record<string, unknown>, Record<string, unknown>, Record<string, unknown>, Record<string, unknown>][] = [
    ['SAM around momentum SGD', { name: 'SGD', momentum: 0.9 }, {}, { name: 'SGD', momentum: 0.9 }, { sam: { rho: 0.05 } }],
    ['SAM around Adam', { name: 'Adam' }, {}, { name: 'Adam' }, { sam: { rho: 0.05 } }],
    ['adaptive SAM around Adam', { name: 'Adam' }, {}, { name: 'Adam' }, { sam: { rho: 0.5, adaptive: true } }],
    ['SGDScheduleFree vs momentum SGD', { name: 'SGD', momentum: 0.9 }, {}, { name: 'SGDScheduleFree', momentum: 0.9 }, {}],
    ['AdamWScheduleFree vs AdamW', { name: 'AdamW' }, {}, { name: 'AdamWScheduleFree' }, {}],
  ];
  const costs: { what: string; engine: string; base: number; wrapped: number }[] = [];
  const costSizes: [string, Engine, number, number][] = quick
    ? [['gpu', gpu, 256, 200], ['cpu', cpu, 128, 100]]
    : [['gpu', gpu, 1024, 1000], ['cpu', cpu, 256, 200]];
  for (const [what, baseOpt, baseExtra, opt, extra] of pairs) {
    for (const [name, engine, s, n] of costSizes) {
      const base = await rate(engine, costSpec(baseOpt, baseExtra, s, n), 1);
      const wrapped = await rate(engine, costSpec(opt, extra, s, n), 1);
      costs.push({ what, engine: name, base, wrapped });
      log(`${what} (${name}): ${fmt(base)} -> ${fmt(wrapped)}`);
    }
  }
  await Promise.all([gpu.dispose(), cpu.dispose(), cpu64.dispose()]);

  const lines: string[] = [];
  lines.push(`Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores, adapter ${gpu.gpu.adapter.vendor}/${gpu.gpu.adapter.architecture}${quick ? ' (quick mode)' : ''}.`, '');
  lines.push('| workload | engine | runs x steps | instance-steps/s |', '|---|---|---|---|');
  for (const r of rows) lines.push(`| ${r.what} | ${r.engine} | ${r.runs} x ${r.steps} | ${fmt(r.rate)} |`);
  lines.push('', `Node: engine / bare kernel ${((100 * engineRate) / bare).toFixed(1)}%` + (np ? `, engine / numpy ${(engineRate / np).toFixed(2)}x` : '') + `, engine / JS loop ${(engineRate / js).toFixed(1)}x.`);
  if (web) lines.push(`Chromium: engine / bare kernel ${((100 * web.engine) / web.bare).toFixed(1)}%` + (np ? `, engine / numpy ${(web.engine / np).toFixed(2)}x` : '') + '.');
  lines.push('');
  lines.push('| optimiser | runs | gpu | cpu (f32) | cpu64 | gpu / cpu | gpu / cpu64 |', '|---|---|---|---|---|---|---|');
  for (const r of perOpt) {
    lines.push(`| ${r.optimizer} | ${r.size} | ${fmt(r.gpu)} | ${fmt(r.cpu)} | ${fmt(r.cpu64)} | ${(r.gpu / r.cpu).toFixed(1)}x | ${(r.gpu / r.cpu64).toFixed(1)}x |`);
  }
  lines.push('', '| wrapper | engine | without | with | cost per step |', '|---|---|---|---|---|');
  for (const c of costs) lines.push(`| ${c.what} | ${c.engine} | ${fmt(c.base)} | ${fmt(c.wrapped)} | ${(c.base / c.wrapped).toFixed(2)}x |`);
  const md = lines.join('\n');
  process.stdout.write(`${md}\n`);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/latest.json', `${JSON.stringify({ date: new Date().toISOString(), quick, rows, perOpt, costs }, null, 1)}\n`);
}

await main();
