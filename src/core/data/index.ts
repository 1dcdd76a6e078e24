/**
 * The data sets registry: every data set a network run can train on, looked up by name. Packaged
 * real data (Iris, digits) is imported lazily: await loadDataFor(name) before make().
 */
import { digits14, digits8 } from './digits.ts';
import { fractal } from './fractal.ts';
import { iris } from './iris.ts';
import { circle, gauss, spiral, xor } from './playground.ts';
import { regression } from './regression.ts';
import type { DataDef } from './types.ts';

export type * from './types.ts';

export const DATA_SETS: readonly DataDef[] = [fractal, circle, xor, gauss, spiral, regression, iris, digits8, digits14];

/** A Map, not an object: a user's name such as `constructor` finds nothing rather than Object's. */
const byName = new Map(DATA_SETS.map((d) => [d.id.toLowerCase(), d]));

/** Data set ids are matched case-insensitively. */
export function findDataSet(name: string): DataDef | undefined {
  return byName.get(name.toLowerCase());
}

/** Loads the packaged data `name` needs (once; nothing for generated sets). Throws for an unknown name. */
export async function loadDataFor(name: string): Promise<void> {
  const def = findDataSet(name);
  if (!def) throw new Error(`unknown data set '${name}'; known: ${DATA_SETS.map((d) => d.id).join(', ')}`);
  await def.load?.();
}
