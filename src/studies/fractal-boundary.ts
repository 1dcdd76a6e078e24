/**
 * "The boundary of neural network trainability is fractal" (Sohl-Dickstein 2024): the paper's
 * setting (one hidden layer of 16 tanh units, no bias, mean-field parametrisation, 272 Gaussian
 * points, full-batch gradient descent with one LR for the input layer and one for the output
 * layer), swept over input-layer LR x output-layer LR on log axes and coloured as the paper colours
 * its convergence measure. The study zooms into the boundary between runs that train and runs that
 * do not, several times, and measures the box-counting dimension of that boundary at each depth.
 *
 * Each zoom is centred on the boundary cell nearest the previous image's centre (rule `central`: a
 * typical stretch of boundary, not one picked for its roughness); the LR windows shrink by the same
 * factor on both axes, in log units. The other rule, `densest` (the window holding the most
 * boundary cells), follows the most chaotic stretch, where at 48 cells the boundary fills the image
 * like noise: it measured 1.1, 1.57 and 1.86 there (zooms centred on that window) against
 * `central`'s 1.1, 1.37 and 1.44, which is why it is not the default.
 */
import type { NetPlan } from '../core/network/plan.ts';
import { MIN_KAPPA, MIN_MINORITY_KEPT, MIN_SPLIT_RUNS, classAgreement, pastResolution, resolutionFailure, ulpNudgedNetSpec, untrainedClass } from '../core/validate.ts';
import type { ClassAgreement } from '../core/validate.ts';
import { boundaryDimension, edgeImage } from './boxcount.ts';
import type { BoxCount } from './boxcount.ts';
import { engineOf, fmt, median, netPlanOf, runNetPlan, studySize, verdictOf } from './run.ts';
import { netParamLabel } from '../view/caption.ts';
import type { Condition } from './run.ts';
import type { ChartPanel, GridPanel, PanelSource, Study, StudyContext, StudyResult, Verdict } from './types.ts';
import { OKABE_ITO } from '../view/colors.ts';

export interface FractalSize {
  /** Grid side (side × side runs per depth). */
  readonly side: number;
  /** Images: the whole window, then depths - 1 zooms. */
  readonly depths: number;
  readonly steps: number;
  /** Each zoom divides both windows' log widths by this. */
  readonly zoom: number;
  readonly rule: ZoomRule;
  /**
   * Side of the sample each depth's window is run on again, in float32 and in float64, when the
   * caller has a float64 engine (StudyContext.float64): which cells rounding decides at that depth.
   */
  readonly precisionSide: number;
}

/**
 * Quick (tests, and the app on a CPU engine): two 20 x 20 images of 60 steps. Default: three
 * 256 x 256 images of 100 steps (the notebook's opt_steps), 196,608 runs, 19.7M run-steps: 6.5
 * minutes on this 2-core machine's float32 CPU engine (~51,000 run-steps/s). Full (`--full`): the
 * paper's 500 steps at 256 x 256 over four depths, 262,144 runs: about 45 minutes here, minutes on
 * a GPU, plus a map drawn again in float64 on the CPU for each depth float32 does not resolve (each
 * about the float32 CPU engine's time for a map; measured: 67 minutes in all here with depths 2 and
 * 3 redrawn, bench/cpu-runs/2026-12-04-fractal-full/; each depth's float64 sample now also runs once
 * more nudged by one ulp, float64's own test: one more 64 x 64 float64 sample per depth, about a
 * minute each here, the bench's 64 x 64 redraws taking 35 to 85 s a map; with it, 68 minutes in all,
 * depth 3 left out as past float64's resolution too, κ 0.47: bench/cpu-runs/2026-12-05-fractal-float64/
 * full-study-ulp.json). Its precision samples are 64 x 64: at 32 x 32 the
 * deep zooms' samples hold ~40 cells on float64's smaller side, too few to tell 45% kept from 55%
 * (bench/device-runs/2026-12-04-h200/fractal-full-precision-{32,64}.json: 47% and 45% at depth 2).
 *
 * Why 256 cells (measured, float32 CPU engine, zooms x8 by the `central` rule, 100 steps):
 *   48 cells: 1.10, 1.37, 1.44 at depths 0-2 (two more depths: 1.65 at x512, 1.77 at x4096);
 *   128 cells: 1.31, 1.51, 1.22 (spread 0.28);
 *   256 cells: 1.37, 1.57, 1.50 (spread 0.20): the claim's check holds.
 * The first image's boundary is a smooth curve with one chaotic stretch (at high input-layer LR),
 * which 48 or 96 cells (1.10, 1.16) do not resolve and 128 do (1.31); past the first zoom a small
 * image's cells no longer resolve which side of the boundary their runs fall on (float32 and float64
 * put 5% of the 48-cell image's cells on different sides at x8, 22% at x512, with the same dimension:
 * 1.37/1.42, 1.65/1.67), so deep small images fill with boundary at the pixel scale. The paper
 * measured 4096-cell images and pooled the local slopes of box sizes from 10 cells up over a whole
 * zoom sequence (pooledMedianSlope here).
 */
