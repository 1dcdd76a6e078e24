/**
 * Text extents for laying out SVG figures without a DOM (the CLI has none): widths estimated from
 * DejaVu Sans's advance widths (the figures' first font, and wider than the system fonts a browser
 * falls back to), rounded up, so that a label laid out here never runs past its figure. The
 * figure test (tests/studies/studies.test.ts) renders every study panel with resvg and checks
 * nothing is drawn outside the view box.
 */

/** Advance widths in em of DejaVu Sans (2048 units per em), rounded up; other characters count as WIDE. */
const EM: Readonly<Record<string, number>> = (() => {
  const w: Record<string, number> = {};
  const set = (chars: string, em: number): void => {
    for (const c of chars) w[c] = em;
  };
  set('iljI|!.,:;\'`', 0.34);
  set(' ', 0.32);
  set('ftr()[]{}/\\-', 0.42);
  set('sczJ*"', 0.56);
  set('abdeghknopquvxyL0123456789$_?#FTZ^~', 0.65);
  set('ABCDEGHKNOPQRSUVXY&', 0.8);
  set('mwMW%@', 1.0);
  set('−+=<>±×≤≥·…—–', 0.84);
  set('λμρσβθαΔ', 0.66);
  return w;
})();

const WIDE = 1.0;

/** Estimated width in px of `text` at `size` px (an upper bound for DejaVu Sans and narrower fonts). */
export function textWidth(text: string, size: number, bold = false): number {
  let em = 0;
  for (const c of text) em += EM[c] ?? WIDE;
  return Math.ceil(em * size * (bold ? 1.1 : 1) * 1.04);
}

/** `text` broken at spaces into lines no wider than `width` px (a word wider than that gets a line of its own, cut with "…"). */
export function wrapText(text: string, size: number, width: number, bold = false): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    const next = line ? `${line} ${word}` : word;
    if (textWidth(next, size, bold) <= width) {
      line = next;
      continue;
    }
    if (line) lines.push(line);
    let w = word;
    while (textWidth(w, size, bold) > width && w.length > 1) w = `${w.slice(0, -2)}…`;
    line = w;
  }
  if (line) lines.push(line);
  return lines;
}

const SUPERSCRIPT: Readonly<Record<string, string>> = { '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹', '-': '⁻' };

/** An integer written as a superscript exponent: superscript(-6) is "⁻⁶" (2⁻⁶, 10⁻³). */
export function superscript(n: number): string {
  if (!Number.isInteger(n)) throw new Error(`superscript: ${n} is not an integer`);
  return Array.from(String(n), (c) => SUPERSCRIPT[c] ?? c).join('');
}
