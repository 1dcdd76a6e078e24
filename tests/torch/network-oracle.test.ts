/**
 * basinlab's float64 network runs against a LIVE PyTorch (Debian's python3-torch for /usr/bin/python3,
 * 1.13 on Debian 12), step by step, and the float32 twin against float64.
 *
 * Each case is a basinlab network spec. basinlab's side is the engine's own run: parseAnySpec →
 * prepareSpec → makeNetPlan → a NetRun (src/engine/cpu/network.ts) in 'f64', whose init(run) gives
 * the initial weights (layout: core/network/model.ts layout(), per layer the weight out × in
 * row-major as nn.Linear stores it, then the bias) and whose trainRun() records the training loss
 * over the whole training set at theta_k for every k and returns the outcome (test loss and
 * accuracy, SWA, sharpness); NetRun.theta is then the final weights. torch's side is
 * tests/torch/network-oracle.py: the same MLP as nn.Linear modules (named layers.<l>, checked
 * against basinlab's tensor names), basinlab's initial weights loaded, the same data set (plan.data),
 * torch's MSELoss/CrossEntropyLoss (mean), the optimiser class with the same param_groups (the
 * explicit groups in the spec's order, then the default group with the remaining tensors in layout
 * order: makeNetPlan's groups and tensorGroup), the same minibatch rows each step (minibatchRows),
 * the schedule stepped per step (ReduceLROnPlateau with the minibatch loss), SAM as davda54/sam and
 * SWA as torch.optim.swa_utils.AveragedModel. All jobs go to one python process (start-up and
 * `import torch` cost ~1-2 s); patched cases are re-run unpatched in a second one.
 *
 * Compared, with why (the surface oracle's model, tests/torch/torch-oracle.test.ts's header):
 * - the training loss at every step, |ours − torch| <= 1e-9 · |torch| + 1e-15 · |L_0| (the absolute
 *   part: cross-entropy's lse − z_target cancels as a class's probability nears 1, leaving ulps of
 *   the logits, whose scale the initial loss gives), and the final weights, every element with
 *   |ours − torch| <= 1e-9 · max |torch weight| (scale-aware: a weight near zero is judged against the
 *   weights' scale, as the surface oracle's max(1, |x|) judges a coordinate near the origin).
 *   Both sides are float64 and compute the same rules in different operation orders (basinlab's
 *   closed forms, per-sample accumulation; torch's BLAS matmuls, recursions): a few ulps per step,
 *   amplified by the dynamics only near chaos, which the cases stay away from (small learning rates
 *   well inside the edge of stability, no divergence). A wrong rule shows at the step it first acts,
 *   at the size of a step.
 * - the LR of every step, every param group's, as basinlab's run records it (NetPoint.groupLr, the
 *   default group's last; ReduceLROnPlateau's per group too), |ours − torch| <= 1e-12 · |torch| +
 *   1e-15 · max |torch|.
 * - test loss (as the training loss), test accuracy (equal: a count), SWA's losses and accuracy.
 * - sharpness (largest-magnitude Hessian eigenvalue of the training loss at the final weights):
 *   against torch's own power iteration on double-backward Hessian-vector products from basinlab's
 *   start vector with basinlab's stopping rule, to 1e-9 relative (the same iteration on HVPs that
 *   agree to ulps), and, for small nets, against every eigenvalue of torch.autograd.functional.hessian
 *   (eigvalsh): to 1e-6 relative and to the Kato–Temple bound of basinlab's own residual, see
 *   SHARPNESS_TOL below.
 *
 * Coverage is derived from the registries: every optimiser and schedule is covered by a case or
 * listed in NET_ABSENT with the reason; every enum and boolean of the network block, both losses,
 * every data set, param groups, a param-group sweep, minibatches, SAM (plain and adaptive) and SWA
 * are each run. The optimisers torch 1.13 lacks whose rules read a whole tensor (LARS, LAMB, Lion,
 * Adafactor) run on torch's side as ports re-typed in torch's tensor ops (tests/torch/ports.py,
 * PER_TENSOR_CASES below; each answer names the class it ran). Known differences between torch 1.13
 * and current torch are the surface oracle's
 * (patched by oracle.py's Run, which this driver shares) plus NET_KNOWN_DIFFERENCES here; also in
 * docs/validation.md ("Live torch oracle", "Networks").
 *
 * Then the float32 twin: NetRun in 'f32' against 'f64' on well-conditioned cases, within the
 * tolerance model of docs/validation.md extended to networks (F32_TOL below).
 *
 * No python3 or no torch is a FAILURE here, never a skip, as in the surface oracle.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { DATA_SETS } from '../../src/core/data/index.ts';
import type { ParamSchema, ParamValue } from '../../src/core/params.ts';
import { makeNetPlan, prepareSpec } from '../../src/core/network/plan.ts';
import type { NetPlan } from '../../src/core/network/plan.ts';
import { NETWORK_PARAMS } from '../../src/core/network/schema.ts';
import { sweepValue } from '../../src/core/plan.ts';
import { OPTIMIZERS, SCHEDULES } from '../../src/core/registry/index.ts';
import type { NetSpec, ScheduleSpec } from '../../src/core/spec.ts';
import { defaultGroupEmpty, parseAnySpec } from '../../src/core/spec.ts';
import type { NetOutcome, NetPoint } from '../../src/engine/cpu/network.ts';
import { NetRun, SHARPNESS_MAX_ITERATIONS, minibatchRows } from '../../src/engine/cpu/network.ts';
import { SHARPNESS_TOL as SHARPNESS_STOP_RULE, sharpnessStart } from '../../src/core/network/start.ts';
import { registryCoverage, report, scheduleIds } from './coverage.ts';

const PYTHON = '/usr/bin/python3';
const DRIVER = fileURLToPath(new URL('./network-oracle.py', import.meta.url));
const INSTALL_HINT =
  "install Debian's python3-torch for /usr/bin/python3 (sudo apt-get install -y python3-torch; " +
  '`node scripts/setup.mjs --system` and .ci/run do it when `import torch` fails)';

/** Losses and weights: relative part (see the header). */
const TOL = 1e-9;
/** Losses: absolute part, in units of the run's initial loss. */
const LOSS_ABS_TOL = 1e-15;
/** LR: relative part, and absolute part in units of the run's largest LR (the surface oracle's). */
const SCHEDULE_REL_TOL = 1e-12;
const SCHEDULE_ABS_TOL = 1e-15;
/**
 * Sharpness against the exact eigenvalue (torch's Hessian, eigvalsh). basinlab's power iteration
 * stops when λ moves less than 1e-10 relative, and reports the residual ρ = ‖Hv − λv‖ / |λ| of its last
 * iterate. For a symmetric H and a unit v, the Kato–Temple inequality bounds the Rayleigh quotient's
 * distance to the eigenvalue it approximates by ‖Hv − λv‖² / δ, δ the distance from λ to the nearest
 * other eigenvalue: (ρ |λ|)² / δ. The cases' residuals are ~1e-6 or less with gaps of order |λ|, so
 * that bound is ~1e-12 |λ|; 1e-6 relative (the issue's figure) holds with a wide margin wherever the
 * iteration converged (fewer than SHARPNESS_MAX_ITERATIONS products, checked), and the bound itself is
 * checked too (plus 1e-12 |λ| for the rounding of the two eigen-solvers).
 */
const SHARPNESS_TOL = 1e-6;
/** basinlab's power iteration against torch's, same start, same stopping rule. */
const SHARPNESS_POWER_TOL = 1e-9;
/** Nets up to this many parameters also get torch's full Hessian (one HVP per parameter). */
const EXACT_HESSIAN_MAX_PARAMS = 200;
/** An unpatched re-run must differ from basinlab by more than this to show the difference. */
const SHOWN_DIFFERENCE = 1e-6;

// ---------------------------------------------------------------------------------------------
// What torch 1.13 cannot check on networks, and how it differs.

/** Registry entries with no torch 1.13 class to compare a network run with, and why. */
const NET_ABSENT: Readonly<Record<string, string>> = {
  SGDScheduleFree: 'not in torch (facebookresearch/schedule_free SGDScheduleFree).',
  AdamWScheduleFree: 'not in torch (facebookresearch/schedule_free AdamWScheduleFree).',
};

/**
 * What networks add to the surface oracle's KNOWN_DIFFERENCES (tests/torch/torch-oracle.test.ts),
 * whose patches apply here unchanged (oracle.py's Run, shared by this driver; with param groups the
 * decoupled-decay patch uses each group's own weight_decay and lr). Found by reading torch 1.13's
 * torch/optim/lr_scheduler.py, swa_utils.py and current torch's.
 */
