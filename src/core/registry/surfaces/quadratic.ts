// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT), checked by tests.
import type { ParamSchema } from '../../params.ts';
import type { Round, SurfaceDef } from '../types.ts';
import { bindF64, minimumAt } from './newton.ts';
import { cospi, sinpi, surfaceP, surfaceSlots, wrapHalf } from './shared.ts';

const params = [
  { key: 'a', kind: 'number', default: 1, min: 0, minExclusive: true, max: 1000, sweepable: true,
    typical: { min: 0.1, max: 100, scale: 'log' },
    doc: 'Curvature along the rotated u axis (the ravine floor when a < b).' },
  { key: 'b', kind: 'number', default: 10, min: 0, minExclusive: true, max: 1000, sweepable: true,
    typical: { min: 0.1, max: 100, scale: 'log' },
    doc: 'Curvature along the rotated v axis; the condition number is max(a, b) / min(a, b).' },
  { key: 'angle', kind: 'number', default: 30, min: -180, max: 180, sweepable: true,
    typical: { min: -90, max: 90, scale: 'linear' },
    doc: 'Rotation of the (u, v) axes against (x, y) in degrees; 0 aligns the ravine with x.' },
] as const satisfies readonly ParamSchema[];

const o = surfaceSlots(params);


/**
 * The half angle of the ravine in turns, t = angle/360 reduced exactly: with s = sinpi(t),
 * cos θ = 1 − 2s² and sin θ = 2s·cospi(t), from the shared polynomials, so that the shader's value
 * (quadratic_cs) is bit-identical.
 */
export function halfTurn(r: Round, P: Float64Array): number {
  return wrapHalf(r, r(r(P[o.angle]!) * r(1 / 360)));
}

export const quadratic: SurfaceDef<typeof o> = {
  id: 'quadratic',
  title: 'Quadratic ravine',
  doc:
    'f = ½(a·u² + b·v²) with u = x·cos θ + y·sin θ, v = −x·sin θ + y·cos θ and θ = angle in degrees. ' +
    'One minimum at the origin with Hessian eigenvalues a and b (sharpness max(a, b)). With a ≠ b it is ' +
    'a straight ravine of condition number max/min at an angle: the textbook case where gradient descent ' +
    'zig-zags and its stable step size is 2/max(a, b), and where a rotated ravine defeats diagonal ' +
    'preconditioners (Adam, RMSprop) that an axis-aligned one (angle 0) would suit.',
  params,
  slots: o,
  helpers: { halfTurn },
  domain: () => ({ xMin: -2, xMax: 2, yMin: -2, yMax: 2 }),
  defaultStart: [-1.5, 1.5],
  // f stays below ~1e12 and the gradient below ~2e7 in f32 at |x|, |y| <= 1e4 with a, b <= 1000.
  bound: () => 1e4,
  minima(values) {
    return [minimumAt(bindF64(quadratic, surfaceP(params, values), null), 0, 0)];
  },
  value(r: Round, P: Float64Array, x: number, y: number): number {
    const t = halfTurn(r, P);
    const h = sinpi(r, t);
    const c = r(1 - r(2 * r(h * h)));
    const s = r(r(2 * h) * cospi(r, t));
    const u = r(r(c * x) + r(s * y));
    const v = r(r(c * y) - r(s * x));
    return r(0.5 * r(r(r(r(P[o.a]!) * u) * u) + r(r(r(P[o.b]!) * v) * v)));
  },
  grad(r: Round, P: Float64Array, x: number, y: number, _data, out: Float64Array): void {
    const t = halfTurn(r, P);
    const h = sinpi(r, t);
    const c = r(1 - r(2 * r(h * h)));
    const s = r(r(2 * h) * cospi(r, t));
    const gu = r(r(P[o.a]!) * r(r(c * x) + r(s * y)));
    const gv = r(r(P[o.b]!) * r(r(c * y) - r(s * x)));
    out[0] = r(r(c * gu) - r(s * gv));
    out[1] = r(r(s * gu) + r(c * gv));
  },
  hessian(r: Round, P: Float64Array, _x: number, _y: number, _data, out: Float64Array): void {
    const t = halfTurn(r, P);
    const h = sinpi(r, t);
    const c = r(1 - r(2 * r(h * h)));
    const s = r(r(2 * h) * cospi(r, t));
    const a = r(P[o.a]!);
    const b = r(P[o.b]!);
    out[0] = r(r(r(a * c) * c) + r(r(b * s) * s));
    out[1] = r(r(r(a - b) * c) * s);
    out[2] = r(r(r(a * s) * s) + r(r(b * c) * c));
  },
};
