/**
 * The spec editor's logic, kept free of the DOM and of Lit so that it runs (and is unit-tested) in
 * node: edits of a spec's JSON form, the form model the `<bl-spec-editor>` element renders, number
 * formatting for display and parsing of what the user typed, and where each validation error is
 * shown.
 *
 * Every edit returns a new JSON object and never mutates its input: the element emits the result
 * and the controller validates it with `parseSpec`.
 *
 * Sweep axes start at their parameter's typical range (core/typical.ts), and move back to it when
 * the optimiser, the surface or the axis's parameter changes, unless the user set the axis's range
 * by hand: which axes are hand-set (`HandSet`, axis paths such as `sweep.x`) travels with the spec
 * through `applyEditTracked` / `applyActionTracked`. An axis over a value a newly chosen schedule
 * sets itself (the LR under OneCycleLR) moves to the schedule's value standing for it (max_lr).
 * Nothing here clamps or corrects a value the user typed; only values the editor proposes itself
 * (defaults, a schedule's lengths fitted to the run, ranges for a newly chosen sweep parameter) are
 * chosen to be valid.
 */
import { isRecord } from '../core/json.ts';
import { MAX_SCHEDULE_CHILDREN, MAX_SWEEP_DIMS } from '../core/layout.ts';
import type { ParamSchema, ParamValue, ParamValues } from '../core/params.ts';
import { inRange } from '../core/params.ts';
import type { ScheduleDef } from '../core/registry/index.ts';
import { OPTIMIZERS, SCHEDULES, SURFACES, findOptimizer, findSchedule, findSurface } from '../core/registry/index.ts';
import type { RunBlock, RunField, RunFieldExtras, RunSetting, SwitchKey } from '../core/run-settings.ts';
import { RUN_SETTINGS, U32_MAX, isBlock } from '../core/run-settings.ts';
import type { NetSpec, PathContext, Scale, ScheduleSpec } from '../core/spec.ts';
import { MAX_AXIS_COUNT, MAX_RUNS, groupLrListText, groupScheduleOverrides, overrideSetter, netTrainRows, compactTensorNames, tensorsOfOptimizerValue, overriddenKey, overrideStandIn, parseAnySpec, resolveNetPath, resolveParamPath, scheduleOverrides, sweepablePaths, torchGroupCount } from '../core/spec.ts';
import { DATA_SETS, findDataSet } from '../core/data/index.ts';
import { axisValues, distinctIntCount } from '../core/sampling.ts';
import { MAX_PARAM_GROUPS, NETWORK_PARAMS } from '../core/network/schema.ts';
import { DEFAULT_NET_SPEC, DEFAULT_SPEC } from './defaults.ts';
import { declaredTypical, scaledTypical, typicalRange, withinChildLimit } from '../core/typical.ts';
import { digitsFor } from '../view/ticks.ts';
import { count, shortParam } from '../view/caption.ts';

/** A spec in its JSON form, as `specToJSON` produces it (or as the editor last edited it). */
export type SpecJSON = Record<string, unknown>;

/** A validation error as the controller passes it in (a `SpecError` fits). */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/** `points`: explicit points from elsewhere (a study's LR ramps); shown, not edited point by point. */
export type SweepKind = 'none' | 'grid' | 'random' | 'sobol' | 'points';

/** Runs per grid axis the editor proposes for a new axis (256 × 256 is the app's classic heatmap). */
export const DEFAULT_AXIS_COUNT = 256;
/** Significant digits shown in number fields; the exact value is in the field's tooltip. */
const DISPLAY_DIGITS = 9;

// ---------------------------------------------------------------------------------------------
// JSON paths

function isIndex(segment: string): boolean {
  return /^\d+$/.test(segment);
}

/** The value at a dotted path (`optimizer.betas.0`), or undefined where the path does not exist. */
export function getAt(root: unknown, path: string): unknown {
  if (path === '') return root;
  let cur: unknown = root;
  for (const seg of path.split('.')) {
    if (Array.isArray(cur) && isIndex(seg)) cur = cur[Number(seg)];
    // Own keys only: a path from a draft never reads a prototype's `constructor` or `__proto__`.
    else if (isRecord(cur) && Object.hasOwn(cur, seg)) cur = cur[seg];
    else return undefined;
  }
  return cur;
}

function setIn(container: unknown, segs: readonly string[], value: unknown): unknown {
  const [seg, ...rest] = segs;
  if (seg === undefined) return value;
  if (Array.isArray(container) && isIndex(seg)) {
    const copy: unknown[] = [...container];
    copy[Number(seg)] = setIn(copy[Number(seg)], rest, value);
    return copy;
  }
  if (isRecord(container)) return { ...container, [seg]: setIn(Object.hasOwn(container, seg) ? container[seg] : undefined, rest, value) };
  // A missing (or scalar) intermediate becomes the container the next segment implies.
  if (isIndex(seg)) {
    const arr: unknown[] = [];
    arr[Number(seg)] = setIn(undefined, rest, value);
    return arr;
  }
  return { [seg]: setIn(undefined, rest, value) };
}

/** A copy of `root` with the value at `path` replaced; containers on the way are copied, not shared. */
export function setAt(root: SpecJSON, path: string, value: unknown): SpecJSON {
  if (path === '') throw new Error('setAt needs a non-empty path');
  const out = setIn(root, path.split('.'), value);
  return isRecord(out) ? out : root;
}

// ---------------------------------------------------------------------------------------------
// Numbers: compact display, exact parsing

/**
 * A number as a field shows it: at most 9 significant digits (float noise such as
 * 0.00009999999999 shows as 1e-4), and exponent notation where it saves at least two characters
 * (1e-4, 1e6, but 0.001, 1000). Integer fields show integers in full. Nine digits is more than
 * anyone types; a value with more shows its exact form in the field's tooltip and is emitted
 * unchanged unless the user edits that field.
 */
export function fieldNumberText(x: number, int = false, digits = DISPLAY_DIGITS): string {
  if (!Number.isFinite(x)) return String(x);
  if (int && Number.isInteger(x) && Math.abs(x) < 1e21) return String(x);
  const r = Number(x.toPrecision(digits));
  const plain = String(r).replace('e+', 'e');
  const exp = r.toExponential().replace('e+', 'e');
  return exp.length + 2 <= plain.length ? exp : plain;
}

/**
 * Significant digits that tell the ends of a range apart: the fields' usual 9, or more for a range
 * narrower than that shows (a deep zoom's 475.4020361746 ... 475.4020361751 read 475.402036 twice),
 * up to the 17 that identify a float64.
 */
export function rangeDigits(min: unknown, max: unknown): number {
  if (typeof min !== 'number' || typeof max !== 'number' || !(max > min) || !Number.isFinite(max - min)) return DISPLAY_DIGITS;
  return digitsFor(Math.max(Math.abs(min), Math.abs(max)), max - min, 3, DISPLAY_DIGITS);
}

/** The text of a number field for any JSON value it may hold (an edit may have left a non-number). */
export function formatValue(v: unknown, int = false, digits = DISPLAY_DIGITS): string {
  if (typeof v === 'number') return fieldNumberText(v, int, digits);
  if (v === null || v === undefined) return '';
  return String(v);
}

/**
 * What a number field's text means: '' is null (None for optional parameters; for the others
 * parseSpec reports the missing number at the field's path), a finite number is `Number(text)`,
 * exactly as typed: not rounded to an integer, not clamped. Anything else ("abc", "NaN", "1e999") is
 * kept as its text, so that parseSpec's error quotes what was typed (NaN and Infinity became JSON
 * null: "got null" for "abc", walkthrough 8) and the field keeps showing it.
 */
export function parseNumberInput(text: string): number | string | null {
  const t = text.trim();
  if (t === '') return null;
  return decimal(t);
}

/**
 * A typed number as decimal digits (1, -0.5, 1e-3, .5), or its text: Number() also reads 0x10,
 * 0b11 and 0o7, which a decimal field should not take as 16, 3 and 7 unsaid (walkthrough 15).
 */
function decimal(t: string): number | string {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return t;
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
}

/**
 * An integer list typed as "30, 80" (commas and/or spaces). A token that is not a number is kept
 * as its text, so that parseSpec names it at its index instead of the editor dropping it.
 */
export function parseListInput(text: string): (number | string)[] {
  // Spaces separate as commas do; an empty place between two commas ("8,,8") is kept, as '', for the
  // reader to name (walkthrough 15: it read as [8, 8]); one trailing comma is Python's, and allowed.
  const parts = text.trim().split(/\s*,\s*/);
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length === 1 && parts[0] === '') return [];
  return parts.flatMap((p) => (p === '' ? [''] : p.split(/\s+/))).map(decimal);
}

export function formatList(v: unknown): string {
  return Array.isArray(v) ? v.map((x) => (typeof x === 'number' ? fieldNumberText(x, true) : String(x))).join(', ') : formatValue(v);
}

/**
 * An allowed range for hints, e.g. `[0, inf)`, `(0, 1]`, with compact numbers; `[1, steps]` for a
 * run-level field counting steps of the run; for an unbounded one (torch's dampening, gamma) that
 * torch does not check it, where `(-inf, inf)` read like a range to keep within.
 */
export function rangeHint(
  r: { min: number; max: number; minExclusive?: boolean; maxExclusive?: boolean; upToSteps?: true },
  int = false,
): string {
  // Not "any number": a student read "gamma: any number" as "a negative gamma is fine" (walkthrough 6).
  if (unbounded(r) && !r.upToSteps) return int ? 'an integer; torch does not check its range' : 'torch does not check its range';
  const f = (x: number): string =>
    x === Number.POSITIVE_INFINITY ? 'inf' : x === Number.NEGATIVE_INFINITY ? '-inf' : fieldNumberText(x, int);
  const lo = r.minExclusive || r.min === Number.NEGATIVE_INFINITY ? '(' : '[';
  const hi = r.maxExclusive || r.max === Number.POSITIVE_INFINITY ? ')' : ']';
  return `${lo}${f(r.min)}, ${r.upToSteps ? 'steps' : f(r.max)}${hi}`;
}

/** Whether a range allows every number (no bound on either side). */
function unbounded(r: { min: number; max: number }): boolean {
  return r.min === Number.NEGATIVE_INFINITY && r.max === Number.POSITIVE_INFINITY;
}

/** Numbers the editor proposes (not ones the user typed) are tidied of float noise. */
export function tidy(x: number): number {
  return Number(x.toPrecision(12));
}

// ---------------------------------------------------------------------------------------------
// Entries (surface, optimizer, schedule)

function defaultValues(schema: readonly ParamSchema[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of schema) out[p.key] = Array.isArray(p.default) ? [...p.default] : p.default;
  return out;
}

function nameOf(entry: unknown): string {
  return isRecord(entry) && typeof entry.name === 'string' ? entry.name : '';
}

/** Entry values as the registry's helpers read them; anything that is not a ParamValue is left out. */
function paramValues(entry: unknown): ParamValues {
  const out: Record<string, ParamValue> = {};
  if (!isRecord(entry)) return out;
  for (const [k, v] of Object.entries(entry)) {
    if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string' || v === null) out[k] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === 'number')) out[k] = v;
  }
  return out;
}

function scheduleView(entry: unknown): ScheduleSpec | null {
  if (!isRecord(entry)) return null;
  const kids = Array.isArray(entry.schedulers) ? entry.schedulers : [];
  return {
    name: nameOf(entry),
    params: paramValues(entry),
    schedulers: kids.map((c) => scheduleView(c) ?? { name: '', params: {}, schedulers: [] }),
  };
}

/** The run-level blocks that are off unless a spec gives them (SWA, SAM), in schema order. */
const SWITCH_BLOCKS: readonly RunBlock[] = (RUN_SETTINGS as readonly RunSetting[]).filter(isBlock).filter((b) => b.absent === 'off');

/** The switchable block at a top-level key, if it is one. */
function switchBlock(key: string): RunBlock | undefined {
  return SWITCH_BLOCKS.find((b) => b.key === key);
}

/**
 * The entries of a (possibly invalid) spec JSON in the shape `sweepablePaths` and
 * `resolveParamPath` take. They read only names, so an unvalidated draft is fine; an unknown name
 * simply yields no paths for that entry. Of the switchable blocks only whether each is on matters
 * (SAM on makes sam.rho sweepable), not its values.
 */
export function entriesView(spec: SpecJSON): PathContext {
  const on: { [K in SwitchKey]?: object | null } = {};
  for (const b of SWITCH_BLOCKS) on[b.key as SwitchKey] = isRecord(spec[b.key]) ? {} : null;
  return {
    surface: { name: nameOf(spec.surface), params: paramValues(spec.surface) },
    optimizer: { name: nameOf(spec.optimizer), params: paramValues(spec.optimizer) },
    schedule: scheduleView(spec.schedule),
    ...on,
  };
}

/**
 * What the editor proposes for a field of a block it switches on: the field's default, and for a
 * required field counting steps (SWA's start, which torch leaves to the user) 75% of the run, since
 * the SWA paper averages over the last quarter of training.
 */
function proposal(spec: SpecJSON, f: RunField): unknown {
  if (!('required' in f && f.required)) return Array.isArray(f.default) ? [...(f.default as readonly number[])] : f.default;
  if (f.upToSteps) {
    const steps = typeof spec.steps === 'number' && Number.isInteger(spec.steps) && spec.steps >= 1 ? spec.steps : 1;
    return Math.max(f.min, Math.floor(0.75 * steps));
  }
  return f.default;
}

