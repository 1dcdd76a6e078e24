/**
 * The WebGPU engine. Each run is one invocation; its state stays in registers for a whole dispatch
 * of many steps. Work is split twice: runs into chunks that fit the adapter's buffer and dispatch
 * limits, and each chunk's steps into submits small enough for progress, cancellation and GPU
 * watchdogs. Only per-run outcomes are read back, in the same Results format as the CPU engine.
 */
import { CancelledError, GpuRunError } from '../../core/errors.ts';
import { MAX_SWEEP_DIMS } from '../../core/layout.ts';
import type { AnyPlan, Plan } from '../../core/plan.ts';
import { sweepValue } from '../../core/plan.ts';
import type { AnyResults, NetResults, ResultColumns, Results } from '../../core/results.ts';
import { allocateColumns, makeResults } from '../../core/results.ts';
import type { ScheduleNode } from '../../core/registry/index.ts';
import { scheduleKind } from '../../core/registry/index.ts';
import type { NetTrajectory, Trajectory, TrajectoryRequest } from '../../core/trajectory.ts';
import type { NetPlan } from '../../core/network/plan.ts';
import type { DeviceResults, Engine, RunOptions } from '../engine.ts';
import { checkTrajectoryRequest, runRange0 } from '../engine.ts';
import type { ShaderSources, SweepKernel } from './compose.ts';
import { stepTables } from '../../core/steps.ts';

import { composeFiles, composeSweepKernel, deviceSchedules } from './compose.ts';
import { allocationScopes, mapForRead, runSubmits } from './submit.ts';
import { adapterName, type GpuContext } from './context.ts';
import { ChunkUniforms, PathPoint, RECORD_FLOATS, RUN_LIST_CAP, RunList, RunResult, RunTrack, RunUniforms, STEP_TABLE_STRIDE, STEP_TABLE_WINDOW, SWEEP_BINDINGS, TABLE_WINDOW_BYTES } from './layouts.ts';
import { STATE_VEC2 } from '../../core/layout.ts';
import { offsetOf } from './structs.ts';
import { entryOverrides } from './wgsl-layout.ts';
import { GpuNetRunner } from './net.ts';
import type { BaselineRun, NetDecomposition } from './net.ts';
import { PipelineCache, compileKernel } from './pipeline.ts';

export interface GpuEngineOptions {
  /** Invocations per workgroup (an override constant of the kernels). */
  readonly workgroupSize?: number;
  /** Most runs resident at once; defaults to what the limits allow, capped at 2^20. */
  readonly maxChunkRuns?: number;
  /** Run-steps of the first submit, before the engine has measured the device's speed. */
  readonly runStepsPerSubmit?: number;
  /**
   * Wall time to aim each later submit at: long enough that a dispatch's fixed cost is small (on
   * SwiftShader about 0.1 µs per resident run: ~0.1 s a dispatch at a million runs), short enough
   * for progress, cancellation and GPU watchdogs. Default 1000 ms; the app uses smaller chunks and
   * 150 ms.
   */
  readonly targetSubmitMs?: number;
  /**
   * Overrides the optimiser's gpuTwoStepsPerPass (still only where check_every is even and no
   * schedule runs per run): for `npm run bench -- --unroll`, which measures both.
   */
  readonly twoStepsPerPass?: boolean;
}

interface Pipelines {
  readonly step: GPUComputePipeline;
  /** Null for the benchmark's bare baseline, which only steps. */
  readonly classify: GPUComputePipeline | null;
}

type Constants = Record<string, number>;

/** Longest run whose shared per-step table is uploaded (32 bytes a step: 64 MB at this size). */
export const MAX_TABLE_STEPS = 2_000_000;
const TABLE_STEP_BYTES = STEP_TABLE_STRIDE * 4;

function scheduleOverrides(node: ScheduleNode | null, out: Constants): void {
  out.SCHEDULE_KIND = node ? scheduleKind(node.def) : 0;
  for (let i = 0; i < 4; i++) {
    const c = node?.children[i];
    out[`SCHEDULE_CHILD_KIND_${i}`] = c ? scheduleKind(c.def) : 0;
  }
}

