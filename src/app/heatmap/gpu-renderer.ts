/**
 * The WebGPU heatmap: a fragment shader colours each pixel from the result records an engine kept
 * on its device (Engine.deviceResults()), on that same device. Everything it needs of the engine
 * comes through DeviceResults (device, buffer, record layout); its own uniforms are laid out by
 * the same struct definitions the engine's buffers use.
 */
import type { DeviceResults } from '../../engine/engine.ts';
import { browserShaderSources } from '../../engine/gpu/shader-sources-browser.ts';
import { defineStruct, offsetOf } from '../../engine/gpu/structs.ts';
import type { Rgb } from '../../view/colors.ts';
import { DIVERGED, DIVERGED_ON_RAMP, MINIMA_PALETTE, NOT_CONVERGED, OUTCOME_LUT, PENDING, VIRIDIS_LUT } from '../../view/colors.ts';
import type { HeatmapFrame } from '../../view/frame.ts';
import { MODE_INDEX } from '../../view/frame.ts';
import type { HeatmapGpu, HeatmapRenderer } from './renderers.ts';

export const HeatmapUniforms = defineStruct(
  'HeatmapUniforms',
  [
    { name: 'width', type: 'u32' },
    { name: 'height', type: 'u32' },
    { name: 'runs_ready', type: 'u32' },
    { name: 'mode', type: 'u32' },
    { name: 'lo', type: 'f32' },
    { name: 'hi', type: 'f32' },
    { name: 'loss_floor', type: 'f32' },
    { name: 'canvas_w', type: 'f32' },
    { name: 'canvas_h', type: 'f32' },
    { name: 'palette_size', type: 'u32' },
    { name: 'steps', type: 'f32' },
  ],
  'uniform',
);

function pack(c: Rgb): number {
  return (c[0] | (c[1] << 8) | (c[2] << 16) | (255 << 24)) >>> 0;
}

/** Draws from a DeviceResults buffer with a fragment shader (the same device that ran the sweep). */
export class GpuHeatmapRenderer implements HeatmapRenderer {
  private readonly device: GPUDevice;
  private readonly context: GPUCanvasContext;
  private readonly pipeline: GPURenderPipeline;
  private readonly uniforms: GPUBuffer;
  private readonly lut: GPUBuffer;
  private readonly palette: GPUBuffer;
  private bindGroup: GPUBindGroup | null = null;
  private boundTo: GPUBuffer | null = null;

  constructor(
    canvas: HTMLCanvasElement,
    private readonly results: () => DeviceResults | null,
  ) {
    const first = results();
    if (!first) throw new Error('no results on the device to draw');
    const device = first.device;
    this.device = device;
    const context = canvas.getContext('webgpu');
    if (!context) throw new Error('canvas has no webgpu context');
    this.context = context;
    const format = navigator.gpu.getPreferredCanvasFormat();
    context.configure({ device, format, alphaMode: 'opaque' });
    const code = `${HeatmapUniforms.wgsl}\n${first.recordWgsl}\n${browserShaderSources('render/heatmap.wgsl')}`;
    const module = device.createShaderModule({ label: 'heatmap render', code });
    this.pipeline = device.createRenderPipeline({
      label: 'heatmap render',
      layout: 'auto',
      vertex: { module, entryPoint: 'vs' },
      fragment: { module, entryPoint: 'fs', targets: [{ format }] },
      primitive: { topology: 'triangle-list' },
    });
    this.uniforms = device.createBuffer({ label: 'heatmap uniforms', size: HeatmapUniforms.size, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    // Viridis, then the outcome ramps: the tables the Canvas 2D path samples (view/colors.ts).
    const bytes = new Uint8Array(VIRIDIS_LUT.length + OUTCOME_LUT.length);
    bytes.set(VIRIDIS_LUT, 0);
    bytes.set(OUTCOME_LUT, VIRIDIS_LUT.length);
    const lutWords = new Uint32Array(bytes.buffer);
    this.lut = device.createBuffer({ label: 'colour tables', size: lutWords.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(this.lut, 0, lutWords);
    const pal = new Uint32Array([pack(DIVERGED), pack(NOT_CONVERGED), pack(PENDING), pack(DIVERGED_ON_RAMP), ...MINIMA_PALETTE.map(pack)]);
    this.palette = device.createBuffer({ label: 'heatmap palette', size: pal.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(this.palette, 0, pal);
  }

  draw(f: HeatmapFrame): void {
    const res = this.results();
    // Results of another device (an engine recreated since) are not this pipeline's to read.
    if (!res || res.device !== this.device || res.width !== f.width || res.height !== f.height) return;
    const tex = this.context.getCurrentTexture();
    const buf = new ArrayBuffer(HeatmapUniforms.size);
    const u = new Uint32Array(buf);
    const fl = new Float32Array(buf);
    const at = (n: string): number => offsetOf(HeatmapUniforms, n) / 4;
    u[at('width')] = f.width;
    u[at('height')] = f.height;
    u[at('runs_ready')] = f.runsReady;
    u[at('mode')] = MODE_INDEX[f.mode];
    fl[at('lo')] = f.lo;
    fl[at('hi')] = f.hi;
    fl[at('loss_floor')] = f.lossFloor;
    fl[at('canvas_w')] = tex.width;
    fl[at('canvas_h')] = tex.height;
    u[at('palette_size')] = MINIMA_PALETTE.length;
    fl[at('steps')] = f.steps;
    this.device.queue.writeBuffer(this.uniforms, 0, buf);
    if (this.boundTo !== res.buffer) {
      this.bindGroup = this.device.createBindGroup({
        label: 'heatmap bind group',
        layout: this.pipeline.getBindGroupLayout(0),
        entries: [this.uniforms, res.buffer, this.lut, this.palette].map((b, binding) => ({ binding, resource: { buffer: b } })),
      });
      this.boundTo = res.buffer;
    }
    const enc = this.device.createCommandEncoder({ label: 'heatmap draw' });
    const pass = enc.beginRenderPass({
      label: 'heatmap pass',
      colorAttachments: [{ view: tex.createView(), loadOp: 'clear', storeOp: 'store', clearValue: { r: 1, g: 1, b: 1, a: 1 } }],
    });
    pass.setPipeline(this.pipeline);
    if (this.bindGroup) pass.setBindGroup(0, this.bindGroup);
    pass.draw(3);
    pass.end();
    this.device.queue.submit([enc.finish()]);
  }

  destroy(): void {
    this.context.unconfigure();
    this.uniforms.destroy();
    this.lut.destroy();
    this.palette.destroy();
  }
}

/** What <bl-heatmap> needs to draw results kept on a device (Engine.deviceResults()) with WebGPU. */
export function gpuHeatmap(results: () => DeviceResults | null): HeatmapGpu {
  return { results, renderer: (canvas) => new GpuHeatmapRenderer(canvas, results) };
}
