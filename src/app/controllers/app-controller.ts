/**
 * The app's controllers, one concern each, and the few ways they depend on each other: a valid
 * spec runs (the spec controller records it in the browser's history), a new sweep clears the
 * selection and the verdict, a zoom becomes the spec of a new view. Also what the heatmap is
 * handed, derived once per change (a frame is a pass over every run, never redone on a hover).
 */
import { memoLast } from '../memo.ts';
import type { ReactiveControllerHost } from 'lit';
import type { NetPlan } from '../../core/network/plan.ts';
import type { AnyPlan, Cell, Plan, SweepShape } from '../../core/plan.ts';
import type { RanSweep } from '../../studies/types.ts';
import { makePlan, runCoordinates, runOfCell } from '../../core/plan.ts';
import { netCarry, netCarryRun } from '../net-runs.ts';
import type { GridAxis } from '../../core/spec.ts';
import { anySpecToJSON, parseSpec } from '../../core/spec.ts';
import type { AnyHeatmapMode, NetFrame } from '../../view/net-frame.ts';
import { modeFor, netFrame, netModesOf } from '../../view/net-frame.ts';
import { NetPreviewController } from './net-preview-controller.ts';
import { NetRunsController } from './net-runs-controller.ts';
import type { ResultColumns, Results } from '../../core/results.ts';
import type { DeviceResults, Engine } from '../../engine/engine.ts';
import type { HeatmapFrame } from '../../view/frame.ts';
import { heatmapFrame } from '../../view/frame.ts';
import { gpuHeatmap } from '../heatmap/gpu-renderer.ts';
import type { HeatmapGpu } from '../heatmap/renderers.ts';
import { carryRun, clearedRunsText, longestSteps, movedRunsText, noPlace } from '../runs.ts';
import { findPreset, presetOf } from '../presets.ts';
import { axesMovedText, droppedGroupValuesText, keptRangeText, problemOf } from '../spec-edit.ts';
import type { HandSet, SpecJSON } from '../spec-edit.ts';
import { SELECTED_INK } from '../../view/colors.ts';
import { netParamShort, shortParam } from '../../view/caption.ts';
import type { EngineSet } from './engines.ts';
import { ExportController } from './export-controller.ts';
import { LiveEdit } from './live-edit.ts';
import { MessageLine } from './message.ts';
import { TrajectoryCache, previewEngine } from './paths.ts';
import { PinsController } from './pins-controller.ts';
import { PlaybackController } from './playback-controller.ts';
import { PreviewController } from './preview-controller.ts';
import { RaceController } from './race-controller.ts';
import { RunController } from './run-controller.ts';
import { SelectionController } from './selection-controller.ts';
import { SpecController } from './spec-controller.ts';
import { PrecisionProbeController } from './precision-probe-controller.ts';
import { ValidationController } from './validation-controller.ts';
import { ZoomController } from './zoom-controller.ts';
import { RunLinkController } from './run-link-controller.ts';
import type { PageKeyAction } from './keyboard-controller.ts';
import type { RunStatus } from '../run-status.ts';
import { runStatus } from '../run-status.ts';

/** How long after Run a click on the Cancel that replaced it is taken for Run's second click (cancelButton). */
export const CANCEL_GRACE_MS = 500;

export class AppController {
  readonly message: MessageLine;
  readonly spec: SpecController;
  readonly sweep: RunController;
  readonly selection: SelectionController;
  /** The hovered cell's path. */
  readonly preview: PreviewController;
  readonly pins: PinsController;
  /** Playback of the selected and pinned runs, in lockstep. */
  readonly playback: PlaybackController;
  readonly race: RaceController;
  readonly racePlayback: PlaybackController;
  /** Slider and start-point drags: edits that re-run the sweep as fast as it finishes. */
  readonly live: LiveEdit;
  readonly zoom: ZoomController;
  readonly validation: ValidationController;
  readonly exports: ExportController;
  /** The selected and pinned runs of a network sweep, and their curves. */
  readonly netRuns: NetRunsController;
  /** The hovered cell's run of a network sweep, previewed. */
  readonly netPreview: NetPreviewController;
  /** Whether a float32 network map resolves its view, on a sample of its runs in float64. */
  readonly probe: PrecisionProbeController;
  /** The runs the link names (`run=`, `pin=`): read, placed, written back. */
  readonly runLink: RunLinkController;

