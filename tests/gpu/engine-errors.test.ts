/**
 * The GPU engine's failure paths (device loss mid-run, cancellation, a clean state afterwards) and
 * the limits it sizes its work by (the record window of a path request). Each engine is disposed
 * through disposeChecked, which fails on any uncaptured error, whatever the test's outcome.
 */
import { describe, expect, it } from 'vitest';
import { CancelledError, GpuRunError } from '../../src/core/errors.ts';
import { makePlan } from '../../src/core/plan.ts';
import { parseSpec } from '../../src/core/spec.ts';
import { acquireNodeGpu } from '../../src/engine/gpu/device-node.ts';
import { GpuEngine, MAX_BLOCK_RUN_STEPS } from '../../src/engine/gpu/engine.ts';
import { nodeShaderSources } from '../../src/engine/gpu/shader-sources-node.ts';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';
import { disposeChecked } from './fixture.ts';

const plan = makePlan(
  parseSpec({
    surface: 'rosenbrock',
    optimizer: { name: 'SGD', lr: 1e-4, momentum: 0.9 },
    steps: 4000,
    sweep: { x: { param: 'optimizer.lr', min: 1e-5, max: 1e-3, count: 256, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0, max: 0.9, count: 256 } },
  }),
);

/** Small submits so that progress arrives well before the run ends. */
const small = { runStepsPerSubmit: 1_000_000, targetSubmitMs: 30 };

describe('GPU engine failures', () => {
  it('a device lost mid-run fails the run with a device-lost error, and the next run fails fast', async () => {
    const engine = new GpuEngine(await acquireNodeGpu('loss test'), nodeShaderSources, small);
    try {
      let destroyed = false;
      const run = engine.run(plan, {
        onProgress: (p) => {
          if (!destroyed && p.done > 0) {
            destroyed = true;
            // Not engine.dispose(): this is the device going away under the engine.
            engine.gpu.device.destroy();
          }
        },
      });
      await expect(run).rejects.toBeInstanceOf(GpuRunError);
      await expect(run).rejects.toMatchObject({ kind: 'device-lost' });
      await expect(engine.run(plan)).rejects.toMatchObject({ kind: 'device-lost' });
    } finally {
      // A destroyed device reports no uncaptured errors of its own; dispose it all the same.
      await engine.dispose();
    }
  });

  it('an aborted run rejects with CancelledError and leaves the engine usable', async () => {
    const engine = new GpuEngine(await acquireNodeGpu('cancel test'), nodeShaderSources, small);
    try {
      const ac = new AbortController();
      const run = engine.run(plan, { signal: ac.signal, onProgress: (p) => p.done > 0 && ac.abort() });
      await expect(run).rejects.toBeInstanceOf(CancelledError);
      const small2 = makePlan(parseSpec({ surface: 'quadratic', optimizer: { name: 'SGD', lr: 0.05 }, steps: 100 }));
      const res = await engine.run(small2);
      expect(res.basin[0]).toBe(0);
      expect(engine.gpu.takeUncapturedErrors()).toEqual([]);
    } finally {
      await disposeChecked(engine);
    }
  });
});

describe('GPU path recording', () => {
  it('records paths whose checkpoint blocks are longer than a record window holds for every run (review 24)', async () => {
    // A submit covers whole checkpoint blocks: 1,024 runs x 1,001 points of 32 B overran the 16 MiB
    // window, and the request failed with validation errors and an empty OperationError.
    const long = makePlan(
      parseSpec({
        surface: 'quadratic',
        optimizer: { name: 'SGD', lr: 0.01 },
        steps: 2000,
        outcome: { check_every: 1000 },
        sweep: { x: { param: 'optimizer.lr', min: 1e-3, max: 1e-2, count: 32 }, y: { param: 'start.0', min: -1, max: 1, count: 32 } },
      }),
    );
    const runs = Array.from({ length: long.runs }, (_, i) => i);
    const engine = new GpuEngine(await acquireNodeGpu('record window test'), nodeShaderSources);
    const cpu = new CpuEngine('cpu', { workers: 0, spawn: null });
    try {
      const paths = await engine.trajectories(long, { runs, every: 1 });
      expect(paths.length).toBe(long.runs);
      for (const p of paths) expect(p.steps.length).toBe(2001);
      // The float32 twin's paths, for runs at both ends and across the calls the request was split into.
      const some = [0, 1, 511, 512, 1023];
      const twin = await cpu.trajectories(long, { runs: some, every: 1 });
      some.forEach((run, i) => {
        const g = paths[run];
        const c = twin[i];
        expect(g && c && Array.from(g.x)).toEqual(c && Array.from(c.x));
        expect(g && c && Array.from(g.y)).toEqual(c && Array.from(c.y));
      });
    } finally {
      await cpu.dispose();
      await disposeChecked(engine);
    }
  });
});

describe('GPU chunking', () => {
  it('keeps a checkpoint block of a chunk within MAX_BLOCK_RUN_STEPS (review 24: a submit covers whole blocks)', async () => {
    const engine = new GpuEngine(await acquireNodeGpu('chunk test'), nodeShaderSources);
    try {
      const grid = { x: { param: 'optimizer.lr', min: 1e-5, max: 1e-3, count: 256, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0, max: 0.9, count: 256 } };
      const long = makePlan(parseSpec({ surface: 'rosenbrock', optimizer: { name: 'SGD', lr: 1e-4, momentum: 0.9 }, steps: 200_000, outcome: { check_every: 100_000 }, sweep: grid }));
      const chunk = engine.chunkRuns(long);
      expect(chunk * long.checkEvery).toBeLessThanOrEqual(MAX_BLOCK_RUN_STEPS);
      expect(chunk).toBe(Math.floor(MAX_BLOCK_RUN_STEPS / 100_000));
      // At the default check_every (2% of 500 steps) the whole sweep is one chunk, as before.
      const usual = makePlan(parseSpec({ surface: 'rosenbrock', optimizer: { name: 'SGD', lr: 1e-4, momentum: 0.9 }, steps: 500, sweep: grid }));
      expect(engine.chunkRuns(usual)).toBe(usual.runs);
    } finally {
      await disposeChecked(engine);
    }
  });
});
