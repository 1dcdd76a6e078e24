import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { boxMuller, pcg4d } from '../../src/core/rng.ts';
import { nodeShaderSources } from '../../src/engine/gpu/shader-sources-node.ts';
import { GpuFixture } from './fixture.ts';
import { isSoftwareAdapter } from '../../src/engine/gpu/context.ts';

let fx: GpuFixture;
beforeAll(async () => {
  fx = await GpuFixture.acquire();
});
afterEach(() => fx.release());
afterAll(() => fx.dispose());

const KERNEL = `${nodeShaderSources('lib/rng.wgsl')}
@group(0) @binding(0) var<storage, read_write> words: array<vec4u>;
@group(0) @binding(1) var<storage, read_write> normals: array<vec2f>;
override SEED: u32 = 0u;
override STEP: u32 = 0u;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= arrayLength(&words)) { return; }
  let w = pcg4d(vec4u(SEED, i, STEP, STREAM_GRADIENT_NOISE));
  words[i] = w;
  normals[i] = box_muller(w.x, w.y);
}`;

describe('shaders/lib/rng.wgsl against src/core/rng.ts', () => {
  it('produces the same u32 words and the same normals, bit for bit', async () => {
    const n = 65536;
    const seed = 123456789;
    const step = 77;
    await fx.scoped(async () => {
      const words = fx.buffer('words', n * 16, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
      const normals = fx.buffer('normals', n * 8, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
      await fx.dispatch(KERNEL, [words, normals], n, { SEED: seed, STEP: step });
      const gw = new Uint32Array(await fx.read(words, n * 16));
      const gz = new Float32Array(await fx.read(normals, n * 8));
      const w = new Uint32Array(4);
      const z = new Float64Array(2);
      let mismatched = 0;
      let normalMismatch = 0;
      let worstUlps = 0;
      const ulp = (x: number): number => Math.max(2 ** -149, 2 ** (Math.floor(Math.log2(Math.abs(x) || 2 ** -126)) - 23));
      for (let i = 0; i < n; i++) {
        pcg4d(seed, i, step, 0, w);
        for (let k = 0; k < 4; k++) if (gw[i * 4 + k] !== w[k]) mismatched++;
        boxMuller(Math.fround, w[0] as number, w[1] as number, z);
        for (let k = 0; k < 2; k++) {
          const g = gz[i * 2 + k] as number;
          const c = z[k] as number;
          if (g !== c) normalMismatch++;
          worstUlps = Math.max(worstUlps, Math.abs(g - c) / ulp(c));
        }
      }
      // The words are integer arithmetic: identical on any device.
      expect(mismatched).toBe(0);
      if (isSoftwareAdapter(fx.gpu.adapter)) {
        // log and sincos are built from correctly rounded +, *, sqrt, and SwiftShader contracts no
        // multiply-add: the normals match bit for bit too.
        expect(normalMismatch).toBe(0);
      } else {
        // A GPU compiler may fuse the Horner steps' multiply-adds (NVIDIA's does) and round sqrt
        // otherwise: a few ulps (review 24; docs/validation.md).
        expect(worstUlps).toBeLessThanOrEqual(8);
      }
    });
  });
});
