/**
 * Small pieces every surface file uses: the derived accessors (`surfaceSlots`), the float64
 * "rounding", a P vector built from resolved values (minima() and domain() work from values, the hot
 * functions from P), the 2x2 symmetric eigen-solver used for sharpness, and the helpers the twin
 * functions share (sinpi/cospi and their exact argument reduction, the data-set check, the RNG
 * scratch). The sinpi/cospi polynomials have one WGSL twin, shaders/lib/trig.wgsl.
 */
import { P_COUNT, P_SURFACE } from '../../layout.ts';
import { encodeParams, paramSlots, type ParamSchema, type ParamSlots, type ParamValues } from '../../params.ts';
import type { Round, SurfaceData } from '../types.ts';

/** The float64 engine's rounding: none. */
export const f64: Round = (x) => x;

/**
 * A surface's accessor object `o`: `o.<name>` is the absolute P slot (`o.b`, `o.wide_width`), and
 * `o.<key>_<value>` an enum value's index (see ParamSlots). WGSL names the same slots `<id>_<name>`.
 */
export function surfaceSlots<const S extends readonly ParamSchema[]>(schema: S): ParamSlots<S> {
  return paramSlots(schema, P_SURFACE);
}

/** The data set of a data-backed surface, which its value/grad/hessian cannot do without. */
export function needData(data: SurfaceData | null): SurfaceData {
  if (!data) throw new Error('a data-backed surface needs its data set (SurfaceDef.data)');
  return data;
}

/**
 * Scratch for the four words `pcg4d` writes (../../rng.ts), for a twin that draws random numbers
 * (the logistic surface's minibatch rows): filled and read within one call, never held across calls.
 * Each engine worker has its own copy of this module.
 */
export const rngWords = new Uint32Array(4);

/** A P vector holding only this surface's parameters (defaults for missing values). */
export function surfaceP(schema: readonly ParamSchema[], values: ParamValues): Float64Array {
  const P = new Float64Array(P_COUNT);
  encodeParams(schema, values, P, P_SURFACE);
  return P;
}

/** A numeric parameter's resolved value, or its schema default. */
export function numberValue(schema: readonly ParamSchema[], values: ParamValues, key: string): number {
  const v = values[key];
  if (typeof v === 'number') return v;
  const p = schema.find((s) => s.key === key);
  if (p && (p.kind === 'number' || p.kind === 'int')) return p.default;
  throw new Error(`surface parameter '${key}' is not numeric`);
}

/**
 * Eigen-decomposition of [[a, b], [b, c]]: lo <= hi, (vx, vy) a unit eigenvector of hi (the one of
 * lo is (-vy, vx)). The half-difference form keeps hi - lo accurate when the two are close.
 */
export interface Eigen2 {
  lo: number;
  hi: number;
  vx: number;
  vy: number;
}

export function eigen2(a: number, b: number, c: number): Eigen2 {
  const mean = 0.5 * (a + c);
  const rad = Math.hypot(0.5 * (a - c), b);
  const hi = mean + rad;
  const lo = mean - rad;
  if (rad === 0) return { lo, hi, vx: 1, vy: 0 };
  // Of the two equivalent eigenvector formulas, the one with the larger norm has no cancellation.
  const ux = b;
  const uy = hi - a;
  const wx = hi - c;
  const wy = b;
  const nu = Math.hypot(ux, uy);
  const nw = Math.hypot(wx, wy);
  return nu >= nw ? { lo, hi, vx: ux / nu, vy: uy / nu } : { lo, hi, vx: wx / nw, vy: wy / nw };
}

/*
 * sin(πt) and cos(πt) for |t| <= 1/2 as explicit polynomials (Taylor series to degree 23 and 22,
 * truncation < 3e-16), evaluated by Horner. Surfaces use these instead of Math.sin/WGSL sin
 * because WGSL only promises 2^-11 absolute accuracy for sin/cos (SwiftShader is that coarse:
 * ~4e-4, a 0.025 error in Rastrigin's gradient), while +, − and × are correctly rounded: with
 * polynomials the f32 twin matches the shader bit for bit and the float64 engine stays exact to
 * rounding. Arguments are first reduced to half a period with wrapHalf(), which is exact.
 * shaders/lib/trig.wgsl carries the same coefficients as f32 literals, once for every surface
 * (checked by tests/unit/surfaces.test.ts).
 */
export const SINPI_COEFFS: readonly number[] = [
  3.1415926535897931, -5.1677127800499694, 2.5501640398773446, -0.59926452932079188,
  0.082145886611128191, -0.0073704309457143478, 0.00046630280576761234, -0.000021915353447830204,
  7.9520540014755084e-7, -2.2948428997269856e-8, 5.3926646626081248e-10, -1.0518471716932055e-11,
];
export const COSPI_COEFFS: readonly number[] = [
  1, -4.934802200544679, 4.0587121264167676, -1.3352627688545891,
  0.23533063035889312, -0.025806891390014051, 0.0019295743094039221, -0.00010463810492484565,
  0.0000043030695870329439, -1.3878952462213763e-7, 3.6047307974624982e-9, -7.7007071306013474e-11,
];

// Coefficient reads use "!": k runs over the fixed 12 indices of the arrays above.
export function horner(r: Round, c: readonly number[], t2: number): number {
  let p = r(c[11]!);
  for (let k = 10; k >= 0; k--) p = r(r(p * t2) + r(c[k]!));
  return p;
}

/** sin(πt), |t| <= 1/2. */
export function sinpi(r: Round, t: number): number {
  return r(horner(r, SINPI_COEFFS, r(t * t)) * t);
}

/** cos(πt), |t| <= 1/2. */
export function cospi(r: Round, t: number): number {
  return horner(r, COSPI_COEFFS, r(t * t));
}

/** WGSL's round(): nearest integer, ties to even (one definition, in core/outcome.ts). */
import { roundHalfEven } from '../../outcome.ts';

export { roundHalfEven };

/**
 * x minus its nearest integer k, in [−1/2, 1/2]: exact in f32 and f64 (Sterbenz's lemma, since x
 * and k have the same sign and |k|/2 <= |x| <= 2|k| when k ≠ 0), so a period-1 function of x can be
 * evaluated on the reduced argument with no loss. x − floor(x + 0.5) or x − floor(x) would round
 * (just below 1/2, and for small negative x). k is WGSL's round(), which is exact, so it needs no r().
 */
export function wrapHalf(r: Round, x: number): number {
  return r(x - roundHalfEven(x));
}
