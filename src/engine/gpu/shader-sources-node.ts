/** Shader sources read from disk, for Node (the browser build uses Vite's `?raw` imports instead). */
import { readFileSync } from 'node:fs';
import type { ShaderSources } from './compose.ts';

const root = new URL('../../../shaders/', import.meta.url);
const cache = new Map<string, string>();

export const nodeShaderSources: ShaderSources = (path) => {
  let text = cache.get(path);
  if (text === undefined) {
    text = readFileSync(new URL(path, root), 'utf8');
    cache.set(path, text);
  }
  return text;
};
