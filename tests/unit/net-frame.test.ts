/**
 * Network maps (view/net-frame.ts, the app's net-runs.ts): the fractal paper's convergence
 * colouring (the paper's: green to blue trained, orange to red not, darker slower, by rank within each side), the continuous
 * modes, the legend and caption, and what the app says about one run, on a real sweep of the
 * fractal network (small, float32 CPU engine) and on hand-made columns.
 */
import { describe, expect, it } from 'vitest';
import { allocateColumns } from '../../src/core/columns.ts';
import { makeNetPlan } from '../../src/core/network/plan.ts';
import type { NetPlan } from '../../src/core/network/plan.ts';
import type { NetColumns } from '../../src/core/results.ts';
import { parseAnySpec } from '../../src/core/spec.ts';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';
import { convergenceColour, fractalColours, oklab } from '../../src/view/colors.ts';
import { netCaption, netParamLabel, netParamShort } from '../../src/view/caption.ts';
import { netHeatmapLegend } from '../../src/view/legend.ts';
import { NET_HEATMAP_MODES, SHARPNESS_MAX_RESIDUAL, convergenceRanks, modeFor, netCellColour, netCellValue, netDominantShare, netFrame, netModesOf, shownSharpness } from '../../src/view/net-frame.ts';
import { runCoordinates } from '../../src/core/plan.ts';
import { NET_FIELD_LABEL, curveEvery, describeNetRun, netCarryRun, netCoordinateNames, netCurves, netOutcome, netRunLabel, netThresholdText, netTrained, netTrainedRule } from '../../src/app/net-runs.ts';
import { fieldText, netSummary } from '../../src/app/summary.ts';
import { finerThanFloat32, finerThanFloat64 } from '../../src/app/controllers/run-controller.ts';

const FRACTAL = {
  network: { hidden: [16], activation: 'tanh', bias: false, parametrization: 'mean_field', batch_size: null, sharpness_iterations: 5 },
  data: { name: 'fractal', inputs: 16, outputs: 1 },
  optimizer: { name: 'SGD', lr: 100, param_groups: [{ params: ['layers.0'], lr: 100 }] },
  steps: 30,
  sweep: {
    x: { param: 'optimizer.param_groups.0.lr', min: 1, max: 1e5, count: 8, scale: 'log' },
    y: { param: 'optimizer.lr', min: 20, max: 600, count: 8, scale: 'log' },
  },
};

function netPlan(json: unknown): NetPlan {
  const s = parseAnySpec(json);
  if (s.problem !== 'network') throw new Error('not a network spec');
  return makeNetPlan(s);
}

describe('convergence colouring', () => {
  it("is the paper's colouring, as the study figures paint it: green to blue for trained runs, orange to red for the rest, darker the slower", () => {
    // One scale: the explorer's colour of a run is fractalColours' colour of its value.
    const m = new Float64Array([-5, -1, -3, 2, 8, 4, -0.5, 16]);
    const { rank } = convergenceRanks(m, m.length);
    const study = fractalColours(m);
    m.forEach((v, i) => expect(convergenceColour(v < 0, rank[i] as number), `value ${v}`).toEqual(study[i]));
    for (const t of [0, 0.5, 1]) {
      const [, , bRed] = oklab(convergenceColour(false, t));
      const [, aTrained] = oklab(convergenceColour(true, t));
      expect(bRed).toBeGreaterThan(0);
      expect(aTrained).toBeLessThan(0.05);
    }
    for (const trained of [true, false]) {
      const L = [0, 0.25, 0.5, 0.75, 1].map((t) => oklab(convergenceColour(trained, t))[0]);
      for (let k = 1; k < L.length; k++) expect(L[k] as number).toBeLessThan(L[k - 1] as number);
    }
  });

  it('ranks each side by |measure|, fastest 0, slowest 1; NaN measures get none', () => {
    const m = new Float64Array([-5, -1, -3, 2, 8, Number.NaN, 4]);
    const { rank, trained, untrained } = convergenceRanks(m, m.length);
    expect([trained, untrained]).toEqual([3, 3]);
    expect(Array.from(rank.subarray(0, 3))).toEqual([1, 0, 0.5]);
    expect(Array.from(rank.subarray(3, 5))).toEqual([0, 1]);
    expect(rank[5]).toBeNaN();
    expect(rank[6]).toBe(0.5);
  });

  it('ranks an infinite measure (a run that did not train whose loss touched 0 on a step) as the slowest untrained run, as the study figures and numpy do', () => {
    // The notebook's measure of such a run: sum of 1 / v with a v of exactly 0 (the engines cap 1 / v; numpy or an imported column need not).
    const m = new Float64Array([-5, -1, 2, Number.POSITIVE_INFINITY, 8, Number.POSITIVE_INFINITY, Number.NaN]);
    const { rank, trained, untrained } = convergenceRanks(m, m.length);
    expect([trained, untrained]).toEqual([2, 4]);
    expect(rank[2]).toBe(0);
    expect(rank[4]).toBeCloseTo(1 / 3, 6);
    expect([rank[3], rank[5]].sort()).toEqual([2 / 3, 1].map((x) => Math.fround(x)));
    expect(rank[6]).toBeNaN();
    // The explorer's colour of such a run is a did-not-train colour, and the study figure's agrees.
    const plan = netPlan(FRACTAL);
    const c = allocateColumns(m.length, 'f64', plan.spec);
    c.convergence.set(m);
    const f = netFrame({ ...plan, width: m.length, height: 1 }, c, m.length, 'convergence');
    expect(netCellColour(f, 3)).toEqual(convergenceColour(false, rank[3] as number));
    expect(netCellColour(f, 6)).toEqual([20, 20, 20]);
    const study = fractalColours(m);
    // Tied infinities share their mean rank there, the darkest of the untrained side.
    expect(study[3]).toEqual(study[5]);
    expect(oklab(study[3] as [number, number, number])[0]).toBeLessThan(oklab(study[4] as [number, number, number])[0]);
    expect(netOutcome(plan, c, 3)).toBe('did not train');
    expect(netOutcome(plan, c, 6)).toBe('no measure');
  });
});

