/** File input for the CLI: specs in (files out: src/io/text-file.ts and the sinks, atomically). */
import { readFileSync } from 'node:fs';
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
