// Twin of src/core/registry/schedules/SWALR.ts.
fn sched_SWALR(b: u32, k: u32, base_lr: f32) -> vec2f {
  let swa = param(b + SWALR_swa_lr);
  let n = u32(param(b + SWALR_anneal_epochs));
  if (n == 0u) {
    return vec2f(swa, 0.0);
  }
  let a = min(k, n);
  let q = n - a;
  var alpha: f32;
  var keep: f32;
  if (u32(param(b + SWALR_anneal_strategy)) == SWALR_anneal_strategy_cos) {
    alpha = sched_cos_weight(f32(q), f32(a), f32(n));
    keep = sched_cos_weight(f32(a), f32(q), f32(n));
  } else {
    alpha = f32(a) / f32(n);
    keep = f32(q) / f32(n);
  }
  return vec2f(swa * alpha + base_lr * keep, 0.0);
}
