/**
 * What a map shows, in words, generated from its plan: the caption above the app's heatmap and
 * under a figure ("Each pixel is one run of SGD on Rosenbrock from (−1.5, 2), 500 steps; x: learning
 * rate (log), …"), the names axes are labelled with, and what each colouring means. DOM-free
 * (tests/unit/caption.test.ts).
 */
import type { Plan } from '../core/plan.ts';
import { sweepValue } from '../core/plan.ts';
import type { ParamSchema } from '../core/params.ts';
import { findSchedule } from '../core/registry/index.ts';
import type { ScheduleNode } from '../core/registry/types.ts';
import { P_OPTIMIZER } from '../core/layout.ts';
import { evaluateSchedule } from '../core/steps.ts';
import { findDataSet } from '../core/data/index.ts';
import { sweepIsOneRow } from './profile.ts';
import type { AxisRange, PathContext } from '../core/spec.ts';
import { scheduleOverrides, sweepRanges } from '../core/spec.ts';
import type { HeatmapMode } from './frame.ts';
import type { NetPlan } from '../core/network/plan.ts';
import type { NetHeatmapMode } from './net-frame.ts';
import { distinctDigits, formatNumber } from './ticks.ts';

/** A number as prose writes it: a true minus sign. */
export function prose(x: number, digits = 4): string {
  return formatNumber(x, digits).replace(/^-/, '−');
}

/** A count as the app writes counts: with thousands separators (20,972), in studies and the explorer alike. */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** n things in words: "1 seed", "3 seeds". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * An axis's range in words, "log, 1e-5 … 0.01": 4 significant digits, more where a deep zoom's
 * ends would read alike.
 */
function rangeText(a: AxisRange): string {
  const digits = distinctDigits(a.min, a.max, prose);
  return `${a.scale === 'log' ? 'log, ' : ''}${prose(a.min, digits)} … ${prose(a.max, digits)}`;
}

/**
 * What a swept path is called on an axis: its name in words where the path is one every optimiser
 * or the run has (the LR, the optimiser's momentum or beta1, the start, the noise), else the path.
 */
export function paramLabel(plan: Pick<Plan, 'optimizer'> & { readonly schedule?: ScheduleNode | null }, path: string): string {
  if (path === 'optimizer.lr') return 'learning rate';
  const mom = plan.optimizer.momentumParam;
  if (mom && path === `optimizer.${mom}`) return mom === 'momentum' ? 'momentum' : 'β1 (betas[0])';
  const named: Readonly<Record<string, string>> = { 'start.0': 'start x', 'start.1': 'start y', 'noise.std': 'gradient noise std', 'sam.rho': 'SAM rho' };
  const n = named[path];
  if (n) return n;
  const index = (p: string): string => p.replace(/\.(\d+)$/, '[$1]');
  // A schedule's value is named with its class, as a torch user thinks of it ("OneCycleLR's
  // max_lr"): the bare path (schedule.max_momentum) read as basinlab's own notation on an axis. A
  // chained schedule's child is named by its class, or by its place where two share a class.
  const child = /^schedule\.schedulers\.(\d+)\.(.+)$/.exec(path);
  if (child) {
    const siblings = plan.schedule?.children ?? [];
    const node = siblings[Number(child[1])];
    if (node) return `${siblings.filter((c) => c.def.id === node.def.id).length > 1 ? `schedulers[${child[1]}]` : node.def.id}'s ${index(child[2] ?? '')}`;
  } else if (path.startsWith('schedule.') && plan.schedule) {
    return `${plan.schedule.def.id}'s ${index(path.slice('schedule.'.length))}`;
  }
  return index(path.replace(/^optimizer\./, ''));
}

/** An axis as the caption states it: "learning rate (log, 1e-5 … 0.01)". */
function axisText(plan: Plan, a: AxisRange): string {
  return `${paramLabel(plan, a.param)} (${rangeText(a)})`;
}

