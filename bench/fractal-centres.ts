/**
 * The fractal-boundary study's zoom sequence at its default size, zooming by another rule than the
 * study's `central` one: a second centre per depth, to see whether the dimension the claim checks
 * depends on where the zooms go. Writes the findings and verdict as JSON.
 *
 *   npx tsx bench/fractal-centres.ts densest OUT.json [SIDE] [DEPTHS]
 *
 * SIDE (default: the study's 256) draws larger images of the same windows: 512 takes four times as
 * long, and its box counts reach boxes of 64 cells. DEPTHS (default: the study's 3) draws only the
 * first ones: `central OUT.json 1024 1` is the first image at 1024 x 1024 (~35 minutes here).
 *
 * On the float32 CPU engine, with the float64 CPU engine for the precision samples (as
 * `basinlab study fractal-boundary --engine cpu` runs): ~7 minutes on a 2-core machine.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { createNodeEngine } from '../src/engine/node-engines.ts';
import { FRACTAL_SIZES, fractalRun, type ZoomRule } from '../src/studies/fractal-boundary.ts';

const rule = (process.argv[2] ?? 'densest') as ZoomRule;
const out = process.argv[3];
const side = Number(process.argv[4] ?? FRACTAL_SIZES.default.side);
if (!Number.isInteger(side) || side < 16 || side > 4096) throw new Error(`SIDE: expected an integer in [16, 4096], got ${process.argv[4]}`);
const depths = Number(process.argv[5] ?? FRACTAL_SIZES.default.depths);
if (!Number.isInteger(depths) || depths < 1 || depths > 8) throw new Error(`DEPTHS: expected an integer in [1, 8], got ${process.argv[5]}`);
if (rule !== 'densest' && rule !== 'central') throw new Error(`rule: expected densest or central, got ${rule}`);
if (!out) throw new Error('OUT: the JSON file to write');
const cpu = await createNodeEngine('cpu');
const cpu64 = await createNodeEngine('cpu64');
const t0 = performance.now();
try {
  const size = { ...FRACTAL_SIZES.default, rule, side, depths };
  const r = await fractalRun({ engine: cpu, float64: cpu64, quick: false, onProgress: (l) => process.stderr.write(`\r${l}          `) }, size);
  const seconds = (performance.now() - t0) / 1000;
  const text = JSON.stringify({ rule, size, seconds, findings: r.findings, verdict: r.verdict, summary: r.summary }, null, 1);
  writeFileSync(`${out}.tmp`, text);
  renameSync(`${out}.tmp`, out);
  process.stderr.write(`\n${seconds.toFixed(0)} s\n`);
} finally {
  cpu.dispose();
  cpu64.dispose();
}
