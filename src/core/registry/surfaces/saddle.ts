// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT), checked by tests.
import type { ParamSchema } from '../../params.ts';
import type { Round, SurfaceDef } from '../types.ts';
import { bindF64, minimumAt, sortMinima } from './newton.ts';
import { surfaceP, surfaceSlots } from './shared.ts';

const params = [] as const satisfies readonly ParamSchema[];
const o = surfaceSlots(params);

export const saddle: SurfaceDef<typeof o> = {
  id: 'saddle',
  title: 'Saddle',
  doc:
    'f = x²/2 − y²/2 + y⁴/4. A saddle at the origin (Hessian diag(1, −1)) between two minima, ' +
    'f = −1/4 at (0, ±1) with Hessian diag(1, 2). Runs started near y = 0 approach the saddle along ' +
    'x and must escape along y, where the escape rate is set by the tiny initial |y| (or by gradient ' +
    'noise): shows saddle escape, and how exactly y = 0 never escapes without noise.',
  params,
  slots: o,
  domain: () => ({ xMin: -2, xMax: 2, yMin: -2, yMax: 2 }),
  defaultStart: [1.5, 1e-3],
  // f <= ~4e8, gradient <= ~8e6 at |x|, |y| <= 200.
  bound: () => 200,
  minima() {
    const f = bindF64(saddle, surfaceP(params, {}), null);
    return sortMinima([minimumAt(f, 0, -1), minimumAt(f, 0, 1)]);
  },
  value(r: Round, _P: Float64Array, x: number, y: number): number {
    const y2 = r(y * y);
    return r(r(r(0.5 * r(x * x)) - r(0.5 * y2)) + r(0.25 * r(y2 * y2)));
  },
  grad(r: Round, _P: Float64Array, x: number, y: number, _data, out: Float64Array): void {
    out[0] = x;
    out[1] = r(r(r(y * y) * y) - y);
  },
  hessian(r: Round, _P: Float64Array, _x: number, y: number, _data, out: Float64Array): void {
    out[0] = 1;
    out[1] = 0;
    out[2] = r(r(3 * r(y * y)) - 1);
  },
};
