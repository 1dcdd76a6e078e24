/**
 * `trajectory` of many runs (walkthrough 23 item 9): the CPU engine yielded to the event loop with
 * a timer (at least 1 ms) after every run, so 10,000 two-step paths took 19 s for 1.7 s of work,
 * and nothing was printed meanwhile. It yields by elapsed time now, still letting a cancellation
 * through, and the CLI shows progress as a sweep does where there is more than one run (-q: none).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CancelledError } from '../../src/core/errors.ts';
import { makePlan } from '../../src/core/plan.ts';
import { parseSpec } from '../../src/core/spec.ts';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';

const specOf = (steps: number, count: number): unknown => ({
  surface: 'rosenbrock',
  optimizer: { name: 'SGD', lr: 0.001, momentum: 0.9 },
  steps,
  start: [-1.5, 2.0],
  sweep: { x: { param: 'optimizer.lr', min: 1e-5, max: 1e-2, count, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0, max: 0.9, count } },
});

describe('CpuEngine.trajectories: yields by time, not per run', () => {
  afterEach(() => vi.restoreAllMocks());

  it('3,600 short paths take a handful of timer yields, not one each', async () => {
    const plan = makePlan(parseSpec(specOf(2, 60)));
    const engine = new CpuEngine('cpu', { workers: 0, spawn: null });
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const paths = await engine.trajectories(plan, { runs: Array.from({ length: plan.runs }, (_, r) => r) });
    expect(paths).toHaveLength(3600);
    // 3,600 yields before; now one per 25 ms of work (well under a second here).
    expect(timers.mock.calls.length).toBeLessThan(200);
    await engine.dispose();
  });

  it('a cancellation mid-request is still honoured', async () => {
    // Far more work than the abort's delay: it must land between runs, not after the last.
    const plan = makePlan(parseSpec(specOf(5_000, 40)));
    const engine = new CpuEngine('cpu', { workers: 0, spawn: null });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    await expect(engine.trajectories(plan, { runs: Array.from({ length: plan.runs }, (_, r) => r), every: 100, signal: ac.signal })).rejects.toBeInstanceOf(CancelledError);
    await engine.dispose();
  });
});

describe('basinlab trajectory: progress on stderr', () => {
  const dir = mkdtempSync(join(tmpdir(), 'basinlab-trajectory-'));
  const spec = join(dir, 'spec.json');
  writeFileSync(spec, JSON.stringify(specOf(50, 10)));
  const cli = (args: string[]): { code: number | null; stderr: string } => {
    const r = spawnSync(process.execPath, ['bin/basinlab.js', 'trajectory', spec, '--engine', 'cpu', '--out', join(dir, 't.json'), ...args], { encoding: 'utf8', timeout: 120_000 });
    return { code: r.status, stderr: r.stderr.replace(/^basinlab: note: .* exists .*\n/m, '') };
  };

  it('of 100 runs: the sweep\'s lines, every 10%', () => {
    const r = cli(['--runs', '0-99']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual(Array.from({ length: 11 }, (_, k) => `trajectory of 100 runs on cpu: ${k * 10}%`));
  });

  it('-q: none', () => {
    expect(cli(['--runs', '0-99', '-q'])).toEqual({ code: 0, stderr: '' });
  });

  it('of one run: none (nothing to count)', () => {
    expect(cli(['--run', '3'])).toEqual({ code: 0, stderr: '' });
  });
});