  constructor(
    private readonly host: ReactiveControllerHost,
    readonly engines: EngineSet,
    /** The open study's own run of a plan's sweep (StudyController.sweepOf): a figure's sweep opened here shows from it. */
    studySweep: ((plan: AnyPlan) => RanSweep | null) | null = null,
  ) {
    this.message = new MessageLine(host);
    this.zoom = new ZoomController(
      (json) => this.spec.setSpec(json, { immediate: true }),
      (why) => this.message.say(why),
    );
    this.spec = new SpecController(host, this.message, (change) => {
      // The study is done and the reader changed the view (a preset, an edit): the explorer opens.
      if (this.held && this.studySettled) this.held = false;
      // Closed: the view's latest spec runs when the explorer opens.
      if (this.held) return;
      this.sweep.schedule(change.immediate ?? false);
    });
    this.sweep = new RunController(
      host,
      engines,
      this.message,
      () => this.spec.current,
      (plan) => {
        this.liveSweep = this.liveNext;
        this.validation.reset();
        this.probe.clear();
        // The runs the page's link named take their places in its first sweep.
        const restore = this.runLink.take();
        if (plan.problem === 'network') {
          // What belongs to surface views goes; the network's own runs move to the new sweep.
          this.selection.clear();
          this.pins.clear();
          if (restore) this.netRuns.restore(restore.selected, restore.pins);
          this.message.add([
            clearedRunsText(
              this.netRuns.selected?.coords ?? null,
              this.netRuns.pins.map((p) => p.coords),
              (c) => {
                const r = netCarry(plan, c, this.netRuns.placedIn);
                return 'run' in r ? null : r;
              },
              (k) => netParamShort(plan, k),
            ),
            movedRunsText(
              plan,
              [
                ...(this.netRuns.selected ? [{ what: 'selected' as const, coords: this.netRuns.selected.coords, from: this.netRuns.placedIn, shownAt: shownAt(this.netRuns.placedIn, this.netRuns.selected.run) }] : []),
                ...this.netRuns.pins.map((p) => ({ what: 'pin' as const, coords: p.coords, from: this.netRuns.placedIn, shownAt: shownAt(this.netRuns.placedIn, p.run) })),
              ],
              (c, from) => netCarryRun(plan, c, from),
              (k) => netParamShort(plan, k),
            ),
          ]);
          this.netRuns.rebase(plan, this.sweep.engine ?? engines.cpu);
          // Previews on the float32 CPU engine, in-process (the float64 one for a deep zoom's sweep).
          this.netPreview.rebase(plan, this.sweep.engine?.name === 'cpu64' ? engines.cpu64 : engines.cpu);
          return;
        }
        this.netRuns.clear();
        this.netPreview.clear();
        if (restore) this.runLink.placeSurface(restore);
        // A cancelled sweep gives the screen back to the last complete map: the runs it cleared come
        // back with it (review 10: they were lost for good).
        const back = this.sweep.restored === plan ? this.clearedRuns : null;
        this.clearedRuns = null;
        if (back) this.runLink.placeSurface({ selected: back.selected, pins: back.pins, notices: [] });
        else if (plan.mode !== 'none') {
          // Each set of runs is carried from the plan it was last placed in.
          const pins = this.pins.list.map((p) => p.coords);
          const cleared = clearedRunsText(this.selection.coords, pins, noPlace(plan, this.selection.placedIn), shortParam, noPlace(plan, this.pins.placedIn));
          if (cleared) this.clearedRuns = { selected: this.selection.coords, pins };
          const moved = movedRunsText(
            plan,
            [
              ...(this.selection.coords
                ? [{ what: 'selected' as const, coords: this.selection.coords, from: this.selection.placedIn, shownAt: shownAt(this.selection.placedIn, cellRun(this.selection.placedIn, this.selection.selected)) }]
                : []),
              ...this.pins.list.map((p) => ({ what: 'pin' as const, coords: p.coords, from: this.pins.placedIn, shownAt: shownAt(this.pins.placedIn, p.run) })),
            ],
            (c, from) => carryRun(plan, c, from),
          );
          this.message.add([cleared, moved]);
        }
        this.selection.rebase(plan);
        this.pins.rebase(plan);
        this.preview.rebase();
        this.race.setBase(plan.spec);
      },
      (plan, finished) => {
        if (plan.problem === 'network') {
          // A sweep of one run (a study's curve opened here) is that run: its curves show at once.
          if (finished && plan.runs === 1 && !this.netRuns.selected) this.netRuns.select({ i: 0, j: 0 });
          else if (finished) this.netRuns.settle(plan);
          // Whether the map resolves its view: a float32 map on a sample of its runs in float64, a
          // float64 one on a sample nudged by one float64 ulp.
          const shown = this.sweep.net?.results;
          if (finished && shown) void this.probe.probe(plan, shown, this.sweep.engine?.name === 'cpu64' ? 'float64' : 'float32');
          this.live.idle(finished);
          return;
        }
        if (finished) {
          this.selection.settle(plan);
          this.pins.settle(plan);
        }
        this.live.idle(finished);
      },
    );
    this.sweep.precomputed = studySweep;
    const cache = new TrajectoryCache();
    this.selection = new SelectionController(host, engines, this.message, this.sweep, cache);
    this.preview = new PreviewController(host, engines, this.sweep, cache);
    this.pins = new PinsController(host, engines, this.message, this.sweep, cache);
    this.playback = new PlaybackController(() => longestSteps([this.selection.trajectory, ...this.pins.list.map((p) => p.trajectory)]));
    this.race = new RaceController(host, (steps) => previewEngine(engines, engines.gpu, steps));
    this.racePlayback = new PlaybackController(() => longestSteps(this.race.lanes.map((l) => l.trajectory)));
    this.live = new LiveEdit(
      (json, final) => {
        // setSpec starts the sweep synchronously (onStart reads the flag) or refuses the spec.
        this.liveNext = true;
        this.spec.setSpec(json, { immediate: true, record: final ? 'push' : 'defer' });
        this.liveNext = false;
      },
      () => this.sweep.running,
      (json) => this.ahead(json),
    );
    this.validation = new ValidationController(host, engines, this.message, this.sweep);
    this.probe = new PrecisionProbeController(host, engines);
    this.netRuns = new NetRunsController(host, this.message);
    this.netPreview = new NetPreviewController(host);
    this.exports = new ExportController(
      this.sweep,
      () => modeFor('surface', this.spec.mode),
      () => {
        const net = this.sweep.net;
        return modeFor('network', this.spec.mode, net ? netModesOf(net.plan) : undefined);
      },
      () => [...this.netRuns.pins, ...(this.netRuns.selected ? [this.netRuns.selected] : [])],
      () => [...this.pins.list, ...(this.selection.trajectory ? [{ trajectory: this.selection.trajectory, colour: SELECTED_INK, label: this.selection.label }] : [])],
    );
    this.runLink = new RunLinkController(host, {
      spec: this.spec,
      sweep: this.sweep,
      selection: this.selection,
      pins: this.pins,
      netRuns: this.netRuns,
      message: this.message,
      fallback: engines.cpu,
    });
  }

