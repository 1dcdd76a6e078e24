/**
 * No column is ever lost: every optional feature that adds result columns (the derived list,
 * OPTIONAL_COLUMNS, so a new one is covered as soon as it exists) is run on the cpu engine, written
 * through every format's sink, read back (src/io/read.ts, and independently: DuckDB for Parquet and
 * CSV, apache-arrow for Arrow, JSON.parse for JSON) and compared value for value with the in-memory
 * result; the same sweeps are run as shards (the engine's run ranges streamed into a sink, as
 * `sweep --shard` does), merged into every format and compared with the unsharded result; and the
 * CLI's stdout JSON is checked to carry the columns too.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { jsonLayout } from '../../src/core/encode.ts';
import { trajectoryJSON } from '../../src/core/trajectory.ts';
import { withColumnsTable } from '../../scripts/readme-columns.ts';
import type { Plan } from '../../src/core/plan.ts';
import { makePlan } from '../../src/core/plan.ts';
import type { OptionalFeature, Precision, Results } from '../../src/core/results.ts';
import { OPTIONAL_COLUMNS, allColumns, columnOf } from '../../src/core/results.ts';
import { parseSpec } from '../../src/core/spec.ts';
import { META } from '../../src/io/format.ts';
import { mergeShards } from '../../src/io/merge.ts';
import { GRID_SPEC, SOBOL_SPEC } from './helpers.ts';
import type { RoundTripCase } from './roundtrip.ts';
import { FORMATS, SHARD_FORMATS, checkArrow, checkCliStdout, checkCsvDuckDB, checkJson, checkParquetDuckDB, runCase, runShard, shardAndMerge, writeAndReadBack } from './roundtrip.ts';

const dir = mkdtempSync(join(tmpdir(), 'basinlab-columns-'));

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

interface Case extends RoundTripCase<Plan, Results> {
  readonly features: readonly OptionalFeature[];
}

/** No optional feature, each one alone, and all together (when there are several). */
const featureSets: SurfaceFeature[][] = [[], ...FEATURES.map((f) => [f]), ...(FEATURES.length > 1 ? [[...FEATURES]] : [])];

const cases: Case[] = [];

/** Rows per Parquet row group of a shard: several groups per shard. */
const SHARD_ROW_GROUP = 8;

beforeAll(async () => {
  for (const shape of SHAPES) {
    for (const features of featureSets) {
      const spec = Object.assign({}, shape.spec, ...features.map((f) => ENABLE[f])) as Record<string, unknown>;
      const name = `${shape.name} ${shape.engine} [${features.join('+') || 'base'}]`;
      cases.push({ ...(await runCase(name, spec, shape.engine, makePlan(parseSpec(spec)))), features });
    }
  }
});

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
    for (const c of cases) for (const format of FORMATS) await writeAndReadBack(dir, c, format, { rowGroupRows: 16, chunks: [7, 1, 20, 13] });
  });

  it('Parquet, read by DuckDB: every column, with its type and exact values', async () => {
    for (const c of cases) await checkParquetDuckDB(dir, c);
  });

  it('CSV, read by DuckDB: numeric columns (not text), exact values, NaN and ±Infinity included', async () => {
    for (const c of cases) await checkCsvDuckDB(dir, c);
  });

  it('Arrow, read by apache-arrow: every column, with its type and exact values', () => {
    for (const c of cases) checkArrow(dir, c);
  });

  it('JSON, parsed as plain JSON: one array per column, null where not finite', () => {
    for (const c of cases) checkJson(dir, c);
  });
});

describe('shards and merge', () => {
  it('each shard holds its runs of every column; merged into every format they equal the unsharded result', async () => {
    for (const c of cases) for (const shardFormat of SHARD_FORMATS) await shardAndMerge(dir, c, shardFormat, { shard: SHARD_ROW_GROUP, merge: 16 });
  });

  it('refuses shards whose columns differ, naming the files and the columns', async () => {
    const c = cases.find((x) => x.features.length > 0 && x.name.startsWith('sobol'));
    if (!c) throw new Error('no case with an optional feature');
    const optional = c.columns.filter((d) => d.feature !== null).map((d) => d.name);
    const paths = [0, 1, 2].map((k) => join(dir, `differ-${k}.json`));
    for (const [k, p] of paths.entries()) await runShard(c, k, p, SHARD_ROW_GROUP);
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
    for (const c of cases.filter((x) => x.engine === 'cpu')) checkCliStdout(dir, c);
  });
});

describe('the README', () => {
  const readme = readFileSync('README.md', 'utf8');

  it("holds the table of per-run columns generated from their definitions (npx tsx scripts/readme-columns.ts)", () => {
    expect(withColumnsTable(readme) === readme, 'README.md is out of date: run npx tsx scripts/readme-columns.ts').toBe(true);
    for (const d of allColumns('f64')) expect(readme).toContain(d.doc.replaceAll('|', '\\|'));
  });

  it('documents every column, every file metadata key and every key of the JSON document', () => {
    const precision: Precision = 'f32';
    const documents = (name: string): boolean => readme.includes(`\`${name}\``);
    for (const d of allColumns(precision)) expect(documents(d.name), `README documents column ${d.name}`).toBe(true);
    for (const key of Object.values(META)) expect(documents(key), `README documents metadata key ${key}`).toBe(true);
    const head = { spec: {}, engine: 'cpu' as const, version: '0.1.0', meta: {}, shard: { k: 0, n: 1, firstRun: 0, runs: 1 }, width: 1, height: 1, params: [], xValues: new Float64Array(0), yValues: new Float64Array(0), problem: { problem: 'surface' as const, radius: 1, bound: 1, minima: [] } };
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
