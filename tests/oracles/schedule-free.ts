/**
 * Float64 port of facebookresearch/schedule_free's SGDScheduleFree.step and AdamWScheduleFree.step
 * (non-foreach branch) and eval(), written from the Python with no code shared with src/: the group
 * dict (k, lr_max, weight_sum), p.data = y and state z (and exp_avg_sq) in train mode, a plain
 * a + w (b - a) for lerp_, Math.pow for every `**`, and eval()'s x = lerp(y, z, 1 - 1/beta) taken
 * after each step. Per step: x (the point reported), y (where the gradient is taken), z.
 */
import type { OptimizerOracle, OracleRun } from './run.ts';
import { lrOf, num, pair } from './run.ts';

function scheduleFree(adam: boolean, run: OracleRun): number[][] {
  const v = run.values;
  const group = { k: 0, lr_max: -1.0, weight_sum: 0.0 };
  const y = [...run.start]; // p.data in train mode
  const z = [...run.start]; // torch.clone(p.data) on the first step
  const expAvgSq = [0, 0];
  const [beta1, beta2] = adam ? pair(v, 'betas') : [num(v, 'momentum'), 0];
  const warmup = num(v, 'warmup_steps');
  const out: number[][] = [];
  for (let t = 1; t <= run.steps; t++) {
    const groupLr = lrOf(run, t);
    const beta = run.momAt ? run.momAt(t) : beta1;
    const k = group.k;
    const sched = k < warmup ? (k + 1) / warmup : 1.0;
    let lr: number;
    if (adam) {
      const biasCorrection2 = 1 - Math.pow(beta2, k + 1);
      lr = groupLr * sched * Math.sqrt(biasCorrection2);
    } else {
      lr = groupLr * sched;
    }
    const lrMax = (group.lr_max = Math.max(lr, group.lr_max));
    const weight = Math.pow(k + 1, num(v, 'r')) * Math.pow(lrMax, num(v, 'weight_lr_power'));
    const weightSum = (group.weight_sum = group.weight_sum + weight);
    const ckp1 = weightSum === 0 ? 0 : weight / weightSum; // ZeroDivisionError -> 0
    const gRaw = run.grad([y[0]!, y[1]!], t);
    for (let i = 0; i < 2; i++) {
      let g = gRaw[i]!;
      if (adam) {
        expAvgSq[i] = expAvgSq[i]! * beta2 + (1 - beta2) * g * g;
        const denom = Math.sqrt(expAvgSq[i]!) + num(v, 'eps');
        g = g / denom;
      }
      if (num(v, 'weight_decay') !== 0) g = g + num(v, 'weight_decay') * y[i]!;
      y[i] = y[i]! + ckp1 * (z[i]! - y[i]!);
      y[i] = y[i]! + lr * (beta * (1 - ckp1) - 1) * g;
      z[i] = z[i]! - lr * g;
    }
    group.k = k + 1;
    const w = 1 - 1 / beta;
    const x = [0, 1].map((i) => y[i]! + w * (z[i]! - y[i]!));
    out.push([x[0]!, x[1]!, y[0]!, y[1]!, z[0]!, z[1]!]);
  }
  return out;
}

export const SCHEDULE_FREE: Readonly<Record<string, OptimizerOracle>> = {
  SGDScheduleFree: (run) => scheduleFree(false, run),
  AdamWScheduleFree: (run) => scheduleFree(true, run),
};