const NET_KNOWN_DIFFERENCES: readonly { readonly what: string; readonly torch113: string; readonly current: string; readonly handling: string }[] = [
  {
    what: 'AveragedModel.update_parameters (SWA), equal weights',
    torch113: 'p_swa + (p_model - p_swa) / (n_averaged + 1) (its default avg_fn)',
    current:
      'on CPU the same (get_swa_avg_fn(); CPU is not among _get_foreach_kernels_supported_devices()); on CUDA/XPU ' +
      'torch._foreach_lerp_(p_swa, p_model, 1 / (n_averaged + 1)) (get_swa_multi_avg_fn()), which basinlab follows (lerp)',
    handling: 'not a 1.13 difference; basinlab\'s lerp and torch-on-CPU\'s formula are the same average up to an ulp per update, inside the tolerance; not patched',
  },
  {
    what: 'schedulers with several param groups',
    torch113:
      'every LRScheduler keeps base_lrs = [group["initial_lr"]], one per group; CyclicLR and OneCycleLR take base_lr/max_lr ' +
      '(and momenta) as a scalar or a per-group list and, from a scalar, set every group to the same value; ReduceLROnPlateau ' +
      'keeps one best/num_bad_epochs/cooldown for all groups and cuts each group with the same min_lr and eps; SWALR anneals ' +
      "each group from its own lr to the one swa_lr",
    current: 'the same (checked in torch/optim/lr_scheduler.py and swa_utils.py of both)',
    handling:
      "not a difference: basinlab evaluates the schedule per group with the group's lr as base (CyclicLR and OneCycleLR ignore " +
      "it, as torch does; their bounds and momenta, ReduceLROnPlateau's min_lr and SWALR's swa_lr may be per-group lists, " +
      "as torch takes them, each group's element in the group's own parameter vector), and its per-group plateau states see " +
      "the same metric, so they move together as torch's one state does; the group cases below check every group's LR at every step",
  },
];

// ---------------------------------------------------------------------------------------------
// The cases: small nets (a few to a few hundred parameters), 40–150 steps, learning rates well
// inside the edge of stability.

interface NetCase {
  readonly name: string;
  readonly spec: Readonly<Record<string, unknown>>;
  /** Run index within the spec's sweep (default 0). */
  readonly run?: number;
}

type Obj = Readonly<Record<string, unknown>>;

function net(name: string, network: Obj, data: string | Obj, optimizer: Obj, schedule: Obj | null, steps: number, extra: Obj = {}, run = 0): NetCase {
  return { name, spec: { network, data, optimizer, schedule, steps, ...extra }, ...(run ? { run } : {}) };
}

/** The default small setting: the fractal data (4 inputs, 49 points), 4-8-1 tanh with biases: 49 parameters. */
const FR = { name: 'fractal', inputs: 4 } as const;
const TANH8 = { hidden: [8] } as const;
const CIRCLE = { name: 'circle', train: 60, test: 40, noise: 0.1 } as const;
const IRIS = { name: 'iris', train: 60, test: 30 } as const;
/** Two explicit groups and the default one (4-8-1 with biases). */
const GROUPS3 = [{ params: ['layers.1'], lr: 0.02 }, { params: ['layers.0.bias'], lr: 0.005 }] as const;

const OPTIMIZER_CASES: readonly NetCase[] = [
  net('SGD, momentum + nesterov, fractal', TANH8, FR, { name: 'SGD', lr: 0.05, momentum: 0.9, nesterov: true }, null, 100),
  net('SGD, dampening + weight_decay, circle', { hidden: [6] }, CIRCLE, { name: 'SGD', lr: 0.1, momentum: 0.5, dampening: 0.3, weight_decay: 1e-3 }, null, 100),
  net('Adam, fractal', TANH8, FR, { name: 'Adam', lr: 0.01 }, null, 100),
  net('Adam, amsgrad + L2 weight_decay, iris', { hidden: [6] }, IRIS, { name: 'Adam', lr: 0.01, amsgrad: true, weight_decay: 1e-3 }, null, 100),
  net('Adam, decoupled_weight_decay, fractal', TANH8, FR, { name: 'Adam', lr: 0.01, weight_decay: 0.1, decoupled_weight_decay: true }, null, 80),
  net('AdamW, fractal', TANH8, FR, { name: 'AdamW', lr: 0.01 }, null, 100),
  net('RMSprop, centered + momentum, regression', { hidden: [4] }, { name: 'regression', train: 64, test: 32 }, { name: 'RMSprop', lr: 0.003, momentum: 0.5, centered: true }, null, 100),
  net('RMSprop, fractal', TANH8, FR, { name: 'RMSprop', lr: 0.002 }, null, 100),
  net('Adagrad, lr_decay + initial_accumulator_value, fractal', TANH8, FR, { name: 'Adagrad', lr: 0.05, lr_decay: 0.01, initial_accumulator_value: 0.1 }, null, 100),
  net('RAdam, fractal (both branches of rho_t > 5)', TANH8, FR, { name: 'RAdam', lr: 0.01 }, null, 100),
  net('RAdam, decoupled_weight_decay, xor', { hidden: [6] }, { name: 'xor', train: 60, test: 40 }, { name: 'RAdam', lr: 0.01, weight_decay: 0.05, decoupled_weight_decay: true }, null, 80),
  net('NAdam, fractal (mu_product as current torch)', TANH8, FR, { name: 'NAdam', lr: 0.01 }, null, 100),
  net('NAdam, momentum_decay + L2, gauss', { hidden: [6] }, { name: 'gauss', train: 60, test: 40, noise: 0.2 }, { name: 'NAdam', lr: 0.01, momentum_decay: 0.01, weight_decay: 1e-3 }, null, 80),
  net('Adadelta, fractal', TANH8, FR, { name: 'Adadelta', lr: 1, rho: 0.9 }, null, 100),
  net('Adamax, fractal', TANH8, FR, { name: 'Adamax', lr: 0.01 }, null, 100),
  net('ASGD, t0 inside the run, fractal', TANH8, FR, { name: 'ASGD', lr: 0.05, lambd: 1e-3, t0: 30 }, null, 100),
  net('Rprop, fractal (short: sign flips decide)', TANH8, FR, { name: 'Rprop', lr: 0.001 }, null, 40),
];

const SCHEDULE_CASES: readonly NetCase[] = [
  net('StepLR, SGD', TANH8, FR, { name: 'SGD', lr: 0.05, momentum: 0.5 }, { name: 'StepLR', step_size: 30, gamma: 0.5 }, 100),
  net('MultiStepLR, Adam', TANH8, FR, { name: 'Adam', lr: 0.01 }, { name: 'MultiStepLR', milestones: [20, 60], gamma: 0.5 }, 100),
  net('ExponentialLR, RMSprop', TANH8, FR, { name: 'RMSprop', lr: 0.003 }, { name: 'ExponentialLR', gamma: 0.98 }, 100),
  net('CosineAnnealingLR past T_max, SGD', TANH8, FR, { name: 'SGD', lr: 0.05 }, { name: 'CosineAnnealingLR', T_max: 60, eta_min: 1e-3 }, 100),
  net('CosineAnnealingWarmRestarts T_mult 2, Adam', TANH8, FR, { name: 'Adam', lr: 0.01 }, { name: 'CosineAnnealingWarmRestarts', T_0: 15, T_mult: 2 }, 100),
  net('CyclicLR cycling SGD momentum', TANH8, FR, { name: 'SGD', lr: 0.05, momentum: 0.9 }, { name: 'CyclicLR', base_lr: 0.005, max_lr: 0.05, step_size_up: 15 }, 100),
  net("CyclicLR cycling Adam's beta1 (current torch)", TANH8, FR, { name: 'Adam', lr: 0.01 }, { name: 'CyclicLR', base_lr: 0.002, max_lr: 0.01, step_size_up: 10, mode: 'triangular2' }, 100),
  net('OneCycleLR cycling SGD momentum', TANH8, FR, { name: 'SGD', lr: 0.05, momentum: 0.9 }, { name: 'OneCycleLR', max_lr: 0.05, total_steps: 100 }, 100),
  net("OneCycleLR three_phase linear, cycling Adam's beta1", TANH8, FR, { name: 'Adam', lr: 0.01 }, { name: 'OneCycleLR', max_lr: 0.02, total_steps: 100, anneal_strategy: 'linear', three_phase: true }, 100),
  net('LinearLR warm-up, Adam', TANH8, FR, { name: 'Adam', lr: 0.01 }, { name: 'LinearLR', start_factor: 0.2, total_iters: 20 }, 80),
  net('ConstantLR, SGD', TANH8, FR, { name: 'SGD', lr: 0.05 }, { name: 'ConstantLR', factor: 0.5, total_iters: 20 }, 80),
  net('PolynomialLR, Adam', TANH8, FR, { name: 'Adam', lr: 0.01 }, { name: 'PolynomialLR', total_iters: 80, power: 2 }, 100),
  net(
    'SequentialLR LinearLR -> CosineAnnealingLR, AdamW',
    TANH8,
    FR,
    { name: 'AdamW', lr: 0.01 },
    { name: 'SequentialLR', milestones: [10], schedulers: [{ name: 'LinearLR', start_factor: 0.1, total_iters: 10 }, { name: 'CosineAnnealingLR', T_max: 90 }] },
    100,
  ),
  net(
    'ChainedScheduler ConstantLR x ExponentialLR, SGD',
    TANH8,
    FR,
    { name: 'SGD', lr: 0.05, momentum: 0.5 },
    { name: 'ChainedScheduler', schedulers: [{ name: 'ConstantLR', factor: 0.5, total_iters: 10 }, { name: 'ExponentialLR', gamma: 0.99 }] },
    100,
  ),
  net('ReduceLROnPlateau on the minibatch loss, SGD, batch 8', TANH8, FR, { name: 'SGD', lr: 0.1 }, { name: 'ReduceLROnPlateau', patience: 3, factor: 0.5 }, 100, {
    network: { ...TANH8, batch_size: 8 },
  }),
  net('SWALR, SGD', TANH8, FR, { name: 'SGD', lr: 0.05 }, { name: 'SWALR', swa_lr: 0.01, anneal_epochs: 20 }, 80),
  net(
    'WSD 1-sqrt, Adam',
    TANH8,
    FR,
    { name: 'Adam', lr: 0.01 },
    { name: 'WSD', warmup_steps: 10, warmup_start_factor: 0.2, stable_steps: 40, decay_steps: 30, min_lr_ratio: 0.1, decay_shape: '1-sqrt' },
    100,
  ),
];

