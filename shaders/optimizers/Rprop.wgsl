// torch.optim.Rprop, _single_tensor_rprop (capturable=False). Twin of
// src/core/registry/optimizers/Rprop.ts: same operations in the same order.
// State: prev (the previous, possibly zeroed, gradient), step_size.

fn opt_init() {
  S[Rprop_S_prev] = vec2f(0.0);
  S[Rprop_S_step_size] = vec2f(0.0);
}

// No per-step scalars: nothing in the step depends on the step count (t only marks the first step).
fn opt_step_scalars(mom: f32, t: f32) -> vec4f {
  return vec4f(0.0);
}

fn opt_step(g: vec2f, lr: f32, mom: f32, t: f32, sc: vec4f) {
  let minus = param(Rprop_etas_0);
  let plus = param(Rprop_etas_1);
  let lo = param(Rprop_step_sizes_0);
  let hi = param(Rprop_step_sizes_1);
  var d = g;
  if Rprop_maximize {
    d = -d;
  }
  // Selects, not branches: signs and the first step differ per run and per coordinate.
  let s = d * S[Rprop_S_prev];
  let f = select(select(vec2f(1.0), vec2f(minus), s < vec2f(0.0)), vec2f(plus), s > vec2f(0.0));
  // torch creates step_size = lr on the first step; clamp_ as min(max(x, lo), hi).
  let ss = min(max(select(S[Rprop_S_step_size], vec2f(lr), t == 1.0) * f, vec2f(lo)), vec2f(hi));
  S[Rprop_S_step_size] = ss;
  let dd = select(d, vec2f(0.0), f == vec2f(minus));
  S[Rprop_S_prev] = dd;
  S[0] = S[0] - sign(dd) * ss;
}
