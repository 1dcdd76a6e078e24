// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT), checked by tests.
import type { ParamSchema, ParamValues } from '../../params.ts';
import type { Round, ScheduleContext, ScheduleDef, ScheduleNode } from '../types.ts';
import { cosWeight, INT_MAX, isSet, num, scheduleSlots } from './common.ts';
import { momentumSupportErrors } from './CyclicLR.ts';

const params = [
  {
    key: 'max_lr',
    kind: 'number',
    lr: true,
    perGroup: true,
    required: true,
    default: 0.01,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 1e-4, max: 1e-1, scale: 'log' },
    doc: 'Peak LR (the optimizer lr is ignored, as torch does); required in torch (0.01 is its docstring example).',
  },
  {
    key: 'total_steps',
    kind: 'optional-int',
    default: null,
    min: 1,
    max: INT_MAX,
    typical: { min: 1, max: 2, scale: 'linear', per: 'steps' },
    doc: 'Length of the cycle in steps (torch requires a positive integer); None means epochs * steps_per_epoch.',
  },
  {
    key: 'epochs',
    kind: 'optional-int',
    default: null,
    min: 1,
    max: INT_MAX,
    typical: { min: 1, max: 100, scale: 'log' },
    doc: 'With steps_per_epoch, gives total_steps = epochs * steps_per_epoch when total_steps is None.',
  },
  {
    key: 'steps_per_epoch',
    kind: 'optional-int',
    default: null,
    min: 1,
    max: INT_MAX,
    typical: { min: 1, max: 100, scale: 'log' },
    doc: 'With epochs, gives total_steps = epochs * steps_per_epoch when total_steps is None.',
  },
  {
    key: 'pct_start',
    kind: 'number',
    default: 0.3,
    min: 0,
    max: 1,
    typical: { min: 0.05, max: 0.95, scale: 'linear' },
    doc: 'Fraction of the cycle spent increasing the LR; torch requires 0 <= pct_start <= 1.',
  },
  {
    key: 'anneal_strategy',
    kind: 'enum',
    values: ['cos', 'linear'],
    default: 'cos',
    doc: 'Shape of every phase: cosine or linear interpolation between its end points.',
  },
  {
    key: 'cycle_momentum',
    kind: 'bool',
    default: true,
    doc: "Cycle the optimizer's momentum (SGD, RMSprop) or beta1 (Adam family) inversely to the LR. As a SequentialLR child it also sets the momentum while the children that do not cycle it run, as torch's constructors write it (the catalogue's torch facts).",
  },
  {
    key: 'base_momentum',
    kind: 'number',
    perGroup: true,
    perGroupOnlyIf: 'cycle_momentum',
    default: 0.85,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 0.5, max: 0.95, scale: 'linear' },
    doc: 'Momentum at the LR peak when cycling (torch does not check it).',
  },
  {
    key: 'max_momentum',
    kind: 'number',
    perGroup: true,
    perGroupOnlyIf: 'cycle_momentum',
    default: 0.95,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    // From base_momentum's default up: below it the cycle runs the other way round (the momentum
    // rising with the LR), which an axis proposed for it should not hold unmarked (walkthrough 16).
    typical: { min: 0.85, max: 0.99, scale: 'linear' },
    doc: 'Momentum at the start and end of the cycle when cycling; replaces the optimizer momentum/beta1, as in torch.',
  },
  {
    key: 'div_factor',
    kind: 'number',
    default: 25,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 1, max: 1000, scale: 'log' },
    doc: 'Initial LR = max_lr / div_factor (must not be 0: torch would divide by zero).',
  },
  {
    key: 'final_div_factor',
    kind: 'number',
    default: 1e4,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 1, max: 1e5, scale: 'log' },
    doc: 'Final LR = initial LR / final_div_factor (must not be 0: torch would divide by zero).',
  },
  {
    key: 'three_phase',
    kind: 'bool',
    default: false,
    doc: 'Add a third phase: back down to the initial LR symmetrically, then anneal to the final LR.',
  },
] as const satisfies readonly ParamSchema[];

const o = scheduleSlots(params);

/** torch's total_steps: the explicit value, else epochs * steps_per_epoch, else null (torch raises). */
export function oneCycleTotalSteps(values: ParamValues): number | null {
  const total = num(values, 'total_steps');
  if (total !== null) return total;
  const epochs = num(values, 'epochs');
  const perEpoch = num(values, 'steps_per_epoch');
  return epochs !== null && perEpoch !== null ? epochs * perEpoch : null;
}

/**
 * Steps k in [0, last] at which torch's get_lr divides by zero: a phase whose end_step equals its
 * start_step (e.g. pct_start * total_steps == 1 gives phase 1 zero length, pct_start = 1 gives the
 * last phase zero length). Phase bounds are computed exactly as torch does, in float64.
 */
function zeroLengthPhaseErrors(values: ParamValues, n: number, last: number): string[] {
  const pct = num(values, 'pct_start') ?? 0.3;
  const ends =
    values['three_phase'] === true ? [pct * n - 1, 2 * pct * n - 2, n - 1] : [pct * n - 1, n - 1];
  const errors: string[] = [];
  let start = 0;
  let prevMax = Number.NEGATIVE_INFINITY;
  ends.forEach((end, i) => {
    const isLast = i === ends.length - 1;
    const kMin = Math.max(0, Math.floor(prevMax) + 1);
    const kMax = isLast ? last : Math.min(last, Math.floor(end));
    if (end - start === 0 && kMin <= kMax) {
      errors.push(
        `pct_start: with pct_start = ${pct} and total_steps = ${n}, phase ${i + 1} of torch's schedule has zero length ` +
          `(start_step = end_step = ${end}), so get_lr divides by zero (ZeroDivisionError) at step ${kMin}, which this run reaches`,
      );
    }
    prevMax = Math.max(prevMax, end);
    start = end;
  });
  return errors;
}