  /**
   * An edit waiting for the running sweep (a drag in progress): the selected and pinned paths and
   * the race follow it at once, recorded on the preview engine, before the sweep catches up.
   */
  private ahead(json: Record<string, unknown>): void {
    let plan: Plan;
    try {
      plan = makePlan(parseSpec(json));
    } catch {
      return;
    }
    this.selection.rebase(plan);
    this.pins.rebase(plan);
    this.race.setBase(plan.spec);
  }

  /**
   * Starts from the URL's view (or the default) and runs it. With `hold`, the explorer stays closed
   * and its sweep does not run: a study opened from the link runs alone (on a CPU engine the two
   * would share its cores), and its page is not followed by an unrelated sweep. The explorer opens
   * when the reader asks (openExplorer, Run, a figure's sweep opened in it) or, once the study has
   * settled (releaseAfter), changes its view.
   */
  init(opts: { readonly hold?: boolean } = {}): void {
    this.held = opts.hold ?? false;
    const notices = this.runLink.read();
    this.spec.init();
    this.message.add(notices);
  }

  /** Notes when `until` (the linked study's run) settles: from then on a change of view opens the explorer. */
  releaseAfter(until: Promise<unknown>): void {
    void until.finally(() => {
      this.studySettled = true;
      this.host.requestUpdate();
    });
  }

