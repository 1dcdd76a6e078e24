/**
 * The app's studies: which one is open, its run (on the app's engine, cancellable, with progress)
 * and its figures, rendered by the same SVG renderer as `basinlab study`.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { CancelledError } from '../../core/errors.ts';
import type { Progress } from '../../engine/engine.ts';
import { engineForPlan, studyEngine } from '../../engine/choose.ts';
import { STUDIES, findStudy } from '../../studies/index.ts';
import { openingSize, sweepOf } from '../../studies/run.ts';
import { panelSvg } from '../../view/svg.ts';
import { panelSources } from '../../view/panels.ts';
import type { RanSweep, Study, StudyResult, SweepCount } from '../../studies/types.ts';
import type { AnyPlan } from '../../core/plan.ts';
import { specKey } from '../../core/spec.ts';
import type { EngineSet } from './engines.ts';
import { canvasPng } from './export-controller.ts';
import { RenderThrottle } from './throttle.ts';
import { StageClock, formatDuration } from '../validation-passes.ts';
import { explainError } from '../explain-error.ts';

export class StudyController implements ReactiveController {
  open: Study | null = null;
  running = false;
  label = '';
  progress: Progress | null = null;
  /** The time left of the current stage (a label: one sweep of the study), the stages run and the time taken. */
  private readonly clock = new StageClock();
  /** The running study's sweep count at the size it runs at (Study.sweeps). */
  private planned: SweepCount | null = null;
  /** How long the last run that ended took, and its sweeps (null while one runs, or after a cancel). */
  took: { readonly seconds: number; readonly sweeps: number } | null = null;
  result: StudyResult | null = null;
  /** Whether the result shown is the quick variant (smaller grids, fewer steps). */
  quick = false;
  /** The size asked for by the last run ('Run again' keeps it); null: the opening size (openingSize). */
  private size: 'quick' | 'default' | null = null;
  svgs: string[] = [];
  error = '';
  private abort: AbortController | null = null;
  private readonly throttle: RenderThrottle;
  /** The open study's sweeps as its run finished them, by spec (specKey): what its figures were drawn from. */
  private sweeps = new Map<string, RanSweep>();

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly engines: EngineSet,
  ) {
    this.throttle = new RenderThrottle(host);
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.abort?.abort();
    this.throttle.cancel();
  }

  get studies(): readonly Study[] {
    return STUDIES;
  }

  /** Opens a study (or closes the open one, null) and runs it; resolves when that run has ended. */
  select(id: string | null): Promise<void> {
    this.abort?.abort();
    this.open = id ? (findStudy(id) ?? null) : null;
    const q = new URLSearchParams(location.hash.slice(1));
    if (this.open) q.set('study', this.open.id);
    else q.delete('study');
    // The entry's state is the history controller's (its place in the app's undo history): kept.
    history.replaceState(history.state, '', `#${q.toString()}`);
    this.result = null;
    this.svgs = [];
    this.error = '';
    this.size = null;
    this.took = null;
    this.sweeps = new Map();
    this.host.requestUpdate();
    return this.open ? this.run() : Promise.resolve();
  }

  cancel(): void {
    this.abort?.abort();
  }

  /**
   * The open study's own run of this plan's sweep (same spec), when its last run finished it: a
   * figure's sweep opened in the explorer shows from it instead of running again.
   */
  sweepOf(plan: AnyPlan): RanSweep | null {
    // No spec's text is made (up to a million points) when no study has sweeps to offer.
    if (this.sweeps.size === 0) return null;
    return this.sweeps.get(specKey(plan.spec)) ?? null;
  }

  /** The running stage's time left in words ("about 20 s left"), or undefined (see sweepTimeLeft). */
  timeLeft(now = performance.now()): string | undefined {
    const p = this.progress;
    if (!this.running || !p) return undefined;
    return this.clock.timeLeft(p.done, p.total, now);
  }

  /** How far the running study has come, in words: "sweep 7 of 12, 45 s so far" (empty before its first sweep). */
  sofar(now = performance.now()): string {
    if (!this.running || this.clock.stages === 0) return '';
    return `${sweepOf(this.clock.stages, this.planned)}, ${formatDuration(this.clock.elapsed(now))} so far`;
  }

  /** What the last run took, in words: "ran 12 sweeps in 45 s" (empty while one runs or none ended). */
  tookText(): string {
    const t = this.took;
    if (this.running || !t) return '';
    return `ran ${t.sweeps} sweep${t.sweeps === 1 ? '' : 's'} in ${formatDuration(t.seconds)}`;
  }

  /**
   * Runs the open study: at `size` where given, else at the size asked for last, else at its opening
   * size (its default; a study that takes minutes on a CPU engine, its quick variant there).
   */
  async run(size?: 'quick' | 'default'): Promise<void> {
    const study = this.open;
    if (!study) return;
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    this.running = true;
    this.error = '';
    this.label = '';
    this.progress = null;
    this.took = null;
    this.clock.reset(performance.now());
    // Kept for the explorer only from a run that ends: a cancelled run's sweeps are not the figures'
    // (the figures shown until then are the last run's, with its sweeps).
    const sweeps = new Map<string, RanSweep>();
    this.host.requestUpdate();
    try {
      // Each sweep on the engine engineFor picks (src/engine/choose.ts, as the explorer's); the study's
      // own, which decides its opening size, by studyEngine.
      const engine = studyEngine(study.problem ?? 'surface', this.engines.gpu, this.engines.cpu, this.engines.forceGpu);
      if (size) this.size = size;
      const quick = (this.size ?? openingSize(study, engine.name !== 'gpu')) === 'quick';
      this.planned = study.sweeps({ engine, quick, float64: this.engines.cpu64 });
      const result = await study.run({
        engine,
        engineFor: (plan) => engineForPlan(plan, this.engines.gpu, this.engines.cpu, this.engines.forceGpu),
        float64: this.engines.cpu64,
        quick,
        signal: abort.signal,
        onRan: (ran) => sweeps.set(specKey(ran.plan.spec), ran),
        onProgress: (label, p) => {
          this.clock.tick(label, performance.now());
          this.label = label;
          this.progress = p;
          this.throttle.request();
        },
      });
      if (this.abort !== abort) return;
      this.result = result;
      // Only the sweeps its figures offer (a study's samples and side runs are not kept alive).
      const offered = new Set(result.panels.flatMap((p) => panelSources(p).map((s) => specKey(s.spec))));
      this.sweeps = new Map([...sweeps].filter(([k]) => offered.has(k)));
      this.quick = quick;
      this.took = { seconds: this.clock.elapsed(performance.now()), sweeps: this.clock.stages };
      this.svgs = result.panels.map((p) => panelSvg(p, canvasPng));
    } catch (e) {
      if (this.abort === abort) this.error = e instanceof CancelledError ? 'Study cancelled.' : `Study failed: ${explainError(e)}`;
    } finally {
      if (this.abort === abort) {
        this.running = false;
        this.host.requestUpdate();
      }
    }
  }
}

/** The verdict box's class: holds, unshown (a quick run's failure) or fails. */
export function verdictClass(holds: boolean, quick: boolean): 'holds' | 'unshown' | 'fails' {
  return holds ? 'holds' : quick ? 'unshown' : 'fails';
}

