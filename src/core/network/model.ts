/**
 * A multilayer perceptron as basinlab trains it: the parameter vector's layout (torch's tensor names
 * and order), its initialisation, and one function that runs a batch forward, backward and,
 * when asked, the exact Hessian-vector product (Pearlmutter's R-operator, "Fast exact
 * multiplication by the Hessian", Neural Computation 6(1), 1994). One implementation serves both
 * precisions, like the registry's twins: `r` rounds after every operation (Math.fround for the
 * float32 twin, the identity for float64).
 *
 * Layer l maps a_l (in_l values) to z_l (out_l values) with W_l stored as torch's nn.Linear stores
 * it, out_l x in_l row-major, then b_l:
 * - `standard` (torch): z_l = W_l a_l + b_l; hidden layers a_{l+1} = phi(z_l); the output is z_last.
 * - `mean_field` (Sohl-Dickstein 2024, the fractal notebook's `net`): z_l = (W_l a_l) / sqrt(in_l);
 *   hidden a_{l+1} = tanh(sqrt(2) z_l), relu(z_l) sqrt(2) or z_l; the output is z_last / sqrt(in_last)
 *   (the notebook divides the last layer's z by sqrt(fan_in) once more when it returns). No biases.
 * The loss is torch's with mean reduction: MSELoss over batch x outputs, CrossEntropyLoss over the
 * batch (log-softmax by the max-shifted log-sum-exp, as ATen computes it).
 */
import type { Round } from '../registry/types.ts';
import { tanh64 } from './tanh.ts';

export type Activation = 'tanh' | 'relu' | 'gelu' | 'identity';
export type Parametrization = 'standard' | 'mean_field';
export type LossName = 'mse' | 'cross_entropy';

export interface Tensor {
  /** torch's name in nn.Sequential of Linear layers: `layers.<l>.weight` / `layers.<l>.bias`. */
  readonly name: string;
  readonly layer: number;
  readonly kind: 'weight' | 'bias';
  /** Offset in the parameter vector. */
  readonly offset: number;
  readonly rows: number;
  readonly cols: number;
  readonly size: number;
}

export interface Architecture {
  /** Layer widths from input to output: [in, hidden…, out]. */
  readonly sizes: readonly number[];
  readonly activation: Activation;
  readonly bias: boolean;
  readonly parametrization: Parametrization;
}

export interface Layout extends Architecture {
  readonly tensors: readonly Tensor[];
  readonly params: number;
  readonly layers: number;
  /** Widest layer (scratch sizes). */
  readonly widest: number;
}

/** The parameter layout: per layer its weight then (if any) its bias, as torch's parameters() orders them. */
export function layout(a: Architecture): Layout {
  const tensors: Tensor[] = [];
  let offset = 0;
  for (let l = 0; l + 1 < a.sizes.length; l++) {
    const inn = a.sizes[l] as number;
    const out = a.sizes[l + 1] as number;
    tensors.push({ name: `layers.${l}.weight`, layer: l, kind: 'weight', offset, rows: out, cols: inn, size: out * inn });
    offset += out * inn;
    if (a.bias) {
      tensors.push({ name: `layers.${l}.bias`, layer: l, kind: 'bias', offset, rows: out, cols: 1, size: out });
      offset += out;
    }
  }
  return { ...a, tensors, params: offset, layers: a.sizes.length - 1, widest: Math.max(...a.sizes) };
}

const SQRT2 = Math.SQRT2;

/**
 * GELU as torch's default (approximate='none'): x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)). erf by
 * W. J. Cody's rational approximations ("Rational Chebyshev approximation for the error function",
 * Math. Comp. 23, 1969), as in SUN's fdlibm s_erf.c: within 1 ulp in float64.
 */
const erfCell = new Float64Array(1);
const erfWords = new Uint32Array(erfCell.buffer);
/** Index of a float64's low 32-bit word in a Uint32Array view (little-endian machines: 0). */
const LOW_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;

