/**
 * Sliders for the spec's fixed scalar hyperparameters (the optimiser's numbers not swept: lr,
 * momentum, betas, eps, …, and its LR schedule's: StepLR's step_size and gamma, OneCycleLR's
 * max_lr, a SequentialLR child's total_iters, …), free of the DOM.
 *
 * A slider's range is the range the editor proposes for sweeping that parameter
 * (`defaultAxisRange`, one definition for both), taken at the parameter's default so that it stays
 * put while the slider moves, and widened to hold the current value; always within the
 * parameter's allowed range. It is logarithmic where that range is (where it spans decades).
 * Schedule lengths (T_max, step_size, warmup steps) are counted in the run's steps, as their typical
 * ranges are: a slider moves them within the run and never changes its length.
 */
import { P_OPTIMIZER, P_SCHEDULE } from '../core/layout.ts';
import { evaluateSchedule } from '../core/steps.ts';
import type { NetPlan } from '../core/network/plan.ts';
import type { Plan } from '../core/plan.ts';
import { middleRun, middleRunName, scalePosition, sweepValue } from '../core/plan.ts';
import type { NumberParam, OptionalNumberParam, ParamSchema } from '../core/params.ts';
import type { ScheduleNode } from '../core/registry/index.ts';
import { findOptimizer, findSchedule } from '../core/registry/index.ts';
import { MAX_STEPS } from '../core/run-settings.ts';
import type { ScheduleSpec } from '../core/spec.ts';
import { overriddenKey, resolveNetPath, resolveParamPath, scheduleGroupLists, scheduleOverrides } from '../core/spec.ts';
import { leadingIndexed, netParamShort, shortParam } from '../view/caption.ts';
import type { SpecJSON } from './spec-edit.ts';
import { defaultAxisRange, getAt, netAxisRange, parses, setAt } from './spec-edit.ts';
import { formatNumber } from '../view/ticks.ts';
import { logLrAxis } from './summary.ts';
import { memoLast } from './memo.ts';

export interface SliderModel {
  /** The spec path the slider sets (`optimizer.lr`, `optimizer.betas.0`). */
  readonly path: string;
  readonly label: string;
  readonly value: number;
  readonly min: number;
  readonly max: number;
  readonly log: boolean;
  readonly int: boolean;
  /** The slider's end is an excluded bound of the parameter (lr > 0): the slider stops short of it. */
  readonly lowOpen: boolean;
  readonly highOpen: boolean;
  readonly doc: string;
  /**
   * The heading the slider stands under: the optimiser's (`optimizer · SGD`), the schedule's
   * (`schedule · StepLR`, a composite's child `schedulers[0] · LinearLR`) or the run's (`run`).
   */
  readonly group: string;
  /**
   * The range before it was narrowed to the values the spec accepts with the others as they are
   * (see validSpan): what a network slider keeps while its value stays inside.
   */
  readonly anchor: { readonly min: number; readonly max: number; readonly log: boolean };
}

/** Positions of a slider: a range input from 0 to this. */
export const SLIDER_STEPS = 1000;

/** Significant digits a slider sets (a slider is not for the fourth digit; the editor is). */
const SLIDER_DIGITS = 3;

/** A schedule parameter the sliders offer: a number, or an optional one while the spec sets it. */
interface ScheduleParam {
  /** Its spec path (`schedule.gamma`, `schedule.schedulers.1.T_max`). */
  readonly path: string;
  readonly schema: NumberParam | OptionalNumberParam;
  readonly group: string;
}

function isScalar(p: ParamSchema): p is NumberParam | OptionalNumberParam {
  return p.kind === 'number' || p.kind === 'int' || p.kind === 'optional-number' || p.kind === 'optional-int';
}

/**
 * The numeric parameters of a spec's schedule, its children's (a SequentialLR's or a
 * ChainedScheduler's) after its own; lists (milestones) have no slider: their entries must stay in
 * order and no typical range is declared for them.
 */
