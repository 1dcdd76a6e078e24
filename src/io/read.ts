/**
 * Reading result files back, chunk by chunk: Parquet (hyparquet, one row group at a time), Arrow
 * IPC files (apache-arrow, one record batch at a time) and JSON documents (parsed whole: JSON is
 * for small sweeps). Used by the merge; memory stays bounded by a row group for Parquet and Arrow.
 * CSV, which records no spec, engine or shard, is read whole by readResults only.
 *
 * A file's result columns are recognised by core's derivation (every column any spec produces),
 * each checked to have the type its engine's precision gives it: whatever optional columns the
 * sweep produced come back, none dropped.
 */
import type { FileHandle } from 'node:fs/promises';
import { constants } from 'node:fs';
import { access, open, readFile, stat } from 'node:fs/promises';
import { RecordBatchReader } from 'apache-arrow';
import type { Vector } from 'apache-arrow';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead } from 'hyparquet';
import type { AsyncBuffer, DecodedArray, FileMetaData } from 'hyparquet';
import { SpecError, printable } from '../core/errors.ts';
import type { AnyColumns, ColumnDef, ColumnKind, ColumnType, EngineName, ProblemKind } from '../core/results.ts';
import { BASE_COLUMNS, ENGINE_NAMES, NET_BASE_COLUMNS, allColumns, allocateColumns, columnOf, copyColumns } from '../core/results.ts';
import type { FileFormat, Precision, ShardInfo } from './format.ts';
import { META, formatOf, precisionOf } from './format.ts';
import { ResultChecksum } from './checksum.ts';

export interface ResultChunk {
  /** Global index of the chunk's first run. */
  readonly begin: number;
  readonly n: number;
  /** The file's `run` column for these rows (a merge checks it against begin..begin+n). */
  readonly run: Int32Array;
  readonly cols: AnyColumns;
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
  /** The result columns the file holds (each chunk's `cols`), in the derivation's order. */
  readonly columns: readonly ColumnDef[];
  /** The data's checksum as recorded (`basinlab.checksum`), or null for a file without one. */
  readonly checksum: string | null;
  /**
   * The rows, chunk by chunk in run order. When the file records a checksum and all its rows were
   * read, the last step checks them against it and throws SpecError naming the file on a mismatch.
   */
  chunks(): AsyncGenerator<ResultChunk>;
  close(): Promise<void>;
}

function fail(path: string, msg: string): never {
  throw new SpecError('', `${path}: ${msg}`);
}

/**
 * What a reader library said when it could not read a file, for a message: an errno code where the
 * system refused it; its own words where it has any ("parquet file invalid (footer != PAR1)"), in
 * parentheses; nothing for a JavaScript TypeError or RangeError, which is the library tripping over
 * bytes that are not what it expects ("Cannot read properties of null (reading 'fieldsLength')")
 * and tells a user nothing (walkthrough 23).
 */
function libraryWords(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return ` (${code})`;
  if (!(e instanceof Error) || e instanceof TypeError || e instanceof RangeError || e.message === '') return '';
  return ` (${printable(e.message, 200)})`;
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
  // A directory passes the access check, and its read fails as if the file were corrupt (review 28).
  if ((await stat(path)).isDirectory()) fail(path, 'is a directory, not a result file: name the shard files themselves');
  switch (format) {
    case 'parquet':
      return openParquet(path);
    case 'arrow':
      return openArrow(path);
    case 'json':
      return openJson(path);
    case 'csv':
      return fail(path, 'a CSV file carries no metadata (spec, engine, shard range) to merge by; write shards as .parquet, .arrow or .json');
  }
}

/** The base columns of each kind of problem: a file holds all of one kind's. */
const BASES: readonly { readonly kind: ProblemKind; readonly names: readonly string[] }[] = [
  { kind: 'surface', names: BASE_COLUMNS.map((c) => c.name) },
  { kind: 'network', names: NET_BASE_COLUMNS.map((c) => c.name) },
];

