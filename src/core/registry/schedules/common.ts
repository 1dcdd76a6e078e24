/**
 * Pieces shared by the LR schedules: the derived accessors (`scheduleSlots`), the largest integer a
 * parameter slot holds exactly, and the two numerically delicate building blocks (an integer power and the cosine
 * annealing weight) written so that the float32 twin keeps good *relative* accuracy even where
 * the LR gets small, which is where schedules spend their last steps.
 *
 * Each helper has a WGSL twin in shaders/schedules/common.wgsl (`sched_powi`,
 * `sched_cos_weight`), written in the same operation order. The WGSL twins call accurate
 * replacements for `log`, `sin` and `cos` (`sched_ln`, `sched_sin`, `sched_cos`) because WGSL
 * only promises an absolute error of 2^-21 for `log` near 1 and 2^-11 for `sin`/`cos`, which is a
 * large relative error for the small values used here; these TypeScript twins call Math.log,
 * Math.sin and Math.cos, which those replacements match to an ulp or two.
 */
import type { ParamSchema, ParamSlots, ParamValues } from '../../params.ts';
import { PARAM_UNSET, paramSlots } from '../../params.ts';
import type { ChildLimit, Round } from '../types.ts';

/** Integers live in f32 slots (and WGSL converts them to u32), which hold them exactly up to 2^24. */
export const INT_MAX = 16_777_216;

/**
 * A schedule's accessor object `o`: `o.<name>` is the offset within the schedule's block, read as
 * `P[b + o.gamma]` (a SequentialLR holds each child in a block of its own), and `o.<key>_<value>` an
 * enum value's index (see ParamSlots). WGSL names the same offsets `<Id>_<name>`.
 */
export function scheduleSlots<const S extends readonly ParamSchema[]>(schema: S): ParamSlots<S> {
  return paramSlots(schema, 0);
}

/** A resolved numeric value (the spec fills every default, so absence means null). */
export function num(values: ParamValues, key: string): number | null {
  const v = values[key];
  return typeof v === 'number' ? v : null;
}

/** An integer-list value, e.g. milestones. */
export function intList(values: ParamValues, key: string): readonly number[] {
  const v = values[key];
  return Array.isArray(v) ? (v as readonly number[]) : [];
}

/**
 * g ** n for an integer n >= 0 and any real g, as exp(n * ln|g|) with the sign of g ** n.
 *
 * Why not repeated squaring: its rounding error doubles with each squaring, about n/2 ulps, so a
 * gamma of 0.999 over 10^4 steps would be off by 3e-4 in f32. exp(n ln g) is off by about
 * |n ln g| ulps, i.e. by the number of e-foldings the LR has decayed, which stays below ~90 while
 * the result is a normal f32. torch multiplies by gamma once per step in float64; in float64 this
 * agrees with that product to ~1e-14 relative. 0 ** 0 = 1 as in Python.
 */
export function powInt(r: Round, g: number, n: number): number {
  if (n === 0) return 1;
  if (g === 0) return 0;
  const m = r(Math.exp(r(r(n) * r(Math.log(Math.abs(g))))));
  return g < 0 && n % 2 === 1 ? -m : m;
}

/**
 * (1 + cos(pi * a / d)) / 2 where a + b = d, i.e. torch's cosine-annealing factor at progress a/d.
 *
 * Why not (1 + cos(x)) / 2: near x = pi (the end of an annealing phase, where the LR approaches
 * eta_min) the sum cancels and f32 keeps only an absolute error of ~1e-7, a 100% relative error once
 * the factor is below 1e-7. The same factor is cos^2(pi/2 * a/d) = sin^2(pi/2 * b/d); taking the
 * form with the smaller argument keeps the angle within [-pi/4, pi/4] for progress in [0, 1] and
 * the result accurate to a few ulps *relative*, because b = d - a is passed in exactly (callers
 * compute it from integers or from the phase bounds directly, never as 1 - a/d).
 */
export function cosWeight(r: Round, a: number, b: number, d: number): number {
  if (Math.abs(a) <= Math.abs(b)) {
    const c = r(Math.cos(r(r(Math.PI / 2) * r(a / d))));
    return r(c * c);
  }
  const s = r(Math.sin(r(r(Math.PI / 2) * r(b / d))));
  return r(s * s);
}

/** Optional slots (None) and unused int-list slots hold PARAM_UNSET. */
export function isSet(x: number): boolean {
  return x !== PARAM_UNSET;
}

/** x is NaN (Number.isNaN, as a helper a twin may call; see ../types.ts). */
export function isNaNValue(x: number): boolean {
  return x !== x;
}

/**
 * x ** p for x >= 0 and a real p, as exp(p ln x) with ln x from Math.log (twin of `sched_powr` in
 * shaders/schedules/common.wgsl, whose `sched_ln` keeps relative accuracy near x = 1, where WGSL's
 * `pow` would not). 0 ** p is 0 for p > 0 and 1 for p = 0, as in Python (0 ** p with p < 0 raises in
 * Python; callers' validate rules keep it out, and 0 is returned). p = 1 returns x itself.
 */
export function powReal(r: Round, x: number, p: number): number {
  if (p === 0) return 1;
  if (p === 1) return x;
  if (x === 0) return 0;
  return r(Math.exp(r(p * r(Math.log(x)))));
}

/** Whether a value meets a composite's limit on a child's value (ScheduleDef.childLimits). */
export function meetsChildLimit(limit: ChildLimit, v: number): boolean {
  return 'fixed' in limit ? v === limit.fixed : v >= limit.min;
}
