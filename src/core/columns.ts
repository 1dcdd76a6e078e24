/**
 * The columns a plan produces, derived once: every output (the CLI's stdout and terminal summary,
 * every file sink, the readers, merge, the app's exports) and every engine's allocation take them
 * from `resultColumns`. A new optional column is one entry in OPTIONAL_COLUMNS (plus the engines
 * that fill it); the formats, the merge, the readers and the column test (tests/io/columns.test.ts)
 * follow from it, and the README documents each one (a test checks that it names them all).
 *
 * Per-run fields are typed arrays in row-major order (index = j * width + i, i indexing xValues, j
 * indexing yValues); float columns are Float32Array when the engine computed in float32 (cpu, gpu)
 * and Float64Array for cpu64.
 */
import { findDataSet } from './data/index.ts';
import { CONVERGENCE_TAIL } from './network/plan.ts';
import type { AnySpec, Spec } from './spec.ts';
import type { Precision } from './steps.ts';

export type { Precision } from './steps.ts';
/** Every engine, once: the CLI's --engine choices and the result files' engine field are checked against it. */
export const ENGINE_NAMES = ['cpu', 'cpu64', 'gpu'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];
export type FloatColumn = Float32Array | Float64Array;

/** What a column holds: `float` is float32 or float64 by the engine's precision. */
export type ColumnKind = 'float' | 'int32' | 'bool';
/** A column's concrete type in a file. */
export type ColumnType = 'int32' | 'float32' | 'float64' | 'bool';

interface ColumnEntry {
  readonly name: string;
  readonly kind: ColumnKind;
  /**
   * What the value means, with its unit, in Markdown: the README's table of per-run columns is
   * generated from these (columnsMarkdown; a test keeps it in step).
   */
  readonly doc: string;
}

/** The columns every plan produces, in file order. */
export const BASE_COLUMNS = [
  {
    name: 'final_x',
    kind: 'float',
    doc: 'x of the last iterate: after `steps` steps, or at the outcome checkpoint where the run was found diverged (it stops there; then possibly NaN or ±Infinity). Surface coordinates',
  },
  { name: 'final_y', kind: 'float', doc: 'y of the last iterate, as `final_x`' },
  {
    name: 'loss',
    kind: 'float',
    doc: "the surface's value f(`final_x`, `final_y`) (for the logistic-regression surface, over the whole data set, whatever the minibatches)",
  },
  {
    name: 'sharpness',
    kind: 'float',
    doc: 'the largest eigenvalue of the Hessian of f at (`final_x`, `final_y`): loss per squared coordinate unit; negative where f curves down',
  },
  {
    name: 'basin',
    kind: 'int32',
    doc: 'index into `minima` of the minimum the run ended within `radius` of (at its last outcome checkpoint), or −1: not converged, or diverged',
  },
  {
    name: 'diverged',
    kind: 'bool',
    doc: 'the run was beyond `bound` in x or y, or non-finite, at an outcome checkpoint (every `outcome.check_every` steps and the last step; it stopped there); 1/0 in JSON and CSV',
  },
  {
    name: 'steps_to_converge',
    kind: 'int32',
    doc: 'the step count from which the run stayed within `radius` of the minimum it ended in, to the resolution of `outcome.check_every`; −1 when `basin` is −1',
  },
] as const satisfies readonly ColumnEntry[];

/**
 * Columns an optional feature of the spec adds, after the base columns, in this order. SAM adds
 * none: it changes where each step takes its gradient, not what a run reports (its gradient point
 * is recorded by trajectories, as grad_x / grad_y).
 */
export const OPTIONAL_COLUMNS = [
  {
    /** The spec key that turns the feature on. */
    feature: 'swa',
    when: (spec: Pick<Spec, 'swa'>): boolean => spec.swa !== null,
    columns: [
      {
        name: 'swa_x',
        kind: 'float',
        doc: "x of the stochastic weight average of the iterates after steps `swa.start`, `swa.start + swa.every`, … (torch's `AveragedModel`, which holds the start until its first average: the start's x if the run diverged before any iterate was averaged). The last iterate stays `final_x`",
      },
      { name: 'swa_y', kind: 'float', doc: 'y of the stochastic weight average, as `swa_x`' },
      { name: 'swa_loss', kind: 'float', doc: 'f(`swa_x`, `swa_y`)' },
    ],
  },
] as const satisfies readonly { readonly feature: string; readonly when: (spec: Spec) => boolean; readonly columns: readonly ColumnEntry[] }[];