/** The kind of problem whose base columns a file holds, or a failure naming the first missing one (of the nearer kind). */
function fileKind(path: string, names: readonly string[]): ProblemKind {
  const missing = BASES.map((b) => ({ kind: b.kind, missing: b.names.filter((n) => !names.includes(n)) }));
  const whole = missing.find((m) => m.missing.length === 0);
  if (whole) return whole.kind;
  const nearest = [...missing].sort((a, b) => a.missing.length - b.missing.length)[0];
  return fail(path, `no column ${nearest?.missing[0] ?? BASE_COLUMNS[0].name}: not a basinlab result file`);
}

/**
 * The result columns among a file's column names, in the derivation's order, each checked to be
 * stored as `typeOf(name)` says (null: a format without types, JSON and CSV). Every base column
 * of one kind (surface or network) must be there; a column no spec of that kind produces is not a
 * result column (a swept parameter's, say).
 */
function fileColumns(path: string, names: readonly string[], precision: Precision, typeOf: (name: string) => string | null): ColumnDef[] {
  const cols = allColumns(precision, fileKind(path, names)).filter((c) => names.includes(c.name));
  for (const c of cols) {
    const t = typeOf(c.name);
    if (t !== null && t !== c.type) {
      fail(path, `column ${c.name} is stored as ${t}, but ${c.kind === 'float' ? `its engine computes in ${precision}: expected` : 'a basinlab file stores it as'} ${c.type}`);
    }
  }
  return cols;
}

/** The fields common to every format, from its key-value metadata. */
function describe(path: string, format: FileFormat, metadata: ReadonlyMap<string, string>, stored: number | null) {
  const get = (key: string): string => metadata.get(key) ?? fail(path, `no ${key} in the file's metadata: not a basinlab result file`);
  const spec = get(META.spec);
  const engineText = get(META.engine);
  const engine = ENGINE_NAMES.find((e) => e === engineText) ?? fail(path, `${META.engine} is ${JSON.stringify(engineText)}; expected one of ${ENGINE_NAMES.join(', ')}`);
  const width = Number(get(META.width));
  const height = Number(get(META.height));
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) fail(path, `bad image size ${width} × ${height} in the metadata`);
  const precision = precisionOf(engine);
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
  const checksum = metadata.get(META.checksum) ?? null;
  return { path, format, metadata, spec, engine, precision, width, height, rows, shard, firstRun: shard ? shard.firstRun : 0, checksum };
}

/**
 * A file's chunks, checked against its recorded checksum once the last one has been read (a reader
 * that stops early, or a file with fewer rows than it promises, is left to its caller to judge).
 */
async function* verified(file: Omit<ResultFile, 'chunks' | 'close'>, chunks: AsyncGenerator<ResultChunk>): AsyncGenerator<ResultChunk> {
  const sum = new ResultChecksum({ spec: file.spec, engine: file.engine, firstRun: file.firstRun, runs: file.rows, columns: file.columns });
  let rows = 0;
  try {
    for (;;) {
      let r: IteratorResult<ResultChunk>;
      try {
        r = await chunks.next();
      } catch (e) {
        // A decoder's own error (a damaged page, a bad length) says nothing of which file it was.
        if (e instanceof SpecError) throw e;
        fail(file.path, `cannot decode its rows: the file is truncated or corrupted${libraryWords(e)}`);
      }
      if (r.done) break;
      sum.update(r.value.cols, r.value.n);
      rows += r.value.n;
      yield r.value;
    }
  } finally {
    // A reader that stopped early (or failed) lets the file's own generator end too.
    await chunks.return(undefined).catch(() => undefined);
  }
  if (file.checksum === null || rows !== file.rows) return;
  if (sum.digest() !== file.checksum) {
    const what = file.shard ? `shard ${file.shard.k}/${file.shard.n}` : 'the sweep';
    fail(file.path, `its data does not match the checksum it records (${META.checksum}): the file was corrupted after it was written; rerun ${what} to write it again`);
  }
}

interface NumberColumn {
  [row: number]: number;
  set(src: ArrayLike<number>, offset: number): void;
}

