/**
 * Pieces shared by the optimiser entries: the derived accessors (`optimizerSlots`, `stateSlots`),
 * torch's elementwise kernels as the float32 twin sees them, a cancellation-free `1 - beta ** step`,
 * the Schedule-Free bookkeeping both Schedule-Free entries run, and the parameter schemas that
 * several optimisers declare identically.
 *
 * `lerp`, `oneMinusPow` and `pyPow` have one WGSL twin each, `aten_lerp`, `one_minus_pow` and
 * `py_pow` in shaders/lib/twins.wgsl, written in the same operation order as here. Every helper here
 * reads only its arguments, `Math` and the other helpers of this module, so that a twin function
 * calling it stays self-contained (see "What a twin function may read" in ../types.ts).
 */
import { P_OPTIMIZER, STATE_VEC2 } from '../../layout.ts';
import type { BoolParam, NumberParam, ParamSchema, ParamSlots, ParamValues, TupleParam, TypicalRange } from '../../params.ts';
import { paramSlots } from '../../params.ts';
import { INT_MAX } from '../schedules/common.ts';
import type { Round, StateSlots, TensorShape } from '../types.ts';

/**
 * An optimiser's accessor object `o`: `o.<name>` is the absolute P slot (`o.eps`, `o.betas_1`), and
 * `o.<key>_<value>` an enum value's index (see ParamSlots). WGSL names the same slots `<Id>_<name>`.
 */
export function optimizerSlots<const S extends readonly ParamSchema[]>(schema: S): ParamSlots<S> {
  return paramSlots(schema, P_OPTIMIZER);
}

/** Named state pairs: name -> index in S of the pair's x component. */
export type NamedState<N extends string> = { readonly [K in N]: number };

/**
 * Names an optimiser's state pairs after the position, once: the k-th name (k = 1, 2, …) is pair k,
 * and `st.<name>` = 2k is the index in S of its x component (y is `st.<name> + 1`). WGSL gets the
 * pair index as the constant `<Id>_S_<name>` (src/engine/gpu/wgsl-layout.ts). Throws when the pairs
 * do not fit STATE_VEC2 or a name repeats or is not an identifier.
 */
export function stateSlots<const N extends readonly string[]>(names: N): NamedState<N[number]> {
  if (names.length + 1 > STATE_VEC2) throw new Error(`${names.length} state pairs and the position exceed STATE_VEC2 = ${STATE_VEC2}`);
  const out: Record<string, number> = {};
  names.forEach((n, i) => {
    if (!/^[a-z][a-z0-9_]*$/.test(n)) throw new Error(`state name ${n} is not a lower-case identifier`);
    if (n in out) throw new Error(`state name ${n} appears twice`);
    out[n] = 2 * (i + 1);
  });
  return Object.freeze(out) as NamedState<N[number]>;
}

/** The entry fields derived from `st` (state, its names in pair order, their count). */
export function stateFields<St extends StateSlots>(st: St): { state: St; stateNames: readonly string[]; stateSlots: number } {
  const names = Object.keys(st).sort((a, b) => st[a]! - st[b]!);
  return { state: st, stateNames: names, stateSlots: names.length };
}

/**
 * ATen's `lerp` (aten/src/ATen/native/Lerp.h):
 *   is_lerp_weight_small(w) ? self + w * (end - self) : end - (end - self) * (1 - w)
 * with |w| < 0.5 as "small". The branch matters for beta1 < 0.5, where the first form would lose
 * the end point's precision.
 */
export function lerp(r: Round, self: number, end: number, w: number): number {
  return Math.abs(w) < 0.5 ? r(self + r(w * r(end - self))) : r(end - r(r(end - self) * r(1 - w)));
}

