/**
 * A strict JSON reader for untrusted text (spec files, links, imports).
 *
 * It accepts exactly what JSON.parse accepts, builds the same value (numbers through Number() on
 * the token, as JSON.parse reads them; `__proto__` an own key), and refuses what JSON.parse lets
 * through or handles badly:
 *
 * - text longer than a limit, refused before any of it is read;
 * - nesting deeper than a limit: the reader keeps its open containers on an explicit stack (no
 *   recursion, so no stack overflow however deep the input), and nothing downstream has to walk
 *   an unbounded tree;
 * - a key given twice in one object (JSON.parse keeps the last silently; other readers keep the
 *   first), named by its path: `optimizer.lr: duplicate key`;
 * - a number beyond double range (1e400 reads as Infinity, which JSON.stringify then writes as
 *   null) or a non-zero number below it (1e-400 reads as 0), named by its path.
 *
 * Syntax errors name the line and column, the field they are in, and quote a short excerpt of the
 * line with control characters escaped, so a message is one line however bad the input.
 *
 * Pure TypeScript: no Node or browser APIs; core/.
 */
import { MAX_LISTED_ERRORS, SpecError, SpecErrors, fieldKey, printable } from './errors.ts';

export interface JSONLimits {
  /** Most characters of text (callers reading bytes bound the bytes by the same number: a UTF-8 byte count is never below the character count). */
  readonly maxChars: number;
  /** Most levels of nested objects and arrays (the top-level value's container is level 1). */
  readonly maxDepth: number;
}

