/**
 * The sweep spec: one JSON shape shared by the CLI, the app (URL state, import/export) and the tests.
 *
 * `parseSpec` turns untrusted JSON into a resolved `Spec` (every default filled in, names in their
 * canonical torch spelling) or throws `SpecErrors` listing every problem with its field path, what
 * was given and what is allowed. Nothing is clamped: a value out of range is an error.
 */
import { MAX_LISTED_ERRORS, SpecError, SpecErrors, fieldKey, printable } from './errors.ts';
import type { JSONLimits } from './json.ts';
import { isRecord, parseJSON } from './json.ts';
import { axisValues, distinctIntCount, scaleUnit } from './sampling.ts';
import {
  MAX_SCHEDULE_CHILDREN,
  MAX_SWEEP_DIMS,
  P_OPTIMIZER,
  P_SURFACE,
  RUN_PARAMS,
  SWA_PAIR,
  scheduleBlockBase,
} from './layout.ts';
import type { NumberParam, ParamSchema, ParamValue, ParamValues } from './params.ts';
import { DATA_SEED, MAX_BATCH, MAX_PARAM_GROUPS, NETWORK_PARAMS } from './network/schema.ts';
import type { Activation, Layout, Parametrization } from './network/model.ts';
import { layout } from './network/model.ts';
import { DATA_SETS, findDataSet } from './data/index.ts';
import type { DataDef } from './data/types.ts';
import { inRange, rangeText, slotOffsets } from './params.ts';
import type { RunBlock, RunField, RunPath, RunSetting, RunValues, SwitchKey } from './run-settings.ts';
import { MAX_CHECK_EVERY, MAX_MAGNITUDE, RUN_PATHS, RUN_SETTINGS, RUN_SLOT_PATHS, U32_MAX, isBlock } from './run-settings.ts';
import type { ChildLimit, OptimizerDef, ScheduleChild, ScheduleDef, SurfaceDef } from './registry/index.ts';
import {
  OPTIMIZERS,
  SCHEDULES,
  SURFACES,
  findOptimizer,
  findSchedule,
  findSurface,
} from './registry/index.ts';

export interface EntrySpec {
  readonly name: string;
  readonly params: ParamValues;
}

export interface ScheduleSpec extends EntrySpec {
  /** SequentialLR's children, in order. */
  readonly schedulers: readonly ScheduleSpec[];
}

/** Whether a schedule key holds one value per param group here (a perGroup parameter given as a list). */
function isGroupList(def: ScheduleDef | undefined, key: string, v: ParamValue | undefined): v is readonly number[] {
  return Array.isArray(v) && def?.params.some((p) => p.key === key && (p.kind === 'number' || p.kind === 'int') && p.perGroup === true) === true;
}

/**
 * The paths (under `schedule`) of the schedule's values given as a list, one per param group
 * (torch's form, NumberParam.perGroup): `max_lr`, `schedulers.1.max_lr`. Empty for most specs.
 */
export function scheduleGroupLists(s: ScheduleSpec | null): string[] {
  if (!s) return [];
  const def = findSchedule(s.name);
  const own = Object.entries(s.params).flatMap(([k, v]) => (isGroupList(def, k, v) ? [k] : []));
  return [...own, ...s.schedulers.flatMap((c, i) => scheduleGroupLists(c).map((k) => `schedulers.${i}.${k}`))];
}

/**
 * The schedule as param group `g` sees it: each value given as a list, one per group, replaced by
 * the group's own (torch's schedulers read `max_lrs[g]` for group g). The schedule itself where it
 * has no lists. Groups are numbered as the plan's: the explicit ones, then the default group.
 */
export function scheduleForGroup(s: ScheduleSpec, g: number): ScheduleSpec {
  if (scheduleGroupLists(s).length === 0) return s;
  const def = findSchedule(s.name);
  const params: Record<string, ParamValue> = {};
  // A list one shorter than the groups (the explicit groups hold every tensor, readGroupList): the
  // empty default group reads the last value, which trains nothing.
  for (const [k, v] of Object.entries(s.params)) params[k] = isGroupList(def, k, v) ? (v[Math.min(g, v.length - 1)] ?? Number.NaN) : v;
  return { name: s.name, params, schedulers: s.schedulers.map((c) => scheduleForGroup(c, g)) };
}

/** A param group's name in messages: `param_groups.1`, or `the default group` (the last of `count`). */
export function paramGroupName(g: number, count: number): string {
  return g === count - 1 ? 'the default group' : `param_groups.${g}`;
}

export type Scale = 'linear' | 'log';

export interface AxisRange {
  /** Dotted path of the swept parameter, e.g. `optimizer.lr`, `optimizer.betas.0`, `start.1`. */
  readonly param: string;
  readonly min: number;
  readonly max: number;
  readonly scale: Scale;
}

export interface GridAxis extends AxisRange {
  readonly count: number;
}

export interface GridSweep {
  readonly kind: 'grid';
  readonly x: GridAxis;
  readonly y: GridAxis | null;
}

/** Random search and Sobol points: each run's point depends only on (seed, run index). */
export interface SampledSweep {
  readonly kind: 'random' | 'sobol';
  readonly count: number;
  readonly seed: number;
  readonly dims: readonly AxisRange[];
}

/**
 * Explicit points, one per run: for designs made elsewhere (a study's shifted grids, a Latin
 * hypercube from another tool). `dims` holds each parameter's range over the points.
 */
export interface PointsSweep {
  readonly kind: 'points';
  readonly dims: readonly AxisRange[];
  readonly points: readonly (readonly number[])[];
}

export type SweepSpec = GridSweep | SampledSweep | PointsSweep;

/**
 * A resolved spec: the entries, the sweep, and the run-level settings (`steps`, `start`, `noise`,
 * `outcome`, `swa`, `sam`), whose types, defaults, ranges and docs are defined once in
 * core/run-settings.ts.
 */
export interface Spec extends RunValues {
  /** A point on a 2-D surface (this type); NetSpec is the other kind of problem. */
  readonly problem: 'surface';
  readonly surface: EntrySpec;
  readonly optimizer: EntrySpec;
  readonly schedule: ScheduleSpec | null;
  readonly sweep: SweepSpec | null;
}

/**
 * What resolving a sweep path reads of a spec: the entries, and whether each switchable block
 * (SWA, SAM) is on; a sweepable field of a block that is off cannot be swept.
 */
export type PathContext = Pick<Spec, 'surface' | 'optimizer' | 'schedule'> & { readonly [K in SwitchKey]?: object | null };
/**
 * Steps between outcome checkpoints unless the spec says otherwise: 2% of the run, so that
 * steps_to_converge has the same relative resolution whatever the run length, while the checks
 * cost the GPU engine under a fifth of its speed (docs/performance.md); at most MAX_CHECK_EVERY,
 * the most a spec may give (a GPU checkpoint block fits its step-table window: walkthrough 23 found
 * the default at 200,000 for 10^7 steps, past the limit an explicit value is refused at).
 */
export function defaultCheckEvery(steps: number): number {
  return Math.min(MAX_CHECK_EVERY, Math.max(1, Math.round(steps / 50)));
}
export const MAX_AXIS_COUNT = 16_384;
/** Explicit points are JSON: beyond a million, a grid, random or Sobol sweep is the right tool. */
export const MAX_POINTS = 1_048_576;
export const MAX_RUNS = 16_384 * 16_384;

/**
 * How much spec text is read, checked before parsing (files by their size, before reading them).
 *
 * Size: the largest legitimate spec is a `points` sweep of MAX_POINTS points of MAX_SWEEP_DIMS
 * numbers. A double written in full takes at most 24 characters (-1.2345678901234567e-100);
 * allowing 48 bytes per number (its separator, a newline and 20 spaces of indentation, as an
 * indent-4 pretty-printer writes it) and 32 per point (its brackets on their own indented lines),
 * plus 1 MiB for the rest, such a spec fits however it is formatted: 225 MiB. Beyond that a file
 * is not a spec (`sweep /dev/zero`), and reading it would only take time and memory.
 *
 * Depth: a spec nests at most five levels (spec > schedule > schedulers > child > milestones, or
 * spec > sweep > points > point); 32 leaves room for the spec to grow while bounding what
 * anything walking the value recursively (validation, the editor, structured clones) can meet.
 */
export const SPEC_JSON_LIMITS: JSONLimits = {
  maxChars: MAX_POINTS * (MAX_SWEEP_DIMS * 48 + 32) + 2 ** 20,
  maxDepth: 32,
};

/**
 * Spec text (a file, a link, an import) read by the strict JSON reader within SPEC_JSON_LIMITS.
 * Throws JSONSyntaxError (not JSON: line, column, excerpt) or SpecErrors (duplicate keys, numbers
 * beyond double range, nesting too deep, each at its field).
 */
export function readSpecJSON(text: string): unknown {
  return parseJSON(text, SPEC_JSON_LIMITS);
}

/** Longest sweep parameter path: the longest real one (`schedule.schedulers.3.max_momentum`) is under 40 characters. */
const MAX_PARAM_PATH = 100;

// ---------------------------------------------------------------------------------------------
// Small readers that record an error instead of throwing, so one pass reports every problem.

/**
 * A hint for a field a spec names that its object lacks: torch's name for what was meant. A pair
 * written as two fields (Adam's `beta1`, `beta2` are torch's `betas`, a pair), a dotted path
 * written as one name (`sweep.x`), or a near miss in spelling (`weight_decy`, `momentun`): one or
 * two letters off, or another case or separator.
 */
export function fieldHint(key: string, allowed: readonly string[]): string | null {
  // A long name is no slip of the keyboard (and would cost its length squared to compare).
  if (key.length > 40) return null;
  const dotted = /^(\w+)\.([\w.]+)$/.exec(key);
  if (dotted && allowed.includes(dotted[1] ?? '')) return `a path is written nested: ${dotted[1]}: { ${dotted[2]}: … }`;
  const pair = /^(beta|eta)s?_?([12])$/i.exec(key);
  if (pair && allowed.includes(`${pair[1]?.toLowerCase()}s`)) {
    const name = `${pair[1]?.toLowerCase()}s`;
    return `torch takes ${name} as a pair: ${name}: [${name === 'betas' ? 'beta1, beta2' : 'eta_minus, eta_plus'}], so ${key} is ${name}[${Number(pair[2]) - 1}]`;
  }
  const norm = (s: string): string => s.toLowerCase().replace(/[-_\s]/g, '');
  const same = allowed.find((a) => norm(a) === norm(key));
  if (same) return `did you mean ${same}?`;
  let near: string[] = [];
  let bestD = 3;
  for (const a of allowed) {
    const d = editDistance(norm(a), norm(key));
    if (d < bestD) {
      bestD = d;
      near = [a];
    } else if (d === bestD) near.push(a);
  }
  // Two letters off is a slip in a long name, another word in a short one (nope is not name). Two
  // names as near are both offered (walkthrough 23: Adamm, between Adam and AdamW), unless they are
  // numbered (layers.5 is no slip for layers.0 or layers.1); three or more are no guess (review 23:
  // elu is as near gelu as relu, and selu would be a third).
  const [a, b] = near;
  const close = (n: string): boolean => bestD <= (Math.min(n.length, key.length) > 5 ? 2 : 1);
  if (key.length <= 2 || a === undefined || near.length > 2 || !close(a)) return null;
  if (b !== undefined && (!close(b) || /\d/.test(a + b))) return null;
  return b === undefined ? `did you mean ${a}?` : `did you mean ${a} or ${b}?`;
}

/**
 * Edit distance with a swap of two neighbouring letters as one edit (optimal string alignment), for
 * fieldHint: "Adma" is one slip from Adam, not two (walkthrough 17).
 */
function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (before[j - 2] ?? 0) + 1);
      row.push(d);
    }
    before = prev;
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/**
 * A class name as torch code writes it, qualified (`torch.optim.Adam`, `optim.lr_scheduler.OneCycleLR`,
 * `lr_scheduler.StepLR`): the class's own name, which is the registry's. Anything else as given.
 */
function torchName(v: unknown): unknown {
  return typeof v === 'string' ? v.replace(/^\s*(?:torch\.)?(?:optim\.)?(?:lr_scheduler\.|swa_utils\.)?(?=\w+\s*$)/, '') : v;
}

/**
 * A field of a user-supplied object, read from the object itself and never from its prototype
 * chain, so that a name such as `constructor` or `__proto__` is only ever a missing or an unknown
 * field.
 */
