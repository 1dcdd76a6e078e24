/**
 * Runs one plan on several engines and compares every pair (the product feature behind
 * `basinlab validate` and the app's disagreement overlay).
 */
import type { NetPlan } from '../core/network/plan.ts';
import { makeNetPlan } from '../core/network/plan.ts';
import { makePlan } from '../core/plan.ts';
import type { Plan } from '../core/plan.ts';
import type { NetResults, Results } from '../core/results.ts';
import { netSpecToJSON, parseNetSpec, parseSpec, specToJSON } from '../core/spec.ts';
import type { NetTrajectory } from '../core/trajectory.ts';
import type { NetPairReport, NetRunReport, NetValidationReport, PairReport, ValidationReport } from '../core/validate.ts';
import {
  NET_PERTURBATION,
  PERTURBATION,
  SPLIT_EXPLAINED,
  compareNetPair,
  firstSplit,
  comparePair,
  gridBoundary,
  illConditioned,
  netGridBoundary,
  netIllConditioned,
  netPerturbationBoundary,
  perturbationBoundary,
  perturbedNetSpec,
  perturbedSpec,
} from '../core/validate.ts';
import type { Engine, Progress, RunOptions } from './engine.ts';

export interface ValidationRun {
  readonly report: ValidationReport;
  readonly results: Readonly<Record<string, Results>>;
}

export interface ValidateOptions extends RunOptions {
  /** Called before each engine runs (not for results passed in `computed`). */
  readonly onEngine?: (name: string) => void;
  /**
   * Results of this plan already computed (e.g. the sweep the app is showing): an engine of the
   * same name is not run again, and results of an engine not in the list are compared too, ahead
   * of the engines (so they are the `a` of their pairs).
   */
  readonly computed?: readonly Results[];
}

/** validateNetPlan's options: as ValidateOptions, with network results in `computed`. */
export interface NetValidateOptions extends Omit<ValidateOptions, 'computed'> {
  readonly computed?: readonly NetResults[];
}

/** The run options a validation passes to each engine: its signal and progress. */
function runOptionsOf(opts: ValidateOptions | NetValidateOptions): RunOptions {
  return {
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onProgress ? { onProgress: (p: Progress) => opts.onProgress?.(p) } : {}),
  };
}

/**
 * Each engine's results of one plan, in comparison order: results passed in `computed` (checked by
 * `misfit`, one per engine) take the place of running their engine and come first when their
 * engine is not in the list; the others are run in turn.
 */
async function engineResults<R extends { readonly engine: string }>(
  engines: readonly Engine[],
  computed: readonly R[],
  opts: ValidateOptions | NetValidateOptions,
  misfit: (r: R) => string | null,
  run: (e: Engine, o: RunOptions) => Promise<R>,
): Promise<{ names: string[]; results: Record<string, R> }> {
  const known = new Map<string, R>();
  for (const r of computed) {
    const why = misfit(r);
    if (why) throw new Error(why);
    if (known.has(r.engine)) throw new Error(`computed results given twice for engine ${r.engine}`);
    known.set(r.engine, r);
  }
  const names = [...[...known.keys()].filter((n) => !engines.some((e) => e.name === n)), ...engines.map((e) => e.name)];
  const results: Record<string, R> = {};
  for (const [name, r] of known) results[name] = r;
  for (const e of engines) {
    if (known.has(e.name)) continue;
    opts.onEngine?.(e.name);
    results[e.name] = await run(e, runOptionsOf(opts));
  }
  return { names, results };
}

/**
 * Runs `plan` on each engine (the last one is the reference that decides boundaries: pass cpu64
 * last) and compares every pair; results in `opts.computed` take the place of running their engine.
 */
