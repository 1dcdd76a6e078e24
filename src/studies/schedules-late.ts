/**
 * "The optimiser matters early, the schedule matters late." The same start-point sweep under seven
 * schedules and two optimisers, looked at after 10%, 50% and 100% of training. Stopping a run early
 * is running it for fewer steps with the same schedule parameters: every run is deterministic, so
 * its first k steps are the same whatever its length.
 */
import { SERIES_COLOURS } from '../view/colors.ts';
import { makePlan } from '../core/plan.ts';
import type { Plan } from '../core/plan.ts';
import type { Results } from '../core/results.ts';
import { parseSpec } from '../core/spec.ts';
import { scheduleCurve } from '../core/steps.ts';
import { lossFloorOf, sharedRange, valueRange } from '../view/frame.ts';
import { fmt, median, runSpec, verdictOf } from './run.ts';
import type { ChartPanel, HeatmapPanel, PanelSource, Study, StudyContext, StudyResult, Verdict } from './types.ts';

const SCHEDULES: readonly { label: string; schedule: (steps: number) => Record<string, unknown> | null }[] = [
  { label: 'constant', schedule: () => null },
  { label: 'step', schedule: (n) => ({ name: 'StepLR', step_size: Math.round(n / 3), gamma: 0.1 }) },
  { label: 'exponential', schedule: (n) => ({ name: 'ExponentialLR', gamma: Math.exp(Math.log(1e-3) / n) }) },
  { label: 'cosine', schedule: (n) => ({ name: 'CosineAnnealingLR', T_max: n }) },
  { label: 'cyclic', schedule: (n) => ({ name: 'CyclicLR', base_lr: 0.0005, max_lr: 0.01, step_size_up: Math.round(n / 8), mode: 'triangular2', cycle_momentum: false }) },
  { label: 'one-cycle', schedule: (n) => ({ name: 'OneCycleLR', max_lr: 0.01, total_steps: n, cycle_momentum: false }) },
  {
    label: 'warmup + cosine',
    schedule: (n) => ({
      name: 'SequentialLR',
      milestones: [Math.round(n / 10)],
      schedulers: [
        { name: 'LinearLR', start_factor: 0.01, total_iters: Math.round(n / 10) },
        { name: 'CosineAnnealingLR', T_max: n - Math.round(n / 10) },
      ],
    }),
  },
];

const FRACTIONS = [0.1, 0.5, 1] as const;

/** Median of log10(loss − best minimum) over the runs that did not diverge. */
function medianLogGap(res: Results, floor: number): number {
  const v: number[] = [];
  for (let i = 0; i < res.loss.length; i++) {
    if (res.diverged[i]) continue;
    v.push(Math.log10(Math.max((res.loss[i] as number) - floor, 1e-12)));
  }
  return median(v);
}

/**
 * Where the runs are: in a global minimum, in another (local) one, still moving (within no
 * minimum's radius at the end), diverged; shares of all runs. Walkthrough 12 read Adam's median gap
 * (about 10^-0.09, the local minima's 0.82) as "Adam never trains": it had settled nearly every run,
 * many in a local minimum, while SGD with momentum kept most of its runs moving in the noise.
 */
export function whereRunsEnd(plan: Plan, res: Results): { readonly global: number; readonly local: number; readonly moving: number; readonly diverged: number } {
  const best = Math.min(...plan.minima.map((m) => m.value));
  let global = 0;
  let local = 0;
  let moving = 0;
  let diverged = 0;
  for (let i = 0; i < res.basin.length; i++) {
    const b = res.basin[i] as number;
    if (res.diverged[i]) diverged++;
    else if (b < 0) moving++;
    else if ((plan.minima[b]?.value ?? Number.NaN) - best <= 1e-9 * Math.max(1, Math.abs(best))) global++;
    else local++;
  }
  const n = Math.max(1, res.basin.length);
  return { global: global / n, local: local / n, moving: moving / n, diverged: diverged / n };
}

function spread(xs: readonly number[]): number {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
}

