/**
 * The one text encoder of results: the JSON document and CSV, written in pieces so that any size
 * streams with bounded memory. Environment-free (no Node APIs): the CLI's stdout, the JSON and CSV
 * file sinks (src/io/sinks.ts) and the app's exports all write through it, so the formats cannot
 * drift apart. Column lists come from the derivation in columns.ts.
 *
 * Numbers: every value is written with String() (and -0 as -0), the shortest text that reads back
 * as the same float64, so float32 and float64 values round-trip exactly. CSV writes non-finite
 * values as NaN, inf and -inf: the spellings DuckDB, pandas, polars and numpy all read as numbers
 * (polars reads `Infinity` as text, which turns the whole column into strings: review 18). JSON
 * has no such numbers and writes them as null (`diverged` says which runs left the bound).
 */
import type { ColumnDef, EngineName, AnyColumns, TableColumn } from './columns.ts';
import { checkColumns, columnOf, precisionOf, resultColumns, rowCount, tableColumns } from './columns.ts';
import type { AnyPlan, SweepShape } from './plan.ts';
import { sweepValue } from './plan.ts';
import type { Minimum } from './registry/index.ts';
import type { NetPlan } from './network/plan.ts';
import type { AnyResults } from './results.ts';
import { anySpecToJSON } from './spec.ts';

/**
 * The basinlab version that writes a result (the JSON document's `version`, `basinlab.version` in
 * Parquet and Arrow): `merge` refuses shards of any other version, so its output never relabels them.
 * A literal, as core imports nothing outside itself: tests/unit/layers.test.ts keeps it package.json's.
 */
export const BASINLAB_VERSION: string = '0.1.0';

/** Which runs a shard file holds; recorded as `basinlab.shard` (and `shard` in JSON). */
export interface ShardInfo {
  readonly k: number;
  readonly n: number;
  readonly firstRun: number;
  readonly runs: number;
}

/** What every output says of a network sweep's model and data besides its spec (the documents' `network`). */
export interface NetworkInfo {
  /** Parameters per run (the model's). */
  readonly params: number;
  /** Rows of the training and test splits. */
  readonly train: number;
  readonly test: number;
  /** The loss in use: `mse` or `cross_entropy` (network.loss `auto` resolved). */
  readonly loss: string;
}

export function networkInfo(plan: NetPlan): NetworkInfo {
  return { params: plan.layout.params, train: plan.data.train.n, test: plan.data.test.n, loss: plan.loss };
}

/**
 * What a result says of its problem besides the spec: a surface's convergence radius, divergence
 * bound and known minima, or a network's model and data sizes. The JSON document and the file
 * metadata (src/io/format.ts) write these and nothing else of the kind.
 */
export type ProblemHead =
  | { readonly problem: 'surface'; readonly radius: number; readonly bound: number; readonly minima: readonly Minimum[] }
  | { readonly problem: 'network'; readonly network: NetworkInfo };

/** The problem head of a plan or of results (both carry the same fields). */
export function problemHead(of: AnyPlan | AnyResults): ProblemHead {
  if (of.problem === 'surface') return { problem: 'surface', radius: of.radius, bound: of.bound, minima: of.minima };
  return { problem: 'network', network: 'layout' in of ? networkInfo(of) : of.network };
}

/** What a JSON result document says besides its per-run arrays. */
export interface DocumentHead {
  /** The resolved spec as JSON (anySpecToJSON). */
  readonly spec: Record<string, unknown>;
  readonly engine: EngineName;
  /** The basinlab version that wrote it (BASINLAB_VERSION). */
  readonly version: string;
  /** Engine details: adapter, workers, elapsed time, … */
  readonly meta: Readonly<Record<string, string | number>>;
  /** Set for a shard's document. */
  readonly shard: ShardInfo | null;
  /** The data's checksum (`sha256:<hex>`, src/io/checksum.ts), set by the file sinks. */
  readonly checksum?: string;
  readonly width: number;
  readonly height: number;
  readonly params: readonly string[];
  readonly xValues: Float64Array;
  readonly yValues: Float64Array;
  readonly problem: ProblemHead;
}

/** Rows of text per string built: bounds the size of a string whatever the number of runs. */
export const TEXT_ROWS = 16384;

/** The shortest text that reads back as x; String() would write -0 as 0. */
function numberText(x: number): string {
  return x === 0 && 1 / x < 0 ? '-0' : String(x);
}

