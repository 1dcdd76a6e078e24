/**
 * Run-level settings: the one definition of `steps`, `start`, `noise`, `outcome`, `swa` and `sam`,
 * in the parameter-schema style registry entries use (params.ts).
 *
 * The schema drives everything that touches these settings: parseSpec (ranges in the errors, the
 * defaults), the `Spec` type of them (`RunValues`), the JSON Schema (spec-schema.ts), the app
 * editor's fields and the defaults it switches blocks on with, which paths a sweep axis may name
 * and their ranges (`resolveParamPath`, `sweepablePaths`), and the slots those paths occupy in the
 * run block of P (`RUN_PARAMS` in layout.ts, assigned in schema order).
 *
 * Imports nothing of ours but parameter types, so that layout.ts can derive from it.
 */
import type { ParamSchema } from './params.ts';

// ---------------------------------------------------------------------------------------------
// Limits, each stated once, with the reason for it.

/**
 * Most optimiser steps per run. The kernels compute with `f32(step)` (schedule factors, bias
 * corrections), which is exact only below 2^24 = 16,777,216; ten million stays below it.
 */
export const MAX_STEPS = 10_000_000;

/** Largest seed: seeds are u32 keys of the counter-based generator (core/rng.ts, shaders/lib/rng.wgsl). */
export const U32_MAX = 0xffffffff;

/**
 * Largest magnitude of a real where no tighter rule applies (a start coordinate, a noise level, a
 * radius, a bound, SAM's rho, a sweep axis's ends): every such value reaches the kernels as an f32
 * (in P or a uniform), and 1e30 stays finite there with eight decades to spare (f32's largest is
 * 3.4e38), so it never becomes Infinity on the GPU nor collides with PARAM_UNSET (-3.4e38).
 */
export const MAX_MAGNITUDE = 1e30;

/**
 * Most steps between outcome checkpoints: the GPU engine dispatches whole checkpoint blocks inside
 * its per-step table window (STEP_TABLE_WINDOW = 131,072 steps, engine/gpu/layouts.ts), so a block
 * must fit in one. tests/unit/spec.test.ts keeps this below that window.
 */
export const MAX_CHECK_EVERY = 100_000;

/** SAM's radius where a spec switches SAM on without one: the reference implementation's default (davda54/sam, rho=0.05). */
export const SAM_DEFAULT_RHO = 0.05;

// ---------------------------------------------------------------------------------------------
// The schema's shape.

/**
 * Run-level fields state `sweepable` on every numeric field: here a sweepable field is the
 * exception (it gets a slot of P's run block), where registry parameters are sweepable unless
 * they say otherwise.
 */
type Stated<T> = T extends { readonly sweepable?: boolean } ? Omit<T, 'sweepable'> & { readonly sweepable: boolean } : T;

/** What only run-level fields have. */
export interface RunFieldExtras {
  /**
   * The field counts steps of the run (SWA's start and every): parseSpec allows it up to the
   * spec's `steps`; `max` is the bound where steps is not known (the JSON Schema's).
   */
  readonly upToSteps?: true;
  /** Absent, the field takes the surface's value (SurfaceDef.defaultStart); `default` only gives the tuple its length. */
  readonly surfaceDefault?: true;
  /** What null (or absent) means for an optional field, e.g. "2% of steps"; shown by the editor, said by the JSON Schema. */
  readonly unset?: string;
  /** `unset` where it differs by problem: what the editor shows for a surface and for a network. */
  readonly unsetFor?: { readonly surface: string; readonly network: string };
}

export type RunField = Stated<ParamSchema> & RunFieldExtras;

/** An object of fields at a top-level key, e.g. `noise: { std, seed }`. */
export interface RunBlock {
  readonly kind: 'block';
  readonly key: string;
  /** A short name for the block (the editor's checkbox for an `off` block). */
  readonly title: string;
  readonly doc: string;
  /**
   * What an absent or null block means. `defaults`: every field at its default (the resolved spec
   * always holds the block). `off`: the feature is off (the resolved spec holds null); a block
   * given switches it on, each field at its default unless given.
   */
  readonly absent: 'defaults' | 'off';
  readonly fields: readonly RunField[];
}

/** A top-level run setting: a field at a top-level key (`steps`, `start`) or a block of fields. */
export type RunSetting = RunField | RunBlock;

// ---------------------------------------------------------------------------------------------
// The schema. Order matters twice: it is the order of keys in specToJSON, and sweepable fields
// take the run block's slots of P in this order.

