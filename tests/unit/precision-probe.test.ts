/** The explorer's float32-resolution probe: which runs it samples, and how it compares them. */
import { describe, expect, it } from 'vitest';
import { PROBE_ROWS, PROBE_ROW_RUNS, probeRanges, probeSplit, resolutionText } from '../../src/app/precision-probe.ts';
import { pastResolution } from '../../src/core/validate.ts';
import { probeText } from '../../src/app/controllers/precision-probe-controller.ts';
import type { NetPlan } from '../../src/core/network/plan.ts';

const grid = (width: number, height: number) => ({ mode: 'grid' as const, width, height, runs: width * height });

describe('the runs a probe samples', () => {
  it('are stretches of consecutive runs on rows spread over the map, at most 512 and half the map', () => {
    for (const [w, h] of [[32, 32], [256, 256], [12, 12], [100, 3], [3, 100]] as const) {
      const r = probeRanges(grid(w, h));
      const runs = r.flatMap((x) => Array.from({ length: x.end - x.begin }, (_, k) => x.begin + k));
      expect(new Set(runs).size, `${w} x ${h}`).toBe(runs.length);
      expect(runs.length, `${w} x ${h}`).toBeLessThanOrEqual(Math.min(PROBE_ROWS * PROBE_ROW_RUNS, (w * h) / 2));
      for (const x of r) {
        // Inside one row of the map.
        expect(Math.floor(x.begin / w), `${w} x ${h}`).toBe(Math.floor((x.end - 1) / w));
        expect(x.end, `${w} x ${h}`).toBeLessThanOrEqual(w * h);
      }
      // Rows from the top half and the bottom half both.
      const rows = r.map((x) => Math.floor(x.begin / w));
      expect(Math.min(...rows)).toBeLessThan(h / 2);
      expect(Math.max(...rows)).toBeGreaterThanOrEqual(h / 2);
    }
    expect(probeRanges(grid(32, 32)).reduce((n, x) => n + x.end - x.begin, 0)).toBe(512);
    // Not a grid, or too small to say anything: no probe.
    expect(probeRanges({ ...grid(32, 32), mode: 'list' })).toEqual([]);
    expect(probeRanges(grid(6, 6))).toEqual([]);
  });

  it('judges the map on its own classes at those runs against float64, and words what it found', () => {
    const w = 16;
    const ranges = [{ begin: 0, end: 8 }, { begin: w + 4, end: w + 12 }];
    const map = new Uint8Array(2 * w);
    // float64: runs 0, 1 and 20, 21 diverge (4 of 16, the smaller class); the map diverges on 0 and 5 instead.
    map[0] = 1;
    map[5] = 1;
    const f64 = [Uint8Array.from([1, 1, 0, 0, 0, 0, 0, 0]), Uint8Array.from([1, 1, 0, 0, 0, 0, 0, 0])];
    const s = probeSplit(map, ranges, f64);
    // Chance agreement for 2 and 4 of 16 in the class: 11/16; κ = (12/16 − 11/16) / (5/16) = 0.2.
    expect(s).toEqual({ disagree: 4 / 16, share: 0.25, minorityRuns: 4, minorityKept: 0.25, minorityPrecision: 0.5, kappa: expect.closeTo(0.2, 12) });
    // Too few runs in float64's smaller class to judge (needs 10).
    expect(pastResolution(s)).toBe(false);
    expect(() => probeSplit(map, ranges, [f64[0] as Uint8Array])).toThrow(/float64 results missing/);
    const text = probeText({ plan: {} as NetPlan, split: { ...s, minorityRuns: 15, minorityKept: 0.2 }, runs: 512, past: true });
    expect(text).toMatch(/^Past float32's resolution: of 512 of this map's runs run again, 15 diverge in float64, and float32 diverges on only 20% of those same runs/);
    // Failed the other way (float32 puts far more runs in the class), and with most runs diverging: the trained ones are followed.
    const other = resolutionText({ ...s, share: 0.8, minorityRuns: 12, minorityKept: 0.9, minorityPrecision: 0.3 }, 'all 1024 runs');
    expect(other).toBe("Past float32's resolution: of all 1024 runs, 12 train in float64, and float32 trains on far more runs: only 30% of those it sees train are among them. A map that shows its boundary keeps at least 50% both ways, with an agreement beyond chance (Cohen's κ) of at least 0.5.");
    // Failed on agreement beyond chance alone (about even sides drawn as noise).
    const chance = resolutionText({ ...s, share: 0.46, minorityRuns: 400, minorityKept: 0.53, minorityPrecision: 0.55, kappa: 0.15 }, 'all 1024 runs');
    expect(chance).toBe("Past float32's resolution: of all 1024 runs, 400 diverge in float64, and float32 has 53% of them diverge too but agrees on which runs diverge little better than chance would (κ 0.15). A map that shows its boundary keeps at least 50% both ways, with an agreement beyond chance (Cohen's κ) of at least 0.5.");
  });
});
