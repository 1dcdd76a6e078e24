/**
 * Hostile specs through the CLI (tests/hostile/generate.ts: a few hundred seeded mutations of
 * valid specs). Every case must end in exactly one of two ways:
 *
 * - exit 0 with a complete, readable result (every column of every run; the spec it ran), or
 * - exit 2 with one stderr line per problem, each `basinlab: invalid spec: <field>: <message>`
 *   where <field> is a real field of the input (or, for a file that is not a JSON spec at all,
 *   `basinlab: spec <file> ...` / `basinlab: cannot read spec <file>: ...`; for a valid network
 *   too large for this machine or a thread's heap, one `basinlab: network.hidden: a run of this
 *   network ...` line),
 *
 * and never another exit code, a stack trace, a hang, or a file left behind (no partial file, no
 * output on error). Every case runs `sweep` in-process on the cpu engine (the CLI's own `main`),
 * and every valid one on cpu64; samples run through real child processes, on the gpu engine, and
 * through `trajectory` and `validate`.
 *
 * BASINLAB_HOSTILE_SEED=<n> runs another seed (the default is fixed, so CI is reproducible);
 * BASINLAB_HOSTILE_GPU_ALL=1 runs every case on the gpu engine too (minutes on SwiftShader);
 * BASINLAB_REPORT=1 prints what each case ended in.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { fieldKey, printable } from '../../src/core/errors.ts';
import { DATA_SETS } from '../../src/core/data/index.ts';
import { NETWORK_PARAMS } from '../../src/core/network/schema.ts';
import { OPTIMIZERS, SCHEDULES, SURFACES } from '../../src/core/registry/index.ts';
import { resultFields } from '../../src/core/results.ts';
import { RUN_SETTINGS, isBlock, type RunSetting } from '../../src/core/run-settings.ts';
import { type AnySpec, anySpecToJSON, parseAnySpec, readSpecJSON, runCount } from '../../src/core/spec.ts';
import { type HostileCase, hostileCases, rng } from '../hostile/generate.ts';

const ROOT = process.cwd();
const SEED = Number(process.env.BASINLAB_HOSTILE_SEED ?? 20_260_611);
const CASES = hostileCases(ROOT, SEED);
const WORK = mkdtempSync(join(tmpdir(), 'basinlab-hostile-'));
afterAll(() => rmSync(WORK, { recursive: true, force: true }));

/** Most run-steps a valid case may ask for: the generator keeps valid specs small (checked here). */
const MAX_WORK = 100_000;
/** Longest a case may take in-process before it counts as a hang. */
const CASE_TIMEOUT_MS = 30_000;

// ---------------------------------------------------------------------------------------------
// Cases on disk, and what their text is.

interface Materialised {
  readonly specPath: string;
  readonly outDir: string;
  /** The text, when the file holds UTF-8 text (not for devices and sparse files). */
  readonly text: string | null;
  /** What JSON.parse reads from the text (read when first asked: JSON.parse is slow on some hostile texts). */
  json(): { readonly parses: boolean; readonly value: unknown };
  /** The resolved spec (surface or network), when the strict reader and parseAnySpec accept it. */
  readonly spec: AnySpec | null;
}

function materialise(c: HostileCase, tag: string): Materialised {
  const dir = join(WORK, `${tag}-${c.id}`);
  const outDir = join(dir, 'out');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  let specPath = join(dir, 'spec.json');
  const content = c.content;
  if (typeof content === 'object' && !Buffer.isBuffer(content) && 'device' in content) {
    specPath = content.device;
  } else if (typeof content === 'object' && !Buffer.isBuffer(content) && 'sparse' in content) {
    const fd = openSync(specPath, 'w');
    ftruncateSync(fd, content.sparse);
    closeSync(fd);
  } else {
    writeFileSync(specPath, content);
  }
  let text: string | null = null;
  if (typeof content === 'string') text = content;
  else if (Buffer.isBuffer(content)) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(content);
    } catch {
      text = null;
    }
  }
  let json: { parses: boolean; value: unknown } | null = null;
  const readJson = (): { parses: boolean; value: unknown } => {
    if (json) return json;
    try {
      json = { parses: text !== null, value: text === null ? undefined : JSON.parse(text) };
    } catch {
      json = { parses: false, value: undefined };
    }
    return json;
  };
  let spec: AnySpec | null = null;
  if (text !== null) {
    try {
      spec = parseAnySpec(readSpecJSON(text.replace(/^\ufeff/, '')));
    } catch {
      spec = null;
    }
  }
  return { specPath, outDir, text, json: readJson, spec };
}

