/**
 * The figures the view layer draws as SVG (src/view/svg.ts): a heatmap of a sweep's results, or a
 * line/point chart. Studies build them; the app and `basinlab study` render them the same way.
 */
import type { Plan } from '../core/plan.ts';
import type { NetPlan } from '../core/network/plan.ts';
import type { NetColumns, Results } from '../core/results.ts';
import type { AnySpec } from '../core/spec.ts';
import type { NetHeatmapMode } from './net-frame.ts';
import type { HeatmapMode } from './frame.ts';

/** A polyline in data coordinates drawn over a heatmap (e.g. a stability limit). */
export interface OverlayLine {
  readonly label: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly colour: string;
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

/** An axis of a grid panel: the swept values' range, as the sweep spans it. */
export interface GridAxis {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly log: boolean;
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
}