describe('the network summary', () => {
  it('accounts for every colour the maps show: trained, diverged, and neither diverged nor reached the threshold', () => {
    const cols = {
      convergence: new Float64Array([-3, -1, 5, Number.POSITIVE_INFINITY, 7, Number.NaN]),
      diverged: new Uint8Array([0, 0, 0, 0, 1, 0]),
      steps_to_threshold: new Int32Array([12, -1, -1, -1, -1, -1]),
      train_loss: new Float64Array([0.001, 0.5, 0.9, 2, Number.NaN, 1]),
      initial_loss: new Float64Array([1, 1, 1, 1, 1, 1]),
    };
    expect(netSummary({ runs: 6, batch: null }, cols, false)).toBe(
      '2 of 6 runs trained (the loss fell below its start on average over the last steps); 1 diverged; 1 of the 5 that did not diverge reached the loss threshold (the other 4: "never", grey in the steps-to-threshold colouring); 1 without a convergence measure.',
    );
    expect(netSummary({ runs: 6, batch: null }, cols, true)).toBe('Running a sweep of 6 network runs…');
    // None reached it: the summary says how far the best run got, as a share of its initial loss.
    const none = { ...cols, steps_to_threshold: new Int32Array(6).fill(-1), train_loss: new Float64Array([0.2, 0.035, 0.9, 2, Number.NaN, 1]), initial_loss: new Float64Array([1, 1.1, 1, 1, 1, 1]) };
    expect(netSummary({ runs: 6, batch: null }, none, false)).toMatch(
      /; 1 diverged; none of the 5 that did not diverge reached the loss threshold \(the steps-to-threshold colouring is all grey, "never"\); 1 without a convergence measure\. The threshold is network\.threshold \(unset: 1% of each run's initial loss\); the lowest final training loss here is 0\.035 \(3\.2% of its run's initial loss\), so set network\.threshold above it to see this colouring\.$/,
    );
    // Nothing diverged: the runs are counted as runs, not as "the ones that did not diverge".
    const calm = { ...none, diverged: new Uint8Array(6) };
    expect(netSummary({ runs: 6, batch: null }, calm, false)).toContain('0 diverged; none of the 6 runs reached the loss threshold');
    expect(netSummary({ runs: 6, batch: null }, cols, false)).not.toContain('none of');
    // Another colouring: its quantity's numbers over the runs that have it, and no threshold counts.
    const acc = { ...cols, test_accuracy: new Float64Array([1, 0.9, 0.6, 0.3, Number.NaN, 0.95]), test_loss: new Float64Array([0.1, 0.3, 0.8, 1.5, Number.NaN, 0.2]) };
    expect(netSummary({ runs: 6, batch: null }, acc, false, 'accuracy')).toBe(
      '2 of 6 runs trained (the loss fell below its start on average over the last steps); 1 diverged. Test accuracy (of the 5 runs that have one): median 90%, best 100%; 60% of them at 90% or more.',
    );
    expect(netSummary({ runs: 6, batch: null }, acc, false, 'test_loss')).toMatch(/1 diverged\. Final test loss \(of the 5 runs that have one\): median 0\.3, best 0\.1\.$/);
    expect(netSummary({ runs: 6, batch: null }, acc, false, 'accuracy')).not.toMatch(/threshold/);
    // The steps-to-threshold colouring keeps its counts and its hint.
    expect(netSummary({ runs: 6, batch: null }, acc, false, 'steps')).toBe(netSummary({ runs: 6, batch: null }, acc, false));
    // With a batch size, trained is the whole set's final loss below its initial one (netTrained):
    // runs 0-2 end below 1, run 3 at 2 and run 5 at 1 do not.
    expect(netSummary({ runs: 6, batch: 8 }, acc, false, 'accuracy')).toMatch(/^3 of 6 runs trained \(the final training loss, over the whole training set, below the initial\); 1 diverged\./);
  });

  it('shows the sharpness as |λ|, and no value where its power iteration did not converge (walkthrough 18)', () => {
    // Run 1's largest-magnitude eigenvalue is negative; run 2's estimate stopped far from any
    // eigenvalue (residual 75); run 3's residual is not recorded; run 4 diverged.
    const sharp = {
      convergence: new Float64Array([-3, -1, -2, -1, 7, -1]),
      diverged: new Uint8Array([0, 0, 0, 0, 1, 0]),
      steps_to_threshold: new Int32Array(6).fill(-1),
      train_loss: new Float64Array([0.1, 0.2, 0.3, 0.2, Number.NaN, 0.2]),
      initial_loss: new Float64Array(6).fill(1),
      sharpness: new Float64Array([2.5, -0.5, -0.0022, 1, Number.NaN, 0.3]),
      sharpness_residual: new Float64Array([0.001, 0.002, 75, Number.NaN, Number.NaN, SHARPNESS_MAX_RESIDUAL]),
    };
    expect([0, 1, 2, 3, 4, 5].map((r) => shownSharpness(sharp, r))).toEqual([2.5, 0.5, null, 1, null, 0.3]);
    expect(netSummary({ runs: 6, batch: null }, sharp, false, 'sharpness')).toMatch(/\. Sharpness at the end \(largest \|eigenvalue\| of the Hessian\) \(of the 4 runs that have one\): median 0\.75, from 0\.3 to 2\.5\.$/);
    const cols = sharp as unknown as NetColumns;
    expect(netCellValue('sharpness', cols, 1)).toBeCloseTo(Math.log10(0.5), 12);
    expect(netCellValue('sharpness', cols, 2)).toBeNull();
  });
});

