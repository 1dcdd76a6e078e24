/**
 * Canvas helpers the plot components share (<bl-line-chart>, <bl-contour-plot>, <bl-heatmap>):
 * sizing a canvas for the device's pixel ratio, tick labels that fit, axes, grid and frame in one
 * ink, the stacked-canvas styles. One copy, so the plots' axes look alike (review 9 found the
 * heatmap drawing its own in other colours).
 */
import { css } from 'lit';
import { niceDomain, niceTicks, type AxisScale, type Tick } from '../../view/ticks.ts';
import { padRange } from '../../view/svg.ts';

export const FONT = '12px system-ui, sans-serif';
export const INK = '#2b2b2b';
export const AXIS_INK = '#6b6b6b';
export const GRID_INK = '#ececec';

export interface Rect {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** Sizes a canvas to css × devicePixelRatio and returns a context drawing in CSS pixels. */
export function prepareCanvas(canvas: HTMLCanvasElement, cssWidth: number, cssHeight: number): CanvasRenderingContext2D | null {
  const dpr = Math.max(1, globalThis.devicePixelRatio || 1);
  const w = Math.max(1, Math.round(cssWidth * dpr));
  const h = Math.max(1, Math.round(cssHeight * dpr));
  // Assigning width/height clears the canvas even when unchanged; only reassign on change.
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.setTransform(w / cssWidth, 0, 0, h / cssHeight, 0, 0);
  ctx.clearRect(0, 0, cssWidth, cssHeight);
  ctx.font = FONT;
  return ctx;
}

/** Width of the widest tick label. */
export function labelWidth(ctx: CanvasRenderingContext2D, ticks: readonly Tick[]): number {
  let w = 0;
  for (const t of ticks) w = Math.max(w, ctx.measureText(t.label).width);
  return w;
}

/**
 * Ticks for a horizontal axis of `px` pixels whose labels do not overlap: fewer ticks until the
 * widest label fits its share of the width.
 */
export function fitXTicks(ctx: CanvasRenderingContext2D, lo: number, hi: number, scale: AxisScale, px: number): Tick[] {
  let count = Math.max(2, Math.floor(px / 55));
  for (;;) {
    const ticks = niceTicks(lo, hi, scale, count);
    if (count <= 2 || ticks.length * (labelWidth(ctx, ticks) + 12) <= px) return ticks;
    count = Math.max(2, Math.floor(count * 0.7));
  }
}

/** Vertical spacing per tick label that still reads comfortably at 12 px. */
const Y_TICK_PX = 22;

/** How many ticks a vertical axis of `px` pixels holds. */
export function yTickCount(px: number): number {
  return Math.max(2, Math.floor(px / Y_TICK_PX));
}

/**
 * Ticks for a vertical axis of `px` pixels: at least two where the range has two, so that a short
 * axis still reads as a scale (0 … 0.04 at two ticks has no nice step with two multiples in it: 0.02
 * gives three, 0.05 one, and walkthrough 6 saw an LR chart labelled "0" alone); then its ends.
 */
export function yTicks(lo: number, hi: number, scale: AxisScale, px: number): Tick[] {
  const count = yTickCount(px);
  const ticks = niceTicks(lo, hi, scale, count);
  if (ticks.length >= 2 || !(hi > lo)) return ticks;
  const more = niceTicks(lo, hi, scale, count + 1);
  const first = more[0];
  const last = more[more.length - 1];
  return more.length >= 2 && first && last ? [first, last] : ticks;
}

/**
 * A chart's vertical range: niceDomain's, with a margin of 4% of it (in the scale's own terms) past
 * an end the data reach. A line at the range's end lay on the frame, where it read as the frame and
 * its value went unlabelled when the ticks skip that end (walkthrough 18: an LR of 10 over
 * 1e-4, 0.01, 1); inside the frame it reads as a line near the top tick.
 */
export function chartDomain(min: number, max: number, scale: AxisScale, px: number): [number, number] {
  const [lo, hi] = niceDomain(min, max, scale, yTickCount(px));
  if (!(hi > lo)) return [lo, hi];
  // The figures' margin (padRange), kept only at an end the data reach.
  const [plo, phi] = padRange(lo, hi, scale === 'log', 0.04);
  return [Math.min(min, max) <= lo ? plo : lo, Math.max(min, max) >= hi ? phi : hi];
}

/** Light grid lines at the given pixel positions, inside the plot rectangle. */
export function drawGrid(ctx: CanvasRenderingContext2D, r: Rect, xs: readonly number[], ys: readonly number[]): void {
  ctx.save();
  ctx.strokeStyle = GRID_INK;
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const x of xs) {
    const p = Math.round(x) + 0.5;
    ctx.moveTo(p, r.top);
    ctx.lineTo(p, r.top + r.height);
  }
  for (const y of ys) {
    const p = Math.round(y) + 0.5;
    ctx.moveTo(r.left, p);
    ctx.lineTo(r.left + r.width, p);
  }
  ctx.stroke();
  ctx.restore();
}

