/**
 * What the app says and computes about single runs of a network sweep, free of the DOM (unit-tested
 * in Node: tests/unit/net-frame.test.ts and net-explorer.test.ts): a run's place carried from one sweep to the next (so a
 * selection or a pin survives a zoom), its label, its outcome in words, and the curves of a
 * recorded run (train and test loss, LR, gradient norm) as the line charts draw them.
 */
import type { NetPlan } from '../core/network/plan.ts';
import type { MinibatchShape } from '../core/network/plan.ts';
import { THRESHOLD_FACTOR, trainedGroups, trainsOnMinibatches } from '../core/network/plan.ts';
import type { NoPlace } from '../core/plan.ts';
import { placeRun, runCoordinates } from '../core/plan.ts';
import { netParamLabel, netParamShort } from '../view/caption.ts';
import { SHARPNESS_MAX_RESIDUAL, shownSharpness } from '../view/net-frame.ts';
import { netTrainRows, paramGroupName, resolveNetPath } from '../core/spec.ts';
import type { ChartPanel, LineSeriesData } from '../view/panels.ts';
import type { FloatColumn, NetColumns } from '../core/results.ts';
import type { NetTrajectory } from '../core/trajectory.ts';
import { gib, netHeapFit, netMemoryFit, netRunBytes } from '../engine/cpu/network.ts';
import { groupLrColumn, groupLrPath } from '../core/trajectory.ts';
import { formatNumber } from '../view/ticks.ts';
import { formatDuration } from './validation-passes.ts';

export interface NetRunDescription {
  readonly coords: Record<string, number>;
  readonly outcome: string;
  readonly fields: Record<string, number>;
  /** What the run panel says under its fields about them ('' for nothing): whose values a diverged run's are, an estimate not converged. */
  readonly note: string;
}

/** A network parameter's value in a plan where it is not swept (the group's P, or the batch size), or null where the plan has none. */
function netFixedValue(plan: NetPlan, path: string): number | null {
  const t = resolveNetPath(plan.spec, path);
  if (typeof t === 'string') return null;
  // No batch size: the whole training set.
  if (t.where.kind === 'batch') return plan.batch ?? netTrainRows(plan.spec);
  const g = plan.groups[t.where.groups[0] ?? -1];
  return g ? (g.P[t.where.slot] as number) : null;
}

/** Where a run of an earlier network sweep stands in `plan`: the surface rule (core/plan.ts placeRun). */
export function netCarry(plan: NetPlan, coords: Readonly<Record<string, number>>, from: NetPlan | null = null): { readonly run: number } | NoPlace {
  return placeRun(plan, coords, from, netFixedValue);
}

/** The run netCarry finds, or null where the run has no place in `plan`. */
export function netCarryRun(plan: NetPlan, coords: Readonly<Record<string, number>>, from: NetPlan | null = null): number | null {
  const c = netCarry(plan, coords, from);
  return 'run' in c ? c.run : null;
}

/**
 * A run named by its hyperparameters as the caption names them, less the layers' roles
 * (netParamShort): `lr of layers.0=100, lr of layers.1=42` for the fractal preset's groups,
 * `lr=0.1, momentum=0.9` with one group.
 */
export function netRunLabel(plan: NetPlan, run: number): string {
  const parts = Object.entries(runCoordinates(plan, run)).map(([k, v]) => `${netParamShort(plan, k)}=${formatNumber(v, 3)}`);
  return parts.length > 0 ? parts.join(', ') : plan.optimizer.id;
}

/** A run's coordinates as the run panel lists them: each swept path named as the heatmap's caption and axes name it (netParamLabel). */
export function netCoordinateNames(plan: NetPlan, coords: Readonly<Record<string, number>>): [string, number][] {
  return Object.entries(coords).map(([k, v]) => [netParamLabel(plan, k), v]);
}

/** What netTrained reads of a plan: its batch shape and, for minibatch runs, the constant prediction's loss. */
export type TrainedShape = MinibatchShape & Partial<Pick<NetPlan, 'constantLoss'>>;

/**
 * Whether a network run trained: at full batch, by the convergence measure's sign (the fractal
 * paper's rule, the map's colouring: its last CONVERGENCE_TAIL losses averaged below the first); with a batch
 * size, by its final training loss over the whole training set, which must end below its initial
 * one, since the measure then averages minibatch losses, 40 samples at batch 2 (walkthrough 11: a
 * run ending at 6× its initial loss read "trained"), and below the best constant prediction's
 * (plan.constantLoss: walkthrough 14's digits run ended at 2.319 from 2.328, at chance, 10% test
 * accuracy, and read "trained"). Null where there is no measure (NaN). Diverged runs did not.
 */
