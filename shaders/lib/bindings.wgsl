// The sweep kernels' shared state. Their bindings (bind group 0) are generated from
// src/engine/gpu/layouts.ts SWEEP_BINDINGS, the layout structs in the generated prefix.

// Optimiser state of the run this invocation advances; S[0] is the position.
var<private> S: array<vec2f, STATE_VEC2>;

// State slots the optimiser uses (1 + its stateSlots): only those cross memory.
override STATE_USED: u32 = 8u;

// Written out slot by slot so that every index into S is a constant (a dynamic one would keep S
// out of registers); the assert ties the eight lines to the generated layout (review 24).
const_assert STATE_VEC2 == 8u;
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
