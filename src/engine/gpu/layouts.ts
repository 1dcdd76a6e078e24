/**
 * Every struct that crosses the TS/WGSL boundary, defined once. The WGSL declarations are emitted
 * into the layout prefix of every kernel (see wgsl-layout.ts); the host packs and unpacks through
 * the offsets computed here.
 */
import { STATE_VEC2 } from '../../core/layout.ts';
import { defineStruct } from './structs.ts';

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
 * (`state_slots[slot * capacity + run]`, see lib/bindings.wgsl): neighbouring invocations then read
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

/** Bytes of device state per resident run: every state slot plus the track record. */
export const STATE_BYTES_PER_RUN = STATE_VEC2 * 8 + 32;

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

/** Floats per recorded point: (x, y, loss, lr) then (momentum, grad_x, grad_y, step). */
export const RECORD_FLOATS = 8;

export const ALL_STRUCTS = [RunUniforms, ChunkUniforms, RunTrack, RunResult, RunList] as const;