export function netTrained(plan: TrainedShape, cols: Pick<NetColumns, 'diverged' | 'train_loss' | 'initial_loss' | 'convergence'>, run: number): boolean | null {
  if (cols.diverged[run]) return false;
  if (trainsOnMinibatches(plan)) {
    const [end, start] = [cols.train_loss[run] as number, cols.initial_loss[run] as number];
    return Number.isNaN(end) || Number.isNaN(start) ? null : end < start && !(end >= (plan.constantLoss ?? Number.POSITIVE_INFINITY));
  }
  const m = cols.convergence[run] as number;
  // +∞ (a normalised loss of 0 on some step of a run that did not train) is a measure: did not train.
  return Number.isNaN(m) ? null : m < 0;
}

/** How netTrained decides, in words, for the summary's count. */
export function netTrainedRule(plan: TrainedShape): string {
  if (!trainsOnMinibatches(plan)) return 'the loss fell below its start on average over the last steps';
  const chance = plan.constantLoss;
  return chance === undefined || Number.isNaN(chance)
    ? 'the final training loss, over the whole training set, below the initial'
    : `the final training loss, over the whole training set, below the initial and below ${Number(chance.toPrecision(3))}, a constant prediction's`;
}

/** Trained or not (netTrained), and diverged when the bound caught it. */
export function netOutcome(plan: TrainedShape, cols: NetColumns, run: number): string {
  if (cols.diverged[run]) return 'diverged';
  const t = netTrained(plan, cols, run);
  return t === null ? 'no measure' : t ? 'trained' : 'did not train';
}

/**
 * The words a network run's fields are shown with (the mode buttons' words; the result column's name
 * is the field's tooltip): the convergence measure says which sign trained.
 */
export const NET_FIELD_LABEL: Readonly<Record<string, string>> = {
  train_loss: 'train loss',
  test_loss: 'test loss',
  test_accuracy: 'test accuracy',
  convergence: 'convergence measure',
  steps_to_threshold: 'steps to threshold',
  sharpness: 'sharpness',
};

/**
 * What a network run's "steps to threshold: never" did not reach, in words: beside a convergence
 * measure that says "trained" (its loss fell, by the fractal paper's sign) a bare "never" read as a
 * contradiction (walkthrough 10); the threshold is stricter.
 */
export function netThresholdText(plan: NetPlan): string {
  return plan.threshold === null
    ? `the train loss stayed above ${100 * THRESHOLD_FACTOR}% of its initial value`
    : `the train loss stayed above network.threshold ${formatNumber(plan.threshold)}`;
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
  const notes: string[] = [];
  // A diverged run stops at the checkpoint that found it, and its columns are that checkpoint's
  // (walkthrough 18 read "diverged … test accuracy 63.3%" as a contradiction).
  if (cols.diverged[run]) notes.push(`Its ${cols.test_accuracy ? 'losses and accuracy' : 'losses'} are at the checkpoint that found it diverged.`);
  // The map leaves a sharpness estimate that did not converge grey: the panel says why (review 23).
  const residual = cols.sharpness_residual[run] as number;
  if (Number.isFinite(sh) && shownSharpness(cols, run) === null) notes.push(`Its sharpness estimate did not converge (residual ${formatNumber(residual, 3)}, above ${SHARPNESS_MAX_RESIDUAL}): more network.sharpness_iterations would tell.`);
  return { coords: runCoordinates(plan, run), outcome: netOutcome(plan, cols, run), fields, note: notes.join(' ') };
}

export interface CurveSeries {
  readonly label: string;
  readonly values: Float64Array;
  readonly colour: string;
  readonly dashed?: boolean;
}

/** One param group's LR per recorded point of a run (the points of NetTrajectory.lr). */
export interface GroupLr {
  /** Index into plan.groups (explicit groups first, the default group last). */
  readonly group: number;
  /** "learning rate of layers.0". */
  readonly label: string;
  /** NetTrajectory.groupLr's column of the group. */
  readonly values: FloatColumn;
}

/**
 * Whether a plan's LR chart draws a curve per param group: with two or more groups that train a
 * tensor (the engines record each; an empty default group trains nothing and is not drawn).
 */
