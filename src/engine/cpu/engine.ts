/**
 * The CPU engine: `cpu` (float32 twin of the shaders) or `cpu64` (float64 truth). Runs are split
 * into contiguous blocks handed to a pool of workers (Node worker_threads or Web Workers); small
 * sweeps run in-process in slices, yielding between slices so that progress and cancellation work.
 */
import { CancelledError } from '../../core/errors.ts';
import type { Plan } from '../../core/plan.ts';
import type { EngineName, ResultColumns, Results } from '../../core/results.ts';
import { allocateColumns, copyColumns, makeResults, presentFields } from '../../core/results.ts';
import { specToJSON } from '../../core/spec.ts';
import type { Engine, RunOptions } from '../engine.ts';
import type { Precision } from './kernel.ts';
import { runRange } from './kernel.ts';
import type { RunRequest, WorkerReply } from './protocol.ts';

/** A worker of either kind, reduced to what the pool needs. */
export interface WorkerHandle {
  post(req: RunRequest): void;
  /** Called by the worker wrapper for each reply; set by the pool. */
  onReply: (reply: WorkerReply) => void;
  onFailure: (err: Error) => void;
  terminate(): void;
}

export type WorkerSpawner = () => WorkerHandle;

export interface CpuEngineOptions {
  /** Worker count; 0 runs everything in-process. */
  readonly workers: number;
  readonly spawn: WorkerSpawner | null;
  /** Below this many run-steps, workers are not worth their start-up time. */
  readonly inProcessBelow?: number;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export class CpuEngine implements Engine {
  private pool: WorkerHandle[] = [];

  constructor(
    readonly name: Extract<EngineName, 'cpu' | 'cpu64'>,
    private readonly opts: CpuEngineOptions,
  ) {}

  get precision(): Precision {
    return this.name === 'cpu' ? 'f32' : 'f64';
  }

  async run(plan: Plan, opts: RunOptions = {}): Promise<Results> {
    const t0 = performance.now();
    const cols = allocateColumns(plan.runs, this.precision, plan.spec.swa !== null);
    const work = plan.runs * plan.spec.steps;
    const useWorkers =
      this.opts.spawn !== null && this.opts.workers > 0 && work >= (this.opts.inProcessBelow ?? 2_000_000) && plan.runs > 1;
    if (useWorkers) await this.runPooled(plan, cols, opts);
    else await this.runInProcess(plan, cols, opts);
    const elapsed = performance.now() - t0;
    return makeResults(plan, this.name, cols, {
      workers: useWorkers ? Math.min(this.opts.workers, plan.runs) : 0,
      elapsed_ms: Math.round(elapsed),
    });
  }

  private async runInProcess(plan: Plan, cols: ResultColumns, opts: RunOptions): Promise<void> {
    const steps = plan.spec.steps;
    const slice = Math.max(1, Math.floor(200_000 / steps));
    const part = allocateColumns(Math.min(slice, plan.runs), this.precision, plan.spec.swa !== null);
    for (let begin = 0; begin < plan.runs; begin += slice) {
      if (opts.signal?.aborted) throw new CancelledError();
      const end = Math.min(plan.runs, begin + slice);
      runRange(plan, this.precision, begin, end, part);
      for (const f of presentFields(part)) (cols[f] as Float64Array).set((part[f] as Float64Array).subarray(0, end - begin), begin);
      opts.onProgress?.({ done: end * steps, total: plan.runs * steps, runsReady: end, columns: cols });
      await yieldToEventLoop();
    }
  }

  private ensurePool(n: number): WorkerHandle[] {
    const spawn = this.opts.spawn;
    if (!spawn) throw new Error('no worker spawner');
    while (this.pool.length < n) this.pool.push(spawn());
    return this.pool.slice(0, n);
  }

  private runPooled(plan: Plan, cols: ResultColumns, opts: RunOptions): Promise<void> {
    const steps = plan.spec.steps;
    const nWorkers = Math.min(this.opts.workers, plan.runs);
    const workers = this.ensurePool(nWorkers);
    // Enough blocks for load balance and smooth progress, few enough that messages stay cheap.
    const block = Math.max(16, Math.min(16_384, Math.ceil(plan.runs / (nWorkers * 16))));
    const blocks: [number, number][] = [];
    for (let b = 0; b < plan.runs; b += block) blocks.push([b, Math.min(plan.runs, b + block)]);
    const spec = specToJSON(plan.spec);
    const inFlight = new Map<number, { begin: number; end: number; done: number }>();
    const finished = new Uint8Array(blocks.length);
    let next = 0;
    let completedRuns = 0;
    let readyBlocks = 0;

    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (e: Error): void => {
        if (settled) return;
        settled = true;
        opts.signal?.removeEventListener('abort', onAbort);
        // A worker mid-block cannot be interrupted; replace the pool rather than wait for it.
        for (const w of this.pool) w.terminate();
        this.pool = [];
        reject(e);
      };
      const onAbort = (): void => fail(new CancelledError());
      opts.signal?.addEventListener('abort', onAbort);
      if (opts.signal?.aborted) return onAbort();

      const report = (): void => {
        let partial = 0;
        for (const f of inFlight.values()) partial += f.done;
        while (readyBlocks < blocks.length && finished[readyBlocks]) readyBlocks++;
        const runsReady = readyBlocks < blocks.length ? (blocks[readyBlocks] as [number, number])[0] : plan.runs;
        opts.onProgress?.({ done: (completedRuns + partial) * steps, total: plan.runs * steps, runsReady, columns: cols });
      };

      const feed = (w: WorkerHandle): void => {
        if (next >= blocks.length) return;
        const id = next++;
        const [begin, end] = blocks[id] as [number, number];
        inFlight.set(id, { begin, end, done: 0 });
        w.post({ type: 'run', id, spec, precision: this.precision, begin, end });
      };

      for (const w of workers) {
        w.onFailure = fail;
        w.onReply = (msg) => {
          if (settled) return;
          const job = inFlight.get(msg.id);
          if (!job) return;
          if (msg.type === 'progress') {
            job.done = msg.runsDone;
            report();
          } else if (msg.type === 'error') {
            fail(new Error(`CPU worker failed on runs ${job.begin}..${job.end}: ${msg.message}`));
          } else {
            copyColumns(cols, msg.columns, job.begin);
            inFlight.delete(msg.id);
            finished[msg.id] = 1;
            completedRuns += job.end - job.begin;
            report();
            if (completedRuns === plan.runs) {
              settled = true;
              opts.signal?.removeEventListener('abort', onAbort);
              resolve();
            } else {
              feed(w);
            }
          }
        };
        feed(w);
      }
    });
  }

  async dispose(): Promise<void> {
    for (const w of this.pool) w.terminate();
    this.pool = [];
  }
}
