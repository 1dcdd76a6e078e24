/**
 * An unusable TMPDIR (walkthrough 23 item 4): tsx, which runs the CLI from its TypeScript, keeps
 * its cache there, and a TMPDIR that is a file or missing made every command die in tsx with a
 * stack trace before basinlab's code ran. Commands that do not need TMPDIR must work; the one that
 * does (sweep to stdout stages its JSON there) must say so in its own one line.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { smallSpec } from './cli-fixture.ts';

const { dir, spec } = smallSpec('tmpdir', { sweep: { x: { param: 'optimizer.lr', min: 1e-5, max: 1e-3, count: 3, scale: 'log' } } });
// A file where a directory should be, and a directory that does not exist.
const file = join(dir, 'a-file');
writeFileSync(file, 'x');
const missing = join(dir, 'missing');

function cli(args: string[], tmp: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/basinlab.js', ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, TMPDIR: tmp } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.each([
  ['a file', file],
  ['missing', missing],
])('TMPDIR %s', (_, tmp) => {
  it('--version works', () => {
    const r = cli(['--version'], tmp);
    expect([r.code, r.stdout.trim(), r.stderr]).toEqual([0, '0.1.0', '']);
  });

  it('sweep --out works: it does not need TMPDIR', () => {
    const out = join(dir, `r-${tmp === file ? 'file' : 'missing'}.json`);
    const r = cli(['sweep', spec, '--engine', 'cpu', '-q', '--out', out], tmp);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(existsSync(out)).toBe(true);
  });

  it('sweep to stdout is refused in one line naming TMPDIR, before any work', () => {
    const r = cli(['sweep', spec, '--engine', 'cpu', '-q'], tmp);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const lines = r.stderr.trim().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^basinlab: TMPDIR: cannot write /);
    expect(r.stdout).toBe('');
  });
});
