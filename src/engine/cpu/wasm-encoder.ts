/**
 * A small WebAssembly binary encoder: just what the network kernel (net-wasm.ts) emits: one module
 * with an imported memory and imported scalar functions, functions built from expression trees
 * over typed locals, structured loops, scalar and 128-bit SIMD arithmetic. Written here rather
 * than taken from a toolchain so that nothing but TypeScript is needed at build or run time and no
 * binary is committed: the kernel is generated per network layout, like the JS kernel.
 */

/** Value types (their binary codes). */
export const I32 = 0x7f;
export const I64 = 0x7e;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof I64 | typeof F32 | typeof F64 | typeof V128;

/** Unsigned LEB128. */
export function uleb(n: number, out: number[]): void {
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
}

/** Signed LEB128 (32-bit range). */
export function sleb(n: number, out: number[]): void {
  n |= 0;
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

const f64cell = new Float64Array(1);
const f64bytes = new Uint8Array(f64cell.buffer);
const f32cell = new Float32Array(1);
const f32bytes = new Uint8Array(f32cell.buffer);

/** Bytes of a float64 (little-endian, exactly as the value: the literal is the number). */
export function f64Bytes(x: number): number[] {
  f64cell[0] = x;
  return Array.from(f64bytes);
}
/** Bytes of a float32 (the value must be a float32: it is not rounded here without notice). */
export function f32Bytes(x: number): number[] {
  f32cell[0] = x;
  if (f32cell[0] !== x && !Number.isNaN(x)) throw new Error(`wasm encoder: ${x} is not a float32`);
  return Array.from(f32bytes);
}

/** Scalar opcodes used (MVP). */
export const OP = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  return: 0x0f,
  call: 0x10,
  drop: 0x1a,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  f32Load: 0x2a,
  f64Load: 0x2b,
  i32Store: 0x36,
  f32Store: 0x38,
  f64Store: 0x39,
  i32Const: 0x41,
  f32Const: 0x43,
  f64Const: 0x44,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32Ne: 0x47,
  i32LtS: 0x48,
  i32GtS: 0x4a,
  i32LeS: 0x4c,
  i32GeS: 0x4e,
  f32Eq: 0x5b,
  f32Lt: 0x5d,
  f32Gt: 0x5e,
  f64Eq: 0x61,
  f64Lt: 0x63,
  f64Gt: 0x64,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32Shl: 0x74,
  f32Neg: 0x8c,
  f32Add: 0x92,
  f32Sub: 0x93,
  f32Mul: 0x94,
  f32Div: 0x95,
  f64Neg: 0x9a,
  f64Add: 0xa0,
  f64Sub: 0xa1,
  f64Mul: 0xa2,
  f64Div: 0xa3,
  i32TruncF32S: 0xa8,
  i32TruncF64S: 0xaa,
  f32ConvertI32S: 0xb2,
  f32DemoteF64: 0xb6,
  f64ConvertI32S: 0xb7,
  f64PromoteF32: 0xbb,
} as const;

/** SIMD opcodes used (after the 0xFD prefix). */
export const SIMD = {
  load: 0x00,
  load32Splat: 0x09,
  load64Splat: 0x0a,
  store: 0x0b,
  const: 0x0c,
  shuffle: 0x0d,
  f32x4Splat: 0x13,
  f64x2Splat: 0x14,
  f32x4ExtractLane: 0x1f,
  f64x2ExtractLane: 0x21,
  f32x4Eq: 0x41,
  f32x4Gt: 0x44,
  f32x4Le: 0x45,
  f64x2Eq: 0x47,
  f64x2Lt: 0x49,
  f64x2Gt: 0x4a,
  f64x2Le: 0x4b,
  f64x2Ge: 0x4c,
  not: 0x4d,
  and: 0x4e,
  andnot: 0x4f,
  or: 0x50,
  bitselect: 0x52,
  f32x4DemoteF64x2Zero: 0x5e,
  f64x2PromoteLowF32x4: 0x5f,
  f64x2Trunc: 0x7a,
  f64x2Nearest: 0x94,
  i32x4AllTrue: 0xa3,
  i64x2Shl: 0xcb,
  f32x4Abs: 0xe0,
  f32x4Neg: 0xe1,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f64x2Abs: 0xec,
  f64x2Neg: 0xed,
  f64x2Add: 0xf0,
  f64x2Sub: 0xf1,
  f64x2Mul: 0xf2,
  f64x2Div: 0xf3,
  f64x2Pmin: 0xf6,
} as const;

