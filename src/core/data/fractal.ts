import type { ParamSchema, ParamValues } from '../params.ts';
import { checkSeed, normals, USE } from './draw.ts';
import { newSplit, numberValue, optionalIntValue, splitSizeProblem } from './shared.ts';
import type { DataDef, DataSet, Split } from './types.ts';

const ID = 'fractal';
const MAX_ROWS = 1_000_000;

const params = [
  { key: 'inputs', kind: 'int', default: 16, min: 1, max: 4096, sweepable: false,
    doc: "Input dimension (the fractal paper's notebook, github.com/Sohl-Dickstein/fractal: the network width; 16 in the paper and the blog post)." },
  { key: 'outputs', kind: 'int', default: 1, min: 1, max: 4096, sweepable: false,
    doc: "Target dimension (the fractal paper's notebook's target_dim)." },
  { key: 'train', kind: 'optional-int', default: null, min: 1, max: MAX_ROWS, sweepable: false,
    doc: "Training points; null: floor(the model's parameter count / outputs), as the fractal paper's notebook (Sohl-Dickstein's, dataset_param_multiple = 1)." },
  { key: 'test', kind: 'optional-int', default: null, min: 1, max: MAX_ROWS, sweepable: false,
    doc: 'Test points (drawn independently of the training points); null: as many as training points.' },
] as const satisfies readonly ParamSchema[];

const int = (values: ParamValues, key: string): number => numberValue(ID, params, values, key);

/** The notebook's batch_size = int(n_params · dataset_param_multiple / target_dim), multiple 1. */
function trainRows(values: ParamValues, paramCount: number): number {
  const given = optionalIntValue(ID, params, values, 'train');
  if (given !== null) return given;
  if (!Number.isInteger(paramCount) || paramCount < 1) {
    throw new Error(`data set ${ID}: the model's parameter count must be a positive integer (train follows it), got ${paramCount}`);
  }
  const n = Math.floor(paramCount / int(values, 'outputs'));
  if (n < 1 || n > MAX_ROWS) {
    throw new Error(
      `data set ${ID}: train = floor(parameter count ${paramCount} / outputs ${int(values, 'outputs')}) = ${n} is outside [1, ${MAX_ROWS}]; set train`,
    );
  }
  return n;
}

/**
 * The sizes make() would build, checked before it builds them: train as the parameter count sets it
 * (when given: paramCount), each split within what one may hold (x is n × inputs, y n × outputs).
 */
function validate(values: ParamValues, paramCount: number | null = null): string[] {
  const outputs = int(values, 'outputs');
  const width = Math.max(int(values, 'inputs'), outputs);
  const out: string[] = [];
  let train = optionalIntValue(ID, params, values, 'train');
  if (train === null && paramCount !== null) {
    const n = Math.floor(paramCount / outputs);
    if (n < 1 || n > MAX_ROWS) {
      out.push(`train: null (as many training points as the model's ${paramCount} parameters, divided by outputs ${outputs}) is ${n} points, outside [1, ${MAX_ROWS}]; set train`);
    } else {
      train = n;
    }
  }
  const trainProblem = train === null ? null : splitSizeProblem(train, width);
  if (trainProblem) out.push(`train: ${trainProblem}`);
  // test: null is as many as train (its problem, said once).
  const test = optionalIntValue(ID, params, values, 'test');
  const testProblem = test === null ? null : splitSizeProblem(test, width);
  if (testProblem) out.push(`test: ${testProblem}`);
  return out;
}

function fill(split: Split, seed: number, inputs: number, outputs: number, useX: number, useY: number): void {
  for (let i = 0; i < split.n; i++) {
    normals(seed, useX, i, split.x, i * inputs, inputs);
    normals(seed, useY, i, split.y, i * outputs, outputs);
  }
}

export const fractal: DataDef = {
  id: ID,
  title: 'Random regression (fractal-boundary paper)',
  doc:
    'The data of Sohl-Dickstein 2024, "The boundary of neural network trainability is fractal" ' +
    '(arXiv:2402.06184; notebook github.com/Sohl-Dickstein/fractal): inputs X ~ N(0, 1)^(n × inputs) ' +
    'and targets Y ~ N(0, 1)^(n × outputs), independent, so a network can only memorise them. As in ' +
    "the notebook (dataset_param_multiple = 1) there are as many training points as the model has " +
    'parameters, divided by outputs (272 for the paper\'s width-16, two-layer tanh network); train ' +
    'sets the number outright (the notebook uses the width for an identity network). The notebook ' +
    'has no test split: ours has as many points by default, drawn independently. Normals come from ' +
    "the counter generator (core/rng.ts's Box–Muller), not jax.random, so the points differ from the " +
    "notebook's while their distribution is the same; row i does not depend on n.",
  task: 'regression',
  params,
  inputs: (values) => int(values, 'inputs'),
  outputs: (values) => int(values, 'outputs'),
  validate,
  trainRows(values: ParamValues, paramCount: number | null): number | null {
    try {
      return paramCount === null && optionalIntValue(ID, params, values, 'train') === null ? null : trainRows(values, paramCount ?? 0);
    } catch {
      return null; // validate() says why
    }
  },
  make(values: ParamValues, seed: number, paramCount: number): DataSet {
    checkSeed(seed);
    const inputs = int(values, 'inputs');
    const outputs = int(values, 'outputs');
    const nTrain = trainRows(values, paramCount);
    const nTest = optionalIntValue(ID, params, values, 'test') ?? nTrain;
    const train = newSplit(ID, 'train', nTrain, inputs, outputs);
    const test = newSplit(ID, 'test', nTest, inputs, outputs);
    fill(train, seed, inputs, outputs, USE.fractalTrainX, USE.fractalTrainY);
    fill(test, seed, inputs, outputs, USE.fractalTestX, USE.fractalTestY);
    return { id: ID, task: 'regression', inputs, outputs, train, test };
  },
};
