// torch.optim.RMSprop, _single_tensor_rmsprop. Twin of src/core/registry/optimizers/RMSprop.ts: same
// operations in the same order. State: square_avg, momentum_buffer, grad_avg.

fn opt_init() {
  S[RMSprop_S_square_avg] = vec2f(0.0);
  S[RMSprop_S_momentum_buffer] = vec2f(0.0);
  S[RMSprop_S_grad_avg] = vec2f(0.0);
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
  let sq = S[RMSprop_S_square_avg] * alpha + (one_minus_alpha * d) * d;
  S[RMSprop_S_square_avg] = sq;
  var avg: vec2f;
  if RMSprop_centered {
    let ga = aten_lerp(S[RMSprop_S_grad_avg], d, one_minus_alpha);
    S[RMSprop_S_grad_avg] = ga;
    // Rounding can make this negative (NaN after sqrt), exactly as in torch.
    avg = sqrt(sq - ga * ga);
  } else {
    avg = sqrt(sq);
  }
  avg = avg + eps;
  let buf = S[RMSprop_S_momentum_buffer] * mom + d / avg;
  S[RMSprop_S_momentum_buffer] = select(S[RMSprop_S_momentum_buffer], buf, mom > 0.0);
  S[0] = select(p + (-lr * d) / avg, p - lr * buf, mom > 0.0);
}
