// The bare network baseline of kernels/bare_net_sgd.wgsl (forward, backward, a momentum-SGD update,
// no bookkeeping) with the other decomposition: one workgroup per run, its threads sharing the run's
// work, instead of one invocation per run. The measurement that chooses between the two for the
// engine (docs/performance.md, "A workgroup per network run"). Same bindings and rows as the engine.
//
// Threads split each layer's neurons, samples go in order: for each sample, thread t computes the
// neurons j = t, t + WORKGROUP_SIZE, ... of a layer (a barrier between layers), and in the backward
// pass accumulates the gradient rows of those neurons' weights. So every gradient entry has one
// owner adding its samples in sample order, and every dot product is one thread's, in the order of
// lib/net_pass.wgsl: the result is the per-invocation kernel's, float32 op for float32 op (no float
// atomics, which WGSL lacks, and no reduction tree). A sample's activations, phi'(z) and deltas live
// in workgroup memory (3 SZ floats, SZ the sum of the layer widths). The update: threads over pairs.

override WORKGROUP_SIZE: u32 = 64u;
override FULL_BATCH: bool = true;
// 3 SZ floats: a sample's activations [0, SZ), phi'(z) [SZ, 2 SZ), deltas [2 SZ, 3 SZ).
override WG_SCRATCH: u32 = 1024u;

var<workgroup> sc: array<f32, WG_SCRATCH>;

// One pass over `count` samples (the minibatch of step k of run `run`, or rows 0 .. count-1) at the
// weights in the theta rows, the mean loss's gradient into the gradient rows. Every thread of the
// workgroup calls it (its barriers need them all); `t` is the thread's index.
fn wg_pass(t: u32, n: u32, count: u32, mini: bool, run: u32, k: u32) {
  let layers = net_u.layers;
  let np = net_u.params;
  let sz = net_u.scratch;
  let inputs = layer_size(0u);
  let outputs = layer_size(layers);
  let rg = row_grad();
  let w = row_theta();
  let xo = net_u.train_x;
  let yo = net_u.train_y;
  let norm = select(1.0 / f32(count * outputs), 1.0 / f32(count), CROSS_ENTROPY);
  for (var i = t; i < np; i += WORKGROUP_SIZE) {
    work[wk(rg + i)] = 0.0;
  }
  // The zeros before any owner adds to its rows (the owners are other threads).
  storageBarrier();
  var words = vec4u(0u);
  for (var s = 0u; s < count; s++) {
    let row = sample_row(&words, s, n, mini, run, k);
    for (var i = t; i < inputs; i += WORKGROUP_SIZE) {
      sc[i] = consts[xo + row * inputs + i];
    }
    workgroupBarrier();
    // Forward: layer l reads a_l at ao and writes z (last) or phi(z) at ao + inn, phi' at sz + ....
    var wo = 0u;
    var ao = 0u;
    for (var l = 0u; l < layers; l++) {
      let inn = layer_size(l);
      let out = layer_size(l + 1u);
      let scale = 1.0 / sqrt(f32(inn));
      let bo = wo + out * inn;
      let last = l + 1u == layers;
      for (var j = t; j < out; j += WORKGROUP_SIZE) {
        var acc = 0.0;
        let w0 = w + wo + j * inn;
        for (var i = 0u; i < inn; i++) {
          acc = acc + work[wk(w0 + i)] * sc[ao + i];
        }
        if (MEAN_FIELD) {
          acc = acc * scale;
        }
        if (BIAS) {
          acc = acc + work[wk(w + bo + j)];
        }
        let o = ao + inn + j;
        if (last) {
          sc[o] = select(acc, acc * scale, MEAN_FIELD);
        } else {
          let phi = activate(acc);
          sc[o] = phi.x;
          sc[sz + o] = phi.y;
        }
      }
      wo = bo + select(0u, out, BIAS);
      ao = ao + inn;
      workgroupBarrier();
    }
    // The output's deltas, dL/d(output): thread per output (a softmax's max and sum each thread's own).
    let out_scale = 1.0 / sqrt(f32(layer_size(layers - 1u)));
    if (CROSS_ENTROPY) {
      let cls = u32(consts[yo + row]);
      var m = sc[ao];
      for (var c = 1u; c < outputs; c++) {
        m = max(m, sc[ao + c]);
      }
      var se = 0.0;
      for (var c = 0u; c < outputs; c++) {
        se = se + exp(sc[ao + c] - m);
      }
      let lse = m + log(se);
      for (var c = t; c < outputs; c += WORKGROUP_SIZE) {
        sc[2u * sz + ao + c] = ce_output_grad(exp(sc[ao + c] - lse), c == cls, norm, out_scale);
      }
    } else {
      for (var c = t; c < outputs; c += WORKGROUP_SIZE) {
        sc[2u * sz + ao + c] = mse_output_grad(sc[ao + c] - consts[yo + row * outputs + c], norm, out_scale);
      }
    }
    workgroupBarrier();
    // Backward, from the output layer down.
    for (var l = layers; l > 0u; l--) {
      let inn = layer_size(l - 1u);
      let out = layer_size(l);
      let scale = 1.0 / sqrt(f32(inn));
      wo = wo - out * inn - select(0u, out, BIAS);
      ao = ao - inn;
      let bo = wo + out * inn;
      let d0 = 2u * sz + ao + inn;
      // The weight gradient: the rows of this thread's neurons.
      for (var j = t; j < out; j += WORKGROUP_SIZE) {
        let dr = sc[d0 + j];
        let dj = select(dr, dr * scale, MEAN_FIELD);
        let g0 = rg + wo + j * inn;
        for (var i = 0u; i < inn; i++) {
          let gi = wk(g0 + i);
          work[gi] = work[gi] + dj * sc[ao + i];
        }
        if (BIAS) {
          let gb = wk(rg + bo + j);
          work[gb] = work[gb] + dr;
        }
      }
      if (l > 1u) {
        // dL/da = W^T (scaled) delta, then dL/dz = phi'(z) dL/da: thread per input neuron.
        for (var i = t; i < inn; i += WORKGROUP_SIZE) {
          var g = 0.0;
          var wj = wk(w + wo + i);
          for (var j = 0u; j < out; j++) {
            let dr = sc[d0 + j];
            g = g + work[wj] * select(dr, dr * scale, MEAN_FIELD);
            wj += inn * cap;
          }
          sc[2u * sz + ao + i] = g * sc[sz + ao + i];
        }
      }
      workgroupBarrier();
    }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) t: u32) {
  // One workgroup per run of the chunk (the host dispatches run_count workgroups).
  lane = wid.x;
  cap = chunk.capacity;
  let run = chunk.run_begin + wid.x;
  load_sweep();
  let n = net_u.n_train;
  let batch = select(net_u.batch, n, FULL_BATCH);
  let rg = row_grad();
  for (var k = chunk.step_begin; k < chunk.step_end; k++) {
    wg_pass(t, n, batch, !FULL_BATCH, run, k);
    // Every owner's gradient rows before the pairs are stepped (by other threads).
    storageBarrier();
    for (var p = t; p < net_u.pairs; p += WORKGROUP_SIZE) {
      bare_sgd_pair(p, rg);
    }
    // The stepped weights before the next pass reads them.
    storageBarrier();
  }
}
