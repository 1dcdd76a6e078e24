// Counter-based random numbers: the twin of src/core/rng.ts, bit for bit on the u32 words.
// pcg4d (Jarzynski & Olano, JCGT 2020): (seed, run, step, stream) -> four u32 words.

const STREAM_GRADIENT_NOISE: u32 = 0u;
const STREAM_MINIBATCH: u32 = 1u;
const TWO_NEG_24: f32 = 5.9604644775390625e-8;

fn pcg4d(v_in: vec4u) -> vec4u {
  var v = v_in * 1664525u + 1013904223u;
  v.x += v.y * v.w;
  v.y += v.z * v.x;
  v.z += v.x * v.y;
  v.w += v.y * v.z;
  v ^= v >> vec4u(16u);
  v.x += v.y * v.w;
  v.y += v.z * v.x;
  v.z += v.x * v.y;
  v.w += v.y * v.z;
  return v;
}

// Uniform in (0, 1] from the top 24 bits: exact in f32.
fn unit_open0(w: u32) -> f32 {
  return f32((w >> 8u) + 1u) * TWO_NEG_24;
}

// Uniform in [0, 1) from the top 24 bits: exact in f32.
fn unit_open1(w: u32) -> f32 {
  return f32(w >> 8u) * TWO_NEG_24;
}

// log and sincos from +, *, floor and bitcasts only, in the same order as src/core/rng.ts: the
// built-ins are not correctly rounded in WGSL (SwiftShader's cos is off by ~2e-4), these agree with
// the CPU twin bit for bit. Coefficients: near-minimax fits, ~1 ulp absolute error in f32.

// Natural log of u in (0, 1].
fn log_unit(u: f32) -> f32 {
  let bits = bitcast<u32>(u);
  var e = i32(bits >> 23u) - 127;
  var m = bitcast<f32>((bits & 0x7fffffu) | 0x3f800000u);
  if (m > 1.4142135) {
    m = m * 0.5;
    e = e + 1;
  }
  let t = m - 1.0;
  var p = -0.08064553141593933;
  p = p * t + 0.1291782110929489;
  p = p * t + -0.13072569668293;
  p = p * t + 0.14173462986946106;
  p = p * t + -0.16628919541835785;
  p = p * t + 0.20002694427967072;
  p = p * t + -0.2500075101852417;
  p = p * t + 0.3333331346511841;
  p = p * t + -0.4999999701976776;
  return f32(e) * 0.6931471805599453 + (t + (t * t) * p);
}

// (cos, sin) of 2*pi*u for u in [0, 1): quadrant from floor(4u), exact in f32.
fn sincos_2pi(u: f32) -> vec2f {
  let v = u * 4.0;
  let q = floor(v);
  let f = v - q;
  let z = f * f;
  var s = 0.00015167852689046413;
  s = s * z + -0.004674157593399286;
  s = s * z + 0.07968992739915848;
  s = s * z + -0.6459637880325317;
  s = s * z + 1.5707963705062866;
  s = f * s;
  var c = -2.3824917661841027e-05;
  c = c * z + 0.0009177248575724661;
  c = c * z + -0.02086268924176693;
  c = c * z + 0.2536693215370178;
  c = c * z + -1.2337005138397217;
  c = c * z + 1.0;
  let quadrant = u32(q);
  if (quadrant == 0u) { return vec2f(c, s); }
  if (quadrant == 1u) { return vec2f(-s, c); }
  if (quadrant == 2u) { return vec2f(-c, -s); }
  return vec2f(s, -c);
}

// Two standard normals (Box-Muller). Same op order as boxMuller() in src/core/rng.ts.
fn box_muller(a: u32, b: u32) -> vec2f {
  let rad = sqrt(-2.0 * log_unit(unit_open0(a)));
  let cs = sincos_2pi(unit_open1(b));
  return vec2f(rad * cs.x, rad * cs.y);
}