/** The numeric and boolean values of an entry that differ from its defaults and are not swept, e.g. "momentum 0.9". */
function settings(schema: readonly ParamSchema[], values: Readonly<Record<string, unknown>>, prefix: string, swept: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const p of schema) {
    const v = values[p.key];
    if (swept.has(`${prefix}.${p.key}`)) continue;
    if (p.kind === 'tuple' && Array.isArray(v)) {
      const changed = v.some((x, i) => x !== p.default[i] && !swept.has(`${prefix}.${p.key}.${i}`));
      if (changed) out.push(`${p.key} (${v.map((x: number, i) => (swept.has(`${prefix}.${p.key}.${i}`) ? '·' : prose(x))).join(', ')})`);
    } else if ((p.kind === 'number' || p.kind === 'int' || p.kind === 'optional-number' || p.kind === 'optional-int') && typeof v === 'number' && (v !== p.default || p.required === true)) {
      // A required value (torch has no default: OneCycleLR's max_lr) is named even at the picker's
      // example value, which a caption leaving it out implied was no setting (walkthrough 12).
      if (p.key !== 'lr' || !swept.has(`${prefix}.lr`)) out.push(`${p.key} ${prose(v)}`);
    } else if (p.kind === 'int-list' && Array.isArray(v) && (p.required === true || JSON.stringify(v) !== JSON.stringify(p.default))) {
      // MultiStepLR's and SequentialLR's milestones (review 15: a required list was never named).
      out.push(`${p.key} [${(v as readonly number[]).map((x) => prose(x)).join(', ')}]`);
    } else if (p.kind === 'bool' && v !== p.default && v === true) {
      out.push(p.key);
    } else if (p.kind === 'enum' && typeof v === 'string' && v !== p.default) {
      out.push(`${p.key} ${v}`);
    }
  }
  return out;
}

/**
 * What "diverged" means on a surface map, with the plan's own bound and checkpoints (walkthrough 12:
 * the page never said, and a diverged run's panel showed only ±∞).
 */
export function divergedText(plan: Pick<Plan, 'bound' | 'checkEvery' | 'spec'>): string {
  const every = plan.checkEvery === 1 ? 'at every step' : `at a check (every ${prose(plan.checkEvery)} steps, and the last step)`;
  return `Diverged (black, or red on the other colourings): the run was beyond ±${prose(plan.bound)} in x or y, or x or y was no longer a number, ${every}; it stops there, so its final position is where it was thrown to (often ±∞, or no number at all, shown as –).`;
}

/** What the colours of a mode say, in one clause. */
export function colourText(mode: HeatmapMode): string {
  switch (mode) {
    case 'outcome':
      return 'hue = the minimum reached (grey: still moving, black: diverged), darker = converged sooner (grey: ended nearer the best minimum)';
    case 'basin':
      return 'the minimum reached (grey: not converged, black: diverged)';
    case 'loss':
      return 'final loss above the best minimum (log scale; red: diverged)';
    case 'steps':
      return 'steps to converge (grey: not converged, red: diverged)';
    case 'sharpness':
      return 'sharpness where the run ended (largest Hessian eigenvalue, log scale; red: diverged)';
  }
}

/**
 * The optimiser paths a caption leaves out of the optimiser's settings: the swept ones (the axes
 * name them) and those the schedule sets itself (OneCycleLR's LR and the momentum it cycles: the
 * spec's own values have no effect).
 */
function notShown(spec: Pick<PathContext, 'optimizer' | 'schedule'>, swept: ReadonlySet<string>): Set<string> {
  return new Set([...swept, ...scheduleOverrides(spec).map((k) => `optimizer.${k}`)]);
}

/**
 * The caption of a map, generated from its plan: the runs (optimiser and its settings, surface,
 * start, steps, schedule, noise, SAM, SWA), the axes and what the colour shows.
 */