  /** Opens the closed explorer: the view's latest spec runs (unless a sweep already runs). */
  openExplorer(): void {
    if (!this.held) return;
    this.held = false;
    if (!this.sweep.running) this.sweep.schedule(true);
    this.host.requestUpdate();
  }

  /** Run: the view in the editor runs now (the explorer opens if it was closed). */
  run(): void {
    this.held = false;
    this.ranAt = performance.now();
    void this.sweep.run();
  }

  /** When Run was last pressed (cancelButton's grace). */
  private ranAt = Number.NEGATIVE_INFINITY;

  /**
   * The header's Cancel, which takes Run's place as the sweep starts: a click on it within
   * CANCEL_GRACE_MS of Run is the second click of a double-click on Run, not a cancel (walkthrough
   * 15: a double-click cancelled the run it had just started). Escape cancels at once.
   */
  cancelButton(): void {
    if (performance.now() - this.ranAt < CANCEL_GRACE_MS) return;
    this.cancel();
  }

  /** Whether the explorer is closed (init's hold): its sweep has not run. */
  get explorerClosed(): boolean {
    return this.held;
  }

  /** What the header says about the sweep shown (run-status.ts decides it from these facts). */
  status(): RunStatus {
    const { sweep, validation: val } = this;
    const net = sweep.net;
    const n = val.netResult;
    return runStatus({
      running: sweep.running,
      validating: val.validating,
      hasResults: !!(sweep.results || net?.results),
      waitingForStudy: this.waitingForStudy,
      explorerClosed: this.explorerClosed,
      progress: val.validating ? val.progress : sweep.progress,
      surfaceCheck: val.result ? { pass: val.result.verdict.pass, title: this.message.text } : null,
      netCheck: n ? { pass: n.pass, rounding: n.rounding, a: n.report.a, b: n.report.b, title: n.text } : null,
      engineUsed: sweep.engineUsed,
      engineName: sweep.engine?.name ?? null,
      network: !!net,
      float64Fails: net ? this.probe.float64Fails(net.plan) : null,
    });
  }

  /**
   * A page key (keyboard-controller.ts): Escape cancels a running sweep or validation; Space plays or
   * pauses the race's paths when the race is open, else the selected and pinned runs'. False when
   * the key has nothing to do, so the browser keeps its own use of it.
   */
  keyAction(a: PageKeyAction): boolean {
    if (a === 'cancel') {
      if (!this.sweep.running && !this.validation.validating) return false;
      this.cancel();
      return true;
    }
    const pb = this.race.open ? this.racePlayback : this.playback;
    if (pb.total === 0) return false;
    pb.toggle();
    return true;
  }

  /** Whether the closed explorer is waiting for a study opened from the link to finish. */
  get waitingForStudy(): boolean {
    return this.held && !this.studySettled;
  }

  private held = false;
  private studySettled = false;

  /** A view made elsewhere (a preset, a study panel): its spec and colouring, as a new history entry. */
  openView(json: Record<string, unknown>, mode: AnyHeatmapMode): void {
    // Another view, as Reset: no run of the last one is carried over (a run picked on the default
    // map was "cleared, not where it was picked" over a curated view's first picture); Back brings
    // them back with the view they were in.
    this.selection.clear();
    this.pins.clear();
    this.netRuns.clear();
    this.spec.open(json, mode);
  }

