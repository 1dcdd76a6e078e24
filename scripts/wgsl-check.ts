/**
 * Compile-checks WGSL twin files inside a real sweep kernel on a real WebGPU device (Dawn +
 * SwiftShader), reporting errors at file:line of the file that caused them.
 *
 *   npx tsx scripts/wgsl-check.ts shaders/surfaces/rosenbrock.wgsl shaders/optimizers/SGD.wgsl …
 *   npx tsx scripts/wgsl-check.ts --all
 *
 * A file is checked once per registry entry that runs it (shaders/optimizers/Adam.wgsl as Adam and
 * as AdamW, each with its own generated aliases); an optimiser's also in the network kernel. `--all` checks every entry, and fails on a twin
 * file no entry runs. A category with no file given uses the first registered entry, or a stub
 * while the registry is still empty, so a surface can be checked before any optimiser exists.
 */
import { existsSync, readdirSync } from 'node:fs';
import { OPTIMIZERS, SCHEDULES, SURFACES, optimizerFile, scheduleFile, surfaceFile } from '../src/core/registry/index.ts';
import type { OptimizerDef, ScheduleDef } from '../src/core/registry/index.ts';
import { NET_LIBS, SWEEP_LIBS, scheduleDispatch, scheduleFiles, tensorStubs, withCalls } from '../src/engine/gpu/compose.ts';
import { layoutPrefix, optimizerAliases } from '../src/engine/gpu/wgsl-layout.ts';
import { NET_BINDINGS, SWEEP_BINDINGS } from '../src/engine/gpu/layouts.ts';
import { acquireNodeGpu } from '../src/engine/gpu/device-node.ts';
import { nodeShaderSources } from '../src/engine/gpu/shader-sources-node.ts';

const STUB_SURFACE = `fn surface_value(p: vec2f) -> f32 { return dot(p, p); }
fn surface_grad(p: vec2f) -> vec2f { return 2.0 * p; }
fn surface_hessian(p: vec2f) -> vec3f { return vec3f(2.0, 0.0, 2.0); }
fn surface_sample_grad(p: vec2f, run: u32, step: u32) -> vec2f { return surface_grad(p); }`;
const STUB_OPTIMIZER = `fn opt_init() {}
fn opt_step(g: vec2f, lr: f32, mom: f32, t: f32) { S[0] = S[0] - lr * g; }`;
const STUB_SCHEDULE = `fn schedule_eval(k: u32, base_lr: f32) -> vec2f { return vec2f(base_lr, 0.0); }`;

interface Part {
  name: string;
  text: string;
}

function file(path: string): Part {
  return { name: `shaders/${path}`, text: nodeShaderSources(path) };
}

function partsFor(surface: Part, optimizer: Part[], schedules: Part[], kernel: string): Part[] {
  return [
    { name: '(generated layout prefix)', text: layoutPrefix() },
    { name: '(generated bindings)', text: SWEEP_BINDINGS.wgsl(kernel) },
    ...SWEEP_LIBS.map(file),
    surface,
    ...optimizer,
    ...schedules,
    file(`kernels/${kernel}.wgsl`),
  ];
}

/** An optimiser's file and the aliases generated for it. */
function optimizerParts(def: OptimizerDef): Part[] {
  return [file(optimizerFile(def)), { name: `(generated aliases of ${def.id})`, text: optimizerAliases(def) }];
}

/** The schedule files and generated dispatch for `only` (and what it calls), or for every schedule. */
function scheduleParts(only?: ScheduleDef): Part[] {
  if (!existsSync('shaders/schedules/common.wgsl')) {
    return [{ name: '(stub schedule)', text: STUB_SCHEDULE }];
  }
  const defs = withCalls(only ? [only] : SCHEDULES);
  return [...scheduleFiles(defs).map(file), { name: '(generated schedule dispatch)', text: scheduleDispatch(defs) }];
}

function defaultSurface(): Part {
  const s = SURFACES[0];
  return s && existsSync(`shaders/${surfaceFile(s)}`) ? file(surfaceFile(s)) : { name: '(stub surface)', text: STUB_SURFACE };
}

function defaultOptimizer(): Part[] {
  const o = OPTIMIZERS[0];
  return o && existsSync(`shaders/${optimizerFile(o)}`) ? optimizerParts(o) : [{ name: '(stub optimizer)', text: STUB_OPTIMIZER }];
}

/** Every twin file under shaders/{surfaces,optimizers,schedules} (schedules/common.wgsl is a library). */
function twinFiles(): string[] {
  const all: string[] = [];
  for (const dir of ['surfaces', 'optimizers', 'schedules']) {
    for (const f of readdirSync(`shaders/${dir}`)) if (f.endsWith('.wgsl') && `${dir}/${f}` !== 'schedules/common.wgsl') all.push(`${dir}/${f}`);
  }
  return all;
}

