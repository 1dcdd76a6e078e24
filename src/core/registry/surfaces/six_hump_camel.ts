// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT), checked by tests.
import type { ParamSchema } from '../../params.ts';
import type { Domain, Minimum, Round, SurfaceDef } from '../types.ts';
import { bindF64, gridSeeds, grow, searchMinima } from './newton.ts';
import { surfaceP, surfaceSlots } from './shared.ts';

// 2.1, 1/3, 8.4 and 25.2 are not exact in f32: they go through r() here and are written as the
// same f32 literals in the shader. x⁴/3 is x⁴ · f32(1/3) because WGSL division is not correctly rounded.

const DOMAIN: Domain = { xMin: -3, xMax: 3, yMin: -2, yMax: 2 };
let cached: Minimum[] | null = null;

const params = [] as const satisfies readonly ParamSchema[];
const o = surfaceSlots(params);

export const six_hump_camel: SurfaceDef<typeof o> = {
  id: 'six_hump_camel',
  title: 'Six-hump camel',
  doc:
    'f = (4 − 2.1x² + x⁴/3)·x² + xy + (4y² − 4)·y². Six minima: the global pair f ≈ −1.0316 at ' +
    '±(0.0898, −0.7126), a pair f ≈ −0.2155 at ±(1.7036, −0.7961) and a pair f ≈ 2.1043 at ' +
    '±(1.6071, 0.5687). Minima of three depths side by side, with saddles between them: basin maps ' +
    'show whether an optimiser finds the deepest one or settles in the nearest.',
  params,
  slots: o,
  domain: () => DOMAIN,
  defaultStart: [-2.2, 1.2],
  // f <= ~2.5e14, gradient <= ~5e12 at |x|, |y| <= 300.
  bound: () => 300,
  minima() {
    if (!cached) {
      const f = bindF64(six_hump_camel, surfaceP(params, {}), null);
      cached = searchMinima(f, gridSeeds(DOMAIN, 25), { keep: grow(DOMAIN, 0.1), maxStep: 0.5, mergeDistance: 1e-6 });
    }
    return cached.slice();
  },
  value(r: Round, _P: Float64Array, x: number, y: number): number {
    const x2 = r(x * x);
    const y2 = r(y * y);
    const a = r(r(4 - r(r(2.1) * x2)) + r(r(x2 * x2) * r(1 / 3)));
    return r(r(r(a * x2) + r(x * y)) + r(r(r(4 * y2) - 4) * y2));
  },
  grad(r: Round, _P: Float64Array, x: number, y: number, _data, out: Float64Array): void {
    const x2 = r(x * x);
    const x3 = r(x2 * x);
    out[0] = r(r(r(r(8 * x) - r(r(8.4) * x3)) + r(2 * r(x3 * x2))) + y);
    out[1] = r(r(x - r(8 * y)) + r(16 * r(r(y * y) * y)));
  },
  hessian(r: Round, _P: Float64Array, x: number, y: number, _data, out: Float64Array): void {
    const x2 = r(x * x);
    out[0] = r(r(8 - r(r(25.2) * x2)) + r(10 * r(x2 * x2)));
    out[1] = 1;
    out[2] = r(r(48 * r(y * y)) - 8);
  },
};
