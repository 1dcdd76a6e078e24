/**
 * Sharp minima and generalisation (Keskar et al. 2017, "On large-batch training for deep learning:
 * generalization gap and sharp minima"): large batches end in sharper minima, with a worse test
 * loss, than small batches. Here at matched LR/batch ratios (lr = r·B for a few r, so that the
 * gradient-noise scale lr/B is the same down a column) and the same number of epochs, on held-out
 * data: digits8, a 64-32-10 ReLU MLP, cross-entropy, plain SGD. Sharpness is the engine's: the
 * largest Hessian eigenvalue of the training loss at the final weights (power iteration on exact
 * Hessian-vector products).
 *
 * Same epochs means fewer steps for larger batches (epochs · N / B), so the study also reports the
 * final training loss: a worse test loss that comes with a worse training loss is under-training,
 * not a generalisation gap, and the summary says which it is.
 *
 * Besides the claim's matched-ratio runs, one arm at a single LR for every batch size (Keskar's own
 * comparison, where lr/B, the gradient-noise scale, falls as the batch grows) is reported next to
 * it: the noise-scale view (Smith & Le 2018; Jastrzebski et al. 2017) expects the minimum's
 * sharpness to follow lr/B rather than B itself.
 */
import { rankCorrelation } from '../core/validate.ts';
import { fmt, median, runNetSpec, studySize, verdictOf } from './run.ts';
import type { NetPlan } from '../core/network/plan.ts';
import type { NetHeatmapMode } from '../view/net-frame.ts';
import type { ChartPanel, PanelSource, Study, StudyContext, StudyResult, SummaryTable, Verdict } from './types.ts';
import { plural } from '../view/caption.ts';
import { OKABE_ITO, viridisCss } from '../view/colors.ts';
import { superscript } from '../view/text.ts';

interface Size {
  /** Batch sizes 2^bMin .. 2^bMax. */
  readonly bMin: number;
  readonly bMax: number;
  /** lr / B ratios, 2^rMin .. 2^rMax (one per power of 2). */
  readonly rMin: number;
  readonly rMax: number;
  readonly seeds: number;
  readonly epochs: number;
  readonly train: number;
  readonly sharpnessIterations: number;
  /** Keskar's own comparison besides: one LR for every batch size (so lr/B falls as B grows). */
  readonly fixedLr: number;
}

/**
 * Trained to a minimum: Keskar et al. compare the minima training ends in, so every run must get
 * there. The matched-ratio runs take the same number of SGD "noise-scale steps" at every batch
 * (epochs x N / B steps of lr = r·B: epochs x N x r), so what sets their training loss is r and the
 * epochs, not B. At 20 epochs the default's training loss was still 0.37 to 0.41 (sharpness read
 * on the way down, not at a minimum); at 100 epochs and r = 2^-6 it is about 0.03, at 2^-5 about
 * 0.007, and r = 2^-8 is still at 0.21 (measured, batches 4 to 128). So the default runs
 * r = 2^-6 and 2^-5 for 100 epochs, batches 4..64: at 2^-5 batch 128 would need lr 4, where this
 * network stops training (measured: it sits at chance, loss 2.3), as batch-lr's best LR levels off
 * at about 1.8. A few minutes on the CPU engines.
 */
export const SHARP_SIZES: { readonly quick: Size; readonly default: Size; readonly full: Size } = {
  quick: { bMin: 3, bMax: 6, rMin: -6, rMax: -6, seeds: 1, epochs: 5, train: 300, sharpnessIterations: 30, fixedLr: 0.125 },
  default: { bMin: 2, bMax: 6, rMin: -6, rMax: -5, seeds: 2, epochs: 100, train: 1000, sharpnessIterations: 100, fixedLr: 0.125 },
  full: { bMin: 1, bMax: 6, rMin: -7, rMax: -5, seeds: 5, epochs: 300, train: 4000, sharpnessIterations: 100, fixedLr: 0.125 },
};

/** 2 to an integer power, written with a superscript exponent (2⁻⁶). */
function pow2(r: number): string {
  return `2${superscript(Math.round(Math.log2(r)))}`;
}

