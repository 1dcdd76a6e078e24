/**
 * "Validate vs CPU": the shown sweep checked against the CPU engines through the product's own
 * validation (validatePlan, behind `basinlab validate`), reusing the results on screen, and the
 * runs where the two disagree marked for the heatmap. While it runs it says which pass runs
 * ("1/2: float32 CPU engine") and how long is left; at the end, the verdict against
 * VALIDATION_THRESHOLDS, pass or fail.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { CancelledError } from '../../core/errors.ts';
import type { NetPlan } from '../../core/network/plan.ts';
import type { NetResults, Results } from '../../core/results.ts';
import type { ClassAgreement, NetPairReport, PairReport, PairVerdict } from '../../core/validate.ts';
import { NET_PERTURBATION, classAgreement, pastResolution, NET_VALIDATION_THRESHOLDS, VALIDATION_THRESHOLDS, netPairPasses, netSplitText, outcomeClass, pairVerdict } from '../../core/validate.ts';
import { netCoordinateNames } from '../net-runs.ts';
import { NET_GPU_MIN_RUNS, netEngineReason } from '../../engine/choose.ts';
import type { Progress } from '../../engine/engine.ts';
import { validateNetPlan, validatePlan } from '../../engine/validation.ts';
import type { EngineSet } from './engines.ts';
import type { MessageLine } from './message.ts';
import type { RunController } from './run-controller.ts';
import { RenderThrottle } from './throttle.ts';
import type { Pass } from '../validation-passes.ts';
import { ENGINE_LABEL, PassClock, formatRemaining, formatRemainingShort, netValidationPasses, validationPasses } from '../validation-passes.ts';
import { resolutionText, untrainedClass } from '../precision-probe.ts';
import { explainError } from '../explain-error.ts';
import { count } from '../../view/caption.ts';

/** A share as a percentage to two decimals, as validation's thresholds are stated ("99.50%"). */
function pct(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}

export interface Validation {
  /** The shown engine against the float32 CPU engine (float64 when the float32 one is shown). */
  readonly report: PairReport;
  /** 1 where the two reached different outcomes. */
  readonly overlay: Uint8Array;
  readonly verdict: PairVerdict;
}

/** A network view's validation: the shown engine against float64 (validateNetPlan, as `basinlab validate`). */
export interface NetValidation {
  readonly report: NetPairReport;
  /** 1 where the two engines disagree whether the run trained (the seam the convergence colouring draws). */
  readonly overlay: Uint8Array;
  readonly pass: boolean;
  /** How the two split the runs into trained and not (the probe's classes, precision-probe.ts untrainedClass). */
  readonly split: ClassAgreement;
  /** Whether the view is past what the shown engine resolves (core/validate.ts pastResolution). */
  readonly rounding: boolean;
  /** The float64 engine's results, which the map can show instead (AppController.showFloat64). */
  readonly reference: NetResults;
  /** The verdict in words, as the message line first said it (kept for the header's chip). */
  readonly text: string;
}

/** What the verdict adds when the view is past float32's resolution; `runs`: the runs compared. */
export function roundingText(split: ClassAgreement, runs: number): string {
  return `${resolutionText(split, `all ${runs} runs`, 'float32', 'untrained')} So the boundary drawn here is float32's rounding; where float64 resolves the view, "Draw this view in float64" shows the float64 results this validation computed.`;
}

/** A network verdict in a sentence, the line's headline (netVerdictText, the numbers in full, folded under it). */
export function netVerdictHeadline(p: NetPairReport, pass: boolean): string {
  const c = p.conditioned;
  const losses = c.runs === 0 ? '' : `; final train loss differs by median ${c.trainLoss.median.toExponential(1)}`;
  return `${pass ? 'PASS' : 'FAIL'}: ${p.a} vs ${p.b}: whether a run diverged, the same on ${(100 * p.sameDivergenceOffBoundary).toFixed(2)}% of the runs off the boundary${losses}.`;
}

