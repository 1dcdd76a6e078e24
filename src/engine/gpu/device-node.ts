/**
 * A WebGPU device in Node through the `webgpu` package (Dawn's dawn.node). Without a hardware GPU,
 * Dawn runs on SwiftShader, the CPU Vulkan driver shipped by Debian's chromium package.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GpuUnavailableError } from '../../core/errors.ts';
import { GpuContext, describeAdapter, sweepLimits } from './context.ts';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * The process's one Dawn instance, created on first use and never released. Every device is made
 * from it. An instance per engine, released with the engine, crashed the process ("terminate
 * called after throwing std::system_error", a futex error) when the garbage collector finalised
 * the instance before the JS wrappers of objects made on its devices (layouts, pipelines) whose
 * release then reached into freed Dawn state; it also kept ~10 MiB per engine alive. Holding it in
 * a module variable also satisfies dawn.node's rule that it must outlive every device.
 */
let instance: GPU | null = null;

export async function acquireNodeGpu(label = 'basinlab'): Promise<GpuContext> {
  // The Vulkan loader reads this when Dawn creates its instance, so it must be set before create().
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  // SwiftShader's WSI probes XDG_RUNTIME_DIR and prints an error per device when it is unset.
  if (!process.env.XDG_RUNTIME_DIR) {
    const dir = join(tmpdir(), `basinlab-xdg-${process.getuid?.() ?? 0}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    process.env.XDG_RUNTIME_DIR = dir;
  }
  let webgpu: typeof import('webgpu');
  try {
    webgpu = await import('webgpu');
  } catch (e) {
    throw new GpuUnavailableError(`the 'webgpu' package could not be loaded: ${(e as Error).message}`);
  }
  // GPUBufferUsage, GPUMapMode … are globals in browsers; dawn.node provides them separately.
  Object.assign(globalThis, webgpu.globals);
  instance ??= webgpu.create([]);
  const adapter = await instance.requestAdapter();
  if (!adapter) {
    throw new GpuUnavailableError(
      `no WebGPU adapter found (VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES ?? 'unset'}; ` +
        `install Debian's chromium and libvulkan1 for SwiftShader)`,
    );
  }
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ label, requiredLimits: sweepLimits(adapter) });
  } catch (e) {
    throw new GpuUnavailableError(`WebGPU device could not be created: ${(e as Error).message}`);
  }
  return new GpuContext(device, describeAdapter(adapter.info), instance);
}
