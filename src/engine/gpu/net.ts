/**
 * Network runs on the GPU (shaders/kernels/net_step.wgsl): one run per invocation, its weights,
 * gradient, scratch and optimiser state in storage buffers laid out quantity-major, the data set and
 * each parameter group's P and per-step tables in one read-only buffer shared by every run. Every
 * optimiser runs: elementwise ones pair by pair through their twin's opt_step, those whose rule
 * reads a whole tensor (LARS, LAMB, Adafactor, Lion with caution) tensor by tensor through their
 * file's opt_tensor_step. Runs are split into chunks that fit the device's buffer limits (a sweep
 * whose single run cannot fit is refused before any work), a chunk's steps into submits sized for
 * progress and cancellation, as for surfaces (submit.ts). Sharpness (a power iteration of up to
 * network.sharpness_iterations Hessian-vector products, NetRun.sharpness) is a kernel of its own
 * (shaders/kernels/net_sharpness.wgsl), run on the final weights after the last step, in submits of its own. What comes
 * back is each run's outcome record.
 */
import { CancelledError, GpuRunError } from '../../core/errors.ts';
import { MAX_SWEEP_DIMS, P_COUNT } from '../../core/layout.ts';
import type { NetPlan } from '../../core/network/plan.ts';
import { DIVERGENCE_FACTOR, THRESHOLD_FACTOR } from '../../core/network/plan.ts';
import { sweepValue } from '../../core/plan.ts';
import type { NetColumns, NetResults } from '../../core/results.ts';
import type { NetTrajectory } from '../../core/trajectory.ts';
import { allocateColumns, columnSourceOf, makeNetResults } from '../../core/results.ts';
import { scheduleKind } from '../../core/registry/index.ts';
import type { TensorShape } from '../../core/registry/index.ts';
import { tablesFor } from '../../core/steps.ts';
import type { RunOptions } from '../engine.ts';
import { runRange0 } from '../engine.ts';
import { SHARPNESS_TOL, runInitialWeights, sharpnessStart } from '../../core/network/start.ts';
import { allocationScopes, mapForRead, runSubmits } from './submit.ts';
import type { ShaderSources } from './compose.ts';
import { NET_LIBS, composeFiles, composeNetKernel, composeNetSharpness, deviceSchedules } from './compose.ts';
import { adapterName, type GpuContext } from './context.ts';
import { ChunkUniforms, NET_BINDINGS, NET_MAX_SIZES, NET_PRIVATE_SCRATCH, NET_RECORD_HEAD, NetTrack, NetUniforms, STEP_TABLE_STRIDE, netRecordFloats, netRecordOffset } from './layouts.ts';
import { offsetOf } from './structs.ts';
import { entryOverrides } from './wgsl-layout.ts';
import { PipelineCache, compileKernel } from './pipeline.ts';

type Constants = Record<string, number>;

const ACTIVATIONS = ['tanh', 'relu', 'gelu', 'identity'] as const;

/** Why the GPU engine cannot run this network plan, or null. */
export function netGpuUnsupported(plan: NetPlan): string | null {
  // Booleans and enums of the optimiser are compiled into the pipeline (override constants): every
  // group must agree on them.
  const opt = plan.optimizer;
  // A rule over whole tensors (LARS, LAMB, Adafactor, Lion with caution) runs tensor by tensor
  // through the optimiser file's opt_tensor_step; the kernel runs either that for every group or
  // the elementwise twin for every group (the flags that decide it are shared between groups, below).
  const whole = plan.groups.map((g) => wholeGroup(plan, g.values));
  if (whole.some((w) => w) && whole.some((w) => !w)) {
    return `optimizer.param_groups: ${opt.id} steps some groups tensor by tensor and others elementwise; the GPU engine compiles one of the two into the kernel, so every group must share it`;
  }
  if (whole[0] && opt.gradSlot !== undefined) return `optimizer.name: ${opt.id} has a tensor rule and takes its gradient off the weights; the GPU engine does not run the two together`;
  for (const p of opt.params) {
    if (p.kind !== 'bool' && p.kind !== 'enum') continue;
    const base = JSON.stringify(plan.spec.optimizer.params[p.key] ?? p.default);
    for (const g of plan.groups) {
      if (JSON.stringify(g.values[p.key] ?? p.default) !== base) {
        return `optimizer.param_groups: ${opt.id}.${p.key} differs between groups (${g.name}); the GPU engine compiles it into the kernel, so every group must share it`;
      }
    }
  }
  if (plan.layout.sizes.length > NET_MAX_SIZES) return `network.hidden: at most ${NET_MAX_SIZES - 2} hidden layers on the GPU`;
  return null;
}

/** Whether a group with these values steps each tensor whole (the entry's `tensor` rule). */
function wholeGroup(plan: NetPlan, values: NetPlan['groups'][number]['values']): boolean {
  return plan.optimizer.tensor !== undefined && (plan.optimizer.perTensor?.(values) ?? false);
}

/** Every group steps its tensors whole (netGpuUnsupported refuses a mix). */
export function netTensorRule(plan: NetPlan): boolean {
  return plan.groups.length > 0 && plan.groups.every((g) => wholeGroup(plan, g.values));
}

/** A tensor's shape as the tensor rule sees it (TensorShape). */
function shapeOf(t: NetPlan['layout']['tensors'][number]): TensorShape {
  return t.kind === 'weight' ? [t.rows, t.cols] : [t.size];
}

