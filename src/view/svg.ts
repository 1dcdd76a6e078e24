/**
 * One renderer for figures, in the app (study panels, the explorer's figure export) and in
 * `basinlab study`: panels as SVG strings (the app puts them in the page or rasterises them to PNG
 * through a canvas, the CLI through resvg). Heatmaps use the same cell colours as the app's heatmap
 * (cellColour) and are embedded as a PNG image, encoded by whatever the environment has
 * (`encodePng`: node:zlib in the CLI, a canvas in the browser); their legend is the app's
 * (legend.ts). The figure grows to hold its title, legend and caption, wrapped to its width, so
 * nothing is clipped (tests/studies/studies.test.ts renders every study panel and checks).
 */
import type { Rgb } from './colors.ts';
import { DIVERGED_ON_RAMP, SELECTED_INK, VIRIDIS_LUT, fractalColours, fractalScaleColour, lutIndex, rgbCss, rgbOf } from './colors.ts';
import type { SurfaceContours } from './contours.ts';
import { caption, netCaption, netParamLabel, paramLabel } from './caption.ts';
import { cellColour, heatmapFrame } from './frame.ts';
import type { LegendItem } from './legend.ts';
import { heatmapLegend, netHeatmapLegend } from './legend.ts';
import { netCellColour, netFrame } from './net-frame.ts';
import type { ChartPanel, FramedRun, GridPanel, HeatmapPanel, NetHeatmapPanel, OverlayLine, Panel, SurfaceBackdrop } from './panels.ts';
import { textWidth, wrapText } from './text.ts';
import { formatNumber, niceTicks, offsetTicks, type Tick } from './ticks.ts';
import type { HeatmapFrame } from './frame.ts';
import type { NetFrame } from './net-frame.ts';
import { profileDomain, profileNotes, profileOf, sweepIsOneRow, type Profile } from './profile.ts';
import { cellOfRun, scalePosition } from '../core/plan.ts';

export type EncodePng = (rgba: Uint8ClampedArray, width: number, height: number) => string;

/** Width of every figure, and its plot area. */
const W = 520;
const M = { left: 64, right: 18 };
const PW = W - M.left - M.right;
const PH = 330;
/** The edge inside which titles, legends and captions are laid out. */
const PAD = 12;
const FONT = 11;
const TITLE = 13;
const CAPTION = 10.5;
const LINE = 15;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Unique ids for clip paths: several figures share one page. */
let figureCount = 0;

interface Axis {
  readonly min: number;
  readonly max: number;
  readonly log: boolean;
  readonly label: string;
  /** Integer ticks only (niceTicks' `integer`): the axis's values are integers. */
  readonly integer?: boolean;
  /** Where its ticks go, where that is not the whole axis: a map's swept values, the axis widened half a cell past them (cellAxis). */
  readonly ticksWithin?: readonly [number, number];
}

/** Data value to a fraction of the axis (0 = left/bottom). */
function frac(a: Axis, v: number): number {
  return scalePosition(v, a.min, a.max, a.log);
}

/** The vertical layout of a figure: where the plot starts, given the title's lines. */
interface Frame {
  readonly top: number;
  readonly head: string;
}

function titleBlock(title: string): Frame {
  const lines = wrapText(title, TITLE, W - 2 * PAD, true);
  const head = lines.map((l, k) => `<text x="${PAD}" y="${PAD + TITLE + k * (TITLE + 4)}" font-size="${TITLE}" font-weight="bold">${esc(l)}</text>`).join('');
  return { top: PAD + lines.length * (TITLE + 4) + 10, head };
}

/** Ticks of an axis: niceTicks over its range (integers only where its values are). */
function axisTicks(a: Axis): Tick[] {
  // A map's ticks name swept values only, as the page's do (review 23: a figure of LR 0 … 1 over two
  // columns was labelled from −0.5).
  const [lo, hi] = a.ticksWithin ?? [a.min, a.max];
  return niceTicks(lo, hi, a.log ? 'log' : 'linear', 6, { integer: a.integer === true });
}

/** The x axis under a plot whose bottom edge is at `bottom`: tick marks, their labels and the axis's title. */
function xAxisSvg(x: Axis, bottom: number, ticks: readonly Tick[] = axisTicks(x)): string {
  const parts: string[] = [];
  for (const t of ticks) {
    const u = frac(x, t.value);
    if (!(u >= -1e-9 && u <= 1 + 1e-9)) continue;
    const px = M.left + u * PW;
    parts.push(`<line x1="${px}" y1="${bottom}" x2="${px}" y2="${bottom + 4}" stroke="#444"/>`);
    parts.push(`<text x="${px}" y="${bottom + 16}" text-anchor="middle">${esc(t.label)}</text>`);
  }
  const xl = wrapText(`${x.label}${x.log ? ' (log)' : ''}`, FONT, PW)[0] ?? '';
  parts.push(`<text x="${M.left + PW / 2}" y="${bottom + 32}" text-anchor="middle">${esc(xl)}</text>`);
  return parts.join('');
}

/**
 * The y axis of a plot `height` high whose bottom edge is at `bottom`: tick marks and labels left of
 * it, and its title (`title`, else the axis's label) turned along it.
 */
function yAxisSvg(y: Axis, bottom: number, height: number, ticks: readonly Tick[] = axisTicks(y), title = `${y.label}${y.log ? ' (log)' : ''}`): string {
  const parts: string[] = [];
  for (const t of ticks) {
    const u = frac(y, t.value);
    if (!(u >= -1e-9 && u <= 1 + 1e-9)) continue;
    const py = bottom - u * height;
    parts.push(`<line x1="${M.left - 4}" y1="${py}" x2="${M.left}" y2="${py}" stroke="#444"/>`);
    parts.push(`<text x="${M.left - 6}" y="${py + 4}" text-anchor="end">${esc(t.label)}</text>`);
  }
  const yl = wrapText(title, FONT, height)[0] ?? '';
  parts.push(`<text transform="translate(16 ${bottom - height / 2}) rotate(-90)" text-anchor="middle">${esc(yl)}</text>`);
  return parts.join('');
}

