// Trains every network run of the chunk from step chunk.step_begin to chunk.step_end, one run per
// invocation, and after the run's last step writes its outcome into its track. Twin of
// NetRun.trainRun in src/engine/cpu/network.ts: the same steps in the same order (the training loss
// L_k at checkpoints, the minibatch gradient, SAM's second gradient, each group's LR, momentum and
// step scalars, the optimiser twin pair by pair or its tensor rule tensor by tensor, SWA's average), so that the two agree to float32
// rounding. Sharpness is its own kernel (net_sharpness.wgsl), dispatched after the last step.
//
// One invocation per run keeps the kernel simple and every run independent; its weights, gradient
// and scratch are rows of `work`, quantity-major, so that the 4 (SwiftShader) or 32 (GPU) lanes of
// a SIMD group read consecutive addresses for each weight (docs/performance.md, "GPU network engine").

override WORKGROUP_SIZE: u32 = 64u;
// Whole training set every step, no dimension sweeping the batch size (model.ts: L_k is then the
// step's own loss).
override FULL_BATCH: bool = true;
// Dimension whose value is the run's batch size, or 0xffffffff.
override BATCH_DIM: u32 = 0xffffffffu;
override HAS_SCHEDULE: bool = false;
// Slot of the optimiser's momentum (or beta1), when it has one.
override HAS_MOMENTUM: bool = false;
override OPT_MOMENTUM_SLOT: u32 = 0u;
// State slot holding where the optimiser takes its gradient (Schedule-Free's y), 0: the weights.
override GRAD_SLOT: u32 = 0u;
override SAM: bool = false;
override SAM_ADAPTIVE: bool = false;
// The schedule is ReduceLROnPlateau: each group's LR is per-run state driven by the minibatch loss.
override PLATEAU: bool = false;
override SWA: bool = false;
override SWA_START: u32 = 1u;
override SWA_EVERY: u32 = 1u;
// The optimiser steps each tensor as a whole through its file's opt_tensor_step (the registry's
// tensor rule: LARS, LAMB, Adafactor, Lion with caution) instead of opt_step pair by pair; the
// tensors' records follow the pairs in `pairs` (two a tensor, see net.ts netPairs). TENSOR_GLOBAL:
// the rule has a scalar over every gradient (LAMB's clip), computed before any group steps.
override TENSOR_RULE: bool = false;
// Trajectories: record a point every RECORD_EVERY steps (and where a checkpoint stops the run, and
// after the last step) into `records`, as NetRun.trainRun's record callback sees them.
override RECORD: bool = false;
override RECORD_EVERY: u32 = 1u;
override TENSOR_GLOBAL: bool = false;

fn group_uses_table(mask: u32, g: u32) -> bool {
  return ((mask >> g) & 1u) != 0u;
}

// Compensated summation (sum, compensation); an infinite sum stays infinite (the CPU's float64 sum
// of 1 / v is +inf once a v is 0), where the compensation would make it NaN.
fn kahan(sum: ptr<function, vec2f>, x: f32) {
  let y = x - (*sum).y;
  let t = (*sum).x + y;
  if (non_finite(t)) {
    *sum = vec2f(t, 0.0);
    return;
  }
  (*sum).y = (t - (*sum).x) - y;
  (*sum).x = t;
}

// A training-loss checkpoint (NetRun.trainRun's checkpoint): false when the run diverged.
fn checkpoint(l: f32, k: u32) -> bool {
  if (non_finite(l) || l > tr.bound) {
    tr.diverged = 1u;
    tr.done = k;
    return false;
  }
  if (tr.steps_to_threshold < 0 && l <= tr.threshold) {
    tr.steps_to_threshold = i32(k);
  }
  return true;
}

// Layers' weight and bias tensors, as the host lists them after the pairs.
fn tensor_count() -> u32 {
  return net_u.layers * select(1u, 2u, BIAS);
}

