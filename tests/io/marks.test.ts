/**
 * What a result file says about where its values came from, in every format that can hold it, and
 * what merge does with it (review 18): the float32 mark of a run accepted with --accept-float32
 * (`basinlab.float32_merged`, the JSON document's `meta.float32_merged`), the basinlab version
 * (`basinlab.version`, the JSON document's `version`), and the spelling of infinities in CSV.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { csvBlocks } from '../../src/core/encode.ts';
import type { Plan } from '../../src/core/plan.ts';
import type { Results } from '../../src/core/results.ts';
import { columnOf, precisionOf, resultColumns, writeResultsJSON } from '../../src/core/results.ts';
import { mergeShards } from '../../src/io/merge.ts';
import { openResults, readResults } from '../../src/io/read.ts';
import { shardRange } from '../../src/io/shards.ts';
import { sinkFor, sinkMeta } from '../../src/io/sinks.ts';
import { GRID_SPEC, readArrow, readParquetDuckDB, runSweep, writeChunked } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'basinlab-marks-'));

interface Sweep {
  readonly plan: Plan;
  readonly res: Results;
}
let grid: Sweep;

beforeAll(async () => {
  grid = await runSweep(GRID_SPEC, 'cpu');
});

/** Writes `path` (the whole sweep, or shard k of n), marked as float32-merged along `mark` when given. */
async function write(path: string, opts: { mark?: string; shard?: [number, number] } = {}): Promise<string> {
  const r = opts.shard ? shardRange(grid.plan.runs, grid.plan.width, opts.shard[0], opts.shard[1]) : undefined;
  await writeChunked(sinkFor(path, { rowGroupRows: 16 }), sinkMeta(grid.plan, grid.res.engine, r, { float32Merged: opts.mark ?? null }), grid.res, [9]);
  return path;
}

const jsonDoc = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

describe('the float32 mark', () => {
  it('is recorded by Parquet and Arrow as basinlab.float32_merged and by JSON in meta, and by none of them without one', async () => {
    const parquet = await readParquetDuckDB(await write(join(dir, 'f32.parquet'), { mark: 'sweep.x' }));
    expect(parquet.kv['basinlab.float32_merged']).toBe('sweep.x');
    expect(readArrow(await write(join(dir, 'f32.arrow'), { mark: 'sweep.x' })).schema.metadata.get('basinlab.float32_merged')).toBe('sweep.x');
    const doc = jsonDoc(await write(join(dir, 'f32.json'), { mark: 'sweep.x' }));
    expect(doc.meta).toEqual({ ...grid.res.meta, float32_merged: 'sweep.x' });
    // Read back as file metadata, as merge reads it, from every format.
    for (const ext of ['parquet', 'arrow', 'json']) {
      const f = await openResults(join(dir, `f32.${ext}`));
      expect(f.metadata.get('basinlab.float32_merged'), ext).toBe('sweep.x');
      await f.close();
    }
    expect((await readParquetDuckDB(await write(join(dir, 'plain.parquet')))).kv).not.toHaveProperty('basinlab.float32_merged');
    expect(readArrow(await write(join(dir, 'plain.arrow'))).schema.metadata.has('basinlab.float32_merged')).toBe(false);
    expect(jsonDoc(await write(join(dir, 'plain.json'))).meta).not.toHaveProperty('float32_merged');
  });

  it('is carried over by merge into every format, from shards of mixed formats', async () => {
    const shards = [
      await write(join(dir, 'm-0.json'), { mark: 'sweep.x, sweep.y', shard: [0, 3] }),
      await write(join(dir, 'm-1.parquet'), { mark: 'sweep.x, sweep.y', shard: [1, 3] }),
      await write(join(dir, 'm-2.arrow'), { mark: 'sweep.x, sweep.y', shard: [2, 3] }),
    ];
    await mergeShards(join(dir, 'm.parquet'), shards);
    await mergeShards(join(dir, 'm.arrow'), shards);
    await mergeShards(join(dir, 'm.json'), shards);
    const whole = await readParquetDuckDB(await write(join(dir, 'm-whole.parquet'), { mark: 'sweep.x, sweep.y' }));
    expect((await readParquetDuckDB(join(dir, 'm.parquet'))).kv).toEqual(whole.kv);
    expect(readArrow(join(dir, 'm.arrow')).schema.metadata.get('basinlab.float32_merged')).toBe('sweep.x, sweep.y');
    expect(jsonDoc(join(dir, 'm.json')).meta).toEqual({ merged_from: 3, float32_merged: 'sweep.x, sweep.y' });
  });

  it('merge refuses shards that disagree on it, naming the files on each side', async () => {
    const a = await write(join(dir, 'd-0.parquet'), { mark: 'sweep.x', shard: [0, 2] });
    const b = await write(join(dir, 'd-1.json'), { shard: [1, 2] });
    const out = join(dir, 'd-out.parquet');
    await expect(mergeShards(out, [a, b])).rejects.toThrow(
      /^cannot merge shards that disagree on basinlab\.float32_merged \(the sweep dimensions float32 merged\): .*d-0\.parquet \("sweep\.x"\) vs .*d-1\.json \(none\); rerun the shards that differ$/,
    );
    await expect(openResults(out)).rejects.toThrow(/no such file/);
  });
});

