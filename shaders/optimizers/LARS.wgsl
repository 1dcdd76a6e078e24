// LARS after timm/optim/lars.py (Lars.step; not in torch). Twin of
// src/core/registry/optimizers/LARS.ts: same operations in the same order. (x, y) is one parameter
// tensor: the trust ratio uses norms over both coordinates. State: momentum_buffer, has_buffer (x: 1
// once the buffer exists).

fn opt_init() {
  S[LARS_S_momentum_buffer] = vec2f(0.0);
  S[LARS_S_has_buffer] = vec2f(0.0);
}

// No per-step scalars: nothing in the step depends on the step count.
fn opt_step_scalars(mom: f32, t: f32) -> vec4f {
  return vec4f(0.0);
}

fn opt_step(g: vec2f, lr: f32, mom: f32, t: f32, sc: vec4f) {
  let wd = param(LARS_weight_decay);
  let keep = 1.0 - param(LARS_dampening);
  let p = S[0];
  var d = g;
  // The LARS adaptation: selects, not branches, on wd (it differs per run when swept).
  var adapt = wd != 0.0;
  if LARS_always_adapt {
    adapt = true;
  }
  let wn = sqrt(p.x * p.x + p.y * p.y);
  let gn = sqrt(d.x * d.x + d.y * d.y);
  var tr = (param(LARS_trust_coeff) * wn) / ((gn + wn * wd) + param(LARS_eps));
  tr = select(1.0, select(1.0, tr, gn > 0.0), wn > 0.0);
  if LARS_trust_clip {
    tr = min(tr / lr, 1.0);
  }
  d = select(d, (d + wd * p) * tr, adapt);
  // torch SGD's momentum: the buffer starts as a copy of the (scaled) gradient on the first step
  // with non-zero momentum; with momentum 0 there is no buffer and the step is along d.
  let on = mom != 0.0;
  let fresh = on & (S[LARS_S_has_buffer].x == 0.0);
  let buf = select(S[LARS_S_momentum_buffer] * mom + keep * d, d, fresh);
  var dir = buf;
  if LARS_nesterov {
    dir = d + mom * buf;
  }
  S[LARS_S_momentum_buffer] = select(S[LARS_S_momentum_buffer], buf, on);
  S[LARS_S_has_buffer].x = select(S[LARS_S_has_buffer].x, 1.0, on);
  S[0] = p - lr * select(d, dir, on);
}

// The rule over a whole tensor of n numbers (a network's weight or bias; rows, cols: a weight's
// shape, rows = 0 for a bias), twin of LARS.tensor.step: the norms over the whole tensor in its
// row-major order, one trust ratio for it. State: the momentum buffer (n numbers), then has_buffer.
fn opt_tensor_step(n: u32, rows: u32, cols: u32, lr: f32, mom: f32, t: f32, sc: vec4f, gs: f32) {
  let wd = param(LARS_weight_decay);
  let keep = 1.0 - param(LARS_dampening);
  var adapt = wd != 0.0;
  if LARS_always_adapt {
    adapt = true;
  }
  if (adapt) {
    var ws = 0.0;
    var gs2 = 0.0;
    for (var i = 0u; i < n; i++) {
      let p = tensor_p(i);
      ws = ws + p * p;
    }
    for (var i = 0u; i < n; i++) {
      let g = tensor_g(i);
      gs2 = gs2 + g * g;
    }
    let wn = sqrt(ws);
    let gn = sqrt(gs2);
    var tr = (param(LARS_trust_coeff) * wn) / ((gn + wn * wd) + param(LARS_eps));
    tr = select(1.0, select(1.0, tr, gn > 0.0), wn > 0.0);
    if LARS_trust_clip {
      tr = min(tr / lr, 1.0);
    }
    for (var i = 0u; i < n; i++) {
      tensor_set_g(i, (tensor_g(i) + wd * tensor_p(i)) * tr);
    }
  }
  if (mom != 0.0) {
    let fresh = tensor_st(n) == 0.0;
    for (var i = 0u; i < n; i++) {
      let d = tensor_g(i);
      let b = select(tensor_st(i) * mom + keep * d, d, fresh);
      tensor_set_st(i, b);
      var dir = b;
      if LARS_nesterov {
        dir = d + mom * b;
      }
      tensor_set_g(i, dir);
    }
    tensor_set_st(n, 1.0);
  }
  for (var i = 0u; i < n; i++) {
    tensor_set_p(i, tensor_p(i) - lr * tensor_g(i));
  }
}
