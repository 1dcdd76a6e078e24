/**
 * The optimiser harness: every registry entry gets the same checks, driven by its row in the shared
 * table (tests/unit/optimizer-rows.ts), which an entry cannot be missing from.
 *
 * - schema: the reference's constructor defaults in its argument order, the values it accepts and
 *   rejects, its cross-field errors (validate), the parameter a momentum-cycling scheduler drives;
 * - the update rule against the float64 port of the reference's own step loop (tests/oracles), also
 *   under a scheduled LR and a cycled momentum/beta1, and the momentum taken from step()'s argument;
 * - init writes its state pairs and nothing else; lr = 0 stands still;
 * - the per-step scalars: exactly the parameters they list, mom read iff declared, all of the step
 *   count, and the engines' shared per-step table equal to evaluating them per run;
 * - the float32 twin against float64;
 * - the WGSL twin: the slots it reads, the shared twins it calls, the scalars, the branches.
 * Entry-specific numbers derived by hand from the references are in optimizer-rules.test.ts; the
 * naming rules every registry entry follows are in registry.test.ts.
 */
// Typed-array reads use "!": every index is a layout constant inside P (length P_COUNT) or S (length STATE_LEN).
import { describe, expect, it } from 'vitest';
import { P_COUNT, STATE_LEN } from '../../src/core/layout.ts';
import { makePlan } from '../../src/core/plan.ts';
import type { ParamSchema, ParamValue } from '../../src/core/params.ts';
import { derivedNames, inRange } from '../../src/core/params.ts';
import { OPTIMIZERS, optimizerFile } from '../../src/core/registry/index.ts';
import type { OptimizerDef } from '../../src/core/registry/types.ts';
import { parseSpec } from '../../src/core/spec.ts';
import { stepTables } from '../../src/core/steps.ts';
import { OPT_ALIAS, slotName } from '../../src/engine/gpu/wgsl-layout.ts';
import type { OptimizerRow } from './optimizer-rows.ts';
import {
  OPTIMIZER_ROWS,
  bowl,
  closeTo,
  f32,
  f64,
  flat,
  paramsOf,
  run,
  stepScalars,
  values,
  withMomentum,
} from './optimizer-rows.ts';
import { fnBody, reachOf, wgslSource } from './wgsl-source.ts';

/** What a row's oracle reports, read from the entry's state: the position, then the row's extras. */
function observer(d: OptimizerDef, row: OptimizerRow): (S: Float64Array) => number[] {
  return (S) => [S[0]!, S[1]!, ...(row.observe?.(d, S) ?? [])];
}

describe('the table', () => {
  it('has one row per registry entry, and no other', () => {
    expect(Object.keys(OPTIMIZER_ROWS).sort()).toEqual(OPTIMIZERS.map((o) => o.id).sort());
  });
});

