/**
 * The figures the view layer draws as SVG (src/view/svg.ts): a heatmap of a sweep's results, or a
 * line/point chart. Studies build them; the app and `basinlab study` render them the same way.
 */
import type { Plan } from '../core/plan.ts';
import type { NetPlan } from '../core/network/plan.ts';
import type { NetColumns, Results } from '../core/results.ts';
import type { AnySpec } from '../core/spec.ts';
import { specKey } from '../core/spec.ts';
import type { NetHeatmapMode } from './net-frame.ts';
import type { HeatmapMode } from './frame.ts';
import type { SurfaceContours } from './contours.ts';

/**
 * A run framed on a map in its colour (the explorer's selected and pinned runs, as the page frames
 * their cells): the same colour as its curves in the charts beside the map, so that a reader of the
 * figure can tell which cell each curve is.
 */
export interface FramedRun {
  /** Its run index in the map's sweep (row-major: j * width + i). */
  readonly run: number;
  readonly colour: string;
}

/** A polyline in data coordinates drawn over a heatmap (e.g. a stability limit). */
export interface OverlayLine {
  readonly label: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly colour: string;
  /** Dotted rather than dashed: a second kind of line beside the first in the same ink (map and legend alike). */
  readonly dotted?: boolean;
  /** A short name, written where a one-row sweep's curve crosses the line (the label is the legend's). */
  readonly name?: string;
}

export interface HeatmapPanel {
  readonly kind: 'heatmap';
  readonly title: string;
  readonly plan: Plan;
  readonly results: Results;
  readonly mode: HeatmapMode;
  readonly lines?: readonly OverlayLine[];
  /** A sentence under the figure saying what it shows (view/caption.ts). */
  readonly caption?: string;
  /**
   * The colour range of a continuous mode (transformed units, see HeatmapFrame), shared by panels
   * meant to be compared; absent, each panel spans its own values.
   */
  readonly range?: readonly [number, number];
  /** Runs to frame on the map, in this order (a later frame over an earlier one). */
  readonly framed?: readonly FramedRun[];
}

export interface LineSeriesData {
  readonly label: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly colour: string;
  /** Draw points instead of a line. */
  readonly points?: boolean;
  /** A dashed line (e.g. a test loss beside its training loss of the same colour). */
  readonly dashed?: boolean;
  /** A line with a dot at each value: a few measurements joined, not a curve sampled every step. */
  readonly markers?: boolean;
}

export interface ChartPanel {
  readonly kind: 'chart';
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly logX?: boolean;
  readonly logY?: boolean;
  readonly series: readonly LineSeriesData[];
  /** Vertical marks (e.g. a suggested LR) with labels. */
  readonly marks?: readonly { readonly x: number; readonly label: string; readonly colour: string }[];
  /** Shaded x intervals (e.g. the converging LR band). */
  readonly bands?: readonly { readonly x0: number; readonly x1: number; readonly label: string; readonly colour: string }[];
  /** The sweeps the chart was computed from, each openable in the app's explorer. */
  readonly sources?: readonly PanelSource[];
  /** The x values to tick, where the data has a few that mean something (the batch sizes measured, not 5, 10, 20: walkthrough 11); absent, nice ticks. */
  readonly xTicks?: readonly number[];
  /** Fixed axis ranges (a surface's view, where a diverged path would stretch the axes to 1e19); absent, the data's. */
  readonly domain?: { readonly x: readonly [number, number]; readonly y: readonly [number, number] };
  /** A loss surface under a chart of paths in its plane (x, y): its contours, its known minima and the runs' starts. */
  readonly surface?: SurfaceBackdrop;
}

/**
 * The surface a chart of paths is drawn on, as the app's contour plot draws it: filled contours
 * with their lines under the paths, over them the known minima (diamonds in their basins' colours,
 * the map's hues) and the runs' starts (white circles with a dark rim).
 */
export interface SurfaceBackdrop {
  /** The contours (view/contours.ts surfaceContours), or null where there are none to draw. */
  readonly contours: SurfaceContours | null;
  readonly minima: readonly { readonly x: number; readonly y: number; readonly colour: string }[];
  readonly starts: readonly { readonly x: number; readonly y: number }[];
}

/** A spec behind a panel, with what to call it on its "Open in explorer" button. */
export interface PanelSource {
  readonly label: string;
  /** A surface spec, or a network spec (the network studies' maps). */
  readonly spec: AnySpec;
  /** The colouring to open a network view in (a surface panel's heatmap says its own). */
  readonly mode?: NetHeatmapMode;
}

/** The specs a panel was built from: a heatmap's own sweep, or the chart's sources. */
export function panelSources(p: Panel): readonly PanelSource[] {
  return p.kind === 'heatmap' ? [{ label: 'this map', spec: p.plan.spec }] : (p.sources ?? []);
}

/** Where a study figure's sweeps open in the explorer (figureOpens). */
export interface FigureOpens {
  /** The sources this figure offers a button for. */
  readonly offers: readonly PanelSource[];
  /** Its other sources, each with the index of the figure whose button opens it. */
  readonly elsewhere: readonly { readonly source: PanelSource; readonly at: number }[];
}

