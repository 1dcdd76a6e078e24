/**
 * What every colour of a map means, as a list of legend items (DOM-free): the app's heatmap legend
 * and the SVG figures (svg.ts) both draw this list, so a figure says what the screen says.
 */
import type { Minimum } from '../core/registry/index.ts';
import type { Rgb } from './colors.ts';
import { minimumLabel } from '../core/outcome.ts';
import { DIVERGED, DIVERGED_ON_RAMP, MINIMA_PALETTE, NOT_CONVERGED, PENDING, STILL_MOVING_ROW, convergenceColour, viridisColour, minimumColour, outcomeColour } from './colors.ts';
import type { HeatmapFrame } from './frame.ts';
import { cellColour, divergedColour } from './frame.ts';
import type { NetFrame, NetHeatmapMode } from './net-frame.ts';
import { SHARPNESS_MAX_RESIDUAL, netCellColour } from './net-frame.ts';
import type { OverlayLine } from './panels.ts';
import { plural, prose } from './caption.ts';
import type { Clipped } from './range.ts';
import { CLIP_PERCENTILES } from './range.ts';
import { niceTicks } from './ticks.ts';

export type LegendItem =
  /** A colour; `dot`: a chart's points, drawn as one of them rather than as an area's square. */
  | { readonly kind: 'swatch'; readonly colour: Rgb; readonly label: string; readonly dot?: boolean }
  /**
   * A colour ramp, e.g. a minimum's colours from fast to slow: a colour bar with its ends labelled
   * (`from`, `to`) after the label, or, without them, a wide swatch before it.
   */
  | {
      readonly kind: 'ramp';
      readonly stops: readonly Rgb[];
      readonly label: string;
      readonly from?: string;
      readonly to?: string;
      /** Values inside the bar (`at` in [0, 1] along it), for a scale whose ends alone leave it unread. */
      readonly ticks?: readonly RampTick[];
    }
  | { readonly kind: 'line'; readonly colour: string; readonly label: string; readonly dashed: boolean; readonly dotted?: boolean }
  /** Words without a colour: what a symbol in the other labels means. */
  | { readonly kind: 'note'; readonly label: string };

export interface RampTick {
  readonly at: number;
  readonly label: string;
}

/**
 * Nice values strictly inside a colour bar's range, placed along it: `lo` and `hi` in the frame's
 * transformed units (log10 of the value for a log scale). A bar spanning ten decades labelled at its
 * ends only could not be read ("how sensitive is it?": walkthrough 7). Ticks within 12% of an end
 * are left out (the end's own label stands there). At most `max` of them.
 */
export function rampTicks(lo: number, hi: number, scale: 'log10' | 'linear' | 'percent', max = 4): RampTick[] {
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  const at = (u: number): number => (u - lo) / (hi - lo);
  const inside = (t: number): boolean => t > 0.12 && t < 0.88;
  if (scale === 'log10') {
    const values = niceTicks(10 ** lo, 10 ** hi, 'log', max + 2).filter((t) => inside(at(Math.log10(t.value))));
    return thin(values.map((t) => ({ at: at(Math.log10(t.value)), label: prose(t.value, 2) })), max);
  }
  const values = niceTicks(lo, hi, 'linear', max + 2).filter((t) => inside(at(t.value)));
  return thin(values.map((t) => ({ at: at(t.value), label: scale === 'percent' ? `${prose(100 * t.value, 3)}%` : prose(t.value, 3) })), max);
}

/** Characters of tick labels a colour bar holds side by side (the page's and the figures' bars, ~110 px at 9-10 px type). */
const BAR_CHARS = 18;

/**
 * Every other tick until at most `max` remain, and as many as their labels leave room for along a
 * bar of about 18 characters (walkthrough 21: 1.5e-12, 2e-12, 2.5e-12, 3e-12 ran together as
 * "1.5e-122e-122.5e-13e-12").
 */
function thin(ticks: RampTick[], max: number): RampTick[] {
  const longest = Math.max(0, ...ticks.map((t) => t.label.length));
  const fit = Math.max(1, Math.min(max, Math.floor(BAR_CHARS / (longest + 2))));
  let out = ticks;
  while (out.length > fit) out = out.filter((_, k) => k % 2 === 0);
  return out;
}