/** Everything that changes the compiled shader; also the pipeline cache key. */
export function pipelineConstants(plan: Plan, workgroupSize: number, twoStepsPerPass?: boolean): Constants {
  const schedTable = plan.schedule !== null && plan.scheduleShared && plan.spec.steps <= MAX_TABLE_STEPS;
  // Two steps per inner-loop pass (docs/performance.md, item 13) where the optimiser measured
  // faster so; never with a per-run schedule, whose second copy took a per-run SequentialLR's
  // compile from 2.8 s to 4.4 s for a few percent.
  const wanted = twoStepsPerPass ?? plan.optimizer.gpuTwoStepsPerPass === true;
  const unroll = wanted && plan.checkEvery % 2 === 0 && (plan.schedule === null || schedTable) ? 2 : 1;
  const c: Constants = {
    WORKGROUP_SIZE: workgroupSize,
    NOISE: plan.noise ? 1 : 0,
    CYCLE_MOMENTUM: plan.cyclesMomentum ? 1 : 0,
    OPT_MOMENTUM_SLOT: Math.max(0, plan.momentumSlot),
    SWEEP_DIMS: plan.dims.length,
    SWEEP_MODE: plan.mode === 'grid' ? 1 : plan.mode === 'list' ? 2 : 0,
    MINIMA_COUNT: plan.lattice ? 0 : plan.minima.length,
    BASIN_LATTICE: plan.lattice ? 1 : 0,
    OUTCOME_EVERY: plan.checkEvery,
    STEP_UNROLL: unroll,
    STATE_USED: plan.spec.swa ? STATE_VEC2 : 1 + plan.optimizer.stateSlots,
    SWA: plan.spec.swa ? 1 : 0,
    SWA_ON: plan.spec.swa ? 1 : 0,
    SWA_START: plan.spec.swa?.start ?? 1,
    SWA_EVERY: plan.spec.swa?.every ?? 1,
    SAM: plan.spec.sam ? 1 : 0,
    SAM_ADAPTIVE: plan.spec.sam?.adaptive ? 1 : 0,
    GRAD_SLOT: plan.optimizer.gradSlot ?? 0,
    PLATEAU: plan.schedule?.def.plateau ? 1 : 0,
    SCHED_TABLE: schedTable ? 1 : 0,
    OPT_TABLE: plan.optScalarsShared && plan.spec.steps <= MAX_TABLE_STEPS ? 1 : 0,
    OPT_SCALARS: plan.optimizer.stepScalars?.count ?? 4,
  };
  // Fixed parameters are compile-time constants; swept slots read the run's own value, so their
  // base value must not split the pipeline cache.
  const swept = new Set(plan.dims.map((d) => d.slot));
  plan.P.forEach((v, i) => {
    c[`P_${i}`] = swept.has(i) ? 0 : Math.fround(v);
  });
  for (let d = 0; d < MAX_SWEEP_DIMS; d++) c[`SWEEP_SLOT_${d}`] = plan.dims[d]?.slot ?? 0xffffffff;
  entryOverrides(plan.surface.id, plan.surface.params, plan.spec.surface.params, c);
  entryOverrides(plan.optimizer.id, plan.optimizer.params, plan.spec.optimizer.params, c);
  scheduleOverrides(plan.schedule, c);
  return c;
}


/**
 * Run-steps one checkpoint block of a chunk may hold (chunkRuns): about a second of Adam on a laptop
 * GPU, well inside the 2 s Windows and browser watchdogs; a sweep at the default check_every (2% of
 * its steps) meets it only past 10⁵ steps a run.
 */
export const MAX_BLOCK_RUN_STEPS = 2e9;

/** Bytes of path records one recording submit may fill (read back before the next). */
const RECORD_WINDOW_BYTES = 16 << 20;

/**
 * Points a run records over one checkpoint block of `ck` steps, recording every `every`-th: the
 * block's own, and its two ends. The fewest a recording submit's window must hold per run.
 */
export function blockPoints(ck: number, every: number): number {
  return Math.ceil(ck / every) + 2;
}

/** What every dispatch of a plan binds, made once per run or recording. */
interface Prepared {
  readonly chunkU: GPUBuffer;
  readonly sweepBuf: GPUBuffer;
  /** Outcome records (sweeps) or the path-record window (recording). */
  readonly results: GPUBuffer;
  readonly readback: GPUBuffer;
  readonly tracks: GPUBuffer;
  readonly runList: GPUBuffer;
  readonly bindGroup: GPUBindGroup;
  /** A per-step table is bound (its window must hold each dispatch's steps). */
  readonly tabled: boolean;
  /** Steps per minStorageBufferOffsetAlignment of the table. */
  readonly alignSteps: number;
}

export class GpuEngine implements Engine {
  readonly name = 'gpu' as const;
  /** Set by a run with retainOnDevice; replaced (and the old buffer destroyed) by the next one. */
  private retained: DeviceResults | null = null;
  private readonly pipelines = new PipelineCache<Pipelines>();
  private readonly layout: GPUBindGroupLayout;
  private readonly pipelineLayout: GPUPipelineLayout;
  private readonly wg: number;
  /** Network plans (net.ts). */
  private readonly net: GpuNetRunner;

  constructor(
    readonly gpu: GpuContext,
    private readonly sources: ShaderSources,
    private readonly opts: GpuEngineOptions = {},
  ) {
    this.wg = opts.workgroupSize ?? 64;
    this.layout = gpu.device.createBindGroupLayout({ label: 'basinlab sweep bindings', entries: SWEEP_BINDINGS.layoutEntries(GPUShaderStage.COMPUTE) });
    this.pipelineLayout = gpu.device.createPipelineLayout({ label: 'basinlab sweep layout', bindGroupLayouts: [this.layout] });
    this.net = new GpuNetRunner(gpu, sources, this.wg, opts.targetSubmitMs ?? 1000, () => this.checkHealth(), opts.maxChunkRuns, opts.runStepsPerSubmit);
  }

