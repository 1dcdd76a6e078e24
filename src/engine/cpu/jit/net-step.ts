/**
 * A network param group's optimiser step, specialised: the registry twin's `step`, partially
 * evaluated with the group's fixed parameters known (partial.ts, as compose.ts does for surfaces),
 * in a loop over the group's coordinate pairs. The generic path (engine/cpu/network.ts) copies a
 * pair's sixteen state numbers into a scratch array, calls the twin through the registry (its
 * rounding function a parameter that sees two functions, so not inlined) and copies them back;
 * this loop keeps the state a step touches in locals and does the twin's arithmetic written out.
 * Same operations in the same order: results are bit-identical to the generic path
 * (tests/engine/net-kernel.test.ts runs every optimiser both ways).
 */
import { STATE_LEN } from '../../../core/layout.ts';
import type { NetPlan } from '../../../core/network/plan.ts';
import type { Precision } from '../../../core/steps.ts';
import { roundingFor } from '../../../core/steps.ts';
import { LocalVec, ParamVec, resolverFor } from './compose.ts';
import type { Val, Vec } from './partial.ts';
import { Emitter, Specialiser, Unsupported, temp } from './partial.ts';

/**
 * Steps pairs q0 .. q1-1 of a group: theta and grad by coordinate, the pairs' state (STATE_LEN
 * per pair, by pair index), the pairs' coordinates (I1 = -1: the padding), this step's LR,
 * momentum, step number t = k + 1 and step scalars, and the run's swept values (by dimension).
 */
export type NetGroupStep = (
  theta: Float64Array,
  grad: Float64Array,
  state: Float64Array,
  I0: Int32Array,
  I1: Int32Array,
  q0: number,
  q1: number,
  lr: number,
  mom: number,
  t: number,
  sc: Float64Array,
  pv: Float64Array,
) => void;

/** Read-only runtime values named <base><i> (the step scalars). */
class TempVec implements Vec {
  constructor(
    readonly name: string,
    readonly length: number,
  ) {}
  get(i: number): { readonly temp: string } {
    if (!(i >= 0 && i < this.length)) throw new Unsupported(`${this.name}[${i}] is outside its ${this.length} elements`);
    return { temp: `${this.name}${i}` };
  }
  set(): string {
    throw new Unsupported(`the twin writes ${this.name}`);
  }
  spill(): never {
    throw new Unsupported(`${this.name} passed to a function that is not inlined`);
  }
}

export interface SpecialisedGroupStep {
  readonly step: NetGroupStep;
  readonly source: string;
  readonly fallbacks: readonly string[];
}

const byPlan = new WeakMap<NetPlan, Map<string, SpecialisedGroupStep | null>>();

/** Group `g`'s specialised step (cached per plan), or null where the twin cannot be specialised. */
export function netGroupStep(plan: NetPlan, precision: Precision, g: number): SpecialisedGroupStep | null {
  let m = byPlan.get(plan);
  if (!m) {
    m = new Map();
    byPlan.set(plan, m);
  }
  const key = `${precision}|${g}`;
  if (m.has(key)) return m.get(key) ?? null;
  let s: SpecialisedGroupStep | null;
  try {
    s = composeGroupStep(plan, precision, g);
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e;
    s = null;
  }
  m.set(key, s);
  return s;
}

export function composeGroupStep(plan: NetPlan, precision: Precision, g: number): SpecialisedGroupStep {
  const r = roundingFor(precision);
  const group = plan.groups[g];
  if (!group) throw new Unsupported(`no group ${g}`);
  const P = Float64Array.from(group.P, r);
  const em = new Emitter('_', r);
  const sp = new Specialiser(em, resolverFor);
  // This group's swept slots: the run's values, passed in pv (by dimension).
  const swept = new Map<number, string>();
  plan.dims.forEach((d, i) => {
    if (d.where.kind === 'slot' && d.where.groups.includes(g)) swept.set(d.where.slot, `pv${i}`);
  });
  const pvec = new ParamVec(P, swept, em.ref(new Float64Array(P)));
  const S = new LocalVec('s', STATE_LEN, em.ref(new Float64Array(STATE_LEN)));
  const SC = new TempVec('sc', 4);
  const vec = (v: Vec): Val => ({ k: 'vec', vec: v });
  sp.invoke(plan.optimizer.step as never, [{ k: 'round' }, vec(pvec), vec(S), temp('gx'), temp('gy'), temp('lr'), temp('mom'), temp('t'), vec(SC)]);
  const lines = em.lines.splice(0);
  const touched = S.spilled ? Array.from({ length: STATE_LEN }, (_, i) => i) : [...S.touched].sort((a, b) => a - b);
  const written = S.spilled ? touched : [...S.written].sort((a, b) => a - b);
  const src: string[] = ['"use strict";', ...em.deps.map((_, i) => `const _K${i} = deps[${i}];`)];
  src.push('return function groupStep(theta, grad, state, I0, I1, q0, q1, lr, mom, t, SC, PV) {');
  src.push('  const sc0 = SC[0], sc1 = SC[1], sc2 = SC[2], sc3 = SC[3];');
  for (const [, name] of swept) src.push(`  const ${name} = PV[${name.slice(2)}];`);
  src.push('  for (let q = q0; q < q1; q++) {');
  src.push(`    const i0 = I0[q], i1 = I1[q], o = q * ${STATE_LEN};`);
  // As the generic path: the pair's coordinates from theta (the padding's is 0), the rest from state.
  src.push('    let s0 = theta[i0];');
  src.push('    let s1 = i1 >= 0 ? theta[i1] : 0;');
  for (const i of touched) if (i >= 2) src.push(`    let s${i} = state[o + ${i}];`);
  src.push('    const gx = grad[i0];');
  src.push('    const gy = i1 >= 0 ? grad[i1] : 0;');
  src.push(...lines.map((l) => `    ${l}`));
  for (const i of written) if (i >= 2) src.push(`    state[o + ${i}] = s${i};`);
  src.push('    theta[i0] = s0;');
  src.push('    if (i1 >= 0) theta[i1] = s1;');
  src.push('  }');
  src.push('};');
  const source = src.join('\n');
  const make = new Function('deps', source) as (deps: readonly unknown[]) => NetGroupStep;
  return { step: make(em.deps), source, fallbacks: sp.fallbacks };
}
