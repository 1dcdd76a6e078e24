/** A terminal-sized summary of a sweep's outcomes. */
import type { Results } from '../core/results.ts';
import { columnOf, precisionOf, resultColumns } from '../core/results.ts';

/** Median, min and max of a column's finite values over the runs where `keep` holds. */
function spread(a: ArrayLike<number>, keep: (i: number) => boolean): { median: number; min: number; max: number; count: number } | null {
  const v: number[] = [];
  for (let i = 0; i < a.length; i++) if (keep(i) && Number.isFinite(a[i])) v.push(a[i] as number);
  if (v.length === 0) return null;
  v.sort((x, y) => x - y);
  return { median: v[v.length >> 1] as number, min: v[0] as number, max: v[v.length - 1] as number, count: v.length };
}

export function summarize(res: Results): string {
  const n = res.basin.length;
  const counts = new Map<number, number>();
  let diverged = 0;
  const steps: number[] = [];
  for (let i = 0; i < n; i++) {
    if (res.diverged[i]) diverged++;
    const b = res.basin[i] as number;
    counts.set(b, (counts.get(b) ?? 0) + 1);
    if (b >= 0) steps.push(res.steps_to_converge[i] as number);
  }
  steps.sort((a, b) => a - b);
  const pct = (k: number): string => `${((100 * k) / n).toFixed(1)}%`;
  const lines = [`${n} runs on ${res.engine} (${res.width} x ${res.height})`, `  diverged: ${diverged} (${pct(diverged)})`];
  const notConverged = (counts.get(-1) ?? 0) - diverged;
  lines.push(`  not converged: ${notConverged} (${pct(notConverged)})`);
  [...counts.entries()]
    .filter(([b]) => b >= 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 10)
    .forEach(([b, c]) => {
      const m = res.minima[b];
      const where = m ? `(${m.x.toFixed(4)}, ${m.y.toFixed(4)}), loss ${m.value.toPrecision(4)}, sharpness ${m.sharpness.toPrecision(4)}` : '';
      lines.push(`  minimum ${b} ${where}: ${c} (${pct(c)})`);
    });
  if (steps.length > 0) {
    lines.push(`  steps to converge: median ${steps[steps.length >> 1]}, min ${steps[0]}, max ${steps[steps.length - 1]}`);
  }
  // Every float column the sweep produced (optional ones too), over the runs that did not diverge.
  const floats = resultColumns(res.spec, precisionOf(res.engine)).filter((c) => c.kind === 'float');
  const width = Math.max(...floats.map((c) => c.name.length));
  for (const c of floats) {
    const s = spread(columnOf(res, c.name) ?? [], (i) => !res.diverged[i]);
    const g = (x: number): string => (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5) ? x.toExponential(3) : x.toPrecision(4));
    lines.push(`  ${c.name.padEnd(width)}  ${s ? `median ${g(s.median)}, min ${g(s.min)}, max ${g(s.max)} (${s.count} runs)` : 'no finite value'}`);
  }
  lines.push('  (float columns over the runs that did not diverge; every value: --out FILE, or pipe stdout for JSON)');
  return `${lines.join('\n')}\n`;
}
