// torch.optim.Adamax, _single_tensor_adamax (capturable=False). Twin of
// src/core/registry/optimizers/Adamax.ts: same operations in the same order.
// State: exp_avg, exp_inf.

fn opt_init() {
  S[Adamax_S_exp_avg] = vec2f(0.0);
  S[Adamax_S_exp_inf] = vec2f(0.0);
}

// sc = (1 - beta1^t, 0, 0, 0), lr-independent: the loop leaves the step, which the engine then reads
// from a per-step table when no run differs in beta1.
fn opt_step_scalars(mom: f32, t: f32) -> vec4f {
  return vec4f(one_minus_pow(mom, t), 0.0, 0.0, 0.0);
}

fn opt_step(g: vec2f, lr: f32, mom: f32, t: f32, sc: vec4f) {
  let beta2 = param(Adamax_betas_1);
  let eps = param(Adamax_eps);
  let wd = param(Adamax_weight_decay);
  let w1 = 1.0 - mom;
  let clr = lr / sc.x;
  let p = S[0];
  var d = g;
  if Adamax_maximize {
    d = -d;
  }
  // A select, not a branch: wd differs per run when swept (a constant otherwise, folded).
  d = select(d, d + wd * p, wd != 0.0);
  let m = aten_lerp(S[Adamax_S_exp_avg], d, w1);
  S[Adamax_S_exp_avg] = m;
  let u = max(S[Adamax_S_exp_inf] * beta2, abs(d) + eps);
  S[Adamax_S_exp_inf] = u;
  S[0] = p + (-clr * m) / u;
}
