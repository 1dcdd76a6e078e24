/**
 * The heatmap's colours, for readers with and without a colour-vision deficiency: every category a
 * map shows (each minimum's hue, runs still moving, diverged runs) stays distinguishable from every
 * other in OKLab under simulated protanopia, deuteranopia and tritanopia (Machado, Oliveira and
 * Fernandes 2009, severity 1), at every lightness the outcome ramps use; each ramp and viridis
 * change lightness monotonically (order reads as order in grey too); and the outcome colours of a
 * frame are what cellColour paints, from the one table every renderer samples.
 */
import { describe, expect, it } from 'vitest';
import type { Rgb } from '../../src/view/colors.ts';
import { DIVERGED, DIVERGED_ON_RAMP, NOT_CONVERGED, MINIMA_PALETTE, SERIES_COLOURS, OUTCOME_LEVELS, OUTCOME_LUT, PENDING, STILL_MOVING_ROW, VIRIDIS_LUT, dominantColourShare, linearToOklab, outcomeColour, rgbCss, rgbOf, viridisCss } from '../../src/view/colors.ts';
import { panelSvg } from '../../src/view/svg.ts';
import type { HeatmapFrame } from '../../src/view/frame.ts';
import { BASIN_OVERLAY_ALPHA, basinOverlay, cellColour } from '../../src/view/frame.ts';

type Vec = readonly [number, number, number];

const toLinear = (c: number): number => {
  const v = c / 255;
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
};

const VISIONS: Record<string, readonly Vec[] | null> = {
  normal: null,
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
  tritanopia: [
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.3039],
  ],
};

function seen(c: Rgb, m: readonly Vec[] | null): Vec {
  const lin: Vec = [toLinear(c[0]), toLinear(c[1]), toLinear(c[2])];
  if (!m) return linearToOklab(...lin);
  const clip = (v: number): number => Math.min(1, Math.max(0, v));
  const row = (k: number): number => clip((m[k] as Vec)[0] * lin[0] + (m[k] as Vec)[1] * lin[1] + (m[k] as Vec)[2] * lin[2]);
  return linearToOklab(row(0), row(1), row(2));
}

const dist = (a: Vec, b: Vec): number => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

/** OKLab distance below which two flat areas read as one colour at a glance (a JND is ~0.02). */
const APART = 0.04;

describe('diverged runs on a viridis ramp', () => {
  const ramp: Rgb[] = Array.from({ length: 256 }, (_, k) => [VIRIDIS_LUT[4 * k] as number, VIRIDIS_LUT[4 * k + 1] as number, VIRIDIS_LUT[4 * k + 2] as number]);
  for (const [vision, m] of Object.entries(VISIONS)) {
    it(`stand apart from every ramp colour, and farther than black from its dark end (${vision})`, () => {
      const nearest = (c: Rgb, of: readonly Rgb[] = ramp): number => Math.min(...of.map((r) => dist(seen(c, m), seen(r, m))));
      expect(nearest(DIVERGED_ON_RAMP)).toBeGreaterThanOrEqual(APART);
      // And apart from the ramp's "no value" grey and the page's white (cells not computed yet).
      expect(dist(seen(DIVERGED_ON_RAMP, m), seen(NOT_CONVERGED, m))).toBeGreaterThanOrEqual(APART);
      expect(dist(seen(DIVERGED_ON_RAMP, m), seen(PENDING, m))).toBeGreaterThanOrEqual(APART);
      // Why it is not black: a map's lowest values (the best losses) are viridis's darkest eighth, and
      // black sits next to them (0.12-0.17 in OKLab here), red far from them (0.21-0.34).
      const dark = ramp.slice(0, 32);
      expect(nearest(DIVERGED_ON_RAMP, dark)).toBeGreaterThan(1.5 * nearest(DIVERGED, dark));
    });
  }
});

