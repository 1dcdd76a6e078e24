// Logistic regression on surface_data, twin of src/core/registry/surfaces/logistic.ts (same f32
// operation order). Rows are (feature0, feature1, label ±1, 1).

// z = −label·(w · features) of one row.
fn logistic_z(p: vec2f, row: vec4f) -> f32 {
  return -(row.z * (p.x * row.x + p.y * row.y));
}

// Gradient of softplus(z) with respect to w for one row: −label·σ(z)·features.
fn logistic_row_grad(p: vec2f, row: vec4f) -> vec2f {
  let z = logistic_z(p, row);
  let e = exp(-abs(z));
  let inv = 1.0 / (1.0 + e);
  let c = -(row.z * select(e * inv, inv, z >= 0.0));
  return vec2f(c * row.x, c * row.y);
}

fn surface_value(p: vec2f) -> f32 {
  let n = u32(param(logistic_n));
  var sum = 0.0;
  for (var i = 0u; i < n; i++) {
    let z = logistic_z(p, surface_data[i]);
    let e = exp(-abs(z));
    sum = sum + (max(z, 0.0) + log(1.0 + e));
  }
  return sum / f32(n) + (0.5 * param(logistic_l2)) * (p.x * p.x + p.y * p.y);
}

fn surface_grad(p: vec2f) -> vec2f {
  let n = u32(param(logistic_n));
  var g = vec2f(0.0);
  for (var i = 0u; i < n; i++) {
    g = g + logistic_row_grad(p, surface_data[i]);
  }
  return g / f32(n) + param(logistic_l2) * p;
}

fn surface_hessian(p: vec2f) -> vec3f {
  let n = u32(param(logistic_n));
  var h = vec3f(0.0);
  for (var i = 0u; i < n; i++) {
    let row = surface_data[i];
    let z = logistic_z(p, row);
    let e = exp(-abs(z));
    let inv = 1.0 / (1.0 + e);
    let q = (e * inv) * inv;
    let qf0 = q * row.x;
    h = h + vec3f(qf0 * row.x, qf0 * row.y, (q * row.y) * row.y);
  }
  let l2 = param(logistic_l2);
  let m = h / f32(n);
  return vec3f(m.x + l2, m.y, m.z + l2);
}

// Mean gradient over batch_size rows drawn with replacement: row b of step `step` of run `run` is
// pcg4d(noise_seed, run, step, STREAM_MINIBATCH + b / 4)[b % 4] mod n.
fn surface_sample_grad(p: vec2f, run: u32, step: u32) -> vec2f {
  let n = u32(param(logistic_n));
  let batch = u32(param(logistic_batch_size));
  var w = vec4u(0u);
  var g = vec2f(0.0);
  for (var b = 0u; b < batch; b++) {
    if ((b & 3u) == 0u) {
      w = pcg4d(vec4u(noise_seed(), run, step, STREAM_MINIBATCH + (b >> 2u)));
    }
    g = g + logistic_row_grad(p, surface_data[w[b & 3u] % n]);
  }
  return g / f32(batch) + param(logistic_l2) * p;
}
