/**
 * Merging shard files into the one file an unsharded run would have written: the shards must come
 * from the same spec and engine, written by this basinlab's version, and cover every run exactly
 * once; the output's format is its extension's, whatever the shards' formats.
 */
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { CancelledError, SpecError } from '../core/errors.ts';
import { makeAnyPlan, prepareSpec } from '../core/network/plan.ts';
import type { AnyPlan } from '../core/plan.ts';
import type { AnyColumns } from '../core/results.ts';
import { parseAnySpec } from '../core/spec.ts';
import type { SinkMeta } from './format.ts';
import { META, VERSION, fileMetadata, formatOf, sinkMeta } from './format.ts';
import type { ResultFile } from './read.ts';
import { openResults } from './read.ts';
import type { SinkOptions } from './sinks.ts';
import { sinkFor } from './sinks.ts';
import { shardsCovering } from './shards.ts';
import { leftoverPartials } from './partials.ts';

export interface MergeReport {
  readonly out: string;
  readonly files: number;
  readonly runs: number;
  /** Non-finite values of JSON shards written to a Parquet, Arrow or CSV OUT as NaN (JSON's null: Infinity or NaN?). */
  readonly jsonNonFinite: number;
}

const range = (a: number, b: number): string => `runs [${a}, ${b})`;
const describeFile = (f: ResultFile): string => `${f.path} (${f.shard ? `shard ${f.shard.k}/${f.shard.n}, ` : ''}${range(f.firstRun, f.firstRun + f.rows)})`;

/** The first place two JSON values differ, as `path: a vs b` (for naming how two specs differ). */
export function firstDifference(a: unknown, b: unknown, path = ''): string | null {
  if (JSON.stringify(a) === JSON.stringify(b)) return null;
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (isObj(a) && isObj(b) && Array.isArray(a) === Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference(a[k], b[k], path ? `${path}.${k}` : k);
      if (d) return d;
    }
  }
  return `${path || '(top level)'}: ${JSON.stringify(a) ?? 'nothing'} vs ${JSON.stringify(b) ?? 'nothing'}`;
}

/**
 * Every shard must agree on these keys (all but the shard range and the checksum). The problem's
 * own keys (a surface's minima, radius and bound; a network's sizes) are recorded by one kind
 * only: a key no file records is the other kind's. The version is checked first, and on its own
 * (checkVersions); the float32 mark, which only some sweeps have, by checkFloat32Marks.
 */
const SHARED_KEYS = [META.spec, META.engine, META.width, META.height, META.minima, META.radius, META.bound, META.network] as const;

/** `a.json, b.json` with at most `max` names shown. */
function names(paths: readonly string[], max = 4): string {
  return paths.length > max ? `${paths.slice(0, max).join(', ')} and ${paths.length - max} more` : paths.join(', ');
}

/**
 * Every shard must have been written by this basinlab's version: the merge writes its own version
 * into OUT, so merging another version's shards would relabel their data (review 18). A file that
 * records none (a JSON document of a basinlab from before the JSON head had `version`) cannot be
 * told apart from any version: refused too, not taken as a match.
 */
function checkVersions(files: readonly ResultFile[]): void {
  const unknown = files.filter((f) => !f.metadata.has(META.version)).map((f) => f.path);
  if (unknown.length > 0) {
    throw new SpecError(
      '',
      `cannot merge: ${names(unknown)} record${unknown.length === 1 ? 's' : ''} no basinlab version (${META.version}; a JSON document's \`version\`): written by an older basinlab, or altered, so which basinlab wrote ${unknown.length === 1 ? 'it' : 'them'} cannot be told; rerun ${unknown.length === 1 ? 'that shard' : 'those shards'} with this basinlab (${VERSION})`,
    );
  }
  const other = new Map<string, string[]>();
  for (const f of files) {
    const v = f.metadata.get(META.version) as string;
    if (v !== VERSION) other.set(v, [...(other.get(v) ?? []), f.path]);
  }
  if (other.size > 0) {
    const list = [...other.entries()].map(([v, ps]) => `${names(ps)} ${ps.length === 1 ? 'was' : 'were'} written by basinlab ${v}`).join('; ');
    throw new SpecError('', `cannot merge shards of another basinlab version: ${list}, and this is basinlab ${VERSION}, which OUT would record; merge with the version that wrote them, or rerun them with this one`);
  }
}