/** Model, data and loss variety: every activation, both parametrisations, bias on/off, every data set. */
const MODEL_CASES: readonly NetCase[] = [
  net('relu, no bias, fractal', { hidden: [8], activation: 'relu', bias: false }, FR, { name: 'SGD', lr: 0.02, momentum: 0.5 }, null, 80),
  net('gelu, two hidden layers, fractal', { hidden: [5, 6], activation: 'gelu' }, FR, { name: 'Adam', lr: 0.005 }, null, 80),
  net('identity (a deep linear net), fractal', { hidden: [5], activation: 'identity' }, FR, { name: 'SGD', lr: 0.02 }, null, 80),
  net('linear model (no hidden layer), regression with data seed 1, batch 16', { hidden: [], batch_size: 16 }, { name: 'regression', train: 64, test: 32, seed: 1 }, { name: 'SGD', lr: 0.02 }, null, 80),
  net(
    'mean_field tanh (the fractal notebook), fractal',
    { hidden: [8], parametrization: 'mean_field', bias: false },
    FR,
    { name: 'SGD', lr: 0.3 },
    null,
    100,
  ),
  net('mean_field relu, fractal', { hidden: [8], parametrization: 'mean_field', bias: false, activation: 'relu' }, FR, { name: 'SGD', lr: 0.2 }, null, 80),
  net('mean_field identity, fractal', { hidden: [8], parametrization: 'mean_field', bias: false, activation: 'identity' }, FR, { name: 'SGD', lr: 0.2 }, null, 80),
  net('fractal with 2 outputs, explicit mse', { hidden: [6], loss: 'mse' }, { name: 'fractal', inputs: 3, outputs: 2 }, { name: 'Adam', lr: 0.01 }, null, 80),
  net('circle, cross-entropy, batch 16', { hidden: [6], batch_size: 16 }, CIRCLE, { name: 'Adam', lr: 0.01 }, null, 100),
  net('xor, explicit cross_entropy', { hidden: [6], loss: 'cross_entropy' }, { name: 'xor', train: 60, test: 40, noise: 0.1 }, { name: 'Adam', lr: 0.01 }, null, 100),
  net('gauss', { hidden: [4] }, { name: 'gauss', train: 60, test: 40, noise: 0.3 }, { name: 'SGD', lr: 0.1, momentum: 0.5 }, null, 100),
  net('spiral', { hidden: [8] }, { name: 'spiral', train: 80, test: 40, noise: 0.1 }, { name: 'Adam', lr: 0.01 }, null, 100),
  net('regression, the texts\' nn.Linear(5, 1), batch 32', { hidden: [], batch_size: 32 }, { name: 'regression', train: 128, test: 64 }, { name: 'SGD', lr: 0.05 }, null, 60),
  net('iris 4-8-3, batch 16', { hidden: [8], batch_size: 16 }, IRIS, { name: 'Adam', lr: 0.01 }, null, 100),
  net('digits8 (tiny subset), 64-4-10', { hidden: [4] }, { name: 'digits8', train: 40, test: 20 }, { name: 'Adam', lr: 0.01 }, null, 50),
  net('digits14 (tiny subset), 196-2-10, batch 10', { hidden: [2], batch_size: 10 }, { name: 'digits14', train: 30, test: 20 }, { name: 'SGD', lr: 0.1, momentum: 0.5 }, null, 50),
];

/** The fractal paper's axes: the input layer's LR x the output layer's LR, as param groups, swept. */
const FRACTAL_LR_GRID = {
  network: { hidden: [8], parametrization: 'mean_field', bias: false },
  data: FR,
  optimizer: { name: 'SGD', lr: 0.1, param_groups: [{ params: ['layers.0'], lr: 0.1 }] },
  steps: 100,
  sweep: {
    kind: 'grid',
    x: { param: 'optimizer.param_groups.0.lr', min: 0.05, max: 0.4, count: 2, scale: 'log' },
    y: { param: 'optimizer.lr', min: 0.1, max: 0.3, count: 2, scale: 'log' },
  },
} as const;

