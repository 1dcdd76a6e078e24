// sin(πt), cos(πt) for |t| <= 1/2 and the exact reduction x − nearest integer, for the surfaces
// with trigonometric terms (quadratic, rastrigin, ackley): twins of sinpi, cospi and wrapHalf in
// src/core/registry/surfaces/shared.ts (why polynomials and not WGSL's sin/cos: see there). The
// literals are the f32 values of SINPI_COEFFS and COSPI_COEFFS, highest degree first (checked by
// tests/unit/surfaces.test.ts).

fn wrap_half(x: f32) -> f32 {
  return x - round(x);
}

fn sinpi(t: f32) -> f32 {
  let t2 = t * t;
  var p = -1.05184715e-11;
  p = p * t2 + 5.3926646e-10;
  p = p * t2 - 2.2948429e-8;
  p = p * t2 + 7.952054e-7;
  p = p * t2 - 0.000021915353;
  p = p * t2 + 0.0004663028;
  p = p * t2 - 0.007370431;
  p = p * t2 + 0.082145885;
  p = p * t2 - 0.5992645;
  p = p * t2 + 2.550164;
  p = p * t2 - 5.1677127;
  p = p * t2 + 3.1415927;
  return p * t;
}

fn cospi(t: f32) -> f32 {
  let t2 = t * t;
  var p = -7.7007074e-11;
  p = p * t2 + 3.6047307e-9;
  p = p * t2 - 1.3878953e-7;
  p = p * t2 + 0.0000043030695;
  p = p * t2 - 0.00010463811;
  p = p * t2 + 0.0019295743;
  p = p * t2 - 0.02580689;
  p = p * t2 + 0.23533063;
  p = p * t2 - 1.3352628;
  p = p * t2 + 4.058712;
  p = p * t2 - 4.934802;
  p = p * t2 + 1.0;
  return p;
}
