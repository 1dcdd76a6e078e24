/**
 * The columnar result format shared by every sink, reader and the merge: file metadata keys, and
 * what a sink is told about the runs it will receive. The columns themselves (names, types, order)
 * are core's tableColumns: run, i, j, one float64 column per swept parameter, then the result
 * columns the plan produces (resultColumns).
 */
import { SpecError } from '../core/errors.ts';
import type { ProblemHead, ShardInfo } from '../core/encode.ts';
import { BASINLAB_VERSION, minimaJSON, problemHead } from '../core/encode.ts';
import type { AnyPlan } from '../core/plan.ts';
import type { ColumnDef, EngineName, Precision } from '../core/results.ts';
import { precisionOf, resultColumns } from '../core/results.ts';
import { anySpecToJSON } from '../core/spec.ts';

export type { ProblemHead, ShardInfo } from '../core/encode.ts';
export type { ColumnType, Precision } from '../core/results.ts';
export { minimaJSON } from '../core/encode.ts';
export { precisionOf } from '../core/results.ts';

export interface SinkMeta {
  /** The resolved spec as JSON (anySpecToJSON), recorded verbatim so shards can be matched. */
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
  /** The result columns the file holds: resultColumns(plan.spec, precision). */
  readonly columns: readonly ColumnDef[];
  /** What the file says of its problem: a surface's radius, bound and minima, or a network's sizes. */
  readonly problem: ProblemHead;
  /** Global index of the first run this file holds: 0, or a shard's first run. */
  readonly firstRun: number;
  /** For each run's sweep coordinates (sweepValue); a surface or a network plan. */
  readonly plan: AnyPlan;
  /** Set for shard files: which shard of how many (recorded with the run range as `basinlab.shard`). */
  readonly shard?: { readonly k: number; readonly n: number };
  /**
   * The sweep dimensions whose values float32 merged, comma-separated, when the run was accepted
   * anyway (`--accept-float32`): recorded as `basinlab.float32_merged` (JSON: `meta.float32_merged`),
   * so that a file whose neighbouring runs are the same run says why.
   */
  readonly float32Merged?: string;
}

/** The one version string of every output (core's, which the JSON document writes too). */
export const VERSION: string = BASINLAB_VERSION;

/**
 * SinkMeta for a plan's whole sweep, or for the runs [firstRun, firstRun + runs) of shard k of n;
 * `float32Merged`: the dimensions float32 merged in an accepted run (SinkMeta.float32Merged).
 */
export function sinkMeta(
  plan: AnyPlan,
  engine: EngineName,
  shard?: { readonly k: number; readonly n: number; readonly firstRun: number; readonly runs: number },
  opts: { readonly float32Merged?: string | null } = {},
): SinkMeta {
  const precision = precisionOf(engine);
  const base = {
    spec: anySpecToJSON(plan.spec),
    engine,
    precision,
    width: plan.width,
    height: plan.height,
    runs: shard ? shard.runs : plan.runs,
    xValues: plan.xValues,
    yValues: plan.yValues,
    params: plan.dims.map((d) => d.path),
    columns: resultColumns(plan.spec, precision),
    problem: problemHead(plan),
    firstRun: shard ? shard.firstRun : 0,
    plan,
    ...(opts.float32Merged ? { float32Merged: opts.float32Merged } : {}),
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
  if (meta.problem.problem !== meta.plan.problem) bad(`a ${meta.problem.problem} head for a ${meta.plan.problem} plan`);
  const want = resultColumns(meta.plan.spec, meta.precision);
  const text = (cs: readonly ColumnDef[]): string => cs.map((c) => `${c.name}:${c.type}`).join(', ');
  if (text(meta.columns) !== text(want)) bad(`columns ${text(meta.columns)}, but the spec produces ${text(want)}`);
  if (meta.shard) {
    const { k, n } = meta.shard;
    if (!Number.isInteger(n) || n < 1 || !Number.isInteger(k) || k < 0 || k >= n) bad(`shard ${k}/${n} is not a shard index`);
  }
}

export const META = {
  spec: 'basinlab.spec',
  engine: 'basinlab.engine',
  width: 'basinlab.width',
  height: 'basinlab.height',
  minima: 'basinlab.minima',
  radius: 'basinlab.radius',
  bound: 'basinlab.bound',
  /** Networks (instead of minima, radius and bound): the model's parameter count, the split sizes and the loss. */
  network: 'basinlab.network',
  version: 'basinlab.version',
  /** Only where float32 merged neighbouring sweep values of an accepted run: the dimensions (SinkMeta.float32Merged). */
  float32Merged: 'basinlab.float32_merged',
  shard: 'basinlab.shard',
  /** The data's checksum (src/io/checksum.ts), known only when the file is complete: not in fileMetadata. */
  checksum: 'basinlab.checksum',
} as const;

/** The metadata keys and values of a problem head (what the JSON document has as `minima`, `radius`, `bound` or `network`). */
export function problemMetadata(p: ProblemHead): [string, string][] {
  if (p.problem === 'network') return [[META.network, JSON.stringify(p.network)]];
  return [
    [META.minima, JSON.stringify(minimaJSON(p.minima))],
    [META.radius, String(p.radius)],
    [META.bound, String(p.bound)],
  ];
}

/** Key-value metadata of a Parquet or Arrow file, in a fixed order. */
export function fileMetadata(meta: SinkMeta): [string, string][] {
  const kv: [string, string][] = [
    [META.spec, JSON.stringify(meta.spec)],
    [META.engine, meta.engine],
    [META.width, String(meta.width)],
    [META.height, String(meta.height)],
    ...problemMetadata(meta.problem),
    [META.version, VERSION],
  ];
  if (meta.float32Merged !== undefined) kv.push([META.float32Merged, meta.float32Merged]);
  const shard = shardInfo(meta);
  if (shard) kv.push([META.shard, JSON.stringify(shard)]);
  return kv;
}

/** The shard a file's runs are, as recorded (`basinlab.shard`, JSON `shard`), or null for a whole sweep. */
export function shardInfo(meta: SinkMeta): ShardInfo | null {
  return meta.shard ? { k: meta.shard.k, n: meta.shard.n, firstRun: meta.firstRun, runs: meta.runs } : null;
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
