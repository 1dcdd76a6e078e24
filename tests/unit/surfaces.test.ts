/**
 * Loss surfaces: analytic derivatives against finite differences, the listed minima against an
 * independent Newton search and the literature, the float32 twin against float64, the WGSL twin's
 * shape, lattice order, divergence bounds and the logistic surface's minibatch sampling.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { P_COUNT, P_SURFACE, P_SURFACE_SIZE } from '../../src/core/layout.ts';
import { blockSize, inRange, type NumberParam, type ParamSchema, type ParamValues } from '../../src/core/params.ts';
import { STREAM_MINIBATCH, pcg4d } from '../../src/core/rng.ts';
import { surfaceFile } from '../../src/core/registry/index.ts';
import { SURFACES } from '../../src/core/registry/surfaces/index.ts';
import { bindF64, gridSeeds, grow, searchMinima } from '../../src/core/registry/surfaces/newton.ts';
import {
  COSPI_COEFFS,
  SINPI_COEFFS,
  cospi,
  eigen2,
  f64,
  sinpi,
  surfaceP,
  wrapHalf,
} from '../../src/core/registry/surfaces/shared.ts';
import type { Minimum, Round, SurfaceData, SurfaceDef } from '../../src/core/registry/types.ts';

const f32: Round = Math.fround;

const EXPECTED_IDS = [
  'quadratic',
  'rosenbrock',
  'beale',
  'himmelblau',
  'rastrigin',
  'ackley',
  'booth',
  'six_hump_camel',
  'styblinski_tang',
  'goldstein_price',
  'saddle',
  'flat_sharp',
  'logistic',
];

const MINIMA_COUNT: Record<string, number> = {
  quadratic: 1,
  rosenbrock: 1,
  beale: 1,
  himmelblau: 4,
  rastrigin: 121,
  ackley: 121,
  booth: 1,
  six_hump_camel: 6,
  styblinski_tang: 4,
  goldstein_price: 4,
  saddle: 2,
  flat_sharp: 2,
  logistic: 1,
};

/** Parameters that may be swept: those that do not move the minima. Every other one must not be. */
const SWEEPABLE: Record<string, readonly string[]> = {
  quadratic: ['a', 'b', 'angle'],
  rosenbrock: ['b'],
  logistic: ['batch_size'],
};

/** Parameters the shader never reads (they only shape host-side data). */
const HOST_ONLY: Record<string, readonly string[]> = { logistic: ['data_seed'] };

const LATTICE_IDS = ['rastrigin', 'ackley'];

interface Ctx {
  def: SurfaceDef;
  values: ParamValues;
  P: Float64Array;
  data: SurfaceData | null;
  minima: Minimum[];
}

function ctx(def: SurfaceDef, values: ParamValues = {}): Ctx {
  const data = def.data ? def.data(values) : null;
  return { def, values, P: surfaceP(def.params, values), data, minima: def.minima(values, data) };
}

const contexts = new Map<string, Ctx>();
function defaults(def: SurfaceDef): Ctx {
  let c = contexts.get(def.id);
  if (!c) {
    c = ctx(def);
    contexts.set(def.id, c);
  }
  return c;
}

function byId(id: string): SurfaceDef {
  const s = SURFACES.find((d) => d.id === id);
  if (!s) throw new Error(`no surface ${id}`);
  return s;
}

/** Deterministic points spread over the default domain. */
function samplePoints(def: SurfaceDef, count: number): [number, number][] {
  const d = def.domain({});
  const out: [number, number][] = [[def.defaultStart[0], def.defaultStart[1]]];
  let s = 0x2545f491;
  const next = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  for (let i = 0; i < count; i++) {
    out.push([d.xMin + (d.xMax - d.xMin) * next(), d.yMin + (d.yMax - d.yMin) * next()]);
  }
  return out;
}

/** Richardson-extrapolated central difference (error O(h⁴)). */
function deriv(fn: (t: number) => number, t: number, h: number): number {
  const d = (k: number): number => (fn(t + k) - fn(t - k)) / (2 * k);
  return (4 * d(h / 2) - d(h)) / 3;
}