  /** The network benchmark's baseline (GpuNetRunner.runBaseline): wall time in ms, in either decomposition, and the final weights when asked. */
  runNetBaseline(plan: NetPlan, opts: RunOptions = {}, how: { readonly decomposition?: NetDecomposition; readonly weights?: boolean } = {}): Promise<BaselineRun> {
    return this.net.runBaseline(plan, opts, how);
  }

  /** Runs per chunk of a network plan (throws when not even one run fits the device). */
  netChunkRuns(plan: NetPlan): number {
    return this.net.chunkRuns(plan);
  }

  /** The step and classify pipelines of a plan; `recordEvery` set: the path-recording variant. */
  private async pipelinesFor(plan: Plan, recordEvery?: number): Promise<Pipelines> {
    const constants = pipelineConstants(plan, this.wg, this.opts.twoStepsPerPass);
    if (recordEvery !== undefined) {
      constants.RECORD = 1;
      constants.RECORD_EVERY = recordEvery;
    }
    const key = `${plan.surface.id}|${plan.optimizer.id}|${JSON.stringify(constants)}`;
    const hit = this.pipelines.get(key);
    if (hit) return hit;
    const make = async (kernel: SweepKernel): Promise<GPUComputePipeline> => {
      const label = `${kernel} ${plan.surface.id} ${plan.optimizer.id}`;
      // classify never evaluates a schedule; the step kernel only when the LR is neither the
      // shared per-step table nor the run's plateau state.
      const onDevice = kernel === 'sweep_step' && !constants.SCHED_TABLE && !constants.PLATEAU;
      const code = composeSweepKernel(this.sources, kernel, plan.surface, plan.optimizer, deviceSchedules(onDevice ? plan.schedule : null));
      return compileKernel(this.gpu.device, this.pipelineLayout, label, code, constants);
    };
    // Recording needs no outcome records: the paths and the tracks are read back instead.
    const pipelines = { step: await make('sweep_step'), classify: recordEvery === undefined ? await make('classify') : null };
    this.pipelines.set(key, pipelines);
    return pipelines;
  }

  /**
   * Runs per chunk: all of them if the limits allow, else what the buffers and dispatch size allow,
   * and no more than keep one checkpoint block within MAX_BLOCK_RUN_STEPS: a submit covers whole
   * blocks of check_every steps for every run of its chunk (checkpoints count from each dispatch's
   * first step), so a chunk of 65,536 runs at check_every 100,000 could not be submitted in less
   * than 6.6·10⁹ run-steps, seconds on a laptop's GPU, past a driver's watchdog (review 24).
   */
  chunkRuns(plan: Plan): number {
    const l = this.gpu.limits;
    const slotBytes = STATE_VEC2 * 8;
    const byBinding = Math.floor(l.maxStorageBufferBindingSize / slotBytes);
    const byBuffer = Math.floor(l.maxBufferSize / slotBytes);
    const byDispatch = l.maxComputeWorkgroupsPerDimension * this.wg;
    const byBlock = Math.max(this.wg, Math.floor(MAX_BLOCK_RUN_STEPS / plan.checkEvery));
    const cap = this.opts.maxChunkRuns ?? 1 << 20;
    return Math.max(1, Math.min(plan.runs, byBinding, byBuffer, byDispatch, byBlock, cap));
  }

  run(plan: Plan, opts?: RunOptions): Promise<Results>;
  run(plan: NetPlan, opts?: RunOptions): Promise<NetResults>;
  run(plan: AnyPlan, opts?: RunOptions): Promise<AnyResults>;
  async run(plan: AnyPlan, opts: RunOptions = {}): Promise<AnyResults> {
    if (this.gpu.lost) throw this.gpu.lost;
    try {
      if (plan.problem === 'network') return await this.net.run(plan, opts);
      return await this.execute(plan, await this.pipelinesFor(plan), opts);
    } catch (e) {
      // A lost device surfaces as whatever call noticed first (a rejected mapAsync, an
      // OperationError); report the loss itself, which the app and CLI know how to handle.
      if (this.gpu.lost) throw this.gpu.lost;
      throw e;
    }
  }

  /**
   * The benchmark's baseline: the same plan (SGD with momentum on Rosenbrock, swept through the
   * grid) stepped by shaders/kernels/bare_momentum_rosenbrock.wgsl, with the same chunks and submits.
   */
  async runBaseline(plan: Plan, opts: RunOptions = {}): Promise<number> {
    if (plan.surface.id !== 'rosenbrock' || plan.optimizer.id !== 'SGD' || plan.schedule || plan.noise) {
      throw new Error('the bare baseline runs SGD on rosenbrock with a constant LR and no noise');
    }
    const constants = pipelineConstants(plan, this.wg, this.opts.twoStepsPerPass);
    const key = `bare|${JSON.stringify(constants)}`;
    let pipelines = this.pipelines.get(key);
    if (!pipelines) {
      const code = composeFiles(this.sources, SWEEP_BINDINGS.wgsl(), ['lib/bindings.wgsl', 'lib/params.wgsl', 'kernels/bare_momentum_rosenbrock.wgsl']);
      const step = await compileKernel(this.gpu.device, this.pipelineLayout, 'bare momentum rosenbrock', code, constants);
      pipelines = { step, classify: null };
      this.pipelines.set(key, pipelines);
    }
    const t0 = performance.now();
    await this.execute(plan, pipelines, opts);
    return performance.now() - t0;
  }

