// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT) or S (length STATE_LEN), checked by tests.
import type { ParamSchema } from '../../params.ts';
import type { OptimizerDef, Round, Slots } from '../types.ts';
import {
  betasParam,
  decoupledParam,
  epsParam,
  lerp,
  lrParam,
  maximizeParam,
  oneMinusPow,
  optimizerSlots,
  stateFields,
  stateSlots,
  weightDecayParam,
} from './common.ts';

// max_exp_avg_sq: the running maximum amsgrad divides by.
const st = stateSlots(['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] as const);

/**
 * The slots the shared step reads. AdamW has no decoupled_weight_decay: it always decouples, which
 * its step sees as the slot being absent (and its WGSL, running Adam's body, as a fixed `true`).
 */
export interface AdamFamilySlots extends Slots {
  readonly betas_1: number;
  readonly eps: number;
  readonly weight_decay: number;
  readonly amsgrad: number;
  readonly maximize: number;
  readonly decoupled_weight_decay?: number;
}

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
 * Adam and AdamW share torch's `_single_tensor_adam`, one TS step and one WGSL body
 * (shaders/optimizers/Adam.wgsl); AdamW is `Adam(..., decoupled_weight_decay=True)` with weight_decay
 * defaulting to 1e-2. `o` is the entry's accessor object, derived from `params` by the caller.
 */
export function adamFamily<O extends AdamFamilySlots>(
  id: 'Adam' | 'AdamW',
  params: readonly ParamSchema[],
  o: O,
  doc: string,
  reference: string,
  wgslShared?: OptimizerDef['wgslShared'],
): OptimizerDef<O, typeof st> {
  return {
    id,
    doc,
    reference,
    params,
    slots: o,
    ...stateFields(st),
    momentumParam: 'betas.0',
    ...(wgslShared ? { wgslShared } : {}),
    init(_r: Round, _P: Float64Array, S: Float64Array): void {
      for (let i = st.exp_avg; i < st.max_exp_avg_sq + 2; i++) S[i] = 0;
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
        out[1] = r(Math.sqrt(oneMinusPow(r, r(P[o.betas_1]!), t)));
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
      const beta2 = r(P[o.betas_1]!);
      const eps = r(P[o.eps]!);
      const wd = r(P[o.weight_decay]!);
      const decoupled = o.decoupled_weight_decay === undefined || P[o.decoupled_weight_decay]! !== 0;
      const amsgrad = P[o.amsgrad]! !== 0;
      const sign = P[o.maximize]! !== 0 ? -1 : 1;
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
        const m = lerp(r, S[st.exp_avg + k]!, g, w1);
        S[st.exp_avg + k] = m;
        let v = r(r(S[st.exp_avg_sq + k]! * beta2) + r(r(w2 * g) * g));
        S[st.exp_avg_sq + k] = v;
        if (amsgrad) {
          v = Math.max(S[st.max_exp_avg_sq + k]!, v);
          S[st.max_exp_avg_sq + k] = v;
        }
        const denom = r(r(r(Math.sqrt(v)) / bc2Sqrt) + eps);
        // addcdiv: self + (value * t1) / t2, value = -step_size.
        S[k] = r(p + r(r(-stepSize * m) / denom));
      }
    },
  };
}

const adamParams = [
  lrParam(1e-3, { min: 1e-4, max: 1, scale: 'log' }),
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
] as const satisfies readonly ParamSchema[];

export const Adam = adamFamily(
  'Adam',
  adamParams,
  optimizerSlots(adamParams),
  'Adam with bias-corrected moments, optional AMSGrad, L2 or decoupled weight decay and maximize, as torch.optim.Adam.',
  ADAM_REFERENCE,
);
