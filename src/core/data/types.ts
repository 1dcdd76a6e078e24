/**
 * The data sets a network run trains on: one registry entry per data set (./index.ts), like the
 * surfaces, optimisers and schedules. An entry is a parameter schema (ParamSchema, so that the spec
 * parser and the JSON Schema derive from it) and a deterministic generator or loader.
 *
 * Everything is float64: a data set is a pure function of (params, seed, paramCount), the same bytes
 * in Node and in browsers (every random draw goes through core/rng.ts's counter generator, see
 * ./draw.ts, and no function whose last bit JavaScript leaves to the engine, such as Math.sin or
 * Math.log, is used). The float32 engines round x and y when they load them.
 */
import type { ParamSchema, ParamValues } from '../params.ts';

export type Task = 'regression' | 'classification';

export interface Split {
  readonly n: number;
  /** n × inputs, row-major. */
  readonly x: Float64Array;
  /** regression: n × outputs targets; classification: n class indices 0..classes-1 (as doubles). */
  readonly y: Float64Array;
}

export interface DataSet {
  readonly id: string;
  readonly task: Task;
  readonly inputs: number;
  /** regression: target dimensions; classification: number of classes. */
  readonly outputs: number;
  readonly train: Split;
  readonly test: Split;
}

export interface DataDef {
  /** Name used in specs (matched case-insensitively by findDataSet). */
  readonly id: string;
  readonly title: string;
  /** One paragraph: what it is, where it comes from (reference), its sizes. */
  readonly doc: string;
  readonly task: Task;
  /** e.g. train, test, noise, inputs …; none is sweepable (the data set is built once, on the host). */
  readonly params: readonly ParamSchema[];
  inputs(values: ParamValues): number;
  outputs(values: ParamValues): number;
  /**
   * Cross-field rules the schema's per-field ranges cannot say (e.g. train + test within the samples
   * a packaged data set has; a split within the numbers one may hold): one message per violation,
   * each naming the fields ("train: ..." reads as data.train). paramCount: the model's parameter
   * count, which some sizes follow (the fractal set's train), or null (absent) where it is not known.
   * Checked again by make(), which throws them.
   */
  validate?(values: ParamValues, paramCount?: number | null): string[];
  /**
   * The training set's size for these values, where it is not the `train` value itself (the
   * fractal set's follows the model's parameter count); null where it cannot be known. Absent: the
   * numeric `train` value.
   */
  trainRows?(values: ParamValues, paramCount: number | null): number | null;
  /** Packaged real data must be loaded once (async) before make(); generated sets leave this out. */
  load?(): Promise<void>;
  /**
   * The train/test split for this seed (an integer in [0, 2^32)). paramCount: the model's parameter
   * count (the fractal set's size follows it; the others ignore it). Throws a clear Error if load()
   * was needed and not awaited, or a value is out of its range.
   */
  make(values: ParamValues, seed: number, paramCount: number): DataSet;
}
