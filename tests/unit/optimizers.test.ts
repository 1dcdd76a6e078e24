/**
 * The torch optimisers: schemas (names, defaults, torch's constructor checks), update rules against
 * numbers derived by hand from torch's single-tensor code and against independent float64 ports of
 * those loops (written here, not calling the code under test), the float32 twin against float64,
 * and the WGSL twins' naming contract.
 */
// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT) or S (length STATE_LEN), checked by tests.
import { describe, expect, it } from 'vitest';
import { P_COUNT, P_OPTIMIZER, P_OPTIMIZER_SIZE, STATE_LEN, STATE_VEC2 } from '../../src/core/layout.ts';
import type { NumberParam, ParamSchema, ParamValue, TupleParam } from '../../src/core/params.ts';
import { blockSize, encodeParams, inRange, slotOffsets } from '../../src/core/params.ts';
import { lerp, oneMinusPow } from '../../src/core/registry/optimizers/common.ts';
import { CORE_OPTIMIZERS as OPTIMIZERS } from '../../src/core/registry/optimizers/index.ts';
import type { OptimizerDef, Round } from '../../src/core/registry/types.ts';
import { OPTIMIZERS as ALL_OPTIMIZERS } from '../../src/core/registry/index.ts';
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

/**
 * The scalars step() receives, as the engines produce them: stepScalars.compute for this (P, mom, t),
 * or nothing. `sc` starts as NaN so that a step reading a slot compute() did not write shows up.
 */
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
  /** Store P as float32, as the GPU does, so f32-vs-f64 comparisons see the same parameters. */
  roundP?: boolean;
  /** Per-step momentum/beta1 handed to step() (a cycling schedule); default: the parameter. */
  mom?: (t: number) => number;
  /** The step count handed to step() itself (the scalars always get the true one); default: t. */
  stepT?: (t: number) => number;
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
  const lr = P[P_OPTIMIZER]!;
  const out: Vec[] = [];
  const sc = new Float64Array(4);
  for (let t = 1; t <= o.steps; t++) {
    const g = o.grad([S[0]!, S[1]!], t);
    const mom = o.mom ? o.mom(t) : o.roundP ? f32(momentumOf(d, v)) : momentumOf(d, v);
    stepScalars(d, r, P, mom, t, sc);
    d.step(r, P, S, r(g[0]), r(g[1]), lr, mom, o.stepT ? o.stepT(t) : t, sc);
    out.push([S[0]!, S[1]!]);
  }
  return out;
}

/** Fixed gradient sequence: step t (1-based) gets seq[t - 1] in both coordinates (y negated). */
function seq(...gs: number[]): GradFn {
  return (_p, t) => {
    const g = gs[(t - 1) % gs.length]!;
    return [g, -g];
  };
}

/** A tilted, badly conditioned bowl 0.5 x^2 + 2 y^2 + 0.25 x y: the gradient depends on the position. */
const bowl: GradFn = ([x, y]) => [x + 0.25 * y, 4 * y + 0.25 * x];

function xs(traj: Vec[]): number[] {
  return traj.map((p) => p[0]);
}

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
// Independent float64 ports of torch's single-tensor loops (torch 2.x, foreach=False), written
// from the Python with no shared code: plain `beta * m + (1 - beta) * g` moments, `Math.pow` bias
// corrections and torch's own rho_t formula.

interface Hyper {
  lr: number;
  [k: string]: number | boolean;
}

function n(h: Hyper, k: string): number {
  return h[k] as number;
}

function refSGD(h: Hyper, p0: Vec, grad: GradFn, steps: number): Vec[] {
  const p = [...p0] as Vec;
  let buf: number[] | null = null;
  const out: Vec[] = [];
  for (let t = 1; t <= steps; t++) {
    const raw = grad([p[0], p[1]], t);
    const g = raw.map((x, i) => (h['maximize'] ? -x : x) + n(h, 'weight_decay') * p[i]!);
    let d = g;
    if (n(h, 'momentum') !== 0) {
      if (buf === null) buf = [...g];
      else buf = buf.map((b, i) => b * n(h, 'momentum') + (1 - n(h, 'dampening')) * g[i]!);
      const b = buf;
      d = h['nesterov'] ? g.map((x, i) => x + n(h, 'momentum') * b[i]!) : b;
    }
    for (let i = 0; i < 2; i++) p[i] = p[i]! - h.lr * d[i]!;
    out.push([p[0], p[1]]);
  }
  return out;
}

function refAdagrad(h: Hyper, p0: Vec, grad: GradFn, steps: number): Vec[] {
  const p = [...p0] as Vec;
  const sum = [n(h, 'initial_accumulator_value'), n(h, 'initial_accumulator_value')];
  const out: Vec[] = [];
  for (let t = 1; t <= steps; t++) {
    const raw = grad([p[0], p[1]], t);
    const clr = h.lr / (1 + (t - 1) * n(h, 'lr_decay'));
    for (let i = 0; i < 2; i++) {
      const g = (h['maximize'] ? -raw[i]! : raw[i]!) + n(h, 'weight_decay') * p[i]!;
      sum[i] = sum[i]! + g * g;
      p[i] = p[i]! - (clr * g) / (Math.sqrt(sum[i]!) + n(h, 'eps'));
    }
    out.push([p[0], p[1]]);
  }
  return out;
}

function refRMSprop(h: Hyper, p0: Vec, grad: GradFn, steps: number): Vec[] {
  const p = [...p0] as Vec;
  const sq = [0, 0];
  const ga = [0, 0];
  const buf = [0, 0];
  const a = n(h, 'alpha');
  const out: Vec[] = [];
  for (let t = 1; t <= steps; t++) {
    const raw = grad([p[0], p[1]], t);
    for (let i = 0; i < 2; i++) {
      const g = (h['maximize'] ? -raw[i]! : raw[i]!) + n(h, 'weight_decay') * p[i]!;
      sq[i] = a * sq[i]! + (1 - a) * g * g;
      let v = sq[i]!;
      if (h['centered']) {
        ga[i] = a * ga[i]! + (1 - a) * g;
        v -= ga[i]! * ga[i]!;
      }
      const avg = Math.sqrt(v) + n(h, 'eps');
      if (n(h, 'momentum') > 0) {
        buf[i] = n(h, 'momentum') * buf[i]! + g / avg;
        p[i] = p[i]! - h.lr * buf[i]!;
      } else {
        p[i] = p[i]! - (h.lr * g) / avg;
      }
    }
    out.push([p[0], p[1]]);
  }
  return out;
}

