/**
 * The registry's contracts. Every surface, optimiser and schedule is one entry that carries
 * (1) its parameter schema (torch names and defaults), (2) its CPU step, written once and run in two
 * precisions, and (3) a WGSL twin in `shaders/`, the file named after the entry's id
 * (`shaders/optimizers/<id>.wgsl`; see `wgslFile` in ./index.ts). What an entry would otherwise
 * repeat is derived from it: the typed slot accessors (`slots`), the named state slots (`state`), and
 * the WGSL constants naming both. `tests/unit/registry.test.ts` checks every entry against these rules.
 *
 * ## How one CPU implementation serves two precisions
 * Every CPU function takes `r: Round` first and applies it after every arithmetic operation, in the
 * same order the WGSL twin computes. `r = Math.fround` gives the float32 twin of the shader (`cpu`);
 * `r = identity` gives float64, the truth (`cpu64`). Constants that the shader writes as literals are
 * rounded too (`r(0.5)`), so both sides see the same f32 value.
 *
 * ## The parameter vector P
 * All numeric parameters of a run live in one vector `P` (a Float64Array on the CPU; on the GPU,
 * `param(i)` reads a uniform or, for a swept slot, the run's own value). An entry reads its
 * parameters at fixed slots: surfaces at `P_SURFACE + offset`, optimisers at `P_OPTIMIZER + offset`,
 * schedules at `b + offset` where `b` is the base of the schedule's block (SequentialLR's children
 * have their own blocks). Each entry module derives ONE accessor object `o` from its schema
 * (`paramSlots` in ../params.ts, through `surfaceSlots`, `optimizerSlots`, `scheduleSlots`): `o.eps`,
 * `o.betas_1`, `o.milestones_0` are absolute slots (surfaces, optimisers) or offsets within the block
 * (schedules: `P[b + o.gamma]`), and `o.<key>_<value>` is an enum value's index. The same names are
 * emitted as WGSL constants `<Entry>_<name>` (src/engine/gpu/wgsl-layout.ts). The entry exposes it
 * as `slots`.
 *
 * ## Optimiser state S
 * A Float64Array of 2 * STATE_VEC2 numbers, read as vec2 pairs: S[0], S[1] hold the position (x, y),
 * pair k (k >= 1) is S[2k], S[2k + 1]. In WGSL the same is `S: array<vec2f, STATE_VEC2>` and the
 * position is `S[0]`. Scalars (e.g. NAdam's mu_product) use the x component of a pair. An optimiser
 * names its pairs once (`const st = stateSlots(['exp_avg', 'exp_avg_sq'] as const)`): `st.exp_avg` is
 * the index in S of that pair's x component, and WGSL gets the pair index as `<Entry>_S_<name>`.
 *
 * ## What a twin function may read
 * The CPU twins (init, step, stepScalars.compute; surface value, grad, hessian, stochasticGrad;
 * schedule evaluate, plateau init/step) and the entry-local helpers they call reference, at module
 * level, only `o`, `st`, `Math`, the helpers exported by the shared modules (optimizers/common.ts,
 * surfaces/shared.ts, schedules/common.ts, ../rng.ts, ../outcome.ts) and the entry's own helpers,
 * which its module exports and the entry lists in `helpers`. Composite schedules (SequentialLR,
 * ChainedScheduler) also reference the child entries they dispatch to.
 */
import type { ParamSchema, ParamValues } from '../params.ts';

/** Rounding applied after every operation: Math.fround (float32 twin) or identity (float64). */
export type Round = (x: number) => number;

/** An entry's accessor object (see ParamSlots in ../params.ts); name -> slot, offset or enum index. */
export type Slots = Readonly<Record<string, number>>;

/** Named optimiser state pairs: name -> index in S of the pair's x component (see stateSlots). */
export type StateSlots = Readonly<Record<string, number>>;

/**
 * The entry-local helper functions a twin calls by name, keyed by that name: exported by the entry's
 * module and held to the same rule as the twins (see "What a twin function may read" above).
 */
export type Helpers = Readonly<Record<string, (...args: never[]) => unknown>>;