function axesSvg(x: Axis, y: Axis, top: number, xTicks: readonly Tick[] = axisTicks(x)): string {
  return `<rect x="${M.left}" y="${top}" width="${PW}" height="${PH}" fill="none" stroke="#444"/>` + xAxisSvg(x, top + PH, xTicks) + yAxisSvg(y, top + PH, PH);
}

/** Where the legend starts below a plot that starts at `top`. */
function legendTop(top: number, plotHeight = PH): number {
  return top + plotHeight + 48;
}

const RAMP_W = 48;
/** A colour bar with values inside it (LegendItem ticks): wide enough to place them apart. */
const RAMP_W_TICKED = 130;
/** Width of a ramp drawn as a swatch before its label. */
const SWATCH_RAMP = 36;
const GAP = 16;

/** A colour ramp as a row of blocks with a frame, its baseline at y. */
function rampSvg(stops: readonly Rgb[], x: number, y: number, width: number): string {
  const n = stops.length;
  const blocks = stops.map(
    (c, k) => `<rect x="${(x + (k * width) / n).toFixed(1)}" y="${y - 10}" width="${(width / n + 0.4).toFixed(1)}" height="12" fill="${rgbCss(c)}"/>`,
  );
  return `${blocks.join('')}<rect x="${x}" y="${y - 10}" width="${width}" height="12" fill="none" stroke="#888"/>`;
}

/**
 * A legend row whose mark the figure draws itself (a minimum's diamond, a start's circle, framed
 * cells), `width` wide, its baseline at y.
 */
interface GlyphItem {
  readonly kind: 'glyph';
  readonly label: string;
  readonly width: number;
  readonly glyph: (x: number, y: number) => string;
}

/**
 * The legend laid out in rows within the figure's width, each item's text wrapped when it is too
 * long for a row of its own. Returns the SVG and the y below it.
 */
function legendSvg(items: readonly (LegendItem | GlyphItem)[], y0: number): { svg: string; bottom: number } {
  const out: string[] = [];
  const avail = W - 2 * PAD;
  let x = PAD;
  let y = y0;
  let rowLines = 1;
  const place = (w: number, lines: number): [number, number] => {
    if (x > PAD && x + w > PAD + avail) {
      x = PAD;
      y += rowLines * LINE;
      rowLines = 1;
    }
    const at: [number, number] = [x, y];
    x += w + GAP;
    rowLines = Math.max(rowLines, lines);
    return at;
  };
  const texts = (lines: readonly string[], tx: number, ty: number): string =>
    lines.map((l, k) => `<text x="${tx}" y="${ty + k * LINE}">${esc(l)}</text>`).join('');
  for (const it of items) {
    if (it.kind === 'ramp' && it.from !== undefined && it.to !== undefined) {
      // A colour bar: "label from [bar] to" (no colon: "test accuracy: 60%" read as a statistic,
      // walkthrough 11), the bar on a line of its own under a label too long;
      // with ticks, wider, its values on a line under it.
      const ticks = it.ticks ?? [];
      const barW = ticks.length ? RAMP_W_TICKED : RAMP_W;
      const tail = `${it.from} `;
      const ends = textWidth(tail, FONT) + barW + 4 + textWidth(it.to, FONT);
      const label = it.label;
      const oneLine = textWidth(label, FONT) + 6 + ends;
      const lines = oneLine <= avail ? [label] : wrapText(label, FONT, avail);
      const [lx, ly] = place(oneLine <= avail ? oneLine : avail, lines.length + (oneLine <= avail ? 0 : 1) + (ticks.length ? 1 : 0));
      out.push(texts(lines, lx, ly));
      let rx = oneLine <= avail ? lx + textWidth(label, FONT) + 6 : lx;
      const ry = oneLine <= avail ? ly : ly + lines.length * LINE;
      out.push(`<text x="${rx}" y="${ry}">${esc(it.from)}</text>`);
      rx += textWidth(tail, FONT);
      out.push(rampSvg(it.stops, rx, ry, barW));
      for (const t of ticks) {
        const tx = (rx + t.at * barW).toFixed(1);
        out.push(`<line x1="${tx}" y1="${ry + 2}" x2="${tx}" y2="${ry + 5}" stroke="#666"/><text x="${tx}" y="${ry + 14}" font-size="9" text-anchor="middle" fill="#444">${esc(t.label)}</text>`);
      }
      out.push(`<text x="${rx + barW + 4}" y="${ry}">${esc(it.to)}</text>`);
      continue;
    }
    if (it.kind === 'note') {
      const lines = wrapText(it.label, FONT, avail);
      const [lx, ly] = place(Math.max(...lines.map((l) => textWidth(l, FONT))), lines.length);
      out.push(`<g font-style="italic" fill="#444">${texts(lines, lx, ly)}</g>`);
      continue;
    }
    if (it.kind === 'glyph') {
      const mark = it.width + 6;
      const lines = wrapText(it.label, FONT, avail - mark);
      const [lx, ly] = place(mark + Math.max(...lines.map((l) => textWidth(l, FONT))), lines.length);
      out.push(it.glyph(lx, ly), texts(lines, lx + mark, ly));
      continue;
    }
    const mark = it.kind === 'line' ? 22 : it.kind === 'ramp' ? SWATCH_RAMP + 6 : 18;
    const lines = wrapText(it.label, FONT, avail - mark);
    const w = mark + Math.max(...lines.map((l) => textWidth(l, FONT)));
    const [lx, ly] = place(w, lines.length);
    out.push(
      it.kind === 'line'
        ? `<line x1="${lx}" y1="${ly - 4}" x2="${lx + 16}" y2="${ly - 4}" stroke="${it.colour}" stroke-width="2"${it.dotted ? ' stroke-dasharray="2 2"' : it.dashed ? ' stroke-dasharray="5 2"' : ''}/>`
        : it.kind === 'ramp'
          ? rampSvg(it.stops, lx, ly, SWATCH_RAMP)
          : it.dot
            ? `<circle cx="${lx + 6}" cy="${ly - 4}" r="3.5" fill="${rgbCss(it.colour)}"/>`
            : `<rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${rgbCss(it.colour)}" stroke="#888"/>`,
    );
    out.push(texts(lines, lx + mark, ly));
  }
  return { svg: out.join(''), bottom: y + (rowLines - 1) * LINE + 6 };
}

