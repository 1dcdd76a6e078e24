// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT) or S (length STATE_LEN), checked by tests.
import type { ParamSchema } from '../../params.ts';
import type { OptimizerDef, Round } from '../types.ts';
import { lrParam, maximizeParam, optimizerSlots, stateFields, stateSlots, weightDecayParam } from './common.ts';

const params = [
  lrParam(1e-2, { min: 1e-2, max: 10, scale: 'log', per: '1/sharpness' }),
  {
    key: 'lambd',
    kind: 'number',
    default: 1e-4,
    min: 0,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 1e-6, max: 1e-1, scale: 'log' },
    doc: 'Decay term: p *= 1 - lambd * eta each step, and eta = lr / (1 + lambd * lr * t) ** alpha. torch does not check it, and raises at the step where 1 + lambd * lr * t reaches 0 or below (1.13: ValueError: math domain error; ZeroDivisionError at 0); basinlab refuses every lambd < 0 (WGSL leaves pow of a negative base undefined).',
  },
  {
    key: 'alpha',
    kind: 'number',
    default: 0.75,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 0.5, max: 1, scale: 'linear' },
    doc: 'Power of the step-size decay eta = lr / (1 + lambd * lr * t) ** alpha (below 0 the step size grows; torch does not check it).',
  },
  {
    key: 't0',
    kind: 'number',
    default: 1e6,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 1, max: 1e4, scale: 'log' },
    doc: 'Averaging start: mu = 1 / max(1, t - t0) is set after step t, so ax copies p through step t0 + 2 and averages from t0 + 3 (torch does not check t0).',
  },
  weightDecayParam(0, 'L2 penalty added to the gradient: g + weight_decay * p.'),
  maximizeParam(),
] as const satisfies readonly ParamSchema[];

const o = optimizerSlots(params);
// ax: the averaged iterate; eta (x): the step size of the next step.
const st = stateSlots(['ax', 'eta'] as const);

/*
 * torch keeps eta and mu as state and updates both at the end of each step from the step count:
 *   eta <- lr / (1 + lambd * lr * t) ** alpha,   mu <- 1 / max(1, t - t0)
 * with eta = group lr and mu = 1 before the first step. So step t uses eta computed with the LR of
 * step t - 1 (and the LR of step 1 itself on step 1), and mu_t = 1 / max(1, t - 1 - t0) (1 on step 1).
 *
 * Neither goes into stepScalars: eta depends on the scheduled LR, which stepScalars do not see (it
 * is state here, computed with one pow per step as torch does), and mu is three operations and a
 * select, cheaper than a table read. The LR is read at t = 1 (torch's lazy state init), so a
 * schedule's value at k = 0 is honoured.
 */
export const ASGD: OptimizerDef<typeof o, typeof st> = {
  id: 'ASGD',
  doc:
    'Averaged SGD (Polyak & Juditsky 1992) as torch.optim.ASGD: p *= 1 - lambd * eta, p -= eta * g with a step size ' +
    'eta = lr / (1 + lambd * lr * t) ** alpha that decays from lr, and the averaged iterate ax (state, not the position) ' +
    'that copies p until t0 and averages it after. The position reported is p, as in torch.',
  reference:
    'torch/optim/asgd.py, _single_tensor_asgd (foreach=False, capturable=False): grad = -grad if maximize; step_t += 1; ' +
    'if weight_decay != 0: grad = grad.add(param, alpha=weight_decay); eta_value = _get_value(eta); ' +
    'param.mul_(1 - lambd * eta_value); param.add_(grad, alpha=-eta_value); if mu.item() != 1: ' +
    'ax.add_(param.sub(ax).mul_(mu)) else ax.copy_(param); new_eta = lr / ((1 + lambd * lr * step) ** alpha); ' +
    'new_mu = 1 / max(1, step - t0). State init: eta = group lr, mu = 1, ax = 0.',
  params,
  slots: o,
  ...stateFields(st),
  momentumParam: null,
  init(_r: Round, _P: Float64Array, S: Float64Array): void {
    for (let i = st.ax; i < st.eta + 2; i++) S[i] = 0;
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
    const lrf = r(lr);
    const lambd = r(P[o.lambd]!);
    const wd = r(P[o.weight_decay]!);
    const sign = P[o.maximize]! !== 0 ? -1 : 1;
    const first = t === 1;
    const eta = first ? lrf : S[st.eta]!;
    const decay = r(1 - r(lambd * eta));
    const mu = first ? 1 : r(1 / Math.max(1, r(r(t - 1) - r(P[o.t0]!))));
    for (let k = 0; k < 2; k++) {
      let p = S[k]!;
      let g = sign * r(k === 0 ? gx : gy);
      if (wd !== 0) g = r(g + r(wd * p));
      p = r(p * decay);
      p = r(p - r(eta * g));
      S[k] = p;
      const ax = S[st.ax + k]!;
      S[st.ax + k] = mu !== 1 ? r(ax + r(r(p - ax) * mu)) : p;
    }
    S[st.eta] = r(lrf / r(Math.pow(r(1 + r(r(lambd * lrf) * t)), r(P[o.alpha]!))));
  },
};
