import type { ParamSchema, ParamValues } from '../params.ts';
import { checkSeed, normals, USE } from './draw.ts';
import { newSplit, numberValue } from './shared.ts';
import type { DataDef, DataSet, Split } from './types.ts';

const ID = 'regression';
const MAX_ROWS = 1_000_000;

/** The texts' true weights: y = X·W + noise·ε. */
export const REGRESSION_WEIGHTS: readonly number[] = [2, -1, 0.5, 3, -2];
const INPUTS = REGRESSION_WEIGHTS.length;

const params = [
  { key: 'train', kind: 'int', default: 1000, min: 1, max: MAX_ROWS, sweepable: false, doc: 'Training points.' },
  { key: 'test', kind: 'int', default: 200, min: 1, max: MAX_ROWS, sweepable: false, doc: 'Test points.' },
  { key: 'noise', kind: 'number', default: 0.1, min: 0, max: 100, sweepable: false,
    doc: 'Standard deviation of the Gaussian noise added to the targets (the texts: 0.1).' },
] as const satisfies readonly ParamSchema[];

const num = (values: ParamValues, key: string): number => numberValue(ID, params, values, key);

const z = new Float64Array(INPUTS + 1);

function fill(split: Split, seed: number, use: number, noise: number): void {
  for (let i = 0; i < split.n; i++) {
    normals(seed, use, i, z);
    let y = 0;
    for (let k = 0; k < INPUTS; k++) {
      split.x[i * INPUTS + k] = z[k]!;
      y += REGRESSION_WEIGHTS[k]! * z[k]!;
    }
    split.y[i] = y + noise * z[INPUTS]!;
  }
}

export const regression: DataDef = {
  id: ID,
  title: 'Linear regression (the texts\' example)',
  doc:
    "The linear-regression example of the texts this project serves: X ~ N(0, 1)^5 and " +
    'y = X·[2, −1, 0.5, 3, −2] + noise·ε with ε ~ N(0, 1) and noise 0.1, fitted there by ' +
    'nn.Linear(5, 1) with MSE and batch 32 (the true function has no bias). Defaults: 1000 training ' +
    'and 200 test points (the texts do not fix them). Row i holds six normals of the counter ' +
    "generator (core/rng.ts's Box–Muller): five inputs, then ε; train and test rows are drawn " +
    'independently, and row i does not depend on the split size.',
  task: 'regression',
  params,
  inputs: () => INPUTS,
  outputs: () => 1,
  make(values: ParamValues, seed: number): DataSet {
    checkSeed(seed);
    const noise = num(values, 'noise');
    const train = newSplit(ID, 'train', num(values, 'train'), INPUTS, 1);
    const test = newSplit(ID, 'test', num(values, 'test'), INPUTS, 1);
    fill(train, seed, USE.regressionTrain, noise);
    fill(test, seed, USE.regressionTest, noise);
    return { id: ID, task: 'regression', inputs: INPUTS, outputs: 1, train, test };
  },
};