function own(o: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

class Reader {
  readonly errors: SpecError[] = [];
  /** Problems found after MAX_LISTED_ERRORS were kept: counted, not built (a spec with a million unknown keys costs no more than one with fifty). */
  unlisted = 0;

  fail(path: string, message: string): void {
    if (this.errors.length < MAX_LISTED_ERRORS) this.errors.push(new SpecError(path, message));
    else this.unlisted++;
  }

  /** The problems found, to throw. */
  thrown(): SpecErrors {
    return new SpecErrors(this.errors, this.unlisted);
  }

  isObject(v: unknown): v is Record<string, unknown> {
    return isRecord(v);
  }

  /** `what`: what the field takes, where that is more than an object (a name string too). */
  object(v: unknown, path: string, what = 'an object'): Record<string, unknown> | null {
    if (this.isObject(v)) return v;
    this.fail(path, `expected ${what}, got ${show(v)}`);
    return null;
  }

  /** `why`: a field this spec does not take but another kind does, with what to use instead. */
  unknownKeys(o: Record<string, unknown>, allowed: readonly string[], path: string, why: Readonly<Record<string, string>> = {}): void {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k)) {
        const hint = Object.hasOwn(why, k) ? why[k] : fieldHint(k, allowed);
        this.fail(join(path, fieldKey(k)), `unknown field${hint ? ` (${hint})` : ''}; allowed: ${allowed.join(', ')}`);
      }
    }
  }

  number(
    v: unknown,
    path: string,
    range: { min: number; max: number; minExclusive?: boolean; maxExclusive?: boolean },
    int = false,
  ): number | null {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.fail(path, `expected ${int ? 'an integer' : 'a finite number'} in ${rangeText(range)}, got ${show(v)}`);
      return null;
    }
    if (int && !Number.isInteger(v)) {
      this.fail(path, `expected an integer in ${rangeText(range)}, got ${v}`);
      return null;
    }
    if (!inRange(v, range)) {
      this.fail(path, `${v} is out of range; allowed ${int ? 'integers ' : ''}${rangeText(range)}`);
      return null;
    }
    return v;
  }

  string(v: unknown, path: string, allowed: readonly string[]): string | null {
    // Names are short: a long string is no name, and is not lower-cased once per allowed name.
    if (typeof v === 'string' && v.length <= 100) {
      const lower = v.toLowerCase();
      const hit = allowed.find((a) => a.toLowerCase() === lower);
      if (hit !== undefined) return hit;
    }
    // A near miss gets the suggestion a misspelt field gets (walkthrough 17: "Adma", "rosenbrok").
    // Not for a name of three letters or fewer: mae is another loss than mse, not a slip (review 23).
    const hint = typeof v === 'string' && v.length > 3 ? fieldHint(v, allowed) : null;
    this.fail(path, `expected one of ${allowed.join(', ')}, got ${show(v)}${hint?.startsWith('did you mean') ? ` (${hint})` : ''}`);
    return null;
  }
}

/** A given value as a message quotes it: JSON-like, one line, at most 60 characters. */
function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = preview(v, 60);
  return s.length > 60 ? printable(s, 57) : printable(s);
}

/**
 * JSON-like text of `v`, stopped once longer than `max`: a huge or deeply nested value costs no
 * more than a small one (JSON.stringify would write all of it, or overflow the stack), and a
 * number JSON cannot hold reads as itself (Infinity, NaN), not as JSON's null.
 */
function preview(v: unknown, max: number): string {
  let out = '';
  const put = (t: string): boolean => {
    out += t;
    return out.length <= max;
  };
  const text = (t: string): string => JSON.stringify(t.length > max ? t.slice(0, max + 1) : t);
  // Each level writes at least one character, so recursion stops within max + 1 levels.
  const walk = (x: unknown): boolean => {
    if (typeof x === 'string') return put(text(x));
    if (Array.isArray(x)) {
      if (!put('[')) return false;
      for (let i = 0; i < x.length; i++) if ((i > 0 && !put(',')) || !walk(x[i])) return false;
      return put(']');
    }
    if (x !== null && typeof x === 'object') {
      if (!put('{')) return false;
      let first = true;
      for (const k in x) {
        if (!Object.hasOwn(x, k)) continue;
        if ((!first && !put(',')) || !put(`${text(k)}:`) || !walk((x as Record<string, unknown>)[k])) return false;
        first = false;
      }
      return put('}');
    }
    return put(String(x));
  };
  walk(v);
  return out;
}

function join(path: string, key: string | number): string {
  return path ? `${path}.${key}` : String(key);
}

// ---------------------------------------------------------------------------------------------
// Entry parameters from their schema.

function readParam(rd: Reader, p: ParamSchema, v: unknown, path: string): ParamValue | undefined {
  switch (p.kind) {
    case 'number':
    case 'int':
      return rd.number(v, path, p, p.kind === 'int') ?? undefined;
    case 'optional-number':
    case 'optional-int':
      if (v === null) return null;
      return rd.number(v, path, p, p.kind === 'optional-int') ?? undefined;
    case 'bool':
      if (typeof v === 'boolean') return v;
      rd.fail(path, `expected true or false, got ${show(v)}`);
      return undefined;
    case 'enum':
      return rd.string(v, path, p.values) ?? undefined;
    case 'tuple': {
      if (!Array.isArray(v) || v.length !== p.default.length) {
        rd.fail(path, `expected ${p.default.length} numbers in ${rangeText(p)}, got ${show(v)}`);
        return undefined;
      }
      const out: number[] = [];
      v.forEach((x, i) => {
        const n = rd.number(x, join(path, i), p);
        if (n !== null) out.push(n);
      });
      return out.length === p.default.length ? out : undefined;
    }
    case 'int-list': {
      if (!Array.isArray(v) || v.length > p.maxLength) {
        rd.fail(path, `expected a list of at most ${p.maxLength} integers in ${rangeText(p)}, got ${show(v)}`);
        return undefined;
      }
      const out: number[] = [];
      v.forEach((x, i) => {
        const n = rd.number(x, join(path, i), p, true);
        if (n !== null) out.push(n);
      });
      for (let i = 1; i < out.length && p.ordered !== false; i++) {
        if ((out[i] as number) < (out[i - 1] as number)) {
          rd.fail(path, `must be non-decreasing, got ${show(v)}`);
          return undefined;
        }
      }
      return out.length === v.length ? out : undefined;
    }
  }
}

/**
 * The param groups a schedule's per-group list is given for: a network spec's (its explicit groups
 * and the default one, which may hold no tensor), or null for a surface, whose run is one group.
 */
type GroupCount = { readonly count: number; readonly defaultEmpty: boolean } | null;

/**
 * A perGroup value given as a list (torch's form): one number per param group, each in the
 * parameter's range. Where the explicit groups hold every tensor, torch's optimiser has only those
 * groups, and its list one value for each: taken as it is (the empty default group reads the last,
 * scheduleForGroup), as is a list with the default group's value too.
 */
function readGroupList(rd: Reader, p: NumberParam, v: readonly unknown[], path: string, groups: GroupCount, read: boolean): number | readonly number[] | undefined {
  // A surface run is one param group (its x and y): torch takes a list of one value there.
  if (groups === null && v.length !== 1) {
    rd.fail(path, `a list gives one value per param group (torch's form), and a surface run has one (its x and y): give one number in ${rangeText(p)}, got ${v.length} values`);
    return undefined;
  }
  if (groups === null) {
    const n = rd.number(v[0], join(path, 0), p, p.kind === 'int');
    return n === null ? undefined : n;
  }
  const { count, defaultEmpty } = groups;
  // torch reads no list it does not use (the momenta without cycle_momentum): its length is not checked.
  if (read && !groupListFits(v.length, count - 1, defaultEmpty)) {
    const explicit = count - 1;
    const names = explicit === 0 ? '' : explicit <= 2 ? Array.from({ length: explicit }, (_, i) => `param_groups.${i}`).join(', ') : `param_groups.0 … param_groups.${explicit - 1}`;
    const want = defaultEmpty
      ? `${explicit} value${explicit === 1 ? '' : 's'}, one per param group (${names}; the default group holds no tensor; or ${count}, with a value for it too)`
      : `${count} value${count === 1 ? '' : 's'}, one per param group (${names ? `${names}, then ` : ''}the default group)`;
    rd.fail(path, `expected ${want}, got ${v.length}; torch raises ValueError when ${p.key} has not as many values as optimizer.param_groups`);
    return undefined;
  }
  const out: number[] = [];
  v.forEach((x, i) => {
    const n = rd.number(x, join(path, i), p, p.kind === 'int');
    if (n !== null) out.push(n);
  });
  if (out.length !== v.length || out.length === 0) return undefined;
  // One value for the one group torch's optimiser has: the number itself (the same runs; a number sweeps and slides).
  return out.length === 1 ? out[0] : out;
}

function readParams(
  rd: Reader,
  entry: string,
  schema: readonly ParamSchema[],
  o: Record<string, unknown>,
  path: string,
  reserved: readonly string[],
  groups: GroupCount = null,
): ParamValues {
  const out: Record<string, ParamValue> = {};
  rd.unknownKeys(o, [...reserved, ...schema.map((p) => p.key)], path);
  for (const p of schema) {
    const given = own(o, p.key);
    if (given === undefined) {
      if ('required' in p && p.required) {
        rd.fail(join(path, p.key), `required: torch's ${entry} has no default (e.g. ${JSON.stringify(p.default)})`);
      }
      out[p.key] = p.default;
    } else {
      const v =
        (p.kind === 'number' || p.kind === 'int') && p.perGroup === true && Array.isArray(given)
          ? readGroupList(rd, p, given, join(path, p.key), groups, p.perGroupOnlyIf === undefined || own(o, p.perGroupOnlyIf) !== false)
          : readParam(rd, p, given, join(path, p.key));
      out[p.key] = v === undefined ? p.default : v;
    }
  }
  return out;
}

function readSurface(rd: Reader, v: unknown): EntrySpec | null {
  const names = SURFACES.map((s) => s.id);
  // A name alone is a surface too (walkthrough 23: "expected an object" for 5 hid that).
  const o = typeof v === 'string' ? { name: v } : rd.object(v, 'surface', 'a surface name or an object');
  if (!o) return null;
  const name = rd.string(own(o, 'name'), 'surface.name', names);
  const def = name === null ? undefined : findSurface(name);
  if (!def) return null;
  return { name: def.id, params: readParams(rd, def.id, def.params, o, 'surface', ['name']) };
}

function readOptimizer(rd: Reader, v: unknown): EntrySpec | null {
  const o = typeof v === 'string' ? { name: v } : rd.object(v, 'optimizer', 'an optimizer name or an object');
  if (!o) return null;
  const name = rd.string(torchName(own(o, 'name')), 'optimizer.name', OPTIMIZERS.map((x) => x.id));
  const def = name === null ? undefined : findOptimizer(name);
  if (!def) return null;
  return { name: def.id, params: readParams(rd, def.id, def.params, o, 'optimizer', ['name']) };
}

function readSchedule(rd: Reader, v: unknown, path: string, depth: number, groups: GroupCount): ScheduleSpec | null {
  if (v === null || v === undefined) return null;
  const o = typeof v === 'string' ? { name: v } : rd.object(v, path, 'a schedule name or an object');
  if (!o) return null;
  const name = rd.string(torchName(own(o, 'name')), join(path, 'name'), SCHEDULES.map((x) => x.id));
  const def = name === null ? undefined : findSchedule(name);
  if (!def) return null;
  const params = readParams(rd, def.id, def.params, o, path, def.children ? ['name', 'schedulers'] : ['name'], groups);
  const schedulers: ScheduleSpec[] = [];
  if (def.children) {
    const list = own(o, 'schedulers');
    const { min, max } = def.children;
    const limit = Math.min(max, MAX_SCHEDULE_CHILDREN);
    if (!Array.isArray(list) || list.length < min || list.length > limit) {
      rd.fail(join(path, 'schedulers'), `expected a list of ${min} to ${limit} schedules, got ${show(list)}`);
    } else if (depth > 0) {
      rd.fail(path, `${def.id} cannot be nested inside another composite schedule`);
    } else {
      list.forEach((c, i) => {
        const child = readSchedule(rd, c, join(join(path, 'schedulers'), i), depth + 1, groups);
        if (child) schedulers.push(child);
      });
    }
  }
  return { name: def.id, params, schedulers };
}