// ---------------------------------------------------------------------------------------------
// Running the CLI.

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The CLI's `main` in this process, with stdout and stderr captured, the exit code it returns,
 * and the process-wide listeners it adds per call (SIGINT, stream errors) removed after it.
 */
async function inProcess(args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  const stderrWrite = process.stderr.write.bind(process.stderr);
  const before = {
    sigint: process.listeners('SIGINT'),
    outErr: process.stdout.listeners('error'),
    errErr: process.stderr.listeners('error'),
  };
  const exitCode = process.exitCode;
  const capture =
    (into: string[]) =>
    (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const cb = rest.find((x) => typeof x === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    };
  process.stdout.write = capture(out) as typeof process.stdout.write;
  process.stderr.write = capture(err) as typeof process.stderr.write;
  let timer: NodeJS.Timeout | undefined;
  try {
    const code = await Promise.race([
      main(args),
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), CASE_TIMEOUT_MS);
      }),
    ]);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    clearTimeout(timer);
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
    process.exitCode = exitCode;
    for (const l of process.listeners('SIGINT')) if (!before.sigint.includes(l)) process.removeListener('SIGINT', l);
    for (const l of process.stdout.listeners('error')) if (!before.outErr.includes(l)) process.stdout.removeListener('error', l as (e: Error) => void);
    for (const l of process.stderr.listeners('error')) if (!before.errErr.includes(l)) process.stderr.removeListener('error', l as (e: Error) => void);
  }
}

