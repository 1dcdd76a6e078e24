/**
 * The network batch pass (loss, loss and gradient) as WebAssembly SIMD, generated per layout, loss
 * and precision like the JS kernel (net-kernel.ts) and bit for bit equal to it, hence to the
 * reference pass core/network/model.ts batchLoss that the torch oracle checks
 * (tests/engine/net-kernel.test.ts compares all three).
 *
 * Why it can be exact: the lanes are a layer's units (forward: output units j; backward: input
 * units i), never terms of one sum, so each lane does exactly its unit's scalar sequence (every sum
 * over the reduced index in the reference's order, one rounding per operation): f64x2 for float64,
 * f32x4 for the float32 twin, whose operations round as Math.fround after each float64 operation
 * of float32 values does (double rounding of +, -, *, / from float64 to float32 is harmless). tanh
 * is core's tanh64 (core/network/tanh.ts: one division, no branch) over f64x2 lanes, operation for
 * operation; the float32 twin's, fround(tanh64(x)), is a cheaper float64 approximation whose float32
 * rounding is kept where a margin proves it equal, with tanh64's lanes for the rest (about 1 value
 * in 2^13; tanhF32x4Fast); exp and log (cross-entropy) are Math.exp and Math.log, imported.
 *
 * What it covers: tanh, relu and identity activations, MSE and cross-entropy, passes 'loss' and
 * 'grad'. gelu (erf) and the Hessian-vector product ('hvp', sharpness: a one-off per run) stay on
 * the JS kernel, which also remains the reference and the fallback where WebAssembly SIMD is
 * missing. The float32 pass also falls back to the JS kernel for a call whose theta, gradient or
 * data hold a value that is not a float32 (the twin never passes one, but the JS kernel's contract
 * allows it and rounding it here would change the result).
 *
 * Memory: one WebAssembly.Memory per kernel (per layout, loss, precision, per thread): theta in two
 * layouts (rows padded to the lane width for the backward pass; transposed for the forward pass),
 * the gradient, per-level scratch, then the data sets, each copied once per array object (x and y
 * are per plan and never written; a new array is copied again), then the batch's rows.
 */
import type { Layout, LossName } from '../../core/network/model.ts';
import type { Precision } from '../../core/steps.ts';
import type { NetKernel, NetPass } from './net-kernel.ts';
import type { ValType } from './wasm-encoder.ts';
import { EXP_P, EXP_Q, LN2_C1, LN2_C2, LOG2E, TANH_CAP, tanh64 } from '../../core/network/tanh.ts';
import { F32, F64, Fn, I32, OP, SIMD, V128, encodeModule, f32Bytes, f64Bytes } from './wasm-encoder.ts';

/** Emits code that leaves one value on the stack. */
type E = () => void;
/** A memory address: the sum of i32 terms (none: 0) plus a constant byte offset. */
interface Addr {
  readonly terms: readonly E[];
  readonly off: number;
}
const at = (a: Addr, off: number): Addr => ({ terms: a.terms, off: a.off + off });
const abs = (off: number): Addr => ({ terms: [], off });

/**
 * Vector registers of accumulators a block keeps: float32 8 (32 units), float64 4 (8 units).
 * Measured (A/B in one process, fractal grad passes per CPU-second): float64 with 4 is 1.1x its
 * rate with 8 (fewer live vectors: V8 spilled with 8 and the weight loads they share), 12 is 0.89x;
 * float32 with 4 is 0.96x, with 12 level.
 */
const nbOf = (f64: boolean): number => (f64 ? 4 : 8);
/** Loops of at most this many vector multiply-adds are written out. */
const UNROLL = 256;

/** Per function: v128 constants kept in locals (bytes -> local), set at a point the function chose. */
const hoisted = new WeakMap<Fn, Map<string, number>>();

/** Arithmetic on v128 values in one precision (f64x2 or f32x4), and on scalars of it. */
class Ops {
  readonly lanes: number;
  readonly es: number;
  constructor(
    readonly f: Fn,
    readonly f64: boolean,
  ) {
    this.lanes = f64 ? 2 : 4;
    this.es = f64 ? 8 : 4;
  }
  /** Evaluates e now into a new local; the returned expression reads it. */
  let(e: E, t: ValType = V128): E {
    const l = this.f.local(t);
    e();
    this.f.set(l);
    return () => this.f.get(l);
  }
  /** Pushes an address's terms (the constant goes in the access's offset). */
  addr(a: Addr): void {
    const f = this.f;
    if (a.terms.length === 0) f.i32(0);
    a.terms.forEach((t, i) => {
      t();
      if (i > 0) f.op(OP.i32Add);
    });
  }
  private v2(op64: number, op32: number) {
    return (a: E, b: E): E =>
      () => {
        a();
        b();
        this.f.simd(this.f64 ? op64 : op32);
      };
  }
  add = this.v2(SIMD.f64x2Add, SIMD.f32x4Add);
  sub = this.v2(SIMD.f64x2Sub, SIMD.f32x4Sub);
  mul = this.v2(SIMD.f64x2Mul, SIMD.f32x4Mul);
  gt = this.v2(SIMD.f64x2Gt, SIMD.f32x4Gt);
  le = this.v2(SIMD.f64x2Le, SIMD.f32x4Le);
  and = (a: E, b: E): E => () => {
    a();
    b();
    this.f.simd(SIMD.and);
  };
  /** a & ~b. */
  andnot = (a: E, b: E): E => () => {
    a();
    b();
    this.f.simd(SIMD.andnot);
  };
  /** Every lane x (exactly; in float32, x must be one). */
  c(x: number): E {
    const b = this.f64 ? f64Bytes(x) : f32Bytes(x);
    const bytes: number[] = [];
    for (let k = 0; k < this.lanes; k++) bytes.push(...b);
    return this.raw(bytes);
  }
  /** Every 32-bit lane the bits b (a float32's bits, whatever the precision: the mask constants). */
  bits32(b: number): E {
    const bytes: number[] = [];
    for (let k = 0; k < 4; k++) bytes.push(b & 0xff, (b >>> 8) & 0xff, (b >>> 16) & 0xff, b >>> 24);
    return this.raw(bytes);
  }
  /** The 16 bytes as a v128 constant. */
  private raw(bytes: readonly number[]): E {
    const h = hoisted.get(this.f);
    if (!h) return () => this.f.v128(bytes);
    // Hoisted (see tanhFn): a local set once before the loop.
    const key = bytes.join(',');
    let l = h.get(key);
    if (l === undefined) {
      l = this.f.local(V128);
      h.set(key, l);
    }
    const local = l;
    return () => this.f.get(local);
  }
  zero(): E {
    return () => this.f.v128(new Array<number>(16).fill(0));
  }
  load(a: Addr): E {
    return () => {
      this.addr(a);
      this.f.vmem(SIMD.load, 4, a.off);
    };
  }
  /** One element, in every lane. */
  splat(a: Addr): E {
    return () => {
      this.addr(a);
      this.f.vmem(this.f64 ? SIMD.load64Splat : SIMD.load32Splat, this.f64 ? 3 : 2, a.off);
    };
  }
  store(a: Addr, v: E): void {
    this.addr(a);
    v();
    this.f.vmem(SIMD.store, 4, a.off);
  }
  // Scalars of the precision.
  get st(): ValType {
    return this.f64 ? F64 : F32;
  }
  sc(x: number): E {
    return () => (this.f64 ? this.f.f64(x) : this.f.f32(x));
  }
  sload(a: Addr): E {
    return () => {
      this.addr(a);
      this.f.mem(this.f64 ? OP.f64Load : OP.f32Load, this.f64 ? 3 : 2, a.off);
    };
  }
  sstore(a: Addr, v: E): void {
    this.addr(a);
    v();
    this.f.mem(this.f64 ? OP.f64Store : OP.f32Store, this.f64 ? 3 : 2, a.off);
  }
  private s2(op64: number, op32: number) {
    return (a: E, b: E): E =>
      () => {
        a();
        b();
        this.f.op(this.f64 ? op64 : op32);
      };
  }
  sadd = this.s2(OP.f64Add, OP.f32Add);
  ssub = this.s2(OP.f64Sub, OP.f32Sub);
  smul = this.s2(OP.f64Mul, OP.f32Mul);
  sgt = this.s2(OP.f64Gt, OP.f32Gt);
  /** A float64 function (exp, log: imported) of a scalar, rounded back as the JS kernel's R(). */
  scall(fi: number, a: E): E {
    return () => {
      a();
      if (!this.f64) this.f.op(OP.f64PromoteF32);
      this.f.call(fi);
      if (!this.f64) this.f.op(OP.f32DemoteF64);
    };
  }
}

