/**
 * Review 18's findings on the CLI's destinations and messages, as a user meets them: an existing OUT
 * that may not be written and a symbolic link, refused before any work; another running process
 * writing the same OUT, named at the start, and an OUT that appears during the run, named before
 * the rename; JSON on stdout staged in $TMPDIR (bounded memory, nothing left behind); the float32
 * mark in a Parquet file and through `merge`; and the small ones (conflicting study flags, schema's
 * extension, a result file given as the spec, the variable that set N, the order of trajectory paths).
 */
import { spawn, spawnSync } from 'node:child_process';
import type { SpawnSyncOptions } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openResults } from '../../src/io/read.ts';

const dir = mkdtempSync(join(tmpdir(), 'basinlab-destinations-'));
// Other users (the read-only case runs as nobody when the tests run as root) reach it too.
chmodSync(dir, 0o777);

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], opts: SpawnSyncOptions = {}): Outcome {
  const r = spawnSync(process.execPath, ['bin/basinlab.js', ...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 28, ...opts });
  return { code: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

function specFile(name: string, spec: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(spec));
  chmodSync(p, 0o644);
  return p;
}

const grid = (x: number, y: number, steps: number): unknown => ({
  surface: 'rosenbrock',
  optimizer: { name: 'SGD', lr: 0.001, momentum: 0.9 },
  steps,
  start: [-1.5, 2],
  sweep: { x: { param: 'optimizer.lr', min: 1e-5, max: 3e-3, count: x, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0, max: 0.95, count: y } },
});
const small = specFile('small.json', grid(6, 4, 50));
const partials = (): string[] => readdirSync(dir).filter((n) => n.includes('.partial-'));

/** Exit 2, exactly `line` on stderr, and nothing made in the test directory. */
function expectRefused(r: Outcome, line: string | RegExp, before: string[]): void {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  if (typeof line === 'string') expect(lines[0]).toBe(line);
  else expect(lines[0]).toMatch(line);
  expect(readdirSync(dir).sort()).toEqual(before);
}

describe('an existing OUT that is not to be replaced', () => {
  it('a file this user may not write (0444) is refused before any work, as a shell redirect refuses it', () => {
    const sub = join(dir, 'ro');
    mkdirSync(sub);
    chmodSync(sub, 0o777);
    const out = join(sub, 'o.json');
    writeFileSync(out, '{}\n');
    chmodSync(out, 0o444);
    // Root may write anything: run as nobody, who owns the file but has no write bit, as the review did,
    // where nobody can run the CLI from this checkout (a clone under a private home directory cannot
    // be read by another user: there, root's own case below is what is checked).
    const asRoot = process.getuid?.() === 0;
    const nobody: SpawnSyncOptions = { uid: 65534, gid: 65534 };
    const nobodyRuns = asRoot && spawnSync(process.execPath, ['-e', "require('fs').accessSync('bin/basinlab.js'); require('fs').accessSync('node_modules/.bin')"], nobody).status === 0;
    if (asRoot && !nobodyRuns) {
      // As root, as a shell redirect, the file may be written: it is replaced, and the note says it exists.
      const r = cli(['sweep', small, '--quiet', '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/exists \(3 bytes\); it is replaced/);
      expect(readFileSync(out, 'utf8')).not.toBe('{}\n');
      return;
    }
    if (asRoot) chownSync(out, 65534, 65534);
    const user: SpawnSyncOptions = asRoot ? nobody : {};
    // The set-up is what it claims: the shell's redirect fails for this user.
    const shell = spawnSync('sh', ['-c', `echo x > '${out}'`], { encoding: 'utf8', ...user });
    expect(shell.status).not.toBe(0);
    const before = readdirSync(dir).sort();
    const r = cli(['sweep', small, '--quiet', '--out', out], user);
    expectRefused(r, `basinlab: --out: ${out} exists and is not writable (permission denied, mode 0444), as a shell redirect would find: make it writable (chmod u+w) or name another file`, before);
    expect(readFileSync(out, 'utf8')).toBe('{}\n');
    expect(readdirSync(sub)).toEqual(['o.json']);
  });

  it('a symbolic link is refused naming it and its target, for sweep and merge alike; the link and its target are left as they were', () => {
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'real.json'), 'old');
    const link = join(dir, 'link.json');
    symlinkSync(join('data', 'real.json'), link);
    const before = readdirSync(dir).sort();
    const why = 'basinlab renames a finished file into place, which would replace the link, not write what it points at: name the target file itself, or remove the link';
    expectRefused(cli(['sweep', small, '--quiet', '--out', link]), `basinlab: --out: ${link} is a symbolic link (to data/real.json); ${why}`, before);
    expectRefused(cli(['merge', link, small]), `basinlab: OUT: ${link} is a symbolic link (to data/real.json); ${why}`, before);
    // A link to nothing yet is a link all the same.
    const dangling = join(dir, 'dangling.parquet');
    symlinkSync('nowhere.parquet', dangling);
    expectRefused(cli(['sweep', small, '--quiet', '--out', dangling]), `basinlab: --out: ${dangling} is a symbolic link (to nowhere.parquet); ${why}`, [...before, 'dangling.parquet'].sort());
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'data', 'real.json'), 'utf8')).toBe('old');
  });
});