const GROUP_CASES: readonly NetCase[] = [
  { name: 'param groups: the fractal LR grid, run 0', spec: FRACTAL_LR_GRID },
  { name: 'param groups: the fractal LR grid, run 3 (both LRs swept up)', spec: FRACTAL_LR_GRID, run: 3 },
  net('param groups: three groups with their own lr, SGD momentum', TANH8, FR, { name: 'SGD', lr: 0.05, momentum: 0.5, param_groups: GROUPS3 }, null, 100),
  net(
    'param groups: the output layer first, overriding betas, amsgrad and weight_decay (Adam)',
    TANH8,
    FR,
    { name: 'Adam', lr: 0.01, param_groups: [{ params: ['layers.1.weight'], betas: [0.8, 0.99], amsgrad: true, weight_decay: 0.01 }, { params: ['layers.0.weight'], lr: 0.003 }] },
    null,
    100,
  ),
  net(
    "param groups: NAdam decoupled decay with each group's own weight_decay (the patch per group)",
    TANH8,
    FR,
    { name: 'NAdam', lr: 0.01, weight_decay: 0.05, decoupled_weight_decay: true, param_groups: [{ params: ['layers.0'], weight_decay: 0.2, lr: 0.005 }] },
    null,
    80,
  ),
  net('param groups + StepLR: each group scaled from its own lr', TANH8, FR, { name: 'SGD', lr: 0.05, param_groups: GROUPS3 }, { name: 'StepLR', step_size: 25, gamma: 0.5 }, 100),
  // torch checks nesterov on the constructor's values only (review 12): a group with nesterov and
  // momentum 0 steps as plain SGD, one with dampening runs the formula as written.
  net(
    'param groups: a group with nesterov and momentum 0, another with nesterov and dampening (SGD)',
    TANH8,
    FR,
    { name: 'SGD', lr: 0.05, momentum: 0.9, nesterov: true, param_groups: [{ params: ['layers.0'], momentum: 0 }, { params: ['layers.1'], dampening: 0.3, lr: 0.02 }] },
    null,
    60,
  ),
  net(
    // A group's own lr or momentum would have no effect (torch overwrites both): basinlab refuses
    // them (walkthrough 13), so the group differs in what CyclicLR leaves it, its weight decay.
    'param groups + CyclicLR: scalar bounds put every group on the same LR and momentum',
    TANH8,
    FR,
    { name: 'SGD', lr: 0.05, momentum: 0.9, param_groups: [{ params: ['layers.0'], weight_decay: 0.01 }] },
    { name: 'CyclicLR', base_lr: 0.005, max_lr: 0.03, step_size_up: 12 },
    100,
  ),
  net(
    "param groups + OneCycleLR, cycling Adam's beta1 in every group (each keeps its beta2)",
    TANH8,
    FR,
    { name: 'Adam', lr: 0.01, param_groups: [{ params: ['layers.1'], betas: [0.9, 0.99] }] },
    { name: 'OneCycleLR', max_lr: 0.01, total_steps: 100 },
    100,
  ),
  net(
    'param groups + ReduceLROnPlateau: one group reaches min_lr first',
    TANH8,
    FR,
    { name: 'SGD', lr: 0.2, param_groups: [{ params: ['layers.0'], lr: 0.02 }] },
    { name: 'ReduceLROnPlateau', patience: 2, factor: 0.5, min_lr: 0.015, threshold: 0.05 },
    100,
    { network: { ...TANH8, batch_size: 8 } },
  ),
  net(
    'param groups + SWALR: each group anneals from its own lr to swa_lr',
    TANH8,
    FR,
    { name: 'SGD', lr: 0.05, param_groups: [{ params: ['layers.0'], lr: 0.01 }] },
    { name: 'SWALR', swa_lr: 0.02, anneal_epochs: 30, anneal_strategy: 'linear' },
    80,
  ),
  // torch's per-group lists (NumberParam.perGroup): one value per group, the explicit groups first.
  net(
    'param groups + OneCycleLR with per-group lists: max_lr and both momenta one per group',
    TANH8,
    FR,
    { name: 'SGD', lr: 0.05, momentum: 0.9, param_groups: [{ params: ['layers.0'] }] },
    { name: 'OneCycleLR', max_lr: [0.01, 0.05], base_momentum: [0.8, 0.85], max_momentum: [0.9, 0.95], total_steps: 100 },
    100,
  ),
  net(
    "param groups + CyclicLR with per-group lists, cycling Adam's beta1 (current torch)",
    TANH8,
    FR,
    { name: 'Adam', lr: 0.01, param_groups: [{ params: ['layers.1'] }, { params: ['layers.0.bias'], weight_decay: 0.01 }] },
    { name: 'CyclicLR', base_lr: [0.001, 0.002, 0.0005], max_lr: [0.01, 0.02, 0.005], base_momentum: [0.8, 0.85, 0.7], max_momentum: [0.9, 0.95, 0.92], step_size_up: 10, mode: 'triangular2' },
    100,
  ),
  net(
    'param groups + ReduceLROnPlateau with a per-group min_lr',
    TANH8,
    FR,
    { name: 'SGD', lr: 0.2, param_groups: [{ params: ['layers.0'], lr: 0.1 }] },
    { name: 'ReduceLROnPlateau', patience: 2, factor: 0.5, min_lr: [0.04, 0.015], threshold: 0.05 },
    100,
    { network: { ...TANH8, batch_size: 8 } },
  ),
  net(
    'param groups + SWALR with a per-group swa_lr',
    TANH8,
    FR,
    { name: 'SGD', lr: 0.05, param_groups: [{ params: ['layers.0'], lr: 0.01 }] },
    { name: 'SWALR', swa_lr: [0.005, 0.02], anneal_epochs: 30 },
    80,
  ),
  net(
    "param groups holding every tensor + OneCycleLR with one max_lr per group (torch's optimiser has no default group)",
    TANH8,
    FR,
    { name: 'SGD', lr: 0.05, momentum: 0.9, param_groups: [{ params: ['layers.0'] }, { params: ['layers.1'], weight_decay: 0.01 }] },
    { name: 'OneCycleLR', max_lr: [0.01, 0.05], total_steps: 100 },
    100,
  ),
  net(
    // No group lr: the OneCycleLR's per-group max_lr sets each group's (basinlab refuses a group's
    // own there, which torch would ignore; SequentialLR.lrSetter).
    'param groups + SequentialLR (LinearLR -> OneCycleLR with a per-group max_lr)',
    TANH8,
    FR,
    { name: 'SGD', lr: 0.05, param_groups: [{ params: ['layers.1'] }] },
    { name: 'SequentialLR', milestones: [10], schedulers: [{ name: 'LinearLR', start_factor: 0.5, total_iters: 10 }, { name: 'OneCycleLR', max_lr: [0.02, 0.05], total_steps: 90, cycle_momentum: false }] },
    100,
  ),
  net(
    'one explicit group holding every tensor + SequentialLR with one milestone (not a per-group list) and SWALR with a swa_lr for both groups',
    { hidden: [], parametrization: 'mean_field', bias: false, batch_size: 3 },
    { name: 'digits8', train: 20, test: 16 },
    { name: 'NAdam', lr: 0.006, param_groups: [{ params: ['layers.0.weight'], momentum_decay: 0.1 }] },
    { name: 'SequentialLR', milestones: [51], schedulers: [{ name: 'SWALR', swa_lr: [0.011, 0.0012], anneal_epochs: 5, anneal_strategy: 'cos' }, { name: 'ConstantLR', factor: 1, total_iters: 16 }] },
    80,
    { noise: { seed: 58 } },
  ),
  net(
    "param groups + SequentialLR (LinearLR -> OneCycleLR cycling momentum, torch's default): the warm-up at the max_momentum OneCycleLR's constructor wrote",
    TANH8,
    FR,
    { name: 'SGD', lr: 0.05, momentum: 0.5, param_groups: [{ params: ['layers.1'] }] },
    { name: 'SequentialLR', milestones: [10], schedulers: [{ name: 'LinearLR', start_factor: 0.5, total_iters: 10 }, { name: 'OneCycleLR', max_lr: [0.02, 0.05], total_steps: 90, base_momentum: 0.7, max_momentum: 0.9 }] },
    100,
  ),
  net(
    "param groups + SequentialLR (LinearLR -> OneCycleLR): OneCycleLR's constructor sets every group's initial_lr, so all groups share the LR",
    TANH8,
    FR,
    { name: 'SGD', lr: 0.05, param_groups: [{ params: ['layers.1'] }] },
    { name: 'SequentialLR', milestones: [10], schedulers: [{ name: 'LinearLR', start_factor: 0.5, total_iters: 10 }, { name: 'OneCycleLR', max_lr: 0.05, total_steps: 90, cycle_momentum: false }] },
    100,
  ),
  net(
    'param groups + SequentialLR (ConstantLR -> CosineAnnealingLR): each group from its own lr',
    TANH8,
    FR,
    { name: 'Adam', lr: 0.01, param_groups: [{ params: ['layers.0.weight'], lr: 0.003 }, { params: ['layers.1'], lr: 0.02 }] },
    { name: 'SequentialLR', milestones: [20], schedulers: [{ name: 'ConstantLR', factor: 0.5, total_iters: 10 }, { name: 'CosineAnnealingLR', T_max: 80 }] },
    100,
  ),
  // torch builds every child of a SequentialLR up front: CyclicLR's constructor sets every group's lr
  // to base_lr (and a later child's initial_lr from it), OneCycleLR's sets every group's initial_lr;
  // SequentialLR then resets each group's lr to its initial_lr. Which children see a group's own lr
  // and which the shared bounds depends on the order. Where no child sees it (a CyclicLR first, a
  // warm-up into a OneCycleLR) basinlab refuses a group's own lr as having no effect
  // (SequentialLR.lrSetter), so those cases give the group none.
  net(
    "param groups + SequentialLR (CyclicLR -> ExponentialLR): CyclicLR's base_lr becomes every group's initial_lr",
    TANH8,
    FR,
    { name: 'SGD', lr: 0.05, param_groups: [{ params: ['layers.0'] }] },
    { name: 'SequentialLR', milestones: [30], schedulers: [{ name: 'CyclicLR', base_lr: 0.01, max_lr: 0.05, step_size_up: 10, cycle_momentum: false }, { name: 'ExponentialLR', gamma: 0.98 }] },
    100,
  ),
  net(
    "param groups + SequentialLR (ExponentialLR -> CyclicLR): each group's own lr until the milestone, then CyclicLR's",
    TANH8,
    FR,
    { name: 'SGD', lr: 0.05, param_groups: [{ params: ['layers.0'], lr: 0.01 }] },
    { name: 'SequentialLR', milestones: [30], schedulers: [{ name: 'ExponentialLR', gamma: 0.98 }, { name: 'CyclicLR', base_lr: 0.01, max_lr: 0.05, step_size_up: 10, cycle_momentum: false }] },
    100,
  ),
  net(
    "param groups + SequentialLR (CosineAnnealingLR -> OneCycleLR): the cosine starts from OneCycleLR's initial_lr in every group",
    TANH8,
    FR,
    { name: 'Adam', lr: 0.01, param_groups: [{ params: ['layers.1'], lr: 0.002 }] },
    { name: 'SequentialLR', milestones: [30], schedulers: [{ name: 'CosineAnnealingLR', T_max: 20 }, { name: 'OneCycleLR', max_lr: 0.01, total_steps: 80, cycle_momentum: false }] },
    100,
  ),
  net(
    'param groups + ChainedScheduler (LinearLR x ExponentialLR): each group from its own lr',
    TANH8,
    FR,
    { name: 'SGD', lr: 0.05, momentum: 0.5, param_groups: [{ params: ['layers.1'], lr: 0.01 }] },
    { name: 'ChainedScheduler', schedulers: [{ name: 'LinearLR', start_factor: 0.3, total_iters: 15 }, { name: 'ExponentialLR', gamma: 0.99 }] },
    100,
  ),
];

