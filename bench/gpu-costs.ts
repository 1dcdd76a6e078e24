/**
 * What a device costs apart from stepping: a submit, a dispatch, a pipeline compile. On SwiftShader
 * these are CPU work hidden inside the step rate; on a real driver they decide how the app feels
 * (every change of a fixed parameter compiles a pipeline, since fixed parameters are override
 * constants) and how small a chunk can be before the GPU idles.
 *
 *   - submit round trip: one tiny dispatch (one workgroup), submitted and waited for
 *     (onSubmittedWorkDone); median of many. What a cancel or progress check costs at the least.
 *   - tiny dispatch in a batch: many such dispatches in one submit, time per dispatch.
 *   - engine dispatch: the headline plan run as one dispatch and as one per checkpoint block
 *     (steps / check_every dispatches), same engine code, same device: the difference per extra
 *     dispatch, and that over the resident runs (docs/performance.md item 8 measured this by hand).
 *   - pipeline compile: the step and classify pipelines for a fixed-parameter value never used
 *     before (random, so no driver-side shader cache can hold it): the first run of a tiny plan
 *     minus the second.
 */
import type { Plan } from '../src/core/plan.ts';
import { makePlan } from '../src/core/plan.ts';
import { parseSpec } from '../src/core/spec.ts';
import { GpuEngine } from '../src/engine/gpu/engine.ts';
import { nodeShaderSources } from '../src/engine/gpu/shader-sources-node.ts';

export interface EngineDispatchCost {
  readonly runs: number;
  readonly steps: number;
  readonly checkEvery: number;
  readonly oneMs: number;
  readonly manyMs: number;
  readonly manyDispatches: number;
  /** (manyMs - oneMs) / (manyDispatches - 1). */
  readonly perDispatchMs: number;
  /** perDispatchMs over the resident runs, in nanoseconds. */
  readonly perResidentRunNs: number;
}

export interface CompileCost {
  readonly what: string;
  /** One sample per fresh value: first run minus second run, ms. */
  readonly samplesMs: readonly number[];
  readonly medianMs: number;
}

export interface GpuCosts {
  readonly submitRoundTripUs: number;
  readonly batchedDispatchUs: number;
  readonly engineDispatch: EngineDispatchCost;
  readonly compile: readonly CompileCost[];
}

