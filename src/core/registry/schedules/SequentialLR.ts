// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT), checked by tests.
import { MAX_SCHEDULE_CHILDREN } from '../../layout.ts';
import type { ParamSchema, ParamValues } from '../../params.ts';
import type { Round, ScheduleChild, ScheduleContext, ScheduleDef, ScheduleNode } from '../types.ts';
import { ConstantLR } from './ConstantLR.ts';
import { CosineAnnealingLR, cosineAnnealingFrom } from './CosineAnnealingLR.ts';
import { CosineAnnealingWarmRestarts } from './CosineAnnealingWarmRestarts.ts';
import { CyclicLR } from './CyclicLR.ts';
import { INT_MAX, intList, num, scheduleSlots } from './common.ts';
import { LinearLR } from './LinearLR.ts';
import { OneCycleLR } from './OneCycleLR.ts';
import { PolynomialLR } from './PolynomialLR.ts';
import { SWALR } from './SWALR.ts';

const params = [
  {
    key: 'milestones',
    kind: 'int-list',
    required: true,
    default: [20],
    min: 1,
    max: INT_MAX,
    maxLength: MAX_SCHEDULE_CHILDREN - 1,
    doc: 'Steps at which the next schedule takes over (one fewer than schedulers); required in torch ([20] is its docstring example). 0 is not supported: torch never resets at a milestone of 0.',
  },
] as const satisfies readonly ParamSchema[];

const o = scheduleSlots(params);

/*
 * How torch runs the children (torch/optim/lr_scheduler.py, SequentialLR.__init__ and step):
 *
 * 1. The user constructs every child before SequentialLR, in list order. The first constructor sets
 *    the param group's initial_lr to its lr (setdefault), except that CyclicLR first replaces the
 *    lr by its base_lr, and OneCycleLR *overwrites* initial_lr with max_lr / div_factor. Each child
 *    captures base_lrs = initial_lr as it is when that child is constructed.
 * 2. SequentialLR resets the group lr to the final initial_lr, decrements every child's last_epoch,
 *    and re-runs the first child's initial step: child 0 chains from that lr.
 * 3. Each step: idx = bisect_right(milestones, k). At k == milestones[idx - 1] the child is switched
 *    in with _update_lr(0), i.e. its closed form at epoch 0 from its own base_lrs (get_lr for
 *    CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR, which have none); later steps chain.
 *
 * 4. A CyclicLR or OneCycleLR that cycles the momentum (or Adam's beta1) writes it into the param
 *    group whenever it steps, its constructor included, and nothing else writes it back: the
 *    constructors leave the last cycling child's value at its step 0, child 0's initial step (if it
 *    cycles) its own, and from then on the active child writes it if it cycles. So at step k the
 *    momentum is the active child's where it cycles; else the value the latest cycling child before
 *    it left at its last step; else (none before it) the last cycling child's in list order at its
 *    step 0, whatever the optimiser's own momentum (torch 1.13: SGD(momentum=0.5) under
 *    SequentialLR([LinearLR, OneCycleLR]) warms up at 0.95, OneCycleLR's max_momentum; review 20).
 *
 * Hence each child runs as if standalone at local step j = k - milestone, from lr `l`:
 *   - child 0 chains from the final initial_lr, while its base_lrs is the initial_lr at its own
 *     construction; the two differ only when a later child is a OneCycleLR. CosineAnnealingLR uses
 *     base_lrs after T_max (see cosineAnnealingFrom) and CosineAnnealingWarmRestarts always.
 *   - later children start from their base_lrs. ConstantLR's closed form with total_iters = 0 is the
 *     full lr (factor + (0 >= 0) * (1 - factor) = 1), where its chainable start is lr * factor; a
 *     LinearLR with total_iters = 0 divides by zero there (rejected by validateSequentialLR).
 */

