/**
 * Colours shared by the app's Canvas 2D and WebGPU heatmap renderers (and the legend) and the study
 * figures, so that every path paints a cell the same colour and the browser tests can check pixels
 * against results.
 * Continuous scales use viridis (perceptually uniform, readable with colour-vision deficiencies);
 * minima get the Okabe–Ito palette, designed for colour-blind readers.
 */
import { interpolateViridis } from 'd3-scale-chromatic';

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
