/**
 * Adam with weight decay vs AdamW (Loshchilov & Hutter, "Decoupled Weight Decay Regularization",
 * 2019). Adam adds the decay to the gradient, so it converges to the minimum of the L2-regularised
 * loss f + wd/2 |x|²; AdamW shrinks the weights directly, outside the adaptive normalisation, and
 * ends somewhere else. On Booth's function (a quadratic with minimum m = (1, 3) and Hessian H)
 * the L2-regularised minimum is (H + wd I)⁻¹ H m, which the study checks against.
 */
import { fmt, median, runSpec, verdictOf } from './run.ts';
import type { PanelSource, Study, StudyContext, StudyResult, Verdict } from './types.ts';
import { OKABE_ITO } from '../view/colors.ts';

/** The minimum of Booth's function plus wd/2 |x|²: (H + wd I)⁻¹ H m with H = [[10, 8], [8, 10]]. */
export function boothL2Minimum(wd: number): [number, number] {
  const a = 10 + wd;
  const b = 8;
  const det = a * a - b * b;
  const hm: [number, number] = [10 * 1 + 8 * 3, 8 * 1 + 10 * 3];
  return [(a * hm[0] - b * hm[1]) / det, (-b * hm[0] + a * hm[1]) / det];
}

/**
 * The claim: Adam ends near the L2-regularised minimum (median distance under 0.2) and AdamW does
 * not (over five times as far).
 */
export function checkAdamAdamW(f: { readonly adamMedianDistanceToL2Minimum: number; readonly adamWMedianDistanceToL2Minimum: number }): Verdict {
  const a = f.adamMedianDistanceToL2Minimum;
  const w = f.adamWMedianDistanceToL2Minimum;
  return verdictOf([
    [a < 0.2, `Adam ends a median ${fmt(a)} from the L2-regularised minimum (not under 0.2)`, `Adam ends a median ${fmt(a)} from the L2-regularised minimum (under 0.2)`],
    [w > 5 * a, `AdamW ends a median ${fmt(w)} from it, not five times Adam's ${fmt(a)}`, `AdamW ends a median ${fmt(w)} from it, more than five times Adam's ${fmt(a)}`],
  ]);
}

