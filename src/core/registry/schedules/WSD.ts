// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT), checked by tests.
import type { ParamSchema } from '../../params.ts';
import type { Round, ScheduleDef, ScheduleNode } from '../types.ts';
import { INT_MAX, scheduleSlots } from './common.ts';

const params = [
  {
    key: 'warmup_steps',
    kind: 'int',
    default: 10,
    min: 0,
    max: INT_MAX,
    typical: { min: 0, max: 0.3, scale: 'linear', per: 'steps' },
    doc: 'Steps of linear warmup from warmup_start_factor * lr to lr (0: no warmup).',
  },
  {
    key: 'warmup_start_factor',
    kind: 'number',
    default: 0,
    min: 0,
    max: 1,
    typical: { min: 0, max: 1, scale: 'linear' },
    doc: 'LR multiplier at step 0 of the warmup (0 as in Hägele et al.; torch LinearLR needs it > 0).',
  },
  {
    key: 'stable_steps',
    kind: 'int',
    default: 70,
    min: 0,
    max: INT_MAX,
    typical: { min: 0, max: 0.8, scale: 'linear', per: 'steps' },
    doc: 'Steps of the constant plateau at lr after the warmup.',
  },
  {
    key: 'decay_steps',
    kind: 'int',
    default: 20,
    min: 0,
    max: INT_MAX,
    typical: { min: 0, max: 0.5, scale: 'linear', per: 'steps' },
    doc: 'Steps of the cooldown from lr to min_lr_ratio * lr after the plateau (0: drop at once); the LR then stays there.',
  },
  {
    key: 'min_lr_ratio',
    kind: 'number',
    default: 0,
    min: 0,
    max: 1,
    typical: { min: 0, max: 1, scale: 'linear' },
    doc: 'LR at the end of the cooldown, as a fraction of lr.',
  },
  {
    key: 'decay_shape',
    kind: 'enum',
    values: ['linear', '1-sqrt'],
    default: '1-sqrt',
    doc: 'Cooldown shape over progress x in [0, 1]: 1 - x (linear) or 1 - sqrt(x) (Hägele et al.), scaled to end at min_lr_ratio.',
  },
] as const satisfies readonly ParamSchema[];

const o = scheduleSlots(params);

/**
 * The WSD multiplier after k scheduler steps (W warmup, S stable, D decay steps, start factor s,
 * final ratio m, x = j / D the cooldown progress with j = k - W - S):
 *   k < W:          (s (W - k) + k) / W                   (LinearLR's factor, same operations)
 *   W <= k < W + S: 1
 *   0 <= j < D:     linear: ((D - j) + m j) / D           (LinearLR from 1 to m, same operations)
 *                   1-sqrt: m + (1 - m) ((D - j) / D) / (1 + sqrt(j / D))
 *   j >= D:         m (linear: the j = D value of its formula, as LinearLR holds it; D = 0: m)
 * 1 - sqrt(x) is written as (1 - x) / (1 + sqrt(x)) with 1 - x = (D - j) / D from integers, so the
 * end of the cooldown keeps its relative precision in f32.
 */
export function wsdFactor(r: Round, P: Float64Array, b: number, k: number): number {
  const w = P[b + o.warmup_steps]!;
  if (k < w) {
    const s = r(P[b + o.warmup_start_factor]!);
    return r(r(r(s * (w - k)) + k) / w);
  }
  const j = k - w - P[b + o.stable_steps]!;
  if (j < 0) return 1;
  const d = P[b + o.decay_steps]!;
  const m = r(P[b + o.min_lr_ratio]!);
  if (d === 0) return m;
  if (P[b + o.decay_shape]! === o.decay_shape_linear) {
    // Held at j = D as LinearLR holds its end factor: min(j, D), the same operations.
    const i = Math.min(j, d);
    return r(r((d - i) + r(m * i)) / d);
  }
  if (j >= d) return m;
  const rest = r(r((d - j) / d) / r(1 + r(Math.sqrt(r(j / d)))));
  return r(m + r(r(1 - m) * rest));
}

export const WSD: ScheduleDef<typeof o> = {
  id: 'WSD',
  doc:
    'Warmup-stable-decay (not in torch): linear warmup, a constant plateau, then a cooldown to min_lr_ratio * lr, as in ' +
    'MiniCPM and Hägele et al. 2024. The linear form is torch SequentialLR([LinearLR(start_factor=warmup_start_factor, ' +
    'total_iters=warmup_steps), ConstantLR(factor=1.0, total_iters=stable_steps), LinearLR(start_factor=1.0, ' +
    'end_factor=min_lr_ratio, total_iters=decay_steps)], milestones=[warmup_steps, warmup_steps + stable_steps]) when ' +
    'warmup_steps >= 1, warmup_start_factor > 0 and decay_steps >= 1; the 1-sqrt cooldown has no torch equivalent.',
  purpose: 'Warm up, hold the LR for most of training, then cool down quickly at the end: the run can be stopped at any point of the plateau and cooled down then, which is why it is used to train language models.',
  reference:
    'Hägele et al. 2024, "Scaling Laws and Compute-Optimal Training Beyond Fixed Training Durations" (arXiv:2405.18392), ' +
    'warmup-stable-decay with the 1-sqrt cooldown 1 - sqrt((n - N_cooldown_start) / N_cooldown); WSD as named in Hu et al. ' +
    '2024, "MiniCPM" (arXiv:2404.06395). Warmup and linear cooldown use torch LinearLR\'s arithmetic.',
  params,
  slots: o,
  helpers: { wsdFactor },
  cyclesMomentum: () => false,
  // The defaults (10, 70, 20) are a 100-step run's: warmup 10%, plateau 70%, cooldown 20% of any run.
  fitRun: (steps: number) => {
    const warmup = Math.round(0.1 * steps);
    const decay = Math.round(0.2 * steps);
    return { warmup_steps: warmup, stable_steps: Math.max(0, steps - warmup - decay), decay_steps: decay };
  },
  evaluate(r: Round, P: Float64Array, node: ScheduleNode, k: number, baseLr: number, out: Float64Array): void {
    out[0] = r(r(baseLr) * wsdFactor(r, P, node.base, k));
    out[1] = 0;
  },
};
