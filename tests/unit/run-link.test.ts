/**
 * The selected and pinned runs in the page's link (src/app/run-link.ts): their coordinates written
 * in full precision and read back exactly, the rest of the fragment kept, and what cannot be read
 * left out and named.
 */
import { describe, expect, it } from 'vitest';
import { decodeCoords, encodeCoords, readRunLink, withRunLink } from '../../src/app/run-link.ts';
import { MAX_PINS } from '../../src/app/runs.ts';

describe('run links', () => {
  it('round-trip the selected and pinned runs by their coordinates, keeping the rest of the fragment', () => {
    const sel = { 'optimizer.lr': 0.1 + 0.2, 'optimizer.momentum': 0.9 };
    const pins = [{ 'optimizer.lr': 1e-5, 'optimizer.momentum': 0 }, { 'optimizer.betas.0': 0.95, 'network.batch_size': 16 }];
    const hash = withRunLink('#s=abc&v=loss', sel, pins);
    expect(hash.startsWith('#s=abc&v=loss&run=')).toBe(true);
    const back = readRunLink(hash);
    expect(back).toEqual({ selected: sel, pins, notices: [] });
    // Bit for bit: 0.1 + 0.2 is not 0.3.
    expect(back.selected?.['optimizer.lr']).toBe(0.30000000000000004);
    // Nothing selected or pinned: the keys go; the spec and the colouring stay.
    expect(withRunLink(hash, null, [])).toBe('#s=abc&v=loss');
    // A view of one run (no sweep coordinates) names nothing.
    expect(withRunLink('#s=abc', {}, [{}])).toBe('#s=abc');
    expect(readRunLink('#s=abc')).toEqual({ selected: null, pins: [], notices: [] });
  });

  it('reads exactly parameter:value pairs, and says what it left out', () => {
    expect(encodeCoords({ 'optimizer.lr': 0.001, 'schedule.schedulers.1.T_max': 450 })).toBe('optimizer.lr:0.001,schedule.schedulers.1.T_max:450');
    expect(decodeCoords('optimizer.lr:1e-3')).toEqual({ 'optimizer.lr': 0.001 });
    for (const bad of ['', 'lr', 'lr:', ':1', 'lr:abc', 'lr:Infinity', 'lr:1,lr:2', 'a b:1', '1x:2', 'lr:0x10', 'lr: 1', 'lr:1e', 'lr:--1']) expect(decodeCoords(bad), bad).toBeNull();
    // A name from the link is only a key: __proto__ is stored as one, not as the record's prototype.
    const proto = decodeCoords('__proto__:1');
    expect(proto && Object.getPrototypeOf(proto)).toBeNull();
    expect(proto && Object.keys(proto)).toEqual(['__proto__']);
    const r = readRunLink(`#s=x&run=lr:oops&pin=optimizer.lr:0.01&pin=garbage`);
    expect(r.selected).toBeNull();
    expect(r.pins).toEqual([{ 'optimizer.lr': 0.01 }]);
    expect(r.notices).toEqual([
      'The link\'s selected run "lr:oops" is not a list of parameter:value pairs; it was left out.',
      'The link\'s pinned run "garbage" is not a list of parameter:value pairs; it was left out.',
    ]);
    // More pins than the app shows: the first ones, and a note.
    const many = `#${Array.from({ length: MAX_PINS + 2 }, (_, k) => `pin=optimizer.lr:${k}`).join('&')}`;
    const m = readRunLink(many);
    expect(m.pins.length).toBe(MAX_PINS);
    expect(m.notices).toEqual([`The link pins ${MAX_PINS + 2} runs; the first ${MAX_PINS} are shown.`]);
  });
});
