/**
 * Random draws of the data sets, all from core/rng.ts's counter generator: draw `lane` of row `row`
 * for use `use` is a pure function of (seed, use, row, lane), so a data set is the same whatever
 * order it is built in, in Node and in browsers alike.
 *
 * Counter layout: pcg4d(seed, row, (use << 16) | block, STREAM_DATA). Every use (one purpose of
 * one data set, e.g. the fractal set's train inputs) has its own `use` constant below, so no two
 * uses ever share a word; `block` counts the pcg4d calls of a row (four words each), so a row has up
 * to 2^16 blocks (2^17 uniforms or 2^18 normals).
 */
import { cospi, f64, roundHalfEven, sinpi } from '../registry/surfaces/shared.ts';
// Data sets draw 53-bit uniforms (rng.ts unit53), not the 24-bit ones of the float32 twins.
import { STREAM_DATA, boxMuller, pcg4d, unit53 } from '../rng.ts';

/** Every use of the generator by a data set, each its own counter. */
export const USE = {
  fractalTrainX: 1,
  fractalTrainY: 2,
  fractalTestX: 3,
  fractalTestY: 4,
  /** TensorFlow Playground sets: the draws of generated sample i (row i). */
  playgroundPoint: 5,
  /** TensorFlow Playground sets: the k-th draw of playground's shuffle (row k). */
  playgroundShuffle: 6,
  regressionTrain: 7,
  regressionTest: 8,
  /** Real data sets: the stratified selection, class c in lane c, step i of its shuffle in row i. */
  irisSelect: 9,
  irisTrainOrder: 10,
  irisTestOrder: 11,
  digitsSelect: 12,
  digitsTrainOrder: 13,
  digitsTestOrder: 14,
} as const;

const MAX_BLOCK = 0xffff;
const words = new Uint32Array(4);
const pair = new Float64Array(2);

/** A data seed must be a u32 (pcg4d's first word): anything else would be silently wrapped. */
export function checkSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new Error(`data seed must be an integer in [0, 4294967295], got ${seed}`);
  }
}

function block(seed: number, use: number, row: number, b: number): void {
  if (b > MAX_BLOCK) throw new Error(`data draw: block ${b} of a row is beyond the counter's 16 bits`);
  pcg4d(seed, row, ((use << 16) | b) >>> 0, STREAM_DATA, words);
}

/** out[offset + k] = uniform lane k of (use, row), k < count: block k >> 1, words 2(k & 1), 2(k & 1) + 1. */
export function uniforms(seed: number, use: number, row: number, out: Float64Array, offset = 0, count = out.length - offset): void {
  for (let k = 0; k < count; k += 2) {
    block(seed, use, row, k >> 1);
    out[offset + k] = unit53(words[0]!, words[1]!);
    if (k + 1 < count) out[offset + k + 1] = unit53(words[2]!, words[3]!);
  }
}

/** Uniform lane `lane` of (use, row): the same number `uniforms` puts there. */
export function uniform(seed: number, use: number, row: number, lane = 0): number {
  block(seed, use, row, lane >> 1);
  return (lane & 1) === 0 ? unit53(words[0]!, words[1]!) : unit53(words[2]!, words[3]!);
}

/**
 * out[offset + k] = standard normal lane k of (use, row), k < count: block k >> 2 gives four, by
 * rng.ts's Box–Muller (float64: identity rounding) on words (0, 1) and (2, 3). Box–Muller there is
 * built from + and × only (its log and sincos are polynomials), so it is the same in every engine.
 */
export function normals(seed: number, use: number, row: number, out: Float64Array, offset = 0, count = out.length - offset): void {
  for (let k = 0; k < count; k += 4) {
    block(seed, use, row, k >> 2);
    boxMuller(f64, words[0]!, words[1]!, pair);
    out[offset + k] = pair[0]!;
    if (k + 1 < count) out[offset + k + 1] = pair[1]!;
    if (k + 2 < count) {
      boxMuller(f64, words[2]!, words[3]!, pair);
      out[offset + k + 2] = pair[0]!;
      if (k + 3 < count) out[offset + k + 3] = pair[1]!;
    }
  }
}

/** floor(u·m) for a uniform u in [0, 1): below m for every m < 2^53 (u <= 1 − 2^-53 rounds down). */
export function below(u: number, m: number): number {
  return Math.floor(u * m);
}

/**
 * Fisher–Yates from the front, stopped after k steps: items[0..k) is then a uniformly random
 * k-subset in random order. Step i swaps items[i] with items[i + floor(u·(n − i))], u = uniform
 * lane `lane` of (use, row i). The first j < k entries do not depend on k (a larger test split never
 * changes the train split drawn before it). k = n shuffles the whole array.
 */
export function partialShuffle(items: Int32Array, k: number, seed: number, use: number, lane: number): void {
  const n = items.length;
  for (let i = 0; i < Math.min(k, n - 1); i++) {
    const j = i + below(uniform(seed, use, i, lane), n - i);
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
}

/**
 * out = [sin(πt), cos(πt)] for any finite t: the surfaces' float64 polynomials (|error| < 3e-16)
 * after an exact reduction to t − k, |t − k| <= 1/2. Used instead of Math.sin/Math.cos, whose last
 * bits ECMAScript leaves to each engine (a data set must be the same in every browser).
 */
export function sincospi(t: number, out: Float64Array): void {
  const k = roundHalfEven(t);
  const f = t - k; // exact (see wrapHalf in ../registry/surfaces/shared.ts)
  const sign = Math.abs(k) % 2 === 0 ? 1 : -1;
  out[0] = sign * sinpi(f64, f);
  out[1] = sign * cospi(f64, f);
}
