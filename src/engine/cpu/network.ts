/**
 * A network run on the CPU, in either precision (the float32 twin rounds after every operation,
 * float64 is the truth): torch's training loop for a small MLP, step by step.
 *
 *   for k in 0 .. steps-1:
 *     L_k = training loss at theta_k over the whole training set (when the batch is the whole
 *           set, the step's own forward pass gives it; the convergence measure's trajectory then,
 *           with minibatches the step's minibatch loss instead)
 *     an outcome checkpoint every check_every steps, on L_k: diverged (non-finite, or above the
 *     bound), trained (at or below the threshold)
 *     g = gradient of the minibatch loss (rows drawn per (noise.seed, run, k) with replacement)
 *     SAM (davda54/sam): ascend to theta + e(theta) and take the gradient there, same rows
 *     each param group: its LR and momentum (the schedule, evaluated with the group's own lr as
 *     base_lr, as torch's schedulers do per group), then the optimiser's step
 *     ReduceLROnPlateau: scheduler.step(minibatch loss), per group; SWA: the running average
 *
 * The optimiser's update is the registry's own twin, the same function the surfaces run: every
 * optimiser that acts elementwise updates each coordinate from its own gradient and state and
 * per-step scalars only, so the twin, which updates a pair of coordinates, is applied to the
 * parameter vector pair by pair (a tensor of odd size is padded with one coordinate whose gradient
 * is always 0 and which therefore never moves). Rules over a whole tensor (LARS's and LAMB's trust
 * ratios, Adafactor's RMS and factored second moment, Lion's cautious mask: the entries whose
 * `perTensor` is true for a group's values) step each tensor of the group as a whole through the
 * entry's `tensor` rule instead (torch's loop over the group's params), with state per tensor.
 */
import { P_OPTIMIZER, RUN_PARAMS, STATE_LEN } from '../../core/layout.ts';
import { SHARPNESS_TOL, initialWeights, sharpnessStart } from '../../core/network/start.ts';
import type { NetKernel } from './net-kernel.ts';
import { netKernel } from './net-kernel.ts';
import { wasmCovers, wasmDataBytes, wasmFixedBytes } from './net-wasm.ts';
import type { NetGroupStep } from './jit/net-step.ts';
import { netGroupStep } from './jit/net-step.ts';
import type { NetPlan } from '../../core/network/plan.ts';
import type { FloatColumn, NetColumns } from '../../core/results.ts';
import type { NetTrajectory } from '../../core/trajectory.ts';
import { CONVERGENCE_TAIL, DIVERGENCE_FACTOR, THRESHOLD_FACTOR } from '../../core/network/plan.ts';
import { sweepValue } from '../../core/plan.ts';
import type { Round, TensorShape } from '../../core/registry/index.ts';
import { lerp } from '../../core/registry/optimizers/common.ts';
import { STREAM_MINIBATCH, pcg4d } from '../../core/rng.ts';
import type { Precision } from '../../core/steps.ts';
import { roundingFor, tablesFor } from '../../core/steps.ts';

/** A network run's outcome, element by element (see NET_COLUMNS in core/columns.ts). */
export interface NetOutcome {
  initial_loss: number;
  train_loss: number;
  test_loss: number;
  test_accuracy: number;
  diverged: boolean;
  steps_to_threshold: number;
  convergence: number;
  sharpness: number;
  sharpness_iterations: number;
  sharpness_residual: number;
  swa_train_loss: number;
  swa_test_loss: number;
  swa_test_accuracy: number;
}

/** What a recorded network path holds per point. */
export interface NetPoint {
  readonly step: number;
  readonly trainLoss: number;
  readonly testLoss: number;
  /**
   * Each param group's LR of the step that led here (plan.groups' order: the default group, the
   * optimiser's own lr, last; NaN at the start). A plain array: a point holds its own copy, and a
   * typed array would cost each point over a hundred bytes more.
   */
  readonly groupLr: readonly number[];
  readonly gradNorm: number;
  readonly paramNorm: number;
}

/** The default of network.sharpness_iterations: the most Hessian-vector products the power iteration takes. */
export const SHARPNESS_MAX_ITERATIONS = 100;

/** A tensor stepped as a whole (see OptimizerDef.tensor): views into theta, grad and its state. */
interface WholeTensor {
  readonly group: number;
  readonly shape: TensorShape;
  readonly p: Float64Array;
  readonly g: Float64Array;
  readonly state: Float64Array;
  readonly work: Float64Array;
}

interface Pair {
  readonly group: number;
  readonly i0: number;
  /** -1: padding. */
  readonly i1: number;
}

