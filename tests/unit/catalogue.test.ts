/**
 * The catalogue optimisers (docs/catalogue.md): Adadelta, Adamax, ASGD, Rprop, Adafactor from torch,
 * LARS, LAMB, Lion after timm. Schemas (names, defaults and constructor checks of the reference),
 * update rules against numbers derived by hand from the reference code and against independent
 * float64 ports of the reference loops (written here from the Python, sharing no code with the
 * entries), the edges each rule has, the float32 twin against float64, the per-step scalars, and the
 * WGSL twins' contract (the same checks tests/unit/optimizers.test.ts makes for the torch core).
 */
// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT) or S (length STATE_LEN), checked by tests.
import { describe, expect, it } from 'vitest';
import { P_COUNT, P_OPTIMIZER, P_OPTIMIZER_SIZE, STATE_LEN, STATE_VEC2 } from '../../src/core/layout.ts';
import type { NumberParam, OptionalNumberParam, ParamSchema, ParamValue, TupleParam } from '../../src/core/params.ts';
import { blockSize, encodeParams, inRange, slotOffsets } from '../../src/core/params.ts';
import { CATALOGUE_OPTIMIZERS, OPTIMIZERS } from '../../src/core/registry/optimizers/index.ts';
import type { OptimizerDef, Round } from '../../src/core/registry/types.ts';
import { fnBody, reachOf, wgslSource } from './wgsl-source.ts';

const f64: Round = (x) => x;
const f32: Round = Math.fround;

type Vec = [number, number];
type Values = Record<string, ParamValue>;
type GradFn = (p: Vec, t: number) => Vec;

function def(id: string): OptimizerDef {
  const d = OPTIMIZERS.find((o) => o.id === id);
  if (!d) throw new Error(`no optimizer ${id}`);
  return d;
}

function values(d: OptimizerDef, over: Values = {}): Values {
  const v: Values = {};
  for (const p of d.params) v[p.key] = p.default;
  return { ...v, ...over };
}

function momentumOf(d: OptimizerDef, v: Values): number {
  if (d.momentumParam === 'momentum') return v['momentum'] as number;
  if (d.momentumParam === 'betas.0') return (v['betas'] as readonly number[])[0]!;
  return 0;
}

/** stepScalars.compute for this (P, mom, t), or nothing; NaN-filled so unwritten slots show. */
function stepScalars(d: OptimizerDef, r: Round, P: Float64Array, mom: number, t: number, sc: Float64Array): Float64Array {
  sc.fill(Number.NaN);
  d.stepScalars?.compute(r, P, mom, t, sc);
  return sc;
}

interface RunOptions {
  steps: number;
  grad: GradFn;
  start?: Vec;
  r?: Round;
  /** Store P as float32, as the GPU does. */
  roundP?: boolean;
  /** The scheduled LR handed to step t (default: the lr parameter). */
  lrAt?: (t: number) => number;
  /** Per-step momentum/beta1 (a cycling schedule); default: the parameter. */
  mom?: (t: number) => number;
  /** The step count handed to step() itself (the scalars always get the true one). */
  stepT?: (t: number) => number;
  /** Receives the state after the last step. */
  state?: (S: Float64Array) => void;
}

/** Drives an optimiser the way the engine does; returns the position after each step. */
function run(d: OptimizerDef, over: Values, o: RunOptions): Vec[] {
  const r = o.r ?? f64;
  const v = values(d, over);
  const P = new Float64Array(P_COUNT);
  encodeParams(d.params, v, P, P_OPTIMIZER);
  if (o.roundP) for (let i = 0; i < P_COUNT; i++) P[i] = f32(P[i]!);
  const S = new Float64Array(STATE_LEN).fill(123); // init() must overwrite every slot it uses
  const start = o.start ?? [1, -0.5];
  S[0] = start[0];
  S[1] = start[1];
  d.init(r, P, S);
  const out: Vec[] = [];
  const sc = new Float64Array(4);
  for (let t = 1; t <= o.steps; t++) {
    const g = o.grad([S[0]!, S[1]!], t);
    const mom = o.mom ? o.mom(t) : o.roundP ? f32(momentumOf(d, v)) : momentumOf(d, v);
    const lr = o.lrAt ? o.lrAt(t) : P[P_OPTIMIZER]!;
    stepScalars(d, r, P, mom, t, sc);
    d.step(r, P, S, r(g[0]), r(g[1]), lr, mom, o.stepT ? o.stepT(t) : t, sc);
    out.push([S[0]!, S[1]!]);
  }
  o.state?.(S);
  return out;
}

/** Fixed gradient sequence: step t (1-based) gets seq[t - 1] in x and its negative in y. */
function seq(...gs: number[]): GradFn {
  return (_p, t) => {
    const g = gs[(t - 1) % gs.length]!;
    return [g, -g];
  };
}

/** Fixed per-coordinate gradient sequence. */
function seq2(...gs: Vec[]): GradFn {
  return (_p, t) => gs[(t - 1) % gs.length]!;
}

/** A tilted, badly conditioned bowl 0.5 x^2 + 2 y^2 + 0.25 x y: the gradient depends on the position. */
const bowl: GradFn = ([x, y]) => [x + 0.25 * y, 4 * y + 0.25 * x];

const xs = (traj: Vec[]): number[] => traj.map((p) => p[0]);
const flat = (traj: Vec[]): number[] => traj.flatMap((p) => [p[0], p[1]]);

