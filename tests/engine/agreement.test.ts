/**
 * GPU-vs-CPU agreement over the one table of tests/engine/agreement-rows.ts: every optimiser and
 * schedule of the registry appears in at least one row (checked here, so a new entry cannot be left
 * out), every surface too. The GPU runs in Node on whatever adapter Dawn finds (SwiftShader in CI);
 * no adapter fails the test. The thresholds are derived in docs/validation.md.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPTIMIZERS, SCHEDULES, SURFACES } from '../../src/core/registry/index.ts';
import { VALIDATION_THRESHOLDS, type PairReport } from '../../src/core/validate.ts';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';
import { acquireNodeGpu } from '../../src/engine/gpu/device-node.ts';
import { GpuEngine } from '../../src/engine/gpu/engine.ts';
import { nodeShaderSources } from '../../src/engine/gpu/shader-sources-node.ts';
import type { AgreementRow } from './agreement-rows.ts';
import { AGREEMENT_ROWS, agreementLine, agreementRow, entriesOf } from './agreement-rows.ts';
import { plan } from './engines.ts';
import { disposeChecked } from '../gpu/fixture.ts';

/** Same outcome off the basin boundaries, per row. */
const MIN_SAME_OUTCOME_OFF_BOUNDARY = 0.99;

describe('coverage, derived from the registry', () => {
  const used = AGREEMENT_ROWS.map(entriesOf);
  it.each(OPTIMIZERS.map((o) => o.id))('optimiser %s has an agreement row', (id) => {
    expect(used.filter((u) => u.optimizer === id).length, `add a row for ${id} to AGREEMENT_ROWS`).toBeGreaterThanOrEqual(1);
  });
  it.each(SCHEDULES.map((s) => s.id))('schedule %s has an agreement row', (id) => {
    expect(used.filter((u) => u.schedules.includes(id)).length, `add a row for ${id} to AGREEMENT_ROWS`).toBeGreaterThanOrEqual(1);
  });
  it.each(SURFACES.map((s) => s.id))('surface %s has an agreement row', (id) => {
    expect(used.filter((u) => u.surface === id).length, `add a row on ${id} to AGREEMENT_ROWS`).toBeGreaterThanOrEqual(1);
  });
  it('names every row once, and every row plans (its spec is valid)', () => {
    const names = AGREEMENT_ROWS.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    for (const r of AGREEMENT_ROWS) expect(() => plan(r.spec), r.name).not.toThrow();
  });
});

let gpu: GpuEngine;
const cpu = new CpuEngine('cpu', { workers: 0, spawn: null });
const cpu64 = new CpuEngine('cpu64', { workers: 0, spawn: null });
const reports: { row: AgreementRow; gpuCpu: PairReport; cpuCpu64: PairReport }[] = [];

beforeAll(async () => {
  gpu = new GpuEngine(await acquireNodeGpu('agreement matrix'), nodeShaderSources);
});
afterAll(async () => {
  await disposeChecked(gpu);
});

describe('GPU agrees with the float32 CPU twin', () => {
  for (const row of AGREEMENT_ROWS) {
    it(row.name, async () => {
      const { gpuCpu, cpuCpu64 } = await agreementRow(plan(row.spec), gpu, cpu, cpu64);
      reports.push({ row, gpuCpu, cpuCpu64 });
      expect(gpu.gpu.takeUncapturedErrors()).toEqual([]);
      expect(gpuCpu.sameOutcomeOffBoundary, JSON.stringify(gpuCpu.worst.slice(0, 3))).toBeGreaterThanOrEqual(MIN_SAME_OUTCOME_OFF_BOUNDARY);
      expect(gpuCpu.position.max, JSON.stringify(gpuCpu.worst.slice(0, 3))).toBeLessThanOrEqual(VALIDATION_THRESHOLDS.maxPositionError);
      // The comparison had something to compare: most runs are well-conditioned and off the boundary.
      if (!row.fewCompared) expect(gpuCpu.position.runs, 'well-conditioned runs compared').toBeGreaterThan(gpuCpu.runs / 4);
      else expect(gpuCpu.position.runs, `${row.fewCompared}: still some`).toBeGreaterThan(0);
      // The float32 twin itself ends where float64 does off the boundary (the yardstick the GPU is
      // held to is only as good as the twin: review 25 found this pair computed and never asserted).
      expect(cpuCpu64.sameOutcomeOffBoundary, `cpu vs cpu64: ${JSON.stringify(cpuCpu64.worst.slice(0, 3))}`).toBeGreaterThanOrEqual(MIN_SAME_OUTCOME_OFF_BOUNDARY);
      if (row.identical) {
        expect(gpuCpu.mismatches).toBe(0);
        expect(gpuCpu.position.identical).toBe(1);
      }
    });
  }

  it(`the same minimum on at least ${VALIDATION_THRESHOLDS.minSameOutcome * 100}% of all runs`, () => {
    expect(reports.length).toBe(AGREEMENT_ROWS.length);
    let same = 0;
    let runs = 0;
    for (const r of reports) {
      same += r.gpuCpu.sameOutcome * r.gpuCpu.runs;
      runs += r.gpuCpu.runs;
    }
    const lines = reports.map((r) => agreementLine(r.row.name, r));
    if (process.env.BASINLAB_REPORT) console.log(lines.join('\n'));
    expect(same / runs, lines.join('\n')).toBeGreaterThanOrEqual(VALIDATION_THRESHOLDS.minSameOutcome);
  });
});
