/**
 * The sweep spec: one JSON shape shared by the CLI, the app (URL state, import/export) and the tests.
 *
 * `parseSpec` turns untrusted JSON into a resolved `Spec` (every default filled in, names in their
 * canonical torch spelling) or throws `SpecErrors` listing every problem with its field path, what
 * was given and what is allowed. Nothing is clamped: a value out of range is an error.
 */
import { SpecError, SpecErrors } from './errors.ts';
import {
  MAX_SCHEDULE_CHILDREN,
  MAX_SWEEP_DIMS,
  P_OPTIMIZER,
  P_SURFACE,
  RUN_PARAMS,
  STATE_VEC2,
  scheduleBlockBase,
} from './layout.ts';
import type { ParamSchema, ParamValue, ParamValues } from './params.ts';
import { inRange, rangeText, slotOffsets } from './params.ts';
import type { OptimizerDef, ScheduleDef, SurfaceDef } from './registry/index.ts';
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

export interface Spec {
  readonly surface: EntrySpec;
  readonly optimizer: EntrySpec;
  readonly schedule: ScheduleSpec | null;
  readonly steps: number;
  readonly start: readonly [number, number];
  readonly noise: { readonly std: number; readonly seed: number };
  /**
   * Outcome rules. radius: convergence radius around a known minimum; bound: divergence bound
   * (null = the surface's default); check_every: steps between outcome checkpoints, so divergence
   * is detected and steps_to_converge measured to that resolution (1 = every step, exact but about
   * three times slower on the GPU; null = defaultCheckEvery(steps); see docs/performance.md).
   */
  readonly outcome: { readonly radius: number | null; readonly bound: number | null; readonly check_every: number | null };
  readonly sweep: SweepSpec | null;
  /**
   * Stochastic weight averaging (torch.optim.swa_utils.AveragedModel's equal-weight average): the
   * mean of the iterates after steps start, start + every, …; reported beside the last iterate.
   */
  readonly swa: { readonly start: number; readonly every: number } | null;
  /**
   * Sharpness-aware minimisation (Foret et al., ICLR 2021; reference implementation davda54/sam)
   * wrapping the optimiser: each step first moves to w + e(w), e = rho·g/‖g‖ (adaptive: ASAM's
   * rho·w²·g/‖|w|·g‖), takes the gradient there with the same noise draw, and hands it to the
   * optimiser at w. Two gradient evaluations per step.
   */
  readonly sam: { readonly rho: number; readonly adaptive: boolean } | null;
}

export const MAX_STEPS = 10_000_000;
/**
 * Steps between outcome checkpoints unless the spec says otherwise: 2% of the run, so that
 * steps_to_converge has the same relative resolution whatever the run length, while the checks
 * cost the GPU engine under a fifth of its speed (docs/performance.md).
 */
export function defaultCheckEvery(steps: number): number {
  return Math.max(1, Math.round(steps / 50));
}
export const MAX_AXIS_COUNT = 16_384;
/** Explicit points are JSON: beyond a million, a grid, random or Sobol sweep is the right tool. */
export const MAX_POINTS = 1_048_576;
export const MAX_RUNS = 16_384 * 16_384;
const U32_MAX = 0xffffffff;

// ---------------------------------------------------------------------------------------------
// Small readers that record an error instead of throwing, so one pass reports every problem.

class Reader {
  readonly errors: SpecError[] = [];

  fail(path: string, message: string): void {
    this.errors.push(new SpecError(path, message));
  }

  isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  }

  object(v: unknown, path: string): Record<string, unknown> | null {
    if (this.isObject(v)) return v;
    this.fail(path, `expected an object, got ${show(v)}`);
    return null;
  }

  unknownKeys(o: Record<string, unknown>, allowed: readonly string[], path: string): void {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k)) {
        this.fail(join(path, k), `unknown field; allowed: ${allowed.join(', ')}`);
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
      this.fail(path, `expected a finite number in ${rangeText(range)}, got ${show(v)}`);
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
    if (typeof v === 'string') {
      const hit = allowed.find((a) => a.toLowerCase() === v.toLowerCase());
      if (hit !== undefined) return hit;
    }
    this.fail(path, `expected one of ${allowed.join(', ')}, got ${show(v)}`);
    return null;
  }
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
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
      for (let i = 1; i < out.length; i++) {
        if ((out[i] as number) < (out[i - 1] as number)) {
          rd.fail(path, `must be non-decreasing, got ${show(v)}`);
          return undefined;
        }
      }
      return out.length === v.length ? out : undefined;
    }
  }
}

