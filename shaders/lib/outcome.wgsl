// Outcome rules shared by the step and classify kernels; twin of src/core/outcome.ts.

// Known minima scanned when the surface has no lattice (few minima).
override MINIMA_COUNT: u32 = 0u;
// Rastrigin and Ackley store their minima on a lattice: O(1) lookup instead of a scan.
override BASIN_LATTICE: bool = false;

// Index of the known minimum within the convergence radius of p, or -1.
fn basin_of(p: vec2f) -> i32 {
  let r2 = run_u.radius2;
  if (BASIN_LATTICE) {
    // round() is half-to-even in WGSL; the CPU twin rounds the same way.
    let fi = round((p.x - run_u.lattice_x0) * run_u.lattice_inv_step);
    let fj = round((p.y - run_u.lattice_y0) * run_u.lattice_inv_step);
    if (!(fi >= 0.0 && fj >= 0.0 && fi < f32(run_u.lattice_nx) && fj < f32(run_u.lattice_ny))) {
      return -1;
    }
    let idx = u32(fj) * run_u.lattice_nx + u32(fi);
    let d = p - minima[idx].xy;
    if (d.x * d.x + d.y * d.y <= r2) { return i32(idx); }
    return -1;
  }
  for (var m = 0u; m < MINIMA_COUNT; m++) {
    let d = p - minima[m].xy;
    if (d.x * d.x + d.y * d.y <= r2) { return i32(m); }
  }
  return -1;
}

// Diverged: a coordinate beyond the surface's bound, or not finite. Written as a negated "inside"
// test because NaN fails every comparison (max() of a NaN is implementation-defined in WGSL).
fn escaped(p: vec2f) -> bool {
  return !(abs(p.x) <= run_u.bound && abs(p.y) <= run_u.bound);
}

// Largest eigenvalue of the symmetric Hessian (h.x, h.y; h.y, h.z).
fn largest_eigenvalue(h: vec3f) -> f32 {
  let mean = (h.x + h.z) * 0.5;
  let half_diff = (h.x - h.z) * 0.5;
  return mean + sqrt(half_diff * half_diff + h.y * h.y);
}
