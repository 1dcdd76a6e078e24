/**
 * The CPU engine: `cpu` (float32 twin of the shaders) or `cpu64` (float64 truth). Runs are split
 * into contiguous blocks handed to a pool of workers (Node worker_threads or Web Workers); small
 * sweeps run in-process in slices, yielding between slices so that progress and cancellation work.
 */
import { CancelledError } from '../../core/errors.ts';
import type { AnyPlan, Plan } from '../../core/plan.ts';
import type { NetPlan } from '../../core/network/plan.ts';
import type { AnyColumns, AnyResults, EngineName, NetColumns, NetResults, ResultColumns, Results } from '../../core/results.ts';
import { allocateColumns, columnOf, columnSourceOf, copyColumns, makeNetResults, makeResults, presentFields } from '../../core/results.ts';
import { anySpecToJSON } from '../../core/spec.ts';
import type { Trajectory, TrajectoryRequest } from '../../core/trajectory.ts';
import type { DeviceResults, Engine, RunOptions } from '../engine.ts';
import { runRange0 } from '../engine.ts';
import type { Precision } from './kernel.ts';
import { recordTrajectory, runRange } from './kernel.ts';
import { recordNetTrajectory, runNetRange } from './network.ts';
import type { NetTrajectory } from '../../core/trajectory.ts';
import { checkTrajectoryRequest } from '../engine.ts';
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

/** How long trajectories() records paths between yields to the event loop. */
const TRAJECTORY_YIELD_MS = 25;

/**
 * A yield for trajectories(): to the event loop once TRAJECTORY_YIELD_MS have passed since the last
 * one, else none. A timer yield costs at least a millisecond, and one per run made 10,000 short
 * paths take 19 s for 1.7 s of work (walkthrough 23); every 25 ms still lets a cancellation (a
 * signal handled on the event loop) through at once, as the per-run check then sees it.
 */
function pauser(): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < TRAJECTORY_YIELD_MS) return;
    await yieldToEventLoop();
    last = performance.now();
  };
}

/**
 * What one step of a run costs relative to a surface step, for slicing and the in-process
 * threshold: a network's forward and backward pass over its batch, about params x batch
 * multiply-adds three times over, against a surface step's few dozen operations.
 */
export function stepCost(plan: AnyPlan): number {
  if (plan.problem === 'surface') return 1;
  return passCost(plan.layout.params, plan.batch ?? plan.data.train.n);
}

/** A forward and backward pass of a network of `params` parameters over `rows` samples, in stepCost units. */
function passCost(params: number, rows: number): number {
  return Math.max(1, Math.round((3 * params * rows) / 50));
}

/**
 * Work of a run after its steps, in stepCost units: a network's sharpness outcome, up to
 * `network.sharpness_iterations` Hessian-vector products of about two gradient passes over the
 * training set each (walkthrough 13: at Iris's default it was three quarters of a 5.7 s sweep, left
 * out of the estimate, so the sweep ran in the main thread whatever --workers said).
 */
export function endCost(plan: AnyPlan): number {
  if (plan.problem === 'surface') return 0;
  const most = plan.spec.network.sharpness_iterations as number;
  return 2 * most * passCost(plan.layout.params, plan.data.train.n);
}


/**
 * Work (in stepCost units) from which even a single run trains in a worker: a few seconds of a
 * network run on one core (a 1M-parameter network on 40 samples does about 1.5e7 a second).
 */
export const LONG_SINGLE_RUN = 50_000_000;

export class CpuEngine implements Engine {
  /**
   * Workers between runs, and every worker alive. Runs on one engine may overlap (the app's
   * explorer sweep and a study share its CPU engine): each run leases workers of its own, so that
   * no run's replies (their block ids count from 0 in every run) reach another run's handlers, and
   * a run that fails or is cancelled terminates only its own.
   */
  private idle: WorkerHandle[] = [];
  private readonly live = new Set<WorkerHandle>();

  constructor(
    readonly name: Extract<EngineName, 'cpu' | 'cpu64'>,
    private readonly opts: CpuEngineOptions,
  ) {}

  get precision(): Precision {
    return this.name === 'cpu' ? 'f32' : 'f64';
  }

  run(plan: Plan, opts?: RunOptions): Promise<Results>;
  run(plan: NetPlan, opts?: RunOptions): Promise<NetResults>;
  run(plan: AnyPlan, opts?: RunOptions): Promise<AnyResults>;
  async run(plan: AnyPlan, opts: RunOptions = {}): Promise<AnyResults> {
    const t0 = performance.now();
    const [r0, r1] = runRange0(plan, opts);
    const n = r1 - r0;
    const keep = opts.keepResults !== false;
    const cols = allocateColumns(keep ? n : 0, this.precision, columnSourceOf(plan.spec));
    const work = n * (plan.spec.steps * stepCost(plan) + endCost(plan));
    // A single run goes to a worker only when long: the thread that waits for it then stays free
    // to honour a cancellation (Ctrl-C) instead of blocking until the run ends.
    const useWorkers = this.opts.spawn !== null && this.opts.workers > 0 && work >= (this.opts.inProcessBelow ?? 2_000_000) && (n > 1 || work >= LONG_SINGLE_RUN);
    if (useWorkers) await this.runPooled(plan, r0, r1, keep ? cols : null, opts);
    else await this.runInProcess(plan, r0, r1, keep ? cols : null, opts);
    const elapsed = performance.now() - t0;
    const meta = {
      workers: useWorkers ? Math.min(this.opts.workers, n) : 0,
      elapsed_ms: Math.round(elapsed),
      ...(r0 !== 0 || r1 !== plan.runs ? { first_run: r0, runs: n } : {}),
    };
    return plan.problem === 'network' ? makeNetResults(plan, this.name, cols as NetColumns, meta) : makeResults(plan, this.name, cols as ResultColumns, meta);
  }