export class NetRun {
  readonly r: Round;
  readonly L: NetPlan['layout'];
  readonly n: number;
  readonly theta: Float64Array;
  private readonly grad: Float64Array;
  private readonly eval: Float64Array;
  private readonly avg: Float64Array;
  private readonly v: Float64Array;
  private readonly hv: Float64Array;
  /** The batch passes, specialised for this plan's layout, loss and precision. */
  private readonly passLoss: NetKernel;
  private readonly passGrad: NetKernel;
  private readonly passHvp: NetKernel;
  private readonly right = new Float64Array(1);
  private readonly pairs: Pair[];
  /** Each group's pairs: [begin, end) in pairs. */
  private readonly groupPairs: [number, number][];
  private readonly I0: Int32Array;
  private readonly I1: Int32Array;
  /** The run's swept values, by dimension (as rounded into the groups' P). */
  private readonly pv: Float64Array;
  /** Each group's specialised optimiser step, or null (the twin through the registry). */
  private readonly groupSteps: (NetGroupStep | null)[];
  /** Groups stepped tensor by tensor through the entry's `tensor` rule (else pair by pair). */
  private readonly wholeGroups: boolean[];
  /** The tensors of those groups, in layout order. */
  private readonly whole: WholeTensor[];
  /** Every tensor's gradient (views into grad), for the rule's `global` scalar. */
  private readonly tensorGrads: Float64Array[];
  /** Each pair's 16 state numbers (its coordinates are also in theta; the padding's here). */
  private readonly state: Float64Array;
  private readonly S = new Float64Array(STATE_LEN);
  private readonly W = new Uint32Array(4);
  private readonly scal = new Float64Array(4);
  private readonly sched = new Float64Array(2);
  private readonly groupP: Float64Array[];
  private readonly groupPlateau: Float64Array[];
  private readonly tables: ReturnType<typeof tablesFor>[];
  private readonly train: { x: Float64Array; y: Float64Array; n: number };
  private readonly test: { x: Float64Array; y: Float64Array; n: number };
  private readonly fullRows: Int32Array;
  private readonly testRows: Int32Array;
  private rows = new Int32Array(0);
  private readonly sharedInit: Float64Array | null;
  run = 0;
  batch = 0;
  /** Every group steps through its specialised step. */
  readonly specialised: boolean;

  constructor(
    readonly plan: NetPlan,
    readonly precision: Precision,
    /** Step through the registry pair by pair, never the specialised step (tests compare the two). */
    generic = false,
  ) {
    const r = roundingFor(precision);
    this.r = r;
    this.L = plan.layout;
    const n = this.L.params;
    this.n = n;
    this.theta = new Float64Array(n);
    this.grad = new Float64Array(n);
    this.eval = new Float64Array(n);
    this.avg = new Float64Array(n);
    this.v = new Float64Array(n);
    this.hv = new Float64Array(n);
    this.passLoss = netKernel(this.L, plan.loss, precision, 'loss');
    this.passGrad = netKernel(this.L, plan.loss, precision, 'grad');
    this.passHvp = netKernel(this.L, plan.loss, precision, 'hvp');
    const round = (a: Float64Array): Float64Array => Float64Array.from(a, r);
    this.train = { x: round(plan.data.train.x), y: round(plan.data.train.y), n: plan.data.train.n };
    this.test = { x: round(plan.data.test.x), y: round(plan.data.test.y), n: plan.data.test.n };
    this.fullRows = Int32Array.from({ length: this.train.n }, (_, i) => i);
    this.testRows = Int32Array.from({ length: this.test.n }, (_, i) => i);
    // The pairs, group by group (each group's a contiguous range).
    this.pairs = [];
    this.groupPairs = [];
    plan.groups.forEach((_, group) => {
      const begin = this.pairs.length;
      this.L.tensors.forEach((t, ti) => {
        if (plan.tensorGroup[ti] !== group) return;
        for (let e = 0; e < t.size; e += 2) this.pairs.push({ group, i0: t.offset + e, i1: e + 1 < t.size ? t.offset + e + 1 : -1 });
      });
      this.groupPairs.push([begin, this.pairs.length]);
    });
    this.I0 = Int32Array.from(this.pairs, (p) => p.i0);
    this.I1 = Int32Array.from(this.pairs, (p) => p.i1);
    this.pv = new Float64Array(plan.dims.length);
    const rule = plan.optimizer.tensor;
    this.wholeGroups = plan.groups.map((g) => rule !== undefined && (plan.optimizer.perTensor?.(g.values) ?? false));
    this.whole = [];
    this.tensorGrads = this.L.tensors.map((t) => this.grad.subarray(t.offset, t.offset + t.size));
    if (rule) {
      const shapes = this.L.tensors.map((t): TensorShape => (t.kind === 'weight' ? [t.rows, t.cols] : [t.size]));
      const sizes = this.L.tensors.map((t, ti) => (this.wholeGroups[plan.tensorGroup[ti] as number] ? rule.stateSize(shapes[ti] as TensorShape) : 0));
      const store = new Float64Array(sizes.reduce((a, b) => a + b, 0));
      const work = new Float64Array(n);
      let at = 0;
      this.L.tensors.forEach((t, ti) => {
        const group = plan.tensorGroup[ti] as number;
        if (!this.wholeGroups[group]) return;
        const size = sizes[ti] as number;
        this.whole.push({
          group,
          shape: shapes[ti] as TensorShape,
          p: this.theta.subarray(t.offset, t.offset + t.size),
          g: this.tensorGrads[ti] as Float64Array,
          state: store.subarray(at, at + size),
          work: work.subarray(0, t.size),
        });
        at += size;
      });
    }
    this.groupSteps = plan.groups.map((_, g) => (generic || this.wholeGroups[g] ? null : (netGroupStep(plan, precision, g)?.step ?? null)));
    this.specialised = this.groupSteps.every((s) => s !== null);
    this.state = new Float64Array(this.pairs.length * STATE_LEN);
    this.groupP = plan.groups.map((g) => Float64Array.from(g.P, r));
    this.groupPlateau = plan.groups.map(() => new Float64Array(4));
    this.tables = plan.groups.map((g) =>
      tablesFor(
        {
          P: g.P,
          schedule: plan.schedule,
          optimizer: plan.optimizer,
          steps: plan.spec.steps,
          cyclesMomentum: plan.cyclesMomentum,
          momentumSlot: plan.momentumSlot,
          scheduleShared: g.scheduleShared,
          optScalarsShared: g.optScalarsShared,
        },
        precision,
      ),
    );
    this.sharedInit = plan.spec.network.init === 'shared' ? this.initialTheta(0) : null;
  }

