// Outcome rules shared by the step and classify kernels; twin of src/core/outcome.ts.
// Everything the per-step checks need sits in private registers (load_outcome()), because a
// uniform or storage load inside the step loop is not hoisted by the compiler and cost more than
// the optimiser step itself.

// Known minima scanned when the surface has no lattice (at most MAX_SCAN_MINIMA of them).
override MINIMA_COUNT: u32 = 0u;
// Rastrigin and Ackley store their minima on a lattice: O(1) lookup instead of a scan.
override BASIN_LATTICE: bool = false;

const MAX_SCAN_MINIMA: u32 = 8u;

var<private> o_bound: f32;
var<private> o_radius2: f32;
var<private> o_lattice0: vec2f;
var<private> o_lattice_inv_step: f32;
var<private> o_lattice_n: vec2u;
var<private> o_min0: vec4f;
var<private> o_min1: vec4f;
var<private> o_min2: vec4f;
var<private> o_min3: vec4f;

// Everything the sweep kernels read from uniforms, copied into registers once per invocation.
fn load_run() {
  seed_v = run_u.noise_seed;
  load_outcome();
}

fn load_outcome() {
  o_bound = run_u.bound;
  o_radius2 = run_u.radius2;
  if (BASIN_LATTICE) {
    o_lattice0 = vec2f(run_u.lattice_x0, run_u.lattice_y0);
    o_lattice_inv_step = run_u.lattice_inv_step;
    o_lattice_n = vec2u(run_u.lattice_nx, run_u.lattice_ny);
  } else {
    // Two minima per register: (x0, y0, x1, y1).
    if (MINIMA_COUNT > 0u) { o_min0 = vec4f(minima[0].xy, minima[min(1u, MINIMA_COUNT - 1u)].xy); }
    if (MINIMA_COUNT > 2u) { o_min1 = vec4f(minima[2].xy, minima[min(3u, MINIMA_COUNT - 1u)].xy); }
    if (MINIMA_COUNT > 4u) { o_min2 = vec4f(minima[4].xy, minima[min(5u, MINIMA_COUNT - 1u)].xy); }
    if (MINIMA_COUNT > 6u) { o_min3 = vec4f(minima[6].xy, minima[min(7u, MINIMA_COUNT - 1u)].xy); }
  }
}

fn scan_minimum(m: u32) -> vec2f {
  switch (m) {
    case 0u: { return o_min0.xy; }
    case 1u: { return o_min0.zw; }
    case 2u: { return o_min1.xy; }
    case 3u: { return o_min1.zw; }
    case 4u: { return o_min2.xy; }
    case 5u: { return o_min2.zw; }
    case 6u: { return o_min3.xy; }
    case 7u: { return o_min3.zw; }
    default: { return minima[m].xy; }
  }
}

fn within_radius(p: vec2f, m: vec2f) -> bool {
  let d = p - m;
  return d.x * d.x + d.y * d.y <= o_radius2;
}

// Index of the known minimum within the convergence radius of p, or -1.
fn basin_of(p: vec2f) -> i32 {
  if (BASIN_LATTICE) {
    // round() is half-to-even in WGSL; the CPU twin rounds the same way.
    let fi = round((p.x - o_lattice0.x) * o_lattice_inv_step);
    let fj = round((p.y - o_lattice0.y) * o_lattice_inv_step);
    if (!(fi >= 0.0 && fj >= 0.0 && fi < f32(o_lattice_n.x) && fj < f32(o_lattice_n.y)) || non_finite(fi) || non_finite(fj)) {
      return -1;
    }
    let idx = u32(fj) * o_lattice_n.x + u32(fi);
    return select(-1, i32(idx), within_radius(p, minima[idx].xy));
  }
  // Written out rather than looped so that each test folds away once MINIMA_COUNT is known.
  var b = -1;
  if (MINIMA_COUNT > 7u && within_radius(p, scan_minimum(7u))) { b = 7; }
  if (MINIMA_COUNT > 6u && within_radius(p, scan_minimum(6u))) { b = 6; }
  if (MINIMA_COUNT > 5u && within_radius(p, scan_minimum(5u))) { b = 5; }
  if (MINIMA_COUNT > 4u && within_radius(p, scan_minimum(4u))) { b = 4; }
  if (MINIMA_COUNT > 3u && within_radius(p, scan_minimum(3u))) { b = 3; }
  if (MINIMA_COUNT > 2u && within_radius(p, scan_minimum(2u))) { b = 2; }
  if (MINIMA_COUNT > 1u && within_radius(p, scan_minimum(1u))) { b = 1; }
  if (MINIMA_COUNT > 0u && within_radius(p, scan_minimum(0u))) { b = 0; }
  for (var m = MAX_SCAN_MINIMA; m < MINIMA_COUNT; m++) {
    if (b < 0 && within_radius(p, minima[m].xy)) { b = i32(m); }
  }
  return b;
}

// Diverged: a coordinate beyond the surface's bound, or not finite. The bits decide non-finite:
// a negated "inside" test relied on NaN failing every comparison, which WGSL lets a compiler assume
// away (review 24); max() of a NaN is implementation-defined.
fn escaped(p: vec2f) -> bool {
  return !(abs(p.x) <= o_bound && abs(p.y) <= o_bound) || non_finite(p.x) || non_finite(p.y);
}

// Largest eigenvalue of the symmetric Hessian (h.x, h.y; h.y, h.z).
fn largest_eigenvalue(h: vec3f) -> f32 {
  let mean = (h.x + h.z) * 0.5;
  let half_diff = (h.x - h.z) * 0.5;
  return mean + sqrt(half_diff * half_diff + h.y * h.y);
}
