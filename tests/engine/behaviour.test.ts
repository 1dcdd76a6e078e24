/**
 * One behavioural suite, every engine (cpu64, cpu, gpu): what a sweep must show, checked against
 * analytic answers. Tolerances come from the engine's precision (engines.ts).
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { ResultColumns } from '../../src/core/results.ts';
import { recordTrajectory } from '../../src/engine/cpu/kernel.ts';
import { ENGINES, plan, runOn } from './engines.ts';

/** Spectral radius of heavy-ball momentum on a 1-D quadratic of curvature lam. */
function heavyBallRadius(lr: number, mu: number, lam: number): number {
  const b = 1 + mu - lr * lam;
  const disc = b * b - 4 * mu;
  if (disc >= 0) {
    const s = Math.sqrt(disc);
    return Math.max(Math.abs((b + s) / 2), Math.abs((b - s) / 2));
  }
  return Math.sqrt(mu); // complex pair: |r|^2 = mu
}

for (const E of ENGINES) {
  describe(`engine ${E.name}`, () => {
    afterAll(() => E.dispose());

    it('SGD on the quadratic diverges exactly where lr * lambda_max > 2 (1 + momentum)', async () => {
      const steps = 300;
      const { plan: p, res } = await runOn(E, {
        surface: { name: 'quadratic', a: 1, b: 10, angle: 30 },
        optimizer: { name: 'SGD', lr: 0.1, momentum: 0 },
        steps,
        start: [-1.5, 1.5],
        sweep: {
          x: { param: 'optimizer.lr', min: 0.02, max: 0.6, count: 40, scale: 'log' },
          y: { param: 'optimizer.momentum', min: 0, max: 0.95, count: 24 },
        },
      });
      let mustDiverge = 0;
      let mustNot = 0;
      for (let j = 0; j < p.height; j++) {
        for (let i = 0; i < p.width; i++) {
          const lr = p.xValues[i] as number;
          const mu = p.yValues[j] as number;
          const rho = Math.max(heavyBallRadius(lr, mu, 1), heavyBallRadius(lr, mu, 10));
          // The analytic boundary and the spectral radius agree (the test's own consistency).
          if (Math.abs(lr * 10 - 2 * (1 + mu)) > 1e-9) expect(rho > 1).toBe(lr * 10 > 2 * (1 + mu));
          const d = res.diverged[j * p.width + i];
          if (steps * Math.log(rho) > Math.log(1e6)) {
            mustDiverge++;
            expect(d, `lr ${lr} momentum ${mu} rho ${rho}`).toBe(1);
          } else if (rho < 1) {
            mustNot++;
            expect(d, `lr ${lr} momentum ${mu} rho ${rho}`).toBe(0);
          }
        }
      }
      expect(mustDiverge).toBeGreaterThan(100);
      expect(mustNot).toBeGreaterThan(100);
    });

    it('control: lr = 0 leaves every run at its start', async () => {
      const { res } = await runOn(E, {
        surface: 'himmelblau',
        optimizer: { name: 'Adam', lr: 0 },
        steps: 50,
        sweep: { x: { param: 'start.0', min: -4, max: 4, count: 5 }, y: { param: 'start.1', min: -4, max: 4, count: 5 } },
      });
      for (let j = 0; j < 5; j++) {
        for (let i = 0; i < 5; i++) {
          const k = j * 5 + i;
          expect(res.final_x[k]).toBe(-4 + 2 * i);
          expect(res.final_y[k]).toBe(-4 + 2 * j);
          expect(res.diverged[k]).toBe(0);
        }
      }
    });

    it('steps_to_converge is the first checkpoint inside the radius (gradient descent on a quadratic)', async () => {
      for (const every of [1, 10]) {
        const steps = 400;
        const radius = 0.05;
        const { plan: p, res } = await runOn(E, {
          surface: { name: 'quadratic', a: 1, b: 10, angle: 30 },
          optimizer: { name: 'SGD', lr: 0.1 },
          steps,
          start: [-1.5, 1.5],
          outcome: { radius, check_every: every },
          sweep: { x: { param: 'optimizer.lr', min: 0.01, max: 0.19, count: 19 } },
        });
        const th = (30 * Math.PI) / 180;
        const u0 = -1.5 * Math.cos(th) + 1.5 * Math.sin(th);
        const v0 = 1.5 * Math.sin(th) + 1.5 * Math.cos(th);
        let checked = 0;
        for (let i = 0; i < p.width; i++) {
          const lr = p.xValues[i] as number;
          const dist = (k: number): number => Math.hypot((1 - lr) ** k * u0, (1 - 10 * lr) ** k * v0);
          let k = 0;
          while (k <= steps && dist(k) > radius) k++;
          // A crossing within f32 rounding of the radius may land a step either side.
          const ambiguous = Math.abs(dist(k) - radius) < 1e-4 * radius || Math.abs(dist(k - 1) - radius) < 1e-4 * radius;
          if (k > steps || ambiguous) continue;
          const expected = Math.min(steps, Math.ceil(k / every) * every);
          expect(res.steps_to_converge[i], `lr ${lr}, check_every ${every}`).toBe(expected);
          expect(res.basin[i]).toBe(0);
          checked++;
        }
        expect(checked).toBeGreaterThan(15);
      }
    });

    it('reports the sharpness of the end point and the loss there', async () => {
      const { res } = await runOn(E, {
        surface: { name: 'quadratic', a: 2, b: 7, angle: 10 },
        optimizer: { name: 'SGD', lr: 0.05, momentum: 0.5 },
        steps: 500,
      });
      expect(res.basin[0]).toBe(0);
      expect(Math.abs((res.sharpness[0] as number) - 7)).toBeLessThan(7 * E.tol);
      expect(res.loss[0]).toBeLessThan(1e-8);
    });

    it('Adam reaches the Rosenbrock minimum from the default start', async () => {
      const { res } = await runOn(E, { surface: 'rosenbrock', optimizer: { name: 'Adam', lr: 0.02 }, steps: 3000 });
      expect(res.diverged[0]).toBe(0);
      expect(res.basin[0]).toBe(0);
      expect(Math.abs((res.final_x[0] as number) - 1)).toBeLessThan(0.05);
    });

    it('every Himmelblau start near a minimum ends in that minimum (start-point map)', async () => {
      const { plan: p, res } = await runOn(E, {
        surface: 'himmelblau',
        optimizer: { name: 'SGD', lr: 0.005 },
        steps: 2000,
        sweep: { x: { param: 'start.0', min: -5, max: 5, count: 21 }, y: { param: 'start.1', min: -5, max: 5, count: 21 } },
      });
      let near = 0;
      for (let k = 0; k < p.runs; k++) {
        const sx = p.xValues[k % p.width] as number;
        const sy = p.yValues[Math.floor(k / p.width)] as number;
        const m = p.minima.findIndex((mm) => Math.hypot(mm.x - sx, mm.y - sy) < 0.8);
        if (m >= 0) {
          near++;
          expect(res.basin[k], `start (${sx}, ${sy})`).toBe(m);
        }
      }
      expect(near).toBeGreaterThan(4);
      const reached = new Set(Array.from(res.basin).filter((b) => b >= 0));
      expect(reached.size).toBe(4);
    });

    it('gradient noise is deterministic in its seed and changes with it', async () => {
      const spec = {
        surface: 'rosenbrock',
        optimizer: { name: 'SGD', lr: 5e-4, momentum: 0.9 },
        steps: 400,
        noise: { std: 2, seed: 11 },
        sweep: { x: { param: 'optimizer.lr', min: 1e-4, max: 1e-3, count: 8 } },
      };
      const a = (await runOn(E, spec)).res;
      const b = (await runOn(E, spec)).res;
      const c = (await runOn(E, { ...spec, noise: { std: 2, seed: 12 } })).res;
      expect(Array.from(a.final_x)).toEqual(Array.from(b.final_x));
      expect(Array.from(a.final_x)).not.toEqual(Array.from(c.final_x));
    });

    // Every engine, the GPU's too: its recording kernel is the sweep's own step (the GPU was left out
    // without a reason; review 9).
    it('a trajectory ends where the sweep says its run ended', async () => {
      const spec = {
        surface: 'six_hump_camel',
        optimizer: { name: 'RMSprop', lr: 0.01, momentum: 0.5 },
        steps: 300,
        noise: { std: 0.3, seed: 1 },
        sweep: { x: { param: 'start.0', min: -2, max: 2, count: 5 }, y: { param: 'start.1', min: -1, max: 1, count: 3 } },
      };
      const { plan: p, res } = await runOn(E, spec);
      const paths = await (await E.engine()).trajectories(plan(spec), { runs: [0, 7, 14] });
      for (const [i, run] of [0, 7, 14].entries()) {
        const t = paths[i]!;
        expect(t.run).toBe(run);
        expect(t.x.length).toBe(p.spec.steps + 1);
        expect(t.lr.length).toBe(p.spec.steps);
        expect(t.x[t.x.length - 1]).toBe(res.final_x[run]);
        expect(t.y[t.y.length - 1]).toBe(res.final_y[run]);
      }
    });
  });
}

