// torch.optim.Adagrad, _single_tensor_adagrad (dense gradients). Twin of
// src/core/registry/optimizers/Adagrad.ts: same operations in the same order. S[1]: state["sum"].

fn opt_init() {
  S[1] = vec2f(param(Adagrad_initial_accumulator_value));
}

fn opt_step(g: vec2f, lr: f32, mom: f32, t: f32) {
  let wd = param(Adagrad_weight_decay);
  let eps = param(Adagrad_eps);
  // torch evaluates clr in Python float64.
  let clr = lr / (1.0 + (t - 1.0) * param(Adagrad_lr_decay));
  let p = S[0];
  var d = g;
  if Adagrad_maximize {
    d = -d;
  }
  if wd != 0.0 {
    d = d + wd * p;
  }
  let sum = S[1] + d * d;
  S[1] = sum;
  let denom = sqrt(sum) + eps;
  S[0] = p + (-clr * d) / denom;
}