export function caption(plan: Plan, mode: HeatmapMode): string {
  const spec = plan.spec;
  const swept = new Set(plan.dims.map((d) => d.path));
  const opt = settings(plan.optimizer.params, spec.optimizer.params, 'optimizer', notShown(spec, swept));
  const surf = settings(plan.surface.params, spec.surface.params, 'surface', swept);
  const runs = `${plan.optimizer.id}${opt.length ? ` (${opt.slice(0, 4).join(', ')})` : ''}`;
  const surface = `${plan.surface.title}${surf.length ? ` (${surf.join(', ')})` : ''}`;
  const sx = swept.has('start.0');
  const sy = swept.has('start.1');
  const start = sx && sy ? 'from a grid of start points' : `from (${sx ? 'x swept' : prose(spec.start[0])}, ${sy ? 'y swept' : prose(spec.start[1])})`;
  const extras: string[] = [];
  if (spec.schedule) {
    const def = findSchedule(spec.schedule.name);
    // Required values first (torch has no default for them), so that the first three keep them.
    const required = (q: ParamSchema): boolean => 'required' in q && q.required === true;
    const params = def ? [...def.params].sort((a, b) => Number(required(b)) - Number(required(a))) : [];
    const s = def ? settings(params, spec.schedule.params, 'schedule', swept).slice(0, 3) : [];
    extras.push(`under ${spec.schedule.name}${s.length ? ` (${s.join(', ')})` : ''}`);
  }
  if (swept.has('noise.std') || spec.noise.std > 0) extras.push(swept.has('noise.std') ? 'with gradient noise (swept)' : `with gradient noise of std ${prose(spec.noise.std)}`);
  if (spec.sam) extras.push(swept.has('sam.rho') ? 'with SAM (rho swept)' : `with SAM (rho ${prose(spec.sam.rho)}${spec.sam.adaptive ? ', adaptive' : ''})`);
  if (spec.swa) extras.push(`averaging iterates from step ${spec.swa.start} (SWA)`);
  const what = `${runs} on ${surface} ${start}, ${count(spec.steps)} steps${extras.length ? `, ${extras.join(', ')}` : ''}`;
  const s = spec.sweep;
  let axes = '';
  if (s?.kind === 'grid') axes = `x: ${axisText(plan, s.x)}${s.y ? `; y: ${axisText(plan, s.y)}` : ''}`;
  else if (s) axes = `${plan.runs} points (${s.kind}) over ${s.dims.map((d) => axisText(plan, d)).join(', ')}, one per column`;
  const lead = leadOf(s, plan.height);
  return `${lead} ${what}${axes ? `; ${axes}` : ''}; colour: ${colourText(mode)}.`;
}

/** What λ means, wherever a legend shows it. */
export const LAMBDA_NOTE = 'λ: sharpness, the largest eigenvalue of the Hessian at the minimum.';

/** The tensors of a network's parameter group, as layers where a layer's every tensor is in it: "layers.0". */
function groupTensors(plan: Pick<NetPlan, 'groups' | 'layout'>, g: number): string {
  const names = (plan.groups[g]?.tensors ?? []).map((t) => t.name);
  const layers = [...new Set(names.map((n) => n.replace(/\.(weight|bias)$/, '')))];
  const whole = layers.filter((l) => plan.layout.tensors.filter((t) => t.name.startsWith(`${l}.`)).every((t) => names.includes(t.name)));
  return [...whole, ...names.filter((n) => !whole.some((l) => n.startsWith(`${l}.`)))].join(', ') || 'no tensors';
}

/**
 * The role of a group that trains exactly one whole layer, in the words papers use ("the input
 * layer": the fractal paper's input-layer LR), else null.
 */
function groupRole(plan: Pick<NetPlan, 'groups' | 'layout'>, g: number): string | null {
  const names = (plan.groups[g]?.tensors ?? []).map((t) => t.name);
  const layers = [...new Set(plan.layout.tensors.map((t) => /^(layers\.\d+)\./.exec(t.name)?.[1]).filter((l) => l !== undefined))];
  const mine = [...new Set(names.map((n) => n.replace(/\.(weight|bias)$/, '')))];
  const only = mine[0];
  if (mine.length !== 1 || only === undefined || groupTensors(plan, g) !== only) return null;
  const k = layers.indexOf(only);
  if (k < 0) return null;
  if (layers.length === 1) return 'the only layer';
  return k === 0 ? 'the input layer' : k === layers.length - 1 ? 'the output layer' : `layer ${k + 1} of ${layers.length}`;
}

