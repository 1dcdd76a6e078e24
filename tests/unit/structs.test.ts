import { describe, expect, it } from 'vitest';
import { P_COUNT, STATE_VEC2 } from '../../src/core/layout.ts';
import { MAX_PARAM_GROUPS } from '../../src/core/network/schema.ts';
import { ChunkUniforms, NetTrack, RunResult, RunTrack, RunUniforms } from '../../src/engine/gpu/layouts.ts';
import { defineStruct, offsetOf } from '../../src/engine/gpu/structs.ts';

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
