// One batch pass of a small MLP for the run of this invocation: forward, the loss (torch's mean
// reduction), and when asked the gradient, added sample by sample in the order of
// src/core/network/model.ts batchLoss (float32 here; tanh, exp and log are the GPU's, so the result
// agrees with the CPU's float32 twin to rounding, not bit for bit). The model's shape is in net_u;
// what changes the code (activation, loss, bias, parametrisation) is override constants.
//
// Rows of work (each row one float per run, see lib/net_bindings.wgsl): with NP parameters and
// SZ = the sum of the layer widths,
//   theta [0, NP)  gradient point [NP, 2NP)  SAM point [2NP, 3NP)  SWA average [3NP, 4NP)
//   gradient [4NP, 5NP)  scratch [5NP, 5NP + 3SZ): activations a, phi'(z), deltas dL/dz (SZ each)
// The scratch of layer l starts at the sum of the widths before it.

// 0 tanh, 1 relu, 2 gelu, 3 identity (core/network/model.ts Activation).
override ACTIVATION: u32 = 0u;
override MEAN_FIELD: bool = false;
override BIAS: bool = false;
override CROSS_ENTROPY: bool = false;

const SQRT2: f32 = 1.4142135623730951;

fn row_theta() -> u32 { return 0u; }
fn row_gpoint() -> u32 { return net_u.params; }
fn row_sam() -> u32 { return 2u * net_u.params; }
fn row_avg() -> u32 { return 3u * net_u.params; }
fn row_grad() -> u32 { return 4u * net_u.params; }
fn row_a() -> u32 { return 5u * net_u.params; }

// One sample's scratch (activations, phi'(z), deltas: 3 SZ floats) lives in a private array when it
// fits (PRIVATE_SCRATCH, set by the host when 3 SZ <= NET_PRIVATE_SCRATCH), else in the run's rows
// of work. Private memory needs no bounds check against a buffer and no run-strided address.
override PRIVATE_SCRATCH: bool = false;
var<private> scratch_p: array<f32, NET_PRIVATE_SCRATCH>;

fn sc_get(i: u32) -> f32 {
  if (PRIVATE_SCRATCH) {
    return scratch_p[i];
  }
  return work[wk(row_a() + i)];
}

fn sc_set(i: u32, v: f32) {
  if (PRIVATE_SCRATCH) {
    scratch_p[i] = v;
  } else {
    work[wk(row_a() + i)] = v;
  }
}

fn layer_size(l: u32) -> u32 {
  return net_u.sizes[l / 4u][l % 4u];
}

// erf by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7, about float32's resolution of
// values near 1): GELU's CDF on the GPU. The CPU twins use fdlibm's erf.
fn erf_f32(x: f32) -> f32 {
  let ax = abs(x);
  let t = 1.0 / (1.0 + 0.3275911 * ax);
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-ax * ax);
  return select(-y, y, x >= 0.0);
}

// phi(z) and phi'(z) of a hidden layer (model.ts act).
fn activate(z: f32) -> vec2f {
  if (ACTIVATION == 0u) {
    var u = z;
    if (MEAN_FIELD) {
      u = z * SQRT2;
    }
    // tanh saturates to +-1 in float32 beyond |u| = 9.1: clamping there changes no result and keeps
    // an exp-based tanh away from inf / inf. A NaN passes, as torch's tanh passes it: clamp is
    // min(max()), which returns a bound for a NaN (review 24: a NaN weight became -1 and its run
    // trained on the GPU while the CPU twin and torch diverged).
    let t = select(tanh(clamp(u, -20.0, 20.0)), u, is_nan(u));
    let d = 1.0 - t * t;
    return vec2f(t, select(d, SQRT2 * d, MEAN_FIELD));
  }
  if (ACTIVATION == 1u) {
    let s = select(1.0, SQRT2, MEAN_FIELD);
    // 0 where z <= 0, and a NaN passes as torch's relu passes it (core/network/model.ts act): from
    // its bits, since WGSL lets an implementation fold a comparison with a NaN away (review 26).
    return select(vec2f(z * s, s), vec2f(0.0), z <= 0.0 && !is_nan(z));
  }
  if (ACTIVATION == 2u) {
    let cdf = 0.5 * (1.0 + erf_f32(z / SQRT2));
    let pdf = exp(-0.5 * (z * z)) / 2.5066282746310002;
    return vec2f(z * cdf, cdf + z * pdf);
  }
  return vec2f(z, 1.0);
}

