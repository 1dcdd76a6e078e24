/**
 * <bl-heatmap>: one pixel per run, axes with log ticks, a legend, hover/click/drag-to-zoom, and a
 * keyboard (it takes the focus: arrows move a cursor, Enter selects, + and − zoom around the
 * cursor; see heatmap/keys.ts). Render-only: it draws the frame it is given and reports what the
 * pointer and the keys do in cell coordinates; the controller decides what that means. It fits its
 * width (a two-dimensional map is at most `size` pixels square), and says in words what it shows
 * (`summary`, a live region, and `cursorText` for the cursor's cell).
 *
 * A one-row sweep (one hyperparameter swept) is drawn as a short strip with a curve under it
 * (view/profile.ts): the value each run ended with against the swept axis, which its x axis shares;
 * a square of stripes would spend its height on nothing.
 */
import type { HeatmapAxis } from '../runs.ts';
import { LitElement, css, html, nothing } from 'lit';
import type { PropertyValues } from 'lit';
import { SELECTED_INK, rgbCss } from '../../view/colors.ts';
import type { AnyFrame } from '../heatmap/renderers.ts';
import type { LegendItem } from '../../view/legend.ts';
import type { OverlayLine } from '../../view/panels.ts';
import { formatNumber, niceTicks, offsetTicks, type Tick } from '../../view/ticks.ts';
import { carryCursor, heatmapKey } from '../heatmap/keys.ts';
import type { ZoomDetail } from '../heatmap/gesture.ts';
import { releaseOf } from '../heatmap/gesture.ts';
import { cellOfRun, scalePosition } from '../../core/plan.ts';
import type { HeatmapGpu, HeatmapRenderer } from '../heatmap/renderers.ts';
import { Canvas2DRenderer } from '../heatmap/renderers.ts';
import { memoLast } from '../memo.ts';
import { isOneRow, profileDomain, profileNotes, profileOf, type Profile } from '../../view/profile.ts';
import { AXIS_INK, INK, labelWidth } from './canvas-axes.ts';
export type { HeatmapGpu } from '../heatmap/renderers.ts';

/** The colour of a marked cell (the overlay), on the map and in the legend. */
const MARK_COLOUR = 'rgba(255, 0, 255, 0.85)';

export interface CellEventDetail {
  readonly i: number;
  readonly j: number;
}

/** A pinned run's cell, outlined on the map in the pin's colour. */
export interface PinnedCell {
  readonly i: number;
  readonly j: number;
  readonly colour: string;
}

/** Detail of `zoom-around`: zoom by `factor` (0.5 in, 2 out) around a cell. */
export interface ZoomAroundDetail {
  readonly cell: CellEventDetail;
  readonly factor: number;
}

export type { ZoomDetail } from '../heatmap/gesture.ts';

const MARGIN = { left: 64, right: 16, top: 12, bottom: 44 };
/** A one-row sweep: the strip's height, the gap under it and the curve's height (CSS px). */
const STRIP = 36;
/** A list sweep's band of columns (CSS px). */
const LIST_BAND = 96;
const GAP = 10;
/**
 * Ticks over [min, max] whose labels fit `room` px: niceTicks, or offsets from a short base value
 * (returned, for the title) where the labels would not fit (a deep zoom's 116.28432646, a narrow
 * range's 0.2011529, differing in their last digits).
 */
function fitTicks(ctx: CanvasRenderingContext2D, min: number, max: number, scale: 'linear' | 'log', n: number, room: (ts: readonly Tick[]) => number): { ticks: Tick[]; base: string } {
  const ticks = niceTicks(min, max, scale, n);
  if (labelWidth(ctx, ticks) <= room(ticks)) return { ticks, base: '' };
  const o = offsetTicks(min, max, n);
  return { ticks: o.ticks, base: o.baseLabel };
}

/** Room for a y tick label: the margin left of the plot, less the y title. */
const Y_LABEL_ROOM = MARGIN.left - 26;

/** Tick marks and their labels left of the plot, at y = yOf(value), for the ticks from `top` to `bottom`. */
function drawYTicks(ctx: CanvasRenderingContext2D, ticks: readonly Tick[], yOf: (v: number) => number, top: number, bottom: number): void {
  ctx.fillStyle = INK;
  ctx.strokeStyle = AXIS_INK;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of ticks) {
    const y = yOf(t.value);
    if (y < top - 0.5 || y > bottom + 0.5) continue;
    ctx.beginPath();
    ctx.moveTo(MARGIN.left - 5, y);
    ctx.lineTo(MARGIN.left, y);
    ctx.stroke();
    ctx.fillText(t.label, MARGIN.left - 7, y);
  }
}

/** A y axis's title, turned along the plot, centred at height `cy`. */
function drawYTitle(ctx: CanvasRenderingContext2D, title: string, cy: number): void {
  ctx.save();
  ctx.fillStyle = INK;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.translate(12, cy);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(title, 0, 0);
  ctx.restore();
}

