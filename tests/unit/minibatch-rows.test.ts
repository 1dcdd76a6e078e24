/**
 * The network minibatch sampler (minibatchRows, src/engine/cpu/network.ts) on its own: the torch
 * oracle is fed its rows and the WGSL twin is checked against it bit for bit, so until this file a
 * sampler that never drew the last row, or drew four identical rows per generator call, in both
 * twins, passed everything (review 25, F3). Here: known answers from the BigInt pcg4d
 * (tests/oracles/pcg4d.ts), every row drawn and the counts uniform to 5 sigma, and the lanes of one
 * call independent of each other and of the next call's.
 */
import { describe, expect, it } from 'vitest';
import { minibatchRows } from '../../src/engine/cpu/network.ts';
import { pcg4dBig } from '../oracles/pcg4d.ts';

/**
 * Row b of step k of run `run`, as the sampler's contract states it (its doc comment, and
 * src/core/rng.ts): word b & 3 of pcg4d(seed, run, k, STREAM_MINIBATCH + (b >> 2)) modulo n, with
 * STREAM_MINIBATCH = 1 written out here (it is part of what the shader and saved results depend on).
 */
function expectedRows(seed: number, run: number, k: number, batch: number, n: number): number[] {
  return Array.from({ length: batch }, (_, b) => (pcg4dBig(seed, run, k, 1 + (b >> 2))[b & 3] as number) % n);
}

/** Every batch of runs 0..runs-1, steps 0..steps-1, one after another. */
function* batches(seed: number, runs: number, steps: number, batch: number, n: number): Generator<Int32Array> {
  const out = new Int32Array(batch);
  for (let run = 0; run < runs; run++) {
    for (let k = 0; k < steps; k++) {
      minibatchRows(seed, run, k, batch, n, out);
      yield out;
    }
  }
}

