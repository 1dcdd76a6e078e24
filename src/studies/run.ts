/** Running the specs a study builds, on the study's engine, with its progress and cancellation. */
import type { NetPlan } from '../core/network/plan.ts';
import { makeNetPlan, prepareSpec } from '../core/network/plan.ts';
import type { AnyPlan, Plan } from '../core/plan.ts';
import type { Engine } from '../engine/engine.ts';
import { makePlan } from '../core/plan.ts';
import type { NetResults, Results } from '../core/results.ts';
import { parseNetSpec, parseSpec } from '../core/spec.ts';
import type { Study, StudyContext, SweepCount, Verdict } from './types.ts';

export interface Ran {
  readonly plan: Plan;
  readonly results: Results;
}

/** The engine that runs (and records paths of) this plan: the caller's choice, else the study's engine. */
export function engineOf(ctx: StudyContext, plan: AnyPlan): Engine {
  return ctx.engineFor?.(plan) ?? ctx.engine;
}

export async function runSpec(ctx: StudyContext, label: string, spec: Record<string, unknown>): Promise<Ran> {
  const plan = makePlan(parseSpec(spec));
  const engine = engineOf(ctx, plan);
  const results = await engine.run(plan, {
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onProgress: (p) => ctx.onProgress?.(label, p),
  });
  ctx.onRan?.({ problem: 'surface', plan, results, engine });
  return { plan, results };
}

export interface NetRan {
  readonly plan: NetPlan;
  readonly results: NetResults;
}

/** A network spec's plan (its data set loaded first). */
export async function netPlanOf(spec: Record<string, unknown>): Promise<NetPlan> {
  const parsed = parseNetSpec(spec);
  await prepareSpec(parsed);
  return makeNetPlan(parsed);
}

/** A network spec's sweep on the engine the study's context gives its plan (its data set loaded first). */
export async function runNetSpec(ctx: StudyContext, label: string, spec: Record<string, unknown>): Promise<NetRan> {
  return runNetPlan(ctx, label, await netPlanOf(spec));
}

/** A network plan's sweep on the engine the study's context gives it (a plan built once, for a caller that also reads it). */
export async function runNetPlan(ctx: StudyContext, label: string, plan: NetPlan): Promise<NetRan> {
  const engine = engineOf(ctx, plan);
  const results = await engine.run(plan, {
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onProgress: (p) => ctx.onProgress?.(label, p),
  });
  ctx.onRan?.({ problem: 'network', plan, results, engine });
  return { plan, results };
}

/** The size a study runs at: `quick` (tests), its default (a few minutes on a CPU engine) or `full`. */
export function studySize<T>(ctx: Pick<StudyContext, 'quick' | 'full'>, sizes: { readonly quick: T; readonly default: T; readonly full: T }): T {
  return ctx.quick ? sizes.quick : ctx.full ? sizes.full : sizes.default;
}

/**
 * A study's verdict as the page heads it and the CLI ends with it. A quick variant's failure is no test of the claim (20 x 20
 * cells cannot measure a boundary's dimension, a few seeds cannot separate two optimisers): it is
 * "not shown on this quick run", in amber, with the default size offered beside it; red "does not
 * hold" is kept for a run at the size the claim is made for (walkthrough 10: the flagship study
 * opened on a red verdict from its quick variant).
 */
export function verdictHeadline(holds: boolean, quick: boolean): string {
  if (holds) return `The claim holds on this ${quick ? 'quick ' : ''}run.`;
  return quick ? 'The claim is not shown on this quick run, which may be too small to show it: the default size tests it.' : 'The claim does not hold on this run.';
}

/**
 * The size the app runs a study at when it is opened: its default, except that a study whose default
 * takes minutes on a CPU engine (`cpuMinutes`) runs its quick variant there, with the default offered.
 */
export function openingSize(study: Study, onCpuEngine: boolean): 'quick' | 'default' {
  return onCpuEngine && study.cpuMinutes !== undefined ? 'quick' : 'default';
}

/** Index of the minimum with the largest (sharp) or smallest (flat) sharpness. */
export function extremeMinimum(plan: Plan, which: 'sharp' | 'flat'): number {
  let best = 0;
  plan.minima.forEach((m, i) => {
    const b = plan.minima[best];
    if (b && (which === 'sharp' ? m.sharpness > b.sharpness : m.sharpness < b.sharpness)) best = i;
  });
  return best;
}

export function median(values: readonly number[]): number {
  const s = [...values].filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export function fmt(x: number, digits = 3): string {
  return Number.isFinite(x) ? Number(x.toPrecision(digits)).toString() : String(x);
}

/** One condition of a claim: whether it held, the line saying why not, and the line saying what held. */
export type Condition = readonly [holds: boolean, failure: string, held: string];

/**
 * A claim's verdict from its conditions, each a test, the line that says what failed and the line
 * that says what held. A condition written as a comparison fails on NaN (a missing number), as it
 * should.
 */
export function verdictOf(conditions: readonly Condition[]): Verdict {
  const failures = conditions.filter(([ok]) => !ok).map(([, why]) => why);
  return { holds: failures.length === 0, failures, checked: conditions.filter(([ok]) => ok).map(([, , held]) => held) };
}

/**
 * Which sweep of a study's run is running, in words: "sweep 3 of 12", "sweep 3 of at most 16" where
 * its findings decide the count (Study.sweeps), "sweep 3" without one or past it.
 */
export function sweepOf(k: number, planned: SweepCount | null): string {
  if (!planned || k > planned.count) return `sweep ${k}`;
  return `sweep ${k} of ${planned.atMost ? 'at most ' : ''}${planned.count}`;
}
