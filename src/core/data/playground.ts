/**
 * TensorFlow Playground's four classification sets (github.com/tensorflow/playground, src/dataset.ts
 * at 02469bd, 2022-06-06: classifyCircleData, classifyXORData, classifyTwoGaussData,
 * classifySpiralData; the split is playground.ts's generateData), generator for generator, with
 * these differences, all about where the random numbers come from and none about the geometry:
 *
 * - Math.random (seedrandom's stream) is replaced by the counter generator: the k-th Math.random()
 *   call made for generated sample i is uniform lane k of (USE.playgroundPoint, row i), and the k-th
 *   call of the shuffle is lane 0 of (USE.playgroundShuffle, row k) (./draw.ts), so one point does
 *   not depend on how many were drawn before it.
 * - classifyTwoGaussData's normalRandom (Marsaglia's polar method, which rejects and so uses a
 *   variable number of draws) is replaced by rng.ts's Box–Muller: the two normals of sample i (x
 *   then y) are normal lanes 0 and 1 of (USE.playgroundPoint, row i). Same distribution, same
 *   mean + sqrt(variance)·z.
 * - sin and cos (circle, spiral) are ./draw.ts's sincospi of the angle over π (2u for an angle
 *   u·2π, 3.5·i/n + {0, 1} for the spiral), not Math.sin/Math.cos, whose last bits differ between
 *   JavaScript engines; the values agree to ~1e-15.
 * - Labels +1/−1 become classes 1/0 (class = (label + 1) / 2).
 * - Playground makes numSamples = 500 points, shuffles them and puts the first
 *   floor(500 · percTrainData / 100) in train; here numSamples = train + test. The half-loops
 *   (`i < numSamples / 2`) make one point more than numSamples when it is odd, as in playground; that
 *   point (the last after the shuffle) is not used.
 * - Inputs are the two coordinates, playground's default features X1, X2 (its other features,
 *   X1², sin(X1) …, are functions of these a model can compute).
 */
import type { ParamSchema, ParamValues } from '../params.ts';
import { below, checkSeed, normals, sincospi, uniform, uniforms, USE } from './draw.ts';
import { newSplit, numberValue } from './shared.ts';
import type { DataDef, DataSet, Split } from './types.ts';

/** Generated points: coordinates and playground's label ±1. */
export interface Points {
  readonly x: number[];
  readonly y: number[];
  readonly label: number[];
}

type Generator = (numSamples: number, noise: number, seed: number) => Points;

const MAX_SAMPLES = 1_000_000;

const u = new Float64Array(4);
const z = new Float64Array(2);
const sc = new Float64Array(2);

function points(): Points {
  return { x: [], y: [], label: [] };
}

/** randUniform(a, b) of playground, on a given uniform. */
const randUniform = (r: number, a: number, b: number): number => r * (b - a) + a;

function dist(x: number, y: number): number {
  return Math.sqrt(x * x + y * y);
}

export function classifyCircleData(numSamples: number, noise: number, seed: number): Points {
  const out = points();
  const radius = 5;
  let row = 0;
  const gen = (rMin: number, rMax: number): void => {
    for (let i = 0; i < numSamples / 2; i++, row++) {
      uniforms(seed, USE.playgroundPoint, row, u, 0, 4);
      const r = randUniform(u[0]!, rMin, rMax);
      // angle = randUniform(0, 2π) = u·2π: sin(angle) = sin(π·2u).
      sincospi(2 * u[1]!, sc);
      const x = r * sc[0]!;
      const y = r * sc[1]!;
      const noiseX = randUniform(u[2]!, -radius, radius) * noise;
      const noiseY = randUniform(u[3]!, -radius, radius) * noise;
      out.x.push(x);
      out.y.push(y);
      out.label.push(dist(x + noiseX, y + noiseY) < radius * 0.5 ? 1 : -1);
    }
  };
  gen(0, radius * 0.5); // Positive points inside the circle.
  gen(radius * 0.7, radius); // Negative points outside the circle.
  return out;
}

export function classifyXORData(numSamples: number, noise: number, seed: number): Points {
  const out = points();
  const padding = 0.3;
  for (let i = 0; i < numSamples; i++) {
    uniforms(seed, USE.playgroundPoint, i, u, 0, 4);
    let x = randUniform(u[0]!, -5, 5);
    x += x > 0 ? padding : -padding;
    let y = randUniform(u[1]!, -5, 5);
    y += y > 0 ? padding : -padding;
    const noiseX = randUniform(u[2]!, -5, 5) * noise;
    const noiseY = randUniform(u[3]!, -5, 5) * noise;
    out.x.push(x);
    out.y.push(y);
    out.label.push((x + noiseX) * (y + noiseY) >= 0 ? 1 : -1);
  }
  return out;
}

/**
 * d3.scale.linear().domain([0, .5]).range([0.5, 4]) as d3 3.5.17 (playground's d3 ^3.5.16)
 * evaluates it: t = (noise − 0) / 0.5, then 0.5·(1 − t) + 4·t.
 */
export function gaussVariance(noise: number): number {
  const t = (noise - 0) / 0.5;
  return 0.5 * (1 - t) + 4 * t;
}

export function classifyTwoGaussData(numSamples: number, noise: number, seed: number): Points {
  const out = points();
  const sd = Math.sqrt(gaussVariance(noise));
  let row = 0;
  const gen = (cx: number, cy: number, label: number): void => {
    for (let i = 0; i < numSamples / 2; i++, row++) {
      normals(seed, USE.playgroundPoint, row, z, 0, 2);
      out.x.push(cx + sd * z[0]!);
      out.y.push(cy + sd * z[1]!);
      out.label.push(label);
    }
  };
  gen(2, 2, 1); // Gaussian with positive examples.
  gen(-2, -2, -1); // Gaussian with negative examples.
  return out;
}