/**
 * The columns every network run produces (core/network/, engine/cpu/network.ts), in file order.
 * Losses are torch's (mean reduction) over the whole split, at the last step or where the run was
 * found diverged.
 */
export const NET_BASE_COLUMNS = [
  { name: 'initial_loss', kind: 'float', doc: 'the training loss at the initial weights (over the whole training set)' },
  { name: 'train_loss', kind: 'float', doc: 'the training loss after `steps` steps, or at the outcome checkpoint where the run was found diverged (it stops there)' },
  { name: 'test_loss', kind: 'float', doc: 'the loss on the held-out test split, at the same weights' },
  {
    name: 'diverged',
    kind: 'bool',
    doc: 'the training loss was non-finite or above `outcome.bound` (default: 10^6 × `initial_loss`) at an outcome checkpoint; 1/0 in JSON and CSV',
  },
  {
    name: 'steps_to_threshold',
    kind: 'int32',
    doc: 'the first outcome checkpoint (a step count) at which the training loss was at or below `network.threshold` (default: 1% of `initial_loss`), or −1',
  },
  {
    name: 'convergence',
    kind: 'float',
    doc: `the fractal-boundary paper's convergence measure over the per-step training losses v_k = L_k / L_0 (the whole training set's loss at full batch, as the paper; with a batch size, the step's minibatch loss; v capped at 10^6 and 1/v too): −Σv if the last ${CONVERGENCE_TAIL} average below 1 (trained; more negative = slower), else Σ1/v (did not train; larger = slower)`,
  },
  { name: 'sharpness', kind: 'float', doc: "the largest-magnitude eigenvalue of the training loss's Hessian at the final weights (power iteration on exact Hessian-vector products); NaN if diverged or with `network.sharpness_iterations` 0" },
  { name: 'sharpness_iterations', kind: 'int32', doc: 'Hessian-vector products the power iteration took (at most `network.sharpness_iterations`, default 100; 0 when it is 0)' },
  { name: 'sharpness_residual', kind: 'float', doc: "‖Hv − λv‖ / |λ| at its last iterate: how far from an eigenvector it stopped (a bound on λ's relative distance from an eigenvalue; the explorer's sharpness colouring shows |λ| and leaves an estimate above 0.5 grey, as not converged)" },
] as const satisfies readonly ColumnEntry[];

/** Columns a network spec adds when its data set classifies, or with SWA, in this order. */
export const NET_OPTIONAL_COLUMNS = [
  {
    feature: 'classification',
    columns: [{ name: 'test_accuracy', kind: 'float', doc: 'fraction of the test split the final weights classify right (classification data sets); for a diverged run, the weights of the checkpoint that found it' }],
  },
  {
    feature: 'swa',
    columns: [
      { name: 'swa_train_loss', kind: 'float', doc: "the training loss of the stochastic weight average of the weights (as `swa`; the initial weights' if the run diverged before any was averaged, as torch's `AveragedModel` holds them until then)" },
      { name: 'swa_test_loss', kind: 'float', doc: 'the test loss of that average' },
    ],
  },
  {
    feature: 'swa_classification',
    columns: [{ name: 'swa_test_accuracy', kind: 'float', doc: 'the test accuracy of that average (classification)' }],
  },
] as const satisfies readonly { readonly feature: string; readonly columns: readonly ColumnEntry[] }[];

type NetBaseEntry = (typeof NET_BASE_COLUMNS)[number];
type NetOptionalEntry = (typeof NET_OPTIONAL_COLUMNS)[number]['columns'][number];

type BaseEntry = (typeof BASE_COLUMNS)[number];
type OptionalEntry = (typeof OPTIONAL_COLUMNS)[number]['columns'][number];
type ArrayOf<K extends ColumnKind> = K extends 'float' ? FloatColumn : K extends 'int32' ? Int32Array : Uint8Array;

