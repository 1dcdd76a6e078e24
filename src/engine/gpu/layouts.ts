/**
 * Every struct that crosses the TS/WGSL boundary, defined once. The WGSL declarations are emitted
 * into the layout prefix of every kernel (see wgsl-layout.ts); the host packs and unpacks through
 * the offsets computed here.
 */
import { CONVERGENCE_TAIL } from '../../core/network/plan.ts';
import { MAX_PARAM_GROUPS } from '../../core/network/schema.ts';
import { defineBindGroup, defineStruct } from './structs.ts';

/**
 * Per-sweep values that are not worth a pipeline of their own (P itself is override constants, see
 * wgsl-layout.ts). Written once per run.
 */
export const RunUniforms = defineStruct(
  'RunUniforms',
  [
    { name: 'steps', type: 'u32' },
    { name: 'noise_seed', type: 'u32' },
    { name: 'grid_width', type: 'u32' },
    { name: 'minima_count', type: 'u32' },
    { name: 'bound', type: 'f32' },
    { name: 'radius2', type: 'f32' },
    { name: 'lattice_x0', type: 'f32' },
    { name: 'lattice_y0', type: 'f32' },
    { name: 'lattice_inv_step', type: 'f32' },
    { name: 'lattice_nx', type: 'u32' },
    { name: 'lattice_ny', type: 'u32' },
    { name: 'data_count', type: 'u32' },
  ],
  'uniform',
);

/**
 * The per-step table (schedule LR and momentum, optimiser step scalars; 8 floats a step) is bound as
 * a fixed-size window of this many steps at a dynamic offset. A fixed-size array costs SwiftShader a
 * constant bounds clamp per read where a runtime-sized one costs an arrayLength and a clamp in every
 * step of every run (Adam: 81 -> 119 M run-steps/s, docs/performance.md). It must hold one dispatch's
 * steps plus the offset alignment: more than the largest checkpoint interval (100,000 explicit, 40,000
 * by default at the 2,000,000 steps a table serves).
 */
export const STEP_TABLE_WINDOW = 131_072;
/** Floats per step in the table: (lr, momentum, -, -) then the four step scalars. */
export const STEP_TABLE_STRIDE = 8;

/** Per-dispatch window: which runs and which steps this dispatch advances. */
export const ChunkUniforms = defineStruct(
  'ChunkUniforms',
  [
    { name: 'run_begin', type: 'u32' },
    { name: 'run_count', type: 'u32' },
    { name: 'step_begin', type: 'u32' },
    { name: 'step_end', type: 'u32' },
    /** Runs the state buffers hold: the stride between one state slot and the next. */
    { name: 'capacity', type: 'u32' },
    /** First step of the step-table window bound for this dispatch (its dynamic offset, in steps). */
    { name: 'table_base', type: 'u32' },
    /** Recording paths: index of the first point this dispatch's record window holds. */
    { name: 'record_first', type: 'u32' },
    /** Recording paths: points per run in the record window. */
    { name: 'record_cap', type: 'u32' },
  ],
  'uniform',
);

/**
 * A run's outcome tracking between dispatches. Its optimiser state lives apart, slot-major
 * (`state_slots[slot * capacity + run]`, see SWEEP_BINDINGS below): neighbouring invocations then read
 * neighbouring addresses, and only the slots the optimiser uses are read and written.
 */
export const RunTrack = defineStruct('RunTrack', [
  { name: 'basin', type: 'i32' },
  { name: 'entered', type: 'u32' },
  { name: 'diverged', type: 'u32' },
  { name: 'pad', type: 'u32' },
  /** ReduceLROnPlateau's per-run state (lr, best, num_bad_epochs, cooldown_counter). */
  { name: 'plateau', type: 'vec4f' },
]);

/** One run's outcome, the only thing read back. */
export const RunResult = defineStruct('RunResult', [
  { name: 'final_x', type: 'f32' },
  { name: 'final_y', type: 'f32' },
  { name: 'loss', type: 'f32' },
  { name: 'sharpness', type: 'f32' },
  { name: 'basin', type: 'i32' },
  { name: 'steps_to_converge', type: 'i32' },
  { name: 'diverged', type: 'u32' },
  { name: 'swa_x', type: 'f32' },
  { name: 'swa_y', type: 'f32' },
  { name: 'swa_loss', type: 'f32' },
  { name: 'pad', type: 'u32' },
]);

