// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT), checked by tests.
import type { ParamSchema, ParamValues } from '../../params.ts';
import type { Round, ScheduleContext, ScheduleDef, ScheduleNode } from '../types.ts';
import { INT_MAX, num, powReal, scheduleSlots } from './common.ts';

const params = [
  {
    key: 'total_iters',
    kind: 'int',
    default: 5,
    min: 0,
    max: INT_MAX,
    typical: { min: 0.1, max: 2, scale: 'linear', per: 'steps' },
    doc: 'Steps over which the LR decays to 0 and stays there (0: the LR never changes, as torch\'s chainable form gives).',
  },
  {
    key: 'power',
    kind: 'number',
    default: 1.0,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 0.1, max: 5, scale: 'log' },
    doc: 'Power of the decay (1 - k / total_iters) ** power (torch does not check it; a negative power divides by zero at total_iters).',
  },
] as const satisfies readonly ParamSchema[];

const o = scheduleSlots(params);

export const PolynomialLR: ScheduleDef<typeof o> = {
  id: 'PolynomialLR',
  doc: 'Decays the LR polynomially to 0 over total_iters steps: lr_k = lr * (1 - min(k, total_iters) / total_iters) ** power.',
  purpose: 'Decays to exactly 0 at total_iters: power 1 is a straight line, a larger power drops faster early and creeps at the end.',
  reference:
    'torch/optim/lr_scheduler.py, PolynomialLR.get_lr (chainable: group lr unchanged in the initial step and after ' +
    'total_iters, else group lr * ((1 - k / total_iters) / (1 - (k - 1) / total_iters)) ** power) and _get_closed_form_lr ' +
    '(base_lr * (1 - min(total_iters, k) / total_iters) ** power).',
  params,
  slots: o,
  cyclesMomentum: () => false,
  // The decay reaches 0 at the run's last step, not at step 5 (torch's default) with the rest of the run at LR 0.
  fitRun: (steps: number) => ({ total_iters: steps }),
  validate(values: ParamValues, ctx: ScheduleContext): string[] {
    const total = num(values, 'total_iters') ?? 0;
    const power = num(values, 'power') ?? 1;
    if (power < 0 && total >= 1 && total <= ctx.steps) {
      return [
        `power: a negative power makes torch raise ZeroDivisionError (0.0 ** ${power}) at step total_iters = ${total}, ` +
          `which this ${ctx.steps}-step run reaches; use power >= 0 or total_iters > ${ctx.steps}`,
      ];
    }
    return [];
  },
  evaluate(r: Round, P: Float64Array, node: ScheduleNode, k: number, baseLr: number, out: Float64Array): void {
    const b = node.base;
    const t = P[b + o.total_iters]!;
    let factor = 1;
    if (t > 0) {
      // (T - m) / T rather than torch's 1 - m / T: exact integers over T, so the factor keeps its
      // relative precision in f32 near the end of the decay.
      const m = Math.min(k, t);
      factor = powReal(r, r((t - m) / t), r(P[b + o.power]!));
    }
    out[0] = r(r(baseLr) * factor);
    out[1] = 0;
  },
};
