/**
 * Grad passes per CPU-second of one thread, JS kernel against the WebAssembly SIMD pass, on the
 * bench's two network settings (fractal: 16-16-1 mean-field tanh MSE, 272 rows, full batch; Iris:
 * 4-8-3 tanh with biases, cross-entropy, 16 rows). CPU time (process.cpuUsage), not wall time, so
 * that other work on a shared machine counts less. Then whole runs (NetRun.trainRun on the bench's
 * plans, bench/networks.ts) with either kernel. `npx tsx bench/net-kernel-micro.ts [seconds]`.
 */
import type { LossName } from '../src/core/network/model.ts';
import { layout } from '../src/core/network/model.ts';
import type { Precision } from '../src/core/steps.ts';
import type { NetImpl } from '../src/engine/cpu/net-kernel.ts';
import { netKernel } from '../src/engine/cpu/net-kernel.ts';
import { NetRun } from '../src/engine/cpu/network.ts';
import { NET_SETTINGS, netPlan } from './networks.ts';

const seconds = Number(process.argv[2] ?? 1.5);
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
let s = 1;
const rnd = (): number => {
  s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
  return s / 2 ** 32;
};

const settings = [
  { name: 'fractal', sizes: [16, 16, 1], bias: false, parametrization: 'mean_field' as const, loss: 'mse' as LossName, n: 272, batch: 272 },
  { name: 'iris', sizes: [4, 8, 3], bias: true, parametrization: 'standard' as const, loss: 'cross_entropy' as LossName, n: 120, batch: 16 },
];
for (const st of settings) {
  const L = layout({ sizes: st.sizes, activation: 'tanh', bias: st.bias, parametrization: st.parametrization });
  for (const precision of ['f64', 'f32'] as Precision[]) {
    const r = precision === 'f32' ? Math.fround : (x: number): number => x;
    const inputs = st.sizes[0] as number;
    const outputs = st.sizes[st.sizes.length - 1] as number;
    const x = Float64Array.from({ length: st.n * inputs }, () => r(2 * rnd() - 1));
    const y = st.loss === 'mse' ? Float64Array.from({ length: st.n * outputs }, () => r(2 * rnd() - 1)) : Float64Array.from({ length: st.n }, () => Math.floor(rnd() * outputs));
    const theta = Float64Array.from({ length: L.params }, () => r(rnd() - 0.5));
    const grad = new Float64Array(L.params);
    const rows = Int32Array.from({ length: st.batch }, (_, i) => i);
    const rate: Record<string, number> = {};
    for (const impl of ['js', 'wasm'] as NetImpl[]) {
      const k = netKernel(L, st.loss, precision, 'grad', impl);
      for (let i = 0; i < 200; i++) k(theta, x, y, rows, st.batch, grad, null, null, null);
      let best = 0;
      for (let rep = 0; rep < 3; rep++) {
        let passes = 0;
        const t0 = cpu();
        let t = t0;
        while (t - t0 < seconds / 3) {
          for (let i = 0; i < 50; i++) {
            grad.fill(0);
            k(theta, x, y, rows, st.batch, grad, null, null, null);
          }
          passes += 50;
          t = cpu();
        }
        best = Math.max(best, passes / (t - t0));
      }
      rate[impl] = best;
    }
    console.log(`${st.name} ${precision}: JS ${rate['js']?.toFixed(0)} grad passes/s, wasm ${rate['wasm']?.toFixed(0)} (${((rate['wasm'] ?? 0) / (rate['js'] ?? 1)).toFixed(2)}x)`);
  }
}

// Whole runs: the same NetRun with its passes swapped (steps counted as planned: runs that diverge
// stop early for both kernels alike).
for (const setting of NET_SETTINGS) {
  const plan = await netPlan(setting, false);
  for (const precision of ['f64', 'f32'] as Precision[]) {
    const res: string[] = [];
    for (const impl of ['js', 'auto'] as NetImpl[]) {
      const nr = new NetRun(plan, precision);
      const passes = nr as unknown as { passGrad: unknown; passLoss: unknown };
      passes.passGrad = netKernel(plan.layout, plan.loss, precision, 'grad', impl);
      passes.passLoss = netKernel(plan.layout, plan.loss, precision, 'loss', impl);
      let best = Number.POSITIVE_INFINITY;
      for (let rep = 0; rep < 3; rep++) {
        const t0 = cpu();
        let steps = 0;
        for (let run = 0; run < (setting.name === 'fractal' ? 8 : 40); run++) {
          nr.init(run * 7);
          nr.trainRun();
          steps += plan.spec.steps;
        }
        best = Math.min(best, (cpu() - t0) / steps);
      }
      res.push(`${impl === 'js' ? 'JS' : 'wasm'} ${(1 / best).toFixed(0)}`);
    }
    console.log(`${setting.name} ${precision}: NetRun steps per CPU-second, one thread: ${res.join(', ')}`);
  }
}
