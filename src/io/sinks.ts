/**
 * Streaming result sinks: an engine hands over its results chunk by chunk, in run order, and the
 * sink writes them to `<path>.partial-<pid>-<random>` as they come; `close` renames the finished
 * file to its final name, `abort` deletes it. An interrupted or cancelled run never leaves a
 * half-written file under the final name, and memory stays bounded by a chunk (Parquet row groups
 * and Arrow record batches are staged to a fixed size and written one at a time).
 */
import { renameSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open, rm } from 'node:fs/promises';
import type { Schema } from 'apache-arrow';
import { Bool, Field, Float32, Float64, Int32, RecordBatch, RecordBatchFileWriter, Schema as ArrowSchema, Struct, makeData } from 'apache-arrow';
import type { Data, DataType } from 'apache-arrow';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { ColumnSource } from 'hyparquet-writer';
import type { SchemaElement } from 'hyparquet';
import { CancelledError } from '../core/errors.ts';
import { coordinateColumns, csvBlocks, csvHeader, jsonBlocks, jsonLayout, paramValues, pointKeys } from '../core/encode.ts';
import type { AnyColumn, ColumnType, AnyColumns, TableColumn } from '../core/results.ts';
import { allocateColumns, checkColumns, columnOf, columnsView, presentFields, rowCount, tableColumns } from '../core/results.ts';
import type { FileFormat, SinkMeta } from './format.ts';
import { META, VERSION, checkSinkMeta, fileMetadata, formatOf, shardInfo } from './format.ts';
import { ResultChecksum } from './checksum.ts';
import { partialPath, trackTemp, untrackTemp, writeFailure } from './partials.ts';
import { writeAll } from './text-file.ts';

export type { SinkMeta } from './format.ts';
export { sinkMeta } from './format.ts';
export { columnsView } from '../core/results.ts';
export { writeAll } from './text-file.ts';

export interface ResultSink {
  open(meta: SinkMeta): Promise<void>;
  /**
   * Results of runs [begin, begin + n) (global run indices): row r of each column is run begin + r.
   * Chunks arrive in increasing order, each run exactly once, starting at meta.firstRun. Columns may
   * be longer than n (a reused buffer); only their first n rows are read, before the promise settles.
   */
  write(begin: number, cols: AnyColumns, n: number): Promise<void>;
  /**
   * Finalises the file (recording the data's checksum) and renames it to its final name. Throws if
   * some runs were never written, or with CancelledError (the file removed) if the sink's signal
   * was aborted before the rename: the rename is the one point after which the file exists.
   */
  close(info?: CloseInfo): Promise<void>;
  /** Removes the temporary file. Safe to call in any state, and after a failed write or close. */
  abort(): Promise<void>;
}

export interface CloseInfo {
  /** Engine details (adapter, workers, elapsed time) for the JSON document's `meta` field. */
  readonly meta?: Readonly<Record<string, string | number>>;
}

export interface SinkOptions {
  /**
   * Rows per Parquet row group and Arrow record batch (default 131072). Engine chunks are staged to
   * this size: a CPU engine's small slices would otherwise give thousands of tiny row groups.
   */
  readonly rowGroupRows?: number;
  /**
   * Cancels the file: once aborted, close removes the temporary file and throws CancelledError
   * instead of renaming it into place (checked up to the rename itself), however late it comes.
   */
  readonly signal?: AbortSignal;
  /**
   * Called synchronously right before the finished file is renamed to its final name (after the
   * last look at the signal): the CLI says there whether OUT appeared meanwhile (another writer).
   */
  readonly beforeRename?: () => void;
}

/** Picks a sink by the path's extension: .parquet, .arrow (or .feather), .csv, .json. */
export function sinkFor(path: string, opts: SinkOptions = {}): ResultSink {
  return sinkForFormat(formatOf(path), path, opts);
}

export function sinkForFormat(format: FileFormat, path: string, opts: SinkOptions = {}): ResultSink {
  switch (format) {
    case 'parquet':
      return new ParquetSink(path, opts);
    case 'arrow':
      return new ArrowSink(path, opts);
    case 'csv':
      return new CsvSink(path, opts);
    case 'json':
      return new JsonSink(path, opts);
  }
}

export const DEFAULT_ROW_GROUP_ROWS = 1 << 17;

/**
 * Writes results already in memory to `path` through the sink its extension picks: the runs
 * [meta.firstRun, meta.firstRun + meta.runs), where row r of `cols` holds run colsFirstRun + r
 * (0 for an engine's whole-plan Results). The file appears under its name only when complete.
 */
