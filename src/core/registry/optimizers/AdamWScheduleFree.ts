// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT) or S (length STATE_LEN), checked by tests.
import type { ParamSchema, ParamValues } from '../../params.ts';
import type { OptimizerDef, Round } from '../types.ts';
import {
  BETA2_TYPICAL,
  lerp,
  lrParam,
  oneMinusPow,
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
  weightLrPowerParam,
} from './common.ts';

const params = [
  {
    ...lrParam(0.0025, { min: 1e-4, max: 1, scale: 'log' }),
    doc: 'Learning rate (reference default 0.0025). The reference does not check it; basinlab requires lr >= 0 (lr_max ** weight_lr_power of a negative lr_max is complex in Python, undefined in WGSL).',
  },
  {
    key: 'betas',
    kind: 'tuple',
    default: [0.9, 0.999],
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    // beta1 = 0 divides by zero in eval() (validate refuses it).
    typical: [{ min: 0.1, max: 0.99, scale: 'linear' }, BETA2_TYPICAL],
    doc: '(beta1, beta2): y = lerp(z, x, beta1), exp_avg_sq decay beta2. The reference only fails where validate() says (beta1 = 0, |beta2| > 1).',
  },
  {
    key: 'eps',
    kind: 'number',
    default: 1e-8,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 1e-10, max: 1e-1, scale: 'log' },
    doc: 'Added to sqrt(exp_avg_sq) (no bias correction there: sqrt(1 - beta2^(k+1)) scales the LR instead); not checked by the reference.',
  },
  {
    key: 'weight_decay',
    kind: 'number',
    default: 0,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 1e-4, max: 1, scale: 'log' },
    doc: 'Weight decay at y, added to the normalised gradient: g / denom + weight_decay * y (not checked by the reference).',
  },
  warmupStepsParam(),
  rParam(),
  weightLrPowerParam(),
] as const satisfies readonly ParamSchema[];

const o = optimizerSlots(params);
// Schedule-Free's pairs (y, z, (lr_max, weight_sum); x is pair 0) as SGDScheduleFree, then exp_avg_sq.
const st = stateSlots([...SCHEDULE_FREE_STATE, 'exp_avg_sq'] as const);


export const AdamWScheduleFree: OptimizerDef<typeof o, typeof st> = {
  id: 'AdamWScheduleFree',
  doc:
    'Schedule-Free AdamW (Defazio et al. 2024, "The Road Less Scheduled"; not in torch): Adam-normalised steps on z ' +
    '(no first moment; the LR carries sqrt(1 - beta2^(k+1))), the gradient taken at y = lerp(z, x, beta1), and x the ' +
    'running average of the z iterates weighted by lr_max ** weight_lr_power (times (k+1) ** r). basinlab reports x, ' +
    'the eval() point a user deploys; the gradient is taken at y.',
  reference:
    'schedulefree/adamw_schedulefree.py (facebookresearch/schedule_free, AdamWScheduleFree.step, non-foreach branch) ' +
    'with k = t - 1 and the scheduled LR as group["lr"]: sched = (k+1) / warmup_steps if k < warmup_steps else 1.0; ' +
    'bias_correction2 = 1 - beta2 ** (k+1); lr = group["lr"] * sched * math.sqrt(bias_correction2); ' +
    'lr_max = max(lr, lr_max); weight = ((k+1)**r) * (lr_max**weight_lr_power); weight_sum += weight; ' +
    'ckp1 = weight / weight_sum (0 on ZeroDivisionError); exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1-beta2); ' +
    'denom = exp_avg_sq.sqrt().add_(eps); grad_normalized = grad.div_(denom); if decay != 0: ' +
    'grad_normalized.add_(y, alpha=decay); y.lerp_(end=z, weight=ckp1); ' +
    'y.add_(grad_normalized, alpha=lr*(beta1*(1-ckp1)-1)); z.sub_(grad_normalized, alpha=lr); ' +
    'then eval(): x = y.lerp_(end=z, weight=1-1/beta1).',
  params,
  slots: o,
  ...stateFields(st),
  // The pair index of y.
  gradSlot: st.y / 2,
  momentumParam: 'betas.0',
  validate(values: ParamValues): string[] {
    const betas = values['betas'];
    const [b1, b2] = Array.isArray(betas) ? (betas as readonly number[]) : [0.9, 0.999];
    const out: string[] = [];
    if (b1 === 0) {
      out.push('betas: beta1 = 0 divides by zero in eval() (the reference raises ZeroDivisionError at 1 - 1/beta1)');
    }
    if (b2 !== undefined && Math.abs(b2) > 1) {
      out.push(
        `betas: |beta2| > 1 makes 1 - beta2 ** (k+1) negative (the reference raises "math domain error" in math.sqrt; got beta2=${b2})`,
      );
    }
    return out;
  },
  init(_r: Round, _P: Float64Array, S: Float64Array): void {
    scheduleFreeInit(S, st.y, st.z, st.group);
    S[st.exp_avg_sq] = 0;
    S[st.exp_avg_sq + 1] = 0;
  },
  // sc = (warmup factor, sqrt(1 - beta2^(k+1)), (k+1) ** r, 0): step-count-only (the reference
  // computes them in Python float64; oneMinusPow keeps 1 - beta2^(k+1) free of cancellation). The
  // LR products, lr_max, the weight and ckp1 stay in the step: the scheduled LR may differ per run.
  stepScalars: {
    params: ['betas.1', 'warmup_steps', 'r'],
    usesMom: false,
    count: 3,
    compute(r: Round, P: Float64Array, _mom: number, t: number, out: Float64Array): void {
      out[0] = warmupFactor(r, r(P[o.warmup_steps]!), t);
      out[1] = r(Math.sqrt(oneMinusPow(r, r(P[o.betas_1]!), t)));
      out[2] = stepPower(r, t, r(P[o.r]!));
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
    const beta1 = r(mom);
    const beta2 = r(P[o.betas_1]!);
    const eps = r(P[o.eps]!);
    const wd = r(P[o.weight_decay]!);
    // lr = group['lr'] * sched * math.sqrt(bias_correction2), left to right.
    const lrs = r(r(r(lr) * sc[0]!) * sc[1]!);
    const ckp1 = scheduleFreeAverage(r, S, st.group, lrs, sc[2]!, r(P[o.weight_lr_power]!));
    const alpha = r(lrs * r(r(beta1 * r(1 - ckp1)) - 1));
    const w2 = r(1 - beta2);
    const wx = r(1 - r(1 / beta1));
    for (let k = 0; k < 2; k++) {
      const y = S[st.y + k]!;
      const z = S[st.z + k]!;
      const g = r(k === 0 ? gx : gy);
      const v = r(r(S[st.exp_avg_sq + k]! * beta2) + r(r(w2 * g) * g));
      S[st.exp_avg_sq + k] = v;
      let d = r(g / r(r(Math.sqrt(v)) + eps));
      if (wd !== 0) d = r(d + r(wd * y));
      const y1 = r(lerp(r, y, z, ckp1) + r(alpha * d));
      const z1 = r(z - r(lrs * d));
      S[st.y + k] = y1;
      S[st.z + k] = z1;
      S[k] = lerp(r, y1, z1, wx);
    }
  },
};
