// Saddle, twin of src/core/registry/surfaces/saddle.ts (same f32 operation order).

fn surface_value(p: vec2f) -> f32 {
  let y2 = p.y * p.y;
  return (0.5 * (p.x * p.x) - 0.5 * y2) + 0.25 * (y2 * y2);
}

fn surface_grad(p: vec2f) -> vec2f {
  return vec2f(p.x, (p.y * p.y) * p.y - p.y);
}

fn surface_hessian(p: vec2f) -> vec3f {
  return vec3f(1.0, 0.0, 3.0 * (p.y * p.y) - 1.0);
}

fn surface_sample_grad(p: vec2f, run: u32, step: u32) -> vec2f {
  return surface_grad(p);
}
