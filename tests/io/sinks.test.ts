/**
 * Streaming sinks: results of real CPU sweeps written in uneven chunks, read back by independent
 * readers (DuckDB for Parquet, apache-arrow for Arrow IPC files) and compared value for value with
 * the in-memory Results; CSV and JSON compared with the whole-result writers byte for byte.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataType } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/plan.ts';
import { sweepValue } from '../../src/core/plan.ts';
import type { Results } from '../../src/core/results.ts';
import type { ResultField } from '../../src/core/results.ts';
import { columnOf, writeResultsCSV, writeResultsJSON } from '../../src/core/results.ts';
import { specToJSON } from '../../src/core/spec.ts';
import { VERSION } from '../../src/io/format.ts';
import { sinkFor, sinkMeta, writeColumnsFile } from '../../src/io/sinks.ts';
import { GRID_SPEC, SOBOL_SPEC, duckRows, isArrowIpcFile, sqlString, readArrow, readParquetDuckDB, runSweep, sliceColumns, writeChunked } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'basinlab-sinks-'));
/** The columns of a spec without optional features (tests/io/columns.test.ts covers those), written out. */
const RESULT_FIELDS: readonly ResultField[] = ['final_x', 'final_y', 'loss', 'sharpness', 'basin', 'diverged', 'steps_to_converge'];
const FLOAT_FIELDS = ['final_x', 'final_y', 'loss', 'sharpness'] as const;
const CHUNKS = [7, 1, 20, 13];

interface Case {
  readonly name: string;
  readonly plan: Plan;
  readonly res: Results;
}
const cases: Case[] = [];

beforeAll(async () => {
  const g32 = await runSweep(GRID_SPEC, 'cpu');
  const g64 = await runSweep(GRID_SPEC, 'cpu64');
  const s32 = await runSweep(SOBOL_SPEC, 'cpu');
  cases.push({ name: 'grid f32', ...g32 }, { name: 'grid f64', ...g64 }, { name: 'sobol f32', ...s32 });
});

/** What every format must hold, per column, built from the in-memory Results and the plan. */
function expectedColumns(plan: Plan, res: Results): Record<string, number[]> {
  const runs = Array.from({ length: plan.runs }, (_, r) => r);
  const out: Record<string, number[]> = {
    run: runs,
    i: runs.map((r) => r % plan.width),
    j: runs.map((r) => Math.floor(r / plan.width)),
  };
  plan.dims.forEach((d, k) => {
    out[d.path] = runs.map((r) => sweepValue(plan, r, k));
  });
  for (const f of RESULT_FIELDS) out[f] = Array.from(columnOf(res, f) ?? []);
  return out;
}

/**
 * A JSON file without its `checksum` line, which only files carry (src/io/checksum.ts): the rest is
 * what writeResultsJSON writes. Throws if the file has no checksum line.
 */
const withoutChecksum = (text: string): string => {
  const line = /^"checksum":"sha256:[0-9a-f]{64}",\n/m;
  if (!line.test(text)) throw new Error('JSON file without a checksum line');
  return text.replace(line, '');
};

const jsonText = (res: Results, plan: Plan): string => {
  let s = '';
  writeResultsJSON(res, plan, (c) => {
    s += c;
  });
  return s;
};

