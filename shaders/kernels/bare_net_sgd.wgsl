// The benchmark's baseline for network runs (bench/networks.ts): the engine's forward and backward
// pass (lib/net_pass.wgsl, the same code) and a plain momentum-SGD update, with none of the
// engine's bookkeeping: no training-loss checkpoints, divergence or convergence tracking, no
// optimiser twin pair by pair, no schedule, SAM, SWA or outcome. The engine's rate over this one's
// is what that bookkeeping costs. Same bindings as kernels/net_step.wgsl.

override WORKGROUP_SIZE: u32 = 64u;
override FULL_BATCH: bool = true;

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
      bare_sgd_pair(p, rg);
    }
  }
}
