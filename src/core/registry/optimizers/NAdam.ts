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

const params: readonly ParamSchema[] = [
  lrParam(2e-3),
  betasParam(),
  epsParam(1e-8, 'Added after the square root: sqrt(v / (1 - beta2^t)) + eps.'),
  weightDecayParam(0, 'Weight decay: L2 term in the gradient, or p *= 1 - lr * weight_decay when decoupled.'),
  {
    key: 'momentum_decay',
    kind: 'number',
    default: 4e-3,
    min: 0,
    max: Number.POSITIVE_INFINITY,
    doc: 'psi in the momentum schedule mu_t = beta1 * (1 - 0.5 * 0.96^(t * psi)).',
  },
  decoupledParam('Decoupled (NAdamW) weight decay: p *= 1 - lr * weight_decay before the moments are updated.'),
  maximizeParam(),
];

const BETA2 = slot(params, 'betas.1');
const EPS = slot(params, 'eps');
const WEIGHT_DECAY = slot(params, 'weight_decay');
const MOMENTUM_DECAY = slot(params, 'momentum_decay');
const DECOUPLED = slot(params, 'decoupled_weight_decay');
const MAXIMIZE = slot(params, 'maximize');

// S pairs: 1 exp_avg, 2 exp_avg_sq, 3 (x) mu_product.
const EXP_AVG = 2;
const EXP_AVG_SQ = 4;
const MU_PRODUCT = 6;

export const NAdam: OptimizerDef = {
  id: 'NAdam',
  doc: 'NAdam: Adam with Nesterov momentum under the warm-up schedule mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay)), as torch.optim.NAdam.',
  reference:
    'torch/optim/nadam.py, _single_tensor_nadam (foreach=False, capturable=False, differentiable=False): ' +
    'grad = -grad if maximize; step_t += 1; bias_correction2 = 1 - beta2 ** step; if weight_decay != 0: ' +
    'param.mul_(1 - lr * weight_decay) if decoupled_weight_decay else grad = grad.add(param, alpha=weight_decay); ' +
    'mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay))); ' +
    'mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay))); mu_product *= mu; ' +
    'exp_avg.lerp_(grad, 1 - beta1); exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2); ' +
    'denom = exp_avg_sq.div(bias_correction2).sqrt().add_(eps); mu_product_next = mu_product * mu_next; ' +
    'param.addcdiv_(grad, denom, value=-lr * (1.0 - mu) / (1.0 - mu_product)); ' +
    'param.addcdiv_(exp_avg, denom, value=(-lr * mu_next) / (1.0 - mu_product_next)). ' +
    'state["mu_product"] starts at 1.',
  params,
  stateSlots: 3,
  momentumParam: 'betas.0',
  init(_r: Round, _P: Float64Array, S: Float64Array): void {
    for (let i = EXP_AVG; i < MU_PRODUCT + 2; i++) S[i] = 0;
    S[MU_PRODUCT] = 1;
  },
  // sc = (1 - beta2^t, mu_t, mu_{t+1}, 1 - mu_t): the bias correction's loop and both pows. The LR
  // (per run) and mu_product (state) stay in the step, in torch's order.
  stepScalars: {
    params: ['betas.1', 'momentum_decay'],
    usesMom: true,
    count: 4,
    compute(r: Round, P: Float64Array, mom: number, t: number, out: Float64Array): void {
      const beta1 = r(mom);
      const psi = r(P[MOMENTUM_DECAY]!);
      // torch computes these scalars in Python float64 (mu_product itself is a float32 tensor under
      // the default dtype); see oneMinusPow for the bias correction.
      const base = r(0.96);
      const half = r(0.5);
      const mu = r(beta1 * r(1 - r(half * r(Math.pow(base, r(t * psi))))));
      out[0] = oneMinusPow(r, r(P[BETA2]!), t);
      out[1] = mu;
      out[2] = r(beta1 * r(1 - r(half * r(Math.pow(base, r(r(t + 1) * psi))))));
      out[3] = r(1 - mu);
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
    const decoupled = P[DECOUPLED]! !== 0;
    const sign = P[MAXIMIZE]! !== 0 ? -1 : 1;
    const decay = r(1 - r(lrf * wd));
    const w1 = r(1 - beta1);
    const w2 = r(1 - beta2);
    const bc2 = sc[0]!;
    const muProduct = r(S[MU_PRODUCT]! * sc[1]!);
    S[MU_PRODUCT] = muProduct;
    const muNext = sc[2]!;
    const muProductNext = r(muProduct * muNext);
    const gradCoef = r(r(-lrf * sc[3]!) / r(1 - muProduct));
    const avgCoef = r(r(-lrf * muNext) / r(1 - muProductNext));

    for (let k = 0; k < 2; k++) {
      let p = S[k]!;
      let g = sign * r(k === 0 ? gx : gy);
      if (wd !== 0) {
        if (decoupled) p = r(p * decay);
        else g = r(g + r(wd * p));
      }
      const m = lerp(r, S[EXP_AVG + k]!, g, w1);
      S[EXP_AVG + k] = m;
      const v = r(r(S[EXP_AVG_SQ + k]! * beta2) + r(r(w2 * g) * g));
      S[EXP_AVG_SQ + k] = v;
      const denom = r(r(Math.sqrt(r(v / bc2))) + eps);
      // Two addcdiv_ calls: self + (value * t1) / t2.
      p = r(p + r(r(gradCoef * g) / denom));
      S[k] = r(p + r(r(avgCoef * m) / denom));
    }
  },
  wgsl: 'NAdam.wgsl',
};
