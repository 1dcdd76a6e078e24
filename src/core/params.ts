/**
 * Parameter schemas: the one definition of every surface, optimiser and schedule parameter.
 *
 * A schema drives everything that touches a parameter: spec validation (with the allowed range in
 * the error), defaults (torch's, for torch classes), the slot it occupies in the per-run parameter
 * vector `P` shared by the CPU engine and the WGSL kernels, the WGSL constant naming that slot, and
 * which dotted paths a sweep axis may name.
 */

/**
 * Where sweeping a parameter shows its behaviour: the range a sweep axis over it starts at (the
 * app's first view of any entry, an axis moved to another parameter, optimiser or surface), linear
 * or log as a sweep axis is. Adam's lr is not SGD's: each entry states its own. `per` makes the
 * ends multiples of something the spec sets: `steps`, the run's length (lengths counted in steps,
 * e.g. a schedule's T_max; integer parameters round them); `1/sharpness`, the inverse of the largest
 * sharpness λ among the surface's known minima (an LR of plain gradient steps, whose stable values
 * scale with 1/λ: SGD's lr·λ must stay below 2(1 + momentum) whatever the surface). Resolved for a
 * spec by `typicalRange` (core/typical.ts), which tests/unit/typical.test.ts checks for every
 * sweepable path of every entry.
 */
export interface TypicalRange {
  readonly min: number;
  readonly max: number;
  readonly scale: 'linear' | 'log';
  readonly per?: 'steps' | '1/sharpness';
}

/** A real or integer scalar. Integers are stored in f32 slots, exact up to 2^24. */
export interface NumberParam {
  readonly key: string;
  /** torch has no default (a required constructor argument): a spec must give it; `default` is only an example for pickers. */
  readonly required?: boolean;
  readonly kind: 'number' | 'int';
  readonly default: number;
  readonly min: number;
  readonly max: number;
  /** The bound itself is not allowed (e.g. lr > 0, momentum < 1 is not torch's rule but eps > 0 is). */
  readonly minExclusive?: boolean;
  readonly maxExclusive?: boolean;
  /**
   * May a sweep axis name this parameter? False where a per-run value would need per-run host work
   * (e.g. a surface parameter that moves the known minima).
   */
  readonly sweepable?: boolean;
  /** The typical sweep range (required of every sweepable parameter: tests/unit/typical.test.ts). */
  readonly typical?: TypicalRange;
  /**
   * torch also takes a list here, one value per param group (its schedulers' `_format_param`:
   * CyclicLR's and OneCycleLR's bounds, ReduceLROnPlateau's min_lr, SWALR's swa_lr). A network
   * spec may give one, in the optimiser's group order (`optimizer.param_groups`, then the default
   * group); each group's parameter vector gets its own value (scheduleForGroup, core/spec.ts).
   */
  readonly perGroup?: true;
  /**
   * The boolean of the same entry without which torch never reads the list (CyclicLR's and
   * OneCycleLR's momenta are formatted only `if cycle_momentum`): while it is false, any list of
   * numbers is taken, as torch takes it, and no count is checked.
   */
  readonly perGroupOnlyIf?: string;
  /**
   * An absolute learning rate (the optimiser's lr, a schedule's max_lr, eta_min, ...): the network
   * conditioning probe (core/validate.ts perturbedNetSpec) scales every such value with the LR, so
   * a new entry's LR is probed by marking it here, not by a list kept elsewhere.
   */
  readonly lr?: true;
  readonly doc: string;
}

/**
 * A number that may be absent (torch's `None`), e.g. OneCycleLR's `total_steps`.
 * Stored as PARAM_UNSET in its slot when absent.
 */
export interface OptionalNumberParam {
  readonly key: string;
  /** torch has no default (a required constructor argument): a spec must give it; `default` is only an example for pickers. */
  readonly required?: boolean;
  readonly kind: 'optional-number' | 'optional-int';
  readonly default: number | null;
  readonly min: number;
  readonly max: number;
  readonly minExclusive?: boolean;
  readonly maxExclusive?: boolean;
  readonly sweepable?: boolean;
  readonly typical?: TypicalRange;
  readonly doc: string;
}

/** A fixed-length tuple of reals, e.g. Adam's `betas`. Each element is its own slot: `betas.0`. */
export interface TupleParam {
  readonly key: string;
  /** torch has no default (a required constructor argument): a spec must give it; `default` is only an example for pickers. */
  readonly required?: boolean;
  readonly kind: 'tuple';
  readonly default: readonly number[];
  readonly min: number;
  readonly max: number;
  readonly minExclusive?: boolean;
  readonly maxExclusive?: boolean;
  readonly sweepable?: boolean;
  /**
   * Typical sweep range of each element (`betas.0`, `betas.1`), or `surface-domain`: element i spans
   * the surface's view along axis i (the start point).
   */
  readonly typical?: readonly TypicalRange[] | 'surface-domain';
  /** Each element an absolute learning rate (NumberParam.lr). */
  readonly lr?: true;
  readonly doc: string;
}

