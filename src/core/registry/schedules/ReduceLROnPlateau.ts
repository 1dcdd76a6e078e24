// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT) or the
// four-number plateau state, checked by tests.
import type { ParamSchema } from '../../params.ts';
import type { Round, ScheduleDef, ScheduleNode } from '../types.ts';
import { INT_MAX, isNaNValue, scheduleSlots } from './common.ts';

const params = [
  { key: 'mode', kind: 'enum', values: ['min', 'max'], default: 'min', doc: 'min: the metric should fall; max: it should rise.' },
  // torch refuses factor >= 1 only: 0 (the LR drops to min_lr at the first plateau) is accepted, as
  // there. A negative factor, which torch accepts too, acts as 0 (max(lr·factor, min_lr)): refused here.
  { key: 'factor', kind: 'number', default: 0.1, min: 0, max: 1, maxExclusive: true, typical: { min: 0.05, max: 0.9, scale: 'linear' }, doc: 'LR multiplier on a plateau (torch requires factor < 1; 0 drops the LR to min_lr).' },
  { key: 'patience', kind: 'int', default: 10, min: 0, max: INT_MAX, typical: { min: 0, max: 0.2, scale: 'linear', per: 'steps' }, doc: 'Steps without improvement tolerated before the LR is reduced.' },
  { key: 'threshold', kind: 'number', default: 1e-4, min: 0, max: Number.POSITIVE_INFINITY, typical: { min: 1e-6, max: 1e-1, scale: 'log' }, doc: 'How much better counts as better (see threshold_mode).' },
  { key: 'threshold_mode', kind: 'enum', values: ['rel', 'abs'], default: 'rel', doc: 'rel: better than best·(1 ∓ threshold); abs: better than best ∓ threshold.' },
  { key: 'cooldown', kind: 'int', default: 0, min: 0, max: INT_MAX, typical: { min: 0, max: 0.2, scale: 'linear', per: 'steps' }, doc: 'Steps after a reduction during which bad steps are not counted.' },
  { key: 'min_lr', kind: 'number', lr: true, perGroup: true, default: 0, min: 0, max: Number.POSITIVE_INFINITY, typical: { min: 0, max: 1e-4, scale: 'linear' }, doc: 'Lower bound on the LR.' },
  { key: 'eps', kind: 'number', default: 1e-8, min: 0, max: Number.POSITIVE_INFINITY, typical: { min: 1e-10, max: 1e-4, scale: 'log' }, doc: 'A reduction smaller than eps is skipped.' },
] as const satisfies readonly ParamSchema[];

const o = scheduleSlots(params);

/**
 * torch's is_better(a, best) while best is still mode_worse, written without infinities (the WGSL
 * twin may not rely on them): for mode min, a < inf * (1 - t) (rel) or a < inf - t (abs) holds for
 * every a below +inf, except in rel mode with t >= 1, where inf * (1 - t) is nan or -inf and nothing
 * is better (best then stays inf and every step counts as bad); for mode max, a > -inf * (t + 1) or
 * a > -inf + t holds for every a above -inf.
 */
export function isBetterThanWorst(r: Round, P: Float64Array, b: number, a: number): boolean {
  const max = P[b + o.mode]! === o.mode_max;
  const rel = P[b + o.threshold_mode]! === o.threshold_mode_rel;
  const t = r(P[b + o.threshold]!);
  if (!max) return !(rel && t >= 1) && a < Number.POSITIVE_INFINITY;
  return a > Number.NEGATIVE_INFINITY;
}

/** torch's is_better, for a best that is finite (the first step is better by definition: best = ±inf). */
export function isBetter(r: Round, P: Float64Array, b: number, a: number, best: number): boolean {
  const max = P[b + o.mode]! === o.mode_max;
  const rel = P[b + o.threshold_mode]! === o.threshold_mode_rel;
  const t = r(P[b + o.threshold]!);
  if (!max) return rel ? a < r(best * r(1 - t)) : a < r(best - t);
  return rel ? a > r(best * r(t + 1)) : a > r(best + t);
}

export const ReduceLROnPlateau: ScheduleDef<typeof o> = {
  id: 'ReduceLROnPlateau',
  doc:
    "Cuts the LR by `factor` when the run's loss has not improved for `patience` steps, each run on its own loss: the LR " +
    'is per-run state. The metric handed to scheduler.step is the loss at the point where the step took its gradient ' +
    '(for the data-backed surface, the full-data loss). Top-level only, as in torch (SequentialLR cannot pass it a metric).',
  purpose: 'Cuts the LR only when progress stalls: no schedule to design in advance, each run decides from its own loss.',
  reference:
    'torch/optim/lr_scheduler.py, ReduceLROnPlateau.step / _reduce_lr / is_better / _init_is_better: best starts at ±inf, ' +
    'num_bad_epochs counts non-improving steps, in_cooldown zeroes it, a reduction sets lr = max(lr·factor, min_lr) if the ' +
    'change exceeds eps and restarts the cooldown.',
  params,
  slots: o,
  helpers: { isBetter, isBetterThanWorst },
  cyclesMomentum: () => false,
  evaluate(_r: Round, P: Float64Array, node: ScheduleNode, _k: number, baseLr: number, out: Float64Array): void {
    // Per-run state: the engines use `plateau` instead; this is the LR before any reduction.
    void P;
    void node;
    out[0] = baseLr;
    out[1] = 0;
  },
  plateau: {
    init(r: Round, _P: Float64Array, _b: number, baseLr: number, state: Float64Array): void {
      state[0] = r(baseLr);
      // best starts as torch's mode_worse (±inf), held as "unset" (a NaN: no metric ever is one as best).
      state[1] = Number.NaN;
      state[2] = 0;
      state[3] = 0;
    },
    step(r: Round, P: Float64Array, b: number, state: Float64Array, metric: number): void {
      let lr = state[0]!;
      let best = state[1]!;
      let bad = state[2]!;
      let cooldown = state[3]!;
      // A NaN metric is never better (torch compares it); while best is unset, torch compares with ±inf.
      const better = !isNaNValue(metric) && (isNaNValue(best) ? isBetterThanWorst(r, P, b, metric) : isBetter(r, P, b, metric, best));
      if (better) {
        best = metric;
        bad = 0;
      } else {
        bad += 1;
      }
      if (cooldown > 0) {
        cooldown -= 1;
        bad = 0;
      }
      if (bad > P[b + o.patience]!) {
        const next = Math.max(r(lr * r(P[b + o.factor]!)), r(P[b + o.min_lr]!));
        if (r(lr - next) > r(P[b + o.eps]!)) lr = next;
        cooldown = P[b + o.cooldown]!;
        bad = 0;
      }
      state[0] = lr;
      state[1] = best;
      state[2] = bad;
      state[3] = cooldown;
    },
  },
};
