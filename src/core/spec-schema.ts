/**
 * The sweep spec as a JSON Schema (draft 2020-12), generated from the same registry and parameter
 * schemas that parseSpec and parseNetSpec read, for editors (`"$schema"` in a spec file gives
 * completion and checking) and for tools that build specs in other languages. A spec is a surface
 * spec or a network spec (oneOf: each allows only its own keys). `basinlab schema` prints it;
 * docs/spec.schema.json is the copy a test keeps current.
 *
 * What it checks: shape, field names, types, names of surfaces/optimisers/schedules/data sets and
 * every parameter's type and range (a network's, its data set's, each param group's). What only
 * basinlab checks (parseAnySpec): cross-field rules (an entry's own, such as OneCycleLR's
 * total_steps >= steps, at the sweep's ends too; a data set's train + test within its samples; the
 * mean-field parametrisation without biases; a loss that fits the data set's task), non-decreasing
 * lists, that a param group names tensors the network has (each once), that a sweep path names a
 * numeric, sweepable parameter of this spec, and the total run count. Names are case-insensitive,
 * as the parsers read them.
 */
import { DATA_SETS } from './data/index.ts';
import { MAX_SCHEDULE_CHILDREN, MAX_SWEEP_DIMS } from './layout.ts';
import { DATA_SEED, MAX_PARAM_GROUPS, NETWORK_PARAMS } from './network/schema.ts';
import type { ParamSchema } from './params.ts';
import { OPTIMIZERS, SCHEDULES, SURFACES } from './registry/index.ts';
import type { ScheduleDef } from './registry/index.ts';
import type { RunBlock, RunField, RunSetting } from './run-settings.ts';
import { MAX_MAGNITUDE, RUN_SETTINGS, RUN_SLOT_PATHS, U32_MAX, isBlock } from './run-settings.ts';
import { MAX_AXIS_COUNT, MAX_POINTS, MAX_RUNS, SETTINGS_AFTER_SWEEP, SETTINGS_BEFORE_SWEEP } from './spec.ts';

export type JsonSchema = { readonly [key: string]: unknown };

export const SPEC_SCHEMA_ID = 'https://basinlab.dev/spec.schema.json';