/** SWA on every engine: the average equals the mean of the iterates it covers (float64 reference). */
describe('stochastic weight averaging', () => {
  for (const E of ENGINES) {
    it(`${E.name}: averages the iterates from swa.start every swa.every steps`, async () => {
      const spec = {
        surface: 'himmelblau',
        optimizer: { name: 'SGD', lr: 0.01, momentum: 0.5 },
        steps: 200,
        noise: { std: 2, seed: 3 },
        swa: { start: 100, every: 5 },
        sweep: { x: { param: 'start.0', min: -4, max: 4, count: 4 } },
      };
      const { res } = await runOn(E, spec);
      expect(res.swa_x).toBeDefined();
      for (let run = 0; run < 4; run++) {
        const t = recordTrajectory(plan(spec), 'f64', run);
        let sx = 0;
        let sy = 0;
        let n = 0;
        for (let k = 100; k <= 200; k += 5) {
          sx += t.x[k] as number;
          sy += t.y[k] as number;
          n++;
        }
        // The running lerp average equals the plain mean up to rounding; float32 engines follow
        // their own (twin) trajectories, 200 noisy steps from the float64 one: the precision's
        // tolerance with room for that growth (cpu64 5e-8, float32 1e-3).
        const tol = 50 * E.tol;
        expect(Math.abs((res.swa_x?.[run] as number) - sx / n)).toBeLessThan(tol);
        expect(Math.abs((res.swa_y?.[run] as number) - sy / n)).toBeLessThan(tol);
      }
    });
  }
  for (const E of ENGINES) {
    it(`${E.name}: a run that diverged before swa.start averages nothing, and holds its start (torch's AveragedModel)`, async () => {
      const spec = {
        surface: 'rosenbrock',
        optimizer: { name: 'SGD', lr: 1 },
        steps: 200,
        swa: { start: 150 },
        sweep: { x: { param: 'start.0', min: -1.5, max: 1.5, count: 3 } },
      };
      const { res, plan: p } = await runOn(E, spec);
      for (let run = 0; run < 3; run++) {
        expect(res.diverged[run]).toBe(1);
        const x = p.xValues[run] as number;
        // The start as the engine holds it (float32 engines round it).
        expect(res.swa_x?.[run]).toBe(E.name === 'cpu64' ? x : Math.fround(x));
      }
    });
  }
  afterAll(async () => {
    for (const E of ENGINES) await E.dispose();
  });
});

