/**
 * One row of a GPU-vs-CPU agreement matrix, run through the product's own validation
 * (`validatePlan`, behind `basinlab validate`): gpu, cpu and cpu64 on one plan, cpu64 deciding the
 * basin boundaries and, with cpu, which runs are ill-conditioned.
 */
import type { Plan } from '../../src/core/plan.ts';
import type { PairReport } from '../../src/core/validate.ts';
import type { Engine } from '../../src/engine/engine.ts';
import { validatePlan } from '../../src/engine/validation.ts';

export interface RowReports {
  readonly gpuCpu: PairReport;
  readonly cpuCpu64: PairReport;
}

export async function agreementRow(p: Plan, gpu: Engine, cpu: Engine, cpu64: Engine): Promise<RowReports> {
  const { report } = await validatePlan(p, [gpu, cpu, cpu64]);
  const pair = (a: string, b: string): PairReport => {
    const r = report.pairs.find((x) => x.a === a && x.b === b);
    if (!r) throw new Error(`validatePlan reported no ${a} vs ${b} pair`);
    return r;
  };
  return { gpuCpu: pair('gpu', 'cpu'), cpuCpu64: pair('cpu', 'cpu64') };
}

/** One line of the matrix's report (printed with BASINLAB_REPORT=1). */
export function agreementLine(name: string, r: RowReports): string {
  const { gpuCpu: g, cpuCpu64: c } = r;
  return (
    `${name}: same ${(100 * g.sameOutcome).toFixed(2)}% (off boundary ${(100 * g.sameOutcomeOffBoundary).toFixed(2)}%), ` +
    `identical ${(100 * g.position.identical).toFixed(1)}%, max err ${g.position.max.toExponential(1)}, ` +
    `${g.boundaryRuns} boundary / ${g.illConditionedRuns} ill-conditioned runs; ` +
    `cpu vs cpu64 same ${(100 * c.sameOutcome).toFixed(2)}%, max err ${c.position.max.toExponential(1)}`
  );
}