function median(v: readonly number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

const TINY = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> v: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x < arrayLength(&v)) { v[id.x] = v[id.x] * 0.5 + 1.0; }
}`;

async function tinyDispatch(device: GPUDevice): Promise<{ roundTripUs: number; batchedUs: number }> {
  const buf = device.createBuffer({ label: 'bench tiny', size: 256, usage: GPUBufferUsage.STORAGE });
  const pipeline = await device.createComputePipelineAsync({
    label: 'bench tiny',
    layout: 'auto',
    compute: { module: device.createShaderModule({ label: 'bench tiny', code: TINY }), entryPoint: 'main' },
  });
  const bind = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: buf } }] });
  const submit = async (dispatches: number): Promise<number> => {
    const t0 = performance.now();
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    for (let i = 0; i < dispatches; i++) pass.dispatchWorkgroups(1);
    pass.end();
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
    return performance.now() - t0;
  };
  for (let i = 0; i < 20; i++) await submit(1);
  const one: number[] = [];
  for (let i = 0; i < 200; i++) one.push(await submit(1));
  const BATCH = 1000;
  let batched = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) batched = Math.min(batched, await submit(BATCH));
  buf.destroy();
  return { roundTripUs: 1000 * median(one), batchedUs: (1000 * batched) / BATCH };
}

/** Time of one run and the dispatches it made (progress is reported once per submit and once per chunk). */
async function timed(engine: GpuEngine, plan: Plan): Promise<{ ms: number; dispatches: number }> {
  let calls = 0;
  const t0 = performance.now();
  await engine.run(plan, { onProgress: () => void calls++ });
  const ms = performance.now() - t0;
  return { ms, dispatches: calls - Math.ceil(plan.runs / engine.chunkRuns(plan)) };
}

async function engineDispatch(gpu: GpuEngine, plan: Plan): Promise<EngineDispatchCost> {
  const n = plan.runs;
  const steps = plan.spec.steps;
  const every = plan.checkEvery;
  // Engines on the main engine's device (not disposed: dispose() destroys the shared device).
  // One submit for the whole run: the first submit's budget covers every step.
  const one = new GpuEngine(gpu.gpu, nodeShaderSources, { runStepsPerSubmit: n * steps, targetSubmitMs: 1e9 });
  // One submit per checkpoint block: a budget of one block, and a target so short that no
  // measured speed ever grows it past one block.
  const many = new GpuEngine(gpu.gpu, nodeShaderSources, { runStepsPerSubmit: n * every, targetSubmitMs: 1e-9 });
  await one.run(plan);
  await many.run(plan);
  let a = { ms: Number.POSITIVE_INFINITY, dispatches: 0 };
  let b = { ms: Number.POSITIVE_INFINITY, dispatches: 0 };
  // Alternating, best of two each: this VM drifts (docs/performance.md, latest full run).
  for (let i = 0; i < 2; i++) {
    const x = await timed(one, plan);
    if (x.ms < a.ms) a = x;
    const y = await timed(many, plan);
    if (y.ms < b.ms) b = y;
  }
  const chunks = Math.ceil(n / one.chunkRuns(plan));
  if (a.dispatches !== chunks) throw new Error(`one-submit engine made ${a.dispatches} dispatches, expected ${chunks}`);
  const extra = b.dispatches - a.dispatches;
  if (extra < 1) throw new Error(`one-per-block engine made ${b.dispatches} dispatches: nothing to compare`);
  const perDispatchMs = (b.ms - a.ms) / extra;
  return { runs: n, steps, checkEvery: every, oneMs: a.ms, manyMs: b.ms, manyDispatches: b.dispatches, perDispatchMs, perResidentRunNs: (1e6 * perDispatchMs) / n };
}

/** A tiny sweep (8 x 8 runs of LR x start.1, 20 steps) whose fixed parameters make a new pipeline. */
function tinyPlan(optimizer: Record<string, unknown>): Plan {
  return makePlan(
    parseSpec({
      surface: 'rosenbrock',
      optimizer,
      steps: 20,
      start: [-1.5, 2],
      sweep: {
        x: { param: 'optimizer.lr', min: 1e-5, max: 1e-3, count: 8, scale: 'log' },
        y: { param: 'start.1', min: 1.5, max: 2.5, count: 8 },
      },
    }),
  );
}

async function compile(gpu: GpuEngine, what: string, optimizer: () => Record<string, unknown>, samples = 3): Promise<CompileCost> {
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const plan = tinyPlan(optimizer());
    const t0 = performance.now();
    await gpu.run(plan);
    const t1 = performance.now();
    await gpu.run(plan);
    out.push(t1 - t0 - (performance.now() - t1));
  }
  return { what, samplesMs: out, medianMs: median(out) };
}

export async function gpuCosts(gpu: GpuEngine, headline: Plan): Promise<GpuCosts> {
  const tiny = await tinyDispatch(gpu.gpu.device);
  const dispatch = await engineDispatch(gpu, headline);
  // Values no earlier run used: Math.random() makes each a new override constant, here and in any
  // on-disk shader cache the driver keeps between bench runs.
  const compiles = [
    await compile(gpu, 'momentum SGD, new momentum', () => ({ name: 'SGD', momentum: 0.5 + 0.4 * Math.random() })),
    await compile(gpu, 'Adam, new eps', () => ({ name: 'Adam', eps: 1e-8 * (1 + Math.random()) })),
  ];
  return { submitRoundTripUs: tiny.roundTripUs, batchedDispatchUs: tiny.batchedUs, engineDispatch: dispatch, compile: compiles };
}