describe('the basinlab version', () => {
  it("is the JSON document's `version`, after `engine`, in the sinks' files and in writeResultsJSON's document alike", async () => {
    const doc = jsonDoc(await write(join(dir, 'v.json')));
    expect(doc.version).toBe(pkg.version);
    expect(Object.keys(doc).slice(0, 4)).toEqual(['spec', 'engine', 'version', 'meta']);
    let text = '';
    writeResultsJSON(grid.res, grid.plan, (c) => {
      text += c;
    });
    expect((JSON.parse(text) as Record<string, unknown>).version).toBe(pkg.version);
    expect((await readParquetDuckDB(await write(join(dir, 'v.parquet')))).kv['basinlab.version']).toBe(pkg.version);
  });

  it('merge refuses a JSON shard that records none: it is not a match for any version', async () => {
    const a = await write(join(dir, 'nv-0.parquet'), { shard: [0, 2] });
    const b = await write(join(dir, 'nv-1.json'), { shard: [1, 2] });
    const doc = jsonDoc(b);
    delete doc.version;
    writeFileSync(b, JSON.stringify(doc));
    await expect(mergeShards(join(dir, 'nv-out.parquet'), [a, b])).rejects.toThrow(
      new RegExp(`^cannot merge: .*nv-1\\.json records no basinlab version \\(basinlab\\.version; a JSON document's \`version\`\\): written by an older basinlab, or altered, so which basinlab wrote it cannot be told; rerun that shard with this basinlab \\(${pkg.version.replaceAll('.', '\\.')}\\)$`),
    );
  });

  it('merge refuses shards of another version, one or all of them, naming the files and the versions: OUT would relabel them', async () => {
    // The checksum does not cover the version: the edited shards are otherwise sound.
    const shards = [0, 1].map((k) => join(dir, `ov-${k}.json`));
    for (const [k, p] of shards.entries()) {
      await write(p, { shard: [k, 2] });
      writeFileSync(p, JSON.stringify({ ...jsonDoc(p), version: '9.9.9' }));
    }
    const [a, b] = shards as [string, string];
    const own = await write(join(dir, 'ov-own-0.parquet'), { shard: [0, 2] });
    const v = pkg.version.replaceAll('.', '\\.');
    await expect(mergeShards(join(dir, 'ov-out.json'), [own, b])).rejects.toThrow(
      new RegExp(`^cannot merge shards of another basinlab version: .*ov-1\\.json was written by basinlab 9\\.9\\.9, and this is basinlab ${v}, which OUT would record; merge with the version that wrote them, or rerun them with this one$`),
    );
    await expect(mergeShards(join(dir, 'ov-out.json'), [a, b])).rejects.toThrow(/: .*ov-0\.json, .*ov-1\.json were written by basinlab 9\.9\.9, and this is basinlab /);
    // Restored to this version, the same shards merge.
    for (const p of shards) writeFileSync(p, JSON.stringify({ ...jsonDoc(p), version: pkg.version }));
    await expect(mergeShards(join(dir, 'ov-out.json'), [a, b])).resolves.toMatchObject({ files: 2 });
  });
});

describe('CSV infinities', () => {
  it('are written inf and -inf (NaN stays NaN, -0 stays -0): text pandas, polars, numpy and DuckDB all read as numbers', () => {
    const defs = resultColumns(grid.plan.spec, precisionOf('cpu'));
    const finalX = new Float32Array(grid.res.final_x);
    finalX.set([Infinity, -Infinity, Number.NaN, -0, 1.5], 0);
    const cols = { ...grid.res, final_x: finalX };
    const text = [...csvBlocks(grid.plan, defs, cols, 0, 0, 5)].join('');
    const field = defs.findIndex((d) => d.name === 'final_x') + 3 + grid.plan.dims.length;
    expect(text.split('\n').slice(0, 5).map((l) => l.split(',')[field])).toEqual(['inf', '-inf', 'NaN', '-0', '1.5']);
    expect(text).not.toMatch(/Infinity/);
  });

  it('read back by readResults as the infinities they were', async () => {
    const path = await write(join(dir, 'inf.csv'));
    const text = readFileSync(path, 'utf8');
    expect(text).toMatch(/(^|,)-?inf(,|$)/m);
    expect(text).not.toMatch(/Infinity/);
    const t = await readResults(path, { precision: 'f32' });
    const back = Array.from(columnOf(t.cols, 'final_x') ?? []);
    expect(back.some((x) => x === Infinity || x === -Infinity)).toBe(true);
    expect(back).toEqual(Array.from(grid.res.final_x));
  });
});
