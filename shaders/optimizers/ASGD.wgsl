// torch.optim.ASGD, _single_tensor_asgd (capturable=False). Twin of
// src/core/registry/optimizers/ASGD.ts: same operations in the same order.
// State: ax (the averaged iterate), eta (x: the step size of the next step, torch's state["eta"]).

fn opt_init() {
  S[ASGD_S_ax] = vec2f(0.0);
  S[ASGD_S_eta] = vec2f(0.0);
}

// No per-step scalars: eta depends on the scheduled LR (state, one pow a step as in torch) and mu is
// three operations and a select, cheaper than a table read.
fn opt_step_scalars(mom: f32, t: f32) -> vec4f {
  return vec4f(0.0);
}

fn opt_step(g: vec2f, lr: f32, mom: f32, t: f32, sc: vec4f) {
  let lambd = param(ASGD_lambd);
  let wd = param(ASGD_weight_decay);
  // torch creates eta = group lr and mu = 1 on the first step; selects, not branches.
  let first = t == 1.0;
  let eta = select(S[ASGD_S_eta].x, lr, first);
  let decay = 1.0 - lambd * eta;
  let mu = select(1.0 / max(1.0, (t - 1.0) - param(ASGD_t0)), 1.0, first);
  var p = S[0];
  var d = g;
  if ASGD_maximize {
    d = -d;
  }
  d = select(d, d + wd * p, wd != 0.0);
  p = p * decay;
  p = p - eta * d;
  S[0] = p;
  let ax = S[ASGD_S_ax];
  S[ASGD_S_ax] = select(ax + (p - ax) * mu, p, mu == 1.0);
  S[ASGD_S_eta].x = lr / pow(1.0 + (lambd * lr) * t, param(ASGD_alpha));
}
