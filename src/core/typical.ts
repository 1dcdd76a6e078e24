/**
 * Typical sweep ranges, resolved for a spec: where sweeping a parameter shows its behaviour. Each
 * sweepable parameter states its range once, in its schema (`typical` on registry parameters and
 * run-level fields, see TypicalRange in params.ts); what depends on the rest of the spec is
 * resolved here: a start coordinate spans the surface's view along its axis, a length counted in
 * steps scales with the run's `steps`, a plain gradient step's LR with the surface's sharpness. The app moves an axis the user has not set by hand to this
 * range whenever its parameter, the optimiser or the surface changes, so that every first view of
 * an entry shows structure.
 */
import type { ParamSchema, TypicalRange } from './params.ts';
import { findSurface } from './registry/index.ts';
import type { AxisRange, PathContext } from './spec.ts';
import { childLimitOf, resolveParamPath } from './spec.ts';

/** What a typical range depends on: the entries (for the path and the surface's view) and the run length. */
export type TypicalContext = PathContext & { readonly steps: number };

/** The declared typical range of a path, before it is resolved against the spec. */
function declared(ctx: TypicalContext, path: string): TypicalRange | 'surface-domain' | null {
  const t = resolveParamPath(ctx, path);
  return typeof t === 'string' ? null : declaredTypical(t.schema, t.element);
}

/** What a parameter's schema declares as its typical range (a tuple's: its `element`'s), unresolved. */
export function declaredTypical(p: ParamSchema, element: number | null): TypicalRange | 'surface-domain' | null {
  switch (p.kind) {
    case 'number':
    case 'int':
    case 'optional-number':
    case 'optional-int':
      return p.typical ?? null;
    case 'tuple':
      if (p.typical === 'surface-domain') return p.typical;
      return p.typical?.[element ?? 0] ?? null;
    default:
      return null;
  }
}

/** Largest sharpness among minima found for the last surface asked about (data-backed surfaces build data for it). */
let sharpCache: { key: string; lambda: number } | null = null;

/**
 * The largest finite sharpness λ among the surface's known minima; 1 where it knows none (a
 * saddle, a draft the surface cannot use), which makes a `1/sharpness` range its bare multiples.
 */
function sharpest(ctx: TypicalContext): number {
  const key = JSON.stringify([ctx.surface.name, ctx.surface.params]);
  if (sharpCache?.key === key) return sharpCache.lambda;
  let lambda = 1;
  const surface = findSurface(ctx.surface.name);
  try {
    if (surface) {
      const data = surface.data?.(ctx.surface.params) ?? null;
      const found = surface.minima(ctx.surface.params, data).map((m) => m.sharpness).filter((l) => Number.isFinite(l) && l > 0);
      if (found.length > 0) lambda = Math.max(...found);
    }
  } catch {
    // An unvalidated draft may hold values the surface cannot use.
  }
  sharpCache = { key, lambda };
  return lambda;
}

/** The lowest and highest integers an allowed range holds. */
function intBounds(r: { min: number; max: number; minExclusive?: boolean; maxExclusive?: boolean }): [number, number] {
  const lo = r.minExclusive && Number.isInteger(r.min) ? r.min + 1 : Math.ceil(r.min);
  const hi = r.maxExclusive && Number.isInteger(r.max) ? r.max - 1 : Math.floor(r.max);
  return [lo, hi];
}

/**
 * The typical sweep range of `path` for this spec, as a sweep axis's range, or null when the path
 * is not sweepable here or (a draft naming an unknown surface) cannot be resolved. Ranges counted
 * in steps are rounded to integers for integer parameters and kept within what the parameter
 * allows (a run of 3 steps still gets a range its T_max accepts).
 */
export function typicalRange(ctx: TypicalContext, path: string): AxisRange | null {
  const d = declared(ctx, path);
  if (d === null) return null;
  if (d === 'surface-domain') {
    const surface = findSurface(ctx.surface.name);
    if (!surface) return null;
    let view;
    try {
      view = surface.domain(ctx.surface.params);
    } catch {
      // An unvalidated draft may hold surface values the view cannot use.
      return null;
    }
    const axis = path.endsWith('.1') ? [view.yMin, view.yMax] : [view.xMin, view.xMax];
    return { param: path, min: axis[0] as number, max: axis[1] as number, scale: 'linear' };
  }
  const t = resolveParamPath(ctx, path);
  if (typeof t === 'string') return null;
  return withinChildLimit(ctx, ctx.steps, scaledTypical(d, path, t, ctx.steps, d.per === '1/sharpness' ? sharpest(ctx) : 1));
}

/**
 * A typical range cut to a composite's limit on the child value it sweeps (a chained cosine's
 * T_max >= the run's steps); null for a value the composite fixes (its eta_min, 0), which has
 * nothing to sweep. Other ranges are returned as they are.
 */
export function withinChildLimit(spec: Pick<PathContext, 'schedule'>, steps: number, r: AxisRange): AxisRange | null {
  const limit = childLimitOf(spec, steps, r.param);
  if (!limit) return r;
  if ('fixed' in limit) return null;
  const min = Math.max(r.min, limit.min);
  return { ...r, min, max: r.max > min ? r.max : 2 * min };
}

/**
 * A declared typical range made concrete: its ends times what `per` names (the run's `steps`; the
 * inverse of the sharpness `lambda`), rounded to integers within the allowed range for an integer
 * parameter. typicalRange resolves a surface spec's paths through it; the app's network axes
 * (netAxisRange), whose runs have no surface, through it with their own steps.
 */
export function scaledTypical(
  d: TypicalRange,
  path: string,
  t: { readonly int: boolean; readonly range: { min: number; max: number; minExclusive?: boolean; maxExclusive?: boolean } },
  steps: number,
  lambda: number,
): AxisRange {
  const runSteps = Number.isFinite(steps) && steps >= 1 ? steps : 1;
  const unit = d.per === 'steps' ? runSteps : d.per === '1/sharpness' ? 1 / lambda : 1;
  // Ends scaled by the surface's sharpness are rounded to two significant digits (Rosenbrock's
  // λ = 1001.6 gives SGD 1e-5 … 0.01, not 9.98e-6 … 0.00998).
  const tidy = (x: number): number => (d.per === '1/sharpness' ? Number(x.toPrecision(2)) : x);
  let min = tidy(d.min * unit);
  let max = tidy(d.max * unit);
  if (t.int) {
    const [lo, hi] = intBounds(t.range);
    min = Math.min(hi, Math.max(lo, Math.round(min)));
    max = Math.min(hi, Math.max(min, Math.round(max)));
  }
  return { param: path, min, max, scale: d.scale };
}