describe('outcome colours', () => {
  const ts = [0, 0.25, 0.5, 0.75, 1];
  const basins = MINIMA_PALETTE.map((_, row) => row);

  for (const [vision, m] of Object.entries(VISIONS)) {
    it(`keep every category apart at every lightness (${vision})`, () => {
      const close: string[] = [];
      const check = (what: string, a: Rgb, b: Rgb): void => {
        const d = dist(seen(a, m), seen(b, m));
        if (d < APART) close.push(`${what}: ${a} vs ${b}: ${d.toFixed(3)}`);
      };
      for (const t of ts) {
        // Two minima at the same speed, and a converged run against any run still moving.
        for (const a of basins) for (const b of basins) if (a < b) check(`minima ${a}/${b} at t=${t}`, outcomeColour(a, t), outcomeColour(b, t));
        for (const a of basins) for (const u of ts) check(`minimum ${a} at t=${t} vs still moving at ${u}`, outcomeColour(a, t), outcomeColour(STILL_MOVING_ROW, u));
        for (const a of [...basins, STILL_MOVING_ROW]) check(`row ${a} at t=${t} vs diverged`, outcomeColour(a, t), DIVERGED);
        for (const a of [...basins, STILL_MOVING_ROW]) check(`row ${a} at t=${t} vs pending`, outcomeColour(a, t), PENDING);
      }
      expect(close).toEqual([]);
    });
  }

  it('darken monotonically towards fast (and near), so lightness reads as speed without hue', () => {
    for (let row = 0; row <= STILL_MOVING_ROW; row++) {
      let last = -1;
      for (let k = 0; k < OUTCOME_LEVELS; k += 5) {
        const L = seen(outcomeColour(row, k / (OUTCOME_LEVELS - 1)), null)[0];
        expect(L, `row ${row} level ${k}`).toBeGreaterThanOrEqual(last - 1e-9);
        last = L;
      }
      const span = seen(outcomeColour(row, 1), null)[0] - seen(outcomeColour(row, 0), null)[0];
      expect(span, `row ${row}`).toBeGreaterThan(0.15);
    }
  });

  it('viridis rises monotonically in lightness', () => {
    let last = -1;
    for (let k = 0; k < 256; k++) {
      const L = seen([VIRIDIS_LUT[4 * k] as number, VIRIDIS_LUT[4 * k + 1] as number, VIRIDIS_LUT[4 * k + 2] as number], null)[0];
      // The table holds 8-bit colours: a step may dip by a rounding error.
      expect(L).toBeGreaterThan(last - 1e-3);
      last = L;
    }
  });

  it('are what cellColour paints: the minimum by steps to converge, the rest by loss gap, diverged apart', () => {
    const n = 5;
    const cols = {
      final_x: new Float32Array(n),
      final_y: new Float32Array(n),
      loss: new Float32Array([0, 0, 1e-3, 10, Number.NaN]),
      sharpness: new Float32Array(n),
      basin: new Int32Array([0, 1, -1, -1, -1]),
      diverged: new Uint8Array([0, 0, 0, 0, 1]),
      steps_to_converge: new Int32Array([0, 100, -1, -1, -1]),
    };
    const f: HeatmapFrame = { width: n, height: 1, runsReady: n, mode: 'outcome', columns: cols, lo: -3, hi: 1, clipped: { below: 0, above: 0 }, lossFloor: 0, steps: 200 };
    expect(cellColour(f, 0)).toEqual(outcomeColour(0, 0));
    expect(cellColour(f, 1)).toEqual(outcomeColour(1, 0.5));
    expect(cellColour(f, 2)).toEqual(outcomeColour(STILL_MOVING_ROW, 0));
    expect(cellColour(f, 3)).toEqual(outcomeColour(STILL_MOVING_ROW, 1));
    expect(cellColour(f, 4)).toEqual(DIVERGED);
    expect(OUTCOME_LUT.length).toBe((STILL_MOVING_ROW + 1) * OUTCOME_LEVELS * 4);
  });

  it("lie over the contour plot as each start point's basin, only on a start.0 x start.1 sweep, runs not yet done transparent", () => {
    const cols = {
      final_x: new Float32Array(4),
      final_y: new Float32Array(4),
      loss: new Float32Array(4),
      sharpness: new Float32Array(4),
      basin: new Int32Array([0, 1, -1, 0]),
      diverged: new Uint8Array([0, 0, 1, 0]),
      steps_to_converge: new Int32Array([3, 5, -1, 2]),
    };
    const f: HeatmapFrame = { width: 2, height: 2, runsReady: 3, mode: 'loss', columns: cols, lo: -3, hi: 1, clipped: { below: 0, above: 0 }, lossFloor: 0, steps: 10 };
    const axis = (param: string, min: number, max: number) => ({ param, min, max, count: 2, scale: 'linear' as const });
    const o = basinOverlay(f, axis('start.0', -2, 2), axis('start.1', -1, 3));
    if (!o) throw new Error('no overlay on a start-point sweep');
    expect(o.domain).toEqual({ xMin: -2, xMax: 2, yMin: -1, yMax: 3 });
    const basin: HeatmapFrame = { ...f, mode: 'basin' };
    for (let run = 0; run < 3; run++) expect([...o.rgba.slice(run * 4, run * 4 + 4)]).toEqual([...cellColour(basin, run), BASIN_OVERLAY_ALPHA]);
    expect(o.rgba[15]).toBe(0);
    expect(basinOverlay(f, axis('optimizer.lr', 0.01, 1), axis('start.1', -1, 3))).toBeNull();
    expect(basinOverlay(f, axis('start.0', -2, 2), null)).toBeNull();
  });
});

