/**
 * Recorded paths on every engine: the GPU's recording pass against the float32 CPU twin (and both
 * against float64), with the sweep validation's thresholds (VALIDATION_THRESHOLDS): same steps
 * recorded, same divergence, every point within the position error a sweep's final points are
 * allowed. Coverage follows the registry: every optimiser, a shared and a per-run schedule, noise,
 * SAM, recording every k-th step. Each path also ends where its engine's own sweep says the run
 * ended, exactly.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/plan.ts';
import { OPTIMIZERS } from '../../src/core/registry/index.ts';
import type { Trajectory } from '../../src/core/trajectory.ts';
import { CONDITIONING_THRESHOLD, VALIDATION_THRESHOLDS, positionError } from '../../src/core/validate.ts';
import { ENGINES, plan } from './engines.ts';

const [E64, E32, EGPU] = ENGINES as [(typeof ENGINES)[number], (typeof ENGINES)[number], (typeof ENGINES)[number]];

afterAll(async () => {
  for (const e of ENGINES) await e.dispose();
});

/** Largest position error between two paths' matching points. */
function maxError(a: Trajectory, b: Trajectory): number {
  let m = 0;
  for (let i = 0; i < a.x.length; i++) {
    m = Math.max(m, positionError(a.x[i] as number, a.y[i] as number, b.x[i] as number, b.y[i] as number));
  }
  return m;
}

interface Paths {
  /** The runs asked for. */
  readonly runs: readonly number[];
  readonly f64: Trajectory[];
  readonly f32: Trajectory[];
  readonly gpu: Trajectory[];
}

async function paths(p: Plan, runs: number[], every = 1): Promise<Paths> {
  const req = { runs, every };
  return {
    runs,
    f64: await (await E64.engine()).trajectories(p, req),
    f32: await (await E32.engine()).trajectories(p, req),
    gpu: await (await EGPU.engine()).trajectories(p, req),
  };
}

/**
 * GPU against the float32 twin, where the twin is well-conditioned against float64. Every engine
 * must return a path for each run asked for, in order, and at least one run must be compared
 * (review 25, F5: a GPU returning fewer paths, or a test whose runs are all ill-conditioned or
 * diverged, asserted nothing).
 */
function expectAgreement(t: Paths, label: string): void {
  for (const [name, set] of [['f64', t.f64], ['f32', t.f32], ['gpu', t.gpu]] as const) {
    expect(set.length, `${label}: ${name} paths for ${t.runs.length} runs`).toBe(t.runs.length);
    expect(set.map((x) => x.run), `${label}: ${name} runs`).toEqual(t.runs);
  }
  let compared = 0;
  t.gpu.forEach((g, i) => {
    const c = t.f32[i] as Trajectory;
    const d = t.f64[i] as Trajectory;
    expect(g.run, label).toBe(c.run);
    expect(Array.from(g.steps), label).toEqual(Array.from(c.steps));
    expect(g.diverged, label).toBe(c.diverged);
    expect(g.divergedAt, label).toBe(c.divergedAt);
    expect(g.lr.length, label).toBe(c.lr.length);
    if (g.diverged) return;
    // Well-conditioned runs only, as validation does: float32 rounding alone must not move them.
    const last = c.x.length - 1;
    const wellConditioned =
      d.x.length === c.x.length &&
      positionError(c.x[last] as number, c.y[last] as number, d.x[last] as number, d.y[last] as number) <= CONDITIONING_THRESHOLD;
    if (!wellConditioned) return;
    expect(maxError(g, c), `${label} run ${g.run}`).toBeLessThanOrEqual(VALIDATION_THRESHOLDS.maxPositionError);
    compared++;
  });
  expect(compared, `${label}: no well-conditioned run off divergence was compared`).toBeGreaterThan(0);
}