export interface Minimum {
  readonly x: number;
  readonly y: number;
  readonly value: number;
  /** Largest eigenvalue of the Hessian at the minimum (Infinity where the surface is not smooth there). */
  readonly sharpness: number;
  /** What the surface calls it, where its wells have names (flat_sharp: 'sharp', 'flat'); else it is known by its index. */
  readonly name?: string;
}

export interface Domain {
  readonly xMin: number;
  readonly xMax: number;
  readonly yMin: number;
  readonly yMax: number;
}

/**
 * Minima laid out on a regular lattice (Rastrigin, Ackley): minimum (i, j) is stored at index
 * j * nx + i and is the only candidate for points whose nearest lattice node is (i, j), so basin
 * lookup is O(1) instead of a scan over a hundred minima every step.
 */
export interface Lattice {
  readonly x0: number;
  readonly y0: number;
  readonly step: number;
  readonly nx: number;
  readonly ny: number;
}

/** Read-only data of a data-backed surface, as rows of 4 numbers (feature 0, feature 1, label, weight). */
export type SurfaceData = Float64Array;

export interface SurfaceDef<O extends Slots = Slots> {
  /** Name used in specs and the WGSL file `shaders/surfaces/<id>.wgsl`. */
  readonly id: string;
  readonly title: string;
  /** One paragraph: formula, where the minima are, what the surface shows. */
  readonly doc: string;
  readonly params: readonly ParamSchema[];
  /** Derived from `params`: absolute P slots and enum values (`surfaceSlots(params)`). */
  readonly slots: O;
  readonly helpers?: Helpers;
  /** Default view (and default sweep range for start points). */
  domain(values: ParamValues): Domain;
  readonly defaultStart: readonly [number, number];
  /** |x| or |y| beyond this (or a non-finite coordinate) means the run diverged. */
  bound(values: ParamValues): number;
  /** Known minima, computed in float64 (analytically, or by Newton's method from seeds). */
  minima(values: ParamValues, data: SurfaceData | null): Minimum[];
  /** Set when minima are stored in lattice order (see Lattice). */
  lattice?(values: ParamValues): Lattice;
  /** Data-backed surfaces build their data set here (float64, deterministic in the params). */
  data?(values: ParamValues): SurfaceData;
  /**
   * Data-backed surfaces sample minibatches per run and step: the gradient of the minibatch loss.
   * Analytic surfaces leave this out and the engine uses `grad`.
   */
  stochasticGrad?(
    r: Round,
    P: Float64Array,
    x: number,
    y: number,
    data: SurfaceData,
    seed: number,
    run: number,
    step: number,
    out: Float64Array,
  ): void;
  value(r: Round, P: Float64Array, x: number, y: number, data: SurfaceData | null): number;
  /** out[0] = df/dx, out[1] = df/dy. */
  grad(r: Round, P: Float64Array, x: number, y: number, data: SurfaceData | null, out: Float64Array): void;
  /** out[0] = f_xx, out[1] = f_xy, out[2] = f_yy. */
  hessian(r: Round, P: Float64Array, x: number, y: number, data: SurfaceData | null, out: Float64Array): void;
}

