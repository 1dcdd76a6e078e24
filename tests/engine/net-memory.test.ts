/**
 * Memory per network run on the CPU engines: netRunBytes bounds what a NetRun holds (every typed
 * array reachable from it, summed) without overstating it more than the pairs' records explain, and
 * netMemoryProblem refuses exactly when the workers' runs exceed NET_MEMORY_SHARE of the machine;
 * netHeapProblem refuses a run whose records would pass a thread's JavaScript heap limit (a fatal
 * abort, not an error), and what it lets through is built within the heap it assumed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeNetPlan, prepareSpec } from '../../src/core/network/plan.ts';
import { parseNetSpec } from '../../src/core/spec.ts';
import { NET_HEAP_BYTES_PER_PARAM, NET_HEAP_RESERVE, NET_HEAP_SHARE, NET_MEMORY_SHARE, NetRun, netHeapProblem, netMemoryProblem, netRunBytes } from '../../src/engine/cpu/network.ts';
import { wasmKernelBytes } from '../../src/engine/cpu/net-wasm.ts';

/** Bytes of every buffer behind a typed array reachable from `o` (each buffer once: views share them). */
function typedBytes(o: unknown, seen = new Set<unknown>(), depth = 0): number {
  if (o === null || typeof o !== 'object' || seen.has(o) || depth > 5) return 0;
  seen.add(o);
  if (ArrayBuffer.isView(o)) {
    if (seen.has(o.buffer)) return 0;
    seen.add(o.buffer);
    return o.buffer.byteLength;
  }
  let sum = 0;
  for (const v of Object.values(o)) sum += typedBytes(v, seen, depth + 1);
  return sum;
}

const SPECS: Record<string, unknown> = {
  fractal: { network: { hidden: [16], bias: false, parametrization: 'mean_field' }, data: 'fractal', optimizer: { name: 'SGD', lr: 0.1 }, steps: 10 },
  iris: { network: { hidden: [8], batch_size: 16 }, data: 'iris', optimizer: { name: 'Adam', lr: 0.01 }, steps: 10 },
  'digits, two layers, LAMB (a tensor rule)': { network: { hidden: [64, 32] }, data: 'digits8', optimizer: { name: 'LAMB', lr: 0.01 }, steps: 10 },
};

describe('netRunBytes', () => {
  for (const [name, raw] of Object.entries(SPECS)) {
    it(`bounds what a NetRun of ${name} holds, in both precisions`, async () => {
      const spec = parseNetSpec(raw);
      await prepareSpec(spec);
      const plan = makeNetPlan(spec);
      for (const precision of ['f64', 'f32'] as const) {
        const run = new NetRun(plan, precision);
        run.init(0);
        run.trainRun();
        // The typed arrays, and the memory of the WebAssembly pass this thread made for the layout
        // (a closure's: not reachable as a property).
        const held = typedBytes(run) + wasmKernelBytes(plan.layout, plan.loss, precision);
        const estimate = netRunBytes(plan);
        expect(estimate, `${name} ${precision}: estimate ${estimate}, typed arrays ${held}`).toBeGreaterThanOrEqual(held);
        // Not overstated by much: the pairs' records, tables a plan does not need and the scratch are the rest.
        expect(estimate, `${name} ${precision}: estimate ${estimate}, typed arrays ${held}`).toBeLessThanOrEqual(1.5 * held + 96 * 1024);
      }
    });
  }
});

describe('netMemoryProblem', () => {
  const GiB = 2 ** 30;
  it('lets the workers through while their runs fit in the share of the machine', () => {
    expect(netMemoryProblem(1000, 1 * GiB, 2, 8 * GiB)).toBeNull();
    expect(netMemoryProblem(1000, 3 * GiB, 2, 8 * GiB)).toBeNull(); // exactly 75%
  });
  it('refuses beyond it, saying how much, and how many workers would fit', () => {
    expect(NET_MEMORY_SHARE).toBe(0.75);
    const m = netMemoryProblem(117_489_666, 15 * GiB, 2, 24 * GiB);
    expect(m).toBe('a run of this network (117489666 parameters) holds about 15.0 GiB on the CPU engines; 2 workers need 30.0 GiB, more than 75% of this machine\'s 24.0 GiB: use --workers 1, or a smaller network');
    // A run alone too large: no worker count helps.
    expect(netMemoryProblem(10, 20 * GiB, 1, 24 * GiB)).toMatch(/1 worker need 20\.0 GiB, more than 75% of this machine's 24\.0 GiB: a smaller network$/);
  });
});

describe('netHeapProblem', () => {
  const GiB = 2 ** 30;
  it("refuses a run whose records pass its share of the heap limit, saying how many parameters fit and the limit that would", () => {
    const limit = 4144 * 2 ** 20; // Node's default on a large machine
    const most = Math.floor(((limit - NET_HEAP_RESERVE) * NET_HEAP_SHARE) / NET_HEAP_BYTES_PER_PARAM);
    expect(netHeapProblem(most, limit)).toBeNull();
    // Eight hidden layers of 4096 (the widest the spec allows): the machine's memory check let it
    // through, and the process aborted out of heap after minutes, its partial files left behind.
    const m = netHeapProblem(117_489_666, limit);
    expect(m).toBe(
      "a run of this network (117489666 parameters) needs about 7.0 GiB of JavaScript heap on the CPU engines, more than the 3.0 GiB a run may take of Node's heap limit of 4.0 GiB: " +
        `at most ${most} parameters fit; a smaller network, or a larger limit (NODE_OPTIONS=--max-old-space-size=9626, memory permitting)`,
    );
    expect(netHeapProblem(most + 1, limit)).toMatch(/at most \d+ parameters fit/);
    expect(netHeapProblem(1, 0.01 * GiB)).toMatch(/heap limit of 0\.010 GiB: at most 0 parameters fit/);
  });

  it('is enough: with the limit it names, the run it refused is built and trained (a child process with that --max-old-space-size)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'basinlab-heap-'));
    const spec = join(dir, 'spec.json');
    // 2,105,394 parameters: about 130 MB of records, in a heap of a few hundred MB.
    writeFileSync(spec, JSON.stringify({ network: { hidden: [1448, 1448], sharpness_iterations: 0 }, data: { name: 'spiral', train: 8, test: 4 }, optimizer: { name: 'SGD', lr: 0.01 }, steps: 1 }));
    const run = (mib: number) =>
      spawnSync(process.execPath, [`--max-old-space-size=${mib}`, 'bin/basinlab.js', 'sweep', spec, '--engine', 'cpu', '--workers', '0', '-q'], { encoding: 'utf8', timeout: 120_000 });
    const small = run(100);
    expect(small.status, small.stderr).toBe(2);
    const hint = /--max-old-space-size=(\d+), memory permitting\)\n$/.exec(small.stderr);
    expect(hint, small.stderr).not.toBeNull();
    const ok = run(Number(hint?.[1]));
    expect(ok.status, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as { network: { params: number } }).network.params).toBe(2_105_394);
  });
});
