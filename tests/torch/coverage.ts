/**
 * What the two torch oracle suites (surfaces: torch-oracle.test.ts; networks:
 * network-oracle.test.ts) both check about their coverage, derived from the registries: every
 * optimiser and schedule is run by a case or listed as absent with the reason torch 1.13 cannot
 * check it (not both), the absent list names only registry entries, and a report of which cases
 * cover what (printed with BASINLAB_REPORT=1). Each suite adds its own checks beside these.
 */
import { expect, it } from 'vitest';
import { OPTIMIZERS, SCHEDULES, findOptimizer, findSchedule } from '../../src/core/registry/index.ts';
import type { ScheduleSpec } from '../../src/core/spec.ts';

/** Every schedule spec a schedule uses, itself first, children included (ChainedScheduler, SequentialLR). */
export function scheduleSpecs(s: ScheduleSpec | null): ScheduleSpec[] {
  return s ? [s, ...s.schedulers.flatMap(scheduleSpecs)] : [];
}

/** Every schedule id a schedule spec uses, children included. */
export function scheduleIds(s: ScheduleSpec | null): string[] {
  return scheduleSpecs(s).map((x) => x.name);
}

/** Prints a line of a suite's report when BASINLAB_REPORT is set. */
export const report = (s: string): void => {
  if (process.env['BASINLAB_REPORT']) console.log(s);
};

export interface CoveredCase {
  readonly name: string;
  readonly optimizer: string;
  /** Schedule ids the case runs (children included). */
  readonly schedules: readonly string[];
  /** Other entries the case covers (e.g. `data iris`). */
  readonly others?: readonly string[];
}

/**
 * Declares the shared coverage tests (call inside a describe). `absent` maps registry ids to the
 * reason they have no case, under the name `absentName` (for the messages); `others` are further
 * entries the report lists (e.g. data sets), which must be covered by a case. Optimisers and
 * schedules are counted apart: a schedule case never covers an optimiser of the same id.
 */
export function registryCoverage(o: { cases: readonly CoveredCase[]; absent: Readonly<Record<string, string>>; absentName: string; others?: readonly string[] }): void {
  const kinds = [
    { what: 'optimiser', entries: OPTIMIZERS, covered: new Set(o.cases.map((c) => c.optimizer)) },
    { what: 'schedule', entries: SCHEDULES, covered: new Set(o.cases.flatMap((c) => c.schedules)) },
  ] as const;
  for (const { what, entries, covered } of kinds) {
    it(`every ${what} is covered by a case or listed in ${o.absentName} with a reason, not both`, () => {
      for (const { id } of entries) {
        const absent = o.absent[id] !== undefined;
        expect(covered.has(id) || absent, `${id}: add a case, or a ${o.absentName} entry saying why torch 1.13 cannot check it`).toBe(true);
        expect(covered.has(id) && absent, `${id}: both covered and listed in ${o.absentName}`).toBe(false);
      }
    });
  }

  it(`${o.absentName} names only registry entries, and no optimiser shares an id with a schedule`, () => {
    for (const id of Object.keys(o.absent)) expect(findOptimizer(id) ?? findSchedule(id), `${o.absentName} lists ${id}, which is not in the registry`).toBeDefined();
    for (const { id } of OPTIMIZERS) expect(findSchedule(id), `${id} is both an optimiser and a schedule`).toBeUndefined();
  });

  it('(coverage report)', () => {
    const by = new Map<string, string[]>();
    for (const c of o.cases) for (const e of new Set([c.optimizer, ...c.schedules, ...(c.others ?? [])])) by.set(e, [...(by.get(e) ?? []), c.name]);
    for (const e of [...OPTIMIZERS.map((x) => x.id), ...SCHEDULES.map((x) => x.id), ...(o.others ?? [])]) {
      report(`${e} | ${by.get(e)?.length ?? 0} | ${(by.get(e) ?? [o.absent[e] ?? '']).join('; ')}`);
    }
    for (const e of o.others ?? []) expect(by.has(e), `${e}: add a case`).toBe(true);
    const [opt, sched] = kinds;
    expect(by.size).toBe(opt.covered.size + sched.covered.size + new Set(o.cases.flatMap((c) => c.others ?? [])).size);
  });
}
