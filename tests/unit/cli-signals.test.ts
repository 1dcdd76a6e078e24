/**
 * How the CLI stops, as a scheduler or a user stops it: SIGINT (Ctrl-C) and SIGTERM (Slurm,
 * Kubernetes), once or twice, early in a run and while the output is being finished, for `sweep` on
 * the cpu and gpu engines and for `merge`. Every stop must end with exit 128 + the signal (130,
 * 143), exactly one line on stderr, no file under the output's name and no temporary file left.
 * SIGKILL cannot be caught: the next run names the partial it left. A reader that closes stdout
 * (`| head`) ends the process quietly.
 *
 * Signals are sent when the child prints a progress line (not after a sleep), so each lands in the
 * phase the test names. The lines are printed by the child right before that phase: a late signal
 * lands while the output is being encoded, synced and renamed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = mkdtempSync(join(tmpdir(), 'basinlab-signals-'));
let dirs = 0;
const freshDir = (): string => mkdtempSync(join(root, `t${dirs++}-`));

/** A grid sweep of `x` × `y` runs of `steps` steps. */
function specFile(dir: string, x: number, y: number, steps: number): string {
  const p = join(dir, 'spec.json');
  writeFileSync(
    p,
    JSON.stringify({
      surface: 'rosenbrock',
      optimizer: { name: 'SGD', lr: 0.001, momentum: 0.9 },
      steps,
      start: [-1.5, 2.0],
      sweep: {
        x: { param: 'optimizer.lr', min: 1e-5, max: 3e-3, count: x, scale: 'log' },
        y: { param: 'optimizer.momentum', min: 0, max: 0.95, count: y },
      },
    }),
  );
  return p;
}

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** Whether the signals were sent (the awaited line came). */
  sent: boolean;
}

/**
 * Runs the CLI; when a stderr line matches `at`, sends `signals` (the second `gapMs` after the
 * first, so that it lands during the clean-up the first started).
 */
