/**
 * Entry-specific checks of the optimisers, beyond the harness every entry gets
 * (tests/unit/optimizers.test.ts): numbers derived by hand from each reference's code, the edges
 * each rule has, AdamW against Adam(decoupled_weight_decay=True), the accuracy of the per-step
 * scalars at large step counts, and Schedule-Free's averaged iterate and gradient point, also
 * through the CPU engine.
 */
// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT) or S (length STATE_LEN).
import { describe, expect, it } from 'vitest';
import { P_OPTIMIZER, STATE_LEN } from '../../src/core/layout.ts';
import { makePlan } from '../../src/core/plan.ts';
import { findOptimizer } from '../../src/core/registry/index.ts';
import { lerp, oneMinusPow } from '../../src/core/registry/optimizers/common.ts';
import type { OptimizerDef, Round } from '../../src/core/registry/types.ts';
import { parseSpec } from '../../src/core/spec.ts';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';
import { SCHEDULE_FREE } from '../oracles/schedule-free.ts';
import type { GradFn, Values, Vec } from './optimizer-rows.ts';
import {
  bowl,
  closeTo,
  f32,
  f64,
  flat,
  momentumOf,
  paramsOf,
  positions,
  run,
  seq,
  seq2,
  stepScalars,
  values,
  xs,
} from './optimizer-rows.ts';

function def(id: string): OptimizerDef {
  const d = findOptimizer(id);
  if (!d) throw new Error(`no optimizer ${id}`);
  return d;
}

function expectClose(actual: readonly number[], expected: readonly number[], rel = 1e-12): void {
  expect(closeTo(actual, expected, rel)).toBeNull();
}

const pos = (d: OptimizerDef, over: Values, steps: number, grad: GradFn, start: Vec = [1, -0.5]): Vec[] =>
  positions(d, over, { steps, grad, start });

describe('SGD', () => {
  const sgd = def('SGD');
  const g123 = seq(1, 2, 3);
  const go = (over: Values): number[] => xs(pos(sgd, { lr: 0.1, ...over }, 3, g123, [1, -1]));

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
    const traj = pos(sgd, { lr: 0.05, momentum: 0, dampening: 0.3 }, 20, bowl);
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

  it('creates the buffer on the first step with non-zero momentum, not at t == 1 (hand-derived)', () => {
    // momentum cycled to 0 on step 1: plain step; step 2: buf = g = 2 (clone); step 3: 0.9*2 + 0.5*3
    const traj = positions(sgd, { lr: 0.1, momentum: 0.9, dampening: 0.5 }, { steps: 3, grad: g123, start: [1, -1], mom: (t) => (t === 1 ? 0 : 0.9) });
    expectClose(xs(traj), [0.9, 0.7, 0.37]);
  });
});

describe('Adagrad', () => {
  const ada = def('Adagrad');

  it('lr_decay and initial_accumulator_value (hand-derived)', () => {
    // g = 1: sum = 1.5, 2.5, 3.5; clr = 0.1 / (1 + (t - 1) * 0.5) = 0.1, 0.1/1.5, 0.05; eps = 0
    const x = xs(pos(ada, { lr: 0.1, lr_decay: 0.5, initial_accumulator_value: 0.5, eps: 0 }, 3, seq(1), [1, 0]));
    const x1 = 1 - 0.1 / Math.sqrt(1.5);
    const x2 = x1 - 0.1 / 1.5 / Math.sqrt(2.5);
    const x3 = x2 - 0.05 / Math.sqrt(3.5);
    expectClose(x, [x1, x2, x3]);
  });

  it('default first step moves by lr * g / (|g| + eps)', () => {
    expectClose(xs(pos(ada, {}, 1, seq(2), [1, 0])), [1 - (0.01 * 2) / (2 + 1e-10)]);
  });
});