/**
 * The claim: the schedules' spread at the end of training is well over their spread after 10% of
 * it (at least 1.5 times), and early on the optimiser makes more difference than the schedule,
 * with Adam at SGD's LR and at SGD with momentum's step (lr / (1 − momentum)): the two LRs are not
 * on one scale (walkthrough 19: a gap at one numeric LR could be the step size alone).
 */
export function checkSchedulesLate(f: {
  readonly scheduleSpreadAt10: number;
  readonly scheduleSpreadAt100: number;
  readonly optimizerGapAt10: number;
  readonly optimizerGapAt10MatchedStep: number;
}): Verdict {
  return verdictOf([
    [
      f.scheduleSpreadAt100 > 1.5 * f.scheduleSpreadAt10,
      `the schedules end ${fmt(f.scheduleSpreadAt100)} decades apart, not 1.5 times their spread after 10% (${fmt(f.scheduleSpreadAt10)})`,
      `the schedules end ${fmt(f.scheduleSpreadAt100)} decades apart, more than 1.5 times their spread after 10% (${fmt(f.scheduleSpreadAt10)})`,
    ],
    [
      f.optimizerGapAt10 > f.scheduleSpreadAt10,
      `after 10% SGD and Adam at one LR differ by ${fmt(f.optimizerGapAt10)} decades, no more than the schedules (${fmt(f.scheduleSpreadAt10)})`,
      `after 10% SGD and Adam at one LR differ by ${fmt(f.optimizerGapAt10)} decades, more than the schedules (${fmt(f.scheduleSpreadAt10)})`,
    ],
    [
      f.optimizerGapAt10MatchedStep > f.scheduleSpreadAt10,
      `after 10% SGD and Adam at SGD with momentum's step differ by ${fmt(f.optimizerGapAt10MatchedStep)} decades, no more than the schedules (${fmt(f.scheduleSpreadAt10)}): the gap at one LR is the step size's`,
      `after 10% SGD and Adam at SGD with momentum's step differ by ${fmt(f.optimizerGapAt10MatchedStep)} decades, more than the schedules (${fmt(f.scheduleSpreadAt10)}): not the step size alone`,
    ],
  ]);
}

