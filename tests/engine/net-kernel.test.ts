/**
 * The specialised network passes (engine/cpu/net-kernel.ts) against the reference pass
 * (core/network/model.ts batchLoss, which the torch oracle checks): the same loss, gradient,
 * Hessian-vector product and count of right answers, bit for bit, in both precisions, for every
 * activation, both parametrisations, with and without biases, both losses and one to three layers.
 */
import { describe, expect, it } from 'vitest';
import type { Activation, LossName, Parametrization } from '../../src/core/network/model.ts';
import { NetScratch, batchLoss, layout } from '../../src/core/network/model.ts';
import type { Precision } from '../../src/core/steps.ts';
import { roundingFor } from '../../src/core/steps.ts';
import type { NetImpl } from '../../src/engine/cpu/net-kernel.ts';
import { netKernel } from '../../src/engine/cpu/net-kernel.ts';
import { WASM_SIMD, tanhF32Mismatches, wasmCovers, wasmTanh } from '../../src/engine/cpu/net-wasm.ts';
import { tanh64 } from '../../src/core/network/tanh.ts';
import { makeNetPlan } from '../../src/core/network/plan.ts';
import type { ParamValues } from '../../src/core/params.ts';
import type { OptimizerDef } from '../../src/core/registry/index.ts';
import { OPTIMIZERS } from '../../src/core/registry/index.ts';
import type { NetSpec } from '../../src/core/spec.ts';
import { parseAnySpec } from '../../src/core/spec.ts';
import { NetRun } from '../../src/engine/cpu/network.ts';
import { netGroupStep } from '../../src/engine/cpu/jit/net-step.ts';

const defaults = (o: OptimizerDef): ParamValues => Object.fromEntries(o.params.map((p) => [p.key, p.default])) as ParamValues;

/** A small deterministic generator (the test's own; values only need to be varied). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ACTIVATIONS: Activation[] = ['tanh', 'relu', 'gelu', 'identity'];
const PARAMS: Parametrization[] = ['standard', 'mean_field'];
const LOSSES: LossName[] = ['mse', 'cross_entropy'];
const SHAPES = [[3, 2], [4, 5, 3], [2, 6, 4, 3]];
const PRECISIONS: Precision[] = ['f64', 'f32'];

interface Case {
  name: string;
  sizes: number[];
  activation: Activation;
  parametrization: Parametrization;
  bias: boolean;
  loss: LossName;
  precision: Precision;
}
const cases: Case[] = [];
for (const sizes of SHAPES)
  for (const activation of ACTIVATIONS)
    for (const parametrization of PARAMS)
      for (const bias of parametrization === 'mean_field' ? [false] : [true, false])
        for (const loss of LOSSES)
          for (const precision of PRECISIONS)
            cases.push({ name: `${sizes.join('-')} ${activation} ${parametrization}${bias ? ' bias' : ''} ${loss} ${precision}`, sizes, activation, parametrization, bias, loss, precision });

const same = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let bad = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) bad++;
  return bad;
};

/** The cases, and larger layouts that take the wasm pass's loops, tails and odd widths. */
const WIDE = [[16, 16, 1], [4, 8, 3], [37, 100, 7], [5, 70, 33, 2], [130, 3]];
for (const sizes of WIDE)
  for (const activation of ['tanh', 'relu', 'identity'] as Activation[])
    for (const [parametrization, bias] of [['mean_field', false], ['standard', true]] as [Parametrization, boolean][])
      // (cross-entropy over one class has a zero gradient: not a case)
      for (const loss of sizes[sizes.length - 1] === 1 ? (['mse'] as LossName[]) : LOSSES)
        for (const precision of PRECISIONS)
          cases.push({ name: `${sizes.join('-')} ${activation} ${parametrization}${bias ? ' bias' : ''} ${loss} ${precision}`, sizes, activation, parametrization, bias, loss, precision });