export const FRACTAL_SIZES: { readonly quick: FractalSize; readonly default: FractalSize; readonly full: FractalSize } = {
  quick: { side: 20, depths: 2, steps: 60, zoom: 4, rule: 'central', precisionSide: 8 },
  default: { side: 256, depths: 3, steps: 100, zoom: 8, rule: 'central', precisionSide: 32 },
  full: { side: 256, depths: 4, steps: 500, zoom: 10, rule: 'central', precisionSide: 64 },
};

/** The first image's window, log10 of the LRs (examples/fractal.json: input LR 1..10^5, output LR 20..600). */
export const FRACTAL_WINDOW: Window = { x0: 0, x1: 5, y0: Math.log10(20), y1: Math.log10(600) };

/** A window of the LR plane in log10 units: x the input layer's LR, y the output layer's. */
export interface Window {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

/**
 * The spec of one image: examples/fractal.json with the window, side and steps given. The input
 * layer (layers.0) is its own param group; the output layer takes the optimiser's own lr. The
 * sharpness outcome is off: nothing here reads it, and it would cost more than the training.
 */
export function fractalSpec(w: Window, side: number, steps: number): Record<string, unknown> {
  return {
    network: { hidden: [16], activation: 'tanh', bias: false, parametrization: 'mean_field', batch_size: null, sharpness_iterations: 0 },
    data: { name: 'fractal', inputs: 16, outputs: 1 },
    optimizer: { name: 'SGD', lr: 100, param_groups: [{ params: ['layers.0'], lr: 100 }] },
    steps,
    sweep: {
      x: { param: 'optimizer.param_groups.0.lr', min: 10 ** w.x0, max: 10 ** w.x1, count: side, scale: 'log' },
      y: { param: 'optimizer.lr', min: 10 ** w.y0, max: 10 ** w.y1, count: side, scale: 'log' },
    },
  };
}

/**
 * Where a zoom goes: `densest`, the stretch of boundary with the most boundary cells in a window of
 * the next zoom's size; `central`, the boundary cell nearest the image's centre.
 */
export type ZoomRule = 'densest' | 'central';

/**
 * The next zoom's window, log widths divided by `zoom`, centred (rule `densest`) on the boundary
 * cells of the window of the next zoom's size (inside the image) that holds the most of them, or
 * (rule `central`) on the boundary cell nearest the image's centre. Null when the image has no
 * boundary to zoom into.
 */
export function nextWindow(cls: ArrayLike<number>, side: number, w: Window, zoom: number, rule: ZoomRule = 'densest'): Window | null {
  const e = edgeImage(cls, side, side);
  const n = e.width; // side - 1, square
  const dx = (w.x1 - w.x0) / (side - 1);
  const dy = (w.y1 - w.y0) / (side - 1);
  const hx = (w.x1 - w.x0) / zoom / 2;
  const hy = (w.y1 - w.y0) / zoom / 2;
  if (rule === 'central') {
    let best = Number.POSITIVE_INFINITY;
    let bc = -1;
    for (let k = 0; k < e.cells.length; k++) {
      if (!e.cells[k]) continue;
      const d = ((k % n) + 0.5 - n / 2) ** 2 + (Math.floor(k / n) + 0.5 - n / 2) ** 2;
      if (d < best) {
        best = d;
        bc = k;
      }
    }
    if (bc < 0) return null;
    const x = w.x0 + ((bc % n) + 0.5) * dx;
    const y = w.y0 + (Math.floor(bc / n) + 0.5) * dy;
    return { x0: x - hx, x1: x + hx, y0: y - hy, y1: y + hy };
  }
  const m = Math.max(1, Math.min(n, Math.round(n / zoom)));
  // Summed-area table of the edge image: any m x m window's count in four look-ups.
  const S = new Int32Array((n + 1) * (n + 1));
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) S[(j + 1) * (n + 1) + i + 1] = (e.cells[j * n + i] as number) + (S[j * (n + 1) + i + 1] as number) + (S[(j + 1) * (n + 1) + i] as number) - (S[j * (n + 1) + i] as number);
  }
  let best = 0;
  let bi = -1;
  let bj = -1;
  for (let j = 0; j + m <= n; j++) {
    for (let i = 0; i + m <= n; i++) {
      const c = (S[(j + m) * (n + 1) + i + m] as number) - (S[j * (n + 1) + i + m] as number) - (S[(j + m) * (n + 1) + i] as number) + (S[j * (n + 1) + i] as number);
      if (c > best) {
        best = c;
        bi = i;
        bj = j;
      }
    }
  }
  if (bi < 0) return null;
  // The window's boundary cells' centroid (edge cell i sits between grid columns i and i + 1).
  let sx = 0;
  let sy = 0;
  for (let j = bj; j < bj + m; j++) {
    for (let i = bi; i < bi + m; i++) {
      if (!e.cells[j * n + i]) continue;
      sx += i + 0.5;
      sy += j + 0.5;
    }
  }
  const cx = sx / best;
  const cy = sy / best;
  const x = w.x0 + cx * dx;
  const y = w.y0 + cy * dy;
  return { x0: x - hx, x1: x + hx, y0: y - hy, y1: y + hy };
}