fn init_run() {
  let np = net_u.params;
  if (TENSOR_RULE) {
    // Every tensor rule starts from zeros (TensorStep.init of each entry).
    for (var t = 0u; t < tensor_count(); t++) {
      let rec = pairs[net_u.pairs + 2u * t];
      let st = pairs[net_u.pairs + 2u * t + 1u];
      tensor_off = rec.x;
      tensor_soff = st.x;
      for (var j = 0u; j < st.y; j++) {
        tensor_set_st(j, 0.0);
      }
    }
  }
  for (var p = 0u; p < select(net_u.pairs, 0u, TENSOR_RULE); p++) {
    let q = pairs[p];
    cur_group = q.z;
    for (var s = 1u; s < STATE_VEC2; s++) {
      S[s] = vec2f(0.0);
    }
    let has1 = q.y != NO_COORD;
    S[0] = vec2f(work[wk(q.x)], select(0.0, work[wk(q.y)], has1));
    opt_init();
    store_state(p);
    work[wk(q.x)] = S[0].x;
    if (has1) {
      work[wk(q.y)] = S[0].y;
    }
  }
  if (SWA) {
    // torch's AveragedModel holds the initial weights until its first average (which replaces them
    // exactly: lerp with weight 1 is the new weights).
    for (var i = 0u; i < np; i++) {
      work[wk(row_avg() + i)] = work[wk(i)];
    }
  }
  if (PLATEAU) {
    for (var g = 0u; g < net_u.groups; g++) {
      cur_group = g;
      tr.plateau[g] = plateau_init(P_SCHEDULE, param(P_OPTIMIZER));
    }
  }
  tr.l0 = net_u.nan;
  tr.bound = net_u.nan;
  tr.threshold = net_u.nan;
  tr.steps_to_threshold = -1;
  tr.diverged = 0u;
  tr.done = net_u.steps;
  tr.sum_v = 0.0;
  tr.sum_v_c = 0.0;
  tr.sum_inv = 0.0;
  tr.sum_inv_c = 0.0;
  tr.record_count = 0u;
  for (var g = 0u; g < net_u.groups; g++) {
    tr.last_lr[g] = net_u.nan;
  }
}

// Group g's row of the shared per-step table at step k.
fn group_table(g: u32, k: u32) -> u32 {
  return net_u.table_off + (g * net_u.steps + k) * STEP_TABLE_STRIDE;
}

// Group g's LR and momentum in force at step k (the schedule evaluated with the group's values, or
// its plateau state); leaves cur_group = g.
fn group_lr_mom(g: u32, k: u32) -> vec2f {
  cur_group = g;
  var lr = 0.0;
  var mom = 0.0;
  if (HAS_MOMENTUM) {
    mom = param(OPT_MOMENTUM_SLOT);
  }
  let j = group_table(g, k);
  if (!HAS_SCHEDULE) {
    lr = param(P_OPTIMIZER);
  } else if (PLATEAU) {
    lr = tr.plateau[g].x;
  } else if (group_uses_table(net_u.sched_table_mask, g)) {
    lr = consts[j];
    if (CYCLE_MOMENTUM) {
      mom = consts[j + 1u];
    }
  } else {
    let sched = schedule_eval(k, param(P_OPTIMIZER));
    lr = sched.x;
    if (CYCLE_MOMENTUM) {
      mom = sched.y;
    }
  }
  return vec2f(lr, mom);
}

// Group g's LR, momentum and step scalars at step k (t = k + 1), into hy_*; leaves cur_group = g.
var<private> hy_lr: f32;
var<private> hy_mom: f32;
var<private> hy_sc: vec4f;
// RECORD: bit g set once group g's LR of this step is in tr.last_lr (groups are fewer than 32).
var<private> lr_recorded: u32;

fn group_hyper(g: u32, k: u32, t: f32) {
  let lm = group_lr_mom(g, k);
  if (RECORD) {
    tr.last_lr[g] = lm.x;
    lr_recorded = lr_recorded | (1u << g);
  }
  let j = group_table(g, k);
  if (group_uses_table(net_u.opt_table_mask, g)) {
    hy_sc = vec4f(consts[j + 4u], consts[j + 5u], consts[j + 6u], consts[j + 7u]);
  } else {
    hy_sc = opt_step_scalars(lm.y, t);
  }
  hy_lr = lm.x;
  hy_mom = lm.y;
}

// Euclidean norm of the rows at w (squares summed in order).
// A tensor record's element count: rec.y is a weight's rows (0 for a bias), rec.z its columns (a
// bias's size).
fn tensor_size(rec: vec4u) -> u32 {
  return select(rec.z, rec.y * rec.z, rec.y > 0u);
}