/** A block as the editor switches it on, e.g. sam's `{ rho: 0.05, adaptive: false }`. */
export function blockOn(spec: SpecJSON, block: RunBlock): Record<string, unknown> {
  return Object.fromEntries(block.fields.map((f) => [f.key, proposal(spec, f)]));
}

function withoutKey(spec: SpecJSON, key: string): SpecJSON {
  const out: SpecJSON = {};
  for (const [k, v] of Object.entries(spec)) if (k !== key) out[k] = v;
  return out;
}

/** A switchable block (SAM, SWA) switched on (with what `blockOn` proposes) or off (removed, as a spec without it). */
export function setBlock(spec: SpecJSON, block: RunBlock, on: boolean): SpecJSON {
  if (!on) return withoutKey(spec, block.key);
  if (isRecord(spec[block.key])) return spec;
  return { ...spec, [block.key]: blockOn(spec, block) };
}

function sameStart(start: unknown, def: readonly [number, number]): boolean {
  return Array.isArray(start) && start.length === 2 && start[0] === def[0] && start[1] === def[1];
}

/**
 * Another surface, with its default parameters. The start point follows to the new surface's
 * default start only if it was still the old surface's default: a start the user chose is kept.
 * Sweep axes not set by hand move to their typical ranges (a start axis spans the new view), and an
 * axis over a parameter the new surface lacks moves to another parameter (`fitAxes`).
 */
export function switchSurface(spec: SpecJSON, name: string, handSet: HandSet = NONE_SET): SpecJSON {
  const def = findSurface(name);
  if (!def) return setAt(spec, 'surface.name', name);
  const old = findSurface(nameOf(spec.surface));
  const next: SpecJSON = { ...spec, surface: { name: def.id, ...defaultValues(def.params) } };
  if (old && sameStart(spec.start, old.defaultStart)) next.start = [...def.defaultStart];
  return fitAxes(next, handSet, true);
}

/** Replaces a sweep axis's parameter path wherever an axis names `from`. */
function renameSweepParam(spec: SpecJSON, from: string, to: string): SpecJSON {
  let out = spec;
  for (const axis of axisPaths(spec)) {
    if (getAt(out, `${axis}.param`) === from) out = setAt(out, `${axis}.param`, to);
  }
  return out;
}

/**
 * Another optimiser, with its default parameters except `lr`, which is kept (the LR is what a user
 * has tuned and what every optimiser has), and a network's param groups. A sweep axis over the old optimiser's momentum (SGD's
 * `momentum`, Adam's `betas.0`) moves to the new one's, so an LR × momentum heatmap survives the
 * switch; then every axis not set by hand moves to its typical range for the new optimiser (Adam's
 * LRs are not SGD's), and an axis over a parameter it lacks moves to another one (`fitAxes`).
 */
export function switchOptimizer(spec: SpecJSON, name: string, handSet: HandSet = NONE_SET): SpecJSON {
  const def = findOptimizer(name);
  if (!def) return setAt(spec, 'optimizer.name', name);
  const oldEntry = spec.optimizer;
  const values = defaultValues(def.params);
  if (isRecord(oldEntry) && oldEntry.lr !== undefined && 'lr' in values) values.lr = oldEntry.lr;
  // A network's param groups stay: their tensors, and the values they set that the new optimiser
  // has per group too (the LR always); the axes over them with them.
  if (isRecord(oldEntry) && Array.isArray(oldEntry.param_groups)) {
    const keep = new Set(['params', ...def.params.map((p) => p.key).filter((k) => !Object.hasOwn(def.globalParams ?? {}, k))]);
    values.param_groups = oldEntry.param_groups.map((g) => (isRecord(g) ? Object.fromEntries(Object.entries(g).filter(([k]) => keep.has(k))) : g));
  }
  let next: SpecJSON = { ...spec, optimizer: { name: def.id, ...values } };
  const oldMom = findOptimizer(nameOf(oldEntry))?.momentumParam ?? null;
  if (oldMom && def.momentumParam && oldMom !== def.momentumParam) {
    next = renameSweepParam(next, `optimizer.${oldMom}`, `optimizer.${def.momentumParam}`);
  }
  return fitAxes(next, handSet, true);
}

/** Schedules a composite (SequentialLR) may hold. */
export function childScheduleDefs(): ScheduleDef[] {
  return SCHEDULES.filter((s) => !s.children);
}

/**
 * A schedule as the editor proposes it for `steps` scheduler steps (the run's, or the share of it a
 * composite's child is active for): its defaults, with the lengths it declares as its span fitted to
 * those steps (`ScheduleDef.fitRun`: a cosine annealed over the run, OneCycleLR's total_steps, which
 * torch requires), and, as a composite's child, without momentum cycling: ChainedScheduler refuses
 * it, and under SequentialLR a cycling child sets the momentum of the whole run, the children before
 * its milestone included (torch's constructors write it: registry/schedules/SequentialLR.ts), which
 * a proposal should not spring on anyone; typed or pasted, torch's default (cycling) holds.
 */
function proposedSchedule(def: ScheduleDef, steps: number, child: boolean): Record<string, unknown> {
  const entry: Record<string, unknown> = { name: def.id, ...defaultValues(def.params), ...def.fitRun?.(steps, child) };
  if (child && Object.hasOwn(entry, 'cycle_momentum') && def.cyclesMomentum(paramValues(entry))) entry.cycle_momentum = false;
  return entry;
}

/**
 * Scheduler steps child `i` of a composite is active for in a run of `steps`: from the milestone at
 * which it takes over to the next one (or the run's end) under SequentialLR; the whole run under
 * ChainedScheduler, whose children have no milestones and step together. At least 1.
 */
function childSpan(milestoneList: readonly unknown[], steps: number, i: number): number {
  if (milestoneList.length === 0) return steps;
  const at = (j: number): number | null => {
    const m = milestoneList[j];
    return typeof m === 'number' && Number.isFinite(m) ? m : null;
  };
  const from = i === 0 ? 0 : (at(i - 1) ?? 0);
  const until = Math.min(steps, i < milestoneList.length ? (at(i) ?? steps) : steps);
  return Math.max(1, until - from);
}

/** The usual warmup-then-anneal pair, else the first child kinds the registry has. */
function defaultChildKinds(def: ScheduleDef): ScheduleDef[] {
  const n = def.children?.min ?? 0;
  const kinds = childScheduleDefs();
  const preferred = ['LinearLR', 'CosineAnnealingLR']
    .map((id) => findSchedule(id))
    .filter((d): d is ScheduleDef => d !== undefined && !d.children);
  const out: ScheduleDef[] = [];
  for (let i = 0; i < n; i++) {
    const d = preferred[i] ?? kinds[i % Math.max(1, kinds.length)];
    if (d) out.push(d);
  }
  return out;
}

/**
 * Another schedule, as `proposedSchedule` makes it for the run (a composite with default children,
 * each fitted to the steps it is active for); '' or 'none' is no schedule. Axes follow (`fitAxes`):
 * one over a value the new schedule sets itself (the LR under OneCycleLR) moves to the schedule's
 * value standing for it (schedule.max_lr), one over the old schedule's values to another parameter.
 */
export function switchSchedule(spec: SpecJSON, name: string, handSet: HandSet = NONE_SET): SpecJSON {
  if (name === '' || name.toLowerCase() === 'none') return fitAxes({ ...spec, schedule: null }, handSet, false);
  const def = findSchedule(name);
  if (!def) return setAt(spec, 'schedule.name', name);
  const steps = draftSteps(spec);
  const entry = proposedSchedule(def, steps, false);
  if (def.children) {
    const ms = Array.isArray(entry.milestones) ? (entry.milestones as unknown[]) : [];
    entry.schedulers = defaultChildKinds(def).map((d, i) => proposedSchedule(d, childSpan(ms, steps, i), true));
  }
  return scheduleChanged({ ...spec, schedule: entry }, handSet);
}

/**
 * The spec after its schedule changed (another schedule, a child switched, added or removed): the
 * param groups' values the schedule now sets dropped, and the axes over them, or over values the
 * schedule now sets itself, moved (`fitAxes`). A child can make the LR the schedule's: a OneCycleLR
 * after a warm-up, or one that takes a CyclicLR's place first (SequentialLR.lrSetter).
 */
function scheduleChanged(spec: SpecJSON, handSet: HandSet = NONE_SET): SpecJSON {
  return fitAxes(dropScheduledGroupValues(spec), handSet, false);
}

/**
 * The spec without the param groups' values its schedule sets in every group (OneCycleLR's LR, a
 * cycled momentum), which the reader refuses as having no effect (walkthrough 13): a schedule
 * picked over per-layer LRs takes them over, as in torch.
 */
function dropScheduledGroupValues(spec: SpecJSON): SpecJSON {
  const keys = groupScheduleOverrides(entriesView(spec));
  const list = groups(spec);
  if (keys.length === 0 || !list.some((g) => isRecord(g) && keys.some((k) => k in g))) return spec;
  return setAt(spec, 'optimizer.param_groups', list.map((g) => (isRecord(g) ? Object.fromEntries(Object.entries(g).filter(([k]) => !keys.includes(k))) : g)));
}

function children(spec: SpecJSON): unknown[] {
  const list = getAt(spec, 'schedule.schedulers');
  return Array.isArray(list) ? list : [];
}

function milestones(spec: SpecJSON): unknown[] {
  const list = getAt(spec, 'schedule.milestones');
  return Array.isArray(list) ? list : [];
}

/** Most children the current composite schedule may hold. */
export function maxChildren(spec: SpecJSON): number {
  const def = findSchedule(nameOf(spec.schedule));
  return Math.min(def?.children?.max ?? 0, MAX_SCHEDULE_CHILDREN);
}

export function minChildren(spec: SpecJSON): number {
  return findSchedule(nameOf(spec.schedule))?.children?.min ?? 0;
}

/** Replaces child `i` of the composite schedule with another kind, as proposed for the steps it is active for. */
export function switchChildSchedule(spec: SpecJSON, index: number, name: string, handSet: HandSet = NONE_SET): SpecJSON {
  const def = findSchedule(name);
  if (!def) return setAt(spec, `schedule.schedulers.${index}.name`, name);
  const entry = proposedSchedule(def, childSpan(milestones(spec), draftSteps(spec), index), true);
  return scheduleChanged(setAt(spec, `schedule.schedulers.${index}`, entry), handSet);
}

/**
 * Appends a child schedule (CosineAnnealingLR, the usual last phase) and a milestone for it, halfway
 * between the last milestone and the end of the run, so the milestones keep matching the children;
 * the new child spans the steps it is active for.
 */
export function addChildSchedule(spec: SpecJSON): SpecJSON {
  const kids = children(spec);
  if (kids.length >= maxChildren(spec)) return spec;
  const def = findSchedule('CosineAnnealingLR') ?? childScheduleDefs()[0];
  if (!def) return spec;
  const ms = milestones(spec);
  const nums = ms.filter((m): m is number => typeof m === 'number' && Number.isFinite(m));
  const last = nums.length > 0 ? Math.max(...nums) : 0;
  const steps = typeof spec.steps === 'number' ? spec.steps : last + 2;
  const next = Math.max(last + 1, Math.round(last + (steps - last) / 2));
  // Milestones count one fewer than the children; only top up when they matched before.
  const topUp = ms.length === kids.length - 1;
  const newMs = topUp ? [...ms, next] : ms;
  const child = proposedSchedule(def, childSpan(newMs, draftSteps(spec), kids.length), true);
  let out = setAt(spec, 'schedule.schedulers', [...kids, child]);
  if (topUp) out = setAt(out, 'schedule.milestones', newMs);
  return scheduleChanged(out);
}

/**
 * A new run length, with the schedule's lengths that were fitted to the old one (as `proposedSchedule`
 * fits them: a cosine's T_max, OneCycleLR's total_steps, WSD's phases, a composite child's span)
 * fitted to the new one, so that a run made longer does not end its OneCycleLR early (which torch
 * refuses) or anneal over a stretch of it. A length the user changed from its fitted value stays.
 */
export function setSteps(spec: SpecJSON, steps: number | string | null): SpecJSON {
  const old = spec.steps;
  const next = setAt(spec, 'steps', steps);
  const valid = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1;
  if (!valid(old) || !valid(steps) || old === steps || !isRecord(spec.schedule)) return next;
  const refit = (entry: unknown, from: number, to: number, child: boolean): unknown => {
    if (!isRecord(entry)) return entry;
    const def = findSchedule(nameOf(entry));
    const was = def?.fitRun?.(from, child);
    if (!def?.fitRun || !was) return entry;
    const now = def.fitRun(to, child);
    // A list (MultiStepLR's milestones) compares element by element.
    const same = (a: unknown, b: number | readonly number[] | undefined): boolean =>
      b === undefined ? false : Array.isArray(b) ? Array.isArray(a) && a.length === b.length && b.every((x, i) => a[i] === x) : a === b;
    // Only the values that depend on the run's length: CyclicLR's proposed base_lr does not, and
    // a base_lr typed by hand must not keep its step_size_up from following the run.
    const moving = Object.keys(was).filter((k) => !same(now[k], was[k]));
    // All of those or none: WSD's three phases are fitted together.
    if (!moving.every((k) => same(entry[k], was[k]))) return entry;
    return { ...entry, ...Object.fromEntries(moving.map((k) => [k, now[k]])) };
  };
  const list = (s: unknown): unknown[] => (isRecord(s) && Array.isArray(s.milestones) ? (s.milestones as unknown[]) : []);
  let schedule = refit(spec.schedule, old, steps, false);
  if (isRecord(schedule) && Array.isArray(schedule.schedulers)) {
    // A child's span before, under the old milestones, and after, under the refitted ones.
    const was = list(spec.schedule);
    const now = list(schedule);
    schedule = { ...schedule, schedulers: schedule.schedulers.map((c, i) => refit(c, childSpan(was, old, i), childSpan(now, steps, i), true)) };
  }
  return setAt(next, 'schedule', schedule);
}

