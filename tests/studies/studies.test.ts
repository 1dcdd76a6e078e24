/**
 * Each study's central claim, checked numerically on its own runs (quick settings), on the float32
 * CPU engine and on the GPU engine (Node, SwiftShader in CI; no adapter fails the test).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';
import type { Engine } from '../../src/engine/engine.ts';
import { acquireNodeGpu } from '../../src/engine/gpu/device-node.ts';
import { GpuEngine } from '../../src/engine/gpu/engine.ts';
import { nodeShaderSources } from '../../src/engine/gpu/shader-sources-node.ts';
import { adamVsAdamW } from '../../src/studies/adam-adamw.ts';
import { flatVsSharp } from '../../src/studies/flat-vs-sharp.ts';
import { STUDIES } from '../../src/studies/index.ts';
import { lrFinder } from '../../src/studies/lr-finder.ts';
import { randomSearch } from '../../src/studies/random-search.ts';
import { schedulesLate } from '../../src/studies/schedules-late.ts';
import { panelSvg } from '../../src/view/svg.ts';
import { swaStudy } from '../../src/studies/swa.ts';
import { tuneTogether } from '../../src/studies/tune-together.ts';
import type { Study, StudyResult } from '../../src/studies/types.ts';

const num = (r: StudyResult, k: string): number => r.findings[k] as number;

const ENGINES: { name: string; make: () => Promise<Engine> }[] = [
  { name: 'cpu', make: async () => new CpuEngine('cpu', { workers: 0, spawn: null }) },
  { name: 'gpu', make: async () => new GpuEngine(await acquireNodeGpu('studies'), nodeShaderSources) },
];

for (const E of ENGINES) describe(`studies on ${E.name}: each claim, measured`, () => {
  let engine: Engine | null = null;
  const run = async (s: Study): Promise<StudyResult> => {
    engine ??= await E.make();
    return s.run({ engine, quick: true });
  };
  afterAll(async () => {
    await engine?.dispose();
  });

  it('flat vs sharp: no run settles in the sharp minimum beyond its stability limit; large LR and noise favour the flat one', async () => {
    const r = await run(flatVsSharp);
    expect(num(r, 'lambdaSharp') / num(r, 'lambdaFlat')).toBeGreaterThan(10);
    expect(num(r, 'sharpRunsWithinLimit')).toBeGreaterThan(100); // the control: settling is possible below it
    expect(num(r, 'sharpRunsBeyondStabilityLimit')).toBe(0);
    expect(num(r, 'sharpFractionAboveLimit')).toBeLessThan(num(r, 'sharpFractionBelowHalfLimit'));
    expect(num(r, 'flatFractionAboveLimit')).toBeGreaterThan(0.5);
    expect(num(r, 'sharpFractionWithMostNoise')).toBeLessThan(num(r, 'sharpFractionWithoutNoise'));
  });

  it('schedules: close together after 10% of training, far apart at the end; optimisers differ early', async () => {
    const r = await run(schedulesLate);
    expect(num(r, 'scheduleSpreadAt100')).toBeGreaterThan(1.5 * num(r, 'scheduleSpreadAt10'));
    expect(num(r, 'optimizerGapAt10')).toBeGreaterThan(num(r, 'scheduleSpreadAt10'));
  });

  it("tune together: SGD's best LR fails for Adam and Adam's best LR fails for SGD", async () => {
    const r = await run(tuneTogether);
    expect(num(r, 'sgdMomentumConvergedAtItsBest')).toBeGreaterThan(0.8);
    expect(num(r, 'adamConvergedAtItsBest')).toBeGreaterThan(0.8);
    expect(num(r, 'adamConvergedAtSgdBestLr')).toBeLessThan(0.2);
    expect(num(r, 'sgdMomentumConvergedAtAdamBestLr')).toBeLessThan(0.2);
    expect(num(r, 'adamBestLr') / num(r, 'sgdMomentumBestLr')).toBeGreaterThan(10);
  });

  it('random vs grid: random and Sobol beat a grid of the same budget once only some of 3-4 dimensions matter', async () => {
    const r = await run(randomSearch);
    for (const d of [3, 4]) {
      expect(num(r, `median_best_random_d${d}`)).toBeLessThan(num(r, `median_best_grid_d${d}`));
      expect(num(r, `median_best_sobol_d${d}`)).toBeLessThan(num(r, `median_best_grid_d${d}`));
    }
    // The grid gets worse with every unimportant dimension; random search does not.
    expect(num(r, 'median_best_grid_d4')).toBeGreaterThan(num(r, 'median_best_grid_d2'));
  });

  it("LR finder: the median suggestion lies inside the quadratic's converging band, below the stability limit", async () => {
    const r = await run(lrFinder);
    const med = num(r, 'medianSuggestion');
    expect(med).toBeGreaterThanOrEqual(num(r, 'bandLow'));
    expect(med).toBeLessThanOrEqual(num(r, 'bandHigh'));
    expect(num(r, 'bandHigh')).toBeLessThan(num(r, 'stabilityLimit'));
    expect(num(r, 'fractionInsideBand')).toBeGreaterThanOrEqual(0.5);
  });

  it('SWA: the average lands nearer the centre of the flat basin than the last iterate on most runs', async () => {
    const r = await run(swaStudy);
    expect(num(r, 'runsInFlatBasin')).toBeGreaterThan(100);
    expect(num(r, 'fractionSwaNearer')).toBeGreaterThan(0.6);
    expect(num(r, 'meanDistanceSwa')).toBeLessThan(num(r, 'meanDistanceLast'));
  });

  it('Adam vs AdamW: Adam ends at the L2-regularised minimum, AdamW does not', async () => {
    const r = await run(adamVsAdamW);
    expect(num(r, 'adamMedianDistanceToL2Minimum')).toBeLessThan(0.2);
    expect(num(r, 'adamWMedianDistanceToL2Minimum')).toBeGreaterThan(5 * num(r, 'adamMedianDistanceToL2Minimum'));
  });

  it('every study renders every panel as SVG', async () => {
    expect(STUDIES.length).toBe(12); // 7 on surfaces, the 5 network ones in network-studies.test.ts
    const r = await run(adamVsAdamW);
    for (const p of r.panels) {
      const svg = panelSvg(p, () => 'data:image/png;base64,');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain(p.title.replace(/&/g, '&amp;').slice(0, 10));
    }
  });
});
