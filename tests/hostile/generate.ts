/**
 * Hostile specs: a seeded generator of inputs built by mutating valid specs (the examples and one
 * spec per registry entry) the ways users and attackers get them wrong: wrong types, numbers out
 * of range or beyond double range, NaN-like strings, deep nesting, duplicate keys, unknown and
 * prototype names, empty and garbage files, truncated JSON, enormous arrays, the wrong sweep kind,
 * fractional values of integer parameters, removed fields, sweep edge cases, control characters;
 * and network specs' own fields (the model, the data, param groups, sizes beyond memory).
 *
 * Each case is the bytes of a spec file (or a special file), its category, and what it must end
 * in where that is known: `ok` (runs), `refused` (exit 2), or `either`. Every case must end in one
 * of those two, whatever it is (tests/unit/hostile-specs.test.ts).
 *
 * Valid outcomes stay cheap: the generator never makes a valid spec with more than a few dozen
 * runs of a few dozen steps (the value pools for `steps` and counts hold only small or invalid
 * values), and the test checks that bound on every case that parses.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ParamSchema } from '../../src/core/params.ts';
import { OPTIMIZERS, SCHEDULES, SURFACES } from '../../src/core/registry/index.ts';
import { parseSpec } from '../../src/core/spec.ts';

export type Expect = 'ok' | 'refused' | 'either';

export interface HostileCase {
  readonly id: number;
  readonly category: string;
  readonly name: string;
  /** The file's bytes; or a path to use as it is (a device); or a sparse file of this many bytes. */
  readonly content: string | Buffer | { readonly device: string } | { readonly sparse: number };
  readonly expect: Expect;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };
type Path = readonly (string | number)[];

/** mulberry32: small, seeded, the same sequence on every machine. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------
// Valid specs to start from.

const STEPS = 40;

function entry(id: string, params: readonly ParamSchema[], over: Obj = {}): Obj {
  const o: Obj = { name: id };
  for (const p of params) if ('required' in p && p.required) o[p.key] = p.default as Json;
  return { ...o, ...over };
}

/** A spec made small: few steps, few runs. */
function shrink(spec: Obj): Obj {
  const s = structuredClone(spec);
  const sweep = s.sweep as Obj | null | undefined;
  if (sweep && typeof sweep === 'object') {
    for (const k of ['x', 'y']) {
      const a = sweep[k] as Obj | undefined;
      if (a && typeof a === 'object') a.count = Math.min(Number(a.count), 3);
    }
    if (typeof sweep.count === 'number') sweep.count = Math.min(sweep.count, 6);
    if (Array.isArray(sweep.points)) sweep.points = sweep.points.slice(0, 6);
  }
  const small = { ...s, steps: Math.min(Number(s.steps), STEPS) };
  try {
    parseSpec(small);
    return small;
  } catch {
    return s; // the schedule needs its steps: keep them (few runs still)
  }
}

function isValid(spec: unknown): boolean {
  try {
    parseSpec(spec);
    return true;
  } catch {
    return false;
  }
}

/** The examples, and a spec per surface, optimiser and schedule, each valid and small. */
export function baseSpecs(root: string): { name: string; spec: Obj }[] {
  const out: { name: string; spec: Obj }[] = [];
  const dir = join(root, 'examples');
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
    const spec = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Obj;
    // Network examples: their limits, float32 refusals and signals are tests/unit/cli-network.test.ts's;
    // this generator mutates surface specs, and lists network cases by hand ('network', below).
    if ('network' in spec) continue;
    out.push({ name: `examples/${f}`, spec: shrink(spec) });
  }
  const lrGrid = { x: { param: 'optimizer.lr', min: 0.001, max: 0.01, count: 2, scale: 'log' } };
  for (const s of SURFACES) {
    out.push({ name: `surface ${s.id}`, spec: { surface: entry(s.id, s.params), optimizer: { name: 'SGD', lr: 0.001, momentum: 0.5 }, steps: 20, sweep: lrGrid } });
  }
  for (const o of OPTIMIZERS) {
    out.push({
      name: `optimizer ${o.id}`,
      spec: { surface: 'quadratic', optimizer: entry(o.id, o.params), steps: 20, sweep: { kind: 'random', count: 4, seed: 3, dims: [{ param: 'start.0', min: -2, max: 2 }] } },
    });
  }
  for (const d of SCHEDULES.filter((x) => !x.children)) {
    const schedule = entry(d.id, d.params, d.id === 'OneCycleLR' ? { total_steps: STEPS } : {});
    out.push({
      name: `schedule ${d.id}`,
      spec: { surface: 'himmelblau', optimizer: { name: 'SGD', lr: 0.01, momentum: 0.9 }, schedule, steps: STEPS, sweep: { kind: 'points', params: ['start.0', 'start.1'], points: [[1, 1], [-2, 3], [0, 0]] } },
    });
  }
  out.push({
    name: 'composite schedules, every block',
    spec: {
      surface: 'rosenbrock',
      optimizer: { name: 'Adam', lr: 0.01 },
      schedule: { name: 'SequentialLR', milestones: [10], schedulers: [{ name: 'LinearLR', start_factor: 0.1, total_iters: 10 }, { name: 'ExponentialLR', gamma: 0.99 }] },
      steps: STEPS,
      noise: { std: 0.1, seed: 1 },
      outcome: { check_every: 5, radius: 0.1, bound: 100 },
      swa: { start: 20, every: 2 },
      sam: { rho: 0.05, adaptive: false },
      sweep: { kind: 'sobol', count: 4, seed: 9, dims: [{ param: 'sam.rho', min: 0, max: 0.1 }, { param: 'schedule.schedulers.1.gamma', min: 0.9, max: 0.99 }] },
    },
  });
  out.push({
    name: 'chained schedule, integer sweep',
    spec: {
      surface: 'beale',
      optimizer: 'SGD',
      schedule: { name: 'ChainedScheduler', schedulers: [{ name: 'StepLR', step_size: 5 }, 'ConstantLR'] },
      steps: 30,
      sweep: { x: { param: 'schedule.schedulers.0.step_size', min: 1, max: 9, count: 3 }, y: { param: 'noise.std', min: 0, max: 0.5, count: 2 } },
    },
  });
  const valid = out.filter((b) => isValid(b.spec));
  if (valid.length !== out.length) {
    const bad = out.filter((b) => !isValid(b.spec)).map((b) => b.name);
    throw new Error(`hostile generator: base specs no longer valid (fix the generator): ${bad.join(', ')}`);
  }
  return valid;
}