/**
 * Removes child `i` and the milestone at which it took over (for the first child, the milestone at
 * which the second took over, since the second now starts at step 0).
 */
export function removeChildSchedule(spec: SpecJSON, index: number): SpecJSON {
  const kids = children(spec);
  if (kids.length <= minChildren(spec) || index < 0 || index >= kids.length) return spec;
  let out = setAt(spec, 'schedule.schedulers', kids.filter((_, i) => i !== index));
  const ms = milestones(spec);
  if (ms.length > 0) {
    const drop = Math.max(0, Math.min(index - 1, ms.length - 1));
    out = setAt(out, 'schedule.milestones', ms.filter((_, i) => i !== drop));
  }
  return scheduleChanged(out);
}

// ---------------------------------------------------------------------------------------------
// Sweep

/** Paths of the sweep's axes: `sweep.x`, `sweep.y` for a grid, `sweep.dims.<i>` for the others. */
export function axisPaths(spec: SpecJSON): string[] {
  const s = spec.sweep;
  if (!isRecord(s)) return [];
  if (s.kind === 'random' || s.kind === 'sobol') {
    return Array.isArray(s.dims) ? s.dims.map((_, i) => `sweep.dims.${i}`) : [];
  }
  if (s.kind === 'points') return [];
  return ['sweep.x', ...(isRecord(s.y) ? ['sweep.y'] : [])];
}

export function sweepKind(spec: SpecJSON): SweepKind {
  const s = spec.sweep;
  if (!isRecord(s)) return 'none';
  return s.kind === 'random' || s.kind === 'sobol' || s.kind === 'points' ? s.kind : 'grid';
}

/**
 * What an explicit points sweep's points span, per parameter (min > max where no point has a
 * number for it). A loop, not Math.min(...): a sweep may hold a million points.
 */
function pointsSpans(s: Record<string, unknown>): { readonly param: unknown; readonly min: number; readonly max: number }[] {
  const params = Array.isArray(s.params) ? s.params : [];
  const points = Array.isArray(s.points) ? s.points : [];
  return params.map((param, k) => {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const row of points) {
      const v: unknown = Array.isArray(row) ? row[k] : undefined;
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    return { param, min, max };
  });
}

/**
 * A points sweep's parameters as axes over the ranges they span (log where that is two decades above
 * 0); a parameter whose points hold one value (or none) takes its typical range.
 */
function pointsRanges(spec: SpecJSON, s: Record<string, unknown>): Record<string, unknown>[] {
  return pointsSpans(s).map(({ param, min, max }) => {
    if (!(max > min)) return typeof param === 'string' ? { ...axisRange(spec, param) } : { param, min: 0, max: 1, scale: 'linear' };
    return { param, min, max, scale: min > 0 && max / min >= 100 ? 'log' : 'linear' };
  });
}

/** A path an axis may name, with what the parameter allows. */
interface AxisTarget {
  readonly path: string;
  readonly int: boolean;
  readonly range: { min: number; max: number; minExclusive?: boolean; maxExclusive?: boolean };
}

/** Whether parseAnySpec accepts a draft as it is (its problems are the editor's to show, not this answer's). */
export function parses(spec: SpecJSON): boolean {
  try {
    parseAnySpec(spec);
    return true;
  } catch {
    return false;
  }
}

