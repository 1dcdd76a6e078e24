/**
 * Sharding: the run ranges of K/N, shard identity from Slurm and Kubernetes environments, and the
 * flow a cluster runs: N shard files, merged, equal value for value to the unsharded file. Shards
 * are simulated by running the CPU engine on the whole plan and writing only each shard's runs.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/plan.ts';
import type { Results } from '../../src/core/results.ts';
import { SpecError } from '../../src/core/errors.ts';
import { makePlan } from '../../src/core/plan.ts';
import { anySpecToJSON, parseAnySpec, parseSpec } from '../../src/core/spec.ts';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';
import { mergeNonFiniteNote, mergeShards } from '../../src/io/merge.ts';
import { parseShardFlag, shardFromEnv, shardRange } from '../../src/io/shards.ts';
import { sinkFor, sinkMeta } from '../../src/io/sinks.ts';
import { GRID_SPEC, SOBOL_SPEC, readArrow, readParquetDuckDB, runSweep, writeChunked } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'basinlab-shards-'));

describe('shardRange', () => {
  it('gives each of N shards whole rows, all rows exactly once, as evenly as possible', () => {
    for (const width of [1, 3, 16]) {
      for (let rows = 2; rows <= 40; rows++) {
        const runs = rows * width;
        for (let n = 1; n <= rows; n++) {
          let next = 0;
          const sizes: number[] = [];
          for (let k = 0; k < n; k++) {
            const r = shardRange(runs, width, k, n);
            expect(r.firstRun, `${rows}×${width} ${k}/${n}`).toBe(next);
            if (width > 1) {
              expect(r.firstRun % width).toBe(0);
              expect(r.runs % width).toBe(0);
              expect([r.rowStart * width, r.rowEnd * width]).toEqual([r.firstRun, r.firstRun + r.runs]);
            }
            expect(r.runs).toBeGreaterThan(0);
            sizes.push(r.runs / (width > 1 ? width : 1));
            next = r.firstRun + r.runs;
          }
          expect(next, `${rows}×${width} n=${n}`).toBe(runs);
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        }
      }
    }
  });

  it('splits the runs of a one-row sweep (random, Sobol) evenly', () => {
    for (const runs of [1, 7, 40, 1000, 16384]) {
      for (const n of [1, 2, 3, 7].filter((x) => x <= runs)) {
        const parts = Array.from({ length: n }, (_, k) => shardRange(runs, runs, k, n));
        expect(parts.map((p) => p.firstRun + p.runs).at(-1)).toBe(runs);
        parts.forEach((p, k) => expect(p.firstRun).toBe(k === 0 ? 0 : (parts[k - 1]?.firstRun ?? 0) + (parts[k - 1]?.runs ?? 0)));
        const sizes = parts.map((p) => p.runs);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('the documented 16384 × 16384 sweep in 64 shards: 256 rows each', () => {
    const r = shardRange(16384 * 16384, 16384, 63, 64);
    expect([r.rowStart, r.rowEnd, r.firstRun, r.runs]).toEqual([16128, 16384, 16128 * 16384, 256 * 16384]);
  });

  it('refuses more shards than rows and indices out of range', () => {
    expect(() => shardRange(7 * 13, 13, 0, 8)).toThrow(/N = 8 shards is more than the sweep's 7 rows; allowed 1\.\.7/);
    expect(() => shardRange(91, 13, 3, 3)).toThrow(/K must be an integer in 0\.\.2 for N = 3, got 3/);
  });
});

describe('parseShardFlag', () => {
  it('reads K/N', () => {
    expect(parseShardFlag('3/64')).toEqual({ k: 3, n: 64 });
    expect(parseShardFlag(' 0 / 1 ')).toEqual({ k: 0, n: 1 });
  });

  it('names the flag and the allowed range', () => {
    expect(() => parseShardFlag('64/64')).toThrow(/^--shard: shard index K must be an integer in 0\.\.63 for N = 64, got 64$/);
    expect(() => parseShardFlag('1/0')).toThrow(/--shard: shard count N must be a positive integer, got 0/);
    expect(() => parseShardFlag('-1/4')).toThrow(/--shard: expected K\/N with integers 0 ≤ K < N \(e\.g\. 3\/64\), got "-1\/4"/);
    expect(() => parseShardFlag('3')).toThrow(/expected K\/N/);
    expect(() => parseShardFlag('3/64')).not.toThrow();
    // A SpecError naming the flag; the call must throw (review 25, F6: asserting only in a catch
    // passed when it did not).
    let caught: unknown = null;
    try {
      parseShardFlag('x/y');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SpecError);
    expect((caught as SpecError).path).toBe('--shard');
    expect((caught as SpecError).message).toMatch(/expected K\/N with integers 0 ≤ K < N \(e\.g\. 3\/64\), got "x\/y"/);
  });
});

describe('shardFromEnv', () => {
  it('is null outside a job array', () => {
    expect(shardFromEnv({})).toBeNull();
    expect(shardFromEnv({ SLURM_JOB_ID: '12' })).toBeNull();
  });

  it('reads Slurm job arrays, offsets and steps included', () => {
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_COUNT: '64', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '63' })).toEqual({ k: 5, n: 64, nFrom: 'SLURM_ARRAY_TASK_COUNT' });
    // --array=1-64
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '64', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '64' })).toEqual({ k: 0, n: 64, nFrom: 'SLURM_ARRAY_TASK_COUNT' });
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '64', SLURM_ARRAY_TASK_COUNT: '64', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '64' })).toEqual({ k: 63, n: 64, nFrom: 'SLURM_ARRAY_TASK_COUNT' });
    // --array=0-126:2
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '10', SLURM_ARRAY_TASK_COUNT: '64', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '126', SLURM_ARRAY_TASK_STEP: '2' })).toEqual({ k: 5, n: 64, nFrom: 'SLURM_ARRAY_TASK_COUNT' });
    // Older Slurm without SLURM_ARRAY_TASK_COUNT.
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '9', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '15' })).toEqual({ k: 9, n: 16, nFrom: 'SLURM_ARRAY_TASK_MAX' });
  });

  it('refuses Slurm arrays it cannot map to K/N', () => {
    expect(() => shardFromEnv({ SLURM_ARRAY_TASK_ID: '3' })).toThrow(/SLURM_ARRAY_TASK_COUNT: not set/);
    expect(() => shardFromEnv({ SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_COUNT: '3', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '9' })).toThrow(
      /not a contiguous range/,
    );
    expect(() => shardFromEnv({ SLURM_ARRAY_TASK_ID: 'x', SLURM_ARRAY_TASK_COUNT: '3' })).toThrow(/SLURM_ARRAY_TASK_ID: expected an integer, got "x"/);
  });

  it('reads Kubernetes Indexed Jobs with the count from BASINLAB_SHARDS', () => {
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '7', BASINLAB_SHARDS: '64' })).toEqual({ k: 7, n: 64, nFrom: 'BASINLAB_SHARDS' });
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '7' })).toThrow(/BASINLAB_SHARDS: not set: .*spec\.completions/);
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '64', BASINLAB_SHARDS: '64' })).toThrow(/JOB_COMPLETION_INDEX: shard index K must be an integer in 0\.\.63/);
  });

  it('BASINLAB_SHARD=K/N wins over the scheduler', () => {
    expect(shardFromEnv({ BASINLAB_SHARD: '2/4', SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_COUNT: '64' })).toEqual({ k: 2, n: 4, nFrom: 'BASINLAB_SHARD' });
    expect(() => shardFromEnv({ BASINLAB_SHARD: '4/4' })).toThrow(/^BASINLAB_SHARD: /);
  });
});

// ---------------------------------------------------------------------------------------------

interface Sweep {
  readonly plan: Plan;
  readonly res: Results;
}
let grid: Sweep;
let sobol: Sweep;

beforeAll(async () => {
  grid = await runSweep(GRID_SPEC, 'cpu');
  sobol = await runSweep(SOBOL_SPEC, 'cpu');
});

/** Writes shard k of n of a sweep to `path`, as `basinlab sweep --shard k/n --out path` will. */
async function writeShard(s: Sweep, k: number, n: number, path: string): Promise<string> {
  const r = shardRange(s.plan.runs, s.plan.width, k, n);
  await writeChunked(sinkFor(path, { rowGroupRows: 8 }), sinkMeta(s.plan, s.res.engine, r), s.res, [5, 11]);
  return path;
}

