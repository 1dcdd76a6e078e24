/**
 * The whole-tensor rules (OptimizerDef.tensor: LARS, LAMB, Lion, Adafactor), which the network
 * engine runs on each parameter tensor, against the surface twins (`step` on (x, y)):
 * - on a tensor of shape [2] the tensor rule is the surface rule, bit for bit, in both precisions,
 *   for every setting that changes the arithmetic (the surface rule is its special case);
 * - Lion without caution is elementwise: its tensor rule on any tensor equals `step` pair by pair;
 * - every entry whose `perTensor` can be true has a tensor rule, with a state size that fits.
 * Against the references on real networks: tests/torch/network-oracle.test.ts.
 */
// Typed-array reads use "!": indices stay inside the arrays built here.
import { describe, expect, it } from 'vitest';
import { STATE_LEN } from '../../src/core/layout.ts';
import { OPTIMIZERS, findOptimizer } from '../../src/core/registry/index.ts';
import type { OptimizerDef, Round, TensorShape } from '../../src/core/registry/types.ts';
import type { Values } from './optimizer-rows.ts';
import { f32, f64, momentumOf, paramsOf, stepScalars, values } from './optimizer-rows.ts';

function def(id: string): OptimizerDef {
  const d = findOptimizer(id);
  if (!d) throw new Error(`no optimizer ${id}`);
  return d;
}

/** A small deterministic generator (values only need to be varied). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The settings each rule branches on (defaults first). */
const SETTINGS: Readonly<Record<string, readonly Values[]>> = {
  LARS: [
    { lr: 0.1 },
    { lr: 0.1, weight_decay: 0.01 },
    { lr: 0.1, momentum: 0.9, weight_decay: 1e-3, trust_coeff: 0.02 },
    { lr: 0.1, momentum: 0.9, nesterov: true, always_adapt: true },
    { lr: 0.5, momentum: 0.5, dampening: 0.2, always_adapt: true, trust_clip: true },
  ],
  LAMB: [
    { lr: 0.01 },
    { lr: 0.01, max_grad_norm: null, weight_decay: 0 },
    { lr: 0.01, max_grad_norm: 0.3, caution: true },
    { lr: 0.01, decoupled_decay: true, trust_clip: true, bias_correction: false, grad_averaging: false },
    { lr: 0.01, weight_decay: 0, always_adapt: true, betas: [0.8, 0.99] },
  ],
  Lion: [{ lr: 0.01 }, { lr: 0.01, caution: true, weight_decay: 0.1 }, { lr: 0.01, caution: true, maximize: true, betas: [0.5, 0.9] }],
  Adafactor: [{ lr: 0.01 }, { lr: 0.05, weight_decay: 0.1, d: 2 }, { lr: 0.01, maximize: true, beta2_decay: -0.5, eps: [1e-3, 1e-2] }],
};

const STEPS = 60;

/** The surface rule and the tensor rule side by side on (x, y), with the same gradients. */
function agree(d: OptimizerDef, over: Values, r: Round, seed: number): { steps: number; differing: number } {
  const rule = d.tensor;
  if (!rule) throw new Error(`${d.id} has no tensor rule`);
  const P = paramsOf(d, over, r === f32);
  const mom = r(momentumOf(d, values(d, over)));
  const shape: TensorShape = [2];
  const next = lcg(seed);
  const start = [r(next() * 2 - 1), r(next() * 2 - 1)];
  const S = new Float64Array(STATE_LEN);
  S[0] = start[0]!;
  S[1] = start[1]!;
  d.init(r, P, S);
  const p = Float64Array.from(start);
  const state = new Float64Array(rule.stateSize(shape));
  rule.init(r, P, shape, p, state);
  const g = new Float64Array(2);
  const work = new Float64Array(2);
  const sc = new Float64Array(4);
  let differing = 0;
  for (let t = 1; t <= STEPS; t++) {
    // Gradients of both signs and of different scales (the trust ratios and clips act).
    const scale = t % 7 === 0 ? 20 : 1;
    const gx = r((next() * 2 - 1) * scale + 0.3 * S[0]!);
    const gy = r((next() * 2 - 1) * scale - 0.2 * S[1]!);
    const lr = r(P[d.slots['lr'] as number]! * (1 - t / (2 * STEPS)));
    stepScalars(d, r, P, mom, t, sc);
    d.step(r, P, S, gx, gy, lr, mom, t, sc);
    g[0] = gx;
    g[1] = gy;
    const gs = rule.global ? rule.global(r, P, [g]) : 1;
    rule.step(r, P, shape, p, g, state, work, lr, mom, t, sc, gs);
    if (!Object.is(p[0], S[0]) || !Object.is(p[1], S[1])) differing++;
  }
  return { steps: STEPS, differing };
}

