/**
 * The dependency arrows of src/ (docs: /work/shared/design.md): core <- engine <- io <- view <-
 * studies <- app/cli. Reads every .ts file under src/, resolves its relative imports (static,
 * re-exports, side-effect, dynamic and `new URL(…, import.meta.url)` worker references) and fails
 * with the list of imports that point the wrong way.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', 'src');

/** Which top-level folders of src/ each layer may import (its own included). */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  core: ['core'],
  engine: ['core', 'engine'],
  io: ['core', 'engine', 'io'],
  view: ['core', 'view'],
  studies: ['core', 'engine', 'view', 'studies'],
  app: ['core', 'engine', 'io', 'view', 'studies', 'app'],
  cli: ['core', 'engine', 'io', 'view', 'studies', 'cli'],
};

/** Narrower rules: files under `from` must not import anything under `to`. */
const FORBIDDEN: readonly { from: string; to: string; why: string }[] = [
  { from: 'app/components/', to: 'engine/gpu/', why: 'components draw results through Engine.deviceResults(), not GPU engine internals' },
  // Controllers hold state and logic; components render it. A controller that needs a component's
  // file has found DOM-free logic in the wrong folder (the editor's spec-edit.ts was: review 9).
  { from: 'app/controllers/', to: 'app/components/', why: 'controllers are below the components that render them' },
  { from: 'app/heatmap/', to: 'app/components/', why: 'the heatmap renderers are below the components that use them' },
  // The two engines are peers: what both need (a run's initial weights, the sharpness start vector)
  // is the plan's, in core/ (review 9 found the GPU drawing its weights through the CPU engine).
  { from: 'engine/gpu/', to: 'engine/cpu/', why: 'the engines share core/, not each other' },
  { from: 'engine/cpu/', to: 'engine/gpu/', why: 'the engines share core/, not each other' },
];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.isFile() && e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Module specifiers a file imports: import/export … from, import '…', import('…'), new URL('…', import.meta.url). */
function importsOf(text: string): string[] {
  const out: string[] = [];
  const patterns = [
    // Statements only (line start), so prose in comments ("… import from …") does not count.
    /^\s*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\bnew\s+URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url/g,
  ];
  for (const re of patterns) for (const m of text.matchAll(re)) out.push(m[1] as string);
  return out;
}

/** src-relative posix path of what a relative specifier in `file` points at, or null for packages. */
function target(file: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  return relative(SRC, join(dirname(file), spec)).split(sep).join(posix.sep);
}

interface Offence {
  readonly file: string;
  readonly imports: string;
  readonly rule: string;
}

/** Every import in `files` (src-relative path -> text) that breaks a rule. */
function offences(files: ReadonlyMap<string, string>): Offence[] {
  const out: Offence[] = [];
  for (const [rel, text] of files) {
    const layer = rel.split('/')[0] as string;
    const allowed = ALLOWED[layer];
    for (const spec of importsOf(text)) {
      const to = target(join(SRC, rel), spec);
      if (to === null) continue;
      const toLayer = to.split('/')[0] as string;
      // Files outside src/ (shaders, package.json) are resources, not layers.
      if (to.startsWith('..')) continue;
      if (!allowed) {
        out.push({ file: rel, imports: spec, rule: `src/${layer} is not a known layer (add it to ALLOWED)` });
      } else if (!allowed.includes(toLayer)) {
        out.push({ file: rel, imports: spec, rule: `${layer} may import only ${allowed.join(', ')}; this is ${toLayer}` });
      }
      for (const f of FORBIDDEN) {
        if (rel.startsWith(f.from) && to.startsWith(f.to)) out.push({ file: rel, imports: spec, rule: `${f.from} must not import ${f.to}: ${f.why}` });
      }
    }
  }
  return out;
}

function readSrc(): Map<string, string> {
  return new Map(tsFiles(SRC).map((p) => [relative(SRC, p).split(sep).join(posix.sep), readFileSync(p, 'utf8')]));
}

const report = (os: readonly Offence[]): string => os.map((o) => `  src/${o.file} imports '${o.imports}': ${o.rule}`).join('\n');

describe('dependency arrows of src/', () => {
  it('has every file under a known layer, and finds the imports it checks', () => {
    const files = readSrc();
    const layers = new Set([...files.keys()].map((f) => f.split('/')[0]));
    expect([...layers].sort()).toEqual(Object.keys(ALLOWED).sort());
    // The parser sees the kinds of import the code uses (a broken parser would pass everything).
    const app = files.get('app/components/app.ts') ?? '';
    expect(importsOf(app)).toContain('./heatmap.ts');
    expect(importsOf(app)).toContain('lit');
    const spawn = files.get('engine/cpu/spawn-browser.ts') ?? '';
    expect(importsOf(spawn).some((s) => s.includes('worker'))).toBe(true);
  });

  it('points every import down: core <- engine <- io <- view <- studies <- app/cli', () => {
    const bad = offences(readSrc());
    expect(bad, `imports against the layering:\n${report(bad)}`).toEqual([]);
  });

  it('reports an import against the layering, naming the file and the rule', () => {
    const files = new Map([
      ['core/x.ts', "import { a } from '../app/colors.ts';\nimport type {\n  B,\n} from '../engine/engine.ts';\n"],
      ['studies/y.ts', "export { c } from '../app/z.ts';\nimport '../cli/main.ts';\n"],
      ['app/components/w.ts', "const m = await import('../../engine/gpu/engine.ts');\nimport { ok } from '../../engine/engine.ts';\n"],
      ['view/v.ts', "/** Nothing here: import { x } from '../app/a.ts' is prose. */\nimport { y } from './ticks.ts';\n"],
    ]);
    const bad = offences(files);
    expect(bad.map((o) => `${o.file} -> ${o.imports}`)).toEqual([
      'core/x.ts -> ../app/colors.ts',
      'core/x.ts -> ../engine/engine.ts',
      'studies/y.ts -> ../app/z.ts',
      'studies/y.ts -> ../cli/main.ts',
      'app/components/w.ts -> ../../engine/gpu/engine.ts',
    ]);
    expect(report(bad)).toContain("src/core/x.ts imports '../app/colors.ts': core may import only core; this is app");
    expect(report(bad)).toContain('app/components/ must not import engine/gpu/');
  });
});
