/**
 * Spec and view in the URL fragment, so that a view is shareable and survives a reload:
 * `#s=<base64url(JSON spec)>&v=<mode>`. base64url keeps the fragment free of characters that
 * chat clients and e-mail break URLs on.
 */

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The text a link's base64url part holds. Strict: bytes that are not UTF-8 throw (a lenient decoder
 * would read them as U+FFFD and hand on a spec the link never held).
 */
export function fromBase64Url(s: string): string {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

/**
 * The fragment of a view: its spec and any parameters (`v=` the colouring, `run=` and `pin=` the
 * runs). Read by src/app/link.ts readLink (the spec, mended field by field) and run-link.ts.
 */
export function encodeUrlState(spec: unknown, params: Readonly<Record<string, string>> = {}): string {
  const q = new URLSearchParams({ s: toBase64Url(JSON.stringify(spec)), ...params });
  return `#${q.toString()}`;
}
