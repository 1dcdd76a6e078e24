// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT) or S (length STATE_LEN), checked by tests.
import type { NumberParam, ParamSchema } from '../../params.ts';
import { INT_MAX } from '../schedules/common.ts';
import type { OptimizerDef, Round } from '../types.ts';
import { lerp, lrParam, slot, weightDecayParam } from './common.ts';

/**
 * Schedule-Free state, shared with AdamWScheduleFree (see `gradSlot` in ../types.ts):
 * pair 0 x, the averaged iterate the reference's `optimizer.eval()` puts in `p.data` (what a user
 * deploys; reported and classified), pair 1 y, the reference's `p.data` in train mode (where the
 * gradient is taken), pair 2 z (`state['z']`), pair 3 the group scalars (lr_max, weight_sum).
 */
export const SF_Y = 2;
export const SF_Z = 4;
export const SF_LR_MAX = 6;
export const SF_WEIGHT_SUM = 7;

/**
 * Python's `b ** e` for b >= 0 (lr_max is never negative: lr >= 0 and lr_max starts at -1): 1 for
 * e = 0 (0 ** 0 too), 0 for b = 0 < e, +inf for b = 0 > e (where Python raises ZeroDivisionError);
 * otherwise Math.pow, whose WGSL twin `pow` (exp2(e * log2(b))) differs from it by a few ulps.
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
 * The group bookkeeping of the reference's step, from the LR it uses this step (`lr`, after warmup
 * and, for AdamW, sqrt(bias_correction2)) and (k+1)**r (`tr`):
 *   lr_max = max(lr, lr_max); weight = (k+1)**r * lr_max**weight_lr_power;
 *   weight_sum += weight; ckp1 = weight / weight_sum (0 when weight_sum == 0, the reference's
 *   ZeroDivisionError branch).
 * Updates lr_max and weight_sum in S and returns ckp1.
 */
export function scheduleFreeAverage(r: Round, S: Float64Array, lr: number, tr: number, wlp: number): number {
  const lrMax = Math.max(lr, S[SF_LR_MAX]!);
  const weight = r(tr * pyPow(r, lrMax, wlp));
  const weightSum = r(S[SF_WEIGHT_SUM]! + weight);
  S[SF_LR_MAX] = lrMax;
  S[SF_WEIGHT_SUM] = weightSum;
  return weightSum === 0 ? 0 : r(weight / weightSum);
}

/** y = z = x (the start point, already in pair 0), lr_max = -1, weight_sum = 0. */
export function scheduleFreeInit(S: Float64Array): void {
  S[SF_Y] = S[0]!;
  S[SF_Y + 1] = S[1]!;
  S[SF_Z] = S[0]!;
  S[SF_Z + 1] = S[1]!;
  S[SF_LR_MAX] = -1;
  S[SF_WEIGHT_SUM] = 0;
}

/** The warmup factor (k < warmup_steps ? (k+1) / warmup_steps : 1) for t = k + 1. */
export function warmupFactor(r: Round, warmup: number, t: number): number {
  return t - 1 < warmup ? r(t / warmup) : 1;
}

/** (k+1) ** r for t = k + 1 (1 for r = 0). */
export function stepPower(r: Round, t: number, power: number): number {
  return power === 0 ? 1 : r(Math.pow(t, power));
}

export function warmupStepsParam(): NumberParam {
  return {
    key: 'warmup_steps',
    kind: 'int',
    default: 0,
    min: -INT_MAX,
    max: INT_MAX,
    doc: 'Linear warmup inside the optimiser: the LR is scaled by (k+1) / warmup_steps while k < warmup_steps (not checked by the reference; <= 0 is no warmup).',
  };
}

export function rParam(): NumberParam {
  return {
    key: 'r',
    kind: 'number',
    default: 0,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    doc: 'Polynomial weighting of the average: weight (k+1) ** r * lr_max ** weight_lr_power (not checked by the reference).',
  };
}

export function weightLrPowerParam(): NumberParam {
  return {
    key: 'weight_lr_power',
    kind: 'number',
    default: 2,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    doc: 'The average weights each step by lr_max ** weight_lr_power (0: no LR weighting; not checked by the reference).',
  };
}

