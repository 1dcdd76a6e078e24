/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import type { Plugin } from 'vite';

/**
 * Under Vitest, the digits package's ten JSON files (21 MB) are read by Node itself: Vite's
 * transform of each into a module took 8 s of every test file that trains on digits. Only for tests
 * (the module reads the file from disk); the app and its build import the JSON as Vite does.
 */
const VIRTUAL = '/@basinlab-native-json/';
const nativeJsonInTests = (match: RegExp): Plugin => ({
  name: 'basinlab-native-json-in-tests',
  enforce: 'pre',
  apply: () => process.env.VITEST !== undefined,
  async resolveId(source, importer, options) {
    if (!match.test(source)) return null;
    const r = await this.resolve(source, importer, { ...options, skipSelf: true });
    // A virtual id (not .json, not under node_modules), so that Vite's JSON transform leaves the
    // module alone and Vitest runs it rather than handing it to Node's loader.
    return r ? `${VIRTUAL}${encodeURIComponent(r.id.split('?')[0] ?? r.id)}.js` : null;
  },
  load(id) {
    if (!id.startsWith(VIRTUAL)) return null;
    const file = decodeURIComponent(id.slice(VIRTUAL.length, -'.js'.length));
    return `import { readFileSync } from 'node:fs';\nexport default JSON.parse(readFileSync(${JSON.stringify(file)}, 'utf8'));\n`;
  },
});

export default defineConfig({
  plugins: [nativeJsonInTests(/^mnist\/src\/digits\/\d\.json$/)],
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
  build: { target: 'es2022', outDir: 'dist/app' },
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
