/**
 * Colours shared by the app's Canvas 2D and WebGPU heatmap renderers (and the legend) and the study
 * figures, so that every path paints a cell the same colour and the browser tests can check pixels
 * against results.
 * Continuous scales use viridis (perceptually uniform, readable with colour-vision deficiencies);
 * minima get the Okabe–Ito palette, designed for colour-blind readers. The outcome mode ramps each
 * of those hues (and a grey, for runs still moving) in lightness; tests/unit/colours.test.ts checks
 * that every category stays apart under simulated protanopia, deuteranopia and tritanopia.
 */
import { interpolateSpectral, interpolateViridis } from 'd3-scale-chromatic';

export type Rgb = readonly [number, number, number];

/** A diverged run among hues (basin, outcome and the fractal colouring): black. */
export const DIVERGED: Rgb = [20, 20, 20];
/**
 * A diverged run on a viridis ramp (a loss, an accuracy, steps, a sharpness): red, as black would
 * sit beside viridis's near-black purple end, where a map's lowest values are (batch-lr's best
 * losses next to its diverged cells could not be told apart). No viridis colour is near it.
 */
export const DIVERGED_ON_RAMP: Rgb = [214, 39, 40];
export const NOT_CONVERGED: Rgb = [200, 200, 200];
/** Not computed yet: the page's white (every colour a result can take is darker). */
export const PENDING: Rgb = [255, 255, 255];

/** Okabe–Ito, without its black (taken by diverged runs). */
export const MINIMA_PALETTE: readonly Rgb[] = [
  [230, 159, 0],
  [86, 180, 233],
  [0, 158, 115],
  [240, 228, 66],
  [0, 114, 178],
  [213, 94, 0],
  [204, 121, 167],
];

/**
 * The Okabe–Ito colours by name (less yellow and black), for the figures and charts that give a
 * fixed meaning to a colour (the SWA average blue, the last iterate vermillion): one definition of
 * each, so a study's line and the app's pins share their hues exactly.
 */
export const OKABE_ITO = {
  blue: '#0072b2',
  orange: '#e69f00',
  sky: '#56b4e9',
  vermillion: '#d55e00',
  green: '#009e73',
  purple: '#cc79a7',
} as const;

/**
 * The selected run's ink everywhere it is drawn: its box on the heatmap (over a white rim, as the
 * pins' boxes, so it reads on viridis's dark end), its path on the contour plot, its curves in the
 * run panel and in figures. One ink, so the box on the map and the line beside it read as one run
 * (walkthrough 9 found a red box on the map and a black line elsewhere). Pins take SERIES_COLOURS.
 */
export const SELECTED_INK = '#1b1b1b';

/**
 * Colours of series to tell apart (the app's pins and race lanes, a study's schedules): Okabe–Ito,
 * chosen for colour-blind readers, without its yellow (unreadable on the contour plot's pale fill)
 * and its black (the selected run's ink),
 * ordered so that the first few stay far apart for normal vision and the three dichromacies alike
 * (the order that maximises the smallest OKLab distance among the first two, then three, ...: 0.19
 * among the first three; tests/unit/colours.test.ts checks that no order does better). Most
 * comparisons pin two or three runs; the earlier order (blue, vermillion, bluish green) put two of the
 * first three within 0.09, and as thin lines its blue and green looked alike to walkthrough 5.
 * Vermillion comes fourth.
 */
export const SERIES_COLOURS: readonly string[] = [OKABE_ITO.blue, OKABE_ITO.orange, OKABE_ITO.sky, OKABE_ITO.vermillion, OKABE_ITO.green, OKABE_ITO.purple];

export function minimumColour(index: number): Rgb {
  return MINIMA_PALETTE[index % MINIMA_PALETTE.length] as Rgb;
}

/**
 * The share of a map's first `runsReady` cells painted in its most common colour (`colourOf` a
 * run's): 1 for a map that shows one colour only, which says nothing (the app's views, surface and
 * network alike, are checked to stay below 0.9). One count for both kinds of frame.
 */
export function dominantColourShare(runsReady: number, colourOf: (run: number) => Rgb): number {
  const counts = new Map<number, number>();
  let top = 0;
  for (let run = 0; run < runsReady; run++) {
    const [r, g, b] = colourOf(run);
    const key = (r << 16) | (g << 8) | b;
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    if (n > top) top = n;
  }
  return runsReady > 0 ? top / runsReady : 1;
}

/** A CSS colour (#rrggbb, #rgb or rgb(r, g, b), as d3's interpolators give them) as RGB bytes. */
export function rgbOf(s: string): Rgb {
  return hexToRgb(s);
}