  /**
   * An edit in the editor (`path` the field edited, '' for an action): the problem switch opens the
   * other problem's default view, a curated view, in its colouring; an edit that moved the map's axes
   * (a schedule that sets the LR) says so, in the page's ordinary ink (walkthrough 12: routine news in
   * the warning colour).
   */
  edit(json: SpecJSON, path: string, handSet: HandSet): void {
    const preset = path === 'problem' ? findPreset(presetOf(json)) : undefined;
    if (preset) {
      const network = problemOf(json) === 'network';
      this.spec.open(json, preset.mode);
      // Said, since nothing of the view left is carried (walkthrough 16: its schedule went unsaid).
      this.message.say(`The ${network ? 'network' : 'loss-surface'} view opens at its defaults: the ${network ? 'surface' : 'network'} view's optimizer, schedule and sweep are not carried over.`, { aboutNextRun: true, tone: 'info' });
      return;
    }
    const moved = path.startsWith('sweep.') || path === '' ? keptRangeText(this.spec.json, json, path) : axesMovedText(this.spec.json, json);
    const dropped = path.startsWith('schedule') || path === '' ? droppedGroupValuesText(this.spec.json, json) : '';
    this.spec.setSpec(json, { handSet });
    if (moved || dropped) this.message.say([moved, dropped].filter((t) => t !== '').join(' '), { aboutNextRun: true, tone: 'info' });
  }

  /**
   * A click on a surface map's cell: that run is selected, and the runs' tab shows it (walkthrough
   * 12: with the race open, a click selected a run the page did not show).
   */
  selectRun(cell: Cell): void {
    this.selection.select(cell);
    this.race.setOpen(false);
  }

  /**
   * The default view, as a new history entry, with no run selected or pinned: the default view has
   * none (walkthrough 12: a selection from an earlier view was carried to the default map's edge,
   * a diverged run nobody picked, and the link still named the old one). Back brings them back with
   * the view they were in (its link holds them).
   */
  reset(): void {
    this.selection.clear();
    this.pins.clear();
    this.netRuns.clear();
    this.spec.reset();
  }

  /** Puts a link to the view on the clipboard (or, where the page may not, shows it to copy by hand). */
  async copyLink(): Promise<void> {
    const url = location.href;
    // While the editor holds a spec that does not parse, the address is still the last view that
    // ran (walkthrough 6 copied it believing it held the edits): say which view the link is.
    const stale = this.spec.errors.length > 0;
    try {
      await navigator.clipboard.writeText(url);
      this.message.say(stale ? 'Link copied: it is to the last view that ran, not to the edits the editor cannot run yet.' : 'Link to this view copied.', { tone: stale ? 'notice' : 'info' });
    } catch {
      this.message.say(`Copy this link${stale ? ' (to the last view that ran, not to the edits the editor cannot run yet)' : ''}: ${url}`);
    }
  }

  /**
   * Draws the network view shown in float64 (past float32's resolution): the float64 results of the
   * validation of this map when there are some (showFloat64, at once), else a float64 run of it.
   */
  drawFloat64(): void {
    // A new sweep resets the validation, so a result here is this map's.
    if (this.validation.netResult) this.showFloat64();
    else this.sweep.runFloat64();
  }

  /**
   * After a validation found the network view past float32's resolution: the map shows the float64
   * results it computed, and the selected and pinned runs' curves are recorded again in float64.
   */
  showFloat64(): void {
    const v = this.validation.netResult;
    const net = this.sweep.net;
    if (!v || !net) return;
    this.sweep.showNet(v.reference, this.engines.cpu64);
    if (this.sweep.net?.results !== v.reference) return;
    // Float64's own verdict on this map, where the probe measured it, carries over.
    this.probe.adoptFloat64(net.plan, v.reference);
    this.netRuns.rebase(net.plan, this.engines.cpu64);
    this.netRuns.settle(net.plan);
    this.netPreview.rebase(net.plan, this.engines.cpu64);
    this.message.say("The map shows the float64 CPU engine's results (the validation's); Run computes the view again in float32, on the engine it picks.");
  }

