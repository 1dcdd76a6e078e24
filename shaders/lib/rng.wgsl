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

// Two standard normals (Box-Muller). Same op order as boxMuller() in src/core/rng.ts.
fn box_muller(a: u32, b: u32) -> vec2f {
  let u1 = unit_open0(a);
  let u2 = unit_open1(b);
  let rad = sqrt(-2.0 * log(u1));
  let theta = 6.2831855 * u2;
  return vec2f(rad * cos(theta), rad * sin(theta));
}
