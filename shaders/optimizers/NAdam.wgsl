// torch.optim.NAdam, _single_tensor_nadam (capturable=False). Twin of
// src/core/registry/optimizers/NAdam.ts: same operations in the same order.
// State: exp_avg, exp_avg_sq, mu_product (x).

fn opt_init() {
  S[NAdam_S_exp_avg] = vec2f(0.0);
  S[NAdam_S_exp_avg_sq] = vec2f(0.0);
  S[NAdam_S_mu_product] = vec2f(1.0, 0.0);
}

// sc = (1 - beta2^t, mu_t, mu_{t+1}, 1 - mu_t), lr-independent: the loop and both pows leave the
// step, which the engine then reads from a per-step table when no run differs in them.
fn opt_step_scalars(mom: f32, t: f32) -> vec4f {
  let beta1 = mom;
  let psi = param(NAdam_momentum_decay);
  let mu = beta1 * (1.0 - 0.5 * pow(0.96, t * psi));
  let bc2 = one_minus_pow(param(NAdam_betas_1), t);
  let mu_next = beta1 * (1.0 - 0.5 * pow(0.96, (t + 1.0) * psi));
  return vec4f(bc2, mu, mu_next, 1.0 - mu);
}

fn opt_step(g: vec2f, lr: f32, mom: f32, t: f32, sc: vec4f) {
  let beta1 = mom;
  let beta2 = param(NAdam_betas_1);
  let eps = param(NAdam_eps);
  let wd = param(NAdam_weight_decay);
  let decay = 1.0 - lr * wd;
  let w1 = 1.0 - beta1;
  let w2 = 1.0 - beta2;
  let bc2 = sc.x;
  let mu_product = S[NAdam_S_mu_product].x * sc.y;
  S[NAdam_S_mu_product].x = mu_product;
  let mu_next = sc.z;
  let mu_product_next = mu_product * mu_next;
  let grad_coef = (-lr * sc.w) / (1.0 - mu_product);
  let avg_coef = (-lr * mu_next) / (1.0 - mu_product_next);

  var p = S[0];
  var d = g;
  if NAdam_maximize {
    d = -d;
  }
  // Selects, not branches, on wd: it differs per run when swept (a constant otherwise, folded).
  if NAdam_decoupled_weight_decay {
    p = select(p, p * decay, wd != 0.0);
  } else {
    d = select(d, d + wd * p, wd != 0.0);
  }
  let m = aten_lerp(S[NAdam_S_exp_avg], d, w1);
  S[NAdam_S_exp_avg] = m;
  let v = S[NAdam_S_exp_avg_sq] * beta2 + (w2 * d) * d;
  S[NAdam_S_exp_avg_sq] = v;
  let denom = sqrt(v / bc2) + eps;
  p = p + (grad_coef * d) / denom;
  S[0] = p + (avg_coef * m) / denom;
}
