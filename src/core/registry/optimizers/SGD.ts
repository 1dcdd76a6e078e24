// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT) or S (length STATE_LEN), checked by tests.
import type { ParamSchema, ParamValues } from '../../params.ts';
import type { OptimizerDef, Round } from '../types.ts';
import { lrParam, maximizeParam, num, optimizerSlots, stateFields, stateSlots, weightDecayParam } from './common.ts';

const params = [
  lrParam(1e-3, { min: 1e-2, max: 10, scale: 'log', per: '1/sharpness' }),
  {
    key: 'momentum',
    kind: 'number',
    default: 0,
    min: 0,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 0, max: 0.99, scale: 'linear' },
    doc: 'Momentum factor; torch only rejects momentum < 0 (no upper bound).',
  },
  {
    key: 'dampening',
    kind: 'number',
    default: 0,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 0, max: 0.9, scale: 'linear' },
    doc: 'Dampening of the gradient added to the momentum buffer, from the second step on (torch does not check it).',
  },
  weightDecayParam(0, 'L2 penalty added to the gradient: g + weight_decay * p.'),
  { key: 'nesterov', kind: 'bool', default: false, doc: 'Nesterov momentum: step along g + momentum * buf instead of buf.' },
  maximizeParam(),
] as const satisfies readonly ParamSchema[];

const o = optimizerSlots(params);

// momentum_buffer; has_buffer (x): 1 once the buffer exists. torch creates the buffer (as a copy of
// the gradient, undampened) on the first step whose momentum is non-zero, which is step 1 unless a
// momentum-cycling schedule starts at 0, so a flag is exact where `t == 1` is not.
const st = stateSlots(['momentum_buffer', 'has_buffer'] as const);

export const SGD: OptimizerDef<typeof o, typeof st> = {
  id: 'SGD',
  doc: 'Stochastic gradient descent with optional (Nesterov) momentum, dampening, L2 weight decay and maximize, as torch.optim.SGD.',
  reference:
    'torch/optim/sgd.py, _single_tensor_sgd (foreach=False, fused=False): grad = -grad if maximize; ' +
    'if weight_decay != 0: grad = grad.add(param, alpha=weight_decay); if momentum != 0: buf = grad.clone() ' +
    'when momentum_buffer is None else buf.mul_(momentum).add_(grad, alpha=1 - dampening); ' +
    'grad = grad.add(buf, alpha=momentum) if nesterov else buf; param.add_(grad, alpha=-lr).',
  params,
  slots: o,
  ...stateFields(st),
  momentumParam: 'momentum',
  validate(values: ParamValues): string[] {
    const momentum = num(values, 'momentum', 0);
    const dampening = num(values, 'dampening', 0);
    if (values['nesterov'] === true && (momentum <= 0 || dampening !== 0)) {
      return [
        `nesterov: Nesterov momentum requires a momentum and zero dampening ` +
          `(needs momentum > 0 and dampening = 0; got momentum=${momentum}, dampening=${dampening})`,
      ];
    }
    return [];
  },
  // torch.optim.SGD checks nesterov on its constructor's values only: a group with nesterov and momentum 0
  // runs as plain SGD (the momentum branch is skipped, as in step below), one with dampening runs
  // the formula as written (review 12: refusing them refused legal torch setups).
  validateGroup(): string[] {
    return [];
  },
  init(_r: Round, _P: Float64Array, S: Float64Array): void {
    S[st.momentum_buffer] = 0;
    S[st.momentum_buffer + 1] = 0;
    S[st.has_buffer] = 0;
    S[st.has_buffer + 1] = 0;
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
    const wd = r(P[o.weight_decay]!);
    // `1 - dampening` is a Python float in torch; here it is the f32 the shader computes.
    const keep = r(1 - r(P[o.dampening]!));
    const nesterov = P[o.nesterov]! !== 0;
    const sign = P[o.maximize]! !== 0 ? -1 : 1;
    const fresh = mu !== 0 && S[st.has_buffer]! === 0;
    for (let k = 0; k < 2; k++) {
      const p = S[k]!;
      let g = sign * r(k === 0 ? gx : gy);
      if (wd !== 0) g = r(g + r(wd * p));
      if (mu !== 0) {
        let buf: number;
        if (fresh) buf = g;
        else buf = r(r(S[st.momentum_buffer + k]! * mu) + r(keep * g));
        S[st.momentum_buffer + k] = buf;
        g = nesterov ? r(g + r(mu * buf)) : buf;
      }
      S[k] = r(p - r(lrf * g));
    }
    if (fresh) S[st.has_buffer] = 1;
  },
  // Two steps per pass won in every `bench --unroll` run (1.09-1.18x); for the other optimisers
  // it was a loss (Rprop 0.6x, Adafactor 0.8x) or within run-to-run noise (docs/performance.md, 13).
  gpuTwoStepsPerPass: true,
};
