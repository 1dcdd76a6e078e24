/**
 * The app's entry: picks the engines (WebGPU, or CPU Web Workers when it is missing, disabled by
 * the link with `engine=cpu`, or lost; `engine=gpu` sends network sweeps to the GPU whatever their
 * size) and mounts <bl-app>.
 */
import { createEngines } from './controllers/engines.ts';
import type { BlApp } from './components/app.ts';
import './components/app.ts';

async function start(): Promise<void> {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  let app: BlApp | null = null;
  const engines = await createEngines({
    forceCpu: params.get('engine') === 'cpu',
    forceGpu: params.get('engine') === 'gpu',
    onDeviceLost: (message) => app?.deviceLost(message),
  });
  app = document.createElement('bl-app') as BlApp;
  app.engines = engines;
  document.body.replaceChildren(app);
}

void start();
