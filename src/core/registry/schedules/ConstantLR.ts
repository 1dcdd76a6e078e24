// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT), checked by tests.
import type { ParamSchema, ParamValues } from '../../params.ts';
import type { Round, ScheduleContext, ScheduleDef, ScheduleNode } from '../types.ts';
import { INT_MAX, num, scheduleSlots } from './common.ts';

const params = [
  {
    key: 'factor',
    kind: 'number',
    default: 1 / 3,
    min: 0,
    max: 1,
    typical: { min: 0.01, max: 1, scale: 'log' },
    doc: 'The LR is multiplied by this until total_iters; torch requires 0 <= factor <= 1.',
  },
  {
    key: 'total_iters',
    kind: 'int',
    default: 5,
    min: 0,
    max: INT_MAX,
    typical: { min: 0, max: 1, scale: 'linear', per: 'steps' },
    doc: 'Step at which the LR is divided back by factor (0: never, as torch applies factor at step 0 first).',
  },
] as const satisfies readonly ParamSchema[];

const o = scheduleSlots(params);

export const ConstantLR: ScheduleDef<typeof o> = {
  id: 'ConstantLR',
  doc: 'Multiplies the LR by factor for the first total_iters steps, then restores it.',
  purpose: 'A crude warm-up: a reduced LR for the first steps, then the full one.',
  reference:
    'torch/optim/lr_scheduler.py, ConstantLR.get_lr: k == 0: group lr * factor; k == total_iters: ' +
    'group lr * (1.0 / factor); otherwise unchanged. (Its _get_closed_form_lr is only used by SequentialLR, ' +
    'see SequentialLR.ts.)',
  params,
  slots: o,
  cyclesMomentum: () => false,
  // torch's default total_iters is 5 (epochs): over hundreds of steps the reduced stretch cannot be
  // seen. The editor proposes the first half of the run at the reduced LR.
  fitRun: (steps: number) => ({ total_iters: Math.max(1, Math.round(steps / 2)) }),
  validate(values: ParamValues, ctx: ScheduleContext): string[] {
    const factor = num(values, 'factor');
    const total = num(values, 'total_iters') ?? 0;
    if (factor === 0 && total >= 1 && total <= ctx.steps) {
      return [
        `factor: 0 makes torch raise ZeroDivisionError (lr * (1.0 / factor)) when it restores the LR at ` +
          `step total_iters = ${total}, which this ${ctx.steps}-step run reaches; use factor in (0, 1] or total_iters > ${ctx.steps}`,
      ];
    }
    return [];
  },
  evaluate(r: Round, P: Float64Array, node: ScheduleNode, k: number, baseLr: number, out: Float64Array): void {
    const b = node.base;
    const factor = r(P[b + o.factor]!);
    const total = P[b + o.total_iters]!;
    const scaled = r(r(baseLr) * factor);
    // torch restores by multiplying with 1 / factor, not by going back to the base LR; keeping its
    // arithmetic makes float64 agree with torch bit for bit. total_iters = 0 never restores,
    // because torch's `k == 0` branch wins over `k == total_iters`.
    out[0] = total >= 1 && k >= total ? r(scaled * r(1 / factor)) : scaled;
    out[1] = 0;
  },
};
