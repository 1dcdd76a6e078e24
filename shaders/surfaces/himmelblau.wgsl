// Himmelblau, twin of src/core/registry/surfaces/himmelblau.ts (same f32 operation order).

fn surface_value(p: vec2f) -> f32 {
  let a = (p.x * p.x + p.y) - 11.0;
  let b = (p.x + p.y * p.y) - 7.0;
  return a * a + b * b;
}

fn surface_grad(p: vec2f) -> vec2f {
  let a = (p.x * p.x + p.y) - 11.0;
  let b = (p.x + p.y * p.y) - 7.0;
  return vec2f((4.0 * p.x) * a + 2.0 * b, 2.0 * a + (4.0 * p.y) * b);
}

fn surface_hessian(p: vec2f) -> vec3f {
  let x2 = p.x * p.x;
  let y2 = p.y * p.y;
  let a = (x2 + p.y) - 11.0;
  let b = (p.x + y2) - 7.0;
  return vec3f((4.0 * a + 8.0 * x2) + 2.0, 4.0 * (p.x + p.y), (4.0 * b + 8.0 * y2) + 2.0);
}

fn surface_sample_grad(p: vec2f, run: u32, step: u32) -> vec2f {
  return surface_grad(p);
}