export const SequentialLR: ScheduleDef<typeof o> = {
  validate: (values, ctx, children) => validateSequentialLR(values, children, ctx),
  id: 'SequentialLR',
  doc: 'Runs its schedulers one after another, switching at the milestones (e.g. LinearLR warmup, then CosineAnnealingLR).',
  purpose: 'Runs schedules one after another: most often a short warm-up, then the main decay.',
  reference:
    'torch/optim/lr_scheduler.py, SequentialLR.__init__ (resets group lr to initial_lr, recursive_undo, ' +
    "schedulers[0]._initial_step()) and step (bisect_right(milestones, k); scheduler._update_lr(0) at a milestone, " +
    'else scheduler.step()).',
  params,
  slots: o,
  children: { min: 2, max: MAX_SCHEDULE_CHILDREN },
  cyclesMomentum: () => false,
  // Whether torch ever reads the optimiser's lr here (step 1 of the comment above, and evaluate's
  // `initial` and `base`). A CyclicLR or OneCycleLR first makes its own base_lr (or
  // max_lr / div_factor) initial_lr from the start; a OneCycleLR later overwrites initial_lr when it
  // is built. Child 0 then chains from the final initial_lr, and reads the initial_lr as it was at
  // its own construction where it reads its base_lrs (a CosineAnnealingWarmRestarts always, a
  // CosineAnnealingLR past its T_max); every later child starts from the initial_lr as it was at
  // its construction. A child that sets its LR from its own values (an lrSetter: a CyclicLR, a
  // OneCycleLR, a SWALR with anneal_epochs 0) reads neither, and one that is never switched in
  // (equal milestones) neither. The lr goes unread where no child reads it; then the value to sweep
  // instead is the one that set initial_lr (a CyclicLR's base_lr, every child's start, not its
  // max_lr, which shapes its own cycle only: review 22), else the first child's own. An axis over
  // optimizer.lr there was a map of stripes (the agreement row "per-run SequentialLR (LR swept)"
  // swept one); tests/unit/schedules.test.ts holds this to the torch port. Not known here: the
  // run's length, so a child switched in only past the run still counts as reading.
  lrSetter(values, children) {
    const ms = intList(values, 'milestones');
    const first = children[0];
    if (!first || ms.length !== children.length - 1) return null;
    const setsInitial = (c: ScheduleChild): boolean => c.def === CyclicLR || c.def === OneCycleLR;
    const ownValues = (c: ScheduleChild): boolean => (c.def.lrSetter?.(c.values, []) ?? null) !== null;
    // Whether initial_lr is still the optimiser's lr as each child is built, and at the end.
    let fromLr = !setsInitial(first);
    const baseFromLr = children.map((c) => (fromLr &&= c.def !== OneCycleLR));
    for (let i = 0; i < children.length; i++) {
      const c = children[i] as ScheduleChild;
      const span = i === 0 ? (ms[0] ?? 0) : (ms[i] ?? Number.POSITIVE_INFINITY) - (ms[i - 1] ?? 0);
      if (span <= 0 || ownValues(c)) continue;
      if (i > 0 ? baseFromLr[i] : fromLr) return null;
      const tMax = num(c.values, 'T_max') ?? T_MAX_DEFAULT;
      if (i === 0 && baseFromLr[0] && (c.def === CosineAnnealingWarmRestarts || (c.def === CosineAnnealingLR && span - 1 > tMax))) return null;
    }
    if (first.def === CyclicLR) return 'schedulers.0.base_lr';
    const m = children.findIndex((c) => c.def === OneCycleLR);
    if (m >= 0) return `schedulers.${m}.max_lr`;
    return `schedulers.0.${first.def.lrSetter?.(first.values, []) ?? 'max_lr'}`;
  },
  // The usual warmup-then-anneal pair switches after a tenth of the run (the default [20] is 4% of
  // 500 steps); each child is then fitted to its phase.
  fitRun: (steps: number) => ({ milestones: [Math.max(1, Math.round(steps / 10))] }),
  evaluate(r: Round, P: Float64Array, node: ScheduleNode, k: number, baseLr: number, out: Float64Array): void {
    const b = node.base;
    const kids = node.children;
    const n = kids.length;
    // Milestones are non-decreasing, so counting those <= k is bisect_right.
    let idx = 0;
    for (let i = 0; i + 1 < n; i++) if (k >= P[b + o.milestones_0 + i]!) idx = i + 1;
    const j = idx === 0 ? k : k - P[b + o.milestones_0 + idx - 1]!;
    // The param group's initial_lr as each child is constructed (step 1 of the comment above).
    let initial = 0;
    let have = false;
    let base = 0;
    for (let i = 0; i < n; i++) {
      const c = kids[i]!;
      if (c.def === OneCycleLR) {
        initial = r(r(P[c.base + OneCycleLR.slots.max_lr]!) / r(P[c.base + OneCycleLR.slots.div_factor]!));
        have = true;
      } else if (!have) {
        initial = c.def === CyclicLR ? r(P[c.base + CyclicLR.slots.base_lr]!) : r(baseLr);
        have = true;
      }
      if (i === idx) base = initial;
    }
    const child = kids[idx]!;
    const first = idx === 0;
    const l = first ? initial : base;
    if (child.def === ConstantLR && !first && P[child.base + ConstantLR.slots.total_iters]! === 0) {
      out[0] = base;
      out[1] = 0;
    } else if (child.def === CosineAnnealingLR) {
      cosineAnnealingFrom(r, P, child.base, j, l, base, out);
    } else if (child.def === CosineAnnealingWarmRestarts) {
      child.def.evaluate(r, P, child, j, base, out);
    } else {
      child.def.evaluate(r, P, child, j, l, out);
    }
    // The momentum (or beta1) when a child cycles it (step 4 of the comment above): the active
    // child's where it cycles, else the last value a cycling child wrote.
    if (cycles(P, child)) return;
    out[1] = 0;
    for (let i = idx - 1; i >= 0; i--) {
      const c = kids[i]!;
      const from = i === 0 ? 0 : P[b + o.milestones_0 + i - 1]!;
      const until = P[b + o.milestones_0 + i]!;
      if (until > from && cycles(P, c)) {
        c.def.evaluate(r, P, c, until - 1 - from, l, HELD);
        out[1] = HELD[1]!;
        return;
      }
    }
    for (let i = n - 1; i >= 0; i--) {
      const c = kids[i]!;
      if (cycles(P, c)) {
        c.def.evaluate(r, P, c, 0, l, HELD);
        out[1] = HELD[1]!;
        return;
      }
    }
  },
  wgslCalls: ['CosineAnnealingLR', 'CosineAnnealingWarmRestarts'],
};

