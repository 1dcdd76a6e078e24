// Flat vs sharp minimum, twin of src/core/registry/surfaces/flat_sharp.ts (same f32 operation order).

fn flat_sharp_gauss(w: f32, d: vec2f) -> f32 {
  return exp(-((d.x * d.x + d.y * d.y) / (2.0 * (w * w))));
}

fn flat_sharp_d1(p: vec2f) -> vec2f {
  return p - vec2f(param(flat_sharp_wide_x), param(flat_sharp_wide_y));
}

fn flat_sharp_d2(p: vec2f) -> vec2f {
  return p - vec2f(param(flat_sharp_sharp_x), param(flat_sharp_sharp_y));
}

fn surface_value(p: vec2f) -> f32 {
  let e1 = flat_sharp_gauss(param(flat_sharp_wide_width), flat_sharp_d1(p));
  let e2 = flat_sharp_gauss(param(flat_sharp_sharp_width), flat_sharp_d2(p));
  let bowl = (0.5 * param(flat_sharp_bowl)) * (p.x * p.x + p.y * p.y);
  return (bowl - param(flat_sharp_wide_depth) * e1) - param(flat_sharp_sharp_depth) * e2;
}

fn surface_grad(p: vec2f) -> vec2f {
  let k = param(flat_sharp_bowl);
  let w1 = param(flat_sharp_wide_width);
  let d1 = flat_sharp_d1(p);
  let g1 = (param(flat_sharp_wide_depth) * flat_sharp_gauss(w1, d1)) / (w1 * w1);
  let w2 = param(flat_sharp_sharp_width);
  let d2 = flat_sharp_d2(p);
  let g2 = (param(flat_sharp_sharp_depth) * flat_sharp_gauss(w2, d2)) / (w2 * w2);
  return vec2f((k * p.x + g1 * d1.x) + g2 * d2.x, (k * p.y + g1 * d1.y) + g2 * d2.y);
}

fn surface_hessian(p: vec2f) -> vec3f {
  let k = param(flat_sharp_bowl);
  let w1 = param(flat_sharp_wide_width);
  let ww1 = w1 * w1;
  let d1 = flat_sharp_d1(p);
  let g1 = (param(flat_sharp_wide_depth) * flat_sharp_gauss(w1, d1)) / ww1;
  let h1 = g1 / ww1;
  let w2 = param(flat_sharp_sharp_width);
  let ww2 = w2 * w2;
  let d2 = flat_sharp_d2(p);
  let g2 = (param(flat_sharp_sharp_depth) * flat_sharp_gauss(w2, d2)) / ww2;
  let h2 = g2 / ww2;
  return vec3f(
    (k + (g1 - (h1 * d1.x) * d1.x)) + (g2 - (h2 * d2.x) * d2.x),
    -((h1 * d1.x) * d1.y) - (h2 * d2.x) * d2.y,
    (k + (g1 - (h1 * d1.y) * d1.y)) + (g2 - (h2 * d2.y) * d2.y),
  );
}

fn surface_sample_grad(p: vec2f, run: u32, step: u32) -> vec2f {
  return surface_grad(p);
}
