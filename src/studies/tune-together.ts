/**
 * "Tune the LR and the optimiser together": the band of learning rates that converges moves by
 * orders of magnitude between SGD and the adaptive optimisers, so a great LR for one is a terrible
 * LR for another. One LR x start-point sweep per optimiser on Rosenbrock.
 */
import { lossFloorOf, sharedRange, valueRange } from '../view/frame.ts';
import { fmt, runSpec, verdictOf } from './run.ts';
import type { HeatmapPanel, PanelSource, Study, StudyContext, StudyResult, Verdict } from './types.ts';
import { OKABE_ITO } from '../view/colors.ts';

// The two the claim compares drawn solid; the others dashed, so that lines lying on one another
// (several at 0 over most LRs) stay told apart.
const OPTIMIZERS: readonly { label: string; optimizer: Record<string, unknown>; colour: string; dashed: boolean }[] = [
  { label: 'SGD', optimizer: { name: 'SGD' }, colour: OKABE_ITO.orange, dashed: true },
  { label: 'SGD + momentum 0.9', optimizer: { name: 'SGD', momentum: 0.9 }, colour: OKABE_ITO.vermillion, dashed: false },
  { label: 'Adam', optimizer: { name: 'Adam' }, colour: OKABE_ITO.blue, dashed: false },
  { label: 'AdamW', optimizer: { name: 'AdamW' }, colour: OKABE_ITO.sky, dashed: true },
  { label: 'RMSprop', optimizer: { name: 'RMSprop' }, colour: OKABE_ITO.green, dashed: true },
];

/**
 * The claim: each optimiser converges from most starts (over 80%) at its own best LR and from few
 * (under 20%) at the other's, and Adam's best LR is over ten times SGD's.
 */
export function checkTuneTogether(f: {
  readonly sgdMomentumBestLr: number;
  readonly adamBestLr: number;
  readonly sgdMomentumConvergedAtItsBest: number;
  readonly adamConvergedAtItsBest: number;
  readonly adamConvergedAtSgdBestLr: number;
  readonly sgdMomentumConvergedAtAdamBestLr: number;
}): Verdict {
  const pc = (x: number): string => `${fmt(100 * x)}%`;
  return verdictOf([
    [
      f.sgdMomentumConvergedAtItsBest > 0.8,
      `SGD with momentum converges from only ${pc(f.sgdMomentumConvergedAtItsBest)} of starts at its best LR`,
      `SGD with momentum converges from ${pc(f.sgdMomentumConvergedAtItsBest)} of starts at its best LR (over 80%)`,
    ],
    [
      f.adamConvergedAtItsBest > 0.8,
      `Adam converges from only ${pc(f.adamConvergedAtItsBest)} of starts at its best LR`,
      `Adam converges from ${pc(f.adamConvergedAtItsBest)} of starts at its best LR (over 80%)`,
    ],
    [
      f.adamConvergedAtSgdBestLr < 0.2,
      `Adam converges from ${pc(f.adamConvergedAtSgdBestLr)} of starts at SGD's best LR`,
      `Adam converges from ${pc(f.adamConvergedAtSgdBestLr)} of starts at SGD's best LR (under 20%)`,
    ],
    [
      f.sgdMomentumConvergedAtAdamBestLr < 0.2,
      `SGD with momentum converges from ${pc(f.sgdMomentumConvergedAtAdamBestLr)} of starts at Adam's best LR`,
      `SGD with momentum converges from ${pc(f.sgdMomentumConvergedAtAdamBestLr)} of starts at Adam's best LR (under 20%)`,
    ],
    [
      f.adamBestLr > 10 * f.sgdMomentumBestLr,
      `Adam's best LR (${fmt(f.adamBestLr)}) is not ten times SGD's (${fmt(f.sgdMomentumBestLr)})`,
      `Adam's best LR (${fmt(f.adamBestLr)}) is more than ten times SGD's (${fmt(f.sgdMomentumBestLr)})`,
    ],
  ]);
}

