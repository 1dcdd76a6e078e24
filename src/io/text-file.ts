/**
 * Whole files other than result tables (a trajectory document, a validation report, the JSON
 * Schema, a study's figures), written with the result sinks' discipline: to a temporary name
 * (partialPath) as the pieces come, renamed into place only when complete and only if the signal
 * was not aborted, removed otherwise; a failed write names the file the user asked for.
 */
import { renameSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open, rm } from 'node:fs/promises';
import { CancelledError } from '../core/errors.ts';
import { partialPath, trackTemp, untrackTemp, writeFailure } from './partials.ts';

/** Writes every byte: a FileHandle write may be partial. */
export async function writeAll(fh: FileHandle, data: Uint8Array | string): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let off = 0;
  while (off < bytes.byteLength) {
    const { bytesWritten } = await fh.write(bytes, off, bytes.byteLength - off);
    off += bytesWritten;
  }
}

const FLUSH_CHARS = 1 << 20;

function cancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/** Writes `pieces` to a temporary file, synced and closed; returns its name (tracked for clean-up). */
async function writeTemp(path: string, pieces: Iterable<string | Uint8Array>, signal: AbortSignal | undefined): Promise<string> {
  const tmp = partialPath(path);
  trackTemp(tmp);
  let fh: FileHandle | null = null;
  try {
    fh = await open(tmp, 'w');
    // Small pieces are gathered into writes of about a megabyte.
    let buf: string[] = [];
    let size = 0;
    const flush = async (): Promise<void> => {
      if (size > 0) await writeAll(fh as FileHandle, buf.join(''));
      buf = [];
      size = 0;
    };
    for (const piece of pieces) {
      if (typeof piece === 'string') {
        buf.push(piece);
        size += piece.length;
        if (size >= FLUSH_CHARS) {
          cancelled(signal);
          await flush();
        }
      } else {
        cancelled(signal);
        await flush();
        await writeAll(fh, piece);
      }
    }
    await flush();
    await fh.datasync();
    await fh.close();
    fh = null;
    return tmp;
  } catch (e) {
    await fh?.close().catch(() => undefined);
    await rm(tmp, { force: true });
    untrackTemp(tmp);
    throw writeFailure(path, e);
  }
}

/**
 * Writes the pieces to `path` atomically: nothing appears under `path` unless every piece was
 * written and `signal` was not aborted before the rename (then CancelledError, the file removed).
 * The pieces are produced as they are written, so a large document needs no more memory than a piece.
 */
export async function writeFileAtomically(
  path: string,
  pieces: Iterable<string | Uint8Array>,
  opts: { readonly signal?: AbortSignal; readonly beforeRename?: () => void } = {},
): Promise<void> {
  const staged = new StagedFiles(opts.signal);
  try {
    await staged.add(path, pieces);
    // Synchronously before the rename, as the result sinks call it (SinkOptions.beforeRename).
    cancelled(opts.signal);
    opts.beforeRename?.();
    staged.commit();
  } catch (e) {
    await staged.discard();
    throw e;
  }
}

/**
 * Several files that appear together or not at all (a study's data and figures): each is written
 * to its temporary name by add(), and commit() renames them all in one synchronous step, after a
 * last look at the signal.
 */
export class StagedFiles {
  private staged: { path: string; tmp: string }[] = [];

  constructor(private readonly signal?: AbortSignal) {}

  async add(path: string, pieces: Iterable<string | Uint8Array>): Promise<void> {
    cancelled(this.signal);
    this.staged.push({ path, tmp: await writeTemp(path, pieces, this.signal) });
  }

  /** Renames every staged file into place; throws CancelledError (nothing renamed) once the signal is aborted. */
  commit(): void {
    cancelled(this.signal);
    for (let s = this.staged.shift(); s; s = this.staged.shift()) {
      try {
        renameSync(s.tmp, s.path);
      } catch (e) {
        this.staged.unshift(s);
        throw writeFailure(s.path, e);
      }
      untrackTemp(s.tmp);
    }
  }

  /** Removes the temporary files not yet renamed. */
  async discard(): Promise<void> {
    const left = this.staged;
    this.staged = [];
    for (const s of left) {
      await rm(s.tmp, { force: true });
      untrackTemp(s.tmp);
    }
  }
}
