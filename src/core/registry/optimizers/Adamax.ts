// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT) or S (length STATE_LEN), checked by tests.
import type { ParamSchema } from '../../params.ts';
import type { OptimizerDef, Round } from '../types.ts';
import {
  betasParam,
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
  {
    ...betasParam(),
    doc: 'Decay rates (beta1, beta2) of the first moment and of the exponentially weighted infinity norm.',
  },
  epsParam(1e-8, 'Added to |g| before the running maximum: u = max(beta2 * u, |g| + eps).'),
  weightDecayParam(0, 'L2 penalty added to the gradient: g + weight_decay * p.'),
  maximizeParam(),
] as const satisfies readonly ParamSchema[];

const o = optimizerSlots(params);
const st = stateSlots(['exp_avg', 'exp_inf'] as const);

export const Adamax: OptimizerDef<typeof o, typeof st> = {
  id: 'Adamax',
  doc:
    'Adamax (Kingma & Ba 2015, section 7.1): Adam with the infinity norm u = max(beta2 * u, |g| + eps) in place of sqrt(v), ' +
    'steps lr / (1 - beta1^t) * m / u, with L2 weight decay and maximize, as torch.optim.Adamax.',
  reference:
    'torch/optim/adamax.py, _single_tensor_adamax (foreach=False, capturable=False, differentiable=False): ' +
    'grad = -grad if maximize; step_t += 1; if weight_decay != 0: grad = grad.add(param, alpha=weight_decay); ' +
    'exp_avg.lerp_(grad, 1 - beta1); torch.maximum(exp_inf.mul_(beta2), grad.abs().add_(eps), out=exp_inf); ' +
    'bias_correction = 1 - beta1 ** step; clr = lr / bias_correction; param.addcdiv_(exp_avg, exp_inf, value=-clr).',
  params,
  slots: o,
  ...stateFields(st),
  momentumParam: 'betas.0',
  init(_r: Round, _P: Float64Array, S: Float64Array): void {
    for (let i = st.exp_avg; i < st.exp_inf + 2; i++) S[i] = 0;
  },
  // sc = (1 - beta1^t, 0, 0, 0): the bias correction's loop (torch: a Python float64 scalar). The LR
  // may differ per run, so clr = lr / bc stays in the step in torch's order.
  stepScalars: {
    params: [],
    usesMom: true,
    count: 1,
    compute(r: Round, _P: Float64Array, mom: number, t: number, out: Float64Array): void {
      out[0] = oneMinusPow(r, r(mom), t);
      out[1] = 0;
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
    const sign = P[o.maximize]! !== 0 ? -1 : 1;
    const w1 = r(1 - beta1);
    const clr = r(lrf / sc[0]!);
    for (let k = 0; k < 2; k++) {
      const p = S[k]!;
      let g = sign * r(k === 0 ? gx : gy);
      if (wd !== 0) g = r(g + r(wd * p));
      const m = lerp(r, S[st.exp_avg + k]!, g, w1);
      S[st.exp_avg + k] = m;
      const u = Math.max(r(S[st.exp_inf + k]! * beta2), r(Math.abs(g) + eps));
      S[st.exp_inf + k] = u;
      // addcdiv: self + (value * t1) / t2, value = -clr.
      S[k] = r(p + r(r(-clr * m) / u));
    }
  },
};
