// The fractal-boundary --full zoom windows of the H200 run (bench/device-runs/2026-12-04-h200/fractal-boundary-full.json), each sampled
// at SIDE x SIDE cells (argument, default 32) and its 500 steps in float32 and float64 on the CPU engines: how much of each depth float32
// resolves (core/validate.ts classAgreement), and the claim checked on the H200 dimensions with it. npx tsx bench/fractal-full-precision.ts 64
import { readFileSync } from 'node:fs';
import { createNodeEngine } from '../src/engine/node-engines.ts';
import { runNetSpec } from '../src/studies/run.ts';
import { fractalSpec, checkFractalBoundary } from '../src/studies/fractal-boundary.ts';
import { classAgreement } from '../src/core/validate.ts';
import { writeFileAtomically } from '../src/io/text-file.ts';

const side = Number(process.argv[2] ?? 32);
const f = (JSON.parse(readFileSync('bench/device-runs/2026-12-04-h200/fractal-boundary-full.json', 'utf8')) as { findings: { windowsLog10: string[]; steps: number; dimensions: number[] } }).findings;
const cpu = await createNodeEngine('cpu');
const cpu64 = await createNodeEngine('cpu64');
const out: Record<string, unknown>[] = [];
const kept: number[] = [];
const minorityRuns: number[] = [];
for (const [k, s] of f.windowsLog10.entries()) {
  const [x0, x1, y0, y1] = s.split(' ').map(Number) as [number, number, number, number];
  const spec = fractalSpec({ x0, x1, y0, y1 }, side, f.steps);
  const t0 = performance.now();
  const a = await runNetSpec({ engine: cpu, quick: false }, `f32 ${k}`, spec);
  const b = await runNetSpec({ engine: cpu64, quick: false }, `f64 ${k}`, spec);
  const cls = (c: ArrayLike<number>) => Uint8Array.from(Array.from(c, (v) => (v < 0 ? 1 : 0)));
  const g = classAgreement(cls(a.results.convergence), cls(b.results.convergence));
  const trained64 = cls(b.results.convergence).reduce((s, v) => s + v, 0) / (side * side);
  kept.push(g.minorityKept);
  minorityRuns.push(g.minorityRuns);
  const row = { depth: k, window: s, ...g, trained64, seconds: (performance.now() - t0) / 1000 };
  out.push(row);
  console.log(JSON.stringify(row));
}
// The H200's maps are float32's at every depth: the claim as the study checks a run that drew no depth in float64.
const verdict = checkFractalBoundary({ dimensions: f.dimensions, precisionMinorityKept: kept, precisionMinorityRuns: minorityRuns, float64Depths: [] });
console.log(JSON.stringify(verdict, null, 1));
await writeFileAtomically(`bench/device-runs/2026-12-04-h200/fractal-full-precision-${side}.json`, [JSON.stringify({ side, steps: f.steps, dimensions: f.dimensions, samples: out, verdict }, null, 1)]);
cpu.dispose(); cpu64.dispose();
process.exit(0);