const curveHeight = (side: number): number => Math.round(Math.max(150, Math.min(260, 0.45 * side)));

export class BlHeatmap extends LitElement {
  static override properties = {
    frame: { attribute: false },
    xAxis: { attribute: false },
    yAxis: { attribute: false },
    gpu: { attribute: false },
    overlay: { attribute: false },
    overlayLabel: { attribute: false },
    muted: { type: Boolean, reflect: true },
    selected: { attribute: false },
    pinned: { attribute: false },
    legend: { attribute: false },
    lines: { attribute: false },
    summary: { attribute: false },
    cursorText: { attribute: false },
    size: { type: Number },
    _avail: { state: true },
  };

  /** A surface map's frame (view/frame.ts) or a network map's (view/net-frame.ts). */
  declare frame: AnyFrame | null;
  declare xAxis: HeatmapAxis | null;
  declare yAxis: HeatmapAxis | null;
  /** When set and the frame's results live on this device, draw with WebGPU. */
  declare gpu: HeatmapGpu | null;
  /** 1 for cells to mark (e.g. where two engines disagree). */
  declare overlay: Uint8Array | null;
  /** What a marked cell means, for the legend (shown while some cell is marked). */
  declare overlayLabel: string;
  /**
   * The cells' colours are rounding's, not the runs' (a precision probe found the view past what
   * its engine resolves): drawn greyed, so that noise is not read as the map (issue 14: "say so
   * rather than drawing noise"); the note above the map says why.
   */
  declare muted: boolean;
  declare selected: CellEventDetail | null;
  /** Pinned runs' cells, outlined in their colours (the selected run's box, in its ink, is drawn over them). */
  declare pinned: readonly PinnedCell[];
  /** What every colour means (view/legend.ts). */
  declare legend: readonly LegendItem[];
  /** Lines in the axes' coordinates drawn over the map (theory: view/theory.ts). */
  declare lines: readonly OverlayLine[];
  /** What the heatmap shows, in words (announced when it changes). */
  declare summary: string;
  /** The cursor's (or hovered) cell in words. */
  declare cursorText: string;
  /** Largest side of the plot area in CSS pixels (smaller when the heatmap's box is narrower). */
  declare size: number;
  /** The host's width (0 before it is known). */
  declare private _avail: number;
  private ro: ResizeObserver | null = null;
  /** The plot's width and height the canvases were sized for last. */
  private drawnShape = '';

  /** Kept across frames (a WebGPU pipeline is costly to build): dropped when `gpu` or `size` change. */
  private gpuRenderer: HeatmapRenderer | null = null;
  private canvasRenderer: Canvas2DRenderer | null = null;
  private rendererKind: 'gpu' | '2d' | null = null;
  /**
   * The canvas that holds the frame shown. Set when a frame is drawn, not when the page re-renders:
   * while a re-run keeps the last frame on screen (its results no longer on the device), a render
   * must not swap in the other canvas, which holds an older picture or none.
   */
  private shownKind: 'gpu' | '2d' = '2d';
  private drag: { x: number; y: number; x1: number; y1: number } | null = null;
  private hover: CellEventDetail | null = null;
  private hoverRaf = 0;

  constructor() {
    super();
    this.frame = null;
    this.xAxis = null;
    this.yAxis = null;
    this.gpu = null;
    this.overlay = null;
    this.overlayLabel = 'marked';
    this.muted = false;
    this.selected = null;
    this.pinned = [];
    this.legend = [];
    this.lines = [];
    this.summary = '';
    this.cursorText = '';
    this.size = 560;
    this._avail = 0;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.ro = new ResizeObserver((entries) => {
      for (const e of entries) this._avail = Math.floor(e.contentRect.width);
    });
    this.ro.observe(this);
  }

  /** Whether the map is one row (a sweep over one hyperparameter): a strip and a curve. */
  get oneRow(): boolean {
    return isOneRow(this.xAxis?.count ?? null, this.yAxis?.count ?? null, this.frame?.height ?? null);
  }

  /**
   * A random, Sobol or points sweep: one row of runs in no order along any swept axis, drawn as a
   * band of columns over the run index (a square would spend its height on nothing, and a curve
   * would join runs that are not neighbours).
   */
  get listRow(): boolean {
    const f = this.frame;
    return !this.xAxis && f !== null && f.height === 1 && f.width > 1;
  }

  /** Height of the map: the side of the square, a one-row sweep's strip, or a list sweep's band. */
  private get plotHeight(): number {
    return this.oneRow ? STRIP : this.listRow ? LIST_BAND : this.side;
  }

  /** The x axis drawn: the sweep's, or a list sweep's run index. */
  private get shownXAxis(): HeatmapAxis | null {
    const f = this.frame;
    return this.xAxis ?? (f && this.listRow ? { label: 'run', min: 0, max: f.width - 1, scale: 'linear', count: f.width } : null);
  }

