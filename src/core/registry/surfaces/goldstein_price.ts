// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT), checked by tests.
import type { ParamSchema } from '../../params.ts';
import type { Minimum, Round, SurfaceDef } from '../types.ts';
import { bindF64, minimumAt } from './newton.ts';
import { surfaceP, surfaceSlots } from './shared.ts';

// The textbook formula factors as f = F(σ)·G(t) with σ = x + y and t = 2x − 3y, since its first
// bracket depends on x + y only and its second on 2x − 3y only:
//   F(σ) = 1 + (σ + 1)²·(3σ² − 14σ + 19),  F'(σ) = 12(σ − 2)(σ − 1)(σ + 1)
//   G(t) = 30 + t²·(3t² − 16t + 18),        G'(t) = 12t(t − 1)(t − 3)
// F >= 1 and G >= 3, so ∇f = (F'G + 2FG', F'G − 3FG') vanishes iff F' = G' = 0: nine stationary
// points, of which the four with F'' > 0 and G'' > 0 (σ ∈ {−1, 2}, t ∈ {0, 3}) are the minima,
// at exact rational positions. The factored form is also cheaper and more accurate in f32.

let cached: Minimum[] | null = null;

const params = [] as const satisfies readonly ParamSchema[];
const o = surfaceSlots(params);

export const goldstein_price: SurfaceDef<typeof o> = {
  id: 'goldstein_price',
  title: 'Goldstein–Price',
  doc:
    'f = [1 + (x + y + 1)²(19 − 14x + 3x² − 14y + 6xy + 3y²)]·[30 + (2x − 3y)²(18 − 32x + 12x² + ' +
    '48y − 36xy + 27y²)] = F(x + y)·G(2x − 3y). Four minima: the global f = 3 at (0, −1), and ' +
    'f = 30 at (−0.6, −0.4), f = 84 at (1.8, 0.2), f = 840 at (1.2, 0.8). A degree-8 polynomial whose ' +
    'values span six orders of magnitude over [−2, 2]²: gradient scales vary wildly, which tests ' +
    'step-size robustness and the value of adaptive methods.',
  params,
  slots: o,
  domain: () => ({ xMin: -2, xMax: 2, yMin: -2, yMax: 2 }),
  defaultStart: [-1.5, 1.5],
  // f <= ~2e23, Hessian <= ~1e20 at |x|, |y| <= 200; degree 8 overflows f32 near |x| ~ 1.5e4.
  bound: () => 200,
  minima() {
    if (!cached) {
      const f = bindF64(goldstein_price, surfaceP(params, {}), null);
      cached = [
        minimumAt(f, 0, -1),
        minimumAt(f, -0.6, -0.4),
        minimumAt(f, 1.8, 0.2),
        minimumAt(f, 1.2, 0.8),
      ];
    }
    return cached.slice();
  },
  value(r: Round, _P: Float64Array, x: number, y: number): number {
    const s = r(x + y);
    const t = r(r(2 * x) - r(3 * y));
    const s1 = r(s + 1);
    const F = r(1 + r(r(s1 * s1) * r(r(r(r(3 * s) - 14) * s) + 19)));
    const G = r(30 + r(r(t * t) * r(r(r(r(3 * t) - 16) * t) + 18)));
    return r(F * G);
  },
  grad(r: Round, _P: Float64Array, x: number, y: number, _data, out: Float64Array): void {
    const s = r(x + y);
    const t = r(r(2 * x) - r(3 * y));
    const s1 = r(s + 1);
    const F = r(1 + r(r(s1 * s1) * r(r(r(r(3 * s) - 14) * s) + 19)));
    const G = r(30 + r(r(t * t) * r(r(r(r(3 * t) - 16) * t) + 18)));
    const F1 = r(r(12 * r(r(s - 2) * r(s - 1))) * s1);
    const G1 = r(r(12 * r(t * r(t - 1))) * r(t - 3));
    const f1g = r(F1 * G);
    const fg1 = r(F * G1);
    out[0] = r(f1g + r(2 * fg1));
    out[1] = r(f1g - r(3 * fg1));
  },
  hessian(r: Round, _P: Float64Array, x: number, y: number, _data, out: Float64Array): void {
    const s = r(x + y);
    const t = r(r(2 * x) - r(3 * y));
    const s1 = r(s + 1);
    const F = r(1 + r(r(s1 * s1) * r(r(r(r(3 * s) - 14) * s) + 19)));
    const G = r(30 + r(r(t * t) * r(r(r(r(3 * t) - 16) * t) + 18)));
    const F1 = r(r(12 * r(r(s - 2) * r(s - 1))) * s1);
    const G1 = r(r(12 * r(t * r(t - 1))) * r(t - 3));
    const F2 = r(r(r(r(36 * s) - 48) * s) - 12);
    const G2 = r(r(r(r(36 * t) - 96) * t) + 36);
    const f2g = r(F2 * G);
    const f1g1 = r(F1 * G1);
    const fg2 = r(F * G2);
    out[0] = r(r(f2g + r(4 * f1g1)) + r(4 * fg2));
    out[1] = r(r(f2g - f1g1) - r(6 * fg2));
    out[2] = r(r(f2g - r(6 * f1g1)) + r(9 * fg2));
  },
};
