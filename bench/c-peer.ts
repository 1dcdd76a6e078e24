/**
 * The C peer (bench/c/momentum.c): momentum SGD on Rosenbrock in float32, OpenMP over blocks of
 * runs kept in L1, compiled here at run time with the system compiler: the machine's limit for the
 * headline workload. Before its rate is reported it is checked to compute what the engines compute:
 * bit for bit against a JavaScript Math.fround loop of the same operations on every run of a small
 * grid (diverged ones included), and against the `cpu` engine's final positions on the runs that
 * engine did not stop as diverged.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Plan } from '../src/core/plan.ts';
import type { Engine } from '../src/engine/engine.ts';

const SOURCE = new URL('./c/momentum.c', import.meta.url).pathname;

export interface CompiledPeer {
  readonly binary: string;
  /** First line of the compiler's --version. */
  readonly compiler: string;
  readonly flags: readonly string[];
  /** Temporary directory holding the binary (and dumps); removed by dispose(). */
  readonly dir: string;
}

export interface PeerRate {
  readonly rate: number;
  readonly seconds: number;
  readonly threads: number;
  readonly block: number;
  readonly runs: number;
  readonly steps: number;
}

export interface PeerCheck {
  readonly ok: boolean;
  /** Runs compared bit for bit with the Math.fround loop (all of the check grid). */
  readonly againstJs: number;
  /** Runs compared bit for bit with the `cpu` engine (those it did not stop as diverged). */
  readonly againstCpu: number;
  /** Non-finite final positions among the check grid's runs (diverged in the peer and the JS loop). */
  readonly nonFinite: number;
  readonly message: string;
}

/**
 * Compiles bench/c/momentum.c with the first of cc, gcc, clang that exists, into a temporary
 * directory (never into the repository). Flags are tried from most to least demanding: a compiler
 * without OpenMP support still gives a (single-threaded) peer, and says so through `flags`.
 * Null, with the reason, when no compiler exists or none of the attempts compiles.
 */
export function compilePeer(): CompiledPeer | { readonly skipped: string } {
  const compiler = ['cc', 'gcc', 'clang'].find((c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0);
  if (!compiler) return { skipped: 'no C compiler (cc, gcc or clang) on PATH' };
  const version = execFileSync(compiler, ['--version'], { encoding: 'utf8' }).split('\n')[0] ?? compiler;
  const dir = mkdtempSync(join(tmpdir(), 'basinlab-cpeer-'));
  const binary = join(dir, 'momentum');
  // -ffp-contract=off: no fused multiply-adds, so the peer rounds where the engines round (see the
  // source). -march=native: the vector width this machine has, as a C programmer would build it.
  const attempts: string[][] = [
    ['-O3', '-march=native', '-fopenmp', '-ffp-contract=off'],
    ['-O3', '-fopenmp', '-ffp-contract=off'],
    ['-O3', '-march=native', '-ffp-contract=off'],
    ['-O3', '-ffp-contract=off'],
  ];
  const errors: string[] = [];
  for (const flags of attempts) {
    const r = spawnSync(compiler, [...flags, SOURCE, '-o', binary, '-lm'], { encoding: 'utf8' });
    if (r.status === 0) return { binary, compiler: `${compiler}: ${version}`, flags, dir };
    errors.push(`${flags.join(' ')}: ${(r.stderr || r.error?.message || '').trim().split('\n')[0] ?? ''}`);
  }
  rmSync(dir, { recursive: true, force: true });
  return { skipped: `${compiler} could not compile bench/c/momentum.c (${errors.join('; ')})` };
}

/** The grid's two axes as float32, LRs (x) then momenta (y), as the peer reads them on stdin. */
function axes(plan: Plan): Buffer {
  if (plan.mode !== 'grid' || plan.width !== plan.height) throw new Error('the C peer runs square LR x momentum grids');
  const a = new Float32Array(plan.width + plan.height);
  a.set(plan.xValues, 0);
  a.set(plan.yValues, plan.width);
  return Buffer.from(a.buffer);
}

function start(plan: Plan): [number, number] {
  const [x0, y0] = plan.spec.start;
  if (x0 === undefined || y0 === undefined) throw new Error('the C peer needs a fixed start point');
  return [x0, y0];
}

/** Runs the peer on a plan (best of `reps`); with `dump`, also the final positions. */
export function runPeer(peer: CompiledPeer, plan: Plan, reps: number, dump = false): PeerRate & { x?: Float32Array; y?: Float32Array } {
  const [x0, y0] = start(plan);
  const out = join(peer.dir, 'final.f32');
  const args = [String(plan.width), String(plan.spec.steps), String(reps), String(x0), String(y0), ...(dump ? [out] : [])];
  const stdout = execFileSync(peer.binary, args, { input: axes(plan), encoding: 'utf8', maxBuffer: 1 << 20 });
  const r = JSON.parse(stdout) as PeerRate;
  if (!dump) return r;
  const bytes = readFileSync(out);
  const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  return { ...r, x: all.slice(0, plan.runs), y: all.slice(plan.runs) };
}

/** The peer's arithmetic in JavaScript, every operation rounded to float32 (run j*w + i). */
export function froundLoop(plan: Plan): { x: Float32Array; y: Float32Array } {
  const f = Math.fround;
  const [x0, y0] = start(plan);
  const w = plan.width;
  const x = new Float32Array(plan.runs);
  const y = new Float32Array(plan.runs);
  for (let j = 0; j < plan.height; j++) {
    const m = f(plan.yValues[j] as number);
    for (let i = 0; i < w; i++) {
      const l = f(plan.xValues[i] as number);
      let px = f(x0);
      let py = f(y0);
      let bx = 0;
      let by = 0;
      for (let k = 0; k < plan.spec.steps; k++) {
        const d1 = f(1 - px);
        const d2 = f(py - f(px * px));
        const gx = f(f(-2 * d1) - f(f(400 * px) * d2));
        const gy = f(200 * d2);
        bx = f(f(bx * m) + gx);
        by = f(f(by * m) + gy);
        px = f(px - f(l * bx));
        py = f(py - f(l * by));
      }
      x[j * w + i] = px;
      y[j * w + i] = py;
    }
  }
  return { x, y };
}

/** Same float32 value, NaN equal to NaN (its sign and payload are not part of the arithmetic). */
function same(a: number, b: number): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
}