  private async runInProcess(plan: AnyPlan, r0: number, r1: number, cols: AnyColumns | null, opts: RunOptions): Promise<void> {
    const steps = plan.spec.steps;
    const slice = Math.max(1, Math.floor(200_000 / (steps * stepCost(plan))));
    const part = allocateColumns(Math.min(slice, r1 - r0), this.precision, columnSourceOf(plan.spec));
    for (let begin = r0; begin < r1; begin += slice) {
      if (opts.signal?.aborted) throw new CancelledError();
      const end = Math.min(r1, begin + slice);
      if (plan.problem === 'network') runNetRange(plan, this.precision, begin, end, part as NetColumns);
      else runRange(plan, this.precision, begin, end, part as ResultColumns);
      if (cols) {
        for (const f of presentFields(part)) (columnOf(cols, f) as Float64Array).set((columnOf(part, f) as Float64Array).subarray(0, end - begin), begin - r0);
      }
      await opts.onChunk?.(begin, part, end - begin);
      opts.onProgress?.({ done: (end - r0) * steps, total: (r1 - r0) * steps, runsReady: end - r0, ...(cols && plan.problem === 'surface' ? { columns: cols as ResultColumns } : {}) });
      await yieldToEventLoop();
    }
    // A cancellation during the last slice (or its hand-over) is honoured too.
    if (opts.signal?.aborted) throw new CancelledError();
  }

  /** n workers for one run alone: idle ones first, new ones for the rest. */
  private lease(n: number): WorkerHandle[] {
    const spawn = this.opts.spawn;
    if (!spawn) throw new Error('no worker spawner');
    const out = this.idle.splice(Math.max(0, this.idle.length - n));
    while (out.length < n) {
      const w = spawn();
      this.live.add(w);
      out.push(w);
    }
    return out;
  }

  /** A run's workers back, all idle; more than the engine's worker count (overlapping runs) are ended. */
  private release(workers: readonly WorkerHandle[]): void {
    for (const w of workers) {
      w.onReply = () => {};
      // One that dies while idle is dropped, not handed to the next run (which would wait on it).
      w.onFailure = () => {
        this.idle = this.idle.filter((x) => x !== w);
        this.live.delete(w);
      };
      if (this.idle.length < this.opts.workers) this.idle.push(w);
      else this.discard([w]);
    }
  }

  private discard(workers: readonly WorkerHandle[]): void {
    for (const w of workers) {
      w.terminate();
      this.live.delete(w);
    }
  }