/** CosineAnnealingLR's T_max where a draft leaves it out (its schema default). */
const T_MAX_DEFAULT = Number(CosineAnnealingLR.params.find((p) => p.key === 'T_max')?.default);

/** Scratch for a child evaluated for its momentum alone (evaluate is synchronous and not re-entered). */
const HELD = new Float64Array(2);

/** Whether a child (CyclicLR, OneCycleLR) cycles the momentum, as its evaluate reads it from P. */
function cycles(P: Float64Array, c: ScheduleNode): boolean {
  return (c.def === OneCycleLR && P[c.base + OneCycleLR.slots.cycle_momentum]! !== 0) || (c.def === CyclicLR && P[c.base + CyclicLR.slots.cycle_momentum]! !== 0);
}

/** A child as the spec holds it: its definition and resolved values. */
export interface SequentialChild {
  readonly def: ScheduleDef;
  readonly values: ParamValues;
}

/**
 * SequentialLR's rules that need its children, which `ScheduleDef.validate` does not receive:
 * torch's own checks, what basinlab does not model, and each child's rules with the part of the run
 * it is active for. Messages name the child as `schedulers.<i>`.
 */
export function validateSequentialLR(
  values: ParamValues,
  children: readonly SequentialChild[],
  ctx: ScheduleContext,
): string[] {
  const errors: string[] = [];
  const milestones = intList(values, 'milestones');
  if (milestones.length !== children.length - 1) {
    errors.push(
      `milestones: Sequential Schedulers expects number of schedulers provided to be one more than the number of ` +
        `milestone points, but got number of schedulers ${children.length} and the number of milestones to be equal ` +
        `to ${milestones.length} (torch's ValueError)`,
    );
    return errors;
  }
  let oneCycles = 0;
  let cyclingOneCycle = -1;
  children.forEach((c, i) => {
    const name = `schedulers.${i} (${c.def.id})`;
    if (c.def.children) {
      errors.push(`${name}: a composite schedule cannot be a child of SequentialLR in basinlab`);
      return;
    }
    const cycles = c.def.cyclesMomentum(c.values);
    if (cycles && c.def === OneCycleLR && cyclingOneCycle < 0) cyclingOneCycle = i;
    if (cycles && c.def === CyclicLR && cyclingOneCycle >= 0) {
      errors.push(
        `${name}: cycles momentum after schedulers.${cyclingOneCycle} (OneCycleLR), which does too: current torch's CyclicLR ` +
          `constructor writes its max_momentum and base_momentum into the param group, where OneCycleLR reads its own at every ` +
          `step, so the OneCycleLR would cycle between this CyclicLR's bounds (torch 1.13's CyclicLR did not write them), which ` +
          `basinlab does not model; put the CyclicLR before the OneCycleLR, or set cycle_momentum: false on one of them`,
      );
    }
    if (c.def === OneCycleLR && ++oneCycles === 2) {
      errors.push(
        `${name}: only one OneCycleLR per SequentialLR; torch keeps initial_lr, max_lr and min_lr in the optimizer's ` +
          `param group, so the later OneCycleLR overwrites the values the earlier one anneals between`,
      );
    }
    // Steps k in [0, ctx.steps] at which torch evaluates this child (the constructor plus one
    // scheduler.step() per optimizer step), as the child's local step count.
    const from = i === 0 ? 0 : (milestones[i - 1] ?? 0);
    const until = i < milestones.length ? (milestones[i] ?? 0) - 1 : Number.POSITIVE_INFINITY;
    if (from > ctx.steps || until < from) {
      // Never switched in, but built: torch's constructor runs the child's step 0 and its own
      // checks (review 21: a momentum-cycling CyclicLR past the run, under Adagrad, which has no
      // momentum, ran here while torch raises in the constructor).
      for (const msg of c.def.validate?.(c.values, { steps: 0, optimizer: ctx.optimizer }, []) ?? []) {
        errors.push(`${name}, never switched in but built (its constructor runs its step 0): ${msg}`);
      }
      return;
    }
    const localSteps = Math.min(ctx.steps, until) - from;
    if ((c.def === LinearLR || c.def === PolynomialLR) && i > 0 && num(c.values, 'total_iters') === 0) {
      errors.push(
        `${name}: total_iters = 0 makes torch raise ZeroDivisionError at step ${from}, where SequentialLR switches ` +
          `to it through ${c.def.id}._get_closed_form_lr (min(total_iters, 0) / total_iters); use total_iters >= 1`,
      );
    }
    if (c.def === SWALR && i > 0) {
      errors.push(
        `${name}: after a milestone torch's SWALR anneals from the LR the previous scheduler left (it has no closed form ` +
          `and counts its own steps), which basinlab does not model; use SWALR as the first scheduler or on its own`,
      );
    }
    for (const msg of c.def.validate?.(c.values, { steps: localSteps, optimizer: ctx.optimizer }, []) ?? []) {
      errors.push(`${name}, active for its local steps 0..${localSteps}: ${msg}`);
    }
  });
  return errors;
}