/** Rank correlation with the batch size that counts as "grows with it". */
export const MIN_RANK_CORRELATION = 0.6;

export interface SharpFindings {
  readonly batchSizes: readonly number[];
  /** Median over ratios and seeds, per batch size. */
  readonly sharpness: readonly number[];
  readonly testLoss: readonly number[];
}

/** Spearman rank correlations of the final sharpness and of the test loss with the batch size. */
export function rankCorrelations(f: SharpFindings): { readonly sharpnessRho: number; readonly testLossRho: number } {
  return { sharpnessRho: rankCorrelation(f.batchSizes, f.sharpness), testLossRho: rankCorrelation(f.batchSizes, f.testLoss) };
}

/**
 * The claim: across batch sizes, the final sharpness and the test loss both rise with the batch
 * (Spearman rank correlation with B at least MIN_RANK_CORRELATION), and the largest batch ends
 * sharper and with a worse test loss than the smallest.
 */
export function checkSharpMinima(f: SharpFindings): Verdict {
  const n = f.batchSizes.length;
  const { sharpnessRho, testLossRho } = rankCorrelations(f);
  return verdictOf([
    [n >= 3, `${n} batch sizes; the check needs at least 3`, `${n} batch sizes (the check needs at least 3)`],
    [
      sharpnessRho >= MIN_RANK_CORRELATION,
      `sharpness vs batch size at matched lr/B (the claim's comparison): rank correlation ${fmt(sharpnessRho, 2)}, below ${MIN_RANK_CORRELATION}`,
      `sharpness vs batch size at matched lr/B (the claim's comparison): rank correlation ${fmt(sharpnessRho, 2)}, at least ${MIN_RANK_CORRELATION}`,
    ],
    [
      testLossRho >= MIN_RANK_CORRELATION,
      `test loss vs batch size at matched lr/B: rank correlation ${fmt(testLossRho, 2)}, below ${MIN_RANK_CORRELATION}`,
      `test loss vs batch size at matched lr/B: rank correlation ${fmt(testLossRho, 2)}, at least ${MIN_RANK_CORRELATION}`,
    ],
    [(f.sharpness[n - 1] as number) > (f.sharpness[0] as number), 'at matched lr/B the largest batch does not end sharper than the smallest', 'at matched lr/B the largest batch ends sharper than the smallest'],
    [
      (f.testLoss[n - 1] as number) > (f.testLoss[0] as number),
      'at matched lr/B the largest batch does not end with a worse test loss than the smallest',
      'at matched lr/B the largest batch ends with a worse test loss than the smallest',
    ],
  ]);
}

