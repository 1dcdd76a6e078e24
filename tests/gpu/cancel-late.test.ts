/**
 * The GPU engine honours a cancellation that comes after its last submit: while the device finishes
 * it, during the final read-back, or as the last chunk is handed over (a late Ctrl-C on a large
 * sweep used to finish and write the file).
 */
import { describe, expect, it } from 'vitest';
import { CancelledError } from '../../src/core/errors.ts';
import { makePlan } from '../../src/core/plan.ts';
import { parseSpec } from '../../src/core/spec.ts';
import { acquireNodeGpu } from '../../src/engine/gpu/device-node.ts';
import { GpuEngine } from '../../src/engine/gpu/engine.ts';
import { nodeShaderSources } from '../../src/engine/gpu/shader-sources-node.ts';
import { disposeChecked } from './fixture.ts';

// Small enough for one chunk and one submit: the only progress inside the loop comes right after
// the last (and only) submit.
const plan = makePlan(
  parseSpec({
    surface: 'rosenbrock',
    optimizer: { name: 'SGD', lr: 1e-4, momentum: 0.9 },
    steps: 200,
    sweep: { x: { param: 'optimizer.lr', min: 1e-5, max: 1e-3, count: 64, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0, max: 0.9, count: 32 } },
  }),
);

describe('GPU engine, cancelled after its last submit', () => {
  it('an abort while the last submit runs rejects with CancelledError, and the engine stays usable', async () => {
    const engine = new GpuEngine(await acquireNodeGpu('late cancel'), nodeShaderSources);
    try {
      const ac = new AbortController();
      let calls = 0;
      const run = engine.run(plan, {
        signal: ac.signal,
        onProgress: (p) => {
          calls++;
          if (p.done < p.total) ac.abort();
        },
      });
      await expect(run).rejects.toBeInstanceOf(CancelledError);
      expect(calls).toBe(1);
      const res = await engine.run(plan);
      expect(res.basin.length).toBe(plan.runs);
      expect(engine.gpu.takeUncapturedErrors()).toEqual([]);
    } finally {
      await disposeChecked(engine);
    }
  });

  it('an abort while the last chunk is handed over rejects with CancelledError', async () => {
    const engine = new GpuEngine(await acquireNodeGpu('late cancel chunk'), nodeShaderSources);
    try {
      const ac = new AbortController();
      let chunks = 0;
      const run = engine.run(plan, {
        signal: ac.signal,
        keepResults: false,
        onChunk: (begin, _cols, n) => {
          chunks++;
          if (begin + n === plan.runs) ac.abort();
        },
      });
      await expect(run).rejects.toBeInstanceOf(CancelledError);
      expect(chunks).toBe(1);
    } finally {
      await disposeChecked(engine);
    }
  });
});