  /** A one-row sweep's curve, under the strip (null for a two-dimensional map). */
  private get curveRect(): { top: number; height: number } | null {
    return this.oneRow ? { top: MARGIN.top + STRIP + GAP, height: curveHeight(this.side) } : null;
  }

  /** Where the x axis is drawn: under the map, or under a one-row sweep's curve. */
  private get axisBottom(): number {
    const c = this.curveRect;
    return c ? c.top + c.height : MARGIN.top + this.plotHeight;
  }

  private readonly profile = memoLast(profileOf);

  /** Side of the plot area: `size`, or less to fit the host's width (never below 120 px). */
  get side(): number {
    const a = this._avail;
    return a > 0 ? Math.max(120, Math.min(this.size, a - MARGIN.left - MARGIN.right)) : this.size;
  }

  static override styles = css`
    :host { display: block; font: 12px system-ui, sans-serif; color: #222; }
    .wrap { position: relative; }
    canvas { position: absolute; }
    canvas.plot { image-rendering: pixelated; }
    canvas.plot.hidden { visibility: hidden; }
    :host([muted]) canvas.plot { filter: grayscale(1) opacity(0.35); }
    .legend { display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: center; margin: 6px 0 0 ${MARGIN.left}px; }
    .swatch { display: inline-block; width: 12px; height: 12px; border: 1px solid #999; vertical-align: -2px; margin-right: 4px; }
    .bar { display: inline-block; width: 48px; height: 12px; border: 1px solid #999; vertical-align: -2px; margin: 0 4px; }
    .bar.ticked { position: relative; width: 150px; margin-bottom: 13px; }
    .bar .tick { position: absolute; top: 13px; transform: translateX(-50%); font-size: 10px; line-height: 1; color: #444; white-space: nowrap; }
    .bar .tick::before { content: ''; position: absolute; left: 50%; top: -4px; height: 4px; border-left: 1px solid #666; }
    .note { color: #555; font-style: italic; }
    .ends { white-space: nowrap; }
    .dash { display: inline-block; width: 18px; border-top: 2px dashed; vertical-align: 3px; margin-right: 4px; }
    canvas.overlay:focus { outline: none; }
    canvas.overlay:focus-visible { outline: 2px solid #2f6fdf; outline-offset: 2px; }
    .words { margin: 4px 0 0; color: #444; max-width: 640px; }
    .words.cursor { min-height: 1.3em; }
  `;

  private get plotCanvas(): HTMLCanvasElement | null {
    return this.renderRoot.querySelector('canvas.plot-2d');
  }

  private get gpuCanvas(): HTMLCanvasElement | null {
    return this.renderRoot.querySelector('canvas.plot-gpu');
  }

  private get overlayCanvas(): HTMLCanvasElement | null {
    return this.renderRoot.querySelector('canvas.overlay');
  }

  override render() {
    const s = this.side;
    const ph = this.plotHeight;
    const W = MARGIN.left + s + MARGIN.right;
    const H = this.axisBottom + MARGIN.bottom;
    const useGpu = this.shownKind === 'gpu';
    const dpr = globalThis.devicePixelRatio || 1;
    return html`
      <div class="wrap" style="width:${W}px;height:${H}px" data-shape=${this.oneRow ? 'strip' : this.listRow ? 'band' : 'square'}>
        <canvas class="plot plot-2d ${useGpu ? 'hidden' : ''}" aria-hidden="true" width=${Math.round(s * dpr)} height=${Math.round(ph * dpr)}
          style="left:${MARGIN.left}px;top:${MARGIN.top}px;width:${s}px;height:${ph}px"></canvas>
        <canvas class="plot plot-gpu ${useGpu ? '' : 'hidden'}" aria-hidden="true" width=${Math.round(s * dpr)} height=${Math.round(ph * dpr)}
          style="left:${MARGIN.left}px;top:${MARGIN.top}px;width:${s}px;height:${ph}px"></canvas>
        <canvas class="overlay" width=${Math.round(W * dpr)} height=${Math.round(H * dpr)} style="left:0;top:0;width:${W}px;height:${H}px"
          tabindex="0" role="application" aria-roledescription="heatmap"
          aria-label="Heatmap, one cell per run. Arrow keys move the cursor (Shift: ten cells), Enter selects the run, plus and minus zoom around the cursor, Escape cancels a running sweep, Space plays the selected run."
          aria-describedby="hm-summary hm-cursor"
          @pointermove=${this.onMove} @pointerdown=${this.onDown} @pointerup=${this.onUp} @pointerleave=${this.onLeave} @keydown=${this.onKey}></canvas>
      </div>
      <div class="legend" part="legend" data-testid="legend">${this.legendView()}</div>
      <p class="words" id="hm-summary" aria-live="polite" data-testid="heatmap-summary">${this.summary}</p>
      <p class="words cursor" id="hm-cursor" aria-live="polite" data-testid="heatmap-cursor">${this.cursorText}${this.cursorText ? this.curveText() : ''}</p>
    `;
  }