export async function writeColumnsFile(
  path: string,
  meta: SinkMeta,
  cols: AnyColumns,
  opts: SinkOptions & { readonly colsFirstRun?: number; readonly close?: CloseInfo } = {},
): Promise<void> {
  const at = opts.colsFirstRun ?? 0;
  const end = meta.firstRun + meta.runs;
  if (meta.firstRun < at || end - at > rowCount(cols)) {
    throw new Error(`columns hold runs [${at}, ${at + rowCount(cols)}), not all of [${meta.firstRun}, ${end})`);
  }
  const sink = sinkFor(path, opts);
  const step = opts.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS;
  try {
    await sink.open(meta);
    for (let b = meta.firstRun; b < end; b += step) {
      const n = Math.min(step, end - b);
      await sink.write(b, columnsView(cols, b - at, b - at + n), n);
    }
    await sink.close(opts.close);
  } catch (e) {
    await sink.abort();
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------


type State = 'new' | 'open' | 'closed' | 'aborted';

/**
 * Temp-file lifecycle and the write-order contract shared by every format; subclasses only encode.
 */
abstract class FileSink implements ResultSink {
  protected readonly tmp: string;
  protected fh: FileHandle | null = null;
  private state: State = 'new';
  private next = 0;
  private end = 0;
  private meta_: SinkMeta | null = null;
  /** The operation in flight, so that abort (from a signal handler) waits for it before deleting. */
  private busy: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  private checksum: ResultChecksum | null = null;

  constructor(
    readonly path: string,
    protected readonly options: SinkOptions = {},
  ) {
    // The pid alone is not unique on a shared volume: containers all run as pid 1, and Kubernetes
    // may start a replacement pod for a shard while the old one is still terminating.
    this.tmp = partialPath(path);
  }

  /** Throws CancelledError once the sink's signal is aborted (between steps of a long close). */
  protected checkCancelled(): void {
    if (this.options.signal?.aborted) throw new CancelledError();
  }

  /** Creates a temporary file, known to this process's clean-up before it exists. */
  protected async createTemp(path: string, flags: string): Promise<FileHandle> {
    trackTemp(path);
    return open(path, flags);
  }

  protected get meta(): SinkMeta {
    if (!this.meta_) throw new Error(`${this.path}: sink is not open`);
    return this.meta_;
  }

  async open(meta: SinkMeta): Promise<void> {
    if (this.state !== 'new') throw new Error(`${this.path}: sink opened twice`);
    checkSinkMeta(meta);
    this.meta_ = meta;
    this.next = meta.firstRun;
    this.end = meta.firstRun + meta.runs;
    this.checksum = new ResultChecksum({ spec: JSON.stringify(meta.spec), engine: meta.engine, firstRun: meta.firstRun, runs: meta.runs, columns: meta.columns });
    this.state = 'open';
    await this.track(async () => {
      this.fh = await this.createTemp(this.tmp, 'w');
      await this.start();
    });
  }

  async write(begin: number, cols: AnyColumns, n: number): Promise<void> {
    if (this.state !== 'open') throw new Error(`${this.path}: write on a sink that is ${this.state === 'new' ? 'not open' : this.state}`);
    if (begin !== this.next) {
      throw new Error(`${this.path}: chunk starts at run ${begin}, expected run ${this.next} (chunks must arrive in order, each run once)`);
    }
    if (!Number.isInteger(n) || n <= 0 || begin + n > this.end) {
      throw new Error(`${this.path}: chunk of ${n} runs at ${begin} goes past the last run ${this.end - 1}`);
    }
    checkColumns(cols, this.meta.columns, n, `${this.path} (engine ${this.meta.engine})`);
    // Now: the columns may be a buffer the engine reuses once this call's promise settles.
    this.checksum?.update(cols, n);
    this.next = begin + n;
    await this.track(() => this.append(begin, cols, n));
  }

  async close(info: CloseInfo = {}): Promise<void> {
    if (this.state !== 'open') throw new Error(`${this.path}: close on a sink that is ${this.state === 'new' ? 'not open' : this.state}`);
    if (this.next !== this.end) {
      const first = this.meta.firstRun;
      await this.abort();
      throw new Error(`${this.path}: closed after runs [${first}, ${this.next}) of [${first}, ${this.end}); nothing written`);
    }
    try {
      await this.track(async () => {
        this.checkCancelled();
        const sum = this.checksum;
        if (!sum) throw new Error(`${this.path}: sink is not open`);
        await this.finish(info, sum.digest());
        const fh = this.handle();
        // On a shared cluster volume the rename must not become visible before the data.
        await fh.datasync();
        await fh.close();
        this.fh = null;
        // The last check and the rename in one synchronous step: a signal handled before it
        // cancels the file, one handled after it finds the run complete.
        this.checkCancelled();
        this.options.beforeRename?.();
        renameSync(this.tmp, this.path);
        untrackTemp(this.tmp);
      });
      this.state = 'closed';
    } catch (e) {
      await this.abort();
      throw e;
    }
  }

  async abort(): Promise<void> {
    if (this.state === 'closed' || this.state === 'aborted') return;
    this.state = 'aborted';
    await this.busy;
    const fh = this.fh;
    this.fh = null;
    await fh?.close().catch(() => undefined);
    await rm(this.tmp, { force: true });
    untrackTemp(this.tmp);
    await this.discard();
  }

  protected handle(): FileHandle {
    if (!this.fh) throw new Error(`${this.path}: file is not open`);
    return this.fh;
  }

  /**
   * Runs one file operation after the previous one (a caller that does not await its writes still
   * gets them in order); after a failure every later operation refuses, and only abort is left.
   */
  private async track(op: () => Promise<void>): Promise<void> {
    const p = this.busy.then(async () => {
      if (this.failure) throw new Error(`${this.path}: an earlier write failed: ${this.failure.message}`);
      try {
        await op();
      } catch (e) {
        // A system error names the temporary file; the user asked for this.path.
        throw writeFailure(this.path, e);
      }
    });
    this.busy = p.catch((e: unknown) => {
      this.failure ??= e instanceof Error ? e : new Error(String(e));
    });
    await p;
  }

  /** After the temp file is created. */
  protected abstract start(): Promise<void>;
  protected abstract append(begin: number, cols: AnyColumns, n: number): Promise<void>;
  /** Before the temp file is synced, closed and renamed; `checksum` is the data's (ResultChecksum). */
  protected abstract finish(info: CloseInfo, checksum: string): Promise<void>;
  /** Removes any other temporary files. */
  protected async discard(): Promise<void> {}
}

// ---------------------------------------------------------------------------------------------

/** Collects chunks into fixed-size groups (Parquet row groups, Arrow record batches). */
class Staging {
  readonly cols: AnyColumns;
  count = 0;
  start = 0;

  constructor(
    readonly capacity: number,
    meta: SinkMeta,
  ) {
    this.cols = allocateColumns(capacity, meta.precision, meta.columns.map((c) => c.name));
  }

  /** Copies the chunk in, calling `emit` each time the staging area fills. */
  async push(begin: number, cols: AnyColumns, n: number, emit: (start: number, cols: AnyColumns, count: number) => Promise<void>): Promise<void> {
    let done = 0;
    while (done < n) {
      if (this.count === 0) this.start = begin + done;
      const take = Math.min(n - done, this.capacity - this.count);
      for (const f of presentFields(this.cols)) {
        (columnOf(this.cols, f) as Float64Array).set((columnOf(cols, f) as Float64Array).subarray(done, done + take), this.count);
      }
      this.count += take;
      done += take;
      if (this.count === this.capacity) await this.flush(emit);
    }
  }

  async flush(emit: (start: number, cols: AnyColumns, count: number) => Promise<void>): Promise<void> {
    if (this.count === 0) return;
    const count = this.count;
    this.count = 0;
    await emit(this.start, this.cols, count);
  }
}

function rowGroupRows(opts: SinkOptions): number {
  const r = opts.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS;
  if (!Number.isInteger(r) || r < 1) throw new Error(`rowGroupRows must be a positive integer, got ${r}`);
  return r;
}

function booleans(a: Uint8Array, n: number): boolean[] {
  const out = new Array<boolean>(n);
  for (let r = 0; r < n; r++) out[r] = a[r] !== 0;
  return out;
}

/**
 * Each table column's first n values for runs [begin, begin + n), in tableColumns' order: the
 * coordinates computed from the plan, the results taken from `cols` (views, not copies).
 */
function tableData(meta: SinkMeta, defs: readonly TableColumn[], begin: number, cols: AnyColumns, n: number): AnyColumn[] {
  const coord = coordinateColumns(meta.plan, begin, n);
  const coords: AnyColumn[] = [coord.run, coord.i, coord.j, ...coord.params];
  return defs.map((d, k) => {
    if (!d.result) {
      const c = coords[k];
      if (!c) throw new Error(`no data for column ${d.name}`);
      return c;
    }
    const c = columnOf(cols, d.result.name);
    if (!c) throw new Error(`no data for column ${d.name}`);
    return c.subarray(0, n);
  });
}

// ---------------------------------------------------------------------------------------------

const PARQUET_TYPES = { int32: 'INT32', float32: 'FLOAT', float64: 'DOUBLE', bool: 'BOOLEAN' } as const;

/**
 * Parquet through hyparquet-writer: plain physical types (no logical types a reader could miss),
 * every column REQUIRED, snappy, one row group per staged group, key-value metadata in the footer;
 * the writer picks dictionary encoding per column chunk where it halves the size.
 */
class ParquetSink extends FileSink {
  private writer: ParquetWriter | null = null;
  private bytes: ByteWriter | null = null;
  private staging: Staging | null = null;
  private defs: TableColumn[] = [];
  /** The footer's key-value metadata: the writer keeps this array and writes it at finish. */
  private kv: { key: string; value: string }[] = [];

  protected async start(): Promise<void> {
    const m = this.meta;
    this.defs = tableColumns(m.plan, m.precision);
    const schema: SchemaElement[] = [
      { name: 'root', num_children: this.defs.length },
      ...this.defs.map((d): SchemaElement => ({ name: d.name, type: PARQUET_TYPES[d.type], repetition_type: 'REQUIRED' })),
    ];
    this.bytes = new ByteWriter();
    this.kv = fileMetadata(m).map(([key, value]) => ({ key, value }));
    this.writer = new ParquetWriter({
      writer: this.bytes,
      schema,
      codec: 'SNAPPY',
      kvMetadata: this.kv,
      createdBy: `basinlab version ${VERSION} (build hyparquet-writer)`,
    });
    this.staging = new Staging(rowGroupRows(this.options), m);
    await this.drain();
  }

  protected async append(begin: number, cols: AnyColumns, n: number): Promise<void> {
    await this.stagingArea().push(begin, cols, n, (s, c, k) => this.rowGroup(s, c, k));
  }

  protected async finish(_info: CloseInfo, checksum: string): Promise<void> {
    await this.stagingArea().flush((s, c, k) => this.rowGroup(s, c, k));
    this.checkCancelled();
    this.kv.push({ key: META.checksum, value: checksum });
    this.parquet().finish();
    await this.drain();
  }

  private async rowGroup(begin: number, cols: AnyColumns, n: number): Promise<void> {
    const data = tableData(this.meta, this.defs, begin, cols, n);
    const columnData: ColumnSource[] = this.defs.map((d, k) => {
      const col = data[k] as AnyColumn;
      const values = d.type === 'bool' ? booleans(col as Uint8Array, n) : col;
      // No min/max statistics on result floats: they exclude NaN, and DuckDB then prunes row
      // groups holding NaN from `loss > x` or `final_x = 'NaN'` filters (wrong answers, tested).
      return d.result?.kind === 'float' ? { name: d.name, data: values, statistics: false } : { name: d.name, data: values };
    });
    this.parquet().write({ columnData, rowGroupSize: n });
    await this.drain();
  }

  /** Moves what the encoder produced to the file, so only one row group is ever held. */
  private async drain(): Promise<void> {
    const b = this.bytes;
    if (!b || b.index === 0) return;
    await writeAll(this.handle(), b.getBytes());
    b.index = 0;
  }

  private parquet(): ParquetWriter {
    if (!this.writer) throw new Error(`${this.path}: parquet writer is not open`);
    return this.writer;
  }

  private stagingArea(): Staging {
    if (!this.staging) throw new Error(`${this.path}: sink is not open`);
    return this.staging;
  }
}

// ---------------------------------------------------------------------------------------------

function arrowData(t: ColumnType, data: AnyColumn, n: number): Data {
  const wrong = (): never => {
    throw new Error(`column data of type ${data.constructor.name} does not fit an arrow ${t} column`);
  };
  switch (t) {
    case 'int32':
      return data instanceof Int32Array ? makeData({ type: new Int32(), length: n, nullCount: 0, data }) : wrong();
    case 'float32':
      return data instanceof Float32Array ? makeData({ type: new Float32(), length: n, nullCount: 0, data }) : wrong();
    case 'float64':
      return data instanceof Float64Array ? makeData({ type: new Float64(), length: n, nullCount: 0, data }) : wrong();
    case 'bool':
      return data instanceof Uint8Array ? makeData({ type: new Bool(), length: n, nullCount: 0, data }) : wrong();
  }
}

function arrowType(t: ColumnType): DataType {
  switch (t) {
    case 'int32':
      return new Int32();
    case 'float32':
      return new Float32();
    case 'float64':
      return new Float64();
    case 'bool':
      return new Bool();
  }
}

export function arrowSchema(meta: SinkMeta): Schema {
  const fields = tableColumns(meta.plan, meta.precision).map((d) => new Field(d.name, arrowType(d.type), false));
  return new ArrowSchema(fields, new Map(fileMetadata(meta)));
}

/** Arrow booleans are bit-packed, least significant bit first. */
function packBits(a: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(n / 8));
  for (let r = 0; r < n; r++) if (a[r] !== 0) out[r >> 3] = (out[r >> 3] as number) | (1 << (r & 7));
  return out;
}

const IDLE = Symbol('idle');

/**
 * Arrow IPC file format (Feather v2) through apache-arrow's RecordBatchFileWriter: the schema and its
 * metadata first, one record batch per staged group, the footer at close.
 */
class ArrowSink extends FileSink {
  private writer: RecordBatchFileWriter | null = null;
  private schema: Schema | null = null;
  private defs: TableColumn[] = [];
  private staging: Staging | null = null;
  private queue: AsyncIterator<Uint8Array> | null = null;
  /** A read of the writer's byte queue that found it empty; the next bytes written resolve it. */
  private waiting: Promise<IteratorResult<Uint8Array>> | null = null;

  protected async start(): Promise<void> {
    this.schema = arrowSchema(this.meta);
    this.defs = tableColumns(this.meta.plan, this.meta.precision);
    // autoDestroy: finish() also closes the byte queue, which ends the final drain.
    this.writer = new RecordBatchFileWriter({ autoDestroy: true });
    this.writer.reset(undefined, this.schema);
    this.queue = this.writer[Symbol.asyncIterator]();
    this.staging = new Staging(rowGroupRows(this.options), this.meta);
    await this.drain(false);
  }

  protected async append(begin: number, cols: AnyColumns, n: number): Promise<void> {
    await this.stagingArea().push(begin, cols, n, (s, c, k) => this.batch(s, c, k));
  }

  protected async finish(_info: CloseInfo, checksum: string): Promise<void> {
    await this.stagingArea().flush((s, c, k) => this.batch(s, c, k));
    this.checkCancelled();
    // The footer repeats the schema, metadata included, and file readers take it from there: the
    // checksum, known only now, goes into the footer's copy (the schema message at the head of
    // the file was written before any data).
    this.schema?.metadata.set(META.checksum, checksum);
    this.arrow().finish();
    await this.drain(true);
  }

  private async batch(begin: number, cols: AnyColumns, n: number): Promise<void> {
    const schema = this.schema;
    if (!schema) throw new Error(`${this.path}: sink is not open`);
    const values = tableData(this.meta, this.defs, begin, cols, n);
    const children = this.defs.map((d, k) => {
      const data = values[k] as AnyColumn;
      // Copies of the results: the staged columns are reused for the next group while these
      // bytes may still be queued (the coordinates are fresh arrays already).
      return arrowData(d.type, d.type === 'bool' ? packBits(data as Uint8Array, n) : d.result ? data.slice(0, n) : data, n);
    });
    const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children }));
    this.arrow().write(batch);
    await this.drain(false);
  }

  /**
   * Writes out the bytes the Arrow writer has queued. The writer only offers them as an async
   * queue, so an empty queue is told apart from a slow one by racing the read against an
   * already-settled promise: a read that would wait is kept and resumed on the next drain. With
   * `untilEnd` (after finish closed the queue) it reads to the end.
   */
  private async drain(untilEnd: boolean): Promise<void> {
    const q = this.queue;
    if (!q) return;
    const fh = this.handle();
    for (;;) {
      const read = this.waiting ?? q.next();
      this.waiting = null;
      const r = untilEnd ? await read : await Promise.race([read, Promise.resolve(IDLE)]);
      if (r === IDLE) {
        this.waiting = read;
        return;
      }
      if (r.done) return;
      await writeAll(fh, r.value);
    }
  }

  private arrow(): RecordBatchFileWriter {
    if (!this.writer) throw new Error(`${this.path}: arrow writer is not open`);
    return this.writer;
  }

  private stagingArea(): Staging {
    if (!this.staging) throw new Error(`${this.path}: sink is not open`);
    return this.staging;
  }

  protected override async discard(): Promise<void> {
    this.writer?.abort();
    this.writer = null;
  }
}

