/**
 * Axis ticks and number labels for the app's canvas charts and the study figures (no DOM).
 *
 * Tick values are built from decimal strings (`Number('123e-9')`) rather than by multiplying a step,
 * so 0.1 + 0.2-style drift never reaches a label, and labels carry exactly the digits the step needs:
 * a view zoomed to 0.0123400…0.0123401 reads 0.01234, 0.01234002, … rather than six identical
 * "0.01234".
 */

export interface Tick {
  readonly value: number;
  readonly label: string;
}

export type AxisScale = 'linear' | 'log';

/** No chart needs more labels than this; it also bounds the work for absurd requests. */
const MAX_TICKS = 1000;

/**
 * Below this many significant digits between the largest |bound| and the step, every multiple of
 * the step is a distinct double with a distinct shortest decimal (doubles carry 15.9 digits).
 */
const MAX_STEP_DIGITS = 14;

/** Compact labels switch to exponent form outside [EXP_LOW, EXP_HIGH) in magnitude. */
const EXP_LOW = 1e-3;
const EXP_HIGH = 1e5;

/** Removes zeros after the decimal point (and the point itself) from a mantissa. */
function stripZeros(s: string): string {
  if (!s.includes('.')) return s;
  return s.replace(/0+$/, '').replace(/\.$/, '');
}

/** `1.500e+6` → `1.5e6`, `1.000e-4` → `1e-4`. */
function compactExp(s: string): string {
  const i = s.indexOf('e');
  if (i < 0) return stripZeros(s);
  const mantissa = stripZeros(s.slice(0, i));
  const exp = s.slice(i + 1).replace(/^\+/, '');
  return `${mantissa}e${exp}`;
}

/** floor(log10(|x|)) for finite x != 0, corrected where Math.log10 rounds across a power of ten. */
function decade(x: number): number {
  const a = Math.abs(x);
  let e = Math.floor(Math.log10(a));
  if (Number(`1e${e}`) > a) e -= 1;
  else if (Number(`1e${e + 1}`) <= a) e += 1;
  return e;
}

/**
 * A short label: at most `digits` significant digits, trailing zeros dropped, exponent form for very
 * small or large magnitudes (`1e-4`, `0.25`, `1.5e6`, `-3.2`, `12345`). Integers below 1e5 are never
 * rounded, so step numbers read exactly.
 */
/**
 * Significant digits, from `from`, at which `fmt` writes two different numbers differently: a deep
 * zoom's range ends read alike at 4 (0.002058 to 0.002058, walkthrough 10). At most 17.
 */
export function distinctDigits(lo: number, hi: number, fmt: (x: number, digits: number) => string = formatNumber, from = 4): number {
  let digits = from;
  while (digits < 17 && lo !== hi && fmt(lo, digits) === fmt(hi, digits)) digits++;
  return digits;
}

export function formatNumber(x: number, digits = 4): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '∞';
  if (x === -Infinity) return '-∞';
  if (x === 0) return '0';
  const p = Math.max(1, Math.min(17, Math.floor(digits)));
  const a = Math.abs(x);
  if (a >= EXP_LOW && a < EXP_HIGH) {
    // toPrecision would switch to exponent form for integers with more than p digits.
    const s = decade(x) >= p - 1 ? x.toFixed(0) : stripZeros(x.toPrecision(p));
    // Rounding can carry a value just below EXP_LOW / EXP_HIGH over it; the result is still short.
    return s;
  }
  return compactExp(x.toExponential(p - 1));
}

/** A tick step m × 10^e with m in {1, 2, 5}. */
interface Step {
  readonly m: number;
  readonly e: number;
}

function stepValue(s: Step): number {
  return Number(`${s.m}e${s.e}`);
}

function nextStep(s: Step): Step {
  return s.m === 1 ? { m: 2, e: s.e } : s.m === 2 ? { m: 5, e: s.e } : { m: 1, e: s.e + 1 };
}

/** The multiples of `s` inside [min, max], or null when there are more than `limit`. */
function multiples(min: number, max: number, s: Step, limit: number): number[] | null {
  const step = stepValue(s);
  // One extra candidate either side: min / step can round across an integer.
  const k0 = Math.ceil(min / step) - 1;
  const k1 = Math.floor(max / step) + 1;
  if (k1 - k0 + 1 > limit + 2) return null;
  const out: number[] = [];
  for (let k = k0; k <= k1; k++) {
    // Built from the decimal so the double is the one nearest k·m·10^e, not k times a rounded step.
    const v = k === 0 ? 0 : Number(`${k * s.m}e${s.e}`);
    if (v >= min && v <= max) out.push(v);
  }
  return out.length > limit ? null : out;
}

