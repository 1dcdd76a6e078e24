/**
 * PyTorch code pasted into the page, read as basinlab's optimiser and schedule: the lines a user
 * already has,
 *
 *   optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.999), weight_decay=1e-2)
 *   scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=100, eta_min=1e-5)
 *
 * Keyword arguments become the spec's fields under torch's own names (the registry uses them), so
 * what torch would refuse the spec reader refuses, naming the field and its range. Read: Python
 * literals (numbers, True, False, None, strings, tuples and lists of them), calls of torch.optim's
 * classes (qualified or not), variables that name a scheduler made earlier (SequentialLR's and
 * ChainedScheduler's lists), an optimiser's lr by position (its second parameter in every torch
 * version). Not guessed: any other positional argument after the parameters or the optimiser
 * (torch's order differs from class to class; "write it as name=value" says how), a lambda
 * (LambdaLR is not in basinlab), any other expression. A class name one slip from torch's
 * (`torch.optim.adam`) is answered with "did you mean Adam?". Also read, for a network view: the
 * nn.Sequential the optimiser trains (its Linear widths, activation and bias become the view's
 * network where basinlab has such a model and it fits the data set: pasteInto), and a DataLoader's
 * batch_size (network.batch_size, torch's default 1 where none is given). Every other statement is
 * left out and counted by kind in a note: nothing pasted goes without a word. DOM-free; the spec
 * controller applies what this returns.
 */
import { findOptimizer, findSchedule, findSurface } from '../core/registry/index.ts';
import { findDataSet } from '../core/data/index.ts';
import type { DataDef } from '../core/data/types.ts';
import { OPTIMIZERS } from '../core/registry/optimizers/index.ts';
import { SCHEDULES } from '../core/registry/schedules/index.ts';
import type { ParamSchema } from '../core/params.ts';
import type { AnySpec } from '../core/spec.ts';
import { SpecErrors } from '../core/errors.ts';
import { fieldHint, groupScheduleOverrides, netTrainRows, parseAnySpec, parseNetSpec, parseSpec, scheduleGroupLists, ungroupedTensors } from '../core/spec.ts';
import { makePlan } from '../core/plan.ts';
import { scheduleCurve } from '../core/steps.ts';
import { axesMovedText, axisPaths, entriesView, fitAxes, getAt, parsedNet, problemOf, retargetUnreachedAxes, rowsRestored, switchOptimizer, switchSchedule, tidy } from './spec-edit.ts';
import { shortParam } from '../view/caption.ts';
import { isRecord } from '../core/json.ts';
import { formatNumber } from '../view/ticks.ts';

type Value = number | string | boolean | null | readonly Value[] | Call | Ref | Dict | Expr;

interface Call {
  readonly kind: 'call';
  readonly name: string;
  readonly args: readonly Value[];
  readonly kwargs: ReadonlyMap<string, Value>;
}

interface Ref {
  readonly kind: 'ref';
  readonly name: string;
}

/** A dict literal with string keys: a param group (`{'params': …, 'lr': 0.1}`). */
interface Dict {
  readonly kind: 'dict';
  readonly entries: ReadonlyMap<string, Value>;
}

/** An expression that is no literal (`model.layers[0].parameters()`), kept as its text: a param group's tensors. */
interface Expr {
  readonly kind: 'expr';
  readonly text: string;
  /**
   * The line of a statement the reader could not read (`acc = (pred == y).float().mean()`), which a
   * name it assigns is bound to: a later use of the name is refused, naming the line, never read as
   * whatever part of it parsed.
   */
  readonly unread?: number;
}

export interface TorchCode {
  /** `{ name, ...keyword arguments }`, or null when the code makes no optimiser. */
  readonly optimizer: Record<string, unknown> | null;
  /** The last scheduler made (with its children), or null. */
  readonly schedule: Record<string, unknown> | null;
  /** The nn.Sequential the optimiser trains, as read (pasteInto matches it to the view's data), or null where the code makes none. */
  readonly model: PastedModel | null;
  /** The training DataLoader's batch size, as read, or null where the code makes no DataLoader. */
  readonly loader: PastedLoader | null;
  /** What was read but has no effect here, one sentence each (e.g. foreach=True). */
  readonly notes: readonly string[];
}

/** A problem with the pasted code: line and column, and what to write instead. */
export class TorchCodeError extends Error {}

/** Keyword arguments that choose torch's implementation, not its arithmetic: read and left out. */
const IMPLEMENTATION = new Set(['foreach', 'fused', 'capturable', 'differentiable', 'verbose', 'last_epoch']);

type Token = { readonly t: 'name' | 'num' | 'str' | 'op'; readonly v: string; readonly line: number; readonly col: number };

function tokens(text: string): Token[] {
  const out: Token[] = [];
  // Any other punctuation (`/`, `<`, `%`, `@`, `;`) is an op the parser cannot read: the statement
  // holding it is left out and counted where nothing read depends on it, refused where something
  // does (review 28: the tokenizer refused the whole cell over `loss / accum_steps` in a loop body).
  const re = /\s+|#[^\n]*|(\.?[A-Za-z_][\w.]*)|((?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?)|('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")|([()[\],=\-+*:{}]|[^\s\w])/y;
  let line = 1;
  let lineStart = 0;
  for (let at = 0; at < text.length; ) {
    re.lastIndex = at;
    const m = re.exec(text);
    const col = at - lineStart + 1;
    if (!m) throw new TorchCodeError(`line ${line}, column ${col}: cannot read ${JSON.stringify(text.slice(at, at + 12))}`);
    if (m[1] !== undefined) out.push({ t: 'name', v: m[1], line, col });
    else if (m[2] !== undefined) out.push({ t: 'num', v: m[2].replace(/_/g, ''), line, col });
    else if (m[3] !== undefined) out.push({ t: 'str', v: m[3].slice(1, -1), line, col });
    else if (m[4] !== undefined) out.push({ t: 'op', v: m[4], line, col });
    for (let k = at; k < re.lastIndex; k++) {
      if (text[k] === '\n') {
        line++;
        lineStart = k + 1;
      }
    }
    at = re.lastIndex;
  }
  return out;
}

/**
 * The `for` and `while` headers enclosing 1-based line `line` of `lines`, innermost first, as line
 * numbers: each a line less indented than everything between it and `line` (Python's blocks).
 */
export function enclosingLoops(lines: readonly string[], line: number): number[] {
  const indent = (t: string): number => t.length - t.trimStart().length;
  const at = lines[line - 1];
  if (at === undefined) return [];
  let limit = indent(at);
  const out: number[] = [];
  for (let k = line - 2; k >= 0 && limit > 0; k--) {
    const t = lines[k] as string;
    if (t.trim() === '' || t.trimStart().startsWith('#')) continue;
    const i = indent(t);
    if (i >= limit) continue;
    limit = i;
    if (/^(?:async\s+)?(?:for|while)\b/.test(t.trimStart())) out.push(k + 1);
  }
  return out;
}

/** The class name torch code qualifies (torch.optim.Adam, optim.lr_scheduler.StepLR): its last part. */
/** timm's own spelling of the optimisers basinlab has from timm (timm.optim.Lars, timm.optim.Lamb: review 26). */
const TIMM_NAMES: Readonly<Record<string, string>> = { Lars: 'LARS', Lamb: 'LAMB' };

function className(dotted: string): string {
  const id = dotted.slice(dotted.lastIndexOf('.') + 1);
  return Object.hasOwn(TIMM_NAMES, id) ? (TIMM_NAMES[id] as string) : id;
}

class Parser {
  private at = 0;
  /** The brackets open where the parser is, innermost last: a message names the one left unclosed. */
  private readonly open: Token[] = [];
  constructor(private readonly toks: readonly Token[]) {}

  private where(tok: Token | undefined = this.toks[this.at]): string {
    const last = this.toks.at(-1);
    return tok ? `line ${tok.line}, column ${tok.col}` : `at the end of the code${last ? ` (line ${last.line})` : ''}`;
  }

  /**
   * Where an unclosed bracket is the likelier fault (walkthrough 15: a missing ")" was reported as
   * "at the end: expected ","", naming no line): the innermost open one, when the code ends inside
   * it or the parser stopped on a later line than it opened on.
   */
  private unclosed(): string {
    const inner = this.open.at(-1);
    const tok = this.toks[this.at];
    if (!inner || (tok && tok.line === inner.line)) return '';
    // Only where it never closes: a multi-line call with a fault inside closes later (review 22).
    let depth = 0;
    for (const t of this.toks.slice(this.at)) {
      if (t.t !== 'op') continue;
      if (t.v === '(' || t.v === '[' || t.v === '{') depth++;
      else if ((t.v === ')' || t.v === ']' || t.v === '}') && --depth < 0) return '';
    }
    return `; the "${inner.v}" at line ${inner.line}, column ${inner.col} is not closed`;
  }

  /** Opens a bracket at the current token, runs `body` inside it, and closes it. */
  private within<T>(body: () => T): T {
    this.open.push(this.toks[this.at] as Token);
    this.at++;
    const out = body();
    this.open.pop();
    return out;
  }

  private peek(v?: string): Token | undefined {
    const tok = this.toks[this.at];
    return v === undefined || (tok && tok.t === 'op' && tok.v === v) ? tok : undefined;
  }

  private expect(v: string): void {
    if (!this.peek(v)) throw new TorchCodeError(`${this.where()}: expected "${v}"${this.unclosed()}`);
    this.at++;
  }

  done(): boolean {
    return this.at >= this.toks.length;
  }

  /** The line the next statement starts on (for a message about the whole statement). */
  line(): number {
    return this.toks[this.at]?.line ?? this.toks.at(-1)?.line ?? 1;
  }

  /** The column the next statement starts at: its indentation (a loop's body is indented deeper than its header). */
  col(): number {
    return this.toks[this.at]?.col ?? 1;
  }

  /** Where the parser is, to come back to with skipLine. */
  mark(): number {
    return this.at;
  }

  /** The next token, as a message quotes it and where it is, or null at the end. */
  next(): { readonly text: string; readonly where: string } | null {
    const tok = this.toks[this.at];
    return tok ? { text: tok.v, where: this.where(tok) } : null;
  }

  /**
   * Whether the statement just read goes on on its own line: `a * b` read as `a`, an operator
   * next (Python puts no two statements on one line without ";", which the reader does not read).
   */
  continues(): boolean {
    const prev = this.toks[this.at - 1];
    const next = this.toks[this.at];
    return prev !== undefined && next !== undefined && next.line === prev.line;
  }

  /**
   * Skips the logical line that starts at token `from` (Python's: it ends at a line break outside
   * any bracket), for a statement the reader does not read; false, moving nowhere, where a bracket in
   * it is never closed (the code's fault, which the caller reports).
   */
  skipLine(from: number): boolean {
    let depth = 0;
    let k = from;
    for (; k < this.toks.length; k++) {
      const t = this.toks[k] as Token;
      const prev = this.toks[k - 1];
      if (k > from && depth === 0 && prev !== undefined && t.line > prev.line) break;
      if (t.t === 'op' && (t.v === '(' || t.v === '[' || t.v === '{')) depth++;
      else if (t.t === 'op' && (t.v === ')' || t.v === ']' || t.v === '}')) depth = Math.max(0, depth - 1);
    }
    if (depth > 0) return false;
    this.at = k;
    // A failed parse inside brackets left them on the stack.
    this.open.length = 0;
    return true;
  }

  /** Where the last statement's value starts (pastValueStart). */
  private valueAt = 0;

  /** `[name =] value`: an assignment or a bare expression. */
  statement(): { target: string | null; value: Value } {
    const target = this.targetAt(this.at);
    if (target !== null) this.at += 2;
    this.valueAt = this.at;
    return { target, value: this.value() };
  }

  /** The name a statement starting at token `from` assigns (`name = …`), or null. */
  targetAt(from: number): string | null {
    const a = this.toks[from];
    const b = this.toks[from + 1];
    return a?.t === 'name' && b?.t === 'op' && b.v === '=' ? a.v : null;
  }

  /** The name the next statement's value starts with (`SGD` of `opt = SGD(…)`), or null. */
  callee(): string | null {
    const tok = this.toks[this.at + (this.targetAt(this.at) === null ? 0 : 2)];
    return tok?.t === 'name' ? tok.v : null;
  }

