/**
 * The round trip that tests/io/columns.test.ts (surface sweeps) and tests/io/network-columns.test.ts
 * (network sweeps) both put their cases through: a sweep run on a CPU engine, written by every
 * format's sink, read back by read.ts and by an independent reader per format (DuckDB for Parquet and
 * CSV, apache-arrow for Arrow, JSON.parse for JSON), run as shards and merged, and printed by the
 * CLI, each compared value for value with the in-memory result. Each check returns what it read, so
 * that a test file adds only the assertions its kind of sweep needs (a network's metadata, say).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import { expect } from 'vitest';
import type { NetPlan } from '../../src/core/network/plan.ts';
import type { AnyPlan, Plan } from '../../src/core/plan.ts';
import type { AnyResults, ColumnDef, NetResults, Results } from '../../src/core/results.ts';
import { columnOf, precisionOf, resultColumns, tableColumns } from '../../src/core/results.ts';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';
import type { FileFormat } from '../../src/io/format.ts';
import { mergeShards } from '../../src/io/merge.ts';
import { readResults } from '../../src/io/read.ts';
import { shardRange } from '../../src/io/shards.ts';
import { sinkFor, sinkMeta } from '../../src/io/sinks.ts';
import type { DuckParquet } from './helpers.ts';
import { duckRows, readArrow, readParquetDuckDB, sqlString, writeChunked } from './helpers.ts';

export const FORMATS: readonly FileFormat[] = ['json', 'csv', 'parquet', 'arrow'];
/** Formats a shard can be written in (CSV records no spec or range to merge by). */
export const SHARD_FORMATS: readonly FileFormat[] = ['parquet', 'arrow', 'json'];
/** How many shards a sweep is split into. */
export const SHARDS = 3;

/** One sweep, run in memory: what every file written from it is compared with. */
export interface RoundTripCase<P extends AnyPlan = AnyPlan, R extends AnyResults = AnyResults> {
  readonly name: string;
  readonly spec: Record<string, unknown>;
  readonly engine: 'cpu' | 'cpu64';
  readonly plan: P;
  readonly res: R;
  /** The result columns its spec produces, as the engine's precision types them. */
  readonly columns: ColumnDef[];
}

/** Runs the plan in process on the engine: the case, with the columns its spec produces. */
export async function runCase(name: string, spec: Record<string, unknown>, engine: 'cpu' | 'cpu64', plan: Plan): Promise<RoundTripCase<Plan, Results>>;
export async function runCase(name: string, spec: Record<string, unknown>, engine: 'cpu' | 'cpu64', plan: NetPlan): Promise<RoundTripCase<NetPlan, NetResults>>;
export async function runCase(name: string, spec: Record<string, unknown>, engine: 'cpu' | 'cpu64', plan: AnyPlan): Promise<RoundTripCase> {
  const e = new CpuEngine(engine, { workers: 0, spawn: null });
  try {
    const res = await e.run(plan);
    return { name, spec, engine, plan, res, columns: resultColumns(plan.spec, precisionOf(engine)) };
  } finally {
    await e.dispose();
  }
}

/** The case's name as a file name stem. */
export const stem = (c: RoundTripCase): string => c.name.replace(/[^\w]+/g, '-');

/** Index of the first value that differs (NaN equals NaN; -0 differs from 0), or -1. */
function firstDifference(got: ArrayLike<unknown>, want: ArrayLike<number>): number {
  if (got.length !== want.length) return Math.min(got.length, want.length);
  for (let r = 0; r < want.length; r++) if (!Object.is(got[r], want[r])) return r;
  return -1;
}

export function expectSame(got: ArrayLike<unknown>, want: ArrayLike<number>, label: string): void {
  const r = firstDifference(got, want);
  expect(r, `${label}: row ${r} holds ${String(got[r])}, expected ${String(want[r])} (lengths ${got.length}, ${want.length})`).toBe(-1);
}

/** A column's in-memory values as a file of this format holds them: JSON writes non-finite values as null. */
export function expected(c: RoundTripCase, col: ColumnDef, format: FileFormat, from = 0, to = c.plan.runs): number[] {
  const a = columnOf(c.res, col.name);
  if (!a) throw new Error(`${c.name}: no column ${col.name} in memory`);
  const values = Array.from(a.subarray(from, to), Number);
  return format === 'json' ? values.map((v) => (Number.isFinite(v) ? v : Number.NaN)) : values;
}

/** The names of the columns a file of the case holds, `run` and the swept parameters included. */
const tableNames = (c: RoundTripCase): string[] => tableColumns(c.plan, precisionOf(c.engine)).map((x) => x.name);

