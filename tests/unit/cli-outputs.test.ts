/**
 * Unsafe or unbounded flags and destinations, refused before any work starts (exit 2, one line
 * naming the flag, nothing created): an empty --out, a directory, a device, the spec itself, a
 * missing or non-directory parent, a worker count beyond the machine, a trajectory beyond what the
 * engines record. A write that fails mid-run (a full disk: here the file-size limit, EFBIG) exits 1
 * naming the file the user asked for, and leaves no partial.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rmEmptyDirs } from '../../src/cli/study.ts';
import { unwritableFix } from '../../src/cli/outputs.ts';

const dir = mkdtempSync(join(tmpdir(), 'basinlab-outputs-'));

function cli(args: string[], shell?: string): { code: number | null; stderr: string; ms: number } {
  const t0 = performance.now();
  const r = shell
    ? spawnSync('bash', ['-c', `${shell}; exec node bin/basinlab.js ${args.map((a) => `'${a}'`).join(' ')}`], { encoding: 'utf8', timeout: 120_000 })
    : spawnSync(process.execPath, ['bin/basinlab.js', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stderr: r.stderr, ms: performance.now() - t0 };
}

/** A sweep that would run for many minutes: a refusal that comes back at once came before the work. */
const huge = join(dir, 'huge.json');
const hugeText = JSON.stringify({
  surface: 'rosenbrock',
  optimizer: { name: 'SGD', lr: 0.001, momentum: 0.9 },
  steps: 100_000,
  sweep: { x: { param: 'optimizer.lr', min: 1e-5, max: 1e-3, count: 2000, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0, max: 0.9, count: 2000 } },
});
writeFileSync(huge, hugeText);
const small = join(dir, 'small.json');
writeFileSync(
  small,
  JSON.stringify({
    surface: 'rosenbrock',
    optimizer: { name: 'SGD', lr: 0.001, momentum: 0.9 },
    steps: 50,
    sweep: { x: { param: 'optimizer.lr', min: 1e-5, max: 1e-3, count: 400, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0, max: 0.9, count: 300 } },
  }),
);
mkdirSync(join(dir, 'adir.parquet'));
mkdirSync(join(dir, 'adir.json'));
writeFileSync(join(dir, 'afile.txt'), 'x');
symlinkSync('/dev/null', join(dir, 'null.parquet'));

function expectRefused(args: string[], message: RegExp): void {
  const before = readdirSync(dir).sort();
  const r = cli(args);
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  // Before any work: no progress, nothing created, and the huge sweep did not start.
  expect(r.stderr).not.toMatch(/%$/m);
  expect(readdirSync(dir).sort()).toEqual(before);
  // No wall-clock bound (review 25): the huge sweep would run for hours, past cli()'s own timeout,
  // which leaves no exit code, and the code 2 above could not be.
}

