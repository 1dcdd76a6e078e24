// The benchmark's baseline for network runs (bench/networks.ts): the engine's forward and backward
// pass (lib/net_pass.wgsl, the same code) and a plain momentum-SGD update, with none of the
// engine's bookkeeping: no training-loss checkpoints, divergence or convergence tracking, no
// optimiser twin pair by pair, no schedule, SAM, SWA or outcome. The engine's rate over this one's
// is what that bookkeeping costs. Same bindings as kernels/net_step.wgsl.

override WORKGROUP_SIZE: u32 = 64u;
override FULL_BATCH: bool = true;
override OPT_MOMENTUM_SLOT: u32 = 0u;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  lane = gid.x;
  if (lane >= chunk.run_count) {
    return;
  }
  cap = chunk.capacity;
  let run = chunk.run_begin + lane;
  load_sweep();
  let n = net_u.n_train;
  let batch = select(net_u.batch, n, FULL_BATCH);
  let rg = row_grad();
  for (var k = chunk.step_begin; k < chunk.step_end; k++) {
    net_pass(row_theta(), net_u.train_x, net_u.train_y, n, batch, !FULL_BATCH, run, k, true);
    for (var p = 0u; p < net_u.pairs; p++) {
      let q = pairs[p];
      cur_group = q.z;
      let lr = param(P_OPTIMIZER);
      let mom = param(OPT_MOMENTUM_SLOT);
      let has1 = q.y != NO_COORD;
      let g = vec2f(work[wk(rg + q.x)], select(0.0, work[wk(rg + q.y)], has1));
      let b = state_at(1u, p);
      let buf = mom * state_slots[b] + g;
      state_slots[b] = buf;
      work[wk(q.x)] = work[wk(q.x)] - lr * buf.x;
      if (has1) {
        work[wk(q.y)] = work[wk(q.y)] - lr * buf.y;
      }
    }
  }
}