// ---------------------------------------------------------------------------------------------
// Walking and editing a spec.

function paths(v: Json, at: Path = []): { path: Path; value: Json }[] {
  const out = [{ path: at, value: v }];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

function setAt(root: Json, path: Path, value: Json | undefined): Json {
  if (path.length === 0) return value === undefined ? null : value;
  const copy = structuredClone(root);
  let cur = copy as Obj | Json[];
  for (const k of path.slice(0, -1)) cur = (cur as Record<string | number, Json>)[k] as Obj | Json[];
  const last = path[path.length - 1] as string | number;
  if (value === undefined) {
    if (Array.isArray(cur)) cur.splice(last as number, 1);
    else delete cur[last as string];
  } else if (last === '__proto__') {
    Object.defineProperty(cur, last, { value, enumerable: true, writable: true, configurable: true });
  } else {
    (cur as Record<string | number, Json>)[last] = value;
  }
  return copy;
}

/**
 * Raw JSON text in place of a value: a marker string the serialised text swaps for the text
 * itself (NaN, 1e400, deep nesting, an object with a key twice: what no JSON value holds).
 */
const RAW = '\u0000raw:';
function raw(text: string): string {
  return `${RAW}${text}\u0000`;
}
function serialise(v: Json, indent?: number): string {
  return JSON.stringify(v, null, indent).replace(/"\\u0000raw:((?:[^"\\]|\\.)*)\\u0000"/g, (_, t: string) => JSON.parse(`"${t}"`) as string);
}

// ---------------------------------------------------------------------------------------------
// Value pools.

const WRONG_TYPES: Json[] = ['0.01', 'SGD', '', true, false, null, [], [1, 2], {}, { name: 'SGD' }, 0, -1, 1e6];
const NUMBERS: Json[] = [-1, 0, -0, 1, 0.5, 2.5, 1e-300, 5e-324, 1e-45, 1e30, 1.0000001e30, -1e30, 1e38, 3.5e38, 1e300, 2 ** 31, 2 ** 32, 2 ** 53 + 2, -(2 ** 53), Number.MAX_VALUE, Number.EPSILON, 0.30000000000000004];
/** Fields whose value sets the work a valid spec does: only small or invalid values. */
const WORK: Readonly<Record<string, Json[]>> = {
  steps: [0, -1, 1, 2, 2.5, 10_000_001, 1e300, -0, '40'],
  /** A grid axis's count (at most 16,384). */
  axisCount: [0, -1, 1, 2, 2.5, 16_385, 1e300],
  /** A random or Sobol sweep's count (at most 2^28: 16,385 would be valid, and work). */
  count: [0, -1, 1, 2, 2.5, 2 ** 28 + 1, 1e300],
};
const NAN_LIKE = ['NaN', 'Infinity', '-Infinity', '1e400', '0x10', ' 1', '1,5', '', 'null', 'undefined', '∞', '1e', '.5'];
const RAW_NUMBERS = ['1e400', '-1e400', '1e-400', '-1e-999', '123456789e999', `0.${'0'.repeat(400)}1`, `1${'0'.repeat(400)}`, 'NaN', 'Infinity', '-Infinity', '+1', '.5', '1.', '01', '0x1F', '1e+', '--1', '1_000'];
const PROTO = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'isPrototypeOf'];
const ODD_KEYS = ['optimiser', 'Steps', 'lr ', 'sweep.x', 'evil\nkey', 'esc\u001b[31mred', 'x'.repeat(5000), 'nul\u0000key', '\u202etxt.exe', '😀', ''];
const ODD_STRINGS = ['SGD\n', 'SGD\u0000', '\u001b[2J', 'sgd', ' SGD', 'S'.repeat(100_000), 'rosenbrock\r\nsteps: 5', '\ud800', 'Adam\u200f'];

