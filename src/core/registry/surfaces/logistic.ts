// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT), or a row
// offset below 4·n inside the data set built by data() for the same n; both are checked by tests.
import type { ParamSchema, ParamValues } from '../../params.ts';
import { STREAM_DATA, STREAM_MINIBATCH, boxMuller, pcg4d } from '../../rng.ts';
import type { Domain, Minimum, Round, SurfaceData, SurfaceDef } from '../types.ts';
import { bindF64, minimumAt, newtonMinimize } from './newton.ts';
import { f64, needData, numberValue, rngWords, surfaceP, surfaceSlots } from './shared.ts';

// Per-row loss softplus(z) = log(1 + e^z) with z = −label·(w·features), computed as
// max(z, 0) + log(1 + e^(−|z|)): no overflow for any z, and e^(−|z|) <= 1 keeps the sigmoid
// branches (1/(1 + e) for z >= 0, e/(1 + e) below) free of overflow and cancellation. log1p would
// be more accurate for tiny e but WGSL has none, and both engines must do the same operations.
// The data rows' 4th component (weight) is always 1 and is not read.

const params = [
  { key: 'n', kind: 'int', default: 128, min: 2, max: 16384, sweepable: false,
    doc: 'Number of data points (half in each class).' },
  { key: 'batch_size', kind: 'int', default: 8, min: 1, max: 4096, sweepable: true,
    typical: { min: 1, max: 256, scale: 'log' },
    doc: 'Minibatch size of the stochastic gradient (rows drawn with replacement).' },
  { key: 'l2', kind: 'number', default: 0.01, min: 0, minExclusive: true, max: 10, sweepable: false,
    doc: 'L2 penalty (l2/2)·|w|², which makes the single minimum strict; moves it, so not sweepable.' },
  { key: 'data_seed', kind: 'int', default: 0, min: 0, max: 16777216, sweepable: false,
    doc: 'Seed of the generated data set (pcg4d stream STREAM_DATA).' },
] as const satisfies readonly ParamSchema[];

const o = surfaceSlots(params);


// Class means ±(1.5, 0.5) and feature covariance 4·[[1, 0.8], [0.8, 1]]: the classes overlap (no
// separating line, so the minimum stays finite) and the correlated features give the loss an
// elongated, rotated bowl (condition number ≈ 13 for data_seed 0).
const MEAN_X = 1.5;
const MEAN_Y = 0.5;
const SCALE = 2;
const CORR = 0.8;
const CORR_C = 0.6; // sqrt(1 − 0.8²)

function buildData(values: ParamValues): SurfaceData {
  const n = numberValue(params, values, 'n');
  const seed = numberValue(params, values, 'data_seed');
  const out = new Float64Array(4 * n);
  const w = new Uint32Array(4);
  const z = new Float64Array(2);
  for (let i = 0; i < n; i++) {
    pcg4d(seed, i, 0, STREAM_DATA, w);
    boxMuller(f64, w[0]!, w[1]!, z);
    const label = i % 2 === 0 ? 1 : -1;
    out[4 * i] = label * MEAN_X + SCALE * z[0]!;
    out[4 * i + 1] = label * MEAN_Y + SCALE * (CORR * z[0]! + CORR_C * z[1]!);
    out[4 * i + 2] = label;
    out[4 * i + 3] = 1;
  }
  return out;
}

let minCache: { key: string; minima: Minimum[] } | null = null;

function findMinimum(values: ParamValues, data: SurfaceData | null): Minimum[] {
  const d = data ?? buildData(values);
  const f = bindF64(logistic, surfaceP(params, values), d);
  // Strictly convex (l2 > 0): damped Newton from the origin reaches the one minimum.
  const p = newtonMinimize(f, 0, 0, { maxStep: 10 });
  if (!p) throw new Error('logistic: Newton failed to find the minimum');
  return [minimumAt(f, p[0], p[1])];
}

function cachedMinimum(values: ParamValues): Minimum[] {
  const key = ['n', 'l2', 'data_seed'].map((k) => numberValue(params, values, k)).join(',');
  if (minCache?.key !== key) minCache = { key, minima: findMinimum(values, null) };
  return minCache.minima;
}

/** [−3, 3]², grown to keep the minimum at least 1 inside when the data or l2 put it further out. */
function domain(values: ParamValues): Domain {
  const m = cachedMinimum(values)[0]!;
  return {
    xMin: Math.min(-3, m.x - 1),
    xMax: Math.max(3, m.x + 1),
    yMin: Math.min(-3, m.y - 1),
    yMax: Math.max(3, m.y + 1),
  };
}