/**
 * The runs validateNetPlan traced (NetRunReport.split) in a sentence, each named by the map's own
 * words for its coordinates; empty where none was.
 */
export function netTracedText(plan: NetPlan, p: NetPairReport): string {
  const traced = p.worst.flatMap((w) => {
    const t = netSplitText(w, netCoordinateNames(plan, w.coords).map(([k, v]) => `${k} ${String(Number(v.toPrecision(4)))}`).join(', '));
    return t ? [t] : [];
  });
  return traced.length > 0 ? ` Traced: ${traced.join('; ')}.` : '';
}

/** A network verdict in one line: what was compared with what, the agreement numbers, and what they were held to. */
export function netVerdictText(p: NetPairReport, pass: boolean, /** Said of the first engine, e.g. ", the engine that drew this map". */ shownNote = ''): string {
  const e = (x: number): string => x.toExponential(1);
  const t = NET_VALIDATION_THRESHOLDS;
  const c = p.conditioned;
  const name = (n: string, note = ''): string => `${n} (${ENGINE_LABEL[n] ?? n}${note})`;
  const off = p.runs - p.boundaryRuns;
  return (
    `${pass ? 'PASS' : 'FAIL'}: ${name(p.a, shownNote)} vs ${name(p.b)}. Whether a run diverged: the same on ${pct(p.sameDivergenceOffBoundary)} of the ${off} runs ` +
    `off the trainability boundary (needs ≥ ${pct(t.minSameDivergenceOffBoundary)}); of all ${p.runs} runs, ${p.mismatches} differ in whether they diverged and ${p.boundaryRuns} lie on the boundary. ` +
    (c.runs === 0
      ? `No run off the boundary that both engines trained and a ${NET_PERTURBATION.toExponential()} change of the LR leaves in place, to compare final losses on (${p.illConditionedRuns} ill-conditioned runs).`
      : `Final loss over the ${c.runs} well-conditioned runs: train loss differs by median ${e(c.trainLoss.median)} (max ${e(c.trainLoss.max)}), ` +
        `test loss by median ${e(c.testLoss.median)} (max ${e(c.testLoss.max)})${c.accuracy ? `, test accuracy the same on ${pct(c.accuracy.same)}` : ''} ` +
        `(medians need ≤ ${t.maxMedianLossError.toExponential()}; ${p.illConditionedRuns} ill-conditioned runs, which a ${NET_PERTURBATION.toExponential()} change of the LR moves, left out).`)
  );
}

/** The first pair (the shown engine against its twin), and the shown engine against float64 where that is another pair. */
function shownPairs(pairs: readonly PairReport[]): { readonly first: PairReport; readonly truth: PairReport | undefined } {
  const [first] = pairs;
  if (!first) throw new Error('no pair of engines to compare');
  return { first, truth: first.b !== 'cpu64' ? pairs.find((p) => p.a === first.a && p.b === 'cpu64') : undefined };
}

/**
 * A surface validation's message: the shown engine against its twin (the verdict), then, where the
 * shown engine is a float32 one, against float64 (cpu64, the reference), which says how far float32
 * is from the truth: against a twin that mirrors the shader operation for operation a pass is nearly
 * given, so the float64 pair is the number the reader came for (walkthrough 11: it ran and was never
 * shown).
 */
export function surfaceValidationText(pairs: readonly PairReport[]): string {
  const { first, truth } = shownPairs(pairs);
  const head = verdictText(first, pairVerdict(first));
  // What the terms mean, once (walkthrough 12: a student met "basin boundaries" and "position error" undefined).
  const terms =
    ' A run on a basin boundary has a neighbour on the map that ended elsewhere: there the last digits can decide where a run goes, so its final position is left out of the position error (its outcome still counts in the share that must agree). ' +
    'Position error: the distance between the two final positions, relative to their size (absolute near the origin).';
  if (!truth) return `${head}${terms}`;
  const v = pairVerdict(truth);
  return `${head} Against float64: ${verdictText(truth, v).replace(/^(PASS|FAIL): /, '')}${v.pass ? '' : ' (float32 against float64: rounding, not a broken engine, where the twins agree)'}${terms}`;
}

