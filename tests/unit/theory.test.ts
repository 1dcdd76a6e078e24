/**
 * The theory drawn on maps (view/theory.ts), checked against runs: the stability limits are where
 * torch's SGD with momentum (heavy ball and Nesterov) stops converging on a quadratic, the lines
 * sit where the formula puts them for a plan's minima, and on the quadratic the lines separate the
 * runs that converge within the run from those that do not, as the engine finds them.
 */
import { describe, expect, it } from 'vitest';
import { makePlan } from '../../src/core/plan.ts';
import { parseSpec } from '../../src/core/spec.ts';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';
import { heavyBallRate, limitMomentum, stabilityLimit, startCurvatureNote, theoryLines } from '../../src/view/theory.ts';

/** |x| after `steps` of torch's SGD with momentum on f = λx²/2 from x = 1. */
function sgd(lr: number, lambda: number, mu: number, nesterov: boolean, steps: number): number {
  let x = 1;
  let buf: number | null = null;
  for (let k = 0; k < steps; k++) {
    const g = lambda * x;
    buf = buf === null ? g : mu * buf + g;
    x -= lr * (nesterov ? g + mu * buf : buf);
    if (!Number.isFinite(x)) return Number.POSITIVE_INFINITY;
  }
  return Math.abs(x);
}

describe('stability limits', () => {
  for (const nesterov of [false, true]) {
    for (const mu of [0, 0.5, 0.9]) {
      it(`separate converging from diverging SGD (momentum ${mu}${nesterov ? ', Nesterov' : ''})`, () => {
        const lambda = 7;
        const lim = stabilityLimit(lambda, mu, nesterov);
        expect(sgd(0.97 * lim, lambda, mu, nesterov, 4000)).toBeLessThan(1e-3);
        expect(sgd(1.03 * lim, lambda, mu, nesterov, 4000)).toBeGreaterThan(1e3);
      });
    }
  }

  // (lr, λ = 7): heavy ball at lr·λ = 2.8 (limit 0.4, stable above); Nesterov at 1.82 (stable
  // below 0.11) and at 0.7 (stable below 1/0.3 = 3.33, past momentum 1: SGD's momentum has no bound).
  for (const [lr, nesterov, side] of [[0.4, false, 'above'], [0.26, true, 'below'], [0.1, true, 'below']] as const) {
    it(`limitMomentum is the momentum at the limit of a fixed LR, with the side runs are stable on (lr ${lr}${nesterov ? ', Nesterov' : ''})`, () => {
      const lambda = 7;
      const lim = limitMomentum(lambda, lr, nesterov);
      if (!lim) throw new Error('no limit');
      expect(lim.stable).toBe(side);
      expect(lim.mu).toBeGreaterThan(0);
      if (lr * lambda > 1) expect(stabilityLimit(lambda, lim.mu, nesterov)).toBeCloseTo(lr, 12);
      const d = 0.05 * Math.max(1, lim.mu);
      const [stable, unstable] = side === 'above' ? [lim.mu + d, lim.mu - d] : [lim.mu - d, lim.mu + d];
      expect(sgd(lr, lambda, stable, nesterov, 4000)).toBeLessThan(1e-3);
      expect(sgd(lr, lambda, unstable, nesterov, 4000)).toBeGreaterThan(1e3);
    });
  }

  it('limitMomentum has none where every momentum is stable or none is', () => {
    // Heavy ball: lr·λ < 2 is stable at momentum 0 already; lr·λ ≥ 4 needs momentum ≥ 1.
    expect(limitMomentum(7, 0.2, false)).toBeNull();
    expect(limitMomentum(7, 0.6, false)).toBeNull();
    // Nesterov: lr·λ = 1 is stable at every momentum, ≥ 2 at none.
    expect(limitMomentum(10, 0.1, true)).toBeNull();
    expect(limitMomentum(10, 0.25, true)).toBeNull();
    expect(sgd(0.25, 10, 0, true, 2000)).toBeGreaterThan(1e3);
  });

  it('heavyBallRate is the rate at which |x| shrinks', () => {
    const [lr, lambda, mu] = [0.05, 3, 0.1];
    const r = heavyBallRate(lr, lambda, mu);
    const a = sgd(lr, lambda, mu, false, 400);
    const b = sgd(lr, lambda, mu, false, 800);
    expect(Math.log(b / a) / 400).toBeCloseTo(Math.log(r), 3);
  });
});