function locate(parts: Part[], line: number): string {
  let start = 1;
  for (const p of parts) {
    const n = p.text.split('\n').length;
    if (line < start + n) return `${p.name}:${line - start + 1}`;
    start += n;
  }
  return `line ${line}`;
}

async function main(): Promise<void> {
  let args = process.argv.slice(2);
  let failed = 0;
  if (args.includes('--all')) {
    const owned = new Set([...SURFACES.map(surfaceFile), ...OPTIMIZERS.map(optimizerFile), ...SCHEDULES.map(scheduleFile)]);
    for (const f of twinFiles().filter((x) => !owned.has(x))) {
      console.log(`error shaders/${f}: no registry entry runs this file (its name must be an entry id)`);
      failed++;
    }
    args = [...owned].map((f) => `shaders/${f}`);
  }
  if (args.length === 0) {
    console.error('usage: npx tsx scripts/wgsl-check.ts <shaders/…/file.wgsl …> | --all');
    process.exit(2);
  }
  const gpu = await acquireNodeGpu('wgsl-check');
  const combos: { label: string; parts: Part[] }[] = [];
  for (const arg of args) {
    const rel = arg.replace(/^shaders\//, '');
    const [dir] = rel.split('/');
    const part = file(rel);
    // Every entry that runs this file (a shared optimiser body once per entry, with its aliases).
    const users = dir === 'optimizers' ? OPTIMIZERS.filter((o) => optimizerFile(o) === rel) : [null];
    if (users.length === 0) {
      console.log(`error ${arg}: no registry entry runs this file`);
      failed++;
    }
    for (const user of users) {
      if (user) {
        // The network kernel too, which runs every optimiser (a tensor rule through its file's
        // opt_tensor_step, generated as a stub where the entry has none).
        const label = `${arg}${optimizerFile(user) !== `optimizers/${user.id}.wgsl` ? ` as ${user.id}` : ''} in net_step`;
        combos.push({
          label,
          parts: [
            { name: '(generated layout prefix)', text: layoutPrefix() },
            { name: '(generated bindings)', text: NET_BINDINGS.wgsl() },
            ...NET_LIBS.map(file),
            ...optimizerParts(user),
            ...scheduleParts(),
            { name: `(generated tensor stubs of ${user.id})`, text: tensorStubs(user) },
            file('kernels/net_step.wgsl'),
          ],
        });
      }
      const surface = dir === 'surfaces' ? part : defaultSurface();
      const optimizer = user ? optimizerParts(user) : defaultOptimizer();
      for (const kernel of ['sweep_step', 'classify']) {
        const schedule = dir === 'schedules' ? SCHEDULES.find((s) => scheduleFile(s) === rel) : undefined;
        const label = `${arg}${user && optimizerFile(user) !== `optimizers/${user.id}.wgsl` ? ` as ${user.id}` : ''} in ${kernel}`;
        combos.push({ label, parts: partsFor(surface, optimizer, scheduleParts(schedule), kernel) });
      }
    }
  }
  // The network's sharpness kernel composes the network libraries alone: once.
  if (process.argv.includes('--all')) {
    combos.push({
      label: 'kernels/net_sharpness.wgsl',
      parts: [{ name: '(generated layout prefix)', text: layoutPrefix() }, { name: '(generated bindings)', text: NET_BINDINGS.wgsl() }, ...NET_LIBS.map(file), file('kernels/net_sharpness.wgsl')],
    });
  }
  for (const c of combos) {
    const code = c.parts.map((p) => p.text).join('\n');
    gpu.device.pushErrorScope('validation');
    const module = gpu.device.createShaderModule({ label: c.label, code });
    const info = await module.getCompilationInfo();
    let bad = info.messages.some((m) => m.type === 'error');
    for (const m of info.messages) {
      if (m.type === 'info') continue;
      console.log(`${m.type} ${locate(c.parts, m.lineNum)}: ${m.message}`);
    }
    if (!bad) {
      try {
        await gpu.device.createComputePipelineAsync({ label: c.label, layout: 'auto', compute: { module, entryPoint: 'main' } });
      } catch (e) {
        console.log(`error ${c.label}: pipeline: ${(e as Error).message}`);
        bad = true;
      }
    }
    const scopeError = await gpu.device.popErrorScope();
    if (scopeError && !bad) console.log(`error ${c.label}: ${scopeError.message}`);
    if (bad || scopeError) failed++;
    else console.log(`ok    ${c.label}`);
  }
  gpu.destroy();
  if (failed > 0) {
    console.log(`${failed} composition(s) failed`);
    process.exit(1);
  }
}

await main();
