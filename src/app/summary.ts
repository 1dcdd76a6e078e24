/**
 * Text alternatives of what the canvases show, free of the DOM: the heatmap's live summary (what is
 * shown, how many runs ended how), the cursor cell in words, and one-line descriptions of the
 * contour plot and of recorded paths. Screen readers announce these; they are also what a person
 * reads when a colour is hard to tell.
 */
import type { Plan } from '../core/plan.ts';
import { middleRun, middleRunName, sweepValue } from '../core/plan.ts';
import { findOptimizer } from '../core/registry/index.ts';
import { minimumLabel } from '../core/outcome.ts';
import type { Spec } from '../core/spec.ts';
import { overrideChild, overrideSetter, scheduleOverrides } from '../core/spec.ts';
import { P_OPTIMIZER } from '../core/layout.ts';
import type { NetColumns } from '../core/results.ts';
import type { NetHeatmapMode } from '../view/net-frame.ts';
import { shownSharpness } from '../view/net-frame.ts';
import type { HeatmapMode } from '../view/frame.ts';
import type { Trajectory } from '../core/trajectory.ts';
import { distinctDigits, formatNumber } from '../view/ticks.ts';
import { count, shortParam } from '../view/caption.ts';
import { lastStep } from './runs.ts';
import type { MinibatchShape } from '../core/network/plan.ts';
import { netTrained, netTrainedRule } from './net-runs.ts';

export interface OutcomeCounts {
  /** Runs with a final result. */
  readonly ready: number;
  readonly total: number;
  readonly diverged: number;
  readonly notConverged: number;
  /** Runs that reached each known minimum. */
  readonly perMinimum: readonly number[];
}

export function countOutcomes(
  columns: { readonly basin: ArrayLike<number>; readonly diverged: ArrayLike<number> },
  ready: number,
  total: number,
  minima: number,
): OutcomeCounts {
  const perMinimum = new Array<number>(minima).fill(0);
  let diverged = 0;
  let notConverged = 0;
  const n = Math.min(ready, columns.basin.length, columns.diverged.length);
  for (let run = 0; run < n; run++) {
    if (columns.diverged[run]) diverged++;
    else {
      const b = columns.basin[run] as number;
      if (b >= 0 && b < minima) perMinimum[b] = (perMinimum[b] as number) + 1;
      else notConverged++;
    }
  }
  return { ready: n, total, diverged, notConverged, perMinimum };
}

const pct = (n: number, of: number): string => `${of > 0 ? formatNumber((100 * n) / of, 3) : '0'}%`;

/** "x: lr (log, 1e-5 to 0.01), y: momentum (0 to 0.99)" for a grid; the parameters for other sweeps. */
export function axesText(plan: Plan): string {
  const s = plan.spec.sweep;
  if (!s) return 'a single run';
  if (s.kind === 'grid') {
    const ax = (name: string, a: { param: string; min: number; max: number; scale: string }): string => {
      // Digits enough that a deep zoom's ends differ, as in the caption.
      const d = distinctDigits(a.min, a.max);
      return `${name}: ${shortParam(a.param)} (${a.scale === 'log' ? 'log, ' : ''}${formatNumber(a.min, d)} to ${formatNumber(a.max, d)})`;
    };
    return [ax('x', s.x), ...(s.y ? [ax('y', s.y)] : [])].join(', ');
  }
  return `${s.kind} sweep over ${plan.dims.map((d) => shortParam(d.path)).join(', ')}`;
}

/**
 * The heatmap in words: "Heatmap of 65,536 runs of SGD on Rosenbrock, 500 steps; x: …; y: …. 1,180
 * reached minimum 0 (1.8%), 14,400 diverged (22%), 49,956 did not converge (76.2%)." While a sweep
 * fills in, how many runs are done.
 */