  /** The initial parameters of run `key` (core/network/start.ts, drawn in float64), rounded to the precision. */
  private initialTheta(key: number): Float64Array {
    return Float64Array.from(initialWeights(this.plan, key), this.r);
  }

  /** Places run `run` at its start: its swept values, its initial weights, fresh optimiser state. */
  init(run: number): void {
    const { plan, r } = this;
    this.run = run;
    plan.groups.forEach((g, gi) => (this.groupP[gi] as Float64Array).set(Float64Array.from(g.P, r)));
    this.batch = plan.batch ?? this.train.n;
    plan.dims.forEach((d, k) => {
      const value = sweepValue(plan, run, k);
      this.pv[k] = r(value);
      if (d.where.kind === 'batch') this.batch = Math.round(value);
      else for (const g of d.where.groups) (this.groupP[g] as Float64Array)[d.where.slot] = r(value);
    });
    if (plan.batch === null && !plan.dims.some((d) => d.where.kind === 'batch')) this.batch = this.train.n;
    this.rows = new Int32Array(this.batch);
    this.theta.set(this.sharedInit ?? this.initialTheta(run));
    this.state.fill(0);
    const S = this.S;
    this.pairs.forEach((p, pi) => {
      if (this.wholeGroups[p.group]) return;
      S.fill(0);
      S[0] = this.theta[p.i0] as number;
      S[1] = p.i1 >= 0 ? (this.theta[p.i1] as number) : 0;
      plan.optimizer.init(r, this.groupP[p.group] as Float64Array, S);
      this.state.set(S, pi * STATE_LEN);
      this.theta[p.i0] = S[0] as number;
      if (p.i1 >= 0) this.theta[p.i1] = S[1] as number;
    });
    for (const w of this.whole) {
      w.state.fill(0);
      plan.optimizer.tensor?.init(r, this.groupP[w.group] as Float64Array, w.shape, w.p, w.state);
    }
    // torch's AveragedModel is a deep copy of the model when made: until the first average it holds
    // the initial weights (review 12: a run that diverged before swa.start reported the loss of all
    // weights 0). The first average replaces them exactly (lerp with weight 1 is the new weights).
    this.avg.set(this.theta);
    const plateau = plan.schedule?.def.plateau;
    plan.groups.forEach((_, gi) => {
      const P = this.groupP[gi] as Float64Array;
      if (plateau && plan.schedule) plateau.init(r, P, plan.schedule.base, P[P_OPTIMIZER] as number, this.groupPlateau[gi] as Float64Array);
    });
  }

  /** Loss (and gradient into grad, zeroed here) of theta on the given rows of the training set. */
  private lossAt(theta: Float64Array, rows: ArrayLike<number>, count: number, grad: Float64Array | null): number {
    if (!grad) return this.passLoss(theta, this.train.x, this.train.y, rows, count, null, null, null, null);
    grad.fill(0);
    return this.passGrad(theta, this.train.x, this.train.y, rows, count, grad, null, null, null);
  }

  /** Full training loss and test loss/accuracy of a parameter vector. */
  evaluate(theta: Float64Array): { train: number; test: number; accuracy: number } {
    const train = this.lossAt(theta, this.fullRows, this.train.n, null);
    this.right[0] = 0;
    const test = this.passLoss(theta, this.test.x, this.test.y, this.testRows, this.test.n, null, null, null, this.right);
    return { train, test, accuracy: this.plan.loss === 'cross_entropy' ? (this.right[0] as number) / this.test.n : Number.NaN };
  }

