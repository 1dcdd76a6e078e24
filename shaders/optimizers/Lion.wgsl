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
