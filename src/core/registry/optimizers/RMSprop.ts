// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT) or S (length STATE_LEN), checked by tests.
import type { ParamSchema } from '../../params.ts';
import type { OptimizerDef, Round } from '../types.ts';
import { epsParam, lerp, lrParam, maximizeParam, optimizerSlots, stateFields, stateSlots, weightDecayParam } from './common.ts';

const params = [
  lrParam(1e-2, { min: 1e-4, max: 1, scale: 'log' }),
  {
    key: 'alpha',
    kind: 'number',
    default: 0.99,
    min: 0,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 0.5, max: 0.999, scale: 'linear' },
    doc: 'Smoothing constant of the squared-gradient average; torch only rejects alpha < 0 (no upper bound).',
  },
  epsParam(1e-8, 'Added after the square root: g / (sqrt(v) + eps).'),
  weightDecayParam(0, 'L2 penalty added to the gradient: g + weight_decay * p.'),
  {
    key: 'momentum',
    kind: 'number',
    default: 0,
    min: 0,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 0, max: 0.99, scale: 'linear' },
    doc: 'Momentum factor of the buffer buf = momentum * buf + g / (sqrt(v) + eps); 0 disables it.',
  },
  { key: 'centered', kind: 'bool', default: false, doc: 'Normalise by the variance estimate v - mean(g)^2 instead of v.' },
  maximizeParam(),
] as const satisfies readonly ParamSchema[];

const o = optimizerSlots(params);
const st = stateSlots(['square_avg', 'momentum_buffer', 'grad_avg'] as const);

export const RMSprop: OptimizerDef<typeof o, typeof st> = {
  id: 'RMSprop',
  doc: 'RMSprop: step g / (sqrt(v) + eps) with v a running average of g^2, optionally centered and with momentum, as torch.optim.RMSprop.',
  reference:
    'torch/optim/rmsprop.py, _single_tensor_rmsprop (foreach=False, capturable=False): grad = -grad if maximize; ' +
    'if weight_decay != 0: grad = grad.add(param, alpha=weight_decay); ' +
    'square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha); if centered: grad_avg.lerp_(grad, 1 - alpha); ' +
    'avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_() else avg = square_avg.sqrt(); avg = avg.add_(eps); ' +
    'if momentum > 0: buf.mul_(momentum).addcdiv_(grad, avg); param.add_(buf, alpha=-lr) ' +
    'else param.addcdiv_(grad, avg, value=-lr). Buffers start at zero.',
  params,
  slots: o,
  ...stateFields(st),
  momentumParam: 'momentum',
  // torch: `if group['momentum'] > 0: state['momentum_buffer'] = zeros` at the first step only.
  momentumBufferAtFirstStep: true,
  init(_r: Round, _P: Float64Array, S: Float64Array): void {
    for (let i = st.square_avg; i < st.grad_avg + 2; i++) S[i] = 0;
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
    _sc: Float64Array,
  ): void {
    const lrf = r(lr);
    const mu = r(mom);
    const alpha = r(P[o.alpha]!);
    const oneMinusAlpha = r(1 - alpha);
    const eps = r(P[o.eps]!);
    const wd = r(P[o.weight_decay]!);
    const centered = P[o.centered]! !== 0;
    const sign = P[o.maximize]! !== 0 ? -1 : 1;
    for (let k = 0; k < 2; k++) {
      const p = S[k]!;
      let g = sign * r(k === 0 ? gx : gy);
      if (wd !== 0) g = r(g + r(wd * p));
      // addcmul: self + (value * t1) * t2.
      const sq = r(r(S[st.square_avg + k]! * alpha) + r(r(oneMinusAlpha * g) * g));
      S[st.square_avg + k] = sq;
      let avg: number;
      if (centered) {
        const ga = lerp(r, S[st.grad_avg + k]!, g, oneMinusAlpha);
        S[st.grad_avg + k] = ga;
        // Rounding can make this negative (NaN after sqrt), exactly as in torch.
        avg = r(Math.sqrt(r(sq - r(ga * ga))));
      } else {
        avg = r(Math.sqrt(sq));
      }
      avg = r(avg + eps);
      if (mu > 0) {
        const buf = r(r(S[st.momentum_buffer + k]! * mu) + r(g / avg));
        S[st.momentum_buffer + k] = buf;
        S[k] = r(p - r(lrf * buf));
      } else {
        S[k] = r(p + r(r(-lrf * g) / avg));
      }
    }
  },
};
