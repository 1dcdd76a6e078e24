/** Node worker_threads entry of the CPU engine. */
import { parentPort } from 'node:worker_threads';
import type { RunRequest } from './protocol.ts';
import { handleRequest } from './worker-body.ts';

const port = parentPort;
if (!port) throw new Error('worker-node.ts must run in a worker thread');
port.on('message', (req: RunRequest) => {
  void handleRequest(req, (msg, transfer) => port.postMessage(msg, transfer));
});
