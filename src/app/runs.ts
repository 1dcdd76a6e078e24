/**
 * What the app says and computes about single runs of a sweep, free of the DOM (unit-tested in
 * Node): cells and run indices, a run's place carried from one sweep to the next (so a selection or
 * a pin survives an edit), labels naming a run by its hyperparameters, where a recorded path stands
 * at a given step (playback), and the colours of compared runs.
 */
import { SERIES_COLOURS, minimumColour, rgbCss } from '../view/colors.ts';
import type { SurfaceContours } from '../view/contours.ts';
import { surfaceContours } from '../view/contours.ts';
import type { AnyPlan, Cell, Plan } from '../core/plan.ts';
import type { NoPlace, SweepShape } from '../core/plan.ts';
import { placeRun, runCoordinates, sameSetting } from '../core/plan.ts';
import type { GridAxis } from '../core/spec.ts';
import { resolveParamPath } from '../core/spec.ts';
import { netParamLabel, paramLabel, shortParam } from '../view/caption.ts';
import type { Trajectory } from '../core/trajectory.ts';
import { formatNumber } from '../view/ticks.ts';
import { lossCurves } from '../view/frame.ts';
import type { ChartPanel, LineSeriesData, SurfaceBackdrop } from '../view/panels.ts';
import { spansDecades } from './net-runs.ts';
import { surfaceGrid } from './surface-grid.ts';

/**
 * The run panel's heading: the hovered run's, unless the pointer rests on the selected cell (just
 * clicked: walkthrough 11 read "Hovered run" over the run it had selected), else the selected run's.
 */
export function runPanelHeading(hover: Cell | null, selected: Cell | null): 'Hovered run' | 'Selected run' | 'Hover a cell' {
  if (hover && !(selected && hover.i === selected.i && hover.j === selected.j)) return 'Hovered run';
  return selected || hover ? 'Selected run' : 'Hover a cell';
}

/** A parameter's value in a surface plan where it is not swept (its spec's, P's slot), or null where the plan has no such parameter. */
function fixedValue(plan: Plan, path: string): number | null {
  const t = resolveParamPath(plan.spec, path);
  return typeof t === 'string' ? null : (plan.P[t.slot] as number);
}

/** Where a run of an earlier surface sweep stands in `plan` (core/plan.ts placeRun). */
export function carry(plan: Plan, coords: Readonly<Record<string, number>>, from: Plan | null = null): { readonly run: number } | NoPlace {
  return placeRun(plan, coords, from, fixedValue);
}

/** The run `carry` finds, or null where the run has no place in `plan`. */
export function carryRun(plan: Plan, coords: Readonly<Record<string, number>>, from: Plan | null = null): number | null {
  const c = carry(plan, coords, from);
  return 'run' in c ? c.run : null;
}

/**
 * What the message line says when a new sweep clears runs it has no place for (the selection and
 * the pins; `why` says of each why not, or null where it is kept), naming the parameters; '' when
 * none is cleared. The runs vanishing unexplained looked like a bug.
 */
export function clearedRunsText(
  selected: Readonly<Record<string, number>> | null,
  pins: readonly Readonly<Record<string, number>>[],
  why: (coords: Readonly<Record<string, number>>) => NoPlace | null,
  name: (path: string) => string = shortParam,
  /** The pins' reasons, where they were placed in another plan than the selection. */
  whyPin: (coords: Readonly<Record<string, number>>) => NoPlace | null = why,
): string {
  const reasons: NoPlace[] = [];
  const note = (r: NoPlace | null): boolean => {
    if (!r) return false;
    if (!reasons.some((x) => x.kind === r.kind && x.path === r.path)) reasons.push(r);
    return true;
  };
  const sel = selected !== null && note(why(selected));
  let pinned = 0;
  for (const c of pins) if (note(whyPin(c))) pinned++;
  if (!sel && pinned === 0) return '';
  const what = [sel ? 'the selected run' : '', pinned > 0 ? `${pinned} pinned run${pinned === 1 ? '' : 's'}` : ''].filter((t) => t !== '').join(' and ');
  const many = sel ? pinned > 0 : pinned > 1;
  const sweeps = reasons.filter((r) => r.kind === 'sweeps').map((r) => name(r.path));
  const fixes = reasons.flatMap((r) => (r.kind === 'fixes' ? [`${name(r.path)} at ${formatNumber(r.value, 4)}`] : []));
  const optimizer = reasons.find((r) => r.kind === 'optimizer');
  const parts = [
    optimizer ? `${many ? 'they were' : 'it was'} ${optimizer.from}'s and this map is ${optimizer.to}'s` : '',
    sweeps.length > 0 ? `this map sweeps ${sweeps.join(' and ')}, which ${many ? 'they were' : 'it was'} not picked on` : '',
    fixes.length > 0 ? `this map holds ${fixes.join(' and ')} (the editor's value), not where ${many ? 'they were' : 'it was'} picked` : '',
  ].filter((t) => t !== '');
  return `${what[0]?.toUpperCase() ?? ''}${what.slice(1)} ${many ? 'were' : 'was'} cleared: ${parts.join('; ')}.`;
}

