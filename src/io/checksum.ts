/**
 * The checksum of a result file's data, recorded in its metadata (`basinlab.checksum`; `checksum`
 * in a JSON document) by every sink and verified by the reader when the rows have been read, so a
 * corrupted file (flipped bytes on a disk or in a copy) is refused by `merge` instead of moving
 * runs silently.
 *
 * What it covers: the file's run range, engine, spec and result columns (names and types), then
 * each result column's values in run order. A shard's data cannot be passed off as another run
 * range or another sweep: the range and the spec are hashed with the values.
 *
 * The values are hashed as every format reads them back: JSON writes non-finite floats as null
 * (read back as NaN), so every non-finite float is hashed as the one canonical NaN (a GPU may give
 * NaNs with other bit patterns); -0 stays -0 (every format keeps it); booleans as 0 or 1. The
 * coordinate columns (run, i, j, the swept parameters) are not hashed: merge recomputes them from
 * the spec and checks `run` row by row. Little-endian bytes (every platform basinlab runs on).
 */
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import type { AnyColumn, ColumnDef, AnyColumns } from '../core/results.ts';
import { columnOf } from '../core/results.ts';

export const CHECKSUM_PREFIX = 'sha256:';
const DOMAIN = 'basinlab result checksum v1';

export interface ChecksumScope {
  /** `basinlab.spec` as recorded (JSON text). */
  readonly spec: string;
  readonly engine: string;
  readonly firstRun: number;
  readonly runs: number;
  /** The result columns, in the file's order. */
  readonly columns: readonly ColumnDef[];
}

/** The bytes a column's first n values are hashed as (a copy only where a value needs canonicalising). */
function canonicalBytes(c: AnyColumn, n: number, kind: ColumnDef['kind']): Uint8Array {
  const view = c.subarray(0, n);
  if (kind === 'float') {
    const f = view as Float32Array | Float64Array;
    let k = 0;
    while (k < n && Number.isFinite(f[k] as number)) k++;
    if (k < n) {
      const copy = f.slice();
      for (let r = k; r < n; r++) if (!Number.isFinite(copy[r] as number)) copy[r] = Number.NaN;
      return new Uint8Array(copy.buffer, copy.byteOffset, copy.byteLength);
    }
  } else if (kind === 'bool') {
    const b = view as Uint8Array;
    if (b.some((v) => v > 1)) return b.map((v) => (v !== 0 ? 1 : 0));
  }
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** Accumulates the checksum chunk by chunk, the chunks in run order. */
export class ResultChecksum {
  private readonly hashes: Hash[];
  private rows = 0;

  constructor(private readonly scope: ChecksumScope) {
    this.hashes = scope.columns.map(() => createHash('sha256'));
  }

  /** The next n runs' values (row r of each column is run firstRun + rows-so-far + r). */
  update(cols: AnyColumns, n: number): void {
    this.scope.columns.forEach((d, k) => {
      const c = columnOf(cols, d.name);
      if (!c) throw new Error(`checksum: no column ${d.name}`);
      (this.hashes[k] as Hash).update(canonicalBytes(c, n, d.kind));
    });
    this.rows += n;
  }

  /** `sha256:<hex>`; throws unless exactly the scope's runs were hashed. */
  digest(): string {
    const s = this.scope;
    if (this.rows !== s.runs) throw new Error(`checksum over ${this.rows} runs, expected ${s.runs}`);
    const head = JSON.stringify({ firstRun: s.firstRun, runs: s.runs, engine: s.engine, spec: s.spec, columns: s.columns.map((c) => `${c.name}:${c.type}`) });
    const all = createHash('sha256').update(`${DOMAIN}\n${head}\n`);
    for (const h of this.hashes) all.update(h.digest());
    return `${CHECKSUM_PREFIX}${all.digest('hex')}`;
  }
}
