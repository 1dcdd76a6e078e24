/**
 * Studies: named presets that make a claim practitioners repeat visible on thousands of runs. Each
 * builds ordinary specs, runs them on whatever engine it is given (GPU or CPU), and returns panels
 * to draw, numeric findings (the claim, checked by its test) and a short explanation. The same
 * study runs from the app and from `basinlab study`.
 */
import type { Plan } from '../core/plan.ts';
import type { Results } from '../core/results.ts';
import type { Engine, Progress } from '../engine/engine.ts';
import type { HeatmapMode } from '../app/heatmap/frame.ts';

export interface StudyContext {
  readonly engine: Engine;
  /** Smaller grids and fewer steps (tests, quick looks). */
  readonly quick: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (label: string, p: Progress) => void;
}

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
}

export interface LineSeriesData {
  readonly label: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly colour: string;
  /** Draw points instead of a line. */
  readonly points?: boolean;
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
}

export type Panel = HeatmapPanel | ChartPanel;

export type Finding = number | string | boolean | readonly number[] | readonly string[];

export interface StudyResult {
  readonly id: string;
  readonly panels: readonly Panel[];
  /** The numbers behind the claim (what the study's test checks). */
  readonly findings: Readonly<Record<string, Finding>>;
  /** One paragraph on what the panels show, filled with this run's numbers. */
  readonly summary: string;
}

export interface Study {
  readonly id: string;
  readonly title: string;
  /** The claim, in a sentence or two: what a reader should look for. */
  readonly claim: string;
  run(ctx: StudyContext): Promise<StudyResult>;
}
