/**
 * NetSpec -> NetPlan: everything the engines need to train a network run, resolved once. As for
 * surfaces (core/plan.ts), engines never look at the spec: the plan holds the layout of the
 * parameter vector, the data set, torch's param_groups each with its own parameter vector P (the
 * optimiser's values with the group's overrides, the schedule's blocks, the run block), the swept
 * dimensions and where each one's value goes.
 */
import { DATA_SETS, loadDataFor } from '../data/index.ts';
import type { DataSet, Split } from '../data/types.ts';
import { P_COUNT, P_OPTIMIZER, P_SCHEDULE, RUN_PARAMS } from '../layout.ts';
import { encodeParams } from '../params.ts';
import type { ParamValues } from '../params.ts';
import { buildSchedule, makePlan, sweepGrid } from '../plan.ts';
import type { AnyPlan, SweepMode } from '../plan.ts';
import type { OptimizerDef, ScheduleNode } from '../registry/index.ts';
import { findOptimizer } from '../registry/index.ts';
import type { AnySpec, AxisRange, NetSpec, NetTarget } from '../spec.ts';
import { defaultCheckEvery, resolveNetPath, runCount, scheduleCyclesMomentum, scheduleForGroup, sweepRanges } from '../spec.ts';
import type { Activation, Layout, LossName, Parametrization, Tensor } from './model.ts';
import { layout } from './model.ts';

export interface NetGroup {
  /** `param_groups.<i>` for explicit groups, `default` for the rest. */
  readonly name: string;
  readonly tensors: readonly Tensor[];
  /** The optimiser's values in this group (its overrides applied). */
  readonly values: ParamValues;
  /** Base parameter vector of the group; swept slots are overwritten per run. */
  readonly P: Float64Array;
  /** Swept slots feed this group's schedule (its LR sequence differs per run). */
  readonly scheduleShared: boolean;
  readonly optScalarsShared: boolean;
}

export interface NetDim {
  readonly path: string;
  readonly int: boolean;
  readonly range: AxisRange;
  readonly where: NetTarget['where'];
}

export interface NetPlan {
  readonly problem: 'network';
  readonly spec: NetSpec;
  readonly optimizer: OptimizerDef;
  /** The schedule tree (its blocks are the same in every group's P). */
  readonly schedule: ScheduleNode | null;
  readonly layout: Layout;
  readonly loss: LossName;
  /** The data set in float64 (the float32 engines round it when they load it). */
  readonly data: DataSet;
  /** Explicit param_groups first, in the spec's order, then the default group. */
  readonly groups: readonly NetGroup[];
  /** Group of each tensor of the layout. */
  readonly tensorGroup: readonly number[];
  readonly runs: number;
  readonly width: number;
  readonly height: number;
  readonly mode: SweepMode;
  readonly dims: readonly NetDim[];
  readonly xValues: Float64Array;
  readonly yValues: Float64Array;
  /** Samples per step when no dimension sweeps it; null: the whole training set. */
  readonly batch: number | null;
  readonly checkEvery: number;
  /** The absolute training-loss threshold, or null: 1% of each run's initial loss. */
  readonly threshold: number | null;
  /** The absolute divergence bound on the training loss, or null: 1e6 times the initial loss. */
  readonly bound: number | null;
  readonly momentumSlot: number;
  readonly cyclesMomentum: boolean;
  /**
   * The training loss of the best constant prediction (constantLoss): what a net that learnt only
   * the targets' average, or the class frequencies, ends at. A minibatch run counts as trained only
   * below it (app/net-runs.ts netTrained).
   */
  readonly constantLoss: number;
}

/**
 * The loss on `split` of the best prediction that ignores the input: for cross-entropy the class
 * frequencies, whose loss is their entropy (ln 10 = 2.30 for ten balanced classes); for MSE each
 * output's mean, whose loss is the targets' variance averaged over the outputs (MSE's mean over
 * samples and outputs, as batchLoss reduces). A run that ends above it has learnt nothing a
 * constant would not: "chance".
 */
