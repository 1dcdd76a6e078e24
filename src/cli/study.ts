/**
 * `basinlab study NAME --out DIR`: runs a study on an engine and writes its findings and data
 * (NAME.json) and its figures (NAME-<k>.svg and .png, rasterised with resvg), in DIR, which it
 * creates (with its parents) where missing. The files appear together or not at all: each is
 * written under a temporary name and all are renamed at the end, unless the signal was aborted
 * first; a run that fails or is cancelled before then removes the directories it created. (A
 * rename that fails part way, which a rename within one directory all but never does, leaves the
 * files renamed before it, and the error names the one that failed.)
 */
import { mkdirSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { CancelledError, SpecError, printable } from '../core/errors.ts';
import { anySpecToJSON, fieldHint, specToJSON } from '../core/spec.ts';
import type { AnyPlan } from '../core/plan.ts';
import type { Engine } from '../engine/engine.ts';
import { STUDIES, findStudy } from '../studies/index.ts';
import { sweepOf, verdictHeadline } from '../studies/run.ts';
import { panelSvg } from '../view/svg.ts';
import type { StudyResult, Verdict } from '../studies/types.ts';
import { StagedFiles } from '../io/text-file.ts';
import { NO_FONT_WARNING, hasFont } from './fonts.ts';
import { pngDataUrl } from './png.ts';
import type { ProgressReporter } from './progress.ts';

export function studyNames(): string {
  return STUDIES.map((s) => s.id).join(', ');
}

/**
 * Refuses an unknown study name, with the did-you-mean spec names get (fieldHint): called before
 * any engine starts (walkthrough 23: `study swaa` started the GPU first, and without one was told
 * "no GPU" rather than of its typo).
 */
export function checkStudyName(name: string): void {
  if (findStudy(name)) return;
  const hint = fieldHint(name, STUDIES.map((s) => s.id));
  throw new SpecError('study', `unknown study '${printable(name)}'${hint ? ` (${hint})` : ''}; one of ${studyNames()}`);
}

/** The study's files in `outDir` from an earlier run: whether its JSON is there, and each figure (NAME-<k>.png/.svg) with its k. */
function studyFiles(outDir: string, id: string): { readonly json: boolean; readonly figures: readonly { readonly name: string; readonly k: number }[] } {
  let names: string[];
  try {
    names = readdirSync(outDir);
  } catch {
    return { json: false, figures: [] }; // not there yet (checkOutputDir has refused what cannot be made)
  }
  // Study ids are lower-case words and hyphens: nothing in them a pattern reads specially.
  const figure = new RegExp(`^${id}-(\\d+)\\.(?:png|svg)$`);
  return { json: names.includes(`${id}.json`), figures: names.flatMap((name) => ((m) => (m ? [{ name, k: Number(m[1]) }] : []))(figure.exec(name))) };
}

/**
 * The files an earlier run of the study left in `outDir` (its JSON and figures), which this run
 * replaces when it finishes, said as `sweep` says of an existing --out (walkthrough 17: a second run
 * replaced them without a word); null where there are none.
 */
function priorStudyFiles(outDir: string, id: string): string | null {
  const { json, figures } = studyFiles(outDir, id);
  if (!json && figures.length === 0) return null;
  const n = figures.length;
  const what = [json ? `${id}.json` : '', n > 0 ? `${n} figure file${n === 1 ? '' : 's'} (${id}-<k>.png/.svg)` : ''].filter(Boolean).join(' and ');
  return `${outDir} holds ${what} from an earlier run; they are replaced when this run finishes, figures it does not make removed (an interrupted run leaves them as they are)`;
}

/** The study's figure files in `outDir` numbered past `count` (NAME-<k>.png/.svg, k > count). */
function staleFigures(outDir: string, id: string, count: number): string[] {
  return studyFiles(outDir, id)
    .figures.filter((f) => f.k > count)
    .map((f) => f.name)
    .sort();
}

export async function runStudyCommand(
  name: string,
  outDir: string,
  engine: Engine,
  opts: {
    quick: boolean;
    full?: boolean;
    signal: AbortSignal;
    bar: (label: string) => ProgressReporter;
    engineFor?: (plan: AnyPlan) => Engine;
    float64?: Engine;
  },
): Promise<StudyResult> {
  checkStudyName(name);
  const study = findStudy(name);
  if (!study) throw new SpecError('study', `unknown study '${printable(name)}'`);
  const prior = priorStudyFiles(outDir, study.id);
  if (prior) process.stderr.write(`basinlab: note: ${prior}\n`);
  let bar: ProgressReporter | null = null;
  let label = '';
  let stage = 0;
  const planned = study.sweeps({ engine, quick: opts.quick, full: opts.full ?? false, ...(opts.float64 ? { float64: opts.float64 } : {}) });
  // The engines that ran its sweeps, for the JSON (`--engine auto` may use two).
  const used = new Set<string>();
  const result = await study.run({
    engine,
    ...(opts.float64 ? { float64: opts.float64 } : {}),
    engineFor: (plan) => {
      const e = opts.engineFor?.(plan) ?? engine;
      used.add(e.name);
      return e;
    },
    quick: opts.quick,
    full: opts.full ?? false,
    signal: opts.signal,
    onProgress: (l, p) => {
      if (l !== label) {
        bar?.stop();
        bar = opts.bar(`${study.id}, ${sweepOf(++stage, planned)}: ${l}`);
        label = l;
      }
      bar?.update(p);
    },
  });
  (bar as ProgressReporter | null)?.stop();
  if (opts.signal.aborted) throw new CancelledError();
  // The first directory made (undefined: it existed), removed again if nothing is written.
  const made = mkdirSync(outDir, { recursive: true });
  const staged = new StagedFiles(opts.signal);
  try {
    const figures: string[] = [];
    if (result.panels.length > 0 && !hasFont()) process.stderr.write(`${NO_FONT_WARNING}\n`);
    for (const [k, p] of result.panels.entries()) {
      const svg = panelSvg(p, pngDataUrl);
      const base = join(outDir, `${study.id}-${k + 1}`);
      await staged.add(`${base}.svg`, [svg]);
      const png = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' }, fitTo: { mode: 'zoom', value: 1.5 } }).render().asPng();
      await staged.add(`${base}.png`, [png]);
      figures.push(`${study.id}-${k + 1}.png`);
    }
    const data = {
      study: study.id,
      title: study.title,
      claim: study.claim,
      engine: used.size > 0 ? [...used].sort().join('+') : engine.name,
      quick: opts.quick,
      full: opts.full ?? false,
      summary: result.summary,
      tables: result.tables ?? [],
      verdict: result.verdict,
      findings: result.findings,
      figures,
      panels: result.panels.map((p) =>
        p.kind === 'heatmap'
          ? { kind: p.kind, title: p.title, mode: p.mode, spec: specToJSON(p.plan.spec), width: p.plan.width, height: p.plan.height, basin: Array.from(p.results.basin), loss: Array.from(p.results.loss), diverged: Array.from(p.results.diverged) }
          : // A panel's sources as the specs' JSON (what the app's explorer and `sweep` read).
            { ...p, ...(p.sources ? { sources: p.sources.map((q) => ({ ...q, spec: anySpecToJSON(q.spec) })) } : {}) },
      ),
    };
    await staged.add(join(outDir, `${study.id}.json`), [`${JSON.stringify(data)}\n`]);
    staged.commit();
    // An earlier run's figures numbered past this run's (a --full run's, then a --quick one's) would
    // read as this run's: they go, said (review 23).
    const stale = staleFigures(outDir, study.id, result.panels.length);
    for (const f of stale) rmSync(join(outDir, f), { force: true });
    if (stale.length > 0) process.stderr.write(`basinlab: note: removed ${stale.length} figure file${stale.length === 1 ? '' : 's'} of an earlier run numbered past this run's ${result.panels.length} (${stale.slice(0, 4).join(', ')}${stale.length > 4 ? ', …' : ''})\n`);
  } catch (e) {
    await staged.discard();
    // Only what this run made, and only while empty (review 11 found the new directory left).
    if (made !== undefined) rmEmptyDirs(made, outDir);
    throw e;
  }
  return result;
}

/**
 * The line `basinlab study` ends with: the verdict as the app heads it (studies/run.ts
 * verdictHeadline), with what was checked and what failed. A quick run's failure is no test of the
 * claim (walkthrough 22); on the command line the size that tests it is a run without --quick
 * (review 28: "the default size tests it: <failures>" read as what it tests).
 */
export function verdictLine(v: Verdict, quick: boolean): string {
  const held = v.checked.join('; ');
  const whatHeld = held ? ` (what held: ${held})` : '';
  if (v.holds) return `${verdictHeadline(true, quick).replace(/\.$/, '')}${held ? `: ${held}` : ''}.`;
  if (quick) return `The claim is not shown on this quick run (too small to show it, perhaps; run without --quick to test it): ${v.failures.join('; ')}${whatHeld}.`;
  return `${verdictHeadline(false, false).replace(/\.$/, '')}: ${v.failures.join('; ')}${whatHeld}.`;
}

/** Removes `dir` and its parents up to `top` (a directory this run made), each only while empty. */
export function rmEmptyDirs(top: string, dir: string): void {
  const stop = resolve(top);
  for (let d = resolve(dir); ; d = dirname(d)) {
    try {
      if (readdirSync(d).length > 0) return;
      rmdirSync(d);
    } catch {
      return;
    }
    if (d === stop || dirname(d) === d) return;
  }
}
