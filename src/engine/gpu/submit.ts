/**
 * The chunked submit loop both GPU engines run (surfaces: engine.ts, networks: net.ts): a chunk's
 * work, counted in units (steps, or the power iteration's iterations), split into submits sized so
 * that each takes about `targetMs`, at a rate learnt from the submits so far. One submit stays in
 * flight behind the one just queued: the device never idles, and progress, cancellation and
 * device loss are noticed within one submit. While it is busy, the time between two completions is
 * the later submit's own time.
 */
import { CancelledError } from '../../core/errors.ts';

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
