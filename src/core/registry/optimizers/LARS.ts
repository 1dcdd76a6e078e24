// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT) or S (length STATE_LEN), checked by tests.
import type { ParamSchema, ParamValues } from '../../params.ts';
import type { OptimizerDef, Round, TensorShape } from '../types.ts';
import { lrParam, norm2, num, optimizerSlots, shapeSize, stateFields, stateSlots, tensorNorm, weightDecayParam } from './common.ts';

const UNCHECKED = { min: Number.NEGATIVE_INFINITY, max: Number.POSITIVE_INFINITY } as const;

const params = [
  // Without weight decay or always_adapt (the defaults) no trust ratio applies: plain SGD steps, whose LR scales with 1/λ.
  lrParam(1.0, { min: 1e-2, max: 10, scale: 'log', per: '1/sharpness' }),
  {
    key: 'momentum',
    kind: 'number',
    default: 0,
    min: 0,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 0, max: 0.99, scale: 'linear' },
    doc: 'Momentum factor of the SGD update after the trust-ratio scaling; timm only rejects momentum < 0.',
  },
  { key: 'dampening', kind: 'number', default: 0, ...UNCHECKED, typical: { min: 0, max: 0.9, scale: 'linear' }, doc: 'Dampening of the gradient added to the momentum buffer after its first step (timm does not check it).' },
  weightDecayParam(0, 'L2 term added to the gradient before the trust-ratio scaling; non-zero also turns the LARS adaptation on.'),
  { key: 'nesterov', kind: 'bool', default: false, doc: 'Nesterov momentum: step along g + momentum * buf instead of buf (needs momentum > 0, dampening 0).' },
  {
    key: 'trust_coeff',
    kind: 'number',
    default: 0.001,
    ...UNCHECKED,
    typical: { min: 1e-4, max: 1e-1, scale: 'log' },
    doc: 'eta of LARS: trust ratio = trust_coeff * |w| / (|g| + weight_decay * |w| + eps) over the whole (x, y) tensor.',
  },
  { key: 'eps', kind: 'number', default: 1e-8, ...UNCHECKED, typical: { min: 1e-10, max: 1e-2, scale: 'log' }, doc: 'Added to the trust-ratio denominator (timm does not check it).' },
  { key: 'trust_clip', kind: 'bool', default: false, doc: 'LARC clipping: trust ratio = min(trust ratio / lr, 1).' },
  {
    key: 'always_adapt',
    kind: 'bool',
    default: false,
    doc: 'Apply the trust ratio even with weight_decay = 0 (timm otherwise adapts only parameters with weight decay).',
  },
] as const satisfies readonly ParamSchema[];

const o = optimizerSlots(params);
// momentum_buffer; has_buffer (x): 1 once the buffer exists (created as a copy of the scaled gradient
// on the first step with non-zero momentum, as in torch's SGD; see SGD.ts).
const st = stateSlots(['momentum_buffer', 'has_buffer'] as const);

