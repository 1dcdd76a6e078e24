/**
 * The explorer's run controller and a study's own runs of its sweeps (RunController.precomputed): a
 * figure's sweep opened in the explorer shows from the study's run, nothing computed again, except
 * where that run is not what is asked for (float64; an engine lost since).
 */
import { describe, expect, it, vi } from 'vitest';
import { makeNetPlan, prepareSpec } from '../../src/core/network/plan.ts';
import { makePlan } from '../../src/core/plan.ts';
import type { AnyPlan } from '../../src/core/plan.ts';
import type { AnySpec } from '../../src/core/spec.ts';
import { parseNetSpec, parseSpec } from '../../src/core/spec.ts';
import { GpuRunError } from '../../src/core/errors.ts';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';
import type { Engine } from '../../src/engine/engine.ts';
import type { EngineSet } from '../../src/app/controllers/engines.ts';
import { MessageLine } from '../../src/app/controllers/message.ts';
import { PAST_FLOAT64, RunController } from '../../src/app/controllers/run-controller.ts';
import type { RanSweep } from '../../src/studies/types.ts';

const host = () => ({ addController: () => {}, removeController: () => {}, requestUpdate: () => {}, updateComplete: Promise.resolve(true) });

/** An engine that runs on a real CPU engine and counts its runs. */
function counted(name: 'cpu' | 'cpu64' | 'gpu'): { engine: Engine; runs: () => number } {
  const inner = new CpuEngine(name === 'cpu64' ? 'cpu64' : 'cpu', { workers: 0, spawn: null });
  let n = 0;
  const engine = new Proxy(inner, {
    get(t, k, r) {
      if (k === 'name') return name;
      if (k === 'run') return (...args: Parameters<CpuEngine['run']>) => (n++, inner.run(...args));
      return Reflect.get(t, k, r) as unknown;
    },
  }) as unknown as Engine;
  return { engine, runs: () => n };
}

const NET = {
  network: { hidden: [4], sharpness_iterations: 0 },
  data: { name: 'fractal', train: 16, test: 8 },
  optimizer: { name: 'SGD', lr: 1 },
  steps: 5,
  sweep: { x: { param: 'optimizer.lr', min: 0.1, max: 10, count: 8, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0, max: 0.9, count: 8 } },
};
const SURFACE = {
  surface: 'flat_sharp',
  optimizer: { name: 'SGD', lr: 0.01 },
  steps: 20,
  sweep: { x: { param: 'optimizer.lr', min: 0.001, max: 0.1, count: 4, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0, max: 0.9, count: 3 } },
};

async function setup(spec: AnySpec) {
  const cpu = counted('cpu');
  const cpu64 = counted('cpu64');
  const engines = { gpu: null, forceGpu: false, cpu: cpu.engine, cpu64: cpu64.engine, status: '' } as unknown as EngineSet;
  const message = new MessageLine(host());
  const ends: boolean[] = [];
  const ctl = new RunController(host(), engines, message, () => spec, () => {}, (_p: AnyPlan, finished: boolean) => ends.push(finished));
  return { ctl, cpu, cpu64, message, ends, engines };
}

