// Quadratic ravine, twin of src/core/registry/surfaces/quadratic.ts (same f32 operation order).
// 0.0027777778 = f32(1/360).
// sinpi, cospi, wrap_half: shaders/lib/trig.wgsl, the twins of shared.ts.

// (cos θ, sin θ) of the ravine angle via the half angle in turns.
fn quadratic_cs() -> vec2f {
  let t = wrap_half(param(quadratic_angle) * 0.0027777778);
  let s = sinpi(t);
  return vec2f(1.0 - 2.0 * (s * s), (2.0 * s) * cospi(t));
}

fn surface_value(p: vec2f) -> f32 {
  let cs = quadratic_cs();
  let u = cs.x * p.x + cs.y * p.y;
  let v = cs.x * p.y - cs.y * p.x;
  return 0.5 * ((param(quadratic_a) * u) * u + (param(quadratic_b) * v) * v);
}

fn surface_grad(p: vec2f) -> vec2f {
  let cs = quadratic_cs();
  let gu = param(quadratic_a) * (cs.x * p.x + cs.y * p.y);
  let gv = param(quadratic_b) * (cs.x * p.y - cs.y * p.x);
  return vec2f(cs.x * gu - cs.y * gv, cs.y * gu + cs.x * gv);
}

fn surface_hessian(p: vec2f) -> vec3f {
  let cs = quadratic_cs();
  let a = param(quadratic_a);
  let b = param(quadratic_b);
  return vec3f(
    (a * cs.x) * cs.x + (b * cs.y) * cs.y,
    ((a - b) * cs.x) * cs.y,
    (a * cs.y) * cs.y + (b * cs.x) * cs.x,
  );
}

fn surface_sample_grad(p: vec2f, run: u32, step: u32) -> vec2f {
  return surface_grad(p);
}