describe('Parquet sink', () => {
  it('writes every run, read back by DuckDB with the right types, values and metadata', async () => {
    for (const { name, plan, res } of cases) {
      const path = join(dir, `${name.replace(' ', '-')}.parquet`);
      await writeChunked(sinkFor(path, { rowGroupRows: 16 }), sinkMeta(plan, res.engine), res, CHUNKS);
      const d = await readParquetDuckDB(path);
      const want = expectedColumns(plan, res);
      expect(d.names, name).toEqual(['run', 'i', 'j', ...plan.dims.map((x) => x.path), ...RESULT_FIELDS]);
      const float = res.engine === 'cpu64' ? 'DOUBLE' : 'FLOAT';
      for (const f of FLOAT_FIELDS) expect(d.types[f], `${name} ${f}`).toBe(float);
      for (const p of plan.dims) expect(d.types[p.path]).toBe('DOUBLE');
      for (const f of ['run', 'i', 'j', 'basin', 'steps_to_converge']) expect(d.types[f], f).toBe('INTEGER');
      expect(d.types.diverged).toBe('BOOLEAN');
      for (const [col, values] of Object.entries(want)) {
        const got = d.columns[col] as unknown[];
        expect(col === 'diverged' ? got.map((b) => (b ? 1 : 0)) : got, `${name} ${col}`).toEqual(values);
      }
      // Row groups were staged to 16 rows, whatever the chunk sizes.
      expect(d.rowGroups).toBe(Math.ceil(plan.runs / 16));
      expect(d.compression).toEqual(['SNAPPY']);
      expect(JSON.parse(d.kv['basinlab.spec'] ?? '')).toEqual(specToJSON(plan.spec));
      expect(d.kv['basinlab.engine']).toBe(res.engine);
      expect(d.kv['basinlab.width']).toBe(String(plan.width));
      expect(d.kv['basinlab.height']).toBe(String(plan.height));
      expect(JSON.parse(d.kv['basinlab.minima'] ?? '')).toEqual(plan.minima.map((m) => ({ x: m.x, y: m.y, loss: m.value, sharpness: m.sharpness })));
      expect(Number(d.kv['basinlab.radius'])).toBe(plan.radius);
      expect(Number(d.kv['basinlab.bound'])).toBe(plan.bound);
      expect(d.kv['basinlab.version']).toBe(VERSION);
      expect(d.kv['basinlab.shard']).toBeUndefined();
    }
  });

  it('DuckDB filters on float columns find NaN and infinite values (no statistics that would hide them)', async () => {
    const { plan, res } = cases[0] as Case;
    // Small row groups put a NaN among finite values somewhere: min/max statistics that skip NaN
    // would then let DuckDB prune that row group from filters that NaN satisfies.
    for (const rows of [2, 3, 16]) {
      const path = join(dir, `filters-${rows}.parquet`);
      await writeChunked(sinkFor(path, { rowGroupRows: rows }), sinkMeta(plan, res.engine), res, [91]);
      for (const f of FLOAT_FIELDS) {
        const v = Array.from(res[f]);
        const [nan] = await duckRows(`SELECT count(*) AS n FROM read_parquet(${sqlString(path)}) WHERE ${f} = 'NaN'::FLOAT`);
        const [big] = await duckRows(`SELECT count(*) AS n FROM read_parquet(${sqlString(path)}) WHERE ${f} > 1e30`);
        expect(Number(nan?.n), `${f} = NaN, row groups of ${rows}`).toBe(v.filter((x) => Number.isNaN(x)).length);
        // DuckDB orders NaN above every number.
        expect(Number(big?.n), `${f} > 1e30, row groups of ${rows}`).toBe(v.filter((x) => Number.isNaN(x) || x > 1e30).length);
      }
    }
  });

  it('the grid sweep really has non-finite and diverged values (so the comparisons above test them)', () => {
    const g = cases[0];
    if (!g) throw new Error('no grid case');
    expect(Array.from(g.res.final_x).some((x) => Number.isNaN(x))).toBe(true);
    expect(Array.from(g.res.final_x).some((x) => x === Infinity || x === -Infinity)).toBe(true);
    expect(g.res.diverged.includes(1) && g.res.diverged.includes(0)).toBe(true);
  });

  it('records the shard range of a shard file', async () => {
    const { plan, res } = cases[0] as Case;
    const path = join(dir, 'shard.parquet');
    const meta = sinkMeta(plan, res.engine, { k: 1, n: 3, firstRun: 26, runs: 39 });
    await writeChunked(sinkFor(path), meta, res, [5]);
    const d = await readParquetDuckDB(path);
    expect(JSON.parse(d.kv['basinlab.shard'] ?? '')).toEqual({ k: 1, n: 3, firstRun: 26, runs: 39 });
    expect(d.columns.run).toEqual(Array.from({ length: 39 }, (_, r) => 26 + r));
    expect(d.columns.loss).toEqual(Array.from(res.loss.subarray(26, 65)));
  });
});


/**
 * Writes the first case through a sink at `path` in batches of 10 rows, then closes it: the size of
 * its temp file after each batch.
 */
