/**
 * How the CLI stops: the one place that handles SIGINT (Ctrl-C), SIGTERM (the stop signal of Slurm,
 * Kubernetes and `kill`), SIGHUP (a closed terminal, a dropped ssh connection), SIGQUIT (Ctrl-\)
 * and a closed stdout.
 *
 * The first of those signals aborts the one AbortSignal every command's work takes: the engine
 * stops at its next check, the file being written is removed (its temporary name; nothing ever
 * appears under the output's name), and the CLI prints one line and exits with 128 + the signal's
 * number (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP, 131 for SIGQUIT). Later signals are
 * absorbed, so a second Ctrl-C cannot kill the process half-way through that clean-up; the clean-up
 * is short (stop the engine, close and delete the temporary files) and, should it hang,
 * CLEANUP_DEADLINE_MS after the first signal the
 * temporary files are removed synchronously and the process exits anyway (well inside the 30 s
 * Slurm and Kubernetes wait before their SIGKILL).
 *
 * A failed write to stdout (a full disk under `> out.json`) ends the command with exit 1 and one
 * line naming stdout (writeStdout); a failed write to stderr only silences it.
 *
 * A signal handled after the output was renamed into place (the commit, a synchronous step after
 * the last check) finds the work complete: the command ends normally, exit 0.
 *
 * SIGKILL cannot be caught: it leaves the temporary file, which the next run writing the same
 * output names (src/io/partials.ts).
 */
import { readlinkSync } from 'node:fs';
import { constants } from 'node:os';
import { CancelledError, printable } from '../core/errors.ts';
import { WRITE_REASONS, removeTempsSync } from '../io/partials.ts';

// SIGHUP too: the terminal closing or an ssh connection dropping ends a run as surely as Ctrl-C,
// and must leave no partial file either (walkthrough 23). SIGQUIT (Ctrl-\) asks to quit, like
// SIGINT: its default action, a core dump of the Node binary where core files are enabled, tells a
// user nothing and skipped the clean-up. (Node resets a SIGHUP that nohup ignores to the default at
// start-up, so nohup never kept a run alive through a hang-up; it still ends it, now cleanly.)
export const HANDLED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;
export type HandledSignal = (typeof HANDLED_SIGNALS)[number];

/** How long the clean-up after a signal may take before the process is ended regardless. */
export const CLEANUP_DEADLINE_MS = 10_000;

let controller: AbortController | null = null;
let received: HandledSignal | null = null;
let reported = false;

/** 128 + the signal's number, as a shell reports a process a signal ended: 130, 143, 129, 131. */
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
    // A write that failed at once was thrown by writeStdout and is being reported by the command;
    // one that failed later (queued on a pipe) ends the process here, its temporary files removed.
    if (!stdoutFailed) exitNow(1, stdoutFailureText(e));
  });
  // Whatever the error (a reader gone, EIO from a hung-up terminal, ENOSPC on a log file), a failed
  // stderr only silences what is written there: the stream is destroyed, later writes are dropped,
  // and the work goes on (walkthrough 23: rethrowing it killed the run and left its partial files).
  process.stderr.on('error', () => undefined);
  return ac.signal;
}

/** Set once a failed write to stdout has been thrown as a StdoutError, so that it is said once. */
let stdoutFailed = false;

/**
 * A write to stdout that failed for a reason other than its reader going away: a full disk
 * (ENOSPC) or an I/O error on the file or device stdout is (`> /dev/full`, a full tmpfs).
 */
export class StdoutError extends Error {
  constructor(readonly code: string | undefined, message: string) {
    super(message);
    this.name = 'StdoutError';
  }
}

/** What stdout is, where it is a file or device that has a name ("/mnt/small/out.json"); null for a pipe, or off Linux. */
function stdoutTarget(): string | null {
  try {
    const target = readlinkSync('/proc/self/fd/1');
    return target.startsWith('/') ? target : null;
  } catch {
    return null;
  }
}

/** "cannot write standard output (/dev/full): no space left on the device (ENOSPC)". */
function stdoutFailureText(e: NodeJS.ErrnoException): string {
  const target = stdoutTarget();
  const where = target === null ? 'standard output' : `standard output (${printable(target, 200)})`;
  const code = typeof e.code === 'string' ? e.code : null;
  const why = code === null ? e.message : `${WRITE_REASONS[code] ?? code} (${code})`;
  return `cannot write ${where}: ${why}`;
}

/**
 * Writes to stdout. Files and devices are written synchronously and a pipe's write is tried at
 * once, so a failure is known on return (the stream's `errored`): a reader that went away ends the
 * process quietly (exit 0, the output was for it); any other failure is thrown as a StdoutError
 * whose message names stdout, for the command to clean up and report (exit 1) rather than carry on
 * writing into a stream that buffers everything after its error in memory.
 */
export function writeStdout(data: string | Uint8Array): void {
  process.stdout.write(data);
  const e = process.stdout.errored as NodeJS.ErrnoException | null;
  if (!e) return;
  if (e.code === 'EPIPE') exitNow(0);
  stdoutFailed = true;
  throw new StdoutError(e.code, stdoutFailureText(e));
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