/** A CSV number: NaN, inf and -inf for the non-finite ones (see the header comment), else numberText. */
function csvNumber(x: number): string {
  if (Number.isFinite(x) || Number.isNaN(x)) return numberText(x);
  return x > 0 ? 'inf' : '-inf';
}

/** JSON numbers cannot be NaN or infinite: those become null. */
function jsonNumber(x: number): string {
  return Number.isFinite(x) ? numberText(x) : 'null';
}

/** Values [from, to) of an array as JSON numbers, comma-separated. */
export function jsonValues(a: ArrayLike<number>, from = 0, to = a.length): string {
  const parts = new Array<string>(to - from);
  for (let r = from; r < to; r++) parts[r - from] = jsonNumber(a[r] as number);
  return parts.join(',');
}

/**
 * The body of a JSON array in blocks of TEXT_ROWS values: values [from, to) of `a`, each block
 * preceded by a comma unless it starts the array (`first`: nothing was written into it yet).
 */
export function* jsonBlocks(a: ArrayLike<number>, from: number, to: number, first: boolean): Generator<string> {
  for (let s = from; s < to; s += TEXT_ROWS) {
    yield `${first && s === from ? '' : ','}${jsonValues(a, s, Math.min(to, s + TEXT_ROWS))}`;
  }
}

/** JSON has no infinities: a surface's minima may have an infinite sharpness, recorded as null. */
export function minimaJSON(minima: readonly Minimum[]): { x: number; y: number; loss: number; sharpness: number | null; name?: string }[] {
  return minima.map((m) => ({ x: m.x, y: m.y, loss: m.value, sharpness: Number.isFinite(m.sharpness) ? m.sharpness : null, ...(m.name !== undefined ? { name: m.name } : {}) }));
}

/** A per-run array of the document: a run's coordinate (`points`, list sweeps) or a result column. */
export interface JsonSlot {
  readonly array: 'points' | 'column';
  readonly key: string;
}

/**
 * The JSON result document as text pieces around its per-run arrays: a writer writes the strings
 * and, for each slot, the array's comma-separated values (jsonBlocks), from wherever it keeps them.
 * `points`: swept parameter paths whose per-run values the document lists (random, Sobol and
 * points sweeps; a grid's are xValues and yValues). `columns`: the result columns, in order.
 */
export function jsonLayout(head: DocumentHead, points: readonly string[], columns: readonly string[]): (string | JsonSlot)[] {
  const out: (string | JsonSlot)[] = [
    '{\n',
    `"spec":${JSON.stringify(head.spec)},\n`,
    `"engine":${JSON.stringify(head.engine)},\n`,
    `"version":${JSON.stringify(head.version)},\n`,
    `"meta":${JSON.stringify(head.meta)},\n`,
  ];
  if (head.shard) out.push(`"shard":${JSON.stringify(head.shard)},\n`);
  if (head.checksum !== undefined) out.push(`"checksum":${JSON.stringify(head.checksum)},\n`);
  out.push(
    `"width":${head.width},\n"height":${head.height},\n`,
    `"params":${JSON.stringify(head.params)},\n`,
    `"xValues":[${jsonValues(head.xValues)}],\n`,
    `"yValues":[${jsonValues(head.yValues)}],\n`,
  );
  if (points.length > 0) {
    out.push('"points":{');
    points.forEach((p, k) => out.push(`${k > 0 ? ',' : ''}${JSON.stringify(p)}:[`, { array: 'points', key: p }, ']'));
    out.push('},\n');
  }
  const p = head.problem;
  if (p.problem === 'surface') {
    out.push(`"radius":${jsonNumber(p.radius)},\n"bound":${jsonNumber(p.bound)},\n`, `"minima":${JSON.stringify(minimaJSON(p.minima))},\n`);
  } else {
    out.push(`"network":${JSON.stringify(p.network)},\n`);
  }
  columns.forEach((c, k) => out.push(`${JSON.stringify(c)}:[`, { array: 'column', key: c }, `]${k < columns.length - 1 ? ',' : ''}\n`));
  out.push('}\n');
  return out;
}

/** The swept parameters whose per-run values a plan's JSON document lists under `points`. */
export function pointKeys(plan: Pick<SweepShape, 'mode' | 'dims'>): string[] {
  return plan.mode === 'list' ? plan.dims.map((d) => d.path) : [];
}

/**
 * The coordinate columns of runs [begin, begin + n): run, i, j and each swept parameter's value
 * (tableColumns' coordinate columns, in order).
 */
