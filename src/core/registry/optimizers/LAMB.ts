// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT) or S (length STATE_LEN), checked by tests.
import type { ParamSchema } from '../../params.ts';
import { isSet } from '../schedules/common.ts';
import type { OptimizerDef, Round, TensorShape } from '../types.ts';
import { BETAS_TYPICAL, cautionMean, cautionScale, lrParam, norm2, oneMinusPow, optimizerSlots, shapeSize, stateFields, stateSlots, cautionTensor, tensorNorm } from './common.ts';

const params = [
  lrParam(1e-3, { min: 1e-4, max: 1, scale: 'log' }),
  { key: 'bias_correction', kind: 'bool', default: true, doc: 'Divide m by 1 - beta1^t and sqrt(v) by sqrt(1 - beta2^t), as Adam does.' },
  {
    key: 'betas',
    kind: 'tuple',
    default: [0.9, 0.999],
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    typical: BETAS_TYPICAL,
    doc: 'Decay rates (beta1, beta2) of the running averages of the gradient and its square (timm does not check them).',
  },
  { key: 'eps', kind: 'number', default: 1e-6, min: 0, max: Number.POSITIVE_INFINITY, typical: { min: 1e-10, max: 1e-1, scale: 'log' }, doc: 'Added after dividing sqrt(v) by sqrt(1 - beta2^t); timm rejects eps < 0.' },
  {
    key: 'weight_decay',
    kind: 'number',
    default: 0.01,
    min: 0,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 1e-4, max: 1, scale: 'log' },
    doc: 'Weight decay added to the Adam update (or decoupled); non-zero also turns the trust ratio on (timm default 0.01).',
  },
  { key: 'grad_averaging', kind: 'bool', default: true, doc: 'm = beta1 m + (1 - beta1) g; off: m = beta1 m + g.' },
  {
    key: 'max_grad_norm',
    kind: 'optional-number',
    default: 1.0,
    min: Number.NEGATIVE_INFINITY,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 0.1, max: 10, scale: 'log' },
    doc: 'Global gradient-norm clipping: g /= max(|g| / max_grad_norm, 1) with |g| over both coordinates; None turns it off.',
  },
  { key: 'trust_clip', kind: 'bool', default: false, doc: 'LAMBC: clip the trust ratio at 1.' },
  { key: 'always_adapt', kind: 'bool', default: false, doc: 'Apply the trust ratio even with weight_decay = 0 (timm otherwise skips it).' },
  { key: 'caution', kind: 'bool', default: false, doc: 'Cautious update: zero the coordinates where update and gradient disagree in sign, rescale the rest by 1 / mean(mask).' },
  {
    key: 'decoupled_decay',
    kind: 'bool',
    default: false,
    doc: 'Decoupled weight decay p += -lr * weight_decay * p before the trust ratio, instead of adding weight_decay * p to the update.',
  },
] as const satisfies readonly ParamSchema[];

const o = optimizerSlots(params);
const st = stateSlots(['exp_avg', 'exp_avg_sq'] as const);

