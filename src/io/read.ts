/**
 * Reading result files back, chunk by chunk: Parquet (hyparquet, one row group at a time), Arrow
 * IPC files (apache-arrow, one record batch at a time) and JSON documents (parsed whole: JSON is
 * for small sweeps). Used by the merge; memory stays bounded by a row group for Parquet and Arrow.
 */
import type { FileHandle } from 'node:fs/promises';
import { constants } from 'node:fs';
import { access, open, readFile } from 'node:fs/promises';
import { RecordBatchReader } from 'apache-arrow';
import type { Vector } from 'apache-arrow';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead } from 'hyparquet';
import type { AsyncBuffer, DecodedArray, FileMetaData } from 'hyparquet';
import { SpecError } from '../core/errors.ts';
import type { EngineName, ResultColumns, ResultField } from '../core/results.ts';
import { RESULT_FIELDS, allocateColumns } from '../core/results.ts';
import type { FileFormat, Precision, ShardInfo } from './format.ts';
import { META, formatOf, precisionOf } from './format.ts';

export interface ResultChunk {
  /** Global index of the chunk's first run. */
  readonly begin: number;
  readonly n: number;
  /** The file's `run` column for these rows (a merge checks it against begin..begin+n). */
  readonly run: Int32Array;
  readonly cols: ResultColumns;
}

export interface ResultFile {
  readonly path: string;
  readonly format: FileFormat;
  /** Key-value metadata as stored (`basinlab.*`); for JSON, rebuilt from the document's fields. */
  readonly metadata: ReadonlyMap<string, string>;
  /** `basinlab.spec` as stored: shards match when these strings are identical. */
  readonly spec: string;
  readonly engine: EngineName;
  readonly precision: Precision;
  readonly width: number;
  readonly height: number;
  /**
   * Rows the file holds by its metadata (Parquet and JSON check it against the stored rows when
   * opened; Arrow's footer does not count rows, so readers of chunks() check the total).
   */
  readonly rows: number;
  /** The recorded shard, or null for a whole-sweep file. */
  readonly shard: ShardInfo | null;
  /** Runs the file holds: the shard's, or [0, rows). */
  readonly firstRun: number;
  chunks(): AsyncGenerator<ResultChunk>;
  close(): Promise<void>;
}

const ENGINES: readonly EngineName[] = ['cpu', 'cpu64', 'gpu'];

function fail(path: string, msg: string): never {
  throw new SpecError('', `${path}: ${msg}`);
}

/** Opens a result file for reading (metadata now, rows through chunks()). */
export async function openResults(path: string): Promise<ResultFile> {
  const format = formatOf(path, path);
  try {
    await access(path, constants.R_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    fail(path, code === 'ENOENT' ? 'no such file (a shard that has not finished, or failed?)' : `cannot read: ${code ?? (e as Error).message}`);
  }
  switch (format) {
    case 'parquet':
      return openParquet(path);
    case 'arrow':
      return openArrow(path);
    case 'json':
      return openJson(path);
    case 'csv':
      return fail(path, 'a CSV file carries no metadata (spec, engine, shard range) to merge by; write shards as .parquet or .arrow');
  }
}

/** The fields common to every format, from its key-value metadata. */
function describe(path: string, format: FileFormat, metadata: ReadonlyMap<string, string>, stored: number | null, floatType: Precision | null) {
  const get = (key: string): string => metadata.get(key) ?? fail(path, `no ${key} in the file's metadata: not a basinlab result file`);
  const spec = get(META.spec);
  const engineText = get(META.engine);
  const engine = ENGINES.find((e) => e === engineText) ?? fail(path, `${META.engine} is ${JSON.stringify(engineText)}; expected one of ${ENGINES.join(', ')}`);
  const width = Number(get(META.width));
  const height = Number(get(META.height));
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) fail(path, `bad image size ${width} × ${height} in the metadata`);
  const precision = precisionOf(engine);
  if (floatType !== null && floatType !== precision) fail(path, `float columns are ${floatType} but engine ${engine} computes in ${precision}`);
  let shard: ShardInfo | null = null;
  const shardText = metadata.get(META.shard);
  if (shardText !== undefined) {
    let s: unknown;
    try {
      s = JSON.parse(shardText);
    } catch {
      s = null;
    }
    const o = (typeof s === 'object' && s !== null ? s : {}) as Record<string, unknown>;
    const ints = ['k', 'n', 'firstRun', 'runs'].map((key) => o[key]);
    if (!ints.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0)) fail(path, `${META.shard} is not {"k","n","firstRun","runs"}: ${shardText}`);
    shard = { k: o.k as number, n: o.n as number, firstRun: o.firstRun as number, runs: o.runs as number };
    if (stored !== null && shard.runs !== stored) fail(path, `${META.shard} says ${shard.runs} runs but the file holds ${stored} rows (truncated or corrupt)`);
    if (shard.firstRun + shard.runs > width * height) fail(path, `${META.shard} runs [${shard.firstRun}, ${shard.firstRun + shard.runs}) go past the sweep's ${width * height} runs`);
  } else if (stored !== null && stored !== width * height) {
    fail(path, `holds ${stored} rows, not the ${width} × ${height} runs of its sweep, and records no ${META.shard} range`);
  }
  const rows = shard ? shard.runs : width * height;
  return { path, format, metadata, spec, engine, precision, width, height, rows, shard, firstRun: shard ? shard.firstRun : 0 };
}