// ---------------------------------------------------------------------------------------------
// Sweep axes: dotted paths to numeric parameters.

/** Where a sweepable path lives: its P slot, its schema (for the range) and whether it is integral. */
export interface ParamTarget {
  readonly path: string;
  readonly slot: number;
  readonly int: boolean;
  readonly range: { min: number; max: number; minExclusive?: boolean; maxExclusive?: boolean };
  /** The parameter's schema (a registry entry's or a run-level field's), e.g. for its typical range. */
  readonly schema: ParamSchema;
  /** The element of a tuple parameter the path names (`betas.1` is 1), else null. */
  readonly element: number | null;
}

/** The element index a tuple path ends in (`betas.1`, `start.0`), else null. */
function tupleElement(p: ParamSchema, path: string): number | null {
  return p.kind === 'tuple' ? Number(path.slice(path.lastIndexOf('.') + 1)) : null;
}

function entryTarget(
  schema: readonly ParamSchema[],
  base: number,
  prefix: string,
  rest: string,
): ParamTarget | string {
  const offsets = slotOffsets(schema);
  const key = rest.split('.')[0] ?? '';
  const p = schema.find((s) => s.key === key);
  const numeric = schema
    .filter((s) => s.kind === 'number' || s.kind === 'int' || s.kind === 'tuple' || s.kind === 'optional-number' || s.kind === 'optional-int' || s.kind === 'int-list')
    .map((s) => (s.kind === 'tuple' ? `${s.key}.0` : s.kind === 'int-list' ? `${s.key}.0` : s.key));
  // `rest` comes from the user: only the schema's own slot names count, never the prototype's.
  if (!p || !Object.hasOwn(offsets, rest)) {
    // A misspelt parameter gets the suggestion a misspelt field gets (walkthrough 23: momentun).
    const hint = fieldHint(rest, numeric);
    // Each name offered as a whole path (review 28: the second of two read as a bare key).
    const names = hint?.startsWith('did you mean ') ? hint.slice('did you mean '.length, -1).split(' or ') : [];
    const guess = names.length > 0 ? ` (did you mean ${names.map((n) => `${prefix}.${n}`).join(' or ')}?)` : '';
    return `no numeric parameter '${rest}' in ${prefix}${guess}; sweepable: ${numeric.map((n) => `${prefix}.${n}`).join(', ') || 'none'}`;
  }
  if (p.kind === 'bool' || p.kind === 'enum') return `${prefix}.${rest} is not numeric and cannot be swept`;
  if ('sweepable' in p && p.sweepable === false) {
    return `${prefix}.${rest} cannot be swept (${p.doc.replace(/\.$/, '')}; changing it per run would move the known minima)`;
  }
  const int = p.kind === 'int' || p.kind === 'optional-int' || p.kind === 'int-list';
  return { path: `${prefix}.${rest}`, slot: base + (offsets[rest] as number), int, range: p, schema: p, element: tupleElement(p, rest) };
}

/** Run-level paths by name, for the sweep-path lookup (a Map: a user's path never meets a prototype). */
const RUN_PATH_BY_NAME = new Map<string, RunPath>(RUN_PATHS.map((p) => [p.path, p]));
const RUN_SLOTS = new Map<string, number>(Object.entries(RUN_PARAMS));

/** A run-level path: its slot and range when sweepable, else why not (`hint`: what may be, if not the surfaces' run settings). */
function runTarget(spec: PathContext, run: RunPath, hint?: string): ParamTarget | string {
  const { path, field, block } = run;
  const slot = RUN_SLOTS.get(path);
  if (slot === undefined || (field.kind !== 'number' && field.kind !== 'int' && field.kind !== 'tuple')) {
    return `${path} cannot be swept (it is not a per-run parameter); ${hint ?? `sweepable run settings: ${RUN_SLOT_PATHS.join(', ')}`}`;
  }
  if (block?.absent === 'off' && !(spec as Readonly<Record<string, unknown>>)[block.key]) {
    return `${path} is swept but the spec has no ${block.key} block; add "${block.key}": {"${field.key}": ${JSON.stringify(field.default)}}`;
  }
  return { path, slot, int: field.kind === 'int', range: field, schema: field, element: tupleElement(field, path) };
}

/**
 * Resolves a sweep path against a spec, or returns the reason it is not sweepable. `hint` is what
 * a message lists as sweepable where a path is unknown or a run setting that is not per run (a
 * network spec's own list); the surfaces' paths by default.
 */
export function resolveParamPath(spec: PathContext, path: string, hint?: string): ParamTarget | string {
  const [head, ...tail] = path.split('.');
  const rest = tail.join('.');
  const run = RUN_PATH_BY_NAME.get(path);
  if (run) return runTarget(spec, run, hint);
  switch (head) {
    case 'surface': {
      const def = findSurface(spec.surface.name);
      return def ? entryTarget(def.params, P_SURFACE, 'surface', rest) : 'unknown surface';
    }
    case 'optimizer': {
      const def = findOptimizer(spec.optimizer.name);
      return def ? entryTarget(def.params, P_OPTIMIZER, 'optimizer', rest) : 'unknown optimizer';
    }
    case 'schedule': {
      if (!spec.schedule) return 'the spec has no schedule';
      const m = /^schedulers\.(\d+)\.(.+)$/.exec(rest);
      if (m) {
        const i = Number(m[1]);
        const child = spec.schedule.schedulers[i];
        const def = child && findSchedule(child.name);
        if (!def) return `schedule.schedulers has no entry ${i}`;
        return entryTarget(def.params, scheduleBlockBase(i + 1), `schedule.schedulers.${i}`, m[2] ?? '');
      }
      const def = findSchedule(spec.schedule.name);
      return def ? entryTarget(def.params, scheduleBlockBase(0), 'schedule', rest) : 'unknown schedule';
    }
    default:
      return `unknown parameter path; ${hint ?? `use optimizer.<name>, schedule.<name>, surface.<name>, ${RUN_SLOT_PATHS.slice(0, -1).join(', ')} or ${RUN_SLOT_PATHS.at(-1)}`}`;
  }
}

/**
 * Whether a schedule writes the optimiser's momentum (or beta1): a CyclicLR or OneCycleLR with
 * cycle_momentum, on its own or as a SequentialLR's child (which then sets it for the whole run:
 * registry/schedules/SequentialLR.ts, step 4). ChainedScheduler refuses such children.
 */
export function scheduleCyclesMomentum(s: ScheduleSpec | null): boolean {
  if (!s) return false;
  const def = findSchedule(s.name);
  return def !== undefined && (def.cyclesMomentum(s.params) || (def.children !== undefined && s.schedulers.some(scheduleCyclesMomentum)));
}

/** A composite's children as its rules see them; null where one has an unknown name (an editor's draft), whose place a message could not name. */
function scheduleChildren(s: ScheduleSpec): ScheduleChild[] | null {
  const out: ScheduleChild[] = [];
  for (const c of s.schedulers) {
    const def = findSchedule(c.name);
    if (!def) return null;
    out.push({ def, values: c.params });
  }
  return out;
}

/**
 * The path under `schedule` of the value that sets the LR where the schedule sets it from its own
 * values (ScheduleDef.lrSetter: CyclicLR's and OneCycleLR's `max_lr`, a SequentialLR's child's
 * `schedulers.1.max_lr`), so that the optimiser's lr has no effect; null where the lr is read.
 */
function scheduleLrSetter(s: ScheduleSpec | null): string | null {
  const def = s ? findSchedule(s.name) : undefined;
  const children = s ? scheduleChildren(s) : null;
  return (s && children && def?.lrSetter?.(s.params, children)) ?? null;
}

/**
 * The optimiser values (keys: `lr`, `momentum`, `betas.0`) that the spec's schedule sets itself, so
 * that the spec's own have no effect: the LR under a schedule that sets it from its own values
 * (scheduleLrSetter: CyclicLR, OneCycleLR, a SequentialLR that starts from one's), the momentum or
 * beta1 under a schedule that cycles it. A sweep may not vary them and the app offers no slider for
 * them.
 */
export function scheduleOverrides(spec: Pick<PathContext, 'optimizer' | 'schedule'>): string[] {
  const sched = spec.schedule;
  const def = sched ? findSchedule(sched.name) : undefined;
  if (!sched || !def) return [];
  const out: string[] = [];
  if (scheduleLrSetter(sched) !== null) out.push('lr');
  const mom = findOptimizer(spec.optimizer.name)?.momentumParam;
  if (mom && scheduleCyclesMomentum(sched)) out.push(mom);
  return out;
}

/**
 * The values the schedule sets in every param group whole (`lr`, `momentum`), which a group's own
 * value cannot change: scheduleOverrides less a tuple's element (a cycled `betas.0` leaves a
 * group's beta2 its own). The reader refuses them in a group; the editor leaves them out.
 */
export function groupScheduleOverrides(spec: Pick<PathContext, 'optimizer' | 'schedule'>): string[] {
  return scheduleOverrides(spec).filter((k) => !k.includes('.'));
}

/**
 * Which of the values the schedule sets (`overrides`, as scheduleOverrides names them: `lr`,
 * `momentum`, `betas.0`) a path names, the optimiser's own (`optimizer.lr`) or a param group's
 * (`optimizer.param_groups.0.lr`); null for any other path. Sweeps, sliders and the editor's axis
 * menus ask it.
 */
export function overriddenKey(overrides: readonly string[], path: string): string | null {
  const rest = /^optimizer\.(?:param_groups\.\d+\.)?(.+)$/.exec(path)?.[1];
  return rest === undefined ? null : (overrides.find((o) => o === rest) ?? null);
}

/**
 * The schedule value that stands for an optimiser value it overrides (a key as scheduleOverrides
 * gives it), i.e. what to sweep instead: the peak LR for the LR, the peak momentum for the momentum
 * or beta1 (CyclicLR and OneCycleLR both have max_lr and max_momentum); under a composite, the
 * first child that cycles the momentum holds it (`schedule.schedulers.1.max_momentum`: review 21,
 * the advice had named a `schedule.max_momentum` SequentialLR does not have).
 */
export function overrideStandIn(key: string, schedule: ScheduleSpec | null = null): string {
  if (key === 'lr') return `schedule.${scheduleLrSetter(schedule) ?? 'max_lr'}`;
  const i = schedule && !findSchedule(schedule.name)?.cyclesMomentum(schedule.params) ? schedule.schedulers.findIndex(scheduleCyclesMomentum) : -1;
  return i >= 0 ? `schedule.schedulers.${i}.max_momentum` : 'schedule.max_momentum';
}

/**
 * The schedule (or child) that holds a stand-in path, the child's index (null: the schedule itself)
 * and the key there: `schedule.schedulers.1.max_momentum`.
 */
function standInEntry(schedule: ScheduleSpec | null, stand: string): { readonly entry: ScheduleSpec | null; readonly index: number | null; readonly key: string } {
  const m = /^schedule\.(?:schedulers\.(\d+)\.)?(.+)$/.exec(stand);
  const index = m?.[1] !== undefined ? Number(m[1]) : null;
  const entry = index !== null ? (schedule?.schedulers[index] ?? null) : schedule;
  return { entry, index, key: m?.[2] ?? stand };
}

/**
 * The composite's child that sets an optimiser value the schedule overrides (its stand-in's holder,
 * overrideStandIn), with its index: `{ index: 1, entry: OneCycleLR }` under a warm-up into a
 * OneCycleLR; null where the schedule sets it itself, or none does.
 */
export function overrideChild(key: string, schedule: ScheduleSpec | null): { readonly index: number; readonly entry: ScheduleSpec } | null {
  const { entry, index } = standInEntry(schedule, overrideStandIn(key, schedule));
  return entry && index !== null ? { index, entry } : null;
}

/** A stand-in's path (overrideStandIn) and the value the schedule (or its child) gives it. */
function standInValue(schedule: ScheduleSpec | null, key: string): { readonly stand: string; readonly own: ParamValue | undefined } {
  const stand = overrideStandIn(key, schedule);
  const at = standInEntry(schedule, stand);
  return { stand, own: (at.entry?.params ?? {})[at.key] };
}

/**
 * Who sets an optimiser value the schedule overrides (a key as scheduleOverrides gives it), in
 * words: `OneCycleLR`, or `SequentialLR's schedulers.1 (OneCycleLR)`.
 */
