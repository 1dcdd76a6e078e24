// Twin of src/core/registry/schedules/StepLR.ts.
fn sched_StepLR(b: u32, k: u32, base_lr: f32) -> vec2f {
  let n = k / u32(param(b + StepLR_step_size));
  return vec2f(base_lr * sched_powi(param(b + StepLR_gamma), n), 0.0);
}