/** What the claim needs: a box-counting dimension of at least this at every depth ... */
export const FRACTAL_MIN_DIMENSION = 1.2;
/** ... that moves by at most this between the depths (max - min). */
export const FRACTAL_MAX_SPREAD = 0.25;
/** What float32 rounding decides in one depth's window, and whether its map was drawn in float64 instead. */
interface DepthPrecision extends ClassAgreement {
  readonly float64: boolean;
}

/** The findings the claim is checked on (the study's own, by name). */
export interface FractalCheckFindings {
  /** One per depth. */
  readonly dimensions: readonly number[];
  /**
   * Per depth, when the float32/float64 samples ran: the float64 sample's runs on its smaller side,
   * and the share float32 puts there too (core/validate.ts classAgreement).
   */
  readonly precisionMinorityRuns?: readonly number[];
  readonly precisionMinorityKept?: readonly number[];
  /** Per depth: of the sample's cells float32 puts on float64's smaller side, the share float64 puts there too. */
  readonly precisionMinorityPrecision?: readonly number[];
  /** Per depth: the two precisions' agreement on the sample beyond chance (Cohen's kappa). */
  readonly precisionKappa?: readonly number[];
  /** The depths whose map was drawn in float64: float32 does not resolve them, or the study ran on cpu64. */
  readonly float64Depths?: readonly number[];
  /**
   * Per depth, float64's own resolution: the float64 sample against itself with each LR moved by
   * one float64 ulp (core/validate.ts ulpNudgedNetSpec), as the precision* fields judge float32.
   */
  readonly ulpMinorityRuns?: readonly number[];
  readonly ulpMinorityKept?: readonly number[];
  readonly ulpMinorityPrecision?: readonly number[];
  readonly ulpKappa?: readonly number[];
}

