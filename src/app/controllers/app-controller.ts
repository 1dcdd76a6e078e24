/**
 * The app's controllers, one concern each, and the few ways they depend on each other: a valid
 * spec runs (and enters the zoom history), a new sweep clears the selection and the verdict, a
 * zoom or a step through the history becomes the spec. Also what the heatmap is handed, derived
 * once per change (a frame is a pass over every run, never redone on a hover).
 */
import type { ReactiveControllerHost } from 'lit';
import type { Plan } from '../../core/plan.ts';
import { makePlan } from '../../core/plan.ts';
import type { GridAxis } from '../../core/spec.ts';
import { parseSpec } from '../../core/spec.ts';
import type { DeviceResults, Engine } from '../../engine/engine.ts';
import type { HeatmapFrame } from '../../view/frame.ts';
import { heatmapFrame } from '../../view/frame.ts';
import { gpuHeatmap } from '../heatmap/gpu-renderer.ts';
import type { HeatmapGpu } from '../heatmap/renderers.ts';
import { longestSteps } from '../runs.ts';
import type { EngineSet } from './engines.ts';
import { ExportController } from './export-controller.ts';
import { LiveEdit } from './live-edit.ts';
import { MessageLine } from './message.ts';
import { TrajectoryCache } from './paths.ts';
import { PinsController } from './pins-controller.ts';
import { PlaybackController } from './playback-controller.ts';
import { PreviewController } from './preview-controller.ts';
import { RaceController } from './race-controller.ts';
import { RunController } from './run-controller.ts';
import { SelectionController } from './selection-controller.ts';
import { SpecController } from './spec-controller.ts';
import { ValidationController } from './validation-controller.ts';
import { ZoomController } from './zoom-controller.ts';

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

  constructor(
    host: ReactiveControllerHost,
    readonly engines: EngineSet,
  ) {
    this.message = new MessageLine(host);
    this.zoom = new ZoomController((json, push) => this.spec.setSpec(json, { immediate: true, pushZoom: push }));
    this.spec = new SpecController(host, this.message, (change) => {
      if (change.pushZoom) this.zoom.push(this.spec.json);
      this.sweep.schedule(change.immediate ?? false);
    });
    this.sweep = new RunController(
      host,
      engines,
      this.message,
      () => this.spec.current,
      (plan) => {
        this.selection.rebase(plan);
        this.pins.rebase(plan);
        this.preview.rebase();
        this.race.setBase(plan.spec);
        this.validation.reset();
      },
      (plan, finished) => {
        if (finished) {
          this.selection.settle(plan);
          this.pins.settle(plan);
        }
        this.live.idle();
      },
    );
    const cache = new TrajectoryCache();
    this.selection = new SelectionController(host, engines, this.message, this.sweep, cache);
    this.preview = new PreviewController(host, engines, this.sweep, cache);
    this.pins = new PinsController(host, engines, this.message, this.sweep, cache);
    this.playback = new PlaybackController(() => longestSteps([this.selection.trajectory, ...this.pins.list.map((p) => p.trajectory)]));
    this.race = new RaceController(host, () => engines.cpu);
    this.racePlayback = new PlaybackController(() => longestSteps(this.race.lanes.map((l) => l.trajectory)));
    this.live = new LiveEdit(
      (json, final) => this.spec.setSpec(json, { immediate: true, pushZoom: final }),
      () => this.sweep.running,
      (json) => this.ahead(json),
    );
    this.validation = new ValidationController(host, engines, this.message, this.sweep);
    this.exports = new ExportController(this.sweep, () => this.frame());
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

  /** Starts from the URL's spec (or the default) and runs it. */
  init(): void {
    this.spec.init();
  }

  /** Stops whatever is running: the sweep or its validation. */
  cancel(): void {
    this.sweep.cancel();
    this.validation.cancel();
  }

  deviceLost(message: string): void {
    this.sweep.deviceLost(message);
  }

  private frameCache: { key: readonly unknown[]; frame: HeatmapFrame } | null = null;

  /** The heatmap's frame, recomputed only when what it shows changed. */
  frame(): HeatmapFrame | null {
    const { plan, columns, runsReady, results } = this.sweep;
    if (!plan || !columns) return null;
    const key = [plan, columns, runsReady, this.spec.mode, results];
    const hit = this.frameCache;
    if (hit && hit.key.every((k, i) => k === key[i])) return hit.frame;
    const frame = heatmapFrame(plan, columns, runsReady, this.spec.mode);
    this.frameCache = { key, frame };
    return frame;
  }

  /** The grid axes of the shown sweep (null for random/Sobol sweeps). */
  axes(): { x: GridAxis; y: GridAxis | null } | null {
    const s = this.sweep.plan?.spec.sweep;
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
      // the device still holds the previous sweep's.
      const results = (): DeviceResults | null => (this.sweep.engine === engine && this.sweep.results ? engine.deviceResults() : null);
      this.gpuCache = { engine, gpu: gpuHeatmap(results) };
    }
    return this.gpuCache.gpu;
  }
}
