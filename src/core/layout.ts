/**
 * Where each run's numbers live: the parameter vector P and the optimiser state S.
 * One definition for the CPU engine and, through `src/engine/gpu/wgsl-layout.ts`, for WGSL.
 */
import { RUN_SLOT_PATHS, type RunSlotPath } from './run-settings.ts';

/** Surface parameters: P[P_SURFACE + offset]. */
export const P_SURFACE = 0;
export const P_SURFACE_SIZE = 12;
/** Optimiser parameters: P[P_OPTIMIZER + offset]. */
export const P_OPTIMIZER = 12;
export const P_OPTIMIZER_SIZE = 20;
/** Run parameters: the sweepable run-level settings (start point, noise level, SAM's rho; see RUN_PARAMS). */
export const P_RUN = 32;
export const P_RUN_SIZE = 8;
/** Schedule blocks: block 0 is the top-level schedule, blocks 1… hold SequentialLR's children. */
export const P_SCHEDULE = 40;
export const SCHEDULE_BLOCK = 16;
export const SCHEDULE_BLOCKS = 5;
export const MAX_SCHEDULE_CHILDREN = SCHEDULE_BLOCKS - 1;
/** Length of P; a multiple of 4 so the uniform copy is a whole number of vec4s. */
export const P_COUNT = P_SCHEDULE + SCHEDULE_BLOCK * SCHEDULE_BLOCKS;

/**
 * Slots of the run block, addressed by their spec paths: one per sweepable run-level field, in the
 * order of the run-settings schema (core/run-settings.ts), so that adding a sweepable setting there
 * gives it a slot here. spec.test.ts checks they fit in P_RUN_SIZE.
 */
export const RUN_PARAMS: Readonly<Record<RunSlotPath, number>> = Object.freeze(
  Object.fromEntries(RUN_SLOT_PATHS.map((path, i) => [path, P_RUN + i])) as Record<RunSlotPath, number>,
);

/** Base of schedule block i (0 = top level, 1… = children). */
export function scheduleBlockBase(i: number): number {
  return P_SCHEDULE + SCHEDULE_BLOCK * i;
}

/** vec2 slots of optimiser state per run; slot 0 is the position. */
export const STATE_VEC2 = 8;
export const STATE_LEN = 2 * STATE_VEC2;
/**
 * The vec2 slot stochastic weight averaging keeps its average in: the last one, which the optimiser
 * must leave free (so at most SWA_PAIR - 1 optimiser slots after the position). The CPU step's S
 * index and the shaders' SWA_SLOT both derive from it.
 */
export const SWA_PAIR = STATE_VEC2 - 1;

/** Most swept parameters a plan may have (two grid axes, or up to this many random/Sobol dims). */
export const MAX_SWEEP_DIMS = 4;
