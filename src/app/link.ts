/**
 * Reading a spec the app did not write itself (a link, an imported file) so that it never traps:
 * what cannot be read is dropped, field by field, and named in a notice; the rest is kept. A link
 * that holds no readable spec at all (garbage, or cut short by a chat client) gives the default
 * view and a notice saying so, never silently. DOM-free: tests/unit/link.test.ts.
 */
import { SpecErrors } from '../core/errors.ts';
import { JSONSyntaxError, isRecord, resultDocumentSpec } from '../core/json.ts';
import { anySpecToJSON, parseAnySpec, readSpecJSON } from '../core/spec.ts';
import { fromBase64Url } from '../core/url.ts';
import { HEATMAP_MODES } from '../view/frame.ts';
import { DEFAULT_NET_SPEC } from './defaults.ts';
import type { AnyHeatmapMode } from '../view/net-frame.ts';
import { NET_HEATMAP_MODES } from '../view/net-frame.ts';

/** The colourings a link may name: a surface map's and a network map's. */
const LINK_MODES: readonly string[] = [...new Set<string>([...HEATMAP_MODES, ...NET_HEATMAP_MODES])];

const specToJSON = anySpecToJSON;
const parseSpec = parseAnySpec;

export type SpecJSON = Record<string, unknown>;

export interface Repaired {
  /** A spec parseSpec accepts, normalised (specToJSON). */
  readonly spec: SpecJSON;
  /** One line per field dropped or replaced, naming it and why (empty when nothing was). */
  readonly dropped: readonly string[];
}

/**
 * The keys of a SpecError path: `optimizer.betas.0` -> ['optimizer', 'betas', '0'];
 * `optimizer."lr "` -> ['optimizer', 'lr ']. An entry rule's annotation (` (LinearLR)`) is dropped.
 * Null where the path cannot be followed back to a key (a quoted key cut short in the message).
 */
export function pathKeys(path: string): string[] | null {
  const p = path.replace(/ \([^)]*\)/g, '');
  const out: string[] = [];
  let i = 0;
  while (i < p.length) {
    if (p[i] === '"') {
      let j = i + 1;
      while (j < p.length && p[j] !== '"') j += p[j] === '\\' ? 2 : 1;
      let key: unknown;
      try {
        key = JSON.parse(p.slice(i, j + 1));
      } catch {
        return null;
      }
      if (typeof key !== 'string' || p.slice(j - 3, j) === '...') return null;
      out.push(key);
      i = j + 1;
    } else {
      const j = p.indexOf('.', i);
      out.push(p.slice(i, j < 0 ? p.length : j));
      i = j < 0 ? p.length : j;
    }
    if (p[i] === '.') i++;
  }
  return out;
}

