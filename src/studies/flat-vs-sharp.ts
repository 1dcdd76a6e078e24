/**
 * Flat vs sharp minima. Gradient descent cannot settle in a minimum whose sharpness λ exceeds its
 * linear-stability limit: lr·λ < 2 for plain GD, lr·λ < 2(1 + momentum) for heavy-ball momentum.
 * On the flat-vs-sharp surface, runs that would fall into the sharp well at a small LR are thrown
 * out of it above the limit and end in the flat one; gradient noise does the same below it.
 */
import type { Study, StudyContext, StudyResult, SummaryTable, Verdict } from './types.ts';
import { extremeMinimum, fmt, runSpec, verdictOf } from './run.ts';
import { caption, count } from '../view/caption.ts';
import { THEORY_INK, stabilityLabel } from '../view/theory.ts';
import { OKABE_ITO } from '../view/colors.ts';

/** The numbers the flat-vs-sharp claim is checked on (its findings). */
export interface FlatSharpCheck {
  readonly lambdaSharp: number;
  readonly lambdaFlat: number;
  readonly sharpRunsWithinLimit: number;
  readonly sharpRunsBeyondStabilityLimit: number;
  readonly sharpFractionBelowHalfLimit: number;
  readonly sharpFractionAboveLimit: number;
  readonly flatFractionAboveLimit: number;
  readonly sharpFractionWithoutNoise: number;
  readonly sharpFractionWithMostNoise: number;
}

/**
 * The claim: no run settles in the sharp minimum beyond its stability limit while some do below it
 * (the control: settling there is possible); along the line through both minima, large LRs leave
 * the sharp well for the flat one; gradient noise cuts the share of sharp endings.
 */
export function checkFlatVsSharp(f: FlatSharpCheck): Verdict {
  return verdictOf([
    [
      f.lambdaSharp > 10 * f.lambdaFlat,
      `the sharp minimum (λ = ${fmt(f.lambdaSharp)}) is not ten times sharper than the flat one (λ = ${fmt(f.lambdaFlat)})`,
      `the sharp minimum (λ = ${fmt(f.lambdaSharp)}) is more than ten times sharper than the flat one (λ = ${fmt(f.lambdaFlat)})`,
    ],
    [
      f.sharpRunsWithinLimit > 0,
      'no run settles in the sharp minimum even below its stability limit (the control)',
      `${count(f.sharpRunsWithinLimit)} runs settle in the sharp minimum below its stability limit (the control)`,
    ],
    [
      f.sharpRunsBeyondStabilityLimit === 0,
      `${count(f.sharpRunsBeyondStabilityLimit)} runs settle in the sharp minimum beyond its stability limit`,
      'no run settles in the sharp minimum beyond its stability limit',
    ],
    [
      f.sharpFractionAboveLimit < f.sharpFractionBelowHalfLimit,
      `as many starts end in the sharp well above its limit (${fmt(100 * f.sharpFractionAboveLimit)}%) as below half of it (${fmt(100 * f.sharpFractionBelowHalfLimit)}%)`,
      `fewer starts end in the sharp well above its limit (${fmt(100 * f.sharpFractionAboveLimit)}%) than below half of it (${fmt(100 * f.sharpFractionBelowHalfLimit)}%)`,
    ],
    [
      f.flatFractionAboveLimit > 0.5,
      `above the limit only ${fmt(100 * f.flatFractionAboveLimit)}% of starts end in the flat minimum (not most)`,
      `above the limit ${fmt(100 * f.flatFractionAboveLimit)}% of starts end in the flat minimum (most)`,
    ],
    [
      f.sharpFractionWithMostNoise < f.sharpFractionWithoutNoise,
      `gradient noise does not cut the share of sharp endings (${fmt(100 * f.sharpFractionWithoutNoise)}% without, ${fmt(100 * f.sharpFractionWithMostNoise)}% with)`,
      `gradient noise cuts the share of sharp endings (${fmt(100 * f.sharpFractionWithoutNoise)}% without, ${fmt(100 * f.sharpFractionWithMostNoise)}% with)`,
    ],
  ]);
}

/** The share of runs in neither basin, 1 − sharp − flat, with float noise (below 1e-9, or negative) as 0: the tables and the chart read it alike. */
function neitherShare(sharp: number, flat: number): number {
  const rest = 1 - sharp - flat;
  return rest < 1e-9 ? 0 : rest;
}

