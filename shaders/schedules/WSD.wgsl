// Twin of src/core/registry/schedules/WSD.ts (wsdFactor).
fn sched_WSD(b: u32, k: u32, base_lr: f32) -> vec2f {
  let w = u32(param(b + WSD_warmup_steps));
  var factor: f32;
  if (k < w) {
    let s = param(b + WSD_warmup_start_factor);
    factor = (s * f32(w - k) + f32(k)) / f32(w);
  } else {
    let stable_end = w + u32(param(b + WSD_stable_steps));
    let d = u32(param(b + WSD_decay_steps));
    let m = param(b + WSD_min_lr_ratio);
    if (k < stable_end) {
      factor = 1.0;
    } else if (d == 0u) {
      factor = m;
    } else if (u32(param(b + WSD_decay_shape)) == WSD_decay_shape_linear) {
      let i = min(k - stable_end, d);
      factor = (f32(d - i) + m * f32(i)) / f32(d);
    } else if (k - stable_end >= d) {
      factor = m;
    } else {
      let j = k - stable_end;
      let rest = (f32(d - j) / f32(d)) / (1.0 + sqrt(f32(j) / f32(d)));
      factor = m + (1.0 - m) * rest;
    }
  }
  return vec2f(base_lr * factor, 0.0);
}
