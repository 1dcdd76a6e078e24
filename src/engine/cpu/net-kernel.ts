/**
 * A network's batch pass specialised for one layout, loss and precision: the same operations, in the
 * same order, as core/network/model.ts batchLoss (the reference, which the torch oracle checks), so
 * its results are bit for bit the reference's (tests/engine/net-kernel.test.ts), but written as
 * source with the sizes, offsets and scales as literals, the rounding written out (Math.fround for
 * the float32 twin, nothing for float64) and the branches of the generic pass resolved. The generic
 * pass calls its rounding through a parameter that sees two functions (not inlined) and tests `v`,
 * `mf` and `bias` inside its inner loops; this one is ~6x (float64) to ~20x (float32) faster, which
 * is what brings the CPU engines near a batched numpy peer (docs/performance.md, networks).
 *
 * Three modes: the loss (and, with `out`, how many samples are classified right), the loss and its
 * gradient, and the loss, gradient and Hessian-vector product (sharpness).
 *
 * netKernel hands out the WebAssembly SIMD version of the loss and gradient passes (net-wasm.ts,
 * bit for bit this one's) where it covers the layout; this JS kernel stays the reference it is
 * tested against, and runs the rest (gelu, the Hessian-vector product, no WebAssembly SIMD, a
 * layout whose wasm memory would pass WASM_FIXED_LIMIT).
 */
import type { Layout, LossName } from '../../core/network/model.ts';
import { erf } from '../../core/network/model.ts';
import { tanh64 } from '../../core/network/tanh.ts';
import type { Precision } from '../../core/steps.ts';
import { WASM_SIMD, layoutKey, netWasmKernel, wasmCovers } from './net-wasm.ts';

export type NetPass = 'loss' | 'grad' | 'hvp';

/**
 * theta, the split's x and y, the rows of the batch and how many; grad (mode grad, hvp) is added
 * into, as are hv with v (mode hvp); out[0] receives the number of samples classified right (mode
 * loss, cross-entropy). Returns the mean loss. x and y are constants: the WebAssembly pass copies
 * each array object once (NetRun's are made once per plan and never written).
 */
export type NetKernel = (
  theta: Float64Array,
  x: Float64Array,
  y: Float64Array,
  rows: ArrayLike<number>,
  count: number,
  grad: Float64Array | null,
  v: Float64Array | null,
  hv: Float64Array | null,
  out: Float64Array | null,
) => number;

/** Units (output units, rows, inputs) a block of the pass works on at once. */
const UNITS = 8;
/** Layers of at most this many weights are written out without loops. */
const UNROLL_LIMIT = 64;

const cache = new Map<string, NetKernel>();

/**
 * Which implementation: 'auto' (the WebAssembly SIMD pass of net-wasm.ts where it covers the layout
 * and pass, else this JS kernel), 'js' (this kernel: the reference the wasm pass is tested against)
 * or 'wasm' (the wasm pass; an error where it does not cover the layout).
 */
export type NetImpl = 'auto' | 'js' | 'wasm';

/** The specialised pass (compiled once per layout, loss, precision, mode and implementation, per thread). */
export function netKernel(L: Layout, loss: LossName, precision: Precision, pass: NetPass, impl: NetImpl = 'auto'): NetKernel {
  const key = `${layoutKey(L, loss, precision)}|${pass}|${impl}`;
  let k = cache.get(key);
  if (!k) {
    const covered = pass !== 'hvp' && wasmCovers(L, pass);
    if (impl === 'js') k = compile(L, loss, precision, pass);
    else if (impl === 'auto') k = netKernel(L, loss, precision, pass, covered ? 'wasm' : 'js');
    else if (covered) k = netWasmKernel(L, loss, precision, pass, netKernel(L, loss, precision, pass, 'js'));
    else throw new Error(`netKernel: the wasm pass does not cover ${L.activation} ${pass}${WASM_SIMD ? '' : ' (no WebAssembly SIMD here)'}`);
    cache.set(key, k);
  }
  return k;
}