/**
 * Checks the peer on `plan` (a small grid of the headline's sweep): every run against the fround
 * loop, and the runs the `cpu` engine finished without diverging against that engine.
 */
export async function checkPeer(peer: CompiledPeer, plan: Plan, cpu: Engine): Promise<PeerCheck> {
  const c = runPeer(peer, plan, 1, true);
  const js = froundLoop(plan);
  const engine = await cpu.run(plan);
  const cx = c.x as Float32Array;
  const cy = c.y as Float32Array;
  const problems: string[] = [];
  let nonFinite = 0;
  let againstCpu = 0;
  for (let r = 0; r < plan.runs; r++) {
    const px = cx[r] as number;
    const py = cy[r] as number;
    if (!Number.isFinite(px) || !Number.isFinite(py)) nonFinite++;
    if (!same(px, js.x[r] as number) || !same(py, js.y[r] as number)) {
      problems.push(`run ${r}: C (${px}, ${py}) vs Math.fround loop (${js.x[r]}, ${js.y[r]})`);
    }
    if (engine.diverged[r] === 0) {
      againstCpu++;
      if (!same(px, engine.final_x[r] as number) || !same(py, engine.final_y[r] as number)) {
        problems.push(`run ${r}: C (${px}, ${py}) vs cpu engine (${engine.final_x[r]}, ${engine.final_y[r]})`);
      }
    }
  }
  if (againstCpu === 0) problems.push('the cpu engine diverged on every run of the check grid: nothing to compare with');
  const ok = problems.length === 0;
  const message = ok
    ? `C peer bit-identical to the Math.fround loop on all ${plan.runs} runs (${nonFinite} of them non-finite) and to the cpu engine on its ${againstCpu} non-diverged runs (${plan.width}² x ${plan.spec.steps} steps)`
    : `C peer does NOT compute what the engines compute: ${problems.length} mismatches, first: ${problems.slice(0, 3).join('; ')}`;
  return { ok, againstJs: plan.runs, againstCpu, nonFinite, message };
}

export function disposePeer(peer: CompiledPeer): void {
  rmSync(peer.dir, { recursive: true, force: true });
}