/** Streaming and shards: a range of runs, delivered chunk by chunk, equals the same rows of a full run. */
describe('outcome checkpoints', () => {
  for (const E of ENGINES) {
    // The GPU steps twice per inner-loop pass when that divides check_every (10 here, not 7 or 1),
    // and a schedule from the shared table keeps that on: the checkpoint interval and the loop
    // shape may change when outcomes are looked at, never a single step's arithmetic.
    it(`${E.name}: check_every 1, 7 and 10 give the same final positions, bit for bit`, async () => {
      const spec = (every: number) => ({
        surface: { name: 'quadratic', a: 1, b: 10, angle: 30 },
        optimizer: { name: 'SGD', lr: 0.05, momentum: 0.5, nesterov: true },
        schedule: { name: 'CosineAnnealingLR', T_max: 60 },
        steps: 70,
        start: [-1.5, 1.5],
        noise: { std: 0.3, seed: 2 },
        outcome: { check_every: every },
        sweep: { x: { param: 'start.0', min: -2, max: 2, count: 16 }, y: { param: 'start.1', min: -2, max: 2, count: 8 } },
      });
      const engine = await E.engine();
      const [a, b, c] = [await engine.run(plan(spec(1))), await engine.run(plan(spec(7))), await engine.run(plan(spec(10)))];
      expect(a.diverged.every((d) => d === 0)).toBe(true);
      expect(Array.from(b.final_x)).toEqual(Array.from(a.final_x));
      expect(Array.from(b.final_y)).toEqual(Array.from(a.final_y));
      expect(Array.from(c.final_x)).toEqual(Array.from(a.final_x));
      expect(Array.from(c.final_y)).toEqual(Array.from(a.final_y));
      // Control: the runs did move (a start-point sweep that stood still would pass trivially).
      expect(a.final_x.some((x, r) => Math.abs(x - (-2 + (4 * (r % 16)) / 15)) > 0.5)).toBe(true);
    });
  }
});

