// Styblinski–Tang, twin of src/core/registry/surfaces/styblinski_tang.ts (same f32 operation order).

fn styblinski_tang_term(x: f32) -> f32 {
  let x2 = x * x;
  return (x2 * x2 - 16.0 * x2) + 5.0 * x;
}

fn surface_value(p: vec2f) -> f32 {
  return 0.5 * (styblinski_tang_term(p.x) + styblinski_tang_term(p.y));
}

fn surface_grad(p: vec2f) -> vec2f {
  let gx = (2.0 * ((p.x * p.x) * p.x) - 16.0 * p.x) + 2.5;
  let gy = (2.0 * ((p.y * p.y) * p.y) - 16.0 * p.y) + 2.5;
  return vec2f(gx, gy);
}

fn surface_hessian(p: vec2f) -> vec3f {
  return vec3f(6.0 * (p.x * p.x) - 16.0, 0.0, 6.0 * (p.y * p.y) - 16.0);
}

fn surface_sample_grad(p: vec2f, run: u32, step: u32) -> vec2f {
  return surface_grad(p);
}
