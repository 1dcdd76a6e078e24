/**
 * One run's life on the CPU, as plain functions over a run context and a few arrays: put a run at
 * its start, advance it one step, check an outcome checkpoint, classify its end. The twin of
 * shaders/kernels/sweep_step.wgsl and classify.wgsl.
 *
 * These functions are the one definition both CPU paths run. The generic path (CpuRun in
 * kernel.ts, trajectories, the reference in tests) calls them as they are. The specialised path
 * (jit/compose.ts) partially evaluates them for a plan: everything read from the context is known
 * then, so its tests fold away and the registry's step, gradient and schedule functions are
 * inlined. That is why they are written in the subset jit/partial.ts understands: no `this`, no
 * destructuring, no optional chaining, module-level names only from exports (see `STEP_SCOPE`).
 *
 * One implementation serves both precisions: `r = Math.fround` rounds after every operation like
 * the shader's f32 arithmetic (`cpu`), `r = identity` is float64 (`cpu64`, the truth).
 */
// Typed-array reads use "!": indices are layout constants inside P (P_COUNT), S (STATE_LEN) and the
// fixed-length scratch arrays of RunScratch, or steps inside a table of the plan's length.
import { P_OPTIMIZER, RUN_PARAMS, STATE_LEN, SWA_PAIR } from '../../core/layout.ts';
import type { BasinTable } from '../../core/outcome.ts';
import { basinOf, escaped, largestEigenvalue } from '../../core/outcome.ts';
import type { Plan } from '../../core/plan.ts';
import type { OptimizerDef, Round, ScheduleDef, ScheduleNode, SurfaceDef } from '../../core/registry/index.ts';
import { lerp } from '../../core/registry/optimizers/common.ts';
import type { ResultColumns } from '../../core/results.ts';
import { STREAM_GRADIENT_NOISE, boxMuller, pcg4d } from '../../core/rng.ts';
import type { StepTables } from '../../core/steps.ts';

/** S index of the SWA average (core/layout.ts SWA_PAIR; the shaders' SWA_SLOT is the same pair). */
export const SWA_INDEX = 2 * SWA_PAIR;

type Plateau = NonNullable<ScheduleDef['plateau']>;
type StepScalars = NonNullable<OptimizerDef['stepScalars']>;

/** Everything a plan fixes that a step reads, flattened so that a partial evaluator sees constants. */
export interface RunContext {
  readonly surface: SurfaceDef;
  readonly optimizer: OptimizerDef;
  readonly schedule: ScheduleNode | null;
  /** The schedule's per-run LR state machine (ReduceLROnPlateau), or null. */
  readonly plateau: Plateau | null;
  /** P block of the top-level schedule. */
  readonly scheduleBase: number;
  /** (lr, momentum) per step shared by every run, or null (see core/steps.ts). */
  readonly schedTable: Float64Array | null;
  /** Four optimiser step scalars per step shared by every run, or null. */
  readonly optTable: Float64Array | null;
  readonly scalars: StepScalars | null;
  /** P slot of the momentum (or beta1) a cycling schedule replaces, or -1. */
  readonly momentumSlot: number;
  readonly cyclesMomentum: boolean;
  readonly noise: boolean;
  readonly seed: number;
  readonly sam: boolean;
  readonly samAdaptive: boolean;
  readonly swa: boolean;
  readonly swaStart: number;
  readonly swaEvery: number;
  /** S index of the point where the optimiser takes its gradient (0 but for Schedule-Free). */
  readonly gradIndex: number;
  readonly data: Float64Array | null;
  /** Data-backed surfaces sample a minibatch gradient per run and step. */
  readonly stochastic: boolean;
  readonly steps: number;
  readonly checkEvery: number;
}

export function runContext(plan: Plan, tables: StepTables, data: Float64Array | null): RunContext {
  const node = plan.schedule;
  const spec = plan.spec;
  return {
    surface: plan.surface,
    optimizer: plan.optimizer,
    schedule: node,
    plateau: node?.def.plateau ?? null,
    scheduleBase: node?.base ?? 0,
    schedTable: tables.schedule,
    optTable: tables.optimizer,
    scalars: plan.optimizer.stepScalars ?? null,
    momentumSlot: plan.momentumSlot,
    cyclesMomentum: plan.cyclesMomentum,
    noise: plan.noise,
    seed: spec.noise.seed,
    sam: spec.sam !== null,
    samAdaptive: spec.sam?.adaptive === true,
    swa: spec.swa !== null,
    swaStart: spec.swa?.start ?? 1,
    swaEvery: spec.swa?.every ?? 1,
    gradIndex: 2 * (plan.optimizer.gradSlot ?? 0),
    data,
    stochastic: plan.surface.stochasticGrad !== undefined && data !== null,
    steps: spec.steps,
    checkEvery: plan.checkEvery,
  };
}