  /** The point where the optimiser takes its gradient: theta, or Schedule-Free's y. */
  private gradPoint(): Float64Array {
    const slot = this.plan.optimizer.gradSlot ?? 0;
    if (slot === 0) return this.theta;
    this.pairs.forEach((p, pi) => {
      this.eval[p.i0] = this.state[pi * STATE_LEN + 2 * slot] as number;
      if (p.i1 >= 0) this.eval[p.i1] = this.state[pi * STATE_LEN + 2 * slot + 1] as number;
    });
    return this.eval;
  }

  /**
   * Trains the current run. `onPoint(k, Lk)` sees the training loss at theta_k before step k
   * (k = 0 .. steps) for trajectories; returns the outcome.
   */
  trainRun(record?: (p: NetPoint) => void, every = 1): NetOutcome {
    const { plan, r } = this;
    const spec = plan.spec;
    const steps = spec.steps;
    const full = this.batch >= this.train.n && plan.batch === null && !plan.dims.some((d) => d.where.kind === 'batch');
    const losses = new Float64Array(CONVERGENCE_TAIL);
    // The measure's two sums, Kahan-compensated in the engine's precision as the kernel sums them
    // (net_step.wgsl kahan): [sum, compensation] (review 12: plain float64 sums here left the float32
    // twin an ulp off the GPU's convergence column).
    const sumV: [number, number] = [0, 0];
    const sumInv: [number, number] = [0, 0];
    const kahan = (s: [number, number], x: number): void => {
      const y = r(x - s[1]);
      const t = r(s[0] + y);
      if (!Number.isFinite(t)) {
        s[0] = t;
        s[1] = 0;
        return;
      }
      s[1] = r(r(t - s[0]) - y);
      s[0] = t;
    };
    const maxVal = r(DIVERGENCE_FACTOR);
    const minV = r(1 / maxVal);
    let L0 = Number.NaN;
    let bound = Number.POSITIVE_INFINITY;
    let threshold = Number.NEGATIVE_INFINITY;
    let stepsToThreshold = -1;
    let diverged = false;
    let done = steps;
    // Each group's LR of the last step taken (what a recorded point reports).
    const lastLr = new Float64Array(plan.groups.length).fill(Number.NaN);
    const seed = spec.noise.seed;
    const n = this.n;
    const push = (Lk: number, k: number): void => {
      // The notebook's convergence_measure, one loss at a time: v = L_k / L_0, non-finite or above
      // max_val counts as max_val. Its reciprocal is capped at max_val: a minibatch's loss can be
      // exactly 0 (the notebook's full-batch losses never are), which would make the sum infinite.
      let v = r(Lk / L0);
      if (!Number.isFinite(v) || v > maxVal) v = maxVal;
      kahan(sumV, v);
      kahan(sumInv, r(1 / Math.max(v, minV)));
      losses[k % CONVERGENCE_TAIL] = v;
    };
    const checkpoint = (Lk: number, k: number): boolean => {
      if (!Number.isFinite(Lk) || Lk > bound) {
        diverged = true;
        done = k;
        return false;
      }
      if (stepsToThreshold < 0 && Lk <= threshold) stepsToThreshold = k;
      return true;
    };
    const norm = (a: Float64Array): number => {
      let s = 0;
      for (let i = 0; i < n; i++) s = r(s + r((a[i] as number) * (a[i] as number)));
      return r(Math.sqrt(s));
    };
    const S = this.S;
    for (let k = 0; k < steps; k++) {
      const at = this.gradPoint();
      // The rows of this step's minibatch (all of them for full batch).
      let rows: ArrayLike<number> = this.fullRows;
      let count = this.train.n;
      if (!full) {
        minibatchRows(seed, this.run, k, this.batch, this.train.n, this.rows, this.W);
        rows = this.rows;
        count = this.batch;
      }
      // L_k over the whole training set at theta_k (and, full batch, the gradient with it). With
      // minibatches the whole set is evaluated only where it is read: at the start, at outcome
      // checkpoints and at recorded points (every step, it would cost train/batch times the step).
      let Lk = Number.NaN;
      let batchLossK: number;
      if (full && at === this.theta) {
        Lk = this.lossAt(at, rows, count, this.grad);
        batchLossK = Lk;
      } else {
        if (full || k % plan.checkEvery === 0 || (record !== undefined && k % every === 0)) Lk = this.lossAt(this.theta, this.fullRows, this.train.n, null);
        batchLossK = this.lossAt(at, rows, count, this.grad);
      }
      if (k === 0) {
        L0 = Lk;
        bound = plan.bound ?? DIVERGENCE_FACTOR * L0;
        threshold = plan.threshold ?? THRESHOLD_FACTOR * L0;
      }
      if (record && k % every === 0) record({ step: k, trainLoss: Lk, testLoss: this.evaluate(this.theta).test, groupLr: Array.from(lastLr), gradNorm: norm(this.grad), paramNorm: norm(this.theta) });
      else if (record && k > 0 && k % plan.checkEvery === 0 && !(Number.isFinite(Lk) && Lk <= bound)) {
        // The checkpoint about to stop the run: its point ends the path.
        record({ step: k, trainLoss: Lk, testLoss: this.evaluate(this.theta).test, groupLr: Array.from(lastLr), gradNorm: norm(this.grad), paramNorm: norm(this.theta) });
      }
      if ((k % plan.checkEvery === 0 || k === 0) && !checkpoint(Lk, k)) break;
      // The convergence measure's loss: the whole set's (full batch, as the notebook), else this
      // step's minibatch loss (the loss the step computes anyway: the whole set's every step would
      // double a minibatch run's cost), so with minibatches the measure is noisier than the
      // notebook's.
      push(full ? Lk : batchLossK, k);
      if (spec.sam) {
        // davda54/sam first_step: the norm of the per-tensor norms of (|p| if adaptive) * g.
        let sq = 0;
        for (const t of this.L.tensors) {
          let ts = 0;
          for (let i = t.offset; i < t.offset + t.size; i++) {
            const gi = spec.sam.adaptive ? r(Math.abs(at[i] as number) * (this.grad[i] as number)) : (this.grad[i] as number);
            ts = r(ts + r(gi * gi));
          }
          const tn = r(Math.sqrt(ts));
          sq = r(sq + r(tn * tn));
        }
        const rho = (this.groupP[this.groupP.length - 1] as Float64Array)[RUN_PARAMS['sam.rho']] as number;
        const scale = r(rho / r(r(Math.sqrt(sq)) + r(1e-12)));
        for (let i = 0; i < n; i++) {
          const p = at[i] as number;
          const e = spec.sam.adaptive ? r(r(r(p * p) * (this.grad[i] as number)) * scale) : r((this.grad[i] as number) * scale);
          this.v[i] = r(p + e);
        }
        this.lossAt(this.v, rows, count, this.grad);
      }
      // A whole-tensor rule's scalar over every gradient (LAMB's global clip), before any group steps.
      const rule = plan.optimizer.tensor;
      const gs = rule?.global && this.whole.length > 0 ? rule.global(r, this.groupP[this.groupP.length - 1] as Float64Array, this.tensorGrads) : 1;
      // Each group: its LR and momentum in force, its step scalars, then its pairs (or tensors).
      plan.groups.forEach((_, gi) => {
        const P = this.groupP[gi] as Float64Array;
        const tab = this.tables[gi] as ReturnType<typeof tablesFor>;
        let mom = plan.momentumSlot >= 0 ? (P[plan.momentumSlot] as number) : 0;
        let lr: number;
        const node = plan.schedule;
        if (!node) lr = P[P_OPTIMIZER] as number;
        else if (node.def.plateau) lr = (this.groupPlateau[gi] as Float64Array)[0] as number;
        else if (tab.schedule) {
          lr = tab.schedule[2 * k] as number;
          if (plan.cyclesMomentum) mom = tab.schedule[2 * k + 1] as number;
        } else {
          node.def.evaluate(r, P, node, k, P[P_OPTIMIZER] as number, this.sched);
          lr = this.sched[0] as number;
          if (plan.cyclesMomentum) mom = this.sched[1] as number;
        }
        lastLr[gi] = lr;
        const sc = this.scal;
        if (tab.optimizer) sc.set(tab.optimizer.subarray(4 * k, 4 * k + 4));
        else plan.optimizer.stepScalars?.compute(r, P, mom, k + 1, sc);
        const [q0, q1] = this.groupPairs[gi] as [number, number];
        const fast = this.groupSteps[gi];
        if (this.wholeGroups[gi] && rule) {
          for (const w of this.whole) if (w.group === gi) rule.step(r, P, w.shape, w.p, w.g, w.state, w.work, lr, mom, k + 1, sc, gs);
        } else if (fast) fast(this.theta, this.grad, this.state, this.I0, this.I1, q0, q1, lr, mom, k + 1, sc, this.pv);
        else {
          for (let pi = q0; pi < q1; pi++) {
            const p = this.pairs[pi] as Pair;
            const o = pi * STATE_LEN;
            for (let s = 0; s < STATE_LEN; s++) S[s] = this.state[o + s] as number;
            S[0] = this.theta[p.i0] as number;
            if (p.i1 >= 0) S[1] = this.theta[p.i1] as number;
            const gy = p.i1 >= 0 ? (this.grad[p.i1] as number) : 0;
            plan.optimizer.step(r, P, S, this.grad[p.i0] as number, gy, lr, mom, k + 1, sc);
            for (let s = 0; s < STATE_LEN; s++) this.state[o + s] = S[s] as number;
            this.theta[p.i0] = S[0] as number;
            if (p.i1 >= 0) this.theta[p.i1] = S[1] as number;
          }
        }
        const plateau = node?.def.plateau;
        if (plateau && node) plateau.step(r, P, node.base, this.groupPlateau[gi] as Float64Array, batchLossK);
      });
      if (spec.swa) {
        const d = k + 1;
        if (d >= spec.swa.start && (d - spec.swa.start) % spec.swa.every === 0) {
          const w = r(1 / ((d - spec.swa.start) / spec.swa.every + 1));
          for (let i = 0; i < n; i++) this.avg[i] = lerp(r, this.avg[i] as number, this.theta[i] as number, w);
        }
      }
    }
    // The state after the last step (or where the run stopped).
    let final = this.evaluate(this.theta);
    if (!diverged) {
      if (!checkpoint(final.train, steps)) final = this.evaluate(this.theta);
      record?.({ step: steps, trainLoss: final.train, testLoss: final.test, groupLr: Array.from(lastLr), gradNorm: Number.NaN, paramNorm: norm(this.theta) });
    }
    // Steps a diverged run did not take count as max_val.
    const taken = diverged ? done : steps;
    const missing = steps - taken;
    sumV[0] = r(sumV[0] + r(missing * maxVal));
    sumInv[0] = r(sumInv[0] + r(missing / maxVal));
    for (let k = taken; k < steps; k++) losses[k % CONVERGENCE_TAIL] = maxVal;
    let tail = 0;
    const m = Math.min(CONVERGENCE_TAIL, steps);
    for (let i = 0; i < m; i++) tail = r(tail + (losses[(steps - 1 - i) % CONVERGENCE_TAIL] as number));
    const converged = r(tail / m) < 1;
    const sharp = diverged || plan.spec.network.sharpness_iterations === 0 ? { value: Number.NaN, iterations: 0, residual: Number.NaN } : this.sharpness();
    const swa = spec.swa ? this.evaluate(this.avg) : null;
    return {
      initial_loss: L0,
      train_loss: final.train,
      test_loss: final.test,
      test_accuracy: final.accuracy,
      diverged,
      steps_to_threshold: stepsToThreshold,
      convergence: converged ? -sumV[0] : sumInv[0],
      sharpness: sharp.value,
      sharpness_iterations: sharp.iterations,
      sharpness_residual: sharp.residual,
      swa_train_loss: swa ? swa.train : Number.NaN,
      swa_test_loss: swa ? swa.test : Number.NaN,
      swa_test_accuracy: swa ? swa.accuracy : Number.NaN,
    };
  }

