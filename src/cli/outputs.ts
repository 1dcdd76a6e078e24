/**
 * Where the CLI may write, checked before any work starts: a bad destination is the user's to fix
 * (exit 2, naming the flag), not something to find out after an hour of sweeping at the rename.
 */
import { closeSync, constants, accessSync, lstatSync, openSync, readlinkSync, statSync, unlinkSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { SpecError, printable } from '../core/errors.ts';
import { leftoverNote, liveWriterNote } from '../io/partials.ts';

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** The entry itself, a symbolic link not followed. */
function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

function why(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EROFS') return 'read-only file system';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  // A file system that lists the directory but makes no files in it (/proc, /sys).
  if (code === 'ENOENT') return 'it takes no new files: ENOENT';
  return code ?? (e as Error).message;
}

/** Throws unless new files can be made in directory `dir` (which must exist). */
function checkWritableDir(flag: string, dir: string, forPath: string): void {
  const s = statOrNull(dir);
  if (!s) throw new SpecError(flag, `cannot write ${forPath}: directory ${dir} does not exist`);
  if (!s.isDirectory()) throw new SpecError(flag, `cannot write ${forPath}: ${dir} is not a directory`);
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
    // Permission bits are not the whole answer: a pseudo file system (/proc, /sys) grants them and
    // makes no file. So one is made, and removed at once (walkthrough 8: /proc/x.arrow failed only
    // after the sweep, exit 1, "no such directory").
    const probe = join(dir, `.basinlab-probe-${process.pid}-${Date.now()}`);
    closeSync(openSync(probe, 'wx'));
    try {
      unlinkSync(probe);
    } catch (e) {
      // Made but not removable: say so, naming it, rather than leave it behind unmentioned.
      throw new SpecError(flag, `cannot write ${forPath}: made the test file ${probe} in ${dir} but could not remove it (${why(e)}); remove it and check the directory`);
    }
  } catch (e) {
    if (e instanceof SpecError) throw e;
    throw new SpecError(flag, `cannot write ${forPath}: cannot create files in ${dir} (${why(e)})`);
  }
}

/**
 * Checks an output file named by `flag`: not empty, not a directory or a device (the file is written
 * under a temporary name in the same directory and renamed over it: a rename would replace a device
 * node such as /dev/null), not one of the command's inputs (the spec, a shard), not a symbolic link,
 * not an existing file this process may not write (as a shell redirect refuses it), in an existing
 * directory this process may create files in. `example`: a file name the command writes, for the
 * messages (walkthrough 23: `schema` and `validate` were offered results.parquet); by default a
 * sweep's results file.
 */
export function checkOutputFile(flag: string, path: string, inputs: readonly { path: string; what: string }[] = [], example?: string): void {
  if (path.trim() === '') throw new SpecError(flag, `is empty; name a file, e.g. ${example ?? 'results.parquet'}`);
  const s = statOrNull(path);
  if (s?.isDirectory()) {
    throw new SpecError(flag, `${path} is a directory; name a file in it, e.g. ${join(path, example ?? `results${extname(path) || '.parquet'}`)}`);
  }
  if (s && !s.isFile()) {
    throw new SpecError(flag, `${path} is not a regular file (a device, pipe or socket); basinlab writes a file and renames it into place: name a regular file`);
  }
  for (const input of inputs) {
    const t = statOrNull(input.path);
    const same = resolve(input.path) === resolve(path) || (s !== null && t !== null && s.dev === t.dev && s.ino === t.ino);
    if (same) throw new SpecError(flag, `${path} is ${input.what} ${input.path} itself; writing there would replace it: name another file`);
  }
  // A link is refused rather than written through. The rename that makes the output appear
  // atomically would replace the link itself with a regular file, leaving its target as it was
  // (review 18); writing through it instead would rename over the target in another directory,
  // whose permissions, partial files and file system this check never looked at, and a link
  // pointing elsewhere (a shared data set, another run's result) is more often a mistake than a
  // request to replace what it points at. Naming the target is one word away for the user.
  const l = lstatOrNull(path);
  if (l?.isSymbolicLink()) {
    let to = '';
    try {
      to = ` (to ${readlinkSync(path)})`;
    } catch {
      // Unreadable link: named without its target.
    }
    throw new SpecError(flag, `${path} is a symbolic link${to}; basinlab renames a finished file into place, which would replace the link, not write what it points at: name the target file itself, or remove the link`);
  }
  if (s) {
    try {
      accessSync(path, constants.W_OK);
    } catch (e) {
      // The rename needs only the directory's permission: without this, a write-protected file would be replaced (review 18).
      throw new SpecError(flag, `${path} exists and is not writable (${why(e)}, mode ${(s.mode & 0o777).toString(8).padStart(4, '0')}), as a shell redirect would find: ${unwritableFix(s.uid, process.getuid?.())}`);
    }
  }
  checkWritableDir(flag, dirname(resolve(path)), path);
}

/**
 * What to do about an existing file the caller cannot write: chmod u+w helps only its owner
 * (walkthrough 23: another user was told to chmod a 0644 file of root's). `me` undefined: a platform
 * without user ids (Windows), where the owner's advice is the one that applies.
 */
