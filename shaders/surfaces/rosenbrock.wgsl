// Rosenbrock, twin of src/core/registry/surfaces/rosenbrock.ts (same f32 operation order).

fn surface_value(p: vec2f) -> f32 {
  let d1 = param(rosenbrock_a) - p.x;
  let d2 = p.y - p.x * p.x;
  return d1 * d1 + (param(rosenbrock_b) * d2) * d2;
}

fn surface_grad(p: vec2f) -> vec2f {
  let b = param(rosenbrock_b);
  let d1 = param(rosenbrock_a) - p.x;
  let d2 = p.y - p.x * p.x;
  return vec2f(-2.0 * d1 - ((4.0 * b) * p.x) * d2, (2.0 * b) * d2);
}

fn surface_hessian(p: vec2f) -> vec3f {
  let b = param(rosenbrock_b);
  let d2 = p.y - p.x * p.x;
  return vec3f((2.0 - (4.0 * b) * d2) + (8.0 * b) * (p.x * p.x), (-4.0 * b) * p.x, 2.0 * b);
}

fn surface_sample_grad(p: vec2f, run: u32, step: u32) -> vec2f {
  return surface_grad(p);
}
