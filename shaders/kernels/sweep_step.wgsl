// Advances every run of the chunk from step chunk.step_begin to chunk.step_end, keeping the whole
// state in registers for the duration, and tracks the outcome (divergence, basin, entry step) as it
// goes so that classification needs no history. Twin of runChunk() in src/engine/cpu/kernel.ts.

override WORKGROUP_SIZE: u32 = 64u;
// Gradient noise on: set when noise.std is non-zero or swept.
override NOISE: bool = false;
// Slot of the parameter a cycling schedule replaces (momentum or betas.0).
override OPT_MOMENTUM_SLOT: u32 = 0u;
// Steps between outcome checkpoints (spec: outcome.check_every).
override OUTCOME_EVERY: u32 = 1u;
// Steps per pass of the inner loop: 1, or 2 when that divides OUTCOME_EVERY. SwiftShader pays a
// fixed price per loop iteration (lane-mask bookkeeping for every loop-carried value), worth about
// half a momentum-SGD step; two steps per pass halve it. The host leaves it at 1 when a schedule is
// evaluated per run, whose second copy would cost more compile time than it saves.
override STEP_UNROLL: u32 = 1u;
// The schedule's values and the optimiser's step scalars come from step_table (shared by all runs).
override SCHED_TABLE: bool = false;
override OPT_TABLE: bool = false;
// How many of the step scalars (x first) opt_step reads: the optimiser's stepScalars.count.
override OPT_SCALARS: u32 = 4u;
// Stochastic weight averaging into S[SWA_SLOT] (the generated layout's, core/layout.ts SWA_PAIR)
// after steps SWA_START, SWA_START + SWA_EVERY, …
override SWA: bool = false;
override SWA_START: u32 = 1u;
override SWA_EVERY: u32 = 1u;
// Sharpness-aware minimisation around the optimiser (spec.sam): a second gradient, at w + e(w).
override SAM: bool = false;
override SAM_ADAPTIVE: bool = false;
// State slot holding the point where the optimiser wants its gradient: the weights (0) for most,
// the interpolated point y for Schedule-Free, which keeps its averaged iterate in S[0].
override GRAD_SLOT: u32 = 0u;
// The schedule is ReduceLROnPlateau: the LR is per-run state driven by the run's own loss.
override PLATEAU: bool = false;
var<private> plateau: vec4f;
// Recording paths (Engine.trajectories): each invocation advances the run run_list names, and the
// start, every RECORD_EVERY-th step, the last step and a detected divergence each write one
// PathPoint to `records` (its fields: src/engine/gpu/layouts.ts). Point i of a run is the one after ceil(i * every)
// steps; the dispatch's window holds points chunk.record_first .. + chunk.record_cap - 1.
override RECORD: bool = false;
override RECORD_EVERY: u32 = 1u;
var<private> rec_local: u32;
var<private> rec_lr: f32;
var<private> rec_mom: f32;
var<private> rec_grad: vec2f;

fn record_point(done: u32) {
  let idx = (done + RECORD_EVERY - 1u) / RECORD_EVERY;
  records[rec_local * chunk.record_cap + idx - chunk.record_first] = PathPoint(S[0], surface_value(S[0]), rec_lr, rec_grad, rec_mom, f32(done));
}
// chunk.table_base, read once: a uniform read inside the step loop costs as much as a table read.
var<private> table_base: u32;