describe('series colours (pins, race lanes, study curves)', () => {
  // The smallest distance among the first k colours, for the vision that sees them nearest.
  const nearest = (order: readonly string[], k: number): number => {
    let m = Infinity;
    for (const v of Object.values(VISIONS))
      for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) m = Math.min(m, dist(seen(rgbOf(order[i] as string), v), seen(rgbOf(order[j] as string), v)));
    return m;
  };
  const score = (order: readonly string[]): number[] => [2, 3, 4, 5, 6].map((k) => nearest(order, k));
  const permutations = (xs: readonly string[]): string[][] =>
    xs.length <= 1 ? [[...xs]] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));

  it('keep the first two, then three, ... as far apart as any order can, for every vision', () => {
    const ours = score(SERIES_COLOURS);
    for (const order of permutations(SERIES_COLOURS)) {
      const theirs = score(order);
      // Lexicographic: an order beats ours if it is farther apart at the first k where they differ.
      const k = theirs.findIndex((t, i) => Math.abs(t - (ours[i] as number)) > 1e-9);
      if (k >= 0) expect(theirs[k], `${order.join(' ')} spreads the first ${k + 2} farther`).toBeLessThan(ours[k] as number);
    }
    // Two or three pins, the usual comparison, read as distinct colours (a JND is ~0.02).
    expect(nearest(SERIES_COLOURS, 3)).toBeGreaterThan(0.18);
  });
});

describe('dominantColourShare (both frames count it here: review 27)', () => {
  it('is the share of the ready cells in the most common colour; 1 with none ready', () => {
    const colourOf = (run: number): Rgb => (run % 4 === 3 ? DIVERGED : PENDING);
    expect(dominantColourShare(8, colourOf)).toBe(0.75);
    // Cells past runsReady are not read.
    expect(dominantColourShare(3, colourOf)).toBe(1);
    expect(dominantColourShare(0, colourOf)).toBe(1);
  });
});

describe('colours written as CSS', () => {
  it('read back the same in every form a series may use (#rrggbb, #rgb, rgb())', () => {
    expect(rgbOf('#cc79a7')).toEqual([204, 121, 167]);
    expect(rgbOf('#000')).toEqual([0, 0, 0]);
    expect(rgbOf('#fa0')).toEqual([255, 170, 0]);
    expect(rgbOf('rgb(68, 1, 84)')).toEqual([68, 1, 84]);
    expect(() => rgbOf('teal')).toThrow(/unparsable colour teal/);
  });

  it('viridisCss is the table both renderers sample, and a points series keeps its colour in a chart legend', () => {
    expect(rgbOf(viridisCss(0))).toEqual(Array.from(VIRIDIS_LUT.subarray(0, 3)));
    expect(rgbOf(viridisCss(1))).toEqual(Array.from(VIRIDIS_LUT.subarray(255 * 4, 255 * 4 + 3)));
    const svg = panelSvg({ kind: 'chart', title: 't', xLabel: 'x', yLabel: 'y', series: [{ label: 'B 4', x: [1, 2], y: [1, 2], colour: viridisCss(0), points: true }] }, () => '');
    // The legend's swatch is the series' own colour (an rgb() colour once came out grey).
    expect(svg).toContain(rgbCss(rgbOf(viridisCss(0))));
    expect(svg).not.toContain('rgb(128, 128, 128)');
    // Drawn as a point, as the series is: a circle of its colour, not an area's square.
    const fill = `fill="${rgbCss(rgbOf(viridisCss(0)))}"`;
    expect(svg).toContain(`r="3.5" ${fill}/>`);
    expect(svg).not.toContain(`${fill} stroke="#888"/>`);
  });
});
