/**
 * The `trajectory` command's document, `{spec, engine, every, params, paths: [...]}`, as text
 * pieces: each path's per-point arrays go out in blocks (core's JSON encoder), so a path of ten
 * million points is written without ever holding its text (which would pass V8's largest string).
 * A path's keys are its kind's (core/trajectory.ts: trajectoryFields for a surface run,
 * netTrajectoryFields for a network run); the document around them is the same.
 */
import type { FloatColumn } from '../core/results.ts';
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
        yield name;
        yield* arrayText(value as ArrayLike<number>);
      } else if (isColumns(value)) {
        // Per-point arrays by name (a network path's group_lr), each streamed like a top-level one.
        yield `${name}{`;
        for (const [j, [k, a]] of Object.entries(value).entries()) {
          yield `${j > 0 ? ',' : ''}${JSON.stringify(k)}:`;
          yield* arrayText(a);
        }
        yield '}';
      } else {
        yield `${name}${JSON.stringify(value)}`;
      }
    }
    yield '}';
  }
  yield ']}\n';
}

/** A per-point array as JSON text, in blocks (non-finite values as null). */
function* arrayText(a: ArrayLike<number>): Generator<string> {
  yield '[';
  yield* jsonBlocks(a, 0, a.length, true);
  yield ']';
}

/** A field holding per-point arrays by name (not a plain object of numbers such as `coords`). */
function isColumns(v: TrajectoryField[1]): v is Readonly<Record<string, FloatColumn>> {
  return v !== null && typeof v === 'object' && !ArrayBuffer.isView(v) && Object.values(v).some((c) => ArrayBuffer.isView(c));
}
