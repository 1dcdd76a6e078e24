/**
 * The LR range test (Smith, "Cyclical Learning Rates for Training Neural Networks", 2017; the
 * fastai `lr_find`): one run whose LR grows exponentially each step, its loss recorded against the
 * LR, and the LR at the loss's steepest descent suggested. Here every instance (a start point) runs
 * its own ramp, and the suggestions are checked against the band of constant LRs that actually
 * converge, measured by a full sweep on the study's engine.
 */
import { makePlan } from '../core/plan.ts';
import { parseSpec } from '../core/spec.ts';
import { engineOf, fmt, median, runSpec, verdictOf } from './run.ts';
import type { LineSeriesData, Study, StudyContext, StudyResult, Verdict } from './types.ts';
import { OKABE_ITO } from '../view/colors.ts';

const LR_MIN = 1e-5;
const LR_MAX = 10;

/**
 * fastai's suggestion: smooth the loss with a bias-corrected EMA (beta 0.98), stop once it exceeds
 * four times its best, and take the LR where its slope in log(LR) is most negative.
 */
export function steepestLr(lrs: readonly number[], losses: readonly number[]): number {
  const beta = 0.98;
  let avg = 0;
  let best = Number.POSITIVE_INFINITY;
  const smooth: number[] = [];
  for (let k = 0; k < losses.length; k++) {
    const l = losses[k] as number;
    if (!Number.isFinite(l)) break;
    avg = beta * avg + (1 - beta) * l;
    const s = avg / (1 - beta ** (k + 1));
    if (k > 10 && s > 4 * best) break;
    best = Math.min(best, s);
    smooth.push(s);
  }
  let kBest = 1;
  let slopeBest = Number.POSITIVE_INFINITY;
  for (let k = 1; k < smooth.length; k++) {
    const slope = ((smooth[k] as number) - (smooth[k - 1] as number)) / (Math.log(lrs[k] as number) - Math.log(lrs[k - 1] as number));
    if (slope < slopeBest) {
      slopeBest = slope;
      kBest = k;
    }
  }
  return lrs[kBest] as number;
}

/**
 * The claim: the median suggestion lies inside the band of constant LRs that converge, that band
 * ends below the stability limit, and at least half of the suggestions fall inside it.
 */
export function checkLrFinder(f: { readonly medianSuggestion: number; readonly bandLow: number; readonly bandHigh: number; readonly stabilityLimit: number; readonly fractionInsideBand: number }): Verdict {
  return verdictOf([
    [
      f.medianSuggestion >= f.bandLow && f.medianSuggestion <= f.bandHigh,
      `the median suggestion ${fmt(f.medianSuggestion)} lies outside the converging band ${fmt(f.bandLow)} to ${fmt(f.bandHigh)}`,
      `the median suggestion ${fmt(f.medianSuggestion)} lies inside the converging band ${fmt(f.bandLow)} to ${fmt(f.bandHigh)}`,
    ],
    [
      f.bandHigh < f.stabilityLimit,
      `the converging band reaches ${fmt(f.bandHigh)}, not below the stability limit ${fmt(f.stabilityLimit)}`,
      `the converging band ends at ${fmt(f.bandHigh)}, below the stability limit ${fmt(f.stabilityLimit)}`,
    ],
    [
      f.fractionInsideBand >= 0.5,
      `only ${fmt(100 * f.fractionInsideBand)}% of the suggestions fall inside the band`,
      `${fmt(100 * f.fractionInsideBand)}% of the suggestions fall inside the band (at least half)`,
    ],
  ]);
}

