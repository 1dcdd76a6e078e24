// Turns each run's final state into its outcome record, so only results cross back to the host.
// Twin of classify() in src/engine/cpu/kernel.ts.

override WORKGROUP_SIZE: u32 = 64u;
// The run averages its iterates (state slot SWA_SLOT holds the average).
override SWA_ON: bool = false;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let local = gid.x;
  if (local >= chunk.run_count) {
    return;
  }
  let run = chunk.run_begin + local;
  load_run();
  load_sweep(run, local);
  let st = tracks[local];
  let p = state_slots[local];
  let converged = st.diverged == 0u && st.basin >= 0;
  var r: RunResult;
  r.final_x = p.x;
  r.final_y = p.y;
  r.loss = surface_value(p);
  r.sharpness = largest_eigenvalue(surface_hessian(p));
  r.basin = select(-1, st.basin, st.diverged == 0u);
  r.steps_to_converge = select(-1, i32(st.entered), converged);
  r.diverged = st.diverged;
  if (SWA_ON) {
    let a = state_slots[SWA_SLOT * chunk.capacity + local];
    r.swa_x = a.x;
    r.swa_y = a.y;
    r.swa_loss = surface_value(a);
  }
  results[local] = r;
}
