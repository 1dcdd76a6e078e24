// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT), checked by tests.
import type { ParamSchema, ParamValues } from '../../params.ts';
import { blockSize, encodeParams } from '../../params.ts';
import { f64 } from '../surfaces/shared.ts';
import type { Round, ScheduleContext, ScheduleDef, ScheduleNode } from '../types.ts';
import { INT_MAX, isSet, powInt, scheduleSlots } from './common.ts';

/** max_lr's typical sweep range; the editor proposes base_lr at its bottom (`fitRun`). */
const MAX_LR_TYPICAL = { min: 1e-4, max: 1e-1, scale: 'log' } as const;

const params = [
  {
    key: 'base_lr',
    kind: 'number',
    lr: true,
    perGroup: true,
    required: true,
    default: 0.01,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 1e-5, max: 1e-2, scale: 'log' },
    doc: "Lower LR boundary, replacing the optimizer lr as torch does; required in torch (0.01 is its docstring example; the editor proposes max_lr's lowest typical value, 1e-4, so that a max_lr axis stays above it).",
  },
  {
    key: 'max_lr',
    kind: 'number',
    lr: true,
    perGroup: true,
    required: true,
    default: 0.1,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    typical: MAX_LR_TYPICAL,
    doc: 'Upper LR boundary (reached unscaled only in triangular mode); required in torch (0.1 is its docstring example).',
  },
  {
    key: 'step_size_up',
    kind: 'int',
    default: 2000,
    min: 1,
    max: INT_MAX / 2,
    typical: { min: 0.02, max: 0.5, scale: 'linear', per: 'steps' },
    doc: 'Steps in the increasing half of a cycle (0 makes torch divide by zero at step 0).',
  },
  {
    key: 'step_size_down',
    kind: 'optional-int',
    default: null,
    min: 0,
    max: INT_MAX / 2,
    typical: { min: 0.02, max: 0.5, scale: 'linear', per: 'steps' },
    doc: 'Steps in the decreasing half of a cycle; None means step_size_up.',
  },
  {
    key: 'mode',
    kind: 'enum',
    values: ['triangular', 'triangular2', 'exp_range'],
    default: 'triangular',
    doc: 'Amplitude policy: constant, halved every cycle (triangular2), or scaled by gamma ** step (exp_range).',
  },
  {
    key: 'gamma',
    kind: 'number',
    default: 1,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 0.99, max: 1, scale: 'linear' },
    doc: 'Base of the exp_range amplitude gamma ** k (k = scheduler steps so far); unused by the other modes.',
  },
  {
    key: 'scale_mode',
    kind: 'enum',
    values: ['cycle', 'iterations'],
    default: 'cycle',
    doc: 'Has no effect, as in torch without scale_fn (unsupported here): torch derives it from mode (iterations for exp_range, else cycle).',
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
    default: 0.8,
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
    default: 0.9,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 0.8, max: 0.99, scale: 'linear' },
    doc: 'Momentum at the start of each cycle when cycling; replaces the optimizer momentum/beta1 at construction, as in torch.',
  },
] as const satisfies readonly ParamSchema[];

const o = scheduleSlots(params);

/**
 * torch's ValueError when cycle_momentum is on and the optimizer has neither momentum nor betas, and
 * its KeyError for an optimiser that makes its momentum buffer only at the first step (RMSprop)
 * when the cycle starts the momentum at or below 0 (both schedules start at max_momentum) and turns
 * it positive within the run: the first step where it does is found with the schedule's own
 * `evaluate` (review 15: max_momentum < 0 raises too, and exp_range with gamma 0 never turns it).
 */
