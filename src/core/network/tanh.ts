/**
 * basinlab's tanh, the one every CPU network pass uses (float64; the float32 twin rounds it:
 * fround(tanh64(x))), as core has its own erf: ECMAScript leaves Math.tanh's accuracy to the
 * engine (V8 runs fdlibm, others their C library), so a pass on Math.tanh could differ in its last
 * bits between browsers; this function is the same sequence of IEEE operations everywhere, which
 * the WebAssembly pass (engine/cpu/net-wasm.ts tanh64x2) repeats lane by lane, bit for bit.
 *
 * Why this shape: one division per value and no branch, so that it vectorises (the fdlibm port it
 * replaces needed two divisions and every case of expm1 computed per lane: ~2.5x the work).
 *   |x| < 0.625: Cephes' tanh, x + x s P(s)/Q(s) with s = x^2 (P degree 2, Q degree 3);
 *   else:        (e - 1)/(e + 1), e = exp(2|x|) = 2^k (Q + P)/(Q - P) from Cephes' exp (its Pade
 *                form of exp(r), r = 2|x| - k ln 2 by a two-constant reduction), the division of
 *                exp folded into tanh's: (2^k A - B)/(2^k A + B).
 * Both branches are computed and one quotient taken: the lanes that take each differ.
 * Accuracy, measured (tests/unit/tanh.test.ts): within 3 ulp of Math.tanh (fdlibm's, itself within
 * 1 ulp) on millions of inputs, 60% of them equal; odd, exact at 0 and -0, x itself below 2^-28,
 * +-1 from about 19.06 (|x| is capped at 22, where the result is 1), NaN for NaN. Not monotonic at
 * the last bit (about 0.7% of neighbouring doubles in [0, 5] step down by an ulp, where Math.tanh
 * never does): nothing a training run can see, which moves by far more than an ulp per step.
 */

// Cephes tanh.c, |x| < 0.625: tanh(x) = x + x s P(s)/Q(s), Q monic.
export const TANH_P = [-9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3] as const;
export const TANH_Q = [1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3] as const;
// Cephes exp.c: exp(r) = (Q(r^2) + r P(r^2)) / (Q(r^2) - r P(r^2)) for |r| <= ln2 / 2.
export const EXP_P = [1.26177193074810590878e-4, 3.029944077074419613e-2, 9.9999999999999999991e-1] as const;
export const EXP_Q = [3.00198505138664455042e-6, 2.52448340349684104192e-3, 2.27265548208155028766e-1, 2.00000000000000000009] as const;
/** ln 2 in two parts: C1 has 15 significant bits, so k C1 is exact for the k here (0 .. 64). */
export const LN2_C1 = 6.93145751953125e-1;
export const LN2_C2 = 1.42860682030941723212e-6;
export const LOG2E = 1.4426950408889634073599;
/** Below this |x| the Cephes branch. */
export const TANH_SMALL = 0.625;
/** |x| is capped here (tanh rounds to 1 from about 19.06; 2^k stays a normal number). */
export const TANH_CAP = 22;
/** Below this |x| tanh(x) rounds to x (x + x q, q about -x^2/3, gives x). */
export const TANH_TINY = 2 ** -28;

const [P0, P1, P2] = TANH_P;
const [Q0, Q1, Q2] = TANH_Q;
const [EP0, EP1, EP2] = EXP_P;
const [EQ0, EQ1, EQ2, EQ3] = EXP_Q;
/** 2^k for the k that occur (0 .. 64): a lookup, where 2 ** k is a slow call in V8. */
const POW2 = Float64Array.from({ length: 65 }, (_, k) => 2 ** k);

/** tanh(x) in float64, as described above; each line one IEEE operation, as the WebAssembly twin. */
export function tanh64(x: number): number {
  if (x !== x) return x;
  const a = Math.min(Math.abs(x), TANH_CAP);
  const s = a * a;
  const ps = s * ((P0 * s + P1) * s + P2);
  const qs = ((s + Q0) * s + Q1) * s + Q2;
  const y = a + a;
  const k = Math.trunc(y * LOG2E + 0.5);
  const r = y - k * LN2_C1 - k * LN2_C2;
  const rr = r * r;
  const px = r * ((EP0 * rr + EP1) * rr + EP2);
  const qx = ((EQ0 * rr + EQ1) * rr + EQ2) * rr + EQ3;
  const A = (qx + px) * (POW2[k] as number);
  const B = qx - px;
  const small = a < TANH_SMALL;
  const q = (small ? ps : A - B) / (small ? qs : A + B);
  const t = small ? a + a * q : q;
  // tanh is odd: x's sign on t (t >= 0); +-0 give themselves.
  return x < 0 ? -t : x === 0 ? x : t;
}
