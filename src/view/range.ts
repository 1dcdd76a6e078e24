/**
 * The colour range of a continuous heatmap mode, one rule for surface maps (frame.ts) and network
 * maps (net-frame.ts). Losses have heavy tails: a few runs near divergence (a loss of 10^4 where the
 * rest lie between 0.05 and 1) would stretch the scale until every other cell reads as one colour.
 * Loss modes therefore clip the top of their range to a robust percentile of the finite values, where
 * the tail beyond it is long; cells past it are drawn in the end colour (every renderer clamps to the
 * colour table's ends), and the legend says so (legend.ts). The low end is never clipped: the lowest
 * losses are the runs that converged (on a surface, down to the log scale's floor), the ones a reader
 * looks for. Modes whose range means something
 * as it is (accuracy 0..1, steps 0..steps, sharpness, the convergence measure's ranks) are not clipped.
 * DOM-free: tests/unit/range.test.ts.
 */

/**
 * The percentile the loss modes clip their range's top at (of the ready runs' finite values), and the
 * one the tail's length is measured against (the span between them).
 */
export const CLIP_PERCENTILES: readonly [number, number] = [2, 98];

/**
 * A tail is clipped only when the values beyond its percentile would take more than this share of
 * the percentiles' span: a map without outliers keeps its true ends (samples from a normal
 * distribution reach about 0.3 of the span past the 98th percentile; the near-divergent runs of the
 * Iris default view, 3 times the span).
 */
export const CLIP_TAIL_SHARE = 0.5;

/** A colour range [lo, hi] and which of its ends were pulled in from the data's extremes. */
export interface ColourRange {
  readonly lo: number;
  readonly hi: number;
  readonly clipLo: boolean;
  readonly clipHi: boolean;
}

/**
 * Ready cells past each end of a frame's colour range (drawn in the end colours), and whether that
 * range was the frame's own (clipped at a percentile) or shared by panels compared side by side.
 */
export interface Clipped {
  readonly below: number;
  readonly above: number;
  readonly shared?: boolean;
}

export const NOT_CLIPPED: Clipped = { below: 0, above: 0 };

/** The p-th percentile (0..100) of ascending `sorted`, interpolated linearly between ranks (numpy's default). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const at = (Math.min(100, Math.max(0, p)) / 100) * (n - 1);
  const i = Math.floor(at);
  const a = sorted[i] as number;
  const b = sorted[Math.min(n - 1, i + 1)] as number;
  return a + (b - a) * (at - i);
}

/**
 * The colour range of `values` (transformed units, e.g. log10 of a loss; non-finite ones are
 * ignored): their extremes, or with `clip` a top at the upper percentile of CLIP_PERCENTILES where
 * the values above it reach further than CLIP_TAIL_SHARE of the span between the two percentiles.
 * An empty or single-valued set gets a range around its value (or [0, 1]) that is never empty.
 */
export function colourRange(values: ArrayLike<number>, clip: boolean): ColourRange {
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isFinite(v)) finite.push(v);
  }
  if (finite.length === 0) return { lo: 0, hi: 1, clipLo: false, clipHi: false };
  finite.sort((a, b) => a - b);
  const min = finite[0] as number;
  const max = finite[finite.length - 1] as number;
  const lo = min;
  let hi = max;
  const clipLo = false;
  let clipHi = false;
  if (clip) {
    const pLo = percentile(finite, CLIP_PERCENTILES[0]);
    const pHi = percentile(finite, CLIP_PERCENTILES[1]);
    const span = pHi - pLo;
    if (span > 1e-9 && max - pHi > CLIP_TAIL_SHARE * span) [hi, clipHi] = [pHi, true];
  }
  if (hi - lo < 1e-9) return { lo: lo - 0.5, hi: hi + 0.5, clipLo: false, clipHi: false };
  return { lo, hi, clipLo, clipHi };
}

/** How many of `values` (non-finite ones ignored) lie below lo and above hi; `shared`: a range given to the frame. */
export function countClipped(values: ArrayLike<number>, lo: number, hi: number, shared = false): Clipped {
  let below = 0;
  let above = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) continue;
    if (v < lo) below++;
    else if (v > hi) above++;
  }
  return shared ? { below, above, shared } : { below, above };
}