describe("a study's run of the sweep shown in the explorer", () => {
  it('a network sweep: shown from the study, not run; float64 runs on cpu64 all the same', async () => {
    const spec = parseNetSpec(NET);
    await prepareSpec(spec);
    const plan = makeNetPlan(spec);
    const study = counted('cpu');
    const results = await study.engine.run(plan);
    const { ctl, cpu, cpu64, message, ends } = await setup(spec);
    ctl.precomputed = (p) => (p.problem === 'network' && JSON.stringify(p.spec) === JSON.stringify(plan.spec) ? ({ problem: 'network', plan, results, engine: study.engine } as RanSweep) : null);
    await ctl.run();
    expect(ctl.net?.results).toBe(results);
    expect({ fromStudy: ctl.fromStudy, running: ctl.running, engine: ctl.engineUsed, runs: cpu.runs() + cpu64.runs() }).toEqual({ fromStudy: true, running: false, engine: 'cpu', runs: 0 });
    expect(message.text).toBe("Shown from the study's own run of this sweep: nothing was computed again.");
    expect(ends).toEqual([true]);
    // "Draw this view in float64": the study's float32 run is not an answer to that.
    await ctl.run({ float64: true });
    expect({ fromStudy: ctl.fromStudy, engine: ctl.engineUsed, runs64: cpu64.runs() }).toEqual({ fromStudy: false, engine: 'cpu64', runs64: 1 });
    expect(ctl.net?.results).not.toBe(results);
    expect(Array.from(ctl.net?.results?.diverged ?? [])).toHaveLength(plan.runs);
  });

  it('a surface sweep: shown from the study and drawn from memory (not the device); a later run is the explorer’s own', async () => {
    const spec = parseSpec(SURFACE);
    const plan = makePlan(spec);
    const study = counted('cpu');
    const results = await study.engine.run(plan);
    const { ctl, cpu } = await setup(spec);
    ctl.precomputed = (p) => (p.problem !== 'network' ? ({ problem: 'surface', plan, results, engine: study.engine } as RanSweep) : null);
    await ctl.run();
    expect({ same: ctl.results === results, fromStudy: ctl.fromStudy, onDevice: ctl.onDevice, runs: cpu.runs() }).toEqual({ same: true, fromStudy: true, onDevice: false, runs: 0 });
    ctl.precomputed = null;
    await ctl.run();
    expect({ same: ctl.results === results, fromStudy: ctl.fromStudy, onDevice: ctl.onDevice, runs: cpu.runs() }).toEqual({ same: false, fromStudy: false, onDevice: true, runs: 1 });
  });

  it('a study run on a GPU engine lost since is not shown: the sweep runs again', async () => {
    const spec = parseSpec(SURFACE);
    const plan = makePlan(spec);
    const lost = counted('gpu');
    const results = await lost.engine.run(plan);
    const { ctl, cpu } = await setup(spec);
    ctl.precomputed = () => ({ problem: 'surface', plan, results, engine: lost.engine }) as RanSweep;
    await ctl.run();
    expect({ fromStudy: ctl.fromStudy, runs: cpu.runs(), engine: ctl.engineUsed }).toEqual({ fromStudy: false, runs: 1, engine: 'cpu' });
  });
});

describe('a lost GPU device', () => {
  it('is asked for again before the next sweep, which then runs on the new device (not on the CPU until a reload)', async () => {
    const spec = parseSpec(SURFACE);
    const { ctl, cpu, engines } = await setup(spec);
    const fresh = counted('gpu');
    let asked = 0;
    const set = engines as unknown as { gpu: Engine | null; gpuLost: boolean; retryGpu: () => Promise<void> };
    set.gpuLost = true;
    set.retryGpu = async () => {
      asked++;
      set.gpu = fresh.engine;
      set.gpuLost = false;
    };
    await ctl.run();
    expect({ asked, engine: ctl.engineUsed, gpuRuns: fresh.runs(), cpuRuns: cpu.runs() }).toEqual({ asked: 1, engine: 'gpu', gpuRuns: 1, cpuRuns: 0 });
    // Held again: not asked for before the next sweep.
    await ctl.run();
    expect({ asked, gpuRuns: fresh.runs() }).toEqual({ asked: 1, gpuRuns: 2 });
  });
});

describe('a view finer than float64 resolves', () => {
  it('is refused on a surface as on a network, with the reason, and nothing runs (walkthrough 8: a flat map was drawn)', async () => {
    const spec = parseSpec({
      surface: 'himmelblau',
      optimizer: { name: 'SGD', lr: 0.01 },
      steps: 20,
      sweep: { x: { param: 'start.0', min: 0.5, max: 0.5 + 3e-15, count: 32 }, y: { param: 'start.1', min: -0.2, max: -0.2 + 3e-15, count: 32 } },
    });
    const { ctl, cpu, cpu64, message } = await setup(spec);
    await ctl.run();
    expect({ runs: cpu.runs() + cpu64.runs(), running: ctl.running, text: message.text }).toEqual({ runs: 0, running: false, text: PAST_FLOAT64 });
  });
});

