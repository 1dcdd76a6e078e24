/**
 * tanh64 (core/network/tanh.ts) against the true tanh, in ulp, by range: mpmath at 60 digits
 * (python3 with mpmath) on 50,000 random doubles a range, and against Math.tanh on the same
 * values. The numbers in tanh.ts's comment and docs/performance.md come from here.
 * `npx tsx bench/tanh64-accuracy.ts`
 */
import { execFileSync } from 'node:child_process';
import { TANH64_RANGES as ranges, tanh64 } from '../src/core/network/tanh.ts';

const N = 50_000;
const lines: string[] = [];
for (const [lo, hi] of ranges) for (let i = 0; i < N; i++) {
  const x = lo + Math.random() * (hi - lo);
  lines.push(`${x} ${tanh64(x)} ${Math.tanh(x)}`);
}
const py = `
import sys, mpmath, struct
mpmath.mp.dps = 60
def bits(v): return struct.unpack('<q', struct.pack('<d', v))[0]
def ulp_err(got, x):
    t = mpmath.tanh(mpmath.mpf(x))
    near = float(t)
    # The spacing of doubles at the true value (from the double nearest it, upwards).
    u = abs(struct.unpack('<d', struct.pack('<q', bits(near) + 1))[0] - near)
    return float(abs(mpmath.mpf(got) - t) / u)
rows = [l.split() for l in sys.stdin.read().strip().split('\\n')]
N = ${N}
for i, (lo, hi) in enumerate(${JSON.stringify(ranges)}):
    chunk = rows[i * N:(i + 1) * N]
    e64 = [ulp_err(float(g), float(x)) for x, g, m in chunk]
    em = [ulp_err(float(m), float(x)) for x, g, m in chunk]
    within = sum(1 for e in e64 if e <= 1) / len(e64)
    print(f'[{lo}, {hi}): tanh64 max {max(e64):.2f} ulp, {100 * within:.1f}% within 1 ulp; Math.tanh max {max(em):.2f} ulp')
`;
process.stdout.write(execFileSync('python3', ['-c', py], { input: lines.join('\n'), encoding: 'utf8', maxBuffer: 1 << 26 }));