describe('specialised network passes (JS and WebAssembly) equal the reference pass bit for bit', () => {
  it('WebAssembly SIMD is here (Node 20; Chromium has it too)', () => {
    expect(WASM_SIMD).toBe(true);
  });
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const L = layout({ sizes: c.sizes, activation: c.activation, bias: c.bias, parametrization: c.parametrization });
    const r = roundingFor(c.precision);
    const rnd = lcg(c.sizes.length * 977 + c.sizes[1]! * 31 + (c.bias ? 7 : 0));
    const inputs = c.sizes[0]!;
    const outputs = c.sizes[c.sizes.length - 1]!;
    const n = 23;
    const x = Float64Array.from({ length: n * inputs }, () => r(4 * rnd() - 2));
    const y = c.loss === 'mse' ? Float64Array.from({ length: n * outputs }, () => r(2 * rnd() - 1)) : Float64Array.from({ length: n }, () => Math.floor(rnd() * outputs));
    const theta = Float64Array.from({ length: L.params }, () => r(2 * rnd() - 1));
    const v = Float64Array.from({ length: L.params }, () => r(rnd() - 0.5));
    // gelu and the Hessian-vector product run on the JS kernel; everything else also on wasm.
    expect(wasmCovers(L, 'grad')).toBe(c.activation !== 'gelu');
    const impls: NetImpl[] = c.activation === 'gelu' ? ['js'] : ['js', 'wasm'];
    if (c.activation !== 'gelu') expect(netKernel(L, c.loss, c.precision, 'grad')).toBe(netKernel(L, c.loss, c.precision, 'grad', 'wasm'));
    // Minibatch rows with repeats, and the whole set.
    for (const rows of [Int32Array.from({ length: 9 }, () => Math.floor(rnd() * n)), Int32Array.from({ length: n }, (_, i) => i)]) {
      const batch = { x, y, rows, count: rows.length };
      const sc = new NetScratch(L);
      const correct = { n: 0 };
      const ref = batchLoss(r, L, c.loss, theta, batch, sc, null, null, null, correct);
      expect(Number.isFinite(ref)).toBe(true);
      const g0 = new Float64Array(L.params);
      const refGrad = batchLoss(r, L, c.loss, theta, batch, sc, g0);
      expect(g0.some((e) => e !== 0)).toBe(true);
      for (const impl of impls) {
        // loss (and right answers)
        const right = new Float64Array(1);
        const got = netKernel(L, c.loss, c.precision, 'loss', impl)(theta, x, y, rows, rows.length, null, null, null, right);
        expect(got).toBe(ref);
        if (c.loss === 'cross_entropy') expect(right[0]).toBe(correct.n);
        // gradient (added into what is there: twice is the sum of two passes' rounding)
        const g1 = new Float64Array(L.params);
        expect(netKernel(L, c.loss, c.precision, 'grad', impl)(theta, x, y, rows, rows.length, g1, null, null, null)).toBe(refGrad);
        expect(same(g1, g0)).toBe(0);
        const g2 = Float64Array.from(g1);
        const g3 = Float64Array.from(g1);
        netKernel(L, c.loss, c.precision, 'grad', 'js')(theta, x, y, rows, rows.length, g2, null, null, null);
        netKernel(L, c.loss, c.precision, 'grad', impl)(theta, x, y, rows, rows.length, g3, null, null, null);
        expect(same(g3, g2)).toBe(0);
      }
      // Hessian-vector product (the JS kernel; 'auto' picks it)
      const h0 = new Float64Array(L.params);
      const h1 = new Float64Array(L.params);
      g0.fill(0);
      const g1 = new Float64Array(L.params);
      expect(netKernel(L, c.loss, c.precision, 'hvp')(theta, x, y, rows, rows.length, g1, v, h1, null)).toBe(batchLoss(r, L, c.loss, theta, batch, sc, g0, v, h0));
      expect(same(g1, g0)).toBe(0);
      expect(same(h1, h0)).toBe(0);
      expect(h0.some((e) => e !== 0)).toBe(true);
    }
  });
});