/** The caption under a figure, wrapped; returns the SVG and the y below it. */
function captionSvg(text: string | undefined, y0: number): { svg: string; bottom: number } {
  if (!text) return { svg: '', bottom: y0 };
  const lines = wrapText(text, CAPTION, W - 2 * PAD);
  const svg = lines.map((l, k) => `<text x="${PAD}" y="${y0 + CAPTION + 4 + k * (CAPTION + 3)}" font-size="${CAPTION}" fill="#444">${esc(l)}</text>`).join('');
  return { svg, bottom: y0 + 8 + lines.length * (CAPTION + 3) };
}

function open(height: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="DejaVu Sans, system-ui, sans-serif" font-size="${FONT}" fill="#222">
<rect width="${W}" height="${height}" fill="#fff"/>`;
}

/** A theory line (or any overlay) over the plot, with a white halo so it reads on every colour. */
function overlaySvg(line: OverlayLine, xa: Axis, ya: Axis, top: number, clip: string): string {
  const pts = line.x
    .map((xv, k) => [M.left + frac(xa, xv) * PW, top + PH - frac(ya, line.y[k] as number) * PH] as const)
    .filter(([px, py]) => Number.isFinite(px) && Number.isFinite(py))
    .map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`)
    .join(' ');
  return (
    `<polyline clip-path="url(#${clip})" points="${pts}" fill="none" stroke="#fff" stroke-width="4" stroke-opacity="0.8"/>` +
    `<polyline clip-path="url(#${clip})" points="${pts}" fill="none" stroke="${line.colour}" stroke-width="2" stroke-dasharray="${line.dotted ? '2 3' : '6 3'}"/>`
  );
}

/**
 * The cells of a w x h grid as an image filling the plot area that starts at `top`, every cell whole
 * (its axes widened half a cell past the first and last values: `cellAxis`). Each cell becomes a
 * k x k block: rasterisers smooth embedded images whatever the SVG asks, and a sharp cell edge is
 * information (the boundary between basins, or between trainable and not).
 */
function cellsImageSvg(w: number, h: number, colour: (run: number) => Rgb, encodePng: EncodePng, top: number, height = PH): string {
  const k = Math.max(1, Math.floor(1024 / Math.max(w, h)));
  const iw = w * k;
  const rgba = new Uint8ClampedArray(iw * h * k * 4);
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const [r, g, b] = colour(j * w + i);
      for (let dy = 0; dy < k; dy++) {
        for (let dx = 0; dx < k; dx++) {
          const o = (((h - 1 - j) * k + dy) * iw + i * k + dx) * 4;
          rgba[o] = r;
          rgba[o + 1] = g;
          rgba[o + 2] = b;
          rgba[o + 3] = 255;
        }
      }
    }
  }
  const img = encodePng(rgba, iw, h * k);
  return `<image x="${M.left}" y="${top}" width="${PW}" height="${height}" preserveAspectRatio="none" style="image-rendering:pixelated" href="${img}"/>`;
}

/** The smallest side of a frame around a cell (px): a frame around a cell of one or two pixels (a 256 x 256 map) is still seen on a slide. */
const FRAME_MIN = 8;

/**
 * Frames around the cells of the `framed` runs on a w x h map drawn `height` high from `top`, as the
 * page draws them (a box just outside the cell, in the run's colour over a white rim that keeps it
 * visible on any cell, the map's own colours included), in order: a later one over an earlier.
 * Runs not on the map are left out.
 */
function framesSvg(framed: readonly FramedRun[], w: number, h: number, top: number, height: number): string {
  const cw = PW / w;
  const ch = height / h;
  const out: string[] = [];
  for (const { run, colour } of framed) {
    if (!Number.isInteger(run) || run < 0 || run >= w * h) continue;
    const { i, j } = cellOfRun({ width: w }, run);
    // Centred on the cell, 2 px outside it (or FRAME_MIN wide where the cell is smaller).
    const fw = Math.max(cw, FRAME_MIN) + 4;
    const fh = Math.max(ch, FRAME_MIN) + 4;
    const x = M.left + (i + 0.5) * cw - fw / 2;
    const y = top + height - (j + 0.5) * ch - fh / 2;
    const box = `x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${fw.toFixed(1)}" height="${fh.toFixed(1)}" fill="none"`;
    // The colour 3 px wide between white lines: a frame on cells of its own hue (a pin's blue on a
    // blue basin) still reads as a frame, and its colour as the colour of its curves.
    out.push(`<rect ${box} stroke="#fff" stroke-width="5"/><rect class="framed" data-run="${run}" ${box} stroke="${esc(colour)}" stroke-width="3"/>`);
  }
  return out.join('');
}

/** The legend's row for framed runs: a frame in each of their colours. */
function framedLegend(framed: readonly FramedRun[]): GlyphItem[] {
  const colours = [...new Set(framed.map((f) => f.colour))];
  if (colours.length === 0) return [];
  return [
    {
      kind: 'glyph',
      label: 'framed: the runs whose curves are drawn beside, in their colours',
      width: colours.length * 14 - 2,
      glyph: (x, y) => colours.map((c, k) => `<rect x="${x + k * 14 + 1}" y="${y - 10}" width="10" height="10" fill="none" stroke="${esc(c)}" stroke-width="2"/>`).join(''),
    },
  ];
}

/**
 * An axis over `count` cells whose centres are its values from `min` to `max`, widened by half a cell
 * at each end (in log units on a log axis): every cell is drawn whole, as the page draws its map,
 * and a tick at a swept value stands at its cell's centre. Walkthrough 18: the figure's first and
 * last rows and columns were half cells, its corner run a quarter of one.
 */
export function cellAxis<A extends { readonly min: number; readonly max: number; readonly log: boolean }>(a: A, count: number): A & { readonly ticksWithin?: readonly [number, number] } {
  if (a.log && !(a.min > 0 && a.max > 0)) return a;
  const ticksWithin = [a.min, a.max] as const;
  // One cell: its value at the centre of a plot a decade wide (log), or its own size (linear; 1 at 0).
  if (count < 2 || !(a.max > a.min)) {
    const half = a.min === 0 ? 0.5 : Math.abs(a.min) / 2;
    return a.log ? { ...a, min: a.min / Math.sqrt(10), max: a.max * Math.sqrt(10), ticksWithin } : { ...a, min: a.min - half, max: a.max + half, ticksWithin };
  }
  if (a.log) {
    const k = (a.max / a.min) ** (0.5 / (count - 1));
    return { ...a, min: a.min / k, max: a.max * k, ticksWithin };
  }
  const half = (a.max - a.min) / (2 * (count - 1));
  return { ...a, min: a.min - half, max: a.max + half, ticksWithin };
}

