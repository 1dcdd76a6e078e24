/**
 * No column is ever lost: every optional feature that adds result columns (the derived list,
 * OPTIONAL_COLUMNS, so a new one is covered as soon as it exists) is run on the cpu engine, written
 * through every format's sink, read back (src/io/read.ts, and independently: DuckDB for Parquet and
 * CSV, apache-arrow for Arrow, JSON.parse for JSON) and compared value for value with the in-memory
 * result; the same sweeps are run as shards (the engine's run ranges streamed into a sink, as
 * `sweep --shard` does), merged into every format and compared with the unsharded result; and the
 * CLI's stdout JSON is checked to carry the columns too.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { jsonLayout } from '../../src/core/encode.ts';
import { trajectoryJSON } from '../../src/core/trajectory.ts';
import { withColumnsTable } from '../../scripts/readme-columns.ts';
import type { Plan } from '../../src/core/plan.ts';
import { makePlan } from '../../src/core/plan.ts';
import type { ColumnDef, OptionalFeature, Precision, Results } from '../../src/core/results.ts';
import { OPTIONAL_COLUMNS, allColumns, columnOf, precisionOf, resultColumns, tableColumns } from '../../src/core/results.ts';
import { parseSpec } from '../../src/core/spec.ts';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';
import type { FileFormat } from '../../src/io/format.ts';
import { META } from '../../src/io/format.ts';
import { mergeShards } from '../../src/io/merge.ts';
import { readResults } from '../../src/io/read.ts';
import { shardRange } from '../../src/io/shards.ts';
import { sinkFor, sinkMeta } from '../../src/io/sinks.ts';
import { GRID_SPEC, SOBOL_SPEC, duckRows, readArrow, readParquetDuckDB, sqlString, writeChunked } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'basinlab-columns-'));
const FORMATS: readonly FileFormat[] = ['json', 'csv', 'parquet', 'arrow'];
/** Formats a shard can be written in (CSV records no spec or range to merge by). */
const SHARD_FORMATS: readonly FileFormat[] = ['parquet', 'arrow', 'json'];

/**
 * How to turn each optional feature on. Typed over every feature OPTIONAL_COLUMNS names: a new
 * feature does not compile until it has an entry here, and then runs through everything below.
 */
const ENABLE: { readonly [F in SurfaceFeature]: Record<string, unknown> } = {
  swa: { swa: { start: 50, every: 3 } },
};

/** Features of surface specs (network columns run through the same sinks in tests/io/network-columns.test.ts). */
type SurfaceFeature = (typeof OPTIONAL_COLUMNS)[number]['feature'];
const FEATURES: readonly SurfaceFeature[] = OPTIONAL_COLUMNS.map((g) => g.feature);

/** The sweeps each feature set is run on: a grid that diverges in places, a Sobol list sweep, and float64. */
const SHAPES = [
  { name: 'grid', spec: GRID_SPEC, engine: 'cpu' },
  { name: 'sobol', spec: SOBOL_SPEC, engine: 'cpu' },
  { name: 'grid', spec: GRID_SPEC, engine: 'cpu64' },
] as const;

interface Case {
  readonly name: string;
  readonly features: readonly OptionalFeature[];
  readonly spec: Record<string, unknown>;
  readonly engine: 'cpu' | 'cpu64';
  readonly plan: Plan;
  readonly res: Results;
  readonly columns: ColumnDef[];
}

/** No optional feature, each one alone, and all together (when there are several). */
const featureSets: SurfaceFeature[][] = [[], ...FEATURES.map((f) => [f]), ...(FEATURES.length > 1 ? [[...FEATURES]] : [])];

const cases: Case[] = [];

beforeAll(async () => {
  for (const shape of SHAPES) {
    for (const features of featureSets) {
      const spec = Object.assign({}, shape.spec, ...features.map((f) => ENABLE[f])) as Record<string, unknown>;
      const plan = makePlan(parseSpec(spec));
      const e = new CpuEngine(shape.engine, { workers: 0, spawn: null });
      try {
        const res = await e.run(plan);
        const name = `${shape.name} ${shape.engine} [${features.join('+') || 'base'}]`;
        cases.push({ name, features, spec, engine: shape.engine, plan, res, columns: resultColumns(plan.spec, precisionOf(shape.engine)) });
      } finally {
        await e.dispose();
      }
    }
  }
});

