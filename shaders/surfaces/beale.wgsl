// Beale, twin of src/core/registry/surfaces/beale.ts (same f32 operation order).

fn surface_value(p: vec2f) -> f32 {
  let x = p.x;
  let y = p.y;
  let y2 = y * y;
  let t1 = (1.5 - x) + x * y;
  let t2 = (2.25 - x) + x * y2;
  let t3 = (2.625 - x) + x * (y2 * y);
  return (t1 * t1 + t2 * t2) + t3 * t3;
}

fn surface_grad(p: vec2f) -> vec2f {
  let x = p.x;
  let y = p.y;
  let y2 = y * y;
  let y3 = y2 * y;
  let xy = x * y;
  let t1 = (1.5 - x) + xy;
  let t2 = (2.25 - x) + x * y2;
  let t3 = (2.625 - x) + x * y3;
  let gx = 2.0 * ((t1 * (y - 1.0) + t2 * (y2 - 1.0)) + t3 * (y3 - 1.0));
  let gy = 2.0 * ((t1 * x + t2 * (2.0 * xy)) + t3 * (3.0 * (x * y2)));
  return vec2f(gx, gy);
}

fn surface_hessian(p: vec2f) -> vec3f {
  let x = p.x;
  let y = p.y;
  let y2 = y * y;
  let y3 = y2 * y;
  let xy = x * y;
  let xy2 = x * y2;
  let t1 = (1.5 - x) + xy;
  let t2 = (2.25 - x) + xy2;
  let t3 = (2.625 - x) + x * y3;
  let a1 = y - 1.0;
  let a2 = y2 - 1.0;
  let a3 = y3 - 1.0;
  let b2 = 2.0 * xy;
  let b3 = 3.0 * xy2;
  let hxx = 2.0 * ((a1 * a1 + a2 * a2) + a3 * a3);
  let m1 = a1 * x + t1;
  let m2 = a2 * b2 + t2 * (2.0 * y);
  let m3 = a3 * b3 + t3 * (3.0 * y2);
  let hxy = 2.0 * ((m1 + m2) + m3);
  let s1 = (x * x + b2 * b2) + b3 * b3;
  let s2 = t2 * (2.0 * x) + t3 * (6.0 * xy);
  return vec3f(hxx, hxy, 2.0 * (s1 + s2));
}

fn surface_sample_grad(p: vec2f, run: u32, step: u32) -> vec2f {
  return surface_grad(p);
}
