/**
 * Failed writes to stderr and stdout (walkthrough 23 items 1 and 2), on /dev/full, which fails
 * every write with ENOSPC as a full disk does.
 *
 * stderr: a failed write only silences progress; the work goes on, the output is written and no
 * temporary file is left (a rethrown 'error' event used to kill the run, leaving its partials).
 * stdout: the command exits 1 with one line naming stdout and why, no stack trace; a sweep's
 * complete JSON document, staged in $TMPDIR, is kept and named rather than deleted.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallSpec } from './cli-fixture.ts';

const { dir, spec } = smallSpec('stdio', {
  steps: 50,
  start: [-1.5, 2.0],
  sweep: { x: { param: 'optimizer.lr', min: 1e-5, max: 1e-2, count: 12, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0, max: 0.9, count: 10 } },
});

let full = -1;
beforeAll(() => {
  // The device these tests are about: present on Linux (CI). Without it they fail rather than skip.
  expect(existsSync('/dev/full'), '/dev/full is missing').toBe(true);
  full = openSync('/dev/full', 'w');
});
afterAll(() => {
  if (full >= 0) closeSync(full);
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with stderr (or stdout) on /dev/full; the other stream is captured. */
function cli(args: string[], full: 'stdout' | 'stderr', fd: number, env: NodeJS.ProcessEnv = process.env): Run {
  const stdio: ['ignore', 'pipe' | number, 'pipe' | number] = full === 'stderr' ? ['ignore', 'pipe', fd] : ['ignore', fd, 'pipe'];
  const r = spawnSync(process.execPath, ['bin/basinlab.js', ...args], { stdio, encoding: 'utf8', timeout: 120_000, env });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

const leftovers = (d: string): string[] => readdirSync(d).filter((n) => n.includes('.partial-'));

describe('stderr on a full device: progress is silenced, the work goes on', () => {
  for (const ext of ['parquet', 'json', 'arrow', 'csv']) {
    it(`sweep --out r.${ext}: exit 0, the file written, no partial`, () => {
      const out = join(dir, `r.${ext}`);
      const r = cli(['sweep', spec, '--engine', 'cpu', '--out', out], 'stderr', full);
      expect(r.code).toBe(0);
      expect(existsSync(out)).toBe(true);
      expect(leftovers(dir)).toEqual([]);
    });
  }

  it('merge of two shards: exit 0, the file written, no partial', () => {
    const shards = [0, 1].map((k) => join(dir, `shard-${k}.json`));
    for (const [k, s] of shards.entries()) {
      const r = spawnSync(process.execPath, ['bin/basinlab.js', 'sweep', spec, '--engine', 'cpu', '--shard', `${k}/2`, '--out', s, '-q'], { encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
    }
    const out = join(dir, 'merged.json');
    const r = cli(['merge', out, ...shards], 'stderr', full);
    expect(r.code).toBe(0);
    expect(existsSync(out)).toBe(true);
    expect(leftovers(dir)).toEqual([]);
  });

  it('sweep to stdout: the JSON comes out whole, exit 0, nothing left in TMPDIR', () => {
    // Its own TMPDIR: a run that failed here would leave its staging files for other tests to find.
    const tmp = mkdtempSync(join(dir, 'tmpdir-'));
    const r = cli(['sweep', spec, '--engine', 'cpu'], 'stderr', full, { ...process.env, TMPDIR: tmp });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { width: number }).width).toBe(12);
    expect(readdirSync(tmp).filter((n) => !n.startsWith('tsx-'))).toEqual([]);
  });
});

describe('stdout on a full device: exit 1, one line naming it, no stack trace', () => {
  const expectOneLine = (r: Run): string => {
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const lines = r.stderr.trim().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^basinlab: cannot write standard output \(\/dev\/full\): no space left on the device \(ENOSPC\)/);
    return lines[0] as string;
  };

  it('sweep: the complete result staged in $TMPDIR is kept, and named', () => {
    const tmp = mkdtempSync(join(dir, 'tmpdir-'));
    const r = cli(['sweep', spec, '--engine', 'cpu', '-q'], 'stdout', full, { ...process.env, TMPDIR: tmp });
    const line = expectOneLine(r);
    const kept = /The complete JSON result is kept in (\S+): copy it from there/.exec(line)?.[1];
    expect(kept, line).toBeDefined();
    expect((kept as string).startsWith(`${tmp}/basinlab-stdout-`)).toBe(true);
    // Complete: the same document a sweep to a file writes, bar its timings.
    const doc = JSON.parse(readFileSync(kept as string, 'utf8')) as { width: number; height: number; loss: unknown[] };
    expect([doc.width, doc.height, doc.loss.length]).toEqual([12, 10, 120]);
    // Nothing else of this run's left there (tsx keeps its cache in TMPDIR).
    expect(readdirSync(tmp).filter((n) => !n.startsWith('tsx-'))).toEqual([kept?.slice(tmp.length + 1)]);
  });

  it('schema', () => {
    expect(expectOneLine(cli(['schema'], 'stdout', full))).toBe('basinlab: cannot write standard output (/dev/full): no space left on the device (ENOSPC)');
  });

  it('trajectory', () => {
    expectOneLine(cli(['trajectory', spec, '--engine', 'cpu', '--runs', '0-3', '-q'], 'stdout', full));
  });
});