/**
 * The claim, checked on the measured dimensions (one per depth): each is well above a smooth
 * curve's 1 (at least FRACTAL_MIN_DIMENSION, the low end of the paper's 1.2-2), and they are stable
 * across depth (spread at most FRACTAL_MAX_SPREAD), as a self-similar boundary's would be. A depth
 * past float32's resolution (core/validate.ts pastResolution on its samples) counts when its map
 * was drawn in float64 and float64 resolves it (its sample nudged by one float64 ulp passes the same
 * test), and is left out of both tests otherwise; they then need two depths that are resolved.
 */
export function checkFractalBoundary(f: FractalCheckFindings): Verdict {
  const { dimensions } = f;
  const kept64 = f.precisionMinorityKept ?? [];
  // Which resolution test each depth's sample fails (null: resolved, or not measured), from its
  // per-depth columns of findings.
  const failuresOf = (kept: readonly number[] | undefined, runs: readonly number[] | undefined, precision: readonly number[] | undefined, kappa: readonly number[] | undefined) =>
    dimensions.map((_, k) => {
      const m = kept?.[k];
      const p = precision?.[k];
      const q = kappa?.[k];
      return m === undefined ? null : resolutionFailure({ minorityKept: m, minorityRuns: runs?.[k] ?? 0, ...(p !== undefined ? { minorityPrecision: p } : {}), ...(q !== undefined ? { kappa: q } : {}) });
    });
  const failures = failuresOf(f.precisionMinorityKept, f.precisionMinorityRuns, f.precisionMinorityPrecision, f.precisionKappa);
  const past = failures.map((x) => x !== null);
  // Float64's own test, on the same sample nudged by one ulp: a depth drawn in float64 that fails it
  // shows float64's rounding as a float32 map past its resolution shows float32's.
  const failures64 = failuresOf(f.ulpMinorityKept, f.ulpMinorityRuns, f.ulpMinorityPrecision, f.ulpKappa);
  const drawn64 = (k: number): boolean => (f.float64Depths ?? []).includes(k);
  // A float64 map counts where float64 resolves it (a float32 one where float32 does).
  const resolved = dimensions.map((_, k) => (!past[k] || drawn64(k)) && !(drawn64(k) && failures64[k] !== null));
  const counted = dimensions.filter((_, k) => resolved[k]);
  const pct = (x: number): string => `${fmt(100 * x, 2)}%`;
  // Why a depth is past float32's resolution, by the test it failed.
  const keeps = (k: number): string =>
    failures[k] === 'kappa'
      ? `float32 and float64 agree on its sample's sides little better than chance (Cohen's κ ${fmt(f.precisionKappa?.[k] ?? Number.NaN, 2)}, needs ${MIN_KAPPA}; float32 keeps ${pct(kept64[k] ?? Number.NaN)} of float64's smaller side, about what chance keeps of even sides)`
      : failures[k] === 'precision'
        ? `only ${pct(f.precisionMinorityPrecision?.[k] ?? Number.NaN)} of the cells float32 puts on float64's smaller side are float64's (needs ${pct(MIN_MINORITY_KEPT)})`
        : `float32 keeps ${pct(kept64[k] ?? Number.NaN)} of float64's smaller side there (needs ${pct(MIN_MINORITY_KEPT)})`;
  // Why a depth drawn in float64 is past float64's resolution (the sample nudged by one float64 ulp).
  const keeps64 = (k: number): string =>
    failures64[k] === 'kappa'
      ? `moved by one float64 ulp, the sample's runs agree with themselves on their sides little better than chance (κ ${fmt(f.ulpKappa?.[k] ?? Number.NaN, 2)}, needs ${MIN_KAPPA})`
      : failures64[k] === 'precision'
        ? `moved by one float64 ulp, far more of the sample's runs fall on its smaller side (only ${pct(f.ulpMinorityPrecision?.[k] ?? Number.NaN)} of them were there)`
        : `moved by one float64 ulp, only ${pct(f.ulpMinorityKept?.[k] ?? Number.NaN)} of the sample's runs on its smaller side stay there (needs ${pct(MIN_MINORITY_KEPT)})`;
  const conditions: Condition[] = [
    [counted.length >= 2, `${counted.length} depth(s) resolved; stability across depth needs at least 2`, `${counted.length} depths ${counted.length < dimensions.length ? 'resolved' : 'measured'}`],
    ...dimensions.map((d, k): Condition => {
      if (!resolved[k]) {
        const also = drawn64(k) ? `; drawn in float64, it is past float64's resolution too: ${keeps64(k)}` : '';
        return [true, '', `depth ${k} left out (dimension ${fmt(d)}): past float32's resolution, ${keeps(k)}${also}`];
      }
      const how = past[k] ? ` (drawn in float64: ${keeps(k)})` : '';
      return [d >= FRACTAL_MIN_DIMENSION, `depth ${k}: dimension ${fmt(d)} is below ${FRACTAL_MIN_DIMENSION}${how}`, `depth ${k}: dimension ${fmt(d)}, at least ${FRACTAL_MIN_DIMENSION}${how}`];
    }),
  ];
  const finite = counted.filter((d) => Number.isFinite(d));
  if (finite.length === counted.length && finite.length >= 2) {
    const spread = Math.max(...finite) - Math.min(...finite);
    const over = counted.length < dimensions.length ? ' resolved' : '';
    conditions.push([
      spread <= FRACTAL_MAX_SPREAD,
      `the dimension moves by ${fmt(spread)} across the${over} depths (more than ${FRACTAL_MAX_SPREAD})`,
      `the dimension moves by ${fmt(spread)} across the${over} depths (at most ${FRACTAL_MAX_SPREAD})`,
    ]);
  }
  return verdictOf(conditions);
}