  /**
   * Whether the last statement failed past its value's first token: its value started as something
   * the reader reads (`acc = (pred == …`), where `x = *` did not start at all (a fault of the code).
   */
  pastValueStart(): boolean {
    return this.at > this.valueAt;
  }

  value(): Value {
    const tok = this.toks[this.at];
    if (!tok) throw new TorchCodeError(`the code ends in the middle of an expression${this.unclosed()}`);
    if (tok.t === 'op' && tok.v === ',') throw new TorchCodeError(`${this.where(tok)}: an empty place (two commas, or a comma with nothing before it)`);
    if (tok.t === 'op' && (tok.v === '-' || tok.v === '+')) {
      this.at++;
      const v = this.value();
      if (typeof v !== 'number') throw new TorchCodeError(`${this.where(tok)}: "${tok.v}" before something that is not a number`);
      return tok.v === '-' ? -v : v;
    }
    if (tok.t === 'num') {
      this.at++;
      const v = Number(tok.v);
      if (!Number.isFinite(v)) throw new TorchCodeError(`${this.where(tok)}: ${tok.v} is not a number`);
      return v;
    }
    if (tok.t === 'str') {
      this.at++;
      return tok.v;
    }
    if (tok.t === 'op' && (tok.v === '(' || tok.v === '[')) {
      const close = tok.v === '(' ? ')' : ']';
      return this.within(() => {
        const items: Value[] = [];
        while (!this.peek(close)) {
          items.push(this.value());
          if (!this.peek(close)) this.expect(',');
        }
        this.at++;
        return items;
      });
    }
    if (tok.t === 'op' && tok.v === '{') {
      return this.within(() => {
        const entries = new Map<string, Value>();
        while (!this.peek('}')) {
          const k = this.toks[this.at];
          if (k?.t !== 'str') throw new TorchCodeError(`${this.where(k)}: a dict's keys must be strings ('params', 'lr', …)${this.unclosed()}`);
          this.at++;
          this.expect(':');
          if (entries.has(k.v)) throw new TorchCodeError(`${this.where(k)}: ${k.v} is given twice`);
          entries.set(k.v, this.value());
          if (!this.peek('}')) this.expect(',');
        }
        this.at++;
        return { kind: 'dict', entries } as const;
      });
    }
    if (tok.t === 'name' && tok.v.startsWith('.')) throw new TorchCodeError(`${this.where(tok)}: cannot read "${tok.v}" here`);
    if (tok.t === 'name') {
      this.at++;
      if (tok.v === 'True') return true;
      if (tok.v === 'False') return false;
      if (tok.v === 'None') return null;
      if (tok.v === 'lambda') throw new TorchCodeError(`${this.where(tok)}: a lambda cannot be read (LambdaLR and MultiplicativeLR are not in basinlab)`);
      if (!this.peek('(')) return this.postfix({ kind: 'ref', name: tok.v }, tok.v);
      const args: Value[] = [];
      const kwargs = new Map<string, Value>();
      this.within(() => {
        while (!this.peek(')')) {
          const k = this.toks[this.at];
          const eq = this.toks[this.at + 1];
          if (k?.t === 'op' && k.v === ',') throw new TorchCodeError(`${this.where(k)}: an empty argument (two commas)`);
          if (k?.t === 'name' && eq?.t === 'op' && eq.v === '=') {
            this.at += 2;
            if (kwargs.has(k.v)) throw new TorchCodeError(`${this.where(k)}: ${k.v} is given twice`);
            kwargs.set(k.v, this.value());
          } else {
            if (kwargs.size > 0) throw new TorchCodeError(`${this.where(k)}: a positional argument after a keyword argument${this.unclosed()}`);
            args.push(this.value());
          }
          if (!this.peek(')')) this.expect(',');
        }
        this.at++;
      });
      return this.postfix({ kind: 'call', name: tok.v, args, kwargs }, `${tok.v}(…)`);
    }
    throw new TorchCodeError(`${this.where(tok)}: cannot read "${tok.v}" here`);
  }

  /**
   * Indexing, attributes and calls after a name or a call (`model.layers[0].parameters()`): an
   * expression kept as its text (calls' arguments as "…" unless empty), read only where a param
   * group names its tensors. `v` itself when nothing follows.
   */
  private postfix(v: Ref | Call, text: string): Value {
    let out = text;
    let more = false;
    for (;;) {
      const tok = this.toks[this.at];
      if (this.peek('[')) {
        this.at++;
        const i = this.value();
        this.expect(']');
        out += `[${typeof i === 'number' || typeof i === 'string' ? JSON.stringify(i) : '…'}]`;
      } else if (tok?.t === 'name' && tok.v.startsWith('.')) {
        this.at++;
        out += tok.v;
      } else if (more && this.peek('(')) {
        const open = this.toks[this.at] as Token;
        this.at++;
        let depth = 1;
        let empty = true;
        for (; depth > 0; this.at++) {
          const t = this.toks[this.at];
          if (!t) throw new TorchCodeError(`the code ends in the middle of an expression; the "(" at line ${open.line}, column ${open.col} is not closed`);
          if (t.t === 'op' && t.v === '(') depth++;
          else if (t.t === 'op' && t.v === ')') depth--;
          if (depth > 0) empty = false;
        }
        out += empty ? '()' : '(…)';
      } else {
        // A module's methods that return the module itself (`nn.Sequential(…).to(device)`): the call
        // stands (review 23: a Sequential moved to a device was no longer read as one).
        if (v.kind === 'call' && SELF_RETURNING.test(out.slice(text.length))) return v;
        return more ? { kind: 'expr', text: out } : v;
      }
      more = true;
    }
  }
}

/**
 * A literal as Python writes it ('min', True, None, [30, 60]), for a message that quotes it; "…" for
 * anything else (a call, a name, an expression). Walkthrough 19: ReduceLROnPlateau(optimizer, 'min')
 * was answered with "positional argument 2 (…)".
 */
function pythonText(v: Value): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v === null) return 'None';
  if (typeof v === 'string') return v.includes("'") && !v.includes('"') ? `"${v}"` : `'${v}'`;
  if (Array.isArray(v)) {
    const items = (v as readonly Value[]).map(pythonText);
    return items.includes('…') || items.join(', ').length > 60 ? '…' : `[${items.join(', ')}]`;
  }
  return '…';
}

/** Calls of nn.Module's that return the module (`.to(device)`, `.cuda()`, `.double()`, `.train()`), one or more. */
const SELF_RETURNING = /^(?:\.(?:to|cuda|cpu|double|float|half|bfloat16|train|eval|requires_grad_)\((?:…)?\))+$/;

function isCall(v: Value): v is Call {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as Call).kind === 'call';
}

function isDict(v: Value): v is Dict {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as Dict).kind === 'dict';
}

function isExpr(v: Value): v is Expr {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as Expr).kind === 'expr';
}

/** How basinlab's model names its layers in torch code: `….layers[k]`, the k-th Linear layer, input side first. */
const LAYER_PARAMS = /(?:^|\.)layers\[(\d+)\]\.parameters\(\)$/;
const LAYER_TENSOR = /(?:^|\.)layers\[(\d+)\]\.(weight|bias)$/;

/**
 * The Sequential models the pasted code makes (`model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(),
 * nn.Linear(8, 3))`), by name: for each of its indices, the Linear layer it is (basinlab's
 * `layers.k`, counted input side first), or null for any other module (an activation, or one
 * basinlab's models do not have), with each module's class name for messages.
 */
type Sequentials = ReadonlyMap<string, { readonly modules: readonly string[]; readonly layers: readonly (number | null)[] }>;

const SEQ_PARAMS = /^(\w+)\[(-?\d+)\]\.parameters\(\)$/;
const SEQ_TENSOR = /^(\w+)\[(-?\d+)\]\.(weight|bias)$/;

/** Modules without parameters that basinlab's models hold between their Linear layers. */
const ACTIVATIONS = new Set(['ReLU', 'Tanh', 'GELU', 'Identity', 'Sigmoid', 'LeakyReLU', 'ELU', 'SiLU', 'Softmax', 'LogSoftmax', 'Dropout', 'Flatten']);

/** A Sequential's module as basinlab's layer (`layers.1`, `layers.1.weight`), null where `text` indexes no Sequential made here; throws for a module that is no Linear layer. */
function sequentialTensor(text: string, seqs: Sequentials, what: string): string | null {
  const m = SEQ_PARAMS.exec(text) ?? SEQ_TENSOR.exec(text);
  const seq = m ? seqs.get(m[1] as string) : undefined;
  if (!m || !seq) return null;
  const given = Number(m[2]);
  // Python's negative index counts from the end (model[-1]: the last module).
  const i = given < 0 ? seq.modules.length + given : given;
  const k = seq.layers[i];
  if (k === undefined) throw new TorchCodeError(`${what}: ${m[1]}[${given}] is past the end of ${m[1]}, which holds ${seq.modules.length} modules`);
  if (k === null) {
    const module = seq.modules[i] ?? 'this module';
    const at = seq.layers.flatMap((x, j) => (x === null ? [] : [`[${j}]`]));
    const where = at.length > 0 ? `its Linear layers are at ${at.join(', ')}` : 'it holds no nn.Linear(…) written in the paste';
    throw new TorchCodeError(
      ACTIVATIONS.has(module)
        ? `${what}: ${m[1]}[${given}] is ${module}, which has no parameters to train (${where})`
        : `${what}: ${m[1]}[${given}] is ${module}, not a Linear layer: basinlab's models are Linear layers and activations (${where})`,
    );
  }
  return `layers.${k}${m[3] ? `.${m[3]}` : ''}`;
}

/**
 * torch's activation modules that basinlab's network has, by class, as its `network.activation`
 * (core/network/schema.ts: tanh, relu, gelu, identity; a unit test holds the two lists together).
 */
const ACTIVATION_OF: Readonly<Record<string, string>> = { Tanh: 'tanh', ReLU: 'relu', GELU: 'gelu', Identity: 'identity' };

const LAYER_WORDS = "basinlab's networks are nn.Linear layers with one activation between them: nn.Tanh, nn.ReLU, nn.GELU or nn.Identity";

/** A pasted `nn.Sequential(…)` as basinlab's network, or why it cannot be one. */
export interface PastedModel {
  /** The name it is assigned to (`model`). */
  readonly name: string;
  /** Its Linear layers' widths, input side first (4, 16, 16, 3), where each is read and they chain; null otherwise. */
  readonly sizes: readonly number[] | null;
  /** Its activation modules between Linear layers, by torch's class name, each once (Tanh), for messages. */
  readonly activations: readonly string[];
  /** basinlab's network as it gives it (hidden widths, activation, bias), or null where it cannot be one (`why`). */
  readonly network: { readonly hidden: readonly number[]; readonly activation: string; readonly bias: boolean } | null;
  /** Why it cannot be basinlab's network, '' where it can. */
  readonly why: string;
}

/** The batch size a pasted `DataLoader(…)` gives, or why it is not read. */
export interface PastedLoader {
  /** How the code gives it, for messages: "DataLoader(batch_size=32)", "DataLoader without batch_size". */
  readonly text: string;
  /** network.batch_size as torch has it: a number (torch's default 1 where none is given), null for the whole set (batch_size=len(dataset)). */
  readonly batchSize: unknown;
  /** Whether the code gives no batch_size, so that torch's default (1) is taken. */
  readonly defaulted: boolean;
  /** Why it is not read, '' where it is. */
  readonly why: string;
}

/** The model a pasted text gives in a message: "4–16–16–3, Tanh". */
function modelWords(m: PastedModel): string {
  return `${m.sizes ? m.sizes.join('–') : `${m.name} = nn.Sequential(…)`}${m.activations.length > 0 ? `, ${m.activations.join(', ')}` : ''}`;
}

/**
 * A pasted `nn.Sequential(…)` read as basinlab's network: Linear layers whose widths chain, one
 * activation basinlab has between each two (none between two Linear layers is nn.Identity: their
 * product is linear), the same everywhere, no activation before the first Linear layer or after the
 * last (basinlab's loss takes the last layer's outputs: CrossEntropyLoss's logits), and every layer
 * with a bias or none (one flag in the schema). nn.Identity and nn.Flatten() (a no-op on the data's
 * rows) may stand anywhere. Anything else is not basinlab's network: `why` names the first cause
 * found, and `sizes` and `activations` still say what was read, for the message.
 */
