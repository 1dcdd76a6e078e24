/**
 * What float32 cannot hold is found before a float32 engine runs: values beyond its range (the GPU
 * used to fail late with "Floating-point value (inf) is not finite", naming no field) and sweep
 * values it merges (a deep zoom that would write the same run under different labels).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makePlan } from '../../src/core/plan.ts';
import { F32_MAX, f32Ulp, float32Problems } from '../../src/core/precision.ts';
import { parseSpec } from '../../src/core/spec.ts';

const plan = (spec: Record<string, unknown>) => makePlan(parseSpec(spec));
const base = { surface: 'rosenbrock', optimizer: { name: 'SGD', lr: 0.001, momentum: 0.9 }, steps: 20 };

describe('float32Problems', () => {
  it('finds no problem in an ordinary sweep', () => {
    expect(
      float32Problems(plan({ ...base, sweep: { x: { param: 'optimizer.lr', min: 1e-5, max: 1e-2, count: 256, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0, max: 0.99, count: 256 } } })),
    ).toEqual([]);
  });

  it('names a fixed parameter beyond float32 range, and one below its normal range', () => {
    const p = float32Problems(plan({ ...base, optimizer: { name: 'Adam', lr: 1e300, eps: 1e-50 } }));
    expect(p.map((x) => [x.path, x.kind])).toEqual([
      ['optimizer.lr', 'range'],
      ['optimizer.eps', 'range'],
    ]);
    expect(p[0]?.message).toMatch(/beyond float32's range/);
    expect(p[1]?.message).toMatch(/below float32's normal range/);
  });

  it('names swept values beyond float32 range', () => {
    const p = float32Problems(plan({ ...base, sweep: { kind: 'points', params: ['optimizer.lr'], points: [[1e-3], [1e39]] } }));
    expect(p.map((x) => [x.path, x.kind])).toEqual([['sweep.points.1.0', 'range']]);
  });

  it('finds grid axes whose neighbouring values are one float32, with the resolution there', () => {
    const p = float32Problems(
      plan({
        ...base,
        sweep: { x: { param: 'optimizer.lr', min: 0.00205, max: 0.00205 + 1e-10, count: 64 }, y: { param: 'optimizer.momentum', min: 0.84, max: 0.84 + 1e-10, count: 64 } },
      }),
    );
    expect(p.map((x) => [x.path, x.kind])).toEqual([
      ['sweep.x', 'resolution'],
      ['sweep.y', 'resolution'],
    ]);
    expect(p[1]?.message).toContain(f32Ulp(0.84).toPrecision(3));
    expect(p[1]?.message).toMatch(/--engine cpu64/);
    // A zoom float32 still resolves is fine.
    expect(float32Problems(plan({ ...base, sweep: { x: { param: 'optimizer.lr', min: 0.00205, max: 0.00205 + 1e-6, count: 64 } } }))).toEqual([]);
  });

  it('finds random sweeps whose distinct values merge', () => {
    const p = float32Problems(plan({ ...base, sweep: { kind: 'random', count: 100, seed: 1, dims: [{ param: 'start.0', min: 1, max: 1 + 1e-9 }] } }));
    expect(p.map((x) => x.path)).toEqual(['sweep.dims.0']);
  });

  it('f32Ulp is the float32 spacing', () => {
    expect(f32Ulp(1)).toBe(2 ** -23);
    expect(f32Ulp(0.84)).toBe(2 ** -24);
    expect(f32Ulp(F32_MAX)).toBe(2 ** 104);
  });
});

describe('the CLI refuses what float32 cannot run, on the float32 engines only', () => {
  const dir = mkdtempSync(join(tmpdir(), 'basinlab-f32-'));
  const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/basinlab.js', ...args], { encoding: 'utf8', timeout: 120_000 });
  const file = (name: string, spec: unknown): string => {
    const p = join(dir, name);
    writeFileSync(p, JSON.stringify(spec));
    return p;
  };
  const big = file('big.json', { ...base, optimizer: { name: 'SGD', lr: 1e300 } });
  const deep = file('deep.json', { ...base, sweep: { x: { param: 'optimizer.lr', min: 0.00205, max: 0.00205 + 1e-10, count: 16 } } });

  it('exits 2 naming the field on cpu and gpu, and runs on cpu64', () => {
    for (const engine of ['cpu', 'gpu']) {
      const r = cli('sweep', big, '--engine', engine, '-q');
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^basinlab: invalid spec: optimizer\.lr: 1e\+300 is beyond float32's range .*use --engine cpu64$/)]);
    }
    expect(cli('sweep', big, '--engine', 'cpu64', '-q').status).toBe(0);
  });

  it('refuses a zoom float32 cannot resolve unless accepted, and then marks the result', () => {
    const r = cli('sweep', deep, '--engine', 'cpu', '-q');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/sweep\.x: optimizer\.lr: neighbouring values .* are the same float32 number/);
    const ok = cli('sweep', deep, '--engine', 'cpu', '-q', '--accept-float32');
    expect(ok.status, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as { meta: Record<string, unknown> }).meta.float32_merged).toBe('sweep.x');
  });

  it('ends quietly when the reader closes the pipe', () => {
    const r = spawnSync('bash', ['-c', `node bin/basinlab.js sweep ${deep} --engine cpu64 -q | head -c 10 > /dev/null; echo "\${PIPESTATUS[0]}"`], { encoding: 'utf8', timeout: 120_000 });
    expect(r.stdout.trim()).toBe('0');
    expect(r.stderr).not.toMatch(/EPIPE|Error/);
  });
});
