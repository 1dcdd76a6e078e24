// Twin of src/core/registry/schedules/PolynomialLR.ts.
fn sched_PolynomialLR(b: u32, k: u32, base_lr: f32) -> vec2f {
  let t = u32(param(b + PolynomialLR_total_iters));
  var factor = 1.0;
  if (t > 0u) {
    let m = min(k, t);
    factor = sched_powr(f32(t - m) / f32(t), param(b + PolynomialLR_power));
  }
  return vec2f(base_lr * factor, 0.0);
}
