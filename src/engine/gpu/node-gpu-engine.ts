/** The GPU engine in Node: dawn.node on whatever adapter Dawn finds (SwiftShader here). */
import { acquireNodeGpu } from './device-node.ts';
import type { GpuEngineOptions } from './engine.ts';
import { GpuEngine } from './engine.ts';
import { nodeShaderSources } from './shader-sources-node.ts';

export async function createNodeGpuEngine(opts: GpuEngineOptions = {}): Promise<GpuEngine> {
  const gpu = await acquireNodeGpu('basinlab engine');
  return new GpuEngine(gpu, nodeShaderSources, opts);
}