/** What λ in the minima's labels is. */
export const LAMBDA_LEGEND = 'λ = sharpness: the largest eigenvalue of the Hessian at the minimum';

/** Minima listed by name in a legend at most (a lattice surface has a hundred; colours repeat). */
export const LEGEND_MINIMA = 8;

function stops(sample: (t: number) => Rgb, n = 9): Rgb[] {
  return Array.from({ length: n }, (_, k) => sample(k / (n - 1)));
}

function minimumEntry(m: Minimum, i: number): string {
  return `${minimumLabel(m, i)} at (${prose(m.x, 3)}, ${prose(m.y, 3)}), λ = ${prose(m.sharpness, 3)}`;
}

function more(n: number): string {
  return `… ${n - LEGEND_MINIMA} more minima (colours repeat every ${MINIMA_PALETTE.length})`;
}

/** A colour bar's end as the legend writes it: "≥ 3.2" where cells past it are drawn in its colour. */
function end(text: string, side: 'lo' | 'hi', c: Clipped): string {
  if (side === 'lo') return c.below > 0 ? `≤ ${text}` : text;
  return c.above > 0 ? `≥ ${text}` : text;
}

/**
 * What a clipped colour range hides, in words (nothing when no cell lies past its ends): "Colour
 * range clipped at the 98th percentile, …: 12 runs above 3.2 drawn in the end colour".
 */