export interface OptimizerDef<O extends Slots = Slots, St extends StateSlots = StateSlots> {
  /**
   * torch class name, e.g. `SGD`, `AdamW` (specs match it case-insensitively); the WGSL twin is
   * `shaders/optimizers/<id>.wgsl` unless `wgslShared` names another body.
   */
  readonly id: string;
  readonly doc: string;
  /** Where the update rule comes from, e.g. `torch/optim/adam.py` (torch 2.x). */
  readonly reference: string;
  readonly params: readonly ParamSchema[];
  /** Derived from `params`: absolute P slots and enum values (`optimizerSlots(params)`). */
  readonly slots: O;
  /** The named state pairs after the position (`stateSlots([...])`): name -> index in S. */
  readonly state: St;
  /** Their names, in pair order (pair 1 first); derived from the same list as `state`. */
  readonly stateNames: readonly string[];
  /** How many vec2 state pairs follow the position (S pair 1 … stateSlots): stateNames.length. */
  readonly stateSlots: number;
  /**
   * The state pair at which the gradient is taken, when it is not the weights: Schedule-Free keeps
   * its averaged iterate x (what a user deploys and what outcomes describe) in pair 0 and the
   * interpolated point y, where torch's reference implementation evaluates the gradient, in this
   * pair. The optimiser keeps it current at the end of every step (and in init).
   */
  readonly gradSlot?: number;
  /**
   * The rule reads a whole parameter tensor at once (a norm, an RMS, a mean over the tensor):
   * LARS's and LAMB's trust ratios, Adafactor, Lion's cautious mask. On a surface the tensor is
   * (x, y); a network's tensors are bigger: the network engine steps a param group whose values
   * make this true through `tensor` (each tensor as a whole), and applies `step` pair by pair
   * otherwise, which is exact only for elementwise rules. Network specs refuse an entry for which
   * this can be true and that has no `tensor` step.
   */
  readonly perTensor?: (values: ParamValues) => boolean;
  /**
   * The rule on a whole parameter tensor of a network (CPU engines): required where `perTensor`
   * can be true. On a tensor of shape [2] it computes what `step` computes on (x, y), bit for bit
   * in both precisions (tests/unit/tensor-step.test.ts), so the surface rule is its special case.
   */
  readonly tensor?: TensorStep;
  /**
   * Parameters the reference reads once for the whole optimiser, never per param group, each with
   * where it reads it (`self.defaults[...]`, or its constructor's argument): a network spec refuses
   * them in a param group and as a group's sweep axis (there torch would ignore them).
   */
  readonly globalParams?: Readonly<Record<string, string>>;
  readonly helpers?: Helpers;
  /**
   * Set when the WGSL twin is another entry's file (`body`: AdamW runs Adam's). A shared body reads
   * its parameters and state through the `OPT_<name>` and `OPT_S_<name>` aliases generated for the
   * pipeline's optimiser (src/engine/gpu/compose.ts); `fixed` gives constant values for the names the
   * body reads that this entry has no parameter for (AdamW: decoupled_weight_decay, always true).
   */
  readonly wgslShared?: { readonly body: string; readonly fixed?: Readonly<Record<string, boolean>> };
  /**
   * The parameter a momentum-cycling scheduler (CyclicLR, OneCycleLR) drives, as torch does:
   * `momentum` for SGD/RMSprop, `betas.0` for the Adam family, null where torch raises.
   */
  readonly momentumParam: 'momentum' | 'betas.0' | null;
  /**
   * The reference makes its momentum buffer at the first step only where the momentum is > 0 then,
   * and reads it at every later step where it is > 0 (torch's RMSprop): a schedule that cycles the
   * momentum up from 0 makes torch raise KeyError: 'momentum_buffer' at step 2, so such a spec is
   * refused (review 14). SGD makes its buffer whenever it first needs one, and is not marked.
   */
  readonly momentumBufferAtFirstStep?: true;
  /**
   * Cross-field rules torch enforces in the constructor (e.g. nesterov needs momentum > 0 and
   * dampening = 0). Returns one message per violation, each naming the fields.
   */
  validate?(values: ParamValues): string[];
  /**
   * The rules a param group's values (its own over the optimiser's) must keep, where they are not
   * the constructor's: torch checks the constructor's arguments (the defaults) and never a group's,
   * so a rule torch raises only there has no place here. Absent: `validate` serves groups too.
   */
  validateGroup?(values: ParamValues): string[];
  /** Sets the initial optimiser state (S pairs 1…); the position is already in S[0], S[1]. */
  init(r: Round, P: Float64Array, S: Float64Array): void;
  /**
   * Per-step scalars that depend only on the step count t, the momentum/beta1 in force and
   * parameters (e.g. Adam's bias corrections 1 - beta^t): up to four numbers. When nothing they read
   * varies between runs, the engines compute them once per step for the whole sweep (the GPU reads
   * them from a table the host filled with this very function, so the twins stay bit-identical)
   * instead of once per step per run. Optimisers without such scalars leave this out (and their
   * WGSL `opt_step_scalars` returns zeros).
   */
  readonly stepScalars?: {
    /** Parameter keys the scalars read (a swept one forces per-run evaluation). */
    readonly params: readonly string[];
    /** Whether they read `mom` (then a momentum-cycling schedule must be shared by all runs). */
    readonly usesMom: boolean;
    /** How many of sc's components opt_step reads, x first (the GPU loads only those from the table). */
    readonly count: 1 | 2 | 3 | 4;
    compute(r: Round, P: Float64Array, mom: number, t: number, out: Float64Array): void;
  };
  /**
   * One optimiser step with gradient (gx, gy). `lr` is the scheduled LR, `mom` the momentum (or
   * beta1) in force this step: the parameter's value, or the scheduler's when it cycles momentum.
   * `t` is torch's `state["step"]` after its increment (1 on the first step). `sc` holds this step's
   * stepScalars (from the table or computed for this run; unused when there are none).
   */
  step(
    r: Round,
    P: Float64Array,
    S: Float64Array,
    gx: number,
    gy: number,
    lr: number,
    mom: number,
    t: number,
    sc: Float64Array,
  ): void;
  /**
   * GPU only: two steps per pass of the step kernel's inner loop (when check_every is even and no
   * schedule is evaluated per run). SwiftShader pays a fixed price per loop iteration, worth about
   * half a cheap step, but a doubled loop body can spill registers and run slower (Rprop: half the
   * speed). Measured per optimiser by `npm run bench -- --unroll`; set only where it won there
   * (docs/performance.md, item 13). Results are bit-identical either way.
   */
  readonly gpuTwoStepsPerPass?: boolean;
}

