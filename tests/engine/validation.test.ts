/**
 * validatePlan with results already computed (what the app does with the sweep it shows): those
 * engines are not run again, the report is the one running them would give, results of an engine
 * not in the list are compared first, and results of another plan are refused.
 */
import { describe, expect, it } from 'vitest';
import type { AnyPlan } from '../../src/core/plan.ts';
import type { TrajectoryRequest } from '../../src/core/trajectory.ts';
import type { Results } from '../../src/core/results.ts';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';
import type { Engine, RunOptions } from '../../src/engine/engine.ts';
import { validatePlan } from '../../src/engine/validation.ts';
import { plan } from './engines.ts';

const SPEC = {
  surface: { name: 'himmelblau' },
  optimizer: { name: 'SGD', lr: 0.01, momentum: 0.5 },
  steps: 200,
  sweep: {
    kind: 'grid',
    x: { param: 'start.0', min: -5, max: 5, count: 24, scale: 'linear' },
    y: { param: 'start.1', min: -5, max: 5, count: 20, scale: 'linear' },
  },
};

/** An in-process CPU engine that counts its sweeps. */
function counted(name: 'cpu' | 'cpu64'): { engine: Engine; runs: () => number } {
  const inner = new CpuEngine(name, { workers: 0, spawn: null });
  let runs = 0;
  const engine: Engine = {
    name,
    run: ((p: AnyPlan, o?: RunOptions) => {
      runs++;
      return inner.run(p, o);
    }) as Engine['run'],
    trajectories: ((p: AnyPlan, r: TrajectoryRequest) => inner.trajectories(p, r)) as Engine['trajectories'],
    deviceResults: () => null,
    dispose: () => inner.dispose(),
  };
  return { engine, runs: () => runs };
}

describe('validatePlan with computed results', () => {
  it('does not rerun an engine whose results it is given, and reports the same', async () => {
    const p = plan(SPEC);
    const cpu = counted('cpu');
    const cpu64 = counted('cpu64');
    const full = await validatePlan(p, [cpu.engine, cpu64.engine]);
    expect([cpu.runs(), cpu64.runs()]).toEqual([1, 1]);
    const shown = full.results.cpu as Results;
    const reuse = await validatePlan(p, [cpu.engine, cpu64.engine], { computed: [shown] });
    expect([cpu.runs(), cpu64.runs()]).toEqual([1, 2]);
    expect(reuse.results.cpu).toBe(shown);
    expect(reuse.report).toEqual(full.report);
    expect(reuse.report.engines).toEqual(['cpu', 'cpu64']);
  });

  it('compares results of an engine not in the list first, against every engine', async () => {
    const p = plan(SPEC);
    const cpu = counted('cpu');
    const cpu64 = counted('cpu64');
    // Stand-in for the app's GPU sweep: float32 results labelled gpu (the engines agree bit for bit).
    const f32 = await new CpuEngine('cpu', { workers: 0, spawn: null }).run(p);
    const gpu: Results = { ...f32, engine: 'gpu' };
    const { report } = await validatePlan(p, [cpu.engine, cpu64.engine], { computed: [gpu] });
    expect(report.engines).toEqual(['gpu', 'cpu', 'cpu64']);
    expect(report.pairs.map((x) => `${x.a}-${x.b}`)).toEqual(['gpu-cpu', 'gpu-cpu64', 'cpu-cpu64']);
    const gpuCpu = report.pairs[0];
    expect(gpuCpu?.sameOutcome).toBe(1);
    expect(gpuCpu?.position.max).toBe(0);
    expect([cpu.runs(), cpu64.runs()]).toEqual([1, 1]);
  });

  it('refuses results of another plan, saying whose and what shape', async () => {
    const p = plan(SPEC);
    const other = plan({ ...SPEC, sweep: { ...SPEC.sweep, x: { ...SPEC.sweep.x, count: 8 } } });
    const cpu = counted('cpu');
    const cpu64 = counted('cpu64');
    const res = await cpu.engine.run(other);
    await expect(validatePlan(p, [cpu.engine, cpu64.engine], { computed: [res] })).rejects.toThrow(
      /computed cpu results are 8x20 \(160 runs\), not this plan's 24x20 \(480 runs\)/,
    );
  });
});
