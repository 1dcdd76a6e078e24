/**
 * The sweep spec as a JSON Schema (draft 2020-12), generated from the same registry and parameter
 * schemas that parseSpec reads, for editors (`"$schema"` in a spec file gives completion and
 * checking) and for tools that build specs in other languages. `basinlab schema` prints it;
 * docs/spec.schema.json is the copy a test keeps current.
 *
 * What it checks: shape, field names, types, names of surfaces/optimisers/schedules and every
 * parameter's type and range. What only basinlab checks (parseSpec): cross-field rules (an entry's
 * own, such as OneCycleLR's total_steps >= steps, at the sweep's ends too), non-decreasing
 * milestone lists, that a sweep path names a numeric, sweepable parameter of this spec, and the
 * total run count. Names are case-insensitive, as parseSpec reads them.
 */
import { MAX_SCHEDULE_CHILDREN, MAX_SWEEP_DIMS } from './layout.ts';
import type { ParamSchema } from './params.ts';
import { OPTIMIZERS, SCHEDULES, SURFACES } from './registry/index.ts';
import type { ScheduleDef } from './registry/index.ts';
import { MAX_AXIS_COUNT, MAX_POINTS, MAX_RUNS, MAX_STEPS } from './spec.ts';

export type JsonSchema = { readonly [key: string]: unknown };

export const SPEC_SCHEMA_ID = 'https://basinlab.dev/spec.schema.json';

const U32_MAX = 0xffffffff;

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
  switch (p.kind) {
    case 'number':
    case 'int':
      return { ...doc, type: p.kind === 'int' ? 'integer' : 'number', ...range(p), default: p.default };
    case 'optional-number':
    case 'optional-int':
      return { ...doc, type: [p.kind === 'optional-int' ? 'integer' : 'number', 'null'], ...range(p), default: p.default };
    case 'tuple':
      return {
        ...doc,
        type: 'array',
        items: { type: 'number', ...range(p) },
        minItems: p.default.length,
        maxItems: p.default.length,
        default: [...p.default],
      };
    case 'int-list':
      return {
        ...doc,
        description: `${p.doc} (non-decreasing)`,
        type: 'array',
        items: { type: 'integer', ...range(p) },
        maxItems: p.maxLength,
        default: [...p.default],
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

export function specJsonSchema(): JsonSchema {
  const leaves = SCHEDULES.filter((s) => !s.children && !s.plateau);
  const number = { type: 'number', minimum: -1e30, maximum: 1e30 };
  const axisRange = {
    param: { type: 'string', description: 'dotted path to a numeric parameter: optimizer.lr, optimizer.betas.0, schedule.gamma, schedule.schedulers.1.T_max, surface.<name>, start.0, start.1, noise.std, sam.rho' },
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
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: SPEC_SCHEMA_ID,
    title: 'basinlab sweep spec',
    description:
      'One sweep of optimiser runs over a 2-D loss surface. Generated from basinlab\'s registry; basinlab also checks cross-field rules this schema cannot express.',
    type: 'object',
    properties: {
      $schema: { type: 'string', description: 'ignored by basinlab; lets editors find this schema' },
      surface: { anyOf: [names(SURFACES.map((s) => s.id)), ...SURFACES.map((s) => ref(`surface.${s.id}`))] },
      optimizer: { anyOf: [names(bareNames(OPTIMIZERS)), ...OPTIMIZERS.map((o) => ref(`optimizer.${o.id}`))] },
      schedule: {
        description: 'torch.optim.lr_scheduler class and its arguments; null or absent: constant LR',
        anyOf: [{ type: 'null' }, names(bareNames(SCHEDULES, (s) => !s.children)), ...SCHEDULES.map((s) => ref(`schedule.${s.id}`))],
      },
      steps: { type: 'integer', minimum: 1, maximum: MAX_STEPS, description: 'optimiser steps per run' },
      start: { type: 'array', items: number, minItems: 2, maxItems: 2, description: 'starting point [x, y]; default: the surface\'s' },
      noise: {
        type: ['object', 'null'],
        properties: {
          std: { type: 'number', minimum: 0, maximum: 1e30, default: 0, description: 'standard deviation of Gaussian noise added to each gradient coordinate' },
          seed: { type: 'integer', minimum: 0, maximum: U32_MAX, default: 0 },
        },
        additionalProperties: false,
      },
      outcome: {
        type: ['object', 'null'],
        properties: {
          radius: { type: ['number', 'null'], exclusiveMinimum: 0, maximum: 1e30, description: 'distance to a minimum that counts as reaching it; default: per surface' },
          bound: { type: ['number', 'null'], exclusiveMinimum: 0, maximum: 1e30, description: 'a run beyond this |coordinate| has diverged; default: per surface' },
          check_every: { type: ['integer', 'null'], minimum: 1, maximum: 100_000, description: 'steps between outcome checks; default 2% of the run' },
        },
        additionalProperties: false,
      },
      sweep: {
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
      },
      swa: {
        description: 'stochastic weight averaging (torch.optim.swa_utils.AveragedModel): average the iterates from step start, every every steps',
        type: ['object', 'null'],
        properties: { start: { type: 'integer', minimum: 1, maximum: MAX_STEPS }, every: { type: 'integer', minimum: 1, maximum: MAX_STEPS, default: 1 } },
        required: ['start'],
        additionalProperties: false,
      },
      sam: {
        description: 'sharpness-aware minimisation around the optimiser (Foret et al. 2021; adaptive: ASAM)',
        type: ['object', 'null'],
        properties: { rho: { type: 'number', minimum: 0, maximum: 1e30, default: 0.05 }, adaptive: { type: 'boolean', default: false } },
        additionalProperties: false,
      },
    },
    required: ['surface', 'optimizer', 'steps'],
    additionalProperties: false,
    $defs: {
      ...Object.fromEntries(SURFACES.map((s) => [`surface.${s.id}`, entry(s.id, s.doc, s.params)])),
      ...Object.fromEntries(OPTIMIZERS.map((o) => [`optimizer.${o.id}`, entry(o.id, o.doc, o.params)])),
      ...Object.fromEntries(SCHEDULES.map((s) => [`schedule.${s.id}`, scheduleEntry(s)])),
      childSchedule: { anyOf: [names(bareNames(leaves)), ...leaves.map((s) => ref(`schedule.${s.id}`))] },
    },
  };
}
