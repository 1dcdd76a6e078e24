/**
 * ReduceLROnPlateau against a port of torch's state machine (tests/oracles/lr-scheduler.ts), written
 * independently: the same metric sequences through both, every step, every branch.
 */
import { describe, expect, it } from 'vitest';
import { P_COUNT, P_SCHEDULE } from '../../src/core/layout.ts';
import { encodeParams } from '../../src/core/params.ts';
import { ReduceLROnPlateau } from '../../src/core/registry/schedules/ReduceLROnPlateau.ts';
import type { PlateauOptions } from '../oracles/lr-scheduler.ts';
import { TorchPlateau } from '../oracles/lr-scheduler.ts';

const DEFAULTS: PlateauOptions = { mode: 'min', factor: 0.1, patience: 10, threshold: 1e-4, threshold_mode: 'rel', cooldown: 0, min_lr: 0, eps: 1e-8 };

function compare(o: Partial<PlateauOptions>, metrics: number[], lr0 = 0.1): number[] {
  const opts = { ...DEFAULTS, ...o };
  const P = new Float64Array(P_COUNT);
  encodeParams(ReduceLROnPlateau.params, opts, P, P_SCHEDULE);
  const st = new Float64Array(4);
  const plateau = ReduceLROnPlateau.plateau;
  if (!plateau) throw new Error('not a plateau schedule');
  const id = (x: number): number => x;
  plateau.init(id, P, P_SCHEDULE, lr0, st);
  const ref = new TorchPlateau(lr0, opts);
  const lrs: number[] = [];
  metrics.forEach((m, k) => {
    plateau.step(id, P, P_SCHEDULE, st, m);
    ref.step(m);
    expect(st[0], `step ${k}`).toBe(ref.lr);
    lrs.push(st[0] as number);
  });
  return lrs;
}

describe('ReduceLROnPlateau matches torch step by step', () => {
  const flat = Array.from({ length: 60 }, () => 1);
  const falling = Array.from({ length: 60 }, (_, k) => 1 / (k + 1));
  const rising = Array.from({ length: 60 }, (_, k) => k);
  const noisy = Array.from({ length: 200 }, (_, k) => 1 + 0.3 * Math.sin(k * 1.7) + (k < 100 ? 1 - k / 100 : 0));
  const cases: [string, Partial<PlateauOptions>, number[]][] = [
    ['a plateau reduces after patience + 1 bad steps', {}, flat],
    ['steady improvement never reduces', {}, falling],
    ['mode max on a rising metric never reduces', { mode: 'max' }, rising],
    ['mode max on a falling metric reduces', { mode: 'max', patience: 3 }, falling],
    ['abs threshold', { threshold_mode: 'abs', threshold: 0.05, patience: 2 }, noisy],
    ['rel threshold, cooldown', { threshold: 0.01, patience: 2, cooldown: 5 }, noisy],
    ['patience 0 and min_lr clamp', { patience: 0, min_lr: 0.002 }, flat],
    ['eps skips tiny reductions', { patience: 0, factor: 0.99, eps: 0.05 }, flat],
    ['mode max, abs, cooldown', { mode: 'max', threshold_mode: 'abs', threshold: 0.1, patience: 1, cooldown: 2 }, noisy],
  ];
  for (const [name, o, metrics] of cases) it(name, () => void compare(o, metrics));

  it('control: the LR really changes on a plateau (the comparison above is not vacuous)', () => {
    const lrs = compare({}, flat);
    expect(lrs[10]).toBe(0.1);
    expect(lrs[11]).toBeCloseTo(0.01, 15);
    expect(lrs[59]).toBeLessThan(1e-5);
  });

  it('a NaN loss is never an improvement', () => {
    const lrs = compare({ patience: 2 }, [Number.NaN, Number.NaN, Number.NaN, Number.NaN]);
    expect(lrs[3]).toBeCloseTo(0.01, 15);
  });
});

describe('ReduceLROnPlateau schema', () => {
  it("has torch's argument names, order and defaults", () => {
    expect(ReduceLROnPlateau.params.map((p) => [p.key, p.default])).toEqual([
      ['mode', 'min'],
      ['factor', 0.1],
      ['patience', 10],
      ['threshold', 1e-4],
      ['threshold_mode', 'rel'],
      ['cooldown', 0],
      ['min_lr', 0],
      ['eps', 1e-8],
    ]);
  });
});
