/**
 * A composed kernel compiled into a compute pipeline: its compile errors reported by line as a
 * GpuRunError, and the pipeline constants narrowed to the overrides this module declares (WebGPU
 * rejects a constant a module does not declare: classify has no NOISE, the sharpness kernel no
 * optimiser's). One copy for the sweep, network and bare kernels.
 */
import { GpuRunError } from '../../core/errors.ts';

export async function compileKernel(
  device: GPUDevice,
  layout: GPUPipelineLayout,
  label: string,
  code: string,
  constants: Readonly<Record<string, number>>,
): Promise<GPUComputePipeline> {
  const module = device.createShaderModule({ label, code });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length > 0) {
    throw new GpuRunError(`WGSL compile error in ${label}: ${errors.map((m) => `${m.lineNum}: ${m.message}`).join('; ')}`, 'validation');
  }
  const declared = new Set([...code.matchAll(/\boverride\s+(\w+)/g)].map((m) => m[1]));
  const own = Object.fromEntries(Object.entries(constants).filter(([k]) => declared.has(k)));
  return device.createComputePipelineAsync({ label, layout, compute: { module, entryPoint: 'main', constants: own } });
}

/**
 * Compiled pipelines by key, the least recently used dropped past `capacity` (review 24: every value
 * a slider passed through was a pipeline constant, and the cache kept them all for the session; on
 * SwiftShader each holds its JIT code). A dropped pipeline is compiled again if asked for.
 */
export class PipelineCache<T> {
  private readonly map = new Map<string, T>();

  constructor(private readonly capacity = 24) {}

  get(key: string): T | undefined {
    const hit = this.map.get(key);
    if (hit !== undefined) {
      // Most recently used last: Map keeps insertion order.
      this.map.delete(key);
      this.map.set(key, hit);
    }
    return hit;
  }

  set(key: string, value: T): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.capacity) {
      const oldest = this.map.keys().next().value;
      if (oldest === undefined) break;
      this.map.delete(oldest);
    }
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
  }
}
