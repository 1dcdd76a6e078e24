// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT), checked by tests.
import type { ParamSchema } from '../../params.ts';
import type { Round, ScheduleDef, ScheduleNode } from '../types.ts';
import { INT_MAX, isSet, powInt, scheduleSlots } from './common.ts';

const params = [
  {
    key: 'milestones',
    kind: 'int-list',
    required: true,
    default: [30, 80],
    min: 0,
    max: INT_MAX,
    maxLength: 8,
    // torch keeps a Counter: the order does not matter (review 14: basinlab refused [30, 12, 5]).
    ordered: false,
    doc: 'Steps at which the LR is multiplied by gamma (a repeated milestone multiplies by gamma ** count), in any order (torch counts them); required in torch ([30, 80] is its docstring example).',
  },
  {
    key: 'gamma',
    kind: 'number',
    default: 0.1,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 0.01, max: 1, scale: 'log' },
    doc: 'Multiplicative factor of LR decay at each milestone (torch does not check it).',
  },
] as const satisfies readonly ParamSchema[];

const o = scheduleSlots(params);

export const MultiStepLR: ScheduleDef<typeof o> = {
  id: 'MultiStepLR',
  doc: 'Multiplies the LR by gamma at each milestone: lr_k = lr * gamma ** (number of milestones <= k).',
  purpose: 'A staircase: the LR multiplied by gamma at the steps you choose (often at about half and three quarters of training), large steps to travel, then smaller ones to settle.',
  reference:
    'torch/optim/lr_scheduler.py, MultiStepLR: milestones = Counter(milestones); get_lr multiplies the group lr by ' +
    'gamma ** milestones[k] when k is a milestone (including k = 0 at construction); ' +
    '_get_closed_form_lr = base_lr * gamma ** bisect_right(sorted(milestones.elements()), k).',
  params,
  slots: o,
  cyclesMomentum: () => false,
  // torch requires milestones ([30, 80] is its docstring's example, epochs): the editor proposes the
  // same two drops at half and three quarters of the run (on a run of 1 or 3 steps both fall on one
  // step, a double drop, which torch allows; on 2 the second is never reached).
  fitRun: (steps: number) => ({ milestones: [Math.max(1, Math.round(steps / 2)), Math.max(1, Math.round((3 * steps) / 4))] }),
  evaluate(r: Round, P: Float64Array, node: ScheduleNode, k: number, baseLr: number, out: Float64Array): void {
    const b = node.base;
    let count = 0;
    // Every milestone slot, first to last (unused ones hold PARAM_UNSET).
    for (let i = o.milestones_0; i <= o.milestones_7; i++) {
      const m = P[b + i]!;
      if (isSet(m) && m <= k) count++;
    }
    out[0] = r(r(baseLr) * powInt(r, r(P[b + o.gamma]!), count));
    out[1] = 0;
  },
};