/** The param group a swept optimizer path sets, when the plan has explicit groups (else null). */
function sweptGroup(plan: GroupsOf, path: string): { group: number; key: string } | null {
  const m = /^optimizer\.param_groups\.(\d+)\.(.+)$/.exec(path);
  if (m) return { group: Number(m[1]), key: m[2] as string };
  if (plan.groups.length <= 1 || !path.startsWith('optimizer.')) return null;
  // The optimiser's own value reaches every group that neither sets nor sweeps it (torch's
  // param_groups inherit the defaults): it names the default group only where no other takes it.
  const spec = plan.spec;
  const last = plan.groups.length - 1;
  if (spec) {
    const key = path.split('.')[1] ?? '';
    const swept = spec.sweep ? sweepRanges(spec.sweep).map((r) => r.param) : [];
    const sweptIn = (k: number): boolean => swept.some((p) => p === `optimizer.param_groups.${k}.${key}` || p.startsWith(`optimizer.param_groups.${k}.${key}.`));
    const inheriting = spec.paramGroups.flatMap((g, k) => (!Object.hasOwn(g.overrides, key) && !sweptIn(k) ? [k] : []));
    // Where the default group trains nothing (every tensor in an explicit group), the value reaches
    // only the groups that inherit it: one such group is named (walkthrough 18: after a paste that
    // made layers.1 a group without its own lr, the axis read "learning rate", of nothing said).
    const reached = (plan.groups[last]?.tensors.length ?? 0) > 0 ? [...inheriting, last] : inheriting;
    if (reached.length !== 1) return reached.length === 0 ? { group: last, key: '' } : null;
    return { group: reached[0] as number, key: '' };
  }
  return { group: last, key: '' };
}

/** What the group-naming labels read of a plan: its groups and, where known, its spec (which groups set what). */
type GroupsOf = Pick<NetPlan, 'groups'> & { readonly spec?: Pick<NetPlan['spec'], 'paramGroups' | 'sweep'> };

/**
 * What a swept network path is called on an axis: a parameter group's value (its LR, momentum…)
 * names the layers the group trains, and the layer's role where it trains exactly one ("learning
 * rate of layers.0, the input layer", as the fractal view's title says "input-layer LR"); the batch
 * size is the batch size; else the path.
 */
export function netParamLabel(plan: Pick<NetPlan, 'optimizer' | 'groups' | 'layout'> & GroupsOf, path: string): string {
  const short = netParamShort(plan, path).replace(/^lr\b/, 'learning rate');
  const g = sweptGroup(plan, path);
  const role = g ? groupRole(plan, g.group) : null;
  return role ? `${short}, ${role}` : short;
}

/**
 * netParamLabel as run labels and sliders write it, where space is short: the LR as `lr`
 * ("lr of layers.0") and without the layer's role; otherwise the words of the heatmap's caption
 * and the run panel.
 */
export function netParamShort(plan: Pick<NetPlan, 'optimizer' | 'groups' | 'layout'> & GroupsOf, path: string): string {
  if (path === 'network.batch_size') return 'batch size';
  const g = sweptGroup(plan, path);
  if (!g) return paramLabel(plan, path).replace(/^learning rate\b/, 'lr');
  const base = g.key === '' ? paramLabel(plan, path).replace(/^learning rate\b/, 'lr') : g.key;
  return `${base} of ${groupTensors(plan, g.group)}`;
}

/** What the colours of a network mode say, in one clause. */
export function netColourText(mode: NetHeatmapMode): string {
  switch (mode) {
    case 'convergence':
      return "the fractal-boundary paper's convergence measure: green to blue trained, orange to red did not, darker = slower on both sides (the boundary is the dark seam)";
    case 'accuracy':
      return 'test accuracy at the end (red: diverged)';
    case 'test_loss':
      return 'test loss at the end (log scale; red: diverged)';
    case 'train_loss':
      return 'training loss at the end (log scale; red: diverged)';
    case 'sharpness':
      return "sharpness at the end: the largest |eigenvalue| of the training loss's Hessian (log scale; red: diverged)";
    case 'steps':
      return 'steps until the training loss reached the threshold (grey: never, red: diverged)';
  }
}

/**
 * How a caption begins: what one run is on the map (a pixel, a column of a list sweep, a stripe of a
 * grid over one axis, drawn as a strip with a curve under it: view/profile.ts), or one run.
 */
function leadOf(sweep: Parameters<typeof sweepIsOneRow>[0], height: number): string {
  if (!sweep) return 'One run of';
  if (sweep.kind !== 'grid') return 'Each column is one run of';
  return sweepIsOneRow(sweep, height) ? 'Each stripe (and its point on the curve) is one run of' : 'Each pixel is one run of';
}

