/**
 * The words a map is explained with (view/caption.ts, view/legend.ts), generated from its plan:
 * the caption names the runs, axes and colouring; the legend names every colour and what λ is.
 */
import { describe, expect, it } from 'vitest';
import { makePlan } from '../../src/core/plan.ts';
import { parseNetSpec, parseSpec } from '../../src/core/spec.ts';
import { DEFAULT_SPEC } from '../../src/app/defaults.ts';
import { LAMBDA_NOTE, caption, divergedText, negativeLrNote, paramLabel } from '../../src/view/caption.ts';
import { makeNetPlan } from '../../src/core/network/plan.ts';
import { heatmapFrame } from '../../src/view/frame.ts';
import { heatmapLegend } from '../../src/view/legend.ts';
import { allocateColumns } from '../../src/core/results.ts';

const plan = makePlan(parseSpec(DEFAULT_SPEC));

describe('caption', () => {
  it('says what each pixel of the default view is', () => {
    expect(caption(plan, 'outcome')).toBe(
      'Each pixel is one run of SGD on Rosenbrock from (−1.5, 2), 500 steps; x: learning rate (log, 1e-5 … 0.01); ' +
        'y: momentum (0 … 0.99); colour: hue = the minimum reached (grey: still moving, black: diverged), darker = converged ' +
        'sooner (grey: ended nearer the best minimum).',
    );
  });

  it("names a swept schedule value with its class, a chained schedule's with its place", () => {
    const axis = (param: string, min: number, max: number) => ({ param, min, max, count: 4 });
    const one = makePlan(parseSpec({ ...DEFAULT_SPEC, schedule: { name: 'OneCycleLR', max_lr: 0.01, total_steps: 500 }, sweep: { kind: 'grid', x: axis('schedule.max_lr', 1e-4, 0.01), y: axis('schedule.max_momentum', 0.8, 0.95) } }));
    expect(paramLabel(one, 'schedule.max_momentum')).toBe("OneCycleLR's max_momentum");
    expect(caption(one, 'outcome')).toContain("x: OneCycleLR's max_lr (1e-4 … 0.01); y: OneCycleLR's max_momentum (0.8 … 0.95)");
    const chained = makePlan(
      parseSpec({
        ...DEFAULT_SPEC,
        schedule: { name: 'SequentialLR', milestones: [50], schedulers: [{ name: 'LinearLR', start_factor: 0.1, total_iters: 50 }, { name: 'CosineAnnealingLR', T_max: 450 }] },
        sweep: { kind: 'grid', x: axis('optimizer.lr', 1e-4, 0.01), y: axis('schedule.schedulers.1.T_max', 100, 450) },
      }),
    );
    expect(paramLabel(chained, 'schedule.schedulers.1.T_max')).toBe("CosineAnnealingLR's T_max");
    expect(paramLabel(chained, 'schedule.milestones.0')).toBe("SequentialLR's milestones[0]");
    const twice = makePlan(parseSpec({ ...DEFAULT_SPEC, schedule: { name: 'SequentialLR', milestones: [50], schedulers: [{ name: 'ConstantLR', factor: 0.5, total_iters: 50 }, { name: 'ConstantLR', factor: 1, total_iters: 1 }] }, sweep: { kind: 'grid', x: axis('optimizer.lr', 1e-4, 0.01), y: axis('schedule.schedulers.0.factor', 0.1, 0.9) } }));
    expect(paramLabel(twice, 'schedule.schedulers.0.factor')).toBe("schedulers[0]'s factor");
  });

  it("gives a deep zoom's axis ends the digits that tell them apart", () => {
    const zoomed = makePlan(
      parseSpec({ ...DEFAULT_SPEC, sweep: { kind: 'grid', x: { param: 'optimizer.lr', min: 0.395912, max: 0.395948, count: 4, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0.5, max: 0.6, count: 4 } } }),
    );
    expect(caption(zoomed, 'outcome')).toContain('x: learning rate (log, 0.39591 … 0.39595); y: momentum (0.5 … 0.6)');
  });

  it('names fixed settings, schedules, noise, SAM and start maps', () => {
    const p = makePlan(
      parseSpec({
        surface: 'himmelblau',
        optimizer: { name: 'Adam', lr: 0.05, betas: [0.8, 0.999] },
        schedule: { name: 'CosineAnnealingLR', T_max: 200 },
        noise: { std: 0.5 },
        sam: { rho: 0.1 },
        steps: 200,
        sweep: { kind: 'grid', x: { param: 'start.0', min: -5, max: 5, count: 4 }, y: { param: 'start.1', min: -5, max: 5, count: 4 } },
      }),
    );
    const c = caption(p, 'basin');
    expect(c).toMatch(/^Each pixel is one run of Adam \(lr 0.05, betas \(0.8, 0.999\)\) on Himmelblau from a grid of start points, 200 steps, under CosineAnnealingLR \(T_max 200\), with gradient noise of std 0.5, with SAM \(rho 0.1\); x: start x \(−5 … 5\); y: start y \(−5 … 5\); colour: the minimum reached/);
    expect(paramLabel(p, 'optimizer.betas.0')).toBe('β1 (betas[0])');
    expect(paramLabel(p, 'optimizer.eps')).toBe('eps');
  });

  it("leaves out the optimiser values the schedule sets itself (OneCycleLR's LR and cycled momentum), names the schedule's", () => {
    const spec = {
      surface: 'rosenbrock',
      optimizer: { name: 'SGD', lr: 0.05, momentum: 0.5, weight_decay: 0.01 },
      schedule: { name: 'OneCycleLR', max_lr: 0.002, total_steps: 300 },
      steps: 300,
      sweep: { kind: 'grid', x: { param: 'start.0', min: -2, max: 2, count: 4 }, y: { param: 'start.1', min: -1, max: 3, count: 4 } },
    };
    const c = caption(makePlan(parseSpec(spec)), 'loss');
    expect(c).toMatch(/^Each pixel is one run of SGD \(weight_decay 0.01\) on Rosenbrock .* under OneCycleLR \(max_lr 0.002, total_steps 300/);
    // Without the schedule the same values are named.
    expect(caption(makePlan(parseSpec({ ...spec, schedule: null })), 'loss')).toMatch(/^Each pixel is one run of SGD \(lr 0.05, momentum 0.5, weight_decay 0.01\)/);
  });
});

describe('legend', () => {
  it('names every colour of the outcome mode: each minimum with its λ, still moving, diverged, and the lines', () => {
    const cols = allocateColumns(plan.runs, 'f32', plan.spec);
    // Runs still moving, at losses 1 to 10 above the minimum: the ramp's ends.
    cols.basin.fill(-1);
    cols.loss.forEach((_, i) => (cols.loss[i] = 1 + (i % 10)));
    const f = heatmapFrame(plan, cols, 10, 'outcome');
    const items = heatmapLegend(f, plan.minima, [{ label: 'stability limit', x: [1, 2], y: [0, 1], colour: '#000' }]);
    expect(items.map((i) => i.label)).toEqual([
      'Converged, by the minimum reached; darker = sooner (darkest: at once, lightest: at step 500):',
      'minimum 0 at (1, 1), λ = 1002',
      expect.stringMatching(/^still moving at the end; loss above the best minimum from .* \(darkest\) to /),
      'diverged',
      'not computed yet',
      'λ = sharpness: the largest eigenvalue of the Hessian at the minimum',
      'stability limit',
    ]);
    expect(LAMBDA_NOTE).toMatch(/largest eigenvalue of the Hessian/);
  });
});

describe('what "diverged" means on a map', () => {
  it("names the plan's own bound and checkpoints (walkthrough 12: the page never said)", () => {
    const plan = makePlan(parseSpec(DEFAULT_SPEC));
    expect(divergedText(plan)).toBe(
      `Diverged (black, or red on the other colourings): the run was beyond ±${plan.bound} in x or y, or x or y was no longer a number, at a check (every ${plan.checkEvery} steps, and the last step); it stops there, so its final position is where it was thrown to (often ±∞, or no number at all, shown as –).`,
    );
    const every = makePlan(parseSpec({ ...DEFAULT_SPEC, outcome: { bound: 50, check_every: 1 } }));
    expect(divergedText(every)).toMatch(/beyond ±50 in x or y, .* at every step;/);
  });
});

describe("a caption's schedule", () => {
  it('names the values torch requires, lists included, before the others (review 15: milestones never showed)', () => {
    const b = { surface: 'rosenbrock', optimizer: { name: 'SGD', lr: 0.001 }, steps: 500, sweep: { kind: 'grid', x: { param: 'start.0', min: -2, max: 2, count: 4 }, y: null } };
    const of = (schedule: Record<string, unknown>): string => caption(makePlan(parseSpec({ ...b, schedule })), 'outcome');
    expect(of({ name: 'MultiStepLR', milestones: [250, 375] })).toContain('under MultiStepLR (milestones [250, 375])');
    // max_lr 0.01 is the picker's example value, named all the same: torch has no default for it.
    expect(of({ name: 'OneCycleLR', max_lr: 0.01, total_steps: 500 })).toContain('under OneCycleLR (max_lr 0.01, total_steps 500)');
    expect(of({ name: 'SequentialLR', milestones: [50], schedulers: [{ name: 'LinearLR', total_iters: 50 }, { name: 'CosineAnnealingLR', T_max: 450 }] })).toContain('under SequentialLR (milestones [50])');
  });
});

describe('a schedule that takes the LR below 0 is said (walkthrough 13)', () => {
  const surface = (schedule: Record<string, unknown>) => makePlan(parseSpec({ ...DEFAULT_SPEC, schedule, sweep: null }));
  const net = (optimizer: Record<string, unknown>, schedule: Record<string, unknown>) => {
    const s = parseNetSpec({ network: { hidden: [4] }, data: { name: 'spiral', train: 40, test: 20 }, optimizer, schedule, steps: 40 });
    return makeNetPlan(s);
  };

  it('names the schedule, the first step and the lowest LR, on a surface and in a param group', () => {
    expect(negativeLrNote(surface({ name: 'CyclicLR', base_lr: -0.0005, max_lr: 0.001, step_size_up: 50, cycle_momentum: false }))).toMatch(
      /^CyclicLR takes the LR below 0 from step 0 \(−5e-4\): a negative LR steps up the gradient, away from the minimum\. torch runs it the same way/,
    );
    // A negative peak: below 0 from the start, lowest at the peak (torch's first phase ends at step pct_start·total − 1).
    expect(negativeLrNote(surface({ name: 'OneCycleLR', max_lr: -0.01, total_steps: 500, cycle_momentum: false }))).toMatch(/^OneCycleLR takes the LR below 0 from step 0 \(down to −0\.01 at step 149\)/);
    const grouped = net({ name: 'SGD', lr: 0.1, param_groups: [{ params: ['layers.0'] }] }, { name: 'CyclicLR', base_lr: [0.01, -0.01], max_lr: [0.1, 0.05], step_size_up: 10, cycle_momentum: false });
    expect(negativeLrNote(grouped)).toMatch(/^CyclicLR takes the default group's LR below 0 from step 0 \(−0\.01\)/);
  });

  it('says nothing where every LR is 0 or more, or the schedule follows the loss', () => {
    expect(negativeLrNote(surface({ name: 'CosineAnnealingLR', T_max: 100 }))).toBeNull();
    expect(negativeLrNote(surface({ name: 'CyclicLR', base_lr: 0, max_lr: 0.001, step_size_up: 50, cycle_momentum: false }))).toBeNull();
    expect(negativeLrNote(surface({ name: 'ReduceLROnPlateau' }))).toBeNull();
    expect(negativeLrNote(makePlan(parseSpec({ ...DEFAULT_SPEC, sweep: null })))).toBeNull();
  });

  it('is said where a swept value takes some runs below 0, naming one such run (walkthrough 23)', () => {
    const swept = (sweep: Record<string, unknown>, schedule: Record<string, unknown>) => makePlan(parseSpec({ ...DEFAULT_SPEC, schedule, sweep }));
    // StepLR's gamma swept over −1 … 0.5: the spec's 0.5 keeps the LR positive, the first column's −1 does not.
    const gamma = swept({ x: { param: 'schedule.gamma', min: -1, max: 0.5, count: 4 } }, { name: 'StepLR', step_size: 10, gamma: 0.5 });
    expect(negativeLrNote(gamma)).toMatch(/^StepLR takes the LR below 0 in some of this map's runs \(at gamma −1: from step 10, /);
    // CyclicLR's base_lr swept below 0 on a grid's axis, the other axis the optimiser's momentum.
    const cyclic = swept(
      { x: { param: 'schedule.base_lr', min: -0.01, max: 0.001, count: 3 }, y: { param: 'optimizer.momentum', min: 0, max: 0.9, count: 2 } },
      { name: 'CyclicLR', base_lr: 0.0005, max_lr: 0.002, step_size_up: 50, cycle_momentum: false },
    );
    expect(negativeLrNote(cyclic)).toMatch(/^CyclicLR takes the LR below 0 in some of this map's runs \(at base_lr −0\.01, momentum 0: from step 0, /);
    // A tuple element is named as the editor names it (review 28: "1 0.9").
    const betas = makePlan(parseSpec({ ...DEFAULT_SPEC, optimizer: { name: 'Adam', lr: 0.01 }, schedule: { name: 'StepLR', step_size: 10, gamma: 0.5 }, sweep: { x: { param: 'schedule.gamma', min: -1, max: 0.5, count: 2 }, y: { param: 'optimizer.betas.1', min: 0.9, max: 0.99, count: 2 } } }));
    expect(negativeLrNote(betas)).toMatch(/\(at gamma −1, betas\[1\] 0\.9: from step 10/);
    // A swept range that stays at or above 0 says nothing.
    expect(negativeLrNote(swept({ x: { param: 'schedule.gamma', min: 0.1, max: 0.9, count: 4 } }, { name: 'StepLR', step_size: 10, gamma: 0.5 }))).toBeNull();
  });
});