export const LARS: OptimizerDef<typeof o, typeof st> = {
  id: 'LARS',
  doc:
    "LARS (You, Gitman & Ginsburg 2017) as timm's Lars (not in torch): SGD whose gradient (plus L2 term) is scaled by a " +
    'layer-wise trust ratio trust_coeff * |w| / (|g| + weight_decay * |w| + eps), 1 where |w| or |g| is 0. Here (x, y) is ONE ' +
    'parameter tensor of shape [2], i.e. a single layer: the ratio uses the norms over both coordinates and scales both alike, ' +
    'so it rescales the step length, never its direction. With timm\'s defaults (weight_decay 0, always_adapt off) it is plain SGD with lr 1. ' +
    'On a network every weight and every bias is one tensor, with its own trust ratio (timm\'s loop over p).',
  reference:
    'timm/optim/lars.py (huggingface/pytorch-image-models, Lars.step): if weight_decay != 0 or always_adapt: ' +
    'w_norm = p.norm(2.0); g_norm = grad.norm(2.0); trust_ratio = trust_coeff * w_norm / (g_norm + w_norm * weight_decay + eps); ' +
    'trust_ratio = where(w_norm > 0, where(g_norm > 0, trust_ratio, 1.0), 1.0); if trust_clip: ' +
    'trust_ratio = clamp(trust_ratio / lr, max=1.0); grad = grad.add(p, alpha=weight_decay).mul_(trust_ratio); ' +
    'then torch SGD: if momentum != 0: buf = clone(grad) the first time else buf.mul_(momentum).add_(grad, alpha=1 - dampening); ' +
    'grad = grad.add(buf, alpha=momentum) if nesterov else buf; p.add_(grad, alpha=-lr).',
  params,
  perTensor: () => true,
  // timm's loop over each p of each group, with the norms over the whole tensor p. State: the
  // momentum buffer (one number per element), then has_buffer (1 once it exists).
  tensor: {
    stateSize: (shape: TensorShape): number => shapeSize(shape) + 1,
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
      _work: Float64Array,
      lr: number,
      mom: number,
      _t: number,
      _sc: Float64Array,
      _gs: number,
    ): void {
      const n = p.length;
      const lrf = r(lr);
      const mu = r(mom);
      const wd = r(P[o.weight_decay]!);
      const keep = r(1 - r(P[o.dampening]!));
      const nesterov = P[o.nesterov]! !== 0;
      for (let i = 0; i < n; i++) g[i] = r(g[i]!);
      if (wd !== 0 || P[o.always_adapt]! !== 0) {
        const wn = tensorNorm(r, p);
        const gn = tensorNorm(r, g);
        let tr = r(r(r(P[o.trust_coeff]!) * wn) / r(r(gn + r(wn * wd)) + r(P[o.eps]!)));
        tr = wn > 0 ? (gn > 0 ? tr : 1) : 1;
        if (P[o.trust_clip]! !== 0) tr = Math.min(r(tr / lrf), 1);
        for (let i = 0; i < n; i++) g[i] = r(r(g[i]! + r(wd * p[i]!)) * tr);
      }
      if (mu !== 0) {
        const fresh = state[n]! === 0;
        for (let i = 0; i < n; i++) {
          const b = fresh ? g[i]! : r(r(state[i]! * mu) + r(keep * g[i]!));
          state[i] = b;
          g[i] = nesterov ? r(g[i]! + r(mu * b)) : b;
        }
        state[n] = 1;
      }
      for (let i = 0; i < n; i++) p[i] = r(p[i]! - r(lrf * g[i]!));
    },
  },
  slots: o,
  ...stateFields(st),
  momentumParam: 'momentum',
  validate(values: ParamValues): string[] {
    const momentum = num(values, 'momentum', 0);
    const dampening = num(values, 'dampening', 0);
    if (values['nesterov'] === true && (momentum <= 0 || dampening !== 0)) {
      return [
        `nesterov: Nesterov momentum requires a momentum and zero dampening ` +
          `(timm's ValueError; needs momentum > 0 and dampening = 0; got momentum=${momentum}, dampening=${dampening})`,
      ];
    }
    return [];
  },
  // timm's Lars checks nesterov on its constructor's values only: a group with nesterov and momentum 0
  // runs as plain SGD (the momentum branch is skipped, as in step below), one with dampening runs
  // the formula as written (review 12: refusing them refused legal torch setups).
  validateGroup(): string[] {
    return [];
  },
  init(_r: Round, _P: Float64Array, S: Float64Array): void {
    for (let i = st.momentum_buffer; i < st.has_buffer + 2; i++) S[i] = 0;
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
    const mu = r(mom);
    const wd = r(P[o.weight_decay]!);
    const keep = r(1 - r(P[o.dampening]!));
    const nesterov = P[o.nesterov]! !== 0;
    const p0 = S[0]!;
    const p1 = S[1]!;
    let g0 = r(gx);
    let g1 = r(gy);
    if (wd !== 0 || P[o.always_adapt]! !== 0) {
      const wn = norm2(r, p0, p1);
      const gn = norm2(r, g0, g1);
      let tr = r(r(r(P[o.trust_coeff]!) * wn) / r(r(gn + r(wn * wd)) + r(P[o.eps]!)));
      tr = wn > 0 ? (gn > 0 ? tr : 1) : 1;
      if (P[o.trust_clip]! !== 0) tr = Math.min(r(tr / lrf), 1);
      g0 = r(r(g0 + r(wd * p0)) * tr);
      g1 = r(r(g1 + r(wd * p1)) * tr);
    }
    if (mu !== 0) {
      const fresh = S[st.has_buffer]! === 0;
      const b0 = fresh ? g0 : r(r(S[st.momentum_buffer]! * mu) + r(keep * g0));
      const b1 = fresh ? g1 : r(r(S[st.momentum_buffer + 1]! * mu) + r(keep * g1));
      S[st.momentum_buffer] = b0;
      S[st.momentum_buffer + 1] = b1;
      S[st.has_buffer] = 1;
      g0 = nesterov ? r(g0 + r(mu * b0)) : b0;
      g1 = nesterov ? r(g1 + r(mu * b1)) : b1;
    }
    S[0] = r(p0 - r(lrf * g0));
    S[1] = r(p1 - r(lrf * g1));
  },
};