/** The caption of a network map: the model, the data, the loss, the optimiser, the steps, the axes and the colouring. */
export function netCaption(plan: NetPlan, mode: NetHeatmapMode): string {
  const spec = plan.spec;
  const net = spec.network;
  const L = plan.layout;
  // No hidden layer: no activation applies (the texts' regression is nn.Linear).
  const linear = L.sizes.length <= 2;
  const traits = [...(linear ? [] : [String(net.activation)]), ...(net.parametrization === 'mean_field' ? ['mean-field'] : []), ...(net.bias === true ? [] : ['no bias'])];
  const model = `${linear ? 'a linear model' : 'an MLP'} ${L.sizes.join('–')} (${[...(traits.length ? [traits.join(', ')] : []), `${count(L.params)} parameters`].join('; ')})`;
  const swept = new Set(plan.dims.map((d) => d.path));
  const batch = swept.has('network.batch_size') ? 'batch size swept' : plan.batch === null ? 'full batch' : `batch ${plan.batch}`;
  // With param groups the optimiser's own lr trains only the default group's tensors: say which.
  const lrOf = /^learning rate of (.+)$/.exec(netParamLabel(plan, 'optimizer.lr'));
  const defaultGroup = lrOf ? (lrOf[1] as string) : '';
  const opt = settings(plan.optimizer.params, spec.optimizer.params, 'optimizer', notShown(spec, swept)).map((t) => (defaultGroup && t.startsWith('lr ') ? `${t} for ${defaultGroup}` : t));
  const runs = `${plan.optimizer.id}${opt.length ? ` (${opt.slice(0, 4).join(', ')})` : ''}`;
  const what = `${runs} training ${model} on “${findDataSet(spec.data.name)?.title ?? spec.data.name}” (${count(plan.data.train.n)} training, ${count(plan.data.test.n)} test samples) with ${plan.loss === 'mse' ? 'MSE' : 'cross-entropy'}, ${batch}, ${count(spec.steps)} steps${spec.schedule ? `, under ${spec.schedule.name}` : ''}`;
  const s = spec.sweep;
  const axis = (a: AxisRange): string => `${netParamLabel(plan, a.param)} (${rangeText(a)})`;
  let axes = '';
  if (s?.kind === 'grid') axes = `x: ${axis(s.x)}${s.y ? `; y: ${axis(s.y)}` : ''}`;
  else if (s) axes = `${plan.runs} points (${s.kind}) over ${s.dims.map(axis).join(', ')}, one per column`;
  const lead = leadOf(s, plan.height);
  return `${lead} ${what}${axes ? `; ${axes}` : ''}; colour: ${netColourText(mode)}.`;
}

/**
 * Where the schedule takes an LR below 0: a negative LR steps up the gradient. torch refuses a
 * negative lr in an optimiser's constructor but not from a schedule (CyclicLR's or OneCycleLR's
 * bounds, WSD's, a chain's product), and basinlab runs it as torch would, saying so (walkthrough 13:
 * nothing said it). At the spec's own values first; then at the map's extreme runs (a grid's corners,
 * a list's runs where a swept value is at its least or most), since a swept gamma or base_lr takes
 * some runs there and not others (walkthrough 23: a sweep of StepLR's gamma over −1 … 0.5 ran
 * gradient ascent in half its cells without a word). Null where every step's LR is 0 or more at
 * those values, or the schedule follows the loss (ReduceLROnPlateau, which stays at or above
 * min_lr >= 0).
 */