const MINIBATCH_SAM_SWA_CASES: readonly NetCase[] = [
  net('minibatch 8 with replacement, Adam', { hidden: [8], batch_size: 8 }, FR, { name: 'Adam', lr: 0.01 }, null, 100),
  {
    name: 'minibatch size swept, per-run initial weights, run 1',
    spec: {
      network: { hidden: [8], init: 'per_run', init_seed: 7 },
      data: FR,
      optimizer: { name: 'SGD', lr: 0.05 },
      steps: 80,
      noise: { seed: 11 },
      sweep: { kind: 'grid', x: { param: 'network.batch_size', min: 4, max: 12, count: 2, scale: 'linear' } },
    },
    run: 1,
  },
  net('SAM, SGD momentum, full batch', TANH8, FR, { name: 'SGD', lr: 0.05, momentum: 0.9 }, null, 80, { sam: { rho: 0.05 } }),
  net('SAM adaptive (ASAM), Adam, minibatch 8 (the same rows twice)', { hidden: [8], batch_size: 8 }, FR, { name: 'Adam', lr: 0.01 }, null, 80, { sam: { rho: 0.1, adaptive: true } }),
  net('SAM with param groups, rho swept, run 1', TANH8, FR, { name: 'SGD', lr: 0.05, param_groups: [{ params: ['layers.0'], lr: 0.02 }] }, null, 80, {
    sam: { rho: 0.05 },
    sweep: { kind: 'grid', x: { param: 'sam.rho', min: 0.02, max: 0.1, count: 2, scale: 'linear' } },
  }, 1),
  net('SWA every step from 40, SGD', TANH8, FR, { name: 'SGD', lr: 0.05, momentum: 0.5 }, null, 100, { swa: { start: 40 } }),
  net('SWA every 5 steps, iris, minibatch 16 (test accuracy of the average)', { hidden: [6], batch_size: 16 }, IRIS, { name: 'Adam', lr: 0.01 }, null, 100, { swa: { start: 50, every: 5 } }),
];

/**
 * The rules over whole tensors (LARS's and LAMB's trust ratios, LAMB's global clip, Lion's cautious
 * mask, Adafactor's factored second moment): the engine steps each tensor through the entry's
 * `tensor` rule. torch 1.13 has none of these classes, so torch's side runs the ports of
 * tests/torch/ports.py (timm's Lars, Lamb, Lion; torch 2.5's Adafactor), re-typed line by line in
 * torch's own float64 tensor ops; each answer names its class (`source`), checked below.
 */
const PER_TENSOR_CASES: readonly NetCase[] = [
  net('LARS, weight_decay + momentum (trust ratio per tensor), fractal', TANH8, FR, { name: 'LARS', lr: 0.1, momentum: 0.9, weight_decay: 1e-3, trust_coeff: 0.01 }, null, 100),
  net(
    'LARS, always_adapt + trust_clip (LARC) + nesterov, circle',
    { hidden: [6] },
    CIRCLE,
    { name: 'LARS', lr: 0.2, momentum: 0.9, nesterov: true, always_adapt: true, trust_clip: true, trust_coeff: 0.05 },
    null,
    100,
  ),
  net('LARS, defaults (timm: plain SGD, lr 1, no adaptation without weight decay), regression', { hidden: [] }, { name: 'regression', train: 64, test: 32 }, { name: 'LARS', lr: 0.02 }, null, 60),
  net('LAMB, defaults (weight_decay 0.01, global clip at 1), fractal', TANH8, FR, { name: 'LAMB', lr: 0.01 }, null, 100),
  net(
    'LAMB, caution + decoupled_decay, the global clip acting (max_grad_norm 0.05), iris batch 16',
    { hidden: [6], batch_size: 16 },
    IRIS,
    { name: 'LAMB', lr: 0.01, caution: true, decoupled_decay: true, max_grad_norm: 0.05 },
    null,
    100,
  ),
  net(
    'LAMB, no clip, no bias correction, trust_clip, grad_averaging off, fractal',
    TANH8,
    FR,
    { name: 'LAMB', lr: 0.005, max_grad_norm: null, bias_correction: false, trust_clip: true, grad_averaging: false, weight_decay: 0.05 },
    null,
    80,
  ),
  net('Lion, elementwise (no caution), fractal', TANH8, FR, { name: 'Lion', lr: 1e-3, weight_decay: 0.1 }, null, 80),
  net('Lion with caution (mask mean per tensor), xor', { hidden: [6] }, { name: 'xor', train: 60, test: 40, noise: 0.1 }, { name: 'Lion', lr: 2e-3, caution: true, betas: [0.9, 0.95] }, null, 80),
  net('Adafactor, weights factored over rows and columns, biases not, fractal', TANH8, FR, { name: 'Adafactor', lr: 0.01 }, null, 100),
  net(
    'Adafactor, weight_decay + d 2 + beta2_decay -0.5 + eps, two hidden layers, spiral batch 16',
    { hidden: [5, 4], batch_size: 16 },
    { name: 'spiral', train: 80, test: 40, noise: 0.1 },
    { name: 'Adafactor', lr: 0.02, weight_decay: 0.05, d: 2, beta2_decay: -0.5, eps: [1e-6, 1e-3] },
    null,
    100,
  ),
  net(
    'param groups, LARS: per-group weight_decay, trust_coeff and nesterov',
    TANH8,
    FR,
    { name: 'LARS', lr: 0.1, momentum: 0.9, weight_decay: 1e-3, trust_coeff: 0.01, param_groups: [{ params: ['layers.0.weight'], trust_coeff: 0.02, lr: 0.05 }, { params: ['layers.1'], weight_decay: 0, nesterov: true }] },
    null,
    100,
  ),
  net(
    'param groups, LAMB: per-group betas, weight_decay 0 and always_adapt; the clip over every group',
    TANH8,
    FR,
    { name: 'LAMB', lr: 0.01, max_grad_norm: 0.2, param_groups: [{ params: ['layers.0'], betas: [0.8, 0.99], lr: 0.005 }, { params: ['layers.1.bias'], weight_decay: 0, always_adapt: true }] },
    null,
    100,
  ),
  net(
    'param groups, Lion: caution in one group only (the others elementwise)',
    TANH8,
    FR,
    { name: 'Lion', lr: 1e-3, param_groups: [{ params: ['layers.0'], caution: true, lr: 2e-3 }] },
    null,
    80,
  ),
  net(
    'param groups, Adafactor: per-group lr, d and weight_decay, with CosineAnnealingLR',
    TANH8,
    FR,
    { name: 'Adafactor', lr: 0.01, param_groups: [{ params: ['layers.1'], lr: 0.005, d: 1.5, weight_decay: 0.1 }] },
    { name: 'CosineAnnealingLR', T_max: 80 },
    100,
  ),
  net('LAMB + OneCycleLR cycling beta1, fractal', TANH8, FR, { name: 'LAMB', lr: 0.01 }, { name: 'OneCycleLR', max_lr: 0.01, total_steps: 100 }, 100),
  net('LARS + SAM, fractal', TANH8, FR, { name: 'LARS', lr: 0.1, momentum: 0.9, weight_decay: 1e-3, trust_coeff: 0.01 }, null, 80, { sam: { rho: 0.05 } }),
];

const CASES: readonly NetCase[] = [...OPTIMIZER_CASES, ...SCHEDULE_CASES, ...MODEL_CASES, ...GROUP_CASES, ...MINIBATCH_SAM_SWA_CASES, ...PER_TENSOR_CASES];

/** Cases for the float32 twin against float64 (well-conditioned, short enough for ulps to stay ulps). */
const F32_CASES: readonly NetCase[] = [
  OPTIMIZER_CASES[2] as NetCase, // Adam, fractal
  OPTIMIZER_CASES[0] as NetCase, // SGD nesterov
  MODEL_CASES[4] as NetCase, // mean field
  MODEL_CASES[13] as NetCase, // iris, batch 16
  MODEL_CASES[14] as NetCase, // digits8
  GROUP_CASES[2] as NetCase, // three groups
  MINIBATCH_SAM_SWA_CASES[2] as NetCase, // SAM
  ...PER_TENSOR_CASES, // the whole-tensor rules
];
/**
 * float32 twin vs float64, the tolerance model of docs/validation.md extended to networks: a run
 * is well-conditioned when the twin reproduces float64 to CONDITIONING_THRESHOLD = 1e-4 (there:
 * the final point; here: every step's training loss, relative, and the final weights against their
 * largest magnitude). The cases are chosen well-conditioned; the measured worst is printed with
 * BASINLAB_REPORT=1.
 */
const F32_TOL = 1e-4;

// ---------------------------------------------------------------------------------------------
// basinlab's side.

interface Ours {
  readonly c: NetCase;
  readonly spec: NetSpec;
  readonly plan: NetPlan;
  readonly run: number;
  readonly theta0: Float64Array;
  readonly points: readonly NetPoint[];
  readonly outcome: NetOutcome;
  readonly theta: Float64Array;
  readonly batch: number | null;
}

