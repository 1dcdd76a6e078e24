/** The explorer's float32-resolution probe: which runs it samples, and how it compares them. */
import { describe, expect, it } from 'vitest';
import { PROBE_ROWS, PROBE_ROW_RUNS, neighbourKappa, probeRanges, probeSplit, resolutionText, resolvedHeadline, resolvedText, untrainedClass } from '../../src/app/precision-probe.ts';
import { pastResolution } from '../../src/core/validate.ts';
import { PrecisionProbeController, probeHeadline, probeText } from '../../src/app/controllers/precision-probe-controller.ts';
import type { ProbeResult } from '../../src/app/controllers/precision-probe-controller.ts';
import type { EngineSet } from '../../src/app/controllers/engines.ts';
import type { NetResults } from '../../src/core/results.ts';
import { fractalSpec } from '../../src/studies/fractal-boundary.ts';
import { netPlanOf } from '../../src/studies/run.ts';
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
    // float64: runs 0, 1 and 20, 21 fail to train (4 of 16, the smaller class); the map has 0 and 5 fail instead.
    map[0] = 1;
    map[5] = 1;
    const f64 = [Uint8Array.from([1, 1, 0, 0, 0, 0, 0, 0]), Uint8Array.from([1, 1, 0, 0, 0, 0, 0, 0])];
    const s = probeSplit(map, ranges, f64);
    // Chance agreement for 2 and 4 of 16 in the class: 11/16; κ = (12/16 − 11/16) / (5/16) = 0.2.
    expect(s).toEqual({ disagree: 4 / 16, share: 0.25, minorityRuns: 4, minorityKept: 0.25, minorityPrecision: 0.5, kappa: expect.closeTo(0.2, 12) });
    // Too few runs in float64's smaller class to judge (needs 10).
    expect(pastResolution(s)).toBe(false);
    expect(() => probeSplit(map, ranges, [f64[0] as Uint8Array])).toThrow(/reference results missing/);
    const past = { ...s, minorityRuns: 15, minorityKept: 0.2 };
    const text = probeText({ plan: {} as NetPlan, runs: 512, float32: { split: past, past: true }, float64: null, cells: 1 });
    expect(text).toMatch(/^Past float32's resolution: of 512 of this map's runs run again in float64, 15 fail to train in float64, and float32 fails to train on only 20% of those same runs/);
    // Failed the other way (float32 puts far more runs in the class), and with most runs diverging: the trained ones are followed.
    const other = resolutionText({ ...s, share: 0.8, minorityRuns: 12, minorityKept: 0.9, minorityPrecision: 0.3 }, 'all 1024 runs');
    expect(other).toBe("Past float32's resolution: of all 1024 runs, 12 train in float64, and float32 trains on far more runs: only 30% of those it sees train are among them. A map that shows its boundary keeps at least 50% both ways, with an agreement beyond chance (Cohen's κ) of at least 0.5.");
    // Failed on agreement beyond chance alone (about even sides drawn as noise).
    const chance = resolutionText({ ...s, share: 0.46, minorityRuns: 400, minorityKept: 0.53, minorityPrecision: 0.55, kappa: 0.15 }, 'all 1024 runs');
    expect(chance).toBe("Past float32's resolution: of all 1024 runs, 400 diverge in float64, and float32 has 53% of them diverge too but agrees on which runs diverge little better than chance would (κ 0.15). A map that shows its boundary keeps at least 50% both ways, with an agreement beyond chance (Cohen's κ) of at least 0.5.");
  });

  it('classes runs by the seam the convergence colouring draws: trained (negative) or not', () => {
    expect(Array.from(untrainedClass([-3, 0, 5, Number.NaN, Number.POSITIVE_INFINITY, -1e-9]))).toEqual([0, 1, 1, 1, 1, 0]);
  });

  it('says whether float64 resolves a view that float32 does not, and what a float64 map past its own resolution means', () => {
    const ok = { disagree: 0.01, share: 0.1, minorityRuns: 50, minorityKept: 0.9, minorityPrecision: 0.9, kappa: 0.88 };
    const bad = { disagree: 0.05, share: 0.05, minorityRuns: 25, minorityKept: 0.36, minorityPrecision: 0.4, kappa: 0.31 };
    const plan = {} as NetPlan;
    // float32 past, float64 resolves: the page offers float64, saying how well it holds.
    const helps = probeText({ plan, runs: 512, float32: { split: bad, past: true }, float64: { split: ok, past: false }, cells: 1 });
    expect(helps).toMatch(/Float64 resolves it: run again with each swept value moved by one float64 ulp \(the size of its own rounding\), 90% of the 50 runs on float64's smaller side stay there \(κ 0\.88\)\./);
    expect(helps).not.toMatch(/5 × 10\^8/);
    // float32 past, float64 too: chaotic training, no engine draws these cells' sides.
    const neither = probeText({ plan, runs: 512, float32: { split: bad, past: true }, float64: { split: bad, past: true }, cells: 1 });
    expect(neither).toMatch(/Float64 does not resolve it either: the same runs run again with each swept value moved by one float64 ulp \(the size of its own rounding\), 25 fail to train in the map, and nudged, only 36% of those same runs still fail to train\./);
    expect(neither).toMatch(/the training is chaotic there\), so no engine here can draw these cells' sides: zoom out \(Back\)/);
    // The headline the page shows first, the measurement folded under it.
    expect(probeHeadline({ plan, runs: 512, float32: { split: bad, past: true }, float64: { split: ok, past: false }, cells: 1 })).toBe("Float32's rounding, not the boundary, decides which side many of these runs end on; float64 resolves the view.");
    expect(probeHeadline({ plan, runs: 512, float32: { split: bad, past: true }, float64: { split: bad, past: true }, cells: 1 })).toMatch(/^Neither float32 nor float64 resolves this view\. Near this boundary the training is chaotic/);
    expect(probeHeadline({ plan, runs: 512, float32: { split: bad, past: true }, float64: null, cells: 1 })).toMatch(/may resolve the view\.$/);
    expect(probeHeadline({ plan, runs: 512, float32: null, float64: { split: bad, past: true }, cells: 1 })).toMatch(/^Not even float64 resolves this view\./);
    // A float64 map: judged against itself nudged.
    expect(probeText({ plan, runs: 512, float32: null, float64: { split: bad, past: true }, cells: 1 })).toMatch(/^Past float64's resolution: of 512 of this map's runs run again with each swept value moved by one float64 ulp, 25 fail to train in the map/);
    // The short line above the map; one run on the smaller side is "fails", not "fail".
    expect(resolvedHeadline(ok)).toBe('✓ float32 resolves this view: the map shows its boundary, not its rounding.');
    const few = { ...ok, minorityRuns: 1 };
    // Too few to judge: no tick, nothing was tested.
    expect(resolvedHeadline(few, 'float64')).toBe("Too few runs on one side of this map's boundary to test float64's resolution here.");
    // Resolved cells whose neighbours agree little beyond chance sample the boundary, which is finer
    // than they are: said, not "shows its boundary" (walkthrough 11: κ 0.05 at a 512x zoom).
    expect(resolvedHeadline(ok, 'float64', 0.05)).toBe("✓ float64's rounding does not decide these cells, but the boundary is finer than the cells: the map samples it.");
    expect(resolvedHeadline(ok, 'float64', 0.8)).toBe('✓ float64 resolves this view: the map shows its boundary, not its rounding.');
    expect(resolvedText(ok, 512, 'float64', 'untrained', 0.05)).toMatch(/But neighbouring cells agree little beyond chance \(κ 0\.05\): the boundary is finer than the cells, so this map samples it rather than drawing its shape\. Raise the count, or zoom in\.$/);
    expect(resolvedText(ok, 512, 'float64', 'untrained', 0.8)).not.toMatch(/neighbouring/);
    expect(resolvedText(few, 512)).toMatch(/: only 1 fails to train there, too few to judge float32's resolution \(10 needed\)\.$/);
    expect(resolvedText({ ...ok, minorityRuns: 0 }, 512)).toMatch(/: none fail to train there,/);
    expect(resolvedText(ok, 512, 'float64')).toBe(
      "✓ float64 resolves this view: 512 of its runs were run again with each swept value moved by one float64 ulp (the size of its own rounding); of the 50 that fail to train in the map, 90% still fail to train nudged and their agreement beyond chance (Cohen's κ) is 0.88 (a view fails below 50% or κ 0.5), so its boundary is not float64's rounding.",
    );
  });
});

