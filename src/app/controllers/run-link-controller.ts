/**
 * The runs a link names (`run=` for the selected run, `pin=` for the pinned ones, by their sweep
 * coordinates: src/app/run-link.ts): read from the page's link and from each arrival (Back,
 * Forward, a link pasted into the open page), placed on the sweep they belong to, and written back
 * into the link as the selection and pins change. The spec part of the same fragment is the spec
 * controller's.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Engine } from '../../engine/engine.ts';
import type { RunLink } from '../run-link.ts';
import { readRunLink, withRunLink } from '../run-link.ts';
import type { MessageLine } from './message.ts';
import type { NetRunsController } from './net-runs-controller.ts';
import type { PinsController } from './pins-controller.ts';
import type { RunController } from './run-controller.ts';
import type { SelectionController } from './selection-controller.ts';
import type { SpecController } from './spec-controller.ts';

/** Where the runs go: the surface selection and pins, the network's runs, and what decides between them. */
export interface RunHolders {
  readonly spec: SpecController;
  readonly sweep: RunController;
  readonly selection: SelectionController;
  readonly pins: PinsController;
  readonly netRuns: NetRunsController;
  readonly message: MessageLine;
  /** The engine a network sweep's runs are recorded on when the sweep names none. */
  readonly fallback: Engine;
}

export class RunLinkController implements ReactiveController {
  /** The runs a link named, until the first sweep of its view places them (take). */
  private pending: RunLink | null = null;

  constructor(
    host: ReactiveControllerHost,
    private readonly to: RunHolders,
  ) {
    host.addController(this);
  }

  hostUpdated(): void {
    this.write();
  }

  /**
   * Reads the page's link, before the spec controller writes the view's own fragment (which leaves
   * the runs out), and listens for arrivals. Returns what the link's runs could not say (its
   * unreadable values), for the message line.
   */
  read(): readonly string[] {
    const runs = readRunLink(location.hash);
    this.pending = runs.selected || runs.pins.length > 0 ? runs : null;
    this.to.spec.onArrive = (hash, same) => this.arrive(hash, same);
    return runs.notices;
  }

  /** The runs the link named, once: the first sweep of its view places them. */
  take(): RunLink | null {
    const runs = this.pending;
    this.pending = null;
    return runs;
  }

  /** A link's runs, before the plan they go to places them: its selection (or none) and its pins. */
  placeSurface(runs: RunLink): void {
    if (runs.selected) this.to.selection.restore(runs.selected);
    else this.to.selection.clear();
    this.to.pins.restore(runs.pins);
  }

  /**
   * An arrival that names runs: they take their places in the view it shows, at once where that
   * view is already shown, else in its first sweep. One that names none leaves the runs shown to
   * follow the view, as after any edit.
   */
  private arrive(hash: string, same: boolean): void {
    const runs = readRunLink(hash);
    this.to.message.add(runs.notices);
    if (!runs.selected && runs.pins.length === 0) return;
    if (!same) {
      this.pending = runs;
      return;
    }
    this.pending = null;
    const { sweep, netRuns } = this.to;
    const net = sweep.net;
    if (net) {
      netRuns.restore(runs.selected, runs.pins);
      netRuns.rebase(net.plan, sweep.engine ?? this.to.fallback);
      if (net.results) netRuns.settle(net.plan);
      return;
    }
    const plan = sweep.plan;
    if (!plan) return;
    this.placeSurface(runs);
    this.to.selection.rebase(plan);
    this.to.pins.rebase(plan);
  }

  /**
   * Keeps the link's `run=` and `pin=` on the runs shown (their coordinates), replacing the current
   * history entry: selecting or pinning is no new step of Back and Forward. A no-op when the
   * fragment already says so, and while a link's runs wait for their sweep.
   */
  private write(): void {
    if (this.pending || !this.to.spec.current) return;
    const { sweep, netRuns, selection, pins } = this.to;
    const net = sweep.net !== null;
    const selected = net ? (netRuns.selected?.coords ?? null) : selection.coords;
    const pinned = net ? netRuns.pins.map((p) => p.coords) : pins.list.map((p) => p.coords);
    const next = withRunLink(location.hash, selected, pinned);
    if (next !== location.hash && next !== '') history.replaceState(history.state, '', next);
  }
}
