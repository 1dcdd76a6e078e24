/**
 * `<bl-contour-plot>`: the loss surface as filled and line contours, its known minima, and optional
 * overlays (the selected run's trajectory, a hovered run's preview, pinned or racing runs in their
 * colours, the start-point basin map), a playhead that shows the paths up to a step, and a start
 * point that can be dragged. Render-only: it reports the drag (`start-move`) and draws what it is
 * given.
 *
 * Work is layered by what invalidates it:
 * - contour geometry (d3-contour over the grid) only when `grid`, `minima` or `logLevels` change;
 * - the base canvas (fills, lines, axes) also when the size changes, from cached Path2Ds;
 * - the top canvas (overlay image, paths, minima markers) whenever any of those change, which is
 *   what hovering does, without touching the contours;
 * - the play canvas (the paths up to the playhead, their current points, the start handle) on
 *   every playhead move and drag: an animation frame costs a pass over the paths' drawn vertices
 *   (a few hundred per path, however long the run), nothing else.
 */
import type { ContourMultiPolygon } from 'd3-contour';
import { LitElement, css, html, type PropertyValues } from 'lit';
import type { Domain, Minimum } from '../../core/registry/types.ts';
import { SELECTED_INK, minimumColour, OKABE_ITO, rgbCss } from '../../view/colors.ts';
import { pointIndexAt } from '../runs.ts';
import type { SurfaceGrid } from '../surface-grid.ts';
import { niceTicks } from '../../view/ticks.ts';
import { LINE_INK, contourFill as fillColour, contourLevels, contourPolygons } from '../../view/contours.ts';
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
} from './canvas-axes.ts';

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
  /** Step count of each point (0 for the start); without it, point k is step k. */
  readonly steps?: ArrayLike<number>;
  /**
   * Where each step took its gradient, when that is not the reported point (Schedule-Free's y,
   * SAM's ascent point): drawn dashed in GRAD_INK under the run.
   */
  readonly gradAt?: { readonly x: ArrayLike<number>; readonly y: ArrayLike<number> } | null;
}

/** A path drawn in its own colour (a pinned run, a racing optimiser). */
export interface ColouredPath extends Trajectory {
  readonly colour: string;
}

/** Detail of `start-move`: the dragged start point in data coordinates; `final` when released. */
export interface StartMoveDetail {
  readonly x: number;
  readonly y: number;
  readonly final: boolean;
}

/** Detail of `point-hover`: the pointer in data coordinates. */
export interface PointHoverDetail {
  readonly x: number;
  readonly y: number;
}

const PATH_INK = SELECTED_INK;
/** A hovered run's preview: the path ink, a shade lighter. */
const PREVIEW_INK = '#4a4a4a';
/** The gradient points of a Schedule-Free or SAM run (Okabe–Ito vermillion). */
export const GRAD_INK = OKABE_ITO.vermillion;
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
  /** The drawn vertices in pixels, each with the index of the point it belongs to and whether the pen moves there. */
  readonly vx: Float32Array;
  readonly vy: Float32Array;
  readonly vi: Int32Array;
  readonly vMove: Uint8Array;
}

