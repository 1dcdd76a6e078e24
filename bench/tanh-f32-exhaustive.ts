/**
 * The float32 twin's WebAssembly tanh (net-wasm.ts tanhF32x4Fast: an approximation kept where its
 * float32 rounding provably is fround(Math.tanh(x)), else fdlibm) against fround(Math.tanh(x)) on
 * every float32 in [0, 11] (beyond 10 both give 1; the sign is a bit, checked on every 97th value
 * negated). About 1.09e9 inputs, ~30 s. The test suite checks every 16th
 * (tests/engine/net-kernel.test.ts). `npx tsx bench/tanh-f32-exhaustive.ts`
 */
import { wasmTanh } from '../src/engine/cpu/net-wasm.ts';

const END = 0x41300000; // the bits of 11
const CH = 1 << 20;
const bits = new Uint32Array(CH);
const asF32 = new Float32Array(bits.buffer);
const xs = new Float64Array(CH);
let bad = 0;
let n = 0;
const t0 = Date.now();
for (let start = 0; start < END; start += CH) {
  const m = Math.min(CH, END - start);
  for (let i = 0; i < m; i++) bits[i] = start + i;
  for (let i = 0; i < m; i++) xs[i] = (i % 97 === 0 ? -1 : 1) * (asF32[i] as number);
  const t = wasmTanh(xs.subarray(0, m), 'f32');
  for (let i = 0; i < m; i++) {
    const x = xs[i] as number;
    const want = Math.fround(Math.tanh(x));
    if (!Object.is(t[i], want)) {
      if (bad < 10) console.log(`differs at ${x}: ${t[i]} (want ${want})`);
      bad++;
    }
  }
  n += m;
}
console.log(`checked ${n} float32 inputs (every one in [0, 11], every 97th negated) in ${(Date.now() - t0) / 1000} s: ${bad} differ`);
process.exitCode = bad === 0 ? 0 : 1;