  /**
   * Buffers and the bind group every dispatch of a plan uses, for `capacity` resident runs.
   * `recordFloats`: size of the path-record window (recording), else the outcome records.
   * Every buffer made is in `created`, for the caller to destroy.
   */
  private prepare(plan: Plan, capacity: number, created: GPUBuffer[], recordFloats = 0): Prepared {
    const device = this.gpu.device;
    const U = GPUBufferUsage;
    const steps = plan.spec.steps;
    const buffer = (label: string, size: number, usage: GPUBufferUsageFlags): GPUBuffer => {
      const b = device.createBuffer({ label, size: Math.max(16, Math.ceil(size / 16) * 16), usage });
      created.push(b);
      return b;
    };
    const runU = buffer('run uniforms', RunUniforms.size, U.UNIFORM | U.COPY_DST);
    device.queue.writeBuffer(runU, 0, this.packRunUniforms(plan));
    const chunkU = buffer('chunk uniforms', ChunkUniforms.size, U.UNIFORM | U.COPY_DST);
    const dims = plan.dims.length;
    const sweepFloats = plan.mode === 'grid' ? plan.width + plan.height : plan.mode === 'list' ? capacity * dims : 1;
    const sweepBuf = buffer('sweep values', sweepFloats * 4, U.STORAGE | U.COPY_DST);
    if (plan.mode === 'grid') {
      const v = new Float32Array(plan.width + plan.height);
      v.set(plan.xValues, 0);
      v.set(plan.yValues, plan.width);
      device.queue.writeBuffer(sweepBuf, 0, v);
    }
    const minima = new Float32Array(Math.max(1, plan.minima.length) * 4);
    plan.minima.forEach((m, i) => minima.set([m.x, m.y, m.value, m.sharpness], i * 4));
    const minimaBuf = buffer('known minima', minima.byteLength, U.STORAGE | U.COPY_DST);
    device.queue.writeBuffer(minimaBuf, 0, minima);
    const data = plan.data ? Float32Array.from(plan.data) : new Float32Array(4);
    const dataBuf = buffer('surface data', data.byteLength, U.STORAGE | U.COPY_DST);
    device.queue.writeBuffer(dataBuf, 0, data);
    const tables = stepTables(plan, 'f32', MAX_TABLE_STEPS);
    const tabled = tables.schedule !== null || tables.optimizer !== null;
    const S = STEP_TABLE_STRIDE;
    const table = new Float32Array(tabled ? S * steps : 4);
    for (let k = 0; tables.schedule && k < steps; k++) table.set(tables.schedule.subarray(2 * k, 2 * k + 2), S * k);
    for (let k = 0; tables.optimizer && k < steps; k++) table.set(tables.optimizer.subarray(4 * k, 4 * k + 4), S * k + 4);
    // A dispatch binds the window starting at its first step, rounded down to the offset
    // alignment; the buffer extends one window past the last step so every window fits.
    const alignSteps = Math.max(1, Math.ceil(device.limits.minStorageBufferOffsetAlignment / TABLE_STEP_BYTES));
    if ((alignSteps * TABLE_STEP_BYTES) % device.limits.minStorageBufferOffsetAlignment !== 0) {
      throw new GpuRunError(`minStorageBufferOffsetAlignment ${device.limits.minStorageBufferOffsetAlignment} is not a multiple of a table step (${TABLE_STEP_BYTES} bytes)`, 'validation');
    }
    const tableBuf = buffer('step table', (tabled ? steps * TABLE_STEP_BYTES : 0) + TABLE_WINDOW_BYTES, U.STORAGE | U.COPY_DST);
    device.queue.writeBuffer(tableBuf, 0, table);
    const states = buffer('run state slots', capacity * STATE_VEC2 * 8, U.STORAGE);
    const tracks = buffer('run tracks', capacity * RunTrack.size, U.STORAGE | U.COPY_SRC);
    const outBytes = recordFloats > 0 ? recordFloats * 4 : capacity * RunResult.size;
    const results = buffer(recordFloats > 0 ? 'path records' : 'run results', outBytes, U.STORAGE | U.COPY_SRC | U.COPY_DST);
    const readback = buffer('results readback', outBytes, U.MAP_READ | U.COPY_DST);
    const runList = buffer('run list', RunList.size, U.UNIFORM | U.COPY_DST);
    const bindGroup = device.createBindGroup({
      label: 'sweep bind group',
      layout: this.layout,
      entries: SWEEP_BINDINGS.entries({
        run_u: runU,
        chunk: chunkU,
        sweep_data: sweepBuf,
        minima: minimaBuf,
        surface_data: dataBuf,
        state_slots: states,
        out: results,
        step_table: tableBuf,
        tracks,
        run_list: runList,
      }),
    });
    return { chunkU, sweepBuf, results, readback, tracks, runList, bindGroup, tabled, alignSteps };
  }

