// Plain-JS entry of a CPU worker thread: registers tsx in this thread (workers do not inherit the
// main thread's module hooks) and then loads the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker-node.ts');
