/** Web Worker entry of the CPU engine (the app's fallback when WebGPU is missing or lost). */
import type { RunRequest } from './protocol.ts';
import { handleRequest } from './worker-body.ts';

const scope = self as unknown as {
  onmessage: ((ev: MessageEvent<RunRequest>) => void) | null;
  postMessage(msg: unknown, transfer: Transferable[]): void;
};
scope.onmessage = (ev) => {
  void handleRequest(ev.data, (msg, transfer) => scope.postMessage(msg, transfer));
};
