/**
 * After a network map is drawn: whether it shows its boundary or rounding, measured on a sample of
 * its own runs (precision-probe.ts). A float32 map's sample runs again in float64; where float32
 * does not resolve the view, the sample runs once more in float64 with each swept value moved by
 * one float64 ulp, to say whether float64 does. A float64 map (a deep zoom) gets that second test
 * alone. The page says what was found above the map and offers float64 only where it helps, rather
 * than leaving rounding's speckle to be read as the boundary.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { NetPlan } from '../../core/network/plan.ts';
import type { NetResults } from '../../core/results.ts';
import type { ClassAgreement, ShadeAgreement } from '../../core/validate.ts';
import { MIN_SHADE_RHO, MIN_SPLIT_RUNS, pastResolution, shadeAgreement, shadesPast } from '../../core/validate.ts';
import type { EngineSet } from './engines.ts';
import type { Judged, RunRange } from '../precision-probe.ts';
import { neighbourKappa, pct, probeRanges, probeSplit, resolutionText, ulpNudgedPlan, untrainedClass } from '../precision-probe.ts';

/**
 * One precision's test on the sample: its split, the shades of the one side where the split has
 * too few runs on the other to judge (core/validate.ts shadeAgreement; null otherwise), and whether
 * the map is past that precision's resolution by either.
 */
export interface ProbeSplit {
  readonly split: ClassAgreement;
  readonly shades?: ShadeAgreement;
  readonly past: boolean;
}

/** A precision's test: the seam where there is one to judge, else the shades of the one side. */
function judge(split: ClassAgreement, test: ArrayLike<number>, ref: ArrayLike<number>): ProbeSplit {
  const shades = split.minorityRuns < MIN_SPLIT_RUNS ? shadeAgreement(test, ref) : null;
  return { split, ...(shades ? { shades } : {}), past: pastResolution(split) || shadesPast(shades) };
}

export interface ProbeResult {
  readonly plan: NetPlan;
  /** Runs sampled. */
  readonly runs: number;
  /** Float32 against float64 (core/validate.ts pastResolution); null for a float64 map. */
  readonly float32: ProbeSplit | null;
  /**
   * Float64 against itself nudged by one ulp: for a float64 map, or a float32 map past float32's
   * resolution; null where it was not run (float32 resolves the view, or the plan sweeps only
   * integers, which cannot be nudged).
   */
  readonly float64: ProbeSplit | null;
  /** The map's neighbouring cells' agreement beyond chance (neighbourKappa): below ALIAS_KAPPA it samples its boundary. */
  readonly cells: number;
}