function runAndSignal(args: string[], at: RegExp, signals: NodeJS.Signals[], gapMs = 40): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/basinlab.js', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let sent = false;
    let pending = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out; stderr so far:\n${stderr}`));
    }, 90_000);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      stderr += d;
      pending += d;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      if (!sent && lines.some((l) => at.test(l))) {
        sent = true;
        signals.forEach((s, k) => {
          if (k === 0) child.kill(s);
          else setTimeout(() => child.kill(s), k * gapMs);
        });
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, sent });
    });
  });
}

const partials = (dir: string): string[] => readdirSync(dir).filter((n) => n.includes('.partial-'));

/** The lines the CLI itself wrote (not progress): exactly the interruption's. */
const EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129, SIGQUIT: 131 } as const;

function expectStopped(r: Outcome, sig: keyof typeof EXIT_CODES, dir: string, out: string): void {
  expect(r.sent, r.stderr).toBe(true);
  expect(r.signal, r.stderr).toBeNull();
  expect(r.code, r.stderr).toBe(EXIT_CODES[sig]);
  // Less the note a software GPU adapter gets before any work (SwiftShader here).
  const own = r.stderr.split('\n').filter((l) => l.startsWith('basinlab:') && !l.startsWith('basinlab: note: the gpu engine runs on '));
  expect(own).toEqual([`basinlab: interrupted by ${sig}; stopped, nothing written`]);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(existsSync(out), `${out} exists`).toBe(false);
  expect(partials(dir)).toEqual([]);
}

describe.each(['cpu', 'gpu'] as const)('sweep on %s, stopped', (engine) => {
  // Mid-run: long enough that the first progress line comes well before the end (the gpu engine
  // reports after its first submit, the cpu engine every 10%).
  const mid = { x: 400, y: 250, steps: engine === 'cpu' ? 300 : 2000 };
  const first = engine === 'cpu' ? /: 10%$/ : /: 0%$/;
  const cases: [string, NodeJS.Signals[], 'SIGINT' | 'SIGTERM'][] = [
    ['SIGINT', ['SIGINT'], 'SIGINT'],
    ['SIGTERM', ['SIGTERM'], 'SIGTERM'],
    ['a double SIGINT', ['SIGINT', 'SIGINT'], 'SIGINT'],
  ];
  for (const [name, signals, sig] of cases) {
    it(`by ${name} mid-run: exit ${sig === 'SIGINT' ? 130 : 143}, one line, nothing left`, async () => {
      const dir = freshDir();
      const out = join(dir, 'r.parquet');
      const r = await runAndSignal(['sweep', specFile(dir, mid.x, mid.y, mid.steps), '--engine', engine, '--out', out], first, signals);
      expectStopped(r, sig, dir, out);
    });
  }

  it('by SIGINT then SIGTERM while the output is being finished (after the last chunk): nothing left', async () => {
    // A JSON document is put together from its parts at the end: the "writing" line comes before it.
    const dir = freshDir();
    const out = join(dir, 'r.json');
    const r = await runAndSignal(['sweep', specFile(dir, 1000, 700, 2), '--engine', engine, '--out', out], /^writing /, ['SIGINT', 'SIGTERM'], 5);
    expectStopped(r, 'SIGINT', dir, out);
  });
});

/**
 * SIGHUP (the terminal closed, an ssh connection dropped) and SIGQUIT (Ctrl-\) stop a run as SIGINT
 * does (walkthrough 23 item 3: they killed it with the default action, leaving its partial files:
 * one for Parquet, the document and its 7 column parts for JSON).
 */
describe('sweep, stopped by a hang-up or a quit', () => {
  for (const [sig, ext] of [
    ['SIGHUP', 'parquet'],
    ['SIGQUIT', 'json'],
  ] as const) {
    it(`by ${sig} mid-run, to .${ext}: exit ${EXIT_CODES[sig]}, one line, nothing left`, async () => {
      const dir = freshDir();
      const out = join(dir, `r.${ext}`);
      const r = await runAndSignal(['sweep', specFile(dir, 400, 250, 300), '--engine', 'cpu', '--out', out], /: 10%$/, [sig]);
      expectStopped(r, sig, dir, out);
    });
  }
});

describe('merge, stopped', () => {
  const dir = freshDir();
  const shards = [0, 1].map((k) => join(dir, `shard-${k}.parquet`));
  beforeAll(() => {
    const spec = specFile(dir, 1000, 600, 2);
    for (const [k, s] of shards.entries()) {
      const r = spawnSync(process.execPath, ['bin/basinlab.js', 'sweep', spec, '--shard', `${k}/2`, '--out', s, '--quiet'], { encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
    }
  }, 180_000);

  const cases: [string, RegExp, NodeJS.Signals[], 'SIGINT' | 'SIGTERM'][] = [
    ['SIGINT mid-merge', /: 20%$/, ['SIGINT'], 'SIGINT'],
    ['SIGTERM mid-merge', /: 20%$/, ['SIGTERM'], 'SIGTERM'],
    ['a double SIGINT mid-merge', /: 20%$/, ['SIGINT', 'SIGINT'], 'SIGINT'],
    ['SIGTERM after the last chunk, while the file is finished', /: 100%$/, ['SIGTERM'], 'SIGTERM'],
  ];
  for (const [name, at, signals, sig] of cases) {
    it(`by ${name}: exit ${sig === 'SIGINT' ? 130 : 143}, one line, nothing left`, async () => {
      const out = join(dir, `merged-${name.replace(/\W+/g, '-')}.parquet`);
      const r = await runAndSignal(['merge', out, ...shards], at, signals);
      expectStopped(r, sig, dir, out);
    });
  }

  it('after SIGKILL (which cannot be caught), the next merge names the partial left, and still merges', async () => {
    const out = join(dir, 'killed.parquet');
    const r = await runAndSignal(['merge', out, ...shards], /: 20%$/, ['SIGKILL']);
    expect(r.signal).toBe('SIGKILL');
    const left = partials(dir);
    expect(left.length).toBe(1);
    const again = spawnSync(process.execPath, ['bin/basinlab.js', 'merge', out, ...shards, '--quiet'], { encoding: 'utf8', timeout: 120_000 });
    expect(again.status, again.stderr).toBe(0);
    const pid = /\.partial-(\d+)-/.exec(left[0] as string)?.[1];
    expect(again.stderr).toContain(`note: a partial file of ${out} left by a run that did not finish (process ${pid} is not running here): ${join(dir, left[0] as string)}`);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    // Reported, not deleted: on a shared volume it may be another machine's.
    expect(partials(dir)).toEqual(left);
    expect(existsSync(out)).toBe(true);
  });
});

describe('study, stopped', () => {
  const cases: [string, RegExp, 'SIGINT' | 'SIGTERM'][] = [
    ['SIGTERM during its first sweep', /: \d+%$/, 'SIGTERM'],
    ['SIGINT while its figures are drawn and written (after the last sweep)', /LR × SAM rho: 100%$/, 'SIGINT'],
  ];
  for (const [name, at, sig] of cases) {
    it(`by ${name}: no figure or data file, no partial`, async () => {
      const dir = freshDir();
      const out = join(dir, 'study');
      const r = await runAndSignal(['study', 'flat-vs-sharp', '--quick', '--engine', 'cpu', '--out', out], at, [sig]);
      expectStopped(r, sig, dir, join(out, 'flat-vs-sharp.json'));
      // No directory either: it is made once the sweeps are done (rmEmptyDirs, tested in cli-outputs, removes it after).
      expect(existsSync(out)).toBe(false);
    });
  }
});

describe('a closed stdout (| head) ends the process quietly', () => {
  const dir = freshDir();
  const cases: [string, string][] = [
    ['sweep', `sweep ${specFile(dir, 300, 200, 5)} --engine cpu --quiet`],
    ['schema', 'schema'],
    ['trajectory', `trajectory ${join(dir, 'one.json')} --engine cpu`],
  ];
  writeFileSync(join(dir, 'one.json'), JSON.stringify({ surface: 'rosenbrock', optimizer: { name: 'SGD', lr: 0.001, momentum: 0.9 }, steps: 200_000 }));
  for (const [name, args] of cases) {
    it(name, () => {
      const r = spawnSync('bash', ['-c', `node bin/basinlab.js ${args} 2>${join(dir, `${name}.err`)} | head -c 100 > /dev/null; echo "\${PIPESTATUS[0]}"; cat ${join(dir, `${name}.err`)}`], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      const [status, ...err] = r.stdout.split('\n');
      expect(status).toBe('0');
      expect(err.join('\n').trim()).toBe('');
    });
  }
});

/**
 * Signals after the commit (walkthrough 23 item 5): once the output is renamed into place the work
 * is complete, and a signal must not turn that into 130/143. The child is sent the signal every
 * millisecond from the moment the output exists until it exits, so one lands in every phase after
 * the rename, the end of main() and the process's teardown included (letting the event loop drain
 * left a window of 2-50 ms in which the default action killed it).
 */
describe('a signal after the output was renamed into place', () => {
  const dir = freshDir();
  const spec = specFile(dir, 4, 4, 50);
  const repeatedly = (out: string, sig: NodeJS.Signals): Promise<Outcome> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['bin/basinlab.js', 'sweep', spec, '--engine', 'cpu', '--quiet', '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      let sent = false;
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (d: string) => (stderr += d));
      const poll = setInterval(() => {
        if (sent || existsSync(out)) {
          sent = true;
          child.kill(sig);
        }
      }, 1);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearInterval(poll);
        resolve({ code, signal, stderr, sent });
      });
    });
  for (const [ext, sig] of [
    ['parquet', 'SIGINT'],
    ['json', 'SIGTERM'],
  ] as const) {
    it(`${ext}, ${sig} until it exits: exit 0, the output complete, nothing on stderr`, async () => {
      for (let k = 0; k < 3; k++) {
        const out = join(dir, `r${k}.${ext}`);
        const r = await repeatedly(out, sig);
        expect(r.sent, r.stderr).toBe(true);
        expect([r.code, r.signal, r.stderr]).toEqual([0, null, '']);
        expect(partials(dir)).toEqual([]);
      }
    }, 60_000);
  }
});
