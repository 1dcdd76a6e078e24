// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT) or S (length STATE_LEN), checked by tests.
import type { ParamSchema } from '../../params.ts';
import type { OptimizerDef, Round } from '../types.ts';
import {
  betasParam,
  decoupledParam,
  epsParam,
  lerp,
  lrParam,
  maximizeParam,
  oneMinusPow,
  slot,
  weightDecayParam,
} from './common.ts';

// S pairs: 1 exp_avg, 2 exp_avg_sq, 3 max_exp_avg_sq (amsgrad).
const EXP_AVG = 2;
const EXP_AVG_SQ = 4;
const MAX_EXP_AVG_SQ = 6;

export const ADAM_REFERENCE =
  'torch/optim/adam.py, _single_tensor_adam (foreach=False, fused=False, capturable=False, differentiable=False): ' +
  'grad = -grad if maximize; step_t += 1; if weight_decay != 0: param.mul_(1 - lr * weight_decay) if ' +
  'decoupled_weight_decay else grad = grad.add(param, alpha=weight_decay); exp_avg.lerp_(grad, 1 - beta1); ' +
  'exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2); bias_correction1 = 1 - beta1 ** step; ' +
  'bias_correction2 = 1 - beta2 ** step; step_size = lr / bias_correction1; ' +
  'if amsgrad: torch.maximum(max_exp_avg_sqs[i], exp_avg_sq, out=max_exp_avg_sqs[i]) and the max replaces ' +
  'exp_avg_sq in denom = (exp_avg_sq.sqrt() / bias_correction2 ** 0.5).add_(eps); ' +
  'param.addcdiv_(exp_avg, denom, value=-step_size).';

/**
 * Adam and AdamW share torch's `_single_tensor_adam`; AdamW is `Adam(..., decoupled_weight_decay=True)`
 * with weight_decay defaulting to 1e-2. `decoupledSlot` is null for AdamW (always decoupled).
 */
export function adamFamily(
  id: 'Adam' | 'AdamW',
  params: readonly ParamSchema[],
  doc: string,
  reference: string,
  decoupledSlot: number | null,
): OptimizerDef {
  const BETA2 = slot(params, 'betas.1');
  const EPS = slot(params, 'eps');
  const WEIGHT_DECAY = slot(params, 'weight_decay');
  const AMSGRAD = slot(params, 'amsgrad');
  const MAXIMIZE = slot(params, 'maximize');
  return {
    id,
    doc,
    reference,
    params,
    stateSlots: 3,
    momentumParam: 'betas.0',
    init(_r: Round, _P: Float64Array, S: Float64Array): void {
      for (let i = EXP_AVG; i < MAX_EXP_AVG_SQ + 2; i++) S[i] = 0;
    },
    // sc = (1 - beta1^t, sqrt(1 - beta2^t), 0, 0): the loops and the square root, not the LR (which
    // may differ per run), so step_size = lr / bc1 stays in the step exactly as torch orders it.
    stepScalars: {
      params: ['betas.1'],
      usesMom: true,
      count: 2,
      compute(r: Round, P: Float64Array, mom: number, t: number, out: Float64Array): void {
        // torch computes these scalars in Python float64; see oneMinusPow for why this f32 form.
        out[0] = oneMinusPow(r, r(mom), t);
        out[1] = r(Math.sqrt(oneMinusPow(r, r(P[BETA2]!), t)));
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
      const lrf = r(lr);
      const beta1 = r(mom);
      const beta2 = r(P[BETA2]!);
      const eps = r(P[EPS]!);
      const wd = r(P[WEIGHT_DECAY]!);
      const decoupled = decoupledSlot === null || P[decoupledSlot]! !== 0;
      const amsgrad = P[AMSGRAD]! !== 0;
      const sign = P[MAXIMIZE]! !== 0 ? -1 : 1;
      const decay = r(1 - r(lrf * wd));
      const w1 = r(1 - beta1);
      const w2 = r(1 - beta2);
      const stepSize = r(lrf / sc[0]!);
      const bc2Sqrt = sc[1]!;
      for (let k = 0; k < 2; k++) {
        let p = S[k]!;
        let g = sign * r(k === 0 ? gx : gy);
        if (wd !== 0) {
          if (decoupled) p = r(p * decay);
          else g = r(g + r(wd * p));
        }
        const m = lerp(r, S[EXP_AVG + k]!, g, w1);
        S[EXP_AVG + k] = m;
        let v = r(r(S[EXP_AVG_SQ + k]! * beta2) + r(r(w2 * g) * g));
        S[EXP_AVG_SQ + k] = v;
        if (amsgrad) {
          v = Math.max(S[MAX_EXP_AVG_SQ + k]!, v);
          S[MAX_EXP_AVG_SQ + k] = v;
        }
        const denom = r(r(r(Math.sqrt(v)) / bc2Sqrt) + eps);
        // addcdiv: self + (value * t1) / t2, value = -step_size.
        S[k] = r(p + r(r(-stepSize * m) / denom));
      }
    },
    wgsl: `${id}.wgsl`,
  };
}

const adamParams: readonly ParamSchema[] = [
  lrParam(1e-3),
  betasParam(),
  epsParam(1e-8, 'Added after dividing sqrt(v) by sqrt(1 - beta2^t).'),
  weightDecayParam(0, 'Weight decay: L2 term in the gradient, or p *= 1 - lr * weight_decay when decoupled.'),
  {
    key: 'amsgrad',
    kind: 'bool',
    default: false,
    doc: 'AMSGrad: divide by the running maximum of exp_avg_sq instead of exp_avg_sq.',
  },
  maximizeParam(),
  decoupledParam('Decoupled (AdamW) weight decay: p *= 1 - lr * weight_decay before the moments are updated.'),
];

export const Adam: OptimizerDef = adamFamily(
  'Adam',
  adamParams,
  'Adam with bias-corrected moments, optional AMSGrad, L2 or decoupled weight decay and maximize, as torch.optim.Adam.',
  ADAM_REFERENCE,
  slot(adamParams, 'decoupled_weight_decay'),
);
