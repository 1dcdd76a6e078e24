/**
 * `<bl-line-chart>`: series over an index (the step) on a canvas, render-only.
 *
 * Two stacked canvases: the base (axes, series, legend) is redrawn only when data, labels or size
 * change; the top one holds the marker, so moving the hovered step over a 10⁶-point series costs a
 * few dozen canvas calls instead of a pass over the data.
 *
 * Its canvas helpers (sizing, axes) are canvas-axes.ts, shared with the other plots.
 */
import { LitElement, html, type PropertyValues } from 'lit';
import { formatNumber } from '../../view/ticks.ts';
import {
  AXIS_INK,
  FONT,
  chartDomain,
  INK,
  drawFrame,
  drawGrid,
  drawXAxis,
  drawYAxis,
  fitXTicks,
  labelWidth,
  observeWidth,
  prepareCanvas,
  stackedCanvasStyles,
  yTicks,
  type Rect,
} from './canvas-axes.ts';
import { scalePosition } from '../../core/plan.ts';

// ---------------------------------------------------------------------------------------------
// <bl-line-chart>

export interface LineSeries {
  readonly label: string;
  readonly values: ArrayLike<number>;
  /** Any CSS colour. */
  readonly colour: string;
  readonly axis?: 'left' | 'right';
  /** Drawn dashed (e.g. a test curve beside its train curve of the same colour). */
  readonly dashed?: boolean;
}

interface Scale {
  readonly lo: number;
  readonly hi: number;
  readonly log: boolean;
}

interface Layout {
  readonly width: number;
  readonly height: number;
  readonly rect: Rect;
  /** Points on the x axis: the longest series' length. */
  readonly n: number;
  readonly left: Scale | null;
  readonly right: Scale | null;
}

const LEGEND_ROW = 16;

/** The legend's items laid out in rows across `width`, and the top margin they take. */
function legendLayout(series: readonly LineSeries[], width: number, ctx: CanvasRenderingContext2D): { rows: { s: LineSeries; x: number; row: number }[]; top: number } {
  const items = series.filter((s) => s.label);
  const rows: { s: LineSeries; x: number; row: number }[] = [];
  let x = 0;
  let row = 0;
  for (const s of items) {
    const w = 22 + ctx.measureText(s.label).width + 12;
    if (x > 0 && x + w > width) {
      row++;
      x = 0;
    }
    rows.push({ s, x, row });
    x += w;
  }
  return { rows, top: (items.length ? (row + 1) * LEGEND_ROW : 0) + 8 };
}

let measuring: CanvasRenderingContext2D | null | undefined;
/** A canvas context to measure legend text with before the chart's own canvas is drawn. */
function measuringContext(): CanvasRenderingContext2D | null {
  if (measuring === undefined) measuring = typeof document === 'undefined' ? null : document.createElement('canvas').getContext('2d');
  return measuring;
}
/** The least share of its height (less a legend row and the axes) a chart's plot keeps however long its legend. */
const MIN_PLOT_SHARE = 0.75;

function isRight(s: LineSeries): boolean {
  return s.axis === 'right';
}

/** Finite extent of the series on one axis; log axes ignore values <= 0 (drawn as gaps). */
function extent(series: readonly LineSeries[], log: boolean): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    const v = s.values;
    for (let i = 0, n = v.length; i < n; i++) {
      const x = v[i] as number;
      if (!Number.isFinite(x) || (log && x <= 0)) continue;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  }
  return lo <= hi ? [lo, hi] : null;
}

function toUnit(s: Scale, v: number): number {
  return scalePosition(v, s.lo, s.hi, s.log);
}

export class BlLineChart extends LitElement {
  static override properties = {
    series: { attribute: false },
    xLabel: { attribute: 'x-label' },
    yLabel: { attribute: 'y-label' },
    yLabelRight: { attribute: 'y-label-right' },
    logY: { type: Boolean, attribute: 'log-y' },
    marker: { type: Number },
    label: {},
    height: { type: Number },
    _width: { state: true },
    _legendGrowth: { state: true },
  };

  static override styles = stackedCanvasStyles;

  declare series: readonly LineSeries[];
  declare xLabel: string;
  declare yLabel: string;
  declare yLabelRight: string;
  /** Logarithmic left axis; values <= 0 on it are gaps. */
  declare logY: boolean;
  /** x index of a vertical marker line (e.g. the hovered step); undefined for none. */
  declare marker: number | undefined;
  /** The chart in words (its text alternative); by default what it plots and its series. */
  declare label: string;
  /** CSS pixels: the chart's height with a legend of a row or two; more rows make it taller. */
  declare height: number;
  declare protected _width: number;
  /**
   * Pixels added to `height` so that a legend of many rows (a run panel with pinned runs: a curve
   * per run and group) leaves the plot at least MIN_PLOT_SHARE of its own height, instead of
   * squeezing it to a sliver.
   */
  declare protected _legendGrowth: number;

