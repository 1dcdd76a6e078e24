/**
 * A partial evaluator for the registry's CPU twins: it reads a twin's JavaScript (the function's
 * own source, from `Function.prototype.toString`), runs it symbolically with what a plan fixes known
 * (parameter slots, flags, the rounding function, loop bounds) and emits straight-line JavaScript
 * for what is left: folded constants, dead branches removed, small loops unrolled, the optimiser
 * state and the gradient in local variables instead of typed arrays, helper functions inlined.
 *
 * Why: a generic step that reads every parameter from a typed array, tests every flag and calls
 * through the registry each step runs 3-5x slower than the same arithmetic written out by hand
 * (docs/performance.md, "CPU engines at JIT speed"). Specialising the one definition keeps the twin
 * discipline: there is still one CPU step per entry, and the output performs exactly its
 * operations, in its order, with its rounding. Folding evaluates the same JavaScript operators on
 * the same IEEE doubles at specialisation time, so results are bit-identical to the generic path,
 * which stays as the reference and the fallback (tests/engine/jit.test.ts checks both agree).
 *
 * The output is in A-normal form: every intermediate value is a fresh `const`, every read of a
 * mutable variable is snapshotted into one, so evaluation order and aliasing never depend on how
 * expressions nest. Names in the output are all generated (no source identifier survives), which
 * makes inlining hygienic. Anything outside the supported subset throws `Unsupported`; the caller
 * then calls the original function instead (correct, only slower).
 *
 * Supported: const/let, assignments and ++/-- as statements, if/else, for (unrolled when its
 * bounds are known and small, else kept as a loop), for(;;)/while with break, return anywhere,
 * arithmetic, comparisons, logical and conditional operators, calls to the rounding function,
 * `Math.*` and other functions whose source is readable (inlined), members of known objects.
 */
import { parse } from 'acorn';
import type * as A from 'acorn';

export class Unsupported extends Error {}

/** Element access of a special array (P, S, the gradient out-array, step scalars). */
export interface Vec {
  readonly name: string;
  /** Element i: a known number, an immutable temp, or a mutable local (snapshotted on read). */
  get(i: number): { readonly known: number } | { readonly temp: string } | { readonly local: string };
  /** The mutable local element i is assigned to (throws Unsupported for read-only vectors). */
  set(i: number): string;
  /**
   * For a call that is not inlined: statements that make the array `ref` hold the current
   * elements, and statements that read back what the call may have written.
   */
  spill(): { readonly before: readonly string[]; readonly ref: string; readonly after: readonly string[] };
}

/** A value during partial evaluation. */
export type Val =
  /** Known at specialisation time: a number, boolean, undefined, null, an object or a function. */
  | { readonly k: 'known'; readonly v: unknown }
  /** A residual value held by an immutable temp of the output. */
  | { readonly k: 'temp'; readonly name: string }
  | { readonly k: 'vec'; readonly vec: Vec }
  /** An object whose fields are values (a run's scratch arrays, its outcome track). */
  | { readonly k: 'record'; readonly fields: Readonly<Record<string, Val>> }
  /** A record field held in a mutable local of the output (read: snapshotted; written: assigned). */
  | { readonly k: 'cell'; readonly local: string }
  /** The twin's rounding function `r` (Math.fround or the identity). */
  | { readonly k: 'round' };

export const known = (v: unknown): Val => ({ k: 'known', v });
export const temp = (name: string): Val => ({ k: 'temp', name });

/** Resolves a function's free identifiers (module-level names) to runtime values. */
export type Resolver = (name: string) => { readonly value: unknown } | undefined;

/** Functions the evaluator computes directly on known arguments and emits by name otherwise. */
const PURE_BUILTINS = new Map<unknown, string>();
for (const k of Object.getOwnPropertyNames(Math)) {
  const f = (Math as unknown as Record<string, unknown>)[k];
  if (typeof f === 'function' && k !== 'random') PURE_BUILTINS.set(f, `Math.${k}`);
}
PURE_BUILTINS.set(Number.isFinite, 'Number.isFinite');
PURE_BUILTINS.set(Number.isNaN, 'Number.isNaN');
PURE_BUILTINS.set(Number.isInteger, 'Number.isInteger');

/** A literal of the output language for a known value. */
export function literal(v: unknown): string {
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (v === Number.POSITIVE_INFINITY) return 'Infinity';
    if (v === Number.NEGATIVE_INFINITY) return '(-Infinity)';
    if (Object.is(v, -0)) return '(-0)';
    // String(v) is the shortest text that reads back as exactly v.
    return v < 0 ? `(${String(v)})` : String(v);
  }
  if (typeof v === 'boolean') return String(v);
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  throw new Unsupported(`no literal for a ${typeof v}`);
}