export function classifySpiralData(numSamples: number, noise: number, seed: number): Points {
  const out = points();
  const n = numSamples / 2;
  let row = 0;
  // deltaT in units of π: 0 or 1.
  const gen = (deltaTOverPi: number, label: number): void => {
    for (let i = 0; i < n; i++, row++) {
      uniforms(seed, USE.playgroundPoint, row, u, 0, 2);
      const r = (i / n) * 5;
      // t = 1.75·i/n·2π + deltaT, so t/π = 3.5·i/n + deltaT/π.
      sincospi(((1.75 * i) / n) * 2 + deltaTOverPi, sc);
      out.x.push(r * sc[0]! + randUniform(u[0]!, -1, 1) * noise);
      out.y.push(r * sc[1]! + randUniform(u[1]!, -1, 1) * noise);
      out.label.push(label);
    }
  };
  gen(0, 1); // Positive examples.
  gen(1, -1); // Negative examples.
  return out;
}

/** Playground's shuffle (Fisher–Yates from the end), its k-th Math.random() being lane 0 of row k. */
export function shuffleOrder(length: number, seed: number): Int32Array {
  const order = Int32Array.from({ length }, (_, i) => i);
  let counter = length;
  let k = 0;
  while (counter > 0) {
    const index = below(uniform(seed, USE.playgroundShuffle, k++), counter);
    counter--;
    const t = order[counter]!;
    order[counter] = order[index]!;
    order[index] = t;
  }
  return order;
}

const params = [
  { key: 'train', kind: 'int', default: 250, min: 1, max: MAX_SAMPLES, sweepable: false,
    doc: "Training points (playground: 500 points at its default 50% train ratio gives 250)." },
  { key: 'test', kind: 'int', default: 250, min: 1, max: MAX_SAMPLES, sweepable: false,
    doc: 'Test points (playground: the other 250).' },
  { key: 'noise', kind: 'number', default: 0, min: 0, max: 0.5, sweepable: false,
    doc: "Playground's noise slider / 100 (its 0..50)." },
] as const satisfies readonly ParamSchema[];

function playgroundSet(id: string, title: string, what: string, generator: Generator): DataDef {
  const num = (values: ParamValues, key: string): number => numberValue(id, params, values, key);
  return {
    id,
    title,
    doc:
      `TensorFlow Playground's ${what} (github.com/tensorflow/playground, src/dataset.ts), two ` +
      'classes in the plane, inputs the two coordinates (playground\'s X1, X2), class 1 for its ' +
      'label +1 and 0 for −1. As in playground, train + test points are generated with the given ' +
      'noise, shuffled, and split in that order; the defaults are playground\'s (500 points, 50% ' +
      'train, noise 0). Random numbers come from the counter generator instead of Math.random ' +
      '(and a Gaussian from Box–Muller instead of the polar method): the geometry is playground\'s, ' +
      'the points for a given seed are not (see src/core/data/playground.ts).',
    task: 'classification',
    params,
    inputs: () => 2,
    outputs: () => 2,
    make(values: ParamValues, seed: number): DataSet {
      checkSeed(seed);
      const nTrain = num(values, 'train');
      const nTest = num(values, 'test');
      const noise = num(values, 'noise');
      const pts = generator(nTrain + nTest, noise, seed);
      const order = shuffleOrder(pts.label.length, seed);
      const fill = (split: Split, from: number): void => {
        for (let i = 0; i < split.n; i++) {
          const s = order[from + i]!;
          split.x[2 * i] = pts.x[s]!;
          split.x[2 * i + 1] = pts.y[s]!;
          split.y[i] = (pts.label[s]! + 1) / 2;
        }
      };
      const train = newSplit(id, 'train', nTrain, 2, 1);
      const test = newSplit(id, 'test', nTest, 2, 1);
      fill(train, 0);
      fill(test, nTrain);
      return { id, task: 'classification', inputs: 2, outputs: 2, train, test };
    },
  };
}

export const circle = playgroundSet(
  'circle',
  'Circle (TensorFlow Playground)',
  'circle: class 1 inside radius 2.5 (radius uniform in [0, 2.5]), class 0 in the ring of radii 3.5 to 5 (half each); with noise, the label is that of the point shifted by uniform noise in ±5·noise per coordinate',
  classifyCircleData,
);
export const xor = playgroundSet(
  'xor',
  'Exclusive or (TensorFlow Playground)',
  'XOR: coordinates uniform in [−5, 5] pushed 0.3 away from the axes, class 1 where x·y >= 0 (of the point shifted by uniform noise in ±5·noise per coordinate)',
  classifyXORData,
);
export const gauss = playgroundSet(
  'gauss',
  'Two Gaussians (TensorFlow Playground)',
  'two Gaussians: class 1 around (2, 2), class 0 around (−2, −2), half each, variance 0.5 + 7·noise per coordinate',
  classifyTwoGaussData,
);
export const spiral = playgroundSet(
  'spiral',
  'Spiral (TensorFlow Playground)',
  'two interleaved spirals: point i of n = N/2 per class at radius 5·i/n and angle 3.5π·i/n (+π for class 0), each coordinate shifted by uniform noise in ±noise',
  classifySpiralData,
);