const DEPTH_COLOURS = [OKABE_ITO.blue, OKABE_ITO.vermillion, OKABE_ITO.green, OKABE_ITO.purple, OKABE_ITO.orange, OKABE_ITO.sky];

/**
 * Float64's own resolution on depth `d`'s sample: the sample's float64 run (`unmoved`, its
 * convergence) against the same runs with each LR moved by one float64 ulp, run on `on`'s engine
 * (float64). Null where the plan has no nudge.
 */
async function float64Own(on: StudyContext, d: number, sample: NetPlan, unmoved: ArrayLike<number>): Promise<ClassAgreement | null> {
  const nudged = ulpNudgedNetSpec(sample);
  if (!nudged) return null;
  const c = await runNetPlan(on, `depth ${d}: float64 sample, each LR moved by one ulp`, await netPlanOf(nudged));
  return classAgreement(untrainedClass(c.results.convergence), untrainedClass(unmoved));
}

/** Whether a depth's float64 sample, moved by one ulp, is past float64's resolution (false: not measured). */
function past64(split: ClassAgreement | undefined): boolean {
  return split !== undefined && pastResolution(split);
}

export const fractalBoundary: Study = {
  id: 'fractal-boundary',
  problem: 'network',
  title: 'The boundary of trainability is fractal',
  // 196,608 runs x 100 steps (README: 6.5 minutes on this 2-core machine).
  cpuMinutes: 6.5,
  terms: ['learning rate (LR)', 'full batch', 'mean-field parametrisation', 'box-counting dimension', 'float32 / float64'],
  claim:
    'In the fractal paper\'s setting (16 tanh units, mean-field, full-batch GD, input-layer LR × output-layer LR), the boundary between hyperparameters that train and those that do not stays intricate at every zoom: its box-counting dimension is well above 1 (a smooth curve\'s) and about the same at each depth.',
  // Per depth, the map; with a float64 engine also a float32 and a float64 sample and the float64
  // sample moved by one ulp; on the float64 engine alone (`--engine cpu64`, which passes no other
  // float64 engine: review 19) the float64 sample, its ulp-moved twin and the map. A zoom with no
  // boundary left to follow ends the run early.
  sweeps: (ctx) => ({ count: studySize(ctx, FRACTAL_SIZES).depths * (ctx.engine?.name === 'cpu64' ? 3 : ctx.float64 ? 4 : 1), atMost: true }),
  run: (ctx: StudyContext) => fractalRun(ctx, studySize(ctx, FRACTAL_SIZES)),
};