describe('relu passes a NaN, as torch\'s relu does (review 20)', () => {
  // With Adam's eps = 0 a dead unit's update is 0/0: the NaN weight must reach the loss (and the
  // divergence check), not read as a dead unit (relu(NaN) = 0 kept such runs "not diverged").
  it.each(PRECISIONS.flatMap((p) => PARAMS.map((m) => [p, m] as const)))('%s, %s, in every pass', (precision, parametrization) => {
    const L = layout({ sizes: [2, 4, 3], activation: 'relu', bias: false, parametrization });
    const r = roundingFor(precision);
    const x = Float64Array.from([0.5, -1, 1, 0.25, -0.5, 0.75]);
    const y = Float64Array.from([0, 2, 1]);
    const rows = Int32Array.from([0, 1, 2]);
    const theta = Float64Array.from({ length: L.params }, (_, i) => r(((i * 7) % 5) / 5 - 0.4));
    theta[1] = Number.NaN;
    const batch = { x, y, rows, count: 3 };
    expect(batchLoss(r, L, 'cross_entropy', theta, batch, new NetScratch(L), null)).toBeNaN();
    for (const impl of ['js', 'wasm'] as const) {
      expect(netKernel(L, 'cross_entropy', precision, 'loss', impl)(theta, x, y, rows, 3, null, null, null, null), impl).toBeNaN();
      const g = new Float64Array(L.params);
      expect(netKernel(L, 'cross_entropy', precision, 'grad', impl)(theta, x, y, rows, 3, g, null, null, null), impl).toBeNaN();
    }
  });
});

describe('the WebAssembly pass', () => {
  const L = layout({ sizes: [6, 9, 2], activation: 'tanh', bias: true, parametrization: 'standard' });
  const rnd = lcg(5);
  const n = 17;
  const mk = (r: (x: number) => number) => ({
    x: Float64Array.from({ length: n * 6 }, () => r(4 * rnd() - 2)),
    y: Float64Array.from({ length: n * 2 }, () => r(2 * rnd() - 1)),
    theta: Float64Array.from({ length: L.params }, () => r(2 * rnd() - 1)),
  });
  const rows = Int32Array.from({ length: n }, (_, i) => i);
  it('copies a data set per array object: new arrays, and more of them than it keeps, give their own results', () => {
    for (const precision of PRECISIONS) {
      const r = roundingFor(precision);
      const sets = Array.from({ length: 7 }, () => mk(r));
      for (let rep = 0; rep < 2; rep++)
        for (const s of sets) {
          const want = batchLoss(r, L, 'mse', s.theta, { x: s.x, y: s.y, rows, count: n }, new NetScratch(L), null);
          expect(netKernel(L, 'mse', precision, 'loss', 'wasm')(s.theta, s.x, s.y, rows, n, null, null, null, null)).toBe(want);
        }
    }
  });
  it('float32: a theta or data value that is not a float32 gives the JS kernel\'s result (it rounds nothing)', () => {
    const s = mk((x) => x);
    const r32 = mk(Math.fround);
    for (const [theta, x] of [[s.theta, r32.x], [r32.theta, s.x]] as const) {
      const g0 = new Float64Array(L.params);
      const g1 = new Float64Array(L.params);
      const want = netKernel(L, 'mse', 'f32', 'grad', 'js')(theta, x, r32.y, rows, n, g0, null, null, null);
      expect(netKernel(L, 'mse', 'f32', 'grad', 'wasm')(theta, x, r32.y, rows, n, g1, null, null, null)).toBe(want);
      expect(same(g1, g0)).toBe(0);
    }
  });
  it("tanh equals core's tanh64 bit for bit on 2 million inputs and the edges", () => {
    const rnd2 = lcg(77);
    const N = 2_000_000;
    const xs = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      const m = i % 6;
      const u = 2 * rnd2() - 1;
      // wide, near the cap (22) and 2^-28, tiny, float32 values, log-spread
      xs[i] = m === 0 ? u * 30 : m === 1 ? u * 2 : m === 2 ? u * 1e-6 : m === 3 ? Math.fround(u * 4) : m === 4 ? u * 2 ** (rnd2() * 80 - 70) : u * 23;
    }
    const edges = [0, -0, 1, -1, 22, -22, 21.999999999999996, 2 ** -28, -(2 ** -28), 2 ** -29, 1e-300, 5e-324, -5e-324, Infinity, -Infinity, Number.NaN, 19.5, 38.8, 1e300];
    xs.set(edges);
    // Where k (the argument reduction's power of 2) steps, k = 1 .. 63: |x| = (k - 1/2) ln2 / 2, and
    // the doubles either side.
    const steps: number[] = [];
    for (let k = 1; k < 64; k++) {
      const x = ((k - 0.5) * Math.LN2) / 2;
      steps.push(x, x * (1 - Number.EPSILON), x * (1 + Number.EPSILON), -x);
    }
    xs.set(steps, edges.length);
    const t = wasmTanh(xs);
    let bad = 0;
    for (let i = 0; i < N; i++) if (!Object.is(t[i], tanh64(xs[i] as number))) bad++;
    expect(bad).toBe(0);
    expect(Object.is(t[1], -0)).toBe(true);
    expect(Number.isNaN(t[15])).toBe(true);
  });
  it('float32 tanh equals Math.fround(tanh64(x)) on every 16th float32 in [0, 11] (every 7th negated) and the edges', () => {
    // The fast path's proof (tanhF32x4Fast: a margin around an approximation) covers every input;
    // this checks it on 68M of them (bench/tanh-f32-exhaustive.ts checks all 1.09e9).
    const { checked, differ } = tanhF32Mismatches(16, 7);
    expect(checked).toBeGreaterThan(6e7);
    expect(differ).toEqual([]);
    const edges = [0, -0, 1, -1, 9.010913848876953, 10, -10, 11, 88.5, 3.4028234663852886e38, -3.4028234663852886e38, 1.401298464324817e-45, -1.401298464324817e-45, 1.1754943508222875e-38, 2 ** -12, Infinity, -Infinity, Number.NaN];
    const t = wasmTanh(Float64Array.from(edges), 'f32');
    edges.forEach((x, i) => expect(Object.is(t[i], Math.fround(tanh64(x))), `tanh(${x})`).toBe(true));
  });
});