describe('the probe controller', () => {
  const host = () => ({ addController: () => {}, removeController: () => {}, requestUpdate: () => {}, updateComplete: Promise.resolve(true) });
  // A 16 x 8 grid: runs 0..39 fail to train in the map (class 1: convergence >= 0).
  const SPEC = { ...fractalSpec({ x0: 2, x1: 3, y0: 1.5, y1: 2 }, 16, 10), sweep: { x: { param: 'optimizer.param_groups.0.lr', min: 100, max: 1000, count: 16, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0, max: 0.7, count: 8 } } };
  /** A float64 engine whose classes are given: `plain` for the grid's own runs, `nudged` for the points sweep. */
  const engines = (plain: (run: number) => boolean, nudged: (run: number) => boolean, opts: { failNudge?: boolean; onRun?: () => void } = {}) =>
    ({
      cpu64: {
        run: async (p: NetPlan, o: { range: { begin: number; end: number } }) => {
          opts.onRun?.();
          const isNudged = p.spec.sweep?.kind === 'points';
          if (isNudged && opts.failNudge) throw new Error('nudge refused');
          const f = isNudged ? nudged : plain;
          return { convergence: Float64Array.from({ length: o.range.end - o.range.begin }, (_, k) => (f(o.range.begin + k) ? 1 : -1)) };
        },
      },
    }) as unknown as EngineSet;
  const shownOf = (plan: NetPlan, f: (run: number) => boolean) => ({ convergence: Float64Array.from({ length: plan.runs }, (_, r) => (f(r) ? 1 : -1)) }) as unknown as NetResults;

  it('tests the nudged runs against float64 unmoved (the map\'s side counted, the nudge\'s kept), and keeps float32\'s verdict when the nudge fails', async () => {
    const plan = await netPlanOf(SPEC);
    const fails = (r: number) => r % 3 === 0;
    // The float32 map: no agreement with float64 (past). Nudged float64: a third of the failures stay.
    const ctl = new PrecisionProbeController(host(), engines(fails, (r) => r % 9 === 0));
    await ctl.probe(plan, shownOf(plan, (r) => r % 3 === 1), 'float32');
    const r = ctl.result;
    if (!r?.float32 || !r.float64) throw new Error('no result');
    expect(r.float32.past).toBe(true);
    // The reference is float64 unmoved: its smaller side is the sample's runs with r % 3 === 0.
    const sampled = probeRanges(plan).flatMap((x) => Array.from({ length: x.end - x.begin }, (_, k) => x.begin + k));
    expect(r.float64.split.minorityRuns).toBe(sampled.filter(fails).length);
    expect(r.float64.split.minorityKept).toBeCloseTo(sampled.filter((k) => k % 9 === 0).length / sampled.filter(fails).length, 12);
    expect(r.float64.past).toBe(true);
    expect(ctl.probing).toBe(false);
    // The nudge refused: float32's verdict stands, float64 is not measured.
    const ctl2 = new PrecisionProbeController(host(), engines(fails, fails, { failNudge: true }));
    await ctl2.probe(plan, shownOf(plan, (r) => r % 3 === 1), 'float32');
    expect(ctl2.result?.float32?.past).toBe(true);
    expect(ctl2.result?.float64).toBeNull();
    expect(probeText(ctl2.result as ProbeResult)).toMatch(/The float64 CPU engine may resolve it/);
  });

  it('judges a view with no boundary by its shades: float32 ranks that disagree with float64 are past its resolution (walkthrough 22)', async () => {
    const plan = await netPlanOf(SPEC);
    // Every run fails to train; float64 shades them by run, float32's map in a scrambled order.
    const valued = (f64: (run: number) => number, nudged: (run: number) => number) =>
      ({
        cpu64: {
          run: async (p: NetPlan, o: { range: { begin: number; end: number } }) => ({
            convergence: Float64Array.from({ length: o.range.end - o.range.begin }, (_, k) => (p.spec.sweep?.kind === 'points' ? nudged : f64)(o.range.begin + k)),
          }),
        },
      }) as unknown as EngineSet;
    const scrambled = { convergence: Float64Array.from({ length: plan.runs }, (_, r) => 1 + ((r * 7919) % 61)) } as unknown as NetResults;
    const ctl = new PrecisionProbeController(host(), valued((r) => 1 + r, (r) => 1.5 + r));
    await ctl.probe(plan, scrambled, 'float32');
    const r = ctl.result;
    if (!r?.float32 || !r.float64) throw new Error('no result');
    expect(r.float32.split.minorityRuns).toBe(0);
    expect(r.float32.shades?.side).toBe(1);
    expect(r.float32.shades?.rho).toBeLessThan(0.5);
    expect(r.float32.past).toBe(true);
    // Nudged, float64 keeps its order: it resolves the shades, and the page offers it.
    expect(r.float64.shades?.rho).toBeCloseTo(1, 12);
    expect(r.float64.past).toBe(false);
    expect(probeHeadline(r)).toBe("Nearly every run here ends on one side, and their shades (each run's convergence measure, ranked) are float32's rounding, not the training; float64 resolves the view.");
    expect(probeText(r)).toMatch(/^Past float32's resolution: of \d+ of this map's runs run again in float64, none train in float64, too few to test the boundary; of the \d+ that fail to train in both, float32 ranks them by their convergence measure with a rank correlation \(Spearman's ρ\) of only -?0\.\d\d against float64's/);
    expect(probeText(r)).toMatch(/Float64 resolves it: run again with each swept value moved by one float64 ulp \(the size of its own rounding\), their ranks agree with ρ 1\.00\./);
    // The same order in float32 as in float64: resolved (too few on one side to test the seam, shades fine).
    const same = new PrecisionProbeController(host(), valued((r) => 1 + r, (r) => 1 + r));
    await same.probe(plan, { convergence: Float64Array.from({ length: plan.runs }, (_, r) => 1 + r) } as unknown as NetResults, 'float32');
    expect(same.result?.float32?.past).toBe(false);
    expect(same.result?.float32?.shades?.rho).toBeCloseTo(1, 12);
  });

  it('a new sweep during the probe\'s float64 sample leaves nothing probing and no result for the old map', async () => {
    const plan = await netPlanOf(SPEC);
    let ctl: PrecisionProbeController | null = null;
    let runs = 0;
    // Cleared (a new sweep) while the float64 sample of the float32 map runs.
    ctl = new PrecisionProbeController(host(), engines(() => false, () => false, { onRun: () => { if (++runs === 2) ctl?.clear(); } }));
    await ctl.probe(plan, shownOf(plan, () => true), 'float32');
    expect(ctl.probing).toBe(false);
    expect(ctl.result).toBeNull();
  });
});

describe("neighbouring cells' agreement beyond chance", () => {
  it('is 1 for a map of two regions, about 0 for a checkerboard-free random map, -1 for a checkerboard, NaN without a boundary', () => {
    const w = 8;
    const halves = Uint8Array.from({ length: 64 }, (_, k) => (k % w < 4 ? 1 : 0));
    expect(neighbourKappa(halves, w, 8)).toBeGreaterThan(0.8);
    const checker = Uint8Array.from({ length: 64 }, (_, k) => ((k % w) + Math.floor(k / w)) % 2);
    expect(neighbourKappa(checker, w, 8)).toBeCloseTo(-1, 12);
    // A fixed pseudo-random map: cells say nothing of their neighbours.
    let x = 12345;
    const noise = Uint8Array.from({ length: 4096 }, () => ((x = (x * 1103515245 + 12345) % 2 ** 31), x > 2 ** 30 ? 1 : 0));
    expect(Math.abs(neighbourKappa(noise, 64, 64))).toBeLessThan(0.1);
    expect(neighbourKappa(new Uint8Array(64), w, 8)).toBeNaN();
  });
});
