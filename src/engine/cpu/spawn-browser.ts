/** Spawns CPU workers as Web Workers (Vite bundles worker-browser.ts as a module worker). */
import type { WorkerHandle, WorkerSpawner } from './engine.ts';
import type { WorkerReply } from './protocol.ts';

export function browserWorkerSpawner(): WorkerSpawner {
  return () => {
    const w = new Worker(new URL('./worker-browser.ts', import.meta.url), { type: 'module', name: 'basinlab cpu' });
    const handle: WorkerHandle = {
      post: (req) => w.postMessage(req),
      onReply: () => undefined,
      onFailure: () => undefined,
      terminate: () => w.terminate(),
    };
    w.onmessage = (ev: MessageEvent<WorkerReply>) => handle.onReply(ev.data);
    w.onerror = (ev) => handle.onFailure(new Error(ev.message || 'CPU worker failed'));
    return handle;
  };
}
