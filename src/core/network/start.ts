/**
 * Where a network run starts, the same on every engine: its initial weights and the start vector of
 * its sharpness power iteration, both float64 draws of the counter-based generator (an engine in
 * float32 rounds them), and the iteration's tolerance per precision. Plan-level definitions, so the
 * GPU engine takes them from here rather than from the CPU engine (review 9).
 */
import { STREAM_INIT, pcg4d, unit53 } from '../rng.ts';
import type { Precision } from '../steps.ts';
import { initialise } from './model.ts';
import type { NetPlan } from './plan.ts';

/** The relative change of the sharpness estimate at which the power iteration stops, per precision. */
export const SHARPNESS_TOL: Record<Precision, number> = { f64: 1e-10, f32: 1e-5 };

/** The initial parameters of draw `key` (a run's index, or 0 when every run shares one init), in float64. */
export function initialWeights(plan: NetPlan, key: number): Float64Array {
  const seed = plan.spec.network.init_seed as number;
  const W = new Uint32Array(4);
  const words = (i: number): Uint32Array => {
    pcg4d(seed, key, i, STREAM_INIT, W);
    return W;
  };
  const uniform = (i: number): number => {
    const w = words(i);
    return unit53(w[0] as number, w[1] as number);
  };
  // Box–Muller on two 53-bit uniforms (first of the pair): the weights are float64 draws.
  const normal = (i: number): number => {
    const w = words(i);
    const u1 = 1 - unit53(w[0] as number, w[1] as number);
    const u2 = unit53(w[2] as number, w[3] as number);
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  };
  const theta = new Float64Array(plan.layout.params);
  initialise(plan.layout, uniform, normal, theta);
  return theta;
}

/** Run `run`'s initial parameters: its own draw, or run 0's for every run under `network.init: shared`. */
export function runInitialWeights(plan: NetPlan, run: number): Float64Array {
  return initialWeights(plan, plan.spec.network.init === 'shared' ? 0 : run);
}

/** The power iteration's start vector of a run, before it is normalised: a float64 draw per coordinate. */
export function sharpnessStart(run: number, out: Float64Array): void {
  const W = new Uint32Array(4);
  for (let i = 0; i < out.length; i++) {
    pcg4d(0x5a4e, run, i, STREAM_INIT + 1, W);
    out[i] = unit53(W[0] as number, W[1] as number) - 0.5;
  }
}
