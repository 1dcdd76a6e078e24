/**
 * GPU test fixture (after the WebGPU CTS device pool): one device per test file, every test wrapped
 * in validation and out-of-memory error scopes, every buffer it made destroyed afterwards, and any
 * uncaptured error fails the test. No adapter fails the test too: CI has SwiftShader.
 */
import type { GpuContext } from '../../src/engine/gpu/context.ts';
import { acquireNodeGpu } from '../../src/engine/gpu/device-node.ts';

export class GpuFixture {
  private buffers: GPUBuffer[] = [];

  private constructor(readonly gpu: GpuContext) {}

  static async acquire(): Promise<GpuFixture> {
    return new GpuFixture(await acquireNodeGpu('basinlab tests'));
  }

  get device(): GPUDevice {
    return this.gpu.device;
  }

  buffer(label: string, size: number, usage: GPUBufferUsageFlags, data?: ArrayBufferView): GPUBuffer {
    const b = this.device.createBuffer({ label, size: Math.max(16, Math.ceil(size / 16) * 16), usage });
    this.buffers.push(b);
    if (data) this.device.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, data.byteLength);
    return b;
  }

  /** Runs `fn` inside validation + OOM error scopes; any captured or uncaptured error throws. */
  async scoped<T>(fn: () => Promise<T>): Promise<T> {
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    let value: T;
    try {
      value = await fn();
    } catch (e) {
      // The scopes are popped either way; fn's own error is the cause, the scopes' what came of it
      // (review 24: a throw from finally replaced the cause with its symptom).
      const scoped = [await this.device.popErrorScope(), await this.device.popErrorScope()].filter((x) => x !== null);
      if (scoped.length > 0 && e instanceof Error) e.message += ` (and the error scopes caught: ${scoped.map((x) => x.message).join('; ')})`;
      throw e;
    }
    const validation = await this.device.popErrorScope();
    const oom = await this.device.popErrorScope();
    if (validation) throw new Error(`WebGPU validation error: ${validation.message}`);
    if (oom) throw new Error(`WebGPU out-of-memory error: ${oom.message}`);
    this.assertClean();
    return value;
  }

  assertClean(): void {
    const errs = this.gpu.takeUncapturedErrors();
    if (errs.length > 0) throw new Error(`uncaptured WebGPU error: ${errs.map((e) => e.message).join('; ')}`);
    if (this.gpu.lost) throw this.gpu.lost;
  }

  /** Dispatches a one-binding-group compute kernel over `invocations` (workgroup size 64). */
  async dispatch(code: string, buffers: GPUBuffer[], invocations: number, constants: Record<string, number> = {}): Promise<void> {
    const module = this.device.createShaderModule({ label: 'test kernel', code });
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length > 0) throw new Error(errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('\n'));
    const pipeline = await this.device.createComputePipelineAsync({
      label: 'test pipeline',
      layout: 'auto',
      compute: { module, entryPoint: 'main', constants },
    });
    const bindGroup = this.device.createBindGroup({
      label: 'test bind group',
      layout: pipeline.getBindGroupLayout(0),
      entries: buffers.map((b, binding) => ({ binding, resource: { buffer: b } })),
    });
    const enc = this.device.createCommandEncoder({ label: 'test encoder' });
    const pass = enc.beginComputePass({ label: 'test pass' });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(Math.ceil(invocations / 64));
    pass.end();
    this.device.queue.submit([enc.finish()]);
    await this.device.queue.onSubmittedWorkDone();
  }

  async read(src: GPUBuffer, size: number): Promise<ArrayBuffer> {
    const staging = this.buffer('test readback', size, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
    const enc = this.device.createCommandEncoder({ label: 'test readback' });
    enc.copyBufferToBuffer(src, 0, staging, 0, Math.ceil(size / 4) * 4);
    this.device.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ, 0, Math.ceil(size / 4) * 4);
    const copy = staging.getMappedRange(0, Math.ceil(size / 4) * 4).slice(0);
    staging.unmap();
    return copy;
  }

  /** Destroys what the last test created. */
  release(): void {
    for (const b of this.buffers) b.destroy();
    this.buffers = [];
  }

  dispose(): void {
    this.release();
    this.gpu.destroy();
  }
}

/**
 * Disposes an engine a test made outside the fixture (a GpuEngine on its own device, or a CPU
 * engine), then fails on any error its device saw that no scope caught: the engine checks after each
 * submit, so what this adds is what came after the last one and during teardown (review 9).
 */
export async function disposeChecked(engine: { dispose(): Promise<void> } | null): Promise<void> {
  if (!engine) return;
  const gpu = (engine as { gpu?: GpuContext }).gpu;
  await engine.dispose();
  const errs = gpu?.takeUncapturedErrors() ?? [];
  if (errs.length > 0) throw new Error(`uncaptured WebGPU error: ${errs.map((e) => e.message).join('; ')}`);
}