describe('theory lines on a map', () => {
  const base = {
    optimizer: { name: 'SGD', lr: 0.001, momentum: 0.9 },
    steps: 300,
    sweep: {
      kind: 'grid',
      x: { param: 'optimizer.lr', min: 1e-3, max: 1, count: 40, scale: 'log' },
      y: { param: 'optimizer.momentum', min: 0, max: 0.95, count: 20 },
    },
  };

  it('put the heavy-ball limit of each minimum on an LR x momentum map of SGD', () => {
    const plan = makePlan(parseSpec({ ...base, surface: 'rosenbrock', sweep: { ...base.sweep, x: { ...base.sweep.x, min: 1e-5, max: 1e-2 } } }));
    const lines = theoryLines(plan);
    expect(lines).toHaveLength(1);
    const l = lines[0];
    const lam = plan.minima[0]?.sharpness as number;
    expect(l?.label).toMatch(/lr = 2\(1 \+ momentum\)\/λ, λ = 1002 \(minimum 0\)/);
    expect(l?.x[0]).toBeCloseTo(2 / lam, 12);
    expect(l?.y[0]).toBe(0);
    expect(l?.x.at(-1)).toBeCloseTo((2 * 1.95) / lam, 12);
  });

  it('draw a vertical limit at the spec momentum when the other axis is not momentum, and nothing for other optimisers or with a schedule', () => {
    const starts = { ...base.sweep, y: { param: 'start.1', min: -1, max: 3, count: 10 } };
    const plan = makePlan(parseSpec({ ...base, surface: 'flat_sharp', sweep: starts }));
    const lines = theoryLines(plan);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    for (const l of lines) expect(l.x[0]).toBe(l.x[1]);
    expect(theoryLines(makePlan(parseSpec({ ...base, surface: 'rosenbrock', optimizer: { name: 'Adam' }, sweep: { ...base.sweep, y: { param: 'optimizer.betas.0', min: 0, max: 0.9, count: 4 } } })))).toEqual([]);
    expect(theoryLines(makePlan(parseSpec({ ...base, surface: 'rosenbrock', schedule: { name: 'StepLR', step_size: 10 } })))).toEqual([]);
  });

  it('on a momentum sweep at a fixed LR, put the limit at its momentum: runs diverge on one side of it and not on the other (the engine, quadratic, heavy ball)', async () => {
    // λ = 10 (b): lr 0.3 puts the heavy-ball limit at momentum 0.3 · 10 / 2 − 1 = 0.5.
    const spec = { ...base, surface: 'quadratic', optimizer: { name: 'SGD', lr: 0.3 }, steps: 400, sweep: { kind: 'grid', x: { param: 'optimizer.momentum', min: 0, max: 0.99, count: 34 }, y: null } };
    const plan = makePlan(parseSpec(spec));
    const lines = theoryLines(plan);
    expect(lines).toHaveLength(1);
    const l = lines[0] as { x: readonly number[]; label: string };
    expect(l.x[0]).toBeCloseTo(0.5, 9);
    expect(l.x[1]).toBe(l.x[0]);
    expect(l.label).toMatch(/^stability limit momentum = lr·λ\/2 − 1, λ = 10 \(minimum 0; stable above it, below momentum 1\)$/);
    const engine = new CpuEngine('cpu64', { workers: 0, spawn: null });
    const res = await engine.run(plan, {});
    await engine.dispose();
    let checked = 0;
    for (let i = 0; i < plan.width; i++) {
      const mu = plan.xValues[i] as number;
      if (Math.abs(mu - 0.5) < 0.03) continue;
      checked++;
      expect(res.diverged[i], `momentum ${mu}`).toBe(mu < 0.5 ? 1 : 0);
    }
    expect(checked).toBeGreaterThan(25);
    // The other axis a start coordinate: the same limit, across it; an optimiser value on the other axis: none.
    const across = makePlan(parseSpec({ ...spec, sweep: { ...spec.sweep, y: { param: 'start.1', min: -1, max: 1, count: 3 } } }));
    expect(theoryLines(across).map((x) => [x.x[0], x.y])).toEqual([[l.x[0], [-1, 1]]]);
    expect(theoryLines(makePlan(parseSpec({ ...spec, sweep: { ...spec.sweep, y: { param: 'optimizer.dampening', min: 0, max: 0.5, count: 3 } } })))).toEqual([]);
    // Nesterov at lr 0.15 (lr·λ = 1.5): stable below (2 − 1.5)/(3 − 2) = 0.5, named for the curve.
    const nest = makePlan(parseSpec({ ...spec, optimizer: { name: 'SGD', lr: 0.15, momentum: 0.1, nesterov: true }, sweep: { ...spec.sweep, x: { ...spec.sweep.x, min: 0.01 } } }));
    const n = theoryLines(nest);
    expect(n.map((x) => [x.x[0], x.name])).toEqual([[expect.closeTo(0.5, 9), 'stability limit (minimum 0; stable below it)']]);
    expect(n[0]?.label).toMatch(/^stability limit momentum = \(2 − lr·λ\)\/\(2·lr·λ − 2\), λ = 10/);
    const rn = await new CpuEngine('cpu64', { workers: 0, spawn: null }).run(nest, {});
    for (let i = 0; i < nest.width; i++) {
      const mu = nest.xValues[i] as number;
      if (Math.abs(mu - 0.5) > 0.03) expect(rn.diverged[i], `Nesterov momentum ${mu}`).toBe(mu > 0.5 ? 1 : 0);
    }
  });

  it("say why runs left of a line diverge where the start curves more than the minimum, as the default Rosenbrock view's runs do (walkthrough 12)", async () => {
    const spec = { ...base, surface: 'rosenbrock', start: [-1.5, 2], steps: 500, sweep: { kind: 'grid', x: { param: 'optimizer.lr', min: 0.0015, max: 0.004, count: 24 }, y: { param: 'optimizer.momentum', min: 0.5, max: 0.9, count: 3 } } };
    const plan = makePlan(parseSpec(spec));
    const note = startCurvatureNote(plan);
    expect(note).toMatch(/λ = 2092 there, against 1002 at the minimum/);
    expect(note).toMatch(/runs left of a line can diverge too/);
    // What the note explains: runs diverge left of the line at each momentum (its LR 2(1 + m)/1002).
    const res = await new CpuEngine('cpu64', { workers: 0, spawn: null }).run(plan, {});
    for (let j = 0; j < plan.height; j++) {
      const mu = plan.yValues[j] as number;
      const line = stabilityLimit(plan.minima[0]?.sharpness as number, mu, false);
      const leftDiverged = plan.xValues.filter((lr, i) => (lr as number) < 0.9 * line && res.diverged[j * plan.width + i] === 1);
      expect(leftDiverged.length, `momentum ${mu}`).toBeGreaterThan(0);
    }
    // No note where the start curves no more than the minimum (the quadratic: the same everywhere), or no line is drawn.
    expect(startCurvatureNote(makePlan(parseSpec({ ...base, surface: 'quadratic' })))).toBeNull();
    expect(startCurvatureNote(makePlan(parseSpec({ ...spec, optimizer: { name: 'Adam' }, sweep: { ...spec.sweep, y: { param: 'optimizer.betas.0', min: 0, max: 0.9, count: 3 } } })))).toBeNull();
    expect(startCurvatureNote(makePlan(parseSpec({ ...spec, start: [1.01, 1.02] })))).toBeNull();
    // Review 15: the side is the map's, the momentum clause only for heavy-ball momentum on an axis,
    // and a momentum axis at a fixed LR (its line a momentum) gets none.
    const swapped = startCurvatureNote(makePlan(parseSpec({ ...spec, sweep: { kind: 'grid', x: spec.sweep.y, y: spec.sweep.x } })));
    expect(swapped).toMatch(/runs below a line can diverge too, and momentum/);
    const nesterov = startCurvatureNote(makePlan(parseSpec({ ...spec, optimizer: { name: 'SGD', lr: 0.001, momentum: 0.9, nesterov: true }, sweep: { ...spec.sweep, x: { ...spec.sweep.x, min: 0.001 } } })));
    expect(nesterov).toMatch(/runs left of a line can diverge too\./);
    expect(nesterov).not.toMatch(/widens/);
    expect(startCurvatureNote(makePlan(parseSpec({ ...spec, sweep: { kind: 'grid', x: { param: 'optimizer.momentum', min: 0, max: 0.9, count: 8 }, y: null } })))).toBeNull();
  });

  it('on the quadratic, separate the runs the engine finds converged from the rest', async () => {
    const plan = makePlan(parseSpec({ ...base, surface: 'quadratic', sweep: { ...base.sweep, x: { ...base.sweep.x, min: 1e-3, max: 0.5 } } }));
    const lines = theoryLines(plan);
    const stab = lines.find((l) => l.label.startsWith('stability'));
    const conv = lines.filter((l) => l.label.startsWith('converges'));
    expect(stab).toBeDefined();
    expect(conv.length).toBe(2);
    const engine = new CpuEngine('cpu64', { workers: 0, spawn: null });
    const res = await engine.run(plan, {});
    await engine.dispose();
    // Between the two boundaries (with a 10% margin) runs converge; outside them they do not.
    const slow = conv[0] as { x: readonly number[]; y: readonly number[] };
    const fast = conv[1] as { x: readonly number[]; y: readonly number[] };
    const interp = (l: { x: readonly number[]; y: readonly number[] }, mu: number): number => {
      let k = 0;
      while (k < l.y.length - 2 && (l.y[k + 1] as number) < mu) k++;
      const t = (mu - (l.y[k] as number)) / ((l.y[k + 1] as number) - (l.y[k] as number));
      return (l.x[k] as number) * ((l.x[k + 1] as number) / (l.x[k] as number)) ** t;
    };
    let checked = 0;
    let wrong = 0;
    for (let j = 0; j < plan.height; j++) {
      const mu = plan.yValues[j] as number;
      const a = interp(slow, mu);
      const b = interp(fast, mu);
      for (let i = 0; i < plan.width; i++) {
        const lr = plan.xValues[i] as number;
        const run = j * plan.width + i;
        const converged = (res.basin[run] as number) >= 0;
        if (lr > 1.1 * a && lr < b / 1.1) {
          checked++;
          if (!converged) wrong++;
        } else if (lr < a / 1.1 || lr > 1.1 * b) {
          checked++;
          if (converged) wrong++;
        }
      }
    }
    expect(checked).toBeGreaterThan(500);
    expect(wrong / checked).toBeLessThan(0.02);
  });
});
