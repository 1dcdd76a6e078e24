/**
 * The editor's network problems (app/spec-edit.ts): the problem switch, the network,
 * data and param-group sections driven by their schemas, and sweep axes over network paths, each
 * edit giving a spec parseAnySpec accepts.
 */
import { describe, expect, it } from 'vitest';
import { entriesView } from '../../src/app/spec-edit.ts';
import { SCHEDULES } from '../../src/core/registry/index.ts';
import { parseAnySpec, resolveNetPath, sweepablePaths } from '../../src/core/spec.ts';
import { NETWORK_PARAMS } from '../../src/core/network/schema.ts';
import { DEFAULT_NET_SPEC, DEFAULT_SPEC } from '../../src/app/defaults.ts';
import { findPreset, presetOf } from '../../src/app/presets.ts';
import type { SpecJSON } from '../../src/app/spec-edit.ts';
import { applyAction, applyEdit, buildForm, droppedGroupValuesText, findField, getAt, netAxisRange, problemOf, setAxisParam, sweepOptions, switchOptimizer, switchSchedule } from '../../src/app/spec-edit.ts';
import { distinctIntCount } from '../../src/core/sampling.ts';
import { zoomAround } from '../../src/app/heatmap/zoom-around.ts';
import { axisValues } from '../../src/core/sampling.ts';

const fractal = (): SpecJSON => JSON.parse(JSON.stringify(findPreset('fractal-boundary')?.spec)) as SpecJSON;

