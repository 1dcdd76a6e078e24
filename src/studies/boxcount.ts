/**
 * The box-counting dimension of a boundary drawn on a grid: the fractal-boundary study's measure
 * (and the fractal paper's, which takes it with porespy's boxcount on the same edge image). Pure
 * functions over arrays: no DOM, no engine, so the app and tests can use them as they are.
 *
 *   edges: a cell of the (w-1) x (h-1) edge image is set where the 2 x 2 block of grid cells at its
 *          corner holds both classes (the notebook's extract_edges: a sign change of the
 *          convergence measure within the block).
 *   count: N(s), the number of s x s boxes (tiling the edge image from its corner; boxes at the far
 *          edges may be partial) that hold at least one edge cell, for s = 1, 2, 4, ...
 *   dimension: minus the least-squares slope of log N(s) against log s. A smooth curve gives 1,
 *          a region that fills the plane 2; a fractal boundary lies between.
 */

export interface EdgeImage {
  readonly width: number;
  readonly height: number;
  /** Row-major, 1 where the 2 x 2 block holds both classes. */
  readonly cells: Uint8Array;
}

export interface BoxCount {
  /** Box edge lengths, in edge-image cells. */
  readonly sizes: readonly number[];
  /** Boxes holding at least one edge cell, per size. */
  readonly counts: readonly number[];
  /** Minus the least-squares slope of log count against log size; NaN with fewer than 2 usable sizes. */
  readonly dimension: number;
  /** Minus the slope between each pair of successive sizes (porespy's `slope`), for the figure. */
  readonly localSlopes: readonly number[];
}

/**
 * The edge image of a w x h grid of classes (row-major, row j from the bottom; any two distinct
 * numbers are two classes, NaN a class of its own).
 */
export function edgeImage(cls: ArrayLike<number>, width: number, height: number): EdgeImage {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 2 && height >= 2)) {
    throw new RangeError(`edgeImage: width and height must be integers >= 2, got ${width} x ${height}`);
  }
  if (cls.length !== width * height) throw new RangeError(`edgeImage: ${cls.length} cells for a ${width} x ${height} grid`);
  const w = width - 1;
  const h = height - 1;
  const cells = new Uint8Array(w * h);
  const same = (a: number, b: number): boolean => a === b || (Number.isNaN(a) && Number.isNaN(b));
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const a = cls[j * width + i] as number;
      const b = cls[j * width + i + 1] as number;
      const c = cls[(j + 1) * width + i] as number;
      const d = cls[(j + 1) * width + i + 1] as number;
      cells[j * w + i] = same(a, b) && same(a, c) && same(a, d) ? 0 : 1;
    }
  }
  return { width: w, height: h, cells };
}

/**
 * Box counts of an edge image at sizes 1, 2, 4, ... up to `maxSize` (default: a quarter of the
 * image's shorter side, so that the largest boxes still tile it at least 4 x 4), and the dimension
 * fitted over them. Sizes at which no box holds an edge are left out of the fit.
 */
export function boxCount(img: EdgeImage, maxSize?: number): BoxCount {
  const { width: w, height: h, cells } = img;
  const top = maxSize ?? Math.max(1, Math.floor(Math.min(w, h) / 4));
  if (!(Number.isInteger(top) && top >= 1)) throw new RangeError(`boxCount: maxSize must be an integer >= 1, got ${top}`);
  const sizes: number[] = [];
  const counts: number[] = [];
  for (let s = 1; s <= top; s *= 2) {
    const bw = Math.ceil(w / s);
    const bh = Math.ceil(h / s);
    const hit = new Uint8Array(bw * bh);
    let n = 0;
    for (let j = 0; j < h; j++) {
      const row = Math.floor(j / s) * bw;
      for (let i = 0; i < w; i++) {
        if (!cells[j * w + i]) continue;
        const b = row + Math.floor(i / s);
        if (!hit[b]) {
          hit[b] = 1;
          n++;
        }
      }
    }
    sizes.push(s);
    counts.push(n);
  }
  const xs: number[] = [];
  const ys: number[] = [];
  sizes.forEach((s, k) => {
    const c = counts[k] as number;
    if (c > 0) {
      xs.push(Math.log(s));
      ys.push(Math.log(c));
    }
  });
  const localSlopes: number[] = [];
  for (let k = 1; k < xs.length; k++) localSlopes.push(-((ys[k] as number) - (ys[k - 1] as number)) / ((xs[k] as number) - (xs[k - 1] as number)));
  return { sizes, counts, dimension: xs.length >= 2 ? -slope(xs, ys) : Number.NaN, localSlopes };
}

/** Least-squares slope of y against x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  let mx = 0;
  let my = 0;
  for (let k = 0; k < n; k++) {
    mx += xs[k] as number;
    my += ys[k] as number;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  for (let k = 0; k < n; k++) {
    const dx = (xs[k] as number) - mx;
    sxy += dx * ((ys[k] as number) - my);
    sxx += dx * dx;
  }
  return sxy / sxx;
}

/** The box-counting dimension of the boundary between the classes of a grid (edgeImage, then boxCount). */
export function boundaryDimension(cls: ArrayLike<number>, width: number, height: number, maxSize?: number): BoxCount {
  return boxCount(edgeImage(cls, width, height), maxSize);
}