  /**
   * The largest-magnitude eigenvalue of the training loss's Hessian at theta, by power iteration on
   * exact Hessian-vector products, from a start vector drawn per run; the residual is
   * ‖Hv − λv‖ / |λ| at the last iterate.
   */
  sharpness(): { value: number; iterations: number; residual: number } {
    const { r, n, v, hv } = this;
    sharpnessStart(this.run, v);
    for (let i = 0; i < n; i++) v[i] = r(v[i] as number);
    const normalise = (a: Float64Array): number => {
      let s = 0;
      for (let i = 0; i < n; i++) s = r(s + r((a[i] as number) * (a[i] as number)));
      const nm = r(Math.sqrt(s));
      for (let i = 0; i < n; i++) a[i] = r((a[i] as number) / nm);
      return nm;
    };
    normalise(v);
    let lambda = Number.NaN;
    let it = 0;
    let residual = Number.NaN;
    const most = this.plan.spec.network.sharpness_iterations as number;
    for (it = 1; it <= most; it++) {
      this.grad.fill(0);
      hv.fill(0);
      this.passHvp(this.theta, this.train.x, this.train.y, this.fullRows, this.train.n, this.grad, v, hv, null);
      let l = 0;
      for (let i = 0; i < n; i++) l = r(l + r((v[i] as number) * (hv[i] as number)));
      let res = 0;
      for (let i = 0; i < n; i++) {
        const e = r((hv[i] as number) - r(l * (v[i] as number)));
        res = r(res + r(e * e));
      }
      residual = r(r(Math.sqrt(res)) / r(Math.abs(l)));
      const moved = Math.abs(l - lambda);
      lambda = l;
      if (moved <= SHARPNESS_TOL[this.precision] * Math.abs(l) || !Number.isFinite(l)) break;
      v.set(hv);
      if (normalise(v) === 0) break;
    }
    return { value: lambda, iterations: Math.min(it, most), residual };
  }
}