/**
 * Copies a column's values in at row `at`. Readers return typed arrays, but also plain arrays
 * (booleans, dictionary-decoded values) and, from JSON, null for a non-finite float.
 */
function fill(dst: NumberColumn, kind: ColumnKind, src: ArrayLike<unknown>, at: number, name: string, path: string): void {
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

function fillColumn(cols: AnyColumns, c: ColumnDef, src: ArrayLike<unknown>, at: number, path: string): void {
  const dst = columnOf(cols, c.name);
  if (!dst) throw new Error(`no column ${c.name} to read into`);
  fill(dst, c.kind, src, at, c.name, path);
}

function int32s(src: ArrayLike<unknown>, name: string, path: string): Int32Array {
  if (src instanceof Int32Array) return src;
  const out = new Int32Array(src.length);
  fill(out, 'int32', src, 0, name, path);
  return out;
}

// ---------------------------------------------------------------------------------------------

const PARQUET_TYPES: Record<string, ColumnType> = { INT32: 'int32', FLOAT: 'float32', DOUBLE: 'float64', BOOLEAN: 'bool' };

async function openParquet(path: string): Promise<ResultFile> {
  let file: AsyncBuffer;
  let md: FileMetaData;
  try {
    file = await asyncBufferFromFile(path);
    md = await parquetMetadataAsync(file);
  } catch (e) {
    return fail(path, `cannot read it: truncated, or not a Parquet file${libraryWords(e)}`);
  }
  const metadata = new Map((md.key_value_metadata ?? []).map((kv) => [kv.key, kv.value ?? '']));
  const names = md.schema.slice(1).map((s) => s.name);
  if (!names.includes('run')) fail(path, 'no column run: not a basinlab result file');
  const info = describe(path, 'parquet', metadata, Number(md.num_rows));
  const typeOf = (name: string): string => {
    const t = md.schema.find((s) => s.name === name)?.type;
    return (t && PARQUET_TYPES[t]) ?? t ?? 'untyped';
  };
  const resultCols = fileColumns(path, names, info.precision, typeOf);
  const columns = ['run', ...resultCols.map((c) => c.name)];

  async function* chunks(): AsyncGenerator<ResultChunk> {
    let rowStart = 0;
    for (const rg of md.row_groups) {
      const n = Number(rg.num_rows);
      const rowEnd = rowStart + n;
      const cols = allocateColumns(n, info.precision, resultCols.map((c) => c.name));
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
            const f = resultCols.find((x) => x.name === c.columnName);
            if (f) fillColumn(cols, f, part, from - rowStart, path);
          }
        },
      });
      if (!run) fail(path, `row group at row ${rowStart} has no run column`);
      yield { begin: info.firstRun + rowStart, n, run, cols };
      rowStart = rowEnd;
    }
  }
  const described = { ...info, columns: resultCols };
  return { ...described, chunks: () => verified(described, chunks()), close: async () => undefined };
}

// ---------------------------------------------------------------------------------------------

const ARROW_TYPES: Record<string, ColumnType> = { Int32: 'int32', Float32: 'float32', Float64: 'float64', Bool: 'bool' };