/** Most runs one recording dispatch advances (the run list is a uniform array of this many u32). */
export const RUN_LIST_CAP = 4096;

/** The global run indices a recording dispatch advances, four to a vec4u (uniform arrays need a 16-byte stride). */
export const RunList = defineStruct('RunList', [{ name: 'runs', type: { array: 'vec4u', count: RUN_LIST_CAP / 4 } }], 'uniform');

/**
 * One recorded point of a surface run's path (sweep_step.wgsl record_point; engine.ts reads the
 * fields back by their offsets): where it stands, its loss, the LR and momentum of the step that led
 * here, where that step took its gradient (SAM's ascent point, Schedule-Free's y), the step count.
 */
export const PathPoint = defineStruct('PathPoint', [
  { name: 'pos', type: 'vec2f' },
  { name: 'loss', type: 'f32' },
  { name: 'lr', type: 'f32' },
  { name: 'grad_at', type: 'vec2f' },
  { name: 'momentum', type: 'f32' },
  { name: 'step', type: 'f32' },
]);

/** Floats per recorded point. */
export const RECORD_FLOATS = PathPoint.size / 4;

/** Most layer widths a network kernel reads (input, up to MAX_HIDDEN_LAYERS hidden, output), rounded up to vec4s. */
export const NET_MAX_SIZES = 12;

/**
 * Per-sweep values of a network plan (shaders/kernels/net_step.wgsl): the shapes, the data set's
 * offsets in the shared read-only buffer, the outcome rules. Written once per run; what changes the
 * compiled code (activation, loss, bias, SAM, SWA, ...) is override constants instead.
 */
export const NetUniforms = defineStruct(
  'NetUniforms',
  [
    { name: 'steps', type: 'u32' },
    { name: 'seed', type: 'u32' },
    { name: 'n_train', type: 'u32' },
    { name: 'n_test', type: 'u32' },
    /** Samples per step when no dimension sweeps it (the whole training set for full batch). */
    { name: 'batch', type: 'u32' },
    { name: 'params', type: 'u32' },
    { name: 'pairs', type: 'u32' },
    { name: 'groups', type: 'u32' },
    { name: 'layers', type: 'u32' },
    { name: 'check_every', type: 'u32' },
    /** Scratch rows of one sample: the sum of the layer widths. */
    { name: 'scratch', type: 'u32' },
    { name: 'has_bound', type: 'u32' },
    { name: 'bound', type: 'f32' },
    { name: 'has_threshold', type: 'u32' },
    { name: 'threshold', type: 'f32' },
    /** DIVERGENCE_FACTOR (the convergence measure's max_val) and THRESHOLD_FACTOR of core/network/plan.ts. */
    { name: 'max_val', type: 'f32' },
    { name: 'threshold_factor', type: 'f32' },
    /** A quiet NaN (WGSL cannot write one as a constant). */
    { name: 'nan', type: 'f32' },
    /** Offsets (in f32s) into the shared read-only buffer. */
    { name: 'train_x', type: 'u32' },
    { name: 'train_y', type: 'u32' },
    { name: 'test_x', type: 'u32' },
    { name: 'test_y', type: 'u32' },
    { name: 'sweep_off', type: 'u32' },
    { name: 'table_off', type: 'u32' },
    /** Bit g: group g reads its (lr, momentum) / step scalars from the shared per-step table. */
    { name: 'sched_table_mask', type: 'u32' },
    { name: 'opt_table_mask', type: 'u32' },
    /** Trajectories: offset in consts of the lanes' global run indices (two floats each: the high and low 16 bits), or 0xffffffff: run_begin + lane. */
    { name: 'run_list', type: 'u32' },
    /** Trajectories: points a run's record window holds. */
    { name: 'record_points', type: 'u32' },
    /** Layer widths, input first: sizes[l / 4][l % 4]. */
    { name: 'sizes', type: { array: 'vec4u', count: NET_MAX_SIZES / 4 } },
  ],
  'uniform',
);

/**
 * Floats of one sample's scratch (activations, phi'(z), deltas) a network run keeps in private
 * memory; larger models keep it in their rows of the work buffer (lib/net_pass.wgsl).
 */
