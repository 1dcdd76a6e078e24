/**
 * The race: several optimisers, each with its own settings, from one start on one surface, their
 * paths recorded and animated together. Each lane is the current spec without its sweep and with
 * the lane's optimiser (`raceSpec`), one run recorded by `engine.trajectories` on the float32 CPU
 * engine (in-process: a 500-step path takes about a millisecond and a half; long runs go to the GPU,
 * see paths.ts CPU_PATH_MAX_STEPS). The lanes follow the
 * spec: a new surface, start or step count re-records them all.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { SpecErrors } from '../../core/errors.ts';
import { makePlan } from '../../core/plan.ts';
import { findOptimizer, OPTIMIZERS } from '../../core/registry/index.ts';
import type { Spec } from '../../core/spec.ts';
import { parseSpec, scheduleOverrides, specToJSON } from '../../core/spec.ts';
import { typicalRange } from '../../core/typical.ts';
import type { Trajectory } from '../../core/trajectory.ts';
import type { Engine } from '../../engine/engine.ts';
import { formatNumber } from '../../view/ticks.ts';
import { COMPARE_COLOURS, freeColour } from '../runs.ts';

export type EntrantParams = Readonly<Record<string, number | boolean | readonly number[]>>;

export interface Entrant {
  readonly id: number;
  readonly optimizer: string;
  /** The settings given (the rest are the optimiser's defaults). */
  readonly params: EntrantParams;
  readonly colour: string;
}

export interface Lane {
  readonly entrant: Entrant;
  readonly label: string;
  readonly trajectory: Trajectory | null;
  /** Why this lane cannot run (its spec's problems), or null. */
  readonly error: string | null;
  /** A new lane whose LR is still being chosen (`bestLr`): it has no path yet, and says why. */
  readonly tuning?: boolean;
}

/** A setting a lane shows: `lr`, `momentum`, `betas.0`, … with its allowed range, or a switch (`nesterov`). */
export type EntrantField =
  | { readonly kind: 'number'; readonly key: string; readonly value: number; readonly min: number; readonly max: number; readonly int: boolean; readonly doc: string }
  | { readonly kind: 'bool'; readonly key: string; readonly value: boolean; readonly doc: string };

/** Most lanes (one per colour). */
export const MAX_LANES = COMPARE_COLOURS.length;

/** The first race: heavy-ball SGD, Adam and RMSprop at LRs where each reaches or nears Rosenbrock's minimum from (−1.5, 2) in 500 steps. */
export const DEFAULT_ENTRANTS: readonly { optimizer: string; params: EntrantParams }[] = [
  { optimizer: 'SGD', params: { lr: 1e-3, momentum: 0.9 } },
  { optimizer: 'Adam', params: { lr: 0.1 } },
  { optimizer: 'RMSprop', params: { lr: 0.01 } },
];

/**
 * The settings of an optimiser a lane offers, with the lane's values (defaults where not given): its
 * numbers and its switches (walkthrough 6 could not race Nesterov against heavy-ball momentum
 * without `nesterov`).
 */
export function entrantFields(optimizer: string, params: EntrantParams): EntrantField[] {
  const def = findOptimizer(optimizer);
  if (!def) return [];
  const out: EntrantField[] = [];
  for (const p of def.params) {
    const given = Object.hasOwn(params, p.key) ? params[p.key] : undefined;
    if (p.kind === 'number' || p.kind === 'int') {
      const value = typeof given === 'number' ? given : p.default;
      out.push({ kind: 'number', key: p.key, value, min: p.min, max: p.max, int: p.kind === 'int', doc: p.doc });
    } else if (p.kind === 'tuple') {
      p.default.forEach((d, i) => {
        const value = Array.isArray(given) && typeof given[i] === 'number' ? (given[i] as number) : d;
        out.push({ kind: 'number', key: `${p.key}.${i}`, value, min: p.min, max: p.max, int: false, doc: p.doc });
      });
    } else if (p.kind === 'bool') {
      out.push({ kind: 'bool', key: p.key, value: typeof given === 'boolean' ? given : p.default, doc: p.doc });
    }
  }
  return out;
}

/** A lane's settings with one field (`lr`, or `betas.1` of a tuple) set. */
export function setEntrantParam(optimizer: string, params: EntrantParams, key: string, value: number | boolean): EntrantParams {
  const [name, index] = key.split('.');
  if (name === undefined) return params;
  if (index === undefined) return { ...params, [name]: value };
  if (typeof value !== 'number') return params;
  const p = findOptimizer(optimizer)?.params.find((q) => q.key === name);
  if (!p || p.kind !== 'tuple') return params;
  const given = Object.hasOwn(params, name) ? params[name] : undefined;
  const t = [...(Array.isArray(given) ? given : p.default)];
  t[Number(index)] = value;
  return { ...params, [name]: t };
}

