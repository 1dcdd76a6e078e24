/**
 * Errors a user can act on. Each carries a one-line message naming what was wrong and what is
 * allowed; the CLI prints the message (no stack trace) and exits with 2 for bad input.
 */

/** A spec, flag or file the user supplied is invalid. `path` is the offending field, e.g. `optimizer.lr`. */
export class SpecError extends Error {
  override readonly name = 'SpecError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(path ? `${path}: ${message}` : message);
  }
}

/** Several spec problems found in one pass, reported together. */
export class SpecErrors extends Error {
  override readonly name = 'SpecErrors';
  constructor(readonly errors: readonly SpecError[]) {
    super(errors.map((e) => e.message).join('\n'));
  }
}

/** No WebGPU adapter, or the device could not be created. */
export class GpuUnavailableError extends Error {
  override readonly name = 'GpuUnavailableError';
}

/** The device was lost or ran out of memory during a run; the run's partial results are discarded. */
export class GpuRunError extends Error {
  override readonly name = 'GpuRunError';
  constructor(
    message: string,
    readonly kind: 'device-lost' | 'out-of-memory' | 'validation' | 'internal',
  ) {
    super(message);
  }
}

/** The run was cancelled through its AbortSignal. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor() {
    super('run cancelled');
  }
}