/** Index of the first value that differs (NaN equals NaN; -0 differs from 0), or -1. */
function firstDifference(got: ArrayLike<unknown>, want: ArrayLike<number>): number {
  if (got.length !== want.length) return Math.min(got.length, want.length);
  for (let r = 0; r < want.length; r++) if (!Object.is(got[r], want[r])) return r;
  return -1;
}

function expectSame(got: ArrayLike<unknown>, want: ArrayLike<number>, label: string): void {
  const r = firstDifference(got, want);
  expect(r, `${label}: row ${r} holds ${String(got[r])}, expected ${String(want[r])} (lengths ${got.length}, ${want.length})`).toBe(-1);
}

/** A column's in-memory values as a file of this format holds them: JSON writes non-finite values as null. */
function expected(c: Case, col: ColumnDef, format: FileFormat, from = 0, to = c.plan.runs): number[] {
  const a = columnOf(c.res, col.name);
  if (!a) throw new Error(`${c.name}: no column ${col.name} in memory`);
  const values = Array.from(a.subarray(from, to), Number);
  return format === 'json' ? values.map((v) => (Number.isFinite(v) ? v : Number.NaN)) : values;
}

const ARRAYS: Record<ColumnDef['type'], unknown> = { float32: Float32Array, float64: Float64Array, int32: Int32Array, bool: Uint8Array };
const DUCK_TYPES: Record<ColumnDef['type'], string> = { float32: 'FLOAT', float64: 'DOUBLE', int32: 'INTEGER', bool: 'BOOLEAN' };

describe('the derived columns', () => {
  it('the cases cover every optional column, with values that can tell a dropped or shifted column apart', () => {
    const covered = new Set(cases.flatMap((c) => c.columns.map((d) => d.name)));
    for (const d of allColumns('f32', 'surface')) expect(covered.has(d.name), d.name).toBe(true);
    for (const c of cases) {
      // The engine produced exactly the derived columns, and the base ones only without features.
      expect(Object.keys(c.res).filter((k) => allColumns('f32', 'surface').some((d) => d.name === k)), c.name).toEqual(c.columns.map((d) => d.name));
      for (const f of c.features) {
        for (const d of c.columns.filter((x) => x.feature === f)) {
          const v = Array.from(columnOf(c.res, d.name) ?? []);
          expect(new Set(v).size, `${c.name} ${d.name} is varied`).toBeGreaterThan(c.plan.runs / 4);
        }
      }
    }
    // The grid diverges in places: non-finite floats and both diverged values are compared below.
    const grid = cases.find((c) => c.name.startsWith('grid cpu '));
    expect(Array.from(grid?.res.final_x ?? []).some((x) => !Number.isFinite(x))).toBe(true);
    expect(grid?.res.diverged.includes(1) && grid.res.diverged.includes(0)).toBe(true);
  });

  it('turning a feature on adds exactly its columns, after the base ones', () => {
    const base = cases.find((c) => c.features.length === 0);
    for (const c of cases.filter((x) => x.features.length === 1)) {
      const group = OPTIONAL_COLUMNS.find((g) => g.feature === c.features[0]);
      expect(c.columns.map((d) => d.name)).toEqual([...(base?.columns.map((d) => d.name) ?? []), ...(group?.columns.map((d) => d.name) ?? [])]);
    }
  });
});

