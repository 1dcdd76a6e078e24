/**
 * spec → plan: everything an engine needs, resolved once. The plan holds the base parameter vector
 * P (float64), the swept slots and how to get a run's value for each, the surface's known minima
 * and outcome rules, and the schedule tree placed into P's blocks. Engines never look at the spec.
 */
import { P_COUNT, P_OPTIMIZER, P_SCHEDULE, P_SURFACE, RUN_PARAMS, scheduleBlockBase } from './layout.ts';
import { encodeParams } from './params.ts';
import type { Lattice, Minimum, OptimizerDef, ScheduleNode, SurfaceData, SurfaceDef } from './registry/index.ts';
import { findOptimizer, findSchedule, findSurface } from './registry/index.ts';
import { axisValues, randomUnit, scaleUnit, sobolUnit } from './sampling.ts';
import type { AxisRange, ScheduleSpec, Spec, SweepSpec } from './spec.ts';
import type { NetPlan } from './network/plan.ts';

/** Either kind of plan. */
export type AnyPlan = Plan | NetPlan;
import { defaultCheckEvery, resolveParamPath, runCount, scheduleCyclesMomentum, sweepRanges } from './spec.ts';

export interface SweepDim {
  readonly path: string;
  readonly slot: number;
  readonly int: boolean;
  readonly range: AxisRange;
}

export type SweepMode = 'none' | 'grid' | 'list';

export interface Plan {
  /** A point on a 2-D surface (this type); NetPlan is the other kind. */
  readonly problem: 'surface';
  readonly spec: Spec;
  readonly surface: SurfaceDef;
  readonly optimizer: OptimizerDef;
  readonly schedule: ScheduleNode | null;
  /** Base parameter vector in float64; swept slots are overwritten per run. */
  readonly P: Float64Array;
  readonly runs: number;
  /** Result image size: grid columns × rows; list sweeps are runs × 1. */
  readonly width: number;
  readonly height: number;
  readonly mode: SweepMode;
  readonly dims: readonly SweepDim[];
  /** Grid axis values (float64); for list sweeps xValues is 0..runs-1 and yValues is [0]. */
  readonly xValues: Float64Array;
  readonly yValues: Float64Array;
  readonly minima: readonly Minimum[];
  readonly radius: number;
  readonly bound: number;
  readonly lattice: Lattice | null;
  readonly data: SurfaceData | null;
  /** P slot a cycling schedule's momentum replaces, or -1. */
  readonly momentumSlot: number;
  readonly cyclesMomentum: boolean;
  /** Gradient noise is on (std non-zero or swept). */
  readonly noise: boolean;
  /** No swept slot feeds the schedule, so its LR sequence is the same for every run. */
  readonly scheduleShared: boolean;
  /** The optimiser's per-step scalars are the same for every run (nothing they read is swept). */
  readonly optScalarsShared: boolean;
  /** Steps between outcome checkpoints (the spec's, or the default for its length). */
  readonly checkEvery: number;
}

export function buildSchedule(s: ScheduleSpec, block: number, P: Float64Array): ScheduleNode {
  const def = findSchedule(s.name);
  if (!def) throw new Error(`unknown schedule ${s.name}`);
  const base = scheduleBlockBase(block);
  encodeParams(def.params, s.params, P, base);
  const children = s.schedulers.map((c, i) => buildSchedule(c, i + 1, P));
  return { def, base, values: s.params, children };
}

/**
 * Default convergence radius: 1% of the view's diagonal, but never more than a quarter of the
 * distance between two minima, so that the balls of different minima never touch.
 */
export function defaultRadius(surface: SurfaceDef, spec: Spec, minima: readonly Minimum[]): number {
  const d = surface.domain(spec.surface.params);
  let r = 0.01 * Math.hypot(d.xMax - d.xMin, d.yMax - d.yMin);
  for (let i = 0; i < minima.length; i++) {
    for (let j = i + 1; j < minima.length; j++) {
      const a = minima[i] as Minimum;
      const b = minima[j] as Minimum;
      r = Math.min(r, 0.25 * Math.hypot(a.x - b.x, a.y - b.y));
    }
  }
  return r;
}

