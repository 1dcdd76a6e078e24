/**
 * "Validate vs CPU": the shown sweep checked against the CPU engines through the product's own
 * validation (validatePlan, behind `basinlab validate`), reusing the results on screen, and the
 * runs where the two disagree marked for the heatmap.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { CancelledError } from '../../core/errors.ts';
import type { Results } from '../../core/results.ts';
import type { PairReport } from '../../core/validate.ts';
import { outcomeClass } from '../../core/validate.ts';
import type { Progress } from '../../engine/engine.ts';
import { validatePlan } from '../../engine/validation.ts';
import type { EngineSet } from './engines.ts';
import type { MessageLine } from './message.ts';
import type { RunController } from './run-controller.ts';
import { RenderThrottle } from './throttle.ts';

export interface Validation {
  /** The shown engine against the float32 CPU engine (float64 when the float32 one is shown). */
  readonly report: PairReport;
  /** 1 where the two reached different outcomes. */
  readonly overlay: Uint8Array;
}

export class ValidationController implements ReactiveController {
  result: Validation | null = null;
  validating = false;
  progress: Progress | null = null;

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

  /** A new sweep: the verdict on the old one goes (and a validation of it still running stops). */
  reset(): void {
    this.cancel();
    this.result = null;
  }

  /**
   * Runs the float32 and float64 CPU engines on the shown plan (not the engine that is shown again:
   * its results are on screen) and compares; float64 decides basin boundaries and conditioning.
   */
  async validate(): Promise<void> {
    const plan = this.sweep.plan;
    const shown = this.sweep.results;
    if (!plan || !shown || this.validating) return;
    this.validating = true;
    this.message.say('Validating: running the float32 and float64 CPU engines on this sweep…');
    const abort = new AbortController();
    this.abort = abort;
    try {
      const { report, results } = await validatePlan(plan, [this.engines.cpu, this.engines.cpu64], {
        computed: [shown],
        signal: abort.signal,
        onProgress: (p) => {
          this.progress = p;
          this.throttle.request();
        },
      });
      // The first pair is the shown engine's against the next one: gpu vs cpu, or cpu vs cpu64.
      const pair = report.pairs[0];
      if (!pair) throw new Error('no pair of engines to compare');
      const a = results[pair.a] as Results;
      const b = results[pair.b] as Results;
      const overlay = new Uint8Array(plan.runs);
      for (let i = 0; i < plan.runs; i++) overlay[i] = outcomeClass(a, i) !== outcomeClass(b, i) ? 1 : 0;
      if (this.sweep.plan !== plan) return;
      this.result = { report: pair, overlay };
      this.message.say(
        `${pair.a} vs ${pair.b}: same outcome on ${(100 * pair.sameOutcome).toFixed(2)}% of runs ` +
          `(${pair.mismatches} differ, ${pair.boundaryRuns} runs on basin boundaries); position error median ` +
          `${pair.position.median.toExponential(1)}, max ${pair.position.max.toExponential(1)}.`,
      );
    } catch (e) {
      this.message.say(e instanceof CancelledError ? 'Validation cancelled.' : `Validation failed: ${(e as Error).message}`);
    } finally {
      if (this.abort === abort) this.abort = null;
      this.validating = false;
      this.host.requestUpdate();
    }
  }
}
