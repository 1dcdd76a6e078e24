/**
 * pcg4d (src/core/rng.ts, Jarzynski & Olano 2020) written with BigInt arithmetic mod 2^32: an
 * independent check of the Math.imul version and of what draws from it (tests/unit/sampling.test.ts,
 * tests/unit/minibatch-rows.test.ts). Shares no code with src/.
 */
export function pcg4dBig(a: number, b: number, c: number, d: number): number[] {
  const M = 0xffffffffn;
  let [x, y, z, w] = [a, b, c, d].map((v) => (BigInt(v) * 1664525n + 1013904223n) & M) as [bigint, bigint, bigint, bigint];
  const round = (): void => {
    x = (x + y * w) & M;
    y = (y + z * x) & M;
    z = (z + x * y) & M;
    w = (w + y * z) & M;
  };
  round();
  x ^= x >> 16n;
  y ^= y >> 16n;
  z ^= z >> 16n;
  w ^= w >> 16n;
  round();
  return [x, y, z, w].map(Number);
}
