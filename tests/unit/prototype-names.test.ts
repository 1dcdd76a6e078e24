/**
 * Names on Object.prototype (`constructor`, `__proto__`, `toString`, …) are never names of ours.
 * Every place a user-supplied name is read (sweep parameter paths under every head, surface /
 * optimiser / schedule names, enum values, parameter keys, top-level keys, the keys of the
 * run-level blocks, link parameters) must look at own keys only: parseSpec rejects each such name
 * with an error at the field that holds it, neither crashing nor accepting it. (A lookup such as
 * `path in RUN_PARAMS` walks the prototype chain: a sweep over `constructor` used to "run", every
 * run identical, with a column named `constructor`.)
 */
import { describe, expect, it } from 'vitest';
import { getAt } from '../../src/app/spec-edit.ts';
import { SpecErrors } from '../../src/core/errors.ts';
import { RUN_PARAMS } from '../../src/core/layout.ts';
import type { ParamSchema } from '../../src/core/params.ts';
import { OPTIMIZERS, SCHEDULES, SURFACES, findOptimizer, findSchedule, findSurface } from '../../src/core/registry/index.ts';
import { RUN_SETTINGS, isBlock, type RunSetting } from '../../src/core/run-settings.ts';
import { parseSpec, resolveParamPath } from '../../src/core/spec.ts';
import { encodeUrlState } from '../../src/core/url.ts';
import { readLink } from '../../src/app/link.ts';
import { decodeCoords, readRunLink } from '../../src/app/run-link.ts';

type Obj = Record<string, unknown>;