export function makePlan(spec: Spec): Plan {
  const surface = findSurface(spec.surface.name);
  const optimizer = findOptimizer(spec.optimizer.name);
  if (!surface || !optimizer) throw new Error('spec was not validated');
  const P = new Float64Array(P_COUNT);
  encodeParams(surface.params, spec.surface.params, P, P_SURFACE);
  encodeParams(optimizer.params, spec.optimizer.params, P, P_OPTIMIZER);
  P[RUN_PARAMS['start.0']] = spec.start[0];
  P[RUN_PARAMS['start.1']] = spec.start[1];
  P[RUN_PARAMS['noise.std']] = spec.noise.std;
  P[RUN_PARAMS['sam.rho']] = spec.sam?.rho ?? 0;
  const schedule = spec.schedule ? buildSchedule(spec.schedule, 0, P) : null;

  const ranges = spec.sweep ? sweepRanges(spec.sweep) : [];
  const dims: SweepDim[] = ranges.map((range) => {
    const t = resolveParamPath(spec, range.param);
    if (typeof t === 'string') throw new Error(`spec was not validated: ${t}`);
    return { path: t.path, slot: t.slot, int: t.int, range };
  });

  const { mode, width, height, xValues, yValues } = sweepGrid(spec.sweep, dims);

  const data = surface.data ? surface.data(spec.surface.params) : null;
  const minima = surface.minima(spec.surface.params, data);
  const radius = spec.outcome.radius ?? defaultRadius(surface, spec, minima);
  const bound = spec.outcome.bound ?? surface.bound(spec.surface.params);
  const lattice = surface.lattice ? surface.lattice(spec.surface.params) : null;

  const cyclesMomentum = scheduleCyclesMomentum(spec.schedule);
  let momentumSlot = -1;
  if (optimizer.momentumParam) {
    const t = resolveParamPath(spec, `optimizer.${optimizer.momentumParam}`);
    if (typeof t !== 'string') momentumSlot = t.slot;
  }
  const noise = spec.noise.std !== 0 || dims.some((d) => d.path === 'noise.std');
  // A loss-driven schedule (ReduceLROnPlateau) differs per run whatever is swept.
  const scheduleShared = !schedule?.def.plateau && !dims.some((d) => d.slot >= P_SCHEDULE || d.slot === P_OPTIMIZER);
  const swept = new Set(dims.map((d) => d.path));
  const ss = optimizer.stepScalars;
  const momShared = cyclesMomentum ? scheduleShared : !(optimizer.momentumParam && swept.has(`optimizer.${optimizer.momentumParam}`));
  const optScalarsShared = ss !== undefined && !ss.params.some((k) => swept.has(`optimizer.${k}`)) && (!ss.usesMom || momShared);

  return {
    problem: 'surface',
    spec,
    surface,
    optimizer,
    schedule,
    P,
    runs: runCount(spec.sweep),
    width,
    height,
    mode,
    dims,
    xValues,
    yValues,
    minima,
    radius,
    bound,
    lattice,
    data,
    momentumSlot,
    cyclesMomentum,
    noise,
    scheduleShared,
    optScalarsShared,
    checkEvery: spec.outcome.check_every ?? defaultCheckEvery(spec.steps),
  };
}

/**
 * A sweep's shape (surface and network plans alike): its mode, width x height, and a grid's axis
 * values (float64; integer parameters rounded, per `dims`); a list sweep's runs lie along x.
 */
export function sweepGrid(
  sweep: SweepSpec | null | undefined,
  dims: readonly { readonly int: boolean }[],
): { mode: SweepMode; width: number; height: number; xValues: Float64Array; yValues: Float64Array } {
  if (sweep?.kind === 'grid') {
    const [dx, dy] = dims;
    if (!dx) throw new Error('grid without axes');
    const ys = sweep.y && dy ? { axis: sweep.y, int: dy.int } : null;
    return {
      mode: 'grid',
      width: sweep.x.count,
      height: ys ? ys.axis.count : 1,
      xValues: axisValues(sweep.x.min, sweep.x.max, sweep.x.count, sweep.x.scale, dx.int),
      yValues: ys ? axisValues(ys.axis.min, ys.axis.max, ys.axis.count, ys.axis.scale, ys.int) : new Float64Array([0]),
    };
  }
  if (sweep) return { mode: 'list', width: runCount(sweep), height: 1, xValues: new Float64Array(0), yValues: new Float64Array([0]) };
  return { mode: 'none', width: 1, height: 1, xValues: new Float64Array([0]), yValues: new Float64Array([0]) };
}

