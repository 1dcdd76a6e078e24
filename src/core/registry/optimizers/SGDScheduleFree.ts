// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT) or S (length STATE_LEN), checked by tests.
import type { ParamSchema } from '../../params.ts';
import type { OptimizerDef, Round } from '../types.ts';
import {
  lerp,
  lrParam,
  optimizerSlots,
  rParam,
  SCHEDULE_FREE_STATE,
  scheduleFreeAverage,
  scheduleFreeInit,
  stateFields,
  stateSlots,
  stepPower,
  warmupFactor,
  warmupStepsParam,
  weightDecayParam,
  weightLrPowerParam,
} from './common.ts';

const params = [
  // z takes plain gradient steps (z -= lr·g): its stable LRs scale with 1/λ, as SGD's.
  lrParam(1.0, { min: 1e-2, max: 10, scale: 'log', per: '1/sharpness' }),
  {
    key: 'momentum',
    kind: 'number',
    default: 0.9,
    min: 0,
    max: 1,
    minExclusive: true,
    maxExclusive: true,
    typical: { min: 0.1, max: 0.98, scale: 'linear' },
    doc: 'Interpolation beta: y = lerp(z, x, momentum); the reference raises unless 0 < momentum < 1.',
  },
  weightDecayParam(0, 'L2 penalty at y: grad + weight_decay * y (the reference rejects weight_decay < 0).'),
  warmupStepsParam(),
  rParam(),
  weightLrPowerParam(),
] as const satisfies readonly ParamSchema[];

const o = optimizerSlots(params);
// y (where the gradient is taken), z, and the group scalars (lr_max, weight_sum); x is pair 0.
const st = stateSlots(SCHEDULE_FREE_STATE);


export const SGDScheduleFree: OptimizerDef<typeof o, typeof st> = {
  id: 'SGDScheduleFree',
  doc:
    'Schedule-Free SGD (Defazio et al. 2024, "The Road Less Scheduled"; not in torch): SGD steps on z, the gradient ' +
    'taken at y = lerp(z, x, momentum), and x the running average of the z iterates weighted by lr_max ** ' +
    'weight_lr_power (times (k+1) ** r). basinlab reports x, the eval() point a user deploys; the gradient is taken at y.',
  reference:
    'schedulefree/sgd_schedulefree.py (facebookresearch/schedule_free, SGDScheduleFree.step, non-foreach branch) with ' +
    'k = t - 1 and the scheduled LR as group["lr"]: sched = (k+1) / warmup_steps if k < warmup_steps else 1.0; ' +
    'lr = group["lr"] * sched; lr_max = max(lr, lr_max); weight = ((k+1)**r) * (lr_max**weight_lr_power); ' +
    'weight_sum += weight; ckp1 = weight / weight_sum (0 on ZeroDivisionError); if weight_decay != 0: ' +
    'grad.add_(y, alpha=weight_decay); y.lerp_(end=z, weight=ckp1); y.add_(grad, alpha=lr*(momentum*(1-ckp1)-1)); ' +
    'z.sub_(grad, alpha=lr); then eval(): x = y.lerp_(end=z, weight=1-1/momentum).',
  params,
  slots: o,
  ...stateFields(st),
  // The pair index of y.
  gradSlot: st.y / 2,
  momentumParam: 'momentum',
  init(_r: Round, _P: Float64Array, S: Float64Array): void {
    scheduleFreeInit(S, st.y, st.z, st.group);
  },
  // sc = (warmup factor, (k+1) ** r, 0, 0): step-count-only. lr_max, the weight and ckp1 depend on
  // the scheduled LR, which may differ per run, so they stay in the step.
  stepScalars: {
    params: ['warmup_steps', 'r'],
    usesMom: false,
    count: 2,
    compute(r: Round, P: Float64Array, _mom: number, t: number, out: Float64Array): void {
      out[0] = warmupFactor(r, r(P[o.warmup_steps]!), t);
      out[1] = stepPower(r, t, r(P[o.r]!));
      out[2] = 0;
      out[3] = 0;
    },
  },
  step(
    r: Round,
    P: Float64Array,
    S: Float64Array,
    gx: number,
    gy: number,
    lr: number,
    mom: number,
    _t: number,
    sc: Float64Array,
  ): void {
    const beta = r(mom);
    const wd = r(P[o.weight_decay]!);
    const lrs = r(r(lr) * sc[0]!);
    const ckp1 = scheduleFreeAverage(r, S, st.group, lrs, sc[1]!, r(P[o.weight_lr_power]!));
    const alpha = r(lrs * r(r(beta * r(1 - ckp1)) - 1));
    const wx = r(1 - r(1 / beta));
    for (let k = 0; k < 2; k++) {
      const y = S[st.y + k]!;
      const z = S[st.z + k]!;
      let g = r(k === 0 ? gx : gy);
      if (wd !== 0) g = r(g + r(wd * y));
      const y1 = r(lerp(r, y, z, ckp1) + r(alpha * g));
      const z1 = r(z - r(lrs * g));
      S[st.y + k] = y1;
      S[st.z + k] = z1;
      S[k] = lerp(r, y1, z1, wx);
    }
  },
};
