// torch.optim.Adam and torch.optim.AdamW, _single_tensor_adam. Twin of adamFamily in
// src/core/registry/optimizers/Adam.ts: same operations in the same order. State: exp_avg, exp_avg_sq,
// max_exp_avg_sq.
//
// One body for both entries (AdamW's wgslShared), so it reads the pipeline's OPT_ aliases, generated
// for whichever of the two the pipeline runs (src/engine/gpu/wgsl-layout.ts, optimizerAliases):
// for AdamW, OPT_decoupled_weight_decay is the constant true (AdamW always decouples).

fn opt_init() {
  S[OPT_S_exp_avg] = vec2f(0.0);
  S[OPT_S_exp_avg_sq] = vec2f(0.0);
  S[OPT_S_max_exp_avg_sq] = vec2f(0.0);
}

// sc = (1 - beta1^t, sqrt(1 - beta2^t), 0, 0), lr-independent: the loops and the square root leave
// the step, which the engine then reads from a per-step table when no run differs in them.
fn opt_step_scalars(mom: f32, t: f32) -> vec4f {
  let bc1 = one_minus_pow(mom, t);
  let bc2 = one_minus_pow(param(OPT_betas_1), t);
  return vec4f(bc1, sqrt(bc2), 0.0, 0.0);
}

fn opt_step(g: vec2f, lr: f32, mom: f32, t: f32, sc: vec4f) {
  let beta1 = mom;
  let beta2 = param(OPT_betas_1);
  let eps = param(OPT_eps);
  let wd = param(OPT_weight_decay);
  let decay = 1.0 - lr * wd;
  let w1 = 1.0 - beta1;
  let w2 = 1.0 - beta2;
  let step_size = lr / sc.x;
  var p = S[0];
  var d = g;
  if OPT_maximize {
    d = -d;
  }
  // Selects, not branches, on wd: it differs per run when swept (a constant otherwise, folded).
  if OPT_decoupled_weight_decay {
    p = select(p, p * decay, wd != 0.0);
  } else {
    d = select(d, d + wd * p, wd != 0.0);
  }
  let m = aten_lerp(S[OPT_S_exp_avg], d, w1);
  S[OPT_S_exp_avg] = m;
  var v = S[OPT_S_exp_avg_sq] * beta2 + (w2 * d) * d;
  S[OPT_S_exp_avg_sq] = v;
  if OPT_amsgrad {
    v = max(S[OPT_S_max_exp_avg_sq], v);
    S[OPT_S_max_exp_avg_sq] = v;
  }
  let denom = sqrt(v) / sc.y + eps;
  S[0] = p + (-step_size * m) / denom;
}