export class PrecisionProbeController implements ReactiveController {
  result: ProbeResult | null = null;
  /** While probing: the map probed, how many of its runs run again, and which precision is being judged. */
  probed: { readonly plan: NetPlan; readonly runs: number; readonly judging: Judged } | null = null;
  private abort: AbortController | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly engines: EngineSet,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.clear();
  }

  /** A new sweep, or leaving network views: the probe of the old map stops and its result goes. */
  clear(): void {
    this.abort?.abort();
    this.abort = null;
    this.result = null;
    this.probed = null;
  }

  /** Whether the probe found float64 does not resolve this map (null: not measured for it). */
  float64Fails(plan: NetPlan): boolean | null {
    const r = this.result;
    return r && r.plan === plan && r.float64 ? r.float64.past : null;
  }

  /**
   * The map now shows float64's results of the same plan (the validation's): what the probe found
   * of float64 is that map's verdict; what it found of float32 no longer applies.
   */
  adoptFloat64(plan: NetPlan, shown: NetResults): void {
    const r = this.result;
    this.abort?.abort();
    this.abort = null;
    this.probed = null;
    this.result = r && r.plan === plan && r.float64 ? { ...r, float32: null, cells: neighbourKappa(untrainedClass(shown.convergence), plan.width, plan.height) } : null;
    this.host.requestUpdate();
  }

  /** Whether a probe runs now. */
  get probing(): boolean {
    return this.probed !== null;
  }

  /**
   * Probes a finished network map (nothing for a plan that is not a grid, or too small). `precision`:
   * what the map was drawn in.
   */
  async probe(plan: NetPlan, shown: NetResults, precision: 'float32' | 'float64'): Promise<void> {
    this.clear();
    const ranges = probeRanges(plan);
    if (ranges.length === 0) return;
    const abort = new AbortController();
    this.abort = abort;
    const runs = ranges.reduce((n, r) => n + r.end - r.begin, 0);
    const live = (): boolean => this.abort === abort;
    const stage = (judging: Judged): void => {
      if (!live()) return;
      this.probed = { plan, runs, judging };
      this.host.requestUpdate();
    };
    // One range at a time: the float64 engine's workers are shared with the page's previews. The
    // sampled runs' convergence values, per range.
    const sample = async (p: NetPlan): Promise<ArrayLike<number>[]> => {
      const parts: ArrayLike<number>[] = [];
      for (const range of ranges) parts.push((await this.engines.cpu64.run(p, { range, signal: abort.signal })).convergence);
      return parts;
    };
    // Runs judged by the seam the convergence colouring draws (trained or not), and where it has
    // none, by the shades it ranks within the one side.
    const mapClass = untrainedClass(shown.convergence);
    const sampled = (col: ArrayLike<number>): number[] => ranges.flatMap((r) => Array.from({ length: r.end - r.begin }, (_, k) => col[r.begin + k] as number));
    let float32: ProbeSplit | null = null;
    // Float64's convergence of the sampled runs, per range: the sample's float64 run, or the float64 map's own.
    let ref: ArrayLike<number>[] = ranges.map((r) => shown.convergence.subarray(r.begin, r.end));
    const classes = (parts: readonly ArrayLike<number>[]): Uint8Array[] => parts.map((c) => untrainedClass(c));
    try {
      if (precision === 'float32') {
        stage('float32');
        ref = await sample(plan);
        if (!live()) return;
        float32 = judge(probeSplit(mapClass, ranges, classes(ref)), sampled(shown.convergence), ref.flatMap((c) => Array.from(c)));
      }
    } catch {
      // Cancelled by a newer sweep, or failed: the map is left without a verdict on its precision.
      this.finish(abort);
      return;
    }
    let float64: ProbeSplit | null = null;
    if (!float32 || float32.past) {
      try {
        const nudged = await ulpNudgedPlan(plan);
        if (!live()) return;
        if (nudged) {
          stage('float64');
          const parts = await sample(nudged);
          if (!live()) return;
          // The nudged runs tested against float64 unmoved (the reference), as float32 is.
          const split = probeSplit(spread(plan.runs, ranges, classes(parts)), ranges, classes(ref));
          float64 = judge(split, parts.flatMap((c) => Array.from(c)), ref.flatMap((c) => Array.from(c)));
        }
      } catch {
        // Cancelled, or the nudge could not be run: float32's verdict stands alone (float64: null).
      }
    }
    if (live() && (float32 || float64)) this.result = { plan, runs, float32, float64, cells: neighbourKappa(mapClass, plan.width, plan.height) };
    this.finish(abort);
  }

  /** The probe `abort` ends: unless a newer one has started, nothing is probing any more. */
  private finish(abort: AbortController): void {
    if (this.abort !== abort) return;
    this.abort = null;
    this.probed = null;
    this.host.requestUpdate();
  }
}

/** Per-range columns laid back at their runs' places in a column of all `runs` (the rest 0). */
function spread(runs: number, ranges: readonly RunRange[], parts: readonly ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(runs);
  ranges.forEach((r, k) => {
    const col = parts[k];
    if (col) for (let run = r.begin; run < r.end; run++) out[run] = col[run - r.begin] === 1 ? 1 : 0;
  });
  return out;
}

/** Whether a test failed on the shades of a one-sided view (shadeAgreement), not on its seam. */
function onShades(p: ProbeSplit | null): p is ProbeSplit & { readonly shades: ShadeAgreement } {
  return p !== null && p.shades !== undefined && shadesPast(p.shades) && !pastResolution(p.split);
}

/**
 * The first thing the page says above a map past a precision's resolution, in a sentence or two:
 * what decides its cells (which side runs end on, or, where nearly all end on one side, their shades:
 * walkthrough 22), and whether float64 helps. The measurement behind it is probeText.
 */
