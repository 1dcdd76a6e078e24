/**
 * What float32 does to a plan, found before a float32 engine (cpu, gpu) runs it:
 *
 * - a value it cannot represent: finite in the spec but beyond float32's range (lr = 1e300 becomes
 *   +inf, and the GPU refuses it as a pipeline constant), or non-zero but below float32's normal
 *   range (an eps of 1e-50 becomes 0; a GPU may flush subnormals to zero, so the float32 twin and
 *   the GPU would not even agree with each other);
 * - a sweep axis whose values are not distinct in float32 (a zoom deeper than float32 resolves):
 *   neighbouring cells would run with the same value, so the heatmap would show one run many times
 *   under different labels.
 *
 * Both are properties of the plan, not of one engine, so the CLI refuses them up front for the
 * float32 engines (naming the field, the float32 limit there and `--engine cpu64`), and the app
 * switches to the float64 engine and says why. cpu64 runs them as they are.
 *
 * A network plan is held to the same two rules: every value a float32 engine rounds on loading
 * (each param group's optimiser values, the schedule's, the run settings, the divergence bound and
 * loss threshold, and the data set's inputs and targets) must be a float32 number, and swept values
 * must stay distinct.
 */
import { P_OPTIMIZER, P_SURFACE, RUN_PARAMS, scheduleBlockBase } from './layout.ts';
import type { NetPlan } from './network/plan.ts';
import { PARAM_UNSET, slotOffsets } from './params.ts';
import type { ParamSchema } from './params.ts';
import type { AnyPlan, Plan, SweepShape } from './plan.ts';
import { sweepValue } from './plan.ts';
import { findOptimizer, findSchedule, findSurface } from './registry/index.ts';
import type { ScheduleSpec } from './spec.ts';
import { scheduleGroupLists } from './spec.ts';

/** Largest finite float32. */
export const F32_MAX = 3.4028234663852886e38;
/** Smallest positive normal float32, 2^-126. */
export const F32_MIN_NORMAL = 1.1754943508222875e-38;

export interface Float32Problem {
  /** The spec field, e.g. `optimizer.lr` or `sweep.x`. */
  readonly path: string;
  readonly message: string;
  readonly kind: 'range' | 'resolution';
}

/** The gap between float32 numbers at |x|: one unit in the last place. */
export function f32Ulp(x: number): number {
  const a = Math.abs(Math.fround(x));
  if (a < F32_MIN_NORMAL) return 2 ** -149;
  return 2 ** (Math.floor(Math.log2(a)) - 23);
}

/** Why x cannot be a float32, or null. */
function rangeProblem(x: number): string | null {
  if (!Number.isFinite(x) || x === PARAM_UNSET) return null;
  if (Math.abs(x) > F32_MAX) return `${x} is beyond float32's range (±${F32_MAX.toPrecision(8)}): a float32 engine would run with ${x > 0 ? '+' : '-'}inf`;
  if (x !== 0 && Math.abs(x) < F32_MIN_NORMAL) {
    return `${x} is below float32's normal range (${F32_MIN_NORMAL.toPrecision(8)}): a float32 engine would round it to ${Math.fround(x)} (and a GPU may flush it to 0)`;
  }
  return null;
}

/**
 * P slot -> the spec path of the numeric parameter stored there. `optimizerPath` names an
 * optimiser parameter (a network's param group may set its own).
 */
function slotPaths(plan: AnyPlan, optimizerPath: (key: string) => string = (key) => `optimizer.${key}`): Map<number, string> {
  const out = new Map<number, string>();
  const entry = (schema: readonly ParamSchema[], base: number, prefix: string): void => {
    for (const [key, off] of Object.entries(slotOffsets(schema))) out.set(base + off, `${prefix}.${key}`);
  };
  const surface = plan.problem === 'surface' ? findSurface(plan.spec.surface.name) : undefined;
  const optimizer = findOptimizer(plan.spec.optimizer.name);
  if (surface) entry(surface.params, P_SURFACE, 'surface');
  if (optimizer) for (const [key, off] of Object.entries(slotOffsets(optimizer.params))) out.set(P_OPTIMIZER + off, optimizerPath(key));
  const sched = (s: ScheduleSpec, block: number, prefix: string): void => {
    const def = findSchedule(s.name);
    if (def) entry(def.params, scheduleBlockBase(block), prefix);
  };
  const top = plan.spec.schedule;
  if (top) {
    sched(top, 0, 'schedule');
    top.schedulers.forEach((c, i) => sched(c, i + 1, `schedule.schedulers.${i}`));
  }
  for (const [path, slot] of Object.entries(RUN_PARAMS)) out.set(slot, path);
  return out;
}

/**
 * Every float32 problem of a plan: fixed parameters and sweep values beyond float32's range, and
 * sweep dimensions whose values float32 does not keep apart.
 */
export function float32Problems(plan: AnyPlan): Float32Problem[] {
  const problems = plan.problem === 'network' ? netFixedProblems(plan) : surfaceFixedProblems(plan);
  problems.push(...sweepProblems(plan));
  return problems;
}

function surfaceFixedProblems(plan: Plan): Float32Problem[] {
  const problems: Float32Problem[] = [];
  const paths = slotPaths(plan);
  const swept = new Set(plan.dims.map((d) => d.slot));
  plan.P.forEach((v, slot) => {
    if (swept.has(slot)) return;
    const why = rangeProblem(v);
    if (why) problems.push({ path: paths.get(slot) ?? `P[${slot}]`, message: why, kind: 'range' });
  });
  for (const [k, v] of [['outcome.bound', plan.bound], ['outcome.radius', plan.radius]] as const) {
    const why = rangeProblem(v);
    if (why) problems.push({ path: k, message: why, kind: 'range' });
  }
  return problems;
}

