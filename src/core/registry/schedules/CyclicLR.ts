// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT), checked by tests.
import type { ParamSchema, ParamValues } from '../../params.ts';
import type { Round, ScheduleContext, ScheduleDef, ScheduleNode } from '../types.ts';
import { INT_MAX, isSet, offset, powInt } from './common.ts';

const MODES = ['triangular', 'triangular2', 'exp_range'] as const;
const MODE_TRIANGULAR2 = MODES.indexOf('triangular2');
const MODE_EXP_RANGE = MODES.indexOf('exp_range');

const params: readonly ParamSchema[] = [
  {
    key: 'base_lr',
    kind: 'number',
    required: true,
    default: 0.01,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    doc: 'Lower LR boundary, replacing the optimizer lr as torch does; required in torch (0.01 is its docstring example).',
  },
  {
    key: 'max_lr',
    kind: 'number',
    required: true,
    default: 0.1,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    doc: 'Upper LR boundary (reached unscaled only in triangular mode); required in torch (0.1 is its docstring example).',
  },
  {
    key: 'step_size_up',
    kind: 'int',
    default: 2000,
    min: 1,
    max: INT_MAX / 2,
    doc: 'Steps in the increasing half of a cycle (0 makes torch divide by zero at step 0).',
  },
  {
    key: 'step_size_down',
    kind: 'optional-int',
    default: null,
    min: 0,
    max: INT_MAX / 2,
    doc: 'Steps in the decreasing half of a cycle; None means step_size_up.',
  },
  {
    key: 'mode',
    kind: 'enum',
    values: MODES,
    default: 'triangular',
    doc: 'Amplitude policy: constant, halved every cycle (triangular2), or scaled by gamma ** step (exp_range).',
  },
  {
    key: 'gamma',
    kind: 'number',
    default: 1,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
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
    doc: "Cycle the optimizer's momentum (SGD, RMSprop) or beta1 (Adam family) inversely to the LR.",
  },
  {
    key: 'base_momentum',
    kind: 'number',
    default: 0.8,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    doc: 'Momentum at the LR peak when cycling (torch does not check it).',
  },
  {
    key: 'max_momentum',
    kind: 'number',
    default: 0.9,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    doc: 'Momentum at the start of each cycle when cycling; replaces the optimizer momentum/beta1 at construction, as in torch.',
  },
];

export const CYCLIC_BASE_LR = offset(params, 'base_lr');
const MAX_LR = offset(params, 'max_lr');
const UP = offset(params, 'step_size_up');
const DOWN = offset(params, 'step_size_down');
const MODE = offset(params, 'mode');
const GAMMA = offset(params, 'gamma');
const CYCLE_MOMENTUM = offset(params, 'cycle_momentum');
const BASE_MOMENTUM = offset(params, 'base_momentum');
const MAX_MOMENTUM = offset(params, 'max_momentum');

/** torch's ValueError when cycle_momentum is on and the optimizer has neither momentum nor betas. */
export function momentumSupportErrors(values: ParamValues, ctx: ScheduleContext): string[] {
  if (values['cycle_momentum'] === true && ctx.optimizer.momentumParam === null) {
    return [
      `cycle_momentum: optimizer must support momentum or beta1 with \`cycle_momentum\` option enabled ` +
        `(torch's ValueError: ${ctx.optimizer.id} has neither); set cycle_momentum: false`,
    ];
  }
  return [];
}

export const CyclicLR: ScheduleDef = {
  id: 'CyclicLR',
  doc: 'Cyclical LR (Smith 2017): triangular waves between base_lr and max_lr, optionally cycling momentum the opposite way. Custom scale_fn is not supported.',
  reference:
    'torch/optim/lr_scheduler.py, CyclicLR.__init__ (sets group lr = base_lr; with cycle_momentum sets momentum/beta1 = ' +
    'max_momentum; _init_scale_fn overrides scale_mode from mode) and get_lr (cycle = floor(1 + k / total_size), ' +
    'x = 1 + k / total_size - cycle, scale = x / step_ratio or (x - 1) / (step_ratio - 1); ' +
    'lr = base_lr + (max_lr - base_lr) * scale * scale_fn; momentum = max_momentum - (max_momentum - base_momentum) * scale * scale_fn).',
  params,
  cyclesMomentum: (values: ParamValues) => values['cycle_momentum'] === true,
  validate: momentumSupportErrors,
  evaluate(r: Round, P: Float64Array, node: ScheduleNode, k: number, _baseLr: number, out: Float64Array): void {
    const b = node.base;
    const up = P[b + UP]!;
    const downSlot = P[b + DOWN]!;
    const down = isSet(downSlot) ? downSlot : up;
    const total = up + down;
    // Integer form of torch's float x = 1 + k / total - cycle: exact, where the float form loses
    // log2(cycle) bits of the position within the cycle.
    const cycle = Math.floor(k / total) + 1;
    const pos = k % total;
    const scale = pos <= up ? r(pos / up) : r((total - pos) / down);
    const mode = P[b + MODE]!;
    let amp = 1;
    if (mode === MODE_TRIANGULAR2) amp = r(2 ** (1 - cycle));
    else if (mode === MODE_EXP_RANGE) amp = powInt(r, r(P[b + GAMMA]!), k);
    const lo = r(P[b + CYCLIC_BASE_LR]!);
    const hi = r(P[b + MAX_LR]!);
    out[0] = r(lo + r(r(r(hi - lo) * scale) * amp));
    if (P[b + CYCLE_MOMENTUM]! !== 0) {
      const mlo = r(P[b + BASE_MOMENTUM]!);
      const mhi = r(P[b + MAX_MOMENTUM]!);
      out[1] = r(mhi - r(r(r(mhi - mlo) * scale) * amp));
    } else {
      out[1] = 0;
    }
  },
  wgsl: 'CyclicLR.wgsl',
};