/** A selected or pinned run to be shown in a new sweep: what it is called, where it was picked, the sweep it was last placed in. */
export interface PlacedRun<P> {
  readonly what: 'selected' | 'pin';
  readonly coords: Readonly<Record<string, number>>;
  readonly from: P | null;
  /** Where it was shown in `from` (its run's coordinates there), where that is not where it was picked. */
  readonly shownAt?: Readonly<Record<string, number>> | null;
}

/**
 * What the message line says when a new sweep shows selected or pinned runs away from where they
 * were picked: it has no run there, so each is shown at its nearest run (`place`), whose curves are
 * that run's, another experiment. Where a run stands within the cell it was picked in (a zoom's
 * finer grid) it has not moved (core/plan.ts sameSetting); '' when none moved. Walkthrough 11: a
 * count of 32 made 16 turned pins at lr 0.116 and 0.283 into runs at 0.136 and 0.251 without a word.
 */
export function movedRunsText<P extends SweepShape & { readonly height: number }>(
  plan: P,
  runs: readonly PlacedRun<P>[],
  place: (coords: Readonly<Record<string, number>>, from: P | null) => number | null,
  name: (path: string) => string = shortParam,
): string {
  const moves: string[] = [];
  for (const r of runs) {
    const run = place(r.coords, r.from);
    if (run === null) continue;
    const at = runCoordinates(plan, run);
    // Said once: a run shown at its nearest run is not said to move again by each later sweep that
    // shows it there too (walkthrough 18: after a zoom, every sweep repeated the move).
    const moved = Object.entries(r.coords).flatMap(([path, v]) => {
      const now = at[path];
      const shown = r.shownAt?.[path];
      const stays = now === undefined || sameSetting(now, v, path, r.from) || (shown !== undefined && sameSetting(now, shown, path, r.from));
      return stays ? [] : [`${name(path)} ${formatNumber(v, 4)} → ${formatNumber(now, 4)}`];
    });
    if (moved.length > 0) moves.push(`${r.what === 'selected' ? 'the selected run' : 'a pin'}: ${moved.join(', ')}`);
  }
  if (moves.length === 0) return '';
  const one = moves.length === 1;
  return `This sweep has no run where ${one ? 'a run was' : 'runs were'} picked, so ${one ? 'it is' : 'they are'} shown at the nearest (${moves.join('; ')}): the curves are ${one ? "that run's" : "those runs'"}.`;
}

/** carry's reason for `coords` in `plan`, or null where it has a place (for clearedRunsText). */
export function noPlace(plan: Plan, from: Plan | null): (coords: Readonly<Record<string, number>>) => NoPlace | null {
  return (coords) => {
    const c = carry(plan, coords, from);
    return 'run' in c ? null : c;
  };
}

