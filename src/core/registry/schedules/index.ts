import type { ScheduleDef } from '../types.ts';

/** Every LR schedule, in the order the app lists them. */
export const SCHEDULES: readonly ScheduleDef[] = [];