describe('every column through every format', () => {
  it('is written by the sink and read back by read.ts, value for value', async () => {
    for (const c of cases) {
      for (const format of FORMATS) {
        const path = join(dir, `${c.name.replace(/[^\w]+/g, '-')}.${format}`);
        await writeChunked(sinkFor(path, { rowGroupRows: 16 }), sinkMeta(c.plan, c.res.engine), c.res, [7, 1, 20, 13]);
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
    }
  });

  it('Parquet, read by DuckDB: every column, with its type and exact values', async () => {
    for (const c of cases) {
      const path = join(dir, `${c.name.replace(/[^\w]+/g, '-')}.parquet`);
      const d = await readParquetDuckDB(path);
      expect(d.names, c.name).toEqual(tableColumns(c.plan, precisionOf(c.engine)).map((x) => x.name));
      for (const col of c.columns) {
        expect(d.types[col.name], `${c.name} ${col.name}`).toBe(DUCK_TYPES[col.type]);
        const got = (d.columns[col.name] ?? []).map((v) => (typeof v === 'boolean' ? Number(v) : v));
        expectSame(got, expected(c, col, 'parquet'), `${c.name} parquet/duckdb ${col.name}`);
      }
    }
  });

  it('CSV, read by DuckDB: numeric columns (not text), exact values, NaN and ±Infinity included', async () => {
    for (const c of cases) {
      const path = join(dir, `${c.name.replace(/[^\w]+/g, '-')}.csv`);
      const rows = await duckRows(`SELECT * FROM read_csv(${sqlString(path)}) ORDER BY run`);
      expect(Object.keys(rows[0] ?? {}), c.name).toEqual(tableColumns(c.plan, precisionOf(c.engine)).map((x) => x.name));
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
  });

  it('Arrow, read by apache-arrow: every column, with its type and exact values', () => {
    for (const c of cases) {
      const t = readArrow(join(dir, `${c.name.replace(/[^\w]+/g, '-')}.arrow`));
      expect(t.schema.fields.map((f) => f.name), c.name).toEqual(tableColumns(c.plan, precisionOf(c.engine)).map((x) => x.name));
      for (const col of c.columns) {
        const v = t.getChild(col.name);
        expect(String(v?.type), `${c.name} ${col.name}`).toBe({ float32: 'Float32', float64: 'Float64', int32: 'Int32', bool: 'Bool' }[col.type]);
        const got = Array.from({ length: v?.length ?? 0 }, (_, r) => {
          const x = v?.get(r) as unknown;
          return typeof x === 'boolean' ? Number(x) : x;
        });
        expectSame(got, expected(c, col, 'arrow'), `${c.name} arrow ${col.name}`);
      }
    }
  });

  it('JSON, parsed as plain JSON: one array per column, null where not finite', () => {
    for (const c of cases) {
      const doc = JSON.parse(readFileSync(join(dir, `${c.name.replace(/[^\w]+/g, '-')}.json`), 'utf8')) as Record<string, unknown>;
      for (const col of c.columns) {
        const got = (doc[col.name] as (number | null)[]).map((v) => (v === null ? Number.NaN : v));
        expectSame(got, expected(c, col, 'json'), `${c.name} json ${col.name}`);
      }
    }
  });
});

describe('shards and merge', () => {
  const N = 3;

  /** Runs shard k of N on the engine, streaming its chunks into the sink, as `sweep --shard` does. */
  async function runShard(c: Case, k: number, path: string): Promise<void> {
    const range = shardRange(c.plan.runs, c.plan.width, k, N);
    const sink = sinkFor(path, { rowGroupRows: 8 });
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

  it('each shard holds its runs of every column; merged into every format they equal the unsharded result', async () => {
    for (const c of cases) {
      const stem = c.name.replace(/[^\w]+/g, '-');
      for (const shardFormat of SHARD_FORMATS) {
        const shards: string[] = [];
        for (let k = 0; k < N; k++) {
          const path = join(dir, `${stem}-shard-${k}.${shardFormat}`);
          await runShard(c, k, path);
          const range = shardRange(c.plan.runs, c.plan.width, k, N);
          const t = await readResults(path);
          for (const col of c.columns) {
            expectSame(columnOf(t.cols, col.name) ?? [], expected(c, col, shardFormat, range.firstRun, range.firstRun + range.runs), `${c.name} shard ${k} ${shardFormat} ${col.name}`);
          }
          shards.push(path);
        }
        for (const out of FORMATS) {
          const path = join(dir, `${stem}-merged-from-${shardFormat}.${out}`);
          // Shards in reverse order: the merge orders them by run range.
          await mergeShards(path, [...shards].reverse(), { rowGroupRows: 16 });
          const t = await readResults(path, { precision: precisionOf(c.engine) });
          const label = `${c.name} ${shardFormat} shards → ${out}`;
          expect(t.columns.map((d) => d.name), label).toEqual(c.columns.map((d) => d.name));
          // A value lost in a JSON shard (non-finite → null) stays lost: compare with what both formats keep.
          const lossy: FileFormat = shardFormat === 'json' || out === 'json' ? 'json' : out;
          for (const col of c.columns) expectSame(columnOf(t.cols, col.name) ?? [], expected(c, col, lossy), `${label} ${col.name}`);
        }
      }
    }
  });

  it('refuses shards whose columns differ, naming the files and the columns', async () => {
    const c = cases.find((x) => x.features.length > 0 && x.name.startsWith('sobol'));
    if (!c) throw new Error('no case with an optional feature');
    const optional = c.columns.filter((d) => d.feature !== null).map((d) => d.name);
    const paths = [0, 1, 2].map((k) => join(dir, `differ-${k}.json`));
    for (const [k, p] of paths.entries()) await runShard(c, k, p);
    // Shard 1 as a writer that did not know the optional columns would have left it.
    const doc = JSON.parse(readFileSync(paths[1] as string, 'utf8')) as Record<string, unknown>;
    for (const f of optional) delete doc[f];
    writeFileSync(paths[1] as string, JSON.stringify(doc));
    const out = join(dir, 'differ-merged.parquet');
    const escaped = optional.join(', ').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await expect(mergeShards(out, paths)).rejects.toThrow(new RegExp(`cannot merge shards with different columns: .*differ-[02]\\.json.*; only .*differ-0\\.json, .*differ-2\\.json have ${escaped}`));
    // All shards without them: they no longer match what their spec produces.
    for (const p of paths) {
      const d = JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
      for (const f of optional) delete d[f];
      writeFileSync(p, JSON.stringify(d));
    }
    await expect(mergeShards(out, paths)).rejects.toThrow(new RegExp(`differ-0\\.json: holds the columns .*, but its spec produces .*${escaped}`));
    expect(() => readFileSync(out)).toThrow(/ENOENT/);
  });
});

describe('the CLI', () => {
  it("sweep without --out writes every column to stdout (not a terminal) as the JSON document", () => {
    for (const c of cases.filter((x) => x.engine === 'cpu')) {
      const spec = join(dir, `cli-${c.name.replace(/[^\w]+/g, '-')}.json`);
      writeFileSync(spec, JSON.stringify(c.spec));
      const r = spawnSync(process.execPath, ['bin/basinlab.js', 'sweep', spec, '--engine', 'cpu', '--quiet', '--workers', '0'], { encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 26 });
      expect(r.status, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as Record<string, unknown>;
      for (const col of c.columns) {
        const got = ((doc[col.name] as (number | null)[] | undefined) ?? []).map((v) => (v === null ? Number.NaN : v));
        expectSame(got, expected(c, col, 'json'), `${c.name} stdout ${col.name}`);
      }
    }
  });
});

describe('the README', () => {
  const readme = readFileSync('README.md', 'utf8');

  it("holds the table of per-run columns generated from their definitions (npx tsx scripts/readme-columns.ts)", () => {
    expect(withColumnsTable(readme) === readme, 'README.md is out of date: run npx tsx scripts/readme-columns.ts').toBe(true);
    for (const d of allColumns('f64')) expect(readme).toContain(d.doc);
  });

  it('documents every column, every file metadata key and every key of the JSON document', () => {
    const precision: Precision = 'f32';
    const documents = (name: string): boolean => readme.includes(`\`${name}\``);
    for (const d of allColumns(precision)) expect(documents(d.name), `README documents column ${d.name}`).toBe(true);
    for (const key of Object.values(META)) expect(documents(key), `README documents metadata key ${key}`).toBe(true);
    const head = { spec: {}, engine: 'cpu' as const, meta: {}, shard: { k: 0, n: 1, firstRun: 0, runs: 1 }, width: 1, height: 1, params: [], xValues: new Float64Array(0), yValues: new Float64Array(0), problem: { problem: 'surface' as const, radius: 1, bound: 1, minima: [] } };
    const text = jsonLayout(head, ['p'], []).filter((p): p is string => typeof p === 'string').join('');
    // Top-level keys start a line; `points` holds a key per swept path (here `p`).
    const keys = [...text.matchAll(/^"(\w+)":/gm)].map((m) => m[1] as string);
    expect(keys).toContain('shard');
    expect(keys).toContain('points');
    for (const k of [...keys, ...Object.keys(head.shard)]) expect(documents(k), `README documents JSON key ${k}`).toBe(true);
    // Every key of a trajectory path, optional ones included.
    const f = new Float32Array(2);
    const path = trajectoryJSON({ run: 0, every: 1, steps: new Int32Array(2), x: f, y: f, loss: f, lr: f, momentum: f, gradAt: { x: f, y: f }, diverged: false, divergedAt: null }, {});
    for (const k of Object.keys(path)) expect(documents(`paths[].${k}`) || readme.includes(`\`paths[].${k}\`,`), `README documents trajectory key ${k}`).toBe(true);
  });
});