/** 2^52 + 1023: k + MAGIC holds k + 1023 in its low mantissa bits, which a shift by 52 makes 2^k's exponent. */
const MAGIC = 2 ** 52 + 1023;

/** tanh64 (core/network/tanh.ts) of each f64x2 lane, bit for bit: the same operations, in groups. */
function tanhF64x2(f: Fn, xs: readonly E[]): E[] {
  const out: E[] = [];
  for (let i = 0; i < xs.length; i += TANH_GROUP) out.push(...tanhGroup(f, xs.slice(i, i + TANH_GROUP)));
  return out;
}

/** Vectors whose tanh are interleaved (measured: 4 beats 1, 2 and 8, which spills). */
const TANH_GROUP = 4;
/**
 * Values the tanh function takes per iteration, the unit its regions are padded to: TANH_GROUP
 * f64x2 vectors (float64), or two f32x4 vectors, four f64x2 chains (float32; measured: 16 values,
 * eight chains, spill and are slower, 0.85x).
 */
const TANH_VALUES = 8;

/**
 * Arithmetic on n independent f64x2 chains, one expression per chain (G): each step is emitted for
 * every chain before the next step, so that the chains interleave for the CPU to overlap them.
 */
class Chains {
  readonly o: Ops;
  constructor(
    readonly f: Fn,
    readonly n: number,
  ) {
    this.o = new Ops(f, true);
  }
  map(k: (i: number) => E): G {
    return Array.from({ length: this.n }, (_, i) => k(i));
  }
  s1(op: number): (a: G) => G {
    return (a) =>
      this.map((i) => () => {
        (a[i] as E)();
        this.f.simd(op);
      });
  }
  s2(op: number): (a: G, b: G) => G {
    return (a, b) =>
      this.map((i) => () => {
        (a[i] as E)();
        (b[i] as E)();
        this.f.simd(op);
      });
  }
  readonly add = this.s2(SIMD.f64x2Add);
  readonly sub = this.s2(SIMD.f64x2Sub);
  readonly mul = this.s2(SIMD.f64x2Mul);
  readonly div = this.s2(SIMD.f64x2Div);
  readonly or = this.s2(SIMD.or);
  readonly and = this.s2(SIMD.and);
  readonly neg = this.s1(SIMD.f64x2Neg);
  readonly fabs = this.s1(SIMD.f64x2Abs);
  readonly trunc = this.s1(SIMD.f64x2Trunc);
  /** x in every lane of every chain. */
  C(v: number): G {
    const c = this.o.c(v);
    return this.map(() => c);
  }
  /** Evaluates each chain's expression now into a local. */
  L(e: G): G {
    return e.map((x) => this.o.let(x));
  }
  /** 2^k of integral k (-1022 <= k <= 1023) from the exponent bits. */
  pow2(k: G): G {
    return this.map((i) => () => {
      this.add(k, this.C(MAGIC))[i]!();
      this.f.i32(52);
      this.f.simd(SIMD.i64x2Shl);
    });
  }
}
/** One expression per chain. */
type G = readonly E[];

function tanhGroup(f: Fn, xs: readonly E[]): E[] {
  // Each step is emitted for every vector before the next step: the vectors' tanh are independent
  // chains (the argument reduction, two short polynomials, one division), interleaved for the CPU
  // to overlap. Line for line tanh64.
  const c = new Chains(f, xs.length);
  const { add, sub, mul, div, fabs, trunc } = c;
  const C = (v: number): G => c.C(v);
  const L = (e: G): G => c.L(e);
  const [EP0, EP1, EP2] = EXP_P;
  const [EQ0, EQ1, EQ2, EQ3] = EXP_Q;

  const X = L(xs);
  // min(|x|, cap) as pmin(|x|, cap) = cap < |x| ? cap : |x|: a NaN stays NaN (cap < NaN is false)
  // and flows through every operation below into t, so NaN lanes need no select of their own.
  const a = L(c.s2(SIMD.f64x2Pmin)(fabs(X), C(TANH_CAP)));
  const y = L(add(a, a));
  const k = L(trunc(add(mul(y, C(LOG2E)), C(0.5))));
  const r = L(sub(sub(y, mul(k, C(LN2_C1))), mul(k, C(LN2_C2))));
  const rr = L(mul(r, r));
  const px = L(mul(r, add(mul(add(mul(C(EP0), rr), C(EP1)), rr), C(EP2))));
  const qx = L(add(mul(add(mul(add(mul(C(EQ0), rr), C(EQ1)), rr), C(EQ2)), rr), C(EQ3)));
  const pk = L(c.pow2(k));
  const m = L(sub(pk, C(1)));
  const p = L(add(pk, C(1)));
  const t = div(add(mul(m, qx), mul(p, px)), add(mul(p, qx), mul(m, px)));
  // x's sign bit on t (t >= 0; +-0 give themselves; NaN stays NaN).
  return [...L(c.or(t, c.and(X, C(-0))))];
}

/**
 * Samples a pass works on at once (their forward passes interleave; each gradient element still
 * gets their contributions one after the other, in order). Measured against 2 (A/B in one process,
 * grad passes per CPU-second, fractal and Iris): 4 is 1.05-1.1x on float64 (the weight gradients'
 * loads and stores are shared by more samples) and level on float32; 8 leaves one accumulator per
 * sample in the forward blocks and is slower (0.8-0.9x).
 */
const SAMPLES = 4;