/** Numbers of tensor-rule state a run keeps (0 without a tensor rule). */
function tensorStateSize(plan: NetPlan): number {
  const rule = plan.optimizer.tensor;
  if (!rule || !netTensorRule(plan)) return 0;
  return plan.layout.tensors.reduce((n, t) => n + rule.stateSize(shapeOf(t)), 0);
}

/**
 * Pair (i0, i1 or NO_COORD, group, 0) of each optimiser step, group by group as NetRun orders them;
 * then, for a tensor rule, two records per tensor in layout order: (offset, rows, cols, group) with
 * rows 0 and cols its size for a bias, and (offset of its state in the run's tensor state, size of
 * that state, 0, 0).
 */
export function netPairs(plan: NetPlan): Uint32Array {
  const out: number[] = [];
  plan.groups.forEach((_, group) => {
    plan.layout.tensors.forEach((t, ti) => {
      if (plan.tensorGroup[ti] !== group) return;
      for (let e = 0; e < t.size; e += 2) out.push(t.offset + e, e + 1 < t.size ? t.offset + e + 1 : 0xffffffff, group, 0);
    });
  });
  const rule = plan.optimizer.tensor;
  if (rule && netTensorRule(plan)) {
    let at = 0;
    plan.layout.tensors.forEach((t, ti) => {
      const size = rule.stateSize(shapeOf(t));
      const weight = t.kind === 'weight';
      out.push(t.offset, weight ? t.rows : 0, weight ? t.cols : t.size, plan.tensorGroup[ti] as number, at, size, 0, 0);
      at += size;
    });
  }
  return Uint32Array.from(out);
}

/** Everything that changes the compiled network kernel; also the pipeline cache key. */
export function netPipelineConstants(plan: NetPlan, workgroupSize: number): Constants {
  const spec = plan.spec;
  const batchDim = plan.dims.findIndex((d) => d.where.kind === 'batch');
  const c: Constants = {
    WORKGROUP_SIZE: workgroupSize,
    FULL_BATCH: plan.batch === null && batchDim < 0 ? 1 : 0,
    BATCH_DIM: batchDim < 0 ? 0xffffffff : batchDim,
    HAS_SCHEDULE: plan.schedule ? 1 : 0,
    PLATEAU: plan.schedule?.def.plateau ? 1 : 0,
    HAS_MOMENTUM: plan.momentumSlot >= 0 ? 1 : 0,
    OPT_MOMENTUM_SLOT: Math.max(0, plan.momentumSlot),
    CYCLE_MOMENTUM: plan.cyclesMomentum ? 1 : 0,
    GRAD_SLOT: plan.optimizer.gradSlot ?? 0,
    SAM: spec.sam ? 1 : 0,
    SAM_ADAPTIVE: spec.sam?.adaptive ? 1 : 0,
    SWA: spec.swa ? 1 : 0,
    SWA_START: spec.swa?.start ?? 1,
    SWA_EVERY: spec.swa?.every ?? 1,
    TENSOR_RULE: netTensorRule(plan) ? 1 : 0,
    SHARPNESS_TOL: SHARPNESS_TOL.f32,
    TENSOR_GLOBAL: netTensorRule(plan) && plan.optimizer.tensor?.global ? 1 : 0,
    STATE_USED: 1 + plan.optimizer.stateSlots,
    SWEEP_DIMS: plan.dims.length,
    ACTIVATION: ACTIVATIONS.indexOf(plan.layout.activation),
    MEAN_FIELD: plan.layout.parametrization === 'mean_field' ? 1 : 0,
    BIAS: plan.layout.bias ? 1 : 0,
    CROSS_ENTROPY: plan.loss === 'cross_entropy' ? 1 : 0,
    PRIVATE_SCRATCH: 3 * plan.layout.sizes.reduce((a, b) => a + b, 0) <= NET_PRIVATE_SCRATCH ? 1 : 0,
  };
  for (let d = 0; d < MAX_SWEEP_DIMS; d++) {
    const w = plan.dims[d]?.where;
    c[`SWEEP_SLOT_${d}`] = w?.kind === 'slot' ? w.slot : 0xffffffff;
    c[`SWEEP_GROUPS_${d}`] = w?.kind === 'slot' ? w.groups.reduce((m, g) => m | (1 << g), 0) : 0;
  }
  entryOverrides(plan.optimizer.id, plan.optimizer.params, spec.optimizer.params, c);
  const node = plan.schedule;
  c.SCHEDULE_KIND = node ? scheduleKind(node.def) : 0;
  for (let i = 0; i < 4; i++) {
    const ch = node?.children[i];
    c[`SCHEDULE_CHILD_KIND_${i}`] = ch ? scheduleKind(ch.def) : 0;
  }
  return c;
}

/** Trajectories to record (GpuNetRunner.trajectories): the runs, every how many steps, and the paths. */
interface NetTrace {
  readonly runs: readonly number[];
  readonly every: number;
  /** Points a run records at most: every every-th step, a stopping checkpoint, the end. */
  readonly points: number;
  /** Floats of one recorded point (netRecordFloats: its head, then one LR per param group). */
  readonly floats: number;
  readonly out: NetTrajectory[];
}