// The training row of sample s of a pass: with `mini`, of the minibatch of step k of run `run`
// (lib/minibatch.wgsl; `words` holds the draw of four samples, refreshed at every fourth), else s.
fn sample_row(words: ptr<function, vec4u>, s: u32, n: u32, mini: bool, run: u32, k: u32) -> u32 {
  if (!mini) {
    return s;
  }
  if ((s & 3u) == 0u) {
    *words = minibatch_words(net_u.seed, run, k, s);
  }
  return minibatch_row(*words, s, n);
}

// d(mean loss)/d(output c), scaled once more by 1/sqrt(fan_in) in mean field (the output's own
// scale): from the MSE error e = z - y, or (cross-entropy) the softmax probability p and whether c is
// the sample's class.
fn mse_output_grad(e: f32, norm: f32, out_scale: f32) -> f32 {
  let gout = (2.0 * e) * norm;
  return select(gout, gout * out_scale, MEAN_FIELD);
}

fn ce_output_grad(p: f32, is_cls: bool, norm: f32, out_scale: f32) -> f32 {
  let gout = (p - select(0.0, 1.0, is_cls)) * norm;
  return select(gout, gout * out_scale, MEAN_FIELD);
}

// Samples the last pass classified right (cross-entropy: argmax = cls).
var<private> pass_correct: u32;

