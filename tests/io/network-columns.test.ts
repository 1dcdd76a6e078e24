/**
 * No network column is ever lost: the network columns (NET_BASE_COLUMNS, and every group of
 * NET_OPTIONAL_COLUMNS: a classification data set's accuracies, SWA's losses, both together) are
 * run on the CPU engines, written through every format's sink, read back (src/io/read.ts, and
 * independently: DuckDB for Parquet and CSV, apache-arrow for Arrow, JSON.parse for JSON) and
 * compared value for value with the in-memory result; the same sweeps are run as shards, merged
 * into every format and compared with the unsharded result; the CLI's stdout JSON carries them, and
 * every output says what it says of a network (`network`, `basinlab.network`) instead of a
 * surface's minima, radius and bound. A worker-pool run (Iris, loaded in the workers) gives the
 * same values as the in-process run. The surface columns go through the same checks in
 * tests/io/columns.test.ts.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NetPlan } from '../../src/core/network/plan.ts';
import { jsonLayout } from '../../src/core/encode.ts';
import { makeNetPlan, prepareSpec } from '../../src/core/network/plan.ts';
import type { NetResults } from '../../src/core/results.ts';
import { NET_OPTIONAL_COLUMNS, allColumns, columnOf, resultColumns } from '../../src/core/results.ts';
import { parseNetSpec } from '../../src/core/spec.ts';
import { netTrajectoryFields } from '../../src/core/trajectory.ts';
import { NET_VALIDATION_THRESHOLDS } from '../../src/core/validate.ts';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';
import { nodeWorkerSpawner } from '../../src/engine/cpu/spawn-node.ts';
import { META } from '../../src/io/format.ts';
import { mergeShards } from '../../src/io/merge.ts';
import { openResults, readResults } from '../../src/io/read.ts';
import { shardRange } from '../../src/io/shards.ts';
import { sinkFor, sinkMeta, writeColumnsFile } from '../../src/io/sinks.ts';
import { GRID_SPEC, runSweep } from './helpers.ts';
import type { RoundTripCase } from './roundtrip.ts';
import { FORMATS, SHARD_FORMATS, checkArrow, checkCliStdout, checkCsvDuckDB, checkJson, checkParquetDuckDB, expectSame, filePath, mergedPath, runCase, runShard, shardAndMerge, writeAndReadBack } from './roundtrip.ts';

const dir = mkdtempSync(join(tmpdir(), 'basinlab-net-columns-'));

/**
 * Tiny networks, few steps: a regression set and a classification set, each swept over LRs up to
 * divergence (non-finite losses and NaN sharpness are compared too) and minibatch sizes.
 */
const DATA = {
  regression: {
    network: { hidden: [3] },
    data: { name: 'regression', train: 40, test: 12 },
    optimizer: { name: 'SGD', lr: 0.01, momentum: 0.5 },
    steps: 24,
    outcome: { check_every: 4 },
  },
  classification: {
    network: { hidden: [4], activation: 'relu' },
    data: { name: 'spiral', train: 40, test: 20, noise: 0.1 },
    optimizer: { name: 'SGD', lr: 0.1, momentum: 0.9 },
    steps: 24,
    outcome: { check_every: 4 },
  },
} as const;

const SWA = { swa: { start: 8, every: 2 } };

const SWEEPS = {
  grid: { x: { param: 'optimizer.lr', min: 1e-3, max: 30, count: 5, scale: 'log' }, y: { param: 'network.batch_size', min: 2, max: 16, count: 3 } },
  sobol: {
    kind: 'sobol',
    count: 12,
    seed: 5,
    dims: [
      { param: 'optimizer.lr', min: 1e-3, max: 30, scale: 'log' },
      { param: 'network.batch_size', min: 1, max: 16 },
    ],
  },
} as const;

const SHAPES = [
  { sweep: 'grid', engine: 'cpu' },
  { sweep: 'sobol', engine: 'cpu' },
  { sweep: 'grid', engine: 'cpu64' },
] as const;

