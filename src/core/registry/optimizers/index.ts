import type { OptimizerDef } from '../types.ts';

/** Every optimiser, in the order the app lists them. */
export const OPTIMIZERS: readonly OptimizerDef[] = [];
