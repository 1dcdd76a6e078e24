/**
 * Sliders for the spec's fixed scalar hyperparameters (the optimiser's numbers not swept: lr,
 * momentum, betas, eps, …), free of the DOM.
 *
 * A slider's range is the range the editor proposes for sweeping that parameter
 * (`defaultAxisRange`, one definition for both), taken at the parameter's default so that it stays
 * put while the slider moves, and widened to hold the current value; always within the
 * parameter's allowed range. It is logarithmic where that range is (where it spans decades).
 */
import type { Plan } from '../core/plan.ts';
import { findOptimizer } from '../core/registry/index.ts';
import type { SpecJSON } from './components/spec-edit.ts';
import { defaultAxisRange, getAt, setAt } from './components/spec-edit.ts';
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