describe('the editor on network specs', () => {
  it('shows the network, data and param-group sections in place of the surface, without a start point', () => {
    const form = buildForm(fractal());
    expect(form.sections.map((s) => s.id)).toEqual(['problem', 'network', 'data', 'optimizer', 'groups', 'wrappers', 'schedule', 'run', 'sweep']);
    for (const p of NETWORK_PARAMS) expect(findField(form, `network.${p.key}`), p.key).toBeDefined();
    expect(findField(form, 'data.name')?.type).toBe('select');
    expect(findField(form, 'data.inputs')?.type).toBe('number');
    expect(findField(form, 'optimizer.param_groups.0.params')).toMatchObject({ type: 'list', text: 'layers.0' });
    // The swept group LR says so rather than offering a value.
    expect(findField(form, 'optimizer.param_groups.0.lr')?.type).toBe('swept');
    expect(findField(form, 'start.0')).toBeUndefined();
    // No gradient noise or convergence radius (a surface's); the noise seed seeds the minibatches.
    expect(findField(form, 'noise.std')).toBeUndefined();
    expect(findField(buildForm({ ...fractal(), noise: { std: 0.1 } }), 'noise.std')).toBeDefined();
    expect(findField(form, 'outcome.radius')).toBeUndefined();
    expect(findField(form, 'noise.seed')).toBeDefined();
    expect(findField(buildForm({ ...DEFAULT_SPEC }), 'noise.std')).toBeDefined();
    // An empty data size says what it runs (from its doc's "null: …"), not torch's "None".
    expect(findField(form, 'data.train')?.hint).toMatch(/empty = floor\(the model's parameter count \/ outputs\)/);
    expect(findField(form, 'data.test')?.hint).toMatch(/empty = as many as training points$/);
    expect(buildForm({ ...DEFAULT_SPEC }).sections.map((s) => s.id)).toEqual(['problem', 'surface', 'optimizer', 'wrappers', 'schedule', 'run', 'sweep']);
  });

  it('keeps a batch axis within the training set: the editor starts it there, and a zoom out stays there', () => {
    // The fractal set's size follows the model's: 16 inputs x 8 hidden + 8 outputs = 136 parameters, 136 points.
    const spec = fractal();
    (spec.network as Record<string, unknown>).hidden = [8];
    // Powers of two up to it (walkthrough 14: 1 … 1000 gave 63 and 251).
    expect(netAxisRange(spec, 'network.batch_size')).toEqual({ param: 'network.batch_size', min: 1, max: 128, scale: 'log' });
    const iris = parseAnySpec({ ...DEFAULT_NET_SPEC, sweep: { x: { param: 'optimizer.lr', min: 0.001, max: 1, count: 8, scale: 'log' }, y: { param: 'network.batch_size', min: 1, max: 120, count: 6, scale: 'log' } } });
    const out = zoomAround(iris, { i: 4, j: 3 }, 2) as { sweep: { y: { min: number; max: number } } } | null;
    expect(out?.sweep.y).toMatchObject({ min: 1, max: 120 });
    expect(() => parseAnySpec(out)).not.toThrow();
  });

  it('switches the problem to a network and back, each to its default view', () => {
    const form = buildForm({ ...DEFAULT_SPEC });
    const field = findField(form, 'problem');
    if (!field) throw new Error('no problem field');
    const net = applyEdit({ ...DEFAULT_SPEC }, field, 'network');
    expect(problemOf(net)).toBe('network');
    expect(net).toEqual(DEFAULT_NET_SPEC);
    expect(parseAnySpec(net).problem).toBe('network');
    const back = applyEdit(net, field, 'surface');
    expect(back).toEqual(DEFAULT_SPEC);
    // Each default view is a curated one, which the app opens in its colouring (Iris: test accuracy).
    expect(findPreset(presetOf(net))?.mode).toBe('accuracy');
    expect(findPreset(presetOf(back))?.mode).toBe('outcome');
  });

  it('edits network fields and the data set through the schema, giving valid specs', () => {
    const spec = fractal();
    const form = buildForm(spec);
    const hidden = findField(form, 'network.hidden');
    const act = findField(form, 'network.activation');
    const data = findField(form, 'data.name');
    if (!hidden || !act || !data) throw new Error('missing fields');
    let next = applyEdit(spec, hidden, '8, 8');
    next = applyEdit(next, act, 'relu');
    expect(getAt(next, 'network.hidden')).toEqual([8, 8]);
    expect(getAt(next, 'network.activation')).toBe('relu');
    const p = parseAnySpec(next);
    expect(p.problem === 'network' && p.network.hidden).toEqual([8, 8]);
    // Another data set starts from its own defaults.
    const spiral = applyEdit(spec, data, 'spiral');
    expect(getAt(spiral, 'data')).toEqual({ name: 'spiral' });
    expect(parseAnySpec(spiral).problem).toBe('network');
  });

  it("says what an unset divergence bound means for this problem (a network's initial loss, a surface's default)", () => {
    const field = (spec: SpecJSON): { hint: string; placeholder: string } => {
      const f = findField(buildForm(spec), 'outcome.bound');
      return f?.type === 'number' ? { hint: f.hint, placeholder: f.placeholder } : { hint: '', placeholder: '' };
    };
    // The hint under the field says it whole; the field itself, too narrow for it, says "default".
    expect(field(fractal()).hint).toMatch(/empty = 1e6 x the initial loss$/);
    expect(field(DEFAULT_SPEC as SpecJSON).hint).toMatch(/empty = the surface's default$/);
    expect(field(fractal()).placeholder).toBe('default');
  });

  it('offers network paths for the axes (group LRs, the batch size) at usable ranges', () => {
    const spec = fractal();
    const values = sweepOptions(spec).map((o) => o.value);
    expect(values).toEqual(expect.arrayContaining(['optimizer.lr', 'optimizer.momentum', 'optimizer.param_groups.0.lr', 'network.batch_size']));
    const batch = setAxisParam(spec, 'sweep.x', 'network.batch_size');
    expect(getAt(batch, 'sweep.x')).toMatchObject({ param: 'network.batch_size', min: 1, scale: 'log' });
    expect(parseAnySpec(batch).problem).toBe('network');
    // The batch sizes practitioners run, powers of two, a cell each: no column repeats a batch size.
    const x = getAt(batch, 'sweep.x') as { min: number; max: number; count: number };
    const grid = axisValues(x.min, x.max, x.count, 'log', true);
    expect(Array.from(grid)).toEqual(Array.from({ length: x.count }, (_, k) => 2 ** k));
    expect(x.max).toBe(2 ** (x.count - 1));
    expect(x.count).toBeLessThan(getAt(spec, 'sweep.x.count') as number);
    expect(Array.from(axisValues(1, 120, distinctIntCount(1, 120, 'log', 32), 'log', true))).toEqual([1, 2, 3, 4, 7, 11, 18, 29, 46, 74, 120]);
    expect(distinctIntCount(1, 1000, 'linear', 16)).toBe(16);
    const mom = setAxisParam(spec, 'sweep.x', 'optimizer.param_groups.0.momentum');
    expect(getAt(mom, 'sweep.x')).toMatchObject({ min: 0, max: 0.99, scale: 'linear' });
    expect(parseAnySpec(mom).problem).toBe('network');
  });

  it("starts an axis over a tuple's element or a schedule length at the registry's typical range, lengths in the run's steps", () => {
    const adam = { ...fractal(), optimizer: { name: 'Adam', lr: 0.01, param_groups: [{ params: ['layers.0'], lr: 0.01 }] }, steps: 50 };
    const beta2 = setAxisParam(adam, 'sweep.x', 'optimizer.betas.1');
    expect(getAt(beta2, 'sweep.x')).toMatchObject({ param: 'optimizer.betas.1', min: 0.9, max: 0.9999, scale: 'linear' });
    expect(parseAnySpec(beta2).problem).toBe('network');
    // CosineAnnealingLR's typical T_max, 0.1 … 2 times the steps, as integers.
    const cosine = setAxisParam({ ...adam, schedule: { name: 'CosineAnnealingLR', T_max: 50 } }, 'sweep.x', 'schedule.T_max');
    expect(getAt(cosine, 'sweep.x')).toMatchObject({ param: 'schedule.T_max', min: 5, max: 100, scale: 'linear' });
    expect(parseAnySpec(cosine).problem).toBe('network');
  });

  it.each(SCHEDULES.map((s) => s.id))("lists the schedule's numeric values (%s) for the axes, each giving a spec that parses", (id) => {
    const spec = switchSchedule(JSON.parse(JSON.stringify(DEFAULT_NET_SPEC)) as SpecJSON, id);
    const parsed = parseAnySpec(spec);
    if (parsed.problem !== 'network') throw new Error('not a network');
    const values = sweepOptions(spec).map((o) => o.value);
    // The surface editor's source (core's sweepablePaths), as far as a network sweep takes them.
    const schedulePaths = sweepablePaths(entriesView(spec))
      .map((t) => t.path)
      .filter((p) => p.startsWith('schedule.') && typeof resolveNetPath(parsed, p) !== 'string');
    expect(schedulePaths.length).toBeGreaterThan(id === 'ChainedScheduler' || id === 'SequentialLR' ? 1 : 0);
    expect(values.filter((v) => v.startsWith('schedule.'))).toEqual(schedulePaths);
    for (const p of schedulePaths) {
      // On the axis that does not sweep it already (OneCycleLR's y sweeps max_momentum).
      const axis = getAt(spec, 'sweep.y.param') === p ? 'sweep.y' : 'sweep.x';
      const next = setAxisParam(spec, axis, p);
      expect(getAt(next, `${axis}.param`)).toBe(p);
      expect(() => parseAnySpec(next), p).not.toThrow();
    }
  });

  it('keeps an axis over the batch size or a group LR when the schedule or the optimizer changes', () => {
    const spec = setAxisParam(fractal(), 'sweep.y', 'network.batch_size');
    const axes = (s: SpecJSON): unknown[] => [getAt(s, 'sweep.x.param'), getAt(s, 'sweep.y')];
    expect(axes(spec)[0]).toBe('optimizer.param_groups.0.lr');
    expect(axes(switchSchedule(spec, 'StepLR'))).toEqual(axes(spec));
    expect(axes(switchOptimizer(spec, 'Adam'))).toEqual(axes(spec));
    // Under OneCycleLR a group's LR is set by the schedule too: its axis sweeps max_lr instead.
    const one = switchSchedule(spec, 'OneCycleLR');
    expect(getAt(one, 'sweep.x.param')).toBe('schedule.max_lr');
    // The groups' own LRs go with it: OneCycleLR sets every group's (walkthrough 13), and a group
    // added under it takes none.
    expect((getAt(one, 'optimizer.param_groups') as { lr?: number }[]).map((g) => g.lr)).toEqual([undefined]);
    // And the page says so (review 22: dropped without a word); a switch that drops nothing says nothing.
    expect(droppedGroupValuesText(spec, one)).toBe("The schedule sets this value in every group itself, as torch does, so the group's own was dropped: param_groups[0].lr.");
    expect(droppedGroupValuesText(spec, switchSchedule(spec, 'StepLR'))).toBe('');
    expect(getAt(applyAction(one, { kind: 'add-group', label: '', disabled: false }), 'optimizer.param_groups.1')).toEqual({ params: ['layers.1'] });
    expect(getAt(one, 'sweep.y')).toEqual(getAt(spec, 'sweep.y'));
    expect(parseAnySpec(one).problem).toBe('network');
  });

  it('adds and removes param groups; axes over a removed group move to the optimizer LR', () => {
    const spec = fractal();
    const added = applyAction(spec, { kind: 'add-group', label: '', disabled: false });
    expect(getAt(added, 'optimizer.param_groups.1')).toEqual({ params: ['layers.1'], lr: 100 });
    // Every tensor is in a group with its own LR now: the axis over optimizer.lr (the output
    // layer's, the default group's) sweeps the new group's LR, the same layer.
    expect(getAt(spec, 'sweep.y.param')).toBe('optimizer.lr');
    expect(getAt(added, 'sweep.y.param')).toBe('optimizer.param_groups.1.lr');
    expect(getAt(added, 'sweep.y.min')).toBe(getAt(spec, 'sweep.y.min'));
    expect(parseAnySpec(added).problem).toBe('network');
    // A random sweep's dims follow the same rule (one rule, retargetUnreachedAxes, for the editor and Paste torch).
    const dim = (axis: string): unknown => ({ param: getAt(spec, `${axis}.param`), min: getAt(spec, `${axis}.min`), max: getAt(spec, `${axis}.max`), scale: 'log' });
    const random = { ...spec, sweep: { kind: 'random', count: 16, seed: 1, dims: [dim('sweep.x'), dim('sweep.y')] } };
    const addedRandom = applyAction(random, { kind: 'add-group', label: '', disabled: false });
    expect([getAt(addedRandom, 'sweep.dims.0.param'), getAt(addedRandom, 'sweep.dims.1.param')]).toEqual(['optimizer.param_groups.0.lr', 'optimizer.param_groups.1.lr']);
    expect(parseAnySpec(addedRandom).problem).toBe('network');
    const removed = applyAction(spec, { kind: 'remove-group', index: 0, label: '', disabled: false });
    expect(getAt(removed, 'optimizer.param_groups')).toEqual([]);
    expect(getAt(removed, 'sweep.x.param')).toBe('optimizer.lr');
  });
});

describe("the batch size's field", () => {
  it("gives the training set's range, with replacement, also while its value is too large (walkthrough 14)", () => {
    const hint = (spec: SpecJSON): string | undefined => (findField(buildForm(spec), 'network.batch_size') as { hint?: string } | undefined)?.hint;
    const want = '[1, 120] (the training set), drawn with replacement; empty = the whole training set (full batch)';
    expect(hint({ ...DEFAULT_NET_SPEC })).toBe(want);
    expect(hint({ ...DEFAULT_NET_SPEC, network: { ...(DEFAULT_NET_SPEC.network as object), batch_size: 500 } })).toBe(want);
    // The sweep's parameter menu says the same range.
    expect(sweepOptions({ ...DEFAULT_NET_SPEC }).find((o) => o.value === 'network.batch_size')?.label).toBe('network.batch_size  [1, 120] int');
  });
});

describe("the optimiser's own values with param groups", () => {
  it('say which layers they train where a group sets its own (walkthrough 14)', () => {
    const hint = (spec: SpecJSON, path: string): string | undefined => (findField(buildForm(spec), path) as { hint?: string } | undefined)?.hint;
    const grouped = { ...DEFAULT_NET_SPEC, optimizer: { name: 'SGD', lr: 0.01, momentum: 0.9, param_groups: [{ params: ['layers.0'], lr: 0.1 }] } };
    expect(hint(grouped, 'optimizer.lr')).toMatch(/(^|; )for layers\.1 \(the param groups that set lr have their own\)$/);
    // No group sets momentum: it trains every tensor, as without groups, and says nothing more.
    expect(hint(grouped, 'optimizer.momentum')).not.toMatch(/for layers/);
    const both = { ...grouped, optimizer: { ...grouped.optimizer, param_groups: [{ params: ['layers.0'], lr: 0.1 }, { params: ['layers.1'], lr: 0.2 }] } };
    expect(hint(both, 'optimizer.lr')).toMatch(/(^|; )trains no tensor: every param group sets its own$/);
    // Without groups: the plain range.
    expect(hint({ ...DEFAULT_NET_SPEC }, 'optimizer.lr')).not.toMatch(/for layers|trains/);
  });
});

describe("torch's per-group lists in the editor", () => {
  // Iris, one explicit group (the first layer) and the default one, under OneCycleLR.
  const spec = (schedule: Record<string, unknown>): SpecJSON => ({
    ...DEFAULT_NET_SPEC,
    optimizer: { name: 'SGD', lr: 0.01, momentum: 0.9, param_groups: [{ params: ['layers.0'] }] },
    schedule,
    sweep: { kind: 'grid', x: { param: 'schedule.pct_start', min: 0.1, max: 0.5, count: 4 }, y: null },
  });

  it('a per-group field takes "0.02, 0.2" as one value per group, one value as a number, and shows a list as it is', () => {
    const s = spec({ name: 'OneCycleLR', max_lr: 0.1, total_steps: 200 });
    const field = findField(buildForm(s), 'schedule.max_lr');
    expect(field?.type === 'number' && field.perGroup).toBe(true);
    expect(field?.hint).toMatch(/or 2 values, one per group$/);
    const listed = applyEdit(s, field as NonNullable<typeof field>, '0.02, 0.2');
    expect(getAt(listed, 'schedule.max_lr')).toEqual([0.02, 0.2]);
    expect(parseAnySpec(listed).problem).toBe('network');
    expect(findField(buildForm(listed), 'schedule.max_lr')).toMatchObject({ type: 'number', text: '0.02, 0.2' });
    expect(getAt(applyEdit(listed, field as NonNullable<typeof field>, '0.3'), 'schedule.max_lr')).toBe(0.3);
    // Not where torch takes one value (div_factor), nor without groups to give a list to.
    expect(findField(buildForm(s), 'schedule.div_factor')).not.toHaveProperty('perGroup');
    const ungrouped = { ...s, optimizer: { name: 'SGD', lr: 0.01, momentum: 0.9 } };
    expect(findField(buildForm(ungrouped), 'schedule.max_lr')).not.toHaveProperty('perGroup');
  });

  it('keeps one value per group as groups are added (the default group\'s value for the new one) and removed', () => {
    const s = { ...spec({ name: 'CyclicLR', base_lr: [0.001, 0.002], max_lr: [0.01, 0.02], step_size_up: 20 }), sweep: { kind: 'grid', x: { param: 'schedule.step_size_up', min: 10, max: 40, count: 4 }, y: null } };
    const added = applyAction(s, { kind: 'add-group', label: '', disabled: false });
    expect(getAt(added, 'schedule.base_lr')).toEqual([0.001, 0.002, 0.002]);
    expect(getAt(added, 'schedule.max_lr')).toEqual([0.01, 0.02, 0.02]);
    expect(parseAnySpec(added).problem).toBe('network');
    const removed = applyAction(added, { kind: 'remove-group', index: 0, label: '', disabled: false });
    expect(getAt(removed, 'schedule.max_lr')).toEqual([0.02, 0.02]);
    expect(parseAnySpec(removed).problem).toBe('network');
    // The last group gone, one value for the one group: the number (it sweeps and slides).
    const none = applyAction(removed, { kind: 'remove-group', index: 0, label: '', disabled: false });
    expect(getAt(none, 'schedule.max_lr')).toBe(0.02);
    expect(parseAnySpec(none).problem).toBe('network');
  });

  it('removing a group from lists of one value per explicit group (they held every tensor) gives its value to the default group its tensors join', () => {
    const s = {
      ...spec({ name: 'OneCycleLR', max_lr: [0.02, 0.2], total_steps: 200 }),
      optimizer: { name: 'SGD', lr: 0.01, momentum: 0.9, param_groups: [{ params: ['layers.0'] }, { params: ['layers.1'] }] },
    };
    expect(parseAnySpec(s).problem).toBe('network');
    const field = findField(buildForm(s), 'schedule.max_lr');
    expect(field?.hint).toMatch(/or 2 values, one per group$/);
    const removed = applyAction(s, { kind: 'remove-group', index: 0, label: '', disabled: false });
    expect(getAt(removed, 'schedule.max_lr')).toEqual([0.2, 0.02]);
    expect(parseAnySpec(removed).problem).toBe('network');
  });

  it('shows a list in full (an edit re-reads every element) and reads "0.3," as the number', () => {
    const s = spec({ name: 'OneCycleLR', max_lr: [0.0123456789012345, 0.2], total_steps: 200 });
    const field = findField(buildForm(s), 'schedule.max_lr');
    expect(field).toMatchObject({ text: '0.0123456789012345, 0.2' });
    expect(getAt(applyEdit(s, field as NonNullable<typeof field>, '0.3,'), 'schedule.max_lr')).toBe(0.3);
  });
});

describe('links to network views', () => {
  it('carry the network spec and its colouring, read back in full', async () => {
    const { encodeUrlState } = await import('../../src/core/url.ts');
    const { readLink } = await import('../../src/app/link.ts');
    const spec = fractal();
    const link = readLink(encodeUrlState(spec, { v: 'convergence' }), { ...DEFAULT_SPEC });
    expect(link.notices).toEqual([]);
    expect(link.mode).toBe('convergence');
    expect(problemOf(link.spec ?? {})).toBe('network');
    expect(getAt(link.spec, 'sweep.x.param')).toBe('optimizer.param_groups.0.lr');
    // A field that cannot be used is dropped and named; the rest of the network view stays.
    const bad = readLink(encodeUrlState({ ...spec, network: { ...(spec.network as object), activation: 'swish' } }, { v: 'test_loss' }), { ...DEFAULT_SPEC });
    expect(bad.notices.join(' ')).toMatch(/network\.activation/);
    expect(problemOf(bad.spec ?? {})).toBe('network');
    expect(bad.mode).toBe('test_loss');
  });
});

describe('zooming a network map', () => {
  it('re-sweeps the dragged rectangle at the same resolution, and + zooms around a cell', async () => {
    const { ZoomController } = await import('../../src/app/controllers/zoom-controller.ts');
    const { zoomAround } = await import('../../src/app/heatmap/zoom-around.ts');
    const spec = parseAnySpec(fractal());
    let shown: SpecJSON | null = null;
    new ZoomController((json) => (shown = json), (why) => expect.fail(why)).zoomTo(spec, { x0: 8.5, x1: 16.5, y0: 0.5, y1: 16.5 });
    const z = shown as SpecJSON | null;
    if (!z) throw new Error('no zoom');
    const zs = parseAnySpec(z);
    expect(zs.problem).toBe('network');
    if (zs.sweep?.kind !== 'grid' || spec.sweep?.kind !== 'grid' || !zs.sweep.y) throw new Error('not a grid');
    expect(zs.sweep.x.count).toBe(32);
    expect(zs.sweep.x.param).toBe('optimizer.param_groups.0.lr');
    expect(zs.sweep.x.min).toBeGreaterThan(spec.sweep.x.min);
    expect(zs.sweep.x.max).toBeLessThan(spec.sweep.x.max);
    expect(zs.sweep.y.min).toBeCloseTo(20, 9);
    const around = zoomAround(spec, { i: 16, j: 16 }, 0.5);
    const a = around ? parseAnySpec(around) : null;
    if (a?.sweep?.kind !== 'grid') throw new Error('no zoom around');
    expect(a.sweep.x.max / a.sweep.x.min).toBeCloseTo(Math.sqrt(1e5), 0);
  });
});