/** How close (px) the pointer must come to the start point to grab it. */
const GRAB_PX = 12;
/** Opacity of the paths' parts beyond the playhead. */
const AHEAD_ALPHA = 0.22;

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
    preview: { attribute: false },
    paths: { attribute: false },
    playhead: { attribute: false },
    start: { attribute: false },
    startDraggable: { type: Boolean, attribute: 'start-draggable' },
    overlay: { attribute: false },
    overlayOpacity: { type: Number, attribute: 'overlay-opacity' },
    logLevels: { type: Boolean, attribute: 'log-levels' },
    highlight: { type: Number },
    xLabel: { attribute: 'x-label' },
    yLabel: { attribute: 'y-label' },
    label: {},
    height: { type: Number },
    _width: { state: true },
  };

  static override styles = [
    stackedCanvasStyles,
    css`
      .wrap.grab {
        cursor: grab;
      }
      .wrap.grabbing {
        cursor: grabbing;
      }
    `,
  ];

  declare grid: SurfaceGrid | null;
  declare minima: readonly Minimum[];
  /** The selected run, in the path ink. */
  declare trajectory: Trajectory | null;
  /** A hovered run's path, drawn lighter while a run is selected. */
  declare preview: Trajectory | null;
  /** Runs to compare (pins, racing optimisers), each in its colour. */
  declare paths: readonly ColouredPath[];
  /** Show the paths up to this step (null: whole). */
  declare playhead: number | null;
  /** The start point of the runs (a handle when `startDraggable`); null when it differs per run. */
  declare start: Point | null;
  declare startDraggable: boolean;
  declare overlay: ContourOverlay | null;
  /** Multiplies the overlay's own alpha. */
  declare overlayOpacity: number;
  /** Levels spaced logarithmically in f − min f (true) or evenly in f. */
  declare logLevels: boolean;
  /** Index into `minima` to emphasise; undefined or out of range for none. */
  declare highlight: number | undefined;
  declare xLabel: string;
  declare yLabel: string;
  /** The plot in words, for those who cannot see it (the canvases' text alternative). */
  declare label: string;
  /** CSS pixels; 0 sizes the plot so that x and y units are equally long. */
  declare height: number;
  declare protected _width: number;

  private ro: ResizeObserver | null = null;
  private geometry: Geometry | null = null;
  private paths2d: Path2D[] = [];
  private layout: Layout | null = null;
  private overlayCanvas: HTMLCanvasElement | null = null;
  /** Polylines of the paths drawn last, by path object (rebuilt only for new paths or a new layout). */
  private polylines = new Map<object, TrajectoryPath>();
  /** Whether the pointer was inside the plot at the last move, to send one `point-leave`. */
  private inside = false;
  /** The start point while it is dragged (data coordinates), shown ahead of the spec. */
  private dragStart: Point | null = null;
  /** Where the pointer grabbed the start, relative to it (data units), and whether it has moved since. */
  private grab: { dx: number; dy: number; moved: boolean } | null = null;

  constructor() {
    super();
    this.grid = null;
    this.minima = [];
    this.trajectory = null;
    this.preview = null;
    this.paths = [];
    this.playhead = null;
    this.start = null;
    this.startDraggable = false;
    this.overlay = null;
    this.overlayOpacity = 0.6;
    this.logLevels = true;
    this.highlight = undefined;
    this.xLabel = 'x';
    this.yLabel = 'y';
    this.label = '';
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
      role="img"
      aria-label=${this.label || 'Contour plot of the loss surface'}
      style="height: ${this.cssHeight()}px"
      @pointermove=${this.onMove}
      @pointerleave=${this.onLeave}
      @pointerdown=${this.onDown}
      @pointerup=${this.onUp}
      @pointercancel=${this.onUp}
    >
      <canvas class="base" aria-hidden="true"></canvas><canvas class="top" aria-hidden="true"></canvas><canvas class="top play" aria-hidden="true"></canvas>
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
    // Whether the playhead is shown at all changes how the top layer draws the paths.
    const playMode = changed.has('playhead') && (changed.get('playhead') === null) !== (this.playhead === null);
    const top = base || playMode || ['trajectory', 'preview', 'paths', 'overlay', 'overlayOpacity', 'highlight'].some((k) => changed.has(k));
    if (top) this.drawTop();
    if (top || ['playhead', 'start', 'startDraggable'].some((k) => changed.has(k))) this.drawPlay();
  }

  private computeGeometry(): void {
    const g = this.grid;
    this.geometry = null;
    if (!g || g.width < 2 || g.height < 2 || g.values.length !== g.width * g.height) return;
    const levels = contourLevels(g.values, this.minima, this.logLevels);
    const polys = contourPolygons(g, levels);
    if (polys) this.geometry = { grid: g, levels, polys };
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
    this.paths2d = geo ? this.buildPaths(geo, rect, view) : [];
    ctx.save();
    ctx.beginPath();
    ctx.rect(rect.left, rect.top, rect.width, rect.height);
    ctx.clip();
    const n = geo?.levels.length ?? 0;
    ctx.fillStyle = fillColour(0, n);
    ctx.fillRect(rect.left, rect.top, rect.width, rect.height);
    // Each threshold's region (f >= level) lies inside the previous one: painting in order stacks them.
    this.paths2d.forEach((p, k) => {
      ctx.fillStyle = fillColour(k + 1, n);
      ctx.fill(p, 'evenodd');
    });
    ctx.strokeStyle = LINE_INK;
    ctx.lineWidth = 0.8;
    for (const p of this.paths2d) ctx.stroke(p);
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

  /** Pixel mappings of a layout. */
  private mappers(L: Layout): { toPx: (x: number) => number; toPy: (y: number) => number } {
    const { rect, view } = L;
    return {
      toPx: (x: number): number => rect.left + ((x - view.xMin) / (view.xMax - view.xMin)) * rect.width,
      toPy: (y: number): number => rect.top + rect.height * (1 - (y - view.yMin) / (view.yMax - view.yMin)),
    };
  }

  /** The cached polyline of a path on the current layout. */
  private polyline(t: { readonly x: ArrayLike<number>; readonly y: ArrayLike<number> }, L: Layout): TrajectoryPath {
    const hit = this.polylines.get(t);
    if (hit && hit.layout === L && hit.x === t.x && hit.y === t.y) return hit;
    const { toPx, toPy } = this.mappers(L);
    const made = this.trajectoryPath(t, L, toPx, toPy);
    this.polylines.set(t, made);
    return made;
  }

  /** The paths the playhead moves along: the compared ones, then the selected run. */
  private animated(): { t: Trajectory; colour: string }[] {
    return [...this.paths.map((p) => ({ t: p, colour: p.colour })), ...(this.trajectory ? [{ t: this.trajectory, colour: PATH_INK }] : [])];
  }

  private drawTop(): void {
    const canvas = this.canvas('top:not(.play)');
    const L = this.layout;
    if (!canvas || !L) {
      if (canvas && this._width > 0) prepareCanvas(canvas, this._width, this.cssHeight());
      return;
    }
    const ctx = prepareCanvas(canvas, L.width, L.height);
    if (!ctx) return;
    const { rect } = L;
    const { toPx, toPy } = this.mappers(L);

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

    // Drop polylines of paths no longer shown.
    const shown = new Set<object>([...this.paths, ...(this.trajectory ? [this.trajectory] : []), ...(this.preview ? [this.preview] : [])]);
    if (this.trajectory?.gradAt) shown.add(this.trajectory.gradAt);
    for (const k of this.polylines.keys()) if (!shown.has(k)) this.polylines.delete(k);

    // With a playhead the paths show faintly whole; the play layer draws them up to the playhead.
    const ahead = this.playhead !== null ? AHEAD_ALPHA : 1;
    ctx.lineJoin = 'round';
    ctx.lineCap = 'round';
    ctx.globalAlpha = ahead;
    for (const p of this.paths) strokePath(ctx, this.polyline(p, L).path, p.colour);
    const gradAt = this.trajectory?.gradAt ?? null;
    if (gradAt) {
      ctx.setLineDash([4, 3]);
      ctx.strokeStyle = GRAD_INK;
      ctx.lineWidth = 1.25;
      ctx.stroke(this.polyline(gradAt, L).path);
      ctx.setLineDash([]);
    }
    const run = this.trajectory ? this.polyline(this.trajectory, L) : null;
    if (run) strokePath(ctx, run.path, PATH_INK);
    ctx.globalAlpha = 1;
    // The hovered run's preview, over the others; lighter while a run is selected.
    const prev = this.preview && this.preview !== this.trajectory ? this.polyline(this.preview, L) : null;
    if (prev) {
      ctx.globalAlpha = run ? 0.6 : 1;
      strokePath(ctx, prev.path, PREVIEW_INK);
      if (prev.end) dot(ctx, prev.end, 2.5, PREVIEW_INK);
      ctx.globalAlpha = 1;
    }

    const hi = this.highlight;
    this.minima.forEach((m, i) => {
      if (i !== hi) this.drawMinimum(ctx, toPx(m.x), toPy(m.y), i, false);
    });
    const hm = hi !== undefined ? this.minima[hi] : undefined;
    if (hi !== undefined && hm) this.drawMinimum(ctx, toPx(hm.x), toPy(hm.y), hi, true);

    // Ends (last finite point): filled dots, unless the playhead shows where each run is.
    if (this.playhead === null) {
      for (const p of this.paths) {
        const end = this.polyline(p, L).end;
        if (end) dot(ctx, end, 2.5, p.colour);
      }
      // Small enough that a minimum's diamond stays visible around a run that ended in it.
      if (run?.end) dot(ctx, run.end, 2.5, PATH_INK);
    }
    // The run's start (an open circle), unless the start handle marks it.
    if (run?.start && !this.start) ring(ctx, run.start, 4);
    ctx.restore();
  }

  /** The play layer: the paths up to the playhead with their current points, and the start handle. */
  private drawPlay(): void {
    const canvas = this.canvas('play');
    const L = this.layout;
    if (!canvas) return;
    if (!L) {
      if (this._width > 0) prepareCanvas(canvas, this._width, this.cssHeight());
      return;
    }
    const ctx = prepareCanvas(canvas, L.width, L.height);
    if (!ctx) return;
    const { rect } = L;
    const { toPx, toPy } = this.mappers(L);
    ctx.save();
    ctx.beginPath();
    ctx.rect(rect.left, rect.top, rect.width, rect.height);
    ctx.clip();
    const t = this.playhead;
    if (t !== null) {
      ctx.lineJoin = 'round';
      ctx.lineCap = 'round';
      const heads: [Point, string][] = [];
      for (const { t: path, colour } of this.animated()) {
        const n = Math.min(path.x.length, path.y.length);
        if (n === 0) continue;
        const k = path.steps ? pointIndexAt(path.steps, t) : Math.min(Math.max(0, Math.floor(t)), n - 1);
        strokePath(ctx, prefixPath(this.polyline(path, L), k), colour);
        const px = toPx(path.x[k] as number);
        const py = toPy(path.y[k] as number);
        if (Number.isFinite(px) && Number.isFinite(py)) heads.push([[px, py], colour]);
      }
      for (const [p, colour] of heads) dot(ctx, p, 4.5, colour);
    }
    const st = this.dragStart ?? this.start;
    if (st) {
      const p: Point = [toPx(st[0]), toPy(st[1])];
      if (Number.isFinite(p[0]) && Number.isFinite(p[1])) {
        if (this.startDraggable) {
          // A halo says "grab me".
          ctx.fillStyle = 'rgba(27, 27, 27, 0.12)';
          ctx.beginPath();
          ctx.arc(p[0], p[1], 9, 0, 2 * Math.PI);
          ctx.fill();
        }
        ring(ctx, p, 5);
      }
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
   * its start and last finite point, each null when missing or outside the view, and its vertices
   * (with the point each belongs to) for drawing it up to a playhead. Cached per path and layout
   * (see `polyline`): hover changes `highlight` far more often than the run.
   */
  private trajectoryPath(
    t: { readonly x: ArrayLike<number>; readonly y: ArrayLike<number> },
    L: Layout,
    toPx: (x: number) => number,
    toPy: (y: number) => number,
  ): TrajectoryPath {
    const rect = L.rect;
    const n = Math.min(t.x.length, t.y.length);
    // Slightly larger than the plot so clipped ends do not draw caps on the frame.
    const clip: Rect = { left: rect.left - 2, top: rect.top - 2, width: rect.width + 4, height: rect.height + 4 };
    const path = new Path2D();
    const vx: number[] = [];
    const vy: number[] = [];
    const vi: number[] = [];
    const vMove: number[] = [];
    const vertex = (x: number, y: number, i: number, move: boolean): void => {
      if (move) path.moveTo(x, y);
      else path.lineTo(x, y);
      vx.push(x);
      vy.push(y);
      vi.push(i);
      vMove.push(move ? 1 : 0);
    };
    let hasPrev = false;
    let px0 = 0;
    let py0 = 0;
    let i0 = 0;
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
        i0 = i;
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
        // The segment's start belongs to its first point, its end to its last.
        if (!penAt || penAt[0] !== ax || penAt[1] !== ay) vertex(ax, ay, i0, true);
        vertex(bx, by, i, false);
        penAt = c[1] === 1 ? [bx, by] : null;
      } else {
        penAt = null;
      }
      px0 = x;
      py0 = y;
      i0 = i;
    }
    const inView = (p: Point | null): p is Point =>
      p !== null && p[0] >= rect.left && p[0] <= rect.left + rect.width && p[1] >= rect.top && p[1] <= rect.top + rect.height;
    return {
      x: t.x,
      y: t.y,
      layout: L,
      path,
      start: inView(first) ? first : null,
      end: n > 1 && inView(lastFinite) ? lastFinite : null,
      vx: Float32Array.from(vx),
      vy: Float32Array.from(vy),
      vi: Int32Array.from(vi),
      vMove: Uint8Array.from(vMove),
    };
  }

  /** Where a point of the surface is on the page (client pixels), or null before the plot is laid out: for tests that drag. */
  pointToClient(x: number, y: number): { x: number; y: number } | null {
    const L = this.layout;
    const wrap = this.renderRoot.querySelector('.wrap');
    if (!L || !wrap) return null;
    const b = wrap.getBoundingClientRect();
    const { toPx, toPy } = this.mappers(L);
    return { x: b.left + toPx(x), y: b.top + toPy(y) };
  }

  /** Data coordinates of a pointer event, and whether it lies inside the plot. */
  private dataAt(e: PointerEvent): { x: number; y: number; px: number; py: number; inside: boolean } | null {
    const L = this.layout;
    const wrap = e.currentTarget;
    if (!L || !(wrap instanceof HTMLElement)) return null;
    const b = wrap.getBoundingClientRect();
    const px = e.clientX - b.left;
    const py = e.clientY - b.top;
    const { rect, view } = L;
    const u = (px - rect.left) / rect.width;
    const v = 1 - (py - rect.top) / rect.height;
    return { x: view.xMin + u * (view.xMax - view.xMin), y: view.yMin + v * (view.yMax - view.yMin), px, py, inside: u >= 0 && u <= 1 && v >= 0 && v <= 1 };
  }

  /** Whether a pointer position (px) is on the start handle. */
  private onHandle(px: number, py: number): boolean {
    const L = this.layout;
    const st = this.start;
    if (!L || !st || !this.startDraggable) return false;
    const { toPx, toPy } = this.mappers(L);
    return Math.hypot(px - toPx(st[0]), py - toPy(st[1])) <= GRAB_PX;
  }

  /** The dragged start, kept inside the plot. */
  private clampToView(x: number, y: number): Point {
    const v = this.layout?.view;
    if (!v) return [x, y];
    return [Math.min(v.xMax, Math.max(v.xMin, x)), Math.min(v.yMax, Math.max(v.yMin, y))];
  }

  private readonly onDown = (e: PointerEvent): void => {
    const d = this.dataAt(e);
    const st = this.start;
    if (!d || !st || !this.onHandle(d.px, d.py) || !(e.currentTarget instanceof HTMLElement)) return;
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    // The start moves with the pointer from where it was grabbed: a click on it moves nothing.
    this.grab = { dx: d.x - st[0], dy: d.y - st[1], moved: false };
    this.dragStart = [st[0], st[1]];
    e.currentTarget.classList.add('grabbing');
    this.drawPlay();
  };

  private readonly onUp = (e: PointerEvent): void => {
    const st = this.dragStart;
    const grab = this.grab;
    if (!st || !grab) return;
    this.dragStart = null;
    this.grab = null;
    if (e.currentTarget instanceof HTMLElement) e.currentTarget.classList.remove('grabbing');
    // A cancelled gesture (the browser took the touch to scroll) or a click leaves the start where it was.
    if (!grab.moved || e.type === 'pointercancel') {
      this.drawPlay();
      return;
    }
    this.dispatchEvent(new CustomEvent<StartMoveDetail>('start-move', { detail: { x: st[0], y: st[1], final: true }, bubbles: true, composed: true }));
  };

  private readonly onMove = (e: PointerEvent): void => {
    const d = this.dataAt(e);
    if (!d) return;
    const grab = this.grab;
    if (this.dragStart && grab) {
      grab.moved = true;
      this.dragStart = this.clampToView(d.x - grab.dx, d.y - grab.dy);
      this.drawPlay();
      this.dispatchEvent(
        new CustomEvent<StartMoveDetail>('start-move', { detail: { x: this.dragStart[0], y: this.dragStart[1], final: false }, bubbles: true, composed: true }),
      );
      return;
    }
    if (e.currentTarget instanceof HTMLElement) e.currentTarget.classList.toggle('grab', this.onHandle(d.px, d.py));
    if (!d.inside) {
      this.onLeave();
      return;
    }
    this.inside = true;
    const detail: PointHoverDetail = { x: d.x, y: d.y };
    this.dispatchEvent(new CustomEvent<PointHoverDetail>('point-hover', { detail, bubbles: true, composed: true }));
  };

  private readonly onLeave = (): void => {
    if (!this.inside) return;
    this.inside = false;
    this.dispatchEvent(new CustomEvent('point-leave', { bubbles: true, composed: true }));
  };
}