export const schedulesLate: Study = {
  id: 'schedules-late',
  title: 'Optimiser matters early, schedule matters late',
  terms: ['LR schedule', 'decade'],
  claim:
    'Under one optimiser, seven schedules leave runs in much the same place after 10% of training and far apart at the end; two optimisers under one schedule are already far apart at 10%, at one LR and at matched step sizes.',
  sweeps: () => ({ count: (SCHEDULES.length + 1) * FRACTIONS.length + 1, atMost: false }),
  async run(ctx: StudyContext): Promise<StudyResult> {
    const n = ctx.quick ? 32 : 128;
    const total = ctx.quick ? 400 : 1000;
    const sweep = {
      x: { param: 'start.0', min: -3, max: 3, count: n },
      y: { param: 'start.1', min: -2, max: 2, count: n },
    };
    const base = { surface: 'six_hump_camel', noise: { std: 1.5, seed: 11 }, sweep };
    const sgd = { name: 'SGD', lr: 0.01, momentum: 0.9 };
    // Adam's step is about its lr per coordinate, SGD with momentum's about lr / (1 − momentum)
    // times the gradient: Adam is compared at SGD's lr and at that step (walkthrough 19).
    const matchedLr = sgd.lr / (1 - sgd.momentum);
    const medians: Record<string, number[]> = {};
    const panels: HeatmapPanel[] = [];
    const sources: PanelSource[] = [];
    let floor = 0;
    let sgdEnd: ReturnType<typeof whereRunsEnd> | null = null;
    for (const s of SCHEDULES) {
      medians[s.label] = [];
      for (const f of FRACTIONS) {
        const steps = Math.round(total * f);
        const ran = await runSpec(ctx, `SGD, ${s.label} LR, ${f * 100}% of training`, { ...base, optimizer: sgd, schedule: s.schedule(total), steps });
        floor = Math.min(...ran.plan.minima.map((m) => m.value));
        medians[s.label]?.push(medianLogGap(ran.results, floor));
        if (s.label === 'constant' && f === 1) sgdEnd = whereRunsEnd(ran.plan, ran.results);
        if (s.label === 'constant' || s.label === 'cosine' || s.label === 'one-cycle') {
          if (f !== 0.5) panels.push({ kind: 'heatmap', title: `SGD, ${s.label}: final loss at ${f * 100}%`, plan: ran.plan, results: ran.results, mode: 'loss' });
        }
        if (f === 1) sources.push({ label: `SGD, ${s.label}`, spec: ran.plan.spec });
        if (f === 1 && s.label === 'cosine') panels.push({ kind: 'heatmap', title: 'SGD, cosine: minimum reached at 100%', plan: ran.plan, results: ran.results, mode: 'basin' });
      }
    }
    // The other optimiser, same (constant) schedule.
    const adam: number[] = [];
    let adamEnd: ReturnType<typeof whereRunsEnd> | null = null;
    for (const f of FRACTIONS) {
      const ran = await runSpec(ctx, `Adam, constant LR, ${f * 100}% of training`, { ...base, optimizer: { name: 'Adam', lr: 0.01 }, steps: Math.round(total * f) });
      adam.push(medianLogGap(ran.results, floor));
      if (f === 1) {
        sources.push({ label: 'Adam, constant', spec: ran.plan.spec });
        adamEnd = whereRunsEnd(ran.plan, ran.results);
        panels.push({ kind: 'heatmap', title: 'Adam, constant: minimum reached at 100%', plan: ran.plan, results: ran.results, mode: 'basin' });
      }
    }
    // Adam at SGD with momentum's step size, early only: whether the early gap is the step size's.
    const matched = await runSpec(ctx, `Adam, constant LR ${fmt(matchedLr)}, 10% of training`, { ...base, optimizer: { name: 'Adam', lr: matchedLr }, steps: Math.round(total * (FRACTIONS[0] as number)) });
    const adamMatchedAt10 = medianLogGap(matched.results, floor);
    // The loss maps are meant to be compared (early against late, schedule against schedule): one
    // colour scale spans them all.
    const loss = panels.filter((p) => p.mode === 'loss');
    const ranges = loss.map((p) => valueRange('loss', p.results, p.plan.runs, lossFloorOf(p.plan), p.plan.spec.steps));
    const shared = sharedRange(ranges);
    // Said once, on the first (walkthrough 12: every title repeated it).
    const firstLoss = panels.find((p) => p.mode === 'loss');
    const shown = panels.map((p) => (p.mode === 'loss' && shared ? { ...p, title: p === firstLoss ? `${p.title} (one colour scale for this and the loss maps below)` : p.title, range: shared } : p));
    const at = (k: number): number[] => SCHEDULES.map((s) => medians[s.label]?.[k] as number);
    const spreadEarly = spread(at(0));
    const spreadLate = spread(at(2));
    const optimizerGapEarly = Math.abs((adam[0] as number) - (medians.constant?.[0] as number));
    const optimizerGapLate = Math.abs((adam[2] as number) - (medians.constant?.[2] as number));
    const optimizerGapMatched = Math.abs(adamMatchedAt10 - (medians.constant?.[0] as number));
    const ends = at(2);
    const noisiest = SCHEDULES[ends.indexOf(Math.max(...ends))]?.label ?? '';
    const pc = (x: number): string => `${Math.round(100 * x)}%`;
    const findings = {
      scheduleSpreadAt10: spreadEarly,
      scheduleSpreadAt50: spread(at(1)),
      scheduleSpreadAt100: spreadLate,
      optimizerGapAt10: optimizerGapEarly,
      optimizerGapAt100: optimizerGapLate,
      // Adam at lr / (1 − momentum) of SGD's: the step SGD with momentum takes.
      matchedStepLr: matchedLr,
      optimizerGapAt10MatchedStep: optimizerGapMatched,
      medianLogLossAt100: ends,
      schedules: SCHEDULES.map((s) => s.label),
      noisiestSchedule: noisiest,
      // Shares of all runs at the end, under the constant LR: [in a global minimum, a local one, still moving, diverged].
      sgdConstantEnd: sgdEnd ? [sgdEnd.global, sgdEnd.local, sgdEnd.moving, sgdEnd.diverged] : [],
      adamConstantEnd: adamEnd ? [adamEnd.global, adamEnd.local, adamEnd.moving, adamEnd.diverged] : [],
    };
    const where = (e: ReturnType<typeof whereRunsEnd> | null): string =>
      e ? `${pc(e.global)} in a global minimum, ${pc(e.local)} in a local one, ${pc(e.moving)} still moving${e.diverged > 0 ? `, ${pc(e.diverged)} diverged` : ''}` : '';
    const summary =
      `Median log10(loss − best) across a ${n}×${n} grid of starts on the six-hump camel with gradient noise: after 10% of ` +
      `training the seven SGD schedules differ by a standard deviation of ${fmt(spreadEarly)} decades, at the end by ${fmt(spreadLate)}; ` +
      `SGD and Adam with the same constant LR (0.01) already differ by ${fmt(optimizerGapEarly)} decades at 10%, and still by ${fmt(optimizerGapLate)} at the end. ` +
      `One number is not one step size: SGD with momentum ${sgd.momentum} moves about lr / (1 − momentum) = ${fmt(matchedLr)} times the gradient a step, Adam about its lr per coordinate; ` +
      `Adam at lr ${fmt(matchedLr)} still differs from SGD by ${fmt(optimizerGapMatched)} decades at 10%: ` +
      `the optimiser's difference is there from the first tenth of training, not the step size's alone, and the schedules' opens late. ` +
      `The two differ in kind, not only in degree: at the end Adam has ${where(adamEnd)}; SGD with momentum ${where(sgdEnd)}, ` +
      `bounced about by the noise (Adam divides each step by the gradient's running size, noise included, so its noisy kicks stay about as long as its LR and it settles in the first minimum it reaches; SGD's kicks grow with the noise, and momentum adds them up). ` +
      `Annealed schedules (step, exponential, cosine, one-cycle, warmup + cosine) end up to ${fmt(Math.max(...ends) - Math.min(...ends))} decades below the ` +
      `noisiest, ${noisiest} LR: the late LR sets the noise floor a run settles to.`;
    return {
      id: 'schedules-late',
      findings,
      verdict: checkSchedulesLate(findings),
      summary,
      panels: [
        lrCurves(base, total, sources.filter((x) => x.label.startsWith('SGD'))),
        ...shown,
        {
          kind: 'chart',
          title: 'Median loss gap by schedule over training',
          xLabel: 'fraction of training',
          yLabel: 'median log10(loss − best)',
          series: [
            // Three measurements joined: dots at each. Every other schedule dashed, so that no two
            // look-alike hues (walkthrough 6 could not tell constant, cosine and one-cycle apart) are
            // drawn the same way.
            ...SCHEDULES.map((s, k) => ({ label: s.label, x: [...FRACTIONS], y: medians[s.label] ?? [], colour: PALETTE[k % PALETTE.length] as string, dashed: k % 2 === 1, markers: true })),
            { label: 'Adam (constant)', x: [...FRACTIONS], y: adam, colour: '#000', markers: true },
          ],
          sources,
        },
      ],
    };
  },
};

/**
 * The seven schedules' LR per step (walkthrough 12: a page about schedules showed none of them). A
 * linear axis: their shapes (a half cosine, a triangle's waves) are what a reader comes for.
 */
function lrCurves(base: Record<string, unknown>, total: number, sources: readonly PanelSource[]): ChartPanel {
  const steps = Array.from({ length: total }, (_, k) => k);
  return {
    kind: 'chart',
    title: 'The seven schedules: the LR of each step (SGD, lr 0.01)',
    xLabel: 'step',
    yLabel: 'LR',
    series: SCHEDULES.map((s, k) => {
      const plan = makePlan(parseSpec({ ...base, sweep: null, optimizer: { name: 'SGD', lr: 0.01, momentum: 0.9 }, schedule: s.schedule(total), steps: total }));
      return { label: s.label, x: steps, y: Array.from(scheduleCurve(plan).lr), colour: PALETTE[k % PALETTE.length] as string, dashed: k % 2 === 1 };
    }),
    sources,
  };
}

/** The shared series colours (Okabe–Ito without its yellow, unreadable as a thin line on white), then a grey for the seventh. */
const PALETTE = [...SERIES_COLOURS, '#7f7f7f'];