export function heatmapSummary(plan: Plan, c: OutcomeCounts, mode: HeatmapMode = 'outcome'): string {
  const head = `Heatmap of ${count(plan.runs)} runs of ${plan.optimizer.id} on ${plan.surface.title}, ${count(plan.spec.steps)} steps each; ${axesText(plan)}.`;
  if (c.ready === 0) return `${head} No results yet.`;
  const parts: string[] = [];
  c.perMinimum.forEach((n, k) => {
    if (n > 0) parts.push(`${count(n)} reached ${minimumLabel(plan.minima[k], k)} (${pct(n, c.ready)})`);
  });
  if (c.diverged > 0) parts.push(`${count(c.diverged)} diverged (${pct(c.diverged, c.ready)})`);
  if (c.notConverged > 0) parts.push(`${count(c.notConverged)} did not converge (${pct(c.notConverged, c.ready)})`);
  const done = c.ready < c.total ? ` ${count(c.ready)} of ${count(c.total)} runs done so far:` : '';
  // A map of nearly all "still moving" grey says little in the outcome colourings: the final loss
  // tells those runs apart (walkthrough 7 saw Adam on Rosenbrock 99% grey).
  const outcomes = mode === 'outcome' || mode === 'basin' || mode === 'steps';
  const moving = outcomes && c.ready === c.total && c.notConverged >= 0.9 * c.ready ? ' Most runs are still moving at the end: the final loss colouring tells them apart.' : '';
  return `${head}${done} ${parts.join(', ')}.${moving}`;
}

/**
 * A network map in words, once its sweep is done: how many runs trained (the convergence measure's
 * sign, the default colouring), diverged, and, of the rest, how many reached the loss threshold
 * (the others are the grey "never" cells of the steps-to-threshold colouring), so that the summary
 * accounts for every colour the maps show. A run can train (its loss fell) without reaching the
 * threshold (1% of its initial loss by default): the sentence says which count is which.
 */