export function unwritableFix(owner: number, me: number | undefined): string {
  return me === undefined || me === owner ? 'make it writable (chmod u+w) or name another file' : `it belongs to another user (uid ${owner}): name another file, or ask its owner`;
}

/** Checks an output directory (study --out): an existing directory, or one that can be created. */
export function checkOutputDir(flag: string, dir: string): void {
  if (dir.trim() === '') throw new SpecError(flag, 'is empty; name a directory');
  const s = statOrNull(dir);
  if (s && !s.isDirectory()) throw new SpecError(flag, `${dir} exists and is not a directory`);
  if (s) {
    checkWritableDir(flag, resolve(dir), dir);
    return;
  }
  // Created with its missing parents: the nearest existing ancestor must take new entries.
  let up = dirname(resolve(dir));
  while (!statOrNull(up) && dirname(up) !== up) up = dirname(up);
  checkWritableDir(flag, up, dir);
}

/** Which file is at a path (the entry itself), to tell whether it changed. */
function identity(s: Stats | null): string | null {
  return s ? `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}` : null;
}

/**
 * Prints one line naming the partial files of `out` that runs which did not finish left behind, one
 * naming other running processes writing `out` now, and one saying that an existing `out` is
 * replaced when the run finishes (walkthrough 13: a finished shard was overwritten without a
 * trace; an interrupted run leaves it as it was). Returns what to call right before the rename
 * (SinkOptions.beforeRename): if `out` appeared or changed during the run (another process wrote
 * it), it says so then, as the start-up note would have (review 18: two runs writing one OUT lost
 * one result without a word).
 */
export function notePriorOutputs(out: string): () => void {
  const notes = [leftoverNote(out), liveWriterNote(out)];
  for (const note of notes) if (note) process.stderr.write(`basinlab: ${note}\n`);
  // The entry itself: checkOutputFile refuses a link, so this is the file the rename replaces.
  const s = lstatOrNull(out);
  if (s?.isFile()) process.stderr.write(`basinlab: note: ${out} exists (${s.size} bytes); it is replaced when this run finishes (an interrupted run leaves it as it is)\n`);
  const before = identity(s);
  return () => {
    const now = lstatOrNull(out);
    if (now?.isFile() && identity(now) !== before) {
      process.stderr.write(`basinlab: note: ${out} exists (${now.size} bytes, written by another process during this run); it is replaced now\n`);
    }
  };
}

/**
 * An integer flag at least `min`, written in decimal digits: Number('') is 0 and Number('0x10') is
 * 16, so `--run ''` would have been run 0 (review 9).
 */
export function intFlag(name: string, min: number) {
  return (v: string): number => {
    const n = /^\d+$/.test(v.trim()) ? Number(v.trim()) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${Number.MAX_SAFE_INTEGER}] (decimal digits), got '${v}'`);
    return n;
  };
}

/**
 * The parser of a flag that takes one value: given again with another value it is refused rather
 * than resolved to the last one, Commander's default (walkthrough 23: `--out a.json --out b.json`
 * wrote only b.json, `--engine cpu64 --engine cpu` ran on cpu, without a word). The same value
 * twice is one value. `parse` is the flag's own check; `instead` says what to do. A closure per option, and the program is
 * built afresh for each parse (buildProgram), so "given before" means on this command line.
 */
export function onceFlag<T>(flag: string, parse: (v: string) => T, instead = 'give it once'): (v: string) => T {
  let given: string | undefined;
  return (v: string): T => {
    if (given !== undefined && given !== v) throw new InvalidArgumentError(`${flag} is given twice, as '${printable(given)}' and '${printable(v)}'; ${instead}`);
    const value = parse(v);
    given = v;
    return value;
  };
}

/**
 * `--workers N`: 0 (in the main thread) up to the cores this process may use. More threads than
 * cores only cost memory and start-up (64 workers on 2 cores: 2.4 GB and 14 s for a 0.3 s sweep).
 */
export function workerCount(flag: string) {
  return (v: string): number => {
    const max = availableParallelism();
    // One range in every message (review 12: '-w -1' quoted [0, 2^53 - 1], '-w 3' quoted 0..2).
    const n = /^\d+$/.test(v.trim()) ? Number(v.trim()) : Number.NaN;
    if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`${flag} '${v}' is not allowed; allowed integers 0..${max} (0 runs in the main thread)`);
    if (n > max) throw new InvalidArgumentError(`${flag} ${v} is more than this machine's ${max} cores; allowed 0..${max} (0 runs in the main thread)`);
    return n;
  };
}

/**
 * Flags that the chosen engine would ignore, refused rather than dropped without a word (review 12):
 * `--workers` sizes the CPU engines' thread pool, `--accept-float32` lets a float32 engine merge
 * neighbouring sweep values. Returns the message, or null.
 */
export function ignoredFlag(engine: string, o: { readonly workers?: number; readonly acceptFloat32?: boolean }): string | null {
  if (engine === 'gpu' && o.workers !== undefined) return '--workers sizes the CPU engines\' threads; --engine gpu has none: leave it out';
  if (engine === 'cpu64' && o.acceptFloat32) return '--accept-float32 is for the float32 engines (cpu, gpu); --engine cpu64 runs float64: leave it out';
  return null;
}
