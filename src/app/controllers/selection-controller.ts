/**
 * The hovered and the selected run, and the selected run's path: recorded on demand by the engine
 * that ran the sweep (`engine.trajectories(plan, { runs: [run] })`), so the path is the one that
 * produced the cell's colour. A path that arrives after the selection or the sweep changed is
 * dropped.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { CancelledError } from '../../core/errors.ts';
import { runCoordinates } from '../../core/plan.ts';
import type { Trajectory } from '../../core/trajectory.ts';
import type { Engine } from '../../engine/engine.ts';
import type { EngineSet } from './engines.ts';
import type { MessageLine } from './message.ts';
import type { RunController } from './run-controller.ts';

export interface Cell {
  readonly i: number;
  readonly j: number;
}

export interface RunDescription {
  readonly coords: Record<string, number>;
  readonly outcome: string;
  readonly fields: Record<string, number>;
}

export class SelectionController implements ReactiveController {
  hover: Cell | null = null;
  selected: Cell | null = null;
  trajectory: Trajectory | null = null;
  /** The request whose path may still be shown; replaced or cleared when that is no longer so. */
  private pending: AbortController | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly engines: EngineSet,
    private readonly message: MessageLine,
    private readonly sweep: RunController,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.reset();
  }

  /** A new sweep: nothing of the old one stays selected. */
  reset(): void {
    this.pending?.abort();
    this.pending = null;
    this.selected = null;
    this.trajectory = null;
  }

  runOf(cell: Cell): number {
    return cell.j * (this.sweep.plan?.width ?? 1) + cell.i;
  }

  setHover(cell: Cell | null): void {
    this.hover = cell;
    this.host.requestUpdate();
  }

  /** The engine that ran the sweep, or the float32 CPU engine when that was a GPU since lost. */
  private engine(): Engine | null {
    const e = this.sweep.engine;
    if (e && e.name === 'gpu' && e !== this.engines.gpu) return this.engines.cpu;
    return e;
  }

  /** Selects a run and records its path on the engine that ran the sweep. */
  select(cell: Cell): void {
    const plan = this.sweep.plan;
    const engine = this.engine();
    if (!plan || !engine) return;
    this.pending?.abort();
    const request = new AbortController();
    this.pending = request;
    this.selected = cell;
    const stale = (): boolean => this.pending !== request || this.sweep.plan !== plan;
    engine.trajectories(plan, { runs: [this.runOf(cell)], signal: request.signal }).then(
      ([t]) => {
        if (stale() || !t) return;
        this.trajectory = t;
        this.host.requestUpdate();
      },
      (e: unknown) => {
        if (stale() || e instanceof CancelledError) return;
        this.message.say(`Trajectory failed: ${(e as Error).message}`);
      },
    );
    this.host.requestUpdate();
  }

  /** What the details panel says about a run of the shown sweep (null before its results are in). */
  describe(cell: Cell | null): RunDescription | null {
    const plan = this.sweep.plan;
    const c = this.sweep.columns;
    if (!plan || !c || !cell) return null;
    const run = this.runOf(cell);
    if (run >= this.sweep.runsReady) return null;
    const b = c.basin[run] as number;
    const m = b >= 0 ? plan.minima[b] : undefined;
    const outcome = c.diverged[run]
      ? 'diverged'
      : m
        ? `reached minimum ${b} at (${m.x.toPrecision(4)}, ${m.y.toPrecision(4)})`
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