async function writeWhole(s: Sweep, path: string): Promise<string> {
  await writeChunked(sinkFor(path, { rowGroupRows: 32 }), sinkMeta(s.plan, s.res.engine), s.res, [17]);
  return path;
}

async function shardFiles(s: Sweep, n: number, prefix: string, ext: (k: number) => string): Promise<string[]> {
  const out: string[] = [];
  for (let k = 0; k < n; k++) out.push(await writeShard(s, k, n, join(dir, `${prefix}-${k}.${ext(k)}`)));
  return out;
}

function arrowColumns(path: string): { columns: Record<string, unknown[]>; metadata: Map<string, string>; types: string[] } {
  const t = readArrow(path);
  const columns: Record<string, unknown[]> = {};
  for (const f of t.schema.fields) {
    const v = t.getChild(f.name);
    if (!v) throw new Error(`no column ${f.name}`);
    columns[f.name] = Array.from({ length: v.length }, (_, r) => v.get(r) as unknown);
  }
  return { columns, metadata: t.schema.metadata, types: t.schema.fields.map((f) => `${f.name}:${String(f.type)}`) };
}

describe('shard, then merge', () => {
  it('3 Parquet shards of a 13 × 7 grid merge into the unsharded Parquet file, value for value', async () => {
    const whole = await readParquetDuckDB(await writeWhole(grid, join(dir, 'whole.parquet')));
    const shards = await shardFiles(grid, 3, 'g', () => 'parquet');
    // Shard files are image strips: whole rows, and they record their range.
    const s1 = await readParquetDuckDB(shards[1] ?? '');
    expect(JSON.parse(s1.kv['basinlab.shard'] ?? '')).toEqual({ k: 1, n: 3, firstRun: 26, runs: 26 });
    const out = join(dir, 'merged.parquet');
    const report = await mergeShards(out, [...shards].reverse());
    expect(report).toEqual({ out, files: 3, runs: 91, jsonNonFinite: 0 });
    const merged = await readParquetDuckDB(out);
    expect(merged.names).toEqual(whole.names);
    expect(merged.types).toEqual(whole.types);
    expect(merged.columns).toEqual(whole.columns);
    expect(merged.kv).toEqual(whole.kv);
    expect(merged.columns.final_x?.some((x) => Number.isNaN(x))).toBe(true);
    expect(merged.columns.final_x?.some((x) => x === Infinity || x === -Infinity)).toBe(true);
  });

  it('Arrow shards of a Sobol sweep (one row: runs split evenly) merge into the unsharded Arrow file', async () => {
    const whole = arrowColumns(await writeWhole(sobol, join(dir, 'sobol-whole.arrow')));
    const shards = await shardFiles(sobol, 7, 's', () => 'arrow');
    const out = join(dir, 'sobol-merged.arrow');
    await mergeShards(out, shards);
    const merged = arrowColumns(out);
    expect(merged.types).toEqual(whole.types);
    expect(merged.columns).toEqual(whole.columns);
    expect(merged.metadata).toEqual(whole.metadata);
  });

  it('shards of mixed formats merge into any format: JSON out equals the unsharded JSON but for meta', async () => {
    const shards = await shardFiles(sobol, 3, 'mix', (k) => ['parquet', 'arrow', 'json'][k] ?? 'json');
    const out = join(dir, 'mix-merged.json');
    await mergeShards(out, shards);
    const whole = JSON.parse(readFileSync(await writeWhole(sobol, join(dir, 'sobol-whole.json')), 'utf8')) as Record<string, unknown>;
    const merged = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    expect(merged.meta).toEqual({ merged_from: 3 });
    expect({ ...merged, meta: null }).toEqual({ ...whole, meta: null });
    expect(Object.keys(merged)).toEqual(Object.keys(whole));
  });

  it("counts a JSON shard's non-finite values merged into Parquet, Arrow or CSV (null there: Infinity or NaN?), which reach it as NaN; none from Parquet shards or into JSON", async () => {
    // The grid's largest learning rates diverge: non-finite values, which JSON records as null.
    const nonFinite = Object.values(grid.res).reduce((a: number, c) => a + (c instanceof Float32Array || c instanceof Float64Array ? c.filter((v) => !Number.isFinite(v)).length : 0), 0);
    expect(nonFinite).toBeGreaterThan(0);
    const shards = await shardFiles(grid, 2, 'nf', () => 'json');
    for (const ext of ['parquet', 'arrow', 'csv']) {
      const r = await mergeShards(join(dir, `nf-merged.${ext}`), shards);
      expect(r.jsonNonFinite, ext).toBe(nonFinite);
    }
    expect((await mergeShards(join(dir, 'nf-merged.json'), shards)).jsonNonFinite).toBe(0);
    const parquet = await shardFiles(grid, 2, 'nfp', () => 'parquet');
    expect((await mergeShards(join(dir, 'nfp-merged.csv'), parquet)).jsonNonFinite).toBe(0);
    expect(mergeNonFiniteNote(3)).toMatch(/^merge: note: 3 non-finite values of the JSON shards are written as NaN: .*shard as Parquet or Arrow to keep them\)$/);
  });

  it('merges Parquet shards of a grid into CSV identical to the unsharded CSV', async () => {
    const shards = await shardFiles(grid, 2, 'csv', () => 'parquet');
    const out = join(dir, 'merged.csv');
    await mergeShards(out, shards);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(await writeWhole(grid, join(dir, 'whole.csv')), 'utf8'));
  });
});