/** The length of the schedule's list at `key` (scheduleGroupLists' form: `max_lr`, `schedulers.1.max_lr`). */
function listLength(s: ScheduleSpec | null, key: string): number {
  const m = /^schedulers\.(\d+)\.(.+)$/.exec(key);
  if (m) return listLength(s?.schedulers[Number(m[1])] ?? null, m[2] ?? '');
  const v = s?.params[key];
  return Array.isArray(v) ? v.length : 1;
}

/**
 * A network's fixed values: each param group's parameter vector (a value a group sets itself is
 * named at the group, one it takes from the optimiser at the optimiser; each path once), the bound
 * and threshold, and the data (named at `data`, with the split, the array and the row).
 */
function netFixedProblems(plan: NetPlan): Float32Problem[] {
  const problems: Float32Problem[] = [];
  const seen = new Set<string>();
  // A schedule value given per group is named at the group's element (`schedule.max_lr.1`, review 17).
  const lists = new Map(scheduleGroupLists(plan.spec.schedule).map((k) => [`schedule.${k}`, listLength(plan.spec.schedule, k)]));
  plan.groups.forEach((g, gi) => {
    const overrides = plan.spec.paramGroups[gi]?.overrides ?? {};
    const paths = slotPaths(plan, (key) => {
      const top = key.split('.')[0] ?? key;
      return Object.hasOwn(overrides, top) ? `optimizer.param_groups.${gi}.${key}` : `optimizer.${key}`;
    });
    const swept = new Set(plan.dims.flatMap((d) => (d.where.kind === 'slot' && d.where.groups.includes(gi) ? [d.where.slot] : [])));
    g.P.forEach((v, slot) => {
      const named = paths.get(slot) ?? `P[${slot}]`;
      // A list without the empty default group's value (one per torch group) gives it its last.
      const length = lists.get(named);
      const path = length === undefined ? named : `${named}.${Math.min(gi, length - 1)}`;
      if (swept.has(slot) || seen.has(path)) return;
      const why = rangeProblem(v);
      if (why) {
        seen.add(path);
        problems.push({ path, message: why, kind: 'range' });
      }
    });
  });
  for (const [k, v] of [['outcome.bound', plan.bound], ['network.threshold', plan.threshold]] as const) {
    const why = v === null ? null : rangeProblem(v);
    if (why) problems.push({ path: k, message: why, kind: 'range' });
  }
  const { data } = plan;
  for (const [split, s] of [['train', data.train], ['test', data.test]] as const) {
    for (const [name, a] of [['x', s.x], ['y', s.y]] as const) {
      for (let i = 0; i < a.length; i++) {
        const why = rangeProblem(a[i] as number);
        if (why) {
          const width = a.length / s.n;
          problems.push({ path: 'data', message: `${data.id}'s ${split} ${name}[${Math.floor(i / width)}]: ${why}`, kind: 'range' });
          break;
        }
      }
    }
  }
  return problems;
}

/** Sweep values beyond float32's range, and dimensions whose values float32 merges (either kind of plan). */
function sweepProblems(plan: SweepShape & { readonly runs: number }): Float32Problem[] {
  const problems: Float32Problem[] = [];
  const sweep = plan.spec.sweep;
  // The field a problem is at: the axis (grid, random, Sobol), or for explicit points the first
  // point whose value is out of range (else the dimension's parameter).
  const field = (d: number, run = -1): string =>
    plan.mode === 'grid'
      ? `sweep.${d === 0 ? 'x' : 'y'}`
      : sweep?.kind === 'points'
        ? run >= 0
          ? `sweep.points.${run}.${d}`
          : `sweep.params.${d}`
        : `sweep.dims.${d}`;
  plan.dims.forEach((dim, d) => {
    const values = plan.mode === 'grid' ? (d === 0 ? plan.xValues : plan.yValues) : null;
    const n = values ? values.length : plan.runs;
    const at = (i: number): number => (values ? (values[i] as number) : sweepValue(plan, i, d));
    let rangeWhy: string | null = null;
    let at_ = -1;
    for (let i = 0; i < n && !rangeWhy; i++) {
      rangeWhy = rangeProblem(at(i));
      if (rangeWhy) at_ = i;
    }
    if (rangeWhy) {
      problems.push({ path: field(d, values ? -1 : at_), message: `${dim.path}: ${rangeWhy}`, kind: 'range' });
      return;
    }
    if (n < 2) return;
    if (values) {
      // A grid axis: each cell must run with its own value.
      for (let i = 1; i < n; i++) {
        const a = at(i - 1);
        const b = at(i);
        if (a !== b && Math.fround(a) === Math.fround(b)) {
          problems.push({
            path: field(d),
            message:
              `${dim.path}: neighbouring values ${a} and ${b} are the same float32 number (float32 resolves steps of ` +
              `${f32Ulp(b).toPrecision(3)} there, the axis steps by ${Math.abs(b - a).toPrecision(3)}); run it on --engine cpu64`,
            kind: 'resolution',
          });
          return;
        }
      }
    } else {
      // Random, Sobol and explicit points: distinct values must stay distinct.
      const exact = new Set<number>();
      const f32 = new Set<number>();
      for (let i = 0; i < n; i++) {
        exact.add(at(i));
        f32.add(Math.fround(at(i)));
      }
      if (f32.size < exact.size) {
        const { min, max } = dim.range;
        problems.push({
          path: field(d),
          message:
            `${dim.path}: ${exact.size} distinct values are only ${f32.size} float32 numbers (float32 resolves steps of ` +
            `${f32Ulp(Math.max(Math.abs(min), Math.abs(max))).toPrecision(3)} in [${min}, ${max}]); run it on --engine cpu64`,
          kind: 'resolution',
        });
      }
    }
  });
  return problems;
}