  /** A one-row sweep's cursor text ends with the value its curve plots there, in the curve's words. */
  private curveText(): string {
    const f = this.frame;
    const cell = this.hover ?? this.selected;
    if (!f || !cell || !this.oneRow) return '';
    const v = this.profile(f).y[cell.i];
    return v === undefined || Number.isNaN(v) ? '' : ` The curve: ${this.profile(f).label} ${formatNumber(v, 4)}.`;
  }

  private wantsGpu(): boolean {
    const f = this.frame;
    if (!this.gpu || !f) return false;
    const r = this.gpu.results();
    return r !== null && r.width === f.width && r.height === f.height && f.runsReady === r.runs;
  }

  /** Whether any cell is marked: once per overlay, not per render (a hover re-renders the legend). */
  private readonly anyMarked = memoLast((overlay: Uint8Array | null) => overlay?.includes(1) ?? false);

  private legendView() {
    const marked = this.anyMarked(this.overlay)
      ? html`<span data-testid="legend-marked"><span class="swatch" style="background:${MARK_COLOUR}"></span>${this.overlayLabel}</span>`
      : nothing;
    const f = this.frame;
    // What the curve's scale hides (view/profile.ts profileNotes: the figure's legend says the same).
    const curveNotes = f && this.oneRow ? profileNotes(this.profile(f)).map((n) => html`<span class="note" data-testid="legend-curve-note">${n}</span>`) : [];
    return [...this.legend.map((it) => {
      if (it.kind === 'swatch') return html`<span><span class="swatch" style="background:${rgbCss(it.colour)}"></span>${it.label}</span>`;
      if (it.kind === 'line') return html`<span><span class="dash" style="border-color:${it.colour};border-top-style:${it.dotted ? 'dotted' : 'dashed'}"></span>${it.label}</span>`;
      if (it.kind === 'note') return html`<span class="note">${it.label}</span>`;
      const stops = it.stops.map((c, k) => `${rgbCss(c)} ${(100 * k) / Math.max(1, it.stops.length - 1)}%`).join(',');
      // With ticks, a wider bar with values under it (a scale of ten decades read from its ends alone could not be read).
      const bar = it.ticks?.length
        ? html`<span class="bar ticked" style="background:linear-gradient(to right,${stops})">${it.ticks.map(
            (t) => html`<span class="tick" style="left:${(100 * t.at).toFixed(1)}%">${t.label}</span>`,
          )}</span>`
        : html`<span class="bar" style="background:linear-gradient(to right,${stops})"></span>`;
      // The bar and its ends stay on one line (a long label wraps before them, not between them).
      // No colon after the label: "test accuracy: 60%" read as a statistic (walkthrough 11).
      return it.from !== undefined && it.to !== undefined
        ? html`<span>${it.label} <span class="ends">${it.from}${bar}${it.to}</span></span>`
        : html`<span>${bar}${it.label}</span>`;
    }), marked, ...curveNotes];
  }

  /**
   * Redraws only what changed: the plot for a new frame (or renderer), the axes and marks for new
   * marks; a re-render of the page that hands over the same objects draws nothing.
   */
  protected override updated(changed: PropertyValues): void {
    // The strip and the square have different canvases: a change of shape redraws as a resize does.
    const shape = `${this.side} ${this.plotHeight}`;
    const resized = shape !== this.drawnShape;
    this.drawnShape = shape;
    if (changed.has('gpu') || resized) this.dropRenderers();
    if (this.hover && (changed.has('xAxis') || changed.has('yAxis'))) this.carryHover(changed);
    const plot = changed.has('frame') || changed.has('gpu') || resized;
    if (plot && this.frame) this.drawPlot(this.frame);
    if (plot || changed.has('overlay') || changed.has('selected') || changed.has('pinned') || changed.has('xAxis') || changed.has('yAxis') || changed.has('lines')) this.drawOverlay();
  }

  /**
   * New axes (a zoom, another sweep): the hovered cell, the keyboard's cursor or the pointer's, moves
   * to the same point of the parameter plane, or goes when the new map does not hold it; the page
   * hears of it as of a hover. (For the pointer, its next move sets the cell under it again.)
   */
  private carryHover(changed: PropertyValues): void {
    const was = (k: 'xAxis' | 'yAxis'): HeatmapAxis | null => (changed.has(k) ? ((changed.get(k) as HeatmapAxis | null | undefined) ?? null) : this[k]);
    const cell = this.hover && carryCursor(this.hover, { x: was('xAxis'), y: was('yAxis') }, { x: this.xAxis, y: this.yAxis });
    this.hover = cell;
    this.dispatchEvent(new CustomEvent<CellEventDetail | null>('cell-hover', { detail: cell, bubbles: true, composed: true }));
  }

  private drawPlot(f: AnyFrame): void {
    const gpu = this.gpu;
    // Network maps are painted from their columns (the GPU renderer reads surface records only).
    if (!('kind' in f) && this.wantsGpu() && gpu && this.gpuCanvas) {
      this.gpuRenderer ??= gpu.renderer(this.gpuCanvas);
      this.gpuRenderer.draw(f);
      this.rendererKind = 'gpu';
      this.show('gpu');
    } else if (this.plotCanvas) {
      this.canvasRenderer ??= new Canvas2DRenderer(this.plotCanvas);
      this.canvasRenderer.draw(f);
      this.rendererKind = '2d';
      this.show('2d');
    }
  }

