/**
 * The sweep shown: running the current spec's plan on the right engine (cancellable, with progress
 * and partial results for a heatmap that fills in), falling back to the CPU engines when the GPU
 * fails, and what it produced. A run cancelled before it finished gives the screen back to the
 * last complete sweep, not to a half-filled map.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { engineForPlan } from '../../engine/choose.ts';
import { CancelledError, GpuRunError } from '../../core/errors.ts';
import type { NetPlan } from '../../core/network/plan.ts';
import { makeNetPlan, prepareSpec } from '../../core/network/plan.ts';
import type { AnyPlan, Plan } from '../../core/plan.ts';
import { makePlan } from '../../core/plan.ts';
import type { AnyColumns, NetColumns, NetResults, ResultColumns, Results } from '../../core/results.ts';
import { allocateColumns, columnOf, presentFields } from '../../core/results.ts';
import type { AnySpec, NetSpec } from '../../core/spec.ts';
import { specKey } from '../../core/spec.ts';
import type { Engine, Progress } from '../../engine/engine.ts';
import type { RanSweep } from '../../studies/types.ts';
import type { EngineSet } from './engines.ts';
import { cpuWorkerCount } from './engines.ts';
import { LONG_NET_NOTE_AFTER_S, longNetSweepNote, pageNetMemoryProblem } from '../net-runs.ts';
import type { MessageLine } from './message.ts';
import { RenderThrottle } from './throttle.ts';
import { sweepTimeLeft } from '../validation-passes.ts';
import { axisFinerThan } from '../heatmap/zoom-around.ts';
import { explainError } from '../explain-error.ts';
import { cancelledText } from '../run-status.ts';

/** How long the editor's typing must pause before its spec runs. */
const EDIT_DEBOUNCE_MS = 250;

/**
 * Whether a sweep's axes are finer than float32 resolves: neighbouring cells less than four float32
 * ulps apart, where a float32 engine would draw rounding noise, not the map.
 */
export function finerThanFloat32(plan: Pick<AnyPlan, 'dims' | 'width' | 'height'>): boolean {
  return finerThan(plan, 2 ** -24);
}

/** Said where a cancel gave the screen back to the last complete sweep (either kind). */
const RESTORED_AFTER_CANCEL = 'Run cancelled: the map shows the last complete sweep again (its caption says which); Run computes the spec in the editor.';

/** What a view finer than float64 resolves gets instead of a map. */
export const PAST_FLOAT64 =
  'This view is finer than even float64 resolves (neighbouring cells less than 4 float64 steps apart): no engine here can draw it. Widen the swept range in the editor (or go Back).';

/** The same for float64 (the CPU engine's cpu64): past it no engine here resolves the map. */
export function finerThanFloat64(plan: Pick<AnyPlan, 'dims' | 'width' | 'height'>): boolean {
  return finerThan(plan, 2 ** -53);
}

function finerThan(plan: Pick<AnyPlan, 'dims' | 'width' | 'height'>, eps: number): boolean {
  // A grid's y axis has its own count (the height); a list sweep's runs all lie along x.
  return plan.dims.some((d, k) => axisFinerThan(d.range.min, d.range.max, k === 1 && plan.height > 1 ? plan.height : plan.width > 1 ? plan.width : plan.height, eps));
}

/** The state of the network sweep shown (null fields while a surface is shown). */
export interface NetSweep {
  readonly plan: NetPlan;
  /** Final results (null while running, or when it failed or was cancelled). */
  results: NetResults | null;
  /** The columns shown: final results, or the ones being filled while running (runs below RunController.runsReady are final). */
  columns: NetColumns | null;
}

/** Copies rows 0..n-1 of a finished block into `dst` from row `at` (a block's columns may hold more rows than it filled). */
function copyRows(dst: AnyColumns, src: AnyColumns, at: number, n: number): void {
  for (const f of presentFields(src)) (columnOf(dst, f) as Float64Array).set((columnOf(src, f) as Float64Array).subarray(0, n), at);
}

export class RunController implements ReactiveController {
  /** The surface sweep shown (null while a network sweep is shown: see `net`). */
  plan: Plan | null = null;
  /** The network sweep shown (null while a surface sweep is shown). */
  net: NetSweep | null = null;
  /** Final results of the shown sweep (null while running, or when it failed or was cancelled). */
  results: Results | null = null;
  /** The columns shown: final results, or the ones being filled while running. */
  columns: ResultColumns | null = null;
  runsReady = 0;
  /** The engine that ran (or runs) the shown sweep, and its name. */
  engine: Engine | null = null;
  engineUsed = '';
  progress: Progress | null = null;
  running = false;
  /** When the shown sweep started (performance.now(), ms): its time left is estimated from it. */
  private startedAt = 0;
  /** The shown sweep's first progress (work done, ms since its start): its rate is measured from there. */
  private firstProgress: { done: number; elapsed: number } | null = null;