  /** Stops whatever is running: the sweep or its validation. */
  cancel(): void {
    this.sweep.cancel();
    this.validation.cancel();
  }

  /**
   * Puts the spec of the map a cancel restored back in the editor (a new history entry, as any
   * edit): the sweep shown is that spec's, so nothing runs again (RunController.run).
   */
  restoreShownSpec(): void {
    const shown = this.sweep.restored;
    if (shown) this.spec.setSpec(anySpecToJSON(shown.spec), { immediate: true });
  }

  deviceLost(message: string): void {
    this.sweep.deviceLost(message);
  }

  /** The selected and pinned runs as they were before a sweep cleared some, until that sweep is done or cancelled. */
  private clearedRuns: { readonly selected: Readonly<Record<string, number>> | null; readonly pins: readonly Readonly<Record<string, number>>[] } | null = null;

  /** Whether the sweep running now was started by a live edit (a drag), and whether the next one will be. */
  private liveSweep = false;
  private liveNext = false;
  /** The last sweep that completed, as shown. */
  private lastComplete: { plan: Plan; frame: HeatmapFrame; results: Results } | null = null;

  /**
   * Whether the page shows the last complete sweep while a live re-run of the same grid runs: a
   * heatmap that blinks to "pending" at every step of a drag shows nothing, and text that changes
   * length under the heatmap would move the slider being dragged.
   */
  showingLast(): boolean {
    const plan = this.sweep.plan;
    return plan !== null && this.sameLiveGrid(this.lastComplete, plan, modeFor('surface', this.spec.mode));
  }

  /**
   * Whether a live re-run is running over the same grid, in the same colouring, as `last`, the
   * last complete sweep of its kind (showingLast, showingLastNet).
   */
  private sameLiveGrid(last: { plan: AnyPlan; frame: { mode: string } } | null, plan: AnyPlan, mode: string): boolean {
    return (
      this.liveSweep &&
      this.sweep.running &&
      last !== null &&
      last.frame.mode === mode &&
      last.plan.width === plan.width &&
      last.plan.height === plan.height &&
      JSON.stringify(last.plan.spec.sweep) === JSON.stringify(plan.spec.sweep)
    );
  }

  /** The sweep the heatmap and its words show: the running one, or the last complete one (see showingLast). */
  shown(): { plan: Plan | null; columns: ResultColumns | null; runsReady: number; running: boolean; results: Results | null } {
    const last = this.lastComplete;
    if (last && this.showingLast()) return { plan: last.plan, columns: last.results, runsReady: last.plan.runs, running: false, results: last.results };
    const { plan, columns, runsReady, running, results } = this.sweep;
    return { plan, columns, runsReady, running, results };
  }

  /** The heatmap's frame of what it shows, recomputed only when that changed (a new columns object when results arrive). */
  private readonly surfaceFrame = memoLast(heatmapFrame);

  /** The heatmap's frame, recomputed only when what it shows changed. */
  frame(): HeatmapFrame | null {
    const { plan, columns, runsReady, results } = this.sweep;
    if (!plan || !columns) return this.showingLast() ? (this.lastComplete?.frame ?? null) : null;
    const frame = this.surfaceFrame(plan, columns, runsReady, modeFor('surface', this.spec.mode));
    if (results && runsReady === plan.runs) this.lastComplete = { plan, frame, results };
    return this.showingLast() ? (this.lastComplete?.frame ?? frame) : frame;
  }

  private readonly netFrameOf = memoLast(netFrame);
  /** The last network sweep that completed, as shown (see showingLastNet). */
  private lastNet: { plan: NetPlan; frame: NetFrame } | null = null;