export const OneCycleLR: ScheduleDef<typeof o> = {
  id: 'OneCycleLR',
  doc: '1cycle policy (Smith & Topin 2017): warm up from max_lr / div_factor to max_lr, then anneal to max_lr / (div_factor * final_div_factor), optionally cycling momentum the opposite way.',
  purpose: 'One rise and one long fall: the warm-up to a large LR lets training move fast, and the long anneal to a tiny LR settles it.',
  reference:
    'torch/optim/lr_scheduler.py, OneCycleLR.__init__ (phase end_steps float(pct_start * total_steps) - 1, ' +
    'float(2 * pct_start * total_steps) - 2, total_steps - 1; group initial_lr/max_lr/min_lr) and get_lr ' +
    '(pct = (k - start_step) / (end_step - start_step); _annealing_cos / _annealing_linear; raises when k > total_steps).',
  params,
  slots: o,
  lrSetter: () => 'max_lr',
  // Unset is torch's default, True (an editor's draft may not write it).
  cyclesMomentum: (values: ParamValues) => values['cycle_momentum'] !== false,
  // torch requires total_steps; the cycle is the whole run (what OneCycleLR is for).
  fitRun: (steps: number) => ({ total_steps: steps }),
  validate(values: ParamValues, ctx: ScheduleContext): string[] {
    const errors: string[] = [];
    const n = oneCycleTotalSteps(values);
    if (n === null) {
      errors.push(
        'total_steps: You must define either total_steps OR (epochs AND steps_per_epoch) (torch raises ValueError)',
      );
    } else if (n > INT_MAX) {
      errors.push(`epochs * steps_per_epoch = ${n} exceeds ${INT_MAX}, the largest step count basinlab holds exactly`);
    } else {
      if (ctx.steps > n) {
        errors.push(
          `total_steps: torch raises "Tried to step ${n + 1} times. The specified number of total steps is ${n}" ` +
            `at scheduler.step() number ${n + 1}, and this run makes ${ctx.steps} scheduler steps (one per optimizer step); ` +
            `total_steps (or epochs * steps_per_epoch) must be at least ${ctx.steps}`,
        );
      }
      errors.push(...zeroLengthPhaseErrors(values, n, Math.min(ctx.steps, n)));
    }
    if (values['div_factor'] === 0) {
      errors.push('div_factor: must not be 0 (torch computes initial_lr = max_lr / div_factor: ZeroDivisionError)');
    }
    if (values['final_div_factor'] === 0) {
      errors.push(
        'final_div_factor: must not be 0 (torch computes min_lr = initial_lr / final_div_factor: ZeroDivisionError)',
      );
    }
    errors.push(...momentumSupportErrors(OneCycleLR, values, ctx));
    return errors;
  },
  evaluate(r: Round, P: Float64Array, node: ScheduleNode, k: number, _baseLr: number, out: Float64Array): void {
    const b = node.base;
    const explicit = P[b + o.total_steps]!;
    const n = isSet(explicit) ? explicit : r(P[b + o.epochs]! * P[b + o.steps_per_epoch]!);
    const pct = r(P[b + o.pct_start]!);
    const top = r(P[b + o.max_lr]!);
    const initial = r(top / r(P[b + o.div_factor]!));
    const lowest = r(initial / r(P[b + o.final_div_factor]!));
    const mHi = r(P[b + o.max_momentum]!);
    const mLo = r(P[b + o.base_momentum]!);
    // Phase selection exactly as torch's loop: the first phase with k <= end_step, else the last.
    const end1 = r(r(pct * n) - 1);
    let start = 0;
    let end = end1;
    let lr0 = initial;
    let lr1 = top;
    let m0 = mHi;
    let m1 = mLo;
    if (k > end1) {
      start = end1;
      end = r(n - 1);
      lr0 = top;
      lr1 = lowest;
      m0 = mLo;
      m1 = mHi;
      if (P[b + o.three_phase]! !== 0) {
        const end2 = r(r(r(2 * pct) * n) - 2);
        if (k <= end2) {
          end = end2;
          lr1 = initial;
        } else {
          start = end2;
          lr0 = initial;
          m0 = mHi;
        }
      }
    }
    // Progress pct = a / d and its complement q / d, both from the phase bounds, so that neither is
    // formed as 1 - pct (see cosWeight); the LR at the end of the last phase is ~1e-5 of max_lr.
    const a = r(k - start);
    const q = r(end - k);
    const d = r(end - start);
    // Each end point gets its own weight, start * w(pct) + end * w(1 - pct), rather than torch's
    // end + (start - end) * w(pct) (or (end - start) * pct + start): the warm-up starts at
    // max_lr / 25 and the last phase ends at max_lr / 2.5e5, and torch's forms cancel there to an
    // absolute error of ~1e-7 * max_lr in f32. With both terms non-negative nothing cancels.
    let w0: number;
    let w1: number;
    if (P[b + o.anneal_strategy]! === o.anneal_strategy_cos) {
      w0 = cosWeight(r, a, q, d);
      w1 = cosWeight(r, q, a, d);
    } else {
      w0 = r(q / d);
      w1 = r(a / d);
    }
    out[0] = r(r(lr0 * w0) + r(lr1 * w1));
    out[1] = P[b + o.cycle_momentum]! !== 0 ? r(r(m0 * w0) + r(m1 * w1)) : 0;
  },
};