export function constantLoss(split: Pick<Split, 'n' | 'y'>, outputs: number, loss: LossName): number {
  const n = split.n;
  if (n === 0) return Number.NaN;
  if (loss === 'cross_entropy') {
    const counts = new Float64Array(outputs);
    for (let s = 0; s < n; s++) counts[split.y[s] as number] = (counts[split.y[s] as number] as number) + 1;
    let h = 0;
    for (const c of counts) if (c > 0) h -= (c / n) * Math.log(c / n);
    return h;
  }
  let sum = 0;
  for (let k = 0; k < outputs; k++) {
    let mean = 0;
    for (let s = 0; s < n; s++) mean += split.y[s * outputs + k] as number;
    mean /= n;
    for (let s = 0; s < n; s++) sum += ((split.y[s * outputs + k] as number) - mean) ** 2;
  }
  return sum / (n * outputs);
}

/**
 * The plan's param groups that train a tensor, by index into plan.groups: every group but an empty
 * default one (where the explicit groups hold every tensor, torch's optimiser has no default group;
 * the engines still step a group there, with no tensor, and record its LR, which trains nothing).
 */
export function trainedGroups(plan: Pick<NetPlan, 'groups'>): number[] {
  return plan.groups.flatMap((g, i) => (g.tensors.length > 0 ? [i] : []));
}

/** What trainsOnMinibatches needs of a plan: its batch size, and whether an axis sweeps it. */
export type MinibatchShape = Pick<NetPlan, 'batch'> & { readonly dims?: readonly { readonly where: { readonly kind: string } }[] };

/**
 * Whether a plan's runs train on minibatches: a batch size set, or swept (each run has one then,
 * though network.batch_size is unset: review 13). Only no batch size at all is full batch.
 */
export function trainsOnMinibatches(plan: MinibatchShape): boolean {
  return plan.batch !== null || (plan.dims ?? []).some((d) => d.where.kind === 'batch');
}

/** Relative divergence bound (and the convergence measure's ceiling): the fractal notebook's max_val. */
export const DIVERGENCE_FACTOR = 1e6;
/** Relative training-loss threshold when network.threshold is null. */
export const THRESHOLD_FACTOR = 0.01;
/**
 * The convergence measure averages the last this-many normalised losses (the notebook's v[-20:]).
 * One value for both engines: a tail that differed would split the CPU twin from the GPU on every
 * run near the trained/untrained seam (review 27).
 */
export const CONVERGENCE_TAIL = 20;

