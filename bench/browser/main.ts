/**
 * The GPU engine and the bare kernel in the browser (the app's path), for `npm run bench`: the
 * same plans as the Node measurements, on the browser's WebGPU (Chromium's Dawn on SwiftShader).
 * Results land in `window.__bench` for the harness to read.
 */
import { makePlan } from '../../src/core/plan.ts';
import { parseSpec } from '../../src/core/spec.ts';
import { acquireBrowserGpu } from '../../src/engine/gpu/device-browser.ts';
import { GpuEngine } from '../../src/engine/gpu/engine.ts';
import { browserShaderSources } from '../../src/engine/gpu/shader-sources-browser.ts';

async function main(): Promise<void> {
  const q = new URLSearchParams(location.hash.slice(1));
  const side = Number(q.get('side') ?? 1024);
  const steps = Number(q.get('steps') ?? 1000);
  const plan = makePlan(
    parseSpec({
      surface: 'rosenbrock',
      optimizer: { name: 'SGD', momentum: 0.9 },
      steps,
      start: [-1.5, 2],
      sweep: {
        x: { param: 'optimizer.lr', min: 1e-5, max: 1e-3, count: side, scale: 'log' },
        y: { param: 'optimizer.momentum', min: 0, max: 0.9, count: side },
      },
    }),
  );
  const ctx = await acquireBrowserGpu('bench');
  const gpu = new GpuEngine(ctx, browserShaderSources);
  const work = plan.runs * steps;
  await gpu.run(plan);
  await gpu.runBaseline(plan);
  let engine = 0;
  let bare = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await gpu.run(plan);
    engine = Math.max(engine, work / ((performance.now() - t0) / 1000));
    bare = Math.max(bare, work / ((await gpu.runBaseline(plan)) / 1000));
  }
  const a = ctx.adapter;
  const result = { adapter: `${a.vendor}/${a.architecture}`, runs: plan.runs, steps, engine, bare };
  (window as unknown as { __bench: unknown }).__bench = result;
  (document.getElementById('out') as HTMLElement).textContent = JSON.stringify(result, null, 1);
  await gpu.dispose();
}

main().catch((e: unknown) => {
  (window as unknown as { __bench: unknown }).__bench = { error: String(e) };
});
