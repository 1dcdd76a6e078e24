// torch.optim.lr_scheduler.ReduceLROnPlateau, twin of src/core/registry/schedules/ReduceLROnPlateau.ts.
// The LR is per-run state (lr, best, num_bad_epochs, cooldown_counter), kept by the step kernel.

// Not used for the LR (the kernel reads the state); present so the dispatch switch is uniform.
fn sched_ReduceLROnPlateau(b: u32, k: u32, base_lr: f32) -> vec2f {
  return vec2f(base_lr, 0.0);
}

// best starts as torch's mode_worse (±inf), held as "unset": a NaN, made from its bits and tested on
// them (WGSL may assume no NaN or infinity arises from arithmetic).
fn plateau_init(b: u32, base_lr: f32) -> vec4f {
  // From a variable's bits: a NaN constant expression does not compile.
  var nan_bits = 0x7fc00000u;
  return vec4f(base_lr, bitcast<f32>(nan_bits), 0.0, 0.0);
}

// is_nan() is lib/finite.wgsl's (composed before every schedule file).
// is_better(a, best) while best is mode_worse, without infinities: twin of isBetterThanWorst.
fn plateau_better_than_worst(b: u32, a: f32) -> bool {
  let t = param(b + ReduceLROnPlateau_threshold);
  let rel = u32(param(b + ReduceLROnPlateau_threshold_mode)) == ReduceLROnPlateau_threshold_mode_rel;
  if (u32(param(b + ReduceLROnPlateau_mode)) == ReduceLROnPlateau_mode_min) {
    return !(rel && t >= 1.0) && bitcast<u32>(a) != 0x7f800000u;
  }
  return bitcast<u32>(a) != 0xff800000u;
}

fn plateau_is_better(b: u32, a: f32, best: f32) -> bool {
  let t = param(b + ReduceLROnPlateau_threshold);
  let rel = u32(param(b + ReduceLROnPlateau_threshold_mode)) == ReduceLROnPlateau_threshold_mode_rel;
  if (u32(param(b + ReduceLROnPlateau_mode)) == ReduceLROnPlateau_mode_min) {
    return select(a < best - t, a < best * (1.0 - t), rel);
  }
  return select(a > best + t, a > best * (t + 1.0), rel);
}

// scheduler.step(metric) after a step.
fn plateau_step(b: u32, st: vec4f, metric: f32) -> vec4f {
  var lr = st.x;
  var best = st.y;
  var bad = st.z;
  var cooldown = st.w;
  // A NaN metric is never better (torch compares it); tested on the bits, because WGSL may fold
  // metric == metric to true. While best is unset, torch compares with ±inf.
  let better = !is_nan(metric) && select(plateau_is_better(b, metric, best), plateau_better_than_worst(b, metric), is_nan(best));
  best = select(best, metric, better);
  bad = select(bad + 1.0, 0.0, better);
  let cooling = cooldown > 0.0;
  cooldown = select(cooldown, cooldown - 1.0, cooling);
  bad = select(bad, 0.0, cooling);
  let reduce = bad > param(b + ReduceLROnPlateau_patience);
  let next = max(lr * param(b + ReduceLROnPlateau_factor), param(b + ReduceLROnPlateau_min_lr));
  lr = select(lr, next, reduce && lr - next > param(b + ReduceLROnPlateau_eps));
  cooldown = select(cooldown, param(b + ReduceLROnPlateau_cooldown), reduce);
  bad = select(bad, 0.0, reduce);
  return vec4f(lr, best, bad, cooldown);
}