/** A network draft as parseAnySpec reads it, without its sweep (an axis being edited does not hide the rest), or null. */
export function parsedNet(spec: SpecJSON): NetSpec | null {
  try {
    const parsed = parseAnySpec({ ...spec, sweep: null });
    return parsed.problem === 'network' ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * Every path a sweep axis of this spec may name, in the order the menu lists them. A surface's:
 * core's `sweepablePaths` (the optimiser's, the schedule's, the surface's and the run's numeric
 * values). A network's: the same paths where `resolveNetPath` takes them (no surface, no start),
 * each explicit param group's optimiser values and the batch size; null while the draft does not
 * parse (nothing is then known about its paths).
 */
function sweepTargets(spec: SpecJSON): AxisTarget[] | null {
  if (problemOf(spec) !== 'network') return sweepablePaths(entriesView(spec));
  const net = parsedNet(spec);
  if (!net) return null;
  const paths = sweepablePaths(entriesView(spec)).map((t) => t.path);
  const optimizer = paths.filter((p) => p.startsWith('optimizer.'));
  const candidates = [
    ...optimizer,
    ...net.paramGroups.flatMap((_, i) => optimizer.map((p) => p.replace(/^optimizer\./, `optimizer.param_groups.${i}.`))),
    ...paths.filter((p) => p.startsWith('schedule.')),
    'network.batch_size',
    ...paths.filter((p) => !p.startsWith('optimizer.') && !p.startsWith('schedule.')),
  ];
  return candidates.flatMap((path) => {
    const t = resolveNetPath(net, path);
    return typeof t === 'string' ? [] : [{ path, int: t.int, range: t.range }];
  });
}

/** An optimiser path without its param group (`optimizer.param_groups.0.lr` is a group's `optimizer.lr`). */
function ungrouped(path: string): string {
  return path.replace(/^optimizer\.param_groups\.\d+\./, 'optimizer.');
}

/**
 * Whether the schedule sets `param` itself (core's `scheduleOverrides`: the LR under CyclicLR and
 * OneCycleLR, a group's LR too, the momentum they cycle), so that sweeping it changes nothing.
 */
function setBySchedule(spec: SpecJSON, param: string): boolean {
  return overriddenKey(scheduleOverrides(entriesView(spec)), param) !== null;
}

/** The paths an axis may sweep (`sweepTargets`) less those the schedule sets itself; null for a network draft that does not parse. */
function axisTargets(spec: SpecJSON): AxisTarget[] | null {
  const all = sweepTargets(spec);
  const overrides = scheduleOverrides(entriesView(spec));
  return all && all.filter((t) => overriddenKey(overrides, t.path) === null);
}

/** Whether an axis over `param` is usable here (where nothing is known, a network draft that does not parse, unless the schedule sets it). */
function usableParam(spec: SpecJSON, param: string, targets: readonly AxisTarget[] | null): boolean {
  if (setBySchedule(spec, param)) return false;
  return targets === null || targets.some((t) => t.path === param);
}

/**
 * Pairs of paths that stand for each other: the optimiser's LR and momentum, and the schedule values
 * that set them when the schedule overrides them (core's `overrideStandIn`: schedule.max_lr,
 * schedule.max_momentum). An axis over one side that is not usable moves to the other, so an
 * LR × momentum map stays one when OneCycleLR is chosen, and when it goes again.
 */
function standInPairs(spec: SpecJSON): [string, string][] {
  const mom = findOptimizer(entriesView(spec).optimizer.name)?.momentumParam;
  return ['lr', ...(mom ? [mom] : [])].map((k) => [`optimizer.${k}`, overrideStandIn(k, entriesView(spec).schedule)]);
}

function standInFor(spec: SpecJSON, param: string): string | null {
  const key = ungrouped(param);
  for (const [opt, sched] of standInPairs(spec)) {
    if (key === opt) return sched;
    if (key === sched) return opt;
  }
  return null;
}

/**
 * Parameters a new axis picks first: the LR, then the optimiser's momentum (or the schedule's values
 * standing for them where it sets them), then any other.
 */
export function preferredSweepPaths(spec: SpecJSON): string[] {
  const all = (axisTargets(spec) ?? []).map((t) => t.path);
  const first = standInPairs(spec)
    .map(([opt, sched]) => (all.includes(opt) ? opt : sched))
    .filter((p) => all.includes(p));
  return [...first, ...all.filter((p) => !first.includes(p))];
}

function pickPath(spec: SpecJSON, taken: readonly unknown[]): string {
  const paths = preferredSweepPaths(spec);
  return paths.find((p) => !taken.includes(p)) ?? paths[0] ?? 'optimizer.lr';
}

/** A starting range for an axis over `param`: a network's (`netAxisRange`) or a surface's (`defaultAxisRange`). */
function axisRange(spec: SpecJSON, param: string): AxisRangeJSON {
  return problemOf(spec) === 'network' ? netAxisRange(spec, param) : defaultAxisRange(spec, param);
}

export interface AxisRangeJSON {
  param: string;
  min: number;
  max: number;
  scale: Scale;
}

/** The run length a draft states, for ranges counted in steps (1 while it is not a usable number). */
function draftSteps(spec: SpecJSON): number {
  return typeof spec.steps === 'number' && Number.isInteger(spec.steps) && spec.steps >= 1 ? spec.steps : 1;
}

/**
 * A starting range for sweeping `param`: its typical range (core/typical.ts: the registry's, the
 * surface's view for start points). Only where none resolves (an unvalidated draft) a generic one:
 * [0, 0.99] for momentum, the whole allowed range when it is narrow, two decades either side of a
 * positive current value (log), else around the current value.
 */
export function defaultAxisRange(spec: SpecJSON, param: string): AxisRangeJSON {
  const view = entriesView(spec);
  // A param group's own value opens where the optimiser's does (walkthrough 22: a group's LR opened
  // at 1e-4 … 1 beside the optimiser LR's 0.001 … 10, nothing said): its typical range is the
  // optimiser's, for the same model.
  const group = /^optimizer\.param_groups\.\d+\.(.+)$/.exec(param);
  const ctx = { ...view, steps: draftSteps(spec) };
  const typical = typicalRange(ctx, param) ?? (group ? typicalRange(ctx, `optimizer.${group[1] as string}`) : null);
  if (typical) return { param, min: typical.min, max: typical.max, scale: typical.scale };
  const lin = (min: number, max: number): AxisRangeJSON => ({ param, min: tidy(min), max: tidy(max), scale: 'linear' });
  if (param === 'start.0' || param === 'start.1') {
    const def = findSurface(view.surface.name);
    if (def) {
      try {
        const d = def.domain(view.surface.params);
        return param === 'start.0' ? lin(d.xMin, d.xMax) : lin(d.yMin, d.yMax);
      } catch {
        // An unvalidated draft may hold values the domain cannot use; fall through to the generic rule.
      }
    }
  }
  const mom = findOptimizer(view.optimizer.name)?.momentumParam;
  if (mom && param === `optimizer.${mom}`) return lin(0, 0.99);
  const t = resolveParamPath(view, param);
  if (typeof t === 'string') return lin(0, 1);
  const { min: lo, max: hi } = t.range;
  const step = (w: number): number => (t.int ? 1 : w * 0.01);
  const finite = (x: number): boolean => Number.isFinite(x) && Math.abs(x) <= 1e6;
  const lo1 = finite(lo) && finite(hi) ? (t.range.minExclusive ? lo + step(hi - lo) : lo) : lo;
  const hi1 = finite(lo) && finite(hi) ? (t.range.maxExclusive ? hi - step(hi - lo) : hi) : hi;
  if (finite(lo) && finite(hi) && hi - lo <= 10) return lin(lo1, hi1);
  const cur = getAt(spec, param);
  const v = typeof cur === 'number' && Number.isFinite(cur) ? cur : null;
  const key = param.split('.').pop() ?? '';
  const lrLike = /(^|_)lr$/.test(key);
  if (v !== null && v > 0 && (lo >= 0 || lrLike)) {
    if (t.int) return lin(Math.max(Math.ceil(lo1), Math.floor(v / 2)), Math.min(hi1, v * 2));
    const top = Math.min(v * 100, finite(hi) ? (t.range.maxExclusive ? hi1 : hi) : Number.POSITIVE_INFINITY);
    return { param, min: tidy(v / 100), max: tidy(top), scale: 'log' };
  }
  if (finite(lo) && finite(hi)) return lin(lo1, hi1);
  if (lo >= 0) return lin(lo1, lo1 + (t.int ? 10 : 1));
  const base = v ?? 0;
  const s = Math.max(1, Math.abs(base));
  return t.int ? lin(Math.round(base - s), Math.round(base + s)) : lin(base - s, base + s);
}

/** Whether min/max/scale of an axis are usable for `param` (then a parameter change keeps them). */
function rangeFits(spec: SpecJSON, axis: Record<string, unknown>, param: string, targets = axisTargets(spec)): boolean {
  const { min, max, scale } = axis;
  if (typeof min !== 'number' || typeof max !== 'number' || max < min) return false;
  if (scale === 'log' && !(min > 0)) return false;
  const t = targets?.find((x) => x.path === param);
  if (!t) return true;
  const fit = (v: number): boolean => inRange(t.int ? Math.round(v) : v, t.range);
  return fit(min) && fit(max);
}

/**
 * Points an axis at another parameter, at that parameter's typical range (`defaultAxisRange`; a
 * network's `netAxisRange`): a range for the LR is rarely one for, say, a start coordinate. A range
 * the user set by hand is kept when it is valid for the new parameter (so typing min and max, then
 * choosing the parameter, works).
 */
export function setAxisParam(spec: SpecJSON, axisPath: string, param: string, handSet: HandSet = NONE_SET): SpecJSON {
  const axis = getAt(spec, axisPath);
  if (!isRecord(axis)) return setAt(spec, `${axisPath}.param`, param);
  // A range typed by hand is kept, its count fitted to it as a rule's range's is (review 13: 8 … 64
  // typed, then the batch size picked, kept 32 cells the reader refuses).
  const handRange = (int: boolean): SpecJSON => {
    const { min, max, scale } = axis;
    const fits = typeof min === 'number' && typeof max === 'number' && (scale === 'linear' || scale === 'log');
    return setAt(spec, axisPath, { ...axis, param, ...(fits ? { count: fittedCount(axis.count, { min, max, scale }, int) } : {}) });
  };
  if (problemOf(spec) === 'network') {
    // The draft parsed once, for the range and for whether the path is an integer.
    const parsed = parsedNet(spec);
    const t = parsed ? resolveNetPath(parsed, param) : null;
    const int = param === 'network.batch_size' || (t !== null && typeof t !== 'string' && t.int);
    if (handSet.has(axisPath)) return handRange(int);
    const r = netAxisRange(spec, param, parsed);
    // The batch size's powers of two, each a cell (1, 2, 4, … on its log axis).
    const count = param === 'network.batch_size' ? Math.round(Math.log2(r.max / r.min)) + 1 : fittedCount(axis.count, r, int);
    return setAt(spec, axisPath, { ...axis, ...r, count });
  }
  if (handSet.has(axisPath) && rangeFits(spec, axis, param)) {
    const t = resolveParamPath(entriesView(spec), param);
    return handRange(typeof t !== 'string' && t.int);
  }
  const r = defaultAxisRange(spec, param);
  const t = resolveParamPath(entriesView(spec), param);
  return setAt(spec, axisPath, { ...axis, ...r, count: fittedCount(axis.count, r, typeof t !== 'string' && t.int) });
}

/**
 * An axis's cell count once its range is set: one cell over an empty range (a schedule length's
 * typical range in a run of one step), no more cells than distinct integers for an integer
 * parameter, else the count it had. The spec reader refuses more (it would run one setting in
 * several cells), so picking a parameter never leaves the editor with an error it did not make.
 */
function fittedCount(count: unknown, r: { readonly min: number; readonly max: number; readonly scale: 'linear' | 'log' }, int: boolean): unknown {
  if (typeof count !== 'number') return count;
  if (r.min === r.max) return 1;
  return int ? distinctIntCount(r.min, r.max, r.scale, count) : count;
}


/**
 * What an edit of another field did to the map's axes, in words, or '' when it left their parameters
 * alone: choosing OneCycleLR moves an LR x momentum map to schedule.max_lr x schedule.max_momentum,
 * which changes what the map shows, so the app says so.
 */
export function axesMovedText(before: SpecJSON, after: SpecJSON, cause = 'that edit'): string {
  const span = (spec: SpecJSON, path: string): string | null => {
    const a = getAt(spec, path);
    if (!isRecord(a) || typeof a.min !== 'number' || typeof a.max !== 'number') return null;
    const digits = rangeDigits(a.min, a.max);
    return `${formatValue(a.min, false, digits)} … ${formatValue(a.max, false, digits)}`;
  };
  const moved = axisPaths(after).flatMap((path) => {
    const was = getAt(before, `${path}.param`);
    const now = getAt(after, `${path}.param`);
    if (typeof was !== 'string' || typeof now !== 'string') return [];
    // Named as the caption and the run panel name them (betas[0], not optimizer.betas.0).
    // Whole paths where the short names are one (`max_lr` of a OneCycleLR, then of a SequentialLR's child).
    const [a, b] = shortParam(now) === shortParam(was) ? [now, was] : [shortParam(now), shortParam(was)];
    if (was !== now) return [`${axisName(path)} now sweeps ${a} (was ${b})`];
    // The same parameter over another range: a new optimiser's or surface's typical range, an end
    // row given up to a rule (`withinRules`).
    const [r0, r1] = [span(before, path), span(after, path)];
    return r0 && r1 && r0 !== r1 ? [`${axisName(path)} now spans ${shortParam(now)} ${r1} (was ${r0})`] : [];
  });
  return moved.length ? `The map's axes moved with ${cause}: ${moved.join('; ')}.` : '';
}

/**
 * After an axis's parameter changed (`path`: its `.param` field) with its range kept because the user
 * had typed it (setAxisParam): where that range reaches outside the new parameter's typical range, a
 * sentence saying so, with the typical range to type; '' otherwise. Walkthrough 18 typed an LR range,
 * then chose momentum, and swept momentum 0.34 … 10 (log) with most of the map diverged, unsaid.
 */
export function keptRangeText(before: SpecJSON, after: SpecJSON, path: string): string {
  const axis = /^(sweep\.(?:x|y|dims\.\d+))\.param$/.exec(path)?.[1];
  if (!axis) return '';
  const [a, b] = [getAt(before, axis), getAt(after, axis)];
  if (!isRecord(a) || !isRecord(b) || typeof b.param !== 'string' || a.param === b.param) return '';
  if (a.min !== b.min || a.max !== b.max || typeof b.min !== 'number' || typeof b.max !== 'number') return '';
  const t = axisRange(after, b.param);
  if (b.min >= t.min && b.max <= t.max) return '';
  const span = (min: number, max: number): string => {
    const d = rangeDigits(min, max);
    return `${formatValue(min, false, d)} … ${formatValue(max, false, d)}`;
  };
  const name = shortParam(b.param);
  return `${axisName(axis)} kept the range you typed, ${span(b.min, b.max)}${b.scale === 'log' ? ' (log)' : ''}, which reaches outside ${name}'s typical ${span(t.min, t.max)}${t.scale === 'log' ? ' (log)' : ''}: type its ends to sweep that.`;
}

/** Axis paths whose range the user typed (min, max or scale), e.g. `sweep.x`, `sweep.dims.1`. */
export type HandSet = ReadonlySet<string>;

const NONE_SET: HandSet = new Set<string>();

/**
 * The axes after an entry changed. An axis over a parameter it can no longer sweep (one the spec no
 * longer has, or one the schedule now sets itself) moves, at its typical range, to the path standing
 * for it (`standInFor`: optimizer.lr to schedule.max_lr when OneCycleLR is chosen, and back when it
 * goes) where no other axis takes that, else to the first preferred parameter no other axis takes
 * (`preferredSweepPaths`). With `retarget`, every other axis not set by hand moves to its
 * parameter's typical range too, and a hand-set range the parameter no longer accepts is replaced
 * the same way.
 */
export function fitAxes(spec: SpecJSON, handSet: HandSet, retarget: boolean): SpecJSON {
  let out = spec;
  const targets = axisTargets(spec);
  for (const path of axisPaths(spec)) {
    const axis = getAt(out, path);
    if (!isRecord(axis)) continue;
    const param = typeof axis.param === 'string' ? axis.param : '';
    if (!usableParam(spec, param, targets)) {
      const taken = axisPaths(out)
        .filter((p) => p !== path)
        .map((p) => getAt(out, `${p}.param`));
      const standIn = standInFor(spec, param);
      const to = standIn !== null && !taken.includes(standIn) && usableParam(spec, standIn, targets) ? standIn : pickPath(out, taken);
      out = setAt(out, path, { ...axis, ...axisRange(out, to) });
    } else if (retarget && (!handSet.has(path) || !rangeFits(out, axis, param, targets))) {
      out = setAt(out, path, { ...axis, ...axisRange(out, param) });
    }
  }
  return out;
}

function rangeOf(a: unknown): Record<string, unknown> {
  if (!isRecord(a)) return {};
  return { param: a.param, min: a.min, max: a.max, scale: a.scale };
}

function axisCount(a: unknown): number {
  return isRecord(a) && typeof a.count === 'number' && Number.isFinite(a.count) ? a.count : DEFAULT_AXIS_COUNT;
}

/**
 * Changes the sweep kind, carrying the axes over: a grid's x and y become the first dims (count =
 * the grid's run count), the first two dims become a grid (√count runs per axis with two), random
 * and Sobol swap only the kind. From no sweep, a grid over LR × momentum.
 */
export function setSweepKind(spec: SpecJSON, kind: SweepKind): SpecJSON {
  const cur = spec.sweep;
  const from = sweepKind(spec);
  if (kind === from) return spec;
  if (kind === 'none') return { ...spec, sweep: null };
  // Points are made elsewhere: there is nothing to turn into them.
  if (kind === 'points') return spec;
  if (!isRecord(cur)) {
    const x = { ...axisRange(spec, pickPath(spec, [])), count: DEFAULT_AXIS_COUNT };
    const yParam = pickPath(spec, [x.param]);
    const y = yParam === x.param ? null : { ...axisRange(spec, yParam), count: DEFAULT_AXIS_COUNT };
    const grid: SpecJSON = { kind: 'grid', x, y };
    return { ...spec, sweep: kind === 'grid' ? grid : toSampled(grid, kind) };
  }
  // Explicit points become the kind asked for over the ranges they span.
  if (from === 'points') {
    const dims = pointsRanges(spec, cur);
    const n = Array.isArray(cur.points) ? cur.points.length : DEFAULT_AXIS_COUNT;
    return setSweepKind({ ...spec, sweep: { kind: 'random', count: Math.max(1, Math.min(MAX_RUNS, n)), seed: 0, dims } }, kind);
  }
  if (kind === 'grid') {
    const dims = Array.isArray(cur.dims) ? cur.dims : [];
    const total = typeof cur.count === 'number' ? cur.count : DEFAULT_AXIS_COUNT;
    const per = dims.length >= 2 ? Math.round(Math.sqrt(total)) : total;
    const count = Math.max(1, Math.min(MAX_AXIS_COUNT, per));
    const x = dims[0] === undefined ? { ...axisRange(spec, pickPath(spec, [])) } : rangeOf(dims[0]);
    const y = dims[1] === undefined ? null : { ...rangeOf(dims[1]), count };
    return { ...spec, sweep: { kind: 'grid', x: { ...x, count }, y } };
  }
  if (from === 'grid') return { ...spec, sweep: toSampled(cur, kind) };
  return { ...spec, sweep: { ...cur, kind } };
}

function toSampled(grid: Record<string, unknown>, kind: 'random' | 'sobol'): SpecJSON {
  const axes = [grid.x, grid.y].filter(isRecord);
  const count = axes.reduce((n, a) => n * axisCount(a), 1);
  return { kind, count, seed: 0, dims: axes.map(rangeOf) };
}

/** Turns the grid's optional y axis on (a parameter other than x's, as many runs as x) or off. */
export function setYAxis(spec: SpecJSON, on: boolean): SpecJSON {
  const s = spec.sweep;
  if (!isRecord(s) || sweepKind(spec) !== 'grid') return spec;
  if (!on) return setAt(spec, 'sweep.y', null);
  if (isRecord(s.y)) return spec;
  const xParam = isRecord(s.x) ? s.x.param : undefined;
  const param = pickPath(spec, [xParam]);
  return setAt(spec, 'sweep.y', { ...axisRange(spec, param), count: axisCount(s.x) });
}

export function swapAxes(spec: SpecJSON): SpecJSON {
  const s = spec.sweep;
  if (!isRecord(s) || sweepKind(spec) !== 'grid' || !isRecord(s.y)) return spec;
  return { ...spec, sweep: { ...s, x: s.y, y: s.x } };
}

export function addDim(spec: SpecJSON): SpecJSON {
  const s = spec.sweep;
  if (!isRecord(s) || !Array.isArray(s.dims) || s.dims.length >= MAX_SWEEP_DIMS) return spec;
  const taken = s.dims.map((d) => (isRecord(d) ? d.param : undefined));
  return setAt(spec, 'sweep.dims', [...s.dims, axisRange(spec, pickPath(spec, taken))]);
}

export function removeDim(spec: SpecJSON, index: number): SpecJSON {
  const s = spec.sweep;
  if (!isRecord(s) || !Array.isArray(s.dims) || s.dims.length <= 1) return spec;
  return setAt(spec, 'sweep.dims', s.dims.filter((_, i) => i !== index));
}

/** Runs the sweep makes, or null while a count is not a number. */
export function runTotal(spec: SpecJSON): number | null {
  const s = spec.sweep;
  if (!isRecord(s)) return 1;
  if (sweepKind(spec) === 'points') return Array.isArray(s.points) ? s.points.length : null;
  if (sweepKind(spec) !== 'grid') return typeof s.count === 'number' ? s.count : null;
  const xc = isRecord(s.x) ? s.x.count : undefined;
  const yc = isRecord(s.y) ? s.y.count : 1;
  return typeof xc === 'number' && typeof yc === 'number' ? xc * yc : null;
}

// ---------------------------------------------------------------------------------------------
// The form model

export interface SelectOption {
  readonly value: string;
  readonly label: string;
}

interface FieldBase {
  /** The spec path the field edits; the element uses it as the input's `name` and `data-path`. */
  readonly path: string;
  readonly label: string;
  /** Tooltip: the parameter's doc. */
  readonly doc: string;
  /** Allowed values, shown beside the field and as its placeholder. */
  readonly hint: string;
  /** torch has no default for it; the value may be the registry's example. */
  readonly required: boolean;
}

export type Field =
  | (FieldBase & {
      readonly type: 'number';
      readonly text: string;
      /** The full value when `text` rounds it (shown in the tooltip), else ''. */
      readonly exact: string;
      readonly int: boolean;
      /** Empty means None (or, for outcome fields, the default). */
      readonly optional: boolean;
      /** What the empty field shows: the allowed range, or what empty means for an optional field. */
      readonly placeholder: string;
      /** torch's per-group list is allowed here (a network's schedule value): "0.02, 0.2" gives one value per param group. */
      readonly perGroup?: true;
    })
  | (FieldBase & { readonly type: 'list'; readonly text: string })
  | (FieldBase & { readonly type: 'select'; readonly value: string; readonly options: readonly SelectOption[] })
  | (FieldBase & { readonly type: 'checkbox'; readonly checked: boolean })
  /**
   * A parameter a sweep axis varies: its value in the spec is the base the axis overrides, so it is
   * shown as swept, with the axis and its range, not as a value to edit.
   */
  | (FieldBase & { readonly type: 'swept'; readonly text: string });

export type Action =
  | { readonly kind: 'add-scheduler'; readonly label: string; readonly disabled: boolean }
  | { readonly kind: 'remove-scheduler'; readonly index: number; readonly label: string; readonly disabled: boolean }
  | { readonly kind: 'swap-axes'; readonly label: string; readonly disabled: boolean }
  | { readonly kind: 'add-dim'; readonly label: string; readonly disabled: boolean }
  | { readonly kind: 'remove-dim'; readonly index: number; readonly label: string; readonly disabled: boolean }
  | { readonly kind: 'add-group'; readonly label: string; readonly disabled: boolean }
  | { readonly kind: 'remove-group'; readonly index: number; readonly label: string; readonly disabled: boolean };

/** A block of fields; `path` anchors errors about the block as a whole (e.g. `sweep.x`). */
export interface Group {
  readonly path: string;
  readonly title: string;
  readonly fields: readonly Field[];
  readonly actions: readonly Action[];
}

export interface Section {
  readonly id: 'problem' | 'surface' | 'network' | 'data' | 'groups' | 'optimizer' | 'wrappers' | 'schedule' | 'run' | 'sweep';
  readonly title: string;
  readonly doc: string;
  /** Top-level spec keys the section edits; errors at those keys (or unplaced below them) show here. */
  readonly keys: readonly string[];
  /** One line of context, e.g. the run count of the sweep. */
  readonly note: string;
  readonly groups: readonly Group[];
  readonly actions: readonly Action[];
}

export interface Form {
  readonly sections: readonly Section[];
}

function numberField(
  path: string,
  label: string,
  value: unknown,
  opts: { int?: boolean; optional?: boolean; doc?: string; hint?: string; required?: boolean; placeholder?: string; digits?: number; perGroup?: boolean },
): Field {
  const int = opts.int ?? false;
  // A per-group list in full: editing one element re-reads them all, and a rounded one would change (review 17).
  const text = opts.perGroup && Array.isArray(value) ? value.map((x: unknown) => String(x)).join(', ') : formatValue(value, int, opts.digits);
  const exact = typeof value === 'number' && String(value) !== text && Number(text) !== value ? String(value) : '';
  return {
    type: 'number',
    path,
    label,
    doc: opts.doc ?? '',
    hint: opts.hint ?? '',
    required: opts.required ?? false,
    text,
    exact,
    int,
    optional: opts.optional ?? false,
    placeholder: opts.placeholder ?? opts.hint ?? '',
    ...(opts.perGroup ? { perGroup: true as const } : {}),
  };
}

/**
 * Option labels longer than this many characters do not fit beside their label in the editor's
 * narrow column (340 to 360 px wide, from 1100 px of window up): such selects take a row of their
 * own there (spec-editor.ts, a container query), the full width of the column.
 */
export const WIDE_SELECT_CHARS = 24;

/** Whether a field is a select with an option too long for the column beside its label (WIDE_SELECT_CHARS). */
export function isWideSelect(f: Field): boolean {
  return f.type === 'select' && f.options.some((o) => o.label.length > WIDE_SELECT_CHARS);
}

/** A select's tooltip: the chosen option in full (a narrow select may cut it), then what the field is. */
export function selectTitle(f: Field): string {
  if (f.type !== 'select') return f.doc;
  const chosen = f.options.find((o) => o.value === f.value)?.label ?? f.value;
  return f.doc ? `${chosen}\n\n${f.doc}` : chosen;
}

function selectField(path: string, label: string, value: unknown, options: readonly SelectOption[], doc = ''): Field {
  const v = typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);
  // A value the list lacks (e.g. an unknown name in a pasted spec) is shown as it is, not as the first option.
  const all = options.some((o) => o.value === v) ? options : [...options, { value: v, label: `${v || '(none)'} (unknown)` }];
  return { type: 'select', path, label, doc, hint: '', required: false, value: v, options: all };
}