function scheduleParams(schedule: ScheduleSpec | null): ScheduleParam[] {
  if (!schedule) return [];
  const of = (s: ScheduleSpec, prefix: string, group: string): ScheduleParam[] =>
    (findSchedule(s.name)?.params ?? [])
      .filter(isScalar)
      .map((p) => ({ path: `${prefix}.${p.key}`, schema: p, group }));
  return [
    ...of(schedule, 'schedule', `schedule · ${schedule.name}`),
    ...schedule.schedulers.flatMap((c, i) => of(c, `schedule.schedulers.${i}`, `schedulers[${i}] · ${c.name}`)),
  ];
}

/** Runs longer than this keep every schedule slider: telling a value without effect apart takes a pass over every step. */
const EFFECT_CHECK_STEPS = 100_000;

/** What a schedule's curve is computed from: a plan's schedule tree and base parameter vector. */
interface CurveSource {
  /**
   * What the curve depends on beyond the slot moved, as text: the schedule's spec (its values fill
   * the schedule's block of P), the steps, whether it cycles momentum. A live re-run makes a new
   * plan at every step of a drag; the curve of the same schedule is computed once.
   */
  readonly key: string;
  readonly schedule: ScheduleNode | null;
  /** The parameter vectors whose curves a value may change: one, or each param group's where the schedule holds per-group lists. */
  readonly Ps: readonly Float64Array[];
  readonly steps: number;
  readonly cyclesMomentum: boolean;
}

/**
 * The LR (and the momentum it cycles) of every step, with P[slot] set to `v` (null: as the plan has
 * it), from a base LR of 1: what a value changes does not depend on the base LR's size, and an LR of
 * 0 (a default group that trains nothing) would hide every change.
 */
function curve(src: CurveSource, node: ScheduleNode, slot: number, v: number | null, from: Float64Array): Float64Array {
  const P = Float64Array.from(from);
  if (v !== null) P[slot] = v;
  P[P_OPTIMIZER] = 1;
  // LR then momentum in one array (compared as one); the momentum part stays 0 where not cycled.
  const c = new Float64Array(2 * src.steps);
  evaluateSchedule(node, P, 1, (x) => x, c.subarray(0, src.steps), src.cyclesMomentum ? c.subarray(src.steps) : null);
  return c;
}

/**
 * The last schedule's own curve and the answers given for it (CurveSource.key), computed once
 * however often its sliders are (on every step of a drag, each re-run a new plan).
 */
let effects: { readonly key: string; readonly base: readonly Float64Array[]; readonly answers: Map<string, boolean> } | null = null;

/** CurveSource.key: what a schedule's curve depends on beyond the slot a slider moves. */
function curveKey(schedule: ScheduleSpec | null, steps: number, cyclesMomentum: boolean): string {
  return JSON.stringify([schedule, steps, cyclesMomentum]);
}

/**
 * Whether a schedule value changes the run's LR or the momentum it cycles at some step when set to
 * either end of its slider: one without effect gets no slider (CyclicLR's gamma outside exp_range,
 * OneCycleLR's momenta without cycle_momentum, its epochs where total_steps is set). Evaluated with
 * the registry's own functions. A loss-driven schedule (ReduceLROnPlateau) and a run too long to
 * check keep every slider.
 */
function changesSchedule(src: CurveSource, slot: number, ends: readonly number[]): boolean {
  const node = src.schedule;
  if (!node || node.def.plateau || src.steps > EFFECT_CHECK_STEPS) return true;
  if (effects?.key !== src.key) effects = { key: src.key, base: src.Ps.map((P) => curve(src, node, slot, null, P)), answers: new Map() };
  const { base, answers } = effects;
  const key = `${slot} ${ends.join(' ')}`;
  let changes = answers.get(key);
  if (changes === undefined) {
    // In any group: with per-group lists one group's curve may stay while another's moves (review 17).
    changes = src.Ps.some((P, g) => ends.some((v) => curve(src, node, slot, v, P).some((x, i) => !Object.is(x, base[g]?.[i]))));
    answers.set(key, changes);
  }
  return changes;
}