export const NET_PRIVATE_SCRATCH = 192;

/** Length of the ring of the last normalised losses: the convergence measure's tail, the CPU engine's too. */
export const NET_TAIL = CONVERGENCE_TAIL;

/**
 * A network run's outcome tracking between dispatches, then its outcome (read back). Its weights,
 * gradient and scratch live apart, quantity-major (`work[row * capacity + run]`).
 */
export const NetTrack = defineStruct('NetTrack', [
  { name: 'l0', type: 'f32' },
  { name: 'bound', type: 'f32' },
  { name: 'threshold', type: 'f32' },
  { name: 'steps_to_threshold', type: 'i32' },
  { name: 'diverged', type: 'u32' },
  /** The step a diverged run stopped at. */
  { name: 'done', type: 'u32' },
  /** The convergence measure's sums (Kahan-compensated: thousands of terms up to 1e6 in float32). */
  { name: 'sum_v', type: 'f32' },
  { name: 'sum_v_c', type: 'f32' },
  { name: 'sum_inv', type: 'f32' },
  { name: 'sum_inv_c', type: 'f32' },
  { name: 'ring', type: { array: 'f32', count: NET_TAIL } },
  { name: 'train_loss', type: 'f32' },
  { name: 'test_loss', type: 'f32' },
  { name: 'test_accuracy', type: 'f32' },
  { name: 'convergence', type: 'f32' },
  { name: 'swa_train_loss', type: 'f32' },
  { name: 'swa_test_loss', type: 'f32' },
  { name: 'swa_test_accuracy', type: 'f32' },
  /**
   * The power iteration's state between dispatches, then its outcome (NetRun.sharpness): lambda,
   * the residual, the iterations taken, 1 once it stopped.
   */
  { name: 'sharpness', type: 'f32' },
  { name: 'sharpness_residual', type: 'f32' },
  { name: 'sharpness_iterations', type: 'u32' },
  { name: 'sharpness_done', type: 'u32' },
  /** Trajectories: points recorded so far. */
  { name: 'record_count', type: 'u32' },
  /** ReduceLROnPlateau's state per param group (lr, best, num_bad_epochs, cooldown_counter). */
  { name: 'plateau', type: { array: 'vec4f', count: MAX_PARAM_GROUPS + 1 } },
  /** Trajectories: each param group's LR of the last step taken. */
  { name: 'last_lr', type: { array: 'f32', count: MAX_PARAM_GROUPS + 1 } },
]);

/**
 * The floats of a recorded network point before its LRs, in order: the step, the train loss, the
 * test loss, the gradient norm (NaN: none) and the weight norm; then one LR per param group. The
 * kernel writes them at the offsets NET_REC_<FIELD> of the layout prefix, net.ts reads them by name
 * (netRecordOffset).
 */
export const NET_RECORD_FIELDS = ['step', 'train_loss', 'test_loss', 'grad_norm', 'weight_norm'] as const;
export type NetRecordField = (typeof NET_RECORD_FIELDS)[number];
export const NET_RECORD_HEAD = NET_RECORD_FIELDS.length;

/** A field's offset within a recorded network point. */
export function netRecordOffset(f: NetRecordField): number {
  return NET_RECORD_FIELDS.indexOf(f);
}

/** Floats of one recorded point of a plan with `groups` param groups. */
export function netRecordFloats(groups: number): number {
  return NET_RECORD_HEAD + groups;
}

export const ALL_STRUCTS = [RunUniforms, ChunkUniforms, RunTrack, RunResult, RunList, PathPoint, NetUniforms, NetTrack] as const;

/** Bytes of the step table's window (STEP_TABLE_WINDOW steps of STEP_TABLE_STRIDE floats). */
export const TABLE_WINDOW_BYTES = STEP_TABLE_WINDOW * STEP_TABLE_STRIDE * 4;

