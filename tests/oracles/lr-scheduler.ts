/**
 * torch.optim.lr_scheduler as torch users run it, ported to float64 TypeScript (torch 2.x,
 * torch/optim/lr_scheduler.py and torch/optim/swa_utils.py), with names that follow torch's so it
 * can be read against the source: the constructors (including their initial step), the *recursive*
 * chainable get_lr of each class driven by last_epoch, the param group's lr / initial_lr / momentum,
 * _step_count and _is_initial, the closed forms SequentialLR switches children in with
 * (_update_lr(0)), SequentialLR's constructor (lr reset, recursive_undo, re-run of the first child's
 * initial step), ChainedScheduler, and ReduceLROnPlateau's state machine. Python's
 * ZeroDivisionError and ValueError are thrown where torch raises. Shares no code with src/.
 */
import type { ParamValues } from '../../src/core/params.ts';


export class ZeroDivisionError extends Error {}
export class TorchValueError extends Error {}

function div(a: number, b: number): number {
  if (b === 0) throw new ZeroDivisionError('float division by zero');
  return a / b;
}

/** Python's %: the result has the sign of the divisor. */
function mod(a: number, b: number): number {
  if (b === 0) throw new ZeroDivisionError('integer modulo by zero');
  const m = a % b;
  return m !== 0 && m < 0 !== b < 0 ? m + b : m;
}

function floordiv(a: number, b: number): number {
  if (b === 0) throw new ZeroDivisionError('integer division or modulo by zero');
  return Math.floor(a / b);
}

function bisectRight(sorted: readonly number[], x: number): number {
  let n = 0;
  while (n < sorted.length && (sorted[n] as number) <= x) n++;
  return n;
}

interface Group {
  lr: number;
  initial_lr?: number;
  momentum?: number;
  betas?: [number, number];
  max_lr?: number;
  min_lr?: number;
  max_momentum?: number;
  base_momentum?: number;
  swa_lr?: number;
}

export type OptKind = 'momentum' | 'betas' | 'none';

/** One param group; `defaults` holds 'momentum' (SGD, RMSprop) or 'betas' (Adam family) or neither. */
export class TorchOptimizer {
  readonly group: Group;
  readonly defaults: ReadonlySet<string>;
  constructor(lr: number, kind: OptKind) {
    this.group = { lr };
    if (kind === 'momentum') this.group.momentum = 0.5;
    if (kind === 'betas') this.group.betas = [0.5, 0.999];
    this.defaults = new Set(kind === 'none' ? [] : [kind]);
  }
  momentumNow(): number {
    return this.group.momentum ?? this.group.betas?.[0] ?? Number.NaN;
  }
}

export interface Stepper {
  step(): void;
}

export abstract class LRScheduler implements Stepper {
  optimizer!: TorchOptimizer;
  base_lr = 0;
  last_epoch = -1;
  _step_count = 0;
  _is_initial = false;

  /** LRScheduler.__init__, called at the end of each subclass constructor as torch's super().__init__. */
  protected init(optimizer: TorchOptimizer): void {
    this.optimizer = optimizer;
    const g = optimizer.group;
    if (g.initial_lr === undefined) g.initial_lr = g.lr;
    this.base_lr = g.initial_lr;
    this.last_epoch = -1;
    this._initial_step();
  }

  _initial_step(): void {
    this._step_count = 0;
    this._is_initial = true;
    try {
      this.step();
    } finally {
      this._is_initial = false;
    }
  }

  step(epoch?: number): void {
    this._step_count += 1;
    this._update_lr(epoch);
  }

  _update_lr(epoch?: number): void {
    let value: number;
    if (epoch === undefined) {
      this.last_epoch += 1;
      value = this.get_lr();
    } else {
      this.last_epoch = epoch;
      value = this._get_closed_form_lr ? this._get_closed_form_lr() : this.get_lr();
    }
    this.optimizer.group.lr = value;
  }

  abstract get_lr(): number;
  _get_closed_form_lr?(): number;

  get lr(): number {
    return this.optimizer.group.lr;
  }
}

class TStepLR extends LRScheduler {
  constructor(
    opt: TorchOptimizer,
    readonly step_size: number,
    readonly gamma: number,
  ) {
    super();
    this.init(opt);
  }
  get_lr(): number {
    if (this.last_epoch === 0 || mod(this.last_epoch, this.step_size) !== 0) return this.lr;
    return this.lr * this.gamma;
  }
  override _get_closed_form_lr = (): number => this.base_lr * this.gamma ** floordiv(this.last_epoch, this.step_size);
}

