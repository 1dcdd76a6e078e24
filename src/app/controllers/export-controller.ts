/**
 * Exports of the shown sweep: the heatmap as a figure (axes, legend, theory lines and caption),
 * drawn by the renderer the studies use (view/svg.ts), as SVG or as a PNG rasterised from that SVG
 * by the browser at a chosen scale; and the results as CSV or JSON through the core encoders (the
 * same text as `basinlab sweep` writes).
 */
import { writeResultsCSV, writeResultsJSON } from '../../core/results.ts';
import { findDataSet } from '../../core/data/index.ts';
import { caption, netCaption, netParamShort, paramLabel } from '../../view/caption.ts';
import type { HeatmapMode } from '../../view/frame.ts';
import type { NetHeatmapMode } from '../../view/net-frame.ts';
import { NET_DEFAULT_MODE, NET_MODE_LABEL } from '../../view/net-frame.ts';
import type { ChartPanel, FramedRun, HeatmapPanel, NetHeatmapPanel } from '../../view/panels.ts';
import type { EncodePng } from '../../view/svg.ts';
import { figureGridSvg, netHeatmapSvg, panelSvg } from '../../view/svg.ts';
import { theoryLines } from '../../view/theory.ts';
import type { FigureRun } from '../net-runs.ts';
import { netCurvePanels } from '../net-runs.ts';
import type { SurfaceFigureRun } from '../runs.ts';
import { surfaceCurvePanels } from '../runs.ts';
import type { RunController } from './run-controller.ts';

/** PNG data URL of an RGBA image, through a canvas (the browser's encoder). */
export function canvasPng(rgba: Uint8ClampedArray, width: number, height: number): string {
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  const ctx = c.getContext('2d');
  if (!ctx) return '';
  ctx.putImageData(new ImageData(new Uint8ClampedArray(rgba), width, height), 0, 0);
  return c.toDataURL('image/png');
}

/** Resolutions the PNG figure is offered at: multiples of the SVG's size (520 px wide). */
export const FIGURE_SCALES = [1, 2, 4] as const;

export class ExportController {
  constructor(
    private readonly sweep: RunController,
    private readonly mode: () => HeatmapMode,
    /** The colouring of a network view. */
    private readonly netMode: () => NetHeatmapMode = () => NET_DEFAULT_MODE,
    /** A network view's pinned and selected runs (their curves join the figure once recorded). */
    private readonly netRuns: () => readonly { readonly trajectory: FigureRun['trajectory'] | null; readonly colour: string; readonly label: string }[] = () => [],
    /** A surface view's pinned and selected runs (their paths and curves join the figure once recorded). */
    private readonly surfaceRuns: () => readonly { readonly trajectory: SurfaceFigureRun['trajectory'] | null; readonly colour: string; readonly label: string }[] = () => [],
  ) {}

  /** The shown network sweep's map as a figure panel (null before its results are complete, or for a surface). */
  netPanel(): NetHeatmapPanel | null {
    const net = this.sweep.net;
    if (!net?.results) return null;
    const mode = this.netMode();
    const plan = net.plan;
    // The data set by its title, as the caption names it (walkthrough 18: "on iris").
    const title = `${plan.optimizer.id} training an MLP ${plan.layout.sizes.join('–')} on ${findDataSet(plan.spec.data.name)?.title ?? plan.spec.data.name}: ${NET_MODE_LABEL[mode]}`;
    return { kind: 'netmap', title, plan, columns: net.results, mode, caption: netCaption(plan, mode) };
  }

  /**
   * A network view's figure: its map, and beside it the charts of the selected and pinned runs'
   * curves (loss, each param group's LR, gradient norm) where any are recorded, as one SVG.
   */
  private netSvg(): string | null {
    const p = this.netPanel();
    if (!p) return null;
    const runs = recorded(this.netRuns());
    // The runs whose curves are beside the map framed on it, in their curves' colours.
    return besideMap(netHeatmapSvg({ ...p, framed: framedRuns(runs, p.plan.runs) }, canvasPng), netCurvePanels(p.plan, runs), canvasPng);
  }

