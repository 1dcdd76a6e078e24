// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT) or S (length STATE_LEN), checked by tests.
import type { ParamSchema } from '../../params.ts';
import type { OptimizerDef, Round } from '../types.ts';
import { epsParam, lrParam, maximizeParam, optimizerSlots, stateFields, stateSlots, weightDecayParam } from './common.ts';

const params = [
  lrParam(1e-2, { min: 1e-3, max: 10, scale: 'log' }),
  {
    key: 'lr_decay',
    kind: 'number',
    default: 0,
    min: 0,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 1e-4, max: 1, scale: 'log' },
    doc: 'Step-size decay: step t uses lr / (1 + (t - 1) * lr_decay).',
  },
  weightDecayParam(0, 'L2 penalty added to the gradient: g + weight_decay * p.'),
  {
    key: 'initial_accumulator_value',
    kind: 'number',
    default: 0,
    min: 0,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 0, max: 1, scale: 'linear' },
    doc: 'Starting value of the running sum of squared gradients.',
  },
  epsParam(1e-10, 'Added to sqrt(sum) in the denominator.'),
  maximizeParam(),
] as const satisfies readonly ParamSchema[];

const o = optimizerSlots(params);
// state["sum"].
const st = stateSlots(['sum'] as const);

export const Adagrad: OptimizerDef<typeof o, typeof st> = {
  id: 'Adagrad',
  doc: 'Adagrad: per-coordinate step lr / (sqrt(sum of squared gradients) + eps), with lr_decay, L2 weight decay and maximize, as torch.optim.Adagrad.',
  reference:
    'torch/optim/adagrad.py, _single_tensor_adagrad (foreach=False, fused=False, dense grads): step_t += 1; ' +
    'grad = -grad if maximize; if weight_decay != 0: grad = grad.add(param, alpha=weight_decay); ' +
    'clr = lr / (1 + (step - 1) * lr_decay); state_sum.addcmul_(grad, grad, value=1); ' +
    'std = state_sum.sqrt().add_(eps); param.addcdiv_(grad, std, value=-clr). ' +
    'state["sum"] = torch.full_like(p, initial_accumulator_value).',
  params,
  slots: o,
  ...stateFields(st),
  momentumParam: null,
  // torch fills state['sum'] in the constructor from its own argument; a group's value is kept in
  // the group but never read (review 14: basinlab applied it, 2.4% off torch from the first step).
  globalParams: { initial_accumulator_value: "torch fills state['sum'] in the constructor from its own argument, never a group's" },
  init(r: Round, P: Float64Array, S: Float64Array): void {
    const init = r(P[o.initial_accumulator_value]!);
    S[st.sum] = init;
    S[st.sum + 1] = init;
  },
  step(
    r: Round,
    P: Float64Array,
    S: Float64Array,
    gx: number,
    gy: number,
    lr: number,
    _mom: number,
    t: number,
    _sc: Float64Array,
  ): void {
    const wd = r(P[o.weight_decay]!);
    const eps = r(P[o.eps]!);
    const sign = P[o.maximize]! !== 0 ? -1 : 1;
    // torch evaluates clr in Python float64; the shader has f32 only. Three operations, so no
    // stepScalars: a table read would cost as much.
    const clr = r(r(lr) / r(1 + r(r(t - 1) * r(P[o.lr_decay]!))));
    for (let k = 0; k < 2; k++) {
      const p = S[k]!;
      let g = sign * r(k === 0 ? gx : gy);
      if (wd !== 0) g = r(g + r(wd * p));
      const sum = r(S[st.sum + k]! + r(g * g));
      S[st.sum + k] = sum;
      const denom = r(r(Math.sqrt(sum)) + eps);
      // addcdiv: self + (value * t1) / t2, value = -clr.
      S[k] = r(p + r(r(-clr * g) / denom));
    }
  },
};