export async function validatePlan(plan: Plan, engines: readonly Engine[], opts: ValidateOptions = {}): Promise<ValidationRun> {
  const ref = engines[engines.length - 1];
  if (!ref) throw new Error('no engines to validate');
  const { names, results } = await engineResults(engines, opts.computed ?? [], opts, (r) =>
    r.width !== plan.width || r.height !== plan.height || r.basin.length !== plan.runs
      ? `computed ${r.engine} results are ${r.width}x${r.height} (${r.basin.length} runs), not this plan's ${plan.width}x${plan.height} (${plan.runs} runs)`
      : null,
    (e, o) => e.run(plan, o),
  );
  const refRes = results[ref.name] as Results;
  let boundary: Uint8Array;
  let method: ValidationReport['boundaryMethod'];
  if (plan.mode === 'list') {
    const d = plan.surface.domain(plan.spec.surface.params);
    // The start-point shift that probes chaotic runs of random/Sobol sweeps, relative to the domain.
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
  for (let x = 0; x < names.length; x++) {
    for (let y = x + 1; y < names.length; y++) {
      const a = results[names[x] as string] as Results;
      const b = results[names[y] as string] as Results;
      pairs.push(comparePair(plan, a, b, boundary, conditioning));
    }
  }
  let boundaryRuns = 0;
  for (const v of boundary) boundaryRuns += v;
  return {
    report: { spec: specToJSON(plan.spec), engines: names, boundaryMethod: method, boundaryRuns, pairs },
    results,
  };
}

export interface NetValidationRun {
  readonly report: NetValidationReport;
  readonly results: Readonly<Record<string, NetResults>>;
}

/**
 * Runs a network plan on each engine (the last is the reference: pass cpu64 last) and compares
 * every pair (core/validate.ts compareNetPair). The reference also runs the plan with every LR
 * scaled by 1 + NET_PERTURBATION: runs whose float64 result that moves are ill-conditioned (and,
 * for list sweeps, those whose divergence it changes are on the trainability boundary). The CLI
 * passes gpu, cpu, cpu64 (cpu and cpu64 for a plan the GPU engine does not run).
 */
export async function validateNetPlan(plan: NetPlan, engines: readonly Engine[], opts: NetValidateOptions = {}): Promise<NetValidationRun> {
  const ref = engines[engines.length - 1];
  if (!ref) throw new Error('no engines to validate');
  const runOpts = runOptionsOf(opts);
  const { names, results } = await engineResults(engines, opts.computed ?? [], opts, (r) =>
    r.train_loss.length !== plan.runs ? `computed ${r.engine} results hold ${r.train_loss.length} runs, not this plan's ${plan.runs}` : null,
    (e, o) => e.run(plan, o),
  );
  const refRes = results[ref.name] as NetResults;
  opts.onEngine?.(`${ref.name}, every LR x (1 + ${NET_PERTURBATION})`);
  const spec = parseNetSpec(perturbedNetSpec(netSpecToJSON(plan.spec), NET_PERTURBATION));
  // The data is the plan's (the spec's data block is unchanged): nothing to load.
  const perturbed = await ref.run(makeNetPlan(spec), runOpts);
  const boundary = plan.mode === 'grid' ? netGridBoundary(refRes) : netPerturbationBoundary(refRes, perturbed);
  const conditioning = netIllConditioned(refRes, perturbed);
  const pairs: NetPairReport[] = [];
  for (let x = 0; x < names.length; x++) {
    for (let y = x + 1; y < names.length; y++) {
      pairs.push(compareNetPair(plan, results[names[x] as string] as NetResults, results[names[y] as string] as NetResults, boundary, conditioning));
    }
  }
  await explainSplits(plan, engines, pairs, opts.signal);
  let boundaryRuns = 0;
  for (const v of boundary) boundaryRuns += v;
  return {
    report: {
      spec: netSpecToJSON(plan.spec),
      engines: names,
      boundaryMethod: plan.mode === 'grid' ? 'grid-neighbours' : 'perturbation',
      boundaryRuns,
      perturbation: NET_PERTURBATION,
      pairs,
    },
    results,
  };
}

/** Most runs of a pair whose paths explainSplits compares. */
const SPLITS_PER_PAIR = 3;
/** Most points explainSplits records in one request. */
const TRACE_POINTS = 1_000_000;

/**
 * For the worst runs of each pair that the LR probe calls well-conditioned yet whose final losses
 * differ by more than SPLIT_EXPLAINED, records both engines' paths and reports where they first
 * part (NetRunReport.split, core/validate.ts): a reader then sees a run that two precisions trained
 * apart from some step on, not a kernel that is off everywhere. Only for pairs whose two engines
 * were given (results passed in as computed have no engine to record a path with); a few runs a
 * pair, so the cost is that of a few paths.
 */
async function explainSplits(plan: NetPlan, engines: readonly Engine[], pairs: NetPairReport[], signal: AbortSignal | undefined): Promise<void> {
  const paths = new Map<string, Map<number, NetTrajectory>>();
  // Every step, up to TRACE_POINTS a request; a long run every few steps (the split is then the first
  // recorded step past it), the same for every engine so that two paths share their steps.
  const every = Math.max(1, Math.ceil(((plan.spec.steps + 1) * SPLITS_PER_PAIR) / TRACE_POINTS));
  const pathsOf = async (engine: Engine, runs: readonly number[]): Promise<Map<number, NetTrajectory>> => {
    let known = paths.get(engine.name);
    if (!known) paths.set(engine.name, (known = new Map()));
    const missing = runs.filter((r) => !known.has(r));
    if (missing.length > 0) {
      const got = await engine.trajectories(plan, { runs: missing, every, ...(signal ? { signal } : {}) });
      for (const t of got) known.set(t.run, t);
    }
    return known;
  };
  for (let p = 0; p < pairs.length; p++) {
    const pair = pairs[p] as NetPairReport;
    const ea = engines.find((e) => e.name === pair.a);
    const eb = engines.find((e) => e.name === pair.b);
    if (!ea || !eb) continue;
    const unexplained = (w: NetRunReport): boolean => !w.boundary && !w.illConditioned && !w.a.diverged && !w.b.diverged && w.trainLossError > SPLIT_EXPLAINED;
    const runs = pair.worst.filter(unexplained).slice(0, SPLITS_PER_PAIR).map((w) => w.run);
    if (runs.length === 0) continue;
    const [pa, pb] = [await pathsOf(ea, runs), await pathsOf(eb, runs)];
    const worst = pair.worst.map((w): NetRunReport => {
      const ta = runs.includes(w.run) ? pa.get(w.run) : undefined;
      const tb = ta ? pb.get(w.run) : undefined;
      const split = ta && tb ? firstSplit(ta, tb) : null;
      return split ? { ...w, split } : w;
    });
    pairs[p] = { ...pair, worst };
  }
}
