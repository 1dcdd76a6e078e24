import { HEATMAP_BINDINGS, heatmapConstantsWgsl } from '../../src/app/heatmap/gpu-renderer.ts';
import { LOG_FLOOR, MODE_INDEX } from '../../src/view/frame.ts';
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { P_COUNT, STATE_VEC2, SWA_PAIR } from '../../src/core/layout.ts';
import { CONVERGENCE_TAIL } from '../../src/core/network/plan.ts';
import { MAX_PARAM_GROUPS } from '../../src/core/network/schema.ts';
import {
  ChunkUniforms,
  NET_BINDINGS,
  NET_RECORD_HEAD,
  NET_TAIL,
  NetTrack,
  PathPoint,
  RECORD_FLOATS,
  RunList,
  RunResult,
  RunTrack,
  RunUniforms,
  SWEEP_BINDINGS,
  TABLE_WINDOW_BYTES,
  netRecordOffset,
} from '../../src/engine/gpu/layouts.ts';
import { defineBindGroup, defineStruct, offsetOf } from '../../src/engine/gpu/structs.ts';
import { layoutPrefix } from '../../src/engine/gpu/wgsl-layout.ts';
import { wgslSource } from './wgsl-source.ts';

describe('struct layouts crossing the TS/WGSL boundary', () => {
  it('pins RunUniforms (P itself is override constants P_0..P_119)', () => {
    expect(P_COUNT).toBe(120);
    expect(offsetOf(RunUniforms, 'steps')).toBe(0);
    expect(offsetOf(RunUniforms, 'noise_seed')).toBe(4);
    expect(offsetOf(RunUniforms, 'bound')).toBe(16);
    expect(offsetOf(RunUniforms, 'data_count')).toBe(44);
    expect(RunUniforms.size).toBe(48);
  });

  it('pins ChunkUniforms, RunTrack and RunResult', () => {
    expect(ChunkUniforms.size).toBe(32);
    expect(offsetOf(ChunkUniforms, 'step_end')).toBe(12);
    expect(offsetOf(ChunkUniforms, 'capacity')).toBe(16);
    expect(offsetOf(ChunkUniforms, 'table_base')).toBe(20);
    expect(STATE_VEC2).toBe(8);
    expect(offsetOf(RunTrack, 'basin')).toBe(0);
    expect(offsetOf(RunTrack, 'diverged')).toBe(8);
    expect(offsetOf(RunTrack, 'plateau')).toBe(16);
    expect(RunTrack.size).toBe(32);
    expect(RunResult.size).toBe(44);
    expect(offsetOf(RunResult, 'swa_x')).toBe(28);
    expect(offsetOf(RunResult, 'basin')).toBe(16);
    expect(offsetOf(RunResult, 'diverged')).toBe(24);
  });

  it('pins NetTrack: the power iteration state after the outcome, the plateau state 16-aligned after it', () => {
    expect(offsetOf(NetTrack, 'swa_test_accuracy')).toBe(144);
    expect(offsetOf(NetTrack, 'sharpness')).toBe(148);
    expect(offsetOf(NetTrack, 'sharpness_residual')).toBe(152);
    expect(offsetOf(NetTrack, 'sharpness_iterations')).toBe(156);
    expect(offsetOf(NetTrack, 'sharpness_done')).toBe(160);
    expect(offsetOf(NetTrack, 'plateau')).toBe(176);
    // Each param group's last LR (trajectories) after the groups' plateau states.
    expect(offsetOf(NetTrack, 'last_lr')).toBe(176 + 16 * (MAX_PARAM_GROUPS + 1));
    expect(NetTrack.size % 16).toBe(0);
  });

  it("sizes the kernel's loss ring by the convergence measure's one tail, the CPU engine's (review 27)", () => {
    expect(NET_TAIL).toBe(CONVERGENCE_TAIL);
    expect(layoutPrefix()).toContain(`const NET_TAIL: u32 = ${CONVERGENCE_TAIL}u;`);
  });

  it('follows WGSL alignment: a vec4 after a scalar starts at 16, struct size rounds to its alignment', () => {
    const s = defineStruct('T', [
      { name: 'a', type: 'f32' },
      { name: 'b', type: 'vec4f' },
      { name: 'c', type: 'vec2f' },
    ]);
    expect(offsetOf(s, 'b')).toBe(16);
    expect(offsetOf(s, 'c')).toBe(32);
    expect(s.size).toBe(48);
    expect(s.wgsl).toContain('b: vec4f,');
  });

  it('rejects a uniform array whose stride is not a multiple of 16', () => {
    expect(() => defineStruct('U', [{ name: 'a', type: { array: 'f32', count: 4 } }], 'uniform')).toThrow(/16-byte stride/);
  });

  it('emits the WGSL declaration the kernels use', () => {
    expect(RunTrack.wgsl).toBe('struct RunTrack {\n  basin: i32,\n  entered: u32,\n  diverged: u32,\n  pad: u32,\n  plateau: vec4f,\n}\n');
  });

  it('fails loudly on an unknown field', () => {
    expect(() => offsetOf(RunResult, 'nope')).toThrow(/no field nope/);
  });
});

