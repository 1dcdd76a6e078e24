/**
 * Registry invariants, over every entry of every kind (surfaces, optimisers, schedules): what an
 * entry derives (accessors, state slots, WGSL file, WGSL constants) is consistent with what it
 * declares, and its WGSL twin follows the naming contract of shaders/README.md. A new entry is
 * checked here without being listed anywhere.
 */
// Typed-array reads use "!": indices come from the entries' own derived names.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { P_OPTIMIZER, P_OPTIMIZER_SIZE, P_SURFACE, P_SURFACE_SIZE, SCHEDULE_BLOCK, STATE_VEC2 } from '../../src/core/layout.ts';
import type { ParamSchema } from '../../src/core/params.ts';
import { blockSize, derivedNames, enumValueKey, inRange, paramSlots, pathKey, slotOffsets } from '../../src/core/params.ts';
import {
  OPTIMIZERS,
  SCHEDULES,
  SURFACES,
  findSchedule,
  optimizerFile,
  scheduleFile,
  surfaceFile,
} from '../../src/core/registry/index.ts';
import type { Helpers, OptimizerDef, ScheduleDef, Slots, SurfaceDef } from '../../src/core/registry/types.ts';
import { netSpecToJSON, parseNetSpec, parseSpec } from '../../src/core/spec.ts';
import { LR_KEYS, perturbedNetSpec } from '../../src/core/validate.ts';
import { SWEEP_LIBS } from '../../src/engine/gpu/compose.ts';
import { OPT_ALIAS, layoutPrefix, optimizerAliases, slotName, stateName } from '../../src/engine/gpu/wgsl-layout.ts';
import { fnBody, wgslSource } from './wgsl-source.ts';

interface Entry {
  readonly id: string;
  readonly doc: string;
  readonly params: readonly ParamSchema[];
  readonly slots: Slots;
  readonly helpers?: Helpers;
}

interface Kind {
  readonly name: 'surface' | 'optimizer' | 'schedule';
  readonly dir: string;
  readonly entries: readonly Entry[];
  /** Where the entry's slots start: absolute for surfaces and optimisers, block offsets for schedules. */
  readonly base: number;
  readonly blockSize: number;
  readonly file: (e: Entry) => string;
  /** Booleans and enums are WGSL override constants (surfaces, optimisers) rather than slots (schedules). */
  readonly overrides: boolean;
  /** The entry points its WGSL file defines, exactly as written. */
  readonly entryPoints: (e: Entry) => readonly string[];
  /** The TypeScript module of an entry, for the source checks. */
  readonly module: (e: Entry) => string;
}

const KINDS: readonly Kind[] = [
  {
    name: 'surface',
    dir: 'surfaces',
    entries: SURFACES,
    base: P_SURFACE,
    blockSize: P_SURFACE_SIZE,
    file: (e) => surfaceFile(e as SurfaceDef),
    overrides: true,
    entryPoints: () => [
      'fn surface_value(p: vec2f) -> f32 {',
      'fn surface_grad(p: vec2f) -> vec2f {',
      'fn surface_hessian(p: vec2f) -> vec3f {',
      'fn surface_sample_grad(p: vec2f, run: u32, step: u32) -> vec2f {',
    ],
    module: (e) => `src/core/registry/surfaces/${e.id}.ts`,
  },
  {
    name: 'optimizer',
    dir: 'optimizers',
    entries: OPTIMIZERS,
    base: P_OPTIMIZER,
    blockSize: P_OPTIMIZER_SIZE,
    file: (e) => optimizerFile(e as OptimizerDef),
    overrides: true,
    // An entry with a tensor rule also defines its WGSL twin (the network kernel steps each tensor
    // through it), and the twin of the rule's global scalar where it has one.
    entryPoints: (e) => [
      'fn opt_init() {',
      'fn opt_step_scalars(mom: f32, t: f32) -> vec4f {',
      'fn opt_step(g: vec2f, lr: f32, mom: f32, t: f32, sc: vec4f) {',
      ...((e as OptimizerDef).tensor ? ['fn opt_tensor_step(n: u32, rows: u32, cols: u32, lr: f32, mom: f32, t: f32, sc: vec4f, gs: f32) {'] : []),
      ...((e as OptimizerDef).tensor?.global ? ['fn opt_tensor_global(norm: f32) -> f32 {'] : []),
    ],
    module: (e) => `src/core/registry/optimizers/${e.id}.ts`,
  },
  {
    name: 'schedule',
    dir: 'schedules',
    entries: SCHEDULES,
    base: 0,
    blockSize: SCHEDULE_BLOCK,
    file: (e) => scheduleFile(e as ScheduleDef),
    overrides: false,
    entryPoints: (e) => [
      `fn sched_${e.id}(b: u32, k: u32, base_lr: f32) -> vec2f {`,
      ...((e as ScheduleDef).plateau
        ? ['fn plateau_init(b: u32, base_lr: f32) -> vec4f {', 'fn plateau_step(b: u32, st: vec4f, metric: f32) -> vec4f {']
        : []),
    ],
    module: (e) => `src/core/registry/schedules/${e.id}.ts`,
  },
];

