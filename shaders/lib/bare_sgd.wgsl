// The bare network baselines' update (kernels/bare_net_sgd.wgsl, kernels/bare_net_wg.wgsl): pair p
// of the run stepped by plain momentum SGD from the gradient rows at rg, as torch's SGD with
// momentum and no dampening, Nesterov or weight decay: buf = momentum buf + g, w -= lr buf.
override OPT_MOMENTUM_SLOT: u32 = 0u;

fn bare_sgd_pair(p: u32, rg: u32) {
  let q = pairs[p];
  cur_group = q.z;
  let lr = param(P_OPTIMIZER);
  let mom = param(OPT_MOMENTUM_SLOT);
  let has1 = q.y != NO_COORD;
  let g = vec2f(work[wk(rg + q.x)], select(0.0, work[wk(rg + q.y)], has1));
  let b = state_at(1u, p);
  let buf = mom * state_slots[b] + g;
  state_slots[b] = buf;
  work[wk(q.x)] = work[wk(q.x)] - lr * buf.x;
  if (has1) {
    work[wk(q.y)] = work[wk(q.y)] - lr * buf.y;
  }
}