async function ours(c: NetCase, precision: 'f64' | 'f32' = 'f64'): Promise<Ours> {
  const spec = parseAnySpec(c.spec);
  if (spec.problem !== 'network') throw new Error(`${c.name}: not a network spec`);
  await prepareSpec(spec);
  const plan = makeNetPlan(spec);
  const run = c.run ?? 0;
  if (run >= plan.runs) throw new Error(`${c.name}: run ${run} of ${plan.runs}`);
  const nr = new NetRun(plan, precision);
  nr.init(run);
  const theta0 = Float64Array.from(nr.theta);
  const points: NetPoint[] = [];
  const outcome = nr.trainRun((p) => points.push(p), 1);
  const minibatch = plan.batch !== null || plan.dims.some((d) => d.where.kind === 'batch');
  return { c, spec, plan, run, theta0, points, outcome, theta: Float64Array.from(nr.theta), batch: minibatch ? nr.batch : null };
}

/** basinlab's power-iteration stopping rule in float64 (torch's iteration stops by the same rule). */
const SHARPNESS_STOP = SHARPNESS_STOP_RULE.f64;

/** basinlab's power-iteration start vector, before normalising. */
function startVector(run: number, n: number): number[] {
  const v = new Float64Array(n);
  sharpnessStart(run, v);
  return Array.from(v);
}

// ---------------------------------------------------------------------------------------------
// torch's side.

interface Job {
  readonly id: string;
  readonly sizes: readonly number[];
  readonly activation: string;
  readonly bias: boolean;
  readonly parametrization: string;
  readonly loss: string;
  readonly tensors: readonly { name: string; rows: number; cols: number }[];
  readonly theta: readonly number[];
  readonly train: { n: number; x: number[]; y: number[] };
  readonly test: { n: number; x: number[]; y: number[] };
  readonly optimizer: { name: string; params: Record<string, ParamValue> };
  readonly groups: readonly Record<string, unknown>[];
  readonly schedule: ScheduleSpec | null;
  readonly steps: number;
  readonly rows: number[][] | null;
  readonly sam: { rho: number; adaptive: boolean } | null;
  readonly swa: { start: number; every: number } | null;
  readonly sharpness: { start: number[]; max_iterations: number; tol: number; exact: boolean } | null;
  readonly variant?: 'unpatched';
  /** torch's optimiser without basinlab's empty default group (a per-group list of one value per explicit group). */
  readonly omit_empty_default: boolean;
}

/**
 * Whether torch's side leaves out the default group: it holds no tensor and the schedule's lists
 * hold one value per explicit group, as torch code over groups that cover the model has them.
 */
function omitsEmptyDefault(spec: NetSpec): boolean {
  if (!defaultGroupEmpty(spec)) return false;
  // Only a per-group value (the registry's perGroup keys) is such a list: SequentialLR's or
  // MultiStepLR's milestones of the same length are not (review 20: milestones [51] beside one
  // explicit group dropped torch's default group while SWALR's swa_lr held two values).
  const short = (s: ScheduleSpec): boolean => {
    const def = SCHEDULES.find((d) => d.id === s.name);
    const perGroup = (k: string): boolean => def?.params.some((p) => p.key === k && (p.kind === 'number' || p.kind === 'int') && p.perGroup === true) === true;
    return Object.entries(s.params).some(([k, v]) => Array.isArray(v) && v.length === spec.paramGroups.length && perGroup(k)) || s.schedulers.some(short);
  };
  return spec.schedule !== null && short(spec.schedule);
}

interface Answer {
  readonly id: string;
  readonly names: readonly string[];
  readonly train_loss: readonly (number | null)[];
  readonly batch_loss: readonly (number | null)[];
  readonly lr: readonly (readonly (number | null)[])[];
  readonly momentum: readonly (readonly (number | null)[])[] | null;
  readonly theta: readonly (number | null)[];
  readonly test_loss: number | null;
  readonly test_accuracy: number | null;
  readonly swa: { train_loss: number | null; test_loss: number | null; test_accuracy: number | null } | null;
  readonly sharpness: { power: number | null; iterations: number; residual: number | null; eigenvalues: number[] | null } | null;
  readonly patches: readonly string[];
  /** The optimiser class torch's side ran: torch.optim's, or a port of tests/torch/ports.py. */
  readonly source?: string;
  readonly error: string | null;
}

interface OracleReply {
  readonly torch: string;
  readonly missing: Readonly<Record<string, boolean>>;
  readonly answers: readonly Answer[];
}

function setPath(target: Record<string, unknown>, key: string, index: string | undefined, value: number): void {
  if (index === undefined) target[key] = value;
  else {
    const tuple = [...((target[key] as number[] | undefined) ?? [])];
    tuple[Number(index)] = value;
    target[key] = tuple;
  }
}

/**
 * The torch job of a run: the spec's values with the run's swept values put where torch has them
 * (a group's override, the optimiser's kwarg, which every group without its own value takes, as
 * resolveNetPath's `groups` says; the schedule's parameter; SAM's rho; the batch size).
 */
function jobOf(o: Ours, variant?: 'unpatched'): Job {
  const { spec, plan, run } = o;
  const L = plan.layout;
  const optParams: Record<string, ParamValue> = { ...spec.optimizer.params };
  const groups: Record<string, unknown>[] = spec.paramGroups.map((g) => ({ params: [...g.params], ...g.overrides }));
  const schedule = spec.schedule ? { ...spec.schedule, params: { ...spec.schedule.params } } : null;
  const sam = spec.sam ? { rho: spec.sam.rho, adaptive: spec.sam.adaptive } : null;
  plan.dims.forEach((d, k) => {
    const value = sweepValue(plan, run, k);
    if (d.where.kind === 'batch') return; // o.batch is the engine's
    const g = /^optimizer\.param_groups\.(\d+)\.([a-z_0-9]+)(?:\.(\d+))?$/i.exec(d.path);
    const opt = /^optimizer\.([a-z_0-9]+)(?:\.(\d+))?$/i.exec(d.path);
    const sch = /^schedule\.([a-z_0-9]+)(?:\.(\d+))?$/i.exec(d.path);
    if (g) setPath(groups[Number(g[1])] as Record<string, unknown>, g[2] as string, g[3], value);
    else if (opt) setPath(optParams as Record<string, unknown>, opt[1] as string, opt[2], value);
    else if (sch && schedule) setPath(schedule.params as Record<string, unknown>, sch[1] as string, sch[2], value);
    else if (d.path === 'sam.rho' && sam) sam.rho = value;
    else throw new Error(`${o.c.name}: the oracle cannot place swept ${d.path}`);
  });
  const rows: number[][] | null = o.batch === null ? null : [];
  if (rows && o.batch !== null) {
    const out = new Int32Array(o.batch);
    for (let k = 0; k < spec.steps; k++) {
      minibatchRows(spec.noise.seed, run, k, o.batch, plan.data.train.n, out);
      rows.push(Array.from(out));
    }
  }
  const split = (s: NetPlan['data']['train']): Job['train'] => ({ n: s.n, x: Array.from(s.x), y: Array.from(s.y) });
  return {
    id: variant ? `${o.c.name} [${variant}]` : o.c.name,
    sizes: L.sizes,
    activation: L.activation,
    bias: L.bias,
    parametrization: L.parametrization,
    loss: plan.loss,
    tensors: L.tensors.map((t) => ({ name: t.name, rows: t.rows, cols: t.cols })),
    theta: Array.from(o.theta0),
    train: split(plan.data.train),
    test: split(plan.data.test),
    optimizer: { name: spec.optimizer.name, params: optParams },
    groups,
    schedule,
    steps: spec.steps,
    rows,
    sam,
    swa: spec.swa ? { start: spec.swa.start, every: spec.swa.every } : null,
    omit_empty_default: omitsEmptyDefault(spec),
    sharpness: variant
      ? null
      : { start: startVector(run, L.params), max_iterations: SHARPNESS_MAX_ITERATIONS, tol: SHARPNESS_STOP, exact: L.params <= EXACT_HESSIAN_MAX_PARAMS },
    ...(variant ? { variant } : {}),
  };
}

/** Runs the driver once on all jobs; throws a message naming what is missing. */
function askTorch(jobs: readonly Job[]): OracleReply {
  const res = spawnSync(PYTHON, [DRIVER], { input: JSON.stringify(jobs), encoding: 'utf8', maxBuffer: 1 << 28, timeout: 600_000 });
  if (res.error) {
    const code = (res.error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `the torch oracle needs ${PYTHON}, which is missing: ${INSTALL_HINT}` : `could not run ${PYTHON} ${DRIVER}: ${res.error.message}`);
  }
  if (res.status !== 0) throw new Error(`${PYTHON} ${DRIVER} exited with ${res.status}: ${res.stderr.trim()}\n${INSTALL_HINT}`);
  return JSON.parse(res.stdout) as OracleReply;
}

// ---------------------------------------------------------------------------------------------
// Comparison.

interface Mismatch {
  readonly what: string;
  readonly index: number;
  readonly ours: number;
  readonly torch: number | null;
}

interface Comparison {
  /** Largest loss error in units of its tolerance, largest weight error relative to the weights' scale. */
  readonly loss: number;
  readonly weights: number;
  readonly schedule: number;
  readonly first: Mismatch | null;
}

