/**
 * The CPU engines' kernels. `runRange` runs a block of runs: through the plan-specialised kernel
 * (jit/compose.ts) when the plan specialises, else through the generic one, `CpuRun`, which calls
 * the functions of step.ts as they are. `CpuRun` is also what records trajectories, and the
 * reference the specialised kernel is tested against (bit for bit, in both precisions).
 *
 * One implementation serves both precisions: `r = Math.fround` rounds after every operation like
 * the shader's f32 arithmetic (`cpu`), `r = identity` is float64 (`cpu64`, the truth).
 */
// Typed-array reads use "!": indices are layout constants inside S (STATE_LEN).
import { STATE_LEN } from '../../core/layout.ts';
import type { BasinTable } from '../../core/outcome.ts';
import { basinOf, basinTable } from '../../core/outcome.ts';
import type { Plan } from '../../core/plan.ts';
import { sweepValue } from '../../core/plan.ts';
import type { Round } from '../../core/registry/index.ts';
import type { ResultColumns } from '../../core/results.ts';
import type { Precision } from '../../core/steps.ts';
import { roundingFor, stepTables } from '../../core/steps.ts';
import type { Trajectory } from '../../core/trajectory.ts';
import { specialisedKernel } from './jit/compose.ts';
import type { RunContext, RunScratch, Track } from './step.ts';
import { OUTCOME_LEN, advance, checkpoint, initRun, isCheckpoint, outcomeOf, runContext, runScratch, storeOutcome } from './step.ts';

export type { Precision } from '../../core/steps.ts';

/** One run being stepped by the generic functions of step.ts: sweeps without a specialised kernel, and trajectories. */
export class CpuRun {
  readonly r: Round;
  readonly P: Float64Array;
  readonly S = new Float64Array(STATE_LEN);
  readonly ctx: RunContext;
  readonly scratch: RunScratch = runScratch();
  readonly track: Track = { basin: -1, entered: 0, diverged: false };
  private readonly H = new Float64Array(3);
  private readonly O = new Float64Array(OUTCOME_LEN);
  private readonly table: BasinTable;
  private readonly bound: number;
  run = 0;

  constructor(
    readonly plan: Plan,
    precision: Precision,
  ) {
    const r = roundingFor(precision);
    this.r = r;
    this.P = Float64Array.from(plan.P, r);
    this.ctx = runContext(plan, stepTables(plan, precision), plan.data ? Float64Array.from(plan.data, r) : null);
    this.table = basinTable(r, plan.minima, plan.radius, plan.lattice);
    this.bound = r(plan.bound);
  }

  get diverged(): boolean {
    return this.track.diverged;
  }

  /** Places run `run` (global index) at its start with fresh optimiser state. */
  init(run: number): void {
    const { plan, P, S, r } = this;
    this.run = run;
    for (let d = 0; d < plan.dims.length; d++) P[plan.dims[d]!.slot] = r(sweepValue(plan, run, d));
    initRun(r, this.ctx, P, S, this.scratch.PL);
    this.track.basin = basinOf(r, this.table, S[0]!, S[1]!);
    this.track.entered = 0;
    this.track.diverged = false;
  }

  /** Step k (0-based): the update, then the outcome check if k ends at a checkpoint; false once diverged. */
  step(k: number): boolean {
    advance(this.r, this.ctx, this.P, this.S, this.scratch, k, this.run);
    if (!isCheckpoint(this.ctx, k)) return true;
    return checkpoint(this.r, this.table, this.bound, this.S[0]!, this.S[1]!, k + 1, this.track);
  }

  loss(): number {
    return this.ctx.surface.value(this.r, this.P, this.S[0]!, this.S[1]!, this.ctx.data);
  }

  /** Writes the outcome of the current run into row `i` of the columns (twin of classify.wgsl). */
  classify(out: ResultColumns, i: number): void {
    outcomeOf(this.r, this.ctx, this.P, this.S, this.H, this.track, this.O);
    storeOutcome(this.O, out, i);
  }
}

/** Runs [begin, end) of the plan one run after another through CpuRun. */
export function runRangeGeneric(
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
 * Runs [begin, end) of the plan (global run indices) and writes rows 0.. of `out`, through the
 * plan's specialised kernel (built once per plan and precision, see jit/compose.ts), or the generic
 * one where a plan cannot be specialised. `tick(done)` is called every few runs so that callers can
 * report progress and cancel.
 */
export function runRange(
  plan: Plan,
  precision: Precision,
  begin: number,
  end: number,
  out: ResultColumns,
  tick?: (runsDone: number) => void,
): void {
  const k = specialisedKernel(plan, precision);
  if (k) k.run(begin, end, out, tick);
  else runRangeGeneric(plan, precision, begin, end, out, tick);
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
  const rec = cr.scratch.rec;
  for (let k = 0; k < total; k++) {
    const ok = cr.step(k);
    const done = k + 1;
    if (done % every === 0 || done === total || !ok) {
      steps.push(done);
      lr.push(rec[0]!);
      mom.push(rec[1]!);
      if (elsewhere) {
        gx.push(rec[2]!);
        gy.push(rec[3]!);
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
    divergedAt: cr.diverged ? cr.track.entered : null,
  };
}