export const sharpMinima: Study = {
  id: 'sharp-minima',
  problem: 'network',
  title: 'Large batches, sharp minima and generalisation',
  terms: ['batch size (B)', 'learning rate (LR)', 'lr/B', 'sharpness (λ)', 'test loss', 'rank correlation', 'MLP', 'digits 8x8'],
  claim: 'At matched LR/batch ratio, large batches end in sharper minima (larger top Hessian eigenvalue) with a worse test loss than small batches (Keskar et al. 2017).',
  // Per batch size and seed: the matched-ratio sweep and the fixed-LR run.
  sweeps: (ctx) => {
    const s = studySize(ctx, SHARP_SIZES);
    return { count: (s.bMax - s.bMin + 1) * s.seeds * 2, atMost: false };
  },
  async run(ctx: StudyContext): Promise<StudyResult> {
    const size = studySize(ctx, SHARP_SIZES);
    const batches: number[] = [];
    for (let b = size.bMin; b <= size.bMax; b++) batches.push(2 ** b);
    const ratios: number[] = [];
    for (let r = size.rMin; r <= size.rMax; r++) ratios.push(2 ** r);
    // cell[b][r] = per-seed values.
    const sharp: number[][][] = batches.map(() => ratios.map(() => []));
    const test: number[][][] = batches.map(() => ratios.map(() => []));
    const train: number[][][] = batches.map(() => ratios.map(() => []));
    const acc: number[][][] = batches.map(() => ratios.map(() => []));
    let diverged = 0;
    const fixedSharp: number[][] = batches.map(() => []);
    const fixedTest: number[][] = batches.map(() => []);
    const fixedTrain: number[][] = batches.map(() => []);
    // The first seed's matched-ratio sweep at each batch size (what the charts open in the explorer).
    const matchedSpecs: NetPlan['spec'][] = [];
    for (const [bi, B] of batches.entries()) {
      const steps = Math.max(1, Math.round((size.epochs * size.train) / B));
      for (let seed = 0; seed < size.seeds; seed++) {
        const lo = (ratios[0] as number) * B;
        const hi = (ratios[ratios.length - 1] as number) * B;
        const base = (lr: number): Record<string, unknown> => ({
          network: { hidden: [32], activation: 'relu', batch_size: B, sharpness_iterations: size.sharpnessIterations, init_seed: seed },
          data: { name: 'digits8', train: size.train, test: 500 },
          optimizer: { name: 'SGD', lr },
          steps,
          noise: { seed },
        });
        const ran = await runNetSpec(ctx, `batch ${B}, seed ${seed}`, {
          ...base(lo),
          ...(ratios.length > 1 ? { sweep: { x: { param: 'optimizer.lr', min: lo, max: hi, count: ratios.length, scale: 'log' } } } : {}),
        });
        if (seed === 0) matchedSpecs.push(ran.plan.spec);
        const fixed = await runNetSpec(ctx, `batch ${B}, seed ${seed}, lr ${size.fixedLr}`, base(size.fixedLr));
        if (fixed.results.diverged[0]) diverged++;
        else {
          fixedSharp[bi]?.push(fixed.results.sharpness[0] as number);
          fixedTest[bi]?.push(fixed.results.test_loss[0] as number);
          fixedTrain[bi]?.push(fixed.results.train_loss[0] as number);
        }
        for (let ri = 0; ri < ratios.length; ri++) {
          if (ran.results.diverged[ri]) {
            diverged++;
            continue;
          }
          sharp[bi]?.[ri]?.push(ran.results.sharpness[ri] as number);
          test[bi]?.[ri]?.push(ran.results.test_loss[ri] as number);
          train[bi]?.[ri]?.push(ran.results.train_loss[ri] as number);
          acc[bi]?.[ri]?.push(ran.results.test_accuracy?.[ri] ?? Number.NaN);
        }
      }
    }
    const pooled = (c: number[][][]): number[] => c.map((row) => median(row.flat()));
    const perRatio = (c: number[][][], ri: number): number[] => c.map((row) => median(row[ri] ?? []));
    const f: SharpFindings = { batchSizes: batches, sharpness: pooled(sharp), testLoss: pooled(test) };
    const check = checkSharpMinima(f);
    const rho = rankCorrelations(f);
    const trainLoss = pooled(train);
    const n = batches.length;
    // Under-training, not a generalisation gap: the largest batch's training loss is worse too.
    const underTrained = (trainLoss[n - 1] as number) > 2 * (trainLoss[0] as number);
    const fixed = {
      sharpness: fixedSharp.map((v) => median(v)),
      testLoss: fixedTest.map((v) => median(v)),
      trainLoss: fixedTrain.map((v) => median(v)),
    };
    const fixedF: SharpFindings = { batchSizes: batches, sharpness: fixed.sharpness, testLoss: fixed.testLoss };
    const fixedCheck = checkSharpMinima(fixedF);
    const fixedRho = rankCorrelations(fixedF);
    const findings = {
      epochs: size.epochs,
      seeds: size.seeds,
      lrOverBatch: ratios,
      batchSizes: batches,
      sharpness: f.sharpness,
      testLoss: f.testLoss,
      trainLoss,
      generalisationGap: f.testLoss.map((t, k) => t - (trainLoss[k] as number)),
      testAccuracy: pooled(acc),
      // Pooled over batch sizes, per lr/B ratio: what the noise-scale view says sharpness follows.
      sharpnessByRatio: ratios.map((_, ri) => median(sharp.flatMap((row) => row[ri] ?? []))),
      sharpnessRankCorrelation: rho.sharpnessRho,
      testLossRankCorrelation: rho.testLossRho,
      fixedLr: size.fixedLr,
      fixedLrSharpness: fixed.sharpness,
      fixedLrTestLoss: fixed.testLoss,
      fixedLrTrainLoss: fixed.trainLoss,
      fixedLrSharpnessRankCorrelation: fixedRho.sharpnessRho,
      fixedLrTestLossRankCorrelation: fixedRho.testLossRho,
      /** The same check on the fixed-LR arm (Keskar's own comparison); not the claim's. */
      fixedLrCheckHolds: fixedCheck.holds,
      divergedRuns: diverged,
      largestBatchUnderTrained: underTrained,
    };
    // One colour per series across the charts: each lr/B ratio its own (blue, orange, ...), the
    // matched-ratio median the check judges pink (Okabe-Ito's reddish purple), the fixed-LR contrast black; training dashed.
    const colours = [OKABE_ITO.blue, OKABE_ITO.vermillion, OKABE_ITO.green, OKABE_ITO.orange, OKABE_ITO.sky];
    const POOLED = OKABE_ITO.purple;
    const FIXED = '#000';
    const ratioLabel = (r: number): string => `lr/B = ${pow2(r)}`;
    const perRatioSeries = (c: number[][][]): ChartPanel['series'] =>
      ratios.map((r, ri) => ({ label: ratioLabel(r), x: batches, y: perRatio(c, ri), colour: colours[ri % colours.length] as string }));
    // Each opens the batch's matched sweep: its lr/B ratios side by side.
    const opens = (mode: NetHeatmapMode): PanelSource[] =>
      matchedSpecs.map((spec, bi) => ({ label: `batch ${batches[bi] ?? ''}, lr/B = ${ratios.map(pow2).join(' and ')} (seed 0)`, spec, mode }));
    const sharpChart: ChartPanel = {
      kind: 'chart',
      title: 'Sharpness at the end of training, by batch size',
      xLabel: 'batch size',
      yLabel: 'top Hessian eigenvalue',
      logX: true,
      logY: true,
      series: [
        ...perRatioSeries(sharp),
        { label: 'matched lr/B, median of all (the check)', x: batches, y: f.sharpness, colour: POOLED, points: true },
        { label: `one fixed lr ${size.fixedLr} (contrast)`, x: batches, y: fixed.sharpness, colour: FIXED, dashed: true },
      ],
      sources: opens('sharpness'),
    };
    const testChart: ChartPanel = {
      kind: 'chart',
      title: 'Test (solid) and training (dashed) loss at the end, by batch size',
      xLabel: 'batch size',
      yLabel: 'loss (cross-entropy)',
      logX: true,
      logY: true,
      series: [
        { label: 'test, matched lr/B (the check)', x: batches, y: f.testLoss, colour: POOLED },
        { label: 'training, matched lr/B', x: batches, y: trainLoss, colour: POOLED, dashed: true },
        { label: `test, one fixed lr ${size.fixedLr}`, x: batches, y: fixed.testLoss, colour: FIXED },
        { label: `training, one fixed lr ${size.fixedLr}`, x: batches, y: fixed.trainLoss, colour: FIXED, dashed: true },
      ],
      sources: opens('test_loss'),
    };
    const scatter: ChartPanel = {
      kind: 'chart',
      title: 'Test loss against sharpness, every matched-lr/B run (darker: larger batch)',
      xLabel: 'sharpness',
      yLabel: 'test loss',
      logX: true,
      logY: true,
      series: batches.map((B, bi) => ({
        label: `B ${B}`,
        x: (sharp[bi] ?? []).flat(),
        y: (test[bi] ?? []).flat(),
        // A sequential ramp, not the ratios' colours: here colour is the batch size.
        // From yellow (0.95) to purple (0.15), short of viridis' near-black end, where two dark points
        // read as one colour (walkthrough 14: B 32 and B 64 at 0.21 and 0).
        colour: viridisCss(0.95 - (0.8 * bi) / Math.max(1, batches.length - 1)),
        points: true,
      })),
      sources: opens('sharpness'),
    };
    const tables: SummaryTable[] = [
      {
        title: `By batch size: medians over the matched-lr/B runs (the check's), and at one fixed lr ${size.fixedLr} (the contrast)`,
        columns: ['batch size', 'sharpness', 'test loss', 'training loss', `sharpness, lr ${size.fixedLr}`, `test loss, lr ${size.fixedLr}`, `training loss, lr ${size.fixedLr}`],
        rows: batches.map((B, k) => [String(B), ...[f.sharpness, f.testLoss, trainLoss, fixed.sharpness, fixed.testLoss, fixed.trainLoss].map((v) => fmt(v[k] as number))]),
      },
    ];
    const claimPart =
      `Digits 8x8 (${size.train} training images), 64-32-10 ReLU MLP, plain SGD at lr = r·B for r in ${ratios.map(pow2).join(', ')}, ${size.epochs} epochs, ${plural(size.seeds, 'seed')}. ` +
      `Over the matched-lr/B runs, the rank correlation with the batch size is ${fmt(rho.sharpnessRho, 2)} for the median sharpness and ${fmt(rho.testLossRho, 2)} for the median test loss (the values: the table below). ` +
      `Pooled over batch sizes, the median sharpness by lr/B is ${ratios.map((r, ri) => `${pow2(r)}: ${fmt(median(sharp.flatMap((row) => row[ri] ?? [])))}`).join(', ')}. ` +
      // The check pools the ratios at each batch size; each ratio alone, for the reader (not checked).
      `Each ratio alone (the coloured lines), the rank correlations with the batch size are ${ratios
        .map((r, ri) => {
          const one = rankCorrelations({ batchSizes: batches, sharpness: perRatio(sharp, ri), testLoss: perRatio(test, ri) });
          return `${pow2(r)}: ${fmt(one.sharpnessRho, 2)} for sharpness and ${fmt(one.testLossRho, 2)} for test loss`;
        })
        .join('; ')} (reported, not checked). ` +
      (underTrained ? 'The largest batches also end with a much worse training loss: at the same epochs they took fewer steps, so part of their worse test loss is under-training. ' : '') +
      (diverged > 0 ? `${diverged} run(s) diverged and are left out.` : '');
    const rises = (rho: number): string => (rho >= MIN_RANK_CORRELATION ? 'rises' : rho <= -MIN_RANK_CORRELATION ? 'falls' : 'shows no clear order');
    const how =
      `How it is checked: on the matched-lr/B runs (the claim's comparison; pink in the charts), sharpness and test loss must each rise with the batch size, ` +
      `a rank correlation of at least ${MIN_RANK_CORRELATION} (1: every larger batch higher; ${MIN_RANK_CORRELATION}: a clear rise with a swap or two; 0: no order), and the largest batch must end above the smallest.`;
    const summary =
      `${claimPart.trimEnd()}\n\n${how}\n\n` +
      `For contrast, one LR for every batch (${size.fixedLr}, Keskar's comparison, where lr/B falls as the batch grows; black in the charts, not judged): ` +
      `the sharpness ${rises(fixedRho.sharpnessRho)} with the batch (rank correlation ${fmt(fixedRho.sharpnessRho, 2)}) and the test loss ${rises(fixedRho.testLossRho)} (${fmt(fixedRho.testLossRho, 2)})` +
      ((fixed.trainLoss[n - 1] as number) > 2 * (fixed.trainLoss[0] as number) ? '; at one LR the same epochs are fewer steps for the larger batches, which end less trained.' : '.') +
      (fixedRho.sharpnessRho >= MIN_RANK_CORRELATION && fixedRho.testLossRho < MIN_RANK_CORRELATION
        ? ` So at one LR sharpness does rise with the batch, yet the test loss does not follow it: sharper is not worse here${rho.testLossRho < MIN_RANK_CORRELATION ? ' either' : ''}.`
        : '');
    return { id: 'sharp-minima', panels: [sharpChart, testChart, scatter], findings, verdict: check, summary, tables };
  },
};