// The mean loss at the point whose rows start at `w`, over `count` samples of the split whose x and
// y start at xo, yo in consts (n rows): rows 0 .. count-1, or with `mini` the minibatch of step k
// of run `run`. With want_grad, the gradient into the gradient rows (zeroed here).
fn net_pass(w: u32, xo: u32, yo: u32, n: u32, count: u32, mini: bool, run: u32, k: u32, want_grad: bool) -> f32 {
  let layers = net_u.layers;
  let np = net_u.params;
  let inputs = layer_size(0u);
  let outputs = layer_size(layers);
  let rg = row_grad();
  // d(mean loss)/d(sample loss): MSE averages over batch x outputs, cross-entropy over the batch.
  let norm = select(1.0 / f32(count * outputs), 1.0 / f32(count), CROSS_ENTROPY);
  if (want_grad) {
    for (var i = 0u; i < np; i++) {
      work[wk(rg + i)] = 0.0;
    }
  }
  pass_correct = 0u;
  var total = 0.0;
  var words = vec4u(0u);
  for (var s = 0u; s < count; s++) {
    let row = sample_row(&words, s, n, mini, run, k);
    for (var i = 0u; i < inputs; i++) {
      sc_set(i, consts[xo + row * inputs + i]);
    }
    // Forward: layer l reads a_l at scratch offset ao and writes z (last) or phi(z) at ao + inn.
    var wo = 0u;
    var ao = 0u;
    for (var l = 0u; l < layers; l++) {
      let inn = layer_size(l);
      let out = layer_size(l + 1u);
      let scale = 1.0 / sqrt(f32(inn));
      let bo = wo + out * inn;
      let last = l + 1u == layers;
      for (var j = 0u; j < out; j++) {
        var acc = 0.0;
        let w0 = w + wo + j * inn;
        // Four products a pass, in order (SwiftShader pays a fixed price per loop iteration).
        var i = 0u;
        for (; i + 4u <= inn; i += 4u) {
          acc = acc + work[wk(w0 + i)] * sc_get(ao + i);
          acc = acc + work[wk(w0 + i + 1u)] * sc_get(ao + i + 1u);
          acc = acc + work[wk(w0 + i + 2u)] * sc_get(ao + i + 2u);
          acc = acc + work[wk(w0 + i + 3u)] * sc_get(ao + i + 3u);
        }
        for (; i < inn; i++) {
          acc = acc + work[wk(w0 + i)] * sc_get(ao + i);
        }
        if (MEAN_FIELD) {
          acc = acc * scale;
        }
        if (BIAS) {
          acc = acc + work[wk(w + bo + j)];
        }
        let o = ao + inn + j;
        if (last) {
          // The output: z, and once more / sqrt(fan_in) in mean field (the notebook's net).
          sc_set(o, select(acc, acc * scale, MEAN_FIELD));
        } else {
          let phi = activate(acc);
          sc_set(o, phi.x);
          sc_set(net_u.scratch + o, phi.y);
        }
      }
      wo = bo + select(0u, out, BIAS);
      ao = ao + inn;
    }
    // ao: the output's scratch offset. The sample's loss and dL/d(output) into the deltas.
    let out_scale = 1.0 / sqrt(f32(layer_size(layers - 1u)));
    var sample = 0.0;
    if (CROSS_ENTROPY) {
      let cls = u32(consts[yo + row]);
      var m = sc_get(ao);
      var arg = 0u;
      for (var c = 1u; c < outputs; c++) {
        let v = sc_get(ao + c);
        if (v > m) {
          m = v;
          arg = c;
        }
      }
      if (arg == cls) {
        pass_correct += 1u;
      }
      var se = 0.0;
      for (var c = 0u; c < outputs; c++) {
        se = se + exp(sc_get(ao + c) - m);
      }
      let lse = m + log(se);
      sample = lse - sc_get(ao + cls);
      if (want_grad) {
        for (var c = 0u; c < outputs; c++) {
          sc_set(2u * net_u.scratch + ao + c, ce_output_grad(exp(sc_get(ao + c) - lse), c == cls, norm, out_scale));
        }
      }
    } else {
      for (var c = 0u; c < outputs; c++) {
        let e = sc_get(ao + c) - consts[yo + row * outputs + c];
        sample = sample + e * e;
        sc_set(2u * net_u.scratch + ao + c, mse_output_grad(e, norm, out_scale));
      }
    }
    total = total + sample;
    if (!want_grad) {
      continue;
    }
    // Backward, from the output layer down; wo and ao walk back over the layers.
    for (var l = layers; l > 0u; l--) {
      let inn = layer_size(l - 1u);
      let out = layer_size(l);
      let scale = 1.0 / sqrt(f32(inn));
      wo = wo - out * inn - select(0u, out, BIAS);
      ao = ao - inn;
      let bo = wo + out * inn;
      let d0 = 2u * net_u.scratch + ao + inn;
      for (var j = 0u; j < out; j++) {
        let dr = sc_get(d0 + j);
        let dj = select(dr, dr * scale, MEAN_FIELD);
        let g0 = rg + wo + j * inn;
        var i = 0u;
        for (; i + 4u <= inn; i += 4u) {
          let gi = wk(g0 + i);
          work[gi] = work[gi] + dj * sc_get(ao + i);
          work[gi + cap] = work[gi + cap] + dj * sc_get(ao + i + 1u);
          work[gi + 2u * cap] = work[gi + 2u * cap] + dj * sc_get(ao + i + 2u);
          work[gi + 3u * cap] = work[gi + 3u * cap] + dj * sc_get(ao + i + 3u);
        }
        for (; i < inn; i++) {
          let gi = wk(g0 + i);
          work[gi] = work[gi] + dj * sc_get(ao + i);
        }
        if (BIAS) {
          let gb = wk(rg + bo + j);
          work[gb] = work[gb] + dr;
        }
      }
      if (l == 1u) {
        break;
      }
      // dL/da = W^T (scaled) delta, then dL/dz = phi'(z) dL/da.
      for (var i = 0u; i < inn; i++) {
        var g = 0.0;
        var wj = wk(w + wo + i);
        for (var j = 0u; j < out; j++) {
          let dr = sc_get(d0 + j);
          g = g + work[wj] * select(dr, dr * scale, MEAN_FIELD);
          wj += inn * cap;
        }
        sc_set(2u * net_u.scratch + ao + i, g * sc_get(net_u.scratch + ao + i));
      }
    }
  }
  return total * norm;
}