/** Result columns, typed from the definitions above: base ones always, optional ones when their feature is on. */
export type ResultColumns = { [C in BaseEntry as C['name']]: ArrayOf<C['kind']> } & { [C in OptionalEntry as C['name']]?: ArrayOf<C['kind']> };
/** A network run's columns. */
export type NetColumns = { [C in NetBaseEntry as C['name']]: ArrayOf<C['kind']> } & { [C in NetOptionalEntry as C['name']]?: ArrayOf<C['kind']> };
/** Either kind's columns (what sinks, readers and merge handle). */
export type AnyColumns = ResultColumns | NetColumns;
export type ResultField = BaseEntry['name'] | OptionalEntry['name'] | NetBaseEntry['name'] | NetOptionalEntry['name'];
export type OptionalFeature = (typeof OPTIONAL_COLUMNS)[number]['feature'] | (typeof NET_OPTIONAL_COLUMNS)[number]['feature'];
/** The two kinds of problem a spec describes. */
export type ProblemKind = 'surface' | 'network';

/** A result column as a plan produces it. */
export interface ColumnDef {
  readonly name: ResultField;
  readonly kind: ColumnKind;
  /** The stored type: `float` columns are float32 or float64 by precision. */
  readonly type: ColumnType;
  /** The optional feature (spec key) that adds the column, or null for a base column. */
  readonly feature: OptionalFeature | null;
  readonly doc: string;
}

/** The float precision an engine computes in. */
export function precisionOf(engine: EngineName): Precision {
  return engine === 'cpu64' ? 'f64' : 'f32';
}

function typeOf(kind: ColumnKind, precision: Precision): ColumnType {
  return kind === 'float' ? (precision === 'f32' ? 'float32' : 'float64') : kind;
}

function defsOf(precision: Precision, kind: ProblemKind, pick: (feature: OptionalFeature) => boolean): ColumnDef[] {
  const base = kind === 'surface' ? BASE_COLUMNS : NET_BASE_COLUMNS;
  const groups: readonly { readonly feature: OptionalFeature; readonly columns: readonly ColumnEntry[] }[] = kind === 'surface' ? OPTIONAL_COLUMNS : NET_OPTIONAL_COLUMNS;
  const out: ColumnDef[] = base.map((c) => ({ name: c.name, kind: c.kind, type: typeOf(c.kind, precision), feature: null, doc: c.doc }));
  for (const g of groups) {
    if (!pick(g.feature)) continue;
    for (const c of g.columns) out.push({ name: c.name as ResultField, kind: c.kind, type: typeOf(c.kind, precision), feature: g.feature, doc: c.doc });
  }
  return out;
}

/**
 * What a spec says about the columns it produces: its kind and which optional features are on. A
 * network's also says whether its data set classifies (which adds accuracies): that is the data
 * set's, not the spec's, so a NetSpec is not a ColumnSource by itself (columnSourceOf makes one).
 */
export type ColumnSource =
  | { readonly problem: 'surface'; readonly swa: unknown }
  | { readonly problem: 'network'; readonly swa: unknown; readonly classification: boolean };

/** What decides a spec's columns: its kind, SWA, and for networks whether the data set classifies. */
export function columnSourceOf(spec: AnySpec): ColumnSource {
  if (spec.problem === 'surface') return spec;
  return { problem: 'network', swa: spec.swa, classification: findDataSet(spec.data.name)?.task === 'classification' };
}

/** A spec of either kind, or what it says about its columns, as a ColumnSource. */
function sourceOf(of: AnySpec | ColumnSource): ColumnSource {
  return of.problem === 'network' && 'network' in of ? columnSourceOf(of) : (of as ColumnSource);
}