/** A path with a white halo under its ink, so it reads on any fill. */
function strokePath(ctx: CanvasRenderingContext2D, path: Path2D, ink: string): void {
  ctx.strokeStyle = 'rgba(255, 255, 255, 0.8)';
  ctx.lineWidth = 3.5;
  ctx.stroke(path);
  ctx.strokeStyle = ink;
  ctx.lineWidth = 1.5;
  ctx.stroke(path);
}

/** A filled dot with a white rim. */
function dot(ctx: CanvasRenderingContext2D, p: Point, r: number, fill: string): void {
  ctx.strokeStyle = '#fff';
  ctx.lineWidth = 1.5;
  ctx.fillStyle = fill;
  ctx.beginPath();
  ctx.arc(p[0], p[1], r, 0, 2 * Math.PI);
  ctx.fill();
  ctx.stroke();
}

/** An open circle (a start point). */
function ring(ctx: CanvasRenderingContext2D, p: Point, r: number): void {
  ctx.strokeStyle = PATH_INK;
  ctx.fillStyle = '#fff';
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.arc(p[0], p[1], r, 0, 2 * Math.PI);
  ctx.fill();
  ctx.stroke();
}

/** The part of a polyline up to point k (its vertices belonging to points 0..k). */
function prefixPath(p: TrajectoryPath, k: number): Path2D {
  const out = new Path2D();
  const n = p.vi.length;
  for (let v = 0; v < n && (p.vi[v] as number) <= k; v++) {
    if (p.vMove[v]) out.moveTo(p.vx[v] as number, p.vy[v] as number);
    else out.lineTo(p.vx[v] as number, p.vy[v] as number);
  }
  return out;
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
