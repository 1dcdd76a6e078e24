/**
 * The float32 twin's WebAssembly tanh (net-wasm.ts tanhF32x4Fast: an approximation kept where its
 * float32 rounding provably is fround(tanh64(x)), else tanh64 itself) against fround(tanh64(x)) on
 * every float32 in [0, 11], every 97th negated: about 1.09e9 inputs, ~30 s. The test suite checks
 * every 16th (tests/engine/net-kernel.test.ts). `npx tsx bench/tanh-f32-exhaustive.ts`
 */
import { tanhF32Mismatches } from '../src/engine/cpu/net-wasm.ts';

const t0 = Date.now();
const { checked, differ } = tanhF32Mismatches(1, 97);
console.log(`checked ${checked} float32 inputs (every one in [0, 11], every 97th negated) in ${(Date.now() - t0) / 1000} s: ${differ.length === 0 ? 'none differ' : `differ at ${differ.join(', ')}`}`);
process.exitCode = differ.length === 0 ? 0 : 1;
