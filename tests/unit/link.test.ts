/**
 * Links and imported files that cannot be read in full (app/link.ts): what can be used is kept,
 * what cannot is dropped and named; a link with no readable spec gives the default view and says
 * so; the app's own export and a result document give the spec inside them.
 */
import { describe, expect, it } from 'vitest';
import { parseSpec, specToJSON } from '../../src/core/spec.ts';
import { encodeUrlState } from '../../src/core/url.ts';
import { makePlan } from '../../src/core/plan.ts';
import { writeResultsJSON } from '../../src/core/results.ts';
import { DEFAULT_SPEC } from '../../src/app/defaults.ts';
import { pathKeys, readLink, repairSpec, specOfDocument } from '../../src/app/link.ts';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';

const DEFAULTS = DEFAULT_SPEC as Record<string, unknown>;
const good = {
  surface: { name: 'himmelblau' },
  optimizer: { name: 'Adam', lr: 0.05 },
  steps: 200,
  sweep: { kind: 'grid', x: { param: 'start.0', min: -5, max: 5, count: 8 }, y: { param: 'start.1', min: -5, max: 5, count: 8 } },
};

describe('repairSpec', () => {
  it('keeps a valid spec as it is (normalised)', () => {
    expect(repairSpec(good, DEFAULTS)).toEqual({ spec: specToJSON(parseSpec(good)), dropped: [] });
  });

  it('drops unknown and invalid fields, naming each, and keeps the rest', () => {
    const bad = { ...good, colour: 'red', optimizer: { name: 'Adam', lr: 0.05, momentum: 0.9, eps: -1 } };
    const r = repairSpec(bad, DEFAULTS);
    expect(r.spec).toEqual(specToJSON(parseSpec(good)));
    expect(r.dropped.join('\n')).toMatch(/^colour \(unknown field\)/m);
    expect(r.dropped.join('\n')).toMatch(/^optimizer\.momentum \(unknown field\)/m);
    expect(r.dropped.join('\n')).toMatch(/^optimizer\.eps /m);
    expect(r.dropped).toHaveLength(3);
  });

  it('takes what the spec needs and lacks from the defaults, and drops a sweep it cannot mend', () => {
    const r = repairSpec({ optimizer: { name: 'SGD', lr: 0.01 }, steps: -3 }, DEFAULTS);
    expect(r.spec.surface).toEqual(specToJSON(parseSpec(DEFAULTS)).surface);
    expect(r.spec.steps).toBe(500);
    expect((r.spec.optimizer as { lr: number }).lr).toBe(0.01);
    expect(r.dropped.some((d) => d.startsWith('surface'))).toBe(true);
    expect(r.dropped.some((d) => d.startsWith('steps'))).toBe(true);
    const s = repairSpec({ ...good, sweep: { kind: 'grid', x: { param: 'optimizer.nope', min: 0, max: 1, count: 4 } } }, DEFAULTS);
    expect(() => parseSpec(s.spec)).not.toThrow();
    expect(s.dropped.join('\n')).toMatch(/sweep/);
  });

  it('gives the defaults for something that is not a spec at all, and says so', () => {
    const r = repairSpec([1, 2], DEFAULTS);
    expect(r.spec).toEqual(specToJSON(parseSpec(DEFAULTS)));
    expect(r.dropped).toHaveLength(1);
  });

  it('follows quoted keys in error paths back to the key', () => {
    expect(pathKeys('optimizer."lr "')).toEqual(['optimizer', 'lr ']);
    expect(pathKeys('schedule.schedulers.1 (LinearLR).total_iters')).toEqual(['schedule', 'schedulers', '1', 'total_iters']);
    expect(repairSpec({ ...good, optimizer: { name: 'Adam', 'lr ': 1 } }, DEFAULTS).dropped[0]).toMatch(/^optimizer\."lr "/);
  });
});

