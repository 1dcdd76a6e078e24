/**
 * The CPU reference kernel, twin of shaders/kernels/sweep_step.wgsl and classify.wgsl.
 *
 * One implementation serves both precisions: `r = Math.fround` rounds after every operation like
 * the shader's f32 arithmetic (`cpu`), `r = identity` is float64 (`cpu64`, the truth). Per-run state
 * lives in a few preallocated typed arrays; nothing is allocated per step.
 */
// Typed-array reads use "!": every index is a layout constant inside P (P_COUNT), S (STATE_LEN) or
// the small scratch arrays allocated below with fixed lengths.
import { P_OPTIMIZER, RUN_PARAMS, STATE_LEN } from '../../core/layout.ts';
import type { BasinTable } from '../../core/outcome.ts';
import { basinOf, basinTable, escaped, largestEigenvalue } from '../../core/outcome.ts';
import type { Plan } from '../../core/plan.ts';
import { sweepValue } from '../../core/plan.ts';
import type { Round } from '../../core/registry/index.ts';
import type { ResultColumns } from '../../core/results.ts';
import type { Trajectory } from '../../core/trajectory.ts';
import { STREAM_GRADIENT_NOISE, boxMuller, pcg4d } from '../../core/rng.ts';
import { lerp } from '../../core/registry/optimizers/common.ts';
import type { Precision, StepTables } from '../../core/steps.ts';
import { roundingFor, stepTables } from '../../core/steps.ts';

export type { Precision } from '../../core/steps.ts';

/** S index of the SWA average (state slot 7; shaders/kernels/sweep_step.wgsl SWA_SLOT). */
const SWA_SLOT = 14;

/** One run being stepped: the state machine shared by sweeps and trajectories. */
export class CpuRun {
  readonly r: Round;
  readonly P: Float64Array;
  readonly S = new Float64Array(STATE_LEN);
  private readonly G = new Float64Array(2);
  private readonly H = new Float64Array(3);
  private readonly Z = new Float64Array(2);
  private readonly W = new Uint32Array(4);
  private readonly sched = new Float64Array(2);
  private readonly sc = new Float64Array(4);
  /** ReduceLROnPlateau's per-run state (lr, best, num_bad_epochs, cooldown_counter). */
  private readonly plateau = new Float64Array(4);
  private readonly table: BasinTable;
  private readonly data: Float64Array | null;
  private readonly bound: number;
  /** Per-step values every run shares (exactly what per-step evaluation would give). */
  private readonly tables: StepTables;

  run = 0;
  basin = -1;
  entered = 0;
  diverged = false;
  /** LR and momentum (or beta1) used by the last step (for trajectories). */
  lastLr = 0;
  lastMom = 0;
  /** Where the last step took the gradient it handed the optimiser (SAM's ascent point, Schedule-Free's y). */
  gradX = 0;
  gradY = 0;

  constructor(
    readonly plan: Plan,
    precision: Precision,
  ) {
    const r = roundingFor(precision);
    this.r = r;
    this.P = Float64Array.from(plan.P, r);
    this.data = plan.data ? Float64Array.from(plan.data, r) : null;
    this.table = basinTable(r, plan.minima, plan.radius, plan.lattice);
    this.bound = r(plan.bound);
    this.tables = stepTables(plan, precision);
  }

  private scheduleAt(k: number): void {
    const node = this.plan.schedule;
    if (node) node.def.evaluate(this.r, this.P, node, k, this.P[P_OPTIMIZER]!, this.sched);
  }

  /** Places run `run` (global index) at its start with fresh optimiser state. */
  init(run: number): void {
    const { plan, P, S, r } = this;
    this.run = run;
    for (let d = 0; d < plan.dims.length; d++) P[plan.dims[d]!.slot] = r(sweepValue(plan, run, d));
    S.fill(0);
    S[0] = P[RUN_PARAMS['start.0']]!;
    S[1] = P[RUN_PARAMS['start.1']]!;
    plan.optimizer.init(r, P, S);
    this.basin = basinOf(r, this.table, S[0]!, S[1]!);
    this.entered = 0;
    this.diverged = false;
    const node = plan.schedule;
    if (node?.def.plateau) node.def.plateau.init(r, P, node.base, P[P_OPTIMIZER]!, this.plateau);
  }

  /** Is step k (0-based) followed by an outcome checkpoint? Twin of the kernel's loop structure. */
  isCheckpoint(k: number): boolean {
    const done = k + 1;
    return done % this.plan.checkEvery === 0 || done === this.plan.spec.steps;
  }