/** Offsets (bytes) of the kernel's fixed regions, and what the JS side needs to fill them. */
interface Geometry {
  readonly es: number;
  readonly lanes: number;
  readonly pad: (n: number) => number;
  readonly layers: {
    readonly inn: number;
    readonly out: number;
    readonly innP: number;
    readonly outP: number;
    /** theta's offsets of the weight (rows out x cols inn) and the bias (-1: none). */
    readonly w: number;
    readonly b: number;
    /** Memory: weights rows padded (backward), transposed (forward), bias, and their gradients. */
    readonly WB: number;
    readonly WT: number;
    readonly B: number;
    readonly GW: number;
    readonly GB: number;
  }[];
  /** Per sample slot, per level n (1 .. layers): z (the top's only), a, phi', delta. */
  readonly levels: { readonly Z: number; readonly A: number; readonly D1: number; readonly DEL: number }[][];
  /** Per sample slot: the scaled deltas of a layer, the outputs. */
  readonly DS: number[];
  readonly O: number[];
  readonly RIGHT: number;
  /** First free byte (data and rows go from here). */
  readonly end: number;
}
type Layer = Geometry['layers'][number];
type Level = Geometry['levels'][number][number];

function geometry(L: Layout, f64: boolean): Geometry {
  const es = f64 ? 8 : 4;
  const lanes = 16 / es;
  const pad = (n: number): number => Math.ceil(n / lanes) * lanes;
  let top = 64;
  const take = (elements: number): number => {
    const o = top;
    top += Math.ceil((elements * es) / 16) * 16;
    return o;
  };
  const layers = Array.from({ length: L.layers }, (_, l) => {
    const W = L.tensors.find((t) => t.layer === l && t.kind === 'weight');
    if (!W) throw new Error(`net-wasm: layer ${l} has no weight`);
    const b = L.tensors.find((t) => t.layer === l && t.kind === 'bias');
    const inn = W.cols;
    const out = W.rows;
    const innP = pad(inn);
    const outP = pad(out);
    return { inn, out, innP, outP, w: W.offset, b: b ? b.offset : -1, WB: take(out * innP), WT: take(inn * outP), B: take(outP), GW: take(out * innP), GB: take(outP) };
  });
  // a: whole groups of the tanh function's (8 values), which works in place; the sample slots' a of
  // a level one after the other, so that one call takes them all.
  // Hidden levels keep a, phi' and delta (z goes straight into a); the top (the outputs) z and
  // delta only. Offsets a level does not have are left at 0 (never read).
  const aSize = (n: number): number => Math.ceil(pad(L.sizes[n] as number) / TANH_VALUES) * TANH_VALUES;
  const aBase = [0, ...Array.from({ length: L.layers }, (_, k) => (k + 1 < L.layers ? take(SAMPLES * aSize(k + 1)) : 0))];
  const levels = Array.from({ length: SAMPLES }, (_, s) => {
    const lv = [{ Z: 0, A: 0, D1: 0, DEL: 0 }];
    for (let n = 1; n <= L.layers; n++) {
      const m = pad(L.sizes[n] as number);
      const hidden = n < L.layers;
      lv.push({ Z: hidden ? 0 : take(m), A: hidden ? (aBase[n] as number) + s * aSize(n) * es : 0, D1: hidden ? take(m) : 0, DEL: take(m) });
    }
    return lv;
  });
  const DS = Array.from({ length: SAMPLES }, () => take(pad(Math.max(...L.sizes))));
  const O = Array.from({ length: SAMPLES }, () => take(L.sizes[L.layers] as number));
  const RIGHT = take(4);
  return { es, lanes, pad, layers, levels, DS, O, RIGHT, end: top };
}

/** Function indices: the imports, then the module's (loss, grad, tanh). */
const EXP = 0;
const LOG = 1;
const TANH = 4;

/**
 * The module's code: `loss` and `grad`, both (xOff, yOff, rowsOff, count, norm) -> mean loss, the
 * pass of net-kernel.ts written over vectors of units.
 */
function generate(L: Layout, loss: LossName, f64: boolean, g: Geometry): Uint8Array<ArrayBuffer> {
  const fns: { name: string; fn: Fn }[] = (['loss', 'grad'] as const).map((pass) => ({ name: pass, fn: passFn(L, loss, f64, g, pass === 'grad') }));
  fns.push({ name: 'tanh', fn: tanhFn(f64) });
  return encodeModule({
    imports: [
      { module: 'm', name: 'exp', params: [F64], results: [F64] },
      { module: 'm', name: 'log', params: [F64], results: [F64] },
    ],
    memory: { module: 'm', name: 'mem', minPages: 1 },
    funcs: fns,
  });
}