async function openArrow(path: string): Promise<ResultFile> {
  let fh: FileHandle | null = null;
  try {
    fh = await open(path, 'r');
    const reader = await RecordBatchReader.from(fh);
    await reader.open();
    if (!reader.isFile()) fail(path, 'is an Arrow stream, not an Arrow IPC file');
    const schema = reader.schema;
    const names = schema.fields.map((f) => f.name);
    if (!names.includes('run')) fail(path, 'no column run: not a basinlab result file');
    // The footer does not count rows; the merge checks the count as it reads the batches.
    const info = describe(path, 'arrow', schema.metadata, null);
    const typeOf = (name: string): string => {
      const t = String(schema.fields.find((f) => f.name === name)?.type);
      return ARROW_TYPES[t] ?? t;
    };
    const resultCols = fileColumns(path, names, info.precision, typeOf);
    const handle = fh;
    async function* chunks(): AsyncGenerator<ResultChunk> {
      let at = 0;
      for await (const batch of reader) {
        const n = batch.numRows;
        if (n === 0) continue;
        const cols = allocateColumns(n, info.precision, resultCols.map((c) => c.name));
        const column = (name: string): Vector => batch.getChild(name) ?? fail(path, `record batch at row ${at} has no column ${name}`);
        for (const c of resultCols) fillColumn(cols, c, column(c.name).toArray() as ArrayLike<unknown>, 0, path);
        yield { begin: info.firstRun + at, n, run: int32s(column('run').toArray() as ArrayLike<unknown>, 'run', path), cols };
        at += n;
      }
    }
    const file = { ...info, columns: resultCols };
    return { ...file, chunks: () => verified(file, chunks()), close: () => handle.close() };
  } catch (e) {
    await fh?.close().catch(() => undefined);
    if (e instanceof SpecError) throw e;
    return fail(path, `cannot read it: truncated, or not an Arrow IPC file${libraryWords(e)}`);
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
  const metadata = new Map<string, string>();
  if (o.spec !== undefined) metadata.set(META.spec, JSON.stringify(o.spec));
  if (typeof o.engine === 'string') metadata.set(META.engine, o.engine);
  // A document written before the head had `version` records none: merge refuses it (checkSameSweep).
  if (typeof o.version === 'string') metadata.set(META.version, o.version);
  const meta = typeof o.meta === 'object' && o.meta !== null ? (o.meta as Record<string, unknown>) : {};
  if (typeof meta.float32_merged === 'string') metadata.set(META.float32Merged, meta.float32_merged);
  metadata.set(META.width, String(o.width));
  metadata.set(META.height, String(o.height));
  if (o.network !== undefined) {
    // A network's document (problemMetadata: `network` instead of minima, radius and bound).
    metadata.set(META.network, JSON.stringify(o.network));
  } else {
    metadata.set(META.minima, JSON.stringify(o.minima));
    // JSON writes non-finite numbers as null; the file metadata writes them with String().
    const numText = (v: unknown): string => (typeof v === 'number' ? String(v) : 'NaN');
    metadata.set(META.radius, numText(o.radius));
    metadata.set(META.bound, numText(o.bound));
  }
  if (o.shard !== undefined) metadata.set(META.shard, JSON.stringify(o.shard));
  if (typeof o.checksum === 'string') metadata.set(META.checksum, o.checksum);
  const names = Object.keys(o).filter((k) => Array.isArray(o[k]));
  // Every kind has `diverged`: its length is the document's row count.
  const first = 'diverged';
  const rows = Array.isArray(o[first]) ? (o[first] as unknown[]).length : fail(path, `no array ${first}: not a basinlab result document`);
  const info = describe(path, 'json', metadata, rows);
  const resultCols = fileColumns(path, names, info.precision, () => null);
  const arrays = resultCols.map((c) => o[c.name] as unknown[]);
  arrays.forEach((a, k) => {
    if (a.length !== rows) fail(path, `${resultCols[k]?.name} holds ${a.length} values, ${first} ${rows}`);
  });
  async function* chunks(): AsyncGenerator<ResultChunk> {
    const cols = allocateColumns(rows, info.precision, resultCols.map((c) => c.name));
    resultCols.forEach((c, k) => fillColumn(cols, c, arrays[k] ?? [], 0, path));
    const run = new Int32Array(rows);
    for (let r = 0; r < rows; r++) run[r] = info.firstRun + r;
    if (rows > 0) yield { begin: info.firstRun, n: rows, run, cols };
  }
  const file = { ...info, columns: resultCols };
  return { ...file, chunks: () => verified(file, chunks()), close: async () => undefined };
}

// ---------------------------------------------------------------------------------------------

/** A result file read whole: every result column it holds, and each row's run. */
export interface ResultTable {
  readonly path: string;
  readonly format: FileFormat;
  readonly precision: Precision;
  /** The file's `basinlab.*` metadata (for JSON, rebuilt from the document); empty for CSV. */
  readonly metadata: ReadonlyMap<string, string>;
  /** The result columns the file holds, in the derivation's order. */
  readonly columns: readonly ColumnDef[];
  readonly firstRun: number;
  readonly rows: number;
  /** The file's `run` column (for JSON, which stores none: firstRun, firstRun + 1, …). */
  readonly run: Int32Array;
  readonly cols: AnyColumns;
}

/**
 * Reads a result file whole, in any format. A CSV file records no engine: its float columns are
 * read as `precision` says (default f64), and with f32 every value must be a float32.
 */
export async function readResults(path: string, opts: { readonly precision?: Precision } = {}): Promise<ResultTable> {
  if (formatOf(path, path) === 'csv') return readCsv(path, opts.precision ?? 'f64');
  const f = await openResults(path);
  try {
    const names = f.columns.map((c) => c.name);
    const cols = allocateColumns(f.rows, f.precision, names);
    const run = new Int32Array(f.rows);
    let next = f.firstRun;
    for await (const c of f.chunks()) {
      if (c.begin !== next || c.begin + c.n > f.firstRun + f.rows) fail(path, `rows for runs [${c.begin}, ${c.begin + c.n}) where run ${next} was expected`);
      copyColumns(cols, c.cols, c.begin - f.firstRun);
      run.set(c.run, c.begin - f.firstRun);
      next += c.n;
    }
    if (next !== f.firstRun + f.rows) fail(path, `holds runs [${f.firstRun}, ${next}) but its metadata says [${f.firstRun}, ${f.firstRun + f.rows})`);
    return { path, format: f.format, precision: f.precision, metadata: f.metadata, columns: f.columns, firstRun: f.firstRun, rows: f.rows, run, cols };
  } finally {
    await f.close();
  }
}

async function readCsv(path: string, precision: Precision): Promise<ResultTable> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    return fail(path, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const names = (lines[0] ?? '').split(',');
  const runAt = names.indexOf('run');
  if (runAt < 0) fail(path, 'no column run: not a basinlab result file');
  const columns = fileColumns(path, names, precision, () => null);
  const rows = lines.length - 1;
  const cols = allocateColumns(rows, precision, columns.map((c) => c.name));
  const run = new Int32Array(rows);
  const at = columns.map((c) => names.indexOf(c.name));
  for (let r = 0; r < rows; r++) {
    const cells = (lines[r + 1] as string).split(',');
    if (cells.length !== names.length) fail(path, `line ${r + 2} has ${cells.length} fields, the header ${names.length}`);
    const number = (k: number, c: { name: string; kind: ColumnKind }): number => {
      const t = cells[k] as string;
      // The encoder writes infinities as inf and -inf (core/encode.ts), which Number() does not read.
      const v = t === 'inf' ? Infinity : t === '-inf' ? -Infinity : t.trim() === '' ? Number.NaN : Number(t);
      const ok = c.kind === 'float' ? !Number.isNaN(v) || t === 'NaN' : c.kind === 'bool' ? v === 0 || v === 1 : Number.isInteger(v);
      if (!ok) fail(path, `line ${r + 2}: column ${c.name} holds ${JSON.stringify(t)}, not ${c.kind === 'float' ? 'a number' : c.kind === 'bool' ? '0 or 1' : 'an integer'}`);
      if (c.kind === 'float' && precision === 'f32' && Math.fround(v) !== v && !Number.isNaN(v)) fail(path, `line ${r + 2}: column ${c.name} holds ${t}, not a float32`);
      return v;
    };
    run[r] = number(runAt, { name: 'run', kind: 'int32' });
    columns.forEach((c, k) => {
      (columnOf(cols, c.name) as Float64Array)[r] = number(at[k] as number, c);
    });
  }
  const firstRun = rows > 0 ? (run[0] as number) : 0;
  for (let r = 0; r < rows; r++) if (run[r] !== firstRun + r) fail(path, `line ${r + 2} holds run ${run[r]}, expected ${firstRun + r}`);
  return { path, format: 'csv', precision, metadata: new Map(), columns, firstRun, rows, run, cols };
}