  /** Shows the canvas a frame was just drawn on (now: the page need not render again for it). */
  private show(kind: 'gpu' | '2d'): void {
    this.shownKind = kind;
    this.plotCanvas?.classList.toggle('hidden', kind !== '2d');
    this.gpuCanvas?.classList.toggle('hidden', kind !== 'gpu');
  }

  private dropRenderers(): void {
    this.gpuRenderer?.destroy();
    this.canvasRenderer?.destroy();
    this.gpuRenderer = null;
    this.canvasRenderer = null;
    this.rendererKind = null;
  }

  /** Gives the keyboard focus to the plot (the skip link's target). */
  focusPlot(): void {
    this.overlayCanvas?.focus();
  }

  /** Which renderer drew the last frame (for tests and the status line). */
  get activeRenderer(): 'gpu' | '2d' | null {
    return this.rendererKind;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.ro?.disconnect();
    this.ro = null;
    this.dropRenderers();
  }

  // ---- coordinates

  private cellAt(ev: PointerEvent): { fx: number; fy: number; inside: boolean } {
    const f = this.frame;
    const rect = (ev.currentTarget as HTMLElement).getBoundingClientRect();
    const px = ev.clientX - rect.left - MARGIN.left;
    const py = ev.clientY - rect.top - MARGIN.top;
    const w = f?.width ?? 1;
    const h = f?.height ?? 1;
    const side = this.side;
    const fx = (px / side) * w;
    // A one-row sweep: the strip and the curve under it both pick a cell by x alone.
    const c = this.curveRect;
    if (c) return { fx, fy: 0.5, inside: px >= 0 && py >= 0 && px < side && py < c.top + c.height - MARGIN.top };
    const ph = this.plotHeight;
    const fy = h - (py / ph) * h;
    return { fx, fy, inside: px >= 0 && py >= 0 && px < side && py < ph };
  }

  private onMove = (ev: PointerEvent): void => {
    const c = this.cellAt(ev);
    if (this.drag) {
      this.drag.x1 = c.fx;
      this.drag.y1 = c.fy;
      this.drawOverlay();
      return;
    }
    const f = this.frame;
    const cell = c.inside && f ? { i: Math.floor(c.fx), j: Math.floor(c.fy) } : null;
    if (cell?.i === this.hover?.i && cell?.j === this.hover?.j) return;
    this.hover = cell;
    // One event and one overlay redraw per frame, however fast the pointer moves.
    if (!this.hoverRaf) {
      this.hoverRaf = requestAnimationFrame(() => {
        this.hoverRaf = 0;
        this.drawOverlay();
        this.dispatchEvent(new CustomEvent<CellEventDetail | null>('cell-hover', { detail: this.hover, bubbles: true, composed: true }));
      });
    }
  };

  private onDown = (ev: PointerEvent): void => {
    const c = this.cellAt(ev);
    if (!c.inside) return;
    (ev.currentTarget as HTMLElement).setPointerCapture(ev.pointerId);
    this.drag = { x: c.fx, y: c.fy, x1: c.fx, y1: c.fy };
  };

  private onUp = (ev: PointerEvent): void => {
    const d = this.drag;
    this.drag = null;
    const f = this.frame;
    if (!d || !f) return;
    const r = releaseOf(d, { width: f.width, height: f.height, pxPerCellX: this.side / f.width, pxPerCellY: this.plotHeight / f.height, oneRow: this.oneRow, listRow: this.listRow });
    if (r.kind === 'click') this.dispatchEvent(new CustomEvent<CellEventDetail>('cell-click', { detail: r.cell, bubbles: true, composed: true }));
    else if (r.kind === 'zoom') this.dispatchEvent(new CustomEvent<ZoomDetail>('zoom', { detail: r.zoom, bubbles: true, composed: true }));
    this.drawOverlay();
    void ev;
  };

