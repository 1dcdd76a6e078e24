/** Every study, in the order the app and the README list them. */
import { adamVsAdamW } from './adam-adamw.ts';
import { batchLr } from './batch-lr.ts';
import { flatVsSharp } from './flat-vs-sharp.ts';
import { fractalBoundary } from './fractal-boundary.ts';
import { lrFinder } from './lr-finder.ts';
import { randomSearch } from './random-search.ts';
import { schedulesLate } from './schedules-late.ts';
import { sharpMinima } from './sharp-minima.ts';
import { sgdVsAdam } from './sgd-vs-adam.ts';
import { swaStudy } from './swa.ts';
import { textsExample } from './texts-example.ts';
import { tuneTogether } from './tune-together.ts';
import type { Study } from './types.ts';

export const STUDIES: readonly Study[] = [flatVsSharp, schedulesLate, tuneTogether, randomSearch, lrFinder, swaStudy, adamVsAdamW, fractalBoundary, textsExample, sgdVsAdam, batchLr, sharpMinima];

export function findStudy(id: string): Study | undefined {
  return STUDIES.find((s) => s.id === id);
}
