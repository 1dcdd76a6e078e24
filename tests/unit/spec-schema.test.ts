/**
 * The published JSON Schema against the parsers (parseAnySpec: surface and network specs): the
 * committed copy is current, every spec basinlab accepts passes the schema, and what the schema can
 * express it rejects exactly where the parser does (each parameter just outside its range, wrong
 * types, unknown fields and names), for surface specs and network specs alike.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { DATA_SETS } from '../../src/core/data/index.ts';
import { DATA_SEED, MAX_PARAM_GROUPS, NETWORK_PARAMS } from '../../src/core/network/schema.ts';
import type { ParamSchema, ParamValues } from '../../src/core/params.ts';
import { OPTIMIZERS, SCHEDULES, SURFACES, findOptimizer } from '../../src/core/registry/index.ts';
import type { OptimizerDef } from '../../src/core/registry/index.ts';
import { RUN_SETTINGS, isBlock, type RunField, type RunSetting } from '../../src/core/run-settings.ts';
import { parseAnySpec } from '../../src/core/spec.ts';
import { specJsonSchema } from '../../src/core/spec-schema.ts';

const schema = specJsonSchema();
const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
const check = ajv.compile(schema);

type Obj = Record<string, unknown>;
const schemaOk = (spec: unknown): boolean => check(spec) === true;
const parseOk = (spec: unknown): boolean => {
  try {
    parseAnySpec(spec);
    return true;
  } catch {
    return false;
  }
};

const BASE: Obj = { surface: 'rosenbrock', optimizer: { name: 'SGD', lr: 0.001, momentum: 0.9 }, steps: 100 };
const withSpec = (over: Obj): Obj => ({ ...BASE, ...over });

/** Every parameter of an entry at its default, plus what a spec must give. */
function fullEntry(id: string, params: readonly ParamSchema[]): Obj {
  const o: Obj = { name: id };
  for (const p of params) o[p.key] = p.default;
  return o;
}

/** A value of `p` just outside its allowed range, below and above where finite. */
function outside(p: ParamSchema): unknown[] {
  if (p.kind === 'bool') return ['yes', 1];
  if (p.kind === 'enum') return [`${p.values[0] ?? 'x'}_not`, 3];
  const out: number[] = [];
  const below = p.min === 0 ? -1e-3 : p.min - Math.max(1e-6, Math.abs(p.min) * 1e-3);
  const above = p.max === 0 ? 1e-3 : p.max + Math.max(1e-6, Math.abs(p.max) * 1e-3);
  if (Number.isFinite(p.min) && p.min > -1e29) out.push(('minExclusive' in p && p.minExclusive) ? p.min : below);
  if (Number.isFinite(p.max) && p.max < 1e29) out.push(('maxExclusive' in p && p.maxExclusive) ? p.max : above);
  const wrap = (v: number): unknown => (p.kind === 'tuple' ? p.default.map((d, i) => (i === 0 ? v : d)) : p.kind === 'int-list' ? [v] : v);
  return out.map(wrap);
}

/** Every run-level setting written out in full from its schema (required fields at their example), for a run of 1000 steps. */
function fullRun(): Obj {
  const o: Obj = {};
  for (const s of RUN_SETTINGS as readonly RunSetting[]) {
    o[s.key] = isBlock(s) ? Object.fromEntries(s.fields.map((f) => [f.key, f.default])) : s.default;
  }
  return o;
}

/** Values of a run-level field just outside what it allows (its `max` where it counts steps: the schema's bound). */
function outsideRun(f: RunField): unknown[] {
  if (f.kind === 'bool') return ['yes', 1];
  if (f.kind === 'enum') return [`${f.values[0] ?? 'x'}_not`, 3];
  const step = (x: number): number => Math.max(1e-6, Math.abs(x) * 1e-3);
  const out = [
    'minExclusive' in f && f.minExclusive ? f.min : f.min - step(f.min),
    'maxExclusive' in f && f.maxExclusive ? f.max : f.max + step(f.max),
    'text',
  ];
  return out.map((v) => (f.kind === 'tuple' ? f.default.map((d, i) => (i === 0 ? v : d)) : v));
}

