/**
 * Sharded sweeps the way a cluster runs them: N `basinlab sweep --shard auto` processes, each told
 * its index by a Slurm job array's or a Kubernetes Indexed Job's environment, then `basinlab merge`.
 * The merged file must equal the single unsharded run value for value (read back by DuckDB, an
 * independent Parquet reader).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'basinlab-shards-'));

function cli(args: string[], env: Record<string, string> = {}): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/basinlab.js', ...args], { encoding: 'utf8', timeout: 180_000, env: { ...process.env, ...env } });
  return { code: r.status, stderr: r.stderr };
}

async function rows(path: string): Promise<unknown[][]> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const reader = await con.runAndReadAll(
    `SELECT run, i, j, "optimizer.lr", "optimizer.momentum", final_x, final_y, loss, sharpness, basin, diverged, steps_to_converge FROM read_parquet('${path}') ORDER BY run`,
  );
  return reader.getRows() as unknown[][];
}

const spec = join(dir, 'spec.json');
writeFileSync(
  spec,
  JSON.stringify({
    surface: 'rosenbrock',
    optimizer: { name: 'SGD', momentum: 0.9 },
    steps: 300,
    noise: { std: 0.2, seed: 3 },
    sweep: {
      x: { param: 'optimizer.lr', min: 1e-5, max: 3e-3, count: 40, scale: 'log' },
      y: { param: 'optimizer.momentum', min: 0, max: 0.95, count: 25 },
    },
  }),
);

describe('sharded sweeps on a scheduler, merged', () => {
  it("says, even with --quiet, when JSON shards' non-finite values reach a Parquet OUT as NaN, and says nothing for Parquet shards", () => {
    const diverging = join(dir, 'diverging.json');
    // Rosenbrock's runs at the larger LRs overflow: their loss, position and sharpness are not finite.
    writeFileSync(
      diverging,
      JSON.stringify({ surface: 'rosenbrock', optimizer: { name: 'SGD', lr: 0.001, momentum: 0.9 }, steps: 300, start: [-1.5, 2], sweep: { x: { param: 'optimizer.lr', min: 1e-4, max: 2e-2, count: 6, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0, max: 0.95, count: 4 } } }),
    );
    const json = [0, 1].map((k) => join(dir, `nf-${k}.json`));
    json.forEach((out, k) => expect(cli(['sweep', diverging, '--engine', 'cpu', '--shard', `${k}/2`, '--out', out, '--quiet']).code).toBe(0));
    const r = cli(['merge', join(dir, 'nf.parquet'), ...json, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^merge: note: \d+ non-finite values? of the JSON shards (is|are) written as NaN: JSON records Infinity, -Infinity and NaN alike as null/);
    const parquet = [0, 1].map((k) => join(dir, `nf-${k}.parquet`));
    parquet.forEach((out, k) => expect(cli(['sweep', diverging, '--engine', 'cpu', '--shard', `${k}/2`, '--out', out, '--quiet']).code).toBe(0));
    const p = cli(['merge', join(dir, 'nfp.parquet'), ...parquet, '--quiet']);
    expect([p.code, p.stderr]).toEqual([0, '']);
  });

  for (const engine of ['cpu', 'gpu']) {
    it(`${engine}: 3 Slurm array tasks and a Kubernetes Indexed Job merge into the single run`, async () => {
      const full = join(dir, `full-${engine}.parquet`);
      expect(cli(['sweep', spec, '--engine', engine, '--out', full, '--quiet']).code).toBe(0);
      const slurm: string[] = [];
      for (let k = 0; k < 3; k++) {
        const out = join(dir, `slurm-${engine}-${k}.parquet`);
        // --array=1-3: task ids start at SLURM_ARRAY_TASK_MIN.
        const r = cli(['sweep', spec, '--engine', engine, '--shard', 'auto', '--out', out, '--quiet'], {
          SLURM_ARRAY_TASK_ID: String(k + 1),
          SLURM_ARRAY_TASK_MIN: '1',
          SLURM_ARRAY_TASK_MAX: '3',
          SLURM_ARRAY_TASK_COUNT: '3',
        });
        expect(r.code, r.stderr).toBe(0);
        slurm.push(out);
      }
      const merged = join(dir, `merged-${engine}.parquet`);
      expect(cli(['merge', merged, ...slurm.reverse()]).code).toBe(0);
      const want = await rows(full);
      expect(want.length).toBe(1000);
      expect(await rows(merged)).toEqual(want);

      const k8s: string[] = [];
      for (let k = 0; k < 2; k++) {
        const out = join(dir, `k8s-${engine}-${k}.parquet`);
        expect(cli(['sweep', spec, '--engine', engine, '--shard', 'auto', '--out', out, '--quiet'], { JOB_COMPLETION_INDEX: String(k), BASINLAB_SHARDS: '2' }).code).toBe(0);
        k8s.push(out);
      }
      const merged2 = join(dir, `merged2-${engine}.parquet`);
      expect(cli(['merge', merged2, ...k8s]).code).toBe(0);
      expect(await rows(merged2)).toEqual(want);
    });
  }

  it('merge refuses a missing shard, a duplicated shard and shards of different specs, writing nothing', () => {
    const out = join(dir, 'bad.parquet');
    const missing = cli(['merge', out, join(dir, 'slurm-cpu-0.parquet'), join(dir, 'slurm-cpu-2.parquet')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/runs \[\d+, \d+\)/);
    const dup = cli(['merge', out, join(dir, 'slurm-cpu-0.parquet'), join(dir, 'slurm-cpu-0.parquet'), join(dir, 'slurm-cpu-1.parquet'), join(dir, 'slurm-cpu-2.parquet')]);
    expect(dup.code).toBe(2);
    const mixed = cli(['merge', out, join(dir, 'slurm-cpu-0.parquet'), join(dir, 'slurm-gpu-1.parquet'), join(dir, 'slurm-cpu-2.parquet')]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/engine|spec/);
    expect(existsSync(out)).toBe(false);
  });

  it('--shard auto without a scheduler environment is a clear error', () => {
    const r = cli(['sweep', spec, '--shard', 'auto', '--out', join(dir, 'x.parquet')], { SLURM_ARRAY_TASK_ID: '', JOB_COMPLETION_INDEX: '', BASINLAB_SHARD: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--shard: auto: no shard in the environment/);
  });

  it('a CSV shard is refused before anything runs: merge could not check it', () => {
    const out = join(dir, 'shard.csv');
    const r = cli(['sweep', spec, '--shard', '0/2', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out: a shard cannot be CSV/);
    expect(existsSync(out)).toBe(false);
  });
});
