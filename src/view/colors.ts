/**
 * Colours shared by the app's Canvas 2D and WebGPU heatmap renderers (and the legend) and the study
 * figures, so that every path paints a cell the same colour and the browser tests can check pixels
 * against results.
 * Continuous scales use viridis (perceptually uniform, readable with colour-vision deficiencies);
 * minima get the Okabe–Ito palette, designed for colour-blind readers.
 */
import { interpolateSpectral, interpolateViridis } from 'd3-scale-chromatic';

export type Rgb = readonly [number, number, number];

export const DIVERGED: Rgb = [20, 20, 20];
export const NOT_CONVERGED: Rgb = [200, 200, 200];
export const PENDING: Rgb = [245, 245, 245];

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

export function minimumColour(index: number): Rgb {
  return MINIMA_PALETTE[index % MINIMA_PALETTE.length] as Rgb;
}

function hexToRgb(s: string): Rgb {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(s);
  if (m) return [parseInt(m[1] as string, 16), parseInt(m[2] as string, 16), parseInt(m[3] as string, 16)];
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

export function lutIndex(t: number): number {
  return Math.max(0, Math.min(255, Math.round(t * 255)));
}

export function rgbCss(c: Rgb): string {
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
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
  order.sort((a, b) => (values[a] as number) - (values[b] as number));
  const neg = order.filter((i) => (values[i] as number) < 0).length;
  const pos = order.length - neg;
  const buffer = 0.25;
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