export function coordinateColumns(plan: SweepShape, begin: number, n: number): { run: Int32Array; i: Int32Array; j: Int32Array; params: Float64Array[] } {
  const run = new Int32Array(n);
  const i = new Int32Array(n);
  const j = new Int32Array(n);
  const w = plan.width;
  for (let r = 0; r < n; r++) {
    const g = begin + r;
    run[r] = g;
    i[r] = g % w;
    j[r] = Math.floor(g / w);
  }
  return { run, i, j, params: plan.dims.map((_, d) => paramValues(plan, d, begin, n)) };
}

/** Swept dimension d's value for runs [begin, begin + n). */
export function paramValues(plan: SweepShape, d: number, begin: number, n: number): Float64Array {
  const v = new Float64Array(n);
  for (let r = 0; r < n; r++) v[r] = sweepValue(plan, begin + r, d);
  return v;
}

/** The CSV header line. */
export function csvHeader(columns: readonly TableColumn[]): string {
  return `${columns.map((c) => c.name).join(',')}\n`;
}

/**
 * CSV lines (tableColumns' columns, in order) of runs [begin, end), in blocks of at most TEXT_ROWS
 * lines, each ending in a newline. Row `r - colsFirstRun` of `cols` holds run r.
 */
export function* csvBlocks(plan: SweepShape, columns: readonly ColumnDef[], cols: AnyColumns, colsFirstRun: number, begin: number, end: number): Generator<string> {
  const arrays = columns.map((c) => {
    const a = columnOf(cols, c.name);
    if (!a) throw new Error(`no column ${c.name} to write`);
    return a;
  });
  for (let s = begin; s < end; s += TEXT_ROWS) {
    const e = Math.min(end, s + TEXT_ROWS);
    const coord = coordinateColumns(plan, s, e - s);
    const lines = new Array<string>(e - s);
    for (let k = 0; k < e - s; k++) {
      const row: (string | number)[] = [coord.run[k] as number, coord.i[k] as number, coord.j[k] as number];
      for (const p of coord.params) row.push(csvNumber(p[k] as number));
      const at = s + k - colsFirstRun;
      for (const a of arrays) row.push(csvNumber(a[at] as number));
      lines[k] = row.join(',');
    }
    yield `${lines.join('\n')}\n`;
  }
}

/** The document head of in-memory results. */
function headOf(res: AnyResults): DocumentHead {
  return {
    spec: anySpecToJSON(res.spec),
    engine: res.engine,
    version: BASINLAB_VERSION,
    meta: res.meta,
    shard: null,
    width: res.width,
    height: res.height,
    params: res.params,
    xValues: res.xValues,
    yValues: res.yValues,
    problem: problemHead(res),
  };
}

/** The columns of in-memory results, checked to be exactly those its spec produces. */
function columnsOf(res: AnyResults): ColumnDef[] {
  const defs = resultColumns(res.spec, precisionOf(res.engine));
  checkColumns(res, defs, rowCount(res), 'results');
  return defs;
}

/**
 * The JSON document of an in-memory Results, in pieces. With a plan of a list sweep (random,
 * Sobol, points) it also lists each run's coordinates under `points`.
 */
export function writeJSON(res: AnyResults, plan: AnyPlan | null, write: (chunk: string) => void): void {
  const defs = columnsOf(res);
  const n = rowCount(res);
  for (const part of jsonLayout(headOf(res), plan ? pointKeys(plan) : [], defs.map((d) => d.name))) {
    if (typeof part === 'string') {
      write(part);
    } else if (part.array === 'column') {
      for (const s of jsonBlocks(columnOf(res, part.key as ColumnDef['name']) ?? [], 0, n, true)) write(s);
    } else if (plan) {
      const d = plan.dims.findIndex((x) => x.path === part.key);
      for (let s = 0; s < plan.runs; s += TEXT_ROWS) {
        const e = Math.min(plan.runs, s + TEXT_ROWS);
        for (const t of jsonBlocks(paramValues(plan, d, s, e - s), 0, e - s, s === 0)) write(t);
      }
    }
  }
}

/** CSV of in-memory results: a header, then one line per run. */
export function writeCSV(res: AnyResults, plan: AnyPlan, write: (chunk: string) => void): void {
  const defs = columnsOf(res);
  write(csvHeader(tableColumns(plan, precisionOf(res.engine))));
  for (const s of csvBlocks(plan, defs, res, 0, 0, rowCount(res))) write(s);
}
