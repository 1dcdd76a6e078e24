/**
 * Theory drawn on a sweep's map where it is known, as lines in the axes' coordinates (DOM-free;
 * the app's heatmap and the SVG figures draw them; tests/unit/theory.test.ts checks them against
 * runs):
 * - the linear stability limit of SGD at each known minimum: a run cannot settle in a minimum of
 *   sharpness λ (the largest Hessian eigenvalue there) unless lr·(λ + weight_decay) < 2(1 + μ) for
 *   heavy-ball momentum μ, or < 2(1 + μ)/(1 + 2μ) with Nesterov momentum;
 * - on the quadratic, where linear theory is exact everywhere, also the boundary of the runs that
 *   converge within the run: ρ(lr, μ)^steps · |start − minimum| = radius, with ρ the spectral radius
 *   of the heavy-ball iteration on the slower of the two eigen-directions it does not diverge in.
 * - on a grid over the momentum at a fixed LR, the same limit as the momentum it takes
 *   (limitMomentum; λ + weight_decay for λ): lr·λ/2 − 1 for heavy ball (stable above it, below 1),
 *   and for Nesterov the μ where lr·λ = 2(1 + μ)/(1 + 2μ), or 1/(1 − lr·λ) where lr·λ < 1 (stable
 *   below it).
 * Lines are drawn only where their assumptions hold: SGD without dampening, schedule, SAM or
 * maximize, on a grid whose axes include the LR (or the momentum, the other axis neither an
 * optimiser's, a schedule's nor a surface's value), with no surface parameter swept.
 */
import type { Plan } from '../core/plan.ts';
import { minimumName } from '../core/outcome.ts';
import { f64 } from '../core/registry/surfaces/shared.ts';
import type { OverlayLine } from './panels.ts';
import { formatNumber } from './ticks.ts';

/** Colour of theory lines (renderers add a light halo, so they read on any cell colour). */
export const THEORY_INK = '#000000';

/** The largest LR at which momentum μ is stable on curvature λ (heavy ball, or Nesterov). */
export function stabilityLimit(lambda: number, momentum: number, nesterov: boolean): number {
  return nesterov ? (2 * (1 + momentum)) / ((1 + 2 * momentum) * lambda) : (2 * (1 + momentum)) / lambda;
}

/**
 * Spectral radius of the heavy-ball iteration x_{k+1} = x_k − lr·λ·x_k + μ(x_k − x_{k−1}) (torch's
 * SGD with momentum on a quadratic of curvature λ): the larger |root| of z² − (1 + μ − lr·λ)z + μ.
 */
export function heavyBallRate(lr: number, lambda: number, momentum: number): number {
  const b = 1 + momentum - lr * lambda;
  const disc = b * b - 4 * momentum;
  if (disc < 0) return Math.sqrt(momentum);
  const s = Math.sqrt(disc);
  return Math.max(Math.abs((b + s) / 2), Math.abs((b - s) / 2));
}

/** Eigenvalues of the surface's Hessian at (x, y), in float64, largest first, with unit eigenvectors. */
function hessianEigen(plan: Plan, x: number, y: number): { lambda: number; v: [number, number] }[] {
  const h = new Float64Array(3);
  plan.surface.hessian(f64, plan.P, x, y, plan.data, h);
  const [a, b, c] = [h[0] as number, h[1] as number, h[2] as number];
  const m = (a + c) / 2;
  const d = Math.sqrt(((a - c) / 2) ** 2 + b * b);
  const vec = (l: number): [number, number] => {
    // (b, l − a) or (l − c, b), whichever is not (near) zero.
    const [p, q] = Math.abs(b) > 1e-300 || Math.abs(l - a) > Math.abs(l - c) ? [b, l - a] : [l - c, b];
    const n = Math.hypot(p, q);
    return n > 0 ? [p / n, q / n] : l === m + d ? [1, 0] : [0, 1];
  };
  return [
    { lambda: m + d, v: vec(m + d) },
    { lambda: m - d, v: d === 0 ? [0, 1] : vec(m - d) },
  ];
}

function num(v: unknown, fallback: number): number {
  return typeof v === 'number' ? v : fallback;
}

interface Axes {
  readonly lrOnX: boolean;
  /** The other axis's parameter, and its values' range. */
  readonly other: string | null;
  readonly lr: readonly [number, number];
  readonly otherRange: readonly [number, number];
  readonly otherLog: boolean;
}

function axesOf(plan: Plan): Axes | null {
  const s = plan.spec.sweep;
  if (!s || s.kind !== 'grid') return null;
  const lrOnX = s.x.param === 'optimizer.lr';
  const lrAxis = lrOnX ? s.x : s.y?.param === 'optimizer.lr' ? s.y : null;
  if (!lrAxis) return null;
  const o = lrOnX ? s.y : s.x;
  return {
    lrOnX,
    other: o?.param ?? null,
    lr: [lrAxis.min, lrAxis.max],
    otherRange: o ? [o.min, o.max] : [0, 1],
    otherLog: o?.scale === 'log',
  };
}

