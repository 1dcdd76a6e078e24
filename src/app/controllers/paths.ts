/**
 * Recording paths for the app: which engine records a run's path, and a cache of recorded paths of
 * the shown sweep, shared by the hover preview, the selection and the pins.
 *
 * Which engine:
 * - previews (a hovered cell) use the float32 CPU engine, in-process and instant (about 1.5 ms for a
 *   500-step run); its paths are bit-identical to the GPU's on most runs (it is the shaders' float32
 *   twin; see docs/validation.md), so a preview shows what the GPU computed without the GPU's
 *   recording pass (a pipeline compile the first time, a device round trip each time). A sweep that
 *   ran on the float64 engine (a deep zoom) previews on it, since float32 cannot resolve it;
 * - the selection and the pins use the engine that ran the sweep, so their paths are the very runs
 *   that coloured their cells. While a sweep runs on the GPU they are first recorded on the preview
 *   engine (the path follows an edit at once) and recorded again on the GPU when the sweep is done.
 * Runs longer than CPU_PATH_MAX_STEPS are recorded on the GPU (when there is one) in every case: the
 * CPU engine records on the page's thread, and a million steps would freeze it for seconds.
 */
import { CancelledError } from '../../core/errors.ts';
import type { Plan } from '../../core/plan.ts';
import type { Trajectory } from '../../core/trajectory.ts';
import type { Engine } from '../../engine/engine.ts';

/** The engines a path may be recorded on (a subset of the app's EngineSet). */
export interface PathEngines {
  readonly gpu: Engine | null;
  readonly cpu: Engine;
  readonly cpu64: Engine;
}

/** The sweep whose runs the paths belong to (a subset of the RunController). */
export interface SweepSource {
  readonly plan: Plan | null;
  readonly engine: Engine | null;
  readonly running: boolean;
}

/**
 * Steps up to which the CPU engine records a path on the page's thread without the page noticing
 * (about 3 µs a step: 20,000 steps is 60 ms). Longer runs are recorded on the GPU when there is one.
 */
export const CPU_PATH_MAX_STEPS = 20_000;

/** The engine for instant previews of a sweep's runs of `steps` steps (see the module's comment). */
export function previewEngine(engines: PathEngines, sweepEngine: Engine | null, steps: number): Engine {
  if (sweepEngine?.name === 'cpu64') return engines.cpu64;
  if (steps > CPU_PATH_MAX_STEPS && sweepEngine?.name === 'gpu' && sweepEngine === engines.gpu) return sweepEngine;
  return engines.cpu;
}

/**
 * The engine for the selected and pinned runs' paths now, and whether it is the sweep's own
 * (`exact`): the sweep's engine, except while a GPU sweep runs (or is about to: `running`), when the
 * preview engine records at once and the GPU again once the sweep is done. A GPU lost since the
 * sweep ran is replaced by its float32 twin.
 */
export function pathEngine(engines: PathEngines, sweepEngine: Engine | null, running: boolean, steps: number): { engine: Engine; exact: boolean } | null {
  const e = sweepEngine;
  if (!e) return null;
  if (e.name === 'gpu' && e !== engines.gpu) return { engine: engines.cpu, exact: true };
  if (e.name === 'gpu' && running) {
    const ahead = previewEngine(engines, e, steps);
    return { engine: ahead, exact: ahead === e };
  }
  return { engine: e, exact: true };
}

/**
 * Recorded paths of one plan, by engine and run. Only the latest plan's are kept (a new plan means
 * a new sweep, whose runs are other runs), and at most `maxPoints` recorded points in all, the
 * oldest dropped first (a hover sweeping across the heatmap records hundreds of paths).
 */
export class TrajectoryCache {
  private plan: Plan | null = null;
  private readonly paths = new Map<string, Trajectory>();
  private points = 0;

  constructor(private readonly maxPoints = 1 << 22) {}

  private key(engine: Engine, run: number): string {
    return `${engine.name}:${run}`;
  }

  private forPlan(plan: Plan): void {
    if (this.plan === plan) return;
    this.plan = plan;
    this.paths.clear();
    this.points = 0;
  }

  peek(engine: Engine, plan: Plan, run: number): Trajectory | undefined {
    if (this.plan !== plan) return undefined;
    const k = this.key(engine, run);
    const t = this.paths.get(k);
    if (t) {
      // Most recently used last.
      this.paths.delete(k);
      this.paths.set(k, t);
    }
    return t;
  }

  put(engine: Engine, plan: Plan, t: Trajectory): void {
    this.forPlan(plan);
    const k = this.key(engine, t.run);
    const old = this.paths.get(k);
    if (old) {
      this.points -= old.x.length;
      this.paths.delete(k);
    }
    this.paths.set(k, t);
    this.points += t.x.length;
    for (const [key, v] of this.paths) {
      if (this.points <= this.maxPoints || key === k) break;
      this.paths.delete(key);
      this.points -= v.x.length;
    }
  }

  /**
   * The paths of `runs` (in order), from the cache where it has them and from one engine request
   * for the others. Rejects with CancelledError when `signal` aborts.
   */
  async record(engine: Engine, plan: Plan, runs: readonly number[], signal?: AbortSignal): Promise<Trajectory[]> {
    const have = runs.map((r) => this.peek(engine, plan, r));
    const missing = runs.filter((_, k) => !have[k]);
    if (missing.length > 0) {
      const got = await engine.trajectories(plan, signal ? { runs: missing, signal } : { runs: missing });
      if (signal?.aborted) throw new CancelledError();
      got.forEach((t) => this.put(engine, plan, t));
      let m = 0;
      return have.map((t) => t ?? (got[m++] as Trajectory));
    }
    return have as Trajectory[];
  }
}