function workPool(path: Path): Json[] | null {
  const last = path[path.length - 1];
  if (last === 'steps' && path.length === 1) return WORK.steps as Json[];
  if (last === 'count') return (path.length === 3 ? WORK.axisCount : WORK.count) as Json[];
  return null;
}

// ---------------------------------------------------------------------------------------------
// The cases.

export function hostileCases(root: string, seed: number): HostileCase[] {
  const next = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const bases = baseSpecs(root);
  const cases: HostileCase[] = [];
  const add = (category: string, name: string, content: HostileCase['content'], expect: Expect): void => {
    cases.push({ id: cases.length, category, name, content, expect });
  };
  const base = (): { name: string; spec: Obj } => pick(bases);
  const leafPaths = (s: Obj, filter: (v: Json, p: Path) => boolean = () => true): Path[] =>
    paths(s)
      .filter((x) => x.path.length > 0 && filter(x.value, x.path))
      .map((x) => x.path);
  const objects = (s: Obj): Path[] => paths(s).filter((x) => x.value !== null && typeof x.value === 'object' && !Array.isArray(x.value)).map((x) => x.path);
  const show = (p: Path): string => p.join('.') || '(top)';

  // Valid specs, as written and in other formats: they must run.
  for (const b of bases) add('valid', b.name, serialise(b.spec), 'ok');
  for (let i = 0; i < 10; i++) {
    const b = base();
    const text = serialise(b.spec, pick([2, 4]));
    const variant = pick(['crlf', 'tabs', 'bom', 'trailing newline', 'leading space']);
    const content =
      variant === 'crlf' ? text.replace(/\n/g, '\r\n') : variant === 'tabs' ? JSON.stringify(b.spec, null, '\t') : variant === 'bom' ? `\ufeff${text}` : variant === 'trailing newline' ? `${text}\n\n` : ` \n\t${text}`;
    add('valid-format', `${b.name} (${variant})`, content, 'ok');
  }

  const mutate = (category: string, count: number, f: (s: Obj) => { spec: Json; what: string; expect: Expect } | null): void => {
    for (let made = 0, tries = 0; made < count && tries < count * 20; tries++) {
      const b = base();
      const m = f(structuredClone(b.spec));
      if (!m) continue;
      add(category, `${b.name}: ${m.what}`, serialise(m.spec), m.expect);
      made++;
    }
  };

  mutate('wrong-type', 30, (s) => {
    const p = pick(leafPaths(s));
    const v = pick(WRONG_TYPES);
    const pool = workPool(p);
    if (pool && typeof v === 'number' && !pool.includes(v)) return null;
    return { spec: setAt(s, p, v), what: `${show(p)} = ${JSON.stringify(v)}`, expect: 'either' };
  });
  mutate('out-of-range', 30, (s) => {
    const p = pick(leafPaths(s, (v) => typeof v === 'number'));
    if (!p) return null;
    const v = pick(workPool(p) ?? NUMBERS);
    return { spec: setAt(s, p, v), what: `${show(p)} = ${String(v)}`, expect: 'either' };
  });
  mutate('nan-string', 15, (s) => {
    const p = pick(leafPaths(s, (v) => typeof v === 'number'));
    if (!p) return null;
    const v = pick(NAN_LIKE);
    return { spec: setAt(s, p, v), what: `${show(p)} = ${JSON.stringify(v)}`, expect: 'refused' };
  });
  mutate('raw-number', 20, (s) => {
    const p = pick(leafPaths(s, (v) => typeof v === 'number'));
    if (!p) return null;
    const t = pick(RAW_NUMBERS);
    return { spec: setAt(s, p, raw(t)), what: `${show(p)} = ${t.length > 20 ? `${t.slice(0, 20)}...` : t}`, expect: 'refused' };
  });
  mutate('deep-nesting', 12, (s) => {
    const p = pick(leafPaths(s));
    const depth = pick([20, 31, 32, 33, 1000, 100_000]);
    const inner = pick(['1', '{}', '[]', '"x"']);
    const text = pick(['array', 'object']) === 'array' ? `${'['.repeat(depth)}${inner}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}${inner}${'}'.repeat(depth)}`;
    return { spec: setAt(s, p, raw(text)), what: `${show(p)} nested ${depth} deep`, expect: 'refused' };
  });
  mutate('duplicate-key', 15, (s) => {
    const p = pick(objects(s));
    const o = (p.length === 0 ? s : paths(s).find((x) => x.path.join('\u0001') === p.join('\u0001'))?.value) as Obj;
    const keys = Object.keys(o);
    if (keys.length === 0) return null;
    const k = pick(keys);
    const again = pick([o[k] as Json, 0, 'x', null]);
    const body = [...keys.map((key) => `${JSON.stringify(key)}:${serialise(o[key] as Json)}`), `${JSON.stringify(k)}:${serialise(again)}`];
    if (next() < 0.5) body.reverse();
    const text = `{${body.join(',')}}`;
    return { spec: p.length === 0 ? raw(text) : setAt(s, p, raw(text)), what: `${show([...p, k])} given twice`, expect: 'refused' };
  });
  mutate('unknown-key', 15, (s) => {
    const p = pick(objects(s));
    const k = pick(ODD_KEYS);
    return { spec: setAt(s, [...p, k], pick([1, 'x', null, {}])), what: `unknown key ${JSON.stringify(k.slice(0, 20))} in ${show(p)}`, expect: 'refused' };
  });
  mutate('prototype-name', 15, (s) => {
    const n = pick(PROTO);
    const where = pick(['key', 'name', 'param']);
    if (where === 'key') {
      const p = pick(objects(s));
      return { spec: setAt(s, [...p, n], pick([1, {}, null])), what: `key ${n} in ${show(p)}`, expect: 'refused' };
    }
    if (where === 'name') {
      const p = pick(leafPaths(s, (v, q) => typeof v === 'string' && q[q.length - 1] !== 'param'));
      if (!p) return null;
      return { spec: setAt(s, p, n), what: `${show(p)} = ${n}`, expect: 'refused' };
    }
    const p = pick(leafPaths(s, (v, q) => typeof v === 'string' && (q[q.length - 1] === 'param' || q.includes('params'))));
    if (!p) return null;
    const v = pick([n, `optimizer.${n}`, `schedule.${n}`, `surface.${n}`, `start.${n}`, `optimizer.betas.${n}`]);
    return { spec: setAt(s, p, v), what: `${show(p)} = ${v}`, expect: 'refused' };
  });
  mutate('truncated', 15, (s) => {
    const text = serialise(s);
    const cut = 1 + Math.floor(next() * (text.length - 1));
    return { spec: raw(text.slice(0, cut)), what: `cut at ${cut} of ${text.length}`, expect: 'refused' };
  });
  mutate('removed', 15, (s) => {
    const p = pick(leafPaths(s));
    return { spec: setAt(s, p, undefined), what: `${show(p)} removed`, expect: 'either' };
  });
  mutate('int-fraction', 15, (s) => {
    const ints = new Set(['steps', 'seed', 'count', 'check_every', 'every', 'step_size', 'T_max', 'T_0', 'T_mult', 'total_iters', 'total_steps', 'milestones', 'patience', 'cooldown', 'n', 'batch_size', 'data_seed', 'step_size_up', 'epochs', 'steps_per_epoch', 'warmup_steps', 'decay_steps']);
    const p = pick(leafPaths(s, (v, q) => typeof v === 'number' && q.some((k) => typeof k === 'string' && ints.has(k))));
    if (!p) return null;
    const v = pick([0.5, 2.5, 1.0000001, 3.75]);
    return { spec: setAt(s, p, v), what: `${show(p)} = ${v}`, expect: 'either' };
  });
  mutate('odd-string', 12, (s) => {
    const p = pick(leafPaths(s, (v) => typeof v === 'string'));
    if (!p) return null;
    const v = pick(ODD_STRINGS);
    return { spec: setAt(s, p, v), what: `${show(p)} = ${JSON.stringify(v.slice(0, 20))}`, expect: 'either' };
  });

  // Sweeps: the wrong kind, inverted and degenerate ranges, integer and start sweeps.
  const sweeps: [string, Json, Expect][] = [
    ['grid fields under kind random', { kind: 'random', x: { param: 'optimizer.lr', min: 0.001, max: 0.01, count: 2 } }, 'refused'],
    ['random fields under kind grid', { kind: 'grid', count: 4, dims: [{ param: 'optimizer.lr', min: 0.001, max: 0.01 }] }, 'refused'],
    ['points fields under kind sobol', { kind: 'sobol', params: ['optimizer.lr'], points: [[0.001]] }, 'refused'],
    ['an unknown kind', { kind: 'latin-hypercube', count: 4 }, 'refused'],
    ['kind in capitals', { kind: 'RANDOM', count: 3, dims: [{ param: 'optimizer.lr', min: 0.001, max: 0.01 }] }, 'ok'],
    ['kind a number', { kind: 1 }, 'refused'],
    ['max below min', { x: { param: 'optimizer.lr', min: 0.01, max: 0.001, count: 2 } }, 'refused'],
    ['a log axis through zero', { x: { param: 'optimizer.lr', min: 0, max: 0.01, count: 2, scale: 'log' } }, 'refused'],
    ['a log axis below zero', { kind: 'random', count: 2, dims: [{ param: 'start.0', min: -1, max: 1, scale: 'log' }] }, 'refused'],
    ['count 0', { x: { param: 'optimizer.lr', min: 0.001, max: 0.01, count: 0 } }, 'refused'],
    ['count beyond the axis limit', { x: { param: 'optimizer.lr', min: 0.001, max: 0.01, count: 16_385 } }, 'refused'],
    ['runs beyond MAX_RUNS', { kind: 'random', count: 2 ** 28 + 1, dims: [{ param: 'optimizer.lr', min: 0.001, max: 0.01 }] }, 'refused'],
    ['y sweeping x', { x: { param: 'optimizer.lr', min: 0.001, max: 0.01, count: 2 }, y: { param: 'optimizer.lr', min: 0.001, max: 0.01, count: 2 } }, 'refused'],
    ['a dimension twice', { kind: 'sobol', count: 2, dims: [{ param: 'start.0', min: 0, max: 1 }, { param: 'start.0', min: 0, max: 1 }] }, 'refused'],
    ['five dimensions', { kind: 'random', count: 2, dims: ['start.0', 'start.1', 'noise.std', 'optimizer.lr', 'optimizer.momentum'].map((param) => ({ param, min: 0, max: 0.5 })) }, 'refused'],
    ['points of the wrong width', { kind: 'points', params: ['start.0', 'start.1'], points: [[1, 2], [3]] }, 'refused'],
    ['a parameter twice in points', { kind: 'points', params: ['start.0', 'start.0'], points: [[1, 2]] }, 'refused'],
    ['no points', { kind: 'points', params: ['start.0'], points: [] }, 'refused'],
    ['a point beyond the bound', { kind: 'points', params: ['start.0'], points: [[0], [1e6]] }, 'refused'],
    ['a grid start beyond the bound', { x: { param: 'start.1', min: -1e6, max: 0, count: 2 } }, 'refused'],
    ['a start sweep at the bound', { x: { param: 'start.0', min: -5, max: 5, count: 3 } }, 'ok'],
    ['an axis over a run setting that is not per run', { x: { param: 'noise.seed', min: 0, max: 2, count: 3 } }, 'refused'],
    ['a sweep over steps', { x: { param: 'steps', min: 1, max: 3, count: 2 } }, 'refused'],
    ['a sweep over a fixed surface parameter', { x: { param: 'surface.b', min: 1, max: 3, count: 2 } }, 'either'],
    ['a one-point grid', { x: { param: 'optimizer.lr', min: 0.005, max: 0.005, count: 1 } }, 'ok'],
    ['a one-point points sweep', { kind: 'points', params: ['noise.std'], points: [[0.1]] }, 'ok'],
    ['sweep is a string', 'grid', 'refused'],
    ['sweep is an array', [{ param: 'optimizer.lr' }], 'refused'],
    ['dims is an object', { kind: 'random', count: 2, dims: { param: 'optimizer.lr', min: 0, max: 1 } }, 'refused'],
    ['points are an object', { kind: 'points', params: ['start.0'], points: { 0: [1] } }, 'refused'],
    ['a parameter path of 10,000 characters', { x: { param: `optimizer.${'l'.repeat(10_000)}`, min: 0, max: 1, count: 2 } }, 'refused'],
    ['a seed beyond u32', { kind: 'random', count: 2, seed: 2 ** 32, dims: [{ param: 'optimizer.lr', min: 0.001, max: 0.01 }] }, 'refused'],
  ];
  for (const [what, sweep, expect] of sweeps) {
    const spec: Obj = { surface: 'himmelblau', optimizer: { name: 'SGD', lr: 0.01, momentum: 0.5 }, steps: 30, sweep };
    add('sweep', what, serialise(spec), expect);
  }
  // Integer parameters: the ends of an axis and every point must be integers.
  const stepLR: Obj = { surface: 'himmelblau', optimizer: { name: 'SGD', lr: 0.01 }, schedule: { name: 'StepLR', step_size: 5 }, steps: 30 };
  const intSweeps: [string, Json, Expect][] = [
    ['an integer axis to 2.5', { x: { param: 'schedule.step_size', min: 1, max: 2.5, count: 3 } }, 'refused'],
    ['an integer axis from 0.5', { kind: 'random', count: 4, dims: [{ param: 'schedule.step_size', min: 0.5, max: 9 }] }, 'refused'],
    ['an integer point 2.5', { kind: 'points', params: ['schedule.step_size'], points: [[1], [2.5]] }, 'refused'],
    ['an integer axis with integer ends', { x: { param: 'schedule.step_size', min: 1, max: 9, count: 4 } }, 'ok'],
    ['an integer log axis', { kind: 'sobol', count: 4, dims: [{ param: 'schedule.step_size', min: 1, max: 16, scale: 'log' }] }, 'ok'],
  ];
  for (const [what, sweep, expect] of intSweeps) add('sweep', what, serialise({ ...stepLR, sweep }), expect);

  // Network specs (examples/fractal.json, iris.json, ...): the model's fields, the data set's, the
  // loss against the data, the minibatch size and its sweeps, param groups and the paths that name
  // them, the thresholds, and sizes refused before any work (never an out-of-memory abort). Valid
  // ones are a few runs of ten steps on a tiny data set.
  const NET = { network: { hidden: [4], activation: 'tanh' }, data: { name: 'spiral', train: 40, test: 20 }, optimizer: { name: 'SGD', lr: 0.1 }, steps: 10 } satisfies Obj;
  const model = (o: Obj): Obj => ({ ...NET, network: { ...NET.network, ...o } });
  const data = (o: Obj): Obj => ({ ...NET, data: o });
  const axis = (param: string, min: number, max: number, extra: Obj = {}): Obj => ({ x: { param, min, max, count: 2, ...extra } });
  const grouped = (groups: Json, sweep: Json = null, opt: Obj = {}): Obj => ({ ...NET, optimizer: { name: 'SGD', lr: 0.1, ...opt, param_groups: groups }, sweep });
  const fractal = (d: Obj, hidden: number[] = [4]): Obj => ({ ...NET, network: { hidden, bias: false, parametrization: 'mean_field' }, data: { name: 'fractal', ...d }, steps: 1 });
  const nets: [string, Json, Expect][] = [
    ['a small network', { ...NET, sweep: axis('optimizer.lr', 0.01, 1, { scale: 'log' }) }, 'ok'],
    ['a width of 0', model({ hidden: [0] }), 'refused'],
    ['a negative width', model({ hidden: [4, -3] }), 'refused'],
    ['a fractional width', model({ hidden: [2.5] }), 'refused'],
    ['a width beyond 4096', model({ hidden: [5000] }), 'refused'],
    ['nine hidden layers', model({ hidden: [4, 4, 4, 4, 4, 4, 4, 4, 4] }), 'refused'],
    ['hidden a number', model({ hidden: 4 }), 'refused'],
    // 117M parameters: allowed widths, and within this machine's memory, but not one thread's heap.
    ['eight hidden layers of 4096 (too large for the heap)', { ...model({ hidden: Array.from({ length: 8 }, () => 4096) }), steps: 1 }, 'refused'],
    ['an unknown activation', model({ activation: 'sigmoid' }), 'refused'],
    ['the activation in capitals', model({ activation: 'RELU' }), 'ok'],
    ['bias a string', model({ bias: 'yes' }), 'refused'],
    ['bias a number', model({ bias: 1 }), 'refused'],
    ['an unknown init', model({ init: 'xavier' }), 'refused'],
    ['an unknown parametrization', model({ parametrization: 'ntk' }), 'refused'],
    ['mean-field with biases', model({ parametrization: 'mean_field' }), 'refused'],
    ['an unknown network field', model({ width: 4 }), 'refused'],
    ['an unknown data set', data({ name: 'mnist' }), 'refused'],
    ['a digits size that does not exist', data({ name: 'digits16' }), 'refused'],
    ['a digits side field', data({ name: 'digits8', side: 16 }), 'refused'],
    ['digits with fewer training images than classes', data({ name: 'digits8', train: 5, test: 10 }), 'refused'],
    ['Iris split as fractions', data({ name: 'iris', train: 0.8, test: 0.2 }), 'refused'],
    ['Iris with more samples than it has', data({ name: 'iris', train: 121, test: 30 }), 'refused'],
    ['Iris with no test split', data({ name: 'iris', train: 120, test: 0 }), 'refused'],
    ['playground noise above 0.5', data({ name: 'spiral', train: 40, test: 20, noise: 0.6 }), 'refused'],
    ['playground noise below 0', data({ name: 'circle', train: 40, test: 20, noise: -0.1 }), 'refused'],
    ['no training points', data({ name: 'xor', train: 0, test: 20 }), 'refused'],
    ['ten million training points', data({ name: 'gauss', train: 1e7, test: 20 }), 'refused'],
    ['a negative data seed', data({ name: 'spiral', train: 40, test: 20, seed: -1 }), 'refused'],
    ['fractal: train following a 16.8M-parameter model (beyond a million points)', fractal({}, [4096, 4096]), 'refused'],
    ['fractal: a million points of 4096 inputs', fractal({ inputs: 4096, train: 1_000_000, test: 10 }), 'refused'],
    ['fractal: test of a million points of 4096 outputs', fractal({ outputs: 4096, train: 10, test: 1_000_000 }), 'refused'],
    ['fractal: inputs 0', fractal({ inputs: 0 }), 'refused'],
    ['an unknown loss', model({ loss: 'huber' }), 'refused'],
    ['cross-entropy on regression data', { ...NET, network: { hidden: [4], loss: 'cross_entropy' }, data: { name: 'regression', train: 40, test: 20 } }, 'refused'],
    ['MSE on classes', model({ loss: 'mse' }), 'refused'],
    ['batch_size 0', model({ batch_size: 0 }), 'refused'],
    ['batch_size negative', model({ batch_size: -4 }), 'refused'],
    ['batch_size fractional', model({ batch_size: 2.5 }), 'refused'],
    ['batch_size a string', model({ batch_size: '16' }), 'refused'],
    ['batch_size beyond 2^20', model({ batch_size: 2 ** 20 + 1 }), 'refused'],
    // Minibatches are drawn with replacement, so more than the training set would run, but not as
    // torch runs it (one batch of the whole set): refused, naming the field and the set's size.
    ['batch_size above the training set', model({ batch_size: 41 }), 'refused'],
    ['batch_size the whole training set', model({ batch_size: 40 }), 'ok'],
    ['a batch sweep past the training set', { ...NET, sweep: axis('network.batch_size', 4, 41) }, 'refused'],
    ['a batch sweep from 0', { ...NET, sweep: axis('network.batch_size', 0, 16) }, 'refused'],
    ['a batch sweep from 1.5', { ...NET, sweep: axis('network.batch_size', 1.5, 16) }, 'refused'],
    ['a batch sweep inverted', { ...NET, sweep: axis('network.batch_size', 16, 4) }, 'refused'],
    ['a batch point 0', { ...NET, sweep: { kind: 'points', params: ['network.batch_size'], points: [[4], [0]] } }, 'refused'],
    ['a batch log sweep', { ...NET, sweep: axis('network.batch_size', 1, 40, { scale: 'log' }) }, 'ok'],
    ['a sweep over a width', { ...NET, sweep: axis('network.hidden.0', 1, 4) }, 'refused'],
    ['a sweep over the data', { ...NET, sweep: axis('data.noise', 0, 0.1) }, 'refused'],
    ['a sweep over the bound', { ...NET, sweep: axis('outcome.bound', 1, 10) }, 'refused'],
    ['a sweep over a start (surfaces only)', { ...NET, sweep: axis('start.0', 0, 1) }, 'refused'],
    ['a sweep over noise.std (surfaces only)', { ...NET, sweep: axis('noise.std', 0, 1) }, 'refused'],
    ['a group naming a layer that does not exist', grouped([{ params: ['layers.5'], lr: 0.2 }]), 'refused'],
    ['a group naming a bias the network does not have', { ...grouped([{ params: ['layers.1.bias'], lr: 0.2 }]), network: { hidden: [4], bias: false } }, 'refused'],
    ['a group with no parameters', grouped([{ params: [], lr: 0.2 }]), 'refused'],
    ['a group whose params is a string', grouped([{ params: 'layers.0', lr: 0.2 }]), 'refused'],
    ['a tensor in two groups', grouped([{ params: ['layers.0'] }, { params: ['layers.0.weight'] }]), 'refused'],
    ['nine groups', grouped(Array.from({ length: 9 }, () => ({ params: ['layers.0'] }))), 'refused'],
    ["a group setting what the optimiser does not have (SGD's betas)", grouped([{ params: ['layers.0'], betas: [0.9, 0.99] }]), 'refused'],
    ["a group setting what the optimiser does not have (Adam's momentum)", grouped([{ params: ['layers.0'], momentum: 0.9 }], null, { name: 'Adam', lr: 0.01 }), 'refused'],
    ['a group with a negative lr', grouped([{ params: ['layers.0'], lr: -1 }]), 'refused'],
    ['a sweep of a group that does not exist', grouped([{ params: ['layers.0'], lr: 0.2 }], axis('optimizer.param_groups.1.lr', 0.01, 0.1)), 'refused'],
    ['a sweep of a group with no groups', { ...NET, sweep: axis('optimizer.param_groups.0.lr', 0.01, 0.1) }, 'refused'],
    ['a sweep of a negative group', grouped([{ params: ['layers.0'], lr: 0.2 }], axis('optimizer.param_groups.-1.lr', 0.01, 0.1)), 'refused'],
    ['a sweep of group 01 (an index written otherwise)', grouped([{ params: ['layers.0'], lr: 0.2 }, { params: ['layers.1'], lr: 0.2 }], axis('optimizer.param_groups.01.lr', 0.01, 0.1)), 'refused'],
    ["a sweep of a group's parameter the optimiser does not have", grouped([{ params: ['layers.0'], lr: 0.2 }], axis('optimizer.param_groups.0.betas.0', 0.8, 0.9)), 'refused'],
    ["a sweep of the optimiser's parameter it does not have", { ...NET, optimizer: { name: 'Adam', lr: 0.01 }, sweep: axis('optimizer.momentum', 0.1, 0.9) }, 'refused'],
    ["a group's lr swept below 0", grouped([{ params: ['layers.0'], lr: 0.2 }], axis('optimizer.param_groups.0.lr', -1, 1)), 'refused'],
    // Both axes would write group 0's lr (it has none of its own): one would be lost.
    ["a group's lr and the optimiser's lr swept, the group without its own", grouped([{ params: ['layers.0'] }], { x: { param: 'optimizer.param_groups.0.lr', min: 0.01, max: 0.1, count: 2 }, y: { param: 'optimizer.lr', min: 0.2, max: 0.3, count: 2 } }), 'refused'],
    ["a group's lr and the optimiser's lr swept, the group with its own (the fractal axes)", grouped([{ params: ['layers.0'], lr: 0.05 }], { x: { param: 'optimizer.param_groups.0.lr', min: 0.01, max: 0.1, count: 2 }, y: { param: 'optimizer.lr', min: 0.2, max: 0.3, count: 2 } }), 'ok'],
    ['steps 0', { ...NET, steps: 0 }, 'refused'],
    ['check_every 0', { ...NET, outcome: { check_every: 0 } }, 'refused'],
    ['a bound of 0', { ...NET, outcome: { bound: 0 } }, 'refused'],
    ['a negative bound', { ...NET, outcome: { bound: -1 } }, 'refused'],
    ['a radius (surfaces only)', { ...NET, outcome: { radius: 0.1 } }, 'refused'],
    ['a negative threshold', model({ threshold: -1 }), 'refused'],
    ['a threshold beyond 1e30', model({ threshold: 1e31 }), 'refused'],
    ['a threshold as a percentage', model({ threshold: '1%' }), 'refused'],
    ['sharpness_iterations negative', model({ sharpness_iterations: -1 }), 'refused'],
    ['sharpness_iterations beyond 10,000', model({ sharpness_iterations: 10_001 }), 'refused'],
    ['sharpness_iterations fractional', model({ sharpness_iterations: 1.5 }), 'refused'],
    ['sharpness_iterations 0', model({ sharpness_iterations: 0 }), 'ok'],
    ['gradient noise on a network', { ...NET, noise: { std: 0.1 } }, 'refused'],
    ['a start on a network', { ...NET, start: [0, 0] }, 'refused'],
    ['a surface and a network', { ...NET, surface: 'himmelblau' }, 'refused'],
  ];
  for (const [what, spec, expect] of nets) add('network', what, serialise(spec), expect);

  // Enormous arrays (beyond their limit, each refused without building more than it must).
  const small: Obj = { surface: 'quadratic', optimizer: 'SGD', steps: 10 };
  add('enormous', 'a start of a million numbers', serialise({ ...small, start: Array.from({ length: 1_000_000 }, (_, i) => i % 7) }), 'refused');
  add('enormous', `${2 ** 20 + 1} points`, `{"surface":"quadratic","optimizer":"SGD","steps":10,"sweep":{"kind":"points","params":["start.0"],"points":[${'[1],'.repeat(2 ** 20)}[1]]}}`, 'refused');
  add('enormous', '100,000 milestones', serialise({ ...small, schedule: { name: 'MultiStepLR', milestones: Array.from({ length: 100_000 }, (_, i) => i) } }), 'refused');
  add('enormous', '100,000 unknown keys', serialise({ ...small, ...Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i])) }), 'refused');
  add('enormous', 'a string of 10 MB', serialise({ ...small, optimizer: 'A'.repeat(10_000_000) }), 'refused');
  add('enormous', '200,000 duplicate keys', `{"surface":"quadratic","optimizer":"SGD",${'"steps":10,'.repeat(200_000)}"steps":10}`, 'refused');
  add('enormous', '10 MB of whitespace around a valid spec', `${' '.repeat(5_000_000)}${serialise(small)}${'\n'.repeat(5_000_000)}`, 'ok');

  // Empty, garbage and special files.
  const garbage: [string, HostileCase['content']][] = [
    ['an empty file', ''],
    ['only whitespace', ' \n\t\r\n'],
    ['null', 'null'],
    ['an array', '[]'],
    ['a number', '3'],
    ['a string', '"rosenbrock"'],
    ['a NUL byte', '\u0000'],
    ['random bytes', Buffer.from(Array.from({ length: 4096 }, () => Math.floor(next() * 256)))],
    ['Latin-1 text', Buffer.from('{"surface": "caf\xe9"}', 'latin1')],
    ['UTF-16 text', Buffer.from(`\ufeff${serialise(small)}`, 'utf16le')],
    ['a byte-order mark only', '\ufeff'],
    ['YAML', 'surface: rosenbrock\noptimizer: SGD\nsteps: 10\n'],
    ['JSON with comments', '{\n  // the surface\n  "surface": "rosenbrock", "optimizer": "SGD", "steps": 10\n}'],
    ['two specs in one file', `${serialise(small)}\n${serialise(small)}`],
    ['a terminal escape sequence', '\u001b[2J\u001b[31m{"surface": 1}'],
    ['50 MB of [', '['.repeat(50_000_000)],
  ];
  for (const [what, content] of garbage) add('garbage', what, content, 'refused');
  add('special', '/dev/zero', { device: '/dev/zero' }, 'refused');
  add('special', '/dev/null', { device: '/dev/null' }, 'refused');
  add('special', 'a directory', { device: '/' }, 'refused');
  add('special', 'a sparse file of 5 GB', { sparse: 5 * 2 ** 30 }, 'refused');
  return cases;
}
