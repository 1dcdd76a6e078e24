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
  optimizerSlots,
  stateFields,
  stateSlots,
  weightDecayParam,
} from './common.ts';

const params = [
  lrParam(2e-3, { min: 1e-4, max: 1, scale: 'log' }),
  betasParam(),
  epsParam(1e-8, 'Added after the square root: sqrt(v / (1 - beta2^t)) + eps.'),
  weightDecayParam(0, 'Weight decay: L2 term in the gradient, or p *= 1 - lr * weight_decay when decoupled.'),
  {
    key: 'momentum_decay',
    kind: 'number',
    default: 4e-3,
    min: 0,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 1e-4, max: 1e-1, scale: 'log' },
    doc: 'psi in the momentum schedule mu_t = beta1 * (1 - 0.5 * 0.96^(t * psi)).',
  },
  decoupledParam('Decoupled (NAdamW) weight decay: p *= 1 - lr * weight_decay before the moments are updated.'),
  maximizeParam(),
] as const satisfies readonly ParamSchema[];

const o = optimizerSlots(params);
// mu_product in x.
const st = stateSlots(['exp_avg', 'exp_avg_sq', 'mu_product'] as const);

export const NAdam: OptimizerDef<typeof o, typeof st> = {
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
  slots: o,
  ...stateFields(st),
  momentumParam: 'betas.0',
  init(_r: Round, _P: Float64Array, S: Float64Array): void {
    for (let i = st.exp_avg; i < st.mu_product + 2; i++) S[i] = 0;
    S[st.mu_product] = 1;
  },
  // sc = (1 - beta2^t, mu_t, mu_{t+1}, 1 - mu_t): the bias correction's loop and both pows. The LR
  // (per run) and mu_product (state) stay in the step, in torch's order.
  stepScalars: {
    params: ['betas.1', 'momentum_decay'],
    usesMom: true,
    count: 4,
    compute(r: Round, P: Float64Array, mom: number, t: number, out: Float64Array): void {
      const beta1 = r(mom);
      const psi = r(P[o.momentum_decay]!);
      // torch computes these scalars in Python float64 (mu_product itself is a float32 tensor under
      // the default dtype); see oneMinusPow for the bias correction.
      const base = r(0.96);
      const half = r(0.5);
      const mu = r(beta1 * r(1 - r(half * r(Math.pow(base, r(t * psi))))));
      out[0] = oneMinusPow(r, r(P[o.betas_1]!), t);
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
    const beta2 = r(P[o.betas_1]!);
    const eps = r(P[o.eps]!);
    const wd = r(P[o.weight_decay]!);
    const decoupled = P[o.decoupled_weight_decay]! !== 0;
    const sign = P[o.maximize]! !== 0 ? -1 : 1;
    const decay = r(1 - r(lrf * wd));
    const w1 = r(1 - beta1);
    const w2 = r(1 - beta2);
    const bc2 = sc[0]!;
    const muProduct = r(S[st.mu_product]! * sc[1]!);
    S[st.mu_product] = muProduct;
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
      const m = lerp(r, S[st.exp_avg + k]!, g, w1);
      S[st.exp_avg + k] = m;
      const v = r(r(S[st.exp_avg_sq + k]! * beta2) + r(r(w2 * g) * g));
      S[st.exp_avg_sq + k] = v;
      const denom = r(r(Math.sqrt(r(v / bc2))) + eps);
      // Two addcdiv_ calls: self + (value * t1) / t2.
      p = r(p + r(r(gradCoef * g) / denom));
      S[k] = r(p + r(r(avgCoef * m) / denom));
    }
  },
};