/** The spec of a lane: the base spec without its sweep, with the lane's optimiser and settings. */
export function raceSpec(base: Spec, entrant: Pick<Entrant, 'optimizer' | 'params'>): Record<string, unknown> {
  const json = specToJSON(base);
  delete json.sweep;
  return { ...json, optimizer: { name: entrant.optimizer, ...entrant.params } };
}

/** How many LRs a new lane tries (log-spaced over its optimiser's typical range). */
export const LR_TRIES = 16;

/**
 * The LR, of LR_TRIES log-spaced over the optimiser's typical LR range for this spec, whose run from
 * the race's start ends lowest without diverging (ties: the one that converged first), or null
 * where there is nothing to choose (no lr, or a schedule that sets the LR itself) or no run finished.
 * A new lane starts there: at torch's default LR most optimisers barely leave Rosenbrock's start in
 * 500 steps (AdamW at 0.001 ended at (-1.42, 2.01) in walkthrough 6), and the race looked broken.
 * One small sweep on the race's own engine (the float32 CPU engine in-process for runs up to
 * CPU_PATH_MAX_STEPS steps, the GPU beyond: paths.ts previewEngine), 16 runs of the race's steps.
 */
export async function bestLr(engine: Engine, base: Spec, optimizer: string): Promise<number | null> {
  if (!findOptimizer(optimizer)?.params.some((p) => p.key === 'lr')) return null;
  const json = raceSpec(base, { optimizer, params: {} });
  const one = parseSpec(json);
  if (scheduleOverrides(one).includes('lr')) return null;
  const r = typicalRange(one, 'optimizer.lr');
  if (!r || !(r.min > 0) || !(r.max > r.min)) return null;
  const plan = makePlan(parseSpec({ ...json, sweep: { kind: 'grid', x: { param: 'optimizer.lr', min: r.min, max: r.max, count: LR_TRIES, scale: 'log' }, y: null } }));
  const res = await engine.run(plan);
  let best: number | null = null;
  let score: [number, number] = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
  for (let i = 0; i < plan.runs; i++) {
    const loss = res.loss[i] as number;
    if (res.diverged[i] || !Number.isFinite(loss)) continue;
    const steps = res.steps_to_converge[i] as number;
    const s: [number, number] = [loss, steps < 0 ? Number.POSITIVE_INFINITY : steps];
    if (s[0] < score[0] || (s[0] === score[0] && s[1] < score[1])) {
      score = s;
      best = plan.xValues[i] as number;
    }
  }
  return best === null ? null : Number(best.toPrecision(3));
}

/** The part of a spec every lane shares (all of it but the sweep and the optimiser). */
function baseKey(base: Spec): string {
  const json = specToJSON(base);
  delete json.sweep;
  delete json.optimizer;
  return JSON.stringify(json);
}

/** A lane named by its optimiser and the settings it gives: `Adam lr=0.1`, `SGD lr=0.001 momentum=0.9 nesterov` (a switch named when on). */
export function entrantLabel(e: Pick<Entrant, 'optimizer' | 'params'>): string {
  const parts = Object.entries(e.params).flatMap(([k, v]) =>
    typeof v === 'boolean' ? (v ? [k] : []) : [`${k}=${typeof v === 'number' ? formatNumber(v, 3) : `(${v.map((x) => formatNumber(x, 3)).join(', ')})`}`],
  );
  return [e.optimizer, ...parts].join(' ');
}

export class RaceController implements ReactiveController {
  /** The lanes, a new array whenever anything in it changes. */
  lanes: readonly Lane[] = [];
  /** Whether the race is shown (lanes are recorded only then). */
  open = false;

  private base: Spec | null = null;
  private recordedKey = '';
  private generation = 0;
  private nextId = 1;

  constructor(
    private readonly host: ReactiveControllerHost,
    /** The engine that records the lanes, for runs of `steps` steps. */
    private readonly engine: (steps: number) => Engine,
  ) {
    host.addController(this);
    // One at a time: each lane takes the first colour the ones before it left free.
    for (const e of DEFAULT_ENTRANTS) this.lanes = [...this.lanes, this.lane(this.entrant(e.optimizer, e.params))];
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.generation++;
  }

  private entrant(optimizer: string, params: EntrantParams): Entrant {
    return { id: this.nextId++, optimizer, params, colour: freeColour(this.lanes.map((l) => l.entrant.colour)) };
  }

