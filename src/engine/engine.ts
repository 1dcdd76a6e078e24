/**
 * The one interface every engine implements. The GPU and CPU engines take the same plan and return
 * the same Results; validation is running two engines and diffing.
 */
import type { AnyPlan, Plan } from '../core/plan.ts';
import type { NetPlan } from '../core/network/plan.ts';
import type { AnyColumns, AnyResults, EngineName, NetResults, ResultColumns, Results } from '../core/results.ts';
import type { NetTrajectory, Trajectory, TrajectoryRequest } from '../core/trajectory.ts';
import { MAX_TRAJECTORY_POINTS, pointCount } from '../core/trajectory.ts';

export interface Progress {
  /** Work done so far and in all, in run-steps. */
  readonly done: number;
  readonly total: number;
  /** Partial results are available for runs [0, runsReady) (those whose every step is done). */
  readonly runsReady?: number;
  /** The columns being filled (rows below runsReady are final), for progressive display. */
  readonly columns?: ResultColumns;
}

export interface RunOptions {
  readonly onProgress?: (p: Progress) => void;
  readonly signal?: AbortSignal;
  /**
   * GPU engine: also keep every run's result record in a device buffer after the run (for drawing
   * the heatmap on the GPU without a round trip through JS). Other engines ignore it.
   */
  readonly retainOnDevice?: boolean;
  /** Run only global runs [begin, end) (a shard); result rows are then relative to begin. */
  readonly range?: { readonly begin: number; readonly end: number };
  /**
   * Called with each finished block of runs, in run order, each run exactly once: rows 0..n-1 of
   * `cols` are runs begin..begin+n-1. The engine waits for the returned promise before reusing
   * the columns, so a slow writer throttles the run instead of piling results up in memory.
   */
  readonly onChunk?: (begin: number, cols: AnyColumns, n: number) => Promise<void> | void;
  /** false: do not keep the whole result (stream through onChunk only); Results columns are empty. */
  readonly keepResults?: boolean;
}

export interface Engine {
  readonly name: EngineName;
  /**
   * Runs every run of the plan (or RunOptions.range). A surface plan gives Results, a network plan
   * NetResults; an engine that cannot run a kind of plan rejects with an Error saying so.
   */
  run(plan: Plan, opts?: RunOptions): Promise<Results>;
  run(plan: NetPlan, opts?: RunOptions): Promise<NetResults>;
  run(plan: AnyPlan, opts?: RunOptions): Promise<AnyResults>;
  /**
   * Records the paths of a batch of runs of the plan (every step, or every k-th), in request order.
   * Each engine records in its own precision; the GPU's paths agree with the CPU's within the same
   * validation thresholds as its sweep results.
   */
  trajectories(plan: Plan, req: TrajectoryRequest): Promise<Trajectory[]>;
  trajectories(plan: NetPlan, req: TrajectoryRequest): Promise<NetTrajectory[]>;
  trajectories(plan: AnyPlan, req: TrajectoryRequest): Promise<Trajectory[] | NetTrajectory[]>;
  /**
   * The results of the last run made with `retainOnDevice`, kept on the engine's device for drawing
   * without a round trip through memory; null for engines without a device, before such a run, or
   * after dispose. Valid until the next retained run or dispose.
   */
  deviceResults(): DeviceResults | null;
  /** Releases workers or the GPU device. */
  dispose(): Promise<void>;
}

/** The global runs [begin, end) a run covers: the whole plan unless RunOptions.range says otherwise. */
export function runRange0(plan: { readonly runs: number }, opts: RunOptions): [number, number] {
  const r = opts.range;
  if (!r) return [0, plan.runs];
  if (!(Number.isInteger(r.begin) && Number.isInteger(r.end) && r.begin >= 0 && r.end <= plan.runs && r.begin < r.end)) {
    throw new Error(`run range ${r.begin}..${r.end} is not inside 0..${plan.runs}`);
  }
  return [r.begin, r.end];
}

/**
 * Results kept on a WebGPU device: one record per run, laid out as `recordWgsl` declares
 * (`struct RunResult`), in run order. What a renderer needs to draw a heatmap on the same device,
 * and nothing of the engine's internals.
 */
export interface DeviceResults {
  readonly device: GPUDevice;
  /** STORAGE buffer of `runs` records. */
  readonly buffer: GPUBuffer;
  /** WGSL declaration of one record (`struct RunResult { … }`). */
  readonly recordWgsl: string;
  /** Bytes per record. */
  readonly recordSize: number;
  readonly runs: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Checks a trajectory request against the plan (run indices, `every`, the total size) and returns
 * its `every`. Throws a RangeError naming the field; the CLI checks the same things up front.
 */
export function checkTrajectoryRequest(plan: { readonly runs: number; readonly spec: { readonly steps: number } }, req: TrajectoryRequest): number {
  const every = req.every ?? 1;
  if (!Number.isInteger(every) || every < 1) throw new RangeError(`every must be an integer >= 1, got ${every}`);
  if (req.runs.length === 0) throw new RangeError('runs: no runs to record');
  for (const r of req.runs) {
    if (!Number.isInteger(r) || r < 0 || r >= plan.runs) throw new RangeError(`runs: ${r} is not a run of this sweep; allowed 0..${plan.runs - 1}`);
  }
  const points = req.runs.length * pointCount(plan.spec.steps, Math.min(every, plan.spec.steps));
  if (points > MAX_TRAJECTORY_POINTS) {
    throw new RangeError(
      `${req.runs.length} runs x ${pointCount(plan.spec.steps, every)} points is more than the ${MAX_TRAJECTORY_POINTS} one request may record; record every k-th step`,
    );
  }
  return every;
}