/** THE columns a spec's sweep produces, in file order: the base columns, then each enabled feature's. */
export function resultColumns(of: AnySpec | ColumnSource, precision: Precision): ColumnDef[] {
  const spec = sourceOf(of);
  const classification = spec.problem === 'network' && spec.classification;
  const on = (f: OptionalFeature): boolean => {
    switch (f) {
      case 'swa':
        return spec.swa !== null;
      case 'classification':
        return classification;
      case 'swa_classification':
        return spec.swa !== null && classification;
    }
  };
  return defsOf(precision, spec.problem, on);
}

/**
 * Every column any spec can produce, in file order (for recognising the columns of a file): of
 * one kind, or of both (surface first; a name both kinds use once).
 */
export function allColumns(precision: Precision, kind?: ProblemKind): ColumnDef[] {
  if (kind) return defsOf(precision, kind, () => true);
  const out = defsOf(precision, 'surface', () => true);
  for (const c of defsOf(precision, 'network', () => true)) if (!out.some((d) => d.name === c.name)) out.push(c);
  return out;
}

/** Names of the columns a spec produces. */
export function resultFields(spec: AnySpec | ColumnSource): ResultField[] {
  return resultColumns(spec, 'f64').map((c) => c.name);
}

/** Any column's array, whatever its element type (for code that copies columns generically). */
export type AnyColumn = FloatColumn | Int32Array | Uint8Array;

function newColumn(type: ColumnType, n: number): AnyColumn {
  switch (type) {
    case 'float32':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'bool':
      return new Uint8Array(n);
  }
}

/** Columns given by name, whatever their static type (the derivation guarantees the types). */
type ColumnRecord = Partial<Record<ResultField, AnyColumn>>;

/**
 * Zeroed columns of n rows: those the spec produces (what an engine fills), or the given fields
 * (what a file holds).
 */
export function allocateColumns(n: number, precision: Precision, of: Spec | readonly ResultField[]): ResultColumns;
export function allocateColumns(n: number, precision: Precision, of: (AnySpec | ColumnSource) & { readonly problem: 'network' }): NetColumns;
export function allocateColumns(n: number, precision: Precision, of: AnySpec | ColumnSource | readonly ResultField[]): AnyColumns;
export function allocateColumns(n: number, precision: Precision, of: AnySpec | ColumnSource | readonly ResultField[]): AnyColumns {
  const names = Array.isArray(of) ? (of as readonly ResultField[]) : resultFields(of as AnySpec | ColumnSource);
  const all = allColumns(precision);
  const out: ColumnRecord = {};
  for (const name of names) {
    const def = all.find((c) => c.name === name);
    if (!def) throw new Error(`no result column ${name}`);
    out[name] = newColumn(def.type, n);
  }
  return checkedColumns(out);
}

/** The record as columns of one kind, once every base column of that kind is known to be there. */
function checkedColumns(c: ColumnRecord): ResultColumns {
  const base: readonly { readonly name: ResultField }[] = c.final_x !== undefined ? BASE_COLUMNS : NET_BASE_COLUMNS;
  for (const b of base) if (c[b.name] === undefined) throw new Error(`result columns without ${b.name}`);
  // Typed as surface columns for the surface code that calls these helpers; network code gets them
  // through the AnyColumns overloads.
  return c as ResultColumns;
}

/** Rows the columns hold (every column has as many). */
export function rowCount(c: AnyColumns): number {
  return (c.diverged as Uint8Array).length;
}

/** The fields a set of columns holds, in file order. */
export function presentFields(c: AnyColumns): ResultField[] {
  return allColumns('f64')
    .map((d) => d.name)
    .filter((f) => (c as ColumnRecord)[f] !== undefined);
}

/** A column by name (undefined if absent), typed for generic copying. */
export function columnOf(c: AnyColumns, f: ResultField): AnyColumn | undefined {
  return (c as ColumnRecord)[f];
}

/** Copies a chunk's columns into the full columns at `offset`. */
export function copyColumns(dst: AnyColumns, src: AnyColumns, offset: number): void {
  for (const f of presentFields(src)) {
    const d = columnOf(dst, f);
    if (!d) throw new Error(`cannot copy column ${f}: the destination has none`);
    (d as Float64Array).set(columnOf(src, f) as Float64Array, offset);
  }
}

