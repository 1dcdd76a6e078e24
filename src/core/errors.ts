/**
 * Errors a user can act on. Each carries a one-line message naming what was wrong and what is
 * allowed; the CLI prints the message (no stack trace) and exits with 2 for bad input.
 */

/**
 * Characters that must not reach a terminal raw from user input: C0 and C1 controls (a newline
 * would split one problem over two lines, an escape sequence would drive the terminal), DEL, the
 * line and paragraph separators, bidirectional overrides (text that reads differently from what it
 * is), the byte-order mark and unpaired surrogates.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/**
 * User-supplied text as it may appear in a one-line message: unprintable characters escaped the
 * way JSON writes them (`\n`, `\u001b`), and cut to `max` characters (then ending in `...`), so
 * that no input, however long or strange, makes a message long or multi-line.
 */
export function printable(text: string, max = 60): string {
  let cut = text.length > max ? text.slice(0, max) : text;
  // Never end on half of a surrogate pair.
  if (cut.length < text.length && /[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  const out = cut.replace(UNPRINTABLE, (c) => SHORT_ESCAPES[c] ?? `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, '0')}`);
  return cut.length < text.length ? `${out}...` : out;
}

/**
 * A user's key as one part of a field path in a message: as it is when it reads unambiguously as
 * a name (letters, digits, `_`, `$`; at most 40 characters), else quoted as JSON quotes it and cut
 * to 40 characters, so that an empty key, a key with a dot or a space, or a key of a megabyte each
 * reads as what it is: `optimizer."lr "`, `sweep."sweep.x"`, `""`.
 */
export function fieldKey(key: string): string {
  if (key.length <= 40 && /^[A-Za-z0-9_$]+$/.test(key)) return key;
  const quoted = JSON.stringify(key.length > 40 ? key.slice(0, 40) : key);
  return printable(key.length > 40 ? `${quoted.slice(0, -1)}..."` : quoted, 1000);
}

/**
 * Longest message a SpecError carries. Messages quote user input only through `printable` (cut
 * short); this is the last guard that no message prints a whole value, however it was built.
 */
const MAX_MESSAGE = 1000;

/** A spec, flag or file the user supplied is invalid. `path` is the offending field, e.g. `optimizer.lr`. */
export class SpecError extends Error {
  override readonly name = 'SpecError';
  /** The message without the path. */
  readonly detail: string;
  constructor(
    readonly path: string,
    message: string,
  ) {
    const line = printable(path ? `${path}: ${message}` : message, MAX_MESSAGE);
    super(line);
    this.detail = path && line.startsWith(`${path}: `) ? line.slice(path.length + 2) : printable(message, MAX_MESSAGE);
  }
}

/**
 * Most problems one SpecErrors lists. A hostile spec can hold a million unknown keys; a person
 * reads the first few, fixes them, and runs again.
 */
export const MAX_LISTED_ERRORS = 50;

/** Several spec problems found in one pass, reported together (at most MAX_LISTED_ERRORS, the last saying how many more). */
export class SpecErrors extends Error {
  override readonly name = 'SpecErrors';
  readonly errors: readonly SpecError[];
  /** `unlisted`: problems found beyond those in `errors` and not kept (a reader may stop keeping them). */
  constructor(errors: readonly SpecError[], unlisted = 0) {
    let listed = errors;
    if (errors.length > MAX_LISTED_ERRORS || (unlisted > 0 && errors.length > 0)) {
      const keep = Math.min(errors.length, MAX_LISTED_ERRORS);
      const last = errors[keep - 1] as SpecError;
      const more = errors.length - keep + unlisted;
      listed = [...errors.slice(0, keep - 1), new SpecError(last.path, `${last.detail} (and ${more} more problem${more === 1 ? '' : 's'} not listed)`)];
    }
    super(listed.map((e) => e.message).join('\n'));
    this.errors = listed;
  }
}

/** No WebGPU adapter, or the device could not be created. */
export class GpuUnavailableError extends Error {
  override readonly name = 'GpuUnavailableError';
  /** What to do instead, for the CLI's message (validate has no --engine to switch). */
  constructor(
    message: string,
    readonly instead = 'use --engine cpu',
  ) {
    super(message);
  }
}

/** The device was lost or ran out of memory during a run; the run's partial results are discarded. */
export class GpuRunError extends Error {
  override readonly name = 'GpuRunError';
  constructor(
    message: string,
    readonly kind: 'device-lost' | 'out-of-memory' | 'validation' | 'internal',
  ) {
    super(message);
  }
}

/** The run was cancelled through its AbortSignal. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor() {
    super('run cancelled');
  }
}