/** Writes a network outcome into row i of the columns. */
export function storeNetOutcome(o: NetOutcome, out: NetColumns, i: number): void {
  out.initial_loss[i] = o.initial_loss;
  out.train_loss[i] = o.train_loss;
  out.test_loss[i] = o.test_loss;
  out.diverged[i] = o.diverged ? 1 : 0;
  out.steps_to_threshold[i] = o.steps_to_threshold;
  out.convergence[i] = o.convergence;
  out.sharpness[i] = o.sharpness;
  out.sharpness_iterations[i] = o.sharpness_iterations;
  out.sharpness_residual[i] = o.sharpness_residual;
  if (out.test_accuracy) out.test_accuracy[i] = o.test_accuracy;
  if (out.swa_train_loss) out.swa_train_loss[i] = o.swa_train_loss;
  if (out.swa_test_loss) out.swa_test_loss[i] = o.swa_test_loss;
  if (out.swa_test_accuracy) out.swa_test_accuracy[i] = o.swa_test_accuracy;
}

/** Runs [begin, end) of a network plan into rows 0.. of `out`; tick(done) every run. */
/**
 * Bytes a worker holds to train runs of this plan, one at a time: the plan (its data set, its
 * groups' parameters) and a NetRun. Per parameter, seven float64 vectors (weights, gradient,
 * evaluation point, SWA average, the power iteration's vector and its Hessian-vector product, the
 * shared initial weights) and a tensor rule's state and work (at most four float64: Adafactor's
 * unfactored bias, LAMB's moments); per pair of parameters, the optimiser state (STATE_LEN
 * float64), index entries and a record (~40 bytes in V8); the data set twice (the plan's and the
 * run's rounded copy) with its row lists; per group, the per-step tables (up to six float64 a step:
 * LR, momentum, the optimiser's step scalars); the kernel's scratch; the WebAssembly pass's memory
 * where it runs (its own copies of theta, gradient and data); 64 KiB for the rest. Documented
 * in docs/performance.md ("Memory per network run"); tests/engine/net-memory.test.ts checks it
 * bounds the typed arrays a NetRun reaches.
 */