export function overrideSetter(key: string, schedule: ScheduleSpec | null): string {
  if (!schedule) return 'the schedule';
  const child = overrideChild(key, schedule);
  return child ? `${schedule.name}'s schedulers.${child.index} (${child.entry.name})` : schedule.name;
}

/**
 * The schedule values a param group's own value goes into where the schedule sets it, each written
 * as a list, one per group: the stand-in (`schedule.max_lr`), or for the LR under a CyclicLR both
 * its bounds, between which its LR runs (`schedule.base_lr`, `schedule.max_lr`).
 */
function groupListPaths(schedule: ScheduleSpec | null, key: string): string[] {
  const stand = overrideStandIn(key, schedule);
  if (key !== 'lr' || standInEntry(schedule, stand).entry?.name !== 'CyclicLR') return [stand];
  const at = stand.replace(/(?:base|max)_lr$/, '');
  return [`${at}base_lr`, `${at}max_lr`];
}

/**
 * How to give each param group its own LR where the schedule sets it: its stand-in written as a
 * list, one per group (`schedule.max_lr as a list`), CyclicLR's two bounds both.
 */
export function groupLrListText(schedule: ScheduleSpec | null): string {
  const [first, second] = groupListPaths(schedule, 'lr');
  return second ? `${first} and ${second.slice(second.lastIndexOf('.') + 1)} as lists` : `${first} as a list`;
}

/** A string that may name a sweep parameter (resolveParamPath says which do): short enough to quote in a message. */
function isParamPath(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_PARAM_PATH;
}

function readAxisRange(rd: Reader, v: unknown, path: string, allowedExtra: readonly string[]): AxisRange | null {
  const o = rd.object(v, path);
  if (!o) return null;
  rd.unknownKeys(o, ['param', 'min', 'max', 'scale', ...allowedExtra], path);
  const param = own(o, 'param');
  if (!isParamPath(param)) {
    rd.fail(join(path, 'param'), `expected a parameter path such as "optimizer.lr", got ${show(param)}`);
    return null;
  }
  const givenScale = own(o, 'scale');
  const scale = givenScale === undefined ? 'linear' : (rd.string(givenScale, join(path, 'scale'), ['linear', 'log']) as Scale | null);
  const min = rd.number(own(o, 'min'), join(path, 'min'), { min: -MAX_MAGNITUDE, max: MAX_MAGNITUDE });
  const max = rd.number(own(o, 'max'), join(path, 'max'), { min: -MAX_MAGNITUDE, max: MAX_MAGNITUDE });
  if (scale === null || min === null || max === null) return null;
  if (scale === 'log' && !(min > 0 && max > 0)) {
    // Named at the end that breaks the rule, so the editor marks that field (walkthrough 9).
    if (!(min > 0)) rd.fail(join(path, 'min'), `a log axis needs min > 0 and max > 0, got min ${min}, max ${max}`);
    if (!(max > 0)) rd.fail(join(path, 'max'), `a log axis needs min > 0 and max > 0, got min ${min}, max ${max}`);
    return null;
  }
  if (max < min) {
    rd.fail(path, `max (${max}) must be >= min (${min})`);
    return null;
  }
  return { param, min, max, scale };
}

function readSweep(rd: Reader, v: unknown): SweepSpec | null {
  if (v === null || v === undefined) return null;
  const o = rd.object(v, 'sweep');
  if (!o) return null;
  const givenKind = own(o, 'kind');
  const kind = (givenKind === undefined ? 'grid' : rd.string(givenKind, 'sweep.kind', ['grid', 'random', 'sobol', 'points'])) as
    | SweepSpec['kind']
    | null;
  if (kind === null) return null;
  if (kind === 'grid') {
    // Without a kind a sweep is a grid; one with the fields of another kind lacks its kind.
    const other = ['count', 'seed', 'dims', 'params', 'points'].filter((k) => Object.hasOwn(o, k));
    if (givenKind === undefined && other.length > 0) {
      rd.fail('sweep.kind', `missing: a sweep without "kind" is a grid (x, y), but this one has ${other.join(', ')}; set "kind" to "random", "sobol" or "points"`);
      return null;
    }
    rd.unknownKeys(o, ['kind', 'x', 'y'], 'sweep');
    const axis = (a: unknown, path: string): GridAxis | null => {
      const r = readAxisRange(rd, a, path, ['count']);
      // An axis that is not an object is one problem, named once (not again at each of its fields).
      if (!rd.isObject(a)) return null;
      const count = rd.number(own(a, 'count'), join(path, 'count'), { min: 1, max: MAX_AXIS_COUNT }, true);
      // Every cell of such an axis would be the same run (walkthrough 11: a typed max that parsed
      // to exactly min drew 256 identical columns).
      if (r && count !== null && count > 1 && r.max === r.min) {
        rd.fail(join(path, 'max'), `equal to min (${r.min}) with count ${count}: every cell would be the same run; widen the range, or set count 1`);
        return null;
      }
      // One cell runs min alone: a max beside it would be dropped without a word (review 18).
      if (r && count === 1 && r.max !== r.min) {
        rd.fail(join(path, 'count'), `1 runs min (${r.min}) alone, and max (${r.max}) would go unused: set count 2 or more, or max equal to min`);
        return null;
      }
      return r && count !== null ? { ...r, count } : null;
    };
    const x = axis(own(o, 'x'), 'sweep.x');
    const givenY = own(o, 'y');
    const y = givenY === undefined || givenY === null ? null : axis(givenY, 'sweep.y');
    if (!x) return null;
    if (x && y && x.param === y.param) rd.fail('sweep.y.param', `sweeps the same parameter as sweep.x (${x.param})`);
    return { kind: 'grid', x, y };
  }
  if (kind === 'points') return readPoints(rd, o);
  rd.unknownKeys(o, ['kind', 'count', 'seed', 'dims'], 'sweep');
  const count = rd.number(own(o, 'count'), 'sweep.count', { min: 1, max: MAX_RUNS }, true);
  const givenSeed = own(o, 'seed');
  const seed = givenSeed === undefined ? 0 : rd.number(givenSeed, 'sweep.seed', { min: 0, max: U32_MAX }, true);
  const list = own(o, 'dims');
  if (!Array.isArray(list) || list.length < 1 || list.length > MAX_SWEEP_DIMS) {
    rd.fail('sweep.dims', `expected a list of 1 to ${MAX_SWEEP_DIMS} parameter ranges, got ${show(list)}`);
    return null;
  }
  const dims: AxisRange[] = [];
  list.forEach((d, i) => {
    const r = readAxisRange(rd, d, `sweep.dims.${i}`, []);
    if (r) dims.push(r);
  });
  const params = dims.map((d) => d.param);
  params.forEach((p, i) => {
    if (params.indexOf(p) !== i) rd.fail(`sweep.dims.${i}.param`, `${p} is swept twice`);
  });
  if (count === null || seed === null || dims.length !== list.length) return null;
  return { kind, count, seed, dims };
}

function readPoints(rd: Reader, o: Record<string, unknown>): PointsSweep | null {
  rd.unknownKeys(o, ['kind', 'params', 'points'], 'sweep');
  const params = own(o, 'params');
  if (!Array.isArray(params) || params.length < 1 || params.length > MAX_SWEEP_DIMS) {
    rd.fail('sweep.params', `expected 1 to ${MAX_SWEEP_DIMS} parameter paths, got ${show(params)}`);
    return null;
  }
  let ok = true;
  params.forEach((p: unknown, i) => {
    if (!isParamPath(p)) {
      rd.fail(`sweep.params.${i}`, `expected a parameter path such as "optimizer.lr", got ${show(p)}`);
      ok = false;
    } else if (params.indexOf(p) !== i) {
      rd.fail(`sweep.params.${i}`, `${p} is swept twice`);
      ok = false;
    }
  });
  const pts = own(o, 'points');
  if (!Array.isArray(pts) || pts.length < 1 || pts.length > MAX_POINTS) {
    rd.fail('sweep.points', `expected a list of 1 to ${MAX_POINTS} points, got ${Array.isArray(pts) ? `${pts.length} points` : show(pts)}`);
    return null;
  }
  const d = params.length;
  const points: number[][] = [];
  for (let i = 0; i < pts.length; i++) {
    const row: unknown = pts[i];
    if (!Array.isArray(row) || row.length !== d || !row.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      rd.fail(`sweep.points.${i}`, `expected ${d} finite number${d === 1 ? '' : 's'} (one per entry of sweep.params), got ${show(row)}`);
      return null;
    }
    points.push(row as number[]);
  }
  if (!ok) return null;
  const dims: AxisRange[] = (params as string[]).map((param, k) => {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const row of points) {
      min = Math.min(min, row[k] as number);
      max = Math.max(max, row[k] as number);
    }
    return { param, min, max, scale: 'linear' };
  });
  return { kind: 'points', dims, points };
}

/** Axes of a sweep as ranges, whatever its kind. */
export function sweepRanges(s: SweepSpec): AxisRange[] {
  return s.kind === 'grid' ? [s.x, ...(s.y ? [s.y] : [])] : [...s.dims];
}

/**
 * The spec field an axis of a sweep is read from, for messages: its parameter, or the field
 * holding one of its ends (for explicit points, the first point at that extreme).
 */
export function axisField(s: SweepSpec, i: number, part: 'param' | 'min' | 'max'): string {
  if (s.kind === 'points') {
    if (part === 'param') return `sweep.params.${i}`;
    const end = s.dims[i]?.[part];
    return `sweep.points.${s.points.findIndex((p) => p[i] === end)}.${i}`;
  }
  return `${s.kind === 'grid' ? `sweep.${i === 0 ? 'x' : 'y'}` : `sweep.dims.${i}`}.${part}`;
}

/** An axis's ends, each once (a points sweep over one value has min = max). */
function ends(r: AxisRange): ('min' | 'max')[] {
  return r.min === r.max ? ['min'] : ['min', 'max'];
}

export function runCount(s: SweepSpec | null): number {
  if (!s) return 1;
  return s.kind === 'grid' ? s.x.count * (s.y?.count ?? 1) : s.kind === 'points' ? s.points.length : s.count;
}

// ---------------------------------------------------------------------------------------------
// Cross-field rules: each entry's own, evaluated at the sweep's extremes too.

/** Values of an entry with one slot path replaced (for checking a swept range's endpoints). */
function withValue(values: ParamValues, rest: string, v: number): ParamValues {
  const [key, idx] = rest.split('.');
  if (key === undefined) return values;
  const cur = values[key];
  if (idx !== undefined && Array.isArray(cur)) {
    const copy = [...(cur as readonly number[])];
    copy[Number(idx)] = v;
    return { ...values, [key]: copy };
  }
  return { ...values, [key]: v };
}

/** Entry rules start with the field they are about ("nesterov: …"); report them at that path. */
function failAt(rd: Reader, prefix: string, msg: string): void {
  const m = /^([A-Za-z_][\w.]*(?: \([^)]*\))?): (.*)$/s.exec(msg);
  if (m && m[1] && m[2]) rd.fail(`${prefix}.${m[1]}`, m[2]);
  else rd.fail(prefix, msg);
}

/**
 * The optimiser's and the schedule's rules (their registry `validate`), at the spec's values and at
 * each end of every axis that sweeps one of them, and the axes that would sweep a value the schedule
 * sets itself (scheduleOverrides): the same checks for surfaces and networks. On a network an
 * `optimizer.<x>` axis moves every group without its own x, an `optimizer.param_groups.<g>.<x>`
 * axis group g; a `schedule.schedulers.<i>.<x>` axis moves a composite's child.
 */
