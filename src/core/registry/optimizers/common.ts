/**
 * Pieces shared by the optimiser entries: torch's elementwise kernels as the float32 twin sees them,
 * a cancellation-free `1 - beta ** step`, slot lookup and the parameter schemas that several torch
 * optimisers declare identically.
 *
 * `lerp` and `oneMinusPow` have one WGSL twin each, `aten_lerp` and `one_minus_pow` in
 * shaders/lib/twins.wgsl, written in the same operation order as here.
 */
import { P_OPTIMIZER } from '../../layout.ts';
import type { BoolParam, NumberParam, ParamSchema, ParamValues, TupleParam } from '../../params.ts';
import { slotOffsets } from '../../params.ts';
import type { Round } from '../types.ts';

/** Absolute P slot of `key` (`lr`, `betas.0`, …); throws at module load if the schema lacks it. */
export function slot(schema: readonly ParamSchema[], key: string): number {
  const off = slotOffsets(schema)[key];
  if (off === undefined) throw new Error(`optimizer schema has no parameter ${key}`);
  return P_OPTIMIZER + off;
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

/** A number from resolved values, or `fallback` when absent or not a number. */
export function num(values: ParamValues, key: string, fallback: number): number {
  const v = values[key];
  return typeof v === 'number' ? v : fallback;
}

// ---- Parameter schemas torch declares the same way in several optimisers.

const NON_NEGATIVE = { min: 0, max: Number.POSITIVE_INFINITY } as const;

/** `lr`: torch raises "Invalid learning rate" for lr < 0 (every optimiser); 0 is allowed. */
export function lrParam(def: number): NumberParam {
  return { key: 'lr', kind: 'number', default: def, ...NON_NEGATIVE, doc: `Learning rate (torch default ${def}).` };
}

export function weightDecayParam(def: number, doc: string): NumberParam {
  return { key: 'weight_decay', kind: 'number', default: def, ...NON_NEGATIVE, doc };
}

/** `eps`: torch raises "Invalid epsilon value" for eps < 0, so eps = 0 is accepted. */
export function epsParam(def: number, doc: string): NumberParam {
  return { key: 'eps', kind: 'number', default: def, ...NON_NEGATIVE, doc };
}

/** `betas`: torch raises "Invalid beta parameter at index i" unless 0 <= beta_i < 1. */
export function betasParam(): TupleParam {
  return {
    key: 'betas',
    kind: 'tuple',
    default: [0.9, 0.999],
    min: 0,
    max: 1,
    maxExclusive: true,
    doc: 'Decay rates (beta1, beta2) of the running averages of the gradient and its square.',
  };
}

export function maximizeParam(): BoolParam {
  return { key: 'maximize', kind: 'bool', default: false, doc: 'Ascend the loss instead (torch negates the gradient).' };
}

export function decoupledParam(doc: string): BoolParam {
  return { key: 'decoupled_weight_decay', kind: 'bool', default: false, doc };
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
 * (mask.div_(mask.mean().clamp_(min=1e-3)); update.mul_(mask)). Writes the masked update to out.
 */
export function cautionMask(r: Round, ux: number, uy: number, gx: number, gy: number, out: Float64Array): void {
  const ax = r(ux * gx) > 0 ? 1 : 0;
  const ay = r(uy * gy) > 0 ? 1 : 0;
  const mean = Math.max(r(r(ax + ay) / 2), r(1e-3));
  out[0] = r(ux * r(ax / mean));
  out[1] = r(uy * r(ay / mean));
}