type Case = RoundTripCase<NetPlan, NetResults>;

const cases: Case[] = [];

/** Rows per Parquet row group of a shard: several groups even in the smallest shard. */
const SHARD_ROW_GROUP = 2;

async function netPlan(spec: unknown): Promise<NetPlan> {
  const s = parseNetSpec(spec);
  await prepareSpec(s);
  return makeNetPlan(s);
}

beforeAll(async () => {
  for (const shape of SHAPES) {
    for (const [kind, base] of Object.entries(DATA)) {
      for (const swa of [false, true]) {
        const spec: Record<string, unknown> = { ...base, ...(swa ? SWA : {}), sweep: SWEEPS[shape.sweep] };
        cases.push(await runCase(`net ${kind} ${shape.sweep} ${shape.engine}${swa ? ' swa' : ''}`, spec, shape.engine, await netPlan(spec)));
      }
    }
  }
}, 300_000);

/** What a network file records of its network, in place of a surface's minima, radius and bound. */
const networkInfo = (c: Case): Record<string, unknown> => ({ params: c.plan.layout.params, train: c.plan.data.train.n, test: c.plan.data.test.n, loss: c.plan.loss });

describe('the network columns', () => {
  it('the cases cover every network column, with values that tell a dropped or shifted column apart, and runs that diverge', () => {
    const covered = new Set(cases.flatMap((c) => c.columns.map((d) => d.name)));
    for (const d of allColumns('f32', 'network')) expect(covered.has(d.name), d.name).toBe(true);
    for (const c of cases) {
      const engineColumns = Object.keys(c.res).filter((k) => allColumns('f32', 'network').some((d) => d.name === k));
      expect(engineColumns, c.name).toEqual(c.columns.map((d) => d.name));
      for (const d of c.columns.filter((x) => x.kind === 'float' && x.name !== 'initial_loss')) {
        expect(new Set(Array.from(columnOf(c.res, d.name) ?? [])).size, `${c.name} ${d.name} is varied`).toBeGreaterThan(2);
      }
    }
    // Some runs diverge (their sharpness is NaN, their losses may be infinite), some do not.
    for (const c of cases) expect(c.res.diverged.includes(1) && c.res.diverged.includes(0), `${c.name} has both outcomes`).toBe(true);
    expect(cases.some((c) => Array.from(c.res.sharpness).some((x) => Number.isNaN(x)))).toBe(true);
  });

  it('a classification set adds the accuracies, SWA its losses (and accuracy), after the base columns', () => {
    const names = (c: Case): string[] => c.columns.map((d) => d.name);
    const group = (f: string): string[] => (NET_OPTIONAL_COLUMNS.find((g) => g.feature === f)?.columns ?? []).map((d) => d.name);
    const base = allColumns('f64', 'network').filter((d) => d.feature === null).map((d) => d.name);
    const one = (kind: string, swa: boolean): Case => cases.find((c) => c.name === `net ${kind} grid cpu${swa ? ' swa' : ''}`) as Case;
    expect(names(one('regression', false))).toEqual(base);
    expect(names(one('regression', true))).toEqual([...base, ...group('swa')]);
    expect(names(one('classification', false))).toEqual([...base, ...group('classification')]);
    expect(names(one('classification', true))).toEqual([...base, ...group('classification'), ...group('swa'), ...group('swa_classification')]);
  });
});