export const lrFinder: Study = {
  id: 'lr-finder',
  title: 'The LR finder',
  terms: ['LR range test', 'learning rate (LR)', 'sharpness (λ)'],
  claim: "An exponential LR ramp's steepest loss descent suggests an LR that lies inside the band of constant LRs that converge.",
  sweeps: () => ({ count: 1, atMost: false }),
  async run(ctx: StudyContext): Promise<StudyResult> {
    const instances = ctx.quick ? 8 : 32;
    // A short ramp, as the range test is used (a fraction of an epoch). The steepest descent moves
    // with the ramp's speed: a slow ramp reaches the stiff direction's drop at a far smaller LR
    // (reported below as slowRampMedian).
    const rampSteps = 60;
    const slowRampSteps = 300;
    const steps = 200;
    const surface = { name: 'quadratic', a: 1, b: 10, angle: 30 };
    const starts = Array.from({ length: instances }, (_, i) => {
      const a = (2 * Math.PI * (i + 0.5)) / instances;
      return [1.5 * Math.cos(a), 1.5 * Math.sin(a)] as const;
    });
    // The ramps: ExponentialLR from LR_MIN to LR_MAX, one recorded path per start (every step's
    // loss), on the study's engine.
    const ramps = (n: number) =>
      makePlan(
        parseSpec({
          surface,
          optimizer: { name: 'SGD', lr: LR_MIN },
          schedule: { name: 'ExponentialLR', gamma: (LR_MAX / LR_MIN) ** (1 / n) },
          steps: n,
          sweep: { kind: 'points', params: ['start.0', 'start.1'], points: starts.map((s) => [...s]) },
        }),
      );
    const suggest = async (n: number, keep?: LineSeriesData[]): Promise<number[]> => {
      const plan = ramps(n);
      const paths = await engineOf(ctx, plan).trajectories(plan, { runs: starts.map((_, run) => run), ...(ctx.signal ? { signal: ctx.signal } : {}) });
      return paths.map((t, run) => {
        const lr = Array.from(t.lr);
        const losses = Array.from(t.loss.subarray(1, t.lr.length + 1));
        if (keep && run < 4) keep.push({ label: `ramp from start ${run}`, x: lr, y: losses, colour: [OKABE_ITO.blue, OKABE_ITO.green, OKABE_ITO.purple, OKABE_ITO.orange][run] as string });
        return steepestLr(lr, losses);
      });
    };
    const curves: LineSeriesData[] = [];
    const suggestions = await suggest(rampSteps, curves);
    const slowSuggestions = await suggest(slowRampSteps);
    // The band: constant LRs x the same starts, on the study's engine.
    const nLr = ctx.quick ? 48 : 160;
    const lrGrid = Array.from({ length: nLr }, (_, k) => 1e-4 * (1e4 ** (k / (nLr - 1))));
    const points: number[][] = [];
    for (const lr of lrGrid) for (const s of starts) points.push([lr, s[0], s[1]]);
    const sweep = await runSpec(ctx, 'constant-LR sweep', {
      surface,
      optimizer: { name: 'SGD', lr: 0.01 },
      steps,
      outcome: { radius: 0.05 },
      sweep: { kind: 'points', params: ['optimizer.lr', 'start.0', 'start.1'], points },
    });
    const converged = lrGrid.map((_, k) => {
      let c = 0;
      for (let i = 0; i < instances; i++) if ((sweep.results.basin[k * instances + i] as number) >= 0) c++;
      return c / instances;
    });
    const inBand = lrGrid.filter((_, k) => (converged[k] as number) >= 0.9);
    const bandLo = inBand.length ? Math.min(...inBand) : Number.NaN;
    const bandHi = inBand.length ? Math.max(...inBand) : Number.NaN;
    const inside = suggestions.filter((s) => s >= bandLo && s <= bandHi).length / instances;
    const med = median(suggestions);
    const slowMed = median(slowSuggestions);
    const findings = {
      suggestions,
      medianSuggestion: med,
      slowRampMedianSuggestion: slowMed,
      bandLow: bandLo,
      bandHigh: bandHi,
      stabilityLimit: 2 / 10,
      fractionInsideBand: inside,
    };
    const summary =
      `On a quadratic with curvatures 1 and 10, ${instances} LR ramps from ${LR_MIN} to ${LR_MAX} over ${rampSteps} steps suggest ` +
      `a median LR of ${fmt(med)}; constant LRs from ${fmt(bandLo)} to ${fmt(bandHi)} converge from at least 90% of the starts within ` +
      `${steps} steps (the stability limit is 2/λ_max = 0.2). ${fmt(100 * inside)}% of the suggestions fall inside that band; ` +
      `the ones outside come from starts along the flat direction, whose steepest drop happens past the stability limit. ` +
      `The suggestion depends on the ramp's speed: over ${slowRampSteps} steps the median is ${fmt(slowMed)}, below the band. ` +
      '(Ramps and band both ran on the study engine; the ramps are its recorded paths.)';
    return {
      id: 'lr-finder',
      findings,
      verdict: checkLrFinder(findings),
      summary,
      panels: [
        {
          kind: 'chart',
          title: 'LR range test: loss against the ramped LR',
          xLabel: 'learning rate',
          yLabel: 'loss',
          logX: true,
          logY: true,
          series: curves,
          marks: [{ x: med, label: `median suggestion ${fmt(med)}`, colour: '#d00' }],
          bands: [{ x0: bandLo, x1: bandHi, label: 'converging band', colour: OKABE_ITO.green }],
          sources: [
            { label: 'the LR ramps', spec: ramps(rampSteps).spec },
            { label: 'the constant-LR sweep', spec: sweep.plan.spec },
          ],
        },
        {
          kind: 'chart',
          title: 'Share of starts converging at a constant LR',
          xLabel: 'learning rate',
          yLabel: 'fraction converged',
          logX: true,
          series: [{ label: 'constant LR', x: lrGrid, y: converged, colour: OKABE_ITO.blue }],
          marks: suggestions.slice(0, 1).map(() => ({ x: med, label: 'median suggestion', colour: '#d00' })),
          sources: [{ label: 'the constant-LR sweep', spec: sweep.plan.spec }],
        },
      ],
    };
  },
};