/** Bottom axis: tick marks, labels and the axis title below the plot rectangle. */
export function drawXAxis(ctx: CanvasRenderingContext2D, r: Rect, ticks: readonly Tick[], toPx: (v: number) => number, title: string): void {
  const y0 = r.top + r.height;
  ctx.save();
  ctx.strokeStyle = AXIS_INK;
  ctx.fillStyle = INK;
  ctx.lineWidth = 1;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.beginPath();
  for (const t of ticks) {
    const x = Math.round(toPx(t.value)) + 0.5;
    ctx.moveTo(x, y0);
    ctx.lineTo(x, y0 + 4);
  }
  ctx.stroke();
  for (const t of ticks) ctx.fillText(t.label, toPx(t.value), y0 + 5);
  if (title) ctx.fillText(title, r.left + r.width / 2, y0 + 20);
  ctx.restore();
}

/** Left or right axis: tick marks, labels and a rotated title `titleOffset` px from the plot. */
export function drawYAxis(
  ctx: CanvasRenderingContext2D,
  r: Rect,
  ticks: readonly Tick[],
  toPy: (v: number) => number,
  side: 'left' | 'right',
  title: string,
  titleOffset: number,
): void {
  const x0 = side === 'left' ? r.left : r.left + r.width;
  const dir = side === 'left' ? -1 : 1;
  ctx.save();
  ctx.strokeStyle = AXIS_INK;
  ctx.fillStyle = INK;
  ctx.lineWidth = 1;
  ctx.textAlign = side === 'left' ? 'right' : 'left';
  ctx.textBaseline = 'middle';
  ctx.beginPath();
  for (const t of ticks) {
    const y = Math.round(toPy(t.value)) + 0.5;
    ctx.moveTo(x0, y);
    ctx.lineTo(x0 + dir * 4, y);
  }
  ctx.stroke();
  for (const t of ticks) ctx.fillText(t.label, x0 + dir * 6, toPy(t.value));
  if (title) {
    ctx.translate(x0 + dir * titleOffset, r.top + r.height / 2);
    ctx.rotate(side === 'left' ? -Math.PI / 2 : Math.PI / 2);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(title, 0, 0);
  }
  ctx.restore();
}

/** The plot rectangle's frame, on whole pixels so it stays crisp. */
export function drawFrame(ctx: CanvasRenderingContext2D, r: Rect): void {
  ctx.save();
  ctx.strokeStyle = AXIS_INK;
  ctx.lineWidth = 1;
  ctx.strokeRect(Math.round(r.left) + 0.5, Math.round(r.top) + 0.5, Math.round(r.width) - 1, Math.round(r.height) - 1);
  ctx.restore();
}

/** A plot drawn on two stacked canvases: `base` (the static picture) under `top` (what moves). */
export const stackedCanvasStyles = css`
  :host {
    display: block;
    font: 12px system-ui, sans-serif;
  }
  .wrap {
    position: relative;
    width: 100%;
  }
  canvas {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
  }
  .top {
    pointer-events: none;
  }
`;

/** Keeps an element's content width in sync; the callback runs on every size change. */
export function observeWidth(el: HTMLElement, onWidth: (w: number) => void): ResizeObserver {
  const ro = new ResizeObserver((entries) => {
    for (const e of entries) onWidth(Math.floor(e.contentRect.width));
  });
  ro.observe(el);
  return ro;
}
