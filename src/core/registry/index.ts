/** The registry: every surface, optimiser and schedule basinlab knows, looked up by name. */
import { OPTIMIZERS } from './optimizers/index.ts';
import { SCHEDULES } from './schedules/index.ts';
import { SURFACES } from './surfaces/index.ts';
import type { OptimizerDef, ScheduleDef, SurfaceDef } from './types.ts';

export { OPTIMIZERS, SCHEDULES, SURFACES };
export type * from './types.ts';

/** A Map, not an object: a user's name such as `constructor` finds nothing rather than Object's (tests/unit/prototype-names.test.ts). */
function byLowerName<T extends { id: string }>(list: readonly T[]): Map<string, T> {
  return new Map(list.map((e) => [e.id.toLowerCase(), e]));
}

const surfaces = byLowerName(SURFACES);
const optimizers = byLowerName(OPTIMIZERS);
const schedules = byLowerName(SCHEDULES);

/** Surface ids are matched case-insensitively. */
export function findSurface(name: string): SurfaceDef | undefined {
  return surfaces.get(name.toLowerCase());
}

/** Optimiser names are torch class names, matched case-insensitively (`adamw` finds `AdamW`). */
export function findOptimizer(name: string): OptimizerDef | undefined {
  return optimizers.get(name.toLowerCase());
}

/** Schedule names are torch class names, matched case-insensitively. */
export function findSchedule(name: string): ScheduleDef | undefined {
  return schedules.get(name.toLowerCase());
}

/** The WGSL twin of a surface, under shaders/: named after the entry. */
export function surfaceFile(def: SurfaceDef): string {
  return `surfaces/${def.id}.wgsl`;
}

/** The WGSL twin of an optimiser, under shaders/: its own, or the body it shares (AdamW runs Adam's). */
export function optimizerFile(def: OptimizerDef): string {
  return `optimizers/${def.wgslShared?.body ?? def.id}.wgsl`;
}

/** The WGSL twin of a schedule, under shaders/, holding `fn sched_<id>`. */
export function scheduleFile(def: ScheduleDef): string {
  return `schedules/${def.id}.wgsl`;
}

/** Kind index of a schedule in WGSL (`SCHED_KIND_<Id>`); 0 means a constant LR. */
export function scheduleKind(def: ScheduleDef): number {
  return SCHEDULES.indexOf(def) + 1;
}