function modelOf(name: string, c: Call, deref: (v: Value) => Value, read: (v: Value, what: string) => unknown): PastedModel {
  let why = c.kwargs.size > 0 ? "nn.Sequential's modules are read by position (an OrderedDict is not read)" : '';
  const because = (w: string): void => {
    if (why === '') why = w;
  };
  const linears: { readonly inF: number | null; readonly outF: number | null; readonly bias: unknown; readonly text: string }[] = [];
  // The activations before the first Linear layer, between each two, and after the last.
  const gaps: string[][] = [[]];
  const int = (v: Value | undefined, what: string): number | null => {
    if (v === undefined) {
      because(`${what} is not given`);
      return null;
    }
    try {
      const x = read(v, what);
      if (typeof x === 'number' && Number.isInteger(x) && x >= 1) return x;
      because(`${what} is ${pythonText(v)}, not a width`);
    } catch (e) {
      if (!(e instanceof TorchCodeError)) throw e;
      because(e.message);
    }
    return null;
  };
  c.args.forEach((arg, i) => {
    const m = deref(arg);
    if (!isCall(m)) {
      because(`its module ${i} (${valueText(arg)}) is not a module made in the paste`);
      return;
    }
    const id = className(m.name);
    // As torch code names it: nn.Dropout however qualified (torch.nn.Dropout), a bare name as written.
    const shown = m.name.split('.').includes('nn') ? `nn.${id}` : m.name;
    const extra = (allowed: readonly string[], positional: number): void => {
      const k = [...m.kwargs.keys()].find((x) => !allowed.includes(x));
      if (k !== undefined) because(`${shown}'s ${k}=… is not read`);
      else if (m.args.length > positional) because(`${shown}'s positional argument ${positional + 1} is not read`);
    };
    if (id === 'Linear') {
      extra(['in_features', 'out_features', 'bias', 'device', 'dtype'], 3);
      const inF = int(argOf(m, 'in_features', 0), 'nn.Linear(in_features=…)');
      const outF = int(argOf(m, 'out_features', 1), 'nn.Linear(out_features=…)');
      const given = argOf(m, 'bias', 2);
      let bias: unknown = true;
      if (given !== undefined) {
        try {
          bias = read(given, 'nn.Linear(bias=…)');
        } catch (e) {
          if (!(e instanceof TorchCodeError)) throw e;
          because(e.message);
        }
      }
      if (typeof bias !== 'boolean') because(`nn.Linear(bias=${pythonText(given ?? null)}) is not True or False`);
      linears.push({ inF, outF, bias, text: `nn.Linear(${inF ?? '…'}, ${outF ?? '…'})` });
      gaps.push([]);
    } else if (Object.hasOwn(ACTIVATION_OF, id)) {
      if (id === 'ReLU') extra(['inplace'], 1);
      else if (id === 'Tanh') extra([], 0);
      else if (id === 'GELU') {
        extra(['approximate'], 1);
        const approx = argOf(m, 'approximate', 0);
        // basinlab's gelu is torch's default, the exact erf form (model.ts).
        if (approx !== undefined && approx !== 'none') because(`nn.GELU(approximate=${pythonText(approx)}) is not basinlab's gelu, which is torch's exact erf form (approximate='none')`);
      }
      (gaps.at(-1) as string[]).push(id);
    } else if (id === 'Flatten') {
      // Flatten(start_dim=1) keeps a batch of rows as it is; another start_dim would not.
      extra(['start_dim', 'end_dim'], 0);
      const start = m.kwargs.get('start_dim');
      if (start !== undefined && start !== 1) because(`nn.Flatten(start_dim=${pythonText(start)}) is not read`);
    } else {
      because(`${shown} is not a basinlab layer (${LAYER_WORDS})`);
    }
  });
  if (linears.length === 0) because('it holds no nn.Linear layer');
  linears.forEach((l, k) => {
    const prev = linears[k - 1];
    if (prev && prev.outF !== null && l.inF !== null && prev.outF !== l.inF) because(`${l.text} follows a layer of ${prev.outF} outputs, which torch refuses`);
  });
  const known = linears.every((l) => l.inF !== null && l.outF !== null) && linears.every((l, k) => k === 0 || l.inF === linears[k - 1]?.outF);
  const sizes = linears.length > 0 && known ? [linears[0]?.inF as number, ...linears.map((l) => l.outF as number)] : null;
  const acting = (g: readonly string[]): string[] => g.filter((a) => a !== 'Identity');
  const first = acting(gaps[0] ?? [])[0];
  if (first !== undefined) because(`it starts with nn.${first}, before its first Linear layer, where basinlab's network starts with a Linear layer`);
  const last = linears.length > 0 ? acting(gaps.at(-1) ?? [])[0] : undefined;
  if (last !== undefined) because(`it ends with nn.${last}, after its last Linear layer, where basinlab's network ends with a Linear layer (the loss takes its outputs as they are: CrossEntropyLoss's logits)`);
  // Between the Linear layers: one activation each (none, or only nn.Identity, is identity).
  const between = gaps.slice(1, -1).map((g) => {
    const a = acting(g);
    if (a.length > 1) because(`nn.${a[0]} and nn.${a[1]} follow each other between two Linear layers, where basinlab has one activation`);
    return a[0] ?? 'Identity';
  });
  const kinds = [...new Set(between)];
  if (kinds.length > 1) because(`its activations differ (${between.map((a) => `nn.${a}`).join(', ')}), where basinlab's hidden layers share one`);
  const biases = new Set(linears.map((l) => l.bias));
  if (biases.size > 1) because("some of its Linear layers have bias=False and some a bias, where basinlab's layers all have one or none");
  const activations = [...new Set(gaps.slice(1, -1).flatMap((g) => (acting(g).length > 0 ? acting(g) : g)))];
  const network = why === '' && sizes ? { hidden: sizes.slice(1, -1), activation: ACTIVATION_OF[kinds[0] ?? 'Identity'] ?? 'identity', bias: linears[0]?.bias === true } : null;
  return { name, sizes, activations, network, why };
}

/** A call's argument by keyword or at its place: Python's None given by keyword stays None (`??` would take the place's). */
function argOf(c: Call, key: string, at: number): Value | undefined {
  return c.kwargs.has(key) ? c.kwargs.get(key) : c.args[at];
}

/**
 * A value as the message about a statement quotes it: a call by its name (`criterion(…)`), a name,
 * an expression's text, a literal as Python writes it.
 */
function valueText(v: Value): string {
  if (isCall(v)) {
    // Names and numbers written out (`len(ds)`, `nn.Linear(4, 16)`), anything longer as "…".
    const plain = v.kwargs.size === 0 && v.args.every((a) => isRef(a) || typeof a === 'number' || typeof a === 'string');
    const args = v.args.map(valueText).join(', ');
    return `${v.name}(${v.args.length + v.kwargs.size === 0 ? '' : plain && args.length <= 24 ? args : '…'})`;
  }
  if (isRef(v)) return v.name;
  if (isExpr(v)) return v.text;
  if (isDict(v)) return '{…}';
  return pythonText(v);
}

/**
 * The batch size a pasted `DataLoader(dataset, batch_size=…)` gives, as torch reads it: batch_size by
 * keyword or second by position (torch's order in every version), torch's default 1 where none is
 * given, `len(dataset)` (the DataLoader's own) as the whole set every step. Not read: batch_size=None
 * (torch then gives the samples one by one, unbatched, which basinlab's null, the whole set, is not),
 * a batch_sampler or sampler (they choose the rows), a value the code does not give.
 */
function loaderOf(c: Call, read: (v: Value, what: string) => unknown): PastedLoader {
  const given = argOf(c, 'batch_size', 1);
  const text = given === undefined ? 'DataLoader without batch_size' : `DataLoader(batch_size=${valueText(given)})`;
  const not = (why: string): PastedLoader => ({ text, batchSize: undefined, defaulted: false, why });
  if (c.kwargs.has('batch_size') && c.args[1] !== undefined) return not('batch_size is given twice, by position and as batch_size=…');
  for (const k of ['batch_sampler', 'sampler']) if (c.kwargs.has(k)) return not(`its ${k} chooses the rows of each batch, which basinlab does not read (it draws each batch's rows at random)`);
  if (given === undefined) return { text, batchSize: 1, defaulted: true, why: '' };
  if (given === null) return not("batch_size=None turns off torch's batching (one sample at a time, unbatched), which basinlab has no setting for (its null is the whole training set every step)");
  const data = argOf(c, 'dataset', 0);
  if (isCall(given) && given.name === 'len' && given.args.length === 1 && data !== undefined && valueText(given.args[0] as Value) === valueText(data)) return { text, batchSize: null, defaulted: false, why: '' };
  try {
    return { text, batchSize: read(given, 'DataLoader(batch_size=…)'), defaulted: false, why: '' };
  } catch (e) {
    if (!(e instanceof TorchCodeError)) throw e;
    return not(e.message);
  }
}

/**
 * The names whose parameters an optimiser's first argument trains: `model` of `model.parameters()`,
 * `model.layers[0].parameters()`, `model[2].weight`, in lists and param groups; none for anything
 * else (an unknown name, `params`).
 */
function trainedRoots(v: Value | undefined, deref: (v: Value) => Value): Set<string> {
  const out = new Set<string>();
  const visit = (x: Value | undefined, depth: number): void => {
    if (x === undefined || depth > 8) return;
    const d = deref(x);
    if (Array.isArray(d)) for (const y of d as readonly Value[]) visit(y, depth + 1);
    else if (isDict(d)) visit(d.entries.get('params'), depth + 1);
    else if (isCall(d) && (d.name === 'list' || d.name === 'dict')) {
      for (const y of d.args) visit(y, depth + 1);
      visit(d.kwargs.get('params'), depth + 1);
    } else {
      const text = isCall(d) ? d.name : isExpr(d) && d.unread === undefined ? d.text : '';
      const m = /^([A-Za-z_]\w*)(?:\[[^\]]*\])*\.(?:parameters|named_parameters|layers|weight|bias)\b/.exec(text) ?? /^([A-Za-z_]\w*)\[/.exec(text);
      if (m) out.add(m[1] as string);
    }
  };
  visit(v, 0);
  return out;
}

/**
 * A param group's tensors as basinlab names them (`layers.0`, `layers.1.weight`), from torch code
 * that names them on basinlab's model: `model.layers[k].parameters()`, `model.layers[k].weight`
 * or `.bias`, a list of those, or `list(…)` of one; or by index into a Sequential the code makes
 * (`model[2].parameters()`: its second Linear layer, walkthrough 18: the most common way to write the
 * MLP). Anything else (an index into a model the code does not make, which counts activations too)
 * is not guessed: the error says what to write.
 */
function groupTensors(v: Value, what: string, seqs: Sequentials = new Map()): string[] {
  if (Array.isArray(v)) return (v as readonly Value[]).flatMap((x, i) => groupTensors(x, `${what}[${i}]`, seqs));
  if (isCall(v) && v.name === 'list' && v.args.length === 1 && v.kwargs.size === 0) return groupTensors(v.args[0] as Value, what, seqs);
  const text = isExpr(v) ? v.text : isCall(v) ? `${v.name}()` : isRef(v) ? v.name : null;
  // A Sequential made in the paste first: one named `layers` counts its activations too (review 23:
  // layers[2] of Linear, ReLU, Linear is basinlab's layers.1, not layers.2).
  const indexed = text === null ? null : sequentialTensor(text, seqs, what);
  if (indexed) return [indexed];
  const layer = text === null ? null : LAYER_PARAMS.exec(text);
  if (layer) return [`layers.${layer[1]}`];
  const tensor = text === null ? null : LAYER_TENSOR.exec(text);
  if (tensor) return [`layers.${tensor[1]}.${tensor[2]}`];
  throw new TorchCodeError(
    `${what}: cannot tell which of basinlab's layers ${text ?? 'this'} is: write model.layers[k].parameters() for its k-th Linear layer (input side first), ` +
      'or model.layers[k].weight / .bias, or paste the nn.Sequential(…) line that makes the model with the optimiser, or set the param groups in the editor',
  );
}

function isRef(v: Value): v is Ref {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as Ref).kind === 'ref';
}

const OPTIMIZER_IDS = new Set(OPTIMIZERS.map((o) => o.id));
const SCHEDULE_IDS = new Set(SCHEDULES.map((s) => s.id));
const PARENTS = new Set(SCHEDULES.filter((s) => s.children).map((s) => s.id));
const CLASS_IDS: readonly string[] = [...OPTIMIZER_IDS, ...SCHEDULE_IDS];

