// Twin of src/core/registry/schedules/ChainedScheduler.ts (see there for torch's rules). Only the
// top-level schedule can be a ChainedScheduler, so its children are the pipeline's
// SCHEDULE_CHILD_KIND_i with blocks P_SCHEDULE + SCHEDULE_BLOCK * (i + 1); b is its own (empty)
// block. The LR is each child's closed form applied to the running product, in list order.
//
// Written out per child with the override constants themselves, not as a loop over
// sched_child_kind(i): SwiftShader does not unroll that loop, so the kind stays a runtime value and
// every step runs sched_leaf's whole switch four times (measured: ~900x slower per evaluation than a
// leaf schedule). With a constant kind each call folds to the one child's code.
fn sched_ChainedScheduler(b: u32, k: u32, base_lr: f32) -> vec2f {
  var lr = base_lr;
  if (SCHEDULE_CHILD_KIND_0 != 0u) {
    lr = sched_leaf(SCHEDULE_CHILD_KIND_0, P_SCHEDULE + SCHEDULE_BLOCK * 1u, k, lr).x;
  }
  if (SCHEDULE_CHILD_KIND_1 != 0u) {
    lr = sched_leaf(SCHEDULE_CHILD_KIND_1, P_SCHEDULE + SCHEDULE_BLOCK * 2u, k, lr).x;
  }
  if (SCHEDULE_CHILD_KIND_2 != 0u) {
    lr = sched_leaf(SCHEDULE_CHILD_KIND_2, P_SCHEDULE + SCHEDULE_BLOCK * 3u, k, lr).x;
  }
  if (SCHEDULE_CHILD_KIND_3 != 0u) {
    lr = sched_leaf(SCHEDULE_CHILD_KIND_3, P_SCHEDULE + SCHEDULE_BLOCK * 4u, k, lr).x;
  }
  return vec2f(lr, 0.0);
}
