/**
 * `<bl-contour-plot>`: the loss surface as filled and line contours, its known minima, and optional
 * overlays (a run's trajectory, the start-point basin map). Render-only.
 *
 * Work is layered by what invalidates it:
 * - contour geometry (d3-contour over the grid) only when `grid`, `minima` or `logLevels` change;
 * - the base canvas (fills, lines, axes) also when the size changes, from cached Path2Ds;
 * - the top canvas (overlay image, trajectory, minima markers) whenever any of those change, which
 *   is what hovering does, without touching the contours.
 */
import { contours, type ContourMultiPolygon } from 'd3-contour';
import { LitElement, html, type PropertyValues } from 'lit';
import type { Domain, Minimum } from '../../core/registry/types.ts';
import { minimumColour, rgbCss } from '../../view/colors.ts';
import type { SurfaceGrid } from '../surface-grid.ts';
import { niceTicks } from '../../view/ticks.ts';
import {
  AXIS_INK,
  drawFrame,
  drawXAxis,
  drawYAxis,
  fitXTicks,
  labelWidth,
  observeWidth,
  prepareCanvas,
  stackedCanvasStyles,
  type Rect,
} from './line-chart.ts';

/**
 * An RGBA image laid over the plot, row-major with row 0 at yMin (like SurfaceGrid and a grid
 * sweep's runs); pixel (i, j) is centred on the i-th and j-th of `width` and `height` evenly spaced
 * points spanning the domain, so the image reaches half a pixel beyond the domain on each side.
 */
export interface ContourOverlay {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8ClampedArray;
  readonly domain: Domain;
}

export interface Trajectory {
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  /**
   * Where each step took its gradient, when that is not the reported point (Schedule-Free's y,
   * SAM's ascent point): drawn dashed in GRAD_INK under the run.
   */
  readonly gradAt?: { readonly x: ArrayLike<number>; readonly y: ArrayLike<number> } | null;
}

/** Detail of `point-hover`: the pointer in data coordinates. */
export interface PointHoverDetail {
  readonly x: number;
  readonly y: number;
}

/** Number of contour levels. */
const LEVELS = 24;
/** Log levels start no lower than this fraction of the range (f − min f) above the minimum. */
const LOG_FLOOR = 1e-7;
/** Fill ramp from the lowest level (near-white) to the highest (blue-grey), linear in level index. */
const FILL_LOW: readonly [number, number, number] = [252, 252, 253];
const FILL_HIGH: readonly [number, number, number] = [172, 185, 202];
const LINE_INK = 'rgba(30, 40, 60, 0.3)';
const PATH_INK = '#1b1b1b';
/** The gradient points of a Schedule-Free or SAM run (Okabe–Ito vermillion). */
export const GRAD_INK = '#d55e00';
const MARGIN_TOP = 8;
const MARGIN_RIGHT = 12;

type Point = readonly [number, number];

interface Geometry {
  readonly grid: SurfaceGrid;
  readonly levels: readonly number[];
  readonly polys: readonly ContourMultiPolygon[];
}

interface Layout {
  readonly width: number;
  readonly height: number;
  readonly rect: Rect;
  readonly view: Domain;
}

interface TrajectoryPath {
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  readonly layout: Layout;
  readonly path: Path2D;
  readonly start: Point | null;
  readonly end: Point | null;
}

/**
 * Contour thresholds: `LEVELS` values between the lowest and highest finite f, spaced evenly or
 * (log) geometrically in f − fMin, where fMin also counts the known minima (the grid rarely hits a
 * minimum exactly, and the true minimum anchors the log spacing).
 */
export function contourLevels(values: ArrayLike<number>, minima: readonly Minimum[], log: boolean, count = LEVELS): number[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0, n = values.length; i < n; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(lo < hi)) return [];
  const out: number[] = [];
  if (!log) {
    for (let k = 1; k <= count; k++) out.push(lo + ((hi - lo) * k) / (count + 1));
    return out;
  }
  let fMin = lo;
  for (const m of minima) if (Number.isFinite(m.value) && m.value < fMin) fMin = m.value;
  const range = hi - fMin;
  // Start at the smallest offset the grid resolves, so the lowest levels still enclose cells.
  let small = Infinity;
  for (let i = 0, n = values.length; i < n; i++) {
    const d = (values[i] as number) - fMin;
    if (d > 0 && d < small) small = d;
  }
  const a = Math.max(range * LOG_FLOOR, Math.min(small, range * 0.01));
  const la = Math.log(a);
  const lb = Math.log(range);
  for (let k = 0; k < count; k++) {
    const t = fMin + Math.exp(la + ((lb - la) * k) / count);
    // Near fMin, offsets below its ulp collapse onto one threshold.
    if (out.length === 0 || t > (out[out.length - 1] as number)) out.push(t);
  }
  return out;
}