/** An optimiser path that the schedule sets itself (`optimizer.lr` under OneCycleLR), a group's too. */
function overriddenBy(overrides: readonly string[]): (path: string) => boolean {
  return (path) => overriddenKey(overrides, path) !== null;
}

type Allowed = { min: number; max: number; minExclusive?: boolean; maxExclusive?: boolean };

/** A slider's range before it is narrowed to the values the spec accepts. */
interface Span {
  readonly min: number;
  readonly max: number;
  readonly log: boolean;
}

/** What a slider is, apart from its range. */
type SliderBase = Pick<SliderModel, 'path' | 'label' | 'value' | 'int' | 'doc' | 'group'>;

/** Whether the spec is valid with `path` set to `v` (everything else as it is). */
function validWith(json: SpecJSON, path: string): (v: number) => boolean {
  return (v) => parses(setAt(json, path, v));
}

/**
 * The part of `span` the spec accepts, found from `value` outwards: the rules that tie a value to
 * others and to the run (OneCycleLR's total_steps at least the run's steps, and a network's steps
 * at most it; a chained CosineAnnealingLR's T_max at least the steps; nesterov's momentum above 0).
 * Each end that the spec rejects moves in to the last accepted value, found by bisection (the
 * accepted values are taken to be one interval around `value`). A draft the spec rejects as it is
 * keeps the whole span: there is nothing to measure against.
 */
function validSpan(given: Span, value: number, int: boolean, valid: (v: number) => boolean): { min: number; max: number } {
  // An integer parameter's span from integers: from a fractional end every midpoint would be
  // fractional, refused, and the bisection would close onto the value itself.
  const span = int ? { ...given, min: Math.ceil(given.min), max: Math.floor(given.max) } : given;
  if (!valid(value)) return span;
  const end = (bad: number): number => {
    if (valid(bad)) return bad;
    let a = bad;
    let b = value;
    const log = span.log && a > 0 && b > 0;
    // To within a slider step: finer than that no position sets (momentum > 0 ends one step past 0, not at 1e-20).
    const close = (): boolean => (int ? Math.abs(b - a) <= 1 : log ? Math.abs(Math.log(b / a)) <= Math.log(span.max / span.min) / SLIDER_STEPS : Math.abs(b - a) <= (span.max - span.min) / SLIDER_STEPS);
    while (!close()) {
      const m = int ? a + Math.trunc((b - a) / 2) : log ? Math.sqrt(a * b) : (a + b) / 2;
      if (m === a || m === b) break;
      if (valid(m)) b = m;
      else a = m;
    }
    // A few digits, as the slider sets them, where those are still accepted.
    const tidy = int ? b : Number(b.toPrecision(SLIDER_DIGITS));
    return tidy !== b && valid(tidy) && (bad < value ? tidy <= value : tidy >= value) ? tidy : b;
  };
  return { min: end(span.min), max: end(span.max) };
}

/** A slider on `anchor` (already holding the value, inside the allowed range) narrowed to what the spec accepts; null where nothing is left to slide over. */
function slider(base: SliderBase, anchor: Span, allowed: Allowed, valid: (v: number) => boolean): SliderModel | null {
  const { min, max } = validSpan(anchor, base.value, base.int, valid);
  if (!(max > min)) return null;
  const log = anchor.log && min > 0;
  const lowOpen = allowed.minExclusive === true && min <= allowed.min;
  const highOpen = allowed.maxExclusive === true && max >= allowed.max;
  return { ...base, min, max, log, lowOpen, highOpen, anchor };
}

/**
 * The sliders of a spec (its JSON as normalised by the parser) and the plan that runs it: the
 * optimiser's values, then the schedule's. None for a value the schedule sets itself (the LR under
 * OneCycleLR, the momentum it cycles): dragging it would change nothing.
 */
