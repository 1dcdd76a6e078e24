/** Spawns CPU workers as Node worker_threads running worker-node.ts through tsx. */
import { Worker } from 'node:worker_threads';
import type { WorkerHandle, WorkerSpawner } from './engine.ts';
import type { WorkerReply } from './protocol.ts';

export function nodeWorkerSpawner(): WorkerSpawner {
  const url = new URL('./worker-node-boot.mjs', import.meta.url);
  return () => {
    const w = new Worker(url);
    const handle: WorkerHandle = {
      post: (req) => w.postMessage(req),
      onReply: () => undefined,
      onFailure: () => undefined,
      terminate: () => void w.terminate(),
    };
    w.on('message', (m: WorkerReply) => handle.onReply(m));
    w.on('error', (e: unknown) => handle.onFailure(e instanceof Error ? e : new Error(String(e))));
    w.on('exit', (code) => {
      if (code !== 0 && code !== 1) handle.onFailure(new Error(`CPU worker exited with code ${code}`));
    });
    return handle;
  };
}