export const RUN_SETTINGS = [
  {
    key: 'steps',
    kind: 'int',
    required: true,
    default: 1000,
    min: 1,
    max: MAX_STEPS,
    sweepable: false,
    doc: 'Optimiser steps per run.',
  },
  {
    key: 'start',
    kind: 'tuple',
    default: [0, 0],
    surfaceDefault: true,
    min: -MAX_MAGNITUDE,
    max: MAX_MAGNITUDE,
    sweepable: true,
    typical: 'surface-domain',
    doc: "Starting point [x, y]; default: the surface's.",
  },
  {
    kind: 'block',
    key: 'noise',
    title: 'noise',
    absent: 'defaults',
    doc: 'Gaussian noise added to every gradient (stochastic-gradient noise); absent or null: exact gradients.',
    fields: [
      {
        key: 'std',
        kind: 'number',
        default: 0,
        min: 0,
        max: MAX_MAGNITUDE,
        sweepable: true,
        // Gradients of the surfaces here are O(1…100) over their views.
        typical: { min: 0, max: 10, scale: 'linear' },
        doc: 'Standard deviation of Gaussian noise added to each gradient coordinate (0 = exact gradients).',
      },
      {
        key: 'seed',
        kind: 'int',
        default: 0,
        min: 0,
        max: U32_MAX,
        sweepable: false,
        doc: 'Seed of the gradient noise (each run draws its own stream from it).',
      },
    ],
  },
  {
    kind: 'block',
    key: 'outcome',
    title: 'outcome',
    absent: 'defaults',
    doc: 'When a run counts as converged or diverged, and how often that is checked; absent or null: the defaults.',
    fields: [
      {
        key: 'radius',
        kind: 'optional-number',
        default: null,
        min: 0,
        minExclusive: true,
        max: MAX_MAGNITUDE,
        sweepable: false,
        // plan.ts's defaultRadius: 1% of the view's diagonal, less where two minima are close.
        unset: '1% of view',
        doc: 'Distance to a known minimum that counts as reaching it.',
      },
      {
        key: 'bound',
        kind: 'optional-number',
        default: null,
        min: 0,
        minExclusive: true,
        max: MAX_MAGNITUDE,
        sweepable: false,
        unset: "the surface's default; a network's: 1e6 x its initial loss",
        unsetFor: { surface: "the surface's default", network: '1e6 x the initial loss' },
        doc: 'A run whose |x| or |y| exceeds this has diverged (a network run: whose training loss exceeds it).',
      },
      {
        key: 'check_every',
        kind: 'optional-int',
        default: null,
        min: 1,
        max: MAX_CHECK_EVERY,
        sweepable: false,
        unset: '2% of steps',
        doc: 'Steps between outcome checkpoints, the resolution to which divergence is detected and steps_to_converge (a surface) or steps_to_threshold (a network) measured; 1 = every step: exact, but about three times slower on the GPU (docs/performance.md).',
      },
    ],
  },
  {
    kind: 'block',
    key: 'swa',
    title: 'SWA',
    absent: 'off',
    doc: "Stochastic weight averaging (torch.optim.swa_utils.AveragedModel's equal-weight average): outcomes are also reported for the mean of the iterates after steps start, start + every, …, as swa_x, swa_y and swa_loss (a surface) or swa_train_loss, swa_test_loss and swa_test_accuracy (a network).",
    fields: [
      {
        key: 'start',
        kind: 'int',
        required: true,
        // torch leaves the start to the user; an example only (the editor proposes 75% of the run).
        default: 750,
        min: 1,
        max: MAX_STEPS,
        upToSteps: true,
        sweepable: false,
        doc: 'First step (1-based) whose iterate enters the average.',
      },
      {
        key: 'every',
        kind: 'int',
        default: 1,
        min: 1,
        max: MAX_STEPS,
        upToSteps: true,
        sweepable: false,
        doc: 'Steps between iterates averaged.',
      },
    ],
  },
  {
    kind: 'block',
    key: 'sam',
    title: 'SAM',
    absent: 'off',
    doc: 'Sharpness-aware minimisation (Foret et al., ICLR 2021; reference implementation davda54/sam) around the optimiser: each step first moves to w + e(w), e = rho·g/‖g‖ (adaptive: ASAM\'s rho·w²·g/‖|w|·g‖), takes the gradient there with the same noise draw, and hands it to the optimiser at w. Two gradient evaluations per step.',
    fields: [
      {
        key: 'rho',
        kind: 'number',
        default: SAM_DEFAULT_RHO,
        min: 0,
        max: MAX_MAGNITUDE,
        sweepable: true,
        typical: { min: 0, max: 0.5, scale: 'linear' },
        doc: 'Radius of the ascent step (0 = the plain optimiser).',
      },
      {
        key: 'adaptive',
        kind: 'bool',
        default: false,
        doc: 'ASAM (Kwon et al. 2021): the ascent step scaled element-wise by |w|.',
      },
    ],
  },
] as const satisfies readonly RunSetting[];