/**
 * `1 - b ** t` for integer t >= 1 and 0 <= b < 1 (torch's bias corrections), by binary
 * exponentiation on s = 1 - b^n alone:
 *   1 - b^(j+k) = s(j) + (1 - s(j)) s(k),   1 - b^(2m) = s(m) (2 - s(m)).
 * Sums of non-negative terms and 1 - s (exact once s >= 0.5) keep every error small in absolute
 * terms, so s is good to ~3 f32 ulps (measured for b in [0.1, 0.9999], t <= 2e5). `1 - pow(b, t)`
 * in f32 is off by up to 1e-4 relative (b = 0.9999, t = 3), and WGSL's pow, specified only as
 * exp2(t * log2(b)), is looser still; tracking b^n too would leak its relative error, which doubles
 * with every squaring, into s. torch computes this scalar in Python float64. Only + and * are used
 * (correctly rounded in WGSL), so the shader twin reproduces it bit for bit.
 */
export function oneMinusPow(r: Round, b: number, t: number): number {
  let n = t >>> 0;
  let bs = r(1 - b); // 1 - b^(2^k)
  let s = 0; // 1 - b^(bits of t consumed so far)
  for (;;) {
    if ((n & 1) !== 0) s = r(s + r(r(1 - s) * bs));
    n >>>= 1;
    if (n === 0) break;
    bs = r(bs * r(2 - bs));
  }
  return s;
}

/**
 * Python's `b ** e` for b >= 0 (Schedule-Free's lr_max is never negative: lr >= 0 and lr_max starts
 * at -1): 1 for e = 0 (0 ** 0 too), 0 for b = 0 < e, +inf for b = 0 > e (where Python raises
 * ZeroDivisionError); otherwise Math.pow, whose WGSL twin `pow` (exp2(e * log2(b))) differs from it
 * by a few ulps.
 */
export function pyPow(r: Round, b: number, e: number): number {
  // The default power: b * b is what Python's correctly rounded b ** 2.0 gives, exactly in both
  // precisions, and it spares the GPU a pow per step (53 -> 86 M run-steps/s for SGDScheduleFree).
  if (e === 2) return r(b * b);
  if (e === 0) return 1;
  if (b === 0) return e > 0 ? 0 : Number.POSITIVE_INFINITY;
  return r(Math.pow(b, e));
}

/**
 * Schedule-Free's state (see `gradSlot` in ../types.ts), the first pairs of both Schedule-Free
 * entries: pair 0 is x, the averaged iterate the reference's `optimizer.eval()` puts in `p.data`
 * (what a user deploys; reported and classified); then y, the reference's `p.data` in train mode
 * (where the gradient is taken), z (`state['z']`), and the group scalars (lr_max, weight_sum).
 */
export const SCHEDULE_FREE_STATE = ['y', 'z', 'group'] as const;

/** y = z = x (the start point, already in pair 0), lr_max = -1, weight_sum = 0. */
export function scheduleFreeInit(S: Float64Array, y: number, z: number, group: number): void {
  S[y] = S[0]!;
  S[y + 1] = S[1]!;
  S[z] = S[0]!;
  S[z + 1] = S[1]!;
  S[group] = -1;
  S[group + 1] = 0;
}

/**
 * The group bookkeeping of the reference's step, from the LR it uses this step (`lr`, after warmup
 * and, for AdamW, sqrt(bias_correction2)) and (k+1)**r (`tr`), with (lr_max, weight_sum) in the
 * state pair at S[group]:
 *   lr_max = max(lr, lr_max); weight = (k+1)**r * lr_max**weight_lr_power;
 *   weight_sum += weight; ckp1 = weight / weight_sum (0 when weight_sum == 0, the reference's
 *   ZeroDivisionError branch).
 * Updates lr_max and weight_sum in S and returns ckp1.
 */
export function scheduleFreeAverage(r: Round, S: Float64Array, group: number, lr: number, tr: number, wlp: number): number {
  const lrMax = Math.max(lr, S[group]!);
  const weight = r(tr * pyPow(r, lrMax, wlp));
  const weightSum = r(S[group + 1]! + weight);
  S[group] = lrMax;
  S[group + 1] = weightSum;
  return weightSum === 0 ? 0 : r(weight / weightSum);
}

/** The warmup factor (k < warmup_steps ? (k+1) / warmup_steps : 1) for t = k + 1. */
export function warmupFactor(r: Round, warmup: number, t: number): number {
  return t - 1 < warmup ? r(t / warmup) : 1;
}

