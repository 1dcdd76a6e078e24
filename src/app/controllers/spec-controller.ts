/**
 * The spec being edited and the URL that carries it: parsing and field errors, the heatmap mode
 * (the `v` of the fragment), the axes set by hand, and spec files imported. Every new view is a
 * browser history entry (history-controller.ts), so Back and Forward undo and redo edits; links and
 * files are read field by field (link.ts), what cannot be used is dropped and named. A valid spec
 * is handed on (`onValid`); what runs it is another controller's concern.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { SpecErrors } from '../../core/errors.ts';
import type { AnySpec } from '../../core/spec.ts';
import { SPEC_JSON_LIMITS, anySpecToJSON, parseAnySpec, readSpecJSON, runCount } from '../../core/spec.ts';
import { encodeUrlState } from '../../core/url.ts';
import { isRecord } from '../../core/json.ts';
import { BASINLAB_VERSION } from '../../core/encode.ts';
import type { AnyHeatmapMode } from '../../view/net-frame.ts';
import type { FieldError, HandSet } from '../spec-edit.ts';
import { DEFAULT_MODE, DEFAULT_SPEC } from '../defaults.ts';
import type { EntryState } from '../history-model.ts';
import { readLink, specOfDocument } from '../link.ts';
import type { TorchCode } from '../torch-code.ts';
import { TorchCodeError, pasteInto, readTorchCode } from '../torch-code.ts';
import { HistoryController } from './history-controller.ts';
import type { MessageLine } from './message.ts';
import { resultFileSpec } from './result-file.ts';

export { DEFAULT_SPEC } from '../defaults.ts';

/**
 * Most runs one view may have in the app: it keeps every run's results in the page (about 50 bytes a
 * run with the frames drawn from them). A 16384 x 16384 grid, which a spec allows, took the page to
 * 12.8 GB and lost the GPU device (walkthrough 8); 4096 x 4096 runs in under 1 GB.
 */
export const APP_MAX_RUNS = 4096 * 4096;

/** What the app refuses of a valid spec: more runs than it can hold (the CLI streams any count to a file). */
export function appLimitErrors(spec: AnySpec): FieldError[] {
  const runs = runCount(spec.sweep);
  if (runs <= APP_MAX_RUNS) return [];
  return [
    {
      path: 'sweep',
      message: `${runs.toLocaleString('en-US')} runs is more than the ${APP_MAX_RUNS.toLocaleString('en-US')} (4096 × 4096) the app holds: it keeps every run's results in the page. Use fewer cells, or the CLI, which streams any count to a file (npx basinlab sweep SPEC --out runs.parquet).`,
    },
  ];
}

export interface SpecChange {
  /** Run now (a zoom, the URL, an import) rather than after the editor's typing pause. */
  readonly immediate?: boolean;
  /**
   * How the view enters the browser's history: `push` a new entry (the default: an edit, a zoom, an
   * import), `replace` the current one (the first view, a link mended), `none` (Back or Forward
   * arrived at it), or `defer` it (a gesture in progress: the URL waits for its end, which pushes).
   */
  readonly record?: 'push' | 'replace' | 'none' | 'defer';
  /** The axes set by hand in the new view (kept when not given). */
  readonly handSet?: HandSet;
}

const NONE: HandSet = new Set<string>();

function sameSet(a: HandSet, b: HandSet): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