export const tuneTogether: Study = {
  id: 'tune-together',
  title: 'Tune the learning rate and the optimiser together',
  terms: ['learning rate (LR)'],
  claim:
    "The LR band in which runs converge sits orders of magnitude apart for SGD with momentum and Adam: SGD's best LR is a terrible LR for Adam, and Adam's for SGD.",
  sweeps: () => ({ count: OPTIMIZERS.length, atMost: false }),
  async run(ctx: StudyContext): Promise<StudyResult> {
    const nx = ctx.quick ? 40 : 160;
    const ny = ctx.quick ? 12 : 48;
    const steps = ctx.quick ? 1000 : 2000;
    const lrs: number[] = [];
    const fractions: Record<string, number[]> = {};
    const panels: HeatmapPanel[] = [];
    const sources: PanelSource[] = [];
    for (const o of OPTIMIZERS) {
      const ran = await runSpec(ctx, o.label, {
        surface: 'rosenbrock',
        optimizer: o.optimizer,
        steps,
        // Converged means within 0.05 of (1, 1).
        outcome: { radius: 0.05 },
        sweep: {
          x: { param: 'optimizer.lr', min: 1e-6, max: 1, count: nx, scale: 'log' },
          y: { param: 'start.1', min: 1, max: 3, count: ny },
        },
      });
      if (lrs.length === 0) lrs.push(...ran.plan.xValues);
      const frac: number[] = [];
      for (let i = 0; i < nx; i++) {
        let c = 0;
        for (let j = 0; j < ny; j++) if ((ran.results.basin[j * nx + i] as number) >= 0) c++;
        frac.push(c / ny);
      }
      fractions[o.label] = frac;
      sources.push({ label: o.label, spec: ran.plan.spec });
      panels.push({ kind: 'heatmap', title: `${o.label}: final loss, LR × start y`, plan: ran.plan, results: ran.results, mode: 'loss' });
    }
    const best = (label: string): number => {
      const f = fractions[label] ?? [];
      let k = 0;
      f.forEach((v, i) => {
        if (v > (f[k] as number)) k = i;
      });
      return k;
    };
    const sgdBest = best('SGD + momentum 0.9');
    const adamBest = best('Adam');
    const band = (label: string): [number, number] => {
      const f = fractions[label] ?? [];
      const idx = f.map((v, i) => (v >= 0.5 ? i : -1)).filter((i) => i >= 0);
      return idx.length ? [lrs[idx[0] as number] as number, lrs[idx[idx.length - 1] as number] as number] : [Number.NaN, Number.NaN];
    };
    const findings = {
      sgdMomentumBestLr: lrs[sgdBest] as number,
      adamBestLr: lrs[adamBest] as number,
      sgdMomentumConvergedAtItsBest: fractions['SGD + momentum 0.9']?.[sgdBest] as number,
      adamConvergedAtItsBest: fractions.Adam?.[adamBest] as number,
      adamConvergedAtSgdBestLr: fractions.Adam?.[sgdBest] as number,
      sgdMomentumConvergedAtAdamBestLr: fractions['SGD + momentum 0.9']?.[adamBest] as number,
      sgdMomentumBand: band('SGD + momentum 0.9'),
      adamBand: band('Adam'),
    };
    const summary =
      `On Rosenbrock (${steps} steps, ${ny} start points per LR), SGD with momentum converges best at lr ${fmt(findings.sgdMomentumBestLr)} ` +
      `(${fmt(100 * findings.sgdMomentumConvergedAtItsBest)}% of starts) and Adam at lr ${fmt(findings.adamBestLr)} ` +
      `(${fmt(100 * findings.adamConvergedAtItsBest)}%). At SGD's best LR Adam converges on ${fmt(100 * findings.adamConvergedAtSgdBestLr)}% of starts; ` +
      `at Adam's best LR, SGD with momentum on ${fmt(100 * findings.sgdMomentumConvergedAtAdamBestLr)}%. ` +
      `The others at their own best LR: ${OPTIMIZERS.filter((o) => o.label !== 'SGD + momentum 0.9' && o.label !== 'Adam')
        .map((o) => `${o.label}${o.label === 'AdamW' ? ' (its default weight_decay 0.01 on)' : ''} ${fmt(100 * Math.max(0, ...(fractions[o.label] ?? [])))}%`)
        .join(', ')} of starts (within 0.05 of the minimum in ${steps} steps). The loss maps share one colour scale.`;
    // One colour scale for the five loss maps, so that a colour is the same loss in each.
    const ranges = panels.map((p) => valueRange('loss', p.results, p.plan.runs, lossFloorOf(p.plan), p.plan.spec.steps));
    const shared = sharedRange(ranges);
    return {
      id: 'tune-together',
      findings,
      verdict: checkTuneTogether(findings),
      summary,
      panels: [
        {
          kind: 'chart',
          title: 'Share of starts that converge, by LR and optimiser',
          xLabel: 'learning rate',
          yLabel: 'fraction converged',
          logX: true,
          series: OPTIMIZERS.map((o) => ({ label: o.label, x: lrs, y: fractions[o.label] ?? [], colour: o.colour, dashed: o.dashed })),
          sources,
        },
        ...panels.map((p) => (shared ? { ...p, range: shared } : p)),
      ],
    };
  },
};