export function drawsGroupLrs(plan: NetPlan): boolean {
  return trainedGroups(plan).length > 1;
}

/** Whether curves' positive values lie more than a decade apart (the fractal setting's groups: 100 and 1e4): read on a log axis. */
export function spansDecades(series: readonly ArrayLike<number>[]): boolean {
  let lo = Number.POSITIVE_INFINITY;
  let hi = 0;
  for (const s of series) {
    for (let k = 0; k < s.length; k++) {
      const v = s[k] as number;
      if (v > 0 && Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    }
  }
  return hi / lo > 10;
}

/**
 * Each param group's LR at the recorded points of a run, as the engine that recorded it computed
 * it, in its precision (NetTrajectory.groupLr: the schedule per group, evaluated with the group's
 * lr as base_lr as torch's schedulers do, or under ReduceLROnPlateau each group's own state, which
 * follows the run's loss). Point p is the LR of the step that led to recorded step t.steps[p + 1]
 * (NetTrajectory.lr's convention); the default group's values are the recorded `lr`. Only the
 * groups that train a tensor (trainedGroups): an empty default group's LR trains nothing, and with
 * one explicit group holding every tensor that group's is the one curve. Null for a plan with one
 * group (the recorded curve is the LR).
 */
export function groupLrCurves(plan: NetPlan, t: NetTrajectory): GroupLr[] | null {
  const G = plan.groups.length;
  if (G === 1) return null;
  return trainedGroups(plan).map((gi) => ({
    group: gi,
    label: netParamLabel(plan, groupLrPath(gi, G)),
    values: groupLrColumn(t, gi),
  }));
}

/**
 * How the LR chart's curves are drawn, in words: the last group that trains a tensor solid (the
 * default group, or the last explicit one where the explicit groups hold every tensor), the others
 * dashed, each named by the layers it trains. `note`: the run panel's line over the chart; `title`:
 * a figure's chart title; `label`: the chart's accessible name. One curve (one group that trains):
 * the plain words.
 */
export function groupLrTexts(plan: NetPlan): { readonly note: string; readonly title: string; readonly label: string } {
  if (!drawsGroupLrs(plan)) return { note: 'Learning rate per step; then the gradient norm.', title: 'Learning rate per step', label: 'LR per step' };
  const G = plan.groups.length;
  const shown = trainedGroups(plan);
  const last = shown[shown.length - 1] as number;
  const name = (g: number): string => netParamLabel(plan, groupLrPath(g, G));
  const defaultSolid = last === G - 1;
  const solidGroup = paramGroupName(last, G);
  const dashed = shown.slice(0, -1).map(name);
  const others = `the ${defaultSolid ? '' : 'other '}explicit ${dashed.length > 1 ? 'ones' : 'one'}`;
  return {
    note: `Learning rate of each param group per step (solid: ${solidGroup}, ${name(last)}; dashed: ${others}, ${dashed.join('; ')}); then the gradient norm.`,
    title: defaultSolid
      ? 'Learning rate of each param group per step (dashed: the explicit groups)'
      : `Learning rate of each param group per step (solid: ${solidGroup}; dashed: the other explicit groups)`,
    label: 'LR per step of each param group',
  };
}

/** The runs whose curves are drawn: the pins, then the selected run unless it is pinned (drawn once, as its pin). */
export function drawnRuns<R extends { readonly run: number }>(selected: R | null, pins: readonly R[]): R[] {
  return [...pins, ...(selected && !pins.some((p) => p.run === selected.run) ? [selected] : [])];
}

/**
 * The curves of recorded runs, one chart each: `loss` (train solid, test dashed per run), `lr`,
 * `gradNorm`. Values are per recorded point (every `every` steps); a diverged run's curves end
 * where it stopped. Non-finite values become NaN (the chart leaves a gap). A run given `groups`
 * (groupLrCurves) draws one LR curve per param group, labelled with the layers it trains: the
 * last one's (the default group's where it trains a tensor) solid, the others dashed, in the run's
 * colour (groupLrTexts says so in words). With several runs only
 * each run's solid curves carry a label (the run's), so the legend has a row per run.
 */
export function netCurves(
  runs: readonly { readonly trajectory: NetTrajectory; readonly colour: string; readonly label: string; readonly groups?: readonly GroupLr[] | null }[],
): { loss: CurveSeries[]; lr: CurveSeries[]; gradNorm: CurveSeries[] } {
  const f = (a: ArrayLike<number>): Float64Array => Float64Array.from(a, (v) => (Number.isFinite(v) ? v : Number.NaN));
  const loss: CurveSeries[] = [];
  const lr: CurveSeries[] = [];
  const gradNorm: CurveSeries[] = [];
  const many = runs.length > 1;
  for (const r of runs) {
    const t = r.trajectory;
    // With several runs the legend names each run once, by its solid curve: the dashed ones (its
    // test loss, its explicit groups' LRs) are in its colour, as the notes above the charts say.
    // A legend of two rows per run squeezed the charts to slivers once runs were pinned.
    loss.push({ label: `train ${r.label}`, values: f(t.trainLoss), colour: r.colour });
    loss.push({ label: many ? '' : `test ${r.label}`, values: f(t.testLoss), colour: r.colour, dashed: true });
    const groups = r.groups ?? null;
    if (groups) {
      groups.forEach((g, k) => {
        const solid = k === groups.length - 1;
        lr.push({ label: !many ? g.label : solid ? r.label : '', values: f(g.values), colour: r.colour, ...(solid ? {} : { dashed: true }) });
      });
    } else lr.push({ label: r.label, values: f(t.lr), colour: r.colour });
    gradNorm.push({ label: r.label, values: f(t.gradNorm), colour: r.colour });
  }
  return { loss, lr, gradNorm };
}

/** Record every k-th step so one path stays under ~2,000 points (the chart's width in pixels, twice over). */
export function curveEvery(steps: number): number {
  return Math.max(1, Math.ceil(steps / 2000));
}

/** A recorded run as a figure draws it: its curves, its colour and label. */
export interface FigureRun {
  readonly trajectory: NetTrajectory;
  readonly colour: string;
  readonly label: string;
}

/**
 * The selected and pinned runs' curves as figure panels (view/svg.ts chartSvg), the charts the
 * explorer shows beside a network map: train (solid) and test (dashed) loss, the LR of each param
 * group (labelled with the layers it trains), the gradient norm, per step. Empty without runs.
 */
export function netCurvePanels(plan: NetPlan, runs: readonly FigureRun[]): ChartPanel[] {
  if (runs.length === 0) return [];
  const withGroups = runs.map((r) => ({ ...r, groups: groupLrCurves(plan, r.trajectory) }));
  const c = netCurves(withGroups);
  const steps = (r: FigureRun): number[] => Array.from(r.trajectory.steps);
  const series = (list: readonly CurveSeries[], x: (k: number) => number[]): LineSeriesData[] =>
    list.map((s, k) => ({ label: s.label, x: x(k), y: Array.from(s.values), colour: s.colour, ...(s.dashed ? { dashed: true } : {}) }));
  // Each run gives two loss series, one gradient-norm series, and one LR series per group (or one).
  const lrPer = withGroups.map((r) => r.groups?.length ?? 1);
  const lrRun = lrPer.flatMap((n, i) => Array.from({ length: n }, () => i));
  const lr = series(c.lr, (k) => steps(withGroups[lrRun[k] as number] as FigureRun).slice(1));
  const texts = groupLrTexts(plan);
  return [
    { kind: 'chart', title: 'Training loss (solid) and test loss (dashed) per step', xLabel: 'step', yLabel: 'loss', logY: true, series: series(c.loss, (k) => steps(runs[Math.floor(k / 2)] as FigureRun)) },
    {
      kind: 'chart',
      title: texts.title,
      xLabel: 'step',
      yLabel: 'LR',
      logY: spansDecades(lr.map((q) => q.y)),
      series: lr,
    },
    { kind: 'chart', title: 'Gradient norm per step', xLabel: 'step', yLabel: '‖grad‖', logY: true, series: series(c.gradNorm, (k) => steps(runs[k] as FigureRun)) },
  ];
}

/**
 * Network sweeps projected to take more than this many seconds are said to be long: the header's
 * time left comes only after 5% or 5 s of measured progress, and a map that fills in by blocks shows
 * little before (walkthrough 18: a one-minute sweep showed a thin bar and "running" for its first
 * seconds, nothing said).
 */
export const LONG_NET_SWEEP_S = 20;

/**
 * Seconds into a network sweep on the CPU engine at which its own rate decides whether it is long
 * (longNetSweepNote). Measured, not modelled: a model of run-steps and multiply-adds was 10-20x
 * too long on a zoom where most runs diverge within a few steps (and skip the sharpness's
 * Hessian-vector products, which on small networks cost more than the training: 4.5 s against
 * 0.06 s for 12 spiral runs), and 30x too short where every run ends with them (walkthrough 22).
 */
export const LONG_NET_NOTE_AFTER_S = 3;

/**
 * What the page says about a network sweep `elapsed` seconds in, with `done` of `total` run-steps
 * done (the CPU engine's progress), or null for one that ends within LONG_NET_SWEEP_S: its length
 * projected from its own rate so far, or, where no run has finished yet, a lower bound (each of the
 * first `workers` runs takes longer than `elapsed`, and the others are like them). What Cancel
 * leaves (no last map on a first load).
 */
export function longNetSweepNote(
  plan: Pick<NetPlan, 'runs' | 'spec'>,
  progress: { readonly elapsed: number; readonly done: number; readonly total: number },
  workers: number,
  lastMap = true,
): string | null {
  const { elapsed, done, total } = progress;
  if (!(elapsed > 0 && total > 0) || done >= total) return null;
  const seconds = done > 0 ? (elapsed * total) / done : (elapsed * plan.runs) / Math.max(1, workers);
  if (seconds <= LONG_NET_SWEEP_S) return null;
  // Walkthrough 16: a 16.8 M-parameter sweep of about four days was announced as "minutes or more".
  const smaller = seconds > 3600 ? ' A smaller grid, fewer steps or a smaller network ends sooner; the CLI runs it on every core of a larger machine.' : '';
  const runs = `${plan.runs.toLocaleString('en-US')} network run${plan.runs === 1 ? '' : 's'} of ${plan.spec.steps.toLocaleString('en-US')} steps`;
  const length =
    done > 0
      ? `takes ${durationText(seconds)} on the CPU engine here, at the rate of its first ${formatDuration(elapsed)}`
      : `takes at least ${durationText(seconds)} on the CPU engine here: none of its runs has finished in its first ${formatDuration(elapsed)}`;
  return `${runs}: this sweep ${length}. The header shows how far it is and the time left; Escape or Cancel stops it${lastMap ? ' and keeps the last map' : ''}.${smaller}`;
}

/** A duration in words, as rough as the estimate it reports: `about 4 minutes`, `about 90 hours`. */
export function durationText(seconds: number): string {
  const about = (n: number, unit: string): string => `about ${n} ${unit}${n === 1 ? '' : 's'}`;
  if (seconds < 45) return 'under a minute';
  if (seconds < 90) return 'about a minute';
  if (seconds < 3600) return about(Math.round(seconds / 60), 'minute');
  if (seconds < 48 * 3600) return about(Math.round(seconds / 3600), 'hour');
  return about(Math.round(seconds / 86400), 'day');
}

/**
 * Why a network sweep would not fit the page's CPU engine, naming network.hidden, or null: each
 * worker trains one run, its records in the worker's JavaScript heap (`heapLimit`: Chromium's
 * performance.memory.jsHeapSizeLimit, per worker as per page) and its typed arrays in the page's
 * memory (`total`: navigator.deviceMemory, which Chromium caps at 8 GiB, about what one tab may
 * hold). The CLI's rules (engine/cpu/network.ts netHeapFit, netMemoryFit), worded for the page:
 * walkthrough 15's 8 × 4096 Iris network (117 M parameters) crashed the tab after a minute, the
 * map on screen lost.
 */
export function pageNetMemoryProblem(plan: NetPlan, workers: number, heapLimit: number, total: number): string | null {
  const params = plan.layout.params;
  const count = params.toLocaleString('en-US');
  const heap = netHeapFit(params, heapLimit);
  if (!heap.fits) {
    return (
      `network.hidden: a run of this network (${count} parameters) needs about ${gib(heap.need)} of JavaScript memory on the CPU engine, ` +
      `more than the ${gib(heap.budget)} a worker of this page may hold: at most ${heap.maxParams.toLocaleString('en-US')} parameters fit; ` +
      'a smaller network (the CLI, whose heap can be raised, holds larger ones)'
    );
  }
  const perRun = netRunBytes(plan);
  const memory = netMemoryFit(perRun, workers, total);
  if (!memory.fits) {
    return (
      `network.hidden: a run of this network (${count} parameters) holds about ${gib(perRun)} on the CPU engine, and its ${workers} workers ` +
      `would hold ${gib(memory.need)}, more than the ${gib(memory.budget)} this page may use: a smaller network (the CLI takes --workers and the machine's memory)`
    );
  }
  return null;
}

