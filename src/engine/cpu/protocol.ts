/** Messages between the CPU engine and its workers (Node worker_threads or browser Web Workers). */
import type { AnyColumns } from '../../core/results.ts';
import type { NetTrajectory } from '../../core/trajectory.ts';
import { columnOf, presentFields } from '../../core/results.ts';
import type { Precision } from './kernel.ts';

export type RunRequest =
  | {
      readonly type: 'run';
      readonly id: number;
      /** The resolved spec as JSON: workers rebuild the identical plan from it. */
      readonly spec: unknown;
      readonly precision: Precision;
      readonly begin: number;
      readonly end: number;
    }
  | {
      /** One network run's recorded path (a long one: the main thread stays free for signals). */
      readonly type: 'trajectory';
      readonly id: number;
      readonly spec: unknown;
      readonly precision: Precision;
      readonly run: number;
      readonly every: number;
    };

export type WorkerReply =
  | { readonly type: 'progress'; readonly id: number; readonly runsDone: number }
  | { readonly type: 'done'; readonly id: number; readonly columns: AnyColumns }
  | { readonly type: 'path'; readonly id: number; readonly trajectory: NetTrajectory }
  | { readonly type: 'error'; readonly id: number; readonly message: string };

/** The buffers to transfer (not copy) with a columns message. */
export function columnBuffers(c: AnyColumns): ArrayBuffer[] {
  return presentFields(c).map((f) => (columnOf(c, f) as Float64Array).buffer as ArrayBuffer);
}
