/**
 * What "Validate vs CPU" tells a person while they wait (DOM-free: tests/unit/app-controllers.test.ts):
 * which engine runs in which pass ("1/2: float32 CPU engine"), and how long is left, estimated from
 * the run-steps per second measured so far.
 */

import type { EngineName } from '../core/columns.ts';
import { NET_PERTURBATION } from '../core/validate.ts';

/**
 * The engines validation runs, as a person reads them: one label for every EngineName, so a new
 * engine fails to compile until it has one. It is also indexable by any string (undefined for what
 * is not an engine) because validation-controller.ts looks labels up by engine names it holds as
 * strings (NetPairReport's a and b); once those are EngineName, the second half of the type can go.
 */
export const ENGINE_LABEL: Readonly<Record<EngineName, string>> & Readonly<Partial<Record<string, string>>> = {
  gpu: 'WebGPU engine',
  cpu: 'float32 CPU engine',
  cpu64: 'float64 CPU engine',
};

export interface Pass {
  /** The engine's name (`cpu`, `cpu64`). */
  readonly engine: string;
  /** e.g. "1/2: float32 CPU engine". */
  readonly label: string;
}

/**
 * The passes of validatePlan (engine/validation.ts) for a plan shown on `shown`: each engine of
 * `engines` not already shown, in order. (A random, Sobol or point sweep then runs the reference
 * once more from perturbed starts, to find the runs on basin boundaries: `listSweep` says so in the
 * last label.)
 */
export function validationPasses(shown: string, engines: readonly string[], listSweep = false): Pass[] {
  const names = engines.filter((e) => e !== shown);
  return names.map((engine, k) => ({
    engine,
    label: `${k + 1}/${names.length}: ${ENGINE_LABEL[engine] ?? engine}${listSweep && k === names.length - 1 ? ', then again from perturbed starts' : ''}`,
  }));
}

/**
 * The passes of validateNetPlan (engine/validation.ts) for a network view (its shown
 * results reused, whichever engine drew them): the float64 CPU engine, then the float64 engine again with every LR scaled by
 * 1 + NET_PERTURBATION (the probe that finds ill-conditioned runs). `engine` is the name
 * validateNetPlan reports each pass by (its onEngine).
 */
export function netValidationPasses(): Pass[] {
  return [
    { engine: 'cpu64', label: `1/2: ${ENGINE_LABEL.cpu64}` },
    { engine: `cpu64, every LR x (1 + ${NET_PERTURBATION})`, label: `2/2: ${ENGINE_LABEL.cpu64} again, every LR × (1 + ${NET_PERTURBATION.toExponential()}), to find the ill-conditioned runs` },
  ];
}

/** Seconds between a pass's first report and a later one before their rate is trusted (two workers may report together). */
const MIN_REPORT_GAP_S = 0.1;

/**
 * Time left: the current pass's remaining run-steps at its measured rate, plus the passes still to
 * come at the same rate (the float64 engine runs at about the float32 one's speed; measured, not
 * assumed, once it starts).
 */
export class PassClock {
  private pass = -1;
  private start = 0;
  private done = 0;
  private rate: number | null = null;
  /** The pass's first progress: the rate is measured from it where a second report follows. */
  private first: { readonly done: number; readonly now: number } | null = null;

  constructor(
    private readonly passes: number,
    /** Run-steps of one pass. */
    private readonly work: number,
  ) {}

  /** Pass k (0-based) starts at time `now` (seconds). */
  begin(k: number, now: number): void {
    this.pass = k;
    this.start = now;
    this.done = 0;
    this.first = null;
  }

  /**
   * `done` run-steps of the current pass are finished at time `now`. The rate is measured between
   * the pass's first report and a later one, so that what comes before the first (workers started,
   * kernels compiled) is no part of it (walkthrough 12: "about 77 min left" for a validation of
   * 39 s, its first report at 0%). A pass with one report so far rates from its start once that
   * report has a tenth of the pass done, however soon (a pass of two chunks reports at half and at
   * the end: a quick one had no estimate at all, and the browser test of it failed under load); a
   * later report needs a tenth of a second after the first (two workers finishing together).
   * Until a pass has its own rate, the last pass's stands.
   */
  progress(done: number, now: number): void {
    this.done = done;
    if (this.first === null) {
      this.first = { done, now };
      if (done >= 0.1 * this.work && now > this.start) this.rate = done / (now - this.start);
      return;
    }
    const dt = now - this.first.now;
    if (dt >= MIN_REPORT_GAP_S && done > this.first.done) this.rate = (done - this.first.done) / dt;
  }

  get current(): number {
    return this.pass;
  }

  /** Seconds left, or null before any rate was measured. */
  remaining(): number | null {
    if (this.rate === null || this.pass < 0) return null;
    const left = Math.max(0, this.work - this.done) + Math.max(0, this.passes - this.pass - 1) * this.work;
    return left / this.rate;
  }

