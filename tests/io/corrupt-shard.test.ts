/**
 * A corrupted shard is refused by `basinlab merge`, naming it, and nothing is written: one result
 * value changed in each format (a flipped mantissa bit in Parquet and Arrow, a changed digit in
 * JSON: the file still reads, only the checksum tells), 64 bytes flipped at random (the reported
 * incident: exit 0 and 17 runs moved), two shards' run ranges swapped, a checksum removed. An
 * intact set still merges, into a file whose checksum is the unsharded run's.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/plan.ts';
import type { Results } from '../../src/core/results.ts';
import { columnOf } from '../../src/core/results.ts';
import { openResults } from '../../src/io/read.ts';
import { shardRange } from '../../src/io/shards.ts';
import { sinkMeta, writeColumnsFile } from '../../src/io/sinks.ts';
import { GRID_SPEC, runSweep } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'basinlab-corrupt-'));
const FORMATS = ['parquet', 'arrow', 'json'] as const;
type Format = (typeof FORMATS)[number];
const N = 3;
const shardPath = (f: Format, k: number): string => join(dir, `shard-${k}.${f}`);

let plan: Plan;
let res: Results;

beforeAll(async () => {
  ({ plan, res } = await runSweep(GRID_SPEC, 'cpu'));
  for (const f of FORMATS) {
    for (let k = 0; k < N; k++) await writeColumnsFile(shardPath(f, k), sinkMeta(plan, res.engine, shardRange(plan.runs, plan.width, k, N)), res, { rowGroupRows: 16 });
    await writeColumnsFile(join(dir, `whole.${f}`), sinkMeta(plan, res.engine), res);
  }
});

function merge(out: string, shards: string[]): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/basinlab.js', 'merge', out, ...shards], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stderr: r.stderr };
}

/** Merges shard 0, `bad` (in place of shard 1) and shard 2, expecting a refusal naming `bad`. */
function expectRefused(f: Format, bad: string, why: RegExp): void {
  const out = join(dir, `merged-${bad.replace(/\W+/g, '-').slice(-40)}.parquet`);
  const r = merge(out, [shardPath(f, 0), bad, shardPath(f, 2)]);
  expect(r.code, r.stderr).toBe(2);
  // Its own lines (not merge's progress): exactly the refusal.
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('basinlab:'));
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toContain(bad);
  expect(lines[0]).toMatch(why);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(existsSync(out)).toBe(false);
  expect(readdirSync(dir).filter((n) => n.includes('.partial-'))).toEqual([]);
}

function occurrences(hay: Buffer, needle: Buffer): number[] {
  const at: number[] = [];
  for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + 1)) at.push(i);
  return at;
}

/**
 * Shard 1 with one `loss` value changed: for Parquet and Arrow, a mantissa bit of a float32 whose
 * four bytes occur once in the file (a snappy literal, or Arrow's plain buffer); for JSON, the first
 * significant digit of a value in the loss array. The file still reads without error.
 */
function changeOneValue(f: Format): { path: string; run: number } {
  const src = readFileSync(shardPath(f, 1));
  const first = shardRange(plan.runs, plan.width, 1, N).firstRun;
  const path = join(dir, `one-value.${f}`);
  if (f === 'json') {
    const text = src.toString('utf8');
    const start = text.indexOf('"loss":[') + '"loss":['.length;
    const values = text.slice(start, text.indexOf(']', start)).split(',');
    const row = values.findIndex((v) => /[1-9]/.test(v));
    const v = values[row] as string;
    const digit = /[1-9]/.exec(v) as RegExpExecArray;
    values[row] = `${v.slice(0, digit.index)}${digit[0] === '9' ? '1' : String(Number(digit[0]) + 1)}${v.slice(digit.index + 1)}`;
    writeFileSync(path, text.slice(0, start) + values.join(',') + text.slice(text.indexOf(']', start)));
    return { path, run: first + row };
  }
  for (let r = 0; r < 26; r++) {
    const bytes = Buffer.from(new Float32Array([res.loss[first + r] as number]).buffer);
    const at = occurrences(src, bytes);
    if (at.length !== 1) continue;
    const copy = Buffer.from(src);
    copy[(at[0] as number) + 1] = (copy[(at[0] as number) + 1] as number) ^ 0x10;
    writeFileSync(path, copy);
    return { path, run: first + r };
  }
  throw new Error(`no loss value of shard 1 occurs exactly once in ${shardPath(f, 1)}`);
}