function sweptRuleChecks(
  rd: Reader,
  spec: { readonly optimizer: EntrySpec; readonly groups: readonly ParamValues[]; readonly schedule: ScheduleSpec | null; readonly steps: number; readonly defaultEmpty?: boolean },
  ranges: readonly AxisRange[],
  fieldOf: (axis: number) => string,
): void {
  const opt = findOptimizer(spec.optimizer.name) as OptimizerDef;
  // A rule broken the same way at the spec's values and at the sweep's ends (OneCycleLR's total_steps
  // below the run, whatever max_lr is) is one problem: reported once, where first found.
  const seen = new Set<string>();
  const report = (at: string, msgs: readonly string[], note: string): void => {
    for (const msg of msgs) {
      const m = `${at} ${msg}`;
      if (!seen.has(m)) failAt(rd, at, `${msg}${note}`);
      seen.add(m);
    }
  };
  const groupAt = (g: number): string => `optimizer.param_groups.${g}`;
  // A swept value's stored one is no run's: the rules see it brought into its axis's range (the
  // nearest end where it lies outside). Walkthrough 19: nesterov was refused on a momentum axis of
  // 0.01 … 0.99 for the stored momentum 0, which the editor shows only as "swept on y".
  interface Swept {
    readonly rest: string;
    readonly note: string;
    readonly middle: number;
  }
  const intoSweep = (values: ParamValues, prefix: string): { readonly values: ParamValues; readonly swept: readonly Swept[] } => {
    const swept: Swept[] = [];
    let v = values;
    for (const r of ranges) {
      if (!r.param.startsWith(prefix)) continue;
      const rest = r.param.slice(prefix.length);
      const [key, idx] = rest.split('.');
      const cur = key === undefined ? undefined : idx === undefined ? v[key] : (v[key] as readonly unknown[] | undefined)?.[Number(idx)];
      if (typeof cur !== 'number') continue;
      const at = Math.min(Math.max(cur, r.min), r.max);
      swept.push({ rest, note: `${r.param} = ${at}, ${at === r.min || at === r.max ? 'an end of the sweep' : 'within the sweep'}`, middle: scaleUnit(0.5, r.min, r.max, r.scale) });
      v = withValue(v, rest, at);
    }
    return { values: v, swept };
  };
  // A rule by the field its message starts with ("nesterov: …"): its numbers change with the values.
  const ruleOf = (msg: string): string => msg.split(': ')[0] ?? msg;
  // Rules broken at those values, by where: the sweep's ends do not report them again.
  const broken = new Set<string>();
  // The rules at those values; a broken one names the swept values it depends on (the rule holds
  // once that value moves to its axis's middle), none where fixed values break it whatever the
  // sweep (review 26: a fixed dampening blamed on the swept momentum the message also prints).
  const checkInto = (at: string, rules: (v: ParamValues) => readonly string[], into: { readonly values: ParamValues; readonly swept: readonly Swept[] }): void => {
    for (const msg of rules(into.values)) {
      const by = into.swept.filter((w) => !rules(withValue(into.values, w.rest, w.middle)).some((m) => ruleOf(m) === ruleOf(msg)));
      report(at, [msg], by.length > 0 ? ` (at ${by.map((w) => w.note).join('; ')})` : '');
      broken.add(`${at} ${ruleOf(msg)}`);
    }
  };
  const fresh = (at: string, msgs: readonly string[]): readonly string[] => msgs.filter((m) => !broken.has(`${at} ${ruleOf(m)}`));
  const top = intoSweep(spec.optimizer.params, 'optimizer.');
  const base = top.values;
  // The values each group's rules see: its own over the optimiser's (torch's fallback).
  const groupsInto = spec.groups.map((own, g) => {
    const mine = intoSweep(own, `${groupAt(g)}.`);
    return { values: { ...base, ...mine.values }, swept: [...top.swept.filter((w) => !Object.hasOwn(own, w.rest.split('.')[0] ?? '')), ...mine.swept] };
  });
  const merged = groupsInto.map((m) => m.values);
  // A group's own rules, where torch's differ from its constructor's (validateGroup).
  const groupRules = (values: ParamValues): readonly string[] => (opt.validateGroup ? opt.validateGroup(values) : (opt.validate?.(values) ?? []));
  checkInto('optimizer', (v) => opt.validate?.(v) ?? [], top);
  groupsInto.forEach((m, g) => checkInto(groupAt(g), groupRules, m));
  const ctx = { steps: spec.steps, optimizer: opt };
  const sched = spec.schedule;
  const sdef = sched ? (findSchedule(sched.name) as ScheduleDef) : null;
  // The schedule's rules hold in every param group: a schedule with per-group lists is checked as
  // each group sees it (scheduleForGroup), the group named in the message.
  // A default group that holds no tensor trains nothing, so no rule can fail in it (torch's optimiser
  // has no such group, or an empty one with no state).
  const count = spec.groups.length + 1;
  const views = !sched
    ? []
    : scheduleGroupLists(sched).length === 0
      ? [{ sched, of: '' }]
      : Array.from({ length: spec.defaultEmpty ? count - 1 : count }, (_, g) => ({ sched: scheduleForGroup(sched, g), of: ` (${paramGroupName(g, count)}'s values)` }));
  const kidsOf = (v: ScheduleSpec) => v.schedulers.map((c) => ({ def: findSchedule(c.name) as ScheduleDef, values: c.params }));
  // A rule broken in every group is the schedule's (no group named); one broken in some, the first such group's.
  const scheduleRule = (rules: (v: ScheduleSpec) => readonly string[], note: string): void => {
    const per = views.map((v) => rules(v.sched));
    for (const msg of new Set(per.flat())) {
      const where = views.filter((_, g) => per[g]?.includes(msg));
      report('schedule', [msg], `${note}${where.length === views.length ? '' : (where[0]?.of ?? '')}`);
    }
  };
  if (sched && sdef) {
    sched.schedulers.forEach((c, i) => {
      if (findSchedule(c.name)?.plateau) {
        rd.fail(`schedule.schedulers.${i}`, `${c.name} needs the loss at every step, which ${sdef.id} cannot give it (torch's ${sdef.id} calls its step() without a metric); use it as the top-level schedule`);
      }
    });
    scheduleRule((v) => sdef.validate?.(v.params, ctx, kidsOf(v)) ?? [], '');
  }
  const overridden = scheduleOverrides(spec);
  ranges.forEach((r, i) => {
    const note = (end: number): string => ` (at ${r.param} = ${end}, an end of the sweep)`;
    const group = /^optimizer\.param_groups\.(\d+)\.(.+)$/.exec(r.param);
    const optKey = group ? (group[2] ?? null) : r.param.startsWith('optimizer.') ? r.param.slice('optimizer.'.length) : null;
    if (optKey !== null) {
      const key = optKey.split('.')[0] ?? '';
      const hit = overriddenKey(overridden, r.param);
      if (hit !== null) {
        const stand = overrideStandIn(hit, sched);
        rd.fail(
          fieldOf(i),
          `${
            hit === 'lr'
              ? sched && findSchedule(sched.name)?.children
                ? `${r.param} has no effect: ${overrideSetter(hit, sched)} sets the LR every scheduler starts from (torch's initial_lr)`
                : `${r.param} has no effect under ${sched?.name}, which sets the LR from its own parameters`
              : `${r.param} has no effect: ${overrideSetter(hit, sched)} with cycle_momentum sets it every step`
          }; sweep ${stand} instead${scheduleGroupLists(sched).includes(stand.slice('schedule.'.length)) ? ' (written as one number: a per-group list is not swept)' : ''}`,
        );
        return;
      }
      for (const end of [r.min, r.max]) {
        if (group) {
          const g = Number(group[1]);
          const values = merged[g];
          if (values) report(groupAt(g), fresh(groupAt(g), groupRules(withValue(values, optKey, end))), note(end));
        } else {
          report('optimizer', fresh('optimizer', opt.validate?.(withValue(base, optKey, end)) ?? []), note(end));
          // The groups that take the optimiser's value.
          spec.groups.forEach((own, g) => {
            if (!Object.hasOwn(own, key)) report(groupAt(g), fresh(groupAt(g), groupRules(withValue(merged[g] ?? base, optKey, end))), note(end));
          });
        }
      }
      return;
    }
    if (!sched || !sdef || !r.param.startsWith('schedule.')) return;
    const child = /^schedule\.schedulers\.(\d+)\.(.+)$/.exec(r.param);
    for (const end of [r.min, r.max]) {
      scheduleRule((v) => {
        const children = kidsOf(v);
        if (!child) return sdef.validate?.(withValue(v.params, r.param.slice('schedule.'.length), end), ctx, children) ?? [];
        const c = Number(child[1]);
        return sdef.validate?.(v.params, ctx, children.map((k, j) => (j === c ? { ...k, values: withValue(k.values, child[2] ?? '', end) } : k))) ?? [];
      }, note(end));
    }
  });
}

/** A surface run's SWA average lives in the last state slot (SWA_PAIR), which the optimiser must leave free. */
function swaSlotRule(rd: Reader, opt: OptimizerDef, swa: boolean): void {
  if (swa && opt.stateSlots > SWA_PAIR - 1) {
    rd.fail('swa', `${opt.id} uses every state slot; stochastic weight averaging needs one free (at most ${SWA_PAIR - 1} optimiser slots)`);
  }
}

function crossChecks(rd: Reader, spec: Spec): void {
  const opt = findOptimizer(spec.optimizer.name) as OptimizerDef;
  const surface = findSurface(spec.surface.name) as SurfaceDef;
  const ranges = spec.sweep ? sweepRanges(spec.sweep) : [];

  sweptRuleChecks(rd, { optimizer: spec.optimizer, groups: [], schedule: spec.schedule, steps: spec.steps }, ranges, (i) => (spec.sweep ? axisField(spec.sweep, i, 'param') : ''));

  swaSlotRule(rd, opt, !!spec.swa);

  // The start must be inside the divergence bound, or every run has diverged before step 1: the
  // fixed start, and every start a sweep of it gives (its ends bound the rest).
  const bound = spec.outcome.bound ?? surface.bound(spec.surface.params);
  spec.start.forEach((s, i) => {
    if (Math.abs(s) > bound) rd.fail(`start.${i}`, `${s} is beyond the divergence bound ${bound}`);
  });
  ranges.forEach((r, i) => {
    if (!spec.sweep || (r.param !== 'start.0' && r.param !== 'start.1')) return;
    for (const end of ends(r)) {
      if (Math.abs(r[end]) > bound) {
        rd.fail(axisField(spec.sweep, i, end), `${r[end]} is beyond the divergence bound ${bound} (a run starting at ${r.param} = ${r[end]} has diverged before its first step)`);
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Run-level settings, from their schema (core/run-settings.ts).

/** A run-level field; one counting steps of the run is allowed up to the spec's steps. */
function readRunField(rd: Reader, f: RunField, v: unknown, path: string, steps: number | null): ParamValue | undefined {
  const p: ParamSchema = f.upToSteps && steps !== null && 'max' in f ? { ...f, max: steps } : f;
  return readParam(rd, p, v, path);
}

/** A block of run-level fields: its defaults, null (an `off` block left out), or undefined after an error. */
function readRunBlock(rd: Reader, b: RunBlock, v: unknown, steps: number | null): Record<string, ParamValue> | null | undefined {
  const out: Record<string, ParamValue> = {};
  if (v === undefined || v === null) {
    if (b.absent === 'off') return null;
    for (const f of b.fields) out[f.key] = f.default;
    return out;
  }
  const o = rd.object(v, b.key);
  if (!o) return undefined;
  rd.unknownKeys(o, b.fields.map((f) => f.key), b.key);
  let ok = true;
  for (const f of b.fields) {
    const given = own(o, f.key);
    const required = 'required' in f && f.required === true;
    const value = given === undefined && !required ? f.default : readRunField(rd, f, given, join(b.key, f.key), steps);
    if (value === undefined) ok = false;
    else out[f.key] = value;
  }
  return ok ? out : undefined;
}

/**
 * The run-level settings of a spec object, each read by its schema entry, so their shape is
 * RunValues (derived from the same entries) by construction; undefined after an error.
 */
function readRunSettings(rd: Reader, o: Record<string, unknown>, surface: EntrySpec | null, skip: ReadonlySet<string> = new Set()): RunValues | undefined {
  const out: Record<string, unknown> = {};
  let ok = true;
  for (const s of RUN_SETTINGS as readonly RunSetting[]) {
    if (skip.has(s.key)) continue;
    const given = own(o, s.key);
    // Fields counting steps (SWA's) are bounded by steps, which comes first in the schema.
    const steps = typeof out.steps === 'number' ? out.steps : null;
    let value: unknown;
    if (isBlock(s)) {
      value = readRunBlock(rd, s, given, steps);
    } else if (given === undefined && s.surfaceDefault) {
      const def = surface ? findSurface(surface.name) : undefined;
      value = def ? [...def.defaultStart] : undefined;
    } else if (given === undefined && !('required' in s && s.required === true)) {
      value = s.default;
    } else {
      value = readRunField(rd, s, given, s.key, steps);
    }
    if (value === undefined) ok = false;
    out[s.key] = value;
  }
  return ok ? (out as unknown as RunValues) : undefined;
}

/**
 * Top-level keys in the order specToJSON writes them: the entries, the run-level settings a
 * resolved spec always holds, the sweep, then the blocks that are off unless given (written only
 * when on).
 */
export const SETTINGS_BEFORE_SWEEP = (RUN_SETTINGS as readonly RunSetting[]).filter((s) => !isBlock(s) || s.absent !== 'off');
export const SETTINGS_AFTER_SWEEP = (RUN_SETTINGS as readonly RunSetting[]).filter((s) => isBlock(s) && s.absent === 'off');

// `$schema` lets an editor find docs/spec.schema.json; it has no meaning for a run.
const TOP_KEYS = [
  'surface',
  'optimizer',
  'schedule',
  ...SETTINGS_BEFORE_SWEEP.map((s) => s.key),
  'sweep',
  ...SETTINGS_AFTER_SWEEP.map((s) => s.key),
  '$schema',
];

/**
 * A grid axis of an integer parameter runs its values rounded (axisValues): where two round to the
 * same integer the sweep would run one setting twice and draw a plateau that is not there (review
 * 12: batch sizes 1 to 3 over 10 columns ran 1, 1, 1, 2, 2, 2, 2, 3, 3, 3). Refused, naming the
 * most columns the range holds. Integer ends are checked apart (not integers: their own message).
 */
function intAxisRepeats(rd: Reader, sweep: SweepSpec, i: number, path: string): void {
  if (sweep.kind !== 'grid') return;
  const a = i === 0 ? sweep.x : sweep.y;
  if (!a || a.count < 2 || !Number.isInteger(a.min) || !Number.isInteger(a.max)) return;
  const v = axisValues(a.min, a.max, a.count, a.scale, true);
  const k = v.findIndex((x, j) => j > 0 && x === v[j - 1]);
  if (k === -1) return;
  const most = distinctIntCount(a.min, a.max, a.scale, a.count);
  rd.fail(
    `sweep.${i === 0 ? 'x' : 'y'}.count`,
    `${path} takes integers, and ${a.count} ${a.scale} values from ${a.min} to ${a.max} round to ${v[k]} twice (a setting run twice): at most ${most} distinct values fit this range`,
  );
}

/** Validates and resolves a spec. Throws SpecErrors listing every problem found. */
export function parseSpec(input: unknown): Spec {
  const rd = new Reader();
  if (!rd.isObject(input)) {
    rd.fail('', `a spec is a JSON object such as {"surface": "rosenbrock", "optimizer": "SGD", "steps": 100}, got ${show(input)}`);
    throw rd.thrown();
  }
  const o = input;
  rd.unknownKeys(o, TOP_KEYS, '');

  const givenSurface = own(o, 'surface');
  const givenOptimizer = own(o, 'optimizer');
  const surface =
    givenSurface === undefined ? (rd.fail('surface', `required; one of ${SURFACES.map((s) => s.id).join(', ')}`), null) : readSurface(rd, givenSurface);
  const optimizer =
    givenOptimizer === undefined ? (rd.fail('optimizer', `required, e.g. {"name": "SGD", "lr": 0.01}`), null) : readOptimizer(rd, givenOptimizer);
  const schedule = readSchedule(rd, own(o, 'schedule'), 'schedule', 0, null);
  const run = readRunSettings(rd, o, surface);

  const sweep = readSweep(rd, own(o, 'sweep'));
  if (sweep && runCount(sweep) > MAX_RUNS) {
    rd.fail('sweep', `${runCount(sweep)} runs is more than the ${MAX_RUNS} one sweep may hold`);
  }

  if (rd.errors.length > 0 || !surface || !optimizer || !run) {
    throw rd.errors.length > 0 ? rd.thrown() : new SpecErrors([new SpecError('', 'invalid spec')]);
  }
  const spec: Spec = { problem: 'surface', surface, optimizer, schedule, ...run, sweep };

  // Sweep paths need the resolved entries.
  if (sweep) {
    sweepRanges(sweep).forEach((r, i) => {
      const t = resolveParamPath(spec, r.param);
      if (typeof t === 'string') {
        rd.fail(axisField(sweep, i, 'param'), t);
        return;
      }
      // An integer parameter runs at integers: explicit points must be integers, and so must an
      // axis's ends, which run as given (the values between are rounded to the nearest integer,
      // and the result's coordinates record the rounded values).
      if (t.int && sweep.kind === 'points') {
        const row = sweep.points.findIndex((p) => !Number.isInteger(p[i]));
        if (row !== -1) {
          rd.fail(`sweep.points.${row}.${i}`, `${sweep.points[row]?.[i]} is not an integer; ${t.path} takes integers`);
          return;
        }
      }
      if (t.int) intAxisRepeats(rd, sweep, i, t.path);
      for (const end of ends(r)) {
        const v = r[end];
        if (t.int && !Number.isInteger(v)) {
          rd.fail(axisField(sweep, i, end), `${v} is not an integer; ${t.path} takes integers (a sweep of it runs its ends as given and rounds the values between)`);
        } else if (!inRange(v, t.range)) {
          rd.fail(axisField(sweep, i, end), `${v} is outside ${t.path}'s allowed range ${rangeText(t.range)}`);
        }
      }
    });
  }
  crossChecks(rd, spec);
  if (rd.errors.length > 0) throw rd.thrown();
  return spec;
}

