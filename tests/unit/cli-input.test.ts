/**
 * Input refused before any work (walkthrough 23 items 6 and 7): an unknown study name is checked,
 * with a did-you-mean, before any engine starts; conflicting repeated input (--at naming one
 * parameter twice, --out or --engine given twice with different values) is refused rather than
 * resolved silently to the last value. Each: exit 2, one line naming the flag, nothing written.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { smallSpec } from './cli-fixture.ts';

const { dir, spec } = smallSpec('input');

function refused(args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const before = readdirSync(dir).sort();
  const r = spawnSync(process.execPath, ['bin/basinlab.js', ...args], { encoding: 'utf8', timeout: 120_000, env });
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  const lines = r.stderr.trim().split('\n');
  // One line: not the GPU note, nor the no-GPU line, of an engine started first.
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stdout).toBe('');
  expect(readdirSync(dir).sort()).toEqual(before);
  return lines[0] as string;
}

describe('study NAME, checked before any engine starts', () => {
  it('a one-letter slip gets a did-you-mean', () => {
    expect(refused(['study', 'swaa', '--out', join(dir, 'st')])).toMatch(/^basinlab: study: unknown study 'swaa' \(did you mean swa\?\); one of flat-vs-sharp, .*swa/);
    expect(refused(['study', 'flat-vs-sharpp', '--out', join(dir, 'st')])).toMatch(/\(did you mean flat-vs-sharp\?\)/);
  });

  it('with --engine gpu and no GPU driver: the typo is said, not "no GPU" (exit 2, not 3)', () => {
    const line = refused(['study', 'swaa', '--engine', 'gpu', '--out', join(dir, 'st')], { ...process.env, VK_ICD_FILENAMES: '/nonexistent.json' });
    expect(line).toMatch(/unknown study 'swaa' \(did you mean swa\?\)/);
  });
});

describe('conflicting repeated input, refused rather than last-wins', () => {
  const a = join(dir, 'a.json');
  const b = join(dir, 'b.json');
  const cases: [string, string[], RegExp][] = [
    [
      '--at naming one parameter twice',
      ['trajectory', spec, '--engine', 'cpu', '--at', 'optimizer.lr=0.00001,optimizer.momentum=0,optimizer.lr=0.01', '--out', a],
      /^basinlab: --at: optimizer\.lr is given twice in 'optimizer\.lr=0\.00001,optimizer\.momentum=0,optimizer\.lr=0\.01' \(0\.00001 and 0\.01\); give each parameter once/,
    ],
    ['sweep --out twice', ['sweep', spec, '--engine', 'cpu', '--out', a, '--out', b], /--out is given twice, as '.*a\.json' and '.*b\.json'; give it once$/],
    ['sweep -o then --out', ['sweep', spec, '--engine', 'cpu', '-o', a, '--out', b], /--out is given twice/],
    ['sweep --engine twice', ['sweep', spec, '--engine', 'cpu64', '--engine', 'cpu', '--out', a], /--engine is given twice, as 'cpu64' and 'cpu'; give it once$/],
    ['trajectory --out twice', ['trajectory', spec, '--engine', 'cpu', '--runs', '0', '-o', a, '-o', b], /--out is given twice/],
    ['study --engine twice', ['study', 'swa', '--engine', 'cpu', '--engine', 'auto', '--out', join(dir, 'st')], /--engine is given twice, as 'cpu' and 'auto'/],
    ['schema --out twice', ['schema', '-o', a, '-o', b], /--out is given twice/],
    ['--workers twice', ['sweep', spec, '--engine', 'cpu', '-w', '0', '-w', '1', '--out', a], /--workers is given twice, as '0' and '1'/],
    ['--runs twice', ['trajectory', spec, '--engine', 'cpu', '--runs', '0', '--runs', '1', '--out', a], /--runs is given twice, as '0' and '1'; list the runs in one --runs/],
  ];
  for (const [name, args, message] of cases) it(name, () => expect(refused(args)).toMatch(message));

  it('an unknown --engine is still refused with its choices', () => {
    expect(refused(['sweep', spec, '--engine', 'CPU', '--out', a])).toMatch(/argument 'CPU' is invalid\. Allowed choices are cpu, cpu64, gpu\.$/);
  });

  it('the same value twice is one value: it runs', () => {
    const c = join(dir, 'c.json');
    const r = spawnSync(process.execPath, ['bin/basinlab.js', 'sweep', spec, '-q', '--engine', 'cpu', '--engine', 'cpu', '--out', c, '-o', c], { encoding: 'utf8', timeout: 120_000 });
    expect([r.status, r.stderr]).toEqual([0, '']);
  });
});

describe('messages (walkthrough 23 item 11)', () => {
  it('11.5: the file a command is offered is one it writes', () => {
    expect(refused(['schema', '-o', ''])).toBe('basinlab: --out: is empty; name a file, e.g. spec.schema.json');
    expect(refused(['schema', '-o', dir])).toBe(`basinlab: --out: ${dir} is a directory; name a file in it, e.g. ${join(dir, 'spec.schema.json')}`);
    expect(refused(['validate', spec, '-o', dir])).toBe(`basinlab: --out: ${dir} is a directory; name a file in it, e.g. ${join(dir, 'report.json')}`);
    expect(refused(['trajectory', spec, '--runs', '0', '-o', dir])).toBe(`basinlab: --out: ${dir} is a directory; name a file in it, e.g. ${join(dir, 'trajectory.json')}`);
  });

  it('11.8: --runs "," is an empty list, not no --runs', () => {
    expect(refused(['trajectory', spec, '--engine', 'cpu', '--runs', ','])).toBe("basinlab: --runs: ',' lists no runs; give indices and ranges, e.g. 0,7,12-15 (0..15)");
  });

  it('11.7: merge of one whole file says "1 file", not "1 shards"', () => {
    const whole = join(dir, 'whole.json');
    const made = spawnSync(process.execPath, ['bin/basinlab.js', 'sweep', spec, '-q', '--engine', 'cpu', '--out', whole], { encoding: 'utf8', timeout: 120_000 });
    expect(made.status, made.stderr).toBe(0);
    const out = join(dir, 'merged.parquet');
    const r = spawnSync(process.execPath, ['bin/basinlab.js', 'merge', out, whole], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('merged '))).toEqual([`merged 1 file, 16 runs, into ${out}`]);
  });
});