// ---- The Hessian-vector product (Pearlmutter's R-operator), twin of batchLoss with v and hv in
// src/core/network/model.ts over the whole training set: the R-forward, the R-derivative of the
// loss's output gradient, and the R-backward, in the same operation order. Only hv is accumulated
// (the CPU also adds the gradient, which hv does not read). Beyond a sample's scratch of net_pass
// (a, phi'(z), deltas), four more SZ rows of work, after it: phi''(z), R{z} (scaled once more at
// the output, as the output is), R{a} and R{delta}. The host allocates them only when sharpness is
// computed (net.ts netSizes).
fn hs(q: u32, i: u32) -> u32 {
  return wk(row_a() + (3u + q) * net_u.scratch + i);
}

// phi''(z) of a hidden layer (model.ts act's third output), from phi(z) = t for tanh.
fn activate2(z: f32, phi: vec2f) -> f32 {
  if (ACTIVATION == 0u) {
    let t = phi.x;
    let d = 1.0 - t * t;
    return select((-2.0 * t) * d, (-4.0 * t) * d, MEAN_FIELD);
  }
  if (ACTIVATION == 2u) {
    let pdf = exp(-0.5 * (z * z)) / 2.5066282746310002;
    return pdf * (2.0 - z * z);
  }
  return 0.0;
}