export function probeHeadline(r: ProbeResult): string {
  const f64 = r.float64;
  const shades = onShades(r.float32) || (!r.float32 && onShades(f64));
  if (shades) {
    const lead = "Nearly every run here ends on one side, and their shades (each run's convergence measure, ranked) are";
    if (!r.float32) return `Not even float64 resolves this view. ${lead} decided by rounding as small as float64's own. Zoom out (Back) to where float64 resolves the view.`;
    if (!f64) return `${lead} float32's rounding, not the training. The float64 CPU engine may resolve the view.`;
    if (f64.past) return `Neither float32 nor float64 resolves this view. ${lead} decided by rounding as small as float64's own. Zoom out (Back) to where float64 resolves the view.`;
    return `${lead} float32's rounding, not the training; float64 resolves the view.`;
  }
  const chaotic = "Near this boundary the training is chaotic: perturbations as small as float64's own rounding decide which side a run ends on, so no engine here can draw these cells' sides. Zoom out (Back) to where float64 resolves the view.";
  if (!r.float32) return f64?.past ? `Not even float64 resolves this view. ${chaotic}` : '';
  if (!f64) return "Float32's rounding, not the boundary, decides which side many of these runs end on. The float64 CPU engine may resolve the view.";
  if (f64.past) return `Neither float32 nor float64 resolves this view. ${chaotic}`;
  return "Float32's rounding, not the boundary, decides which side many of these runs end on; float64 resolves the view.";
}

/** A test on a one-sided view's shades in words: `of` the runs compared, how their ranks agree. */
function shadesText(p: ProbeSplit & { readonly shades: ShadeAgreement }, of: string, judged: Judged): string {
  const s = p.shades;
  const side = s.side === 1 ? 'fail to train' : 'train';
  const test = judged === 'float32' ? 'float32 ranks them' : 'nudged, they rank';
  return `Past ${judged}'s resolution: of ${of}, ${p.split.minorityRuns === 0 ? 'none' : `only ${p.split.minorityRuns}`} ${p.split.share > 0.5 ? 'train' : 'fail to train'} ${judged === 'float32' ? 'in float64' : 'in the map'}, too few to test the boundary; of the ${s.runs} that ${side} in both, ${test} by their convergence measure with a rank correlation (Spearman's ρ) of only ${s.rho.toFixed(2)} against ${judged === 'float32' ? 'float64' : 'the map'}'s, so the map's shades are the rounding's. A view whose shades are its own keeps ρ at least ${MIN_SHADE_RHO} (the fractal view measured 0.77-0.999 where float32 resolves it).`;
}

/** What the page says above a map past float32's or float64's resolution: the measurement, in full. */
export function probeText(r: ProbeResult): string {
  const of = `${r.runs} of this map's runs run again`;
  const f64 = r.float64;
  const nudge = `with each swept value moved by one float64 ulp (the size of its own rounding)`;
  const tested = (p: ProbeSplit, ofWhat: string, judged: Judged): string => (onShades(p) ? shadesText(p, ofWhat, judged) : resolutionText(p.split, ofWhat, judged, 'untrained'));
  const chaotic =
    "Near this boundary, which side a run ends on is decided by perturbations as small as float64's own rounding (the training is chaotic there), so no engine here can draw these cells' sides: zoom out (Back) to where float64 resolves it.";
  const chaos = onShades(r.float32) || (!r.float32 && onShades(f64)) ? 'Zoom out (Back) to where float64 resolves the view.' : chaotic;
  if (!r.float32) return f64?.past ? `${tested(f64, `${of} with each swept value moved by one float64 ulp`, 'float64')} ${chaos}` : '';
  const lead = `${tested(r.float32, `${of} in float64`, 'float32')}${onShades(r.float32) ? '' : " Near this boundary, float32's rounding decides which side a run ends on."}`;
  if (!f64) return `${lead} The float64 CPU engine may resolve it, at about the float32 CPU engine's cost (slower than a real GPU's float32 map).`;
  if (f64.past) return `${lead} Float64 does not resolve it either: ${tested(f64, `the same runs run again ${nudge}`, 'float64').replace(/^Past float64's resolution: of /, '')} ${chaos}`;
  const kept = f64.shades && !pastResolution(f64.split) ? `their ranks agree with ρ ${f64.shades.rho.toFixed(2)}` : `${pct(f64.split.minorityKept)} of the ${f64.split.minorityRuns} runs on float64's smaller side stay there (κ ${f64.split.kappa.toFixed(2)})`;
  return `${lead} Float64 resolves it: run again ${nudge}, ${kept}. The float64 CPU engine draws it at about the float32 CPU engine's cost (slower than a real GPU's float32 map).`;
}