export const adamVsAdamW: Study = {
  id: 'adam-vs-adamw',
  title: 'Adam with L2 vs AdamW',
  terms: ['weight decay', 'L2-regularised minimum'],
  claim: "Adam's weight decay is an L2 term: it converges to the L2-regularised minimum. AdamW's decoupled decay does not: same numbers, different point.",
  sweeps: () => ({ count: 2, atMost: false }),
  async run(ctx: StudyContext): Promise<StudyResult> {
    const n = ctx.quick ? 24 : 96;
    const steps = ctx.quick ? 3000 : 5000;
    const sweep = {
      x: { param: 'optimizer.lr', min: 1e-3, max: 0.1, count: n, scale: 'log' },
      y: { param: 'optimizer.weight_decay', min: 0.01, max: 2, count: n, scale: 'log' },
    };
    const cases = [
      { label: 'Adam (L2)', optimizer: { name: 'Adam' } },
      { label: 'AdamW (decoupled)', optimizer: { name: 'AdamW' } },
    ];
    const dist: Record<string, number[]> = {};
    // The largest LR with an end point away from the curve (0.01 or more), per optimiser.
    const farLr: Record<string, number> = {};
    const panels = [];
    const scatter: { label: string; x: number[]; y: number[]; colour: string; points: boolean }[] = [];
    const sources: PanelSource[] = [];
    for (const c of cases) {
      const ran = await runSpec(ctx, c.label, { surface: 'booth', optimizer: c.optimizer, steps, start: [-4, -4], outcome: { radius: 3 }, sweep });
      const d: number[] = [];
      const px: number[] = [];
      const py: number[] = [];
      for (let j = 0; j < ran.plan.height; j++) {
        const [mx, my] = boothL2Minimum(ran.plan.yValues[j] as number);
        for (let i = 0; i < ran.plan.width; i++) {
          const run = j * ran.plan.width + i;
          if (ran.results.diverged[run]) continue;
          const x = ran.results.final_x[run] as number;
          const y = ran.results.final_y[run] as number;
          d.push(Math.hypot(x - mx, y - my));
          if ((d.at(-1) as number) >= 0.01) farLr[c.label] = Math.max(farLr[c.label] ?? 0, ran.plan.xValues[i] as number);
          px.push(x);
          py.push(y);
        }
      }
      dist[c.label] = d;
      sources.push({ label: c.label, spec: ran.plan.spec });
      scatter.push({ label: `${c.label} end points`, x: px, y: py, colour: c.label.startsWith('AdamW') ? OKABE_ITO.vermillion : OKABE_ITO.blue, points: true });
      panels.push({ kind: 'heatmap' as const, title: `${c.label}: final loss (unregularised), LR × weight decay`, plan: ran.plan, results: ran.results, mode: 'loss' as const });
    }
    const wds = Array.from({ length: 40 }, (_, k) => 0.01 * 200 ** (k / 39));
    const path = wds.map(boothL2Minimum);
    // The share of each optimiser's end points within 0.01 of its L2-regularised minimum: stacked on
    // the curve, they draw as one line of dots, so the charts' titles say how many they are.
    const near = (d: readonly number[]): number => (d.length ? d.filter((v) => v < 0.01).length / d.length : 0);
    const findings = {
      adamMedianDistanceToL2Minimum: median(dist['Adam (L2)'] ?? []),
      adamWMedianDistanceToL2Minimum: median(dist['AdamW (decoupled)'] ?? []),
      adamShareAtL2Minimum: near(dist['Adam (L2)'] ?? []),
      adamWShareAtL2Minimum: near(dist['AdamW (decoupled)'] ?? []),
    };
    const pct = (v: number): string => `${Math.round(100 * v)}%`;
    const summary =
      `Across ${n}×${n} LR × weight-decay settings on Booth's function, Adam ends a median ${fmt(findings.adamMedianDistanceToL2Minimum)} away from the ` +
      `L2-regularised minimum (H + wd I)⁻¹Hm — where an L2 term should take it — while AdamW ends a median ` +
      `${fmt(findings.adamWMedianDistanceToL2Minimum)} away: decoupled decay is a different regulariser, whose end point depends on the LR too. ` +
      `${pct(findings.adamShareAtL2Minimum)} of Adam's end points and ${pct(findings.adamWShareAtL2Minimum)} of AdamW's lie within 0.01 of it` +
      // Where Adam's others are, in the sweep: all at the smallest LRs, which take the smallest steps.
      (farLr['Adam (L2)'] === undefined ? '.' : `; every Adam run that ends farther is at an LR of at most ${fmt(farLr['Adam (L2)'])} (the sweep's smallest LRs, whose steps are smallest).`);
    return {
      id: 'adam-vs-adamw',
      findings,
      verdict: checkAdamAdamW(findings),
      summary,
      // One chart per optimiser, each with the curve drawn over its points: overlaid, AdamW's 9,216
      // points buried Adam's and the curve (walkthrough 6), and the claim is the difference between
      // the two pictures (Adam's converged end points on the curve, AdamW's fanned off it).
      panels: [
        ...scatter.map((sc, k) => ({
          kind: 'chart' as const,
          title: `${cases[k]?.label ?? sc.label}: end points (${pct(k === 0 ? findings.adamShareAtL2Minimum : findings.adamWShareAtL2Minimum)} within 0.01 of the curve), and the L2-regularised minima as wd grows`,
          xLabel: 'x',
          yLabel: 'y',
          series: [sc, { label: 'L2 minimum (H + wd I)⁻¹Hm, wd 0.01 to 2', x: path.map((p) => p[0]), y: path.map((p) => p[1]), colour: '#000', points: false }],
          sources: sources.filter((src) => src.label === cases[k]?.label),
        })),
        ...panels,
      ],
    };
  },
};