function passFn(L: Layout, loss: LossName, f64: boolean, g: Geometry, G: boolean): Fn {
  const f = new Fn([I32, I32, I32, I32, F64], [F64]);
  const [X_OFF, Y_OFF, ROWS_OFF, COUNT, NORM] = [0, 1, 2, 3, 4];
  const o = new Ops(f, f64);
  const { es, lanes } = g;
  const VB = 16;
  const mf = L.parametrization === 'mean_field';
  const r = f64 ? (x: number): number => x : Math.fround;
  const SQ2 = r(Math.SQRT2);
  const scaleOf = (inn: number): number => (mf ? r(1 / r(Math.sqrt(inn))) : 1);
  const outputs = L.sizes[L.layers] as number;
  const inputs = L.sizes[0] as number;
  const xStride = g.pad(inputs) * es;
  const yStride = (loss === 'mse' ? outputs : 1) * es;
  const st = o.st;
  const get = (l: number): E => () => f.get(l);
  const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

  /**
   * `body` n times: written out (unroll) or in a loop; at(s) is the address term that advances by
   * s bytes per iteration (strides must be declared up front for the loop's pointers).
   */
  const repeat = (n: number, unroll: boolean, strides: readonly number[], body: (at: (s: number) => Addr) => void): void => {
    if (n <= 0) return;
    if (unroll) {
      for (let k = 0; k < n; k++) body((s) => abs(k * s));
      return;
    }
    const ptr = strides.map(() => f.local(I32));
    const cnt = f.local(I32);
    for (const p of [...ptr, cnt]) f.i32(0).set(p);
    f.op(OP.loop, 0x40);
    body((s) => {
      const i = strides.indexOf(s);
      if (i < 0) throw new Error(`net-wasm: stride ${s} not declared`);
      return { terms: [get(ptr[i] as number)], off: 0 };
    });
    strides.forEach((s, i) => {
      f.get(ptr[i] as number).i32(s).op(OP.i32Add).set(ptr[i] as number);
    });
    f.get(cnt).i32(1).op(OP.i32Add).tee(cnt).i32(n).op(OP.i32LtS).brIf(0);
    f.op(OP.end);
  };
  const join = (a: Addr, b: Addr, off = 0): Addr => ({ terms: [...a.terms, ...b.terms], off: a.off + b.off + off });

  const total = f.local(st);
  const rp = f.local(I32);
  const b = f.local(I32);
  const xo = range(SAMPLES).map(() => f.local(I32));
  const yo = range(SAMPLES).map(() => f.local(I32));
  const right = f.local(I32);
  const norm = f.local(st);
  f.get(NORM);
  if (!f64) f.op(OP.f32DemoteF64);
  f.set(norm);
  o.sc(0)();
  f.set(total);
  f.i32(0).set(right).i32(0).set(b).get(ROWS_OFF).set(rp);

  /** The pass over S samples (rows rp[0 .. S-1]), in sample slots 0 .. S-1. */
  const samples = (S: number): void => {
    const slots = range(S);
    const lv = (s: number, n: number): Level => (g.levels[s] as Level[])[n] as Level;
    for (const s of slots) {
      const x = xo[s] as number;
      f.get(rp).mem(OP.i32Load, 2, 4 * s).tee(x).i32(yStride).op(OP.i32Mul).get(Y_OFF).op(OP.i32Add).set(yo[s] as number);
      f.get(x).i32(xStride).op(OP.i32Mul).get(X_OFF).op(OP.i32Add).set(x);
    }
    const actAt = (s: number, l: number): Addr => (l === 0 ? { terms: [get(xo[s] as number)], off: 0 } : abs(lv(s, l).A));
    /** Vectors a block keeps per sample. */
    const nbMax = Math.max(1, Math.floor(nbOf(f64) / S));

    // Forward, blocks of output units: each unit's sum over the inputs in order, per sample.
    for (let l = 0; l < L.layers; l++) {
      const ly = g.layers[l] as Layer;
      const last = l === L.layers - 1;
      const scale = scaleOf(ly.inn);
      const nv = ly.outP / lanes;
      const block = (nb: number, blk: Addr): void => {
        const acc = slots.map(() => range(nb).map(() => f.local(V128)));
        for (const a of acc.flat()) {
          o.zero()();
          f.set(a);
        }
        repeat(ly.inn, ly.inn * nb * S <= UNROLL, [es, ly.outP * es], (step) => {
          const ai = slots.map((s) => o.let(o.splat(join(actAt(s, l), step(es)))));
          for (let u = 0; u < nb; u++) {
            const w = o.let(o.load(join(blk, step(ly.outP * es), ly.WT + u * VB)));
            for (const s of slots) {
              const a = (acc[s] as number[])[u] as number;
              o.add(get(a), o.mul(w, ai[s] as E))();
              f.set(a);
            }
          }
        });
        // z, then the activation of all the block's vectors together.
        const zs: { s: number; u: number; z: E }[] = [];
        for (const s of slots)
          for (let u = 0; u < nb; u++) {
            const U = at(blk, ly.B + u * VB);
            let v: E = get((acc[s] as number[])[u] as number);
            if (mf) v = o.mul(v, o.c(scale));
            if (ly.b >= 0) v = o.add(v, o.load(U));
            if (last) o.store(at(blk, lv(s, l + 1).Z + u * VB), v);
            else zs.push({ s, u, z: o.let(v) });
          }
        if (last) return;
        const U = (s: number, u: number, field: 'A' | 'D1'): Addr => at(blk, lv(s, l + 1)[field] + u * VB);
        switch (L.activation) {
          case 'tanh':
            // tanh's argument, for the tanh function to replace in place once the layer is done.
            for (const { s, u, z } of zs) o.store(U(s, u, 'A'), mf ? o.mul(z, o.c(SQ2)) : z);
            break;
          case 'relu':
            for (const { s, u, z } of zs) {
              // Zero where z <= 0, not where !(z > 0): a NaN passes, as torch's relu passes it
              // (review 20: a NaN weight read as a dead unit kept a NaN run "not diverged").
              const m = o.let(o.le(z, o.zero()));
              o.store(U(s, u, 'A'), o.andnot(mf ? o.mul(z, o.c(SQ2)) : z, m));
              if (G) o.store(U(s, u, 'D1'), o.andnot(o.c(mf ? SQ2 : 1), m));
            }
            break;
          case 'identity':
            for (const { s, u, z } of zs) {
              o.store(U(s, u, 'A'), z);
              if (G) o.store(U(s, u, 'D1'), o.c(1));
            }
            break;
          case 'gelu':
            throw new Error('net-wasm: gelu runs on the JS kernel');
        }
      };
      const full = Math.floor(nv / nbMax);
      repeat(full, full <= 2, [nbMax * VB], (step) => block(nbMax, step(nbMax * VB)));
      if (nv % nbMax > 0) block(nv % nbMax, abs(full * nbMax * VB));
      if (!last && L.activation === 'tanh') {
        // One function, called (not written out per unit: the code would outgrow the CPU's
        // instruction caches), then phi' = (mean-field: sqrt 2 x) (1 - t^2).
        // The slots' a are contiguous (geometry): one call for all.
        const groups = Math.ceil(ly.outP / TANH_VALUES);
        f.i32(lv(0, l + 1).A).i32(groups * S).call(TANH);
        if (G)
          for (const s of slots)
            repeat(nv, nv <= 16, [VB], (step) => {
              const t = o.let(o.load(join(step(VB), abs(lv(s, l + 1).A))));
              const dd = o.let(o.sub(o.c(1), o.mul(t, t)));
              o.store(join(step(VB), abs(lv(s, l + 1).D1)), mf ? o.mul(o.c(SQ2), dd) : dd);
            });
      }
    }

    // Per sample, in order: the output, the sample's loss, d(loss)/d(output) into the top delta.
    const lastL = g.layers[L.layers - 1] as Layer;
    const outScale = scaleOf(lastL.inn);
    for (const s of slots) {
      const top = lv(s, L.layers);
      const yAt = (off: number): Addr => ({ terms: [get(yo[s] as number)], off });
      const O = (k: number): Addr => abs((g.O[s] as number) + k * es);
      for (let k = 0; k < outputs; k++) {
        const z = o.sload(abs(top.Z + k * es));
        o.sstore(O(k), mf ? o.smul(z, o.sc(outScale)) : z);
      }
      const sl = f.local(st);
      const topDelta = (k: number, go: E): void => o.sstore(abs(top.DEL + k * es), mf ? o.smul(go, o.sc(outScale)) : go);
      if (loss === 'mse') {
        o.sc(0)();
        f.set(sl);
        for (let k = 0; k < outputs; k++) {
          const e = o.let(o.ssub(o.sload(O(k)), o.sload(yAt(k * es))), st);
          o.sadd(get(sl), o.smul(e, e))();
          f.set(sl);
          if (G) topDelta(k, o.smul(o.smul(o.sc(2), e), get(norm)));
        }
      } else {
        const target = f.local(I32);
        o.sload(yAt(0))();
        f.op(f64 ? OP.i32TruncF64S : OP.i32TruncF32S).set(target);
        const m = f.local(st);
        o.sc(Number.NEGATIVE_INFINITY)();
        f.set(m);
        const arg = f.local(I32);
        f.i32(0).set(arg);
        for (let k = 0; k < outputs; k++) {
          // m = O_k > m ? O_k : m (and its index), as the JS kernel's `if`.
          const ok = o.let(o.sload(O(k)), st);
          const gtm = f.local(I32);
          o.sgt(ok, get(m))();
          f.set(gtm);
          ok();
          f.get(m).get(gtm).op(OP.select).set(m);
          if (!G) f.i32(k).get(arg).get(gtm).op(OP.select).set(arg);
        }
        if (!G) f.get(arg).get(target).op(OP.i32Eq).get(right).op(OP.i32Add).set(right);
        const se = f.local(st);
        o.sc(0)();
        f.set(se);
        for (let k = 0; k < outputs; k++) {
          o.sadd(get(se), o.scall(EXP, o.ssub(o.sload(O(k)), get(m))))();
          f.set(se);
        }
        const lse = o.let(o.sadd(get(m), o.scall(LOG, get(se))), st);
        o.ssub(lse, o.sload({ terms: [() => f.get(target).i32(es).op(OP.i32Mul)], off: g.O[s] as number }))();
        f.set(sl);
        if (G) {
          for (let k = 0; k < outputs; k++) {
            const p = o.scall(EXP, o.ssub(o.sload(O(k)), lse));
            const hit = (): void => {
              o.sc(1)();
              o.sc(0)();
              f.get(target).i32(k).op(OP.i32Eq).op(OP.select);
            };
            topDelta(k, o.smul(o.ssub(p, hit), get(norm)));
          }
        }
      }
      o.sadd(get(total), get(sl))();
      f.set(total);
    }
    if (!G) return;

    for (let l = L.layers - 1; l >= 0; l--) {
      const ly = g.layers[l] as Layer;
      const scale = scaleOf(ly.inn);
      const outV = ly.outP / lanes;
      const innV = ly.innP / lanes;
      // The scaled deltas (the reference rescales them where it reads them).
      const DS = slots.map((s) => (mf ? (g.DS[s] as number) : lv(s, l + 1).DEL));
      if (mf) for (const s of slots) for (let u = 0; u < outV; u++) o.store(abs((g.DS[s] as number) + u * VB), o.mul(o.load(abs(lv(s, l + 1).DEL + u * VB)), o.c(scale)));
      // Weight gradient: row j gets DS_j a of each sample in turn (lanes over inputs i).
      const wchunk = (nvec: number, c0: Addr): void => {
        const av = slots.map((s) => range(nvec).map((v) => o.let(o.load(join(actAt(s, l), c0, v * VB)))));
        repeat(ly.out, ly.out * nvec * S <= UNROLL, [ly.innP * es, es], (jstep) => {
          const dj = slots.map((s) => o.let(o.splat(join(abs(DS[s] as number), jstep(es)))));
          for (let v = 0; v < nvec; v++) {
            const ad = join(join(c0, jstep(ly.innP * es)), abs(ly.GW + v * VB));
            let acc: E = o.load(ad);
            for (const s of slots) acc = o.add(acc, o.mul(dj[s] as E, (av[s] as E[])[v] as E));
            o.store(ad, acc);
          }
        });
      };
      // Twice the forward blocks' vectors per sample: each sample's splat of DS_j then serves two
      // (float32 four) vectors of a. Measured (A/B, fractal grad passes): 1.06x float64, 1.08x
      // float32; Iris (4 inputs: one or two vectors) level.
      const nbW = 2 * nbMax;
      const fullW = Math.floor(innV / nbW);
      repeat(fullW, fullW <= 2, [nbW * VB], (step) => wchunk(nbW, step(nbW * VB)));
      if (innV % nbW > 0) wchunk(innV % nbW, abs(fullW * nbW * VB));
      if (ly.b >= 0)
        for (let u = 0; u < outV; u++) {
          let acc: E = o.load(abs(ly.GB + u * VB));
          for (const s of slots) acc = o.add(acc, o.load(abs(lv(s, l + 1).DEL + u * VB)));
          o.store(abs(ly.GB + u * VB), acc);
        }
      if (l === 0) break;
      // dL/da_l = W^T DS (lanes over inputs i, each sum over j in order), delta_l = phi'(z_l) dL/da_l.
      const gblock = (nb: number, c0: Addr): void => {
        const acc = slots.map(() => range(nb).map(() => f.local(V128)));
        for (const a of acc.flat()) {
          o.zero()();
          f.set(a);
        }
        repeat(ly.out, ly.out * nb * S <= UNROLL, [ly.innP * es, es], (jstep) => {
          const dj = slots.map((s) => o.let(o.splat(join(abs(DS[s] as number), jstep(es)))));
          for (let v = 0; v < nb; v++) {
            const w = o.let(o.load(join(join(c0, jstep(ly.innP * es)), abs(ly.WB + v * VB))));
            for (const s of slots) {
              const a = (acc[s] as number[])[v] as number;
              o.add(get(a), o.mul(w, dj[s] as E))();
              f.set(a);
            }
          }
        });
        for (const s of slots)
          (acc[s] as number[]).forEach((a, v) => o.store(at(c0, lv(s, l).DEL + v * VB), o.mul(get(a), o.load(at(c0, lv(s, l).D1 + v * VB)))));
      };
      const fullG = Math.floor(innV / nbMax);
      repeat(fullG, fullG <= 2, [nbMax * VB], (step) => gblock(nbMax, step(nbMax * VB)));
      if (innV % nbMax > 0) gblock(innV % nbMax, abs(fullG * nbMax * VB));
    }
  };

  // SAMPLES rows at a time while that many are left, then one at a time.
  for (const S of [SAMPLES, 1]) {
    f.op(OP.block, 0x40).op(OP.loop, 0x40);
    f.get(b).i32(S).op(OP.i32Add).get(COUNT).op(OP.i32GtS).brIf(1);
    samples(S);
    f.get(rp).i32(4 * S).op(OP.i32Add).set(rp);
    f.get(b).i32(S).op(OP.i32Add).set(b);
    f.br(0);
    f.op(OP.end).op(OP.end);
  }
  f.i32(0).get(right).mem(OP.i32Store, 2, g.RIGHT);
  o.smul(get(total), get(norm))();
  if (!f64) f.op(OP.f64PromoteF32);
  return f;
}

