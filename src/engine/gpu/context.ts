/**
 * A WebGPU device with what basinlab needs around it: the adapter description, a record of
 * uncaptured errors and device loss (so a run fails with a clear message instead of hanging), and
 * whatever must stay alive for the device to stay alive (Node's Dawn instance, see device-node.ts).
 */
import { GpuRunError } from '../../core/errors.ts';

export interface AdapterDescription {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
}

export class GpuContext {
  /** Set when the device is lost; every later run fails fast with it. */
  lost: GpuRunError | null = null;
  private readonly uncaptured: GPUError[] = [];
  /** Set by destroy(): a loss with reason 'destroyed' after it is ours, any other is a device loss. */
  private destroying = false;

  constructor(
    readonly device: GPUDevice,
    readonly adapter: AdapterDescription,
    /**
     * In Node, the object returned by `webgpu.create()`. If it is garbage-collected while the
     * device lives, the Dawn instance is destroyed under the running device and the process
     * crashes at random (see docs/performance.md, "dawn.node lifetime"). Holding it here ties its
     * lifetime to the context's.
     */
    public keepAlive: unknown,
  ) {
    device.addEventListener('uncapturederror', (ev) => {
      this.uncaptured.push((ev as GPUUncapturedErrorEvent).error);
    });
    void device.lost.then((info) => {
      if (!this.destroying) {
        this.lost = new GpuRunError(`GPU device lost (${info.reason}): ${info.message || 'no message'}`, 'device-lost');
      }
    });
  }

  /** Errors that escaped every error scope since the last call. */
  takeUncapturedErrors(): GPUError[] {
    return this.uncaptured.splice(0);
  }

  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  destroy(): void {
    this.destroying = true;
    this.device.destroy();
    this.keepAlive = null;
  }
}

/** Names of the CPU-emulated Vulkan drivers (SwiftShader, lavapipe/llvmpipe). */
export const SOFTWARE_ADAPTER = /swiftshader|lvp|lavapipe|llvmpipe/i;

/** SwiftShader, lavapipe, llvmpipe: an adapter whose "device" is this machine's CPU. */
export function isSoftwareAdapter(a: AdapterDescription): boolean {
  return SOFTWARE_ADAPTER.test(`${a.vendor} ${a.architecture} ${a.device} ${a.description}`);
}

/** The adapter as results name it (`meta.adapter`): vendor / architecture / device / description, the empty ones left out. */
export function adapterName(a: AdapterDescription): string {
  return [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' / ');
}

export function describeAdapter(info: GPUAdapterInfo | undefined): AdapterDescription {
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
  };
}

/** Limits to request: the adapter's maxima for what a big sweep needs, defaults otherwise. */
export function sweepLimits(adapter: GPUAdapter): Record<string, number> {
  const l = adapter.limits;
  return {
    maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
    maxBufferSize: l.maxBufferSize,
    maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
    maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
  };
}