describe('minibatchRows', () => {
  it('draws the rows the BigInt pcg4d gives, for a few (seed, run, step) and batch sizes', () => {
    const cases: [seed: number, run: number, k: number, batch: number, n: number][] = [
      [0, 0, 0, 1, 150],
      [0, 0, 0, 9, 150],
      [7, 3, 11, 16, 120],
      [0x5eed, 4095, 999, 10, 37],
      [0xffffffff, 65535, 1_000_000, 13, 60000],
      [12345, 1048575, 5, 4, 2],
      [3, 1, 2, 6, 1],
    ];
    for (const [seed, run, k, batch, n] of cases) {
      // One longer than the batch, filled with -1: nothing past the batch is written.
      const out = new Int32Array(batch + 1).fill(-1);
      minibatchRows(seed, run, k, batch, n, out);
      const label = `seed ${seed} run ${run} step ${k} batch ${batch} n ${n}`;
      expect(Array.from(out.subarray(0, batch)), label).toEqual(expectedRows(seed, run, k, batch, n));
      expect(out[batch], label).toBe(-1);
    }
    // A literal anchor, so that the sampler and the BigInt port cannot move together unseen:
    // pcg4d(0, 0, 0, 1) = [2376007650, 2821977052, 2185671090, 1487627856] and pcg4d(0, 0, 0, 2) =
    // [3430664116, 3331448432, 1050311844, 3749002306] (worked with Python integers mod 2^32, a
    // third implementation); mod 150 these are [0, 52, 90, 6] and [16, 32, 144, 106].
    const first = new Int32Array(8);
    minibatchRows(0, 0, 0, 8, 150, first);
    expect(Array.from(first)).toEqual([0, 52, 90, 6, 16, 32, 144, 106]);
  });

  it('draws every training row, each as often as uniform sampling would to 5 sigma', () => {
    // 64 runs x 200 steps x 10 rows (two full generator calls and half of a third) = 128,000
    // draws from n = 37 rows: each row's count is Binomial(N, 1/n), mean N/n ~ 3459, sigma =
    // sqrt(N (1/n)(1 - 1/n)) ~ 58; Pearson's chi-square over the n rows has n - 1 = 36 degrees of
    // freedom, mean 36 and sd sqrt(72) ~ 8.5.
    const n = 37;
    const batch = 10;
    const counts = new Float64Array(n);
    let N = 0;
    const outside: number[] = [];
    for (const rows of batches(20260, 64, 200, batch, n)) {
      for (const r of rows) {
        if (r >= 0 && r < n) counts[r] = (counts[r] as number) + 1;
        else outside.push(r);
        N++;
      }
    }
    expect(outside).toEqual([]);
    expect(N).toBe(128_000);
    const mean = N / n;
    const sigma = Math.sqrt(N * (1 / n) * (1 - 1 / n));
    let chi2 = 0;
    counts.forEach((c, row) => {
      expect(c, `row ${row} never drawn`).toBeGreaterThan(0);
      expect(Math.abs(c - mean), `row ${row}: ${c} draws, ${mean.toFixed(0)} expected`).toBeLessThan(5 * sigma);
      chi2 += ((c - mean) * (c - mean)) / mean;
    });
    const df = n - 1;
    expect(chi2, `chi-square ${chi2.toFixed(1)} on ${df} degrees of freedom`).toBeLessThan(df + 5 * Math.sqrt(2 * df));
  });

  it('the four lanes of one generator call, and consecutive calls, draw independent rows', () => {
    // Independent uniform rows from n = 37 are equal with probability p = 1/n. Within a call of four
    // lanes there are 6 pairs; a batch of 10 has two full calls and a third with lanes 0, 1 (one
    // pair): 13 same-call pairs per batch. Across calls, row b against row b + 4: 6 pairs per batch.
    // Over 64 x 200 batches the count of equal pairs has mean P/n and, treating the pairs as
    // independent, sd sqrt(P p (1 - p)); four identical lanes (one word for the whole call), or
    // the same call repeated for every four rows, put it near P instead.
    const n = 37;
    const p = 1 / n;
    let samePairs = 0;
    let sameEqual = 0;
    let nextPairs = 0;
    let nextEqual = 0;
    let allFour = 0;
    for (const rows of batches(99, 64, 200, 10, n)) {
      for (let b = 0; b < rows.length; b++) {
        for (let c = b + 1; c < rows.length; c++) {
          if (b >> 2 === c >> 2) {
            samePairs++;
            if (rows[b] === rows[c]) sameEqual++;
          } else if (c === b + 4) {
            nextPairs++;
            if (rows[b] === rows[c]) nextEqual++;
          }
        }
      }
      for (const g of [0, 4]) if (rows[g] === rows[g + 1] && rows[g] === rows[g + 2] && rows[g] === rows[g + 3]) allFour++;
    }
    expect([samePairs, nextPairs]).toEqual([13 * 12_800, 6 * 12_800]);
    const within = (equal: number, pairs: number, what: string): void => {
      const sd = Math.sqrt(pairs * p * (1 - p));
      expect(Math.abs(equal - pairs * p), `${what}: ${equal} of ${pairs} pairs equal, ${(pairs * p).toFixed(0)} expected`).toBeLessThan(5 * sd);
    };
    within(sameEqual, samePairs, 'lanes of one call');
    within(nextEqual, nextPairs, 'row b and row b + 4');
    // Four equal lanes by chance: 25,600 calls x n^-3 ~ 0.5 expected; a handful at most.
    expect(allFour).toBeLessThan(6);
  });

  it('gives every run and every step its own rows', () => {
    // Two batches of 16 from n = 1000 rows agree in all 16 places with probability 1000^-16: a
    // sampler that ignored its run or its step would repeat them exactly.
    const n = 1000;
    const draw = (run: number, k: number): number[] => {
      const out = new Int32Array(16);
      minibatchRows(5, run, k, 16, n, out);
      return Array.from(out);
    };
    const seen = new Set<string>();
    for (let run = 0; run < 8; run++) for (let k = 0; k < 8; k++) seen.add(draw(run, k).join(','));
    expect(seen.size).toBe(64);
    // And the seed.
    const other = new Int32Array(16);
    minibatchRows(6, 0, 0, 16, n, other);
    expect(Array.from(other)).not.toEqual(draw(0, 0));
  });
});