class TMultiStepLR extends LRScheduler {
  readonly milestones = new Map<number, number>();
  constructor(
    opt: TorchOptimizer,
    milestones: readonly number[],
    readonly gamma: number,
  ) {
    super();
    for (const m of milestones) this.milestones.set(m, (this.milestones.get(m) ?? 0) + 1);
    this.init(opt);
  }
  get_lr(): number {
    const c = this.milestones.get(this.last_epoch);
    if (c === undefined) return this.lr;
    return this.lr * this.gamma ** c;
  }
  override _get_closed_form_lr = (): number => {
    const sorted = [...this.milestones.entries()].flatMap(([m, c]) => Array<number>(c).fill(m)).sort((a, b) => a - b);
    return this.base_lr * this.gamma ** bisectRight(sorted, this.last_epoch);
  };
}

class TConstantLR extends LRScheduler {
  constructor(
    opt: TorchOptimizer,
    readonly factor: number,
    readonly total_iters: number,
  ) {
    super();
    if (factor > 1.0 || factor < 0) throw new TorchValueError('Constant multiplicative factor expected to be between 0 and 1.');
    this.init(opt);
  }
  get_lr(): number {
    if (this.last_epoch === 0) return this.lr * this.factor;
    if (this.last_epoch !== this.total_iters) return this.lr;
    return this.lr * div(1.0, this.factor);
  }
  override _get_closed_form_lr = (): number =>
    this.base_lr * (this.factor + (this.last_epoch >= this.total_iters ? 1 : 0) * (1 - this.factor));
}

class TLinearLR extends LRScheduler {
  constructor(
    opt: TorchOptimizer,
    readonly start_factor: number,
    readonly end_factor: number,
    readonly total_iters: number,
  ) {
    super();
    if (start_factor > 1.0 || start_factor <= 0) throw new TorchValueError('Starting multiplicative factor');
    if (end_factor > 1.0 || end_factor < 0) throw new TorchValueError('Ending multiplicative factor');
    this.init(opt);
  }
  get_lr(): number {
    if (this.last_epoch === 0) return this.lr * this.start_factor;
    if (this._is_initial || this.last_epoch > this.total_iters) return this.lr;
    const d = this.end_factor - this.start_factor;
    return this.lr * (1.0 + div(d, this.total_iters * this.start_factor + (this.last_epoch - 1) * d));
  }
  override _get_closed_form_lr = (): number =>
    this.base_lr *
    (this.start_factor +
      div((this.end_factor - this.start_factor) * Math.min(this.total_iters, this.last_epoch), this.total_iters));
}

class TExponentialLR extends LRScheduler {
  constructor(
    opt: TorchOptimizer,
    readonly gamma: number,
  ) {
    super();
    this.init(opt);
  }
  get_lr(): number {
    if (this._is_initial) return this.lr;
    return this.lr * this.gamma;
  }
  override _get_closed_form_lr = (): number => this.base_lr * this.gamma ** this.last_epoch;
}

class TCosineAnnealingLR extends LRScheduler {
  constructor(
    opt: TorchOptimizer,
    readonly T_max: number,
    readonly eta_min: number,
  ) {
    super();
    this.init(opt);
  }
  get_lr(): number {
    const { T_max, eta_min, last_epoch } = this;
    if (this._is_initial) return this.lr;
    if (this._step_count === 1 && last_epoch > 0) {
      return eta_min + div((this.base_lr - eta_min) * (1 + Math.cos(div(last_epoch * Math.PI, T_max))), 2);
    }
    if (mod(last_epoch - 1 - T_max, 2 * T_max) === 0) {
      return this.lr + div((this.base_lr - eta_min) * (1 - Math.cos(div(Math.PI, T_max))), 2);
    }
    return (
      div(1 + Math.cos(div(Math.PI * last_epoch, T_max)), 1 + Math.cos(div(Math.PI * (last_epoch - 1), T_max))) *
        (this.lr - eta_min) +
      eta_min
    );
  }
  override _get_closed_form_lr = (): number =>
    this.eta_min + div((this.base_lr - this.eta_min) * (1 + Math.cos(div(Math.PI * this.last_epoch, this.T_max))), 2);
}

