/**
 * How deep the float64 engine resolves the fractal-boundary study's boundary, measured rather than
 * estimated from the ulp ratio. Nothing finer than float64 runs here, so a window's map is compared
 * with itself under rounding-sized nudges: every run's two LRs moved by a relative 2^-bits in a
 * direction fixed per run (52 bits: one float64 ulp; 24: float32's rounding of an LR), the runs in
 * float64. A run whose class (trained or not) such a nudge flips is decided by perturbations of that
 * size, as the probe's float32 and float64 comparison asks (core/validate.ts classAgreement and
 * pastResolution).
 *
 * The nudges also give the boundary's dimension a second way, below the cells' scale: the share of
 * runs a nudge of size e flips scales as e^alpha, and the dimension is 2 - alpha (the uncertainty
 * exponent, Grebogi, McDonald, Ott and Yorke 1983).
 *
 * The windows are a fractal-boundary run's (SOURCE: its JSON, findings.windowsLog10 and steps), the
 * float32 engine's comparison with float64 at those windows known from that run. Past its last
 * window the zoom goes on by the study's `central` rule on the float64 map, by ZOOM per depth, until
 * the one-ulp nudge fails the resolution test or MAXDEPTH.
 *
 *   npx tsx bench/fractal-float64-resolution.ts OUT.json SOURCE.json [SIDE=64] [ZOOM=10] [MAXDEPTH=0] [BITS=52,44,36,28,24,16]
 *
 * Each window: SIDE² runs on the float64 CPU engine, once plain and once per nudge.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createNodeEngine } from '../src/engine/node-engines.ts';
import { runNetSpec } from '../src/studies/run.ts';
import { fractalSpec, nextWindow, type Window } from '../src/studies/fractal-boundary.ts';
import { classAgreement, nudgeDirection, pastResolution, ulpStep } from '../src/core/validate.ts';

const [out, source] = process.argv.slice(2);
const side = Number(process.argv[4] ?? 64);
const zoom = Number(process.argv[5] ?? 10);
const maxDepth = Number(process.argv[6] ?? 0);
if (!out || !source) throw new Error('usage: OUT.json SOURCE.json [SIDE] [ZOOM] [MAXDEPTH] [BITS]');
if (!Number.isInteger(side) || side < 8 || side > 1024) throw new Error(`SIDE: expected an integer in [8, 1024], got ${process.argv[4]}`);
if (!(zoom >= 2 && zoom <= 1e4)) throw new Error(`ZOOM: expected a number in [2, 10000], got ${process.argv[5]}`);
if (!Number.isInteger(maxDepth) || maxDepth < 0 || maxDepth > 20) throw new Error(`MAXDEPTH: expected an integer in [0, 20], got ${process.argv[6]}`);

const found = (JSON.parse(readFileSync(source, 'utf8')) as { findings: { windowsLog10: string[]; steps: number } }).findings;
const STEPS = found.steps;
const known = found.windowsLog10.map((s): Window => {
  const [x0, x1, y0, y1] = s.split(' ').map(Number) as [number, number, number, number];
  return { x0, x1, y0, y1 };
});
const lastDepth = Math.max(maxDepth, known.length - 1);

/** Moves v by a relative 2^-bits in direction s; at 52 bits, by one ulp (the next double up or down). */
function nudge(v: number, bits: number, s: 1 | -1): number {
  if (bits === 0) return v;
  if (bits >= 52) return ulpStep(v, s);
  return v * (1 + s * 2 ** -bits);
}

/** The grid's LR pairs (x fastest, as the grid's cells), each moved by a relative 2^-bits (0: not moved). */
function points(w: Window, bits: number): number[][] {
  const p: number[][] = [];
  for (let j = 0; j < side; j++) {
    const y = 10 ** (w.y0 + ((w.y1 - w.y0) * j) / (side - 1));
    for (let i = 0; i < side; i++) {
      const x = 10 ** (w.x0 + ((w.x1 - w.x0) * i) / (side - 1));
      const k = j * side + i;
      p.push([nudge(x, bits, nudgeDirection(k, 0)), nudge(y, bits, nudgeDirection(k, 1))]);
    }
  }
  return p;
}

