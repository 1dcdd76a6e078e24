/**
 * Results: one columnar format for every engine. The columns a plan produces are derived in
 * columns.ts (re-exported here); text output (JSON, CSV) is encoded in encode.ts.
 */
import type { EngineName, NetColumns, ResultColumns } from './columns.ts';
import type { NetPlan } from './network/plan.ts';
import type { NetworkInfo } from './encode.ts';
import { networkInfo, writeCSV, writeJSON } from './encode.ts';
import type { AnyPlan, Plan } from './plan.ts';
import type { Minimum } from './registry/index.ts';
import type { NetSpec, Spec } from './spec.ts';

export * from './columns.ts';
export type { NetworkInfo } from './encode.ts';

export interface Results extends ResultColumns {
  readonly problem: 'surface';
  readonly spec: Spec;
  readonly engine: EngineName;
  readonly width: number;
  readonly height: number;
  readonly xValues: Float64Array;
  readonly yValues: Float64Array;
  readonly minima: readonly Minimum[];
  /** Swept parameter paths, in sweep order (x, y for grids). */
  readonly params: readonly string[];
  readonly radius: number;
  readonly bound: number;
  /** Engine details for reports (adapter, workers, elapsed time). */
  readonly meta: Readonly<Record<string, string | number>>;
}

export function makeResults(plan: Plan, engine: EngineName, cols: ResultColumns, meta: Record<string, string | number>): Results {
  return {
    ...cols,
    problem: 'surface',
    spec: plan.spec,
    engine,
    width: plan.width,
    height: plan.height,
    xValues: plan.xValues,
    yValues: plan.yValues,
    minima: plan.minima,
    params: plan.dims.map((d) => d.path),
    radius: plan.radius,
    bound: plan.bound,
    meta,
  };
}

/**
 * Writes the JSON result document in pieces (a 1024×1024 result is over 100 MB of text; building
 * it as one string would double the peak memory): `write` receives successive fragments. With the
 * plan of a random, Sobol or points sweep the document also lists each run's `points`.
 */
export function writeResultsJSON(res: AnyResults, plan: AnyPlan | null, write: (chunk: string) => void): void {
  writeJSON(res, plan, write);
}

/** CSV: one row per run with its index, grid indices, swept values and every result column. */
export function writeResultsCSV(res: AnyResults, plan: AnyPlan, write: (chunk: string) => void): void {
  writeCSV(res, plan, write);
}

/** A network sweep's results: the network columns (NET_BASE_COLUMNS) and what locates each run. */
export interface NetResults extends NetColumns {
  readonly problem: 'network';
  readonly spec: NetSpec;
  readonly engine: EngineName;
  readonly width: number;
  readonly height: number;
  readonly xValues: Float64Array;
  readonly yValues: Float64Array;
  /** Swept parameter paths, in sweep order. */
  readonly params: readonly string[];
  /** The model's parameter count, the data set's split sizes and the loss (networkInfo). */
  readonly network: NetworkInfo;
  readonly meta: Readonly<Record<string, string | number>>;
}

export type AnyResults = Results | NetResults;

export function makeNetResults(plan: NetPlan, engine: EngineName, cols: NetColumns, meta: Record<string, string | number>): NetResults {
  return {
    ...cols,
    problem: 'network',
    spec: plan.spec,
    engine,
    width: plan.width,
    height: plan.height,
    xValues: plan.xValues,
    yValues: plan.yValues,
    params: plan.dims.map((d) => d.path),
    network: networkInfo(plan),
    meta,
  };
}

