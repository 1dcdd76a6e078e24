/**
 * The shared table of the optimiser harness (tests/unit/optimizers.test.ts): one row per registry
 * entry, holding what the harness cannot derive from the entry itself: the reference's constructor
 * (defaults, the values it accepts and rejects, its cross-field errors), the float64 port of its
 * step loop (tests/oracles) and the settings the entry is compared with it on, and the settings of
 * the float32-vs-float64 check. The harness fails for an entry without a row, and for a row without
 * an entry. Also the driver that steps an entry the way the engines do, shared with
 * tests/unit/optimizer-rules.test.ts.
 */
// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT) or S (length STATE_LEN).
import { P_COUNT, P_OPTIMIZER, STATE_LEN } from '../../src/core/layout.ts';
import type { ParamValue } from '../../src/core/params.ts';
import { encodeParams } from '../../src/core/params.ts';
import type { OptimizerDef, Round } from '../../src/core/registry/types.ts';
import type { GradFn, OptimizerOracle, Values, Vec } from '../oracles/run.ts';
import { SCHEDULE_FREE } from '../oracles/schedule-free.ts';
import { TIMM } from '../oracles/timm.ts';
import { TORCH_OPTIM } from '../oracles/torch-optim.ts';

export type { GradFn, Values, Vec } from '../oracles/run.ts';

export const f64: Round = (x) => x;
export const f32: Round = Math.fround;

// ---------------------------------------------------------------------------------------------
// The driver.

/** Every parameter at its default, then `over`. */
export function values(d: OptimizerDef, over: Values = {}): Record<string, ParamValue> {
  const v: Record<string, ParamValue> = {};
  for (const p of d.params) v[p.key] = p.default;
  return { ...v, ...over };
}

/** The momentum or beta1 a run of these values has when no schedule cycles it (0 where there is none). */
export function momentumOf(d: OptimizerDef, v: Values): number {
  if (d.momentumParam === 'momentum') return v['momentum'] as number;
  if (d.momentumParam === 'betas.0') return (v['betas'] as readonly number[])[0]!;
  return 0;
}

/** Overrides that set the momentum parameter (momentum, or betas.0 keeping betas.1) to m. */
export function withMomentum(d: OptimizerDef, over: Values, m: number): Values {
  if (d.momentumParam === 'momentum') return { ...over, momentum: m };
  if (d.momentumParam === 'betas.0') return { ...over, betas: [m, (values(d, over)['betas'] as readonly number[])[1]!] };
  return over;
}

/**
 * The scalars step() receives, as the engines produce them: stepScalars.compute for this (P, mom, t),
 * or nothing. `sc` starts as NaN so that a step reading a slot compute() did not write shows up.
 */
export function stepScalars(d: OptimizerDef, r: Round, P: Float64Array, mom: number, t: number, sc: Float64Array): Float64Array {
  sc.fill(Number.NaN);
  d.stepScalars?.compute(r, P, mom, t, sc);
  return sc;
}

/** P holding these values in the optimiser block (the rest 0), optionally stored as float32 as the GPU does. */
export function paramsOf(d: OptimizerDef, over: Values = {}, roundP = false): Float64Array {
  const P = new Float64Array(P_COUNT);
  encodeParams(d.params, values(d, over), P, P_OPTIMIZER);
  if (roundP) for (let i = 0; i < P_COUNT; i++) P[i] = f32(P[i]!);
  return P;
}

export interface RunOptions {
  readonly steps: number;
  readonly grad: GradFn;
  readonly start?: Vec;
  readonly r?: Round;
  /** Store P as float32, as the GPU does, so f32-vs-f64 comparisons see the same parameters. */
  readonly roundP?: boolean;
  /** The scheduled LR handed to step t (default: the lr parameter). */
  readonly lrAt?: (t: number) => number;
  /** Per-step momentum/beta1 handed to step() (a cycling schedule); default: the parameter. */
  readonly mom?: (t: number) => number;
  /** The step count handed to step() itself (the scalars always get the true one); default: t. */
  readonly stepT?: (t: number) => number;
  /** What is recorded after each step, from the state (default: the position). */
  readonly observe?: (S: Float64Array) => number[];
}

export interface RunResult {
  /** observe(S) after each step. */
  readonly traj: number[][];
  /** The state after the last step. */
  readonly S: Float64Array;
}