  private ro: ResizeObserver | null = null;
  private layout: Layout | null = null;

  constructor() {
    super();
    this.series = [];
    this.xLabel = '';
    this.yLabel = '';
    this.yLabelRight = '';
    this.logY = false;
    this.marker = undefined;
    this.label = '';
    this.height = 160;
    this._width = 0;
    this._legendGrowth = 0;
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

  /** What the chart shows, in words: "loss per step: loss (500 points)". */
  private describe(): string {
    const what = [this.yLabel, this.yLabelRight].filter(Boolean).join(' and ') || 'values';
    const series = this.series.map((s) => `${s.label || 'series'} (${s.values.length} points)`).join('; ');
    return `Line chart of ${what} per ${this.xLabel || 'index'}${series ? `: ${series}` : ': no data'}`;
  }

  protected override render(): unknown {
    return html`<div class="wrap" role="img" aria-label=${this.label || this.describe()} style="height: ${this.height + this._legendGrowth}px">
      <canvas class="base" aria-hidden="true"></canvas><canvas class="top" aria-hidden="true"></canvas>
    </div>`;
  }

  /** Room under the plot: the x ticks, and the x label when there is one. */
  private bottomMargin(): number {
    return 20 + (this.xLabel ? 16 : 0);
  }

  /**
   * Before rendering: a legend that would squeeze the plot below MIN_PLOT_SHARE of its height grows
   * the chart instead, and so does a y label longer than the plot is tall (walkthrough 6 read
   * "…ss above the best minim…" beside a 90 px plot). Measured here, so the height is set in the
   * same update that draws it.
   */
  protected override willUpdate(changed: PropertyValues): void {
    if (!['series', 'xLabel', 'yLabel', 'yLabelRight', 'height', '_width'].some((k) => changed.has(k))) return;
    const ctx = measuringContext();
    if (!ctx || !(this._width > 0)) return;
    ctx.font = FONT;
    const { top } = legendLayout(this.series, this._width, ctx);
    const bottom = this.bottomMargin();
    const forLegend = top + bottom + MIN_PLOT_SHARE * (this.height - bottom - 8 - LEGEND_ROW) - this.height;
    const label = Math.max(...[this.yLabel, this.yLabelRight].map((t) => (t ? ctx.measureText(t).width + 8 : 0)));
    const forLabel = top + bottom + label - this.height;
    this._legendGrowth = Math.max(0, Math.ceil(Math.max(forLegend, forLabel)));
  }

  protected override updated(changed: PropertyValues): void {
    const base = ['series', 'xLabel', 'yLabel', 'yLabelRight', 'logY', 'height', '_width', '_legendGrowth'].some((k) => changed.has(k));
    if (base) this.drawBase();
    if (base || changed.has('marker')) this.drawTop();
  }

  private canvas(cls: string): HTMLCanvasElement | null {
    return this.renderRoot.querySelector<HTMLCanvasElement>(`canvas.${cls}`);
  }

  private drawBase(): void {
    const canvas = this.canvas('base');
    const width = this._width;
    const height = this.height + this._legendGrowth;
    this.layout = null;
    if (!canvas || !(width > 0) || !(height > 0)) return;
    const ctx = prepareCanvas(canvas, width, height);
    if (!ctx) return;

    const series = this.series;
    const leftSeries = series.filter((s) => !isRight(s));
    const rightSeries = series.filter(isRight);
    const n = series.reduce((m, s) => Math.max(m, s.values.length), 0);
    const le = extent(leftSeries, this.logY);
    const re = extent(rightSeries, false);

    // Legend rows first: they set the top margin.
    ctx.font = FONT;
    const { rows, top } = legendLayout(series, width, ctx);

    // Y ticks come before the plot rectangle: their label widths set the side margins.
    const bottom = this.bottomMargin();
    const plotH = Math.max(10, height - top - bottom);
    const leftScale: Scale | null = le ? this.scaleFor(le, this.logY, plotH) : null;
    const rightScale: Scale | null = re ? this.scaleFor(re, false, plotH) : null;
    const lt = leftScale ? yTicks(leftScale.lo, leftScale.hi, leftScale.log ? 'log' : 'linear', plotH) : [];
    const rt = rightScale ? yTicks(rightScale.lo, rightScale.hi, 'linear', plotH) : [];
    const lw = labelWidth(ctx, lt);
    const rw = labelWidth(ctx, rt);
    const left = Math.ceil(lw + 10 + (this.yLabel ? 18 : 0)) + 2;
    const right = rightScale ? Math.ceil(rw + 10 + (this.yLabelRight ? 18 : 0)) + 2 : 12;
    const rect: Rect = { left, top, width: Math.max(10, width - left - right), height: plotH };
    this.layout = { width, height, rect, n, left: leftScale, right: rightScale };

    const xTo = (i: number): number => rect.left + (n > 1 ? (i / (n - 1)) * rect.width : rect.width / 2);
    const yTo = (s: Scale) => (v: number): number => rect.top + rect.height * (1 - toUnit(s, v));
    // Fractional steps are meaningless on an index axis.
    const xt = n > 0 ? fitXTicks(ctx, 0, Math.max(0, n - 1), 'linear', rect.width).filter((t) => Number.isInteger(t.value)) : [];

    drawGrid(ctx, rect, xt.map((t) => xTo(t.value)), leftScale ? lt.map((t) => yTo(leftScale)(t.value)) : []);

    // The frame under the series, and the series clipped a line width outside it: a series that sits
    // at its own maximum or minimum lies on the frame's edge, and drawn under the frame (or clipped
    // at it) it vanished there (walkthrough 12: WSD's plateau, 350 steps at the top, read as no LR).
    drawFrame(ctx, rect);
    ctx.save();
    ctx.beginPath();
    ctx.rect(rect.left - 2, rect.top - 2, rect.width + 4, rect.height + 4);
    ctx.clip();
    for (const s of series) {
      const sc = isRight(s) ? rightScale : leftScale;
      if (sc) this.drawSeries(ctx, s, sc, rect, n);
    }
    ctx.restore();

    drawXAxis(ctx, rect, xt, xTo, this.xLabel);
    if (leftScale) drawYAxis(ctx, rect, lt, yTo(leftScale), 'left', this.yLabel, lw + 16);
    if (rightScale) drawYAxis(ctx, rect, rt, yTo(rightScale), 'right', this.yLabelRight, rw + 16);
    if (!leftScale && !rightScale) {
      ctx.fillStyle = AXIS_INK;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText('no data', rect.left + rect.width / 2, rect.top + rect.height / 2);
    }

    // Legend
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    for (const { s, x: lx, row: r } of rows) {
      const cy = 4 + r * LEGEND_ROW + LEGEND_ROW / 2;
      ctx.strokeStyle = s.colour;
      ctx.lineWidth = 2;
      ctx.setLineDash(s.dashed ? [4, 3] : []);
      ctx.beginPath();
      ctx.moveTo(lx + 4, cy);
      ctx.lineTo(lx + 18, cy);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = INK;
      ctx.fillText(isRight(s) && leftSeries.length > 0 ? `${s.label} (right)` : s.label, lx + 22, cy);
    }
  }

  private scaleFor(e: [number, number], log: boolean, px: number): Scale {
    const [lo, hi] = chartDomain(e[0], e[1], log ? 'log' : 'linear', px);
    return { lo, hi, log };
  }

  /**
   * Decimates to half-pixel columns: each column draws first → min → max → last of the points it
   * holds, so a one-step spike among 10⁶ points still reaches its true height. Non-finite values
   * (and values <= 0 on a log axis) break the line.
   */
  private drawSeries(ctx: CanvasRenderingContext2D, s: LineSeries, sc: Scale, rect: Rect, n: number): void {
    const v = s.values;
    const len = v.length;
    const cols = rect.width * 2;
    const kx = n > 1 ? cols / (n - 1) : 0;
    const py = (x: number): number => rect.top + rect.height * (1 - toUnit(sc, x));
    ctx.strokeStyle = s.colour;
    ctx.fillStyle = s.colour;
    ctx.lineWidth = 1.5;
    ctx.lineJoin = 'round';
    ctx.setLineDash(s.dashed ? [5, 4] : []);
    ctx.beginPath();
    let col = -1;
    let have = false;
    let first = 0;
    let min = 0;
    let max = 0;
    let last = 0;
    let penDown = false;
    // A run of one column would be a zero-length path, which canvas does not paint: dot it instead.
    let runCols = 0;
    let runX = 0;
    let runY = 0;
    const dots: number[] = [];
    const flush = (): void => {
      if (!have) return;
      const x = rect.left + (n > 1 ? (col + 0.5) / 2 : rect.width / 2);
      const y0 = py(first);
      if (penDown) ctx.lineTo(x, y0);
      else {
        ctx.moveTo(x, y0);
        runCols = 0;
      }
      if (min !== first) ctx.lineTo(x, py(min));
      if (max !== min) ctx.lineTo(x, py(max));
      if (last !== max) ctx.lineTo(x, py(last));
      if (runCols === 0) {
        runX = x;
        runY = y0;
      }
      runCols += first === min && min === max ? 1 : 2;
      penDown = true;
      have = false;
    };
    const breakLine = (): void => {
      flush();
      if (penDown && runCols === 1) dots.push(runX, runY);
      penDown = false;
    };
    for (let i = 0; i < len; i++) {
      const y = v[i] as number;
      if (!Number.isFinite(y) || (sc.log && y <= 0)) {
        breakLine();
        continue;
      }
      const c = Math.min(cols - 1, Math.floor(i * kx));
      if (c !== col || !have) {
        flush();
        col = c;
        have = true;
        first = min = max = last = y;
      } else {
        if (y < min) min = y;
        if (y > max) max = y;
        last = y;
      }
    }
    breakLine();
    ctx.stroke();
    ctx.setLineDash([]);
    for (let k = 0; k < dots.length; k += 2) {
      ctx.beginPath();
      ctx.arc(dots[k] as number, dots[k + 1] as number, 1.5, 0, 2 * Math.PI);
      ctx.fill();
    }
  }

  private drawTop(): void {
    const canvas = this.canvas('top');
    const L = this.layout;
    if (!canvas || !L) return;
    const ctx = prepareCanvas(canvas, L.width, L.height);
    if (!ctx) return;
    const m = this.marker;
    if (m === undefined || !Number.isFinite(m) || L.n === 0 || m < 0 || m > L.n - 1) return;
    const { rect, n } = L;
    const x = rect.left + (n > 1 ? (m / (n - 1)) * rect.width : rect.width / 2);
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.45)';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(Math.round(x) + 0.5, rect.top);
    ctx.lineTo(Math.round(x) + 0.5, rect.top + rect.height);
    ctx.stroke();

    const i = Math.round(m);
    const head = `${this.xLabel || 'x'} ${i}`;
    // Each labelled series' value beside a short stroke in its colour and dash: the legend above
    // names the strokes, so the box stays narrow (with the labels, six race lanes' box covered
    // most of the plot in walkthrough 6).
    const rows: { value: string; s: LineSeries }[] = [];
    for (const s of this.series) {
      const sc = isRight(s) ? L.right : L.left;
      const y = s.values[i];
      if (y === undefined) continue;
      if (s.label) rows.push({ value: formatNumber(y), s });
      if (!sc || !Number.isFinite(y) || (sc.log && y <= 0)) continue;
      const py = rect.top + rect.height * (1 - toUnit(sc, y));
      ctx.fillStyle = s.colour;
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.arc(x, py, 3.5, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }

    // Read-out box beside the line, flipped to the left near the right edge.
    const pad = 4;
    const lh = 15;
    const key = 16;
    const w = Math.max(ctx.measureText(head).width, ...rows.map((r) => key + ctx.measureText(r.value).width)) + 2 * pad;
    const h = (rows.length + 1) * lh + 2 * pad - 3;
    const bx = x + 8 + w <= rect.left + rect.width ? x + 8 : Math.max(rect.left, x - 8 - w);
    const by = rect.top + 4;
    ctx.fillStyle = 'rgba(255, 255, 255, 0.9)';
    ctx.strokeStyle = '#c8c8c8';
    ctx.lineWidth = 1;
    ctx.fillRect(bx, by, w, h);
    ctx.strokeRect(Math.round(bx) + 0.5, Math.round(by) + 0.5, Math.round(w), Math.round(h));
    ctx.fillStyle = INK;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillText(head, bx + pad, by + pad);
    rows.forEach((r, k) => {
      const ty = by + pad + (k + 1) * lh;
      ctx.strokeStyle = r.s.colour;
      ctx.lineWidth = 2;
      ctx.setLineDash(r.s.dashed ? [4, 3] : []);
      ctx.beginPath();
      ctx.moveTo(bx + pad, ty + 6);
      ctx.lineTo(bx + pad + key - 4, ty + 6);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = INK;
      ctx.fillText(r.value, bx + pad + key, ty);
    });
  }
}

if (!customElements.get('bl-line-chart')) customElements.define('bl-line-chart', BlLineChart);

declare global {
  interface HTMLElementTagNameMap {
    'bl-line-chart': BlLineChart;
  }
}