/** A grid axis as the sweep spans it (a surface's or a network's), labelled by `label`. */
interface GridAxisSpec {
  readonly param: string;
  readonly min: number;
  readonly max: number;
  readonly scale: string;
  readonly count: number;
}

/**
 * A map's x and y axes: a grid's swept ranges (a 1-D grid's y an empty unit axis), or the run
 * index for other sweeps (its cells' centres at 0 … w − 1, as a grid's are at its values), each
 * widened half a cell past its ends (cellAxis).
 */
function sweepAxes(sweep: { readonly kind: string; readonly x?: GridAxisSpec; readonly y?: GridAxisSpec | null } | null | undefined, w: number, label: (path: string) => string): [Axis, Axis] {
  const axis = (a: GridAxisSpec): Axis => cellAxis({ min: a.min, max: a.max, log: a.scale === 'log', label: label(a.param) }, a.count);
  const grid = sweep?.kind === 'grid' ? sweep : null;
  return [grid?.x ? axis(grid.x) : cellAxis({ min: 0, max: w - 1, log: false, label: 'run', integer: true }, w), grid?.y ? axis(grid.y) : { min: 0, max: 1, log: false, label: '' }];
}

/** A list sweep's band of columns in a figure (as on the page: one row over the run index, no height to spend). */
const FIG_BAND = 80;

/**
 * A map in a figure, in the shape the page draws it: a grid over two axes as a square of cells with
 * its theory lines, a grid over one axis as a strip with its curve (and the curve's notes for the
 * legend), a random, Sobol or points sweep as a band of columns over the run index. `height`: the
 * plot's, for the legend under it.
 */
function mapSvg(
  f: HeatmapFrame | NetFrame,
  sweep: { readonly kind: string; readonly x?: { readonly count: number }; readonly y?: { readonly count: number } | null } | null | undefined,
  xa: Axis,
  ya: Axis,
  lines: readonly OverlayLine[],
  encodePng: EncodePng,
  top: number,
  colour: (run: number) => Rgb,
  clip: string,
  framed: readonly FramedRun[] = [],
): { readonly svg: string; readonly height: number; readonly notes: (LegendItem | GlyphItem)[] } {
  const grid = sweep?.kind === 'grid' ? sweep : null;
  const framedNote = framedLegend(framed);
  if (sweepIsOneRow(sweep, f.height)) {
    const p = profileOf(f);
    const notes = profileNotes(p).map((label): LegendItem => ({ kind: 'note', label }));
    return { svg: stripCurveSvg(f, p, xa, lines, encodePng, top, colour, framed), height: PH, notes: [...framedNote, ...notes] };
  }
  if (!grid && f.height === 1 && f.width > 1) {
    const parts = [
      cellsImageSvg(f.width, 1, colour, encodePng, top, FIG_BAND),
      `<rect x="${M.left}" y="${top}" width="${PW}" height="${FIG_BAND}" fill="none" stroke="#444"/>`,
      xAxisSvg(xa, top + FIG_BAND),
      framesSvg(framed, f.width, 1, top, FIG_BAND),
    ];
    return { svg: parts.join(''), height: FIG_BAND, notes: framedNote };
  }
  const parts = [cellsImageSvg(f.width, f.height, colour, encodePng, top), axesSvg(xa, ya, top)];
  for (const line of lines) parts.push(overlaySvg(line, xa, ya, top, clip));
  // Over the lines, as the page draws its boxes.
  parts.push(framesSvg(framed, f.width, f.height, top, PH));
  return { svg: parts.join(''), height: PH, notes: framedNote };
}

/** A one-row figure: the strip's height and the gap under it (the curve takes the rest of PH). */
const FIG_STRIP = 28;
const FIG_GAP = 10;

/**
 * A one-row sweep's map as the explorer draws it (view/profile.ts): its cells as a strip, and under
 * it the curve of each run's value against the swept axis, points in their cells' colours, a
 * diverged run a triangle at the top in its cell's colour, vertical theory lines across both; the
 * x axis under the curve. Fills the plot area that starts at `top` (the same size as a map's).
 */
