/**
 * Reading the WGSL twins as text, for the tests that check what an optimiser's shader reads and
 * branches on: function bodies by brace matching, and what a body reaches through the helpers it
 * calls, its own (`<Id>_…`) and the shared ones in shaders/lib/twins.wgsl.
 */
import { readFileSync } from 'node:fs';

/** A WGSL file under shaders/ without its `//` comments. */
export function wgslSource(path: string): string {
  return readFileSync(`shaders/${path}`, 'utf8').replace(/\/\/[^\n]*/g, '');
}

/** The body of `fn name(...) { ... }` in comment-free WGSL (brace matching), or null. */
export function fnBody(src: string, name: string): string | null {
  const m = new RegExp(`\\bfn\\s+${name}\\s*\\(`).exec(src);
  if (!m) return null;
  const open = src.indexOf('{', m.index);
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    if (src[i] === '{') depth++;
    else if (src[i] === '}' && --depth === 0) return src.slice(open + 1, i);
  }
  return null;
}

const TWINS = wgslSource('lib/twins.wgsl');
const TWIN_NAMES = [...TWINS.matchAll(/\bfn\s+(\w+)\s*\(/g)].map((m) => m[1]!);

/**
 * `body` and the bodies of the helpers it calls: `id`'s own from `src`, and the shared twins (so a
 * loop or a branch moved into a shared helper is still seen where it is called).
 */
export function reachOf(src: string, body: string, id: string): string {
  const own = [...body.matchAll(new RegExp(`\\b(${id}_\\w+)\\s*\\(`, 'g'))].map((m) => fnBody(src, m[1]!) ?? '');
  const shared = TWIN_NAMES.filter((n) => new RegExp(`\\b${n}\\s*\\(`).test(body)).map((n) => fnBody(TWINS, n) ?? '');
  return [body, ...own, ...shared].join('\n');
}