export function momentumSupportErrors(def: ScheduleDef, values: ParamValues, ctx: ScheduleContext): string[] {
  if (values['cycle_momentum'] !== true) return [];
  if (ctx.optimizer.momentumParam === null) {
    return [
      `cycle_momentum: optimizer must support momentum or beta1 with \`cycle_momentum\` option enabled ` +
        `(torch's ValueError: ${ctx.optimizer.id} has neither); set cycle_momentum: false`,
    ];
  }
  const start = values['max_momentum'];
  if (!ctx.optimizer.momentumBufferAtFirstStep || typeof start !== 'number' || !(start <= 0)) return [];
  const P = new Float64Array(blockSize(def.params));
  encodeParams(def.params, values, P, 0);
  const node: ScheduleNode = { def, base: 0, values, children: [] };
  const out = new Float64Array(2);
  for (let k = 1; k < ctx.steps; k++) {
    def.evaluate(f64, P, node, k, 0, out);
    if ((out[1] as number) > 0) {
      return [
        `max_momentum: the cycle starts the momentum at max_momentum = ${start}, so ${ctx.optimizer.id} makes no momentum buffer at its first step, ` +
          `and torch raises KeyError: 'momentum_buffer' at step ${k + 1}, where the cycle has turned it positive (${out[1]}); ` +
          `use max_momentum > 0, or cycle_momentum: false`,
      ];
    }
  }
  return [];
}

export const CyclicLR: ScheduleDef<typeof o> = {
  id: 'CyclicLR',
  doc: 'Cyclical LR (Smith 2017): triangular waves between base_lr and max_lr, optionally cycling momentum the opposite way. Custom scale_fn is not supported.',
  purpose: 'Sweeps the LR up and down between two bounds, so runs keep revisiting long steps, which can carry them out of sharp or poor regions, and no single LR has to be tuned exactly.',
  reference:
    'torch/optim/lr_scheduler.py, CyclicLR.__init__ (sets group lr = base_lr; with cycle_momentum sets momentum/beta1 = ' +
    'max_momentum; _init_scale_fn overrides scale_mode from mode) and get_lr (cycle = floor(1 + k / total_size), ' +
    'x = 1 + k / total_size - cycle, scale = x / step_ratio or (x - 1) / (step_ratio - 1); ' +
    'lr = base_lr + (max_lr - base_lr) * scale * scale_fn; momentum = max_momentum - (max_momentum - base_momentum) * scale * scale_fn).',
  params,
  slots: o,
  lrSetter: () => 'max_lr',
  // Unset is torch's default, True (an editor's draft may not write it).
  cyclesMomentum: (values: ParamValues) => values['cycle_momentum'] !== false,
  // torch's step_size_up is 2000 (its docstring: 2 to 10 times the steps in an epoch): a 500-step run
  // would not finish one half cycle. The editor proposes four cycles over the run. base_lr, which
  // torch requires, is proposed at the bottom of max_lr's typical range (its docstring's 0.01 would
  // sit above most of a max_lr axis, the LR "cycling" downward there, and past many surfaces'
  // stability limit: walkthrough 6 got a map of nothing but diverged runs).
  fitRun: (steps: number) => ({ step_size_up: Math.max(1, Math.round(steps / 8)), base_lr: MAX_LR_TYPICAL.min }),
  validate: (values, ctx) => momentumSupportErrors(CyclicLR, values, ctx),
  evaluate(r: Round, P: Float64Array, node: ScheduleNode, k: number, _baseLr: number, out: Float64Array): void {
    const b = node.base;
    const up = P[b + o.step_size_up]!;
    const downSlot = P[b + o.step_size_down]!;
    const down = isSet(downSlot) ? downSlot : up;
    const total = up + down;
    // Integer form of torch's float x = 1 + k / total - cycle: exact, where the float form loses
    // log2(cycle) bits of the position within the cycle.
    const cycle = Math.floor(k / total) + 1;
    const pos = k % total;
    const scale = pos <= up ? r(pos / up) : r((total - pos) / down);
    const mode = P[b + o.mode]!;
    let amp = 1;
    if (mode === o.mode_triangular2) amp = r(2 ** (1 - cycle));
    else if (mode === o.mode_exp_range) amp = powInt(r, r(P[b + o.gamma]!), k);
    const lo = r(P[b + o.base_lr]!);
    const hi = r(P[b + o.max_lr]!);
    out[0] = r(lo + r(r(r(hi - lo) * scale) * amp));
    if (P[b + o.cycle_momentum]! !== 0) {
      const mlo = r(P[b + o.base_momentum]!);
      const mhi = r(P[b + o.max_momentum]!);
      out[1] = r(mhi - r(r(r(mhi - mlo) * scale) * amp));
    } else {
      out[1] = 0;
    }
  },
};