function samples(range: readonly [number, number], log: boolean, n: number): number[] {
  const [a, b] = range;
  return Array.from({ length: n }, (_, k) => (log ? a * (b / a) ** (k / (n - 1)) : a + ((b - a) * k) / (n - 1)));
}

/** A line through (lr, other) points, placed on the axes as the grid has them. */
function place(ax: Axes, label: string, lrs: readonly number[], others: readonly number[]): OverlayLine {
  return ax.lrOnX ? { label, x: lrs, y: others, colour: THEORY_INK } : { label, x: others, y: lrs, colour: THEORY_INK };
}

/** Distinct sharpnesses of the known minima (within 2% of each other counts as one), largest first, at most 4. */
function distinctSharpness(plan: Plan): { lambda: number; minima: number[] }[] {
  const out: { lambda: number; minima: number[] }[] = [];
  plan.minima.forEach((m, i) => {
    if (!Number.isFinite(m.sharpness) || !(m.sharpness > 0)) return;
    const same = out.find((o) => Math.abs(o.lambda - m.sharpness) <= 0.02 * o.lambda);
    if (same) same.minima.push(i);
    else out.push({ lambda: m.sharpness, minima: [i] });
  });
  return out.sort((a, b) => b.lambda - a.lambda).slice(0, 4);
}

function which(plan: Plan, minima: readonly number[]): string {
  const [one] = minima;
  if (minima.length === 1 && one !== undefined) return minimumName(plan.minima[one], one);
  // Named minima by their names ("the sharp and flat minima" is rare: wells of equal λ), others by index.
  return minima.length <= 3 ? `minima ${minima.map((i) => plan.minima[i]?.name ?? String(i)).join(', ')}` : `${minima.length} minima`;
}

/**
 * A stability limit's name, as the explorer's legend and the studies' figures write it: the formula
 * in the momentum's own name (not a μ defined nowhere on the page), λ's value, the minimum it is of.
 * With momentum 0 it is lr = 2/λ.
 */
export function stabilityLabel(lambda: number, nesterov: boolean, of: string, momentum = true): string {
  const formula = !momentum ? 'lr = 2/λ' : nesterov ? 'lr = 2(1 + momentum)/((1 + 2·momentum)λ)' : 'lr = 2(1 + momentum)/λ';
  return `stability limit ${formula}, λ = ${formatNumber(lambda, 3)} (${of})`;
}

/** The theory lines for a plan's map (empty where none applies). */
export function theoryLines(plan: Plan): OverlayLine[] {
  const ax = axesOf(plan);
  const spec = plan.spec;
  if (plan.optimizer.id !== 'SGD' || spec.schedule || spec.sam) return [];
  if (plan.dims.some((d) => d.path.startsWith('surface.'))) return [];
  const p = spec.optimizer.params;
  if (num(p.dampening, 0) !== 0 || p.maximize === true) return [];
  const nesterov = p.nesterov === true;
  if (!ax) return momentumLimits(plan, nesterov);
  const swept = ax.other;
  const mu = num(p.momentum, 0);
  const wd = num(p.weight_decay, 0);
  const others = swept ? samples(ax.otherRange, ax.otherLog, 48) : [];

  const out: OverlayLine[] = [];
  // What each point of the other axis means for the limit: its momentum, its weight decay, or neither.
  const at = (o: number): { mu: number; wd: number } =>
    swept === 'optimizer.momentum' ? { mu: o, wd } : swept === 'optimizer.weight_decay' ? { mu, wd: o } : { mu, wd };
  const varies = swept === 'optimizer.momentum' || swept === 'optimizer.weight_decay';
  for (const { lambda, minima } of distinctSharpness(plan)) {
    const label = stabilityLabel(lambda, nesterov, which(plan, minima));
    const name = `stability limit (${which(plan, minima)})`;
    if (varies) {
      const lrs = others.map((o) => stabilityLimit(lambda + at(o).wd, at(o).mu, nesterov));
      out.push({ ...place(ax, label, lrs, others), name });
    } else {
      const lr = stabilityLimit(lambda + wd, mu, nesterov);
      out.push({ ...place(ax, label, [lr, lr], ax.otherRange), name });
    }
  }
  if (spec.surface.name === 'quadratic' && !nesterov && !plan.dims.some((d) => d.path.startsWith('start.')) && spec.noise.std === 0) {
    out.push(...quadraticBoundary(plan, ax, others, at, varies));
  }
  // Only lines that reach into the view.
  const [lo, hi] = ax.lr;
  return out.filter((l) => (ax.lrOnX ? l.x : l.y).some((v) => v >= lo && v <= hi));
}