/** The spec as JSON, every default explicit (what results files record). */
export function specToJSON(spec: Spec): Record<string, unknown> {
  const sched = (s: ScheduleSpec): Record<string, unknown> => ({
    name: s.name,
    ...s.params,
    ...(s.schedulers.length > 0 ? { schedulers: s.schedulers.map(sched) } : {}),
  });
  // Run-level values are copied, so that the JSON shares nothing with the spec.
  const copy = (v: unknown): unknown => (Array.isArray(v) ? [...(v as unknown[])] : v !== null && typeof v === 'object' ? { ...v } : v);
  const value = (s: RunSetting): unknown => spec[s.key as keyof RunValues];
  const run = (settings: readonly RunSetting[]): Record<string, unknown> =>
    Object.fromEntries(settings.filter((s) => value(s) !== null).map((s) => [s.key, copy(value(s))]));
  return {
    surface: { name: spec.surface.name, ...spec.surface.params },
    optimizer: { name: spec.optimizer.name, ...spec.optimizer.params },
    schedule: spec.schedule ? sched(spec.schedule) : null,
    ...run(SETTINGS_BEFORE_SWEEP),
    sweep:
      spec.sweep?.kind === 'points'
        ? { kind: 'points', params: spec.sweep.dims.map((d) => d.param), points: spec.sweep.points }
        : spec.sweep,
    ...run(SETTINGS_AFTER_SWEEP),
  };
}

/**
 * A composite schedule's limit on the child value a path names (`schedule.schedulers.<i>.<key>`;
 * ScheduleDef.childLimits), for a run of `steps`; null where there is none.
 */
export function childLimitOf(spec: Pick<PathContext, 'schedule'>, steps: number, path: string): ChildLimit | null {
  const m = /^schedule\.schedulers\.(\d+)\.([^.]+)$/.exec(path);
  const sched = spec.schedule;
  if (!m || !sched) return null;
  const parent = findSchedule(sched.name);
  const child = sched.schedulers[Number(m[1])];
  const def = child ? findSchedule(child.name) : undefined;
  return (parent && def && parent.childLimits?.(def, steps)[m[2] ?? '']) || null;
}

/** Every path a sweep axis may name for this spec, with its allowed range (for pickers). */
export function sweepablePaths(spec: PathContext): ParamTarget[] {
  const out: ParamTarget[] = [];
  const add = (path: string): void => {
    const t = resolveParamPath(spec, path);
    if (typeof t !== 'string') out.push(t);
  };
  const entry = (prefix: string, schema: readonly ParamSchema[]): void => {
    for (const p of schema) {
      if (p.kind === 'tuple') p.default.forEach((_, i) => add(`${prefix}.${p.key}.${i}`));
      else if (p.kind === 'number' || p.kind === 'int' || p.kind === 'optional-number' || p.kind === 'optional-int') add(`${prefix}.${p.key}`);
    }
  };
  const opt = findOptimizer(spec.optimizer.name);
  if (opt) entry('optimizer', opt.params);
  const sched = spec.schedule ? findSchedule(spec.schedule.name) : undefined;
  if (sched && spec.schedule) {
    entry('schedule', sched.params);
    spec.schedule.schedulers.forEach((c, i) => {
      const d = findSchedule(c.name);
      // A value the composite fixes (a chained cosine's eta_min) has nothing to sweep; which values
      // a composite fixes does not depend on the run's length.
      const fixed = (key: string): boolean => {
        const limit = childLimitOf(spec, 1, `schedule.schedulers.${i}.${key}`);
        return limit !== null && 'fixed' in limit;
      };
      if (d) entry(`schedule.schedulers.${i}`, d.params.filter((p) => !fixed(p.key)));
    });
  }
  const surf = findSurface(spec.surface.name);
  if (surf) entry('surface', surf.params);
  for (const p of RUN_SLOT_PATHS) add(p);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Networks: a run is a small MLP trained on a data set (core/network/). Same optimiser, schedule,
// run-level settings and sweeps as a surface spec; `network` and `data` replace `surface` and
// `start`, and the optimiser may split the parameters into torch's param_groups.

/** One of torch's param_groups: the tensors it holds and the optimiser values it overrides. */
export interface ParamGroupSpec {
  /** Tensor names (`layers.0.weight`) or layers (`layers.0`: its weight and bias). */
  readonly params: readonly string[];
  /** Only the optimiser parameters this group sets; the rest are the optimiser's. */
  readonly overrides: ParamValues;
}

export interface NetSpec extends Omit<RunValues, 'start'> {
  readonly problem: 'network';
  /** The model (core/network/schema.ts NETWORK_PARAMS), every default filled in. */
  readonly network: ParamValues;
  readonly data: { readonly name: string; readonly seed: number; readonly params: ParamValues };
  readonly optimizer: EntrySpec;
  /** Explicit groups in order; tensors in none of them form the last, default group. */
  readonly paramGroups: readonly ParamGroupSpec[];
  readonly schedule: ScheduleSpec | null;
  readonly sweep: SweepSpec | null;
}

export type AnySpec = Spec | NetSpec;

const NET_TOP_KEYS = ['network', 'data', 'optimizer', 'schedule', ...SETTINGS_BEFORE_SWEEP.map((s) => s.key).filter((k) => k !== 'start'), 'sweep', ...SETTINGS_AFTER_SWEEP.map((s) => s.key), '$schema'];

/** Validates and resolves a surface or a network spec (a `network` key makes it a network spec). */
export function parseAnySpec(input: unknown): AnySpec {
  if (typeof input === 'object' && input !== null && !Array.isArray(input) && Object.hasOwn(input, 'network')) return parseNetSpec(input);
  return parseSpec(input);
}

function readNetwork(rd: Reader, v: unknown): ParamValues | null {
  const o = rd.object(v, 'network');
  if (!o) return null;
  return readParams(rd, 'network', NETWORK_PARAMS, o, 'network', []);
}

function readData(rd: Reader, v: unknown): NetSpec['data'] | null {
  const o = typeof v === 'string' ? { name: v } : rd.object(v, 'data', 'a data set name or an object');
  if (!o) return null;
  const name = rd.string(own(o, 'name'), 'data.name', DATA_SETS.map((d) => d.id));
  const def = name === null ? undefined : findDataSet(name);
  if (!def) return null;
  const params = readParams(rd, def.id, [...def.params, DATA_SEED], o, 'data', ['name']);
  const { seed, ...rest } = params;
  return { name: def.id, seed: typeof seed === 'number' ? seed : 0, params: rest };
}

function readParamGroups(rd: Reader, v: unknown, def: OptimizerDef, tensors: readonly string[] | null): ParamGroupSpec[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.length > MAX_PARAM_GROUPS) {
    rd.fail('optimizer.param_groups', `expected a list of at most ${MAX_PARAM_GROUPS} groups, got ${show(v)}`);
    return [];
  }
  const seen = new Map<string, number>();
  return v.flatMap((g, i) => {
    const path = `optimizer.param_groups.${i}`;
    const o = rd.object(g, path);
    if (!o) return [];
    rd.unknownKeys(o, ['params', ...def.params.map((p) => p.key)], path);
    const names = own(o, 'params');
    if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string' && n.length <= 100)) {
      rd.fail(`${path}.params`, `expected a non-empty list of tensor or layer names such as "layers.0" or "layers.1.bias", got ${show(names)}`);
      return [];
    }
    for (const [k, n] of (names as string[]).entries()) {
      const hits = tensors ? tensors.filter((t) => t === n || t.startsWith(`${n}.`)) : [];
      if (tensors && hits.length === 0) {
        // A misspelt tensor or layer gets a suggestion (walkthrough 23: layers.0.wieght was only listed).
        const layers = [...new Set(tensors.map((t) => t.replace(/\.[^.]*$/, '')))];
        const hint = fieldHint(n, [...tensors, ...layers]);
        rd.fail(`${path}.params.${k}`, `no tensor or layer ${show(n)}${hint?.startsWith('did you mean') ? ` (${hint})` : ''}; the network has ${tensors.join(', ')}`);
      }
      for (const t of hits) {
        const other = seen.get(t);
        if (other !== undefined) rd.fail(`${path}.params.${k}`, `${t} is already in param_groups.${other} (torch: "some parameters appear in more than one parameter group")`);
        seen.set(t, i);
      }
    }
    const overrides: Record<string, ParamValue> = {};
    for (const p of def.params) {
      const given = own(o, p.key);
      if (given === undefined) continue;
      const val = readParam(rd, p, given, join(path, p.key));
      if (val !== undefined) overrides[p.key] = val;
    }
    return [{ params: names as string[], overrides }];
  });
}