describe('real shard runs', () => {
  it('the CPU engine run on each shard range, streamed through onChunk into sinks, merges into the unsharded file', async () => {
    const plan = makePlan(parseSpec(GRID_SPEC));
    const engine = new CpuEngine('cpu', { workers: 0, spawn: null });
    try {
      const paths: string[] = [];
      for (let k = 0; k < 3; k++) {
        const r = shardRange(plan.runs, plan.width, k, 3);
        const path = join(dir, `real-${k}.parquet`);
        const sink = sinkFor(path, { rowGroupRows: 8 });
        await sink.open(sinkMeta(plan, engine.name, r));
        await engine.run(plan, { range: { begin: r.firstRun, end: r.firstRun + r.runs }, onChunk: (b, c, n) => sink.write(b, c, n), keepResults: false });
        await sink.close();
        paths.push(path);
      }
      const out = join(dir, 'real-merged.parquet');
      await mergeShards(out, paths);
      const whole = await readParquetDuckDB(await writeWhole(grid, join(dir, 'real-whole.parquet')));
      expect((await readParquetDuckDB(out)).columns).toEqual(whole.columns);
    } finally {
      await engine.dispose();
    }
  });
});

describe('the spec a shard records', () => {
  it('rebuilds the same spec for every example, and for the docs\' 16384 × 16384 sweep', () => {
    const doc = readFileSync('docs/scale.md', 'utf8');
    const docSpec = /```json\n([\s\S]*?)```/.exec(doc)?.[1];
    if (!docSpec) throw new Error('docs/scale.md has no JSON spec');
    const specs: unknown[] = [JSON.parse(docSpec), ...readdirSync('examples').map((f) => JSON.parse(readFileSync(join('examples', f), 'utf8')) as unknown)];
    for (const raw of specs) {
      const recorded = JSON.stringify(anySpecToJSON(parseAnySpec(raw)));
      expect(JSON.stringify(anySpecToJSON(parseAnySpec(JSON.parse(recorded))))).toBe(recorded);
    }
    const big = makePlan(parseSpec(JSON.parse(docSpec)));
    expect([big.width, big.height]).toEqual([16384, 16384]);
  });
});

