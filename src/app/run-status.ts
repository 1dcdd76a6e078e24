/**
 * What the header says about the sweep shown: its state in a word, its progress bar, the
 * validation's badge and whether to offer drawing the view in float64. DOM-free, so each decision is
 * tested without a page (tests/unit/run-status.test.ts); the component only draws what this returns.
 */

/** The facts the header's line is decided from (AppController.status gathers them). */
export interface RunFacts {
  readonly running: boolean;
  readonly validating: boolean;
  /** A sweep's results are shown (also ones taken from a study's run, which had no progress of its own). */
  readonly hasResults: boolean;
  readonly waitingForStudy: boolean;
  readonly explorerClosed: boolean;
  /** The validation's progress while it runs, else the sweep's. */
  readonly progress: { readonly done: number; readonly total: number } | null;
  /** The validation of a surface view, if one ran. */
  readonly surfaceCheck: { readonly pass: boolean; readonly title: string } | null;
  /** The validation of a network view, if one ran. */
  readonly netCheck: {
    readonly pass: boolean;
    /** Float32 does not resolve the view: not a broken engine. */
    readonly rounding: boolean;
    readonly a: string;
    readonly b: string;
    readonly title: string;
  } | null;
  /** The engine that drew the view shown (`cpu64`: the float64 results are already shown). */
  readonly engineUsed: string;
  /** The engine the sweep would run on now. */
  readonly engineName: string | null;
  /** A network view is shown. */
  readonly network: boolean;
  /** The precision probe found float64 past its own resolution on this view (null: not measured). */
  readonly float64Fails: boolean | null;
}

export type RunState = 'running' | 'validating' | 'done' | 'waits for the study' | 'explorer closed' | 'idle';

export interface Badge {
  /** The CSS class: green, red, or amber for "not a broken engine, a view too fine for float32". */
  readonly tone: 'pass' | 'fail' | 'warn';
  readonly text: string;
  readonly title: string;
}

export interface RunStatus {
  /** A sweep or a validation is running: the header offers Cancel instead of Run. */
  readonly busy: boolean;
  readonly state: RunState;
  /** The progress bar: full once results are shown, empty before any sweep. */
  readonly bar: { readonly max: number; readonly value: number };
  /** The exports have something to write. */
  readonly canExport: boolean;
  readonly badge: Badge | null;
  /** Offer "Draw this view in float64": float32 does not resolve it, and float64 does (or is not yet known not to). */
  readonly offerFloat64: boolean;
}

export function runState(f: RunFacts): RunState {
  if (f.running) return 'running';
  if (f.validating) return 'validating';
  if (f.hasResults) return 'done';
  if (f.waitingForStudy) return 'waits for the study';
  if (f.explorerClosed) return 'explorer closed';
  return 'idle';
}

/**
 * The validation's badge: none while one runs (its status line speaks then). A word or two beside
 * the Validate button, the pair and the numbers in its title and on the message line: a longer chip
 * pushed the header onto a third row at 1280 px (walkthrough 11).
 */
export function validationBadge(f: RunFacts): Badge | null {
  if (f.validating) return null;
  const s = f.surfaceCheck;
  if (s) return { tone: s.pass ? 'pass' : 'fail', text: s.pass ? '✓ passed' : '✗ failed', title: s.title };
  const n = f.netCheck;
  if (!n) return null;
  if (n.rounding) return { tone: 'warn', text: f.engineUsed === 'cpu64' ? 'float64 shown' : '⚠ past float32', title: `Float32 does not resolve this view. ${n.title}` };
  return { tone: n.pass ? 'pass' : 'fail', text: n.pass ? '✓ passed' : '✗ failed', title: `${n.a} vs ${n.b}: ${n.title}` };
}

export function runStatus(f: RunFacts): RunStatus {
  const busy = f.running || f.validating;
  const max = f.progress?.total ?? 1;
  return {
    busy,
    state: runState(f),
    bar: { max, value: busy ? (f.progress?.done ?? 0) : f.hasResults ? max : 0 },
    canExport: f.hasResults,
    badge: validationBadge(f),
    offerFloat64: !!f.netCheck?.rounding && !f.validating && f.engineName !== 'cpu64' && f.network && f.float64Fails !== true,
  };
}

/**
 * The header's engine line: the engines' status, and, where a network map shown was drawn by
 * another engine than the GPU the status names, which one and why (walkthrough 14: "WebGPU" over a
 * map the CPU workers drew; networks go to the CPU engine on an emulated GPU and for sweeps of few
 * runs, src/engine/choose.ts). `gpu`: a GPU engine is in use.
 */
export function engineLine(status: string, f: Pick<RunFacts, 'network' | 'hasResults' | 'engineUsed'>, gpu: boolean): { readonly text: string; readonly title: string } {
  if (!gpu || !f.network || !f.hasResults || f.engineUsed === 'gpu') return { text: status, title: status };
  const drew = f.engineUsed === 'cpu64' ? 'the float64 CPU engine' : 'the CPU workers';
  return {
    text: `${status} · this map: ${f.engineUsed === 'cpu64' ? 'float64 CPU' : 'CPU workers'}`,
    title: `${status}. This network map was drawn by ${drew}: network sweeps train there on an emulated GPU, and on a real one when they have too few runs to fill it. Add engine=gpu to the link (#engine=gpu) to train networks on the GPU whatever their size.`,
  };
}

/**
 * The validation's badge while a study is open above the explorer: it is the explorer map's, not the
 * study's, and says so (walkthrough 14: "✓ passed" in the header read as the study's verdict).
 */
export function badgeBesideStudy(badge: Badge | null, studyOpen: boolean): Badge | null {
  if (!badge || !studyOpen) return badge;
  return { ...badge, text: badge.text.replace(/^(\S+) /, '$1 map '), title: `The explorer's map, below the study: ${badge.title}` };
}

/**
 * What a cancel says where no complete map was there to give the screen back to (a first sweep):
 * how much of the map it left and that it is not exported (walkthrough 15: the partial map stayed
 * with "Run cancelled." alone, and the greyed export buttons did not say why).
 */
export function cancelledText(ready: number, runs: number): string {
  if (ready <= 0) return 'Run cancelled before any run finished: there is no map to show or export yet; Run computes it.';
  if (ready >= runs) return 'Run cancelled as its last runs came in: the map shows them all, but the sweep did not finish, so nothing is exported; Run computes it again.';
  const n = (k: number): string => k.toLocaleString('en-US');
  return `Run cancelled after ${n(ready)} of ${n(runs)} run${runs === 1 ? '' : 's'}: the map shows those, the rest blank; exports wait for a complete sweep, which Run computes.`;
}