/** The paths of the n runs of a chunk from its tracks (at 0) and records (at recordsAt). */
function unpackRecords(mapped: ArrayBuffer, recordsAt: number, n: number, trace: NetTrace, begin: number): NetTrajectory[] {
  const stride = NetTrack.size / 4;
  const u32 = new Uint32Array(mapped, 0, (n * NetTrack.size) / 4);
  const rec = new Float32Array(mapped, recordsAt, n * trace.points * trace.floats);
  const groups = trace.floats - NET_RECORD_HEAD;
  const count = offsetOf(NetTrack, 'record_count') / 4;
  const div = offsetOf(NetTrack, 'diverged') / 4;
  // A field's float within a recorded point (the kernel writes it at NET_REC_<FIELD>).
  const f = netRecordOffset;
  const out: NetTrajectory[] = [];
  for (let r = 0; r < n; r++) {
    const m = Math.min(u32[r * stride + count]!, trace.points);
    const at = (i: number, f: number): number => rec[(r * trace.points + i) * trace.floats + f]!;
    const col = (f: number, from = 0): Float32Array => Float32Array.from({ length: Math.max(0, m - from) }, (_, i) => at(i + from, f));
    const diverged = u32[r * stride + div]! !== 0;
    // Each group's LR of the step that led to each point: none at the start (recordNetTrajectory).
    const groupLr = Array.from({ length: groups }, (_, g) => col(NET_RECORD_HEAD + g, 1));
    out.push({
      run: trace.runs[begin + r] as number,
      every: trace.every,
      steps: Int32Array.from({ length: m }, (_, i) => at(i, f('step'))),
      trainLoss: col(f('train_loss')),
      testLoss: col(f('test_loss')),
      lr: groupLr[groups - 1] as Float32Array,
      groupLr,
      gradNorm: col(f('grad_norm')),
      paramNorm: col(f('weight_norm')),
      diverged,
      divergedAt: diverged ? (m > 0 ? at(m - 1, f('step')) : 0) : null,
    });
  }
  return out;
}

/** The network's kernels: training, and the power iteration (null when sharpness is off). */
interface NetPipelines {
  readonly step: GPUComputePipeline;
  readonly sharpness: GPUComputePipeline | null;
  /** One workgroup per run (kernels/bare_net_wg.wgsl) rather than one invocation per run. */
  readonly perRun?: boolean;
}

/** How a network kernel shares out the runs: an invocation per run (the engine's), or a workgroup per run. */
export type NetDecomposition = 'invocation' | 'workgroup';

/** The largest difference between two runs' weights, relative above 1 (absolute below): how far two kernels trained apart. */
export function weightDifference(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)) / Math.max(1, Math.abs(a[i] as number)));
  return worst;
}

/** The bare baseline's wall time, and with `weights` each run's weights after its last step (run-major, float32). */
export interface BaselineRun {
  readonly ms: number;
  readonly weights: Float32Array | null;
}

/** Sizes of one chunk's device buffers. */
interface NetSizes {
  /** Float rows of `work` per run. */
  readonly rows: number;
  /** vec2 state entries per run. */
  readonly stateVec2: number;
  /** Floats of the shared read-only buffer before the chunk's swept values. */
  readonly constsFixed: number;
  readonly tableOff: number;
  readonly dataOff: number;
}

/** How many coordinate pairs a run's tensors make (each tensor's last pair may be half): counted, not listed. */
function netPairCount(plan: NetPlan): number {
  return plan.layout.tensors.reduce((n, t) => n + Math.ceil(t.size / 2), 0);
}

/** Whether the plan asks for each run's sharpness (a power iteration after the last step). */
function wantsSharpness(plan: NetPlan): boolean {
  return (plan.spec.network.sharpness_iterations as number) > 0;
}

function netSizes(plan: NetPlan, pairs: number, tableSteps: number): NetSizes {
  const L = plan.layout;
  const scratch = L.sizes.reduce((a, b) => a + b, 0);
  const d = plan.data;
  const tableOff = plan.groups.length * P_COUNT;
  const dataOff = tableOff + tableSteps * plan.groups.length * STEP_TABLE_STRIDE;
  const yw = (s: { y: Float64Array }): number => s.y.length;
  return {
    // Weights, gradient point, SAM point, SWA average, gradient; a sample's scratch (a, phi'(z),
    // deltas), and for sharpness four more (phi''(z), R{z}, R{a}, R{delta}: lib/net_pass.wgsl).
    rows: 5 * L.params + (wantsSharpness(plan) ? 7 : 3) * scratch,
    // Elementwise: the optimiser's state pairs of every parameter pair; a tensor rule: its tensors'
    // state, two numbers a vec2.
    stateVec2: netTensorRule(plan) ? Math.ceil(tensorStateSize(plan) / 2) : plan.optimizer.stateSlots * pairs,
    constsFixed: dataOff + d.train.x.length + yw(d.train) + d.test.x.length + yw(d.test),
    tableOff,
    dataOff,
  };
}

export class GpuNetRunner {
  private readonly pipelines = new PipelineCache<NetPipelines>();
  private readonly layout: GPUBindGroupLayout;
  private readonly pipelineLayout: GPUPipelineLayout;