  /** The keyboard: a cursor (shown like the hovered cell, and reported as the hover), select, zoom. */
  private onKey = (ev: KeyboardEvent): void => {
    const f = this.frame;
    if (!f || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const a = heatmapKey(ev.key, ev.shiftKey, this.hover ?? this.selected, f.width, f.height);
    if (!a) return;
    ev.preventDefault();
    if (a.kind === 'move') {
      this.hover = a.cell;
      this.drawOverlay();
      this.dispatchEvent(new CustomEvent<CellEventDetail | null>('cell-hover', { detail: a.cell, bubbles: true, composed: true }));
    } else if (a.kind === 'select') {
      this.hover = a.cell;
      this.dispatchEvent(new CustomEvent<CellEventDetail>('cell-click', { detail: a.cell, bubbles: true, composed: true }));
    } else {
      this.dispatchEvent(new CustomEvent<ZoomAroundDetail>('zoom-around', { detail: { cell: a.cell, factor: a.factor }, bubbles: true, composed: true }));
    }
  };

  private onLeave = (): void => {
    if (this.drag) return;
    this.hover = null;
    this.drawOverlay();
    this.dispatchEvent(new CustomEvent('cell-hover', { detail: null, bubbles: true, composed: true }));
  };

  // ---- axes, marks and the drag rectangle

  private drawOverlay(): void {
    const cv = this.overlayCanvas;
    const ctx = cv?.getContext('2d');
    if (!cv || !ctx) return;
    const dpr = globalThis.devicePixelRatio || 1;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cv.width, cv.height);
    const s = this.side;
    const ph = this.plotHeight;
    const f = this.frame;
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillStyle = INK;
    ctx.strokeStyle = AXIS_INK;
    ctx.strokeRect(MARGIN.left - 0.5, MARGIN.top - 0.5, s + 1, ph + 1);
    this.drawAxis(ctx, this.shownXAxis, 'x');
    if (!this.oneRow) this.drawAxis(ctx, this.yAxis, 'y');
    if (!f) return;
    const cw = s / f.width;
    const ch = ph / f.height;
    const toX = (fx: number): number => MARGIN.left + fx * cw;
    const toY = (fy: number): number => MARGIN.top + ph - fy * ch;
    if (this.oneRow) this.drawProfile(ctx, this.profile(f));
    const ov = this.overlay;
    if (ov) {
      ctx.fillStyle = MARK_COLOUR;
      const mark = Math.max(1, Math.min(cw, ch));
      for (let run = 0; run < ov.length; run++) {
        if (!ov[run]) continue;
        const { i, j } = cellOfRun(f, run);
        ctx.fillRect(toX(i), toY(j + 1), Math.max(mark, cw), Math.max(mark, ch));
      }
    }
    this.drawLines(ctx);
    const box = (c: CellEventDetail, colour: string, halo: boolean, width = 2): void => {
      const rect = [toX(c.i) - 1, toY(c.j + 1) - 1, Math.max(cw, 2) + 2, Math.max(ch, 2) + 2] as const;
      if (halo) {
        // A box's ink can be the map's own (orange on the fractal colouring's red-orange, the
        // selected run's near-black on viridis's dark end): a white rim keeps it visible on any cell.
        ctx.strokeStyle = '#fff';
        ctx.lineWidth = 4;
        ctx.strokeRect(...rect);
      }
      ctx.strokeStyle = colour;
      ctx.lineWidth = width;
      ctx.strokeRect(...rect);
      ctx.lineWidth = 1;
    };
    for (const p of this.pinned) box(p, p.colour, true);
    // The selected run's box in its ink elsewhere (the path, the curves): one run, one ink.
    if (this.selected) box(this.selected, SELECTED_INK, true);
    // The hovered cell: thinner and without a rim, so it does not read as the selection.
    if (this.hover) box(this.hover, '#000', false, 1);
    const d = this.drag;
    // A list sweep offers no zoom: no rectangle to promise one.
    if (d && !this.listRow) {
      ctx.strokeStyle = '#000';
      ctx.setLineDash([4, 3]);
      const x0 = toX(Math.min(d.x, d.x1));
      // A one-row sweep zooms along x: its rectangle spans the strip and the curve.
      if (this.oneRow) ctx.strokeRect(x0, MARGIN.top, Math.abs(d.x1 - d.x) * cw, this.axisBottom - MARGIN.top);
      else ctx.strokeRect(x0, toY(Math.max(d.y, d.y1)), Math.abs(d.x1 - d.x) * cw, Math.abs(d.y1 - d.y) * ch);
      ctx.setLineDash([]);
    }
  }

  /** Where a value lies along an axis, as a fraction of the plot (cell centres at (k + 0.5) / count). */
  private axisFrac(axis: HeatmapAxis, v: number): number {
    const { min, max, scale, count } = axis;
    if (count <= 1 || max === min) return 0.5;
    const u = scalePosition(v, min, max, scale === 'log');
    return (u * (count - 1) + 0.5) / count;
  }

