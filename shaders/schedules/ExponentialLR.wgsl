// Twin of src/core/registry/schedules/ExponentialLR.ts.
fn sched_ExponentialLR(b: u32, k: u32, base_lr: f32) -> vec2f {
  return vec2f(base_lr * sched_powi(param(b + ExponentialLR_gamma), k), 0.0);
}
