/** A terminal-sized summary of a sweep's outcomes, for either kind of problem. */
import type { AnyResults, NetResults, Results } from '../core/results.ts';
import { columnOf, precisionOf, resultColumns, rowCount } from '../core/results.ts';
import type { SummaryTable } from '../studies/types.ts';

interface Spread {
  readonly median: number;
  readonly p10: number;
  readonly p90: number;
  readonly min: number;
  readonly max: number;
  readonly count: number;
}

/** Quantiles of a column's finite values over the runs where `keep` holds. */
function spread(a: ArrayLike<number>, keep: (i: number) => boolean): Spread | null {
  const v: number[] = [];
  for (let i = 0; i < a.length; i++) if (keep(i) && Number.isFinite(a[i])) v.push(a[i] as number);
  if (v.length === 0) return null;
  v.sort((x, y) => x - y);
  const q = (p: number): number => v[Math.min(v.length - 1, Math.floor(p * v.length))] as number;
  return { median: q(0.5), p10: q(0.1), p90: q(0.9), min: v[0] as number, max: v[v.length - 1] as number, count: v.length };
}

const pctOf = (n: number) => (k: number): string => `${((100 * k) / n).toFixed(1)}%`;

function countOf(a: ArrayLike<number>): number {
  let k = 0;
  for (let i = 0; i < a.length; i++) if (a[i]) k++;
  return k;
}

/** Step counts (-1: never) as median, min and max over the runs that reached them. */
function stepsLine(label: string, a: Int32Array): string | null {
  const s = spread(a, (i) => (a[i] as number) >= 0);
  return s ? `  ${label}: median ${s.median}, min ${s.min}, max ${s.max}` : null;
}

function surfaceLines(res: Results): string[] {
  const n = rowCount(res);
  const pct = pctOf(n);
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const b = res.basin[i] as number;
    counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  const diverged = countOf(res.diverged);
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
      lines.push(`  ${m?.name !== undefined ? `${m.name} minimum [${b}]` : `minimum ${b}`} ${where}: ${c} (${pct(c)})`);
    });
  const steps = stepsLine('steps to converge', res.steps_to_converge);
  if (steps) lines.push(steps);
  return lines;
}

function networkLines(res: NetResults): string[] {
  const n = rowCount(res);
  const pct = pctOf(n);
  const net = res.network;
  const diverged = countOf(res.diverged);
  let trained = 0;
  for (let i = 0; i < n; i++) if ((res.steps_to_threshold[i] as number) >= 0) trained++;
  const lines = [
    `${n} runs on ${res.engine} (${res.width} x ${res.height}): ${net.params} parameters, ${net.train} training and ${net.test} test samples, ${net.loss}`,
    `  diverged: ${diverged} (${pct(diverged)})`,
    `  reached the training-loss threshold: ${trained} (${pct(trained)})`,
  ];
  const steps = stepsLine('steps to threshold', res.steps_to_threshold);
  if (steps) lines.push(steps);
  return lines;
}

export function summarize(res: AnyResults): string {
  const lines = res.problem === 'surface' ? surfaceLines(res) : networkLines(res);
  // Every float column the sweep produced (optional ones too: SWA, accuracies), over the runs that did not diverge.
  const floats = resultColumns(res.spec, precisionOf(res.engine)).filter((c) => c.kind === 'float');
  const width = Math.max(...floats.map((c) => c.name.length));
  const g = (x: number): string => (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5) ? x.toExponential(3) : x.toPrecision(4));
  for (const c of floats) {
    const s = spread(columnOf(res, c.name) ?? [], (i) => !res.diverged[i]);
    lines.push(`  ${c.name.padEnd(width)}  ${s ? `median ${g(s.median)} (p10 ${g(s.p10)}, p90 ${g(s.p90)}), min ${g(s.min)}, max ${g(s.max)} (${s.count} runs)` : 'no finite value'}`);
  }
  lines.push('  (float columns over the runs that did not diverge; every value: --out FILE, or pipe stdout for JSON)');
  return `${lines.join('\n')}\n`;
}

/** A study's table as text for a terminal: its title, then the columns padded to their widest cell (numbers right-aligned). */
export function tableText(t: SummaryTable): string {
  const rows = [t.columns, ...t.rows];
  const width = t.columns.map((_, k) => Math.max(...rows.map((r) => [...(r[k] ?? '')].length)));
  const pad = (c: string, k: number): string => {
    const fill = ' '.repeat((width[k] as number) - [...c].length);
    return k === 0 ? c + fill : fill + c;
  };
  const line = (r: readonly string[]): string => r.map((c, k) => pad(c, k)).join('  ').trimEnd();
  return [t.title, line(t.columns), width.map((w) => '-'.repeat(w)).join('  '), ...t.rows.map(line)].join('\n');
}
