/**
 * The plan-specialised CPU kernel: what the GPU path does by composing only the WGSL a plan uses,
 * done for the CPU by partially evaluating step.ts's functions (and through them the registry's
 * twins) with everything the plan fixes known; see partial.ts.
 *
 * The kernel runs runs in blocks of BLOCK, step by step across the block: each step of a run is a
 * short dependency chain (a float32 twin rounds after every operation), and interleaving the
 * block's runs lets the processor overlap them; a run's state lives in locals during its step and
 * in one small array per state element between steps (structure of arrays, in L1). Outcome
 * checkpoints and classification call step.ts's functions as they are (once per checkpoint or run).
 *
 * The generated source is cached per (spec, precision): a worker builds it once for all the blocks
 * of a sweep. Results are bit-identical to the generic path (tests/engine/jit.test.ts).
 */
import { STATE_LEN } from '../../../core/layout.ts';
import * as layout from '../../../core/layout.ts';
import * as outcome from '../../../core/outcome.ts';
import { basinOf, basinTable } from '../../../core/outcome.ts';
import * as params from '../../../core/params.ts';
import type { Plan } from '../../../core/plan.ts';
import { sweepValue } from '../../../core/plan.ts';
import * as optCommon from '../../../core/registry/optimizers/common.ts';
import * as schedCommon from '../../../core/registry/schedules/common.ts';
import * as surfShared from '../../../core/registry/surfaces/shared.ts';
import { OPTIMIZERS, SCHEDULES, SURFACES } from '../../../core/registry/index.ts';
import type { ResultColumns } from '../../../core/results.ts';
import * as rng from '../../../core/rng.ts';
import { specToJSON } from '../../../core/spec.ts';
import type { Precision } from '../../../core/steps.ts';
import { roundingFor, stepTables } from '../../../core/steps.ts';
import * as step from '../step.ts';
import { OUTCOME_LEN, SWA_INDEX, advance, checkpoint, initRun, outcomeOf, runContext, storeOutcome } from '../step.ts';
import type { Resolver, Val, Vec } from './partial.ts';
import { Emitter, Specialiser, Unsupported, known, temp } from './partial.ts';

/** Runs interleaved step by step (enough to hide a float32 chain's latency; state stays in L1). */
export const BLOCK = 32;

// ---------------------------------------------------------------------------------------------
// Free names.

/**
 * Every name the twins may reference at module level: the exports of the shared modules and of
 * step.ts. A name two modules export with different values is ambiguous and resolves to nothing
 * (the function using it is then called, not inlined).
 */
const SHARED: Readonly<Record<string, unknown>> = (() => {
  const out: Record<string, unknown> = {};
  const ambiguous = new Set<string>();
  for (const ns of [layout, outcome, params, rng, optCommon, schedCommon, surfShared, step] as readonly Record<string, unknown>[]) {
    for (const [k, v] of Object.entries(ns)) {
      if (Object.hasOwn(out, k) && out[k] !== v) ambiguous.add(k);
      else out[k] = v;
    }
  }
  for (const k of ambiguous) delete out[k];
  return Object.freeze(out);
})();

/** An entry's own names (`o`: its parameter slots, `st`: its state slots), for its functions. */
const ENTRY_SCOPES = new WeakMap<object, Readonly<Record<string, unknown>>>();
for (const e of [...OPTIMIZERS, ...SURFACES, ...SCHEDULES] as unknown as readonly Record<string, unknown>[]) {
  const own: Record<string, unknown> = {};
  if (e.slots !== undefined) own.o = e.slots;
  if (e.state !== undefined) own.st = e.state;
  // The entry's own helpers (listed in `helpers`) resolve by name, and read the same names.
  const helpers = e.helpers && typeof e.helpers === 'object' ? (e.helpers as Record<string, unknown>) : {};
  Object.assign(own, helpers);
  const fns: unknown[] = [...Object.values(e), ...Object.values(helpers)];
  for (const nested of ['stepScalars', 'plateau']) {
    const n = e[nested];
    if (n && typeof n === 'object') fns.push(...Object.values(n));
  }
  for (const f of fns) if (typeof f === 'function') ENTRY_SCOPES.set(f, own);
}