describe('bindings and path records, defined once (review 9: they were written out three times by hand)', () => {
  it('derives each kernel family’s WGSL declarations, layout entries and bind group entries from one list', () => {
    const sweep = SWEEP_BINDINGS.wgsl('sweep_step');
    expect(sweep).toContain('@group(0) @binding(6) var<storage, read_write> records: array<PathPoint>;');
    expect(sweep).toContain('@group(0) @binding(7) var<storage, read> step_table: array<f32, STEP_TABLE_WINDOW * STEP_TABLE_STRIDE>;');
    expect(SWEEP_BINDINGS.wgsl('classify')).toContain('@group(0) @binding(6) var<storage, read_write> results: array<RunResult>;');
    expect(NET_BINDINGS.wgsl()).toContain('@group(0) @binding(7) var<storage, read_write> records: array<f32>;');
    // The layout: one entry a binding, numbered in order, the step table's window at a dynamic offset.
    const layout = SWEEP_BINDINGS.layoutEntries(4);
    expect(layout.map((e) => e.binding)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(layout[SWEEP_BINDINGS.index('step_table')]?.buffer).toEqual({ type: 'read-only-storage', hasDynamicOffset: true, minBindingSize: TABLE_WINDOW_BYTES });
    expect(layout[SWEEP_BINDINGS.index('run_list')]?.buffer).toEqual({ type: 'uniform', minBindingSize: RunList.size });
    // The bind group takes its buffers by name: each lands at its own binding, whatever the order given.
    const names = SWEEP_BINDINGS.bindings.map((b) => b.name);
    const fake = Object.fromEntries([...names].reverse().map((n) => [n, { label: n } as unknown as GPUBuffer])) as Record<(typeof names)[number], GPUBuffer>;
    for (const e of SWEEP_BINDINGS.entries(fake)) {
      const r = e.resource as GPUBufferBinding;
      expect((r.buffer as unknown as { label: string }).label).toBe(names[e.binding]);
    }
    expect(() => defineBindGroup('twice', [{ name: 'a', kind: 'uniform', type: 'u32' }, { name: 'a', kind: 'uniform', type: 'u32' }])).toThrow(/defined twice/);
  });

  it('leaves no binding declared by hand in a shader file, the render shader included, nor a mode or palette index written as a number there', () => {
    const files = ['lib', 'kernels', 'render'].flatMap((d) => readdirSync(`shaders/${d}`).map((f) => `${d}/${f}`));
    for (const f of files) expect(wgslSource(f), f).not.toMatch(/@binding/);
    const render = wgslSource('render/heatmap.wgsl');
    expect(render).not.toMatch(/hu\.mode == \d|palette\[\d|1e-12/);
    // The generated constants are the TypeScript's: each mode's index, the palette's singles, the floor.
    const consts = heatmapConstantsWgsl();
    for (const [mode, i] of Object.entries(MODE_INDEX)) expect(consts).toContain(`const MODE_${mode.toUpperCase()}: u32 = ${i}u;`);
    expect(consts).toContain('const PALETTE_MINIMA: u32 = 4u;');
    expect(consts).toContain(`const LOG_FLOOR: f32 = ${LOG_FLOOR.toExponential()};`);
    expect(HEATMAP_BINDINGS.wgsl()).toContain('@group(0) @binding(1) var<storage, read> results: array<RunResult>;');
    // Every name the render shader uses from them is generated.
    for (const name of new Set(render.match(/\b(MODE|PALETTE)_[A-Z_]+\b/g) ?? [])) expect(consts, name).toContain(`const ${name}:`);
  });

  it('pins a surface path point and names a network point’s fields', () => {
    expect(PathPoint.size).toBe(32);
    expect(RECORD_FLOATS).toBe(8);
    expect([offsetOf(PathPoint, 'pos'), offsetOf(PathPoint, 'loss'), offsetOf(PathPoint, 'lr'), offsetOf(PathPoint, 'grad_at'), offsetOf(PathPoint, 'momentum'), offsetOf(PathPoint, 'step')]).toEqual([0, 8, 12, 16, 24, 28]);
    expect(NET_RECORD_HEAD).toBe(5);
    expect(netRecordOffset('weight_norm')).toBe(4);
    expect(layoutPrefix()).toContain('const NET_REC_TEST_LOSS: u32 = 2u;');
    expect(layoutPrefix()).toContain(`const SWA_SLOT: u32 = ${SWA_PAIR}u;`);
  });
});
