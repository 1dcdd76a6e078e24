/**
 * core/ is environment-free: the results encoder, the column derivation and everything else there
 * run unchanged in Node and in the browser, so core imports no Node API, no package, and nothing
 * of ours outside core.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('core', () => {
  it('imports only core files', () => {
    const core = resolve('src/core');
    const files = tsFiles(core);
    expect(files.map((f) => relative(core, f))).toEqual(expect.arrayContaining(['columns.ts', 'encode.ts', 'results.ts']));
    const bad: string[] = [];
    for (const f of files) {
      for (const m of readFileSync(f, 'utf8').matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
        const spec = m[1] as string;
        const target = spec.startsWith('.') ? resolve(dirname(f), spec) : null;
        if (target === null || !target.startsWith(`${core}/`)) bad.push(`${relative(core, f)} imports ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