  /**
   * Set while the map shows an earlier sweep than the spec (a re-run was cancelled): that sweep's
   * plan, for the note above the map and its button that puts the plan's spec back in the editor.
   */
  restored: AnyPlan | null = null;

  /**
   * Whether the shown surface results are the ones the engine keeps on its device (a retained run of
   * this sweep): false for results handed over from a study's run, which the heatmap draws from memory.
   */
  onDevice = false;

  /**
   * A study's own run of a sweep (StudyController.sweepOf), set by the app: a figure's sweep opened
   * here shows from it at once (`fromStudy`) instead of running again.
   */
  precomputed: ((plan: AnyPlan) => RanSweep | null) | null = null;
  /** The shown sweep is a study's run of it (precomputed), not a run of the explorer's. */
  fromStudy = false;

  private abort: AbortController | null = null;
  /** The last sweep that completed, to show again when a later run is cancelled. */
  private complete: { plan: Plan; results: Results; engine: Engine; engineUsed: string; onDevice: boolean; fromStudy: boolean } | null = null;
  private debounce: ReturnType<typeof setTimeout> | null = null;
  private generation = 0;
  private readonly throttle: RenderThrottle;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly engines: EngineSet,
    private readonly message: MessageLine,
    private readonly spec: () => AnySpec | null,
    /** Called as a new sweep starts (its plan and engine set), before anything of it shows: what belonged to the old one goes or moves to it. */
    private readonly onStart: (plan: AnyPlan) => void,
    /** Called when the shown sweep ends: finished (true), or cancelled or failed (false). */
    private readonly onEnd: (plan: AnyPlan, finished: boolean) => void = () => {},
  ) {
    this.throttle = new RenderThrottle(host);
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.abort?.abort();
    if (this.debounce) clearTimeout(this.debounce);
    this.throttle.cancel();
  }

  /** Runs the current spec now, or after the editor's typing pause. */
  schedule(immediate: boolean): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = null;
    if (immediate) void this.run();
    else this.debounce = setTimeout(() => void this.run(), EDIT_DEBOUNCE_MS);
  }

  cancel(): void {
    this.abort?.abort();
  }

  /** The running sweep's time left in words ("about 2 min left"), or undefined (not running, too early to say, or a quick sweep). */
  timeLeft(now = performance.now()): string | undefined {
    const p = this.progress;
    if (!this.running || !p) return undefined;
    return sweepTimeLeft(p.done, p.total, (now - this.startedAt) / 1000, this.firstProgress);
  }

  /**
   * The engine for a plan: WebGPU when available, except when the sweep is finer than float32 can
   * resolve (deep zooms), where float64 is the only honest choice.
   */
  private engineFor(plan: AnyPlan, float64 = false): Engine {
    if (finerThanFloat32(plan) || (float64 && plan.problem === 'network')) return this.engines.cpu64;
    // Networks: the GPU engine on a real GPU for a sweep of enough runs to fill it; otherwise the CPU
    // engine in Web Workers trains them faster (src/engine/choose.ts, measured).
    return engineForPlan(plan, this.engines.gpu, this.engines.cpu, this.engines.forceGpu);
  }

  /**
   * A sweep of either kind starts showing: the previous one's state goes (a surface plan in `plan`,
   * a network one in `net`, never both), its engine is chosen, and onStart moves what followed the
   * old sweep to it. Returns the engine.
   */
  private begin(plan: AnyPlan, net: NetSweep | null = null, float64 = false, ran: Engine | null = null): Engine {
    this.restored = null;
    this.fromStudy = false;
    this.plan = plan.problem === 'network' ? null : plan;
    this.net = net;
    this.results = null;
    this.columns = null;
    this.runsReady = 0;
    this.running = true;
    this.progress = null;
    this.startedAt = performance.now();
    this.firstProgress = null;
    this.onDevice = false;
    this.message.runStarts();
    const engine = ran ?? this.engineFor(plan, float64);
    this.engine = engine;
    this.engineUsed = engine.name;
    this.onStart(plan);
    return engine;
  }

  /** The shown sweep's progress, and its first (the time left is measured from there). */
  private progressed(p: Progress): void {
    this.progress = p;
    if (!this.firstProgress && p.done > 0) this.firstProgress = { done: p.done, elapsed: (performance.now() - this.startedAt) / 1000 };
  }

  /** Runs the current spec; `float64`: a network view on the float64 CPU engine (runFloat64). */
  async run(opts: { readonly float64?: boolean; readonly retryGpu?: boolean } = {}): Promise<void> {
    // The device was lost with an earlier sweep: ask for a new one before choosing the engine; not
    // for the re-run of a sweep that just failed on the GPU (it would fail again on a new device,
    // out of memory or invalid, and loop: review 10), which runs on the CPU.
    if (this.engines.gpuLost && opts.retryGpu !== false) await this.engines.retryGpu();
    const spec = this.spec();
    if (!spec) return;
    // The editor back at the spec of the map a cancel restored (the note's button, Back): that map
    // is this spec's complete sweep, shown already, and running it again would only redo it.
    const shown = this.restored;
    if (!opts.float64 && shown && !this.running && specKey(shown.spec) === specKey(spec)) {
      this.restored = null;
      this.message.say("The editor holds the shown map's spec again: its sweep is complete, nothing ran again.");
      this.host.requestUpdate();
      return;
    }
    if (spec.problem === 'network') return this.runNet(spec, opts.float64 ?? false);
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    const gen = ++this.generation;
    let plan: Plan;
    try {
      plan = makePlan(spec);
    } catch (e) {
      this.message.say((e as Error).message);
      return;
    }
    // Rounding noise is all a map this deep could show, on either kind of problem (a typed range or a
    // link reaches it; the zoom gesture refuses it before: walkthrough 8 found a flat map drawn).
    if (finerThanFloat64(plan)) {
      this.message.say(PAST_FLOAT64);
      return;
    }
    const ran = this.studyRun(plan);
    if (ran?.problem === 'surface') return this.showRan(plan, ran);
    const engine = this.begin(plan);
    // Added to what the sweep's start said (runs it cleared), not in its place.
    if (engine.name === 'cpu64' && this.engines.gpu) this.message.add(['This zoom is finer than float32 resolves: running on the float64 CPU engine.']);
    try {
      const res = await engine.run(plan, {
        signal: abort.signal,
        retainOnDevice: true,
        onProgress: (p) => {
          if (gen !== this.generation) return;
          this.progressed(p);
          if (p.columns) this.columns = p.columns;
          this.runsReady = p.runsReady ?? this.runsReady;
          this.throttle.request();
        },
      });
      if (gen !== this.generation) return;
      this.results = res;
      this.columns = res;
      this.runsReady = plan.runs;
      this.restored = null;
      this.onDevice = true;
      this.complete = { plan, results: res, engine, engineUsed: engine.name, onDevice: true, fromStudy: false };
    } catch (e) {
      if (gen !== this.generation) return;
      if (e instanceof CancelledError) {
        const last = this.complete;
        if (last) {
          this.plan = last.plan;
          this.results = last.results;
          this.columns = last.results;
          this.runsReady = last.plan.runs;
          this.engine = last.engine;
          this.engineUsed = last.engineUsed;
          this.restored = last.plan;
          this.onDevice = last.onDevice;
          this.fromStudy = last.fromStudy;
          // What followed the cancelled sweep (the selection, pins, the race) goes back with the map.
          this.onStart(last.plan);
          this.message.say(RESTORED_AFTER_CANCEL);
        } else {
          this.message.say(cancelledText(this.runsReady, plan.runs));
        }
      } else if (e instanceof GpuRunError && engine.name === 'gpu') {
        this.offGpu(e, engine);
        return;
      } else {
        this.message.say(`Run failed: ${explainError(e)}`);
      }
    } finally {
      if (gen === this.generation) {
        this.running = false;
        this.host.requestUpdate();
        // A cancel that gave the screen back to the last complete map ends with that map: its
        // selected and pinned paths, recorded ahead on the preview engine, are recorded on its own
        // (walkthrough 9: "exact path when the sweep is done" stayed, with no sweep running).
        const back = this.restored !== null && this.plan === this.restored ? this.restored : null;
        this.onEnd(back ?? plan, this.results !== null && (back !== null || this.plan === plan));
      }
    }
  }

  /**
   * A sweep of either kind failed on the GPU (device loss, out of memory, a pipeline it refused):
   * the GPU is dropped with the reason, and the sweep runs again on the CPU engine without asking
   * for a new device (it would fail the same way, in a loop: review 10); the next run asks once.
   */
  private offGpu(e: GpuRunError, engine: Engine): void {
    const held = this.engines.gpu;
    if (held && engine === held) this.engines.dropGpu(held, `GPU failed (${e.kind}: ${e.message}); this view runs on the CPU engine in Web Workers, the next run asks for a new GPU device`);
    this.message.say(this.engines.status);
    this.running = false;
    this.host.requestUpdate();
    void this.run({ retryGpu: false });
  }

  /** The study's run of this plan's sweep, unless its engine is a GPU lost since (its paths could not be recorded on it). */
  private studyRun(plan: AnyPlan): RanSweep | null {
    const ran = this.precomputed?.(plan) ?? null;
    return ran && ran.engine.name === 'gpu' && ran.engine !== this.engines.gpu ? null : ran;
  }

  /**
   * The study's run of this plan's sweep shown as a finished run of it, on the study's engine
   * (`plan` is the explorer's own plan of the same spec). Nothing runs.
   */
  private showRan(plan: AnyPlan, ran: RanSweep): void {
    const engine = ran.engine;
    if (ran.problem === 'network' && plan.problem === 'network') {
      const net: NetSweep = { plan, results: ran.results, columns: ran.results };
      this.begin(plan, net, false, engine);
      this.netComplete = { net, engine, fromStudy: true };
    } else if (ran.problem === 'surface' && plan.problem !== 'network') {
      this.begin(plan, null, false, engine);
      this.results = ran.results;
      this.columns = ran.results;
      this.complete = { plan, results: ran.results, engine, engineUsed: engine.name, onDevice: false, fromStudy: true };
    }
    this.fromStudy = true;
    this.runsReady = plan.runs;
    this.running = false;
    this.message.say("Shown from the study's own run of this sweep: nothing was computed again.");
    this.host.requestUpdate();
    this.onEnd(plan, true);
  }

  /** Runs the network view shown again on the float64 CPU engine (after a probe found float32 does not resolve it). */
  runFloat64(): void {
    void this.run({ float64: true });
  }

  /** The generation whose network sweep is reading its data set and making its plan (no sweep begun yet). */
  private preparingGen = -1;

  /** A network sweep's data set is being read and its plan made; a later run (any kind) ends it. */
  get preparing(): boolean {
    return this.preparingGen === this.generation;
  }

  /** The last network sweep that completed, to show again when a later one is cancelled. */
  private netComplete: { net: NetSweep; engine: Engine; fromStudy: boolean } | null = null;

  /**
   * A network sweep: its data set loaded (Iris and digits are fetched once), its plan run on the
   * engine engineFor picks, the map filled when it is done (the CPU engine reports progress, not
   * partial network columns).
   */
  private async runNet(spec: NetSpec, float64: boolean): Promise<void> {
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    const gen = ++this.generation;
    let plan: NetPlan;
    this.preparingGen = gen;
    this.host.requestUpdate();
    try {
      await prepareSpec(spec);
      if (gen !== this.generation) return;
      plan = makeNetPlan(spec);
    } catch (e) {
      if (gen === this.generation) this.message.say(explainError(e));
      return;
    } finally {
      if (gen === this.generation) {
        this.preparingGen = -1;
        this.host.requestUpdate();
      }
    }
    if (finerThanFloat64(plan)) {
      this.message.say(PAST_FLOAT64);
      return;
    }
    // Asked for float64, the study's float32 run is not what is wanted.
    const ran = float64 ? null : this.studyRun(plan);
    if (ran?.problem === 'network') return this.showRan(plan, ran);
    // On the CPU engine a network too large for the page is refused before it starts: the tab would
    // crash, taking the map on screen with it (walkthrough 15).
    if (this.engineFor(plan, float64).name !== 'gpu') {
      const why = pageNetMemoryProblem(plan, cpuWorkerCount(), pageHeapLimit(), pageMemory());
      if (why) {
        this.message.say(`This network does not fit the page: ${why}.`);
        return;
      }
    }
    // Filled block by block as the engine hands finished runs over (in run order), so the map fills in.
    const net: NetSweep = { plan, results: null, columns: allocateColumns(plan.runs, 'f64', plan.spec) };
    const engine = this.begin(plan, net, float64);
    if (engine.name === 'cpu64' && !finerThanFloat32(plan)) {
      this.message.add(["Drawing this view in float64 on the CPU engine: float32's rounding decides which side of the boundary a run ends on here (the note above the map said how much)."]);
    } else if (engine.name === 'cpu64') {
      // Measured on the fractal network (12 x 12, 40 steps, one thread): cpu64 ran as fast as cpu (2.0 s vs 2.6 s).
      this.message.add([
        'This zoom is finer than float32 resolves: running on the float64 CPU engine, whose values tell neighbouring cells apart down to about 4 × 10^-16 of the value, at about the cost of the float32 CPU engine. Whether it resolves the map itself is checked on a sample of its runs when it is done.',
      ]);
    }
    // A long sweep says so a few seconds in, from its own rate (a 160,000-run Iris sweep ran half an
    // hour with only "running" to show for it: walkthrough 14); the GPU engine's sweeps of that size
    // take seconds. The note goes when the sweep ends (walkthrough 22 found it beside the finished map).
    let long: string | null = null;
    const lastMap = this.netComplete !== null;
    const judge =
      engine.name === 'gpu'
        ? null
        : setTimeout(() => {
            if (gen !== this.generation || !this.running) return;
            const p = this.progress;
            long = longNetSweepNote(plan, { elapsed: (performance.now() - this.startedAt) / 1000, done: p?.done ?? 0, total: p?.total ?? plan.runs * plan.spec.steps }, cpuWorkerCount(), lastMap);
            if (long) this.message.add([long]);
          }, LONG_NET_NOTE_AFTER_S * 1000);
    try {
      const res = await engine.run(plan, {
        signal: abort.signal,
        onProgress: (p) => {
          if (gen !== this.generation) return;
          this.progressed(p);
          this.throttle.request();
        },
        onChunk: (begin, cols, n) => {
          if (gen !== this.generation || !net.columns) return;
          copyRows(net.columns, cols, begin, n);
          this.runsReady = Math.max(this.runsReady, begin + n);
          this.throttle.request();
        },
      });
      if (gen !== this.generation) return;
      net.results = res;
      net.columns = res;
      this.runsReady = plan.runs;
      this.netComplete = { net, engine, fromStudy: false };
    } catch (e) {
      if (gen !== this.generation) return;
      const last = this.netComplete;
      if (e instanceof CancelledError && last) {
        this.net = last.net;
        this.engine = last.engine;
        this.engineUsed = last.engine.name;
        this.fromStudy = last.fromStudy;
        this.runsReady = last.net.plan.runs;
        this.onStart(last.net.plan);
        this.restored = last.net.plan;
        this.message.say(RESTORED_AFTER_CANCEL);
      } else if (e instanceof GpuRunError && engine.name === 'gpu') {
        // As a surface sweep's (review 27: a network too large for the device ended "Run failed",
        // its advice a reload that moved every sweep to the CPU).
        this.offGpu(e, engine);
        return;
      } else {
        this.message.say(e instanceof CancelledError ? cancelledText(this.runsReady, plan.runs) : `Run failed: ${explainError(e)}`);
      }
    } finally {
      if (judge !== null) clearTimeout(judge);
      if (long !== null) this.message.withdraw(long);
      if (gen === this.generation) {
        this.running = false;
        this.host.requestUpdate();
        this.onEnd(plan, this.net?.results !== null && this.net?.plan === plan);
      }
    }
  }

  /**
   * The shown network sweep's map drawn from other results of the same plan, e.g. the float64 CPU
   * engine's from a validation, when float32 does not resolve the view. Nothing runs.
   */
  showNet(results: NetResults, engine: Engine): void {
    const net = this.net;
    if (!net || this.running || results.convergence.length !== net.plan.runs) return;
    const shown: NetSweep = { plan: net.plan, results, columns: results };
    this.net = shown;
    this.engine = engine;
    this.engineUsed = engine.name;
    this.fromStudy = false;
    this.netComplete = { net: shown, engine, fromStudy: false };
    this.host.requestUpdate();
  }

  /** The GPU device was lost: the view runs again, on the CPU (a sweep in flight on that device is given up). */
  deviceLost(message: string): void {
    this.message.say(message);
    if (this.spec()) void this.run({ retryGpu: false });
  }
}

/** A worker's JavaScript heap limit: Chromium's performance.memory, else 4 GiB (64-bit V8's default). */
function pageHeapLimit(): number {
  const m = (globalThis.performance as { memory?: { jsHeapSizeLimit?: number } } | undefined)?.memory?.jsHeapSizeLimit;
  return typeof m === 'number' && m > 0 ? m : 4 * 2 ** 30;
}

/** The memory a page may use: navigator.deviceMemory (GiB, at most 8 in Chromium), else 4 GiB. */
function pageMemory(): number {
  const d = (globalThis.navigator as { deviceMemory?: number } | undefined)?.deviceMemory;
  return (typeof d === 'number' && d > 0 ? d : 4) * 2 ** 30;
}

