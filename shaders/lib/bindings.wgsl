// Bindings shared by the sweep kernels (bind group 0). Layout structs come from the generated prefix.
@group(0) @binding(0) var<uniform> run_u: RunUniforms;
@group(0) @binding(1) var<uniform> chunk: ChunkUniforms;
@group(0) @binding(2) var<storage, read> sweep_data: array<f32>;
@group(0) @binding(3) var<storage, read> minima: array<vec4f>;
@group(0) @binding(4) var<storage, read> surface_data: array<vec4f>;
// Optimiser state, slot-major: slot k of the chunk's run r is state_slots[k * capacity + r].
@group(0) @binding(5) var<storage, read_write> state_slots: array<vec2f>;
@group(0) @binding(8) var<storage, read_write> tracks: array<RunTrack>;
// Per-step values shared by every run, filled by the host with the CPU twin: step k's floats start
// at STEP_TABLE_STRIDE * (k - chunk.table_base): the schedule's (lr, momentum) (SCHED_TABLE), then
// at +4 the optimiser's step scalars (OPT_TABLE). A few loads replace a cosine or a bias-correction
// pow in every invocation. A fixed-size window at a dynamic offset, and scalar reads of only what
// is used: on SwiftShader a runtime-sized array costs an arrayLength per read, and each read is a
// per-lane gather (see STEP_TABLE_WINDOW in src/engine/gpu/layouts.ts).
@group(0) @binding(7) var<storage, read> step_table: array<f32, STEP_TABLE_WINDOW * STEP_TABLE_STRIDE>;

// Optimiser state of the run this invocation advances; S[0] is the position.
var<private> S: array<vec2f, STATE_VEC2>;

// State slots the optimiser uses (1 + its stateSlots): only those cross memory.
override STATE_USED: u32 = 8u;

// Written out slot by slot so that every index into S is a constant (a dynamic one would keep S
// out of registers).
fn load_state(local: u32) {
  let n = chunk.capacity;
  S[0] = state_slots[local];
  if (STATE_USED > 1u) { S[1] = state_slots[n + local]; }
  if (STATE_USED > 2u) { S[2] = state_slots[2u * n + local]; }
  if (STATE_USED > 3u) { S[3] = state_slots[3u * n + local]; }
  if (STATE_USED > 4u) { S[4] = state_slots[4u * n + local]; }
  if (STATE_USED > 5u) { S[5] = state_slots[5u * n + local]; }
  if (STATE_USED > 6u) { S[6] = state_slots[6u * n + local]; }
  if (STATE_USED > 7u) { S[7] = state_slots[7u * n + local]; }
}

fn store_state(local: u32) {
  let n = chunk.capacity;
  state_slots[local] = S[0];
  if (STATE_USED > 1u) { state_slots[n + local] = S[1]; }
  if (STATE_USED > 2u) { state_slots[2u * n + local] = S[2]; }
  if (STATE_USED > 3u) { state_slots[3u * n + local] = S[3]; }
  if (STATE_USED > 4u) { state_slots[4u * n + local] = S[4]; }
  if (STATE_USED > 5u) { state_slots[5u * n + local] = S[5]; }
  if (STATE_USED > 6u) { state_slots[6u * n + local] = S[6]; }
  if (STATE_USED > 7u) { state_slots[7u * n + local] = S[7]; }
}
