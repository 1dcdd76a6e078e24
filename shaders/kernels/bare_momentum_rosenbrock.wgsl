// The benchmark's baseline: momentum SGD on Rosenbrock (a = 1, b = 100) and nothing else: no
// schedule, no noise, no divergence or basin tracking, fixed surface and optimiser. It reads its
// LR and momentum the way the engine does (a grid sweep through param()), and keeps state between
// dispatches the same way, so the engine's rate over this one's is the price of generality. The
// buffer starts at zero, so the first step's 0 * mu + g is torch's clone of the gradient.

override WORKGROUP_SIZE: u32 = 64u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let local = gid.x;
  if (local >= chunk.run_count) {
    return;
  }
  let run = chunk.run_begin + local;
  load_sweep(run, local);
  var p: vec2f;
  var buf: vec2f;
  if (chunk.step_begin == 0u) {
    p = vec2f(param(RUN_START_X), param(RUN_START_Y));
    buf = vec2f(0.0);
  } else {
    p = state_slots[local];
    buf = state_slots[chunk.capacity + local];
  }
  let lr = param(SGD_lr);
  let mu = param(SGD_momentum);
  let step_end = chunk.step_end;
  for (var k = chunk.step_begin; k < step_end; k++) {
    let t = p.y - p.x * p.x;
    let g = vec2f(-2.0 * (1.0 - p.x) - 400.0 * p.x * t, 200.0 * t);
    buf = mu * buf + g;
    p = p - lr * buf;
  }
  state_slots[local] = p;
  state_slots[chunk.capacity + local] = buf;
}
