// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT) or S (length STATE_LEN), checked by tests.
import type { ParamSchema, ParamValues } from '../../params.ts';
import type { OptimizerDef, Round } from '../types.ts';
import { lrParam, maximizeParam, optimizerSlots, stateFields, stateSlots } from './common.ts';

const params = [
  {
    ...lrParam(1e-2, { min: 1e-4, max: 1, scale: 'log' }),
    doc: 'Initial per-coordinate step size (torch default 1e-2); torch reads it only when the state is created on the first step, so a schedule acts through its value at step 0 alone.',
  },
  {
    key: 'etas',
    kind: 'tuple',
    default: [0.5, 1.2],
    min: 0,
    max: Number.POSITIVE_INFINITY,
    minExclusive: true,
    typical: [{ min: 0.1, max: 0.9, scale: 'linear' }, { min: 1.05, max: 2, scale: 'linear' }],
    doc: '(etaminus, etaplus): step-size factors after a sign change and after a same-sign step; torch requires 0 < etaminus < 1 < etaplus.',
  },
  {
    key: 'step_sizes',
    kind: 'tuple',
    default: [1e-6, 50],
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    typical: [{ min: 1e-8, max: 1e-2, scale: 'log' }, { min: 1e-2, max: 100, scale: 'log' }],
    doc: '(min, max) clamp of the per-coordinate step sizes (torch does not check them; min > max clamps to max).',
  },
  maximizeParam(),
] as const satisfies readonly ParamSchema[];

const o = optimizerSlots(params);
// prev: the previous, possibly zeroed, gradient; step_size: the per-coordinate step sizes.
const st = stateSlots(['prev', 'step_size'] as const);

export const Rprop: OptimizerDef<typeof o, typeof st> = {
  id: 'Rprop',
  doc:
    'Resilient backpropagation (Riedmiller & Braun 1993) as torch.optim.Rprop: each coordinate moves by its own step size ' +
    'times sign(g); the step size grows by etaplus while the gradient keeps its sign and shrinks by etaminus when it flips ' +
    '(that step is skipped and the gradient forgotten), clamped to step_sizes. The LR only sets the initial step size.',
  reference:
    'torch/optim/rprop.py, _single_tensor_rprop (foreach=False, capturable=False, differentiable=False): ' +
    'grad = -grad if maximize; step += 1; sign = grad.mul(prev).sign(); sign[sign.gt(0)] = etaplus; ' +
    'sign[sign.lt(0)] = etaminus; sign[sign.eq(0)] = 1; step_size.mul_(sign).clamp_(step_size_min, step_size_max); ' +
    'grad = grad.clone(); grad[sign.eq(etaminus)] = 0; param.addcmul_(grad.sign(), step_size, value=-1); prev.copy_(grad). ' +
    'State init (first step): prev = 0, step_size = full_like(grad, group lr).',
  params,
  slots: o,
  ...stateFields(st),
  momentumParam: null,
  validate(values: ParamValues): string[] {
    const etas = values['etas'];
    if (!Array.isArray(etas)) return [];
    const [minus, plus] = etas as readonly number[];
    if (minus === undefined || plus === undefined) return [];
    if (!(minus > 0 && minus < 1 && plus > 1)) {
      return [`etas: Invalid eta values: ${minus}, ${plus} (torch requires 0 < etas.0 < 1 < etas.1)`];
    }
    return [];
  },
  // torch checks etas in Rprop's constructor only: a group's etas run as given (review 13: torch 1.13
  // steps a group with etas (0.5, 0.9); the element ranges of the schema still hold).
  validateGroup(): string[] {
    return [];
  },
  init(_r: Round, _P: Float64Array, S: Float64Array): void {
    for (let i = st.prev; i < st.step_size + 2; i++) S[i] = 0;
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
    const minus = r(P[o.etas_0]!);
    const plus = r(P[o.etas_1]!);
    const lo = r(P[o.step_sizes_0]!);
    const hi = r(P[o.step_sizes_1]!);
    const sign = P[o.maximize]! !== 0 ? -1 : 1;
    const first = t === 1;
    for (let k = 0; k < 2; k++) {
      const g = sign * r(k === 0 ? gx : gy);
      const s = r(g * S[st.prev + k]!);
      const f = s > 0 ? plus : s < 0 ? minus : 1;
      // clamp_(min, max) is min(max(x, min), max): max wins when min > max, as in torch.
      const ss = Math.min(Math.max(r((first ? r(lr) : S[st.step_size + k]!) * f), lo), hi);
      S[st.step_size + k] = ss;
      const d = f === minus ? 0 : g;
      S[st.prev + k] = d;
      S[k] = r(S[k]! - r(Math.sign(d) * ss));
    }
  },
};