/**
 * tanh(ptr, groups): tanh in place of `groups` x TANH_VALUES values: float64, or float32 (the
 * twin's fround(tanh64(x)), see tanhF32x4Fast: a cheap approximation whose float32 rounding is
 * kept where it provably is that, and, for a group holding a lane where it might not be, tanh64
 * widened and rounded).
 */
function tanhFn(f64: boolean): Fn {
  const f = new Fn([I32, I32], []);
  const p = f.local(I32);
  const end = f.local(I32);
  f.get(0).tee(p).get(1).i32(TANH_VALUES * (f64 ? 8 : 4)).op(OP.i32Mul).op(OP.i32Add).set(end);
  // The constants go in locals set before the loop (V8 would build each v128.const in the loop).
  const mark = f.code.length;
  const consts = new Map<string, number>();
  hoisted.set(f, consts);
  f.op(OP.block, 0x40).get(1).op(OP.i32Eqz).brIf(0).op(OP.loop, 0x40);
  const ld = (k: number): E => () => f.get(p).vmem(SIMD.load, 4, k * 16);
  const store = (t: readonly E[]): void =>
    t.forEach((e, k) => {
      f.get(p);
      e();
      f.vmem(SIMD.store, 4, k * 16);
    });
  const vectors = TANH_VALUES / (f64 ? 2 : 4);
  const xs = Array.from({ length: vectors }, (_, k) => ld(k));
  if (f64) store(tanhGroup(f, xs));
  else {
    const fast = tanhF32x4Fast(f, xs);
    fast.sure();
    f.op(OP.if, 0x40);
    store(fast.values);
    f.op(OP.else);
    store(tanhF32x4(f, xs));
    f.op(OP.end);
  }
  f.get(p).i32(TANH_VALUES * (f64 ? 8 : 4)).op(OP.i32Add).tee(p).get(end).op(OP.i32LtS).brIf(0);
  f.op(OP.end).op(OP.end);
  hoisted.delete(f);
  const init = new Fn([], []);
  for (const [key, l] of consts) init.v128(key.split(',').map(Number)).set(l);
  f.code.splice(mark, 0, ...init.code);
  return f;
}