function clipNote(c: Clipped, lo: string, hi: string): LegendItem[] {
  if (c.below === 0 && c.above === 0) return [];
  const parts = [...(c.above > 0 ? [`${plural(c.above, 'run')} above ${hi}`] : []), ...(c.below > 0 ? [`${plural(c.below, 'run')} below ${lo}`] : [])];
  return [
    {
      kind: 'note',
      label: `${c.shared ? 'Colour range shared by the panels compared here' : `Colour range clipped at the ${ordinal(CLIP_PERCENTILES[1])} percentile, so that a few extreme runs do not wash out the rest`}: ${parts.join(' and ')} drawn in the end colour${parts.length > 1 ? 's' : ''}.`,
    },
  ];
}

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${s}`;
}

/** Colours a finished map may lack: a swatch for one of them is left out when no run shows it. */
const ABSENT_ABLE: readonly Rgb[] = [NOT_CONVERGED, DIVERGED, DIVERGED_ON_RAMP];
const rgbKey = (c: Rgb): number => (c[0] << 16) | (c[1] << 8) | c[2];

/**
 * The legend less the "no value", "not converged" and "diverged" swatches of colours no run of a
 * finished map shows: a legend that lists them for a map with none sent a reader looking for them
 * (walkthrough 7: "diverged" beside "0 diverged"). While runs are still coming every swatch stays.
 */
function presentOnly(items: LegendItem[], runs: number, complete: boolean, colourAt: (run: number) => Rgb): LegendItem[] {
  if (!complete) return items;
  // Only the colours this legend names: the scan stops once each is found (a 16M-run map with all
  // of them present costs a few cells, not a pass over every run).
  const able = new Set(ABSENT_ABLE.map(rgbKey));
  const want = new Set(items.flatMap((it) => (it.kind === 'swatch' && able.has(rgbKey(it.colour)) ? [rgbKey(it.colour)] : [])));
  if (want.size === 0) return items;
  const seen = new Set<number>();
  for (let run = 0; run < runs && seen.size < want.size; run++) {
    const k = rgbKey(colourAt(run));
    if (want.has(k)) seen.add(k);
  }
  return items.filter((it) => it.kind !== 'swatch' || !want.has(rgbKey(it.colour)) || seen.has(rgbKey(it.colour)));
}

/** The legend of a frame: every colour it can show, and the lines drawn over it. */
export function heatmapLegend(f: HeatmapFrame, minima: readonly Minimum[], lines: readonly OverlayLine[] = []): LegendItem[] {
  const out: LegendItem[] = [];
  const shown = minima.slice(0, LEGEND_MINIMA);
  const complete = f.runsReady >= f.width * f.height;
  // On a finished map, a minimum no run reached says so (walkthrough 9 looked for the orange of a
  // minimum that no cell showed); it stays listed, as where the surface's minima are.
  const reached = new Set<number>();
  if (complete && (f.mode === 'outcome' || f.mode === 'basin')) {
    for (let run = 0; run < f.runsReady && reached.size < shown.length; run++) {
      const b = f.columns.basin[run] as number;
      if (b >= 0 && b < shown.length && !f.columns.diverged[run]) reached.add(b);
    }
  }
  const none = (i: number): boolean => complete && !reached.has(i);
  const entry = (m: Minimum, i: number): string => `${minimumEntry(m, i)}${none(i) ? ': no run reached it' : ''}`;
  if (f.mode === 'outcome') {
    if (shown.length > 0) out.push({ kind: 'note', label: `Converged, by the minimum reached; darker = sooner (darkest: at once, lightest: at step ${f.steps}):` });
    shown.forEach((m, i) => out.push({ kind: 'ramp', stops: stops((t) => outcomeColour(i % MINIMA_PALETTE.length, t), 6), label: entry(m, i) }));
    if (minima.length > LEGEND_MINIMA) out.push({ kind: 'swatch', colour: outcomeColour(LEGEND_MINIMA % MINIMA_PALETTE.length, 0.5), label: more(minima.length) });
    out.push({
      kind: 'ramp',
      stops: stops((t) => outcomeColour(STILL_MOVING_ROW, t), 6),
      label: f.unranged
        ? `still moving at the end (${complete ? 'none on this map' : 'none of the runs done so far'}); darker = nearer the best minimum`
        : `still moving at the end; loss above the best minimum from ${end(prose(10 ** f.lo, 2), 'lo', f.clipped)} (darkest) to ${end(prose(10 ** f.hi, 2), 'hi', f.clipped)}`,
    });
    out.push(...clipNote(f.clipped, prose(10 ** f.lo, 2), prose(10 ** f.hi, 2)));
  } else if (f.mode === 'basin') {
    shown.forEach((m, i) => out.push({ kind: 'swatch', colour: minimumColour(i), label: none(i) ? entry(m, i) : `reached ${minimumEntry(m, i)}` }));
    if (minima.length > LEGEND_MINIMA) out.push({ kind: 'swatch', colour: minimumColour(LEGEND_MINIMA), label: more(minima.length) });
    out.push({ kind: 'swatch', colour: NOT_CONVERGED, label: 'not converged' });
  } else {
    const show = (v: number): string => (f.mode === 'steps' ? prose(Math.round(v)) : prose(10 ** v, 3));
    const label =
      f.mode === 'loss' ? 'final loss above the best minimum (log)' : f.mode === 'steps' ? 'steps to converge' : 'sharpness at the end point (largest Hessian eigenvalue, log)';
    // No value yet: the ramp without ends (a stand-in range would read as the runs' own); a finished
    // map with none says so.
    if (f.unranged) out.push({ kind: 'ramp', stops: stops(viridisColour), label: `${label}${complete ? ': no run has one' : ''}` });
    else {
      const ticks = rampTicks(f.lo, f.hi, f.mode === 'steps' ? 'linear' : 'log10');
      out.push({ kind: 'ramp', stops: stops(viridisColour), label, from: end(show(f.lo), 'lo', f.clipped), to: end(show(f.hi), 'hi', f.clipped), ...(ticks.length ? { ticks } : {}) });
    }
    out.push(...clipNote(f.clipped, show(f.lo), show(f.hi)));
    out.push({ kind: 'swatch', colour: NOT_CONVERGED, label: f.mode === 'steps' ? 'not converged' : 'no value' });
  }
  out.push({ kind: 'swatch', colour: divergedColour(f.mode), label: 'diverged' });
  if (!complete) out.push({ kind: 'swatch', colour: PENDING, label: 'not computed yet' });
  const legend = presentOnly(out, f.runsReady, complete, (run) => cellColour(f, run));
  if (shown.length > 0 && (f.mode === 'outcome' || f.mode === 'basin')) legend.push({ kind: 'note', label: LAMBDA_LEGEND });
  const seen = new Set<string>();
  for (const l of lines) {
    if (seen.has(l.label)) continue;
    seen.add(l.label);
    legend.push({ kind: 'line', colour: l.colour, label: l.label, dashed: true, ...(l.dotted ? { dotted: true } : {}) });
  }
  return legend;
}

/** The legend of a network frame (net-frame.ts): every colour it can show. */
export function netHeatmapLegend(f: NetFrame): LegendItem[] {
  const complete = f.runsReady >= f.width * f.height;
  const out: LegendItem[] = [];
  if (f.mode === 'convergence') {
    // On minibatches the sign says whether the minibatch losses fell, which is not the outcome's rule.
    const [yes, no] = f.minibatch ? ['minibatch losses fell', 'minibatch losses did not fall'] : ['trained', 'did not train'];
    out.push({ kind: 'ramp', stops: stops((t) => convergenceColour(true, t), 6), label: `${yes} (${f.trained} runs)`, from: 'fast', to: 'slow' });
    out.push({
      kind: 'ramp',
      stops: stops((t) => convergenceColour(false, t), 6),
      label: `${no} (${f.untrained} runs)`,
      from: 'fast',
      to: 'slow',
    });
    out.push({ kind: 'swatch', colour: DIVERGED, label: 'no measure (its loss was not a number)' });
    out.push({ kind: 'note', label: 'Darker = slower on both sides: the boundary between them is the dark seam.' });
    // Walkthrough 18 read "minibatch losses fell (170 runs)" beside "172 of 224 runs trained" as a contradiction.
    if (f.minibatch) out.push({ kind: 'note', label: "The sides are the minibatch losses'; whether a run trained is judged on the whole training set's final loss (the count under the map), so the two counts may differ." });
  } else {
    const log = f.mode !== 'accuracy' && f.mode !== 'steps';
    const show = (v: number): string => (f.mode === 'steps' ? prose(Math.round(v)) : f.mode === 'accuracy' ? `${prose(100 * v, 3)}%` : prose(10 ** v, 3));
    const labels: Record<Exclude<NetHeatmapMode, 'convergence'>, string> = {
      accuracy: 'test accuracy',
      test_loss: 'test loss (log)',
      train_loss: 'train loss (log)',
      sharpness: "sharpness at the end (largest |eigenvalue| of the training loss's Hessian, log)",
      steps: "steps to the loss threshold (network.threshold; empty: 1% of each run's initial loss)",
    };
    const lo = end(show(f.lo), 'lo', f.clipped);
    const hi = end(show(f.hi), 'hi', f.clipped);
    // No value yet: the ramp without ends (a stand-in range would read as the runs' own).
    const ticks = f.unranged ? [] : rampTicks(f.lo, f.hi, log ? 'log10' : f.mode === 'accuracy' ? 'percent' : 'linear');
    const none = complete ? ': no run has one' : '';
    out.push(f.unranged ? { kind: 'ramp', stops: stops(viridisColour), label: `${labels[f.mode]}${none}` } : { kind: 'ramp', stops: stops(viridisColour), label: labels[f.mode], from: lo, to: hi, ...(ticks.length ? { ticks } : {}) });
    out.push(...clipNote(f.clipped, show(f.lo), show(f.hi)));
    out.push({ kind: 'swatch', colour: NOT_CONVERGED, label: f.mode === 'steps' ? 'never reached the threshold' : f.mode === 'sharpness' ? `no value (sharpness off, not finite, or its estimate not converged: residual above ${SHARPNESS_MAX_RESIDUAL})` : log ? 'no value (not finite)' : 'no value' });
    out.push({ kind: 'swatch', colour: DIVERGED_ON_RAMP, label: 'diverged' });
  }
  if (!complete) out.push({ kind: 'swatch', colour: PENDING, label: 'not computed yet' });
  return presentOnly(out, f.runsReady, complete, (run) => netCellColour(f, run));
}
