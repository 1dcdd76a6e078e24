// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT), checked by tests.
import type { ParamSchema, ParamValues } from '../../params.ts';
import type { Lattice, Minimum, Round, SurfaceDef } from '../types.ts';
import { bindF64, isStrictMinimum, minimumAt, newtonMinimize } from './newton.ts';
import { cospi, numberValue, sinpi, surfaceP, surfaceSlots, wrapHalf } from './shared.ts';

// f = a·(1 − e1) + (e − e2) with e1 = exp(−b·ρ), ρ = sqrt((x² + y²)/2), e2 = exp((cos cx + cos cy)/2):
// the usual −a·e1 − e2 + a + e regrouped so that f(0, 0) = 0 has no cancellation between ±20.
//
// The cone tip: ρ is not differentiable at the origin. The gradient there is defined as 0 (a
// subgradient, and the minimiser's optimality condition), and the Hessian as that of the smooth
// cosine part alone, because the cone's is unbounded; minima() reports sharpness Infinity for the
// origin. Away from it the Hessian is computed with the bounded ratios x²/s, xy/s (s = x² + y²), so
// it stays finite however close to the tip a run gets.
//
// cos cx and sin cx: with u = x·c/(2π) reduced exactly to t = u − round(u), cos cx = 1 − 2·sinpi(t)²
// and sin cx = 2·sinpi(t)·cospi(t), using the polynomials of shared.ts (see there for why not
// the built-in cos/sin).

// The ranges of a, b, c are those where every lattice node keeps its local minimum (checked on a
// grid over the whole box): a steeper funnel (larger a·b) or a coarser ripple (smaller c) erases
// the minima next to the origin, which the lattice layout cannot represent.
const params = [
  { key: 'a', kind: 'number', default: 20, min: 1, max: 25, sweepable: false,
    doc: 'Depth of the exponential funnel toward the origin (f tends to a + e far away).' },
  { key: 'b', kind: 'number', default: 0.2, min: 0.05, max: 0.25, sweepable: false,
    doc: 'Decay rate of the funnel with the distance from the origin.' },
  { key: 'c', kind: 'number', default: 2 * Math.PI, min: 1.5 * Math.PI, max: 4 * Math.PI, sweepable: false,
    doc: 'Angular frequency of the ripple: local minima lie near the lattice of step 2π/c.' },
] as const satisfies readonly ParamSchema[];

const o = surfaceSlots(params);

const HALF_VIEW = 5;

/** Turns of the ripple per unit of x: c/(2π). */
export function turns(r: Round, c: number): number {
  return r(c * r(1 / (2 * Math.PI)));
}

function lattice(values: ParamValues): Lattice {
  const step = (2 * Math.PI) / numberValue(params, values, 'c');
  const k = Math.floor(HALF_VIEW / step + 1e-9);
  return { x0: -k * step, y0: -k * step, step, nx: 2 * k + 1, ny: 2 * k + 1 };
}

