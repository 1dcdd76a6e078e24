// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT), checked by tests.
import type { ParamSchema } from '../../params.ts';
import type { Domain, Minimum, Round, SurfaceDef } from '../types.ts';
import { bindF64, gridSeeds, grow, searchMinima } from './newton.ts';
import { surfaceP, surfaceSlots } from './shared.ts';

const DOMAIN: Domain = { xMin: -5, xMax: 5, yMin: -5, yMax: 5 };
let cached: Minimum[] | null = null;

const params = [] as const satisfies readonly ParamSchema[];
const o = surfaceSlots(params);

export const himmelblau: SurfaceDef<typeof o> = {
  id: 'himmelblau',
  title: 'Himmelblau',
  doc:
    'f = (x² + y − 11)² + (x + y² − 7)². Four minima, all f = 0: (3, 2) and three irrational ones ' +
    'near (−2.805, 3.131), (−3.779, −3.283), (3.584, −1.848), with a local maximum near ' +
    '(−0.271, −0.923) and four saddles between them. Equal depths make the basin map purely a ' +
    'question of dynamics: which minimum an optimiser reaches depends only on where it starts and how it moves.',
  params,
  slots: o,
  domain: () => DOMAIN,
  defaultStart: [0, 0],
  // f <= ~2.5e11, gradient <= ~1e9 at |x|, |y| <= 500: finite in f32.
  bound: () => 500,
  minima() {
    if (!cached) {
      const f = bindF64(himmelblau, surfaceP(params, {}), null);
      cached = searchMinima(f, gridSeeds(DOMAIN, 21), { keep: grow(DOMAIN, 0.1), maxStep: 1, mergeDistance: 1e-6 });
    }
    return cached.slice();
  },
  value(r: Round, _P: Float64Array, x: number, y: number): number {
    const a = r(r(r(x * x) + y) - 11);
    const b = r(r(x + r(y * y)) - 7);
    return r(r(a * a) + r(b * b));
  },
  grad(r: Round, _P: Float64Array, x: number, y: number, _data, out: Float64Array): void {
    const a = r(r(r(x * x) + y) - 11);
    const b = r(r(x + r(y * y)) - 7);
    out[0] = r(r(r(4 * x) * a) + r(2 * b));
    out[1] = r(r(2 * a) + r(r(4 * y) * b));
  },
  hessian(r: Round, _P: Float64Array, x: number, y: number, _data, out: Float64Array): void {
    const x2 = r(x * x);
    const y2 = r(y * y);
    const a = r(r(x2 + y) - 11);
    const b = r(r(x + y2) - 7);
    out[0] = r(r(r(4 * a) + r(8 * x2)) + 2);
    out[1] = r(4 * r(x + y));
    out[2] = r(r(r(4 * b) + r(8 * y2)) + 2);
  },
};