  /** Step k (0-based): the update, then the outcome check if k ends at a checkpoint; false once diverged. */
  step(k: number): boolean {
    const { plan, P, S, G, r } = this;
    let lr: number;
    let mom = plan.momentumSlot >= 0 ? P[plan.momentumSlot]! : 0;
    const st = this.tables.schedule;
    const plateau = plan.schedule?.def.plateau;
    if (!plan.schedule) {
      lr = P[P_OPTIMIZER]!;
    } else if (plateau) {
      lr = this.plateau[0]!;
    } else if (st) {
      lr = st[2 * k]!;
      if (plan.cyclesMomentum) mom = st[2 * k + 1]!;
    } else {
      this.scheduleAt(k);
      lr = this.sched[0]!;
      if (plan.cyclesMomentum) mom = this.sched[1]!;
    }
    this.lastLr = lr;
    this.lastMom = mom;
    const gs = 2 * (plan.optimizer.gradSlot ?? 0);
    const x = S[gs]!;
    const y = S[gs + 1]!;
    this.gradient(x, y, k);
    this.gradX = x;
    this.gradY = y;
    let gx = G[0]!;
    let gy = G[1]!;
    let nx0 = 0;
    let ny0 = 0;
    if (plan.noise) {
      pcg4d(plan.spec.noise.seed, this.run, k, STREAM_GRADIENT_NOISE, this.W);
      boxMuller(r, this.W[0]!, this.W[1]!, this.Z);
      const std = P[RUN_PARAMS['noise.std']]!;
      nx0 = r(std * this.Z[0]!);
      ny0 = r(std * this.Z[1]!);
      gx = r(gx + nx0);
      gy = r(gy + ny0);
    }
    const sam = plan.spec.sam;
    if (sam) {
      // Twin of the SAM block in sweep_step.wgsl (davda54/sam's first_step).
      const vx = sam.adaptive ? r(Math.abs(x) * gx) : gx;
      const vy = sam.adaptive ? r(Math.abs(y) * gy) : gy;
      const scale = r(P[RUN_PARAMS['sam.rho']]! / r(r(Math.sqrt(r(r(vx * vx) + r(vy * vy)))) + r(1e-12)));
      const ex = sam.adaptive ? r(r(r(x * x) * gx) * scale) : r(gx * scale);
      const ey = sam.adaptive ? r(r(r(y * y) * gy) * scale) : r(gy * scale);
      this.gradX = r(x + ex);
      this.gradY = r(y + ey);
      this.gradient(this.gradX, this.gradY, k);
      gx = G[0]!;
      gy = G[1]!;
      if (plan.noise) {
        gx = r(gx + nx0);
        gy = r(gy + ny0);
      }
    }
    const sc = this.sc;
    const ot = this.tables.optimizer;
    if (ot) {
      sc[0] = ot[4 * k]!;
      sc[1] = ot[4 * k + 1]!;
      sc[2] = ot[4 * k + 2]!;
      sc[3] = ot[4 * k + 3]!;
    } else {
      plan.optimizer.stepScalars?.compute(r, P, mom, k + 1, sc);
    }
    // scheduler.step(loss) after the step, with the loss where the step took its gradient.
    const metric = plateau ? plan.surface.value(r, P, x, y, this.data) : 0;
    plan.optimizer.step(r, P, S, gx, gy, lr, mom, k + 1, sc);
    if (plateau && plan.schedule) plateau.step(r, P, plan.schedule.base, this.plateau, metric, k === 0);
    const swa = plan.spec.swa;
    if (swa) {
      const done = k + 1;
      if (done >= swa.start && (done - swa.start) % swa.every === 0) {
        // torch's AveragedModel: lerp towards the new iterate with weight 1 / (number averaged).
        const w = r(1 / ((done - swa.start) / swa.every + 1));
        S[SWA_SLOT] = lerp(r, S[SWA_SLOT]!, S[0]!, w);
        S[SWA_SLOT + 1] = lerp(r, S[SWA_SLOT + 1]!, S[1]!, w);
      }
    }
    if (!this.isCheckpoint(k)) return true;
    const nx = S[0]!;
    const ny = S[1]!;
    if (escaped(nx, ny, this.bound)) {
      this.diverged = true;
      this.entered = k + 1;
      return false;
    }
    const b = basinOf(r, this.table, nx, ny);
    if (b !== this.basin) {
      this.basin = b;
      this.entered = k + 1;
    }
    return true;
  }

