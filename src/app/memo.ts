/**
 * Derived display data recomputed only when its inputs change (by identity). Lit re-renders a child
 * when a property is a new object, so what a component hands down must be the same object while
 * nothing it depends on changed: a heatmap or chart then redraws only when its data does. (When the
 * page handed the heatmap new objects on every render, each progress tick rebuilt and redrew its
 * WebGPU pipeline: "Validate vs CPU" on the default view took 143 s in Chromium on SwiftShader,
 * against 1.4 s for the same engine runs without the page.)
 */
export function memoLast<K extends readonly unknown[], V>(fn: (...keys: K) => V): (...keys: K) => V {
  let last: { keys: K; value: V } | null = null;
  return (...keys: K): V => {
    if (last && last.keys.length === keys.length && last.keys.every((k, i) => k === keys[i])) return last.value;
    const value = fn(...keys);
    last = { keys, value };
    return value;
  };
}

/**
 * As memoLast, with the inputs compared by a key made of them (e.g. a spec block's JSON) rather than
 * by identity: for a derivation that must not be redone when a new object says the same thing (the
 * contour plot's surface samples, when a new plan keeps the surface).
 */
export function memoByKey<A extends readonly unknown[], V>(keyOf: (...args: A) => string, fn: (...args: A) => V): (...args: A) => V {
  let last: { key: string; value: V } | null = null;
  return (...args: A): V => {
    const key = keyOf(...args);
    if (last?.key !== key) last = { key, value: fn(...args) };
    return last.value;
  };
}
