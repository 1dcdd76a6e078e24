// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT), checked by tests.
import type { ParamSchema } from '../../params.ts';
import type { Round, SurfaceDef } from '../types.ts';
import { bindF64, minimumAt } from './newton.ts';
import { surfaceP, surfaceSlots } from './shared.ts';

const params = [] as const satisfies readonly ParamSchema[];
const o = surfaceSlots(params);

export const booth: SurfaceDef<typeof o> = {
  id: 'booth',
  title: 'Booth',
  doc:
    'f = (x + 2y − 7)² + (2x + y − 5)². A convex quadratic with one minimum, f = 0 at (1, 3), and a ' +
    'constant Hessian [[10, 8], [8, 10]] (eigenvalues 18 and 2, a diagonal ravine of condition ' +
    'number 9): a baseline where every optimiser should succeed and only speed differs.',
  params,
  slots: o,
  domain: () => ({ xMin: -10, xMax: 10, yMin: -10, yMax: 10 }),
  defaultStart: [-8, -6],
  // f <= ~2e7 at |x|, |y| <= 1000.
  bound: () => 1000,
  minima() {
    return [minimumAt(bindF64(booth, surfaceP(params, {}), null), 1, 3)];
  },
  value(r: Round, _P: Float64Array, x: number, y: number): number {
    const u = r(r(x + r(2 * y)) - 7);
    const v = r(r(r(2 * x) + y) - 5);
    return r(r(u * u) + r(v * v));
  },
  grad(r: Round, _P: Float64Array, x: number, y: number, _data, out: Float64Array): void {
    const u = r(r(x + r(2 * y)) - 7);
    const v = r(r(r(2 * x) + y) - 5);
    out[0] = r(r(2 * u) + r(4 * v));
    out[1] = r(r(4 * u) + r(2 * v));
  },
  hessian(_r: Round, _P: Float64Array, _x: number, _y: number, _data, out: Float64Array): void {
    out[0] = 10;
    out[1] = 8;
    out[2] = 10;
  },
};
