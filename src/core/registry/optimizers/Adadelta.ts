// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT) or S (length STATE_LEN), checked by tests.
import type { ParamSchema } from '../../params.ts';
import type { OptimizerDef, Round } from '../types.ts';
import { epsParam, lrParam, maximizeParam, optimizerSlots, stateFields, stateSlots, weightDecayParam } from './common.ts';

const params = [
  lrParam(1.0, { min: 0.1, max: 100, scale: 'log' }),
  {
    key: 'rho',
    kind: 'number',
    default: 0.9,
    min: 0,
    max: 1,
    typical: { min: 0.5, max: 0.999, scale: 'linear' },
    doc: 'Decay rate of both running averages (squared gradients and squared updates); torch requires 0 <= rho <= 1.',
  },
  epsParam(1e-6, 'Added inside both square roots: sqrt(acc_delta + eps) / sqrt(square_avg + eps).'),
  weightDecayParam(0, 'L2 penalty added to the gradient: g + weight_decay * p.'),
  maximizeParam(),
] as const satisfies readonly ParamSchema[];

const o = optimizerSlots(params);
const st = stateSlots(['square_avg', 'acc_delta'] as const);

export const Adadelta: OptimizerDef<typeof o, typeof st> = {
  id: 'Adadelta',
  doc:
    'Adadelta (Zeiler 2012): steps by sqrt(acc_delta + eps) / sqrt(square_avg + eps) * g, scaled by lr (torch default 1.0), ' +
    'with L2 weight decay and maximize, as torch.optim.Adadelta. Has neither momentum nor betas, so CyclicLR/OneCycleLR ' +
    'need cycle_momentum: false.',
  reference:
    'torch/optim/adadelta.py, _single_tensor_adadelta (foreach=False, capturable=False, differentiable=False): ' +
    'step += 1; grad = -grad if maximize; if weight_decay != 0: grad = grad.add(param, alpha=weight_decay); ' +
    'square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho); std = square_avg.add(eps).sqrt_(); ' +
    'delta = acc_delta.add(eps).sqrt_(); delta.div_(std).mul_(grad); ' +
    'acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho); param.add_(delta, alpha=-lr).',
  params,
  slots: o,
  ...stateFields(st),
  momentumParam: null,
  init(_r: Round, _P: Float64Array, S: Float64Array): void {
    for (let i = st.square_avg; i < st.acc_delta + 2; i++) S[i] = 0;
  },
  step(
    r: Round,
    P: Float64Array,
    S: Float64Array,
    gx: number,
    gy: number,
    lr: number,
    _mom: number,
    _t: number,
    _sc: Float64Array,
  ): void {
    const lrf = r(lr);
    const rho = r(P[o.rho]!);
    const w = r(1 - rho);
    const eps = r(P[o.eps]!);
    const wd = r(P[o.weight_decay]!);
    const sign = P[o.maximize]! !== 0 ? -1 : 1;
    for (let k = 0; k < 2; k++) {
      const p = S[k]!;
      let g = sign * r(k === 0 ? gx : gy);
      if (wd !== 0) g = r(g + r(wd * p));
      const sa = r(r(S[st.square_avg + k]! * rho) + r(r(w * g) * g));
      S[st.square_avg + k] = sa;
      const std = r(Math.sqrt(r(sa + eps)));
      const delta = r(r(r(Math.sqrt(r(S[st.acc_delta + k]! + eps))) / std) * g);
      S[st.acc_delta + k] = r(r(S[st.acc_delta + k]! * rho) + r(r(w * delta) * delta));
      // add_(delta, alpha=-lr): p + (-lr) delta, the same number as p - lr delta.
      S[k] = r(p - r(lrf * delta));
    }
  },
};
