/**
 * What the data set entries share: reading a parameter's value (default applied, kind and range
 * checked, since make() is a public entry point and a bad value must not build a wrong data set
 * quietly), allocating splits, and the seeded stratified train/test selection of the real data sets.
 */
import { inRange, rangeText, type ParamSchema, type ParamValue, type ParamValues } from '../params.ts';
import { partialShuffle } from './draw.ts';
import type { Split } from './types.ts';

function schemaOf(id: string, schema: readonly ParamSchema[], key: string): ParamSchema {
  const p = schema.find((s) => s.key === key);
  if (!p) throw new Error(`data set ${id} has no parameter ${key}`);
  return p;
}

/** The given value (own keys only: a value named like an Object.prototype member is not ours), else the default. */
function given(values: ParamValues, key: string): ParamValue | undefined {
  return Object.hasOwn(values, key) ? values[key] : undefined;
}

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/** An 'int' or 'number' parameter's value. */
export function numberValue(id: string, schema: readonly ParamSchema[], values: ParamValues, key: string): number {
  const p = schemaOf(id, schema, key);
  if (p.kind !== 'int' && p.kind !== 'number') throw new Error(`data set ${id}: ${key} is not a number parameter`);
  const v = given(values, key) ?? p.default;
  const int = p.kind === 'int';
  if (typeof v !== 'number' || (int && !Number.isInteger(v)) || !inRange(v, p)) {
    throw new Error(`data set ${id}: ${key} must be ${int ? 'an integer' : 'a number'} in ${rangeText(p)}, got ${show(v)}`);
  }
  return v;
}

/** An 'optional-int' parameter's value: null when absent (its default is null). */
export function optionalIntValue(id: string, schema: readonly ParamSchema[], values: ParamValues, key: string): number | null {
  const p = schemaOf(id, schema, key);
  if (p.kind !== 'optional-int') throw new Error(`data set ${id}: ${key} is not an optional-int parameter`);
  const v = given(values, key) ?? p.default;
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || !inRange(v, p)) {
    throw new Error(`data set ${id}: ${key} must be null or an integer in ${rangeText(p)}, got ${show(v)}`);
  }
  return v;
}

export function boolValue(id: string, schema: readonly ParamSchema[], values: ParamValues, key: string): boolean {
  const p = schemaOf(id, schema, key);
  if (p.kind !== 'bool') throw new Error(`data set ${id}: ${key} is not a bool parameter`);
  const v = given(values, key) ?? p.default;
  if (typeof v !== 'boolean') throw new Error(`data set ${id}: ${key} must be true or false, got ${show(v)}`);
  return v;
}

/** Throws the cross-field messages of a validate(), if any. */
export function throwIfInvalid(id: string, messages: readonly string[]): void {
  if (messages.length > 0) throw new Error(`data set ${id}: ${messages.join('; ')}`);
}

/** The most numbers one split may hold (x and y each): 2^25 doubles, 256 MiB. */
export const MAX_SPLIT_ELEMENTS = 33_554_432;

/**
 * Why a split of n points of `width` numbers each (the larger of its x and y rows) is more than
 * one split may hold, with the most points that fit; null when it fits.
 */
export function splitSizeProblem(n: number, width: number): string | null {
  if (n * width <= MAX_SPLIT_ELEMENTS) return null;
  return `${n} points × ${width} numbers a point is ${n * width}, more than the ${MAX_SPLIT_ELEMENTS} one split may hold: at most ${Math.floor(MAX_SPLIT_ELEMENTS / width)} points at this width`;
}

export function newSplit(id: string, which: 'train' | 'test', n: number, inputs: number, yPerRow: number): Split {
  const problem = splitSizeProblem(n, Math.max(inputs, yPerRow));
  if (problem) throw new Error(`data set ${id}: the ${which} split: ${problem}`);
  return { n, x: new Float64Array(n * inputs), y: new Float64Array(n * yPerRow) };
}

/**
 * How a class-balanced selection of n samples spreads over `classes` classes: floor(n / classes)
 * each, and one more for each of the first n mod classes classes (or the last ones, `fromEnd`). The
 * train split counts from the front and the test split from the end, so that class c needs at most
 * ceil((train + test) / classes) samples whenever train + test <= classes × (the smallest class).
 */
export function balancedCounts(n: number, classes: number, fromEnd: boolean): number[] {
  const q = Math.floor(n / classes);
  const rem = n - q * classes;
  return Array.from({ length: classes }, (_, c) => q + ((fromEnd ? c >= classes - rem : c < rem) ? 1 : 0));
}

/** The random-number uses of one stratified selection (see USE in ./draw.ts). */
export interface SelectionUses {
  readonly select: number;
  readonly trainOrder: number;
  readonly testOrder: number;
}

/**
 * A seeded, class-balanced, disjoint train/test selection. byClass[c] lists the sample ids of class
 * c (any integers). Each class's list is shuffled (partial Fisher–Yates, lane c of `select`); its
 * first train_c ids go to train and the next test_c to test (balancedCounts), so the splits never
 * overlap and the train split does not depend on the test size. Each split is then put in a seeded
 * random order (the whole split shuffled), so that its classes are interleaved.
 */
export function stratifiedSelection(
  id: string,
  byClass: readonly (readonly number[])[],
  train: number,
  test: number,
  seed: number,
  uses: SelectionUses,
): { readonly train: Int32Array; readonly test: Int32Array } {
  const classes = byClass.length;
  const trainCounts = balancedCounts(train, classes, false);
  const testCounts = balancedCounts(test, classes, true);
  const tr = new Int32Array(train);
  const te = new Int32Array(test);
  let a = 0;
  let b = 0;
  byClass.forEach((ids, c) => {
    const nTrain = trainCounts[c]!;
    const nTest = testCounts[c]!;
    if (nTrain + nTest > ids.length) {
      throw new Error(`data set ${id}: train + test need ${nTrain + nTest} samples of class ${c}, which has ${ids.length}`);
    }
    const items = Int32Array.from(ids);
    partialShuffle(items, nTrain + nTest, seed, uses.select, c);
    tr.set(items.subarray(0, nTrain), a);
    te.set(items.subarray(nTrain, nTrain + nTest), b);
    a += nTrain;
    b += nTest;
  });
  partialShuffle(tr, train, seed, uses.trainOrder, 0);
  partialShuffle(te, test, seed, uses.testOrder, 0);
  return { train: tr, test: te };
}

/** Packaged data, imported on first use: load() once (concurrent calls share it), get() after. */
export interface Lazy<T> {
  load(): Promise<void>;
  /** The loaded data; throws, naming the data set and what to await, before load() has finished. */
  get(id: string): T;
}

export function lazy<T>(loader: () => Promise<T>): Lazy<T> {
  let value: T | undefined;
  let pending: Promise<void> | null = null;
  return {
    load(): Promise<void> {
      pending ??= loader().then(
        (v) => {
          value = v;
        },
        (e: unknown) => {
          // A failed import (e.g. a network error in the browser) may be retried.
          pending = null;
          throw e;
        },
      );
      return pending;
    },
    get(id: string): T {
      if (value === undefined) {
        throw new Error(`data set ${id} is packaged data that is not loaded yet: await loadDataFor('${id}') (or its load()) before make()`);
      }
      return value;
    },
  };
}
