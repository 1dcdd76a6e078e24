// Lion after timm/optim/lion.py (_single_tensor_lion; not in torch). Twin of
// src/core/registry/optimizers/Lion.ts: same operations in the same order. State: exp_avg.

fn opt_init() {
  S[Lion_S_exp_avg] = vec2f(0.0);
}

// No per-step scalars: nothing in the step depends on the step count.
fn opt_step_scalars(mom: f32, t: f32) -> vec4f {
  return vec4f(0.0);
}

fn opt_step(g: vec2f, lr: f32, mom: f32, t: f32, sc: vec4f) {
  let w1 = 1.0 - mom;
  let w2 = 1.0 - param(Lion_betas_1);
  let decay = 1.0 - lr * param(Lion_weight_decay);
  var d = g;
  if Lion_maximize {
    d = -d;
  }
  var u = sign(S[Lion_S_exp_avg] * mom + w1 * d);
  if Lion_caution {
    let a = select(vec2f(0.0), vec2f(1.0), u * d > vec2f(0.0));
    let mean = max((a.x + a.y) / 2.0, 0.001);
    u = u * (a / mean);
  }
  S[0] = S[0] * decay - lr * u;
  S[Lion_S_exp_avg] = aten_lerp(S[Lion_S_exp_avg], d, w2);
}

// The rule over a whole tensor of n numbers (a network's weight or bias; rows, cols: a weight's
// shape, rows = 0 for a bias), twin of Lion.tensor.step: with caution the mask's mean is over the
// whole tensor. State: exp_avg (n numbers). The update u goes through the tensor's work row.
fn opt_tensor_step(n: u32, rows: u32, cols: u32, lr: f32, mom: f32, t: f32, sc: vec4f, gs: f32) {
  let w1 = 1.0 - mom;
  let w2 = 1.0 - param(Lion_betas_1);
  let decay = 1.0 - lr * param(Lion_weight_decay);
  for (var i = 0u; i < n; i++) {
    var d = tensor_g(i);
    if Lion_maximize {
      d = -d;
    }
    tensor_set_g(i, d);
    tensor_set_u(i, sign(tensor_st(i) * mom + w1 * d));
  }
  if Lion_caution {
    tensor_caution(n);
  }
  for (var i = 0u; i < n; i++) {
    tensor_set_p(i, tensor_p(i) * decay - lr * tensor_u(i));
    tensor_set_st(i, aten_lerp(vec2f(tensor_st(i), 0.0), vec2f(tensor_g(i), 0.0), w2).x);
  }
}