  private lane(entrant: Entrant, trajectory: Trajectory | null = null, error: string | null = null): Lane {
    return { entrant, label: entrantLabel(entrant), trajectory, error };
  }

  setOpen(open: boolean): void {
    this.open = open;
    this.host.requestUpdate();
    if (open) void this.record(false);
  }

  /** The spec the race runs on changed (its sweep and optimiser do not matter). */
  setBase(spec: Spec | null): void {
    this.base = spec;
    if (this.open) void this.record(false);
  }

  get full(): boolean {
    return this.lanes.length >= MAX_LANES;
  }

  /**
   * Adds a lane: the first optimiser not racing yet, at its default settings, then at the LR that
   * ends lowest from this start (`bestLr`) unless the lane was edited meanwhile.
   */
  add(): Promise<void> {
    if (this.full) return Promise.resolve();
    const racing = new Set(this.lanes.map((l) => l.entrant.optimizer));
    const pick = OPTIMIZERS.find((o) => !racing.has(o.id)) ?? OPTIMIZERS[0];
    if (!pick) return Promise.resolve();
    const e = this.entrant(pick.id, {});
    this.lanes = [...this.lanes, { ...this.lane(e), tuning: true }];
    this.host.requestUpdate();
    return this.tune(e);
  }

  private async tune(e: Entrant): Promise<void> {
    const base = this.base;
    let lr: number | null = null;
    try {
      lr = base ? await bestLr(this.engine(base.steps), base, e.optimizer) : null;
    } catch {
      // A spec the lane cannot run: recording says why.
    }
    // Chosen (or not): the lane no longer says it is choosing.
    this.lanes = this.lanes.map((l) => (l.entrant.id === e.id && l.tuning ? { ...l, tuning: false } : l));
    const now = this.lanes.find((l) => l.entrant.id === e.id)?.entrant;
    // Chosen for this start and surface: not applied when the race moved on meanwhile.
    if (lr !== null && this.base === base && now && now.optimizer === e.optimizer && Object.keys(now.params).length === 0) this.edit(e.id, (x) => ({ ...x, params: { lr } }));
    else await this.record(true);
  }

  remove(id: number): void {
    this.lanes = this.lanes.filter((l) => l.entrant.id !== id);
    this.host.requestUpdate();
  }

  /** Another optimiser for a lane; its LR is kept when the new one has one. */
  setOptimizer(id: number, optimizer: string): void {
    this.edit(id, (e) => {
      const lr = e.params.lr;
      const hasLr = findOptimizer(optimizer)?.params.some((p) => p.key === 'lr') ?? false;
      return { ...e, optimizer, params: hasLr && typeof lr === 'number' ? { lr } : {} };
    });
  }

  setParam(id: number, key: string, value: number | boolean): void {
    this.edit(id, (e) => ({ ...e, params: setEntrantParam(e.optimizer, e.params, key, value) }));
  }

  private edit(id: number, f: (e: Entrant) => Entrant): void {
    this.lanes = this.lanes.map((l) => (l.entrant.id === id ? this.lane(f(l.entrant), l.trajectory) : l));
    void this.record(true);
  }

  /**
   * Records the lanes' paths (all of them when the shared spec changed or `force`), dropping the
   * answer when another edit came first.
   */
  private async record(force: boolean): Promise<void> {
    const base = this.base;
    if (!base) return;
    const key = baseKey(base);
    const all = key !== this.recordedKey;
    if (!force && !all && this.lanes.every((l) => l.trajectory || l.error)) return;
    this.recordedKey = key;
    const gen = ++this.generation;
    this.host.requestUpdate();
    const engine = this.engine(base.steps);
    const lanes = this.lanes;
    const out: Lane[] = [];
    for (const l of lanes) {
      let lane: Lane;
      try {
        const plan = makePlan(parseSpec(raceSpec(base, l.entrant)));
        const [t] = await engine.trajectories(plan, { runs: [0] });
        lane = this.lane(l.entrant, t ?? null);
      } catch (e) {
        const msg = e instanceof SpecErrors ? e.errors.map((x) => `${x.path}: ${x.message}`).join('; ') : (e as Error).message;
        lane = this.lane(l.entrant, null, msg);
      }
      if (gen !== this.generation) return;
      out.push(lane);
    }
    // Lanes removed while recording stay removed; the others get their paths.
    const byId = new Map(out.map((l) => [l.entrant.id, l]));
    this.lanes = this.lanes.map((l) => byId.get(l.entrant.id) ?? l);
    this.host.requestUpdate();
  }
}