  /** Writes the chunk uniforms of one dispatch. */
  private writeChunk(p: Prepared, c: { begin: number; n: number; s0: number; s1: number; capacity: number; base: number; recordFirst?: number; recordCap?: number }): void {
    const u = new Uint32Array(ChunkUniforms.size / 4);
    const at = (name: string): number => offsetOf(ChunkUniforms, name) / 4;
    u[at('run_begin')] = c.begin;
    u[at('run_count')] = c.n;
    u[at('step_begin')] = c.s0;
    u[at('step_end')] = c.s1;
    u[at('capacity')] = c.capacity;
    u[at('table_base')] = c.base;
    u[at('record_first')] = c.recordFirst ?? 0;
    u[at('record_cap')] = c.recordCap ?? 0;
    this.gpu.device.queue.writeBuffer(p.chunkU, 0, u);
  }

  /** Grid sweeps index their axes by run; list sweeps need this dispatch's runs' values. */
  private writeListValues(plan: Plan, p: Prepared, runs: ArrayLike<number>): void {
    if (plan.mode !== 'list') return;
    const dims = plan.dims.length;
    const v = new Float32Array(runs.length * dims);
    for (let i = 0; i < runs.length; i++) for (let d = 0; d < dims; d++) v[i * dims + d] = sweepValue(plan, runs[i] as number, d);
    this.gpu.device.queue.writeBuffer(p.sweepBuf, 0, v);
  }

  /**
   * The last step of a dispatch starting at s0: at most `want` steps later, whole checkpoint blocks
   * (every submit but the last covers a multiple of them, since checkpoints count from step 0 of
   * each dispatch), inside the step-table window bound at `base`.
   */
  private dispatchEnd(plan: Plan, p: Prepared, s0: number, want: number): { s1: number; base: number } {
    const every = plan.checkEvery;
    const base = p.tabled ? s0 - (s0 % p.alignSteps) : 0;
    // With a table, the dispatch's steps must lie in the window bound at `base` (whole checkpoint
    // blocks fit: STEP_TABLE_WINDOW exceeds every checkpoint interval a table serves).
    const room = p.tabled ? Math.floor((base + STEP_TABLE_WINDOW - s0) / every) * every : want;
    if (room < 1) throw new GpuRunError(`outcome.check_every ${every} does not fit the step-table window of ${STEP_TABLE_WINDOW} steps`, 'validation');
    return { s1: Math.min(plan.spec.steps, s0 + Math.min(want, room)), base };
  }