describe('every network column through every format', () => {
  it('is written by the sink and read back by read.ts, value for value', async () => {
    for (const c of cases) for (const format of FORMATS) await writeAndReadBack(dir, c, format, { rowGroupRows: 4, chunks: [5, 1, 7, 3] });
  });

  it('Parquet, read by DuckDB: every column with its type and exact values; basinlab.network instead of minima, radius and bound', async () => {
    for (const c of cases) {
      const d = await checkParquetDuckDB(dir, c);
      expect(JSON.parse(d.kv[META.network] ?? 'null'), c.name).toEqual(networkInfo(c));
      for (const k of [META.minima, META.radius, META.bound]) expect(d.kv[k], `${c.name} ${k}`).toBeUndefined();
    }
  });

  it('CSV, read by DuckDB: numeric columns, exact values, NaN and ±Infinity included', async () => {
    for (const c of cases) await checkCsvDuckDB(dir, c);
  });

  it('Arrow, read by apache-arrow: every column with its type and exact values, and the network metadata', () => {
    for (const c of cases) {
      const t = checkArrow(dir, c);
      expect(JSON.parse(t.schema.metadata.get(META.network) ?? 'null').params, c.name).toBe(c.plan.layout.params);
      expect(t.schema.metadata.has(META.minima), c.name).toBe(false);
    }
  });

  it('JSON, parsed as plain JSON: the network document (its keys in order), one array per column, null where not finite', () => {
    for (const c of cases) {
      const doc = checkJson(dir, c);
      const points = c.plan.mode === 'list' ? ['points'] : [];
      expect(Object.keys(doc), c.name).toEqual(['spec', 'engine', 'version', 'meta', 'checksum', 'width', 'height', 'params', 'xValues', 'yValues', ...points, 'network', ...c.columns.map((d) => d.name)]);
      expect(doc.network, c.name).toEqual(networkInfo(c));
    }
  });
});

describe('network shards and merge', () => {
  it('each shard holds its runs of every column; merged into every format they equal the unsharded result', async () => {
    for (const c of cases) {
      for (const shardFormat of SHARD_FORMATS) {
        await shardAndMerge(dir, c, shardFormat, { shard: SHARD_ROW_GROUP, merge: 4 });
        // The merged Parquet file records what the unsharded one does (its checksum included).
        const whole = await openResults(filePath(dir, c, 'parquet'));
        const merged = await openResults(mergedPath(dir, c, shardFormat, 'parquet'));
        for (const k of [META.spec, META.engine, META.width, META.height, META.network, META.checksum]) expect(merged.metadata.get(k), `${c.name} ${k}`).toBe(whole.metadata.get(k));
        await whole.close();
        await merged.close();
      }
    }
  });

  it('refuses shards of a surface sweep and a network sweep together, naming the files', async () => {
    const c = cases.find((x) => x.name === 'net regression grid cpu') as Case;
    const paths = [0, 1, 2].map((k) => join(dir, `mixed-${k}.parquet`));
    for (const [k, p] of paths.entries()) await runShard(c, k, p, SHARD_ROW_GROUP);
    const surface = join(dir, 'surface-shard.parquet');
    const s = await runSweep(GRID_SPEC, 'cpu');
    await writeColumnsFile(surface, sinkMeta(s.plan, 'cpu', shardRange(s.plan.runs, s.plan.width, 1, 3)), s.res);
    await expect(mergeShards(join(dir, 'mixed.parquet'), [paths[0] as string, surface, paths[2] as string])).rejects.toThrow(/cannot merge shards of different specs: .*mixed-0\.parquet.*surface-shard\.parquet/);
  });
});