// H v at the point whose rows start at w, for the vector at rows v, added into the rows at hv
// (zeroed here), over the whole training set.
fn net_hvp_pass(w: u32, v: u32, hv: u32) {
  let layers = net_u.layers;
  let np = net_u.params;
  let inputs = layer_size(0u);
  let outputs = layer_size(layers);
  let count = net_u.n_train;
  let norm = select(1.0 / f32(count * outputs), 1.0 / f32(count), CROSS_ENTROPY);
  let dsc = 2u * net_u.scratch;
  for (var i = 0u; i < np; i++) {
    work[wk(hv + i)] = 0.0;
  }
  for (var row = 0u; row < count; row++) {
    for (var i = 0u; i < inputs; i++) {
      sc_set(i, consts[net_u.train_x + row * inputs + i]);
      work[hs(2u, i)] = 0.0;
    }
    // Forward and R-forward.
    var wo = 0u;
    var ao = 0u;
    for (var l = 0u; l < layers; l++) {
      let inn = layer_size(l);
      let out = layer_size(l + 1u);
      let scale = 1.0 / sqrt(f32(inn));
      let bo = wo + out * inn;
      let last = l + 1u == layers;
      for (var j = 0u; j < out; j++) {
        var acc = 0.0;
        var racc = 0.0;
        let w0 = wo + j * inn;
        for (var i = 0u; i < inn; i++) {
          let a = sc_get(ao + i);
          let wi = work[wk(w + w0 + i)];
          acc = acc + wi * a;
          racc = (racc + work[wk(v + w0 + i)] * a) + wi * work[hs(2u, ao + i)];
        }
        if (MEAN_FIELD) {
          acc = acc * scale;
          racc = racc * scale;
        }
        if (BIAS) {
          acc = acc + work[wk(w + bo + j)];
          racc = racc + work[wk(v + bo + j)];
        }
        let o = ao + inn + j;
        if (last) {
          sc_set(o, select(acc, acc * scale, MEAN_FIELD));
          work[hs(1u, o)] = select(racc, racc * scale, MEAN_FIELD);
        } else {
          let phi = activate(acc);
          sc_set(o, phi.x);
          sc_set(net_u.scratch + o, phi.y);
          work[hs(0u, o)] = activate2(acc, phi);
          work[hs(1u, o)] = racc;
          work[hs(2u, o)] = phi.y * racc;
        }
      }
      wo = bo + select(0u, out, BIAS);
      ao = ao + inn;
    }
    // The output's gradient and its R-derivative into the deltas (scaled as net_pass scales them).
    let out_scale = 1.0 / sqrt(f32(layer_size(layers - 1u)));
    if (CROSS_ENTROPY) {
      let cls = u32(consts[net_u.train_y + row]);
      var m = sc_get(ao);
      for (var c = 1u; c < outputs; c++) {
        m = max(m, sc_get(ao + c));
      }
      var se = 0.0;
      for (var c = 0u; c < outputs; c++) {
        se = se + exp(sc_get(ao + c) - m);
      }
      let lse = m + log(se);
      // softmax p; d/dout = (p - onehot) norm; R{p} = p (Rout - p . Rout).
      var pdot = 0.0;
      for (var c = 0u; c < outputs; c++) {
        let p = exp(sc_get(ao + c) - lse);
        sc_set(dsc + ao + c, ce_output_grad(p, c == cls, norm, out_scale));
        pdot = pdot + p * work[hs(1u, ao + c)];
        work[hs(3u, ao + c)] = p;
      }
      for (var c = 0u; c < outputs; c++) {
        let p = work[hs(3u, ao + c)];
        let rg = (p * (work[hs(1u, ao + c)] - pdot)) * norm;
        work[hs(3u, ao + c)] = select(rg, rg * out_scale, MEAN_FIELD);
      }
    } else {
      for (var c = 0u; c < outputs; c++) {
        let e = sc_get(ao + c) - consts[net_u.train_y + row * outputs + c];
        sc_set(dsc + ao + c, mse_output_grad(e, norm, out_scale));
        let rg = (2.0 * norm) * work[hs(1u, ao + c)];
        work[hs(3u, ao + c)] = select(rg, rg * out_scale, MEAN_FIELD);
      }
    }
    // R-backward, from the output layer down.
    for (var l = layers; l > 0u; l--) {
      let inn = layer_size(l - 1u);
      let out = layer_size(l);
      let scale = 1.0 / sqrt(f32(inn));
      wo = wo - out * inn - select(0u, out, BIAS);
      ao = ao - inn;
      let bo = wo + out * inn;
      let d0 = ao + inn;
      for (var j = 0u; j < out; j++) {
        let dr = sc_get(dsc + d0 + j);
        let rdr = work[hs(3u, d0 + j)];
        let dj = select(dr, dr * scale, MEAN_FIELD);
        let rdj = select(rdr, rdr * scale, MEAN_FIELD);
        let h0 = hv + wo + j * inn;
        for (var i = 0u; i < inn; i++) {
          let hi = wk(h0 + i);
          work[hi] = work[hi] + ((rdj * sc_get(ao + i)) + (dj * work[hs(2u, ao + i)]));
        }
        if (BIAS) {
          let hb = wk(hv + bo + j);
          work[hb] = work[hb] + rdr;
        }
      }
      if (l == 1u) {
        break;
      }
      // dL/da = W^T (scaled) delta and its R-derivative; then dL/dz and R{dL/dz}.
      for (var i = 0u; i < inn; i++) {
        var g = 0.0;
        var rg = 0.0;
        for (var j = 0u; j < out; j++) {
          let k = wo + j * inn + i;
          let wj = work[wk(w + k)];
          let dr = sc_get(dsc + d0 + j);
          let dj = select(dr, dr * scale, MEAN_FIELD);
          let rdr = work[hs(3u, d0 + j)];
          let rdj = select(rdr, rdr * scale, MEAN_FIELD);
          g = g + wj * dj;
          rg = (rg + wj * rdj) + work[wk(v + k)] * dj;
        }
        let d1 = sc_get(net_u.scratch + ao + i);
        sc_set(dsc + ao + i, g * d1);
        work[hs(3u, ao + i)] = (rg * d1) + ((g * work[hs(0u, ao + i)]) * work[hs(1u, ao + i)]);
      }
    }
  }
}
