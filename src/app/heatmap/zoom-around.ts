/**
 * Zooming a grid sweep around a cell (the keyboard's + and −): each axis keeps its count and scale
 * and spans `factor` times its range, centred on the cell where it can be. Zooming in stays within
 * the current range; zooming out stays within the parameter's allowed range (an LR stays above 0, a
 * beta below 1). The result is a spec JSON for a new view, or null when nothing would change.
 */
import type { Cell } from '../../core/plan.ts';
import { SpecErrors } from '../../core/errors.ts';
import type { AnySpec, GridAxis } from '../../core/spec.ts';
import { anySpecToJSON, netTrainRows, parseAnySpec, resolveNetPath, resolveParamPath } from '../../core/spec.ts';
import { digitsFor } from '../../view/ticks.ts';
import { distinctIntCount } from '../../core/sampling.ts';

/**
 * Numbers the app proposes are tidied of float noise: to 12 significant digits, or more where the
 * new range's span needs them (six digits of the span: 116.2843264241 ... 116.2843264251 keeps its
 * last ones), at most 17. A fixed 12 digits stopped a deep zoom where the span reached the last digit
 * kept, long before the float64 engine runs out.
 */
export function tidy(x: number, span: number): number {
  if (!(span > 0) || x === 0 || !Number.isFinite(x)) return x;
  return Number(x.toPrecision(digitsFor(Math.abs(x), span, 6, 12)));
}

/**
 * Whether an axis's neighbouring cells are less than four steps of a float with unit roundoff `eps`
 * apart (2^-24: float32; 2^-53: float64): there the engine would draw rounding noise, not the map.
 */
export function axisFinerThan(min: number, max: number, count: number, eps: number): boolean {
  const span = Math.abs(max - min);
  const mag = Math.max(Math.abs(min), Math.abs(max));
  return span > 0 && span / Math.max(1, count - 1) < 4 * mag * eps;
}

/**
 * Why a zoom's new view cannot be drawn, or null: its grid finer than even float64 resolves. The
 * zoom is refused before it becomes the spec (and a link, and a step of the history), so the page
 * keeps the view it shows rather than showing a range it cannot draw.
 */
export function zoomRefusal(json: Record<string, unknown>): string | null {
  const sweep = json.sweep as { kind?: string; x?: GridAxis; y?: GridAxis | null } | null | undefined;
  if (!sweep || sweep.kind !== 'grid' || !sweep.x) return null;
  const axes = [sweep.x, ...(sweep.y ? [sweep.y] : [])];
  if (!axes.some((a) => axisFinerThan(a.min, a.max, a.count, 2 ** -53))) return null;
  return 'This zoom would be finer than even float64 resolves (neighbouring cells less than 4 float64 steps apart), so no engine here could draw it: the view stays as it is.';
}

/** A swept path's allowed range and whether it is an integer, for either kind of spec. */
function target(spec: AnySpec, path: string): { range: { min: number; max: number; minExclusive?: boolean; maxExclusive?: boolean }; int: boolean } | string {
  if (spec.problem !== 'network') return resolveParamPath(spec, path);
  const t = resolveNetPath(spec, path);
  // A batch axis widens no further than the training set (a larger batch is refused).
  const n = path === 'network.batch_size' && typeof t !== 'string' ? netTrainRows(spec) : null;
  return n !== null && typeof t !== 'string' ? { ...t, range: { ...t.range, max: Math.min(t.range.max, n) } } : t;
}