const ARRAYS: Record<ColumnDef['type'], unknown> = { float32: Float32Array, float64: Float64Array, int32: Int32Array, bool: Uint8Array };
const DUCK_TYPES: Record<ColumnDef['type'], string> = { float32: 'FLOAT', float64: 'DOUBLE', int32: 'INTEGER', bool: 'BOOLEAN' };
const ARROW_TYPES: Record<ColumnDef['type'], string> = { float32: 'Float32', float64: 'Float64', int32: 'Int32', bool: 'Bool' };

/** Where the round trip writes the case's file of this format. */
export const filePath = (dir: string, c: RoundTripCase, format: FileFormat): string => join(dir, `${stem(c)}.${format}`);

/**
 * Writes the case through the format's sink in chunks of the given sizes (cycled) and reads it back
 * with read.ts: the same columns, precision, runs and values, in the typed arrays the engine uses.
 */
export async function writeAndReadBack(dir: string, c: RoundTripCase, format: FileFormat, opts: { readonly rowGroupRows: number; readonly chunks: readonly number[] }): Promise<void> {
  const path = filePath(dir, c, format);
  await writeChunked(sinkFor(path, { rowGroupRows: opts.rowGroupRows }), sinkMeta(c.plan, c.res.engine), c.res, opts.chunks);
  const t = await readResults(path, { precision: precisionOf(c.engine) });
  const label = `${c.name} ${format}`;
  expect(t.columns.map((d) => d.name), label).toEqual(c.columns.map((d) => d.name));
  expect(t.precision, label).toBe(precisionOf(c.engine));
  expectSame(t.run, Array.from({ length: c.plan.runs }, (_, r) => r), `${label} run`);
  for (const col of c.columns) {
    const got = columnOf(t.cols, col.name);
    expect(got, `${label} ${col.name}`).toBeInstanceOf(ARRAYS[col.type]);
    expectSame(got ?? [], expected(c, col, format), `${label} ${col.name}`);
  }
}

/** The case's Parquet file (written by writeAndReadBack) read by DuckDB: every column, its type and exact values. */
export async function checkParquetDuckDB(dir: string, c: RoundTripCase): Promise<DuckParquet> {
  const d = await readParquetDuckDB(filePath(dir, c, 'parquet'));
  expect(d.names, c.name).toEqual(tableNames(c));
  for (const col of c.columns) {
    expect(d.types[col.name], `${c.name} ${col.name}`).toBe(DUCK_TYPES[col.type]);
    const got = (d.columns[col.name] ?? []).map((v) => (typeof v === 'boolean' ? Number(v) : v));
    expectSame(got, expected(c, col, 'parquet'), `${c.name} parquet/duckdb ${col.name}`);
  }
  return d;
}

/** The case's CSV file read by DuckDB: numeric columns (not text), exact values, NaN and ±Infinity included. */
export async function checkCsvDuckDB(dir: string, c: RoundTripCase): Promise<void> {
  const path = filePath(dir, c, 'csv');
  const rows = await duckRows(`SELECT * FROM read_csv(${sqlString(path)}) ORDER BY run`);
  expect(Object.keys(rows[0] ?? {}), c.name).toEqual(tableNames(c));
  const types = await duckRows(`SELECT column_name AS n, column_type AS t FROM (DESCRIBE SELECT * FROM read_csv(${sqlString(path)}))`);
  for (const col of c.columns) {
    const t = String(types.find((x) => x.n === col.name)?.t);
    expect(col.kind === 'float' ? t === 'DOUBLE' : ['BIGINT', 'INTEGER', 'BOOLEAN'].includes(t), `${c.name} csv ${col.name} read as ${t}`).toBe(true);
    const got = rows.map((r) => {
      const v = r[col.name];
      return typeof v === 'bigint' || typeof v === 'boolean' ? Number(v) : v;
    });
    expectSame(got, expected(c, col, 'csv'), `${c.name} csv/duckdb ${col.name}`);
  }
}

/** The case's Arrow file read by apache-arrow: every column, its type and exact values. */
export function checkArrow(dir: string, c: RoundTripCase): Table {
  const t = readArrow(filePath(dir, c, 'arrow'));
  expect(t.schema.fields.map((f) => f.name), c.name).toEqual(tableNames(c));
  for (const col of c.columns) {
    const v = t.getChild(col.name);
    expect(String(v?.type), `${c.name} ${col.name}`).toBe(ARROW_TYPES[col.type]);
    const got = Array.from({ length: v?.length ?? 0 }, (_, r) => {
      const x = v?.get(r) as unknown;
      return typeof x === 'boolean' ? Number(x) : x;
    });
    expectSame(got, expected(c, col, 'arrow'), `${c.name} arrow ${col.name}`);
  }
  return t;
}