describe('recorded paths agree across engines', () => {
  for (const o of OPTIMIZERS) {
    it(`${o.id}: gpu vs cpu within the validation thresholds, and each path ends where the sweep does`, async () => {
      const p = plan({
        surface: 'himmelblau',
        optimizer: { name: o.id, lr: 0.01 },
        steps: 120,
        sweep: { x: { param: 'start.0', min: -4, max: 4, count: 4 }, y: { param: 'start.1', min: -4, max: 4, count: 3 } },
      });
      const runs = [0, 5, 11];
      const t = await paths(p, runs);
      expectAgreement(t, o.id);
      for (const [E, got] of [[E32, t.f32], [EGPU, t.gpu]] as const) {
        const res = await (await E.engine()).run(p);
        got.forEach((path, i) => {
          const run = runs[i] as number;
          const last = path.x.length - 1;
          expect(path.x[last], `${E.name} ${o.id}`).toBe(res.final_x[run]);
          expect(path.y[last], `${E.name} ${o.id}`).toBe(res.final_y[run]);
        });
      }
    });
  }

  it('a shared schedule that cycles beta1, recorded every 7th step', async () => {
    const p = plan({
      surface: 'rosenbrock',
      optimizer: { name: 'Adam', lr: 0.01 },
      schedule: { name: 'OneCycleLR', max_lr: 0.05, total_steps: 100 },
      steps: 100,
      sweep: { x: { param: 'start.0', min: -1.5, max: 1.5, count: 4 } },
    });
    const t = await paths(p, [0, 1, 2, 3], 7);
    expectAgreement(t, 'OneCycleLR');
    const g = t.gpu[0] as Trajectory;
    expect(Array.from(g.steps).slice(0, 3)).toEqual([0, 7, 14]);
    expect(g.steps[g.steps.length - 1]).toBe(100);
    expect(g.momentum?.length).toBe(g.lr.length);
    // The LR and beta1 of each recorded step: the GPU reads the same table the CPU computes.
    expect(Array.from(g.lr)).toEqual(Array.from((t.f32[0] as Trajectory).lr));
    expect(Array.from(g.momentum ?? [])).toEqual(Array.from((t.f32[0] as Trajectory).momentum ?? []));
  });

  it('a per-run schedule, gradient noise and SAM (where the gradient was taken)', async () => {
    const p = plan({
      surface: 'six_hump_camel',
      optimizer: { name: 'SGD', lr: 0.02, momentum: 0.5 },
      schedule: { name: 'StepLR', step_size: 20, gamma: 0.5 },
      noise: { std: 0.5, seed: 9 },
      sam: { rho: 0.05 },
      steps: 80,
      sweep: { x: { param: 'schedule.gamma', min: 0.2, max: 0.9, count: 3 }, y: { param: 'start.0', min: -1, max: 1, count: 2 } },
    });
    const t = await paths(p, [0, 2, 4, 5]);
    expectAgreement(t, 'per-run StepLR + noise + SAM');
    const g = t.gpu[1] as Trajectory;
    const c = t.f32[1] as Trajectory;
    expect(g.gradAt?.x.length).toBe(g.lr.length);
    for (let i = 0; i < g.lr.length; i++) {
      expect(Math.abs((g.gradAt?.x[i] as number) - (c.gradAt?.x[i] as number))).toBeLessThanOrEqual(VALIDATION_THRESHOLDS.maxPositionError);
    }
  });

  it('a diverging run ends at the checkpoint that found it, on every engine', async () => {
    const p = plan({
      surface: 'rosenbrock',
      optimizer: { name: 'SGD', lr: 1e-3, momentum: 0.9 },
      steps: 200,
      outcome: { check_every: 8 },
      sweep: { x: { param: 'optimizer.lr', min: 1e-4, max: 0.05, count: 5, scale: 'log' } },
    });
    const t = await paths(p, [0, 4]);
    for (const set of [t.f64, t.f32, t.gpu]) {
      const d = set[1] as Trajectory;
      expect(d.diverged).toBe(true);
      expect((d.divergedAt as number) % 8).toBe(0);
      expect(d.steps[d.steps.length - 1]).toBe(d.divergedAt);
      expect((set[0] as Trajectory).diverged).toBe(false);
    }
    expectAgreement(t, 'divergence');
  });
});
