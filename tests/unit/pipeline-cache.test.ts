/** The GPU engines' pipeline cache keeps the most recently used pipelines, a bounded number (review 24). */
import { describe, expect, it } from 'vitest';
import { PipelineCache } from '../../src/engine/gpu/pipeline.ts';

describe('PipelineCache', () => {
  it('drops the least recently used past its capacity, a hit counting as a use', () => {
    const c = new PipelineCache<number>(3);
    c.set('a', 1);
    c.set('b', 2);
    c.set('c', 3);
    expect(c.get('a')).toBe(1);
    c.set('d', 4);
    // b was the least recently used (a was read after it was set).
    expect([c.get('b'), c.get('a'), c.get('c'), c.get('d'), c.size]).toEqual([undefined, 1, 3, 4, 3]);
    // Setting a key again replaces it without growing the cache.
    c.set('d', 5);
    expect([c.get('d'), c.size]).toEqual([5, 3]);
    c.clear();
    expect([c.get('a'), c.size]).toEqual([undefined, 0]);
  });

  it('holds a slider dragged through many values to its capacity', () => {
    const c = new PipelineCache<string>();
    for (let k = 0; k < 1000; k++) c.set(`P_7=${k}`, `pipeline ${k}`);
    expect(c.size).toBe(24);
    expect(c.get('P_7=999')).toBe('pipeline 999');
    expect(c.get('P_7=0')).toBeUndefined();
  });
});
