// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT), checked by tests.
import type { ParamSchema } from '../../params.ts';
import type { Lattice, Minimum, Round, SurfaceDef } from '../types.ts';
import { bindF64, isStrictMinimum, minimumAt, newtonMinimize } from './newton.ts';
import { cospi, sinpi, surfaceP, surfaceSlots, wrapHalf } from './shared.ts';

// Written as x² + 2A·sin²(πx) (= x² + A(1 − cos 2πx)), which has no cancellation near the
// minima, so f32 values there are accurate. Every trigonometric term has period 1 in x, so it is
// evaluated at the exactly reduced t = x − round(x) (wrapHalf) with the sinpi/cospi polynomials of shared.ts:
// sin 2πx = 2·sinpi(t)·cospi(t), cos 2πx = 1 − 2·sinpi(t)².

const params = [
  { key: 'A', kind: 'number', default: 10, min: 2, max: 100, sweepable: false,
    doc: 'Amplitude of the cosine ripple; moves the local minima (A >= 2 keeps all 121 of them).' },
] as const satisfies readonly ParamSchema[];

const o = surfaceSlots(params);

const LATTICE: Lattice = { x0: -5, y0: -5, step: 1, nx: 11, ny: 11 };

export function term(r: Round, a: number, x: number): number {
  const s = sinpi(r, wrapHalf(r, x));
  return r(r(x * x) + r(r(2 * a) * r(s * s)));
}

export function termGrad(r: Round, a: number, x: number): number {
  const t = wrapHalf(r, x);
  return r(r(2 * x) + r(r(r(4 * Math.PI) * a) * r(sinpi(r, t) * cospi(r, t))));
}

export function termHess(r: Round, a: number, x: number): number {
  const s = sinpi(r, wrapHalf(r, x));
  return r(2 + r(r(r(4 * Math.PI * Math.PI) * a) * r(1 - r(2 * r(s * s)))));
}

export const rastrigin: SurfaceDef<typeof o> = {
  id: 'rastrigin',
  title: 'Rastrigin',
  doc:
    'f = 2A + Σ (x_i² − A·cos 2πx_i), computed as Σ (x_i² + 2A·sin² πx_i). A bowl covered by a ' +
    'lattice of ripples: a local minimum near every integer point, 121 in [−5.12, 5.12]², stored in ' +
    'lattice order (index j·11 + i for the node (i − 5, j − 5)); the global minimum is f = 0 at the ' +
    'origin. Shows how step size, momentum and noise let a run hop out of shallow local minima.',
  params,
  slots: o,
  helpers: { term, termGrad, termHess },
  domain: () => ({ xMin: -5.12, xMax: 5.12, yMin: -5.12, yMax: 5.12 }),
  defaultStart: [-3.3, 4.6],
  // f <= ~5.3e5, gradient <= ~1.7e3 at |x|, |y| <= 512.
  bound: () => 512,
  lattice: () => LATTICE,
  minima(values) {
    const f = bindF64(rastrigin, surfaceP(params, values), null);
    const out: Minimum[] = [];
    for (let j = 0; j < LATTICE.ny; j++) {
      for (let i = 0; i < LATTICE.nx; i++) {
        const nx = LATTICE.x0 + i * LATTICE.step;
        const ny = LATTICE.y0 + j * LATTICE.step;
        const p = newtonMinimize(f, nx, ny, { maxStep: 0.1 });
        if (!p || Math.abs(p[0] - nx) >= 0.5 || Math.abs(p[1] - ny) >= 0.5 || !isStrictMinimum(f, p[0], p[1], 1e-9)) {
          throw new Error(`rastrigin: no local minimum near the lattice node (${nx}, ${ny})`);
        }
        out.push(minimumAt(f, p[0], p[1]));
      }
    }
    return out;
  },
  value(r: Round, P: Float64Array, x: number, y: number): number {
    const a = r(P[o.A]!);
    return r(term(r, a, x) + term(r, a, y));
  },
  grad(r: Round, P: Float64Array, x: number, y: number, _data, out: Float64Array): void {
    const a = r(P[o.A]!);
    out[0] = termGrad(r, a, x);
    out[1] = termGrad(r, a, y);
  },
  hessian(r: Round, P: Float64Array, x: number, y: number, _data, out: Float64Array): void {
    const a = r(P[o.A]!);
    out[0] = termHess(r, a, x);
    out[1] = 0;
    out[2] = termHess(r, a, y);
  },
};