  /** The (minibatch) gradient at (x, y) for this run and step into G. */
  private gradient(x: number, y: number, k: number): void {
    const { plan, P, G, r } = this;
    if (plan.surface.stochasticGrad && this.data) {
      plan.surface.stochasticGrad(r, P, x, y, this.data, plan.spec.noise.seed, this.run, k, G);
    } else {
      plan.surface.grad(r, P, x, y, this.data, G);
    }
  }

  loss(): number {
    return this.plan.surface.value(this.r, this.P, this.S[0]!, this.S[1]!, this.data);
  }

  /** Writes the outcome of the current run into row `i` of the columns (twin of classify.wgsl). */
  classify(out: ResultColumns, i: number): void {
    const { plan, S, H, r } = this;
    const x = S[0]!;
    const y = S[1]!;
    out.final_x[i] = x;
    out.final_y[i] = y;
    out.loss[i] = this.loss();
    plan.surface.hessian(r, this.P, x, y, this.data, H);
    out.sharpness[i] = largestEigenvalue(r, H[0]!, H[1]!, H[2]!);
    const converged = !this.diverged && this.basin >= 0;
    out.basin[i] = this.diverged ? -1 : this.basin;
    out.steps_to_converge[i] = converged ? this.entered : -1;
    out.diverged[i] = this.diverged ? 1 : 0;
    if (out.swa_x && out.swa_y && out.swa_loss) {
      out.swa_x[i] = S[SWA_SLOT]!;
      out.swa_y[i] = S[SWA_SLOT + 1]!;
      out.swa_loss[i] = plan.surface.value(r, this.P, S[SWA_SLOT]!, S[SWA_SLOT + 1]!, this.data);
    }
  }
}

/**
 * Runs [begin, end) of the plan (global run indices) and writes rows 0.. of `out`.
 * `tick(done)` is called every few runs so that callers can report progress and cancel.
 */
export function runRange(
  plan: Plan,
  precision: Precision,
  begin: number,
  end: number,
  out: ResultColumns,
  tick?: (runsDone: number) => void,
): void {
  const cr = new CpuRun(plan, precision);
  const steps = plan.spec.steps;
  for (let run = begin; run < end; run++) {
    cr.init(run);
    for (let k = 0; k < steps; k++) {
      if (!cr.step(k)) break;
    }
    cr.classify(out, run - begin);
    if (tick && ((run - begin) & 63) === 63) tick(run - begin + 1);
  }
  tick?.(end - begin);
}

/**
 * The path of one run (twin of the GPU engine's recording pass): the start, every `every`-th step
 * and the last step taken, with the LR (and the cycled momentum, and where the gradient was taken
 * when that is elsewhere) of each recorded step. See core/trajectory.ts for the lengths.
 */
export function recordTrajectory(plan: Plan, precision: Precision, run: number, every = 1): Trajectory {
  const cr = new CpuRun(plan, precision);
  cr.init(run);
  const F = precision === 'f32' ? Float32Array : Float64Array;
  const steps: number[] = [0];
  const x = [cr.S[0]!];
  const y = [cr.S[1]!];
  const loss = [cr.loss()];
  const lr: number[] = [];
  const mom: number[] = [];
  const elsewhere = plan.spec.sam !== null || (plan.optimizer.gradSlot ?? 0) !== 0;
  const gx: number[] = [];
  const gy: number[] = [];
  const total = plan.spec.steps;
  for (let k = 0; k < total; k++) {
    const ok = cr.step(k);
    const done = k + 1;
    if (done % every === 0 || done === total || !ok) {
      steps.push(done);
      lr.push(cr.lastLr);
      mom.push(cr.lastMom);
      if (elsewhere) {
        gx.push(cr.gradX);
        gy.push(cr.gradY);
      }
      x.push(cr.S[0]!);
      y.push(cr.S[1]!);
      loss.push(cr.loss());
    }
    if (!ok) break;
  }
  return {
    run,
    every,
    steps: Int32Array.from(steps),
    x: F.from(x),
    y: F.from(y),
    loss: F.from(loss),
    lr: F.from(lr),
    momentum: plan.cyclesMomentum ? F.from(mom) : null,
    gradAt: elsewhere ? { x: F.from(gx), y: F.from(gy) } : null,
    diverged: cr.diverged,
    divergedAt: cr.diverged ? cr.entered : null,
  };
}
