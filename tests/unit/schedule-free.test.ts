/**
 * Schedule-Free SGD and AdamW (Defazio et al. 2024) after facebookresearch/schedule_free's
 * sgd_schedulefree.py and adamw_schedulefree.py (non-foreach branch): schemas (names, defaults and
 * checks of the reference), update rules against numbers derived by hand and against independent
 * float64 ports of the reference's step loop and eval() (written here from the Python, sharing no
 * code with the entries), the gradient taken at y (pair 1) by the CPU engine, the per-step scalars,
 * the float32 twin against float64, and the WGSL twins' contract.
 */
// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT) or S (length STATE_LEN), checked by tests.
import { describe, expect, it } from 'vitest';
import { P_COUNT, P_OPTIMIZER, P_OPTIMIZER_SIZE, STATE_LEN, STATE_VEC2 } from '../../src/core/layout.ts';
import { makePlan } from '../../src/core/plan.ts';
import type { NumberParam, ParamValue, TupleParam } from '../../src/core/params.ts';
import { blockSize, encodeParams, inRange, slotOffsets } from '../../src/core/params.ts';
import { CATALOGUE_OPTIMIZERS, OPTIMIZERS } from '../../src/core/registry/optimizers/index.ts';
import type { OptimizerDef, Round } from '../../src/core/registry/types.ts';
import { parseSpec } from '../../src/core/spec.ts';
import { recordTrajectory } from '../../src/engine/cpu/kernel.ts';
import { fnBody, reachOf, wgslSource } from './wgsl-source.ts';

const f64: Round = (x) => x;
const f32: Round = Math.fround;

type Vec = [number, number];
type Values = Record<string, ParamValue>;
type GradFn = (p: Vec, t: number) => Vec;

const IDS = ['SGDScheduleFree', 'AdamWScheduleFree'] as const;

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
  return (v['betas'] as readonly number[])[0]!;
}

/** stepScalars.compute for this (P, mom, t); NaN-filled so that unwritten slots show. */
function stepScalars(d: OptimizerDef, r: Round, P: Float64Array, mom: number, t: number, sc: Float64Array): Float64Array {
  sc.fill(Number.NaN);
  d.stepScalars?.compute(r, P, mom, t, sc);
  return sc;
}

/** x (pair 0, reported), y (pair 1, where the gradient is taken) and z (pair 2) after a step. */
interface Iterates {
  x: Vec;
  y: Vec;
  z: Vec;
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
}

/**
 * Drives an optimiser the way the engine does: the gradient at pair `gradSlot` (y), the scalars from
 * stepScalars.compute, then step(); returns x, y, z after each step.
 */
function run(d: OptimizerDef, over: Values, o: RunOptions): Iterates[] {
  const r = o.r ?? f64;
  const v = values(d, over);
  const P = new Float64Array(P_COUNT);
  encodeParams(d.params, v, P, P_OPTIMIZER);
  if (o.roundP) for (let i = 0; i < P_COUNT; i++) P[i] = f32(P[i]!);
  const S = new Float64Array(STATE_LEN).fill(123); // init() must overwrite every slot it uses
  const start = o.start ?? [1, -0.5];
  S[0] = r(start[0]);
  S[1] = r(start[1]);
  d.init(r, P, S);
  const gs = 2 * d.gradSlot!;
  const out: Iterates[] = [];
  const sc = new Float64Array(4);
  for (let t = 1; t <= o.steps; t++) {
    const g = o.grad([S[gs]!, S[gs + 1]!], t);
    const mom = o.mom ? o.mom(t) : o.roundP ? f32(momentumOf(d, v)) : momentumOf(d, v);
    const lr = o.lrAt ? o.lrAt(t) : P[P_OPTIMIZER]!;
    stepScalars(d, r, P, mom, t, sc);
    d.step(r, P, S, r(g[0]), r(g[1]), lr, mom, o.stepT ? o.stepT(t) : t, sc);
    out.push({ x: [S[0]!, S[1]!], y: [S[2]!, S[3]!], z: [S[4]!, S[5]!] });
  }
  return out;
}

/** Fixed gradient sequence: step t (1-based) gets seq[t - 1] in x and its negative in y. */
function seq(...gs: number[]): GradFn {
  return (_p, t) => {
    const g = gs[(t - 1) % gs.length]!;
    return [g, -g];
  };
}

/** A fixed, tilted, badly conditioned quadratic 0.5 x^2 + 2 y^2 + 0.25 x y. */
const bowl: GradFn = ([x, y]) => [x + 0.25 * y, 4 * y + 0.25 * x];

