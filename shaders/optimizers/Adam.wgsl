// torch.optim.Adam, _single_tensor_adam. Twin of src/core/registry/optimizers/Adam.ts (adamFamily in
// Adam.ts): same operations in the same order. S[1]: exp_avg, S[2]: exp_avg_sq, S[3]: max_exp_avg_sq.

// ATen lerp (Lerp.h): the formula flips at |w| = 0.5 to keep the end point's precision.
fn Adam_lerp(a: vec2f, b: vec2f, w: f32) -> vec2f {
  if abs(w) < 0.5 {
    return a + w * (b - a);
  }
  return b - (b - a) * (1.0 - w);
}

// 1 - b^t by binary exponentiation on s = 1 - b^n alone; no step cancels (see oneMinusPow in
// src/core/registry/optimizers/common.ts). torch computes it in Python float64.
fn Adam_one_minus_pow(b: f32, t: f32) -> f32 {
  var n = u32(t);
  var bs = 1.0 - b;
  var s = 0.0;
  loop {
    if (n & 1u) != 0u {
      s = s + (1.0 - s) * bs;
    }
    n = n >> 1u;
    if n == 0u {
      break;
    }
    bs = bs * (2.0 - bs);
  }
  return s;
}

fn opt_init() {
  S[1] = vec2f(0.0);
  S[2] = vec2f(0.0);
  S[3] = vec2f(0.0);
}

fn opt_step(g: vec2f, lr: f32, mom: f32, t: f32) {
  let beta1 = mom;
  let beta2 = param(Adam_betas_1);
  let eps = param(Adam_eps);
  let wd = param(Adam_weight_decay);
  let decay = 1.0 - lr * wd;
  let w1 = 1.0 - beta1;
  let w2 = 1.0 - beta2;
  let bc1 = Adam_one_minus_pow(beta1, t);
  let bc2 = Adam_one_minus_pow(beta2, t);
  let step_size = lr / bc1;
  let bc2_sqrt = sqrt(bc2);
  var p = S[0];
  var d = g;
  if Adam_maximize {
    d = -d;
  }
  if wd != 0.0 {
    if Adam_decoupled_weight_decay {
      p = p * decay;
    } else {
      d = d + wd * p;
    }
  }
  let m = Adam_lerp(S[1], d, w1);
  S[1] = m;
  var v = S[2] * beta2 + (w2 * d) * d;
  S[2] = v;
  if Adam_amsgrad {
    v = max(S[3], v);
    S[3] = v;
  }
  let denom = sqrt(v) / bc2_sqrt + eps;
  S[0] = p + (-step_size * m) / denom;
}