describe('destinations refused before any work', () => {
  const cores = availableParallelism();
  const cases: [string, string[], RegExp][] = [
    ['an empty --out', ['sweep', huge, '--out', ''], /^basinlab: --out: is empty; name a file/],
    ['--out naming a directory', ['sweep', huge, '--out', join(dir, 'adir.parquet')], /--out: .*adir\.parquet is a directory; name a file in it, e.g. .*adir\.parquet\/results\.parquet/],
    ['--out naming a device (through a link)', ['sweep', huge, '--out', join(dir, 'null.parquet')], /--out: .*null\.parquet is not a regular file/],
    ['--out equal to the spec', ['sweep', huge, '--out', huge], /--out: .*huge\.json is the spec .*huge\.json itself; writing there would replace it/],
    ['--out in a missing directory', ['sweep', huge, '--out', join(dir, 'missing', 'r.parquet')], /--out: cannot write .*missing\/r\.parquet: directory .*missing does not exist/],
    ['--out under a file', ['sweep', huge, '--out', join(dir, 'afile.txt', 'r.parquet')], /--out: cannot write .*: .*afile\.txt is not a directory/],
    ['--workers 5000', ['sweep', huge, '--workers', '5000', '--out', join(dir, 'w.parquet')], new RegExp(`--workers 5000 is more than this machine's ${cores} cores; allowed 0\\.\\.${cores}`)],
    ['--workers 1e9', ['sweep', huge, '--workers', '1e9', '--out', join(dir, 'w.parquet')], new RegExp(`--workers '1e9' is not allowed; allowed integers 0\\.\\.${cores} \\(0 runs in the main thread\\)`)],
    ['--workers with --engine gpu', ['sweep', huge, '--engine', 'gpu', '--workers', '1', '--out', join(dir, 'w.parquet')], /--workers sizes the CPU engines' threads; --engine gpu has none: leave it out/],
    ['--accept-float32 with --engine cpu64', ['sweep', huge, '--engine', 'cpu64', '--accept-float32', '--out', join(dir, 'w.parquet')], /--accept-float32 is for the float32 engines \(cpu, gpu\); --engine cpu64 runs float64/],
    ['trajectory --out equal to the spec', ['trajectory', huge, '--runs', '0', '--out', huge], /--out: .*is the spec .* itself/],
    ['trajectory --out empty', ['trajectory', huge, '--runs', '0', '--out', ''], /--out: is empty/],
    ['validate --out naming a directory', ['validate', huge, '--out', join(dir, 'adir.json')], /--out: .*adir\.json is a directory/],
    ['schema --out empty', ['schema', '--out', ''], /--out: is empty/],
    ['merge into a directory', ['merge', join(dir, 'adir.parquet'), huge], /OUT: .*adir\.parquet is a directory/],
    ['merge into one of its shards', ['merge', join(dir, 'small.json'), small], /OUT: .*small\.json is the shard .*small\.json itself/],
    ['study --out naming a file', ['study', 'swa', '--out', join(dir, 'afile.txt')], /--out: .*afile\.txt exists and is not a directory/],
  ];
  for (const [name, args, message] of cases) it(name, () => expectRefused(args, message));

  it('the spec is untouched after --out named it', () => {
    expect(readFileSync(huge, 'utf8')).toBe(hugeText);
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });
});

describe("an existing file the caller cannot write", () => {
  it('is to be made writable by its owner, another user told it is not theirs (walkthrough 23)', () => {
    expect(unwritableFix(1000, 1000)).toBe('make it writable (chmod u+w) or name another file');
    expect(unwritableFix(0, 65534)).toBe('it belongs to another user (uid 0): name another file, or ask its owner');
    expect(unwritableFix(0, undefined)).toBe('make it writable (chmod u+w) or name another file');
  });
});

describe('trajectory size, refused up front with the flag and a fix named', () => {
  it('two runs of 10,000,000 steps is more than the engines record: --every 2 is suggested', () => {
    const spec = join(dir, 'long.json');
    writeFileSync(
      spec,
      JSON.stringify({ surface: 'rosenbrock', optimizer: { name: 'SGD', lr: 1e-4, momentum: 0.9 }, steps: 10_000_000, sweep: { x: { param: 'optimizer.lr', min: 1e-5, max: 1e-4, count: 4 } } }),
    );
    const r = cli(['trajectory', spec, '--runs', '0-1']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim()).toBe(
      'basinlab: --every: 2 runs x 10000001 points (10000000 steps, --every 1) is 20000002 points, more than the 16777216 one trajectory request may record; record every k-th step: --every 2 fits, or record fewer --runs',
    );
  });
});

describe('a write that fails mid-run (the disk fills: the file-size limit)', () => {
  for (const ext of ['parquet', 'json']) {
    it(`${ext}: exit 1 naming --out, no partial, no file`, () => {
      const out = join(dir, `full.${ext}`);
      const r = cli(['sweep', small, '--out', out, '--quiet'], 'ulimit -f 64');
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr.trim()).toBe(`basinlab: cannot write ${out}: file too large (the file-size limit, ulimit -f) (EFBIG); nothing written`);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(dir).filter((n) => n.includes('.partial-'))).toEqual([]);
    });
  }

  it('trajectory: exit 1 naming --out, no partial, no file', () => {
    const spec = join(dir, 'path.json');
    writeFileSync(spec, JSON.stringify({ surface: 'rosenbrock', optimizer: { name: 'SGD', lr: 1e-4, momentum: 0.9 }, steps: 200_000 }));
    const out = join(dir, 'path-out.json');
    const r = cli(['trajectory', spec, '--out', out], 'ulimit -f 64');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr.trim()).toBe(`basinlab: cannot write ${out}: file too large (the file-size limit, ulimit -f) (EFBIG); nothing written`);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((n) => n.includes('.partial-'))).toEqual([]);
  });
});