/**
 * A run's scratch arrays. `rec` receives what trajectories record of a step: (lr, momentum, where
 * the gradient was taken x, y).
 */
export interface RunScratch {
  readonly G: Float64Array;
  readonly W: Uint32Array;
  readonly Z: Float64Array;
  readonly sc: Float64Array;
  /** ReduceLROnPlateau's per-run state (lr, best, num_bad_epochs, cooldown_counter). */
  readonly PL: Float64Array;
  readonly rec: Float64Array;
}

export function runScratch(): RunScratch {
  return {
    G: new Float64Array(2),
    W: new Uint32Array(4),
    Z: new Float64Array(2),
    sc: new Float64Array(4),
    PL: new Float64Array(4),
    rec: new Float64Array(4),
  };
}

/** Places a run at its start with fresh optimiser state (P already holds the run's swept values). */
export function initRun(r: Round, c: RunContext, P: Float64Array, S: Float64Array, PL: Float64Array): void {
  for (let i = 0; i < STATE_LEN; i++) S[i] = 0;
  S[0] = P[RUN_PARAMS['start.0']]!;
  S[1] = P[RUN_PARAMS['start.1']]!;
  c.optimizer.init(r, P, S);
  // torch's AveragedModel is a copy of the model when made: until the first average it holds the
  // start (review 12: a run that diverged before swa.start reported the origin's loss). The first
  // average replaces it exactly (lerp with weight 1 is the new iterate).
  if (c.swa) {
    S[SWA_INDEX] = S[0]!;
    S[SWA_INDEX + 1] = S[1]!;
  }
  if (c.plateau !== null && c.schedule !== null) c.plateau.init(r, P, c.scheduleBase, P[P_OPTIMIZER]!, PL);
}

/** The (minibatch) gradient at (x, y) for this run and step, into G. */
export function gradientAt(r: Round, c: RunContext, P: Float64Array, x: number, y: number, k: number, run: number, G: Float64Array): void {
  if (c.stochastic) c.surface.stochasticGrad!(r, P, x, y, c.data!, c.seed, run, k, G);
  else c.surface.grad(r, P, x, y, c.data, G);
}

/**
 * Step k (0-based) of run `run`: the LR and momentum in force (constant, the shared table, the
 * run's schedule or its plateau state), the gradient with noise, SAM's second gradient, the
 * optimiser's update, the plateau's scheduler.step(loss), the SWA average. Twin of advance() in
 * sweep_step.wgsl.
 */
export function advance(r: Round, c: RunContext, P: Float64Array, S: Float64Array, s: RunScratch, k: number, run: number): void {
  let lr = 0;
  let mom = c.momentumSlot >= 0 ? P[c.momentumSlot]! : 0;
  if (c.schedule === null) {
    lr = P[P_OPTIMIZER]!;
  } else if (c.plateau !== null) {
    lr = s.PL[0]!;
  } else if (c.schedTable !== null) {
    lr = c.schedTable[2 * k]!;
    if (c.cyclesMomentum) mom = c.schedTable[2 * k + 1]!;
  } else {
    c.schedule.def.evaluate(r, P, c.schedule, k, P[P_OPTIMIZER]!, s.Z);
    lr = s.Z[0]!;
    if (c.cyclesMomentum) mom = s.Z[1]!;
  }
  const x = S[c.gradIndex]!;
  const y = S[c.gradIndex + 1]!;
  gradientAt(r, c, P, x, y, k, run, s.G);
  let gx = s.G[0]!;
  let gy = s.G[1]!;
  let nx = 0;
  let ny = 0;
  if (c.noise) {
    pcg4d(c.seed, run, k, STREAM_GRADIENT_NOISE, s.W);
    boxMuller(r, s.W[0]!, s.W[1]!, s.Z);
    const std = P[RUN_PARAMS['noise.std']]!;
    nx = r(std * s.Z[0]!);
    ny = r(std * s.Z[1]!);
    gx = r(gx + nx);
    gy = r(gy + ny);
  }
  let qx = x;
  let qy = y;
  if (c.sam) {
    // davda54/sam's first_step: e = rho * (w² if adaptive) * g / (‖(|w| if adaptive) * g‖ + 1e-12);
    // the second gradient sees the same minibatch and noise draw, as in a training step.
    const vx = c.samAdaptive ? r(Math.abs(x) * gx) : gx;
    const vy = c.samAdaptive ? r(Math.abs(y) * gy) : gy;
    const scale = r(P[RUN_PARAMS['sam.rho']]! / r(r(Math.sqrt(r(r(vx * vx) + r(vy * vy)))) + r(1e-12)));
    const ex = c.samAdaptive ? r(r(r(x * x) * gx) * scale) : r(gx * scale);
    const ey = c.samAdaptive ? r(r(r(y * y) * gy) * scale) : r(gy * scale);
    qx = r(x + ex);
    qy = r(y + ey);
    gradientAt(r, c, P, qx, qy, k, run, s.G);
    gx = s.G[0]!;
    gy = s.G[1]!;
    if (c.noise) {
      gx = r(gx + nx);
      gy = r(gy + ny);
    }
  }
  s.rec[0] = lr;
  s.rec[1] = mom;
  s.rec[2] = qx;
  s.rec[3] = qy;
  if (c.optTable !== null) {
    s.sc[0] = c.optTable[4 * k]!;
    s.sc[1] = c.optTable[4 * k + 1]!;
    s.sc[2] = c.optTable[4 * k + 2]!;
    s.sc[3] = c.optTable[4 * k + 3]!;
  } else if (c.scalars !== null) {
    c.scalars.compute(r, P, mom, k + 1, s.sc);
  }
  // scheduler.step(loss) after the step, with the loss where the step took its gradient.
  const metric = c.plateau !== null ? c.surface.value(r, P, x, y, c.data) : 0;
  c.optimizer.step(r, P, S, gx, gy, lr, mom, k + 1, s.sc);
  if (c.plateau !== null) c.plateau.step(r, P, c.scheduleBase, s.PL, metric);
  if (c.swa) {
    const done = k + 1;
    if (done >= c.swaStart && (done - c.swaStart) % c.swaEvery === 0) {
      // torch's AveragedModel: lerp towards the new iterate with weight 1 / (number averaged).
      const w = r(1 / ((done - c.swaStart) / c.swaEvery + 1));
      S[SWA_INDEX] = lerp(r, S[SWA_INDEX]!, S[0]!, w);
      S[SWA_INDEX + 1] = lerp(r, S[SWA_INDEX + 1]!, S[1]!, w);
    }
  }
}