export const flatVsSharp: Study = {
  id: 'flat-vs-sharp',
  title: 'Flat vs sharp minima',
  terms: ['sharpness (λ)', 'heavy-ball momentum', 'SAM (ρ)'],
  claim:
    'No run settles in a minimum sharper than its stability limit 2(1 + momentum)/lr allows; higher learning rates push runs into the flat basin, and gradient noise shakes them out of the sharp one.',
  sweeps: () => ({ count: 4, atMost: false }),
  async run(ctx: StudyContext): Promise<StudyResult> {
    const n = ctx.quick ? 48 : 192;
    const steps = ctx.quick ? 600 : 1000;
    // "Settled" means converged: within 1e-3 of the minimum. A run just past the limit can orbit
    // the sharp minimum in a small 2-cycle (the well's curvature falls off away from its centre)
    // without ever settling; a looser radius would count that orbit as convergence.
    const base = {
      surface: 'flat_sharp',
      optimizer: { name: 'SGD', lr: 0.01, momentum: 0 },
      steps,
      start: [1.25, 0.12],
      outcome: { radius: 1e-3 },
    };

    // 1. LR x momentum from a start inside the sharp well's pull.
    const a = await runSpec(ctx, 'LR × momentum', {
      ...base,
      sweep: {
        x: { param: 'optimizer.lr', min: 1e-3, max: 1, count: n, scale: 'log' },
        y: { param: 'optimizer.momentum', min: 0, max: 0.95, count: n },
      },
    });
    const sharp = extremeMinimum(a.plan, 'sharp');
    const flat = extremeMinimum(a.plan, 'flat');
    const lamS = (a.plan.minima[sharp] as { sharpness: number }).sharpness;
    const lamF = (a.plan.minima[flat] as { sharpness: number }).sharpness;
    // Just past the limit the unstable direction grows by |r|^steps with |r| barely above 1, so a
    // run can still sit near the minimum when the run ends without having settled; 2% past it,
    // |r|^1000 exceeds e^30.
    let beyond = 0;
    let atLimit = 0;
    let sharpBelow = 0;
    // Coloured sharp on the map (within 10⁻³ at the last checkpoint) past the limit, but not settled.
    let passingBeyond = 0;
    for (let j = 0; j < a.plan.height; j++) {
      const mu = a.plan.yValues[j] as number;
      for (let i = 0; i < a.plan.width; i++) {
        const lr = a.plan.xValues[i] as number;
        const run = j * a.plan.width + i;
        // Settled: inside the radius at the last two checkpoints at least. A run bouncing around
        // the well can land inside it at the final step by chance.
        if (a.results.basin[run] !== sharp) continue;
        const ratio = (lr * lamS) / (2 * (1 + mu));
        if ((a.results.steps_to_converge[run] as number) >= steps) {
          if (ratio > 1) passingBeyond++;
          continue;
        }
        if (ratio > 1.02) beyond++;
        else if (ratio > 1) atLimit++;
        else sharpBelow++;
      }
    }
    const mus = Array.from({ length: 20 }, (_, k) => (0.95 * k) / 19);
    // Black, as the explorer draws its theory lines (red is a diverged run's colour on a viridis map).
    const limitLine = { label: stabilityLabel(lamS, false, 'sharp minimum'), x: mus.map((m) => (2 * (1 + m)) / lamS), y: mus, colour: THEORY_INK };

    // 2. LR x start along the line through both minima (momentum 0): which basin, by LR.
    const b = await runSpec(ctx, 'LR × start', {
      ...base,
      sweep: {
        x: { param: 'optimizer.lr', min: 1e-3, max: 1, count: n, scale: 'log' },
        y: { param: 'start.0', min: -3.5, max: 3, count: n },
      },
    });
    const fracSharp: number[] = [];
    const fracFlat: number[] = [];
    for (let i = 0; i < b.plan.width; i++) {
      let s = 0;
      let f = 0;
      for (let j = 0; j < b.plan.height; j++) {
        const v = b.results.basin[j * b.plan.width + i];
        if (v === sharp) s++;
        if (v === flat) f++;
      }
      fracSharp.push(s / b.plan.height);
      fracFlat.push(f / b.plan.height);
    }
    const lrs = Array.from(b.plan.xValues);
    const belowLimit = lrs.map((lr, i) => ({ lr, i })).filter(({ lr }) => lr * lamS < 1);
    const aboveLimit = lrs.map((lr, i) => ({ lr, i })).filter(({ lr }) => lr * lamS > 2 && lr * lamF < 2);
    const neitherAt = lrs.map((_, i) => neitherShare(fracSharp[i] as number, fracFlat[i] as number));
    const meanOf = (xs: { i: number }[], arr: number[]): number => xs.reduce((t, { i }) => t + (arr[i] as number), 0) / Math.max(1, xs.length);

    // 3. LR x noise (momentum 0): noise shakes runs out of the sharp well below the limit. Noisy
    // runs never settle to 1e-3, so here a run counts by the well it ends in (within 0.3).
    const c = await runSpec(ctx, 'LR × noise', {
      ...base,
      outcome: { radius: 0.3 },
      noise: { std: 0, seed: 1 },
      sweep: {
        x: { param: 'optimizer.lr', min: 1e-3, max: 2 / lamS, count: n, scale: 'log' },
        y: { param: 'noise.std', min: 0, max: 8, count: n },
      },
    });
    const rowShare = (j: number, which: number): number => {
      let s = 0;
      for (let i = 0; i < c.plan.width; i++) if (c.results.basin[j * c.plan.width + i] === which) s++;
      return s / c.plan.width;
    };
    const quietSharp = rowShare(0, sharp);
    const noisySharp = rowShare(c.plan.height - 1, sharp);
    // Where the runs noise shakes out of the sharp well go: mostly to the flat one, or mostly nowhere.
    const shakenToFlat = rowShare(c.plan.height - 1, flat) - rowShare(0, flat) > (quietSharp - noisySharp) / 2;

    // 4. SAM: over LR x rho, with gradient noise, the share of starts along the line through both
    // minima that end in the flat and in the sharp minimum (rho = 0 is plain SGD).
    const rhos = Array.from({ length: ctx.quick ? 6 : 13 }, (_, k) => (0.3 * k) / ((ctx.quick ? 6 : 13) - 1));
    const samLrs = [0.005, 0.015, 0.03];
    const starts = Array.from({ length: ctx.quick ? 32 : 96 }, (_, k) => -3.5 + (6.5 * k) / ((ctx.quick ? 32 : 96) - 1));
    const points: number[][] = [];
    for (const lr of samLrs) for (const rho of rhos) for (const sx of starts) points.push([lr, rho, sx]);
    const d = await runSpec(ctx, 'LR × SAM rho', {
      ...base,
      outcome: { radius: 0.3 },
      noise: { std: 2, seed: 3 },
      sam: { rho: 0.05 },
      sweep: { kind: 'points', params: ['optimizer.lr', 'sam.rho', 'start.0'], points },
    });
    const share = (which: number): number[][] =>
      samLrs.map((_, li) =>
        rhos.map((_, ri) => {
          let f = 0;
          for (let si = 0; si < starts.length; si++) if (d.results.basin[(li * rhos.length + ri) * starts.length + si] === which) f++;
          return f / starts.length;
        }),
      );
    const samFlat = share(flat);
    const samSharp = share(sharp);
    const flatWithoutSam = samFlat.map((row) => row[0] as number);
    const flatWithMostSam = samFlat.map((row) => row[row.length - 1] as number);
    const sharpWithoutSam = samSharp.map((row) => row[0] as number);
    const sharpWithMostSam = samSharp.map((row) => row[row.length - 1] as number);

    const findings = {
      sharpPassingBeyondLimit: passingBeyond,
      samLearningRates: samLrs,
      flatFractionWithoutSam: flatWithoutSam,
      flatFractionWithLargestRho: flatWithMostSam,
      sharpFractionWithoutSam: sharpWithoutSam,
      sharpFractionWithLargestRho: sharpWithMostSam,
      lambdaSharp: lamS,
      lambdaFlat: lamF,
      sharpRunsBeyondStabilityLimit: beyond,
      sharpRunsWithin2PercentAboveLimit: atLimit,
      sharpRunsWithinLimit: sharpBelow,
      sharpFractionBelowHalfLimit: meanOf(belowLimit, fracSharp),
      sharpFractionAboveLimit: meanOf(aboveLimit, fracSharp),
      flatFractionAboveLimit: meanOf(aboveLimit, fracFlat),
      sharpFractionWithoutNoise: quietSharp,
      sharpFractionWithMostNoise: noisySharp,
    };
    const pct = (x: number): string => `${fmt(100 * x)}%`;
    // The rest, with the float noise of 1 - a - b (2e-16) read as none.
    const neither = (sh: number, fl: number): string => pct(neitherShare(sh, fl));
    const rhoMax = fmt(rhos[rhos.length - 1] as number);
    const between = lrs.map((lr, i) => ({ lr, i })).filter(({ lr }) => lr * lamS >= 1 && lr * lamS <= 2);
    const tables: SummaryTable[] = [
      {
        title: 'Starts along the line through both minima (momentum 0): where they end, by LR',
        columns: ['LR', 'sharp minimum', 'flat minimum', 'neither basin'],
        rows: [
          [`below 1/λ_sharp (lr < ${fmt(1 / lamS)})`, pct(findings.sharpFractionBelowHalfLimit), pct(meanOf(belowLimit, fracFlat)), neither(findings.sharpFractionBelowHalfLimit, meanOf(belowLimit, fracFlat))],
          between.length > 0
            ? [`between 1/λ_sharp and 2/λ_sharp`, pct(meanOf(between, fracSharp)), pct(meanOf(between, fracFlat)), neither(meanOf(between, fracSharp), meanOf(between, fracFlat))]
            : ['between 1/λ_sharp and 2/λ_sharp', '—', '—', '— (no LR of the sweep there)'],
          [`above 2/λ_sharp (${fmt(2 / lamS)} < lr < 2/λ_flat)`, pct(findings.sharpFractionAboveLimit), pct(findings.flatFractionAboveLimit), neither(findings.sharpFractionAboveLimit, findings.flatFractionAboveLimit)],
        ],
      },
      {
        title: `Gradient noise (momentum 0, lr ${fmt(1e-3)} to 2/λ_sharp): where runs end (within 0.3 of a minimum)`,
        columns: ['noise std', 'sharp minimum', 'flat minimum', 'neither basin'],
        rows: [0, c.plan.height - 1].map((j) => {
          const [sh, fl] = [rowShare(j, sharp), rowShare(j, flat)];
          return [fmt(c.plan.yValues[j] as number), pct(sh), pct(fl), neither(sh, fl)];
        }),
      },
      {
        title: 'SAM, with gradient noise of std 2: where starts end, without SAM (ρ = 0) and with it',
        columns: ['LR', 'ρ', 'sharp minimum', 'flat minimum', 'neither basin'],
        rows: samLrs.flatMap((lr, k) => [
          [fmt(lr), '0', pct(sharpWithoutSam[k] as number), pct(flatWithoutSam[k] as number), neither(sharpWithoutSam[k] as number, flatWithoutSam[k] as number)],
          [fmt(lr), rhoMax, pct(sharpWithMostSam[k] as number), pct(flatWithMostSam[k] as number), neither(sharpWithMostSam[k] as number, flatWithMostSam[k] as number)],
        ]),
      },
    ];
    // "Neither" at small LRs is slowness: a start still on its way after `steps` steps.
    const slowest = neitherAt[0] as number;
    // The first LR from which every start gets there, at every LR up to the sharp limit.
    const stable = lrs.filter((lr) => lr * lamS < 2).length;
    const settledAt = neitherAt.slice(0, stable).map((x) => x === 0);
    const lastUnsettled = settledAt.lastIndexOf(false);
    const firstSettled = lastUnsettled + 1 < stable ? lastUnsettled + 1 : -1;
    const summary =
      `The sharp minimum has λ = ${fmt(lamS)}, the flat one λ = ${fmt(lamF)} (λ: the sharpness). Of ${count(a.plan.runs)} heavy-ball runs over LR × momentum, ` +
      `${count(sharpBelow + atLimit)} settle within 10⁻³ of the sharp minimum (inside at the last two checkpoints): ${count(sharpBelow)} below its stability limit lr = 2(1 + momentum)/λ_sharp, ` +
      `${count(atLimit)} less than 2% above it (still escaping when the run ends) and ${count(beyond)} further above it.\n\n` +
      `The first table follows starts along the line through both minima; there a start "ends in" a minimum when it is within 10⁻³ of it at the run's last checkpoint ` +
      `(the counts above need the checkpoint before as well), and in "neither basin" when it is within 10⁻³ of neither: ` +
      `${slowest > 0 ? `at the smallest LR, ${fmt(lrs[0] as number)}, ${pct(slowest)} of the starts have not got that close to either minimum in ${steps} steps${firstSettled >= 0 ? `, and at every LR from ${fmt(lrs[firstSettled] as number)} up to the sharp limit every one has` : ''}` : 'every start has got that close to one of them, at every LR'}. Above 2/λ_sharp ${findings.sharpFractionAboveLimit === 0 ? 'no start ends' : `${pct(findings.sharpFractionAboveLimit)} of the starts end`} in the sharp well; ` +
      `below the limit, gradient noise ${noisySharp < quietSharp ? `shakes runs out of it${shakenToFlat ? ', most of them into the flat one' : `, but most of those it shakes out end in neither minimum at std ${fmt(c.plan.yValues[c.plan.height - 1] as number)}`}` : 'does not shake runs out of it'}. ` +
      (sharpWithMostSam.every((x, k) => x <= (sharpWithoutSam[k] as number)) && sharpWithMostSam.some((x, k) => x < (sharpWithoutSam[k] as number))
        ? `With SAM no more starts end in the sharp well at any LR tried, and fewer at some; ${flatWithMostSam.every((x, k) => x > (flatWithoutSam[k] as number)) ? 'the flat one gains them at every LR' : 'the flat one does not gain them at every LR: the ascent step mostly keeps runs from settling in the sharp well rather than sending them to the flat one'}.`
        : 'With SAM the share in the sharp well does not fall at every LR tried (the last table).');
    return {
      id: 'flat-vs-sharp',
      findings,
      verdict: checkFlatVsSharp(findings),
      summary,
      tables,
      panels: [
        {
          kind: 'heatmap',
          title: 'Minimum reached: LR × momentum',
          plan: a.plan,
          results: a.results,
          mode: 'basin',
          lines: [limitLine],
          // The map colours a run by the minimum it is within 10⁻³ of at its last checkpoint; the
          // claim counts a run as settled only when it was there at the checkpoint before too.
          caption:
            `${caption(a.plan, 'basin')} A run is coloured by the minimum it is within 10⁻³ of at its last checkpoint; ` +
            (passingBeyond > 0
              ? `the ${passingBeyond} sharp-coloured ${passingBeyond === 1 ? 'cell' : 'cells'} right of the limit ${passingBeyond === 1 ? 'is a run' : 'are runs'} passing through the sharp well at that checkpoint, not settled there (not inside at the checkpoint before), so the claim does not count ${passingBeyond === 1 ? 'it' : 'them'}.`
              : 'none right of the limit is coloured sharp.'),
        },
        {
          kind: 'heatmap',
          title: 'Minimum reached: LR × start × (momentum 0)',
          plan: b.plan,
          results: b.results,
          mode: 'basin',
          lines: [{ label: stabilityLabel(lamS, false, 'sharp minimum', false), x: [2 / lamS, 2 / lamS], y: [-3.5, 3], colour: THEORY_INK }],
        },
        {
          kind: 'chart',
          title: 'Share of starts ending in each minimum',
          xLabel: 'learning rate',
          yLabel: 'fraction of runs',
          logX: true,
          series: [
            { label: 'sharp', x: lrs, y: fracSharp, colour: OKABE_ITO.orange },
            { label: 'flat', x: lrs, y: fracFlat, colour: OKABE_ITO.sky },
            // The rest, so that the three add up to 1 at every LR.
            { label: 'neither basin', x: lrs, y: neitherAt, colour: '#999', dashed: true },
          ],
          marks: [{ x: 2 / lamS, label: '2/λ_sharp', colour: THEORY_INK }],
          sources: [{ label: 'LR × start', spec: b.plan.spec }],
        },
        { kind: 'heatmap', title: 'Minimum reached: LR × gradient noise (momentum 0)', plan: c.plan, results: c.results, mode: 'basin' },
        {
          kind: 'chart',
          title: 'SAM: where runs end, by rho (noise std 2)',
          xLabel: 'SAM rho (0 = plain SGD)',
          yLabel: 'fraction of starts',
          series: [
            ...samLrs.map((lr, k) => ({ label: `flat, lr ${lr}`, x: rhos, y: samFlat[k] ?? [], colour: [OKABE_ITO.sky, OKABE_ITO.blue, '#003f7f'][k] as string })),
            ...samLrs.map((lr, k) => ({ label: `sharp, lr ${lr}`, x: rhos, y: samSharp[k] ?? [], colour: ['#f0c060', OKABE_ITO.orange, '#a05000'][k] as string })),
          ],
          sources: [{ label: 'LR × rho × start points', spec: d.plan.spec }],
        },
      ],
    };
  },
};