/** The study at one size (its run at the size the context asks for; a test's own size). */
export async function fractalRun(ctx: StudyContext, size: FractalSize): Promise<StudyResult> {
  const { side, depths, steps, zoom } = size;
  const windows: Window[] = [];
  const dims: BoxCount[] = [];
  const trained: number[] = [];
  const grids: GridPanel[] = [];
  const specs: NetPlan['spec'][] = [];
  const precision: DepthPrecision[] = [];
  const ulp: ClassAgreement[] = [];
  // Depths whose map the study's own engine drew in float64 (a run on cpu64).
  const in64: number[] = [];
  const f64 = ctx.float64;
  const on64: StudyContext | null = f64 ? { ...ctx, engine: f64, engineFor: () => f64 } : null;
  let w: Window | null = FRACTAL_WINDOW;
  for (let d = 0; d < depths && w; d++) {
    windows.push(w);
    const spec = fractalSpec(w, side, steps);
    // First the window on a small sample in both precisions (when the map's engine is float32):
    // at deep zooms and many steps, which side a run ends on can be rounding's choice, not the
    // boundary's. Past float32's resolution the depth's map is drawn in float64 (on the CPU).
    let redraw = false;
    // The float32 sample runs on the engine the map runs on (a caller may send a small sweep to
    // another engine than a large one): the rounding it measures is the map's.
    const plan = await netPlanOf(spec);
    const mapEngine = engineOf(ctx, plan);
    if (on64 && mapEngine.name !== 'cpu64') {
      const sample = await netPlanOf(fractalSpec(w, size.precisionSide, steps));
      const a = await runNetPlan({ ...ctx, engine: mapEngine, engineFor: () => mapEngine }, `depth ${d}: float32 sample`, sample);
      const b = await runNetPlan(on64, `depth ${d}: float64 sample`, sample);
      const split = classAgreement(untrainedClass(a.results.convergence), untrainedClass(b.results.convergence));
      redraw = pastResolution(split);
      precision.push({ ...split, float64: redraw });
      // Float64's own resolution on the same sample: its runs moved by one float64 ulp each.
      const own = await float64Own(on64, d, sample, b.results.convergence);
      if (own) ulp.push(own);
    } else if (mapEngine.name === 'cpu64') {
      // The whole study in float64: no float32 to compare, but float64's own resolution all the same.
      const on = { ...ctx, engine: mapEngine, engineFor: () => mapEngine };
      const sample = await netPlanOf(fractalSpec(w, size.precisionSide, steps));
      const b = await runNetPlan(on, `depth ${d}: float64 sample`, sample);
      const own = await float64Own(on, d, sample, b.results.convergence);
      if (own) ulp.push(own);
      in64.push(d);
    }
    const ran = on64 && redraw ? await runNetPlan(on64, `depth ${d} in float64 (float32 does not resolve it)`, plan) : await runNetPlan(ctx, `depth ${d}`, plan);
    specs.push(ran.plan.spec);
    const conv = Array.from(ran.results.convergence);
    // The boundary and the next window read only where the class changes: either encoding draws them alike.
    const cls = untrainedClass(conv);
    dims.push(boundaryDimension(cls, side, side));
    // Class 1 is untrained: the trained runs are the rest (counted, so the fraction is exact).
    trained.push((cls.length - cls.reduce((n, c) => n + c, 0)) / cls.length);
    const next: Window | null = d + 1 < depths ? nextWindow(cls, side, w, zoom, size.rule) : null;
    grids.push({
      kind: 'grid',
      title:
        (d === 0 ? 'Trainability: input-layer LR × output-layer LR' : `Zoom ${d} (x${zoom ** d}) into the boundary`) +
        (redraw ? (past64(ulp[d]) ? ' (float64, past its resolution too)' : ' (float64)') : in64.includes(d) && past64(ulp[d]) ? " (past float64's resolution)" : ''),
      width: side,
      height: side,
      // The explorer's words for the same axes (the layers each group trains, and their roles).
      x: { label: netParamLabel(ran.plan, 'optimizer.param_groups.0.lr'), min: 10 ** w.x0, max: 10 ** w.x1, log: true },
      y: { label: netParamLabel(ran.plan, 'optimizer.lr'), min: 10 ** w.y0, max: 10 ** w.y1, log: true },
      values: conv,
      scale: 'fractal',
      valueLabel: 'convergence measure',
      sources: [{ label: 'this map', spec: ran.plan.spec, mode: 'convergence' }],
      ...(next ? { rects: [{ x0: 10 ** next.x0, x1: 10 ** next.x1, y0: 10 ** next.y0, y1: 10 ** next.y1, label: 'next zoom', colour: '#000' }] } : {}),
    });
    w = next;
  }
  const dimensions = dims.map((b) => b.dimension);
  // The paper's own statistic: the median of the local slopes between successive box sizes, pooled
  // over every image of its zoom sequence (its estimate_fractal_dimension). Reported beside the
  // check, not in it: pooling hides a depth that disagrees, which is what the check looks for.
  const pooled = median(dims.flatMap((b) => b.localSlopes));
  const redrawn = precision.flatMap((p, k) => (p.float64 ? [k] : []));
  const finite = dimensions.filter((d) => Number.isFinite(d));
  const spread = finite.length ? Math.max(...finite) - Math.min(...finite) : Number.NaN;
  // The charts are computed from the maps: each opens the depth's sweep, as its map does.
  const mapSources: PanelSource[] = specs.map((spec, k) => ({ label: `depth ${k}`, spec, mode: 'convergence' }));
  const boxes: ChartPanel = {
    kind: 'chart',
    title: 'Box counts by box size',
    xLabel: 'box edge in cells',
    yLabel: 'boxes holding boundary',
    logX: true,
    logY: true,
    series: dims.map((b, k) => ({ label: `depth ${k}: D = ${fmt(b.dimension, 3)}`, x: b.sizes, y: b.counts, colour: DEPTH_COLOURS[k % DEPTH_COLOURS.length] as string, markers: true })),
    sources: mapSources,
  };
  const perDepth: ChartPanel = {
    kind: 'chart',
    title: 'Boundary dimension by zoom depth',
    xLabel: 'zoom depth',
    yLabel: 'dimension',
    series: [
      { label: redrawn.length > 0 ? 'measured (float32)' : 'measured', x: dimensions.map((_, k) => k).filter((k) => !redrawn.includes(k)), y: dimensions.filter((_, k) => !redrawn.includes(k)), colour: OKABE_ITO.blue, points: true },
      ...(redrawn.length > 0
        ? [{ label: "measured in float64 (past float32's resolution)", x: redrawn, y: redrawn.map((k) => dimensions[k] as number), colour: OKABE_ITO.green, points: true }]
        : []),
      { label: 'a smooth curve (1)', x: [0, Math.max(1, dimensions.length - 1)], y: [1, 1], colour: '#999' },
      { label: `the check's floor (${FRACTAL_MIN_DIMENSION})`, x: [0, Math.max(1, dimensions.length - 1)], y: [FRACTAL_MIN_DIMENSION, FRACTAL_MIN_DIMENSION], colour: OKABE_ITO.vermillion },
    ],
    sources: mapSources,
  };
  const findings = {
    side,
    depths: windows.length,
    steps,
    zoom,
    dimensions,
    dimensionSpread: spread,
    pooledMedianSlope: pooled,
    trainedFraction: trained,
    boundaryCells: dims.map((b) => b.counts[0] ?? 0),
    windowsLog10: windows.map((v) => [v.x0, v.x1, v.y0, v.y1].map((u) => Number(u.toFixed(6))).join(' ')),
    boxSizes: dims[0]?.sizes ?? [],
    precisionSampleSide: precision.length > 0 ? size.precisionSide : 0,
    precisionDisagree: precision.map((p) => p.disagree),
    precisionMinorityRuns: precision.map((p) => p.minorityRuns),
    precisionMinorityKept: precision.map((p) => p.minorityKept),
    precisionMinorityPrecision: precision.map((p) => p.minorityPrecision),
    precisionKappa: precision.map((p) => p.kappa),
    float64Depths: [...redrawn, ...in64].sort((a, b) => a - b),
    ulpDisagree: ulp.map((p) => p.disagree),
    ulpMinorityRuns: ulp.map((p) => p.minorityRuns),
    ulpMinorityKept: ulp.map((p) => p.minorityKept),
    ulpMinorityPrecision: ulp.map((p) => p.minorityPrecision),
    ulpKappa: ulp.map((p) => p.kappa),
  };
  const check = checkFractalBoundary(findings);
  // Float64's own resolution where it was measured, and the float64 maps past it (left out of the check).
  const drawn = findings.float64Depths;
  const pastIn64 = ulp.flatMap((p, k) => (drawn.includes(k) && pastResolution(p) ? [k] : []));
  const float64Text =
    ulp.length === 0
      ? ''
      : `${in64.length > 0 ? ' Every depth was drawn in float64.' : ''} Float64 is tested against itself, its sample (${size.precisionSide} x ${size.precisionSide} cells) run again with each LR moved by one float64 ulp (nothing finer runs here): ` +
        `${ulp.map((p) => `${fmt(100 * p.minorityKept, 2)}%`).join(', ')} of its smaller side stay there (κ ${ulp.map((p) => fmt(p.kappa, 2)).join(', ')})` +
        (pastIn64.length > 0
          ? `, so at depth${pastIn64.length > 1 ? 's' : ''} ${pastIn64.join(', ')}, drawn in float64, not even float64 resolves the boundary (near it the training is chaotic: perturbations as small as float64's rounding decide which side a run ends on), and the check leaves ${pastIn64.length > 1 ? 'them' : 'it'} out.`
          : '.');
  const dimText = dimensions.map((d, k) => `${fmt(d, 3)} at depth ${k}`).join(', ');
  const summary =
    `${side} x ${side} runs per image, ${steps} full-batch steps each, zooming x${zoom} per depth into the boundary (${size.rule === 'central' ? 'where it passes nearest the centre' : 'its densest stretch'}). ` +
    `The box-counting dimension of the boundary between runs that train and runs that do not is ${dimText} ` +
    `(spread ${fmt(spread, 2)}; a smooth curve gives 1, the paper reports 1.2 to 2 at far higher resolution). ` +
    `Pooled as the paper pools its zoom sequence (the median local slope over all images) it is ${fmt(pooled, 3)}. ` +
    `The check asks for at least ${FRACTAL_MIN_DIMENSION} at every depth and a spread within ${FRACTAL_MAX_SPREAD}.` +
    (precision.length > 0
      ? ` The same windows run again in float32 and in float64 on samples of ${size.precisionSide} x ${size.precisionSide} cells: the two precisions put ` +
        `${precision.map((p) => `${fmt(100 * p.disagree, 2)}%`).join(', ')} of the cells on different sides at depth${precision.length > 1 ? 's' : ''} ${precision.map((_, k) => k).join(', ')}; ` +
        `of the cells on float64's smaller side, ${precision.map((p) => `${fmt(100 * p.minorityKept, 2)}%`).join(', ')} are there in float32 too, ` +
        `and their agreement beyond chance (Cohen's κ) is ${precision.map((p) => fmt(p.kappa, 2)).join(', ')}: ` +
        `where that share is below ${fmt(100 * MIN_MINORITY_KEPT)}% (of at least ${MIN_SPLIT_RUNS} cells) or κ below ${MIN_KAPPA}, the image would show float32 rounding rather than the boundary, and the depth is drawn in float64 on the CPU instead` +
        (redrawn.length > 0 ? ` (here depth${redrawn.length > 1 ? 's' : ''} ${redrawn.join(', ')}).` : ' (no depth here).')
      : '') +
    float64Text +
    (check.holds
      ? ''
      : ` Box counting over ${dims[0]?.sizes.length ?? 0} box sizes on a ${side}-cell image is coarse` +
        (side < FRACTAL_SIZES.default.side ? `; the default size (${FRACTAL_SIZES.default.side} cells: basinlab study fractal-boundary) resolves the boundary better.` : '.'));
  return { id: 'fractal-boundary', panels: [...grids, perDepth, boxes], findings, verdict: check, summary };
}