describe('specialised optimiser steps train exactly as the registry twins called pair by pair', () => {
  // Every optimiser a network can use, in two param groups, the first's lr swept (a value per run
  // that only that group sees), minibatches, a schedule: whole runs compared bit for bit.
  const usable = OPTIMIZERS.filter((o) => !o.perTensor?.(defaults(o)));
  it.each(usable.flatMap((o) => PRECISIONS.map((p) => [o.id, p] as const)))('%s %s', (id, precision) => {
    const spec = parseAnySpec({
      network: { hidden: [5], batch_size: 8 },
      data: { name: 'circle' },
      optimizer: { name: id, param_groups: [{ params: ['layers.0'] }] },
      schedule: { name: 'CosineAnnealingLR', T_max: 40 },
      steps: 40,
      sweep: { x: { param: 'optimizer.param_groups.0.lr', min: 1e-3, max: 3e-2, count: 2, scale: 'log' } },
    }) as NetSpec;
    const plan = makeNetPlan(spec);
    // Inlined through and through: nothing called through the registry.
    plan.groups.forEach((_, g) => expect(netGroupStep(plan, precision, g)?.fallbacks).toEqual([]));
    for (let run = 0; run < plan.runs; run++) {
      const fast = new NetRun(plan, precision);
      const slow = new NetRun(plan, precision, true);
      expect(fast.specialised).toBe(true);
      fast.init(run);
      slow.init(run);
      const a = fast.trainRun();
      const b = slow.trainRun();
      expect(a).toEqual(b);
      expect(same(fast.theta, slow.theta)).toBe(0);
    }
  });
});