/** What sweepValue reads of a plan (surface and network plans both are one). */
export interface SweepShape {
  readonly mode: SweepMode;
  readonly width: number;
  readonly xValues: Float64Array;
  readonly yValues: Float64Array;
  readonly dims: readonly { readonly path: string; readonly int: boolean; readonly range: AxisRange }[];
  readonly spec: { readonly sweep: SweepSpec | null };
}

/** The float64 value of swept dimension d for a run (global run index). */
export function sweepValue(plan: SweepShape, run: number, d: number): number {
  const dim = plan.dims[d];
  if (!dim) throw new Error(`no sweep dimension ${d}`);
  if (plan.mode === 'grid') {
    return d === 0 ? (plan.xValues[run % plan.width] as number) : (plan.yValues[Math.floor(run / plan.width)] as number);
  }
  const sweep = plan.spec.sweep;
  if (!sweep || sweep.kind === 'grid') throw new Error('not a list sweep');
  if (sweep.kind === 'points') {
    const v = sweep.points[run]?.[d] as number;
    return dim.int ? Math.round(v) : v;
  }
  const u = sweep.kind === 'random' ? randomUnit(sweep.seed, run, d) : sobolUnit(sweep.seed, run, d);
  const v = scaleUnit(u, dim.range.min, dim.range.max, dim.range.scale);
  return dim.int ? Math.round(v) : v;
}

/**
 * Where `v` lies between `min` (0) and `max` (1), linearly or on a log scale: the one formula the
 * map's cells, its lines, the sliders, the charts and the figures place values by (review 11 found
 * seven copies). 0 for a range of one value; NaN on a log scale for a value or end at or below 0
 * (no place there: a drawing skips it).
 */
export function scalePosition(v: number, min: number, max: number, log: boolean): number {
  if (max === min) return 0;
  if (log) return v > 0 && min > 0 && max > 0 ? Math.log(v / min) / Math.log(max / min) : Number.NaN;
  return (v - min) / (max - min);
}

/**
 * Where `v` lies along an axis, 0 at its min and 1 at its max, on the axis's own scale (0 for an
 * axis of one value); a value at or below 0 on a log axis (which no run of it has) by its linear
 * place, so that the nearest run to it is still found.
 */
export function axisPosition(range: AxisRange, v: number): number {
  const { min, max, scale } = range;
  const log = scale === 'log' && v > 0 && min > 0;
  return scalePosition(v, min, max, log);
}

/**
 * Whether `fixed` (the new plan's value of `path`) is where a run picked at `picked` stands: inside
 * the cell it was picked in when `from` sweeps `path` on a grid (half a cell either side, on the
 * axis's own scale: a 256-row momentum axis has no row at exactly the editor's 0.9, and its
 * nearest, 0.901, is that run: walkthrough 9), else the same value. An integer parameter (a batch
 * size, a step count) has no value between two of its integers to pick: another integer is another
 * setting, whatever cell it falls in (walkthrough 14: a pin at batch 63 became batch 77 in a zoom
 * without a word).
 */
export function sameSetting(
  fixed: number,
  picked: number,
  path: string,
  from: { readonly mode: string; readonly width: number; readonly height: number; readonly dims: readonly { readonly path: string; readonly int: boolean; readonly range: AxisRange }[] } | null,
): boolean {
  const k = from ? from.dims.findIndex((d) => d.path === path) : -1;
  const d = k >= 0 ? from?.dims[k] : undefined;
  const count = from && d && from.mode === 'grid' ? (k === 0 ? from.width : from.height) : 0;
  if (d && !d.int && count > 1 && d.range.max !== d.range.min) {
    const [a, b] = [axisPosition(d.range, fixed), axisPosition(d.range, picked)];
    if (Number.isFinite(a) && Number.isFinite(b)) return Math.abs(a - b) <= 0.5 / (count - 1) + 1e-12;
  }
  return Math.abs(fixed - picked) <= 1e-9 * Math.max(Math.abs(fixed), Math.abs(picked), 1e-300);
}

