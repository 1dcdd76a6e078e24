// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT) or S (length STATE_LEN), checked by tests.
import type { ParamSchema } from '../../params.ts';
import type { OptimizerDef, Round } from '../types.ts';
import { epsParam, lrParam, maximizeParam, slot, weightDecayParam } from './common.ts';

const params: readonly ParamSchema[] = [
  lrParam(1.0),
  {
    key: 'rho',
    kind: 'number',
    default: 0.9,
    min: 0,
    max: 1,
    doc: 'Decay rate of both running averages (squared gradients and squared updates); torch requires 0 <= rho <= 1.',
  },
  epsParam(1e-6, 'Added inside both square roots: sqrt(acc_delta + eps) / sqrt(square_avg + eps).'),
  weightDecayParam(0, 'L2 penalty added to the gradient: g + weight_decay * p.'),
  maximizeParam(),
];

const RHO = slot(params, 'rho');
const EPS = slot(params, 'eps');
const WEIGHT_DECAY = slot(params, 'weight_decay');
const MAXIMIZE = slot(params, 'maximize');

// S pairs: 1 square_avg, 2 acc_delta.
const SQUARE_AVG = 2;
const ACC_DELTA = 4;

export const Adadelta: OptimizerDef = {
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
  stateSlots: 2,
  momentumParam: null,
  init(_r: Round, _P: Float64Array, S: Float64Array): void {
    for (let i = SQUARE_AVG; i < ACC_DELTA + 2; i++) S[i] = 0;
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
    const rho = r(P[RHO]!);
    const w = r(1 - rho);
    const eps = r(P[EPS]!);
    const wd = r(P[WEIGHT_DECAY]!);
    const sign = P[MAXIMIZE]! !== 0 ? -1 : 1;
    for (let k = 0; k < 2; k++) {
      const p = S[k]!;
      let g = sign * r(k === 0 ? gx : gy);
      if (wd !== 0) g = r(g + r(wd * p));
      const sa = r(r(S[SQUARE_AVG + k]! * rho) + r(r(w * g) * g));
      S[SQUARE_AVG + k] = sa;
      const std = r(Math.sqrt(r(sa + eps)));
      const delta = r(r(r(Math.sqrt(r(S[ACC_DELTA + k]! + eps))) / std) * g);
      S[ACC_DELTA + k] = r(r(S[ACC_DELTA + k]! * rho) + r(r(w * delta) * delta));
      // add_(delta, alpha=-lr): p + (-lr) delta, the same number as p - lr delta.
      S[k] = r(p - r(lrf * delta));
    }
  },
  wgsl: 'Adadelta.wgsl',
};