/** beta1 in force at step t: the parameter, or what a momentum-cycling scheduler set. */
type Beta1At = ((t: number) => number) | undefined;

function refAdam(h: Hyper, p0: Vec, grad: GradFn, steps: number, beta1At?: Beta1At): Vec[] {
  const p = [...p0] as Vec;
  const m = [0, 0];
  const v = [0, 0];
  const vmax = [0, 0];
  const b2 = n(h, 'beta2');
  const wd = n(h, 'weight_decay');
  const out: Vec[] = [];
  for (let t = 1; t <= steps; t++) {
    const b1 = beta1At ? beta1At(t) : n(h, 'beta1');
    const raw = grad([p[0], p[1]], t);
    for (let i = 0; i < 2; i++) {
      let g = h['maximize'] ? -raw[i]! : raw[i]!;
      if (h['decoupled']) p[i] = p[i]! * (1 - h.lr * wd);
      else g += wd * p[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * g;
      v[i] = b2 * v[i]! + (1 - b2) * g * g;
      vmax[i] = Math.max(vmax[i]!, v[i]!);
      const vv = h['amsgrad'] ? vmax[i]! : v[i]!;
      const bc1 = 1 - Math.pow(b1, t);
      const bc2 = 1 - Math.pow(b2, t);
      p[i] = p[i]! - ((h.lr / bc1) * m[i]!) / (Math.sqrt(vv) / Math.sqrt(bc2) + n(h, 'eps'));
    }
    out.push([p[0], p[1]]);
  }
  return out;
}

function refRAdam(h: Hyper, p0: Vec, grad: GradFn, steps: number, beta1At?: Beta1At): Vec[] {
  const p = [...p0] as Vec;
  const m = [0, 0];
  const v = [0, 0];
  const b2 = n(h, 'beta2');
  const wd = n(h, 'weight_decay');
  const out: Vec[] = [];
  for (let t = 1; t <= steps; t++) {
    const b1 = beta1At ? beta1At(t) : n(h, 'beta1');
    const raw = grad([p[0], p[1]], t);
    const bc1 = 1 - Math.pow(b1, t);
    const bc2 = 1 - Math.pow(b2, t);
    const rhoInf = 2 / (1 - b2) - 1;
    const rhoT = rhoInf - (2 * t * Math.pow(b2, t)) / bc2;
    for (let i = 0; i < 2; i++) {
      let g = h['maximize'] ? -raw[i]! : raw[i]!;
      if (h['decoupled']) p[i] = p[i]! * (1 - h.lr * wd);
      else g += wd * p[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * g;
      v[i] = b2 * v[i]! + (1 - b2) * g * g;
      const mhat = m[i]! / bc1;
      if (rhoT > 5) {
        const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
        const adaptive = Math.sqrt(bc2) / (Math.sqrt(v[i]!) + n(h, 'eps'));
        p[i] = p[i]! - mhat * h.lr * adaptive * rect;
      } else {
        p[i] = p[i]! - mhat * h.lr;
      }
    }
    out.push([p[0], p[1]]);
  }
  return out;
}

function refNAdam(h: Hyper, p0: Vec, grad: GradFn, steps: number, beta1At?: Beta1At): Vec[] {
  const p = [...p0] as Vec;
  const m = [0, 0];
  const v = [0, 0];
  const b2 = n(h, 'beta2');
  const wd = n(h, 'weight_decay');
  const psi = n(h, 'momentum_decay');
  let muProduct = 1;
  const out: Vec[] = [];
  for (let t = 1; t <= steps; t++) {
    const b1 = beta1At ? beta1At(t) : n(h, 'beta1');
    const raw = grad([p[0], p[1]], t);
    const bc2 = 1 - Math.pow(b2, t);
    const mu = b1 * (1 - 0.5 * Math.pow(0.96, t * psi));
    const muNext = b1 * (1 - 0.5 * Math.pow(0.96, (t + 1) * psi));
    muProduct *= mu;
    for (let i = 0; i < 2; i++) {
      let g = h['maximize'] ? -raw[i]! : raw[i]!;
      if (h['decoupled']) p[i] = p[i]! * (1 - h.lr * wd);
      else g += wd * p[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * g;
      v[i] = b2 * v[i]! + (1 - b2) * g * g;
      const denom = Math.sqrt(v[i]! / bc2) + n(h, 'eps');
      p[i] = p[i]! - (h.lr * (1 - mu) * g) / (1 - muProduct) / denom;
      p[i] = p[i]! - (h.lr * muNext * m[i]!) / (1 - muProduct * muNext) / denom;
    }
    out.push([p[0], p[1]]);
  }
  return out;
}

function flat(traj: Vec[]): number[] {
  return traj.flatMap((p) => [p[0], p[1]]);
}

// ---------------------------------------------------------------------------------------------

describe('optimizer registry entries', () => {
  it('are exactly the torch classes, with lr first, state and slots that fit the layout', () => {
    expect(OPTIMIZERS.map((o) => o.id).sort()).toEqual(['Adagrad', 'Adam', 'AdamW', 'NAdam', 'RAdam', 'RMSprop', 'SGD']);
    for (const o of OPTIMIZERS) {
      expect(o.params[0]!.key, o.id).toBe('lr');
      expect(blockSize(o.params), o.id).toBeLessThanOrEqual(P_OPTIMIZER_SIZE);
      expect(o.stateSlots + 1, o.id).toBeLessThanOrEqual(STATE_VEC2);
      expect(o.wgsl, o.id).toBe(`${o.id}.wgsl`);
      expect(o.reference, o.id).toMatch(/^torch\/optim\/\w+\.py/);
      for (const p of o.params) {
        expect(p.doc.length, `${o.id}.${p.key}`).toBeGreaterThan(10);
        expect(p.doc, `${o.id}.${p.key}`).not.toMatch(/\n/);
      }
    }
  });

  it('name the parameter a momentum-cycling scheduler drives, as torch does', () => {
    const m = Object.fromEntries(OPTIMIZERS.map((o) => [o.id, o.momentumParam]));
    expect(m).toEqual({
      SGD: 'momentum',
      RMSprop: 'momentum',
      Adam: 'betas.0',
      AdamW: 'betas.0',
      RAdam: 'betas.0',
      NAdam: 'betas.0',
      Adagrad: null,
    });
  });

  it("default every parameter to torch's constructor default", () => {
    // Copied from the torch/optim/*.py __init__ signatures.
    const torch: Record<string, Values> = {
      SGD: { lr: 1e-3, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false, maximize: false },
      Adagrad: { lr: 1e-2, lr_decay: 0, weight_decay: 0, initial_accumulator_value: 0, eps: 1e-10, maximize: false },
      RMSprop: { lr: 1e-2, alpha: 0.99, eps: 1e-8, weight_decay: 0, momentum: 0, centered: false, maximize: false },
      Adam: {
        lr: 1e-3,
        betas: [0.9, 0.999],
        eps: 1e-8,
        weight_decay: 0,
        amsgrad: false,
        maximize: false,
        decoupled_weight_decay: false,
      },
      AdamW: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 1e-2, amsgrad: false, maximize: false },
      RAdam: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, decoupled_weight_decay: false, maximize: false },
      NAdam: {
        lr: 2e-3,
        betas: [0.9, 0.999],
        eps: 1e-8,
        weight_decay: 0,
        momentum_decay: 4e-3,
        decoupled_weight_decay: false,
        maximize: false,
      },
    };
    for (const o of OPTIMIZERS) expect(values(o), o.id).toEqual(torch[o.id]);
  });

  it("accept and reject what torch's constructors accept and reject", () => {
    const numeric = (o: OptimizerDef, key: string): NumberParam | TupleParam => {
      const p = o.params.find((q) => q.key === key);
      if (!p || (p.kind !== 'number' && p.kind !== 'tuple')) throw new Error(`${o.id}.${key}`);
      return p;
    };
    const ok = (id: string, key: string, x: number): boolean => inRange(x, numeric(def(id), key));
    for (const o of OPTIMIZERS) {
      // "Invalid learning rate" for lr < 0; lr = 0 is legal.
      expect(ok(o.id, 'lr', -1e-9), o.id).toBe(false);
      expect(ok(o.id, 'lr', 0), o.id).toBe(true);
      // "Invalid weight_decay value" for weight_decay < 0.
      expect(ok(o.id, 'weight_decay', -1e-9), o.id).toBe(false);
      expect(ok(o.id, 'weight_decay', 0), o.id).toBe(true);
    }
    for (const id of ['Adagrad', 'RMSprop', 'Adam', 'AdamW', 'RAdam', 'NAdam']) {
      // "Invalid epsilon value" only for eps < 0.
      expect(ok(id, 'eps', -1e-12), id).toBe(false);
      expect(ok(id, 'eps', 0), id).toBe(true);
    }
    for (const id of ['Adam', 'AdamW', 'RAdam', 'NAdam']) {
      // "Invalid beta parameter at index i" unless 0 <= beta < 1.
      expect(ok(id, 'betas', 1), id).toBe(false);
      expect(ok(id, 'betas', -0.1), id).toBe(false);
      expect(ok(id, 'betas', 0), id).toBe(true);
      expect(ok(id, 'betas', 0.9999), id).toBe(true);
    }
    expect(ok('SGD', 'momentum', -0.1)).toBe(false);
    expect(ok('SGD', 'momentum', 1.5)).toBe(true); // torch has no upper bound
    expect(ok('SGD', 'dampening', -3)).toBe(true); // nor any check on dampening
    expect(ok('RMSprop', 'momentum', -0.1)).toBe(false);
    expect(ok('RMSprop', 'alpha', -0.1)).toBe(false);
    expect(ok('RMSprop', 'alpha', 1.5)).toBe(true); // "Invalid alpha value" only for alpha < 0
    expect(ok('Adagrad', 'lr_decay', -1)).toBe(false);
    expect(ok('Adagrad', 'initial_accumulator_value', -1)).toBe(false);
    expect(ok('NAdam', 'momentum_decay', -1)).toBe(false);
  });

  it("SGD.validate raises torch's nesterov error, naming the fields", () => {
    const sgd = def('SGD');
    const check = (v: Values): string[] => sgd.validate?.(values(sgd, v)) ?? [];
    expect(check({ nesterov: true, momentum: 0.9 })).toEqual([]);
    expect(check({ nesterov: false, momentum: 0, dampening: 0.5 })).toEqual([]);
    for (const bad of [
      { nesterov: true, momentum: 0 },
      { nesterov: true, momentum: 0.9, dampening: 0.1 },
    ]) {
      const msgs = check(bad);
      expect(msgs).toHaveLength(1);
      expect(msgs[0]).toContain('Nesterov momentum requires a momentum and zero dampening');
      for (const field of ['nesterov', 'momentum', 'dampening']) expect(msgs[0]).toContain(field);
    }
  });
});

describe('SGD', () => {
  const sgd = def('SGD');
  const g123 = seq(1, 2, 3);
  const go = (over: Values): number[] => xs(run(sgd, { lr: 0.1, ...over }, { steps: 3, grad: g123, start: [1, -1] }));

  it('plain, weight decay and maximize (hand-derived)', () => {
    expectClose(go({}), [0.9, 0.7, 0.4]);
    // g' = g + 0.5 p: 1.5 -> 0.85; 2 + 0.425 = 2.425 -> 0.6075; 3 + 0.30375 = 3.30375 -> 0.277125
    expectClose(go({ weight_decay: 0.5 }), [0.85, 0.6075, 0.277125]);
    expectClose(go({ maximize: true }), [1.1, 1.3, 1.6]);
  });

  it('momentum: the first buffer is the undampened gradient (hand-derived)', () => {
    // buf = 1, 0.9*1 + 2 = 2.9, 0.9*2.9 + 3 = 5.61
    expectClose(go({ momentum: 0.9 }), [0.9, 0.61, 0.049]);
    // buf = 1 (no dampening on the first step), 0.9 + 0.5*2 = 1.9, 1.71 + 1.5 = 3.21
    expectClose(go({ momentum: 0.9, dampening: 0.5 }), [0.9, 0.71, 0.389]);
    // step along g + 0.9 buf: 1.9, 2 + 2.61 = 4.61, 3 + 5.049 = 8.049
    expectClose(go({ momentum: 0.9, nesterov: true }), [0.81, 0.349, -0.4559]);
  });

  it('momentum = 0 is plain gradient descent (control)', () => {
    const traj = run(sgd, { lr: 0.05, momentum: 0, dampening: 0.3 }, { steps: 20, grad: bowl });
    const p: Vec = [1, -0.5];
    const want: number[] = [];
    for (let t = 1; t <= 20; t++) {
      const g = bowl(p, t);
      p[0] -= 0.05 * g[0];
      p[1] -= 0.05 * g[1];
      want.push(p[0], p[1]);
    }
    expectClose(flat(traj), want);
  });

  it('creates the buffer on the first step with non-zero momentum, not at t == 1', () => {
    // momentum cycled to 0 on step 1: plain step; step 2: buf = g = 2 (clone); step 3: 0.9*2 + 0.5*3
    const traj = run(sgd, { lr: 0.1, momentum: 0.9, dampening: 0.5 }, {
      steps: 3,
      grad: g123,
      start: [1, -1],
      mom: (t) => (t === 1 ? 0 : 0.9),
    });
    expectClose(xs(traj), [0.9, 0.7, 0.37]);
  });

  it('uses the momentum handed to step(), not the parameter', () => {
    const cycled = run(sgd, { lr: 0.1, momentum: 0.9 }, { steps: 6, grad: bowl, mom: () => 0.5 });
    const plain = run(sgd, { lr: 0.1, momentum: 0.5 }, { steps: 6, grad: bowl });
    expectClose(flat(cycled), flat(plain), 0);
  });

  it('matches the float64 port of _single_tensor_sgd for every flag combination', () => {
    const cases: Values[] = [
      {},
      { momentum: 0.9 },
      { momentum: 0.9, dampening: 0.3 },
      { momentum: 0.8, nesterov: true },
      { momentum: 0.9, weight_decay: 0.1, maximize: true },
      { momentum: 0.9, nesterov: true, weight_decay: 0.05, maximize: true },
    ];
    for (const c of cases) {
      const h = { lr: 0.03, momentum: 0, dampening: 0, weight_decay: 0, ...c } as Hyper;
      expectClose(flat(run(sgd, h, { steps: 6, grad: bowl })), flat(refSGD(h, [1, -0.5], bowl, 6)));
    }
  });
});

describe('Adagrad', () => {
  const ada = def('Adagrad');

  it('lr_decay and initial_accumulator_value (hand-derived)', () => {
    // g = 1: sum = 1.5, 2.5, 3.5; clr = 0.1 / (1 + (t - 1) * 0.5) = 0.1, 0.1/1.5, 0.05; eps = 0
    const x = xs(
      run(ada, { lr: 0.1, lr_decay: 0.5, initial_accumulator_value: 0.5, eps: 0 }, { steps: 3, grad: seq(1), start: [1, 0] }),
    );
    const x1 = 1 - 0.1 / Math.sqrt(1.5);
    const x2 = x1 - 0.1 / 1.5 / Math.sqrt(2.5);
    const x3 = x2 - 0.05 / Math.sqrt(3.5);
    expectClose(x, [x1, x2, x3]);
  });

  it('default first step moves by lr * g / (|g| + eps)', () => {
    const x = xs(run(ada, {}, { steps: 1, grad: seq(2), start: [1, 0] }));
    expectClose(x, [1 - (0.01 * 2) / (2 + 1e-10)]);
  });

  it('matches the float64 port of _single_tensor_adagrad', () => {
    const cases: Values[] = [
      {},
      { lr_decay: 0.1 },
      { initial_accumulator_value: 0.3, weight_decay: 0.2 },
      { lr_decay: 0.05, weight_decay: 0.1, maximize: true, eps: 1e-3 },
    ];
    for (const c of cases) {
      const h = { lr: 0.1, lr_decay: 0, weight_decay: 0, initial_accumulator_value: 0, eps: 1e-10, ...c } as Hyper;
      expectClose(flat(run(ada, h, { steps: 6, grad: bowl })), flat(refAdagrad(h, [1, -0.5], bowl, 6)));
    }
  });
});

describe('RMSprop', () => {
  const rms = def('RMSprop');
  const one = seq(1);

  it('plain, centered and momentum (hand-derived)', () => {
    const go = (over: Values): number[] =>
      xs(run(rms, { lr: 0.01, alpha: 0.9, eps: 0, ...over }, { steps: 2, grad: one, start: [1, 0] }));
    // v = 0.1, 0.19: eps is added after the square root
    const p1 = 1 - 0.01 / Math.sqrt(0.1);
    expectClose(go({}), [p1, p1 - 0.01 / Math.sqrt(0.19)]);
    // centered: grad_avg = 0.1, 0.19; v - grad_avg^2 = 0.09, 0.19 - 0.0361 = 0.1539
    const c1 = 1 - 0.01 / 0.3;
    expectClose(go({ centered: true }), [c1, c1 - 0.01 / Math.sqrt(0.1539)]);
    // momentum 0.5: buf = 1/sqrt(0.1), 0.5 buf + 1/sqrt(0.19); p -= lr * buf
    const b1 = 1 / Math.sqrt(0.1);
    const b2 = 0.5 * b1 + 1 / Math.sqrt(0.19);
    expectClose(go({ momentum: 0.5 }), [1 - 0.01 * b1, 1 - 0.01 * b1 - 0.01 * b2]);
  });

  it('matches the float64 port of _single_tensor_rmsprop', () => {
    const cases: Values[] = [
      {},
      { centered: true },
      { momentum: 0.9 },
      { centered: true, momentum: 0.5, weight_decay: 0.1 },
      { alpha: 0.3, maximize: true, eps: 1e-4 }, // alpha < 0.5 takes lerp's other branch
      { alpha: 0.3, centered: true },
    ];
    for (const c of cases) {
      const h = { lr: 0.01, alpha: 0.99, eps: 1e-8, weight_decay: 0, momentum: 0, ...c } as Hyper;
      expectClose(flat(run(rms, h, { steps: 6, grad: bowl })), flat(refRMSprop(h, [1, -0.5], bowl, 6)));
    }
  });
});

describe('Adam and AdamW', () => {
  const adam = def('Adam');
  const adamw = def('AdamW');

  it('constant gradient: bias correction makes every step lr * g / (|g| + eps) (hand-derived)', () => {
    // m_t = (1 - b1^t) g, v_t = (1 - b2^t) g^2, so m_hat = g and sqrt(v_t) / sqrt(bc2) = |g|.
    const x = xs(run(adam, { lr: 0.1 }, { steps: 4, grad: seq(2), start: [1, 0] }));
    const d = (0.1 * 2) / (2 + 1e-8);
    expectClose(x, [1 - d, 1 - 2 * d, 1 - 3 * d, 1 - 4 * d]);
  });

  it('amsgrad divides by the running max of exp_avg_sq (hand-derived)', () => {
    // g = 1 then 0.01: v1 = 0.001, v2 = 0.999e-3 + 1e-3 * 1e-4 = 0.0009991 < v1, so max = 0.001.
    // m2 = 0.09 + 0.001 = 0.091; bc1 = 0.19, bc2 = 1 - 0.998001 = 0.001999.
    const go = (amsgrad: boolean): number[] =>
      xs(run(adam, { lr: 0.1, eps: 0, amsgrad }, { steps: 2, grad: seq(1, 0.01), start: [1, 0] }));
    const p1 = 0.9;
    const step2 = (v: number): number => p1 - ((0.1 / 0.19) * 0.091) / (Math.sqrt(v) / Math.sqrt(0.001999));
    expectClose(go(false), [p1, step2(0.0009991)]);
    expectClose(go(true), [p1, step2(0.001)]);
  });

  it('L2 weight decay goes into the gradient, decoupled decay scales p by 1 - lr * wd (hand-derived)', () => {
    const first = (d: OptimizerDef, over: Values): number =>
      xs(run(d, { lr: 0.1, eps: 0, ...over }, { steps: 1, grad: seq(2), start: [1, 0] }))[0]!;
    // L2: g = 2 + 0.1 * 1 = 2.1, first Adam step is lr * sign(g)
    expectClose([first(adam, { weight_decay: 0.1 })], [0.9]);
    // decoupled: p = 1 - 0.1 * 0.1 = 0.99, then 0.99 - 0.1
    expectClose([first(adam, { weight_decay: 0.1, decoupled_weight_decay: true })], [0.89]);
    // AdamW: always decoupled, weight_decay defaults to 0.01: 0.999 - 0.1
    expectClose([first(adamw, {})], [0.899]);
  });

  it('AdamW equals Adam(decoupled_weight_decay=True)', () => {
    for (const c of [{}, { amsgrad: true, weight_decay: 0.3, maximize: true }]) {
      const a = run(adamw, { lr: 0.02, ...c }, { steps: 8, grad: bowl });
      const b = run(adam, { lr: 0.02, weight_decay: 0.01, decoupled_weight_decay: true, ...c }, { steps: 8, grad: bowl });
      expectClose(flat(a), flat(b), 0);
    }
  });

  it('lr = 0 leaves the position unchanged (control)', () => {
    for (const o of OPTIMIZERS) {
      const over: Values = { lr: 0, weight_decay: 0.5 };
      if (o.params.some((p) => p.key === 'decoupled_weight_decay')) over['decoupled_weight_decay'] = true;
      const traj = run(o, over, { steps: 5, grad: bowl, start: [0.7, -0.3] });
      expect(flat(traj), o.id).toEqual([0.7, -0.3, 0.7, -0.3, 0.7, -0.3, 0.7, -0.3, 0.7, -0.3]);
    }
  });

  it('uses the beta1 handed to step(), not betas.0', () => {
    const cycled = run(adam, { lr: 0.05, betas: [0.9, 0.99] }, { steps: 6, grad: bowl, mom: () => 0.8 });
    const plain = run(adam, { lr: 0.05, betas: [0.8, 0.99] }, { steps: 6, grad: bowl });
    expectClose(flat(cycled), flat(plain), 0);
  });

  it('matches the float64 port of _single_tensor_adam for every flag combination', () => {
    for (const amsgrad of [false, true]) {
      for (const decoupled of [false, true]) {
        for (const maximize of [false, true]) {
          for (const betas of [
            [0.9, 0.999],
            [0.3, 0.9], // beta1 < 0.5 takes lerp's other branch
          ]) {
            const v: Values = { lr: 0.05, betas, weight_decay: 0.1, amsgrad, decoupled_weight_decay: decoupled, maximize };
            const h = { lr: 0.05, beta1: betas[0]!, beta2: betas[1]!, eps: 1e-8, weight_decay: 0.1, amsgrad, decoupled, maximize };
            const what = JSON.stringify(v);
            // amsgrad only differs when exp_avg_sq shrinks: a gradient that drops sharply
            const grad: GradFn = (p, t) => (t === 3 ? [1e-3, 1e-3] : bowl(p, t));
            const got = flat(run(adam, v, { steps: 6, grad }));
            const want = flat(refAdam(h, [1, -0.5], grad, 6));
            expect(() => expectClose(got, want), what).not.toThrow();
          }
        }
      }
    }
  });
});

describe('RAdam', () => {
  const radam = def('RAdam');

  it('takes un-rectified steps while rho_t <= 5 (t <= 5 for beta2 = 0.999), rectified after (hand-derived)', () => {
    // Constant g = 2: m_hat = g exactly, so each un-rectified step is lr * g = 0.02.
    const x = xs(run(radam, { lr: 0.01 }, { steps: 6, grad: seq(2), start: [1, 0] }));
    expectClose(x.slice(0, 5), [0.98, 0.96, 0.94, 0.92, 0.9]);
    // t = 6: rho_inf = 1999, rho_6 = 1999 - 12 * 0.999^6 / (1 - 0.999^6) = 5.99416…,
    // step = lr * m_hat * sqrt(bc2) / (sqrt(v) + eps) * rect with v = bc2 * g^2.
    const b6 = Math.pow(0.999, 6);
    const rho = 1999 - (12 * b6) / (1 - b6);
    expect(rho).toBeCloseTo(5.994164, 6);
    const rect = Math.sqrt(((rho - 4) * (rho - 2) * 1999) / (1995 * 1997 * rho));
    const bc2 = 1 - b6;
    const step6 = 0.01 * 2 * (Math.sqrt(bc2) / (Math.sqrt(bc2 * 4) + 1e-8)) * rect;
    expectClose([x[5]!], [0.9 - step6]);
    expect(rect).toBeCloseTo(0.025821, 6);
  });

  it('matches the float64 port of _single_tensor_radam, across the rho_t > 5 switch', () => {
    for (const c of [
      {},
      { weight_decay: 0.1 },
      { weight_decay: 0.1, decoupled_weight_decay: true, maximize: true },
      { betas: [0.3, 0.9] }, // rho_inf = 19: rectified from t = 3; lerp's other branch
      { betas: [0.9, 0.5] }, // rho_inf = 3: never rectified
    ] as Values[]) {
      const betas = (c['betas'] as number[] | undefined) ?? [0.9, 0.999];
      const h = {
        lr: 0.02,
        beta1: betas[0]!,
        beta2: betas[1]!,
        eps: 1e-8,
        weight_decay: 0,
        ...c,
        decoupled: c['decoupled_weight_decay'] === true,
      } as Hyper;
      const got = flat(run(radam, { lr: 0.02, ...c }, { steps: 40, grad: bowl }));
      expect(() => expectClose(got, flat(refRAdam(h, [1, -0.5], bowl, 40)), 1e-11), JSON.stringify(c)).not.toThrow();
    }
  });
});

describe('NAdam', () => {
  const nadam = def('NAdam');

  it('first step, with mu_t = beta1 (1 - 0.5 * 0.96^(t psi)) (hand-derived)', () => {
    // m1 = 0.1 g, v1 = 0.001 g^2, bc2 = 0.001, so denom = |g| (eps = 0) and with g = 2:
    // p1 = 1 - lr (1 - mu1) / (1 - mu1) * 1 - lr * mu2 / (1 - mu1 mu2) * 0.1
    const mu1 = 0.9 * (1 - 0.5 * Math.pow(0.96, 0.004));
    const mu2 = 0.9 * (1 - 0.5 * Math.pow(0.96, 0.008));
    const x = xs(run(nadam, { lr: 0.1, eps: 0 }, { steps: 1, grad: seq(2), start: [1, 0] }));
    expectClose(x, [1 - 0.1 - (0.1 * mu2 * 0.1) / (1 - mu1 * mu2)]);
  });

  it('keeps mu_product as state across steps', () => {
    // Recomputing mu_product from scratch each step would give the same first step but not the third.
    const traj = flat(run(nadam, { lr: 0.05, momentum_decay: 0.5 }, { steps: 3, grad: bowl }));
    const h = { lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0, momentum_decay: 0.5 } as Hyper;
    expectClose(traj, flat(refNAdam(h, [1, -0.5], bowl, 3)));
  });

  it('matches the float64 port of _single_tensor_nadam', () => {
    for (const c of [
      {},
      { weight_decay: 0.1 },
      { weight_decay: 0.1, decoupled_weight_decay: true, maximize: true },
      { momentum_decay: 0 },
      { betas: [0.3, 0.99], momentum_decay: 0.1 },
    ] as Values[]) {
      const betas = (c['betas'] as number[] | undefined) ?? [0.9, 0.999];
      const h = {
        lr: 0.02,
        beta1: betas[0]!,
        beta2: betas[1]!,
        eps: 1e-8,
        weight_decay: 0,
        momentum_decay: 4e-3,
        ...c,
        decoupled: c['decoupled_weight_decay'] === true,
      } as Hyper;
      const got = flat(run(nadam, { lr: 0.02, ...c }, { steps: 12, grad: bowl }));
      expect(() => expectClose(got, flat(refNAdam(h, [1, -0.5], bowl, 12))), JSON.stringify(c)).not.toThrow();
    }
  });
});

describe('float32 twin', () => {
  const cases: [string, Values][] = [
    ['SGD', { lr: 0.05, momentum: 0.9 }],
    ['SGD', { lr: 0.05, momentum: 0.9, nesterov: true, weight_decay: 0.01 }],
    ['Adagrad', { lr: 0.1, lr_decay: 0.01 }],
    ['RMSprop', { lr: 0.01 }],
    ['RMSprop', { lr: 0.01, centered: true, momentum: 0.5 }],
    ['Adam', { lr: 0.01 }],
    ['Adam', { lr: 0.01, amsgrad: true, weight_decay: 0.1 }],
    ['AdamW', { lr: 0.01 }],
    ['RAdam', { lr: 0.01 }],
    ['RAdam', { lr: 0.01, betas: [0.9, 0.99], weight_decay: 0.1, decoupled_weight_decay: true }],
    ['NAdam', { lr: 0.01 }],
  ];

  it('stays within 1e-6 relative of float64 on a benign bowl', () => {
    for (const [id, over] of cases) {
      const o = def(id);
      // Same float32 parameters on both sides, so only the arithmetic differs.
      const a = run(o, over, { steps: 30, grad: bowl, roundP: true, r: f64 });
      const b = run(o, over, { steps: 30, grad: bowl, roundP: true, r: f32 });
      let worst = 0;
      for (let t = 0; t < a.length; t++) {
        for (let k = 0; k < 2; k++) {
          const e = Math.abs(a[t]![k]! - b[t]![k]!) / Math.max(Math.abs(a[t]![k]!), 0.1);
          worst = Math.max(worst, e);
        }
      }
      expect(worst, `${id} ${JSON.stringify(over)}`).toBeLessThan(1e-6);
      // …and the f32 path really is f32.
      for (const p of b) expect(p.every((x) => f32(x) === x), id).toBe(true);
    }
  });

  /**
   * One step at step count T from fresh state (m = (1 - b1) g, v = (1 - b2) g^2) isolates the
   * per-step scalars (bias corrections, rho_t, mu_t), which torch computes in float64. The expected
   * displacement is the textbook float64 formula on the same float32 parameters.
   */
  function singleStep(id: string, over: Values, T: number, r: Round): number {
    const o = def(id);
    const v = values(o, over);
    const P = new Float64Array(P_COUNT);
    encodeParams(o.params, v, P, P_OPTIMIZER);
    for (let i = 0; i < P_COUNT; i++) P[i] = f32(P[i]!);
    const S = new Float64Array(STATE_LEN);
    o.init(r, P, S);
    const mom = f32(momentumOf(o, v));
    o.step(r, P, S, 1, 1, P[P_OPTIMIZER]!, mom, T, stepScalars(o, r, P, mom, T, new Float64Array(4)));
    return -S[0]!;
  }

  it('keeps the per-step scalars (bias corrections, rho_t, mu_t) accurate at any step count', () => {
    const lr = f32(0.01);
    const Ts = [1, 2, 3, 5, 6, 7, 10, 30, 100, 500, 999, 1000, 1001, 2000, 5000, 12345, 100000];
    const check = (what: string, got32: number, got64: number, want: number): void => {
      expect(Math.abs(got64 - want) / want, `${what} f64`).toBeLessThan(1e-11);
      expect(Math.abs(got32 - want) / want, `${what} f32`).toBeLessThan(2e-6);
    };
    for (const b2 of [0.99, 0.999, 0.9999]) {
      const [b1, b2f] = [f32(0.9), f32(b2)];
      const over: Values = { lr: 0.01, betas: [0.9, b2], eps: 0 };
      for (const T of Ts) {
        const bc1 = -Math.expm1(T * Math.log1p(b1 - 1));
        const bc2 = -Math.expm1(T * Math.log1p(b2f - 1));
        const m = 1 - b1;
        const v = 1 - b2f;
        const adam = ((lr / bc1) * m) / (Math.sqrt(v) / Math.sqrt(bc2));
        check(`Adam b2=${b2} T=${T}`, singleStep('Adam', over, T, f32), singleStep('Adam', over, T, f64), adam);

        const rhoInf = 2 / (1 - b2f) - 1;
        const rhoT = rhoInf - (2 * T * Math.exp(T * Math.log1p(b2f - 1))) / bc2;
        const radam =
          rhoT > 5
            ? (m / bc1) * lr * (Math.sqrt(bc2) / Math.sqrt(v)) *
              Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT))
            : (m / bc1) * lr;
        check(`RAdam b2=${b2} T=${T}`, singleStep('RAdam', over, T, f32), singleStep('RAdam', over, T, f64), radam);

        const psi = f32(4e-3);
        const mu = b1 * (1 - 0.5 * Math.pow(0.96, T * psi));
        const muNext = b1 * (1 - 0.5 * Math.pow(0.96, (T + 1) * psi));
        const denom = Math.sqrt(v / bc2);
        const nadam = (lr * (1 - mu)) / (1 - mu) / denom + (lr * muNext * m) / (1 - mu * muNext) / denom;
        check(`NAdam b2=${b2} T=${T}`, singleStep('NAdam', over, T, f32), singleStep('NAdam', over, T, f64), nadam);
      }
    }
  });

  it('computes 1 - beta^t to a few float32 ulps without cancellation', () => {
    for (const b of [0, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999].map(f32)) {
      for (const t of [1, 2, 3, 5, 6, 7, 10, 100, 1000, 4097, 10000, 100000]) {
        const exact = -Math.expm1(t * Math.log1p(b - 1)); // b - 1 is exact in f64
        const got = oneMinusPow(f32, b, t);
        expect(Math.abs(got - exact) / exact, `b=${b} t=${t}`).toBeLessThan(3e-7);
        expect(Math.abs(oneMinusPow(f64, b, t) - exact) / exact, `f64 b=${b} t=${t}`).toBeLessThan(1e-14);
      }
    }
  });

  it("lerp follows ATen's two formulas on either side of weight 0.5", () => {
    // f32: a + w (b - a) and b - (b - a)(1 - w) round differently; check each branch bit for bit.
    const a = f32(0.1);
    const b = f32(3.7);
    const wSmall = f32(0.3);
    const wLarge = f32(0.7);
    expect(lerp(f32, a, b, wSmall)).toBe(f32(a + f32(wSmall * f32(b - a))));
    expect(lerp(f32, a, b, wLarge)).toBe(f32(b - f32(f32(b - a) * f32(1 - wLarge))));
    expect(lerp(f64, 2, 4, 0.25)).toBe(2.5);
    expect(lerp(f64, 2, 4, 0.75)).toBe(3.5);
  });
});