/**
 * Drives an optimiser the way the engines do: init after the start point, then per step the gradient
 * at pair `gradSlot` (y for Schedule-Free), the scalars from stepScalars.compute, then step().
 */
export function run(d: OptimizerDef, over: Values, o: RunOptions): RunResult {
  const r = o.r ?? f64;
  const v = values(d, over);
  const P = paramsOf(d, over, o.roundP);
  const S = new Float64Array(STATE_LEN).fill(123); // init() must overwrite every slot it uses
  const start = o.start ?? [1, -0.5];
  S[0] = r(start[0]);
  S[1] = r(start[1]);
  d.init(r, P, S);
  const gs = 2 * (d.gradSlot ?? 0);
  const lr0 = P[P_OPTIMIZER]!;
  const observe = o.observe ?? ((s: Float64Array): number[] => [s[0]!, s[1]!]);
  const traj: number[][] = [];
  const sc = new Float64Array(4);
  for (let t = 1; t <= o.steps; t++) {
    const g = o.grad([S[gs]!, S[gs + 1]!], t);
    const mom = o.mom ? o.mom(t) : o.roundP ? f32(momentumOf(d, v)) : momentumOf(d, v);
    const lr = o.lrAt ? o.lrAt(t) : lr0;
    stepScalars(d, r, P, mom, t, sc);
    d.step(r, P, S, r(g[0]), r(g[1]), lr, mom, o.stepT ? o.stepT(t) : t, sc);
    traj.push(observe(S));
  }
  return { traj, S };
}

/** The positions after each step. */
export function positions(d: OptimizerDef, over: Values, o: RunOptions): Vec[] {
  return run(d, over, o).traj.map((x) => [x[0]!, x[1]!]);
}

/** Fixed gradient sequence: step t (1-based) gets seq[t - 1] in x and its negative in y. */
export function seq(...gs: number[]): GradFn {
  return (_p, t) => {
    const g = gs[(t - 1) % gs.length]!;
    return [g, -g];
  };
}

/** Fixed per-coordinate gradient sequence. */
export function seq2(...gs: Vec[]): GradFn {
  return (_p, t) => gs[(t - 1) % gs.length]!;
}

/** A tilted, badly conditioned bowl 0.5 x^2 + 2 y^2 + 0.25 x y: the gradient depends on the position. */
export const bowl: GradFn = ([x, y]) => [x + 0.25 * y, 4 * y + 0.25 * x];

export const flat = (traj: readonly (readonly number[])[]): number[] => traj.flatMap((p) => [...p]);
export const xs = (traj: readonly (readonly number[])[]): number[] => traj.map((p) => p[0]!);