interface NumberColumn {
  [row: number]: number;
  set(src: ArrayLike<number>, offset: number): void;
}

/**
 * Copies a column's values in at row `at`. Readers return typed arrays, but also plain arrays
 * (booleans, dictionary-decoded values) and, from JSON, null for a non-finite float.
 */
function fill(dst: NumberColumn, kind: 'bool' | 'int' | 'float', src: ArrayLike<unknown>, at: number, name: string, path: string): void {
  if (kind === 'bool') {
    for (let r = 0; r < src.length; r++) dst[at + r] = src[r] ? 1 : 0;
    return;
  }
  if (src instanceof Float32Array || src instanceof Float64Array || src instanceof Int32Array) {
    dst.set(src, at);
    return;
  }
  for (let r = 0; r < src.length; r++) {
    const v = src[r];
    if (typeof v === 'number') dst[at + r] = v;
    else if (v === null && kind === 'float') dst[at + r] = Number.NaN;
    else fail(path, `column ${name} holds ${String(v)} at row ${at + r}`);
  }
}

function kindOf(f: ResultField): 'bool' | 'int' | 'float' {
  return f === 'diverged' ? 'bool' : f === 'basin' || f === 'steps_to_converge' ? 'int' : 'float';
}

function fillField(cols: ResultColumns, f: ResultField, src: ArrayLike<unknown>, at: number, path: string): void {
  fill(cols[f], kindOf(f), src, at, f, path);
}

function int32s(src: ArrayLike<unknown>, name: string, path: string): Int32Array {
  if (src instanceof Int32Array) return src;
  const out = new Int32Array(src.length);
  fill(out, 'int', src, 0, name, path);
  return out;
}

// ---------------------------------------------------------------------------------------------

const PARQUET_PRECISION: Record<string, Precision> = { FLOAT: 'f32', DOUBLE: 'f64' };

async function openParquet(path: string): Promise<ResultFile> {
  let file: AsyncBuffer;
  let md: FileMetaData;
  try {
    file = await asyncBufferFromFile(path);
    md = await parquetMetadataAsync(file);
  } catch (e) {
    return fail(path, `cannot read as Parquet: ${(e as Error).message}`);
  }
  const metadata = new Map((md.key_value_metadata ?? []).map((kv) => [kv.key, kv.value ?? '']));
  const names = md.schema.slice(1).map((s) => s.name);
  for (const f of ['run', ...RESULT_FIELDS]) if (!names.includes(f)) fail(path, `no column ${f}`);
  const fx = md.schema.find((s) => s.name === 'final_x')?.type;
  const info = describe(path, 'parquet', metadata, Number(md.num_rows), (fx && PARQUET_PRECISION[fx]) ?? fail(path, `final_x is ${fx ?? 'untyped'}, not FLOAT or DOUBLE`));
  const columns = ['run', ...RESULT_FIELDS];

  async function* chunks(): AsyncGenerator<ResultChunk> {
    let rowStart = 0;
    for (const rg of md.row_groups) {
      const n = Number(rg.num_rows);
      const rowEnd = rowStart + n;
      const cols = allocateColumns(n, info.precision);
      let run: Int32Array | null = null;
      await parquetRead({
        file,
        metadata: md,
        rowStart,
        rowEnd,
        columns,
        onChunk: (c) => {
          // A chunk may start before the requested rows; keep only this row group's part.
          const from = Math.max(rowStart, c.rowStart);
          const to = Math.min(rowEnd, c.rowEnd);
          if (to <= from) return;
          const part = c.columnData.slice(from - c.rowStart, to - c.rowStart) as DecodedArray;
          if (c.columnName === 'run') {
            run ??= new Int32Array(n);
            run.set(int32s(part, 'run', path), from - rowStart);
          } else {
            const f = RESULT_FIELDS.find((x) => x === c.columnName);
            if (f) fillField(cols, f, part, from - rowStart, path);
          }
        },
      });
      if (!run) fail(path, `row group at row ${rowStart} has no run column`);
      yield { begin: info.firstRun + rowStart, n, run, cols };
      rowStart = rowEnd;
    }
  }
  return { ...info, chunks, close: async () => undefined };
}

