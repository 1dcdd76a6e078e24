/** What a CPU worker does with a request, independent of the worker API it runs under. */
import { makeAnyPlan, prepareSpec } from '../../core/network/plan.ts';
import type { AnyPlan } from '../../core/plan.ts';
import type { NetColumns, ResultColumns } from '../../core/results.ts';
import { allocateColumns, columnSourceOf } from '../../core/results.ts';
import { parseAnySpec } from '../../core/spec.ts';
import { runRange } from './kernel.ts';
import { recordNetTrajectory, runNetRange } from './network.ts';
import type { RunRequest, WorkerReply } from './protocol.ts';
import { columnBuffers } from './protocol.ts';

/** The plan of the last spec this worker saw: a sweep's blocks all carry the same spec. */
let last: { key: string; plan: AnyPlan } | null = null;

/** Progress messages at most this often: each is a structured clone and a wake-up of the main thread. */
const PROGRESS_MS = 50;

export async function handleRequest(req: RunRequest, post: (msg: WorkerReply, transfer: ArrayBuffer[]) => void): Promise<void> {
  try {
    const key = JSON.stringify(req.spec);
    if (last?.key !== key) {
      const spec = parseAnySpec(req.spec);
      await prepareSpec(spec);
      last = { key, plan: makeAnyPlan(spec) };
    }
    const plan = last.plan;
    if (req.type === 'trajectory') {
      if (plan.problem !== 'network') throw new Error('a worker records network paths only');
      post({ type: 'path', id: req.id, trajectory: recordNetTrajectory(plan, req.precision, req.run, req.every) }, []);
      return;
    }
    const cols = allocateColumns(req.end - req.begin, req.precision, columnSourceOf(plan.spec));
    let sent = performance.now();
    const tick = (runsDone: number): void => {
      const now = performance.now();
      if (now - sent < PROGRESS_MS) return;
      sent = now;
      post({ type: 'progress', id: req.id, runsDone }, []);
    };
    if (plan.problem === 'network') runNetRange(plan, req.precision, req.begin, req.end, cols as NetColumns, tick);
    else runRange(plan, req.precision, req.begin, req.end, cols as ResultColumns, tick);
    post({ type: 'done', id: req.id, columns: cols }, columnBuffers(cols));
  } catch (e) {
    post({ type: 'error', id: req.id, message: (e as Error).message }, []);
  }
}
