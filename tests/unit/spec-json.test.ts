/**
 * The strict JSON reader (core/json.ts) and the spec file reader built on it (cli/io.ts): it reads
 * exactly what JSON.parse reads, the same way, and refuses with one clear line what JSON.parse
 * lets through or handles badly (duplicate keys, numbers beyond double range, deep nesting, huge
 * input), naming the field or the line and column.
 */
import { closeSync, ftruncateSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJSONFile } from '../../src/cli/io.ts';
import { MAX_LISTED_ERRORS, SpecError, SpecErrors } from '../../src/core/errors.ts';
import { JSONSyntaxError, parseJSON } from '../../src/core/json.ts';
import { MAX_SWEEP_DIMS } from '../../src/core/layout.ts';
import { MAX_POINTS, SPEC_JSON_LIMITS, parseSpec, readSpecJSON } from '../../src/core/spec.ts';
import { encodeUrlState } from '../../src/core/url.ts';
import { readLink } from '../../src/app/link.ts';
import { DEFAULT_SPEC } from '../../src/app/defaults.ts';

const LOOSE = { maxChars: 1e9, maxDepth: 1000 };

/** A small seeded generator (mulberry32), so a failure names a case that reproduces. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A value's structure with own keys (including `__proto__`), key order, -0 and prototypes made visible. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return ['array', ...v.map(shape)];
  if (v !== null && typeof v === 'object') {
    return ['object', Object.getPrototypeOf(v) === Object.prototype, ...Object.keys(v).map((k) => [k, shape((v as Record<string, unknown>)[k])])];
  }
  return Object.is(v, -0) ? '-0' : v;
}

type Outcome = { ok: unknown } | { syntax: true } | { problems: string[] };
function read(text: string, limits = LOOSE): Outcome {
  try {
    return { ok: shape(parseJSON(text, limits)) };
  } catch (e) {
    if (e instanceof JSONSyntaxError) return { syntax: true };
    if (e instanceof SpecErrors) return { problems: e.errors.map((x) => x.message) };
    throw e;
  }
}

function problems(text: string, limits = LOOSE): string[] {
  const r = read(text, limits);
  if (!('problems' in r)) throw new Error(`expected problems, got ${JSON.stringify(r)}`);
  return r.problems;
}

function syntaxError(text: string, limits = LOOSE): JSONSyntaxError {
  try {
    parseJSON(text, limits);
  } catch (e) {
    if (e instanceof JSONSyntaxError) return e;
    throw e;
  }
  throw new Error(`accepted: ${text}`);
}

describe('parseJSON reads what JSON.parse reads, the same way', () => {
  it('agrees with JSON.parse on 60,000 seeded fragments: accepted alike (same value, own __proto__), refused alike', () => {
    const pieces = ['{', '}', '[', ']', ',', ':', '"a"', '"b"', '"__proto__"', '1', '-', '0', '.', 'e', 'E', '+', '5', 'true', 'fals', 'null', ' ', '\n', '\t', '"\\u00', '"\\u0041"', '"\\n"', '"x\\"', '01', '-0', '1.5e-3', "'", '"\u2028"', '\u00a0', '"\\ud800"'];
    const next = rng(1);
    let accepted = 0;
    for (let i = 0; i < 60_000; i++) {
      let text = '';
      const len = 1 + Math.floor(next() * 12);
      for (let j = 0; j < len; j++) text += pieces[Math.floor(next() * pieces.length)];
      let expected: Outcome;
      try {
        expected = { ok: shape(JSON.parse(text)) };
      } catch {
        expected = { syntax: true };
      }
      const got = read(text);
      // A duplicate key and a number JSON.parse would read as Infinity or 0 are what it accepts
      // and the reader refuses (at its path).
      if ('problems' in got) {
        expect('ok' in expected, text).toBe(true);
        expect(got.problems.every((p) => /duplicate key|(beyond|below) double range/.test(p)), text).toBe(true);
        continue;
      }
      expect(got, JSON.stringify(text)).toEqual(expected);
      if ('ok' in got) accepted++;
    }
    expect(accepted).toBeGreaterThan(1000);
  });

  it('reads every spec JSON.stringify writes, compact and indented, to the same value', () => {
    const next = rng(2);
    const value = (depth: number): unknown => {
      const r = next();
      if (depth > 4 || r < 0.35) return [1.5, -0, 'x\n\u2028"\\', true, null, 1e-7, 1.2345678901234567e-300, 2 ** 53 + 2, -1e308, 'é😀'][Math.floor(next() * 10)];
      if (r < 0.6) return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1));
      const o: Record<string, unknown> = {};
      for (let k = 0; k < next() * 4; k++) o[`k${Math.floor(next() * 1000)}`] = value(depth + 1);
      return o;
    };
    for (let i = 0; i < 3000; i++) {
      const v = value(0);
      for (const text of [JSON.stringify(v), JSON.stringify(v, null, 2), JSON.stringify(v, null, '\t')]) {
        expect(read(text), text).toEqual({ ok: shape(JSON.parse(text)) });
      }
    }
  });

  it('keeps __proto__ an own key, as JSON.parse does, and never sets the prototype', () => {
    const o = parseJSON('{"__proto__": {"polluted": 1}, "a": 2}', LOOSE) as Record<string, unknown>;
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(Object.hasOwn(o, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('parseJSON refuses at the field what JSON.parse lets through', () => {
  it('a duplicate key, at its path, with where it is given again', () => {
    expect(problems('{"optimizer": {"name": "SGD", "lr": 0.1,\n  "lr": 0.5}}')).toEqual(['optimizer.lr: duplicate key (again at line 2, column 3); a spec gives each field once']);
    expect(problems('[{"a": 1}, {"b": [0, {"c": 1, "c": 1}]}]')).toEqual([expect.stringMatching(/^1\.b\.1\.c: duplicate key/)]);
    // Every duplicate, in one pass.
    expect(problems('{"a": 1, "a": 2, "b": {"x": 1, "x": 2}}').map((m) => m.split(':')[0])).toEqual(['a', 'b.x']);
  });

  it('a number beyond double range or below it, with its path, instead of Infinity (written as null) or 0', () => {
    expect(problems('{"steps": 1e400}')).toEqual(['steps: 1e400 is beyond double range (magnitude at most 1.7976931348623157e+308)']);
    expect(problems('{"start": [0, -1.5e309]}')).toEqual([expect.stringMatching(/^start\.1: -1\.5e309 is beyond double range/)]);
    expect(problems('{"optimizer": {"eps": 1e-400}}')).toEqual([expect.stringMatching(/^optimizer\.eps: 1e-400 is below double range \(it would read as 0.*write 0 if 0 is meant/)]);
    // Zero written any way is zero; the largest and smallest doubles are read.
    expect(read('[0, -0, 0.0, 0e-999, 0.000e5]')).toEqual({ ok: ['array', 0, '-0', 0, 0, 0] });
    expect(parseJSON('[1.7976931348623157e308, 5e-324]', LOOSE)).toEqual([Number.MAX_VALUE, Number.MIN_VALUE]);
    // A huge token is quoted short.
    const long = problems(`{"a": ${'9'.repeat(5000)}}`)[0] ?? '';
    expect(long.length).toBeLessThan(200);
  });

  it('nesting deeper than the limit, at once, whatever follows (no stack overflow: the reader does not recurse)', () => {
    const deep = `{"start": ${'['.repeat(1_000_000)}`;
    const msgs = problems(deep, SPEC_JSON_LIMITS);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatch(new RegExp(`^start(\\.0){${SPEC_JSON_LIMITS.maxDepth - 1}}: nested deeper than ${SPEC_JSON_LIMITS.maxDepth} levels \\(line 1, column \\d+\\)`));
    // The limit itself is allowed.
    const ok = `${'['.repeat(SPEC_JSON_LIMITS.maxDepth)}${']'.repeat(SPEC_JSON_LIMITS.maxDepth)}`;
    expect(() => parseJSON(ok, SPEC_JSON_LIMITS)).not.toThrow();
    expect(() => parseJSON(`[${ok}]`, SPEC_JSON_LIMITS)).toThrow(SpecErrors);
  });

  it('text longer than the limit, before reading it', () => {
    const e = syntaxError('[1, 2, 3]', { maxChars: 5, maxDepth: 4 });
    expect(e.message).toBe('9 characters is more than the 5 allowed');
  });

  it('lists at most MAX_LISTED_ERRORS problems, the last saying how many more there are', () => {
    const text = `{${Array.from({ length: 10_000 }, () => '"k": 1').join(',')}}`;
    const msgs = problems(text);
    expect(msgs).toHaveLength(MAX_LISTED_ERRORS);
    expect(msgs.at(-1)).toMatch(/^k: duplicate key .* \(and 9949 more problems not listed\)$/);
    // Nesting too deep, after many problems, is still listed: it is why reading stopped.
    const deep = problems(`{${Array.from({ length: 60 }, () => '"k": 1').join(',')}, "x": ${'['.repeat(100)}`, SPEC_JSON_LIMITS);
    expect(deep).toHaveLength(MAX_LISTED_ERRORS);
    expect(deep.at(-1)).toMatch(/^x(\.0)+: nested deeper than 32 levels .* \(and 10 more problems not listed\)$/);
  });
});

describe('syntax errors: line, column, what was expected, an escaped one-line excerpt', () => {
  const cases: [string, string, RegExp][] = [
    ['a stray character', '{"optimizer":\n  {"lr": 0.01 x}}', /^line 2, column 15 \(reading optimizer\.lr\): expected ',' or '\}' after the value of "lr", got 'x'; the line reads:   \{"lr": 0\.01 x\}\}$/],
    ['a trailing comma', '{"a": 1,}', /^line 1, column 9 \(in the top-level object\): expected a field name in double quotes, got '\}' \(a comma after the last field\?\)/],
    ['a trailing comma in a list', '{"a": [1,]}', /^line 1, column 10 \(reading a\.1\): expected a value, got '\]' \(a comma after the last element\?\)/],
    ['single quotes', "{'a': 1}", /got ' \(JSON strings take double quotes\)/],
    ['NaN', '{"lr": NaN}', /^line 1, column 8 \(reading lr\): expected a value, got NaN \(JSON numbers are finite: write a number\)/],
    ['-Infinity', '{"lr": -Infinity}', /expected a digit after '-', got Infinity/],
    ['a comment', '{"a": 1 // no\n}', /got \/\/ \(JSON has no comments\)/],
    ['a leading zero', '{"a": 08}', /a number with a leading zero/],
    ['a raw newline in a string', '{"a": "x\ny"}', /^line 1, column 9 \(reading a\): a raw control character \(U\+000A\) inside a string/],
    ['an unknown escape', '{"a": "\\x41"}', /an unknown escape \\x in a string/],
    ['a short \\u escape', '{"a": "\\u12"}', /a \\u escape needs four hexadecimal digits/],
    ['an unterminated string', '{"a": "abc', /^line 1, column 7 \(reading a\): a string that never ends/],
    ['the text ending early', '{"a": [1, 2', /^line 1, column 12 \(reading a\.2\): expected ',' or '\]' after an element, got the end of the text/],
    ['two values', '{"a": 1} {"b": 2}', /^line 1, column 10: unexpected '\{' after the end of the JSON value/],
    ['empty text', '  \n ', /^it is empty \(no JSON value\)$/],
    ['an escape sequence in the text', '\u001b[2J\u001b[31mred', /^line 1, column 1: expected a value, got '\\u001b'; the line reads: \\u001b\[2J\\u001b\[31mred$/],
    ['a byte-order mark (JSON.parse refuses it too)', '\ufeff{}', /got '\\ufeff'/],
  ];
  for (const [name, text, pattern] of cases) {
    it(name, () => {
      const e = syntaxError(text);
      expect(e.message).toMatch(pattern);
      expect(e.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    });
  }

  it('quotes a few characters of a long line, never the line', () => {
    const e = syntaxError(`{"points": [${'1,'.repeat(1_000_000)}x]}`);
    expect(e.message).toMatch(/^line 1, column 2000013 \(reading points\.1000000\): expected a value, got 'x'; the line reads: \.\.\.(1,)+x\]\}$/);
    expect(e.message.length).toBeLessThan(250);
  });
});

describe('the spec limits', () => {
  it('allow the largest legitimate spec: MAX_POINTS points of MAX_SWEEP_DIMS full-precision doubles, pretty-printed', () => {
    const worst = -1.2345678901234567e-100;
    expect(JSON.stringify(worst)).toHaveLength(24);
    const point = Array.from({ length: MAX_SWEEP_DIMS }, () => worst);
    const head = { surface: 'rosenbrock', optimizer: { name: 'SGD', lr: 0.01 }, steps: 1000, sweep: { kind: 'points', params: ['optimizer.lr', 'optimizer.momentum', 'start.0', 'start.1'], points: [point, point] } };
    for (const indent of [0, 2, 4, '\t']) {
      const two = JSON.stringify(head, null, indent).replace(/\n/g, '\r\n');
      const one = JSON.stringify({ ...head, sweep: { ...head.sweep, points: [point] } }, null, indent).replace(/\n/g, '\r\n');
      const perPoint = two.length - one.length;
      expect(one.length + (MAX_POINTS - 1) * perPoint, `indent ${JSON.stringify(indent)}`).toBeLessThanOrEqual(SPEC_JSON_LIMITS.maxChars);
    }
    // and stay far below what a JavaScript string can hold (2^29 - 24 characters in V8).
    expect(SPEC_JSON_LIMITS.maxChars).toBeLessThan(2 ** 28);
    // A real spec nests five levels; the depth limit is above that.
    const nested = { schedule: { name: 'SequentialLR', milestones: [5], schedulers: [{ name: 'MultiStepLR', milestones: [1, 2] }, 'ConstantLR'] }, sweep: { kind: 'points', points: [[1]] } };
    expect(() => readSpecJSON(JSON.stringify(nested))).not.toThrow();
    expect(SPEC_JSON_LIMITS.maxDepth).toBeGreaterThan(5);
  });

  it('a points sweep of 100,000 points reads and validates', () => {
    const points = Array.from({ length: 100_000 }, (_, i) => [1e-4 + i * 1e-9, (i % 100) / 100]);
    const text = JSON.stringify({ surface: 'rosenbrock', optimizer: 'SGD', steps: 10, sweep: { kind: 'points', params: ['optimizer.lr', 'optimizer.momentum'], points } });
    const spec = parseSpec(readSpecJSON(text));
    expect(spec.sweep?.kind === 'points' && spec.sweep.points.length).toBe(100_000);
  });
});

describe('readJSONFile: bounded before reading', () => {
  const dir = mkdtempSync(join(tmpdir(), 'basinlab-json-'));
  const file = (name: string, content: string | Buffer): string => {
    const p = join(dir, name);
    writeFileSync(p, content);
    return p;
  };
  const refusal = (path: string): string => {
    try {
      readJSONFile(path, 'spec');
    } catch (e) {
      if (e instanceof SpecError) return e.message;
      if (e instanceof SpecErrors) return e.message;
      throw e;
    }
    throw new Error(`read ${path}`);
  };

  it('refuses a file larger than the limit by its size, without reading it', () => {
    // A sparse file: its size is past the limit, its content never exists on disk.
    const p = join(dir, 'huge.json');
    const fd = openSync(p, 'w');
    ftruncateSync(fd, SPEC_JSON_LIMITS.maxChars + 1);
    closeSync(fd);
    expect(refusal(p)).toBe(`spec ${p} is ${SPEC_JSON_LIMITS.maxChars + 1} bytes; a spec may be at most ${SPEC_JSON_LIMITS.maxChars} bytes (225 MiB), so this is not one`);
  });

  it('refuses a device or binary file at its first NUL byte (sweep /dev/zero ends at once)', () => {
    expect(refusal('/dev/zero')).toBe('spec /dev/zero is not text: it holds a NUL byte at offset 0');
    expect(refusal(file('bin.json', Buffer.from([0x7b, 0x7d, 0x0a, 0x00])))).toMatch(/is not text: it holds a NUL byte at offset 3$/);
  });

  it('refuses a directory, a missing file, text that is not UTF-8 and an empty file, each in one line', () => {
    expect(refusal(dir)).toBe(`cannot read spec ${dir}: it is a directory`);
    expect(refusal(join(dir, 'missing.json'))).toMatch(/^cannot read spec .*missing\.json: no such file$/);
    expect(refusal(file('latin1.json', Buffer.from('{"a": "caf\xe9"}', 'latin1')))).toMatch(/^spec .*latin1\.json is not UTF-8 text$/);
    expect(refusal(file('empty.json', ''))).toMatch(/^spec .*empty\.json is not valid JSON: it is empty/);
    expect(refusal(file('odd\nname.json', '{'))).toMatch(/^spec .*odd\\nname\.json is not valid JSON: line 1, column 2/);
  });

  it('reads a spec with a byte-order mark, and reports duplicate keys and overflow at their fields', () => {
    expect(readJSONFile(file('bom.json', '\ufeff{"a": 1}'), 'spec')).toEqual({ a: 1 });
    expect(refusal(file('dup.json', '{"steps": 1, "steps": 2}'))).toMatch(/^steps: duplicate key/);
    expect(refusal(file('inf.json', '{"steps": 1e999}'))).toMatch(/^steps: 1e999 is beyond double range/);
  });
});

describe('links: the same reader', () => {
  it('a link whose spec has a duplicate key or a deep value is refused in one message, naming the field', () => {
    const b64 = (t: string): string => Buffer.from(t).toString('base64url');
    // As the app reads a link (readLink): the default view, and one notice naming the field.
    const read = (hash: string): { steps: unknown; notices: readonly string[] } => {
      const r = readLink(hash, DEFAULT_SPEC);
      return { steps: r.spec?.steps, notices: r.notices };
    };
    expect(read(`#s=${b64('{"steps": 1, "steps": 2}')}`)).toEqual({ steps: DEFAULT_SPEC.steps, notices: [expect.stringMatching(/^The link's spec could not be read \(steps: duplicate key/)] });
    expect(read(`#s=${b64(`{"start": ${'['.repeat(10_000)}`)}`).notices).toEqual([expect.stringMatching(/^The link's spec could not be read \(start(\.0)+: nested deeper than 32 levels/)]);
    expect(read(`#s=${b64('{"a": ')}`).notices).toEqual([expect.stringMatching(/^The link's spec could not be read \(it is not complete JSON \(cut short\?\): line 1, column 7/)]);
    // Bytes that are not UTF-8 are no spec (a lenient decoder would hand on U+FFFD).
    expect(read(`#s=${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')}`).notices).toEqual([expect.stringMatching(/could not be read \(it is not base64url text\)/)]);
    expect(read(encodeUrlState({ ...DEFAULT_SPEC, steps: 5 }))).toEqual({ steps: 5, notices: [] });
  });
});