/** tanh of each f32x4 lane as the JS kernel's float32 twin takes it: widened, tanh64, rounded. */
function tanhF32x4(f: Fn, xs: readonly E[]): E[] {
  const o = new Ops(f, false);
  const X = xs.map((x) => o.let(x));
  const t = tanhF64x2(f, widen(f, X));
  return X.map((_, i) => o.let(narrow(f, t[2 * i] as E, t[2 * i + 1] as E)));
}

/** Each f32x4 as two f64x2 (its lanes 0-1, then 2-3), exactly. */
function widen(f: Fn, xs: readonly E[]): E[] {
  return xs.flatMap((x) => [
    () => {
      x();
      f.simd(SIMD.f64x2PromoteLowF32x4);
    },
    () => {
      x();
      x();
      f.simd(SIMD.shuffle, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15);
      f.simd(SIMD.f64x2PromoteLowF32x4);
    },
  ]);
}

/** Two f64x2 rounded to float32, as one f32x4 (lo's lanes, then hi's). */
function narrow(f: Fn, lo: E, hi: E): E {
  return () => {
    lo();
    f.simd(SIMD.f32x4DemoteF64x2Zero);
    hi();
    f.simd(SIMD.f32x4DemoteF64x2Zero);
    f.simd(SIMD.shuffle, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
  };
}

/**
 * (exp(r) - 1) / r ~ sum c_n r^n, n = 0 .. 8, for |r| <= ln2 / 2: a near-minimax fit of the relative
 * error (Lawson's iteration over 400 Chebyshev nodes, numpy; the Taylor coefficients 1/(n+1)!
 * perturbed). Its relative error, checked in 40-digit arithmetic on 2,000 points: 7.9e-14
 * (2^-43.5), where Taylor needs 11 terms for that.
 */
const EXPM1_FIT = [
  0.9999999999999879, 0.4999999999980016, 0.16666666666938876, 0.041666666889479655, 0.008333333232395185, 0.001388882192304527, 0.00019841370663439066, 2.4876047509959668e-5,
  2.755762049076757e-6,
];

/**
 * A bound on the relative error of tanhF32x4Fast's float64 approximation: the fit's 2^-43.5, the
 * argument reduction's one-constant ln2 (k ln2 off by under 2^-48 of the result for k >= -29) and
 * the operations' roundings (a few 2^-53) stay under it 20 times over; it also covers tanh64's own
 * error (within 4.5 ulp of the true tanh, measured: under 2^-50). Every float32 input is checked
 * (bench/tanh-f32-exhaustive.ts).
 */
const TANH_F32_MARGIN = 2 ** -38;

/**
 * The float32 twin's tanh, fround(tanh64(x)), of each f32x4 lane, cheaply, with a proof
 * obligation: |x| (widened; at most 10, past which tanh rounds to 1 in float32) -> t = -e / (e + 2),
 * e = expm1(-2|x|) by one argument reduction (-2|x| = k ln2 + r) and a fitted polynomial, no
 * branch; relative error under TANH_F32_MARGIN. Rounded to float32, t gives fround(tanh64(x))
 * wherever t (1 - margin) and t (1 + margin) round to the same float32: tanh64's value lies
 * between them, so it rounds the same way. `sure` pushes whether every lane is such; a group that
 * is not goes the exact way (about 1 value in 2^13 sits that near a midpoint). Signs: tanh is odd
 * and fround symmetric, so the work is on |x| and x's sign bit is put back. NaN fails the test (it
 * takes the exact way); +-Infinity give +-1.
 *
 * Cost, against tanhF32x4 (tanh64 widened: the reduction, two polynomials, one division, per two
 * lanes of each half): one division and 9 multiply-adds per two lanes, and the test.
 */
function tanhF32x4Fast(f: Fn, xs: readonly E[]): { values: E[]; sure: () => void } {
  const o = new Ops(f, false);
  const X = xs.map((x) => o.let(x));
  const absBits = o.bits32(0x7fffffff);
  const signBits = o.bits32(0x80000000);
  const c = new Chains(f, 2 * X.length);
  const { add, sub, mul, div } = c;
  const C = (v: number): G => c.C(v);
  const L = (e: G): G => c.L(e);
  const a = L(c.s2(SIMD.f64x2Pmin)(widen(f, X.map((x) => o.let(o.and(x, absBits)))), C(10)));
  const y = L(mul(a, C(-2)));
  const k = L(c.s1(SIMD.f64x2Nearest)(mul(y, C(LOG2E))));
  // One constant for ln2: k ln2's error (|k| <= 29) is far below the margin, and k = 0 keeps r = y.
  const r = L(sub(y, mul(k, C(Math.LN2))));
  // exp(r) - 1 = r P(r), P by Estrin's scheme (pairs, then powers r^2, r^4): a chain of about 8
  // operations where Horner's is 16 (measured: Horner's left the pass waiting on latency).
  const cf = (n: number): G => C(EXPM1_FIT[n] as number);
  const r2 = L(mul(r, r));
  const pair = (n: number): G => add(cf(n), mul(r, cf(n + 1)));
  const s0 = L(add(pair(0), mul(pair(2), r2)));
  const s1 = L(add(pair(4), mul(pair(6), r2)));
  const r4 = L(mul(r2, r2));
  const poly = L(add(add(s0, mul(s1, r4)), mul(cf(8), mul(r4, r4))));
  const twok = L(c.pow2(k));
  const em1 = L(add(mul(twok, mul(r, poly)), sub(twok, C(1))));
  const t = L(div(c.neg(em1), add(em1, C(2))));
  // The test: t (1 - margin) and t (1 + margin) round to the same float32, so every value between
  // them does (rounding is monotonic), tanh64(x) among them. That float32 is the result (x's
  // sign put back: t may be -0 at x = 0). NaN fails (NaN != NaN) and goes the exact way.
  const bound = (m: number): E[] => {
    const v = L(mul(t, C(m)));
    return X.map((_, i) => o.let(narrow(f, v[2 * i] as E, v[2 * i + 1] as E)));
  };
  const lo = bound(1 - TANH_F32_MARGIN);
  const hi = bound(1 + TANH_F32_MARGIN);
  const values = hi.map((v, i) =>
    o.let(() => {
      o.and(v, absBits)();
      o.and(X[i] as E, signBits)();
      f.simd(SIMD.or);
    }),
  );
  return {
    values,
    sure: () => {
      hi.map((v, i) => () => {
        v();
        (lo[i] as E)();
        f.simd(SIMD.f32x4Eq);
      }).reduce((acc, e) => () => {
        acc();
        e();
        f.simd(SIMD.and);
      })();
      f.simd(SIMD.i32x4AllTrue);
    },
  };
}

/** Whether this engine runs WebAssembly SIMD (Node 20 and Chromium do; else the JS kernel runs). */
export const WASM_SIMD: boolean = (() => {
  try {
    const fn = new Fn([], []);
    fn.v128(new Array<number>(16).fill(0)).op(OP.drop);
    return typeof WebAssembly === 'object' && WebAssembly.validate(encodeModule({ imports: [], memory: { module: 'm', name: 'mem', minPages: 1 }, funcs: [{ name: 'f', fn }] }));
  } catch {
    return false;
  }
})();

/** Whether the wasm pass covers this layout and pass (else the JS kernel runs it). */
/** What a compiled pass depends on besides its mode: the layout's shape, the loss and the precision (a cache key). */
export function layoutKey(L: Layout, loss: LossName, precision: Precision): string {
  return JSON.stringify([L.sizes, L.activation, L.bias, L.parametrization, loss, precision]);
}

export function wasmCovers(L: Layout, pass: NetPass): boolean {
  return WASM_SIMD && pass !== 'hvp' && L.activation !== 'gelu' && wasmFixedBytes(L) <= WASM_FIXED_LIMIT;
}

/**
 * Bytes of a kernel's fixed memory (float64; float32 needs half): theta twice and the gradient,
 * padded, and the scratch. Its data copies come on top (wasmDataBytes).
 */
export function wasmFixedBytes(L: Layout): number {
  const g = geometry(L, true);
  return g.end;
}

/** Bytes of the copies of a data set of `rows` rows (float64). */
export function wasmDataBytes(L: Layout, rows: number): number {
  const inputs = L.sizes[0] as number;
  const outputs = L.sizes[L.layers] as number;
  return rows * (Math.ceil(inputs / 2) * 2 + outputs) * 8 + rows * 4 + 64;
}

/**
 * Layouts beyond this run on the JS kernel: a wasm32 memory ends at 4 GiB, and its copy of theta
 * (twice) and of the gradient would add ~3x the parameters' bytes to a worker's working set.
 */
const WASM_FIXED_LIMIT = 256 * 2 ** 20;

type PassExport = (xOff: number, yOff: number, rowsOff: number, count: number, norm: number) => number;

interface Placed {
  readonly arr: Float64Array;
  readonly off: number;
  /** Every value is one of the precision's (always, in float64). */
  readonly ok: boolean;
}

/** One compiled module and its instance and memory: the state the kernel's two passes share. */
class WasmNet {
  private readonly mem: WebAssembly.Memory;
  private readonly fns: Record<'loss' | 'grad', PassExport>;
  private view: Float64Array | Float32Array = new Float64Array(0);
  private ints: Int32Array = new Int32Array(0);
  private readonly placed: Placed[] = [];
  private top: number;
  private readonly g: Geometry;
  private readonly outputs: number;
  private readonly inputs: number;

  constructor(
    readonly L: Layout,
    readonly loss: LossName,
    readonly f64: boolean,
  ) {
    this.g = geometry(L, f64);
    this.top = this.g.end;
    this.outputs = L.sizes[L.layers] as number;
    this.inputs = L.sizes[0] as number;
    const bytes = generate(L, loss, f64, this.g);
    this.mem = new WebAssembly.Memory({ initial: Math.ceil((this.g.end + 1) / 65536) + 1 });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { m: { mem: this.mem, exp: Math.exp, log: Math.log } });
    const ex = inst.exports as Record<string, unknown>;
    this.fns = { loss: ex['loss'] as PassExport, grad: ex['grad'] as PassExport };
    this.refresh();
  }

  /** Bytes of the memory now. */
  get bytes(): number {
    return this.mem.buffer.byteLength;
  }

  private refresh(): void {
    const buf = this.mem.buffer;
    if (this.view.buffer === buf) return;
    this.view = this.f64 ? new Float64Array(buf) : new Float32Array(buf);
    this.ints = new Int32Array(buf);
  }

  /** Grows the memory to `bytes`; false where it cannot (the caller hands the call to the JS kernel). */
  private reserve(bytes: number): boolean {
    const have = this.mem.buffer.byteLength;
    if (bytes > have) {
      try {
        this.mem.grow(Math.ceil((bytes - have) / 65536));
      } catch {
        return false;
      }
    }
    this.refresh();
    return true;
  }

  /** Copies a data array in (rows of `cols` values, padded to `stride`): where it starts. */
  private place(arr: Float64Array, cols: number, stride: number): Placed {
    const rows = Math.ceil(arr.length / cols);
    const off = this.top;
    const bytes = Math.ceil((rows * stride * this.g.es) / 16) * 16;
    if (!this.reserve(off + bytes + 16)) return { arr, off, ok: false };
    const v = this.view;
    const base = off / this.g.es;
    let ok = true;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < stride; c++) {
        const x = c < cols ? (arr[r * cols + c] ?? 0) : 0;
        v[base + r * stride + c] = x;
        if (v[base + r * stride + c] !== x && x === x) ok = false;
      }
    }
    this.top = off + bytes;
    const p = { arr, off, ok };
    this.placed.push(p);
    return p;
  }

  private data(x: Float64Array, y: Float64Array): [Placed, Placed] {
    const find = (a: Float64Array): Placed | undefined => this.placed.find((p) => p.arr === a);
    let px = find(x);
    let py = find(y);
    if (px && py) return [px, py];
    // A sweep's worker sees a training and a test set per plan: keep a few, start over past that.
    if (this.placed.length >= 4) {
      this.placed.length = 0;
      this.top = this.g.end;
      px = py = undefined;
    }
    px ??= this.place(x, this.inputs, this.g.pad(this.inputs));
    const ycols = this.loss === 'mse' ? this.outputs : 1;
    py ??= this.place(y, ycols, ycols);
    return [px, py];
  }

  /** The pass, or null where a value is not of the precision (the caller runs the JS kernel). */
  run(pass: 'loss' | 'grad', theta: Float64Array, x: Float64Array, y: Float64Array, rows: ArrayLike<number>, count: number, grad: Float64Array | null, out: Float64Array | null): number | null {
    const [px, py] = this.data(x, y);
    if (!px.ok || !py.ok) return null;
    const g = this.g;
    const rowsOff = this.top;
    if (!this.reserve(rowsOff + count * 4 + 16)) return null;
    const v = this.view;
    const ints = this.ints;
    for (let b = 0, r = rowsOff / 4; b < count; b++) ints[r + b] = rows[b] as number;
    const es = g.es;
    // theta, in both layouts (and the gradient, added into).
    for (const ly of g.layers) {
      const wb = ly.WB / es;
      const wt = ly.WT / es;
      for (let j = 0; j < ly.out; j++) {
        for (let i = 0; i < ly.inn; i++) {
          const t = theta[ly.w + j * ly.inn + i] as number;
          v[wb + j * ly.innP + i] = t;
          v[wt + i * ly.outP + j] = t;
        }
      }
      if (ly.b >= 0) for (let j = 0; j < ly.out; j++) v[ly.B / es + j] = theta[ly.b + j] as number;
      if (grad) {
        const gw = ly.GW / es;
        for (let j = 0; j < ly.out; j++) for (let i = 0; i < ly.inn; i++) v[gw + j * ly.innP + i] = grad[ly.w + j * ly.inn + i] as number;
        if (ly.b >= 0) for (let j = 0; j < ly.out; j++) v[ly.GB / es + j] = grad[ly.b + j] as number;
      }
    }
    if (!this.f64 && !this.exact(theta, grad)) return null;
    const fr = this.f64 ? (z: number): number => z : Math.fround;
    const norm = fr(this.loss === 'mse' ? 1 / (count * this.outputs) : 1 / count);
    const result = this.fns[pass](px.off, py.off, rowsOff, count, norm);
    if (grad) {
      for (const ly of g.layers) {
        const gw = ly.GW / es;
        for (let j = 0; j < ly.out; j++) for (let i = 0; i < ly.inn; i++) grad[ly.w + j * ly.inn + i] = v[gw + j * ly.innP + i] as number;
        if (ly.b >= 0) for (let j = 0; j < ly.out; j++) grad[ly.b + j] = v[ly.GB / es + j] as number;
      }
    }
    if (out && pass === 'loss' && this.loss === 'cross_entropy') out[0] = ints[g.RIGHT / 4] as number;
    return result;
  }

  /** Every value of theta and grad is a float32 (or NaN). */
  private exact(theta: Float64Array, grad: Float64Array | null): boolean {
    for (let i = 0; i < theta.length; i++) {
      const t = theta[i] as number;
      if (Math.fround(t) !== t && t === t) return false;
    }
    if (grad)
      for (let i = 0; i < grad.length; i++) {
        const t = grad[i] as number;
        if (Math.fround(t) !== t && t === t) return false;
      }
    return true;
  }
}