/**
 * A network parameter tensor's shape as torch holds it: [out, in] for an nn.Linear weight
 * (row-major, the layout of core/network/model.ts), [n] for a bias.
 */
export type TensorShape = readonly [number] | readonly [number, number];

/**
 * An optimiser's rule over whole tensors (see OptimizerDef.tensor). Every function rounds with `r`
 * after every operation, as the twins do (so `r = Math.fround` is the float32 twin, identity the
 * float64 truth), and follows the reference's operation order; reductions (norms, sums, means) run
 * over the tensor in its row-major order.
 */
export interface TensorStep {
  /** How many state numbers a tensor of this shape keeps. */
  stateSize(shape: TensorShape): number;
  /** Initial state (zeros unless the entry says otherwise); `p` is the tensor's initial values. */
  init(r: Round, P: Float64Array, shape: TensorShape, p: Float64Array, state: Float64Array): void;
  /**
   * A scalar computed once per step from the default group's P and every tensor's gradient of
   * every group, before any group steps (timm Lamb's global gradient-norm clip); handed to every
   * tensor's step as `gs`. Absent: `gs` is 1.
   */
  global?(r: Round, P: Float64Array, grads: readonly Float64Array[]): number;
  /**
   * One step of tensor `p` (updated in place) with gradient `g` (this step's; the step may overwrite
   * it, as timm's steps write p.grad), its `state`, and `work`, scratch of p.length numbers (contents undefined).
   * `lr`, `mom`, `t`, `sc` are `step`'s.
   */
  step(
    r: Round,
    P: Float64Array,
    shape: TensorShape,
    p: Float64Array,
    g: Float64Array,
    state: Float64Array,
    work: Float64Array,
    lr: number,
    mom: number,
    t: number,
    sc: Float64Array,
    gs: number,
  ): void;
}

/** A schedule instance placed in P: its definition, its block base and its children (SequentialLR). */
export interface ScheduleNode {
  readonly def: ScheduleDef;
  readonly base: number;
  readonly values: ParamValues;
  readonly children: readonly ScheduleNode[];
}

/** A child of a composite schedule, as its parent's rules see it. */
export interface ScheduleChild {
  readonly def: ScheduleDef;
  readonly values: ParamValues;
}

export interface ScheduleContext {
  /** Number of optimiser steps of the run. */
  readonly steps: number;
  readonly optimizer: OptimizerDef;
}

/** A composite's limit on one of a child's values (ScheduleDef.childLimits); `why` says it for a value given. */
export type ChildLimit = ({ readonly min: number } | { readonly fixed: number }) & { readonly why: (value: number) => string };

