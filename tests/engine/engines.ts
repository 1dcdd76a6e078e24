/**
 * Every engine under one interface, with the tolerance its precision earns (after the tfjs
 * describeWithFlags / CTS tolerance model): one behavioural suite runs against all of them.
 */
import { makePlan } from '../../src/core/plan.ts';
import type { Plan } from '../../src/core/plan.ts';
import type { Results } from '../../src/core/results.ts';
import { parseSpec } from '../../src/core/spec.ts';
import { CpuEngine } from '../../src/engine/cpu/engine.ts';
import type { Engine } from '../../src/engine/engine.ts';
import { GpuEngine } from '../../src/engine/gpu/engine.ts';
import { acquireNodeGpu } from '../../src/engine/gpu/device-node.ts';
import { nodeShaderSources } from '../../src/engine/gpu/shader-sources-node.ts';
import { disposeChecked } from '../gpu/fixture.ts';

export interface EngineUnderTest {
  readonly name: 'cpu64' | 'cpu' | 'gpu';
  /** Relative tolerance against an analytic float64 answer: unit roundoff times a modest growth factor. */
  readonly tol: number;
  engine(): Promise<Engine>;
  dispose(): Promise<void>;
}

function cpu(name: 'cpu' | 'cpu64'): EngineUnderTest {
  const e = new CpuEngine(name, { workers: 0, spawn: null });
  return { name, tol: name === 'cpu64' ? 1e-9 : 2e-5, engine: async () => e, dispose: () => e.dispose() };
}

/** The GPU engine on whatever adapter Dawn finds; no adapter is a failure, never a skip. */
function gpu(): EngineUnderTest {
  let e: GpuEngine | null = null;
  return {
    name: 'gpu',
    tol: 2e-5,
    async engine() {
      e ??= new GpuEngine(await acquireNodeGpu('engine tests'), nodeShaderSources);
      return e;
    },
    async dispose() {
      // The fixture's teardown: errors raised while the engine is destroyed count too (review 11).
      const held = e;
      e = null;
      await disposeChecked(held);
    },
  };
}

export const ENGINES: readonly EngineUnderTest[] = [cpu('cpu64'), cpu('cpu'), gpu()];

export function plan(spec: unknown): Plan {
  return makePlan(parseSpec(spec));
}

export async function runOn(e: EngineUnderTest, spec: unknown): Promise<{ plan: Plan; res: Results }> {
  const p = plan(spec);
  return { plan: p, res: await (await e.engine()).run(p) };
}
