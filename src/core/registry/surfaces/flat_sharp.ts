// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT), checked by tests.
import type { ParamSchema, ParamValues } from '../../params.ts';
import type { Domain, Minimum, Round, SurfaceDef } from '../types.ts';
import { bindF64, gridSeeds, grow, searchMinima } from './newton.ts';
import { numberValue, surfaceP, surfaceSlots } from './shared.ts';

// f = ½k(x² + y²) − d1·E1 − d2·E2, E_i = exp(−|p − c_i|²/(2w_i²)). Near a well's centre its
// curvature is ~d_i/w_i² + k, so with the defaults the sharp well (1.2/0.15² ≈ 53) is ~50× sharper
// than the wide one (≈ 1.1) while only 0.2 deeper. Every parameter moves the minima, so none is
// sweepable.

const params = [
  { key: 'bowl', kind: 'number', default: 0.1, min: 0, minExclusive: true, max: 10, sweepable: false,
    doc: 'Curvature k of the gentle bowl ½k(x² + y²) that keeps runs from wandering off.' },
  { key: 'wide_depth', kind: 'number', default: 1, min: 0, minExclusive: true, max: 10, sweepable: false,
    doc: 'Depth of the wide (flat) Gaussian well.' },
  { key: 'wide_width', kind: 'number', default: 1, min: 0.05, max: 5, sweepable: false,
    doc: 'Standard deviation of the wide well; its curvature is ~depth/width².' },
  { key: 'wide_x', kind: 'number', default: -1.5, min: -10, max: 10, sweepable: false,
    doc: 'x of the wide well’s centre.' },
  { key: 'wide_y', kind: 'number', default: 0, min: -10, max: 10, sweepable: false,
    doc: 'y of the wide well’s centre.' },
  { key: 'sharp_depth', kind: 'number', default: 1.2, min: 0, minExclusive: true, max: 10, sweepable: false,
    doc: 'Depth of the narrow (sharp) Gaussian well; slightly deeper than the wide one by default.' },
  { key: 'sharp_width', kind: 'number', default: 0.15, min: 0.01, max: 5, sweepable: false,
    doc: 'Standard deviation of the sharp well; its curvature is ~depth/width².' },
  { key: 'sharp_x', kind: 'number', default: 1.5, min: -10, max: 10, sweepable: false,
    doc: 'x of the sharp well’s centre.' },
  { key: 'sharp_y', kind: 'number', default: 0, min: -10, max: 10, sweepable: false,
    doc: 'y of the sharp well’s centre.' },
] as const satisfies readonly ParamSchema[];

const o = surfaceSlots(params);

export function gauss(r: Round, w: number, dx: number, dy: number): number {
  return r(Math.exp(-r(r(r(dx * dx) + r(dy * dy)) / r(2 * r(w * w)))));
}

/** [−3, 3]² grown to hold both wells with two widths to spare. */
function domain(values: ParamValues): Domain {
  const v = (k: string): number => numberValue(params, values, k);
  const m1 = 2 * v('wide_width');
  const m2 = 2 * v('sharp_width');
  return {
    xMin: Math.min(-3, v('wide_x') - m1, v('sharp_x') - m2),
    xMax: Math.max(3, v('wide_x') + m1, v('sharp_x') + m2),
    yMin: Math.min(-3, v('wide_y') - m1, v('sharp_y') - m2),
    yMax: Math.max(3, v('wide_y') + m1, v('sharp_y') + m2),
  };
}