/**
 * Every shard must carry the same float32 mark (`basinlab.float32_merged`, or none): it describes
 * the whole sweep, and the merged file carries it on. Shards of one spec and version agree on it
 * unless one was altered.
 */
function checkFloat32Marks(files: readonly ResultFile[]): void {
  const groups = new Map<string, string[]>();
  for (const f of files) {
    const v = f.metadata.get(META.float32Merged);
    const label = v === undefined ? 'none' : JSON.stringify(v);
    groups.set(label, [...(groups.get(label) ?? []), f.path]);
  }
  if (groups.size <= 1) return;
  const sides = [...groups.entries()].map(([label, ps]) => `${names(ps)} (${label})`).join(' vs ');
  throw new SpecError('', `cannot merge shards that disagree on ${META.float32Merged} (the sweep dimensions float32 merged): ${sides}; rerun the shards that differ`);
}

function checkSameSweep(files: readonly ResultFile[]): void {
  const first = files[0];
  if (!first) return;
  checkVersions(files);
  for (const key of SHARED_KEYS) {
    const groups = new Map<string, string[]>();
    for (const f of files) {
      const v = f.metadata.get(key);
      if (v === undefined && files.every((g) => !g.metadata.has(key))) continue;
      if (v === undefined) throw new SpecError('', `${f.path}: no ${key} recorded; not a basinlab result file`);
      groups.set(v, [...(groups.get(v) ?? []), f.path]);
    }
    if (groups.size <= 1) continue;
    const [[va, pa], [vb, pb]] = [...groups.entries()] as [[string, string[]], [string, string[]]];
    let how = `${JSON.stringify(va)} vs ${JSON.stringify(vb)}`;
    if (key === META.spec) {
      try {
        how = `they differ at ${firstDifference(JSON.parse(va), JSON.parse(vb))}`;
      } catch {
        // Unparsable spec text: the raw strings say enough.
      }
    }
    const what = key === META.spec ? 'different specs' : key === META.engine ? 'different engines' : `different ${key}`;
    throw new SpecError(
      '',
      `cannot merge shards of ${what}: ${pa.join(', ')} vs ${pb.join(', ')}${groups.size > 2 ? ` (and ${groups.size - 2} more variants)` : ''}; ${how}`,
    );
  }
  checkFloat32Marks(files);
  checkSameColumns(files);
}