function zoomAxis(spec: AnySpec, a: GridAxis, k: number, factor: number): GridAxis {
  if (a.count <= 1 || !(a.max > a.min)) return a;
  const log = a.scale === 'log';
  const f = (v: number): number => (log ? Math.log(v) : v);
  const g = (u: number): number => (log ? Math.exp(u) : u);
  const lo = f(a.min);
  const hi = f(a.max);
  const c = lo + ((hi - lo) * Math.min(a.count - 1, Math.max(0, k))) / (a.count - 1);
  const half = ((hi - lo) / 2) * factor;
  let blo = lo;
  let bhi = hi;
  let openLo = false;
  let openHi = false;
  if (factor > 1) {
    const t = target(spec, a.param);
    const r = typeof t === 'string' ? { min: -Infinity, max: Infinity } : t.range;
    blo = log ? (r.min > 0 ? Math.log(r.min) : -Infinity) : r.min;
    bhi = log ? Math.log(r.max) : r.max;
    openLo = typeof t !== 'string' && t.range.minExclusive === true;
    openHi = typeof t !== 'string' && t.range.maxExclusive === true;
    // Never narrower than now, whatever the bounds.
    blo = Math.min(blo, lo);
    bhi = Math.max(bhi, hi);
  }
  let nlo = c - half;
  let nhi = c + half;
  if (nlo < blo) {
    nhi += blo - nlo;
    nlo = blo;
  }
  if (nhi > bhi) {
    nlo = Math.max(blo, nlo - (nhi - bhi));
    nhi = bhi;
  }
  // An excluded bound (momentum < 1) is approached, not reached.
  const span = nhi - nlo;
  if (openLo && nlo <= blo && nlo < lo) nlo = blo + span * 1e-3;
  if (openHi && nhi >= bhi && nhi > hi) nhi = bhi - span * 1e-3;
  const width = g(nhi) - g(nlo);
  return fitIntegerAxis(spec, { ...a, min: tidy(g(nlo), width), max: tidy(g(nhi), width) });
}

/**
 * A zoomed axis of an integer parameter (the batch size): its ends rounded (max above min), and no
 * more cells than distinct integers between them, which the spec reader refuses (review 13: zooming
 * near the small-batch end kept 11 cells over 1 … 11 on a log axis, and the zoom was refused as "cannot
 * zoom in further"). Any other axis as it is.
 */
export function fitIntegerAxis(spec: AnySpec, a: GridAxis): GridAxis {
  const t = target(spec, a.param);
  if (typeof t === 'string' || !t.int) return a;
  const sweep = spec.sweep;
  const was = sweep?.kind === 'grid' ? [sweep.x, sweep.y].find((w) => w?.param === a.param) : undefined;
  if (was && powersOfTwo(was)) {
    // An axis of powers of two, a cell each (the editor's batch axis), stays one: its ends go to
    // the nearest powers of two in log terms, within the allowed range (walkthrough 14: a zoom
    // turned 1, 2, 4, … into 14 … 1000, batch sizes no one runs).
    const limit = 2 ** Math.floor(Math.log2(t.range.max));
    const pow = (v: number): number => Math.min(limit, 2 ** Math.max(0, Math.round(Math.log2(v))));
    let min = pow(a.min);
    let max = pow(a.max);
    if (max <= min) [min, max] = min * 2 <= limit ? [min, min * 2] : [min / 2, min];
    if (min >= 1) return { ...a, min, max, count: Math.round(Math.log2(max / min)) + 1 };
  }
  const min = Math.round(a.min);
  const max = Math.max(min + 1, Math.round(a.max));
  return { ...a, min, max, count: distinctIntCount(min, max, a.scale, a.count) };
}

/** A log axis from one power of two to another with a cell for each power between (1, 2, 4, …). */
export function powersOfTwo(a: GridAxis): boolean {
  const p2 = (v: number): boolean => v >= 1 && Number.isInteger(Math.log2(v));
  return a.scale === 'log' && p2(a.min) && p2(a.max) && a.max > a.min && a.count === Math.round(Math.log2(a.max / a.min)) + 1;
}

export function zoomAround(spec: AnySpec, cell: Cell, factor: number): Record<string, unknown> | null {
  const sweep = spec.sweep;
  if (!sweep || sweep.kind !== 'grid' || !(factor > 0) || factor === 1) return null;
  const x = zoomAxis(spec, sweep.x, cell.i, factor);
  const y = sweep.y ? zoomAxis(spec, sweep.y, cell.j, factor) : null;
  const same = (a: GridAxis, b: GridAxis | null): boolean => !!b && a.min === b.min && a.max === b.max;
  if (same(sweep.x, x) && (!sweep.y || same(sweep.y, y))) return null;
  const json = { ...anySpecToJSON(spec), sweep: { kind: 'grid', x, y } };
  try {
    parseAnySpec(json);
  } catch (e) {
    if (e instanceof SpecErrors) return null;
    throw e;
  }
  return json;
}