function stripCurveSvg(
  f: HeatmapFrame | NetFrame,
  p: Profile,
  xa: Axis,
  lines: readonly OverlayLine[],
  encodePng: EncodePng,
  top: number,
  colour: (run: number) => Rgb,
  framed: readonly FramedRun[] = [],
): string {
  const w = f.width;
  const parts: string[] = [];
  // The strip: the cells, whole (as on a map), FIG_STRIP high, the framed runs' cells framed.
  parts.push(cellsImageSvg(w, 1, colour, encodePng, top, FIG_STRIP), `<rect x="${M.left}" y="${top}" width="${PW}" height="${FIG_STRIP}" fill="none" stroke="#444"/>`);
  parts.push(framesSvg(framed, w, 1, top, FIG_STRIP));
  const ct = top + FIG_STRIP + FIG_GAP;
  const chH = PH - FIG_STRIP - FIG_GAP;
  parts.push(`<rect x="${M.left}" y="${ct}" width="${PW}" height="${chH}" fill="none" stroke="#444"/>`);
  // Each run at its cell's centre, as the strip above draws the cells whole (cellAxis).
  const xOf = (i: number): number => M.left + ((i + 0.5) / w) * PW;
  // A framed run's place on the curve: a line down it in the run's colour, under the points (the page marks the selected run so).
  for (const { run, colour: c } of framed) {
    if (!Number.isInteger(run) || run < 0 || run >= w) continue;
    parts.push(`<line x1="${xOf(run).toFixed(1)}" y1="${ct}" x2="${xOf(run).toFixed(1)}" y2="${ct + chH}" stroke="${esc(c)}" stroke-width="1.5"/>`);
  }
  parts.push(xAxisSvg(xa, top + PH));
  // Theory lines at one x: across the strip and the curve.
  for (const l of lines) {
    const x0 = l.x[0];
    if (x0 === undefined || l.x.some((v) => v !== x0)) continue;
    const px = M.left + frac(xa, x0) * PW;
    if (!(px >= M.left && px <= M.left + PW)) continue;
    parts.push(
      `<line x1="${px}" y1="${top}" x2="${px}" y2="${top + PH}" stroke="#fff" stroke-width="4" stroke-opacity="0.8"/>`,
      `<line x1="${px}" y1="${top}" x2="${px}" y2="${top + PH}" stroke="${l.colour}" stroke-width="2" stroke-dasharray="${l.dotted ? '2 3' : '6 3'}"/>`,
    );
  }
  const title = `${p.label}${p.scale === 'log' ? ' (log)' : ''}`;
  if (Number.isNaN(p.min)) {
    parts.push(`<text transform="translate(16 ${ct + chH / 2}) rotate(-90)" text-anchor="middle">${esc(wrapText(title, FONT, chH)[0] ?? '')}</text>`);
  } else {
    const { lo, hi } = profileDomain(p);
    // Room at the top for the diverged runs' marks.
    const y0 = ct + 12;
    const h = chH - 18;
    const ya: Axis = { min: lo, max: hi, log: p.scale === 'log', label: p.label };
    const yOf = (v: number): number => y0 + h - frac(ya, v) * h;
    let ticks = niceTicks(lo, hi, p.scale, 5);
    let base = '';
    // Labels too long for the margin (a narrow range) are offsets from a base named in the title.
    if (ticks.some((t) => t.label.length > 7)) {
      const o = offsetTicks(lo, hi, 5);
      ticks = o.ticks;
      base = o.baseLabel;
    }
    parts.push(yAxisSvg(ya, y0 + h, h, ticks, `${title}${base ? `, offset from ${base}` : ''}`));
    const runs: string[][] = [[]];
    for (let i = 0; i < w; i++) {
      const v = p.y[i] as number;
      if (Number.isNaN(v)) runs.push([]);
      else runs[runs.length - 1]?.push(`${xOf(i).toFixed(1)},${yOf(v).toFixed(1)}`);
    }
    for (const r of runs) if (r.length > 1) parts.push(`<polyline points="${r.join(' ')}" fill="none" stroke="#9a9a9a" stroke-width="1"/>`);
    const rad = Math.max(1.5, Math.min(3.5, PW / w / 2));
    for (let i = 0; i < w; i++) {
      const v = p.y[i] as number;
      const c = rgbCss(p.colour[i] ?? [0, 0, 0]);
      if (p.diverged[i]) parts.push(`<path d="M${xOf(i).toFixed(1)} ${ct + 2} l-4 7 h8 z" fill="${c}"/>`);
      else if (!Number.isNaN(v)) parts.push(`<circle cx="${xOf(i).toFixed(1)}" cy="${yOf(v).toFixed(1)}" r="${rad}" fill="${c}" stroke="#000" stroke-opacity="0.55" stroke-width="0.8"/>`);
    }
  }
  return parts.join('');
}

function heatmapSvg(p: HeatmapPanel, encodePng: EncodePng): string {
  const { plan, results } = p;
  const w = plan.width;
  const f = heatmapFrame(plan, results, plan.runs, p.mode, p.range);
  const sweep = plan.spec.sweep;
  const label = (path: string): string => paramLabel(plan, path);
  const [xa, ya] = sweepAxes(sweep, w, label);
  const head = titleBlock(p.title);
  const top = head.top;
  const clip = `plot${++figureCount}`;
  const body: string[] = [head.head];
  body.push(`<clipPath id="${clip}"><rect x="${M.left}" y="${top}" width="${PW}" height="${PH}"/></clipPath>`);
  const map = mapSvg(f, sweep, xa, ya, p.lines ?? [], encodePng, top, (run) => cellColour(f, run), clip, p.framed);
  body.push(map.svg);
  const legend = legendSvg([...heatmapLegend(f, plan.minima, p.lines ?? []), ...map.notes], legendTop(top, map.height));
  body.push(legend.svg);
  const cap = captionSvg(p.caption ?? caption(plan, p.mode), legend.bottom);
  body.push(cap.svg);
  return `${open(Math.ceil(cap.bottom + PAD))}\n${body.join('\n')}\n</svg>`;
}

/**
 * A point series' marker radius: a few points (a measurement per zoom depth, a best LR per batch
 * size) are the figure's subject and must read at a glance; a scatter of hundreds stays fine-grained.
 */
export function pointRadius(count: number): number {
  return count <= 12 ? 4 : count <= 60 ? 3 : 2.2;
}

/** [min, max] widened by `share` of its span at each end (of its span in log10 units on a log axis). */
export function padRange(min: number, max: number, log: boolean, share = 0.05): [number, number] {
  // A range without finite ends (no data) or a log range not above zero is left as it is.
  if (!Number.isFinite(min) || !Number.isFinite(max) || (log && !(min > 0))) return [min, max];
  if (log) {
    const k = 10 ** (share * Math.log10(max / min));
    return [min / k, max * k];
  }
  const pad = share * (max - min);
  return [min - pad, max + pad];
}

/** A CSS colour as SVG attributes: rgba(…) as an rgb colour and an opacity, which every SVG reader takes. */
function paintAttrs(attr: 'fill' | 'stroke', colour: string): string {
  const m = /^rgba\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*\)$/.exec(colour);
  return m ? `${attr}="rgb(${m[1]},${m[2]},${m[3]})" ${attr}-opacity="${m[4]}"` : `${attr}="${esc(colour)}"`;
}

/**
 * A surface's contours under a chart (the app's contour plot): the ground colour over the plot, each
 * level's region filled in order (each inside the one before) with its edge in the lines' ink,
 * clipped to the plot. `X`, `Y`: data to pixels.
 */
