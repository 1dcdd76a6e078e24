// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT) or S (length STATE_LEN), checked by tests.
import type { ParamSchema } from '../../params.ts';
import type { OptimizerDef, Round, TensorShape } from '../types.ts';
import { lerp, lrParam, maximizeParam, norm2, optimizerSlots, shapeSize, stateFields, stateSlots, tensorNorm, weightDecayParam } from './common.ts';

/** torch.finfo(torch.float32).eps, what torch's eps1 = None resolves to for float32 parameters. */
export const FLOAT32_EPS = 2 ** -23;

const params = [
  {
    ...lrParam(1e-2, { min: 1e-3, max: 1, scale: 'log' }),
    doc: 'Not a step size: caps the relative step rho_t = min(lr, 1 / sqrt(t)) and scales the decoupled weight decay (torch default 1e-2).',
  },
  {
    key: 'beta2_decay',
    kind: 'number',
    default: -0.8,
    min: Number.NEGATIVE_INFINITY,
    max: 0,
    typical: { min: -1, max: -0.1, scale: 'linear' },
    doc: 'Exponent of the second-moment weight 1 - beta2_t = t ** beta2_decay (1 on the first step); torch requires beta2_decay <= 0.',
  },
  {
    key: 'eps',
    kind: 'tuple',
    default: [FLOAT32_EPS, 1e-3],
    min: 0,
    max: Number.POSITIVE_INFINITY,
    typical: [{ min: 1e-10, max: 1e-4, scale: 'log' }, { min: 1e-4, max: 1e-1, scale: 'log' }],
    doc: '(eps1, eps2): v is clamped below by eps1^2 before 1 / sqrt(v), and the RMS of p by eps2; torch default (None, 1e-3) with None = float32 eps 2^-23, held here as a number.',
  },
  {
    key: 'd',
    kind: 'number',
    default: 1.0,
    min: 1,
    max: Number.POSITIVE_INFINITY,
    typical: { min: 1, max: 10, scale: 'linear' },
    doc: 'Update clipping threshold: the update is divided by max(1, RMS(update) / d); torch requires d >= 1.',
  },
  weightDecayParam(0, 'Decoupled weight decay p *= 1 - lr * weight_decay, applied after the RMS of p is taken.'),
  maximizeParam(),
] as const satisfies readonly ParamSchema[];

const o = optimizerSlots(params);
// variance: the unfactored second moment of a 1-D parameter.
const st = stateSlots(['variance'] as const);

