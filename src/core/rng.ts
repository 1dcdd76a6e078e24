/**
 * Counter-based random numbers, bit-identical to `shaders/rng.wgsl`.
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

const TWO_NEG_24 = 5.9604644775390625e-8; // 2^-24, exact in f32

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

/**
 * Box–Muller: two independent standard normals from two words. The uniforms are bit-identical
 * across engines; log/sqrt/cos/sin are not correctly rounded in WGSL, so the normals agree to a
 * few ulps, not bit for bit (see docs/validation.md).
 */
export function boxMuller(r: (x: number) => number, a: number, b: number, out: Float64Array): void {
  const u1 = unitOpen0(a);
  const u2 = unitOpen1(b);
  const rad = r(Math.sqrt(r(-2 * r(Math.log(u1)))));
  const theta = r(r(2 * Math.PI) * u2);
  out[0] = r(rad * r(Math.cos(theta)));
  out[1] = r(rad * r(Math.sin(theta)));
}
