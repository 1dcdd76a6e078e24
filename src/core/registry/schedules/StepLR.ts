// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT), checked by tests.
import type { ParamSchema } from '../../params.ts';
import type { Round, ScheduleDef, ScheduleNode } from '../types.ts';
import { INT_MAX, powInt, scheduleSlots } from './common.ts';

const params = [
  {
    key: 'step_size',
    kind: 'int',
    required: true,
    default: 30,
    min: 1,
    max: INT_MAX,
    typical: { min: 0.05, max: 1, scale: 'linear', per: 'steps' },
    doc: 'Period of LR decay in scheduler steps; required in torch (30 is its docstring example), and 0 makes torch divide by zero at the first step.',
  },
  {
    key: 'gamma',
    kind: 'number',
    default: 0.1,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 0.01, max: 1, scale: 'log' },
    doc: 'Multiplicative factor of LR decay applied every step_size steps (torch does not check it).',
  },
] as const satisfies readonly ParamSchema[];

const o = scheduleSlots(params);

export const StepLR: ScheduleDef<typeof o> = {
  id: 'StepLR',
  doc: 'Multiplies the LR by gamma every step_size steps: lr_k = lr * gamma ** (k // step_size).',
  purpose: 'Large steps to travel, then smaller ones to settle: the staircase of classic image-classification training (the LR divided by 10 every so many epochs).',
  reference:
    'torch/optim/lr_scheduler.py, StepLR.get_lr (chainable: group lr * gamma when k > 0 and k % step_size == 0) ' +
    'and StepLR._get_closed_form_lr (base_lr * gamma ** (k // step_size)).',
  params,
  slots: o,
  cyclesMomentum: () => false,
  // torch has no default (30 is its docstring's example, epochs of a 90-epoch ImageNet run: three
  // drops); the editor proposes the same three drops over the run, so a 500-step run ends at
  // gamma^3 of its LR, not at gamma^16.
  fitRun: (steps: number) => ({ step_size: Math.max(1, Math.round(steps / 4)) }),
  evaluate(r: Round, P: Float64Array, node: ScheduleNode, k: number, baseLr: number, out: Float64Array): void {
    const b = node.base;
    const n = Math.floor(k / P[b + o.step_size]!);
    out[0] = r(r(baseLr) * powInt(r, r(P[b + o.gamma]!), n));
    out[1] = 0;
  },
};
