/**
 * Which Vulkan driver the bench's dawn.node uses. The engine's Node device (src/engine/gpu/device-node.ts)
 * points the Vulkan loader at SwiftShader whenever VK_ICD_FILENAMES is unset and Debian's chromium
 * is installed, which is right on the project's GPU-less machine and wrong on one with a GPU. So,
 * before the engine asks for a device, the bench looks for a hardware driver: every Vulkan driver
 * manifest in the loader's usual places (and where NVIDIA's container runtime puts its own), minus
 * the software ones. A machine may list drivers for hardware it does not have (Debian's
 * mesa-vulkan-drivers lists Intel and AMD ones here), so the candidates are probed in a child
 * process first: only if Dawn gets a non-software adapter from them does the bench keep them.
 *
 * Nothing is chosen when the caller set VK_ICD_FILENAMES or VK_DRIVER_FILES (theirs wins) or
 * passed --swiftshader (to measure SwiftShader on a machine that has a GPU).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SOFTWARE_ADAPTER, isSoftwareAdapter } from '../src/engine/gpu/context.ts';

const ICD_DIRS = [
  '/etc/vulkan/icd.d',
  '/usr/local/etc/vulkan/icd.d',
  '/usr/share/vulkan/icd.d',
  '/usr/local/share/vulkan/icd.d',
  // NVIDIA's container toolkit mounts the driver here on some images (/work/.library/device/README.md).
  '/usr/local/nvidia/share/vulkan/icd.d',
];

/** Software rasterisers: SwiftShader, Mesa's lavapipe (lvp) and llvmpipe (one definition, the engine's). */
const SOFTWARE = SOFTWARE_ADAPTER;

export { isSoftwareAdapter };

export interface DriverChoice {
  /** 'hardware': the probed manifests are in VK_ICD_FILENAMES; 'default': device-node.ts decides. */
  readonly kind: 'hardware' | 'default' | 'caller';
  readonly manifests: readonly string[];
  /** One line for the log and latest.json. */
  readonly note: string;
}

function manifests(): string[] {
  const found: string[] = [];
  for (const dir of ICD_DIRS) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      if (!f.endsWith('.json')) continue;
      const path = join(dir, f);
      let library = '';
      try {
        library = String((JSON.parse(readFileSync(path, 'utf8')) as { ICD?: { library_path?: string } }).ICD?.library_path ?? '');
      } catch {
        continue;
      }
      if (!SOFTWARE.test(f) && !SOFTWARE.test(library)) found.push(path);
    }
  }
  return found;
}

/** Asks Dawn, in a child process, for an adapter with only `icds` visible to the loader. */
function probe(icds: readonly string[]): { description: string; software: boolean } | null {
  const script = `
    import { create, globals } from 'webgpu';
    Object.assign(globalThis, globals);
    const gpu = create([]);
    const a = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    const i = a?.info;
    process.stdout.write(JSON.stringify(a ? { description: [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' / '), fallback: a.isFallbackAdapter === true } : null));
    process.exit(0);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, VK_ICD_FILENAMES: icds.join(':') },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status !== 0) return null;
  try {
    const a = JSON.parse(r.stdout) as { description: string; fallback: boolean } | null;
    return a ? { description: a.description, software: a.fallback || SOFTWARE.test(a.description) } : null;
  } catch {
    return null;
  }
}

export function chooseVulkanDriver(forceSwiftShader: boolean): DriverChoice {
  const set = process.env.VK_DRIVER_FILES ?? process.env.VK_ICD_FILENAMES;
  if (set) return { kind: 'caller', manifests: set.split(':'), note: `Vulkan driver set by the caller: ${set}` };
  if (forceSwiftShader) return { kind: 'default', manifests: [], note: '--swiftshader: the engine default (SwiftShader when chromium is installed)' };
  const candidates = manifests();
  if (candidates.length === 0) return { kind: 'default', manifests: [], note: 'no hardware Vulkan driver manifest found: the engine default (SwiftShader)' };
  const found = probe(candidates);
  if (!found || found.software) {
    return {
      kind: 'default',
      manifests: [],
      note: `hardware driver manifests ${candidates.join(', ')} gave ${found ? `only a software adapter (${found.description})` : 'no adapter'}: the engine default (SwiftShader)`,
    };
  }
  process.env.VK_ICD_FILENAMES = candidates.join(':');
  return { kind: 'hardware', manifests: candidates, note: `hardware Vulkan driver: ${found.description} (${candidates.join(', ')})` };
}

