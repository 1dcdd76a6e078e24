// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT), checked by tests.
import type { ParamSchema } from '../../params.ts';
import type { Domain, Minimum, Round, SurfaceDef } from '../types.ts';
import { bindF64, gridSeeds, grow, searchMinima } from './newton.ts';
import { surfaceP, surfaceSlots } from './shared.ts';

const DOMAIN: Domain = { xMin: -5, xMax: 5, yMin: -5, yMax: 5 };
let cached: Minimum[] | null = null;

export function term(r: Round, x: number): number {
  const x2 = r(x * x);
  return r(r(r(x2 * x2) - r(16 * x2)) + r(5 * x));
}

const params = [] as const satisfies readonly ParamSchema[];
const o = surfaceSlots(params);

export const styblinski_tang: SurfaceDef<typeof o> = {
  id: 'styblinski_tang',
  title: 'Styblinski–Tang',
  doc:
    'f = ½ Σ (x_i⁴ − 16x_i² + 5x_i). Separable; each coordinate has a deep minimum at −2.9035 and a ' +
    'shallower one at 2.7468, so four minima: the global one f ≈ −78.332 (2 × −39.166) at ' +
    '(−2.9035, −2.9035), two at f ≈ −64.196 and one at f ≈ −50.059 at (2.7468, 2.7468), ' +
    'separated by ridges through x_i ≈ 0.157. Shows whether runs cross a ridge toward a deeper basin.',
  params,
  slots: o,
  helpers: { term },
  domain: () => DOMAIN,
  defaultStart: [0.5, 4.5],
  // f <= ~6.3e10, gradient <= ~2.5e8 at |x|, |y| <= 500.
  bound: () => 500,
  minima() {
    if (!cached) {
      const f = bindF64(styblinski_tang, surfaceP(params, {}), null);
      cached = searchMinima(f, gridSeeds(DOMAIN, 21), { keep: grow(DOMAIN, 0.1), maxStep: 1, mergeDistance: 1e-6 });
    }
    return cached.slice();
  },
  value(r: Round, _P: Float64Array, x: number, y: number): number {
    return r(0.5 * r(term(r, x) + term(r, y)));
  },
  grad(r: Round, _P: Float64Array, x: number, y: number, _data, out: Float64Array): void {
    out[0] = r(r(r(2 * r(r(x * x) * x)) - r(16 * x)) + 2.5);
    out[1] = r(r(r(2 * r(r(y * y) * y)) - r(16 * y)) + 2.5);
  },
  hessian(r: Round, _P: Float64Array, x: number, y: number, _data, out: Float64Array): void {
    out[0] = r(r(6 * r(x * x)) - 16);
    out[1] = 0;
    out[2] = r(r(6 * r(y * y)) - 16);
  },
};
