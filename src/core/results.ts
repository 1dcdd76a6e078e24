/**
 * Results: one columnar format for every engine. The columns a plan produces are derived in
 * columns.ts (re-exported here); text output (JSON, CSV) is encoded in encode.ts.
 */
import type { ResultColumns, EngineName } from './columns.ts';
import { writeCSV, writeJSON } from './encode.ts';
import type { Plan } from './plan.ts';
import type { Minimum } from './registry/index.ts';
import type { Spec } from './spec.ts';

export * from './columns.ts';

export interface Results extends ResultColumns {
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
export function writeResultsJSON(res: Results, plan: Plan | null, write: (chunk: string) => void): void {
  writeJSON(res, plan, write);
}

/** CSV: one row per run with its index, grid indices, swept values and every result column. */
export function writeResultsCSV(res: Results, plan: Plan, write: (chunk: string) => void): void {
  writeCSV(res, plan, write);
}
