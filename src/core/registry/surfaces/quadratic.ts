// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT), checked by tests.
import type { ParamSchema } from '../../params.ts';
import type { Round, SurfaceDef } from '../types.ts';
import { bindF64, minimumAt } from './newton.ts';
import { cospi, sinpi, surfaceP, surfaceSlot, wrapHalf } from './shared.ts';

const params: readonly ParamSchema[] = [
  { key: 'a', kind: 'number', default: 1, min: 0, minExclusive: true, max: 1000, sweepable: true,
    doc: 'Curvature along the rotated u axis (the ravine floor when a < b).' },
  { key: 'b', kind: 'number', default: 10, min: 0, minExclusive: true, max: 1000, sweepable: true,
    doc: 'Curvature along the rotated v axis; the condition number is max(a, b) / min(a, b).' },
  { key: 'angle', kind: 'number', default: 30, min: -180, max: 180, sweepable: true,
    doc: 'Rotation of the (u, v) axes against (x, y) in degrees; 0 aligns the ravine with x.' },
];

const A = surfaceSlot(params, 'a');
const B = surfaceSlot(params, 'b');
const ANGLE = surfaceSlot(params, 'angle');

/**
 * out = (cos θ, sin θ) of the ravine angle, from the half angle in turns t = angle/360 (reduced
 * exactly) and the shared sinpi/cospi polynomials, so the shader's value is bit-identical.
 */
function angle(r: Round, P: Float64Array, out: Float64Array): void {
  const t = wrapHalf(r, r(r(P[ANGLE]!) * r(1 / 360)));
  const s = sinpi(r, t);
  out[0] = r(1 - r(2 * r(s * s)));
  out[1] = r(r(2 * s) * cospi(r, t));
}
const cs = new Float64Array(2);

export const quadratic: SurfaceDef = {
  id: 'quadratic',
  title: 'Quadratic ravine',
  doc:
    'f = ½(a·u² + b·v²) with u = x·cos θ + y·sin θ, v = −x·sin θ + y·cos θ and θ = angle in degrees. ' +
    'One minimum at the origin with Hessian eigenvalues a and b (sharpness max(a, b)). With a ≠ b it is ' +
    'a straight ravine of condition number max/min at an angle: the textbook case where gradient descent ' +
    'zig-zags and its stable step size is 2/max(a, b), and where a rotated ravine defeats diagonal ' +
    'preconditioners (Adam, RMSprop) that an axis-aligned one (angle 0) would suit.',
  params,
  domain: () => ({ xMin: -2, xMax: 2, yMin: -2, yMax: 2 }),
  defaultStart: [-1.5, 1.5],
  // f stays below ~1e12 and the gradient below ~2e7 in f32 at |x|, |y| <= 1e4 with a, b <= 1000.
  bound: () => 1e4,
  minima(values) {
    return [minimumAt(bindF64(quadratic, surfaceP(params, values), null), 0, 0)];
  },
  value(r: Round, P: Float64Array, x: number, y: number): number {
    angle(r, P, cs);
    const c = cs[0]!;
    const s = cs[1]!;
    const u = r(r(c * x) + r(s * y));
    const v = r(r(c * y) - r(s * x));
    return r(0.5 * r(r(r(r(P[A]!) * u) * u) + r(r(r(P[B]!) * v) * v)));
  },
  grad(r: Round, P: Float64Array, x: number, y: number, _data, out: Float64Array): void {
    angle(r, P, cs);
    const c = cs[0]!;
    const s = cs[1]!;
    const gu = r(r(P[A]!) * r(r(c * x) + r(s * y)));
    const gv = r(r(P[B]!) * r(r(c * y) - r(s * x)));
    out[0] = r(r(c * gu) - r(s * gv));
    out[1] = r(r(s * gu) + r(c * gv));
  },
  hessian(r: Round, P: Float64Array, _x: number, _y: number, _data, out: Float64Array): void {
    angle(r, P, cs);
    const c = cs[0]!;
    const s = cs[1]!;
    const a = r(P[A]!);
    const b = r(P[B]!);
    out[0] = r(r(r(a * c) * c) + r(r(b * s) * s));
    out[1] = r(r(r(a - b) * c) * s);
    out[2] = r(r(r(a * s) * s) + r(r(b * c) * c));
  },
  wgsl: 'quadratic.wgsl',
};
