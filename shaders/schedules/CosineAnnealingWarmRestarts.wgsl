// Twin of src/core/registry/schedules/CosineAnnealingWarmRestarts.ts.
fn sched_CosineAnnealingWarmRestarts(b: u32, k: u32, base_lr: f32) -> vec2f {
  let t0 = param(b + CosineAnnealingWarmRestarts_T_0);
  let tm = param(b + CosineAnnealingWarmRestarts_T_mult);
  let eta = param(b + CosineAnnealingWarmRestarts_eta_min);
  var cur: f32;
  var ti = t0;
  if (tm == 1.0) {
    cur = f32(k % u32(t0));
  } else {
    cur = f32(k);
    loop {
      if (cur < ti) {
        break;
      }
      cur = cur - ti;
      ti = ti * tm;
    }
  }
  let w = sched_cos_weight(cur, ti - cur, ti);
  return vec2f(eta + (base_lr - eta) * w, 0.0);
}