/** Output being built: statements, fresh names, the rounding of this precision. */
export class Emitter {
  readonly lines: string[] = [];
  /** Objects the output refers to by name (`<prefix>K<i>`): typed arrays, functions not inlined. */
  readonly deps: unknown[] = [];
  private readonly depNames = new Map<unknown, string>();
  private n = 0;
  constructor(
    /** Generated names start with this (several emitters can share one output). */
    readonly prefix: string,
    /** The rounding applied by `r`: Math.fround (float32) or the identity (float64). */
    readonly round: (x: number) => number,
  ) {}
  get f32(): boolean {
    return this.round === Math.fround;
  }
  fresh(hint = 't'): string {
    return `${this.prefix}${hint}${this.n++}`;
  }
  emit(line: string): void {
    this.lines.push(line);
  }
  /** Runs f with output captured into a separate list (for a branch), returning it. */
  capture(f: () => void): string[] {
    const saved = this.lines.splice(0);
    try {
      f();
      return this.lines.splice(0);
    } finally {
      this.lines.push(...saved);
    }
  }
  /** A value's text: a literal or a temp name. */
  code(v: Val): string {
    if (v.k === 'known') return literal(v.v);
    if (v.k === 'temp') return v.name;
    throw new Unsupported(`a ${v.k} used as a number`);
  }
  /** The output's name for a known object (the composer binds each to its value). */
  ref(obj: unknown): string {
    let name = this.depNames.get(obj);
    if (name === undefined) {
      name = `${this.prefix}K${this.deps.length}`;
      this.deps.push(obj);
      this.depNames.set(obj, name);
    }
    return name;
  }
  /** Binds a residual expression to a fresh immutable temp. */
  bind(expr: string, hint = 't'): Val {
    const name = this.fresh(hint);
    this.emit(`const ${name} = ${expr};`);
    return temp(name);
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing function sources.

type Fn = A.FunctionExpression | A.ArrowFunctionExpression;
const parsed = new WeakMap<object, Fn>();

/** The AST of a function's own source (method shorthand, `function`, or an arrow). */
export function functionAst(f: (...args: never[]) => unknown): Fn {
  const hit = parsed.get(f);
  if (hit) return hit;
  const src = Function.prototype.toString.call(f);
  if (/\[native code\]/.test(src)) throw new Unsupported(`${f.name || 'a function'} is native`);
  let node: A.Node | undefined;
  const tryParse = (text: string, pick: (p: A.Program) => A.Node | undefined): boolean => {
    try {
      node = pick(parse(text, { ecmaVersion: 'latest', sourceType: 'script' }));
      return node !== undefined;
    } catch {
      return false;
    }
  };
  const exprOf = (p: A.Program): A.Node | undefined => {
    const s = p.body[0];
    return s && s.type === 'ExpressionStatement' ? s.expression : undefined;
  };
  // `(function …)` and arrows parse as expressions; a method shorthand `name(…) {…}` only inside an object literal.
  if (!tryParse(`(${src})`, exprOf)) {
    tryParse(`({${src}})`, (p) => {
      const e = exprOf(p);
      const prop = e && e.type === 'ObjectExpression' ? (e as A.ObjectExpression).properties[0] : undefined;
      return prop && prop.type === 'Property' ? prop.value : undefined;
    });
  }
  if (!node || (node.type !== 'FunctionExpression' && node.type !== 'ArrowFunctionExpression')) {
    throw new Unsupported(`cannot parse the source of ${f.name || 'a function'}`);
  }
  const fn = node as Fn;
  if (fn.async || fn.generator) throw new Unsupported('async or generator function');
  parsed.set(f, fn);
  return fn;
}

// ---------------------------------------------------------------------------------------------
// Scopes.

interface Binding {
  readonly mutable: boolean;
  /** Current value (known or an immutable temp) while not materialised. */
  val: Val;
  /** The output's mutable variable once materialised (control flow merges at run time). */
  local: string | null;
}

class Env {
  private readonly vars = new Map<string, Binding>();
  constructor(
    readonly parent: Env | null,
    readonly fn: FnCtx,
  ) {}
  declare(name: string, b: Binding): void {
    this.vars.set(name, b);
  }
  lookup(name: string): Binding | undefined {
    return this.vars.get(name) ?? (this.parent?.fn === this.fn ? this.parent.lookup(name) : undefined);
  }
  child(): Env {
    return new Env(this, this.fn);
  }
}

/** Per inlined function: how its free names resolve and where its returns go. */
interface FnCtx {
  readonly resolve: Resolver;
  /** Labelled mode (a return not at the end): `let <retVar>; <label>: { … }`. */
  readonly label: string | null;
  readonly retVar: string | null;
  /** The value of a return reached in straight-line code. */
  result: Val | null;
  readonly depth: number;
}

type Flow = 'normal' | 'exit';

// ---------------------------------------------------------------------------------------------

/** Names of identifiers assigned (=, op=, ++, --) anywhere inside a node. */
function assignedNames(node: A.Node, out = new Set<string>()): Set<string> {
  walk(node, (n) => {
    if (n.type === 'AssignmentExpression') {
      const t = (n as A.AssignmentExpression).left;
      if (t.type === 'Identifier') out.add(t.name);
    } else if (n.type === 'UpdateExpression') {
      const t = (n as A.UpdateExpression).argument;
      if (t.type === 'Identifier') out.add(t.name);
    }
  });
  return out;
}

function walk(node: A.Node, f: (n: A.Node) => void): void {
  f(node);
  for (const key of Object.keys(node)) {
    if (key === 'type' || key === 'start' || key === 'end') continue;
    const v = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(v)) {
      for (const c of v) if (c && typeof c === 'object' && 'type' in c) walk(c as A.Node, f);
    } else if (v && typeof v === 'object' && 'type' in v) {
      walk(v as A.Node, f);
    }
  }
}

function contains(node: A.Node, types: readonly string[]): boolean {
  let hit = false;
  walk(node, (n) => {
    if (types.includes(n.type)) hit = true;
  });
  return hit;
}

const MAX_UNROLL = 32;
const MAX_DEPTH = 12;

/** The partial evaluator; one instance per output being built. */
export class Specialiser {
  /** Functions that could not be inlined and are called instead, with the reason (for tests and tuning). */
  readonly fallbacks: string[] = [];
  constructor(
    readonly em: Emitter,
    /** Resolves the free names of a function reached by a call (its module's names, an entry's `o` and `st`). */
    readonly resolverFor: (f: (...args: never[]) => unknown) => Resolver,
    /**
     * Typed arrays that never change while the kernel runs (the plan's tables, data, minima):
     * their elements at known indices fold to constants. Any other typed array is read and written
     * at run time.
     */
    readonly constants: WeakSet<object> = new WeakSet(),
  ) {}

