/**
 * The columnar result format shared by every sink, reader and the merge: column names and types,
 * file metadata keys, and what a sink is told about the runs it will receive.
 *
 * One row per run. `run` is the global row-major run index (run = j * width + i); `i` and `j` index
 * xValues and yValues; then one float64 column per swept parameter, named by its path; then the
 * result fields in RESULT_FIELDS order.
 */
import pkg from '../../package.json' with { type: 'json' };
import { SpecError } from '../core/errors.ts';
import type { Plan } from '../core/plan.ts';
import { sweepValue } from '../core/plan.ts';
import type { Minimum } from '../core/registry/index.ts';
import type { EngineName } from '../core/results.ts';
import { RESULT_FIELDS } from '../core/results.ts';
import { specToJSON } from '../core/spec.ts';

export type Precision = 'f32' | 'f64';
export type ColumnType = 'int32' | 'float32' | 'float64' | 'bool';

export interface ColumnDef {
  readonly name: string;
  readonly type: ColumnType;
}

/** Which runs a shard file holds; recorded as `basinlab.shard`. */
export interface ShardInfo {
  readonly k: number;
  readonly n: number;
  readonly firstRun: number;
  readonly runs: number;
}

export interface SinkMeta {
  /** The resolved spec as JSON (specToJSON), recorded verbatim so shards can be matched. */
  readonly spec: Record<string, unknown>;
  readonly engine: EngineName;
  readonly precision: Precision;
  /** Image size of the whole sweep (not of a shard). */
  readonly width: number;
  readonly height: number;
  /** Runs this file holds: the whole sweep's, or a shard's. */
  readonly runs: number;
  readonly xValues: Float64Array;
  readonly yValues: Float64Array;
  /** Swept parameter paths, in sweep order. */
  readonly params: readonly string[];
  readonly minima: readonly Minimum[];
  readonly radius: number;
  readonly bound: number;
  /** Global index of the first run this file holds: 0, or a shard's first run. */
  readonly firstRun: number;
  /** For each run's sweep coordinates (sweepValue). */
  readonly plan: Plan;
  /** Set for shard files: which shard of how many (recorded with the run range as `basinlab.shard`). */
  readonly shard?: { readonly k: number; readonly n: number };
}

export const VERSION: string = pkg.version;

export function precisionOf(engine: EngineName): Precision {
  return engine === 'cpu64' ? 'f64' : 'f32';
}

/**
 * SinkMeta for a plan's whole sweep, or for the runs [firstRun, firstRun + runs) of shard k of n.
 */
export function sinkMeta(
  plan: Plan,
  engine: EngineName,
  shard?: { readonly k: number; readonly n: number; readonly firstRun: number; readonly runs: number },
): SinkMeta {
  const base = {
    spec: specToJSON(plan.spec),
    engine,
    precision: precisionOf(engine),
    width: plan.width,
    height: plan.height,
    runs: shard ? shard.runs : plan.runs,
    xValues: plan.xValues,
    yValues: plan.yValues,
    params: plan.dims.map((d) => d.path),
    minima: plan.minima,
    radius: plan.radius,
    bound: plan.bound,
    firstRun: shard ? shard.firstRun : 0,
    plan,
  };
  return shard ? { ...base, shard: { k: shard.k, n: shard.n } } : base;
}

/** Throws unless the meta describes a run range inside its plan and a consistent image. */
export function checkSinkMeta(meta: SinkMeta): void {
  const bad = (msg: string): never => {
    throw new Error(`sink metadata: ${msg}`);
  };
  if (!Number.isInteger(meta.firstRun) || meta.firstRun < 0) bad(`firstRun ${meta.firstRun} is not a run index`);
  if (!Number.isInteger(meta.runs) || meta.runs < 0) bad(`runs ${meta.runs} is not a count`);
  if (meta.firstRun + meta.runs > meta.plan.runs) {
    bad(`runs [${meta.firstRun}, ${meta.firstRun + meta.runs}) go past the sweep's ${meta.plan.runs} runs`);
  }
  if (meta.width * meta.height !== meta.plan.runs) bad(`width × height = ${meta.width * meta.height} but the plan has ${meta.plan.runs} runs`);
  if (meta.params.length !== meta.plan.dims.length) bad(`${meta.params.length} params but the plan sweeps ${meta.plan.dims.length}`);
  if (meta.precision !== precisionOf(meta.engine)) bad(`engine ${meta.engine} computes in ${precisionOf(meta.engine)}, not ${meta.precision}`);
  if (meta.shard) {
    const { k, n } = meta.shard;
    if (!Number.isInteger(n) || n < 1 || !Number.isInteger(k) || k < 0 || k >= n) bad(`shard ${k}/${n} is not a shard index`);
  }
}

