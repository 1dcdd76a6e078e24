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
}

export interface Engine {
  readonly name: EngineName;
  run(plan: Plan, opts?: RunOptions): Promise<Results>;
  /** Releases workers or the GPU device. */
  dispose(): Promise<void>;
}