  /**
   * Inlines a call of `f` with the given argument values; returns its result (undefined when it
   * returns nothing). Its statements are emitted into the emitter.
   */
  call(f: (...args: never[]) => unknown, args: readonly Val[], resolve: Resolver, depth = 0): Val {
    if (depth > MAX_DEPTH) throw new Unsupported('calls nested too deeply');
    const ast = functionAst(f);
    const body = ast.body;
    // Labelled mode unless the only return is the body's last statement (or an arrow's expression).
    let labelled = false;
    if (body.type === 'BlockStatement') {
      const stmts = (body as unknown as { body: A.Statement[] }).body;
      const last = stmts[stmts.length - 1];
      let returns = 0;
      walk(body, (n) => {
        if (n.type === 'ReturnStatement') returns++;
      });
      labelled = returns > 1 || (returns === 1 && (!last || last.type !== 'ReturnStatement'));
    }
    const label = labelled ? this.em.fresh('ret') : null;
    const retVar = labelled ? this.em.fresh('rv') : null;
    const ctx: FnCtx = { resolve, label, retVar, result: null, depth };
    const env = new Env(null, ctx);
    ast.params.forEach((p, i) => {
      if (p.type !== 'Identifier') throw new Unsupported('destructured or default parameters');
      env.declare(p.name, { mutable: true, val: args[i] ?? known(undefined), local: null });
    });
    if (body.type !== 'BlockStatement') return this.expr(body as A.Expression, env);
    if (labelled && label && retVar) {
      this.em.emit(`let ${retVar};`);
      const inner = this.em.capture(() => this.block((body as unknown as { body: A.Statement[] }).body, env));
      this.em.emit(`${label}: {`);
      for (const l of inner) this.em.emit(`  ${l}`);
      this.em.emit('}');
      return this.em.bind(retVar, 'r');
    }
    this.block((body as unknown as { body: A.Statement[] }).body, env);
    return ctx.result ?? known(undefined);
  }

  // ---- statements

  private block(stmts: readonly A.Statement[], env: Env): Flow {
    for (const s of stmts) {
      if (this.stmt(s, env) === 'exit') return 'exit';
    }
    return 'normal';
  }

