/**
 * Recorded paths: what an engine's `trajectories()` returns for each requested run. One format for
 * every engine, like Results; float arrays are Float32Array from the float32 engines (cpu, gpu) and
 * Float64Array from cpu64.
 *
 * Lengths, for a run that took `taken` steps recorded every `every` steps (`every` = 1: every step):
 * - `steps` holds the step count after which each point was recorded: 0 (the start), every,
 *   2·every, … and always the last step taken; `x`, `y`, `loss` have one entry per point
 *   (steps + 1 entries when every = 1 and the run did not diverge early).
 * - `lr`, `momentum`, `grad_x`, `grad_y` have one entry per recorded point after the start
 *   (steps entries when every = 1): the values of the step that led to that point (step
 *   steps[i] - 1, 0-based), i.e. torch's LR after steps[i] - 1 scheduler steps.
 */
import type { FloatColumn } from './results.ts';

export interface Trajectory {
  /** Global run index within the plan's sweep (row-major for grids: j * width + i). */
  readonly run: number;
  /** Steps between recorded points (the last step taken is always recorded). */
  readonly every: number;
  /** Step count after which each point was recorded (0 = the start). */
  readonly steps: Int32Array;
  readonly x: FloatColumn;
  readonly y: FloatColumn;
  /** The loss at each recorded point. */
  readonly loss: FloatColumn;
  /** LR of the step that led to each point after the start. */
  readonly lr: FloatColumn;
  /** Momentum (or beta1) of that step, when a schedule cycles it; null otherwise. */
  readonly momentum: FloatColumn | null;
  /**
   * Where that step took its gradient, when that is not the reported point (SAM's ascent point
   * w + e(w), Schedule-Free's y); null otherwise.
   */
  readonly gradAt: { readonly x: FloatColumn; readonly y: FloatColumn } | null;
  /** The run left the divergence bound or became non-finite. */
  readonly diverged: boolean;
  /**
   * The step count at which divergence was detected (an outcome checkpoint, as in a sweep: every
   * `outcome.check_every` steps), or null. The path ends there.
   */
  readonly divergedAt: number | null;
}

/**
 * A network run's recorded path: at each recorded step count (0, every, 2·every, …, and the last,
 * or where the run was found diverged) the training loss over the whole training set, the test
 * loss, the norm of the minibatch gradient taken there (NaN at the last point, where no step
 * follows) and the parameter norm; `groupLr` is each param group's LR of the step that led to each
 * point after the start, and `lr` the default group's (the last of `groupLr`).
 */
export interface NetTrajectory {
  readonly run: number;
  readonly every: number;
  readonly steps: Int32Array;
  readonly trainLoss: FloatColumn;
  readonly testLoss: FloatColumn;
  /** The default param group's LR of the step that led to each point after the start: groupLr's last column. */
  readonly lr: FloatColumn;
  /**
   * Every param group's LR, one column per group in plan.groups' order (the explicit groups, then
   * the default group, whose column is `lr`), each indexed as `lr`. Recorded, not recomputed:
   * under ReduceLROnPlateau each group's LR follows the run's loss.
   */
  readonly groupLr: readonly FloatColumn[];
  readonly gradNorm: FloatColumn;
  readonly paramNorm: FloatColumn;
  readonly diverged: boolean;
  readonly divergedAt: number | null;
}

/** What to record: which runs, and every how many steps. */
export interface TrajectoryRequest {
  /** Global run indices (each in [0, plan.runs)); a path per entry, in this order. */
  readonly runs: readonly number[];
  /** Record every k-th step (default 1: every step). The start and the last step are always recorded. */
  readonly every?: number;
  readonly signal?: AbortSignal;
}

/** Most points one request may record in all (runs x points): 64M floats of each kind at most. */
export const MAX_TRAJECTORY_POINTS = 1 << 24;

/** Number of points a run of `steps` steps records every `every` steps, if it runs to the end. */
export function pointCount(steps: number, every: number): number {
  return Math.floor(steps / every) + (steps % every === 0 ? 0 : 1) + 1;
}

