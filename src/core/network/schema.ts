/**
 * The `network` block of a spec: a small multilayer perceptron trained on a data set, in the
 * parameter-schema style of the registry (params.ts), so that the parser, the JSON Schema and the
 * sweepable paths derive from one definition. What it means is in model.ts.
 */
import type { ParamSchema } from '../params.ts';
import type { RunFieldExtras } from '../run-settings.ts';
import { U32_MAX } from '../run-settings.ts';

/** Most hidden layers, and the widest layer: a run keeps a few copies of its parameters per step. */
export const MAX_HIDDEN_LAYERS = 8;
export const MAX_WIDTH = 4096;
/** Most parameter groups (torch's param_groups) a network spec may declare besides the default one. */
export const MAX_PARAM_GROUPS = 8;
/**
 * Largest minibatch: 2^20 samples, more than any data set here holds (digits: ~10,000); the batch
 * size is an integer slot of the parameter vector, exact in float32 up to 2^24.
 */
export const MAX_BATCH = 1 << 20;

export const NETWORK_PARAMS = [
  {
    key: 'hidden',
    kind: 'int-list',
    default: [16],
    min: 1,
    max: MAX_WIDTH,
    maxLength: MAX_HIDDEN_LAYERS,
    ordered: false,
    doc: 'Widths of the hidden layers, input side first ([] = a linear model). The input and output widths follow the data set.',
  },
  {
    key: 'activation',
    kind: 'enum',
    values: ['tanh', 'relu', 'gelu', 'identity'],
    default: 'tanh',
    doc: "The hidden layers' nonlinearity (gelu: torch's exact erf form).",
  },
  { key: 'bias', kind: 'bool', default: true, doc: 'Each Linear layer has a bias (torch: nn.Linear(bias=True)).' },
  {
    key: 'parametrization',
    kind: 'enum',
    values: ['standard', 'mean_field'],
    default: 'standard',
    doc:
      "standard: torch's nn.Linear (z = W a + b), initialised as nn.Linear does (U(±1/sqrt(fan_in)) for weight and bias). " +
      "mean_field: the fractal-boundary notebook's (Sohl-Dickstein 2024): z = W a / sqrt(fan_in), tanh(sqrt 2 z) or relu(z) sqrt 2, " +
      'the output divided by sqrt(fan_in) once more, weights N(0, 1), no biases.',
  },
  {
    key: 'init',
    kind: 'enum',
    values: ['shared', 'per_run'],
    default: 'shared',
    doc: 'shared: every run starts from the same weights (drawn from init_seed); per_run: each run draws its own (from init_seed and its run index).',
  },
  { key: 'init_seed', kind: 'int', default: 0, min: 0, max: U32_MAX, sweepable: false, doc: 'Seed of the initial weights.' },
  {
    key: 'loss',
    kind: 'enum',
    values: ['auto', 'mse', 'cross_entropy'],
    default: 'auto',
    doc: "torch's MSELoss or CrossEntropyLoss, mean reduction; auto: cross-entropy for classification data, MSE for regression.",
  },
  {
    key: 'batch_size',
    kind: 'optional-int',
    default: null,
    min: 1,
    max: MAX_BATCH,
    sweepable: true,
    unset: 'the whole training set',
    doc: 'Samples per minibatch, drawn with replacement per (seed, run, step) from the counter-based generator (noise.seed): each run its own draws; at most the training set\'s size; a batch of that size still draws with replacement (about 63% of the rows distinct), so only null is full batch: the whole training set every step.',
  },
  {
    key: 'threshold',
    kind: 'optional-number',
    default: null,
    min: 0,
    max: 1e30,
    sweepable: false,
    unset: '1% of the initial loss',
    doc: 'Training loss below which a run counts as trained (steps_to_threshold); null: 1% of its initial training loss.',
  },
  {
    key: 'sharpness_iterations',
    kind: 'int',
    default: 100, // engine/cpu/network.ts SHARPNESS_MAX_ITERATIONS
    min: 0,
    max: 10_000,
    sweepable: false,
    doc: 'Most Hessian-vector products the sharpness outcome takes (power iteration, stopping once the eigenvalue settles); each costs about two gradient passes over the training set. 0: no sharpness (its columns are NaN), for sweeps that do not need it.',
  },
] as const satisfies readonly (ParamSchema & RunFieldExtras)[];

/** Seed of the data set's draws (its split, its samples). */
export const DATA_SEED: ParamSchema = { key: 'seed', kind: 'int', default: 0, min: 0, max: U32_MAX, sweepable: false, doc: 'Seed of the data set (its samples and its train/test split).' };
