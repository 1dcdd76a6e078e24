/**
 * GPU struct layouts defined once, in TypeScript. From one `defineStruct` call come the WGSL
 * declaration (composed into every kernel) and the byte offsets the host writes and reads, following
 * WGSL's alignment rules (WGSL spec §14.4 "Memory Layout"). `tests/unit/structs.test.ts` pins the
 * sizes and offsets, so a change to a struct shows up as a test diff, not as garbage on the GPU.
 */

export type ScalarType = 'f32' | 'u32' | 'i32';
export type VectorType = 'vec2f' | 'vec4f' | 'vec2u' | 'vec4u';
export type FieldType = ScalarType | VectorType | { readonly array: ScalarType | VectorType; readonly count: number };

export interface StructField {
  readonly name: string;
  readonly type: FieldType;
}

export interface FieldLayout {
  readonly offset: number;
  readonly size: number;
  /** Element type and stride for arrays. */
  readonly element?: ScalarType | VectorType;
  readonly stride?: number;
}

export interface StructLayout {
  readonly name: string;
  readonly size: number;
  readonly align: number;
  readonly fields: Readonly<Record<string, FieldLayout>>;
  /** `struct Name { … }` for WGSL. */
  readonly wgsl: string;
}

const BASE: Record<ScalarType | VectorType, { size: number; align: number }> = {
  f32: { size: 4, align: 4 },
  u32: { size: 4, align: 4 },
  i32: { size: 4, align: 4 },
  vec2f: { size: 8, align: 8 },
  vec2u: { size: 8, align: 8 },
  vec4f: { size: 16, align: 16 },
  vec4u: { size: 16, align: 16 },
};

function roundUp(align: number, n: number): number {
  return Math.ceil(n / align) * align;
}

function wgslType(t: FieldType): string {
  return typeof t === 'string' ? t : `array<${t.array}, ${t.count}>`;
}

/**
 * Lays out a struct by WGSL's rules. `uniform` additionally demands what the uniform address space
 * does (array strides a multiple of 16), and fails loudly rather than producing a layout that
 * only works in storage buffers.
 */
export function defineStruct(
  name: string,
  fields: readonly StructField[],
  space: 'uniform' | 'storage' = 'storage',
): StructLayout {
  let offset = 0;
  let align = 1;
  const out: Record<string, FieldLayout> = {};
  const lines: string[] = [];
  for (const f of fields) {
    let size: number;
    let fAlign: number;
    let layout: FieldLayout;
    if (typeof f.type === 'string') {
      ({ size, align: fAlign } = BASE[f.type]);
      offset = roundUp(fAlign, offset);
      layout = { offset, size };
    } else {
      const el = BASE[f.type.array];
      fAlign = el.align;
      const stride = roundUp(el.align, el.size);
      if (space === 'uniform' && stride % 16 !== 0) {
        throw new Error(`${name}.${f.name}: uniform arrays need a 16-byte stride; use vec4 elements`);
      }
      size = stride * f.type.count;
      offset = roundUp(fAlign, offset);
      layout = { offset, size, element: f.type.array, stride };
    }
    out[f.name] = layout;
    lines.push(`  ${f.name}: ${wgslType(f.type)},`);
    offset += size;
    align = Math.max(align, fAlign);
  }
  if (space === 'uniform') align = roundUp(16, align);
  const size = roundUp(align, offset);
  return { name, size, align, fields: out, wgsl: `struct ${name} {\n${lines.join('\n')}\n}\n` };
}

/** Offset of a field, failing loudly on a typo instead of writing to byte 0. */
export function offsetOf(s: StructLayout, field: string): number {
  const f = s.fields[field];
  if (!f) throw new Error(`${s.name} has no field ${field}`);
  return f.offset;
}

/**
 * One binding of a bind group, defined once: the WGSL variable declaration of every kernel that
 * uses the group, the bind-group layout entry and the bind group's entry (by name, not by place in
 * a list) all derive from it. Its binding number is its place in the group's list.
 */
export interface BindingDef<N extends string = string> {
  /** The WGSL variable, and the key its buffer is given by (BindGroupDef.entries). */
  readonly name: N;
  readonly kind: 'uniform' | 'read-only-storage' | 'storage';
  /** Its WGSL type: a struct's name, `array<f32>`, … */
  readonly type: string;
  /** What it holds and how it is indexed: emitted as a comment above the declaration. */
  readonly doc?: string;
  /** Bound as a window of this many bytes at a dynamic offset (setBindGroup's dynamicOffsets). */
  readonly window?: number;
  readonly minBindingSize?: number;
  /**
   * Kernels that see this buffer as another variable (the sweep's output: path records in
   * sweep_step, results in classify): kernel name -> its variable name and type there.
   */
  readonly as?: Readonly<Record<string, { readonly name: string; readonly type: string }>>;
}

export interface BindGroupDef<N extends string> {
  readonly label: string;
  readonly bindings: readonly BindingDef<N>[];
  /** The `@group(0) @binding(i) var<…>` declarations, as the kernel `kernel` names them. */
  wgsl(kernel?: string): string;
  /** The bind-group layout's entries, visible to `visibility` (GPUShaderStage flags). */
  layoutEntries(visibility: number): GPUBindGroupLayoutEntry[];
  /** The bind group's entries from its buffers by name (a window binding at offset 0, its window long). */
  entries(buffers: Readonly<Record<N, GPUBuffer>>): GPUBindGroupEntry[];
  /** The binding number of a name. */
  index(name: N): number;
}

const ADDRESS_SPACE: Record<BindingDef['kind'], string> = { uniform: 'uniform', 'read-only-storage': 'storage, read', storage: 'storage, read_write' };

export function defineBindGroup<const N extends string>(label: string, bindings: readonly BindingDef<N>[]): BindGroupDef<N> {
  const names = new Set<string>();
  for (const b of bindings) {
    if (names.has(b.name)) throw new Error(`${label}: binding ${b.name} is defined twice`);
    names.add(b.name);
  }
  return {
    label,
    bindings,
    wgsl(kernel?: string): string {
      const lines = [`// Bindings of ${label} (bind group 0), generated by src/engine/gpu/structs.ts defineBindGroup from src/engine/gpu/layouts.ts.`];
      bindings.forEach((b, i) => {
        const v = (kernel !== undefined ? b.as?.[kernel] : undefined) ?? { name: b.name, type: b.type };
        if (b.doc) lines.push(...b.doc.split('\n').map((l) => `// ${l}`));
        lines.push(`@group(0) @binding(${i}) var<${ADDRESS_SPACE[b.kind]}> ${v.name}: ${v.type};`);
      });
      return `${lines.join('\n')}\n`;
    },
    layoutEntries(visibility: number): GPUBindGroupLayoutEntry[] {
      return bindings.map((b, binding) => ({
        binding,
        visibility,
        buffer: {
          type: b.kind,
          ...(b.window !== undefined ? { hasDynamicOffset: true, minBindingSize: b.window } : {}),
          ...(b.minBindingSize !== undefined ? { minBindingSize: b.minBindingSize } : {}),
        },
      }));
    },
    entries(buffers: Readonly<Record<N, GPUBuffer>>): GPUBindGroupEntry[] {
      return bindings.map((b, binding) => ({
        binding,
        resource: b.window !== undefined ? { buffer: buffers[b.name], offset: 0, size: b.window } : { buffer: buffers[b.name] },
      }));
    },
    index(name: N): number {
      const i = bindings.findIndex((b) => b.name === name);
      if (i < 0) throw new Error(`${label} has no binding ${name}`);
      return i;
    },
  };
}