export function erf(x: number): number {
  const ax = Math.abs(x);
  let y: number;
  if (ax < 0.84375) {
    if (ax < 2 ** -28) return x + 0.12837916709551257 * x;
    const z = x * x;
    const r = 1.28379167095512558561e-1 + z * (-3.25042107247001499370e-1 + z * (-2.84817495755985104766e-2 + z * (-5.77027029648944159157e-3 + z * -2.37630166566501626084e-5)));
    const s = 1 + z * (3.97917223959155352819e-1 + z * (6.50222499887672944485e-2 + z * (5.08130628187576562776e-3 + z * (1.32494738004321644526e-4 + z * -3.96022827877536812320e-6))));
    return x + x * (r / s);
  }
  if (ax < 1.25) {
    const s = ax - 1;
    const P = -2.36211856075265944077e-3 + s * (4.14856118683748331666e-1 + s * (-3.72207876035701323847e-1 + s * (3.18346619901161753674e-1 + s * (-1.10894694282396677476e-1 + s * (3.54783043256182359371e-2 + s * -2.16637559486879084300e-3)))));
    const Q = 1 + s * (1.06420880400844228286e-1 + s * (5.40397917702171048937e-1 + s * (7.18286544141962662868e-2 + s * (1.26171219808761642112e-1 + s * (1.36370839120290507362e-2 + s * 1.19844998467991074170e-2)))));
    y = 8.45062911510467529297e-1 + P / Q;
    return x >= 0 ? y : -y;
  }
  if (ax >= 6) return x >= 0 ? 1 - 1e-300 : -1 + 1e-300;
  const s = 1 / (ax * ax);
  let R: number;
  let S: number;
  if (ax < 1 / 0.35) {
    R = -9.86494403484714822705e-3 + s * (-6.93858572707181764372e-1 + s * (-1.05586262253232909814e1 + s * (-6.23753324503260060396e1 + s * (-1.62396669462573470355e2 + s * (-1.84605092906711035994e2 + s * (-8.12874355063065934246e1 + s * -9.81432934416914548592))))));
    S = 1 + s * (1.96512716674392571292e1 + s * (1.37657754143519042600e2 + s * (4.34565877475229228821e2 + s * (6.45387271733267880336e2 + s * (4.29008140027567833386e2 + s * (1.08635005541779435134e2 + s * (6.57024977031928170135 + s * -6.04244152148580987438e-2)))))));
  } else {
    R = -9.86494292470009928597e-3 + s * (-7.99283237680523006574e-1 + s * (-1.77579549177547519889e1 + s * (-1.60636384855821916062e2 + s * (-6.37566443368389627722e2 + s * (-1.02509513161107724954e3 + s * -4.83519191608651397019e2)))));
    S = 1 + s * (3.03380607434824582924e1 + s * (3.25792512996573918826e2 + s * (1.53672958608443695994e3 + s * (3.19985821950859553908e3 + s * (2.55305040643316442583e3 + s * (4.74528541206955367215e2 + s * -2.24409524465858183362e1))))));
  }
  // exp(-z*z - 0.5625) * exp((z - ax)(z + ax) + R/S) with z = ax with its low 32 bits cleared
  // (fdlibm's SET_LOW_WORD(z, 0)): z*z is exact, which keeps erfc accurate.
  erfCell[0] = ax;
  erfWords[LOW_WORD] = 0;
  const z = erfCell[0] as number;
  const r2 = Math.exp(-z * z - 0.5625) * Math.exp((z - ax) * (z + ax) + R / S);
  y = 1 - r2 / ax;
  return x >= 0 ? y : -y;
}