function readParams(
  rd: Reader,
  entry: string,
  schema: readonly ParamSchema[],
  o: Record<string, unknown>,
  path: string,
  reserved: readonly string[],
): ParamValues {
  const out: Record<string, ParamValue> = {};
  rd.unknownKeys(o, [...reserved, ...schema.map((p) => p.key)], path);
  for (const p of schema) {
    if (o[p.key] === undefined) {
      if ('required' in p && p.required) {
        rd.fail(join(path, p.key), `required: torch's ${entry} has no default (e.g. ${JSON.stringify(p.default)})`);
      }
      out[p.key] = p.default;
    } else {
      const v = readParam(rd, p, o[p.key], join(path, p.key));
      out[p.key] = v === undefined ? p.default : v;
    }
  }
  return out;
}

function readSurface(rd: Reader, v: unknown): EntrySpec | null {
  const names = SURFACES.map((s) => s.id);
  const o = typeof v === 'string' ? { name: v } : rd.object(v, 'surface');
  if (!o) return null;
  const name = rd.string(o.name, 'surface.name', names);
  const def = name === null ? undefined : findSurface(name);
  if (!def) return null;
  return { name: def.id, params: readParams(rd, def.id, def.params, o, 'surface', ['name']) };
}

function readOptimizer(rd: Reader, v: unknown): EntrySpec | null {
  const o = typeof v === 'string' ? { name: v } : rd.object(v, 'optimizer');
  if (!o) return null;
  const name = rd.string(o.name, 'optimizer.name', OPTIMIZERS.map((x) => x.id));
  const def = name === null ? undefined : findOptimizer(name);
  if (!def) return null;
  return { name: def.id, params: readParams(rd, def.id, def.params, o, 'optimizer', ['name']) };
}