function numericParams(schema: readonly ParamSchema[]): NumberParam[] {
  return schema.filter((p): p is NumberParam => p.kind === 'number' || p.kind === 'int');
}

describe('surface registry entries', () => {
  it('lists exactly the expected surfaces, in order', () => {
    expect(SURFACES.map((s) => s.id)).toEqual(EXPECTED_IDS);
  });

  it.each(EXPECTED_IDS)('%s: schema, sweepability, domain, start and bound are consistent', (id) => {
    const def = byId(id);
    expect(def.title.length).toBeGreaterThan(0);
    expect(def.doc.length).toBeGreaterThan(80);
    expect(blockSize(def.params)).toBeLessThanOrEqual(P_SURFACE_SIZE);
    for (const p of def.params) {
      expect(p.doc.length, `${id}.${p.key} doc`).toBeGreaterThan(10);
      expect(p.kind === 'number' || p.kind === 'int', `${id}.${p.key} kind`).toBe(true);
      if (p.kind !== 'number' && p.kind !== 'int') continue;
      expect(p.min, `${id}.${p.key} range`).toBeLessThan(p.max);
      expect(inRange(p.default, p), `${id}.${p.key} default in range`).toBe(true);
      expect(p.sweepable, `${id}.${p.key} sweepable`).toBe((SWEEPABLE[id] ?? []).includes(p.key));
    }
    const d = def.domain({});
    const [sx, sy] = def.defaultStart;
    expect(sx >= d.xMin && sx <= d.xMax && sy >= d.yMin && sy <= d.yMax).toBe(true);
    const half = Math.max(d.xMax - d.xMin, d.yMax - d.yMin) / 2;
    expect(def.bound({})).toBeGreaterThanOrEqual(100 * half - 1e-9);
    for (const m of defaults(def).minima) {
      expect(m.x >= d.xMin && m.x <= d.xMax && m.y >= d.yMin && m.y <= d.yMax, `${id} minimum in view`).toBe(true);
    }
  });
});