describe('readLink', () => {
  it('reads a link the app wrote, spec and view, with no notice', () => {
    const r = readLink(encodeUrlState(good, { v: 'loss' }), DEFAULTS);
    expect(r).toEqual({ spec: specToJSON(parseSpec(good)), mode: 'loss', notices: [] });
    expect(readLink('', DEFAULTS)).toEqual({ spec: null, mode: null, notices: [] });
  });

  it('names what it dropped from a link with an unknown field, and keeps the rest', () => {
    const r = readLink(encodeUrlState({ ...good, shiny: true }), DEFAULTS);
    expect(r.spec).toEqual(specToJSON(parseSpec(good)));
    expect(r.notices).toEqual([expect.stringMatching(/dropped.*shiny \(unknown field\)/)]);
  });

  it("says each dropped value's allowed range, hints torch's field name, names a block dropped whole and why, and says nothing twice (walkthrough 10)", () => {
    const { dropped } = repairSpec({ ...DEFAULT_SPEC, optimizer: { name: 'Adam', lr: -0.001, betas: [0.9, 1.5] }, scheduler: { name: 'StepLR' } }, DEFAULT_SPEC);
    expect(dropped).toEqual(
      expect.arrayContaining(['scheduler (unknown field; did you mean schedule?)', 'optimizer.lr (-0.001 is out of range; allowed [0, inf))', 'optimizer.betas.1 (1.5 is out of range; allowed [0, 1))']),
    );
    expect(new Set(dropped).size).toBe(dropped.length);
    const cos = repairSpec({ ...DEFAULT_SPEC, schedule: { name: 'CosineAnnealingLR', T_max: -5 } }, DEFAULT_SPEC).dropped;
    expect(cos).toEqual(['schedule.T_max (-5 is out of range; allowed integers [1, 16777216])', expect.stringMatching(/^schedule, all of it \(schedule\.T_max: required: /)]);
    const name = repairSpec({ ...DEFAULT_SPEC, optimizer: { name: 'Adamm', lr: 0.01 } }, DEFAULT_SPEC).dropped;
    expect(name).toEqual([expect.stringMatching(/^optimizer\.name \(expected one of SGD, .*, got "Adamm"\)$/), "optimizer: the default view's optimizer instead (no usable optimizer.name)"]);
  });

  it('reads class names as torch code qualifies them (torch.optim.Adam, optim.lr_scheduler.StepLR, swa_utils.SWALR)', () => {
    const spec = parseSpec({ ...good, optimizer: { name: 'torch.optim.Adam', lr: 0.01 }, schedule: { name: 'optim.lr_scheduler.StepLR', step_size: 5 } });
    expect([spec.optimizer.name, spec.schedule?.name]).toEqual(['Adam', 'StepLR']);
    expect(parseSpec({ ...good, optimizer: { name: 'SGD', lr: 0.01 }, schedule: { name: 'torch.optim.swa_utils.SWALR', swa_lr: 0.01 } }).schedule?.name).toBe('SWALR');
    expect(() => parseSpec({ ...good, optimizer: { name: 'torch.nn.Adam' } })).toThrow(/optimizer\.name: expected one of .*, got "torch\.nn\.Adam"/);
  });

  it('gives the default view and a notice for a garbage or truncated link, never silently', () => {
    const full = encodeUrlState(good);
    for (const hash of ['#s=%%%%', '#s=bm90IGpzb24', full.slice(0, full.length - 12)]) {
      const r = readLink(hash, DEFAULTS);
      expect(r.spec, hash).toEqual(specToJSON(parseSpec(DEFAULTS)));
      expect(r.notices, hash).toEqual([expect.stringMatching(/could not be read.*default view/)]);
    }
    expect(readLink(`${encodeUrlState(good)}&v=rainbow`, DEFAULTS).notices).toEqual([expect.stringMatching(/rainbow/)]);
  });
});

describe('specOfDocument', () => {
  it("takes the spec out of the app's own JSON export (the CLI's result document)", async () => {
    const plan = makePlan(parseSpec({ ...good, steps: 20 }));
    const engine = new CpuEngine('cpu', { workers: 0, spawn: null });
    const res = await engine.run(plan, {});
    await engine.dispose();
    const parts: string[] = [];
    writeResultsJSON(res, plan, (c) => parts.push(c));
    const doc = JSON.parse(parts.join('')) as unknown;
    const r = specOfDocument(doc, DEFAULTS);
    expect(r).toEqual({ spec: specToJSON(plan.spec), dropped: [], fromResults: true });
    expect(specOfDocument(good, DEFAULTS).fromResults).toBe(false);
  });
});
