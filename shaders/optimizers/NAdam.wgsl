// torch.optim.NAdam, _single_tensor_nadam (capturable=False). Twin of
// src/core/registry/optimizers/NAdam.ts: same operations in the same order.
// S[1]: exp_avg, S[2]: exp_avg_sq, S[3].x: mu_product.

// ATen lerp (Lerp.h): the formula flips at |w| = 0.5 to keep the end point's precision.
fn NAdam_lerp(a: vec2f, b: vec2f, w: f32) -> vec2f {
  if abs(w) < 0.5 {
    return a + w * (b - a);
  }
  return b - (b - a) * (1.0 - w);
}

// 1 - b^t by binary exponentiation on s = 1 - b^n alone; no step cancels (see oneMinusPow in
// src/core/registry/optimizers/common.ts). torch computes it in Python float64.
fn NAdam_one_minus_pow(b: f32, t: f32) -> f32 {
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
  S[3] = vec2f(1.0, 0.0);
}

fn opt_step(g: vec2f, lr: f32, mom: f32, t: f32) {
  let beta1 = mom;
  let beta2 = param(NAdam_betas_1);
  let eps = param(NAdam_eps);
  let wd = param(NAdam_weight_decay);
  let psi = param(NAdam_momentum_decay);
  let decay = 1.0 - lr * wd;
  let w1 = 1.0 - beta1;
  let w2 = 1.0 - beta2;
  let bc2 = NAdam_one_minus_pow(beta2, t);
  let mu = beta1 * (1.0 - 0.5 * pow(0.96, t * psi));
  let mu_next = beta1 * (1.0 - 0.5 * pow(0.96, (t + 1.0) * psi));
  let mu_product = S[3].x * mu;
  S[3].x = mu_product;
  let mu_product_next = mu_product * mu_next;
  let grad_coef = (-lr * (1.0 - mu)) / (1.0 - mu_product);
  let avg_coef = (-lr * mu_next) / (1.0 - mu_product_next);

  var p = S[0];
  var d = g;
  if NAdam_maximize {
    d = -d;
  }
  if wd != 0.0 {
    if NAdam_decoupled_weight_decay {
      p = p * decay;
    } else {
      d = d + wd * p;
    }
  }
  let m = NAdam_lerp(S[1], d, w1);
  S[1] = m;
  let v = S[2] * beta2 + (w2 * d) * d;
  S[2] = v;
  let denom = sqrt(v / bc2) + eps;
  p = p + (grad_coef * d) / denom;
  S[0] = p + (avg_coef * m) / denom;
}
