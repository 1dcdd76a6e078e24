/**
 * The engines the app can use: WebGPU when the browser has it, and the CPU engines in Web Workers
 * (the fallback when WebGPU is missing or the device is lost, the float64 engine for zooms deeper
 * than float32 can resolve, and the references of a validation). The page never computes a sweep
 * on its main thread.
 */
import { GpuUnavailableError } from '../../core/errors.ts';
import { CpuEngine } from '../../engine/cpu/engine.ts';
import { browserWorkerSpawner } from '../../engine/cpu/spawn-browser.ts';
import { acquireBrowserGpu } from '../../engine/gpu/device-browser.ts';
import { GpuEngine } from '../../engine/gpu/engine.ts';
import { browserShaderSources } from '../../engine/gpu/shader-sources-browser.ts';

export interface EngineSet {
  gpu: GpuEngine | null;
  /**
   * The link's `engine=gpu`: network sweeps train on the GPU engine whenever there is one, however
   * few their runs and on an emulated GPU too (engineForPlan), so that the GPU's network kernel can
   * be checked against the CPU in the app.
   */
  readonly forceGpu: boolean;
  readonly cpu: CpuEngine;
  readonly cpu64: CpuEngine;
  /** One line for the status bar: which engine runs sweeps, and why. */
  status: string;
  /**
   * After the device was lost (or failed a sweep): asks the browser for a new one, so the next sweep
   * runs on WebGPU again rather than on the CPU until a reload (walkthrough 8). Does nothing while a
   * device is held, or where WebGPU never was.
   */
  retryGpu(): Promise<void>;
  /** A device was held and is gone (retryGpu would ask for a new one). */
  gpuLost: boolean;
  /**
   * `engine`'s device failed a sweep or was lost: drop it and destroy what it holds (the next
   * retryGpu asks for a new one). Returns false, doing nothing, when `engine` is no longer the one
   * held (a second report of the same loss, or a device already replaced).
   */
  dropGpu(engine: GpuEngine, status: string): boolean;
}

/** Runs per GPU chunk in the app: small enough that the heatmap fills in row by row. */
export const APP_CHUNK_RUNS = 65536;

/** The CPU engine's Web Workers in the app: one a core, at most 8. */
export function cpuWorkerCount(): number {
  return Math.max(1, Math.min(8, globalThis.navigator?.hardwareConcurrency || 2));
}

export async function createEngines(opts: { forceCpu: boolean; forceGpu?: boolean; onDeviceLost: (message: string) => void }): Promise<EngineSet> {
  const workers = cpuWorkerCount();
  // In-process below ~1e5 run-steps keeps tiny sweeps instant; anything larger goes to workers.
  const cpuOpts = { workers, spawn: browserWorkerSpawner(), inProcessBelow: 0 };
  const connect = async (): Promise<void> => {
    const ctx = await acquireBrowserGpu('basinlab app');
    const engine = new GpuEngine(ctx, browserShaderSources, { maxChunkRuns: APP_CHUNK_RUNS, runStepsPerSubmit: 10_000_000, targetSubmitMs: 150 });
    set.gpu = engine;
    set.gpuLost = false;
    const a = ctx.adapter;
    set.status = `WebGPU: ${[a.vendor, a.architecture, a.description].filter(Boolean).join(' / ') || 'adapter'}${set.forceGpu ? '; network sweeps on it too (engine=gpu)' : ''}`;
    void ctx.device.lost.then((info) => {
      if (info.reason === 'destroyed') return;
      if (set.dropGpu(engine, `GPU device lost (${info.message || info.reason}): this view runs on the CPU engine in ${workers} Web Workers; the next run asks for a new GPU device`)) {
        opts.onDeviceLost(set.status);
      }
    });
  };
  // One request at a time: two sweeps asking at once share it (a second device would be orphaned).
  let connecting: Promise<void> | null = null;
  const set: EngineSet = {
    gpu: null,
    forceGpu: opts.forceGpu === true && !opts.forceCpu,
    cpu: new CpuEngine('cpu', cpuOpts),
    cpu64: new CpuEngine('cpu64', cpuOpts),
    status: '',
    gpuLost: false,
    async retryGpu(): Promise<void> {
      if (!set.gpuLost || set.gpu) return;
      connecting ??= connect().then(
        () => {
          connecting = null;
        },
        (e: unknown) => {
          connecting = null;
          // Asked once: a device that cannot be had now is not asked for before every sweep.
          set.gpuLost = false;
          set.status = `GPU device lost, and no new one (${(e as Error).message}): running on the CPU engine in ${workers} Web Workers; reload to retry WebGPU`;
        },
      );
      await connecting;
    },
    dropGpu(engine: GpuEngine, status: string): boolean {
      if (set.gpu !== engine) return false;
      set.gpu = null;
      set.gpuLost = true;
      set.status = status;
      // Its buffers and device go with it (destroying a lost device is allowed and does nothing more).
      void engine.dispose().catch(() => undefined);
      return true;
    },
  };
  if (opts.forceCpu) {
    set.status = `CPU engine (float32) in ${workers} Web Workers: WebGPU turned off by the link (engine=cpu)`;
    return set;
  }
  try {
    await connect();
  } catch (e) {
    const why = e instanceof GpuUnavailableError ? e.message : `WebGPU failed: ${(e as Error).message}`;
    set.status = `No WebGPU (${why}): running on the CPU engine (float32) in ${workers} Web Workers`;
  }
  return set;
}