/** The sweep kernels' bindings (sweep_step, classify and the bare benchmark kernel). */
export const SWEEP_BINDINGS = defineBindGroup('the sweep kernels', [
  { name: 'run_u', kind: 'uniform', type: 'RunUniforms' },
  { name: 'chunk', kind: 'uniform', type: 'ChunkUniforms' },
  { name: 'sweep_data', kind: 'read-only-storage', type: 'array<f32>' },
  { name: 'minima', kind: 'read-only-storage', type: 'array<vec4f>' },
  { name: 'surface_data', kind: 'read-only-storage', type: 'array<vec4f>' },
  { name: 'state_slots', kind: 'storage', type: 'array<vec2f>', doc: "Optimiser state, slot-major: slot k of the chunk's run r is state_slots[k * capacity + r]." },
  {
    name: 'out',
    kind: 'storage',
    type: 'array<RunResult>',
    doc: "The sweep's output: each run's outcome (classify), or the recorded points of the paths (sweep_step with RECORD).",
    as: { sweep_step: { name: 'records', type: 'array<PathPoint>' }, classify: { name: 'results', type: 'array<RunResult>' } },
  },
  {
    name: 'step_table',
    kind: 'read-only-storage',
    type: 'array<f32, STEP_TABLE_WINDOW * STEP_TABLE_STRIDE>',
    window: TABLE_WINDOW_BYTES,
    doc: [
      "Per-step values shared by every run, filled by the host with the CPU twin: step k's floats start",
      'at STEP_TABLE_STRIDE * (k - chunk.table_base): the schedule\'s (lr, momentum) (SCHED_TABLE), then',
      "at +4 the optimiser's step scalars (OPT_TABLE). A few loads replace a cosine or a bias-correction",
      'pow in every invocation. A fixed-size window at a dynamic offset, and scalar reads of only what',
      'is used: on SwiftShader a runtime-sized array costs an arrayLength per read, and each read is a',
      'per-lane gather (see STEP_TABLE_WINDOW in src/engine/gpu/layouts.ts).',
    ].join('\n'),
  },
  { name: 'tracks', kind: 'storage', type: 'array<RunTrack>' },
  { name: 'run_list', kind: 'uniform', type: 'RunList', minBindingSize: RunList.size, doc: 'The global run indices a recording dispatch advances.' },
]);

/** The network kernel's bindings (net_step, and the bare benchmark kernel). */
export const NET_BINDINGS = defineBindGroup('the network kernel', [
  { name: 'net_u', kind: 'uniform', type: 'NetUniforms' },
  { name: 'chunk', kind: 'uniform', type: 'ChunkUniforms' },
  {
    name: 'consts',
    kind: 'read-only-storage',
    type: 'array<f32>',
    doc: [
      "Read-only numbers every run shares, at offsets given in net_u: each group's P (P_COUNT floats a",
      "group, from 0), the groups' per-step tables (table_off; STEP_TABLE_STRIDE floats a step, group-",
      "major), the data set (train_x, ...), then the chunk's swept values (sweep_off, SWEEP_DIMS a run).",
      'One buffer, because a stage may bind only 8 storage buffers and most of these are small.',
    ].join('\n'),
  },
  {
    name: 'pairs',
    kind: 'read-only-storage',
    type: 'array<vec4u>',
    doc: 'Parameter pairs the optimiser twin steps as one vec2f: (i0, i1 or NO_COORD for padding, group, -),\ngroup by group.',
  },
  {
    name: 'work',
    kind: 'storage',
    type: 'array<f32>',
    doc: "Each run's float rows (weights, gradient, scratch; see net_step.wgsl), quantity-major:\nrow q of the chunk's run r is work[q * capacity + r], so neighbouring invocations read\nneighbouring addresses for every quantity.",
  },
  {
    name: 'state_slots',
    kind: 'storage',
    type: 'array<vec2f>',
    doc: "Optimiser state slots 1 .. STATE_USED-1 of each pair (slot 0, the point, is the weights' rows):\nslot s of pair p of run r is state_slots[((s - 1) * pairs + p) * capacity + r].",
  },
  { name: 'tracks', kind: 'storage', type: 'array<NetTrack>' },
  {
    name: 'records',
    kind: 'storage',
    type: 'array<f32>',
    doc: "Trajectories (RECORD): each lane's window of net_u.record_points points of net_record_floats()\nfloats: NET_RECORD_HEAD of them (NET_REC_STEP, NET_REC_TRAIN_LOSS, ...), then each param group's LR.",
  },
]);