/** A small deterministic generator (mulberry32) for the flipped positions. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('merge refuses a corrupted shard, naming it, and writes nothing', () => {
  for (const f of FORMATS) {
    it(`${f}: an intact set merges, into the unsharded run's checksum`, async () => {
      const out = join(dir, `intact-from-${f}.arrow`);
      const r = merge(out, [2, 0, 1].map((k) => shardPath(f, k)));
      expect(r.code, r.stderr).toBe(0);
      const merged = await openResults(out);
      const whole = await openResults(join(dir, `whole.${f}`));
      expect(merged.checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(merged.checksum).toBe(whole.checksum);
      await merged.close();
      await whole.close();
    });

    it(`${f}: one result value changed (the file still reads)`, async () => {
      const { path, run } = changeOneValue(f);
      // The damage is real and silent to the reader: the value read back differs, nothing throws
      // until the checksum is compared after the last row.
      const file = await openResults(path);
      const seen: number[] = [];
      await expect(
        (async () => {
          for await (const c of file.chunks()) for (let r = 0; r < c.n; r++) seen[c.begin + r] = columnOf(c.cols, 'loss')?.[r] as number;
        })(),
      ).rejects.toThrow(/does not match the checksum/);
      await file.close();
      expect(seen[run]).not.toBe(Math.fround(res.loss[run] as number));
      expectRefused(f, path, /does not match the checksum it records \(basinlab\.checksum\).*rerun shard 1\/3/);
    });

    it(`${f}: 64 bytes flipped at random`, () => {
      const src = readFileSync(shardPath(f, 1));
      const copy = Buffer.from(src);
      const next = rng(64);
      // Not the leading and trailing magic numbers: those only make the file unrecognisable.
      for (let i = 0; i < 64; i++) {
        const at = 8 + Math.floor(next() * (copy.length - 16));
        copy[at] = (copy[at] as number) ^ (1 + Math.floor(next() * 255));
      }
      const path = join(dir, `flipped.${f}`);
      writeFileSync(path, copy);
      expectRefused(f, path, /./);
    });
  }

  // Walkthrough 23: the reason given was the reader library's TypeError ("Cannot read properties of
  // null (reading 'fieldsLength')"); it must say what is wrong with the file.
  it('arrow: a shard cut in half is "truncated, or not an Arrow IPC file", with no JavaScript error text', () => {
    const src = readFileSync(shardPath('arrow', 1));
    const path = join(dir, 'half.arrow');
    writeFileSync(path, src.subarray(0, src.length >> 1));
    expectRefused('arrow', path, /: cannot read it: truncated, or not an Arrow IPC file$/);
  });

  it('parquet: garbage between the magic numbers is "truncated, or not a Parquet file", with no JavaScript error text', () => {
    // PAR1, bytes that are no Thrift metadata, the metadata's length, PAR1: the reader's shape of a file.
    const len = Buffer.alloc(4);
    len.writeUInt32LE(64);
    const path = join(dir, 'garbage.parquet');
    writeFileSync(path, Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(200, 0x41), len, Buffer.from('PAR1')]));
    expectRefused('parquet', path, /: cannot read it: truncated, or not a Parquet file$/);
  });

  it('a shard path that is a directory is said to be one, not a corrupt file (review 28)', () => {
    const path = join(dir, 'dir.parquet');
    mkdirSync(path, { recursive: true });
    expectRefused('parquet', path, /: is a directory, not a result file: name the shard files themselves$/);
  });

  it('parquet: a truncated shard keeps the reader\'s own words in parentheses', () => {
    const src = readFileSync(shardPath('parquet', 1));
    const path = join(dir, 'half.parquet');
    writeFileSync(path, src.subarray(0, src.length >> 1));
    expectRefused('parquet', path, /: cannot read it: truncated, or not a Parquet file \(parquet file invalid \(footer != PAR1\)\)$/);
  });

  it('json: two shards of one size with their run ranges swapped', () => {
    const swap = (from: number, to: number): string => {
      const text = readFileSync(shardPath('json', from), 'utf8');
      const own = JSON.stringify({ k: from, n: N, firstRun: shardRange(plan.runs, plan.width, from, N).firstRun, runs: 26 });
      const other = JSON.stringify({ k: to, n: N, firstRun: shardRange(plan.runs, plan.width, to, N).firstRun, runs: 26 });
      expect(text).toContain(`"shard":${own}`);
      const path = join(dir, `swapped-${from}.json`);
      writeFileSync(path, text.replace(`"shard":${own}`, `"shard":${other}`));
      return path;
    };
    const a = swap(0, 1);
    const b = swap(1, 0);
    const out = join(dir, 'swapped.parquet');
    const r = merge(out, [a, b, shardPath('json', 2)]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/swapped-[01]\.json: its data does not match the checksum/);
    expect(existsSync(out)).toBe(false);
  });

  it('json: a shard whose checksum was removed', () => {
    const path = join(dir, 'no-checksum.json');
    const text = readFileSync(shardPath('json', 1), 'utf8');
    const without = text.replace(/^"checksum":"sha256:[0-9a-f]{64}",\n/m, '');
    expect(without).not.toBe(text);
    writeFileSync(path, without);
    expectRefused('json', path, /no basinlab\.checksum recorded/);
  });

  it('a shard copied intact (cp) still merges', () => {
    const copy = join(dir, 'copy-1.parquet');
    copyFileSync(shardPath('parquet', 1), copy);
    const r = merge(join(dir, 'from-copy.json'), [shardPath('parquet', 0), copy, shardPath('parquet', 2)]);
    expect(r.code, r.stderr).toBe(0);
  });
});
