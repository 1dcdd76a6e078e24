/**
 * Which engine trains a network sweep, where the caller has both (the app, `basinlab study`): one
 * rule, measured, so that the explorer and the studies agree.
 *
 * The GPU network kernel runs one run per invocation (shaders/kernels/net_step.wgsl): a run's
 * forward and backward pass is one thread's sequential work. That fills a GPU only when there are
 * thousands of runs. Measured on an NVIDIA H200 (docs/performance.md, "On an NVIDIA H200"):
 * 65,536 fractal runs trained at 1.05 M instance-steps/s and 4,096 at 0.4-0.5 M, 2-6x the CPU
 * engine on the same machine's 16 cores (0.18 M); but the batch-lr study's sweeps of 119 runs
 * (a 2,410-parameter MLP, batches up to 256) took about 60 s a seed on the GPU against 17 s for all
 * three seeds on the CPU engine, one invocation doing a run's whole batch while the other 16,000-odd
 * lanes sat idle. The GPU's rate grows with the runs until the chip is full, the CPU's does not:
 * from the 4,096-run row the two meet near 1,000-2,000 runs against 16 cores, lower against a
 * laptop's few. Below NET_GPU_MIN_RUNS the CPU engine trains them. A CPU-emulated adapter
 * (SwiftShader, lavapipe) is never the faster one for networks (about 100x slower than the CPU
 * engine here).
 */
import type { AnyPlan } from '../core/plan.ts';
import type { Engine } from './engine.ts';
import { isSoftwareAdapter } from './gpu/context.ts';
import type { GpuEngine } from './gpu/engine.ts';

/** The fewest runs of a network sweep that go to a hardware GPU rather than the CPU engine. */
export const NET_GPU_MIN_RUNS = 1024;

/**
 * Why a network sweep of `runs` runs trains where it does: on the GPU ('gpu', or 'forced' by the
 * app's `engine=gpu`: a GPU engineer checks the network kernel against the CPU on small sweeps, or
 * on an emulated GPU, walkthrough 14), or on the CPU engine because there is no GPU ('no-gpu'), it
 * is CPU-emulated ('software') or the sweep has too few runs to fill it ('few-runs'). The app's
 * validation says which (review 27: it had rebuilt the rule to word it).
 */
export type NetEngineReason = 'gpu' | 'forced' | 'no-gpu' | 'software' | 'few-runs';

export function netEngineReason(runs: number, gpu: GpuEngine | null, forceGpu = false): NetEngineReason {
  if (!gpu) return 'no-gpu';
  if (forceGpu) return 'forced';
  if (isSoftwareAdapter(gpu.gpu.adapter)) return 'software';
  return runs >= NET_GPU_MIN_RUNS ? 'gpu' : 'few-runs';
}

/**
 * The engine for a plan, given the GPU engine (null: none) and the float32 CPU engine: a network
 * sweep where netEngineReason puts it; anything else on the GPU when there is one.
 */
export function engineForPlan(plan: AnyPlan, gpu: GpuEngine | null, cpu: Engine, forceGpu = false): Engine {
  if (plan.problem !== 'network') return gpu ?? cpu;
  const why = netEngineReason(plan.runs, gpu, forceGpu);
  return gpu && (why === 'gpu' || why === 'forced') ? gpu : cpu;
}

/**
 * A study's own engine (its context's `engine`, and what decides whether it opens at its quick
 * size: studies/run.ts openingSize): the GPU, except for a network study where the GPU is
 * CPU-emulated and not forced, whose every sweep engineForPlan sends to the CPU engine. Each sweep
 * still goes where engineForPlan sends it; a network study's sweeps too small for a hardware GPU
 * run on the CPU engine although this is the GPU (no study with `cpuMinutes` has such sweeps: the
 * fractal-boundary study's are 65,536 runs).
 */
export function studyEngine(problem: 'surface' | 'network', gpu: GpuEngine | null, cpu: Engine, forceGpu = false): Engine {
  if (!gpu) return cpu;
  return problem === 'network' && netEngineReason(Number.POSITIVE_INFINITY, gpu, forceGpu) === 'software' ? cpu : gpu;
}
