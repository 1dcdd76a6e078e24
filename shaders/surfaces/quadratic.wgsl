// Quadratic ravine, twin of src/core/registry/surfaces/quadratic.ts (same f32 operation order).
// 0.0027777778 = f32(1/360).

// sin(πt), cos(πt) for |t| <= 1/2 and the exact reduction x − nearest integer: the same
// polynomials as sinpi/cospi/wrapHalf in src/core/registry/surfaces/shared.ts (why: see there).
fn quadratic_wrap_half(x: f32) -> f32 {
  return x - round(x);
}

fn quadratic_sinpi(t: f32) -> f32 {
  let t2 = t * t;
  var p = -1.05184715e-11;
  p = p * t2 + 5.3926646e-10;
  p = p * t2 - 2.2948429e-8;
  p = p * t2 + 7.952054e-7;
  p = p * t2 - 0.000021915353;
  p = p * t2 + 0.0004663028;
  p = p * t2 - 0.007370431;
  p = p * t2 + 0.082145885;
  p = p * t2 - 0.5992645;
  p = p * t2 + 2.550164;
  p = p * t2 - 5.1677127;
  p = p * t2 + 3.1415927;
  return p * t;
}

fn quadratic_cospi(t: f32) -> f32 {
  let t2 = t * t;
  var p = -7.7007074e-11;
  p = p * t2 + 3.6047307e-9;
  p = p * t2 - 1.3878953e-7;
  p = p * t2 + 0.0000043030695;
  p = p * t2 - 0.00010463811;
  p = p * t2 + 0.0019295743;
  p = p * t2 - 0.02580689;
  p = p * t2 + 0.23533063;
  p = p * t2 - 1.3352628;
  p = p * t2 + 4.058712;
  p = p * t2 - 4.934802;
  p = p * t2 + 1.0;
  return p;
}

// (cos θ, sin θ) of the ravine angle via the half angle in turns.
fn quadratic_cs() -> vec2f {
  let t = quadratic_wrap_half(param(quadratic_angle) * 0.0027777778);
  let s = quadratic_sinpi(t);
  return vec2f(1.0 - 2.0 * (s * s), (2.0 * s) * quadratic_cospi(t));
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
