/** The GPU engine's failure paths: device loss mid-run, cancellation, and a clean state afterwards. */
import { describe, expect, it } from 'vitest';
import { CancelledError, GpuRunError } from '../../src/core/errors.ts';
import { makePlan } from '../../src/core/plan.ts';
import { parseSpec } from '../../src/core/spec.ts';
import { acquireNodeGpu } from '../../src/engine/gpu/device-node.ts';
import { GpuEngine } from '../../src/engine/gpu/engine.ts';
import { nodeShaderSources } from '../../src/engine/gpu/shader-sources-node.ts';

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
    await engine.dispose();
  });

  it('an aborted run rejects with CancelledError and leaves the engine usable', async () => {
    const engine = new GpuEngine(await acquireNodeGpu('cancel test'), nodeShaderSources, small);
    const ac = new AbortController();
    const run = engine.run(plan, { signal: ac.signal, onProgress: (p) => p.done > 0 && ac.abort() });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    const small2 = makePlan(parseSpec({ surface: 'quadratic', optimizer: { name: 'SGD', lr: 0.05 }, steps: 100 }));
    const res = await engine.run(small2);
    expect(res.basin[0]).toBe(0);
    expect(engine.gpu.takeUncapturedErrors()).toEqual([]);
    await engine.dispose();
  });
});