/** Is step k (0-based) followed by an outcome checkpoint? Twin of the kernel's loop structure. */
export function isCheckpoint(c: RunContext, k: number): boolean {
  const done = k + 1;
  return done % c.checkEvery === 0 || done === c.steps;
}

/** A run's outcome so far: the basin it is in and since when, and whether it diverged. */
export interface Track {
  basin: number;
  entered: number;
  diverged: boolean;
}

/**
 * An outcome checkpoint after `done` steps at (x, y): divergence (the run stops) or a change of
 * basin (its entry step). Returns false once the run has diverged.
 */
export function checkpoint(r: Round, table: BasinTable, bound: number, x: number, y: number, done: number, t: Track): boolean {
  if (escaped(x, y, bound)) {
    t.diverged = true;
    t.entered = done;
    return false;
  }
  const b = basinOf(r, table, x, y);
  if (b !== t.basin) {
    t.basin = b;
    t.entered = done;
  }
  return true;
}

/**
 * A run's outcome, element by element as classify.wgsl's RunResult: final_x, final_y, loss,
 * sharpness, basin, steps_to_converge, diverged (0/1), then swa_x, swa_y, swa_loss.
 */
export const OUTCOME_LEN = 10;

/** The outcome of a run (twin of classify.wgsl) into O. */
export function outcomeOf(r: Round, c: RunContext, P: Float64Array, S: Float64Array, H: Float64Array, t: Track, O: Float64Array): void {
  const x = S[0]!;
  const y = S[1]!;
  O[0] = x;
  O[1] = y;
  O[2] = c.surface.value(r, P, x, y, c.data);
  c.surface.hessian(r, P, x, y, c.data, H);
  O[3] = largestEigenvalue(r, H[0]!, H[1]!, H[2]!);
  const converged = !t.diverged && t.basin >= 0;
  O[4] = t.diverged ? -1 : t.basin;
  O[5] = converged ? t.entered : -1;
  O[6] = t.diverged ? 1 : 0;
  if (c.swa) {
    O[7] = S[SWA_INDEX]!;
    O[8] = S[SWA_INDEX + 1]!;
    O[9] = c.surface.value(r, P, S[SWA_INDEX]!, S[SWA_INDEX + 1]!, c.data);
  }
}

/** Writes an outcome into row i of the columns (SWA's only where the columns hold them). */
export function storeOutcome(O: Float64Array, out: ResultColumns, i: number): void {
  out.final_x[i] = O[0]!;
  out.final_y[i] = O[1]!;
  out.loss[i] = O[2]!;
  out.sharpness[i] = O[3]!;
  out.basin[i] = O[4]!;
  out.steps_to_converge[i] = O[5]!;
  out.diverged[i] = O[6]!;
  if (out.swa_x && out.swa_y && out.swa_loss) {
    out.swa_x[i] = O[7]!;
    out.swa_y[i] = O[8]!;
    out.swa_loss[i] = O[9]!;
  }
}