  constructor(
    private readonly gpu: GpuContext,
    private readonly sources: ShaderSources,
    private readonly wg: number,
    private readonly targetSubmitMs: number,
    private readonly checkHealth: () => void,
    private readonly maxChunkRuns?: number,
    /** Run-steps of the first submit (else ~5e7 multiply-adds' worth), before the rate is measured. */
    private readonly firstSubmitRunSteps?: number,
  ) {
    this.layout = gpu.device.createBindGroupLayout({ label: 'basinlab network bindings', entries: NET_BINDINGS.layoutEntries(GPUShaderStage.COMPUTE) });
    this.pipelineLayout = gpu.device.createPipelineLayout({ label: 'basinlab network layout', bindGroupLayouts: [this.layout] });
  }

  /** The plan's pipelines; with `every`, the recording variant (trajectories; no sharpness). */
  private async pipelineFor(plan: NetPlan, every?: number): Promise<NetPipelines> {
    const constants = netPipelineConstants(plan, this.wg);
    const wantSharp = every === undefined && wantsSharpness(plan);
    if (every !== undefined) {
      constants.RECORD = 1;
      constants.RECORD_EVERY = every;
    }
    const key = `${plan.optimizer.id}|${wantSharp ? 'sharpness' : ''}|${JSON.stringify(constants)}`;
    const hit = this.pipelines.get(key);
    if (hit) return hit;
    // One kernel a file: the training step for this optimiser and schedule, and the sharpness power
    // iteration (the network libraries alone, so it compiles once for every optimiser of a shape).
    const kernel = (label: string, code: string): Promise<GPUComputePipeline> => compileKernel(this.gpu.device, this.pipelineLayout, label, code, constants);
    const [step, sharpness] = await Promise.all([
      kernel(`net_step ${plan.optimizer.id}`, composeNetKernel(this.sources, plan.optimizer, deviceSchedules(plan.schedule))),
      wantSharp ? kernel('net_sharpness', composeNetSharpness(this.sources)) : Promise.resolve(null),
    ]);
    const pipelines = { step, sharpness };
    this.pipelines.set(key, pipelines);
    return pipelines;
  }

  /**
   * Runs per chunk: as many as every buffer's binding limit allows (`constsPerRun`: floats a run
   * takes in consts beyond its swept values, a recording's run index). Throws, before any work,
   * when not even one run (or the shared data) fits, naming the sizes.
   */
  chunkRuns(plan: NetPlan, constsPerRun = 0): number {
    const l = this.gpu.limits;
    const limit = Math.min(l.maxStorageBufferBindingSize, l.maxBufferSize);
    // Counted, not listed: a model too big for the device may be too big for a JavaScript array.
    const pairs = netPairCount(plan);
    const s = netSizes(plan, pairs, plan.spec.steps);
    const dims = plan.dims.length;
    const perRun = [s.rows * 4, s.stateVec2 * 8, NetTrack.size];
    const fixedBytes = s.constsFixed * 4;
    const mib = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;
    if (fixedBytes + dims * 4 > limit) {
      throw new GpuRunError(
        `this network sweep does not fit the GPU: the data set and per-step tables need ${mib(fixedBytes)} in one buffer, more than the device's storage buffer limit of ${mib(limit)} (fewer steps or a smaller data set, or the CPU engine: --engine cpu on the CLI, engine=cpu in the app's link)`,
        'out-of-memory',
      );
    }
    const worst = Math.max(...perRun);
    if (worst > limit) {
      throw new GpuRunError(
        `this network sweep does not fit the GPU: one run needs ${mib(worst)} in one buffer (a ${plan.layout.params}-parameter network, its gradient and scratch, or its optimiser state), more than the device's storage buffer limit of ${mib(limit)} (a smaller network, or the CPU engine: --engine cpu on the CLI, engine=cpu in the app's link)`,
        'out-of-memory',
      );
    }
    let n = Math.min(plan.runs, ...perRun.map((b) => Math.floor(limit / b)), l.maxComputeWorkgroupsPerDimension * this.wg, this.maxChunkRuns ?? 1 << 20);
    // consts holds each run's swept values (and, recording, `constsPerRun` more floats).
    if (dims + constsPerRun > 0) n = Math.min(n, Math.floor((limit - fixedBytes) / ((dims + constsPerRun) * 4)));
    return Math.max(1, n);
  }

  async run(plan: NetPlan, opts: RunOptions = {}): Promise<NetResults> {
    const why = netGpuUnsupported(plan);
    if (why) throw new Error(`${why} (the cpu and cpu64 engines run it)`);
    this.chunkRuns(plan);
    return this.execute(plan, await this.pipelineFor(plan), opts);
  }

  /**
   * Records the paths of `runs` on the device (the kernel's RECORD variant): at the start, every
   * `every`-th step, a checkpoint that stops the run and the end, each point's training and test
   * loss, each param group's LR of the step that led there, the gradient's and the weights' norms, as
   * recordNetTrajectory does on the CPU (tests/gpu/network.test.ts compares them).
   */
  async trajectories(plan: NetPlan, runs: readonly number[], every: number, signal?: AbortSignal): Promise<NetTrajectory[]> {
    const why = netGpuUnsupported(plan);
    if (why) throw new Error(`${why} (the cpu and cpu64 engines run it)`);
    this.chunkRuns(plan);
    const out: NetTrajectory[] = [];
    const points = Math.ceil(plan.spec.steps / every) + 2;
    const floats = netRecordFloats(plan.groups.length);
    // A run's whole path stays on the device until its chunk is read back (one run at least a
    // chunk): refused, named, where one run's path would not fit a buffer (review 24: it failed as a
    // bare validation error).
    const room = Math.min(this.gpu.limits.maxStorageBufferBindingSize, this.gpu.limits.maxBufferSize - NetTrack.size);
    if (points * floats * 4 > room) {
      const mb = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;
      const fewest = Math.ceil(plan.spec.steps / Math.max(1, Math.floor(room / (floats * 4)) - 2));
      throw new GpuRunError(
        `recording a network run's ${plan.spec.steps} steps every ${every} keeps ${points} points of it on the GPU (${mb(points * floats * 4)}), over this device's ${mb(room)} for one buffer: record every ${fewest} steps or more, or on a CPU engine`,
        'validation',
      );
    }
    const trace = { runs, every, points, floats, out };
    await this.execute(plan, await this.pipelineFor(plan, every), signal ? { signal } : {}, trace);
    return out;
  }