// ---------------------------------------------------------------------------------------------
// Types derived from the schema.

type Settings = (typeof RUN_SETTINGS)[number];

type FieldValue<F> = F extends { readonly kind: 'number' | 'int' }
  ? number
  : F extends { readonly kind: 'optional-number' | 'optional-int' }
    ? number | null
    : F extends { readonly kind: 'bool' }
      ? boolean
      : F extends { readonly kind: 'enum'; readonly values: readonly (infer V)[] }
        ? V
        : F extends { readonly kind: 'tuple'; readonly default: infer D extends readonly number[] }
          ? { readonly [I in keyof D]: number }
          : F extends { readonly kind: 'int-list' }
            ? readonly number[]
            : never;

type BlockValue<B extends { readonly fields: readonly unknown[] }> = {
  readonly [F in B['fields'][number] as F extends { readonly key: infer K extends string } ? K : never]: FieldValue<F>;
};

type SettingValue<S> = S extends { readonly kind: 'block'; readonly fields: readonly unknown[] }
  ? S extends { readonly absent: 'off' }
    ? BlockValue<S> | null
    : BlockValue<S>
  : FieldValue<S>;

/** The resolved run-level part of a Spec: `steps`, `start`, `noise`, `outcome`, `swa`, `sam`. */
export type RunValues = { readonly [S in Settings as S['key']]: SettingValue<S> };

/** Keys of the blocks that are off unless given (`swa`, `sam`). */
export type SwitchKey = Extract<Settings, { readonly absent: 'off' }>['key'];

type TupleIndex<D> = Exclude<keyof D, keyof readonly unknown[]> & string;
type FieldPaths<F, P extends string> = F extends { readonly sweepable: true; readonly key: infer K extends string }
  ? F extends { readonly kind: 'tuple'; readonly default: infer D }
    ? `${P}${K}.${TupleIndex<D>}`
    : `${P}${K}`
  : never;
type SettingPaths<S> = S extends { readonly kind: 'block'; readonly key: infer B extends string; readonly fields: readonly (infer F)[] }
  ? FieldPaths<F, `${B}.`>
  : FieldPaths<S, ''>;

/** Sweep paths of the sweepable run-level fields: `start.0`, `start.1`, `noise.std`, `sam.rho`. */
export type RunSlotPath = SettingPaths<Settings>;

// ---------------------------------------------------------------------------------------------
// Walking the schema.

export function isBlock(s: RunSetting): s is RunBlock {
  return s.kind === 'block';
}

/** One scalar path of the schema: a field, or one element of a tuple field. */
export interface RunPath {
  /** Dotted spec path: `steps`, `start.1`, `noise.std`. */
  readonly path: string;
  readonly field: RunField;
  /** The block holding the field, or null for a top-level field. */
  readonly block: RunBlock | null;
}

function fieldPaths(field: RunField, block: RunBlock | null): RunPath[] {
  const base = block ? `${block.key}.${field.key}` : field.key;
  if (field.kind === 'tuple') return field.default.map((_, i) => ({ path: `${base}.${i}`, field, block }));
  return [{ path: base, field, block }];
}

/** Every scalar path of the schema, in schema order. */
export const RUN_PATHS: readonly RunPath[] = (RUN_SETTINGS as readonly RunSetting[]).flatMap((s) =>
  isBlock(s) ? s.fields.flatMap((f) => fieldPaths(f, s)) : fieldPaths(s, null),
);

/**
 * The sweepable paths, in schema order: the order of their slots in P's run block. The type is
 * derived from the same entries (RunSlotPath); spec.test.ts checks the two lists agree.
 */
export const RUN_SLOT_PATHS = RUN_PATHS.filter((p) => 'sweepable' in p.field && p.field.sweepable).map((p) => p.path) as readonly RunSlotPath[];