/**
 * Why runs left of a drawn limit can diverge anyway, where the start curves more than the minima
 * (walkthrough 12: on the default Rosenbrock view the map diverges at lr ≈ 0.002 at every momentum
 * while the line leans right to 0.004, and nothing said why). The lines are limits for settling at a
 * minimum; runs from a start whose largest Hessian eigenvalue is well above every minimum's (by a
 * quarter or more) cross that ground first, and there a step too long for its curvature can throw
 * them out in their first steps, where momentum has not yet changed the step. Null where no line is
 * drawn, the map has no LR axis (a momentum axis at a fixed LR: its line is a momentum, the unstable
 * side the other way), the start is swept, or the start curves no more than the minima. The side is
 * the map's (left of a line with the LR on x, below it with the LR on y); the clause on momentum
 * only where the other axis is heavy-ball momentum (Nesterov's limit narrows with it: review 15).
 */
export function startCurvatureNote(plan: Plan, lines: readonly unknown[] = theoryLines(plan)): string | null {
  const ax = axesOf(plan);
  if (!ax || lines.length === 0 || plan.dims.some((d) => d.path.startsWith('start.'))) return null;
  const drawn = distinctSharpness(plan)[0];
  if (!drawn) return null;
  const [x, y] = plan.spec.start;
  const atStart = hessianEigen(plan, x, y)[0]?.lambda ?? Number.NaN;
  if (!(atStart > 1.25 * drawn.lambda)) return null;
  const quadratic = plan.spec.surface.name === 'quadratic' ? '' : ' On the quadratic, which curves the same everywhere, the map follows the lines (Curated views: The quadratic ravine).';
  const side = ax.lrOnX ? 'left of' : 'below';
  const heavyBall = ax.other === 'optimizer.momentum' && plan.spec.optimizer.params.nesterov !== true;
  return (
    `The lines are limits for settling at a minimum. This start lies where the surface curves more (λ = ${formatNumber(atStart, 3)} there, against ${formatNumber(drawn.lambda, 3)} at ${plan.minima.length === 1 ? 'the minimum' : which(plan, drawn.minima)}): ` +
    `a step too long for that curvature can throw a run far out within its first few steps, before the limit at the minimum comes into play, so runs ${side} a line can diverge too` +
    `${heavyBall ? ', and momentum, which widens the limit at the minimum, need not widen this one' : ''}.${quadratic}`
  );
}

/**
 * The momentum at SGD's stability limit for curvature λ at a fixed LR (a = lr·λ), and on which side
 * of it runs are stable, from the Jury conditions on the iteration's characteristic polynomial; null
 * where no momentum ≥ 0 is a limit (stable for every one, or for none).
 * - Heavy ball, z² − (1 + μ − a)z + μ: stable for a/2 − 1 < μ < 1, so the limit a/2 − 1 when it lies
 *   in [0, 1), stable above it (up to momentum 1).
 * - Nesterov, z² − (1 + μ)(1 − a)z + μ(1 − a): for 1 < a < 2, stable below (2 − a)/(2a − 2) (where
 *   a = 2(1 + μ)/(1 + 2μ)); for a < 1, stable below 1/(1 − a) (where the product of the roots,
 *   μ(1 − a), reaches 1); for a = 1 every momentum is stable, for a ≥ 2 none.
 */
export function limitMomentum(lambda: number, lr: number, nesterov: boolean): { readonly mu: number; readonly stable: 'above' | 'below'; readonly formula: string } | null {
  const a = lr * lambda;
  if (!(a > 0) || !Number.isFinite(a)) return null;
  if (!nesterov) {
    const mu = a / 2 - 1;
    return mu >= 0 && mu < 1 ? { mu, stable: 'above', formula: 'lr·λ/2 − 1' } : null;
  }
  if (a > 1 && a < 2) return { mu: (2 - a) / (2 * a - 2), stable: 'below', formula: '(2 − lr·λ)/(2·lr·λ − 2)' };
  if (a < 1) return { mu: 1 / (1 - a), stable: 'below', formula: '1/(1 − lr·λ)' };
  return null;
}

/**
 * A grid over the momentum (and, on the other axis, nothing the limit depends on) at a fixed LR:
 * the limit of each distinct sharpness as a line at its momentum, across the other axis.
 */