/** phi(z) of a hidden layer, and its first and second derivatives (for backward and R-backward). */
function act(r: Round, a: Activation, mf: boolean, z: number, out: Float64Array): void {
  switch (a) {
    case 'tanh': {
      // mean field: tanh(sqrt(2) z); d/dz = sqrt2 (1 - t^2); d2/dz2 = -4 t (1 - t^2).
      const u = mf ? r(z * r(SQRT2)) : z;
      const t = r(tanh64(u));
      const d = r(1 - r(t * t));
      out[0] = t;
      out[1] = mf ? r(r(SQRT2) * d) : d;
      out[2] = mf ? r(r(r(-4) * t) * d) : r(r(r(-2) * t) * d);
      return;
    }
    case 'relu': {
      // 0 where z <= 0 and z elsewhere, so a NaN passes, as torch's relu (clamp_min) and its
      // backward (grad where not z <= 0) pass it (review 20: with Adam's eps = 0 a dead unit's
      // update is 0/0; read as 0 here, the NaN weights looked dead and the run "not diverged").
      const s = mf ? r(SQRT2) : 1;
      out[0] = z <= 0 ? 0 : r(z * s);
      out[1] = z <= 0 ? 0 : s;
      out[2] = 0;
      return;
    }
    case 'gelu': {
      // x Phi(x): d = Phi(x) + x phi(x); d2 = phi(x) (2 - x^2).
      const cdf = r(r(0.5) * r(1 + r(erf(r(z / r(SQRT2))))));
      const pdf = r(r(Math.exp(r(r(-0.5) * r(z * z)))) / r(Math.sqrt(2 * Math.PI)));
      out[0] = r(z * cdf);
      out[1] = r(cdf + r(z * pdf));
      out[2] = r(pdf * r(2 - r(z * z)));
      return;
    }
    case 'identity':
      out[0] = z;
      out[1] = 1;
      out[2] = 0;
  }
}

/**
 * Scratch for one sample's passes, sized for a layout: pre-activations z, activations a, their
 * R-forward twins, and the back-propagated deltas.
 */
export class NetScratch {
  readonly z: Float64Array[];
  readonly a: Float64Array[];
  readonly d1: Float64Array[];
  readonly d2: Float64Array[];
  readonly rz: Float64Array[];
  readonly ra: Float64Array[];
  readonly delta: Float64Array[];
  readonly rdelta: Float64Array[];
  readonly phi = new Float64Array(3);
  readonly out: Float64Array;
  readonly gout: Float64Array;
  readonly rgout: Float64Array;
  constructor(readonly L: Layout) {
    const n = L.sizes.length;
    const mk = (): Float64Array[] => Array.from({ length: n }, (_, i) => new Float64Array(L.sizes[i] as number));
    this.z = mk();
    this.a = mk();
    this.d1 = mk();
    this.d2 = mk();
    this.rz = mk();
    this.ra = mk();
    this.delta = mk();
    this.rdelta = mk();
    const o = L.sizes[n - 1] as number;
    this.out = new Float64Array(o);
    this.gout = new Float64Array(o);
    this.rgout = new Float64Array(o);
  }
}

/** The rows of a batch: sample indices into a split (x: n x inputs, y: targets or class indices). */
export interface Batch {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly rows: ArrayLike<number>;
  readonly count: number;
}

/**
 * The loss of `theta` on the batch (mean reduction); with `grad`, its gradient added into grad
 * (zeroed by the caller); with `v` and `hv`, the Hessian-vector product H v added into hv.
 * `correct`, when given, receives how many samples the net classifies right (classification).
 */
