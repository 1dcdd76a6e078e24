/** A WebGPU device in the browser (navigator.gpu), with the limits a big sweep needs. */
import { GpuUnavailableError } from '../../core/errors.ts';
import { GpuContext, describeAdapter, sweepLimits } from './context.ts';

export async function acquireBrowserGpu(label = 'basinlab'): Promise<GpuContext> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) throw new GpuUnavailableError('this browser has no WebGPU (navigator.gpu is missing)');
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new GpuUnavailableError('WebGPU is present but no adapter was found');
  try {
    const device = await adapter.requestDevice({ label, requiredLimits: sweepLimits(adapter) });
    return new GpuContext(device, describeAdapter(adapter.info), null);
  } catch (e) {
    throw new GpuUnavailableError(`WebGPU device could not be created: ${(e as Error).message}`);
  }
}