function expectClose(actual: readonly number[], expected: readonly number[], rel = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    const tol = rel * Math.max(1, Math.abs(e));
    if (!(Math.abs(a - e) <= tol)) {
      throw new Error(`element ${i}: got ${a}, expected ${e} (|diff| ${Math.abs(a - e)} > ${tol})`);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Independent float64 ports of the reference loops (torch 2.x single-tensor paths, timm's Lars,
// Lamb and _single_tensor_lion), written from the Python with plain arithmetic: Math.pow for the
// scalars, Math.hypot for norms, beta * m + (1 - beta) * g for lerp.

interface Hyper {
  lr: number;
  [k: string]: number | boolean | null;
}

const num = (h: Hyper, k: string): number => h[k] as number;
const lrOf = (h: Hyper, lrAt: ((t: number) => number) | undefined, t: number): number => (lrAt ? lrAt(t) : h.lr);
const maxi = (h: Hyper, g: number): number => (h['maximize'] ? -g : g);

function refAdadelta(h: Hyper, p0: Vec, grad: GradFn, steps: number): Vec[] {
  const p = [...p0] as Vec;
  const sq = [0, 0];
  const acc = [0, 0];
  const rho = num(h, 'rho');
  const out: Vec[] = [];
  for (let t = 1; t <= steps; t++) {
    const raw = grad([p[0], p[1]], t);
    for (let i = 0; i < 2; i++) {
      let g = maxi(h, raw[i]!);
      if (num(h, 'weight_decay') !== 0) g += num(h, 'weight_decay') * p[i]!;
      sq[i] = rho * sq[i]! + (1 - rho) * g * g;
      const delta = (Math.sqrt(acc[i]! + num(h, 'eps')) / Math.sqrt(sq[i]! + num(h, 'eps'))) * g;
      acc[i] = rho * acc[i]! + (1 - rho) * delta * delta;
      p[i] = p[i]! - h.lr * delta;
    }
    out.push([p[0], p[1]]);
  }
  return out;
}

function refAdamax(h: Hyper, p0: Vec, grad: GradFn, steps: number, beta1At?: (t: number) => number): Vec[] {
  const p = [...p0] as Vec;
  const m = [0, 0];
  const u = [0, 0];
  const out: Vec[] = [];
  for (let t = 1; t <= steps; t++) {
    const b1 = beta1At ? beta1At(t) : num(h, 'beta1');
    const raw = grad([p[0], p[1]], t);
    for (let i = 0; i < 2; i++) {
      let g = maxi(h, raw[i]!);
      if (num(h, 'weight_decay') !== 0) g += num(h, 'weight_decay') * p[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * g;
      u[i] = Math.max(num(h, 'beta2') * u[i]!, Math.abs(g) + num(h, 'eps'));
      p[i] = p[i]! - ((h.lr / (1 - Math.pow(b1, t))) * m[i]!) / u[i]!;
    }
    out.push([p[0], p[1]]);
  }
  return out;
}

function refASGD(h: Hyper, p0: Vec, grad: GradFn, steps: number, lrAt?: (t: number) => number, ax?: number[]): Vec[] {
  const p = [...p0] as Vec;
  const avg = ax ?? [0, 0];
  avg[0] = 0;
  avg[1] = 0;
  let eta = Number.NaN;
  let mu = 1;
  const out: Vec[] = [];
  for (let t = 1; t <= steps; t++) {
    const lr = lrOf(h, lrAt, t);
    if (t === 1) eta = lr; // state init on the first step: eta = group lr, mu = 1
    const raw = grad([p[0], p[1]], t);
    for (let i = 0; i < 2; i++) {
      let g = maxi(h, raw[i]!);
      if (num(h, 'weight_decay') !== 0) g += num(h, 'weight_decay') * p[i]!;
      p[i] = p[i]! * (1 - num(h, 'lambd') * eta);
      p[i] = p[i]! - eta * g;
      avg[i] = mu !== 1 ? avg[i]! + (p[i]! - avg[i]!) * mu : p[i]!;
    }
    eta = lr / Math.pow(1 + num(h, 'lambd') * lr * t, num(h, 'alpha'));
    mu = 1 / Math.max(1, t - num(h, 't0'));
    out.push([p[0], p[1]]);
  }
  return out;
}

function refRprop(h: Hyper, p0: Vec, grad: GradFn, steps: number, lrAt?: (t: number) => number): Vec[] {
  const p = [...p0] as Vec;
  const prev = [0, 0];
  const size = [0, 0];
  const [minus, plus] = [num(h, 'etaminus'), num(h, 'etaplus')];
  const out: Vec[] = [];
  for (let t = 1; t <= steps; t++) {
    if (t === 1) size.fill(lrOf(h, lrAt, t)); // step_size = full_like(grad, lr) on the first step
    const raw = grad([p[0], p[1]], t);
    for (let i = 0; i < 2; i++) {
      let g = maxi(h, raw[i]!);
      const s = Math.sign(g * prev[i]!);
      const f = s > 0 ? plus : s < 0 ? minus : 1;
      let z = size[i]! * f;
      z = Math.max(z, num(h, 'step_min'));
      z = Math.min(z, num(h, 'step_max')); // torch.clamp: max wins if min > max
      size[i] = z;
      if (f === minus) g = 0;
      p[i] = p[i]! - Math.sign(g) * z;
      prev[i] = g;
    }
    out.push([p[0], p[1]]);
  }
  return out;
}

function refAdafactor(h: Hyper, p0: Vec, grad: GradFn, steps: number, lrAt?: (t: number) => number): Vec[] {
  const p = [...p0] as Vec;
  const v = [0, 0];
  const eps1 = num(h, 'eps1');
  const out: Vec[] = [];
  for (let t = 1; t <= steps; t++) {
    const lr = lrOf(h, lrAt, t);
    const raw = grad([p[0], p[1]], t);
    const g = raw.map((x) => maxi(h, x));
    const beta = Math.pow(t, num(h, 'beta2_decay'));
    const rho = Math.min(lr, 1 / Math.sqrt(t));
    const alpha = Math.max(num(h, 'eps2'), Math.hypot(p[0], p[1]) / Math.sqrt(2)) * rho;
    if (num(h, 'weight_decay') !== 0) for (let i = 0; i < 2; i++) p[i] = p[i]! * (1 - lr * num(h, 'weight_decay'));
    const u = [0, 0];
    for (let i = 0; i < 2; i++) {
      v[i] = v[i]! + beta * (g[i]! * g[i]! - v[i]!);
      u[i] = g[i]! / Math.sqrt(Math.max(v[i]!, eps1 * eps1));
    }
    const denom = Math.max(1, Math.hypot(u[0]!, u[1]!) / (Math.sqrt(2) * num(h, 'd')));
    for (let i = 0; i < 2; i++) p[i] = p[i]! - (alpha / denom) * u[i]!;
    out.push([p[0], p[1]]);
  }
  return out;
}

function refLARS(h: Hyper, p0: Vec, grad: GradFn, steps: number, lrAt?: (t: number) => number, momAt?: (t: number) => number): Vec[] {
  const p = [...p0] as Vec;
  let buf: number[] | null = null;
  const wd = num(h, 'weight_decay');
  const out: Vec[] = [];
  for (let t = 1; t <= steps; t++) {
    const lr = lrOf(h, lrAt, t);
    const mom = momAt ? momAt(t) : num(h, 'momentum');
    let g: number[] = grad([p[0], p[1]], t);
    if (wd !== 0 || h['always_adapt']) {
      const wn = Math.hypot(p[0], p[1]);
      const gn = Math.hypot(g[0]!, g[1]!);
      let tr = (num(h, 'trust_coeff') * wn) / (gn + wn * wd + num(h, 'eps'));
      if (!(wn > 0 && gn > 0)) tr = 1;
      if (h['trust_clip']) tr = Math.min(tr / lr, 1);
      g = g.map((x, i) => (x + wd * p[i]!) * tr);
    }
    if (mom !== 0) {
      if (buf === null) buf = [...g];
      else buf = buf.map((b, i) => b * mom + (1 - num(h, 'dampening')) * g[i]!);
      const b = buf;
      g = h['nesterov'] ? g.map((x, i) => x + mom * b[i]!) : b;
    }
    for (let i = 0; i < 2; i++) p[i] = p[i]! - lr * g[i]!;
    out.push([p[0], p[1]]);
  }
  return out;
}

function refLAMB(h: Hyper, p0: Vec, grad: GradFn, steps: number, beta1At?: (t: number) => number): Vec[] {
  const p = [...p0] as Vec;
  const m = [0, 0];
  const v = [0, 0];
  const wd = num(h, 'weight_decay');
  const out: Vec[] = [];
  for (let t = 1; t <= steps; t++) {
    const b1 = beta1At ? beta1At(t) : num(h, 'beta1');
    const b2 = num(h, 'beta2');
    let g: number[] = grad([p[0], p[1]], t);
    if (h['max_grad_norm'] !== null) {
      const clip = Math.max(Math.hypot(g[0]!, g[1]!) / num(h, 'max_grad_norm'), 1);
      g = g.map((x) => x / clip);
    }
    const beta3 = h['grad_averaging'] ? 1 - b1 : 1;
    const bc1 = h['bias_correction'] ? 1 - Math.pow(b1, t) : 1;
    const bc2 = h['bias_correction'] ? 1 - Math.pow(b2, t) : 1;
    let u = [0, 0];
    for (let i = 0; i < 2; i++) {
      m[i] = b1 * m[i]! + beta3 * g[i]!;
      v[i] = b2 * v[i]! + (1 - b2) * g[i]! * g[i]!;
      u[i] = m[i]! / bc1 / (Math.sqrt(v[i]!) / Math.sqrt(bc2) + num(h, 'eps'));
    }
    if (h['caution']) {
      const mask = u.map((x, i) => (x * g[i]! > 0 ? 1 : 0));
      const mean = Math.max((mask[0]! + mask[1]!) / 2, 1e-3);
      u = u.map((x, i) => x * (mask[i]! / mean));
    }
    if (wd !== 0) {
      if (h['decoupled_decay']) for (let i = 0; i < 2; i++) p[i] = p[i]! - h.lr * wd * p[i]!;
      else u = u.map((x, i) => x + wd * p[i]!);
    }
    if (wd !== 0 || h['always_adapt']) {
      const wn = Math.hypot(p[0], p[1]);
      const un = Math.hypot(u[0]!, u[1]!);
      let tr = wn > 0 && un > 0 ? wn / un : 1;
      if (h['trust_clip']) tr = Math.min(tr, 1);
      u = u.map((x) => x * tr);
    }
    for (let i = 0; i < 2; i++) p[i] = p[i]! - h.lr * u[i]!;
    out.push([p[0], p[1]]);
  }
  return out;
}

function refLion(h: Hyper, p0: Vec, grad: GradFn, steps: number, beta1At?: (t: number) => number): Vec[] {
  const p = [...p0] as Vec;
  const m = [0, 0];
  const out: Vec[] = [];
  for (let t = 1; t <= steps; t++) {
    const b1 = beta1At ? beta1At(t) : num(h, 'beta1');
    const g = grad([p[0], p[1]], t).map((x) => maxi(h, x));
    for (let i = 0; i < 2; i++) p[i] = p[i]! * (1 - h.lr * num(h, 'weight_decay'));
    let u = g.map((x, i) => Math.sign(b1 * m[i]! + (1 - b1) * x));
    if (h['caution']) {
      const mask = u.map((x, i) => (x * g[i]! > 0 ? 1 : 0));
      const mean = Math.max((mask[0]! + mask[1]!) / 2, 1e-3);
      u = u.map((x, i) => x * (mask[i]! / mean));
    }
    for (let i = 0; i < 2; i++) {
      p[i] = p[i]! - h.lr * u[i]!;
      m[i] = num(h, 'beta2') * m[i]! + (1 - num(h, 'beta2')) * g[i]!;
    }
    out.push([p[0], p[1]]);
  }
  return out;
}

/** The reference's hyper-parameters for resolved values (booleans and null kept). */
function hyper(id: string, over: Values): Hyper {
  const v = values(def(id), over);
  const h: Hyper = { lr: v['lr'] as number };
  for (const [k, x] of Object.entries(v)) {
    if (Array.isArray(x)) continue;
    h[k] = x as number | boolean | null;
  }
  const pair = (k: string): readonly number[] => v[k] as readonly number[];
  if (v['betas']) [h['beta1'], h['beta2']] = pair('betas') as [number, number];
  if (v['etas']) [h['etaminus'], h['etaplus']] = pair('etas') as [number, number];
  if (v['step_sizes']) [h['step_min'], h['step_max']] = pair('step_sizes') as [number, number];
  if (id === 'Adafactor') [h['eps1'], h['eps2']] = pair('eps') as [number, number];
  return h;
}

type Ref = (h: Hyper, p0: Vec, grad: GradFn, steps: number) => Vec[];
const REFS: Record<string, Ref> = {
  Adadelta: refAdadelta,
  Adamax: (h, p0, g, n) => refAdamax(h, p0, g, n),
  ASGD: (h, p0, g, n) => refASGD(h, p0, g, n),
  Rprop: (h, p0, g, n) => refRprop(h, p0, g, n),
  Adafactor: (h, p0, g, n) => refAdafactor(h, p0, g, n),
  LARS: (h, p0, g, n) => refLARS(h, p0, g, n),
  LAMB: (h, p0, g, n) => refLAMB(h, p0, g, n),
  Lion: (h, p0, g, n) => refLion(h, p0, g, n),
};

function matchesRef(id: string, over: Values, steps: number, grad: GradFn = bowl, start: Vec = [1, -0.5], rel = 1e-12): void {
  const got = flat(run(def(id), over, { steps, grad, start }));
  const want = flat(REFS[id]!(hyper(id, over), start, grad, steps));
  expect(() => expectClose(got, want, rel), `${id} ${JSON.stringify(over)}`).not.toThrow();
}

// ---------------------------------------------------------------------------------------------

const IDS = ['Adadelta', 'Adamax', 'ASGD', 'Rprop', 'Adafactor', 'LARS', 'LAMB', 'Lion', 'SGDScheduleFree', 'AdamWScheduleFree'];
const TORCH_IDS = ['Adadelta', 'Adamax', 'ASGD', 'Rprop', 'Adafactor'];

describe('catalogue entries', () => {
  it('are the listed ids, registered, with lr first and slots and state that fit the layout', () => {
    expect(CATALOGUE_OPTIMIZERS.map((o) => o.id)).toEqual(IDS);
    for (const o of CATALOGUE_OPTIMIZERS) expect(OPTIMIZERS, o.id).toContain(o);
    for (const o of CATALOGUE_OPTIMIZERS) {
      expect(o.params[0]!.key, o.id).toBe('lr');
      expect(blockSize(o.params), o.id).toBeLessThanOrEqual(P_OPTIMIZER_SIZE);
      expect(o.stateSlots + 1, o.id).toBeLessThanOrEqual(STATE_VEC2);
      expect(o.wgsl, o.id).toBe(`${o.id}.wgsl`);
      expect(o.doc.length, o.id).toBeGreaterThan(40);
      for (const p of o.params) {
        expect(p.doc.length, `${o.id}.${p.key}`).toBeGreaterThan(10);
        expect(p.doc, `${o.id}.${p.key}`).not.toMatch(/\n/);
      }
    }
    for (const id of TORCH_IDS) expect(def(id).reference, id).toMatch(/^torch\/optim\/_?\w+\.py, _single_tensor_/);
    expect(def('LARS').reference).toMatch(/^timm\/optim\/lars\.py \(huggingface\/pytorch-image-models/);
    expect(def('LAMB').reference).toMatch(/^timm\/optim\/lamb\.py \(huggingface\/pytorch-image-models/);
    expect(def('Lion').reference).toMatch(/^timm\/optim\/lion\.py \(huggingface\/pytorch-image-models/);
    // The docs say what is specific on two parameters.
    expect(def('Adafactor').doc).toMatch(/NOT factored/);
    for (const id of ['LARS', 'LAMB']) expect(def(id).doc, id).toMatch(/ONE parameter tensor of shape \[2\], i\.e\. a single layer/);
    for (const id of ['LARS', 'LAMB', 'Lion']) expect(def(id).doc, id).toMatch(/not in torch/);
  });

  it('name the parameter a momentum-cycling scheduler drives, as torch CyclicLR/OneCycleLR would see it', () => {
    expect(Object.fromEntries(CATALOGUE_OPTIMIZERS.map((o) => [o.id, o.momentumParam]))).toEqual({
      Adadelta: null, // defaults have rho, neither momentum nor betas: CyclicLR raises
      Adamax: 'betas.0',
      ASGD: null,
      Rprop: null, // etas are not betas
      Adafactor: null, // beta2_decay is not betas
      LARS: 'momentum',
      LAMB: 'betas.0',
      Lion: 'betas.0',
      // The reference reads group['momentum'] / group['betas'][0] every step, so a cycling
      // scheduler drives them as it would in torch.
      SGDScheduleFree: 'momentum',
      AdamWScheduleFree: 'betas.0',
    });
  });

  it("default every parameter to the reference constructor's default", () => {
    // Copied from the signatures: torch/optim/{adadelta,adamax,asgd,rprop,_adafactor}.py and
    // timm/optim/{lars,lamb,lion}.py. Not modelled: foreach/capturable/differentiable (torch's code
    // paths, not the rule), timm's corrected_weight_decay (reads the constructor LR) and foreach.
    const reference: Record<string, Values> = {
      Adadelta: { lr: 1.0, rho: 0.9, eps: 1e-6, weight_decay: 0, maximize: false },
      Adamax: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, maximize: false },
      ASGD: { lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6, weight_decay: 0, maximize: false },
      Rprop: { lr: 1e-2, etas: [0.5, 1.2], step_sizes: [1e-6, 50], maximize: false },
      // eps = (None, 1e-3): None is torch.finfo(float32).eps for float32 parameters.
      Adafactor: { lr: 1e-2, beta2_decay: -0.8, eps: [1.1920928955078125e-7, 1e-3], d: 1.0, weight_decay: 0.0, maximize: false },
      LARS: {
        lr: 1.0,
        momentum: 0,
        dampening: 0,
        weight_decay: 0,
        nesterov: false,
        trust_coeff: 0.001,
        eps: 1e-8,
        trust_clip: false,
        always_adapt: false,
      },
      LAMB: {
        lr: 1e-3,
        bias_correction: true,
        betas: [0.9, 0.999],
        eps: 1e-6,
        weight_decay: 0.01,
        grad_averaging: true,
        max_grad_norm: 1.0,
        trust_clip: false,
        always_adapt: false,
        caution: false,
        decoupled_decay: false,
      },
      Lion: { lr: 1e-4, betas: [0.9, 0.99], weight_decay: 0.0, caution: false, maximize: false },
      // schedulefree/{sgd,adamw}_schedulefree.py (facebookresearch/schedule_free); foreach not modelled.
      SGDScheduleFree: { lr: 1.0, momentum: 0.9, weight_decay: 0, warmup_steps: 0, r: 0.0, weight_lr_power: 2.0 },
      AdamWScheduleFree: { lr: 0.0025, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, warmup_steps: 0, r: 0.0, weight_lr_power: 2.0 },
    };
    for (const o of CATALOGUE_OPTIMIZERS) {
      expect(values(o), o.id).toEqual(reference[o.id]);
      // …in the reference's argument order.
      expect(o.params.map((p) => p.key), o.id).toEqual(Object.keys(reference[o.id]!));
    }
    expect(2 ** -23).toBe(1.1920928955078125e-7);
  });

  it("accept and reject what the reference's constructor accepts and rejects", () => {
    const numeric = (o: OptimizerDef, key: string): NumberParam | TupleParam | OptionalNumberParam => {
      const p = o.params.find((q) => q.key === key);
      if (!p || (p.kind !== 'number' && p.kind !== 'tuple' && p.kind !== 'optional-number')) throw new Error(`${o.id}.${key}`);
      return p;
    };
    const ok = (id: string, key: string, x: number): boolean => inRange(x, numeric(def(id), key));
    for (const o of CATALOGUE_OPTIMIZERS) {
      // Every reference raises for lr < 0 and accepts 0.
      expect(ok(o.id, 'lr', -1e-9), o.id).toBe(false);
      expect(ok(o.id, 'lr', 0), o.id).toBe(true);
    }
    for (const id of ['Adadelta', 'Adamax', 'ASGD', 'Adafactor', 'LARS', 'LAMB']) {
      expect(ok(id, 'weight_decay', -1e-9), id).toBe(false);
      expect(ok(id, 'weight_decay', 0), id).toBe(true);
    }
    expect(ok('Lion', 'weight_decay', -0.1)).toBe(true); // timm's Lion does not check it
    expect(def('Rprop').params.some((p) => p.key === 'weight_decay')).toBe(false); // torch's Rprop has none
    // Adadelta: "Invalid rho value" unless 0 <= rho <= 1; eps >= 0.
    expect(ok('Adadelta', 'rho', 1)).toBe(true);
    expect(ok('Adadelta', 'rho', 1.01)).toBe(false);
    expect(ok('Adadelta', 'rho', -0.01)).toBe(false);
    expect(ok('Adadelta', 'eps', 0)).toBe(true);
    expect(ok('Adadelta', 'eps', -1e-9)).toBe(false);
    // Adamax, Lion: 0 <= beta < 1. LAMB: timm does not check betas.
    for (const id of ['Adamax', 'Lion']) {
      expect(ok(id, 'betas', 1), id).toBe(false);
      expect(ok(id, 'betas', -0.1), id).toBe(false);
      expect(ok(id, 'betas', 0), id).toBe(true);
    }
    expect(ok('LAMB', 'betas', 1)).toBe(true);
    expect(ok('LAMB', 'eps', -1e-9)).toBe(false);
    // ASGD: lambd, alpha >= 0; t0 unchecked.
    expect(ok('ASGD', 'lambd', -1e-9)).toBe(false);
    expect(ok('ASGD', 'alpha', -1e-9)).toBe(false);
    expect(ok('ASGD', 't0', -5)).toBe(true);
    // Rprop: etas checked in validate() (0 < etaminus < 1 < etaplus); step_sizes unchecked.
    expect(ok('Rprop', 'etas', 0)).toBe(false);
    expect(ok('Rprop', 'step_sizes', -1)).toBe(true);
    // Adafactor: beta2_decay <= 0, eps >= 0, d >= 1.
    expect(ok('Adafactor', 'beta2_decay', 0)).toBe(true);
    expect(ok('Adafactor', 'beta2_decay', 1e-9)).toBe(false);
    expect(ok('Adafactor', 'eps', -1e-9)).toBe(false);
    expect(ok('Adafactor', 'd', 1)).toBe(true);
    expect(ok('Adafactor', 'd', 0.999)).toBe(false);
    // LARS: momentum >= 0; dampening, trust_coeff, eps unchecked.
    expect(ok('LARS', 'momentum', -0.1)).toBe(false);
    expect(ok('LARS', 'dampening', -3)).toBe(true);
    expect(ok('LARS', 'trust_coeff', -1)).toBe(true);
  });

  it("validate(): Rprop's eta rule and LARS's Nesterov rule, with the reference's messages and the fields", () => {
    const rprop = def('Rprop');
    const checkR = (etas: number[]): string[] => rprop.validate?.(values(rprop, { etas })) ?? [];
    expect(checkR([0.5, 1.2])).toEqual([]);
    expect(checkR([0.01, 100])).toEqual([]);
    for (const bad of [[1, 1.2], [0.5, 1], [1.5, 2], [0.5, 0.9]]) {
      const msgs = checkR(bad);
      expect(msgs, JSON.stringify(bad)).toHaveLength(1);
      expect(msgs[0]).toContain(`Invalid eta values: ${bad[0]}, ${bad[1]}`);
      expect(msgs[0]).toMatch(/^etas: /);
    }
    const lars = def('LARS');
    const checkL = (v: Values): string[] => lars.validate?.(values(lars, v)) ?? [];
    expect(checkL({ nesterov: true, momentum: 0.9 })).toEqual([]);
    expect(checkL({ nesterov: false, dampening: 0.5 })).toEqual([]);
    for (const bad of [{ nesterov: true, momentum: 0 }, { nesterov: true, momentum: 0.9, dampening: 0.1 }]) {
      const msgs = checkL(bad);
      expect(msgs).toHaveLength(1);
      expect(msgs[0]).toContain('Nesterov momentum requires a momentum and zero dampening');
      for (const field of ['nesterov', 'momentum', 'dampening']) expect(msgs[0]).toContain(field);
    }
    for (const id of ['Adadelta', 'Adamax', 'ASGD', 'Adafactor', 'LAMB', 'Lion']) expect(def(id).validate, id).toBeUndefined();
  });

  it('lr = 0 leaves the position unchanged, except Rprop, whose step size is clamped up to step_sizes[0] (as in torch)', () => {
    for (const o of CATALOGUE_OPTIMIZERS) {
      const over: Values = { lr: 0 };
      if (o.params.some((p) => p.key === 'weight_decay')) over['weight_decay'] = 0.5;
      const traj = flat(run(o, over, { steps: 5, grad: bowl, start: [0.7, -0.3] }));
      if (o.id === 'Rprop') {
        // step_size = clamp(0 * 1, 1e-6, 50) = 1e-6 on the first step.
        expect(traj.slice(0, 2)).toEqual([0.7 - 1e-6, -0.3 + 1e-6]);
        expect(flat(refRprop(hyper('Rprop', over), [0.7, -0.3], bowl, 5))).toEqual(traj);
      } else {
        expect(traj, o.id).toEqual([0.7, -0.3, 0.7, -0.3, 0.7, -0.3, 0.7, -0.3, 0.7, -0.3]);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('Adadelta', () => {
  const o = def('Adadelta');

  it('constant gradient (hand-derived)', () => {
    // g = 1, lr 1, rho 0.9, eps 1e-6, p0 = 1:
    //   t=1: v = 0.1, delta = sqrt(0 + eps) / sqrt(0.1 + eps) = 0.0031622…, u = 0.1 delta^2
    //   t=2: v = 0.19, delta = sqrt(u + eps) / sqrt(0.19 + eps), u = 0.9 u + 0.1 delta^2
    const eps = 1e-6;
    const d1 = Math.sqrt(eps) / Math.sqrt(0.1 + eps);
    const u1 = 0.1 * d1 * d1;
    const d2 = Math.sqrt(u1 + eps) / Math.sqrt(0.19 + eps);
    const x = xs(run(o, {}, { steps: 2, grad: seq(1), start: [1, 0] }));
    expectClose(x, [1 - d1, 1 - d1 - d2]);
    // The first step is ~sqrt(eps / (1 - rho)) whatever the gradient's scale: lr 1 is not a step size.
    const big = xs(run(o, {}, { steps: 1, grad: seq(1000), start: [1, 0] }))[0]!;
    expect(Math.abs(1 - big - d1) / d1).toBeLessThan(1e-5);
  });

  it('matches the float64 port of _single_tensor_adadelta', () => {
    for (const c of [{}, { rho: 0.5 }, { rho: 0.3, eps: 1e-3 }, { weight_decay: 0.1, maximize: true }, { lr: 0.5, rho: 1 }, { rho: 0 }] as Values[]) {
      matchesRef('Adadelta', c, 25);
    }
  });
});

describe('Adamax', () => {
  const o = def('Adamax');

  it('steps lr per step under a constant gradient; the infinity norm holds a past maximum (hand-derived)', () => {
    // g = 2, eps 0: m_t = (1 - 0.9^t) 2, u = 2, so each step is lr / (1 - 0.9^t) * m_t / u = lr.
    const x = xs(run(o, { lr: 0.1, eps: 0 }, { steps: 3, grad: seq(2), start: [1, 0] }));
    expectClose(x, [0.9, 0.8, 0.7]);
    // g = 2 then 1: u2 = max(0.999 * 2, 1) = 1.998, m2 = 0.9 * 0.2 + 0.1 = 0.28, bc = 0.19.
    const y = xs(run(o, { lr: 0.1, eps: 0 }, { steps: 2, grad: seq(2, 1), start: [1, 0] }));
    expectClose(y, [0.9, 0.9 - ((0.1 / 0.19) * 0.28) / 1.998]);
  });

  it('matches the float64 port of _single_tensor_adamax, also with beta1 cycled per step', () => {
    for (const c of [{}, { betas: [0.3, 0.9] }, { weight_decay: 0.1, maximize: true, eps: 1e-3 }, { betas: [0.95, 0.5] }] as Values[]) {
      matchesRef('Adamax', { lr: 0.02, ...c }, 40, bowl, [1, -0.5], 1e-11);
    }
    const cycled = (t: number): number => 0.85 + 0.1 * Math.cos(t / 3);
    const got = flat(run(o, { lr: 0.02 }, { steps: 40, grad: bowl, mom: cycled }));
    expectClose(got, flat(refAdamax(hyper('Adamax', { lr: 0.02 }), [1, -0.5], bowl, 40, cycled)), 1e-11);
  });
});

describe('ASGD', () => {
  const o = def('ASGD');
  const h = { lr: 0.1, lambd: 0.5, alpha: 1, t0: 1 };

  it('decays eta with the step count and starts averaging after t0 (hand-derived)', () => {
    // g = 1, lr 0.1, lambd 0.5, alpha 1, t0 1, p0 = 1:
    //   t=1: eta 0.1:       p = 1 (1 - 0.05) - 0.1 = 0.85; mu = 1: ax = p;  eta <- 0.1 / 1.05, mu <- 1 / max(1, 0) = 1
    //   t=2: eta 0.1/1.05:  p = 0.85 (1 - 0.5 eta) - eta = 0.7142857…; ax = p; eta <- 0.1 / 1.1, mu <- 1 / max(1, 1) = 1
    //   t=3: eta 0.1/1.1:   p = 0.5909090…; ax = p;                     eta <- 0.1 / 1.15, mu <- 1 / max(1, 2) = 1/2
    //   t=4: eta 0.1/1.15:  p = 0.4782608…; ax = ax + (p - ax) / 2 = (0.5909090… + 0.4782608…) / 2
    let S = new Float64Array(0);
    const x = xs(run(o, h, { steps: 4, grad: seq(1), start: [1, 0], state: (s) => (S = s.slice()) }));
    const e2 = 0.1 / 1.05;
    const e3 = 0.1 / 1.1;
    const e4 = 0.1 / 1.15;
    const p1 = 0.85;
    const p2 = p1 * (1 - 0.5 * e2) - e2;
    const p3 = p2 * (1 - 0.5 * e3) - e3;
    const p4 = p3 * (1 - 0.5 * e4) - e4;
    expectClose(x, [p1, p2, p3, p4]);
    expectClose([p2], [0.7142857142857143]);
    expectClose([S[2]!], [(p3 + p4) / 2]); // ax, the averaged iterate, is state
    expectClose([S[4]!], [0.1 / 1.2]); // eta for step 5
  });

  it('before t0 the average is a copy; with the default t0 = 1e6 it never averages', () => {
    let S = new Float64Array(0);
    const traj = run(o, {}, { steps: 50, grad: bowl, state: (s) => (S = s.slice()) });
    expect([S[2], S[3]]).toEqual(traj[49]);
  });

  it('matches the float64 port of _single_tensor_asgd, with eta from the previous step\'s LR under a schedule', () => {
    for (const c of [{}, h, { ...h, t0: 5, alpha: 0.5 }, { lambd: 0.01, weight_decay: 0.1, maximize: true, t0: 3 }, { t0: -3, lambd: 0.2 }] as Values[]) {
      matchesRef('ASGD', { lr: 0.05, ...c }, 30);
      const ax = [0, 0];
      let S = new Float64Array(0);
      run(o, { lr: 0.05, ...c }, { steps: 30, grad: bowl, state: (s) => (S = s.slice()) });
      refASGD(hyper('ASGD', { lr: 0.05, ...c }), [1, -0.5], bowl, 30, undefined, ax);
      expectClose([S[2]!, S[3]!], ax);
    }
    // A schedule: torch's eta for step t is computed at the end of step t - 1 with that step's LR,
    // and the first step uses the LR in force then (state init), not the lr parameter.
    const lrAt = (t: number): number => 0.08 / t;
    const got = flat(run(o, { ...h, lr: 123, t0: 2 }, { steps: 12, grad: bowl, lrAt }));
    expectClose(got, flat(refASGD(hyper('ASGD', { ...h, lr: 123, t0: 2 }), [1, -0.5], bowl, 12, lrAt)));
  });
});

describe('Rprop', () => {
  const o = def('Rprop');

  it('grows, shrinks and skips on sign changes (hand-derived)', () => {
    // x gradients +1, +1, -1, -1, +1 with lr 0.1, etas (0.5, 1.2):
    //   t=1: prev 0 -> factor 1, size 0.1, p 0.9, prev +1
    //   t=2: same sign -> size 0.12, p 0.78
    //   t=3: flip -> size 0.06, gradient zeroed: no move, prev 0
    //   t=4: prev 0 -> factor 1, size 0.06, p 0.84 (moves up along -sign(-1)), prev -1
    //   t=5: flip -> size 0.03, no move
    const x = xs(run(o, { lr: 0.1 }, { steps: 5, grad: seq(1, 1, -1, -1, 1), start: [1, 0] }));
    expectClose(x, [0.9, 0.78, 0.78, 0.84, 0.84]);
    // maximize ascends the same way.
    const up = xs(run(o, { lr: 0.1, maximize: true }, { steps: 2, grad: seq(1), start: [1, 0] }));
    expectClose(up, [1.1, 1.22]);
  });

  it('clamps step sizes to step_sizes, and min > max clamps to max as torch.clamp does', () => {
    // Same sign throughout: 0.1, 0.12, 0.13 (0.144 clamped), 0.13.
    const x = xs(run(o, { lr: 0.1, step_sizes: [0.05, 0.13] }, { steps: 4, grad: seq(1), start: [1, 0] }));
    expectClose(x, [0.9, 0.78, 0.65, 0.52]);
    // Alternating signs: 0.1 (move), 0.05 (skip), 0.05 (move), 0.025 -> clamped to 0.05 (skip), 0.05 (move).
    let S = new Float64Array(0);
    const y = xs(run(o, { lr: 0.1, step_sizes: [0.05, 0.13] }, { steps: 5, grad: seq(1, -1), start: [1, 0], state: (s) => (S = s.slice()) }));
    expectClose(y, [0.9, 0.9, 0.85, 0.85, 0.8]);
    expect(S[4]).toBe(0.05);
    // min > max: every step size is max.
    const z = xs(run(o, { lr: 0.1, step_sizes: [1, 0.2] }, { steps: 2, grad: seq(1), start: [1, 0] }));
    expectClose(z, [0.8, 0.6]);
  });

  it('reads the LR only on the first step (torch creates step_size = lr with its state)', () => {
    const a = run(o, { lr: 0.1 }, { steps: 10, grad: bowl, lrAt: (t) => (t === 1 ? 0.1 : 5 * t) });
    const b = run(o, { lr: 0.1 }, { steps: 10, grad: bowl });
    expect(flat(a)).toEqual(flat(b));
    const c = run(o, { lr: 0.1 }, { steps: 10, grad: bowl, lrAt: () => 0.02 });
    expectClose(flat(c), flat(refRprop(hyper('Rprop', {}), [1, -0.5], bowl, 10, () => 0.02)));
  });

  it('matches the float64 port of _single_tensor_rprop', () => {
    for (const c of [{}, { etas: [0.3, 1.5] }, { step_sizes: [0.01, 0.05], maximize: true }, { etas: [0.9, 1.01], step_sizes: [1e-3, 1] }] as Values[]) {
      matchesRef('Rprop', { lr: 0.05, ...c }, 40);
    }
  });
});

describe('Adafactor', () => {
  const o = def('Adafactor');

  it('relative step: the first steps move by RMS(p) * min(lr, 1 / sqrt(t)) along sign(g) (hand-derived)', () => {
    // t=1: 1 - beta2_1 = 1 ** -0.8 = 1, so v = g^2 and u = g / |g| = sign(g); RMS(u) = 1 <= d, no clipping.
    // p0 = (3, 4): RMS(p) = 5 / sqrt(2); rho = min(0.01, 1) = 0.01, alpha = 0.0353553…
    const g = seq2([1, -1]);
    const traj = run(o, {}, { steps: 2, grad: g, start: [3, 4] });
    const a1 = (5 / Math.SQRT2) * 0.01;
    expectClose(traj[0]!, [3 - a1, 4 + a1]);
    // t=2: v stays 1 (lerp of 1 to 1), u = sign(g) again; alpha = RMS(p1) * 0.01.
    const a2 = (Math.hypot(3 - a1, 4 + a1) / Math.SQRT2) * 0.01;
    expectClose(traj[1]!, [3 - a1 - a2, 4 + a1 + a2]);
    // lr above 1 / sqrt(t): rho = 1 / sqrt(t) decays with the step count.
    const fast = run(o, { lr: 10 }, { steps: 2, grad: g, start: [3, 4] });
    const b1 = 5 / Math.SQRT2;
    expectClose(fast[0]!, [3 - b1, 4 + b1]);
    const b2 = (Math.hypot(3 - b1, 4 + b1) / Math.SQRT2) / Math.SQRT2;
    expectClose(fast[1]!, [3 - b1 - b2, 4 + b1 + b2]);
  });

  it('at p = 0 the step is eps2 * rho; weight decay uses lr and comes after RMS(p) (hand-derived)', () => {
    const z = run(o, {}, { steps: 1, grad: seq2([2, 0.5]), start: [0, 0] });
    expectClose(z[0]!, [-1e-3 * 0.01, -1e-3 * 0.01]);
    // wd 0.5, lr 0.01: p = (3, 4) (1 - 0.005), then the step with alpha from the undecayed p.
    const w = run(o, { weight_decay: 0.5 }, { steps: 1, grad: seq2([1, 1]), start: [3, 4] });
    const a = (5 / Math.SQRT2) * 0.01;
    expectClose(w[0]!, [3 * 0.995 - a, 4 * 0.995 - a]);
  });

  it('clips the update to RMS d, and floors v at eps1^2 (hand-derived)', () => {
    // g = (0.01, 0.01) then (1, 1): v2 = 1e-4 + 2^-0.8 (1 - 1e-4) = 0.5744…, u2 = 1 / sqrt(v2) = 1.3195… per
    // coordinate, RMS(u2) = 1.3195 > d = 1, so the update is u2 / RMS(u2) = (1, 1).
    const traj = run(o, {}, { steps: 2, grad: seq2([0.01, 0.01], [1, 1]), start: [3, 4] });
    const a1 = (5 / Math.SQRT2) * 0.01;
    const p1: Vec = [3 - a1, 4 - a1];
    expectClose(traj[0]!, p1);
    const w = Math.pow(2, -0.8);
    const v2 = 1e-4 + w * (1 - 1e-4);
    expect(1 / Math.sqrt(v2)).toBeGreaterThan(1.3);
    const a2 = (Math.hypot(...p1) / Math.SQRT2) * 0.01;
    expectClose(traj[1]!, [p1[0] - a2, p1[1] - a2]);
    // With d = 2 the same update is not clipped: it moves by a2 * 1.3195….
    const loose = run(o, { d: 2 }, { steps: 2, grad: seq2([0.01, 0.01], [1, 1]), start: [3, 4] });
    expectClose(loose[1]!, [p1[0] - a2 / Math.sqrt(v2), p1[1] - a2 / Math.sqrt(v2)]);
    // A zero gradient coordinate: v = 0 is floored at eps1^2, so u = 0 there (not NaN); the other
    // coordinate alone has u = 1, RMS(u) = 1 / sqrt(2) < 1, no clipping.
    const half = run(o, {}, { steps: 1, grad: seq2([1, 0]), start: [3, 4] });
    expectClose(half[0]!, [3 - a1, 4]);
  });

  it('matches the float64 port of _single_tensor_adafactor (1-D branch), also under a schedule', () => {
    for (const c of [
      {},
      { lr: 0.3 },
      { beta2_decay: -0.5, d: 1.5 },
      { beta2_decay: 0, eps: [1e-3, 1e-2] },
      { weight_decay: 0.1, maximize: true, lr: 0.05 },
    ] as Values[]) {
      matchesRef('Adafactor', c, 40);
    }
    const lrAt = (t: number): number => 0.5 / (1 + t);
    const got = flat(run(o, {}, { steps: 20, grad: bowl, lrAt }));
    expectClose(got, flat(refAdafactor(hyper('Adafactor', {}), [1, -0.5], bowl, 20, lrAt)));
  });
});

describe('LARS', () => {
  const o = def('LARS');

  it("is plain SGD with timm's defaults (no weight decay, no always_adapt)", () => {
    const traj = run(o, { lr: 0.05 }, { steps: 10, grad: bowl });
    const p: Vec = [1, -0.5];
    const want: number[] = [];
    for (let t = 1; t <= 10; t++) {
      const g = bowl(p, t);
      p[0] -= 0.05 * g[0];
      p[1] -= 0.05 * g[1];
      want.push(p[0], p[1]);
    }
    expectClose(flat(traj), want);
  });

  it('scales (g + wd p) by one trust ratio over both coordinates; 1 where |w| or |g| is 0 (hand-derived)', () => {
    // p = (3, 4), g = (0.6, 0.8): |w| = 5, |g| = 1, tr = 0.001 * 5 / (1 + 0.5) = 1/300;
    // (g + 0.1 p) tr = (0.9, 1.2) / 300 = (0.003, 0.004).
    const one = run(o, { weight_decay: 0.1, eps: 0 }, { steps: 1, grad: seq2([0.6, 0.8]), start: [3, 4] });
    expectClose(one[0]!, [2.997, 3.996]);
    // |w| = 0: ratio 1, a plain step along g.
    const w0 = run(o, { weight_decay: 0.1 }, { steps: 1, grad: seq2([0.6, 0.8]), start: [0, 0] });
    expectClose(w0[0]!, [-0.6, -0.8]);
    // |g| = 0: ratio 1, the step is the weight decay term alone.
    const g0 = run(o, { weight_decay: 0.1 }, { steps: 1, grad: seq2([0, 0]), start: [3, 4] });
    expectClose(g0[0]!, [2.7, 3.6]);
    // always_adapt with weight_decay 0: tr = 0.001 * 5 / 1 = 0.005.
    const aa = run(o, { always_adapt: true, eps: 0 }, { steps: 1, grad: seq2([0.6, 0.8]), start: [3, 4] });
    expectClose(aa[0]!, [3 - 0.003, 4 - 0.004]);
    // trust_clip: tr / lr = 0.005 / 0.001 = 5, clipped to 1: a plain SGD step with lr 0.001.
    const tc = run(o, { always_adapt: true, trust_clip: true, eps: 0, lr: 0.001 }, { steps: 1, grad: seq2([0.6, 0.8]), start: [3, 4] });
    expectClose(tc[0]!, [3 - 0.0006, 4 - 0.0008]);
  });

  it('matches the float64 port of Lars.step, momentum cycled or not', () => {
    for (const c of [
      { weight_decay: 0.01 },
      { weight_decay: 0.01, momentum: 0.9 },
      { weight_decay: 0.05, momentum: 0.9, nesterov: true, trust_coeff: 0.02 },
      { always_adapt: true, momentum: 0.5, dampening: 0.3, trust_clip: true },
      { weight_decay: 0.1, trust_clip: true, eps: 1e-3 },
    ] as Values[]) {
      matchesRef('LARS', { lr: 0.5, ...c }, 30);
    }
    // Momentum cycled to 0 on the first step: the buffer is created on the first step with non-zero momentum.
    const momAt = (t: number): number => (t === 1 ? 0 : 0.8 + 0.1 * Math.sin(t));
    const over: Values = { lr: 0.5, weight_decay: 0.01, momentum: 0.9 };
    const got = flat(run(o, over, { steps: 20, grad: bowl, mom: momAt }));
    expectClose(got, flat(refLARS(hyper('LARS', over), [1, -0.5], bowl, 20, undefined, momAt)));
  });
});

describe('LAMB', () => {
  const o = def('LAMB');

  it('moves by lr |w| per step once the trust ratio is on: |update| is rescaled to |w| (hand-derived)', () => {
    // t=1, eps 0, g = (3, 4): clipped by |g| / max_grad_norm = 5 to (0.6, 0.8); bias-corrected
    // m / sqrt(v) = sign(g) = (1, 1); + 0.01 p = (1.03, 1.04); tr = |w| / |u| = 5 / 1.4637…
    const traj = run(o, { lr: 0.1, eps: 0 }, { steps: 1, grad: seq2([3, 4]), start: [3, 4] });
    const u: Vec = [1.03, 1.04];
    const tr = 5 / Math.hypot(...u);
    expectClose(traj[0]!, [3 - 0.1 * tr * u[0], 4 - 0.1 * tr * u[1]]);
    expect(Math.hypot(3 - traj[0]![0], 4 - traj[0]![1])).toBeCloseTo(0.5, 12);
  });

  it('trust ratio edges: |w| = 0 or |update| = 0 gives 1; trust_clip caps it at 1 (hand-derived)', () => {
    // p = 0: tr = 1, the step is lr * (sign(g) + wd * 0).
    const w0 = run(o, { lr: 0.1, eps: 0 }, { steps: 1, grad: seq2([3, 4]), start: [0, 0] });
    expectClose(w0[0]!, [-0.1, -0.1]);
    // g = 0 with always_adapt and no weight decay: update 0, tr = 1 (not 5 / 0), no move.
    const u0 = run(o, { lr: 0.1, weight_decay: 0, always_adapt: true }, { steps: 1, grad: seq2([0, 0]), start: [3, 4] });
    expect(u0[0]).toEqual([3, 4]);
    // trust_clip: tr = 5 / 1.46 > 1 is capped, the step is lr * u.
    const tc = run(o, { lr: 0.1, eps: 0, trust_clip: true }, { steps: 1, grad: seq2([3, 4]), start: [3, 4] });
    expectClose(tc[0]!, [3 - 0.103, 4 - 0.104]);
    // weight_decay 0 (and no always_adapt): no trust ratio, a plain bias-corrected Adam-like step.
    const plain = run(o, { lr: 0.1, eps: 0, weight_decay: 0 }, { steps: 1, grad: seq2([3, 4]), start: [3, 4] });
    expectClose(plain[0]!, [2.9, 3.9]);
  });

  it('gradient clipping, grad_averaging, bias_correction, caution and decoupled decay follow the port', () => {
    for (const c of [
      {},
      { max_grad_norm: null },
      { max_grad_norm: 0.1, grad_averaging: false },
      { bias_correction: false, betas: [0.5, 0.9] },
      { caution: true, weight_decay: 0.1 },
      { decoupled_decay: true, weight_decay: 0.2, trust_clip: true },
      { weight_decay: 0, always_adapt: true, betas: [0.3, 0.99] },
    ] as Values[]) {
      matchesRef('LAMB', { lr: 0.05, ...c }, 40, bowl, [1, -0.5], 1e-11);
    }
    const cycled = (t: number): number => 0.85 + 0.1 * Math.cos(t / 3);
    const got = flat(run(o, { lr: 0.05 }, { steps: 40, grad: bowl, mom: cycled }));
    expectClose(got, flat(refLAMB(hyper('LAMB', { lr: 0.05 }), [1, -0.5], bowl, 40, cycled)), 1e-11);
  });
});

describe('Lion', () => {
  const o = def('Lion');

  it('steps exactly lr per coordinate along the sign of the interpolated momentum (hand-derived)', () => {
    // lr 0.1, betas (0.9, 0.99), x gradients 1, -0.05, -0.2:
    //   t=1: c = 0.1 * 1 > 0: p 0.9;            m = 0.01 * 1 = 0.01
    //   t=2: c = 0.9 * 0.01 - 0.1 * 0.05 = 0.004 > 0: p 0.8 (the momentum wins over the flipped g);
    //        m = 0.99 * 0.01 - 0.01 * 0.05 = 0.0094
    //   t=3: c = 0.9 * 0.0094 - 0.02 = -0.01154 < 0: p 0.9
    const x = xs(run(o, { lr: 0.1 }, { steps: 3, grad: seq(1, -0.05, -0.2), start: [1, 0] }));
    expectClose(x, [0.9, 0.8, 0.9]);
    // Gradient scale does not matter, sign(0) = 0 does not move.
    expect(xs(run(o, { lr: 0.1 }, { steps: 1, grad: seq(1e6), start: [1, 0] }))).toEqual([0.9]);
    expect(run(o, { lr: 0.1 }, { steps: 1, grad: seq(0), start: [1, -1] })[0]).toEqual([1, -1]);
    // Decoupled weight decay first: p (1 - lr wd) - lr sign(c).
    expectClose(xs(run(o, { lr: 0.1, weight_decay: 0.5 }, { steps: 1, grad: seq(1), start: [1, 0] })), [0.95 - 0.1]);
  });

  it('caution masks the coordinate whose update disagrees with the gradient and doubles the other (hand-derived)', () => {
    // Step 2 as above: x has update +1 against g = -0.05 (masked), y has g = 1, 1 (kept, / mean 0.5).
    const traj = run(o, { lr: 0.1, caution: true }, { steps: 2, grad: seq2([1, 1], [-0.05, 1]), start: [1, 1] });
    expectClose(traj[1]!, [0.9, 0.9 - 0.2]);
  });

  it('matches the float64 port of _single_tensor_lion, also with beta1 cycled', () => {
    for (const c of [{}, { betas: [0.3, 0.99] }, { weight_decay: 0.3, maximize: true }, { caution: true, betas: [0.95, 0.9] }] as Values[]) {
      matchesRef('Lion', { lr: 0.01, ...c }, 40);
    }
    const cycled = (t: number): number => 0.85 + 0.1 * Math.cos(t / 3);
    const got = flat(run(o, { lr: 0.01 }, { steps: 40, grad: bowl, mom: cycled }));
    expectClose(got, flat(refLion(hyper('Lion', { lr: 0.01 }), [1, -0.5], bowl, 40, cycled)));
  });
});

// ---------------------------------------------------------------------------------------------

describe('float32 twin', () => {
  const cases: [string, Values][] = [
    ['Adadelta', {}],
    ['Adadelta', { weight_decay: 0.01, rho: 0.95 }],
    ['Adamax', { lr: 0.01 }],
    ['ASGD', { lr: 0.05, lambd: 0.01, t0: 10 }],
    ['Rprop', { lr: 0.01 }],
    ['Adafactor', { lr: 0.05 }],
    ['Adafactor', { weight_decay: 0.01, d: 2 }],
    ['LARS', { lr: 0.5, weight_decay: 0.01, momentum: 0.9 }],
    ['LARS', { lr: 0.5, always_adapt: true, nesterov: true, momentum: 0.9 }],
    ['LAMB', { lr: 0.01 }],
    ['LAMB', { lr: 0.01, decoupled_decay: true, max_grad_norm: null, caution: true }],
    ['Lion', { lr: 0.001 }],
    ['Lion', { lr: 0.001, weight_decay: 0.1 }],
  ];

  it('stays within 1e-6 relative of float64 on a benign bowl', () => {
    for (const [id, over] of cases) {
      const o = def(id);
      const a = run(o, over, { steps: 30, grad: bowl, roundP: true, r: f64 });
      const b = run(o, over, { steps: 30, grad: bowl, roundP: true, r: f32 });
      let worst = 0;
      for (let t = 0; t < a.length; t++) {
        for (let k = 0; k < 2; k++) worst = Math.max(worst, Math.abs(a[t]![k]! - b[t]![k]!) / Math.max(Math.abs(a[t]![k]!), 0.1));
      }
      expect(worst, `${id} ${JSON.stringify(over)}`).toBeLessThan(1e-6);
      for (const p of b) expect(p.every((x) => f32(x) === x), id).toBe(true);
    }
  });
});

describe('step scalars', () => {
  const withScalars = CATALOGUE_OPTIMIZERS.filter((o) => o.stepScalars);

  it('exist for the step-count-only loops and pows (Adamax, Adafactor, LAMB, Schedule-Free warmup and (k+1)^r); beta1 comes as mom', () => {
    expect(withScalars.map((o) => o.id)).toEqual(['Adamax', 'Adafactor', 'LAMB', 'SGDScheduleFree', 'AdamWScheduleFree']);
    expect(Object.fromEntries(withScalars.map((o) => [o.id, o.stepScalars!.usesMom]))).toEqual({
      Adamax: true,
      Adafactor: false,
      LAMB: true,
      SGDScheduleFree: false,
      AdamWScheduleFree: false,
    });
    for (const o of withScalars) {
      const offsets = slotOffsets(o.params);
      for (const k of o.stepScalars!.params) expect(Object.keys(offsets), `${o.id}.${k}`).toContain(k);
      expect(o.stepScalars!.params, o.id).not.toContain('lr');
      expect(o.stepScalars!.params, o.id).not.toContain('betas.0');
    }
  });

  it('list every parameter compute() reads, and only those; mom is read iff usesMom', () => {
    const Ts = [1, 2, 3, 5, 10, 100, 1000];
    for (const o of withScalars) {
      const ss = o.stepScalars!;
      const offsets = slotOffsets(o.params);
      const listed = new Set(ss.params.map((k) => P_OPTIMIZER + offsets[k]!));
      for (const r of [f32, f64]) {
        const P = new Float64Array(P_COUNT);
        encodeParams(o.params, values(o), P, P_OPTIMIZER);
        for (let i = 0; i < P_COUNT; i++) P[i] = f32(P[i]!);
        const outputs = (Q: Float64Array, m: number): number[] => Ts.flatMap((t) => [...stepScalars(o, r, Q, m, t, new Float64Array(4))]);
        const base = outputs(P, f32(0.9));
        expect(base.every((x) => Number.isFinite(x)), o.id).toBe(true);
        const same = (a: number[]): boolean => a.every((x, i) => Object.is(x, base[i]));
        for (let i = 0; i < P_COUNT; i++) {
          const Q = P.slice();
          // beta2_decay -0.8 -> -0.65, betas.1 0.999 -> 0.2495; a 0 (warmup_steps) becomes 7, not
          // -0.25, which a warmup treats exactly like 0.
          Q[i] = P[i] === 0 ? 7 : f32(P[i]! * 0.5 - 0.25);
          expect(same(outputs(Q, f32(0.9))), `${o.id} slot ${i} (${listed.has(i) ? 'listed' : 'not listed'})`).toBe(!listed.has(i));
        }
        expect(same(outputs(P, f32(0.8))), `${o.id} mom`).toBe(!ss.usesMom);
      }
    }
  });

  it('carry all of the step count: step() given a wrong t but the right scalars takes the same steps', () => {
    for (const o of withScalars) {
      for (const r of [f32, f64]) {
        const go = (stepT?: (t: number) => number): number[] =>
          flat(run(o, { lr: 0.02 }, { steps: 40, grad: bowl, r, ...(stepT ? { stepT } : {}) }));
        expect(go((t) => 7 * t + 3), o.id).toEqual(go());
      }
    }
  });

  it('keep 1 - beta1^t and t ** beta2_decay accurate in float32 at any step count', () => {
    for (const T of [1, 2, 3, 10, 100, 1000, 12345, 100000]) {
      const P = new Float64Array(P_COUNT);
      const ada = def('Adafactor');
      encodeParams(ada.params, values(ada), P, P_OPTIMIZER);
      for (let i = 0; i < P_COUNT; i++) P[i] = f32(P[i]!);
      const sc = stepScalars(ada, f32, P, 0, T, new Float64Array(4));
      expect(Math.abs(sc[0]! - Math.pow(T, f32(-0.8))) / Math.pow(T, f32(-0.8)), `T=${T}`).toBeLessThan(2e-7);
      expect(Math.abs(sc[1]! - 1 / Math.sqrt(T)) * Math.sqrt(T), `T=${T}`).toBeLessThan(2e-7);
      const ax = stepScalars(def('Adamax'), f32, P, f32(0.9), T, new Float64Array(4));
      const exact = -Math.expm1(T * Math.log1p(f32(0.9) - 1));
      expect(Math.abs(ax[0]! - exact) / exact, `T=${T}`).toBeLessThan(3e-7);
    }
  });
});

const SCHEDULE_FREE = new Set(['SGDScheduleFree', 'AdamWScheduleFree']);

describe('WGSL twins', () => {
  for (const o of CATALOGUE_OPTIMIZERS) {
    const src = (): string => wgslSource(`optimizers/${o.wgsl}`);

    it(`${o.wgsl} defines exactly opt_init/opt_step_scalars/opt_step and reads only ${o.id}'s slots and flags`, () => {
      const text = src();
      const names = [...text.matchAll(/\bfn\s+(\w+)\s*\(([^)]*)\)/g)].map((m) => m[1]!);
      const entry = ['opt_init', 'opt_step_scalars', 'opt_step'];
      for (const e of entry) expect(names.filter((x) => x === e), e).toHaveLength(1);
      expect(text).toMatch(/fn opt_init\(\)\s*\{/);
      expect(text).toMatch(/fn opt_step_scalars\(mom: f32, t: f32\) -> vec4f\s*\{/);
      expect(text).toMatch(/fn opt_step\(g: vec2f, lr: f32, mom: f32, t: f32, sc: vec4f\)\s*\{/);
      for (const x of names) if (!entry.includes(x)) expect(x.startsWith(`${o.id}_`), x).toBe(true);
      const numeric = new Set<string>();
      const flags = new Set<string>();
      const offsets = slotOffsets(o.params);
      for (const p of o.params as readonly ParamSchema[]) {
        if (p.kind === 'bool' || p.kind === 'enum') flags.add(`${o.id}_${p.key}`);
        else for (const path of Object.keys(offsets)) if (path === p.key || path.startsWith(`${p.key}.`)) numeric.add(`${o.id}_${path.replace(/\./g, '_')}`);
      }
      for (const m of text.matchAll(/param\((\w+)\)/g)) expect(numeric.has(m[1]!), m[1]).toBe(true);
      for (const m of text.matchAll(new RegExp(`\\b${o.id}_\\w+`, 'g'))) {
        expect(names.includes(m[0]) || numeric.has(m[0]) || flags.has(m[0]), m[0]).toBe(true);
      }
      for (const flag of flags) expect(text, flag).toMatch(new RegExp(`if ${flag}\\b`));
      expect(text).not.toMatch(new RegExp(`param\\(${o.id}_lr\\)`));
      if (o.momentumParam) expect(text).not.toMatch(new RegExp(`param\\(${o.id}_${o.momentumParam.replace('.', '_')}\\)`));
      // Norms over both coordinates in the one op order the TypeScript twins use.
      for (const m of text.matchAll(/sqrt\((\w)\.x \* (\w)\.x \+ (\w)\.y \* (\w)\.y\)/g)) expect(new Set(m.slice(1)).size).toBe(1);
    });

    it(`${o.wgsl}: opt_step_scalars reads what stepScalars declares; opt_step reads sc and recomputes nothing`, () => {
      const text = src();
      const scalars = fnBody(text, 'opt_step_scalars')!;
      const step = fnBody(text, 'opt_step')!;
      const ss = o.stepScalars;
      if (!ss) {
        expect(scalars.replace(/\s+/g, ' ').trim()).toBe('return vec4f(0.0);');
        expect(step).not.toMatch(/\bsc\b/);
        return;
      }
      const reach = reachOf(text, scalars, o.id);
      const read = new Set([...reach.matchAll(/param\((\w+)\)/g)].map((m) => m[1]!));
      expect([...read].sort()).toEqual(ss.params.map((k) => `${o.id}_${k.replace(/\./g, '_')}`).sort());
      expect(/\bmom\b/.test(scalars)).toBe(ss.usesMom);
      expect(/\bt\b/.test(scalars)).toBe(true);
      expect(step).toMatch(/\bsc\.[xyzw]\b/);
      const stepReach = reachOf(text, step, o.id);
      // Schedule-Free's weight is lr_max ** weight_lr_power, lr_max being each run's running maximum
      // of the scheduled LR: per-run state, so its pow cannot move to the step table. Only its helper
      // may call pow, once.
      const perRunPow = SCHEDULE_FREE.has(o.id) ? stepReach.replace(/\bfn \w+_pow\b|\bpow\(b, e\)/g, '') : stepReach;
      expect(perRunPow).not.toMatch(/\b(loop|for|while|pow|exp|exp2|log|log2|opt_step_scalars)\b/);
      expect(step).not.toMatch(/\bt\b/);
    });

    it(`${o.wgsl}: opt_step branches only on override flags (selects where a value may differ per run)`, () => {
      const text = src();
      const step = fnBody(text, 'opt_step')!;
      const reach = reachOf(text, step, o.id);
      // Schedule-Free's pow helper skips the pow at the default power 2 (see tests/unit/schedule-free.test.ts).
      const own = SCHEDULE_FREE.has(o.id) ? reach.replace(/if \(e == 2\.0\) \{/, '') : reach;
      for (const m of own.matchAll(/\bif\s+([^{]*)\{/g)) expect(m[1]!.trim(), o.id).toMatch(new RegExp(`^${o.id}_\\w+$`));
    });
  }
});
