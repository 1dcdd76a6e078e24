/**
 * Stochastic weight averaging (Izmailov et al., 2018): with a constant LR and gradient noise the
 * last iterate keeps bouncing around the bottom of a flat basin, and the average of the iterates
 * (torch.optim.swa_utils.AveragedModel's equal-weight average) lands nearer its centre.
 */
import { extremeMinimum, fmt, runSpec, verdictOf } from './run.ts';
import type { Study, StudyContext, StudyResult, Verdict } from './types.ts';
import { count } from '../view/caption.ts';
import { OKABE_ITO } from '../view/colors.ts';

/**
 * The claim: of the runs that end in the flat basin (there must be some), the SWA average is nearer
 * its centre than the last iterate on most (over half), and nearer on average.
 */
export function checkSwa(f: { readonly runsInFlatBasin: number; readonly fractionSwaNearer: number; readonly meanDistanceLast: number; readonly meanDistanceSwa: number }): Verdict {
  return verdictOf([
    [f.runsInFlatBasin > 0, 'no run ends in the flat basin', `${count(f.runsInFlatBasin)} runs end in the flat basin`],
    [
      f.fractionSwaNearer > 0.5,
      `the average is nearer the centre on only ${fmt(100 * f.fractionSwaNearer)}% of runs (not most)`,
      `the average is nearer the centre on ${fmt(100 * f.fractionSwaNearer)}% of runs (most)`,
    ],
    [
      f.meanDistanceSwa < f.meanDistanceLast,
      `the average ends a mean ${fmt(f.meanDistanceSwa)} from the centre, the last iterate ${fmt(f.meanDistanceLast)}`,
      `the average ends a mean ${fmt(f.meanDistanceSwa)} from the centre, nearer than the last iterate's ${fmt(f.meanDistanceLast)}`,
    ],
  ]);
}

export const swaStudy: Study = {
  id: 'swa',
  title: 'Stochastic weight averaging',
  terms: ['SWA'],
  claim: 'In a flat basin under gradient noise, the SWA average ends nearer the centre of the basin than the last iterate, on most runs.',
  sweeps: () => ({ count: 1, atMost: false }),
  async run(ctx: StudyContext): Promise<StudyResult> {
    const n = ctx.quick ? 32 : 128;
    const steps = ctx.quick ? 600 : 1500;
    const ran = await runSpec(ctx, 'LR × noise with SWA', {
      surface: 'flat_sharp',
      optimizer: { name: 'SGD', lr: 0.1 },
      steps,
      start: [-1.0, 0.5],
      noise: { std: 0.5, seed: 5 },
      swa: { start: Math.round(steps / 2), every: 1 },
      // A run belongs to the flat basin when it ends within 1 of its centre.
      outcome: { radius: 1 },
      sweep: {
        x: { param: 'optimizer.lr', min: 0.01, max: 1, count: n, scale: 'log' },
        y: { param: 'noise.std', min: 0.05, max: 2, count: n },
      },
    });
    const { plan, results: r } = ran;
    const flat = extremeMinimum(plan, 'flat');
    const m = plan.minima[flat] as { x: number; y: number };
    const nearerByNoise: number[] = [];
    const lastByNoise: number[] = [];
    const swaByNoise: number[] = [];
    let nearer = 0;
    let counted = 0;
    let sumLast = 0;
    let sumSwa = 0;
    for (let j = 0; j < plan.height; j++) {
      let rowN = 0;
      let rowC = 0;
      let rowLast = 0;
      let rowSwa = 0;
      for (let i = 0; i < plan.width; i++) {
        const run = j * plan.width + i;
        if (r.basin[run] !== flat || !r.swa_x || !r.swa_y) continue;
        const dl = Math.hypot((r.final_x[run] as number) - m.x, (r.final_y[run] as number) - m.y);
        const ds = Math.hypot((r.swa_x[run] as number) - m.x, (r.swa_y[run] as number) - m.y);
        rowC++;
        rowLast += dl;
        rowSwa += ds;
        if (ds < dl) rowN++;
      }
      nearer += rowN;
      counted += rowC;
      sumLast += rowLast;
      sumSwa += rowSwa;
      nearerByNoise.push(rowC ? rowN / rowC : Number.NaN);
      lastByNoise.push(rowC ? rowLast / rowC : Number.NaN);
      swaByNoise.push(rowC ? rowSwa / rowC : Number.NaN);
    }
    const noise = Array.from(plan.yValues);
    const findings = {
      runsInFlatBasin: counted,
      fractionSwaNearer: nearer / Math.max(1, counted),
      meanDistanceLast: sumLast / Math.max(1, counted),
      meanDistanceSwa: sumSwa / Math.max(1, counted),
    };
    const summary =
      `Of ${count(counted)} runs that end in the flat basin, the SWA average (iterates from step ${Math.round(steps / 2)} on) is nearer the ` +
      `basin's centre than the last iterate on ${fmt(100 * findings.fractionSwaNearer)}%; the mean distance drops from ` +
      `${fmt(findings.meanDistanceLast)} to ${fmt(findings.meanDistanceSwa)}. The more noise, the more the average gains.`;
    return {
      id: 'swa',
      findings,
      verdict: checkSwa(findings),
      summary,
      panels: [
        { kind: 'heatmap', title: 'Final loss of the last iterate: LR × noise', plan, results: r, mode: 'loss' },
        {
          kind: 'chart',
          title: 'Mean distance to the flat minimum, by noise',
          xLabel: 'gradient noise std',
          yLabel: 'distance to the centre',
          logY: true,
          series: [
            { label: 'last iterate', x: noise, y: lastByNoise, colour: OKABE_ITO.vermillion },
            { label: 'SWA average', x: noise, y: swaByNoise, colour: OKABE_ITO.blue },
          ],
          sources: [{ label: 'LR × noise with SWA', spec: plan.spec }],
        },
        {
          kind: 'chart',
          title: 'Share of runs where SWA ends nearer the centre',
          xLabel: 'gradient noise std',
          yLabel: 'fraction of runs',
          series: [{ label: 'SWA nearer', x: noise, y: nearerByNoise, colour: OKABE_ITO.green }],
          sources: [{ label: 'LR × noise with SWA', spec: plan.spec }],
        },
      ],
    };
  },
};
