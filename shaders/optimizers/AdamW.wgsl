// torch.optim.AdamW, _single_tensor_adam with decoupled_weight_decay=True. Twin of src/core/registry/optimizers/AdamW.ts (adamFamily in
// Adam.ts): same operations in the same order. S[1]: exp_avg, S[2]: exp_avg_sq, S[3]: max_exp_avg_sq.

fn opt_init() {
  S[1] = vec2f(0.0);
  S[2] = vec2f(0.0);
  S[3] = vec2f(0.0);
}

// sc = (1 - beta1^t, sqrt(1 - beta2^t), 0, 0), lr-independent: the loops and the square root leave
// the step, which the engine then reads from a per-step table when no run differs in them.
fn opt_step_scalars(mom: f32, t: f32) -> vec4f {
  let bc1 = one_minus_pow(mom, t);
  let bc2 = one_minus_pow(param(AdamW_betas_1), t);
  return vec4f(bc1, sqrt(bc2), 0.0, 0.0);
}

fn opt_step(g: vec2f, lr: f32, mom: f32, t: f32, sc: vec4f) {
  let beta1 = mom;
  let beta2 = param(AdamW_betas_1);
  let eps = param(AdamW_eps);
  let wd = param(AdamW_weight_decay);
  let decay = 1.0 - lr * wd;
  let w1 = 1.0 - beta1;
  let w2 = 1.0 - beta2;
  let step_size = lr / sc.x;
  var p = S[0];
  var d = g;
  if AdamW_maximize {
    d = -d;
  }
  // Always decoupled. A select, not a branch, on wd: it differs per run when swept (a constant
  // otherwise, folded).
  p = select(p, p * decay, wd != 0.0);
  let m = aten_lerp(S[1], d, w1);
  S[1] = m;
  var v = S[2] * beta2 + (w2 * d) * d;
  S[2] = v;
  if AdamW_amsgrad {
    v = max(S[3], v);
    S[3] = v;
  }
  let denom = sqrt(v) / sc.y + eps;
  S[0] = p + (-step_size * m) / denom;
}