export const ackley: SurfaceDef<typeof o> = {
  id: 'ackley',
  title: 'Ackley',
  doc:
    'f = −a·exp(−b·sqrt((x² + y²)/2)) − exp((cos cx + cos cy)/2) + a + e. A nearly flat plateau ' +
    '(f ≈ a + e) riddled with shallow local minima near the lattice of step 2π/c (121 in [−5, 5]² ' +
    'with the defaults, stored in lattice order: index j·nx + i for node (x0 + i·step, y0 + j·step)), ' +
    'around a funnel whose bottom, f = 0 at the origin, is a cone tip: the gradient there is defined ' +
    'as 0, the Hessian as that of the cosine part, and the minimum\'s sharpness is Infinity. Shows ' +
    'how optimisers fare when the global structure is only visible through noise-like local structure.',
  params,
  slots: o,
  helpers: { turns },
  domain: () => ({ xMin: -HALF_VIEW, xMax: HALF_VIEW, yMin: -HALF_VIEW, yMax: HALF_VIEW }),
  defaultStart: [3.6, -2.7],
  // f is bounded by a + e and the gradient by ~a·b/√2 + c·e/2 everywhere; the bound only limits
  // the range reduction of c·x to moderate arguments.
  bound: () => 500,
  lattice,
  minima(values) {
    const f = bindF64(ackley, surfaceP(params, values), null);
    const lat = lattice(values);
    const out: Minimum[] = [];
    for (let j = 0; j < lat.ny; j++) {
      for (let i = 0; i < lat.nx; i++) {
        const nx = lat.x0 + i * lat.step;
        const ny = lat.y0 + j * lat.step;
        if (2 * i + 1 === lat.nx && 2 * j + 1 === lat.ny) {
          out.push({ x: 0, y: 0, value: f.value(0, 0), sharpness: Number.POSITIVE_INFINITY });
          continue;
        }
        const p = newtonMinimize(f, nx, ny, { maxStep: 0.1 * lat.step });
        const half = 0.5 * lat.step;
        if (!p || Math.abs(p[0] - nx) >= half || Math.abs(p[1] - ny) >= half || !isStrictMinimum(f, p[0], p[1], 1e-9)) {
          throw new Error(`ackley: no local minimum near the lattice node (${nx}, ${ny})`);
        }
        out.push(minimumAt(f, p[0], p[1]));
      }
    }
    return out;
  },
  value(r: Round, P: Float64Array, x: number, y: number): number {
    const a = r(P[o.a]!);
    const b = r(P[o.b]!);
    const c = r(P[o.c]!);
    const rho = r(Math.sqrt(r(r(r(x * x) + r(y * y)) * 0.5)));
    const e1 = r(Math.exp(-r(b * rho)));
    const k = turns(r, c);
    const sx = sinpi(r, wrapHalf(r, r(k * x)));
    const sy = sinpi(r, wrapHalf(r, r(k * y)));
    const cosx = r(1 - r(2 * r(sx * sx)));
    const cosy = r(1 - r(2 * r(sy * sy)));
    const e2 = r(Math.exp(r(r(cosx + cosy) * 0.5)));
    return r(r(a * r(1 - e1)) + r(r(Math.E) - e2));
  },
  grad(r: Round, P: Float64Array, x: number, y: number, _data, out: Float64Array): void {
    const a = r(P[o.a]!);
    const b = r(P[o.b]!);
    const c = r(P[o.c]!);
    const rho = r(Math.sqrt(r(r(r(x * x) + r(y * y)) * 0.5)));
    const e1 = r(Math.exp(-r(b * rho)));
    const kc = rho > 0 ? r(r(r(a * b) * e1) / r(2 * rho)) : 0;
    const k = turns(r, c);
    const tx = wrapHalf(r, r(k * x));
    const ty = wrapHalf(r, r(k * y));
    const sx = sinpi(r, tx);
    const sy = sinpi(r, ty);
    const cosx = r(1 - r(2 * r(sx * sx)));
    const cosy = r(1 - r(2 * r(sy * sy)));
    const e2 = r(Math.exp(r(r(cosx + cosy) * 0.5)));
    const eh = r(r(c * 0.5) * e2);
    out[0] = r(r(kc * x) + r(eh * r(r(2 * sx) * cospi(r, tx))));
    out[1] = r(r(kc * y) + r(eh * r(r(2 * sy) * cospi(r, ty))));
  },
  hessian(r: Round, P: Float64Array, x: number, y: number, _data, out: Float64Array): void {
    const a = r(P[o.a]!);
    const b = r(P[o.b]!);
    const c = r(P[o.c]!);
    const s = r(r(x * x) + r(y * y));
    const rho = r(Math.sqrt(r(s * 0.5)));
    const e1 = r(Math.exp(-r(b * rho)));
    let hxx = 0;
    let hxy = 0;
    let hyy = 0;
    if (rho > 0) {
      const kc = r(r(r(a * b) * e1) / r(2 * rho));
      const kr = r(kc * r(1 + r(b * rho)));
      hxx = r(kc - r(kr * r(r(x * x) / s)));
      hxy = -r(kr * r(r(x * y) / s));
      hyy = r(kc - r(kr * r(r(y * y) / s)));
    }
    const k = turns(r, c);
    const tx = wrapHalf(r, r(k * x));
    const ty = wrapHalf(r, r(k * y));
    const px = sinpi(r, tx);
    const py = sinpi(r, ty);
    const cosx = r(1 - r(2 * r(px * px)));
    const cosy = r(1 - r(2 * r(py * py)));
    const sinx = r(r(2 * px) * cospi(r, tx));
    const siny = r(r(2 * py) * cospi(r, ty));
    const e2 = r(Math.exp(r(r(cosx + cosy) * 0.5)));
    const h = r(c * 0.5);
    const eh = r(h * e2);
    out[0] = r(hxx + r(eh * r(r(c * cosx) - r(h * r(sinx * sinx)))));
    out[1] = r(hxy - r(r(eh * h) * r(sinx * siny)));
    out[2] = r(hyy + r(eh * r(r(c * cosy) - r(h * r(siny * siny)))));
  },
};
