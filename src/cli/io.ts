/** File input for the CLI: specs in (files out: src/io/text-file.ts and the sinks, atomically). */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { SpecError, printable } from '../core/errors.ts';
import { JSONSyntaxError } from '../core/json.ts';
import { SPEC_JSON_LIMITS, readSpecJSON } from '../core/spec.ts';

/** What messages call the input: `spec s.json`, or `spec on standard input` for `-`. */
function sourceName(path: string, what: string): string {
  return path === '-' ? `${what} on standard input` : `${what} ${printable(path, 200)}`;
}

/**
 * The bytes of a file, refusing more than `limit` before reading them: a regular file by its size
 * (a 5 GB file is refused without reading a byte of it), anything else (a pipe, /dev/stdin,
 * /dev/zero) by reading at most limit + 1 bytes. Text holds no NUL byte, so a file with one is
 * refused at the first chunk holding it (`sweep /dev/zero` ends at once).
 */
function readBounded(path: string, what: string, limit: number): Buffer {
  // `-` is standard input, read from its descriptor: opening /dev/stdin fails where it is a socket (ENXIO).
  const stdin = path === '-';
  const name = sourceName(path, what);
  const cannot = (e: unknown): SpecError => {
    const code = (e as NodeJS.ErrnoException).code;
    // In words where the code is common (walkthrough 13: a missing spec read "ENOENT").
    const words = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? (e as Error).message);
    return new SpecError('', `cannot read ${name}: ${words}`);
  };
  let fd: number;
  try {
    fd = stdin ? 0 : openSync(path, 'r');
  } catch (e) {
    throw cannot(e);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new SpecError('', `cannot read ${name}: it is a directory`);
    const tooBig = (size: string): SpecError =>
      new SpecError('', `${name} is ${size}; a ${what} may be at most ${limit} bytes (${(limit / 2 ** 20).toFixed(0)} MiB), so this is not one`);
    if (st.isFile() && st.size > limit) throw tooBig(`${st.size} bytes`);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, limit + 1 - total));
      let got: number;
      try {
        got = readSync(fd, chunk, 0, chunk.length, null);
      } catch (e) {
        throw cannot(e);
      }
      if (got === 0) break;
      const nul = chunk.subarray(0, got).indexOf(0);
      if (nul !== -1) throw new SpecError('', `${name} is not text: it holds a NUL byte at offset ${total + nul}`);
      chunks.push(chunk.subarray(0, got));
      total += got;
      if (total > limit) throw tooBig(`more than ${limit} bytes`);
    }
    return Buffer.concat(chunks, total);
  } finally {
    if (!stdin) closeSync(fd);
  }
}

/**
 * A JSON file, read within the spec limits (SPEC_JSON_LIMITS) by the strict reader: syntax errors
 * name the line and column; duplicate keys, numbers beyond double range and nesting too deep are
 * refused at their field (SpecErrors). A leading byte-order mark is skipped.
 */
export function readJSONFile(path: string, what: string): unknown {
  const bytes = readBounded(path, what, SPEC_JSON_LIMITS.maxChars);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new SpecError('', `${sourceName(path, what)} is not UTF-8 text`);
  }
  try {
    return readSpecJSON(text);
  } catch (e) {
    if (e instanceof JSONSyntaxError) throw new SpecError('', `${sourceName(path, what)} is not valid JSON: ${e.message}`);
    throw e;
  }
}
