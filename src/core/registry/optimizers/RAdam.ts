// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT) or S (length STATE_LEN), checked by tests.
import type { ParamSchema } from '../../params.ts';
import type { OptimizerDef, Round } from '../types.ts';
import {
  betasParam,
  decoupledParam,
  epsParam,
  lerp,
  lrParam,
  maximizeParam,
  oneMinusPow,
  optimizerSlots,
  stateFields,
  stateSlots,
  weightDecayParam,
} from './common.ts';

const params = [
  // Down to 1e-7: until the variance is tractable (rho_t <= 5) RAdam takes plain momentum steps
  // lr·m_hat, scaled by the raw gradient, and on a steep surface only a small LR survives them.
  lrParam(1e-3, { min: 1e-7, max: 1, scale: 'log' }),
  betasParam(),
  epsParam(1e-8, 'Added to sqrt(v) in the adaptive term sqrt(1 - beta2^t) / (sqrt(v) + eps).'),
  weightDecayParam(0, 'Weight decay: L2 term in the gradient, or p *= 1 - lr * weight_decay when decoupled.'),
  decoupledParam('Decoupled (RAdamW) weight decay: p *= 1 - lr * weight_decay before the moments are updated.'),
  maximizeParam(),
] as const satisfies readonly ParamSchema[];

const o = optimizerSlots(params);
const st = stateSlots(['exp_avg', 'exp_avg_sq'] as const);

/**
 * rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t), rho_inf = 2 / (1 - beta2) - 1, is a Python-float64
 * scalar in torch. In f32 that form subtracts two numbers near 2 / (1 - beta2) (~2000) to get ~t:
 * with beta2 = 0.999 it is off by ~1e-2 around the rho_t > 5 threshold (t = 5, 6), moving the
 * rectification term by ~0.2% (and by ~30% for beta2 = 0.9999). With e = 1 - beta2, s = 1 - beta2^t
 * and w = t e - s >= 0 the same value is rho_t = (2t - 1) - 2w / (e s), and w comes without
 * cancellation from the recurrence
 *   w(j + k) = w(j) + w(k) + s(j) s(k),   w(2m) = 2 w(m) + s(m)^2
 * alongside s (see oneMinusPow). That form is used while t e <= 1; past that the textbook form no
 * longer cancels, given beta2^t to a few ulps relative (1 - s would not do: 2t amplifies its last
 * ulp). Measured against float64 for beta2 in {0.5 … 0.9999} and t <= 2e5: rho_t within 6e-7.
 */
export const RAdam: OptimizerDef<typeof o, typeof st> = {
  id: 'RAdam',
  doc: 'Rectified Adam: plain bias-corrected momentum steps while the variance estimate is unreliable (rho_t <= 5), rectified adaptive steps after, as torch.optim.RAdam.',
  reference:
    'torch/optim/radam.py, _single_tensor_radam (foreach=False, capturable=False, differentiable=False): ' +
    'grad = -grad if maximize; step_t += 1; if weight_decay != 0: param.mul_(1 - lr * weight_decay) if ' +
    'decoupled_weight_decay else grad = grad.add(param, alpha=weight_decay); exp_avg.lerp_(grad, 1 - beta1); ' +
    'exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2); bias_corrected_exp_avg = exp_avg / (1 - beta1 ** step); ' +
    'rho_inf = 2 / (1 - beta2) - 1; rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2; ' +
    'if rho_t > 5.0: param.add_(bias_corrected_exp_avg * lr * _compute_adaptive_lr() * _compute_rect(), alpha=-1.0) ' +
    'with adaptive = bias_correction2 ** 0.5 / (exp_avg_sq.sqrt() + eps), rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ' +
    '((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5; else param.add_(bias_corrected_exp_avg * lr, alpha=-1.0).',
  params,
  slots: o,
  ...stateFields(st),
  momentumParam: 'betas.0',
  init(_r: Round, _P: Float64Array, S: Float64Array): void {
    for (let i = st.exp_avg; i < st.exp_avg_sq + 2; i++) S[i] = 0;
  },
  // sc = (1 - beta1^t, sqrt(1 - beta2^t), rect, 1 if rho_t > 5 else 0): both loops, rho_t, the
  // rectification term and the switch; rect is 0 while unrectified. The LR stays in the step.
  stepScalars: {
    params: ['betas.1'],
    usesMom: true,
    count: 4,
    compute(r: Round, P: Float64Array, mom: number, t: number, out: Float64Array): void {
      const beta2 = r(P[o.betas_1]!);
      const e = r(1 - beta2);

      // (s, w, q) = (1 - beta2^n, n e - s, beta2^n) for the bits of t consumed, (bs, bw, bq) the same
      // for 2^k. bq is 1 - bs while that is >= 0.5 (exact there); squaring takes over below, where its
      // doubling relative error meets a value that shrinks doubly exponentially.
      let n = t >>> 0;
      let bs = e;
      let bw = 0;
      let bq = beta2;
      let s = 0;
      let w = 0;
      let q = 1;
      for (;;) {
        if ((n & 1) !== 0) {
          w = r(r(w + bw) + r(s * bs));
          s = r(s + r(r(1 - s) * bs));
          q = r(q * bq);
        }
        n >>>= 1;
        if (n === 0) break;
        bw = r(r(2 * bw) + r(bs * bs));
        bs = r(bs * r(2 - bs));
        bq = bs < 0.5 ? r(1 - bs) : r(bq * bq);
      }
      const rhoInf = r(r(2 / e) - 1);
      const rhoT =
        r(t * e) <= 1
          ? r(r(2 * t - 1) - r(r(2 * w) / r(e * s)))
          : r(rhoInf - r(r(r(2 * t) * q) / s));
      const rectified = rhoT > 5;
      out[0] = oneMinusPow(r, r(mom), t);
      out[1] = r(Math.sqrt(s));
      out[2] = rectified
        ? r(Math.sqrt(r(r(r(r(rhoT - 4) * r(rhoT - 2)) * rhoInf) / r(r(r(rhoInf - 4) * r(rhoInf - 2)) * rhoT))))
        : 0;
      out[3] = rectified ? 1 : 0;
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
    const decoupled = P[o.decoupled_weight_decay]! !== 0;
    const sign = P[o.maximize]! !== 0 ? -1 : 1;
    const decay = r(1 - r(lrf * wd));
    const w1 = r(1 - beta1);
    const e = r(1 - beta2);
    const bc1 = sc[0]!;
    const bc2Sqrt = sc[1]!;
    const rect = sc[2]!;
    const rectified = sc[3]! !== 0;

    for (let k = 0; k < 2; k++) {
      let p = S[k]!;
      let g = sign * r(k === 0 ? gx : gy);
      if (wd !== 0) {
        if (decoupled) p = r(p * decay);
        else g = r(g + r(wd * p));
      }
      const m = lerp(r, S[st.exp_avg + k]!, g, w1);
      S[st.exp_avg + k] = m;
      const v = r(r(S[st.exp_avg_sq + k]! * beta2) + r(r(e * g) * g));
      S[st.exp_avg_sq + k] = v;
      const scaled = r(r(m / bc1) * lrf);
      if (rectified) {
        const adaptive = r(bc2Sqrt / r(r(Math.sqrt(v)) + eps));
        S[k] = r(p - r(r(scaled * adaptive) * rect));
      } else {
        S[k] = r(p - scaled);
      }
    }
  },
};
