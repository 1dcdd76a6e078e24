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
import { netKernel } from '../../src/engine/cpu/net-kernel.ts';
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

describe('specialised network passes equal the reference pass bit for bit', () => {
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
    // Minibatch rows with repeats, and the whole set.
    for (const rows of [Int32Array.from({ length: 9 }, () => Math.floor(rnd() * n)), Int32Array.from({ length: n }, (_, i) => i)]) {
      const batch = { x, y, rows, count: rows.length };
      const sc = new NetScratch(L);
      // loss (and right answers)
      const correct = { n: 0 };
      const ref = batchLoss(r, L, c.loss, theta, batch, sc, null, null, null, correct);
      const right = new Float64Array(1);
      const got = netKernel(L, c.loss, c.precision, 'loss')(theta, x, y, rows, rows.length, null, null, null, right);
      expect(got).toBe(ref);
      if (c.loss === 'cross_entropy') expect(right[0]).toBe(correct.n);
      expect(Number.isFinite(ref)).toBe(true);
      // gradient
      const g0 = new Float64Array(L.params);
      const g1 = new Float64Array(L.params);
      expect(netKernel(L, c.loss, c.precision, 'grad')(theta, x, y, rows, rows.length, g1, null, null, null)).toBe(batchLoss(r, L, c.loss, theta, batch, sc, g0));
      expect(same(g1, g0)).toBe(0);
      expect(g0.some((e) => e !== 0)).toBe(true);
      // Hessian-vector product
      const h0 = new Float64Array(L.params);
      const h1 = new Float64Array(L.params);
      g0.fill(0);
      g1.fill(0);
      expect(netKernel(L, c.loss, c.precision, 'hvp')(theta, x, y, rows, rows.length, g1, v, h1, null)).toBe(batchLoss(r, L, c.loss, theta, batch, sc, g0, v, h0));
      expect(same(g1, g0)).toBe(0);
      expect(same(h1, h0)).toBe(0);
      expect(h0.some((e) => e !== 0)).toBe(true);
    }
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