function contoursSvg(c: SurfaceContours, X: (v: number) => number, Y: (v: number) => number, top: number, clip: string): string {
  const out = [`<g class="contours" clip-path="url(#${clip})">`, `<rect x="${M.left}" y="${top}" width="${PW}" height="${PH}" ${paintAttrs('fill', c.ground)}/>`];
  const line = `${paintAttrs('stroke', c.line)} stroke-width="0.8"`;
  for (const band of c.bands) {
    const d: string[] = [];
    for (const ring of band.rings) {
      const px: number[] = [];
      for (let k = 0; k + 1 < ring.length; k += 2) px.push(X(ring[k] as number), Y(ring[k + 1] as number));
      // A ring's points within a third of a pixel of the line it draws are left out: the figure's size is its contours'.
      const kept = simplify(px, 0.3);
      const pts: string[] = [];
      for (const k of kept) pts.push(`${(px[2 * k] as number).toFixed(1)},${(px[2 * k + 1] as number).toFixed(1)}`);
      if (pts.length > 2) d.push(`M${pts.join('L')}Z`);
    }
    if (d.length > 0) out.push(`<path d="${d.join('')}" ${paintAttrs('fill', band.fill)} fill-rule="evenodd" ${line}/>`);
  }
  out.push('</g>');
  return out.join('');
}

/**
 * The points of a polyline (x0, y0, x1, y1, …, in pixels) that draw it to within `tol` pixels
 * (Ramer–Douglas–Peucker), as indices in order; the ends are always kept.
 */
export function simplify(xy: readonly number[], tol: number): number[] {
  const n = xy.length >> 1;
  if (n <= 2) return Array.from({ length: n }, (_, k) => k);
  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[n - 1] = 1;
  const stack: [number, number][] = [[0, n - 1]];
  while (stack.length > 0) {
    const [a, b] = stack.pop() as [number, number];
    const ax = xy[2 * a] as number;
    const ay = xy[2 * a + 1] as number;
    const dx = (xy[2 * b] as number) - ax;
    const dy = (xy[2 * b + 1] as number) - ay;
    const len = Math.hypot(dx, dy);
    let far = -1;
    let worst = tol;
    for (let k = a + 1; k < b; k++) {
      const qx = (xy[2 * k] as number) - ax;
      const qy = (xy[2 * k + 1] as number) - ay;
      // Distance to the chord (to its start where the chord is a point: a closed ring's ends meet).
      const dist = len > 0 ? Math.abs(qx * dy - qy * dx) / len : Math.hypot(qx, qy);
      if (dist > worst) {
        worst = dist;
        far = k;
      }
    }
    if (far >= 0) {
      keep[far] = 1;
      stack.push([a, far], [far, b]);
    }
  }
  const out: number[] = [];
  for (let k = 0; k < n; k++) if (keep[k]) out.push(k);
  return out;
}

/** A known minimum's mark, as the app's contour plot draws it: a diamond in its basin's colour, rimmed in the path ink. */
function diamondSvg(x: number, y: number, colour: string, r = 5, cls = 'minimum'): string {
  return `<path${cls ? ` class="${cls}"` : ''} d="M${x.toFixed(1)} ${(y - r).toFixed(1)}l${r} ${r}l${-r} ${r}l${-r} ${-r}z" fill="${esc(colour)}" stroke="${SELECTED_INK}" stroke-width="1"/>`;
}

/** A run's start, as the app draws it: a white circle with a dark rim. */
function startSvg(x: number, y: number, r = 4.5, cls = 'start'): string {
  return `<circle${cls ? ` class="${cls}"` : ''} cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${r}" fill="#fff" stroke="${SELECTED_INK}" stroke-width="1.5"/>`;
}

/** What a chart's surface adds to its legend: its contours, its minima and its starts. */
function surfaceLegend(s: SurfaceBackdrop): GlyphItem[] {
  const items: GlyphItem[] = [];
  const c = s.contours;
  if (c) {
    items.push({
      kind: 'glyph',
      label: 'contours of the loss (log-spaced above its minimum)',
      width: 16,
      glyph: (x, y) => `<rect x="${x}" y="${y - 10}" width="16" height="12" ${paintAttrs('fill', c.bands[Math.floor(c.bands.length / 2)]?.fill ?? c.ground)}/><path d="M${x} ${y - 1}q8 -10 16 -8" fill="none" ${paintAttrs('stroke', c.line)} stroke-width="1.2"/>`,
    });
  }
  const colours = [...new Set(s.minima.map((m) => m.colour))];
  if (colours.length > 0) {
    items.push({
      kind: 'glyph',
      label: "known minima (in their basins' colours)",
      width: colours.length * 12,
      glyph: (x, y) => colours.map((col, k) => diamondSvg(x + 6 + k * 12, y - 4, col, 4.5, '')).join(''),
    });
  }
  if (s.starts.length > 0) items.push({ kind: 'glyph', label: s.starts.length === 1 ? 'start' : 'starts', width: 12, glyph: (x, y) => startSvg(x + 6, y - 4, 4.5, '') });
  return items;
}