/** A string equal to one of `values` ignoring case: `enum` first, so editors complete the canonical spelling. */
function names(values: readonly string[]): JsonSchema {
  const ci = (v: string): string =>
    [...v].map((c) => (c.toLowerCase() !== c.toUpperCase() ? `[${c.toUpperCase()}${c.toLowerCase()}]` : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return { anyOf: [{ enum: [...values] }, { type: 'string', pattern: `^(?:${values.map(ci).join('|')})$` }] };
}

function range(p: { min: number; max: number; minExclusive?: boolean; maxExclusive?: boolean }): Record<string, number> {
  const out: Record<string, number> = {};
  if (Number.isFinite(p.min)) out[p.minExclusive ? 'exclusiveMinimum' : 'minimum'] = p.min;
  if (Number.isFinite(p.max)) out[p.maxExclusive ? 'exclusiveMaximum' : 'maximum'] = p.max;
  return out;
}

function paramSchema(p: ParamSchema): JsonSchema {
  const doc = { description: p.doc };
  // A required parameter has no default; its `default` is an example, and JSON Schema says so.
  const given = (v: unknown): Record<string, unknown> => ('required' in p && p.required ? { examples: [v] } : { default: v });
  switch (p.kind) {
    case 'number':
    case 'int': {
      const one = { type: p.kind === 'int' ? 'integer' : 'number', ...range(p) };
      // torch's per-group list (network specs; as many values as param groups, which the reader checks).
      if (p.perGroup) {
        return {
          description: `${p.doc} A network spec may give a list instead, one value per param group (optimizer.param_groups in order, then the default group), as torch takes it.`,
          anyOf: [one, { type: 'array', items: one, minItems: 1, maxItems: MAX_PARAM_GROUPS + 1 }],
          ...given(p.default),
        };
      }
      return { ...doc, ...one, ...given(p.default) };
    }
    case 'optional-number':
    case 'optional-int':
      return { ...doc, type: [p.kind === 'optional-int' ? 'integer' : 'number', 'null'], ...range(p), ...given(p.default) };
    case 'tuple':
      return {
        ...doc,
        type: 'array',
        items: { type: 'number', ...range(p) },
        minItems: p.default.length,
        maxItems: p.default.length,
        ...given([...p.default]),
      };
    case 'int-list':
      return {
        ...doc,
        description: p.ordered === false ? p.doc : `${p.doc} (non-decreasing)`,
        type: 'array',
        items: { type: 'integer', ...range(p) },
        maxItems: p.maxLength,
        ...given([...p.default]),
      };
    case 'bool':
      return { ...doc, type: 'boolean', default: p.default };
    case 'enum':
      return { ...doc, ...names(p.values), default: p.default };
  }
}

/** `{ "name": <id>, ...params }` for one registry entry. */
function entry(id: string, doc: string, params: readonly ParamSchema[], extra: Record<string, JsonSchema> = {}, extraRequired: string[] = []): JsonSchema {
  const properties: Record<string, JsonSchema> = { name: names([id]) };
  for (const p of params) properties[p.key] = paramSchema(p);
  Object.assign(properties, extra);
  const required = ['name', ...params.filter((p) => 'required' in p && p.required).map((p) => p.key), ...extraRequired];
  return { title: id, description: doc, type: 'object', properties, required, additionalProperties: false };
}

/** Entries a bare name may stand for: nothing required, no children. */
function bareNames<T extends { id: string; params: readonly ParamSchema[] }>(defs: readonly T[], ok: (d: T) => boolean = () => true): string[] {
  return defs.filter((d) => ok(d) && !d.params.some((p) => 'required' in p && p.required)).map((d) => d.id);
}

function scheduleEntry(s: ScheduleDef): JsonSchema {
  if (!s.children) return entry(s.id, s.doc, s.params);
  const max = Math.min(s.children.max, MAX_SCHEDULE_CHILDREN);
  const schedulers: JsonSchema = {
    description: `${s.children.min} to ${max} schedules, none of them composite; ReduceLROnPlateau only at the top level`,
    type: 'array',
    minItems: s.children.min,
    maxItems: max,
    items: { $ref: '#/$defs/childSchedule' },
  };
  return entry(s.id, s.doc, s.params, { schedulers }, ['schedulers']);
}

const ref = (name: string): JsonSchema => ({ $ref: `#/$defs/${name}` });

/** A run-level field: its parameter schema, with what only run-level fields say in the description. */
function runFieldSchema(f: RunField): JsonSchema {
  const out: Record<string, unknown> = { ...paramSchema(f) };
  const notes = [f.upToSteps ? 'at most steps' : '', f.unset ? `null or absent: ${f.unset}` : ''].filter((n) => n !== '');
  if (notes.length > 0) out.description = `${f.doc.replace(/\.$/, '')} (${notes.join('; ')}).`;
  // Its default is the surface's, which a schema of the whole spec cannot state as a value.
  if (f.surfaceDefault) delete out.default;
  return out;
}

/** A block of run-level fields, e.g. `noise: { std, seed }`; null or absent means its defaults, or off. */
function runBlockSchema(b: RunBlock): JsonSchema {
  const required = b.fields.filter((f) => 'required' in f && f.required).map((f) => f.key);
  return {
    description: b.doc,
    type: ['object', 'null'],
    properties: Object.fromEntries(b.fields.map((f) => [f.key, runFieldSchema(f)])),
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
  };
}

function runSettingSchemas(settings: readonly RunSetting[]): Record<string, JsonSchema> {
  return Object.fromEntries(settings.map((s) => [s.key, isBlock(s) ? runBlockSchema(s) : runFieldSchema(s)]));
}

/** The sweep block: what varies between runs, with `paramDoc` saying which paths a spec of this kind sweeps. */
function sweepSchema(paramDoc: string): JsonSchema {
  const number = { type: 'number', minimum: -MAX_MAGNITUDE, maximum: MAX_MAGNITUDE };
  const axisRange = {
    param: { type: 'string', description: paramDoc },
    min: number,
    max: number,
    scale: { ...names(['linear', 'log']), default: 'linear', description: 'log needs min > 0' },
  };
  const axis = {
    type: 'object',
    properties: { ...axisRange, count: { type: 'integer', minimum: 1, maximum: MAX_AXIS_COUNT } },
    required: ['param', 'min', 'max', 'count'],
    additionalProperties: false,
  };
  const rangeDim = { type: 'object', properties: axisRange, required: ['param', 'min', 'max'], additionalProperties: false };
  return {
    description: 'what varies between runs; absent: one run',
    anyOf: [
      { type: 'null' },
      {
        title: 'grid',
        type: 'object',
        properties: { kind: names(['grid']), x: axis, y: { anyOf: [{ type: 'null' }, axis] } },
        required: ['x'],
        additionalProperties: false,
      },
      {
        title: 'random or sobol',
        type: 'object',
        properties: {
          kind: names(['random', 'sobol']),
          count: { type: 'integer', minimum: 1, maximum: MAX_RUNS },
          seed: { type: 'integer', minimum: 0, maximum: U32_MAX, default: 0 },
          dims: { type: 'array', items: rangeDim, minItems: 1, maxItems: MAX_SWEEP_DIMS },
        },
        required: ['kind', 'count', 'dims'],
        additionalProperties: false,
      },
      {
        title: 'points',
        type: 'object',
        properties: {
          kind: names(['points']),
          params: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: MAX_SWEEP_DIMS },
          points: { type: 'array', items: { type: 'array', items: { type: 'number' } }, minItems: 1, maxItems: MAX_POINTS },
        },
        required: ['kind', 'params', 'points'],
        additionalProperties: false,
      },
    ],
  };
}

/** Run-level settings every spec requires (steps). */
const REQUIRED_RUN_KEYS = (RUN_SETTINGS as readonly RunSetting[]).filter((s) => !isBlock(s) && 'required' in s && s.required).map((s) => s.key);

/**
 * What a network spec allows of the run-level settings where it differs from a surface spec (the
 * network parser's cross-checks, core/spec.ts netCrossChecks): no start point, no gradient noise
 * (a network's noise is its minibatches; noise.seed seeds them), no radius (no known minima), and a
 * bound on the training loss.
 */
function networkRunSettings(settings: readonly RunSetting[]): Record<string, JsonSchema> {
  const out = runSettingSchemas(settings.filter((s) => s.key !== 'start'));
  const block = (key: string): { properties: Record<string, JsonSchema> } => out[key] as unknown as { properties: Record<string, JsonSchema> };
  if (out.noise) {
    const noise = block('noise');
    out.noise = {
      ...out.noise,
      description: "noise.seed seeds a network's minibatches (network.batch_size); gradient noise (std) is for surfaces",
      properties: { ...noise.properties, std: { ...noise.properties.std, maximum: 0, description: 'networks: 0 (a network\'s noise is its minibatches)' } },
    };
  }
  if (out.outcome) {
    const outcome = block('outcome');
    out.outcome = {
      ...out.outcome,
      properties: {
        ...outcome.properties,
        radius: { type: 'null', description: 'networks: null (a network has no known minima; network.threshold says when a run counts as trained)' },
        bound: { ...outcome.properties.bound, description: 'A run whose training loss exceeds this (or is not finite) at an outcome checkpoint has diverged (null or absent: 10^6 times its initial loss).' },
      },
    };
  }
  return out;
}

/** torch's param_groups of an optimiser: each a list of tensors or layers and the values it sets of the optimiser's parameters. */
function paramGroupsSchema(params: readonly ParamSchema[]): JsonSchema {
  const properties: Record<string, JsonSchema> = {
    params: {
      description: 'the tensors ("layers.1.weight") or layers ("layers.0": its weight and bias) of this group; each in at most one group',
      type: 'array',
      items: { type: 'string', maxLength: 100 },
      minItems: 1,
    },
  };
  for (const p of params) {
    // A group's value of a parameter it does not set is the optimiser's: no default of its own.
    const { default: _, examples: __, ...rest } = paramSchema(p) as Record<string, unknown>;
    properties[p.key] = { ...rest, description: `${p.doc} (this group's value; absent: the optimiser's)` };
  }
  return {
    description: `torch's param_groups: up to ${MAX_PARAM_GROUPS} groups, in order; tensors in none of them form the last, default group, which takes the optimiser's values`,
    type: 'array',
    maxItems: MAX_PARAM_GROUPS,
    items: { type: 'object', properties, required: ['params'], additionalProperties: false },
  };
}

export function specJsonSchema(): JsonSchema {
  const leaves = SCHEDULES.filter((s) => !s.children && !s.plateau);
  const schedule = {
    description: 'torch.optim.lr_scheduler class and its arguments; null or absent: constant LR',
    anyOf: [{ type: 'null' }, names(bareNames(SCHEDULES, (s) => !s.children)), ...SCHEDULES.map((s) => ref(`schedule.${s.id}`))],
  };
  const surfaceSpec = {
    title: 'surface spec',
    description: 'Runs of an optimiser over a 2-D loss surface.',
    type: 'object',
    properties: {
      $schema: { type: 'string', description: 'ignored by basinlab; lets editors find this schema' },
      surface: { anyOf: [names(SURFACES.map((s) => s.id)), ...SURFACES.map((s) => ref(`surface.${s.id}`))] },
      optimizer: { anyOf: [names(bareNames(OPTIMIZERS)), ...OPTIMIZERS.map((o) => ref(`optimizer.${o.id}`))] },
      schedule,
      ...runSettingSchemas(SETTINGS_BEFORE_SWEEP),
      sweep: sweepSchema(
        `dotted path to a numeric parameter: optimizer.lr, optimizer.betas.0, schedule.gamma, schedule.schedulers.1.T_max, surface.<name>, ${RUN_SLOT_PATHS.join(', ')}`,
      ),
      ...runSettingSchemas(SETTINGS_AFTER_SWEEP),
    },
    required: ['surface', 'optimizer', ...REQUIRED_RUN_KEYS],
    additionalProperties: false,
  };
  const networkSpec = {
    title: 'network spec',
    description: 'Runs of an optimiser training a small multilayer perceptron on a data set (a `network` key makes a spec one).',
    type: 'object',
    properties: {
      $schema: { type: 'string', description: 'ignored by basinlab; lets editors find this schema' },
      network: {
        description: 'the model: hidden widths, activation, bias, parametrisation, initialisation, loss, minibatch size',
        type: 'object',
        properties: Object.fromEntries(NETWORK_PARAMS.map((p) => [p.key, paramSchema(p)])),
        additionalProperties: false,
      },
      data: { anyOf: [names(bareNames(DATA_SETS)), ...DATA_SETS.map((d) => ref(`data.${d.id}`))] },
      optimizer: { anyOf: [names(bareNames(OPTIMIZERS)), ...OPTIMIZERS.map((o) => ref(`networkOptimizer.${o.id}`))] },
      schedule,
      ...networkRunSettings(SETTINGS_BEFORE_SWEEP),
      sweep: sweepSchema(
        'dotted path to a numeric parameter: optimizer.lr (every group that does not set lr itself), optimizer.param_groups.<i>.lr (one group), optimizer.betas.0, schedule.gamma, schedule.schedulers.1.T_max, network.batch_size, sam.rho',
      ),
      ...networkRunSettings(SETTINGS_AFTER_SWEEP),
    },
    required: ['network', 'data', 'optimizer', ...REQUIRED_RUN_KEYS],
    additionalProperties: false,
  };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: SPEC_SCHEMA_ID,
    title: 'basinlab sweep spec',
    description:
      "One sweep of optimiser runs: over a 2-D loss surface (a spec with `surface`), or training a small network on a data set (a spec with `network`). Generated from basinlab's registry; basinlab also checks cross-field rules this schema cannot express.",
    oneOf: [ref('surfaceSpec'), ref('networkSpec')],
    $defs: {
      surfaceSpec,
      networkSpec,
      ...Object.fromEntries(SURFACES.map((s) => [`surface.${s.id}`, entry(s.id, s.doc, s.params)])),
      ...Object.fromEntries(OPTIMIZERS.map((o) => [`optimizer.${o.id}`, entry(o.id, o.doc, o.params)])),
      // A group offers what the optimiser reads per group: not what it reads once for all groups
      // (globalParams), which the reader refuses in a group (review 15).
      ...Object.fromEntries(
        OPTIMIZERS.map((o) => [`networkOptimizer.${o.id}`, entry(o.id, o.doc, o.params, { param_groups: paramGroupsSchema(o.params.filter((p) => !Object.hasOwn(o.globalParams ?? {}, p.key))) })]),
      ),
      ...Object.fromEntries(DATA_SETS.map((d) => [`data.${d.id}`, entry(d.id, d.doc, [...d.params, DATA_SEED])])),
      ...Object.fromEntries(SCHEDULES.map((s) => [`schedule.${s.id}`, scheduleEntry(s)])),
      childSchedule: { anyOf: [names(bareNames(leaves)), ...leaves.map((s) => ref(`schedule.${s.id}`))] },
    },
  };
}
