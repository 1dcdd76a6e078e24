/**
 * The app's default view: what a first visit, "Reset to defaults" and a link that cannot be read at
 * all show. Its axes are the typical ranges of their parameters (core/typical.ts), so that it is
 * the view any other optimiser or surface is first shown at too.
 */
import type { HeatmapMode } from '../view/frame.ts';

/** An LR x momentum sweep of heavy-ball SGD on Rosenbrock. */
export const DEFAULT_SPEC: Readonly<Record<string, unknown>> = {
  surface: { name: 'rosenbrock' },
  optimizer: { name: 'SGD', lr: 0.001, momentum: 0.9 },
  steps: 500,
  start: [-1.5, 2],
  sweep: {
    kind: 'grid',
    x: { param: 'optimizer.lr', min: 1e-5, max: 1e-2, count: 256, scale: 'log' },
    y: { param: 'optimizer.momentum', min: 0, max: 0.99, count: 256, scale: 'linear' },
  },
};

/** Outcome colouring: which basin, diverged or still moving, and how fast, in one picture. */
export const DEFAULT_MODE: HeatmapMode = 'outcome';

/**
 * The network view the editor's problem switch opens: a small ReLU network on Iris, LR × momentum,
 * at a size the CPU engine finishes in seconds.
 */
export const DEFAULT_NET_SPEC: Readonly<Record<string, unknown>> = {
  network: { hidden: [8], activation: 'relu', batch_size: 16, sharpness_iterations: 20 },
  data: { name: 'iris', train: 120, test: 30 },
  optimizer: { name: 'SGD', lr: 0.01, momentum: 0.9 },
  steps: 200,
  sweep: {
    kind: 'grid',
    x: { param: 'optimizer.lr', min: 1e-3, max: 10, count: 32, scale: 'log' },
    y: { param: 'optimizer.momentum', min: 0, max: 0.99, count: 32, scale: 'linear' },
  },
};
