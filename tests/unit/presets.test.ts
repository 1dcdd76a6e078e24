/**
 * The curated views (app/presets.ts): each is a valid grid sweep whose map, in its own colouring,
 * shows structure (no colour on more than 90% of the cells), checked at a coarser grid on the float32
 * CPU engine.
 */
import { describe, expect, it } from 'vitest';
import { makePlan } from '../../src/core/plan.ts';
import { parseSpec } from '../../src/core/spec.ts';
import { PRESETS } from '../../src/app/presets.ts';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';
import { dominantShare, heatmapFrame } from '../../src/view/frame.ts';

describe.each(PRESETS.map((p) => [p.id, p] as const))('preset %s', (_, p) => {
  it('is a valid grid sweep whose map shows structure', async () => {
    const spec = parseSpec(p.spec);
    expect(spec.sweep?.kind).toBe('grid');
    const s = spec.sweep;
    if (s?.kind !== 'grid' || !s.y) throw new Error('not a 2-D grid');
    const small = makePlan(parseSpec({ ...p.spec, sweep: { ...s, x: { ...s.x, count: 32 }, y: { ...s.y, count: 32 } } }));
    const engine = new CpuEngine('cpu', { workers: 0, spawn: null });
    const res = await engine.run(small, {});
    await engine.dispose();
    expect(dominantShare(heatmapFrame(small, res, small.runs, p.mode))).toBeLessThanOrEqual(0.9);
    expect(p.blurb.length).toBeGreaterThan(20);
  });
});