// ---------------------------------------------------------------------------------------------

async function openArrow(path: string): Promise<ResultFile> {
  let fh: FileHandle | null = null;
  try {
    fh = await open(path, 'r');
    const reader = await RecordBatchReader.from(fh);
    await reader.open();
    if (!reader.isFile()) fail(path, 'is an Arrow stream, not an Arrow IPC file');
    const schema = reader.schema;
    const names = schema.fields.map((f) => f.name);
    for (const f of ['run', ...RESULT_FIELDS]) if (!names.includes(f)) fail(path, `no column ${f}`);
    const fx = String(schema.fields.find((f) => f.name === 'final_x')?.type);
    const floatType = fx === 'Float32' ? 'f32' : fx === 'Float64' ? 'f64' : fail(path, `final_x is ${fx}, not Float32 or Float64`);
    // The footer does not count rows; the merge checks the count as it reads the batches.
    const info = describe(path, 'arrow', schema.metadata, null, floatType);
    const handle = fh;
    async function* chunks(): AsyncGenerator<ResultChunk> {
      let at = 0;
      for await (const batch of reader) {
        const n = batch.numRows;
        if (n === 0) continue;
        const cols = allocateColumns(n, info.precision);
        const column = (name: string): Vector => batch.getChild(name) ?? fail(path, `record batch at row ${at} has no column ${name}`);
        for (const f of RESULT_FIELDS) fillField(cols, f, column(f).toArray() as ArrayLike<unknown>, 0, path);
        yield { begin: info.firstRun + at, n, run: int32s(column('run').toArray() as ArrayLike<unknown>, 'run', path), cols };
        at += n;
      }
    }
    return { ...info, chunks, close: () => handle.close() };
  } catch (e) {
    await fh?.close().catch(() => undefined);
    if (e instanceof SpecError) throw e;
    return fail(path, `cannot read as an Arrow IPC file: ${(e as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------

async function openJson(path: string): Promise<ResultFile> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    return fail(path, `cannot read as JSON: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return fail(path, 'not a basinlab result document');
  const o = doc as Record<string, unknown>;
  const arrays = RESULT_FIELDS.map((f) => (Array.isArray(o[f]) ? (o[f] as unknown[]) : fail(path, `no array ${f}`)));
  const rows = arrays[0]?.length ?? 0;
  arrays.forEach((a, k) => {
    if (a.length !== rows) fail(path, `${RESULT_FIELDS[k]} holds ${a.length} values, ${RESULT_FIELDS[0]} ${rows}`);
  });
  const metadata = new Map<string, string>();
  if (o.spec !== undefined) metadata.set(META.spec, JSON.stringify(o.spec));
  if (typeof o.engine === 'string') metadata.set(META.engine, o.engine);
  metadata.set(META.width, String(o.width));
  metadata.set(META.height, String(o.height));
  metadata.set(META.minima, JSON.stringify(o.minima));
  // JSON writes non-finite numbers as null; the file metadata writes them with String().
  const numText = (v: unknown): string => (typeof v === 'number' ? String(v) : 'NaN');
  metadata.set(META.radius, numText(o.radius));
  metadata.set(META.bound, numText(o.bound));
  if (o.shard !== undefined) metadata.set(META.shard, JSON.stringify(o.shard));
  const info = describe(path, 'json', metadata, rows, null);
  async function* chunks(): AsyncGenerator<ResultChunk> {
    const cols = allocateColumns(rows, info.precision);
    RESULT_FIELDS.forEach((f, k) => fillField(cols, f, arrays[k] ?? [], 0, path));
    const run = new Int32Array(rows);
    for (let r = 0; r < rows; r++) run[r] = info.firstRun + r;
    if (rows > 0) yield { begin: info.firstRun, n: rows, run, cols };
  }
  return { ...info, chunks, close: async () => undefined };
}