export interface ScheduleDef<O extends Slots = Slots> {
  /**
   * torch class name, e.g. `CosineAnnealingLR`; the WGSL twin
   * `fn sched_<id>(b: u32, k: u32, base_lr: f32) -> vec2f` is in `shaders/schedules/<id>.wgsl`.
   */
  readonly id: string;
  readonly doc: string;
  /** What the schedule is for, in plain words (the explorer shows it under the schedule's chart). */
  readonly purpose: string;
  readonly reference: string;
  readonly params: readonly ParamSchema[];
  /** Derived from `params`: offsets within the block and enum values (`scheduleSlots(params)`). */
  readonly slots: O;
  readonly helpers?: Helpers;
  /** Composite schedules (SequentialLR) hold child schedules, each in its own P block. */
  readonly children?: { readonly min: number; readonly max: number };
  /**
   * Where the schedule sets the LR from its own values (CyclicLR's base_lr and max_lr, OneCycleLR's
   * max_lr; under SequentialLR, a child's), so that the optimiser's `lr` and a param group's have no
   * effect: the path within the schedule of the value to sweep instead (`max_lr`,
   * `schedulers.1.max_lr`), else null. A sweep may not vary the lr, a param group may not set it,
   * and the app offers no slider for it (spec.ts scheduleOverrides).
   */
  lrSetter?(values: ParamValues, children: readonly ScheduleChild[]): string | null;
  /** Does this schedule set the momentum (or beta1) each step, as CyclicLR/OneCycleLR can? */
  cyclesMomentum(values: ParamValues): boolean;
  /**
   * The values that make the schedule run its course over a run of `steps` scheduler steps, where
   * its default (torch's, or torch's docstring example of a required value, in epochs) fits only
   * some runs: its horizon (CosineAnnealingLR's T_max, OneCycleLR's total_steps, which torch
   * requires, PolynomialLR's and LinearLR's total_iters), its phases or events as parts of the run
   * (WSD, StepLR's step_size, MultiStepLR's milestones, SequentialLR's switch), its cycles
   * (CyclicLR, CosineAnnealingWarmRestarts), or its decay over the run (ExponentialLR's gamma).
   * The app proposes them when a user picks the schedule (a child of a composite: for the steps
   * the child is active), as a user expects to see the schedule do what it does; the spec itself
   * never applies them. `tests/unit/spec-edit.test.ts` checks that every schedule with a length
   * shows its course within a run picked in the editor. `child`: the steps are a composite child's
   * span (a warm-up child spans its phase; a warm-up alone, a tenth of the run).
   */
  fitRun?(steps: number, child?: boolean): Readonly<Record<string, number | readonly number[]>>;
  /**
   * What a composite allows a child's values beyond the child's own rules, by key: a lowest value
   * or the one value it accepts, each with the reason (ChainedScheduler: a CosineAnnealingLR child
   * needs T_max >= the run's steps and eta_min 0). One statement for three uses: `validate`
   * reports them, a child path's typical range starts at `min`, and a `fixed` value is not offered
   * for sweeping.
   */
  childLimits?(child: ScheduleDef, steps: number): Readonly<Record<string, ChildLimit>>;
  /**
   * Cross-field and run-level rules (e.g. OneCycleLR's total_steps >= steps). Composite schedules
   * get their children and check them (each over the steps it is active for).
   */
  validate?(values: ParamValues, ctx: ScheduleContext, children: readonly ScheduleChild[]): string[];
  /**
   * The LR (out[0]) and, when cycling, the momentum (out[1]) in force at step k, i.e. torch's values
   * after k calls to scheduler.step(). `baseLr` is the optimiser's `lr` (torch's base_lrs).
   */
  evaluate(r: Round, P: Float64Array, node: ScheduleNode, k: number, baseLr: number, out: Float64Array): void;
  /**
   * A schedule driven by each run's own loss (torch's ReduceLROnPlateau): the LR is per-run state,
   * four numbers kept by the engine. `init` sets the state from the base LR; `step` is
   * scheduler.step(metric) after optimiser step k (first: k = 0), with the run's loss before that
   * step as the metric; state[0] is the LR the next step uses. Such a schedule is top-level only,
   * and `evaluate` is not used. WGSL twins: `plateau_init(b, base_lr) -> vec4f` and
   * `plateau_step(b, state: vec4f, metric: f32) -> vec4f`.
   */
  readonly plateau?: {
    init(r: Round, P: Float64Array, b: number, baseLr: number, state: Float64Array): void;
    step(r: Round, P: Float64Array, b: number, state: Float64Array, metric: number): void;
  };
  /**
   * Schedules whose WGSL functions this file calls by name (SequentialLR runs a cosine child in its
   * chained form): a kernel only composes the schedules it uses, so these come along.
   */
  readonly wgslCalls?: readonly string[];
}
