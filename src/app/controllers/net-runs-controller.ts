/**
 * The selected and pinned runs of a network sweep, and their recorded curves (train and test loss,
 * LR, gradient norm per step), recorded by the engine that ran the sweep (`engine.trajectories`),
 * so the curves are the runs that produced the cells' colours. Like the surface selection and pins,
 * each is its sweep coordinates: a new sweep re-records them at the nearest runs where they have a
 * place (net-runs.ts netCarry: a zoom, an axis added over a value they had), and drops them where
 * they have none. A path that arrives after the sweep changed is dropped.
 */
import type { Cell } from '../../core/plan.ts';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { CancelledError } from '../../core/errors.ts';
import type { NetPlan } from '../../core/network/plan.ts';
import { cellInPlan, cellOfRun, runCoordinates, runOfCell } from '../../core/plan.ts';
import type { NetTrajectory } from '../../core/trajectory.ts';
import type { Engine } from '../../engine/engine.ts';
import { MAX_PINS, freeColour, onePerRun } from '../runs.ts';
import type { NetColumns } from '../../core/results.ts';
import { SELECTED_INK } from '../../view/colors.ts';
import type { NetRunDescription } from '../net-runs.ts';
import { curveEvery, describeNetRun, netCarryRun, netRunLabel } from '../net-runs.ts';
import type { MessageLine } from './message.ts';

export interface NetRun {
  readonly coords: Readonly<Record<string, number>>;
  readonly run: number;
  readonly label: string;
  readonly colour: string;
  readonly trajectory: NetTrajectory | null;
}

export class NetRunsController implements ReactiveController {
  hover: Cell | null = null;
  selected: NetRun | null = null;
  pins: readonly NetRun[] = [];
  private plan: NetPlan | null = null;

  /** The plan the runs were last placed in (null for a link's), where a new sweep reads their unswept values. */
  get placedIn(): NetPlan | null {
    return this.plan;
  }
  private engine: Engine | null = null;
  private pending: AbortController | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly message: MessageLine,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.pending?.abort();
  }

  setHover(cell: Cell | null): void {
    this.hover = cell;
    this.host.requestUpdate();
  }

  runOf(cell: Cell): number {
    return runOfCell(this.plan ?? { width: 1 }, cell);
  }

  /**
   * The run the cursor line and the run panel describe: the hovered cell's, else the selected
   * run's, once its numbers are in (`ready` runs of `cols`: the map fills in block by block).
   */
  shown(cols: NetColumns | null, ready: number): { readonly cell: Cell; readonly info: NetRunDescription | null } | null {
    const plan = this.plan;
    const cell = this.hover ?? (this.selected && plan ? cellOfRun(plan, this.selected.run) : null);
    if (!cell || !plan) return null;
    const run = this.runOf(cell);
    return { cell, info: cols && run < ready ? describeNetRun(plan, cols, run) : null };
  }

  /**
   * The selected and pinned runs read from a link, before their sweep exists: each takes its run
   * when the first plan comes (`rebase`, by its coordinates).
   */
  restore(selected: Readonly<Record<string, number>> | null, pins: readonly Readonly<Record<string, number>>[]): void {
    this.plan = null;
    this.selected = selected ? { coords: selected, run: -1, label: '', colour: SELECTED_INK, trajectory: null } : null;
    const list: NetRun[] = [];
    for (const c of pins.slice(0, MAX_PINS)) list.push({ coords: c, run: -1, label: '', colour: freeColour(list.map((p) => p.colour)), trajectory: null });
    this.pins = list;
    this.host.requestUpdate();
  }

  /** A new sweep (its plan, the engine running it): selection and pins move to their nearest runs. */
  rebase(plan: NetPlan, engine: Engine): void {
    this.pending?.abort();
    this.pending = null;
    const from = this.plan;
    const carry = (r: NetRun): NetRun | null => {
      const run = netCarryRun(plan, r.coords, from);
      return run === null ? null : { ...r, run, label: netRunLabel(plan, run), trajectory: null };
    };
    // A new plan, or the same one now shown from another engine (float64's map after a validation):
    // the paths recorded on the old one go.
    const moved = this.plan !== plan || this.engine !== engine;
    this.plan = plan;
    this.engine = engine;
    if (moved) {
      this.selected = this.selected ? carry(this.selected) : null;
      this.pins = onePerRun(this.pins.map(carry));
    }
    this.host.requestUpdate();
  }

  /** The sweep finished: record the paths of what is selected and pinned. */
  settle(plan: NetPlan): void {
    if (plan === this.plan) void this.record();
  }

  /** Leaves network views: nothing selected or pinned. */
  clear(): void {
    this.pending?.abort();
    this.pending = null;
    this.plan = null;
    this.selected = null;
    this.pins = [];
    this.hover = null;
  }

  select(cell: Cell): void {
    const plan = this.plan;
    if (!plan || !cellInPlan(plan, cell)) return;
    const run = this.runOf(cell);
    this.selected = { coords: runCoordinates(plan, run), run, label: netRunLabel(plan, run), colour: SELECTED_INK, trajectory: null };
    void this.record();
    this.host.requestUpdate();
  }

  /** Pins the selected run (a copy in its own colour), or says why not. */
  pinSelected(): void {
    const s = this.selected;
    if (!s) return;
    if (this.pins.some((p) => p.run === s.run)) return;
    if (this.pins.length >= MAX_PINS) {
      this.message.say(`At most ${MAX_PINS} pinned runs: unpin one first.`);
      return;
    }
    this.pins = [...this.pins, { ...s, colour: freeColour(this.pins.map((p) => p.colour)) }];
    this.host.requestUpdate();
  }

  unpin(run: number): void {
    this.pins = this.pins.filter((p) => p.run !== run);
    this.host.requestUpdate();
  }

  clearPins(): void {
    this.pins = [];
    this.host.requestUpdate();
  }

  /** Records the selected and pinned runs that have no path yet, in one request. */
  private async record(): Promise<void> {
    const plan = this.plan;
    const engine = this.engine;
    if (!plan || !engine) return;
    const want = [...(this.selected && !this.selected.trajectory ? [this.selected.run] : []), ...this.pins.filter((p) => !p.trajectory).map((p) => p.run)];
    const runs = [...new Set(want)];
    if (runs.length === 0) return;
    this.pending?.abort();
    const abort = new AbortController();
    this.pending = abort;
    try {
      const paths = await engine.trajectories(plan, { runs, every: curveEvery(plan.spec.steps), signal: abort.signal });
      if (this.pending !== abort || this.plan !== plan) return;
      const byRun = new Map(paths.map((t) => [t.run, t]));
      const fill = (r: NetRun): NetRun => (r.trajectory ? r : { ...r, trajectory: byRun.get(r.run) ?? null });
      if (this.selected) this.selected = fill(this.selected);
      this.pins = this.pins.map(fill);
      this.host.requestUpdate();
    } catch (e) {
      if (e instanceof CancelledError || this.pending !== abort) return;
      this.message.say(`Could not record the run's curves: ${(e as Error).message}`);
    }
  }
}
