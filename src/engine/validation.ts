/**
 * Runs one plan on several engines and compares every pair (the product feature behind
 * `basinlab validate` and the app's disagreement overlay).
 */
import { makePlan } from '../core/plan.ts';
import type { Plan } from '../core/plan.ts';
import type { Results } from '../core/results.ts';
import { parseSpec, specToJSON } from '../core/spec.ts';
import type { PairReport, ValidationReport } from '../core/validate.ts';
import { comparePair, gridBoundary, illConditioned, perturbationBoundary, perturbedSpec } from '../core/validate.ts';
import type { Engine, Progress, RunOptions } from './engine.ts';

/** Relative start-point shift used to probe chaotic runs of random/Sobol sweeps. */
export const PERTURBATION = 1e-6;

export interface ValidationRun {
  readonly report: ValidationReport;
  readonly results: Readonly<Record<string, Results>>;
}

/**
 * Runs `plan` on each engine (the last one is the reference that decides boundaries: pass cpu64
 * last) and compares every pair.
 */
export async function validatePlan(
  plan: Plan,
  engines: readonly Engine[],
  opts: RunOptions & { onEngine?: (name: string) => void } = {},
): Promise<ValidationRun> {
  const results: Record<string, Results> = {};
  for (const e of engines) {
    opts.onEngine?.(e.name);
    const runOpts: RunOptions = {
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onProgress ? { onProgress: (p: Progress) => opts.onProgress?.(p) } : {}),
    };
    results[e.name] = await e.run(plan, runOpts);
  }
  const ref = engines[engines.length - 1];
  if (!ref) throw new Error('no engines to validate');
  const refRes = results[ref.name] as Results;
  let boundary: Uint8Array;
  let method: ValidationReport['boundaryMethod'];
  if (plan.mode === 'list') {
    const d = plan.surface.domain(plan.spec.surface.params);
    const delta = PERTURBATION * Math.hypot(d.xMax - d.xMin, d.yMax - d.yMin);
    const pPlan = makePlan(parseSpec(perturbedSpec(specToJSON(plan.spec) as never, delta)));
    boundary = perturbationBoundary(refRes, await ref.run(pPlan, opts.signal ? { signal: opts.signal } : {}));
    method = 'perturbation';
  } else {
    boundary = gridBoundary(refRes);
    method = 'grid-neighbours';
  }
  // Conditioning needs a float32 run and the float64 reference.
  const f32 = results.cpu ?? results.gpu;
  const conditioning = f32 && ref.name === 'cpu64' ? illConditioned(f32, refRes) : null;
  const pairs: PairReport[] = [];
  for (let x = 0; x < engines.length; x++) {
    for (let y = x + 1; y < engines.length; y++) {
      const a = results[(engines[x] as Engine).name] as Results;
      const b = results[(engines[y] as Engine).name] as Results;
      pairs.push(comparePair(plan, a, b, boundary, conditioning));
    }
  }
  let boundaryRuns = 0;
  for (const v of boundary) boundaryRuns += v;
  return {
    report: { spec: specToJSON(plan.spec), engines: engines.map((e) => e.name), boundaryMethod: method, boundaryRuns, pairs },
    results,
  };
}