/**
 * Module bindings as the JavaScript of a function refers to them: bare names (tsx, Vite in the
 * browser) or members of an import record (`__vite_ssr_import_3__.lerp` under Vitest).
 */
export function resolverFor(f: (...args: never[]) => unknown): Resolver {
  const own = ENTRY_SCOPES.get(f);
  return (name) => {
    if (own && Object.hasOwn(own, name)) return { value: own[name] };
    if (Object.hasOwn(SHARED, name)) return { value: SHARED[name] };
    if (/^__vi(?:te)?_(?:ssr_)?import_\d+__$/.test(name)) return { value: SHARED };
    return undefined;
  };
}

// ---------------------------------------------------------------------------------------------
// The state vectors as the specialised code sees them.

/** Locals named <base><i>, recording which elements the code touched and wrote. */
export class LocalVec implements Vec {
  readonly touched = new Set<number>();
  readonly written = new Set<number>();
  spilled = false;
  constructor(
    readonly name: string,
    readonly length: number,
    /** A scratch array (the output's name) for calls that are not inlined. */
    private readonly scratch: string,
  ) {}
  local(i: number): string {
    return `${this.name}${i}`;
  }
  private check(i: number): void {
    if (!(i >= 0 && i < this.length)) throw new Unsupported(`${this.name}[${i}] is outside its ${this.length} elements`);
  }
  get(i: number): { readonly local: string } {
    this.check(i);
    this.touched.add(i);
    return { local: this.local(i) };
  }
  set(i: number): string {
    this.check(i);
    this.touched.add(i);
    this.written.add(i);
    return this.local(i);
  }
  spill(): { before: string[]; ref: string; after: string[] } {
    this.spilled = true;
    const all = Array.from({ length: this.length }, (_, i) => i);
    for (const i of all) {
      this.touched.add(i);
      this.written.add(i);
    }
    return {
      before: all.map((i) => `${this.scratch}[${i}] = ${this.local(i)};`),
      ref: this.scratch,
      after: all.map((i) => `${this.local(i)} = ${this.scratch}[${i}];`),
    };
  }
}

/** P: fixed slots are constants (rounded as the run would see them), swept slots the run's values. */
export class ParamVec implements Vec {
  readonly name = 'P';
  constructor(
    private readonly P: Float64Array,
    /** Swept slot -> the output's name of this run's value. */
    private readonly swept: ReadonlyMap<number, string>,
    private readonly scratch: string,
  ) {}
  get(i: number): { readonly known: number } | { readonly temp: string } {
    const s = this.swept.get(i);
    if (s !== undefined) return { temp: s };
    const v = this.P[i];
    if (v === undefined) throw new Unsupported(`P[${i}] is outside P`);
    return { known: v };
  }
  set(): string {
    throw new Unsupported('a twin writes P');
  }
  spill(): { before: string[]; ref: string; after: string[] } {
    return { before: [...this.swept].map(([slot, name]) => `${this.scratch}[${slot}] = ${name};`), ref: this.scratch, after: [] };
  }
}

/** Writes nobody reads in a sweep (what trajectories record of a step). */
class SinkVec implements Vec {
  constructor(readonly name: string) {}
  get(): never {
    throw new Unsupported(`${this.name} is write-only here`);
  }
  set(): string {
    return `${this.name}_`;
  }
  spill(): never {
    throw new Unsupported(`${this.name} passed to a function that is not inlined`);
  }
}

// ---------------------------------------------------------------------------------------------

export interface SpecialisedKernel {
  /** Runs [begin, end) of the plan into rows 0.. of `out`; tick(done) every block. */
  run(begin: number, end: number, out: ResultColumns, tick?: (runsDone: number) => void): void;
  /** The generated source (for tests and for reading what a plan compiles to). */
  readonly source: string;
  /** Functions that were called instead of inlined, with the reason. */
  readonly fallbacks: readonly string[];
}