/** Why a run of an earlier sweep has no place in a new one (placeRun's answer when it has none). */
export type NoPlace =
  /** The new sweep sweeps a parameter whose value in the run's own sweep is unknown (another optimiser's, or a link's run). */
  | { readonly kind: 'sweeps'; readonly path: string }
  /** The new sweep fixes a parameter the run was picked on at another value. */
  | { readonly kind: 'fixes'; readonly path: string; readonly value: number }
  /** The run was another optimiser's: its hyperparameters mean other things here (walkthrough 10). */
  | { readonly kind: 'optimizer'; readonly path: 'optimizer.name'; readonly from: string; readonly to: string };

/**
 * Where a run of an earlier sweep (its sweep coordinates; `from`, the plan it was placed in, where
 * known) stands in the new `plan`, for surfaces and networks alike (`fixedValue` reads a
 * parameter's value in a plan where it is not swept, or null where the plan has none): the nearest
 * run to it, so a selection survives an edit of anything not swept, a zoom (the nearest cell of the
 * new grid), and an axis added over a value it had (an LR strip's run on an LR × momentum grid, at
 * its momentum). No place when the new sweep sweeps a parameter whose value in the run is unknown
 * (another optimiser's axes, a link's run), or fixes one the run was picked on at another value (its
 * momentum axis dropped): its nearest run would be one nobody picked (walkthrough 7, review 10). A
 * run of no sweep (no coordinates) stood at the spec's values: the new sweep's run nearest them.
 * No place either for another optimiser's run.
 */
export function placeRun<P extends SweepShape & { readonly height: number; readonly runs: number; readonly spec: { readonly optimizer: { readonly name: string } } }>(
  plan: P,
  coords: Readonly<Record<string, number>>,
  from: P | null,
  fixedValue: (plan: P, path: string) => number | null,
): { readonly run: number } | NoPlace {
  // Another optimiser's run is no run of this one: an SGD run pinned at lr 0.1 and carried to Adam's
  // at lr 0.1 compared Adam with Adam under SGD's name (walkthrough 10).
  if (from && from.spec.optimizer.name !== plan.spec.optimizer.name) return { kind: 'optimizer', path: 'optimizer.name', from: from.spec.optimizer.name, to: plan.spec.optimizer.name };
  if (plan.mode === 'none') return { run: 0 };
  const none = Object.keys(coords).length === 0;
  const want: Record<string, number> = {};
  for (const d of plan.dims) {
    const picked = Object.hasOwn(coords, d.path) ? coords[d.path] : undefined;
    const v = picked !== undefined && Number.isFinite(picked) ? picked : none ? fixedValue(plan, d.path) : from ? fixedValue(from, d.path) : null;
    if (v === null) return { kind: 'sweeps', path: d.path };
    want[d.path] = v;
  }
  for (const [path, v] of Object.entries(coords)) {
    if (plan.dims.some((d) => d.path === path)) continue;
    const fixed = fixedValue(plan, path);
    if (fixed !== null && !sameSetting(fixed, v, path, from)) return { kind: 'fixes', path, value: fixed };
  }
  return { run: nearestRun(plan, want) };
}

/**
 * The run at a sweep's middle: a grid's middle cell (the upper of two middles), a list's middle run,
 * run 0 without a sweep. What a single curve standing for the whole map is drawn at (the schedule
 * chart, the sliders' curve): a run the map has, so that clicking it shows the same curve.
 */
export function middleRun(plan: { readonly mode: SweepMode; readonly width: number; readonly height: number }): number {
  return plan.mode === 'none' ? 0 : Math.floor(plan.height / 2) * plan.width + Math.floor(plan.width / 2);
}

/**
 * middleRun in words: a grid's "the middle run"; a list's (random, Sobol, points) "run k", its middle
 * by index only (review 26: one random draw read as the sweep's middle).
 */