function readSchedule(rd: Reader, v: unknown, path: string, depth: number): ScheduleSpec | null {
  if (v === null || v === undefined) return null;
  const o = typeof v === 'string' ? { name: v } : rd.object(v, path);
  if (!o) return null;
  const name = rd.string(o.name, join(path, 'name'), SCHEDULES.map((x) => x.id));
  const def = name === null ? undefined : findSchedule(name);
  if (!def) return null;
  const params = readParams(rd, def.id, def.params, o, path, def.children ? ['name', 'schedulers'] : ['name']);
  const schedulers: ScheduleSpec[] = [];
  if (def.children) {
    const list = o.schedulers;
    const { min, max } = def.children;
    const limit = Math.min(max, MAX_SCHEDULE_CHILDREN);
    if (!Array.isArray(list) || list.length < min || list.length > limit) {
      rd.fail(join(path, 'schedulers'), `expected a list of ${min} to ${limit} schedules, got ${show(list)}`);
    } else if (depth > 0) {
      rd.fail(path, `${def.id} cannot be nested inside another composite schedule`);
    } else {
      list.forEach((c, i) => {
        const child = readSchedule(rd, c, join(join(path, 'schedulers'), i), depth + 1);
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
  if (!p || offsets[rest] === undefined) {
    return `no numeric parameter '${rest}' in ${prefix}; sweepable: ${numeric.map((n) => `${prefix}.${n}`).join(', ') || 'none'}`;
  }
  if (p.kind === 'bool' || p.kind === 'enum') return `${prefix}.${rest} is not numeric and cannot be swept`;
  if ('sweepable' in p && p.sweepable === false) {
    return `${prefix}.${rest} cannot be swept (${p.doc.replace(/\.$/, '')}; changing it per run would move the known minima)`;
  }
  const int = p.kind === 'int' || p.kind === 'optional-int' || p.kind === 'int-list';
  return { path: `${prefix}.${rest}`, slot: base + (offsets[rest] as number), int, range: p };
}

/** Resolves a sweep path against a spec, or returns the reason it is not sweepable. */
export function resolveParamPath(
  spec: Pick<Spec, 'surface' | 'optimizer' | 'schedule'> & { readonly sam?: Spec['sam'] },
  path: string,
): ParamTarget | string {
  const [head, ...tail] = path.split('.');
  const rest = tail.join('.');
  if (path in RUN_PARAMS) {
    const slot = RUN_PARAMS[path as keyof typeof RUN_PARAMS];
    const range =
      path === 'noise.std' || path === 'sam.rho' ? { min: 0, max: Number.POSITIVE_INFINITY } : { min: -1e30, max: 1e30 };
    if (path === 'sam.rho' && !spec.sam) return 'sam.rho is swept but the spec has no sam block; add "sam": {"rho": 0.05}';
    return { path, slot, int: false, range };
  }
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
      return `unknown parameter path; use optimizer.<name>, schedule.<name>, surface.<name>, start.0, start.1, noise.std or sam.rho`;
  }
}

function readAxisRange(rd: Reader, v: unknown, path: string, allowedExtra: readonly string[]): AxisRange | null {
  const o = rd.object(v, path);
  if (!o) return null;
  rd.unknownKeys(o, ['param', 'min', 'max', 'scale', ...allowedExtra], path);
  if (typeof o.param !== 'string') {
    rd.fail(join(path, 'param'), `expected a parameter path such as "optimizer.lr", got ${show(o.param)}`);
    return null;
  }
  const scale = o.scale === undefined ? 'linear' : (rd.string(o.scale, join(path, 'scale'), ['linear', 'log']) as Scale | null);
  const min = rd.number(o.min, join(path, 'min'), { min: -1e30, max: 1e30 });
  const max = rd.number(o.max, join(path, 'max'), { min: -1e30, max: 1e30 });
  if (scale === null || min === null || max === null) return null;
  if (scale === 'log' && !(min > 0 && max > 0)) {
    rd.fail(path, `a log axis needs min > 0 and max > 0, got min ${min}, max ${max}`);
    return null;
  }
  if (max < min) {
    rd.fail(path, `max (${max}) must be >= min (${min})`);
    return null;
  }
  return { param: o.param, min, max, scale };
}

function readSweep(rd: Reader, v: unknown): SweepSpec | null {
  if (v === null || v === undefined) return null;
  const o = rd.object(v, 'sweep');
  if (!o) return null;
  const kind = (o.kind === undefined ? 'grid' : rd.string(o.kind, 'sweep.kind', ['grid', 'random', 'sobol', 'points'])) as
    | SweepSpec['kind']
    | null;
  if (kind === null) return null;
  if (kind === 'grid') {
    rd.unknownKeys(o, ['kind', 'x', 'y'], 'sweep');
    const axis = (a: unknown, path: string): GridAxis | null => {
      const r = readAxisRange(rd, a, path, ['count']);
      const ao = rd.isObject(a) ? a : {};
      const count = rd.number(ao.count, join(path, 'count'), { min: 1, max: MAX_AXIS_COUNT }, true);
      return r && count !== null ? { ...r, count } : null;
    };
    const x = axis(o.x, 'sweep.x');
    const y = o.y === undefined || o.y === null ? null : axis(o.y, 'sweep.y');
    if (!x) return null;
    if (x && y && x.param === y.param) rd.fail('sweep.y.param', `sweeps the same parameter as sweep.x (${x.param})`);
    return { kind: 'grid', x, y };
  }
  if (kind === 'points') return readPoints(rd, o);
  rd.unknownKeys(o, ['kind', 'count', 'seed', 'dims'], 'sweep');
  const count = rd.number(o.count, 'sweep.count', { min: 1, max: MAX_RUNS }, true);
  const seed = o.seed === undefined ? 0 : rd.number(o.seed, 'sweep.seed', { min: 0, max: U32_MAX }, true);
  if (!Array.isArray(o.dims) || o.dims.length < 1 || o.dims.length > MAX_SWEEP_DIMS) {
    rd.fail('sweep.dims', `expected a list of 1 to ${MAX_SWEEP_DIMS} parameter ranges, got ${show(o.dims)}`);
    return null;
  }
  const dims: AxisRange[] = [];
  o.dims.forEach((d, i) => {
    const r = readAxisRange(rd, d, `sweep.dims.${i}`, []);
    if (r) dims.push(r);
  });
  const params = dims.map((d) => d.param);
  params.forEach((p, i) => {
    if (params.indexOf(p) !== i) rd.fail(`sweep.dims.${i}.param`, `${p} is swept twice`);
  });
  if (count === null || seed === null || dims.length !== o.dims.length) return null;
  return { kind, count, seed, dims };
}

function readPoints(rd: Reader, o: Record<string, unknown>): PointsSweep | null {
  rd.unknownKeys(o, ['kind', 'params', 'points'], 'sweep');
  const params = o.params;
  if (!Array.isArray(params) || params.length < 1 || params.length > MAX_SWEEP_DIMS || !params.every((p) => typeof p === 'string')) {
    rd.fail('sweep.params', `expected 1 to ${MAX_SWEEP_DIMS} parameter paths, got ${show(params)}`);
    return null;
  }
  const pts = o.points;
  if (!Array.isArray(pts) || pts.length < 1 || pts.length > MAX_POINTS) {
    rd.fail('sweep.points', `expected a list of 1 to ${MAX_POINTS} points, got ${show(Array.isArray(pts) ? `${pts.length} points` : pts)}`);
    return null;
  }
  const d = params.length;
  const points: number[][] = [];
  for (let i = 0; i < pts.length; i++) {
    const row = pts[i];
    if (!Array.isArray(row) || row.length !== d || !row.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      rd.fail(`sweep.points.${i}`, `expected ${d} finite numbers (one per param), got ${show(row)}`);
      return null;
    }
    points.push(row as number[]);
  }
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

function crossChecks(rd: Reader, spec: Spec): void {
  const opt = findOptimizer(spec.optimizer.name) as OptimizerDef;
  const surface = findSurface(spec.surface.name) as SurfaceDef;
  const ranges = spec.sweep ? sweepRanges(spec.sweep) : [];

  // Optimiser rules at the base values and at each swept endpoint.
  const optVariants: { values: ParamValues; note: string }[] = [{ values: spec.optimizer.params, note: '' }];
  for (const r of ranges) {
    if (!r.param.startsWith('optimizer.')) continue;
    const rest = r.param.slice('optimizer.'.length);
    for (const end of [r.min, r.max]) {
      optVariants.push({ values: withValue(spec.optimizer.params, rest, end), note: ` (at ${r.param} = ${end}, an end of the sweep)` });
    }
  }
  const seen = new Set<string>();
  for (const { values, note } of optVariants) {
    for (const msg of opt.validate?.(values) ?? []) {
      const m = `${msg}${note}`;
      if (!seen.has(m)) failAt(rd, 'optimizer', m);
      seen.add(m);
    }
  }

  // Schedules: their own rules with the run context; a composite checks its children itself, each
  // over the steps it is active for.
  const ctx = { steps: spec.steps, optimizer: opt };
  const schedVariants: { values: ParamValues; note: string }[] = [];
  if (spec.schedule) {
    schedVariants.push({ values: spec.schedule.params, note: '' });
    for (const r of ranges) {
      if (!r.param.startsWith('schedule.') || r.param.startsWith('schedule.schedulers.')) continue;
      const rest = r.param.slice('schedule.'.length);
      for (const end of [r.min, r.max]) {
        schedVariants.push({ values: withValue(spec.schedule.params, rest, end), note: ` (at ${r.param} = ${end}, an end of the sweep)` });
      }
    }
    const def = findSchedule(spec.schedule.name) as ScheduleDef;
    const children = spec.schedule.schedulers.map((c) => ({ def: findSchedule(c.name) as ScheduleDef, values: c.params }));
    children.forEach((c, i) => {
      if (c.def.plateau) {
        rd.fail(`schedule.schedulers.${i}`, `${c.def.id} needs the loss at every step, which ${def.id} cannot give it (torch's SequentialLR calls step() without a metric); use it as the top-level schedule`);
      }
    });
    for (const { values, note } of schedVariants) {
      for (const msg of def.validate?.(values, ctx, children) ?? []) {
        const m = `${msg}${note}`;
        if (!seen.has(m)) failAt(rd, 'schedule', m);
        seen.add(m);
      }
    }
  }

  // A swept parameter must have an effect.
  const overridesLr = spec.schedule !== null && ['CyclicLR', 'OneCycleLR'].includes(spec.schedule.name);
  const sched = spec.schedule;
  const cycles = sched !== null && (findSchedule(sched.name) as ScheduleDef).cyclesMomentum(sched.params);
  ranges.forEach((r, i) => {
    const path = spec.sweep?.kind === 'grid' ? `sweep.${i === 0 ? 'x' : 'y'}.param` : `sweep.dims.${i}.param`;
    if (r.param === 'optimizer.lr' && overridesLr) {
      rd.fail(path, `optimizer.lr has no effect under ${sched?.name}, which sets the LR from its own parameters; sweep schedule.max_lr instead`);
    }
    if (cycles && opt.momentumParam && r.param === `optimizer.${opt.momentumParam}`) {
      rd.fail(path, `${r.param} has no effect: ${sched?.name} with cycle_momentum sets it every step; sweep schedule.max_momentum instead`);
    }
  });

  // The SWA average lives in the last state slot, which the optimiser must leave free.
  if (spec.swa && opt.stateSlots > STATE_VEC2 - 2) {
    rd.fail('swa', `${opt.id} uses every state slot; stochastic weight averaging needs one free (at most ${STATE_VEC2 - 2} optimiser slots)`);
  }

  // The start must be inside the divergence bound, or every run has diverged before step 1.
  const bound = spec.outcome.bound ?? surface.bound(spec.surface.params);
  spec.start.forEach((s, i) => {
    if (Math.abs(s) > bound) rd.fail(`start.${i}`, `${s} is beyond the divergence bound ${bound}`);
  });
}

// ---------------------------------------------------------------------------------------------

// `$schema` lets an editor find docs/spec.schema.json; it has no meaning for a run.
const TOP_KEYS = ['surface', 'optimizer', 'schedule', 'steps', 'start', 'noise', 'outcome', 'sweep', 'swa', 'sam', '$schema'] as const;

/** Validates and resolves a spec. Throws SpecErrors listing every problem found. */
export function parseSpec(input: unknown): Spec {
  const rd = new Reader();
  const o = rd.object(input, '');
  if (!o) throw new SpecErrors(rd.errors);
  rd.unknownKeys(o, TOP_KEYS, '');

  const surface = o.surface === undefined ? (rd.fail('surface', `required; one of ${SURFACES.map((s) => s.id).join(', ')}`), null) : readSurface(rd, o.surface);
  const optimizer =
    o.optimizer === undefined ? (rd.fail('optimizer', `required, e.g. {"name": "SGD", "lr": 0.01}`), null) : readOptimizer(rd, o.optimizer);
  const schedule = readSchedule(rd, o.schedule, 'schedule', 0);
  const steps = rd.number(o.steps, 'steps', { min: 1, max: MAX_STEPS }, true);

  let start: [number, number] | null = null;
  if (o.start === undefined) {
    const def = surface && findSurface(surface.name);
    if (def) start = [def.defaultStart[0], def.defaultStart[1]];
  } else if (Array.isArray(o.start) && o.start.length === 2) {
    const sx = rd.number(o.start[0], 'start.0', { min: -1e30, max: 1e30 });
    const sy = rd.number(o.start[1], 'start.1', { min: -1e30, max: 1e30 });
    if (sx !== null && sy !== null) start = [sx, sy];
  } else {
    rd.fail('start', `expected [x, y], got ${show(o.start)}`);
  }

  let noise = { std: 0, seed: 0 };
  if (o.noise !== undefined && o.noise !== null) {
    const n = rd.object(o.noise, 'noise');
    if (n) {
      rd.unknownKeys(n, ['std', 'seed'], 'noise');
      const std = n.std === undefined ? 0 : rd.number(n.std, 'noise.std', { min: 0, max: 1e30 });
      const seed = n.seed === undefined ? 0 : rd.number(n.seed, 'noise.seed', { min: 0, max: U32_MAX }, true);
      noise = { std: std ?? 0, seed: seed ?? 0 };
    }
  }

  let outcome: Spec['outcome'] = { radius: null, bound: null, check_every: null };
  if (o.outcome !== undefined && o.outcome !== null) {
    const oc = rd.object(o.outcome, 'outcome');
    if (oc) {
      rd.unknownKeys(oc, ['radius', 'bound', 'check_every'], 'outcome');
      const radius = oc.radius === undefined || oc.radius === null ? null : rd.number(oc.radius, 'outcome.radius', { min: 0, max: 1e30, minExclusive: true });
      const bound = oc.bound === undefined || oc.bound === null ? null : rd.number(oc.bound, 'outcome.bound', { min: 0, max: 1e30, minExclusive: true });
      const every =
        oc.check_every === undefined || oc.check_every === null
          ? null
          : rd.number(oc.check_every, 'outcome.check_every', { min: 1, max: 100_000 }, true);
      outcome = { radius, bound, check_every: every };
    }
  }

  let swa: Spec['swa'] = null;
  if (o.swa !== undefined && o.swa !== null) {
    const w = rd.object(o.swa, 'swa');
    if (w) {
      rd.unknownKeys(w, ['start', 'every'], 'swa');
      const maxStep = typeof o.steps === 'number' && o.steps >= 1 ? o.steps : MAX_STEPS;
      const start = rd.number(w.start, 'swa.start', { min: 1, max: maxStep }, true);
      const every = w.every === undefined ? 1 : rd.number(w.every, 'swa.every', { min: 1, max: maxStep }, true);
      if (start !== null && every !== null) swa = { start, every };
    }
  }

  let sam: Spec['sam'] = null;
  if (o.sam !== undefined && o.sam !== null) {
    const w = rd.object(o.sam, 'sam');
    if (w) {
      rd.unknownKeys(w, ['rho', 'adaptive'], 'sam');
      const rho = w.rho === undefined ? 0.05 : rd.number(w.rho, 'sam.rho', { min: 0, max: 1e30 });
      let adaptive = false;
      if (w.adaptive !== undefined) {
        if (typeof w.adaptive === 'boolean') adaptive = w.adaptive;
        else rd.fail('sam.adaptive', `expected true or false, got ${show(w.adaptive)}`);
      }
      if (rho !== null) sam = { rho, adaptive };
    }
  }

  const sweep = readSweep(rd, o.sweep);
  if (sweep && runCount(sweep) > MAX_RUNS) {
    rd.fail('sweep', `${runCount(sweep)} runs is more than the ${MAX_RUNS} one sweep may hold`);
  }

  if (rd.errors.length > 0 || !surface || !optimizer || steps === null || !start) {
    throw new SpecErrors(rd.errors.length > 0 ? rd.errors : [new SpecError('', 'invalid spec')]);
  }
  const spec: Spec = { surface, optimizer, schedule, steps, start, noise, outcome, sweep, swa, sam };

  // Sweep paths need the resolved entries.
  if (sweep) {
    sweepRanges(sweep).forEach((r, i) => {
      const path = sweep.kind === 'grid' ? `sweep.${i === 0 ? 'x' : 'y'}` : `sweep.dims.${i}`;
      const t = resolveParamPath(spec, r.param);
      if (typeof t === 'string') {
        rd.fail(`${path}.param`, t);
        return;
      }
      for (const [end, v] of [['min', r.min], ['max', r.max]] as const) {
        if (!inRange(t.int ? Math.round(v) : v, t.range)) {
          rd.fail(`${path}.${end}`, `${v} is outside ${t.path}'s allowed range ${rangeText(t.range)}`);
        }
      }
    });
  }
  crossChecks(rd, spec);
  if (rd.errors.length > 0) throw new SpecErrors(rd.errors);
  return spec;
}

/** The spec as JSON, every default explicit (what results files record). */
export function specToJSON(spec: Spec): Record<string, unknown> {
  const sched = (s: ScheduleSpec): Record<string, unknown> => ({
    name: s.name,
    ...s.params,
    ...(s.schedulers.length > 0 ? { schedulers: s.schedulers.map(sched) } : {}),
  });
  return {
    surface: { name: spec.surface.name, ...spec.surface.params },
    optimizer: { name: spec.optimizer.name, ...spec.optimizer.params },
    schedule: spec.schedule ? sched(spec.schedule) : null,
    steps: spec.steps,
    start: [...spec.start],
    noise: { ...spec.noise },
    outcome: { ...spec.outcome },
    sweep:
      spec.sweep?.kind === 'points'
        ? { kind: 'points', params: spec.sweep.dims.map((d) => d.param), points: spec.sweep.points }
        : spec.sweep,
    ...(spec.swa ? { swa: { ...spec.swa } } : {}),
    ...(spec.sam ? { sam: { ...spec.sam } } : {}),
  };
}

/** Every path a sweep axis may name for this spec, with its allowed range (for pickers). */
export function sweepablePaths(spec: Pick<Spec, 'surface' | 'optimizer' | 'schedule'> & { readonly sam?: Spec['sam'] }): ParamTarget[] {
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
      if (d) entry(`schedule.schedulers.${i}`, d.params);
    });
  }
  const surf = findSurface(spec.surface.name);
  if (surf) entry('surface', surf.params);
  for (const p of Object.keys(RUN_PARAMS)) add(p);
  return out;
}