export class SpecController implements ReactiveController {
  /** The spec as edited (normalised by the parser once valid). */
  json: Record<string, unknown> = { ...DEFAULT_SPEC };
  /** The last valid spec. */
  current: AnySpec | null = null;
  errors: FieldError[] = [];
  /** The colouring chosen; a map shows it where its kind has it (net-frame.ts modeFor). */
  mode: AnyHeatmapMode = DEFAULT_MODE;
  /** Sweep axes whose range the user typed: they keep it when the optimiser or surface changes. */
  handSet: HandSet = NONE;
  readonly history: HistoryController;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly message: MessageLine,
    private readonly onValid: (change: SpecChange) => void,
  ) {
    host.addController(this);
    this.history = new HistoryController(host, (hash, st) => this.arrive(hash, st));
  }

  hostConnected(): void {}

  hostDisconnected(): void {}

  /** Starts from the URL's spec (or the default), saying what of the link could not be used. */
  init(): void {
    const st = this.history.start();
    const link = readLink(location.hash, DEFAULT_SPEC);
    this.mode = link.mode ?? DEFAULT_MODE;
    this.handSet = new Set(st?.handSet ?? []);
    this.sayAboutRun(link.notices.join(' '));
    this.setSpec(link.spec ?? { ...DEFAULT_SPEC }, { immediate: true, record: 'replace' });
  }

  /**
   * Told of each arrival (Back, Forward, a link pasted into the open page) before its view runs:
   * the rest of the fragment (the selected and pinned runs) is the app's to read. `same`: the
   * entry's spec is the one shown, so no new sweep will come.
   */
  onArrive: ((hash: string, same: boolean) => void) | null = null;

  /** Back or Forward (or a fragment typed by hand) arrived at `hash`. */
  private arrive(hash: string, st: EntryState | null): void {
    const link = readLink(hash, DEFAULT_SPEC);
    this.mode = link.mode ?? DEFAULT_MODE;
    const handSet = new Set(st?.handSet ?? []);
    // An entry the app did not write gets its state (and its mended link) written now.
    const record = st ? 'none' : 'replace';
    const spec = link.spec ?? { ...DEFAULT_SPEC };
    const same = JSON.stringify(spec) === JSON.stringify(this.json) && this.errors.length === 0;
    this.onArrive?.(hash, same);
    // A link that reads cleanly after one that did not: the old notice goes where it still shows,
    // since no sweep starts to clear it when only the colouring changed (walkthrough 15: "the
    // link's view 'bogus'…" stayed over the map the next link coloured by final loss).
    const before = this.linkNotice;
    this.sayAboutRun(link.notices.join(' '));
    if (link.notices.length === 0 && before !== '' && this.message.text === before) this.message.say('');
    if (same) {
      this.handSet = handSet;
      if (record === 'replace') this.writeUrl('replace');
      this.host.requestUpdate();
    } else {
      this.setSpec(spec, { immediate: true, record, handSet });
    }
  }

  /**
   * What a link or file could not give the view it starts, said before that view's sweep starts and
   * kept through its start: said after, it was cleared by the start of a sweep that begins after an
   * await (a network's data set loading), 20 ms later (walkthrough 10: an import's dropped fields
   * flashed and vanished, and the changed experiment ran without a word).
   */
  private sayAboutRun(text: string): void {
    if (text !== '') this.message.say(text, { aboutNextRun: true });
    this.linkNotice = text;
  }

  /** What the last link read said (sayAboutRun), to take back when the next one says nothing. */
  private linkNotice = '';

  /**
   * The fragment of the shown view: the spec, the colouring, and what other parts of the page keep
   * there (the open study). The selected and pinned runs (`run=`, `pin=`) are left out: the app
   * writes them once they have moved to the new view's runs (AppController, run-link.ts).
   */
  private hash(): string {
    const own = new Set(['s', 'v', 'run', 'pin']);
    const extra = Object.fromEntries([...new URLSearchParams(location.hash.slice(1))].filter(([k]) => !own.has(k)));
    return encodeUrlState(this.json, { ...extra, v: this.mode });
  }

  private lastRecorded: { hash: string; handSet: HandSet } | null = null;

  private writeUrl(record: 'push' | 'replace'): void {
    const hash = this.hash();
    // A view that did not change (the same value typed again) is no new entry.
    const unchanged = this.lastRecorded !== null && this.lastRecorded.hash === hash && sameSet(this.lastRecorded.handSet, this.handSet);
    this.history.record(hash, this.handSet, record === 'push' && !unchanged);
    this.lastRecorded = { hash, handSet: this.handSet };
  }

  /** A new spec from the editor, an import, a zoom or the URL: validate, and hand it on if valid. */
  setSpec(json: Record<string, unknown>, change: SpecChange = {}): void {
    this.json = json;
    if (change.handSet) this.handSet = change.handSet;
    try {
      const spec = parseAnySpec(json);
      const refused = appLimitErrors(spec);
      if (refused.length > 0) {
        this.errors = refused;
        this.host.requestUpdate();
        return;
      }
      this.current = spec;
      this.errors = [];
      this.json = anySpecToJSON(spec);
    } catch (e) {
      if (e instanceof SpecErrors) {
        this.errors = e.errors.map((x) => ({ path: x.path, message: x.message }));
        this.host.requestUpdate();
        return;
      }
      throw e;
    }
    const record = change.record ?? 'push';
    if (record === 'push' || record === 'replace') this.writeUrl(record);
    else if (record === 'none') this.lastRecorded = { hash: this.hash(), handSet: this.handSet };
    this.onValid(change);
    this.host.requestUpdate();
  }

  setMode(mode: AnyHeatmapMode): void {
    if (mode === this.mode) return;
    this.mode = mode;
    if (this.errors.length === 0) this.writeUrl('push');
    this.host.requestUpdate();
  }

  /** The default view, as a new history entry (Back returns to what was there). */
  reset(): void {
    this.mode = DEFAULT_MODE;
    this.setSpec({ ...DEFAULT_SPEC }, { immediate: true, handSet: NONE });
    if (this.errors.length === 0) this.message.say('Reset to the default view (Back returns to the previous one).', { tone: 'info' });
  }

  /** A curated view: its spec and colouring, as a new history entry. */
  open(json: Record<string, unknown>, mode: AnyHeatmapMode): void {
    this.mode = mode;
    this.setSpec(json, { immediate: true, handSet: NONE });
  }

  /**
   * PyTorch code the user pasted (torch-code.ts): its optimiser and scheduler replace the view's (an
   * optimiser without a scheduler runs at a constant LR, as in torch), the rest of the view (problem,
   * sweep, steps) kept where the pasted code allows; what the spec cannot use is dropped and named,
   * as for an import. Returns why nothing could be read (the code's line and column), or null.
   */
  applyTorchCode(text: string): string | null {
    let read: TorchCode;
    try {
      read = readTorchCode(text);
    } catch (e) {
      if (e instanceof TorchCodeError) return e.message;
      throw e;
    }
    const into = pasteInto(this.json, read);
    if ('refused' in into) return into.refused;
    const { spec, dropped } = specOfDocument(into.json, DEFAULT_SPEC);
    // What was read and kept: a key the spec dropped (a misspelt `momentm`) is said under Dropped only (walkthrough 21).
    const fieldsOf = (o: Record<string, unknown>, prefix: string): string => {
      const keys = Object.keys(o).filter((k) => k !== 'name' && k !== 'schedulers' && !dropped.some((d) => d === `${prefix}.${k}` || d.startsWith(`${prefix}.${k} `) || d.startsWith(`${prefix}.${k}.`)));
      return keys.length > 0 ? ` (${keys.join(', ')})` : ' (its defaults)';
    };
    const what = [read.optimizer ? `${String(read.optimizer.name)}${fieldsOf(read.optimizer, 'optimizer')}` : '', read.schedule ? `${String(read.schedule.name)}${fieldsOf(read.schedule, 'schedule')}` : '']
      .filter((t) => t !== '')
      .join(' and ');
    const swept = (spec.sweep as { x?: { param?: string }; y?: { param?: string } } | null | undefined) ?? null;
    // A swept optimiser or schedule field is the axis's, run by run, whatever the code gave it.
    const axes = [swept?.x?.param, swept?.y?.param].filter((p): p is string => typeof p === 'string' && /^(optimizer|schedule)\./.test(p));
    this.sayAboutRun(
      [
        `Read from the pasted code: ${what}.`,
        ...into.notes,
        axes.length > 0 ? `The sweep sets ${axes.join(' and ')} run by run (its axes), whatever the code gave.` : '',
        ...read.notes,
        dropped.length > 0 ? `Dropped what could not be used (the rest is shown): ${dropped.join('; ')}.` : '',
      ]
        .filter((t) => t !== '')
        .join(' '),
    );
    this.setSpec(spec, { immediate: true });
    return null;
  }

  /**
   * A file the user picked: a spec, the app's own JSON export or a result file of the CLI (JSON,
   * Parquet or Arrow: the spec it records). Shown and run as a new view, what could not be used
   * dropped and named; or a message saying why it cannot be read at all.
   */
  async importFile(file: File): Promise<void> {
    try {
      const binary = await resultFileSpec(file);
      let json: unknown;
      if (binary !== null) {
        json = readSpecJSON(binary);
      } else {
        // The spec reader's own bounds: a file larger than any spec or result document is refused before it is read.
        if (file.size > SPEC_JSON_LIMITS.maxChars * 4) throw new Error(`${file.size} bytes is larger than any spec`);
        json = readSpecJSON(await file.text());
      }
      const { spec, dropped, fromResults } = specOfDocument(binary !== null ? { spec: json } : json, DEFAULT_SPEC);
      const what = binary !== null || fromResults ? `the spec recorded in ${file.name}` : file.name;
      // A result document names the basinlab that wrote it: another one's may hold what this page
      // reads differently or not at all (walkthrough 15: a "9.9.9" document was read without a word).
      const version = isRecord(json) && typeof json.version === 'string' && json.version !== BASINLAB_VERSION ? ` It was written by basinlab ${json.version.slice(0, 20)}; this page is ${BASINLAB_VERSION}.` : '';
      this.sayAboutRun(`${dropped.length > 0 ? `Imported ${what}; dropped what could not be used (the rest is shown): ${dropped.join('; ')}.` : `Imported ${what}.`}${version}`);
      this.setSpec(spec, { immediate: true, handSet: NONE });
    } catch (e) {
      this.message.say(`Could not import ${file.name}: ${(e as Error).message}`);
    }
  }
}