export function middleRunName(plan: { readonly mode: SweepMode; readonly width: number; readonly height: number }): string {
  return plan.mode === 'list' ? `run ${middleRun(plan)}` : 'the middle run';
}

/** Sweep coordinates of a run for reports: `{ "optimizer.lr": 0.01, … }`. */
export function runCoordinates(plan: SweepShape, run: number): Record<string, number> {
  const out: Record<string, number> = {};
  plan.dims.forEach((d, i) => {
    out[d.path] = sweepValue(plan, run, i);
  });
  return out;
}

/**
 * The run whose sweep coordinates are nearest the given ones (every swept path must be given, and
 * nothing else): on a grid, the nearest value on each axis (measured on the axis's own scale); for
 * random, Sobol and explicit points, the nearest run with each dimension scaled to its range. Throws
 * a RangeError naming the path that is missing or not swept.
 */
export function nearestRun(plan: SweepShape & { readonly runs: number }, coords: Readonly<Record<string, number>>): number {
  for (const k of Object.keys(coords)) {
    if (!plan.dims.some((d) => d.path === k)) {
      throw new RangeError(`${k} is not swept; the sweep's parameters: ${plan.dims.map((d) => d.path).join(', ') || 'none'}`);
    }
  }
  const want = plan.dims.map((d) => {
    const v = Object.hasOwn(coords, d.path) ? coords[d.path] : undefined;
    // Walkthrough 22 read "give a finite value for every swept parameter" for a value left out.
    const range = `${d.range.min} … ${d.range.max}`;
    if (v === undefined) throw new RangeError(`${d.path}: missing; it is swept (${range}), so a run is picked by a value for each of ${plan.dims.map((x) => x.path).join(' and ')}`);
    if (!Number.isFinite(v)) throw new RangeError(`${d.path}: ${v} is not a finite number; the sweep's values run ${range}`);
    return v;
  });
  type Dim = SweepShape['dims'][number];
  const pos = (d: Dim, v: number): number => axisPosition(d.range, v);
  if (plan.mode === 'none') return 0;
  if (plan.mode === 'grid') {
    const near = (values: Float64Array, d: Dim, v: number): number => {
      let best = 0;
      for (let i = 1; i < values.length; i++) {
        if (Math.abs(pos(d, values[i] as number) - pos(d, v)) < Math.abs(pos(d, values[best] as number) - pos(d, v))) best = i;
      }
      return best;
    };
    const [dx, dy] = plan.dims as [Dim, Dim | undefined];
    const i = near(plan.xValues, dx, want[0] as number);
    const j = dy ? near(plan.yValues, dy, want[1] as number) : 0;
    return j * plan.width + i;
  }
  let best = 0;
  let bestD = Number.POSITIVE_INFINITY;
  for (let run = 0; run < plan.runs; run++) {
    let dist = 0;
    plan.dims.forEach((d, k) => {
      const e = pos(d, sweepValue(plan, run, k)) - pos(d, want[k] as number);
      dist += e * e;
    });
    if (dist < bestD) {
      bestD = dist;
      best = run;
    }
  }
  return best;
}

/** A heatmap cell: column i, row j (row 0 at the bottom, like the sweep's y axis). */
export interface Cell {
  readonly i: number;
  readonly j: number;
}

/** A sweep's image, surface or network: cells and runs convert by it (the one copy: review 11 found four, review 27 five more). */
export interface GridShape {
  readonly width: number;
  readonly height: number;
  readonly runs: number;
}

export function runOfCell(plan: Pick<GridShape, 'width'>, cell: Cell): number {
  return cell.j * plan.width + cell.i;
}

export function cellOfRun(plan: Pick<GridShape, 'width'>, run: number): Cell {
  return { i: run % plan.width, j: Math.floor(run / plan.width) };
}

/** Whether a cell lies on the plan's grid. */
export function cellInPlan(plan: GridShape, cell: Cell): boolean {
  return cell.i >= 0 && cell.j >= 0 && cell.i < plan.width && cell.j < plan.height && runOfCell(plan, cell) < plan.runs;
}
