/**
 * The `trajectory` command's document, `{spec, engine, every, params, paths: [...]}`, as text
 * pieces: each path's per-point arrays go out in blocks (core's JSON encoder), so a path of ten
 * million points is written without ever holding its text (which would pass V8's largest string).
 * A path's keys are its kind's (core/trajectory.ts: trajectoryFields for a surface run,
 * netTrajectoryFields for a network run); the document around them is the same.
 */
import type { TrajectoryField } from '../core/trajectory.ts';
import { jsonBlocks } from '../core/encode.ts';

export interface TrajectoryHead {
  readonly spec: Record<string, unknown>;
  readonly engine: string;
  readonly every: number;
  readonly params: readonly string[];
}

export function* trajectoryDocument<T>(head: TrajectoryHead, paths: readonly T[], fieldsOf: (path: T) => readonly TrajectoryField[]): Generator<string> {
  yield `{"spec":${JSON.stringify(head.spec)},"engine":${JSON.stringify(head.engine)},"every":${head.every},"params":${JSON.stringify(head.params)},"paths":[`;
  for (const [k, t] of paths.entries()) {
    yield k > 0 ? ',{' : '{';
    for (const [i, [key, value]] of fieldsOf(t).entries()) {
      const name = `${i > 0 ? ',' : ''}${JSON.stringify(key)}:`;
      if (ArrayBuffer.isView(value)) {
        const a = value as ArrayLike<number>;
        yield `${name}[`;
        yield* jsonBlocks(a, 0, a.length, true);
        yield ']';
      } else {
        yield `${name}${JSON.stringify(value)}`;
      }
    }
    yield '}';
  }
  yield ']}\n';
}
