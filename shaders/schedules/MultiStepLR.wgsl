// Twin of src/core/registry/schedules/MultiStepLR.ts.
fn sched_MultiStepLR(b: u32, k: u32, base_lr: f32) -> vec2f {
  var count = 0u;
  // Every milestone slot, first to last (unused ones hold PARAM_UNSET).
  for (var i = MultiStepLR_milestones_0; i <= MultiStepLR_milestones_7; i++) {
    let m = param(b + i);
    if (sched_is_set(m) && u32(m) <= k) {
      count++;
    }
  }
  return vec2f(base_lr * sched_powi(param(b + MultiStepLR_gamma), count), 0.0);
}