/** Labels for multiples of step s: exactly the decimals the step needs, trailing zeros dropped. */
function linearLabels(values: readonly number[], s: Step): string[] {
  let maxAbs = 0;
  for (const v of values) maxAbs = Math.max(maxAbs, Math.abs(v));
  const useExp = maxAbs >= EXP_HIGH || maxAbs < EXP_LOW;
  return values.map((v) => {
    if (v === 0) return '0';
    if (!useExp) return stripZeros(v.toFixed(Math.max(0, -s.e)));
    return compactExp(v.toExponential(Math.max(0, decade(v) - s.e)));
  });
}

/**
 * The shortest label that reads back as exactly x (JavaScript's round-trip digits), in the compact
 * style: for values that must not be rounded, e.g. a single tick where min == max.
 */
export function exactLabel(x: number): string {
  if (!Number.isFinite(x) || x === 0) return formatNumber(x);
  const a = Math.abs(x);
  if (a >= EXP_LOW && a < EXP_HIGH) {
    const s = String(x);
    if (!s.includes('e')) return s;
  }
  return compactExp(x.toExponential());
}

/** Last resort should two labels coincide: more significant digits until they do not. */
function distinct(values: readonly number[], labels: string[]): string[] {
  if (new Set(labels).size === labels.length) return labels;
  for (let p = 5; p <= 15; p++) {
    const l = values.map((v) => formatNumber(v, p));
    if (new Set(l).size === l.length) return l;
  }
  // Distinct doubles always have distinct round-trip strings.
  return values.map(exactLabel);
}

/**
 * The smallest 1-2-5 step with at most `count` multiples in [min, max], and those multiples; null
 * when no usable step has any (a range narrower than a double's resolution). `integer`: no step
 * below 1, so every multiple is an integer.
 */
function linearStep(min: number, max: number, count: number, integer = false): { step: Step; values: number[] } | null {
  const maxAbs = Math.max(Math.abs(min), Math.abs(max));
  // Halving first keeps the span finite for bounds near ±Number.MAX_VALUE.
  const halfSpan = max / 2 - min / 2;
  const raw = (halfSpan / count) * 2;
  // Start a decade below the ideal step, but never below what a double can resolve at maxAbs.
  let s: Step = { m: 1, e: Math.max(decade(raw) - 1, decade(maxAbs) - MAX_STEP_DIGITS, integer ? 0 : -Infinity) };
  for (let guard = 0; guard < 64; guard++, s = nextStep(s)) {
    const sv = stepValue(s);
    if (!(sv > 0) || !Number.isFinite(sv)) return null;
    const values = multiples(min, max, s, count);
    if (!values) continue;
    return values.length > 0 ? { step: s, values } : null;
  }
  return null;
}

function linearTicks(min: number, max: number, count: number, integer = false): Tick[] {
  const found = linearStep(min, max, count, integer);
  if (found) {
    const { step, values } = found;
    const labels = distinct(values, linearLabels(values, step));
    return values.map((value, i) => ({ value, label: labels[i] ?? exactLabel(value) }));
  }
  // No integer step has a multiple in range within `count` (6…9 at a count of 1: steps 1 and 2 have
  // too many, 5 none): the integer nearest the middle, which lies in range as niceTicks checked
  // that one does.
  if (integer) {
    const mid = Math.round(min / 2 + max / 2);
    return [{ value: mid, label: exactLabel(mid) }];
  }
  return count >= 2 && min !== max
    ? distinctTicks([min, max])
    : [{ value: min / 2 + max / 2, label: exactLabel(min / 2 + max / 2) }];
}

function distinctTicks(values: readonly number[]): Tick[] {
  const labels = distinct(values, values.map((v) => formatNumber(v)));
  return values.map((value, i) => ({ value, label: labels[i] ?? exactLabel(value) }));
}

/** A log axis reads well with this many labels; fewer leave a reader guessing what lies between. */
const MIN_LOG_LABELS = 3;

/** m × 10^d for each decade d and each mantissa m, inside [min, max] (integers only if `integer`). */
function mantissaValues(min: number, max: number, mantissas: readonly number[], integer: boolean): number[] {
  const values: number[] = [];
  for (let d = decade(min); d <= decade(max); d++) {
    if (integer && d < 0) continue;
    for (const m of mantissas) {
      const v = Number(`${m}e${d}`);
      if (v >= min && v <= max) values.push(v);
    }
  }
  return values;
}

