/**
 * `basinlab` — the command line. Bad specs and flags print a one-line error per problem and exit
 * with 2, writing nothing; results are written atomically.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { netHeapProblem, netMemoryProblem, netRunBytes } from '../engine/cpu/network.ts';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { CancelledError, GpuRunError, GpuUnavailableError, SpecError, SpecErrors, printable } from '../core/errors.ts';
import { isRecord, resultDocumentSpec } from '../core/json.ts';
import { makeAnyPlan, prepareSpec, trainedGroups } from '../core/network/plan.ts';
import type { NetPlan } from '../core/network/plan.ts';
import { nearestRun, runCoordinates } from '../core/plan.ts';
import type { AnyPlan, Plan } from '../core/plan.ts';
import { negativeLrNote, plural } from '../view/caption.ts';
import { MAX_TRAJECTORY_POINTS, netTrajectoryFields, pointCount, trajectoryFields } from '../core/trajectory.ts';
import type { TrajectoryRequest } from '../core/trajectory.ts';
import { float32Problems } from '../core/precision.ts';
import { ENGINE_NAMES } from '../core/results.ts';
import type { EngineName } from '../core/results.ts';
import type { AnySpec } from '../core/spec.ts';
import { anySpecToJSON, parseAnySpec } from '../core/spec.ts';
import type { Engine, Progress } from '../engine/engine.ts';
import { createNodeEngine } from '../engine/node-engines.ts';
import { NET_GPU_MIN_RUNS, engineForPlan } from '../engine/choose.ts';
import type { GpuEngine } from '../engine/gpu/engine.ts';
import { adapterName, isSoftwareAdapter } from '../engine/gpu/context.ts';
import { netGpuUnsupported } from '../engine/gpu/net.ts';
import { RUN_LIST_CAP } from '../engine/gpu/layouts.ts';
import { validateNetPlan, validatePlan } from '../engine/validation.ts';
import { NET_VALIDATION_THRESHOLDS, VALIDATION_THRESHOLDS, netPairPasses, netSplitText, pairVerdict } from '../core/validate.ts';
import type { NetPairReport, NetValidationReport, PairReport, ValidationReport } from '../core/validate.ts';
import { readJSONFile } from './io.ts';
import type { ResultSink } from '../io/sinks.ts';
import { formatOf } from '../io/format.ts';
import { parseShardFlag, shardFromEnv, shardRange } from '../io/shards.ts';
import { writeFileAtomically } from '../io/text-file.ts';
import { staleStagingNote, trackTemp, untrackTemp } from '../io/partials.ts';
import { checkOutputDir, checkOutputFile, ignoredFlag, notePriorOutputs, intFlag, onceFlag, workerCount } from './outputs.ts';
import { formatRate, progressBar } from './progress.ts';
import { StdoutError, exitNow, interruptSignal, receivedSignal, reportInterrupt, writeStdout } from './signals.ts';
import { checkStudyName, runStudyCommand, studyNames, verdictLine } from './study.ts';
import type { StudyResult } from '../studies/types.ts';
import { summarize, tableText } from './summary.ts';
import { trajectoryDocument } from './trajectory-doc.ts';

function outFormat(path: string, allowed: readonly string[]): string {
  const ext = /\.([a-z]+)$/i.exec(path)?.[1]?.toLowerCase() ?? '';
  if (!allowed.includes(ext)) {
    throw new SpecError('--out', `unsupported output '${path}'; use a file ending in ${allowed.map((a) => `.${a}`).join(' or ')}`);
  }
  return ext;
}

/** The files an output may not replace: the spec's (none where it came on standard input, `-`). */
function specInputs(specPath: string): { path: string; what: string }[] {
  return specPath === '-' ? [] : [{ path: specPath, what: 'the spec' }];
}

/** A surface or a network spec (a `network` key makes it a network spec). */
function loadSpec(path: string): AnySpec {
  // `-`: the spec on standard input, as Unix tools take it (walkthrough 17: `cat s.json | basinlab sweep -`).
  if (path === '-') return loadSpecJSON(readJSONFile('-', 'spec'), null);
  const binary = binaryResultNote(path);
  if (binary) throw new SpecError('', binary);
  return loadSpecJSON(readJSONFile(path, 'spec'), path);
}

function loadSpecJSON(json: unknown, path: string | null): AnySpec {
  const why = resultDocumentNote(json, path);
  if (why) throw new SpecError('', why);
  return parseAnySpec(json);
}

/**
 * A basinlab result document given where a spec goes (`sweep result.json`), said in one line rather
 * than as a "not a spec field" line for each of its keys (review 18): the spec is its `spec` key.
 */
function resultDocumentNote(json: unknown, path: string | null): string | null {
  const name = path === null ? 'standard input' : printable(path, 200);
  // The jq that gives the spec: from the file, or (on standard input) as a pipe (review 23).
  const jq = (filter: string): string => (path === null ? `pipe it through jq ${filter}, as in … | jq ${filter} | basinlab sweep -` : `jq ${filter} ${name} > spec.json, then run spec.json`);
  // A study's JSON, or one of its figures' sources (walkthrough 20: the study file got a line per
  // key, a source was called a result file). A heatmap panel holds its spec itself, a chart its
  // sources' (cli/study.ts): the hint names the first panel that has one (review 26).
  if (isRecord(json) && typeof json.study === 'string' && Array.isArray(json.panels)) {
    const k = json.panels.findIndex((p) => isRecord(p) && (isRecord(p.spec) || (Array.isArray(p.sources) && isRecord(p.sources[0]) && isRecord(p.sources[0].spec))));
    const panel: unknown = json.panels[k];
    const where = k < 0 ? null : isRecord(panel) && isRecord(panel.spec) ? `.panels[${k}].spec` : `.panels[${k}].sources[0].spec`;
    return `${name} holds basinlab study ${json.study}'s results, not a spec; ${where ? `the specs of the sweeps it ran are in its figures' panels: ${jq(`'${where}'`)}` : 'it names no sweep spec'}`;
  }
  if (isRecord(json) && typeof json.label === 'string' && isRecord(json.spec) && Object.keys(json).every((k) => k === 'label' || k === 'spec' || k === 'mode')) {
    return `${name} is a study figure's source ({ label, spec }), not a spec; its spec is its "spec" key: ${jq('.spec')}`;
  }
  if (resultDocumentSpec(json) === undefined) return null;
  // On standard input (path null): the pipe that gives the spec instead (review 23: "jq .spec standard input").
  if (path === null) return 'standard input holds a basinlab result, not a spec; the spec it was run from is its "spec" key: pipe it through jq .spec, as in … | jq .spec | basinlab sweep -';
  return `${name} is a basinlab result file, not a spec; the spec it was run from is its "spec" key: jq .spec ${name} > spec.json, then run spec.json`;
}

