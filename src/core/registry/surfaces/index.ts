import type { SurfaceDef } from '../types.ts';

/** Every loss surface, in the order the app lists them. */
export const SURFACES: readonly SurfaceDef[] = [];
