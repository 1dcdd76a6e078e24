/**
 * "Informative by default, always": from the default view, the editor's switch to any optimiser on
 * any surface (axes moved to their typical ranges, core/typical.ts) gives a map with structure, no
 * colour on more than 90% of its cells in the default colouring. Every optimiser x every surface,
 * on a coarse 16 x 16 grid of the view's own ranges and steps, on the float32 CPU engine. (The
 * browser test checks the full 256 x 256 views the app draws, optimisers on Rosenbrock and surfaces
 * with SGD.)
 */
import { describe, expect, it } from 'vitest';
import { switchOptimizer, switchSurface } from '../../src/app/spec-edit.ts';
import { DEFAULT_MODE, DEFAULT_SPEC } from '../../src/app/defaults.ts';
import { makePlan } from '../../src/core/plan.ts';
import { OPTIMIZERS, SURFACES } from '../../src/core/registry/index.ts';
import { parseSpec } from '../../src/core/spec.ts';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';
import { dominantShare, heatmapFrame } from '../../src/view/frame.ts';

type Axis = Record<string, unknown>;

describe.each(SURFACES.map((s) => [s.id] as const))('on %s', (surface) => {
  it('every optimiser, switched to from the default view, gives a map with structure', async () => {
    const engine = new CpuEngine('cpu', { workers: 0, spawn: null });
    const flat: string[] = [];
    try {
      for (const o of OPTIMIZERS) {
        const json = switchSurface(switchOptimizer({ ...DEFAULT_SPEC }, o.id), surface);
        const sweep = json.sweep as { x: Axis; y: Axis };
        const plan = makePlan(parseSpec({ ...json, sweep: { ...sweep, x: { ...sweep.x, count: 16 }, y: { ...sweep.y, count: 16 } } }));
        const res = await engine.run(plan, {});
        const share = dominantShare(heatmapFrame(plan, res, plan.runs, DEFAULT_MODE));
        if (share > 0.9) flat.push(`${o.id}: ${(100 * share).toFixed(0)}% one colour over ${JSON.stringify(sweep.x)} x ${JSON.stringify(sweep.y)}`);
      }
    } finally {
      await engine.dispose();
    }
    expect(flat).toEqual([]);
  });
});
