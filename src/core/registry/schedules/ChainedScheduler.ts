import { MAX_SCHEDULE_CHILDREN } from '../../layout.ts';
import type { ParamSchema, ParamValues } from '../../params.ts';
import type { ChildLimit, Round, ScheduleChild, ScheduleContext, ScheduleDef, ScheduleNode } from '../types.ts';
import { ConstantLR } from './ConstantLR.ts';
import { CosineAnnealingLR } from './CosineAnnealingLR.ts';
import { ExponentialLR } from './ExponentialLR.ts';
import { LinearLR } from './LinearLR.ts';
import { MultiStepLR } from './MultiStepLR.ts';
import { PolynomialLR } from './PolynomialLR.ts';
import { StepLR } from './StepLR.ts';
import { meetsChildLimit, num, scheduleSlots } from './common.ts';

/** torch's ChainedScheduler has no numeric arguments (schedulers, and an optional optimizer). */
const params = [] as const satisfies readonly ParamSchema[];

const o = scheduleSlots(params);

/*
 * How torch runs the chain (torch/optim/lr_scheduler.py, ChainedScheduler.__init__ and step):
 *
 * The user constructs every child first, each on the same optimizer; each constructor runs its
 * initial step on the param group's lr, and ChainedScheduler itself changes nothing. Every
 * ChainedScheduler.step() then calls each child's step() in list order. So the LR is whatever the
 * children's chainable get_lr forms make of the group lr, applied one after another, each with its
 * own step count k.
 *
 * For StepLR, MultiStepLR, ExponentialLR, ConstantLR, LinearLR and PolynomialLR every such update
 * multiplies the group lr by a factor f_i(k) / f_i(k - 1) that depends on the child's own step count
 * only (f_i(0) at construction), so the chain telescopes to lr * prod_i f_i(k), whatever the order:
 * each child's closed form applied to the running product. CosineAnnealingLR's update is
 * eta_min + (lr - eta_min) * ratio_k: multiplicative only with eta_min = 0, and only up to k = T_max
 * (at T_max + 1 torch adds (base_lr - eta_min) (1 - cos(pi / T_max)) / 2 instead). The other
 * schedules set the LR outright (CosineAnnealingWarmRestarts from base_lr, CyclicLR, OneCycleLR),
 * re-interpolate it (SWALR) or are not torch's (WSD); in torch's chain they overwrite or distort the
 * factors of the children before them, which a product over children cannot express, so they are
 * rejected, as are children that cycle momentum and nested composites.
 */

/** Children whose chainable form is a pure factor of the group lr (CosineAnnealingLR: see above). */
const MULTIPLICATIVE: readonly ScheduleDef[] = [StepLR, MultiStepLR, ExponentialLR, ConstantLR, LinearLR, PolynomialLR];

function notChainable(def: ScheduleDef): string {
  switch (def.id) {
    case 'CosineAnnealingWarmRestarts':
      return "its step() sets the LR to eta_min + (base_lr - eta_min) (1 + cos(pi T_cur / T_i)) / 2 from base_lr, overwriting the factors of the schedulers before it";
    case 'CyclicLR':
    case 'OneCycleLR':
      return 'it sets the LR from its own bounds instead of scaling the current LR, overwriting the factors of the schedulers before it';
    case 'SWALR':
      return 'it re-interpolates between the current LR and swa_lr instead of multiplying it by a factor';
    case 'WSD':
      return 'it is not a torch scheduler (as a LambdaLR it would overwrite the chained LR); use it on its own';
    default:
      return 'its update is not a factor of the current LR';
  }
}

/**
 * ChainedScheduler's rules: which children torch's chain reduces to a product for (see above), and
 * each child's own rules over the whole run (all children step together). Messages name the child
 * as `schedulers.<i>`.
 */
/**
 * A chained CosineAnnealingLR's limits: torch's chainable form eta_min + (lr - eta_min) * ratio_k is
 * a factor only with eta_min = 0, and only up to k = T_max.
 */
export function chainedChildLimits(child: ScheduleDef, steps: number): Readonly<Record<string, ChildLimit>> {
  if (child !== CosineAnnealingLR) return {};
  return {
    eta_min: {
      fixed: 0,
      why: (eta) =>
        `eta_min = ${eta} makes torch's chained update eta_min + (lr - eta_min) * ratio affine, not a factor, ` +
        `so the chain depends on the order and is not the product basinlab evaluates; use eta_min: 0`,
    },
    T_max: {
      min: steps,
      why: (tMax) =>
        `this ${steps}-step run passes T_max = ${tMax}, where torch's recursive form adds ` +
        `(base_lr - eta_min) (1 - cos(pi / T_max)) / 2 instead of multiplying, so the chain is no longer a product; ` +
        `use T_max >= ${steps}`,
    },
  };
}

export function validateChainedScheduler(
  _values: ParamValues,
  children: readonly ScheduleChild[],
  ctx: ScheduleContext,
): string[] {
  const errors: string[] = [];
  children.forEach((c, i) => {
    const name = `schedulers.${i} (${c.def.id})`;
    if (c.def.children) {
      errors.push(`${name}: a composite schedule cannot be a child of ChainedScheduler in basinlab`);
      return;
    }
    if (c.def.cyclesMomentum(c.values)) {
      errors.push(`${name}: cycles momentum, which basinlab does not support inside ChainedScheduler; set cycle_momentum: false`);
    }
    for (const [key, limit] of Object.entries(chainedChildLimits(c.def, ctx.steps))) {
      const v = num(c.values, key) ?? 0;
      if (!meetsChildLimit(limit, v)) errors.push(`${name}: ${limit.why(v)}`);
    }
    if (c.def !== CosineAnnealingLR && !MULTIPLICATIVE.includes(c.def)) {
      errors.push(`${name}: cannot be chained: ${notChainable(c.def)}`);
      return;
    }
    for (const msg of c.def.validate?.(c.values, ctx, []) ?? []) errors.push(`${name}: ${msg}`);
  });
  return errors;
}

export const ChainedScheduler: ScheduleDef<typeof o> = {
  id: 'ChainedScheduler',
  doc:
    'Steps its schedulers together: the LR is the optimizer lr times the product of the children\'s factors at the same step ' +
    '(e.g. ConstantLR warmup times ExponentialLR decay). Children: StepLR, MultiStepLR, ExponentialLR, ConstantLR, LinearLR, ' +
    'PolynomialLR, and CosineAnnealingLR with eta_min 0 within T_max.',
  purpose: 'Applies its schedules at once, their factors multiplied: a warm-up times a decay (LinearLR × ExponentialLR), for instance.',
  reference:
    'torch/optim/lr_scheduler.py, ChainedScheduler.__init__ (children constructed first, each running its initial step on ' +
    'the group lr; ChainedScheduler changes nothing) and step (for scheduler in self._schedulers: scheduler.step()), with ' +
    "each child's chainable get_lr.",
  params,
  slots: o,
  children: { min: 2, max: MAX_SCHEDULE_CHILDREN },
  cyclesMomentum: () => false,
  validate: (values, ctx, children) => validateChainedScheduler(values, children, ctx),
  childLimits: chainedChildLimits,
  evaluate(r: Round, P: Float64Array, node: ScheduleNode, k: number, baseLr: number, out: Float64Array): void {
    // Each child's closed form applied to the running product, in list order (the WGSL twin folds the
    // same way through sched_leaf).
    let lr = baseLr;
    for (const c of node.children) {
      c.def.evaluate(r, P, c, k, lr, out);
      lr = out[0]!;
    }
    out[0] = lr;
    out[1] = 0;
  },
};