  private stmt(s: A.Statement, env: Env): Flow {
    switch (s.type) {
      case 'EmptyStatement':
        return 'normal';
      case 'BlockStatement':
        return this.block((s as unknown as { body: A.Statement[] }).body, env.child());
      case 'VariableDeclaration': {
        const d = s as A.VariableDeclaration;
        for (const decl of d.declarations) {
          if (decl.id.type !== 'Identifier') throw new Unsupported('destructuring declaration');
          const v = decl.init ? this.expr(decl.init, env) : known(undefined);
          env.declare(decl.id.name, { mutable: d.kind !== 'const', val: v, local: null });
        }
        return 'normal';
      }
      case 'ExpressionStatement':
        this.effect((s as A.ExpressionStatement).expression as A.Expression, env);
        return 'normal';
      case 'IfStatement':
        return this.ifStmt(s as A.IfStatement, env);
      case 'ForStatement':
        return this.forStmt(s as A.ForStatement, env);
      case 'WhileStatement': {
        const w = s as A.WhileStatement;
        return this.loop(null, w.test, null, w.body, env);
      }
      case 'ReturnStatement': {
        const r = s as A.ReturnStatement;
        const v = r.argument ? this.expr(r.argument, env) : known(undefined);
        const ctx = env.fn;
        if (ctx.label && ctx.retVar) {
          this.em.emit(`${ctx.retVar} = ${this.em.code(v)};`);
          this.em.emit(`break ${ctx.label};`);
        } else {
          ctx.result = v;
        }
        return 'exit';
      }
      case 'BreakStatement': {
        const loop = this.loops[this.loops.length - 1];
        if (!loop || (s as A.BreakStatement).label) throw new Unsupported('break outside a residual loop');
        this.em.emit(`break ${loop};`);
        return 'exit';
      }
      default:
        throw new Unsupported(`statement ${s.type}`);
    }
  }

  /** Labels of the residual loops being emitted (innermost last), for `break`. */
  private readonly loops: string[] = [];

  /** Lets assigned inside `node` get an output variable, so run-time control flow can merge them. */
  private materialise(node: A.Node, env: Env): void {
    for (const name of assignedNames(node)) {
      const b = env.lookup(name);
      if (!b) continue;
      if (!b.mutable) throw new Unsupported(`assignment to const ${name}`);
      if (b.local === null) {
        const local = this.em.fresh('v');
        this.em.emit(`let ${local} = ${this.em.code(b.val)};`);
        b.local = local;
      }
    }
  }

  private ifStmt(s: A.IfStatement, env: Env): Flow {
    const test = this.expr(s.test, env);
    if (test.k === 'known') {
      if (test.v) return this.stmt(s.consequent, env.child());
      return s.alternate ? this.stmt(s.alternate, env.child()) : 'normal';
    }
    this.materialise(s, env);
    const cond = this.em.code(test);
    const flows: Flow[] = [];
    const thenLines = this.em.capture(() => {
      flows.push(this.stmt(s.consequent, env.child()));
    });
    const elseLines = s.alternate
      ? this.em.capture(() => {
          flows.push(this.stmt(s.alternate as A.Statement, env.child()));
        })
      : [];
    this.em.emit(`if (${cond}) {`);
    for (const l of thenLines) this.em.emit(`  ${l}`);
    if (elseLines.length > 0) {
      this.em.emit('} else {');
      for (const l of elseLines) this.em.emit(`  ${l}`);
    }
    this.em.emit('}');
    // Both branches leave (return or break): so does the statement. A return reached on one
    // branch only is a labelled break at run time; straight-line results stay unset.
    return flows.length === 2 && flows.every((f) => f === 'exit') ? 'exit' : 'normal';
  }

  private forStmt(s: A.ForStatement, env: Env): Flow {
    const scope = env.child();
    if (s.init) {
      if (s.init.type === 'VariableDeclaration') this.stmt(s.init, scope);
      else this.effect(s.init as A.Expression, scope);
    }
    // A return inside an unrolled body is a labelled break (or ends the unrolling when reached in
    // straight-line code); break and continue need a real loop.
    const escapes = contains(s.body, ['BreakStatement', 'ContinueStatement']);
    if (!escapes && s.test) {
      // Unroll while the test stays known: a dry run of the tests decides, so nothing is emitted
      // for a loop that turns out to be residual.
      const plan = this.unrollCount(s, scope);
      if (plan !== null) {
        for (let i = 0; i < plan; i++) {
          this.expr(s.test, scope);
          if (this.stmt(s.body, scope.child()) === 'exit') return 'exit';
          if (s.update) this.effect(s.update, scope);
        }
        const end = this.expr(s.test, scope);
        if (end.k !== 'known' || end.v) throw new Unsupported('unrolled loop did not end where its dry run did');
        return 'normal';
      }
    }
    return this.loop(null, s.test ?? null, s.update ?? null, s.body, scope);
  }