async function partialSizes(path: string): Promise<number[]> {
  const { plan, res } = cases[0] as Case;
  const sink = sinkFor(path, { rowGroupRows: 10 });
  await sink.open(sinkMeta(plan, res.engine));
  const name = path.split('/').pop() as string;
  const tmp = readdirSync(dir).find((f) => f.startsWith(`${name}.partial-`));
  if (!tmp) throw new Error('no temp file');
  const sizes: number[] = [];
  for (let b = 0; b < plan.runs; b += 10) {
    const n = Math.min(10, plan.runs - b);
    await sink.write(b, sliceColumns(res, b, b + n), n);
    sizes.push(statSync(join(dir, tmp)).size);
  }
  await sink.close();
  return sizes;
}

describe('Arrow IPC sink', () => {
  it('writes an IPC file with the right schema types, metadata and values', async () => {
    for (const { name, plan, res } of cases) {
      const path = join(dir, `${name.replace(' ', '-')}.arrow`);
      await writeChunked(sinkFor(path, { rowGroupRows: 16 }), sinkMeta(plan, res.engine), res, CHUNKS);
      expect(isArrowIpcFile(path), name).toBe(true);
      const t = readArrow(path);
      const fields = Object.fromEntries(t.schema.fields.map((f) => [f.name, f]));
      expect(t.schema.fields.map((f) => f.name)).toEqual(['run', 'i', 'j', ...plan.dims.map((x) => x.path), ...RESULT_FIELDS]);
      for (const f of FLOAT_FIELDS) {
        const type = fields[f]?.type;
        expect(DataType.isFloat(type), f).toBe(true);
        expect(String(type), `${name} ${f}`).toBe(res.engine === 'cpu64' ? 'Float64' : 'Float32');
      }
      for (const f of ['run', 'i', 'j', 'basin', 'steps_to_converge']) expect(String(fields[f]?.type), f).toBe('Int32');
      for (const p of plan.dims) expect(String(fields[p.path]?.type)).toBe('Float64');
      expect(DataType.isBool(fields.diverged?.type)).toBe(true);
      expect(t.batches.length).toBe(Math.ceil(plan.runs / 16));
      const want = expectedColumns(plan, res);
      for (const [col, values] of Object.entries(want)) {
        const v = t.getChild(col);
        if (!v) throw new Error(`no column ${col}`);
        const got = Array.from({ length: v.length }, (_, r) => v.get(r) as unknown);
        expect(col === 'diverged' ? got.map((b) => (b ? 1 : 0)) : got, `${name} ${col}`).toEqual(values);
      }
      const md = t.schema.metadata;
      expect(JSON.parse(md.get('basinlab.spec') ?? '')).toEqual(specToJSON(plan.spec));
      expect(md.get('basinlab.engine')).toBe(res.engine);
      expect(md.get('basinlab.width')).toBe(String(plan.width));
      expect(md.get('basinlab.height')).toBe(String(plan.height));
      expect(md.get('basinlab.version')).toBe(VERSION);
      expect(Number(md.get('basinlab.radius'))).toBe(plan.radius);
      expect(Number(md.get('basinlab.bound'))).toBe(plan.bound);
      expect(JSON.parse(md.get('basinlab.minima') ?? '')).toHaveLength(plan.minima.length);
    }
  });

  it('moves each record batch to disk as it is written, not at close', async () => {
    const path = join(dir, 'growing.arrow');
    const sizes = await partialSizes(path);
    // Every full batch of 10 rows grew the file; the last partial batch is written at close.
    for (let k = 1; k < sizes.length - 1; k++) expect(sizes[k], `after batch ${k}`).toBeGreaterThan(sizes[k - 1] as number);
    expect(existsSync(path)).toBe(true);
  });
});

describe('Parquet sink memory', () => {
  it('moves each row group to disk as it fills', async () => {
    const sizes = await partialSizes(join(dir, 'growing.parquet'));
    for (let k = 1; k < sizes.length - 1; k++) expect(sizes[k], `after row group ${k}`).toBeGreaterThan(sizes[k - 1] as number);
  });
});

