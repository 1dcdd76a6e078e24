// Twin of src/core/registry/schedules/CyclicLR.ts. base_lr (the optimizer's) is unused: CyclicLR
// sets the LR from its own base_lr and max_lr.
fn sched_CyclicLR(b: u32, k: u32, base_lr: f32) -> vec2f {
  let up = u32(param(b + CyclicLR_step_size_up));
  var down = up;
  let down_slot = param(b + CyclicLR_step_size_down);
  if (sched_is_set(down_slot)) {
    down = u32(down_slot);
  }
  let total = up + down;
  let cycle = k / total + 1u;
  let pos = k % total;
  var scale: f32;
  if (pos <= up) {
    scale = f32(pos) / f32(up);
  } else {
    scale = f32(total - pos) / f32(down);
  }
  let mode = u32(param(b + CyclicLR_mode));
  var amp = 1.0;
  if (mode == CyclicLR_mode_triangular2) {
    amp = ldexp(1.0, 1 - i32(cycle));
  } else if (mode == CyclicLR_mode_exp_range) {
    amp = sched_powi(param(b + CyclicLR_gamma), k);
  }
  let lo = param(b + CyclicLR_base_lr);
  let hi = param(b + CyclicLR_max_lr);
  let lr = lo + (hi - lo) * scale * amp;
  var mom = 0.0;
  if (param(b + CyclicLR_cycle_momentum) != 0.0) {
    let mlo = param(b + CyclicLR_base_momentum);
    let mhi = param(b + CyclicLR_max_momentum);
    mom = mhi - (mhi - mlo) * scale * amp;
  }
  return vec2f(lr, mom);
}