function compare(o: Ours, a: Answer): Comparison {
  let loss = 0;
  let weights = 0;
  let schedule = 0;
  let first: Mismatch | null = null;
  const note = (m: Mismatch): void => {
    first ??= m;
  };
  const ourLoss = o.points.map((p) => p.trainLoss);
  const L0 = Math.abs(a.train_loss[0] ?? Number.NaN);
  const lossTol = (t: number): number => TOL * Math.abs(t) + LOSS_ABS_TOL * L0;
  const losses = (what: string, mine: readonly number[], theirs: readonly (number | null)[]): void => {
    if (mine.length !== theirs.length) note({ what: `${what} length`, index: -1, ours: mine.length, torch: theirs.length });
    for (let i = 0; i < Math.min(mine.length, theirs.length); i++) {
      const m = mine[i] as number;
      const t = theirs[i];
      const err = t === null || t === undefined ? Number.POSITIVE_INFINITY : Math.abs(m - t) / lossTol(t);
      loss = Math.max(loss, err);
      if (!(err <= 1)) note({ what, index: i, ours: m, torch: t ?? null });
    }
  };
  // The LR of step k (each group) comes before the loss it leads to: check it first.
  const lrs = (what: string, mine: ArrayLike<number>, theirs: readonly (number | null)[]): void => {
    let scale = 0;
    for (const t of theirs) if (t !== null) scale = Math.max(scale, Math.abs(t));
    for (let i = 0; i < Math.min(mine.length, theirs.length); i++) {
      const m = mine[i] as number;
      const t = theirs[i];
      const tol = t === null || t === undefined ? 0 : SCHEDULE_REL_TOL * Math.abs(t) + SCHEDULE_ABS_TOL * scale;
      const err = t === null || t === undefined ? Number.POSITIVE_INFINITY : Math.abs(m - t);
      schedule = Math.max(schedule, tol > 0 ? err / tol : err === 0 ? 0 : Number.POSITIVE_INFINITY);
      if (!(err <= tol)) note({ what, index: i, ours: m, torch: t ?? null });
    }
  };
  // Every group's LR as the engine recorded it (the default group's is the path's `lr`), under
  // ReduceLROnPlateau too, where each group's follows the run's loss.
  const recorded = o.points.slice(1);
  o.plan.groups.forEach((g, gi) => {
    // An empty default group torch's optimiser does not have (omitsEmptyDefault) has no LR there to compare.
    if (gi === o.plan.groups.length - 1 && omitsEmptyDefault(o.spec)) return;
    lrs(`lr (${g.name})`, recorded.map((p) => p.groupLr[gi] as number), a.lr.map((l) => l[gi] ?? null));
  });
  losses('train loss', ourLoss, a.train_loss);
  if (a.theta.length !== o.theta.length) note({ what: 'weights length', index: -1, ours: o.theta.length, torch: a.theta.length });
  let wscale = 0;
  for (const t of a.theta) if (t !== null) wscale = Math.max(wscale, Math.abs(t));
  for (let i = 0; i < Math.min(o.theta.length, a.theta.length); i++) {
    const m = o.theta[i] as number;
    const t = a.theta[i];
    const err = t === null || t === undefined ? Number.POSITIVE_INFINITY : Math.abs(m - t) / wscale;
    weights = Math.max(weights, err);
    if (!(err <= TOL)) note({ what: `final weight ${o.plan.layout.tensors.find((x) => i >= x.offset && i < x.offset + x.size)?.name ?? '?'}`, index: i, ours: m, torch: t ?? null });
  }
  losses('test loss', [o.outcome.test_loss], [a.test_loss]);
  if (o.plan.loss === 'cross_entropy' && o.outcome.test_accuracy !== a.test_accuracy) {
    note({ what: 'test accuracy', index: 0, ours: o.outcome.test_accuracy, torch: a.test_accuracy });
  }
  if (o.spec.swa) {
    if (!a.swa) note({ what: 'swa (torch has none)', index: -1, ours: o.outcome.swa_train_loss, torch: null });
    else {
      losses('swa train loss', [o.outcome.swa_train_loss], [a.swa.train_loss]);
      losses('swa test loss', [o.outcome.swa_test_loss], [a.swa.test_loss]);
      if (o.plan.loss === 'cross_entropy' && o.outcome.swa_test_accuracy !== a.swa.test_accuracy) {
        note({ what: 'swa test accuracy', index: 0, ours: o.outcome.swa_test_accuracy, torch: a.swa.test_accuracy });
      }
    }
  }
  return { loss, weights, schedule, first };
}

function describeMismatch(m: Mismatch): string {
  return m.index < 0
    ? `${m.what}: ours ${m.ours}, torch ${String(m.torch)}`
    : `${m.what}[${m.index}]: ours ${m.ours}, torch ${String(m.torch)} (diff ${m.torch === null ? 'n/a' : (m.ours - m.torch).toExponential(2)})`;
}

/** The eigenvalue of largest magnitude, and the distance from it to the nearest other one. */
function largest(eig: readonly number[]): { value: number; gap: number } {
  let best = 0;
  for (let i = 1; i < eig.length; i++) if (Math.abs(eig[i] as number) > Math.abs(eig[best] as number)) best = i;
  const value = eig[best] as number;
  let gap = Number.POSITIVE_INFINITY;
  eig.forEach((e, i) => {
    if (i !== best) gap = Math.min(gap, Math.abs(e - value));
  });
  return { value, gap };
}

// ---------------------------------------------------------------------------------------------

let prepared: Ours[] = [];
let reply: OracleReply | null = null;
let oracleError: string | null = null;
const answers = new Map<string, Answer>();
let elapsed = 0;

beforeAll(async () => {
  prepared = [];
  for (const c of CASES) {
    const t = performance.now();
    prepared.push(await ours(c));
    report(`basinlab ${c.name}: ${(performance.now() - t).toFixed(0)} ms`);
  }
  const t0 = performance.now();
  try {
    reply = askTorch(prepared.map((o) => jobOf(o)));
    for (const a of reply.answers) answers.set(a.id, a);
    const second = prepared.filter((o) => (answers.get(o.c.name)?.patches.length ?? 0) > 0).map((o) => jobOf(o, 'unpatched'));
    if (second.length > 0) for (const a of askTorch(second).answers) answers.set(a.id, a);
  } catch (e) {
    oracleError = e instanceof Error ? e.message : String(e);
  }
  elapsed = performance.now() - t0;
}, 600_000);

