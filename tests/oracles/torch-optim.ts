/**
 * Float64 ports of torch.optim's single-tensor loops (torch 2.x, foreach=False, fused=False,
 * capturable=False, differentiable=False), one function per class, written from the Python with no
 * code shared with src/: plain `beta * m + (1 - beta) * g` moments, Math.pow bias corrections and
 * torch's own rho_t formula. Keyed by the torch class name (= the registry id).
 */
import type { OptimizerOracle, OracleRun, Vec } from './run.ts';
import { flag, lrOf, num, pair } from './run.ts';

/** beta1 (or momentum) in force at step t: the argument, or what a momentum-cycling scheduler set. */
function momOf(run: OracleRun, t: number, fixed: number): number {
  return run.momAt ? run.momAt(t) : fixed;
}

/** torch/optim/sgd.py, _single_tensor_sgd. The buffer is created on the first step with momentum != 0. */
const SGD: OptimizerOracle = (run) => {
  const v = run.values;
  const p = [...run.start] as Vec;
  let buf: number[] | null = null;
  const out: number[][] = [];
  for (let t = 1; t <= run.steps; t++) {
    const lr = lrOf(run, t);
    const momentum = momOf(run, t, num(v, 'momentum'));
    const raw = run.grad([p[0], p[1]], t);
    const g = raw.map((x, i) => (flag(v, 'maximize') ? -x : x) + num(v, 'weight_decay') * p[i]!);
    let d = g;
    if (momentum !== 0) {
      if (buf === null) buf = [...g];
      else buf = buf.map((b, i) => b * momentum + (1 - num(v, 'dampening')) * g[i]!);
      const b = buf;
      d = flag(v, 'nesterov') ? g.map((x, i) => x + momentum * b[i]!) : b;
    }
    for (let i = 0; i < 2; i++) p[i] = p[i]! - lr * d[i]!;
    out.push([p[0], p[1]]);
  }
  return out;
};

/** torch/optim/adagrad.py, _single_tensor_adagrad (dense gradients). */
const Adagrad: OptimizerOracle = (run) => {
  const v = run.values;
  const p = [...run.start] as Vec;
  const sum = [num(v, 'initial_accumulator_value'), num(v, 'initial_accumulator_value')];
  const out: number[][] = [];
  for (let t = 1; t <= run.steps; t++) {
    const raw = run.grad([p[0], p[1]], t);
    const clr = lrOf(run, t) / (1 + (t - 1) * num(v, 'lr_decay'));
    for (let i = 0; i < 2; i++) {
      const g = (flag(v, 'maximize') ? -raw[i]! : raw[i]!) + num(v, 'weight_decay') * p[i]!;
      sum[i] = sum[i]! + g * g;
      p[i] = p[i]! - (clr * g) / (Math.sqrt(sum[i]!) + num(v, 'eps'));
    }
    out.push([p[0], p[1]]);
  }
  return out;
};

/** torch/optim/rmsprop.py, _single_tensor_rmsprop. */
const RMSprop: OptimizerOracle = (run) => {
  const v = run.values;
  const p = [...run.start] as Vec;
  const sq = [0, 0];
  const ga = [0, 0];
  const buf = [0, 0];
  const a = num(v, 'alpha');
  const out: number[][] = [];
  for (let t = 1; t <= run.steps; t++) {
    const lr = lrOf(run, t);
    const momentum = momOf(run, t, num(v, 'momentum'));
    const raw = run.grad([p[0], p[1]], t);
    for (let i = 0; i < 2; i++) {
      const g = (flag(v, 'maximize') ? -raw[i]! : raw[i]!) + num(v, 'weight_decay') * p[i]!;
      sq[i] = a * sq[i]! + (1 - a) * g * g;
      let s = sq[i]!;
      if (flag(v, 'centered')) {
        ga[i] = a * ga[i]! + (1 - a) * g;
        s -= ga[i]! * ga[i]!;
      }
      const avg = Math.sqrt(s) + num(v, 'eps');
      if (momentum > 0) {
        buf[i] = momentum * buf[i]! + g / avg;
        p[i] = p[i]! - lr * buf[i]!;
      } else {
        p[i] = p[i]! - (lr * g) / avg;
      }
    }
    out.push([p[0], p[1]]);
  }
  return out;
};

