// Twin of src/core/registry/schedules/SequentialLR.ts (see there for torch's rules). Only the
// top-level schedule can be a SequentialLR, so its children are the pipeline's
// SCHEDULE_CHILD_KIND_i with blocks P_SCHEDULE + SCHEDULE_BLOCK * (i + 1); b is its own block.
//
// Written out child by child with the kinds as constants, every child evaluated and the active one
// selected: a loop over children, or a switch on a kind chosen at run time, keeps SwiftShader from
// specialising anything and made a per-run SequentialLR ~200x slower than a single schedule.

// One child's (LR, momentum) at its local step j, given the LR it starts from (l) and the param
// group's initial_lr when it was built (base).
fn seq_child(kind: u32, cb: u32, j: u32, l: f32, base: f32, first: bool) -> vec2f {
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

// initial_lr after building child `kind` (block cb), given the value before it: a OneCycleLR
// overwrites it with max_lr / div_factor; the first child sets it (CyclicLR to its base_lr).
fn seq_initial(kind: u32, cb: u32, before: f32, first: bool, base_lr: f32) -> f32 {
  if (kind == SCHED_KIND_OneCycleLR) {
    return param(cb + OneCycleLR_max_lr) / param(cb + OneCycleLR_div_factor);
  }
  if (first) {
    if (kind == SCHED_KIND_CyclicLR) {
      return param(cb + CyclicLR_base_lr);
    }
    return base_lr;
  }
  return before;
}

// Whether a child cycles the momentum (CyclicLR, OneCycleLR with cycle_momentum).
fn seq_cycles(kind: u32, cb: u32) -> bool {
  return (kind == SCHED_KIND_OneCycleLR && param(cb + OneCycleLR_cycle_momentum) != 0.0) ||
    (kind == SCHED_KIND_CyclicLR && param(cb + CyclicLR_cycle_momentum) != 0.0);
}

fn sched_SequentialLR(b: u32, k: u32, base_lr: f32) -> vec2f {
  let k0 = SCHEDULE_CHILD_KIND_0;
  let k1 = SCHEDULE_CHILD_KIND_1;
  let k2 = SCHEDULE_CHILD_KIND_2;
  let k3 = SCHEDULE_CHILD_KIND_3;
  let cb0 = P_SCHEDULE + SCHEDULE_BLOCK;
  let cb1 = P_SCHEDULE + SCHEDULE_BLOCK * 2u;
  let cb2 = P_SCHEDULE + SCHEDULE_BLOCK * 3u;
  let cb3 = P_SCHEDULE + SCHEDULE_BLOCK * 4u;
  let n = u32(k0 != 0u) + u32(k1 != 0u) + u32(k2 != 0u) + u32(k3 != 0u);
  // Milestones are non-decreasing, so the active child is the number of them already passed.
  let m0 = u32(param(b + SequentialLR_milestones_0));
  let m1 = u32(param(b + SequentialLR_milestones_1));
  let m2 = u32(param(b + SequentialLR_milestones_2));
  let idx = u32(n > 1u && k >= m0) + u32(n > 2u && k >= m1) + u32(n > 3u && k >= m2);
  // initial_lr as each child is built, and after all of them.
  let i0 = seq_initial(k0, cb0, 0.0, true, base_lr);
  let i1 = seq_initial(k1, cb1, i0, false, base_lr);
  let i2 = seq_initial(k2, cb2, i1, false, base_lr);
  let i3 = seq_initial(k3, cb3, i2, false, base_lr);
  let last = select(select(select(i0, i1, n > 1u), i2, n > 2u), i3, n > 3u);
  // Child 0 chains from the final initial_lr; a later child starts from its own.
  var out = seq_child(k0, cb0, k, last, i0, true);
  if (n > 1u) {
    out = select(out, seq_child(k1, cb1, k - m0, i1, i1, false), vec2<bool>(idx == 1u));
  }
  if (n > 2u) {
    out = select(out, seq_child(k2, cb2, k - m1, i2, i2, false), vec2<bool>(idx == 2u));
  }
  if (n > 3u) {
    out = select(out, seq_child(k3, cb3, k - m2, i3, i3, false), vec2<bool>(idx == 3u));
  }
  // The momentum where a child cycles it (SequentialLR.ts, step 4): the active child's if it
  // cycles; else the value the latest cycling child before it left at its last step; else the last
  // cycling child's (in list order) at its step 0, which the constructors left. Only in a pipeline
  // that cycles momentum: a constant, so every other pipeline compiles none of it.
  if (CYCLE_MOMENTUM) {
    let c0 = seq_cycles(k0, cb0);
    let c1 = n > 1u && seq_cycles(k1, cb1);
    let c2 = n > 2u && seq_cycles(k2, cb2);
    let c3 = n > 3u && seq_cycles(k3, cb3);
    let now_cycles = select(select(select(c0, c1, idx == 1u), c2, idx == 2u), c3, idx == 3u);
    if (!now_cycles) {
      var held = 0.0;
      if (c0) { held = seq_child(k0, cb0, 0u, last, i0, true).y; }
      if (c1) { held = seq_child(k1, cb1, 0u, i1, i1, false).y; }
      if (c2) { held = seq_child(k2, cb2, 0u, i2, i2, false).y; }
      if (c3) { held = seq_child(k3, cb3, 0u, i3, i3, false).y; }
      // In time order, so the latest before the active child wins (child 0's range is never empty).
      if (c0 && idx > 0u) { held = seq_child(k0, cb0, m0 - 1u, last, i0, true).y; }
      if (c1 && idx > 1u && m1 > m0) { held = seq_child(k1, cb1, m1 - 1u - m0, i1, i1, false).y; }
      if (c2 && idx > 2u && m2 > m1) { held = seq_child(k2, cb2, m2 - 1u - m1, i2, i2, false).y; }
      out.y = held;
    }
  }
  return out;
}