function hexToRgb(s: string): Rgb {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(s);
  if (m) return [parseInt(m[1] as string, 16), parseInt(m[2] as string, 16), parseInt(m[3] as string, 16)];
  const h = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(s);
  if (h) return [1, 2, 3].map((k) => 17 * parseInt(h[k] as string, 16)) as [number, number, number];
  const r = /rgb\((\d+),\s*(\d+),\s*(\d+)\)/.exec(s);
  if (r) return [Number(r[1]), Number(r[2]), Number(r[3])];
  throw new Error(`unparsable colour ${s}`);
}

/** 256 entries of viridis as RGBA bytes: the one table both renderers sample. */
export const VIRIDIS_LUT: Uint8Array = (() => {
  const lut = new Uint8Array(256 * 4);
  for (let i = 0; i < 256; i++) {
    const [r, g, b] = hexToRgb(interpolateViridis(i / 255));
    lut.set([r, g, b, 255], i * 4);
  }
  return lut;
})();

// ---- OKLab (Ottosson 2020): lightness and hue as people see them, for building ramps.

export type Lab = readonly [number, number, number];

function toLinear(c: number): number {
  const v = c / 255;
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
}

function fromLinear(v: number): number {
  const c = v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055;
  return Math.round(Math.min(1, Math.max(0, c)) * 255);
}

/** OKLab of linear-light RGB in [0, 1]. */
export function linearToOklab(r: number, g: number, b: number): Lab {
  const l = Math.cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b);
  const m = Math.cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b);
  const s = Math.cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b);
  return [
    0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s,
    1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s,
    0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s,
  ];
}

/** OKLab of an sRGB colour. */
export function oklab(c: Rgb): Lab {
  return linearToOklab(toLinear(c[0]), toLinear(c[1]), toLinear(c[2]));
}

function oklabToLinear(L: number, a: number, b: number): [number, number, number] {
  const l = (L + 0.3963377774 * a + 0.2158037573 * b) ** 3;
  const m = (L - 0.1055613458 * a - 0.0638541728 * b) ** 3;
  const s = (L - 0.0894841775 * a - 1.291485548 * b) ** 3;
  return [
    4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s,
    -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s,
    -0.0041960863 * l - 0.7034186147 * m + 1.707614701 * s,
  ];
}

/** The sRGB colour of OKLab (L, a, b), its chroma reduced (hue and lightness kept) until it fits sRGB. */
export function fromOklab(L: number, a: number, b: number): Rgb {
  let k = 1;
  let lin = oklabToLinear(L, a, b);
  for (let i = 0; i < 60 && !lin.every((v) => v >= -1e-4 && v <= 1 + 1e-4); i++) {
    k *= 0.95;
    lin = oklabToLinear(L, a * k, b * k);
  }
  return [fromLinear(lin[0]), fromLinear(lin[1]), fromLinear(lin[2])];
}

// ---- The outcome mode: hue = outcome, lightness = how fast.

/** Levels of each outcome ramp (the same resolution as the viridis table). */
export const OUTCOME_LEVELS = 256;

/** Row of the still-moving ramp in OUTCOME_LUT, after one row per minimum colour. */
export const STILL_MOVING_ROW = MINIMA_PALETTE.length;

/**
 * The ramps, in OKLab lightness. A run that converged at once is its minimum's colour made
 * RAMP_DARKEN darker; one that converged at the last step is the Okabe–Ito colour itself, so the
 * palette keeps the lightness differences that make it readable with a colour-vision deficiency.
 * Runs still moving are grey from STILL_NEAR (loss nearest the best minimum) to STILL_FAR, lighter
 * than every minimum's colour: told apart by lightness, not hue alone. Darker is always nearer done.
 */
const RAMP_DARKEN = 0.25;
const STILL_NEAR = 0.76;
const STILL_FAR = 0.93;

/** Colour of outcome ramp `row` at t in [0, 1] (0 fast or near, 1 slow or far), unquantised. */
export function outcomeRamp(row: number, t: number): Rgb {
  if (row === STILL_MOVING_ROW) return fromOklab(STILL_NEAR + (STILL_FAR - STILL_NEAR) * t, 0, 0);
  const [L, a, b] = oklab(minimumColour(row));
  return fromOklab(L - RAMP_DARKEN * (1 - t), a, b);
}

/**
 * The outcome ramps as RGBA bytes, OUTCOME_LEVELS entries per row: one row per minimum colour, then
 * the still-moving row. The one table the Canvas 2D, WebGPU and SVG renderers all sample.
 */
export const OUTCOME_LUT: Uint8Array = (() => {
  const rows = STILL_MOVING_ROW + 1;
  const lut = new Uint8Array(rows * OUTCOME_LEVELS * 4);
  for (let row = 0; row < rows; row++) {
    for (let k = 0; k < OUTCOME_LEVELS; k++) lut.set([...outcomeRamp(row, k / (OUTCOME_LEVELS - 1)), 255], (row * OUTCOME_LEVELS + k) * 4);
  }
  return lut;
})();