describe('WGSL twins', () => {
  // Entry points, helper prefixes and the names read: tests/unit/registry.test.ts, for every entry.
  it.each(EXPECTED_IDS)('%s: reads its own parameter slots and avoids pow and built-in sin/cos', (id) => {
    const def = byId(id);
    const src = readFileSync(`shaders/${surfaceFile(def)}`, 'utf8').replace(/\/\/.*$/gm, '');
    const names = new Set(def.params.map((p) => `${id}_${p.key}`));
    const used = new Set([...src.matchAll(/\bparam\(\s*(\w+)\s*\)/g)].map((m) => m[1]!));
    for (const u of used) expect(names.has(u), `${id}: param(${u}) is one of its slots`).toBe(true);
    for (const p of def.params) {
      if ((HOST_ONLY[id] ?? []).includes(p.key)) continue;
      expect(used.has(`${id}_${p.key}`), `${id}: shader reads ${p.key}`).toBe(true);
    }
    expect(src).not.toMatch(/\bpow\s*\(/);
    expect(src).not.toMatch(/\b(sin|cos|tan)\s*\(/);
  });

  it('sinpi/cospi literals of shaders/lib/trig.wgsl are the f32 coefficients of shared.ts', () => {
    const src = readFileSync('shaders/lib/trig.wgsl', 'utf8');
    for (const [name, coeffs] of [
      ['sinpi', SINPI_COEFFS],
      ['cospi', COSPI_COEFFS],
    ] as const) {
      const body = src.match(new RegExp(`fn ${name}\\(t: f32\\) -> f32 \\{([^}]*)\\}`))?.[1];
      expect(body, `${name} present`).toBeDefined();
      const lits: number[] = [];
      const first = body!.match(/var p = (-?[\d.e+-]+);/);
      lits.push(Number(first![1]));
      for (const m of body!.matchAll(/p = p \* t2 ([+-]) ([\d.e+-]+);/g)) lits.push((m[1] === '-' ? -1 : 1) * Number(m[2]));
      expect(lits.map(f32)).toEqual([...coeffs].reverse().map(f32));
    }
    expect(src).toMatch(/fn wrap_half\(x: f32\) -> f32 \{\s*return x - round\(x\);\s*\}/);
  });

  it.each(['quadratic', 'rastrigin', 'ackley'])('%s: calls the one copy of sinpi/cospi/wrap_half (shaders/lib/trig.wgsl), defines none of its own', (id) => {
    const src = readFileSync(`shaders/${surfaceFile(byId(id))}`, 'utf8').replace(/\/\/.*$/gm, '');
    expect(src).toMatch(/\bsinpi\(/);
    expect(src).toMatch(/\bwrap_half\(/);
    expect(src).not.toMatch(/fn \w*(sinpi|cospi|wrap_half)\b/);
    expect(src).not.toMatch(/\d\.\d{6,}e-\d+/); // no polynomial coefficients
  });
});

describe('shared trigonometric polynomials', () => {
  it('sinpi/cospi match sin(πt)/cos(πt) to float64 rounding on [−1/2, 1/2]', () => {
    let worst = 0;
    for (let i = 0; i <= 2000; i++) {
      const t = -0.5 + i / 2000;
      worst = Math.max(worst, Math.abs(sinpi(f64, t) - Math.sin(Math.PI * t)), Math.abs(cospi(f64, t) - Math.cos(Math.PI * t)));
    }
    expect(worst).toBeLessThan(1e-15);
  });

  it('sinpi/cospi in f32 stay within a few f32 ulps', () => {
    let worst = 0;
    for (let i = 0; i <= 2000; i++) {
      const t = f32(-0.5 + i / 2000);
      worst = Math.max(worst, Math.abs(sinpi(f32, t) - Math.sin(Math.PI * t)), Math.abs(cospi(f32, t) - Math.cos(Math.PI * t)));
    }
    expect(worst).toBeLessThan(5e-7);
  });

  it('wrapHalf is exact and lands in [−1/2, 1/2]', () => {
    // 0.49999997 is the largest f32 below 1/2, where x − floor(x + 0.5) would round; x − floor(x)
    // would round for small negative x.
    for (const x of [-512.3, -5.5, -2.5, -0.5, -1e-9, -1e-30, 0, 0.49999997, -0.49999997, 0.5, 1.5, 1.4999999, 2.75, 511.9]) {
      for (const r of [f64, f32]) {
        const xr = r(x);
        const t = wrapHalf(r, xr);
        expect(Math.abs(t)).toBeLessThanOrEqual(0.5);
        expect(Number.isInteger(xr - t), `${x}`).toBe(true);
        expect(xr - t - Math.round(xr - t)).toBe(0);
        expect(Math.abs(xr - (xr - t) - t)).toBe(0);
      }
    }
  });
});

describe.each(EXPECTED_IDS)('%s', (id) => {
  const def = byId(id);

  it('gradient matches central differences of the value (float64)', () => {
    const { P, data } = defaults(def);
    const d = def.domain({});
    const h = 1e-3 * Math.max(1, (d.xMax - d.xMin) / 10);
    const g = new Float64Array(2);
    for (const [x, y] of samplePoints(def, 8)) {
      def.grad(f64, P, x, y, data, g);
      const fx = deriv((t) => def.value(f64, P, t, y, data), x, h);
      const fy = deriv((t) => def.value(f64, P, x, t, data), y, h);
      const scale = Math.max(1, Math.hypot(g[0]!, g[1]!), Math.abs(def.value(f64, P, x, y, data)));
      expect(Math.abs(g[0]! - fx), `df/dx at (${x}, ${y})`).toBeLessThan(1e-7 * scale);
      expect(Math.abs(g[1]! - fy), `df/dy at (${x}, ${y})`).toBeLessThan(1e-7 * scale);
    }
  });

  it('Hessian matches central differences of the gradient (float64)', () => {
    const { P, data } = defaults(def);
    const d = def.domain({});
    const h = 1e-3 * Math.max(1, (d.xMax - d.xMin) / 10);
    const g = new Float64Array(2);
    const H = new Float64Array(3);
    const gAt = (x: number, y: number, k: number): number => {
      def.grad(f64, P, x, y, data, g);
      return g[k]!;
    };
    for (const [x, y] of samplePoints(def, 8)) {
      def.hessian(f64, P, x, y, data, H);
      const hxx = deriv((t) => gAt(t, y, 0), x, h);
      const hxy = deriv((t) => gAt(x, t, 0), y, h);
      const hyx = deriv((t) => gAt(t, y, 1), x, h);
      const hyy = deriv((t) => gAt(x, t, 1), y, h);
      def.grad(f64, P, x, y, data, g);
      const scale = Math.max(1, Math.hypot(H[0]!, H[1]!, H[2]!), Math.hypot(g[0]!, g[1]!));
      const at = `at (${x}, ${y})`;
      expect(Math.abs(H[0]! - hxx), `f_xx ${at}`).toBeLessThan(1e-7 * scale);
      expect(Math.abs(H[1]! - hxy), `f_xy ${at}`).toBeLessThan(1e-7 * scale);
      expect(Math.abs(H[1]! - hyx), `f_yx ${at}`).toBeLessThan(1e-7 * scale);
      expect(Math.abs(H[2]! - hyy), `f_yy ${at}`).toBeLessThan(1e-7 * scale);
    }
  });

  it('lists the expected number of minima, each stationary, strict and with its sharpness', () => {
    const { P, data, minima } = defaults(def);
    expect(minima).toHaveLength(MINIMA_COUNT[id]!);
    const g = new Float64Array(2);
    const H = new Float64Array(3);
    for (const m of minima) {
      const at = `${id} minimum (${m.x}, ${m.y})`;
      def.grad(f64, P, m.x, m.y, data, g);
      expect(Math.hypot(g[0]!, g[1]!), `|grad| ${at}`).toBeLessThan(1e-8);
      expect(m.value, `value ${at}`).toBe(def.value(f64, P, m.x, m.y, data));
      if (id === 'ackley' && m.x === 0 && m.y === 0) {
        // Documented cone tip: gradient defined as 0, sharpness Infinity, and a strict minimum.
        expect(m.sharpness).toBe(Number.POSITIVE_INFINITY);
        for (let k = 0; k < 16; k++) {
          const a = (2 * Math.PI * k) / 16;
          expect(def.value(f64, P, 1e-3 * Math.cos(a), 1e-3 * Math.sin(a), data)).toBeGreaterThan(m.value);
        }
        continue;
      }
      def.hessian(f64, P, m.x, m.y, data, H);
      const e = eigen2(H[0]!, H[1]!, H[2]!);
      expect(e.lo, `positive-definite ${at}`).toBeGreaterThan(0);
      expect(Math.abs(m.sharpness - e.hi), `sharpness ${at}`).toBeLessThanOrEqual(1e-12 * e.hi);
    }
  });

  it('float32 twin agrees with float64 on benign points', () => {
    const { P, data } = defaults(def);
    const g32 = new Float64Array(2);
    const g64 = new Float64Array(2);
    const h32 = new Float64Array(3);
    const h64 = new Float64Array(3);
    for (const [px, py] of samplePoints(def, 6)) {
      const x = f32(px);
      const y = f32(py);
      const at = `at (${x}, ${y})`;
      const v64 = def.value(f64, P, x, y, data);
      expect(Math.abs(def.value(f32, P, x, y, data) - v64), `value ${at}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(v64)));
      def.grad(f32, P, x, y, data, g32);
      def.grad(f64, P, x, y, data, g64);
      const gs = Math.max(1, Math.hypot(g64[0]!, g64[1]!));
      expect(Math.abs(g32[0]! - g64[0]!), `df/dx ${at}`).toBeLessThan(1e-5 * gs);
      expect(Math.abs(g32[1]! - g64[1]!), `df/dy ${at}`).toBeLessThan(1e-5 * gs);
      def.hessian(f32, P, x, y, data, h32);
      def.hessian(f64, P, x, y, data, h64);
      const hs = Math.max(1, Math.hypot(h64[0]!, h64[1]!, h64[2]!));
      for (let k = 0; k < 3; k++) expect(Math.abs(h32[k]! - h64[k]!), `hessian[${k}] ${at}`).toBeLessThan(1e-5 * hs);
    }
  });

  it('value, gradient and Hessian stay finite in f32 out to the divergence bound', () => {
    // Defaults, and every numeric parameter at the end of its range that makes f largest (max).
    const maxed: Record<string, number> = {};
    for (const p of numericParams(def.params)) maxed[p.key] = p.max;
    for (const values of [{}, maxed] as ParamValues[]) {
      const data = def.data ? def.data(values) : null;
      const P = surfaceP(def.params, values);
      const B = def.bound(values);
      const g = new Float64Array(2);
      const H = new Float64Array(3);
      for (const [x, y] of [
        [B, B],
        [-B, B],
        [B, -B],
        [-B, -B],
        [B, 0],
        [-B, 0],
        [0, B],
        [0, -B],
      ] as const) {
        const at = `${id} at (${x}, ${y})`;
        expect(Number.isFinite(def.value(f32, P, f32(x), f32(y), data)), `value ${at}`).toBe(true);
        def.grad(f32, P, f32(x), f32(y), data, g);
        expect(Number.isFinite(g[0]!) && Number.isFinite(g[1]!), `grad ${at}`).toBe(true);
        def.hessian(f32, P, f32(x), f32(y), data, H);
        expect(H.every(Number.isFinite), `hessian ${at}`).toBe(true);
      }
    }
  });

  if (!LATTICE_IDS.includes(id)) {
    it('minima are exactly what an independent Newton search finds, sorted by value', () => {
      const { P, data, minima } = defaults(def);
      const d = def.domain({});
      const found = searchMinima(bindF64(def, P, data), gridSeeds(grow(d, 0.05), 41), {
        keep: grow(d, 0.1),
        maxStep: Math.min(d.xMax - d.xMin, d.yMax - d.yMin) / 20,
        mergeDistance: 1e-5,
      });
      expect(found).toHaveLength(minima.length);
      for (const m of minima) {
        expect(found.some((q) => Math.hypot(q.x - m.x, q.y - m.y) < 1e-8), `${id} (${m.x}, ${m.y}) found`).toBe(true);
      }
      for (let i = 1; i < minima.length; i++) {
        expect(minima[i]!.value).toBeGreaterThanOrEqual(minima[i - 1]!.value - 1e-9);
      }
    });
  }
});

describe('literature values', () => {
  // id, x, y, value, position tolerance, value tolerance (exact minima to rounding; others to
  // the digits the literature gives).
  const cases: [string, number, number, number, number, number][] = [
    ['quadratic', 0, 0, 0, 0, 0],
    ['rosenbrock', 1, 1, 0, 0, 0],
    ['beale', 3, 0.5, 0, 0, 0],
    ['himmelblau', 3, 2, 0, 1e-14, 1e-24],
    ['himmelblau', -2.805118, 3.131312, 0, 1e-6, 1e-24],
    ['himmelblau', -3.77931, -3.283186, 0, 1e-6, 1e-24],
    ['himmelblau', 3.584428, -1.848126, 0, 1e-6, 1e-24],
    ['booth', 1, 3, 0, 0, 0],
    ['goldstein_price', 0, -1, 3, 0, 0],
    ['styblinski_tang', -2.903534, -2.903534, -39.16617 * 2, 1e-6, 1e-4],
    ['six_hump_camel', 0.0898, -0.7126, -1.0316, 1e-4, 1e-4],
    ['six_hump_camel', -0.0898, 0.7126, -1.0316, 1e-4, 1e-4],
    ['rastrigin', 0, 0, 0, 0, 0],
    ['ackley', 0, 0, 0, 0, 0],
    ['saddle', 0, 1, -0.25, 0, 0],
    ['saddle', 0, -1, -0.25, 0, 0],
  ];
  it.each(cases)('%s has a minimum at (%d, %d) with f = %d', (id, x, y, value, posTol, valTol) => {
    const { minima } = defaults(byId(id));
    const m = minima.find((q) => Math.abs(q.x - x) <= posTol && Math.abs(q.y - y) <= posTol);
    expect(m, `${id} minimum at (${x}, ${y}) ± ${posTol}`).toBeDefined();
    expect(Math.abs(m!.value - value)).toBeLessThanOrEqual(valTol);
  });

  it.each(['quadratic', 'rosenbrock', 'beale', 'booth', 'goldstein_price', 'styblinski_tang', 'six_hump_camel'])(
    '%s lists its global minimum first',
    (id) => {
      const { minima } = defaults(byId(id));
      expect(minima[0]!.value).toBe(Math.min(...minima.map((m) => m.value)));
    },
  );

  it('Goldstein–Price local minima are 30, 84 and 840 at rational points', () => {
    const { minima } = defaults(byId('goldstein_price'));
    expect(minima.map((m) => [m.x, m.y])).toEqual([
      [0, -1],
      [-0.6, -0.4],
      [1.8, 0.2],
      [1.2, 0.8],
    ]);
    expect(minima.map((m) => m.value).map((v) => Number(v.toPrecision(12)))).toEqual([3, 30, 84, 840]);
  });

  it('Rosenbrock follows a: minimum at (a, a²)', () => {
    const [m] = byId('rosenbrock').minima({ a: -1.5, b: 100 }, null);
    expect(m!.x).toBe(-1.5);
    expect(m!.y).toBe(2.25);
    expect(m!.value).toBe(0);
  });

  it('quadratic: sharpness is max(a, b) whatever the angle', () => {
    for (const angle of [0, 30, -75, 180]) {
      const [m] = byId('quadratic').minima({ a: 3, b: 40, angle }, null);
      expect(m!.sharpness).toBeCloseTo(40, 12);
    }
  });
});

describe('flat_sharp', () => {
  it('has a wide and a sharp minimum, the sharp one slightly deeper and >= 10x sharper', () => {
    const { minima } = defaults(byId('flat_sharp'));
    const [sharp, wide] = [...minima].sort((p, q) => q.sharpness - p.sharpness);
    expect(sharp!.sharpness / wide!.sharpness).toBeGreaterThanOrEqual(10);
    expect(sharp!.value).toBeLessThan(wide!.value);
    expect(wide!.value - sharp!.value).toBeLessThan(0.5);
    expect(sharp!.x).toBeGreaterThan(0);
    expect(wide!.x).toBeLessThan(0);
    // Named by their wells, as the flat-vs-sharp study calls them.
    expect([sharp!.name, wide!.name]).toEqual(['sharp', 'flat']);
  });

  it('names only a minimum near a well: the bowl’s own minimum between narrow wells has none', () => {
    // With a narrow wide well and a stronger bowl, the bowl holds a third minimum at the origin, more
    // than two widths from either well: it is known by its index.
    const { minima } = ctx(byId('flat_sharp'), { bowl: 1, wide_width: 0.2 });
    const byX = [...minima].sort((p, q) => p.x - q.x);
    expect(byX.map((m) => m.name)).toEqual(['flat', undefined, 'sharp']);
    expect(Math.abs(byX[1]!.x)).toBeLessThan(1e-6);
  });

  it('names by sharpness, not by which well is called narrow, and names none when a well holds no minimum', () => {
    // The "sharp" well made wide and the "wide" one narrow: the minimum at x < 0 is the sharp one now.
    const swapped = ctx(byId('flat_sharp'), { sharp_width: 1, wide_width: 0.2 }).minima;
    const left = swapped.find((m) => m.x < 0)!;
    const right = swapped.find((m) => m.x > 0)!;
    expect(left.sharpness).toBeGreaterThan(right.sharpness);
    expect([left.name, right.name]).toEqual(['sharp', 'flat']);
    // A strong bowl leaves one minimum between the wells: nothing to tell apart, no names.
    expect(ctx(byId('flat_sharp'), { bowl: 10 }).minima.map((m) => m.name)).toEqual([undefined]);
  });
});

describe('lattice surfaces', () => {
  const cases: [string, ParamValues][] = [
    ['rastrigin', {}],
    ['rastrigin', { A: 2 }],
    ['rastrigin', { A: 100 }],
    ['ackley', {}],
    ['ackley', { c: 4 * Math.PI }],
    ['ackley', { c: 1.5 * Math.PI, a: 25, b: 0.25 }],
  ];
  it.each(cases)('%s %j: minimum j*nx+i is the one nearest lattice node (i, j)', (id, values) => {
    const def = byId(id);
    const lat = def.lattice!(values);
    const minima = def.minima(values, null);
    expect(minima).toHaveLength(lat.nx * lat.ny);
    for (let j = 0; j < lat.ny; j++) {
      for (let i = 0; i < lat.nx; i++) {
        const m = minima[j * lat.nx + i]!;
        expect(Math.round((m.x - lat.x0) / lat.step), `x of minimum (${i}, ${j})`).toBe(i);
        expect(Math.round((m.y - lat.y0) / lat.step), `y of minimum (${i}, ${j})`).toBe(j);
      }
    }
  });

  it('ackley keeps every lattice minimum at the corners of its parameter box', () => {
    const def = byId('ackley');
    const range = (k: string): [number, number] => {
      const p = def.params.find((q) => q.key === k)!;
      if (p.kind !== 'number') throw new Error(k);
      return [p.min, p.max];
    };
    for (const a of range('a')) {
      for (const b of range('b')) {
        for (const c of range('c')) {
          const lat = def.lattice!({ a, b, c });
          expect(def.minima({ a, b, c }, null), `a=${a} b=${b} c=${c}`).toHaveLength(lat.nx * lat.ny);
        }
      }
    }
  });
});

describe('logistic data and minibatches', () => {
  const def = byId('logistic');

  it('data set is deterministic in data_seed, balanced, and rows are (f0, f1, ±1, 1)', () => {
    const a = def.data!({ data_seed: 7, n: 64 });
    expect(a).toHaveLength(4 * 64);
    expect(def.data!({ data_seed: 7, n: 64 })).toEqual(a);
    expect(def.data!({ data_seed: 8, n: 64 })).not.toEqual(a);
    let pos = 0;
    for (let i = 0; i < 64; i++) {
      expect(Math.abs(a[4 * i + 2]!)).toBe(1);
      expect(a[4 * i + 3]).toBe(1);
      if (a[4 * i + 2] === 1) pos++;
    }
    expect(pos).toBe(32);
  });

  it('the classes overlap, so the minimum stays finite even with a tiny l2', () => {
    const values = { l2: 1e-9 };
    const [m] = def.minima(values, def.data!(values));
    expect(Math.hypot(m!.x, m!.y)).toBeLessThan(10);
  });

  it('a minibatch gradient is the full gradient over exactly the rows pcg4d names', () => {
    const { P, data } = defaults(def);
    const batch = 11;
    const Pb = new Float64Array(P);
    const values = { batch_size: batch };
    Pb.set(surfaceP(def.params, values).subarray(P_SURFACE, P_SURFACE + P_SURFACE_SIZE), P_SURFACE);
    const n = data!.length / 4;
    const seed = 0xabcdef;
    const run = 4242;
    const step = 17;
    const w = new Uint32Array(4);
    const rows = new Float64Array(4 * batch);
    for (let b = 0; b < batch; b++) {
      pcg4d(seed, run, step, STREAM_MINIBATCH + (b >> 2), w);
      rows.set(data!.subarray(4 * (w[b & 3]! % n), 4 * (w[b & 3]! % n) + 4), 4 * b);
    }
    const Psub = surfaceP(def.params, { n: batch });
    const expected = new Float64Array(2);
    def.grad(f64, Psub, 0.3, -0.7, rows, expected);
    const got = new Float64Array(2);
    def.stochasticGrad!(f64, Pb, 0.3, -0.7, data!, seed, run, step, got);
    expect(got).toEqual(expected);
  });

  it('is deterministic in (seed, run, step) and changes with each', () => {
    const { P, data } = defaults(def);
    const g = (seed: number, run: number, step: number): number[] => {
      const out = new Float64Array(2);
      def.stochasticGrad!(f64, P, -1, 1.5, data!, seed, run, step, out);
      return [...out];
    };
    expect(g(1, 2, 3)).toEqual(g(1, 2, 3));
    expect(g(1, 2, 3)).not.toEqual(g(9, 2, 3));
    expect(g(1, 2, 3)).not.toEqual(g(1, 8, 3));
    expect(g(1, 2, 3)).not.toEqual(g(1, 2, 4));
  });

  it('samples with replacement: batch_size = n is not the full gradient', () => {
    const { P, data } = defaults(def);
    const n = data!.length / 4;
    const Pn = new Float64Array(P);
    Pn.set(surfaceP(def.params, { batch_size: n }).subarray(P_SURFACE, P_SURFACE + P_SURFACE_SIZE), P_SURFACE);
    const full = new Float64Array(2);
    def.grad(f64, P, 0.5, 0.5, data, full);
    const mb = new Float64Array(2);
    def.stochasticGrad!(f64, Pn, 0.5, 0.5, data!, 1, 0, 0, mb);
    expect(Math.abs(mb[0]! - full[0]!) + Math.abs(mb[1]! - full[1]!)).toBeGreaterThan(1e-6);
  });

  it('averaged over many steps, minibatch gradients approach the full gradient', () => {
    const { P, data } = defaults(def);
    const [x, y] = [-1.2, 0.8];
    const full = new Float64Array(2);
    def.grad(f64, P, x, y, data, full);
    const steps = 20000;
    const sum = [0, 0];
    const sq = [0, 0];
    const g = new Float64Array(2);
    for (let k = 0; k < steps; k++) {
      def.stochasticGrad!(f64, P, x, y, data!, 99, 5, k, g);
      for (let c = 0; c < 2; c++) {
        sum[c]! += g[c]!;
        sq[c]! += g[c]! * g[c]!;
      }
    }
    for (let c = 0; c < 2; c++) {
      const mean = sum[c]! / steps;
      const std = Math.sqrt(sq[c]! / steps - mean * mean);
      // Five standard errors: fails for biased sampling (wrong rows, wrong scaling), not by chance.
      expect(Math.abs(mean - full[c]!)).toBeLessThan((5 * std) / Math.sqrt(steps));
      expect(std).toBeGreaterThan(0.01);
    }
  });

  it('float32 minibatch gradient agrees with float64', () => {
    const { P, data } = defaults(def);
    const a = new Float64Array(2);
    const b = new Float64Array(2);
    for (let k = 0; k < 20; k++) {
      def.stochasticGrad!(f32, P, f32(-1.7), f32(2.1), data!, 3, k, k, a);
      def.stochasticGrad!(f64, P, f32(-1.7), f32(2.1), data!, 3, k, k, b);
      const s = Math.max(1, Math.hypot(b[0]!, b[1]!));
      expect(Math.abs(a[0]! - b[0]!)).toBeLessThan(1e-5 * s);
      expect(Math.abs(a[1]! - b[1]!)).toBeLessThan(1e-5 * s);
    }
  });

  it('value needs the data set', () => {
    expect(() => def.value(f64, new Float64Array(P_COUNT), 0, 0, null)).toThrow(/data/);
  });
});