/** Every shard must hold the same result columns: a merge drops none and invents none. */
function checkSameColumns(files: readonly ResultFile[]): void {
  const groups = new Map<string, ResultFile[]>();
  for (const f of files) {
    const key = f.columns.map((c) => c.name).join(', ');
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  if (groups.size <= 1) return;
  const [[ka, fa], [kb, fb]] = [...groups.entries()] as [[string, ResultFile[]], [string, ResultFile[]]];
  const a = new Set(ka.split(', '));
  const b = new Set(kb.split(', '));
  const only = (x: Set<string>, y: Set<string>): string[] => [...x].filter((c) => !y.has(c));
  const paths = (fs: ResultFile[]): string => fs.map((f) => f.path).join(', ');
  const diff = [
    only(a, b).length > 0 ? `only ${paths(fa)} ${fa.length > 1 ? 'have' : 'has'} ${only(a, b).join(', ')}` : '',
    only(b, a).length > 0 ? `only ${paths(fb)} ${fb.length > 1 ? 'have' : 'has'} ${only(b, a).join(', ')}` : '',
  ].filter((x) => x !== '');
  throw new SpecError(
    '',
    `cannot merge shards with different columns: ${paths(fa)} ${fa.length > 1 ? 'hold' : 'holds'} ${ka}; ${paths(fb)} ${fb.length > 1 ? 'hold' : 'holds'} ${kb}${groups.size > 2 ? ` (and ${groups.size - 2} more variants)` : ''}; ${diff.length > 0 ? diff.join('; ') : 'in a different order'}`,
  );
}

/** Throws unless the files' run ranges tile [0, total) with no gap and no overlap. */
function checkCoverage(files: readonly ResultFile[], total: number, width: number): ResultFile[] {
  const sorted = [...files].sort((a, b) => a.firstRun - b.firstRun || a.rows - b.rows);
  const problems: string[] = [];
  const ns = new Set(files.map((f) => f.shard?.n).filter((n): n is number => n !== undefined));
  const n = ns.size === 1 ? [...ns][0] : undefined;
  const missing = (from: number, to: number): string => {
    if (n === undefined) return '';
    try {
      const ks = shardsCovering(total, width, n, from, to);
      return ks.length > 0 ? `; missing shard${ks.length > 1 ? 's' : ''} ${ks.map((k) => `${k}/${n}`).join(', ')}` : '';
    } catch {
      return '';
    }
  };
  let cursor = 0;
  let prev: ResultFile | null = null;
  for (const f of sorted) {
    const end = f.firstRun + f.rows;
    if (f.firstRun > cursor) {
      problems.push(`${range(cursor, f.firstRun)} are in no file${prev ? ` (between ${describeFile(prev)} and ${describeFile(f)})` : ` (before ${describeFile(f)})`}${missing(cursor, f.firstRun)}`);
    } else if (f.firstRun < cursor && prev) {
      const same = prev.path === f.path;
      problems.push(
        same
          ? `${f.path} is given twice`
          : `${describeFile(prev)} and ${describeFile(f)} overlap on ${range(f.firstRun, Math.min(cursor, end))}${prev.firstRun === f.firstRun && prev.rows === f.rows ? ' (the same shard twice)' : ''}`,
      );
    }
    if (end > cursor) {
      cursor = end;
      prev = f;
    }
  }
  if (cursor < total) problems.push(`${range(cursor, total)} are in no file${prev ? ` (after ${describeFile(prev)})` : ''}${missing(cursor, total)}`);
  if (problems.length > 0) {
    throw new SpecError('', `cannot merge: the files do not cover the sweep's ${total} runs exactly once: ${problems.join('; ')}`);
  }
  return sorted;
}

/**
 * The plan the shards were run from, and a check that it still gives the metadata they recorded.
 * The float32 mark is the shards' own (checkFloat32Marks: they agree), carried over to OUT.
 */
async function rebuildPlan(file: ResultFile): Promise<{ plan: AnyPlan; meta: SinkMeta }> {
  let plan: AnyPlan;
  try {
    const spec = parseAnySpec(JSON.parse(file.spec));
    // A network on packaged data (Iris, digits) needs it loaded to rebuild its plan.
    await prepareSpec(spec);
    plan = makeAnyPlan(spec);
  } catch (e) {
    throw new SpecError('', `${file.path}: cannot rebuild the sweep from ${META.spec}: ${(e as Error).message}`);
  }
  const meta = sinkMeta(plan, file.engine, undefined, { float32Merged: file.metadata.get(META.float32Merged) ?? null });
  for (const [key, value] of fileMetadata(meta)) {
    const stored = file.metadata.get(key);
    if (key !== META.spec && stored !== value) {
      throw new SpecError('', `${file.path}: ${key} is ${stored ?? 'missing'} but this basinlab computes ${value} for its spec: the file was altered after it was written (its version, checked above, is this one's); rerun that shard`);
    }
  }
  const have = file.columns.map((c) => c.name).join(', ');
  const want = meta.columns.map((c) => c.name).join(', ');
  if (have !== want) {
    throw new SpecError('', `${file.path}: holds the columns ${have}, but its spec produces ${want}: the file was altered after it was written (its version, checked above, is this one's); rerun that shard`);
  }
  return { plan, meta };
}

export interface MergeOptions extends SinkOptions {
  /** Runs written so far, of `total`, after each chunk. */
  readonly onProgress?: (runs: number, total: number) => void;
}

/**
 * JSON writes Infinity, -Infinity and NaN alike as null (it has no such numbers), so a JSON shard's
 * non-finite value reaches Parquet, Arrow or CSV as NaN whatever the unsharded run wrote there (a
 * diverged run's loss may be Infinity, a non-smooth minimum's sharpness is): counted, for the merge
 * to say so (review 11 found it unsaid). The checksum counts every non-finite value as one NaN, so
 * it cannot tell either. Parquet and Arrow shards keep them; JSON into JSON loses nothing JSON had.
 */
function nonFinite(cols: AnyColumns, n: number): number {
  let count = 0;
  for (const col of Object.values(cols)) {
    if (!(col instanceof Float32Array || col instanceof Float64Array)) continue;
    for (let r = 0; r < n; r++) if (!Number.isFinite(col[r] as number)) count++;
  }
  return count;
}

/**
 * Merges shard files (Parquet, Arrow or JSON, as recorded by a sink with a shard) into `outPath`,
 * written atomically in the format of its extension, value for value what the unsharded run writes.
 * Throws SpecError naming the files and run ranges when the shards do not belong together or do
 * not cover the sweep exactly once, and naming the file when one records no checksum or its data
 * does not match it (read.ts verifies it after a file's last chunk); CancelledError once
 * `opts.signal` is aborted, up to the output's rename. Nothing is written then.
 */
export async function mergeShards(outPath: string, shardPaths: readonly string[], opts: MergeOptions = {}): Promise<MergeReport> {
  if (shardPaths.length === 0) throw new SpecError('', 'merge: no shard files given');
  const outFormat = formatOf(outPath, 'OUT');
  if (shardPaths.some((p) => resolve(p) === resolve(outPath))) throw new SpecError('', `merge: the output ${outPath} is also one of the shard files`);
  const cancelled = (): void => {
    if (opts.signal?.aborted) throw new CancelledError();
  };
  for (const p of shardPaths) {
    // A shard whose run was killed left only its temporary file: say so rather than "no such file".
    const left = existsSync(p) ? [] : leftoverPartials(p);
    if (left.length > 0) {
      throw new SpecError('', `${p}: no such file; only ${left.map((f) => basename(f.path)).join(', ')}, left by a run of it that did not finish (killed?): rerun that shard`);
    }
  }
  const files: ResultFile[] = [];
  try {
    for (const p of shardPaths) files.push(await openResults(p));
    const unverifiable = files.filter((f) => f.checksum === null);
    if (unverifiable.length > 0) {
      throw new SpecError(
        '',
        `${unverifiable.map((f) => f.path).join(', ')}: no ${META.checksum} recorded (written by a basinlab without checksums, or altered): the data cannot be verified; rerun ${unverifiable.length > 1 ? 'those shards' : 'that shard'}`,
      );
    }
    checkSameSweep(files);
    const first = files[0] as ResultFile; // shardPaths is not empty
    const total = first.width * first.height;
    const ordered = checkCoverage(files, total, first.width);
    const { meta } = await rebuildPlan(first);

    const sink = sinkFor(outPath, opts);
    let written = 0;
    let jsonNonFinite = 0;
    try {
      await sink.open(meta);
      for (const f of ordered) {
        let next = f.firstRun;
        const end = f.firstRun + f.rows;
        for await (const c of f.chunks()) {
          cancelled();
          if (c.begin !== next || c.begin + c.n > end) {
            throw new SpecError('', `${f.path}: rows for ${range(c.begin, c.begin + c.n)} where ${range(next, end)} were expected (corrupt file)`);
          }
          for (let r = 0; r < c.n; r++) {
            if (c.run[r] !== c.begin + r) throw new SpecError('', `${f.path}: row ${c.begin + r - f.firstRun} holds run ${c.run[r]}, expected ${c.begin + r} (corrupt file)`);
          }
          if (f.format === 'json' && outFormat !== 'json') jsonNonFinite += nonFinite(c.cols, c.n);
          await sink.write(c.begin, c.cols, c.n);
          next += c.n;
          written += c.n;
          opts.onProgress?.(written, total);
        }
        if (next !== end) throw new SpecError('', `${f.path}: holds ${range(f.firstRun, next)} but its metadata says ${range(f.firstRun, end)} (truncated file)`);
      }
      await sink.close({ meta: { merged_from: files.length } });
    } catch (e) {
      await sink.abort();
      throw e;
    }
    return { out: outPath, files: files.length, runs: total, jsonNonFinite };
  } finally {
    for (const f of files) await f.close().catch(() => undefined);
  }
}

/** What merge says when JSON shards' non-finite values went to a Parquet, Arrow or CSV OUT as NaN. */
export function mergeNonFiniteNote(count: number): string {
  return `merge: note: ${count} non-finite value${count === 1 ? '' : 's'} of the JSON shards ${count === 1 ? 'is' : 'are'} written as NaN: JSON records Infinity, -Infinity and NaN alike as null, so where the unsharded run wrote Infinity this file has NaN (shard as Parquet or Arrow to keep them)`;
}