  /**
   * Whether the network map shows the last complete sweep while a live re-run (a slider dragged) of
   * the same grid runs: as for surfaces (showingLast), a map that blinks to "pending" at every step
   * of a drag shows nothing.
   */
  showingLastNet(): boolean {
    const net = this.sweep.net;
    return net !== null && this.sameLiveGrid(this.lastNet, net.plan, modeFor('network', this.spec.mode, netModesOf(net.plan)));
  }

  /** The network sweep's frame (null while a surface is shown), filling in as blocks of runs finish; recomputed only when what it shows changed. */
  netFrame(): NetFrame | null {
    const net = this.sweep.net;
    if (!net?.columns) return null;
    if (this.showingLastNet() && this.lastNet) return this.lastNet.frame;
    const mode = modeFor('network', this.spec.mode, netModesOf(net.plan));
    const ready = net.results ? net.plan.runs : this.sweep.runsReady;
    const frame = this.netFrameOf(net.plan, net.columns, ready, mode);
    if (net.results) this.lastNet = { plan: net.plan, frame };
    return frame;
  }

  /**
   * The network run the details show (hovered, else selected) with its numbers as soon as its block
   * is done (the map fills in while the sweep runs); null with none. The heatmap's legend and the
   * details below it read the same one.
   */
  netShown(): ReturnType<NetRunsController['shown']> {
    const net = this.sweep.net;
    return this.netRuns.shown(net?.columns ?? null, net?.results ? net.plan.runs : this.sweep.runsReady);
  }

  /**
   * Whether the network map on screen draws rounding rather than runs (the heatmap greys it): its
   * probe found it past the resolution of the precision it was drawn in (float32's, or float64's
   * for a float64 map), and no validation's overlay marks its cells instead (that overlay says it
   * cell by cell).
   */
  netMapIsRounding(plan: NetPlan): boolean {
    const r = this.probe.result;
    if (!r || r.plan !== plan || this.sweep.running || this.validation.netResult?.overlay) return false;
    return r.float32 ? r.float32.past : (r.float64?.past ?? false);
  }

  /** The plan shown, of either kind. */
  anyPlan(): AnyPlan | null {
    return this.sweep.net?.plan ?? this.sweep.plan;
  }

  /** The grid axes of the shown sweep (null for random/Sobol sweeps). */
  axes(): { x: GridAxis; y: GridAxis | null } | null {
    const s = this.anyPlan()?.spec.sweep;
    return s && s.kind === 'grid' ? { x: s.x, y: s.y } : null;
  }

  private gpuCache: { engine: Engine; gpu: HeatmapGpu } | null = null;

  /**
   * How the heatmap draws on the GPU: the results the engine that ran the sweep keeps on its device
   * (Engine.deviceResults()), or null when that engine is not a live GPU. One object per engine, so
   * the heatmap keeps its renderer from one sweep to the next.
   */
  heatmapGpu(): HeatmapGpu | null {
    const engine = this.sweep.engine;
    if (!engine || engine !== this.engines.gpu) return null;
    if (this.gpuCache?.engine !== engine) {
      // Only the finished sweep's own results: while a new one runs (or after it was cancelled)
      // the device still holds the previous sweep's, and a study's run of the shown sweep kept none.
      const results = (): DeviceResults | null => (this.sweep.engine === engine && this.sweep.results && this.sweep.onDevice ? engine.deviceResults() : null);
      this.gpuCache = { engine, gpu: gpuHeatmap(results) };
    }
    return this.gpuCache.gpu;
  }
}

/** A run's coordinates in the plan it was shown in (null where unknown: a link's run before its first sweep). */
function shownAt(plan: (SweepShape & { readonly runs: number }) | null, run: number): Record<string, number> | null {
  return plan && Number.isInteger(run) && run >= 0 && run < plan.runs ? runCoordinates(plan, run) : null;
}

/** The run of a selected cell in `plan` (-1 where none). */
function cellRun(plan: { readonly width: number } | null, cell: Cell | null): number {
  return plan && cell ? runOfCell(plan, cell) : -1;
}
