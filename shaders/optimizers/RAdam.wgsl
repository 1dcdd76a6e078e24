// torch.optim.RAdam, _single_tensor_radam (capturable=False). Twin of
// src/core/registry/optimizers/RAdam.ts: same operations in the same order.
// S[1]: exp_avg, S[2]: exp_avg_sq.

// ATen lerp (Lerp.h): the formula flips at |w| = 0.5 to keep the end point's precision.
fn RAdam_lerp(a: vec2f, b: vec2f, w: f32) -> vec2f {
  if abs(w) < 0.5 {
    return a + w * (b - a);
  }
  return b - (b - a) * (1.0 - w);
}

// 1 - b^t by binary exponentiation on s = 1 - b^n alone; no step cancels (see oneMinusPow in
// src/core/registry/optimizers/common.ts). torch computes it in Python float64.
fn RAdam_one_minus_pow(b: f32, t: f32) -> f32 {
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
}

fn opt_step(g: vec2f, lr: f32, mom: f32, t: f32) {
  let beta1 = mom;
  let beta2 = param(RAdam_betas_1);
  let eps = param(RAdam_eps);
  let wd = param(RAdam_weight_decay);
  let decay = 1.0 - lr * wd;
  let w1 = 1.0 - beta1;
  let e = 1.0 - beta2;
  let bc1 = RAdam_one_minus_pow(beta1, t);

  // (s, w, q) = (1 - beta2^n, n e - s, beta2^n) for the bits of t consumed, (bs, bw, bq) the same
  // for 2^k; bq is 1 - bs while that is >= 0.5. rho_t = (2t - 1) - 2w / (e s) has no cancellation
  // while t e <= 1 (see RAdam.ts).
  var n = u32(t);
  var bs = e;
  var bw = 0.0;
  var bq = beta2;
  var s = 0.0;
  var w = 0.0;
  var q = 1.0;
  loop {
    if (n & 1u) != 0u {
      w = (w + bw) + s * bs;
      s = s + (1.0 - s) * bs;
      q = q * bq;
    }
    n = n >> 1u;
    if n == 0u {
      break;
    }
    bw = 2.0 * bw + bs * bs;
    bs = bs * (2.0 - bs);
    if bs < 0.5 {
      bq = 1.0 - bs;
    } else {
      bq = bq * bq;
    }
  }
  let bc2 = s;
  let rho_inf = 2.0 / e - 1.0;
  var rho_t: f32;
  if t * e <= 1.0 {
    rho_t = (2.0 * t - 1.0) - (2.0 * w) / (e * s);
  } else {
    rho_t = rho_inf - ((2.0 * t) * q) / s;
  }
  let rectified = rho_t > 5.0;
  var rect = 0.0;
  var bc2_sqrt = 0.0;
  if rectified {
    rect = sqrt((((rho_t - 4.0) * (rho_t - 2.0)) * rho_inf) / (((rho_inf - 4.0) * (rho_inf - 2.0)) * rho_t));
    bc2_sqrt = sqrt(bc2);
  }

  var p = S[0];
  var d = g;
  if RAdam_maximize {
    d = -d;
  }
  if wd != 0.0 {
    if RAdam_decoupled_weight_decay {
      p = p * decay;
    } else {
      d = d + wd * p;
    }
  }
  let m = RAdam_lerp(S[1], d, w1);
  S[1] = m;
  let v = S[2] * beta2 + (e * d) * d;
  S[2] = v;
  let scaled = (m / bc1) * lr;
  if rectified {
    let adaptive = bc2_sqrt / (sqrt(v) + eps);
    S[0] = p - (scaled * adaptive) * rect;
  } else {
    S[0] = p - scaled;
  }
}
