/** What a CPU worker does with a request, independent of the worker API it runs under. */
import type { Plan } from '../../core/plan.ts';
import { makePlan } from '../../core/plan.ts';
import { allocateColumns } from '../../core/results.ts';
import { parseSpec } from '../../core/spec.ts';
import { runRange } from './kernel.ts';
import type { RunRequest, WorkerReply } from './protocol.ts';
import { columnBuffers } from './protocol.ts';

/** The plan of the last spec this worker saw: a sweep's blocks all carry the same spec. */
let last: { key: string; plan: Plan } | null = null;

/** Progress messages at most this often: each is a structured clone and a wake-up of the main thread. */
const PROGRESS_MS = 50;

export function handleRequest(req: RunRequest, post: (msg: WorkerReply, transfer: ArrayBuffer[]) => void): void {
  try {
    const key = JSON.stringify(req.spec);
    if (last?.key !== key) last = { key, plan: makePlan(parseSpec(req.spec)) };
    const plan = last.plan;
    const cols = allocateColumns(req.end - req.begin, req.precision, plan.spec);
    let sent = performance.now();
    runRange(plan, req.precision, req.begin, req.end, cols, (runsDone) => {
      const now = performance.now();
      if (now - sent < PROGRESS_MS) return;
      sent = now;
      post({ type: 'progress', id: req.id, runsDone }, []);
    });
    post({ type: 'done', id: req.id, columns: cols }, columnBuffers(cols));
  } catch (e) {
    post({ type: 'error', id: req.id, message: (e as Error).message }, []);
  }
}
