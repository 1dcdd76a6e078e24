/**
 * How the CLI stops: the one place that handles SIGINT (Ctrl-C), SIGTERM (the stop signal of Slurm,
 * Kubernetes and `kill`) and a closed stdout.
 *
 * The first SIGINT or SIGTERM aborts the one AbortSignal every command's work takes: the engine
 * stops at its next check, the file being written is removed (its temporary name; nothing ever
 * appears under the output's name), and the CLI prints one line and exits with 128 + the signal's
 * number (130 for SIGINT, 143 for SIGTERM). Later signals are absorbed, so a second Ctrl-C cannot
 * kill the process half-way through that clean-up; the clean-up is short (stop the engine, close and
 * delete the temporary files) and, should it hang, CLEANUP_DEADLINE_MS after the first signal the
 * temporary files are removed synchronously and the process exits anyway (well inside the 30 s
 * Slurm and Kubernetes wait before their SIGKILL).
 *
 * A signal handled after the output was renamed into place (the commit, a synchronous step after
 * the last check) finds the work complete: the command ends normally, exit 0.
 *
 * SIGKILL cannot be caught: it leaves the temporary file, which the next run writing the same
 * output names (src/io/partials.ts).
 */
import { constants } from 'node:os';
import { CancelledError } from '../core/errors.ts';
import { removeTempsSync } from '../io/partials.ts';

export const HANDLED_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
export type HandledSignal = (typeof HANDLED_SIGNALS)[number];

/** How long the clean-up after a signal may take before the process is ended regardless. */
export const CLEANUP_DEADLINE_MS = 10_000;

let controller: AbortController | null = null;
let received: HandledSignal | null = null;
let reported = false;

/** 128 + the signal's number, as a shell reports a process a signal ended: 130, 143. */
export function exitCodeOf(sig: HandledSignal): number {
  return 128 + constants.signals[sig];
}

/**
 * Ends the process now with `code`, after removing this process's temporary files synchronously
 * (an exit that cannot wait for the asynchronous clean-up).
 */
export function exitNow(code: number, line?: string): never {
  removeTempsSync();
  if (line !== undefined) writeLine(line);
  process.exit(code);
}

function writeLine(line: string): void {
  try {
    process.stderr.write(`basinlab: ${line}\n`);
  } catch {
    // stderr is gone too: nothing to tell.
  }
}

/**
 * Installs the handlers (once per process) and returns the signal that every command's work takes.
 * Also ends the process quietly (exit 0) when stdout's reader goes away (`basinlab sweep spec.json
 * | head`): the output was for it. A closed stderr only silences progress: the work goes on.
 */
export function interruptSignal(): AbortSignal {
  if (controller) return controller.signal;
  const ac = new AbortController();
  controller = ac;
  for (const sig of HANDLED_SIGNALS) {
    process.on(sig, () => {
      // Only the first counts; the others are absorbed while the clean-up runs.
      if (received) return;
      received = sig;
      ac.abort(new CancelledError());
      setTimeout(() => {
        exitNow(exitCodeOf(sig), reported ? undefined : `${interruptLine(sig)} (clean-up did not finish in ${CLEANUP_DEADLINE_MS / 1000} s; stopped it)`);
      }, CLEANUP_DEADLINE_MS).unref();
    });
  }
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') exitNow(0);
    throw e;
  });
  process.stderr.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
  return ac.signal;
}

/** The signal that interrupted this process, if one did. */
export function receivedSignal(): HandledSignal | null {
  return received;
}

function interruptLine(sig: HandledSignal): string {
  return `interrupted by ${sig}; stopped, nothing written`;
}

/** Prints the interruption's one line (once) and returns the exit code for it. */
export function reportInterrupt(sig: HandledSignal): number {
  if (!reported) writeLine(interruptLine(sig));
  reported = true;
  return exitCodeOf(sig);
}
