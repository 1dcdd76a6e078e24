/**
 * The hovered and the selected run, and the selected run's path: recorded by the engine that ran
 * the sweep (`engine.trajectories(plan, { runs: [run] })`, see paths.ts), so the path is the one
 * that produced the cell's colour.
 *
 * The selection is its sweep coordinates, not its cell: a new sweep (an edit, a zoom, a slider, a
 * dragged start) selects the run nearest them (runs.ts carryRun) and records its path again, so the
 * selection survives edits. A path that arrives after the selection or the sweep changed is dropped.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { CancelledError } from '../../core/errors.ts';
import type { Cell, Plan } from '../../core/plan.ts';
import { cellInPlan, cellOfRun, runCoordinates, runOfCell } from '../../core/plan.ts';
import { minimumLabel } from '../../core/outcome.ts';
import { prose } from '../../view/caption.ts';
import type { Trajectory } from '../../core/trajectory.ts';
import { carryRun, runLabel } from '../runs.ts';
import type { MessageLine } from './message.ts';
import type { PathEngines, SweepSource, TrajectoryCache } from './paths.ts';
import { pathEngine } from './paths.ts';

export interface RunDescription {
  readonly coords: Record<string, number>;
  readonly outcome: string;
  readonly fields: Record<string, number>;
}

/** What the selection needs of the shown sweep. */
export interface SelectionSweep extends SweepSource {
  readonly columns: {
    readonly basin: ArrayLike<number>;
    readonly diverged: ArrayLike<number>;
    readonly final_x: ArrayLike<number>;
    readonly final_y: ArrayLike<number>;
    readonly loss: ArrayLike<number>;
    readonly steps_to_converge: ArrayLike<number>;
    readonly sharpness: ArrayLike<number>;
  } | null;
  readonly runsReady: number;
}

export class SelectionController implements ReactiveController {
  hover: Cell | null = null;
  selected: Cell | null = null;
  /** Sweep coordinates of the selected run as first chosen (kept across sweeps). */
  coords: Record<string, number> | null = null;
  trajectory: Trajectory | null = null;
  /** The engine that recorded `trajectory`, and whether it is the sweep's own. */
  source = '';
  exact = false;
  /** The selected run's hyperparameters, for labels. */
  label = '';

  /** The plan the selection (and its path) belongs to: where its unswept values are read when the next sweep adds an axis (runs.ts carry). */
  private plan: Plan | null = null;

  /** The plan the selection was last placed in (null for a link's, whose other values are unknown). */
  get placedIn(): Plan | null {
    return this.plan;
  }
  /** The request whose path may still be shown; replaced or cleared when that is no longer so. */
  private pending: AbortController | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly engines: PathEngines,
    private readonly message: MessageLine,
    private readonly sweep: SelectionSweep,
    private readonly cache: TrajectoryCache,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.pending?.abort();
  }

  /** Nothing selected. */
  clear(): void {
    this.pending?.abort();
    this.pending = null;
    this.selected = null;
    this.coords = null;
    this.trajectory = null;
    this.source = '';
    this.label = '';
    this.host.requestUpdate();
  }

  runOf(cell: Cell): number {
    return runOfCell(this.sweep.plan ?? { width: 1 }, cell);
  }

  setHover(cell: Cell | null): void {
    this.hover = cell;
    this.host.requestUpdate();
  }

  /** Selects a run of the shown sweep and records its path. */
  select(cell: Cell): void {
    const plan = this.sweep.plan;
    if (!plan || !cellInPlan(plan, cell)) return;
    const run = runOfCell(plan, cell);
    this.coords = runCoordinates(plan, run);
    this.trajectory = null;
    this.place(plan, run);
  }

  /** A selection read from a link, before its sweep exists: it takes its run when the first plan comes (`rebase`). */
  restore(coords: Readonly<Record<string, number>>): void {
    this.clear();
    this.plan = null;
    this.coords = { ...coords };
  }

  /**
   * A new sweep (or the plan of an edit about to run): the selection moves to the run nearest its
   * coordinates, and its path is recorded again. The old path stays on screen until then.
   */
  rebase(plan: Plan): void {
    const run = this.coords ? carryRun(plan, this.coords, this.plan) : null;
    // A sweep with no parameter in common with the selected run's has no place for it, nor for the cursor.
    if (this.coords && run === null) {
      this.clear();
      this.hover = null;
    }
    if (run === null) {
      this.plan = plan;
      return;
    }
    this.place(plan, run);
  }

  /** The sweep finished: a path recorded ahead of it on the preview engine is recorded on the sweep's own. */
  settle(plan: Plan): void {
    if (this.coords && this.plan === plan && !this.exact) this.place(plan, runOfCell(plan, this.selected ?? { i: 0, j: 0 }));
  }

  private place(plan: Plan, run: number): void {
    const pick = pathEngine(this.engines, this.sweep.engine, this.sweep.running || this.sweep.plan !== plan, plan.spec.steps);
    this.plan = plan;
    this.selected = cellOfRun(plan, run);
    this.label = runLabel(plan, run);
    this.pending?.abort();
    this.pending = null;
    this.host.requestUpdate();
    if (!pick) return;
    const request = new AbortController();
    this.pending = request;
    const stale = (): boolean => this.pending !== request || this.plan !== plan;
    this.cache.record(pick.engine, plan, [run], request.signal).then(
      ([t]) => {
        if (stale() || !t) return;
        this.pending = null;
        this.trajectory = t;
        this.source = pick.engine.name;
        this.exact = pick.exact;
        this.host.requestUpdate();
      },
      (e: unknown) => {
        if (stale() || e instanceof CancelledError) return;
        this.pending = null;
        this.message.say(`Trajectory failed: ${(e as Error).message}`);
      },
    );
  }

  /** What the details panel says about a run of the shown sweep (null before its results are in). */
  describe(cell: Cell | null): RunDescription | null {
    const plan = this.sweep.plan;
    const c = this.sweep.columns;
    if (!plan || !c || !cell || !cellInPlan(plan, cell)) return null;
    const run = this.runOf(cell);
    if (run >= this.sweep.runsReady) return null;
    const b = c.basin[run] as number;
    const m = b >= 0 ? plan.minima[b] : undefined;
    // Diverged says where: the run's final position is where it was thrown to (often ±∞), which
    // alone read as a broken number (walkthrough 12).
    const outcome = c.diverged[run]
      ? `diverged (beyond ±${prose(plan.bound)} in x or y, or x or y no longer a number, at a check)`
      : m
        ? `reached ${minimumLabel(m, b)} at (${m.x.toPrecision(4)}, ${m.y.toPrecision(4)})`
        : 'did not converge';
    return {
      coords: runCoordinates(plan, run),
      outcome,
      fields: {
        final_x: c.final_x[run] as number,
        final_y: c.final_y[run] as number,
        loss: c.loss[run] as number,
        steps_to_converge: c.steps_to_converge[run] as number,
        sharpness: c.sharpness[run] as number,
      },
    };
  }
}