/** The source of the pass (exported for tests and for reading). */
export function netKernelSource(L: Layout, loss: LossName, precision: Precision, pass: NetPass): string {
  const f32 = precision === 'f32';
  const r = f32 ? Math.fround : (x: number): number => x;
  const R = (e: string): string => (f32 ? `Math.fround(${e})` : `(${e})`);
  /** A number as a literal that reads back exactly. */
  const lit = (x: number): string => `${x}`;
  const G = pass !== 'loss';
  const V = pass === 'hvp';
  const mf = L.parametrization === 'mean_field';
  const layers = L.layers;
  const sizes = L.sizes;
  const inputs = sizes[0] as number;
  const outputs = sizes[layers] as number;
  const SQ2 = r(Math.SQRT2);
  const T = L.tensors;
  const weight = (l: number): { off: number; inn: number; out: number; bias: number } => {
    const W = T.find((t) => t.layer === l && t.kind === 'weight')!;
    const b = T.find((t) => t.layer === l && t.kind === 'bias');
    return { off: W.offset, inn: W.cols, out: W.rows, bias: b ? b.offset : -1 };
  };
  // Scratch: per level n (0 = input) z, a, d1, d2, rz, ra, delta, rdelta; then the output's values,
  // d(loss)/d(out), its R-twin and the scaled deltas of a layer.
  let at = 0;
  const off = (n: number): number => {
    const o = at;
    at += n;
    return o;
  };
  const lv = sizes.map((n) => ({ z: off(n), a: off(n), d1: off(n), d2: off(n), rz: off(n), ra: off(n), delta: off(n), rdelta: off(n) }));
  const O = off(outputs);
  const GO = off(outputs);
  const RGO = off(outputs);
  const widest = Math.max(...sizes);
  const DS = off(widest);
  const RDS = off(widest);
  const scratch = at;
  const scaleOf = (inn: number): number => (mf ? r(1 / r(Math.sqrt(inn))) : 1);
  const lastW = weight(layers - 1);
  const outScale = scaleOf(lastW.inn);
  const level = (n: number) => lv[n] as (typeof lv)[number];
  /** Activation a_l[i] (layer 0 reads the sample's row of x). */
  const A = (l: number, i: string): string => (l === 0 ? `x[xo + ${i}]` : `s[${level(l).a} + ${i}]`);
  const src: string[] = [];
  const w = (line: string): void => {
    src.push(line);
  };
  /**
   * Emits `body` for blocks of UNITS of n (a loop over the full blocks, then the rest), each in its
   * own scope; unrolled, each block is written out with its first index a literal.
   */
  const blocks = (n: number, unroll: boolean, body: (units: number, first: string) => void): void => {
    const full = n - (n % UNITS);
    if (unroll) {
      for (let b = 0; b < full; b += UNITS) {
        w(`{`);
        body(UNITS, `${b}`);
        w(`}`);
      }
    } else if (full > 0) {
      w(`for (let jb = 0; jb < ${full}; jb += ${UNITS}) {`);
      body(UNITS, 'jb');
      w(`}`);
    }
    if (n > full) {
      w(`{`);
      body(n - full, `${full}`);
      w(`}`);
    }
  };
  /** A loop of `v` over 0 .. n-1, or its body written out n times with `v` a constant. */
  const loop = (v: string, n: number, unroll: boolean, body: () => void): void => {
    if (!unroll) {
      w(`for (let ${v} = 0; ${v} < ${n}; ${v}++) {`);
      body();
      w(`}`);
      return;
    }
    for (let k = 0; k < n; k++) {
      w(`{ const ${v} = ${k};`);
      body();
      w(`}`);
    }
  };
  /** Layers this small are written out without loops (constant indices, no loop overhead). */
  const unrolled = (inn: number, out: number): boolean => inn * out <= UNROLL_LIMIT;
  w(`const s = new Float64Array(${scratch});`);
  w(`return function netPass(theta, x, y, rows, count, grad, v, hv, out) {`);
  w(`const norm = ${loss === 'mse' ? R(`1 / (count * ${outputs})`) : R('1 / count')};`);
  w(`let total = 0;`);
  if (loss === 'cross_entropy' && !G) w(`let right = 0;`);
  w(`for (let b = 0; b < count; b++) {`);
  w(`const row = rows[b];`);
  w(`const xo = row * ${inputs};`);
  // Forward (and R-forward), UNITS output units at a time: each unit's sum runs over the inputs in
  // the reference's order, but the units' sums are independent chains (one float add's latency no
  // longer sets the pace) and share each input's load.
  for (let l = 0; l < layers; l++) {
    const { off: wo, inn, out, bias } = weight(l);
    const last = l === layers - 1;
    const scale = scaleOf(inn);
    const nxt = level(l + 1);
    const unroll = unrolled(inn, out);
    const block = (units: number, j0: string): void => {
      const us = Array.from({ length: units }, (_, u) => u);
      for (const u of us) w(`const w${u} = ${wo} + (${j0} + ${u}) * ${inn};`);
      w(`let ${us.map((u) => `acc${u} = 0`).join(', ')};`);
      if (V) w(`let ${us.map((u) => `racc${u} = 0`).join(', ')};`);
      loop('i', inn, unroll, () => {
        w(`const ai = ${A(l, 'i')};`);
        // Layer 0's R-activations are 0: the reference adds theta * 0, which changes nothing but
        // the sign of a zero.
        if (V && l > 0) w(`const rai = s[${level(l).ra} + i];`);
        for (const u of us) {
          w(`acc${u} = ${R(`acc${u} + ${R(`theta[w${u} + i] * ai`)}`)};`);
          if (V) w(l === 0 ? `racc${u} = ${R(`racc${u} + ${R(`v[w${u} + i] * ai`)}`)};` : `racc${u} = ${R(`${R(`racc${u} + ${R(`v[w${u} + i] * ai`)}`)} + ${R(`theta[w${u} + i] * rai`)}`)};`);
        }
      });
      for (const u of us) {
        w(`{`);
        w(`const jj = ${j0} + ${u};`);
        w(`let acc = acc${u};`);
        if (V) w(`let racc = racc${u};`);
        epilogue();
        w(`}`);
      }
    };
    const epilogue = (): void => {
      if (mf) {
        w(`acc = ${R(`acc * ${lit(scale)}`)};`);
        if (V) w(`racc = ${R(`racc * ${lit(scale)}`)};`);
      }
      if (bias >= 0) {
        w(`acc = ${R(`acc + theta[${bias} + jj]`)};`);
        if (V) w(`racc = ${R(`racc + v[${bias} + jj]`)};`);
      }
      w(`s[${nxt.z} + jj] = acc;`);
      if (V) w(`s[${nxt.rz} + jj] = racc;`);
      if (last) return;
      switch (L.activation) {
        case 'tanh':
          w(`const t = ${R(`tanh(${mf ? R(`acc * ${lit(SQ2)}`) : 'acc'})`)};`);
          w(`s[${nxt.a} + jj] = t;`);
          if (G) {
            w(`const dd = ${R(`1 - ${R('t * t')}`)};`);
            w(`const d1 = ${mf ? R(`${lit(SQ2)} * dd`) : 'dd'};`);
            w(`s[${nxt.d1} + jj] = d1;`);
            if (V) w(`s[${nxt.d2} + jj] = ${R(`${R(`${mf ? -4 : -2} * t`)} * dd`)};`);
            if (V) w(`s[${nxt.ra} + jj] = ${R('d1 * racc')};`);
          }
          break;
        case 'relu': {
          const sc = mf ? SQ2 : 1;
          // 0 where acc <= 0: a NaN passes, as torch's relu (clamp_min) passes it (model.ts act).
          w(`s[${nxt.a} + jj] = acc <= 0 ? 0 : ${mf ? R(`acc * ${lit(sc)}`) : 'acc'};`);
          if (G) {
            w(`const d1 = acc <= 0 ? 0 : ${lit(sc)};`);
            w(`s[${nxt.d1} + jj] = d1;`);
            if (V) w(`s[${nxt.d2} + jj] = 0;`);
            if (V) w(`s[${nxt.ra} + jj] = ${R('d1 * racc')};`);
          }
          break;
        }
        case 'gelu':
          w(`const cdf = ${R(`0.5 * ${R(`1 + ${R(`erf(${R(`acc / ${lit(SQ2)}`)})`)}`)}`)};`);
          w(`s[${nxt.a} + jj] = ${R('acc * cdf')};`);
          if (G) {
            w(`const pdf = ${R(`${R(`Math.exp(${R(`-0.5 * ${R('acc * acc')}`)})`)} / ${lit(r(Math.sqrt(2 * Math.PI)))}`)};`);
            w(`const d1 = ${R(`cdf + ${R('acc * pdf')}`)};`);
            w(`s[${nxt.d1} + jj] = d1;`);
            if (V) w(`s[${nxt.d2} + jj] = ${R(`pdf * ${R(`2 - ${R('acc * acc')}`)}`)};`);
            if (V) w(`s[${nxt.ra} + jj] = ${R('d1 * racc')};`);
          }
          break;
        case 'identity':
          w(`s[${nxt.a} + jj] = acc;`);
          if (G) {
            w(`s[${nxt.d1} + jj] = 1;`);
            if (V) w(`s[${nxt.d2} + jj] = 0;`);
            if (V) w(`s[${nxt.ra} + jj] = racc;`);
          }
          break;
      }
    };
    blocks(out, unroll, block);
  }
  // The output, the sample's loss and d(loss)/d(output) (and its R-derivative).
  const top = level(layers);
  const ro = (k: string): string => (mf ? R(`s[${top.rz} + ${k}] * ${lit(outScale)}`) : `s[${top.rz} + ${k}]`);
  w(`for (let k = 0; k < ${outputs}; k++) s[${O} + k] = ${mf ? R(`s[${top.z} + k] * ${lit(outScale)}`) : `s[${top.z} + k]`};`);
  w(`let sl = 0;`);
  if (loss === 'mse') {
    w(`for (let k = 0; k < ${outputs}; k++) {`);
    w(`const e = ${R(`s[${O} + k] - y[row * ${outputs} + k]`)};`);
    w(`sl = ${R(`sl + ${R('e * e')}`)};`);
    if (G) w(`s[${GO} + k] = ${R(`${R('2 * e')} * norm`)};`);
    if (V) w(`s[${RGO} + k] = ${R(`${R('2 * norm')} * ${ro('k')}`)};`);
    w(`}`);
  } else {
    w(`const target = y[row];`);
    w(`let m = -Infinity;`);
    if (!G) {
      w(`let arg = 0;`);
      w(`for (let k = 0; k < ${outputs}; k++) if (s[${O} + k] > m) { m = s[${O} + k]; arg = k; }`);
      w(`if (arg === target) right++;`);
    } else w(`for (let k = 0; k < ${outputs}; k++) if (s[${O} + k] > m) m = s[${O} + k];`);
    w(`let se = 0;`);
    w(`for (let k = 0; k < ${outputs}; k++) se = ${R(`se + ${R(`Math.exp(${R(`s[${O} + k] - m`)})`)}`)};`);
    w(`const lse = ${R(`m + ${R('Math.log(se)')}`)};`);
    w(`sl = ${R(`lse - s[${O} + target]`)};`);
    if (G) {
      if (V) w(`let pdot = 0;`);
      w(`for (let k = 0; k < ${outputs}; k++) {`);
      w(`const p = ${R(`Math.exp(${R(`s[${O} + k] - lse`)})`)};`);
      w(`s[${GO} + k] = ${R(`${R('p - (k === target ? 1 : 0)')} * norm`)};`);
      if (V) {
        w(`pdot = ${R(`pdot + ${R(`p * ${ro('k')}`)}`)};`);
        w(`s[${RGO} + k] = p;`);
      }
      w(`}`);
      if (V) w(`for (let k = 0; k < ${outputs}; k++) s[${RGO} + k] = ${R(`${R(`s[${RGO} + k] * ${R(`${ro('k')} - pdot`)}`)} * norm`)};`);
    }
  }
  w(`total = ${R('total + sl')};`);
  if (G) {
    // Backward: delta_l = dL/dz_l (and R{delta_l}), from the output down.
    w(`for (let k = 0; k < ${outputs}; k++) {`);
    w(`s[${top.delta} + k] = ${mf ? R(`s[${GO} + k] * ${lit(outScale)}`) : `s[${GO} + k]`};`);
    if (V) w(`s[${top.rdelta} + k] = ${mf ? R(`s[${RGO} + k] * ${lit(outScale)}`) : `s[${RGO} + k]`};`);
    w(`}`);
    for (let l = layers - 1; l >= 0; l--) {
      const { off: wo, inn, out, bias } = weight(l);
      const scale = scaleOf(inn);
      const d = level(l + 1);
      const unroll = unrolled(inn, out);
      // The scaled deltas, once per layer (the reference rescales them where it reads them).
      w(`for (let j = 0; j < ${out}; j++) {`);
      w(`s[${DS} + j] = ${mf ? R(`s[${d.delta} + j] * ${lit(scale)}`) : `s[${d.delta} + j]`};`);
      if (V) w(`s[${RDS} + j] = ${mf ? R(`s[${d.rdelta} + j] * ${lit(scale)}`) : `s[${d.rdelta} + j]`};`);
      w(`}`);
      // The weight gradient, UNITS rows at a time (each element gets the reference's one add).
      blocks(out, unroll, (units, j0) => {
        const us = Array.from({ length: units }, (_, u) => u);
        for (const u of us) {
          w(`const w${u} = ${wo} + (${j0} + ${u}) * ${inn};`);
          w(`const dj${u} = s[${DS} + ${j0} + ${u}];`);
          if (V) w(`const rdj${u} = s[${RDS} + ${j0} + ${u}];`);
        }
        loop('i', inn, unroll, () => {
          w(`const ai = ${A(l, 'i')};`);
          if (V && l > 0) w(`const rai = s[${level(l).ra} + i];`);
          for (const u of us) {
            w(`grad[w${u} + i] = ${R(`grad[w${u} + i] + ${R(`dj${u} * ai`)}`)};`);
            if (V) w(l === 0 ? `hv[w${u} + i] = ${R(`hv[w${u} + i] + ${R(`rdj${u} * ai`)}`)};` : `hv[w${u} + i] = ${R(`hv[w${u} + i] + ${R(`${R(`rdj${u} * ai`)} + ${R(`dj${u} * rai`)}`)}`)};`);
          }
        });
      });
      if (bias >= 0) {
        w(`for (let j = 0; j < ${out}; j++) {`);
        w(`grad[${bias} + j] = ${R(`grad[${bias} + j] + s[${d.delta} + j]`)};`);
        if (V) w(`hv[${bias} + j] = ${R(`hv[${bias} + j] + s[${d.rdelta} + j]`)};`);
        w(`}`);
      }
      if (l === 0) break;
      // dL/da_l = W^T (scaled) delta, UNITS inputs at a time (independent sums, each in the
      // reference's order); dL/dz_l = phi'(z_l) dL/da_l; and their R-derivatives.
      const dn = level(l);
      blocks(inn, unroll, (units, i0) => {
        const us = Array.from({ length: units }, (_, u) => u);
        w(`let ${us.map((u) => `g${u} = 0`).join(', ')};`);
        if (V) w(`let ${us.map((u) => `rg${u} = 0`).join(', ')};`);
        loop('j', out, unroll, () => {
          w(`const wj = ${wo} + j * ${inn} + ${i0};`);
          w(`const dsj = s[${DS} + j];`);
          if (V) w(`const rdsj = s[${RDS} + j];`);
          for (const u of us) {
            w(`g${u} = ${R(`g${u} + ${R(`theta[wj + ${u}] * dsj`)}`)};`);
            if (V) w(`rg${u} = ${R(`${R(`rg${u} + ${R(`theta[wj + ${u}] * rdsj`)}`)} + ${R(`v[wj + ${u}] * dsj`)}`)};`);
          }
        });
        for (const u of us) {
          const i = `${i0} + ${u}`;
          w(`s[${dn.delta} + ${i}] = ${R(`g${u} * s[${dn.d1} + ${i}]`)};`);
          if (V) w(`s[${dn.rdelta} + ${i}] = ${R(`${R(`rg${u} * s[${dn.d1} + ${i}]`)} + ${R(`${R(`g${u} * s[${dn.d2} + ${i}]`)} * s[${dn.rz} + ${i}]`)}`)};`);
        }
      });
    }
  }
  w(`}`);
  if (loss === 'cross_entropy' && !G) w(`if (out) out[0] = right;`);
  w(`return ${R('total * norm')};`);
  w(`};`);
  return src.join('\n');
}

function compile(L: Layout, loss: LossName, precision: Precision, pass: NetPass): NetKernel {
  const make = new Function('fr', 'erf', 'tanh', netKernelSource(L, loss, precision, pass)) as (fr: (x: number) => number, e: typeof erf, t: typeof tanh64) => NetKernel;
  return make(Math.fround, erf, tanh64);
}