describe('a sweep that fails on the GPU', () => {
  // A network sweep as a surface one (review 27: a network too large for the device ended "Run failed").
  it.each([
    ['a surface', () => parseSpec(SURFACE)],
    ['a network', () => parseNetSpec(NET)],
  ])('%s: runs again on the CPU without asking for a new device (which would fail the same way, in a loop: review 10); the next run asks once', async (_kind, make) => {
    const spec = make();
    const { ctl, cpu, engines, message } = await setup(spec);
    // The network's 64 runs go to the GPU only where the reader asked for it (engine=gpu).
    (engines as unknown as { forceGpu: boolean }).forceGpu = true;
    let asked = 0;
    let gpuRuns = 0;
    const failing = (): Engine =>
      ({
        name: 'gpu',
        run: async () => {
          gpuRuns++;
          throw new GpuRunError('out of GPU memory', 'out-of-memory');
        },
      }) as unknown as Engine;
    const set = engines as unknown as { gpu: Engine | null; gpuLost: boolean; status: string; retryGpu: () => Promise<void>; dropGpu: (e: Engine, s: string) => boolean };
    set.gpu = failing();
    set.gpuLost = false;
    set.retryGpu = async () => {
      asked++;
      set.gpu = failing();
      set.gpuLost = false;
    };
    set.dropGpu = (e, s) => {
      if (set.gpu !== e) return false;
      set.gpu = null;
      set.gpuLost = true;
      set.status = s;
      return true;
    };
    // The failure's own re-run, on the CPU (a network's reads its data set first: waited for, not a fixed pause).
    const ranOnCpu = async (n: number) => {
      for (let t = 0; t < 200 && (cpu.runs() < n || ctl.running); t++) await new Promise((r) => setTimeout(r, 25));
    };
    await ctl.run();
    await ranOnCpu(1);
    expect({ asked, gpuRuns, cpuRuns: cpu.runs(), engine: ctl.engineUsed, failed: message.text.includes('Run failed') }).toEqual({ asked: 0, gpuRuns: 1, cpuRuns: 1, engine: 'cpu', failed: false });
    // The reader's next run asks for a device once; it fails too, and that sweep runs on the CPU.
    await ctl.run();
    await ranOnCpu(2);
    expect({ asked, gpuRuns, cpuRuns: cpu.runs() }).toEqual({ asked: 1, gpuRuns: 2, cpuRuns: 2 });
  });
});

describe('a long network sweep on the CPU engine (walkthrough 22, review 28)', () => {
  it('is said 3 s in from its own rate, and the note is taken back when the sweep ends', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const spec = parseNetSpec(NET);
      const { ctl, message, engines } = await setup(spec);
      let finish: () => void = () => {};
      const real = (engines as unknown as { cpu: Engine }).cpu;
      (engines as unknown as { cpu: Engine }).cpu = {
        name: 'cpu',
        // A thousandth of the work done at once, the rest when the test says.
        run: async (p: Parameters<Engine['run']>[0], o: Parameters<Engine['run']>[1]) => {
          o?.onProgress?.({ done: 1, total: 1000, runsReady: 0 });
          await new Promise<void>((r) => (finish = r));
          return real.run(p, o);
        },
      } as unknown as Engine;
      const ran = ctl.run();
      // Its data set is read and its plan made before the sweep begins.
      for (let k = 0; k < 50 && !ctl.running; k++) await vi.advanceTimersByTimeAsync(1);
      expect(ctl.running).toBe(true);
      expect(message.text).not.toMatch(/this sweep takes/);
      await vi.advanceTimersByTimeAsync(3000);
      expect(message.text).toMatch(/^64 network runs of 5 steps: this sweep takes about 50 minutes on the CPU engine here, at the rate of its first 3 s\./);
      // The real engine then runs the sweep, yielding on real timers.
      vi.useRealTimers();
      finish();
      await ran;
      expect(ctl.running).toBe(false);
      expect(message.text).not.toMatch(/this sweep takes/);
    } finally {
      vi.useRealTimers();
    }
  });
});