/**
 * A variable-length list of integers, non-decreasing unless `ordered` is false: SequentialLR's
 * `milestones`; MultiStepLR's milestones and a network's hidden widths in any order. Occupies `maxLength` slots; unused slots
 * hold PARAM_UNSET.
 */
export interface IntListParam {
  readonly key: string;
  /** torch has no default (a required constructor argument): a spec must give it; `default` is only an example for pickers. */
  readonly required?: boolean;
  readonly kind: 'int-list';
  readonly default: readonly number[];
  readonly min: number;
  readonly max: number;
  readonly maxLength: number;
  /** The list must be non-decreasing (SequentialLR's milestones); false: any order (MultiStepLR's milestones, torch counts them; layer widths). Default true. */
  readonly ordered?: boolean;
  readonly doc: string;
}

export interface BoolParam {
  readonly key: string;
  readonly kind: 'bool';
  readonly default: boolean;
  readonly doc: string;
}

export interface EnumParam {
  readonly key: string;
  readonly kind: 'enum';
  readonly values: readonly string[];
  readonly default: string;
  readonly doc: string;
}

export type ParamSchema =
  | NumberParam
  | OptionalNumberParam
  | TupleParam
  | IntListParam
  | BoolParam
  | EnumParam;

/**
 * What an absent optional value or an unused list slot holds: -FLT_MAX, exact in f32 and finite, so
 * that every slot of P can be a WGSL override constant (pipeline constants must be finite) and the
 * CPU and shader twins test it the same way (`x !== PARAM_UNSET`).
 */
export const PARAM_UNSET = -3.4028234663852886e38;

/** Resolved parameter values of one entry, after defaults are applied. */
export type ParamValue = number | boolean | string | null | readonly number[];
export type ParamValues = Readonly<Record<string, ParamValue>>;

/** Number of `P` slots a parameter occupies (booleans and enums occupy one slot too: 0/1, index). */
export function slotCount(p: ParamSchema): number {
  switch (p.kind) {
    case 'tuple':
      return p.default.length;
    case 'int-list':
      return p.maxLength;
    default:
      return 1;
  }
}

/**
 * Slot offsets of each parameter relative to the start of its entry's block, in schema order.
 * Keys: `lr`, `betas.0`, `betas.1`, `milestones.0`, ….
 */
export function slotOffsets(schema: readonly ParamSchema[]): Record<string, number> {
  const out: Record<string, number> = {};
  let o = 0;
  for (const p of schema) {
    const n = slotCount(p);
    if (p.kind === 'tuple' || p.kind === 'int-list') {
      for (let i = 0; i < n; i++) out[`${p.key}.${i}`] = o + i;
    } else {
      out[p.key] = o;
    }
    o += n;
  }
  return out;
}

export function blockSize(schema: readonly ParamSchema[]): number {
  return schema.reduce((n, p) => n + slotCount(p), 0);
}

/** Encodes resolved values into slots (booleans as 0/1, enums as their index, null as PARAM_UNSET). */
export function encodeParams(
  schema: readonly ParamSchema[],
  values: ParamValues,
  out: Float64Array,
  base: number,
): void {
  let o = base;
  for (const p of schema) {
    const v = values[p.key];
    switch (p.kind) {
      case 'number':
      case 'int':
        out[o] = typeof v === 'number' ? v : p.default;
        break;
      case 'optional-number':
      case 'optional-int':
        out[o] = typeof v === 'number' ? v : PARAM_UNSET;
        break;
      case 'bool':
        out[o] = v === true ? 1 : 0;
        break;
      case 'enum':
        out[o] = p.values.indexOf(typeof v === 'string' ? v : p.default);
        break;
      case 'tuple': {
        const t = Array.isArray(v) ? (v as readonly number[]) : p.default;
        for (let i = 0; i < p.default.length; i++) out[o + i] = t[i] ?? PARAM_UNSET;
        break;
      }
      case 'int-list': {
        const t = Array.isArray(v) ? (v as readonly number[]) : p.default;
        for (let i = 0; i < p.maxLength; i++) out[o + i] = t[i] ?? PARAM_UNSET;
        break;
      }
    }
    o += slotCount(p);
  }
}

/** Human-readable allowed range for error messages, e.g. `[0, 1)` or `(0, inf)`. */
export function rangeText(p: { min: number; max: number; minExclusive?: boolean; maxExclusive?: boolean }): string {
  const lo = p.minExclusive || p.min === Number.NEGATIVE_INFINITY ? '(' : '[';
  const hi = p.maxExclusive || p.max === Number.POSITIVE_INFINITY ? ')' : ']';
  const f = (x: number): string =>
    x === Number.POSITIVE_INFINITY ? 'inf' : x === Number.NEGATIVE_INFINITY ? '-inf' : String(x);
  return `${lo}${f(p.min)}, ${f(p.max)}${hi}`;
}

