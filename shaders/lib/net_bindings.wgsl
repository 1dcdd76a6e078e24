// The network kernel's per-run context the optimiser and schedule twins read through param().
// Its bindings (bind group 0) are generated from src/engine/gpu/layouts.ts NET_BINDINGS, the layout
// structs in the generated prefix (NetUniforms, NetTrack, ChunkUniforms).

// This invocation's run's track (its outcome, checkpoints, recorded points), loaded and stored by
// the kernels.
var<private> tr: NetTrack;

// The norm of the params rows from row w of this lane (squares summed in order).
fn rows_norm(w: u32) -> f32 {
  var s = 0.0;
  for (var i = 0u; i < net_u.params; i++) {
    let x = work[wk(w + i)];
    s = s + x * x;
  }
  return sqrt(s);
}

fn net_record_floats() -> u32 {
  return NET_RECORD_HEAD + net_u.groups;
}

const NO_COORD: u32 = 0xffffffffu;

// The optimiser state of the pair being stepped; S[0] is its two coordinates.
var<private> S: array<vec2f, STATE_VEC2>;
override STATE_USED: u32 = 8u;

// This invocation's run within the chunk, and the chunk's capacity (the stride between rows).
var<private> lane: u32;
var<private> cap: u32;

fn wk(row: u32) -> u32 {
  return row * cap + lane;
}

// ---- param(i): the current group's value of slot i of P.
// Swept slots come from the run's own values when the dimension feeds the current group (bit g of
// SWEEP_GROUPS_d); every other slot is the group's P, shared by every run (one broadcast read).
// The slots and masks are override constants, so the sweep tests fold away.
override SWEEP_DIMS: u32 = 0u;
override SWEEP_SLOT_0: u32 = 0xffffffffu;
override SWEEP_SLOT_1: u32 = 0xffffffffu;
override SWEEP_SLOT_2: u32 = 0xffffffffu;
override SWEEP_SLOT_3: u32 = 0xffffffffu;
override SWEEP_GROUPS_0: u32 = 0u;
override SWEEP_GROUPS_1: u32 = 0u;
override SWEEP_GROUPS_2: u32 = 0u;
override SWEEP_GROUPS_3: u32 = 0u;
// The schedule sets momentum/beta1 each step (CyclicLR, OneCycleLR with cycle_momentum).
override CYCLE_MOMENTUM: bool = false;

var<private> sweep_v: vec4f;
var<private> cur_group: u32;

fn swept_here(d: u32, mask: u32) -> bool {
  return SWEEP_DIMS > d && ((mask >> cur_group) & 1u) != 0u;
}

fn param(i: u32) -> f32 {
  if (swept_here(0u, SWEEP_GROUPS_0) && i == SWEEP_SLOT_0) { return sweep_v.x; }
  if (swept_here(1u, SWEEP_GROUPS_1) && i == SWEEP_SLOT_1) { return sweep_v.y; }
  if (swept_here(2u, SWEEP_GROUPS_2) && i == SWEEP_SLOT_2) { return sweep_v.z; }
  if (swept_here(3u, SWEEP_GROUPS_3) && i == SWEEP_SLOT_3) { return sweep_v.w; }
  return consts[cur_group * P_COUNT + i];
}

fn load_sweep() {
  let o = net_u.sweep_off + lane * SWEEP_DIMS;
  if (SWEEP_DIMS > 0u) { sweep_v.x = consts[o]; }
  if (SWEEP_DIMS > 1u) { sweep_v.y = consts[o + 1u]; }
  if (SWEEP_DIMS > 2u) { sweep_v.z = consts[o + 2u]; }
  if (SWEEP_DIMS > 3u) { sweep_v.w = consts[o + 3u]; }
}

// Written out slot by slot so that every index into S is a constant; the assert ties the lines to
// the generated layout (review 24).
const_assert STATE_VEC2 == 8u;
fn state_at(s: u32, p: u32) -> u32 {
  return ((s - 1u) * net_u.pairs + p) * cap + lane;
}

fn load_state(p: u32) {
  if (STATE_USED > 1u) { S[1] = state_slots[state_at(1u, p)]; }
  if (STATE_USED > 2u) { S[2] = state_slots[state_at(2u, p)]; }
  if (STATE_USED > 3u) { S[3] = state_slots[state_at(3u, p)]; }
  if (STATE_USED > 4u) { S[4] = state_slots[state_at(4u, p)]; }
  if (STATE_USED > 5u) { S[5] = state_slots[state_at(5u, p)]; }
  if (STATE_USED > 6u) { S[6] = state_slots[state_at(6u, p)]; }
  if (STATE_USED > 7u) { S[7] = state_slots[state_at(7u, p)]; }
}

fn store_state(p: u32) {
  if (STATE_USED > 1u) { state_slots[state_at(1u, p)] = S[1]; }
  if (STATE_USED > 2u) { state_slots[state_at(2u, p)] = S[2]; }
  if (STATE_USED > 3u) { state_slots[state_at(3u, p)] = S[3]; }
  if (STATE_USED > 4u) { state_slots[state_at(4u, p)] = S[4]; }
  if (STATE_USED > 5u) { state_slots[state_at(5u, p)] = S[5]; }
  if (STATE_USED > 6u) { state_slots[state_at(6u, p)] = S[6]; }
  if (STATE_USED > 7u) { state_slots[state_at(7u, p)] = S[7]; }
}

// non_finite() is lib/finite.wgsl's.

// ---- The tensor an optimiser's tensor rule (opt_tensor_step) is stepping: its numbers start at
// row tensor_off of the weights (and of the gradient and work rows), its state at number
// tensor_soff of the run's tensor state. That state is the run's state_slots read as floats
// (number q of run r is component q % 2 of state_slots[(q / 2) * capacity + r]), the tensors' states
// one after another in layout order, each of its rule's stateSize (TensorStep in
// core/registry/types.ts). The work row u is the gradient-point row, which only Schedule-Free uses.
var<private> tensor_off: u32;
var<private> tensor_soff: u32;

fn tensor_p(i: u32) -> f32 { return work[wk(tensor_off + i)]; }
fn tensor_set_p(i: u32, v: f32) { work[wk(tensor_off + i)] = v; }
fn tensor_g(i: u32) -> f32 { return work[wk(row_grad() + tensor_off + i)]; }
fn tensor_set_g(i: u32, v: f32) { work[wk(row_grad() + tensor_off + i)] = v; }
fn tensor_u(i: u32) -> f32 { return work[wk(row_gpoint() + tensor_off + i)]; }
fn tensor_set_u(i: u32, v: f32) { work[wk(row_gpoint() + tensor_off + i)] = v; }
fn tensor_st(j: u32) -> f32 {
  let q = tensor_soff + j;
  return state_slots[(q >> 1u) * cap + lane][q & 1u];
}
fn tensor_set_st(j: u32, v: f32) {
  let q = tensor_soff + j;
  state_slots[(q >> 1u) * cap + lane][q & 1u] = v;
}