// One optimiser step of this run: step k (0-based) with torch's LR after k scheduler steps.
fn advance(k: u32, run: u32, base_lr: f32) {
  var sched: vec2f;
  if (PLATEAU) {
    sched = vec2f(plateau.x, 0.0);
  } else if (SCHED_TABLE) {
    let j = STEP_TABLE_STRIDE * (k - table_base);
    sched = vec2f(step_table[j], step_table[j + 1u]);
  } else {
    sched = schedule_eval(k, base_lr);
  }
  var mom = param(OPT_MOMENTUM_SLOT);
  if (CYCLE_MOMENTUM) {
    mom = sched.y;
  }
  let t = f32(k + 1u);
  var sc: vec4f;
  if (OPT_TABLE) {
    // Only the components opt_step reads: each read is a gather on SwiftShader.
    let j = STEP_TABLE_STRIDE * (k - table_base) + 4u;
    sc.x = step_table[j];
    if (OPT_SCALARS > 1u) {
      sc.y = step_table[j + 1u];
    }
    if (OPT_SCALARS > 2u) {
      sc.z = step_table[j + 2u];
    }
    if (OPT_SCALARS > 3u) {
      sc.w = step_table[j + 3u];
    }
  } else {
    sc = opt_step_scalars(mom, t);
  }
  let q = S[GRAD_SLOT];
  var grad_at = q;
  var noise = vec2f(0.0);
  if (NOISE) {
    let w = pcg4d(vec4u(seed_v, run, k, STREAM_GRADIENT_NOISE));
    noise = param(RUN_NOISE_STD) * box_muller(w.x, w.y);
  }
  var g = surface_sample_grad(q, run, k);
  if (NOISE) {
    g = g + noise;
  }
  if (SAM) {
    // davda54/sam first_step: e = rho * (w² if adaptive) * g / (‖(|w| if adaptive) * g‖ + 1e-12);
    // the second gradient sees the same minibatch and noise draw, as it would in a training step.
    var v = g;
    if (SAM_ADAPTIVE) {
      v = abs(q) * g;
    }
    let scale = param(RUN_SAM_RHO) / (sqrt(v.x * v.x + v.y * v.y) + 1e-12);
    var e = g * scale;
    if (SAM_ADAPTIVE) {
      e = ((q * q) * g) * scale;
    }
    grad_at = q + e;
    g = surface_sample_grad(grad_at, run, k);
    if (NOISE) {
      g = g + noise;
    }
  }
  var metric = 0.0;
  if (PLATEAU) {
    // scheduler.step(loss) after the step, with the loss where the step took its gradient.
    metric = surface_value(q);
  }
  opt_step(g, sched.x, mom, t, sc);
  if (PLATEAU) {
    plateau = plateau_step(P_SCHEDULE, plateau, metric);
  }
  if (SWA) {
    // torch's AveragedModel: lerp towards the new iterate with weight 1 / (number averaged).
    let done = k + 1u;
    let due = done >= SWA_START && (done - SWA_START) % SWA_EVERY == 0u;
    let n = f32((max(done, SWA_START) - SWA_START) / SWA_EVERY + 1u);
    S[SWA_SLOT] = select(S[SWA_SLOT], aten_lerp(S[SWA_SLOT], S[0], 1.0 / n), due);
  }
  if (RECORD) {
    rec_lr = sched.x;
    rec_mom = mom;
    rec_grad = grad_at;
    let done = k + 1u;
    if (done % RECORD_EVERY == 0u || done == run_u.steps) {
      record_point(done);
    }
  }
}

// A divergence found at a checkpoint ends the path there: record it unless advance() just did.
fn record_divergence(done: u32) {
  if (RECORD && done % RECORD_EVERY != 0u && done != run_u.steps) {
    record_point(done);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let local = gid.x;
  if (local >= chunk.run_count) {
    return;
  }
  var run = chunk.run_begin + local;
  if (RECORD) {
    run = run_list.runs[local / 4u][local % 4u];
    rec_local = local;
  }
  load_run();
  load_sweep(run, local);

  var basin: i32;
  var entered: u32;
  if (chunk.step_begin == 0u) {
    S[0] = vec2f(param(RUN_START_X), param(RUN_START_Y));
    opt_init();
    if (SWA) {
      // torch's AveragedModel holds the start until its first average (which replaces it exactly).
      S[SWA_SLOT] = S[0];
    }
    basin = basin_of(S[0]);
    entered = 0u;
    if (PLATEAU) {
      plateau = plateau_init(P_SCHEDULE, param(P_OPTIMIZER));
    }
    if (RECORD) {
      record_point(0u);
    }
  } else {
    let tr = tracks[local];
    if (tr.diverged != 0u) {
      return;
    }
    load_state(local);
    basin = tr.basin;
    entered = tr.entered;
    plateau = tr.plateau;
  }

  table_base = chunk.table_base;
  var diverged = 0u;
  let base_lr = param(P_OPTIMIZER);
  let step_end = chunk.step_end;
  // Outcome checks cost as much as a cheap step on SwiftShader, so they run at checkpoints: every
  // OUTCOME_EVERY steps, counted from step 0 (the host starts every dispatch on one, so chunking
  // never moves them), and after the run's last step. The inner loop's trip count is a constant,
  // and a run's last partial block (if any) is stepped apart: a loop bound that differs per block
  // cost 15% of the speed.
  let full_end = chunk.step_begin + ((step_end - chunk.step_begin) / OUTCOME_EVERY) * OUTCOME_EVERY;
  for (var k0 = chunk.step_begin; k0 < full_end; k0 += OUTCOME_EVERY) {
    for (var u = 0u; u < OUTCOME_EVERY; u += STEP_UNROLL) {
      advance(k0 + u, run, base_lr);
      if (STEP_UNROLL == 2u) {
        advance(k0 + u + 1u, run, base_lr);
      }
    }
    let k1 = k0 + OUTCOME_EVERY;
    if (escaped(S[0])) {
      diverged = 1u;
      entered = k1;
      record_divergence(k1);
      break;
    }
    let b = basin_of(S[0]);
    if (b != basin) {
      basin = b;
      entered = k1;
    }
  }
  if (diverged == 0u && full_end < step_end) {
    for (var k = full_end; k < step_end; k++) {
      advance(k, run, base_lr);
    }
    if (escaped(S[0])) {
      diverged = 1u;
      entered = step_end;
      record_divergence(step_end);
    } else {
      let b = basin_of(S[0]);
      if (b != basin) {
        basin = b;
        entered = step_end;
      }
    }
  }

  store_state(local);
  tracks[local] = RunTrack(basin, entered, diverged, 0u, plateau);
}
