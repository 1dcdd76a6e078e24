// torch.optim.Adadelta, _single_tensor_adadelta. Twin of src/core/registry/optimizers/Adadelta.ts:
// same operations in the same order. State: square_avg, acc_delta.

fn opt_init() {
  S[Adadelta_S_square_avg] = vec2f(0.0);
  S[Adadelta_S_acc_delta] = vec2f(0.0);
}

// No per-step scalars: nothing in the step depends on the step count.
fn opt_step_scalars(mom: f32, t: f32) -> vec4f {
  return vec4f(0.0);
}

fn opt_step(g: vec2f, lr: f32, mom: f32, t: f32, sc: vec4f) {
  let rho = param(Adadelta_rho);
  let w = 1.0 - rho;
  let eps = param(Adadelta_eps);
  let wd = param(Adadelta_weight_decay);
  let p = S[0];
  var d = g;
  if Adadelta_maximize {
    d = -d;
  }
  // A select, not a branch: wd differs per run when swept (a constant otherwise, folded).
  d = select(d, d + wd * p, wd != 0.0);
  let sa = S[Adadelta_S_square_avg] * rho + (w * d) * d;
  S[Adadelta_S_square_avg] = sa;
  let denom = sqrt(sa + eps);
  let delta = (sqrt(S[Adadelta_S_acc_delta] + eps) / denom) * d;
  S[Adadelta_S_acc_delta] = S[Adadelta_S_acc_delta] * rho + (w * delta) * delta;
  S[0] = p - lr * delta;
}