function checkboxField(path: string, label: string, value: unknown, doc = ''): Field {
  return { type: 'checkbox', path, label, doc, hint: '', required: false, checked: value === true };
}

/** Swept parameter paths of a spec and what their fields say instead of a value. */
export type SweptPaths = ReadonlyMap<string, string>;

/** The axis names the form uses: x, y, dims[i]. */
function axisName(path: string): string {
  return path.replace(/^sweep\./, '').replace(/^dims\.(\d+)$/, 'dims[$1]');
}

/**
 * What each swept parameter's field shows: the axis sweeping it and its range, e.g.
 * `swept on x: 1e-5 … 0.01 (log)`; and each value the schedule sets itself, that it does.
 */
export function sweptPaths(spec: SpecJSON): SweptPaths {
  const out = new Map<string, string>();
  for (const path of axisPaths(spec)) {
    const a = getAt(spec, path);
    if (!isRecord(a) || typeof a.param !== 'string' || out.has(a.param)) continue;
    const scale = a.scale === 'log' ? ' (log)' : '';
    const digits = rangeDigits(a.min, a.max);
    out.set(a.param, `swept on ${axisName(path)}: ${formatValue(a.min, false, digits)} … ${formatValue(a.max, false, digits)}${scale}`);
  }
  // A value the schedule sets every step (OneCycleLR's LR, the momentum it cycles) has no effect:
  // its field says so rather than offer an input that changes nothing.
  const schedule = entriesView(spec).schedule;
  for (const k of scheduleOverrides(entriesView(spec))) {
    const path = `optimizer.${k}`;
    if (!out.has(path)) out.set(path, `set by ${overrideSetter(k, schedule)} every step (see ${overrideStandIn(k, schedule)})`);
  }
  return out;
}

/**
 * One field per parameter (a tuple gets one per element, labelled `betas[0]`, `betas[1]`, …), at
 * `prefix.key` (at `key` with an empty prefix). Registry parameters (`torch`) mark the ones torch
 * requires; run-level fields (core/run-settings.ts) say instead what an empty field means, that
 * they count steps of the run, and whether a sweep may name them, and show their default while a
 * draft leaves them out.
 */
export function paramFields(
  prefix: string,
  schema: readonly (ParamSchema & RunFieldExtras)[],
  entry: unknown,
  origin: 'torch' | 'run' = 'torch',
  swept: SweptPaths = new Map(),
  /** A network draft's param groups (the explicit ones and the default one), for torch's per-group lists; null: none (a surface). */
  groupCount: number | null = null,
): Field[] {
  const out: Field[] = [];
  const sweptField = (path: string, label: string, doc: string): Field | null => {
    const text = swept.get(path);
    return text === undefined ? null : { type: 'swept', path, label, doc, hint: '', required: false, text };
  };
  for (const p of schema) {
    const path = prefix === '' ? p.key : `${prefix}.${p.key}`;
    const required = 'required' in p && p.required === true;
    const given = getAt(entry, p.key);
    const value = given === undefined && origin === 'run' && !required && !p.surfaceDefault ? p.default : given;
    const torchRequired = required && origin === 'torch';
    const sweepable = origin === 'run' && 'sweepable' in p && p.sweepable === true;
    // The doc of the field at `at`: registry parameters say torch requires them, run-level fields that a sweep may name them.
    const docAt = (at: string): string => (torchRequired ? `${p.doc} (required in torch)` : sweepable ? `${p.doc} Sweepable as ${at}.` : p.doc);
    const doc = docAt(path);
    const asSwept = sweptField(path, p.key, doc);
    if (asSwept) {
      out.push(asSwept);
      continue;
    }
    switch (p.kind) {
      case 'number':
      case 'int': {
        // torch's per-group list where torch takes one and the draft has groups to give it to
        // (groupCount: as many as torch's optimiser has, without an empty default group).
        const perGroup = p.perGroup === true && groupCount !== null && groupCount > 1;
        // Where torch checks nothing, the range a sweep would propose (walkthrough 16: "torch does
        // not check its range" five times over OneCycleLR's fields left "so what makes sense?").
        const typical = unbounded(p) && p.typical && p.typical.per === undefined ? `; typical ${fieldNumberText(p.typical.min, p.kind === 'int')} … ${fieldNumberText(p.typical.max, p.kind === 'int')}` : '';
        const hint = `${rangeHint(p, p.kind === 'int')}${typical}`;
        out.push(
          numberField(path, p.key, value, {
            int: p.kind === 'int',
            doc: perGroup ? `${doc} Or one value per param group (${groupCount}: param_groups in order, then the default group where it holds tensors), comma-separated, as torch takes a list.` : doc,
            hint: perGroup ? `${hint}; or ${groupCount} values, one per group` : hint,
            required: torchRequired,
            perGroup,
          }),
        );
        break;
      }
      case 'optional-number':
      case 'optional-int': {
        const unset = p.unset ?? nullMeaning(doc) ?? 'None';
        out.push(
          numberField(path, p.key, value, {
            int: p.kind === 'optional-int',
            optional: true,
            doc,
            hint: `${rangeHint(p, p.kind === 'optional-int')}, empty = ${unset}`,
            // A long default ("the whole training set") would be cut off in the field; the hint under it says it whole.
            placeholder: unset.length <= 12 ? unset : 'default',
            required: torchRequired,
          }),
        );
        break;
      }
      case 'tuple':
        p.default.forEach((_, i) => {
          out.push(
            sweptField(`${path}.${i}`, `${p.key}[${i}]`, docAt(`${path}.${i}`)) ??
              numberField(`${path}.${i}`, `${p.key}[${i}]`, getAt(value, String(i)), { doc: docAt(`${path}.${i}`), hint: rangeHint(p), required: torchRequired }),
          );
        });
        break;
      case 'int-list':
        out.push({
          type: 'list',
          path,
          label: p.key,
          doc,
          hint: `up to ${p.maxLength} integers${unbounded(p) ? '' : ` in ${rangeHint(p, true)}`}, comma-separated`,
          required: torchRequired,
          text: formatList(value),
        });
        break;
      case 'bool': {
        const field = checkboxField(path, p.key, value, doc);
        // A SequentialLR child proposed without its cycle (proposedSchedule): say why, since torch's
        // default is on and a pasted one keeps it (walkthrough 16: the two gave other axes unexplained).
        const off = value === false && /^schedule\.schedulers\.\d+\.cycle_momentum$/.test(path);
        out.push(off ? { ...field, hint: "off (torch's default is on): a cycling child sets the momentum for the whole of a SequentialLR, the schedulers before it included, and ChainedScheduler refuses one" } : field);
        break;
      }
      case 'enum':
        out.push(selectField(path, p.key, value, p.values.map((v) => ({ value: v, label: v })), doc));
        break;
    }
  }
  return out;
}

function entryOptions(list: readonly { id: string; title?: string }[]): SelectOption[] {
  return list.map((e) => ({ value: e.id, label: e.title ?? e.id }));
}

/**
 * The sweep-parameter choices: every path an axis of the spec may name (`axisTargets`: a surface's
 * or a network's, the schedule's numeric values among them, less the values the schedule sets
 * itself), with its allowed range; then the axes' own parameters where they are not among them (a
 * draft's, or any of a network draft that does not parse), so that the menu shows what the spec holds.
 */
/**
 * The range the editor shows for a swept parameter: its own, except the batch size's, which is the
 * training set's (the schema's bound is the largest any data set allows: "[1, 1048576]" beside
 * Iris's 120 training samples, walkthrough 14).
 */
function shownRange<R extends { readonly min: number; readonly max: number }>(spec: SpecJSON, path: string, range: R): R {
  const rows = path === 'network.batch_size' ? draftTrainRows(spec) : null;
  return rows === null ? range : { ...range, max: Math.min(range.max, rows) };
}

/**
 * The training set's size of a network draft, read with its batch size set aside (so that a batch
 * too large, which the reader refuses, still gets the range it should keep to); null where the
 * draft does not say it (not a network, or a draft that does not parse).
 */
function draftTrainRows(spec: SpecJSON): number | null {
  if (!isRecord(spec.network)) return null;
  const net = parsedNet({ ...spec, network: { ...spec.network, batch_size: null } });
  return net ? netTrainRows(net) : null;
}

export function sweepOptions(spec: SpecJSON): SelectOption[] {
  const out: SelectOption[] = (axisTargets(spec) ?? []).map((t) => ({ ...t, range: shownRange(spec, t.path, t.range) })).map((t) => ({
    value: t.path,
    // An unbounded parameter's menu entry is its path alone: the menu lists ranges to keep within.
    label: unbounded(t.range) ? `${t.path}${t.int ? '  int' : ''}` : `${t.path}  ${rangeHint(t.range, t.int)}${t.int ? ' int' : ''}`,
  }));
  for (const a of axisPaths(spec)) {
    const p = getAt(spec, `${a}.param`);
    if (typeof p === 'string' && !out.some((o) => o.value === p)) out.push({ value: p, label: p });
  }
  return out;
}