export function negativeLrNote(plan: Plan | NetPlan): string | null {
  const node = plan.schedule;
  if (!node || node.def.plateau) return null;
  const steps = plan.spec.steps;
  const lr = new Float64Array(steps);
  /** The first step whose LR is below 0 at these values, and the lowest step, or null. */
  const below = (P: Float64Array): { first: number; low: number } | null => {
    evaluateSchedule(node, P, P[P_OPTIMIZER] as number, (x) => x, lr, null);
    const k = lr.findIndex((v) => v < 0);
    if (k < 0) return null;
    let low = k;
    for (let i = k; i < steps; i++) if ((lr[i] as number) < (lr[low] as number)) low = i;
    return { first: k, low };
  };
  const depth = (b: { first: number; low: number }): string => (b.low === b.first ? prose(lr[b.first] as number) : `down to ${prose(lr[b.low] as number)} at step ${b.low}`);
  const tail =
    "a negative LR steps up the gradient, away from the minimum. torch runs it the same way (it refuses a negative lr in the optimiser, not from a schedule); if that is not meant, keep the schedule's LR values at 0 or above.";
  // Each trained group's parameters (a network's), or the plan's one vector (a surface's).
  const vectors = (at: (P: Float64Array, group: number) => Float64Array): { P: Float64Array; who: string }[] =>
    'groups' in plan
      ? plan.groups.flatMap((g, i) => (g.tensors.length > 0 ? [{ P: at(g.P, i), who: g.name === 'default' ? (plan.groups.length > 1 ? 'the default group' : '') : g.name }] : []))
      : [{ P: at(plan.P, 0), who: '' }];
  for (const { P, who } of vectors((P) => P)) {
    const b = below(P);
    if (b) return `${node.def.id} takes ${who ? `${who}'s` : 'the'} LR below 0 from step ${b.first} (${depth(b)}): ${tail}`;
  }
  for (const run of extremeRuns(plan)) {
    const values = plan.dims.map((_, d) => sweepValue(plan, run, d));
    const at = (P: Float64Array, group: number): Float64Array => {
      const q = Float64Array.from(P);
      plan.dims.forEach((d, k) => {
        const where = 'where' in d ? d.where : { kind: 'slot' as const, slot: d.slot, groups: [0] };
        if (where.kind === 'slot' && where.groups.includes(group)) q[where.slot] = values[k] as number;
      });
      return q;
    };
    for (const { P, who } of vectors(at)) {
      const b = below(P);
      if (!b) continue;
      const named = plan.dims.map((d, k) => `${sweptName(plan, d.path)} ${prose(values[k] as number)}`).join(', ');
      return `${node.def.id} takes ${who ? `${who}'s` : 'the'} LR below 0 in some of this map's runs (at ${named}: from step ${b.first}, ${depth(b)}): ${tail}`;
    }
  }
  return null;
}

/** A swept path as a short label: `optimizer.lr` → `lr`, `optimizer.betas.0` → `betas[0]`, `start.1` → `start[1]`, a chained schedule's child's `T_max`. */
export function shortParam(path: string): string {
  const parts = path.split('.');
  const head = parts[0];
  // A tuple element as the editor and torch index it: betas[0], start[1] (not betas.0: walkthrough 7
  // met five spellings of one setting).
  const indexed = (p: string): string => p.replace(/\.(\d+)$/, '[$1]');
  if (head === 'optimizer' || head === 'surface' || head === 'schedule') {
    const rest = parts.slice(1);
    // schedule.schedulers.1.T_max → T_max (the child's index says little in a label).
    const m = rest[0] === 'schedulers' ? rest.slice(2) : rest;
    return m.length ? indexed(m.join('.')) : path;
  }
  return indexed(path);
}

/**
 * A swept value named short in the negative-LR note, as the sliders and the editor name it
 * (shortParam: betas[1], T_max); a network's group value with the layers it trains (review 28: the
 * note said "1 0.9" for betas[1]).
 */
function sweptName(plan: Plan | NetPlan, path: string): string {
  return 'groups' in plan ? leadingIndexed(netParamShort(plan, path)) : shortParam(path);
}

/** A label that starts with a tuple element written as a path (`betas.1 of layers.0`) as the editor writes it: `betas[1] of layers.0`. */
export function leadingIndexed(label: string): string {
  return label.replace(/^(\w+)\.(\d+)\b/, '$1[$2]');
}

/** A sweep's runs at the extremes of its swept values: a grid's corners, a list's runs at each value's least and most. */
function extremeRuns(plan: Plan | NetPlan): number[] {
  if (plan.dims.length === 0 || plan.runs === 0) return [];
  if (plan.mode === 'grid') {
    const xs = [0, plan.width - 1];
    const ys = [0, plan.height - 1];
    return [...new Set(ys.flatMap((j) => xs.map((i) => j * plan.width + i)))];
  }
  const out = new Set<number>();
  plan.dims.forEach((_, d) => {
    let lo = 0;
    let hi = 0;
    for (let run = 0; run < plan.runs; run++) {
      const v = sweepValue(plan, run, d);
      if (v < sweepValue(plan, lo, d)) lo = run;
      if (v > sweepValue(plan, hi, d)) hi = run;
    }
    out.add(lo).add(hi);
  });
  return [...out];
}
