/**
 * The network studies: their measures (box counting), their claim checks (each shown to reject a
 * counterexample) and a run of each at its quick size on the float32 CPU engine in-process. GPU
 * runs of these studies join tests/studies/studies.test.ts once the GPU engine runs networks.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';
import { boundaryDimension, boxCount, edgeImage } from '../../src/studies/boxcount.ts';
import { FRACTAL_MIN_DIMENSION, checkFractalBoundary, fractalBoundary, nextWindow } from '../../src/studies/fractal-boundary.ts';
import { checkTextsExample, textsExample } from '../../src/studies/texts-example.ts';
import type { Study, StudyResult } from '../../src/studies/types.ts';
import { fractalColours } from '../../src/view/colors.ts';
import { panelSvg } from '../../src/view/svg.ts';

const num = (r: StudyResult, k: string): number => r.findings[k] as number;
const nums = (r: StudyResult, k: string): number[] => r.findings[k] as number[];

/** Classes of an n x n grid from a predicate on cell (i, j). */
function grid(n: number, f: (i: number, j: number) => boolean): number[] {
  const out: number[] = [];
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) out.push(f(i, j) ? 1 : 0);
  return out;
}

describe('box counting', () => {
  it('the edge image marks the 2 x 2 blocks that hold both classes', () => {
    const e = edgeImage([0, 0, 0, 0, 1, 0, 0, 0, 0], 3, 3);
    expect(e.width).toBe(2);
    expect(Array.from(e.cells)).toEqual([1, 1, 1, 1]);
    expect(Array.from(edgeImage([0, 0, 0, 0, 0, 0, 0, 0, 1], 3, 3).cells)).toEqual([0, 0, 0, 1]);
    expect(Array.from(edgeImage([Number.NaN, Number.NaN, Number.NaN, Number.NaN], 2, 2).cells)).toEqual([0]);
    expect(() => edgeImage([0, 1], 2, 2)).toThrow(/2 cells for a 2 x 2 grid/);
  });

  it('a straight boundary has dimension 1, a circle about 1, a space-filling one 2', () => {
    expect(boundaryDimension(grid(65, (i) => i < 30), 65, 65).dimension).toBeCloseTo(1, 2);
    const circle = boundaryDimension(grid(128, (i, j) => (i - 64) ** 2 + (j - 64) ** 2 < 40 ** 2), 128, 128).dimension;
    expect(Math.abs(circle - 1)).toBeLessThan(0.08);
    expect(boundaryDimension(grid(65, (i, j) => (i + j) % 2 === 0), 65, 65).dimension).toBeCloseTo(2, 6);
  });

  it("the Sierpinski triangle's edge image has dimension log 3 / log 2", () => {
    const n = 256;
    const cells = new Uint8Array(n * n);
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) cells[j * n + i] = (i & j) === 0 ? 1 : 0;
    const b = boxCount({ width: n, height: n, cells });
    expect(b.sizes).toEqual([1, 2, 4, 8, 16, 32, 64]);
    expect(b.dimension).toBeCloseTo(Math.log(3) / Math.log(2), 6);
    for (const s of b.localSlopes) expect(s).toBeCloseTo(Math.log(3) / Math.log(2), 6);
  });

  it('no boundary: no dimension', () => {
    expect(boundaryDimension(grid(16, () => true), 16, 16).dimension).toBeNaN();
  });
});