describe('spec JSON Schema', () => {
  it('docs/spec.schema.json is the generated schema (regenerate: npx basinlab schema -o docs/spec.schema.json)', () => {
    expect(JSON.parse(readFileSync('docs/spec.schema.json', 'utf8'))).toEqual(JSON.parse(JSON.stringify(schema)));
  });

  it('accepts the examples, with a $schema field, and every entry written out in full or lower case', () => {
    for (const f of readdirSync('examples').filter((n) => n.endsWith('.json'))) {
      const spec = { $schema: '../docs/spec.schema.json', ...(JSON.parse(readFileSync(`examples/${f}`, 'utf8')) as Obj) };
      expect(schemaOk(spec), `${f}: ${ajv.errorsText(check.errors)}`).toBe(true);
      expect(parseOk(spec), f).toBe(true);
    }
    const specs: Obj[] = [
      ...SURFACES.map((s) => withSpec({ surface: fullEntry(s.id, s.params) })),
      ...SURFACES.map((s) => withSpec({ surface: s.id.toUpperCase() })),
      ...OPTIMIZERS.map((o) => withSpec({ optimizer: fullEntry(o.id, o.params) })),
      ...OPTIMIZERS.map((o) => withSpec({ optimizer: { ...fullEntry(o.id, o.params), name: o.id.toLowerCase() } })),
      // OneCycleLR's defaults leave total_steps and epochs both None, which its constructor rejects.
      ...SCHEDULES.filter((s) => !s.children).map((s) =>
        withSpec({ steps: 1000, schedule: { ...fullEntry(s.id, s.params), ...(s.id === 'OneCycleLR' ? { total_steps: 1000 } : {}) } }),
      ),
      withSpec({
        steps: 300,
        schedule: { name: 'sequentiallr', milestones: [30], schedulers: [{ name: 'LinearLR', start_factor: 0.1, total_iters: 30 }, 'constantlr'] },
      }),
      withSpec({ schedule: { name: 'ChainedScheduler', schedulers: [{ name: 'ExponentialLR', gamma: 0.99 }, { name: 'StepLR', step_size: 10 }] } }),
      withSpec({ sweep: { kind: 'RANDOM', count: 100, dims: [{ param: 'optimizer.lr', min: 1e-4, max: 1e-2, scale: 'log' }] } }),
      withSpec({ sweep: { kind: 'sobol', count: 64, seed: 3, dims: [{ param: 'start.0', min: -1, max: 1 }, { param: 'start.1', min: -1, max: 1 }] } }),
      withSpec({ sweep: { kind: 'points', params: ['optimizer.lr', 'optimizer.momentum'], points: [[1e-3, 0.5], [1e-2, 0.9]] } }),
      withSpec({ sweep: { x: { param: 'optimizer.lr', min: 1e-4, max: 1e-2, count: 8, scale: 'Log' }, y: null } }),
      withSpec({ swa: { start: 50, every: 5 }, sam: { rho: 0.1, adaptive: true }, noise: { std: 0.1, seed: 4 }, outcome: { radius: null, check_every: 5 } }),
      withSpec({ schedule: null, noise: null, outcome: null, swa: null, sam: null, sweep: null }),
      withSpec(fullRun()),
      withSpec({ ...fullRun(), sweep: { x: { param: 'sam.rho', min: 0, max: 1, count: 2 }, y: { param: 'noise.std', min: 0, max: 1, count: 2 } } }),
    ];
    for (const spec of specs) {
      expect(parseOk(spec), JSON.stringify(spec)).toBe(true);
      expect(schemaOk(spec), `${JSON.stringify(spec)}: ${ajv.errorsText(check.errors)}`).toBe(true);
    }
  });

  it('rejects every parameter just outside its range, or of the wrong type, as parseSpec does', () => {
    let cases = 0;
    const both = (spec: Obj, what: string): void => {
      expect(parseOk(spec), `parseSpec accepted ${what}`).toBe(false);
      expect(schemaOk(spec), `schema accepted ${what}`).toBe(false);
      cases++;
    };
    for (const s of SURFACES) {
      for (const p of s.params) for (const v of outside(p)) both(withSpec({ surface: { ...fullEntry(s.id, s.params), [p.key]: v } }), `${s.id}.${p.key} = ${JSON.stringify(v)}`);
    }
    for (const o of OPTIMIZERS) {
      for (const p of o.params) {
        for (const v of [...outside(p), 'text']) both(withSpec({ optimizer: { ...fullEntry(o.id, o.params), [p.key]: v } }), `${o.id}.${p.key} = ${JSON.stringify(v)}`);
      }
    }
    for (const s of SCHEDULES.filter((x) => !x.children)) {
      for (const p of s.params) {
        for (const v of outside(p)) both(withSpec({ steps: 1000, schedule: { ...fullEntry(s.id, s.params), [p.key]: v } }), `${s.id}.${p.key} = ${JSON.stringify(v)}`);
      }
    }
    expect(cases).toBeGreaterThan(150);
  });

  it('rejects every run-level field just outside its range, or of the wrong type, as parseSpec does', () => {
    let cases = 0;
    const both = (spec: Obj, what: string): void => {
      expect(parseOk(spec), `parseSpec accepted ${what}`).toBe(false);
      expect(schemaOk(spec), `schema accepted ${what}`).toBe(false);
      cases++;
    };
    const run = fullRun();
    expect(parseOk(withSpec(run)) && schemaOk(withSpec(run)), 'control: the settings in full').toBe(true);
    for (const s of RUN_SETTINGS as readonly RunSetting[]) {
      if (isBlock(s)) {
        both(withSpec({ ...run, [s.key]: 3 }), `${s.key} = 3`);
        for (const f of s.fields) {
          for (const v of outsideRun(f)) both(withSpec({ ...run, [s.key]: { ...(run[s.key] as Obj), [f.key]: v } }), `${s.key}.${f.key} = ${JSON.stringify(v)}`);
        }
        const required = s.fields.filter((f) => 'required' in f && f.required);
        for (const f of required) {
          const { [f.key]: _, ...rest } = run[s.key] as Obj;
          both(withSpec({ ...run, [s.key]: rest }), `${s.key} without ${f.key}`);
        }
      } else {
        for (const v of outsideRun(s)) both(withSpec({ ...run, [s.key]: v }), `${s.key} = ${JSON.stringify(v)}`);
      }
    }
    expect(cases).toBeGreaterThan(30);
  });

  it('rejects unknown names and fields, missing required fields and malformed sweeps, as parseSpec does', () => {
    const bad: [string, Obj][] = [
      ['unknown top-level field', withSpec({ step: 10 })],
      ['missing steps', { surface: 'rosenbrock', optimizer: 'SGD' }],
      ['missing surface', { optimizer: 'SGD', steps: 10 }],
      ['unknown surface', withSpec({ surface: 'rosenbrok' })],
      ['unknown optimizer', withSpec({ optimizer: { name: 'Sgdw' } })],
      ['unknown optimizer field', withSpec({ optimizer: { name: 'SGD', nesterov_momentum: 0.9 } })],
      ['steps 0', withSpec({ steps: 0 })],
      ['steps not an integer', withSpec({ steps: 10.5 })],
      ['start of three', withSpec({ start: [0, 0, 0] })],
      ['negative noise', withSpec({ noise: { std: -1 } })],
      ['noise seed not an integer', withSpec({ noise: { seed: 1.5 } })],
      ['unknown schedule', withSpec({ schedule: { name: 'CosineLR' } })],
      ['required schedule argument missing', withSpec({ schedule: { name: 'StepLR' } })],
      ['composite without children', withSpec({ schedule: { name: 'SequentialLR', milestones: [] } })],
      [
        'composite nested in a composite',
        withSpec({ schedule: { name: 'ChainedScheduler', schedulers: [{ name: 'ChainedScheduler', schedulers: ['ExponentialLR'] }] } }),
      ],
      ['ReduceLROnPlateau as a child', withSpec({ schedule: { name: 'ChainedScheduler', schedulers: ['ReduceLROnPlateau'] } })],
      ['too many children', withSpec({ schedule: { name: 'ChainedScheduler', schedulers: Array(9).fill('ExponentialLR') } })],
      ['axis without count', withSpec({ sweep: { x: { param: 'optimizer.lr', min: 0.001, max: 0.01 } } })],
      ['axis count 0', withSpec({ sweep: { x: { param: 'optimizer.lr', min: 0.001, max: 0.01, count: 0 } } })],
      ['unknown scale', withSpec({ sweep: { x: { param: 'optimizer.lr', min: 0.001, max: 0.01, count: 4, scale: 'ln' } } })],
      ['unknown sweep kind', withSpec({ sweep: { kind: 'halton', count: 4, dims: [{ param: 'optimizer.lr', min: 0, max: 1 }] } })],
      ['random sweep with five dims', withSpec({ sweep: { kind: 'random', count: 4, dims: Array(5).fill({ param: 'start.0', min: 0, max: 1 }) } })],
      ['points that are not numbers', withSpec({ sweep: { kind: 'points', params: ['start.0'], points: [['a']] } })],
      ['swa without start', withSpec({ swa: { every: 2 } })],
      ['sam with negative rho', withSpec({ sam: { rho: -0.1 } })],
      ['sam with an unknown field', withSpec({ sam: { rho: 0.1, m: 2 } })],
      ['check_every 0', withSpec({ outcome: { check_every: 0 } })],
      ['radius 0', withSpec({ outcome: { radius: 0 } })],
    ];
    for (const [what, spec] of bad) {
      expect(parseOk(spec), `parseSpec accepted: ${what}`).toBe(false);
      expect(schemaOk(spec), `schema accepted: ${what}`).toBe(false);
    }
  });

  it('says what it leaves to basinlab: cross-field rules pass the schema and fail parseSpec', () => {
    // OneCycleLR's total_steps shorter than the run: a rule of the entry, not of one field.
    const spec = withSpec({ steps: 1000, schedule: { name: 'OneCycleLR', max_lr: 0.1, total_steps: 100 } });
    expect(schemaOk(spec)).toBe(true);
    expect(parseOk(spec)).toBe(false);
    expect(String(schema.description)).toMatch(/cross-field rules/);
  });
});

