/**
 * The hovered cell's path, previewed on the contour plot as the pointer (or the keyboard cursor)
 * moves: recorded on the preview engine (the float32 CPU engine, in-process: see paths.ts), cached,
 * after a short pause so that a pointer crossing the map does not record every cell it passes, and
 * a request made stale by a newer hover is cancelled and its answer dropped.
 */
import { CancelledError } from '../../core/errors.ts';
import type { Plan } from '../../core/plan.ts';
import type { Trajectory } from '../../core/trajectory.ts';
import type { Engine } from '../../engine/engine.ts';
import type { Cell } from '../runs.ts';
import { cellInPlan, runOfCell } from '../runs.ts';
import type { PathEngines, SweepSource, TrajectoryCache } from './paths.ts';
import { previewEngine } from './paths.ts';

/** Pause of the hover before its path is recorded: below what a person notices, above a pointer's pass over a cell. */
export const PREVIEW_DELAY_MS = 30;

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const browserTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class PreviewController {
  /** The previewed path (null when nothing is hovered, or before its path arrived). */
  trajectory: Trajectory | null = null;
  /** The cell whose path `trajectory` is. */
  cell: Cell | null = null;

  private timer: unknown = null;
  private abort: AbortController | null = null;
  private wanted: Cell | null = null;

  constructor(
    private readonly host: { requestUpdate(): void },
    private readonly engines: PathEngines,
    private readonly sweep: SweepSource,
    private readonly cache: TrajectoryCache,
    private readonly delayMs = PREVIEW_DELAY_MS,
    private readonly timers: Timers = browserTimers,
  ) {}

  /** The cell under the pointer or the cursor, or null when it left the heatmap. */
  hover(cell: Cell | null): void {
    if (cell && this.wanted && cell.i === this.wanted.i && cell.j === this.wanted.j) return;
    this.wanted = cell;
    this.cancelPending();
    const plan = this.sweep.plan;
    if (!cell || !plan || !cellInPlan(plan, cell)) {
      this.show(null, null);
      return;
    }
    const engine = previewEngine(this.engines, this.sweep.engine, plan.spec.steps);
    const run = runOfCell(plan, cell);
    const hit = this.cache.peek(engine, plan, run);
    if (hit) {
      this.show(hit, cell);
      return;
    }
    this.timer = this.timers.set(() => {
      this.timer = null;
      void this.request(engine, plan, cell, run);
    }, this.delayMs);
  }

  /** A new sweep: the hovered cell's path is the new sweep's run there (the old one's goes). */
  rebase(): void {
    const cell = this.wanted;
    this.wanted = null;
    this.show(null, null);
    this.hover(cell);
  }

  private async request(engine: Engine, plan: Plan, cell: Cell, run: number): Promise<void> {
    const abort = new AbortController();
    this.abort = abort;
    try {
      const [t] = await this.cache.record(engine, plan, [run], abort.signal);
      if (this.abort !== abort || this.sweep.plan !== plan || !t) return;
      this.abort = null;
      this.show(t, cell);
    } catch (e) {
      // A preview that fails says nothing: the click that selects the run reports the error.
      if (!(e instanceof CancelledError) && this.abort === abort) this.abort = null;
    }
  }

  private cancelPending(): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
    this.abort?.abort();
    this.abort = null;
  }

  private show(t: Trajectory | null, cell: Cell | null): void {
    if (t === this.trajectory && cell === this.cell) return;
    this.trajectory = t;
    this.cell = cell;
    this.host.requestUpdate();
  }
}