const cpu64 = await createNodeEngine('cpu64');
const trained = (c: ArrayLike<number>) => Uint8Array.from(Array.from(c, (v) => (v < 0 ? 1 : 0)));
async function classes(w: Window, label: string, bits: number): Promise<Uint8Array> {
  const spec = fractalSpec(w, side, STEPS) as { sweep: unknown };
  spec.sweep = { kind: 'points', params: ['optimizer.param_groups.0.lr', 'optimizer.lr'], points: points(w, bits) };
  const r = await runNetSpec({ engine: cpu64, quick: false }, label, spec);
  return trained(r.results.convergence);
}

/** Nudge sizes, relative 2^-bits: 52 is one float64 ulp, 24 float32's rounding of an LR (half its ulp). */
const BITS = (process.argv[7] ?? '52,44,36,28,24,16').split(',').map(Number);
if (BITS.some((b) => !Number.isInteger(b) || b < 1 || b > 52)) throw new Error(`BITS: expected integers in [1, 52], got ${process.argv[7]}`);

/**
 * The uncertainty exponent (Grebogi, McDonald, Ott and Yorke 1983): the share of runs a nudge of
 * size e flips scales as e^alpha, and the boundary's box-counting dimension is 2 - alpha. The least
 * squares slope of log(share) against log(e) over the nudges that flip at least 5 runs.
 */
function uncertaintyExponent(flipped: { bits: number; runs: number }[], total: number): number | null {
  const pts = flipped.filter((f) => f.runs >= 5).map((f) => [-f.bits * Math.LN2, Math.log(f.runs / total)] as const);
  if (pts.length < 2) return null;
  const mx = pts.reduce((s, p) => s + p[0], 0) / pts.length;
  const my = pts.reduce((s, p) => s + p[1], 0) / pts.length;
  const sxy = pts.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0);
  const sxx = pts.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
  return sxx > 0 ? sxy / sxx : null;
}

const rows: Record<string, unknown>[] = [];
const write = () => {
  writeFileSync(`${out}.tmp`, JSON.stringify({ source, side, steps: STEPS, zoom, bits: BITS, rows }, null, 1));
  renameSync(`${out}.tmp`, out);
};
let w: Window | null = known[0] ?? null;
try {
  for (let depth = 0; w && depth <= lastDepth; depth++) {
    const t0 = performance.now();
    const base = await classes(w, `depth ${depth}`, 0);
    const nudges: Record<string, unknown>[] = [];
    const flipped: { bits: number; runs: number }[] = [];
    let float64Past = false;
    for (const bits of BITS) {
      const g = classAgreement(await classes(w, `depth ${depth} 2^-${bits}`, bits), base);
      const past = pastResolution(g);
      if (bits === 52) float64Past = past;
      flipped.push({ bits, runs: Math.round(g.disagree * base.length) });
      nudges.push({ bits, ...g, past });
    }
    const alpha = uncertaintyExponent(flipped, base.length);
    const row = {
      depth,
      zoomed: Number((5 / (w.x1 - w.x0)).toPrecision(4)),
      windowLog10: [w.x0, w.x1, w.y0, w.y1],
      trained: base.reduce((s, v) => s + v, 0) / base.length,
      nudges,
      alpha,
      dimension: alpha === null ? null : 2 - alpha,
      seconds: (performance.now() - t0) / 1000,
    };
    rows.push(row);
    write();
    console.log(JSON.stringify({ ...row, nudges: nudges.map((n) => `2^-${n.bits}: ${((n.disagree as number) * base.length).toFixed(0)} flipped, kept ${(n.minorityKept as number).toFixed(2)}, kappa ${(n.kappa as number).toFixed(2)}${n.past ? ' PAST' : ''}`) }));
    if (float64Past && depth >= known.length - 1) break;
    w = depth + 1 < known.length ? (known[depth + 1] as Window) : nextWindow(base, side, w, zoom, 'central');
  }
} finally {
  cpu64.dispose();
}
process.exit(0);
