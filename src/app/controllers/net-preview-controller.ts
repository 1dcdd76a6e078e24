/**
 * The hovered cell of a network map, previewed: that run's curves (train and test loss, LR, gradient
 * norm) recorded by one run of the CPU engine, in-process, drawn faint under the selected and pinned
 * runs' curves. Throttled as the surface preview (preview-controller.ts): recorded after a short
 * pause of the pointer, a request made stale by a newer hover is cancelled and its answer dropped,
 * and the paths of the current sweep are kept (a pointer going back and forth records each run once).
 *
 * The engine: the float32 CPU engine, or the float64 one when the sweep ran on it (a deep zoom). Under
 * SwiftShader the sweep itself ran on the float32 CPU engine, so the preview is the very run that
 * coloured the cell; on a real GPU it is that run's float32 twin (the GPU's network results agree
 * with it within the validation thresholds). A run too costly to record on the page's thread
 * between two frames (NET_PREVIEW_MAX_WORK) is not previewed: `skipped` says so.
 */
import type { Cell } from '../../core/plan.ts';
import { cellInPlan, runOfCell } from '../../core/plan.ts';
import type { NetPlan } from '../../core/network/plan.ts';
import type { NetTrajectory } from '../../core/trajectory.ts';
import type { Engine } from '../../engine/engine.ts';
import { curveEvery } from '../net-runs.ts';
import type { Timers } from './preview-controller.ts';
import { LatestRequest, PREVIEW_DELAY_MS, browserTimers } from './preview-controller.ts';

/**
 * Multiply-adds of one recorded run (steps x samples per step x parameters x 3: forward, backward,
 * update) above which a hover records nothing: the recording runs on the page's thread, and a
 * hover must not stall the page. The fractal preset's run is 40 x 272 x 256 x 3 = 8.4e6; recorded
 * with its test loss at every step it took 34 ms (median of 30; 24 to 49 ms) in Node on the shared
 * 2-core development machine, so 1e7 keeps a hover's stall near that. The Iris default's run is
 * 200 x 16 x 67 x 3 = 6.4e5.
 */
export const NET_PREVIEW_MAX_WORK = 1e7;

/** The work of one run of a plan, in multiply-adds (see NET_PREVIEW_MAX_WORK). */
export function netRunWork(plan: Pick<NetPlan, 'spec' | 'batch' | 'data' | 'layout' | 'dims'>): number {
  // A swept batch size: its largest value.
  const batchDim = plan.dims.find((d) => d.where.kind === 'batch');
  const batch = batchDim ? Math.max(batchDim.range.min, batchDim.range.max) : (plan.batch ?? plan.data.train.n);
  return plan.spec.steps * batch * plan.layout.params * 3;
}

/** The hovered run's ink in the charts: grey, under the selected (black) and pinned runs. */
export const NET_PREVIEW_INK = '#9a9a9a';

/** Most previewed paths kept for the current sweep. */
const MAX_KEPT = 256;

export class NetPreviewController {
  /** The hovered run's curves (null when nothing is hovered, or before they arrive). */
  trajectory: NetTrajectory | null = null;
  /** Why the hovered run is not previewed (a run too costly), or ''. */
  skipped = '';

  private plan: NetPlan | null = null;
  private engine: Engine | null = null;
  private readonly kept = new Map<number, NetTrajectory>();
  private wanted: number | null = null;
  private readonly pending: LatestRequest;

  constructor(
    private readonly host: { requestUpdate(): void },
    delayMs = PREVIEW_DELAY_MS,
    timers: Timers = browserTimers,
  ) {
    this.pending = new LatestRequest(timers, delayMs);
  }

  /** A new network sweep (its plan, the engine that previews its runs): the old sweep's paths go. */
  rebase(plan: NetPlan, engine: Engine): void {
    if (plan === this.plan && engine === this.engine) return;
    this.plan = plan;
    this.engine = engine;
    this.kept.clear();
    const run = this.wanted;
    this.wanted = null;
    this.show(null);
    if (run !== null && run < plan.runs) this.hoverRun(run);
  }

  /** Leaves network views. */
  clear(): void {
    this.pending.cancel();
    this.plan = null;
    this.engine = null;
    this.kept.clear();
    this.wanted = null;
    this.show(null);
  }

  /** The cell under the pointer (or the keyboard cursor), or null when it left the map. */
  hover(cell: Cell | null): void {
    const plan = this.plan;
    if (!cell || !plan || !cellInPlan(plan, cell)) {
      this.pending.cancel();
      this.wanted = null;
      this.show(null);
      return;
    }
    this.hoverRun(runOfCell(plan, cell));
  }

  private hoverRun(run: number): void {
    const plan = this.plan;
    const engine = this.engine;
    if (!plan || !engine || run >= plan.runs) return;
    if (run === this.wanted) return;
    this.wanted = run;
    this.pending.cancel();
    const work = netRunWork(plan);
    if (work > NET_PREVIEW_MAX_WORK) {
      this.skipped = `No hover preview: one run of this sweep is about ${work.toExponential(1)} multiply-adds, too many to record while the pointer moves; click the cell for its curves.`;
      this.show(null);
      return;
    }
    this.skipped = '';
    const hit = this.kept.get(run);
    if (hit) {
      this.show(hit);
      return;
    }
    this.pending.after(
      (signal) => engine.trajectories(plan, { runs: [run], every: curveEvery(plan.spec.steps), signal }),
      ([t]) => {
        if (this.plan !== plan || !t) return;
        if (this.kept.size >= MAX_KEPT) this.kept.delete(this.kept.keys().next().value as number);
        this.kept.set(run, t);
        if (this.wanted === run) this.show(t);
      },
    );
  }

  private show(t: NetTrajectory | null): void {
    if (t === this.trajectory) return;
    this.trajectory = t;
    this.host.requestUpdate();
  }
}