function axisGroup(
  spec: SpecJSON,
  path: string,
  title: string,
  options: readonly SelectOption[],
  withCount: boolean,
  actions: readonly Action[],
): Group {
  const axis = getAt(spec, path);
  const param = getAt(axis, 'param');
  const t = typeof param === 'string' ? resolveParamPath(entriesView(spec), param) : 'no parameter';
  // An axis over an unbounded parameter has no range to show beside its ends.
  const range = typeof t === 'string' || unbounded(t.range) ? '' : rangeHint(t.range, t.int);
  const digits = rangeDigits(getAt(axis, 'min'), getAt(axis, 'max'));
  const fields: Field[] = [
    selectField(`${path}.param`, 'parameter', param, options, 'The swept parameter (path in the spec).'),
    numberField(`${path}.min`, 'min', getAt(axis, 'min'), { hint: range, doc: 'First value of the axis.', digits }),
    numberField(`${path}.max`, 'max', getAt(axis, 'max'), { hint: range, doc: 'Last value of the axis (>= min).', digits }),
  ];
  if (withCount) {
    fields.push(
      numberField(`${path}.count`, 'count', getAt(axis, 'count'), {
        int: true,
        hint: `[1, ${MAX_AXIS_COUNT}]`,
        doc: 'Runs along this axis (pixels of the heatmap).',
      }),
    );
  }
  fields.push(
    selectField(
      `${path}.scale`,
      'scale',
      getAt(axis, 'scale') ?? 'linear',
      [
        { value: 'linear', label: 'linear' },
        { value: 'log', label: 'log' },
      ],
      'Spacing of the values: evenly, or evenly in log (needs min > 0).',
    ),
  );
  return { path, title, fields, actions };
}

function surfaceSection(spec: SpecJSON): Section {
  const name = nameOf(spec.surface);
  const def = findSurface(name);
  const fields = [
    selectField('surface.name', 'surface', name, entryOptions(SURFACES), def?.doc ?? ''),
    ...(def ? paramFields('surface', def.params, spec.surface, 'torch', sweptPaths(spec)) : []),
  ];
  return {
    id: 'surface',
    title: 'Surface',
    doc: def?.doc ?? '',
    keys: ['surface'],
    note: '',
    groups: [{ path: 'surface', title: '', fields, actions: [] }],
    actions: [],
  };
}

function optimizerSection(spec: SpecJSON): Section {
  const name = nameOf(spec.optimizer);
  const def = findOptimizer(name);
  // With param groups, each of the optimiser's own values says which tensors it trains (walkthrough
  // 14: "lr" read as every layer's while a group set layers.0's; the caption named layers.1).
  const net = Array.isArray((spec.optimizer as { param_groups?: unknown } | undefined)?.param_groups) ? parsedNet(spec) : null;
  const reaches = (f: Field): Field => {
    const key = f.path.slice('optimizer.'.length).split('.')[0] ?? '';
    // Only where a group sets it: otherwise the value trains every tensor, as without groups.
    if (!net || !net.paramGroups.some((g) => Object.hasOwn(g.overrides, key)) || f.type === 'select' || f.type === 'checkbox') return f;
    const t = compactTensorNames(net, tensorsOfOptimizerValue(net, key));
    const where = t.length === 0 ? 'trains no tensor: every param group sets its own' : `for ${t.join(', ')} (the param groups that set ${key} have their own)`;
    return { ...f, hint: f.hint === '' ? where : `${f.hint}; ${where}` };
  };
  const fields = [
    selectField('optimizer.name', 'optimizer', name, entryOptions(OPTIMIZERS), def?.doc ?? ''),
    ...(def ? paramFields('optimizer', def.params, spec.optimizer, 'torch', sweptPaths(spec)).map(reaches) : []),
  ];
  return {
    id: 'optimizer',
    title: 'Optimizer',
    doc: def?.doc ?? '',
    keys: ['optimizer'],
    note: '',
    groups: [{ path: 'optimizer', title: '', fields, actions: [] }],
    actions: [],
  };
}

/**
 * A network draft's param groups as torch's optimiser has them (what a per-group list holds): the
 * explicit ones, and the default one where it holds tensors; null for a surface.
 */
function groupCountOf(spec: SpecJSON): number | null {
  if (problemOf(spec) !== 'network') return null;
  const net = parsedNet(spec);
  return net ? torchGroupCount(net) : groups(spec).length + 1;
}

function scheduleSection(spec: SpecJSON): Section {
  const entry = spec.schedule;
  const name = isRecord(entry) ? nameOf(entry) : '';
  const def = name === '' ? undefined : findSchedule(name);
  const options = [{ value: '', label: 'none (constant LR)' }, ...entryOptions(SCHEDULES)];
  const fields = [
    selectField('schedule.name', 'schedule', name, options, def?.doc ?? 'No schedule: the LR stays at optimizer.lr.'),
    ...(def ? paramFields('schedule', def.params, entry, 'torch', sweptPaths(spec), groupCountOf(spec)) : []),
  ];
  const groups: Group[] = [{ path: 'schedule', title: '', fields, actions: [] }];
  const actions: Action[] = [];
  if (def?.children) {
    const kids = children(spec);
    const min = minChildren(spec);
    const kindOptions = entryOptions(childScheduleDefs());
    kids.forEach((kid, i) => {
      const path = `schedule.schedulers.${i}`;
      const kidName = nameOf(kid);
      const kidDef = findSchedule(kidName);
      groups.push({
        path,
        title: `schedulers[${i}]`,
        fields: [
          selectField(`${path}.name`, 'schedule', kidName, kindOptions, kidDef?.doc ?? ''),
          ...(kidDef ? paramFields(path, kidDef.params, kid, 'torch', sweptPaths(spec), groupCountOf(spec)) : []),
        ],
        actions: [{ kind: 'remove-scheduler', index: i, label: 'Remove', disabled: kids.length <= min }],
      });
    });
    actions.push({ kind: 'add-scheduler', label: 'Add schedule', disabled: kids.length >= maxChildren(spec) });
  }
  return {
    id: 'schedule',
    title: 'Schedule',
    doc: def?.doc ?? '',
    keys: ['schedule'],
    note: '',
    groups,
    actions,
  };
}

/** The switchable blocks (SWA, SAM): a checkbox each, and the block's fields while it is on. */
function wrapperSection(spec: SpecJSON): Section {
  const groups: Group[] = SWITCH_BLOCKS.map((b) => {
    const value = isRecord(spec[b.key]) ? spec[b.key] : null;
    const fields = [checkboxField(b.key, b.title, value !== null, b.doc), ...(value !== null ? paramFields(b.key, b.fields, value, 'run', sweptPaths(spec)) : [])];
    return { path: b.key, title: '', fields, actions: [] };
  });
  return {
    id: 'wrappers',
    title: SWITCH_BLOCKS.map((b) => b.title).join(' and '),
    doc: '',
    keys: SWITCH_BLOCKS.map((b) => b.key),
    note: '',
    groups,
    actions: [],
  };
}

/**
 * What null means for an optional field, from its doc's "null: …" clause (a data set's `train`:
 * "floor(the model's parameter count / outputs)"), or null when the doc does not say: the editor's
 * hint and placeholder say what an empty field runs rather than torch's "None".
 */
