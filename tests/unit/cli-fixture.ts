/**
 * A temporary directory holding a small Rosenbrock LR x momentum sweep spec, for the CLI tests that
 * only need some valid spec to run or refuse (walkthrough 23's: cli-input, cli-stdio, cli-tmpdir).
 * `over` replaces top-level keys (steps, sweep). Returns the directory and the spec's path.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function smallSpec(prefix: string, over: Record<string, unknown> = {}): { readonly dir: string; readonly spec: string } {
  const dir = mkdtempSync(join(tmpdir(), `basinlab-${prefix}-`));
  const spec = join(dir, 'spec.json');
  writeFileSync(
    spec,
    JSON.stringify({
      surface: 'rosenbrock',
      optimizer: { name: 'SGD', lr: 0.001, momentum: 0.9 },
      steps: 20,
      sweep: { x: { param: 'optimizer.lr', min: 1e-5, max: 1e-2, count: 4, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0, max: 0.9, count: 4 } },
      ...over,
    }),
  );
  return { dir, spec };
}