function child(args: string[]): Run {
  const r = spawnSync(process.execPath, ['bin/basinlab.js', ...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

type Command = 'sweep' | 'trajectory' | 'validate';

function argsFor(command: Command, m: Materialised, engine: 'cpu' | 'cpu64' | 'gpu'): string[] {
  const out = join(m.outDir, 'r.json');
  // --workers sizes the CPU engines' threads; the gpu engine refuses it.
  const workers = engine === 'gpu' ? [] : ['--workers', '0'];
  if (command === 'sweep') return ['sweep', m.specPath, '--engine', engine, ...workers, '--quiet', '--out', out];
  if (command === 'trajectory') return ['trajectory', m.specPath, '--engine', engine, ...workers, '--runs', '0', '--out', out];
  return ['validate', m.specPath, '--workers', '0', '--quiet', '--out', out];
}

// ---------------------------------------------------------------------------------------------
// What an outcome must be.

/** Every name a spec field may have: a missing one is named by the field it should be at. */
const KNOWN = new Set<string>([
  'surface', 'optimizer', 'schedule', 'sweep', 'name', 'schedulers', 'kind', 'x', 'y', 'param', 'params', 'min', 'max', 'count', 'scale', 'seed', 'dims', 'points',
  ...(RUN_SETTINGS as readonly RunSetting[]).flatMap((s) => (isBlock(s) ? [s.key, ...s.fields.map((f) => f.key)] : [s.key])),
  ...[...SURFACES, ...OPTIMIZERS, ...SCHEDULES].flatMap((e) => e.params.map((p) => p.key)),
  'network', 'data', 'param_groups', ...NETWORK_PARAMS.map((p) => p.key), ...DATA_SETS.flatMap((d) => d.params.map((p) => p.key)),
]);

/**
 * Whether `field` names a place in `input`: each part is a key (as messages print keys) or an
 * index of what holds it; only the last part may be missing, and then it must be a field a spec
 * has (a required field not given); a string where an object may be (`"surface": "rosenbrock"`)
 * may be followed by one part (`surface.name`). A trailing " (…)" note is not part of the field.
 */
function fieldOf(input: unknown, field: string): boolean {
  const segs = field.replace(/ \([^)]*\)$/, '').split('.');
  let v: unknown = input;
  let i = 0;
  while (i < segs.length) {
    const last = i === segs.length - 1;
    if (Array.isArray(v)) {
      const k = Number(segs[i]);
      if (!Number.isInteger(k) || k < 0 || k >= v.length) return false;
      v = v[k];
      i++;
    } else if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      let hit = -1;
      // A key may hold dots: the longest run of parts that is one key.
      for (let j = segs.length; j > i && hit === -1; j--) {
        const name = segs.slice(i, j).join('.');
        const key = Object.keys(o).find((k) => fieldKey(k) === name);
        if (key !== undefined) {
          v = o[key];
          hit = j;
        }
      }
      if (hit === -1) return last && KNOWN.has(segs[i] as string);
      i = hit;
    } else {
      return last && typeof v === 'string';
    }
  }
  return true;
}

/** A valid network refused before any work for its size (cli/main.ts checkNetMemory). */
const MEMORY_LINE = /^basinlab: network\.hidden: a run of this network \(\d+ parameters\) (needs|holds) about /;

function fileLine(line: string, specPath: string): boolean {
  const p = printable(specPath, 200);
  return line.startsWith(`basinlab: spec ${p} `) || line.startsWith(`basinlab: cannot read spec ${p}: `);
}

/** Checks a run's outcome; returns 'ok' or 'refused'. */
function checkOutcome(c: HostileCase, m: Materialised, command: Command, r: Run): 'ok' | 'refused' {
  const what = `case ${c.id} [${c.category}] ${c.name} (${command})\nstderr: ${r.stderr.slice(0, 2000)}`;
  expect(r.code, `${what}\ntimed out or ended with another code`).not.toBeNull();
  expect([0, 2, ...(command === 'validate' ? [1] : [])], `${what}\nexit code ${r.code}`).toContain(r.code);
  expect(r.stderr, `${what}\na stack trace`).not.toMatch(/\n\s+at |^\s+at |Error:|RangeError|TypeError|Maximum call stack/m);
  const files = readdirSync(m.outDir);
  if (r.code === 2) {
    expect(files, `${what}\nfiles left behind`).toEqual([]);
    const lines = r.stderr.split('\n');
    expect(lines.pop(), what).toBe('');
    expect(lines.length, `${what}\nno problem reported`).toBeGreaterThan(0);
    for (const line of lines) {
      const spec = /^basinlab: invalid spec: (.*)$/.exec(line);
      if (spec) {
        const rest = spec[1] as string;
        if (rest.startsWith('a spec is a JSON object')) {
          const { parses, value } = m.json();
          expect(parses && (value === null || typeof value !== 'object' || Array.isArray(value)), `${what}\n${line}`).toBe(true);
          continue;
        }
        const f = /^(.+?): (.+)$/.exec(rest);
        expect(f, `${what}\nno field in: ${line}`).not.toBeNull();
        const [, field, message] = f as RegExpExecArray;
        // Nesting too deep is refused where it happens, before the reader sees whether the text
        // goes on to be JSON: the field is the path to that point.
        if ((message as string).startsWith('nested deeper than')) continue;
        const { parses, value } = m.json();
        expect(parses, `${what}\na field error for text JSON.parse refuses: ${line}`).toBe(true);
        expect(fieldOf(value, field as string), `${what}\nnot a field of the input: ${line}`).toBe(true);
      } else if (MEMORY_LINE.test(line)) {
        expect(m.spec?.problem, `${what}\na memory refusal of what is not a valid network spec: ${line}`).toBe('network');
      } else {
        expect(fileLine(line, m.specPath), `${what}\nneither a field error nor a file error: ${line}`).toBe(true);
        if (line.includes('is not valid JSON')) expect(m.json().parses, `${what}\nJSON.parse reads what was refused as not JSON`).toBe(false);
      }
      expect(line.length, `${what}\na long line`).toBeLessThan(1200);
    }
    // A valid spec is refused only for what float32 cannot hold, on a float32 engine (it runs on
    // cpu64), or for a network too large to train here (on any CPU engine).
    if (m.spec !== null) {
      for (const line of lines) if (!MEMORY_LINE.test(line)) expect(line, `${what}\nrefused, but the spec is valid`).toMatch(/float32/);
    }
    return 'refused';
  }
  // Success: a complete, readable result and nothing else.
  expect(files, `${what}\nfiles`).toEqual(['r.json']);
  expect(m.spec, `${what}\nran, but the spec is not valid`).not.toBeNull();
  const spec = m.spec as AnySpec;
  const doc = JSON.parse(readFileSync(join(m.outDir, 'r.json'), 'utf8')) as Record<string, unknown>;
  const runs = runCount(spec.sweep);
  if (command === 'sweep') {
    expect(doc.spec, what).toEqual(JSON.parse(JSON.stringify(anySpecToJSON(spec))));
    expect((doc.width as number) * (doc.height as number), what).toBe(runs);
    for (const f of resultFields(spec)) {
      expect(Array.isArray(doc[f]) && (doc[f] as unknown[]).length, `${what}\ncolumn ${f}`).toBe(runs);
    }
  } else if (command === 'trajectory') {
    // A surface path's positions, a network path's training losses: one per recorded step.
    const paths = doc.paths as { run: number; x?: unknown[]; train_loss?: unknown[]; steps: unknown[] }[];
    expect(paths.map((p) => p.run), what).toEqual([0]);
    expect(paths[0]?.steps.length, what).toBeGreaterThan(0);
    expect((paths[0]?.x ?? paths[0]?.train_loss)?.length, what).toBe(paths[0]?.steps.length);
  } else {
    expect(doc.pass, what).toBe(r.code === 0);
    expect((doc.pairs as unknown[]).length, what).toBeGreaterThanOrEqual(2);
  }
  return 'ok';
}

function expectMatches(c: HostileCase, outcome: 'ok' | 'refused'): void {
  if (c.expect !== 'either') expect(outcome, `case ${c.id} [${c.category}] ${c.name}`).toBe(c.expect);
}

// ---------------------------------------------------------------------------------------------

describe(`hostile specs (seed ${SEED}): exit 0 with a whole result, or exit 2 naming real fields; nothing else`, () => {
  const categories = [...new Set(CASES.map((c) => c.category))];
  const tally = new Map<string, { ok: number; refused: number }>();
  /** What each case ended in, printed with BASINLAB_REPORT=1. */
  const messages: string[] = [];

  it('the generator makes a few hundred cases in every category, and keeps the valid ones small', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(250);
    expect(categories.length).toBeGreaterThanOrEqual(15);
    for (const c of CASES) {
      if (typeof c.content !== 'string') continue;
      let spec: AnySpec;
      try {
        spec = parseAnySpec(readSpecJSON(c.content.replace(/^\ufeff/, '')));
      } catch {
        continue;
      }
      expect(runCount(spec.sweep) * spec.steps, `case ${c.id} ${c.name}`).toBeLessThanOrEqual(MAX_WORK);
    }
    // The same seed makes the same cases.
    expect(hostileCases(ROOT, SEED).map((c) => c.name)).toEqual(CASES.map((c) => c.name));
  });

  for (const category of categories) {
    it(`sweep on cpu, in-process: ${category}`, async () => {
      const t = { ok: 0, refused: 0 };
      for (const c of CASES.filter((x) => x.category === category)) {
        const m = materialise(c, 'cpu');
        const r = await inProcess(argsFor('sweep', m, 'cpu'));
        const outcome = checkOutcome(c, m, 'sweep', r);
        messages.push(`[${c.category}] ${c.name.slice(0, 80)} -> ${r.code}${r.stderr ? `\n    ${r.stderr.trim().split('\n').slice(0, 3).join('\n    ')}` : ''}`);
        expectMatches(c, outcome);
        t[outcome]++;
      }
      tally.set(category, t);
    });
  }

  it('both outcomes occur: the cases probe the boundary between valid and invalid', () => {
    const all = [...tally.values()].reduce((a, b) => ({ ok: a.ok + b.ok, refused: a.refused + b.refused }), { ok: 0, refused: 0 });
    expect(all.ok + all.refused).toBe(CASES.length);
    expect(all.refused).toBeGreaterThanOrEqual(150);
    // Mutations that may or may not break a spec do both.
    const mixed = ['wrong-type', 'out-of-range', 'removed', 'odd-string'].map((c) => tally.get(c) ?? { ok: 0, refused: 0 });
    expect(mixed.reduce((a, t) => a + t.ok, 0)).toBeGreaterThanOrEqual(5);
    expect(mixed.reduce((a, t) => a + t.refused, 0)).toBeGreaterThanOrEqual(30);
    if (process.env.BASINLAB_REPORT) {
      for (const [cat, t] of tally) process.stderr.write(`${cat.padEnd(16)} ${String(t.ok).padStart(4)} ran ${String(t.refused).padStart(4)} refused\n`);
      for (const line of messages) process.stderr.write(`${line}\n`);
    }
  });

  it('sweep on cpu64, in-process: every case whose spec is valid runs (float64 holds what float32 cannot)', async () => {
    let ran = 0;
    for (const c of CASES) {
      if (typeof c.content !== 'string') continue;
      const m = materialise(c, 'cpu64');
      // A valid spec expected refused is a network too large to train here, on any engine.
      if (m.spec === null || c.expect === 'refused') continue;
      const r = await inProcess(argsFor('sweep', m, 'cpu64'));
      expect(r.code, `case ${c.id} [${c.category}] ${c.name}: ${r.stderr}`).toBe(0);
      checkOutcome(c, m, 'sweep', r);
      ran++;
    }
    expect(ran).toBeGreaterThanOrEqual(60);
  });

  it('trajectory on cpu, in-process: a sample of 40', async () => {
    const next = rng(SEED + 1);
    const sample = Array.from({ length: 40 }, () => CASES[Math.floor(next() * CASES.length)] as HostileCase);
    for (const c of sample) {
      const m = materialise(c, 'traj');
      expectMatches(c, checkOutcome(c, m, 'trajectory', await inProcess(argsFor('trajectory', m, 'cpu'))));
    }
  });

  it('real child processes (bin/basinlab.js): a sample of 6, one per kind of failure', () => {
    const pick = (f: (c: HostileCase) => boolean): HostileCase => {
      const c = CASES.find(f);
      if (!c) throw new Error('sample case missing');
      return c;
    };
    const sample = [
      pick((c) => c.category === 'valid'),
      pick((c) => c.category === 'duplicate-key'),
      pick((c) => c.category === 'deep-nesting' && c.name.includes('100000')),
      pick((c) => c.name === '/dev/zero'),
      pick((c) => c.name === 'random bytes'),
      pick((c) => c.category === 'truncated'),
    ];
    for (const c of sample) {
      const m = materialise(c, 'child');
      expectMatches(c, checkOutcome(c, m, 'sweep', child(argsFor('sweep', m, 'cpu'))));
    }
  });

  it('sweep on gpu, in-process: a sample of 10 (no adapter fails)', { timeout: process.env.BASINLAB_HOSTILE_GPU_ALL ? 3_600_000 : 120_000 }, async () => {
    const next = rng(SEED + 2);
    const valid = CASES.filter((c) => c.category === 'valid');
    const other = CASES.filter((c) => c.category !== 'valid' && c.category !== 'enormous' && c.category !== 'garbage');
    const sample = process.env.BASINLAB_HOSTILE_GPU_ALL
      ? CASES
      : [
          ...Array.from({ length: 5 }, () => valid[Math.floor(next() * valid.length)] as HostileCase),
          ...Array.from({ length: 5 }, () => other[Math.floor(next() * other.length)] as HostileCase),
        ];
    for (const c of sample) {
      const m = materialise(c, 'gpu');
      const r = await inProcess(argsFor('sweep', m, 'gpu'));
      expect(r.code, `no GPU: ${r.stderr}`).not.toBe(3);
      expectMatches(c, checkOutcome(c, m, 'sweep', r));
    }
  });

  it('validate (gpu, cpu, cpu64), in-process: a sample of 4', async () => {
    const sample = [
      CASES.find((c) => c.category === 'valid' && c.name.startsWith('optimizer')),
      CASES.find((c) => c.category === 'valid' && c.name.startsWith('schedule')),
      CASES.find((c) => c.category === 'duplicate-key'),
      CASES.find((c) => c.category === 'raw-number'),
    ] as HostileCase[];
    for (const c of sample) {
      const m = materialise(c, 'validate');
      const r = await inProcess(argsFor('validate', m, 'cpu'));
      expect(r.code, `no GPU: ${r.stderr}`).not.toBe(3);
      const outcome = checkOutcome(c, m, 'validate', r);
      expectMatches(c, outcome);
    }
  });
});
