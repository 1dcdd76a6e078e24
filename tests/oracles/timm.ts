/**
 * Float64 ports of timm's optimisers (huggingface/pytorch-image-models: timm/optim/lars.py Lars.step,
 * lamb.py Lamb.step, lion.py _single_tensor_lion), written from the Python with plain arithmetic
 * (Math.hypot for norms), sharing no code with src/. (x, y) is one parameter tensor of shape [2].
 */
import type { OptimizerOracle, Vec } from './run.ts';
import { flag, lrOf, num, pair } from './run.ts';

/** timm's Lars: the trust ratio, then torch SGD's momentum (buffer created on the first step with momentum != 0). */
const LARS: OptimizerOracle = (run) => {
  const v = run.values;
  const p = [...run.start] as Vec;
  let buf: number[] | null = null;
  const wd = num(v, 'weight_decay');
  const out: number[][] = [];
  for (let t = 1; t <= run.steps; t++) {
    const lr = lrOf(run, t);
    const mom = run.momAt ? run.momAt(t) : num(v, 'momentum');
    let g: number[] = run.grad([p[0], p[1]], t);
    if (wd !== 0 || flag(v, 'always_adapt')) {
      const wn = Math.hypot(p[0], p[1]);
      const gn = Math.hypot(g[0]!, g[1]!);
      let tr = (num(v, 'trust_coeff') * wn) / (gn + wn * wd + num(v, 'eps'));
      if (!(wn > 0 && gn > 0)) tr = 1;
      if (flag(v, 'trust_clip')) tr = Math.min(tr / lr, 1);
      g = g.map((x, i) => (x + wd * p[i]!) * tr);
    }
    if (mom !== 0) {
      if (buf === null) buf = [...g];
      else buf = buf.map((b, i) => b * mom + (1 - num(v, 'dampening')) * g[i]!);
      const b = buf;
      g = flag(v, 'nesterov') ? g.map((x, i) => x + mom * b[i]!) : b;
    }
    for (let i = 0; i < 2; i++) p[i] = p[i]! - lr * g[i]!;
    out.push([p[0], p[1]]);
  }
  return out;
};

/** timm's Lamb: global gradient clipping, the Adam update, caution, weight decay, the trust ratio. */
const LAMB: OptimizerOracle = (run) => {
  const v = run.values;
  const p = [...run.start] as Vec;
  const m = [0, 0];
  const s = [0, 0];
  const wd = num(v, 'weight_decay');
  const [b1Fixed, b2] = pair(v, 'betas');
  const maxGradNorm = v['max_grad_norm'];
  const out: number[][] = [];
  for (let t = 1; t <= run.steps; t++) {
    const lr = lrOf(run, t);
    const b1 = run.momAt ? run.momAt(t) : b1Fixed;
    let g: number[] = run.grad([p[0], p[1]], t);
    if (typeof maxGradNorm === 'number') {
      const clip = Math.max(Math.hypot(g[0]!, g[1]!) / maxGradNorm, 1);
      g = g.map((x) => x / clip);
    }
    const beta3 = flag(v, 'grad_averaging') ? 1 - b1 : 1;
    const bc1 = flag(v, 'bias_correction') ? 1 - Math.pow(b1, t) : 1;
    const bc2 = flag(v, 'bias_correction') ? 1 - Math.pow(b2, t) : 1;
    let u = [0, 0];
    for (let i = 0; i < 2; i++) {
      m[i] = b1 * m[i]! + beta3 * g[i]!;
      s[i] = b2 * s[i]! + (1 - b2) * g[i]! * g[i]!;
      u[i] = m[i]! / bc1 / (Math.sqrt(s[i]!) / Math.sqrt(bc2) + num(v, 'eps'));
    }
    if (flag(v, 'caution')) {
      const mask = u.map((x, i) => (x * g[i]! > 0 ? 1 : 0));
      const mean = Math.max((mask[0]! + mask[1]!) / 2, 1e-3);
      u = u.map((x, i) => x * (mask[i]! / mean));
    }
    if (wd !== 0) {
      if (flag(v, 'decoupled_decay')) for (let i = 0; i < 2; i++) p[i] = p[i]! - lr * wd * p[i]!;
      else u = u.map((x, i) => x + wd * p[i]!);
    }
    if (wd !== 0 || flag(v, 'always_adapt')) {
      const wn = Math.hypot(p[0], p[1]);
      const un = Math.hypot(u[0]!, u[1]!);
      let tr = wn > 0 && un > 0 ? wn / un : 1;
      if (flag(v, 'trust_clip')) tr = Math.min(tr, 1);
      u = u.map((x) => x * tr);
    }
    for (let i = 0; i < 2; i++) p[i] = p[i]! - lr * u[i]!;
    out.push([p[0], p[1]]);
  }
  return out;
};

/** timm's _single_tensor_lion (lucidrains/lion-pytorch's rule), with caution. */
const Lion: OptimizerOracle = (run) => {
  const v = run.values;
  const p = [...run.start] as Vec;
  const m = [0, 0];
  const [b1Fixed, b2] = pair(v, 'betas');
  const out: number[][] = [];
  for (let t = 1; t <= run.steps; t++) {
    const lr = lrOf(run, t);
    const b1 = run.momAt ? run.momAt(t) : b1Fixed;
    const g = run.grad([p[0], p[1]], t).map((x) => (flag(v, 'maximize') ? -x : x));
    for (let i = 0; i < 2; i++) p[i] = p[i]! * (1 - lr * num(v, 'weight_decay'));
    let u = g.map((x, i) => Math.sign(b1 * m[i]! + (1 - b1) * x));
    if (flag(v, 'caution')) {
      const mask = u.map((x, i) => (x * g[i]! > 0 ? 1 : 0));
      const mean = Math.max((mask[0]! + mask[1]!) / 2, 1e-3);
      u = u.map((x, i) => x * (mask[i]! / mean));
    }
    for (let i = 0; i < 2; i++) {
      p[i] = p[i]! - lr * u[i]!;
      m[i] = b2 * m[i]! + (1 - b2) * g[i]!;
    }
    out.push([p[0], p[1]]);
  }
  return out;
};

export const TIMM: Readonly<Record<string, OptimizerOracle>> = { LARS, LAMB, Lion };
