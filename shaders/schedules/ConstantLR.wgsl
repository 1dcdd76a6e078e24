// Twin of src/core/registry/schedules/ConstantLR.ts.
fn sched_ConstantLR(b: u32, k: u32, base_lr: f32) -> vec2f {
  let factor = param(b + ConstantLR_factor);
  let total = u32(param(b + ConstantLR_total_iters));
  let scaled = base_lr * factor;
  if (total >= 1u && k >= total) {
    return vec2f(scaled * (1.0 / factor), 0.0);
  }
  return vec2f(scaled, 0.0);
}