/** |actual - expected| <= rel * max(1, |expected|) element by element, with the first failure named. */
export function closeTo(actual: readonly number[], expected: readonly number[], rel = 1e-12): string | null {
  if (actual.length !== expected.length) return `length ${actual.length}, expected ${expected.length}`;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const tol = rel * Math.max(1, Math.abs(e));
    if (!(Math.abs(a - e) <= tol)) return `element ${i}: got ${a}, expected ${e} (|diff| ${Math.abs(a - e)} > ${tol})`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// The rows.

/** One comparison with the reference port (float64, same start, gradients and schedule). */
export interface OracleCase {
  readonly over: Values;
  readonly steps?: number;
  readonly grad?: GradFn;
  readonly start?: Vec;
  readonly lrAt?: (t: number) => number;
  readonly momAt?: (t: number) => number;
  /** Relative tolerance (default 1e-12), loosened only where the reason is given. */
  readonly rel?: number;
  readonly why?: string;
}

export interface OptimizerRow {
  /** How the entry's `reference` starts: the file and function of the reference implementation. */
  readonly reference: RegExp;
  /** The reference constructor's defaults, in its argument order (copied from its signature). */
  readonly defaults: Values;
  /** The parameter a momentum-cycling scheduler drives, as torch's CyclicLR/OneCycleLR would see it. */
  readonly momentumParam: 'momentum' | 'betas.0' | null;
  /**
   * [key, value, accepted]: what the reference's constructor accepts and rejects; a fourth element
   * marks a value basinlab refuses though the reference accepts it, and says why (its param doc
   * must say so too).
   */
  readonly bounds: readonly (readonly [string, number, boolean] | readonly [string, number, false, string])[];
  /** validate(): overrides and the errors they give (one regex per message); null when there is no validate. */
  readonly validate: readonly (readonly [Values, readonly RegExp[]])[] | null;
  readonly oracle: OptimizerOracle;
  readonly cases: readonly OracleCase[];
  /** State the oracle reports after p, read from the entry's state (ASGD's ax, Schedule-Free's y and z). */
  readonly observe?: (d: OptimizerDef, S: Float64Array) => number[];
  /** Settings of the float32-vs-float64 check. */
  readonly f32: readonly Values[];
  /** Its relative tolerance (default 1e-6), loosened only with a reason. */
  readonly f32Tol?: number;
  /** Why lr = 0 still moves the position (default: it must not). */
  readonly lrZeroMoves?: string;
  /** Exceptions to the WGSL twin's rules, each with its reason. */
  readonly wgsl?: {
    /** opt_step branches on run-time values (not only on override flags). */
    readonly branches?: string;
    /** opt_step calls pow (per-run state feeds it, so it cannot move to the step table). */
    readonly pow?: string;
  };
}

const BOWL_CASES = (lr: number, steps: number, overs: readonly Values[], rel?: number): OracleCase[] =>
  overs.map((c) => ({ over: { lr, ...c }, steps, ...(rel ? { rel } : {}) }));

/** beta1 (or momentum) as a momentum-cycling scheduler sets it each step. */
export const cycled = (t: number): number => 0.85 + 0.1 * Math.cos(t / 3);

/** The bias corrections and mu_t with beta1 cycled per step, as torch uses the beta1 in force (Adam family). */
const CYCLED_ADAM: readonly Values[] = [{}, { betas: [0.3, 0.99], weight_decay: 0.1 }, { betas: [0.9, 0.9999] }, { betas: [0.95, 0.9] }];
const adamCases = (extra: Values = {}): OracleCase[] =>
  CYCLED_ADAM.flatMap((c) => [
    { over: { lr: 0.02, ...c, ...extra }, steps: 60, rel: 1e-11, why: 'bias corrections over 60 steps' },
    { over: { lr: 0.02, ...c, ...extra }, steps: 60, momAt: cycled, rel: 1e-11, why: 'beta1 cycled per step' },
  ]);

const LR_AND_WD: readonly (readonly [string, number, boolean])[] = [
  ['lr', -1e-9, false],
  ['lr', 0, true],
  ['weight_decay', -1e-9, false],
  ['weight_decay', 0, true],
];
const EPS_NON_NEGATIVE: readonly (readonly [string, number, boolean])[] = [
  ['eps', -1e-12, false],
  ['eps', 0, true],
];
const BETAS_IN_0_1: readonly (readonly [string, number, boolean])[] = [
  ['betas', 1, false],
  ['betas', -0.1, false],
  ['betas', 0, true],
  ['betas', 0.9999, true],
];
const NESTEROV_ERRORS: readonly (readonly [Values, readonly RegExp[]])[] = [
  [{ nesterov: true, momentum: 0.9 }, []],
  [{ nesterov: false, momentum: 0, dampening: 0.5 }, []],
  [{ nesterov: true, momentum: 0 }, [/^nesterov: Nesterov momentum requires a momentum and zero dampening .*momentum.*dampening/]],
  [{ nesterov: true, momentum: 0.9, dampening: 0.1 }, [/^nesterov: Nesterov momentum requires a momentum and zero dampening .*momentum.*dampening/]],
];

/** Where a scheduled LR that first grows, then holds while the LR decays, meets lr_max. */
const sfLrAt = (t: number): number => 0.08 * Math.min(t / 15, 1) * (t > 40 ? 0.5 : 1);
const sfMomAt = (t: number): number => 0.85 + 0.1 * Math.sin(t / 7);
const sfObserve = (d: OptimizerDef, S: Float64Array): number[] => {
  const y = d.state['y']!;
  const z = d.state['z']!;
  return [S[y]!, S[y + 1]!, S[z]!, S[z + 1]!];
};
const SF_WGSL = {
  branches: "py_pow skips the pow at the default power 2: a branch on a value all runs share unless swept (then both sides run, still correct)",
  pow: 'lr_max ** weight_lr_power: lr_max is each run\'s running maximum of the scheduled LR, per-run state, so it cannot move to the step table',
};

export const OPTIMIZER_ROWS: Readonly<Record<string, OptimizerRow>> = {
  SGD: {
    reference: /^torch\/optim\/sgd\.py, _single_tensor_sgd/,
    defaults: { lr: 1e-3, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false, maximize: false },
    momentumParam: 'momentum',
    bounds: [...LR_AND_WD, ['momentum', -0.1, false], ['momentum', 1.5, true], ['dampening', -3, true]],
    validate: NESTEROV_ERRORS,
    oracle: TORCH_OPTIM['SGD']!,
    cases: [
      ...BOWL_CASES(0.03, 6, [
        {},
        { momentum: 0.9 },
        { momentum: 0.9, dampening: 0.3 },
        { momentum: 0.8, nesterov: true },
        { momentum: 0.9, weight_decay: 0.1, maximize: true },
        { momentum: 0.9, nesterov: true, weight_decay: 0.05, maximize: true },
      ]),
      { over: { lr: 0.1, momentum: 0.9, dampening: 0.5 }, steps: 8, momAt: (t) => (t === 1 ? 0 : 0.9), why: 'the buffer is created on the first step with momentum != 0' },
    ],
    f32: [{ lr: 0.05, momentum: 0.9 }, { lr: 0.05, momentum: 0.9, nesterov: true, weight_decay: 0.01 }],
    wgsl: { branches: "its fast path's branches are on constants, the buffer's creation on per-run state (kept deliberately: see SGD.wgsl)" },
  },
  Adam: {
    reference: /^torch\/optim\/adam\.py, _single_tensor_adam/,
    defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false, maximize: false, decoupled_weight_decay: false },
    momentumParam: 'betas.0',
    bounds: [...LR_AND_WD, ...EPS_NON_NEGATIVE, ...BETAS_IN_0_1],
    validate: null,
    oracle: TORCH_OPTIM['Adam']!,
    cases: [
      // Every flag combination; amsgrad only differs when exp_avg_sq shrinks: a gradient that drops sharply at t = 3.
      ...[false, true].flatMap((amsgrad) =>
        [false, true].flatMap((decoupled) =>
          [false, true].flatMap((maximize) =>
            [[0.9, 0.999], [0.3, 0.9]].map((betas): OracleCase => ({
              over: { lr: 0.05, betas, weight_decay: 0.1, amsgrad, decoupled_weight_decay: decoupled, maximize },
              steps: 6,
              grad: (p, t) => (t === 3 ? [1e-3, 1e-3] : bowl(p, t)),
            })),
          ),
        ),
      ),
      ...adamCases(),
    ],
    f32: [{ lr: 0.01 }, { lr: 0.01, amsgrad: true, weight_decay: 0.1 }],
  },
  AdamW: {
    reference: /^torch\/optim\/adamw\.py: class AdamW\(Adam\)/,
    defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 1e-2, amsgrad: false, maximize: false },
    momentumParam: 'betas.0',
    bounds: [...LR_AND_WD, ...EPS_NON_NEGATIVE, ...BETAS_IN_0_1],
    validate: null,
    oracle: TORCH_OPTIM['AdamW']!,
    cases: [...adamCases(), ...BOWL_CASES(0.02, 8, [{ amsgrad: true, weight_decay: 0.3, maximize: true }])],
    f32: [{ lr: 0.01 }],
  },
  RMSprop: {
    reference: /^torch\/optim\/rmsprop\.py, _single_tensor_rmsprop/,
    defaults: { lr: 1e-2, alpha: 0.99, eps: 1e-8, weight_decay: 0, momentum: 0, centered: false, maximize: false },
    momentumParam: 'momentum',
    bounds: [...LR_AND_WD, ...EPS_NON_NEGATIVE, ['momentum', -0.1, false], ['alpha', -0.1, false], ['alpha', 1.5, true]],
    validate: null,
    oracle: TORCH_OPTIM['RMSprop']!,
    cases: BOWL_CASES(0.01, 6, [
      {},
      { centered: true },
      { momentum: 0.9 },
      { centered: true, momentum: 0.5, weight_decay: 0.1 },
      { alpha: 0.3, maximize: true, eps: 1e-4 }, // alpha < 0.5 takes lerp's other branch
      { alpha: 0.3, centered: true },
    ]),
    f32: [{ lr: 0.01 }, { lr: 0.01, centered: true, momentum: 0.5 }],
  },
  Adagrad: {
    reference: /^torch\/optim\/adagrad\.py, _single_tensor_adagrad/,
    defaults: { lr: 1e-2, lr_decay: 0, weight_decay: 0, initial_accumulator_value: 0, eps: 1e-10, maximize: false },
    momentumParam: null,
    bounds: [...LR_AND_WD, ...EPS_NON_NEGATIVE, ['lr_decay', -1, false], ['initial_accumulator_value', -1, false]],
    validate: null,
    oracle: TORCH_OPTIM['Adagrad']!,
    cases: BOWL_CASES(0.1, 6, [
      {},
      { lr_decay: 0.1 },
      { initial_accumulator_value: 0.3, weight_decay: 0.2 },
      { lr_decay: 0.05, weight_decay: 0.1, maximize: true, eps: 1e-3 },
    ]),
    f32: [{ lr: 0.1, lr_decay: 0.01 }],
  },
  NAdam: {
    reference: /^torch\/optim\/nadam\.py, _single_tensor_nadam/,
    defaults: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, momentum_decay: 4e-3, decoupled_weight_decay: false, maximize: false },
    momentumParam: 'betas.0',
    bounds: [...LR_AND_WD, ...EPS_NON_NEGATIVE, ...BETAS_IN_0_1, ['momentum_decay', -1, false]],
    validate: null,
    oracle: TORCH_OPTIM['NAdam']!,
    cases: [
      ...BOWL_CASES(0.02, 12, [
        {},
        { weight_decay: 0.1 },
        { weight_decay: 0.1, decoupled_weight_decay: true, maximize: true },
        { momentum_decay: 0 },
        { betas: [0.3, 0.99], momentum_decay: 0.1 },
      ]),
      { over: { lr: 0.05, momentum_decay: 0.5 }, steps: 3, why: 'mu_product is state: recomputing it would differ from the third step on' },
      ...adamCases({ momentum_decay: 0.2 }),
    ],
    f32: [{ lr: 0.01 }],
  },
  RAdam: {
    reference: /^torch\/optim\/radam\.py, _single_tensor_radam/,
    defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, decoupled_weight_decay: false, maximize: false },
    momentumParam: 'betas.0',
    bounds: [...LR_AND_WD, ...EPS_NON_NEGATIVE, ...BETAS_IN_0_1],
    validate: null,
    oracle: TORCH_OPTIM['RAdam']!,
    cases: [
      ...BOWL_CASES(
        0.02,
        40,
        [
          {},
          { weight_decay: 0.1 },
          { weight_decay: 0.1, decoupled_weight_decay: true, maximize: true },
          { betas: [0.3, 0.9] }, // rho_inf = 19: rectified from t = 3; lerp's other branch
          { betas: [0.9, 0.5] }, // rho_inf = 3: never rectified
        ],
        1e-11,
      ),
      ...adamCases(),
    ],
    f32: [{ lr: 0.01 }, { lr: 0.01, betas: [0.9, 0.99], weight_decay: 0.1, decoupled_weight_decay: true }],
  },
  Adadelta: {
    reference: /^torch\/optim\/adadelta\.py, _single_tensor_adadelta/,
    defaults: { lr: 1.0, rho: 0.9, eps: 1e-6, weight_decay: 0, maximize: false },
    momentumParam: null, // neither momentum nor betas: CyclicLR raises
    bounds: [...LR_AND_WD, ...EPS_NON_NEGATIVE, ['rho', 1, true], ['rho', 1.01, false], ['rho', -0.01, false]],
    validate: null,
    oracle: TORCH_OPTIM['Adadelta']!,
    cases: BOWL_CASES(1, 25, [{}, { rho: 0.5 }, { rho: 0.3, eps: 1e-3 }, { weight_decay: 0.1, maximize: true }, { lr: 0.5, rho: 1 }, { rho: 0 }]),
    f32: [{}, { weight_decay: 0.01, rho: 0.95 }],
  },
  Adamax: {
    reference: /^torch\/optim\/adamax\.py, _single_tensor_adamax/,
    defaults: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, maximize: false },
    momentumParam: 'betas.0',
    bounds: [...LR_AND_WD, ...BETAS_IN_0_1],
    validate: null,
    oracle: TORCH_OPTIM['Adamax']!,
    cases: [
      ...BOWL_CASES(0.02, 40, [{}, { betas: [0.3, 0.9] }, { weight_decay: 0.1, maximize: true, eps: 1e-3 }, { betas: [0.95, 0.5] }], 1e-11),
      { over: { lr: 0.02 }, steps: 40, momAt: cycled, rel: 1e-11 },
    ],
    f32: [{ lr: 0.01 }],
  },
  ASGD: {
    reference: /^torch\/optim\/asgd\.py, _single_tensor_asgd/,
    defaults: { lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6, weight_decay: 0, maximize: false },
    momentumParam: null,
    bounds: [...LR_AND_WD, ['lambd', -1e-9, false, 'basinlab: 1 + lambd·lr·t falls below 0, where WGSL pow is undefined'], ['alpha', -1e-9, true], ['alpha', -2, true], ['t0', -5, true]],
    validate: null,
    oracle: TORCH_OPTIM['ASGD']!,
    observe: (d, S) => [S[d.state['ax']!]!, S[d.state['ax']! + 1]!],
    cases: [
      ...BOWL_CASES(0.05, 30, [
        {},
        { lambd: 0.5, alpha: 1, t0: 1 },
        { lambd: 0.5, alpha: 0.5, t0: 5 },
        { lambd: 0.01, weight_decay: 0.1, maximize: true, t0: 3 },
        { t0: -3, lambd: 0.2 },
      ]),
      {
        over: { lr: 123, lambd: 0.5, alpha: 1, t0: 2 },
        steps: 12,
        lrAt: (t) => 0.08 / t,
        why: "a schedule: eta for step t is computed at the end of step t - 1 with that step's LR, and step 1 uses the LR in force then",
      },
    ],
    f32: [{ lr: 0.05, lambd: 0.01, t0: 10 }],
  },
  Rprop: {
    reference: /^torch\/optim\/rprop\.py, _single_tensor_rprop/,
    defaults: { lr: 1e-2, etas: [0.5, 1.2], step_sizes: [1e-6, 50], maximize: false },
    momentumParam: null, // etas are not betas
    bounds: [['lr', -1e-9, false], ['lr', 0, true], ['etas', 0, false], ['step_sizes', -1, true]],
    validate: [
      [{ etas: [0.5, 1.2] }, []],
      [{ etas: [0.01, 100] }, []],
      ...[[1, 1.2], [0.5, 1], [1.5, 2], [0.5, 0.9]].map((etas): readonly [Values, readonly RegExp[]] => [
        { etas },
        [new RegExp(`^etas: Invalid eta values: ${etas[0]}, ${etas[1]}`)],
      ]),
    ],
    oracle: TORCH_OPTIM['Rprop']!,
    cases: [
      ...BOWL_CASES(0.05, 40, [{}, { etas: [0.3, 1.5] }, { step_sizes: [0.01, 0.05], maximize: true }, { etas: [0.9, 1.01], step_sizes: [1e-3, 1] }]),
      { over: { lr: 0.1 }, steps: 10, lrAt: () => 0.02, why: 'the LR is read once, when the state is created' },
      { over: { lr: 0 }, steps: 5, start: [0.7, -0.3], why: 'lr = 0: the step size is clamped up to step_sizes[0]' },
    ],
    f32: [{ lr: 0.01 }],
    lrZeroMoves: 'torch clamps the initial step size lr * 1 to step_sizes[0] = 1e-6 (compared with the port instead)',
  },
  Adafactor: {
    reference: /^torch\/optim\/_adafactor\.py, _single_tensor_adafactor/,
    defaults: { lr: 1e-2, beta2_decay: -0.8, eps: [2 ** -23, 1e-3], d: 1.0, weight_decay: 0.0, maximize: false },
    momentumParam: null, // beta2_decay is not betas
    bounds: [...LR_AND_WD, ['beta2_decay', 0, true], ['beta2_decay', 1e-9, false], ['eps', -1e-9, false], ['d', 1, true], ['d', 0.999, false]],
    validate: null,
    oracle: TORCH_OPTIM['Adafactor']!,
    cases: [
      ...BOWL_CASES(0.01, 40, [{}, { lr: 0.3 }, { beta2_decay: -0.5, d: 1.5 }, { beta2_decay: 0, eps: [1e-3, 1e-2] }, { weight_decay: 0.1, maximize: true, lr: 0.05 }]),
      { over: {}, steps: 20, lrAt: (t) => 0.5 / (1 + t) },
    ],
    f32: [{ lr: 0.05 }, { weight_decay: 0.01, d: 2 }],
  },
  LARS: {
    reference: /^timm\/optim\/lars\.py \(huggingface\/pytorch-image-models/,
    defaults: { lr: 1.0, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false, trust_coeff: 0.001, eps: 1e-8, trust_clip: false, always_adapt: false },
    momentumParam: 'momentum',
    bounds: [...LR_AND_WD, ['momentum', -0.1, false], ['dampening', -3, true], ['trust_coeff', -1, true]],
    validate: NESTEROV_ERRORS,
    oracle: TIMM['LARS']!,
    cases: [
      ...BOWL_CASES(0.5, 30, [
        { weight_decay: 0.01 },
        { weight_decay: 0.01, momentum: 0.9 },
        { weight_decay: 0.05, momentum: 0.9, nesterov: true, trust_coeff: 0.02 },
        { always_adapt: true, momentum: 0.5, dampening: 0.3, trust_clip: true },
        { weight_decay: 0.1, trust_clip: true, eps: 1e-3 },
        {},
      ]),
      {
        over: { lr: 0.5, weight_decay: 0.01, momentum: 0.9 },
        steps: 20,
        momAt: (t) => (t === 1 ? 0 : 0.8 + 0.1 * Math.sin(t)),
        why: 'momentum cycled to 0 on the first step: the buffer is created on the first step with momentum != 0',
      },
    ],
    f32: [{ lr: 0.5, weight_decay: 0.01, momentum: 0.9 }, { lr: 0.5, always_adapt: true, nesterov: true, momentum: 0.9 }],
  },
  LAMB: {
    reference: /^timm\/optim\/lamb\.py \(huggingface\/pytorch-image-models/,
    defaults: {
      lr: 1e-3,
      bias_correction: true,
      betas: [0.9, 0.999],
      eps: 1e-6,
      weight_decay: 0.01,
      grad_averaging: true,
      max_grad_norm: 1.0,
      trust_clip: false,
      always_adapt: false,
      caution: false,
      decoupled_decay: false,
    },
    momentumParam: 'betas.0',
    bounds: [...LR_AND_WD, ['betas', 1, true], ['eps', -1e-9, false]],
    validate: null,
    oracle: TIMM['LAMB']!,
    cases: [
      ...BOWL_CASES(
        0.05,
        40,
        [
          {},
          { max_grad_norm: null },
          { max_grad_norm: 0.1, grad_averaging: false },
          { bias_correction: false, betas: [0.5, 0.9] },
          { caution: true, weight_decay: 0.1 },
          { decoupled_decay: true, weight_decay: 0.2, trust_clip: true },
          { weight_decay: 0, always_adapt: true, betas: [0.3, 0.99] },
        ],
        1e-11,
      ),
      { over: { lr: 0.05 }, steps: 40, momAt: cycled, rel: 1e-11 },
    ],
    f32: [{ lr: 0.01 }, { lr: 0.01, decoupled_decay: true, max_grad_norm: null, caution: true }],
  },
  Lion: {
    reference: /^timm\/optim\/lion\.py \(huggingface\/pytorch-image-models/,
    defaults: { lr: 1e-4, betas: [0.9, 0.99], weight_decay: 0.0, caution: false, maximize: false },
    momentumParam: 'betas.0',
    bounds: [['lr', -1e-9, false], ['lr', 0, true], ['weight_decay', -0.1, true], ...BETAS_IN_0_1],
    validate: null,
    oracle: TIMM['Lion']!,
    cases: [
      ...BOWL_CASES(0.01, 40, [{}, { betas: [0.3, 0.99] }, { weight_decay: 0.3, maximize: true }, { caution: true, betas: [0.95, 0.9] }]),
      { over: { lr: 0.01 }, steps: 40, momAt: cycled },
    ],
    f32: [{ lr: 0.001 }, { lr: 0.001, weight_decay: 0.1 }],
  },
  SGDScheduleFree: {
    reference: /^schedulefree\/sgd_schedulefree\.py \(facebookresearch\/schedule_free, SGDScheduleFree\.step, non-foreach/,
    defaults: { lr: 1.0, momentum: 0.9, weight_decay: 0, warmup_steps: 0, r: 0.0, weight_lr_power: 2 },
    momentumParam: 'momentum',
    bounds: [
      ...LR_AND_WD,
      ['momentum', 0, false],
      ['momentum', 1, false],
      ['momentum', 1e-6, true],
      ['momentum', 0.999999, true],
      ['warmup_steps', -3, true],
      ['r', -0.5, true],
      ['weight_lr_power', -1, true],
      ['weight_lr_power', 0, true],
    ],
    validate: null,
    oracle: SCHEDULE_FREE['SGDScheduleFree']!,
    observe: sfObserve,
    cases: [
      ...BOWL_CASES(0.1, 100, [
        {},
        { warmup_steps: 20 },
        { r: 0.5 },
        { lr: 0.05, weight_decay: 0.1 },
        { weight_lr_power: 0 },
        { lr: 0.2, momentum: 0.5 }, // 1 - 1/beta = -1: lerp's other branch in eval()
        { momentum: 0.3, warmup_steps: 7, r: 1.5, weight_decay: 0.05, weight_lr_power: 1 },
      ]),
      { over: { lr: 0.08, warmup_steps: 3, r: 0.25 }, steps: 100, lrAt: sfLrAt, momAt: sfMomAt, why: 'lr_max grows, then holds while the LR decays' },
    ],
    f32: [{ lr: 0.1 }, { lr: 0.1, warmup_steps: 10, r: 0.5, weight_decay: 0.01 }, { lr: 0.1, weight_lr_power: 0, momentum: 0.5 }],
    f32Tol: 2e-6,
    wgsl: SF_WGSL,
  },
  AdamWScheduleFree: {
    reference: /^schedulefree\/adamw_schedulefree\.py \(facebookresearch\/schedule_free, AdamWScheduleFree\.step, non-foreach/,
    defaults: { lr: 0.0025, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, warmup_steps: 0, r: 0.0, weight_lr_power: 2.0 },
    momentumParam: 'betas.0',
    bounds: [
      ['lr', -1e-9, false], // the reference does not check it; basinlab keeps lr_max ** weight_lr_power real
      ['lr', 0, true],
      ['weight_decay', -0.1, true],
      ['eps', -1e-9, true],
      ['betas', 1.5, true],
      ['warmup_steps', -3, true],
      ['r', -0.5, true],
      ['weight_lr_power', -1, true],
    ],
    validate: [
      [{ betas: [0.9, 0.999] }, []],
      [{ betas: [1, 1] }, []],
      [{ betas: [-0.5, -1] }, []],
      [{ betas: [0, 0.999] }, [/^betas: .*beta1 = 0.*ZeroDivisionError/]],
      [{ betas: [0.9, 1.01] }, [/^betas: .*math domain error/]],
      [{ betas: [0.9, -1.5] }, [/^betas: .*math domain error/]],
    ],
    oracle: SCHEDULE_FREE['AdamWScheduleFree']!,
    observe: sfObserve,
    cases: [
      ...BOWL_CASES(0.05, 100, [
        {},
        { warmup_steps: 20 },
        { r: 0.5 },
        { lr: 0.02, weight_decay: 0.1 },
        { weight_lr_power: 0 },
        { lr: 0.02, betas: [0.5, 0.99], eps: 1e-3 },
        { lr: 0.1, betas: [0.2, 0.99], warmup_steps: 5, r: 2, weight_decay: 0.01, weight_lr_power: 3 },
      ]),
      { over: { lr: 0.0025 }, steps: 100 },
      { over: { lr: 0.08, warmup_steps: 3, r: 0.25 }, steps: 100, lrAt: sfLrAt, momAt: sfMomAt, why: 'lr_max grows, then holds while the LR decays' },
    ],
    f32: [{ lr: 0.01 }, { lr: 0.01, warmup_steps: 10, r: 0.5, weight_decay: 0.01 }, { lr: 0.01, weight_lr_power: 0, betas: [0.5, 0.99] }],
    f32Tol: 2e-6,
    wgsl: SF_WGSL,
  },
};