class TCosineAnnealingWarmRestarts extends LRScheduler {
  T_i: number;
  T_cur: number;
  constructor(
    opt: TorchOptimizer,
    readonly T_0: number,
    readonly T_mult: number,
    readonly eta_min: number,
  ) {
    super();
    if (T_0 <= 0 || !Number.isInteger(T_0)) throw new TorchValueError(`Expected positive integer T_0, but got ${T_0}`);
    if (T_mult < 1 || !Number.isInteger(T_mult)) throw new TorchValueError(`Expected integer T_mult >= 1, but got ${T_mult}`);
    this.T_i = T_0;
    this.T_cur = -1;
    this.init(opt);
  }
  get_lr(): number {
    return this.eta_min + div((this.base_lr - this.eta_min) * (1 + Math.cos(div(Math.PI * this.T_cur, this.T_i))), 2);
  }
  override step(epochArg?: number): void {
    let epoch = epochArg;
    if (epoch === undefined && this.last_epoch < 0) epoch = 0;
    if (epoch === undefined) {
      epoch = this.last_epoch + 1;
      this.T_cur = this.T_cur + 1;
      if (this.T_cur >= this.T_i) {
        this.T_cur = mod(this.T_cur, this.T_i);
        this.T_i = this.T_i * this.T_mult;
      }
    } else if (epoch >= this.T_0) {
      if (this.T_mult === 1) {
        this.T_cur = mod(epoch, this.T_0);
      } else {
        const n = Math.trunc(Math.log((epoch / this.T_0) * (this.T_mult - 1) + 1) / Math.log(this.T_mult));
        this.T_cur = epoch - (this.T_0 * (this.T_mult ** n - 1)) / (this.T_mult - 1);
        this.T_i = this.T_0 * this.T_mult ** n;
      }
    } else {
      this.T_i = this.T_0;
      this.T_cur = epoch;
    }
    this.last_epoch = Math.floor(epoch);
    this.optimizer.group.lr = this.get_lr();
  }
}

/** Sets momentum or beta1 as torch's CyclicLR/OneCycleLR do. */
function setMomentum(g: Group, useBeta1: boolean, m: number): void {
  if (useBeta1) g.betas = [m, (g.betas as [number, number])[1]];
  else g.momentum = m;
}

class TCyclicLR extends LRScheduler {
  readonly total_size: number;
  readonly step_ratio: number;
  readonly scale_mode: string;
  readonly use_beta1: boolean;
  constructor(
    opt: TorchOptimizer,
    base_lr: number,
    readonly max_lr: number,
    step_size_up: number,
    step_size_down: number | null,
    readonly mode: string,
    readonly gamma: number,
    scale_mode: string,
    readonly cycle_momentum: boolean,
    readonly base_momentum: number,
    readonly max_momentum: number,
  ) {
    super();
    opt.group.lr = base_lr;
    const up = step_size_up;
    const down = step_size_down ?? up;
    this.total_size = up + down;
    this.step_ratio = div(up, this.total_size);
    if (!['triangular', 'triangular2', 'exp_range'].includes(mode)) {
      throw new TorchValueError('mode is invalid and scale_fn is None');
    }
    // _init_scale_fn without scale_fn: the mode overrides scale_mode.
    this.scale_mode = mode === 'exp_range' ? 'iterations' : mode === 'triangular' || mode === 'triangular2' ? 'cycle' : scale_mode;
    this.use_beta1 = false;
    if (cycle_momentum) {
      if (!opt.defaults.has('momentum') && !opt.defaults.has('betas')) {
        throw new TorchValueError('optimizer must support momentum or beta1 with `cycle_momentum` option enabled');
      }
      this.use_beta1 = opt.defaults.has('betas');
      setMomentum(opt.group, this.use_beta1, max_momentum);
      opt.group.max_momentum = max_momentum;
      opt.group.base_momentum = base_momentum;
    }
    this.init(opt);
    this.base_lr = base_lr;
  }
  scale_fn(x: number): number {
    if (this.mode === 'triangular') return 1.0;
    if (this.mode === 'triangular2') return div(1, 2.0 ** (x - 1));
    return this.gamma ** x;
  }
  get_lr(): number {
    const cycle = Math.floor(1 + this.last_epoch / this.total_size);
    const x = 1.0 + this.last_epoch / this.total_size - cycle;
    const scale_factor = x <= this.step_ratio ? div(x, this.step_ratio) : div(x - 1, this.step_ratio - 1);
    const arg = this.scale_mode === 'cycle' ? cycle : this.last_epoch;
    const lr = this.base_lr + (this.max_lr - this.base_lr) * scale_factor * this.scale_fn(arg);
    if (this.cycle_momentum) {
      const m = this.max_momentum - (this.max_momentum - this.base_momentum) * scale_factor * this.scale_fn(arg);
      setMomentum(this.optimizer.group, this.use_beta1, m);
    }
    return lr;
  }
}