// ---------------------------------------------------------------------------------------------

/** CSV through core's encoder: the header at open, one block of lines per TEXT_ROWS runs of a chunk. */
class CsvSink extends FileSink {
  protected async start(): Promise<void> {
    await writeAll(this.handle(), csvHeader(tableColumns(this.meta.plan, this.meta.precision)));
  }

  protected async append(begin: number, cols: AnyColumns, n: number): Promise<void> {
    for (const block of csvBlocks(this.meta.plan, this.meta.columns, cols, begin, begin, begin + n)) await writeAll(this.handle(), block);
  }

  protected async finish(): Promise<void> {}
}

/**
 * JSON through core's encoder: the document is columnar (one array per field), so each array is
 * written to its own temp file as chunks arrive and the parts are put together behind the
 * document's head at close (jsonLayout). A shard's document also has a `shard` entry and arrays
 * for the shard's runs only.
 */
class JsonSink extends FileSink {
  private parts = new Map<string, { path: string; fh: FileHandle; empty: boolean }>();

  private static partKey(array: 'points' | 'column', key: string): string {
    return `${array}:${key}`;
  }

  protected async start(): Promise<void> {
    const m = this.meta;
    const keys = [...pointKeys(m.plan).map((p) => JsonSink.partKey('points', p)), ...m.columns.map((c) => JsonSink.partKey('column', c.name))];
    for (const [k, key] of keys.entries()) {
      const path = `${this.tmp}.${k}`;
      this.parts.set(key, { path, fh: await this.createTemp(path, 'w+'), empty: true });
    }
  }

