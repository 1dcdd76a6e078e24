/**
 * basinlab's tanh, the one every CPU network pass uses (float64; the float32 twin rounds it:
 * fround(tanh64(x))), as core has its own erf: ECMAScript leaves Math.tanh's accuracy to the
 * engine (V8 runs fdlibm, others their C library), so a pass on Math.tanh could differ in its last
 * bits between browsers; this function is the same sequence of IEEE operations everywhere, which
 * the WebAssembly pass (engine/cpu/net-wasm.ts tanhGroup) repeats lane by lane, bit for bit.
 *
 * The formula: tanh|x| = (e - 1)/(e + 1) with e = exp(2|x|) = 2^k (Q + P)/(Q - P), Cephes' exp (its
 * Pade form of exp(r), P = r P'(r^2) and Q = Q'(r^2), for r = 2|x| - k ln 2 by a two-constant
 * reduction, |r| <= ln2/2), and exp's division folded into tanh's:
 *     tanh|x| = ((2^k - 1) Q + (2^k + 1) P) / ((2^k + 1) Q + (2^k - 1) P),
 * where k = 0 (|x| < 0.17) gives P/Q, no cancellation near 0. One division, no branch: two short
 * polynomials and ~35 operations, so that it vectorises (fdlibm's tanh, which the
 * WebAssembly lanes ported before, took two divisions and every case of expm1 per lane, ~90 per two values).
 *
 * Accuracy, measured (bench/tanh64-accuracy.ts, against mpmath at 60 digits, 50,000 values a
 * range): under 4.5 ulp of the true tanh (4.33 the largest seen), 55-84% of values within 1 ulp by
 * range (V8's Math.tanh, fdlibm's, measured the same way: 2.1); within 6 ulp of Math.tanh
 * (tests/unit/tanh.test.ts).
 * Odd; exact at +-0; x itself below 2^-28; +-1 from about 19.06 (|x| is capped at 22, where k = 63
 * and the result is 1); NaN for NaN. Not monotonic at the last bits (neighbouring doubles may step
 * down by an ulp or a few, where Math.tanh does not). ~10^-15 relative: nothing a rule that scales
 * with the gradient can see, six orders below the torch oracle's 1e-9. Rprop, which reads only
 * signs, can: where a unit saturates, 1 - t^2 is 0 here and an ulp in torch (or the other way),
 * and a "stay" becomes a full step (review 20; docs/validation.md, "Where float64 basinlab and
 * float64 torch part").
 */

// Cephes exp.c: exp(r) = (Q'(r^2) + r P'(r^2)) / (Q'(r^2) - r P'(r^2)) for |r| <= ln2 / 2.
export const EXP_P = [1.26177193074810590878e-4, 3.029944077074419613e-2, 9.9999999999999999991e-1] as const;
export const EXP_Q = [3.00198505138664455042e-6, 2.52448340349684104192e-3, 2.27265548208155028766e-1, 2.00000000000000000009] as const;
/** ln 2 in two parts: C1 has 15 significant bits, so k C1 is exact for the k here (0 .. 63). */
export const LN2_C1 = 6.93145751953125e-1;
export const LN2_C2 = 1.42860682030941723212e-6;
export const LOG2E = 1.4426950408889634073599;
/** |x| is capped here (tanh rounds to 1 from about 19.06; 2^k stays a normal number). */
export const TANH_CAP = 22;

/**
 * The ranges of |x| its accuracy is measured over, each on its own (tests/unit/tanh.test.ts,
 * bench/tanh64-accuracy.ts): k = 0 (P/Q, near 0), k = 1 (where (2^k - 1) Q + (2^k + 1) P cancels
 * most), larger k, and where the result rounds to 1.
 */
export const TANH64_RANGES: readonly (readonly [number, number])[] = [
  [0, 1e-6],
  [1e-6, 0.17],
  [0.17, 0.52],
  [0.52, 1.5],
  [1.5, 8],
  [8, 19.1],
];

const [EP0, EP1, EP2] = EXP_P;
const [EQ0, EQ1, EQ2, EQ3] = EXP_Q;
/** 2^k for the k that occur (0 .. 63): a lookup, where 2 ** k is a slow call in V8. */
const POW2 = Float64Array.from({ length: 64 }, (_, k) => 2 ** k);

/** tanh(x) in float64, as described above; each line one IEEE operation, as the WebAssembly twin. */
export function tanh64(x: number): number {
  if (x !== x) return x;
  const a = Math.min(Math.abs(x), TANH_CAP);
  const y = a + a;
  const k = Math.trunc(y * LOG2E + 0.5);
  const r = y - k * LN2_C1 - k * LN2_C2;
  const rr = r * r;
  const px = r * ((EP0 * rr + EP1) * rr + EP2);
  const qx = ((EQ0 * rr + EQ1) * rr + EQ2) * rr + EQ3;
  const pk = POW2[k] as number;
  const m = pk - 1;
  const p = pk + 1;
  const t = (m * qx + p * px) / (p * qx + m * px);
  // tanh is odd: x's sign on t (t >= 0); +-0 give themselves.
  return x < 0 ? -t : x === 0 ? x : t;
}
