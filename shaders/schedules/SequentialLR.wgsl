// Twin of src/core/registry/schedules/SequentialLR.ts (see there for torch's rules). Only the
// top-level schedule can be a SequentialLR, so its children are the pipeline's
// SCHEDULE_CHILD_KIND_i with blocks P_SCHEDULE + SCHEDULE_BLOCK * (i + 1); b is its own block.
fn sched_SequentialLR(b: u32, k: u32, base_lr: f32) -> vec2f {
  var n = 0u;
  for (var i = 0u; i < 4u; i++) {
    if (sched_child_kind(i) != 0u) {
      n = i + 1u;
    }
  }
  var idx = 0u;
  for (var i = 0u; i + 1u < n; i++) {
    if (k >= u32(param(b + SequentialLR_milestones_0 + i))) {
      idx = i + 1u;
    }
  }
  var j = k;
  if (idx > 0u) {
    j = k - u32(param(b + SequentialLR_milestones_0 + idx - 1u));
  }
  // The param group's initial_lr as each child is constructed.
  var initial = 0.0;
  var have = false;
  var base = 0.0;
  for (var i = 0u; i < n; i++) {
    let kind = sched_child_kind(i);
    let cb = P_SCHEDULE + SCHEDULE_BLOCK * (i + 1u);
    if (kind == SCHED_KIND_OneCycleLR) {
      initial = param(cb + OneCycleLR_max_lr) / param(cb + OneCycleLR_div_factor);
      have = true;
    } else if (!have) {
      if (kind == SCHED_KIND_CyclicLR) {
        initial = param(cb + CyclicLR_base_lr);
      } else {
        initial = base_lr;
      }
      have = true;
    }
    if (i == idx) {
      base = initial;
    }
  }
  let kind = sched_child_kind(idx);
  let cb = P_SCHEDULE + SCHEDULE_BLOCK * (idx + 1u);
  let first = idx == 0u;
  var l = base;
  if (first) {
    l = initial;
  }
  if (kind == SCHED_KIND_ConstantLR && !first && u32(param(cb + ConstantLR_total_iters)) == 0u) {
    return vec2f(base, 0.0);
  }
  if (kind == SCHED_KIND_CosineAnnealingLR) {
    return sched_CosineAnnealingLR_from(cb, j, l, base);
  }
  if (kind == SCHED_KIND_CosineAnnealingWarmRestarts) {
    return sched_CosineAnnealingWarmRestarts(cb, j, base);
  }
  return sched_leaf(kind, cb, j, l);
}