export function batchLoss(
  r: Round,
  L: Layout,
  loss: LossName,
  theta: Float64Array,
  batch: Batch,
  sc: NetScratch,
  grad: Float64Array | null,
  v: Float64Array | null = null,
  hv: Float64Array | null = null,
  correct: { n: number } | null = null,
): number {
  const layers = L.layers;
  const mf = L.parametrization === 'mean_field';
  const inputs = L.sizes[0] as number;
  const outputs = L.sizes[layers] as number;
  const B = batch.count;
  // d(mean loss)/d(sample loss): MSE averages over batch x outputs, cross-entropy over the batch.
  const norm = loss === 'mse' ? r(1 / (B * outputs)) : r(1 / B);
  const T = L.tensors;
  let total = 0;
  for (let s = 0; s < B; s++) {
    const row = batch.rows[s] as number;
    const a0 = sc.a[0] as Float64Array;
    for (let i = 0; i < inputs; i++) a0[i] = batch.x[row * inputs + i] as number;
    if (v) (sc.ra[0] as Float64Array).fill(0);
    // Forward (and R-forward).
    let ti = 0;
    for (let l = 0; l < layers; l++) {
      const W = T[ti++] as Tensor;
      const bias = L.bias ? (T[ti++] as Tensor) : null;
      const inn = W.cols;
      const out = W.rows;
      const a = sc.a[l] as Float64Array;
      const ra = sc.ra[l] as Float64Array;
      const z = sc.z[l + 1] as Float64Array;
      const rz = sc.rz[l + 1] as Float64Array;
      const scale = mf ? r(1 / r(Math.sqrt(inn))) : 1;
      for (let j = 0; j < out; j++) {
        let acc = 0;
        let racc = 0;
        const w0 = W.offset + j * inn;
        for (let i = 0; i < inn; i++) {
          acc = r(acc + r((theta[w0 + i] as number) * (a[i] as number)));
          if (v) racc = r(r(racc + r((v[w0 + i] as number) * (a[i] as number))) + r((theta[w0 + i] as number) * (ra[i] as number)));
        }
        if (mf) {
          acc = r(acc * scale);
          racc = r(racc * scale);
        }
        if (bias) {
          acc = r(acc + (theta[bias.offset + j] as number));
          if (v) racc = r(racc + (v[bias.offset + j] as number));
        }
        z[j] = acc;
        rz[j] = racc;
        const last = l === layers - 1;
        if (!last) {
          act(r, L.activation, mf, acc, sc.phi);
          (sc.a[l + 1] as Float64Array)[j] = sc.phi[0] as number;
          (sc.d1[l + 1] as Float64Array)[j] = sc.phi[1] as number;
          (sc.d2[l + 1] as Float64Array)[j] = sc.phi[2] as number;
          if (v) (sc.ra[l + 1] as Float64Array)[j] = r((sc.phi[1] as number) * racc);
        }
      }
    }
    // The output and the loss of this sample, and d(loss)/d(output) (and its R-derivative).
    const zl = sc.z[layers] as Float64Array;
    const rzl = sc.rz[layers] as Float64Array;
    const outScale = mf ? r(1 / r(Math.sqrt(T[T.length - (L.bias ? 2 : 1)]!.cols))) : 1;
    for (let k = 0; k < outputs; k++) sc.out[k] = mf ? r((zl[k] as number) * outScale) : (zl[k] as number);
    let sampleLoss = 0;
    if (loss === 'mse') {
      for (let k = 0; k < outputs; k++) {
        const e = r((sc.out[k] as number) - (batch.y[row * outputs + k] as number));
        sampleLoss = r(sampleLoss + r(e * e));
        sc.gout[k] = r(r(2 * e) * norm);
        if (v) sc.rgout[k] = r(r(r(2 * norm) * (mf ? r((rzl[k] as number) * outScale) : (rzl[k] as number))));
      }
    } else {
      const target = batch.y[row] as number;
      let m = Number.NEGATIVE_INFINITY;
      let arg = 0;
      for (let k = 0; k < outputs; k++) {
        if ((sc.out[k] as number) > m) {
          m = sc.out[k] as number;
          arg = k;
        }
      }
      if (correct && arg === target) correct.n++;
      let se = 0;
      for (let k = 0; k < outputs; k++) se = r(se + r(Math.exp(r((sc.out[k] as number) - m))));
      const lse = r(m + r(Math.log(se)));
      sampleLoss = r(lse - (sc.out[target] as number));
      // softmax p; d/dout = (p - onehot) / B; R{p} = p (Rout - p . Rout).
      let pdot = 0;
      for (let k = 0; k < outputs; k++) {
        const p = r(Math.exp(r((sc.out[k] as number) - lse)));
        sc.gout[k] = r(r(p - (k === target ? 1 : 0)) * norm);
        if (v) {
          const ro = mf ? r((rzl[k] as number) * outScale) : (rzl[k] as number);
          pdot = r(pdot + r(p * ro));
          sc.rgout[k] = p;
        }
      }
      if (v) {
        for (let k = 0; k < outputs; k++) {
          const p = sc.rgout[k] as number;
          const ro = mf ? r((rzl[k] as number) * outScale) : (rzl[k] as number);
          sc.rgout[k] = r(r(p * r(ro - pdot)) * norm);
        }
      }
    }
    total = r(total + sampleLoss);
    if (!grad) continue;
    // Backward: delta_l = dL/dz_l (and R{delta_l}), from the output down.
    const dl = sc.delta[layers] as Float64Array;
    const rdl = sc.rdelta[layers] as Float64Array;
    for (let k = 0; k < outputs; k++) {
      dl[k] = mf ? r((sc.gout[k] as number) * outScale) : (sc.gout[k] as number);
      if (v) rdl[k] = mf ? r((sc.rgout[k] as number) * outScale) : (sc.rgout[k] as number);
    }
    ti = T.length;
    for (let l = layers - 1; l >= 0; l--) {
      const bias = L.bias ? (T[--ti] as Tensor) : null;
      const W = T[--ti] as Tensor;
      const inn = W.cols;
      const out = W.rows;
      const a = sc.a[l] as Float64Array;
      const ra = sc.ra[l] as Float64Array;
      const d = sc.delta[l + 1] as Float64Array;
      const rd = sc.rdelta[l + 1] as Float64Array;
      const scale = mf ? r(1 / r(Math.sqrt(inn))) : 1;
      for (let j = 0; j < out; j++) {
        const dj = mf ? r((d[j] as number) * scale) : (d[j] as number);
        const rdj = v ? (mf ? r((rd[j] as number) * scale) : (rd[j] as number)) : 0;
        const w0 = W.offset + j * inn;
        for (let i = 0; i < inn; i++) {
          grad[w0 + i] = r((grad[w0 + i] as number) + r(dj * (a[i] as number)));
          if (hv) hv[w0 + i] = r((hv[w0 + i] as number) + r(r(rdj * (a[i] as number)) + r(dj * (ra[i] as number))));
        }
        if (bias) {
          grad[bias.offset + j] = r((grad[bias.offset + j] as number) + (d[j] as number));
          if (hv) hv[bias.offset + j] = r((hv[bias.offset + j] as number) + (rd[j] as number));
        }
      }
      if (l === 0) break;
      // dL/da_l = W^T (scaled) delta; dL/dz_l = phi'(z_l) dL/da_l; and their R-derivatives.
      const dn = sc.delta[l] as Float64Array;
      const rdn = sc.rdelta[l] as Float64Array;
      const d1 = sc.d1[l] as Float64Array;
      const d2 = sc.d2[l] as Float64Array;
      const rz = sc.rz[l] as Float64Array;
      for (let i = 0; i < inn; i++) {
        let g = 0;
        let rg = 0;
        for (let j = 0; j < out; j++) {
          const w = theta[W.offset + j * inn + i] as number;
          const dj = mf ? r((d[j] as number) * scale) : (d[j] as number);
          g = r(g + r(w * dj));
          if (v) {
            const rdj = mf ? r((rd[j] as number) * scale) : (rd[j] as number);
            rg = r(r(rg + r(w * rdj)) + r((v[W.offset + j * inn + i] as number) * dj));
          }
        }
        dn[i] = r(g * (d1[i] as number));
        if (v) rdn[i] = r(r(rg * (d1[i] as number)) + r(r(g * (d2[i] as number)) * (rz[i] as number)));
      }
    }
  }
  return r(total * norm);
}

/**
 * Initial parameters. `torch`: nn.Linear's reset_parameters, kaiming_uniform_(a=sqrt(5)) for the
 * weight and U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the bias: both U(-1/sqrt(in), 1/sqrt(in)).
 * `mean_field`: N(0, 1) (the notebook's jax.random.normal). `uniform(i)` and `normal(i)` give the
 * i-th draw of the run's (or the shared) stream, so engines and the torch oracle agree exactly.
 */
export function initialise(L: Layout, uniform: (i: number) => number, normal: (i: number) => number, theta: Float64Array): void {
  for (const t of L.tensors) {
    const bound = 1 / Math.sqrt(L.tensors.find((w) => w.layer === t.layer && w.kind === 'weight')!.cols);
    for (let i = 0; i < t.size; i++) {
      const k = t.offset + i;
      theta[k] = L.parametrization === 'mean_field' ? normal(k) : (2 * uniform(k) - 1) * bound;
    }
  }
}