  /** The theory lines, dashed or dotted over a light halo, clipped to the plot. */
  private drawLines(ctx: CanvasRenderingContext2D): void {
    const xa = this.xAxis;
    const ya = this.yAxis;
    if (!xa || this.lines.length === 0) return;
    const s = this.side;
    // A one-row sweep has no y: a line at one x (a limit on the swept LR) crosses the strip and the
    // curve; a line along a y it does not have is not drawn.
    const oneRow = this.oneRow;
    if (!oneRow && !ya) return;
    const bottom = this.axisBottom;
    ctx.save();
    ctx.beginPath();
    ctx.rect(MARGIN.left, MARGIN.top, s, oneRow ? bottom - MARGIN.top : s);
    ctx.clip();
    // A one-row sweep's lines are named where they cross the curve (two vertical lines in one ink
    // read alike); a map's lines are told apart by their dashes and the legend.
    const names: { x: number; text: string }[] = [];
    for (const l of this.lines) {
      ctx.beginPath();
      if (oneRow) {
        const x0 = l.x[0];
        if (x0 === undefined || l.x.some((v) => v !== x0)) continue;
        const px = MARGIN.left + this.axisFrac(xa, x0) * s;
        ctx.moveTo(px, MARGIN.top);
        ctx.lineTo(px, bottom);
        names.push({ x: px, text: l.name ?? l.label });
      } else if (ya) {
        l.x.forEach((xv, k) => {
          const px = MARGIN.left + this.axisFrac(xa, xv) * s;
          const py = MARGIN.top + s - this.axisFrac(ya, l.y[k] as number) * s;
          if (k === 0) ctx.moveTo(px, py);
          else ctx.lineTo(px, py);
        });
      }
      ctx.setLineDash([]);
      ctx.strokeStyle = 'rgba(255, 255, 255, 0.8)';
      ctx.lineWidth = 4;
      ctx.stroke();
      ctx.setLineDash(l.dotted ? [2, 3] : [6, 3]);
      ctx.strokeStyle = l.colour;
      ctx.lineWidth = 2;
      ctx.stroke();
    }
    ctx.setLineDash([]);
    const curve = this.curveRect;
    names.forEach((n, k) => {
      if (!curve) return;
      // Staggered down the curve's top, on the side of the line with room.
      const y = curve.top + 34 + 16 * k;
      const w = ctx.measureText(n.text).width;
      const right = n.x + 6 + w < MARGIN.left + s;
      const x = right ? n.x + 6 : n.x - 6 - w;
      ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
      ctx.fillRect(x - 2, y - 8, w + 4, 16);
      ctx.fillStyle = INK;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'middle';
      ctx.fillText(n.text, x, y);
    });
    ctx.restore();
    ctx.setLineDash([]);
    ctx.lineWidth = 1;
  }

