/**
 * Sliders for the spec's fixed scalar hyperparameters (the optimiser's numbers not swept: lr,
 * momentum, betas, eps, …), free of the DOM.
 *
 * A slider's range is the range the editor proposes for sweeping that parameter
 * (`defaultAxisRange`, one definition for both), taken at the parameter's default so that it stays
 * put while the slider moves, and widened to hold the current value; always within the
 * parameter's allowed range. It is logarithmic where that range is (where it spans decades).
 */
import type { NetPlan } from '../core/network/plan.ts';
import type { Plan } from '../core/plan.ts';
import { findOptimizer } from '../core/registry/index.ts';
import { MAX_STEPS } from '../core/run-settings.ts';
import { resolveNetPath } from '../core/spec.ts';
import { netParamShort } from '../view/caption.ts';
import type { SpecJSON } from './components/spec-edit.ts';
import { defaultAxisRange, getAt, netAxisRange, setAt } from './components/spec-edit.ts';
import { shortParam } from './runs.ts';

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
}

/** Positions of a slider: a range input from 0 to this. */
export const SLIDER_STEPS = 1000;

/** Significant digits a slider sets (a slider is not for the fourth digit; the editor is). */
const SLIDER_DIGITS = 3;

/** The sliders of a spec (its JSON as normalised by the parser) and the plan that runs it. */
export function paramSliders(json: SpecJSON, plan: Plan): SliderModel[] {
  const opt = findOptimizer(plan.spec.optimizer.name);
  if (!opt) return [];
  const swept = new Set(plan.dims.map((d) => d.path));
  const out: SliderModel[] = [];
  type Allowed = { min: number; max: number; minExclusive?: boolean; maxExclusive?: boolean };
  const add = (path: string, def: number, allowed: Allowed, int: boolean, doc: string): void => {
    const value = getAt(json, path);
    if (swept.has(path) || typeof value !== 'number' || !Number.isFinite(value)) return;
    const r = defaultAxisRange(setAt(json, path, def), path);
    let min = Math.min(r.min, value);
    let max = Math.max(r.max, value);
    min = Math.max(min, allowed.min);
    max = Math.min(max, allowed.max);
    if (!(max > min)) return;
    const log = r.scale === 'log' && min > 0;
    const lowOpen = allowed.minExclusive === true && min <= allowed.min;
    const highOpen = allowed.maxExclusive === true && max >= allowed.max;
    out.push({ path, label: shortParam(path), value, min, max, log, int, lowOpen, highOpen, doc });
  };
  for (const p of opt.params) {
    if (p.kind === 'number' || p.kind === 'int') add(`optimizer.${p.key}`, p.default, p, p.kind === 'int', p.doc);
    else if (p.kind === 'tuple') p.default.forEach((d, i) => add(`optimizer.${p.key}.${i}`, d, p, false, p.doc));
  }
  return out;
}

/** Where a value sits on its slider, 0..SLIDER_STEPS. */
export function sliderPosition(m: SliderModel, v: number): number {
  const u = m.log ? Math.log(v / m.min) / Math.log(m.max / m.min) : (v - m.min) / (m.max - m.min);
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
 * label), the batch size (when the spec sets one; null trains on the whole set) and the number of
 * steps; none a sweep axis varies. A slider's range is the editor's starting range for sweeping that
 * value (netAxisRange: LRs two decades either side of the value, momentum 0 … 0.99, the batch size 1
 * … the training set), taken once: `previous` (the sliders shown before) keeps a slider's range while
 * its value stays inside it, so a range anchored at an LR of 100 does not slide along as it is
 * dragged; a value typed outside it re-anchors it.
 */
export function netParamSliders(json: SpecJSON, plan: NetPlan, previous: readonly SliderModel[] = []): SliderModel[] {
  const opt = findOptimizer(plan.spec.optimizer.name);
  if (!opt) return [];
  const swept = new Set(plan.dims.map((d) => d.path));
  const before = new Map(previous.map((m) => [m.path, m]));
  const out: SliderModel[] = [];
  type Allowed = { min: number; max: number; minExclusive?: boolean; maxExclusive?: boolean };
  const add = (path: string, label: string, allowed: Allowed, int: boolean, doc: string, range: () => { min: number; max: number; log: boolean }): void => {
    const value = getAt(json, path);
    if (swept.has(path) || typeof value !== 'number' || !Number.isFinite(value)) return;
    const old = before.get(path);
    let min: number;
    let max: number;
    let log: boolean;
    if (old && value >= old.min && value <= old.max) ({ min, max, log } = old);
    else {
      const r = range();
      min = Math.max(Math.min(r.min, value), allowed.min);
      max = Math.min(Math.max(r.max, value), allowed.max);
      log = r.log && min > 0;
    }
    if (!(max > min)) return;
    const lowOpen = allowed.minExclusive === true && min <= allowed.min;
    const highOpen = allowed.maxExclusive === true && max >= allowed.max;
    out.push({ path, label, value, min, max, log, int, lowOpen, highOpen, doc });
  };
  const axis = (path: string) => (): { min: number; max: number; log: boolean } => {
    const r = netAxisRange(json, path);
    return { min: r.min, max: r.max, log: r.scale === 'log' };
  };
  const keys = opt.params.flatMap((p) =>
    p.kind === 'number' || p.kind === 'int' ? [{ key: p.key, int: p.kind === 'int', doc: p.doc }] : p.kind === 'tuple' ? p.default.map((_, i) => ({ key: `${p.key}.${i}`, int: false, doc: p.doc })) : [],
  );
  // A group's value names the layers it trains; the optimiser's names them only where a group
  // overrides that key (else every group without its own value follows it: `momentum`).
  const overridden = (key: string): boolean => plan.spec.paramGroups.some((g) => Object.hasOwn(g.overrides, key.split('.')[0] ?? key));
  const label = (path: string): string => {
    const key = path.replace(/^optimizer\.(param_groups\.\d+\.)?/, '');
    return path.startsWith('optimizer.param_groups.') || overridden(key) ? netParamShort(plan, path) : key;
  };
  const paths = [
    ...keys.map((k) => ({ ...k, path: `optimizer.${k.key}` })),
    // A group's own values only: the others follow the optimiser's slider.
    ...plan.spec.paramGroups.flatMap((_, g) => keys.map((k) => ({ ...k, path: `optimizer.param_groups.${g}.${k.key}` }))),
  ];
  for (const k of paths) {
    const t = resolveNetPath(plan.spec, k.path);
    if (typeof t === 'string') continue;
    add(k.path, label(k.path), t.range, k.int, k.doc, axis(k.path));
  }
  add('network.batch_size', 'batch size', { min: 1, max: Math.max(1, plan.data.train.n) }, true, 'Samples per minibatch (drawn with replacement); the whole training set when the spec sets none.', () => ({
    min: 1,
    max: Math.max(2, plan.data.train.n),
    log: true,
  }));
  const steps = plan.spec.steps;
  add('steps', 'steps', { min: 1, max: MAX_STEPS }, true, 'Optimiser steps per run.', () => ({ min: Math.max(1, Math.round(steps / 10)), max: Math.max(2, steps * 10), log: true }));
  return out;
}