/** Rows [from, to) of result columns, as views (no copy). */
export function columnsView<C extends AnyColumns>(cols: C, from: number, to: number): C {
  const out: ColumnRecord = {};
  for (const f of presentFields(cols)) out[f] = (columnOf(cols, f) as AnyColumn).subarray(from, to);
  return checkedColumns(out) as unknown as C;
}

/** Rows [from, to) of result columns, copied. */
export function sliceColumns<C extends AnyColumns>(cols: C, from: number, to: number): C {
  const out: ColumnRecord = {};
  for (const f of presentFields(cols)) out[f] = (columnOf(cols, f) as AnyColumn).slice(from, to);
  return checkedColumns(out) as unknown as C;
}

/**
 * Throws unless `cols` holds exactly the given columns with at least n rows each, of the right
 * array types (a chunk handed to a sink, a Results about to be written).
 */
export function checkColumns(cols: AnyColumns, defs: readonly ColumnDef[], n: number, what: string): void {
  const have = presentFields(cols);
  const want = defs.map((d) => d.name);
  const missing = want.filter((f) => !have.includes(f));
  const extra = have.filter((f) => !want.includes(f));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(
      `${what}: columns ${have.join(', ')} do not match the plan's ${want.join(', ')}` +
        `${missing.length > 0 ? `; missing ${missing.join(', ')}` : ''}${extra.length > 0 ? `; not produced by this spec: ${extra.join(', ')}` : ''}`,
    );
  }
  for (const d of defs) {
    const col = columnOf(cols, d.name) as AnyColumn;
    if (col.length < n) throw new Error(`${what}: column ${d.name} holds ${col.length} rows, fewer than the chunk's ${n}`);
    const want = ARRAY_OF[d.type];
    if (!(col instanceof want)) throw new Error(`${what}: column ${d.name} is a ${col.constructor.name}, but ${d.type} is written from a ${want.name}`);
  }
}

const ARRAY_OF = { float32: Float32Array, float64: Float64Array, int32: Int32Array, bool: Uint8Array } as const;

/** A column of a results table (CSV, Parquet, Arrow): the run's coordinates, then its results. */
export interface TableColumn {
  readonly name: string;
  readonly type: ColumnType;
  /** The result column, or null for a coordinate column (run, i, j, a swept parameter). */
  readonly result: ColumnDef | null;
}

/**
 * The columns of a plan's results table, in order: `run` (the global row-major run index,
 * run = j * width + i), `i` and `j` (indices into xValues and yValues), one float64 column per
 * swept parameter named by its path, then resultColumns. run fits int32: a sweep holds at most
 * MAX_RUNS = 2^28 runs.
 */
export function tableColumns(plan: { readonly spec: AnySpec | ColumnSource; readonly dims: readonly { readonly path: string }[] }, precision: Precision): TableColumn[] {
  return [
    { name: 'run', type: 'int32', result: null },
    { name: 'i', type: 'int32', result: null },
    { name: 'j', type: 'int32', result: null },
    ...plan.dims.map((d): TableColumn => ({ name: d.path, type: 'float64', result: null })),
    ...resultColumns(plan.spec, precision).map((c): TableColumn => ({ name: c.name, type: c.type, result: c })),
  ];
}

/**
 * The README's table of per-run columns, generated from the definitions above
 * (`npx tsx scripts/readme-columns.ts` writes it between the README's columns markers).
 */
export function columnsMarkdown(): string {
  const table = (kind: ProblemKind): string[] =>
    // A | in a doc (|λ|) would end the table's cell: escaped.
    allColumns('f64', kind).map((c) => `| \`${c.name}\` | ${c.kind} | ${c.feature === null ? 'always' : `with \`"${c.feature}"\``} | ${c.doc.replaceAll('|', '\\|')} |`);
  return [
    'Surface runs:',
    '',
    '| column | type | present | meaning |',
    '|---|---|---|---|',
    ...table('surface'),
    '',
    'Network runs (`"network"` specs; `classification` and `swa_classification`: the data set classifies):',
    '',
    '| column | type | present | meaning |',
    '|---|---|---|---|',
    ...table('network'),
  ].join('\n');
}