  /**
   * How many times a `for` loop with a known counter runs, or null if that is not known at
   * specialisation time (or too many to unroll). Simulates only the counter: the test and the
   * update must read nothing the body assigns.
   */
  private unrollCount(s: A.ForStatement, env: Env): number | null {
    if (!s.test) return null;
    const bodyAssigns = assignedNames(s.body);
    const reads = new Set<string>();
    walk(s.test, (n) => {
      if (n.type === 'Identifier') reads.add((n as A.Identifier).name);
    });
    if (s.update) {
      walk(s.update, (n) => {
        if (n.type === 'Identifier') reads.add((n as A.Identifier).name);
      });
    }
    for (const r of reads) if (bodyAssigns.has(r)) return null;
    // Dry run on a throwaway emitter: the counter is known, so nothing is emitted that matters.
    const dry = new Specialiser(new Emitter('dry', this.em.round), this.resolverFor, this.constants);
    const copy = env.child();
    for (const name of reads) {
      const b = env.lookup(name);
      if (b) copy.declare(name, { mutable: b.mutable, val: b.val, local: b.local });
    }
    for (let i = 0; i <= MAX_UNROLL; i++) {
      let t: Val;
      try {
        t = dry.expr(s.test, copy);
      } catch (e) {
        if (e instanceof Unsupported) return null;
        throw e;
      }
      if (t.k !== 'known') return null;
      if (!t.v) return i;
      if (s.update) {
        try {
          dry.effect(s.update, copy);
        } catch (e) {
          if (e instanceof Unsupported) return null;
          throw e;
        }
      }
    }
    return null;
  }

  /** A loop kept as a loop: `L: while (true) { if (!test) break; body; update }`. */
  private loop(_init: null, test: A.Expression | null, update: A.Expression | null, body: A.Statement, env: Env): Flow {
    if (contains(body, ['ContinueStatement'])) throw new Unsupported('continue');
    const whole = { type: 'BlockStatement', start: 0, end: 0, body: [body, ...(test ? [test] : []), ...(update ? [update] : [])] } as unknown as A.Node;
    this.materialise(whole, env);
    const label = this.em.fresh('loop');
    this.loops.push(label);
    let lines: string[];
    try {
      lines = this.em.capture(() => {
        if (test) {
          const t = this.expr(test, env);
          this.em.emit(`if (!${this.em.code(t)}) break ${label};`);
        }
        this.stmt(body, env.child());
        if (update) this.effect(update, env);
      });
    } finally {
      this.loops.pop();
    }
    this.em.emit(`${label}: while (true) {`);
    for (const l of lines) this.em.emit(`  ${l}`);
    this.em.emit('}');
    return 'normal';
  }

  // ---- expressions with effects (statement level)

  private effect(e: A.Expression, env: Env): void {
    switch (e.type) {
      case 'AssignmentExpression': {
        const a = e as A.AssignmentExpression;
        const op = a.operator;
        let v = this.expr(a.right, env);
        if (op !== '=') {
          const cur = this.expr(a.left as A.Expression, env);
          v = this.binary(op.slice(0, -1), cur, v);
        }
        this.assign(a.left as A.Pattern, v, env);
        return;
      }
      case 'UpdateExpression': {
        const u = e as A.UpdateExpression;
        const cur = this.expr(u.argument, env);
        this.assign(u.argument as A.Pattern, this.binary(u.operator === '++' ? '+' : '-', cur, known(1)), env);
        return;
      }
      case 'CallExpression':
        this.expr(e, env);
        return;
      case 'SequenceExpression':
        for (const x of (e as A.SequenceExpression).expressions) this.effect(x, env);
        return;
      default:
        // An expression evaluated for nothing: evaluate it anyway (it may inline a call).
        this.expr(e, env);
    }
  }