/** Names a WGSL text declares at module scope. */
function declared(text: string): string[] {
  return [...text.matchAll(/^(?:fn|const|override|var(?:<\w+>)?|struct|alias)\s+(\w+)/gm)].map((m) => m[1]!);
}

/** Every `const NAME: u32 = Nu;` of the generated prefix. */
function prefixConstants(): Map<string, number> {
  return new Map([...layoutPrefix().matchAll(/^const (\w+): u32 = (\d+)u;$/gm)].map((m) => [m[1]!, Number(m[2])]));
}

function prefixOverrides(): Set<string> {
  return new Set([...layoutPrefix().matchAll(/^override (\w+):/gm)].map((m) => m[1]!));
}

/** Entries that run a file: one for most, several for a shared body (AdamW runs Adam.wgsl). */
function usersOf(kind: Kind, file: string): Entry[] {
  return kind.entries.filter((e) => kind.file(e) === file);
}

/** The prefix a file's names carry: its entry's id, or OPT_ for a body several entries run. */
function prefixOf(kind: Kind, e: Entry): string {
  return usersOf(kind, kind.file(e)).length > 1 ? OPT_ALIAS : e.id;
}

describe('ids', () => {
  it('are unique across every kind, case-insensitively (specs match them so, WGSL constants share one namespace)', () => {
    const ids = KINDS.flatMap((k) => k.entries.map((e) => e.id.toLowerCase()));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('are identifiers, as the WGSL constants and file names need', () => {
    for (const k of KINDS) for (const e of k.entries) expect(e.id, `${k.name} ${e.id}`).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
  });
});

describe("learning-rate parameters (the `lr` marker the conditioning probe's LR_KEYS is derived from: review 27)", () => {
  const marked = [...OPTIMIZERS, ...SCHEDULES].flatMap((e) => e.params.filter((p) => 'lr' in p && p.lr).map((p) => ({ entry: e.id, p })));

  it('marks only number or tuple parameters', () => {
    for (const { entry, p } of marked) expect(p.kind === 'number' || p.kind === 'tuple', `${entry}.${p.key}: ${p.kind}`).toBe(true);
  });

  it("derives today's keys: every optimiser's lr and the schedules' absolute LRs", () => {
    expect([...LR_KEYS].sort()).toEqual(['base_lr', 'eta_min', 'lr', 'max_lr', 'min_lr', 'swa_lr']);
    for (const o of OPTIMIZERS) expect(o.params.some((p) => p.key === 'lr' && 'lr' in p && p.lr), o.id).toBe(true);
  });

  it("scales a CosineAnnealingLR's eta_min with the optimiser's lr", () => {
    const spec = netSpecToJSON(
      parseNetSpec({ network: { hidden: [4] }, data: { name: 'spiral', train: 40, test: 20 }, steps: 20, optimizer: { name: 'SGD', lr: 0.1 }, schedule: { name: 'CosineAnnealingLR', T_max: 20, eta_min: 0.01 } }),
    );
    const out = perturbedNetSpec(spec, 0.5);
    expect((out.optimizer as Record<string, unknown>).lr).toBeCloseTo(0.15, 15);
    expect((out.schedule as Record<string, unknown>).eta_min).toBeCloseTo(0.015, 15);
    expect((out.schedule as Record<string, unknown>).T_max).toBe(20);
  });
});

describe('twin files', () => {
  it('every WGSL file of an entry directory is run by some entry (its name is an entry id)', () => {
    for (const k of KINDS) {
      const owned = new Set(k.entries.map(k.file));
      const files = readdirSync(`shaders/${k.dir}`).map((f) => `${k.dir}/${f}`).filter((f) => f !== 'schedules/common.wgsl');
      expect(files.filter((f) => !owned.has(f)), k.dir).toEqual([]);
    }
  });

  it('helpers and module-scope names do not collide between any files a kernel may compose', () => {
    const files = [...SWEEP_LIBS, 'schedules/common.wgsl', ...new Set(KINDS.flatMap((k) => k.entries.map(k.file)))];
    const entryPoints = new Set(KINDS.flatMap((k) => k.entries.flatMap((e) => k.entryPoints(e).map((s) => /fn (\w+)/.exec(s)![1]!))));
    const owner = new Map<string, string>();
    for (const f of files) {
      for (const name of declared(wgslSource(f))) {
        if (entryPoints.has(name)) continue;
        expect(owner.get(name), `${name} in ${f}`).toBeUndefined();
        owner.set(name, f);
      }
    }
    // Each kernel is composed with all of those (one kernel at a time).
    for (const k of readdirSync('shaders/kernels')) {
      for (const name of declared(wgslSource(`kernels/${k}`))) expect(owner.get(name), `${name} in kernels/${k}`).toBeUndefined();
    }
    // …nor with the generated names.
    const generated = new Set(declared(layoutPrefix()));
    for (const [name, f] of owner) expect(generated.has(name), `${name} in ${f}`).toBe(false);
    for (const o of OPTIMIZERS) for (const name of declared(optimizerAliases(o))) expect(owner.has(name) || generated.has(name), name).toBe(false);
  });
});

describe('the generated layout prefix', () => {
  it('declares every name once', () => {
    const names = declared(layoutPrefix());
    expect(names.length).toBeGreaterThan(200);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });
});

for (const kind of KINDS) {
  describe.each(kind.entries.map((e) => [e.id, e] as const))(`${kind.name} %s`, (id, e) => {
    it('has docs: the entry (one line), every parameter (one line), and its reference or title', () => {
      expect(e.doc.length).toBeGreaterThan(40);
      expect(e.doc).not.toMatch(/\n/);
      const extra = kind.name === 'surface' ? (e as SurfaceDef).title : (e as OptimizerDef | ScheduleDef).reference;
      expect(extra.length).toBeGreaterThan(kind.name === 'surface' ? 2 : 20);
      for (const p of e.params) {
        expect(p.doc.length, p.key).toBeGreaterThan(10);
        expect(p.doc, p.key).not.toMatch(/\n/);
      }
    });

    it('has a schema that fits its block, with unique keys and defaults its own ranges accept', () => {
      expect(blockSize(e.params)).toBeLessThanOrEqual(kind.blockSize);
      const keys = e.params.map((p) => p.key);
      expect(new Set(keys).size).toBe(keys.length);
      for (const p of e.params) {
        switch (p.kind) {
          case 'number':
          case 'int':
            expect(inRange(p.default, p), `${p.key} default ${p.default}`).toBe(true);
            if (p.kind === 'int') expect(p.max, p.key).toBeLessThanOrEqual(16_777_216);
            break;
          case 'optional-number':
          case 'optional-int':
            if (p.default !== null) expect(inRange(p.default, p), p.key).toBe(true);
            break;
          case 'tuple':
            for (const x of p.default) expect(inRange(x, p), `${p.key} default ${x}`).toBe(true);
            break;
          case 'int-list':
            expect(p.default.length, p.key).toBeLessThanOrEqual(p.maxLength);
            for (const x of p.default) expect(x >= p.min && x <= p.max, `${p.key} default ${x}`).toBe(true);
            break;
          case 'enum':
            expect(p.values, p.key).toContain(p.default);
            expect(new Set(p.values).size, p.key).toBe(p.values.length);
            break;
          case 'bool':
            break;
        }
      }
    });

    it('derives its accessor object `slots` from the schema: every slot path and enum value, nothing else', () => {
      expect({ ...e.slots }).toEqual({ ...paramSlots(e.params, kind.base) });
      const want: Record<string, number> = {};
      for (const [path, off] of Object.entries(slotOffsets(e.params))) want[pathKey(path)] = kind.base + off;
      for (const p of e.params) if (p.kind === 'enum') p.values.forEach((v, i) => (want[enumValueKey(p.key, v)] = i));
      expect({ ...e.slots }).toEqual(want);
      expect(Object.isFrozen(e.slots)).toBe(true);
    });

    it('lists its own helpers under their names', () => {
      for (const [name, fn] of Object.entries(e.helpers ?? {})) expect(fn.name, name).toBe(name);
    });

    it('emits a WGSL constant per slot (overrides for surface and optimiser flags), enum value and state pair', () => {
      const consts = prefixConstants();
      const overrides = prefixOverrides();
      for (const d of derivedNames(e.params)) {
        const name = slotName(id, d.name);
        if (d.kind === 'enum-value') expect(consts.get(name), name).toBe(d.value);
        else if (kind.overrides && (d.param.kind === 'bool' || d.param.kind === 'enum')) expect(overrides.has(name), name).toBe(true);
        else expect(consts.get(name), name).toBe(kind.base + d.offset);
      }
      if (kind.name === 'optimizer') {
        const o = e as OptimizerDef;
        for (const n of o.stateNames) expect(consts.get(stateName(id, n)), n).toBe(o.state[n]! / 2);
      }
    });

    const file = kind.file(e);

    it(`has its WGSL twin ${file}, defining its entry points`, () => {
      expect(existsSync(`shaders/${file}`)).toBe(true);
      const text = wgslSource(file);
      for (const sig of kind.entryPoints(e)) expect(text, sig).toContain(sig);
      // …and no tensor rule it does not have: the network kernel's composer generates those
      // (compose.ts tensorStubs), and a second definition would not compile.
      if (kind.name === 'optimizer') {
        const o = e as OptimizerDef;
        if (!o.tensor) expect(text).not.toMatch(/\bfn opt_tensor_step\b/);
        if (!o.tensor?.global) expect(text).not.toMatch(/\bfn opt_tensor_global\b/);
      }
      // A twin's own helpers carry its file's name (schedules: sched_<Id>…, or their own fixed names).
      const body = file.replace(/^\w+\/(\w+)\.wgsl$/, '$1');
      const entryPoints = new Set(kind.entryPoints(e).map((s) => /fn (\w+)/.exec(s)![1]!));
      if (kind.name !== 'schedule') {
        for (const n of declared(text)) if (!entryPoints.has(n)) expect(n.startsWith(`${body}_`), n).toBe(true);
      }
    });

    it('reads, in WGSL, only names its entries derive (and param() only slots)', () => {
      const text = wgslSource(file);
      const prefix = prefixOf(kind, e);
      const users = usersOf(kind, file);
      const own = new Set(declared(text));
      // Schedules read the names of the schedules they call or hold as children (SequentialLR).
      const readable = kind.name === 'schedule' ? SCHEDULES : users;
      const generated = new Set<string>();
      for (const u of readable) {
        const p = kind.name === 'schedule' ? u.id : prefix;
        for (const d of derivedNames(u.params)) generated.add(slotName(p, d.name));
        if (kind.name === 'optimizer') for (const n of (u as OptimizerDef).stateNames) generated.add(stateName(p, n));
        if (kind.name === 'optimizer') for (const k of Object.keys((u as OptimizerDef).wgslShared?.fixed ?? {})) generated.add(slotName(p, k));
      }
      const ids = [...new Set([...readable.map((u) => u.id), prefix])].join('|');
      for (const m of text.matchAll(new RegExp(`\\b(?:${ids})_\\w+`, 'g'))) {
        expect(generated.has(m[0]) || own.has(m[0]) || /^sched_/.test(m[0]), m[0]).toBe(true);
      }
      // A body several entries run names none of them: it reads the OPT_ aliases of each.
      if (prefix === OPT_ALIAS) {
        for (const u of users) expect(text, u.id).not.toMatch(new RegExp(`\\b${u.id}_\\w`));
        for (const u of users) {
          const aliases = new Set(declared(optimizerAliases(u as OptimizerDef)));
          for (const m of text.matchAll(/\bOPT_[a-z]\w*/g)) expect(aliases.has(m[0]), `${u.id}: ${m[0]}`).toBe(true);
        }
      }
      // param() takes P slots; flags of surfaces and optimisers are override constants, not slots.
      for (const m of text.matchAll(/\bparam\(\s*(?:\w+\s*\+\s*)?(\w+)\s*\)/g)) {
        const name = m[1]!;
        if (/^[a-z]/.test(name) && !name.includes('_')) continue; // a local index (MultiStepLR loops over its slots)
        const d = users.flatMap((u) => derivedNames(u.params)).find((x) => slotName(prefix, x.name) === name);
        if (!d) {
          // Another schedule's slot (SequentialLR reads its children's) or a run slot.
          expect(generated.has(name) || /^RUN_/.test(name), name).toBe(true);
          continue;
        }
        expect(d.kind, name).toBe('slot');
        if (kind.overrides && d.kind === 'slot') expect(['bool', 'enum'], name).not.toContain(d.param.kind);
      }
    });

    it('compares enum parameters only with their value constants, in WGSL and in TypeScript', () => {
      const enums = e.params.filter((p) => p.kind === 'enum');
      const text = wgslSource(file);
      const src = readFileSync(kind.module(e), 'utf8');
      for (const p of enums) {
        const slot = slotName(id, p.key);
        const values = new Set(p.values.map((v) => slotName(id, enumValueKey(p.key, v))));
        // Where the file reads the enum, directly or through a `let` bound to the read.
        const read = kind.overrides ? `\\b${slot}\\b` : `u32\\(param\\(\\w+ \\+ ${slot}\\)\\)`;
        const vars = [...text.matchAll(new RegExp(`let (\\w+) = ${read};`, 'g'))].map((m) => m[1]!);
        const sides = [read, ...vars.map((v) => `\\b${v}\\b`)].join('|');
        let compared = 0;
        for (const m of text.matchAll(new RegExp(`(?:${sides})\\s*[!=]=\\s*(\\w+)`, 'g'))) {
          expect(values.has(m[1]!), `${p.key} compared with ${m[1]}`).toBe(true);
          compared++;
        }
        for (const m of text.matchAll(new RegExp(`(\\w+)\\s*[!=]=\\s*(?:${sides})`, 'g'))) expect(values.has(m[1]!), `${m[1]} compared with ${p.key}`).toBe(true);
        // The TypeScript twin compares with o.<key>_<value>, never a number.
        expect(src, p.key).not.toMatch(new RegExp(`o\\.${p.key}\\]!?\\s*[!=]==?\\s*-?\\d`));
        if (compared > 0) expect(src, p.key).toMatch(new RegExp(`o\\.${p.key}_\\w+`));
      }
    });

    if (kind.name === 'optimizer') {
      const o = e as OptimizerDef;

      it('names its state pairs once: the count, indices and names derive from one list that fits S (with SWA or spec refusing it)', () => {
        expect(o.stateSlots).toBe(o.stateNames.length);
        expect(new Set(o.stateNames).size).toBe(o.stateNames.length);
        o.stateNames.forEach((n, i) => expect(o.state[n], n).toBe(2 * (i + 1)));
        expect(Object.keys(o.state).sort()).toEqual([...o.stateNames].sort());
        expect(1 + o.stateSlots).toBeLessThanOrEqual(STATE_VEC2);
        if (o.gradSlot !== undefined) expect(o.stateNames.map((n) => o.state[n]! / 2)).toContain(o.gradSlot);
        // SWA keeps its average in the last pair: a spec with swa is accepted iff that pair is free.
        const spec = { surface: 'rosenbrock', optimizer: { name: id }, steps: 10, swa: { start: 1, every: 1 } };
        const accepts = (): boolean => {
          try {
            parseSpec(spec);
            return true;
          } catch {
            return false;
          }
        };
        expect(accepts()).toBe(o.stateSlots <= STATE_VEC2 - 2);
      });

      it('indexes its state by name: WGSL reads S[0] and S[<prefix>_S_<name>] only and initialises every pair; TypeScript writes no literal index', () => {
        const text = wgslSource(file);
        const prefix = prefixOf(kind, e);
        const names = new Set(o.stateNames.map((n) => stateName(prefix, n)));
        for (const m of text.matchAll(/\bS\[([^\]]*)\]/g)) expect(m[1] === '0' || names.has(m[1]!), `S[${m[1]}]`).toBe(true);
        const init = fnBody(text, 'opt_init')!;
        for (const n of names) expect(init, n).toMatch(new RegExp(`S\\[${n}\\]\\s*=`));
        const src = readFileSync(kind.module(e), 'utf8');
        expect(src).not.toMatch(/\bS\[\s*(?:[2-9]|1\d)\s*[\]+]/);
      });

      if (o.wgslShared) {
        it(`shares ${o.wgslShared.body}'s body: a subset of its parameters, the rest fixed`, () => {
          const owner = OPTIMIZERS.find((x) => x.id === o.wgslShared!.body);
          expect(owner, 'the body is an entry').toBeDefined();
          expect(optimizerFile(owner!)).toBe(`optimizers/${owner!.id}.wgsl`);
          const mine = new Set(o.params.map((p) => p.key));
          const theirs = owner!.params.map((p) => p.key);
          for (const k of mine) expect(theirs, k).toContain(k);
          expect(Object.keys(o.wgslShared!.fixed ?? {}).sort()).toEqual(theirs.filter((k) => !mine.has(k)).sort());
          expect(o.stateNames).toEqual(owner!.stateNames);
        });
      }
    }

    if (kind.name === 'schedule') {
      const s = e as ScheduleDef;
      it('lists in wgslCalls exactly the other schedules whose functions its file calls', () => {
        const owner = new Map<string, string>();
        for (const d of SCHEDULES) for (const m of wgslSource(scheduleFile(d)).matchAll(/\bfn\s+(sched_\w+)/g)) owner.set(m[1]!, d.id);
        const called = new Set<string>();
        for (const m of wgslSource(file).matchAll(/(?<!fn\s+)\b(sched_[A-Z]\w*)\s*\(/g)) {
          const by = owner.get(m[1]!);
          expect(by, `${id} calls ${m[1]}, defined in no schedule file`).toBeDefined();
          if (by !== undefined && by !== id) called.add(by);
        }
        expect([...called].sort()).toEqual([...(s.wgslCalls ?? [])].sort());
        for (const c of s.wgslCalls ?? []) expect(findSchedule(c), c).toBeDefined();
      });
    }
  });
}