/** A function body under construction: typed locals (the parameters first) and its code bytes. */
export class Fn {
  readonly code: number[] = [];
  private readonly extra: ValType[] = [];
  constructor(
    readonly params: readonly ValType[],
    readonly results: readonly ValType[],
  ) {}
  /** A new local of type t: its index. */
  local(t: ValType): number {
    this.extra.push(t);
    return this.params.length + this.extra.length - 1;
  }
  op(...bytes: number[]): this {
    for (const b of bytes) this.code.push(b);
    return this;
  }
  simd(op: number, ...imm: number[]): this {
    this.code.push(0xfd);
    uleb(op, this.code);
    for (const b of imm) this.code.push(b);
    return this;
  }
  get(l: number): this {
    this.code.push(OP.localGet);
    uleb(l, this.code);
    return this;
  }
  set(l: number): this {
    this.code.push(OP.localSet);
    uleb(l, this.code);
    return this;
  }
  tee(l: number): this {
    this.code.push(OP.localTee);
    uleb(l, this.code);
    return this;
  }
  i32(c: number): this {
    this.code.push(OP.i32Const);
    sleb(c, this.code);
    return this;
  }
  f64(c: number): this {
    this.code.push(OP.f64Const, ...f64Bytes(c));
    return this;
  }
  f32(c: number): this {
    this.code.push(OP.f32Const, ...f32Bytes(c));
    return this;
  }
  /** A v128 constant of 16 bytes. */
  v128(bytes: readonly number[]): this {
    if (bytes.length !== 16) throw new Error('wasm encoder: a v128 constant has 16 bytes');
    return this.simd(SIMD.const, ...bytes);
  }
  /** A scalar memory access (load or store opcode) at the address on the stack plus `offset`. */
  mem(op: number, align: number, offset: number): this {
    this.code.push(op);
    uleb(align, this.code);
    uleb(offset, this.code);
    return this;
  }
  /** A SIMD memory access (load, store, splat loads) at the address on the stack plus `offset`. */
  vmem(op: number, align: number, offset: number): this {
    this.simd(op);
    uleb(align, this.code);
    uleb(offset, this.code);
    return this;
  }
  call(f: number): this {
    this.code.push(OP.call);
    uleb(f, this.code);
    return this;
  }
  br(depth: number): this {
    this.code.push(OP.br);
    uleb(depth, this.code);
    return this;
  }
  brIf(depth: number): this {
    this.code.push(OP.brIf);
    uleb(depth, this.code);
    return this;
  }
  /** The body as the binary format writes it: locals grouped by runs of one type, code, end. */
  body(): number[] {
    const out: number[] = [];
    const groups: [number, ValType][] = [];
    for (const t of this.extra) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    uleb(groups.length, out);
    for (const [n, t] of groups) {
      uleb(n, out);
      out.push(t);
    }
    for (const b of this.code) out.push(b);
    out.push(OP.end);
    const sized: number[] = [];
    uleb(out.length, sized);
    return sized.concat(out);
  }
}

export interface FuncImport {
  readonly module: string;
  readonly name: string;
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

export interface ModuleParts {
  /** Imported functions (indices 0 .. n-1, before the module's own). */
  readonly imports: readonly FuncImport[];
  /** The imported memory's module and name. */
  readonly memory: { readonly module: string; readonly name: string; readonly minPages: number };
  readonly funcs: readonly { readonly name: string; readonly fn: Fn }[];
}

const str = (s: string, out: number[]): void => {
  const b = new TextEncoder().encode(s);
  uleb(b.length, out);
  for (const x of b) out.push(x);
};

const section = (id: number, content: number[], out: number[]): void => {
  out.push(id);
  uleb(content.length, out);
  for (const b of content) out.push(b);
};

/** The module's bytes: types, imports (functions, then the memory), functions, exports, code. */
export function encodeModule(parts: ModuleParts): Uint8Array<ArrayBuffer> {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const sigs: string[] = [];
  const sigBytes: number[][] = [];
  const sigOf = (params: readonly ValType[], results: readonly ValType[]): number => {
    const key = `${params.join(',')}>${results.join(',')}`;
    let i = sigs.indexOf(key);
    if (i < 0) {
      const b = [0x60];
      uleb(params.length, b);
      b.push(...params);
      uleb(results.length, b);
      b.push(...results);
      sigs.push(key);
      sigBytes.push(b);
      i = sigs.length - 1;
    }
    return i;
  };
  const importSigs = parts.imports.map((f) => sigOf(f.params, f.results));
  const funcSigs = parts.funcs.map((f) => sigOf(f.fn.params, f.fn.results));
  const types: number[] = [];
  uleb(sigBytes.length, types);
  for (const s of sigBytes) for (const b of s) types.push(b);
  section(1, types, out);
  const imports: number[] = [];
  uleb(parts.imports.length + 1, imports);
  parts.imports.forEach((f, i) => {
    str(f.module, imports);
    str(f.name, imports);
    imports.push(0x00);
    uleb(importSigs[i] as number, imports);
  });
  str(parts.memory.module, imports);
  str(parts.memory.name, imports);
  imports.push(0x02, 0x00);
  uleb(parts.memory.minPages, imports);
  section(2, imports, out);
  const funcs: number[] = [];
  uleb(funcSigs.length, funcs);
  for (const s of funcSigs) uleb(s, funcs);
  section(3, funcs, out);
  const exports: number[] = [];
  uleb(parts.funcs.length, exports);
  parts.funcs.forEach((f, i) => {
    str(f.name, exports);
    exports.push(0x00);
    uleb(parts.imports.length + i, exports);
  });
  section(7, exports, out);
  const code: number[] = [];
  uleb(parts.funcs.length, code);
  for (const f of parts.funcs) for (const b of f.fn.body()) code.push(b);
  section(10, code, out);
  return Uint8Array.from(out);
}