const NAMES = [...new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__'])];

/**
 * `o` with an own property `key`, made as JSON.parse makes it (the way specs reach parseSpec from
 * files, links and the editor), so that `__proto__` is a plain own key rather than the prototype.
 */
function withKey(o: Obj, key: string, value: unknown): Obj {
  const rest = JSON.stringify(o).slice(1);
  const out = JSON.parse(`{${JSON.stringify(key)}:${JSON.stringify(value)}${rest === '}' ? '' : ','}${rest}`) as Obj;
  if (!Object.hasOwn(out, key)) throw new Error(`test setup: ${key} is not an own key`);
  return out;
}

/** The spec is rejected by parseSpec with SpecErrors, one of them at `path` and saying so. */
function rejectedAt(spec: unknown, path: string, what: string): void {
  let err: unknown = null;
  try {
    parseSpec(spec);
  } catch (e) {
    err = e;
  }
  expect(err, `${what}: accepted`).toBeInstanceOf(SpecErrors);
  const errors = (err as SpecErrors).errors;
  const hit = errors.find((e) => e.path === path);
  expect(hit, `${what}: no error at ${path}; got\n${errors.map((e) => e.message).join('\n')}`).toBeDefined();
  expect(hit?.message.startsWith(`${path}: `)).toBe(true);
}

function accepted(spec: unknown, what: string): void {
  expect(() => parseSpec(spec), what).not.toThrow();
}

/** Every parameter of an entry at its default (required ones at their example). */
function fullEntry(id: string, params: readonly ParamSchema[]): Obj {
  const o: Obj = { name: id };
  for (const p of params) o[p.key] = p.default;
  return o;
}

// A spec with every kind of head a sweep path may have: a composite schedule (schedule.* and
// schedule.schedulers.<i>.*), SAM switched on (sam.*), noise and outcome blocks.
const BASE: Obj = {
  surface: 'rosenbrock',
  optimizer: { name: 'Adam', lr: 0.01 },
  schedule: { name: 'SequentialLR', milestones: [50], schedulers: [{ name: 'LinearLR' }, { name: 'ExponentialLR', gamma: 0.99 }] },
  steps: 100,
  noise: { std: 0.1, seed: 1 },
  outcome: { check_every: 5 },
  swa: { start: 50 },
  sam: { rho: 0.05 },
};

const grid = (param: string): Obj => ({ ...BASE, sweep: { x: { param, min: 0.001, max: 0.01, count: 2 } } });
const random = (param: string): Obj => ({ ...BASE, sweep: { kind: 'random', count: 4, dims: [{ param, min: 0.001, max: 0.01 }] } });
const points = (param: string): Obj => ({ ...BASE, sweep: { kind: 'points', params: [param], points: [[0.001], [0.01]] } });

/** Sweep paths a name may take the place of a parameter in, under every head. */
const pathsFor = (n: string): string[] => [
  n,
  `optimizer.${n}`,
  `optimizer.betas.${n}`,
  `optimizer.lr.${n}`,
  `schedule.${n}`,
  `schedule.schedulers.0.${n}`,
  `schedule.schedulers.${n}.gamma`,
  `surface.${n}`,
  ...(RUN_SETTINGS as readonly RunSetting[]).map((s) => `${s.key}.${n}`),
];

describe('names on Object.prototype are rejected wherever a name is read', () => {
  it('controls: the base spec and each sweep shape over a real parameter are accepted', () => {
    accepted(BASE, 'base');
    accepted({ ...BASE, schedule: { name: 'ChainedScheduler', schedulers: [{ name: 'ExponentialLR', gamma: 0.9 }, 'ConstantLR'] } }, 'chained');
    for (const make of [grid, random, points]) accepted(make('optimizer.lr'), 'sweep over optimizer.lr');
    expect(NAMES).toContain('constructor');
    expect(NAMES).toContain('__proto__');
    expect(NAMES.length).toBeGreaterThanOrEqual(12);
  });

  it('as a sweep parameter path, under every head and in every sweep shape', () => {
    let cases = 0;
    for (const n of NAMES) {
      for (const path of pathsFor(n)) {
        rejectedAt(grid(path), 'sweep.x.param', `grid over ${path}`);
        rejectedAt(random(path), 'sweep.dims.0.param', `random sweep over ${path}`);
        rejectedAt(points(path), 'sweep.params.0', `points over ${path}`);
        expect(typeof resolveParamPath(parseSpec(BASE), path), path).toBe('string');
        cases += 3;
      }
      expect(Object.hasOwn(RUN_PARAMS, n), `RUN_PARAMS has ${n}`).toBe(false);
    }
    expect(cases).toBeGreaterThan(NAMES.length * 30);
  });

  it('as a surface, optimizer or schedule name', () => {
    for (const n of NAMES) {
      expect(findSurface(n), n).toBeUndefined();
      expect(findOptimizer(n), n).toBeUndefined();
      expect(findSchedule(n), n).toBeUndefined();
      rejectedAt({ ...BASE, surface: n }, 'surface.name', `surface ${n}`);
      rejectedAt({ ...BASE, surface: { name: n } }, 'surface.name', `surface {name: ${n}}`);
      rejectedAt({ ...BASE, optimizer: n }, 'optimizer.name', `optimizer ${n}`);
      rejectedAt({ ...BASE, optimizer: { name: n } }, 'optimizer.name', `optimizer {name: ${n}}`);
      rejectedAt({ ...BASE, schedule: n }, 'schedule.name', `schedule ${n}`);
      rejectedAt({ ...BASE, schedule: { name: 'ChainedScheduler', schedulers: [n, 'ExponentialLR'] } }, 'schedule.schedulers.0.name', `child schedule ${n}`);
    }
  });

  it('as an enum value: every enum parameter of the registry, the sweep kind and an axis scale', () => {
    const entries: { prefix: string; entry: Obj; params: readonly ParamSchema[]; over: Obj }[] = [
      ...SURFACES.map((s) => ({ prefix: 'surface', entry: fullEntry(s.id, s.params), params: s.params, over: {} })),
      ...OPTIMIZERS.map((o) => ({ prefix: 'optimizer', entry: fullEntry(o.id, o.params), params: o.params, over: {} })),
      ...SCHEDULES.filter((s) => !s.children).map((s) => ({
        prefix: 'schedule',
        // OneCycleLR's defaults leave total_steps and epochs both None, which its constructor rejects.
        entry: { ...fullEntry(s.id, s.params), ...(s.id === 'OneCycleLR' ? { total_steps: 1000 } : {}) },
        params: s.params,
        over: { steps: 1000 },
      })),
    ];
    let enums = 0;
    for (const { prefix, entry, params, over } of entries) {
      for (const p of params) {
        if (p.kind !== 'enum') continue;
        const spec = (e: Obj): Obj => ({ surface: 'rosenbrock', optimizer: 'SGD', steps: 100, ...over, [prefix]: e });
        accepted(spec(entry), `${prefix} ${String(entry.name)} at its defaults`);
        for (const n of NAMES) rejectedAt(spec({ ...entry, [p.key]: n }), `${prefix}.${p.key}`, `${prefix}.${p.key} = ${n}`);
        enums++;
      }
    }
    expect(enums).toBeGreaterThanOrEqual(5);
    for (const n of NAMES) {
      rejectedAt({ ...BASE, sweep: { kind: n, count: 4, dims: [{ param: 'optimizer.lr', min: 0.001, max: 0.01 }] } }, 'sweep.kind', `sweep kind ${n}`);
      rejectedAt({ ...BASE, sweep: { x: { param: 'optimizer.lr', min: 0.001, max: 0.01, count: 2, scale: n } } }, 'sweep.x.scale', `scale ${n}`);
    }
  });

  it('as a key: of an entry, of the spec, of every run-level block, of the sweep and its axes', () => {
    const blocks = (RUN_SETTINGS as readonly RunSetting[]).filter(isBlock);
    expect(blocks.map((b) => b.key)).toEqual(['noise', 'outcome', 'swa', 'sam']);
    for (const n of NAMES) {
      rejectedAt(withKey(BASE, n, 1), n, `top-level key ${n}`);
      rejectedAt({ ...BASE, surface: withKey({ name: 'rosenbrock' }, n, 1) }, `surface.${n}`, `surface key ${n}`);
      rejectedAt({ ...BASE, optimizer: withKey({ name: 'SGD' }, n, 1) }, `optimizer.${n}`, `optimizer key ${n}`);
      rejectedAt({ ...BASE, schedule: withKey({ name: 'StepLR', step_size: 10 }, n, 1) }, `schedule.${n}`, `schedule key ${n}`);
      rejectedAt(
        { ...BASE, schedule: { name: 'ChainedScheduler', schedulers: [withKey({ name: 'ExponentialLR', gamma: 0.9 }, n, 1), 'ConstantLR'] } },
        `schedule.schedulers.0.${n}`,
        `child schedule key ${n}`,
      );
      for (const b of blocks) {
        rejectedAt({ ...BASE, [b.key]: withKey(BASE[b.key] as Obj, n, 1) }, `${b.key}.${n}`, `${b.key} key ${n}`);
      }
      const x = { param: 'optimizer.lr', min: 0.001, max: 0.01, count: 2 };
      rejectedAt({ ...BASE, sweep: withKey({ x }, n, 1) }, `sweep.${n}`, `sweep key ${n}`);
      rejectedAt({ ...BASE, sweep: { x: withKey(x, n, 1) } }, `sweep.x.${n}`, `axis key ${n}`);
    }
  });

  it("in a link, read as the app reads one: a parameter of that name changes nothing, a spec key of that name is dropped and named, a run's coordinate of that name is its own", () => {
    const hash = encodeUrlState(BASE, { v: 'basin' });
    const plain = readLink(hash, BASE);
    expect(plain.notices).toEqual([]);
    for (const n of NAMES) {
      // An unknown parameter (readLink reads s= and v=) leaves the view as it was.
      expect(readLink(`${hash}&${encodeURIComponent(n)}=x`, BASE), `link parameter ${n}`).toEqual(plain);
      // A spec key of that name: the rest is kept, the key dropped and named, never set as a prototype.
      const carried = readLink(encodeUrlState(withKey(BASE, n, 1)), BASE);
      expect(carried.notices, `a link's spec with key ${n}`).toEqual([expect.stringContaining(`dropped (the rest is shown): ${n} (unknown field`)]);
      expect(carried.spec !== null && !Object.hasOwn(carried.spec, n) && Object.getPrototypeOf(carried.spec) === Object.prototype, `spec key ${n}`).toBe(true);
      expect(carried.spec?.optimizer).toEqual(plain.spec?.optimizer);
      // A run's coordinates: a record of no prototype, so the name is an own key or refused, never inherited.
      const c = decodeCoords(`${n}:1,optimizer.lr:0.5`);
      expect(c === null || (Object.getPrototypeOf(c) === null && c[n] === 1 && c['optimizer.lr'] === 0.5), `coordinate ${n}`).toBe(true);
      expect(decodeCoords('optimizer.lr:0.5')?.[n], `absent coordinate ${n}`).toBeUndefined();
      const runs = readRunLink(`#run=${encodeURIComponent(`${n}:1`)}&pin=optimizer.lr:0.5`);
      expect(runs.pins).toHaveLength(1);
      expect(runs.selected === null || Object.hasOwn(runs.selected, n), `selected run ${n}`).toBe(true);
    }
    // An object under __proto__ is no prototype for the mended spec: its steps are not inherited.
    const poisoned = readLink(encodeUrlState(withKey(BASE, '__proto__', { steps: 999 })), BASE);
    expect(poisoned.spec?.steps).toBe(plain.spec?.steps);
    expect(poisoned.notices).toEqual([expect.stringContaining('__proto__ (unknown field')]);
  });

  it("in the editor's path reads: a draft's value at such a name is absent", () => {
    for (const n of NAMES) {
      expect(getAt(BASE, n), n).toBeUndefined();
      expect(getAt(BASE, `optimizer.${n}`), n).toBeUndefined();
      expect(getAt(withKey(BASE, n, 7), n), n).toBe(7);
    }
  });
});