/** (k+1) ** r for t = k + 1 (1 for r = 0). */
export function stepPower(r: Round, t: number, power: number): number {
  return power === 0 ? 1 : r(Math.pow(t, power));
}

/** A number from resolved values, or `fallback` when absent or not a number. */
export function num(values: ParamValues, key: string, fallback: number): number {
  const v = values[key];
  return typeof v === 'number' ? v : fallback;
}

// ---- Parameter schemas torch declares the same way in several optimisers.

const NON_NEGATIVE = { min: 0, max: Number.POSITIVE_INFINITY } as const;

// Each returns its key as a literal type, so that the accessors derived from a schema holding it
// know the name (see ParamSlots).

/**
 * `lr`: torch raises "Invalid learning rate" for lr < 0 (every optimiser); 0 is allowed. Each
 * optimiser states its own typical range: the LRs that work differ by orders of magnitude between
 * SGD (which steps by lr·g) and the sign- or RMS-normalised methods (which step by about lr).
 */
export function lrParam(def: number, typical: TypicalRange): NumberParam & { readonly key: 'lr' } {
  return { key: 'lr', kind: 'number', lr: true, default: def, ...NON_NEGATIVE, typical, doc: `Learning rate (torch default ${def}).` };
}

/** Weight decay matters once it is comparable to the surface's curvature (about 1e-2 to 1e3 here). */
const WEIGHT_DECAY_TYPICAL: TypicalRange = { min: 1e-4, max: 1, scale: 'log' };

export function weightDecayParam(def: number, doc: string): NumberParam & { readonly key: 'weight_decay' } {
  return { key: 'weight_decay', kind: 'number', default: def, ...NON_NEGATIVE, typical: WEIGHT_DECAY_TYPICAL, doc };
}

/**
 * `eps`: torch raises "Invalid epsilon value" for eps < 0, so eps = 0 is accepted. Typically swept
 * over decades, up to where it swamps the adaptive denominator (gradients here are O(0.1…100)).
 */
export function epsParam(def: number, doc: string, typical: TypicalRange = { min: 1e-10, max: 1e-1, scale: 'log' }): NumberParam & { readonly key: 'eps' } {
  return { key: 'eps', kind: 'number', default: def, ...NON_NEGATIVE, typical, doc };
}

/** beta1 acts as momentum (0 to 0.99); beta2 sets the memory of the squared gradients (0.9 to 0.9999). */
export const BETA2_TYPICAL: TypicalRange = { min: 0.9, max: 0.9999, scale: 'linear' };
export const BETAS_TYPICAL: readonly TypicalRange[] = [{ min: 0, max: 0.99, scale: 'linear' }, BETA2_TYPICAL];

/** `betas`: torch raises "Invalid beta parameter at index i" unless 0 <= beta_i < 1. */
export function betasParam(): TupleParam & { readonly key: 'betas'; readonly default: readonly [number, number] } {
  return {
    key: 'betas',
    kind: 'tuple',
    default: [0.9, 0.999],
    min: 0,
    max: 1,
    maxExclusive: true,
    typical: BETAS_TYPICAL,
    doc: 'Decay rates (beta1, beta2) of the running averages of the gradient and its square.',
  };
}

export function maximizeParam(): BoolParam & { readonly key: 'maximize' } {
  return { key: 'maximize', kind: 'bool', default: false, doc: 'Ascend the loss instead (torch negates the gradient).' };
}

export function decoupledParam(doc: string): BoolParam & { readonly key: 'decoupled_weight_decay' } {
  return { key: 'decoupled_weight_decay', kind: 'bool', default: false, doc };
}

/** Schedule-Free's `warmup_steps` (both entries). */
export function warmupStepsParam(): NumberParam & { readonly key: 'warmup_steps' } {
  return {
    key: 'warmup_steps',
    kind: 'int',
    default: 0,
    min: -INT_MAX,
    max: INT_MAX,
    typical: { min: 0, max: 0.5, scale: 'linear', per: 'steps' },
    doc: 'Linear warmup inside the optimiser: the LR is scaled by (k+1) / warmup_steps while k < warmup_steps (not checked by the reference; <= 0 is no warmup).',
  };
}

