// torch.optim.RAdam, _single_tensor_radam (capturable=False). Twin of
// src/core/registry/optimizers/RAdam.ts: same operations in the same order.
// State: exp_avg, exp_avg_sq.

fn opt_init() {
  S[RAdam_S_exp_avg] = vec2f(0.0);
  S[RAdam_S_exp_avg_sq] = vec2f(0.0);
}

// sc = (1 - beta1^t, sqrt(1 - beta2^t), rect, 1 if rho_t > 5 else 0), lr-independent; rect is 0
// while unrectified. Both loops, rho_t and the rectification term leave the step, which the engine
// then reads from a per-step table when no run differs in them. Selects, not branches: beta2 (and
// with it every condition below) differs per run when swept.
fn opt_step_scalars(mom: f32, t: f32) -> vec4f {
  let beta2 = param(RAdam_betas_1);
  let e = 1.0 - beta2;

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
    let odd = (n & 1u) != 0u;
    w = select(w, (w + bw) + s * bs, odd);
    s = select(s, s + (1.0 - s) * bs, odd);
    q = select(q, q * bq, odd);
    n = n >> 1u;
    if n == 0u {
      break;
    }
    bw = 2.0 * bw + bs * bs;
    bs = bs * (2.0 - bs);
    bq = select(bq * bq, 1.0 - bs, bs < 0.5);
  }
  let rho_inf = 2.0 / e - 1.0;
  let rho_t = select(rho_inf - ((2.0 * t) * q) / s, (2.0 * t - 1.0) - (2.0 * w) / (e * s), t * e <= 1.0);
  let rectified = rho_t > 5.0;
  let rect = sqrt((((rho_t - 4.0) * (rho_t - 2.0)) * rho_inf) / (((rho_inf - 4.0) * (rho_inf - 2.0)) * rho_t));
  let bc1 = one_minus_pow(mom, t);
  return vec4f(bc1, sqrt(s), select(0.0, rect, rectified), select(0.0, 1.0, rectified));
}

fn opt_step(g: vec2f, lr: f32, mom: f32, t: f32, sc: vec4f) {
  let beta1 = mom;
  let beta2 = param(RAdam_betas_1);
  let eps = param(RAdam_eps);
  let wd = param(RAdam_weight_decay);
  let decay = 1.0 - lr * wd;
  let w1 = 1.0 - beta1;
  let e = 1.0 - beta2;

  var p = S[0];
  var d = g;
  if RAdam_maximize {
    d = -d;
  }
  // Selects, not branches, on wd: it differs per run when swept (a constant otherwise, folded).
  if RAdam_decoupled_weight_decay {
    p = select(p, p * decay, wd != 0.0);
  } else {
    d = select(d, d + wd * p, wd != 0.0);
  }
  let m = aten_lerp(S[RAdam_S_exp_avg], d, w1);
  S[RAdam_S_exp_avg] = m;
  let v = S[RAdam_S_exp_avg_sq] * beta2 + (e * d) * d;
  S[RAdam_S_exp_avg_sq] = v;
  let scaled = (m / sc.x) * lr;
  // The rectified step's terms are computed either way and discarded while unrectified (sc.w = 0).
  let adaptive = sc.y / (sqrt(v) + eps);
  S[0] = select(p - scaled, p - (scaled * adaptive) * sc.z, sc.w != 0.0);
}
