/** Engines as Node provides them: CPU with worker_threads. */
import { availableParallelism } from 'node:os';
import type { EngineName } from '../core/results.ts';
import { CpuEngine } from './cpu/engine.ts';
import { nodeWorkerSpawner } from './cpu/spawn-node.ts';
import type { Engine } from './engine.ts';

export interface NodeEngineOptions {
  /** CPU worker threads (default: one per core). */
  readonly workers?: number;
}

export async function createNodeEngine(name: EngineName, opts: NodeEngineOptions = {}): Promise<Engine> {
  if (name === 'gpu') {
    const { createNodeGpuEngine } = await import('./gpu/node-gpu-engine.ts');
    return createNodeGpuEngine();
  }
  return new CpuEngine(name, { workers: opts.workers ?? availableParallelism(), spawn: nodeWorkerSpawner() });
}
