// Booth, twin of src/core/registry/surfaces/booth.ts (same f32 operation order).

fn surface_value(p: vec2f) -> f32 {
  let u = (p.x + 2.0 * p.y) - 7.0;
  let v = (2.0 * p.x + p.y) - 5.0;
  return u * u + v * v;
}

fn surface_grad(p: vec2f) -> vec2f {
  let u = (p.x + 2.0 * p.y) - 7.0;
  let v = (2.0 * p.x + p.y) - 5.0;
  return vec2f(2.0 * u + 4.0 * v, 4.0 * u + 2.0 * v);
}

fn surface_hessian(p: vec2f) -> vec3f {
  return vec3f(10.0, 8.0, 10.0);
}

fn surface_sample_grad(p: vec2f, run: u32, step: u32) -> vec2f {
  return surface_grad(p);
}
