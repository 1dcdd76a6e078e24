// Twin of src/core/registry/schedules/OneCycleLR.ts. base_lr (the optimizer's) is unused: OneCycleLR
// sets the LR from max_lr.
fn sched_OneCycleLR(b: u32, k: u32, base_lr: f32) -> vec2f {
  var n = param(b + OneCycleLR_total_steps);
  if (!sched_is_set(n)) {
    n = param(b + OneCycleLR_epochs) * param(b + OneCycleLR_steps_per_epoch);
  }
  let pct = param(b + OneCycleLR_pct_start);
  let top = param(b + OneCycleLR_max_lr);
  let initial = top / param(b + OneCycleLR_div_factor);
  let lowest = initial / param(b + OneCycleLR_final_div_factor);
  let m_hi = param(b + OneCycleLR_max_momentum);
  let m_lo = param(b + OneCycleLR_base_momentum);
  let x = f32(k);
  let end1 = pct * n - 1.0;
  var start = 0.0;
  var end = end1;
  var lr0 = initial;
  var lr1 = top;
  var m0 = m_hi;
  var m1 = m_lo;
  if (x > end1) {
    start = end1;
    end = n - 1.0;
    lr0 = top;
    lr1 = lowest;
    m0 = m_lo;
    m1 = m_hi;
    if (param(b + OneCycleLR_three_phase) != 0.0) {
      let end2 = 2.0 * pct * n - 2.0;
      if (x <= end2) {
        end = end2;
        lr1 = initial;
      } else {
        start = end2;
        lr0 = initial;
        m0 = m_hi;
      }
    }
  }
  let a = x - start;
  let q = end - x;
  let d = end - start;
  var w0: f32;
  var w1: f32;
  if (u32(param(b + OneCycleLR_anneal_strategy)) == OneCycleLR_anneal_strategy_cos) {
    w0 = sched_cos_weight(a, q, d);
    w1 = sched_cos_weight(q, a, d);
  } else {
    w0 = q / d;
    w1 = a / d;
  }
  var mom = 0.0;
  if (param(b + OneCycleLR_cycle_momentum) != 0.0) {
    mom = m0 * w0 + m1 * w1;
  }
  return vec2f(lr0 * w0 + lr1 * w1, mom);
}