  /**
   * A one-row sweep's curve under its strip: each ready run's value at its cell's centre, in its
   * cell's colour, joined where neighbours both have one; a diverged run is a mark at the top in
   * its cell's colour. The hovered and selected cells are marked as on the strip.
   */
  private drawProfile(ctx: CanvasRenderingContext2D, p: Profile): void {
    const c = this.curveRect;
    const f = this.frame;
    if (!c || !f) return;
    const s = this.side;
    const left = MARGIN.left;
    ctx.strokeStyle = AXIS_INK;
    ctx.strokeRect(left - 0.5, c.top - 0.5, s + 1, c.height + 1);
    const cw = s / f.width;
    const xOf = (i: number): number => left + (i + 0.5) * cw;
    const mark = (cell: CellEventDetail | null, colour: string): void => {
      if (!cell) return;
      ctx.strokeStyle = colour;
      ctx.beginPath();
      ctx.moveTo(xOf(cell.i) + 0.5, c.top);
      ctx.lineTo(xOf(cell.i) + 0.5, c.top + c.height);
      ctx.stroke();
    };
    mark(this.hover, 'rgba(0, 0, 0, 0.35)');
    mark(this.selected, SELECTED_INK);
    const title = (base: string): void => drawYTitle(ctx, `${p.label}${p.scale === 'log' ? ' (log)' : ''}${base ? `, offset from ${base}` : ''}`, c.top + c.height / 2);
    if (Number.isNaN(p.min)) {
      title('');
      ctx.fillStyle = '#555';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText(f.runsReady < f.width ? 'The curve fills in as runs finish.' : `No run has a value of ${p.label}.`, left + s / 2, c.top + c.height / 2);
      return;
    }
    // Room at the top for the diverged runs' marks.
    const top = c.top + 12;
    const h = c.height - 18;
    const { lo, hi } = profileDomain(p);
    const t = (v: number): number => scalePosition(v, lo, hi, p.scale === 'log');
    const yOf = (v: number): number => top + h - t(v) * h;
    // Labels wider than the margin are offsets from a base named in the title, as the map's axes' are.
    const { ticks, base } = fitTicks(ctx, lo, hi, p.scale, Math.max(2, Math.floor(h / 28)), () => Y_LABEL_ROOM);
    title(base);
    drawYTicks(ctx, ticks, yOf, top, top + h);
    ctx.strokeStyle = '#9a9a9a';
    ctx.lineWidth = 1;
    ctx.beginPath();
    let on = false;
    for (let i = 0; i < f.width; i++) {
      const v = p.y[i] as number;
      if (Number.isNaN(v)) {
        on = false;
        continue;
      }
      if (on) ctx.lineTo(xOf(i), yOf(v));
      else ctx.moveTo(xOf(i), yOf(v));
      on = true;
    }
    ctx.stroke();
    const r = Math.max(1.5, Math.min(3.5, cw / 2));
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.55)';
    for (let i = 0; i < f.width; i++) {
      const v = p.y[i] as number;
      if (p.diverged[i]) {
        // A small triangle pointing up, off the scale.
        const x = xOf(i);
        ctx.fillStyle = rgbCss(p.colour[i] ?? [0, 0, 0]);
        ctx.beginPath();
        ctx.moveTo(x, c.top + 2);
        ctx.lineTo(x - 4, c.top + 9);
        ctx.lineTo(x + 4, c.top + 9);
        ctx.closePath();
        ctx.fill();
        continue;
      }
      if (Number.isNaN(v)) continue;
      ctx.fillStyle = rgbCss(p.colour[i] ?? [0, 0, 0]);
      ctx.beginPath();
      ctx.arc(xOf(i), yOf(v), r, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
  }

  private drawAxis(ctx: CanvasRenderingContext2D, axis: HeatmapAxis | null, which: 'x' | 'y'): void {
    const s = this.side;
    if (!axis) return;
    const { min, max, scale } = axis;
    if (axis.cells && axis.cells.length === axis.count && axis.count > 0) {
      this.drawCellAxis(ctx, axis, axis.cells, which);
      return;
    }
    const frac = (v: number): number => this.axisFrac(axis, v);
    const n = which === 'x' ? 7 : 8;
    // Room for a label: the margin left of the map, or an x tick's share of the width.
    const room = (ts: readonly Tick[]): number => (which === 'y' ? Y_LABEL_ROOM : s / Math.max(1, ts.length) - 8);
    let { ticks, base } = fitTicks(ctx, min, max, scale, n, room);
    // Offsets still too wide across the map: fewer.
    const w = labelWidth(ctx, ticks);
    if (base && which === 'x' && w > room(ticks)) ticks = offsetTicks(min, max, Math.max(2, Math.floor(s / (w + 8)))).ticks;
    const title = `${axis.label}${scale === 'log' ? ' (log)' : ''}${base ? `, offset from ${base}` : ''}`;
    if (which === 'y') {
      // Ticks whose fraction lies in [0, 1] (drawYTicks keeps half a pixel either side).
      drawYTicks(ctx, ticks, (v) => MARGIN.top + s - frac(v) * s, MARGIN.top + 0.5, MARGIN.top + s - 0.5);
      drawYTitle(ctx, title, MARGIN.top + s / 2);
      return;
    }
    // Ticks whose fraction lies in [0, 1].
    this.drawXAxisTicks(
      ctx,
      ticks.filter((t) => frac(t.value) >= 0 && frac(t.value) <= 1),
      (v) => MARGIN.left + frac(v) * s,
      title,
    );
  }

  /** An x axis's ticks (at `pos` of their values) and its title, under the plot. */
  private drawXAxisTicks(ctx: CanvasRenderingContext2D, ticks: readonly Tick[], pos: (v: number) => number, title: string): void {
    const bottom = this.axisBottom;
    ctx.fillStyle = INK;
    ctx.strokeStyle = AXIS_INK;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const t of ticks) {
      const x = pos(t.value);
      ctx.beginPath();
      ctx.moveTo(x, bottom);
      ctx.lineTo(x, bottom + 5);
      ctx.stroke();
      ctx.fillText(t.label, x, bottom + 7);
    }
    ctx.textBaseline = 'bottom';
    ctx.fillText(title, MARGIN.left + this.side / 2, bottom + MARGIN.bottom - 2);
  }

  /**
   * An integer axis: a tick at the centre of each cell whose value differs from the one before (a
   * swept batch size rounds, so neighbouring cells can share one), leaving out any closer to the last
   * one kept than a label needs.
   */
  private drawCellAxis(ctx: CanvasRenderingContext2D, axis: HeatmapAxis, cells: readonly number[], which: 'x' | 'y'): void {
    const s = this.side;
    const n = cells.length;
    const at = (k: number): number => ((k + 0.5) / n) * s;
    let ticks: Tick[] = [];
    cells.forEach((v, k) => {
      if (k === 0 || v !== cells[k - 1]) ticks.push({ value: k, label: formatNumber(v) });
    });
    const widest = labelWidth(ctx, ticks);
    const room = which === 'x' ? widest + 8 : 16;
    // Thinned by distance: distinct values crowd where a log axis rounds them apart (batch sizes).
    let last = Number.NEGATIVE_INFINITY;
    ticks = ticks.filter((t) => {
      if (at(t.value) - last < room) return false;
      last = at(t.value);
      return true;
    });
    const title = axis.label;
    if (which === 'y') {
      drawYTicks(ctx, ticks, (k) => MARGIN.top + s - at(k), MARGIN.top + 0.5, MARGIN.top + s - 0.5);
      drawYTitle(ctx, title, MARGIN.top + s / 2);
      return;
    }
    this.drawXAxisTicks(ctx, ticks, (k) => MARGIN.left + at(k), title);
  }
}

customElements.define('bl-heatmap', BlHeatmap);

declare global {
  interface HTMLElementTagNameMap {
    'bl-heatmap': BlHeatmap;
  }
}
