/** Messages between the CPU engine and its workers (Node worker_threads or browser Web Workers). */
import type { ResultColumns } from '../../core/results.ts';
import { presentFields } from '../../core/results.ts';
import type { Precision } from './kernel.ts';

export interface RunRequest {
  readonly type: 'run';
  readonly id: number;
  /** The resolved spec as JSON: workers rebuild the identical plan from it. */
  readonly spec: unknown;
  readonly precision: Precision;
  readonly begin: number;
  readonly end: number;
}

export type WorkerReply =
  | { readonly type: 'progress'; readonly id: number; readonly runsDone: number }
  | { readonly type: 'done'; readonly id: number; readonly columns: ResultColumns }
  | { readonly type: 'error'; readonly id: number; readonly message: string };

/** The buffers to transfer (not copy) with a columns message. */
export function columnBuffers(c: ResultColumns): ArrayBuffer[] {
  return presentFields(c).map((f) => (c[f] as Float64Array).buffer as ArrayBuffer);
}
