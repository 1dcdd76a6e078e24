/**
 * Links and imported files that cannot be read in full (app/link.ts): what can be used is kept,
 * what cannot is dropped and named; a link with no readable spec gives the default view and says
 * so; the app's own export and a result document give the spec inside them.
 */
import { describe, expect, it } from 'vitest';
import { anySpecToJSON, parseAnySpec, parseSpec, specToJSON } from '../../src/core/spec.ts';
import { makeNetPlan } from '../../src/core/network/plan.ts';
import { encodeUrlState } from '../../src/core/url.ts';
import { makePlan } from '../../src/core/plan.ts';
import { writeResultsJSON } from '../../src/core/results.ts';
import { DEFAULT_SPEC } from '../../src/app/defaults.ts';
import { pathKeys, readLink, repairSpec, specOfDocument } from '../../src/app/link.ts';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';
import { resultDocumentSpec } from '../../src/core/json.ts';

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

  it("drops a refused key inside a list's element (a param group's lr), keeping the group and the others (walkthrough 14)", () => {
    const net = {
      network: { hidden: [8], activation: 'relu', batch_size: 16 },
      data: { name: 'spiral', train: 40, test: 20 },
      optimizer: { name: 'SGD', lr: 0.01, momentum: 0.9, param_groups: [{ params: ['layers.0'], lr: 0.1 }, { params: ['layers.1'] }] },
      schedule: { name: 'OneCycleLR', max_lr: [0.5, 0.05], total_steps: 200 },
      steps: 200,
      sweep: { x: { param: 'optimizer.param_groups.0.lr', min: 1e-4, max: 1, count: 12, scale: 'log' }, y: { param: 'network.batch_size', min: 1, max: 32, count: 6, scale: 'log' } },
    };
    const r = repairSpec(net, DEFAULTS);
    const opt = r.spec.optimizer as { param_groups: unknown[] };
    expect(opt.param_groups).toEqual([{ params: ['layers.0'] }, { params: ['layers.1'] }]);
    expect((r.spec.schedule as { max_lr: unknown }).max_lr).toEqual([0.5, 0.05]);
    // The refused axis goes; the sweep keeps the other one, not the default view's surface sweep.
    expect(r.spec.sweep).toEqual({ kind: 'grid', x: { param: 'network.batch_size', min: 1, max: 32, count: 6, scale: 'log' }, y: null });
    expect(r.dropped).toEqual([
      expect.stringMatching(/^sweep\.x\.param \(optimizer\.param_groups\.0\.lr has no effect under OneCycleLR.*\): the sweep runs along its other axis, network\.batch_size, alone$/),
      expect.stringMatching(/^optimizer\.param_groups\.0\.lr \(has no effect: .*the schedule's list \(schedule\.max_lr: \[0\.5, 0\.05\]\) gives each group its own already: leave the group's lr out\)$/),
    ]);
    // A list element refused whole takes its list with it (the others would move); so does an element's required key.
    const noParams = repairSpec({ ...net, schedule: null, sweep: null, optimizer: { ...net.optimizer, param_groups: [{ params: 'layers.0' }, { params: ['layers.1'] }] } }, DEFAULTS);
    expect((noParams.spec.optimizer as { param_groups?: unknown }).param_groups ?? []).toEqual([]);
    expect(noParams.dropped.some((d) => d.startsWith('optimizer.param_groups'))).toBe(true);
    expect((noParams.spec.optimizer as { name: string }).name).toBe('SGD');
  });

  // A small network on spiral data (40 training samples), without a sweep.
  const SPIRAL = { network: { hidden: [4], activation: 'relu', batch_size: 16 }, data: { name: 'spiral', train: 40, test: 20 }, optimizer: { name: 'SGD', lr: 0.01 }, steps: 20 };

  it("gives a network spec whose sweep cannot be mended no sweep (one run), never the default view's surface sweep", () => {
    const net = { ...SPIRAL, sweep: { x: { param: 'optimizer.nope', min: 0, max: 1, count: 4 }, y: { param: 'optimizer.nope2', min: 0, max: 1, count: 4 } } };
    const r = repairSpec(net, DEFAULTS);
    expect(r.spec.sweep ?? null).toBeNull();
    // Both axes refused in one round: one notice, not "runs along its other axis" first (review 19).
    expect(r.dropped).toEqual([expect.stringMatching(/^sweep, all of it \(both axes refused: sweep\.x\.param: .*nope.*; sweep\.y\.param: .*nope2/)]);
    // A surface spec still takes the default view's sweep where its own cannot be mended, said once.
    const both = repairSpec({ ...good, sweep: { kind: 'grid', x: { param: 'optimizer.nope', min: 0, max: 1, count: 4 }, y: { param: 'optimizer.nope2', min: 0, max: 1, count: 4 } } }, DEFAULTS);
    expect(both.dropped[0]).toMatch(/^sweep: the default view's sweep instead \(both axes refused: /);
    // Its momentum axis does not fit this spec's optimizer either: named as the default view's.
    expect(both.dropped.slice(1)).toEqual([expect.stringMatching(/^the default view's sweep\.y\.param \(.*momentum.*\): the sweep runs along its other axis, optimizer\.lr, alone$/)]);
    const s = repairSpec({ ...good, sweep: { kind: 'grid', x: { param: 'optimizer.nope', min: 0, max: 1, count: 4 } } }, DEFAULTS);
    expect(s.dropped.join('\n')).toMatch(/sweep\.x\.param .*: the sweep has no axis left/);
  });

  it('drops an axis refused for its range too, keeping the other; a list dropped whole is named as such (review 19)', () => {
    const net = { ...SPIRAL, sweep: { x: { param: 'optimizer.lr', min: 0.001, max: 1, count: 4, scale: 'log' }, y: { param: 'network.batch_size', min: 1, max: 64, count: 7, scale: 'log' } } };
    // A batch axis past the training set (40): the LR axis stays.
    const r = repairSpec(net, DEFAULTS);
    expect((r.spec.sweep as { x: { param: string }; y: unknown }).x.param).toBe('optimizer.lr');
    expect((r.spec.sweep as { y: unknown }).y).toBeNull();
    expect(r.dropped).toEqual([expect.stringMatching(/^sweep\.y\.max \(a batch size of 64 is more than the 40 training samples.*\): the sweep runs along its other axis, optimizer\.lr, alone$/)]);
    // A group naming no layer: the list goes (the others would move), and the notice names the list.
    const g = repairSpec({ ...net, sweep: null, optimizer: { name: 'SGD', lr: 0.01, param_groups: [{ params: ['layers.9'], lr: 0.1 }, { params: ['layers.1'], lr: 0.2 }] } }, DEFAULTS);
    expect((g.spec.optimizer as { param_groups?: unknown[] }).param_groups ?? []).toEqual([]);
    expect(g.dropped.join('\n')).toMatch(/^optimizer\.param_groups, all of it \(optimizer\.param_groups\.0\.params, dropped above, is required\)$/m);
    expect(g.dropped.join('\n')).not.toMatch(/got nothing/);
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
      expect.arrayContaining(['scheduler (unknown field; did you mean schedule?)', 'optimizer.lr (-0.001 is out of range; allowed [0, inf))', 'optimizer.betas, all of it (optimizer.betas.1: 1.5 is out of range; allowed [0, 1))']),
    );
    expect(new Set(dropped).size).toBe(dropped.length);
    const cos = repairSpec({ ...DEFAULT_SPEC, schedule: { name: 'CosineAnnealingLR', T_max: -5 } }, DEFAULT_SPEC).dropped;
    expect(cos).toEqual(['schedule.T_max (-5 is out of range; allowed integers [1, 16777216])', expect.stringMatching(/^schedule, all of it \(schedule\.T_max, dropped above: required: /)]);
    const name = repairSpec({ ...DEFAULT_SPEC, optimizer: { name: 'Adamm', lr: 0.01 } }, DEFAULT_SPEC).dropped;
    // Between two names as near, both are offered (walkthrough 23).
    expect(name).toEqual([expect.stringMatching(/^optimizer\.name \(expected one of SGD, .*, got "Adamm" \(did you mean Adam or AdamW\?\)\)$/), "optimizer: the default view's optimizer instead (no usable optimizer.name)"]);
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
    // An engine the page does not know, and a second spec, are said too (walkthrough 15).
    expect(readLink(`${encodeUrlState(good)}&engine=quantum`, DEFAULTS).notices).toEqual(['The link\'s engine "quantum" is not one of cpu, gpu; the engine is chosen as usual.']);
    expect(readLink(`${encodeUrlState(good)}&engine=cpu`, DEFAULTS).notices).toEqual([]);
    expect(readLink(`${encodeUrlState(good)}&${encodeUrlState(good).slice(1)}`, DEFAULTS).notices).toEqual(['The link holds 2 specs (s=); the first is shown.']);
  });
});

describe('resultDocumentSpec (the CLI and the app read result documents alike)', () => {
  const spec = { surface: { name: 'rosenbrock' } };
  it.each([
    ['a sweep document', { spec, engine: 'cpu', diverged: [0] }, spec],
    ['a network sweep document (its top-level network is the model size)', { spec, engine: 'cpu', network: { params: 22 } }, spec],
    ['a trajectory document', { spec, paths: [] }, spec],
    ['a validate report', { spec, engines: ['cpu', 'cpu64'], pairs: [] }, spec],
    ['a bare wrapper', { spec }, spec],
    ['a spec', spec, undefined],
    ['a spec with a stray spec key beside its surface', { ...spec, spec }, undefined],
    ['a spec key that is not an object', { spec: 3, engine: 'cpu' }, undefined],
    ['an array', [spec], undefined],
    ['null', null, undefined],
  ])('%s', (_, json, want) => {
    expect(resultDocumentSpec(json)).toBe(want);
    expect(specOfDocument(json, DEFAULTS).fromResults).toBe(want !== undefined);
  });
});

describe('repairSpec on a network spec (walkthrough 15)', () => {
  it('takes a missing block from the default network view, keeping the rest of the network spec', () => {
    const net = {
      network: { hidden: [8], activation: 'relu', batch_size: 16 },
      data: { name: 'mnist', train: 120, test: 30 },
      optimizer: { name: 'Adam', lr: 0.01 },
      steps: 50,
      sweep: { x: { param: 'optimizer.lr', min: 1e-3, max: 1, count: 8, scale: 'log' } },
    };
    const r = repairSpec(net, DEFAULTS);
    expect(r.spec).toMatchObject({ network: { hidden: [8], activation: 'relu', batch_size: 16 }, data: { name: 'iris' }, optimizer: { name: 'Adam', lr: 0.01 }, steps: 50, sweep: { x: { param: 'optimizer.lr', count: 8 } } });
    expect(r.dropped.join('; ')).toMatch(/^data\.name \(expected one of .*got "mnist"\); data: the default network view's data instead \(no usable data\.name\)$/);
    expect(r.dropped.join('; ')).not.toMatch(/showing the default view/);
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

  it("takes the spec out of a network result document, whose top-level `network` is its model's size (review 18)", async () => {
    const spec = parseAnySpec({ network: { hidden: [4], sharpness_iterations: 0 }, data: { name: 'spiral', train: 40, test: 20 }, optimizer: { name: 'SGD', lr: 0.1 }, steps: 5, sweep: { x: { param: 'optimizer.lr', min: 0.01, max: 0.1, count: 2, scale: 'log' } } });
    if (spec.problem !== 'network') throw new Error('not a network spec');
    const plan = makeNetPlan(spec);
    const engine = new CpuEngine('cpu', { workers: 0, spawn: null });
    const res = await engine.run(plan, {});
    await engine.dispose();
    const parts: string[] = [];
    writeResultsJSON(res, plan, (c) => parts.push(c));
    const doc = JSON.parse(parts.join('')) as Record<string, unknown>;
    expect(Object.keys(doc)).toContain('network');
    expect(specOfDocument(doc, DEFAULTS)).toEqual({ spec: anySpecToJSON(spec), dropped: [], fromResults: true });
  });
});