interface Phase {
  end_step: number;
  start_lr: 'initial_lr' | 'max_lr' | 'min_lr';
  end_lr: 'initial_lr' | 'max_lr' | 'min_lr';
  start_momentum: 'max_momentum' | 'base_momentum';
  end_momentum: 'max_momentum' | 'base_momentum';
}

class TOneCycleLR extends LRScheduler {
  readonly total_steps: number;
  readonly phases: Phase[];
  readonly use_beta1: boolean;
  constructor(
    opt: TorchOptimizer,
    max_lr: number,
    total_steps: number | null,
    epochs: number | null,
    steps_per_epoch: number | null,
    pct_start: number,
    readonly anneal_strategy: string,
    readonly cycle_momentum: boolean,
    base_momentum: number,
    max_momentum: number,
    div_factor: number,
    final_div_factor: number,
    three_phase: boolean,
  ) {
    super();
    if (total_steps !== null) {
      if (total_steps <= 0 || !Number.isInteger(total_steps)) throw new TorchValueError('Expected positive integer total_steps');
      this.total_steps = total_steps;
    } else if (epochs !== null && steps_per_epoch !== null) {
      if (!Number.isInteger(epochs) || epochs <= 0) throw new TorchValueError('Expected positive integer epochs');
      if (!Number.isInteger(steps_per_epoch) || steps_per_epoch <= 0) throw new TorchValueError('Expected positive integer steps_per_epoch');
      this.total_steps = epochs * steps_per_epoch;
    } else {
      throw new TorchValueError('You must define either total_steps OR (epochs AND steps_per_epoch)');
    }
    const N = this.total_steps;
    this.phases = three_phase
      ? [
          { end_step: pct_start * N - 1, start_lr: 'initial_lr', end_lr: 'max_lr', start_momentum: 'max_momentum', end_momentum: 'base_momentum' },
          { end_step: 2 * pct_start * N - 2, start_lr: 'max_lr', end_lr: 'initial_lr', start_momentum: 'base_momentum', end_momentum: 'max_momentum' },
          { end_step: N - 1, start_lr: 'initial_lr', end_lr: 'min_lr', start_momentum: 'max_momentum', end_momentum: 'max_momentum' },
        ]
      : [
          { end_step: pct_start * N - 1, start_lr: 'initial_lr', end_lr: 'max_lr', start_momentum: 'max_momentum', end_momentum: 'base_momentum' },
          { end_step: N - 1, start_lr: 'max_lr', end_lr: 'min_lr', start_momentum: 'base_momentum', end_momentum: 'max_momentum' },
        ];
    if (pct_start < 0 || pct_start > 1) throw new TorchValueError('Expected float between 0 and 1 pct_start');
    if (anneal_strategy !== 'cos' && anneal_strategy !== 'linear') throw new TorchValueError('anneal_strategy');
    const g = opt.group;
    g.initial_lr = div(max_lr, div_factor);
    g.max_lr = max_lr;
    g.min_lr = div(g.initial_lr, final_div_factor);
    this.use_beta1 = false;
    if (cycle_momentum) {
      if (!opt.defaults.has('momentum') && !opt.defaults.has('betas')) {
        throw new TorchValueError('optimizer must support momentum or beta1 with `cycle_momentum` option enabled');
      }
      this.use_beta1 = opt.defaults.has('betas');
      setMomentum(g, this.use_beta1, max_momentum);
      g.max_momentum = max_momentum;
      g.base_momentum = base_momentum;
    }
    this.init(opt);
  }
  anneal(start: number, end: number, pct: number): number {
    if (this.anneal_strategy === 'cos') {
      const cos_out = Math.cos(Math.PI * pct) + 1;
      return end + ((start - end) / 2.0) * cos_out;
    }
    return (end - start) * pct + start;
  }
  get_lr(): number {
    const step_num = this.last_epoch;
    if (step_num > this.total_steps) {
      throw new TorchValueError(`Tried to step ${step_num} times. The specified number of total steps is ${this.total_steps}`);
    }
    const g = this.optimizer.group;
    let start_step = 0.0;
    for (let i = 0; i < this.phases.length; i++) {
      const phase = this.phases[i] as Phase;
      const end_step = phase.end_step;
      if (step_num <= end_step || i === this.phases.length - 1) {
        const pct = div(step_num - start_step, end_step - start_step);
        const lr = this.anneal(g[phase.start_lr] as number, g[phase.end_lr] as number, pct);
        if (this.cycle_momentum) {
          const m = this.anneal(g[phase.start_momentum] as number, g[phase.end_momentum] as number, pct);
          setMomentum(g, this.use_beta1, m);
        }
        return lr;
      }
      start_step = phase.end_step;
    }
    throw new Error('unreachable');
  }
}