describe('network specs in the JSON Schema', () => {
  const NET: Obj = { network: { hidden: [4] }, data: 'spiral', optimizer: { name: 'SGD', lr: 0.01 }, steps: 100 };
  const withNet = (over: Obj): Obj => ({ ...NET, ...over });
  const both = (spec: Obj, what: string): void => {
    expect(parseOk(spec), `parseAnySpec accepted ${what}`).toBe(false);
    expect(schemaOk(spec), `schema accepted ${what}`).toBe(false);
  };
  /** The network block with every field at its default. */
  const fullNetwork = (): Obj => {
    const { name: _, ...rest } = fullEntry('network', NETWORK_PARAMS);
    return rest;
  };

  // Optimisers that read a tensor as a whole (a norm or a mean over it) are refused on networks by
  // parseAnySpec (a cross-field rule, basinlab's, not the schema's): checked below.
  const ELEMENTWISE = OPTIMIZERS.filter((o) => !o.perTensor?.(fullEntry(o.id, o.params) as ParamValues));

  it('accepts on networks, in full and with per-group values, each optimiser that reads a tensor as a whole (its tensor rule steps each tensor)', () => {
    const whole = OPTIMIZERS.filter((o) => !ELEMENTWISE.includes(o));
    expect(whole.map((o) => o.id).sort()).toEqual(['Adafactor', 'LAMB', 'LARS']);
    const lionCaution = { ...fullEntry('Lion', (findOptimizer('Lion') as OptimizerDef).params), caution: true };
    const specs: Obj[] = [
      ...whole.map((o) => withNet({ optimizer: fullEntry(o.id, o.params) })),
      ...whole.map((o) => withNet({ optimizer: { ...fullEntry(o.id, o.params), param_groups: [{ params: ['layers.0'], lr: 0.5 }] } })),
      withNet({ optimizer: lionCaution }),
      withNet({ optimizer: { name: 'Lion', param_groups: [{ params: ['layers.1'], caution: true, lr: 1e-3 }] } }),
      withNet({ optimizer: { name: 'LARS', momentum: 0.9, param_groups: [{ params: ['layers.0.weight'], weight_decay: 1e-4, trust_coeff: 0.01, nesterov: true }] } }),
      withNet({ optimizer: { name: 'LAMB', max_grad_norm: 0.5, param_groups: [{ params: ['layers.1'], weight_decay: 0, always_adapt: true }] } }),
      withNet({ optimizer: { name: 'Adafactor', param_groups: [{ params: ['layers.0'], d: 2, eps: [1e-6, 1e-2] }] } }),
      withNet({ optimizer: { name: 'LAMB', param_groups: [{ params: ['layers.0'] }] }, sweep: { x: { param: 'optimizer.param_groups.0.weight_decay', min: 0, max: 0.1, count: 2 } } }),
    ];
    for (const spec of specs) {
      expect(parseOk(spec), JSON.stringify(spec)).toBe(true);
      expect(schemaOk(spec), `${JSON.stringify(spec)}: ${ajv.errorsText(check.errors)}`).toBe(true);
    }
  });

  it('refuses, for every optimiser, each value it reads once for all groups, in a param group, set or swept, naming the field and where the reference reads it', () => {
    const global = OPTIMIZERS.flatMap((o) => Object.entries(o.globalParams ?? {}).map(([key, why]) => ({ o, key, why, p: o.params.find((q) => q.key === key) })));
    // Review 14: Adagrad's initial_accumulator_value in a group was applied (torch ignores it).
    expect(global.map((g) => `${g.o.id}.${g.key}`).sort()).toEqual(['Adagrad.initial_accumulator_value', 'LAMB.max_grad_norm']);
    for (const { o, key, why, p } of global) {
      if (!p || (p.kind !== 'number' && p.kind !== 'optional-number')) throw new Error(`${o.id}.${key}: a number parameter`);
      // Both allow 0.1 … 1 (the sweep below); a value other than the default, so a group's would matter.
      const value = typeof p.default === 'number' && p.default > 0 ? p.default / 2 : 0.5;
      const esc = (t: string): string => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      expect(() => parseAnySpec(withNet({ optimizer: { name: o.id, param_groups: [{ params: ['layers.0'], [key]: value }] } }))).toThrow(
        new RegExp(`optimizer\\.param_groups\\.0\\.${key}.*${o.id} reads ${key} once for all param groups \\(${esc(why)}\\)`),
      );
      expect(() => parseAnySpec(withNet({ optimizer: { name: o.id, param_groups: [{ params: ['layers.0'] }] }, sweep: { x: { param: `optimizer.param_groups.0.${key}`, min: 0.1, max: 1, count: 2 } } }))).toThrow(
        new RegExp(`${o.id} reads ${key} once for all param groups`),
      );
      // On the optimizer it is accepted, and sweepable.
      expect(parseOk(withNet({ optimizer: { name: o.id, [key]: value }, sweep: { x: { param: `optimizer.${key}`, min: 0.1, max: 1, count: 2 } } })), `${o.id}.${key}`).toBe(true);
      // The JSON Schema refuses it in a group too, and takes it on the optimizer (review 15).
      expect(schemaOk(withNet({ optimizer: { name: o.id, param_groups: [{ params: ['layers.0'], [key]: value }] } })), `${o.id}.${key} in a group`).toBe(false);
      expect(schemaOk(withNet({ optimizer: { name: o.id, [key]: value } })), `${o.id}.${key}`).toBe(true);
    }
  });

  it("refuses a param group's value the schedule sets in every group (OneCycleLR's LR, a cycled momentum): torch overwrites it (walkthrough 13)", () => {
    const one = { name: 'OneCycleLR', max_lr: 0.01, total_steps: 20 };
    expect(() => parseAnySpec(withNet({ optimizer: { name: 'AdamW', param_groups: [{ params: ['layers.0'], lr: 0.003 }] }, schedule: one, steps: 20 }))).toThrow(
      /optimizer\.param_groups\.0\.lr: has no effect: OneCycleLR sets every param group's lr from its own values, as torch does/,
    );
    expect(() => parseAnySpec(withNet({ optimizer: { name: 'SGD', lr: 0.1, momentum: 0.9, param_groups: [{ params: ['layers.0'], momentum: 0.5 }] }, schedule: one, steps: 20 }))).toThrow(/param_groups\.0\.momentum: has no effect/);
    // Without the cycle, the group's momentum is its own; a group's other values stay under OneCycleLR.
    expect(parseOk(withNet({ optimizer: { name: 'SGD', lr: 0.1, momentum: 0.9, param_groups: [{ params: ['layers.0'], momentum: 0.5 }] }, schedule: { ...one, cycle_momentum: false }, steps: 20 }))).toBe(true);
    expect(parseOk(withNet({ optimizer: { name: 'AdamW', param_groups: [{ params: ['layers.0'], weight_decay: 0.1 }] }, schedule: one, steps: 20 }))).toBe(true);
  });

  it("refuses LAMB's max_grad_norm in a param group, set or swept (timm reads it once, from self.defaults), naming the field", () => {
    expect(() => parseAnySpec(withNet({ optimizer: { name: 'LAMB', param_groups: [{ params: ['layers.0'], max_grad_norm: 0.5 }] } }))).toThrow(
      /optimizer\.param_groups\.0\.max_grad_norm.*LAMB reads max_grad_norm once for all param groups/,
    );
    expect(() =>
      parseAnySpec(withNet({ optimizer: { name: 'LAMB', param_groups: [{ params: ['layers.0'] }] }, sweep: { x: { param: 'optimizer.param_groups.0.max_grad_norm', min: 0.1, max: 1, count: 2 } } })),
    ).toThrow(/LAMB reads max_grad_norm once for all param groups/);
    // On the optimizer it is accepted, and sweepable.
    expect(parseOk(withNet({ optimizer: { name: 'LAMB', max_grad_norm: 0.5 }, sweep: { x: { param: 'optimizer.max_grad_norm', min: 0.1, max: 1, count: 2 } } }))).toBe(true);
  });

  it('accepts what parseAnySpec accepts: every data set and optimiser in full, param groups, sweeps of network paths', () => {
    const group = { params: ['layers.0'], lr: 0.5 };
    const specs: Obj[] = [
      withNet({ network: fullNetwork() }),
      ...DATA_SETS.map((d) => withNet({ data: fullEntry(d.id, [...d.params, DATA_SEED]) })),
      ...DATA_SETS.map((d) => withNet({ data: d.id.toUpperCase() })),
      ...ELEMENTWISE.map((o) => withNet({ optimizer: { ...fullEntry(o.id, o.params), param_groups: [group] } })),
      // A group holds every value but those the optimiser reads once for all groups (refused below).
      ...ELEMENTWISE.map((o) => withNet({ optimizer: { name: o.id.toLowerCase(), param_groups: [{ params: ['layers.1.weight'], ...fullEntry(o.id, o.params.filter((p) => !Object.hasOwn(o.globalParams ?? {}, p.key))), name: undefined }] } })).map(
        (s) => JSON.parse(JSON.stringify(s)) as Obj,
      ),
      withNet({
        network: { hidden: [16], activation: 'tanh', bias: false, parametrization: 'mean_field' },
        data: 'fractal',
        optimizer: { name: 'SGD', lr: 0.1, param_groups: [group] },
        sweep: {
          x: { param: 'optimizer.param_groups.0.lr', min: 0.01, max: 10, count: 4, scale: 'log' },
          y: { param: 'optimizer.lr', min: 0.01, max: 10, count: 4, scale: 'log' },
        },
      }),
      withNet({ network: { hidden: [4], batch_size: 8 }, sweep: { kind: 'sobol', count: 8, dims: [{ param: 'network.batch_size', min: 1, max: 64 }, { param: 'sam.rho', min: 0, max: 0.1 }] }, sam: { rho: 0.05 } }),
      withNet({ noise: { std: 0, seed: 3 }, outcome: { radius: null, bound: 100, check_every: 5 }, swa: { start: 50 }, schedule: { name: 'StepLR', step_size: 10 } }),
      withNet({ optimizer: { name: 'Adam', param_groups: Array.from({ length: MAX_PARAM_GROUPS }, (_, i) => ({ params: [i % 2 === 0 ? `layers.${i / 2}.weight` : `layers.${(i - 1) / 2}.bias`] })) }, network: { hidden: [4, 4, 4] } }),
    ];
    for (const spec of specs) {
      expect(parseOk(spec), JSON.stringify(spec)).toBe(true);
      expect(schemaOk(spec), `${JSON.stringify(spec)}: ${ajv.errorsText(check.errors)}`).toBe(true);
    }
  });

  it('rejects every network, data set and param-group parameter just outside its range, or of the wrong type, as parseAnySpec does', () => {
    let cases = 0;
    const count = (spec: Obj, what: string): void => {
      both(spec, what);
      cases++;
    };
    const full = fullNetwork();
    expect(parseOk(withNet({ network: full })) && schemaOk(withNet({ network: full })), 'control: the network block in full').toBe(true);
    for (const p of NETWORK_PARAMS) for (const v of [...outside(p), 'text']) count(withNet({ network: { ...full, [p.key]: v } }), `network.${p.key} = ${JSON.stringify(v)}`);
    for (const d of DATA_SETS) {
      const params = [...d.params, DATA_SEED];
      for (const p of params) for (const v of outside(p)) count(withNet({ data: { ...fullEntry(d.id, params), [p.key]: v } }), `${d.id}.${p.key} = ${JSON.stringify(v)}`);
    }
    for (const o of OPTIMIZERS) {
      for (const p of o.params) {
        for (const v of [...outside(p), 'text']) {
          count(withNet({ optimizer: { name: o.id, param_groups: [{ params: ['layers.0'], [p.key]: v }] } }), `${o.id} param_groups.0.${p.key} = ${JSON.stringify(v)}`);
        }
      }
    }
    expect(cases).toBeGreaterThan(200);
  });

  it('rejects what a network spec may not have, and malformed param groups, as parseAnySpec does', () => {
    const bad: [string, Obj][] = [
      ['a surface in a network spec', withNet({ surface: 'rosenbrock' })],
      ['a start point', withNet({ start: [0, 0] })],
      ['gradient noise', withNet({ noise: { std: 0.1 } })],
      ['a convergence radius', withNet({ outcome: { radius: 1 } })],
      ['no data', { network: { hidden: [4] }, optimizer: 'SGD', steps: 10 }],
      ['no optimizer', { network: { hidden: [4] }, data: 'spiral', steps: 10 }],
      ['network not an object', withNet({ network: 'mlp' })],
      ['unknown network field', withNet({ network: { hidden: [4], depth: 2 } })],
      ['too many hidden layers', withNet({ network: { hidden: Array(9).fill(4) } })],
      ['unknown data set', withNet({ data: 'mnist' })],
      ['unknown data field', withNet({ data: { name: 'spiral', points: 10 } })],
      ['param_groups not a list', withNet({ optimizer: { name: 'SGD', param_groups: { params: ['layers.0'] } } })],
      ['too many param groups', withNet({ optimizer: { name: 'SGD', param_groups: Array(MAX_PARAM_GROUPS + 1).fill({ params: ['layers.0'] }) } })],
      ['a group without params', withNet({ optimizer: { name: 'SGD', param_groups: [{ lr: 0.1 }] } })],
      ['a group with no tensors', withNet({ optimizer: { name: 'SGD', param_groups: [{ params: [] }] } })],
      ['a group tensor that is not a name', withNet({ optimizer: { name: 'SGD', param_groups: [{ params: [3] }] } })],
      ['a group with a name', withNet({ optimizer: { name: 'SGD', param_groups: [{ params: ['layers.0'], name: 'Adam' }] } })],
      ['a group with another optimiser\'s field', withNet({ optimizer: { name: 'SGD', param_groups: [{ params: ['layers.0'], betas: [0.9, 0.99] }] } })],
      ['param_groups on a surface', withSpec({ optimizer: { name: 'SGD', param_groups: [{ params: ['layers.0'] }] } })],
      ['a network block in a surface spec', withSpec({ network: { hidden: [4] } })],
    ];
    for (const [what, spec] of bad) both(spec, what);
  });

  it('leaves cross-field rules of networks to basinlab: they pass the schema and fail parseAnySpec', () => {
    const crossField: [string, Obj][] = [
      ['mean-field with biases', withNet({ network: { hidden: [4], parametrization: 'mean_field', bias: true } })],
      ['cross-entropy on a regression set', withNet({ data: 'regression', network: { hidden: [4], loss: 'cross_entropy' } })],
      ['a group naming a tensor the network lacks', withNet({ optimizer: { name: 'SGD', param_groups: [{ params: ['layers.7'] }] } })],
      ['a tensor in two groups', withNet({ optimizer: { name: 'SGD', param_groups: [{ params: ['layers.0'] }, { params: ['layers.0.bias'] }] } })],
      ['a sweep of a surface path', withNet({ sweep: { x: { param: 'start.0', min: 0, max: 1, count: 2 } } })],
      ['a sweep of a group that does not exist', withNet({ sweep: { x: { param: 'optimizer.param_groups.0.lr', min: 0.1, max: 1, count: 2 } } })],
    ];
    for (const [what, spec] of crossField) {
      expect(schemaOk(spec), `schema refused ${what}: ${ajv.errorsText(check.errors)}`).toBe(true);
      expect(parseOk(spec), `parseAnySpec accepted ${what}`).toBe(false);
    }
  });
});