export const LAMB: OptimizerDef<typeof o, typeof st> = {
  id: 'LAMB',
  doc:
    "LAMB (You et al. 2020) as timm's Lamb (not in torch): the Adam update (plus weight decay), scaled by the layer-wise trust " +
    'ratio |w| / |update|, 1 where either is 0, after optional global gradient-norm clipping. Here (x, y) is ONE parameter ' +
    'tensor of shape [2], i.e. a single layer: both norms run over both coordinates, so the ratio rescales the step length ' +
    'without turning it, and |p| sets the step size (about lr * |p| per step once the ratio is active). On a network every ' +
    'weight and every bias is one tensor with its own trust ratio and cautious mask, and the clip is over every gradient of ' +
    'every param group (max_grad_norm is read once, from the optimiser, as timm reads self.defaults).',
  reference:
    'timm/optim/lamb.py (huggingface/pytorch-image-models, Lamb.step): clip = (|g| / max_grad_norm).clamp_(min=1.0) if ' +
    'max_grad_norm is not None, grad.div_(clip); beta3 = 1 - beta1 if grad_averaging else 1.0; bias corrections 1 - beta ** step ' +
    '(1.0 without bias_correction); exp_avg.mul_(beta1).add_(grad, alpha=beta3); exp_avg_sq.mul_(beta2).addcmul_(grad, grad, ' +
    'value=1 - beta2); denom = (exp_avg_sq.sqrt() / bias_correction2 ** 0.5).add_(eps); update = (exp_avg / bias_correction1).div_(denom); ' +
    'if caution: mask = (update * grad > 0); mask.div_(mask.mean().clamp_(min=1e-3)); update.mul_(mask); if weight_decay != 0: ' +
    'p.add_(p, alpha=-lr * weight_decay) if decoupled_decay else update.add_(p, alpha=weight_decay); if weight_decay != 0 or ' +
    'always_adapt: trust_ratio = where(w_norm > 0, where(g_norm > 0, w_norm / g_norm, 1.0), 1.0) with w_norm = p.norm(2.0), ' +
    'g_norm = update.norm(2.0), clamp(max=1.0) if trust_clip; update.mul_(trust_ratio); p.add_(update, alpha=-lr).',
  params,
  perTensor: () => true,
  globalParams: { max_grad_norm: "timm reads self.defaults['max_grad_norm'] (_get_clip_grad_norm), never a group's" },
  // timm's loop over each p of each group, the trust ratio's norms over the whole tensor p; the
  // clip over every tensor of every group (`global`). State: exp_avg, then exp_avg_sq (one number
  // per element each).
  tensor: {
    stateSize: (shape: TensorShape): number => 2 * shapeSize(shape),
    init(_r: Round, _P: Float64Array, _shape: TensorShape, _p: Float64Array, state: Float64Array): void {
      state.fill(0);
    },
    // _get_clip_grad_norm: vector_norm(stack([vector_norm(g) for every p])) / max_grad_norm,
    // clamped at 1 (1 when max_grad_norm is None). For one tensor sqrt(n * n) = n (a correctly
    // rounded square root of a correctly rounded square), so the surface's norm2 is this.
    global(r: Round, P: Float64Array, grads: readonly Float64Array[]): number {
      const mgn = P[o.max_grad_norm]!;
      if (!isSet(mgn)) return 1;
      let sq = 0;
      for (const g of grads) {
        const tn = tensorNorm(r, g);
        sq = r(sq + r(tn * tn));
      }
      return Math.max(r(r(Math.sqrt(sq)) / r(mgn)), 1);
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
      sc: Float64Array,
      gs: number,
    ): void {
      const n = p.length;
      const lrf = r(lr);
      const beta1 = r(mom);
      const beta2 = r(P[o.betas_1]!);
      const eps = r(P[o.eps]!);
      const wd = r(P[o.weight_decay]!);
      const bias = P[o.bias_correction]! !== 0;
      const bc1 = bias ? sc[0]! : 1;
      const bc2Sqrt = bias ? sc[1]! : 1;
      const beta3 = P[o.grad_averaging]! !== 0 ? r(1 - beta1) : 1;
      const w2 = r(1 - beta2);
      const u = work;
      for (let i = 0; i < n; i++) {
        // grad.div_(clip_grad_norm), skipped (as timm) when max_grad_norm is None.
        const gi = isSet(P[o.max_grad_norm]!) ? r(r(g[i]!) / gs) : r(g[i]!);
        g[i] = gi;
        const m = r(r(state[i]! * beta1) + r(beta3 * gi));
        const v = r(r(state[n + i]! * beta2) + r(r(w2 * gi) * gi));
        state[i] = m;
        state[n + i] = v;
        u[i] = r(r(m / bc1) / r(r(r(Math.sqrt(v)) / bc2Sqrt) + eps));
      }
      if (P[o.caution]! !== 0) cautionTensor(r, u, g);
      if (wd !== 0) {
        if (P[o.decoupled_decay]! !== 0) {
          const s = r(-lrf * wd);
          for (let i = 0; i < n; i++) p[i] = r(p[i]! + r(s * p[i]!));
        } else {
          for (let i = 0; i < n; i++) u[i] = r(u[i]! + r(wd * p[i]!));
        }
      }
      if (wd !== 0 || P[o.always_adapt]! !== 0) {
        const wn = tensorNorm(r, p);
        const un = tensorNorm(r, u);
        let tr = wn > 0 ? (un > 0 ? r(wn / un) : 1) : 1;
        if (P[o.trust_clip]! !== 0) tr = Math.min(tr, 1);
        for (let i = 0; i < n; i++) u[i] = r(u[i]! * tr);
      }
      for (let i = 0; i < n; i++) p[i] = r(p[i]! - r(lrf * u[i]!));
    },
  },
  slots: o,
  ...stateFields(st),
  momentumParam: 'betas.0',
  init(_r: Round, _P: Float64Array, S: Float64Array): void {
    for (let i = st.exp_avg; i < st.exp_avg_sq + 2; i++) S[i] = 0;
  },
  // sc = (1 - beta1^t, sqrt(1 - beta2^t), 0, 0), as Adam's; the step uses (1, 1) without bias_correction.
  stepScalars: {
    params: ['betas.1'],
    usesMom: true,
    count: 2,
    compute(r: Round, P: Float64Array, mom: number, t: number, out: Float64Array): void {
      out[0] = oneMinusPow(r, r(mom), t);
      out[1] = r(Math.sqrt(oneMinusPow(r, r(P[o.betas_1]!), t)));
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
    const lrf = r(lr);
    const beta1 = r(mom);
    const beta2 = r(P[o.betas_1]!);
    const eps = r(P[o.eps]!);
    const wd = r(P[o.weight_decay]!);
    const bias = P[o.bias_correction]! !== 0;
    const bc1 = bias ? sc[0]! : 1;
    const bc2Sqrt = bias ? sc[1]! : 1;
    const beta3 = P[o.grad_averaging]! !== 0 ? r(1 - beta1) : 1;
    const w2 = r(1 - beta2);
    let g0 = r(gx);
    let g1 = r(gy);
    const mgn = P[o.max_grad_norm]!;
    if (isSet(mgn)) {
      const clip = Math.max(r(norm2(r, g0, g1) / r(mgn)), 1);
      g0 = r(g0 / clip);
      g1 = r(g1 / clip);
    }
    const m0 = r(r(S[st.exp_avg]! * beta1) + r(beta3 * g0));
    const m1 = r(r(S[st.exp_avg + 1]! * beta1) + r(beta3 * g1));
    const v0 = r(r(S[st.exp_avg_sq]! * beta2) + r(r(w2 * g0) * g0));
    const v1 = r(r(S[st.exp_avg_sq + 1]! * beta2) + r(r(w2 * g1) * g1));
    S[st.exp_avg] = m0;
    S[st.exp_avg + 1] = m1;
    S[st.exp_avg_sq] = v0;
    S[st.exp_avg_sq + 1] = v1;
    let u0 = r(r(m0 / bc1) / r(r(r(Math.sqrt(v0)) / bc2Sqrt) + eps));
    let u1 = r(r(m1 / bc1) / r(r(r(Math.sqrt(v1)) / bc2Sqrt) + eps));
    if (P[o.caution]! !== 0) {
      const mean = cautionMean(r, u0, u1, g0, g1);
      u0 = cautionScale(r, u0, g0, mean);
      u1 = cautionScale(r, u1, g1, mean);
    }
    let p0 = S[0]!;
    let p1 = S[1]!;
    if (wd !== 0) {
      if (P[o.decoupled_decay]! !== 0) {
        // _add_scaled_(p, p, -lr * weight_decay): p + s * p.
        const s = r(-lrf * wd);
        p0 = r(p0 + r(s * p0));
        p1 = r(p1 + r(s * p1));
      } else {
        u0 = r(u0 + r(wd * p0));
        u1 = r(u1 + r(wd * p1));
      }
    }
    if (wd !== 0 || P[o.always_adapt]! !== 0) {
      const wn = norm2(r, p0, p1);
      const un = norm2(r, u0, u1);
      let tr = wn > 0 ? (un > 0 ? r(wn / un) : 1) : 1;
      if (P[o.trust_clip]! !== 0) tr = Math.min(tr, 1);
      u0 = r(u0 * tr);
      u1 = r(u1 * tr);
    }
    S[0] = r(p0 - r(lrf * u0));
    S[1] = r(p1 - r(lrf * u1));
  },
};
