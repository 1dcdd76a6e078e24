/** Shader sources bundled by Vite (`?raw`), for the browser. */
import type { ShaderSources } from './compose.ts';

const files = import.meta.glob('/shaders/**/*.wgsl', { query: '?raw', import: 'default', eager: true });

export const browserShaderSources: ShaderSources = (path) => {
  const text = files[`/shaders/${path}`];
  if (typeof text !== 'string') throw new Error(`shader file not bundled: shaders/${path}`);
  return text;
};
