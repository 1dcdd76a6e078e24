// Twin of src/core/registry/schedules/CosineAnnealingLR.ts.
fn sched_CosineAnnealingLR_from(b: u32, k: u32, l0: f32, base: f32) -> vec2f {
  let t = u32(param(b + CosineAnnealingLR_T_max));
  let eta = param(b + CosineAnnealingLR_eta_min);
  var j = k % (2u * t);
  if (j > t) {
    j = 2u * t - j;
  }
  let w = sched_cos_weight(f32(j), f32(t - j), f32(t));
  var l = base;
  if (k <= t) {
    l = l0;
  }
  return vec2f(eta + (l - eta) * w, 0.0);
}

fn sched_CosineAnnealingLR(b: u32, k: u32, base_lr: f32) -> vec2f {
  return sched_CosineAnnealingLR_from(b, k, base_lr, base_lr);
}