describe.each(OPTIMIZERS.map((d) => [d.id, d] as const))('%s', (id, d) => {
  const row = OPTIMIZER_ROWS[id];
  if (!row) {
    it('has a row in tests/unit/optimizer-rows.ts', () => {
      expect(row, `add ${id} to OPTIMIZER_ROWS`).toBeDefined();
    });
    return;
  }

  describe('schema', () => {
    it("defaults every parameter to the reference constructor's default, in its argument order, lr first", () => {
      expect(values(d)).toEqual(row.defaults);
      expect(d.params.map((p) => p.key)).toEqual(Object.keys(row.defaults));
      expect(d.params[0]!.key).toBe('lr');
    });

    it('names its reference and the parameter a momentum-cycling scheduler drives', () => {
      expect(d.reference).toMatch(row.reference);
      expect(d.momentumParam).toBe(row.momentumParam);
    });

    it("accepts and rejects what the reference's constructor accepts and rejects, but for basinlab's own rules, each said in the parameter's doc", () => {
      expect(row.bounds.length).toBeGreaterThan(0);
      for (const [key, x, ok, why] of row.bounds) {
        const p = d.params.find((q) => q.key === key);
        if (!p || p.kind === 'bool' || p.kind === 'enum') throw new Error(`${id}.${key} is not numeric`);
        expect(inRange(x, p), `${key} = ${x}`).toBe(ok);
        // Review 14: ASGD's doc said torch rejects lambd < 0 and alpha < 0; it checks neither.
        if (why !== undefined) expect(p.doc, `${key}: ${why}`).toMatch(/basinlab refuses/);
      }
    });

    it("raises the reference's cross-field errors, naming the fields (validate)", () => {
      if (row.validate === null) {
        expect(d.validate).toBeUndefined();
        return;
      }
      expect(d.validate?.(values(d))).toEqual([]);
      for (const [over, want] of row.validate) {
        const got = d.validate?.(values(d, over)) ?? [];
        expect(got, JSON.stringify(over)).toHaveLength(want.length);
        want.forEach((re, i) => expect(got[i], JSON.stringify(over)).toMatch(re));
      }
    });
  });

  describe('update rule', () => {
    it.each(row.cases.map((c, i) => [i, JSON.stringify(c.over) + (c.why ? ` (${c.why})` : ''), c] as const))(
      'case %i, %s: follows the float64 port of the reference',
      (_i, _what, c) => {
        const start = c.start ?? [1, -0.5];
        const steps = c.steps ?? 30;
        const grad = c.grad ?? bowl;
        const got = run(d, c.over, {
          steps,
          grad,
          start,
          observe: observer(d, row),
          ...(c.lrAt ? { lrAt: c.lrAt } : {}),
          ...(c.momAt ? { mom: c.momAt } : {}),
        }).traj;
        const want = row.oracle({
          values: values(d, c.over),
          start,
          grad,
          steps,
          ...(c.lrAt ? { lrAt: c.lrAt } : {}),
          ...(c.momAt ? { momAt: c.momAt } : {}),
        });
        expect(closeTo(flat(got), flat(want), c.rel ?? 1e-12)).toBeNull();
      },
    );

    it('the comparison can fail: another setting is another trajectory', () => {
      const c = row.cases[0]!;
      const other = { ...c.over, lr: 1.5 * ((values(d, c.over)['lr'] as number) || 0.01) };
      const got = run(d, other, { steps: c.steps ?? 30, grad: c.grad ?? bowl, observe: observer(d, row) }).traj;
      const want = row.oracle({ values: values(d, c.over), start: [1, -0.5], grad: c.grad ?? bowl, steps: c.steps ?? 30 });
      expect(closeTo(flat(got), flat(want), 1e-9)).not.toBeNull();
    });

    if (row.momentumParam !== null) {
      it('uses the momentum (or beta1) handed to step(), not the parameter', () => {
        const over = row.cases[0]!.over;
        const cycled = run(d, withMomentum(d, over, 0.9), { steps: 8, grad: bowl, mom: () => 0.6, observe: observer(d, row) });
        const plain = run(d, withMomentum(d, over, 0.6), { steps: 8, grad: bowl, observe: observer(d, row) });
        expect(flat(cycled.traj)).toEqual(flat(plain.traj));
      });
    }

    it('init writes every component of its state pairs, and nothing else', () => {
      const P = paramsOf(d, row.cases[0]!.over);
      const S = new Float64Array(STATE_LEN).fill(123);
      S[0] = 0.25;
      S[1] = -3;
      d.init(f32, P, S);
      const used = 2 + 2 * d.stateSlots;
      expect([S[0], S[1]]).toEqual([0.25, -3]);
      expect([...S.slice(2, used)].filter((x) => x === 123), 'state left unwritten').toEqual([]);
      expect([...S.slice(used)].every((x) => x === 123), 'slots past the state written').toBe(true);
    });

    it(row.lrZeroMoves ? `lr = 0 moves: ${row.lrZeroMoves}` : 'lr = 0 leaves the position (and every iterate it reports) unchanged', () => {
      const over: Record<string, ParamValue> = { lr: 0 };
      for (const p of d.params) {
        if (p.key === 'weight_decay') over['weight_decay'] = 0.5;
        if (p.kind === 'bool' && p.key.startsWith('decoupled')) over[p.key] = true;
      }
      const start: [number, number] = [0.7, -0.3];
      const got = run(d, over, { steps: 5, grad: bowl, start, observe: observer(d, row) }).traj;
      if (row.lrZeroMoves) {
        expect(got[0]!.slice(0, 2)).not.toEqual(start);
        expect(flat(got)).toEqual(flat(row.oracle({ values: values(d, over), start, grad: bowl, steps: 5 })));
      } else {
        for (const obs of got) expect(obs).toEqual(obs.map((_, i) => start[i % 2]));
      }
    });
  });

  const ss = d.stepScalars;
  if (ss) describe('step scalars', () => {
    const Ts = [1, 2, 3, 5, 6, 7, 10, 100, 1000];
    const outputs = (r: typeof f32, Q: Float64Array, m: number): number[] =>
      Ts.flatMap((t) => [...stepScalars(d, r, Q, m, t, new Float64Array(4))]);

    it('are keyed by slot paths of the schema, never lr or the momentum parameter (those come per run and as mom)', () => {
      const paths = derivedNames(d.params).filter((n) => n.kind === 'slot').map((n) => n.name.replace(/_(\d+)$/, '.$1'));
      for (const k of ss.params) expect(paths, k).toContain(k);
      expect(ss.params).not.toContain('lr');
      if (d.momentumParam) expect(ss.params).not.toContain(d.momentumParam);
    });

    it('write all four (unused ones 0), read every listed parameter and only those, and mom iff usesMom', () => {
      const listed = new Set(ss.params.map((k) => d.slots[k.replace(/\./g, '_')]!));
      for (const r of [f32, f64]) {
        const P = paramsOf(d, {}, true);
        const base = outputs(r, P, f32(0.9));
        expect(base.every((x) => Number.isFinite(x))).toBe(true);
        const same = (a: number[]): boolean => a.every((x, i) => Object.is(x, base[i]));
        for (let i = 0; i < P_COUNT; i++) {
          const Q = P.slice();
          // betas.1 0.999 -> 0.7995, beta2_decay -0.8 -> -0.1, momentum_decay 0.004 -> 0.302; a 0
          // (warmup_steps, r) becomes 7.
          Q[i] = P[i] === 0 ? 7 : f32(0.5 * P[i]! + 0.3);
          expect(same(outputs(r, Q, f32(0.9))), `slot ${i} (${listed.has(i) ? 'listed' : 'not listed'})`).toBe(!listed.has(i));
        }
        expect(same(outputs(r, P, f32(0.8))), 'mom').toBe(!ss.usesMom);
      }
    });

    it('carry all of the step count: step() given a wrong t but the right scalars takes the same steps', () => {
      for (const r of [f32, f64]) {
        const go = (stepT?: (t: number) => number): number[] =>
          flat(run(d, row.cases[0]!.over, { steps: 40, grad: bowl, r, ...(stepT ? { stepT } : {}) }).traj);
        expect(go((t) => 7 * t + 3)).toEqual(go());
      }
    });

    it("the engines' shared per-step table is what each run would compute; a swept listed parameter makes them per run", () => {
      const spec = (sweep: string, lo: number, hi: number, schedule?: Record<string, unknown>) => ({
        surface: 'quadratic',
        optimizer: { name: id },
        ...(schedule ? { schedule } : {}),
        steps: 40,
        sweep: { x: { param: sweep, min: lo, max: hi, count: 3 }, y: { param: 'start.1', min: -1, max: 1, count: 2 } },
      });
      const lr = values(d)['lr'] as number;
      // A momentum-cycling schedule feeds the table the beta1/momentum of each step.
      const cycling = ss.usesMom ? { name: 'OneCycleLR', max_lr: lr, total_steps: 40 } : undefined;
      const plan = makePlan(parseSpec(spec('start.0', -1, 1, cycling)));
      expect(plan.optScalarsShared).toBe(true);
      for (const precision of ['f32', 'f64'] as const) {
        const r = precision === 'f32' ? f32 : f64;
        const tables = stepTables(plan, precision);
        const P = Float64Array.from(plan.P, r);
        const moms = tables.schedule;
        for (let k = 0; k < 40; k++) {
          const mom = cycling ? moms![2 * k + 1]! : r(P[plan.momentumSlot]!);
          const want = stepScalars(d, r, P, mom, k + 1, new Float64Array(4));
          expect([...tables.optimizer!.slice(4 * k, 4 * k + 4)], `${precision} step ${k}`).toEqual([...want]);
        }
      }
      for (const k of ss.params) {
        const p = d.params.find((q) => q.key === k.split('.')[0])! as ParamSchema & { default: number | readonly number[] };
        const v = Array.isArray(p.default) ? (p.default as readonly number[])[Number(k.split('.')[1])]! : (p.default as number);
        const [lo, hi] = v === 0 ? [0, 5] : v < 0 ? [1.5 * v, v] : [0.9 * v, v];
        expect(makePlan(parseSpec(spec(`optimizer.${k}`, lo, hi))).optScalarsShared, k).toBe(false);
      }
    });
  });

  describe('float32 twin', () => {
    it(`stays within ${row.f32Tol ?? 1e-6} relative of float64 on a benign bowl, and really rounds`, () => {
      let moved = 0;
      for (const over of row.f32) {
        const opts = { steps: 30, grad: bowl, roundP: true, observe: observer(d, row) };
        // Same float32 parameters on both sides, so only the arithmetic differs.
        const a = flat(run(d, over, { ...opts, r: f64 }).traj);
        const b = flat(run(d, over, { ...opts, r: f32 }).traj);
        let worst = 0;
        a.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - b[i]!) / Math.max(Math.abs(x), 0.1))));
        expect(worst, JSON.stringify(over)).toBeLessThan(row.f32Tol ?? 1e-6);
        expect(b.every((x) => f32(x) === x), JSON.stringify(over)).toBe(true);
        moved = Math.max(moved, worst);
      }
      expect(moved, 'the float32 runs round').toBeGreaterThan(0);
    });
  });

  describe('WGSL twin', () => {
    const file = optimizerFile(d);
    const src = (): string => wgslSource(file);
    // A body several entries run reads the generated OPT_ aliases; its own helpers carry its file name.
    const prefix = d.wgslShared ? OPT_ALIAS : OPTIMIZERS.filter((o) => optimizerFile(o) === file).length > 1 ? OPT_ALIAS : id;
    const body = file.replace(/^optimizers\/(\w+)\.wgsl$/, '$1');
    const numeric = new Set<string>();
    const flags = new Set<string>();
    for (const n of derivedNames(d.params)) {
      if (n.kind !== 'slot') continue;
      if (n.param.kind === 'bool' || n.param.kind === 'enum') flags.add(slotName(prefix, n.name));
      else numeric.add(slotName(prefix, n.name));
    }
    const fixed = new Set(Object.keys(d.wgslShared?.fixed ?? {}).map((k) => slotName(prefix, k)));

    // Its entry points, helper names and the generated names it may read: tests/unit/registry.test.ts.
    it(`${file} reads only the entry's numeric slots with param(), branches on every flag, takes lr and momentum as arguments`, () => {
      const text = src();
      // Its own declarations (functions, structs): the helpers tests/unit/registry.test.ts names after the file.
      const names = [...text.matchAll(/\b(?:fn|struct)\s+(\w+)\s*[({]/g)].map((m) => m[1]!);
      for (const m of text.matchAll(/param\((\w+)\)/g)) expect(numeric.has(m[1]!), m[1]).toBe(true);
      for (const m of text.matchAll(new RegExp(`\\b${prefix}_(?!S_)\\w+`, 'g'))) {
        expect(names.includes(m[0]) || numeric.has(m[0]) || flags.has(m[0]) || fixed.has(m[0]), m[0]).toBe(true);
      }
      // Every flag that changes the rule is branched on.
      for (const flag of [...flags, ...fixed]) expect(text, flag).toMatch(new RegExp(`if ${flag}\\b`));
      // The base LR and momentum come as arguments; reading them from P would ignore schedules.
      expect(text).not.toMatch(new RegExp(`param\\(${prefix}_lr\\)`));
      if (d.momentumParam) expect(text).not.toMatch(new RegExp(`param\\(${slotName(prefix, d.momentumParam)}\\)`));
      // Norms over both coordinates in the one op order the TypeScript twins use (norm2).
      for (const m of text.matchAll(/sqrt\((\w)\.x \* (\w)\.x \+ (\w)\.y \* (\w)\.y\)/g)) expect(new Set(m.slice(1)).size).toBe(1);
    });

    it(`${file} calls the WGSL twins of exactly the shared helpers its TypeScript twin calls`, () => {
      const text = src();
      const wgsl = ['opt_init', 'opt_step_scalars', 'opt_step'].map((f) => reachOf(text, fnBody(text, f)!, body)).join('\n');
      const ts = [d.init, d.step, d.stepScalars?.compute].map((f) => f?.toString() ?? '').join('\n');
      const twins: readonly [RegExp, RegExp][] = [
        // (A transpiled call to an import may read `(0, m.lerp)(…)`.)
        [/\blerp\)?\(/, /\baten_lerp\(/],
        [/\boneMinusPow\)?\(/, /\bone_minus_pow\(/],
        [/\b(pyPow|scheduleFreeAverage)\)?\(/, /\bpy_pow\(/],
        [/\bnorm2\)?\(/, /sqrt\((\w)\.x \* \1\.x \+ \1\.y \* \1\.y\)/],
        [/\bcautionMean\)?\(/, /select\(vec2f\(0\.0\), vec2f\(1\.0\), u \* d > vec2f\(0\.0\)\)/],
      ];
      for (const [tsCall, wgslCall] of twins) expect(wgslCall.test(wgsl), `${tsCall.source} in TypeScript`).toBe(tsCall.test(ts));
    });

    it(`${file}: opt_step_scalars reads what stepScalars declares; opt_step reads sc and recomputes nothing`, () => {
      const text = src();
      const scalars = fnBody(text, 'opt_step_scalars')!;
      const step = fnBody(text, 'opt_step')!;
      const ss = d.stepScalars;
      const used = new Set([...text.matchAll(/\bsc\.([xyzw])\b/g)].map((m) => m[1]));
      if (!ss) {
        expect(scalars.replace(/\s+/g, ' ').trim()).toBe('return vec4f(0.0);');
        expect(step).not.toMatch(/\bsc\b/);
        return;
      }
      // The kernel loads only the first `count` components from the table.
      expect([...used].sort().join('')).toBe('xyzw'.slice(0, ss.count).split('').sort().join(''));
      const reach = reachOf(text, scalars, body);
      const read = new Set([...reach.matchAll(/param\((\w+)\)/g)].map((m) => m[1]!));
      expect([...read].sort()).toEqual(ss.params.map((k) => slotName(prefix, k)).sort());
      expect(/\bmom\b/.test(scalars)).toBe(ss.usesMom);
      expect(/\bt\b/.test(scalars)).toBe(true);
      expect(step).not.toMatch(/\bt\b/);
      const stepReach = reachOf(text, step, body);
      const pows = [...stepReach.matchAll(/\b(pow|exp|exp2|log|log2)\s*\(/g)].map((m) => m[1]);
      expect(pows, row.wgsl?.pow ?? 'no transcendental in the step').toEqual(row.wgsl?.pow ? ['pow'] : []);
      expect(stepReach).not.toMatch(/\b(loop|for|while|opt_step_scalars)\b/);
    });

    it(`${file}: opt_step branches only on override flags (selects where a value may differ per run)${row.wgsl?.branches ? `, except: ${row.wgsl.branches}` : ''}`, () => {
      const text = src();
      const reach = reachOf(text, fnBody(text, 'opt_step')!, body);
      const other = [...reach.matchAll(/\bif\s+([^{]*)\{/g)].map((m) => m[1]!.trim()).filter((c) => !flags.has(c) && !fixed.has(c));
      if (row.wgsl?.branches) expect(other.length).toBeGreaterThan(0);
      else expect(other).toEqual([]);
    });
  });
});
