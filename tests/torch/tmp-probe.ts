import { spawnSync } from 'node:child_process';
import { makePlan } from '../../src/core/plan.ts';
import { parseSpec } from '../../src/core/spec.ts';
import { recordTrajectory } from '../../src/engine/cpu/kernel.ts';
const Q = 'quadratic'; const st = [-1.5, 1.5];
const sg = { name: 'SGD', lr: 0.05 };
const specs: Record<string, unknown>[] = [
  { surface: Q, optimizer: sg, schedule: { name: 'CyclicLR', base_lr: 0.01, max_lr: 0.05, step_size_up: 7, step_size_down: 0, cycle_momentum: false }, steps: 40 },
  { surface: Q, optimizer: sg, schedule: { name: 'CosineAnnealingWarmRestarts', T_0: 3, T_mult: 3 }, steps: 60 },
  { surface: Q, optimizer: sg, schedule: { name: 'MultiStepLR', milestones: [0, 5, 5, 9], gamma: 0.5 }, steps: 20 },
  { surface: Q, optimizer: sg, schedule: { name: 'StepLR', step_size: 4, gamma: -0.9 }, steps: 20 },
  { surface: Q, optimizer: sg, schedule: { name: 'LinearLR', start_factor: 0.5, total_iters: 0 }, steps: 20 },
  { surface: Q, optimizer: sg, schedule: { name: 'ConstantLR', factor: 0.5, total_iters: 0 }, steps: 20 },
  { surface: Q, optimizer: sg, schedule: { name: 'PolynomialLR', total_iters: 0 }, steps: 20 },
  { surface: Q, optimizer: sg, schedule: { name: 'SequentialLR', milestones: [5], schedulers: [{ name: 'ExponentialLR', gamma: 0.9 }, { name: 'ConstantLR', factor: 0.5, total_iters: 0 }] }, steps: 20 },
  { surface: Q, optimizer: sg, schedule: { name: 'SequentialLR', milestones: [5, 12], schedulers: [{ name: 'CosineAnnealingLR', T_max: 3 }, { name: 'CosineAnnealingLR', T_max: 4, eta_min: 0.01 }, { name: 'PolynomialLR', total_iters: 4, power: 3 }] }, steps: 30 },
  { surface: Q, optimizer: sg, schedule: { name: 'SequentialLR', milestones: [3, 9], schedulers: [{ name: 'OneCycleLR', max_lr: 0.1, total_steps: 20, cycle_momentum: false }, { name: 'LinearLR', start_factor: 0.2, total_iters: 3 }, { name: 'OneCycleLR', max_lr: 0.1, total_steps: 20, cycle_momentum: false }] }, steps: 20 },
  { surface: Q, optimizer: sg, schedule: { name: 'SequentialLR', milestones: [6], schedulers: [{ name: 'CosineAnnealingLR', T_max: 10 }, { name: 'OneCycleLR', max_lr: 0.1, total_steps: 20, cycle_momentum: false }] }, steps: 25 },
  { surface: Q, optimizer: sg, schedule: { name: 'SWALR', swa_lr: 0.01, anneal_epochs: 1 }, steps: 10 },
  { surface: Q, optimizer: sg, schedule: { name: 'ChainedScheduler', schedulers: [{ name: 'CosineAnnealingLR', T_max: 20 }, { name: 'ConstantLR', factor: 0.5, total_iters: 3 }] }, steps: 20 },
  { surface: Q, optimizer: sg, schedule: { name: 'ReduceLROnPlateau', patience: 0, factor: 0.9 }, steps: 40 },
  { surface: Q, optimizer: { name: 'SGD', lr: 0.21 }, schedule: { name: 'ReduceLROnPlateau', patience: 0, factor: 0.9, min_lr: 0.15, eps: 0.01 }, steps: 40 },
  { surface: Q, optimizer: { name: 'Rprop', lr: 0.05 }, schedule: { name: 'StepLR', step_size: 3, gamma: 0.1 }, steps: 30 },
  { surface: Q, optimizer: { name: 'Rprop', lr: 0.0 }, schedule: null, steps: 30 },
  { surface: Q, optimizer: { name: 'Rprop', lr: 0.05, step_sizes: [0.1, 0.01] }, schedule: null, steps: 30 },
  { surface: Q, optimizer: { name: 'ASGD', lr: 0.05, t0: 3, lambd: 0.1 }, schedule: { name: 'ExponentialLR', gamma: 0.95 }, steps: 40 },
  { surface: Q, optimizer: { name: 'ASGD', lr: 0.05, t0: -5 }, schedule: null, steps: 20 },
  { surface: Q, optimizer: { name: 'Adagrad', lr: 0.5, lr_decay: 0.1 }, schedule: { name: 'LinearLR', start_factor: 0.5, total_iters: 10 }, steps: 40 },
  { surface: Q, optimizer: { name: 'Adam', lr: 0.05, betas: [0, 0.9] }, schedule: null, steps: 40 },
  { surface: Q, optimizer: { name: 'Adam', lr: 0.05, betas: [0.3, 0.5], eps: 0 }, schedule: null, steps: 40 },
  { surface: Q, optimizer: { name: 'RMSprop', lr: 0.01, alpha: 0 }, schedule: null, steps: 40 },
  { surface: Q, optimizer: { name: 'RMSprop', lr: 0.01, alpha: 1.2, momentum: 1.1 }, schedule: null, steps: 10 },
  { surface: Q, optimizer: { name: 'Adadelta', rho: 1 }, schedule: null, steps: 20 },
  { surface: Q, optimizer: { name: 'Adadelta', rho: 0, eps: 0.01 }, schedule: null, steps: 20 },
  { surface: Q, optimizer: { name: 'SGD', lr: 0.01, momentum: 1.2, dampening: -1 }, schedule: null, steps: 20 },
  { surface: Q, optimizer: { name: 'SGD', lr: 0.01, momentum: 0.9 }, schedule: { name: 'CyclicLR', base_lr: 0.01, max_lr: 0.02, step_size_up: 5, base_momentum: 0, max_momentum: 0.5 }, steps: 30 },
  { surface: Q, optimizer: { name: 'SGD', lr: 0.01, momentum: 0.9 }, schedule: { name: 'CyclicLR', base_lr: 0.01, max_lr: 0.02, step_size_up: 5, base_momentum: 0.5, max_momentum: 0 }, steps: 30 },
  { surface: Q, optimizer: { name: 'NAdam', lr: 0.01, momentum_decay: 0, betas: [0.2, 0.3] }, schedule: null, steps: 30 },
  { surface: Q, optimizer: { name: 'RAdam', lr: 0.01, betas: [0.9, 0.5] }, schedule: null, steps: 30 },
  { surface: Q, optimizer: { name: 'RAdam', lr: 0.01, betas: [0.9, 0.9999] }, schedule: null, steps: 30 },
  { surface: Q, optimizer: { name: 'Adamax', lr: 0.01, betas: [0.0, 0.0] }, schedule: null, steps: 30 },
  { surface: Q, optimizer: { name: 'OneCycleLR' }, schedule: null, steps: 1 },
];
const good: Record<string, unknown>[] = [];
for (const s of specs) { try { parseSpec({ start: st, ...s }); good.push(s); } catch (e) { console.log('REJECTED', JSON.stringify(s).slice(0, 150), String(e).slice(0, 200)); } }
const jobs = good.map((s, i) => { const sp = parseSpec({ start: st, ...s }); return { id: String(i), surface: sp.surface, optimizer: sp.optimizer, schedule: sp.schedule, steps: sp.steps, start: sp.start }; });
const r = spawnSync('/usr/bin/python3', ['tests/torch/oracle.py'], { input: JSON.stringify(jobs), encoding: 'utf8' });
const out = JSON.parse(r.stdout);
good.forEach((s, i) => {
  const t = recordTrajectory(makePlan(parseSpec({ start: st, ...s })), 'f64', 0);
  const a = out.answers[i];
  if (a.error) { console.log('TORCH ERR', JSON.stringify(s).slice(0, 150), a.error); return; }
  let pe = 0, le = 0;
  for (let k = 0; k < t.x.length; k++) pe = Math.max(pe, Math.abs(t.x[k]! - a.x[k]) / Math.max(1, Math.abs(a.x[k])), Math.abs(t.y[k]! - a.y[k]) / Math.max(1, Math.abs(a.y[k])));
  for (let k = 0; k < t.lr.length; k++) le = Math.max(le, Math.abs(t.lr[k]! - a.lr[k]) / Math.max(1e-300, Math.abs(a.lr[k])));
  let me = 0; if (t.momentum) for (let k = 0; k < t.momentum.length; k++) me = Math.max(me, Math.abs(t.momentum[k]! - a.momentum[k]));
  const flag = pe > 1e-9 || le > 1e-9 || me > 1e-9 ? 'DIFF' : 'ok  ';
  console.log(flag, pe.toExponential(1), le.toExponential(1), me.toExponential(1), t.x.length, a.x.length, JSON.stringify(s).slice(0, 170));
  if (flag === 'DIFF') { console.log('  ours ', Array.from(t.lr).slice(0, 25).map(v=>v.toPrecision(4)).join(' ')); console.log('  torch', a.lr.slice(0, 25).map((v: number)=>v.toPrecision(4)).join(' ')); }
});