const flat = (traj: Iterates[]): number[] => traj.flatMap((s) => [...s.x, ...s.y, ...s.z]);
const xs = (traj: Iterates[]): number[] => traj.map((s) => s.x[0]);

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
// Independent float64 ports of the reference, written from the Python: the group dict (k, lr_max,
// weight_sum), p.data = y and state z (and exp_avg_sq) in train mode, a plain a + w (b - a) for
// lerp_, Math.pow for every `**`, and eval()'s x = lerp(y, z, 1 - 1/beta) taken after each step.

interface Hyper {
  lr: number;
  momentum: number; // beta1 for AdamW
  beta2: number;
  eps: number;
  weight_decay: number;
  warmup_steps: number;
  r: number;
  weight_lr_power: number;
}

interface RefOptions {
  /** group['lr'] before step t (a scheduler's value); default h.lr. */
  lrAt?: (t: number) => number;
  /** group['momentum'] / betas[0] before step t; default h.momentum. */
  momAt?: (t: number) => number;
}

function refScheduleFree(adam: boolean, h: Hyper, p0: Vec, grad: GradFn, steps: number, o: RefOptions = {}): Iterates[] {
  const group = { k: 0, lr_max: -1.0, weight_sum: 0.0 };
  const y = [...p0]; // p.data in train mode
  const z = [...p0]; // torch.clone(p.data) on the first step
  const expAvgSq = [0, 0];
  const out: Iterates[] = [];
  for (let t = 1; t <= steps; t++) {
    const groupLr = o.lrAt ? o.lrAt(t) : h.lr;
    const beta = o.momAt ? o.momAt(t) : h.momentum;
    const k = group.k;
    const sched = k < h.warmup_steps ? (k + 1) / h.warmup_steps : 1.0;
    let lr: number;
    if (adam) {
      const biasCorrection2 = 1 - Math.pow(h.beta2, k + 1);
      lr = groupLr * sched * Math.sqrt(biasCorrection2);
    } else {
      lr = groupLr * sched;
    }
    const lrMax = (group.lr_max = Math.max(lr, group.lr_max));
    const weight = Math.pow(k + 1, h.r) * Math.pow(lrMax, h.weight_lr_power);
    const weightSum = (group.weight_sum = group.weight_sum + weight);
    const ckp1 = weightSum === 0 ? 0 : weight / weightSum; // ZeroDivisionError -> 0
    const gRaw = grad([y[0]!, y[1]!], t);
    for (let i = 0; i < 2; i++) {
      let g = gRaw[i]!;
      if (adam) {
        expAvgSq[i] = expAvgSq[i]! * h.beta2 + (1 - h.beta2) * g * g;
        const denom = Math.sqrt(expAvgSq[i]!) + h.eps;
        g = g / denom;
      }
      if (h.weight_decay !== 0) g = g + h.weight_decay * y[i]!;
      y[i] = y[i]! + ckp1 * (z[i]! - y[i]!);
      y[i] = y[i]! + lr * (beta * (1 - ckp1) - 1) * g;
      z[i] = z[i]! - lr * g;
    }
    group.k = k + 1;
    const w = 1 - 1 / beta;
    const x = [0, 1].map((i) => y[i]! + w * (z[i]! - y[i]!));
    out.push({ x: [x[0]!, x[1]!], y: [y[0]!, y[1]!], z: [z[0]!, z[1]!] });
  }
  return out;
}

const SGD_DEFAULTS: Hyper = { lr: 1.0, momentum: 0.9, beta2: 0, eps: 0, weight_decay: 0, warmup_steps: 0, r: 0, weight_lr_power: 2 };
const ADAMW_DEFAULTS: Hyper = { lr: 0.0025, momentum: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0, warmup_steps: 0, r: 0, weight_lr_power: 2 };

/** Spec values and reference hyperparameters for one setting. */
function setting(id: string, over: Partial<Hyper>): { v: Values; h: Hyper } {
  if (id === 'SGDScheduleFree') {
    const h = { ...SGD_DEFAULTS, ...over };
    const v: Values = { lr: h.lr, momentum: h.momentum, weight_decay: h.weight_decay, warmup_steps: h.warmup_steps, r: h.r, weight_lr_power: h.weight_lr_power };
    return { v, h };
  }
  const h = { ...ADAMW_DEFAULTS, ...over };
  const v: Values = {
    lr: h.lr,
    betas: [h.momentum, h.beta2],
    eps: h.eps,
    weight_decay: h.weight_decay,
    warmup_steps: h.warmup_steps,
    r: h.r,
    weight_lr_power: h.weight_lr_power,
  };
  return { v, h };
}

