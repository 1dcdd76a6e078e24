/**
 * The one interface every engine implements. The GPU and CPU engines take the same plan and return
 * the same Results; validation is running two engines and diffing.
 */
import type { Plan } from '../core/plan.ts';
import type { EngineName, ResultColumns, Results } from '../core/results.ts';

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
  readonly onChunk?: (begin: number, cols: ResultColumns, n: number) => Promise<void> | void;
  /** false: do not keep the whole result (stream through onChunk only); Results columns are empty. */
  readonly keepResults?: boolean;
}

export interface Engine {
  readonly name: EngineName;
  run(plan: Plan, opts?: RunOptions): Promise<Results>;
  /** Releases workers or the GPU device. */
  dispose(): Promise<void>;
}

/** The global runs [begin, end) a run covers: the whole plan unless RunOptions.range says otherwise. */
export function runRange0(plan: Plan, opts: RunOptions): [number, number] {
  const r = opts.range;
  if (!r) return [0, plan.runs];
  if (!(Number.isInteger(r.begin) && Number.isInteger(r.end) && r.begin >= 0 && r.end <= plan.runs && r.begin < r.end)) {
    throw new Error(`run range ${r.begin}..${r.end} is not inside 0..${plan.runs}`);
  }
  return [r.begin, r.end];
}