describe('RMSprop', () => {
  const rms = def('RMSprop');

  it('plain, centered and momentum (hand-derived)', () => {
    const go = (over: Values): number[] => xs(pos(rms, { lr: 0.01, alpha: 0.9, eps: 0, ...over }, 2, seq(1), [1, 0]));
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
});

describe('Adam and AdamW', () => {
  const adam = def('Adam');
  const adamw = def('AdamW');

  it('constant gradient: bias correction makes every step lr * g / (|g| + eps) (hand-derived)', () => {
    // m_t = (1 - b1^t) g, v_t = (1 - b2^t) g^2, so m_hat = g and sqrt(v_t) / sqrt(bc2) = |g|.
    const x = xs(pos(adam, { lr: 0.1 }, 4, seq(2), [1, 0]));
    const d = (0.1 * 2) / (2 + 1e-8);
    expectClose(x, [1 - d, 1 - 2 * d, 1 - 3 * d, 1 - 4 * d]);
  });

  it('amsgrad divides by the running max of exp_avg_sq (hand-derived)', () => {
    // g = 1 then 0.01: v1 = 0.001, v2 = 0.999e-3 + 1e-3 * 1e-4 = 0.0009991 < v1, so max = 0.001.
    // m2 = 0.09 + 0.001 = 0.091; bc1 = 0.19, bc2 = 1 - 0.998001 = 0.001999.
    const go = (amsgrad: boolean): number[] => xs(pos(adam, { lr: 0.1, eps: 0, amsgrad }, 2, seq(1, 0.01), [1, 0]));
    const p1 = 0.9;
    const step2 = (v: number): number => p1 - ((0.1 / 0.19) * 0.091) / (Math.sqrt(v) / Math.sqrt(0.001999));
    expectClose(go(false), [p1, step2(0.0009991)]);
    expectClose(go(true), [p1, step2(0.001)]);
  });

  it('L2 weight decay goes into the gradient, decoupled decay scales p by 1 - lr * wd (hand-derived)', () => {
    const first = (d: OptimizerDef, over: Values): number => xs(pos(d, { lr: 0.1, eps: 0, ...over }, 1, seq(2), [1, 0]))[0]!;
    // L2: g = 2 + 0.1 * 1 = 2.1, first Adam step is lr * sign(g)
    expectClose([first(adam, { weight_decay: 0.1 })], [0.9]);
    // decoupled: p = 1 - 0.1 * 0.1 = 0.99, then 0.99 - 0.1
    expectClose([first(adam, { weight_decay: 0.1, decoupled_weight_decay: true })], [0.89]);
    // AdamW: always decoupled, weight_decay defaults to 0.01: 0.999 - 0.1
    expectClose([first(adamw, {})], [0.899]);
  });

  it('AdamW equals Adam(decoupled_weight_decay=True), bit for bit in both precisions', () => {
    for (const r of [f32, f64]) {
      for (const c of [{}, { amsgrad: true, weight_decay: 0.3, maximize: true }]) {
        const a = run(adamw, { lr: 0.02, ...c }, { steps: 8, grad: bowl, r }).traj;
        const b = run(adam, { lr: 0.02, weight_decay: 0.01, decoupled_weight_decay: true, ...c }, { steps: 8, grad: bowl, r }).traj;
        expect(flat(a)).toEqual(flat(b));
      }
    }
  });
});

describe('RAdam', () => {
  it('takes un-rectified steps while rho_t <= 5 (t <= 5 for beta2 = 0.999), rectified after (hand-derived)', () => {
    // Constant g = 2: m_hat = g exactly, so each un-rectified step is lr * g = 0.02.
    const x = xs(pos(def('RAdam'), { lr: 0.01 }, 6, seq(2), [1, 0]));
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
});

describe('NAdam', () => {
  it('first step, with mu_t = beta1 (1 - 0.5 * 0.96^(t psi)) (hand-derived)', () => {
    // m1 = 0.1 g, v1 = 0.001 g^2, bc2 = 0.001, so denom = |g| (eps = 0) and with g = 2:
    // p1 = 1 - lr (1 - mu1) / (1 - mu1) * 1 - lr * mu2 / (1 - mu1 mu2) * 0.1
    const mu1 = 0.9 * (1 - 0.5 * Math.pow(0.96, 0.004));
    const mu2 = 0.9 * (1 - 0.5 * Math.pow(0.96, 0.008));
    const x = xs(pos(def('NAdam'), { lr: 0.1, eps: 0 }, 1, seq(2), [1, 0]));
    expectClose(x, [1 - 0.1 - (0.1 * mu2 * 0.1) / (1 - mu1 * mu2)]);
  });
});

describe('Adadelta', () => {
  it('constant gradient (hand-derived); the first step does not scale with the gradient', () => {
    // g = 1, lr 1, rho 0.9, eps 1e-6, p0 = 1:
    //   t=1: v = 0.1, delta = sqrt(0 + eps) / sqrt(0.1 + eps) = 0.0031622…, u = 0.1 delta^2
    //   t=2: v = 0.19, delta = sqrt(u + eps) / sqrt(0.19 + eps), u = 0.9 u + 0.1 delta^2
    const o = def('Adadelta');
    const eps = 1e-6;
    const d1 = Math.sqrt(eps) / Math.sqrt(0.1 + eps);
    const u1 = 0.1 * d1 * d1;
    const d2 = Math.sqrt(u1 + eps) / Math.sqrt(0.19 + eps);
    expectClose(xs(pos(o, {}, 2, seq(1), [1, 0])), [1 - d1, 1 - d1 - d2]);
    // The first step is ~sqrt(eps / (1 - rho)) whatever the gradient's scale: lr 1 is not a step size.
    const big = xs(pos(o, {}, 1, seq(1000), [1, 0]))[0]!;
    expect(Math.abs(1 - big - d1) / d1).toBeLessThan(1e-5);
  });
});

describe('Adamax', () => {
  it('steps lr per step under a constant gradient; the infinity norm holds a past maximum (hand-derived)', () => {
    const o = def('Adamax');
    // g = 2, eps 0: m_t = (1 - 0.9^t) 2, u = 2, so each step is lr / (1 - 0.9^t) * m_t / u = lr.
    expectClose(xs(pos(o, { lr: 0.1, eps: 0 }, 3, seq(2), [1, 0])), [0.9, 0.8, 0.7]);
    // g = 2 then 1: u2 = max(0.999 * 2, 1) = 1.998, m2 = 0.9 * 0.2 + 0.1 = 0.28, bc = 0.19.
    expectClose(xs(pos(o, { lr: 0.1, eps: 0 }, 2, seq(2, 1), [1, 0])), [0.9, 0.9 - ((0.1 / 0.19) * 0.28) / 1.998]);
  });
});

describe('ASGD', () => {
  const o = def('ASGD');
  const h = { lr: 0.1, lambd: 0.5, alpha: 1, t0: 1 };

  it('decays eta with the step count and starts averaging after t0 (hand-derived)', () => {
    // g = 1, lr 0.1, lambd 0.5, alpha 1, t0 1, p0 = 1:
    //   t=1: eta 0.1:       p = 1 (1 - 0.05) - 0.1 = 0.85; mu = 1: ax = p;  eta <- 0.1 / 1.05, mu <- 1 / max(1, 0) = 1
    //   t=2: eta 0.1/1.05:  p = 0.7142857…; ax = p; eta <- 0.1 / 1.1, mu <- 1 / max(1, 1) = 1
    //   t=3: eta 0.1/1.1:   p = 0.5909090…; ax = p;                     eta <- 0.1 / 1.15, mu <- 1 / max(1, 2) = 1/2
    //   t=4: eta 0.1/1.15:  p = 0.4782608…; ax = ax + (p - ax) / 2 = (0.5909090… + 0.4782608…) / 2
    const { traj, S } = run(o, h, { steps: 4, grad: seq(1), start: [1, 0] });
    const e2 = 0.1 / 1.05;
    const e3 = 0.1 / 1.1;
    const e4 = 0.1 / 1.15;
    const p1 = 0.85;
    const p2 = p1 * (1 - 0.5 * e2) - e2;
    const p3 = p2 * (1 - 0.5 * e3) - e3;
    const p4 = p3 * (1 - 0.5 * e4) - e4;
    expectClose(xs(traj), [p1, p2, p3, p4]);
    expectClose([p2], [0.7142857142857143]);
    expectClose([S[o.state['ax']!]!], [(p3 + p4) / 2]); // ax, the averaged iterate, is state
    expectClose([S[o.state['eta']!]!], [0.1 / 1.2]); // eta for step 5
  });

  it('before t0 the average is a copy; with the default t0 = 1e6 it never averages', () => {
    const { traj, S } = run(o, {}, { steps: 50, grad: bowl });
    expect([S[o.state['ax']!], S[o.state['ax']! + 1]]).toEqual(traj[49]);
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
    expectClose(xs(pos(o, { lr: 0.1 }, 5, seq(1, 1, -1, -1, 1), [1, 0])), [0.9, 0.78, 0.78, 0.84, 0.84]);
    // maximize ascends the same way.
    expectClose(xs(pos(o, { lr: 0.1, maximize: true }, 2, seq(1), [1, 0])), [1.1, 1.22]);
  });

  it('clamps step sizes to step_sizes, and min > max clamps to max as torch.clamp does', () => {
    // Same sign throughout: 0.1, 0.12, 0.13 (0.144 clamped), 0.13.
    expectClose(xs(pos(o, { lr: 0.1, step_sizes: [0.05, 0.13] }, 4, seq(1), [1, 0])), [0.9, 0.78, 0.65, 0.52]);
    // Alternating signs: 0.1 (move), 0.05 (skip), 0.05 (move), 0.025 -> clamped to 0.05 (skip), 0.05 (move).
    const { traj, S } = run(o, { lr: 0.1, step_sizes: [0.05, 0.13] }, { steps: 5, grad: seq(1, -1), start: [1, 0] });
    expectClose(xs(traj), [0.9, 0.9, 0.85, 0.85, 0.8]);
    expect(S[o.state['step_size']!]).toBe(0.05);
    // min > max: every step size is max.
    expectClose(xs(pos(o, { lr: 0.1, step_sizes: [1, 0.2] }, 2, seq(1), [1, 0])), [0.8, 0.6]);
  });

  it('reads the LR only on the first step (torch creates step_size = lr with its state)', () => {
    const a = positions(o, { lr: 0.1 }, { steps: 10, grad: bowl, lrAt: (t) => (t === 1 ? 0.1 : 5 * t) });
    expect(flat(a)).toEqual(flat(pos(o, { lr: 0.1 }, 10, bowl)));
  });
});

describe('Adafactor', () => {
  const o = def('Adafactor');

  it('relative step: the first steps move by RMS(p) * min(lr, 1 / sqrt(t)) along sign(g) (hand-derived)', () => {
    // t=1: 1 - beta2_1 = 1 ** -0.8 = 1, so v = g^2 and u = g / |g| = sign(g); RMS(u) = 1 <= d, no clipping.
    // p0 = (3, 4): RMS(p) = 5 / sqrt(2); rho = min(0.01, 1) = 0.01, alpha = 0.0353553…
    const g = seq2([1, -1]);
    const traj = pos(o, {}, 2, g, [3, 4]);
    const a1 = (5 / Math.SQRT2) * 0.01;
    expectClose(traj[0]!, [3 - a1, 4 + a1]);
    // t=2: v stays 1 (lerp of 1 to 1), u = sign(g) again; alpha = RMS(p1) * 0.01.
    const a2 = (Math.hypot(3 - a1, 4 + a1) / Math.SQRT2) * 0.01;
    expectClose(traj[1]!, [3 - a1 - a2, 4 + a1 + a2]);
    // lr above 1 / sqrt(t): rho = 1 / sqrt(t) decays with the step count.
    const fast = pos(o, { lr: 10 }, 2, g, [3, 4]);
    const b1 = 5 / Math.SQRT2;
    expectClose(fast[0]!, [3 - b1, 4 + b1]);
    const b2 = Math.hypot(3 - b1, 4 + b1) / Math.SQRT2 / Math.SQRT2;
    expectClose(fast[1]!, [3 - b1 - b2, 4 + b1 + b2]);
  });

  it('at p = 0 the step is eps2 * rho; weight decay uses lr and comes after RMS(p) (hand-derived)', () => {
    expectClose(pos(o, {}, 1, seq2([2, 0.5]), [0, 0])[0]!, [-1e-3 * 0.01, -1e-3 * 0.01]);
    // wd 0.5, lr 0.01: p = (3, 4) (1 - 0.005), then the step with alpha from the undecayed p.
    const a = (5 / Math.SQRT2) * 0.01;
    expectClose(pos(o, { weight_decay: 0.5 }, 1, seq2([1, 1]), [3, 4])[0]!, [3 * 0.995 - a, 4 * 0.995 - a]);
  });

  it('clips the update to RMS d, and floors v at eps1^2 (hand-derived)', () => {
    // g = (0.01, 0.01) then (1, 1): v2 = 1e-4 + 2^-0.8 (1 - 1e-4) = 0.5744…, u2 = 1 / sqrt(v2) = 1.3195… per
    // coordinate, RMS(u2) = 1.3195 > d = 1, so the update is u2 / RMS(u2) = (1, 1).
    const traj = pos(o, {}, 2, seq2([0.01, 0.01], [1, 1]), [3, 4]);
    const a1 = (5 / Math.SQRT2) * 0.01;
    const p1: Vec = [3 - a1, 4 - a1];
    expectClose(traj[0]!, p1);
    const v2 = 1e-4 + Math.pow(2, -0.8) * (1 - 1e-4);
    expect(1 / Math.sqrt(v2)).toBeGreaterThan(1.3);
    const a2 = (Math.hypot(...p1) / Math.SQRT2) * 0.01;
    expectClose(traj[1]!, [p1[0] - a2, p1[1] - a2]);
    // With d = 2 the same update is not clipped: it moves by a2 * 1.3195….
    const loose = pos(o, { d: 2 }, 2, seq2([0.01, 0.01], [1, 1]), [3, 4]);
    expectClose(loose[1]!, [p1[0] - a2 / Math.sqrt(v2), p1[1] - a2 / Math.sqrt(v2)]);
    // A zero gradient coordinate: v = 0 is floored at eps1^2, so u = 0 there (not NaN); the other
    // coordinate alone has u = 1, RMS(u) = 1 / sqrt(2) < 1, no clipping.
    expectClose(pos(o, {}, 1, seq2([1, 0]), [3, 4])[0]!, [3 - a1, 4]);
  });

  it('the doc says that the second moment is not factored for (x, y)', () => {
    expect(o.doc).toMatch(/NOT factored/);
  });
});

describe('LARS', () => {
  const o = def('LARS');

  it("is plain SGD with timm's defaults (no weight decay, no always_adapt)", () => {
    const traj = pos(o, { lr: 0.05 }, 10, bowl);
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
    expectClose(pos(o, { weight_decay: 0.1, eps: 0 }, 1, seq2([0.6, 0.8]), [3, 4])[0]!, [2.997, 3.996]);
    // |w| = 0: ratio 1, a plain step along g.
    expectClose(pos(o, { weight_decay: 0.1 }, 1, seq2([0.6, 0.8]), [0, 0])[0]!, [-0.6, -0.8]);
    // |g| = 0: ratio 1, the step is the weight decay term alone.
    expectClose(pos(o, { weight_decay: 0.1 }, 1, seq2([0, 0]), [3, 4])[0]!, [2.7, 3.6]);
    // always_adapt with weight_decay 0: tr = 0.001 * 5 / 1 = 0.005.
    expectClose(pos(o, { always_adapt: true, eps: 0 }, 1, seq2([0.6, 0.8]), [3, 4])[0]!, [3 - 0.003, 4 - 0.004]);
    // trust_clip: tr / lr = 0.005 / 0.001 = 5, clipped to 1: a plain SGD step with lr 0.001.
    expectClose(pos(o, { always_adapt: true, trust_clip: true, eps: 0, lr: 0.001 }, 1, seq2([0.6, 0.8]), [3, 4])[0]!, [3 - 0.0006, 4 - 0.0008]);
  });
});

describe('LAMB', () => {
  const o = def('LAMB');

  it('moves by lr |w| per step once the trust ratio is on: |update| is rescaled to |w| (hand-derived)', () => {
    // t=1, eps 0, g = (3, 4): clipped by |g| / max_grad_norm = 5 to (0.6, 0.8); bias-corrected
    // m / sqrt(v) = sign(g) = (1, 1); + 0.01 p = (1.03, 1.04); tr = |w| / |u| = 5 / 1.4637…
    const traj = pos(o, { lr: 0.1, eps: 0 }, 1, seq2([3, 4]), [3, 4]);
    const u: Vec = [1.03, 1.04];
    const tr = 5 / Math.hypot(...u);
    expectClose(traj[0]!, [3 - 0.1 * tr * u[0], 4 - 0.1 * tr * u[1]]);
    expect(Math.hypot(3 - traj[0]![0], 4 - traj[0]![1])).toBeCloseTo(0.5, 12);
  });

  it('trust ratio edges: |w| = 0 or |update| = 0 gives 1; trust_clip caps it at 1 (hand-derived)', () => {
    // p = 0: tr = 1, the step is lr * (sign(g) + wd * 0).
    expectClose(pos(o, { lr: 0.1, eps: 0 }, 1, seq2([3, 4]), [0, 0])[0]!, [-0.1, -0.1]);
    // g = 0 with always_adapt and no weight decay: update 0, tr = 1 (not 5 / 0), no move.
    expect(pos(o, { lr: 0.1, weight_decay: 0, always_adapt: true }, 1, seq2([0, 0]), [3, 4])[0]).toEqual([3, 4]);
    // trust_clip: tr = 5 / 1.46 > 1 is capped, the step is lr * u.
    expectClose(pos(o, { lr: 0.1, eps: 0, trust_clip: true }, 1, seq2([3, 4]), [3, 4])[0]!, [3 - 0.103, 4 - 0.104]);
    // weight_decay 0 (and no always_adapt): no trust ratio, a plain bias-corrected Adam-like step.
    expectClose(pos(o, { lr: 0.1, eps: 0, weight_decay: 0 }, 1, seq2([3, 4]), [3, 4])[0]!, [2.9, 3.9]);
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
    expectClose(xs(pos(o, { lr: 0.1 }, 3, seq(1, -0.05, -0.2), [1, 0])), [0.9, 0.8, 0.9]);
    // Gradient scale does not matter, sign(0) = 0 does not move.
    expect(xs(pos(o, { lr: 0.1 }, 1, seq(1e6), [1, 0]))).toEqual([0.9]);
    expect(pos(o, { lr: 0.1 }, 1, seq(0), [1, -1])[0]).toEqual([1, -1]);
    // Decoupled weight decay first: p (1 - lr wd) - lr sign(c).
    expectClose(xs(pos(o, { lr: 0.1, weight_decay: 0.5 }, 1, seq(1), [1, 0])), [0.95 - 0.1]);
  });

  it('caution masks the coordinate whose update disagrees with the gradient and doubles the other (hand-derived)', () => {
    // Step 2 as above: x has update +1 against g = -0.05 (masked), y has g = 1, 1 (kept, / mean 0.5).
    const traj = pos(o, { lr: 0.1, caution: true }, 2, seq2([1, 1], [-0.05, 1]), [1, 1]);
    expectClose(traj[1]!, [0.9, 0.9 - 0.2]);
  });
});

describe('timm entries', () => {
  it('say they are not in torch, and that (x, y) is one layer for the layer-wise trust ratios', () => {
    for (const id of ['LARS', 'LAMB', 'Lion']) expect(def(id).doc, id).toMatch(/not in torch/);
    for (const id of ['LARS', 'LAMB']) expect(def(id).doc, id).toMatch(/ONE parameter tensor of shape \[2\], i\.e\. a single layer/);
  });
});

// ---------------------------------------------------------------------------------------------
// Schedule-Free: x (pair 0) is reported, the gradient is taken at y.

/** x, y, z after each step. */
function iterates(id: string, over: Values, steps: number, grad: GradFn, start: Vec = [1, -1]): number[][] {
  const d = def(id);
  const y = d.state['y']!;
  const z = d.state['z']!;
  return run(d, over, { steps, grad, start, observe: (S) => [S[0]!, S[1]!, S[y]!, S[y + 1]!, S[z]!, S[z + 1]!] }).traj;
}

describe('Schedule-Free entries', () => {
  it('report x, take the gradient at y, and say so', () => {
    for (const id of ['SGDScheduleFree', 'AdamWScheduleFree']) {
      const d = def(id);
      expect(d.gradSlot, id).toBe(d.state['y']! / 2);
      expect(d.doc, id).toMatch(/gradient is taken at y/);
      expect(d.doc, id).toMatch(/reports x/);
    }
  });

  it('init: y = z = x = the start point, lr_max = -1, weight_sum = 0 (and exp_avg_sq = 0)', () => {
    for (const id of ['SGDScheduleFree', 'AdamWScheduleFree']) {
      const d = def(id);
      const S = new Float64Array(STATE_LEN).fill(123);
      S[0] = 0.25;
      S[1] = -3;
      d.init(f32, paramsOf(d), S);
      const at = (name: string): number[] => [S[d.state[name]!]!, S[d.state[name]! + 1]!];
      expect([...at('y'), ...at('z'), ...at('group')], id).toEqual([0.25, -3, 0.25, -3, -1, 0]);
      if (id === 'AdamWScheduleFree') expect(at('exp_avg_sq')).toEqual([0, 0]);
    }
  });

  it('SGDScheduleFree, first steps (hand-derived): x is the lr_max^2-weighted average of the z iterates, y sits between', () => {
    // lr 0.1, momentum 0.9, g = 1 then 2 (x coordinate), start 1. Step 1: ckp1 = 1, so y = z = x = 1 - 0.1.
    // Step 2: ckp1 = 1/2; y = 0.9 + 0.1 * (0.9 * 0.5 - 1) * 2 = 0.79, z = 0.9 - 0.2 = 0.7,
    // x = lerp(0.79, 0.7, 1 - 1/0.9) = 0.8 = (z1 + z2) / 2.
    expectClose(flat(iterates('SGDScheduleFree', { lr: 0.1 }, 2, seq(1, 2))), [0.9, -0.9, 0.9, -0.9, 0.9, -0.9, 0.8, -0.8, 0.79, -0.79, 0.7, -0.7]);
    // warmup_steps = 2: lr 0.05 then 0.1; weights 0.0025, 0.01, so ckp1 = 0.8 on step 2:
    // z2 = 0.95 - 0.2 = 0.75, x2 = 0.2 * 0.95 + 0.8 * 0.75 = 0.79, y2 = 0.95 + 0.1 * (0.18 - 1) * 2 = 0.786.
    const w = iterates('SGDScheduleFree', { lr: 0.1, warmup_steps: 2 }, 2, seq(1, 2));
    expectClose([...w[0]!.slice(0, 2), ...w[1]!], [0.95, -0.95, 0.79, -0.79, 0.786, -0.786, 0.75, -0.75]);
    // weight_decay 0.5 at y = 1: g = 1.5 on step 1.
    expectClose(xs(iterates('SGDScheduleFree', { lr: 0.1, weight_decay: 0.5 }, 1, seq(1))), [0.85]);
  });

  it('SGDScheduleFree: with a constant LR, x is the uniform average of z_1 … z_t (r = 0) or the (k+1)^r-weighted one', () => {
    for (const r of [0, 1]) {
      let num0 = 0;
      let num1 = 0;
      let den = 0;
      iterates('SGDScheduleFree', { lr: 0.05, r }, 30, bowl, [1, -0.5]).forEach((s, i) => {
        const w = Math.pow(i + 1, r);
        num0 += w * s[4]!;
        num1 += w * s[5]!;
        den += w;
        expectClose(s.slice(0, 2), [num0 / den, num1 / den]);
      });
    }
  });

  it('AdamWScheduleFree, first step: z, y and x move by lr * sign(g) with eps = 0 (hand-derived)', () => {
    // v = (1 - b2) g^2, d = g / (sqrt(1 - b2) |g|), the LR carries sqrt(1 - b2): z = p - lr sign(g);
    // ckp1 = 1, so y = z and x = z.
    expectClose(flat(iterates('AdamWScheduleFree', { lr: 0.1, eps: 0 }, 1, seq(3))), [0.9, -0.9, 0.9, -0.9, 0.9, -0.9]);
    // With the default eps, the step is lr * sqrt(1 - b2) |g| / (sqrt(1 - b2) |g| + eps).
    const s = Math.sqrt(1 - 0.999) * 3;
    expectClose(xs(iterates('AdamWScheduleFree', { lr: 0.1 }, 1, seq(3))), [1 - (0.1 * s) / (s + 1e-8)]);
    // Weight decay is added after the normalisation, d = g / (sqrt(1 - b2) |g|) + 0.5 y, and the step
    // is lr sqrt(1 - b2) d, so the decay term moves by 0.1 * sqrt(0.001) * 0.5 on top of lr.
    expectClose(xs(iterates('AdamWScheduleFree', { lr: 0.1, eps: 0, weight_decay: 0.5 }, 1, seq(3))), [0.9 - 0.1 * Math.sqrt(0.001) * 0.5]);
  });

  it('AdamWScheduleFree, second step (hand-derived): ckp1 from lr_max = lr sqrt(1 - b2^2), y between z and x', () => {
    // eps 0, b1 0.9, b2 0.5, lr 0.1, g = 1 then 2: lr1 = 0.1 sqrt(0.5), lr2 = 0.1 sqrt(0.75) = lr_max,
    // ckp1 = 0.0075 / (0.005 + 0.0075) = 0.6. v2 = 0.5 * 0.5 + 0.5 * 4 = 2.25, d2 = 2 / 1.5 = 4/3.
    const lr2 = 0.1 * Math.sqrt(0.75);
    const z2 = 0.9 - (lr2 * 4) / 3;
    const y2 = 0.9 + (lr2 * (0.36 - 1) * 4) / 3;
    const s = iterates('AdamWScheduleFree', { lr: 0.1, eps: 0, betas: [0.9, 0.5] }, 2, seq(1, 2))[1]!;
    expectClose([s[0]!, s[2]!, s[4]!], [0.4 * 0.9 + 0.6 * z2, y2, z2]);
  });

  it('step scalars hold the warmup factor, (k+1)^r and sqrt(1 - beta2^(k+1)) in their slots', () => {
    const a = def('AdamWScheduleFree');
    const P = paramsOf(a, { warmup_steps: 4, r: 0.5, betas: [0.9, 0.99] });
    for (const t of [1, 4, 5, 9]) {
      expectClose([...stepScalars(a, f64, P, 0.9, t, new Float64Array(4))], [t <= 4 ? t / 4 : 1, Math.sqrt(1 - Math.pow(0.99, t)), Math.pow(t, 0.5), 0], 1e-14);
    }
    const s = def('SGDScheduleFree');
    const Q = paramsOf(s, { warmup_steps: 3, r: 2 });
    for (const t of [1, 3, 4]) expectClose([...stepScalars(s, f64, Q, 0.9, t, new Float64Array(4))], [t <= 3 ? t / 3 : 1, t * t, 0, 0]);
  });

  for (const id of ['SGDScheduleFree', 'AdamWScheduleFree']) {
    it(`${id}: the control fails: a gradient taken at x instead of y is another trajectory`, () => {
      const d = def(id);
      const over = { lr: id === 'SGDScheduleFree' ? 0.1 : 0.05 };
      const want = SCHEDULE_FREE[id]!({ values: values(d, over), start: [1, -0.5], grad: bowl, steps: 30 }).map((s) => s.slice(0, 2));
      const atX = { ...d, gradSlot: 0 };
      expect(closeTo(flat(positions(atX, over, { steps: 30, grad: bowl })), flat(want), 1e-6)).not.toBeNull();
      expect(closeTo(flat(positions(d, over, { steps: 30, grad: bowl })), flat(want), 1e-12)).toBeNull();
    });

    it(`${id}: the CPU engine takes the gradient at y and reports x (float64 trajectory against the port)`, async () => {
      const d = def(id);
      const over = { lr: id === 'SGDScheduleFree' ? 0.1 : 0.05, warmup_steps: 5 };
      const spec = { surface: { name: 'quadratic', a: 1, b: 4, angle: 0 }, optimizer: { name: id, ...over }, start: [1, -0.5], steps: 60 };
      const engine = new CpuEngine('cpu64', { workers: 0, spawn: null });
      const [t] = await engine.trajectories(makePlan(parseSpec(spec)), { runs: [0] });
      await engine.dispose();
      // quadratic with angle 0: grad = (a x, b y) exactly.
      const quad: GradFn = ([x, y]) => [x, 4 * y];
      const want = SCHEDULE_FREE[id]!({ values: values(d, over), start: [1, -0.5], grad: quad, steps: 60 }).flatMap((s) => s.slice(0, 2));
      expectClose(
        Array.from(t!.x.subarray(1)).flatMap((x, i) => [x, t!.y[i + 1]!]),
        want,
      );
    });
  }
});

// ---------------------------------------------------------------------------------------------
// The per-step scalars torch computes in float64, in float32 at any step count.

/**
 * One step at step count T from fresh state (m = (1 - b1) g, v = (1 - b2) g^2) isolates the
 * per-step scalars (bias corrections, rho_t, mu_t). The expected displacement is the textbook
 * float64 formula on the same float32 parameters.
 */
function singleStep(id: string, over: Values, T: number, r: Round): number {
  const o = def(id);
  const v = values(o, over);
  const P = paramsOf(o, over, true);
  const S = new Float64Array(STATE_LEN);
  o.init(r, P, S);
  const mom = f32(momentumOf(o, v));
  o.step(r, P, S, 1, 1, P[P_OPTIMIZER]!, mom, T, stepScalars(o, r, P, mom, T, new Float64Array(4)));
  return -S[0]!;
}

describe('per-step scalars in float32', () => {
  it('keep the bias corrections, rho_t and mu_t (Adam, RAdam, NAdam) accurate at any step count', () => {
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
            ? (m / bc1) * lr * (Math.sqrt(bc2) / Math.sqrt(v)) * Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT))
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

  it('keep 1 - beta1^t (Adamax) and t ** beta2_decay (Adafactor) accurate at any step count', () => {
    for (const T of [1, 2, 3, 10, 100, 1000, 12345, 100000]) {
      const ada = def('Adafactor');
      const P = paramsOf(ada, {}, true);
      const sc = stepScalars(ada, f32, P, 0, T, new Float64Array(4));
      expect(Math.abs(sc[0]! - Math.pow(T, f32(-0.8))) / Math.pow(T, f32(-0.8)), `T=${T}`).toBeLessThan(2e-7);
      expect(Math.abs(sc[1]! - 1 / Math.sqrt(T)) * Math.sqrt(T), `T=${T}`).toBeLessThan(2e-7);
      const ax = stepScalars(def('Adamax'), f32, paramsOf(def('Adamax'), {}, true), f32(0.9), T, new Float64Array(4));
      const exact = -Math.expm1(T * Math.log1p(f32(0.9) - 1));
      expect(Math.abs(ax[0]! - exact) / exact, `T=${T}`).toBeLessThan(3e-7);
    }
  });

  it('compute 1 - beta^t to a few float32 ulps without cancellation (oneMinusPow)', () => {
    for (const b of [0, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999].map(f32)) {
      for (const t of [1, 2, 3, 5, 6, 7, 10, 100, 1000, 4097, 10000, 100000]) {
        const exact = -Math.expm1(t * Math.log1p(b - 1)); // b - 1 is exact in f64
        expect(Math.abs(oneMinusPow(f32, b, t) - exact) / exact, `b=${b} t=${t}`).toBeLessThan(3e-7);
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