function copy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copy);
  if (isRecord(v)) {
    const out: Record<string, unknown> = {};
    // Defined, not assigned: `out.__proto__ = x` would set the copy's prototype (an object's keys
    // then inherited by the spec, a number silently lost) where the link holds an own key that the
    // spec reader refuses and the notice names.
    for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k, { value: copy(x), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

/**
 * Removes the value at `keys` from `root` (in place): an object's key is deleted, also inside a list's
 * element that is an object (a param group's `lr`: the group and the others stay, walkthrough 14);
 * a list's element itself cannot be dropped without moving the others, so the whole list goes, as it
 * does where an element's key to drop is missing (a required field, dropped in an earlier round).
 * Returns the path removed, or null when there was nothing there.
 */
function drop(root: Record<string, unknown>, keys: readonly string[]): string[] | null {
  let cur: unknown = root;
  // The depth of the innermost list on the way: the list an element's problem takes with it.
  let list = -1;
  for (let k = 0; k < keys.length - 1; k++) {
    const key = keys[k] as string;
    const next: unknown = Array.isArray(cur) ? cur[Number(key)] : isRecord(cur) && Object.hasOwn(cur, key) ? cur[key] : undefined;
    if (Array.isArray(next)) list = k + 1;
    else if (!isRecord(next)) return null;
    cur = next;
  }
  const last = keys[keys.length - 1];
  if (last !== undefined && isRecord(cur) && Object.hasOwn(cur, last)) {
    delete cur[last];
    return [...keys];
  }
  return list > 0 ? drop(root, keys.slice(0, list)) : null;
}

/** The grid axis (`x`, `y`) whose field (parameter, range, count, scale) an error path names, or null. */
function axisOfPath(keys: readonly string[] | null): 'x' | 'y' | null {
  const axis = keys?.[1];
  return keys && keys.length >= 3 && keys[0] === 'sweep' && (axis === 'x' || axis === 'y') ? axis : null;
}

/** A grid axis of `root` that an error refuses (axisOfPath, where the sweep has that axis), or null. */
function refusedAxis(root: Record<string, unknown>, keys: readonly string[] | null): 'x' | 'y' | null {
  const axis = axisOfPath(keys);
  const sweep = root.sweep;
  return axis && isRecord(sweep) && isRecord(sweep[axis]) ? axis : null;
}

/**
 * A refused grid axis goes whole, and the sweep keeps its other axis (the y axis becomes x): an
 * axis's field dropped alone (its parameter, its range) left it incomplete, and the whole sweep went
 * with it, the default view's put in its place (walkthrough 14: a network view's batch-size axis
 * lost, and a 65,536-run surface sweep run on the network; review 19: a batch axis past a smaller
 * training set took the LR axis with it). Returns the words for the notice.
 */
function dropAxis(root: Record<string, unknown>, axis: 'x' | 'y'): string {
  const sweep = root.sweep as Record<string, unknown>;
  delete sweep[axis];
  const other = sweep.y;
  if (axis === 'x' && isRecord(other)) {
    sweep.x = other;
    delete sweep.y;
  }
  const kept = isRecord(sweep.x) && typeof sweep.x.param === 'string' ? sweep.x.param : null;
  return kept ? `the sweep runs along its other axis, ${kept}, alone` : 'the sweep has no axis left';
}

/** Most rounds of dropping: each round removes at least one field, and a spec has few. */
const MAX_ROUNDS = 40;

/**
 * `input` made into a spec parseSpec accepts by dropping what it refuses, field by field: an
 * unknown or invalid field is removed (its default then applies); a field whose removal does not
 * help goes with its parent; a top-level field the spec needs (surface, optimizer, steps, a sweep
 * that cannot be mended) is taken from `defaults`. Input that is no object at all gives `defaults`.
 */
export function repairSpec(input: unknown, defaults: SpecJSON): Repaired {
  const dropped: string[] = [];
  if (!isRecord(input)) {
    return { spec: specToJSON(parseSpec(defaults)), dropped: ['the whole spec (not a JSON object): showing the default view'] };
  }
  const cur = copy(input) as Record<string, unknown>;
  // A network spec's missing blocks come from the default network view (its data set, say), not the
  // surface view's, which has none (walkthrough 15: a link with data.name "mnist" lost its network,
  // optimiser and sweep to the default surface view); never its sweep, which is the user's to give.
  const network = Object.hasOwn(cur, 'network');
  const standIns: SpecJSON = network ? (Object.fromEntries(Object.entries(DEFAULT_NET_SPEC).filter(([k]) => k !== 'sweep')) as SpecJSON) : defaults;
  const viewName = network ? 'the default network view' : 'the default view';
  const replaced = new Set<string>();
  // Paths this repair removed (dotted keys), so that a later round's "required" names them as such.
  const deleted = new Set<string>();
  const say = (text: string): void => {
    // A field refused again after its block was replaced by the default's is said once.
    if (!dropped.includes(text)) dropped.push(text);
  };
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let errors;
    try {
      return { spec: specToJSON(parseSpec(cur)), dropped };
    } catch (e) {
      if (!(e instanceof SpecErrors)) throw e;
      errors = e.errors;
    }
    let changed = false;
    const reason = (err: { readonly detail: string }): string =>
      // An unknown field's list of allowed names is long and the editor shows the fields; a range
      // stays (walkthrough 10: "1.5 is out of range" without the range said nothing to fix it by).
      /^unknown field/.test(err.detail) ? err.detail.replace(/; allowed: .*$/, '').replace(/^unknown field \((.*)\)$/, 'unknown field; $1') : err.detail;
    // The grid axes this round refuses, each once: one goes and the sweep keeps the other; both, and
    // the sweep goes (a network runs one run) or the default view's stands in (a surface), said once.
    const axes = new Map<'x' | 'y', { readonly path: string; readonly why: string }>();
    for (const err of errors) {
      const a = refusedAxis(cur, pathKeys(err.path));
      if (a && !axes.has(a)) axes.set(a, { path: err.path, why: reason(err) });
    }
    if (axes.size === 2) {
      const both = [...axes.values()].map((e) => `${e.path}: ${e.why}`).join('; ');
      if (Object.hasOwn(cur, 'network') || replaced.has('sweep') || !Object.hasOwn(defaults, 'sweep')) {
        delete cur.sweep;
        say(`sweep, all of it (both axes refused: ${both})`);
      } else {
        replaced.add('sweep');
        cur.sweep = copy(defaults.sweep);
        say(`sweep: the default view's sweep instead (both axes refused: ${both})`);
      }
      changed = true;
    } else {
      for (const [a, e] of axes) {
        // An axis of the default view's sweep, put in above, is named as that (review 19: a notice
        // about a sweep the user never wrote read as theirs).
        say(`${replaced.has('sweep') ? "the default view's " : ''}${e.path} (${e.why}): ${dropAxis(cur, a)}`);
        changed = true;
      }
    }
    for (const err of errors) {
      const keys = pathKeys(err.path);
      const why = reason(err);
      if (!keys || keys.length === 0 || keys[0] === '') continue;
      // Said and mended above, with its axis.
      if (axes.size > 0 && axisOfPath(keys) !== null) continue;
      const top = keys[0] as string;
      const asked = keys.join('.');
      // A field this repair removed in an earlier round, now missing: what goes with it says so,
      // rather than "got nothing", which the user never wrote (review 19).
      const because = !deleted.has(asked) ? `${err.path}: ${why}` : /got nothing$/.test(why) ? `${err.path}, dropped above, is required` : `${err.path}, dropped above: ${why}`;
      // A field given but refused is removed; a field missing (required) is taken from the defaults.
      const removed = keys.length > 1 ? drop(cur, keys) : null;
      if (removed) {
        const what = removed.join('.');
        // What was removed, where it is more than the field refused (a list, with its other elements).
        say(what === asked ? `${err.path} (${why})` : `${what}, all of it (${because})`);
        deleted.add(what);
        changed = true;
        continue;
      }
      // The default view is a surface's: its sweep (256 x 256 runs) is no stand-in for a network's,
      // which runs without one (one run) instead.
      if (replaced.has(top) || !Object.hasOwn(standIns, top) || (network && top === 'sweep')) {
        if (Object.hasOwn(cur, top)) {
          delete cur[top];
          // The whole block goes (a required field of it is missing, perhaps dropped above): say which.
          say(err.path === top ? `${top} (${why})` : `${top}, all of it (${because})`);
          changed = true;
        }
        continue;
      }
      replaced.add(top);
      cur[top] = copy(standIns[top]);
      // A field required and missing (often because its bad value was dropped above): the default
      // view's whole block stands in (walkthrough 10 read "the default view's (… got nothing)").
      say(`${top}: ${viewName}'s ${top} instead (${/got nothing$/.test(why) ? `no usable ${err.path}` : because})`);
      changed = true;
    }
    if (!changed) break;
  }
  try {
    return { spec: specToJSON(parseSpec(cur)), dropped };
  } catch {
    return { spec: specToJSON(parseSpec(defaults)), dropped: [...dropped, 'the rest of the spec (still not valid): showing the default view'] };
  }
}

export interface LinkRead {
  /** The spec the link holds, mended (null: the link holds no spec, which is no problem). */
  readonly spec: SpecJSON | null;
  /** The heatmap mode (`v=`), null when absent or not a mode. */
  readonly mode: AnyHeatmapMode | null;
  /** What could not be read, one sentence each; empty when the link was read in full. */
  readonly notices: readonly string[];
}

/**
 * What a URL fragment (`#s=<base64url JSON>&v=<mode>`, core/url.ts) says, read as far as it can
 * be: a spec that cannot be decoded at all gives `defaults` and a notice; one with fields that
 * cannot be used keeps the rest (repairSpec) and names what was dropped.
 */
export function readLink(hash: string, defaults: SpecJSON): LinkRead {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  const notices: string[] = [];
  const v = q.get('v');
  const mode = v !== null && LINK_MODES.includes(v) ? (v as AnyHeatmapMode) : null;
  if (v !== null && mode === null) notices.push(`The link's view "${v.slice(0, 40)}" is not one of ${LINK_MODES.join(', ')}; showing the default.`);
  // main.ts reads engine= (cpu, gpu) as the page starts; another value, or a second s=, was taken
  // without a word (walkthrough 15).
  const engine = q.get('engine');
  if (engine !== null && engine !== 'cpu' && engine !== 'gpu') notices.push(`The link's engine "${engine.slice(0, 40)}" is not one of cpu, gpu; the engine is chosen as usual.`);
  const specs = q.getAll('s').length;
  if (specs > 1) notices.push(`The link holds ${specs} specs (s=); the first is shown.`);
  const s = q.get('s');
  if (s === null || s === '') return { spec: null, mode, notices };
  let json: unknown;
  try {
    const text = fromBase64Url(s);
    json = readSpecJSON(text);
  } catch (e) {
    const why =
      e instanceof JSONSyntaxError
        ? `it is not complete JSON (cut short?): ${e.message}`
        : e instanceof SpecErrors
          ? e.errors.map((x) => x.message).join('; ')
          : 'it is not base64url text';
    notices.push(`The link's spec could not be read (${why}); showing the default view instead.`);
    return { spec: specToJSON(parseSpec(defaults)), mode, notices };
  }
  const { spec, dropped } = repairSpec(json, defaults);
  if (dropped.length > 0) notices.push(`Part of the link could not be used and was dropped (the rest is shown): ${dropped.join('; ')}.`);
  return { spec, mode, notices };
}

/**
 * A spec from an imported file: a spec, or a result document that holds one (the app's JSON export
 * and `basinlab sweep --out x.json` write `{ "spec": …, … }`), mended like a link.
 */
export function specOfDocument(json: unknown, defaults: SpecJSON): Repaired & { readonly fromResults: boolean } {
  const inner = resultDocumentSpec(json);
  const fromResults = inner !== undefined;
  const { spec, dropped } = repairSpec(fromResults ? inner : json, defaults);
  return { spec, dropped, fromResults };
}
