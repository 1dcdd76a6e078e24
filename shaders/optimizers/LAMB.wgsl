// LAMB after timm/optim/lamb.py (Lamb.step; not in torch). Twin of
// src/core/registry/optimizers/LAMB.ts: same operations in the same order. (x, y) is one parameter
// tensor: gradient clipping and the trust ratio use norms over both coordinates.
// State: exp_avg, exp_avg_sq.

fn opt_init() {
  S[LAMB_S_exp_avg] = vec2f(0.0);
  S[LAMB_S_exp_avg_sq] = vec2f(0.0);
}

// sc = (1 - beta1^t, sqrt(1 - beta2^t), 0, 0), lr-independent, as Adam's.
fn opt_step_scalars(mom: f32, t: f32) -> vec4f {
  let bc1 = one_minus_pow(mom, t);
  let bc2 = one_minus_pow(param(LAMB_betas_1), t);
  return vec4f(bc1, sqrt(bc2), 0.0, 0.0);
}

fn opt_step(g: vec2f, lr: f32, mom: f32, t: f32, sc: vec4f) {
  let beta1 = mom;
  let beta2 = param(LAMB_betas_1);
  let eps = param(LAMB_eps);
  let wd = param(LAMB_weight_decay);
  let w2 = 1.0 - beta2;
  var bc1 = 1.0;
  var bc2_sqrt = 1.0;
  if LAMB_bias_correction {
    bc1 = sc.x;
    bc2_sqrt = sc.y;
  }
  var beta3 = 1.0;
  if LAMB_grad_averaging {
    beta3 = 1.0 - beta1;
  }
  // Global gradient-norm clipping; None (PARAM_UNSET) divides by 1, which is exact.
  let mgn = param(LAMB_max_grad_norm);
  let clip = select(max(sqrt(g.x * g.x + g.y * g.y) / mgn, 1.0), 1.0, mgn == -3.4028234663852886e38);
  let d = g / clip;
  let m = S[LAMB_S_exp_avg] * beta1 + beta3 * d;
  S[LAMB_S_exp_avg] = m;
  let v = S[LAMB_S_exp_avg_sq] * beta2 + (w2 * d) * d;
  S[LAMB_S_exp_avg_sq] = v;
  var u = (m / bc1) / (sqrt(v) / bc2_sqrt + eps);
  if LAMB_caution {
    let a = select(vec2f(0.0), vec2f(1.0), u * d > vec2f(0.0));
    let mean = max((a.x + a.y) / 2.0, 0.001);
    u = u * (a / mean);
  }
  var p = S[0];
  // Selects, not branches, on wd: it differs per run when swept (a constant otherwise, folded).
  var adapt = wd != 0.0;
  if LAMB_decoupled_decay {
    p = select(p, p + (-lr * wd) * p, adapt);
  } else {
    u = select(u, u + wd * p, adapt);
  }
  if LAMB_always_adapt {
    adapt = true;
  }
  let wn = sqrt(p.x * p.x + p.y * p.y);
  let un = sqrt(u.x * u.x + u.y * u.y);
  var tr = select(1.0, select(1.0, wn / un, un > 0.0), wn > 0.0);
  if LAMB_trust_clip {
    tr = min(tr, 1.0);
  }
  u = select(u, u * tr, adapt);
  S[0] = p - lr * u;
}