/**
 * A surface validation in a sentence a student can read, the line's headline (surfaceValidationText,
 * the engineer's numbers, folded under it): what was run again, on what, and how many runs ended
 * the same way (walkthrough 12: "gpu vs cpu … position error off the boundary" said nothing to
 * one, and the numbers repeated the headline word for word).
 */
export function surfaceValidationHeadline(pairs: readonly PairReport[]): string {
  const { first, truth } = shownPairs(pairs);
  const v = pairVerdict(first);
  const on = (engine: string): string => `the ${ENGINE_LABEL[engine] ?? engine}`;
  const twin = `run again on ${on(first.b)}, ${pct(first.sameOutcome)} of the map's ${count(first.runs)} runs end the same way`;
  const more = truth ? `, and ${pct(truth.sameOutcome)} on ${on(truth.b)} (more than twice float32's digits)` : '';
  return v.pass
    ? `The map checks out: ${twin}${more}.`
    : `The check failed: ${twin} (at least ${pct(VALIDATION_THRESHOLDS.minSameOutcome)} must)${more}. The numbers below say where they differ.`;
}

/** A position error as the verdict prints it: below 1e-30 (float32's subnormals, a sign of zero) as 0, which "8.1e-38" alarmed a reader into doubting. */
function positionErrorText(x: number): string {
  return x < 1e-30 ? '0' : x.toExponential(1);
}

/** The verdict in one line, with what it was held to. */
export function verdictText(pair: PairReport, v: PairVerdict): string {
  return (
    `${v.pass ? 'PASS' : 'FAIL'}: ${pair.a} vs ${pair.b}: same outcome on ${pct(pair.sameOutcome)} of runs ` +
    `(needs ≥ ${pct(VALIDATION_THRESHOLDS.minSameOutcome)}; ${pair.mismatches} differ, ${pair.boundaryRuns} runs on basin boundaries); ` +
    `position error off the boundary median ${positionErrorText(pair.position.median)}, max ${positionErrorText(pair.position.max)} ` +
    `(needs ≤ ${VALIDATION_THRESHOLDS.maxPositionError}).`
  );
}

export class ValidationController implements ReactiveController {
  result: Validation | null = null;
  /** The verdict on a network view (`result` stays null there). */
  netResult: NetValidation | null = null;
  validating = false;
  progress: Progress | null = null;
  /** The passes of the validation running (or last run), and the one under way. */
  passes: readonly Pass[] = [];
  private clock: PassClock | null = null;