describe('two processes writing one OUT', () => {
  const sleepers: ReturnType<typeof spawn>[] = [];
  afterAll(() => {
    for (const s of sleepers) s.kill('SIGKILL');
  });

  it('a partial of OUT whose process runs is named at the start as another writer; once that process is gone, as a leftover', async () => {
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], { stdio: 'ignore' });
    sleepers.push(sleeper);
    const pid = sleeper.pid as number;
    const out = join(dir, 'shared.parquet');
    const partial = `${out}.partial-${pid}-0badf00d`;
    writeFileSync(partial, 'PAR1');
    const r = cli(['sweep', small, '--quiet', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(`basinlab: note: another running process (pid ${pid}) is writing ${out} too; whichever run finishes last replaces the file the other wrote\n`);
    const gone = new Promise((resolve) => sleeper.on('exit', resolve));
    sleeper.kill('SIGKILL');
    await gone;
    const again = cli(['sweep', small, '--quiet', '--out', out]);
    expect(again.code, again.stderr).toBe(0);
    const lines = again.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^basinlab: note: a partial file of .*shared\\.parquet left by a run that did not finish \\(process ${pid} is not running here\\)`));
    expect(lines[1]).toMatch(/^basinlab: note: .*shared\.parquet exists \(\d+ bytes\); it is replaced when this run finishes/);
    expect(partials()).toEqual([`shared.parquet.partial-${pid}-0badf00d`]);
  });

  it('an OUT that appears during the run is named right before it is replaced; one that was there and stayed is named only at the start', async () => {
    const spec = specFile('mid.json', grid(300, 200, 300));
    const out = join(dir, 'appears.parquet');
    const r = await new Promise<Outcome>((resolve, reject) => {
      const child = spawn(process.execPath, ['bin/basinlab.js', 'sweep', spec, '--workers', '1', '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      let written = false;
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (d: string) => {
        stderr += d;
        // The first progress line: the run is under way, its file not yet renamed.
        if (!written && /: \d+%$/m.test(stderr)) {
          written = true;
          writeFileSync(out, 'other\n');
        }
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout: '', stderr }));
    });
    expect(r.code, r.stderr).toBe(0);
    const own = r.stderr.split('\n').filter((l) => l.startsWith('basinlab:'));
    expect(own).toEqual([`basinlab: note: ${out} exists (6 bytes, written by another process during this run); it is replaced now`]);
    expect(readFileSync(out).subarray(0, 4).toString()).toBe('PAR1');
    const again = cli(['sweep', small, '--quiet', '--out', out]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/^basinlab: note: .*appears\.parquet exists \(\d+ bytes\); it is replaced when this run finishes \(an interrupted run leaves it as it is\)\n$/);
  });
});

describe('sweep without --out: JSON on stdout', () => {
  it('is the document --out r.json writes (version, checksum, columns), staged in $TMPDIR and removed after, also when the reader goes away', () => {
    const tmp = mkdtempSync(join(dir, 'tmpdir-'));
    const env = { ...process.env, TMPDIR: tmp };
    const spec = specFile('stdout.json', grid(40, 30, 100));
    const r = cli(['sweep', spec, '--quiet', '--workers', '0'], { env });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    const out = join(dir, 'stdout-file.json');
    expect(cli(['sweep', spec, '--quiet', '--workers', '0', '--out', out]).code).toBe(0);
    const file = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(Object.keys(file));
    expect({ ...doc, meta: null }).toEqual({ ...file, meta: null });
    expect(typeof doc.checksum).toBe('string');
    const staged = (): string[] => readdirSync(tmp).filter((n) => n.startsWith('basinlab-'));
    expect(staged()).toEqual([]);
    // `| head`: exit 0, quiet, and the staged document removed.
    const head = spawnSync('bash', ['-c', `node bin/basinlab.js sweep '${spec}' --quiet --workers 0 | head -c 100 > /dev/null; echo "\${PIPESTATUS[0]}"`], { encoding: 'utf8', env, timeout: 120_000 });
    expect(head.stdout.trim()).toBe('0');
    expect(head.stderr).toBe('');
    expect(staged()).toEqual([]);
  });

  it('streams the results to disk as the sweep runs, as --out does, rather than holding them until the end', async () => {
    // Peak RSS is too noisy a measure on a shared machine (the V8 heap grows lazily either way): the
    // staged parts in $TMPDIR, present mid-run and gone after, show where the results are.
    const tmp = mkdtempSync(join(dir, 'tmpdir-'));
    const spec = specFile('streamed.json', grid(300, 200, 300));
    const seen = await new Promise<string[]>((resolve, reject) => {
      const child = spawn(process.execPath, ['bin/basinlab.js', 'sweep', spec, '--workers', '1'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TMPDIR: tmp } });
      let stderr = '';
      let names: string[] = [];
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (d: string) => {
        stderr += d;
        if (names.length === 0 && /: [1-9]\d%$/m.test(stderr)) names = readdirSync(tmp).filter((n) => n.startsWith('basinlab-stdout-'));
      });
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(names) : reject(new Error(`exit ${code}: ${stderr}`))));
    });
    // The document's own partial and one part file per column (final_x, …, steps_to_converge).
    expect(seen.some((n) => /^basinlab-stdout-\d+-[0-9a-f]{8}\.json\.partial-\d+-[0-9a-f]{8}$/.test(n)), seen.join(', ')).toBe(true);
    expect(seen.filter((n) => /\.partial-\d+-[0-9a-f]{8}\.\d+$/.test(n)).length, seen.join(', ')).toBe(7);
    expect(readdirSync(tmp).filter((n) => n.startsWith('basinlab-'))).toEqual([]);
  });
});

describe('staged stdout files a killed run left', () => {
  it('are named by the next stdout run, with their sizes, and left in place; a running writer’s are not named', () => {
    const tmp = mkdtempSync(join(dir, 'tmpdir-'));
    // A pid that ran and ended: what SIGKILL leaves (the staged document's partial and a part file).
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    const left = [`basinlab-stdout-${dead}-0123abcd.json.partial-${dead}-89abcdef`, `basinlab-stdout-${dead}-0123abcd.json.partial-${dead}-89abcdef.3`];
    for (const n of left) writeFileSync(join(tmp, n), 'x'.repeat(2048));
    // This test's own process is running: its file is another run's, in progress.
    const live = `basinlab-stdout-${process.pid}-fedcba98.json`;
    writeFileSync(join(tmp, live), '{');
    const spec = specFile('stale.json', grid(4, 3, 10));
    const r = cli(['sweep', spec, '--quiet', '--workers', '0'], { env: { ...process.env, TMPDIR: tmp } });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveProperty('spec');
    const note = r.stderr.split('\n').filter((l) => l.startsWith('basinlab: note:'));
    expect(note).toHaveLength(1);
    expect(note[0]).toMatch(
      new RegExp(`^basinlab: note: 2 files, 4\\.0 KiB in all, staged in ${tmp} by a sweep writing JSON to stdout that did not finish \\(process ${dead} is not running here\\): ${join(tmp, left[0] as string)} \\(2\\.0 KiB, \\d+ s old\\), .*; not removed: delete them unless a run on another machine shares ${tmp}$`),
    );
    expect(note[0]).not.toContain(live);
    expect(readdirSync(tmp).filter((n) => n.startsWith('basinlab-')).sort()).toEqual([...left, live].sort());
    // With --out nothing is staged, and nothing is said of $TMPDIR.
    const withOut = cli(['sweep', spec, '--quiet', '--workers', '0', '--out', join(dir, 'stale-out.json')], { env: { ...process.env, TMPDIR: tmp } });
    expect(withOut.stderr).not.toContain('stdout');
  });
});

describe('the float32 mark through the CLI', () => {
  it('sweep --accept-float32 marks a Parquet shard, and merge carries the mark into its output', async () => {
    const spec = specFile('f32.json', { ...(grid(8, 4, 30) as object), sweep: { x: { param: 'optimizer.lr', min: 0.001, max: 0.0010000001, count: 8 }, y: { param: 'optimizer.momentum', min: 0, max: 0.9, count: 4 } } });
    const shards = [0, 1].map((k) => join(dir, `f32-${k}.${k === 0 ? 'parquet' : 'json'}`));
    for (const [k, s] of shards.entries()) expect(cli(['sweep', spec, '--quiet', '--accept-float32', '--shard', `${k}/2`, '--out', s]).code).toBe(0);
    const out = join(dir, 'f32-merged.arrow');
    const m = cli(['merge', '--quiet', out, ...shards]);
    expect(m.code, m.stderr).toBe(0);
    for (const p of [shards[0] as string, out]) {
      const f = await openResults(p);
      expect(f.metadata.get('basinlab.float32_merged'), p).toBe('sweep.x');
      await f.close();
    }
  });
});

describe('small ones', () => {
  it('study --quick --full: conflicting flags, exit 2, one line naming both, nothing made', () => {
    const out = join(dir, 'study');
    const r = cli(['study', 'flat-vs-sharp', '--quick', '--full', '--engine', 'cpu', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: option '--quick' cannot be used with option '--full'\n");
    expect(existsSync(out)).toBe(false);
  });

  it('schema --out with another extension than .json is refused naming the one allowed', () => {
    const before = readdirSync(dir).sort();
    expectRefused(cli(['schema', '--out', join(dir, 'schema.parquet')]), `basinlab: --out: unsupported output '${join(dir, 'schema.parquet')}'; use a file ending in .json`, before);
  });

  it('a result file given as the spec: one line saying so, and where its spec is', () => {
    const result = join(dir, 'result.json');
    expect(cli(['sweep', small, '--quiet', '--out', result]).code).toBe(0);
    const paths = join(dir, 'paths.json');
    expect(cli(['trajectory', small, '--runs', '0', '--out', paths]).code).toBe(0);
    const before = readdirSync(dir).sort();
    for (const [cmd, file] of [['sweep', result], ['trajectory', paths], ['validate', result]] as const) {
      expectRefused(
        cli([cmd, file, ...(cmd === 'trajectory' ? ['--runs', '0'] : [])]),
        `basinlab: ${file} is a basinlab result file, not a spec; the spec it was run from is its "spec" key: jq .spec ${file} > spec.json, then run spec.json`,
        before,
      );
    }
    // A Parquet or Arrow result: said too, with how to get its spec out (walkthrough 17: "not text").
    const parquet = join(dir, 'result.parquet');
    const arrow = join(dir, 'result.arrow');
    for (const out of [parquet, arrow]) expect(cli(['sweep', small, '--quiet', '--out', out]).code).toBe(0);
    const now = readdirSync(dir).sort();
    for (const [file, format] of [[parquet, 'a Parquet'], [arrow, 'an Arrow']] as const) {
      expectRefused(
        cli(['sweep', file]),
        `basinlab: ${file} is ${format} file, not a spec (a spec is JSON); a basinlab result keeps the spec it was run from in its metadata (basinlab.spec): basinlab merge result.json ${file} writes it as a JSON result, then jq .spec result.json > spec.json`,
        now,
      );
    }
  });

  it("a study's JSON or one of its figures' sources given as the spec: said so, with the jq that gives a spec (walkthrough 20)", () => {
    const spec = JSON.parse(readFileSync(small, 'utf8')) as Record<string, unknown>;
    const study = join(dir, 'study.json');
    writeFileSync(study, JSON.stringify({ study: 'tune-together', title: 't', panels: [{ kind: 'chart', sources: [{ label: 'SGD', spec }] }] }));
    const source = join(dir, 'source.json');
    writeFileSync(source, JSON.stringify({ label: 'SGD', spec }));
    const before = readdirSync(dir).sort();
    expectRefused(cli(['sweep', study]), `basinlab: ${study} holds basinlab study tune-together's results, not a spec; the specs of the sweeps it ran are in its figures' panels: jq '.panels[0].sources[0].spec' ${study} > spec.json, then run spec.json`, before);
    expectRefused(cli(['sweep', source]), `basinlab: ${source} is a study figure's source ({ label, spec }), not a spec; its spec is its "spec" key: jq .spec ${source} > spec.json, then run spec.json`, before);
    // A heatmap panel first holds its spec itself (review 26: the hint named sources it has not); a source may carry a mode.
    const heat = join(dir, 'heat.json');
    writeFileSync(heat, JSON.stringify({ study: 'schedules-late', panels: [{ kind: 'heatmap', spec, mode: 'loss' }] }));
    const moded = join(dir, 'moded.json');
    writeFileSync(moded, JSON.stringify({ label: 'SGD', spec, mode: 'loss' }));
    const now = readdirSync(dir).sort();
    expectRefused(cli(['sweep', heat]), `basinlab: ${heat} holds basinlab study schedules-late's results, not a spec; the specs of the sweeps it ran are in its figures' panels: jq '.panels[0].spec' ${heat} > spec.json, then run spec.json`, now);
    expectRefused(cli(['sweep', moded]), `basinlab: ${moded} is a study figure's source ({ label, spec }), not a spec; its spec is its "spec" key: jq .spec ${moded} > spec.json, then run spec.json`, now);
  });

  it('--shard auto names BASINLAB_SHARDS, the variable that set N, when N is more than the sweep has rows', () => {
    const before = readdirSync(dir).sort();
    const env = { ...process.env, JOB_COMPLETION_INDEX: '0', BASINLAB_SHARDS: '64' };
    expectRefused(cli(['sweep', small, '--shard', 'auto', '--out', join(dir, 'k.parquet')], { env }), "basinlab: BASINLAB_SHARDS: N = 64 shards is more than the sweep's 4 rows; allowed 1..4", before);
    expectRefused(cli(['sweep', small, '--shard', '0/64', '--out', join(dir, 'k.parquet')]), "basinlab: --shard: N = 64 shards is more than the sweep's 4 rows; allowed 1..4", before);
  });

  it('trajectory paths come --run, then --runs as listed, then --at, whatever the order on the command line (as the README says)', () => {
    const r = cli(['trajectory', small, '--engine', 'cpu64', '--at', 'optimizer.lr=3e-3,optimizer.momentum=0.95', '--runs', '5,1,5', '--run', '7']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { paths: { run: number }[] }).paths.map((p) => p.run)).toEqual([7, 5, 1, 5, 23]);
    expect(readFileSync('README.md', 'utf8')).toContain('the `--run` run first, then the `--runs` runs in the order listed, then one per `--at`, in the order given');
  });
});

describe('leftovers of several runs', () => {
  it('are said in the plural, the pids listed once each', async () => {
    const { leftoverNote, staleStagingNote } = await import('../../src/io/partials.ts');
    const tmp = mkdtempSync(join(dir, 'several-'));
    // Listed in the order of their files' names.
    const dead = [0, 1].map(() => spawnSync(process.execPath, ['-e', '0']).pid as number).sort((a, b) => String(a).localeCompare(String(b)));
    const out = join(tmp, 'r.parquet');
    for (const pid of dead) writeFileSync(`${out}.partial-${pid}-0123abcd`, 'x');
    for (const pid of dead) writeFileSync(join(tmp, `basinlab-stdout-${pid}-0123abcd.json`), 'x');
    expect(leftoverNote(out)).toMatch(new RegExp(`^note: 2 partial files of ${out} left by 2 runs that did not finish \\(processes ${dead.join(', ')} are not running here\\): `));
    expect(staleStagingNote(tmp)).toMatch(new RegExp(`^note: 2 files, 2 B in all, staged in ${tmp} by 2 sweeps writing JSON to stdout that did not finish \\(processes ${dead.join(', ')} are not running here\\): `));
  });
});