  private assign(target: A.Pattern, v: Val, env: Env): void {
    if (target.type === 'Identifier') {
      const b = env.lookup(target.name);
      if (!b) throw new Unsupported(`assignment to free name ${target.name}`);
      if (!b.mutable) throw new Unsupported(`assignment to const ${target.name}`);
      if (b.local !== null) this.em.emit(`${b.local} = ${this.em.code(v)};`);
      else b.val = v;
      return;
    }
    if (target.type === 'MemberExpression') {
      const obj = this.expr(target.object as A.Expression, env);
      if (obj.k === 'record' && !target.computed && target.property.type === 'Identifier') {
        const f = Object.hasOwn(obj.fields, target.property.name) ? obj.fields[target.property.name] : undefined;
        if (!f || f.k !== 'cell') throw new Unsupported(`assignment to record field ${target.property.name}`);
        this.em.emit(`${f.local} = ${this.em.code(v)};`);
        return;
      }
      if (obj.k === 'known' && ArrayBuffer.isView(obj.v) && !this.constants.has(obj.v)) {
        // A store into a typed array the twin owns (scratch words): done at run time.
        const k = this.expr(target.property as A.Expression, env);
        if (!target.computed || (k.k !== 'known' && k.k !== 'temp')) throw new Unsupported('store into a typed array');
        this.em.emit(`${this.em.ref(obj.v)}[${this.em.code(k)}] = ${this.em.code(v)};`);
        return;
      }
      if (obj.k !== 'vec') throw new Unsupported('assignment to a member of something other than a state vector');
      const i = this.index(target, env);
      this.em.emit(`${obj.vec.set(i)} = ${this.em.code(v)};`);
      return;
    }
    throw new Unsupported(`assignment to ${target.type}`);
  }

  private index(m: A.MemberExpression, env: Env): number {
    if (!m.computed) throw new Unsupported('named member of a vector');
    const i = this.expr(m.property as A.Expression, env);
    if (i.k !== 'known' || typeof i.v !== 'number' || !Number.isInteger(i.v)) {
      throw new Unsupported('vector index not known at specialisation time');
    }
    return i.v;
  }

  // ---- expressions

  expr(e: A.Expression | A.Super | A.PrivateIdentifier, env: Env): Val {
    switch (e.type) {
      case 'Literal': {
        const v = (e as A.Literal).value;
        if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string' || v === null) return known(v);
        throw new Unsupported('regular expression or bigint literal');
      }
      case 'Identifier':
        return this.identifier((e as A.Identifier).name, env);
      case 'ParenthesizedExpression':
        return this.expr((e as unknown as { expression: A.Expression }).expression, env);
      case 'MemberExpression':
        return this.member(e as A.MemberExpression, env);
      case 'UnaryExpression': {
        const u = e as A.UnaryExpression;
        const a = this.expr(u.argument, env);
        if (a.k === 'known') {
          switch (u.operator) {
            case '-':
              return known(-(a.v as number));
            case '+':
              return known(+(a.v as number));
            case '!':
              return known(!a.v);
            case '~':
              return known(~(a.v as number));
            case 'typeof':
              return known(typeof a.v);
            case 'void':
              return known(undefined);
            default:
              throw new Unsupported(`unary ${u.operator}`);
          }
        }
        if (u.operator === 'typeof' || u.operator === 'delete' || u.operator === 'void') throw new Unsupported(`unary ${u.operator}`);
        return this.em.bind(`${u.operator}${this.em.code(a)}`);
      }
      case 'BinaryExpression': {
        const b = e as A.BinaryExpression;
        return this.binary(b.operator, this.expr(b.left as A.Expression, env), this.expr(b.right, env));
      }
      case 'LogicalExpression':
        return this.logical(e as A.LogicalExpression, env);
      case 'ConditionalExpression':
        return this.conditional(e as A.ConditionalExpression, env);
      case 'CallExpression':
        return this.callExpr(e as A.CallExpression, env);
      case 'SequenceExpression': {
        const xs = (e as A.SequenceExpression).expressions;
        let v: Val = known(undefined);
        for (const x of xs) v = this.expr(x, env);
        return v;
      }
      default:
        throw new Unsupported(`expression ${e.type}`);
    }
  }

  private identifier(name: string, env: Env): Val {
    const b = env.lookup(name);
    if (b) {
      if (b.local !== null) return this.em.bind(b.local);
      return b.val;
    }
    if (name === 'undefined') return known(undefined);
    if (name === 'NaN') return known(Number.NaN);
    if (name === 'Infinity') return known(Number.POSITIVE_INFINITY);
    if (name === 'Math') return known(Math);
    if (name === 'Number') return known(Number);
    const r = env.fn.resolve(name);
    if (!r) throw new Unsupported(`free name ${name} does not resolve`);
    return fromValue(r.value);
  }

