/**
 * The app's controllers, one concern each, and the few ways they depend on each other: a valid
 * spec runs (the spec controller records it in the browser's history), a new sweep clears the
 * selection and the verdict, a zoom becomes the spec of a new view. Also what the heatmap is
 * handed, derived once per change (a frame is a pass over every run, never redone on a hover).
 */
import type { ReactiveControllerHost } from 'lit';
import type { GridAxis } from '../../core/spec.ts';
import type { DeviceResults, Engine } from '../../engine/engine.ts';
import type { HeatmapFrame, HeatmapMode } from '../../view/frame.ts';
import { heatmapFrame } from '../../view/frame.ts';
import { gpuHeatmap } from '../heatmap/gpu-renderer.ts';
import type { HeatmapGpu } from '../heatmap/renderers.ts';
import type { EngineSet } from './engines.ts';
import { ExportController } from './export-controller.ts';
import { MessageLine } from './message.ts';
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
  readonly zoom: ZoomController;
  readonly validation: ValidationController;
  readonly exports: ExportController;

  constructor(
    host: ReactiveControllerHost,
    readonly engines: EngineSet,
  ) {
    this.message = new MessageLine(host);
    this.zoom = new ZoomController((json) => this.spec.setSpec(json, { immediate: true }));
    this.spec = new SpecController(host, this.message, (change) => this.sweep.schedule(change.immediate ?? false));
    this.sweep = new RunController(host, engines, this.message, () => this.spec.current, () => {
      this.selection.reset();
      this.validation.reset();
    });
    this.selection = new SelectionController(host, engines, this.message, this.sweep);
    this.validation = new ValidationController(host, engines, this.message, this.sweep);
    this.exports = new ExportController(this.sweep, () => this.spec.mode);
  }

  /** Starts from the URL's spec (or the default) and runs it. */
  init(): void {
    this.spec.init();
  }

  /** A view made elsewhere (a preset, a study panel): its spec and colouring, as a new history entry. */
  openView(json: Record<string, unknown>, mode: HeatmapMode): void {
    this.spec.open(json, mode);
  }

  /** Puts a link to the view on the clipboard (or, where the page may not, shows it to copy by hand). */
  async copyLink(): Promise<void> {
    const url = location.href;
    try {
      await navigator.clipboard.writeText(url);
      this.message.say('Link to this view copied.');
    } catch {
      this.message.say(`Copy this link: ${url}`);
    }
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