describe('merge refuses shards that do not belong together', () => {
  const noOutput = (name: string): void => {
    expect(readdirSync(dir).filter((f) => f.startsWith(name))).toEqual([]);
  };

  it('a missing shard: names the gap, the files around it and the shard to rerun', async () => {
    const shards = await shardFiles(grid, 3, 'm', () => 'parquet');
    const out = join(dir, 'missing-out.parquet');
    const err = mergeShards(out, [shards[0] ?? '', shards[2] ?? '']);
    await expect(err).rejects.toThrow(SpecError);
    await expect(mergeShards(out, [shards[0] ?? '', shards[2] ?? ''])).rejects.toThrow(
      /runs \[26, 52\) are in no file \(between .*m-0\.parquet \(shard 0\/3, runs \[0, 26\)\) and .*m-2\.parquet \(shard 2\/3, runs \[52, 91\)\)\); missing shard 1\/3/,
    );
    await expect(mergeShards(out, [shards[0] ?? '', shards[1] ?? ''])).rejects.toThrow(/runs \[52, 91\) are in no file \(after .*m-1\.parquet.*\); missing shard 2\/3/);
    noOutput('missing-out');
  });

  it('a duplicated shard: the same file twice, or a copy under another name', async () => {
    const shards = await shardFiles(grid, 3, 'd', () => 'parquet');
    const [a, b, c] = shards as [string, string, string];
    const out = join(dir, 'dup-out.parquet');
    await expect(mergeShards(out, [a, b, b, c])).rejects.toThrow(/d-1\.parquet is given twice/);
    const copy = join(dir, 'd-1-copy.parquet');
    copyFileSync(b, copy);
    await expect(mergeShards(out, [a, b, copy, c])).rejects.toThrow(
      /d-1\.parquet \(shard 1\/3, runs \[26, 52\)\) and .*d-1-copy\.parquet \(shard 1\/3, runs \[26, 52\)\) overlap on runs \[26, 52\) \(the same shard twice\)/,
    );
    noOutput('dup-out');
  });

  it('overlapping shards of different N', async () => {
    const [a] = await shardFiles(grid, 2, 'o2', () => 'parquet');
    const [, b, c] = await shardFiles(grid, 3, 'o3', () => 'parquet');
    // 0/2 holds rows [0, 3), 1/3 rows [2, 4): row 2 is in both.
    await expect(mergeShards(join(dir, 'ov-out.parquet'), [a ?? '', b ?? '', c ?? ''])).rejects.toThrow(/o2-0\.parquet .* and .*o3-1\.parquet .* overlap on runs \[26, 39\)/);
    noOutput('ov-out');
  });

  it('shards of different specs, and of different engines', async () => {
    const other = await runSweep({ ...GRID_SPEC, steps: 250 }, 'cpu');
    const [a, , c] = await shardFiles(grid, 3, 'sp', () => 'parquet');
    const b = await writeShard(other, 1, 3, join(dir, 'sp-other-1.parquet'));
    const out = join(dir, 'spec-out.parquet');
    await expect(mergeShards(out, [a ?? '', b, c ?? ''])).rejects.toThrow(
      /cannot merge shards of different specs: .*sp-0\.parquet, .*sp-2\.parquet vs .*sp-other-1\.parquet; they differ at steps: 300 vs 250/,
    );
    const g64 = await runSweep(GRID_SPEC, 'cpu64');
    const d = await writeShard(g64, 1, 3, join(dir, 'sp-64-1.parquet'));
    await expect(mergeShards(out, [a ?? '', d, c ?? ''])).rejects.toThrow(/cannot merge shards of different engines: .*; "cpu" vs "cpu64"/);
    noOutput('spec-out');
  });

  it('a file that is not a shard file, and a truncated one', async () => {
    const [a, b] = await shardFiles(grid, 2, 't', () => 'parquet');
    const csv = join(dir, 't-1.csv');
    await writeShard(grid, 1, 2, csv);
    await expect(mergeShards(join(dir, 't-out.parquet'), [a ?? '', csv])).rejects.toThrow(/t-1\.csv: a CSV file carries no metadata/);
    const trunc = join(dir, 't-1-trunc.parquet');
    copyFileSync(b ?? '', trunc);
    const bytes = readFileSync(trunc);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(trunc, bytes.subarray(0, bytes.length - 100));
    await expect(mergeShards(join(dir, 't-out.parquet'), [a ?? '', trunc])).rejects.toThrow(/t-1-trunc\.parquet: cannot read it: truncated, or not a Parquet file/);
    await expect(mergeShards(join(dir, 't-out.parquet'), [a ?? '', join(dir, 't-9.parquet')])).rejects.toThrow(/t-9\.parquet: no such file/);
    await expect(mergeShards(join(dir, 't-out.xlsx'), [a ?? '', b ?? ''])).rejects.toThrow(/OUT: cannot tell the format of .*t-out\.xlsx/);
    await expect(mergeShards(a ?? '', [a ?? '', b ?? ''])).rejects.toThrow(/the output .*t-0\.parquet is also one of the shard files/);
    noOutput('t-out');
    expect(existsSync(join(dir, 't-out.parquet'))).toBe(false);
  });
});