export const Adafactor: OptimizerDef<typeof o, typeof st> = {
  id: 'Adafactor',
  doc:
    'Adafactor (Shazeer & Stern 2018) as torch.optim.Adafactor, on (x, y) as one 1-D parameter of shape [2]: torch factors ' +
    'the second moment only for parameters of 2 or more dimensions, so here it is NOT factored (a full per-coordinate ' +
    'variance, like Adam without momentum). Relative step: alpha = max(eps2, RMS(p)) * min(lr, 1 / sqrt(t)), with ' +
    'RMS(p) = |p| / sqrt(2) over both coordinates; the update g / sqrt(v) is divided by max(1, RMS(update) / d). On a ' +
    'network a bias is such a 1-D tensor, and a weight [out, in] is factored as torch does for 2-D parameters: row and ' +
    'column means of g^2 (row_var, col_var), v estimated as row_var col_var / max(mean(row_var), eps1).',
  reference:
    'torch/optim/_adafactor.py, _single_tensor_adafactor (foreach=False), 1-D branch (a surface; a network bias): grad = -grad if maximize; ' +
    'eps1 = finfo(param.dtype).eps if None; step_t += 1; one_minus_beta2_t = step ** beta2_decay; ' +
    'rho_t = min(lr, 1 / step ** 0.5); alpha = max(eps2, param.norm(2).item() / param.numel() ** 0.5) * rho_t; ' +
    'if weight_decay != 0: param.mul_(1 - lr * weight_decay); variance.lerp_(grad * grad, one_minus_beta2_t); ' +
    'update = variance.clone().clamp_(min=eps1 * eps1).rsqrt_().mul_(grad); ' +
    'denom = max(1.0, update.norm(2).item() / (update.numel() ** 0.5 * d)); param.add_(update, alpha=-alpha / denom). ' +
    'grad.dim() > 1 (a network weight): row_var.lerp_(vector_norm(grad, dim=-1, keepdim=True).square_().div_(grad.size(-1)), ' +
    'one_minus_beta2_t); col_var likewise over dim=-2; var_estimate = (row_var @ col_var).div_(row_var.mean(dim=-2, keepdim=True)' +
    '.clamp_(min=eps1)); then the same clamp, rsqrt, clipping and update.',
  params,
  perTensor: () => true,
  // _single_tensor_adafactor over each tensor. State: a weight [rows, cols] (grad.dim() > 1) keeps
  // the factored row_var (rows numbers) then col_var (cols); a bias [n] keeps variance (n).
  tensor: {
    stateSize: (shape: TensorShape): number => (shape.length === 2 ? shape[0] + shape[1] : shape[0]),
    init(_r: Round, _P: Float64Array, _shape: TensorShape, _p: Float64Array, state: Float64Array): void {
      state.fill(0);
    },
    step(
      r: Round,
      P: Float64Array,
      shape: TensorShape,
      p: Float64Array,
      g: Float64Array,
      state: Float64Array,
      work: Float64Array,
      lr: number,
      _mom: number,
      _t: number,
      sc: Float64Array,
      _gs: number,
    ): void {
      const n = shapeSize(shape);
      const lrf = r(lr);
      const eps1 = r(P[o.eps_0]!);
      const eps2 = r(P[o.eps_1]!);
      const d = r(P[o.d]!);
      const wd = r(P[o.weight_decay]!);
      const sign = P[o.maximize]! !== 0 ? -1 : 1;
      const sqrtN = r(Math.sqrt(n)); // param.numel() ** 0.5 (and update.numel() ** 0.5)
      for (let i = 0; i < n; i++) g[i] = sign * r(g[i]!);
      const rho = Math.min(lrf, sc[1]!);
      const alpha = r(Math.max(eps2, r(tensorNorm(r, p) / sqrtN)) * rho);
      if (wd !== 0) {
        const decay = r(1 - r(lrf * wd));
        for (let i = 0; i < n; i++) p[i] = r(p[i]! * decay);
      }
      const w = sc[0]!;
      const floor = r(eps1 * eps1);
      const u = work;
      if (shape.length === 2) {
        const rows = shape[0];
        const cols = shape[1];
        // row_mean = vector_norm(grad, dim=-1) squared, / cols; col_mean likewise over the rows.
        for (let i = 0; i < rows; i++) {
          let s = 0;
          for (let j = 0; j < cols; j++) s = r(s + r(g[i * cols + j]! * g[i * cols + j]!));
          const nrm = r(Math.sqrt(s));
          state[i] = lerp(r, state[i]!, r(r(nrm * nrm) / cols), w);
        }
        for (let j = 0; j < cols; j++) {
          let s = 0;
          for (let i = 0; i < rows; i++) s = r(s + r(g[i * cols + j]! * g[i * cols + j]!));
          const nrm = r(Math.sqrt(s));
          state[rows + j] = lerp(r, state[rows + j]!, r(r(nrm * nrm) / rows), w);
        }
        // var_estimate = row_var @ col_var, / row_var.mean(dim=-2).clamp_(min=eps1).
        let rs = 0;
        for (let i = 0; i < rows; i++) rs = r(rs + state[i]!);
        const rowMean = Math.max(r(rs / rows), eps1);
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < cols; j++) {
            const v = r(r(state[i]! * state[rows + j]!) / rowMean);
            u[i * cols + j] = r(r(1 / r(Math.sqrt(Math.max(v, floor)))) * g[i * cols + j]!);
          }
        }
      } else {
        for (let i = 0; i < n; i++) {
          const v = lerp(r, state[i]!, r(g[i]! * g[i]!), w);
          state[i] = v;
          // rsqrt as 1 / sqrt (what ATen's CPU kernel computes), then times the gradient.
          u[i] = r(r(1 / r(Math.sqrt(Math.max(v, floor)))) * g[i]!);
        }
      }
      const denom = Math.max(1, r(tensorNorm(r, u) / r(sqrtN * d)));
      const coef = r(-alpha / denom);
      for (let i = 0; i < n; i++) p[i] = r(p[i]! + r(u[i]! * coef));
    },
  },
  slots: o,
  ...stateFields(st),
  momentumParam: null,
  init(_r: Round, _P: Float64Array, S: Float64Array): void {
    S[st.variance] = 0;
    S[st.variance + 1] = 0;
  },
  // sc = (t ** beta2_decay, 1 / sqrt(t), 0, 0): the pow and the square root of the step count
  // (Python float64 scalars in torch). rho_t = min(lr, 1 / sqrt(t)) stays in the step, since the
  // scheduled LR may differ per run.
  stepScalars: {
    params: ['beta2_decay'],
    usesMom: false,
    count: 2,
    compute(r: Round, P: Float64Array, _mom: number, t: number, out: Float64Array): void {
      out[0] = r(Math.pow(t, r(P[o.beta2_decay]!)));
      out[1] = r(1 / r(Math.sqrt(t)));
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
    _mom: number,
    _t: number,
    sc: Float64Array,
  ): void {
    const lrf = r(lr);
    const eps1 = r(P[o.eps_0]!);
    const eps2 = r(P[o.eps_1]!);
    const d = r(P[o.d]!);
    const wd = r(P[o.weight_decay]!);
    const sign = P[o.maximize]! !== 0 ? -1 : 1;
    const sqrt2 = r(Math.SQRT2); // param.numel() ** 0.5
    const g0 = sign * r(gx);
    const g1 = sign * r(gy);
    let p0 = S[0]!;
    let p1 = S[1]!;
    const rho = Math.min(lrf, sc[1]!);
    const alpha = r(Math.max(eps2, r(norm2(r, p0, p1) / sqrt2)) * rho);
    if (wd !== 0) {
      const decay = r(1 - r(lrf * wd));
      p0 = r(p0 * decay);
      p1 = r(p1 * decay);
    }
    const w = sc[0]!;
    const v0 = lerp(r, S[st.variance]!, r(g0 * g0), w);
    const v1 = lerp(r, S[st.variance + 1]!, r(g1 * g1), w);
    S[st.variance] = v0;
    S[st.variance + 1] = v1;
    const floor = r(eps1 * eps1);
    // rsqrt as 1 / sqrt (what ATen's CPU kernel computes), then times the gradient.
    const u0 = r(r(1 / r(Math.sqrt(Math.max(v0, floor)))) * g0);
    const u1 = r(r(1 / r(Math.sqrt(Math.max(v1, floor)))) * g1);
    const denom = Math.max(1, r(norm2(r, u0, u1) / r(sqrt2 * d)));
    const coef = r(-alpha / denom);
    S[0] = r(p0 + r(u0 * coef));
    S[1] = r(p1 + r(u1 * coef));
  },
};