  /**
   * The benchmark's baseline: the plan's chunks and submits through kernels/bare_net_sgd.wgsl (the
   * same forward and backward, a plain momentum-SGD update, nothing else), or with `workgroup` the
   * same work shared by a workgroup per run (kernels/bare_net_wg.wgsl); returns the wall time in ms,
   * and with `weights` the runs' final weights (to check the two decompositions agree). Its outcome
   * records are not written: only the time and the weights mean anything.
   */
  async runBaseline(plan: NetPlan, opts: RunOptions = {}, how: { readonly decomposition?: NetDecomposition; readonly weights?: boolean } = {}): Promise<BaselineRun> {
    if (plan.optimizer.id !== 'SGD' || plan.schedule || plan.spec.sam || plan.spec.swa || plan.dims.some((d) => d.where.kind === 'batch')) {
      throw new Error('the bare network baseline runs SGD (with momentum) with no schedule, SAM, SWA or swept batch size');
    }
    const perRun = how.decomposition === 'workgroup';
    const constants: Record<string, number> = { ...netPipelineConstants(plan, this.wg), WG_SCRATCH: 3 * plan.layout.sizes.reduce((a, b) => a + b, 0) };
    const key = `bare|${perRun ? 'workgroup' : 'invocation'}|${JSON.stringify(constants)}`;
    let pipelines = this.pipelines.get(key);
    if (!pipelines) {
      const file = perRun ? 'kernels/bare_net_wg.wgsl' : 'kernels/bare_net_sgd.wgsl';
      const code = composeFiles(this.sources, NET_BINDINGS.wgsl(), [...NET_LIBS, 'lib/bare_sgd.wgsl', file]);
      const step = await compileKernel(this.gpu.device, this.pipelineLayout, file, code, constants);
      // The bare kernel trains only: no sharpness, whatever the plan asks.
      pipelines = { step, sharpness: null, perRun };
      this.pipelines.set(key, pipelines);
    }
    const out = how.weights ? new Float32Array(plan.runs * plan.layout.params) : null;
    const t0 = performance.now();
    await this.execute(plan, pipelines, { ...opts, keepResults: false }, undefined, out);
    return { ms: performance.now() - t0, weights: out };
  }

