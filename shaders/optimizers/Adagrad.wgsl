// torch.optim.Adagrad, _single_tensor_adagrad (dense gradients). Twin of
// src/core/registry/optimizers/Adagrad.ts: same operations in the same order. State: sum.

fn opt_init() {
  S[Adagrad_S_sum] = vec2f(param(Adagrad_initial_accumulator_value));
}

// No per-step scalars: clr's factor 1 + (t - 1) * lr_decay is three operations, cheaper than a table read.
fn opt_step_scalars(mom: f32, t: f32) -> vec4f {
  return vec4f(0.0);
}

fn opt_step(g: vec2f, lr: f32, mom: f32, t: f32, sc: vec4f) {
  let wd = param(Adagrad_weight_decay);
  let eps = param(Adagrad_eps);
  // torch evaluates clr in Python float64.
  let clr = lr / (1.0 + (t - 1.0) * param(Adagrad_lr_decay));
  let p = S[0];
  var d = g;
  if Adagrad_maximize {
    d = -d;
  }
  // A select, not a branch: wd differs per run when swept (a constant otherwise, folded).
  d = select(d, d + wd * p, wd != 0.0);
  let sum = S[Adagrad_S_sum] + d * d;
  S[Adagrad_S_sum] = sum;
  let denom = sqrt(sum) + eps;
  S[0] = p + (-clr * d) / denom;
}
