/** File input and output for the CLI: specs in, results out (atomically: temp name, then rename). */
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { SpecError } from '../core/errors.ts';

export function readJSONFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SpecError('', `cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SpecError('', `${what} ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * Writes through `produce` into `path.partial-<pid>` and renames it to `path` only when production
 * finished, so an interrupted or failed run never leaves a half-written file under the final name.
 */
export function writeAtomically(path: string, produce: (write: (chunk: string) => void) => void): void {
  const tmp = `${path}.partial-${process.pid}`;
  const fd = openSync(tmp, 'w');
  let ok = false;
  try {
    // Buffer small fragments into ~1 MB writes.
    let buf: string[] = [];
    let size = 0;
    const flush = (): void => {
      if (buf.length > 0) writeSync(fd, buf.join(''));
      buf = [];
      size = 0;
    };
    produce((chunk) => {
      buf.push(chunk);
      size += chunk.length;
      if (size > 1 << 20) flush();
    });
    flush();
    ok = true;
  } finally {
    closeSync(fd);
    if (ok) renameSync(tmp, path);
    else rmSync(tmp, { force: true });
  }
}