  /** Run-steps per second measured, or null. */
  get runStepsPerSecond(): number | null {
    return this.rate;
  }
}

/** "about 12 s left", "about 3 min left", "about 2 h left", "estimating…". */
export function formatRemaining(s: number | null): string {
  if (s === null) return 'estimating time left…';
  if (s < 1) return 'almost done';
  if (s < 90) return `about ${Math.ceil(s)} s left`;
  if (s < 90 * 60) return `about ${Math.round(s / 60)} min left`;
  return `about ${Math.round(s / 3600)} h left`;
}

/** formatRemaining in a few characters, for a narrow place ("~20 s left"); '' while estimating. */
export function formatRemainingShort(s: number | null): string {
  if (s === null) return '';
  if (s < 1) return 'almost done';
  if (s < 90) return `~${Math.ceil(s)} s left`;
  if (s < 90 * 60) return `~${Math.round(s / 60)} min left`;
  return `~${Math.round(s / 3600)} h left`;
}

/**
 * A sweep's time left is estimated once this much of it is done and this many seconds have passed,
 * or, before that, once its rate has been measured for `measuredSeconds` since its first progress (a
 * long network sweep reached 5% after minutes, and said nothing until then: walkthrough 14).
 */
export const ESTIMATE_AFTER = { fraction: 0.05, seconds: 1, measuredSeconds: 5 } as const;
/** Sweeps expected to take less than this many seconds in all show no estimate (it would flash by). */
export const QUICK_SWEEP_S = 3;

/**
 * The time left of a sweep, in words ("about 2 min left"), from the work `done` of `total`
 * (run-steps) after `elapsed` seconds, at the rate measured so far; undefined until enough is done
 * to estimate it (ESTIMATE_AFTER), once it is finished, and for sweeps that finish quickly. With
 * `first`, the first progress the sweep reported (work and seconds), the rate is measured from it:
 * the time before it (a data set loaded, workers started, kernels compiled) is no part of the rate
 * of the rest (walkthrough 10: "about 58 s left" at 5 s of a sweep done at 11 s).
 */
export function sweepTimeLeft(done: number, total: number, elapsed: number, first: { readonly done: number; readonly elapsed: number } | null = null): string | undefined {
  if (!(total > 0 && done > 0 && done < total && elapsed > 0)) return undefined;
  const fraction = done / total;
  const measured = first !== null && first.done < done && first.elapsed < elapsed;
  const early = fraction < ESTIMATE_AFTER.fraction && !(measured && elapsed - first.elapsed >= ESTIMATE_AFTER.measuredSeconds);
  if (early || elapsed < ESTIMATE_AFTER.seconds) return undefined;
  const left = measured ? ((total - done) * (elapsed - first.elapsed)) / (done - first.done) : elapsed / fraction - elapsed;
  if (elapsed + left < QUICK_SWEEP_S) return undefined;
  // A sweep of minutes says how far it is too (its bar barely moves at first), in the room the
  // longer words took: the header's controls after it keep their row.
  if (left < 60) return formatRemaining(left);
  const pct = 100 * fraction;
  return `${pct < 1 ? pct.toFixed(1) : Math.floor(pct)}%, ${formatRemainingShort(left)}`;
}

/** A duration in words, to the second under a minute ("45 s", "3 min 10 s", "1 h 5 min"). */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return s % 60 === 0 ? `${s / 60} min` : `${Math.floor(s / 60)} min ${s % 60} s`;
  const m = Math.round(s / 60);
  return m % 60 === 0 ? `${m / 60} h` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/**
 * The time left of a run made of stages whose progress each starts over (a study's sweeps): each
 * stage's estimate is measured from the stage's own start, which a new label marks. It also counts
 * the stages and the time since the run began: a study's length is not known before it ends (its
 * sweeps follow from its findings), so the page says how far it has come (walkthrough 10: a study
 * ran 45 s with only "Adam, seed 1" to show for it).
 */
export class StageClock {
  private label: string | null = null;
  private start = 0;
  private began = 0;
  /** Stages seen since the run began (reset): the one running is the last. */
  stages = 0;

  /** Progress seen for `label` at `now` (ms): a label not seen last starts its stage's clock. */
  tick(label: string, now: number): void {
    if (label === this.label) return;
    this.label = label;
    this.start = now;
    this.stages++;
  }

  /** Forgets the stages: a new run starts at `now` (ms). */
  reset(now = 0): void {
    this.label = null;
    this.stages = 0;
    this.began = now;
  }

  /** The current stage's time left in words, or undefined (sweepTimeLeft). */
  timeLeft(done: number, total: number, now: number): string | undefined {
    return this.label === null ? undefined : sweepTimeLeft(done, total, (now - this.start) / 1000);
  }

  /** Seconds since the run began. */
  elapsed(now: number): number {
    return (now - this.began) / 1000;
  }
}
