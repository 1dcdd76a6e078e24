// CI installs with `npm ci`, which refuses a lock that omits any optional dependency, even one for
// another platform. The registry mirror on these machines serves only linux-x64 binaries, so
// `npm install` here silently drops the other platforms' entries and CI then fails before a single
// test runs. This catches that locally, where the suite runs on an already-installed tree.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface LockEntry {
  version?: string;
  optionalDependencies?: Record<string, string>;
}

describe('package-lock.json', () => {
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, LockEntry> };

  it('lists every optional dependency of every package, for every platform', () => {
    const missing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      for (const dep of Object.keys(entry.optionalDependencies ?? {})) {
        // npm resolves a dependency from the nearest node_modules upwards.
        const scopes = path === '' ? [''] : [`${path}/`, ''];
        const found = scopes.some((s) => lock.packages[`${s}node_modules/${dep}`] !== undefined);
        if (!found) missing.push(`${path || '(root)'} -> ${dep}`);
      }
    }
    expect(missing, 'add these to package-lock.json (npm ci refuses the lock otherwise)').toEqual([]);
  });
});