/**
 * A Parquet or Arrow (Feather) file given where a spec goes (`sweep result.parquet`, to rerun what
 * made it): said as a JSON result is, with where such a file keeps its spec (walkthrough 17: "not
 * text: it holds a NUL byte at offset 17"). Recognised by the formats' magic bytes: `PAR1`, `ARROW1`.
 */
function binaryResultNote(path: string): string | null {
  const head = Buffer.alloc(6);
  let got = 0;
  try {
    const fd = openSync(path, 'r');
    try {
      got = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return null; // readJSONFile says why it cannot be read
  }
  const text = head.subarray(0, got).toString('latin1');
  const format = text.startsWith('PAR1') ? 'Parquet' : text === 'ARROW1' ? 'Arrow' : null;
  if (!format) return null;
  const name = printable(path, 200);
  return `${name} is ${format === 'Arrow' ? 'an' : 'a'} ${format} file, not a spec (a spec is JSON); a basinlab result keeps the spec it was run from in its metadata (basinlab.spec): basinlab merge result.json ${name} writes it as a JSON result, then jq .spec result.json > spec.json`;
}

/**
 * Refuses, before any work, a network plan the GPU engine does not run (param groups that differ in
 * a flag compiled into its kernel): the engine would reject it only after starting a device.
 */
function checkEngineRunsPlan(plan: AnyPlan, engine: EngineName): void {
  if (plan.problem !== 'network' || engine !== 'gpu') return;
  const why = netGpuUnsupported(plan);
  if (why) throw new SpecError('--engine', `gpu: ${why}; use --engine cpu (float32) or --engine cpu64 (float64)`);
}

/** The plan of a spec, its packaged data (Iris, digits) loaded first. */
async function planOf(spec: AnySpec): Promise<AnyPlan> {
  await prepareSpec(spec);
  return makeAnyPlan(spec);
}

/**
 * Refuses, before any work, a network spec whose runs would not fit in memory on the CPU engines:
 * a run's records in one thread's JavaScript heap (netHeapProblem), the workers' runs in the
 * machine (netMemoryProblem: each worker, or the process itself with --workers 0, trains one run at a time).
 */
function checkNetMemory(plan: AnyPlan, engines: readonly EngineName[], workers: number | undefined): void {
  if (plan.problem !== 'network' || !engines.some((e) => e === 'cpu' || e === 'cpu64')) return;
  // The JavaScript heap first: its limit is per thread and far below a large machine's memory.
  const problem =
    netHeapProblem(plan.layout.params, getHeapStatistics().heap_size_limit) ??
    netMemoryProblem(plan.layout.params, netRunBytes(plan), Math.max(1, workers ?? availableParallelism()), totalmem());
  if (problem) throw new SpecError('network.hidden', problem);
}

/** Throws CancelledError once a signal has asked the CLI to stop (before a result is committed). */
function checkInterrupt(signal: AbortSignal): void {
  if (signal.aborted) throw new CancelledError();
}

/** The GPU engine's adapter among `engines`, by name (as `meta.adapter`), and whether it is the CPU emulating one. */
function gpuAdapter(engines: readonly Engine[]): { readonly name: string; readonly software: boolean } | null {
  const gpu = engines.find((e) => e.name === 'gpu') as GpuEngine | undefined;
  return gpu ? { name: adapterName(gpu.gpu.adapter), software: isSoftwareAdapter(gpu.gpu.adapter) } : null;
}

/**
 * Says on stderr when the gpu engine's adapter is the CPU emulating one (SwiftShader, lavapipe):
 * walkthrough 17 ran `--engine gpu` and `validate` on a machine with no GPU and was told nothing but
 * `meta.adapter`. Results are the GPU kernels' all the same.
 */
function noteSoftwareGpu(engines: readonly Engine[], tail = ''): void {
  const a = gpuAdapter(engines);
  // Not "slower": SwiftShader runs surface sweeps faster than the CPU engine here, network sweeps slower (docs/performance.md).
  if (a?.software) process.stderr.write(`basinlab: note: the gpu engine runs on ${a.name}, a Vulkan driver that emulates a GPU on this machine's CPU: no hardware GPU is used${tail}\n`);
}

async function withEngine<T>(name: EngineName, workers: number | undefined, f: (e: Engine) => Promise<T>): Promise<T> {
  const engine = await createNodeEngine(name, workers === undefined ? {} : { workers });
  try {
    noteSoftwareGpu([engine]);
    return await f(engine);
  } finally {
    await engine.dispose();
  }
}

/**
 * `--engine auto`: the GPU engine, and the CPU engine for the network sweeps the GPU trains slower
 * (src/engine/choose.ts: few runs, or an emulated GPU), as the app decides. Without a GPU adapter
 * every sweep runs on the CPU engine, said on stderr.
 */
async function withAutoEngines<T>(workers: number | undefined, f: (main: Engine, engineFor: (plan: AnyPlan) => Engine) => Promise<T>): Promise<T> {
  const cpu = await createNodeEngine('cpu', workers === undefined ? {} : { workers });
  let gpu: GpuEngine | null = null;
  try {
    try {
      // Loaded here, as createNodeEngine does: the GPU engine's modules are start-up time for the
      // commands that do not use it.
      const { createNodeGpuEngine } = await import('../engine/gpu/node-gpu-engine.ts');
      gpu = await createNodeGpuEngine();
      noteSoftwareGpu([gpu], '; the surface sweeps run on it, the network sweeps on cpu');
    } catch (e) {
      if (!(e instanceof GpuUnavailableError)) throw e;
      process.stderr.write(`basinlab: ${e.message}: every sweep runs on the CPU engine (cpu)\n`);
    }
    return await f(gpu ?? cpu, (plan) => engineForPlan(plan, gpu, cpu));
  } finally {
    await Promise.all([cpu.dispose(), gpu?.dispose()]);
  }
}

/** Peak resident memory of this process so far, in MiB (workers are threads: included). */
function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/**
 * What float32 would do to the plan, refused up front on the float32 engines (cpu, gpu): values
 * beyond its range always; sweep values it merges unless the user accepts that (`--accept-float32`),
 * in which case the result names the merged dimensions (`basinlab.float32_merged`, the JSON
 * document's `meta.float32_merged`: SinkMeta.float32Merged). Returns that meta entry.
 */
function checkFloat32(plan: AnyPlan, engines: readonly EngineName[], accept: boolean): { float32_merged?: string } {
  if (!engines.some((e) => e !== 'cpu64')) return {};
  const problems = float32Problems(plan);
  const refused = problems.filter((p) => p.kind === 'range' || !accept);
  if (refused.length > 0) {
    const hint = (p: (typeof problems)[number]): string =>
      p.kind === 'range' ? `${p.message}; use --engine cpu64` : `${p.message} (or --accept-float32 to run it anyway, marked)`;
    throw new SpecErrors(refused.map((p) => new SpecError(p.path, hint(p))));
  }
  return problems.length > 0 ? { float32_merged: problems.map((p) => p.path).join(', ') } : {};
}

export async function runSweep(
  specPath: string,
  o: { engine: EngineName; out?: string; workers?: number; quiet?: boolean; shard?: string; acceptFloat32?: boolean },
): Promise<void> {
  const ignored = ignoredFlag(o.engine, o);
  if (ignored) throw new SpecError('--engine', ignored);
  const spec = loadSpec(specPath);
  if (o.out !== undefined) {
    checkOutputFile('--out', o.out, specInputs(specPath));
    formatOf(o.out);
  }
  const plan = await planOf(spec);
  checkEngineRunsPlan(plan, o.engine);
  const mark = checkFloat32(plan, [o.engine], o.acceptFloat32 ?? false);
  checkNetMemory(plan, [o.engine], o.workers);
  // --shard K/N, or --shard auto: from BASINLAB_SHARD, a Slurm job array or a Kubernetes Indexed Job.
  const shardFlag = o.shard === undefined ? null : o.shard === 'auto' ? shardFromEnv() : parseShardFlag(o.shard);
  if (o.shard === 'auto' && !shardFlag) {
    throw new SpecError('--shard', 'auto: no shard in the environment (BASINLAB_SHARD, SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX)');
  }
  // N named by where it came from: a variable set it under --shard auto.
  const shard = shardFlag ? shardRange(plan.runs, plan.width, shardFlag.k, shardFlag.n, shardFlag.nFrom ?? '--shard') : null;
  if (shard && o.out === undefined) throw new SpecError('--shard', 'a shard needs --out FILE (.parquet, .arrow or .json) for merge to read');
  if (shard && o.out !== undefined && formatOf(o.out) === 'csv') {
    throw new SpecError('--out', 'a shard cannot be CSV: CSV records no spec, engine or run range for merge to check; use .parquet, .arrow or .json');
  }
  const runs = shard ? shard.runs : plan.runs;
  const label = shard ? `shard ${shard.k}/${shard.n} (${runs} runs)` : `sweep ${plan.width}x${plan.height}`;
  const beforeRename = o.out !== undefined ? notePriorOutputs(o.out) : undefined;
  noteNegativeLr(plan);
  // A summary on a terminal needs every result (its quantiles); JSON on stdout is staged as a file
  // is, in bounded memory (review 18: 23 bytes a run held until the end, 6 GB at 270 M runs).
  const summary = o.out === undefined && process.stdout.isTTY === true;
  const staging = o.out === undefined && !summary ? stdoutStagingPath() : null;
  // Where it is staged must take files, checked before any work as --out is.
  if (staging !== null) {
    checkOutputFile('TMPDIR', staging);
    // What killed stdout runs left where this one stages (the README says where they stay).
    const stale = staleStagingNote(tmpdir());
    if (stale) process.stderr.write(`basinlab: ${stale}\n`);
  }
  const bar = progressBar(`${label} on ${o.engine}`, o.quiet ?? false);
  const t0 = performance.now();
  const signal = interruptSignal();
  let sink: ResultSink | null = null;
  let keepStaged = false;
  try {
    const res = await withEngine(o.engine, o.workers, async (engine) => {
      const out = o.out ?? staging;
      if (out === null) return await engine.run(plan, { onProgress: (p) => bar.update(p), signal });
      // Files are written as the engine produces results, chunk by chunk, under a temporary name.
      // The writers (Arrow, Parquet) load only when a file is written: they cost a third of a
      // second of start-up.
      const { sinkFor, sinkMeta } = await import('../io/sinks.ts');
      const s = sinkFor(out, { signal, ...(beforeRename ? { beforeRename } : {}) });
      sink = s;
      try {
        await s.open(sinkMeta(plan, engine.name, shard ?? undefined, { float32Merged: mark.float32_merged ?? null }));
        const r = await engine.run(plan, {
          signal,
          keepResults: false,
          ...(shard ? { range: { begin: shard.firstRun, end: shard.firstRun + shard.runs } } : {}),
          onProgress: (p) => bar.update(p),
          onChunk: (b, cols, n) => s.write(b, cols, n),
        });
        // A signal that came with the last chunk still cancels: the file is not complete until renamed.
        checkInterrupt(signal);
        bar.stop();
        if (!o.quiet && o.out !== undefined) process.stderr.write(`writing ${out}\n`);
        // The complete stdout document, until it has been copied out, is this process's to remove.
        if (staging !== null) trackTemp(staging);
        await s.close({ meta: r.meta });
        sink = null;
        return r;
      } catch (e) {
        throw staging !== null ? stagingFailure(e, staging) : e;
      }
    });
    bar.stop();
    const secs = (performance.now() - t0) / 1000;
    if (!o.quiet) {
      process.stderr.write(
        `${plural(runs, 'run')} x ${plural(spec.steps, 'step')} on ${o.engine} in ${secs.toFixed(2)} s ` +
          `(${formatRate((runs * spec.steps) / secs)} run-steps/s), peak RSS ${peakRssMiB().toFixed(0)} MiB\n`,
      );
    }
    if (o.out === undefined) {
      // Written synchronously, in one go: a signal handled after this finds the output complete.
      checkInterrupt(signal);
      if (staging === null) writeStdout(summarize(res));
      else {
        try {
          copyFileToStdoutSync(staging);
        } catch (e) {
          if (!(e instanceof StdoutError)) throw e;
          // The sweep's result is complete in the staged file: kept, and named, rather than lost
          // with the part that reached stdout (walkthrough 23: `> out.json` on a full disk). It is
          // no longer this process's to remove; a later sweep to stdout names it while it stays.
          keepStaged = true;
          untrackTemp(staging);
          throw new Error(`${e.message}; what reached it is incomplete. The complete JSON result is kept in ${staging}: copy it from there, then delete it (or rerun with --out FILE)`);
        }
      }
    }
  } catch (e) {
    bar.stop();
    await (sink as ResultSink | null)?.abort();
    throw e;
  } finally {
    if (staging !== null && !keepStaged) {
      rmSync(staging, { force: true });
      untrackTemp(staging);
    }
  }
}

/**
 * Where `sweep` without --out stages the JSON document for stdout (the document is columnar: every
 * run's value of one column comes before the next column, so it can only be put together once the
 * sweep is done): a file in the temporary directory ($TMPDIR), written by the JSON file sink.
 */
function stdoutStagingPath(): string {
  return join(tmpdir(), `basinlab-stdout-${process.pid}-${randomBytes(4).toString('hex')}.json`);
}

/**
 * A failure to write the staged stdout document (writeFailure's message names its path), said as
 * such: the path in $TMPDIR is not one the user named. Any other error passes unchanged.
 */
function stagingFailure(e: unknown, staging: string): unknown {
  if (!(e instanceof Error) || e instanceof SpecError || !e.message.includes(staging)) return e;
  return new Error(`${e.message} (the JSON document for stdout is staged in ${tmpdir()} until the sweep ends: set TMPDIR to a directory with room, or write it with --out FILE)`);
}

/**
 * Copies a file to stdout synchronously, a megabyte at a time: stdout is a pipe or a file here (a
 * terminal gets the summary), which Node writes synchronously, so no signal is handled half-way
 * and memory stays at a chunk. A reader that went away (EPIPE) ends the process quietly; any other
 * failure (a full disk) is thrown as a StdoutError (writeStdout).
 */
function copyFileToStdoutSync(path: string): void {
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      if (process.stdout.destroyed) return;
      // A fresh buffer each time: a write the stream queues keeps its buffer.
      const buf = Buffer.allocUnsafe(1 << 20);
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) return;
      writeStdout(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The runs `trajectory` records: `--runs` (indices and ranges: "0,7,12-15"), `--at` (coordinates,
 * "optimizer.lr=0.001,optimizer.momentum=0.9", repeatable: the nearest run of the sweep), `--run N`
 * (one index); run 0 when the spec has no sweep.
 */
export function selectRuns(plan: AnyPlan, o: { runs?: string; at?: readonly string[]; run?: number }, note: (text: string) => void = () => {}): number[] {
  const out: number[] = [];
  const check = (field: string, r: number): number => {
    if (!Number.isInteger(r) || r < 0 || r >= plan.runs) throw new SpecError(field, `${r} is not a run of this sweep; allowed 0..${plan.runs - 1}`);
    return r;
  };
  if (o.run !== undefined) out.push(check('--run', o.run));
  if (o.runs !== undefined) {
    const items = o.runs.split(/[\s,]+/).filter((x) => x !== '');
    // Said as what it is, not as no --runs given (walkthrough 23: --runs "," got "pick runs with --runs").
    if (items.length === 0) throw new SpecError('--runs', `'${printable(o.runs)}' lists no runs; give indices and ranges, e.g. 0,7,12-15 (0..${plan.runs - 1})`);
    for (const item of items) {
      const m = /^(\d+)(?:-(\d+))?$/.exec(item);
      if (!m) throw new SpecError('--runs', `'${item}' is not a run index or a range a-b`);
      const a = check('--runs', Number(m[1]));
      const b = m[2] === undefined ? a : check('--runs', Number(m[2]));
      if (b < a) throw new SpecError('--runs', `range ${item} is empty`);
      if (b - a + 1 > 1_000_000) throw new SpecError('--runs', `range ${item} holds more than 1000000 runs`);
      for (let r = a; r <= b; r++) out.push(r);
    }
  }
  for (const at of o.at ?? []) {
    // No prototype: a parameter named __proto__ or constructor is an own key, refused below as not swept.
    const coords: Record<string, number> = Object.create(null) as Record<string, number>;
    for (const pair of at.split(/[\s,]+/).filter((x) => x !== '')) {
      const m = /^([A-Za-z_][\w.]*)=(.+)$/.exec(pair);
      const v = m ? Number(m[2]) : Number.NaN;
      if (!m || !Number.isFinite(v)) throw new SpecError('--at', `'${pair}' is not PARAM=NUMBER (e.g. optimizer.lr=0.001)`);
      const param = m[1] as string;
      // One --at is one run: a parameter given twice in it is a contradiction, not the later value (walkthrough 23).
      const before = coords[param];
      if (before !== undefined) throw new SpecError('--at', `${param} is given twice in '${printable(at)}' (${before} and ${v}); give each parameter once (another --at asks for another run)`);
      coords[param] = v;
    }
    // A value past the swept range is refused, not snapped to its edge (walkthrough 17: lr=-5 over an
    // axis of 1e-5 … 0.01 gave the edge run with the note an ordinary snap gets).
    for (const d of plan.dims) {
      const v = coords[d.path];
      const { min, max } = d.range;
      const slack = 1e-9 * Math.max(Math.abs(min), Math.abs(max));
      if (v !== undefined && (v < min - slack || v > max + slack)) {
        throw new SpecError('--at', `${d.path}=${v} is outside the swept range ${min} … ${max}; give a value in it`);
      }
    }
    let run: number;
    try {
      run = nearestRun(plan, coords);
    } catch (e) {
      throw new SpecError('--at', (e as Error).message);
    }
    out.push(run);
    // The nearest run is not always at the values asked for (a grid's cells, an integer axis): say where it is.
    const got = runCoordinates(plan, run);
    const off = Object.entries(coords).filter(([k, v]) => got[k] !== undefined && Math.abs((got[k] as number) - v) > 1e-12 * Math.max(1, Math.abs(v)));
    if (off.length > 0) note(`--at ${at}: the nearest run is ${run}, at ${Object.entries(got).map(([k, v]) => `${k}=${Number(v.toPrecision(6))}`).join(', ')}`);
  }
  if (out.length === 0) {
    if (plan.mode !== 'none') {
      throw new SpecError('--runs', `the spec has a sweep of ${plan.runs} runs; pick runs with --runs 0,5,9 (0..${plan.runs - 1}) or --at PARAM=VALUE,...`);
    }
    out.push(0);
  }
  return out;
}

/** The most slices `trajectory` asks the engine for its runs in, for its progress (a call each). */
const TRAJECTORY_SLICES = 50;

async function runTrajectoryCommand(
  specPath: string,
  o: { engine: EngineName; out?: string; run?: number; runs?: string; at?: string[]; every?: number; workers?: number; quiet?: boolean },
): Promise<void> {
  const ignored = ignoredFlag(o.engine, o);
  if (ignored) throw new SpecError('--engine', ignored);
  const spec = loadSpec(specPath);
  if (o.out !== undefined) {
    checkOutputFile('--out', o.out, specInputs(specPath), 'trajectory.json');
    outFormat(o.out, ['json']);
  }
  const plan = await planOf(spec);
  checkEngineRunsPlan(plan, o.engine);
  checkFloat32(plan, [o.engine], true);
  // Paths are recorded a run at a time.
  checkNetMemory(plan, [o.engine], 1);
  const runs = selectRuns(plan, o, (text) => void process.stderr.write(`basinlab: ${text}\n`));
  const every = o.every ?? 1;
  checkTrajectorySize(runs.length, spec.steps, every);
  const beforeRename = o.out !== undefined ? notePriorOutputs(o.out) : undefined;
  noteNegativeLr(plan);
  const signal = interruptSignal();
  const head = { spec: anySpecToJSON(spec), engine: o.engine, every, params: plan.dims.map((d) => d.path) };
  const coords = (run: number): Record<string, number> => runCoordinates(plan, run);
  // Progress as a sweep shows it, where there is more than one run to count (walkthrough 23: 100,000
  // paths ran for a minute without a word); the runs are asked of the engine a slice at a time for it.
  const bar = progressBar(`trajectory of ${plural(runs.length, 'run')} on ${o.engine}`, (o.quiet ?? false) || runs.length < 2);
  // On the GPU a call runs every step for its runs (up to RUN_LIST_CAP a submit): slices smaller than
  // that would multiply the submits for the bar's sake (review 28), so it counts whole submits there.
  const slices = Math.max(1, Math.min(runs.length, TRAJECTORY_SLICES, o.engine === 'gpu' ? Math.ceil(runs.length / RUN_LIST_CAP) : TRAJECTORY_SLICES));
  const sliceAt = (k: number): number => Math.round((k * runs.length) / slices);
  // The same document for either kind; a path's keys are its kind's (core/trajectory.ts).
  let doc: Iterable<string>;
  try {
    doc = await withEngine(o.engine, o.workers, async (engine) => {
      try {
        const paths = async <T>(record: (req: TrajectoryRequest) => Promise<T[]>): Promise<T[]> => {
          const out: T[] = [];
          bar.update({ done: 0, total: runs.length * spec.steps, runsReady: 0 });
          for (let k = 0; k < slices; k++) {
            // A loop, not push(...paths): a slice may hold more paths than a call takes arguments.
            for (const path of await record({ runs: runs.slice(sliceAt(k), sliceAt(k + 1)), every, signal })) out.push(path);
            bar.update({ done: out.length * spec.steps, total: runs.length * spec.steps, runsReady: out.length });
          }
          return out;
        };
        return plan.problem === 'network'
          ? trajectoryDocument(head, await paths((req) => engine.trajectories(plan, req)), (t) => netTrajectoryFields(t, coords(t.run), trainedGroups(plan)))
          : trajectoryDocument(head, await paths((req) => engine.trajectories(plan, req)), (t) => trajectoryFields(t, coords(t.run)));
      } catch (e) {
        if (e instanceof RangeError) throw new SpecError('--runs', e.message);
        throw e;
      }
    });
  } finally {
    bar.stop();
  }
  checkInterrupt(signal);
  if (o.out !== undefined) {
    await writeFileAtomically(o.out, doc, { signal, ...(beforeRename ? { beforeRename } : {}) });
  } else {
    // Synchronously, in one go: a signal handled after this finds the output complete.
    for (const piece of doc) writeStdout(piece);
  }
}

/**
 * Refuses, before any engine starts, a trajectory request of more points than the engines record
 * (MAX_TRAJECTORY_POINTS: runs x points per run), naming the smallest --every that fits. The
 * engines hold every point in memory (over 100 bytes a point on cpu, 240 on gpu, measured).
 */
function checkTrajectorySize(runs: number, steps: number, every: number): void {
  const total = (k: number): number => runs * pointCount(steps, Math.min(k, steps));
  if (total(every) <= MAX_TRAJECTORY_POINTS) return;
  if (total(steps) > MAX_TRAJECTORY_POINTS) {
    throw new SpecError(
      '--runs',
      `${runs} runs x 2 points (the fewest a run records: its start and its last step) is more than the ${MAX_TRAJECTORY_POINTS} points one trajectory request may record; record at most ${Math.floor(MAX_TRAJECTORY_POINTS / 2)} runs a request`,
    );
  }
  let lo = every;
  let hi = steps;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (total(mid) <= MAX_TRAJECTORY_POINTS) hi = mid;
    else lo = mid + 1;
  }
  throw new SpecError(
    '--every',
    `${runs} run${runs > 1 ? 's' : ''} x ${pointCount(steps, Math.min(every, steps))} points (${steps} steps, --every ${every}) is ${total(every)} points, ` +
      `more than the ${MAX_TRAJECTORY_POINTS} one trajectory request may record; record every k-th step: --every ${lo} fits${runs > 1 ? ', or record fewer --runs' : ''}`,
  );
}

function pairLine(p: PairReport): string {
  const pct = (x: number): string => `${(100 * x).toFixed(3)}%`;
  return (
    `${`${p.a} vs ${p.b}`.padEnd(14)} same outcome ${pct(p.sameOutcome).padStart(9)} ` +
    `(off boundary ${pct(p.sameOutcomeOffBoundary)}), divergence agrees ${pct(p.sameDivergence)}, ` +
    `position error median ${p.position.median.toExponential(1)} max ${p.position.max.toExponential(1)} ` +
    `over ${p.position.runs} runs (${pct(p.position.identical)} identical)`
  );
}

/** What `validate` prints and writes: its lines, the report with its thresholds, and whether it passed. */
interface ValidationOutcome {
  readonly lines: readonly string[];
  readonly document: Record<string, unknown>;
  readonly pass: boolean;
}

function surfaceOutcome(plan: Plan, report: ValidationReport, adapter: string | null): ValidationOutcome {
  const gpuCpu = report.pairs.find((p) => p.a === 'gpu' && p.b === 'cpu');
  // The app's rule (validation-controller), one function: review 11 found a copy here.
  const pass = gpuCpu !== undefined && pairVerdict(gpuCpu).pass;
  const lines = [
    `${plan.runs} runs x ${plan.spec.steps} steps; ${report.boundaryRuns} runs on basin boundaries (${report.boundaryMethod})`,
    ...report.pairs.map(pairLine),
    `${pass ? 'PASS' : 'FAIL'}: gpu vs cpu needs same outcome >= ${VALIDATION_THRESHOLDS.minSameOutcome * 100}% and position error <= ${VALIDATION_THRESHOLDS.maxPositionError} off the boundary`,
  ];
  return { lines, document: { ...report, adapter, thresholds: VALIDATION_THRESHOLDS, pass }, pass };
}

function netPairLine(p: NetPairReport): string {
  const pct = (x: number): string => `${(100 * x).toFixed(3)}%`;
  const e = (x: number): string => x.toExponential(1);
  const errors = (a: NetPairReport['conditioned']): string =>
    `train loss error median ${e(a.trainLoss.median)} max ${e(a.trainLoss.max)}, test loss median ${e(a.testLoss.median)} max ${e(a.testLoss.max)}` +
    (a.accuracy ? `, test accuracy the same on ${pct(a.accuracy.same)}` : '');
  return (
    `${`${p.a} vs ${p.b}`.padEnd(14)} diverged ${pct(p.divergedA)} / ${pct(p.divergedB)}, divergence agrees ${pct(p.sameDivergence)} ` +
    `(off boundary ${pct(p.sameDivergenceOffBoundary)}); ` +
    // A median over no runs would print as 0, read as perfect agreement: say there were none.
    (p.conditioned.runs === 0 ? 'no well-conditioned runs off the boundary to compare losses on; ' : `over ${p.conditioned.runs} well-conditioned runs off the boundary: ${errors(p.conditioned)}; `) +
    (p.trainLoss.runs === 0 ? 'no run that neither saw diverge' : `over all ${p.trainLoss.runs} runs neither saw diverge (${p.illConditionedRuns} ill-conditioned): ${errors(p)}`)
  );
}

/**
 * A line for each run whose two paths validateNetPlan compared (NetRunReport.split): the probe left
 * it in place, the final losses differ, and here is the step where the engines' training parted.
 */
function netSplitLines(p: NetPairReport): string[] {
  return p.worst.flatMap((w) => {
    const text = netSplitText(w, Object.entries(w.coords).map(([k, v]) => `${k} ${String(Number(v.toPrecision(4)))}`).join(', '));
    return text ? [`  ${p.a} vs ${p.b}: ${text} (docs/validation.md, "Networks")`] : [];
  });
}

function netOutcome(plan: NetPlan, report: NetValidationReport, gpuLeftOut: string | null, adapter: string | null): ValidationOutcome {
  const t = NET_VALIDATION_THRESHOLDS;
  // Every pair against cpu64 must pass (the GPU's against its float32 twin is reported, and its
  // thresholds are the same), as for surfaces.
  const required = report.pairs.filter((p) => p.b === 'cpu64');
  const pass = required.length > 0 && required.every(netPairPasses);
  const engines = gpuLeftOut ? `the GPU engine is left out (${gpuLeftOut})` : 'engines gpu, cpu, cpu64';
  // With no well-conditioned runs the losses were not compared: the PASS line says so rather than read as their agreement.
  const uncompared = required.filter((p) => p.conditioned.runs === 0);
  const lines = [
    `${plan.runs} runs x ${plan.spec.steps} steps of a ${plan.layout.params}-parameter network; ${report.boundaryRuns} runs on the trainability boundary (${report.boundaryMethod}); ${engines}`,
    ...report.pairs.map(netPairLine),
    ...report.pairs.flatMap(netSplitLines),
    `${pass ? 'PASS' : 'FAIL'}: ${required.map((p) => `${p.a} vs ${p.b}`).join(' and ')} need${required.length === 1 ? 's' : ''} divergence to agree on >= ${t.minSameDivergenceOffBoundary * 100}% of runs off the boundary and median train and test loss errors <= ${t.maxMedianLossError} over the well-conditioned runs` +
      (uncompared.length > 0 ? ` (${uncompared.map((p) => `${p.a} vs ${p.b}`).join(' and ')}: no well-conditioned runs, losses not compared)` : ''),
  ];
  return { lines, document: { ...report, adapter, thresholds: t, pass, ...(gpuLeftOut ? { gpu_left_out: gpuLeftOut } : {}) }, pass };
}

async function runValidate(specPath: string, o: { out?: string; workers?: number; quiet?: boolean }): Promise<boolean> {
  const spec = loadSpec(specPath);
  if (o.out !== undefined) {
    checkOutputFile('--out', o.out, specInputs(specPath), 'report.json');
    outFormat(o.out, ['json']);
  }
  const plan = await planOf(spec);
  // The GPU against its float32 twin and both against float64; a network plan the GPU engine does
  // not run (netGpuUnsupported) is validated on the CPU engines, and the report says why.
  let gpuLeftOut = plan.problem === 'network' ? netGpuUnsupported(plan) : null;
  const names: EngineName[] = gpuLeftOut ? ['cpu', 'cpu64'] : ['gpu', 'cpu', 'cpu64'];
  // Validation compares the float32 engines with float64: a plan float32 cannot hold is refused.
  checkFloat32(plan, names, false);
  checkNetMemory(plan, names, o.workers);
  const engines: Engine[] = [];
  try {
    for (const name of names) engines.push(await createNodeEngine(name, name === 'gpu' || o.workers === undefined ? {} : { workers: o.workers }));
  } catch (e) {
    for (const engine of engines) await engine.dispose();
    engines.length = 0;
    if (!(e instanceof GpuUnavailableError)) throw e;
    // A surface's verdict is the GPU's against its float32 twin: nothing to judge without one. A
    // network's holds each float32 engine to float64, so it runs on the CPU engines, as for a plan
    // the GPU engine does not run (review 23), the report saying why.
    if (plan.problem !== 'network') throw new GpuUnavailableError(e.message, 'validate compares the GPU engine with the CPU engines, so it needs one; the CPU engines alone: basinlab sweep SPEC --engine cpu, and --engine cpu64');
    gpuLeftOut = e.message;
    process.stderr.write(`basinlab: note: the GPU engine is left out (${gpuLeftOut}); validating cpu against cpu64\n`);
    for (const name of ['cpu', 'cpu64'] as const) engines.push(await createNodeEngine(name, o.workers === undefined ? {} : { workers: o.workers }));
  }
  const adapter = gpuAdapter(engines);
  noteSoftwareGpu(engines, '; validate checks the GPU kernels on it, not a GPU');
  let bar = progressBar('validate', true);
  const signal = interruptSignal();
  const beforeRename = o.out !== undefined ? notePriorOutputs(o.out) : undefined;
  try {
    const hooks = {
      signal,
      onEngine: (name: string) => {
        bar.stop();
        bar = progressBar(`validate: ${name}`, o.quiet ?? false);
      },
      onProgress: (p: Progress) => bar.update(p),
    };
    const outcome =
      plan.problem === 'network'
        ? netOutcome(plan, (await validateNetPlan(plan, engines, hooks)).report, gpuLeftOut, adapter?.name ?? null)
        : surfaceOutcome(plan, (await validatePlan(plan, engines, hooks)).report, adapter?.name ?? null);
    bar.stop();
    checkInterrupt(signal);
    // The report file first: an interruption while it is written leaves nothing, not even stdout.
    if (o.out !== undefined) {
      await writeFileAtomically(o.out, [`${JSON.stringify(outcome.document, null, 1)}\n`], { signal, ...(beforeRename ? { beforeRename } : {}) });
    }
    writeStdout(`${outcome.lines.join('\n')}\n`);
    return outcome.pass;
  } finally {
    bar.stop();
    for (const e of engines) await e.dispose();
  }
}

/**
 * An option with choices that is refused when given twice with different values (onceFlag): its
 * parser, which .choices() set, is replaced by one that checks the choice and the repeat; the
 * choices stay listed in --help.
 */
function chooseOnce(option: Option, flag: string): Option {
  const choices = option.argChoices ?? [];
  return option.argParser(
    onceFlag(flag, (v) => {
      if (!choices.includes(v)) throw new InvalidArgumentError(`Allowed choices are ${choices.join(', ')}.`);
      return v;
    }),
  );
}

export function buildProgram(): Command {
  const program = new Command('basinlab')
    .description('Batch-simulate optimiser runs over 2-D loss surfaces and small networks on data (CPU reference engines and WebGPU).')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError(false);

  const engineOption = (): Option => chooseOnce(new Option('-e, --engine <engine>', 'engine').choices(ENGINE_NAMES).default('cpu'), '--engine');

  program
    .command('sweep')
    .description('run every run of a sweep spec and write per-run results')
    .argument('<spec>', 'sweep spec (JSON; - reads it from standard input)')
    .addOption(engineOption())
    .option('-o, --out <file>', 'write results to FILE.parquet, .arrow (or .feather), .json or .csv, streamed (default: JSON on stdout, staged in $TMPDIR until the sweep ends; a summary on a terminal)', onceFlag('--out', String))
    .option('-s, --shard <K/N|auto>', 'run shard K of N (contiguous rows, 0-based); auto: from BASINLAB_SHARD, Slurm job arrays or Kubernetes Indexed Jobs', onceFlag('--shard', String))
    .option('-w, --workers <n>', 'CPU worker threads (default: one per core; 0 = in-process; a sweep of a few seconds runs in-process whatever the count, as meta.workers says)', onceFlag('--workers', workerCount('--workers')))
    .option('-q, --quiet', 'no progress output')
    .option('--accept-float32', 'run on a float32 engine even where float32 merges neighbouring sweep values (the result meta names them)')
    .action(async (spec: string, o: { engine: EngineName; out?: string; workers?: number; quiet?: boolean; shard?: string; acceptFloat32?: boolean }) => {
      await runSweep(spec, o);
    });

  program
    .command('merge')
    .description('join shard files of one sweep into one result, identical to the unsharded run')
    .argument('<out>', 'output FILE.parquet, .arrow (or .feather), .json or .csv')
    .argument('<shards...>', 'the shard files (.parquet, .arrow, .feather or .json), in any order')
    .option('-q, --quiet', 'no progress or summary')
    .action(async (out: string, shards: string[], o: { quiet?: boolean }) => {
      checkOutputFile('OUT', out, shards.map((p) => ({ path: p, what: 'the shard' })));
      formatOf(out, 'OUT');
      const beforeRename = notePriorOutputs(out);
      const { mergeShards, mergeNonFiniteNote } = await import('../io/merge.ts');
      const bar = progressBar(`merge into ${out}`, o.quiet ?? false);
      let r;
      try {
        r = await mergeShards(out, shards, { signal: interruptSignal(), beforeRename, onProgress: (done, total) => bar.update({ done, total, runsReady: done }) });
      } finally {
        bar.stop();
      }
      // One file is a whole result copied (or converted), not "1 shards" (walkthrough 23).
      if (!o.quiet) process.stderr.write(`merged ${r.files === 1 ? '1 file' : `${r.files} shards`}, ${plural(r.runs, 'run')}, into ${r.out}\n`);
      // Said even with --quiet: the file differs from the unsharded run's where the shards did not record what was there.
      if (r.jsonNonFinite > 0) process.stderr.write(`${mergeNonFiniteNote(r.jsonNonFinite)}\n`);
    });

  program
    .command('trajectory')
    .description('the recorded paths of some runs: position, loss, LR (and, on surfaces, cycled momentum) per step; a network run\'s losses, LRs and gradient norm')
    .argument('<spec>', 'spec (JSON; - reads it from standard input); with a sweep, choose runs with --runs or --at')
    .addOption(engineOption())
    .option('-o, --out <file>', 'write to FILE.json (default: stdout)', onceFlag('--out', String))
    .option('--runs <list>', 'run indices and ranges within the sweep, e.g. 0,7,12-15 (row-major: j * width + i)', onceFlag('--runs', String, 'list the runs in one --runs, e.g. --runs 0,7,12-15'))
    .option('--at <coords>', 'the run nearest these sweep coordinates, e.g. optimizer.lr=0.001,optimizer.momentum=0.9 (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('-r, --run <index>', 'one run index (same as --runs INDEX)', onceFlag('--run', intFlag('--run', 0)))
    .option('--every <k>', 'record every k-th step (default 1; the start and the last step always)', onceFlag('--every', intFlag('--every', 1)))
    .option('-w, --workers <n>', 'CPU worker threads', onceFlag('--workers', workerCount('--workers')))
    .option('-q, --quiet', 'no progress output (shown where more than one run is recorded)')
    .action(async (spec: string, o: { engine: EngineName; out?: string; run?: number; runs?: string; at?: string[]; every?: number; workers?: number; quiet?: boolean }) => {
      await runTrajectoryCommand(spec, o);
    });

  program
    .command('study')
    .description(`run a study and write its data and figures (one of: ${studyNames()})`)
    .argument('<name>', 'study name')
    .requiredOption('-o, --out <dir>', 'required: directory for NAME.json and the NAME-<k>.png/.svg figures (files of those names in it are replaced)', onceFlag('--out', String))
    .addOption(
      chooseOnce(
        new Option('-e, --engine <engine>', `engine; auto: the GPU, with the network sweeps of fewer than ${NET_GPU_MIN_RUNS} runs (all of them on an emulated GPU) on cpu, which trains those faster`)
          .choices([...ENGINE_NAMES, 'auto'])
          .default('auto'),
        '--engine',
      ),
    )
    // One or the other: with both, the study ran --quick and its data recorded both as true (review 18).
    .addOption(new Option('--quick', 'smaller grids and fewer steps, for a first look: a claim may not hold at that size (the README gives each study\'s measured answer)').conflicts('full'))
    .addOption(new Option('--full', "the full-size study where the default is cut down to fit a CPU engine (network studies: the papers' resolution and steps; hours on a CPU)").conflicts('quick'))
    .option('-w, --workers <n>', 'CPU worker threads', onceFlag('--workers', workerCount('--workers')))
    .option('-q, --quiet', 'no progress output')
    .action(async (name: string, o: { out: string; engine: EngineName | 'auto'; quick?: boolean; full?: boolean; workers?: number; quiet?: boolean }) => {
      checkStudyName(name);
      checkOutputDir('--out', o.out);
      // The float64 engine a study may check its float32 results against (fractal-boundary's zooms).
      const float64 = o.engine === 'cpu64' ? null : await createNodeEngine('cpu64', o.workers === undefined ? {} : { workers: o.workers });
      const run = (engine: Engine, engineFor?: (plan: AnyPlan) => Engine): Promise<StudyResult> =>
        runStudyCommand(name, o.out, engine, {
          quick: o.quick ?? false,
          full: o.full ?? false,
          signal: interruptSignal(),
          bar: (l) => progressBar(l, o.quiet ?? false),
          ...(engineFor ? { engineFor } : {}),
          ...(float64 ? { float64 } : {}),
        });
      const engine = o.engine;
      let result: StudyResult;
      try {
        result = engine === 'auto' ? await withAutoEngines(o.workers, run) : await withEngine(engine, o.workers, (e) => run(e));
      } finally {
        await float64?.dispose();
      }
      // The verdict is the study's answer, not the command's: a claim that does not hold is a result (exit 0).
      const line = verdictLine(result.verdict, o.quick ?? false);
      writeStdout(`${result.summary}\n${(result.tables ?? []).map((t) => `\n${tableText(t)}\n`).join('')}${line}\n`);
    });

  program
    .command('validate')
    .description('run a spec on gpu, cpu (float32) and cpu64 (float64) and report where they agree')
    .argument('<spec>', 'sweep spec (JSON; - reads it from standard input)')
    .option('-o, --out <file>', 'write the report to FILE.json', onceFlag('--out', String))
    .option('-w, --workers <n>', 'CPU worker threads', onceFlag('--workers', workerCount('--workers')))
    .option('-q, --quiet', 'no progress output')
    .action(async (spec: string, o: { out?: string; workers?: number; quiet?: boolean }) => {
      if (!(await runValidate(spec, o))) process.exitCode = 1;
    });

  program
    .command('schema')
    .description('print the sweep spec as a JSON Schema (for editors: "$schema" in a spec file)')
    .option('-o, --out <file>', 'write it to FILE instead of stdout', onceFlag('--out', String))
    .action(async (o: { out?: string }) => {
      const { specJsonSchema } = await import('../core/spec-schema.ts');
      const text = `${JSON.stringify(specJsonSchema(), null, 2)}\n`;
      if (o.out !== undefined) {
        checkOutputFile('--out', o.out, [], 'spec.schema.json');
        outFormat(o.out, ['json']);
        await writeFileAtomically(o.out, [text], { signal: interruptSignal(), beforeRename: notePriorOutputs(o.out) });
      } else {
        writeStdout(text);
      }
    });

  return program;
}

/**
 * Runs the CLI and returns the exit code: 0 ok, 1 failure, 2 bad input, 3 no GPU, 130 / 143 / 129 /
 * 131 interrupted by SIGINT / SIGTERM / SIGHUP / SIGQUIT (src/cli/signals.ts; a closed stdout ends
 * it quietly with 0).
 */
export async function main(argv: readonly string[]): Promise<number> {
  interruptSignal();
  const program = buildProgram();
  try {
    process.exitCode = 0;
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    // Whatever the stopped work threw on its way out, the user asked it to stop. The clean-up is
    // done: exit now rather than when the event loop drains, whose teardown restores the default
    // signal actions (a second Ctrl-C arriving then would kill the process instead of exit 130).
    const sig = receivedSignal();
    if (sig) exitNow(reportInterrupt(sig));
    if (e instanceof CommanderError) {
      // Commander has said which command it does not know; the one that runs a spec is `sweep`.
      if (e.code === 'commander.unknownCommand') {
        const names = program.commands.map((c) => c.name());
        const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names.join('');
        process.stderr.write(`basinlab: the commands are ${list} (basinlab sweep SPEC runs a spec's runs); see basinlab --help\n`);
      }
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof SpecErrors) {
      for (const err of e.errors) process.stderr.write(`basinlab: invalid spec: ${err.message}\n`);
      return 2;
    }
    if (e instanceof SpecError) {
      process.stderr.write(`basinlab: ${e.message}\n`);
      return 2;
    }
    if (e instanceof GpuUnavailableError) {
      // Dawn's and the Vulkan loader's own lines (Warning: …, at CheckVkSuccessImpl …) may come
      // before this one on stderr: walkthrough 17 read them as a crash.
      process.stderr.write(`basinlab: no GPU: ${e.message}; ${e.instead} (any Warning lines above are the Vulkan loader's)\n`);
      return 3;
    }
    if (e instanceof GpuRunError) {
      process.stderr.write(`basinlab: GPU run failed (${e.kind}): ${e.message}; rerun with --engine cpu\n`);
      return 1;
    }
    if (e instanceof CancelledError) {
      process.stderr.write('basinlab: cancelled; nothing written\n');
      return 130;
    }
    process.stderr.write(`basinlab: ${(e as Error).message}\n`);
    if (process.env.BASINLAB_DEBUG) process.stderr.write(`${(e as Error).stack ?? ''}\n`);
    return 1;
  }
}

/** A schedule that takes an LR below 0 at the spec's values runs as torch would, said on stderr (negativeLrNote). */
function noteNegativeLr(plan: AnyPlan): void {
  const note = negativeLrNote(plan);
  if (note) process.stderr.write(`basinlab: note: ${note}\n`);
}