/**
 * A call whose class name is a slip from one of torch.optim's that basinlab has (`torch.optim.adam`,
 * `optim.sdg`, `lr_scheduler.steplr`), with the spec reader's did-you-mean (core's fieldHint: OSA
 * distance, one or two letters off, or another case). `sure` where it can be nothing else: under
 * torch.optim or lr_scheduler (where torch itself would raise), or the name itself in another case;
 * otherwise (`SDG(…)`, which may be the user's own function) it is said only when nothing else is
 * read. Names under nn (nn.Linear is no slip of LinearLR) are left alone. Walkthrough 19: a lower-case
 * `adam` got the list of 32 names.
 */
function misspeltClass(dotted: string): { readonly text: string; readonly sure: boolean } | null {
  const id = className(dotted);
  const qualifier = dotted.slice(0, dotted.length - id.length).split('.');
  if (qualifier.includes('nn')) return null;
  const hint = fieldHint(id, CLASS_IDS);
  if (hint === null) return null;
  const norm = (t: string): string => t.toLowerCase().replace(/[-_\s]/g, '');
  const caseOnly = CLASS_IDS.some((c) => norm(c) === norm(id));
  const underOptim = qualifier.includes('optim') || qualifier.includes('lr_scheduler');
  return { text: `${dotted} is not one of basinlab's optimisers or schedulers${caseOnly ? ' (their names are case-sensitive, as torch.optim\'s)' : ''}: ${hint}`, sure: underOptim || caseOnly };
}