/**
 * Which of its sources each figure of a study offers, so that a sweep is offered once on the page
 * rather than under every figure computed from it (the fractal study's two charts would each
 * repeat its maps' three "depth k" buttons). A map (heatmap or grid) offers all of its own sources:
 * the map is the sweep, and it opens in the map's colouring. A sweep no map offers is offered by
 * the chart most about it: the one with the fewest sources (lr-finder's constant-LR sweep by the
 * chart of that sweep alone, not by the range test's chart that also draws its band), the earliest
 * of equals. Each chart says which figures offer the rest of its sources. Sources are the same
 * sweep when their specs are (their colourings may differ: the explorer switches those).
 */
export function figureOpens(panels: readonly Panel[]): FigureOpens[] {
  const key = sourceKey;
  const owner = new Map<string, number>();
  const claim = (k: number): void => {
    for (const src of panelSources(panels[k] as Panel)) if (!owner.has(key(src))) owner.set(key(src), k);
  };
  const order = panels.map((_, k) => k);
  order.filter((k) => panels[k]?.kind !== 'chart').forEach(claim);
  const charts = order.filter((k) => panels[k]?.kind === 'chart');
  // A stable sort: equals keep their order on the page.
  charts.sort((a, b) => panelSources(panels[a] as Panel).length - panelSources(panels[b] as Panel).length).forEach(claim);
  return panels.map((p, k) => {
    const sources = panelSources(p);
    if (p.kind !== 'chart') return { offers: sources, elsewhere: [] };
    const offers: PanelSource[] = [];
    const elsewhere: { source: PanelSource; at: number }[] = [];
    for (const src of sources) {
      const at = owner.get(key(src)) ?? k;
      if (at !== k) elsewhere.push({ source: src, at });
      else if (!offers.some((o) => key(o) === key(src))) offers.push(src);
    }
    return { offers, elsewhere };
  });
}

/** Two sources are one sweep when their specs are equal (a chart may list one sweep in two colourings). */
function sourceKey(src: PanelSource): string {
  return specKey(src.spec);
}

/**
 * The line under a chart whose sweeps (some or all) open from other figures' buttons: "To explore
 * this chart's sweeps: “Open … in explorer” under the maps." One figure is named by its title; several are "the maps" (or
 * "the figures" when not all are maps). Empty when the chart offers all of its sources itself.
 */
export function opensElsewhereNote(panels: readonly Panel[], opens: FigureOpens): string {
  const at = [...new Set(opens.elsewhere.map((e) => e.at))];
  const others = at.map((i) => panels[i]).filter((p): p is Panel => p !== undefined);
  const first = others[0];
  if (!first) return '';
  const where = others.length === 1 ? `“${first.title}”` : others.every((p) => p.kind !== 'chart') ? 'the maps' : 'the figures';
  const sweeps = new Set(opens.elsewhere.map((e) => sourceKey(e.source))).size === 1 ? 'sweep' : 'sweeps';
  if (opens.offers.length > 0) return `To explore this chart's other ${sweeps}: “Open … in explorer” under ${where}.`;
  return `To explore this chart's ${sweeps}: “Open … in explorer” under ${where}.`;
}

/** An axis of a grid panel: the swept values' range, as the sweep spans it. */
export interface GridAxis {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly log: boolean;
  /** The swept values are integers (a batch size): the axis gets integer ticks only. */
  readonly integer?: boolean;
}

/**
 * A heatmap of one number per cell, coloured by the view (not by a surface sweep's modes): what the
 * network studies draw (a convergence measure, a test accuracy, a sharpness over two swept
 * hyperparameters). Plain data, so that it reaches a study's JSON as it is.
 */
export interface GridPanel {
  readonly kind: 'grid';
  readonly title: string;
  readonly width: number;
  readonly height: number;
  readonly x: GridAxis;
  readonly y: GridAxis;
  /** One value per cell, row-major, row 0 at the bottom (run j * width + i); NaN: no value (diverged). */
  readonly values: readonly number[];
  /**
   * fractal: the fractal-boundary paper's colouring of its convergence measure (colors.ts
   * fractalColours); viridis: linear in the value; viridis-log: linear in log10 of the value.
   */
  readonly scale: 'fractal' | 'viridis' | 'viridis-log';
  /** What the values are (the legend's words). */
  readonly valueLabel: string;
  /** Rectangles in data coordinates (e.g. the next zoom's window). */
  readonly rects?: readonly { readonly x0: number; readonly x1: number; readonly y0: number; readonly y1: number; readonly label: string; readonly colour: string }[];
  readonly lines?: readonly OverlayLine[];
  /** The sweeps the grid was computed from, each openable in the app's explorer. */
  readonly sources?: readonly PanelSource[];
}

export type Panel = HeatmapPanel | ChartPanel | GridPanel;

/**
 * A network sweep's map in one of its colourings (net-frame.ts), with the axes, the legend and the
 * caption the explorer shows: the explorer's figure export of a network view (svg.ts netHeatmapSvg).
 */
export interface NetHeatmapPanel {
  readonly kind: 'netmap';
  readonly title: string;
  readonly plan: NetPlan;
  readonly columns: NetColumns;
  readonly mode: NetHeatmapMode;
  readonly caption?: string;
  /** Runs to frame on the map, in this order (a later frame over an earlier one). */
  readonly framed?: readonly FramedRun[];
}