/** Powers of ten inside [min, max], every k-th one (aligned on multiples of k, so panning keeps them) to fit `count`. */
function decadeValues(min: number, max: number, count: number, integer: boolean): number[] {
  const d0 = Math.max(decade(min) + (Number(`1e${decade(min)}`) < min ? 1 : 0), integer ? 0 : -Infinity);
  const d1 = decade(max);
  const n = d1 - d0 + 1;
  if (n < 1) return [];
  const k = Math.max(1, Math.ceil(n / count));
  const values: number[] = [];
  for (let d = Math.ceil(d0 / k) * k; d <= d1; d += k) values.push(Number(`1e${d}`));
  return values;
}

/**
 * Log ticks, by the first of these that gives at least MIN_LOG_LABELS labels within `count`:
 * 1-2-5 × 10^k (ranges under 3 decades: 0.05, 0.1, 0.2, 0.5, 1), powers of ten (every k-th one
 * when there are too many), 1-3 × 10^k (2 to 3 decades, where 1-2-5 is too many for `count` and
 * whole decades too few: 0.001, 0.003, 0.01, 0.03), plain linear steps (ranges under a decade:
 * 60, 80, 100, 120 rather than a lone 100). If none does, the most labels any gives within `count`.
 */
function logTicks(min: number, max: number, count: number, integer: boolean): Tick[] {
  const spanDecades = Math.log10(max / min);
  const want = Math.min(MIN_LOG_LABELS, count);
  const fits = (v: readonly number[]): boolean => v.length >= want && v.length <= count;
  const oneTwoFive = spanDecades < 3 ? mantissaValues(min, max, [1, 2, 5], integer) : [];
  if (fits(oneTwoFive)) return distinctTicks(oneTwoFive);
  const decades = decadeValues(min, max, count, integer);
  if (fits(decades)) return distinctTicks(decades);
  const oneThree = spanDecades < 3 ? mantissaValues(min, max, [1, 3], integer) : [];
  if (fits(oneThree)) return distinctTicks(oneThree);
  const linear = spanDecades < 1 ? linearTicks(min, max, count, integer) : [];
  if (linear.length >= want) return linear;
  let best: readonly number[] = [];
  for (const v of [oneTwoFive, decades, oneThree]) if (v.length <= count && v.length > best.length) best = v;
  if (best.length > 0 && best.length >= linear.length) return distinctTicks(best);
  return linear.length > 0 ? linear : linearTicks(min, max, count, integer);
}

function clampCount(maxCount: number): number {
  return Math.max(1, Math.min(MAX_TICKS, Number.isFinite(maxCount) ? Math.floor(maxCount) : MAX_TICKS));
}

/** Options of niceTicks. */
export interface TickOptions {
  /**
   * Integer ticks only (steps of at least 1, no log ticks below 1): an axis whose values are
   * integers (a zoom depth, a batch size), where 0.5 would name a value that cannot occur. Ignored
   * when [min, max] holds no integer.
   */
  readonly integer?: boolean;
}

/**
 * Ticks inside [min, max], increasing, with distinct labels, at most `maxCount` of them (which is
 * clamped to 1…1000).
 * - linear: multiples of 1, 2 or 5 × 10^k, the smallest such step that fits `maxCount`;
 * - log: see logTicks: 1-2-5 × 10^k under 3 decades, powers of ten (every k-th one when there are
 *   too many) over wider ranges, at least 3 labels where the count allows (1-3 × 10^k, or linear
 *   steps within a decade, when neither gives as many). Non-positive bounds have no logarithm: a
 *   non-positive max gives no ticks, a non-positive min is taken as max / 1e6.
 * min == max gives the one tick at that value; non-finite bounds give none.
 */
export function niceTicks(min: number, max: number, scale: AxisScale, maxCount: number, options: TickOptions = {}): Tick[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  let lo = Math.min(min, max);
  const hi = Math.max(min, max);
  const count = clampCount(maxCount);
  if (scale === 'log') {
    if (!(hi > 0)) return [];
    if (!(lo > 0)) lo = hi / 1e6;
  }
  if (lo === hi) return [{ value: lo, label: exactLabel(lo) }];
  // No integer in range: integer ticks are impossible, and ordinary ones are better than none.
  const integer = options.integer === true && Math.floor(hi) >= Math.ceil(lo);
  return scale === 'log' ? logTicks(lo, hi, count, integer) : linearTicks(lo, hi, count, integer);
}

