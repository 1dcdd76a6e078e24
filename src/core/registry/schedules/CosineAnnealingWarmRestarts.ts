// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT), checked by tests.
import type { ParamSchema } from '../../params.ts';
import type { Round, ScheduleDef, ScheduleNode } from '../types.ts';
import { cosWeight, INT_MAX, scheduleSlots } from './common.ts';

const params = [
  {
    key: 'T_0',
    kind: 'int',
    required: true,
    default: 20,
    min: 1,
    max: INT_MAX,
    typical: { min: 0.02, max: 1, scale: 'linear', per: 'steps' },
    doc: 'Steps until the first restart; required in torch (20 is its docstring example), which requires a positive integer.',
  },
  {
    key: 'T_mult',
    kind: 'int',
    default: 1,
    min: 1,
    max: INT_MAX,
    typical: { min: 1, max: 4, scale: 'linear' },
    doc: 'Factor by which the period grows after each restart; torch requires an integer >= 1.',
  },
  {
    key: 'eta_min',
    kind: 'number',
    lr: true,
    default: 0,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 0, max: 1e-3, scale: 'linear' },
    doc: 'LR approached at the end of each period (torch only checks that it is a number).',
  },
] as const satisfies readonly ParamSchema[];

const o = scheduleSlots(params);

export const CosineAnnealingWarmRestarts: ScheduleDef<typeof o> = {
  id: 'CosineAnnealingWarmRestarts',
  doc: 'SGDR: cosine annealing from the LR to eta_min over T_i steps, then a restart, with T_i = T_0 * T_mult ** i.',
  purpose: 'Repeats the cosine: each restart jumps back to long steps, which can throw a run out of a poor region, and each cycle ends settled (a longer cycle each time with T_mult > 1).',
  reference:
    'torch/optim/lr_scheduler.py, CosineAnnealingWarmRestarts.step (T_cur += 1; if T_cur >= T_i: T_cur %= T_i, ' +
    'T_i *= T_mult) and get_lr (eta_min + (base_lr - eta_min) (1 + cos(pi T_cur / T_i)) / 2).',
  params,
  slots: o,
  cyclesMomentum: () => false,
  // torch requires T_0 (20 is its docstring's example): 25 restarts over 500 steps. The editor
  // proposes four cycles over the run (with T_mult 1; T_0 is then 1, a constant LR, on runs of 5
  // steps or fewer).
  fitRun: (steps: number) => ({ T_0: Math.max(1, Math.round(steps / 4)) }),
  evaluate(r: Round, P: Float64Array, node: ScheduleNode, k: number, baseLr: number, out: Float64Array): void {
    const b = node.base;
    const t0 = P[b + o.T_0]!;
    const tm = P[b + o.T_mult]!;
    const eta = r(P[b + o.eta_min]!);
    let cur: number;
    let ti = t0;
    if (tm === 1) {
      cur = k % t0;
    } else {
      // Periods at least double, so this runs at most ~24 times for k < 2^24. Integers below 2^24 are
      // exact in f32; a period beyond that only rounds once it already exceeds the remaining steps.
      cur = k;
      while (cur >= ti) {
        cur = cur - ti;
        ti = r(ti * tm);
      }
    }
    const w = cosWeight(r, cur, r(ti - cur), ti);
    out[0] = r(eta + r(r(r(baseLr) - eta) * w));
    out[1] = 0;
  },
};