export class TSequentialLR implements Stepper {
  last_epoch: number;
  constructor(
    readonly optimizer: TorchOptimizer,
    readonly schedulers: readonly LRScheduler[],
    readonly milestones: readonly number[],
  ) {
    if (milestones.length !== schedulers.length - 1) {
      throw new TorchValueError('Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points');
    }
    this.last_epoch = -1 + 1;
    optimizer.group.lr = optimizer.group.initial_lr as number;
    for (const s of schedulers) s.last_epoch -= 1; // recursive_undo (no nested SequentialLR here)
    (schedulers[0] as LRScheduler)._initial_step();
  }
  step(): void {
    this.last_epoch += 1;
    const idx = bisectRight(this.milestones, this.last_epoch);
    const scheduler = this.schedulers[idx] as LRScheduler;
    if (idx > 0 && this.milestones[idx - 1] === this.last_epoch) scheduler._update_lr(0);
    else scheduler.step();
  }
}

/** Python's float ** float for the bases these schedulers produce (0.0 ** negative raises). */
function pypow(a: number, b: number): number {
  if (a === 0 && b < 0) throw new ZeroDivisionError('0.0 cannot be raised to a negative power');
  return a ** b;
}

class TPolynomialLR extends LRScheduler {
  constructor(
    opt: TorchOptimizer,
    readonly total_iters: number,
    readonly power: number,
  ) {
    super();
    this.init(opt);
  }
  get_lr(): number {
    if (this._is_initial || this.last_epoch > this.total_iters) return this.lr;
    const decay_factor = pypow(
      div(1.0 - div(this.last_epoch, this.total_iters), 1.0 - div(this.last_epoch - 1, this.total_iters)),
      this.power,
    );
    return this.lr * decay_factor;
  }
  override _get_closed_form_lr = (): number =>
    this.base_lr * pypow(1.0 - div(Math.min(this.total_iters, this.last_epoch), this.total_iters), this.power);
}

/** torch.optim.swa_utils.SWALR: get_lr counts _step_count and has no closed form. */
class TSWALR extends LRScheduler {
  constructor(
    opt: TorchOptimizer,
    swa_lr: number,
    readonly anneal_epochs: number,
    readonly anneal_strategy: string,
  ) {
    super();
    opt.group.swa_lr = swa_lr;
    if (anneal_strategy !== 'cos' && anneal_strategy !== 'linear') {
      throw new TorchValueError(`anneal_strategy must be one of 'cos' or 'linear', instead got ${anneal_strategy}`);
    }
    if (!Number.isInteger(anneal_epochs) || anneal_epochs < 0) {
      throw new TorchValueError(`anneal_epochs must be equal or greater than 0, got ${anneal_epochs}`);
    }
    this.init(opt);
  }
  anneal_func(t: number): number {
    return this.anneal_strategy === 'cos' ? (1 - Math.cos(Math.PI * t)) / 2 : t;
  }
  static _get_initial_lr(lr: number, swa_lr: number, alpha: number): number {
    if (alpha === 1) return swa_lr;
    return div(lr - alpha * swa_lr, 1 - alpha);
  }
  get_lr(): number {
    let step = this._step_count - 1;
    if (this.anneal_epochs === 0) step = Math.max(1, step);
    const prev_t = Math.max(0, Math.min(1, (step - 1) / Math.max(1, this.anneal_epochs)));
    const prev_alpha = this.anneal_func(prev_t);
    const swa = this.optimizer.group.swa_lr as number;
    const prev_lr = TSWALR._get_initial_lr(this.lr, swa, prev_alpha);
    const t = Math.max(0, Math.min(1, step / Math.max(1, this.anneal_epochs)));
    const alpha = this.anneal_func(t);
    return swa * alpha + prev_lr * (1 - alpha);
  }
}

/** ChainedScheduler: the children were constructed (and ran their initial steps) before it. */
export class TChainedScheduler implements Stepper {
  constructor(readonly schedulers: readonly LRScheduler[]) {
    if (schedulers.length < 1) {
      throw new TorchValueError('ChainedScheduler expects at least one scheduler to be chained, but got no scheduler.');
    }
  }
  step(): void {
    for (const s of this.schedulers) s.step();
  }
}