  /** The shown sweep as a figure panel (null before its results are complete). */
  panel(): HeatmapPanel | null {
    const plan = this.sweep.plan;
    const results = this.sweep.results;
    if (!plan || !results) return null;
    const mode = this.mode();
    const title = `${plan.optimizer.id} on ${plan.surface.title}`;
    return { kind: 'heatmap', title, plan, results, mode, lines: theoryLines(plan), caption: caption(plan, mode) };
  }

  /** The figure's SVG text, or null before there are results. */
  svg(): string | null {
    if (this.sweep.net) return this.netSvg();
    const p = this.panel();
    if (!p) return null;
    return surfaceFigureSvg(p, recorded(this.surfaceRuns()), canvasPng);
  }

  /** The exported file's name (without extension) for the view shown: `exportName`, its axes named as the figure's are. */
  fileName(what: string): string {
    const net = this.sweep.net;
    if (net) return exportName(net.plan, net.plan.spec.data.name, what, (path) => netParamShort(net.plan, path));
    const plan = this.sweep.plan;
    return plan ? exportName(plan, plan.surface.id, what, (path) => paramLabel(plan, path)) : `basinlab-${what}`;
  }

  /** Downloads the figure: SVG, or PNG rasterised from the same SVG at `scale` times its size. */
  async figure(format: 'svg' | 'png', scale = 2): Promise<void> {
    const svg = this.svg();
    if (!svg) return;
    const name = this.fileName(this.sweep.net ? this.netMode() : this.mode());
    if (format === 'svg') {
      const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
      download(url, `${name}.svg`);
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      return;
    }
    download(await rasterise(svg, scale), `${name}@${scale}x.png`);
  }

  /** The results as a file's contents, or null before there are final results. */
  text(format: 'csv' | 'json'): Blob | null {
    // Either kind of sweep: a network's results write the network columns (the CLI's own writers).
    const net = this.sweep.net;
    const plan = net?.plan ?? this.sweep.plan;
    const res = net ? net.results : this.sweep.results;
    if (!plan || !res) return null;
    const parts: string[] = [];
    if (format === 'csv') writeResultsCSV(res, plan, (c) => parts.push(c));
    else writeResultsJSON(res, plan, (c) => parts.push(c));
    return new Blob(parts, { type: format === 'csv' ? 'text/csv' : 'application/json' });
  }