describe('run ranges and streamed chunks', () => {
  for (const E of ENGINES) {
    it(`${E.name}: streams runs [begin, end) in order, identical to the full run`, async () => {
      const spec = {
        surface: 'himmelblau',
        optimizer: { name: 'Adam', lr: 0.05 },
        steps: 120,
        noise: { std: 0.5, seed: 4 },
        sweep: { x: { param: 'start.0', min: -5, max: 5, count: 40 }, y: { param: 'start.1', min: -5, max: 5, count: 30 } },
      };
      const p = plan(spec);
      const engine = await E.engine();
      const full = await engine.run(p);
      const begin = 7 * 40;
      const end = 19 * 40;
      const seen: number[] = [];
      const got = new Float64Array(end - begin).fill(Number.NaN);
      const part = await engine.run(p, {
        range: { begin, end },
        keepResults: false,
        onChunk: async (b, cols, n) => {
          seen.push(b, n);
          for (let r = 0; r < n; r++) got[b - begin + r] = (cols as ResultColumns).final_x[r] as number;
          await new Promise((res) => setTimeout(res, 1));
        },
      });
      expect(part.final_x.length).toBe(0);
      // In order, contiguous, covering the range exactly once.
      let at = begin;
      for (let k = 0; k < seen.length; k += 2) {
        expect(seen[k]).toBe(at);
        at += seen[k + 1] as number;
      }
      expect(at).toBe(end);
      for (let r = begin; r < end; r++) expect(got[r - begin]).toBe(full.final_x[r]);
    });
  }
});