describe('a whole-tensor rule on a tensor of shape [2] is the surface rule, bit for bit', () => {
  const rows = Object.entries(SETTINGS).flatMap(([id, list]) =>
    list.flatMap((over, i) => [f64, f32].map((r) => [`${id} #${i} ${JSON.stringify(over)} ${r === f32 ? 'f32' : 'f64'}`, id, over, r] as const)),
  );
  it.each(rows)('%s', (_name, id, over, r) => {
    const d = def(id);
    for (const seed of [1, 2, 3]) expect(agree(d, over, r, seed).differing).toBe(0);
  });

  it('the runs move (a rule that did nothing would agree too)', () => {
    const d = def('LAMB');
    const rule = d.tensor!;
    const P = paramsOf(d, { lr: 0.01 });
    const p = Float64Array.from([0.5, -0.25]);
    const state = new Float64Array(rule.stateSize([2]));
    const sc = new Float64Array(4);
    stepScalars(d, f64, P, 0.9, 1, sc);
    rule.step(f64, P, [2], p, Float64Array.from([1, 1]), state, new Float64Array(2), 0.01, 0.9, 1, sc, 1);
    expect(p[0]).not.toBe(0.5);
    expect(p[1]).not.toBe(-0.25);
  });
});

describe('Lion without caution is elementwise: its tensor rule equals the pair twin pair by pair', () => {
  it.each([f64, f32].map((r) => [r === f32 ? 'f32' : 'f64', r] as const))('%s', (_n, r) => {
    const d = def('Lion');
    const rule = d.tensor!;
    const over = { lr: 0.01, weight_decay: 0.1 };
    const P = paramsOf(d, over, r === f32);
    const mom = r(momentumOf(d, values(d, over)));
    const shape: TensorShape = [3, 5];
    const n = 15;
    const next = lcg(9);
    const p = Float64Array.from({ length: n }, () => r(next() - 0.5));
    const pairs = Array.from({ length: Math.ceil(n / 2) }, (_, k) => {
      const S = new Float64Array(STATE_LEN);
      S[0] = p[2 * k]!;
      S[1] = 2 * k + 1 < n ? p[2 * k + 1]! : 0;
      d.init(r, P, S);
      return S;
    });
    const state = new Float64Array(rule.stateSize(shape));
    rule.init(r, P, shape, p, state);
    const sc = new Float64Array(4);
    for (let t = 1; t <= 30; t++) {
      const g = Float64Array.from({ length: n }, () => r(next() * 2 - 1));
      pairs.forEach((S, k) => d.step(r, P, S, g[2 * k]!, 2 * k + 1 < n ? g[2 * k + 1]! : 0, 0.01, mom, t, sc));
      rule.step(r, P, shape, p, g, state, new Float64Array(n), 0.01, mom, t, sc, 1);
    }
    for (let i = 0; i < n; i++) expect(p[i]).toBe(pairs[i >> 1]![i & 1]);
  });
});

describe('the registry: whole-tensor rules where a rule can read a tensor whole', () => {
  it('every entry whose perTensor can be true has a tensor rule, and only those', () => {
    const whole = OPTIMIZERS.filter((o) => o.perTensor !== undefined).map((o) => o.id);
    expect(whole.sort()).toEqual(['Adafactor', 'LAMB', 'LARS', 'Lion']);
    for (const o of OPTIMIZERS) expect(o.tensor !== undefined, o.id).toBe(o.perTensor !== undefined);
  });

  it("state sizes: LARS n + 1, LAMB 2n, Lion n, Adafactor rows + cols for a weight and n for a bias (torch's factored second moment)", () => {
    const size = (id: string, shape: TensorShape): number => def(id).tensor!.stateSize(shape);
    expect([size('LARS', [3, 4]), size('LAMB', [3, 4]), size('Lion', [3, 4]), size('Adafactor', [3, 4]), size('Adafactor', [5])]).toEqual([13, 24, 12, 7, 5]);
  });
});