export function makeNetPlan(spec: NetSpec): NetPlan {
  const optimizer = findOptimizer(spec.optimizer.name);
  const dataDef = DATA_SETS.find((d) => d.id === spec.data.name);
  if (!optimizer || !dataDef) throw new Error('spec was not validated');
  const net = spec.network;
  const L = layout({
    sizes: [dataDef.inputs(spec.data.params), ...(net.hidden as readonly number[]), dataDef.outputs(spec.data.params)],
    activation: net.activation as Activation,
    bias: net.bias === true,
    parametrization: net.parametrization as Parametrization,
  });
  const data = dataDef.make(spec.data.params, spec.data.seed, L.params);
  const loss: LossName = net.loss === 'auto' ? (data.task === 'classification' ? 'cross_entropy' : 'mse') : (net.loss as LossName);

  // Dimensions first: they decide which groups' schedules and scalars are shared.
  const ranges = spec.sweep ? sweepRanges(spec.sweep) : [];
  const dims: NetDim[] = ranges.map((range) => {
    const t = resolveNetPath(spec, range.param);
    if (typeof t === 'string') throw new Error(`spec was not validated: ${t}`);
    return { path: t.path, int: t.int, range, where: t.where };
  });

  const nGroups = spec.paramGroups.length + 1;
  const tensorGroup = L.tensors.map((t) => {
    const g = spec.paramGroups.findIndex((pg) => pg.params.some((n) => t.name === n || t.name.startsWith(`${n}.`)));
    return g === -1 ? nGroups - 1 : g;
  });
  const cyclesMomentum = scheduleCyclesMomentum(spec.schedule);
  const momentumSlot = optimizer.momentumParam ? P_OPTIMIZER + keyOffset(optimizer, optimizer.momentumParam) : -1;
  // The tree (its blocks' bases are the same in every group; its values the default group's); each
  // group's P gets its own values below, a per-group list's element among them (scheduleForGroup).
  const schedule: ScheduleNode | null = spec.schedule ? buildSchedule(scheduleForGroup(spec.schedule, nGroups - 1), 0, new Float64Array(P_COUNT)) : null;
  const groups: NetGroup[] = Array.from({ length: nGroups }, (_, g) => {
    const explicit = g < spec.paramGroups.length ? spec.paramGroups[g] : undefined;
    const values: ParamValues = { ...spec.optimizer.params, ...(explicit?.overrides ?? {}) };
    const P = new Float64Array(P_COUNT);
    encodeParams(optimizer.params, values, P, P_OPTIMIZER);
    P[RUN_PARAMS['sam.rho']] = spec.sam?.rho ?? 0;
    if (spec.schedule) buildSchedule(scheduleForGroup(spec.schedule, g), 0, P);
    const slots = dims.flatMap((d) => (d.where.kind === 'slot' && d.where.groups.includes(g) ? [d.where.slot] : []));
    const scheduleShared = !schedule?.def.plateau && !slots.some((s) => s >= P_SCHEDULE || s === P_OPTIMIZER);
    const ss = optimizer.stepScalars;
    const momSwept = momentumSlot >= 0 && slots.includes(momentumSlot);
    const momShared = cyclesMomentum ? scheduleShared : !momSwept;
    const optScalarsShared =
      ss !== undefined && !ss.params.some((k) => slots.includes(P_OPTIMIZER + keyOffset(optimizer, k))) && (!ss.usesMom || momShared);
    return {
      name: explicit ? `param_groups.${g}` : 'default',
      tensors: L.tensors.filter((_, i) => tensorGroup[i] === g),
      values,
      P,
      scheduleShared,
      optScalarsShared,
    };
  });

  const { mode, width, height, xValues, yValues } = sweepGrid(spec.sweep, dims);
  return {
    problem: 'network',
    spec,
    optimizer,
    schedule,
    layout: L,
    loss,
    data,
    groups,
    tensorGroup,
    runs: runCount(spec.sweep),
    width,
    height,
    mode,
    dims,
    xValues,
    yValues,
    batch: typeof net.batch_size === 'number' ? net.batch_size : null,
    checkEvery: spec.outcome.check_every ?? defaultCheckEvery(spec.steps),
    threshold: typeof net.threshold === 'number' ? net.threshold : null,
    bound: spec.outcome.bound,
    momentumSlot,
    cyclesMomentum,
    constantLoss: constantLoss(data.train, data.outputs, loss),
  };
}

/** Offset of a slot path (`lr`, `betas.0`) in the optimiser's block. */
function keyOffset(opt: OptimizerDef, path: string): number {
  let o = 0;
  const [key, idx] = path.split('.');
  for (const p of opt.params) {
    const n = p.kind === 'tuple' ? p.default.length : p.kind === 'int-list' ? p.maxLength : 1;
    if (p.key === key) return o + (idx === undefined ? 0 : Number(idx));
    o += n;
  }
  throw new Error(`${opt.id} has no parameter ${path}`);
}

/**
 * Loads what a spec's plan needs that is not in memory yet (a packaged data set: Iris, digits).
 * Call before makeAnyPlan; a no-op for surfaces and generated data.
 */
export async function prepareSpec(spec: AnySpec): Promise<void> {
  if (spec.problem === 'network') await loadDataFor(spec.data.name);
}

/** The plan of either kind of spec (after prepareSpec). */
export function makeAnyPlan(spec: AnySpec): AnyPlan {
  return spec.problem === 'network' ? makeNetPlan(spec) : makePlan(spec);
}