  /** `weightsOut`: each run's weights after its last step, run-major (the bare baseline's check). */
  private async execute(plan: NetPlan, pipelines: NetPipelines, opts: RunOptions, trace?: NetTrace, weightsOut: Float32Array | null = null): Promise<NetResults> {
    const t0 = performance.now();
    // Trajectories: only the listed runs, as many a chunk as their record windows fit a buffer.
    // The records are bound whole; the readback holds them and the tracks.
    const chunk = trace
      ? Math.max(
          1,
          Math.min(
            // consts holds two floats of run index a lane besides its swept values.
            this.chunkRuns(plan, 2),
            trace.runs.length,
            Math.floor(this.gpu.limits.maxStorageBufferBindingSize / (trace.points * trace.floats * 4)),
            Math.floor(this.gpu.limits.maxBufferSize / (trace.points * trace.floats * 4 + NetTrack.size)),
          ),
        )
      : // A workgroup per run: no more runs a chunk than workgroups a dispatch may have.
        Math.min(this.chunkRuns(plan), pipelines.perRun ? this.gpu.limits.maxComputeWorkgroupsPerDimension : Number.POSITIVE_INFINITY);
    const device = this.gpu.device;
    const U = GPUBufferUsage;
    const steps = plan.spec.steps;
    const L = plan.layout;
    const np = L.params;
    const pairList = netPairs(plan);
    const pairs = netPairCount(plan);
    const dims = plan.dims.length;

    // The groups' shared per-step tables (the same float32 values the CPU twin reads).
    const tables = plan.groups.map((g) =>
      tablesFor(
        { P: g.P, schedule: plan.schedule, optimizer: plan.optimizer, steps, cyclesMomentum: plan.cyclesMomentum, momentumSlot: plan.momentumSlot, scheduleShared: g.scheduleShared, optScalarsShared: g.optScalarsShared },
        'f32',
      ),
    );
    const anyTable = tables.some((t) => t.schedule || t.optimizer);
    const sizes = netSizes(plan, pairs, anyTable ? steps : 0);
    // The swept values of the chunk's runs, then (trajectories) their global run indices, each as
    // two floats (its high and low 16 bits, exact small integers): review 24 found them passed as
    // u32 bits in this float array, denormal floats that a device flushing denormals could zero.
    const consts = new Float32Array(sizes.constsFixed + chunk * dims + (trace ? 2 * chunk : 0));
    plan.groups.forEach((g, gi) => consts.set(g.P, gi * P_COUNT));
    let schedMask = 0;
    let optMask = 0;
    tables.forEach((t, gi) => {
      const base = sizes.tableOff + gi * steps * STEP_TABLE_STRIDE;
      if (t.schedule) {
        schedMask |= 1 << gi;
        for (let k = 0; k < steps; k++) {
          consts[base + k * STEP_TABLE_STRIDE] = t.schedule[2 * k] as number;
          consts[base + k * STEP_TABLE_STRIDE + 1] = t.schedule[2 * k + 1] as number;
        }
      }
      if (t.optimizer) {
        optMask |= 1 << gi;
        for (let k = 0; k < steps; k++) consts.set(t.optimizer.subarray(4 * k, 4 * k + 4), base + k * STEP_TABLE_STRIDE + 4);
      }
    });
    const d = plan.data;
    const trainX = sizes.dataOff;
    const trainY = trainX + d.train.x.length;
    const testX = trainY + d.train.y.length;
    const testY = testX + d.test.x.length;
    const sweepOff = testY + d.test.y.length;
    consts.set(d.train.x, trainX);
    consts.set(d.train.y, trainY);
    consts.set(d.test.x, testX);
    consts.set(d.test.y, testY);

    const uni = new ArrayBuffer(NetUniforms.size);
    const uf = new Float32Array(uni);
    const uu = new Uint32Array(uni);
    const set = (name: string, v: number, float = false): void => {
      (float ? uf : uu)[offsetOf(NetUniforms, name) / 4] = v;
    };
    set('steps', steps);
    set('seed', plan.spec.noise.seed);
    set('n_train', d.train.n);
    set('n_test', d.test.n);
    set('batch', plan.batch ?? d.train.n);
    set('params', np);
    set('pairs', pairs);
    set('groups', plan.groups.length);
    set('layers', L.layers);
    set('check_every', plan.checkEvery);
    set('scratch', L.sizes.reduce((a, b) => a + b, 0));
    set('has_bound', plan.bound === null ? 0 : 1);
    set('bound', plan.bound ?? 0, true);
    set('has_threshold', plan.threshold === null ? 0 : 1);
    set('threshold', plan.threshold ?? 0, true);
    set('max_val', DIVERGENCE_FACTOR, true);
    set('threshold_factor', THRESHOLD_FACTOR, true);
    set('nan', Number.NaN, true);
    set('train_x', trainX);
    set('train_y', trainY);
    set('test_x', testX);
    set('test_y', testY);
    set('sweep_off', sweepOff);
    set('table_off', sizes.tableOff);
    const runListOff = sweepOff + chunk * dims;
    set('run_list', trace ? runListOff : 0xffffffff);
    set('record_points', trace ? trace.points : 0);
    set('sched_table_mask', schedMask);
    set('opt_table_mask', optMask);
    const sizesAt = offsetOf(NetUniforms, 'sizes') / 4;
    L.sizes.forEach((w, i) => (uu[sizesAt + i] = w));

    const created: GPUBuffer[] = [];
    const buffer = (label: string, size: number, usage: GPUBufferUsageFlags): GPUBuffer => {
      const b = device.createBuffer({ label, size: Math.max(16, Math.ceil(size / 16) * 16), usage });
      created.push(b);
      return b;
    };
    const scopes = allocationScopes(device);
    try {
      const uBuf = buffer('net uniforms', NetUniforms.size, U.UNIFORM | U.COPY_DST);
      device.queue.writeBuffer(uBuf, 0, uni);
      const chunkU = buffer('chunk uniforms', ChunkUniforms.size, U.UNIFORM | U.COPY_DST);
      const constsBuf = buffer('net consts', consts.byteLength, U.STORAGE | U.COPY_DST);
      const pairsBuf = buffer('net pairs', pairList.byteLength, U.STORAGE | U.COPY_DST);
      device.queue.writeBuffer(pairsBuf, 0, pairList);
      const workBuf = buffer('net work', sizes.rows * chunk * 4, U.STORAGE | U.COPY_DST | U.COPY_SRC);
      const stateBuf = buffer('net state', sizes.stateVec2 * chunk * 8, U.STORAGE);
      const tracksBuf = buffer('net tracks', NetTrack.size * chunk, U.STORAGE | U.COPY_SRC);
      const backBytes = NetTrack.size * chunk;
      const recordBytes = trace ? chunk * trace.points * trace.floats * 4 : 16;
      const recordsBuf = buffer('net records', recordBytes, U.STORAGE | U.COPY_SRC);
      const readback = buffer('net readback', backBytes + (trace ? recordBytes : 0), U.MAP_READ | U.COPY_DST);
      const weightsBack = weightsOut ? buffer('net weights readback', np * chunk * 4, U.MAP_READ | U.COPY_DST) : null;
      const bindGroup = device.createBindGroup({
        label: 'basinlab network bind group',
        layout: this.layout,
        entries: NET_BINDINGS.entries({ net_u: uBuf, chunk: chunkU, consts: constsBuf, pairs: pairsBuf, work: workBuf, state_slots: stateBuf, tracks: tracksBuf, records: recordsBuf }),
      });
      await scopes.close(`buffers for ${chunk} network runs`);

      device.queue.writeBuffer(constsBuf, 0, consts.subarray(0, sweepOff));
      // Positions in the plan's runs, or (trajectories) in the list of runs to record.
      const [r0, r1] = trace ? [0, trace.runs.length] : runRange0(plan, opts);
      const runAt = (i: number): number => (trace ? (trace.runs[i] as number) : i);
      const keep = opts.keepResults !== false && !trace;
      const cols = allocateColumns(keep ? r1 - r0 : 0, 'f32', columnSourceOf(plan.spec)) as NetColumns;
      const chunkCols = opts.onChunk ? (allocateColumns(Math.min(chunk, r1 - r0), 'f32', columnSourceOf(plan.spec)) as NetColumns) : null;
      // Sharpness: its own kernel (net_sharpness.wgsl), from start vectors drawn here.
      const sharp = pipelines.sharpness;
      const start = new Float64Array(sharp ? np : 0);
      const v0 = new Float32Array(sharp ? np * chunk : 0);
      let iterPerMs: number | undefined;
      const theta0 = new Float32Array(np * chunk);
      const fixedBatch = plan.dims.some((x) => x.where.kind === 'batch') ? d.train.n : (plan.batch ?? d.train.n);
      // Work of one run-step in multiply-adds, to size the first submit: a forward and backward
      // pass over the batch (the batch size when swept: its mean is not known; take the training set).
      const stepCost = Math.max(1, np * 3 * fixedBatch + np * 20);
      let perMs = (this.firstSubmitRunSteps ?? 50_000_000 / stepCost) / this.targetSubmitMs;
      const total = (r1 - r0) * steps;
      const chunkWords = new Uint32Array(ChunkUniforms.size / 4);
      const co = (name: string): number => offsetOf(ChunkUniforms, name) / 4;
      for (let begin = r0; begin < r1; begin += chunk) {
        const n = Math.min(chunk, r1 - begin);
        // Initial weights, rows 0 .. np-1 of work: weight i of run r at i * chunk + r.
        for (let r = 0; r < n; r++) {
          // Drawn in float64 as the CPU engines draw them (core/network/start.ts), rounded on the way
          // into float32; the kernel's init_run applies the optimiser's init, as NetRun.init does.
          const w = runInitialWeights(plan, runAt(begin + r));
          for (let i = 0; i < np; i++) theta0[i * chunk + r] = w[i] as number;
        }
        device.queue.writeBuffer(workBuf, 0, theta0);
        if (dims > 0) {
          const sv = new Float32Array(n * dims);
          for (let r = 0; r < n; r++) {
            plan.dims.forEach((dim, k) => {
              const v = sweepValue(plan, runAt(begin + r), k);
              sv[r * dims + k] = dim.where.kind === 'batch' ? Math.round(v) : v;
            });
          }
          device.queue.writeBuffer(constsBuf, sweepOff * 4, sv);
        }
        if (trace) {
          const list = new Float32Array(2 * n);
          trace.runs.slice(begin, begin + n).forEach((run, r) => {
            list[2 * r] = Math.floor(run / 65536);
            list[2 * r + 1] = run % 65536;
          });
          device.queue.writeBuffer(constsBuf, runListOff * 4, list);
        }
        const groups = pipelines.perRun ? n : Math.ceil(n / this.wg);
        const writeChunk = (u0: number, u1: number): void => {
          chunkWords.fill(0);
          chunkWords[co('run_begin')] = begin;
          chunkWords[co('run_count')] = n;
          chunkWords[co('step_begin')] = u0;
          chunkWords[co('step_end')] = u1;
          chunkWords[co('capacity')] = chunk;
          device.queue.writeBuffer(chunkU, 0, chunkWords);
        };
        const dispatch = (p: GPUComputePipeline, label: string): GPUCommandEncoder => {
          const enc = device.createCommandEncoder({ label });
          const pass = enc.beginComputePass({ label });
          pass.setPipeline(p);
          pass.setBindGroup(0, bindGroup);
          pass.dispatchWorkgroups(groups);
          pass.end();
          return enc;
        };
        perMs = await runSubmits({
          device,
          units: steps,
          runs: n,
          targetMs: this.targetSubmitMs,
          perMs,
          signal: opts.signal,
          checkHealth: this.checkHealth,
          encode: (s0, want) => {
            const s1 = Math.min(steps, s0 + want);
            writeChunk(s0, s1);
            const enc = dispatch(pipelines.step, `network steps ${s0}..${s1} of runs ${begin}..${begin + n}`);
            if (s1 === steps && weightsBack) enc.copyBufferToBuffer(workBuf, 0, weightsBack, 0, np * chunk * 4);
            if (s1 === steps && !sharp) {
              enc.copyBufferToBuffer(tracksBuf, 0, readback, 0, n * NetTrack.size);
              if (trace) enc.copyBufferToBuffer(recordsBuf, 0, readback, backBytes, n * trace.points * trace.floats * 4);
            }
            return { u1: s1, commands: enc.finish() };
          },
          onQueued: (s0) => opts.onProgress?.({ done: (begin - r0) * steps + n * s0, total, runsReady: begin - r0 }),
        });
        if (sharp) {
          // The power iteration from each run's start vector (drawn in float64 as the CPU draws it,
          // rounded), written into the gradient-point row; iterations in submits of their own, at
          // a rate first guessed from the training's (an iteration is ~3 full-batch passes).
          for (let r = 0; r < n; r++) {
            sharpnessStart(begin + r, start);
            for (let i = 0; i < np; i++) v0[i * chunk + r] = start[i] as number;
          }
          device.queue.writeBuffer(workBuf, np * chunk * 4, v0);
          const iterations = plan.spec.network.sharpness_iterations as number;
          iterPerMs ??= (perMs * fixedBatch) / (3 * d.train.n);
          iterPerMs = await runSubmits({
            device,
            units: iterations,
            runs: n,
            targetMs: this.targetSubmitMs,
            perMs: iterPerMs,
            signal: opts.signal,
            checkHealth: this.checkHealth,
            encode: (i0, want) => {
              const i1 = Math.min(iterations, i0 + want);
              writeChunk(i0, i1);
              const enc = dispatch(sharp, `sharpness iterations ${i0}..${i1} of runs ${begin}..${begin + n}`);
              if (i1 === iterations) enc.copyBufferToBuffer(tracksBuf, 0, readback, 0, n * NetTrack.size);
              return { u1: i1, commands: enc.finish() };
            },
          });
        }
        if (opts.signal?.aborted) throw new CancelledError();
        const mapBytes = backBytes + (trace ? n * trace.points * trace.floats * 4 : 0);
        await mapForRead(readback, this.checkHealth, mapBytes);
        const mapped = readback.getMappedRange(0, mapBytes).slice(0);
        readback.unmap();
        if (trace) trace.out.push(...unpackRecords(mapped, backBytes, n, trace, begin));
        if (weightsBack && weightsOut) {
          // Weight i of the chunk's run r is at i * chunk + r (quantity-major); out is run-major.
          await mapForRead(weightsBack, this.checkHealth);
          const w = new Float32Array(weightsBack.getMappedRange().slice(0));
          weightsBack.unmap();
          for (let r = 0; r < n; r++) for (let i = 0; i < np; i++) weightsOut[(begin + r) * np + i] = w[i * chunk + r] as number;
        }
        if (keep) unpackNet(plan, mapped, n, cols, begin - r0);
        if (chunkCols) {
          unpackNet(plan, mapped, n, chunkCols, 0);
          await opts.onChunk?.(begin, chunkCols, n);
        }
        if (opts.signal?.aborted) throw new CancelledError();
        opts.onProgress?.({ done: (begin + n - r0) * steps, total, runsReady: begin + n - r0 });
      }
      const a = this.gpu.adapter;
      return makeNetResults(plan, 'gpu', cols, {
        adapter: adapterName(a),
        chunk_runs: chunk,
        elapsed_ms: Math.round(performance.now() - t0),
        sharpness: sharp ? 'gpu (power iteration of R-op Hessian-vector products, float32)' : 'off',
        ...(r0 !== 0 || r1 !== plan.runs ? { first_run: r0, runs: r1 - r0 } : {}),
      });
    } finally {
      await scopes.release();
      for (const b of created) b.destroy();
    }
  }