function fillColour(k: number, n: number): string {
  const t = n > 0 ? k / n : 0;
  const c = FILL_LOW.map((lo, i) => Math.round(lo + ((FILL_HIGH[i] as number) - lo) * t));
  return `rgb(${c.join(', ')})`;
}

/**
 * Liang–Barsky: the part of segment (x0, y0)–(x1, y1) inside r, as parameters [t0, t1], or null.
 * Clipping before drawing keeps canvas away from coordinates like 1e30 of a diverging run.
 */
function clipSegment(x0: number, y0: number, x1: number, y1: number, r: Rect): [number, number] | null {
  const dx = x1 - x0;
  const dy = y1 - y0;
  let t0 = 0;
  let t1 = 1;
  const p = [-dx, dx, -dy, dy];
  const q = [x0 - r.left, r.left + r.width - x0, y0 - r.top, r.top + r.height - y0];
  for (let k = 0; k < 4; k++) {
    const pk = p[k] as number;
    const qk = q[k] as number;
    if (pk === 0) {
      if (qk < 0) return null;
    } else {
      const t = qk / pk;
      if (pk < 0) {
        if (t > t1) return null;
        if (t > t0) t0 = t;
      } else {
        if (t < t0) return null;
        if (t < t1) t1 = t;
      }
    }
  }
  return [t0, t1];
}

export class BlContourPlot extends LitElement {
  static override properties = {
    grid: { attribute: false },
    minima: { attribute: false },
    trajectory: { attribute: false },
    overlay: { attribute: false },
    overlayOpacity: { type: Number, attribute: 'overlay-opacity' },
    logLevels: { type: Boolean, attribute: 'log-levels' },
    highlight: { type: Number },
    xLabel: { attribute: 'x-label' },
    yLabel: { attribute: 'y-label' },
    height: { type: Number },
    _width: { state: true },
  };

  static override styles = stackedCanvasStyles;

  declare grid: SurfaceGrid | null;
  declare minima: readonly Minimum[];
  declare trajectory: Trajectory | null;
  declare overlay: ContourOverlay | null;
  /** Multiplies the overlay's own alpha. */
  declare overlayOpacity: number;
  /** Levels spaced logarithmically in f − min f (true) or evenly in f. */
  declare logLevels: boolean;
  /** Index into `minima` to emphasise; undefined or out of range for none. */
  declare highlight: number | undefined;
  declare xLabel: string;
  declare yLabel: string;
  /** CSS pixels; 0 sizes the plot so that x and y units are equally long. */
  declare height: number;
  declare protected _width: number;

  private ro: ResizeObserver | null = null;
  private geometry: Geometry | null = null;
  private paths: Path2D[] = [];
  private layout: Layout | null = null;
  private overlayCanvas: HTMLCanvasElement | null = null;
  private trajCache: TrajectoryPath | null = null;
  private gradCache: TrajectoryPath | null = null;
  /** Whether the pointer was inside the plot at the last move, to send one `point-leave`. */
  private inside = false;