// One trajectory point of this lane: train loss lk at theta and its test loss, the norm of the
// gradient rows (NaN: none) and of theta, then each group's LR of the last step.
fn record_point(k: u32, lk: f32, grad_norm: f32) {
  if (tr.record_count >= net_u.record_points) {
    return;
  }
  let test = net_pass(row_theta(), net_u.test_x, net_u.test_y, net_u.n_test, net_u.n_test, false, 0u, 0u, false);
  let o = (lane * net_u.record_points + tr.record_count) * net_record_floats();
  records[o + NET_REC_STEP] = f32(k);
  records[o + NET_REC_TRAIN_LOSS] = lk;
  records[o + NET_REC_TEST_LOSS] = test;
  records[o + NET_REC_GRAD_NORM] = grad_norm;
  records[o + NET_REC_WEIGHT_NORM] = rows_norm(row_theta());
  for (var g = 0u; g < net_u.groups; g++) {
    records[o + NET_RECORD_HEAD + g] = tr.last_lr[g];
  }
  tr.record_count += 1u;
}

// One training step k of the run; false when its checkpoint found it diverged.
fn train_step(k: u32, run: u32, batch: u32) -> bool {
  let np = net_u.params;
  let n = net_u.n_train;
  // Where the optimiser wants its gradient: the weights, or Schedule-Free's y (a state slot).
  var at = row_theta();
  if (GRAD_SLOT != 0u) {
    at = row_gpoint();
    for (var p = 0u; p < net_u.pairs; p++) {
      let q = pairs[p];
      let y = state_slots[state_at(GRAD_SLOT, p)];
      work[wk(at + q.x)] = y.x;
      if (q.y != NO_COORD) {
        work[wk(at + q.y)] = y.y;
      }
    }
  }
  let check = k % net_u.check_every == 0u;
  var lk = net_u.nan;
  var batch_loss: f32;
  if (FULL_BATCH && GRAD_SLOT == 0u) {
    lk = net_pass(at, net_u.train_x, net_u.train_y, n, n, false, run, k, true);
    batch_loss = lk;
  } else {
    if (FULL_BATCH || check || (RECORD && k % RECORD_EVERY == 0u)) {
      lk = net_pass(row_theta(), net_u.train_x, net_u.train_y, n, n, false, run, k, false);
    }
    batch_loss = net_pass(at, net_u.train_x, net_u.train_y, n, batch, !FULL_BATCH, run, k, true);
  }
  if (k == 0u) {
    tr.l0 = lk;
    tr.bound = select(net_u.max_val * lk, net_u.bound, net_u.has_bound != 0u);
    tr.threshold = select(net_u.threshold_factor * lk, net_u.threshold, net_u.has_threshold != 0u);
  }
  if (RECORD) {
    if (k % RECORD_EVERY == 0u) {
      record_point(k, lk, rows_norm(row_grad()));
    } else if (k > 0u && check && (non_finite(lk) || lk > tr.bound)) {
      // The checkpoint about to stop the run: its point ends the path.
      record_point(k, lk, rows_norm(row_grad()));
    }
  }
  if (check && !checkpoint(lk, k)) {
    return false;
  }
  // The convergence measure's normalised loss (the notebook's convergence_measure).
  var v = select(batch_loss, lk, FULL_BATCH) / tr.l0;
  if (non_finite(v) || v > net_u.max_val) {
    v = net_u.max_val;
  }
  var sv = vec2f(tr.sum_v, tr.sum_v_c);
  kahan(&sv, v);
  tr.sum_v = sv.x;
  tr.sum_v_c = sv.y;
  var si = vec2f(tr.sum_inv, tr.sum_inv_c);
  // The reciprocal capped at max_val: a minibatch loss can be exactly 0 (as the CPU twin).
  kahan(&si, 1.0 / max(v, 1.0 / net_u.max_val));
  tr.sum_inv = si.x;
  tr.sum_inv_c = si.y;
  tr.ring[k % NET_TAIL] = v;
  let rg = row_grad();
  if (SAM) {
    // davda54/sam first_step: the norm of the per-tensor norms of (|w| if adaptive) * g, then a
    // second gradient at w + e(w) on the same rows.
    var sq = 0.0;
    var o = 0u;
    for (var l = 0u; l < net_u.layers; l++) {
      let inn = layer_size(l);
      let out = layer_size(l + 1u);
      for (var b = 0u; b < select(1u, 2u, BIAS); b++) {
        let size = select(out * inn, out, b == 1u);
        var ts = 0.0;
        for (var i = o; i < o + size; i++) {
          var gi = work[wk(rg + i)];
          if (SAM_ADAPTIVE) {
            gi = abs(work[wk(at + i)]) * gi;
          }
          ts = ts + gi * gi;
        }
        let tn = sqrt(ts);
        sq = sq + tn * tn;
        o = o + size;
      }
    }
    cur_group = net_u.groups - 1u;
    let scale = param(RUN_SAM_RHO) / (sqrt(sq) + 1e-12);
    let rs = row_sam();
    for (var i = 0u; i < np; i++) {
      let p = work[wk(at + i)];
      let g = work[wk(rg + i)];
      var e = g * scale;
      if (SAM_ADAPTIVE) {
        e = ((p * p) * g) * scale;
      }
      work[wk(rs + i)] = p + e;
    }
    net_pass(rs, net_u.train_x, net_u.train_y, n, batch, !FULL_BATCH, run, k, true);
  }
  // RECORD: group_hyper keeps each group's LR of this step, for the points after it, as it
  // evaluates it for the step.
  if (RECORD) {
    lr_recorded = 0u;
  }
  // Each group's LR, momentum and step scalars, then its pairs (pairs are grouped) or tensors.
  let t = f32(k + 1u);
  if (TENSOR_RULE) {
    var gs = 1.0;
    if (TENSOR_GLOBAL) {
      // The norm of the per-tensor gradient norms, tensor by tensor in layout order.
      var sq = 0.0;
      for (var ti = 0u; ti < tensor_count(); ti++) {
        let rec = pairs[net_u.pairs + 2u * ti];
        let size = tensor_size(rec);
        var ts = 0.0;
        for (var i = rec.x; i < rec.x + size; i++) {
          let gi = work[wk(rg + i)];
          ts = ts + gi * gi;
        }
        let tn = sqrt(ts);
        sq = sq + tn * tn;
      }
      cur_group = net_u.groups - 1u;
      gs = opt_tensor_global(sqrt(sq));
    }
    for (var g = 0u; g < net_u.groups; g++) {
      group_hyper(g, k, t);
      for (var ti = 0u; ti < tensor_count(); ti++) {
        let rec = pairs[net_u.pairs + 2u * ti];
        if (rec.w != g) {
          continue;
        }
        cur_group = g;
        tensor_off = rec.x;
        tensor_soff = pairs[net_u.pairs + 2u * ti + 1u].x;
        let size = tensor_size(rec);
        opt_tensor_step(size, rec.y, select(0u, rec.z, rec.y > 0u), hy_lr, hy_mom, t, hy_sc, gs);
      }
    }
  }
  var g_cur = 0xffffffffu;
  for (var p = 0u; p < select(net_u.pairs, 0u, TENSOR_RULE); p++) {
    let q = pairs[p];
    if (q.z != g_cur) {
      g_cur = q.z;
      group_hyper(g_cur, k, t);
    }
    let has1 = q.y != NO_COORD;
    S[0] = vec2f(work[wk(q.x)], select(0.0, work[wk(q.y)], has1));
    load_state(p);
    let g = vec2f(work[wk(rg + q.x)], select(0.0, work[wk(rg + q.y)], has1));
    opt_step(g, hy_lr, hy_mom, t, hy_sc);
    store_state(p);
    work[wk(q.x)] = S[0].x;
    if (has1) {
      work[wk(q.y)] = S[0].y;
    }
  }
  if (RECORD) {
    // A group with no pairs (no tensors) has its LR recorded too (it is torch's
    // param_groups[g]['lr'] all the same, and the CPU twin records it): evaluated here, before a
    // plateau step moves it.
    for (var g = 0u; g < net_u.groups; g++) {
      if ((lr_recorded & (1u << g)) == 0u) {
        tr.last_lr[g] = group_lr_mom(g, k).x;
      }
    }
  }
  if (PLATEAU) {
    // scheduler.step(loss) per group after the optimiser's step, with the minibatch loss at the
    // gradient point (each group's state moves only its own LR, so the order of groups is free).
    for (var g = 0u; g < net_u.groups; g++) {
      cur_group = g;
      tr.plateau[g] = plateau_step(P_SCHEDULE, tr.plateau[g], batch_loss);
    }
  }
  if (SWA) {
    // torch's AveragedModel: lerp towards the new weights with weight 1 / (number averaged).
    let d = k + 1u;
    if (d >= SWA_START && (d - SWA_START) % SWA_EVERY == 0u) {
      let w = 1.0 / f32((d - SWA_START) / SWA_EVERY + 1u);
      let ra = row_avg();
      for (var i = 0u; i < np; i++) {
        let a = wk(ra + i);
        work[a] = aten_lerp(vec2f(work[a], 0.0), vec2f(work[wk(i)], 0.0), w).x;
      }
    }
  }
  return true;
}

