// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT), checked by tests.
import type { ParamSchema, ParamValues } from '../../params.ts';
import type { Domain, Round, SurfaceDef } from '../types.ts';
import { bindF64, minimumAt } from './newton.ts';
import { numberValue, surfaceP, surfaceSlots } from './shared.ts';

const params = [
  { key: 'a', kind: 'number', default: 1, min: -2, max: 2, sweepable: false,
    doc: 'Moves the minimum to (a, a²); not sweepable because the minimum moves with it.' },
  { key: 'b', kind: 'number', default: 100, min: 0, minExclusive: true, max: 10000, sweepable: true,
    typical: { min: 1, max: 1000, scale: 'log' },
    doc: 'Steepness of the valley walls (curvature 2b across the valley floor y = x²).' },
] as const satisfies readonly ParamSchema[];

const o = surfaceSlots(params);

function domain(values: ParamValues): Domain {
  const a = numberValue(params, values, 'a');
  return { xMin: Math.min(-2, a - 0.5), xMax: Math.max(2, a + 0.5), yMin: -1, yMax: Math.max(3, a * a + 1) };
}

export const rosenbrock: SurfaceDef<typeof o> = {
  id: 'rosenbrock',
  title: 'Rosenbrock',
  doc:
    'f = (a − x)² + b·(y − x²)². One minimum, f = 0 at (a, a²), at the end of a curved, nearly flat ' +
    'valley along y = x² whose walls have curvature ~2b: finding the valley is easy, following it ' +
    'is slow, which separates momentum and adaptive methods from plain gradient descent.',
  params,
  slots: o,
  domain,
  defaultStart: [-1.5, 2],
  // b·x⁴ <= 1e16 and its gradient <= 4e13 at |x| <= 1000 with b <= 1e4: finite in f32.
  bound: () => 1000,
  minima(values) {
    const a = numberValue(params, values, 'a');
    return [minimumAt(bindF64(rosenbrock, surfaceP(params, values), null), a, a * a)];
  },
  value(r: Round, P: Float64Array, x: number, y: number): number {
    const d1 = r(r(P[o.a]!) - x);
    const d2 = r(y - r(x * x));
    return r(r(d1 * d1) + r(r(r(P[o.b]!) * d2) * d2));
  },
  grad(r: Round, P: Float64Array, x: number, y: number, _data, out: Float64Array): void {
    const b = r(P[o.b]!);
    const d1 = r(r(P[o.a]!) - x);
    const d2 = r(y - r(x * x));
    out[0] = r(r(-2 * d1) - r(r(r(4 * b) * x) * d2));
    out[1] = r(r(2 * b) * d2);
  },
  hessian(r: Round, P: Float64Array, x: number, y: number, _data, out: Float64Array): void {
    const b = r(P[o.b]!);
    const d2 = r(y - r(x * x));
    out[0] = r(r(2 - r(r(4 * b) * d2)) + r(r(8 * b) * r(x * x)));
    out[1] = r(r(-4 * b) * x);
    out[2] = r(2 * b);
  },
};