export function inRange(
  x: number,
  p: { min: number; max: number; minExclusive?: boolean; maxExclusive?: boolean },
): boolean {
  if (!Number.isFinite(x)) return false;
  if (p.minExclusive ? !(x > p.min) : !(x >= p.min)) return false;
  if (p.maxExclusive ? !(x < p.max) : !(x <= p.max)) return false;
  return true;
}

// ---- Typed slot accessors: what an entry derives from its schema instead of naming slots by hand.

/**
 * The name a slot path takes in accessors and WGSL constants: dots become underscores
 * (`betas.0` -> `betas_0`). WGSL prefixes it with the entry id (`Adam_betas_0`).
 */
export function pathKey(path: string): string {
  return path.replace(/\./g, '_');
}

/**
 * The name of an enum value's constant: `<key>_<value>` with every character that cannot be in an
 * identifier as `_` (WSD's `decay_shape` value `1-sqrt` is `decay_shape_1_sqrt`).
 */
export function enumValueKey(key: string, value: string): string {
  return `${key}_${value.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** One name an entry's schema derives: a P slot (offset within the block) or an enum value (its index). */
export type DerivedName =
  | { readonly kind: 'slot'; readonly name: string; readonly param: ParamSchema; readonly offset: number }
  | { readonly kind: 'enum-value'; readonly name: string; readonly param: EnumParam; readonly value: number };

/**
 * Every name a schema derives, in schema order: each slot (`lr`, `betas_0`, `betas_1`,
 * `milestones_0` … `milestones_7`, booleans and enums included, whose slots hold 0/1 and the index)
 * and, after each enum's slot, one name per value (`anneal_strategy_cos` = 0, …). The typed
 * accessors (`paramSlots`) and the WGSL constants (src/engine/gpu/wgsl-layout.ts) are both built from
 * this list. Throws when two names collide.
 */
export function derivedNames(schema: readonly ParamSchema[]): DerivedName[] {
  const out: DerivedName[] = [];
  const seen = new Set<string>();
  const add = (d: DerivedName): void => {
    if (seen.has(d.name)) throw new Error(`parameter schema derives the name ${d.name} twice`);
    seen.add(d.name);
    out.push(d);
  };
  let o = 0;
  for (const p of schema) {
    const n = slotCount(p);
    if (p.kind === 'tuple' || p.kind === 'int-list') {
      for (let i = 0; i < n; i++) add({ kind: 'slot', name: pathKey(`${p.key}.${i}`), param: p, offset: o + i });
    } else {
      add({ kind: 'slot', name: p.key, param: p, offset: o });
    }
    if (p.kind === 'enum') p.values.forEach((v, i) => add({ kind: 'enum-value', name: enumValueKey(p.key, v), param: p, value: i }));
    o += n;
  }
  return out;
}

// Type-level twin of derivedNames, so that an accessor read with a misspelt name fails to compile.
type Indices<T extends readonly unknown[]> = Extract<keyof T, `${number}`>;
type Upto<N extends number, A extends unknown[] = []> = A['length'] extends N ? A : Upto<N, [...A, unknown]>;
type Ident<S extends string> = S extends `${infer A}-${infer B}` ? Ident<`${A}_${B}`> : S;
type SlotNamesOf<P> = P extends { readonly kind: 'tuple'; readonly key: infer K extends string; readonly default: infer D extends readonly number[] }
  ? `${K}_${Indices<D>}`
  : P extends { readonly kind: 'int-list'; readonly key: infer K extends string; readonly maxLength: infer N extends number }
    ? // A length that is not a literal type (computed from the layout) exposes only the list's first slot.
      number extends N
      ? `${K}_0`
      : `${K}_${Indices<Upto<N>>}`
    : P extends { readonly key: infer K extends string }
      ? K
      : never;
type EnumValueNamesOf<P> = P extends { readonly kind: 'enum'; readonly key: infer K extends string; readonly values: infer V extends readonly string[] }
  ? Ident<`${K}_${V[number]}`>
  : never;

/**
 * An entry's typed accessor object: `o.<slot>` is a P slot (absolute for surfaces and optimisers,
 * the offset within the block for schedules), `o.<key>_<value>` an enum value's index. Declare the
 * schema `as const satisfies readonly ParamSchema[]` so that the names are literal types.
 */
export type ParamSlots<S extends readonly ParamSchema[]> = {
  readonly [K in SlotNamesOf<S[number]> | EnumValueNamesOf<S[number]>]: number;
};

/** Builds the accessor object of `schema` (see ParamSlots), slots counted from `base`. */
export function paramSlots<const S extends readonly ParamSchema[]>(schema: S, base: number): ParamSlots<S> {
  const out: Record<string, number> = {};
  for (const d of derivedNames(schema)) out[d.name] = d.kind === 'slot' ? base + d.offset : d.value;
  return Object.freeze(out) as ParamSlots<S>;
}
