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
import type { AdapterDescription } from './gpu/context.ts';
import { isSoftwareAdapter } from './gpu/context.ts';
import type { GpuEngine } from './gpu/engine.ts';

/** The fewest runs of a network sweep that go to a hardware GPU rather than the CPU engine. */
export const NET_GPU_MIN_RUNS = 1024;

/** Whether a network sweep of `runs` runs trains on the GPU with this adapter (else on the CPU engine). */
export function netOnGpu(runs: number, adapter: AdapterDescription): boolean {
  return !isSoftwareAdapter(adapter) && runs >= NET_GPU_MIN_RUNS;
}

/**
 * The engine for a plan, given the GPU engine (null: none) and the float32 CPU engine: a network
 * sweep on the GPU only as netOnGpu allows, or whenever there is one with `forceGpu` (the app's
 * `engine=gpu`: a GPU engineer checks the network kernel against the CPU on small sweeps, or on an
 * emulated GPU, walkthrough 14); anything else on the GPU when there is one.
 */
export function engineForPlan(plan: AnyPlan, gpu: GpuEngine | null, cpu: Engine, forceGpu = false): Engine {
  if (plan.problem === 'network') return gpu && (forceGpu || netOnGpu(plan.runs, gpu.gpu.adapter)) ? gpu : cpu;
  return gpu ?? cpu;
}
