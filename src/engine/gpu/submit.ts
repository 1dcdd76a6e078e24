/**
 * The chunked submit loop both GPU engines run (surfaces: engine.ts, networks: net.ts): a chunk's
 * work, counted in units (steps, or the power iteration's iterations), split into submits sized so
 * that each takes about `targetMs`, at a rate learnt from the submits so far. One submit stays in
 * flight behind the one just queued: the device never idles, and progress, cancellation and
 * device loss are noticed within one submit. While it is busy, the time between two completions is
 * the later submit's own time.
 */
import { CancelledError, GpuRunError } from '../../core/errors.ts';

export interface SubmitLoop {
  readonly device: GPUDevice;
  /** Units to run, [0, units). */
  readonly units: number;
  /** Runs of the chunk: the rate is in run-units per millisecond. */
  readonly runs: number;
  readonly targetMs: number;
  /** Run-units per millisecond assumed for the first submit. */
  readonly perMs: number;
  /** Submits (but the last) cover a multiple of this many units (surfaces: the check interval). */
  readonly quantum?: number;
  /**
   * Records units [u0, u0 + want) into a command buffer (or fewer, or more, where the caller must
   * break elsewhere); returns the unit it ends at.
   */
  encode(u0: number, want: number): { readonly u1: number; readonly commands: GPUCommandBuffer };
  /** Throws when the device was lost (or an uncaptured error arrived). */
  checkHealth(): void;
  readonly signal?: AbortSignal | undefined;
  /** After each submit is queued, with the unit where its work begins (what is surely done). */
  onQueued?(u0: number): void;
}

/** Runs the loop to the end (the last submit completed); returns the rate learnt, run-units per ms. */
export async function runSubmits(loop: SubmitLoop): Promise<number> {
  const { device, runs, targetMs } = loop;
  const quantum = loop.quantum ?? 1;
  let perMs = loop.perMs;
  let pending: Promise<undefined> | null = null;
  let lastDone = performance.now();
  let inFlight = 0;
  for (let u0 = 0; u0 < loop.units; ) {
    const want = Math.max(1, Math.round((perMs * targetMs) / runs / quantum)) * quantum;
    const { u1, commands } = loop.encode(u0, want);
    device.queue.submit([commands]);
    if (pending) {
      await pending;
      const now = performance.now();
      // At most 4x growth per submit: one fast measurement must not make a multi-second submit.
      if (now > lastDone) perMs = Math.min(4 * perMs, inFlight / (now - lastDone));
      lastDone = now;
    }
    inFlight = runs * (u1 - u0);
    pending = device.queue.onSubmittedWorkDone() as Promise<undefined>;
    loop.checkHealth();
    if (loop.signal?.aborted) {
      await pending;
      throw new CancelledError();
    }
    loop.onQueued?.(u0);
    u0 = u1;
  }
  if (pending) await pending;
  return perMs;
}

/**
 * Maps `size` bytes of `buffer` for reading. A rejected map (a validation error earlier in the
 * submit, a lost device) carried an empty message (review 24: "OperationError" alone): the error
 * the device queued is reported first (`checkHealth` throws it), else the rejection with what was
 * being read.
 */
export async function mapForRead(buffer: GPUBuffer, checkHealth: () => void, size?: number): Promise<void> {
  try {
    await (size === undefined ? buffer.mapAsync(GPUMapMode.READ) : buffer.mapAsync(GPUMapMode.READ, 0, size));
  } catch (e) {
    // The device's uncaptured-error event is a task of its own: let it arrive before asking.
    await new Promise((resolve) => setTimeout(resolve, 0));
    checkHealth();
    const why = e instanceof Error && e.message ? e.message : String(e instanceof Error ? e.name : e);
    throw new GpuRunError(`reading ${buffer.label || 'a buffer'} back from the GPU failed: ${why}`, 'internal');
  }
  checkHealth();
}

/** The error scopes around a run's allocations (allocationScopes). */
export interface AllocationScopes {
  /** Pops both scopes and throws what they caught, as a GpuRunError naming `what` was allocated. */
  close(what: string): Promise<void>;
  /** Pops them where close() was not reached (a host-side check threw in between); else nothing. */
  release(): Promise<void>;
}

/**
 * Pushes out-of-memory and validation scopes around a run's allocations. Popped by close() once
 * they are made, or by release() in the caller's finally where something threw before: two scopes
 * left pushed would be popped by the next run's close() in their place (review 24).
 */
export function allocationScopes(device: GPUDevice): AllocationScopes {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let open = true;
  const pop = async (): Promise<[GPUError | null, GPUError | null]> => {
    open = false;
    const validation = await device.popErrorScope();
    const oom = await device.popErrorScope();
    return [validation, oom];
  };
  return {
    async close(what) {
      if (!open) return;
      const [validation, oom] = await pop();
      if (oom) throw new GpuRunError(`out of GPU memory allocating ${what}: ${oom.message}`, 'out-of-memory');
      if (validation) throw new GpuRunError(`GPU validation error: ${validation.message}`, 'validation');
    },
    async release() {
      if (open) await pop();
    },
  };
}
