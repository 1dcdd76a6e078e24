/**
 * Composes kernels from the small WGSL files in shaders/: the generated layout prefix, the shared
 * library, the one surface and one optimiser of the run, every schedule (SequentialLR switches
 * between them at run time, and WGSL has no recursion), then the kernel's entry point.
 */
import type { OptimizerDef, SurfaceDef } from '../../core/registry/index.ts';
import { SCHEDULES } from '../../core/registry/index.ts';
import { layoutPrefix } from './wgsl-layout.ts';

/** Returns the text of a file under shaders/, e.g. `lib/rng.wgsl`. */
export type ShaderSources = (path: string) => string;

export type SweepKernel = 'sweep_step' | 'classify';

/** Files of a sweep kernel in composition order (exported for the compile-check script). */
export function sweepKernelFiles(kernel: SweepKernel, surface: SurfaceDef, optimizer: OptimizerDef): string[] {
  return [
    'lib/rng.wgsl',
    'lib/bindings.wgsl',
    'lib/params.wgsl',
    'lib/outcome.wgsl',
    `surfaces/${surface.wgsl}`,
    `optimizers/${optimizer.wgsl}`,
    ...SCHEDULES.map((s) => `schedules/${s.wgsl}`),
    'schedules/dispatch.wgsl',
    `kernels/${kernel}.wgsl`,
  ];
}

export function composeFiles(src: ShaderSources, files: readonly string[]): string {
  const parts = [layoutPrefix()];
  for (const f of files) parts.push(`// ---- ${f}\n${src(f)}`);
  return parts.join('\n');
}

export function composeSweepKernel(
  src: ShaderSources,
  kernel: SweepKernel,
  surface: SurfaceDef,
  optimizer: OptimizerDef,
): string {
  return composeFiles(src, sweepKernelFiles(kernel, surface, optimizer));
}