// Training loss, test loss and test accuracy of the point at rows w.
fn evaluate(w: u32) -> vec3f {
  let n = net_u.n_train;
  let train = net_pass(w, net_u.train_x, net_u.train_y, n, n, false, 0u, 0u, false);
  let test = net_pass(w, net_u.test_x, net_u.test_y, net_u.n_test, net_u.n_test, false, 0u, 0u, false);
  let acc = select(net_u.nan, f32(pass_correct) / f32(net_u.n_test), CROSS_ENTROPY);
  return vec3f(train, test, acc);
}

// After the last step: the final losses, the last checkpoint, the convergence measure, SWA's losses.
fn finish() {
  let steps = net_u.steps;
  let fin = evaluate(row_theta());
  let ran = tr.diverged == 0u;
  if (ran) {
    checkpoint(fin.x, steps);
  }
  if (RECORD && ran) {
    record_point(steps, fin.x, net_u.nan);
  }
  tr.train_loss = fin.x;
  tr.test_loss = fin.y;
  tr.test_accuracy = fin.z;
  // Steps a diverged run did not take count as max_val.
  let taken = select(steps, tr.done, tr.diverged != 0u);
  let missing = f32(steps - taken);
  tr.sum_v = tr.sum_v + missing * net_u.max_val;
  tr.sum_inv = tr.sum_inv + missing / net_u.max_val;
  let m = min(NET_TAIL, steps);
  for (var k = max(taken, steps - m); k < steps; k++) {
    tr.ring[k % NET_TAIL] = net_u.max_val;
  }
  var tail = 0.0;
  for (var i = 0u; i < m; i++) {
    tail = tail + tr.ring[(steps - 1u - i) % NET_TAIL];
  }
  tr.convergence = select(tr.sum_inv, -tr.sum_v, tail / f32(m) < 1.0);
  tr.swa_train_loss = net_u.nan;
  tr.swa_test_loss = net_u.nan;
  tr.swa_test_accuracy = net_u.nan;
  if (SWA) {
    let s = evaluate(row_avg());
    tr.swa_train_loss = s.x;
    tr.swa_test_loss = s.y;
    tr.swa_test_accuracy = s.z;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  lane = gid.x;
  if (lane >= chunk.run_count) {
    return;
  }
  cap = chunk.capacity;
  var run = chunk.run_begin + lane;
  if (net_u.run_list != 0xffffffffu) {
    // Two exact floats a run: its high and low 16 bits (net.ts, review 24).
    run = u32(consts[net_u.run_list + 2u * lane]) * 65536u + u32(consts[net_u.run_list + 2u * lane + 1u]);
  }
  load_sweep();
  var batch = net_u.batch;
  if (BATCH_DIM == 0u) { batch = u32(sweep_v.x); }
  if (BATCH_DIM == 1u) { batch = u32(sweep_v.y); }
  if (BATCH_DIM == 2u) { batch = u32(sweep_v.z); }
  if (BATCH_DIM == 3u) { batch = u32(sweep_v.w); }
  if (chunk.step_begin == 0u) {
    init_run();
  } else {
    tr = tracks[lane];
  }
  if (tr.diverged == 0u) {
    for (var k = chunk.step_begin; k < chunk.step_end; k++) {
      if (!train_step(k, run, batch)) {
        break;
      }
    }
  }
  if (chunk.step_end == net_u.steps) {
    finish();
  }
  tracks[lane] = tr;
}