/**
 * An axis range containing [min, max]: linear ranges grow to the enclosing multiples of the step
 * niceTicks would use for [min, max] (so 0.001…0.1 becomes 0…0.1 and end ticks sit on the frame), log ranges
 * spanning two decades or more grow to whole decades, narrower log ranges get 5% each side in log
 * space. Degenerate ranges are widened around the value. Non-finite input gives [0, 1] (linear) or
 * [0.1, 1] (log).
 */
export function niceDomain(min: number, max: number, scale: AxisScale, maxCount: number): [number, number] {
  let lo = Math.min(min, max);
  let hi = Math.max(min, max);
  if (scale === 'log') {
    if (!(hi > 0) || !Number.isFinite(hi) || !Number.isFinite(lo)) return [0.1, 1];
    if (!(lo > 0)) lo = hi / 1e6;
    if (lo === hi) return [lo / Math.sqrt(10), hi * Math.sqrt(10)];
    const span = Math.log10(hi / lo);
    // Whole decades from two up; under two, whole decades could leave the data a third of the plot
    // (28 ... 381 drawn over 10 ... 1000 with ticks at 10, 100, 1000): padded, with 1-2-5 ticks.
    if (span >= 2) return [Number(`1e${decade(lo)}`), Number(`1e${decade(hi) + (Number(`1e${decade(hi)}`) < hi ? 1 : 0)}`)];
    const pad = 10 ** (span * 0.05);
    return [lo / pad, hi * pad];
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (lo === hi) {
    const d = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= d;
    hi += d;
  }
  const found = linearStep(lo, hi, clampCount(maxCount));
  if (!found) return [lo, hi];
  const { m, e } = found.step;
  const sv = stepValue(found.step);
  const at = (k: number): number => (k === 0 ? 0 : Number(`${k * m}e${e}`));
  let k0 = Math.floor(lo / sv);
  if (at(k0) > lo) k0 -= 1;
  let k1 = Math.ceil(hi / sv);
  if (at(k1) < hi) k1 += 1;
  const nlo = at(k0);
  const nhi = at(k1);
  return Number.isFinite(nlo) && Number.isFinite(nhi) ? [nlo, nhi] : [lo, hi];
}

/**
 * Significant digits that tell apart values of magnitude `mag` a `span` apart: the decades the span
 * sits below the value (log10(mag / span), rounded up) plus `extra`, at least `floor` and at most the
 * 17 that identify a float64. The editor's range fields and the zoom's tidied ends both use it.
 */
export function digitsFor(mag: number, span: number, extra: number, floor: number): number {
  return Math.min(17, Math.max(floor, Math.ceil(Math.log10(mag / span)) + extra));
}

/**
 * Ticks for a range too narrow for its values to label it (a deep zoom: 116.28432642 ... 116.28432651,
 * whose labels would differ only in their last digits and overflow the margin): the range as offsets
 * from a short round value at its low end, `base` (its label, `baseLabel`, goes in the axis title),
 * each tick labelled with its offset ("+2e-8"), so that they read upward from 0 as the axis does
 * (walkthrough 22 found a base in the middle read as "offset from 112.001" with ticks from +1e-4 down
 * to −0.001). Linear steps, also on a log axis: over a range this narrow the two scales differ by
 * less than a pixel.
 */
export function offsetTicks(min: number, max: number, maxCount: number): { readonly base: number; readonly baseLabel: string; readonly ticks: Tick[] } {
  const lo = Math.min(min, max);
  const hi = Math.max(min, max);
  const mid = (lo + hi) / 2;
  if (!(hi > lo) || !Number.isFinite(hi - lo)) return { base: mid, baseLabel: exactLabel(mid), ticks: [] };
  // The low end, rounded down to the decade of the span: short, and at most one such step below it.
  const q = 10 ** Math.floor(Math.log10(hi - lo));
  // Digits enough for the larger end's magnitude: counted from the middle, rounding carried a
  // negative low end up past itself (-100.0003 to -100: review 28).
  const digits = Math.min(17, Math.max(1, Math.floor(Math.log10(Math.max(Math.abs(lo), Math.abs(hi)) || 1)) - Math.floor(Math.log10(q)) + 1));
  let base = Number((Math.floor(lo / q) * q).toPrecision(digits));
  for (let k = 0; k < 3 && base > lo; k++) base = Number((base - q).toPrecision(Math.min(17, digits + 1)));
  const ticks = niceTicks(lo - base, hi - base, 'linear', maxCount).map((t) => ({
    value: base + t.value,
    label: t.value > 0 ? `+${t.label}` : t.value === 0 ? '0' : t.label,
  }));
  return { base, baseLabel: String(base), ticks };
}
