/**
 * Temporary files: every file basinlab writes goes first to `<out>.partial-<pid>-<random>` (plus
 * `.<k>` part files for a JSON document) and is renamed to `<out>` only when complete. This module
 * owns that name, keeps the list of temporary files this process has open (so that a forced exit
 * can still remove them synchronously), finds partials that earlier runs left behind, and turns a
 * failed write into a message naming the file the user asked for rather than the temporary one.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** `<path>.partial-<pid>-<8 hex>`: the pid says which process wrote it, the random part keeps two
 * processes with one pid (containers are all pid 1 on a shared volume) apart. */
export function partialPath(path: string): string {
  return `${path}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
}

const live = new Set<string>();

/** Records a temporary file this process is about to create (before it exists). */
export function trackTemp(path: string): void {
  live.add(path);
}

/** The file was renamed into place or removed: no longer this process's to clean up. */
export function untrackTemp(path: string): void {
  live.delete(path);
}

/** The temporary files this process has made and not yet renamed or removed. */
export function liveTemps(): string[] {
  return [...live];
}

/**
 * Removes every temporary file this process still has, synchronously: for an exit that cannot wait
 * for the asynchronous clean-up (the signal handler's deadline, a closed stdout).
 */
export function removeTempsSync(): void {
  for (const p of live) {
    try {
      rmSync(p, { force: true });
    } catch {
      // Nothing else can be done about it on the way out; the next run names it as stale.
    }
  }
  live.clear();
}

export interface LeftoverPartial {
  readonly path: string;
  readonly pid: number;
  readonly bytes: number;
  readonly mtimeMs: number;
}

/** Whether a process with this id runs on this machine (in this pid namespace). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const PARTIAL = /^\.partial-(\d+)(?:-[0-9a-f]+)?(?:\.\d+)?$/;

/**
 * The files in `dir` whose names `pidOf` reads a writer's pid from (null: not such a file), of
 * other processes, each with whether its pid runs here, sorted by path: the partials of an OUT and
 * the stdout staging files alike.
 */
function filesOfWriters(dir: string, pidOf: (name: string) => number | null): (LeftoverPartial & { readonly running: boolean })[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const found: (LeftoverPartial & { running: boolean })[] = [];
  for (const name of names) {
    const pid = pidOf(name);
    if (pid === null || pid === process.pid) continue;
    const path = join(dir, name);
    try {
      const s = statSync(path);
      if (s.isFile()) found.push({ path, pid, bytes: s.size, mtimeMs: s.mtimeMs, running: running(pid) });
    } catch {
      // Removed meanwhile.
    }
  }
  return found.sort((a, b) => a.path.localeCompare(b.path));
}

/** The partial files of `out` (`out.partial-<pid>[-<random>][.<k>]`) of other processes, and whether each one's pid runs here. */
function partialsOf(out: string): (LeftoverPartial & { readonly running: boolean })[] {
  const base = basename(out);
  return filesOfWriters(dirname(out), (name) => {
    const m = name.startsWith(base) ? PARTIAL.exec(name.slice(base.length)) : null;
    return m ? Number(m[1]) : null;
  });
}

const strip = ({ path, pid, bytes, mtimeMs }: LeftoverPartial): LeftoverPartial => ({ path, pid, bytes, mtimeMs });

/**
 * Partial files of `out` whose writer is not a running process here: left by a run that was killed
 * (SIGKILL, the out-of-memory killer, a lost node). They are only reported, never deleted: on a
 * volume shared between machines (the cluster set-up docs/scale.md describes) a pid says nothing
 * about processes on other machines, so a partial whose pid is not running here may still be being
 * written by a shard's job elsewhere.
 */
export function leftoverPartials(out: string): LeftoverPartial[] {
  return partialsOf(out)
    .filter((p) => !p.running)
    .map(strip);
}

/**
 * Partial files of `out` whose writer is a running process here (not this one): another basinlab
 * writing the same OUT right now (a resubmitted job array, two specs with one --out). Whichever
 * finishes last replaces the other's file, so the CLI says so before it starts (review 18).
 */
export function liveWriters(out: string): LeftoverPartial[] {
  return partialsOf(out)
    .filter((p) => p.running)
    .map(strip);
}

/** One line naming the running processes that are writing `out` too, or null when there are none. */
export function liveWriterNote(out: string): string | null {
  const found = liveWriters(out);
  if (found.length === 0) return null;
  const pids = [...new Set(found.map((f) => f.pid))];
  const who = pids.length === 1 ? `another running process (pid ${pids[0]}) is` : `other running processes (pids ${pids.join(', ')}) are`;
  return `note: ${who} writing ${out} too; whichever run finishes last replaces the file the other wrote`;
}

function size(bytes: number): string {
  if (bytes >= 1 << 30) return `${(bytes / (1 << 30)).toFixed(1)} GiB`;
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
  if (bytes >= 1 << 10) return `${(bytes / (1 << 10)).toFixed(1)} KiB`;
  return `${bytes} B`;
}

function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

/**
 * The runs that left files, in words, one or several (review 21: two pids read "process 9591, 9598
 * is not running"): "a run that did not finish (process 9591 is not running here)", or "2 runs that
 * did not finish (processes 9591, 9598 are not running here)".
 */
function runsThatDidNotFinish(found: readonly LeftoverPartial[], what: readonly [one: string, many: string] = ['a run', 'runs']): string {
  const pids = [...new Set(found.map((f) => f.pid))];
  const listed = `${pids.slice(0, 3).join(', ')}${pids.length > 3 ? ', …' : ''}`;
  if (pids.length === 1) return `${what[0]} that did not finish (process ${listed} is not running here)`;
  return `${pids.length} ${what[1]} that did not finish (processes ${listed} are not running here)`;
}

/** The first three files, each with its size and age, and how many more: "p (2.0 KiB, 5 s old), … and 4 more". */
function shownFiles(found: readonly LeftoverPartial[], now: number): string {
  const shown = found.slice(0, 3).map((f) => `${f.path} (${size(f.bytes)}, ${age(now - f.mtimeMs)} old)`);
  return `${shown.join(', ')}${found.length > 3 ? ` and ${found.length - 3} more` : ''}`;
}

/** One line describing the leftovers of `out`, or null when there are none. */
export function leftoverNote(out: string, now = Date.now()): string | null {
  const found = leftoverPartials(out);
  if (found.length === 0) return null;
  return (
    `note: ${found.length === 1 ? 'a partial file' : `${found.length} partial files`} of ${out} left by ${runsThatDidNotFinish(found)}: ${shownFiles(found, now)}; ` +
    `not removed: delete ${found.length === 1 ? 'it' : 'them'} unless a job on another machine is writing ${basename(out)}`
  );
}

/** The common write failures in words (also for a failed stdout: cli/signals.ts). */
export const WRITE_REASONS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large (the file-size limit, ulimit -f)',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'it is a directory',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the name is too long',
};

/**
 * A failed file operation while writing `out`, as an error naming `out` (the file the user asked
 * for) and what went wrong, instead of the system's message naming the temporary file.
 */
export function writeFailure(out: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    return new Error(`cannot write ${out}: ${WRITE_REASONS[code] ?? code} (${code}); nothing written`);
  }
  return e instanceof Error ? e : new Error(String(e));
}

/** A stdout run's staged document (cli/main.ts stdoutStagingPath) or one of its partial files. */
const STDOUT_STAGED = /^basinlab-stdout-(\d+)-[0-9a-f]+\.json(?:\.partial-\d+(?:-[0-9a-f]+)?(?:\.\d+)?)?$/;

/**
 * One line naming the files in `dir` ($TMPDIR) that `sweep` runs writing JSON to stdout staged and,
 * killed before they could remove them (SIGKILL, the out-of-memory killer), left there, or null
 * where there are none. Like a partial of an OUT they are reported, not removed: a pid not running
 * here says nothing of another machine sharing the directory.
 */
export function staleStagingNote(dir: string, now = Date.now()): string | null {
  const found = filesOfWriters(dir, (name) => {
    const m = STDOUT_STAGED.exec(name);
    return m ? Number(m[1]) : null;
  }).filter((f) => !f.running);
  if (found.length === 0) return null;
  const total = found.reduce((t, f) => t + f.bytes, 0);
  return (
    `note: ${found.length === 1 ? 'a file' : `${found.length} files, ${size(total)} in all,`} staged in ${dir} by ${runsThatDidNotFinish(found, ['a sweep writing JSON to stdout', 'sweeps writing JSON to stdout'])}: ` +
    `${shownFiles(found, now)}; not removed: delete ${found.length === 1 ? 'it' : 'them'} unless a run on another machine shares ${dir}`
  );
}

