/**
 * The hovered cell's path, previewed on the contour plot as the pointer (or the keyboard cursor)
 * moves: recorded on the preview engine (the float32 CPU engine, in-process: see paths.ts), cached,
 * after a short pause so that a pointer crossing the map does not record every cell it passes, and
 * a request made stale by a newer hover is cancelled and its answer dropped.
 */
import { cellInPlan, runOfCell } from '../../core/plan.ts';
import type { Cell } from '../../core/plan.ts';
import { CancelledError } from '../../core/errors.ts';
import type { Trajectory } from '../../core/trajectory.ts';
import type { PathEngines, SweepSource, TrajectoryCache } from './paths.ts';
import { previewEngine } from './paths.ts';

/** Pause of the hover before its path is recorded: below what a person notices, above a pointer's pass over a cell. */
export const PREVIEW_DELAY_MS = 30;

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const browserTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * A hover preview's one pending request: a pause (the pointer may move on), then one cancellable
 * request whose answer counts only if no newer one started meanwhile. A request that fails says
 * nothing: the click that selects the run reports the error. (The surface and the network previews.)
 */
export class LatestRequest {
  private timer: unknown = null;
  private abort: AbortController | null = null;

  constructor(
    private readonly timers: Timers,
    private readonly delayMs: number,
  ) {}

  /** After the pause, `fetch`; `use` gets its answer unless cancelled or superseded meanwhile. */
  after<T>(fetch: (signal: AbortSignal) => Promise<T>, use: (answer: T) => void): void {
    this.timer = this.timers.set(() => {
      this.timer = null;
      void this.request(fetch, use);
    }, this.delayMs);
  }

  /** Drops the pending pause and stops the request in flight. */
  cancel(): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
    this.abort?.abort();
    this.abort = null;
  }

  private async request<T>(fetch: (signal: AbortSignal) => Promise<T>, use: (answer: T) => void): Promise<void> {
    const abort = new AbortController();
    this.abort = abort;
    try {
      const answer = await fetch(abort.signal);
      if (this.abort !== abort) return;
      this.abort = null;
      use(answer);
    } catch (e) {
      if (!(e instanceof CancelledError) && this.abort === abort) this.abort = null;
    }
  }
}

export class PreviewController {
  /** The previewed path (null when nothing is hovered, or before its path arrived). */
  trajectory: Trajectory | null = null;
  /** The cell whose path `trajectory` is. */
  cell: Cell | null = null;

  private wanted: Cell | null = null;
  private readonly pending: LatestRequest;

  constructor(
    private readonly host: { requestUpdate(): void },
    private readonly engines: PathEngines,
    private readonly sweep: SweepSource,
    private readonly cache: TrajectoryCache,
    delayMs = PREVIEW_DELAY_MS,
    timers: Timers = browserTimers,
  ) {
    this.pending = new LatestRequest(timers, delayMs);
  }

  /** The cell under the pointer or the cursor, or null when it left the heatmap. */
  hover(cell: Cell | null): void {
    if (cell && this.wanted && cell.i === this.wanted.i && cell.j === this.wanted.j) return;
    this.wanted = cell;
    this.pending.cancel();
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
    this.pending.after(
      (signal) => this.cache.record(engine, plan, [run], signal),
      ([t]) => {
        if (this.sweep.plan === plan && t) this.show(t, cell);
      },
    );
  }

  /** A new sweep: the hovered cell's path is the new sweep's run there (the old one's goes). */
  rebase(): void {
    const cell = this.wanted;
    this.wanted = null;
    this.show(null, null);
    this.hover(cell);
  }

  private show(t: Trajectory | null, cell: Cell | null): void {
    if (t === this.trajectory && cell === this.cell) return;
    this.trajectory = t;
    this.cell = cell;
    this.host.requestUpdate();
  }
}