/** The file's columns, in order. */
export function columnDefs(params: readonly string[], precision: Precision): ColumnDef[] {
  const float: ColumnType = precision === 'f32' ? 'float32' : 'float64';
  return [
    { name: 'run', type: 'int32' },
    { name: 'i', type: 'int32' },
    { name: 'j', type: 'int32' },
    ...params.map((p) => ({ name: p, type: 'float64' as const })),
    ...RESULT_FIELDS.map((f) => ({
      name: f,
      type: f === 'diverged' ? ('bool' as const) : f === 'basin' || f === 'steps_to_converge' ? ('int32' as const) : float,
    })),
  ];
}

/**
 * The sweep coordinates of runs [begin, begin + n): run, i, j and each swept parameter's value.
 * run fits int32: a sweep holds at most MAX_RUNS = 2^28 runs.
 */
export function coordinateColumns(meta: SinkMeta, begin: number, n: number): { run: Int32Array; i: Int32Array; j: Int32Array; params: Float64Array[] } {
  const run = new Int32Array(n);
  const i = new Int32Array(n);
  const j = new Int32Array(n);
  const w = meta.width;
  for (let r = 0; r < n; r++) {
    const g = begin + r;
    run[r] = g;
    i[r] = g % w;
    j[r] = Math.floor(g / w);
  }
  const params = meta.params.map((_, d) => {
    const v = new Float64Array(n);
    for (let r = 0; r < n; r++) v[r] = sweepValue(meta.plan, begin + r, d);
    return v;
  });
  return { run, i, j, params };
}

export const META = {
  spec: 'basinlab.spec',
  engine: 'basinlab.engine',
  width: 'basinlab.width',
  height: 'basinlab.height',
  minima: 'basinlab.minima',
  radius: 'basinlab.radius',
  bound: 'basinlab.bound',
  version: 'basinlab.version',
  shard: 'basinlab.shard',
} as const;

/** JSON has no NaN or infinities: a surface's minima may have an infinite sharpness, recorded as null. */
export function minimaJSON(minima: readonly Minimum[]): { x: number; y: number; loss: number; sharpness: number | null }[] {
  return minima.map((m) => ({ x: m.x, y: m.y, loss: m.value, sharpness: Number.isFinite(m.sharpness) ? m.sharpness : null }));
}

/** Key-value metadata of a Parquet or Arrow file, in a fixed order. */
export function fileMetadata(meta: SinkMeta): [string, string][] {
  const kv: [string, string][] = [
    [META.spec, JSON.stringify(meta.spec)],
    [META.engine, meta.engine],
    [META.width, String(meta.width)],
    [META.height, String(meta.height)],
    [META.minima, JSON.stringify(minimaJSON(meta.minima))],
    [META.radius, String(meta.radius)],
    [META.bound, String(meta.bound)],
    [META.version, VERSION],
  ];
  if (meta.shard) {
    const s: ShardInfo = { k: meta.shard.k, n: meta.shard.n, firstRun: meta.firstRun, runs: meta.runs };
    kv.push([META.shard, JSON.stringify(s)]);
  }
  return kv;
}

/** Output formats by file extension. */
export type FileFormat = 'parquet' | 'arrow' | 'csv' | 'json';

const EXTENSIONS: Record<string, FileFormat> = {
  '.parquet': 'parquet',
  '.arrow': 'arrow',
  '.feather': 'arrow',
  '.csv': 'csv',
  '.json': 'json',
};

export function formatOf(path: string, what = '--out'): FileFormat {
  const m = /\.[^./\\]+$/.exec(path);
  const f = m ? EXTENSIONS[m[0].toLowerCase()] : undefined;
  if (!f) {
    throw new SpecError(what, `cannot tell the format of ${path} from its extension; allowed: ${Object.keys(EXTENSIONS).join(', ')}`);
  }
  return f;
}