const params: readonly ParamSchema[] = [
  lrParam(1.0),
  {
    key: 'momentum',
    kind: 'number',
    default: 0.9,
    min: 0,
    max: 1,
    minExclusive: true,
    maxExclusive: true,
    doc: 'Interpolation beta: y = lerp(z, x, momentum); the reference raises unless 0 < momentum < 1.',
  },
  weightDecayParam(0, 'L2 penalty at y: grad + weight_decay * y (the reference rejects weight_decay < 0).'),
  warmupStepsParam(),
  rParam(),
  weightLrPowerParam(),
];

const WEIGHT_DECAY = slot(params, 'weight_decay');
const WARMUP = slot(params, 'warmup_steps');
const R = slot(params, 'r');
const WLP = slot(params, 'weight_lr_power');

export const SGDScheduleFree: OptimizerDef = {
  id: 'SGDScheduleFree',
  doc:
    'Schedule-Free SGD (Defazio et al. 2024, "The Road Less Scheduled"; not in torch): SGD steps on z, the gradient ' +
    'taken at y = lerp(z, x, momentum), and x the running average of the z iterates weighted by lr_max ** ' +
    'weight_lr_power (times (k+1) ** r). basinlab reports x, the eval() point a user deploys; the gradient is taken at y.',
  reference:
    'schedulefree/sgd_schedulefree.py (facebookresearch/schedule_free, SGDScheduleFree.step, non-foreach branch) with ' +
    'k = t - 1 and the scheduled LR as group["lr"]: sched = (k+1) / warmup_steps if k < warmup_steps else 1.0; ' +
    'lr = group["lr"] * sched; lr_max = max(lr, lr_max); weight = ((k+1)**r) * (lr_max**weight_lr_power); ' +
    'weight_sum += weight; ckp1 = weight / weight_sum (0 on ZeroDivisionError); if weight_decay != 0: ' +
    'grad.add_(y, alpha=weight_decay); y.lerp_(end=z, weight=ckp1); y.add_(grad, alpha=lr*(momentum*(1-ckp1)-1)); ' +
    'z.sub_(grad, alpha=lr); then eval(): x = y.lerp_(end=z, weight=1-1/momentum).',
  params,
  stateSlots: 3,
  gradSlot: 1,
  momentumParam: 'momentum',
  init(_r: Round, _P: Float64Array, S: Float64Array): void {
    scheduleFreeInit(S);
  },
  // sc = (warmup factor, (k+1) ** r, 0, 0): step-count-only. lr_max, the weight and ckp1 depend on
  // the scheduled LR, which may differ per run, so they stay in the step.
  stepScalars: {
    params: ['warmup_steps', 'r'],
    usesMom: false,
    count: 2,
    compute(r: Round, P: Float64Array, _mom: number, t: number, out: Float64Array): void {
      out[0] = warmupFactor(r, r(P[WARMUP]!), t);
      out[1] = stepPower(r, t, r(P[R]!));
      out[2] = 0;
      out[3] = 0;
    },
  },
  step(
    r: Round,
    P: Float64Array,
    S: Float64Array,
    gx: number,
    gy: number,
    lr: number,
    mom: number,
    _t: number,
    sc: Float64Array,
  ): void {
    const beta = r(mom);
    const wd = r(P[WEIGHT_DECAY]!);
    const lrs = r(r(lr) * sc[0]!);
    const ckp1 = scheduleFreeAverage(r, S, lrs, sc[1]!, r(P[WLP]!));
    const alpha = r(lrs * r(r(beta * r(1 - ckp1)) - 1));
    const wx = r(1 - r(1 / beta));
    for (let k = 0; k < 2; k++) {
      const y = S[SF_Y + k]!;
      const z = S[SF_Z + k]!;
      let g = r(k === 0 ? gx : gy);
      if (wd !== 0) g = r(g + r(wd * y));
      const y1 = r(lerp(r, y, z, ckp1) + r(alpha * g));
      const z1 = r(z - r(lrs * g));
      S[SF_Y + k] = y1;
      S[SF_Z + k] = z1;
      S[k] = lerp(r, y1, z1, wx);
    }
  },
  wgsl: 'SGDScheduleFree.wgsl',
};
