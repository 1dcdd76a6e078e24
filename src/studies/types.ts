/**
 * Studies: named presets that make a claim practitioners repeat visible on thousands of runs. Each
 * builds ordinary specs, runs them on whatever engine it is given (GPU or CPU), and returns panels
 * to draw, numeric findings (the claim, checked by its test) and a short explanation. The same
 * study runs from the app and from `basinlab study`.
 */
import type { AnyPlan, Plan } from '../core/plan.ts';
import type { NetPlan } from '../core/network/plan.ts';
import type { NetResults, Results } from '../core/results.ts';
import type { Engine, Progress } from '../engine/engine.ts';
import type { Panel } from '../view/panels.ts';
import type { Term } from './glossary.ts';

// The figures a study returns are drawn by the view layer; their types live there.
export type { ChartPanel, GridAxis, GridPanel, HeatmapPanel, LineSeriesData, OverlayLine, Panel, PanelSource } from '../view/panels.ts';

export interface StudyContext {
  readonly engine: Engine;
  /**
   * The engine for one of the study's sweeps, where the caller has several (the app, `basinlab
   * study` without --engine: a network sweep of few runs trains faster on the CPU engine,
   * src/engine/choose.ts); `engine` when absent. Studies reach it through run.ts's engineOf.
   */
  readonly engineFor?: (plan: AnyPlan) => Engine;
  /**
   * A float64 engine (cpu64), for a study that measures what float32 rounding decides in its
   * float32 results (fractal-boundary's deep zooms); absent: not measured.
   */
  readonly float64?: Engine;
  /** Smaller grids and fewer steps (tests, quick looks). */
  readonly quick: boolean;
  /**
   * The full-size study where its default is cut down to fit a CPU engine in minutes (the network
   * studies: the paper's resolution and steps); studies without a larger size ignore it. `quick`
   * wins when both are set.
   */
  readonly full?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (label: string, p: Progress) => void;
  /**
   * Told of each sweep the study ran to the end, with the engine that ran it: the app keeps them, so
   * that a figure's sweep opened in the explorer shows at once instead of running again.
   */
  readonly onRan?: (ran: RanSweep) => void;
}

/** A sweep a study ran, whole: its plan, results and engine. */
export type RanSweep =
  | { readonly problem: 'surface'; readonly plan: Plan; readonly results: Results; readonly engine: Engine }
  | { readonly problem: 'network'; readonly plan: NetPlan; readonly results: NetResults; readonly engine: Engine };

export type Finding = number | string | boolean | readonly number[] | readonly string[];

/**
 * Whether the study's claim held on this run's numbers: each study checks its own findings with one
 * function (its `check…`), the same one its test relies on, so the app's badge, the CLI's verdict
 * line and the test cannot disagree.
 */
export interface Verdict {
  readonly holds: boolean;
  /** Why not: one line per failed condition, with the numbers (empty when it holds). */
  readonly failures: readonly string[];
  /** What held: one line per condition met, with the numbers (every condition when the claim holds). */
  readonly checked: readonly string[];
}

export interface StudyResult {
  readonly id: string;
  readonly panels: readonly Panel[];
  /** The numbers behind the claim. */
  readonly findings: Readonly<Record<string, Finding>>;
  /** The claim, checked on the findings. */
  readonly verdict: Verdict;
  /** What the panels show, filled with this run's numbers: a paragraph, or a few separated by blank lines. */
  readonly summary: string;
  /** Numbers the summary would otherwise list in prose (shares by setting, values by batch size), as tables after it. */
  readonly tables?: readonly SummaryTable[];
}

/** A small table of a study's numbers: a title, column heads, and rows of cells already formatted. */
export interface SummaryTable {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** A study's sweep count at one size (Study.sweeps). */
export interface SweepCount {
  readonly count: number;
  /** The count is an upper bound: the run's findings decide how many it makes. */
  readonly atMost: boolean;
}

export interface Study {
  readonly id: string;
  /** What its runs are: networks train on data (the app picks their engine as it does for a network view). */
  readonly problem?: 'network';
  readonly title: string;
  /** The claim, in a sentence or two: what a reader should look for. */
  readonly claim: string;
  /** The glossary's terms its claim, verdict and summary use, explained under the claim. */
  readonly terms: readonly Term[];
  /**
   * Minutes its default size took on a 2-core machine's float32 CPU engine, for the studies where
   * that is more than a minute (the others take seconds). The app runs such a study's quick variant
   * first on a CPU engine and offers the default size with this estimate; the rest run at their
   * default size everywhere.
   */
  readonly cpuMinutes?: number;
  /**
   * How many sweeps a run at the context's size makes, for its progress ("sweep 3 of 12"): exact, or
   * `atMost` where its findings decide some of them (fractal-boundary: a zoom that finds no boundary
   * stops, and the float64 samples depend on the engines). The tests check it against the sweeps
   * each study's quick run reports.
   */
  sweeps(ctx: Pick<StudyContext, 'quick'> & Partial<Pick<StudyContext, 'full' | 'float64' | 'engine'>>): SweepCount;
  run(ctx: StudyContext): Promise<StudyResult>;
}
