// torch.optim.Adafactor, _single_tensor_adafactor, 1-D branch ((x, y) is one parameter of shape [2],
// so the second moment is not factored). Twin of src/core/registry/optimizers/Adafactor.ts: same
// operations in the same order. State: variance.

fn opt_init() {
  S[Adafactor_S_variance] = vec2f(0.0);
}

// sc = (t ** beta2_decay, 1 / sqrt(t), 0, 0), lr-independent: the pow leaves the step, which the
// engine then reads from a per-step table when no run differs in beta2_decay.
fn opt_step_scalars(mom: f32, t: f32) -> vec4f {
  return vec4f(pow(t, param(Adafactor_beta2_decay)), 1.0 / sqrt(t), 0.0, 0.0);
}

fn opt_step(g: vec2f, lr: f32, mom: f32, t: f32, sc: vec4f) {
  let eps1 = param(Adafactor_eps_0);
  let eps2 = param(Adafactor_eps_1);
  let clip = param(Adafactor_d);
  let wd = param(Adafactor_weight_decay);
  // param.numel() ** 0.5, written as the f32 literal TypeScript rounds Math.SQRT2 to.
  let sqrt2 = 1.4142135623730951;
  var d = g;
  if Adafactor_maximize {
    d = -d;
  }
  var p = S[0];
  let rho = min(lr, sc.y);
  let alpha = max(eps2, sqrt(p.x * p.x + p.y * p.y) / sqrt2) * rho;
  p = select(p, p * (1.0 - lr * wd), wd != 0.0);
  let v = aten_lerp(S[Adafactor_S_variance], d * d, sc.x);
  S[Adafactor_S_variance] = v;
  let u = (1.0 / sqrt(max(v, vec2f(eps1 * eps1)))) * d;
  let denom = max(1.0, sqrt(u.x * u.x + u.y * u.y) / (sqrt2 * clip));
  S[0] = p + u * (-alpha / denom);
}

// The rule over a whole tensor of n numbers, twin of Adafactor.tensor.step: a bias (rows = 0) keeps
// the unfactored variance (n numbers of state); a weight [rows, cols] the factored row_var (rows
// numbers) then col_var (cols), from the row and column sums of g^2, each in row-major order. RMS(p)
// and the update's clipping norm run over the whole tensor. The update u goes through the work row.
fn opt_tensor_step(n: u32, rows: u32, cols: u32, lr: f32, mom: f32, t: f32, sc: vec4f, gs: f32) {
  let eps1 = param(Adafactor_eps_0);
  let eps2 = param(Adafactor_eps_1);
  let clip = param(Adafactor_d);
  let wd = param(Adafactor_weight_decay);
  // param.numel() ** 0.5 (and update.numel() ** 0.5).
  let sqrt_n = sqrt(f32(n));
  for (var i = 0u; i < n; i++) {
    var d = tensor_g(i);
    if Adafactor_maximize {
      d = -d;
    }
    tensor_set_g(i, d);
  }
  let rho = min(lr, sc.y);
  var ps = 0.0;
  for (var i = 0u; i < n; i++) {
    let p = tensor_p(i);
    ps = ps + p * p;
  }
  let alpha = max(eps2, sqrt(ps) / sqrt_n) * rho;
  if (wd != 0.0) {
    let decay = 1.0 - lr * wd;
    for (var i = 0u; i < n; i++) {
      tensor_set_p(i, tensor_p(i) * decay);
    }
  }
  let w = sc.x;
  let floor = eps1 * eps1;
  if (rows > 0u) {
    for (var i = 0u; i < rows; i++) {
      var s = 0.0;
      for (var j = 0u; j < cols; j++) {
        let g = tensor_g(i * cols + j);
        s = s + g * g;
      }
      let nrm = sqrt(s);
      tensor_set_st(i, aten_lerp(vec2f(tensor_st(i), 0.0), vec2f((nrm * nrm) / f32(cols), 0.0), w).x);
    }
    for (var j = 0u; j < cols; j++) {
      var s = 0.0;
      for (var i = 0u; i < rows; i++) {
        let g = tensor_g(i * cols + j);
        s = s + g * g;
      }
      let nrm = sqrt(s);
      tensor_set_st(rows + j, aten_lerp(vec2f(tensor_st(rows + j), 0.0), vec2f((nrm * nrm) / f32(rows), 0.0), w).x);
    }
    var rs = 0.0;
    for (var i = 0u; i < rows; i++) {
      rs = rs + tensor_st(i);
    }
    let row_mean = max(rs / f32(rows), eps1);
    for (var i = 0u; i < rows; i++) {
      let rv = tensor_st(i);
      for (var j = 0u; j < cols; j++) {
        let v = (rv * tensor_st(rows + j)) / row_mean;
        tensor_set_u(i * cols + j, (1.0 / sqrt(max(v, floor))) * tensor_g(i * cols + j));
      }
    }
  } else {
    for (var i = 0u; i < n; i++) {
      let g = tensor_g(i);
      let v = aten_lerp(vec2f(tensor_st(i), 0.0), vec2f(g * g, 0.0), w).x;
      tensor_set_st(i, v);
      tensor_set_u(i, (1.0 / sqrt(max(v, floor))) * g);
    }
  }
  var us = 0.0;
  for (var i = 0u; i < n; i++) {
    let u = tensor_u(i);
    us = us + u * u;
  }
  let denom = max(1.0, sqrt(us) / (sqrt_n * clip));
  let coef = -alpha / denom;
  for (var i = 0u; i < n; i++) {
    tensor_set_p(i, tensor_p(i) + tensor_u(i) * coef);
  }
}