  private async execute(plan: Plan, pipelines: Pipelines, opts: RunOptions): Promise<Results> {
    const t0 = performance.now();
    const device = this.gpu.device;
    const scopes = allocationScopes(device);
    const created: GPUBuffer[] = [];
    let keep: GPUBuffer | null = null;
    try {
      const chunk = this.chunkRuns(plan);
      const steps = plan.spec.steps;
      const U = GPUBufferUsage;
      const p = this.prepare(plan, chunk, created);
      const [r0, r1] = runRange0(plan, opts);
      const retain = opts.retainOnDevice === true && r0 === 0 && r1 === plan.runs;
      if (retain) {
        // One buffer of every run's result, bound whole by the heatmap's renderer: kept only where
        // the device's limits allow both (review 24: 4096² runs are 738 MB, over the 256 MiB
        // maxBufferSize and 128 MiB binding many adapters have). Otherwise, once this run is done,
        // the previous sweep's is dropped, and the heatmap draws from the columns (Canvas 2D).
        const bytes = Math.max(16, plan.runs * RunResult.size);
        // Not in `created`: it outlives the run, until the next retained run replaces it.
        if (bytes <= Math.min(device.limits.maxBufferSize, device.limits.maxStorageBufferBindingSize)) keep = device.createBuffer({ label: 'retained results', size: bytes, usage: U.STORAGE | U.COPY_DST });
      }
      await scopes.close(`buffers for ${chunk} runs`);

      const keepCols = opts.keepResults !== false;
      const cols = allocateColumns(keepCols ? r1 - r0 : 0, 'f32', plan.spec);
      // A chunk's own columns when streaming, reused from one chunk to the next.
      const chunkCols = opts.onChunk ? allocateColumns(Math.min(chunk, r1 - r0), 'f32', plan.spec) : null;
      const progressCols = keepCols ? { columns: cols } : {};
      const every = plan.checkEvery;
      const targetMs = this.opts.targetSubmitMs ?? 1000;
      // Run-steps the device does per millisecond, learnt from the submits so far; the first
      // submit assumes a slow device (SwiftShader on two cores does ~0.3 run-steps per ns).
      let perMs = (this.opts.runStepsPerSubmit ?? 100_000_000) / targetMs;
      const total = (r1 - r0) * steps;
      for (let begin = r0; begin < r1; begin += chunk) {
        const n = Math.min(chunk, r1 - begin);
        if (plan.mode === 'list') this.writeListValues(plan, p, Array.from({ length: n }, (_, i) => begin + i));
        const groups = Math.ceil(n / this.wg);
        perMs = await runSubmits({
          device,
          units: steps,
          runs: n,
          targetMs,
          perMs,
          quantum: every,
          signal: opts.signal,
          checkHealth: () => this.checkHealth(),
          encode: (s0, want) => {
            const { s1, base } = this.dispatchEnd(plan, p, s0, want);
            this.writeChunk(p, { begin, n, s0, s1, capacity: chunk, base });
            const enc = device.createCommandEncoder({ label: `steps ${s0}..${s1} of runs ${begin}..${begin + n}` });
            const pass = enc.beginComputePass({ label: 'sweep step' });
            pass.setPipeline(pipelines.step);
            pass.setBindGroup(0, p.bindGroup, [base * TABLE_STEP_BYTES]);
            pass.dispatchWorkgroups(groups);
            pass.end();
            if (s1 === steps && pipelines.classify) {
              const cp = enc.beginComputePass({ label: 'classify' });
              cp.setPipeline(pipelines.classify);
              cp.setBindGroup(0, p.bindGroup, [base * TABLE_STEP_BYTES]);
              cp.dispatchWorkgroups(groups);
              cp.end();
              enc.copyBufferToBuffer(p.results, 0, p.readback, 0, n * RunResult.size);
              if (keep) enc.copyBufferToBuffer(p.results, 0, keep, begin * RunResult.size, n * RunResult.size);
            }
            return { u1: s1, commands: enc.finish() };
          },
          onQueued: (s0) => opts.onProgress?.({ done: (begin - r0) * steps + n * s0, total, runsReady: begin - r0, ...progressCols }),
        });
        // The last submit of a chunk can take a second: a cancellation during it is honoured
        // here, and after the chunk's hand-over, not only between submits.
        if (opts.signal?.aborted) throw new CancelledError();
        if (pipelines.classify) {
          await mapForRead(p.readback, () => this.checkHealth(), n * RunResult.size);
          const mapped = p.readback.getMappedRange(0, n * RunResult.size);
          if (keepCols) unpackResults(mapped, n, cols, begin - r0);
          if (chunkCols) unpackResults(mapped, n, chunkCols, 0);
          p.readback.unmap();
          if (chunkCols) await opts.onChunk?.(begin, chunkCols, n);
        }
        if (opts.signal?.aborted) throw new CancelledError();
        opts.onProgress?.({ done: (begin + n - r0) * steps, total, runsReady: begin + n - r0, ...progressCols });
      }
      if (retain) {
        this.retained?.buffer.destroy();
        this.retained = keep
          ? {
              device,
              buffer: keep,
              recordWgsl: RunResult.wgsl,
              recordSize: RunResult.size,
              runs: plan.runs,
              width: plan.width,
              height: plan.height,
            }
          : null;
        keep = null;
      }
      const a = this.gpu.adapter;
      return makeResults(plan, 'gpu', cols, {
        adapter: adapterName(a),
        chunk_runs: chunk,
        elapsed_ms: Math.round(performance.now() - t0),
        ...(r0 !== 0 || r1 !== plan.runs ? { first_run: r0, runs: r1 - r0 } : {}),
      });
    } finally {
      await scopes.release();
      for (const b of created) b.destroy();
      keep?.destroy();
    }
  }

  /**
   * Records paths on the device: the sweep kernel's recording variant advances only the requested
   * runs (a run list, up to RUN_LIST_CAP a dispatch) and writes a record at the start, every
   * `every`-th step, the last step and a detected divergence. Submits cover as many steps as fit a
   * record window of RECORD_WINDOW_BYTES; each window is read back before the next submit.
   */
  trajectories(plan: Plan, req: TrajectoryRequest): Promise<Trajectory[]>;
  trajectories(plan: NetPlan, req: TrajectoryRequest): Promise<NetTrajectory[]>;
  trajectories(plan: AnyPlan, req: TrajectoryRequest): Promise<Trajectory[] | NetTrajectory[]>;
  async trajectories(plan: AnyPlan, req: TrajectoryRequest): Promise<Trajectory[] | NetTrajectory[]> {
    if (plan.problem === 'network') {
      // On the device too: the network kernel's recording variant trains the listed runs.
      if (this.gpu.lost) throw this.gpu.lost;
      const every = checkTrajectoryRequest(plan, req);
      if (req.signal?.aborted) throw new CancelledError();
      try {
        return await this.net.trajectories(plan, req.runs, every, req.signal);
      } catch (e) {
        if (this.gpu.lost) throw this.gpu.lost;
        throw e;
      }
    }
    if (this.gpu.lost) throw this.gpu.lost;
    const every = checkTrajectoryRequest(plan, req);
    try {
      const pipelines = await this.pipelinesFor(plan, every);
      const out: Trajectory[] = [];
      // A submit covers at least one checkpoint block (checkpoints count from its first step), so
      // a window must hold a block's points for every run it records: fewer runs a call where the
      // blocks are long (review 24: 1,024 runs at check_every 1000 overran the window).
      const perCall = Math.max(1, Math.min(RUN_LIST_CAP, Math.floor(RECORD_WINDOW_BYTES / (blockPoints(plan.checkEvery, every) * RECORD_FLOATS * 4))));
      for (let i = 0; i < req.runs.length; i += perCall) {
        out.push(...(await this.record(plan, pipelines, req.runs.slice(i, i + perCall), every, req.signal)));
      }
      return out;
    } catch (e) {
      if (this.gpu.lost) throw this.gpu.lost;
      throw e;
    }
  }