export function paramSliders(json: SpecJSON, plan: Plan): SliderModel[] {
  const opt = findOptimizer(plan.spec.optimizer.name);
  if (!opt) return [];
  const swept = new Set(plan.dims.map((d) => d.path));
  const overridden = overriddenBy(scheduleOverrides(plan.spec));
  const out: SliderModel[] = [];
  const curves: CurveSource = { key: curveKey(plan.spec.schedule, plan.spec.steps, plan.cyclesMomentum), schedule: plan.schedule, Ps: [plan.P], steps: plan.spec.steps, cyclesMomentum: plan.cyclesMomentum };
  const add = (path: string, def: number | null, allowed: Allowed, int: boolean, doc: string, group: string, slot = -1): void => {
    const value = getAt(json, path);
    if (swept.has(path) || overridden(path) || typeof value !== 'number' || !fitsSlider(value, allowed)) return;
    // At the default, so that the range stays put while the value moves (an optional value without
    // one: at the value, which only a range that is not the registry's typical one depends on).
    const r = defaultAxisRange(def === null ? json : setAt(json, path, def), path);
    const min = Math.max(Math.min(r.min, value), allowed.min);
    const max = Math.min(Math.max(r.max, value), allowed.max);
    const m = slider({ path, label: shortParam(path), value, int, doc, group }, { min, max, log: r.scale === 'log' && min > 0 }, allowed, validWith(json, path));
    if (m && (slot < 0 || changesSchedule(curves, slot, [m.min, m.max]))) out.push(m);
  };
  const optGroup = `optimizer · ${opt.id}`;
  for (const p of opt.params) {
    if (p.kind === 'number' || p.kind === 'int') add(`optimizer.${p.key}`, p.default, p, p.kind === 'int', p.doc, optGroup);
    else if (p.kind === 'tuple') p.default.forEach((d, i) => add(`optimizer.${p.key}.${i}`, d, p, false, p.doc, optGroup));
  }
  for (const { path, schema, group } of scheduleParams(plan.spec.schedule)) {
    // The path's own rules (a parameter a sweep may not vary has no slider either).
    const t = resolveParamPath(plan.spec, path);
    if (typeof t !== 'string') add(path, schema.default, t.range, t.int, schema.doc, group, t.slot);
  }
  return out;
}

/**
 * Whether a value can sit on a slider over its allowed range: finite and inside it. A value the
 * editor refuses (steps 0) has no slider, the editor naming its problem, rather than a knob drawn
 * mid-track beside "0" (walkthrough 14).
 */
function fitsSlider(value: number, allowed: Allowed): boolean {
  return Number.isFinite(value) && value >= allowed.min && value <= allowed.max;
}

/** Where a value sits on its slider, 0..SLIDER_STEPS. */
export function sliderPosition(m: SliderModel, v: number): number {
  const u = scalePosition(v, m.min, m.max, m.log);
  return Math.round(Math.min(1, Math.max(0, u)) * SLIDER_STEPS);
}

/**
 * The value at a slider position, rounded to a few significant digits (integers for integer
 * parameters) and kept inside the slider's range, which lies inside the allowed one. An exclusive
 * bound (lr > 0 on a linear slider from 0) is never produced: the slider steps off it.
 */
export function sliderValue(m: SliderModel, pos: number): number {
  const u = Math.min(1, Math.max(0, pos / SLIDER_STEPS));
  let v = m.log ? m.min * (m.max / m.min) ** u : m.min + u * (m.max - m.min);
  v = m.int ? Math.round(v) : Number(v.toPrecision(SLIDER_DIGITS));
  v = Math.min(m.max, Math.max(m.min, v));
  const tiny = (m.max - m.min) / SLIDER_STEPS;
  if (m.lowOpen && v <= m.min) v = m.int ? m.min + 1 : Number((m.min + tiny).toPrecision(SLIDER_DIGITS));
  if (m.highOpen && v >= m.max) v = m.int ? m.max - 1 : Number((m.max - tiny).toPrecision(SLIDER_DIGITS));
  return v;
}