/** The quantised colour of ramp `row` at t (clamped to [0, 1]), as every renderer paints it. */
export function outcomeColour(row: number, t: number): Rgb {
  const o = (row * OUTCOME_LEVELS + lutIndex(t)) * 4;
  return [OUTCOME_LUT[o] as number, OUTCOME_LUT[o + 1] as number, OUTCOME_LUT[o + 2] as number];
}

/** Viridis at t (clamped to [0, 1]), quantised as every renderer paints it: one lookup for the map, its legend and the network maps. */
export function viridisColour(t: number): Rgb {
  const k = lutIndex(t) * 4;
  return [VIRIDIS_LUT[k] as number, VIRIDIS_LUT[k + 1] as number, VIRIDIS_LUT[k + 2] as number];
}

export function lutIndex(t: number): number {
  return Math.max(0, Math.min(255, Math.round(t * 255)));
}

export function rgbCss(c: Rgb): string {
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/** Viridis at t in [0, 1] (0 dark purple, 1 yellow) as CSS: a sequential colour for an ordered series (batch sizes). */
export function viridisCss(t: number): string {
  const o = lutIndex(t) * 4;
  return rgbCss([VIRIDIS_LUT[o] as number, VIRIDIS_LUT[o + 1] as number, VIRIDIS_LUT[o + 2] as number]);
}

/**
 * The fractal-boundary paper's colouring of its convergence measure (Sohl-Dickstein 2024, the
 * notebook's cdf_img with cmap 'Spectral', buffer 0.25): values are ranked within their sign, the
 * negative ones (trained; more negative = slower) spread evenly over [0.625, 1] of the Spectral
 * scale (light green to blue, slowest darkest) and the others (not trained; larger = slower to blow
 * up) over [0, 0.375] (dark red to light orange, fastest lightest). Equal values share their mean
 * rank. NaN cells get `nanColour`. Rank, not value, sets the colour, so the structure shows at every
 * zoom whatever the measure's range there.
 */
export function fractalColours(values: ArrayLike<number>, nanColour: Rgb = DIVERGED): Rgb[] {
  const n = values.length;
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (!Number.isNaN(values[i] as number)) order.push(i);
  // A comparison, not a difference: infinite measures tie with their like (∞ − ∞ is NaN) and rank last.
  order.sort((a, b) => {
    const x = values[a] as number;
    const y = values[b] as number;
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const neg = order.filter((i) => (values[i] as number) < 0).length;
  const pos = order.length - neg;
  const buffer = FRACTAL_BUFFER;
  // The notebook's v: linspace(-1, -buffer, neg) then linspace(buffer, 1, pos); the image is -v.
  const v = (k: number): number => {
    if (k < neg) return neg > 1 ? -1 + ((1 - buffer) * k) / (neg - 1) : -1;
    const q = k - neg;
    return pos > 1 ? buffer + ((1 - buffer) * q) / (pos - 1) : buffer;
  };
  const out: Rgb[] = new Array<Rgb>(n).fill(nanColour);
  for (let a = 0; a < order.length; ) {
    let b = a;
    while (b + 1 < order.length && values[order[b + 1] as number] === values[order[a] as number]) b++;
    let mean = 0;
    for (let k = a; k <= b; k++) mean += v(k);
    mean /= b - a + 1;
    const c = hexToRgb(interpolateSpectral((1 - mean) / 2));
    for (let k = a; k <= b; k++) out[order[k] as number] = c;
    a = b + 1;
  }
  return out;
}

/** The colour fractalColours gives a position t in [-1, 1] of its scale (-1: slowest trained, 1: slowest diverging): for legends. */
export function fractalScaleColour(t: number): string {
  return interpolateSpectral((1 - t) / 2);
}

/** The notebook's buffer: each side of the scale starts this far from its middle. */
export const FRACTAL_BUFFER = 0.25;

/**
 * A run's colour by the convergence measure in the explorer's map, on the scale fractalColours
 * paints the study figures with (one colouring, the paper's): `trained` (measure < 0) or not, t its
 * rank in [0, 1] among its kind (0 fastest, 1 slowest; view/net-frame.ts convergenceRanks). Slower
 * is darker on both sides, so the boundary, where runs are slowest, reads as a dark seam.
 */
export function convergenceColour(trained: boolean, t: number): Rgb {
  const u = FRACTAL_BUFFER + (1 - FRACTAL_BUFFER) * Math.max(0, Math.min(1, t));
  return hexToRgb(fractalScaleColour(trained ? -u : u));
}
