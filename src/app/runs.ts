/**
 * What the app says and computes about single runs of a sweep, free of the DOM (unit-tested in
 * Node): cells and run indices, a run's place carried from one sweep to the next (so a selection or
 * a pin survives an edit), labels naming a run by its hyperparameters, where a recorded path stands
 * at a given step (playback), and the colours of compared runs.
 */
import { SERIES_COLOURS } from '../view/colors.ts';
import type { Plan } from '../core/plan.ts';
import { nearestRun, runCoordinates } from '../core/plan.ts';
import type { Trajectory } from '../core/trajectory.ts';
import { formatNumber } from '../view/ticks.ts';

/** A heatmap cell: column i, row j (row 0 at the bottom, like the sweep's y axis). */
export interface Cell {
  readonly i: number;
  readonly j: number;
}

export function runOfCell(plan: Plan, cell: Cell): number {
  return cell.j * plan.width + cell.i;
}

export function cellOfRun(plan: Plan, run: number): Cell {
  return { i: run % plan.width, j: Math.floor(run / plan.width) };
}

/** Whether a cell lies on the plan's grid. */
export function cellInPlan(plan: Plan, cell: Cell): boolean {
  return cell.i >= 0 && cell.j >= 0 && cell.i < plan.width && cell.j < plan.height && runOfCell(plan, cell) < plan.runs;
}

/**
 * The run of `plan` nearest to where a run of an earlier sweep stood: its sweep coordinates where
 * the new sweep sweeps the same parameters, and the new spec's own value (the base vector P) for a
 * parameter swept only now. So a selection survives an edit of anything not swept (the start, a
 * slider), a zoom (the nearest cell of the new grid), one axis moved to another parameter and a sweep
 * added to one run. Null when the new sweep shares no swept parameter with the run's (an LR sweep's
 * run has no place in a momentum sweep: its nearest run would be an edge cell chosen by the spec's
 * momentum alone).
 */
export function carryRun(plan: Plan, coords: Readonly<Record<string, number>>): number | null {
  if (plan.mode === 'none') return 0;
  // A run of no sweep (no coordinates) stands at the spec's values: the new sweep's run nearest them.
  if (Object.keys(coords).length > 0 && !plan.dims.some((d) => Object.hasOwn(coords, d.path) && Number.isFinite(coords[d.path]))) return null;
  const want: Record<string, number> = {};
  for (const d of plan.dims) {
    const v = Object.hasOwn(coords, d.path) ? coords[d.path] : undefined;
    want[d.path] = v !== undefined && Number.isFinite(v) ? v : (plan.P[d.slot] as number);
  }
  return nearestRun(plan, want);
}

/** A swept path as a short label: `optimizer.lr` → `lr`, `optimizer.betas.0` → `betas.0`, `start.1` stays. */
export function shortParam(path: string): string {
  const parts = path.split('.');
  const head = parts[0];
  if (head === 'optimizer' || head === 'surface' || head === 'schedule') {
    const rest = parts.slice(1);
    // schedule.schedulers.1.T_max → T_max (the child's index says little in a label).
    const m = rest[0] === 'schedulers' ? rest.slice(2) : rest;
    return m.join('.') || path;
  }
  return path;
}

/** A run named by its hyperparameters: `lr=0.001, momentum=0.9` (the optimiser's id for a sweep of one run). */
export function runLabel(plan: Plan, run: number): string {
  const c = runCoordinates(plan, run);
  const parts = Object.entries(c).map(([k, v]) => `${shortParam(k)}=${formatNumber(v, 3)}`);
  return parts.length > 0 ? parts.join(', ') : plan.optimizer.id;
}

/** The last step a path recorded (its length in steps: the run's steps, or fewer when it diverged). */
export function lastStep(t: Trajectory): number {
  const n = t.steps.length;
  return n > 0 ? (t.steps[n - 1] as number) : 0;
}

/** The longest of some paths, in steps (0 when there is none). */
export function longestSteps(paths: readonly (Trajectory | null | undefined)[]): number {
  let m = 0;
  for (const t of paths) if (t) m = Math.max(m, lastStep(t));
  return m;
}

/**
 * The index of the point a path shows at step t: the last recorded point at or before t (the start
 * for t < 0; the last point for t past the path's end, where a diverged run stopped).
 */
export function pointIndexAt(steps: ArrayLike<number>, t: number): number {
  const n = steps.length;
  if (n === 0) return 0;
  let lo = 0;
  let hi = n - 1;
  if ((steps[hi] as number) <= t) return hi;
  if ((steps[0] as number) > t) return 0;
  // Invariant: steps[lo] <= t < steps[hi].
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((steps[mid] as number) <= t) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Colours of compared runs (pins, race lanes): view/colors.ts's SERIES_COLOURS, in their order. */
export const COMPARE_COLOURS: readonly string[] = SERIES_COLOURS;

/** The first colour not in use (colours repeat once all are taken). */
export function freeColour(used: readonly string[]): string {
  return COMPARE_COLOURS.find((c) => !used.includes(c)) ?? (COMPARE_COLOURS[used.length % COMPARE_COLOURS.length] as string);
}