describe('step scalars', () => {
  const withScalars = OPTIMIZERS.filter((o) => o.stepScalars);
  const refs: Record<string, (h: Hyper, p0: Vec, grad: GradFn, steps: number, beta1At?: Beta1At) => Vec[]> = {
    Adam: refAdam,
    AdamW: (h, p0, grad, steps, b1) => refAdam({ ...h, decoupled: true }, p0, grad, steps, b1),
    RAdam: refRAdam,
    NAdam: refNAdam,
  };

  it('exist where the step count costs a loop or a pow (Adam, AdamW, RAdam, NAdam), read beta1 as mom', () => {
    expect(withScalars.map((o) => o.id).sort()).toEqual(['Adam', 'AdamW', 'NAdam', 'RAdam']);
    for (const o of withScalars) {
      const ss = o.stepScalars!;
      expect(ss.usesMom, o.id).toBe(true);
      // Keys are slot paths of the schema (a sweep path is optimizer.<key>); beta1 comes as mom.
      const offsets = slotOffsets(o.params);
      for (const k of ss.params) expect(Object.keys(offsets), `${o.id}.${k}`).toContain(k);
      expect(ss.params, o.id).not.toContain('betas.0');
      expect(ss.params, o.id).not.toContain('lr');
    }
  });

  it('list every parameter compute() reads, and only those; mom is read iff usesMom', () => {
    const Ts = [1, 2, 3, 5, 6, 7, 10, 100, 1000];
    for (const o of withScalars) {
      const ss = o.stepScalars!;
      const offsets = slotOffsets(o.params);
      const listed = new Set(ss.params.map((k) => P_OPTIMIZER + offsets[k]!));
      for (const r of [f32, f64]) {
        const P = new Float64Array(P_COUNT);
        encodeParams(o.params, values(o), P, P_OPTIMIZER);
        for (let i = 0; i < P_COUNT; i++) P[i] = f32(P[i]!);
        const mom = f32(0.9);
        const outputs = (Q: Float64Array, m: number): number[] =>
          Ts.flatMap((t) => [...stepScalars(o, r, Q, m, t, new Float64Array(4))]);
        const base = outputs(P, mom);
        // compute() writes all four slots (unused ones as 0), so a table row and a fresh call agree.
        expect(base.every((x) => Number.isFinite(x)), o.id).toBe(true);
        const same = (a: number[]): boolean => a.every((x, i) => Object.is(x, base[i]));
        for (let i = 0; i < P_COUNT; i++) {
          const Q = P.slice();
          // Stays a legal value for betas.1 (0.999 -> 0.7495) and momentum_decay; lr 1e-3 -> 0.2505.
          Q[i] = f32(P[i]! * 0.5 + 0.25);
          expect(same(outputs(Q, mom)), `${o.id} slot ${i} (${listed.has(i) ? 'listed' : 'not listed'})`).toBe(!listed.has(i));
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

  it('computed each step and fed to step(), follow the float64 port of torch, also with beta1 cycled per step', () => {
    // A momentum-cycling scheduler (CyclicLR, OneCycleLR) sets beta1 each step; torch's bias
    // correction 1 - beta1^t and NAdam's mu_t then use the beta1 in force at step t.
    const cycled = (t: number): number => 0.85 + 0.1 * Math.cos(t / 3);
    for (const o of withScalars) {
      const ref = refs[o.id]!;
      for (const c of [
        {},
        { betas: [0.3, 0.99], weight_decay: 0.1 },
        { betas: [0.9, 0.9999] },
        { betas: [0.95, 0.9], momentum_decay: 0.2 },
      ] as Values[]) {
        const over: Values = { lr: 0.02, ...c };
        if (o.id === 'NAdam' && c['momentum_decay'] === undefined) over['momentum_decay'] = 4e-3;
        const v = values(o, over);
        const betas = v['betas'] as number[];
        const h = {
          lr: 0.02,
          beta1: betas[0]!,
          beta2: betas[1]!,
          eps: v['eps'] as number,
          weight_decay: v['weight_decay'] as number,
          momentum_decay: (v['momentum_decay'] as number | undefined) ?? 0,
          decoupled: v['decoupled_weight_decay'] === true,
        } as Hyper;
        for (const beta1At of [undefined, cycled]) {
          const what = `${o.id} ${JSON.stringify(over)}${beta1At ? ' cycled' : ''}`;
          const got = flat(run(o, over, { steps: 60, grad: bowl, ...(beta1At ? { mom: beta1At } : {}) }));
          expect(() => expectClose(got, flat(ref(h, [1, -0.5], bowl, 60, beta1At)), 1e-11), what).not.toThrow();
        }
      }
    }
  });
});

describe('WGSL twins', () => {
  for (const o of OPTIMIZERS) {
    it(`${o.wgsl} defines exactly opt_init/opt_step_scalars/opt_step and reads only ${o.id}'s slots and flags`, () => {
      const src = wgslSource(`optimizers/${o.wgsl}`);
      const fns = [...src.matchAll(/\bfn\s+(\w+)\s*\(([^)]*)\)/g)];
      const names = fns.map((m) => m[1]!);
      const entry = ['opt_init', 'opt_step_scalars', 'opt_step'];
      for (const e of entry) expect(names.filter((x) => x === e), e).toHaveLength(1);
      expect(src).toMatch(/fn opt_init\(\)\s*\{/);
      expect(src).toMatch(/fn opt_step_scalars\(mom: f32, t: f32\) -> vec4f\s*\{/);
      expect(src).toMatch(/fn opt_step\(g: vec2f, lr: f32, mom: f32, t: f32, sc: vec4f\)\s*\{/);
      for (const x of names) if (!entry.includes(x)) expect(x.startsWith(`${o.id}_`), x).toBe(true);

      const numeric = new Set<string>();
      const flags = new Set<string>();
      const offsets = slotOffsets(o.params);
      for (const p of o.params as readonly ParamSchema[]) {
        if (p.kind === 'bool' || p.kind === 'enum') flags.add(`${o.id}_${p.key}`);
        else for (const path of Object.keys(offsets)) if (path === p.key || path.startsWith(`${p.key}.`)) numeric.add(`${o.id}_${path.replace(/\./g, '_')}`);
      }
      for (const m of src.matchAll(/param\((\w+)\)/g)) expect(numeric.has(m[1]!), m[1]).toBe(true);
      for (const m of src.matchAll(new RegExp(`\\b${o.id}_\\w+`, 'g'))) {
        const name = m[0];
        const isHelper = names.includes(name);
        expect(isHelper || numeric.has(name) || flags.has(name), name).toBe(true);
      }
      // Every flag that changes the rule is branched on (AdamW's decoupling is fixed).
      for (const flag of flags) expect(src, flag).toMatch(new RegExp(`if ${flag}\\b`));
      // The base LR and momentum come as arguments; reading them from P would ignore schedules.
      expect(src).not.toMatch(new RegExp(`param\\(${o.id}_lr\\)`));
      if (o.momentumParam) expect(src).not.toMatch(new RegExp(`param\\(${o.id}_${o.momentumParam.replace('.', '_')}\\)`));
    });

    it(`${o.wgsl}: opt_step_scalars reads what stepScalars declares; opt_step reads sc and recomputes nothing`, () => {
      const src = wgslSource(`optimizers/${o.wgsl}`);
      const scalars = fnBody(src, 'opt_step_scalars')!;
      const step = fnBody(src, 'opt_step')!;
      const ss = o.stepScalars;
      if (!ss) {
        expect(scalars.replace(/\s+/g, ' ').trim()).toBe('return vec4f(0.0);');
        expect(step).not.toMatch(/\bsc\b/);
        return;
      }
      // Parameters read by the scalars function, directly or through helpers it calls.
      const reach = reachOf(src, scalars, o.id);
      const read = new Set([...reach.matchAll(/param\((\w+)\)/g)].map((m) => m[1]!));
      expect([...read].sort()).toEqual(ss.params.map((k) => `${o.id}_${k.replace(/\./g, '_')}`).sort());
      expect(/\bmom\b/.test(scalars)).toBe(ss.usesMom);
      expect(/\bt\b/.test(scalars)).toBe(true);
      // The step reads the scalars and none of the per-step work moved out of it.
      expect(step).toMatch(/\bsc\.[xyzw]\b/);
      const stepReach = reachOf(src, step, o.id);
      expect(stepReach).not.toMatch(/\b(loop|for|while|pow|exp|exp2|log|log2|opt_step_scalars)\b/);
      expect(step).not.toMatch(/\bt\b/);
    });

    // SGD's branches are its fast path's (on constants) and the buffer's creation, kept deliberately.
    if (o.id !== 'SGD') {
      it(`${o.wgsl}: opt_step branches only on override flags (selects where a value may differ per run)`, () => {
        const src = wgslSource(`optimizers/${o.wgsl}`);
        const step = fnBody(src, 'opt_step')!;
        const reach = reachOf(src, step, o.id);
        for (const m of reach.matchAll(/\bif\s+([^{]*)\{/g)) expect(m[1]!.trim(), o.id).toMatch(new RegExp(`^${o.id}_\\w+$`));
      });
    }
  }
});

describe('step scalars on the GPU', () => {
  it('count is exactly the components of sc each WGSL opt_step reads, x first (the kernel loads only those)', () => {
    let withScalars = 0;
    for (const o of ALL_OPTIMIZERS) {
      const src = wgslSource(`optimizers/${o.wgsl}`);
      const used = new Set([...src.matchAll(/\bsc\.([xyzw])\b/g)].map((m) => m[1]));
      if (!o.stepScalars) {
        expect([...used], o.id).toEqual([]);
        continue;
      }
      withScalars++;
      expect([...used].sort().join(''), o.id).toBe('xyzw'.slice(0, o.stepScalars.count).split('').sort().join(''));
    }
    expect(withScalars).toBeGreaterThanOrEqual(9);
  });
});
