// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT), checked by tests.
import type { ParamSchema } from '../../params.ts';
import type { Round, ScheduleDef, ScheduleNode } from '../types.ts';
import { powInt, scheduleSlots } from './common.ts';

const params = [
  {
    key: 'gamma',
    kind: 'number',
    required: true,
    default: 0.95,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 0.95, max: 1, scale: 'linear' },
    doc: 'Multiplicative factor of LR decay per step; required in torch (0.95 is its docstring example), not range-checked.',
  },
] as const satisfies readonly ParamSchema[];

const o = scheduleSlots(params);

export const ExponentialLR: ScheduleDef<typeof o> = {
  id: 'ExponentialLR',
  doc: 'Multiplies the LR by gamma every step: lr_k = lr * gamma ** k.',
  purpose: 'A smooth, steady decay: each step a little shorter than the last, so a run settles gradually rather than at set points.',
  reference:
    'torch/optim/lr_scheduler.py, ExponentialLR.get_lr (group lr unchanged in the initial step, else group lr * gamma) ' +
    'and _get_closed_form_lr (base_lr * gamma ** k).',
  params,
  slots: o,
  cyclesMomentum: () => false,
  // torch requires gamma (0.95 is its docstring's example, per epoch): per step over a 500-step run
  // it takes the LR to 8e-15, and the runs stop moving after ~50 steps. The editor proposes the gamma
  // that takes the LR down 100x over the run, 1 - gamma to four significant digits (gamma itself
  // rounded would be exactly 1, a flat schedule, from about 92,000 steps).
  fitRun: (steps: number) => ({ gamma: 1 - Number((1 - 0.01 ** (1 / Math.max(1, steps))).toPrecision(4)) }),
  evaluate(r: Round, P: Float64Array, node: ScheduleNode, k: number, baseLr: number, out: Float64Array): void {
    out[0] = r(r(baseLr) * powInt(r, r(P[node.base + o.gamma]!), k));
    out[1] = 0;
  },
};
