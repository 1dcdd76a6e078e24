// Twin of src/core/registry/schedules/MultiStepLR.ts.
fn sched_MultiStepLR(b: u32, k: u32, base_lr: f32) -> vec2f {
  var count = 0u;
  for (var i = 0u; i < 8u; i++) {
    let m = param(b + MultiStepLR_milestones_0 + i);
    if (sched_is_set(m) && u32(m) <= k) {
      count++;
    }
  }
  return vec2f(base_lr * sched_powi(param(b + MultiStepLR_gamma), count), 0.0);
}