export function nullMeaning(doc: string): string | null {
  const m = /(?:^|[;(.]\s*)null(?: or absent)?: /.exec(doc);
  if (!m) return null;
  // To the clause's end: a ';', a sentence's '.', or the ')' closing a bracket the clause is in.
  let depth = 0;
  let end = doc.length;
  for (let i = m.index + m[0].length; i < doc.length; i++) {
    const c = doc[i];
    if (c === '(') depth++;
    else if (c === ')' && depth-- === 0) end = i;
    else if (depth === 0 && (c === ';' || (c === '.' && (i + 1 === doc.length || doc[i + 1] === ' ') && !/\b(e\.g|i\.e|etc)$/.test(doc.slice(0, i))))) end = i;
    if (end === i) break;
  }
  const text = doc.slice(m.index + m[0].length, end).trim();
  return text === '' ? null : text;
}

/** The other run-level settings: the top-level fields (steps, start), then a group per block (noise, outcome). */
function runSection(spec: SpecJSON): Section {
  const settings = (RUN_SETTINGS as readonly RunSetting[]).filter((s) => !isBlock(s) || s.absent !== 'off');
  const problem = problemOf(spec);
  const swept = sweptPaths(spec);
  // A network's runs start from its initial weights, not from a point.
  const top = settings.filter((s): s is RunField => !isBlock(s) && !(problem === 'network' && s.key === 'start'));
  const blocks = settings.filter(isBlock);
  return {
    id: 'run',
    title: 'Run',
    doc: '',
    keys: settings.map((s) => s.key),
    note: '',
    groups: [
      { path: 'run', title: '', fields: paramFields('', top, spec, 'run', swept), actions: [] },
      ...blocks.map((b) => ({
        path: b.key,
        title: b.title,
        // The convergence radius is a surface's (a distance to a known minimum); networks have none.
        // A field whose unset value differs by problem says this problem's.
        // Nor gradient noise: a network's noise is its minibatches (noise.seed still seeds them). An
        // imported spec that sets it keeps the field, so its error shows where it can be mended.
        fields: paramFields(
          b.key,
          (problem === 'network' ? b.fields.filter((f) => f.key !== 'radius' && !(b.key === 'noise' && f.key === 'std' && !getAt(spec, 'noise.std'))) : b.fields).map((f) =>
            f.unsetFor ? { ...f, unset: f.unsetFor[problem] } : f,
          ),
          spec[b.key] ?? {},
          'run',
          swept,
        ),
        actions: [],
      })),
    ],
    actions: [],
  };
}

function sweepSection(spec: SpecJSON): Section {
  const kind = sweepKind(spec);
  const s = spec.sweep;
  const kindField = selectField(
    'sweep.kind',
    'kind',
    kind,
    [
      { value: 'none', label: 'none (one run)' },
      { value: 'grid', label: 'grid' },
      { value: 'random', label: 'random' },
      { value: 'sobol', label: 'sobol' },
      // Offered only where the spec has them: points are made elsewhere (the JSON, a study).
      ...(kind === 'points' ? [{ value: 'points', label: 'points (explicit)' }] : []),
    ],
    'Grid: every combination of one or two axes (a heatmap). Random / Sobol: count points in up to 4 dimensions. Points: explicit points, one per run, from the spec\'s JSON.',
  );
  const top: Field[] = [kindField];
  const groups: Group[] = [];
  const actions: Action[] = [];
  const options = sweepOptions(spec);
  if (isRecord(s) && kind === 'grid') {
    const hasY = isRecord(s.y);
    top.push(checkboxField('sweep.y', 'y axis', hasY, 'Sweep a second parameter along y (off: one row of runs).'));
    groups.push(axisGroup(spec, 'sweep.x', 'x axis', options, true, []));
    if (hasY) groups.push(axisGroup(spec, 'sweep.y', 'y axis', options, true, []));
    actions.push({ kind: 'swap-axes', label: 'Swap axes', disabled: !hasY });
  } else if (isRecord(s) && kind === 'points') {
    // Nothing to edit point by point here: the section's note says what they are; another kind replaces them.
  } else if (isRecord(s)) {
    top.push(
      numberField('sweep.count', 'count', s.count, { int: true, hint: `[1, ${MAX_RUNS}]`, doc: 'Number of points (runs).' }),
      numberField('sweep.seed', 'seed', s.seed, { int: true, hint: `[0, ${U32_MAX}]`, doc: 'Seed of the sample points.' }),
    );
    const dims = Array.isArray(s.dims) ? s.dims : [];
    dims.forEach((_, i) => {
      groups.push(
        axisGroup(spec, `sweep.dims.${i}`, `dims[${i}]`, options, false, [
          { kind: 'remove-dim', index: i, label: 'Remove', disabled: dims.length <= 1 },
        ]),
      );
    });
    actions.push({ kind: 'add-dim', label: 'Add dimension', disabled: dims.length >= MAX_SWEEP_DIMS });
  }
  const total = runTotal(spec);
  const spans = kind === 'points' && isRecord(s) ? pointsSpans(s) : [];
  const spanText = (d: { param: unknown; min: number; max: number }): string =>
    `${String(d.param)} ${d.max > d.min ? `(${fieldNumberText(d.min)} … ${fieldNumberText(d.max)})` : d.max === d.min ? `= ${fieldNumberText(d.min)}` : '(no values)'}`;
  const note =
    kind === 'none'
      ? 'One run.'
      : kind === 'points' && isRecord(s)
        ? `${count(total ?? 0)} runs at explicit points over ${spans.map(spanText).join(', ')}: edit them in the spec's JSON (Import), or choose another kind to sweep those ranges instead.`
        : total === null
          ? ''
          : `${count(total)} runs`;
  return {
    id: 'sweep',
    title: 'Sweep',
    doc: '',
    keys: ['sweep'],
    note,
    groups: [{ path: 'sweep', title: '', fields: top, actions: [] }, ...groups],
    actions,
  };
}

/** The whole form for a spec JSON (which may be an unvalidated draft). */
export function buildForm(spec: SpecJSON): Form {
  if (problemOf(spec) === 'network') {
    return {
      sections: [
        problemSection(spec),
        networkSection(spec),
        dataSection(spec),
        optimizerSection(spec),
        groupsSection(spec),
        wrapperSection(spec),
        scheduleSection(spec),
        runSection(spec),
        sweepSection(spec),
      ],
    };
  }
  return {
    sections: [problemSection(spec), surfaceSection(spec), optimizerSection(spec), wrapperSection(spec), scheduleSection(spec), runSection(spec), sweepSection(spec)],
  };
}

// ---------------------------------------------------------------------------------------------
// Network problems: the same form, with the model, the data set and torch's param_groups in place
// of the surface, driven by their schemas (NETWORK_PARAMS, DATA_SETS) as the surface's fields are.

export type Problem = 'surface' | 'network';

/** What a spec (or draft) describes: a network when it has a `network` block (as parseAnySpec decides). */
export function problemOf(spec: SpecJSON): Problem {
  return Object.hasOwn(spec, 'network') ? 'network' : 'surface';
}

/** Another kind of problem: its default view (a network: DEFAULT_NET_SPEC; a surface: DEFAULT_SPEC). */
export function switchProblem(spec: SpecJSON, to: string): SpecJSON {
  if (to === problemOf(spec) || (to !== 'surface' && to !== 'network')) return spec;
  return JSON.parse(JSON.stringify(to === 'network' ? DEFAULT_NET_SPEC : DEFAULT_SPEC)) as SpecJSON;
}

function problemSection(spec: SpecJSON): Section {
  const field = selectField(
    'problem',
    'problem',
    problemOf(spec),
    [
      { value: 'surface', label: 'a loss surface (2 parameters)' },
      { value: 'network', label: 'a network on a data set' },
    ],
    'What the runs optimise: a point on a 2-D test surface, or the weights of a small network trained on a data set. Switching opens that kind’s default view.',
  );
  return { id: 'problem', title: 'Problem', doc: '', keys: [], note: '', groups: [{ path: 'problem', title: '', fields: [field], actions: [] }], actions: [] };
}

function networkSection(spec: SpecJSON): Section {
  // The batch size's range is the training set's (the schema's bound is the largest any set allows:
  // walkthrough 14 read "[1, 1048576]" beside Iris's 120), read with the field's own value set aside
  // so that a batch too large still gets its hint.
  const rows = draftTrainRows(spec);
  const fields = paramFields('network', NETWORK_PARAMS, spec.network, 'torch', sweptPaths(spec)).map((f) =>
    f.path === 'network.batch_size' && f.hint !== '' && rows !== null ? { ...f, hint: `[1, ${rows}] (the training set), drawn with replacement; empty = the whole training set (full batch)` } : f,
  );
  return {
    id: 'network',
    title: 'Network',
    doc: 'A multilayer perceptron; the input and output widths follow the data set.',
    keys: ['network'],
    note: '',
    groups: [{ path: 'network', title: '', fields, actions: [] }],
    actions: [],
  };
}

function dataSection(spec: SpecJSON): Section {
  const data = spec.data;
  const name = typeof data === 'string' ? data : nameOf(data);
  const def = findDataSet(name);
  const fields = [
    selectField('data.name', 'data set', def?.id ?? name, entryOptions(DATA_SETS), def?.doc ?? ''),
    ...(def ? paramFields('data', def.params, isRecord(data) ? data : {}, 'torch', sweptPaths(spec)) : []),
  ];
  return { id: 'data', title: 'Data', doc: def?.doc ?? '', keys: ['data'], note: '', groups: [{ path: 'data', title: '', fields, actions: [] }], actions: [] };
}

/**
 * What an edit took out of the param groups, in words, or '': a schedule that now sets a value in
 * every group (OneCycleLR's LR, a cycled momentum) drops the groups' own (dropScheduledGroupValues),
 * which the page says, as it says axes that moved (review 22: dropped without a word).
 */
export function droppedGroupValuesText(before: SpecJSON, after: SpecJSON): string {
  const was = groups(before);
  const now = groups(after);
  if (was.length !== now.length) return '';
  const gone = was.flatMap((g, i) => {
    const n = now[i];
    if (!isRecord(g) || !isRecord(n)) return [];
    return Object.keys(g).filter((k) => k !== 'params' && !(k in n)).map((k) => `param_groups[${i}].${k}`);
  });
  return gone.length > 0 ? `The schedule sets ${gone.length === 1 ? 'this value' : 'these values'} in every group itself, as torch does, so the group's own ${gone.length === 1 ? 'was' : 'were'} dropped: ${gone.join(', ')}.` : '';
}

function groups(spec: SpecJSON): unknown[] {
  const g = getAt(spec, 'optimizer.param_groups');
  return Array.isArray(g) ? g : [];
}

/**
 * torch's param_groups: each names the layers or tensors it holds (`layers.0`, `layers.1.bias`) and
 * the optimiser values it overrides; the LR here, the other values through the spec itself. The
 * tensors in no group form the default group, trained at the optimiser's own values.
 */
function groupsSection(spec: SpecJSON): Section {
  const swept = sweptPaths(spec);
  const list = groups(spec);
  // Under a schedule that sets every group's LR (OneCycleLR, CyclicLR) a group's own has no effect:
  // its field says where a per-group LR goes instead (one it has anyway stays, for its error to name).
  const schedule = entriesView(spec).schedule;
  const lrBySchedule = groupScheduleOverrides(entriesView(spec)).includes('lr');
  const out: Group[] = list.map((g, i) => {
    const path = `optimizer.param_groups.${i}`;
    const lrPath = `${path}.lr`;
    const setBy = lrBySchedule && getAt(g, 'lr') === undefined ? `set by ${overrideSetter('lr', schedule)} every step (one per group: ${groupLrListText(schedule)})` : null;
    const lr: Field = swept.has(lrPath)
      ? { type: 'swept', path: lrPath, label: 'lr', doc: '', hint: '', required: false, text: swept.get(lrPath) as string }
      : setBy
        ? { type: 'swept', path: lrPath, label: 'lr', doc: '', hint: '', required: false, text: setBy }
        : numberField(lrPath, 'lr', getAt(g, 'lr'), { optional: true, hint: 'empty = the optimizer’s lr', placeholder: 'optimizer’s lr', doc: 'This group’s learning rate.' });
    return {
      path,
      title: `param_groups[${i}]`,
      fields: [
        { type: 'list', path: `${path}.params`, label: 'params', doc: 'Layers (layers.0) or tensors (layers.0.weight) in this group, comma-separated.', hint: 'e.g. layers.0', required: true, text: formatList(getAt(g, 'params')) },
        lr,
      ],
      actions: [{ kind: 'remove-group', index: i, label: 'Remove', disabled: false }],
    };
  });
  return {
    id: 'groups',
    title: 'Param groups',
    doc: 'torch.optim param_groups: per-layer hyperparameters.',
    keys: [],
    note: list.length === 0 ? 'None: every tensor trains at the optimizer’s values.' : 'Tensors in no group train at the optimizer’s values.',
    groups: out,
    actions: [{ kind: 'add-group', label: 'Add param group', disabled: list.length >= MAX_PARAM_GROUPS }],
  };
}

function addGroup(spec: SpecJSON): SpecJSON {
  const list = groups(spec);
  const layer = `layers.${Math.min(list.length, 7)}`;
  const lr = getAt(spec, 'optimizer.lr');
  // Not where the schedule sets every group's LR (OneCycleLR): a group's own would have no effect.
  const ownLr = typeof lr === 'number' && !groupScheduleOverrides(entriesView(spec)).includes('lr');
  const n = list.length;
  // The new group took tensors of the default group: in a per-group list it takes its value too.
  const out = editGroupLists(setAt(spec, 'optimizer.param_groups', [...list, { params: [layer], ...(ownLr ? { lr } : {}) }]), (l) => [...l.slice(0, n), l.at(-1), ...l.slice(n)]);
  // The new group took the default group's last tensors, at its LR: an axis over optimizer.lr would
  // reach no tensor (refused), so it sweeps the new group's LR, the same tensors at the same values.
  return retargetUnreachedAxes(out, n).json;
}

/**
 * The schedule's per-group lists (torch's form, NumberParam.perGroup), each given its new elements
 * by `edit` as param groups come and go, so that a list keeps one value per group.
 */
export function editGroupLists(spec: SpecJSON, edit: (list: readonly unknown[]) => unknown[]): SpecJSON {
  // Where no explicit group is left, one value for the one group: the number (it sweeps and slides).
  const single = groups(spec).length === 0;
  const walk = (entry: unknown): unknown => {
    if (!isRecord(entry)) return entry;
    const out: Record<string, unknown> = { ...entry };
    for (const p of findSchedule(nameOf(entry))?.params ?? []) {
      const v = out[p.key];
      if ((p.kind === 'number' || p.kind === 'int') && p.perGroup === true && Array.isArray(v) && v.length > 0) {
        const next = edit(v);
        out[p.key] = single || next.length === 1 ? next.at(-1) : next;
      }
    }
    if (Array.isArray(entry.schedulers)) out.schedulers = entry.schedulers.map(walk);
    return out;
  };
  return isRecord(spec.schedule) ? { ...spec, schedule: walk(spec.schedule) } : spec;
}

/**
 * One rule for every edit that adds param groups (the editor's *Add param group*, Paste torch): an
 * axis over `optimizer.<k>` that the groups leave reaching no tensor (each group sets k itself) is
 * refused by the reader, and mending it away would drop the sweep (review 13). It sweeps
 * `optimizer.param_groups.<home>.<k>` instead, where that resolves: the group that holds what the
 * axis swept. `moved` says which axes moved where. Not a network spec, or no groups: as it is.
 */
export function retargetUnreachedAxes(spec: SpecJSON, home: number): { readonly json: SpecJSON; readonly moved: readonly { readonly from: string; readonly to: string }[] } {
  const net = parsedNet(spec);
  if (!net || net.paramGroups.length === 0) return { json: spec, moved: [] };
  let out = spec;
  const moved: { from: string; to: string }[] = [];
  for (const a of axisPaths(spec)) {
    const param = getAt(spec, `${a}.param`);
    if (typeof param !== 'string' || !param.startsWith('optimizer.') || param.startsWith('optimizer.param_groups.')) continue;
    if (typeof resolveNetPath(net, param) !== 'string') continue;
    const to = `optimizer.param_groups.${home}.${param.slice('optimizer.'.length)}`;
    if (typeof resolveNetPath(net, to) === 'string') continue;
    out = setAt(out, `${a}.param`, to);
    moved.push({ from: param, to });
  }
  return { json: out, moved };
}

function removeGroup(spec: SpecJSON, index: number): SpecJSON {
  const before = groups(spec);
  const list = before.filter((_, i) => i !== index);
  // Axes over this group's values go with it: they would name a group that is not there; so does
  // its value in a per-group list, where the default group has one. Where it had none (the explicit
  // groups held every tensor: one value each), the group's tensors go to the default group, and
  // its value with them, as the default group's (review 17).
  const prefix = `optimizer.param_groups.${index}.`;
  let out = editGroupLists(setAt(spec, 'optimizer.param_groups', list), (l) =>
    l.length === before.length ? [...l.filter((_, i) => i !== index), l[index]] : l.filter((_, i) => i !== index),
  );
  for (const a of axisPaths(out)) {
    const param = getAt(out, `${a}.param`);
    if (typeof param === 'string' && param.startsWith(prefix)) out = setAxisParam(out, a, 'optimizer.lr');
  }
  return out;
}

/**
 * A starting range for a network axis: LR-like values two decades either side of the current one
 * (log), the batch size's powers of two up to the training set (log), else the registry's typical range
 * (schedule lengths as multiples of the run's steps), else the allowed range where it is narrow, or
 * the current value halved and doubled.
 */
export function netAxisRange(spec: SpecJSON, param: string, parsed: NetSpec | null = parsedNet(spec)): AxisRangeJSON {
  if (param === 'network.batch_size') {
    // Powers of two up to the training set (a larger batch is refused), where the data set can say its
    // size, else 256: the batch sizes practitioners run (walkthrough 14: 1 … 1000 gave 63 and 251),
    // one cell each (batchAxisCount).
    const n = (parsed ? netTrainRows(parsed) : null) ?? 256;
    return { param, min: 1, max: 2 ** Math.floor(Math.log2(Math.max(2, n))), scale: 'log' };
  }
  const t = parsed ? resolveNetPath(parsed, param) : 'unparsed';
  const group = /^optimizer\.param_groups\.\d+\.(.+)$/.exec(param);
  const key = group?.[1] ?? param.replace(/^optimizer\./, '');
  const cur = getAt(spec, param) ?? getAt(spec, `optimizer.${key}`);
  const v = typeof cur === 'number' && Number.isFinite(cur) ? cur : null;
  if (/(^|_)lr$/.test(key) && v !== null && v > 0) return { param, min: tidy(v / 100), max: tidy(v * 100), scale: 'log' };
  // The registry's typical range where the parameter has one (momentum: 0 … 0.99; a tuple's its
  // element's), lengths counted in steps scaled to this run's (a schedule's T_max). A network has
  // no surface whose sharpness would scale an LR: such a range is taken as its bare multiples.
  const typical = typeof t !== 'string' && t.schema ? declaredTypical(t.schema, t.element) : null;
  if (typeof t !== 'string' && typical && typical !== 'surface-domain' && parsed) {
    const r = withinChildLimit(parsed, parsed.steps, scaledTypical(typical, param, t, parsed.steps, 1));
    if (r) return r;
  }
  if (typeof t !== 'string') {
    const { min, max } = t.range;
    if (Number.isFinite(min) && Number.isFinite(max) && max - min <= 10) {
      const lo = t.range.minExclusive ? min + (max - min) * 0.01 : min;
      const hi = t.range.maxExclusive ? max - (max - min) * 0.01 : max;
      return { param, min: tidy(lo), max: tidy(key === 'momentum' ? Math.min(hi, 0.99) : hi), scale: 'linear' };
    }
  }
  if (v !== null && v > 0) return { param, min: tidy(v / 2), max: tidy(v * 2), scale: 'linear' };
  return { param, min: 0, max: 1, scale: 'linear' };
}

export function formFields(form: Form): Field[] {
  return form.sections.flatMap((s) => s.groups.flatMap((g) => g.fields));
}

export function findField(form: Form, path: string): Field | undefined {
  return formFields(form).find((f) => f.path === path);
}

// ---------------------------------------------------------------------------------------------
// Applying what the user did

/**
 * The spec after the user changed `field` to `input` (an input's or select's value, or a
 * checkbox's checked state). Names, the sweep kind, the y-axis toggle and axis parameters have
 * their own rules (see the functions above); every other field stores the parsed value at its path.
 */
export function applyEdit(spec: SpecJSON, field: Field, input: string | boolean, handSet: HandSet = NONE_SET): SpecJSON {
  const path = field.path;
  const text = typeof input === 'string' ? input : String(input);
  if (path === 'problem') return switchProblem(spec, text);
  // Another data set: its own parameters (sizes differ from one set to the next), at their defaults.
  if (path === 'data.name') return setAt(spec, 'data', { name: text });
  if (path === 'surface.name') return switchSurface(spec, text, handSet);
  if (path === 'optimizer.name') return switchOptimizer(spec, text, handSet);
  if (path === 'schedule.name') return switchSchedule(spec, text, handSet);
  const child = /^schedule\.schedulers\.(\d+)\.name$/.exec(path);
  if (child) return switchChildSchedule(spec, Number(child[1]), text, handSet);
  if (path === 'sweep.kind') {
    const kinds: readonly SweepKind[] = ['none', 'grid', 'random', 'sobol', 'points'];
    const kind = kinds.find((k) => k === text);
    return kind ? setSweepKind(spec, kind) : setAt(spec, 'sweep.kind', text);
  }
  if (path === 'sweep.y') return setYAxis(spec, input === true);
  const block = switchBlock(path);
  if (block) return setBlock(spec, block, input === true);
  const axis = /^(sweep\.(?:x|y|dims\.\d+))\.param$/.exec(path);
  if (axis?.[1]) return setAxisParam(spec, axis[1], text, handSet);
  if (path === 'steps') return setSteps(spec, parseNumberInput(text));
  const next = ((): SpecJSON => {
    switch (field.type) {
      case 'number': {
        // "0.02, 0.2" in a per-group field: torch's list, one value per param group; one value ("0.3,"
        // too), a number.
        const list = field.perGroup ? parseListInput(text) : [];
        return setAt(spec, path, list.length > 1 ? list : list.length === 1 && typeof list[0] === 'number' ? list[0] : parseNumberInput(text));
      }
      case 'list':
        return setAt(spec, path, parseListInput(text));
      case 'checkbox':
        return input === true ? withinRules(setAt(spec, path, true), handSet) : rowsRestored(spec, setAt(spec, path, false), path, handSet);
      case 'select':
        return setAt(spec, path, text);
      case 'swept':
        return spec;
    }
  })();
  // A schedule value can make the schedule set the LR or momentum itself, or stop (a milestone, a
  // T_max, cycle_momentum under SequentialLR: SequentialLR.lrSetter): the axes follow, as for a
  // switch of schedule (review 22: an edit of T_max left a valid sweep refused).
  const overrides = (j: SpecJSON): string => scheduleOverrides(entriesView(j)).join(',');
  return path.startsWith('schedule.') && overrides(next) !== overrides(spec) ? scheduleChanged(next, handSet) : next;
}

/**
 * After a switch turned on (nesterov, amsgrad, …): a grid axis not set by hand whose end row breaks
 * one of the entries' rules (Nesterov needs momentum > 0, and the LR x momentum map starts at 0)
 * gives up that row: the end moves one row inward, the count kept, where that makes the spec valid.
 * Walkthrough 6 ticked nesterov on the default map and got only a refusal. A spec that is invalid for
 * another reason, or one a row does not mend, is left as it is, for its error to say why.
 */
function withinRules(spec: SpecJSON, handSet: HandSet): SpecJSON {
  if (parses(spec)) return spec;
  const s = spec.sweep;
  if (!isRecord(s) || s.kind !== 'grid') return spec;
  for (const path of axisPaths(spec)) {
    if (handSet.has(path)) continue;
    const a = getAt(spec, path);
    if (!isRecord(a) || typeof a.min !== 'number' || typeof a.max !== 'number' || !(a.max > a.min)) continue;
    const n = typeof a.count === 'number' && Number.isInteger(a.count) ? a.count : 0;
    if (n < 3) continue;
    // Unrounded: on an integer axis a fractional row is refused, and the spec stays as it was.
    const values = axisValues(a.min, a.max, n, a.scale === 'log' ? 'log' : 'linear', false);
    const second = values[1];
    const last = values[n - 2];
    if (second === undefined || last === undefined) continue;
    // The next row's value, to three significant digits where that still mends the spec (0.0319
    // reads better in the editor than 0.0319354839), else exactly.
    const ends = [second, last].flatMap((v, k) => [Number(v.toPrecision(3)), v].map((w) => (k === 0 ? { min: w } : { max: w })));
    for (const end of ends) {
      const next = setAt(spec, path, { ...a, ...end });
      if (parses(next)) return next;
    }
  }
  return spec;
}

/**
 * After the switch at `switchPath` turned off: an axis not set by hand that had given up its end row
 * to it gets the row back, where `on` (the spec with the switch still on) is exactly what giving it up
 * made of the axis's typical range or of a range from 0: `withinRules` moves an end one row inward,
 * the count kept; a pasted `nesterov=True` (torch-code's `nesterovAxis`) drops the momentum's 0 with
 * its row, its second value tidied. Walkthrough 16: unticking nesterov left the map at momentum
 * 0.0319 … 0.99, short of the row the user had not given up. An axis edited since matches neither
 * and is left as it is.
 */
export function rowsRestored(on: SpecJSON, off: SpecJSON, switchPath: string, handSet: HandSet): SpecJSON {
  if (!parses(off)) return off;
  let out = off;
  for (const path of axisPaths(off)) {
    if (handSet.has(path)) continue;
    const a = getAt(off, path);
    if (!isRecord(a) || typeof a.param !== 'string' || typeof a.min !== 'number' || typeof a.max !== 'number' || typeof a.count !== 'number') continue;
    const { min, max, count } = a;
    const typical = axisRange(off, a.param);
    const log = a.scale === 'log';
    const byEditor = (axis: Record<string, unknown>): boolean => JSON.stringify(getAt(withinRules(setAt(on, path, axis), handSet), path)) === JSON.stringify(a);
    const candidates: { readonly axis: Record<string, unknown>; readonly made: (axis: Record<string, unknown>) => boolean }[] = [
      ...(log === (typical.scale === 'log') ? [{ axis: { ...a, min: typical.min }, made: byEditor }, { axis: { ...a, max: typical.max }, made: byEditor }] : []),
      { axis: { ...a, min: 0 }, made: byEditor },
      // Only back to the typical range from 0: a grid such as 0.1 … 0.9 over 9 values has the trimmed
      // shape too, and was never trimmed (review 23).
      {
        axis: { ...a, min: 0, count: count + 1 },
        made: () => switchPath === 'optimizer.nesterov' && a.param === 'optimizer.momentum' && !log && tidy(max / count) === min && typical.min === 0 && typical.max === max && typical.scale === 'linear',
      },
    ];
    for (const { axis, made } of candidates) {
      if (axis.min === min && axis.max === max && axis.count === count) continue;
      const next = setAt(out, path, axis);
      if (made(axis) && parses(next)) {
        out = next;
        break;
      }
    }
  }
  return out;
}

/** A spec being edited, with the axes whose range the user set by hand. */
export interface EditorState {
  readonly spec: SpecJSON;
  readonly handSet: HandSet;
}

function axisRangeKey(spec: SpecJSON, path: string): string {
  const a = getAt(spec, path);
  return isRecord(a) ? JSON.stringify([a.min, a.max, a.scale]) : '';
}

/**
 * The hand-set axes after an edit turned `before` into `after`: an axis whose min, max or scale
 * the user typed becomes hand-set; one whose range a rule replaced (a new parameter, entry or kind
 * at its typical range) is not any more; `moved` maps axes that changed place (swap, kind change,
 * a removed dimension) to where they went.
 */
function carryHandSet(before: SpecJSON, after: SpecJSON, handSet: HandSet, moved: ReadonlyMap<string, string | null> = new Map()): Set<string> {
  const out = new Set<string>();
  for (const p of handSet) {
    const to = moved.has(p) ? moved.get(p) : p;
    if (to && axisRangeKey(before, p) === axisRangeKey(after, to)) out.add(to);
  }
  return out;
}

/** Where each axis of `spec` goes when the sweep kind changes to `kind` (grid x/y <-> dims 0/1). */
function kindMoves(spec: SpecJSON, kind: string): Map<string, string | null> {
  const moved = new Map<string, string | null>();
  const from = sweepKind(spec);
  const sampled = (k: string): boolean => k === 'random' || k === 'sobol';
  if (from === 'grid' && sampled(kind)) {
    moved.set('sweep.x', 'sweep.dims.0');
    moved.set('sweep.y', 'sweep.dims.1');
  } else if (sampled(from) && kind === 'grid') {
    moved.set('sweep.dims.0', 'sweep.x');
    moved.set('sweep.dims.1', 'sweep.y');
  }
  return moved;
}

/** `applyEdit`, keeping track of the axes set by hand. */
export function applyEditTracked(state: EditorState, field: Field, input: string | boolean): EditorState {
  const { spec, handSet } = state;
  const next = applyEdit(spec, field, input, handSet);
  const range = /^(sweep\.(?:x|y|dims\.\d+))\.(?:min|max|scale)$/.exec(field.path);
  const moved = field.path === 'sweep.kind' && typeof input === 'string' ? kindMoves(spec, input) : new Map<string, string | null>();
  const out = carryHandSet(spec, next, handSet, moved);
  if (range?.[1]) out.add(range[1]);
  return { spec: next, handSet: out };
}

/** `applyAction`, keeping track of the axes set by hand. */
export function applyActionTracked(state: EditorState, action: Action): EditorState {
  const { spec, handSet } = state;
  const next = applyAction(spec, action);
  const moved = new Map<string, string | null>();
  if (action.kind === 'swap-axes') {
    moved.set('sweep.x', 'sweep.y');
    moved.set('sweep.y', 'sweep.x');
  } else if (action.kind === 'remove-dim') {
    for (const p of handSet) {
      const m = /^sweep\.dims\.(\d+)$/.exec(p);
      const i = Number(m?.[1] ?? -1);
      if (i === action.index) moved.set(p, null);
      else if (i > action.index) moved.set(p, `sweep.dims.${i - 1}`);
    }
  }
  return { spec: next, handSet: carryHandSet(spec, next, handSet, moved) };
}

export function applyAction(spec: SpecJSON, action: Action): SpecJSON {
  switch (action.kind) {
    case 'add-scheduler':
      return addChildSchedule(spec);
    case 'remove-scheduler':
      return removeChildSchedule(spec, action.index);
    case 'swap-axes':
      return swapAxes(spec);
    case 'add-group':
      return addGroup(spec);
    case 'remove-group':
      return removeGroup(spec, action.index);
    case 'add-dim':
      return addDim(spec);
    case 'remove-dim':
      return removeDim(spec, action.index);
  }
}

// ---------------------------------------------------------------------------------------------
// Where errors are shown

/**
 * An error path without entry rules' annotations: parseSpec reports a SequentialLR child's rule at
 * e.g. `schedule.schedulers.1 (LinearLR)`.
 */
export function normalizeErrorPath(path: string): string {
  return path.replace(/ \([^)]*\)/g, '').trim();
}