describe('CSV and JSON sinks', () => {
  it('CSV is byte for byte what writeResultsCSV writes', async () => {
    for (const { name, plan, res } of cases) {
      const path = join(dir, `${name.replace(' ', '-')}.csv`);
      await writeChunked(sinkFor(path), sinkMeta(plan, res.engine), res, CHUNKS);
      let want = '';
      writeResultsCSV(res, plan, (c) => {
        want += c;
      });
      expect(readFileSync(path, 'utf8'), name).toBe(want);
    }
  });

  it('JSON is byte for byte what writeResultsJSON writes (grid and list sweeps)', async () => {
    for (const { name, plan, res } of cases) {
      const path = join(dir, `${name.replace(' ', '-')}.json`);
      await writeChunked(sinkFor(path), sinkMeta(plan, res.engine), res, CHUNKS);
      expect(withoutChecksum(readFileSync(path, 'utf8')), name).toBe(jsonText(res, plan));
    }
  });

  it('a shard JSON document names its range and holds only its runs', async () => {
    const { plan, res } = cases[2] as Case;
    const path = join(dir, 'shard.json');
    await writeChunked(sinkFor(path), sinkMeta(plan, res.engine, { k: 2, n: 4, firstRun: 20, runs: 10 }), res, [3]);
    const doc = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    expect(doc.shard).toEqual({ k: 2, n: 4, firstRun: 20, runs: 10 });
    expect(doc.loss).toEqual(Array.from(res.loss.subarray(20, 30)));
    expect((doc.points as Record<string, number[]>)['start.0']).toEqual(Array.from({ length: 10 }, (_, r) => sweepValue(plan, 20 + r, 1)));
  });
});

describe('chunks larger than a block of text', () => {
  it('CSV and JSON of a 20000-run chunk match the whole-result writers', async () => {
    const spec = { ...GRID_SPEC, steps: 5, sweep: { x: { ...GRID_SPEC.sweep.x, count: 200 }, y: { ...GRID_SPEC.sweep.y, count: 100 } } };
    const { plan, res } = await runSweep(spec, 'cpu');
    for (const ext of ['csv', 'json']) {
      const path = join(dir, `big.${ext}`);
      await writeChunked(sinkFor(path), sinkMeta(plan, res.engine), res, [19_000, 1000]);
      let want = '';
      (ext === 'csv' ? writeResultsCSV : writeResultsJSON)(res, plan, (c) => {
        want += c;
      });
      const got = readFileSync(path, 'utf8');
      expect((ext === 'json' ? withoutChecksum(got) : got) === want, ext).toBe(true);
    }
  });
});

describe('writeColumnsFile', () => {
  it('writes a whole Results, or a shard of it, through the sink of the extension', async () => {
    const { plan, res } = cases[2] as Case;
    const path = join(dir, 'whole-from-results.json');
    await writeColumnsFile(path, sinkMeta(plan, res.engine), res, { rowGroupRows: 9, close: { meta: res.meta } });
    expect(withoutChecksum(readFileSync(path, 'utf8'))).toBe(jsonText(res, plan));
    const shard = join(dir, 'shard-from-results.parquet');
    await writeColumnsFile(shard, sinkMeta(plan, res.engine, { k: 1, n: 2, firstRun: 20, runs: 20 }), res, { rowGroupRows: 6 });
    expect((await readParquetDuckDB(shard)).columns.sharpness).toEqual(Array.from(res.sharpness.subarray(20)));
    // Columns holding only the shard's runs (what a shard's engine run returns).
    const own = join(dir, 'shard-own-cols.parquet');
    await writeColumnsFile(own, sinkMeta(plan, res.engine, { k: 1, n: 2, firstRun: 20, runs: 20 }), sliceColumns(res, 20, 40), { colsFirstRun: 20 });
    expect((await readParquetDuckDB(own)).columns).toEqual((await readParquetDuckDB(shard)).columns);
  });

  it('refuses float columns of the other precision, and leaves no file', async () => {
    const { plan, res } = cases[1] as Case;
    const path = join(dir, 'wrong-precision.arrow');
    await expect(writeColumnsFile(path, sinkMeta(plan, 'cpu'), res)).rejects.toThrow(/engine cpu\): column final_x is a Float64Array, but float32 is written from a Float32Array/);
    expect(readdirSync(dir).filter((f) => f.startsWith('wrong-precision'))).toEqual([]);
  });
});

