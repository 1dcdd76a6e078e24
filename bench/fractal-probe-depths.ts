/**
 * The explorer's precision probe (app/precision-probe.ts) down a zoom sequence of the fractal
 * setting: at each depth a 32 x 32 map in float32 and in float64, the probe's 512-run sample judged
 * as the page judges it (float32 against float64, and float64 against itself nudged by one ulp),
 * then the next window by the fractal-boundary study's rule on the float64 map, zooming x8.
 *
 *   npx tsx bench/fractal-probe-depths.ts "X0 X1 Y0 Y1" STEPS densest|central [DEPTHS=5]
 *
 * The window in log10 LRs (input layer x, output layer y). One line per depth on stdout.
 */
import { createNodeEngine } from '../src/engine/node-engines.ts';
import { netPlanOf } from '../src/studies/run.ts';
import { fractalSpec, nextWindow, type Window } from '../src/studies/fractal-boundary.ts';
import { probeRanges, probeSplit, ulpNudgedPlan, untrainedClass } from '../src/app/precision-probe.ts';
import type { ClassAgreement } from '../src/core/validate.ts';
import { pastResolution } from '../src/core/validate.ts';

const corners = (process.argv[2] ?? '').split(' ').map(Number);
const steps = Number(process.argv[3]);
const rule = process.argv[4];
const depths = Number(process.argv[5] ?? 5);
if (corners.length !== 4 || corners.some((v) => !Number.isFinite(v))) throw new Error(`window: expected "X0 X1 Y0 Y1" (log10 LRs), got ${process.argv[2]}`);
if (!Number.isInteger(steps) || steps < 1 || steps > 100_000) throw new Error(`STEPS: expected an integer in [1, 100000], got ${process.argv[3]}`);
if (rule !== 'densest' && rule !== 'central') throw new Error(`rule: expected densest or central, got ${rule}`);
if (!Number.isInteger(depths) || depths < 1 || depths > 12) throw new Error(`DEPTHS: expected an integer in [1, 12], got ${process.argv[5]}`);
const cpu = await createNodeEngine('cpu');
const cpu64 = await createNodeEngine('cpu64');
const words = (s: ClassAgreement): string =>
  `${s.minorityRuns} runs on the smaller side, ${Math.round(100 * s.minorityKept)}% kept, κ ${s.kappa.toFixed(2)}${pastResolution(s) ? ', PAST' : ''}`;
let w: Window | null = { x0: corners[0] as number, x1: corners[1] as number, y0: corners[2] as number, y1: corners[3] as number };
try {
  for (let d = 0; d < depths && w; d++) {
    const plan = await netPlanOf(fractalSpec(w, 32, steps));
    const ranges = probeRanges(plan);
    const f32 = untrainedClass((await cpu.run(plan)).convergence);
    const f64 = untrainedClass((await cpu64.run(plan)).convergence);
    const nudgedPlan = await ulpNudgedPlan(plan);
    if (!nudgedPlan) throw new Error('the fractal plan sweeps two LRs: it has a nudge');
    // The nudged runs laid at their places in the grid: tested against float64 unmoved, as the page tests them.
    const nudged = new Uint8Array(plan.runs);
    for (const r of ranges) nudged.set(untrainedClass((await cpu64.run(nudgedPlan, { range: r })).convergence), r.begin);
    const ref = ranges.map((r) => f64.subarray(r.begin, r.end));
    const s32 = probeSplit(f32, ranges, ref);
    const s64 = probeSplit(nudged, ranges, ref);
    console.log(`depth ${d} (x${8 ** d} from the start window), log10 window ${[w.x0, w.x1, w.y0, w.y1].map((v) => v.toPrecision(8)).join(' ')}: float32 ${words(s32)}; float64 nudged ${words(s64)}`);
    // The next window on the float64 map's trained class (1: trained), as the study zooms.
    w = nextWindow(Uint8Array.from(f64, (v) => 1 - v), 32, w, 8, rule);
  }
} finally {
  cpu.dispose();
  cpu64.dispose();
}
process.exit(0);
