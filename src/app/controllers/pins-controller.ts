/**
 * Pinned runs: runs kept on screen to compare with the selection and with each other, each in its
 * own colour (colour-blind-safe), labelled with its hyperparameters. Like the selection, a pin is
 * its sweep coordinates: a new sweep re-records every pin at the run nearest them (runs.ts
 * carryRun), on the engine that ran the sweep (paths.ts), all in one request.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { CancelledError } from '../../core/errors.ts';
import type { Plan } from '../../core/plan.ts';
import { runCoordinates } from '../../core/plan.ts';
import type { Trajectory } from '../../core/trajectory.ts';
import { MAX_PINS, carryRun, freeColour, onePerRun, runLabel } from '../runs.ts';
import type { MessageLine } from './message.ts';
import type { PathEngines, SweepSource, TrajectoryCache } from './paths.ts';
import { pathEngine } from './paths.ts';

export interface Pin {
  readonly id: number;
  readonly colour: string;
  /** Sweep coordinates as pinned (kept across sweeps). */
  readonly coords: Readonly<Record<string, number>>;
  /** The run of the current plan nearest `coords`, and its hyperparameters. */
  readonly run: number;
  readonly label: string;
  /** Its path on the current plan (null until recorded). */
  readonly trajectory: Trajectory | null;
}

export class PinsController implements ReactiveController {
  /** The pins, oldest first; a new array whenever anything in it changes. */
  list: readonly Pin[] = [];

  private plan: Plan | null = null;

  /** The plan the pins were last placed in (null for a link's), where carry reads their unswept values. */
  get placedIn(): Plan | null {
    return this.plan;
  }
  private exact = false;
  private pending: AbortController | null = null;
  private nextId = 1;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly engines: PathEngines,
    private readonly message: MessageLine,
    private readonly sweep: SweepSource,
    private readonly cache: TrajectoryCache,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.pending?.abort();
  }

  get full(): boolean {
    return this.list.length >= MAX_PINS;
  }

  /** Whether a run of the shown plan is pinned. */
  has(run: number): boolean {
    return this.plan === this.sweep.plan && this.list.some((p) => p.run === run);
  }

  /** Pins a run of the shown sweep (with its path when it is already recorded). */
  pin(run: number, trajectory: Trajectory | null = null): void {
    const plan = this.sweep.plan;
    if (!plan || run < 0 || run >= plan.runs || this.full || this.has(run)) return;
    if (this.plan !== plan) this.rebase(plan);
    const pin: Pin = {
      id: this.nextId++,
      colour: freeColour(this.list.map((p) => p.colour)),
      coords: runCoordinates(plan, run),
      run,
      label: runLabel(plan, run),
      trajectory: trajectory && trajectory.run === run ? trajectory : null,
    };
    this.list = [...this.list, pin];
    this.host.requestUpdate();
    if (!pin.trajectory) this.record(plan);
  }

  unpin(id: number): void {
    this.list = this.list.filter((p) => p.id !== id);
    this.host.requestUpdate();
  }

  clear(): void {
    this.pending?.abort();
    this.pending = null;
    this.list = [];
    this.host.requestUpdate();
  }

  /**
   * Pins read from a link, before their sweep exists: each takes its run when the first plan comes
   * (`rebase`, by its coordinates, as pins follow every new sweep).
   */
  restore(coords: readonly Readonly<Record<string, number>>[]): void {
    // A link's pins: their values off the link's axes are unknown (no plan they were placed in).
    this.plan = null;
    this.list = [];
    for (const c of coords.slice(0, MAX_PINS)) {
      this.list = [...this.list, { id: this.nextId++, colour: freeColour(this.list.map((p) => p.colour)), coords: c, run: -1, label: '', trajectory: null }];
    }
    this.host.requestUpdate();
  }

  /** A new sweep (or an edit's plan): every pin moves to its nearest run and is recorded again. */
  rebase(plan: Plan): void {
    const from = this.plan;
    this.plan = plan;
    this.exact = false;
    if (this.list.length === 0) return;
    // A pin with no place in the new sweep (runs.ts carry) is dropped.
    this.list = onePerRun(
      this.list.map((p) => {
        const run = carryRun(plan, p.coords, from);
        return run === null ? null : { ...p, run, label: runLabel(plan, run) };
      }),
    );
    this.host.requestUpdate();
    this.record(plan);
  }

  /** The sweep finished: pins recorded ahead of it on the preview engine are recorded on its own. */
  settle(plan: Plan): void {
    if (this.plan === plan && !this.exact && this.list.length > 0) this.record(plan);
  }

  private record(plan: Plan): void {
    const pick = pathEngine(this.engines, this.sweep.engine, this.sweep.running || this.sweep.plan !== plan, plan.spec.steps);
    this.pending?.abort();
    this.pending = null;
    if (!pick) return;
    const request = new AbortController();
    this.pending = request;
    const runs = this.list.map((p) => p.run);
    this.cache.record(pick.engine, plan, runs, request.signal).then(
      (paths) => {
        if (this.pending !== request || this.plan !== plan) return;
        this.pending = null;
        this.exact = pick.exact;
        const byRun = new Map(paths.map((t) => [t.run, t]));
        // Pins added or removed while recording keep what they have; the ones recorded get their path.
        this.list = this.list.map((p) => ({ ...p, trajectory: byRun.get(p.run) ?? p.trajectory }));
        this.host.requestUpdate();
      },
      (e: unknown) => {
        if (this.pending !== request || e instanceof CancelledError) return;
        this.pending = null;
        this.message.say(`Recording the pinned runs failed: ${(e as Error).message}`);
      },
    );
  }
}
