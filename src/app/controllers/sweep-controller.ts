/**
 * The app's state and everything that changes it: the spec being edited, the sweep running or
 * shown, the selected run and its trajectory, the zoom history, validation. Plain TypeScript (a Lit
 * reactive controller only to ask its host to re-render); components render what it holds.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { CancelledError, GpuRunError, SpecErrors } from '../../core/errors.ts';
import type { Plan } from '../../core/plan.ts';
import { makePlan, runCoordinates } from '../../core/plan.ts';
import type { ResultColumns, Results } from '../../core/results.ts';
import { writeResultsCSV, writeResultsJSON } from '../../core/results.ts';
import { scaleUnit } from '../../core/sampling.ts';
import type { GridAxis, Spec } from '../../core/spec.ts';
import { parseSpec, specToJSON } from '../../core/spec.ts';
import { decodeUrlState, encodeUrlState } from '../../core/url.ts';
import type { PairReport } from '../../core/validate.ts';
import { comparePair, gridBoundary, illConditioned, outcomeClass } from '../../core/validate.ts';
import type { Trajectory } from '../../core/trajectory.ts';
import type { Engine, Progress } from '../../engine/engine.ts';
import type { HeatmapFrame, HeatmapMode } from '../../view/frame.ts';
import { HEATMAP_MODES, valueRange } from '../../view/frame.ts';
import type { EngineSet } from './engines.ts';

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/** The default view: an LR x momentum sweep of heavy-ball SGD on Rosenbrock. */
export const DEFAULT_SPEC: Record<string, unknown> = {
  surface: { name: 'rosenbrock' },
  optimizer: { name: 'SGD', lr: 0.001, momentum: 0.9 },
  steps: 500,
  start: [-1.5, 2],
  sweep: {
    kind: 'grid',
    x: { param: 'optimizer.lr', min: 1e-5, max: 1e-2, count: 256, scale: 'log' },
    y: { param: 'optimizer.momentum', min: 0, max: 0.99, count: 256, scale: 'linear' },
  },
};

export interface Validation {
  readonly report: PairReport;
  /** 1 where the GPU and float32 CPU engines reached different outcomes. */
  readonly overlay: Uint8Array;
}

export class SweepController implements ReactiveController {
  specJSON: Record<string, unknown> = DEFAULT_SPEC;
  spec: Spec | null = null;
  errors: FieldError[] = [];
  plan: Plan | null = null;
  /** The shown sweep: final results, or the columns being filled while running. */
  results: Results | null = null;
  columns: ResultColumns | null = null;
  runsReady = 0;
  engineUsed = '';
  progress: Progress | null = null;
  running = false;
  message = '';
  mode: HeatmapMode = 'basin';
  hover: { i: number; j: number } | null = null;
  selected: { i: number; j: number } | null = null;
  trajectory: Trajectory | null = null;
  validation: Validation | null = null;
  validating = false;
  /** Specs of the zoom history; zoomIndex is the one shown. */
  zoomStack: Record<string, unknown>[] = [];
  zoomIndex = -1;

