// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT) or S (length STATE_LEN), checked by tests.
import type { ParamSchema } from '../../params.ts';
import type { OptimizerDef, Round, TensorShape } from '../types.ts';
import { cautionMean, cautionScale, lerp, lrParam, maximizeParam, optimizerSlots, shapeSize, stateFields, stateSlots, cautionTensor } from './common.ts';

const params = [
  lrParam(1e-4, { min: 1e-5, max: 1e-1, scale: 'log' }),
  {
    key: 'betas',
    kind: 'tuple',
    default: [0.9, 0.99],
    min: 0,
    max: 1,
    maxExclusive: true,
    typical: [{ min: 0, max: 0.99, scale: 'linear' }, { min: 0.9, max: 0.999, scale: 'linear' }],
    doc: '(beta1, beta2): beta1 interpolates the momentum and the gradient for the sign, beta2 is the momentum decay; timm requires 0 <= beta < 1.',
  },
  {
    key: 'weight_decay',
    kind: 'number',
    default: 0,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 1e-4, max: 1, scale: 'log' },
    doc: 'Decoupled weight decay p *= 1 - lr * weight_decay before the signed step (timm does not check it).',
  },
  { key: 'caution', kind: 'bool', default: false, doc: 'Cautious update: zero the coordinates where the signed update and the gradient disagree, rescale the rest by 1 / mean(mask).' },
  maximizeParam(),
] as const satisfies readonly ParamSchema[];

const o = optimizerSlots(params);
const st = stateSlots(['exp_avg'] as const);

export const Lion: OptimizerDef<typeof o, typeof st> = {
  id: 'Lion',
  doc:
    "Lion (Chen et al. 2023, 'Symbolic Discovery of Optimization Algorithms') as timm's Lion (not in torch): every coordinate " +
    'moves by exactly lr in the direction -sign(beta1 m + (1 - beta1) g), after decoupled weight decay; the momentum m then ' +
    'follows the gradient with beta2. Steps have length lr per coordinate whatever the gradient scale. With caution the ' +
    'mask is normalised by its mean over the tensor: (x, y) on a surface, each weight and bias on a network.',
  reference:
    'timm/optim/lion.py (huggingface/pytorch-image-models, _single_tensor_lion): grad = -grad if maximize; ' +
    'param.mul_(1 - lr * weight_decay); update = exp_avg.mul(beta1).add_(grad, alpha=1 - beta1).sign_(); if caution: ' +
    'mask = (update * grad > 0); mask.div_(mask.mean().clamp_(min=1e-3)); update.mul_(mask); param.add_(update, alpha=-lr); ' +
    'exp_avg.lerp_(grad, 1 - beta2). (Same as lucidrains/lion-pytorch; corrected_weight_decay and foreach are not modelled.)',
  params,
  perTensor: (values) => values['caution'] === true,
  // _single_tensor_lion over each tensor, the cautious mask's mean over the whole tensor. State:
  // exp_avg (one number per element).
  tensor: {
    stateSize: (shape: TensorShape): number => shapeSize(shape),
    init(_r: Round, _P: Float64Array, _shape: TensorShape, _p: Float64Array, state: Float64Array): void {
      state.fill(0);
    },
    step(
      r: Round,
      P: Float64Array,
      _shape: TensorShape,
      p: Float64Array,
      g: Float64Array,
      state: Float64Array,
      work: Float64Array,
      lr: number,
      mom: number,
      _t: number,
      _sc: Float64Array,
      _gs: number,
    ): void {
      const n = p.length;
      const lrf = r(lr);
      const beta1 = r(mom);
      const w1 = r(1 - beta1);
      const w2 = r(1 - r(P[o.betas_1]!));
      const decay = r(1 - r(lrf * r(P[o.weight_decay]!)));
      const sign = P[o.maximize]! !== 0 ? -1 : 1;
      const u = work;
      for (let i = 0; i < n; i++) {
        g[i] = sign * r(g[i]!);
        u[i] = Math.sign(r(r(state[i]! * beta1) + r(w1 * g[i]!)));
      }
      if (P[o.caution]! !== 0) cautionTensor(r, u, g);
      for (let i = 0; i < n; i++) {
        p[i] = r(r(p[i]! * decay) - r(lrf * u[i]!));
        state[i] = lerp(r, state[i]!, g[i]!, w2);
      }
    },
  },
  slots: o,
  ...stateFields(st),
  momentumParam: 'betas.0',
  init(_r: Round, _P: Float64Array, S: Float64Array): void {
    S[st.exp_avg] = 0;
    S[st.exp_avg + 1] = 0;
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
    _sc: Float64Array,
  ): void {
    const lrf = r(lr);
    const beta1 = r(mom);
    const w1 = r(1 - beta1);
    const w2 = r(1 - r(P[o.betas_1]!));
    const decay = r(1 - r(lrf * r(P[o.weight_decay]!)));
    const sign = P[o.maximize]! !== 0 ? -1 : 1;
    const g0 = sign * r(gx);
    const g1 = sign * r(gy);
    let u0 = Math.sign(r(r(S[st.exp_avg]! * beta1) + r(w1 * g0)));
    let u1 = Math.sign(r(r(S[st.exp_avg + 1]! * beta1) + r(w1 * g1)));
    if (P[o.caution]! !== 0) {
      const mean = cautionMean(r, u0, u1, g0, g1);
      u0 = cautionScale(r, u0, g0, mean);
      u1 = cautionScale(r, u1, g1, mean);
    }
    S[0] = r(r(S[0]! * decay) - r(lrf * u0));
    S[1] = r(r(S[1]! * decay) - r(lrf * u1));
    S[st.exp_avg] = lerp(r, S[st.exp_avg]!, g0, w2);
    S[st.exp_avg + 1] = lerp(r, S[st.exp_avg + 1]!, g1, w2);
  },
};