describe('fractal-boundary: the zoom and the check', () => {
  it("zooms onto the boundary, the window's log widths divided by the zoom", () => {
    const side = 33;
    const cls = grid(side, (i) => i < 20);
    const w = { x0: 0, x1: 4, y0: 1, y1: 3 };
    for (const rule of ['densest', 'central'] as const) {
      const next = nextWindow(cls, side, w, 8, rule);
      expect(next).not.toBeNull();
      if (!next) continue;
      expect(next.x1 - next.x0).toBeCloseTo(0.5, 12);
      expect(next.y1 - next.y0).toBeCloseTo(0.25, 12);
      // The boundary lies between columns 19 and 20: x = 19.5 / 32 * 4.
      expect((next.x0 + next.x1) / 2).toBeCloseTo((19.5 / 32) * 4, 12);
    }
    expect(nextWindow(grid(side, () => false), side, w, 8)).toBeNull();
  });

  it('accepts a boundary that is rough at every depth, rejects a smooth one, an unstable one and too few depths', () => {
    expect(checkFractalBoundary([1.5, 1.6, 1.55]).holds).toBe(true);
    const smooth = boundaryDimension(grid(48, (i, j) => (i - 24) ** 2 + (j - 10) ** 2 < 30 ** 2), 48, 48).dimension;
    const r = checkFractalBoundary([smooth, smooth]);
    expect(r.holds).toBe(false);
    expect(r.failures.join(' ')).toContain(`below ${FRACTAL_MIN_DIMENSION}`);
    const unstable = checkFractalBoundary([1.25, 1.9]);
    expect(unstable.holds).toBe(false);
    expect(unstable.failures.join(' ')).toMatch(/moves by 0\.65/);
    expect(checkFractalBoundary([1.5]).holds).toBe(false);
    expect(checkFractalBoundary([1.5, Number.NaN]).holds).toBe(false);
  });

  it("colours as the paper: trained runs blue-green, the others red-orange, by rank within each sign", () => {
    const c = fractalColours([-100, -1, 1, 100, Number.NaN]);
    const blueish = (x: readonly number[]): boolean => (x[2] as number) > (x[0] as number);
    expect(blueish(c[0] as readonly number[])).toBe(true); // slowest trained: dark blue
    expect(blueish(c[3] as readonly number[])).toBe(false); // slowest untrained: dark red
    expect(c[4]).toEqual([20, 20, 20]);
    // Rank, not value: scaling the values leaves the colours alone.
    expect(fractalColours([-1e6, -1, 1, 2])).toEqual(fractalColours([-3, -2, 5, 9]));
  });
});

describe('texts-example: the check', () => {
  it('rejects a comparison that tuning the LR does not change', () => {
    expect(checkTextsExample({ atTextsLr: [0.0104, 0.0104, 17], atBestLr: [0.0104, 0.0104, 0.0104] }).holds).toBe(true);
    const r = checkTextsExample({ atTextsLr: [0.0104, 0.5, 17], atBestLr: [0.0104, 0.4, 12] });
    expect(r.holds).toBe(false);
    expect(r.failures[0]).toMatch(/less than 10x/);
    expect(checkTextsExample({ atTextsLr: [0.01, 1, 10], atBestLr: [0.01, Number.POSITIVE_INFINITY, 0.01] }).holds).toBe(false);
  });
});

describe('network studies on cpu (quick sizes)', () => {
  const engine = new CpuEngine('cpu', { workers: 0, spawn: null });
  const run = (s: Study): Promise<StudyResult> => s.run({ engine, quick: true });
  afterAll(async () => {
    await engine.dispose();
  });

  const renders = (r: StudyResult): void => {
    for (const p of r.panels) {
      const svg = panelSvg(p, () => 'data:image/png;base64,');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain(p.title.replace(/&/g, '&amp;').slice(0, 10));
    }
  };

  it('fractal-boundary: two depths, a boundary at each, its dimension between a curve and the plane', async () => {
    const r = await run(fractalBoundary);
    expect(num(r, 'depths')).toBe(2);
    const dims = nums(r, 'dimensions');
    expect(dims).toHaveLength(2);
    for (const d of dims) {
      expect(d).toBeGreaterThan(0.8);
      expect(d).toBeLessThanOrEqual(2);
    }
    for (const c of nums(r, 'boundaryCells')) expect(c).toBeGreaterThan(0);
    for (const f of nums(r, 'trainedFraction')) {
      expect(f).toBeGreaterThan(0);
      expect(f).toBeLessThan(1);
    }
    expect(r.findings.claimHolds).toBe(checkFractalBoundary(dims).holds);
    expect(r.panels.filter((p) => p.kind === 'grid')).toHaveLength(2);
    renders(r);
  }, 120_000);

  it("texts-example: at the texts' LRs Adam lags far behind; at each optimiser's best LR all three reach the noise floor", async () => {
    const r = await run(textsExample);
    const texts = nums(r, 'trainLossAtTextsLr');
    const best = nums(r, 'trainLossAtBestLr');
    expect(texts[2]).toBeGreaterThan(100 * (texts[0] as number)); // Adam at 0.001 vs SGD at 0.01
    for (const b of best) expect(b).toBeLessThan(0.012); // the noise floor is 0.01
    expect(r.findings.claimHolds).toBe(true);
    renders(r);
  }, 120_000);
});
