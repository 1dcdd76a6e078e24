import type { SurfaceDef } from '../types.ts';
import { ackley } from './ackley.ts';
import { beale } from './beale.ts';
import { booth } from './booth.ts';
import { flat_sharp } from './flat_sharp.ts';
import { goldstein_price } from './goldstein_price.ts';
import { himmelblau } from './himmelblau.ts';
import { logistic } from './logistic.ts';
import { quadratic } from './quadratic.ts';
import { rastrigin } from './rastrigin.ts';
import { rosenbrock } from './rosenbrock.ts';
import { saddle } from './saddle.ts';
import { six_hump_camel } from './six_hump_camel.ts';
import { styblinski_tang } from './styblinski_tang.ts';

/** Every loss surface, in the order the app lists them. */
export const SURFACES: readonly SurfaceDef[] = [
  quadratic,
  rosenbrock,
  beale,
  himmelblau,
  rastrigin,
  ackley,
  booth,
  six_hump_camel,
  styblinski_tang,
  goldstein_price,
  saddle,
  flat_sharp,
  logistic,
];
