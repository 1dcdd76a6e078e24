/**
 * Counter-based random numbers, bit-identical to `shaders/lib/rng.wgsl`.
 *
 * Every random draw is a pure function of (seed, run, step, stream): no generator state is carried
 * between steps, so a run's noise does not depend on how the sweep is chunked across dispatches,
 * workers or machines. The mixing function is pcg4d (Jarzynski & Olano, "Hash Functions for GPU
 * Rendering", JCGT 9(3), 2020), which passes BigCrush on linearly increasing inputs and costs ~20
 * integer operations for four 32-bit outputs.
 *
 * Only wrapping 32-bit multiply/add, xor and shifts are used, so `Math.imul` and `>>> 0` reproduce
 * WGSL's u32 arithmetic exactly.
 */

/** Writes pcg4d(x, y, z, w) into out[0..3]. */
export function pcg4d(x: number, y: number, z: number, w: number, out: Uint32Array): void {
  x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
  y = (Math.imul(y, 1664525) + 1013904223) >>> 0;
  z = (Math.imul(z, 1664525) + 1013904223) >>> 0;
  w = (Math.imul(w, 1664525) + 1013904223) >>> 0;
  x = (x + Math.imul(y, w)) >>> 0;
  y = (y + Math.imul(z, x)) >>> 0;
  z = (z + Math.imul(x, y)) >>> 0;
  w = (w + Math.imul(y, z)) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  y = (y ^ (y >>> 16)) >>> 0;
  z = (z ^ (z >>> 16)) >>> 0;
  w = (w ^ (w >>> 16)) >>> 0;
  x = (x + Math.imul(y, w)) >>> 0;
  y = (y + Math.imul(z, x)) >>> 0;
  z = (z + Math.imul(x, y)) >>> 0;
  w = (w + Math.imul(y, z)) >>> 0;
  out[0] = x;
  out[1] = y;
  out[2] = z;
  out[3] = w;
}

/** Streams keep independent uses of the generator apart for the same (seed, run, step). */
export const STREAM_GRADIENT_NOISE = 0;
/** Minibatch sample b of a step uses stream STREAM_MINIBATCH + (b >> 2), word b & 3. */
export const STREAM_MINIBATCH = 1;
/** Sweep sampling (random search): point `run`, dimension d uses step = d >> 2, word d & 3. */
export const STREAM_SWEEP = 0x5eed;
/** Data sets generated for data-backed surfaces. */
export const STREAM_DATA = 0xda7a;
/** A network's initial weights (and, +1, the start vector of its sharpness iteration). */
export const STREAM_INIT = 0x1417;

/** A uniform in [0, 1) with 53 random bits from two words: float64 draws (weights, not twins). */
export function unit53(a: number, b: number): number {
  return ((a >>> 5) * 67108864 + (b >>> 6)) / 9007199254740992;
}

export const TWO_NEG_24 = 5.9604644775390625e-8; // 2^-24, exact in f32

/**
 * A uniform in (0, 1] from the top 24 bits of a word: exact in f32 (24-bit mantissa), so the CPU
 * float32 twin and the shader produce the same value bit for bit.
 */
export function unitOpen0(word: number): number {
  return ((word >>> 8) + 1) * TWO_NEG_24;
}

/** A uniform in [0, 1) from the top 24 bits of a word, exact in f32. */
export function unitOpen1(word: number): number {
  return (word >>> 8) * TWO_NEG_24;
}

/** One float32 and its bits: the bitcast of log_unit() (exported, like every name the twins read). */
export const f32Cell = new Float32Array(1);
export const u32Cell = new Uint32Array(f32Cell.buffer);

/** Near-minimax coefficients (fitted in float64, stored as f32), highest degree first. */
export const LOG1P_P = [
  -0.08064553141593933, 0.1291782110929489, -0.13072569668293, 0.14173462986946106, -0.16628919541835785,
  0.20002694427967072, -0.2500075101852417, 0.3333331346511841, -0.4999999701976776,
].map(Math.fround);
export const SIN_P = [0.00015167852689046413, -0.004674157593399286, 0.07968992739915848, -0.6459637880325317, 1.5707963705062866].map(
  Math.fround,
);
export const COS_P = [
  -2.3824917661841027e-5, 0.0009177248575724661, -0.02086268924176693, 0.2536693215370178, -1.2337005138397217, 1.0,
].map(Math.fround);
export const SQRT2_F32 = Math.fround(1.4142135);
export const LN2_F32 = Math.fround(0.6931471805599453);

/**
 * Natural log of u in (0, 1] from +, * and bit manipulation only, op for op like log_unit() in
 * shaders/lib/rng.wgsl, so that the two agree bit for bit (WGSL's built-in log is not correctly
 * rounded). Absolute error ~1 f32 ulp.
 */
export function logUnit(r: (x: number) => number, u: number): number {
  f32Cell[0] = u;
  const bits = u32Cell[0] as number;
  let e = (bits >>> 23) - 127;
  u32Cell[0] = (bits & 0x7fffff) | 0x3f800000;
  let m = f32Cell[0] as number;
  if (m > SQRT2_F32) {
    m = m * 0.5;
    e = e + 1;
  }
  const t = r(m - 1);
  let p = LOG1P_P[0] as number;
  for (let i = 1; i < LOG1P_P.length; i++) p = r(r(p * t) + (LOG1P_P[i] as number));
  return r(r(e * LN2_F32) + r(t + r(r(t * t) * p)));
}

/** (cos, sin) of 2πu for u in [0, 1), op for op like sincos_2pi() in shaders/lib/rng.wgsl. */
export function sincos2pi(r: (x: number) => number, u: number, out: Float64Array): void {
  const v = r(u * 4);
  const q = Math.floor(v);
  const f = r(v - q);
  const z = r(f * f);
  let s = SIN_P[0] as number;
  for (let i = 1; i < SIN_P.length; i++) s = r(r(s * z) + (SIN_P[i] as number));
  s = r(f * s);
  let c = COS_P[0] as number;
  for (let i = 1; i < COS_P.length; i++) c = r(r(c * z) + (COS_P[i] as number));
  out[0] = q === 0 ? c : q === 1 ? -s : q === 2 ? -c : s;
  out[1] = q === 0 ? s : q === 1 ? c : q === 2 ? -s : -c;
}

/** sincos2pi's output for boxMuller. */
export const cs = new Float64Array(2);

/**
 * Box–Muller: two independent standard normals from two words. Built from logUnit and sincos2pi
 * so that the float32 CPU twin and the shader draw the same normals bit for bit.
 */
export function boxMuller(r: (x: number) => number, a: number, b: number, out: Float64Array): void {
  const rad = r(Math.sqrt(r(-2 * logUnit(r, unitOpen0(a)))));
  sincos2pi(r, unitOpen1(b), cs);
  out[0] = r(rad * (cs[0] as number));
  out[1] = r(rad * (cs[1] as number));
}
