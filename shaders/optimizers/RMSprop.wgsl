// torch.optim.RMSprop, _single_tensor_rmsprop. Twin of src/core/registry/optimizers/RMSprop.ts: same
// operations in the same order. S[1]: square_avg, S[2]: momentum_buffer, S[3]: grad_avg.

fn opt_init() {
  S[1] = vec2f(0.0);
  S[2] = vec2f(0.0);
  S[3] = vec2f(0.0);
}

// No per-step scalars: nothing in the step depends on the step count.
fn opt_step_scalars(mom: f32, t: f32) -> vec4f {
  return vec4f(0.0);
}

fn opt_step(g: vec2f, lr: f32, mom: f32, t: f32, sc: vec4f) {
  let alpha = param(RMSprop_alpha);
  let one_minus_alpha = 1.0 - alpha;
  let eps = param(RMSprop_eps);
  let wd = param(RMSprop_weight_decay);
  let p = S[0];
  var d = g;
  if RMSprop_maximize {
    d = -d;
  }
  // Selects, not branches, on wd and the momentum: they differ per run when swept (constants
  // otherwise, folded).
  d = select(d, d + wd * p, wd != 0.0);
  let sq = S[1] * alpha + (one_minus_alpha * d) * d;
  S[1] = sq;
  var avg: vec2f;
  if RMSprop_centered {
    let ga = aten_lerp(S[3], d, one_minus_alpha);
    S[3] = ga;
    // Rounding can make this negative (NaN after sqrt), exactly as in torch.
    avg = sqrt(sq - ga * ga);
  } else {
    avg = sqrt(sq);
  }
  avg = avg + eps;
  let buf = S[2] * mom + d / avg;
  S[2] = select(S[2], buf, mom > 0.0);
  S[0] = select(p + (-lr * d) / avg, p - lr * buf, mom > 0.0);
}
