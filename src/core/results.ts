/**
 * Results: one columnar format for every engine. Per-run fields are typed arrays in row-major order
 * (index = j * width + i, i indexing xValues, j indexing yValues); float columns are Float32Array
 * when the engine computed in float32 (cpu, gpu) and Float64Array for cpu64.
 */
import type { Plan } from './plan.ts';
import { sweepValue } from './plan.ts';
import type { Minimum } from './registry/index.ts';
import type { Spec } from './spec.ts';
import { specToJSON } from './spec.ts';

export type EngineName = 'cpu' | 'cpu64' | 'gpu';
export type FloatColumn = Float32Array | Float64Array;

export interface ResultColumns {
  final_x: FloatColumn;
  final_y: FloatColumn;
  loss: FloatColumn;
  sharpness: FloatColumn;
  /** Index into `minima` of the minimum reached, or -1 (not converged or diverged). */
  basin: Int32Array;
  /** 1 if the run left the divergence bound or became non-finite. */
  diverged: Uint8Array;
  /** First step from which the run stayed within the radius of the minimum it ended in, or -1. */
  steps_to_converge: Int32Array;
  /** With `swa` in the spec: the averaged point and the loss there (the last iterate is final_x/y). */
  swa_x?: FloatColumn;
  swa_y?: FloatColumn;
  swa_loss?: FloatColumn;
}

export const SWA_FIELDS = ['swa_x', 'swa_y', 'swa_loss'] as const;

export const FLOAT_FIELDS = ['final_x', 'final_y', 'loss', 'sharpness'] as const;
export const RESULT_FIELDS = [...FLOAT_FIELDS, 'basin', 'diverged', 'steps_to_converge'] as const;
export type ResultField = (typeof RESULT_FIELDS)[number];

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

export function allocateColumns(n: number, precision: 'f32' | 'f64', swa = false): ResultColumns {
  const F = precision === 'f32' ? Float32Array : Float64Array;
  return {
    final_x: new F(n),
    final_y: new F(n),
    loss: new F(n),
    sharpness: new F(n),
    basin: new Int32Array(n),
    diverged: new Uint8Array(n),
    steps_to_converge: new Int32Array(n),
    ...(swa ? { swa_x: new F(n), swa_y: new F(n), swa_loss: new F(n) } : {}),
  };
}

/** The fields a set of columns holds, in file order (SWA ones only when present). */
export function presentFields(c: ResultColumns): (ResultField | (typeof SWA_FIELDS)[number])[] {
  return [...RESULT_FIELDS, ...SWA_FIELDS.filter((f) => c[f] !== undefined)];
}

/** Copies a chunk's columns into the full columns at `offset`. */
export function copyColumns(dst: ResultColumns, src: ResultColumns, offset: number): void {
  for (const f of presentFields(src)) (dst[f] as Float64Array).set(src[f] as Float64Array, offset);
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

/** JSON numbers cannot be NaN or infinite: those become null (a diverged run's position may be). */
function num(x: number): string {
  return Number.isFinite(x) ? String(x) : 'null';
}

function arrayText(a: ArrayLike<number>, from = 0, to = a.length): string {
  const parts: string[] = new Array<string>(to - from);
  for (let i = from; i < to; i++) parts[i - from] = num(a[i] as number);
  return parts.join(',');
}

/**
 * Writes the JSON result in pieces (a 1024×1024 result is over 100 MB of text; building it as one
 * string would double the peak memory). `write` receives successive fragments.
 */
export function writeResultsJSON(res: Results, plan: Plan | null, write: (chunk: string) => void): void {
  const minima = res.minima.map((m) => ({
    x: m.x,
    y: m.y,
    loss: m.value,
    sharpness: Number.isFinite(m.sharpness) ? m.sharpness : null,
  }));
  write('{\n');
  write(`"spec":${JSON.stringify(specToJSON(res.spec))},\n`);
  write(`"engine":${JSON.stringify(res.engine)},\n`);
  write(`"meta":${JSON.stringify(res.meta)},\n`);
  write(`"width":${res.width},\n"height":${res.height},\n`);
  write(`"params":${JSON.stringify(res.params)},\n`);
  write(`"xValues":[${arrayText(res.xValues)}],\n`);
  write(`"yValues":[${arrayText(res.yValues)}],\n`);
  if (plan && plan.mode === 'list') {
    // Random and Sobol sweeps: each run's coordinates, one column per swept parameter.
    write('"points":{');
    plan.dims.forEach((d, k) => {
      write(`${k > 0 ? ',' : ''}${JSON.stringify(d.path)}:[`);
      const CH = 65536;
      for (let s = 0; s < plan.runs; s += CH) {
        const e = Math.min(plan.runs, s + CH);
        const vals = new Float64Array(e - s);
        for (let i = s; i < e; i++) vals[i - s] = sweepValue(plan, i, k);
        write(`${s > 0 ? ',' : ''}${arrayText(vals)}`);
      }
      write(']');
    });
    write('},\n');
  }
  write(`"radius":${num(res.radius)},\n"bound":${num(res.bound)},\n`);
  write(`"minima":${JSON.stringify(minima)},\n`);
  const fields = presentFields(res);
  fields.forEach((f, k) => {
    const col = res[f] as FloatColumn;
    write(`${JSON.stringify(f)}:[`);
    const CH = 65536;
    for (let s = 0; s < col.length; s += CH) {
      write(`${s > 0 ? ',' : ''}${arrayText(col, s, Math.min(col.length, s + CH))}`);
    }
    write(`]${k < fields.length - 1 ? ',' : ''}\n`);
  });
  write('}\n');
}

/** CSV: one row per run with its grid indices and swept values. */
export function writeResultsCSV(res: Results, plan: Plan, write: (chunk: string) => void): void {
  const fields = presentFields(res);
  const header = ['run', 'i', 'j', ...plan.dims.map((d) => d.path), ...fields];
  write(`${header.join(',')}\n`);
  const n = res.basin.length;
  const CH = 16384;
  for (let s = 0; s < n; s += CH) {
    const lines: string[] = [];
    for (let run = s; run < Math.min(n, s + CH); run++) {
      const row: (string | number)[] = [run, run % res.width, Math.floor(run / res.width)];
      plan.dims.forEach((_, d) => row.push(num(sweepValue(plan, run, d))));
      for (const f of fields) row.push(num((res[f] as FloatColumn)[run] as number));
      lines.push(row.join(','));
    }
    write(`${lines.join('\n')}\n`);
  }
}
