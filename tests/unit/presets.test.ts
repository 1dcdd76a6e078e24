/**
 * The curated views (app/presets.ts): each is a valid grid sweep whose map, in its own colouring,
 * shows structure (no colour on more than 90% of the cells), checked at a coarser grid on the float32
 * CPU engine. Network views are checked at 12 × 12 (a network run costs a thousand surface runs),
 * and the fractal view is examples/fractal.json but for its size.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeNetPlan, prepareSpec } from '../../src/core/network/plan.ts';
import { makePlan } from '../../src/core/plan.ts';
import { anySpecToJSON, parseAnySpec, parseSpec } from '../../src/core/spec.ts';
import { PRESETS, findPreset, presetOf } from '../../src/app/presets.ts';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';
import { dominantShare, heatmapFrame } from '../../src/view/frame.ts';
import { isNetMode, modeFor, netDominantShare, netFrame, netModesOf } from '../../src/view/net-frame.ts';

describe.each(PRESETS.map((p) => [p.id, p] as const))('preset %s', (_, p) => {
  it('is a valid grid sweep whose map shows structure', async () => {
    const spec = parseAnySpec(p.spec);
    expect(spec.sweep?.kind).toBe('grid');
    const s = spec.sweep;
    if (s?.kind !== 'grid' || !s.y) throw new Error('not a 2-D grid');
    const engine = new CpuEngine('cpu', { workers: 0, spawn: null });
    if (spec.problem === 'network') {
      await prepareSpec(spec);
      const small = parseAnySpec({ ...p.spec, sweep: { ...s, x: { ...s.x, count: 12 }, y: { ...s.y, count: 12 } } });
      if (small.problem !== 'network') throw new Error('not a network spec');
      const plan = makeNetPlan(small);
      expect(isNetMode(p.mode)).toBe(true);
      const mode = modeFor('network', p.mode, netModesOf(plan));
      expect(mode).toBe(p.mode);
      const res = await engine.run(plan, {});
      expect(netDominantShare(netFrame(plan, res, plan.runs, mode))).toBeLessThanOrEqual(0.9);
    } else {
      const small = makePlan(parseSpec({ ...p.spec, sweep: { ...s, x: { ...s.x, count: 32 }, y: { ...s.y, count: 32 } } }));
      const res = await engine.run(small, {});
      expect(dominantShare(heatmapFrame(small, res, small.runs, modeFor('surface', p.mode)))).toBeLessThanOrEqual(0.9);
      expect(modeFor('surface', p.mode)).toBe(p.mode);
    }
    await engine.dispose();
    expect(p.blurb.length).toBeGreaterThan(20);
  }, 60_000);
});

describe('the fractal-boundary view', () => {
  it('is examples/fractal.json at a smaller size: the same network, data, optimiser and axes', () => {
    const example = parseAnySpec(JSON.parse(readFileSync('examples/fractal.json', 'utf8')));
    const preset = parseAnySpec(findPreset('fractal-boundary')?.spec);
    if (example.problem !== 'network' || preset.problem !== 'network') throw new Error('not network specs');
    expect({ ...preset.network, sharpness_iterations: 0 }).toEqual({ ...example.network, sharpness_iterations: 0 });
    expect(preset.data).toEqual(example.data);
    expect(preset.optimizer).toEqual(example.optimizer);
    expect(preset.paramGroups).toEqual(example.paramGroups);
    const axes = (x: typeof preset) => (x.sweep?.kind === 'grid' ? [x.sweep.x, x.sweep.y].map((a) => a && { ...a, count: 0 }) : null);
    expect(axes(preset)).toEqual(axes(example));
    expect(preset.steps).toBeLessThan(example.steps);
  });
});

describe('the curated view shown', () => {
  it('is the preset whose spec the view is (with every default written out), until an edit makes it another', () => {
    for (const p of PRESETS) {
      expect(presetOf(p.spec)).toBe(p.id);
      expect(presetOf(anySpecToJSON(parseAnySpec(p.spec)))).toBe(p.id);
      expect(presetOf({ ...anySpecToJSON(parseAnySpec(p.spec)), steps: 7 })).toBe('');
    }
    expect(presetOf({ nonsense: true })).toBe('');
  });
});