export function netRunBytes(plan: NetPlan): number {
  const L = plan.layout;
  const P = L.params;
  const pairs = Math.ceil(P / 2);
  const perParam = 7 * 8 + (plan.optimizer.tensor ? 4 * 8 : 0);
  const perPair = STATE_LEN * 8 + 2 * 4 + 40;
  const units = L.sizes.reduce((a, b) => a + b, 0);
  const width = (L.sizes[0] ?? 0) + (L.sizes[L.sizes.length - 1] ?? 0);
  const rows = plan.data.train.n + plan.data.test.n;
  const data = 2 * rows * width * 8 + 2 * rows * 4;
  const tables = plan.groups.length * 6 * plan.spec.steps * 8;
  // The WebAssembly pass's memory (net-wasm.ts), where it runs: theta twice and the gradient, its
  // scratch, a copy of the data, rows, up to two 64 KiB pages of slack.
  const wasm = wasmCovers(L, 'grad') ? wasmFixedBytes(L) + wasmDataBytes(L, rows) + 2 * 65536 : 0;
  return P * perParam + pairs * perPair + 3 * units * 8 + data + tables + wasm + 64 * 1024;
}

/** Share of the machine's memory the CPU engines' workers may hold together for network runs. */
export const NET_MEMORY_SHARE = 0.75;

/** Bytes a network sweep would hold against the bytes it may: it fits when need <= budget. */
export interface NetFit {
  readonly need: number;
  readonly budget: number;
  readonly fits: boolean;
}

/**
 * Whether `threads` workers, each training one run of `perRun` bytes (netRunBytes), fit in
 * NET_MEMORY_SHARE of `total` bytes. The one rule: the CLI (netMemoryProblem) and the page
 * (app/net-runs.ts pageNetMemoryProblem) only word it, so neither can refuse what the other lets by.
 */
export function netMemoryFit(perRun: number, threads: number, total: number): NetFit {
  const need = perRun * threads;
  const budget = total * NET_MEMORY_SHARE;
  return { need, budget, fits: need <= budget };
}

/** A byte count as GiB, for the memory refusals (the CLI's and the page's). */
export function gib(b: number): string {
  return `${(b / 2 ** 30).toFixed(b < 2 ** 30 ? 3 : 1)} GiB`;
}

/**
 * Why `threads` workers, each training one run of `perRun` bytes (netRunBytes), would not fit in
 * NET_MEMORY_SHARE of `total` bytes (netMemoryFit), naming what to change; null when they fit.
 */
export function netMemoryProblem(params: number, perRun: number, threads: number, total: number): string | null {
  const { need, budget, fits } = netMemoryFit(perRun, threads, total);
  if (fits) return null;
  const fewer = Math.floor(budget / perRun);
  return (
    `a run of this network (${params} parameters) holds about ${gib(perRun)} on the CPU engines; ${threads} worker${threads === 1 ? '' : 's'} ` +
    `need ${gib(need)}, more than ${Math.round(NET_MEMORY_SHARE * 100)}% of this machine's ${gib(total)}: ` +
    `${fewer >= 1 ? `use --workers ${fewer}, or ` : ''}a smaller network`
  );
}

