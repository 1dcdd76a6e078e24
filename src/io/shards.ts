/**
 * Sharded sweeps: shard k of n runs a contiguous block of whole image rows (so each shard's file is
 * also a valid strip of the image), and a cluster's job index says which shard a process is.
 */
import { SpecError } from '../core/errors.ts';

export interface Shard {
  /** 0-based shard index, 0 ≤ k < n. */
  readonly k: number;
  readonly n: number;
  /** The environment variable that set n (--shard auto), for messages about n; absent for --shard K/N. */
  readonly nFrom?: string;
}

export interface ShardRange extends Shard {
  readonly firstRun: number;
  readonly runs: number;
  /** Image rows [rowStart, rowEnd) the shard covers (for height-1 sweeps: runs, one per row). */
  readonly rowStart: number;
  readonly rowEnd: number;
}

function checkShard(k: number, n: number, field: string): void {
  if (!Number.isInteger(n) || n < 1) throw new SpecError(field, `shard count N must be a positive integer, got ${n}`);
  if (!Number.isInteger(k) || k < 0 || k >= n) throw new SpecError(field, `shard index K must be an integer in 0..${n - 1} for N = ${n}, got ${k}`);
}

/**
 * Runs of shard k of n for a sweep of `runs` runs, `width` per image row: rows split as evenly as
 * possible (sizes differ by at most one row), shard k getting rows [r0, r1) = runs
 * [r0 * width, r1 * width). A sweep of one row (random and Sobol sweeps, 1-D grids) splits its
 * runs evenly instead. More shards than rows is an error: a shard would have nothing to do, refused
 * naming `field`, where n came from (--shard, or the variable --shard auto read it from).
 */
export function shardRange(runs: number, width: number, k: number, n: number, field = '--shard'): ShardRange {
  checkShard(k, n, field);
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(runs) || runs < 1 || runs % width !== 0) {
    throw new Error(`shardRange: ${runs} runs do not make whole rows of ${width}`);
  }
  const height = runs / width;
  const unit = height > 1 ? width : 1;
  const units = runs / unit;
  if (n > units) {
    throw new SpecError(field, `N = ${n} shards is more than the sweep's ${units} ${height > 1 ? 'rows' : 'runs'}; allowed 1..${units}`);
  }
  const r0 = Math.floor((k * units) / n);
  const r1 = Math.floor(((k + 1) * units) / n);
  return { k, n, firstRun: r0 * unit, runs: (r1 - r0) * unit, rowStart: height > 1 ? r0 : 0, rowEnd: height > 1 ? r1 : 1 };
}

/** Parses `--shard K/N` (0 ≤ K < N). */
export function parseShardFlag(text: string, field = '--shard'): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m || m[1] === undefined || m[2] === undefined) {
    throw new SpecError(field, `expected K/N with integers 0 ≤ K < N (e.g. 3/64), got ${JSON.stringify(text)}`);
  }
  const k = Number(m[1]);
  const n = Number(m[2]);
  checkShard(k, n, field);
  return { k, n };
}

function envInt(env: Readonly<Record<string, string | undefined>>, name: string): number | null {
  const v = env[name];
  if (v === undefined || v.trim() === '') return null;
  if (!/^\s*-?\d+\s*$/.test(v)) throw new SpecError(name, `expected an integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

/**
 * The shard this process is, from its environment, or null when it is not one of a set:
 *
 * - `BASINLAB_SHARD=K/N`: explicit, wins over the rest.
 * - Slurm job arrays (`sbatch --array=0-63`): k = (SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN) /
 *   SLURM_ARRAY_TASK_STEP, n = SLURM_ARRAY_TASK_COUNT (or (MAX − MIN) / STEP + 1), so `--array=1-64`
 *   and `--array=0-126:2` work too; an index list such as `--array=1,5,9` has no such mapping and
 *   is refused.
 * - Kubernetes Indexed Jobs: k = JOB_COMPLETION_INDEX, n = BASINLAB_SHARDS, which the manifest
 *   must set to the Job's `completions` (Kubernetes does not pass the count to the pod).
 */
export function shardFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): Shard | null {
  const explicit = env.BASINLAB_SHARD;
  if (explicit !== undefined && explicit.trim() !== '') return { ...parseShardFlag(explicit, 'BASINLAB_SHARD'), nFrom: 'BASINLAB_SHARD' };

  const id = envInt(env, 'SLURM_ARRAY_TASK_ID');
  if (id !== null) {
    const min = envInt(env, 'SLURM_ARRAY_TASK_MIN') ?? 0;
    const max = envInt(env, 'SLURM_ARRAY_TASK_MAX');
    const step = envInt(env, 'SLURM_ARRAY_TASK_STEP') ?? 1;
    if (step < 1) throw new SpecError('SLURM_ARRAY_TASK_STEP', `expected a positive integer, got ${step}`);
    const count = envInt(env, 'SLURM_ARRAY_TASK_COUNT') ?? (max !== null ? Math.floor((max - min) / step) + 1 : null);
    if (count === null) {
      throw new SpecError('SLURM_ARRAY_TASK_COUNT', 'not set (nor SLURM_ARRAY_TASK_MAX): cannot tell how many shards the array has; pass --shard K/N');
    }
    if ((id - min) % step !== 0) {
      throw new SpecError('SLURM_ARRAY_TASK_ID', `${id} is not MIN + k × STEP (MIN ${min}, STEP ${step}): use a contiguous --array=0-${count - 1}, or pass --shard K/N`);
    }
    const k = (id - min) / step;
    if (max !== null && Math.floor((max - min) / step) + 1 !== count) {
      throw new SpecError(
        'SLURM_ARRAY_TASK_COUNT',
        `${count} tasks but MIN ${min}, MAX ${max}, STEP ${step} span ${Math.floor((max - min) / step) + 1}: the array is not a contiguous range (e.g. --array=1,5,9); use --array=0-${count - 1}, or pass --shard K/N`,
      );
    }
    checkShard(k, count, 'SLURM_ARRAY_TASK_ID');
    return { k, n: count, nFrom: envInt(env, 'SLURM_ARRAY_TASK_COUNT') !== null ? 'SLURM_ARRAY_TASK_COUNT' : 'SLURM_ARRAY_TASK_MAX' };
  }

  const index = envInt(env, 'JOB_COMPLETION_INDEX');
  if (index !== null) {
    const n = envInt(env, 'BASINLAB_SHARDS');
    if (n === null) {
      throw new SpecError('BASINLAB_SHARDS', 'not set: a Kubernetes Indexed Job must set it to the Job\'s spec.completions (the shard count)');
    }
    checkShard(index, n, 'JOB_COMPLETION_INDEX');
    return { k: index, n, nFrom: 'BASINLAB_SHARDS' };
  }
  return null;
}

/** Which shards of n overlap runs [from, to) (for naming the shards a gap is missing). */
export function shardsCovering(runs: number, width: number, n: number, from: number, to: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    const r = shardRange(runs, width, k, n);
    if (r.firstRun < to && r.firstRun + r.runs > from) out.push(k);
  }
  return out;
}