/** JSON has no NaN or infinities: a diverged run's last point may be one; those become null. */
function finite(a: ArrayLike<number>): (number | null)[] {
  return Array.from(a, (v) => (Number.isFinite(v) ? v : null));
}

/** A field of a path's JSON: a per-point array (written with non-finite values as null), per-point arrays by name, or a plain value. */
export type TrajectoryField = readonly [
  key: string,
  value: Int32Array | FloatColumn | number | boolean | null | Readonly<Record<string, number>> | Readonly<Record<string, FloatColumn>>,
];

/**
 * The parameter path of param group `group`'s LR in a plan of `groups` groups (the explicit groups
 * first, the default group last): how a sweep names it, how a path's `group_lr` keys it.
 */
export function groupLrPath(group: number, groups: number): string {
  return group === groups - 1 ? 'optimizer.lr' : `optimizer.param_groups.${group}.lr`;
}

/**
 * A path's JSON fields, in order (keys documented in the README): the run, its sweep coordinates,
 * `steps`, `x`, `y`, `loss` (one per recorded point), `lr` (and `momentum`, `grad_x`, `grad_y`
 * where present; one per point after the start), `diverged` and `diverged_at`. The arrays are the
 * engine's own, so a writer can stream them (the CLI does) instead of building the text whole.
 */
export function trajectoryFields(t: Trajectory, coords: Readonly<Record<string, number>>): TrajectoryField[] {
  return [
    ['run', t.run],
    ['coords', coords],
    ['steps', t.steps],
    ['x', t.x],
    ['y', t.y],
    ['loss', t.loss],
    ['lr', t.lr],
    ...(t.momentum ? [['momentum', t.momentum] as const] : []),
    ...(t.gradAt ? [['grad_x', t.gradAt.x] as const, ['grad_y', t.gradAt.y] as const] : []),
    ['diverged', t.diverged],
    ['diverged_at', t.divergedAt],
  ];
}

/** A path as a JSON value (trajectoryFields, arrays with non-finite values as null). */
export function trajectoryJSON(t: Trajectory, coords: Readonly<Record<string, number>>): Record<string, unknown> {
  return Object.fromEntries(trajectoryFields(t, coords).map(([k, v]) => [k, ArrayBuffer.isView(v) ? finite(v) : v]));
}

/** A recorded path's LR column of param group `g` (every engine records one per group of the plan). */
export function groupLrColumn(t: NetTrajectory, g: number): FloatColumn {
  const c = t.groupLr[g];
  if (!c) throw new Error(`the path of run ${t.run} records ${t.groupLr.length} param groups' LRs, not group ${g}'s`);
  return c;
}

/**
 * A network path's JSON fields, in order (keys documented in the README). With param groups,
 * `group_lr` holds the LR of each group that trains a tensor (`trained`: indices into t.groupLr,
 * network/plan.ts trainedGroups), keyed by its parameter path (groupLrPath: the explicit groups',
 * then the default group's `optimizer.lr`, the same values as `lr`). An empty default group (the
 * explicit groups hold every tensor) is left out: torch's optimiser has no such group, and its LR,
 * still `lr`, trains nothing. A one-group plan's only group is `lr`, so it has none.
 */
export function netTrajectoryFields(t: NetTrajectory, coords: Readonly<Record<string, number>>, trained: readonly number[]): TrajectoryField[] {
  const G = t.groupLr.length;
  return [
    ['run', t.run],
    ['coords', coords],
    ['steps', t.steps],
    ['train_loss', t.trainLoss],
    ['test_loss', t.testLoss],
    ['lr', t.lr],
    ...(G > 1 ? [['group_lr', Object.fromEntries(trained.map((g) => [groupLrPath(g, G), groupLrColumn(t, g)]))] as const] : []),
    ['grad_norm', t.gradNorm],
    ['param_norm', t.paramNorm],
    ['diverged', t.diverged],
    ['diverged_at', t.divergedAt],
  ];
}