/**
 * Peak JavaScript-heap bytes per parameter of building a NetRun: its pairs (a {group, i0, i1}
 * record per two parameters, and the array of them while it grows), measured with V8 on 64-bit
 * Node (the old space a NetRun of 1M, 2.1M and 4.2M parameters needs to be built: 57 to 60 bytes a
 * parameter, the rest of the process under 20 MB). Unlike the typed arrays these count against
 * V8's heap limit, one per thread (4 GiB by default however large the machine), and passing it
 * ends the process (a fatal out-of-memory abort) rather than throwing.
 */
export const NET_HEAP_BYTES_PER_PARAM = 64;

/**
 * What a run's records may take of the heap limit: a share of it, less a reserve for the young
 * generation (part of the limit, no room for records) and the rest of the process (modules,
 * results, the writers).
 */
export const NET_HEAP_SHARE = 0.75;
export const NET_HEAP_RESERVE = 64 * 2 ** 20;

/**
 * Whether a run of a `params`-parameter network fits in a thread's JavaScript heap of `heapLimit`
 * bytes, and the most parameters that would. The one rule, worded by the CLI (netHeapProblem) and
 * the page (app/net-runs.ts pageNetMemoryProblem).
 */
export function netHeapFit(params: number, heapLimit: number): NetFit & { readonly maxParams: number } {
  const need = params * NET_HEAP_BYTES_PER_PARAM;
  const budget = Math.max(0, heapLimit - NET_HEAP_RESERVE) * NET_HEAP_SHARE;
  return { need, budget, fits: need <= budget, maxParams: Math.floor(budget / NET_HEAP_BYTES_PER_PARAM) };
}

/**
 * Why a run of a `params`-parameter network would not fit in a thread's JavaScript heap of
 * `heapLimit` bytes (v8.getHeapStatistics().heap_size_limit; workers get the same), naming what to
 * change; null when it fits. No worker count helps: each worker trains one run in its own heap.
 */
export function netHeapProblem(params: number, heapLimit: number): string | null {
  const { need, budget, fits, maxParams } = netHeapFit(params, heapLimit);
  if (fits) return null;
  // --max-old-space-size sets the old generation: the limit is that and the young generation.
  const mib = Math.ceil((need / NET_HEAP_SHARE + NET_HEAP_RESERVE) / 2 ** 20);
  return (
    `a run of this network (${params} parameters) needs about ${gib(need)} of JavaScript heap on the CPU engines, ` +
    `more than the ${gib(budget)} a run may take of Node's heap limit of ${gib(heapLimit)}: at most ${maxParams} parameters fit; ` +
    `a smaller network, or a larger limit (NODE_OPTIONS=--max-old-space-size=${mib}, memory permitting)`
  );
}

export function runNetRange(plan: NetPlan, precision: Precision, begin: number, end: number, out: NetColumns, tick?: (runsDone: number) => void): void {
  const nr = new NetRun(plan, precision);
  for (let run = begin; run < end; run++) {
    nr.init(run);
    storeNetOutcome(nr.trainRun(), out, run - begin);
    tick?.(run - begin + 1);
  }
}

/** The recorded path of one network run (see core/trajectory.ts NetTrajectory). */
export function recordNetTrajectory(plan: NetPlan, precision: Precision, run: number, every = 1): NetTrajectory {
  const nr = new NetRun(plan, precision);
  nr.init(run);
  const pts: NetPoint[] = [];
  const o = nr.trainRun((p) => pts.push(p), every);
  const F = precision === 'f32' ? Float32Array : Float64Array;
  const after = pts.slice(1);
  const groupLr: FloatColumn[] = plan.groups.map((_, g) => F.from(after.map((p) => p.groupLr[g] as number)));
  return {
    run,
    every,
    steps: Int32Array.from(pts, (p) => p.step),
    trainLoss: F.from(pts.map((p) => p.trainLoss)),
    testLoss: F.from(pts.map((p) => p.testLoss)),
    lr: groupLr[groupLr.length - 1] as FloatColumn,
    groupLr,
    gradNorm: F.from(pts.map((p) => p.gradNorm)),
    paramNorm: F.from(pts.map((p) => p.paramNorm)),
    diverged: o.diverged,
    divergedAt: o.diverged ? (pts[pts.length - 1]?.step ?? 0) : null,
  };
}

/**
 * The training rows of step k of a run's minibatch, drawn with replacement: row b is word b & 3 of
 * pcg4d(seed, run, k, STREAM_MINIBATCH + (b >> 2)), modulo the training set's size (as the logistic
 * surface draws its minibatches). Exported for the torch oracle, which is fed the same rows.
 */
export function minibatchRows(seed: number, run: number, k: number, batch: number, n: number, out: Int32Array, W = new Uint32Array(4)): void {
  for (let b = 0; b < batch; b++) {
    if ((b & 3) === 0) pcg4d(seed, run, k, STREAM_MINIBATCH + (b >> 2), W);
    out[b] = (W[b & 3] as number) % n;
  }
}