  private abort: AbortController | null = null;
  private readonly throttle: RenderThrottle;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly engines: EngineSet,
    private readonly message: MessageLine,
    private readonly sweep: RunController,
  ) {
    this.throttle = new RenderThrottle(host);
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.cancel();
    this.throttle.cancel();
  }

  cancel(): void {
    this.abort?.abort();
  }

  /** Set when a new sweep stopped the validation: the page then says the new view's words, not "cancelled". */
  private superseded = false;

  /** What runs now, e.g. "Validating 1/2: float32 CPU engine, 34%, about 12 s left" (empty when idle). */
  status(): string {
    const clock = this.clock;
    if (!this.validating || !clock) return '';
    const pass = this.passes[clock.current];
    if (!pass) return 'Validating: starting…';
    const p = this.progress;
    const pct = p && p.total > 0 ? `${Math.floor((100 * p.done) / p.total)}%, ` : '';
    return `Validating ${pass.label}: ${pct}${formatRemaining(clock.remaining())}`;
  }

  /**
   * The status in a few words, for the header's verdict place while a validation runs ("1/2: 45%,
   * ~20 s left"), status() in full being its tooltip: the whole line took a row of its own at 800 px
   * and moved the controls after it (walkthrough 12).
   */
  shortStatus(): string {
    const clock = this.clock;
    if (!this.validating || !clock) return '';
    const p = this.progress;
    const pct = p && p.total > 0 ? `${Math.floor((100 * p.done) / p.total)}%` : 'starting';
    const eta = formatRemainingShort(clock.remaining());
    return `${clock.current + 1}/${this.passes.length}: ${pct}${eta ? `, ${eta}` : ''}`;
  }

  /** A new sweep: the verdict on the old one goes (and a validation of it still running stops). */
  reset(): void {
    // The sweep that replaces the view says what it took and dropped (an import's or a link's
    // notice): "Validation cancelled." written after it would hide it (walkthrough 15).
    if (this.validating) this.superseded = true;
    this.cancel();
    this.result = null;
    this.netResult = null;
  }

  /** Whether the view shown can be validated now: a finished sweep, nothing running. */
  canValidate(): boolean {
    return !this.validating && (this.sweep.results !== null || (this.sweep.net?.results ?? null) !== null);
  }

  /**
   * A network view: the shown results against the float64 CPU engine through validateNetPlan (the
   * engines' network validation, behind `basinlab validate`): the shown engine's results are
   * reused, cpu64 runs the plan, then once more with every LR scaled by 1 + 1e-6 to find the
   * ill-conditioned runs. Under SwiftShader the shown engine is the float32 CPU engine (networks
   * train there), so this compares cpu (float32) with cpu64 (float64); on a real GPU, gpu with cpu64.
   */
  private async validateNet(): Promise<void> {
    const net = this.sweep.net;
    const shown = net?.results;
    const engine = this.sweep.engine;
    if (!net || !shown || !engine || this.validating) return;
    const plan = net.plan;
    if (engine.name === 'cpu64') {
      this.message.say('This view ran on the float64 CPU engine (float32 cannot resolve a zoom this deep): there is no float32 result to validate against it. Zoom out to validate.');
      return;
    }
    const reason = engine.name === 'cpu' ? netEngineReason(plan.runs, this.engines.gpu) : null;
    const why =
      reason === 'software'
        ? ' (networks train on the CPU workers here: the GPU is emulated and slower)'
        : reason === 'few-runs'
          ? ` (a network sweep of fewer than ${NET_GPU_MIN_RUNS} runs trains faster on the CPU workers: the GPU runs one run per thread)`
          : '';
    const passes = netValidationPasses();
    await this.runPasses(
      passes,
      plan.runs * plan.spec.steps,
      `Validating: ${engine.name} (${ENGINE_LABEL[engine.name] ?? engine.name}, the engine that drew this map${why}) against cpu64 (${ENGINE_LABEL.cpu64}), in ${passes.length} passes…`,
      // The shown engine is given too, its results reused, so that runs the LR probe misses and
      // that still end apart are traced on it (NetRunReport.split), as `basinlab validate` does.
      (opts) => validateNetPlan(plan, [engine, this.engines.cpu64], { ...opts, computed: [shown] }),
      ({ report, results }) => {
        const pair = report.pairs[0];
        if (!pair) throw new Error('no pair of engines to compare');
        if (this.sweep.net !== net) return;
        const ref = results[pair.b];
        if (!ref) throw new Error(`no results of ${pair.b}`);
        // Judged on the seam the map draws, trained or not, as the probe judges it (deep in the
        // fractal boundary no run diverges, so divergence could not tell rounding from the boundary).
        const a = untrainedClass(shown.convergence);
        const b = untrainedClass(ref.convergence);
        const overlay = new Uint8Array(plan.runs);
        for (let i = 0; i < plan.runs; i++) overlay[i] = a[i] !== b[i] ? 1 : 0;
        const pass = netPairPasses(pair);
        const split = classAgreement(a, b);
        const rounding = pastResolution(split);
        // Past float32's resolution the headline is that, not the agreement numbers under it.
        let marked = 0;
        for (const v of overlay) marked += v;
        const verdict = `${netVerdictText(pair, pass, `, the engine that drew this map${why}`)}${netTracedText(plan, pair)} The map marks the ${marked} run${marked === 1 ? '' : 's'} the two put on different sides of the seam it draws: trained or not, a question apart from whether they diverged.`;
        const text = rounding ? `${roundingText(split, pair.runs)} The validation in full: ${verdict}` : verdict;
        this.netResult = { report: pair, overlay, pass, split, rounding, reference: ref, text };
        // Past float32's resolution the rounding text leads, whole; otherwise a sentence, the numbers folded.
        this.message.say(text, rounding ? {} : { tone: pass ? 'passed' : 'notice', headline: netVerdictHeadline(pair, pass) });
      },
    );
  }

  /**
   * Runs the float32 and float64 CPU engines on the shown plan (not the engine that is shown again:
   * its results are on screen) and compares; float64 decides basin boundaries and conditioning.
   */
  async validate(): Promise<void> {
    if (this.sweep.net) return this.validateNet();
    const plan = this.sweep.plan;
    const shown = this.sweep.results;
    if (!plan || !shown || this.validating) return;
    const engines = [this.engines.cpu, this.engines.cpu64];
    const passes = validationPasses(shown.engine, engines.map((e) => e.name), plan.mode === 'list');
    await this.runPasses(
      passes,
      plan.runs * plan.spec.steps,
      `Validating against the CPU engines in ${passes.length} pass${passes.length === 1 ? '' : 'es'}…`,
      (opts) => validatePlan(plan, engines, { ...opts, computed: [shown] }),
      ({ report, results }) => {
        // The first pair is the shown engine's against the next one: gpu vs cpu, or cpu vs cpu64.
        const pair = report.pairs[0];
        if (!pair) throw new Error('no pair of engines to compare');
        const a = results[pair.a] as Results;
        const b = results[pair.b] as Results;
        const overlay = new Uint8Array(plan.runs);
        for (let i = 0; i < plan.runs; i++) overlay[i] = outcomeClass(a, i) !== outcomeClass(b, i) ? 1 : 0;
        if (this.sweep.plan !== plan) return;
        const verdict = pairVerdict(pair);
        this.result = { report: pair, overlay, verdict };
        this.message.say(surfaceValidationText(report.pairs), { tone: verdict.pass ? 'passed' : 'notice', headline: surfaceValidationHeadline(report.pairs) });
      },
    );
  }

  /**
   * One validation, surface or network: its passes timed on the clock (`work` run-steps a pass),
   * progress and cancellation wired, `finish` given what `call` returns; a failure or a cancel said
   * on the message line.
   */
  private async runPasses<T>(
    passes: Pass[],
    work: number,
    start: string,
    call: (opts: { signal: AbortSignal; onEngine: (name: string) => void; onProgress: (p: Progress) => void }) => Promise<T>,
    finish: (out: T) => void,
  ): Promise<void> {
    this.validating = true;
    this.superseded = false;
    this.passes = passes;
    const clock = new PassClock(passes.length, work);
    this.clock = clock;
    const now = (): number => performance.now() / 1000;
    this.message.say(start);
    const abort = new AbortController();
    this.abort = abort;
    try {
      finish(
        await call({
          signal: abort.signal,
          onEngine: (name) => {
            const k = passes.findIndex((p) => p.engine === name);
            if (k >= 0) clock.begin(k, now());
            this.progress = null;
            this.host.requestUpdate();
          },
          onProgress: (p) => {
            this.progress = p;
            clock.progress(p.done, now());
            this.throttle.request();
          },
        }),
      );
    } catch (e) {
      if (!(e instanceof CancelledError)) this.message.say(`Validation failed: ${explainError(e)}`);
      else if (!this.superseded) this.message.say('Validation cancelled.');
    } finally {
      if (this.abort === abort) this.abort = null;
      this.validating = false;
      this.host.requestUpdate();
    }
  }
}