/** Schedule-Free's `r` (both entries). */
export function rParam(): NumberParam & { readonly key: 'r' } {
  return {
    key: 'r',
    kind: 'number',
    default: 0,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 0, max: 2, scale: 'linear' },
    doc: 'Polynomial weighting of the average: weight (k+1) ** r * lr_max ** weight_lr_power (not checked by the reference).',
  };
}

/** Schedule-Free's `weight_lr_power` (both entries). */
export function weightLrPowerParam(): NumberParam & { readonly key: 'weight_lr_power' } {
  return {
    key: 'weight_lr_power',
    kind: 'number',
    default: 2,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 0, max: 4, scale: 'linear' },
    doc: 'The average weights each step by lr_max ** weight_lr_power (0: no LR weighting; not checked by the reference).',
  };
}

/**
 * Euclidean norm of (x, y), the optimiser's whole parameter tensor of shape [2], as
 * `sqrt(p.x * p.x + p.y * p.y)` in that operation order (the WGSL twins write exactly that). Used by
 * the norm-based rules: LARS/LAMB trust ratios, Adafactor's RMS and update clipping, LAMB's
 * gradient-norm clipping.
 */
export function norm2(r: Round, x: number, y: number): number {
  return r(Math.sqrt(r(r(x * x) + r(y * y))));
}

/**
 * timm's "cautious" mask (Liang et al. 2024, https://arxiv.org/abs/2411.16085) over the two
 * coordinates: mask_i = [u_i g_i > 0] / max(mean(mask), 1e-3), then u_i *= mask_i, in torch's order
 * (mask.div_(mask.mean().clamp_(min=1e-3)); update.mul_(mask)). This is the divisor
 * max(mean(mask), 1e-3) from the update (ux, uy) and the gradient (gx, gy); cautionScale masks one
 * coordinate with it.
 */
export function cautionMean(r: Round, ux: number, uy: number, gx: number, gy: number): number {
  const ax = r(ux * gx) > 0 ? 1 : 0;
  const ay = r(uy * gy) > 0 ? 1 : 0;
  return Math.max(r(r(ax + ay) / 2), r(1e-3));
}

/** One coordinate of the cautious update, u * (mask / mean), with `mean` from cautionMean. */
export function cautionScale(r: Round, u: number, g: number, mean: number): number {
  return r(u * r((r(u * g) > 0 ? 1 : 0) / mean));
}

// ---- Whole tensors (OptimizerDef.tensor): the rules above over a network's tensors.

/** How many numbers a tensor of this shape holds. */
export function shapeSize(shape: TensorShape): number {
  return shape.length === 2 ? shape[0] * shape[1] : shape[0];
}

/**
 * Euclidean norm of a whole tensor (torch's `t.norm(2)`): the squares summed in row-major order,
 * then the square root. On a tensor [x, y] this is norm2(x, y) bit for bit, since 0 + a = a.
 * torch's CPU reduction sums in another order (vectorised partial sums): the same number in
 * float64 to a few ulps, well inside the oracle's tolerance.
 */
export function tensorNorm(r: Round, a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s = r(s + r(a[i]! * a[i]!));
  return r(Math.sqrt(s));
}

/**
 * cautionMean over a whole tensor: max(mean([u_i g_i > 0]), 1e-3), the count of agreeing
 * coordinates (exact) divided by the tensor's size; cautionScale then masks each coordinate.
 */
export function tensorCautionMean(r: Round, u: Float64Array, g: Float64Array): number {
  let count = 0;
  for (let i = 0; i < u.length; i++) if (r(u[i]! * g[i]!) > 0) count++;
  return Math.max(r(count / u.length), r(1e-3));
}

/** The cautious mask over a whole tensor, in place on the update u (LAMB's and Lion's `caution`). */
export function cautionTensor(r: Round, u: Float64Array, g: Float64Array): void {
  const mean = tensorCautionMean(r, u, g);
  for (let i = 0; i < u.length; i++) u[i] = cautionScale(r, u[i]!, g[i]!, mean);
}