/** The message without its leading `path: ` (SpecError messages repeat the path). */
export function errorText(e: FieldError): string {
  const prefix = `${e.path}: `;
  return e.path !== '' && e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
}

export interface PlacedError {
  readonly error: FieldError;
  /**
   * Where it is shown: a field's path, `group:<path>` for a group of fields (e.g. `group:sweep.x`),
   * `section:<id>`, or '' for the summary only.
   */
  readonly anchor: string;
  readonly text: string;
}

/**
 * Anchors each error at the most specific place the form shows: the field with its path, else
 * the innermost field or group whose path contains it (`schedule.milestones.1` shows at the
 * milestones field, `sweep.x` at the x-axis group), else the section owning its top-level key.
 * A group wins a tie with a field (`sweep.y` is both the y-axis toggle and the y-axis group, and
 * errors there are about the axis).
 */
export function placeErrors(errors: readonly FieldError[], form: Form): PlacedError[] {
  const anchors: { key: string; path: string }[] = [];
  for (const s of form.sections) {
    for (const g of s.groups) {
      anchors.push({ key: `group:${g.path}`, path: g.path });
      for (const f of g.fields) anchors.push({ key: f.path, path: f.path });
    }
  }
  const under = (p: string, a: string): boolean => p === a || p.startsWith(`${a}.`);
  return errors.map((error) => {
    const p = normalizeErrorPath(error.path);
    let best: { key: string; path: string } | null = null;
    for (const a of anchors) {
      if (!under(p, a.path)) continue;
      if (
        best === null ||
        a.path.length > best.path.length ||
        (a.path.length === best.path.length && a.key.startsWith('group:') && !best.key.startsWith('group:'))
      ) {
        best = a;
      }
    }
    let anchor = best?.key ?? '';
    if (anchor === '') {
      const top = p.split('.')[0] ?? '';
      const section = form.sections.find((s) => s.keys.includes(top));
      if (section) anchor = `section:${section.id}`;
    }
    return { error, anchor, text: errorText(error) };
  });
}