describe('a worker pool', () => {
  it('trains Iris (the packaged data loaded in each worker) to the same values as the in-process engine', async () => {
    const spec = {
      network: { hidden: [5], activation: 'tanh', batch_size: 8 },
      data: 'iris',
      optimizer: { name: 'Adam', lr: 0.01 },
      steps: 20,
      swa: { start: 10 },
      sweep: { kind: 'random', count: 9, seed: 2, dims: [{ param: 'optimizer.lr', min: 1e-3, max: 0.3, scale: 'log' }] },
    };
    const plan = await netPlan(spec);
    const inProcess = new CpuEngine('cpu', { workers: 0, spawn: null });
    // inProcessBelow 0: the pool is used however small the sweep.
    const pooled = new CpuEngine('cpu', { workers: 2, spawn: nodeWorkerSpawner(), inProcessBelow: 0 });
    try {
      const a = await inProcess.run(plan);
      const b = await pooled.run(plan);
      expect(b.meta.workers).toBe(2);
      const columns = resultColumns(plan.spec, 'f32');
      expect(columns.map((d) => d.name)).toContain('swa_test_accuracy');
      for (const d of columns) expectSame(Array.from(columnOf(b, d.name) ?? []), Array.from(columnOf(a, d.name) ?? [], Number), `iris pooled ${d.name}`);
      // A pooled sweep streamed into a file, as `sweep --out` does.
      const path = join(dir, 'iris-pooled.arrow');
      const sink = sinkFor(path);
      await sink.open(sinkMeta(plan, 'cpu'));
      const r = await pooled.run(plan, { keepResults: false, onChunk: (begin, cols, n) => sink.write(begin, cols, n) });
      await sink.close({ meta: r.meta });
      const t = await readResults(path);
      for (const d of columns) expectSame(columnOf(t.cols, d.name) ?? [], Array.from(columnOf(a, d.name) ?? [], Number), `iris pooled file ${d.name}`);
    } finally {
      await inProcess.dispose();
      await pooled.dispose();
    }
  }, 120_000);
});

describe('the CLI', () => {
  it('sweep without --out writes every network column to stdout (not a terminal) as the JSON document', () => {
    for (const c of cases.filter((x) => x.engine === 'cpu')) expect(checkCliStdout(dir, c).network, c.name).toBeDefined();
  });
});

describe('the README', () => {
  const readme = readFileSync('README.md', 'utf8');
  const documents = (name: string): boolean => readme.includes(`\`${name}\``);

  it('documents every key of a network document, of its file metadata and of a network path', () => {
    const head = {
      spec: {},
      engine: 'cpu' as const,
      version: '0.1.0',
      meta: {},
      shard: { k: 0, n: 1, firstRun: 0, runs: 1 },
      width: 1,
      height: 1,
      params: [],
      xValues: new Float64Array(0),
      yValues: new Float64Array(0),
      problem: { problem: 'network' as const, network: { params: 1, train: 1, test: 1, loss: 'mse' } },
    };
    const text = jsonLayout(head, ['p'], []).filter((p): p is string => typeof p === 'string').join('');
    const keys = [...text.matchAll(/^"(\w+)":/gm)].map((m) => m[1] as string);
    expect(keys).toContain('network');
    for (const k of keys) expect(documents(k), `README documents JSON key ${k}`).toBe(true);
    expect(documents(META.network)).toBe(true);
    for (const d of allColumns('f64', 'network')) expect(documents(d.name), `README documents column ${d.name}`).toBe(true);
    const f = new Float32Array(1);
    // Two param groups: every key, group_lr included.
    const path = netTrajectoryFields({ run: 0, every: 1, steps: new Int32Array(1), trainLoss: f, testLoss: f, lr: f, groupLr: [f, f], gradNorm: f, paramNorm: f, diverged: false, divergedAt: null }, {}, [0, 1]);
    expect(path.map(([k]) => k)).toContain('group_lr');
    for (const [k] of path) expect(documents(`paths[].${k}`) || readme.includes(`\`paths[].${k}\`,`), `README documents network path key ${k}`).toBe(true);
  });

  it('documents every key of the network validate report', () => {
    for (const k of ['divergedA', 'divergedB', 'sameDivergence', 'boundaryRuns', 'sameDivergenceOffBoundary', 'trainLoss', 'testLoss', 'accuracy', 'illConditionedRuns', 'conditioned', 'mismatches', 'worst']) {
      expect(readme.includes(`\`pairs[].${k}\``), `README documents pairs[].${k}`).toBe(true);
    }
    for (const k of Object.keys(NET_VALIDATION_THRESHOLDS)) expect(documents(k), `README documents threshold ${k}`).toBe(true);
    expect(documents('perturbation')).toBe(true);
  });
});