/** torch/optim/adam.py, _single_tensor_adam; AdamW is Adam(..., decoupled_weight_decay=True). */
function adam(run: OracleRun, decoupled: boolean): number[][] {
  const v = run.values;
  const p = [...run.start] as Vec;
  const m = [0, 0];
  const s = [0, 0];
  const smax = [0, 0];
  const [b1Fixed, b2] = pair(v, 'betas');
  const wd = num(v, 'weight_decay');
  const out: number[][] = [];
  for (let t = 1; t <= run.steps; t++) {
    const lr = lrOf(run, t);
    const b1 = momOf(run, t, b1Fixed);
    const raw = run.grad([p[0], p[1]], t);
    for (let i = 0; i < 2; i++) {
      let g = flag(v, 'maximize') ? -raw[i]! : raw[i]!;
      if (decoupled) p[i] = p[i]! * (1 - lr * wd);
      else g += wd * p[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * g;
      s[i] = b2 * s[i]! + (1 - b2) * g * g;
      smax[i] = Math.max(smax[i]!, s[i]!);
      const vv = flag(v, 'amsgrad') ? smax[i]! : s[i]!;
      const bc1 = 1 - Math.pow(b1, t);
      const bc2 = 1 - Math.pow(b2, t);
      p[i] = p[i]! - ((lr / bc1) * m[i]!) / (Math.sqrt(vv) / Math.sqrt(bc2) + num(v, 'eps'));
    }
    out.push([p[0], p[1]]);
  }
  return out;
}

const Adam: OptimizerOracle = (run) => adam(run, flag(run.values, 'decoupled_weight_decay'));

/** torch/optim/adamw.py: class AdamW(Adam) with decoupled_weight_decay=True. */
const AdamW: OptimizerOracle = (run) => adam(run, true);

/** torch/optim/radam.py, _single_tensor_radam. */
const RAdam: OptimizerOracle = (run) => {
  const v = run.values;
  const p = [...run.start] as Vec;
  const m = [0, 0];
  const s = [0, 0];
  const [b1Fixed, b2] = pair(v, 'betas');
  const wd = num(v, 'weight_decay');
  const out: number[][] = [];
  for (let t = 1; t <= run.steps; t++) {
    const lr = lrOf(run, t);
    const b1 = momOf(run, t, b1Fixed);
    const raw = run.grad([p[0], p[1]], t);
    const bc1 = 1 - Math.pow(b1, t);
    const bc2 = 1 - Math.pow(b2, t);
    const rhoInf = 2 / (1 - b2) - 1;
    const rhoT = rhoInf - (2 * t * Math.pow(b2, t)) / bc2;
    for (let i = 0; i < 2; i++) {
      let g = flag(v, 'maximize') ? -raw[i]! : raw[i]!;
      if (flag(v, 'decoupled_weight_decay')) p[i] = p[i]! * (1 - lr * wd);
      else g += wd * p[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * g;
      s[i] = b2 * s[i]! + (1 - b2) * g * g;
      const mhat = m[i]! / bc1;
      if (rhoT > 5) {
        const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
        const adaptive = Math.sqrt(bc2) / (Math.sqrt(s[i]!) + num(v, 'eps'));
        p[i] = p[i]! - mhat * lr * adaptive * rect;
      } else {
        p[i] = p[i]! - mhat * lr;
      }
    }
    out.push([p[0], p[1]]);
  }
  return out;
};

/** torch/optim/nadam.py, _single_tensor_nadam (mu_product a state that starts at 1). */
const NAdam: OptimizerOracle = (run) => {
  const v = run.values;
  const p = [...run.start] as Vec;
  const m = [0, 0];
  const s = [0, 0];
  const [b1Fixed, b2] = pair(v, 'betas');
  const wd = num(v, 'weight_decay');
  const psi = num(v, 'momentum_decay');
  let muProduct = 1;
  const out: number[][] = [];
  for (let t = 1; t <= run.steps; t++) {
    const lr = lrOf(run, t);
    const b1 = momOf(run, t, b1Fixed);
    const raw = run.grad([p[0], p[1]], t);
    const bc2 = 1 - Math.pow(b2, t);
    const mu = b1 * (1 - 0.5 * Math.pow(0.96, t * psi));
    const muNext = b1 * (1 - 0.5 * Math.pow(0.96, (t + 1) * psi));
    muProduct *= mu;
    for (let i = 0; i < 2; i++) {
      let g = flag(v, 'maximize') ? -raw[i]! : raw[i]!;
      if (flag(v, 'decoupled_weight_decay')) p[i] = p[i]! * (1 - lr * wd);
      else g += wd * p[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * g;
      s[i] = b2 * s[i]! + (1 - b2) * g * g;
      const denom = Math.sqrt(s[i]! / bc2) + num(v, 'eps');
      p[i] = p[i]! - (lr * (1 - mu) * g) / (1 - muProduct) / denom;
      p[i] = p[i]! - (lr * muNext * m[i]!) / (1 - muProduct * muNext) / denom;
    }
    out.push([p[0], p[1]]);
  }
  return out;
};

/** torch/optim/adadelta.py, _single_tensor_adadelta. */
const Adadelta: OptimizerOracle = (run) => {
  const v = run.values;
  const p = [...run.start] as Vec;
  const sq = [0, 0];
  const acc = [0, 0];
  const rho = num(v, 'rho');
  const out: number[][] = [];
  for (let t = 1; t <= run.steps; t++) {
    const lr = lrOf(run, t);
    const raw = run.grad([p[0], p[1]], t);
    for (let i = 0; i < 2; i++) {
      let g = flag(v, 'maximize') ? -raw[i]! : raw[i]!;
      if (num(v, 'weight_decay') !== 0) g += num(v, 'weight_decay') * p[i]!;
      sq[i] = rho * sq[i]! + (1 - rho) * g * g;
      const delta = (Math.sqrt(acc[i]! + num(v, 'eps')) / Math.sqrt(sq[i]! + num(v, 'eps'))) * g;
      acc[i] = rho * acc[i]! + (1 - rho) * delta * delta;
      p[i] = p[i]! - lr * delta;
    }
    out.push([p[0], p[1]]);
  }
  return out;
};

/** torch/optim/adamax.py, _single_tensor_adamax. */
const Adamax: OptimizerOracle = (run) => {
  const v = run.values;
  const p = [...run.start] as Vec;
  const m = [0, 0];
  const u = [0, 0];
  const [b1Fixed, b2] = pair(v, 'betas');
  const out: number[][] = [];
  for (let t = 1; t <= run.steps; t++) {
    const lr = lrOf(run, t);
    const b1 = momOf(run, t, b1Fixed);
    const raw = run.grad([p[0], p[1]], t);
    for (let i = 0; i < 2; i++) {
      let g = flag(v, 'maximize') ? -raw[i]! : raw[i]!;
      if (num(v, 'weight_decay') !== 0) g += num(v, 'weight_decay') * p[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * g;
      u[i] = Math.max(b2 * u[i]!, Math.abs(g) + num(v, 'eps'));
      p[i] = p[i]! - ((lr / (1 - Math.pow(b1, t))) * m[i]!) / u[i]!;
    }
    out.push([p[0], p[1]]);
  }
  return out;
};

/**
 * torch/optim/asgd.py, _single_tensor_asgd: eta and mu are state, set from the step count at the end
 * of each step (eta = group lr, mu = 1 on the first). Per step: p, then ax (the averaged iterate).
 */
const ASGD: OptimizerOracle = (run) => {
  const v = run.values;
  const p = [...run.start] as Vec;
  const ax = [0, 0];
  let eta = Number.NaN;
  let mu = 1;
  const out: number[][] = [];
  for (let t = 1; t <= run.steps; t++) {
    const lr = lrOf(run, t);
    if (t === 1) eta = lr; // state init on the first step: eta = group lr, mu = 1
    const raw = run.grad([p[0], p[1]], t);
    for (let i = 0; i < 2; i++) {
      let g = flag(v, 'maximize') ? -raw[i]! : raw[i]!;
      if (num(v, 'weight_decay') !== 0) g += num(v, 'weight_decay') * p[i]!;
      p[i] = p[i]! * (1 - num(v, 'lambd') * eta);
      p[i] = p[i]! - eta * g;
      ax[i] = mu !== 1 ? ax[i]! + (p[i]! - ax[i]!) * mu : p[i]!;
    }
    eta = lr / Math.pow(1 + num(v, 'lambd') * lr * t, num(v, 'alpha'));
    mu = 1 / Math.max(1, t - num(v, 't0'));
    out.push([p[0], p[1], ax[0]!, ax[1]!]);
  }
  return out;
};

/** torch/optim/rprop.py, _single_tensor_rprop: step_size = full_like(grad, lr) on the first step. */
const Rprop: OptimizerOracle = (run) => {
  const v = run.values;
  const p = [...run.start] as Vec;
  const prev = [0, 0];
  const size = [0, 0];
  const [minus, plus] = pair(v, 'etas');
  const [lo, hi] = pair(v, 'step_sizes');
  const out: number[][] = [];
  for (let t = 1; t <= run.steps; t++) {
    if (t === 1) size.fill(lrOf(run, t));
    const raw = run.grad([p[0], p[1]], t);
    for (let i = 0; i < 2; i++) {
      let g = flag(v, 'maximize') ? -raw[i]! : raw[i]!;
      const s = Math.sign(g * prev[i]!);
      const f = s > 0 ? plus : s < 0 ? minus : 1;
      let z = size[i]! * f;
      z = Math.max(z, lo);
      z = Math.min(z, hi); // torch.clamp: max wins if min > max
      size[i] = z;
      if (f === minus) g = 0;
      p[i] = p[i]! - Math.sign(g) * z;
      prev[i] = g;
    }
    out.push([p[0], p[1]]);
  }
  return out;
};

/** torch/optim/_adafactor.py, _single_tensor_adafactor, the 1-D branch (no factoring). */
const Adafactor: OptimizerOracle = (run) => {
  const v = run.values;
  const p = [...run.start] as Vec;
  const s = [0, 0];
  const [eps1, eps2] = pair(v, 'eps');
  const out: number[][] = [];
  for (let t = 1; t <= run.steps; t++) {
    const lr = lrOf(run, t);
    const raw = run.grad([p[0], p[1]], t);
    const g = raw.map((x) => (flag(v, 'maximize') ? -x : x));
    const beta = Math.pow(t, num(v, 'beta2_decay'));
    const rho = Math.min(lr, 1 / Math.sqrt(t));
    const alpha = Math.max(eps2, Math.hypot(p[0], p[1]) / Math.sqrt(2)) * rho;
    if (num(v, 'weight_decay') !== 0) for (let i = 0; i < 2; i++) p[i] = p[i]! * (1 - lr * num(v, 'weight_decay'));
    const u = [0, 0];
    for (let i = 0; i < 2; i++) {
      s[i] = s[i]! + beta * (g[i]! * g[i]! - s[i]!);
      u[i] = g[i]! / Math.sqrt(Math.max(s[i]!, eps1 * eps1));
    }
    const denom = Math.max(1, Math.hypot(u[0]!, u[1]!) / (Math.sqrt(2) * num(v, 'd')));
    for (let i = 0; i < 2; i++) p[i] = p[i]! - (alpha / denom) * u[i]!;
    out.push([p[0], p[1]]);
  }
  return out;
};

export const TORCH_OPTIM: Readonly<Record<string, OptimizerOracle>> = {
  SGD,
  Adagrad,
  RMSprop,
  Adam,
  AdamW,
  RAdam,
  NAdam,
  Adadelta,
  Adamax,
  ASGD,
  Rprop,
  Adafactor,
};