export const logistic: SurfaceDef<typeof o> = {
  id: 'logistic',
  title: 'Logistic regression',
  doc:
    'f(w) = (1/n) Σ softplus(−label_i·(w · x_i)) + (l2/2)·|w|², w = (x, y), no bias, on n points ' +
    'of two overlapping Gaussian classes (means ±(1.5, 0.5), correlated features) generated from ' +
    'data_seed. Convex with one minimum (≈ (1.74, −1.17) for data_seed 0) at the bottom of a ' +
    'rotated bowl of condition number ≈ 13. Optimisers step on minibatch gradients (batch_size ' +
    'rows drawn with replacement per step) while the reported loss is the full-data f: shows SGD ' +
    'noise, batch size and LR interplay on a real (if tiny) learning problem.',
  params,
  slots: o,
  domain,
  defaultStart: [-2, 2],
  // The loss grows linearly and the penalty quadratically: f <= ~1e4 at |x|, |y| <= 300.
  bound: () => 300,
  minima(values, data) {
    return data ? findMinimum(values, data) : cachedMinimum(values).slice();
  },
  data: buildData,
  value(r: Round, P: Float64Array, x: number, y: number, data: SurfaceData | null): number {
    const d = needData(data);
    const n = P[o.n]!;
    let sum = 0;
    for (let row = 0; row < 4 * n; row += 4) {
      const z = -r(r(d[row + 2]!) * r(r(x * r(d[row]!)) + r(y * r(d[row + 1]!))));
      const e = r(Math.exp(-Math.abs(z)));
      sum = r(sum + r(Math.max(z, 0) + r(Math.log(r(1 + e)))));
    }
    return r(r(sum / n) + r(r(0.5 * r(P[o.l2]!)) * r(r(x * x) + r(y * y))));
  },
  grad(r: Round, P: Float64Array, x: number, y: number, data: SurfaceData | null, out: Float64Array): void {
    const d = needData(data);
    const n = P[o.n]!;
    let gx = 0;
    let gy = 0;
    for (let row = 0; row < 4 * n; row += 4) {
      const f0 = r(d[row]!);
      const f1 = r(d[row + 1]!);
      const label = r(d[row + 2]!);
      const z = -r(label * r(r(x * f0) + r(y * f1)));
      const e = r(Math.exp(-Math.abs(z)));
      const inv = r(1 / r(1 + e));
      const c = -r(label * (z >= 0 ? inv : r(e * inv)));
      gx = r(gx + r(c * f0));
      gy = r(gy + r(c * f1));
    }
    const l2 = r(P[o.l2]!);
    out[0] = r(r(gx / n) + r(l2 * x));
    out[1] = r(r(gy / n) + r(l2 * y));
  },
  hessian(r: Round, P: Float64Array, x: number, y: number, data: SurfaceData | null, out: Float64Array): void {
    const d = needData(data);
    const n = P[o.n]!;
    let hxx = 0;
    let hxy = 0;
    let hyy = 0;
    for (let row = 0; row < 4 * n; row += 4) {
      const f0 = r(d[row]!);
      const f1 = r(d[row + 1]!);
      const z = -r(r(d[row + 2]!) * r(r(x * f0) + r(y * f1)));
      const e = r(Math.exp(-Math.abs(z)));
      const inv = r(1 / r(1 + e));
      // σ(z)(1 − σ(z)) = e/(1 + e)², the same for ±z.
      const q = r(r(e * inv) * inv);
      const qf0 = r(q * f0);
      hxx = r(hxx + r(qf0 * f0));
      hxy = r(hxy + r(qf0 * f1));
      hyy = r(hyy + r(r(q * f1) * f1));
    }
    const l2 = r(P[o.l2]!);
    out[0] = r(r(hxx / n) + l2);
    out[1] = r(hxy / n);
    out[2] = r(r(hyy / n) + l2);
  },
  stochasticGrad(
    r: Round,
    P: Float64Array,
    x: number,
    y: number,
    data: SurfaceData,
    seed: number,
    run: number,
    step: number,
    out: Float64Array,
  ): void {
    const n = P[o.n]!;
    const batch = P[o.batch_size]!;
    let gx = 0;
    let gy = 0;
    for (let b = 0; b < batch; b++) {
      if ((b & 3) === 0) pcg4d(seed, run, step, STREAM_MINIBATCH + (b >> 2), rngWords);
      const row = 4 * (rngWords[b & 3]! % n);
      const f0 = r(data[row]!);
      const f1 = r(data[row + 1]!);
      const label = r(data[row + 2]!);
      const z = -r(label * r(r(x * f0) + r(y * f1)));
      const e = r(Math.exp(-Math.abs(z)));
      const inv = r(1 / r(1 + e));
      const c = -r(label * (z >= 0 ? inv : r(e * inv)));
      gx = r(gx + r(c * f0));
      gy = r(gy + r(c * f1));
    }
    const l2 = r(P[o.l2]!);
    out[0] = r(r(gx / batch) + r(l2 * x));
    out[1] = r(r(gy / batch) + r(l2 * y));
  },
};