  private runPooled(plan: AnyPlan, r0: number, r1: number, cols: AnyColumns | null, opts: RunOptions): Promise<void> {
    const steps = plan.spec.steps;
    const total = r1 - r0;
    const nWorkers = Math.min(this.opts.workers, total);
    const workers = this.lease(nWorkers);
    // Enough blocks for load balance and smooth progress, few enough that messages stay cheap.
    // (A network run costs a thousand surface runs: its blocks may be a single run.)
    const minBlock = plan.problem === 'network' ? 1 : 16;
    const block = Math.max(minBlock, Math.min(16_384, Math.ceil(total / (nWorkers * 16))));
    const blocks: [number, number][] = [];
    for (let b = r0; b < r1; b += block) blocks.push([b, Math.min(r1, b + block)]);
    const spec = anySpecToJSON(plan.spec);
    const inFlight = new Map<number, { begin: number; end: number; done: number }>();
    // Finished blocks waiting to be handed to onChunk in run order (workers finish out of order).
    const waiting = new Map<number, AnyColumns>();
    // Blocks a consumer may lag behind before no more are started: bounds memory when streaming.
    const maxAhead = 4 * nWorkers;
    let next = 0;
    let flushed = 0;
    let completedRuns = 0;
    let flushing: Promise<void> = Promise.resolve();

    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (e: Error): void => {
        if (settled) return;
        settled = true;
        opts.signal?.removeEventListener('abort', onAbort);
        // A worker mid-block cannot be interrupted: end this run's workers rather than wait for them.
        this.discard(workers);
        reject(e);
      };
      const onAbort = (): void => fail(new CancelledError());
      opts.signal?.addEventListener('abort', onAbort);
      if (opts.signal?.aborted) return onAbort();

      const report = (): void => {
        let partial = 0;
        for (const f of inFlight.values()) partial += f.done;
        const runsReady = flushed < blocks.length ? (blocks[flushed] as [number, number])[0] - r0 : total;
        opts.onProgress?.({ done: (completedRuns + partial) * steps, total: total * steps, runsReady, ...(cols && plan.problem === 'surface' ? { columns: cols as ResultColumns } : {}) });
      };

      const idle: WorkerHandle[] = [];
      const feed = (w: WorkerHandle): void => {
        if (next >= blocks.length) return;
        if (next - flushed >= maxAhead) {
          idle.push(w);
          return;
        }
        const id = next++;
        const [begin, end] = blocks[id] as [number, number];
        inFlight.set(id, { begin, end, done: 0 });
        w.post({ type: 'run', id, spec, precision: this.precision, begin, end });
      };

      /** Hands finished blocks to onChunk in order, one at a time, then restarts idle workers. */
      const flush = (): void => {
        flushing = flushing.then(async () => {
          while (!settled && waiting.has(flushed)) {
            const c = waiting.get(flushed) as AnyColumns;
            waiting.delete(flushed);
            const [begin, end] = blocks[flushed] as [number, number];
            if (cols) copyColumns(cols, c, begin - r0);
            await opts.onChunk?.(begin, c, end - begin);
            flushed++;
          }
          while (idle.length > 0 && next - flushed < maxAhead && next < blocks.length) feed(idle.pop() as WorkerHandle);
          report();
          if (!settled && flushed === blocks.length) {
            settled = true;
            opts.signal?.removeEventListener('abort', onAbort);
            this.release(workers);
            resolve();
          }
        }).catch((e: unknown) => fail(e instanceof Error ? e : new Error(String(e))));
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
          } else if (msg.type === 'done') {
            inFlight.delete(msg.id);
            completedRuns += job.end - job.begin;
            waiting.set(msg.id, msg.columns);
            flush();
            feed(w);
          }
        };
        feed(w);
      }
    });
  }

  /** One network run's path recorded by a worker spawned for it (terminated on abort or when done). */
  private pathInWorker(plan: NetPlan, run: number, every: number, signal: AbortSignal | undefined): Promise<NetTrajectory> {
    const spawn = this.opts.spawn;
    if (!spawn) throw new Error('no worker spawner');
    const w = spawn();
    return new Promise<NetTrajectory>((resolve, reject) => {
      const end = (): void => {
        signal?.removeEventListener('abort', onAbort);
        w.terminate();
      };
      const onAbort = (): void => {
        end();
        reject(new CancelledError());
      };
      signal?.addEventListener('abort', onAbort);
      w.onFailure = (e) => {
        end();
        reject(e);
      };
      w.onReply = (msg) => {
        if (msg.type === 'path') {
          end();
          resolve(msg.trajectory);
        } else if (msg.type === 'error') {
          end();
          reject(new Error(`CPU worker failed on the path of run ${run}: ${msg.message}`));
        }
      };
      w.post({ type: 'trajectory', id: 0, spec: anySpecToJSON(plan.spec), precision: this.precision, run, every });
    });
  }

  /**
   * Paths are recorded in-process: a path is one run, and a batch is a handful (the app's hover
   * preview and pinned runs), so worker start-up would cost more than it saves; except a network
   * path of LONG_SINGLE_RUN work, recorded in a worker of its own (pathInWorker).
   */
  trajectories(plan: Plan, req: TrajectoryRequest): Promise<Trajectory[]>;
  trajectories(plan: NetPlan, req: TrajectoryRequest): Promise<NetTrajectory[]>;
  trajectories(plan: AnyPlan, req: TrajectoryRequest): Promise<Trajectory[] | NetTrajectory[]>;
  async trajectories(plan: AnyPlan, req: TrajectoryRequest): Promise<Trajectory[] | NetTrajectory[]> {
    const every = checkTrajectoryRequest(plan, req);
    if (plan.problem === 'network') {
      // A long path (LONG_SINGLE_RUN work) is recorded in a worker of its own, so that this thread
      // stays free to honour a cancellation (Ctrl-C) instead of blocking until the path ends.
      const long = this.opts.spawn !== null && this.opts.workers > 0 && plan.spec.steps * stepCost(plan) >= LONG_SINGLE_RUN;
      const out: NetTrajectory[] = [];
      const pause = pauser();
      for (const run of req.runs) {
        if (req.signal?.aborted) throw new CancelledError();
        out.push(long ? await this.pathInWorker(plan, run, every, req.signal) : recordNetTrajectory(plan, this.precision, run, every));
        await pause();
      }
      return out;
    }
    const out: Trajectory[] = [];
    const pause = pauser();
    for (const run of req.runs) {
      if (req.signal?.aborted) throw new CancelledError();
      out.push(recordTrajectory(plan, this.precision, run, every));
      await pause();
    }
    return out;
  }

  deviceResults(): DeviceResults | null {
    return null;
  }

  async dispose(): Promise<void> {
    this.discard([...this.live]);
    this.idle = [];
  }
}
