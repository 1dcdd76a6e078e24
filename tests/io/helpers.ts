/**
 * Shared by the io tests: small real sweeps run on the CPU engine, chunked writes through a sink,
 * and independent readers (DuckDB for Parquet, apache-arrow for Arrow IPC files).
 */
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import type { Table } from 'apache-arrow';
import type { Plan } from '../../src/core/plan.ts';
import { makePlan } from '../../src/core/plan.ts';
import type { AnyColumns, Results } from '../../src/core/results.ts';
import { columnOf, presentFields, sliceColumns } from '../../src/core/results.ts';
import { parseSpec } from '../../src/core/spec.ts';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';
import type { ResultSink, SinkMeta } from '../../src/io/sinks.ts';

/**
 * A 13 × 7 grid where the largest learning rates diverge (final positions become inf or NaN) and
 * the rest converge to Rosenbrock's minimum or stop short of it: every column holds varied values.
 */
export const GRID_SPEC = {
  surface: 'rosenbrock',
  optimizer: { name: 'SGD', lr: 0.001, momentum: 0.9 },
  steps: 300,
  start: [-1.5, 2.0],
  sweep: {
    x: { param: 'optimizer.lr', min: 1e-4, max: 2e-2, count: 13, scale: 'log' },
    y: { param: 'optimizer.momentum', min: 0, max: 0.95, count: 7, scale: 'linear' },
  },
};

/** A Sobol sweep over three parameters: a list sweep (height 1) with per-run coordinates. */
export const SOBOL_SPEC = {
  surface: 'himmelblau',
  optimizer: { name: 'Adam', lr: 0.05 },
  steps: 200,
  sweep: {
    kind: 'sobol',
    count: 40,
    seed: 3,
    dims: [
      { param: 'optimizer.lr', min: 1e-3, max: 0.5, scale: 'log' },
      { param: 'start.0', min: -5, max: 5 },
      { param: 'start.1', min: -5, max: 5 },
    ],
  },
};

export async function runSweep(spec: unknown, engine: 'cpu' | 'cpu64'): Promise<{ plan: Plan; res: Results }> {
  const plan = makePlan(parseSpec(spec));
  const e = new CpuEngine(engine, { workers: 0, spawn: null });
  try {
    return { plan, res: await e.run(plan) };
  } finally {
    await e.dispose();
  }
}

export { sliceColumns };

/**
 * Writes runs [meta.firstRun, meta.firstRun + meta.runs) of `res` in chunks of the given sizes
 * (cycled). Each chunk is handed over in a buffer longer than the chunk, overwritten afterwards,
 * as an engine reusing its buffers would: a sink must read only n rows, and before it returns.
 */
export async function writeChunked(sink: ResultSink, meta: SinkMeta, res: AnyColumns, sizes: readonly number[], close = true): Promise<void> {
  await sink.open(meta);
  let begin = meta.firstRun;
  const end = meta.firstRun + meta.runs;
  let k = 0;
  while (begin < end) {
    const n = Math.min(end - begin, sizes[k % sizes.length] ?? 1);
    const buf = sliceColumns(res, begin, begin + n + 3);
    await sink.write(begin, buf, n);
    for (const f of presentFields(buf)) columnOf(buf, f)?.fill(7);
    begin += n;
    k++;
  }
  if (close) await sink.close({ meta: (res as Partial<Results>).meta ?? {} });
}

let duck: Promise<DuckDBConnection> | null = null;

function connection(): Promise<DuckDBConnection> {
  duck ??= DuckDBInstance.create(':memory:').then((db) => db.connect());
  return duck;
}

const quote = (path: string): string => `'${path.replaceAll("'", "''")}'`;

export interface DuckParquet {
  readonly columns: Record<string, unknown[]>;
  readonly names: string[];
  readonly types: Record<string, string>;
  readonly kv: Record<string, string>;
  readonly rowGroups: number;
  readonly compression: string[];
}

/** Reads a Parquet file with DuckDB (its own Parquet reader, no extension download). */
export async function readParquetDuckDB(path: string): Promise<DuckParquet> {
  const c = await connection();
  const r = await c.runAndReadAll(`SELECT * FROM read_parquet(${quote(path)}) ORDER BY run`);
  const names = r.columnNames();
  const types: Record<string, string> = {};
  r.columnTypes().forEach((t, k) => {
    types[names[k] ?? `#${k}`] = t.toString();
  });
  const columns = r.getColumnsObjectJS() as Record<string, unknown[]>;
  const kvr = await c.runAndReadAll(`SELECT decode(key) AS key, decode(value) AS value FROM parquet_kv_metadata(${quote(path)})`);
  const kv: Record<string, string> = {};
  for (const row of kvr.getRowObjectsJS()) kv[String(row.key)] = String(row.value);
  const md = await c.runAndReadAll(`SELECT count(DISTINCT row_group_id) AS g, list(DISTINCT compression) AS c FROM parquet_metadata(${quote(path)})`);
  const row = md.getRowObjectsJS()[0] ?? {};
  return { columns, names, types, kv, rowGroups: Number(row.g), compression: (row.c as string[]).map(String) };
}

/** One query's rows, through DuckDB. */
export async function duckRows(sql: string): Promise<Record<string, unknown>[]> {
  const c = await connection();
  return (await c.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

export { quote as sqlString };

export function readArrow(path: string): Table {
  return tableFromIPC(readFileSync(path));
}

/** Arrow IPC file format: "ARROW1" magic at both ends (the stream format has none). */
export function isArrowIpcFile(path: string): boolean {
  const b = readFileSync(path);
  const magic = Buffer.from('ARROW1');
  return b.subarray(0, 6).equals(magic) && b.subarray(b.length - 6).equals(magic);
}
