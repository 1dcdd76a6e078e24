/**
 * Which engine trains a network sweep when both are at hand (src/engine/choose.ts): the rule, the
 * studies' routing through StudyContext.engineFor, and `basinlab study` with its default `--engine
 * auto`, which on this machine's emulated GPU sends every network sweep to the CPU engine and the
 * surface sweeps to the GPU, and says so in the study's JSON.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnyPlan } from '../../src/core/plan.ts';
import { NET_GPU_MIN_RUNS, engineForPlan, netEngineReason, studyEngine } from '../../src/engine/choose.ts';
import type { GpuEngine } from '../../src/engine/gpu/engine.ts';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';
import type { Engine } from '../../src/engine/engine.ts';
import { runNetSpec, runSpec } from '../../src/studies/run.ts';

const H200 = { vendor: 'nvidia', architecture: '', device: 'nvidia-h200', description: 'NVIDIA: 580.159.04' };
const SWIFTSHADER = { vendor: 'google', architecture: 'swiftshader', device: 'swiftshader-device-subzero-', description: 'SwiftShader driver 5.0.0' };

// Only the adapter is read of the GPU engine, and the plans' kind and run count.
const gpuOn = (adapter: typeof H200) => ({ name: 'gpu', gpu: { adapter } }) as unknown as GpuEngine;

describe('netEngineReason', () => {
  it('sends a network sweep to a hardware GPU only from NET_GPU_MIN_RUNS runs', () => {
    expect(netEngineReason(NET_GPU_MIN_RUNS, gpuOn(H200))).toBe('gpu');
    expect(netEngineReason(65_536, gpuOn(H200))).toBe('gpu');
    expect(netEngineReason(NET_GPU_MIN_RUNS - 1, gpuOn(H200))).toBe('few-runs');
    expect(netEngineReason(119, gpuOn(H200))).toBe('few-runs');
  });
  it('never to an emulated one unless forced; nowhere without one', () => {
    expect(netEngineReason(65_536, gpuOn(SWIFTSHADER))).toBe('software');
    expect(netEngineReason(65_536, gpuOn({ ...H200, description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }))).toBe('software');
    expect(netEngineReason(4, gpuOn(SWIFTSHADER), true)).toBe('forced');
    expect(netEngineReason(65_536, null, true)).toBe('no-gpu');
  });
});

describe('studyEngine', () => {
  const cpu = { name: 'cpu' } as unknown as Engine;
  it("gives a network study the CPU engine where the GPU is emulated (unless forced), so that it opens at its quick size there (studies/run.ts openingSize)", () => {
    expect(studyEngine('network', gpuOn(SWIFTSHADER), cpu).name).toBe('cpu');
    expect(studyEngine('network', gpuOn(SWIFTSHADER), cpu, true).name).toBe('gpu');
    expect(studyEngine('network', gpuOn(H200), cpu).name).toBe('gpu');
    expect(studyEngine('surface', gpuOn(SWIFTSHADER), cpu).name).toBe('gpu');
    expect(studyEngine('surface', null, cpu).name).toBe('cpu');
  });
});

describe('engineForPlan', () => {
  const cpu = { name: 'cpu' } as unknown as Engine;
  const net = (runs: number) => ({ problem: 'network', runs }) as unknown as AnyPlan;
  const surface = { problem: 'surface', runs: 4 } as unknown as AnyPlan;

  it("routes networks by netEngineReason, and with forceGpu (the app's engine=gpu) to any GPU, emulated or not, whatever the runs (walkthrough 14)", () => {
    expect(engineForPlan(net(64), gpuOn(H200), cpu).name).toBe('cpu');
    expect(engineForPlan(net(4096), gpuOn(H200), cpu).name).toBe('gpu');
    expect(engineForPlan(net(65_536), gpuOn(SWIFTSHADER), cpu).name).toBe('cpu');
    expect(engineForPlan(net(64), gpuOn(H200), cpu, true).name).toBe('gpu');
    expect(engineForPlan(net(64), gpuOn(SWIFTSHADER), cpu, true).name).toBe('gpu');
    // No GPU: the CPU engine, forced or not; surfaces on the GPU whenever there is one.
    expect(engineForPlan(net(64), null, cpu, true).name).toBe('cpu');
    expect(engineForPlan(surface, gpuOn(SWIFTSHADER), cpu).name).toBe('gpu');
  });
});

describe('a study routes each sweep through engineFor', () => {
  it('runs the network and the surface sweeps on the engines the caller picks', async () => {
    const cpu = new CpuEngine('cpu', { workers: 0, spawn: null });
    const cpu64 = new CpuEngine('cpu64', { workers: 0, spawn: null });
    const seen: [AnyPlan['problem'], string][] = [];
    const engineFor = (plan: AnyPlan): Engine => {
      const e = plan.problem === 'network' ? cpu64 : cpu;
      seen.push([plan.problem, e.name]);
      return e;
    };
    try {
      // `engine` would be the wrong answer for both: the routing, not the default, must have run them.
      const ctx = { engine: cpu, quick: true, engineFor };
      const net = await runNetSpec(ctx, 'net', {
        network: { hidden: [4], batch_size: 8, sharpness_iterations: 0 },
        data: { name: 'iris' },
        optimizer: { name: 'SGD', lr: 0.1 },
        steps: 5,
        sweep: { x: { param: 'optimizer.lr', min: 0.01, max: 0.1, count: 2, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0, max: 0.5, count: 2 } },
      });
      const surf = await runSpec(ctx, 'surface', {
        surface: 'rosenbrock',
        optimizer: { name: 'SGD', lr: 0.001 },
        steps: 5,
        sweep: { x: { param: 'optimizer.lr', min: 1e-4, max: 1e-3, count: 2, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0, max: 0.5, count: 2 } },
      });
      expect(seen).toEqual([
        ['network', 'cpu64'],
        ['surface', 'cpu'],
      ]);
      expect(net.results.engine).toBe('cpu64');
      expect(surf.results.engine).toBe('cpu');
    } finally {
      await Promise.all([cpu.dispose(), cpu64.dispose()]);
    }
  });
});

describe('basinlab study --engine auto (the default)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'basinlab-auto-'));
  const study = (name: string, extra: string[] = []): { code: number | null; engine: unknown; stderr: string } => {
    const out = join(dir, name);
    const r = spawnSync(process.execPath, ['bin/basinlab.js', 'study', name, '--quick', '-q', '--out', out, ...extra], { encoding: 'utf8', timeout: 240_000 });
    const engine = r.status === 0 ? (JSON.parse(readFileSync(join(out, `${name}.json`), 'utf8')) as { engine: unknown }).engine : null;
    return { code: r.status, engine, stderr: r.stderr };
  };
  it('trains a network study on the CPU engine beside an emulated GPU', () => {
    const r = study('texts-example');
    // Nothing on stderr but, where the GPU is the CPU emulating one, a note that says so.
    expect(r.stderr).toMatch(/^(basinlab: note: the gpu engine runs on .*, a Vulkan driver that emulates a GPU on this machine's CPU: no hardware GPU is used; the surface sweeps run on it, the network sweeps on cpu\n)?$/);
    expect(r.code).toBe(0);
    expect(r.engine).toBe('cpu');
  }, 240_000);
  it('runs a surface study on the GPU', () => {
    const r = study('flat-vs-sharp');
    expect(r.code).toBe(0);
    expect(r.engine).toBe('gpu');
  }, 240_000);
  it('runs on the engine named when one is', () => {
    const r = study('texts-example', ['--engine', 'cpu64']);
    expect(r.code).toBe(0);
    expect(r.engine).toBe('cpu64');
  }, 240_000);
});