describe('networks against a live PyTorch (/usr/bin/python3, python3-torch), float64', () => {
  it('python3 and torch are available (a missing torch fails, never skips)', () => {
    expect(oracleError, oracleError ?? '').toBeNull();
    expect(reply?.torch).toMatch(/^\d+\.\d+/);
    report(`torch ${reply?.torch}: ${answers.size} network runs in ${(elapsed / 1000).toFixed(1)} s`);
  });

  describe('every case agrees with torch at every step', () => {
    const worst = { loss: 0, weights: 0, schedule: 0 };
    for (const c of CASES) {
      it(c.name, () => {
        const o = prepared.find((p) => p.c === c);
        expect(o, 'case was not prepared').toBeDefined();
        if (!o) return;
        const a = answers.get(c.name);
        expect(a, oracleError ?? 'torch returned no answer').toBeDefined();
        if (!a) return;
        expect(a.error, `torch raised: ${a.error ?? ''}`).toBeNull();
        expect(o.outcome.diverged, 'the case diverged in basinlab; cases must stay away from divergence').toBe(false);
        expect(a.names, "torch's named_parameters() are basinlab's layout").toEqual(o.plan.layout.tensors.map((t) => t.name));
        const cmp = compare(o, a);
        worst.loss = Math.max(worst.loss, cmp.loss);
        worst.weights = Math.max(worst.weights, cmp.weights);
        worst.schedule = Math.max(worst.schedule, cmp.schedule);
        report(
          `${c.name}: loss ${cmp.loss.toExponential(1)} tol, weights ${cmp.weights.toExponential(1)}, schedule ${cmp.schedule.toExponential(1)} tol` +
            (a.patches.length > 0 ? ` [patched: ${a.patches.join(', ')}]` : ''),
        );
        expect(cmp.first, cmp.first ? describeMismatch(cmp.first) : '').toBeNull();
      });
    }
    it('(largest errors)', () => {
      report(`largest loss error ${worst.loss.toExponential(2)} x tol, weights ${worst.weights.toExponential(2)}, schedule ${worst.schedule.toExponential(2)} x tol`);
      expect(worst.weights).toBeLessThanOrEqual(TOL);
    });

    it('the cases move: the loss falls, and every group case has groups on different LRs', () => {
      expect(oracleError, oracleError ?? '').toBeNull();
      for (const o of prepared) {
        const first = o.points[0]?.trainLoss ?? Number.NaN;
        const last = o.points[o.points.length - 1]?.trainLoss ?? Number.NaN;
        expect(last, `${o.c.name}: the training loss did not fall`).toBeLessThan(first);
        const a = answers.get(o.c.name);
        // CyclicLR and OneCycleLR (anywhere in the tree) put every group on their own scalar bounds.
        const shared = scheduleIds(o.spec.schedule).some((id) => id === 'CyclicLR' || id === 'OneCycleLR');
        if (o.plan.groups.length > 1 && !shared) {
          expect(a?.lr.some((g) => new Set(g).size > 1), `${o.c.name}: every group has the same LR`).toBe(true);
        }
      }
    });
  });

  describe('sharpness: the largest Hessian eigenvalue of the training loss at the final weights', () => {
    for (const c of CASES) {
      it(c.name, () => {
        const o = prepared.find((p) => p.c === c);
        const s = answers.get(c.name)?.sharpness;
        expect(s, oracleError ?? 'torch returned no sharpness').toBeTruthy();
        if (!o || !s) return;
        const ours = o.outcome.sharpness;
        expect(s.power, 'torch power iteration').not.toBeNull();
        const power = s.power as number;
        const pErr = Math.abs(ours - power) / Math.abs(power);
        expect(pErr, `power iteration: ours ${ours} (${o.outcome.sharpness_iterations} it), torch ${power} (${s.iterations} it)`).toBeLessThanOrEqual(
          SHARPNESS_POWER_TOL,
        );
        if (!s.eigenvalues) return;
        const { value, gap } = largest(s.eigenvalues);
        const err = Math.abs(ours - value);
        const kato = (o.outcome.sharpness_residual * Math.abs(ours)) ** 2 / gap;
        report(
          `${c.name}: sharpness ${ours.toPrecision(8)} (${o.outcome.sharpness_iterations} it, residual ${o.outcome.sharpness_residual.toExponential(1)}), ` +
            `torch's power iteration ${pErr.toExponential(1)} off, exact ${value.toPrecision(8)}, rel err ${(err / Math.abs(value)).toExponential(1)}, ` +
            `Kato-Temple bound ${(kato / Math.abs(value)).toExponential(1)}`,
        );
        expect(o.outcome.sharpness_iterations, 'the power iteration did not converge').toBeLessThan(SHARPNESS_MAX_ITERATIONS);
        expect(err / Math.abs(value), `ours ${ours}, torch's eigvalsh ${value}`).toBeLessThanOrEqual(SHARPNESS_TOL);
        expect(err, `ours ${ours}, eigvalsh ${value}: beyond the Kato–Temple bound ${kato}`).toBeLessThanOrEqual(kato + 1e-12 * Math.abs(value));
      });
    }
    it('small nets are checked against the full Hessian', () => {
      const exact = prepared.filter((o) => answers.get(o.c.name)?.sharpness?.eigenvalues);
      expect(exact.length).toBeGreaterThanOrEqual(Math.floor(CASES.length / 2));
    });
  });

  describe('coverage, derived from the registries', () => {
    const specs = CASES.map((c) => parseAnySpec(c.spec)).filter((s): s is NetSpec => s.problem === 'network');

    it('every case is a network spec', () => expect(specs.length).toBe(CASES.length));

    registryCoverage({
      cases: specs.map((sp, i) => ({ name: (CASES[i] as NetCase).name, optimizer: sp.optimizer.name, schedules: scheduleIds(sp.schedule), others: [`data ${sp.data.name}`] })),
      absent: NET_ABSENT,
      absentName: 'NET_ABSENT',
      others: DATA_SETS.map((d) => `data ${d.id}`),
    });

    it("the whole-tensor rules ran against torch's class where torch has it, else the named port (tests/torch/ports.py)", () => {
      expect(oracleError, oracleError ?? '').toBeNull();
      const ids = new Set<string>();
      for (const c of PER_TENSOR_CASES) {
        const spec = parseAnySpec(c.spec) as NetSpec;
        ids.add(spec.optimizer.name);
        const source = answers.get(c.name)?.source ?? '';
        report(`${c.name}: torch side ${source}`);
        expect(source, c.name).toMatch(new RegExp(`^(torch\\.optim\\.${spec.optimizer.name}|port: tests/torch/ports\\.py \\w+)$`));
      }
      // Every entry with a whole-tensor rule has a case.
      for (const o of OPTIMIZERS) if (o.tensor) expect(ids.has(o.id), o.id).toBe(true);
    });

    it('every enum and boolean of the network block is run with each of its values', () => {
      const missing: string[] = [];
      for (const p of NETWORK_PARAMS as readonly ParamSchema[]) {
        const values = p.kind === 'bool' ? ['true', 'false'] : p.kind === 'enum' ? p.values : [];
        for (const v of values) if (!specs.some((s) => String(s.network[p.key]) === v)) missing.push(`network.${p.key} = ${v}`);
      }
      expect(missing, `values no case runs: ${missing.join('; ')}`).toEqual([]);
    });

    it('both losses, minibatches, param groups (swept too), SAM (plain and adaptive) and SWA are run', () => {
      const plans = prepared.map((o) => o.plan);
      expect(new Set(plans.map((p) => p.loss))).toEqual(new Set(['mse', 'cross_entropy']));
      expect(prepared.some((o) => o.batch !== null)).toBe(true);
      expect(prepared.some((o) => o.plan.dims.some((d) => d.where.kind === 'batch'))).toBe(true);
      expect(prepared.some((o) => o.plan.groups.length > 2)).toBe(true);
      expect(prepared.some((o) => o.plan.dims.some((d) => d.path.startsWith('optimizer.param_groups.')))).toBe(true);
      expect(specs.some((s) => s.sam && !s.sam.adaptive)).toBe(true);
      expect(specs.some((s) => s.sam?.adaptive)).toBe(true);
      expect(specs.some((s) => s.swa)).toBe(true);
    });

  });

  describe('known differences between torch 1.13 and current torch', () => {
    it('NET_KNOWN_DIFFERENCES each say what 1.13 and current torch do and how the test handles it', () => {
      for (const d of NET_KNOWN_DIFFERENCES) {
        expect(d.torch113.length * d.current.length * d.handling.length, d.what).toBeGreaterThan(0);
      }
    });

    it("every patch of the surface oracle the installed torch needs is exercised by a network case (NAdam's mu_product, decoupled decay, CyclicLR beta1)", () => {
      expect(oracleError, oracleError ?? '').toBeNull();
      const applied = new Set<string>();
      for (const c of CASES) for (const id of answers.get(c.name)?.patches ?? []) applied.add(id);
      for (const id of ['nadam-mu-product', 'nadam-radam-decoupled', 'adam-decoupled', 'cycliclr-beta1']) {
        if (reply?.missing[id]) expect(applied.has(id), `${id}: missing in the installed torch but no network case uses it`).toBe(true);
      }
    });

    it('unpatched, each patched case shows its difference (torch 1.13 raises or disagrees)', () => {
      expect(oracleError, oracleError ?? '').toBeNull();
      let checked = 0;
      for (const o of prepared) {
        const a = answers.get(o.c.name);
        if (!a || a.patches.length === 0) continue;
        const u = answers.get(`${o.c.name} [unpatched]`);
        expect(u, `${o.c.name}: no unpatched answer`).toBeDefined();
        if (!u) continue;
        checked++;
        if (u.error !== null) {
          expect(u.error, o.c.name).toMatch(/unexpected keyword argument|optimizer must support momentum/);
        } else {
          expect(a.patches, `${o.c.name}: unpatched torch accepted ${a.patches.join(', ')}`).toEqual(['nadam-mu-product']);
          expect(compare(o, u).weights, `${o.c.name}: unpatched torch should differ from basinlab`).toBeGreaterThan(SHOWN_DIFFERENCE);
        }
      }
      if (Object.values(reply?.missing ?? {}).some((m) => m)) expect(checked).toBeGreaterThan(0);
    });
  });
});

describe('the float32 twin against float64 on networks (docs/validation.md, "Networks")', () => {
  for (const c of F32_CASES) {
    it(c.name, async () => {
      const [a, b] = [await ours(c, 'f32'), await ours(c, 'f64')];
      expect(a.outcome.diverged || b.outcome.diverged).toBe(false);
      let loss = 0;
      a.points.forEach((p, i) => {
        const q = b.points[i] as NetPoint;
        loss = Math.max(loss, Math.abs(p.trainLoss - q.trainLoss) / Math.abs(q.trainLoss));
      });
      let scale = 0;
      for (const t of b.theta) scale = Math.max(scale, Math.abs(t));
      let weights = 0;
      b.theta.forEach((t, i) => (weights = Math.max(weights, Math.abs((a.theta[i] as number) - t) / scale)));
      report(`f32 ${c.name}: train loss ${loss.toExponential(2)}, weights ${weights.toExponential(2)}`);
      expect(a.points.length).toBe(b.points.length);
      expect(loss).toBeLessThanOrEqual(F32_TOL);
      expect(weights).toBeLessThanOrEqual(F32_TOL);
      // Not trivially equal: the twin rounds to float32.
      expect(weights).toBeGreaterThan(0);
    });
  }
});