describe('sink lifecycle', () => {
  const leftovers = (prefix: string): string[] => readdirSync(dir).filter((f) => f.startsWith(prefix));

  it('abort leaves nothing under the final name, nor temp files', async () => {
    const { plan, res } = cases[2] as Case;
    for (const ext of ['parquet', 'arrow', 'csv', 'json']) {
      const path = join(dir, `aborted.${ext}`);
      const sink = sinkFor(path, { rowGroupRows: 4 });
      await sink.open(sinkMeta(plan, res.engine));
      for (let b = 0; b < 25; b += 5) await sink.write(b, sliceColumns(res, b, b + 5), 5);
      expect(leftovers(`aborted.${ext}.partial-`).length, ext).toBeGreaterThan(0);
      await sink.abort();
      expect(existsSync(path), ext).toBe(false);
      expect(leftovers(`aborted.${ext}`), ext).toEqual([]);
      await expect(sink.write(25, sliceColumns(res, 25, 30), 5), ext).rejects.toThrow(/aborted/);
    }
  });

  it('closing before every run was written fails and leaves no file', async () => {
    const { plan, res } = cases[0] as Case;
    const path = join(dir, 'short.parquet');
    const sink = sinkFor(path);
    await sink.open(sinkMeta(plan, res.engine));
    await sink.write(0, sliceColumns(res, 0, 30), 30);
    await expect(sink.close()).rejects.toThrow(/closed after runs \[0, 30\) of \[0, 91\)/);
    expect(leftovers('short.parquet')).toEqual([]);
  });

  it('refuses chunks out of order or past the end', async () => {
    const { plan, res } = cases[0] as Case;
    const sink = sinkFor(join(dir, 'order.arrow'));
    await sink.open(sinkMeta(plan, res.engine));
    await sink.write(0, sliceColumns(res, 0, 10), 10);
    await expect(sink.write(20, sliceColumns(res, 20, 30), 10)).rejects.toThrow(/starts at run 20, expected run 10/);
    await expect(sink.write(10, sliceColumns(res, 10, 91), 100)).rejects.toThrow(/goes past the last run 90/);
    await sink.abort();
    expect(leftovers('order.arrow')).toEqual([]);
  });

  it('an existing file under the final name survives an aborted run', async () => {
    const { plan, res } = cases[0] as Case;
    const path = join(dir, 'keep.csv');
    await writeChunked(sinkFor(path), sinkMeta(plan, res.engine), res, [50]);
    const before = readFileSync(path, 'utf8');
    const sink = sinkFor(path);
    await sink.open(sinkMeta(plan, res.engine));
    await sink.write(0, sliceColumns(res, 0, 5), 5);
    await sink.abort();
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('writes issued without waiting still land in order', async () => {
    const { plan, res } = cases[0] as Case;
    const path = join(dir, 'unawaited.parquet');
    const sink = sinkFor(path, { rowGroupRows: 8 });
    await sink.open(sinkMeta(plan, res.engine));
    const pending: Promise<void>[] = [];
    for (let b = 0; b < plan.runs; b += 10) pending.push(sink.write(b, sliceColumns(res, b, Math.min(plan.runs, b + 10)), Math.min(10, plan.runs - b)));
    await Promise.all(pending);
    await sink.close();
    expect((await readParquetDuckDB(path)).columns.steps_to_converge).toEqual(Array.from(res.steps_to_converge));
  });

  it('a refused chunk leaves the sink usable; a failed file operation does not', async () => {
    const { plan, res } = cases[0] as Case;
    const sink = sinkFor(join(dir, 'refused.json'));
    await sink.open(sinkMeta(plan, res.engine));
    await expect(sink.write(0, { ...sliceColumns(res, 0, 10), final_x: new Float64Array(10) }, 10)).rejects.toThrow(/Float64Array/);
    await sink.write(0, sliceColumns(res, 0, 91), 91);
    await sink.abort();
    expect(leftovers('refused.json')).toEqual([]);

    const broken = sinkFor(join(dir, 'no-such-dir', 'r.csv'));
    await expect(broken.open(sinkMeta(plan, res.engine))).rejects.toThrow(/ENOENT/);
    await expect(broken.write(0, sliceColumns(res, 0, 10), 10)).rejects.toThrow(/an earlier write failed: .*ENOENT/);
    await expect(broken.close()).rejects.toThrow();
    await broken.abort();
    expect(existsSync(join(dir, 'no-such-dir'))).toBe(false);
  });

  it('picks the format by extension and names the allowed ones otherwise', () => {
    expect(() => sinkFor(join(dir, 'r.xlsx'))).toThrow(/--out: .*allowed: \.parquet, \.arrow, \.feather, \.csv, \.json/);
  });
});
