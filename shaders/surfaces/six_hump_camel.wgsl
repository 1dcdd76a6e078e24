// Six-hump camel, twin of src/core/registry/surfaces/six_hump_camel.ts (same f32 operation order).
// 0.33333334 = f32(1/3).

fn surface_value(p: vec2f) -> f32 {
  let x2 = p.x * p.x;
  let y2 = p.y * p.y;
  let a = (4.0 - 2.1 * x2) + (x2 * x2) * 0.33333334;
  return (a * x2 + p.x * p.y) + (4.0 * y2 - 4.0) * y2;
}

fn surface_grad(p: vec2f) -> vec2f {
  let x2 = p.x * p.x;
  let x3 = x2 * p.x;
  let gx = ((8.0 * p.x - 8.4 * x3) + 2.0 * (x3 * x2)) + p.y;
  let gy = (p.x - 8.0 * p.y) + 16.0 * ((p.y * p.y) * p.y);
  return vec2f(gx, gy);
}

fn surface_hessian(p: vec2f) -> vec3f {
  let x2 = p.x * p.x;
  return vec3f((8.0 - 25.2 * x2) + 10.0 * (x2 * x2), 1.0, 48.0 * (p.y * p.y) - 8.0);
}

fn surface_sample_grad(p: vec2f, run: u32, step: u32) -> vec2f {
  return surface_grad(p);
}