/** Lines of a notebook cell that make no optimiser or scheduler, by kind (leaveOutLines). */
const LEFT_OUT: readonly (readonly [string, RegExp])[] = [
  ['import', /^(?:import\s|from\s+\S+\s+import\s)/],
  ['loop or block header', /^(?:for|while|with|if|elif|else|def|class|try|except|finally|async)\b/],
  ['decorator', /^@/],
  ['notebook magic or shell command', /^[%!]/],
  ['print', /^print\s*\(/],
  ['keyword statement', /^(?:pass|break|continue|return|raise|global|nonlocal|assert|del|yield)\b/],
  // `decay, no_decay = [], []` and `x += 1`: bookkeeping of a training loop.
  ['tuple or augmented assignment', /^(?:[A-Za-z_]\w*\s*(?:,\s*[A-Za-z_]\w*\s*)+=(?!=)|[A-Za-z_][\w.]*\s*(?:\+|-|\*|\/|\/\/|%|\*\*|@|&|\||\^|>>|<<)=)/],
];

/**
 * A pasted notebook cell with the lines that make no optimiser or scheduler blanked (so that
 * messages keep their line numbers), each given to `leaveOut` with its kind: imports, the headers
 * of loops and blocks (their bodies are read like any lines: `scheduler.step()` there is a call
 * readTorchCode counts), decorators, prints, keyword statements, tuple, augmented and attribute
 * assignments. Walkthrough 16: a cell with its imports was refused at 'line 2, column 46: cannot
 * read ","'. An assignment into a param group after the optimiser is made (`g['lr'] = 0.1`)
 * changes what it runs: refused, named.
 */
function leaveOutLines(text: string, leaveOut: (kind: string, line: number) => void): string {
  const lines = text.split('\n').map((line, i) => {
    const code = line.trim();
    const kind = LEFT_OUT.find(([, re]) => re.test(code))?.[0];
    if (kind) {
      leaveOut(kind, i + 1);
      return '';
    }
    const target = /^([A-Za-z_]\w*(?:\[[^\]]*\]|\.[A-Za-z_]\w*)+)\s*=(?!=)/.exec(code)?.[1];
    if (target !== undefined) {
      // Into a param group (`g['lr'] = 0.01`, `opt.param_groups[0]['lr'] = …`): what the run would do changes.
      if (/param_groups|\[\s*['"]\w+['"]\s*\]/.test(target)) {
        throw new TorchCodeError(`line ${i + 1}: ${target} = … changes a value after it is made, which basinlab does not follow: give it to the optimiser's or scheduler's constructor`);
      }
      // Elsewhere (`torch.backends.cudnn.benchmark = True`): nothing basinlab reads.
      leaveOut('attribute assignment', i + 1);
      return '';
    }
    return line;
  });
  return lines.join('\n');
}

/**
 * What the reader leaves out of a paste, counted by kind and said in one sentence (walkthrough 22:
 * `loss.backward()`, `opt.step()` and a DataLoader went without a word). A kind of whole lines
 * (imports, loop headers) is counted in lines; a statement's kind (a call, an assignment) in
 * statements, with the first few as examples, in the order they first occur.
 */
class LeftOut {
  private readonly kinds = new Map<string, { n: number; readonly line: number; readonly lines: boolean; readonly examples: string[] }>();

  add(kind: string, line: number, example?: string): void {
    const k = this.kinds.get(kind) ?? { n: 0, line, lines: example === undefined, examples: [] };
    k.n++;
    if (example !== undefined && !k.examples.includes(example)) k.examples.push(example);
    this.kinds.set(kind, k);
  }

  note(): string {
    const parts = [...this.kinds]
      .sort((a, b) => a[1].line - b[1].line)
      .map(([kind, k]) => {
        const s = k.n === 1 ? '' : 's';
        const shown = k.examples.slice(0, 3).map((e) => (e.length > 48 ? `${e.slice(0, 47)}…` : e));
        const examples = shown.length > 0 ? ` (${shown.join(', ')}${k.examples.length > 3 ? ', …' : ''})` : '';
        return k.lines ? `${k.n} ${kind} line${s}` : `${k.n} ${kind}${s}${examples}`;
      });
    return parts.length > 0 ? `Left out, as making no optimiser, scheduler, model or DataLoader: ${parts.join(', ')}.` : '';
  }
}

/** Reads pasted torch code: the optimiser and the last scheduler it makes. Throws TorchCodeError naming the line. */
export function readTorchCode(text: string): TorchCode {
  if (text.length > 20_000) throw new TorchCodeError(`${text.length} characters is more than any optimiser and scheduler take (20,000 at most)`);
  const leftOut = new LeftOut();
  const cell = leaveOutLines(text, (kind, line) => leftOut.add(kind, line));
  const p = new Parser(tokens(cell));
  const vars = new Map<string, Value>();
  // The names a statement read above uses (a value, a param group, a module): their assignments are read, not left out.
  const used = new Set<string>();
  const lookup = (name: string): Value | undefined => {
    const v = vars.get(name);
    if (v !== undefined) used.add(name);
    return v;
  };
  const sequentials = new Map<string, { readonly modules: string[]; readonly layers: (number | null)[] }>();
  let optimizer: Record<string, unknown> | null = null;
  let schedule: Record<string, unknown> | null = null;
  const notes: string[] = [];

  const literal = (v: Value, what: string): unknown => {
    if (isRef(v)) {
      const bound = lookup(v.name);
      if (bound !== undefined && isExpr(bound) && bound.unread !== undefined) {
        throw new TorchCodeError(`${what}: ${v.name} is set on line ${bound.unread} by code basinlab does not read (${bound.text}): write the number itself`);
      }
      if (bound !== undefined) return literal(bound, what);
      throw new TorchCodeError(`${what}: ${v.name} is not a value this code gives (write the number itself)`);
    }
    if (isCall(v)) {
      if (SCHEDULE_IDS.has(className(v.name))) return scheduleOf(v);
      throw new TorchCodeError(`${what}: ${v.name}(…) cannot be read (write its value)`);
    }
    if (isDict(v)) throw new TorchCodeError(`${what}: a dict is read only as a param group (the optimiser's first argument)`);
    if (isExpr(v)) throw new TorchCodeError(`${what}: ${v.text} cannot be read (write its value)`);
    if (Array.isArray(v)) return v.map((x, i) => literal(x, `${what}[${i}]`));
    return v;
  };

  const fields = (c: Call, id: string, skip: ReadonlySet<string>): Record<string, unknown> => {
    const out: Record<string, unknown> = { name: id };
    for (const [k, v] of c.kwargs) {
      if (skip.has(k)) continue;
      if (IMPLEMENTATION.has(k)) {
        notes.push(`${id}'s ${k} chooses torch's implementation, not its arithmetic: left out.`);
        continue;
      }
      out[k] = literal(v, `${id}(${k}=…)`);
    }
    return out;
  };

  /**
   * A positional argument past those read (the parameters or the optimiser; an optimiser's lr) is
   * not read: the error suggests the field the registry lists at that place (`guessAt`: torch's
   * order, for most classes), with the value as Python writes it, for the user to confirm by
   * writing it, never applied unseen.
   */
  const positional = (c: Call, id: string, allowed: number, guessAt = 0): void => {
    if (c.args.length <= allowed) return;
    const def = findOptimizer(id) ?? findSchedule(id);
    const guess = def?.params[guessAt]?.key;
    const shown = pythonText(c.args[allowed] as Value);
    throw new TorchCodeError(
      `${id}: positional argument ${allowed + 1} (${shown}) is not read, since torch's order differs from class to class: write it as name=value${guess ? ` (probably ${guess}=${shown})` : ''}`,
    );
  };

  /**
   * torch's param groups, a list of dicts as the optimiser's first argument: each dict's 'params'
   * named as basinlab names its tensors (groupTensors), its other keys the group's own values. Null
   * for one group (`model.parameters()`).
   */
  function paramGroups(given: Value | undefined, id: string): Record<string, unknown>[] | null {
    // Variables made above are read through (groups = [...]; SGD(groups, ...)), and dict(k=v) is a dict.
    const deref = (v: Value): Value => (isRef(v) ? (lookup(v.name) ?? v) : v);
    const asDict = (v: Value): Value => {
      const d = deref(v);
      return isCall(d) && d.name === 'dict' && d.args.length === 0 ? { kind: 'dict', entries: d.kwargs } : d;
    };
    const layerTensors = (v: Value): boolean => {
      const d = deref(v);
      const text = isExpr(d) ? d.text : null;
      return text !== null && (LAYER_PARAMS.test(text) || LAYER_TENSOR.test(text) || sequentials.has((SEQ_PARAMS.exec(text) ?? SEQ_TENSOR.exec(text))?.[1] ?? ''));
    };
    let first = given === undefined ? undefined : deref(given);
    // A name set by a line the reader could not read (`params = [p for p in …]`) may hold any tensors:
    // not read as the whole model.
    if (first !== undefined && isExpr(first) && first.unread !== undefined) {
      throw new TorchCodeError(`${id}'s params: ${given !== undefined && isRef(given) ? given.name : 'its first argument'} is set on line ${first.unread} by code basinlab does not read (${first.text}): write model.parameters(), or param groups of basinlab's layers (model.layers[k].parameters())`);
    }
    // Some of basinlab's layers as the one group (SGD(model.layers[0].parameters())): torch trains only
    // them, so they are read as a group, which the coverage check then judges (review 13: read as the whole model).
    if (first !== undefined && layerTensors(first)) first = [{ kind: 'dict', entries: new Map([['params', first]]) }];
    if (Array.isArray(first) && first.length > 0 && (first as readonly Value[]).every(layerTensors)) first = [{ kind: 'dict', entries: new Map([['params', first]]) }];
    if (!Array.isArray(first)) return null;
    const items = (first as readonly Value[]).map(asDict);
    if (!items.some(isDict)) return null;
    return items.map((g, i) => {
      const where = `${id}: param group ${i}`;
      if (!isDict(g)) throw new TorchCodeError(`${where} is not a dict ({'params': …, 'lr': …})`);
      const tensors = g.entries.get('params');
      if (tensors === undefined) throw new TorchCodeError(`${where} has no 'params'`);
      const out: Record<string, unknown> = { params: groupTensors(tensors, `${where}'s params`, sequentials) };
      for (const [k, v] of g.entries) if (k !== 'params') out[k] = literal(v, `${where}'s ${k}`);
      return out;
    });
  }

  function scheduleOf(c: Call): Record<string, unknown> {
    const id = className(c.name);
    if (PARENTS.has(id)) {
      // SequentialLR(optimizer, schedulers, milestones) and ChainedScheduler(schedulers, optimizer=None):
      // the list of schedulers may come by position.
      const listAt = id === 'ChainedScheduler' ? 0 : 1;
      const given = c.kwargs.get('schedulers') ?? c.args[listAt];
      positional(c, id, listAt + 1);
      if (!Array.isArray(given)) throw new TorchCodeError(`${id}: schedulers must be a list of schedulers made above`);
      const children = (given as readonly Value[]).map((v, i) => {
        const s = isRef(v) ? lookup(v.name) : v;
        if (s === undefined || !isCall(s) || !SCHEDULE_IDS.has(className(s.name))) {
          const miss = s !== undefined && isCall(s) ? misspeltClass(s.name) : null;
          throw new TorchCodeError(`${id}: schedulers[${i}] is not a scheduler made above${miss ? ` (${miss.text})` : ''}`);
        }
        return scheduleOf(s);
      });
      return { ...fields(c, id, new Set(['schedulers', 'optimizer'])), schedulers: children };
    }
    positional(c, id, 1);
    return fields(c, id, new Set(['optimizer']));
  }

  // Every optimiser and scheduler made, in order, with the name it was given (walkthrough 15: a second
  // optimiser or an unchained second scheduler was dropped without a word).
  const madeOptimizers: { readonly name: string | null; readonly id: string; readonly line: number; readonly roots: ReadonlySet<string> }[] = [];
  const madeSchedules: { readonly name: string | null; readonly id: string; readonly on: string | null }[] = [];
  const named = (x: { readonly name: string | null; readonly id: string }): string => (x.name ? `${x.name} (${x.id})` : x.id);
  // A near miss of a class name that is not torch's (`SDG(…)`, unqualified): said only if nothing else is read.
  let nearMiss = '';
  // Assignments of what the reader does not read (`loss = criterion(…)`, `epochs = 300`): left out,
  // and said, unless a statement read uses the name (`base = 3e-4`, then lr=base).
  const assigned: { readonly target: string; readonly line: number; readonly text: string }[] = [];
  const models: { readonly name: string; readonly call: Call; readonly line: number }[] = [];
  const loaders: { readonly name: string | null; readonly call: Call }[] = [];
  // `x.step()` calls, with their indentation: a scheduler stepped in an outer loop steps per epoch.
  const stepCalls: { readonly on: string; readonly line: number; readonly col: number }[] = [];
  const sourceLines = cell.split('\n');
  while (!p.done()) {
    const line = p.line();
    const col = p.col();
    const start = p.mark();
    const head = p.callee();
    // A statement that makes what the reader reads (an optimiser, a scheduler, a model, a DataLoader, or
    // a near miss of one): its faults are the paste's, named; any other it may leave out.
    const reads = head !== null && readsClass(head);
    let stmt: { readonly target: string | null; readonly value: Value } | null = null;
    try {
      stmt = p.statement();
    } catch (e) {
      // A statement the reader cannot follow (`params = [p for p in net.parameters()]`,
      // `acc = (pred == y).float().mean()`), where it started as one and its brackets close: left out.
      if (!(e instanceof TorchCodeError) || reads || !p.pastValueStart() || !p.skipLine(start)) throw e;
    }
    if (stmt !== null && p.continues()) {
      // `x = a * b` read as `x = a`: the rest of the line is an operator the reader does not read.
      const next = p.next();
      if (reads || !p.skipLine(start)) throw new TorchCodeError(`${next?.where ?? 'at the end of the code'}: cannot read "${next?.text ?? ''}" here`);
      stmt = null;
    }
    if (stmt === null) {
      const code = (sourceLines[line - 1] ?? '').trim();
      const shown = code.length > 48 ? `${code.slice(0, 47)}…` : code;
      const target = p.targetAt(start);
      if (target === null) leftOut.add('other expression', line, shown);
      else {
        vars.set(target, { kind: 'expr', text: shown, unread: line });
        assigned.push({ target, line, text: shown });
      }
      continue;
    }
    const { target, value } = stmt;
    if (target !== null) vars.set(target, value);
    if (!isCall(value)) {
      if (target !== null) assigned.push({ target, line, text: `${target} = ${valueText(value)}` });
      else leftOut.add('other expression', line, valueText(value));
      continue;
    }
    const id = className(value.name);
    if (id === 'Sequential' && target !== null) {
      let k = 0;
      sequentials.set(target, {
        modules: value.args.map((a) => (isCall(a) ? className(a.name) : isRef(a) ? a.name : 'an argument basinlab does not read')),
        layers: value.args.map((a) => (isCall(a) && className(a.name) === 'Linear' ? k++ : null)),
      });
      models.push({ name: target, call: value, line });
      continue;
    }
    if (id === 'DataLoader') {
      loaders.push({ name: target, call: value });
      continue;
    }
    if (OPTIMIZER_IDS.has(id)) {
      // Every optimiser's second parameter is lr, in every torch version (torch.optim.SGD(params, 0.1)
      // is common on slides, walkthrough 19): read by position where the registry lists lr first.
      const lrSecond = findOptimizer(id)?.params[0]?.key === 'lr';
      positional(value, id, lrSecond ? 2 : 1, lrSecond ? 1 : 0);
      optimizer = fields(value, id, new Set(['params']));
      const lrGiven = value.args[1];
      if (lrSecond && lrGiven !== undefined) {
        // Python's own TypeError: "got multiple values for argument 'lr'".
        if (value.kwargs.has('lr')) throw new TorchCodeError(`${id}: lr is given twice, as positional argument 2 and as lr=…`);
        optimizer = { name: id, lr: literal(lrGiven, `${id}(lr=…)`), ...optimizer };
      }
      const trains = value.kwargs.get('params') ?? value.args[0];
      const groups = paramGroups(trains, id);
      if (groups) optimizer.param_groups = groups;
      madeOptimizers.push({ name: target, id, line, roots: trainedRoots(trains, (v) => (isRef(v) ? (lookup(v.name) ?? v) : v)) });
    } else if (SCHEDULE_IDS.has(id)) {
      schedule = scheduleOf(value);
      const on = id === 'ChainedScheduler' ? (value.kwargs.get('optimizer') ?? null) : (value.kwargs.get('optimizer') ?? value.args[0] ?? null);
      madeSchedules.push({ name: target, id, on: on !== null && isRef(on) ? on.name : null });
    } else if (/^(LambdaLR|MultiplicativeLR)$/.test(id)) {
      throw new TorchCodeError(`${id} is not in basinlab (it takes a Python function); its schedules are: ${[...SCHEDULE_IDS].join(', ')}`);
    } else if (/^(LBFGS|SparseAdam)$/.test(id)) {
      throw new TorchCodeError(
        `torch.optim.${id} is not in basinlab (${id === 'LBFGS' ? 'it re-evaluates the loss through a closure within a step' : 'it needs sparse gradients'}: docs/catalogue.md); its optimisers are: ${[...OPTIMIZER_IDS].join(', ')}`,
      );
    } else {
      const miss = misspeltClass(value.name);
      if (miss?.sure) throw new TorchCodeError(`line ${line}: ${miss.text}`);
      if (miss && !nearMiss) nearMiss = miss.text;
      // A class under torch.optim or lr_scheduler that basinlab has no near name for: named, with
      // its line (walkthrough 21: torch.optim.Foo got the generic "no optimiser made here").
      const qualifier = value.name.split('.').slice(0, -1);
      if (!miss && (qualifier.includes('optim') || qualifier.includes('lr_scheduler'))) {
        throw new TorchCodeError(
          `line ${line}: ${value.name} is not an optimiser or scheduler basinlab has; its optimisers: ${[...OPTIMIZER_IDS].join(', ')}; its schedulers: ${[...SCHEDULE_IDS].join(', ')}`,
        );
      }
      // A group added after the optimiser is made changes what it trains, as a value set into one does (leaveOutLines).
      if (value.name.endsWith('.add_param_group')) {
        throw new TorchCodeError(`line ${line}: ${value.name}(…) changes the optimiser after it is made, which basinlab does not follow: give every param group to its constructor`);
      }
      if (target !== null) assigned.push({ target, line, text: `${target} = ${valueText(value)}` });
      else if (/\.(?:backward|step|zero_grad)$/.test(value.name)) {
        // The training loop's own steps: basinlab runs them itself, one optimiser step a step.
        leftOut.add('training-step call', line, valueText(value));
        if (value.name.endsWith('.step')) stepCalls.push({ on: value.name.slice(0, -'.step'.length), line, col });
      } else leftOut.add('other call', line, valueText(value));
    }
  }
  // The optimiser taken is the last one made (a name made twice is Python's last value, said by no note).
  const kept = madeOptimizers.at(-1);
  const others = madeOptimizers.filter((o) => o !== kept && (o.name === null || o.name !== kept?.name));
  if (kept && others.length > 0) notes.push(`More than one optimiser is made here: the view takes the last, ${named(kept)}; ${others.map(named).join(', ')} left out.`);
  const lastSched = madeSchedules.at(-1);
  if (lastSched && kept?.name && lastSched.on !== null && lastSched.on !== kept.name && madeOptimizers.some((o) => o.name === lastSched.on)) {
    throw new TorchCodeError(`${named(lastSched)} steps ${lastSched.on}, not ${named(kept)}, the optimiser the view takes (the last made): paste one optimiser and its scheduler`);
  }
  if (lastSched) {
    // Schedulers the last one does not hold (a SequentialLR's or ChainedScheduler's children, named above).
    const held = new Set<string>();
    const top = lastSched.name ? vars.get(lastSched.name) : undefined;
    const list = top && isCall(top) ? (top.kwargs.get('schedulers') ?? top.args[className(top.name) === 'ChainedScheduler' ? 0 : 1]) : undefined;
    if (Array.isArray(list)) for (const v of list as readonly Value[]) if (isRef(v)) held.add(v.name);
    const unused = madeSchedules.filter((s) => s !== lastSched && !(s.name !== null && (held.has(s.name) || s.name === lastSched.name)));
    if (unused.length > 0) {
      notes.push(
        `More than one scheduler is made here: the view takes the last, ${named(lastSched)}; ${unused.map(named).join(', ')} left out (torch steps each one you call step() on: to run them together, write ChainedScheduler([${[...unused, lastSched].map((s) => s.name ?? s.id).join(', ')}]))`,
      );
    }
  }
  if (!optimizer && !schedule) {
    // A model or DataLoader alone is read with the optimiser that trains it: the view's stays only where the code makes a scheduler.
    const together = models.length + loaders.length > 0 ? ` (an nn.Sequential or DataLoader is read with the optimiser that trains it: paste them together)` : '';
    throw new TorchCodeError(`no torch optimiser or scheduler made here${nearMiss ? ` (${nearMiss})` : ''}${together}; basinlab's optimisers: ${[...OPTIMIZER_IDS].join(', ')}; its schedulers: ${[...SCHEDULE_IDS].join(', ')}`);
  }
  const deref = (v: Value): Value => (isRef(v) ? (lookup(v.name) ?? v) : v);
  const model = pastedModel(models, kept?.roots ?? new Set(), kept?.line ?? Number.POSITIVE_INFINITY, deref, literal, notes);
  const loader = pastedLoader(loaders, literal, notes);
  // A scheduler stepped in an outer loop (per epoch) and the optimiser in an inner one (per batch):
  // torch's counts are then epochs, basinlab's optimiser steps (walkthrough 22: T_max=200 per epoch ran as 200 steps).
  const schedStep = lastSched?.name ? stepCalls.find((c) => c.on === lastSched.name) : undefined;
  const optStep = kept?.name ? stepCalls.find((c) => c.on === kept.name) : undefined;
  // The scheduler's innermost loop strictly encloses the optimiser's (review 28: judged by indentation
  // alone, an opt.step() under an `if` in the same loop read as per batch, and the note's advice
  // would have made a right paste wrong).
  // On the text as pasted: the cell read has its loop headers blanked.
  const pastedLines = text.split('\n');
  const schedLoops = schedStep ? enclosingLoops(pastedLines, schedStep.line) : [];
  const optLoops = optStep ? enclosingLoops(pastedLines, optStep.line) : [];
  const innerSched = schedLoops[0];
  if (schedule && schedStep && optStep && innerSched !== undefined && optLoops[0] !== innerSched && optLoops.includes(innerSched)) {
    // Its whole-number values, a composite's children's too (T_max=295, milestones=[5]): the counts a reader would scale.
    const counts = (entry: Record<string, unknown>): string[] =>
      Object.entries(entry).flatMap(([k, v]) => {
        if (k === 'schedulers' && Array.isArray(v)) return v.flatMap((c) => (isRecord(c) ? counts(c) : []));
        if (Number.isInteger(v)) return [`${k}=${String(v)}`];
        return Array.isArray(v) && v.length > 0 && v.every((x) => Number.isInteger(x)) ? [`${k}=[${v.join(', ')}]`] : [];
      });
    const all = counts(schedule);
    const shown = `${all.slice(0, 4).join(', ')}${all.length > 4 ? ', …' : ''}`;
    notes.push(
      `The pasted loop calls ${lastSched?.name ?? ''}.step() once per epoch (line ${schedStep.line}) and ${kept?.name ?? ''}.step() every batch (line ${optStep.line}): ` +
        `basinlab steps the schedule with every optimiser step, as torch does when both are stepped together, so the schedule's counts${shown ? ` (${shown})` : ''} are optimiser steps here, not epochs; multiply them by the batches per epoch to run what the loop runs.`,
    );
  }
  for (const a of assigned) if (!used.has(a.target)) leftOut.add('other assignment', a.line, a.text);
  const cellNote = leftOut.note();
  return { optimizer, schedule, model, loader, notes: [...new Set(cellNote ? [cellNote, ...notes] : notes)] };
}

/** Whether a call of `dotted` makes what the reader reads (its faults are then the paste's): an optimiser, a scheduler, a model, a DataLoader, or a near miss of one. */
function readsClass(dotted: string): boolean {
  const id = className(dotted);
  const qualifier = dotted.split('.').slice(0, -1);
  return (
    OPTIMIZER_IDS.has(id) ||
    SCHEDULE_IDS.has(id) ||
    /^(?:Sequential|DataLoader|LambdaLR|MultiplicativeLR|LBFGS|SparseAdam)$/.test(id) ||
    qualifier.includes('optim') ||
    qualifier.includes('lr_scheduler') ||
    misspeltClass(dotted)?.sure === true
  );
}

/**
 * The nn.Sequential the optimiser trains (its parameters() or layers in its param groups), or, where
 * it names none the code makes (no optimiser, or `params`), the last made; a note names any other
 * made. One the optimiser does not train is read with that as its `why`: applied, it would train
 * another model than the code's.
 */
function pastedModel(
  models: readonly { readonly name: string; readonly call: Call; readonly line: number }[],
  roots: ReadonlySet<string>,
  optimizerLine: number,
  deref: (v: Value) => Value,
  read: (v: Value, what: string) => unknown,
  notes: string[],
): PastedModel | null {
  // The model of each name the optimiser took its parameters from: the last made before it (a
  // name made again afterwards is another model, which the optimiser does not train: review 28);
  // of a name it does not train, the last made (Python's value of the name).
  const before = (m: (typeof models)[number]): boolean => !roots.has(m.name) || m.line < optimizerLine;
  const later = models.filter((m) => !before(m));
  if (later.length > 0) notes.push(`${later.map((m) => `${m.name} (line ${m.line})`).join(', ')} is made again after the optimiser: the optimiser trains the model made before it, which the view reads.`);
  const last = [...new Map(models.filter(before).map((m) => [m.name, m])).values()];
  if (last.length === 0) return null;
  const trained = last.filter((m) => roots.has(m.name));
  const chosen = trained.length > 0 ? (trained.at(-1) as (typeof last)[number]) : (last.at(-1) as (typeof last)[number]);
  const others = last.filter((m) => m !== chosen && !trained.includes(m));
  if (others.length > 0) notes.push(`More than one nn.Sequential is made here: the view reads ${chosen.name}${trained.length > 0 ? ', which the optimiser trains' : ', the last'}; ${others.map((m) => m.name).join(', ')} left out.`);
  const model = modelOf(chosen.name, chosen.call, deref, read);
  if (trained.length > 1) return { ...model, network: null, why: `the optimiser trains ${trained.map((m) => m.name).join(' and ')}, and basinlab's network is one model` };
  const foreign = [...roots].filter((r) => r !== chosen.name);
  if (trained.length === 0 && foreign.length > 0) return { ...model, network: null, why: `the optimiser trains ${foreign.join(' and ')}'s parameters, not ${chosen.name}'s` };
  return model;
}

/**
 * The DataLoader whose batches train: the only one made, or of several the one named for training
 * (`train_loader`, or made on `train_ds`); where that is not clear, none is guessed (its `why` says
 * so). A note names the ones left out.
 */
function pastedLoader(loaders: readonly { readonly name: string | null; readonly call: Call }[], read: (v: Value, what: string) => unknown, notes: string[]): PastedLoader | null {
  if (loaders.length === 0) return null;
  const training = (l: (typeof loaders)[number]): boolean => /train/i.test(l.name ?? '') || /train/i.test(valueText(l.call.kwargs.get('dataset') ?? l.call.args[0] ?? null));
  const named = loaders.filter(training);
  const chosen = loaders.length === 1 ? loaders[0] : named.length === 1 ? named[0] : undefined;
  const nameOf = (l: (typeof loaders)[number]): string => l.name ?? 'DataLoader(…)';
  if (!chosen) {
    return { text: 'DataLoader', batchSize: undefined, defaulted: false, why: `the paste makes ${loaders.length} DataLoaders (${loaders.map(nameOf).join(', ')}), and which one trains is not guessed (a name with "train" in it says so)` };
  }
  if (loaders.length > 1) notes.push(`More than one DataLoader is made here: the view reads ${nameOf(chosen)}, whose name says it trains; ${loaders.filter((l) => l !== chosen).map(nameOf).join(', ')} left out.`);
  return loaderOf(chosen.call, read);
}

/**
 * Why pasted param groups cannot stand as the view's, or null. torch trains only the tensors in its
 * param groups; basinlab would train the rest in its default group, with the optimiser's own values:
 * a different experiment, so the paste is refused, naming the tensors left out. `spec`: the view's
 * spec with the pasted optimiser in it.
 */
export function torchGroupsProblem(read: TorchCode, spec: AnySpec): string | null {
  if (!read.optimizer?.param_groups || spec.problem !== 'network') return null;
  const left = ungroupedTensors(spec);
  if (left.length === 0) return null;
  return (
    `torch trains only the tensors in its param groups, and these leave out ${left.join(', ')}, which basinlab would train with the optimiser's own values: ` +
    "add a group for them ({'params': model.layers[k].parameters()})"
  );
}

/**
 * The view's spec with the pasted optimiser and scheduler in it, before the spec reader's mending:
 * refused where pasted param groups leave tensors out (checked on the spec without its sweep, which
 * the groups may change, review 13, and without its schedule, whose per-group lists count torch's
 * groups, review 17); otherwise with its axes moved where the paste leaves them sweeping nothing
 * (retargetGroupAxes), and the notes saying what changed. Code that makes an optimiser and no
 * scheduler runs at a constant LR in torch: the view's schedule goes, as choosing none in the
 * editor does, and a note names it (walkthrough 19: an Adam map ran under the view's StepLR, its LR
 * 1e-20 by the end, unsaid). A scheduler alone keeps the view's optimiser.
 */
export function pasteInto(view: Record<string, unknown>, code: TorchCode): { readonly json: Record<string, unknown>; readonly notes: readonly string[] } | { readonly refused: string } {
  const { read, note: ignoredNote } = withoutIgnoredGroupValues(view, code);
  const restored = nesterovRowBack(view, read);
  const unscheduled = read.optimizer !== null && read.schedule === null && isRecord(view.schedule);
  const base = unscheduled ? switchSchedule(restored.json, 'none') : restored.json;
  const scheduleNote = unscheduled ? `The pasted code makes no scheduler, so the LR is constant: the view's ${scheduleWords(view.schedule)} is gone.` : '';
  const pasted: Record<string, unknown> = { ...base };
  // Another optimiser moves the map's axes as choosing it in the editor does (a momentum axis to
  // Adam's betas[0], ranges to its typical ones): walkthrough 15's SGD map pasted over with Adam
  // lost its momentum axis and ran as a stripe.
  // A pasted schedule that sets a swept value itself (OneCycleLR's LR and momentum, a warm-up into
  // one) moves that axis to the schedule's value, as choosing it in the editor does: the default
  // LR x momentum map pasted over with OneCycleLR had lost its sweep whole (both axes refused).
  let axesNote = '';
  const viewOptimizer = isRecord(base.optimizer) && typeof base.optimizer.name === 'string' ? base.optimizer.name : '';
  if (isRecord(base.sweep) && (read.optimizer || read.schedule)) {
    const switched = read.optimizer && typeof read.optimizer.name === 'string' && read.optimizer.name !== viewOptimizer ? switchOptimizer(base, read.optimizer.name) : base;
    const moved = fitAxes({ ...switched, ...(read.optimizer ? { optimizer: read.optimizer } : {}), ...(read.schedule ? { schedule: read.schedule } : {}) }, new Set(), false);
    pasted.sweep = moved.sweep;
    // Against the view with its row back (said by its own note), the schedule's going included.
    axesNote = axesMovedText(restored.json, moved, 'the pasted code');
    // An LR the schedule takes as a list, one per group, cannot be swept (walkthrough 18 lost its LR axes to it unexplained).
    const lists = scheduleGroupLists(entriesView(moved).schedule);
    if (axesNote && lists.length > 0) axesNote += ` The schedule's ${lists.join(', ')} ${lists.length === 1 ? 'is a list' : 'are lists'}, one value per param group, which an axis cannot sweep; written as one number, ${lists.length === 1 ? 'it' : 'each'} can be.`;
  }
  // Param groups name a network's layers: on a surface there is one tensor, the point, and torch's
  // groups mean nothing (walkthrough 16: they were dropped as an "unknown field").
  let groupsNote = '';
  if (read.optimizer?.param_groups && problemOf(view) !== 'network') {
    const { param_groups: _groups, ...rest } = read.optimizer;
    pasted.optimizer = rest;
    groupsNote = `The pasted param groups are left out: they name a network's layers, and this is a loss surface (Problem: a network on a data set takes them); the optimizer's own values (${Object.keys(rest).filter((k) => k !== 'name').join(', ') || 'its defaults'}) train the point.`;
  } else if (read.optimizer) pasted.optimizer = read.optimizer;
  if (read.schedule) pasted.schedule = read.schedule;
  const fittedSteps = oneCycleRun(view, read);
  if (fittedSteps) pasted.steps = fittedSteps.steps;
  // The pasted model and DataLoader, before the groups are checked: they name the model's layers.
  const model = modelInto(view, read.model);
  if (model.network) pasted.network = model.network;
  const loader = loaderInto(pasted, read.loader);
  if (loader.network) pasted.network = loader.network;
  const beyond = groupsBeyondNetwork(pasted, read, model);
  if (beyond) return { refused: beyond };
  let bare: AnySpec | null = null;
  try {
    bare = parseAnySpec({ ...pasted, sweep: null, schedule: null });
  } catch (e) {
    if (!(e instanceof SpecErrors)) throw e;
  }
  const refused = bare ? torchGroupsProblem(read, bare) : null;
  // Groups over the pasted model's layers, which the view's network (kept) has only some of: the cause said too.
  if (refused) return { refused: model.cause ? `${refused}. ${model.note}` : refused };
  const retargeted = retargetGroupAxes(view, pasted);
  const { json, notes } = nesterovAxis(retargeted.json);
  const cutShort = read.schedule ? cutShortNote(json) : '';
  return {
    json,
    notes: [model.note, loader.note, replacedGroupsNote(read, view), groupsNote, ignoredNote, scheduleNote, fittedSteps?.note ?? '', cutShort, restored.note, axesNote, ...retargeted.notes, ...notes].filter((t) => t !== ''),
  };
}

/** A network spec's model and data as the spec reader reads them (every default filled in), or null where they do not read. */
interface NetShape {
  /** The layers' widths, the data set's inputs first and its outputs (classes) last. */
  readonly sizes: readonly number[];
  readonly activation: string;
  readonly bias: boolean;
  readonly parametrization: string;
  readonly batch: unknown;
  /** The training set's size (the fractal set's follows the model's parameter count). */
  readonly rows: number | null;
  readonly data: DataDef;
}

/** The network and data of `json` alone, read by the spec reader: its optimiser, groups and sweep play no part. */
function netShape(json: Record<string, unknown>): NetShape | null {
  try {
    const spec = parseNetSpec({ network: isRecord(json.network) ? json.network : {}, data: json.data, optimizer: { name: 'SGD', lr: 0.01 }, steps: 1 });
    const data = findDataSet(spec.data.name);
    if (!data) return null;
    const hidden = spec.network.hidden as readonly number[];
    return {
      sizes: [data.inputs(spec.data.params), ...hidden, data.outputs(spec.data.params)],
      activation: String(spec.network.activation),
      bias: spec.network.bias === true,
      parametrization: String(spec.network.parametrization),
      batch: spec.network.batch_size,
      rows: netTrainRows(spec),
      data,
    };
  } catch (e) {
    if (e instanceof SpecErrors) return null;
    throw e;
  }
}

/** A network in words, as the caption writes its MLP: "4–8–3 (relu)", "16–16–1 (tanh, no bias, mean-field)". */
function netWords(n: NetShape): string {
  const traits = [n.sizes.length > 2 ? n.activation : 'linear', n.bias ? '' : 'no bias', n.parametrization === 'mean_field' ? 'mean-field' : ''].filter((t) => t !== '');
  return `${n.sizes.join('–')} (${traits.join(', ')})`;
}

/** What the spec reader refuses of `network` on `json`'s data (its widths, its batch size against the data), each with its field. */
function networkErrors(json: Record<string, unknown>, network: Record<string, unknown>): string[] {
  try {
    parseNetSpec({ network, data: json.data, optimizer: { name: 'SGD', lr: 0.01 }, steps: 1 });
    return [];
  } catch (e) {
    if (!(e instanceof SpecErrors)) throw e;
    return e.errors.filter((x) => /^(?:network|data)(?:\.|$)/.test(x.path)).map((x) => x.message);
  }
}

/**
 * The pasted nn.Sequential on the view (walkthrough 22: it was ignored without a word). On a network
 * view, a model of Linear layers and one activation basinlab has whose widths fit the data set (its
 * inputs, its classes or outputs) is the view's network: hidden widths, activation, bias, and torch's
 * standard parametrisation (nn.Linear's; a mean-field view's is replaced, said). Otherwise the view's
 * network is kept and the note says why, with `cause` for a refusal of param groups that name the
 * pasted model's layers. On a surface it means nothing: said.
 */
function modelInto(view: Record<string, unknown>, m: PastedModel | null): { readonly network: Record<string, unknown> | null; readonly note: string; readonly cause: string } {
  if (!m) return { network: null, note: '', cause: '' };
  if (problemOf(view) !== 'network') {
    return { network: null, note: `The pasted model (${modelWords(m)}) is left out: this is a loss surface, which has no network (Problem: a network on a data set takes one).`, cause: '' };
  }
  const shape = netShape(view);
  let why = m.why;
  let next: Record<string, unknown> | null = null;
  if (!shape) why ||= "the view's network and data do not read as a spec now, so the model cannot be matched to them";
  else if (!why && m.network && m.sizes) {
    const inputs = shape.sizes[0];
    const outputs = shape.sizes.at(-1);
    const unit = shape.data.task === 'classification' ? 'classes' : 'outputs';
    if (m.sizes[0] !== inputs) why = `its input width is ${m.sizes[0]}, and the ${shape.data.id} data set has ${inputs} inputs`;
    else if (m.sizes.at(-1) !== outputs) why = `its output width is ${m.sizes.at(-1)}, and the ${shape.data.id} data set has ${outputs} ${unit}`;
    else {
      // Only what differs is written, so that a model the view already has leaves its spec as it is.
      next = { ...(isRecord(view.network) ? view.network : {}), hidden: [...m.network.hidden] };
      if (m.network.hidden.length > 0 && m.network.activation !== shape.activation) next.activation = m.network.activation;
      if (m.network.bias !== shape.bias) next.bias = m.network.bias;
      if (shape.parametrization !== 'standard') next.parametrization = 'standard';
      const errors = networkErrors(view, next);
      if (errors.length > 0) why = `the spec reader refuses it: ${errors.join('; ')}`;
    }
  }
  const kept = shape ? `the view's ${netWords(shape)} network is kept` : "the view's network is kept";
  const after = next ? netShape({ ...view, network: next }) : null;
  if (!after || !shape) {
    why ||= 'the spec reader refuses it';
    return { network: null, note: `The pasted model (${modelWords(m)}) was not applied: ${why}; ${kept}.`, cause: `the pasted model (${modelWords(m)}) was not applied: ${why}` };
  }
  const same = netWords(after) === netWords(shape);
  const meanField = shape.parametrization === 'mean_field' ? " nn.Linear is torch's standard parametrisation and initialisation, so the view's mean-field one is gone." : '';
  const rows = after.rows !== shape.rows && after.rows !== null ? ` The ${shape.data.id} data set's training set follows the model's parameter count: ${after.rows} points now (was ${String(shape.rows)}).` : '';
  return {
    network: same ? null : next,
    note: same ? `The pasted nn.Sequential ${m.name} is the view's model, ${netWords(shape)}.` : `The view trains the model ${netWords(after)} from the pasted nn.Sequential ${m.name} now, in place of its ${netWords(shape)}.${meanField}${rows}`,
    cause: '',
  };
}

/** A batch size in words: "16", "full batch". */
function batchText(b: unknown): string {
  return b === null ? 'full batch' : String(b);
}

/**
 * The pasted DataLoader's batch size on the view (walkthrough 22: batch_size=32 was dropped without
 * a word). On a network view it is network.batch_size, as torch has it (its default 1 where none is
 * given), where the spec reader takes it (at most the training set); otherwise the view's is kept,
 * the reason said. On a surface there is no data set: said.
 */
function loaderInto(json: Record<string, unknown>, l: PastedLoader | null): { readonly network: Record<string, unknown> | null; readonly note: string } {
  if (!l) return { network: null, note: '' };
  if (problemOf(json) !== 'network') {
    const name = isRecord(json.surface) ? json.surface.name : json.surface;
    const surface = typeof name === 'string' ? findSurface(name) : undefined;
    // A surface with minibatches of its own data (logistic): its batch size is the surface's, not the loader's.
    const own = surface?.params.find((q) => q.key === 'batch_size');
    const ownValue = own && isRecord(json.surface) && json.surface.batch_size !== undefined ? json.surface.batch_size : own?.default;
    const its = own ? `; this surface draws minibatches of its own data, its batch_size (${String(ownValue)}), set in the editor` : '';
    return { network: null, note: `The pasted ${l.text} is not applied: a loss surface has no data set to batch (Problem: a network on a data set takes one)${its}.` };
  }
  const shape = netShape(json);
  if (!shape) return { network: null, note: `The pasted ${l.text} is not applied: the view's network and data do not read as a spec now.` };
  const old = batchText(shape.batch);
  if (l.why) return { network: null, note: `The pasted ${l.text} is not applied: ${l.why}; the view's batch size (${old}) is kept.` };
  const next = { ...(isRecord(json.network) ? json.network : {}), batch_size: l.batchSize };
  const errors = networkErrors(json, next);
  if (errors.length > 0) return { network: null, note: `The pasted ${l.text} is not applied: ${errors.join('; ')}; the view's batch size (${old}) is kept.` };
  const b = l.batchSize;
  const how =
    b === shape.batch
      ? `The batch size stays ${batchText(b)}, as the pasted ${l.text} gives.`
      : b === null
        ? `The batch is the whole training set every step now (full batch; was ${old}), from the pasted ${l.text}.`
        : l.defaulted
          ? `The batch size is 1 now (was ${old}): the pasted DataLoader gives no batch_size, and torch's default is 1.`
          : `The batch size is ${String(b)} now (was ${old}), from the pasted ${l.text}.`;
  // basinlab's draws are not a DataLoader's (README, network.batch_size): said, as the user trusts the run to be theirs.
  const draws = b === null ? '' : " basinlab draws each step's rows at random with replacement, where torch's DataLoader deals each epoch's rows without: the same mean gradient, with more variance where the batch is a good part of the training set.";
  const axes = isRecord(json.sweep) ? (['x', 'y'] as const).filter((k) => isRecord(json.sweep) && isRecord(json.sweep[k]) && json.sweep[k].param === 'network.batch_size') : [];
  const swept = axes.map((k) => {
    const a = (json.sweep as Record<string, Record<string, unknown>>)[k] as Record<string, unknown>;
    return ` The sweep's ${k} axis sets the batch size run by run (${String(a.min)} … ${String(a.max)}), whatever the code gave.`;
  });
  return { network: b === shape.batch ? null : next, note: `${how}${draws}${swept.join('')}` };
}

/**
 * Why param groups name tensors the network the paste leaves the view does not have (walkthrough 22:
 * `model[4]` of a pasted 3-Linear model on a 2-layer view dropped every group, said only in field
 * paths), or null. torch would train those tensors with the group's values, which no run here can:
 * refused, naming the layers, the network's, and where the pasted model was not applied, why.
 */
function groupsBeyondNetwork(json: Record<string, unknown>, read: TorchCode, model: { readonly note: string; readonly cause: string }): string | null {
  const groups = isRecord(json.optimizer) ? json.optimizer.param_groups : undefined;
  if (!Array.isArray(groups)) return null;
  const shape = netShape(json);
  if (!shape) return null;
  const layers = shape.sizes.length - 1;
  const missing = new Set<string>();
  for (const g of groups) {
    if (!isRecord(g) || !Array.isArray(g.params)) continue;
    for (const n of g.params) {
      const m = typeof n === 'string' ? /^layers\.(\d+)(?:\.(weight|bias))?$/.exec(n) : null;
      if (m && (Number(m[1]) >= layers || (m[2] === 'bias' && !shape.bias))) missing.add(n as string);
    }
  }
  if (missing.size === 0) return null;
  const whose = read.optimizer?.param_groups ? 'The pasted param groups' : "The view's param groups";
  const net = read.model && !model.cause ? `the pasted model ${netWords(shape)}` : `the view's ${netWords(shape)} network`;
  const has = Array.from({ length: layers }, (_, k) => `layers.${k}`).join(', ');
  const names = [...missing];
  const fix = model.cause
    ? 'paste a model the view can take with them, or groups over its layers (model.layers[k] is its k-th Linear layer, input side first)'
    : "name the network's layers (model.layers[k] is its k-th Linear layer, input side first)";
  return (
    `${whose} name ${names.join(', ')}, which ${net} does not have (its Linear layers: ${has}${shape.bias ? '' : ', with no biases'})${model.cause ? `, as ${model.cause}` : ''}. ` +
    `torch would train ${names.join(', ')} with ${names.length === 1 ? 'its' : 'their'} group's own values, which no run here can: ${fix}.`
  );
}

/**
 * A schedule entry of the view in words, as the caption names it: its class, the values it was
 * given that torch requires or that are not its defaults (three at most), a composite's children:
 * "StepLR (step_size 30)".
 */
function scheduleWords(entry: unknown): string {
  if (!isRecord(entry) || typeof entry.name !== 'string') return 'schedule';
  const def = findSchedule(entry.name);
  if (Array.isArray(entry.schedulers)) {
    const kids = entry.schedulers.map((c) => (isRecord(c) && typeof c.name === 'string' ? c.name : '?'));
    return `${entry.name} (${kids.join(entry.name === 'SequentialLR' ? ', then ' : ' and ')})`;
  }
  // Required values first, named even at the registry's example value (torch has no default for them).
  const required = (q: ParamSchema): boolean => 'required' in q && q.required === true;
  const params = [...(def?.params ?? [])].sort((a, b) => Number(required(b)) - Number(required(a)));
  const given = params.flatMap((q) => {
    const v = entry[q.key];
    if (v === undefined || v === null || (!required(q) && JSON.stringify(v) === JSON.stringify(q.default))) return [];
    const text = typeof v === 'number' ? formatNumber(v, 4) : Array.isArray(v) ? `[${v.map((x) => (typeof x === 'number' ? formatNumber(x, 4) : String(x))).join(', ')}]` : String(v);
    return [`${q.key} ${text}`];
  });
  return `${entry.name}${given.length > 0 ? ` (${given.slice(0, 3).join(', ')})` : ''}`;
}

/**
 * The view with its momentum row back where a pasted optimiser ends its Nesterov (SGD without
 * nesterov=True, or another optimiser): the row the editor's `withinRules` or a pasted
 * nesterov=True (`nesterovAxis`) took from an axis is given back as unticking nesterov in the editor
 * gives it (spec-edit's rowsRestored: back to the typical range from 0 only where the axis is exactly
 * what they made of it), and a note says so. Walkthrough 19: SGD with nesterov, then Adam, then SGD
 * pasted, and the momentum axis stayed at 255 rows from 0.00388. Otherwise the view as it is.
 */
function nesterovRowBack(view: Record<string, unknown>, read: TorchCode): { readonly json: Record<string, unknown>; readonly note: string } {
  const opt = view.optimizer;
  if (!read.optimizer || read.optimizer.nesterov === true || !isRecord(opt) || opt.nesterov !== true || !isRecord(view.sweep)) return { json: view, note: '' };
  const off = { ...view, optimizer: { ...opt, nesterov: false } };
  const back = rowsRestored(view, off, 'optimizer.nesterov', new Set());
  const changed = axisPaths(back).filter((path) => JSON.stringify(getAt(back, path)) !== JSON.stringify(getAt(view, path)));
  if (changed.length === 0) return { json: view, note: '' };
  const why = read.optimizer.name === opt.name ? `the pasted ${String(opt.name)} has no nesterov=True` : `the pasted ${String(read.optimizer.name)} replaces ${String(opt.name)} with nesterov=True`;
  const axes = changed.map((path) => {
    const a = getAt(back, path);
    const span = isRecord(a) && typeof a.min === 'number' && typeof a.max === 'number' ? ` (${formatNumber(a.min, 4)} … ${formatNumber(a.max, 4)}, ${String(a.count)} values)` : '';
    return `The sweep's ${isRecord(a) && typeof a.param === 'string' ? shortParam(a.param) : path} axis has the row nesterov=True took from it back${span}: ${why}.`;
  });
  return { json: { ...view, sweep: back.sweep }, note: axes.join(' ') };
}

/**
 * A pasted param group's own value that the pasted schedule sets in every group itself (the LR under
 * OneCycleLR or CyclicLR, the momentum they cycle: core's groupScheduleOverrides) is left out, with a
 * note: torch runs such code and ignores the value, where the spec reader refuses it as having no
 * effect. Walkthrough 18 pasted `{'params': …, 'lr': 0.1}` with OneCycleLR(max_lr=[0.5, 0.05]): the
 * draft did not parse, so the axes moved blind (onto the optimizer's lr, which OneCycleLR sets) and
 * the whole sweep was dropped.
 */
function withoutIgnoredGroupValues(view: Record<string, unknown>, read: TorchCode): { readonly read: TorchCode; readonly note: string } {
  const groups = read.optimizer?.param_groups;
  if (!read.optimizer || !read.schedule || !Array.isArray(groups)) return { read, note: '' };
  const keys = groupScheduleOverrides(entriesView({ ...view, optimizer: read.optimizer, schedule: read.schedule }));
  const left: string[] = [];
  const kept = groups.map((g: unknown, i) => {
    if (!isRecord(g)) return g;
    const drop = keys.filter((k) => Object.hasOwn(g, k));
    if (drop.length === 0) return g;
    left.push(`${drop.map((k) => `'${k}': ${String(g[k])}`).join(', ')} in group ${i}`);
    return Object.fromEntries(Object.entries(g).filter(([k]) => !drop.includes(k)));
  });
  if (left.length === 0) return { read, note: '' };
  const name = typeof read.schedule.name === 'string' ? read.schedule.name : 'the schedule';
  return {
    read: { ...read, optimizer: { ...read.optimizer, param_groups: kept } },
    note: `The pasted ${left.join('; ')} ${left.length === 1 && !left[0]?.includes(',') ? 'is' : 'are'} left out: ${name} sets every param group's ${keys.join(' and ')} from its own values, and torch ignores the group's.`,
  };
}

/**
 * A pasted OneCycleLR shorter than the view's run (`epochs=10, steps_per_epoch=20` on a 300-step
 * view): torch raises once it is stepped past its total, so the run takes the schedule's length,
 * and a note says so (walkthrough 16: the schedule was dropped, and the view's sweep with it).
 * Null where the run fits.
 */
function oneCycleRun(view: Record<string, unknown>, read: TorchCode): { readonly steps: number; readonly note: string } | null {
  const s = read.schedule;
  if (!s || s.name !== 'OneCycleLR' || typeof view.steps !== 'number') return null;
  const total = typeof s.total_steps === 'number' ? s.total_steps : typeof s.epochs === 'number' && typeof s.steps_per_epoch === 'number' ? s.epochs * s.steps_per_epoch : null;
  if (total === null || !Number.isInteger(total) || total < 1 || total >= view.steps) return null;
  const how = typeof s.total_steps === 'number' ? 'total_steps' : `epochs × steps_per_epoch = ${String(s.epochs)} × ${String(s.steps_per_epoch)}`;
  return { steps: total, note: `The run is ${total} steps now (was ${view.steps}): the pasted OneCycleLR lasts ${total} (${how}), and torch raises if it is stepped further.` };
}

/**
 * A pasted schedule whose shape the run cuts off, in words, or '': a OneCycleLR longer than the run
 * (the runs end mid-cycle, at the LR said; a shorter one sets the run's steps, oneCycleRun), or a
 * CyclicLR whose rising half (step_size_up, torch's default 2000) fills the run, so that the LR only
 * rises. Walkthrough 19: both ran cut short without a word. The LRs are core's own (scheduleCurve,
 * what the engines run), of the schedule at its own values (a swept max_lr scales them).
 */
function cutShortNote(json: Record<string, unknown>): string {
  const s = json.schedule;
  const steps = json.steps;
  if (!isRecord(s) || typeof steps !== 'number' || !Number.isInteger(steps) || steps < 1) return '';
  const num = (k: string): number | null => (typeof s[k] === 'number' ? s[k] : null);
  const at = (lr: Float64Array, k: number): string => formatNumber(lr[k] as number, 3);
  if (s.name === 'OneCycleLR') {
    const given = num('total_steps');
    const [epochs, perEpoch] = [num('epochs'), num('steps_per_epoch')];
    const total = given ?? (epochs !== null && perEpoch !== null ? epochs * perEpoch : null);
    if (total === null || !Number.isInteger(total) || total <= steps) return '';
    const how = given !== null ? 'total_steps' : `epochs × steps_per_epoch = ${String(epochs)} × ${String(perEpoch)}`;
    const maxLr = num('max_lr');
    const lr = scheduleLrs(json, steps);
    const last = lr ? ` (LR there ≈ ${at(lr, steps - 1)}${maxLr !== null && maxLr > 0 ? `, ${formatNumber((100 * (lr[steps - 1] as number)) / maxLr, 2)}% of max_lr` : ''})` : '';
    return `The run is ${steps} steps and the pasted OneCycleLR lasts ${total} (${how}): the runs end at its step ${steps}${last}, before its cycle ends; set steps to ${total} to see the whole cycle.`;
  }
  if (s.name === 'CyclicLR') {
    const def = findSchedule('CyclicLR')?.params.find((q) => q.key === 'step_size_up')?.default;
    const up = num('step_size_up') ?? (typeof def === 'number' ? def : null);
    if (up === null || up < steps) return '';
    const how = num('step_size_up') === null ? `step_size_up, torch's default ${up}` : 'step_size_up';
    const lr = scheduleLrs(json, steps);
    const span = lr ? `, from ${at(lr, 0)} to ${at(lr, steps - 1)} at the run's last step` : '';
    // exp_range's gamma ** k can bring the LR down within the rising half: then "only rises" is not so.
    const rises = !lr || lr.every((x, k) => k === 0 || x >= (lr[k - 1] as number));
    const down = num('step_size_down') === null ? ` (step_size_down is step_size_up unless given: ${Math.floor(steps / 2)} each makes one whole cycle)` : '';
    return `The run is ${steps} steps and the pasted CyclicLR's LR rises for ${up} steps (${how}): ${rises ? `over the run the LR only rises${span}, never coming down` : `the run ends within its first rising half-cycle${span}`}; set step_size_up below ${steps} to see it cycle${down}.`;
  }
  return '';
}

/**
 * The LR of each of a run's `steps` steps under the spec's optimiser and schedule, by core's own
 * evaluation (scheduleCurve of the plan of a surface spec holding them: the LR depends on neither
 * the surface nor a network); null where they do not make such a spec (per-group lists).
 */
function scheduleLrs(json: Record<string, unknown>, steps: number): Float64Array | null {
  const opt = isRecord(json.optimizer) ? Object.fromEntries(Object.entries(json.optimizer).filter(([k]) => k !== 'param_groups')) : json.optimizer;
  try {
    return scheduleCurve(makePlan(parseSpec({ surface: { name: 'rosenbrock' }, optimizer: opt, schedule: json.schedule, steps }))).lr;
  } catch (e) {
    if (e instanceof SpecErrors) return null;
    throw e;
  }
}

/**
 * A pasted `nesterov=True` over a view whose grid sweeps the momentum from 0: torch's SGD refuses
 * Nesterov at momentum 0 (ValueError), so the spec's mending would drop nesterov for every run
 * (walkthrough 14: the pasted optimiser was not Nesterov anywhere). The axis loses its 0 instead,
 * starting at its second value with one value fewer (the others kept to within a bit or so), and a
 * note says so. Other specs as they are.
 */
export function nesterovAxis(json: Record<string, unknown>): { readonly json: Record<string, unknown>; readonly notes: readonly string[] } {
  const opt = json.optimizer;
  const sweep = json.sweep;
  if (!isRecord(opt) || opt.nesterov !== true || !isRecord(sweep)) return { json, notes: [] };
  const out: Record<string, unknown> = { ...sweep };
  const notes: string[] = [];
  for (const k of ['x', 'y'] as const) {
    const a = sweep[k];
    if (!isRecord(a) || a.param !== 'optimizer.momentum' || a.min !== 0 || a.scale === 'log') continue;
    const [max, count] = [a.max, a.count];
    if (typeof max !== 'number' || typeof count !== 'number' || !Number.isInteger(count) || count < 2 || !(max > 0)) continue;
    // The grid's second value, written as a person would (0.18, not 0.18000000000000002): the other
    // values keep their spacing to within the last bit or so (review 19).
    const second = tidy(max / (count - 1));
    out[k] = { ...a, min: second, count: count - 1 };
    notes.push(`The sweep's momentum axis starts at ${formatNumber(second, 4)} now, not 0, keeping its spacing (${count - 1} values): torch's SGD refuses nesterov=True at momentum 0.`);
  }
  return notes.length > 0 ? { json: { ...json, sweep: out }, notes } : { json, notes: [] };
}

/**
 * What pasting one param group (`model.parameters()`) does to a view whose optimiser has groups:
 * they are replaced, which the notice says (walkthrough 10: the fractal view's per-layer LRs went
 * without a word). Empty otherwise.
 */
export function replacedGroupsNote(read: TorchCode, before: Record<string, unknown>): string {
  const old = (before.optimizer as { param_groups?: unknown } | undefined)?.param_groups;
  if (!read.optimizer || read.optimizer.param_groups || !Array.isArray(old) || old.length === 0) return '';
  return `The pasted optimiser trains every tensor as one param group (model.parameters()): the view's ${old.length} param group${old.length === 1 ? '' : 's'} (per-layer values) ${old.length === 1 ? 'is' : 'are'} replaced.`;
}

/**
 * The view's sweep axes after pasted param groups replace its optimiser. An axis over `optimizer.<k>`
 * that the pasted groups leave reaching no tensor (each group sets k itself) would be refused, and
 * the mending would drop the whole sweep (review 13: per-layer LRs pasted over LR x momentum left
 * one run). It sweeps the group that holds what the axis swept before (the view's default group's
 * first tensor), else the first group, and a note says so. `before`: the view's spec; `after`: it
 * with the pasted optimiser. Where the check cannot be made (not a network spec), `after` as it is.
 */
export function retargetGroupAxes(before: Record<string, unknown>, after: Record<string, unknown>): { readonly json: Record<string, unknown>; readonly notes: readonly string[] } {
  const net = parsedNet(after);
  if (!net || net.paramGroups.length === 0) return { json: after, notes: [] };
  const old = parsedNet(before);
  const tensors = old ? ungroupedTensors(old) : [];
  // The view's default group: its tensors (every tensor where the view had no groups).
  const first = tensors[0] ?? (old && old.paramGroups.length === 0 ? 'layers.0' : undefined);
  const home = first === undefined ? 0 : Math.max(0, net.paramGroups.findIndex((g) => g.params.some((n) => first === n || first.startsWith(`${n}.`))));
  const { json, moved } = retargetUnreachedAxes(after, home);
  return { json, notes: moved.map(({ from, to }) => `The sweep's ${from} axis sweeps ${to} now: the pasted groups set ${from.slice('optimizer.'.length)} for every tensor.`) };
}