describe('a network sweep shown as a map', () => {
  it('colours the fractal network by its outcomes, in every mode, with a legend and a caption', async () => {
    const plan = netPlan(FRACTAL);
    const engine = new CpuEngine('cpu', { workers: 0, spawn: null });
    const res = await engine.run(plan, {});
    await engine.dispose();
    // A regression data set: no accuracy mode.
    expect(netModesOf(plan)).toEqual(NET_HEATMAP_MODES.filter((m) => m !== 'accuracy'));
    expect(modeFor('network', 'accuracy', netModesOf(plan))).toBe('convergence');
    expect(modeFor('network', 'outcome')).toBe('convergence');
    expect(modeFor('surface', 'test_loss')).toBe('outcome');
    const f = netFrame(plan, res, plan.runs, 'convergence');
    // Full batch: the measure's sign is whether a run trained, and the legend says so.
    expect(f.minibatch).toBe(false);
    expect(netHeatmapLegend(f).map((it) => it.label).slice(0, 2)).toEqual([`trained (${f.trained} runs)`, `did not train (${f.untrained} runs)`]);
    // On minibatches it is whether the minibatch losses fell: the legend does not call it trained.
    const mb = { ...f, minibatch: true };
    expect(netHeatmapLegend(mb).map((it) => it.label).slice(0, 2)).toEqual([`minibatch losses fell (${f.trained} runs)`, `minibatch losses did not fall (${f.untrained} runs)`]);
    // And says why its counts need not be the summary's "trained" (walkthrough 18); at full batch they are the same rule.
    expect(netHeatmapLegend(mb).at(-1)?.label).toMatch(/^The sides are the minibatch losses'; whether a run trained is judged on the whole training set's final loss/);
    expect(netHeatmapLegend(f).some((it) => /The sides are/.test(it.label))).toBe(false);
    expect(f.trained).toBeGreaterThan(0);
    expect(f.untrained).toBeGreaterThan(0);
    expect(netDominantShare(f)).toBeLessThan(0.9);
    // The map's colours are the study figures' (the paper's colouring of the same values).
    const study = fractalColours(res.convergence);
    for (let run = 0; run < plan.runs; run++) {
      if (Number.isFinite(res.convergence[run] as number)) expect(netCellColour(f, run), `run ${run}`).toEqual(study[run]);
    }
    for (const mode of netModesOf(plan)) {
      const g = netFrame(plan, res, plan.runs, mode);
      expect(g.lo).toBeLessThanOrEqual(g.hi);
      const legend = netHeatmapLegend(g);
      expect(legend.length).toBeGreaterThan(1);
      // A finished map's legend names no colour it lacks (walkthrough 7: "diverged" beside 0 diverged).
      const shown = new Set(Array.from({ length: plan.runs }, (_, r) => netCellColour(g, r).join()));
      for (const it of legend) if (it.kind === 'swatch') expect(shown.has(it.colour.join()), `${mode}: ${it.label}`).toBe(true);
      expect(netCaption(plan, mode)).toMatch(/^Each pixel is one run of SGD training an MLP 16–16–1 .*; x: learning rate of layers\.0, the input layer \(log, 1 … 1e5\)/);
    }
    // Brighter = higher in the loss modes too, as on the surfaces' loss maps and in the studies'
    // figures of the same sweeps (viridis from the lowest loss to the highest).
    for (const mode of ['train_loss', 'test_loss'] as const) {
      const g = netFrame(plan, res, plan.runs, mode);
      const loss = mode === 'train_loss' ? res.train_loss : res.test_loss;
      let lo = -1;
      let hi = -1;
      for (let run = 0; run < plan.runs; run++) {
        if (res.diverged[run] || !Number.isFinite(loss[run] as number)) continue;
        if (lo < 0 || (loss[run] as number) < (loss[lo] as number)) lo = run;
        if (hi < 0 || (loss[run] as number) > (loss[hi] as number)) hi = run;
      }
      const light = (run: number): number => oklab(netCellColour(g, run) as [number, number, number])[0];
      expect(light(hi), mode).toBeGreaterThan(light(lo));
    }
    // Partly computed frames show the rest as pending, and the legend says so.
    const partial = netFrame(plan, res, 10, 'train_loss');
    expect(netCellColour(partial, 20)).toEqual([255, 255, 255]);
    expect(netHeatmapLegend(partial).some((it) => it.label === 'not computed yet')).toBe(true);
  }, 60_000);

  it('names a group LR by the layers it trains, and the default group by the rest', () => {
    const plan = netPlan(FRACTAL);
    expect(netParamLabel(plan, 'optimizer.param_groups.0.lr')).toBe('learning rate of layers.0, the input layer');
    expect(netParamLabel(plan, 'optimizer.lr')).toBe('learning rate of layers.1, the output layer');
    expect(netParamLabel(plan, 'network.batch_size')).toBe('batch size');
    // A value no group sets reaches every group (torch's param_groups inherit it): no group named.
    expect(netParamLabel(plan, 'optimizer.momentum')).toBe('momentum');
    // The group's LR set only by the sweep: the optimiser's lr still trains the default group alone,
    // and the caption says which layers it trains.
    const bySweep = netPlan({ ...FRACTAL, optimizer: { name: 'SGD', lr: 0.5, momentum: 0.9, param_groups: [{ params: ['layers.0'] }] }, sweep: { x: FRACTAL.sweep.x, y: { param: 'optimizer.momentum', min: 0, max: 0.9, count: 4 } } });
    expect(netParamLabel(bySweep, 'optimizer.momentum')).toBe('momentum');
    expect(netParamLabel(bySweep, 'optimizer.lr')).toBe('learning rate of layers.1, the output layer');
    expect(netCaption(bySweep, 'convergence')).toMatch(/^Each pixel is one run of SGD \(lr 0\.5 for layers\.1, the output layer\) training/);
    // Without groups the caption's lr is the optimiser's, unqualified.
    expect(netCaption(netPlan({ ...FRACTAL, optimizer: { name: 'SGD', lr: 0.5 }, sweep: { x: { param: 'optimizer.momentum', min: 0, max: 0.9, count: 4 } } }), 'convergence')).toMatch(/SGD \(lr 0\.5\) training/);
    // Every tensor in an explicit group, one of which leaves its lr to the optimiser's: that group is
    // the one the optimiser's lr trains (walkthrough 18: the axis read "learning rate").
    const explicit = netPlan({ ...FRACTAL, optimizer: { name: 'SGD', lr: 0.5, param_groups: [{ params: ['layers.0'], lr: 10 }, { params: ['layers.1'] }] }, sweep: { x: { param: 'optimizer.lr', min: 0.1, max: 1, count: 4 } } });
    expect(netParamLabel(explicit, 'optimizer.lr')).toBe('learning rate of layers.1, the output layer');
    // Two groups inheriting it: no one group named.
    const both = netPlan({ ...FRACTAL, optimizer: { name: 'SGD', lr: 0.5, param_groups: [{ params: ['layers.0'] }, { params: ['layers.1'] }] }, sweep: { x: { param: 'optimizer.lr', min: 0.1, max: 1, count: 4 } } });
    expect(netParamLabel(both, 'optimizer.lr')).toBe('learning rate');
  });

  it("names a layer's role only where a group trains exactly that layer, and writes a linear model and an MLP alike", () => {
    const deep = netPlan({
      ...FRACTAL,
      network: { ...FRACTAL.network, hidden: [8, 8], bias: true, parametrization: 'standard' },
      optimizer: { name: 'SGD', lr: 0.1, param_groups: [{ params: ['layers.1'], lr: 0.5 }, { params: ['layers.0.weight'], lr: 0.2 }] },
      sweep: { x: { param: 'optimizer.param_groups.0.lr', min: 0.1, max: 1, count: 4, scale: 'log' }, y: { param: 'optimizer.param_groups.1.lr', min: 0.1, max: 1, count: 4, scale: 'log' } },
    });
    expect(netParamLabel(deep, 'optimizer.param_groups.0.lr')).toBe('learning rate of layers.1, layer 2 of 3');
    // A weight without its bias is not a whole layer: no role.
    expect(netParamLabel(deep, 'optimizer.param_groups.1.lr')).toBe('learning rate of layers.0.weight');
    // The default group trains the rest: more than one layer, no role.
    expect(netParamLabel(deep, 'optimizer.lr')).toBe('learning rate of layers.2, layers.0.bias');
    expect(netCaption(deep, 'convergence')).toMatch(/training an MLP 16–8–8–1 \(tanh; \d+ parameters\)/);
    const linear = netPlan({
      network: { hidden: [], bias: false, batch_size: 32 },
      data: { name: 'regression', train: 50, test: 20 },
      optimizer: { name: 'SGD', lr: 0.01, param_groups: [{ params: ['layers.0'], lr: 0.1 }] },
      steps: 10,
      sweep: { x: { param: 'optimizer.param_groups.0.lr', min: 0.01, max: 1, count: 3, scale: 'log' }, y: null },
    });
    expect(netParamLabel(linear, 'optimizer.param_groups.0.lr')).toBe('learning rate of layers.0, the only layer');
    expect(netCaption(linear, 'train_loss')).toMatch(/training a linear model \d+–1 \(no bias; \d+ parameters\) on “Linear regression \(the texts' example\)”/);
  });
});

describe('one run of a network sweep', () => {
  const plan = netPlan(FRACTAL);
  const cols = (n: number, conv: number[], diverged: number[]): NetColumns => ({
    initial_loss: new Float64Array(n).fill(1),
    train_loss: new Float64Array(n).fill(0.5),
    test_loss: new Float64Array(n).fill(0.6),
    diverged: Uint8Array.from(diverged),
    steps_to_threshold: new Int32Array(n).fill(-1),
    convergence: Float64Array.from(conv),
    sharpness: new Float64Array(n).fill(Number.NaN),
    sharpness_iterations: new Int32Array(n),
    sharpness_residual: new Float64Array(n).fill(Number.NaN),
  });

  it('says trained, did not train or diverged, and lists its columns', () => {
    const c = cols(3, [-2, 3, 9], [0, 0, 1]);
    expect([0, 1, 2].map((r) => netOutcome(plan, c, r))).toEqual(['trained', 'did not train', 'diverged']);
    // The run panel says whose values a diverged run's are (walkthrough 18: a diverged run with a
    // test accuracy), in a note of its own, not in the outcome the cursor line repeats (review 23).
    expect(describeNetRun(plan, c, 2)).toMatchObject({ outcome: 'diverged', note: 'Its losses are at the checkpoint that found it diverged.' });
    expect(describeNetRun(plan, { ...c, test_accuracy: new Float64Array(3).fill(0.6) }, 2).note).toBe('Its losses and accuracy are at the checkpoint that found it diverged.');
    expect(describeNetRun(plan, c, 0).note).toBe('');
    // A sharpness estimate the map leaves grey: the panel says why.
    const unsure = { ...c, sharpness: Float64Array.from([-0.0022, 1, 1]), sharpness_residual: Float64Array.from([75, 0.01, 0.01]) };
    expect(describeNetRun(plan, unsure, 0).note).toBe('Its sharpness estimate did not converge (residual 75, above 0.5): more network.sharpness_iterations would tell.');
    expect(describeNetRun(plan, unsure, 1).note).toBe('');
    // With a batch size the measure averages minibatch losses: the whole set's final loss against its
    // initial one decides (walkthrough 11: a run ending at 6x its start read "trained").
    const mini = { batch: 2 };
    const m = { ...c, train_loss: Float64Array.from([6.7, 0.4, 0.4]), convergence: Float64Array.from([-5, 3, -1]) };
    expect([0, 1, 2].map((r) => netOutcome(mini, m, r))).toEqual(['did not train', 'trained', 'diverged']);
    expect(netTrained(mini, { ...m, train_loss: Float64Array.from([Number.NaN, 0.4, 0.4]) }, 0)).toBeNull();
    // Below its start but not below a constant prediction's loss is chance, not trained (walkthrough
    // 14: a digits run from 2.328 to 2.319, ln 10 = 2.303 being the class frequencies' loss).
    const digits = { batch: 2, constantLoss: Math.log(10) };
    const atChance = { ...m, initial_loss: Float64Array.from([2.328, 2.328, 2.328]), train_loss: Float64Array.from([2.319, 2.2, 2.3025]) };
    expect([0, 1, 2].map((r) => netTrained(digits, { ...atChance, diverged: new Uint8Array(3) }, r))).toEqual([false, true, true]);
    expect(netTrainedRule(digits)).toBe("the final training loss, over the whole training set, below the initial and below 2.3, a constant prediction's");
    // No batch size set but one swept: every run trains on minibatches (review 13).
    const swept = { batch: null, dims: [{ where: { kind: 'slot' } }, { where: { kind: 'batch' } }] };
    expect([0, 1, 2].map((r) => netOutcome(swept, m, r))).toEqual(['did not train', 'trained', 'diverged']);
    expect(netTrainedRule(swept)).toBe(netTrainedRule(mini));
    expect(netTrainedRule(mini)).toBe('the final training loss, over the whole training set, below the initial');
    expect(netTrainedRule(plan)).toBe('the loss fell below its start on average over the last steps');
    const d = describeNetRun(plan, c, 0);
    expect(Object.keys(d.coords)).toEqual(['optimizer.param_groups.0.lr', 'optimizer.lr']);
    expect(d.fields['train_loss']).toBe(0.5);
    // Sharpness not computed (NaN) is left out rather than shown as NaN.
    expect('sharpness' in d.fields).toBe(false);
    // Every field has words to be shown with (the mode buttons'), not its column name.
    for (const k of [...Object.keys(d.fields), 'sharpness', 'test_accuracy']) expect(NET_FIELD_LABEL[k], k).toMatch(/^[a-z]+( [a-z]+)*( \(.*\))?$/);
    expect(NET_FIELD_LABEL['train_loss']).toBe('train loss');
  });

  it('names a group value as the caption does, in the run panel and in the run label', () => {
    const c = cols(3, [-2, 3, 9], [0, 0, 1]);
    const d = describeNetRun(plan, c, 0);
    const names = netCoordinateNames(plan, d.coords).map(([k]) => k);
    expect(names).toEqual(['learning rate of layers.0, the input layer', 'learning rate of layers.1, the output layer']);
    // The caption's axes carry the same names.
    for (const n of names) expect(netCaption(plan, 'convergence')).toContain(`${n} (log`);
    expect(netRunLabel(plan, 0)).toMatch(/^lr of layers\.0=[\d.]+, lr of layers\.1=[\d.]+$/);
    expect(netParamShort(plan, 'optimizer.param_groups.0.lr')).toBe('lr of layers.0');
    expect(netParamShort(plan, 'network.batch_size')).toBe('batch size');
  });

  it('carries a run to the nearest cell of a zoomed sweep, and drops it when the axes change', () => {
    const zoomed = netPlan({ ...FRACTAL, sweep: { ...FRACTAL.sweep, x: { ...FRACTAL.sweep.x, min: 10, max: 1000 } } });
    const coords = { 'optimizer.param_groups.0.lr': 100, 'optimizer.lr': 600 };
    const run = netCarryRun(zoomed, coords);
    expect(run).toBe(7 * 8 + 4);
    const other = netPlan({ ...FRACTAL, sweep: { ...FRACTAL.sweep, x: { param: 'network.batch_size', min: 1, max: 272, count: 8, scale: 'log' } } });
    expect(netCarryRun(other, coords)).toBeNull();
    // Picked in the fractal plan (full batch: 272 rows), the run has a batch size: its place is the
    // batch axis's 272 at its output-layer LR, unless the input-layer LR it was picked at is not the
    // new plan's (the rule of the surface runs, runs.ts carry).
    const from = netPlan(FRACTAL);
    expect(netCarryRun(other, coords, from)).toBe(7 * 8 + 7);
    expect(netCarryRun(other, { ...coords, 'optimizer.param_groups.0.lr': 1000 }, from)).toBeNull();
    // The output-layer axis dropped, the LR fixed at the spec's 100: a run picked at 600 is not in it.
    const strip = netPlan({ ...FRACTAL, sweep: { x: FRACTAL.sweep.x } });
    expect(netCarryRun(strip, coords, from)).toBeNull();
    expect(netCarryRun(strip, { ...coords, 'optimizer.lr': 100 }, from)).not.toBeNull();
    // A run of no sweep (the one-run view's) stood at the spec's values: the new sweep's run nearest
    // them, as on a surface (review 10 found it dropped without a word).
    // (The grid's values nearest the spec's 100 and 100: 10^(15/7) on the input-layer axis, and the
    // output-layer axis's nearest on a log scale.)
    const one = netCarryRun(from, {});
    expect(one === null ? null : runCoordinates(from, one)['optimizer.param_groups.0.lr']).toBeCloseTo(10 ** (15 / 7), 6);
  });

  it('draws train and test loss per run, test dashed, in the run colour', () => {
    const lr = Float64Array.from([0.1, 0.1]);
    const t = {
      run: 0,
      every: 1,
      steps: Int32Array.from([0, 1, 2]),
      trainLoss: Float64Array.from([1, 0.5, Number.POSITIVE_INFINITY]),
      testLoss: Float64Array.from([1, 0.6, 0.7]),
      lr,
      groupLr: [lr],
      gradNorm: Float64Array.from([3, 2, 1]),
      paramNorm: Float64Array.from([1, 1, 1]),
      diverged: false,
      divergedAt: null,
    };
    const c = netCurves([{ trajectory: t, colour: '#123456', label: 'a' }]);
    expect(c.loss.map((s) => [s.label, s.colour, s.dashed === true])).toEqual([
      ['train a', '#123456', false],
      ['test a', '#123456', true],
    ]);
    expect(c.loss[0]?.values[2]).toBeNaN();
    expect(Array.from(c.gradNorm[0]?.values ?? [])).toEqual([3, 2, 1]);
    // Several runs: the legend names each run once, by its solid curves (the dashed ones are unlabelled).
    const groups = [
      { group: 0, label: 'lr of layers.0', values: lr },
      { group: 1, label: 'lr of layers.1', values: lr },
    ];
    const two = netCurves([
      { trajectory: t, colour: '#111111', label: 'a', groups },
      { trajectory: t, colour: '#222222', label: 'b', groups },
    ]);
    expect(two.loss.map((s) => [s.label, s.dashed === true])).toEqual([['train a', false], ['', true], ['train b', false], ['', true]]);
    expect(two.lr.map((s) => [s.label, s.dashed === true])).toEqual([['', true], ['a', false], ['', true], ['b', false]]);
    // One run: its curves named in full.
    expect(netCurves([{ trajectory: t, colour: '#111111', label: 'a', groups }]).lr.map((s) => s.label)).toEqual(['lr of layers.0', 'lr of layers.1']);
    expect(curveEvery(200)).toBe(1);
    expect(curveEvery(100_000)).toBe(50);
  });

  it('knows when a zoom is finer than float32 resolves, for network sweeps too', () => {
    expect(finerThanFloat32(plan)).toBe(false);
    const deep = netPlan({ ...FRACTAL, sweep: { ...FRACTAL.sweep, x: { ...FRACTAL.sweep.x, scale: 'linear', min: 1000, max: 1000 * (1 + 1e-6) } } });
    expect(finerThanFloat32(deep)).toBe(true);
    expect(finerThanFloat64(deep)).toBe(false);
    const deeper = netPlan({ ...FRACTAL, sweep: { ...FRACTAL.sweep, x: { ...FRACTAL.sweep.x, scale: 'linear', min: 1000, max: 1000 * (1 + 1e-15) } } });
    expect(finerThanFloat64(deeper)).toBe(true);
  });
});

describe('exporting a network sweep', () => {
  it('writes the network columns as CSV and JSON, one row per run', async () => {
    const { ExportController } = await import('../../src/app/controllers/export-controller.ts');
    type Sweep = ConstructorParameters<typeof ExportController>[0];
    const plan = netPlan({ ...FRACTAL, sweep: { x: { ...FRACTAL.sweep.x, count: 3 }, y: { ...FRACTAL.sweep.y, count: 2 } } });
    const engine = new CpuEngine('cpu', { workers: 0, spawn: null });
    const results = await engine.run(plan, {});
    await engine.dispose();
    const ex = new ExportController({ net: { plan, results, columns: results }, plan: null, results: null } as unknown as Sweep, () => 'outcome');
    const csv = await ex.text('csv')?.text();
    const lines = (csv ?? '').trim().split('\n');
    expect(lines).toHaveLength(1 + 6);
    expect(lines[0]).toMatch(/convergence/);
    expect(lines[0]).toMatch(/optimizer\.param_groups\.0\.lr/);
    const json = JSON.parse((await ex.text('json')?.text()) ?? 'null') as { spec: { network: unknown }; columns?: unknown };
    expect(json.spec.network).toBeDefined();
    // Nothing to export before a sweep finished.
    expect(new ExportController({ net: { plan, results: null, columns: null }, plan: null, results: null } as unknown as Sweep, () => 'outcome').text('csv')).toBeNull();
  }, 60_000);
});

describe('fieldText: a run panel value in words', () => {
  it('says never for a threshold not reached, percentages for accuracy, signs for infinities, – for NaN', () => {
    expect(fieldText('steps_to_threshold', -1)).toBe('never');
    expect(fieldText('steps_to_threshold', 120)).toBe('120');
    expect(fieldText('test_accuracy', 0.8333333)).toBe('83.3%');
    expect(fieldText('convergence', Number.POSITIVE_INFINITY)).toBe('∞');
    expect(fieldText('convergence', Number.NEGATIVE_INFINITY)).toBe('−∞');
    // The measure's sign is its meaning: said beside the number.
    expect(fieldText('convergence', -65.49)).toBe('-65.49 (trained; more negative = slower)');
    expect(fieldText('convergence', 24.06)).toBe('24.06 (did not train; larger = slower)');
    // On minibatches the sign is the minibatch losses', not whether the run trained (walkthrough 14).
    expect(fieldText('convergence', -65.49, { minibatch: true })).toBe('-65.49 (its minibatch losses fell; more negative = slower)');
    expect(fieldText('convergence', 3.2, { minibatch: true })).toBe('3.2 (its minibatch losses did not fall; larger = slower)');
    expect(fieldText('sharpness', Number.NaN)).toBe('–');
    expect(fieldText('train_loss', 0.4782)).toBe('0.4782');
    expect(fieldText('steps_to_converge', -1)).toBe('never');
    expect(fieldText('steps_to_converge', 37)).toBe('37');
  });

  it("says what a network run's threshold was when it never reached it: the default's 1% of the initial loss, or the spec's value", () => {
    expect(fieldText('steps_to_threshold', -1, { never: netThresholdText(netPlan(FRACTAL)) })).toBe('never (the train loss stayed above 1% of its initial value)');
    const set = netPlan({ ...FRACTAL, network: { ...FRACTAL.network, threshold: 0.05 } });
    expect(fieldText('steps_to_threshold', -1, { never: netThresholdText(set) })).toBe('never (the train loss stayed above network.threshold 0.05)');
    expect(fieldText('steps_to_threshold', 12, { never: netThresholdText(set) })).toBe('12');
  });
});