function n(v: ParamValues, key: string): number {
  const x = v[key];
  if (typeof x !== 'number') throw new Error(`${key} is not a number`);
  return x;
}

function nOrNull(v: ParamValues, key: string): number | null {
  const x = v[key];
  return typeof x === 'number' ? x : null;
}

/** Constructs the torch scheduler `name` with resolved values (its constructor runs its initial step). */
export function torchScheduler(name: string, v: ParamValues, opt: TorchOptimizer): LRScheduler {
  switch (name) {
    case 'StepLR':
      return new TStepLR(opt, n(v, 'step_size'), n(v, 'gamma'));
    case 'MultiStepLR':
      return new TMultiStepLR(opt, v.milestones as readonly number[], n(v, 'gamma'));
    case 'ConstantLR':
      return new TConstantLR(opt, n(v, 'factor'), n(v, 'total_iters'));
    case 'PolynomialLR':
      return new TPolynomialLR(opt, n(v, 'total_iters'), n(v, 'power'));
    case 'SWALR':
      return new TSWALR(opt, n(v, 'swa_lr'), n(v, 'anneal_epochs'), v.anneal_strategy as string);
    case 'LinearLR':
      return new TLinearLR(opt, n(v, 'start_factor'), n(v, 'end_factor'), n(v, 'total_iters'));
    case 'ExponentialLR':
      return new TExponentialLR(opt, n(v, 'gamma'));
    case 'CosineAnnealingLR':
      return new TCosineAnnealingLR(opt, n(v, 'T_max'), n(v, 'eta_min'));
    case 'CosineAnnealingWarmRestarts':
      return new TCosineAnnealingWarmRestarts(opt, n(v, 'T_0'), n(v, 'T_mult'), n(v, 'eta_min'));
    case 'CyclicLR':
      return new TCyclicLR(
        opt,
        n(v, 'base_lr'),
        n(v, 'max_lr'),
        n(v, 'step_size_up'),
        nOrNull(v, 'step_size_down'),
        v.mode as string,
        n(v, 'gamma'),
        v.scale_mode as string,
        v.cycle_momentum === true,
        n(v, 'base_momentum'),
        n(v, 'max_momentum'),
      );
    case 'OneCycleLR':
      return new TOneCycleLR(
        opt,
        n(v, 'max_lr'),
        nOrNull(v, 'total_steps'),
        nOrNull(v, 'epochs'),
        nOrNull(v, 'steps_per_epoch'),
        n(v, 'pct_start'),
        v.anneal_strategy as string,
        v.cycle_momentum === true,
        n(v, 'base_momentum'),
        n(v, 'max_momentum'),
        n(v, 'div_factor'),
        n(v, 'final_div_factor'),
        v.three_phase === true,
      );
    default:
      throw new Error(`no torch oracle for ${name}`);
  }
}

// ---------------------------------------------------------------------------------------------
// ReduceLROnPlateau (driven by a metric, not by the step count).

export interface PlateauOptions {
  mode: 'min' | 'max';
  factor: number;
  patience: number;
  threshold: number;
  threshold_mode: 'rel' | 'abs';
  cooldown: number;
  min_lr: number;
  eps: number;
}

/** torch's ReduceLROnPlateau: step(metric), is_better, _reduce_lr, cooldown; best starts at ±inf. */
export class TorchPlateau {
  best: number;
  numBad = 0;
  cooldownCounter = 0;
  constructor(
    public lr: number,
    readonly o: PlateauOptions,
  ) {
    this.best = o.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }
  isBetter(a: number, best: number): boolean {
    const { mode, threshold_mode: tm, threshold: t } = this.o;
    if (mode === 'min' && tm === 'rel') return a < best * (1 - t);
    if (mode === 'min' && tm === 'abs') return a < best - t;
    if (mode === 'max' && tm === 'rel') return a > best * (t + 1);
    return a > best + t;
  }
  step(metric: number): void {
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBad = 0;
    } else {
      this.numBad += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBad = 0;
    }
    if (this.numBad > this.o.patience) {
      const newLr = Math.max(this.lr * this.o.factor, this.o.min_lr);
      if (this.lr - newLr > this.o.eps) this.lr = newLr;
      this.cooldownCounter = this.o.cooldown;
      this.numBad = 0;
    }
  }
}
