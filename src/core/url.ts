/**
 * Spec and view in the URL fragment, so that a view is shareable and survives a reload:
 * `#s=<base64url(JSON spec)>&v=<mode>`. base64url keeps the fragment free of characters that
 * chat clients and e-mail break URLs on.
 */
import { SpecErrors } from './errors.ts';
import { JSONSyntaxError } from './json.ts';
import { readSpecJSON } from './spec.ts';

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(s: string): string {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

export interface UrlState {
  readonly spec: unknown;
  readonly params: Readonly<Record<string, string>>;
}

export function encodeUrlState(spec: unknown, params: Readonly<Record<string, string>> = {}): string {
  const q = new URLSearchParams({ s: toBase64Url(JSON.stringify(spec)), ...params });
  return `#${q.toString()}`;
}

/** Decodes a fragment; null when there is none. Throws with a clear message when it is corrupt. */
export function decodeUrlState(hash: string): UrlState | null {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  const s = q.get('s');
  if (!s) return null;
  let text: string;
  try {
    text = fromBase64Url(s);
  } catch {
    throw new Error('the link does not hold a readable spec (s= is not base64url)');
  }
  let spec: unknown;
  try {
    // The strict reader, as for spec files: a link is as untrusted as a file.
    spec = readSpecJSON(text);
  } catch (e) {
    if (e instanceof JSONSyntaxError) throw new Error(`the link does not hold a readable spec (s= is not JSON: ${e.message})`);
    if (e instanceof SpecErrors) throw new Error(`the link's spec is not readable: ${e.errors.map((x) => x.message).join('; ')}`);
    throw e;
  }
  // Names come from the link: a prototype-less record keeps `__proto__=x` as a parameter (on a
  // plain object it would set the prototype and vanish) and never answers a lookup of an absent
  // name such as `constructor` with Object's.
  const params = Object.create(null) as Record<string, string>;
  for (const [k, v] of q) if (k !== 's') params[k] = v;
  return { spec, params };
}