/** Per layout, loss and precision: the module's state, or null where it could not be made here. */
const nets = new Map<string, WasmNet | null>();

/**
 * The wasm pass for a layout the wasm covers (wasmCovers), with `js` (the same pass in JS) for the
 * calls it hands back.
 */
export function netWasmKernel(L: Layout, loss: LossName, precision: Precision, pass: 'loss' | 'grad', js: NetKernel): NetKernel {
  const key = layoutKey(L, loss, precision);
  let net = nets.get(key);
  if (net === undefined) {
    try {
      net = new WasmNet(L, loss, precision === 'f64');
    } catch {
      // A module that cannot be compiled here runs on the JS kernel: browsers may refuse synchronous
      // compiles of modules over 4 KB on a page's main thread, where the app records trajectories
      // (the Chromium here compiles the fractal layout's 44 KB module on both, measured).
      net = null;
    }
    nets.set(key, net);
  }
  if (net === null) return js;
  const w = net;
  return (theta, x, y, rows, count, grad, v, hv, out) => w.run(pass, theta, x, y, rows, count, grad, out) ?? js(theta, x, y, rows, count, grad, v, hv, out);
}

const tanhModules = new Map<Precision, { mem: WebAssembly.Memory; run: (ptr: number, groups: number) => void }>();

