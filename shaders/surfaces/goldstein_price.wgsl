// Goldstein–Price, twin of src/core/registry/surfaces/goldstein_price.ts (same f32 operation
// order), in the factored form f = F(x + y)·G(2x − 3y) derived there.

// (σ, t, F, G)
fn goldstein_price_parts(p: vec2f) -> vec4f {
  let s = p.x + p.y;
  let t = 2.0 * p.x - 3.0 * p.y;
  let s1 = s + 1.0;
  let F = 1.0 + (s1 * s1) * (((3.0 * s - 14.0) * s) + 19.0);
  let G = 30.0 + (t * t) * (((3.0 * t - 16.0) * t) + 18.0);
  return vec4f(s, t, F, G);
}

fn surface_value(p: vec2f) -> f32 {
  let q = goldstein_price_parts(p);
  return q.z * q.w;
}

fn surface_grad(p: vec2f) -> vec2f {
  let q = goldstein_price_parts(p);
  let s = q.x;
  let t = q.y;
  let F1 = (12.0 * ((s - 2.0) * (s - 1.0))) * (s + 1.0);
  let G1 = (12.0 * (t * (t - 1.0))) * (t - 3.0);
  let f1g = F1 * q.w;
  let fg1 = q.z * G1;
  return vec2f(f1g + 2.0 * fg1, f1g - 3.0 * fg1);
}

fn surface_hessian(p: vec2f) -> vec3f {
  let q = goldstein_price_parts(p);
  let s = q.x;
  let t = q.y;
  let F1 = (12.0 * ((s - 2.0) * (s - 1.0))) * (s + 1.0);
  let G1 = (12.0 * (t * (t - 1.0))) * (t - 3.0);
  let F2 = ((36.0 * s - 48.0) * s) - 12.0;
  let G2 = ((36.0 * t - 96.0) * t) + 36.0;
  let f2g = F2 * q.w;
  let f1g1 = F1 * G1;
  let fg2 = q.z * G2;
  return vec3f((f2g + 4.0 * f1g1) + 4.0 * fg2, (f2g - f1g1) - 6.0 * fg2, (f2g - 6.0 * f1g1) + 9.0 * fg2);
}

fn surface_sample_grad(p: vec2f, run: u32, step: u32) -> vec2f {
  return surface_grad(p);
}