/** The text is not JSON (or too long to read): where, and why. */
export class JSONSyntaxError extends Error {
  override readonly name = 'JSONSyntaxError';
  constructor(
    message: string,
    /** 1-based line and column (in UTF-16 units) of the problem; 0 when it is about the whole text. */
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

type Container = Record<string, unknown> | unknown[];

interface Frame {
  readonly value: Container;
  readonly array: boolean;
  /** The key whose value is being read (objects), and where it starts in the text. */
  key: string;
  keyAt: number;
  /** False while the key itself is being read: the reader is then in the object, at no field yet. */
  keyRead: boolean;
}

// Character codes the reader compares against.
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const PLUS = 0x2b;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const COLON = 0x3a;
const UPPER_E = 0x45;
const LBRACKET = 0x5b;
const BACKSLASH = 0x5c;
const RBRACKET = 0x5d;
const LOWER_E = 0x65;
const LBRACE = 0x7b;
const RBRACE = 0x7d;

/** Sticky patterns for the hot paths: a run of whitespace, of plain string characters, a number. */
const WHITESPACE = /[ \t\n\r]*/y;
/** Characters a string holds as they are: anything but a quote, a backslash or a control character. */
const PLAIN = /[^"\\\u0000-\u001f]*/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/**
 * Parses `text` as JSON within `limits`.
 *
 * Throws JSONSyntaxError when the text is not JSON (or too long), SpecErrors listing every
 * duplicate key and out-of-range number (or the one place it nests too deep), each at its path.
 */
export function parseJSON(text: string, limits: JSONLimits): unknown {
  if (text.length > limits.maxChars) {
    throw new JSONSyntaxError(`${text.length} characters is more than the ${limits.maxChars} allowed`, 0, 0);
  }
  const problems: SpecError[] = [];
  let unlisted = 0;
  /** Records a problem at the current path; past what SpecErrors lists, only counts it (a million duplicate keys cost no more than one). */
  const problem = (message: () => string): void => {
    if (problems.length < MAX_LISTED_ERRORS) problems.push(new SpecError(path(), message()));
    else unlisted++;
  };
  const stack: Frame[] = [];
  const n = text.length;
  let pos = 0;

  const path = (): string => {
    const parts: string[] = [];
    for (const f of stack) {
      if (f.array) parts.push(String((f.value as unknown[]).length));
      else if (f.keyRead) parts.push(fieldKey(f.key));
      else break;
    }
    return parts.join('.');
  };

  // Line of a position, counted on from the last one asked for (positions asked for only grow
  // while reading, so a text with many problems is still scanned once).
  let lineOf = { at: 0, line: 1, start: 0 };
  const where = (at: number): { line: number; column: number } => {
    let { line, start } = at >= lineOf.at ? lineOf : { line: 1, start: 0 };
    for (let i = text.indexOf('\n', start); i !== -1 && i < at; i = text.indexOf('\n', i + 1)) {
      line++;
      start = i + 1;
    }
    lineOf = { at, line, start };
    return { line, column: at - start + 1 };
  };

  /** What is at `at`, for "got …". */
  const got = (at: number): string => {
    if (at >= n) return 'the end of the text';
    const c = text[at] as string;
    const word = /^(?:-?Infinity|NaN|undefined)/.exec(text.slice(at, at + 9));
    if (word) return `${word[0]} (JSON numbers are finite: write a number)`;
    if (c === "'") return `' (JSON strings take double quotes)`;
    if (c === '/' && (text[at + 1] === '/' || text[at + 1] === '*')) return `${text.slice(at, at + 2)} (JSON has no comments)`;
    return `'${printable(String.fromCodePoint(text.codePointAt(at) as number))}'`;
  };

  const fail = (at: number, what: string): never => {
    const { line, column } = where(at);
    const lineStart = text.lastIndexOf('\n', at - 1) + 1;
    const nl = text.indexOf('\n', at);
    const lineEnd = nl === -1 ? n : nl;
    const from = Math.max(lineStart, at - 24);
    const to = Math.min(lineEnd, at + 16);
    const excerpt = `${from > lineStart ? '...' : ''}${printable(text.slice(from, to), 48)}${to < lineEnd ? '...' : ''}`;
    const top = stack[stack.length - 1];
    const here = path();
    const inside = top === undefined ? '' : !top.array && !top.keyRead ? ` (in ${here || 'the top-level object'})` : ` (reading ${here})`;
    throw new JSONSyntaxError(`line ${line}, column ${column}${inside}: ${what}; the line reads: ${excerpt}`, line, column);
  };

  const skipWs = (): void => {
    const c = text.charCodeAt(pos);
    if (c !== SPACE && c !== LF && c !== CR && c !== TAB) return;
    WHITESPACE.lastIndex = pos + 1;
    WHITESPACE.test(text);
    pos = WHITESPACE.lastIndex;
  };

  const readString = (): string => {
    const open = pos;
    pos++; // the opening quote
    let start = pos;
    let parts: string[] | null = null;
    for (;;) {
      // Skip a run of ordinary characters at once.
      PLAIN.lastIndex = pos;
      PLAIN.test(text);
      pos = PLAIN.lastIndex;
      if (pos >= n) return fail(open, 'a string that never ends (no closing ")');
      const c = text.charCodeAt(pos);
      if (c === QUOTE) {
        const tail = text.slice(start, pos);
        pos++;
        return parts === null ? tail : (parts.push(tail), parts.join(''));
      }
      if (c < 0x20) return fail(pos, `a raw control character (U+${c.toString(16).padStart(4, '0').toUpperCase()}) inside a string; write it escaped, e.g. \\n`);
      if (c === BACKSLASH) {
        parts ??= [];
        parts.push(text.slice(start, pos));
        const e = text[pos + 1];
        if (e === 'u') {
          const hex = text.slice(pos + 2, pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) return fail(pos, 'a \\u escape needs four hexadecimal digits');
          parts.push(String.fromCharCode(parseInt(hex, 16)));
          pos += 6;
        } else if (e !== undefined && Object.hasOwn(ESCAPES, e)) {
          parts.push(ESCAPES[e] as string);
          pos += 2;
        } else {
          return fail(pos, `an unknown escape \\${e === undefined ? '' : printable(e)} in a string (allowed: \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)`);
        }
        start = pos;
        continue;
      }
      pos++;
    }
  };

  const digits = (): number => {
    const s = pos;
    while (pos < n) {
      const c = text.charCodeAt(pos);
      if (c < ZERO || c > NINE) break;
      pos++;
    }
    return pos - s;
  };

  /** Records a number JSON.parse would silently turn into Infinity or 0; returns the value read. */
  const numberProblem = (token: string, v: number, mantissa: string): number => {
    if (!Number.isFinite(v)) {
      problem(() => `${printable(token, 40)} is beyond double range (magnitude at most ${Number.MAX_VALUE})`);
    } else if (v === 0 && /[1-9]/.test(mantissa)) {
      problem(() => `${printable(token, 40)} is below double range (it would read as 0; the smallest is ${Number.MIN_VALUE}); write 0 if 0 is meant`);
    }
    return v;
  };

  const readNumber = (): number => {
    const start = pos;
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    // A well-formed number not followed by more of one (a leading zero, a stray '.' or 'e'): the
    // common case, read without the character-by-character scan below.
    const after = text.charCodeAt(NUMBER.lastIndex);
    if (m !== null && !((after >= ZERO && after <= NINE) || after === DOT || after === LOWER_E || after === UPPER_E)) {
      pos = NUMBER.lastIndex;
      const v = Number(m[0]);
      if (!Number.isFinite(v) || v === 0) return numberProblem(m[0], v, m[0].split(/[eE]/)[0] as string);
      return v;
    }
    if (text.charCodeAt(pos) === MINUS) pos++;
    const intStart = pos;
    const intDigits = digits();
    if (intDigits === 0) return fail(pos, `expected a digit after '-', got ${got(pos)}`);
    if (intDigits > 1 && text.charCodeAt(intStart) === ZERO) return fail(intStart, 'a number with a leading zero (JSON has no octal; write 8, not 08)');
    if (text.charCodeAt(pos) === DOT) {
      pos++;
      if (digits() === 0) return fail(pos, `expected a digit after the decimal point, got ${got(pos)}`);
    }
    const mantissaEnd = pos;
    const e = text.charCodeAt(pos);
    if (e === LOWER_E || e === UPPER_E) {
      pos++;
      const sign = text.charCodeAt(pos);
      if (sign === PLUS || sign === MINUS) pos++;
      if (digits() === 0) return fail(pos, `expected a digit in the exponent, got ${got(pos)}`);
    }
    const token = text.slice(start, pos);
    return numberProblem(token, Number(token), text.slice(start, mantissaEnd));
  };

  const literal = (word: string, value: unknown): unknown => {
    if (text.startsWith(word, pos)) {
      pos += word.length;
      return value;
    }
    return fail(pos, `expected a value, got ${got(pos)}`);
  };

  /** Reads `"key":` into the top frame. */
  const readKey = (frame: Frame, afterComma: boolean): void => {
    frame.keyRead = false;
    if (text.charCodeAt(pos) !== QUOTE) {
      const trailing = afterComma && text.charCodeAt(pos) === RBRACE ? ' (a comma after the last field?)' : '';
      fail(pos, `expected a field name in double quotes, got ${got(pos)}${trailing}`);
    }
    frame.keyAt = pos;
    frame.key = readString();
    frame.keyRead = true;
    skipWs();
    if (text.charCodeAt(pos) !== COLON) fail(pos, `expected ':' after the field name "${printable(frame.key, 40)}", got ${got(pos)}`);
    pos++;
    skipWs();
  };

  const open = (value: Container, array: boolean): void => {
    if (stack.length >= limits.maxDepth) {
      const at = where(pos);
      // Listed whatever came before it: it is why reading stopped.
      const before = problems.slice(0, MAX_LISTED_ERRORS - 1);
      before.push(new SpecError(path(), `nested deeper than ${limits.maxDepth} levels (line ${at.line}, column ${at.column}); a spec nests a few levels at most`));
      throw new SpecErrors(before, unlisted + problems.length - (before.length - 1));
    }
    stack.push({ value, array, key: '', keyAt: 0, keyRead: false });
  };

  skipWs();
  if (pos >= n) throw new JSONSyntaxError('it is empty (no JSON value)', 1, 1);
  let value: unknown;
  for (;;) {
    // Read one value; an opened container continues with its first member.
    const c = text.charCodeAt(pos);
    if (c === LBRACE || c === LBRACKET) {
      const array = c === LBRACKET;
      const container = array ? [] : {};
      open(container, array);
      pos++;
      skipWs();
      if (text.charCodeAt(pos) === (array ? RBRACKET : RBRACE)) {
        pos++;
        stack.pop();
        value = container;
      } else {
        if (!array) readKey(stack[stack.length - 1] as Frame, false);
        continue;
      }
    } else if (c === QUOTE) {
      value = readString();
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      value = readNumber();
    } else if (c === 0x74) {
      value = literal('true', true);
    } else if (c === 0x66) {
      value = literal('false', false);
    } else if (c === 0x6e) {
      value = literal('null', null);
    } else {
      fail(pos, `expected a value, got ${got(pos)}`);
    }

    // Place the value in its container; close containers that end here.
    let next = false;
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as Frame;
      if (top.array) {
        (top.value as unknown[]).push(value);
      } else {
        const o = top.value as Record<string, unknown>;
        if (Object.hasOwn(o, top.key)) {
          problem(() => {
            const at = where(top.keyAt);
            return `duplicate key (again at line ${at.line}, column ${at.column}); a spec gives each field once`;
          });
        } else if (top.key === '__proto__') {
          // As JSON.parse does: an own key, not the object's prototype.
          Object.defineProperty(o, top.key, { value, writable: true, enumerable: true, configurable: true });
        } else {
          o[top.key] = value;
        }
      }
      skipWs();
      const d = text.charCodeAt(pos);
      if (d === COMMA) {
        pos++;
        skipWs();
        if (top.array) {
          if (text.charCodeAt(pos) === RBRACKET) fail(pos, `expected a value, got ']' (a comma after the last element?)`);
        } else {
          readKey(top, true);
        }
        next = true;
        break;
      }
      if (d === (top.array ? RBRACKET : RBRACE)) {
        pos++;
        stack.pop();
        value = top.value;
        continue;
      }
      fail(pos, `expected ',' or '${top.array ? ']' : '}'}' after ${top.array ? 'an element' : `the value of "${printable(top.key, 40)}"`}, got ${got(pos)}`);
    }
    if (next) continue;
    break;
  }
  skipWs();
  if (pos < n) fail(pos, `unexpected ${got(pos)} after the end of the JSON value`);
  if (problems.length > 0) throw new SpecErrors(problems, unlisted);
  return value;
}

/** A JSON object (not an array, not null): one definition for the spec reader, the editor and the link reader. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The spec inside a basinlab result document, or undefined where `json` is not one. Every document
 * basinlab writes holds its spec under `spec`: a sweep's beside its `engine` (a network's also has a
 * top-level `network`, its model's size, so that key alone does not make a spec: review 18), a
 * trajectory document beside its `paths`, a validate report beside its `pairs`. A spec has no `spec`
 * key, so `{ "spec": … }` with neither `surface` nor `network` beside it is read as a wrapper too.
 * The one test for the CLI (a result file given as a spec is said in one line) and the app (an
 * imported result opens its spec).
 */
export function resultDocumentSpec(json: unknown): unknown {
  if (!isRecord(json) || !isRecord(json.spec)) return undefined;
  const result =
    typeof json.engine === 'string' || Array.isArray(json.paths) || Array.isArray(json.pairs) || (!Object.hasOwn(json, 'surface') && !Object.hasOwn(json, 'network'));
  return result ? json.spec : undefined;
}

