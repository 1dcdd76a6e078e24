// Rastrigin, twin of src/core/registry/surfaces/rastrigin.ts (same f32 operation order).
// Literals: 12.566371 = f32(4π), 39.478416 = f32(4π²).

// sin(πt), cos(πt) for |t| <= 1/2 and the exact reduction x − nearest integer: the same
// polynomials as sinpi/cospi/wrapHalf in src/core/registry/surfaces/shared.ts (why: see there).
fn rastrigin_wrap_half(x: f32) -> f32 {
  return x - round(x);
}

fn rastrigin_sinpi(t: f32) -> f32 {
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

fn rastrigin_cospi(t: f32) -> f32 {
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

fn rastrigin_term(a: f32, x: f32) -> f32 {
  let s = rastrigin_sinpi(rastrigin_wrap_half(x));
  return x * x + (2.0 * a) * (s * s);
}

// 2x + 2πA·sin 2πx with sin 2πx = 2·sin πt·cos πt.
fn rastrigin_term_grad(a: f32, x: f32) -> f32 {
  let t = rastrigin_wrap_half(x);
  return 2.0 * x + (12.566371 * a) * (rastrigin_sinpi(t) * rastrigin_cospi(t));
}

// 2 + 4π²A·cos 2πx with cos 2πx = 1 − 2·sin² πt.
fn rastrigin_term_hess(a: f32, x: f32) -> f32 {
  let s = rastrigin_sinpi(rastrigin_wrap_half(x));
  return 2.0 + (39.478416 * a) * (1.0 - 2.0 * (s * s));
}

fn surface_value(p: vec2f) -> f32 {
  let a = param(rastrigin_A);
  return rastrigin_term(a, p.x) + rastrigin_term(a, p.y);
}

fn surface_grad(p: vec2f) -> vec2f {
  let a = param(rastrigin_A);
  return vec2f(rastrigin_term_grad(a, p.x), rastrigin_term_grad(a, p.y));
}

fn surface_hessian(p: vec2f) -> vec3f {
  let a = param(rastrigin_A);
  return vec3f(rastrigin_term_hess(a, p.x), 0.0, rastrigin_term_hess(a, p.y));
}

fn surface_sample_grad(p: vec2f, run: u32, step: u32) -> vec2f {
  return surface_grad(p);
}