  private member(m: A.MemberExpression, env: Env): Val {
    if (m.optional) throw new Unsupported('optional chaining');
    const obj = this.expr(m.object as A.Expression, env);
    if (obj.k === 'record') {
      if (m.computed || m.property.type !== 'Identifier') throw new Unsupported('computed member of a record');
      const f = Object.hasOwn(obj.fields, m.property.name) ? obj.fields[m.property.name] : undefined;
      if (!f) throw new Unsupported(`record has no field ${m.property.name}`);
      return f.k === 'cell' ? this.em.bind(f.local) : f;
    }
    if (obj.k === 'vec') {
      const el = obj.vec.get(this.index(m, env));
      if ('known' in el) return known(el.known);
      if ('temp' in el) return temp(el.temp);
      return this.em.bind(el.local);
    }
    if (obj.k !== 'known' || obj.v === null || (typeof obj.v !== 'object' && typeof obj.v !== 'function')) {
      throw new Unsupported('member of a value not known at specialisation time');
    }
    let key: unknown;
    if (m.computed) {
      const k = this.expr(m.property as A.Expression, env);
      if (k.k !== 'known') {
        // A table read at a run-time index (the per-step tables): index the object itself.
        if (!ArrayBuffer.isView(obj.v) && !Array.isArray(obj.v)) throw new Unsupported('computed member with an unknown key');
        return this.em.bind(`${this.em.ref(obj.v)}[${this.em.code(k)}]`);
      }
      key = k.v;
    } else {
      if (m.property.type !== 'Identifier') throw new Unsupported('private member');
      key = m.property.name;
    }
    if (typeof key !== 'string' && typeof key !== 'number') throw new Unsupported('member key');
    const holder = obj.v as Record<string | number, unknown>;
    // Own properties of known objects (Math's functions are own properties too); never the prototype chain.
    if (ArrayBuffer.isView(holder) && typeof key === 'number' && !this.constants.has(holder)) {
      // Typed arrays may be written at run time (scratch words, outputs): read them then.
      return this.em.bind(`${this.em.ref(holder)}[${key}]`);
    }
    if (!Object.hasOwn(holder, key)) {
      if ((Array.isArray(holder) || ArrayBuffer.isView(holder)) && key === 'length') return known((holder as unknown as { length: number }).length);
      // A plain object's absent key reads undefined, as long as nothing up the prototype chain has it.
      if (!(key in holder)) return known(undefined);
      throw new Unsupported(`no own property ${String(key)}`);
    }
    return fromValue(holder[key]);
  }

  binary(op: string, a: Val, b: Val): Val {
    if (a.k === 'known' && b.k === 'known') return known(foldBinary(op, a.v, b.v));
    // Identities exact for every double, -0, infinities and NaN included (x + 0 is not: -0 + 0 = +0).
    if (op === '*' && a.k === 'known' && a.v === 1 && b.k === 'temp') return b;
    if ((op === '*' || op === '/') && b.k === 'known' && b.v === 1 && a.k === 'temp') return a;
    if (op === '-' && b.k === 'known' && b.v === 0 && !Object.is(b.v, -0) && a.k === 'temp') return a;
    if (op === 'in' || op === 'instanceof') throw new Unsupported(op);
    return this.em.bind(`${this.em.code(a)} ${op} ${this.em.code(b)}`);
  }

  private logical(l: A.LogicalExpression, env: Env): Val {
    const a = this.expr(l.left, env);
    if (a.k === 'known') {
      const takeLeft = l.operator === '&&' ? !a.v : l.operator === '||' ? !!a.v : a.v !== null && a.v !== undefined;
      return takeLeft ? a : this.expr(l.right, env);
    }
    let b: Val = known(undefined);
    const lines = this.em.capture(() => {
      b = this.expr(l.right, env);
    });
    if (lines.length === 0) return this.em.bind(`${this.em.code(a)} ${l.operator} ${this.em.code(b)}`);
    // The right operand inlined statements: they run only when JavaScript would evaluate it.
    const t = this.em.fresh('l');
    const ac = this.em.code(a);
    const when = l.operator === '&&' ? ac : l.operator === '||' ? `!${ac}` : `${ac} === null || ${ac} === undefined`;
    this.em.emit(`let ${t} = ${ac};`);
    this.em.emit(`if (${when}) {`);
    for (const x of lines) this.em.emit(`  ${x}`);
    this.em.emit(`  ${t} = ${this.em.code(b)};`);
    this.em.emit('}');
    return this.em.bind(t);
  }

  private conditional(c: A.ConditionalExpression, env: Env): Val {
    const t = this.expr(c.test, env);
    if (t.k === 'known') return this.expr(t.v ? c.consequent : c.alternate, env);
    let x: Val = known(undefined);
    let y: Val = known(undefined);
    const xl = this.em.capture(() => {
      x = this.expr(c.consequent, env);
    });
    const yl = this.em.capture(() => {
      y = this.expr(c.alternate, env);
    });
    const tc = this.em.code(t);
    if (xl.length === 0 && yl.length === 0) return this.em.bind(`${tc} ? ${this.em.code(x)} : ${this.em.code(y)}`);
    const v = this.em.fresh('c');
    this.em.emit(`let ${v};`);
    this.em.emit(`if (${tc}) {`);
    for (const l of xl) this.em.emit(`  ${l}`);
    this.em.emit(`  ${v} = ${this.em.code(x)};`);
    this.em.emit('} else {');
    for (const l of yl) this.em.emit(`  ${l}`);
    this.em.emit(`  ${v} = ${this.em.code(y)};`);
    this.em.emit('}');
    return this.em.bind(v);
  }

