// Ackley, twin of src/core/registry/surfaces/ackley.ts (same f32 operation order; the cone-tip
// conventions at the origin are documented there).
// Literals: 0.15915494 = f32(1/(2π)), 2.7182817 = f32(e).
// sinpi, cospi, wrap_half: shaders/lib/trig.wgsl, the twins of shared.ts.

// (cos cx, sin cx) for one coordinate x, through the reduced turns t = x·c/(2π) − round(…).
fn ackley_trig(c: f32, x: f32) -> vec2f {
  let t = wrap_half((c * 0.15915494) * x);
  let s = sinpi(t);
  return vec2f(1.0 - 2.0 * (s * s), (2.0 * s) * cospi(t));
}

fn surface_value(p: vec2f) -> f32 {
  let a = param(ackley_a);
  let b = param(ackley_b);
  let c = param(ackley_c);
  let rho = sqrt((p.x * p.x + p.y * p.y) * 0.5);
  let e1 = exp(-(b * rho));
  let e2 = exp((ackley_trig(c, p.x).x + ackley_trig(c, p.y).x) * 0.5);
  return a * (1.0 - e1) + (2.7182817 - e2);
}

fn surface_grad(p: vec2f) -> vec2f {
  let a = param(ackley_a);
  let b = param(ackley_b);
  let c = param(ackley_c);
  let rho = sqrt((p.x * p.x + p.y * p.y) * 0.5);
  let e1 = exp(-(b * rho));
  var kc = 0.0;
  if (rho > 0.0) {
    kc = ((a * b) * e1) / (2.0 * rho);
  }
  let tx = ackley_trig(c, p.x);
  let ty = ackley_trig(c, p.y);
  let e2 = exp((tx.x + ty.x) * 0.5);
  let eh = (c * 0.5) * e2;
  return vec2f(kc * p.x + eh * tx.y, kc * p.y + eh * ty.y);
}

fn surface_hessian(p: vec2f) -> vec3f {
  let a = param(ackley_a);
  let b = param(ackley_b);
  let c = param(ackley_c);
  let s = p.x * p.x + p.y * p.y;
  let rho = sqrt(s * 0.5);
  let e1 = exp(-(b * rho));
  var hxx = 0.0;
  var hxy = 0.0;
  var hyy = 0.0;
  if (rho > 0.0) {
    let kc = ((a * b) * e1) / (2.0 * rho);
    let kr = kc * (1.0 + b * rho);
    hxx = kc - kr * ((p.x * p.x) / s);
    hxy = -(kr * ((p.x * p.y) / s));
    hyy = kc - kr * ((p.y * p.y) / s);
  }
  let tx = ackley_trig(c, p.x);
  let ty = ackley_trig(c, p.y);
  let e2 = exp((tx.x + ty.x) * 0.5);
  let h = c * 0.5;
  let eh = h * e2;
  return vec3f(
    hxx + eh * (c * tx.x - h * (tx.y * tx.y)),
    hxy - (eh * h) * (tx.y * ty.y),
    hyy + eh * (c * ty.x - h * (ty.y * ty.y)),
  );
}

fn surface_sample_grad(p: vec2f, run: u32, step: u32) -> vec2f {
  return surface_grad(p);
}
