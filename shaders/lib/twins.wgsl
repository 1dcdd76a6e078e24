// Elementwise pieces several optimisers (and the SWA average) share: the WGSL twins of `lerp` and
// `oneMinusPow` in src/core/registry/optimizers/common.ts and of the Schedule-Free pair's `pyPow`
// (SGDScheduleFree.ts), in the same operation order. Composed into every sweep kernel.

// ATen's lerp (aten/src/ATen/native/Lerp.h): the formula flips at |w| = 0.5 to keep the end
// point's precision. Both forms and a select, not a branch: w may differ per run (a swept beta,
// Schedule-Free's ckp1, SWA's 1/n).
fn aten_lerp(a: vec2f, b: vec2f, w: f32) -> vec2f {
  return select(b - (b - a) * (1.0 - w), a + w * (b - a), abs(w) < 0.5);
}

// 1 - b^t for integer t >= 1 (torch's bias corrections, which torch computes in Python float64) by
// binary exponentiation on s = 1 - b^n alone, so that no step cancels; see oneMinusPow.
fn one_minus_pow(b: f32, t: f32) -> f32 {
  var n = u32(t);
  var bs = 1.0 - b;
  var s = 0.0;
  loop {
    s = select(s, s + (1.0 - s) * bs, (n & 1u) != 0u);
    n = n >> 1u;
    if n == 0u {
      break;
    }
    bs = bs * (2.0 - bs);
  }
  return s;
}

// Python's b ** e for b >= 0: 1 for e = 0, 0 for b = 0 < e, +inf for b = 0 > e (Python raises);
// otherwise WGSL's pow, exp2(e * log2(b)), a few ulps from the TypeScript twin's Math.pow.
fn py_pow(b: f32, e: f32) -> f32 {
  // The default power, exactly as Python rounds b ** 2.0; a branch, not a select, so that the pow
  // is skipped (weight_lr_power is the same for every run unless swept).
  if (e == 2.0) {
    return b * b;
  }
  // +inf built from b's bits (0 here), so that it is a runtime value, not an unrepresentable constant.
  let inf = bitcast<f32>(0x7f800000u | (bitcast<u32>(b) & 0x7fffffffu));
  let at_zero = select(inf, 0.0, e > 0.0);
  return select(select(pow(b, e), at_zero, b == 0.0), 1.0, e == 0.0);
}