  private callExpr(c: A.CallExpression, env: Env): Val {
    if (c.optional) throw new Unsupported('optional call');
    const callee = this.expr(c.callee as A.Expression, env);
    const args = c.arguments.map((a) => {
      if (a.type === 'SpreadElement') throw new Unsupported('spread argument');
      return this.expr(a, env);
    });
    if (callee.k === 'round') {
      const a = args[0] ?? known(undefined);
      if (a.k === 'known') return known(this.em.round(a.v as number));
      return this.em.f32 ? this.em.bind(`Math.fround(${this.em.code(a)})`) : a;
    }
    if (callee.k !== 'known' || typeof callee.v !== 'function') throw new Unsupported('call of something not known to be a function');
    const f = callee.v as (...xs: unknown[]) => unknown;
    const builtin = PURE_BUILTINS.get(f);
    if (builtin) {
      if (args.every((a) => a.k === 'known' && typeof a.v === 'number')) return known(f(...args.map((a) => (a as { v: unknown }).v)));
      return this.em.bind(`${builtin}(${args.map((a) => this.em.code(a)).join(', ')})`);
    }
    return this.invoke(f as (...args: never[]) => unknown, args, env.fn.depth + 1);
  }

  /**
   * A call of a known function: inlined, transactionally (on Unsupported nothing it emitted stays),
   * or else called as it is, with the reason recorded in `fallbacks`.
   */
  invoke(fn: (...args: never[]) => unknown, args: readonly Val[], depth = 0): Val {
    let result: Val = known(undefined);
    let failure: Unsupported | null = null;
    const lines = this.em.capture(() => {
      try {
        result = this.call(fn, args, this.resolverFor(fn), depth);
      } catch (e) {
        if (!(e instanceof Unsupported)) throw e;
        failure = e;
      }
    });
    if (!failure) {
      for (const l of lines) this.em.emit(l);
      return result;
    }
    this.fallbacks.push(`${fn.name || 'anonymous'}: ${(failure as Unsupported).message}`);
    return this.opaque(fn, args);
  }

  /** Calls the function itself: arrays spilled to memory around the call, the result in a temp. */
  private opaque(f: (...args: never[]) => unknown, args: readonly Val[]): Val {
    const after: string[] = [];
    const codes = args.map((a) => {
      if (a.k === 'round') return this.em.ref(this.em.round);
      if (a.k === 'vec') {
        const s = a.vec.spill();
        for (const l of s.before) this.em.emit(l);
        after.push(...s.after);
        return s.ref;
      }
      if (a.k === 'known' && a.v !== null && (typeof a.v === 'object' || typeof a.v === 'function')) return this.em.ref(a.v);
      if (a.k === 'record' || a.k === 'cell') throw new Unsupported(`a ${a.k} passed to a function that is not inlined`);
      return this.em.code(a);
    });
    const t = this.em.fresh('o');
    this.em.emit(`const ${t} = ${this.em.ref(f)}(${codes.join(', ')});`);
    for (const l of after) this.em.emit(l);
    return temp(t);
  }
}

/** A runtime value as an evaluation value. */
export function fromValue(v: unknown): Val {
  return known(v);
}

/** A binary operator on known operands, exactly as JavaScript evaluates it at run time. */
function foldBinary(op: string, a: unknown, b: unknown): unknown {
  const x = a as number;
  const y = b as number;
  switch (op) {
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '/':
      return x / y;
    case '%':
      return x % y;
    case '**':
      return x ** y;
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    case '>=':
      return x >= y;
    case '==':
      // biome-ignore lint: the twin's own operator, folded as written
      return a == b;
    case '!=':
      // biome-ignore lint: the twin's own operator, folded as written
      return a != b;
    case '===':
      return a === b;
    case '!==':
      return a !== b;
    case '&':
      return x & y;
    case '|':
      return x | y;
    case '^':
      return x ^ y;
    case '<<':
      return x << y;
    case '>>':
      return x >> y;
    case '>>>':
      return x >>> y;
    default:
      throw new Unsupported(`operator ${op}`);
  }
}