export function netSummary(
  plan: MinibatchShape & { readonly runs: number },
  cols: (Pick<NetColumns, 'convergence' | 'diverged' | 'steps_to_threshold' | 'train_loss' | 'initial_loss'> & Partial<Pick<NetColumns, 'test_loss' | 'test_accuracy' | 'sharpness' | 'sharpness_residual'>>) | null,
  running: boolean,
  mode: NetHeatmapMode = 'convergence',
): string {
  if (running || !cols) return `Running a sweep of ${count(plan.runs)} network runs…`;
  let trained = 0;
  let diverged = 0;
  let never = 0;
  let noMeasure = 0;
  // The lowest final training loss of the runs that did not diverge, and as a share of its run's initial loss.
  let bestLoss = Number.POSITIVE_INFINITY;
  let bestShare = Number.POSITIVE_INFINITY;
  for (let i = 0; i < plan.runs; i++) {
    // One rule for the count and for the runs without a verdict (review 13: a NaN loss with a measure counted as neither).
    const t = netTrained(plan, cols, i);
    if (t === true) trained++;
    if (t === null) noMeasure++;
    if (cols.diverged[i]) diverged++;
    else {
      if ((cols.steps_to_threshold[i] as number) < 0) never++;
      const loss = cols.train_loss[i] as number;
      if (loss < bestLoss) {
        bestLoss = loss;
        bestShare = loss / (cols.initial_loss[i] as number);
      }
    }
  }
  const counts = [`${count(trained)} of ${count(plan.runs)} runs trained (${netTrainedRule(plan)})`, `${count(diverged)} diverged`];
  // A colouring of one quantity: the runs' counts, then that quantity's numbers. The threshold's
  // counts belong to the steps-to-threshold colouring (walkthrough 7 read them under a map of test
  // accuracy, and not a word of accuracy).
  const shown = quantityText(mode, cols, plan.runs);
  if (shown !== null) return `${counts.join('; ')}. ${shown}`;
  const standing = plan.runs - diverged;
  // A steps-to-threshold map all grey says nothing about the runs: say so plainly, and what would make it say something.
  const none = never > 0 && never === standing;
  const of = diverged > 0 ? `the ${count(standing)} that did not diverge` : `the ${count(standing)} runs`;
  const parts = [
    ...counts,
    none
      ? `none of ${of} reached the loss threshold (the steps-to-threshold colouring is all grey, "never")`
      : `${count(standing - never)} of ${of} reached the loss threshold (the other ${count(never)}: "never", grey in the steps-to-threshold colouring)`,
    ...(noMeasure > 0 ? [`${count(noMeasure)} without a convergence measure`] : []),
  ];
  const hint = none
    ? ` The threshold is network.threshold (unset: 1% of each run's initial loss)${Number.isFinite(bestLoss) ? `; the lowest final training loss here is ${formatNumber(bestLoss, 2)} (${formatNumber(100 * bestShare, 2)}% of its run's initial loss), so set network.threshold above it to see this colouring` : ''}.`
    : '';
  return `${parts.join('; ')}.${hint}`;
}

/**
 * The numbers of the quantity a network colouring shows, over the runs that have it (not diverged,
 * finite): the median and the best, and for test accuracy the share of runs at 90% or more. Null
 * for the colourings the run counts describe themselves (convergence, steps to threshold).
 */
function quantityText(
  mode: NetHeatmapMode,
  cols: Partial<Pick<NetColumns, 'test_loss' | 'test_accuracy' | 'sharpness' | 'sharpness_residual' | 'train_loss'>> & Pick<NetColumns, 'diverged'>,
  runs: number,
): string | null {
  const column = mode === 'accuracy' ? cols.test_accuracy : mode === 'test_loss' ? cols.test_loss : mode === 'train_loss' ? cols.train_loss : mode === 'sharpness' ? cols.sharpness : undefined;
  if (mode === 'convergence' || mode === 'steps' || !column) return null;
  const v: number[] = [];
  // The sharpness as the map colours it: |λ| where its estimate converged (walkthrough 18: "from
  // −0.00222" beside a legend of |λ| from 0.00222, an estimate that had not converged).
  const sharp = mode === 'sharpness' && cols.sharpness ? { sharpness: cols.sharpness, ...(cols.sharpness_residual ? { sharpness_residual: cols.sharpness_residual } : {}) } : null;
  for (let i = 0; i < runs; i++) {
    const x = sharp ? (shownSharpness(sharp, i) ?? Number.NaN) : (column[i] as number);
    if (!cols.diverged[i] && Number.isFinite(x)) v.push(x);
  }
  const name = mode === 'accuracy' ? 'Test accuracy' : mode === 'test_loss' ? 'Final test loss' : mode === 'train_loss' ? 'Final training loss' : 'Sharpness at the end (largest |eigenvalue| of the Hessian)';
  if (v.length === 0) return `${name}: no run has one.`;
  v.sort((a, b) => a - b);
  const median = v.length % 2 ? (v[(v.length - 1) / 2] as number) : ((v[v.length / 2 - 1] as number) + (v[v.length / 2] as number)) / 2;
  const of = v.length === runs ? '' : ` (of the ${count(v.length)} runs that have one)`;
  if (mode === 'accuracy') {
    const pc = (x: number): string => `${formatNumber(100 * x, 3)}%`;
    const good = v.filter((x) => x >= 0.9).length;
    return `${name}${of}: median ${pc(median)}, best ${pc(v[v.length - 1] as number)}; ${formatNumber((100 * good) / v.length, 3)}% of them at 90% or more.`;
  }
  const best = mode === 'sharpness' ? `from ${formatNumber(v[0] as number, 3)} to ${formatNumber(v[v.length - 1] as number, 3)}` : `best ${formatNumber(v[0] as number, 3)}`;
  return `${name}${of}: median ${formatNumber(median, 3)}, ${best}.`;
}

/** A run in words, from its coordinates and outcome: "lr 0.001, momentum 0.9: reached minimum 0; loss 1.2e-6". */
export function runText(coords: Readonly<Record<string, number>>, outcome: string, fields: Readonly<Record<string, number>>): string {
  const at = Object.entries(coords)
    .map(([k, v]) => `${shortParam(k)} ${formatNumber(v)}`)
    .join(', ');
  const steps = fields.steps_to_converge;
  const loss = fields.loss;
  const extra = [
    ...(steps !== undefined && steps >= 0 ? [`in ${count(steps)} steps`] : []),
    ...(loss !== undefined && Number.isFinite(loss) ? [`final loss ${formatNumber(loss)}`] : []),
  ];
  return `${at || 'the run'}: ${outcome}${extra.length ? `, ${extra.join(', ')}` : ''}.`;
}

/** A recorded path in words: where it starts and ends, after how many steps, or where it diverged. */
export function pathText(name: string, t: Trajectory): string {
  const n = t.x.length;
  const p = (k: number): string => `(${formatNumber(t.x[k] as number, 3)}, ${formatNumber(t.y[k] as number, 3)})`;
  let end = n - 1;
  while (end > 0 && !(Number.isFinite(t.x[end]) && Number.isFinite(t.y[end]))) end--;
  const tail = t.diverged ? `diverged at step ${count(t.divergedAt ?? lastStep(t))}` : `ends at ${p(end)} after ${count(lastStep(t))} steps, loss ${formatNumber(t.loss[end] as number)}`;
  const body = `from ${p(0)}, ${tail}`;
  return name ? `${name}: ${body}` : body;
}

/**
 * A result field of a run (surface or network) as the run panel shows it: a step count never
 * reached (-1) as "never" (with `how.never`, what was not reached: netThresholdText), the accuracy
 * as a percentage, infinities as signs, NaN as "–" (every other value as formatNumber writes it).
 * `how.minibatch`: the convergence measure's sign is its minibatch losses', which netTrained does
 * not go by then, so its words say whose it is.
 */
export function fieldText(key: string, v: number, how: { readonly never?: string; readonly minibatch?: boolean } = {}): string {
  if ((key === 'steps_to_threshold' || key === 'steps_to_converge') && v < 0) return how.never ? `never (${how.never})` : 'never';
  if (Number.isNaN(v)) return '–';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (key === 'test_accuracy') return `${formatNumber(100 * v, 3)}%`;
  // The fractal paper's measure reads only with its sign's meaning (walkthrough 7: "-65.49" said
  // nothing without the notes): −Σv when the run trained, Σ1/v when not, larger in size = slower.
  if (key === 'convergence') {
    // On minibatches the sign is the minibatch losses', not the outcome (netTrained): not "trained".
    const sign = how.minibatch ? (v < 0 ? 'its minibatch losses fell' : 'its minibatch losses did not fall') : v < 0 ? 'trained' : 'did not train';
    return `${formatNumber(v)} (${sign}; ${v < 0 ? 'more negative' : 'larger'} = slower)`;
  }
  return formatNumber(v);
}

/**
 * What the schedule chart draws when the map sweeps a value that shapes it (the LR, the momentum a
 * schedule may cycle, a schedule value): the chart is one curve, the middle run's (middleRun), and
 * says so ("Drawn at lr 0.000316, the middle run's; the map sweeps it: click a cell for its run's
 * own LR"). Not the spec's stored value: the editor shows "swept on x" in its place (walkthrough 12)
 * and no run has it (walkthrough 18: the sliders' curve at a swept group's stored LR of 0.1, its
 * runs 1e-4 … 1). Empty when nothing that shapes it is swept, or without a schedule (no chart then).
 */
export function scheduleNote(plan: Plan, selected = false): string {
  // No schedule, no chart (a constant LR is said in words).
  if (!plan.schedule) return '';
  const mom = findOptimizer(plan.spec.optimizer.name)?.momentumParam;
  // The momentum is drawn only where the schedule cycles it.
  const shapes = (p: string): boolean => p === 'optimizer.lr' || p.startsWith('schedule.') || (plan.cyclesMomentum && mom !== undefined && p === `optimizer.${mom}`);
  const middle = middleRun(plan);
  const at = plan.dims.flatMap((d, i) => (shapes(d.path) ? [`${shortParam(d.path)} ${formatNumber(sweepValue(plan, middle, i))}`] : []));
  // A schedule that follows the loss has no curve before a run is seen: the chart draws the LR it
  // starts from (walkthrough 6 read the flat line as the schedule doing nothing).
  const sched = plan.schedule.def;
  const plateau = sched.plateau
    ? `${sched.id} cuts the LR when a run's loss (at the point where each step took its gradient) has not improved for patience steps: it is stepped every step here, as a training loop that calls it every step would, and each run's LR is its own. The line is the LR every run starts from; click a cell for its run's LR per step.`
    : '';
  if (at.length === 0) return plateau;
  const one = at.length === 1;
  // With a run selected its own LR is drawn with its loss (walkthrough 16: "click a cell" stood beside it).
  const own = selected ? "the selected run's own LR is drawn with its loss per step" : "click a cell for its run's own LR";
  const drawn = `Drawn at ${at.join(', ')}, ${middleRunName(plan)}'s; the map sweeps ${one ? 'it' : 'them'}: ${own}.`;
  return plateau ? `${plateau} ${drawn}` : drawn;
}

/**
 * What the schedule is for, in plain words, under its heading (walkthrough 12: a student found it
 * only in the editor's tooltips), and, for SGD, why the map has no stability lines under a
 * schedule (they are the limits of a constant LR); `exactly`, its registry doc (the rule, torch's
 * equivalent), for a fold under it. Null without a schedule.
 */
export function schedulePurpose(plan: Plan): { readonly purpose: string; readonly exactly: string } | null {
  const s = plan.schedule;
  if (!s) return null;
  // Only where the map would have them without the schedule: SGD with an LR or momentum axis.
  const axes = plan.dims.some((d) => d.path === 'optimizer.lr' || d.path === 'optimizer.momentum');
  const lines = plan.optimizer.id === 'SGD' && axes ? " The map's dashed stability lines are limits for a constant LR, so none is drawn under a schedule." : '';
  const seq = sequenceText(plan.spec);
  return { purpose: `${s.def.purpose}${lines}${seq ? ` ${seq}` : ''}`, exactly: s.def.doc };
}

/**
 * A SequentialLR's phases in words (`LinearLR for steps 0–29, then OneCycleLR from step 30`), and,
 * where torch starts them from another LR than the optimizer's (SequentialLR.lrSetter), from which
 * and why: under LinearLR -> OneCycleLR the warm-up runs up to max_lr / div_factor, not to the
 * optimizer's lr, and the OneCycleLR warms up again after it (walkthrough 16: a double warm-up was
 * drawn without a word). '' for other schedules.
 */
export function sequenceText(spec: Pick<Spec, 'schedule' | 'optimizer' | 'steps'>): string {
  const s = spec.schedule;
  if (!s || s.name !== 'SequentialLR') return '';
  const ms = Array.isArray(s.params.milestones) ? s.params.milestones.map(Number) : [];
  const phases = s.schedulers.map((c, i) => {
    const from = i === 0 ? 0 : (ms[i - 1] ?? 0);
    if (from >= spec.steps) return `${c.name} (after the run's last step: never reached)`;
    const to = Math.min(i < ms.length ? (ms[i] ?? 0) - 1 : spec.steps - 1, spec.steps - 1);
    return to < from ? `${c.name} (no step: its milestone equals the next)` : i === s.schedulers.length - 1 ? `${c.name} from step ${from}` : `${c.name} for steps ${from}–${to}`;
  });
  const here = `Here: ${phases.join(', then ')}.`;
  if (!scheduleOverrides(spec).includes('lr')) return here;
  const setter = overrideChild('lr', s);
  const child = setter?.entry;
  const at = setter?.index ?? -1;
  const lr = typeof spec.optimizer.params.lr === 'number' ? ` (${formatNumber(spec.optimizer.params.lr)})` : '';
  const num = (v: unknown): string | null => (typeof v === 'number' ? formatNumber(v) : null);
  if (child?.name === 'OneCycleLR') {
    const max = child.params.max_lr;
    const div = child.params.div_factor;
    const start = typeof max === 'number' && typeof div === 'number' ? ` = ${formatNumber(max / div)}` : '';
    return `${here} torch's OneCycleLR sets the LR every scheduler starts from (initial_lr) to max_lr / div_factor${start} when it is built, and SequentialLR starts from it: ${at > 0 ? `the schedulers before it run from there, not from the optimizer's lr${lr}, and the OneCycleLR warms up again when its turn comes` : `the optimizer's lr${lr} is not used`}.`;
  }
  if (child?.name === 'CyclicLR') {
    const base = num(child.params.base_lr);
    return `${here} torch's CyclicLR, first, sets the LR every scheduler starts from to its base_lr${base ? ` (${base})` : ''}: the optimizer's lr${lr} is not used.`;
  }
  return `${here} Every scheduler here sets its LR from its own values: the optimizer's lr${lr} is not used.`;
}

/**
 * The sentence under the schedule's heading: without a schedule, that each run (or each lane of the
 * race) keeps its own LR (no chart then); with the race open, how its lanes run the schedule (the
 * map's "click a cell" does not apply there); else what the chart is drawn at (`scheduleNote`).
 */
export function scheduleText(plan: Plan, race: boolean, selected = false): string {
  if (!plan.schedule) {
    if (race) return 'No schedule: each lane of the race keeps its own lr at every step.';
    return `No schedule: every step uses the run's own lr${plan.dims.some((d) => d.path === 'optimizer.lr') ? ' (the map sweeps it)' : ` (${formatNumber(plan.P[P_OPTIMIZER] as number)})`}.`;
  }
  if (!race) return scheduleNote(plan, selected);
  return scheduleOverrides(plan.spec).includes('lr')
    ? `${overrideSetter('lr', plan.spec.schedule)} sets the LR of every lane of the race from its own values, as drawn: the lanes' lr has no effect.`
    : "Drawn at the editor's LR; each lane of the race runs this schedule from its own LR.";
}

/**
 * Whether the schedule chart's LR axis is logarithmic: where the curve stays positive and spends a
 * quarter of its steps or more under 5% of its top, which a linear axis would draw as 0 (StepLR's
 * x0.1 drops, a long ExponentialLR, a decaying triangular2 or exp_range cycle). Linear elsewhere:
 * where it reaches 0, and for the shapes that spend only their last stretch that low (a cosine to
 * eta_min 0 ends at a tiny positive LR; on a log axis its half cosine read as flat, then a cliff:
 * walkthrough 12; a one-cycle's warm-up read as a bump). No ratio test: the editor's own
 * ExponentialLR (down 100x over the run) ends at 99.1x its last LR drawn, and two x0.1 drops come
 * to 99.99999999999994 in floating point (review 15).
 */
export function logLrAxis(lr: ArrayLike<number>): boolean {
  let lo = Number.POSITIVE_INFINITY;
  let hi = 0;
  for (let k = 0; k < lr.length; k++) {
    lo = Math.min(lo, lr[k] as number);
    hi = Math.max(hi, lr[k] as number);
  }
  if (!(lo > 0)) return false;
  let low = 0;
  for (let k = 0; k < lr.length; k++) if ((lr[k] as number) < 0.05 * hi) low++;
  return low >= 0.25 * lr.length;
}
