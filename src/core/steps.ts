/**
 * The per-step values a plan's runs share: the schedule's LR and momentum (or beta1) after k
 * scheduler steps, and the optimiser's step scalars (e.g. Adam's bias corrections). Computed here,
 * once, with the same registry functions (and rounding) a run would evaluate per step, so reading
 * them is exact. Every consumer takes them from here: the CPU engines read them per step, the GPU
 * engine uploads the float32 ones as its step table, and the app's schedule chart draws them.
 */
import { P_OPTIMIZER } from './layout.ts';
import type { Plan } from './plan.ts';
import { sweepValue } from './plan.ts';
import type { OptimizerDef, Round, ScheduleNode } from './registry/index.ts';

export type Precision = 'f32' | 'f64';

const identity: Round = (x) => x;

/** Math.fround for the float32 twin, identity for float64. */
export function roundingFor(p: Precision): Round {
  return p === 'f32' ? Math.fround : identity;
}

/** Per-step values every run of a plan shares, when nothing they read is swept. */
export interface StepTables {
  /** (lr, momentum) per step, or null when the schedule differs per run (or there is none). */
  readonly schedule: Float64Array | null;
  /** Four optimiser step scalars per step, or null. */
  readonly optimizer: Float64Array | null;
}

/**
 * The shared per-step tables of a plan (steps beyond `maxSteps`: none, the engine then evaluates
 * per run). Step k's entries are what step k (0-based) uses: the LR after k scheduler steps and
 * the scalars for torch's `state["step"] = k + 1`.
 */
export function stepTables(plan: Plan, precision: Precision, maxSteps = Number.POSITIVE_INFINITY): StepTables {
  if (plan.spec.steps > maxSteps) return { schedule: null, optimizer: null };
  return tablesFor({ ...plan, steps: plan.spec.steps }, precision);
}

/** What the shared tables are computed from: one parameter vector (a surface plan's, a network group's). */
export interface TableSource {
  readonly P: Float64Array;
  readonly schedule: ScheduleNode | null;
  readonly optimizer: OptimizerDef;
  readonly steps: number;
  readonly cyclesMomentum: boolean;
  readonly momentumSlot: number;
  readonly scheduleShared: boolean;
  readonly optScalarsShared: boolean;
}

/** The shared per-step tables of one parameter vector. */
export function tablesFor(t: TableSource, precision: Precision): StepTables {
  const r = roundingFor(precision);
  const steps = t.steps;
  const P = Float64Array.from(t.P, r);
  const node = t.schedule;
  let schedule: Float64Array | null = null;
  const out = new Float64Array(2);
  if (node && t.scheduleShared) {
    schedule = new Float64Array(2 * steps);
    for (let k = 0; k < steps; k++) {
      node.def.evaluate(r, P, node, k, P[P_OPTIMIZER] as number, out);
      schedule[2 * k] = out[0] as number;
      schedule[2 * k + 1] = t.cyclesMomentum ? (out[1] as number) : 0;
    }
  }
  const ss = t.optimizer.stepScalars;
  let optimizer: Float64Array | null = null;
  if (ss && t.optScalarsShared) {
    optimizer = new Float64Array(4 * steps);
    const sc = new Float64Array(4);
    const fixedMom = t.momentumSlot >= 0 ? (P[t.momentumSlot] as number) : 0;
    for (let k = 0; k < steps; k++) {
      const mom = t.cyclesMomentum && schedule ? (schedule[2 * k + 1] as number) : fixedMom;
      sc.fill(0);
      ss.compute(r, P, mom, k + 1, sc);
      optimizer.set(sc, 4 * k);
    }
  }
  return { schedule, optimizer };
}

/** The LR (and the momentum or beta1, when a schedule cycles it) of every step of a run. */
export interface ScheduleCurve {
  readonly lr: Float64Array;
  /** Null unless the schedule sets the momentum (CyclicLR, OneCycleLR with cycle_momentum). */
  readonly momentum: Float64Array | null;
  /** `momentum` or `beta1` (the parameter the cycling drives), or null. */
  readonly momentumName: 'momentum' | 'beta1' | null;
  /**
   * False when the LR is not a function of the step alone: ReduceLROnPlateau follows each run's
   * loss, so `lr` is only the base LR it starts from.
   */
  readonly stepOnly: boolean;
}

/**
 * The schedule of run `run`'s values (its swept parameters at their values in that run; without a
 * run, at the values the spec gives them), step by step: `lr[k]` is what step k uses, i.e. torch's
 * LR after k `scheduler.step()` calls. Evaluated by the registry's own functions in `precision`, so
 * a float32 curve is exactly what the float32 engines (and the GPU's step table) use.
 */
export function scheduleCurve(plan: Plan, precision: Precision = 'f64', run: number | null = null): ScheduleCurve {
  const r = roundingFor(precision);
  const steps = plan.spec.steps;
  const P = Float64Array.from(plan.P, r);
  if (run !== null) plan.dims.forEach((d, i) => (P[d.slot] = r(sweepValue(plan, run, i))));
  const base = P[P_OPTIMIZER] as number;
  const lr = new Float64Array(steps);
  const node = plan.schedule;
  const cycles = plan.cyclesMomentum;
  const momentum = cycles ? new Float64Array(steps) : null;
  const momentumName = !cycles ? null : plan.optimizer.momentumParam === 'betas.0' ? 'beta1' : 'momentum';
  if (!node || node.def.plateau) {
    lr.fill(base);
    return { lr, momentum, momentumName, stepOnly: !node };
  }
  evaluateSchedule(node, P, base, r, lr, momentum);
  return { lr, momentum, momentumName, stepOnly: true };
}

/**
 * A schedule tree's LR at each step k < lr.length (and the momentum it cycles, into `momentum`
 * where given), from parameter vector P and base LR `base`, rounded by `r`: scheduleCurve's loop,
 * and the app's sliders' (which move one value of P).
 */
export function evaluateSchedule(node: ScheduleNode, P: Float64Array, base: number, r: Round, lr: Float64Array, momentum: Float64Array | null): void {
  const out = new Float64Array(2);
  for (let k = 0; k < lr.length; k++) {
    node.def.evaluate(r, P, node, k, base, out);
    lr[k] = out[0] as number;
    if (momentum) momentum[k] = out[1] as number;
  }
}
