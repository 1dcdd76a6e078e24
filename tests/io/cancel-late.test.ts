/**
 * A cancellation that comes late — with the last chunk, or while the file is being finished — is
 * honoured up to the one step after which the output exists (the rename): the sinks, the atomic
 * text files and the CPU engine's last chunk. (The CLI as a whole: tests/unit/cli-signals.test.ts;
 * the GPU engine: tests/gpu/cancel-late.test.ts.)
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CancelledError } from '../../src/core/errors.ts';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';
import { nodeWorkerSpawner } from '../../src/engine/cpu/spawn-node.ts';
import { liveTemps } from '../../src/io/partials.ts';
import { sinkFor, sinkMeta } from '../../src/io/sinks.ts';
import { writeFileAtomically } from '../../src/io/text-file.ts';
import { GRID_SPEC, runSweep, writeChunked } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'basinlab-cancel-'));
const partials = (): string[] => readdirSync(dir).filter((n) => n.includes('.partial-'));
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Turns of the event loop until `p` settles. */
async function turnsUntil(p: Promise<unknown>): Promise<number> {
  let done = false;
  void p.finally(() => {
    done = true;
  });
  let n = 0;
  while (!done) {
    await turn();
    n++;
  }
  await p;
  return n;
}

/**
 * Abort points, in turns of the event loop after the operation starts: about 30 across the time it
 * took once (`turns`), then further apart (a loaded machine may take longer) until `enough()` says
 * the operation was seen to complete.
 */
function* abortPoints(turns: number, enough: () => boolean): Generator<number> {
  const step = Math.max(1, Math.floor(turns / 30));
  let k = 0;
  for (; k <= turns; k += step) yield k;
  for (; !enough() && k < 1e7; k = Math.ceil(k * 1.25)) yield k;
}

/**
 * Aborts `ac` after k turns of the event loop into `p`, the operation under test (started with
 * ac's signal): how it ended, and whether the abort came before it settled.
 */
async function abortAfter(k: number, ac: AbortController, p: Promise<unknown>): Promise<{ outcome: 'written' | 'cancelled'; early: boolean }> {
  let settled = false;
  const ended = p.then(
    () => {
      settled = true;
      return 'written' as const;
    },
    (e: unknown) => {
      settled = true;
      if (!(e instanceof CancelledError)) throw e;
      return 'cancelled' as const;
    },
  );
  for (let t = 0; t < k; t++) await turn();
  const early = !settled;
  ac.abort();
  return { outcome: await ended, early };
}

describe('a sink whose signal is aborted during close', () => {
  for (const ext of ['parquet', 'arrow', 'json', 'csv']) {
    it(`${ext}: cancelled (no file, no partial) whenever the abort comes before close settles`, async () => {
      const { plan, res } = await runSweep(GRID_SPEC, 'cpu');
      const outcomes = { cancelled: 0, written: 0 };
      const timed = sinkFor(join(dir, `timed.${ext}`), { rowGroupRows: 16 });
      await writeChunked(timed, sinkMeta(plan, res.engine), res, [40], false);
      const turns = await turnsUntil(timed.close());
      // Abort after k turns of the event loop: from before the encoding to after the rename.
      for (const k of abortPoints(turns, () => outcomes.written >= 3)) {
        const out = join(dir, `late-${k}.${ext}`);
        const ac = new AbortController();
        const sink = sinkFor(out, { signal: ac.signal, rowGroupRows: 16 });
        await writeChunked(sink, sinkMeta(plan, res.engine), res, [40], false);
        const { outcome, early } = await abortAfter(k, ac, sink.close());
        outcomes[outcome]++;
        if (early) expect(outcome, `abort after ${k} turns, before close settled`).toBe('cancelled');
        expect(existsSync(out)).toBe(outcome === 'written');
        expect(partials()).toEqual([]);
        expect(liveTemps()).toEqual([]);
      }
      // The turns spanned the whole close: some aborts came before the rename, some after.
      expect(outcomes.cancelled).toBeGreaterThan(0);
      expect(outcomes.written).toBeGreaterThan(0);
    });
  }
});

describe('an atomic text file whose signal is aborted while it is written', () => {
  it('leaves nothing when aborted before the rename; is whole when written', async () => {
    const big = Array.from({ length: 400 }, (_, k) => `${'x'.repeat(9999)}${k % 10}\n`);
    const outcomes = { cancelled: 0, written: 0 };
    const turns = await turnsUntil(writeFileAtomically(join(dir, 'timed.txt'), big));
    for (const k of abortPoints(turns, () => outcomes.written >= 3)) {
      const out = join(dir, `text-${k}.txt`);
      const ac = new AbortController();
      const { outcome, early } = await abortAfter(k, ac, writeFileAtomically(out, big, { signal: ac.signal }));
      outcomes[outcome]++;
      if (early) expect(outcome).toBe('cancelled');
      if (outcome === 'written') expect(readFileSync(out, 'utf8') === big.join('')).toBe(true);
      else expect(existsSync(out)).toBe(false);
      expect(partials()).toEqual([]);
    }
    expect(outcomes.cancelled).toBeGreaterThan(0);
    expect(outcomes.written).toBeGreaterThan(0);
  });
});

describe('the CPU engine, aborted while its last chunk is handed over', () => {
  const engines = [
    ['in-process', (): CpuEngine => new CpuEngine('cpu', { workers: 0, spawn: null })],
    ['worker pool', (): CpuEngine => new CpuEngine('cpu', { workers: 2, spawn: nodeWorkerSpawner(), inProcessBelow: 0 })],
  ] as const;
  for (const [name, make] of engines) {
    it(`${name}: rejects with CancelledError instead of finishing`, async () => {
      const { plan } = await runSweep(GRID_SPEC, 'cpu');
      const engine = make();
      try {
        const ac = new AbortController();
        let last = false;
        const run = engine.run(plan, {
          signal: ac.signal,
          keepResults: false,
          onChunk: (begin, _cols, n) => {
            if (begin + n === plan.runs) {
              last = true;
              ac.abort();
            }
          },
        });
        await expect(run).rejects.toBeInstanceOf(CancelledError);
        expect(last).toBe(true);
      } finally {
        await engine.dispose();
      }
    });
  }
});
