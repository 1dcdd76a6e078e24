/**
 * Input refused before any work (walkthrough 23 items 6 and 7): an unknown study name is checked,
 * with a did-you-mean, before any engine starts; conflicting repeated input (--at naming one
 * parameter twice, --out or --engine given twice with different values) is refused rather than
 * resolved silently to the last value. Each: exit 2, one line naming the flag, nothing written.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'basinlab-input-'));
const spec = join(dir, 'spec.json');
writeFileSync(
  spec,
  JSON.stringify({
    surface: 'rosenbrock',
    optimizer: { name: 'SGD', lr: 0.001, momentum: 0.9 },
    steps: 20,
    sweep: { x: { param: 'optimizer.lr', min: 1e-5, max: 1e-2, count: 4, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0, max: 0.9, count: 4 } },
  }),
);

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