  dispose(): void {
    this.pipelines.clear();
  }
}

/** NetTrack records into the columns at `offset`. */
function unpackNet(plan: NetPlan, mapped: ArrayBuffer, n: number, cols: NetColumns, offset: number): void {
  const f = new Float32Array(mapped, 0, (n * NetTrack.size) / 4);
  const i32 = new Int32Array(mapped, 0, (n * NetTrack.size) / 4);
  const stride = NetTrack.size / 4;
  const o = (name: string): number => offsetOf(NetTrack, name) / 4;
  const [ol0, otr, ote, oacc, odiv, ostt, oconv, osw0, osw1, osw2, osh, oshr, oshi] = [
    'l0', 'train_loss', 'test_loss', 'test_accuracy', 'diverged', 'steps_to_threshold', 'convergence', 'swa_train_loss', 'swa_test_loss', 'swa_test_accuracy',
    'sharpness', 'sharpness_residual', 'sharpness_iterations',
  ].map(o) as [number, number, number, number, number, number, number, number, number, number, number, number, number];
  const wantSharp = wantsSharpness(plan);
  for (let r = 0; r < n; r++) {
    const b = r * stride;
    const j = offset + r;
    const diverged = i32[b + odiv]! !== 0;
    cols.initial_loss[j] = f[b + ol0]!;
    cols.train_loss[j] = f[b + otr]!;
    cols.test_loss[j] = f[b + ote]!;
    cols.diverged[j] = diverged ? 1 : 0;
    cols.steps_to_threshold[j] = i32[b + ostt]!;
    cols.convergence[j] = f[b + oconv]!;
    if (cols.test_accuracy) cols.test_accuracy[j] = f[b + oacc]!;
    if (cols.swa_train_loss) cols.swa_train_loss[j] = f[b + osw0]!;
    if (cols.swa_test_loss) cols.swa_test_loss[j] = f[b + osw1]!;
    if (cols.swa_test_accuracy) cols.swa_test_accuracy[j] = f[b + osw2]!;
    // As NetRun.trainRun: no sharpness for a diverged run, or when it is off.
    const sharp = wantSharp && !diverged;
    cols.sharpness[j] = sharp ? f[b + osh]! : Number.NaN;
    cols.sharpness_iterations[j] = sharp ? i32[b + oshi]! : 0;
    cols.sharpness_residual[j] = sharp ? f[b + oshr]! : Number.NaN;
  }
}