/** Runs carried to a new sweep (null: no place there), the first of any that land on one run kept: two pins on one run (a coarser sweep, a link's pins) are one pin. */
export function onePerRun<T extends { readonly run: number }>(carried: readonly (T | null)[]): T[] {
  const taken = new Set<number>();
  const out: T[] = [];
  for (const c of carried) {
    if (c === null || taken.has(c.run)) continue;
    taken.add(c.run);
    out.push(c);
  }
  return out;
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

/** Most runs pinned at once, on either kind of map and in a link: one per colour, so that no two pinned runs' curves share one. */
export const MAX_PINS = COMPARE_COLOURS.length;

/** The first colour not in use (colours repeat once all are taken). */
export function freeColour(used: readonly string[]): string {
  return COMPARE_COLOURS.find((c) => !used.includes(c)) ?? (COMPARE_COLOURS[used.length % COMPARE_COLOURS.length] as string);
}

/**
 * A path up to where it leaves its view grown by ten view-widths on every side (a diverged run's
 * next point can be 1e19 away, which no renderer draws), that last point moved back along its step
 * to the box's edge:
 * inside the view the path is drawn as it went, and beyond it the plot clips it anyway.
 */
export function pathWithin(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  domain: { readonly x: readonly [number, number]; readonly y: readonly [number, number] } | null,
): { x: number[]; y: number[] } {
  const x: number[] = [];
  const y: number[] = [];
  const wx = domain ? 10 * (domain.x[1] - domain.x[0]) : Number.POSITIVE_INFINITY;
  const wy = domain ? 10 * (domain.y[1] - domain.y[0]) : Number.POSITIVE_INFINITY;
  const [x0, x1] = domain ? [domain.x[0] - wx, domain.x[1] + wx] : [-Infinity, Infinity];
  const [y0, y1] = domain ? [domain.y[0] - wy, domain.y[1] + wy] : [-Infinity, Infinity];
  const inside = (a: number, b: number): boolean => a >= x0 && a <= x1 && b >= y0 && b <= y1;
  for (let k = 0; k < xs.length; k++) {
    const a = xs[k] as number;
    const b = ys[k] as number;
    if (!Number.isFinite(a) || !Number.isFinite(b)) break;
    if (inside(a, b)) {
      x.push(a);
      y.push(b);
      continue;
    }
    const pa = x.at(-1);
    const pb = y.at(-1);
    if (pa !== undefined && pb !== undefined) {
      // The largest t in [0, 1] with the point pa + t (a - pa) still in the box.
      let t = 1;
      if (a > x1) t = Math.min(t, (x1 - pa) / (a - pa));
      if (a < x0) t = Math.min(t, (x0 - pa) / (a - pa));
      if (b > y1) t = Math.min(t, (y1 - pb) / (b - pb));
      if (b < y0) t = Math.min(t, (y0 - pb) / (b - pb));
      x.push(pa + t * (a - pa));
      y.push(pb + t * (b - pb));
    }
    break;
  }
  return { x, y };
}

/** A surface run drawn in a figure: its path and curves, in its colour, labelled with its hyperparameters. */
export interface SurfaceFigureRun {
  readonly trajectory: Trajectory;
  readonly colour: string;
  readonly label: string;
}

/** The figure's grid of the surface under its paths: as fine as the app's contour plot's (app.ts contourGrid). */
export const FIGURE_GRID = 160;

/**
 * A surface view's figure charts for its selected and pinned runs, as the run panel shows them: the
 * paths in the plane drawn on the surface (surfaceBackdrop), the loss per step (above the best
 * minimum, as the map colours it) and the LR per step. Empty without runs. Walkthrough 6 wanted
 * "SGD vs momentum vs Adam on Rosenbrock" as a slide, and the export held only the map.
 */
export function surfaceCurvePanels(plan: Pick<Plan, 'minima' | 'spec' | 'surface' | 'dims' | 'P' | 'data'>, runs: readonly SurfaceFigureRun[]): ChartPanel[] {
  if (runs.length === 0) return [];
  // The surface's view (the contour plot's), widened to hold the start: a diverged path leaves it
  // (clipped) instead of stretching the axes.
  const d = plan.surface.domain(plan.spec.surface.params);
  const [sx, sy] = plan.spec.start;
  const domain = [d.xMin, d.xMax, d.yMin, d.yMax].every(Number.isFinite)
    ? { x: [Math.min(d.xMin, sx), Math.max(d.xMax, sx)] as const, y: [Math.min(d.yMin, sy), Math.max(d.yMax, sy)] as const }
    : null;
  const paths: LineSeriesData[] = runs.map((r) => ({ label: r.label, ...pathWithin(r.trajectory.x, r.trajectory.y, domain), colour: r.colour }));
  const loss = lossCurves(
    runs.map((r) => ({ label: r.label, values: r.trajectory.loss, colour: r.colour, steps: r.trajectory.steps })),
    plan.minima,
  );
  const lr = runs.map((r) => ({ label: r.label, x: Array.from(r.trajectory.steps).slice(1), y: Array.from(r.trajectory.lr).slice(0, r.trajectory.steps.length - 1), colour: r.colour }));
  return [
    { kind: 'chart', title: 'Paths of the selected and pinned runs', xLabel: 'x', yLabel: 'y', series: paths, ...(domain ? { domain } : {}), surface: surfaceBackdrop(plan, runs, domain) },
    { kind: 'chart', title: 'Loss per step', xLabel: 'step', yLabel: loss.label, logY: loss.log, series: loss.series.map((s) => ({ label: s.label, x: Array.from(s.steps), y: Array.from(s.values), colour: s.colour })) },
    { kind: 'chart', title: 'Learning rate per step', xLabel: 'step', yLabel: 'LR', logY: spansDecades(lr.map((s) => s.y)), series: lr },
  ];
}

/**
 * What a chart of paths is drawn on, as the app's contour plot draws it (walkthrough 19 found the
 * figure's paths on a blank square): the surface's contours over the chart's domain (none where it
 * has none or the surface cannot be sampled there), its known minima as diamonds in their basins'
 * colours, and each run's start (the first point of its path; one where they share it, as they do
 * unless the map sweeps the start).
 */
export function surfaceBackdrop(
  plan: Pick<Plan, 'surface' | 'P' | 'data' | 'spec' | 'minima'>,
  runs: readonly SurfaceFigureRun[],
  domain: { readonly x: readonly [number, number]; readonly y: readonly [number, number] } | null,
): SurfaceBackdrop {
  const starts: { x: number; y: number }[] = [];
  for (const r of runs) {
    const x = r.trajectory.x[0];
    const y = r.trajectory.y[0];
    if (x === undefined || y === undefined || !Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (!starts.some((s) => s.x === x && s.y === y)) starts.push({ x, y });
  }
  const minima = plan.minima.map((m, i) => ({ x: m.x, y: m.y, colour: rgbCss(minimumColour(i)) }));
  let contours: SurfaceContours | null = null;
  if (domain) {
    try {
      contours = surfaceContours(surfaceGrid(plan, FIGURE_GRID, FIGURE_GRID, { xMin: domain.x[0], xMax: domain.x[1], yMin: domain.y[0], yMax: domain.y[1] }), plan.minima);
    } catch {
      // surfaceGrid refuses a domain it cannot sample (non-finite, empty): the paths go on a blank plot.
      contours = null;
    }
  }
  return { contours, minima, starts };
}

/** A grid axis as the heatmap draws it. */
export interface HeatmapAxis {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly scale: 'linear' | 'log';
  /** Number of cells along the axis. */
  readonly count: number;
  /**
   * An integer axis's value in each cell (a batch size's rows: 1, 3, 7, 18, …): its ticks label the
   * cells themselves, not round numbers of a continuous scale that fall between them.
   */
  readonly cells?: readonly number[];
}

/**
 * A grid axis as the heatmap draws it, labelled in words (view/caption.ts; a network's names the
 * layers an LR trains). An integer axis (a batch size, StepLR's step_size) labels its cells with the
 * values they run: round numbers of a continuous scale would fall between cells (review 27 found a
 * surface's step_size map ticked 5 between runs at 4 and 8).
 */
export function heatmapAxis(a: GridAxis | null | undefined, plan: AnyPlan | null): HeatmapAxis | null {
  if (!a || !plan) return null;
  const label = plan.problem === 'network' ? netParamLabel(plan, a.param) : paramLabel(plan, a.param);
  const axis = { label, min: a.min, max: a.max, scale: a.scale, count: a.count };
  const sweep = plan.spec.sweep;
  const k = sweep?.kind === 'grid' ? (sweep.x.param === a.param ? 0 : sweep.y?.param === a.param ? 1 : -1) : -1;
  if (k < 0 || !plan.dims[k]?.int) return axis;
  const values = k === 0 ? plan.xValues : plan.yValues;
  return values.length === a.count ? { ...axis, cells: Array.from(values) } : axis;
}
