// Twin of src/core/registry/schedules/LinearLR.ts.
fn sched_LinearLR(b: u32, k: u32, base_lr: f32) -> vec2f {
  let s = param(b + LinearLR_start_factor);
  let e = param(b + LinearLR_end_factor);
  let t = u32(param(b + LinearLR_total_iters));
  var factor = s;
  if (t > 0u) {
    let m = min(k, t);
    factor = (s * f32(t - m) + e * f32(m)) / f32(t);
  }
  return vec2f(base_lr * factor, 0.0);
}