const cache = new Map<string, SpecialisedKernel | null>();
const CACHE_SIZE = 16;
/** The same plan object asks again for every slice of an in-process run: no key to build. */
const byPlan = new WeakMap<Plan, { f32?: SpecialisedKernel | null; f64?: SpecialisedKernel | null }>();

/** The plan's specialised kernel in this precision (cached), or null where the plan is not specialised. */
export function specialisedKernel(plan: Plan, precision: Precision): SpecialisedKernel | null {
  const mine = byPlan.get(plan) ?? {};
  const hit = mine[precision];
  if (hit !== undefined) return hit;
  const k = lookup(plan, precision);
  mine[precision] = k;
  byPlan.set(plan, mine);
  return k;
}

function lookup(plan: Plan, precision: Precision): SpecialisedKernel | null {
  const key = `${precision}|${JSON.stringify(specToJSON(plan.spec))}`;
  if (cache.has(key)) return cache.get(key) ?? null;
  let k: SpecialisedKernel | null;
  try {
    k = composeKernel(plan, precision);
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e;
    k = null;
  }
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, k);
  return k;
}

/** Builds the specialised kernel of a plan (throws Unsupported when step.ts itself cannot be read). */
export function composeKernel(plan: Plan, precision: Precision): SpecialisedKernel {
  const r = roundingFor(precision);
  const P = Float64Array.from(plan.P, r);
  const data = plan.data ? Float64Array.from(plan.data, r) : null;
  const ctx = runContext(plan, stepTables(plan, precision), data);
  const table = basinTable(r, plan.minima, plan.radius, plan.lattice);
  const bound = r(plan.bound);
  const em = new Emitter('_', r);
  // What stays fixed while the kernel runs: per-step tables, data, the minima.
  const constants = new WeakSet<object>();
  for (const a of [ctx.schedTable, ctx.optTable, ctx.data, table.mx, table.my]) if (a) constants.add(a);
  const sp = new Specialiser(em, resolverFor, constants);
  const dims = plan.dims;
  const swept = new Map(dims.map((d, i) => [d.slot, `pv${i}`] as const));
  const Pq = em.ref(Float64Array.from(P));
  const pvec = new ParamVec(P, swept, Pq);
  const Svec = new LocalVec('s', STATE_LEN, em.ref(new Float64Array(STATE_LEN)));
  const local = (name: string, n: number, F: Float64ArrayConstructor | Uint32ArrayConstructor = Float64Array): LocalVec =>
    new LocalVec(name, n, em.ref(new F(n)));
  const G = local('g', 2);
  const W = local('w', 4, Uint32Array);
  const Z = local('z', 2);
  const SC = local('sc', 4);
  const PL = local('pl', 4);
  const H = local('h', 3);
  const O = local('o', OUTCOME_LEN);
  const vec = (v: Vec): Val => ({ k: 'vec', vec: v });
  const record: Val = {
    k: 'record',
    fields: { G: vec(G), W: vec(W), Z: vec(Z), sc: vec(SC), PL: vec(PL), rec: vec(new SinkVec('rec')) },
  };
  // The outcome track in three locals (tb: basin, te: entered, td: diverged).
  const track: Val = { k: 'record', fields: { basin: { k: 'cell', local: 'tb' }, entered: { k: 'cell', local: 'te' }, diverged: { k: 'cell', local: 'td' } } };
  const R: Val = { k: 'round' };
  const C = known(ctx);
  const sorted = (xs: Iterable<number>): number[] => [...new Set(xs)].sort((a, b) => a - b);
  const section = (f: () => Val | void): { lines: string[]; val: Val | undefined } => {
    const v = f();
    return { lines: em.lines.splice(0), val: v === undefined ? undefined : v };
  };
  const fn = <T>(f: T): never => f as never;

  // The step first: what it touches of S is what persists between steps.
  const stepSec = section(() => {
    sp.invoke(fn(advance), [R, C, vec(pvec), vec(Svec), record, temp('k'), temp('run')]);
  });
  const stepTouched = sorted(Svec.touched);
  const stepWritten = sorted(Svec.written);
  const stepSpilled = Svec.spilled;
  const persist = sorted([0, 1, ...(ctx.swa ? [SWA_INDEX, SWA_INDEX + 1] : []), ...stepTouched]);
  const plStep = sorted(PL.touched);
  const scratchDecls = [G, W, Z, SC]
    .filter((v) => v.touched.size > 0)
    .map((v) => Array.from({ length: v.length }, (_, i) => `let ${v.local(i)} = 0;`).join(' '));
  Svec.touched.clear();
  PL.touched.clear();
  const initSec = section(() => {
    sp.invoke(fn(initRun), [R, C, vec(pvec), vec(Svec), vec(PL)]);
  });
  const basinSec = section(() => sp.invoke(fn(basinOf), [R, known(table), temp('s0'), temp('s1')]));
  const plPersist = sorted([...plStep, ...PL.touched]);
  const checkSec = section(() => sp.invoke(fn(checkpoint), [R, known(table), known(bound), temp('cx'), temp('cy'), temp('k1'), track]));
  Svec.touched.clear();
  const outSec = section(() => {
    sp.invoke(fn(outcomeOf), [R, C, vec(pvec), vec(Svec), vec(H), track, vec(O)]);
  });
  const outRead = sorted(Svec.touched);
  if (outRead.some((i) => !persist.includes(i))) throw new Unsupported('the outcome reads state the steps do not keep');

  const ind = (lines: readonly string[], n: number): string[] => lines.map((l) => `${' '.repeat(n)}${l}`);
  const round = (x: string): string => (precision === 'f32' ? `Math.fround(${x})` : x);
  const A = (i: number): string => `A${i}`;
  const Oref = em.ref(new Float64Array(OUTCOME_LEN));
  // Four functions over a block (its state in arrays shared through the closure): a separate
  // function per phase keeps each small enough for the optimising compiler, and lets it compile
  // the step loop on its own.
  const src: string[] = [];
  src.push(`const B = ${BLOCK};`);
  for (const i of persist) src.push(`const ${A(i)} = new Float64Array(B);`);
  for (const i of plPersist) src.push(`const PL${i} = new Float64Array(B);`);
  dims.forEach((_, d) => src.push(`const PV${d} = new Float64Array(B);`));
  src.push('const BAS = new Int32Array(B), ENT = new Int32Array(B), DEAD = new Uint8Array(B);');
  src.push('let rec_ = 0;');
  // Each run at its start: its swept values (as sweepValue gives them), fresh state, its basin.
  src.push('function init(b0, n) {');
  src.push('  for (let q = 0; q < n; q++) {');
  src.push('    const run = b0 + q;');
  dims.forEach((_, d) => {
    const v =
      plan.mode === 'grid'
        ? d === 0
          ? `${em.ref(plan.xValues)}[run % ${plan.width}]`
          : `${em.ref(plan.yValues)}[Math.floor(run / ${plan.width})]`
        : `${em.ref(sweepValue)}(${em.ref(plan)}, run, ${d})`;
    src.push(`    const pv${d} = PV${d}[q] = ${round(v)};`);
  });
  src.push(`    ${Array.from({ length: STATE_LEN }, (_, i) => `let s${i} = 0;`).join(' ')}`);
  if (plPersist.length > 0) src.push(`    ${plPersist.map((i) => `let pl${i} = 0;`).join(' ')}`);
  src.push(...ind(initSec.lines, 4));
  for (const i of persist) src.push(`    ${A(i)}[q] = s${i};`);
  for (const i of plPersist) src.push(`    PL${i}[q] = pl${i};`);
  src.push(...ind(basinSec.lines, 4));
  src.push(`    BAS[q] = ${em.code(basinSec.val as Val)}; ENT[q] = 0; DEAD[q] = 0;`);
  src.push('  }');
  src.push('}');
  // Steps k0 .. k1 - 1, interleaved across the block.
  src.push('function steps(b0, n, k0, k1) {');
  src.push('  for (let k = k0; k < k1; k++) {');
  src.push('    for (let q = 0; q < n; q++) {');
  src.push('      if (DEAD[q] !== 0) continue;');
  src.push('      const run = b0 + q;');
  dims.forEach((_, d) => src.push(`      const pv${d} = PV${d}[q];`));
  const stepLocals = stepSpilled ? persist : stepTouched;
  src.push(`      ${stepLocals.map((i) => `let s${i} = ${persist.includes(i) ? `${A(i)}[q]` : '0'};`).join(' ')}`);
  if (plPersist.length > 0) src.push(`      ${plPersist.map((i) => `let pl${i} = PL${i}[q];`).join(' ')}`);
  for (const d of scratchDecls) src.push(`      ${d}`);
  src.push(...ind(stepSec.lines, 6));
  for (const i of stepSpilled ? persist : stepWritten) if (persist.includes(i)) src.push(`      ${A(i)}[q] = s${i};`);
  for (const i of plPersist) src.push(`      PL${i}[q] = pl${i};`);
  src.push('    }');
  src.push('  }');
  src.push('}');
  // The outcome checkpoint after step k1.
  src.push('function check(n, k1) {');
  src.push('  for (let q = 0; q < n; q++) {');
  src.push('    if (DEAD[q] !== 0) continue;');
  src.push('    let tb = BAS[q], te = ENT[q], td = false;');
  src.push(`    const cx = ${A(0)}[q], cy = ${A(1)}[q];`);
  src.push(...ind(checkSec.lines, 4));
  src.push(`    if (!${em.code(checkSec.val as Val)}) DEAD[q] = 1;`);
  src.push('    BAS[q] = tb; ENT[q] = te;');
  src.push('  }');
  src.push('}');
  // Classification into rows row0.. of the columns.
  src.push('function classify(n, out, row0) {');
  src.push('  for (let q = 0; q < n; q++) {');
  dims.forEach((_, d) => src.push(`    const pv${d} = PV${d}[q];`));
  src.push(`    ${persist.map((i) => `let s${i} = ${A(i)}[q];`).join(' ')}`);
  src.push('    let tb = BAS[q], te = ENT[q], td = DEAD[q] !== 0;');
  src.push(`    ${Array.from({ length: 3 }, (_, i) => `let h${i} = 0;`).join(' ')} ${Array.from({ length: OUTCOME_LEN }, (_, i) => `let o${i} = 0;`).join(' ')}`);
  src.push(...ind(outSec.lines, 4));
  src.push(`    ${Array.from({ length: OUTCOME_LEN }, (_, i) => `${Oref}[${i}] = o${i};`).join(' ')}`);
  src.push(`    ${em.ref(storeOutcome)}(${Oref}, out, row0 + q);`);
  src.push('  }');
  src.push('}');
  src.push('return function kernel(begin, end, out, tick) {');
  src.push('  for (let b0 = begin; b0 < end; b0 += B) {');
  src.push('    const n = Math.min(B, end - b0);');
  src.push('    init(b0, n);');
  src.push(`    for (let k0 = 0; k0 < ${ctx.steps}; k0 += ${ctx.checkEvery}) {`);
  src.push(`      const k1 = Math.min(${ctx.steps}, k0 + ${ctx.checkEvery});`);
  src.push('      steps(b0, n, k0, k1);');
  src.push('      check(n, k1);');
  src.push('    }');
  src.push('    classify(n, out, b0 - begin);');
  src.push('    if (tick) tick(Math.min(end, b0 + B) - begin);');
  src.push('  }');
  src.push('};');
  const source = ['"use strict";', ...em.deps.map((_, i) => `const _K${i} = deps[${i}];`), ...src].join('\n');
  const make = new Function('deps', source) as (deps: readonly unknown[]) => (begin: number, end: number, out: ResultColumns, tick?: (n: number) => void) => void;
  const kernel = make(em.deps);
  return {
    run: (begin, end, out, tick) => kernel(begin, end, out, tick),
    source,
    fallbacks: sp.fallbacks,
  };
}
