/** A terminal-sized summary of a sweep's outcomes. */
import type { Results } from '../core/results.ts';

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
  return `${lines.join('\n')}\n`;
}