/**
 * Sliders for a network view's fixed values that make sense live: the optimiser's numbers, each
 * explicit param group's own overrides (`optimizer.param_groups.0.lr`: the layers it trains in the
 * label), the schedule's numbers (as paramSliders), the batch size (when the spec sets one; null
 * trains on the whole set) and the number of steps; none a sweep axis varies, none the schedule
 * sets itself. A slider's range is the editor's starting range for sweeping that value
 * (netAxisRange: LRs two decades either side of the value, momentum 0 … 0.99, schedule lengths as
 * multiples of the steps, the batch size 1 … the training set), taken once: `previous` (the sliders
 * shown before) keeps a slider's range while its value stays inside it and its entry is the same,
 * so a range anchored at an LR of 100 does not slide along as it is dragged; a value typed outside
 * it re-anchors it.
 */
export function netParamSliders(json: SpecJSON, plan: NetPlan, previous: readonly SliderModel[] = []): SliderModel[] {
  const opt = findOptimizer(plan.spec.optimizer.name);
  if (!opt) return [];
  const swept = new Set(plan.dims.map((d) => d.path));
  const setBySchedule = overriddenBy(scheduleOverrides(plan.spec));
  const before = new Map(previous.map((m) => [m.path, m]));
  const out: SliderModel[] = [];
  // The schedule's blocks are the same in every group's P but for per-group lists: then each group's curve counts.
  const lists = scheduleGroupLists(plan.spec.schedule).length > 0;
  const curves: CurveSource = {
    key: curveKey(plan.spec.schedule, plan.spec.steps, plan.cyclesMomentum),
    schedule: plan.schedule,
    Ps: lists ? plan.groups.map((g) => g.P) : [plan.groups.at(-1)?.P ?? new Float64Array(0)],
    steps: plan.spec.steps,
    cyclesMomentum: plan.cyclesMomentum,
  };
  const add = (path: string, label: string, allowed: Allowed, int: boolean, doc: string, group: string, range: () => Span, slot = -1): void => {
    const value = getAt(json, path);
    if (swept.has(path) || setBySchedule(path) || typeof value !== 'number' || !fitsSlider(value, allowed)) return;
    const old = before.get(path);
    let anchor: Span;
    // Another optimiser or schedule under the same path (StepLR's gamma, then ExponentialLR's) has its
    // own range. The range kept is the one before narrowing: the values the spec accepts move with
    // the others (a OneCycleLR's total_steps with the steps).
    if (old && old.group === group && value >= old.anchor.min && value <= old.anchor.max) anchor = old.anchor;
    else {
      const r = range();
      const min = Math.max(Math.min(r.min, value), allowed.min);
      anchor = { min, max: Math.min(Math.max(r.max, value), allowed.max), log: r.log && min > 0 };
    }
    const m = slider({ path, label, value, int, doc, group }, anchor, allowed, validWith(json, path));
    if (m && (slot < 0 || changesSchedule(curves, slot, [m.min, m.max]))) out.push(m);
  };
  const axis = (path: string) => (): Span => {
    const r = netAxisRange(json, path);
    return { min: r.min, max: r.max, log: r.scale === 'log' };
  };
  const keys = opt.params.flatMap((p) =>
    p.kind === 'number' || p.kind === 'int' ? [{ key: p.key, int: p.kind === 'int', doc: p.doc }] : p.kind === 'tuple' ? p.default.map((_, i) => ({ key: `${p.key}.${i}`, int: false, doc: p.doc })) : [],
  );
  // A group's value names the layers it trains; the optimiser's names them only where a group
  // overrides that key (else every group without its own value follows it: `momentum`).
  const overridden = (key: string): boolean => plan.spec.paramGroups.some((g) => Object.hasOwn(g.overrides, key.split('.')[0] ?? key));
  // A tuple element as the editor and torch index it (betas[1], not betas.1: walkthrough 22).
  const label = (path: string): string => {
    const key = path.replace(/^optimizer\.(param_groups\.\d+\.)?/, '');
    return leadingIndexed(path.startsWith('optimizer.param_groups.') || overridden(key) ? netParamShort(plan, path) : key);
  };
  const paths = [
    ...keys.map((k) => ({ ...k, path: `optimizer.${k.key}` })),
    // A group's own values only: the others follow the optimiser's slider.
    ...plan.spec.paramGroups.flatMap((_, g) => keys.map((k) => ({ ...k, path: `optimizer.param_groups.${g}.${k.key}` }))),
  ];
  const optGroup = `optimizer · ${opt.id}`;
  for (const k of paths) {
    const t = resolveNetPath(plan.spec, k.path);
    if (typeof t === 'string') continue;
    add(k.path, label(k.path), t.range, k.int, k.doc, optGroup, axis(k.path));
  }
  for (const { path, schema, group } of scheduleParams(plan.spec.schedule)) {
    const t = resolveNetPath(plan.spec, path);
    if (typeof t !== 'string') add(path, shortParam(path), t.range, t.int, schema.doc, group, axis(path), t.where.kind === 'slot' ? t.where.slot : -1);
  }
  add('network.batch_size', 'batch size', { min: 1, max: Math.max(1, plan.data.train.n) }, true, 'Samples per minibatch (drawn with replacement); the whole training set when the spec sets none.', 'run', () => ({
    min: 1,
    max: Math.max(2, plan.data.train.n),
    log: true,
  }));
  const steps = plan.spec.steps;
  add('steps', 'steps', { min: 1, max: MAX_STEPS }, true, 'Optimiser steps per run.', 'run', () => ({ min: Math.max(1, Math.round(steps / 10)), max: Math.max(2, steps * 10), log: true }));
  return out;
}