function chartSvg(p: ChartPanel): string {
  let xmin = Number.POSITIVE_INFINITY;
  let xmax = Number.NEGATIVE_INFINITY;
  let ymin = Number.POSITIVE_INFINITY;
  let ymax = Number.NEGATIVE_INFINITY;
  // An axis whose plotted values are all integers (zoom depths, batch sizes, steps) gets integer
  // ticks: a tick at 0.5 would name a value the data cannot take.
  let xInteger = true;
  let yInteger = true;
  for (const s of p.series) {
    s.x.forEach((xv, k) => {
      const yv = s.y[k] as number;
      if (!Number.isFinite(xv) || !Number.isFinite(yv) || (p.logX && xv <= 0) || (p.logY && yv <= 0)) return;
      xmin = Math.min(xmin, xv);
      xmax = Math.max(xmax, xv);
      ymin = Math.min(ymin, yv);
      ymax = Math.max(ymax, yv);
      xInteger &&= Number.isInteger(xv);
      yInteger &&= Number.isInteger(yv);
    });
  }
  if (!(xmin < xmax)) [xmin, xmax] = p.logX ? [Math.max(1e-12, xmin / 2), xmin * 2] : [xmin - 1, xmin + 1];
  // One value: a range around it of its own size (walkthrough 19: a constant LR of 0.01 drawn on a
  // −1 … 1 axis lay on its 0 tick and read as "the LR was 0").
  if (!(ymin < ymax)) [ymin, ymax] = !Number.isFinite(ymin) ? (p.logY ? [0.1, 1] : [-1, 1]) : p.logY ? [Math.max(1e-12, ymin / 2), ymin * 2] : ymin === 0 ? [-1, 1] : [ymin - Math.abs(ymin) * 0.2, ymin + Math.abs(ymin) * 0.2];
  // A margin inside the frame, on log axes as on linear ones: a line or point at the data's extremes
  // would otherwise lie on the frame (hidden by it, or a point in a corner cut to a quarter).
  [ymin, ymax] = padRange(ymin, ymax, p.logY ?? false);
  // Points at the ends of the x axis would be cut in half by the plot's edge.
  if (p.series.some((s) => s.points)) [xmin, xmax] = padRange(xmin, xmax, p.logX ?? false);
  // A domain given (a surface's view): the data outside it is clipped, as a diverged path is.
  if (p.domain) [xmin, xmax, ymin, ymax] = [p.domain.x[0], p.domain.x[1], p.domain.y[0], p.domain.y[1]];
  const xa: Axis = { min: xmin, max: xmax, log: p.logX ?? false, label: p.xLabel, integer: xInteger };
  const ya: Axis = { min: ymin, max: ymax, log: p.logY ?? false, label: p.yLabel, integer: yInteger };
  const head = titleBlock(p.title);
  const top = head.top;
  const X = (v: number): number => M.left + frac(xa, v) * PW;
  const Y = (v: number): number => top + PH - frac(ya, v) * PH;
  const clip = `plot${++figureCount}`;
  const out = [head.head];
  out.push(`<clipPath id="${clip}"><rect x="${M.left}" y="${top}" width="${PW}" height="${PH}"/></clipPath>`);
  // A surface under the paths, as the app's contour plot draws it.
  if (p.surface?.contours) out.push(contoursSvg(p.surface.contours, X, Y, top, clip));
  for (const b of p.bands ?? []) {
    const x0 = Math.max(M.left, X(b.x0));
    const x1 = Math.min(M.left + PW, X(b.x1));
    if (x1 > x0) out.push(`<rect x="${x0}" y="${top}" width="${x1 - x0}" height="${PH}" fill="${b.colour}" opacity="0.25"/>`);
  }
  out.push(axesSvg(xa, ya, top, p.xTicks ? p.xTicks.map((value) => ({ value, label: formatNumber(value) })) : axisTicks(xa)));
  for (const s of p.series) {
    const pts: string[] = [];
    const segs: string[][] = [];
    s.x.forEach((xv, k) => {
      const yv = s.y[k] as number;
      const ok = Number.isFinite(xv) && Number.isFinite(yv) && (!p.logX || xv > 0) && (!p.logY || yv > 0);
      if (!ok) {
        if (pts.length) segs.push(pts.splice(0));
        return;
      }
      pts.push(`${X(xv).toFixed(1)},${Y(yv).toFixed(1)}`);
    });
    if (pts.length) segs.push(pts);
    const r = pointRadius(segs.reduce((n, seg) => n + seg.length, 0));
    for (const seg of segs) {
      if (s.points) {
        for (const pt of seg) {
          const [a, b] = pt.split(',');
          out.push(`<circle clip-path="url(#${clip})" cx="${a}" cy="${b}" r="${r}" fill="${s.colour}"/>`);
        }
      } else {
        out.push(`<polyline clip-path="url(#${clip})" points="${seg.join(' ')}" fill="none" stroke="${s.colour}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
        if (s.markers) {
          for (const pt of seg) {
            const [a, b] = pt.split(',');
            out.push(`<circle clip-path="url(#${clip})" cx="${a}" cy="${b}" r="3.2" fill="${s.colour}" stroke="#fff" stroke-width="0.8"/>`);
          }
        }
      }
    }
  }
  for (const m of p.marks ?? []) {
    const x = X(m.x);
    if (x >= M.left && x <= M.left + PW) out.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${top + PH}" stroke="${m.colour}" stroke-dasharray="5 3" stroke-width="1.5"/>`);
  }
  // Over the paths, as in the app: the minima, then the starts.
  if (p.surface) {
    const inside = (px: number, py: number): boolean => px >= M.left - 1e-6 && px <= M.left + PW + 1e-6 && py >= top - 1e-6 && py <= top + PH + 1e-6;
    for (const m of p.surface.minima) if (inside(X(m.x), Y(m.y))) out.push(diamondSvg(X(m.x), Y(m.y), m.colour));
    for (const st of p.surface.starts) if (inside(X(st.x), Y(st.y))) out.push(startSvg(X(st.x), Y(st.y)));
  }
  const quarter = (c: Rgb): Rgb => [0, 1, 2].map((k) => Math.round(255 - 0.25 * (255 - (c[k] as number)))) as [number, number, number];
  const items: (LegendItem | GlyphItem)[] = [
    // A series without a label (a run's dashed twin of a labelled curve) takes no legend row.
    ...p.series
      .filter((s) => s.label !== '')
      .map((s): LegendItem => (s.points ? { kind: 'swatch', colour: rgbOf(s.colour), label: s.label, dot: true } : { kind: 'line', colour: s.colour, label: s.label, dashed: s.dashed === true })),
    ...(p.marks ?? []).map((m): LegendItem => ({ kind: 'line', colour: m.colour, label: m.label, dashed: true })),
    // A band is drawn at a quarter opacity over white: so is its swatch.
    ...(p.bands ?? []).map((b): LegendItem => ({ kind: 'swatch', colour: quarter(rgbOf(b.colour)), label: b.label })),
    ...(p.surface ? surfaceLegend(p.surface) : []),
  ];
  const legend = legendSvg(items, legendTop(top));
  out.push(legend.svg);
  return `${open(Math.ceil(legend.bottom + PAD))}\n${out.join('\n')}\n</svg>`;
}

function gridSvg(p: GridPanel, encodePng: EncodePng): string {
  const { width: w, height: h } = p;
  if (p.values.length !== w * h) throw new RangeError(`grid panel '${p.title}': ${p.values.length} values for ${w} x ${h} cells`);
  const xa: Axis = cellAxis(p.x, w);
  const ya: Axis = cellAxis(p.y, h);
  const legend: LegendItem[] = [];
  let colour: (run: number) => Rgb;
  if (p.scale === 'fractal') {
    const c = fractalColours(p.values);
    colour = (run) => c[run] as Rgb;
    legend.push(
      { kind: 'swatch', colour: rgbOf(fractalScaleColour(-0.25)), label: 'trained fast' },
      { kind: 'swatch', colour: rgbOf(fractalScaleColour(-1)), label: 'trained slowly' },
      { kind: 'swatch', colour: rgbOf(fractalScaleColour(0.25)), label: 'did not train: loss rose fast' },
      { kind: 'swatch', colour: rgbOf(fractalScaleColour(1)), label: 'did not train: loss rose slowly, or not at all' },
      { kind: 'note', label: 'Darker = slower on both sides: the boundary between them is the dark seam.' },
    );
  } else {
    const log = p.scale === 'viridis-log';
    const t = (v: number): number => (log ? Math.log10(v) : v);
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of p.values) {
      const u = t(v);
      if (!Number.isFinite(u)) continue;
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
    }
    if (!(lo <= hi)) [lo, hi] = [0, 1];
    if (hi - lo < 1e-12) [lo, hi] = [lo - 0.5, hi + 0.5];
    const lut = (q: number): Rgb => {
      const k = lutIndex(q) * 4;
      return [VIRIDIS_LUT[k] as number, VIRIDIS_LUT[k + 1] as number, VIRIDIS_LUT[k + 2] as number];
    };
    colour = (run) => {
      const u = t(p.values[run] as number);
      return Number.isFinite(u) ? lut((u - lo) / (hi - lo)) : DIVERGED_ON_RAMP;
    };
    const show = (u: number): string => formatNumber(log ? 10 ** u : u, 3);
    legend.push(
      { kind: 'ramp', stops: Array.from({ length: 9 }, (_, k) => lut(k / 8)), label: p.valueLabel, from: show(lo), to: show(hi) },
      { kind: 'swatch', colour: DIVERGED_ON_RAMP, label: 'diverged' },
    );
  }
  const head = titleBlock(p.title);
  const top = head.top;
  const clip = `plot${++figureCount}`;
  const body: string[] = [head.head];
  body.push(`<clipPath id="${clip}"><rect x="${M.left}" y="${top}" width="${PW}" height="${PH}"/></clipPath>`);
  body.push(cellsImageSvg(w, h, colour, encodePng, top), axesSvg(xa, ya, top));
  for (const r of p.rects ?? []) {
    const x0 = M.left + frac(xa, r.x0) * PW;
    const x1 = M.left + frac(xa, r.x1) * PW;
    const y0 = top + PH - frac(ya, r.y0) * PH;
    const y1 = top + PH - frac(ya, r.y1) * PH;
    body.push(`<rect x="${Math.min(x0, x1).toFixed(1)}" y="${Math.min(y0, y1).toFixed(1)}" width="${Math.abs(x1 - x0).toFixed(1)}" height="${Math.abs(y1 - y0).toFixed(1)}" fill="none" stroke="${r.colour}" stroke-width="1.5"/>`);
    legend.push({ kind: 'line', colour: r.colour, label: r.label, dashed: false });
  }
  for (const line of p.lines ?? []) {
    body.push(overlaySvg(line, xa, ya, top, clip));
    legend.push({ kind: 'line', colour: line.colour, label: line.label, dashed: true, ...(line.dotted ? { dotted: true } : {}) });
  }
  const lg = legendSvg(legend, legendTop(top));
  body.push(lg.svg);
  return `${open(Math.ceil(lg.bottom + PAD))}\n${body.join('\n')}\n</svg>`;
}

/**
 * A network sweep's map (the explorer's network view as a figure): its cells in the view's
 * colouring (netCellColour, as the page paints them), the swept axes labelled in words, the
 * colouring's legend (netHeatmapLegend, as the page's) and its caption (netCaption).
 */
export function netHeatmapSvg(p: NetHeatmapPanel, encodePng: EncodePng): string {
  const { plan } = p;
  const w = plan.width;
  const f = netFrame(plan, p.columns, plan.runs, p.mode);
  const sweep = plan.spec.sweep;
  const label = (path: string): string => netParamLabel(plan, path);
  const [xa, ya] = sweepAxes(sweep, w, label);
  const head = titleBlock(p.title);
  const top = head.top;
  const body: string[] = [head.head];
  const map = mapSvg(f, sweep, xa, ya, [], encodePng, top, (run) => netCellColour(f, run), '', p.framed);
  body.push(map.svg);
  const legend = legendSvg([...netHeatmapLegend(f), ...map.notes], legendTop(top, map.height));
  body.push(legend.svg);
  const cap = captionSvg(p.caption ?? netCaption(plan, p.mode), legend.bottom);
  body.push(cap.svg);
  return `${open(Math.ceil(cap.bottom + PAD))}\n${body.join('\n')}\n</svg>`;
}

/**
 * Figures side by side, `columns` to a row, as one SVG (each keeps its own size; a row is as tall as
 * its tallest): the explorer's network figure puts the map beside its runs' curves.
 */
export function figureGridSvg(svgs: readonly string[], columns = 2): string {
  const size = (svg: string): [number, number] => {
    const m = /width="(\d+(?:\.\d+)?)" height="(\d+(?:\.\d+)?)"/.exec(svg);
    return [Number(m?.[1] ?? W), Number(m?.[2] ?? 0)];
  };
  const parts: string[] = [];
  let y = 0;
  let width = 0;
  for (let k = 0; k < svgs.length; k += columns) {
    const row = svgs.slice(k, k + columns);
    let x = 0;
    let rowH = 0;
    for (const svg of row) {
      const [w, h] = size(svg);
      // A nested <svg> is placed by its x and y attributes: add them to its root element.
      parts.push(svg.replace(/^<svg /, `<svg x="${x}" y="${y}" `));
      x += w;
      rowH = Math.max(rowH, h);
    }
    width = Math.max(width, x);
    y += rowH;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}">\n<rect width="${width}" height="${y}" fill="#fff"/>\n${parts.join('\n')}\n</svg>`;
}

export function panelSvg(p: Panel, encodePng: EncodePng): string {
  if (p.kind === 'heatmap') return heatmapSvg(p, encodePng);
  if (p.kind === 'grid') return gridSvg(p, encodePng);
  return chartSvg(p);
}