// ---------------------------------------------------------------------------------------------

describe('Schedule-Free entries', () => {
  it('are registered in the catalogue, lr first, with x in pair 0, the gradient at pair 1 and state that fits', () => {
    for (const id of IDS) {
      const o = def(id);
      expect(CATALOGUE_OPTIMIZERS, id).toContain(o);
      expect(o.params[0]!.key, id).toBe('lr');
      expect(o.gradSlot, id).toBe(1);
      expect(blockSize(o.params), id).toBeLessThanOrEqual(P_OPTIMIZER_SIZE);
      // SWA (slot 7) still fits: spec.ts rejects swa when stateSlots > STATE_VEC2 - 2.
      expect(o.stateSlots, id).toBeLessThanOrEqual(STATE_VEC2 - 2);
      expect(o.wgsl, id).toBe(`${id}.wgsl`);
      expect(o.doc, id).toMatch(/gradient is taken at y/);
      expect(o.doc, id).toMatch(/reports x/);
      for (const p of o.params) {
        expect(p.doc.length, `${id}.${p.key}`).toBeGreaterThan(10);
        expect(p.doc, `${id}.${p.key}`).not.toMatch(/\n/);
      }
    }
    expect(def('SGDScheduleFree').stateSlots).toBe(3);
    expect(def('AdamWScheduleFree').stateSlots).toBe(4);
    expect(def('SGDScheduleFree').reference).toMatch(/^schedulefree\/sgd_schedulefree\.py \(facebookresearch\/schedule_free, SGDScheduleFree\.step, non-foreach/);
    expect(def('AdamWScheduleFree').reference).toMatch(/^schedulefree\/adamw_schedulefree\.py \(facebookresearch\/schedule_free, AdamWScheduleFree\.step, non-foreach/);
  });

  it('init: y = z = x = the start point, lr_max = -1, weight_sum = 0 (and exp_avg_sq = 0), the rest untouched', () => {
    for (const id of IDS) {
      const o = def(id);
      const P = new Float64Array(P_COUNT);
      encodeParams(o.params, values(o), P, P_OPTIMIZER);
      const S = new Float64Array(STATE_LEN).fill(123);
      S[0] = 0.25;
      S[1] = -3;
      o.init(f32, P, S);
      const want = [0.25, -3, 0.25, -3, 0.25, -3, -1, 0];
      if (id === 'AdamWScheduleFree') want.push(0, 0);
      expect([...S.slice(0, want.length)], id).toEqual(want);
      expect([...S.slice(want.length)].every((x) => x === 123), id).toBe(true);
    }
  });

  it('name the parameter a momentum-cycling scheduler drives', () => {
    expect(def('SGDScheduleFree').momentumParam).toBe('momentum');
    expect(def('AdamWScheduleFree').momentumParam).toBe('betas.0');
  });

  it("default every parameter to the reference constructor's default, in its argument order", () => {
    // Copied from the __init__ signatures (foreach, a code path, is not modelled).
    const reference: Record<string, Values> = {
      SGDScheduleFree: { lr: 1.0, momentum: 0.9, weight_decay: 0, warmup_steps: 0, r: 0.0, weight_lr_power: 2 },
      AdamWScheduleFree: { lr: 0.0025, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, warmup_steps: 0, r: 0.0, weight_lr_power: 2.0 },
    };
    for (const id of IDS) {
      expect(values(def(id)), id).toEqual(reference[id]);
      expect(def(id).params.map((p) => p.key), id).toEqual(Object.keys(reference[id]!));
    }
    expect(def('SGDScheduleFree').params.find((p) => p.key === 'warmup_steps')!.kind).toBe('int');
  });

  it("accept and reject what the reference accepts and rejects", () => {
    const numeric = (o: OptimizerDef, key: string): NumberParam | TupleParam => {
      const p = o.params.find((q) => q.key === key);
      if (!p || (p.kind !== 'number' && p.kind !== 'int' && p.kind !== 'tuple')) throw new Error(`${o.id}.${key}`);
      return p;
    };
    const ok = (id: string, key: string, x: number): boolean => inRange(x, numeric(def(id), key));
    // SGDScheduleFree: "Invalid learning rate", "Invalid weight_decay value", "Momentum must be
    // between 0 and 1 exclusive".
    expect(ok('SGDScheduleFree', 'lr', -1e-9)).toBe(false);
    expect(ok('SGDScheduleFree', 'lr', 0)).toBe(true);
    expect(ok('SGDScheduleFree', 'weight_decay', -1e-9)).toBe(false);
    expect(ok('SGDScheduleFree', 'weight_decay', 0)).toBe(true);
    expect(ok('SGDScheduleFree', 'momentum', 0)).toBe(false);
    expect(ok('SGDScheduleFree', 'momentum', 1)).toBe(false);
    expect(ok('SGDScheduleFree', 'momentum', 1e-6)).toBe(true);
    expect(ok('SGDScheduleFree', 'momentum', 0.999999)).toBe(true);
    // Unchecked by both references.
    for (const id of IDS) {
      expect(ok(id, 'warmup_steps', -3), id).toBe(true);
      expect(ok(id, 'r', -0.5), id).toBe(true);
      expect(ok(id, 'weight_lr_power', -1), id).toBe(true);
      expect(ok(id, 'weight_lr_power', 0), id).toBe(true);
    }
    // AdamWScheduleFree's constructor checks nothing; basinlab keeps lr >= 0 (a negative lr_max to
    // a real power) and validate() names what makes the reference itself raise.
    expect(ok('AdamWScheduleFree', 'lr', -1e-9)).toBe(false);
    expect(ok('AdamWScheduleFree', 'weight_decay', -0.1)).toBe(true);
    expect(ok('AdamWScheduleFree', 'eps', -1e-9)).toBe(true);
    expect(ok('AdamWScheduleFree', 'betas', 1.5)).toBe(true);
    const adamw = def('AdamWScheduleFree');
    const check = (betas: number[]): string[] => adamw.validate?.(values(adamw, { betas })) ?? [];
    expect(check([0.9, 0.999])).toEqual([]);
    expect(check([1, 1])).toEqual([]);
    expect(check([-0.5, -1])).toEqual([]);
    const b0 = check([0, 0.999]);
    expect(b0).toHaveLength(1);
    expect(b0[0]).toMatch(/^betas: .*beta1 = 0.*ZeroDivisionError/);
    for (const b2 of [1.01, -1.5]) {
      const m = check([0.9, b2]);
      expect(m, String(b2)).toHaveLength(1);
      expect(m[0]).toMatch(/^betas: .*math domain error/);
    }
    expect(def('SGDScheduleFree').validate).toBeUndefined();
  });
});

describe('SGDScheduleFree', () => {
  const o = def('SGDScheduleFree');

  it('first steps (hand-derived): x is the lr_max^2-weighted average of the z iterates, y sits between', () => {
    // lr 0.1, momentum 0.9, g = 1 then 2 (x coordinate), start 1. Step 1: ckp1 = 1, so y = z = x = 1 - 0.1.
    // Step 2: ckp1 = 1/2; y = 0.9 + 0.1 * (0.9 * 0.5 - 1) * 2 = 0.79, z = 0.9 - 0.2 = 0.7,
    // x = lerp(0.79, 0.7, 1 - 1/0.9) = 0.8 = (z1 + z2) / 2.
    const traj = run(o, { lr: 0.1 }, { steps: 2, grad: seq(1, 2), start: [1, -1] });
    expectClose(flat(traj), [0.9, -0.9, 0.9, -0.9, 0.9, -0.9, 0.8, -0.8, 0.79, -0.79, 0.7, -0.7]);
    // warmup_steps = 2: lr 0.05 then 0.1; weights 0.0025, 0.01, so ckp1 = 0.8 on step 2:
    // z2 = 0.95 - 0.2 = 0.75, x2 = 0.2 * 0.95 + 0.8 * 0.75 = 0.79, y2 = 0.95 + 0.1 * (0.18 - 1) * 2 = 0.786.
    const w = run(o, { lr: 0.1, warmup_steps: 2 }, { steps: 2, grad: seq(1, 2), start: [1, -1] });
    expectClose([...w[0]!.x, ...w[1]!.x, ...w[1]!.y, ...w[1]!.z], [0.95, -0.95, 0.79, -0.79, 0.786, -0.786, 0.75, -0.75]);
    // weight_decay 0.5 at y = 1: g = 1.5 on step 1.
    expectClose(xs(run(o, { lr: 0.1, weight_decay: 0.5 }, { steps: 1, grad: seq(1), start: [1, -1] })), [0.85]);
  });

  it('with a constant LR, x is the uniform average of z_1 … z_t (r = 0) or the (k+1)^r-weighted one', () => {
    for (const r of [0, 1]) {
      const traj = run(o, { lr: 0.05, r }, { steps: 30, grad: bowl });
      let num0 = 0;
      let num1 = 0;
      let den = 0;
      traj.forEach((s, i) => {
        const w = Math.pow(i + 1, r);
        num0 += w * s.z[0];
        num1 += w * s.z[1];
        den += w;
        expectClose([...s.x], [num0 / den, num1 / den], 1e-12);
      });
    }
  });

  it('uses the momentum handed to step(), not the parameter', () => {
    const cycled = run(o, { lr: 0.1, momentum: 0.9 }, { steps: 8, grad: bowl, mom: () => 0.5 });
    const plain = run(o, { lr: 0.1, momentum: 0.5 }, { steps: 8, grad: bowl });
    expect(flat(cycled)).toEqual(flat(plain));
  });
});

describe('AdamWScheduleFree', () => {
  const o = def('AdamWScheduleFree');

  it('first step moves z, y and x by lr * sign(g) with eps = 0 (hand-derived)', () => {
    // v = (1 - b2) g^2, d = g / (sqrt(1 - b2) |g|), the LR carries sqrt(1 - b2): z = p - lr sign(g);
    // ckp1 = 1, so y = z and x = z.
    const traj = run(o, { lr: 0.1, eps: 0 }, { steps: 1, grad: seq(3), start: [1, -1] });
    expectClose(flat(traj), [0.9, -0.9, 0.9, -0.9, 0.9, -0.9]);
    // With the default eps, the step is lr * sqrt(1 - b2) |g| / (sqrt(1 - b2) |g| + eps).
    const s = Math.sqrt(1 - 0.999) * 3;
    expectClose(xs(run(o, { lr: 0.1 }, { steps: 1, grad: seq(3), start: [1, -1] })), [1 - (0.1 * s) / (s + 1e-8)]);
    // Weight decay is added after the normalisation, d = g / (sqrt(1 - b2) |g|) + 0.5 y, and the step
    // is lr sqrt(1 - b2) d, so the decay term moves by 0.1 * sqrt(0.001) * 0.5 on top of lr.
    const wd = run(o, { lr: 0.1, eps: 0, weight_decay: 0.5 }, { steps: 1, grad: seq(3), start: [1, -1] });
    expectClose(xs(wd), [0.9 - 0.1 * Math.sqrt(0.001) * 0.5]);
  });

  it('second step (hand-derived): ckp1 from lr_max = lr sqrt(1 - b2^2), y between z and x', () => {
    // eps 0, b1 0.9, b2 0.5, lr 0.1, g = 1 then 2: lr1 = 0.1 sqrt(0.5), lr2 = 0.1 sqrt(0.75) = lr_max,
    // ckp1 = 0.0075 / (0.005 + 0.0075) = 0.6. v2 = 0.5 * 0.5 + 0.5 * 4 = 2.25, d2 = 2 / 1.5 = 4/3.
    // z1 = 0.9; z2 = 0.9 - lr2 * 4/3; y1 = 0.9; y2 = 0.9 + lr2 (0.9 * 0.4 - 1) 4/3; x2 = 0.4 x1 + 0.6 z2.
    const lr2 = 0.1 * Math.sqrt(0.75);
    const z2 = 0.9 - (lr2 * 4) / 3;
    const y2 = 0.9 + (lr2 * (0.36 - 1) * 4) / 3;
    const s = run(o, { lr: 0.1, eps: 0, betas: [0.9, 0.5] }, { steps: 2, grad: seq(1, 2), start: [1, -1] })[1]!;
    expectClose([s.x[0], s.y[0], s.z[0]], [0.4 * 0.9 + 0.6 * z2, y2, z2]);
  });

  it('uses the beta1 handed to step(), not betas.0', () => {
    const cycled = run(o, { lr: 0.05, betas: [0.9, 0.99] }, { steps: 8, grad: bowl, mom: () => 0.6 });
    const plain = run(o, { lr: 0.05, betas: [0.6, 0.99] }, { steps: 8, grad: bowl });
    expect(flat(cycled)).toEqual(flat(plain));
  });
});

describe('both, against the float64 port of the reference step loop and eval()', () => {
  const SETTINGS: Record<string, Partial<Hyper>[]> = {
    SGDScheduleFree: [
      { lr: 0.1 },
      { lr: 0.1, warmup_steps: 20 },
      { lr: 0.1, r: 0.5 },
      { lr: 0.05, weight_decay: 0.1 },
      { lr: 0.1, weight_lr_power: 0 },
      { lr: 0.2, momentum: 0.5 }, // 1 - 1/beta = -1: lerp's other branch in eval()
      { lr: 0.1, momentum: 0.3, warmup_steps: 7, r: 1.5, weight_decay: 0.05, weight_lr_power: 1 },
    ],
    AdamWScheduleFree: [
      {},
      { lr: 0.05 },
      { lr: 0.05, warmup_steps: 20 },
      { lr: 0.05, r: 0.5 },
      { lr: 0.02, weight_decay: 0.1 },
      { lr: 0.05, weight_lr_power: 0 },
      { lr: 0.02, momentum: 0.5, beta2: 0.99, eps: 1e-3 },
      { lr: 0.1, momentum: 0.2, beta2: 0.99, warmup_steps: 5, r: 2, weight_decay: 0.01, weight_lr_power: 3 },
    ],
  };

  for (const id of IDS) {
    it(`${id}: x, y and z over 100 steps on a quadratic, gradients at y`, () => {
      for (const over of SETTINGS[id]!) {
        const { v, h } = setting(id, over);
        const got = flat(run(def(id), v, { steps: 100, grad: bowl }));
        const want = flat(refScheduleFree(id === 'AdamWScheduleFree', h, [1, -0.5], bowl, 100));
        expect(() => expectClose(got, want, 1e-12), `${id} ${JSON.stringify(over)}`).not.toThrow();
      }
    });

    it(`${id}: a scheduled LR (lr_max grows, then holds while the LR decays) and a cycled beta`, () => {
      const lrAt = (t: number): number => 0.08 * Math.min(t / 15, 1) * (t > 40 ? 0.5 : 1);
      const momAt = (t: number): number => 0.85 + 0.1 * Math.sin(t / 7);
      const { v, h } = setting(id, { lr: 0.08, warmup_steps: 3, r: 0.25 });
      const got = flat(run(def(id), v, { steps: 100, grad: bowl, lrAt, mom: momAt }));
      const want = flat(refScheduleFree(id === 'AdamWScheduleFree', h, [1, -0.5], bowl, 100, { lrAt, momAt }));
      expectClose(got, want, 1e-12);
    });

    it(`${id}: the control fails: a gradient taken at x instead of y is another trajectory`, () => {
      const { v, h } = setting(id, { lr: id === 'SGDScheduleFree' ? 0.1 : 0.05 });
      const want = flat(refScheduleFree(id === 'AdamWScheduleFree', h, [1, -0.5], bowl, 30));
      const atX = { ...def(id), gradSlot: 0 };
      expect(() => expectClose(flat(run(atX, v, { steps: 30, grad: bowl })), want, 1e-6)).toThrow();
    });
  }

  it('lr = 0 leaves x, y and z unchanged (weight 0, ckp1 = 0 from the ZeroDivisionError branch)', () => {
    for (const id of IDS) {
      const traj = run(def(id), { lr: 0, weight_decay: 0.5 }, { steps: 5, grad: bowl, start: [0.7, -0.3] });
      for (const s of traj) expect([...s.x, ...s.y, ...s.z], id).toEqual([0.7, -0.3, 0.7, -0.3, 0.7, -0.3]);
    }
  });
});

describe('the CPU engine takes the gradient at y (pair 1) and reports x (pair 0)', () => {
  // quadratic with angle 0: grad = (a x, b y) exactly.
  const quad: GradFn = ([x, y]) => [x, 4 * y];
  for (const id of IDS) {
    it(`${id}: a float64 trajectory follows the reference's eval() point`, () => {
      const over: Partial<Hyper> = id === 'SGDScheduleFree' ? { lr: 0.1, warmup_steps: 5 } : { lr: 0.05, warmup_steps: 5 };
      const { v, h } = setting(id, over);
      const spec = {
        surface: { name: 'quadratic', a: 1, b: 4, angle: 0 },
        optimizer: { name: id, ...v },
        start: [1, -0.5],
        steps: 60,
      };
      const t = recordTrajectory(makePlan(parseSpec(spec)), 'f64', 0);
      const want = refScheduleFree(id === 'AdamWScheduleFree', h, [1, -0.5], quad, 60);
      expectClose(
        Array.from(t.x.subarray(1)).flatMap((x, i) => [x, t.y[i + 1]!]),
        want.flatMap((s) => [...s.x]),
        1e-12,
      );
    });
  }
});

describe('step scalars', () => {
  it('are step-count-only: warmup factor and (k+1)^r (and sqrt(1 - beta2^(k+1)) for AdamW), not mom', () => {
    expect(def('SGDScheduleFree').stepScalars!.params).toEqual(['warmup_steps', 'r']);
    expect([...def('AdamWScheduleFree').stepScalars!.params].sort()).toEqual(['betas.1', 'r', 'warmup_steps']);
    for (const id of IDS) expect(def(id).stepScalars!.usesMom, id).toBe(false);
  });

  it('list every parameter compute() reads, and only those; mom is not read', () => {
    const Ts = [1, 2, 3, 5, 10, 100, 1000];
    for (const id of IDS) {
      const o = def(id);
      const ss = o.stepScalars!;
      const offsets = slotOffsets(o.params);
      const listed = new Set(ss.params.map((k) => P_OPTIMIZER + offsets[k]!));
      for (const r of [f32, f64]) {
        const P = new Float64Array(P_COUNT);
        // Non-default warmup_steps and r so that the perturbation below changes their outputs too.
        encodeParams(o.params, values(o, { warmup_steps: 4, r: 0.5 }), P, P_OPTIMIZER);
        for (let i = 0; i < P_COUNT; i++) P[i] = f32(P[i]!);
        const outputs = (Q: Float64Array, m: number): number[] => Ts.flatMap((t) => [...stepScalars(o, r, Q, m, t, new Float64Array(4))]);
        const base = outputs(P, f32(0.9));
        expect(base.every((x) => Number.isFinite(x)), id).toBe(true);
        const same = (a: number[]): boolean => a.every((x, i) => Object.is(x, base[i]));
        for (let i = 0; i < P_COUNT; i++) {
          const Q = P.slice();
          Q[i] = f32(P[i]! + 1); // warmup 4 -> 5, r 0.5 -> 1.5, betas.1 0.999 -> 1.999 (NaN: still a change)
          expect(same(outputs(Q, f32(0.9))), `${id} slot ${i} (${listed.has(i) ? 'listed' : 'not listed'})`).toBe(!listed.has(i));
        }
        expect(same(outputs(P, f32(0.5))), `${id} mom`).toBe(true);
      }
    }
  });

  it('hold the warmup factor, (k+1)^r and sqrt(1 - beta2^(k+1)) in their slots', () => {
    const P = new Float64Array(P_COUNT);
    const a = def('AdamWScheduleFree');
    encodeParams(a.params, values(a, { warmup_steps: 4, r: 0.5, betas: [0.9, 0.99] }), P, P_OPTIMIZER);
    for (const t of [1, 4, 5, 9]) {
      const sc = stepScalars(a, f64, P, 0.9, t, new Float64Array(4));
      expectClose([...sc], [t <= 4 ? t / 4 : 1, Math.sqrt(1 - Math.pow(0.99, t)), Math.pow(t, 0.5), 0], 1e-14);
    }
    const s = def('SGDScheduleFree');
    encodeParams(s.params, values(s, { warmup_steps: 3, r: 2 }), P, P_OPTIMIZER);
    for (const t of [1, 3, 4]) {
      expectClose([...stepScalars(s, f64, P, 0.9, t, new Float64Array(4))], [t <= 3 ? t / 3 : 1, t * t, 0, 0]);
    }
  });

  it('carry all of the step count: step() given a wrong t but the right scalars takes the same steps', () => {
    for (const id of IDS) {
      for (const r of [f32, f64]) {
        const go = (stepT?: (t: number) => number): number[] =>
          flat(run(def(id), { lr: 0.05, warmup_steps: 10, r: 0.5 }, { steps: 40, grad: bowl, r, ...(stepT ? { stepT } : {}) }));
        expect(go((t) => 7 * t + 3), id).toEqual(go());
      }
    }
  });
});

describe('float32 twin', () => {
  const cases: [string, Values][] = [
    ['SGDScheduleFree', { lr: 0.1 }],
    ['SGDScheduleFree', { lr: 0.1, warmup_steps: 10, r: 0.5, weight_decay: 0.01 }],
    ['SGDScheduleFree', { lr: 0.1, weight_lr_power: 0, momentum: 0.5 }],
    ['AdamWScheduleFree', { lr: 0.01 }],
    ['AdamWScheduleFree', { lr: 0.01, warmup_steps: 10, r: 0.5, weight_decay: 0.01 }],
    ['AdamWScheduleFree', { lr: 0.01, weight_lr_power: 0, betas: [0.5, 0.99] }],
  ];

  it('stays within ~1e-6 relative of float64 on a benign quadratic', () => {
    for (const [id, over] of cases) {
      const o = def(id);
      const a = run(o, over, { steps: 50, grad: bowl, roundP: true, r: f64 });
      const b = run(o, over, { steps: 50, grad: bowl, roundP: true, r: f32 });
      let worst = 0;
      for (let t = 0; t < a.length; t++) {
        const pa = flat([a[t]!]);
        const pb = flat([b[t]!]);
        for (let k = 0; k < pa.length; k++) worst = Math.max(worst, Math.abs(pa[k]! - pb[k]!) / Math.max(Math.abs(pa[k]!), 0.1));
      }
      expect(worst, `${id} ${JSON.stringify(over)}`).toBeLessThan(2e-6);
      expect(worst, `${id} ${JSON.stringify(over)}: the f32 run really rounds`).toBeGreaterThan(0);
      for (const s of b) expect(flat([s]).every((x) => f32(x) === x), id).toBe(true);
    }
  });
});

describe('WGSL twins', () => {
  for (const id of IDS) {
    const o = def(id);
    const src = (): string => wgslSource(`optimizers/${o.wgsl}`);

    it(`${o.wgsl}: the three entry points, own slots only, momentum from mom, scalars as declared, no per-run branches`, () => {
      const text = src();
      const names = [...text.matchAll(/\bfn\s+(\w+)\s*\(/g)].map((m) => m[1]!);
      const entry = ['opt_init', 'opt_step_scalars', 'opt_step'];
      for (const e of entry) expect(names.filter((x) => x === e), e).toHaveLength(1);
      for (const x of names) if (!entry.includes(x)) expect(x.startsWith(`${id}_`), x).toBe(true);
      expect(text).toMatch(/fn opt_step_scalars\(mom: f32, t: f32\) -> vec4f\s*\{/);
      expect(text).toMatch(/fn opt_step\(g: vec2f, lr: f32, mom: f32, t: f32, sc: vec4f\)\s*\{/);
      const paths = new Set(Object.keys(slotOffsets(o.params)).map((k) => `${id}_${k.replace(/\./g, '_')}`));
      for (const m of text.matchAll(/param\((\w+)\)/g)) expect(paths.has(m[1]!), m[1]).toBe(true);
      expect(text).not.toMatch(new RegExp(`param\\(${id}_lr\\)`));
      expect(text).not.toMatch(new RegExp(`param\\(${id}_${o.momentumParam!.replace('.', '_')}\\)`));
      // opt_init keeps x (set by the engine) and copies it into y and z.
      const init = fnBody(text, 'opt_init')!;
      expect(init).toMatch(/S\[1\] = S\[0\];/);
      expect(init).toMatch(/S\[2\] = S\[0\];/);
      expect(init).toMatch(/S\[3\] = vec2f\(-1\.0, 0\.0\);/);
      // Scalars read exactly what stepScalars declares (helpers included), and t but not mom.
      const scalars = fnBody(text, 'opt_step_scalars')!;
      const reach = reachOf(text, scalars, id);
      const read = new Set([...reach.matchAll(/param\((\w+)\)/g)].map((m) => m[1]!));
      expect([...read].sort()).toEqual(o.stepScalars!.params.map((k) => `${id}_${k.replace(/\./g, '_')}`).sort());
      expect(/\bmom\b/.test(scalars)).toBe(false);
      expect(/\bt\b/.test(scalars)).toBe(true);
      // The step reads sc, not t, and has no runtime branches (every value may differ per run).
      const step = fnBody(text, 'opt_step')!;
      expect(step).toMatch(/\bsc\.[xyzw]\b/);
      expect(step).not.toMatch(/\bt\b/);
      const stepReach = reachOf(text, step, id);
      // One exception: the default weight_lr_power 2 skips the pow. A branch, because it is the same
      // for every run unless swept (then both sides run, still correct); a select would pay the pow.
      const powBody = fnBody(wgslSource('lib/twins.wgsl'), 'py_pow') ?? '';
      expect(step).toMatch(/\bpy_pow\(/);
      expect(powBody).toMatch(/^\s*if \(e == 2\.0\) \{\s*return b \* b;\s*\}/);
      expect(stepReach.replace(/if \(e == 2\.0\) \{\s*return b \* b;\s*\}/, '')).not.toMatch(/\b(if|loop|for|while|switch)\b/);
      // The only transcendental in the step is lr_max ** weight_lr_power (it depends on the LR).
      expect([...stepReach.matchAll(/\b(pow|exp|exp2|log|log2)\s*\(/g)].map((m) => m[1])).toEqual(['pow']);
      expect(step).toMatch(/S\[0\] = \w+_lerp\(y1, z1, wx\);/);
    });
  }
});
