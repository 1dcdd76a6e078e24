/**
 * Points of random-search and low-discrepancy sweeps. A run's point is a pure function of
 * (seed, run index, dimension), so any slice of a sweep (a worker's chunk, a GPU dispatch, a shard on
 * another machine) reproduces exactly the points of the whole.
 */
import { STREAM_SWEEP, pcg4d } from './rng.ts';

const TWO_NEG_32 = 2.3283064365386963e-10;
const words = new Uint32Array(4);

/** Uniform in [0, 1) for (seed, run, dim), dims 0..3 from one pcg4d call. */
export function randomUnit(seed: number, run: number, dim: number): number {
  pcg4d(seed, run, dim >>> 2, STREAM_SWEEP, words);
  return (words[dim & 3] as number) * TWO_NEG_32;
}

/**
 * Direction numbers of the first four Sobol dimensions (Joe & Kuo, new-joe-kuo-6.21201: dimension 1
 * is the van der Corput sequence; then s=1,a=0,m=[1]; s=2,a=1,m=[1,3]; s=3,a=1,m=[1,3,1]).
 */
const SOBOL_PARAMS: readonly { s: number; a: number; m: readonly number[] }[] = [
  { s: 0, a: 0, m: [] },
  { s: 1, a: 0, m: [1] },
  { s: 2, a: 1, m: [1, 3] },
  { s: 3, a: 1, m: [1, 3, 1] },
];

function directionNumbers(dim: number): Uint32Array {
  const v = new Uint32Array(32);
  const p = SOBOL_PARAMS[dim];
  if (!p) throw new Error(`Sobol dimension ${dim} is not tabulated`);
  if (p.s === 0) {
    for (let k = 0; k < 32; k++) v[k] = 2 ** (31 - k);
    return v;
  }
  const { s, a, m } = p;
  for (let k = 0; k < s; k++) v[k] = ((m[k] as number) * 2 ** (31 - k)) >>> 0;
  for (let k = s; k < 32; k++) {
    let x = (v[k - s] as number) ^ ((v[k - s] as number) >>> s);
    for (let j = 1; j < s; j++) {
      if ((a >>> (s - 1 - j)) & 1) x ^= v[k - j] as number;
    }
    v[k] = x >>> 0;
  }
  return v;
}

const DIRECTIONS = SOBOL_PARAMS.map((_, d) => directionNumbers(d));

/**
 * Sobol point `run` (natural order, not Gray-code order: the same set of points in every block of
 * 2^m) in dimension `dim`, randomised by a digital shift drawn from the seed so that different seeds
 * give independent replicates and the first point is not the corner.
 */
export function sobolUnit(seed: number, run: number, dim: number): number {
  const v = DIRECTIONS[dim];
  if (!v) throw new Error(`Sobol dimension ${dim} is not tabulated`);
  let x = 0;
  let i = run;
  for (let k = 0; i !== 0 && k < 32; k++, i = Math.floor(i / 2)) {
    if (i % 2 === 1) x ^= v[k] as number;
  }
  pcg4d(seed, 0, 0, STREAM_SWEEP + 1, words);
  const shift = words[dim & 3] as number;
  return ((x ^ shift) >>> 0) * TWO_NEG_32;
}

/** Maps a unit value to [min, max] on a linear or log scale (u = 1 only reached by grids). */
export function scaleUnit(u: number, min: number, max: number, scale: 'linear' | 'log'): number {
  // In log10 and back, as numpy's logspace, and a whole decade as its literal: exact at decades (1e-2
  // ... 1e6 gave 999.9999999999989 for 1000 through exp and log: review 18), so a run labelled
  // lr = 1000 runs torch's lr=1000. V8's `10 ** k` is not correctly rounded (10 ** -5 is
  // 9.999999999999999e-6); the literal `1e-5` is. Only an exactly whole log10 is a decade: a deep
  // zoom's neighbouring values, a few ulps apart, are never pulled onto one.
  if (scale === 'log') {
    const v = Math.log10(min) + u * (Math.log10(max) - Math.log10(min));
    return Number.isInteger(v) ? Number(`1e${v}`) : 10 ** v;
  }
  return min + u * (max - min);
}

/** Grid axis values: `count` points from min to max inclusive, endpoints exact. */
export function axisValues(min: number, max: number, count: number, scale: 'linear' | 'log', int: boolean): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const v = i === 0 ? min : i === count - 1 ? max : scaleUnit(i / (count - 1), min, max, scale);
    out[i] = int ? Math.round(v) : v;
  }
  return out;
}

/**
 * The most grid points, up to `count`, an integer axis (a batch size) has without repeating a value:
 * 32 log-spaced points over 1 ... 120 round to 1, 1, 1, 2, 2, 2, 3, ..., and the repeated columns,
 * whose runs differ only in their seeds, look like structure.
 */
export function distinctIntCount(min: number, max: number, scale: 'linear' | 'log', count: number): number {
  // No more points than there are integers in the range (one: a single cell).
  const integers = Math.floor(max) - Math.ceil(min) + 1;
  if (integers <= 1) return 1;
  // On a log axis the first gap is the smallest: below half an integer, the second point rounds to
  // the first. So no count past the one whose first gap is 1/2 can be distinct, and the search starts
  // there (review 13: counting down from 16,384 built 16,384 arrays, 7 s for one spec).
  const logBound = scale === 'log' && min > 0 ? Math.floor(Math.log(max / min) / Math.log1p(0.5 / min)) + 1 : Number.POSITIVE_INFINITY;
  for (let c = Math.max(2, Math.min(Math.floor(count), integers, logBound)); c > 2; c--) {
    const v = axisValues(min, max, c, scale, true);
    if (v.every((x, i) => i === 0 || x !== v[i - 1])) return c;
  }
  return Math.min(2, Math.max(1, Math.floor(count)));
}