/**
 * The kernels' own tanh function (tanhFn) on each value, for tests: float64, against tanh64;
 * float32 (values that are float32s), against Math.fround(tanh64(x)).
 */
export function wasmTanh(values: Float64Array, precision: Precision = 'f64'): Float64Array {
  const f64 = precision === 'f64';
  let m = tanhModules.get(precision);
  if (!m) {
    const mem = new WebAssembly.Memory({ initial: 1 });
    const bytes = encodeModule({ imports: [], memory: { module: 'm', name: 'mem', minPages: 1 }, funcs: [{ name: 'tanh', fn: tanhFn(f64) }] });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { m: { mem } });
    m = { mem, run: (inst.exports as Record<string, unknown>)['tanh'] as (ptr: number, groups: number) => void };
    tanhModules.set(precision, m);
  }
  const { mem, run } = m;
  const out = new Float64Array(values.length);
  const group = TANH_VALUES;
  const chunk = 4096;
  for (let s = 0; s < values.length; s += chunk) {
    const n = Math.min(chunk, values.length - s);
    const v = f64 ? new Float64Array(mem.buffer, 0, chunk) : new Float32Array(mem.buffer, 0, chunk);
    v.fill(0);
    v.set(values.subarray(s, s + n));
    run(0, Math.ceil(n / group));
    out.set(v.subarray(0, n), s);
  }
  return out;
}

/**
 * The float32 tanh (wasmTanh 'f32') against fround(tanh64(x)) on every `stride`-th float32 in
 * [0, 11] (beyond 10 both give 1), every `negateEvery`-th of them negated (the sign is a bit): how
 * many were checked, and the first few that differ. Stride 1 checks all 1.09e9 (~30 s).
 */
export function tanhF32Mismatches(stride: number, negateEvery: number): { checked: number; differ: number[] } {
  const END = 0x41300000; // the bits of 11
  const CH = 1 << 20;
  const bits = new Uint32Array(CH);
  const asF32 = new Float32Array(bits.buffer);
  const xs = new Float64Array(CH);
  const differ: number[] = [];
  let checked = 0;
  for (let start = 0; start < END; start += CH * stride) {
    const m = Math.min(CH, Math.ceil((END - start) / stride));
    // Within a stride, a different offset each time, so that no bit pattern is always skipped.
    for (let i = 0; i < m; i++) bits[i] = start + stride * i + (i % stride);
    for (let i = 0; i < m; i++) xs[i] = (i % negateEvery === 0 ? -1 : 1) * (asF32[i] as number);
    const t = wasmTanh(xs.subarray(0, m), 'f32');
    for (let i = 0; i < m; i++) if (!Object.is(t[i], Math.fround(tanh64(xs[i] as number))) && differ.push(xs[i] as number) > 10) differ.pop();
    checked += m;
  }
  return { checked, differ };
}

/** Bytes of the memory of this thread's wasm pass for a layout, loss and precision (0: none yet). */
export function wasmKernelBytes(L: Layout, loss: LossName, precision: Precision): number {
  return nets.get(layoutKey(L, loss, precision))?.bytes ?? 0;
}

