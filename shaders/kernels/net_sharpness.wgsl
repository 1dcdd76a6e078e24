// The sharpness of each network run: the power iteration of NetRun.sharpness on its final weights,
// dispatched after net_step.wgsl's last step on the same bindings, iterations
// chunk.step_begin .. chunk.step_end - 1 (0-based) of each run that did not diverge. The host
// writes the run's start vector (sharpnessStart, drawn in float64 and rounded) into the
// gradient-point row before iteration 0; H v goes into the SAM row (both free after training).
// lambda, the residual ||Hv - lambda v|| / |lambda| and the iterations taken are the track's.
// It composes the network libraries alone: no optimiser or schedule.

override WORKGROUP_SIZE: u32 = 64u;

// Divides the rows at v by their norm (squares summed in order); returns the norm.
fn normalise_rows(v: u32) -> f32 {
  let nm = rows_norm(v);
  for (var i = 0u; i < net_u.params; i++) {
    work[wk(v + i)] = work[wk(v + i)] / nm;
  }
  return nm;
}

// The relative change of lambda at which the power iteration stops (SHARPNESS_TOL.f32 of src/core/network/start.ts).
override SHARPNESS_TOL: f32 = 1e-5;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  lane = gid.x;
  if (lane >= chunk.run_count) {
    return;
  }
  cap = chunk.capacity;
  tr = tracks[lane];
  if (tr.diverged != 0u) {
    return;
  }
  let np = net_u.params;
  let v = row_gpoint();
  let hv = row_sam();
  if (chunk.step_begin == 0u) {
    normalise_rows(v);
    tr.sharpness = net_u.nan;
    tr.sharpness_residual = net_u.nan;
    tr.sharpness_iterations = 0u;
    tr.sharpness_done = 0u;
  }
  for (var it = chunk.step_begin; it < chunk.step_end && tr.sharpness_done == 0u; it++) {
    net_hvp_pass(row_theta(), v, hv);
    var l = 0.0;
    for (var i = 0u; i < np; i++) {
      l = l + work[wk(v + i)] * work[wk(hv + i)];
    }
    var res = 0.0;
    for (var i = 0u; i < np; i++) {
      let e = work[wk(hv + i)] - l * work[wk(v + i)];
      res = res + e * e;
    }
    tr.sharpness_residual = sqrt(res) / abs(l);
    // The first iteration has no previous lambda (NaN on the CPU, whose comparison is then false).
    let moved = abs(l - tr.sharpness);
    let converged = it > 0u && moved <= SHARPNESS_TOL * abs(l);
    tr.sharpness = l;
    tr.sharpness_iterations = it + 1u;
    if (converged || non_finite(l)) {
      tr.sharpness_done = 1u;
      break;
    }
    for (var i = 0u; i < np; i++) {
      work[wk(v + i)] = work[wk(hv + i)];
    }
    if (normalise_rows(v) == 0.0) {
      tr.sharpness_done = 1u;
    }
  }
  tracks[lane] = tr;
}
