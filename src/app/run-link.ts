/**
 * The selected and pinned runs in the page's link: `run=` the selected run's sweep coordinates,
 * one `pin=` per pinned run (`optimizer.lr:0.00123,optimizer.momentum:0.9`). Coordinates, not cell
 * indices: the selection and the pins already move to the nearest run of each new sweep by their
 * coordinates (carryRun), so a link restores them on the sweep it opens whatever its size. A
 * teacher sending "look at this run" sends the run (walkthrough 6 found the link dropped it).
 * DOM-free: tests/unit/run-link.test.ts.
 */

import { MAX_PINS } from './runs.ts';

export type Coords = Readonly<Record<string, number>>;

/** The runs a link names. */
export interface RunLink {
  readonly selected: Coords | null;
  readonly pins: readonly Coords[];
  /** One line per value that could not be read, naming it (empty when all could). */
  readonly notices: readonly string[];
}

/** A parameter path as the sweeps name them: `optimizer.lr`, `optimizer.betas.0`, `network.batch_size`. */
const PATH = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*$/;


/** A number as String() writes a double: no hex, no binary, no blanks (Number() would take "0x10"). */
const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** `path:value` pairs joined by commas, each value in full precision (String round-trips a double). */
export function encodeCoords(c: Coords): string {
  return Object.entries(c)
    .map(([k, v]) => `${k}:${String(v)}`)
    .join(',');
}

/** The coordinates a `run=` or `pin=` value names, or null when it is not one (a bad path or number). */
export function decodeCoords(text: string): Coords | null {
  if (text === '' || text.length > 2000) return null;
  const out = Object.create(null) as Record<string, number>;
  for (const part of text.split(',')) {
    const at = part.lastIndexOf(':');
    if (at <= 0) return null;
    const key = part.slice(0, at);
    const value = part.slice(at + 1);
    const v = Number(value);
    if (!PATH.test(key) || !NUMBER.test(value) || !Number.isFinite(v) || key in out) return null;
    out[key] = v;
  }
  return out;
}

/** The runs a fragment names (what cannot be read is left out, and said so). */
export function readRunLink(hash: string): RunLink {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  const notices: string[] = [];
  const read = (what: string, text: string): Coords | null => {
    const c = decodeCoords(text);
    if (!c) notices.push(`The link's ${what} "${text.slice(0, 60)}" is not a list of parameter:value pairs; it was left out.`);
    return c;
  };
  const run = q.get('run');
  const selected = run === null ? null : read('selected run', run);
  const given = q.getAll('pin');
  if (given.length > MAX_PINS) notices.push(`The link pins ${given.length} runs; the first ${MAX_PINS} are shown.`);
  const pins: Coords[] = [];
  for (const p of given.slice(0, MAX_PINS)) {
    const c = read('pinned run', p);
    if (c) pins.push(c);
  }
  return { selected, pins, notices };
}

/** The fragment with its `run=` and `pin=` set to these runs (removed where there are none), the rest kept. */
export function withRunLink(hash: string, selected: Coords | null, pins: readonly Coords[]): string {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  q.delete('run');
  q.delete('pin');
  // A run without coordinates (a view of one run, no sweep) is the view itself: nothing to name.
  const named = (c: Coords | null): c is Coords => c !== null && Object.keys(c).length > 0;
  if (named(selected)) q.append('run', encodeCoords(selected));
  for (const p of pins) if (named(p)) q.append('pin', encodeCoords(p));
  const s = q.toString();
  return s === '' ? '' : `#${s}`;
}
