// LAMB after timm/optim/lamb.py (Lamb.step; not in torch). Twin of
// src/core/registry/optimizers/LAMB.ts: same operations in the same order. (x, y) is one parameter
// tensor: gradient clipping and the trust ratio use norms over both coordinates.
// State: exp_avg, exp_avg_sq.

fn opt_init() {
  S[LAMB_S_exp_avg] = vec2f(0.0);
  S[LAMB_S_exp_avg_sq] = vec2f(0.0);
}

// sc = (1 - beta1^t, sqrt(1 - beta2^t), 0, 0), lr-independent, as Adam's.
fn opt_step_scalars(mom: f32, t: f32) -> vec4f {
  let bc1 = one_minus_pow(mom, t);
  let bc2 = one_minus_pow(param(LAMB_betas_1), t);
  return vec4f(bc1, sqrt(bc2), 0.0, 0.0);
}

// The step's hyperparameters, shared by the elementwise rule (opt_step) and the tensor rule
// (opt_tensor_step): bias corrections (1 without bias_correction) and beta3 = 1 - beta1 with
// grad_averaging (else 1).
struct LAMB_Hyper {
  beta1: f32,
  beta2: f32,
  eps: f32,
  wd: f32,
  w2: f32,
  bc1: f32,
  bc2_sqrt: f32,
  beta3: f32,
}

fn LAMB_hyper(mom: f32, sc: vec4f) -> LAMB_Hyper {
  let beta2 = param(LAMB_betas_1);
  var h = LAMB_Hyper(mom, beta2, param(LAMB_eps), param(LAMB_weight_decay), 1.0 - beta2, 1.0, 1.0, 1.0);
  if LAMB_bias_correction {
    h.bc1 = sc.x;
    h.bc2_sqrt = sc.y;
  }
  if LAMB_grad_averaging {
    h.beta3 = 1.0 - mom;
  }
  return h;
}

fn opt_step(g: vec2f, lr: f32, mom: f32, t: f32, sc: vec4f) {
  let h = LAMB_hyper(mom, sc);
  // Global gradient-norm clipping; None (PARAM_UNSET) divides by 1, which is exact.
  let mgn = param(LAMB_max_grad_norm);
  let clip = select(max(sqrt(g.x * g.x + g.y * g.y) / mgn, 1.0), 1.0, mgn == -3.4028234663852886e38);
  let d = g / clip;
  let m = S[LAMB_S_exp_avg] * h.beta1 + h.beta3 * d;
  S[LAMB_S_exp_avg] = m;
  let v = S[LAMB_S_exp_avg_sq] * h.beta2 + (h.w2 * d) * d;
  S[LAMB_S_exp_avg_sq] = v;
  var u = (m / h.bc1) / (sqrt(v) / h.bc2_sqrt + h.eps);
  if LAMB_caution {
    let a = select(vec2f(0.0), vec2f(1.0), u * d > vec2f(0.0));
    let mean = max((a.x + a.y) / 2.0, 0.001);
    u = u * (a / mean);
  }
  var p = S[0];
  // Selects, not branches, on wd: it differs per run when swept (a constant otherwise, folded).
  var adapt = h.wd != 0.0;
  if LAMB_decoupled_decay {
    p = select(p, p + (-lr * h.wd) * p, adapt);
  } else {
    u = select(u, u + h.wd * p, adapt);
  }
  if LAMB_always_adapt {
    adapt = true;
  }
  let wn = sqrt(p.x * p.x + p.y * p.y);
  let un = sqrt(u.x * u.x + u.y * u.y);
  var tr = select(1.0, select(1.0, wn / un, un > 0.0), wn > 0.0);
  if LAMB_trust_clip {
    tr = min(tr, 1.0);
  }
  u = select(u, u * tr, adapt);
  S[0] = p - lr * u;
}

// The global gradient-norm clip (LAMB.tensor.global), from the norm of every tensor's norm (the
// kernel sums them in layout order, as the TypeScript twin does) and the default group's P.
fn opt_tensor_global(norm: f32) -> f32 {
  let mgn = param(LAMB_max_grad_norm);
  return select(max(norm / mgn, 1.0), 1.0, mgn == -3.4028234663852886e38);
}

// The rule over a whole tensor of n numbers (a network's weight or bias; rows, cols: a weight's
// shape, rows = 0 for a bias), twin of LAMB.tensor.step: the cautious mask's mean and the trust
// ratio's norms over the whole tensor, gs the global clip. State: exp_avg (n numbers), then
// exp_avg_sq (n). The update u goes through the tensor's work row.
fn opt_tensor_step(n: u32, rows: u32, cols: u32, lr: f32, mom: f32, t: f32, sc: vec4f, gs: f32) {
  let h = LAMB_hyper(mom, sc);
  let clip = param(LAMB_max_grad_norm) != -3.4028234663852886e38;
  for (var i = 0u; i < n; i++) {
    var g = tensor_g(i);
    if (clip) {
      g = g / gs;
    }
    tensor_set_g(i, g);
    let m = tensor_st(i) * h.beta1 + h.beta3 * g;
    let v = tensor_st(n + i) * h.beta2 + (h.w2 * g) * g;
    tensor_set_st(i, m);
    tensor_set_st(n + i, v);
    tensor_set_u(i, (m / h.bc1) / (sqrt(v) / h.bc2_sqrt + h.eps));
  }
  if LAMB_caution {
    tensor_caution(n);
  }
  if (h.wd != 0.0) {
    if LAMB_decoupled_decay {
      let s = -lr * h.wd;
      for (var i = 0u; i < n; i++) {
        let p = tensor_p(i);
        tensor_set_p(i, p + s * p);
      }
    } else {
      for (var i = 0u; i < n; i++) {
        tensor_set_u(i, tensor_u(i) + h.wd * tensor_p(i));
      }
    }
  }
  var adapt = h.wd != 0.0;
  if LAMB_always_adapt {
    adapt = true;
  }
  if (adapt) {
    var ws = 0.0;
    var us = 0.0;
    for (var i = 0u; i < n; i++) {
      let p = tensor_p(i);
      ws = ws + p * p;
    }
    for (var i = 0u; i < n; i++) {
      let u = tensor_u(i);
      us = us + u * u;
    }
    let wn = sqrt(ws);
    let un = sqrt(us);
    var tr = select(1.0, select(1.0, wn / un, un > 0.0), wn > 0.0);
    if LAMB_trust_clip {
      tr = min(tr, 1.0);
    }
    for (var i = 0u; i < n; i++) {
      tensor_set_u(i, tensor_u(i) * tr);
    }
  }
  for (var i = 0u; i < n; i++) {
    tensor_set_p(i, tensor_p(i) - lr * tensor_u(i));
  }
}
