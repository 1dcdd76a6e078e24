// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT), checked by tests.
import type { ParamSchema } from '../../params.ts';
import type { Round, SurfaceDef } from '../types.ts';
import { bindF64, minimumAt } from './newton.ts';
import { surfaceP, surfaceSlots } from './shared.ts';

// f = t1² + t2² + t3² with t_k = c_k − x + x·y^k; every t_k is linear in x, which keeps the
// Hessian short. The literals 1.5, 2.25, 2.625 are exact in f32.

const params = [] as const satisfies readonly ParamSchema[];
const o = surfaceSlots(params);

export const beale: SurfaceDef<typeof o> = {
  id: 'beale',
  title: 'Beale',
  doc:
    'f = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)². One minimum, f = 0 at (3, 0.5), ' +
    'reached through narrow curved valleys; the plateau around x = 0 (f ≈ 14.2, a saddle on the ' +
    'y axis) and the steep y⁶ walls for |y| > 1 make step sizes that suit one region fail in another.',
  params,
  slots: o,
  domain: () => ({ xMin: -4.5, xMax: 4.5, yMin: -4.5, yMax: 4.5 }),
  defaultStart: [-1, -1.5],
  // f <= ~2e21, gradient <= ~3e19 at |x|, |y| <= 450: finite in f32.
  bound: () => 450,
  minima() {
    return [minimumAt(bindF64(beale, surfaceP(params, {}), null), 3, 0.5)];
  },
  value(r: Round, _P: Float64Array, x: number, y: number): number {
    const y2 = r(y * y);
    const t1 = r(r(1.5 - x) + r(x * y));
    const t2 = r(r(2.25 - x) + r(x * y2));
    const t3 = r(r(2.625 - x) + r(x * r(y2 * y)));
    return r(r(r(t1 * t1) + r(t2 * t2)) + r(t3 * t3));
  },
  grad(r: Round, _P: Float64Array, x: number, y: number, _data, out: Float64Array): void {
    const y2 = r(y * y);
    const y3 = r(y2 * y);
    const xy = r(x * y);
    const t1 = r(r(1.5 - x) + xy);
    const t2 = r(r(2.25 - x) + r(x * y2));
    const t3 = r(r(2.625 - x) + r(x * y3));
    out[0] = r(2 * r(r(r(t1 * r(y - 1)) + r(t2 * r(y2 - 1))) + r(t3 * r(y3 - 1))));
    out[1] = r(2 * r(r(r(t1 * x) + r(t2 * r(2 * xy))) + r(t3 * r(3 * r(x * y2)))));
  },
  hessian(r: Round, _P: Float64Array, x: number, y: number, _data, out: Float64Array): void {
    const y2 = r(y * y);
    const y3 = r(y2 * y);
    const xy = r(x * y);
    const xy2 = r(x * y2);
    const t1 = r(r(1.5 - x) + xy);
    const t2 = r(r(2.25 - x) + xy2);
    const t3 = r(r(2.625 - x) + r(x * y3));
    // d t_k / dx and d t_k / dy
    const a1 = r(y - 1);
    const a2 = r(y2 - 1);
    const a3 = r(y3 - 1);
    const b2 = r(2 * xy);
    const b3 = r(3 * xy2);
    out[0] = r(2 * r(r(r(a1 * a1) + r(a2 * a2)) + r(a3 * a3)));
    const m1 = r(r(a1 * x) + t1);
    const m2 = r(r(a2 * b2) + r(t2 * r(2 * y)));
    const m3 = r(r(a3 * b3) + r(t3 * r(3 * y2)));
    out[1] = r(2 * r(r(m1 + m2) + m3));
    const s1 = r(r(r(x * x) + r(b2 * b2)) + r(b3 * b3));
    const s2 = r(r(t2 * r(2 * x)) + r(t3 * r(6 * xy)));
    out[2] = r(2 * r(s1 + s2));
  },
};