  constructor() {
    super();
    this.grid = null;
    this.minima = [];
    this.trajectory = null;
    this.overlay = null;
    this.overlayOpacity = 0.6;
    this.logLevels = true;
    this.highlight = undefined;
    this.xLabel = 'x';
    this.yLabel = 'y';
    this.height = 0;
    this._width = 0;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.ro = observeWidth(this, (w) => {
      this._width = w;
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.ro?.disconnect();
    this.ro = null;
  }

  /** Domain shown: the grid's, else the overlay's. */
  private view(): Domain | null {
    return this.grid?.domain ?? this.overlay?.domain ?? null;
  }

  /** Left margin from the y labels, which do not depend much on how many ticks fit. */
  private leftMargin(view: Domain | null): number {
    const ctx = measureContext();
    if (!ctx || !view) return 40;
    // Before the plot height is known: the widest labels of a sparse and a dense tick set.
    const w = Math.max(
      labelWidth(ctx, niceTicks(view.yMin, view.yMax, 'linear', 8)),
      labelWidth(ctx, niceTicks(view.yMin, view.yMax, 'linear', 20)),
    );
    return Math.ceil(w + 10 + (this.yLabel ? 18 : 0)) + 2;
  }

  private bottomMargin(): number {
    return 20 + (this.xLabel ? 16 : 0);
  }

  /** Total CSS height: the fixed one, or the one giving equal x and y units (within limits). */
  private cssHeight(): number {
    if (this.height > 0) return this.height;
    const view = this.view();
    const plotW = this._width - this.leftMargin(view) - MARGIN_RIGHT;
    if (!view || !(plotW > 0)) return 240;
    const aspect = (view.yMax - view.yMin) / (view.xMax - view.xMin);
    const plotH = Math.min(Math.max(plotW * (Number.isFinite(aspect) ? aspect : 1), 120), plotW * 2, 720);
    return Math.round(plotH + MARGIN_TOP + this.bottomMargin());
  }

  protected override render(): unknown {
    return html`<div
      class="wrap"
      style="height: ${this.cssHeight()}px"
      @pointermove=${this.onMove}
      @pointerleave=${this.onLeave}
    >
      <canvas class="base"></canvas><canvas class="top"></canvas>
    </div>`;
  }

  protected override updated(changed: PropertyValues): void {
    if (changed.has('grid') || changed.has('minima') || changed.has('logLevels')) this.computeGeometry();
    if (changed.has('overlay')) this.buildOverlay();
    // The overlay sets the view only without a grid; otherwise it is a top-layer change.
    const base =
      ['grid', 'minima', 'logLevels', 'xLabel', 'yLabel', 'height', '_width'].some((k) => changed.has(k)) ||
      (changed.has('overlay') && !this.grid);
    if (base) this.drawBase();
    if (base || ['trajectory', 'overlay', 'overlayOpacity', 'highlight'].some((k) => changed.has(k))) this.drawTop();
  }

  private computeGeometry(): void {
    const g = this.grid;
    this.geometry = null;
    if (!g || g.width < 2 || g.height < 2 || g.values.length !== g.width * g.height) return;
    const levels = contourLevels(g.values, this.minima, this.logLevels);
    // d3-contour only indexes `values` when given explicit thresholds, so a Float64Array serves as
    // well as the number[] its typings ask for, without copying the grid.
    const polys = contours()
      .size([g.width, g.height])
      .thresholds(levels)(g.values as unknown as number[]);
    this.geometry = { grid: g, levels, polys };
  }

  private buildOverlay(): void {
    const o = this.overlay;
    this.overlayCanvas = null;
    if (!o || !(o.width > 0) || !(o.height > 0) || o.rgba.length !== o.width * o.height * 4) return;
    const c = document.createElement('canvas');
    c.width = o.width;
    c.height = o.height;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(o.width, o.height);
    // Row 0 of the overlay is the bottom (yMin); image rows run top-down.
    const row = o.width * 4;
    for (let j = 0; j < o.height; j++) {
      img.data.set(o.rgba.subarray(j * row, (j + 1) * row), (o.height - 1 - j) * row);
    }
    ctx.putImageData(img, 0, 0);
    this.overlayCanvas = c;
  }

  private canvas(cls: string): HTMLCanvasElement | null {
    return this.renderRoot.querySelector<HTMLCanvasElement>(`canvas.${cls}`);
  }

  private drawBase(): void {
    const canvas = this.canvas('base');
    const view = this.view();
    const width = this._width;
    const height = this.cssHeight();
    this.layout = null;
    if (!canvas || !(width > 0)) return;
    const ctx = prepareCanvas(canvas, width, height);
    if (!ctx) return;
    const left = this.leftMargin(view);
    const rect: Rect = {
      left,
      top: MARGIN_TOP,
      width: Math.max(10, width - left - MARGIN_RIGHT),
      height: Math.max(10, height - MARGIN_TOP - this.bottomMargin()),
    };
    if (!view) {
      drawFrame(ctx, rect);
      ctx.fillStyle = AXIS_INK;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText('no surface', rect.left + rect.width / 2, rect.top + rect.height / 2);
      return;
    }
    this.layout = { width, height, rect, view };
    const toPx = (x: number): number => rect.left + ((x - view.xMin) / (view.xMax - view.xMin)) * rect.width;
    const toPy = (y: number): number => rect.top + rect.height * (1 - (y - view.yMin) / (view.yMax - view.yMin));

    const geo = this.geometry;
    this.paths = geo ? this.buildPaths(geo, rect, view) : [];
    ctx.save();
    ctx.beginPath();
    ctx.rect(rect.left, rect.top, rect.width, rect.height);
    ctx.clip();
    const n = geo?.levels.length ?? 0;
    ctx.fillStyle = fillColour(0, n);
    ctx.fillRect(rect.left, rect.top, rect.width, rect.height);
    // Each threshold's region (f >= level) lies inside the previous one: painting in order stacks them.
    this.paths.forEach((p, k) => {
      ctx.fillStyle = fillColour(k + 1, n);
      ctx.fill(p, 'evenodd');
    });
    ctx.strokeStyle = LINE_INK;
    ctx.lineWidth = 0.8;
    for (const p of this.paths) ctx.stroke(p);
    ctx.restore();

    const xt = fitXTicks(ctx, view.xMin, view.xMax, 'linear', rect.width);
    // Sparser than the line charts' axes: these plots are tall and square.
    const yt = niceTicks(view.yMin, view.yMax, 'linear', Math.max(2, Math.floor(rect.height / 45)));
    drawFrame(ctx, rect);
    drawXAxis(ctx, rect, xt, toPx, this.xLabel);
    drawYAxis(ctx, rect, yt, toPy, 'left', this.yLabel, labelWidth(ctx, yt) + 16);
  }

  /** Contour rings in CSS pixels; grid sample (i, j) sits at d3-contour's point (i + 0.5, j + 0.5). */
  private buildPaths(geo: Geometry, rect: Rect, view: Domain): Path2D[] {
    const g = geo.grid;
    const d = g.domain;
    const sx = (d.xMax - d.xMin) / (g.width - 1);
    const sy = (d.yMax - d.yMin) / (g.height - 1);
    const kx = rect.width / (view.xMax - view.xMin);
    const ky = rect.height / (view.yMax - view.yMin);
    const px = (c: number): number => rect.left + (d.xMin + (c - 0.5) * sx - view.xMin) * kx;
    const py = (c: number): number => rect.top + rect.height - (d.yMin + (c - 0.5) * sy - view.yMin) * ky;
    return geo.polys.map((mp) => {
      const path = new Path2D();
      for (const polygon of mp.coordinates) {
        for (const ring of polygon) {
          ring.forEach((pt, k) => {
            const x = px(pt[0] as number);
            const y = py(pt[1] as number);
            if (k === 0) path.moveTo(x, y);
            else path.lineTo(x, y);
          });
          path.closePath();
        }
      }
      return path;
    });
  }

  private drawTop(): void {
    const canvas = this.canvas('top');
    const L = this.layout;
    if (!canvas || !L) {
      if (canvas && this._width > 0) prepareCanvas(canvas, this._width, this.cssHeight());
      return;
    }
    const ctx = prepareCanvas(canvas, L.width, L.height);
    if (!ctx) return;
    const { rect, view } = L;
    const toPx = (x: number): number => rect.left + ((x - view.xMin) / (view.xMax - view.xMin)) * rect.width;
    const toPy = (y: number): number => rect.top + rect.height * (1 - (y - view.yMin) / (view.yMax - view.yMin));

    ctx.save();
    ctx.beginPath();
    ctx.rect(rect.left, rect.top, rect.width, rect.height);
    ctx.clip();

    const o = this.overlay;
    const oc = this.overlayCanvas;
    if (o && oc) {
      const d = o.domain;
      // Pixel centres on the evenly spaced points: the image reaches half a pixel past the domain.
      const hx = o.width > 1 ? (d.xMax - d.xMin) / (o.width - 1) / 2 : (d.xMax - d.xMin) / 2;
      const hy = o.height > 1 ? (d.yMax - d.yMin) / (o.height - 1) / 2 : (d.yMax - d.yMin) / 2;
      const x0 = toPx(d.xMin - hx);
      const x1 = toPx(d.xMax + hx);
      const y0 = toPy(d.yMax + hy);
      const y1 = toPy(d.yMin - hy);
      if ([x0, x1, y0, y1].every(Number.isFinite)) {
        ctx.globalAlpha = Math.max(0, Math.min(1, this.overlayOpacity));
        // Cells are results, not a photograph: keep their edges sharp.
        ctx.imageSmoothingEnabled = false;
        ctx.drawImage(oc, x0, y0, x1 - x0, y1 - y0);
        ctx.globalAlpha = 1;
      }
    }

    if (!this.trajectory) this.trajCache = null;
    const gradAt = this.trajectory?.gradAt ?? null;
    if (!gradAt) this.gradCache = null;
    const grad = gradAt ? (this.gradCache = this.trajectoryPath(gradAt, L, toPx, toPy, this.gradCache)) : null;
    if (grad) {
      ctx.lineJoin = 'round';
      ctx.lineCap = 'round';
      ctx.setLineDash([4, 3]);
      ctx.strokeStyle = GRAD_INK;
      ctx.lineWidth = 1.25;
      ctx.stroke(grad.path);
      ctx.setLineDash([]);
    }
    const run = this.trajectory ? (this.trajCache = this.trajectoryPath(this.trajectory, L, toPx, toPy, this.trajCache)) : null;
    if (run) {
      ctx.lineJoin = 'round';
      ctx.lineCap = 'round';
      ctx.strokeStyle = 'rgba(255, 255, 255, 0.8)';
      ctx.lineWidth = 3.5;
      ctx.stroke(run.path);
      ctx.strokeStyle = PATH_INK;
      ctx.lineWidth = 1.5;
      ctx.stroke(run.path);
    }

    const hi = this.highlight;
    this.minima.forEach((m, i) => {
      if (i !== hi) this.drawMinimum(ctx, toPx(m.x), toPy(m.y), i, false);
    });
    const hm = hi !== undefined ? this.minima[hi] : undefined;
    if (hi !== undefined && hm) this.drawMinimum(ctx, toPx(hm.x), toPy(hm.y), hi, true);

    // Start: open circle; end (last finite point): filled dot.
    ctx.lineWidth = 1.5;
    if (run?.end) {
      ctx.strokeStyle = '#fff';
      ctx.fillStyle = PATH_INK;
      ctx.beginPath();
      // Small enough that a minimum's diamond stays visible around a run that ended in it.
      ctx.arc(run.end[0], run.end[1], 2.5, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
    if (run?.start) {
      ctx.strokeStyle = PATH_INK;
      ctx.fillStyle = '#fff';
      ctx.beginPath();
      ctx.arc(run.start[0], run.start[1], 4, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
    ctx.restore();
  }

  /** A diamond in the minimum's basin colour; the highlighted one larger, with a halo. */
  private drawMinimum(ctx: CanvasRenderingContext2D, x: number, y: number, i: number, emphasised: boolean): void {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    const r = emphasised ? 8 : 5;
    ctx.beginPath();
    ctx.moveTo(x, y - r);
    ctx.lineTo(x + r, y);
    ctx.lineTo(x, y + r);
    ctx.lineTo(x - r, y);
    ctx.closePath();
    if (emphasised) {
      ctx.strokeStyle = 'rgba(255, 255, 255, 0.9)';
      ctx.lineWidth = 5;
      ctx.stroke();
    }
    ctx.fillStyle = rgbCss(minimumColour(i));
    ctx.fill();
    ctx.strokeStyle = PATH_INK;
    ctx.lineWidth = emphasised ? 2 : 1;
    ctx.stroke();
  }

  /**
   * The run as a polyline in pixels, broken at non-finite points, clipped to the plot, and thinned
   * to points at least half a pixel apart so a 10⁶-step run costs what its visible shape costs; with
   * its start and last finite point, each null when missing or outside the view. Cached per
   * coordinate arrays and layout: hover changes `highlight` far more often than the run.
   */
  private trajectoryPath(
    t: { readonly x: ArrayLike<number>; readonly y: ArrayLike<number> },
    L: Layout,
    toPx: (x: number) => number,
    toPy: (y: number) => number,
    c: TrajectoryPath | null,
  ): TrajectoryPath {
    if (c && c.x === t.x && c.y === t.y && c.layout === L) return c;
    const rect = L.rect;
    const n = Math.min(t.x.length, t.y.length);
    // Slightly larger than the plot so clipped ends do not draw caps on the frame.
    const clip: Rect = { left: rect.left - 2, top: rect.top - 2, width: rect.width + 4, height: rect.height + 4 };
    const path = new Path2D();
    let hasPrev = false;
    let px0 = 0;
    let py0 = 0;
    let penAt: Point | null = null;
    let first: Point | null = null;
    let lastFinite: Point | null = null;
    for (let i = 0; i < n; i++) {
      const x = toPx(t.x[i] as number);
      const y = toPy(t.y[i] as number);
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        hasPrev = false;
        penAt = null;
        continue;
      }
      if (i === 0) first = [x, y];
      lastFinite = [x, y];
      if (!hasPrev) {
        hasPrev = true;
        px0 = x;
        py0 = y;
        continue;
      }
      // Thin: skip points within half a pixel of the last drawn one (the last point always draws).
      if (i < n - 1 && Math.abs(x - px0) < 0.5 && Math.abs(y - py0) < 0.5) continue;
      const c = clipSegment(px0, py0, x, y, clip);
      if (c) {
        // Unclipped ends stay exact so that consecutive segments join without a moveTo.
        const ax = c[0] === 0 ? px0 : px0 + (x - px0) * c[0];
        const ay = c[0] === 0 ? py0 : py0 + (y - py0) * c[0];
        const bx = c[1] === 1 ? x : px0 + (x - px0) * c[1];
        const by = c[1] === 1 ? y : py0 + (y - py0) * c[1];
        if (!penAt || penAt[0] !== ax || penAt[1] !== ay) path.moveTo(ax, ay);
        path.lineTo(bx, by);
        penAt = c[1] === 1 ? [bx, by] : null;
      } else {
        penAt = null;
      }
      px0 = x;
      py0 = y;
    }
    const inView = (p: Point | null): p is Point =>
      p !== null && p[0] >= rect.left && p[0] <= rect.left + rect.width && p[1] >= rect.top && p[1] <= rect.top + rect.height;
    const out: TrajectoryPath = {
      x: t.x,
      y: t.y,
      layout: L,
      path,
      start: inView(first) ? first : null,
      end: n > 1 && inView(lastFinite) ? lastFinite : null,
    };
    return out;
  }

  private readonly onMove = (e: PointerEvent): void => {
    const L = this.layout;
    const wrap = e.currentTarget;
    if (!L || !(wrap instanceof HTMLElement)) return;
    const b = wrap.getBoundingClientRect();
    const x = e.clientX - b.left;
    const y = e.clientY - b.top;
    const { rect, view } = L;
    const u = (x - rect.left) / rect.width;
    const v = 1 - (y - rect.top) / rect.height;
    if (u < 0 || u > 1 || v < 0 || v > 1) {
      this.onLeave();
      return;
    }
    this.inside = true;
    const detail: PointHoverDetail = { x: view.xMin + u * (view.xMax - view.xMin), y: view.yMin + v * (view.yMax - view.yMin) };
    this.dispatchEvent(new CustomEvent<PointHoverDetail>('point-hover', { detail, bubbles: true, composed: true }));
  };

  private readonly onLeave = (): void => {
    if (!this.inside) return;
    this.inside = false;
    this.dispatchEvent(new CustomEvent('point-leave', { bubbles: true, composed: true }));
  };
}

let measurer: CanvasRenderingContext2D | null | undefined;
/** A detached context for measuring labels before the canvas is sized. */
function measureContext(): CanvasRenderingContext2D | null {
  if (measurer === undefined) {
    measurer = document.createElement('canvas').getContext('2d');
    if (measurer) measurer.font = '12px system-ui, sans-serif';
  }
  return measurer;
}

if (!customElements.get('bl-contour-plot')) customElements.define('bl-contour-plot', BlContourPlot);

declare global {
  interface HTMLElementTagNameMap {
    'bl-contour-plot': BlContourPlot;
  }
  interface HTMLElementEventMap {
    'point-hover': CustomEvent<PointHoverDetail>;
    'point-leave': CustomEvent<undefined>;
  }
}
