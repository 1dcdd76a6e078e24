// torch.optim.lr_scheduler.ReduceLROnPlateau, twin of src/core/registry/schedules/ReduceLROnPlateau.ts.
// The LR is per-run state (lr, best, num_bad_epochs, cooldown_counter), kept by the step kernel.

// Not used for the LR (the kernel reads the state); present so the dispatch switch is uniform.
fn sched_ReduceLROnPlateau(b: u32, k: u32, base_lr: f32) -> vec2f {
  return vec2f(base_lr, 0.0);
}

fn plateau_init(b: u32, base_lr: f32) -> vec4f {
  return vec4f(base_lr, 0.0, 0.0, 0.0);
}

fn plateau_is_better(b: u32, a: f32, best: f32) -> bool {
  let t = param(b + ReduceLROnPlateau_threshold);
  let rel = u32(param(b + ReduceLROnPlateau_threshold_mode)) == ReduceLROnPlateau_threshold_mode_rel;
  if (u32(param(b + ReduceLROnPlateau_mode)) == ReduceLROnPlateau_mode_min) {
    return select(a < best - t, a < best * (1.0 - t), rel);
  }
  return select(a > best + t, a > best * (t + 1.0), rel);
}

// scheduler.step(metric) after a step; `first` replaces torch's comparison with best = ±inf.
fn plateau_step(b: u32, st: vec4f, metric: f32, first: bool) -> vec4f {
  var lr = st.x;
  var best = st.y;
  var bad = st.z;
  var cooldown = st.w;
  // A NaN metric is never better (torch compares it with ±inf); tested on the bits, because WGSL
  // may fold metric == metric to true.
  let not_nan = (bitcast<u32>(metric) & 0x7fffffffu) <= 0x7f800000u;
  let better = select(plateau_is_better(b, metric, best), not_nan, first);
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
