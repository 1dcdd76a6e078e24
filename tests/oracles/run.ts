/**
 * What every optimiser oracle takes and returns, so that one harness (tests/unit/optimizers.test.ts)
 * drives them all the same way as the registry entries.
 *
 * The oracles are float64 ports of the references' own step loops, written from the Python with
 * plain arithmetic (beta * m + (1 - beta) * g for lerp, Math.pow for every `**`, Math.hypot for
 * norms), sharing no code with src/: they read the hyper-parameters by the reference's argument names,
 * which are the registry's parameter keys.
 */
import type { ParamValue } from '../../src/core/params.ts';

export type Vec = [number, number];
export type GradFn = (p: Vec, t: number) => Vec;
export type Values = Readonly<Record<string, ParamValue>>;

export interface OracleRun {
  /** Every constructor argument, by the reference's name (defaults filled in). */
  readonly values: Values;
  readonly start: Vec;
  /** The gradient at the point where the reference takes it (p; y for Schedule-Free). */
  readonly grad: GradFn;
  readonly steps: number;
  /** group['lr'] during step t (a scheduler's value); default: values.lr. */
  readonly lrAt?: (t: number) => number;
  /** group['momentum'] or betas[0] during step t (a momentum-cycling scheduler); default: the value. */
  readonly momAt?: (t: number) => number;
}

/**
 * One reference run: per step, what the harness compares with the entry: the parameter p (the point
 * reported), then whatever else of the state the oracle tracks (ASGD's ax; Schedule-Free's y and z).
 */
export type OptimizerOracle = (run: OracleRun) => number[][];

export function num(v: Values, key: string): number {
  const x = v[key];
  if (typeof x !== 'number') throw new Error(`oracle: ${key} is not a number (${String(x)})`);
  return x;
}

export function pair(v: Values, key: string): readonly [number, number] {
  const x = v[key];
  if (!Array.isArray(x) || x.length !== 2) throw new Error(`oracle: ${key} is not a pair`);
  return [x[0] as number, x[1] as number];
}

export function flag(v: Values, key: string): boolean {
  return v[key] === true;
}

export const lrOf = (run: OracleRun, t: number): number => (run.lrAt ? run.lrAt(t) : num(run.values, 'lr'));