/** A JSON document's column arrays compared with the case, null read as NaN (`source` names it in failures). */
function expectJsonColumns(doc: Record<string, unknown>, c: RoundTripCase, source: string): void {
  for (const col of c.columns) {
    const got = ((doc[col.name] as (number | null)[] | undefined) ?? []).map((v) => (v === null ? Number.NaN : v));
    expectSame(got, expected(c, col, 'json'), `${c.name} ${source} ${col.name}`);
  }
}

/** The case's JSON file parsed as plain JSON: one array per column, null where not finite. */
export function checkJson(dir: string, c: RoundTripCase): Record<string, unknown> {
  const doc = JSON.parse(readFileSync(filePath(dir, c, 'json'), 'utf8')) as Record<string, unknown>;
  expectJsonColumns(doc, c, 'json');
  return doc;
}

/** `basinlab sweep` of the case's spec without --out: the JSON document on stdout (not a terminal), every column in it. */
export function checkCliStdout(dir: string, c: RoundTripCase): Record<string, unknown> {
  const spec = join(dir, `cli-${stem(c)}.json`);
  writeFileSync(spec, JSON.stringify(c.spec));
  const r = spawnSync(process.execPath, ['bin/basinlab.js', 'sweep', spec, '--engine', c.engine, '--quiet', '--workers', '0'], { encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 26 });
  expect(r.status, r.stderr).toBe(0);
  const doc = JSON.parse(r.stdout) as Record<string, unknown>;
  expectJsonColumns(doc, c, 'stdout');
  return doc;
}

/** Runs shard k of SHARDS on the case's engine, streaming its chunks into the sink, as `sweep --shard` does. */
export async function runShard(c: RoundTripCase, k: number, path: string, rowGroupRows: number): Promise<void> {
  const range = shardRange(c.plan.runs, c.plan.width, k, SHARDS);
  const sink = sinkFor(path, { rowGroupRows });
  const e = new CpuEngine(c.engine, { workers: 0, spawn: null });
  try {
    await sink.open(sinkMeta(c.plan, e.name, range));
    const r = await e.run(c.plan, {
      keepResults: false,
      range: { begin: range.firstRun, end: range.firstRun + range.runs },
      onChunk: (b, cols, n) => sink.write(b, cols, n),
    });
    await sink.close({ meta: r.meta });
  } catch (err) {
    await sink.abort();
    throw err;
  } finally {
    await e.dispose();
  }
}

/** Where shardAndMerge writes the merge of the case's shards of `shardFormat` into `out`. */
export const mergedPath = (dir: string, c: RoundTripCase, shardFormat: FileFormat, out: FileFormat): string => join(dir, `${stem(c)}-merged-from-${shardFormat}.${out}`);

/**
 * Runs the case as SHARDS shards of `shardFormat`, each holding its runs of every column, and merges
 * them into every format (see mergedPath): each merged file equals the unsharded result.
 */
export async function shardAndMerge(dir: string, c: RoundTripCase, shardFormat: FileFormat, rowGroupRows: { readonly shard: number; readonly merge: number }): Promise<void> {
  const shards: string[] = [];
  for (let k = 0; k < SHARDS; k++) {
    const path = join(dir, `${stem(c)}-shard-${k}.${shardFormat}`);
    await runShard(c, k, path, rowGroupRows.shard);
    const range = shardRange(c.plan.runs, c.plan.width, k, SHARDS);
    const t = await readResults(path);
    for (const col of c.columns) {
      expectSame(columnOf(t.cols, col.name) ?? [], expected(c, col, shardFormat, range.firstRun, range.firstRun + range.runs), `${c.name} shard ${k} ${shardFormat} ${col.name}`);
    }
    shards.push(path);
  }
  for (const out of FORMATS) {
    const path = mergedPath(dir, c, shardFormat, out);
    // Shards in reverse order: the merge orders them by run range.
    await mergeShards(path, [...shards].reverse(), { rowGroupRows: rowGroupRows.merge });
    const t = await readResults(path, { precision: precisionOf(c.engine) });
    const label = `${c.name} ${shardFormat} shards → ${out}`;
    expect(t.columns.map((d) => d.name), label).toEqual(c.columns.map((d) => d.name));
    // A value lost in a JSON shard (non-finite → null) stays lost: compare with what both formats keep.
    const lossy: FileFormat = shardFormat === 'json' || out === 'json' ? 'json' : out;
    for (const col of c.columns) expectSame(columnOf(t.cols, col.name) ?? [], expected(c, col, lossy), `${label} ${col.name}`);
  }
}
