// Rastrigin, twin of src/core/registry/surfaces/rastrigin.ts (same f32 operation order).
// Literals: 12.566371 = f32(4π), 39.478416 = f32(4π²).
// sinpi, cospi, wrap_half: shaders/lib/trig.wgsl, the twins of shared.ts.

fn rastrigin_term(a: f32, x: f32) -> f32 {
  let s = sinpi(wrap_half(x));
  return x * x + (2.0 * a) * (s * s);
}

// 2x + 2πA·sin 2πx with sin 2πx = 2·sin πt·cos πt.
fn rastrigin_term_grad(a: f32, x: f32) -> f32 {
  let t = wrap_half(x);
  return 2.0 * x + (12.566371 * a) * (sinpi(t) * cospi(t));
}

// 2 + 4π²A·cos 2πx with cos 2πx = 1 − 2·sin² πt.
fn rastrigin_term_hess(a: f32, x: f32) -> f32 {
  let s = sinpi(wrap_half(x));
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