/** The schedule's LR over the run as sliderCurve draws it. */
export interface SliderCurve {
  readonly points: string;
  readonly log: boolean;
  /** The LR's range over the run, for the curve's title. */
  readonly min: number;
  readonly max: number;
  readonly steps: number;
  /** Whose LR it is where the groups' differ (per-group lists): `param_groups.0`; else absent. */
  readonly group?: string;
  /** The swept values the curve was drawn at (middleRun's), `lr 0.001`; absent where none feeds it. */
  readonly middle?: string;
  /** Whose they are: `the middle run` (a grid), `run 512` (a list: random, Sobol, points). */
  readonly middleName?: string;
}

/** Width and height of SliderCurve's box. */
export const CURVE_BOX = { width: 200, height: 28 } as const;

/**
 * The schedule's LR over the run, drawn small beside its sliders (the schedule chart is further down
 * the page, out of sight at narrow widths): `points` for an SVG polyline in a `width` x `height` box,
 * at most two per pixel column (each column's lowest and highest LR, so a short cycle reads as a
 * band rather than an aliased zigzag), on a log scale where the curve spans two decades (logLrAxis's
 * rule). From the editor's LR (a network: its first group that trains), as the schedule chart; a
 * swept value that feeds the schedule at the middle run's value (middleRun), named in `middle`.
 */