  private async record(plan: Plan, pipelines: Pipelines, runs: readonly number[], every: number, signal: AbortSignal | undefined): Promise<Trajectory[]> {
    const device = this.gpu.device;
    const n = runs.length;
    const steps = plan.spec.steps;
    const ck = plan.checkEvery;
    // Points per run a window may hold, and so the steps per submit (whole checkpoint blocks): at
    // least one block's (trajectories() sizes the calls so that this stays within the window).
    const capPoints = Math.max(blockPoints(ck, every), Math.floor(RECORD_WINDOW_BYTES / (n * RECORD_FLOATS * 4)));
    const windowSteps = Math.max(ck, Math.floor(((capPoints - 2) * every) / ck) * ck);
    const scopes = allocationScopes(device);
    const created: GPUBuffer[] = [];
    try {
      const p = this.prepare(plan, n, created, n * capPoints * RECORD_FLOATS);
      await scopes.close(`buffers for ${n} paths`);
      const list = new Uint32Array(RunList.size / 4);
      list.set(runs);
      device.queue.writeBuffer(p.runList, 0, list);
      this.writeListValues(plan, p, runs);
      const paths = runs.map(() => ({ steps: [] as number[], f: [] as number[] }));
      const groups = Math.ceil(n / this.wg);
      for (let s0 = 0; s0 < steps; ) {
        if (signal?.aborted) throw new CancelledError();
        const { s1, base } = this.dispatchEnd(plan, p, s0, windowSteps);
        const first = s0 === 0 ? 0 : Math.floor(s0 / every) + 1;
        const last = Math.ceil(s1 / every);
        const cap = last - first + 1;
        this.writeChunk(p, { begin: 0, n, s0, s1, capacity: n, base, recordFirst: first, recordCap: cap });
        const bytes = n * cap * RECORD_FLOATS * 4;
        const enc = device.createCommandEncoder({ label: `recorded steps ${s0}..${s1}` });
        // Unwritten records read as step 0 and are skipped (a path that diverged stops writing).
        enc.clearBuffer(p.results, 0, bytes);
        const pass = enc.beginComputePass({ label: 'sweep step (recording)' });
        pass.setPipeline(pipelines.step);
        pass.setBindGroup(0, p.bindGroup, [base * TABLE_STEP_BYTES]);
        pass.dispatchWorkgroups(groups);
        pass.end();
        enc.copyBufferToBuffer(p.results, 0, p.readback, 0, bytes);
        device.queue.submit([enc.finish()]);
        await mapForRead(p.readback, () => this.checkHealth(), bytes);
        const f = new Float32Array(p.readback.getMappedRange(0, bytes).slice(0));
        p.readback.unmap();
        for (let r = 0; r < n; r++) {
          const path = paths[r] as { steps: number[]; f: number[] };
          for (let i = 0; i < cap; i++) {
            const o = (r * cap + i) * RECORD_FLOATS;
            const step = f[o + offsetOf(PathPoint, 'step') / 4] as number;
            if (step === 0 && !(first === 0 && i === 0)) continue;
            path.steps.push(step);
            for (let j = 0; j < RECORD_FLOATS; j++) path.f.push(f[o + j] as number);
          }
        }
        s0 = s1;
      }
      // Divergence (and the step it was found at) from the tracks.
      const tb = n * RunTrack.size;
      const tracksBack = device.createBuffer({ label: 'tracks readback', size: Math.max(16, tb), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      created.push(tracksBack);
      const enc = device.createCommandEncoder({ label: 'tracks readback' });
      enc.copyBufferToBuffer(p.tracks, 0, tracksBack, 0, tb);
      device.queue.submit([enc.finish()]);
      await mapForRead(tracksBack, () => this.checkHealth(), tb);
      const tr = new Uint32Array(tracksBack.getMappedRange(0, tb).slice(0));
      tracksBack.unmap();
      const stride = RunTrack.size / 4;
      const cycles = plan.cyclesMomentum;
      const elsewhere = plan.spec.sam !== null || (plan.optimizer.gradSlot ?? 0) !== 0;
      // A PathPoint field's float within a point.
      const at = (field: string): number => offsetOf(PathPoint, field) / 4;
      return runs.map((run, r) => {
        const path = paths[r] as { steps: number[]; f: number[] };
        const m = path.steps.length;
        const col = (j: number, from: number): Float32Array => {
          const c = new Float32Array(m - from);
          for (let i = from; i < m; i++) c[i - from] = path.f[i * RECORD_FLOATS + j] as number;
          return c;
        };
        const diverged = tr[r * stride + offsetOf(RunTrack, 'diverged') / 4] !== 0;
        return {
          run,
          every,
          steps: Int32Array.from(path.steps),
          x: col(at('pos'), 0),
          y: col(at('pos') + 1, 0),
          loss: col(at('loss'), 0),
          lr: col(at('lr'), 1),
          momentum: cycles ? col(at('momentum'), 1) : null,
          gradAt: elsewhere ? { x: col(at('grad_at'), 1), y: col(at('grad_at') + 1, 1) } : null,
          diverged,
          divergedAt: diverged ? (tr[r * stride + offsetOf(RunTrack, 'entered') / 4] as number) : null,
        };
      });
    } finally {
      await scopes.release();
      for (const b of created) b.destroy();
    }
  }

  deviceResults(): DeviceResults | null {
    return this.retained;
  }

  private checkHealth(): void {
    if (this.gpu.lost) throw this.gpu.lost;
    const errs = this.gpu.takeUncapturedErrors();
    if (errs.length > 0) {
      const e = errs[0] as GPUError;
      const oom = typeof GPUOutOfMemoryError !== 'undefined' && e instanceof GPUOutOfMemoryError;
      throw new GpuRunError(e.message, oom ? 'out-of-memory' : 'validation');
    }
  }

  private packRunUniforms(plan: Plan): ArrayBuffer {
    const buf = new ArrayBuffer(RunUniforms.size);
    const f = new Float32Array(buf);
    const u = new Uint32Array(buf);
    const at = (name: string): number => offsetOf(RunUniforms, name) / 4;
    u[at('steps')] = plan.spec.steps;
    u[at('noise_seed')] = plan.spec.noise.seed;
    u[at('grid_width')] = plan.width;
    u[at('minima_count')] = plan.minima.length;
    f[at('bound')] = plan.bound;
    f[at('radius2')] = plan.radius * plan.radius;
    const lat = plan.lattice;
    f[at('lattice_x0')] = lat?.x0 ?? 0;
    f[at('lattice_y0')] = lat?.y0 ?? 0;
    f[at('lattice_inv_step')] = 1 / (lat?.step ?? 1);
    u[at('lattice_nx')] = lat?.nx ?? 0;
    u[at('lattice_ny')] = lat?.ny ?? 0;
    u[at('data_count')] = plan.data ? plan.data.length / 4 : 0;
    return buf;
  }

  async dispose(): Promise<void> {
    this.retained?.buffer.destroy();
    this.retained = null;
    this.pipelines.clear();
    this.net.dispose();
    this.gpu.destroy();
  }
}

/** De-interleaves RunResult records into the result columns at `offset`. */
function unpackResults(mapped: ArrayBuffer, n: number, cols: ResultColumns, offset: number): void {
  const f = new Float32Array(mapped);
  const i32 = new Int32Array(mapped);
  const stride = RunResult.size / 4;
  const o = (name: string): number => offsetOf(RunResult, name) / 4;
  const [ox, oy, ol, os, ob, oc, od] = ['final_x', 'final_y', 'loss', 'sharpness', 'basin', 'steps_to_converge', 'diverged'].map(o) as [
    number, number, number, number, number, number, number,
  ];
  for (let i = 0; i < n; i++) {
    const b = i * stride;
    const j = offset + i;
    // Typed-array reads use "!": b + field offset < n * stride, the mapped length.
    cols.final_x[j] = f[b + ox]!;
    cols.final_y[j] = f[b + oy]!;
    cols.loss[j] = f[b + ol]!;
    cols.sharpness[j] = f[b + os]!;
    cols.basin[j] = i32[b + ob]!;
    cols.steps_to_converge[j] = i32[b + oc]!;
    cols.diverged[j] = i32[b + od]! !== 0 ? 1 : 0;
  }
  if (cols.swa_x && cols.swa_y && cols.swa_loss) {
    const [sx, sy, sl] = ['swa_x', 'swa_y', 'swa_loss'].map(o) as [number, number, number];
    for (let i = 0; i < n; i++) {
      const b = i * stride;
      cols.swa_x[offset + i] = f[b + sx]!;
      cols.swa_y[offset + i] = f[b + sy]!;
      cols.swa_loss[offset + i] = f[b + sl]!;
    }
  }
}