  private abort: AbortController | null = null;
  private debounce: ReturnType<typeof setTimeout> | null = null;
  private generation = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    readonly engines: EngineSet,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    window.addEventListener('hashchange', this.onHash);
  }

  hostDisconnected(): void {
    window.removeEventListener('hashchange', this.onHash);
    this.abort?.abort();
  }

  private changed(): void {
    this.host.requestUpdate();
  }

  // ---- spec and URL

  /** Starts from the URL's spec (or the default) and runs it. */
  init(): void {
    let json: Record<string, unknown> = DEFAULT_SPEC;
    try {
      const st = decodeUrlState(location.hash);
      if (st) {
        json = st.spec as Record<string, unknown>;
        const m = st.params.v;
        if (m && (HEATMAP_MODES as readonly string[]).includes(m)) this.mode = m as HeatmapMode;
      }
    } catch (e) {
      this.message = (e as Error).message;
    }
    this.setSpec(json, { immediate: true, pushZoom: true });
  }

  private onHash = (): void => {
    try {
      const st = decodeUrlState(location.hash);
      if (st && JSON.stringify(st.spec) !== JSON.stringify(this.specJSON)) this.setSpec(st.spec as Record<string, unknown>, { immediate: true });
    } catch (e) {
      this.message = (e as Error).message;
      this.changed();
    }
  };

  private writeUrl(): void {
    // Keep what other parts of the page put in the fragment (the open study).
    const extra = Object.fromEntries([...new URLSearchParams(location.hash.slice(1))].filter(([k]) => k !== 's' && k !== 'v'));
    const hash = encodeUrlState(this.specJSON, { ...extra, v: this.mode });
    if (location.hash !== hash) history.replaceState(null, '', hash);
  }

  /** A new spec from the editor, an import, a zoom or the URL: validate, and re-run if valid. */
  setSpec(json: Record<string, unknown>, opts: { immediate?: boolean; pushZoom?: boolean } = {}): void {
    this.specJSON = json;
    try {
      const spec = parseSpec(json);
      this.spec = spec;
      this.errors = [];
      this.specJSON = specToJSON(spec);
    } catch (e) {
      if (e instanceof SpecErrors) {
        this.errors = e.errors.map((x) => ({ path: x.path, message: x.message }));
        this.changed();
        return;
      }
      throw e;
    }
    if (opts.pushZoom) this.pushHistory();
    this.writeUrl();
    if (this.debounce) clearTimeout(this.debounce);
    if (opts.immediate) void this.run();
    else this.debounce = setTimeout(() => void this.run(), 250);
    this.changed();
  }

  setMode(mode: HeatmapMode): void {
    this.mode = mode;
    this.writeUrl();
    this.changed();
  }

  // ---- running

  cancel(): void {
    this.abort?.abort();
  }

  /**
   * The engine for a plan: WebGPU when available, except when the sweep is finer than float32 can
   * resolve (deep zooms), where float64 is the only honest choice.
   */
  private engineFor(plan: Plan): Engine {
    const needs64 = plan.dims.some((d) => {
      const { min, max } = d.range;
      const span = Math.abs(max - min);
      const mag = Math.max(Math.abs(min), Math.abs(max));
      return span > 0 && span / Math.max(1, (plan.width > 1 ? plan.width : plan.height) - 1) < 4 * mag * 2 ** -24;
    });
    if (needs64) return this.engines.cpu64;
    return this.engines.gpu ?? this.engines.cpu;
  }

  async run(): Promise<void> {
    const spec = this.spec;
    if (!spec) return;
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    const gen = ++this.generation;
    let plan: Plan;
    try {
      plan = makePlan(spec);
    } catch (e) {
      this.message = (e as Error).message;
      this.changed();
      return;
    }
    this.plan = plan;
    this.results = null;
    this.columns = null;
    this.runsReady = 0;
    this.validation = null;
    this.trajectory = null;
    this.selected = null;
    this.running = true;
    this.message = '';
    this.changed();
    const engine = this.engineFor(plan);
    this.engineUsed = engine.name;
    if (engine.name === 'cpu64' && this.engines.gpu) this.message = 'This zoom is finer than float32 resolves: running on the float64 CPU engine.';
    try {
      const res = await engine.run(plan, {
        signal: abort.signal,
        retainOnDevice: true,
        onProgress: (p) => {
          if (gen !== this.generation) return;
          this.progress = p;
          if (p.columns) this.columns = p.columns;
          this.runsReady = p.runsReady ?? this.runsReady;
          this.changed();
        },
      });
      if (gen !== this.generation) return;
      this.results = res;
      this.columns = res;
      this.runsReady = plan.runs;
    } catch (e) {
      if (gen !== this.generation) return;
      if (e instanceof CancelledError) {
        this.message = 'Run cancelled.';
      } else if (e instanceof GpuRunError && engine.name === 'gpu') {
        // Device loss or out-of-memory: say so and fall back to the CPU engine.
        this.engines.gpu = null;
        this.engines.status = `GPU failed (${e.kind}: ${e.message}); now running on the CPU engine in Web Workers`;
        this.message = this.engines.status;
        this.running = false;
        this.changed();
        void this.run();
        return;
      } else {
        this.message = `Run failed: ${(e as Error).message}`;
      }
    } finally {
      if (gen === this.generation) {
        this.running = false;
        this.changed();
      }
    }
  }

  /** Called when the device is lost outside a run. */
  deviceLost(message: string): void {
    this.message = message;
    this.changed();
    if (this.spec) void this.run();
  }

  // ---- what the heatmap shows

  private frameCache: { key: readonly unknown[]; frame: HeatmapFrame } | null = null;

  /**
   * The heatmap's frame, recomputed only when what it shows changed (its colour range is a pass
   * over every run: never on a hover).
   */
  frame(): HeatmapFrame | null {
    const plan = this.plan;
    const cols = this.columns;
    if (!plan || !cols) return null;
    const key = [plan, cols, this.runsReady, this.mode, this.results];
    const hit = this.frameCache;
    if (hit && hit.key.length === key.length && hit.key.every((k, i) => k === key[i])) return hit.frame;
    const lossFloor = plan.minima.reduce((m, x) => Math.min(m, x.value), Number.POSITIVE_INFINITY);
    const floor = Number.isFinite(lossFloor) ? lossFloor : 0;
    const [lo, hi] = valueRange(this.mode, cols, this.runsReady, floor, plan.spec.steps);
    const frame: HeatmapFrame = { width: plan.width, height: plan.height, runsReady: this.runsReady, mode: this.mode, columns: cols, lo, hi, lossFloor: floor, steps: plan.spec.steps };
    this.frameCache = { key, frame };
    return frame;
  }

  /** The grid axes of the shown sweep (null for random/Sobol sweeps). */
  axes(): { x: GridAxis; y: GridAxis | null } | null {
    const s = this.plan?.spec.sweep;
    return s && s.kind === 'grid' ? { x: s.x, y: s.y } : null;
  }

  runOf(i: number, j: number): number {
    return j * (this.plan?.width ?? 1) + i;
  }

  setHover(cell: { i: number; j: number } | null): void {
    this.hover = cell;
    this.changed();
  }

  /** Selects a run and records its path on the engine that ran the sweep. */
  select(cell: { i: number; j: number }): void {
    const plan = this.plan;
    if (!plan) return;
    this.selected = cell;
    const run = this.runOf(cell.i, cell.j);
    const engine = this.engineUsed === 'cpu64' ? this.engines.cpu64 : this.engineUsed === 'gpu' && this.engines.gpu ? this.engines.gpu : this.engines.cpu;
    const gen = this.generation;
    void engine.trajectories(plan, { runs: [run] }).then(
      ([t]) => {
        if (gen !== this.generation || this.selected !== cell || !t) return;
        this.trajectory = t;
        this.changed();
      },
      (e: unknown) => {
        this.message = `Trajectory failed: ${(e as Error).message}`;
        this.changed();
      },
    );
    this.changed();
  }

  describeRun(cell: { i: number; j: number } | null): { coords: Record<string, number>; outcome: string; fields: Record<string, number> } | null {
    const plan = this.plan;
    const c = this.columns;
    if (!plan || !c || !cell) return null;
    const run = this.runOf(cell.i, cell.j);
    if (run >= this.runsReady) return null;
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

  // ---- zoom

  private pushHistory(): void {
    this.zoomStack = [...this.zoomStack.slice(0, this.zoomIndex + 1), this.specJSON];
    this.zoomIndex = this.zoomStack.length - 1;
  }

  /** Re-sweeps the dragged rectangle (fractional cell coordinates) at the same resolution. */
  zoom(rect: { x0: number; x1: number; y0: number; y1: number }): void {
    const spec = this.spec;
    const sweep = spec?.sweep;
    if (!spec || !sweep || sweep.kind !== 'grid') return;
    // Cell k is centred on axis value k; a rectangle edge at e (in cells) is value e - 0.5, kept
    // within the current range.
    const at = (a: GridAxis, e: number): number => {
      const k = Math.min(a.count - 1, Math.max(0, e - 0.5));
      return a.count <= 1 ? a.min : scaleUnit(k / (a.count - 1), a.min, a.max, a.scale);
    };
    const x: GridAxis = { ...sweep.x, min: at(sweep.x, rect.x0), max: at(sweep.x, rect.x1) };
    const y: GridAxis | null = sweep.y ? { ...sweep.y, min: at(sweep.y, rect.y0), max: at(sweep.y, rect.y1) } : null;
    if (x.max <= x.min || (y && y.max <= y.min)) return;
    const json = specToJSON(spec);
    this.setSpec({ ...json, sweep: { kind: 'grid', x, y } }, { immediate: true, pushZoom: true });
  }

  canGoBack(): boolean {
    return this.zoomIndex > 0;
  }

  canGoForward(): boolean {
    return this.zoomIndex < this.zoomStack.length - 1;
  }

  goHistory(delta: number): void {
    const k = this.zoomIndex + delta;
    const json = this.zoomStack[k];
    if (!json) return;
    this.zoomIndex = k;
    this.setSpec(json, { immediate: true });
  }

  // ---- validation and export

  /** Runs the float32 and float64 CPU engines on the shown plan and marks where the GPU disagrees. */
  async validate(): Promise<void> {
    const plan = this.plan;
    const gpuRes = this.results;
    if (!plan || !gpuRes || this.validating) return;
    this.validating = true;
    this.message = 'Validating: running the float32 and float64 CPU engines on this sweep…';
    this.changed();
    const abort = new AbortController();
    this.abort = abort;
    try {
      const cpu = await this.engines.cpu.run(plan, { signal: abort.signal, onProgress: (p) => ((this.progress = p), this.changed()) });
      const cpu64 = await this.engines.cpu64.run(plan, { signal: abort.signal, onProgress: (p) => ((this.progress = p), this.changed()) });
      const boundary = plan.mode === 'grid' ? gridBoundary(cpu64) : new Uint8Array(plan.runs);
      const a = gpuRes.engine === 'cpu' ? cpu64 : gpuRes;
      const report = comparePair(plan, a, cpu, boundary, illConditioned(cpu, cpu64));
      const overlay = new Uint8Array(plan.runs);
      for (let i = 0; i < plan.runs; i++) overlay[i] = outcomeClass(a, i) !== outcomeClass(cpu, i) ? 1 : 0;
      this.validation = { report, overlay };
      this.message = `${report.a} vs ${report.b}: same outcome on ${(100 * report.sameOutcome).toFixed(2)}% of runs ` +
        `(${report.mismatches} differ, ${report.boundaryRuns} runs on basin boundaries); position error median ` +
        `${report.position.median.toExponential(1)}, max ${report.position.max.toExponential(1)}.`;
    } catch (e) {
      this.message = e instanceof CancelledError ? 'Validation cancelled.' : `Validation failed: ${(e as Error).message}`;
    } finally {
      this.validating = false;
      this.changed();
    }
  }

  exportText(format: 'csv' | 'json'): Blob | null {
    const plan = this.plan;
    const res = this.results;
    if (!plan || !res) return null;
    const parts: string[] = [];
    if (format === 'csv') writeResultsCSV(res, plan, (c) => parts.push(c));
    else writeResultsJSON(res, plan, (c) => parts.push(c));
    return new Blob(parts, { type: format === 'csv' ? 'text/csv' : 'application/json' });
  }
}