export function sliderCurve(plan: Plan | NetPlan): SliderCurve | null {
  const node = plan.schedule;
  if (!node || node.def.plateau) return null;
  const steps = plan.spec.steps;
  const group = 'groups' in plan ? (plan.groups.find((g) => (g.P[P_OPTIMIZER] as number) > 0) ?? plan.groups.at(-1)) : undefined;
  const stored = 'groups' in plan ? group?.P : plan.P;
  if (!stored || stored.length === 0) return null;
  // A swept value that feeds the schedule (the LR, T_max, …) is the middle run's, as on the schedule
  // chart (scheduleNote), and said: no run has the spec's stored one (walkthrough 18: a swept group's
  // stored LR of 0.1 labelled the curve while its runs spanned 1e-4 … 1).
  const P = Float64Array.from(stored);
  const run = middleRun(plan);
  const middle: string[] = [];
  plan.dims.forEach((d, i) => {
    const slot = !('where' in d) ? d.slot : d.where.kind === 'slot' && group && 'groups' in plan && d.where.groups.includes(plan.groups.indexOf(group)) ? d.where.slot : -1;
    if (slot !== P_OPTIMIZER && slot < P_SCHEDULE) return;
    const v = sweepValue(plan, run, i);
    P[slot] = v;
    middle.push(`${'groups' in plan ? netParamShort(plan, d.path) : shortParam(d.path)} ${formatNumber(v)}`);
  });
  const lr = new Float64Array(steps);
  evaluateSchedule(node, P, P[P_OPTIMIZER] as number, (x) => x, lr, null);
  const c = { ...curvePoints(lr, CURVE_BOX.width, CURVE_BOX.height), ...(middle.length > 0 ? { middle: middle.join(', '), middleName: middleRunName(plan) } : {}) };
  // With per-group lists the groups' curves differ: say whose this is.
  return group && scheduleGroupLists(plan.spec.schedule).length > 0 ? { ...c, group: group.name === 'default' ? 'default group' : group.name } : c;
}

/** SliderCurve of a per-step LR (see sliderCurve). */
export function curvePoints(lr: ArrayLike<number>, width: number, height: number): SliderCurve {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < lr.length; k++) {
    const v = lr[k] as number;
    if (Number.isFinite(v)) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  }
  const log = logLrAxis(lr);
  const f = (v: number): number => (log ? Math.log(v) : v);
  const [lo, hi] = [f(min), f(max)];
  // A flat curve sits in the middle; 1 px inside the box at either end of the range.
  const y = (v: number): number => (hi > lo ? 1 + (height - 2) * (1 - (f(v) - lo) / (hi - lo)) : height / 2);
  const n = lr.length;
  const cols = Math.max(1, Math.min(width, n));
  const pts: string[] = [];
  for (let c = 0; c < cols; c++) {
    const from = Math.floor((c * n) / cols);
    const to = Math.max(from + 1, Math.floor(((c + 1) * n) / cols));
    let a = Number.POSITIVE_INFINITY;
    let b = Number.NEGATIVE_INFINITY;
    let first = Number.NaN;
    for (let k = from; k < to; k++) {
      const v = lr[k] as number;
      if (!Number.isFinite(v)) continue;
      if (Number.isNaN(first)) first = v;
      a = Math.min(a, v);
      b = Math.max(b, v);
    }
    if (!(a <= b)) continue;
    const x = n <= 1 ? 0 : ((from + to - 1) / 2 / (n - 1)) * width;
    // The column's first value first, so that a step down draws as one stroke, not a loop back.
    const [p, q] = first === a ? [a, b] : [b, a];
    pts.push(`${x.toFixed(1)},${y(p).toFixed(1)}`);
    if (q !== p) pts.push(`${x.toFixed(1)},${y(q).toFixed(1)}`);
  }
  return { points: pts.join(' '), log, min: Number.isFinite(min) ? min : 0, max: Number.isFinite(max) ? max : 0, steps: n };
}

/**
 * The network view's sliders as the page keeps them between renders: each call hands
 * netParamSliders the sliders it returned last, so a slider keeps its range while its value stays in
 * it; recomputed only when the spec or the plan is a new object (as memoLast).
 */
export function keptNetSliders(): (json: SpecJSON, plan: NetPlan) => readonly SliderModel[] {
  let shown: SliderModel[] = [];
  return memoLast((json: SpecJSON, plan: NetPlan) => (shown = netParamSliders(json, plan, shown)));
}
