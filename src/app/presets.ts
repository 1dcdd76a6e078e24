/**
 * Curated views: specs that show something worth seeing at once, each with the colouring that
 * shows it and a sentence on what to look for. The menu lists them; tests/unit/presets.test.ts
 * checks each is a valid grid sweep.
 */
import { parseAnySpec, specKey } from '../core/spec.ts';
import type { AnyHeatmapMode } from '../view/net-frame.ts';
import { DEFAULT_NET_SPEC, DEFAULT_SPEC } from './defaults.ts';

export interface Preset {
  readonly id: string;
  readonly title: string;
  /** What to look for, in a sentence. */
  readonly blurb: string;
  readonly spec: Readonly<Record<string, unknown>>;
  readonly mode: AnyHeatmapMode;
}

const grid = (x: Record<string, unknown>, y: Record<string, unknown>, count = 256): Record<string, unknown> => ({
  kind: 'grid',
  x: { count, ...x },
  y: { count, ...y },
});

export const PRESETS: readonly Preset[] = [
  {
    id: 'sgd-rosenbrock',
    title: 'SGD on Rosenbrock: learning rate × momentum',
    blurb: 'The default view. Runs converge only left of the stability limit lr = 2(1 + momentum)/λ; momentum buys speed up to it.',
    spec: DEFAULT_SPEC,
    mode: 'outcome',
  },
  {
    id: 'adam-rosenbrock',
    title: 'Adam on Rosenbrock: learning rate × β1',
    blurb: "Adam's useful LRs sit two decades above SGD's, and β1 trades speed for overshoot along the curved valley.",
    spec: {
      surface: { name: 'rosenbrock' },
      optimizer: { name: 'Adam', lr: 0.01 },
      steps: 500,
      start: [-1.5, 2],
      sweep: grid({ param: 'optimizer.lr', min: 1e-4, max: 1, scale: 'log' }, { param: 'optimizer.betas.0', min: 0, max: 0.99, scale: 'linear' }),
    },
    mode: 'outcome',
  },
  {
    id: 'himmelblau-starts',
    title: 'Himmelblau: which start reaches which minimum',
    blurb: 'Four minima, four basins of attraction; with momentum their boundaries fold into bands the start alone does not predict.',
    spec: {
      surface: { name: 'himmelblau' },
      optimizer: { name: 'SGD', lr: 0.01, momentum: 0.8 },
      steps: 300,
      sweep: grid({ param: 'start.0', min: -5, max: 5, scale: 'linear' }, { param: 'start.1', min: -5, max: 5, scale: 'linear' }),
    },
    mode: 'outcome',
  },
  {
    id: 'flat-vs-sharp',
    title: 'Flat vs sharp minima: learning rate × momentum',
    blurb: 'From a start in the sharp well, runs settle there only below its stability limit; above it they are thrown into the flat basin.',
    spec: {
      surface: { name: 'flat_sharp' },
      optimizer: { name: 'SGD', lr: 0.01 },
      steps: 1000,
      start: [1.25, 0.12],
      outcome: { radius: 1e-3 },
      sweep: grid({ param: 'optimizer.lr', min: 1e-3, max: 1, scale: 'log' }, { param: 'optimizer.momentum', min: 0, max: 0.95, scale: 'linear' }),
    },
    mode: 'basin',
  },
  {
    id: 'quadratic-boundary',
    title: 'The quadratic ravine: where theory draws the boundary',
    blurb: 'On a quadratic, linear theory is exact: the lines are the stability limit and the edge of the runs that converge in 300 steps.',
    spec: {
      surface: { name: 'quadratic' },
      optimizer: { name: 'SGD', lr: 0.01 },
      steps: 300,
      sweep: grid({ param: 'optimizer.lr', min: 1e-3, max: 0.5, scale: 'log' }, { param: 'optimizer.momentum', min: 0, max: 0.99, scale: 'linear' }),
    },
    mode: 'outcome',
  },
  {
    id: 'cyclic-lr',
    title: 'Cyclic LR on Rosenbrock: base LR × max LR',
    blurb: 'A triangular cycle between the two LRs: a peak beyond the stability limit can still converge if the cycle comes back down in time.',
    spec: {
      surface: { name: 'rosenbrock' },
      optimizer: { name: 'SGD', lr: 0.001, momentum: 0.9 },
      schedule: { name: 'CyclicLR', base_lr: 1e-4, max_lr: 0.005, step_size_up: 50, cycle_momentum: false },
      steps: 500,
      start: [-1.5, 2],
      sweep: grid({ param: 'schedule.base_lr', min: 1e-5, max: 3e-3, scale: 'log' }, { param: 'schedule.max_lr', min: 1e-4, max: 3e-2, scale: 'log' }),
    },
    mode: 'outcome',
  },
  {
    id: 'noise-camel',
    title: 'Gradient noise on the six-hump camel: learning rate × noise',
    blurb: 'Noise lets runs hop between basins: where the map breaks into speckle, the end point no longer follows from the settings.',
    spec: {
      surface: { name: 'six_hump_camel' },
      optimizer: { name: 'SGD', lr: 0.01, momentum: 0.9 },
      steps: 500,
      noise: { std: 0, seed: 1 },
      sweep: grid({ param: 'optimizer.lr', min: 1e-4, max: 0.05, scale: 'log' }, { param: 'noise.std', min: 0, max: 4, scale: 'linear' }),
    },
    mode: 'outcome',
  },
  // Network views run on the CPU engine in Web Workers for now (run-controller.ts engineFor): their
  // sizes are what it finishes in seconds, and a zoom re-sweeps at the same size.
  {
    id: 'fractal-boundary',
    title: 'Fractal boundary: input-layer LR × output-layer LR',
    blurb:
      "The fractal-boundary paper's network (16 tanh units, mean-field, full batch): green to blue trained, orange to red did not; zoom into the seam and it keeps folding. examples/fractal.json at 32 × 32 and 40 steps.",
    spec: {
      network: { hidden: [16], activation: 'tanh', bias: false, parametrization: 'mean_field', batch_size: null, sharpness_iterations: 0 },
      data: { name: 'fractal', inputs: 16, outputs: 1 },
      optimizer: { name: 'SGD', lr: 100, param_groups: [{ params: ['layers.0'], lr: 100 }] },
      steps: 40,
      sweep: grid(
        { param: 'optimizer.param_groups.0.lr', min: 1, max: 1e5, scale: 'log' },
        { param: 'optimizer.lr', min: 20, max: 600, scale: 'log' },
        32,
      ),
    },
    mode: 'convergence',
  },
  {
    id: 'iris-lr-momentum',
    title: 'Iris: LR × momentum',
    blurb: 'A 4–8–3 ReLU network on Iris with minibatches of 16: test accuracy is high across a wide band of LRs, and momentum moves the band to lower LRs.',
    // The network view the editor's problem switch opens.
    spec: DEFAULT_NET_SPEC,
    mode: 'accuracy',
  },
];

export function findPreset(id: string): Preset | undefined {
  return PRESETS.find((p) => p.id === id);
}

/** A spec as its normal form's text (every default written out), or null where it does not parse. */
function normal(json: unknown): string | null {
  try {
    return specKey(parseAnySpec(json));
  } catch {
    return null;
  }
}

let presetForms: readonly (string | null)[] | null = null;

/**
 * The curated view the spec is, if any (its spec, every default written out, equal): what the
 * menu shows as chosen, until an edit makes it another view.
 */
export function presetOf(json: unknown): string {
  const form = normal(json);
  if (form === null) return '';
  presetForms ??= PRESETS.map((p) => normal(p.spec));
  const i = presetForms.indexOf(form);
  return i >= 0 ? (PRESETS[i]?.id ?? '') : '';
}