function momentumLimits(plan: Plan, nesterov: boolean): OverlayLine[] {
  const s = plan.spec.sweep;
  if (!s || s.kind !== 'grid') return [];
  const onX = s.x.param === 'optimizer.momentum';
  const axis = onX ? s.x : s.y?.param === 'optimizer.momentum' ? s.y : null;
  const other = onX ? s.y : s.x;
  if (!axis || (other && /^(optimizer|schedule|surface)\./.test(other.param))) return [];
  const p = plan.spec.optimizer.params;
  const lr = num(p.lr, Number.NaN);
  const wd = num(p.weight_decay, 0);
  const across: [number, number] = other ? [other.min, other.max] : [0, 1];
  const out: OverlayLine[] = [];
  for (const { lambda, minima } of distinctSharpness(plan)) {
    const lim = limitMomentum(lambda + wd, lr, nesterov);
    if (!lim || !(lim.mu >= axis.min && lim.mu <= axis.max)) continue;
    // With weight decay the curvature the step sees is λ + weight_decay.
    const formula = wd === 0 ? lim.formula : lim.formula.replaceAll('λ', '(λ + weight_decay)');
    const side = lim.stable === 'above' ? 'stable above it, below momentum 1' : 'stable below it';
    const label = `stability limit momentum = ${formula}, λ = ${formatNumber(lambda, 3)} (${which(plan, minima)}; ${side})`;
    const name = `stability limit (${which(plan, minima)}; ${side})`;
    out.push(onX ? { label, name, x: [lim.mu, lim.mu], y: across, colour: THEORY_INK } : { label, name, x: across, y: [lim.mu, lim.mu], colour: THEORY_INK });
  }
  return out;
}

/**
 * The quadratic's boundary of runs that converge within the run: for each point of the other axis,
 * the LRs where the distance left after `steps`, |Σ c_i ρ_i^steps e_i| (c_i the start's offset
 * from the minimum along Hessian eigenvector e_i, ρ_i the heavy-ball rate on eigenvalue λ_i), is the
 * outcome radius; found on a fine log grid of LRs across the view: the slow side (too small an LR)
 * and the fast side (just under the stability limit).
 */
function quadraticBoundary(
  plan: Plan,
  ax: Axes,
  others: readonly number[],
  at: (o: number) => { mu: number; wd: number },
  varies: boolean,
): OverlayLine[] {
  const m = plan.minima[0];
  if (!m) return [];
  const eig = hessianEigen(plan, m.x, m.y);
  const dx = plan.spec.start[0] - m.x;
  const dy = plan.spec.start[1] - m.y;
  if (!(Math.hypot(dx, dy) > plan.radius) || !eig.every((e) => e.lambda > 0)) return [];
  const parts = eig.map((e) => ({ lambda: e.lambda, c: Math.abs(dx * e.v[0] + dy * e.v[1]) })).filter((p) => p.c > 0);
  const n = plan.spec.steps;
  const [lo, hi] = ax.lr;
  const lrs = samples([lo, hi], true, 600);
  const points = varies ? others : [0];
  const slow: [number, number][] = [];
  const fast: [number, number][] = [];
  for (const o of points) {
    const { mu, wd } = at(o);
    // log of the distance left over the radius, summed in log space (ρ^steps overflows).
    const g = (lr: number): number => {
      const t = parts.map((p) => 2 * Math.log(p.c) + 2 * n * Math.log(heavyBallRate(lr, p.lambda + wd, mu)));
      const top = Math.max(...t);
      return 0.5 * (top + Math.log(t.reduce((sum, v) => sum + Math.exp(v - top), 0))) - Math.log(plan.radius);
    };
    let prev = g(lrs[0] as number);
    const crossings: number[] = [];
    for (let k = 1; k < lrs.length; k++) {
      const v = g(lrs[k] as number);
      if ((prev > 0) !== (v > 0)) crossings.push(Math.sqrt((lrs[k - 1] as number) * (lrs[k] as number)));
      prev = v;
    }
    const first = crossings[0];
    const last = crossings[crossings.length - 1];
    if (first !== undefined && g(lo) > 0) slow.push([first, o]);
    if (last !== undefined && g(hi) > 0 && crossings.length >= (g(lo) > 0 ? 2 : 1)) fast.push([last, o]);
  }
  const label = `converges within ${plan.spec.steps} steps (linear theory, exact here)`;
  const line = (pts: [number, number][]): OverlayLine | null => {
    if (pts.length === 0) return null;
    // Dotted: beside the dashed stability limits in the same ink, the legend tells them apart by it.
    const name = `converges within ${plan.spec.steps} steps`;
    if (varies) return { ...place(ax, label, pts.map((p) => p[0]), pts.map((p) => p[1])), dotted: true, name };
    const lr = (pts[0] as [number, number])[0];
    return { ...place(ax, label, [lr, lr], ax.otherRange), dotted: true, name };
  };
  return [line(slow), line(fast)].filter((l): l is OverlayLine => l !== null);
}
