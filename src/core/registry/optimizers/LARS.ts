// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT) or S (length STATE_LEN), checked by tests.
import type { ParamSchema, ParamValues } from '../../params.ts';
import type { OptimizerDef, Round } from '../types.ts';
import { lrParam, norm2, num, slot, weightDecayParam } from './common.ts';

const UNCHECKED = { min: Number.NEGATIVE_INFINITY, max: Number.POSITIVE_INFINITY } as const;

const params: readonly ParamSchema[] = [
  lrParam(1.0),
  {
    key: 'momentum',
    kind: 'number',
    default: 0,
    min: 0,
    max: Number.POSITIVE_INFINITY,
    doc: 'Momentum factor of the SGD update after the trust-ratio scaling; timm only rejects momentum < 0.',
  },
  { key: 'dampening', kind: 'number', default: 0, ...UNCHECKED, doc: 'Dampening of the gradient added to the momentum buffer after its first step (timm does not check it).' },
  weightDecayParam(0, 'L2 term added to the gradient before the trust-ratio scaling; non-zero also turns the LARS adaptation on.'),
  { key: 'nesterov', kind: 'bool', default: false, doc: 'Nesterov momentum: step along g + momentum * buf instead of buf (needs momentum > 0, dampening 0).' },
  {
    key: 'trust_coeff',
    kind: 'number',
    default: 0.001,
    ...UNCHECKED,
    doc: 'eta of LARS: trust ratio = trust_coeff * |w| / (|g| + weight_decay * |w| + eps) over the whole (x, y) tensor.',
  },
  { key: 'eps', kind: 'number', default: 1e-8, ...UNCHECKED, doc: 'Added to the trust-ratio denominator (timm does not check it).' },
  { key: 'trust_clip', kind: 'bool', default: false, doc: 'LARC clipping: trust ratio = min(trust ratio / lr, 1).' },
  {
    key: 'always_adapt',
    kind: 'bool',
    default: false,
    doc: 'Apply the trust ratio even with weight_decay = 0 (timm otherwise adapts only parameters with weight decay).',
  },
];

const DAMPENING = slot(params, 'dampening');
const WEIGHT_DECAY = slot(params, 'weight_decay');
const NESTEROV = slot(params, 'nesterov');
const TRUST_COEFF = slot(params, 'trust_coeff');
const EPS = slot(params, 'eps');
const TRUST_CLIP = slot(params, 'trust_clip');
const ALWAYS_ADAPT = slot(params, 'always_adapt');

// S pair 1: momentum_buffer; pair 2 (x): 1 once the buffer exists (created as a copy of the scaled
// gradient on the first step with non-zero momentum, as in torch's SGD; see SGD.ts).
const BUF = 2;
const HAS_BUF = 4;

export const LARS: OptimizerDef = {
  id: 'LARS',
  doc:
    "LARS (You, Gitman & Ginsburg 2017) as timm's Lars (not in torch): SGD whose gradient (plus L2 term) is scaled by a " +
    'layer-wise trust ratio trust_coeff * |w| / (|g| + weight_decay * |w| + eps), 1 where |w| or |g| is 0. Here (x, y) is ONE ' +
    'parameter tensor of shape [2], i.e. a single layer: the ratio uses the norms over both coordinates and scales both alike, ' +
    'so it rescales the step length, never its direction. With timm\'s defaults (weight_decay 0, always_adapt off) it is plain SGD with lr 1.',
  reference:
    'timm/optim/lars.py (huggingface/pytorch-image-models, Lars.step): if weight_decay != 0 or always_adapt: ' +
    'w_norm = p.norm(2.0); g_norm = grad.norm(2.0); trust_ratio = trust_coeff * w_norm / (g_norm + w_norm * weight_decay + eps); ' +
    'trust_ratio = where(w_norm > 0, where(g_norm > 0, trust_ratio, 1.0), 1.0); if trust_clip: ' +
    'trust_ratio = clamp(trust_ratio / lr, max=1.0); grad = grad.add(p, alpha=weight_decay).mul_(trust_ratio); ' +
    'then torch SGD: if momentum != 0: buf = clone(grad) the first time else buf.mul_(momentum).add_(grad, alpha=1 - dampening); ' +
    'grad = grad.add(buf, alpha=momentum) if nesterov else buf; p.add_(grad, alpha=-lr).',
  params,
  stateSlots: 2,
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
  init(_r: Round, _P: Float64Array, S: Float64Array): void {
    for (let i = BUF; i < HAS_BUF + 2; i++) S[i] = 0;
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
    const wd = r(P[WEIGHT_DECAY]!);
    const keep = r(1 - r(P[DAMPENING]!));
    const nesterov = P[NESTEROV]! !== 0;
    const p0 = S[0]!;
    const p1 = S[1]!;
    let g0 = r(gx);
    let g1 = r(gy);
    if (wd !== 0 || P[ALWAYS_ADAPT]! !== 0) {
      const wn = norm2(r, p0, p1);
      const gn = norm2(r, g0, g1);
      let tr = r(r(r(P[TRUST_COEFF]!) * wn) / r(r(gn + r(wn * wd)) + r(P[EPS]!)));
      tr = wn > 0 ? (gn > 0 ? tr : 1) : 1;
      if (P[TRUST_CLIP]! !== 0) tr = Math.min(r(tr / lrf), 1);
      g0 = r(r(g0 + r(wd * p0)) * tr);
      g1 = r(r(g1 + r(wd * p1)) * tr);
    }
    if (mu !== 0) {
      const fresh = S[HAS_BUF]! === 0;
      const b0 = fresh ? g0 : r(r(S[BUF]! * mu) + r(keep * g0));
      const b1 = fresh ? g1 : r(r(S[BUF + 1]! * mu) + r(keep * g1));
      S[BUF] = b0;
      S[BUF + 1] = b1;
      S[HAS_BUF] = 1;
      g0 = nesterov ? r(g0 + r(mu * b0)) : b0;
      g1 = nesterov ? r(g1 + r(mu * b1)) : b1;
    }
    S[0] = r(p0 - r(lrf * g0));
    S[1] = r(p1 - r(lrf * g1));
  },
  wgsl: 'LARS.wgsl',
};