  protected async append(begin: number, cols: AnyColumns, n: number): Promise<void> {
    const m = this.meta;
    const arrays: [string, ArrayLike<number>][] = [];
    pointKeys(m.plan).forEach((p, d) => arrays.push([JsonSink.partKey('points', p), paramValues(m.plan, d, begin, n)]));
    for (const c of m.columns) arrays.push([JsonSink.partKey('column', c.name), columnOf(cols, c.name) ?? []]);
    for (const [key, a] of arrays) {
      const part = this.parts.get(key);
      if (!part) throw new Error(`no part file for ${key}`);
      for (const text of jsonBlocks(a, 0, n, part.empty)) await writeAll(part.fh, text);
      part.empty = false;
    }
  }

  protected async finish(info: CloseInfo, checksum: string): Promise<void> {
    const m = this.meta;
    const head = {
      spec: m.spec,
      engine: m.engine,
      version: VERSION,
      // The mark the binary formats record as basinlab.float32_merged (fileMetadata).
      meta: { ...(info.meta ?? {}), ...(m.float32Merged !== undefined ? { float32_merged: m.float32Merged } : {}) },
      shard: shardInfo(m),
      checksum,
      width: m.width,
      height: m.height,
      params: m.params,
      xValues: m.xValues,
      yValues: m.yValues,
      problem: m.problem,
    };
    const fh = this.handle();
    for (const piece of jsonLayout(head, pointKeys(m.plan), m.columns.map((c) => c.name))) {
      if (typeof piece === 'string') {
        await writeAll(fh, piece);
        continue;
      }
      const part = this.parts.get(JsonSink.partKey(piece.array, piece.key));
      if (!part) throw new Error(`no part file for ${piece.array} ${piece.key}`);
      // Putting a large document together takes a while: a cancellation is honoured between parts.
      this.checkCancelled();
      await this.copyPart(part);
    }
    await this.discard();
  }

  private async copyPart(p: { path: string; fh: FileHandle }): Promise<void> {
    const out = this.handle();
    const buf = new Uint8Array(1 << 20);
    let pos = 0;
    for (;;) {
      const { bytesRead } = await p.fh.read(buf, 0, buf.byteLength, pos);
      if (bytesRead === 0) return;
      await writeAll(out, buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
  }

  protected override async discard(): Promise<void> {
    const parts = [...this.parts.values()];
    this.parts = new Map();
    for (const p of parts) {
      await p.fh.close().catch(() => undefined);
      await rm(p.path, { force: true });
      untrackTemp(p.path);
    }
  }
}
