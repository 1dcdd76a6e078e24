// The explorer's float32-resolution probe (src/app/precision-probe.ts): its cost against the map's own, on
// the CPU engines, for the fractal preset (32 x 32, 40 steps) and a deep zoom (32 x 32, 500 steps).
// npx tsx bench/probe-cost.ts
import { createNodeEngine } from '../src/engine/node-engines.ts';
import { parseNetSpec } from '../src/core/spec.ts';
import { makeNetPlan, prepareSpec } from '../src/core/network/plan.ts';
import { fractalSpec } from '../src/studies/fractal-boundary.ts';
import { probeRanges, probeSplit } from '../src/app/precision-probe.ts';
const cpu = await createNodeEngine('cpu');
const cpu64 = await createNodeEngine('cpu64');
for (const [label, w, steps] of [['preset 32x32x40', { x0: 0, x1: 5, y0: 1.30103, y1: 2.778151 }, 40], ['deep zoom 32x32x500', { x0: 2.599461, x1: 2.604461, y0: 2.067526, y1: 2.069003 }, 500]] as const) {
  const spec = parseNetSpec(fractalSpec(w, 32, steps));
  await prepareSpec(spec);
  const plan = makeNetPlan(spec);
  let t = performance.now();
  const map = await cpu.run(plan);
  const tMap = (performance.now() - t) / 1000;
  t = performance.now();
  const ranges = probeRanges(plan);
  const parts = [];
  for (const range of ranges) parts.push((await cpu64.run(plan, { range })).diverged);
  const tProbe = (performance.now() - t) / 1000;
  const s = probeSplit(map.diverged, ranges, parts);
  console.log(label, 'map', tMap.toFixed(2), 's; probe', tProbe.toFixed(2), 's;', JSON.stringify(s));
}
await cpu.dispose(); await cpu64.dispose(); process.exit(0);
