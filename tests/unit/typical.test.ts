/**
 * Typical sweep ranges (core/typical.ts), over every sweepable path of every registry entry and
 * every sweepable run-level setting, as registry.test.ts checks every entry: each path has one,
 * inside what the parameter allows, usable as a sweep axis (log ranges positive), and a spec
 * sweeping it over that range is valid. A new entry, parameter or run setting is checked here
 * without being listed anywhere.
 */
import { describe, expect, it } from 'vitest';
import { inRange, rangeText } from '../../src/core/params.ts';
import { OPTIMIZERS, SCHEDULES, SURFACES } from '../../src/core/registry/index.ts';
import { RUN_SLOT_PATHS } from '../../src/core/run-settings.ts';
import type { PathContext } from '../../src/core/spec.ts';
import { parseSpec, resolveParamPath, sweepablePaths } from '../../src/core/spec.ts';
import { distinctIntCount } from '../../src/core/sampling.ts';
import { typicalRange } from '../../src/core/typical.ts';
import { entriesView, switchSchedule } from '../../src/app/spec-edit.ts';

type Json = Record<string, unknown>;

/** A valid spec holding the entry (the editor's defaults for it), with SAM on so that sam.rho is sweepable. */
function baseSpec(kind: 'surface' | 'optimizer' | 'schedule', id: string, steps: number): Json {
  const base: Json = { surface: { name: 'rosenbrock' }, optimizer: { name: 'SGD', momentum: 0.9 }, steps, sam: { rho: 0.05 } };
  if (kind === 'surface') return { ...base, surface: { name: id } };
  if (kind === 'optimizer') return { ...base, optimizer: { name: id } };
  // The editor's proposal, valid for any run length (OneCycleLR's total_steps and a chained cosine's T_max span the run).
  return switchSchedule(base, id);
}

const ENTRIES: { kind: 'surface' | 'optimizer' | 'schedule'; id: string }[] = [
  ...SURFACES.map((e) => ({ kind: 'surface' as const, id: e.id })),
  ...OPTIMIZERS.map((e) => ({ kind: 'optimizer' as const, id: e.id })),
  ...SCHEDULES.map((e) => ({ kind: 'schedule' as const, id: e.id })),
];

/** Paths a spec of this entry makes sweepable that belong to the entry itself (or to the run, for the surface rows). */
function ownPaths(kind: string, ctx: PathContext): string[] {
  return sweepablePaths(ctx)
    .map((t) => t.path)
    .filter((p) => p.startsWith(`${kind}.`) || (kind === 'surface' && (RUN_SLOT_PATHS as readonly string[]).includes(p)));
}

describe.each(ENTRIES.map((e) => [`${e.kind} ${e.id}`, e] as const))('%s', (_, e) => {
  for (const steps of [1, 7, 500, 20_000]) {
    it(`gives every sweepable path a typical range inside its allowed range (${steps} steps), which a spec can sweep`, () => {
      const json = baseSpec(e.kind, e.id, steps);
      expect(() => parseSpec(json), 'the base spec is valid').not.toThrow();
      const ctx = { ...entriesView(json), steps };
      const paths = ownPaths(e.kind, ctx);
      const problems: string[] = [];
      for (const path of paths) {
        const t = resolveParamPath(ctx, path);
        if (typeof t === 'string') throw new Error(t);
        const r = typicalRange(ctx, path);
        if (!r) {
          problems.push(`${path}: no typical range`);
          continue;
        }
        if (!(r.min <= r.max) || (steps >= 500 && !(r.min < r.max))) problems.push(`${path}: empty range [${r.min}, ${r.max}]`);
        for (const v of [r.min, r.max]) if (!inRange(v, t.range)) problems.push(`${path}: ${v} outside ${rangeText(t.range)}`);
        if (r.scale === 'log' && !(r.min > 0)) problems.push(`${path}: log range from ${r.min}`);
        if (t.int && !(Number.isInteger(r.min) && Number.isInteger(r.max))) problems.push(`${path}: integer parameter, range [${r.min}, ${r.max}]`);
        try {
          // As the editor sets an axis: one cell over an empty range, no more cells than distinct integers.
          const count = r.min === r.max ? 1 : t.int ? distinctIntCount(r.min, r.max, r.scale, 3) : 3;
          parseSpec({ ...json, sweep: { kind: 'grid', x: { ...r, count }, y: null } });
        } catch (err) {
          problems.push(`${path}: a sweep over [${r.min}, ${r.max}] is refused: ${(err as Error).message}`);
        }
      }
      expect(problems).toEqual([]);
    });
  }
});

describe('typical ranges', () => {
  it('cover every sweepable run-level setting, and every entry kind has paths checked above', () => {
    const ctx = { ...entriesView({ surface: { name: 'himmelblau' }, optimizer: { name: 'Adam' }, steps: 100, sam: {} }), steps: 100 };
    for (const p of RUN_SLOT_PATHS) expect(typicalRange(ctx, p), p).not.toBeNull();
    expect(ownPaths('optimizer', ctx).length).toBeGreaterThan(3);
  });

  it("differ between optimisers where their LRs do (Adam's is not SGD's)", () => {
    const at = (name: string) => typicalRange({ ...entriesView({ surface: { name: 'rosenbrock' }, optimizer: { name } }), steps: 100 }, 'optimizer.lr');
    expect(at('SGD')).toEqual({ param: 'optimizer.lr', min: 1e-5, max: 1e-2, scale: 'log' });
    expect((at('Adam')?.max ?? 0) / (at('SGD')?.max ?? 1)).toBeGreaterThanOrEqual(10);
  });

  it("span the surface's view for start points, and scale lengths counted in steps with the run", () => {
    const view = (surface: string, steps: number) => ({ ...entriesView({ surface: { name: surface }, optimizer: { name: 'SGD' }, schedule: { name: 'CosineAnnealingLR', T_max: 10 } }), steps });
    expect(typicalRange(view('himmelblau', 100), 'start.0')).toEqual({ param: 'start.0', min: -5, max: 5, scale: 'linear' });
    expect(typicalRange(view('rosenbrock', 100), 'start.1')).toEqual({ param: 'start.1', min: -1, max: 3, scale: 'linear' });
    expect(typicalRange(view('rosenbrock', 100), 'schedule.T_max')).toEqual({ param: 'schedule.T_max', min: 10, max: 200, scale: 'linear' });
    expect(typicalRange(view('rosenbrock', 1000), 'schedule.T_max')).toEqual({ param: 'schedule.T_max', min: 100, max: 2000, scale: 'linear' });
  });

  it('are null for paths that are not sweepable here, and for drafts the view cannot use', () => {
    const ctx = { ...entriesView({ surface: { name: 'nope' }, optimizer: { name: 'SGD' } }), steps: 100 };
    expect(typicalRange(ctx, 'optimizer.nesterov')).toBeNull();
    expect(typicalRange(ctx, 'start.0')).toBeNull();
    expect(typicalRange(ctx, 'sam.rho')).toBeNull();
  });
});