describe('the CPU worker pool', () => {
  it('streams blocks that finish out of order in run order, with backpressure, identical to in-process', async () => {
    const { CpuEngine } = await import('../../src/engine/cpu/engine.ts');
    const { nodeWorkerSpawner } = await import('../../src/engine/cpu/spawn-node.ts');
    const pooled = new CpuEngine('cpu', { workers: 2, spawn: nodeWorkerSpawner(), inProcessBelow: 0 });
    const single = new CpuEngine('cpu', { workers: 0, spawn: null });
    const spec = {
      surface: 'rastrigin',
      optimizer: { name: 'SGD', lr: 0.002, momentum: 0.9 },
      steps: 200,
      noise: { std: 1, seed: 2 },
      sweep: { x: { param: 'start.0', min: -5, max: 5, count: 64 }, y: { param: 'start.1', min: -5, max: 5, count: 64 } },
    };
    const p = plan(spec);
    const ref = await single.run(p);
    let at = 0;
    const basin = new Int32Array(p.runs).fill(-9);
    const res = await pooled.run(p, {
      onChunk: async (b, cols, n) => {
        expect(b).toBe(at);
        at += n;
        basin.set((cols as ResultColumns).basin.subarray(0, n), b);
        // A slow consumer: the pool must wait for it rather than pile results up.
        await new Promise((r) => setTimeout(r, 5));
      },
    });
    expect(at).toBe(p.runs);
    expect(Array.from(basin)).toEqual(Array.from(ref.basin));
    expect(Array.from(res.final_x)).toEqual(Array.from(ref.final_x));
    await pooled.dispose();
  });

  // The app's explorer sweep and a study share one CPU engine: their runs overlap. (Before each run
  // leased its own workers, the second run's handlers took the first run's replies: "offset is out
  // of bounds", or a surface block copied into a network run's columns.)
  it('runs that overlap on one engine (a surface sweep, a network sweep, one cancelled) each get their own results', async () => {
    const { CpuEngine } = await import('../../src/engine/cpu/engine.ts');
    const { nodeWorkerSpawner } = await import('../../src/engine/cpu/spawn-node.ts');
    const { makeNetPlan, prepareSpec } = await import('../../src/core/network/plan.ts');
    const { parseNetSpec } = await import('../../src/core/spec.ts');
    const pooled = new CpuEngine('cpu', { workers: 2, spawn: nodeWorkerSpawner(), inProcessBelow: 0 });
    const single = new CpuEngine('cpu', { workers: 0, spawn: null });
    const surface = plan({
      surface: 'rastrigin',
      optimizer: { name: 'SGD', lr: 0.002, momentum: 0.9 },
      steps: 200,
      sweep: { x: { param: 'start.0', min: -5, max: 5, count: 48 }, y: { param: 'start.1', min: -5, max: 5, count: 48 } },
    });
    const netSpec = parseNetSpec({
      network: { hidden: [8], activation: 'relu', batch_size: 16 },
      data: { name: 'iris', train: 120, test: 30 },
      optimizer: { name: 'Adam', lr: 0.01 },
      steps: 60,
      sweep: { x: { param: 'optimizer.lr', min: 1e-3, max: 0.1, count: 6, scale: 'log' } },
    });
    await prepareSpec(netSpec);
    const net = makeNetPlan(netSpec);
    const [refSurface, refNet] = [await single.run(surface), await single.run(net)];
    const abort = new AbortController();
    const cancelled = pooled.run(surface, { signal: abort.signal }).then(
      () => 'finished',
      (e: Error) => e.message,
    );
    const [a, b] = await Promise.all([pooled.run(surface), pooled.run(net), new Promise((r) => setTimeout(r, 20)).then(() => abort.abort())]);
    expect(await cancelled).toMatch(/cancel/i);
    expect(Array.from(a.final_x)).toEqual(Array.from(refSurface.final_x));
    expect(Array.from(b.test_loss)).toEqual(Array.from(refNet.test_loss));
    expect(Array.from(b.train_loss)).toEqual(Array.from(refNet.train_loss));
    // The engine still runs after all that, on the workers left to it.
    expect(Array.from((await pooled.run(surface)).final_x)).toEqual(Array.from(refSurface.final_x));
    await pooled.dispose();
  });
});

/** SAM wrapping the optimiser, on every engine. */
describe('sharpness-aware minimisation', () => {
  for (const E of ENGINES) {
    it(`${E.name}: rho = 0 is the plain optimiser; one SGD step takes the gradient at w + rho g/|g|`, async () => {
      const base = {
        surface: { name: 'quadratic', a: 1, b: 10, angle: 30 },
        optimizer: { name: 'SGD', lr: 0.05, momentum: 0.5 },
        steps: 50,
        noise: { std: 0.3, seed: 1 },
        sweep: { x: { param: 'start.0', min: -1.5, max: 1.5, count: 6 } },
      };
      const plain = (await runOn(E, base)).res;
      const zero = (await runOn(E, { ...base, sam: { rho: 0 } })).res;
      expect(Array.from(zero.final_x)).toEqual(Array.from(plain.final_x));
      expect(Array.from(zero.final_y)).toEqual(Array.from(plain.final_y));

      // One step of plain SGD with SAM from (1, 1) on the rotated quadratic, derived in float64.
      const one = (await runOn(E, { surface: { name: 'quadratic', a: 1, b: 10, angle: 30 }, optimizer: { name: 'SGD', lr: 0.05 }, steps: 1, start: [1, 1], sam: { rho: 0.1 } })).res;
      const th = (30 * Math.PI) / 180;
      const c = Math.cos(th);
      const s = Math.sin(th);
      const grad = (x: number, y: number): [number, number] => {
        const u = x * c + y * s;
        const v = -x * s + y * c;
        return [1 * u * c - 10 * v * s, 1 * u * s + 10 * v * c];
      };
      const [gx, gy] = grad(1, 1);
      const n = Math.hypot(gx, gy);
      const [hx, hy] = grad(1 + (0.1 * gx) / n, 1 + (0.1 * gy) / n);
      expect(Math.abs((one.final_x[0] as number) - (1 - 0.05 * hx))).toBeLessThan(E.tol * 10);
      expect(Math.abs((one.final_y[0] as number) - (1 - 0.05 * hy))).toBeLessThan(E.tol * 10);
    });
  }
});
