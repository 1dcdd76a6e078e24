// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT), checked by tests.
import type { ParamSchema } from '../../params.ts';
import type { Round, ScheduleDef, ScheduleNode } from '../types.ts';
import { cosWeight, INT_MAX, scheduleSlots } from './common.ts';

const params = [
  {
    key: 'T_max',
    kind: 'int',
    required: true,
    default: 100,
    min: 1,
    max: INT_MAX,
    typical: { min: 0.1, max: 2, scale: 'linear', per: 'steps' },
    doc: 'Steps of one half cosine from the LR down to eta_min; required in torch (100 is its docstring example), and 0 makes torch divide by zero at the first step.',
  },
  {
    key: 'eta_min',
    kind: 'number',
    lr: true,
    default: 0,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 0, max: 1e-3, scale: 'linear' },
    doc: 'LR reached at step T_max (torch does not check it).',
  },
] as const satisfies readonly ParamSchema[];

const o = scheduleSlots(params);

/**
 * The LR after k steps when torch's recursion starts from group lr `l0` while the scheduler's own
 * base_lr is `base`. torch's chainable get_lr rescales (group lr - eta_min) by the ratio of
 * consecutive cosine factors, which telescopes to eta_min + (l0 - eta_min) * w_k, up to k = T_max
 * where the factor is 0. At k = T_max + 1 (and every 2 T_max after) the ratio's denominator is 0
 * and torch instead adds (base_lr - eta_min) * (1 - cos(pi / T_max)) / 2, so from there on the
 * curve is eta_min + (base - eta_min) * w_k: periodic with period 2 T_max, not clamped at eta_min.
 * Standalone, l0 = base; they differ only inside a SequentialLR (see SequentialLR.ts).
 */
export function cosineAnnealingFrom(
  r: Round,
  P: Float64Array,
  b: number,
  k: number,
  l0: number,
  base: number,
  out: Float64Array,
): void {
  const t = P[b + o.T_max]!;
  const eta = r(P[b + o.eta_min]!);
  // The factor (1 + cos(pi j / T)) / 2 has period 2T and is symmetric about T, so reduce to
  // j in [0, T] with integer arithmetic and pass T - j exactly (see cosWeight).
  let j = k % (2 * t);
  if (j > t) j = 2 * t - j;
  const w = cosWeight(r, j, t - j, t);
  const l = k <= t ? r(l0) : r(base);
  out[0] = r(eta + r(r(l - eta) * w));
  out[1] = 0;
}

export const CosineAnnealingLR: ScheduleDef<typeof o> = {
  id: 'CosineAnnealingLR',
  doc: 'Anneals the LR along a half cosine from its initial value to eta_min over T_max steps (and back up after, as torch does).',
  purpose: 'Keeps the LR high for most of the run, then eases it down to settle: a smooth default for a fixed budget of steps.',
  reference:
    'torch/optim/lr_scheduler.py, CosineAnnealingLR.get_lr (recursive ratio form, with the additive branch when ' +
    '(k - 1 - T_max) % (2 T_max) == 0) and _get_closed_form_lr (eta_min + (base_lr - eta_min) (1 + cos(pi k / T_max)) / 2).',
  params,
  slots: o,
  helpers: { cosineAnnealingFrom },
  cyclesMomentum: () => false,
  // One half cosine over the run: annealed to eta_min at its last step (and no rise after it).
  fitRun: (steps: number) => ({ T_max: steps }),
  evaluate(r: Round, P: Float64Array, node: ScheduleNode, k: number, baseLr: number, out: Float64Array): void {
    cosineAnnealingFrom(r, P, node.base, k, baseLr, baseLr, out);
  },
};
