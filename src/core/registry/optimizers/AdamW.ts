// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT) or S (length STATE_LEN), checked by tests.
import type { ParamSchema } from '../../params.ts';
import { ADAM_REFERENCE, adamFamily } from './Adam.ts';
import { betasParam, epsParam, lrParam, maximizeParam, optimizerSlots, weightDecayParam } from './common.ts';

const adamWParams = [
  lrParam(1e-3, { min: 1e-4, max: 1, scale: 'log' }),
  betasParam(),
  epsParam(1e-8, 'Added after dividing sqrt(v) by sqrt(1 - beta2^t).'),
  weightDecayParam(1e-2, 'Decoupled weight decay: p *= 1 - lr * weight_decay before the moments are updated.'),
  {
    key: 'amsgrad',
    kind: 'bool',
    default: false,
    doc: 'AMSGrad: divide by the running maximum of exp_avg_sq instead of exp_avg_sq.',
  },
  maximizeParam(),
] as const satisfies readonly ParamSchema[];

export const AdamW = adamFamily(
  'AdamW',
  adamWParams,
  optimizerSlots(adamWParams),
  'AdamW: Adam with decoupled weight decay (default 0.01), optional AMSGrad and maximize, as torch.optim.AdamW.',
  'torch/optim/adamw.py: class AdamW(Adam) passes decoupled_weight_decay=True to Adam (weight_decay default 1e-2, ' +
    'no decoupled_weight_decay argument); the update is ' +
    ADAM_REFERENCE,
  // Adam's body, with its decoupled_weight_decay flag a compile-time `true`.
  { body: 'Adam', fixed: { decoupled_weight_decay: true } },
);