  data(format: 'csv' | 'json'): void {
    const blob = this.text(format);
    if (!blob) return;
    const url = URL.createObjectURL(blob);
    download(url, `${this.fileName('results')}.${format}`);
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}

/** Greek letters of parameter names as a file name spells them. */
const GREEK: Readonly<Record<string, string>> = { α: 'alpha', β: 'beta', γ: 'gamma', δ: 'delta', ε: 'eps', η: 'eta', λ: 'lambda', μ: 'mu', ρ: 'rho', σ: 'sigma' };

/** Text as a file name's part: lower case, Greek spelled out, a possessive dropped ("OneCycleLR's max_lr" → onecyclelr-max-lr), anything else but letters and digits a hyphen. */
function fileWord(t: string): string {
  return t
    .toLowerCase()
    .replace(/[α-ω]/g, (c) => GREEK[c] ?? '-')
    .replace(/['’]s\b/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * An axis as a file name names it: its label on the figure (`label`), shortened as run labels are
 * ("learning rate" → lr) and without an aside in brackets ("β1 (betas[0])" → beta1); or, without
 * a label, the path as the editor writes it (start.1 → start-1).
 */
export function axisFileName(path: string, label?: (path: string) => string): string {
  const text = label ? label(path) : path.replace(/^(optimizer|surface|schedule)\./, '');
  return fileWord(text.replace(/^learning rate\b/, 'lr').replace(/\s*\([^)]*\)/g, ''));
}

/**
 * A file name for an export that names its view (walkthrough 6 got basinlab-outcome.svg for every
 * figure, and a lecture folder of "(1)", "(2)", …): the problem, the optimiser, the swept parameters
 * named as the figure's axes are (`label`: the axis titles' words, shortened by axisFileName) and
 * joined by "by", and what the file holds, in lower case, each part reduced to letters, digits and
 * hyphens: `rosenbrock-sgd-lr-by-momentum-outcome`, `himmelblau-sgd-start-x-by-start-y-outcome`
 * (walkthrough 19 got "start-x-start" for start[0] × start[1]; walkthrough 18 "lr-x-lr" for two
 * param groups' LRs).
 */
export function exportName(
  plan: { readonly dims: readonly { readonly path: string }[]; readonly spec: { readonly optimizer: { readonly name: string } } },
  problem: string,
  what: string,
  label?: (path: string) => string,
): string {
  // The plan's swept paths, whatever the sweep's kind.
  const swept = plan.dims.map(({ path }) => axisFileName(path, label));
  return ['basinlab', fileWord(problem), fileWord(plan.spec.optimizer.name), swept.join('-by-'), fileWord(what)].filter((t) => t !== '').join('-');
}

/**
 * A surface view's figure: its map, the runs whose curves are drawn framed on it in their colours,
 * and beside it those runs' paths on the surface (its contours, its minima and their starts, as the
 * app's contour plot draws them: runs.ts surfaceBackdrop), loss and LR per step, as one SVG.
 */
export function surfaceFigureSvg(panel: HeatmapPanel, runs: readonly SurfaceFigureRun[], encodePng: EncodePng): string {
  const plan = panel.plan;
  const map = panelSvg({ ...panel, framed: framedRuns(runs, plan.runs) }, encodePng);
  return besideMap(map, surfaceCurvePanels(plan, runs), encodePng);
}

/** The frames of runs drawn beside a map of `count` runs: each one's cell, in its colour (its trajectory's run). */
export function framedRuns(runs: readonly { readonly trajectory: { readonly run: number }; readonly colour: string }[], count: number): FramedRun[] {
  return runs.flatMap((r) => (r.trajectory.run >= 0 && r.trajectory.run < count ? [{ run: r.trajectory.run, colour: r.colour }] : []));
}

/** The runs whose paths are recorded (a figure draws only those). */
function recorded<T>(runs: readonly { readonly trajectory: T | null; readonly colour: string; readonly label: string }[]): { trajectory: T; colour: string; label: string }[] {
  return runs.flatMap((r) => (r.trajectory ? [{ trajectory: r.trajectory, colour: r.colour, label: r.label }] : []));
}

/** A map's figure with charts beside it, two to a row, where there are any. */
function besideMap(map: string, charts: readonly ChartPanel[], encodePng: EncodePng): string {
  return charts.length > 0 ? figureGridSvg([map, ...charts.map((c) => panelSvg(c, encodePng))], 2) : map;
}

/** An SVG drawn by the browser onto a canvas `scale` times its size, as a PNG data URL. */
export async function rasterise(svg: string, scale: number): Promise<string> {
  const m = /width="(\d+(?:\.\d+)?)" height="(\d+(?:\.\d+)?)"/.exec(svg);
  const w = Number(m?.[1] ?? 0);
  const h = Number(m?.[2] ?? 0);
  if (!(w > 0 && h > 0)) throw new Error('figure without a size');
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = Math.round(w * scale);
    c.height = Math.round(h * scale);
    const ctx = c.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas');
    ctx.drawImage(img, 0, 0, c.width, c.height);
    return c.toDataURL('image/png');
  } finally {
    URL.revokeObjectURL(url);
  }
}

function download(href: string, name: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  a.click();
}