/** The layout of the network a spec describes, or null if its sizes are not known (an invalid block). */
function specLayout(network: ParamValues | null, data: NetSpec['data'] | null): Layout | null {
  if (!network || !data) return null;
  const def = findDataSet(data.name);
  if (!def) return null;
  const hidden = network.hidden as readonly number[];
  return layout({
    sizes: [def.inputs(data.params), ...hidden, def.outputs(data.params)],
    activation: network.activation as Activation,
    bias: network.bias === true,
    parametrization: network.parametrization as Parametrization,
  });
}

/**
 * The tensors of a network spec in none of its param groups. torch trains only the tensors its
 * groups list; basinlab puts the rest in a last, default group with the optimiser's own values. Empty
 * without explicit groups (every tensor is in the one group then, as with model.parameters()).
 */
export function ungroupedTensors(spec: NetSpec): string[] {
  if (spec.paramGroups.length === 0) return [];
  return inNoGroup(specLayout(spec.network, spec.data)?.tensors.map((t) => t.name) ?? [], spec.paramGroups);
}

/**
 * The tensors the optimiser's own value of `key` trains in a spec with param groups: those in no
 * group, and those of each group that does not set `key` itself (torch: a group's value falls back
 * to the optimiser's). Empty without groups (it trains every tensor).
 */
export function tensorsOfOptimizerValue(spec: NetSpec, key: string): string[] {
  if (spec.paramGroups.length === 0) return [];
  const names = specLayout(spec.network, spec.data)?.tensors.map((t) => t.name) ?? [];
  const setting = spec.paramGroups.filter((g) => Object.hasOwn(g.overrides, key));
  return inNoGroup(names, setting);
}

