/**
 * What the app says and computes about single runs of a network sweep, free of the DOM (unit-tested
 * in Node, tests/unit/net-runs.test.ts): a run's place carried from one sweep to the next (so a
 * selection or a pin survives a zoom), its label, its outcome in words, and the curves of a
 * recorded run (train and test loss, LR, gradient norm) as the line charts draw them.
 */
import type { NetPlan } from '../core/network/plan.ts';
import { nearestRun, runCoordinates } from '../core/plan.ts';
import type { NetColumns } from '../core/results.ts';
import type { NetTrajectory } from '../core/trajectory.ts';
import { formatNumber } from '../view/ticks.ts';
import { shortParam } from './runs.ts';

export interface NetRunDescription {
  readonly coords: Record<string, number>;
  readonly outcome: string;
  readonly fields: Record<string, number>;
}

/**
 * The run of `plan` nearest to where a run of an earlier sweep stood, or null when the new sweep
 * sweeps a parameter the old one did not (there is no "where" on that axis).
 */
export function netCarryRun(plan: NetPlan, coords: Readonly<Record<string, number>>): number | null {
  if (plan.mode === 'none') return 0;
  const want: Record<string, number> = {};
  for (const d of plan.dims) {
    const v = Object.hasOwn(coords, d.path) ? coords[d.path] : undefined;
    if (v === undefined || !Number.isFinite(v)) return null;
    want[d.path] = v;
  }
  return nearestRun(plan, want);
}

/** A run named by its hyperparameters: `param_groups.0.lr=100, lr=42`. */
export function netRunLabel(plan: NetPlan, run: number): string {
  const parts = Object.entries(runCoordinates(plan, run)).map(([k, v]) => `${shortParam(k).replace(/^network\./, '')}=${formatNumber(v, 3)}`);
  return parts.length > 0 ? parts.join(', ') : plan.optimizer.id;
}

/** Trained or not, by the convergence measure's sign (the map's colouring), and diverged when the bound caught it. */
export function netOutcome(cols: NetColumns, run: number): string {
  const m = cols.convergence[run] as number;
  if (cols.diverged[run]) return 'diverged';
  if (!Number.isFinite(m)) return 'no measure';
  return m < 0 ? 'trained' : 'did not train';
}

/** A ready run of a network sweep in words: its coordinates, outcome and result columns. */
export function describeNetRun(plan: NetPlan, cols: NetColumns, run: number): NetRunDescription {
  const fields: Record<string, number> = {
    train_loss: cols.train_loss[run] as number,
    test_loss: cols.test_loss[run] as number,
  };
  if (cols.test_accuracy) fields['test_accuracy'] = cols.test_accuracy[run] as number;
  fields['convergence'] = cols.convergence[run] as number;
  fields['steps_to_threshold'] = cols.steps_to_threshold[run] as number;
  const sh = cols.sharpness[run] as number;
  if (!Number.isNaN(sh)) fields['sharpness'] = sh;
  return { coords: runCoordinates(plan, run), outcome: netOutcome(cols, run), fields };
}

export interface CurveSeries {
  readonly label: string;
  readonly values: Float64Array;
  readonly colour: string;
  readonly dashed?: boolean;
}

/**
 * The curves of recorded runs, one chart each: `loss` (train solid, test dashed per run), `lr`,
 * `gradNorm`. Values are per recorded point (every `every` steps); a diverged run's curves end
 * where it stopped. Non-finite values become NaN (the chart leaves a gap).
 */
export function netCurves(
  runs: readonly { readonly trajectory: NetTrajectory; readonly colour: string; readonly label: string }[],
): { loss: CurveSeries[]; lr: CurveSeries[]; gradNorm: CurveSeries[] } {
  const f = (a: ArrayLike<number>): Float64Array => Float64Array.from(a, (v) => (Number.isFinite(v) ? v : Number.NaN));
  const loss: CurveSeries[] = [];
  const lr: CurveSeries[] = [];
  const gradNorm: CurveSeries[] = [];
  for (const r of runs) {
    const t = r.trajectory;
    loss.push({ label: `train ${r.label}`, values: f(t.trainLoss), colour: r.colour });
    loss.push({ label: `test ${r.label}`, values: f(t.testLoss), colour: r.colour, dashed: true });
    lr.push({ label: r.label, values: f(t.lr), colour: r.colour });
    gradNorm.push({ label: r.label, values: f(t.gradNorm), colour: r.colour });
  }
  return { loss, lr, gradNorm };
}

/** Record every k-th step so one path stays under ~2,000 points (the chart's width in pixels, twice over). */
export function curveEvery(steps: number): number {
  return Math.max(1, Math.ceil(steps / 2000));
}
