/**
 * Random vs grid search (Bergstra & Bengio, JMLR 2012). With a budget of B runs over d
 * hyperparameters of which only one matters, a grid tries only B^(1/d) values of the one that
 * matters; random and Sobol points try B of them. Here only the LR matters: the other dimensions
 * (dampening without momentum, a negligible weight decay and noise level) change nothing. Every
 * method is repeated over many seeds (the grid is randomly shifted) and compared by the best final
 * loss it finds.
 */
import { randomUnit, scaleUnit, sobolUnit } from '../core/sampling.ts';
import { fmt, median, runSpec, verdictOf } from './run.ts';
import type { PanelSource, Study, StudyContext, StudyResult, Verdict } from './types.ts';
import { OKABE_ITO } from '../view/colors.ts';

const DIMS = [
  { param: 'optimizer.lr', min: 1e-3, max: 1, log: true },
  { param: 'optimizer.dampening', min: 0, max: 1, log: false },
  { param: 'optimizer.weight_decay', min: 0, max: 1e-9, log: false },
  { param: 'noise.std', min: 0, max: 1e-9, log: false },
] as const;

type Method = 'grid' | 'random' | 'sobol';
const METHODS: readonly Method[] = ['grid', 'random', 'sobol'];

/** A unit value on a dimension, mapped as the sweeps map theirs (scaleUnit). */
function toValue(dim: (typeof DIMS)[number], u: number): number {
  return scaleUnit(u, dim.min, dim.max, dim.log ? 'log' : 'linear');
}

/** B points of `method` in d dimensions for one repetition (seed). */
function design(method: Method, d: number, budget: number, seed: number): number[][] {
  const pts: number[][] = [];
  if (method === 'grid') {
    const c = Math.round(budget ** (1 / d));
    // A grid shifted by a random offset in each dimension, so that repetitions differ.
    const shift = Array.from({ length: d }, (_, k) => randomUnit(seed, 0, k));
    for (let idx = 0; idx < c ** d; idx++) {
      let rest = idx;
      const p: number[] = [];
      for (let k = 0; k < d; k++) {
        const i = rest % c;
        rest = Math.floor(rest / c);
        p.push(toValue(DIMS[k] as (typeof DIMS)[number], (i + (shift[k] as number)) / c));
      }
      pts.push(p);
    }
    return pts;
  }
  for (let run = 0; run < budget; run++) {
    pts.push(
      Array.from({ length: d }, (_, k) => toValue(DIMS[k] as (typeof DIMS)[number], method === 'random' ? randomUnit(seed, run, k) : sobolUnit(seed, run, k))),
    );
  }
  return pts;
}

/**
 * The claim, on the median best loss per design and dimension count: with 3 and 4 hyperparameters
 * (only the LR matters) random and Sobol points beat the grid, and the grid does worse at 4 than at
 * 2 (each unimportant dimension repeats its LR values).
 */
export function checkRandomSearch(f: Readonly<Record<string, number>>): Verdict {
  const at = (m: Method, d: number): number => f[`median_best_${m}_d${d}`] ?? Number.NaN;
  return verdictOf([
    ...[3, 4].flatMap((d) =>
      (['random', 'sobol'] as const).map(
        (m) =>
          [
            at(m, d) < at('grid', d),
            `with ${d} hyperparameters ${m} search (${fmt(at(m, d))}) does not beat the grid (${fmt(at('grid', d))})`,
            `with ${d} hyperparameters ${m} search (${fmt(at(m, d))}) beats the grid (${fmt(at('grid', d))})`,
          ] as const,
      ),
    ),
    [
      at('grid', 4) > at('grid', 2),
      `the grid does no worse with 4 hyperparameters (${fmt(at('grid', 4))}) than with 2 (${fmt(at('grid', 2))})`,
      `the grid does worse with 4 hyperparameters (${fmt(at('grid', 4))}) than with 2 (${fmt(at('grid', 2))})`,
    ],
  ]);
}

export const randomSearch: Study = {
  id: 'random-vs-grid',
  title: 'Random vs grid search',
  terms: ['Sobol search'],
  claim: 'When only some hyperparameters matter, random and Sobol search find better settings than a grid of the same budget, and the gap grows with the number of dimensions.',
  sweeps: () => ({ count: 3, atMost: false }),
  async run(ctx: StudyContext): Promise<StudyResult> {
    const seeds = ctx.quick ? 24 : 100;
    const steps = 50;
    const cases = [
      { d: 2, budget: 64 },
      { d: 3, budget: 64 },
      { d: 4, budget: 81 },
    ];
    const findings: Record<string, number> = {};
    const series: { label: string; x: number[]; y: number[]; colour: string }[] = [];
    const sources: PanelSource[] = [];
    for (const { d, budget } of cases) {
      // All methods and seeds of one dimension in one sweep of explicit points.
      const points: number[][] = [];
      const owner: { method: Method; seed: number }[] = [];
      for (const method of METHODS) {
        for (let seed = 0; seed < seeds; seed++) {
          for (const p of design(method, d, budget, seed)) {
            points.push(p);
            owner.push({ method, seed });
          }
        }
      }
      const ran = await runSpec(ctx, `${d} dimensions`, {
        surface: { name: 'quadratic', a: 1, b: 10, angle: 30 },
        optimizer: { name: 'SGD', lr: 0.01 },
        steps,
        sweep: { kind: 'points', params: DIMS.slice(0, d).map((x) => x.param), points },
      });
      const best = new Map<string, number>();
      owner.forEach((o, run) => {
        const key = `${o.method}/${o.seed}`;
        const loss = ran.results.diverged[run] ? Number.POSITIVE_INFINITY : (ran.results.loss[run] as number);
        best.set(key, Math.min(best.get(key) ?? Number.POSITIVE_INFINITY, loss));
      });
      for (const method of METHODS) {
        const vals = Array.from({ length: seeds }, (_, s) => best.get(`${method}/${s}`) as number).sort((a, b) => a - b);
        findings[`median_best_${method}_d${d}`] = median(vals);
        if (d === 3) {
          if (method === 'grid') sources.push({ label: 'the 3-dimension designs', spec: ran.plan.spec });
          series.push({
            label: method,
            x: vals.map((_, k) => (k + 0.5) / seeds),
            y: vals,
            colour: method === 'grid' ? OKABE_ITO.vermillion : method === 'random' ? OKABE_ITO.blue : OKABE_ITO.green,
          });
        }
      }
    }
    const summary =
      `Best loss after ${steps} SGD steps on a quadratic, where only the LR matters, median over ${seeds} repetitions: ` +
      cases
        .map(
          ({ d, budget }) =>
            `${d} dimensions (${budget} runs): grid ${fmt(findings[`median_best_grid_d${d}`] as number)}, random ${fmt(findings[`median_best_random_d${d}`] as number)}, ` +
            `Sobol ${fmt(findings[`median_best_sobol_d${d}`] as number)}`,
        )
        .join('; ') +
      '. A grid spends its budget on repeated values of the LR; random and Sobol points each try a new one.';
    return {
      id: 'random-vs-grid',
      findings,
      verdict: checkRandomSearch(findings),
      summary,
      panels: [
        {
          kind: 'chart',
          title: 'Best loss found, 3 hyperparameters, 64 runs',
          xLabel: 'quantile over repetitions',
          yLabel: 'best final loss',
          logY: true,
          series,
          sources,
        },
      ],
    };
  },
};