/** Tensor names with each layer whose tensors are all listed written as the layer: `layers.0.weight, layers.0.bias` → `layers.0`. */
export function compactTensorNames(spec: NetSpec, names: readonly string[]): string[] {
  const all = specLayout(spec.network, spec.data)?.tensors.map((t) => t.name) ?? [];
  const layerOf = (t: string): string => t.split('.').slice(0, 2).join('.');
  const out: string[] = [];
  for (const t of names) {
    const layer = layerOf(t);
    const whole = all.filter((a) => layerOf(a) === layer).every((a) => names.includes(a));
    const name = whole ? layer : t;
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/** Of the tensors `names`, those in none of `groups` (a group names tensors, or layers: `layers.0` holds `layers.0.weight`). */
function inNoGroup(names: readonly string[], groups: readonly { readonly params: readonly string[] }[]): string[] {
  return names.filter((t) => !groups.some((g) => g.params.some((n) => t === n || t.startsWith(`${n}.`))));
}

/** Whether the explicit param groups hold every tensor, leaving the default group none (torch's optimiser then has only those groups). */
export function defaultGroupEmpty(spec: NetSpec): boolean {
  return spec.paramGroups.length > 0 && ungroupedTensors(spec).length === 0;
}

/** How many param groups torch's optimiser has for this spec: the explicit ones, and the default one where it holds tensors. */
export function torchGroupCount(spec: NetSpec): number {
  return spec.paramGroups.length + (defaultGroupEmpty(spec) ? 0 : 1);
}

/**
 * Whether a per-group list of `length` values fits `explicit` param groups and the default one:
 * a value for each, the default group's optional where it holds no tensor (`defaultEmpty`).
 */
export function groupListFits(length: number, explicit: number, defaultEmpty: boolean): boolean {
  return length === explicit + 1 || (defaultEmpty && length === explicit);
}

/** Validates and resolves a network spec. Throws SpecErrors listing every problem found. */
export function parseNetSpec(input: unknown): NetSpec {
  const rd = new Reader();
  if (!rd.isObject(input)) {
    rd.fail('', `a spec is a JSON object, got ${show(input)}`);
    throw rd.thrown();
  }
  const o = input;
  // Fields of a surface spec (walkthrough 17: `start` read as any unknown field).
  rd.unknownKeys(o, NET_TOP_KEYS, '', {
    start: "start is for surfaces; a network starts from its initial weights, set by network.init and network.init_seed",
    surface: 'a spec with a network trains it on its data; surface is for loss-surface specs, which have no network or data',
  });
  const network = readNetwork(rd, own(o, 'network'));
  const givenData = own(o, 'data');
  const data = givenData === undefined ? (rd.fail('data', `required; one of ${DATA_SETS.map((d) => d.id).join(', ')}`), null) : readData(rd, givenData);
  const givenOptimizer = own(o, 'optimizer');
  const optObject = rd.isObject(givenOptimizer) ? givenOptimizer : null;
  const withoutGroups = optObject ? Object.fromEntries(Object.entries(optObject).filter(([k]) => k !== 'param_groups')) : givenOptimizer;
  const optimizer =
    givenOptimizer === undefined ? (rd.fail('optimizer', `required, e.g. {"name": "SGD", "lr": 0.01}`), null) : readOptimizer(rd, withoutGroups);
  const optDef = optimizer ? findOptimizer(optimizer.name) : undefined;
  const netLayout = specLayout(network, data);
  // The data set's cross-field rules, its sizes among them (some follow the model's parameter count).
  if (data) for (const msg of findDataSet(data.name)?.validate?.(data.params, netLayout?.params ?? null) ?? []) failAt(rd, 'data', msg);
  const paramGroups = optDef && optObject ? readParamGroups(rd, own(optObject, 'param_groups'), optDef, netLayout?.tensors.map((t) => t.name) ?? null) : [];
  // torch's per-group lists (NumberParam.perGroup) hold one value for each group, the default one
  // among them unless the explicit groups hold every tensor (torch's optimiser then has only those).
  // The groups as given (an invalid one, refused above, still counts: a list was written for it).
  const givenGroups = optObject ? own(optObject, 'param_groups') : undefined;
  const explicitCount = Array.isArray(givenGroups) ? givenGroups.length : paramGroups.length;
  const tensorNames = netLayout?.tensors.map((t) => t.name) ?? [];
  const defaultEmpty = paramGroups.length > 0 && tensorNames.length > 0 && inNoGroup(tensorNames, paramGroups).length === 0;
  const schedule = readSchedule(rd, own(o, 'schedule'), 'schedule', 0, { count: explicitCount + 1, defaultEmpty });
  const run = readRunSettings(rd, o, null, new Set(['start']));
  const sweep = readSweep(rd, own(o, 'sweep'));
  if (sweep && runCount(sweep) > MAX_RUNS) rd.fail('sweep', `${runCount(sweep)} runs is more than the ${MAX_RUNS} one sweep may hold`);
  if (rd.errors.length > 0 || !network || !data || !optimizer || !run) {
    throw rd.errors.length > 0 ? rd.thrown() : new SpecErrors([new SpecError('', 'invalid spec')]);
  }
  const { start: _start, ...rest } = run;
  const spec: NetSpec = { problem: 'network', network, data, optimizer, paramGroups, schedule, ...rest, sweep };
  netCrossChecks(rd, spec);
  if (sweep) {
    /** Which axis writes each (group, slot) of the groups' parameter vectors: two may not write one. */
    const writes = new Map<string, { param: string; field: string }>();
    sweepRanges(sweep).forEach((r, i) => {
      const t = resolveNetPath(spec, r.param);
      if (typeof t === 'string') {
        rd.fail(axisField(sweep, i, 'param'), t);
        return;
      }
      if (t.where.kind === 'slot') {
        for (const g of t.where.groups) {
          const key = `${g}:${t.where.slot}`;
          const other = writes.get(key);
          if (other) {
            const group = `optimizer.param_groups.${g}`;
            const name = r.param.startsWith(`${group}.`) ? r.param.slice(group.length + 1) : other.param.slice(group.length + 1);
            const own = name.split('.')[0] ?? name;
            rd.fail(
              axisField(sweep, i, 'param'),
              `${r.param} and ${other.field} (${other.param}) would both set ${group}'s ${name}: one axis would be lost; ` +
                `give param_groups.${g} its own "${own}" (optimizer.${own} then sweeps the groups without one)`,
            );
            break;
          }
          writes.set(key, { param: r.param, field: axisField(sweep, i, 'param') });
        }
      }
      if (t.int) intAxisRepeats(rd, sweep, i, t.path);
      for (const end of ends(r)) {
        const v = r[end];
        if (t.int && !Number.isInteger(v)) rd.fail(axisField(sweep, i, end), `${v} is not an integer; ${t.path} takes integers (a sweep of it runs its ends as given and rounds the values between)`);
        else if (!inRange(v, t.range)) rd.fail(axisField(sweep, i, end), `${v} is outside ${t.path}'s allowed range ${rangeText(t.range)}`);
      }
    });
  }
  if (rd.errors.length > 0) throw rd.thrown();
  return spec;
}

/** A data set's training-set size for these values (null where it cannot be known). */
function trainRowsOf(def: DataDef, values: ParamValues, paramCount: number | null): number | null {
  const given = values.train;
  return def.trainRows ? def.trainRows(values, paramCount) : typeof given === 'number' ? given : null;
}

/**
 * The training set's size of a network spec: the largest batch it may take (null where the data
 * set cannot say). A zoom out on a batch axis stays within it.
 */
export function netTrainRows(spec: NetSpec): number | null {
  const def = findDataSet(spec.data.name);
  return def ? trainRowsOf(def, spec.data.params, specLayout(spec.network, spec.data)?.params ?? null) : null;
}

/**
 * A batch larger than the training set is refused, naming the field and the allowed range: torch's
 * DataLoader would give the whole set as one batch, while a run here draws batch_size rows with
 * replacement, so the run would not be the one a torch user asked for. The set's size can follow
 * the model's size (the fractal set's), so it is checked here, with the whole spec read.
 */
function batchWithinData(rd: Reader, spec: NetSpec, def: DataDef, paramCount: number | null): void {
  const n = trainRowsOf(def, spec.data.params, paramCount);
  if (n === null) return;
  const allowed = `allowed 1 to ${n}, the training set's size (null: the whole set, full batch)`;
  const b = spec.network.batch_size;
  if (typeof b === 'number' && b > n) rd.fail('network.batch_size', `${b} is more than the ${n} training samples of ${spec.data.name}; ${allowed}`);
  if (spec.sweep) {
    sweepRanges(spec.sweep).forEach((r, i) => {
      if (r.param !== 'network.batch_size' || !spec.sweep || Math.round(r.max) <= n) return;
      rd.fail(axisField(spec.sweep, i, 'max'), `a batch size of ${r.max} is more than the ${n} training samples of ${spec.data.name}; ${allowed}`);
    });
  }
}

function netCrossChecks(rd: Reader, spec: NetSpec): void {
  const net = spec.network;
  if (net.parametrization === 'mean_field') {
    if (net.bias === true) rd.fail('network.bias', 'the mean-field parametrisation (the fractal notebook\'s) has no biases; set "bias": false');
    if (net.activation === 'gelu') rd.fail('network.activation', 'the mean-field parametrisation is defined for tanh, relu and identity (the fractal notebook\'s)');
  }
  const def = findDataSet(spec.data.name);
  if (def) batchWithinData(rd, spec, def, specLayout(net, spec.data)?.params ?? null);
  if (def && net.loss === 'cross_entropy' && def.task !== 'classification') rd.fail('network.loss', `cross_entropy needs class labels; ${def.id} is a regression data set (use mse)`);
  if (def && net.loss === 'mse' && def.task === 'classification') rd.fail('network.loss', `mse needs targets; ${def.id} is a classification data set (use cross_entropy)`);
  if (spec.noise.std !== 0) rd.fail('noise.std', 'gradient noise is for surfaces; a network\'s noise is its minibatches (network.batch_size); noise.seed seeds them');
  if (spec.outcome.radius !== null) rd.fail('outcome.radius', 'a network has no known minima to be within a radius of; use network.threshold');
  const opt = findOptimizer(spec.optimizer.name) as OptimizerDef;
  // The optimiser's and schedule's rules at the spec's values and at the ends of the axes that sweep them.
  sweptRuleChecks(
    rd,
    { optimizer: spec.optimizer, groups: spec.paramGroups.map((g) => g.overrides), schedule: spec.schedule, steps: spec.steps, defaultEmpty: defaultGroupEmpty(spec) },
    spec.sweep ? sweepRanges(spec.sweep) : [],
    (i) => (spec.sweep ? axisField(spec.sweep, i, 'param') : ''),
  );
  const groups = [spec.optimizer.params, ...spec.paramGroups.map((g) => ({ ...spec.optimizer.params, ...g.overrides }))];
  groups.forEach((values, i) => {
    const at = i === 0 ? 'optimizer' : `optimizer.param_groups.${i - 1}`;
    // A rule over whole tensors runs on networks through the entry's tensor step; one without it
    // would be applied pair by pair, which is not the rule.
    if (opt.perTensor?.(values) && !opt.tensor && (i === 0 || !opt.perTensor(spec.optimizer.params))) {
      rd.fail(i === 0 ? 'optimizer.name' : at, `${opt.id}${values['caution'] === true ? ' with caution' : ''} reads each parameter tensor as a whole (a norm or a mean over it); on networks basinlab applies optimisers elementwise and does not run it yet — use it on a surface, or an elementwise optimiser`);
    }
  });
  // Values the schedule sets in every group (OneCycleLR's and CyclicLR's LR, a cycled momentum):
  // torch overwrites a group's own, so it has no effect (walkthrough 13: per-layer LRs under
  // OneCycleLR were dropped without a word, while a sweep of the same key was refused).
  const overrides = groupScheduleOverrides(spec);
  spec.paramGroups.forEach((g, i) => {
    for (const [key, why] of Object.entries(opt.globalParams ?? {})) {
      if (Object.hasOwn(g.overrides, key)) rd.fail(`optimizer.param_groups.${i}.${key}`, `${opt.id} reads ${key} once for all param groups (${why}); set it on the optimizer, not in a param group`);
    }
    for (const key of overrides) {
      if (Object.hasOwn(g.overrides, key)) {
        rd.fail(
          `optimizer.param_groups.${i}.${key}`,
          `has no effect: ${overrideSetter(key, spec.schedule)} sets every param group's ${key} from its own values, as torch does; ${groupListAdvice(spec, key)}`,
        );
      }
    }
  });
  // No SWA slot rule here: a network keeps its average in rows of its own (the CPU's avg, the GPU's
  // row_avg), not in an optimiser state slot.
}

/**
 * The form of a per-group list of the schedule's stand-in for a group value in this spec, e.g.
 * `schedule.max_lr: [0.1, 0.1]` for two groups (the explicit one, then the default one), with the
 * schedule's own value in every place: a group's own LR is no peak LR to copy there.
 */
function groupListExample(spec: NetSpec, key: string): { readonly text: string; readonly lists: number } {
  const list = (v: ParamValue | undefined): string =>
    // As many as torch's optimiser has groups: without the default group where it holds no tensor.
    `[${(Array.isArray(v) ? v : Array.from({ length: torchGroupCount(spec) }, () => (typeof v === 'number' ? v : 0))).join(', ')}]`;
  // A CyclicLR's LR runs between its two bounds: a group's own needs both (review 22: the advice
  // named max_lr alone, where the editor's field named both).
  const paths = groupListPaths(spec.schedule, key);
  const text = paths.map((p) => {
    const at = standInEntry(spec.schedule, p);
    return `${p}: ${list((at.entry?.params ?? {})[at.key])}`;
  });
  return { text: text.join(', '), lists: paths.length };
}

/**
 * What to do instead of a group's own value the schedule overwrites: write the schedule's value as a
 * list, or, where it is one already (walkthrough 14: pasted torch code with both was told to write
 * the list it had), leave the group's value out.
 */
function groupListAdvice(spec: NetSpec, key: string): string {
  const { stand, own } = standInValue(spec.schedule, key);
  if (Array.isArray(own)) return `the schedule's list (${stand}: [${own.join(', ')}]) gives each group its own already: leave the group's ${key} out`;
  const example = groupListExample(spec, key);
  return `to give each group its own, write the schedule's ${example.lists === 2 ? 'values as lists' : 'value as a list'}, one per group (${example.text}), as torch takes it`;
}

/** Where a network sweep path's value goes: the run's batch size, or a slot of some groups' parameter vectors. */
export interface NetTarget {
  readonly path: string;
  readonly int: boolean;
  readonly range: { min: number; max: number; minExclusive?: boolean; maxExclusive?: boolean };
  /** The registry parameter a slot holds (for its typical range) and the tuple element it names; null for the batch size. */
  readonly schema: ParamSchema | null;
  readonly element: number | null;
  /** 'batch', or a slot of P in the listed groups (explicit groups by index, the default group last). */
  readonly where: { readonly kind: 'batch' } | { readonly kind: 'slot'; readonly slot: number; readonly groups: readonly number[] };
}

/** What a network sweep may name, for messages. */
const NET_SWEEPABLE = 'optimizer.<name>, optimizer.param_groups.<i>.<name>, schedule.<name>, network.batch_size or sam.rho';

/** Resolves a network sweep path, or returns the reason it is not sweepable. */
export function resolveNetPath(spec: NetSpec, path: string): NetTarget | string {
  const groups = spec.paramGroups.length + 1;
  const all = Array.from({ length: groups }, (_, i) => i);
  if (path === 'network.batch_size') {
    return { path, int: true, range: { min: 1, max: MAX_BATCH }, schema: null, element: null, where: { kind: 'batch' } };
  }
  const m = /^optimizer\.param_groups\.([^.]*)\.(.+)$/.exec(path);
  if (m) {
    const n = spec.paramGroups.length;
    const g = /^(0|[1-9]\d{0,2})$/.test(m[1] ?? '') ? Number(m[1]) : -1;
    if (g < 0 || g >= n) return `optimizer.param_groups has no group ${printable(m[1] ?? '', 20)}; ${n === 0 ? 'the optimizer has no param_groups' : `its groups are ${n === 1 ? '0' : `0..${n - 1}`}`}`;
    const key = m[2]?.split('.')[0] ?? '';
    const opt = findOptimizer(spec.optimizer.name);
    const why = opt?.globalParams && Object.hasOwn(opt.globalParams, key) ? opt.globalParams[key] : undefined;
    if (opt && why !== undefined) return `${path}: ${opt.id} reads ${key} once for all param groups (${why}); sweep optimizer.${key}`;
    const t = resolveParamPath({ surface: { name: 'quadratic', params: {} }, optimizer: spec.optimizer, schedule: spec.schedule }, `optimizer.${m[2]}`);
    if (typeof t === 'string') return t.replaceAll('optimizer.', `optimizer.param_groups.${g}.`);
    return { path, int: t.int, range: t.range, schema: t.schema, element: t.element, where: { kind: 'slot', slot: t.slot, groups: [g] } };
  }
  const head = path.split('.')[0];
  if (head === 'surface' || head === 'start') return `${path}: a network spec has no surface or start; sweep ${NET_SWEEPABLE}`;
  if (head === 'network') return `${path} cannot be swept; of the network block only network.batch_size can`;
  if (head === 'data') return `${path} cannot be swept: the data set is built once, before the runs; sweep ${NET_SWEEPABLE}`;
  if (path === 'noise.std') return 'noise.std is for surfaces; a network\'s noise is its minibatches';
  // A value given per param group (torch's list) is one value per group; an axis would give them all
  // one, and an axis over one group's element is not offered either.
  const lists = scheduleGroupLists(spec.schedule).map((k) => `schedule.${k}`);
  const list = lists.find((k) => path === k || path.startsWith(`${k}.`));
  if (list !== undefined) {
    return `${list} holds one value per param group; a sweep axis would give every group the same one: write ${list} as one number to sweep it`;
  }
  // What a message lists as sweepable: a network's paths, not the surfaces' (nor a per-group list).
  const t = resolveParamPath({ surface: { name: 'quadratic', params: {} }, optimizer: spec.optimizer, schedule: spec.schedule, ...(spec.sam ? { sam: spec.sam } : {}) }, path, `sweep ${NET_SWEEPABLE}`);
  if (typeof t === 'string') {
    return lists.length === 0 ? t : t.replace(/(sweepable: )(.*)$/, (_, head: string, names: string) => `${head}${names.split(', ').filter((n) => !lists.includes(n)).join(', ') || 'none'}`);
  }
  // optimizer.<x>: every group that does not set x itself (torch: a group's value falls back to the optimiser's).
  const key = path.startsWith('optimizer.') ? path.slice('optimizer.'.length).split('.')[0] ?? '' : '';
  const which = key ? all.filter((g) => g === groups - 1 || !Object.hasOwn(spec.paramGroups[g]?.overrides ?? {}, key)) : all;
  // Only the default group, and it holds no tensor: the value reaches nothing (review 12: a sweep of
  // it ran identical columns without a word).
  if (key && which.length === 1 && defaultGroupEmpty(spec)) {
    return `${path} reaches no tensor: every tensor is in a param group that sets ${key} itself; sweep ${spec.paramGroups.map((_, g) => `optimizer.param_groups.${g}.${key}`).join(' or ')} instead`;
  }
  return { path, int: t.int, range: t.range, schema: t.schema, element: t.element, where: { kind: 'slot', slot: t.slot, groups: which } };
}

/** A network spec as JSON, every default explicit. */
export function netSpecToJSON(spec: NetSpec): Record<string, unknown> {
  const sched = (s: ScheduleSpec): Record<string, unknown> => ({
    name: s.name,
    ...s.params,
    ...(s.schedulers.length > 0 ? { schedulers: s.schedulers.map(sched) } : {}),
  });
  const copy = (v: unknown): unknown => (Array.isArray(v) ? [...(v as unknown[])] : v !== null && typeof v === 'object' ? { ...v } : v);
  const value = (s: RunSetting): unknown => (spec as unknown as Record<string, unknown>)[s.key];
  const run = (settings: readonly RunSetting[]): Record<string, unknown> =>
    Object.fromEntries(settings.filter((s) => s.key !== 'start' && value(s) !== null).map((s) => [s.key, copy(value(s))]));
  return {
    network: Object.fromEntries(Object.entries(spec.network).map(([k, v]) => [k, copy(v)])),
    data: { name: spec.data.name, ...spec.data.params, seed: spec.data.seed },
    optimizer: {
      name: spec.optimizer.name,
      ...spec.optimizer.params,
      ...(spec.paramGroups.length > 0 ? { param_groups: spec.paramGroups.map((g) => ({ params: [...g.params], ...g.overrides })) } : {}),
    },
    schedule: spec.schedule ? sched(spec.schedule) : null,
    ...run(SETTINGS_BEFORE_SWEEP),
    sweep:
      spec.sweep?.kind === 'points'
        ? { kind: 'points', params: spec.sweep.dims.map((d) => d.param), points: spec.sweep.points }
        : spec.sweep,
    ...run(SETTINGS_AFTER_SWEEP),
  };
}

/** Either kind of spec as JSON. */
export function anySpecToJSON(spec: AnySpec): Record<string, unknown> {
  return spec.problem === 'network' ? netSpecToJSON(spec) : specToJSON(spec);
}

/** A spec's normal form as text (every default written out): two specs are one sweep when their keys are equal. */
export function specKey(spec: AnySpec): string {
  return JSON.stringify(anySpecToJSON(spec));
}