export const flat_sharp: SurfaceDef<typeof o> = {
  id: 'flat_sharp',
  title: 'Flat vs sharp minimum',
  doc:
    'f = ½k(x² + y²) − d₁·exp(−|p − c₁|²/(2w₁²)) − d₂·exp(−|p − c₂|²/(2w₂²)): a wide, shallow ' +
    'Gaussian well (default width 1 at (−1.5, 0)) and a narrow one (width 0.15 at (1.5, 0)) on a ' +
    'gentle bowl. Two minima: the sharp one slightly deeper (f ≈ −1.10 vs −0.90) but ~50× sharper ' +
    '(largest Hessian eigenvalue ≈ 53 vs ≈ 1.1). Gradient descent cannot settle where the ' +
    'sharpness exceeds 2/lr, so the basin map shows large steps, noise and small batches ' +
    'preferring the flat minimum over the deeper sharp one.',
  params,
  slots: o,
  helpers: { gauss },
  domain,
  defaultStart: [0.6, 1.2],
  // f <= ~1.6e6, gradient <= ~4e3 at |x|, |y| <= 400 with k <= 10.
  bound: () => 400,
  minima(values) {
    const f = bindF64(flat_sharp, surfaceP(params, values), null);
    const d = domain(values);
    const v = (k: string): number => numberValue(params, values, k);
    const seeds: [number, number][] = [
      [v('sharp_x'), v('sharp_y')],
      [v('wide_x'), v('wide_y')],
      ...gridSeeds(d, 31),
    ];
    const step = Math.min(v('wide_width'), v('sharp_width'));
    const found = searchMinima(f, seeds, { keep: grow(d, 0.1), maxStep: step, mergeDistance: 1e-3 * step });
    // Named, so that legends and summaries say "the sharp minimum" as the flat-vs-sharp study does,
    // not "minimum 0": when each well holds exactly one minimum (within two of its widths), the
    // sharper of the two is "sharp" and the other "flat", whichever well is the narrow one.
    const near = (well: 'sharp' | 'wide'): Minimum[] => found.filter((m) => Math.hypot(m.x - v(`${well}_x`), m.y - v(`${well}_y`)) <= 2 * v(`${well}_width`));
    const [a, b] = [near('sharp'), near('wide')];
    const [ma] = a;
    const [mb] = b;
    if (a.length !== 1 || b.length !== 1 || !ma || !mb || ma === mb) return found;
    const sharp = ma.sharpness >= mb.sharpness ? ma : mb;
    return found.map((m) => (m === sharp ? { ...m, name: 'sharp' } : m === ma || m === mb ? { ...m, name: 'flat' } : m));
  },
  value(r: Round, P: Float64Array, x: number, y: number): number {
    const e1 = gauss(r, r(P[o.wide_width]!), r(x - r(P[o.wide_x]!)), r(y - r(P[o.wide_y]!)));
    const e2 = gauss(r, r(P[o.sharp_width]!), r(x - r(P[o.sharp_x]!)), r(y - r(P[o.sharp_y]!)));
    const bowl = r(r(0.5 * r(P[o.bowl]!)) * r(r(x * x) + r(y * y)));
    return r(r(bowl - r(r(P[o.wide_depth]!) * e1)) - r(r(P[o.sharp_depth]!) * e2));
  },
  grad(r: Round, P: Float64Array, x: number, y: number, _data, out: Float64Array): void {
    const k = r(P[o.bowl]!);
    const w1 = r(P[o.wide_width]!);
    const dx1 = r(x - r(P[o.wide_x]!));
    const dy1 = r(y - r(P[o.wide_y]!));
    const g1 = r(r(r(P[o.wide_depth]!) * gauss(r, w1, dx1, dy1)) / r(w1 * w1));
    const w2 = r(P[o.sharp_width]!);
    const dx2 = r(x - r(P[o.sharp_x]!));
    const dy2 = r(y - r(P[o.sharp_y]!));
    const g2 = r(r(r(P[o.sharp_depth]!) * gauss(r, w2, dx2, dy2)) / r(w2 * w2));
    out[0] = r(r(r(k * x) + r(g1 * dx1)) + r(g2 * dx2));
    out[1] = r(r(r(k * y) + r(g1 * dy1)) + r(g2 * dy2));
  },
  hessian(r: Round, P: Float64Array, x: number, y: number, _data, out: Float64Array): void {
    const k = r(P[o.bowl]!);
    const w1 = r(P[o.wide_width]!);
    const ww1 = r(w1 * w1);
    const dx1 = r(x - r(P[o.wide_x]!));
    const dy1 = r(y - r(P[o.wide_y]!));
    const g1 = r(r(r(P[o.wide_depth]!) * gauss(r, w1, dx1, dy1)) / ww1);
    const h1 = r(g1 / ww1);
    const w2 = r(P[o.sharp_width]!);
    const ww2 = r(w2 * w2);
    const dx2 = r(x - r(P[o.sharp_x]!));
    const dy2 = r(y - r(P[o.sharp_y]!));
    const g2 = r(r(r(P[o.sharp_depth]!) * gauss(r, w2, dx2, dy2)) / ww2);
    const h2 = r(g2 / ww2);
    out[0] = r(r(k + r(g1 - r(r(h1 * dx1) * dx1))) + r(g2 - r(r(h2 * dx2) * dx2)));
    out[1] = r(-r(r(h1 * dx1) * dy1) - r(r(h2 * dx2) * dy2));
    out[2] = r(r(k + r(g1 - r(r(h1 * dy1) * dy1))) + r(g2 - r(r(h2 * dy2) * dy2)));
  },
};
