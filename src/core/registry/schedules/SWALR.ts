// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT), checked by tests.
import type { ParamSchema } from '../../params.ts';
import type { Round, ScheduleDef, ScheduleNode } from '../types.ts';
import { cosWeight, INT_MAX, scheduleSlots } from './common.ts';

const params = [
  {
    key: 'swa_lr',
    kind: 'number',
    lr: true,
    perGroup: true,
    required: true,
    default: 0.05,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 1e-5, max: 1e-1, scale: 'log' },
    doc: 'LR annealed to and then held; required in torch (0.05 is its docstring example), not range-checked.',
  },
  {
    key: 'anneal_epochs',
    kind: 'int',
    default: 10,
    min: 0,
    max: INT_MAX,
    typical: { min: 0, max: 0.5, scale: 'linear', per: 'steps' },
    doc: 'Scheduler steps of the anneal from the optimizer lr to swa_lr (0: swa_lr from step 0); torch requires an integer >= 0.',
  },
  {
    key: 'anneal_strategy',
    kind: 'enum',
    values: ['cos', 'linear'],
    default: 'cos',
    doc: 'Shape of the anneal: alpha = (1 - cos(pi t)) / 2 or alpha = t, t = k / anneal_epochs.',
  },
] as const satisfies readonly ParamSchema[];

const o = scheduleSlots(params);

/*
 * torch's SWALR.get_lr works from _step_count (step = _step_count - 1 = k after k scheduler steps;
 * max(1, step) when anneal_epochs = 0): it recovers the LR the anneal started from,
 *   lr0 = (lr - alpha_prev * swa_lr) / (1 - alpha_prev)   (swa_lr once alpha_prev = 1),
 * with alpha_prev = anneal(clamp((step - 1) / max(1, A), 0, 1)), then returns
 *   swa_lr * alpha + lr0 * (1 - alpha),   alpha = anneal(clamp(step / max(1, A), 0, 1)).
 * At step 0 alpha = alpha_prev = 0, so lr0 is the optimizer's lr, and each later step recovers that
 * same lr0: the LR after k steps is swa_lr * alpha_k + lr * (1 - alpha_k), then swa_lr from k = A on.
 * Both weights are formed from the integers (k, A - k), never as 1 - alpha (see cosWeight).
 */
export const SWALR: ScheduleDef<typeof o> = {
  id: 'SWALR',
  doc: 'Stochastic Weight Averaging LR (Izmailov et al. 2018): anneals the LR from the optimizer lr to swa_lr over anneal_epochs steps (cosine or linear), then holds swa_lr.',
  purpose: 'Holds a constant, fairly large LR for weight averaging: the iterates keep moving around the minimum, and their average (SWA) lands nearer its centre than any one of them.',
  reference:
    'torch/optim/swa_utils.py, SWALR.get_lr (step = _step_count - 1, max(1, step) if anneal_epochs == 0; ' +
    'prev_t = clamp((step - 1) / max(1, anneal_epochs)), t = clamp(step / max(1, anneal_epochs)); ' +
    'lr0 = _get_initial_lr(group lr, swa_lr, anneal_func(prev_t)); lr = swa_lr * alpha + lr0 * (1 - alpha)) with ' +
    '_cosine_anneal(t) = (1 - cos(pi t)) / 2 and _linear_anneal(t) = t.',
  params,
  slots: o,
  cyclesMomentum: () => false,
  // With anneal_epochs = 0 torch's get_lr takes t = 1 from the first step on (step = max(1, step)):
  // the LR is swa_lr throughout and the optimiser's lr is never read.
  lrSetter: (values) => (values['anneal_epochs'] === 0 ? 'swa_lr' : null),
  evaluate(r: Round, P: Float64Array, node: ScheduleNode, k: number, baseLr: number, out: Float64Array): void {
    const b = node.base;
    const swa = r(P[b + o.swa_lr]!);
    const n = P[b + o.anneal_epochs]!;
    out[1] = 0;
    if (n === 0) {
      out[0] = swa;
      return;
    }
    const a = Math.min(k, n);
    const q = n - a;
    let alpha: number;
    let keep: number;
    if (P[b + o.anneal_strategy]! === o.anneal_strategy_cos) {
      // (1 - cos(pi a / n)) / 2 = (1 + cos(pi q / n)) / 2, and its complement.
      alpha = cosWeight(r, q, a, n);
      keep = cosWeight(r, a, q, n);
    } else {
      alpha = r(a / n);
      keep = r(q / n);
    }
    out[0] = r(r(swa * alpha) + r(r(baseLr) * keep));
  },
};
