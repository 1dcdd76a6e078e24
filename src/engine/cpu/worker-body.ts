/** What a CPU worker does with a request, independent of the worker API it runs under. */
import { makePlan } from '../../core/plan.ts';
import { allocateColumns } from '../../core/results.ts';
import { parseSpec } from '../../core/spec.ts';
import { runRange } from './kernel.ts';
import type { RunRequest, WorkerReply } from './protocol.ts';
import { columnBuffers } from './protocol.ts';

export function handleRequest(req: RunRequest, post: (msg: WorkerReply, transfer: ArrayBuffer[]) => void): void {
  try {
    const plan = makePlan(parseSpec(req.spec));
    const cols = allocateColumns(req.end - req.begin, req.precision, plan.spec);
    runRange(plan, req.precision, req.begin, req.end, cols, (runsDone) => {
      post({ type: 'progress', id: req.id, runsDone }, []);
    });
    post({ type: 'done', id: req.id, columns: cols }, columnBuffers(cols));
  } catch (e) {
    post({ type: 'error', id: req.id, message: (e as Error).message }, []);
  }
}
