/**
 * One renderer for study figures, in the app and in `basinlab study`: panels as SVG strings (the
 * app puts them in the page, the CLI rasterises them to PNG). Heatmaps use the same cell colours
 * as the app's heatmap (cellColour) and are embedded as a PNG image, encoded by whatever the
 * environment has (`encodePng`: node:zlib in the CLI, a canvas in the browser).
 */
import type { Rgb } from './colors.ts';
import { DIVERGED, NOT_CONVERGED, VIRIDIS_LUT, fractalColours, fractalScaleColour, lutIndex, minimumColour, rgbCss } from './colors.ts';
import { cellColour, heatmapFrame } from './frame.ts';
import type { ChartPanel, GridPanel, HeatmapPanel, OverlayLine, Panel } from './panels.ts';
import { formatNumber, niceTicks } from './ticks.ts';

export type EncodePng = (rgba: Uint8ClampedArray, width: number, height: number) => string;

const W = 460;
const H = 400;
const M = { left: 62, right: 14, top: 30, bottom: 74 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

interface Axis {
  readonly min: number;
  readonly max: number;
  readonly log: boolean;
  readonly label: string;
}

/** Data value to a fraction of the axis (0 = left/bottom). */
function frac(a: Axis, v: number): number {
  if (a.log) return (Math.log(v) - Math.log(a.min)) / (Math.log(a.max) - Math.log(a.min));
  return (v - a.min) / (a.max - a.min || 1);
}

function axesSvg(x: Axis, y: Axis): string {
  const parts: string[] = [`<rect x="${M.left}" y="${M.top}" width="${PW}" height="${PH}" fill="none" stroke="#444"/>`];
  for (const t of niceTicks(x.min, x.max, x.log ? 'log' : 'linear', 6)) {
    const u = frac(x, t.value);
    if (!(u >= -1e-9 && u <= 1 + 1e-9)) continue;
    const px = M.left + u * PW;
    parts.push(`<line x1="${px}" y1="${M.top + PH}" x2="${px}" y2="${M.top + PH + 4}" stroke="#444"/>`);
    parts.push(`<text x="${px}" y="${M.top + PH + 16}" text-anchor="middle">${esc(t.label)}</text>`);
  }
  for (const t of niceTicks(y.min, y.max, y.log ? 'log' : 'linear', 6)) {
    const u = frac(y, t.value);
    if (!(u >= -1e-9 && u <= 1 + 1e-9)) continue;
    const py = M.top + PH - u * PH;
    parts.push(`<line x1="${M.left - 4}" y1="${py}" x2="${M.left}" y2="${py}" stroke="#444"/>`);
    parts.push(`<text x="${M.left - 6}" y="${py + 4}" text-anchor="end">${esc(t.label)}</text>`);
  }
  parts.push(`<text x="${M.left + PW / 2}" y="${M.top + PH + 32}" text-anchor="middle">${esc(x.label)}${x.log ? ' (log)' : ''}</text>`);
  parts.push(
    `<text transform="translate(14 ${M.top + PH / 2}) rotate(-90)" text-anchor="middle">${esc(y.label)}${y.log ? ' (log)' : ''}</text>`,
  );
  return parts.join('');
}

function legendSvg(items: readonly { label: string; colour: string; line?: boolean }[]): string {
  const out: string[] = [];
  let x = M.left;
  let row = 0;
  for (const it of items) {
    const w = 26 + 7.2 * it.label.length;
    if (x + w > W - M.right && x > M.left) {
      x = M.left;
      row++;
    }
    const y = M.top + PH + 46 + row * 15;
    out.push(
      it.line
        ? `<line x1="${x}" y1="${y - 4}" x2="${x + 14}" y2="${y - 4}" stroke="${it.colour}" stroke-width="2"/>`
        : `<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${it.colour}" stroke="#888"/>`,
    );
    out.push(`<text x="${x + 18}" y="${y}">${esc(it.label)}</text>`);
    x += w;
  }
  return out.join('');
}

function frame(p: Panel): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, system-ui, sans-serif" font-size="11" fill="#222">
<rect width="${W}" height="${H}" fill="#fff"/><text x="${M.left}" y="18" font-size="13" font-weight="bold">${esc(p.title)}</text>`;
}

/**
 * The cells of a w x h grid as an image filling the plot area, cell centres on the axis values (so
 * the image spans half a cell beyond each end). Each cell becomes a k x k block: rasterisers smooth
 * embedded images whatever the SVG asks, and a sharp cell edge is information (the boundary
 * between basins).
 */
function cellsImageSvg(w: number, h: number, colour: (run: number) => Rgb, encodePng: EncodePng): string {
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
  const cw = PW / Math.max(1, w - 1 || 1);
  const ch = PH / Math.max(1, h - 1 || 1);
  const img = encodePng(rgba, iw, h * k);
  return `<svg x="${M.left}" y="${M.top}" width="${PW}" height="${PH}" viewBox="0 0 ${PW} ${PH}"><image x="${w > 1 ? -cw / 2 : 0}" y="${h > 1 ? -ch / 2 : 0}" width="${w > 1 ? PW + cw : PW}" height="${h > 1 ? PH + ch : PH}" preserveAspectRatio="none" style="image-rendering:pixelated" href="${img}"/></svg>`;
}

/** Dashed polylines in data coordinates, clipped to the plot area. */
function linesSvg(lines: readonly OverlayLine[], xa: Axis, ya: Axis): string {
  const out: string[] = [];
  for (const line of lines) {
    const pts = line.x
      .map((xv, k) => [M.left + frac(xa, xv) * PW, M.top + PH - frac(ya, line.y[k] as number) * PH] as const)
      .filter(([px, py]) => Number.isFinite(px) && Number.isFinite(py));
    out.push(
      `<svg x="${M.left}" y="${M.top}" width="${PW}" height="${PH}" overflow="hidden"><polyline transform="translate(${-M.left} ${-M.top})" points="${pts.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')}" fill="none" stroke="${line.colour}" stroke-width="2" stroke-dasharray="6 3"/></svg>`,
    );
  }
  return out.join('');
}

function heatmapSvg(p: HeatmapPanel, encodePng: EncodePng): string {
  const { plan, results } = p;
  const w = plan.width;
  const h = plan.height;
  const f = heatmapFrame(plan, results, plan.runs, p.mode);
  const { lo, hi } = f;
  const sweep = plan.spec.sweep;
  const xa: Axis =
    sweep?.kind === 'grid' ? { min: sweep.x.min, max: sweep.x.max, log: sweep.x.scale === 'log', label: sweep.x.param } : { min: 0, max: w, log: false, label: 'run' };
  const ya: Axis =
    sweep?.kind === 'grid' && sweep.y ? { min: sweep.y.min, max: sweep.y.max, log: sweep.y.scale === 'log', label: sweep.y.param } : { min: 0, max: 1, log: false, label: '' };
  const out = [frame(p)];
  out.push(cellsImageSvg(w, h, (run) => cellColour(f, run), encodePng));
  out.push(axesSvg(xa, ya));
  out.push(linesSvg(p.lines ?? [], xa, ya));
  const legend: { label: string; colour: string; line?: boolean }[] = [];
  if (p.mode === 'basin') {
    plan.minima.slice(0, 6).forEach((m, i) => legend.push({ label: `min ${i} (λ=${formatNumber(m.sharpness, 3)})`, colour: rgbCss(minimumColour(i)) }));
  } else {
    const c = (t: number): string => {
      const k = lutIndex(t) * 4;
      return `rgb(${VIRIDIS_LUT[k]},${VIRIDIS_LUT[k + 1]},${VIRIDIS_LUT[k + 2]})`;
    };
    const show = (v: number): string => (p.mode === 'steps' ? formatNumber(Math.round(v)) : formatNumber(10 ** v, 3));
    legend.push({ label: `${p.mode === 'loss' ? 'loss − best' : p.mode} ${show(lo)}`, colour: c(0) }, { label: show(hi), colour: c(1) });
  }
  legend.push({ label: 'not converged', colour: rgbCss(NOT_CONVERGED) }, { label: 'diverged', colour: rgbCss(DIVERGED) });
  for (const l of p.lines ?? []) legend.push({ label: l.label, colour: l.colour, line: true });
  out.push(legendSvg(legend), '</svg>');
  return out.join('\n');
}

function chartSvg(p: ChartPanel): string {
  let xmin = Number.POSITIVE_INFINITY;
  let xmax = Number.NEGATIVE_INFINITY;
  let ymin = Number.POSITIVE_INFINITY;
  let ymax = Number.NEGATIVE_INFINITY;
  for (const s of p.series) {
    s.x.forEach((xv, k) => {
      const yv = s.y[k] as number;
      if (!Number.isFinite(xv) || !Number.isFinite(yv) || (p.logX && xv <= 0) || (p.logY && yv <= 0)) return;
      xmin = Math.min(xmin, xv);
      xmax = Math.max(xmax, xv);
      ymin = Math.min(ymin, yv);
      ymax = Math.max(ymax, yv);
    });
  }
  if (!(xmin < xmax)) [xmin, xmax] = p.logX ? [Math.max(1e-12, xmin / 2), xmin * 2] : [xmin - 1, xmin + 1];
  if (!(ymin < ymax)) [ymin, ymax] = p.logY ? [Math.max(1e-12, ymin / 2), ymin * 2] : [ymin - 1, ymin + 1];
  if (!p.logY) {
    const pad = 0.05 * (ymax - ymin);
    ymin -= pad;
    ymax += pad;
  }
  const xa: Axis = { min: xmin, max: xmax, log: p.logX ?? false, label: p.xLabel };
  const ya: Axis = { min: ymin, max: ymax, log: p.logY ?? false, label: p.yLabel };
  const X = (v: number): number => M.left + frac(xa, v) * PW;
  const Y = (v: number): number => M.top + PH - frac(ya, v) * PH;
  const out = [frame(p)];
  for (const b of p.bands ?? []) {
    const x0 = Math.max(M.left, X(b.x0));
    const x1 = Math.min(M.left + PW, X(b.x1));
    if (x1 > x0) out.push(`<rect x="${x0}" y="${M.top}" width="${x1 - x0}" height="${PH}" fill="${b.colour}" opacity="0.25"/>`);
  }
  out.push(axesSvg(xa, ya));
  const clip = `<clipPath id="c"><rect x="${M.left}" y="${M.top}" width="${PW}" height="${PH}"/></clipPath>`;
  out.push(clip);
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
    for (const seg of segs) {
      if (s.points) {
        for (const pt of seg) {
          const [a, b] = pt.split(',');
          out.push(`<circle clip-path="url(#c)" cx="${a}" cy="${b}" r="2.2" fill="${s.colour}"/>`);
        }
      } else {
        out.push(`<polyline clip-path="url(#c)" points="${seg.join(' ')}" fill="none" stroke="${s.colour}" stroke-width="1.6"/>`);
      }
    }
  }
  for (const m of p.marks ?? []) {
    const x = X(m.x);
    if (x >= M.left && x <= M.left + PW) out.push(`<line x1="${x}" y1="${M.top}" x2="${x}" y2="${M.top + PH}" stroke="${m.colour}" stroke-dasharray="5 3" stroke-width="1.5"/>`);
  }
  out.push(
    legendSvg([
      ...p.series.map((s) => ({ label: s.label, colour: s.colour, line: !s.points })),
      ...(p.marks ?? []).map((m) => ({ label: m.label, colour: m.colour, line: true })),
      ...(p.bands ?? []).map((b) => ({ label: b.label, colour: b.colour })),
    ]),
    '</svg>',
  );
  return out.join('\n');
}

function gridSvg(p: GridPanel, encodePng: EncodePng): string {
  const { width: w, height: h } = p;
  if (p.values.length !== w * h) throw new RangeError(`grid panel '${p.title}': ${p.values.length} values for ${w} x ${h} cells`);
  const xa: Axis = p.x;
  const ya: Axis = p.y;
  const legend: { label: string; colour: string; line?: boolean }[] = [];
  let colour: (run: number) => Rgb;
  if (p.scale === 'fractal') {
    const c = fractalColours(p.values);
    colour = (run) => c[run] as Rgb;
    legend.push(
      { label: 'trained fast', colour: fractalScaleColour(-0.25) },
      { label: 'trained slowly', colour: fractalScaleColour(-1) },
      { label: 'diverged fast', colour: fractalScaleColour(0.25) },
      { label: 'untrained, slowly', colour: fractalScaleColour(1) },
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
      return Number.isFinite(u) ? lut((u - lo) / (hi - lo)) : DIVERGED;
    };
    const show = (u: number): string => formatNumber(log ? 10 ** u : u, 3);
    legend.push({ label: `${p.valueLabel} ${show(lo)}`, colour: rgbCss(lut(0)) }, { label: show(hi), colour: rgbCss(lut(1)) }, { label: 'diverged', colour: rgbCss(DIVERGED) });
  }
  const out = [frame(p), cellsImageSvg(w, h, colour, encodePng), axesSvg(xa, ya)];
  for (const r of p.rects ?? []) {
    const x0 = M.left + frac(xa, r.x0) * PW;
    const x1 = M.left + frac(xa, r.x1) * PW;
    const y0 = M.top + PH - frac(ya, r.y0) * PH;
    const y1 = M.top + PH - frac(ya, r.y1) * PH;
    out.push(`<rect x="${Math.min(x0, x1).toFixed(1)}" y="${Math.min(y0, y1).toFixed(1)}" width="${Math.abs(x1 - x0).toFixed(1)}" height="${Math.abs(y1 - y0).toFixed(1)}" fill="none" stroke="${r.colour}" stroke-width="1.5"/>`);
    legend.push({ label: r.label, colour: r.colour, line: true });
  }
  out.push(linesSvg(p.lines ?? [], xa, ya));
  for (const l of p.lines ?? []) legend.push({ label: l.label, colour: l.colour, line: true });
  out.push(legendSvg(legend), '</svg>');
  return out.join('\n');
}

export function panelSvg(p: Panel, encodePng: EncodePng): string {
  if (p.kind === 'heatmap') return heatmapSvg(p, encodePng);
  if (p.kind === 'grid') return gridSvg(p, encodePng);
  return chartSvg(p);
}