describe('the streamed trajectory document', () => {
  it('is, parsed, the document trajectoryJSON describes (momentum, SAM, a divergence)', async () => {
    const { makePlan, runCoordinates } = await import('../../src/core/plan.ts');
    const { parseSpec, specToJSON } = await import('../../src/core/spec.ts');
    const { trajectoryFields, trajectoryJSON } = await import('../../src/core/trajectory.ts');
    const { CpuEngine } = await import('../../src/engine/cpu/engine.ts');
    const { trajectoryDocument } = await import('../../src/cli/trajectory-doc.ts');
    const spec = parseSpec({
      surface: 'rosenbrock',
      optimizer: { name: 'SGD', lr: 1e-3, momentum: 0.9 },
      schedule: { name: 'OneCycleLR', max_lr: 0.01, total_steps: 300 },
      sam: { rho: 0.05 },
      steps: 300,
      start: [-1.5, 2],
      sweep: { x: { param: 'schedule.max_lr', min: 1e-4, max: 2, count: 5, scale: 'log' } },
    });
    const plan = makePlan(spec);
    const engine = new CpuEngine('cpu', { workers: 0, spawn: null });
    const paths = await engine.trajectories(plan, { runs: [0, 4, 2], every: 7 });
    expect(paths.some((p) => p.diverged)).toBe(true);
    const head = { spec: specToJSON(spec), engine: 'cpu', every: 7, params: plan.dims.map((d) => d.path) };
    const streamed = [...trajectoryDocument(head, paths, (t) => trajectoryFields(t, runCoordinates(plan, t.run)))].join('');
    expect(streamed.endsWith('\n')).toBe(true);
    const whole = { ...head, paths: paths.map((t) => trajectoryJSON(t, runCoordinates(plan, t.run))) };
    expect(JSON.stringify(JSON.parse(streamed))).toBe(JSON.stringify(whole));
  });
});

describe('fonts for the study figures', () => {
  it('finds a font file in a nested folder and none in an empty one', async () => {
    const { hasFont } = await import('../../src/cli/fonts.ts');
    const root = join(dir, 'fonts');
    const nested = join(root, 'truetype', 'dejavu');
    mkdirSync(nested, { recursive: true });
    const empty = join(dir, 'no-fonts');
    mkdirSync(join(empty, 'truetype'), { recursive: true });
    writeFileSync(join(empty, 'truetype', 'README.txt'), 'not a font');
    expect(hasFont([empty, join(dir, 'missing')])).toBe(false);
    writeFileSync(join(nested, 'DejaVuSans.ttf'), '');
    expect(hasFont([empty, root])).toBe(true);
  });
  it('this machine has one (the figures test renders DejaVu Sans)', async () => {
    const { hasFont } = await import('../../src/cli/fonts.ts');
    expect(hasFont()).toBe(true);
  });
});

describe('study --out: the directories it made go again when nothing is written', () => {
  it('removes the directory chain it made, deepest first, each only while empty, never above what it made', () => {
    const root = mkdtempSync(join(tmpdir(), 'basinlab-rmdirs-'));
    const made = join(root, 'a');
    const out = join(made, 'b', 'c');
    mkdirSync(out, { recursive: true });
    rmEmptyDirs(made, out);
    expect(existsSync(made)).toBe(false);
    expect(existsSync(root)).toBe(true);
    // A file in the chain (not this run's) keeps its directory and those above it.
    mkdirSync(out, { recursive: true });
    writeFileSync(join(made, 'b', 'keep.txt'), 'x');
    rmEmptyDirs(made, out);
    expect([existsSync(out), existsSync(join(made, 'b', 'keep.txt'))]).toEqual([false, true]);
  });
});
