// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT), checked by tests.
import type { ParamSchema } from '../../params.ts';
import type { Round, ScheduleDef, ScheduleNode } from '../types.ts';
import { INT_MAX, scheduleSlots } from './common.ts';

const params = [
  {
    key: 'start_factor',
    kind: 'number',
    default: 1 / 3,
    min: 0,
    max: 1,
    minExclusive: true,
    typical: { min: 0.01, max: 1, scale: 'log' },
    doc: 'LR multiplier at step 0; torch requires 0 < start_factor <= 1.',
  },
  {
    key: 'end_factor',
    kind: 'number',
    default: 1,
    min: 0,
    max: 1,
    typical: { min: 0, max: 1, scale: 'linear' },
    doc: 'LR multiplier from step total_iters on; torch requires 0 <= end_factor <= 1.',
  },
  {
    key: 'total_iters',
    kind: 'int',
    default: 5,
    min: 0,
    max: INT_MAX,
    typical: { min: 0, max: 1, scale: 'linear', per: 'steps' },
    doc: 'Steps over which the multiplier moves linearly from start_factor to end_factor (0: stays at start_factor).',
  },
] as const satisfies readonly ParamSchema[];

const o = scheduleSlots(params);

export const LinearLR: ScheduleDef<typeof o> = {
  id: 'LinearLR',
  doc: 'Scales the LR by a factor moving linearly from start_factor to end_factor over total_iters steps.',
  purpose: 'Usually a warm-up: short steps first, while the early gradients are large and an adaptive optimiser\'s statistics are still unreliable, growing to the full LR.',
  reference:
    'torch/optim/lr_scheduler.py, LinearLR.get_lr (k == 0: group lr * start_factor; 0 < k <= total_iters: ' +
    'group lr * (1 + (end - start) / (total_iters * start + (k - 1) * (end - start))); later unchanged), whose ' +
    'product telescopes to start + (end - start) * min(k, total_iters) / total_iters (_get_closed_form_lr).',
  params,
  slots: o,
  cyclesMomentum: () => false,
  // torch's default total_iters is 5 (a warmup of 5 epochs), which over a run of hundreds of steps
  // cannot be seen; the editor proposes a tenth of the run, a warm-up then the full LR, as
  // SequentialLR's switch does (walkthrough 19: over the whole run it read as no warm-up), or, as a
  // composite's child, its phase (the warm-up spans the steps until its milestone).
  fitRun: (steps: number, child?: boolean) => ({ total_iters: child ? steps : Math.max(1, Math.round(steps / 10)) }),
  evaluate(r: Round, P: Float64Array, node: ScheduleNode, k: number, baseLr: number, out: Float64Array): void {
    const b = node.base;
    const s = r(P[b + o.start_factor]!);
    const e = r(P[b + o.end_factor]!);
    const t = P[b + o.total_iters]!;
    let factor = s;
    if (t > 0) {
      const m = Math.min(k, t);
      // (s (T - m) + e m) / T instead of torch's s + (e - s) m / T: both terms are non-negative, so
      // the factor keeps its relative precision in f32 when it decays towards end_factor = 0.
      factor = r(r(r(s * (t - m)) + r(e * m)) / t);
    }
    out[0] = r(r(baseLr) * factor);
    out[1] = 0;
  },
};
