/**
 * <bl-app>: the page. Lays out the editor, the heatmap and the run's details, and forwards user
 * actions to the app's controllers (controllers/app-controller.ts), which hold all state.
 */
import { LitElement, css, html, nothing } from 'lit';
import { FOCUS_RING } from './focus-ring.ts';
import type { PropertyValues, TemplateResult } from 'lit';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import type { Plan } from '../../core/plan.ts';
import { cellOfRun, middleRun } from '../../core/plan.ts';
import { anySpecToJSON } from '../../core/spec.ts';
import { scheduleCurve } from '../../core/steps.ts';
import type { Trajectory } from '../../core/trajectory.ts';
import { minimumColour, OKABE_ITO } from '../../view/colors.ts';
import type { HeatmapFrame, HeatmapMode } from '../../view/frame.ts';
import { HEATMAP_MODES, MODE_LABEL, basinOverlay } from '../../view/frame.ts';
import { formatNumber } from '../../view/ticks.ts';
import { caption, count, divergedText, negativeLrNote, netCaption, prose, shortParam } from '../../view/caption.ts';
import { heatmapLegend, netHeatmapLegend } from '../../view/legend.ts';
import type { NetPlan } from '../../core/network/plan.ts';
import type { NetFrame, NetHeatmapMode } from '../../view/net-frame.ts';
import { NET_MODE_LABEL, modeFor, netModesOf } from '../../view/net-frame.ts';
import { NET_FIELD_LABEL, drawnRuns, groupLrCurves, groupLrTexts, netCoordinateNames, netCurves, netRunLabel, netThresholdText, spansDecades } from '../net-runs.ts';
import { trainsOnMinibatches } from '../../core/network/plan.ts';
import { MAX_PINS, heatmapAxis, runPanelHeading } from '../runs.ts';
import type { NetTrajectory } from '../../core/trajectory.ts';
import { NET_PREVIEW_INK } from '../controllers/net-preview-controller.ts';
import { MessageToastController } from '../controllers/message-toast.ts';
import { TORCH_EXAMPLE, TorchPasteController } from '../controllers/torch-paste-controller.ts';
import type { NetRun } from '../controllers/net-runs-controller.ts';
import type { OverlayLine, Panel, PanelSource } from '../../view/panels.ts';
import type { AnyHeatmapMode } from '../../view/net-frame.ts';
import { figureOpens, opensElsewhereNote } from '../../view/panels.ts';
import { startCurvatureNote, theoryLines } from '../../view/theory.ts';
import { DEFAULT_MODE } from '../defaults.ts';
import { FIGURE_SCALES } from '../controllers/export-controller.ts';
import { PRESETS, findPreset, presetOf } from '../presets.ts';
import type { ViewAction } from './view-bar.ts';
import './view-bar.ts';
import './view-notes.ts';
import { AppController } from '../controllers/app-controller.ts';
import { probeHeadline, probeText } from '../controllers/precision-probe-controller.ts';
import { probingText, resolvedHeadline, resolvedText } from '../precision-probe.ts';
import type { ClassAgreement } from '../../core/validate.ts';
import type { EngineSet } from '../controllers/engines.ts';
import { StudyController, verdictClass } from '../controllers/study-controller.ts';
import { verdictHeadline } from '../../studies/run.ts';
import { memoByKey, memoLast } from '../memo.ts';
import { GLOSSARY } from '../../studies/glossary.ts';
import { surfaceGrid, type SurfaceGrid } from '../surface-grid.ts';
import { KeyboardController } from '../controllers/keyboard-controller.ts';
import { keptNetSliders, paramSliders, sliderCurve } from '../sliders.ts';
import { countOutcomes, fieldText, heatmapSummary, logLrAxis, netSummary, runText, schedulePurpose, scheduleText } from '../summary.ts';
import type { CellEventDetail, PinnedCell, ZoomAroundDetail, ZoomDetail } from './heatmap.ts';
import './heatmap.ts';
import { GRAD_INK } from './contour-plot.ts';
import type { StartMoveDetail } from './contour-plot.ts';
import './line-chart.ts';
import type { ParamInputDetail } from './param-sliders.ts';
import './param-sliders.ts';
import './race-view.ts';
import './run-panel.ts';
import type { SelectedRun } from './run-panel.ts';
import { setAt } from '../spec-edit.ts';
import { badgeBesideStudy, engineLine } from '../run-status.ts';
import './spec-editor.ts';
import type { SpecChangeDetail, SpecChangeEvent } from './spec-editor.ts';

/** What the dashed path of a trajectory shows: where each step took its gradient. */
function gradPointLabel(plan: Plan): string {
  const both = plan.spec.sam && plan.optimizer.gradSlot;
  if (plan.spec.sam) {
    return `where each step took its gradient: SAM's ascent point w + e(w)${both ? ` around ${plan.optimizer.id}'s y` : ''}; the solid path is ${both ? 'the average x it reports' : 'the weights'}`;
  }
  return `where each step took its gradient: y, between ${plan.optimizer.id}'s average and its base sequence; the solid path is the average x it reports (eval())`;
}

/** The status line's zoom hint: a grid zooms (a one-row grid along its axis); other sweeps do not. */
function zoomHint(sweep: { readonly kind: string; readonly y?: unknown } | null | undefined): string {
  return sweep?.kind !== 'grid' ? '' : sweep.y ? 'drag a rectangle to zoom, ' : 'drag across the strip or the curve to zoom, ';
}

/** Pinned runs' cells in a grid `width` wide, each in its pin's colour. */
function pinnedCells(pins: readonly { readonly run: number; readonly colour: string }[], width: number): readonly PinnedCell[] {
  return width > 0 ? pins.map((p) => ({ ...cellOfRun({ width }, p.run), colour: p.colour })) : [];
}

export class BlApp extends LitElement {
  static override properties = { engines: { attribute: false } };
  declare engines: EngineSet;

  private ctl: AppController | null = null;
  /** The message line pinned to the window's bottom while the line itself is out of sight. */
  private toast: MessageToastController | null = null;
  private paste: TorchPasteController | null = null;
  private studies: StudyController | null = null;

  static override styles = [
    FOCUS_RING,
    css`
    :host { display: block; font: 13px system-ui, sans-serif; color: #1d1d1f; background: #fafafa; min-height: 100vh; }
    header { position: relative; display: flex; gap: 12px; align-items: center; padding: 8px 14px; background: #fff; border-bottom: 1px solid #ddd; flex-wrap: wrap; }
    /* The run's state and time left keep one width, so the controls after them stay put while it runs. */
    .run-state-box { display: inline-flex; gap: 8px; min-width: 10.5em; white-space: nowrap; }
    h1 { font-size: 17px; margin: 0 8px 0 0; }
    .status { color: #555; font-size: 12px; max-width: 520px; }
    .purpose { font-size: 13px; max-width: 520px; margin: 4px 0; line-height: 1.4; }
    bl-heatmap[hidden] { display: none; }
    .one-run { max-width: 520px; margin: 8px 0; padding: 8px 10px; border: 1px solid #d8d8d8; background: #fafafa; font-size: 13px; }
    .one-run p { margin: 4px 0; }
    button, select { font: inherit; padding: 3px 8px; }
    /* Study titles are long: the picker may not widen a phone's page, nor take a row of its own on a
       laptop's (the header wrapped to five rows at 800 px: walkthrough 7). The open menu shows them whole. */
    header select { max-width: min(20em, calc(100vw - 90px)); }
    /* Narrow enough to share the view bar's row at 1280 px (a third header row cost the first screen its legend: walkthroughs 9 and 10). */
    header select[data-testid='study-select'] { max-width: min(13em, calc(100vw - 90px)); }
    progress { width: 160px; }
    /* Three columns from 1100 px up, the runs beside the heatmap so that what a hover or a click
       shows is in sight (with the runs under the map, a 1280 x 800 laptop showed them 900 px below
       the fold: walkthrough 7); narrower columns below 1400 px. Below 1100 px one column: the
       heatmap first, then its runs, then the editor (a phone shows the picture before the form; the
       skip link leads the keyboard there too). */
    main { display: grid; gap: 12px; padding: 12px; align-items: start;
      grid-template-columns: 360px minmax(0, 672px) minmax(340px, 1fr); grid-template-areas: 'editor heatmap details'; }
    main > section { min-width: 0; }
    .editor-col { grid-area: editor; overflow-x: auto; }
    .heatmap-col { grid-area: heatmap; }
    .details { grid-area: details; }
    @media (max-width: 1399px) {
      main { grid-template-columns: 310px minmax(0, 1fr) minmax(320px, 0.85fr); gap: 10px; padding: 10px; }
    }
    /* One column (below 1100 px) puts the editor under the map and the runs: a button reaches it. */
    .to-editor { display: none; }
    @media (max-width: 1099px) {
      main { grid-template-columns: minmax(0, 1fr); grid-template-areas: 'heatmap' 'details' 'editor'; padding: 8px; gap: 8px; }
      header { padding: 6px 8px; gap: 6px 8px; }
      .to-editor { display: inline-block; }
      /* The header wraps here anyway: the places kept for the run's state and the verdict chip left
         gaps in its rows ("Validate vs CPU" alone at the left, CSV mid-row: walkthrough 19). */
      .run-state-box { min-width: 0; }
      .verdict-slot:empty { min-width: 0; }
    }
    section { background: #fff; border: 1px solid #e2e2e2; border-radius: 6px; padding: 10px; }
    .skip { position: absolute; left: 8px; top: -40px; background: #fff; padding: 4px 8px; border: 2px solid #2f6fdf; z-index: 10; }
    .skip:focus { top: 8px; }
    [role='tablist'] { display: flex; gap: 4px; margin-bottom: 8px; border-bottom: 1px solid #ddd; }
    [role='tab'] { border: 1px solid #ccc; border-bottom: none; background: #f4f4f6; border-radius: 4px 4px 0 0; padding: 3px 10px; }
    [role='tab'][aria-selected='true'] { background: #fff; font-weight: 600; }
    details.sliders { margin: 0 0 8px; }
    details.sliders > summary { cursor: pointer; font-weight: 600; margin: 4px 0; }
    /* The run's details keep their room while a sweep re-runs (a dragged start would jump otherwise). */
    .run-info-box { min-height: 12.5em; }
    .modes { display: flex; gap: 4px; margin-bottom: 8px; flex-wrap: wrap; }
    .modes button[aria-pressed='true'] { background: #1d1d1f; color: #fff; }
    .message { margin: 6px 0; color: #8a3b00; max-width: 640px; }
    .message.passed, .message.info { color: #333; }
    .message details.inline { display: inline; }
    .message details.inline > summary { display: inline; cursor: pointer; color: #0b5cad; }
    .message details.inline[open] > p { margin: 4px 0 0; }
    /* Empty: no height, but still laid out, so the toast's observer knows where the line is. */
    .message:empty { margin: 0; }
    .toast {
      position: fixed; left: 50%; bottom: 12px; transform: translateX(-50%); z-index: 20;
      max-width: min(640px, calc(100vw - 24px)); box-sizing: border-box; display: flex; gap: 10px; align-items: flex-start;
      padding: 8px 10px; background: #fff8f2; color: #8a3b00; border: 1px solid #e2b58f; border-radius: 6px; box-shadow: 0 2px 10px rgba(0, 0, 0, 0.18);
    }
    .toast[hidden] { display: none; }
    .toast button { flex: none; }
    .details dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 10px; margin: 4px 0 8px; }
    .details dt { color: #666; }
    .details dd { margin: 0; font-variant-numeric: tabular-nums; }
    h2 { font-size: 13px; margin: 6px 0; }
    .row { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
    .study { margin: 12px 12px 0; }
    .explorer-head { margin: 14px 12px 0; padding-top: 8px; border-top: 1px solid #ddd; font-weight: normal; color: #444; }
    .study-table { border-collapse: collapse; margin: 0 0 12px; font-size: 13px; }
    .table-title { font-weight: bold; margin: 10px 0 4px; }
    .study-table th, .study-table td { border-bottom: 1px solid #ddd; padding: 3px 10px; text-align: right; }
    .study-table th[scope='row'], .study-table thead th:first-child { text-align: left; font-weight: normal; }
    .study-table thead th { border-bottom: 1px solid #888; }
    .terms { margin: 0 0 8px; font-size: 13px; }
    .terms dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 12px; margin: 6px 0 0 12px; max-width: 72em; }
    .terms dt { font-weight: bold; }
    .terms dd { margin: 0; }
    .precision-note { max-width: 640px; margin: 6px 0; color: #555; font-size: 13px; min-height: 1.3em; }
    .precision-note details.inline > summary { cursor: pointer; }
    .precision-note details.inline > p { margin: 4px 0 0; }
    .precision-warning { max-width: 640px; margin: 6px 0; padding: 6px 10px; border-left: 4px solid #d55e00; background: #fbeee6; }
    .precision-warning p { margin: 4px 0; }
    .precision-warning details { font-size: 13px; color: #444; }
    .explorer-closed { margin-bottom: 24px; }
    .explorer-closed p { margin: 8px 12px; max-width: 72em; color: #333; line-height: 1.5; }
    .figures { display: flex; flex-wrap: wrap; gap: 10px; }
    /* As wide as its figure: the buttons and the note under it wrap rather than widen it. */
    figure { margin: 0; border: 1px solid #eee; width: min-content; }
    .study dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 10px; }
    .study dd { margin: 0; }
    .study .note { color: #555; font-size: 12px; }
    /* The study's verdict: first thing after the claim, a colour and a word (not the colour alone). */
    .claim-verdict { max-width: 900px; padding: 6px 10px; margin: 8px 0; border-left: 4px solid; border-radius: 2px; }
    .claim-verdict .note { margin-top: 4px; }
    .claim-verdict .checked { margin-top: 4px; color: #333; }
    .claim-verdict .checked ul, .claim-verdict ul.failures { margin: 2px 0 0; padding-left: 20px; }
    .claim-verdict.holds { border-color: #009e73; background: #e9f6f1; }
    .claim-verdict.fails { border-color: #d55e00; background: #fbeee6; }
    .claim-verdict.unshown { border-color: #e69f00; background: #fdf6e3; }
    .verdict { font-weight: 600; padding: 2px 6px; border-radius: 3px; }
    .verdict-slot { display: inline-block; min-width: 10em; white-space: nowrap; }
    .verdict.pass { background: #e3f4ea; color: #0b6b35; }
    .verdict.fail { background: #fde8e6; color: #9b1c13; }
    .verdict.warn { background: #fbeee6; color: #8a3b00; }
    .open { display: flex; flex-wrap: wrap; gap: 4px; padding: 4px; align-items: center; }
    .paste { position: absolute; top: 100%; right: 14px; z-index: 20; width: min(640px, calc(100vw - 40px)); background: #fff; border: 1px solid #999; border-radius: 4px; box-shadow: 0 4px 16px rgba(0, 0, 0, 0.2); padding: 10px 12px; font-size: 13px; }
    .paste h2 { font-size: 14px; margin: 0 0 4px; }
    .paste p { margin: 4px 0; color: #333; }
    .paste textarea { width: 100%; box-sizing: border-box; font: 12px/1.4 ui-monospace, monospace; }
    .paste .paste-error { color: #9b1c13; }
    .paste .row { display: flex; gap: 6px; margin-top: 6px; }
    .open .elsewhere { color: #555; font-size: 12px; }
  `,
  ];

  /** The "Paste torch…" dialog (TorchPasteController holds its state). */
  private pasteDialog() {
    const p = this.paste;
    if (!p?.open) return nothing;
    return html`<div class="paste" role="dialog" aria-modal="false" aria-labelledby="paste-title" data-testid="paste-dialog" @keydown=${(e: KeyboardEvent) => {
      if (e.key === 'Escape') p.hide();
    }}>
      <h2 id="paste-title">Paste PyTorch code</h2>
      <p>The lines that make your optimizer and scheduler, as you wrote them for torch. They replace this view's optimizer and schedule; the problem, sweep and steps stay. Keyword arguments are read under torch's names; a value out of torch's range is named and dropped.</p>
      <textarea data-testid="paste-text" rows="6" spellcheck="false" aria-label="PyTorch code" placeholder=${TORCH_EXAMPLE} .value=${p.text} @input=${(e: Event) => p.edit((e.target as HTMLTextAreaElement).value)}></textarea>
      ${p.error ? html`<p class="paste-error" role="alert" data-testid="paste-error">${p.error}</p>` : nothing}
      <div class="row"><button data-testid="paste-apply" @click=${() => p.submit()}>Apply</button><button @click=${() => p.hide()}>Cancel</button></div>
    </div>`;
  }

  /** Opens the paste dialog, its box taking the focus for the paste. */
  private async openPaste(): Promise<void> {
    this.paste?.show();
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLTextAreaElement>('[data-testid="paste-text"]')?.focus();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.ctl && this.engines) {
      // Read before the spec controller rewrites the fragment with its spec.
      const study = new URLSearchParams(location.hash.slice(1)).get('study');
      // A study figure's sweep opened in the explorer shows from the study's run of it.
      this.ctl = new AppController(this, this.engines, (plan) => this.studies?.sweepOf(plan) ?? null);
      this.studies = new StudyController(this, this.engines);
      const ctl = this.ctl;
      this.toast = new MessageToastController(this, ctl.message, () => this.renderRoot.querySelector('[data-testid="message"]'));
      this.paste = new TorchPasteController(this, (text) => ctl.spec.applyTorchCode(text));
      new KeyboardController(this, (a) => ctl.keyAction(a));
      this.ctl.init({ hold: study !== null });
      if (study) this.ctl.releaseAfter(this.studies.select(study));
    }
  }

  /** For the app's own use and for tests: the controllers holding the state. */
  get controller(): AppController | null {
    return this.ctl;
  }

  get studyController(): StudyController | null {
    return this.studies;
  }

  private studyView() {
    const st = this.studies;
    const s = st?.open;
    if (!st || !s) return nothing;
    const p = st.progress;
    return html`<section class="study" data-testid="study">
      <div class="row">
        <h2 style="font-size:15px;margin:0">${s.title}</h2>
        <!-- Before the texts that change while the study runs (its sweep's label, how far it has come), so they never move it under the pointer. -->
        <button data-testid="close-study" @click=${() => this.closeStudy()}>Close</button>
        ${st.running
          ? html`<button @click=${() => st.cancel()}>Cancel</button><span>${st.label}</span><progress max=${p?.total ?? 1} value=${p?.done ?? 0}></progress>
              <span class="status" data-testid="study-sofar">${st.sofar()}</span>${(() => {
              const left = st.timeLeft();
              return left ? html`<span class="status" data-testid="study-time-left">${left} in this sweep</span>` : nothing;
            })()}`
          : html`<button @click=${() => void st.run()}>Run again</button>${st.tookText() ? html`<span class="status" data-testid="study-took">${st.tookText()}</span>` : nothing}`}
      </div>
      <p><b>Claim.</b> ${s.claim}</p>
      ${s.terms.length > 0
        ? html`<details class="terms" data-testid="study-terms"><summary>Terms used here</summary><dl>${s.terms.map((t) => html`<dt>${t}</dt><dd>${GLOSSARY[t]}</dd>`)}</dl></details>`
        : nothing}
      ${st.error ? html`<p class="message">${st.error}</p>` : nothing}
      ${st.result
        ? html`<div class="claim-verdict ${verdictClass(st.result.verdict.holds, st.quick)}" data-testid="study-verdict" role="status">
              <b>${verdictHeadline(st.result.verdict.holds, st.quick)}</b>
              ${st.result.verdict.failures.length > 0
                ? html`<ul class="failures" data-testid="study-failures">${st.result.verdict.failures.map((f) => html`<li>${f}</li>`)}</ul>`
                : nothing}
              ${st.result.verdict.checked.length > 0
                ? html`<div class="checked" data-testid="study-checked">
                    ${st.result.verdict.holds ? 'What was checked, with this run’s numbers:' : 'What held:'}
                    <ul>${st.result.verdict.checked.map((c) => html`<li>${c}</li>`)}</ul>
                  </div>`
                : nothing}
              ${st.quick
                ? html`<div class="note" data-testid="study-quick">This is the study's quick variant (fewer runs and steps), which can miss what a larger run
                    shows: its default size takes ${s.cpuMinutes !== undefined ? `about ${formatNumber(s.cpuMinutes)} minutes on a 2-core machine's` : 'longer on a'} CPU engine.
                    <button data-testid="study-run-default" @click=${() => void st.run('default')}>Run the default size</button>
                    (or <code>basinlab study ${s.id}</code>${s.problem === 'network' ? html`; <code>--full</code> runs the papers' size` : nothing})</div>`
                : nothing}
            </div>
            <div data-testid="study-summary">${st.result.summary.split('\n\n').map((para) => html`<p>${para}</p>`)}</div>
            ${(st.result.tables ?? []).map(
              (t, k) => html`<p class="table-title" id=${`study-table-${k}`}>${t.title}</p>
              <table class="study-table" data-testid="study-table" aria-labelledby=${`study-table-${k}`}>
                <thead><tr>${t.columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
                <tbody>${t.rows.map((r) => html`<tr>${r.map((c, k) => (k === 0 ? html`<th scope="row">${c}</th>` : html`<td>${c}</td>`))}</tr>`)}</tbody>
              </table>`,
            )}`
        : nothing}
      <div class="figures">${st.svgs.map((svg, k) => {
        const panels = st.result?.panels ?? [];
        const panel = panels[k];
        const opens = this.figureOpens(panels)[k];
        const note = opens ? opensElsewhereNote(panels, opens) : '';
        return html`<figure data-testid="study-figure">${unsafeHTML(svg)}${panel && opens
          ? html`<figcaption class="open">${opens.offers.map(
              (src) => html`<button data-testid="open-in-explorer" title="Show this sweep in the explorer below" @click=${() => void this.openPanel(panel, src)}>Open ${src.label} in explorer</button>`,
            )}${note ? html`<span class="elsewhere" data-testid="opens-elsewhere">${note}</span>` : nothing}</figcaption>`
          : nothing}</figure>`;
      })}</div>
      ${st.result
        ? html`<details><summary>Findings: every number behind the claim, by its key in the study's JSON</summary><dl>${Object.entries(st.result.findings).map(
            ([k, v]) => html`<dt>${k}</dt><dd>${Array.isArray(v) ? v.map((x) => (typeof x === 'number' ? formatNumber(x) : x)).join(', ') : typeof v === 'number' ? formatNumber(v) : String(v)}</dd>`,
          )}</dl></details>`
        : nothing}
    </section>`;
  }

  /**
   * Above a network map, what its precision probe says: checking, resolved (a quiet line), or past
   * float32's resolution (a warning, offering float64 where float64 resolves the view), or past
   * float64's too. Nothing once the validation said it.
   */
  private probeNote(plan: NetPlan): TemplateResult | typeof nothing {
    const ctl = this.ctl;
    // The validation's headline says float32 does not resolve the view; the probe's note stays
    // where it has more to say: that float64 does not either.
    if (!ctl || (ctl.validation.netResult?.rounding && ctl.probe.float64Fails(plan) !== true)) return nothing;
    // Its line's room is kept while the sweep runs, so the map does not move down under the pointer
    // when the check starts (walkthrough 10: 35 px, just as the map was done).
    const room = html`<p class="precision-note" aria-hidden="true"></p>`;
    if (ctl.sweep.running) return room;
    const probe = ctl.probe;
    if (probe.probed?.plan === plan) return html`<p class="precision-note" data-testid="precision-probing" role="status">${probingText(probe.probed.runs, probe.probed.judging)}</p>`;
    const r = probe.result;
    if (!r || r.plan !== plan) return room;
    // Resolved: a short line, the measurement folded under it (nothing to act on).
    const ok = (split: ClassAgreement, judged: 'float32' | 'float64'): TemplateResult =>
      html`<div class="precision-note" data-testid="precision-ok" role="status">
        <details class="inline"><summary data-testid="precision-ok-headline">${resolvedHeadline(split, judged, r.cells)}</summary>
          <p data-testid="precision-ok-detail">${resolvedText(split, r.runs, judged, 'untrained', r.cells)}</p></details>
      </div>`;
    if (r.float32 && !r.float32.past) return ok(r.float32.split, 'float32');
    if (!r.float32 && !r.float64?.past) return r.float64 ? ok(r.float64.split, 'float64') : nothing;
    // A sentence or two first, what to do next beside it; the measurement behind them folded under.
    const helps = r.float32 !== null && !r.float64?.past;
    return html`<div class="precision-warning" data-testid="precision-warning" role="status">
      <p><strong data-testid="precision-headline">${probeHeadline(r)}</strong>${ctl.netMapIsRounding(plan) ? ' The map is greyed while its colours are rounding\'s.' : ''}
        ${helps ? html`<button data-testid="run-float64" @click=${() => ctl.drawFloat64()}>Draw this view in float64</button>` : nothing}</p>
      <details><summary>How this was measured</summary><p data-testid="precision-detail">${probeText(r)}</p></details>
    </div>`;
  }

  deviceLost(message: string): void {
    this.ctl?.deviceLost(message);
  }

  // What the children are handed is derived once per change of its inputs (see memo.ts), so that a
  // re-render of the page (a progress tick, a hover) redraws none of their canvases.

  /**
   * Below 1100 px the runs' panel sits under the map (one column; from 1100 px up it is beside it),
   * so what a click selects would show out of sight: if the panel's top is below the fold, it is
   * scrolled into view.
   */
  private revealDetails(): void {
    if (!window.matchMedia('(max-width: 1099px)').matches) return;
    const d = this.renderRoot.querySelector('.details');
    if (d && d.getBoundingClientRect().top > window.innerHeight - 60) d.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }

  /** The surface sampled for the contour plot: only when the surface (or its parameters) changes. */
  private readonly contourGrid = memoByKey(
    (plan: Plan) => JSON.stringify(plan.spec.surface),
    (plan: Plan): SurfaceGrid => surfaceGrid(plan, 160, 160),
  );

  /** Pinned runs as the map outlines them (surface and network pins): each run's cell in its pin's colour. */
  private readonly pinnedCells = memoLast(pinnedCells);
  private readonly netPinnedCells = memoLast(pinnedCells);
  private readonly heatmapAxisX = memoLast(heatmapAxis);
  private readonly heatmapAxisY = memoLast(heatmapAxis);

  /** Theory drawn on the map (view/theory.ts), the caption and the legend: derived from the shown plan. */
  private readonly theory = memoLast((plan: Plan | null): readonly OverlayLine[] => (plan ? theoryLines(plan) : []));
  private readonly lrNote = memoLast((plan: Plan | NetPlan | null): string => (plan ? (negativeLrNote(plan) ?? '') : ''));
  // The plan's theory lines as drawn (memoised above), not computed again.
  private readonly startNote = memoLast((plan: Plan | null): string => (plan ? (startCurvatureNote(plan, this.theory(plan)) ?? '') : ''));
  private readonly captionText = memoLast((plan: Plan | null, mode: HeatmapMode): string => (plan ? caption(plan, mode) : ''));
  private readonly legendItems = memoLast((frame: HeatmapFrame | null, plan: Plan | null, lines: readonly OverlayLine[]) =>
    frame && plan ? heatmapLegend(frame, plan.minima, lines) : [],
  );
  private readonly presetOptions = PRESETS.map((p) => ({ id: p.id, title: p.title }));
  /** The curated view the explorer shows, if it is one (the menu shows it chosen). */
  private readonly presetShown = memoLast((json: Record<string, unknown>) => presetOf(json));
  /** What that curated view is for, shown above the caption ('' when the view is not one). */
  private presetBlurb(json: Record<string, unknown>): string {
    const id = this.presetShown(json);
    return id ? (PRESETS.find((p) => p.id === id)?.blurb ?? '') : '';
  }

  private onViewAction(a: ViewAction): void {
    const ctl = this.ctl;
    if (!ctl) return;
    switch (a.kind) {
      case 'back':
        ctl.spec.history.back();
        break;
      case 'forward':
        ctl.spec.history.forward();
        break;
      case 'reset':
        ctl.reset();
        break;
      case 'copy-link':
        void ctl.copyLink();
        break;
      case 'preset': {
        const p = findPreset(a.id);
        if (p) ctl.openView({ ...p.spec }, p.mode);
        break;
      }
      case 'figure':
        void ctl.exports.figure(a.format, a.scale);
        break;
    }
  }

  /** Which sweeps each study figure offers (each once on the page): derived once per result. */
  private readonly figureOpens = memoLast(figureOpens);

  /** A study panel's spec opened in the explorer below. */
  private async openPanel(p: Panel, src: PanelSource): Promise<void> {
    const mode: AnyHeatmapMode = p.kind === 'heatmap' ? p.mode : (src.mode ?? (src.spec.problem === 'network' ? 'convergence' : DEFAULT_MODE));
    this.ctl?.openView(anySpecToJSON(src.spec), mode);
    await this.openExplorer();
  }

  /** Opens the explorer if it was closed and brings its map into view. */
  private async openExplorer(): Promise<void> {
    this.ctl?.openExplorer();
    await this.updateComplete; // a closed explorer has no heatmap until this render
    // A network view whose sweep has not begun (its data set being read) shows its column without a
    // map yet (noNetMapSection): that column, where the map will be.
    (this.renderRoot.querySelector('bl-heatmap') ?? this.renderRoot.querySelector('section.heatmap-col'))?.scrollIntoView({ block: 'start' });
  }

  /** Closes the study: the explorer, alone on the page now, opens if it was closed. */
  private closeStudy(): void {
    void this.studies?.select(null);
    this.ctl?.openExplorer();
  }

  /** Basin colours laid over the contour plot when the sweep is start.0 x start.1. */
  private readonly startMap = memoLast(basinOverlay);

  /** The schedule's curves: the one per-step schedule of core (the engines' own). */
  private readonly scheduleChart = memoLast((plan: Plan | null, race: boolean) => {
    if (!plan) return { series: [], log: false };
    // The middle run's, as the note says; the race's lanes start from the editor's values (scheduleText).
    const c = scheduleCurve(plan, 'f64', race ? null : middleRun(plan));
    return {
      series: [
        { label: 'LR', values: c.lr, colour: OKABE_ITO.blue },
        ...(c.momentum ? [{ label: c.momentumName ?? 'momentum', values: c.momentum, colour: OKABE_ITO.vermillion, axis: 'right' as const }] : []),
      ],
      log: logLrAxis(c.lr),
    };
  });

  /** The heatmap in words: counts per outcome once the sweep is complete (a live region must not chatter while it fills). */
  private readonly summaryText = memoLast((plan: Plan | null, columns: { basin: ArrayLike<number>; diverged: ArrayLike<number> } | null, ready: number, running: boolean, mode: HeatmapMode): string => {
    if (!plan) return '';
    if (running || !columns) return `Running a sweep of ${count(plan.runs)} runs…`;
    return heatmapSummary(plan, countOutcomes(columns, ready, plan.runs, plan.minima.length), mode);
  });

  /** The schedule's LR drawn small under its sliders. */
  private readonly sliderCurve = memoLast((plan: Plan | NetPlan | null) => (plan ? sliderCurve(plan) : null));

  /** The fixed hyperparameters' sliders. */
  private readonly sliders = memoLast((json: Record<string, unknown>, plan: Plan | null) => (plan ? paramSliders(json, plan) : []));

  private readonly selectedRun = memoLast((t: Trajectory | null, label: string, source: string, exact: boolean, has: boolean): SelectedRun | null =>
    has ? { trajectory: t, label, source, exact } : null,
  );

  /** The runs' start point, when every run starts there (the sweep does not vary it). */
  private readonly startPoint = memoLast((plan: Plan | null): readonly [number, number] | null =>
    plan && !plan.dims.some((d) => d.path === 'start.0' || d.path === 'start.1') ? [plan.spec.start[0], plan.spec.start[1]] : null,
  );

  /** A live edit of the spec (a slider, the dragged start). */
  private liveEdit(path: string, value: unknown, final: boolean): void {
    const ctl = this.ctl;
    if (!ctl) return;
    ctl.live.set(setAt(ctl.spec.json, path, value), final);
  }

  private onStartMove(e: CustomEvent<StartMoveDetail>): void {
    // Start points are typed numbers: four significant digits are what a drag can mean.
    const r = (v: number): number => Number(v.toPrecision(4));
    this.liveEdit('start', [r(e.detail.x), r(e.detail.y)], e.detail.final);
  }

  /** An edit in the editor; where it moved the map's axes (a schedule that sets the LR), it says so. */
  private onSpecEdit(d: SpecChangeDetail): void {
    this.ctl?.edit(d.spec, d.path, d.handSet);
  }

  /**
   * The page's message line: above the map in the explorer, where the eye is after an edit (below
   * the legend, at 1000 px tall, it was out of sight), and in the closed explorer's place. The
   * toast watches it (MessageToastController).
   */
  private messageLine(): TemplateResult {
    const m = this.ctl?.message;
    if (m?.headline)
      // On one line: the element's text starts with the headline (no white space before it).
      return html`<div class="message ${m.tone}" data-testid="message"><span data-testid="message-headline">${m.headline}</span> <details class="inline"><summary>The numbers</summary><p>${m.text}</p></details></div>`;
    return html`<p class="message ${m?.tone ?? 'notice'}" data-testid="message">${m?.text ?? ''}</p>`;
  }

  private onZoomAround(e: CustomEvent<ZoomAroundDetail>): void {
    this.ctl?.zoom.zoomAround(this.ctl.spec.current, e.detail.cell, e.detail.factor);
  }

  private onCellHover(cell: CellEventDetail | null): void {
    this.ctl?.selection.setHover(cell);
    this.ctl?.preview.hover(cell);
  }

  // ---- Network sweeps: the map of their outcomes, and the curves of the runs clicked.

  private readonly netCaptionText = memoLast((plan: NetPlan, mode: NetHeatmapMode): string => netCaption(plan, mode));
  private readonly netLegend = memoLast((frame: NetFrame | null) => (frame ? netHeatmapLegend(frame) : []));
  private readonly netAxisX = memoLast(heatmapAxis);
  private readonly netAxisY = memoLast(heatmapAxis);
  private readonly netSummaryText = memoLast(netSummary);
  /** The selected and pinned runs' curves, an LR curve per param group (as the engine recorded them). */
  private readonly netCurveSets = memoLast((plan: NetPlan, selected: NetRun | null, pins: readonly NetRun[], preview: NetTrajectory | null) => {
    return netCurves([
      ...drawnRuns(selected, pins).flatMap((r) =>
        r.trajectory ? [{ trajectory: r.trajectory, colour: r.colour, label: r.label, groups: groupLrCurves(plan, r.trajectory) }] : [],
      ),
      ...(preview ? [{ trajectory: preview, colour: NET_PREVIEW_INK, label: `hovered: ${netRunLabel(plan, preview.run)}`, groups: groupLrCurves(plan, preview) }] : []),
    ]);
  });

  /** The network view's sliders; each keeps its range while its value stays in it (netParamSliders). */
  private readonly netSliders = keptNetSliders();

  /**
   * A network view that has not run, with no map before it (a first load whose network the page
   * refused, or whose data could not be read): the message and what to do, without the surface
   * view's mode buttons, empty map, run panel and "Schedule: constant LR" (walkthrough 15 saw those
   * under a refused network link).
   */
  private noNetMapSection(): TemplateResult {
    return html`<section class="heatmap-col" aria-label="Heatmap">
      ${this.messageLine()}
      <p class="status" data-testid="no-net-map">${this.ctl?.sweep.preparing
        ? 'Reading the data set and making the network sweep…'
        : `No map: this network view has not run${this.ctl?.message.text ? ' (the note above says why)' : ''}. Change the spec in the editor, then Run.`}</p>
    </section>`;
  }

  private netHeatmapSection(plan: NetPlan) {
    const ctl = this.ctl;
    if (!ctl) return nothing;
    const { sweep, netRuns } = ctl;
    const frame = ctl.netFrame();
    const axes = ctl.axes();
    const modes = netModesOf(plan);
    const mode = modeFor('network', ctl.spec.mode, modes);
    const cols = sweep.net?.results ?? null;
    const shown = ctl.netShown();
    const info = shown?.info ?? null;
    const named = info ? netCoordinateNames(plan, info.coords) : [];
    // A view of one run has no map to point at (its note stands there instead): no cursor line.
    const cursor = info && named.length ? `${netRuns.hover ? 'Cursor' : 'Selected'} at ${named.map(([k, v]) => `${k} = ${formatNumber(v)}`).join(', ')}: ${info.outcome}` : '';
    // One run (no sweep, e.g. a study's curve opened here): a map of one cell says nothing, and drew
    // as one giant square without axes (walkthrough 6); the run's curves are beside it.
    const oneRun = plan.spec.sweep === null && plan.runs === 1;
    const selectedCell = netRuns.selected ? cellOfRun(plan, netRuns.selected.run) : null;
    const sliders = this.netSliders(ctl.spec.json, plan);
    return html`<section class="heatmap-col" aria-label="Heatmap">
      <bl-view-notes .caption=${this.netCaptionText(plan, mode)} .netMode=${mode} .blurb=${this.presetBlurb(ctl.spec.json)} .lrNote=${this.lrNote(plan)} ?stale=${sweep.restored !== null} ?invalid=${ctl.spec.errors.length > 0} @restore-spec=${() => ctl.restoreShownSpec()}></bl-view-notes>
      <div class="modes" role="group" aria-label="heatmap shows">
        ${modes.map((m) => html`<button data-mode=${m} aria-pressed=${mode === m ? 'true' : 'false'} @click=${() => ctl.spec.setMode(m)}>${NET_MODE_LABEL[m]}</button>`)}
      </div>
      ${sliders.length > 0
        ? html`<details class="sliders" open>
            <summary>Fixed hyperparameters (drag: the sweep re-runs)</summary>
            <bl-param-sliders data-problem="network" .sliders=${sliders} .curve=${this.sliderCurve(plan)}
              @param-input=${(e: CustomEvent<ParamInputDetail>) => this.liveEdit(e.detail.path, e.detail.value, e.detail.final)}></bl-param-sliders>
          </details>`
        : nothing}
      <!-- Above the map, read before it is: the map may show float32's rounding, not its boundary. -->
      ${this.probeNote(plan)}
      ${oneRun
        ? html`<div class="one-run" data-testid="one-run">
            <p><strong>One run, no sweep:</strong> there is no map to draw. Its outcome, and its loss, LR and gradient-norm curves, are beside this; choose a sweep kind in the editor's Sweep section to map runs over two hyperparameters.</p>
          </div>`
        : nothing}
      ${this.messageLine()}
      <bl-heatmap
        ?hidden=${oneRun}
        data-problem="network"
        ?muted=${ctl.netMapIsRounding(plan)}
        .frame=${frame}
        .xAxis=${this.netAxisX(axes?.x, plan)}
        .yAxis=${this.netAxisY(axes?.y, plan)}
        .gpu=${null}
        .overlay=${ctl.validation.netResult?.overlay ?? null}
        .overlayLabel=${'float32 and float64 disagree whether the run trained (the validation)'}
        .selected=${selectedCell}
        .pinned=${this.netPinnedCells(ctl.netRuns.pins, plan.width)}
        .legend=${this.netLegend(frame)}
        .lines=${[]}
        .summary=${this.netSummaryText(plan, cols, sweep.running, mode)}
        .cursorText=${cursor}
        @cell-hover=${(e: CustomEvent<CellEventDetail | null>) => {
          netRuns.setHover(e.detail);
          ctl.netPreview.hover(e.detail);
        }}
        @cell-click=${(e: CustomEvent<CellEventDetail>) => {
          netRuns.select(e.detail);
          this.revealDetails();
        }}
        @zoom=${(e: CustomEvent<ZoomDetail>) => ctl.zoom.zoomTo(ctl.spec.current, e.detail)}
        @zoom-around=${(e: CustomEvent<ZoomAroundDetail>) => this.onZoomAround(e)}
      ></bl-heatmap>
      <p class="status">${oneRun ? '1 network run' : `${count(plan.runs)} network runs`} × ${count(plan.spec.steps)} steps on ${sweep.engineUsed}${cols ? ` in ${cols.meta.elapsed_ms} ms` : ''}${
        !cols && !sweep.running ? ': the sweep did not finish; Run computes the whole map.' : oneRun ? '.' : `; ${zoomHint(plan.spec.sweep)}click a cell for its loss curves.`
      }</p>
    </section>`;
  }

  private netDetailsSection(plan: NetPlan) {
    const ctl = this.ctl;
    if (!ctl) return nothing;
    const { netRuns } = ctl;
    const shown = ctl.netShown();
    const cell = shown?.cell ?? null;
    const info = shown?.info ?? null;
    const sel = netRuns.selected;
    // The hovered run's curves, faint, unless it is the selected run (drawn already).
    const preview = ctl.netPreview.trajectory && ctl.netPreview.trajectory.run !== sel?.run ? ctl.netPreview.trajectory : null;
    const curves = this.netCurveSets(plan, sel, netRuns.pins, netRuns.hover ? preview : null);
    const every = sel?.trajectory?.every ?? netRuns.pins[0]?.trajectory?.every ?? preview?.every ?? 1;
    const lrTexts = groupLrTexts(plan);
    const xLabel = every > 1 ? `step / ${every}` : 'step';
    const pinned = sel !== null && netRuns.pins.some((p) => p.run === sel.run);
    return html`<section class="details" aria-label="Runs of the network sweep">
      <div class="run-info-box">
        <h2>${runPanelHeading(netRuns.hover, sel && plan ? cellOfRun(plan, sel.run) : null)}</h2>
        ${info
          ? html`<dl data-testid="run-info">
              ${netCoordinateNames(plan, info.coords).map(([k, v]) => html`<dt>${k}</dt><dd>${formatNumber(v)}</dd>`)}
              <dt>outcome</dt><dd>${info.outcome}</dd>
              ${Object.entries(info.fields).map(([k, v]) => html`<dt title="result column ${k}">${NET_FIELD_LABEL[k] ?? k}</dt><dd>${fieldText(k, v, { never: netThresholdText(plan), minibatch: trainsOnMinibatches(plan) })}</dd>`)}
            </dl>
            ${info.note ? html`<p class="status" data-testid="run-info-note">${info.note}</p>` : nothing}`
          : cell
            ? html`<p class="status">Its results arrive when the sweep is done.</p>`
            : html`<p class="status">Hover a cell of the heatmap to see that run here; click it for its loss curves.</p>`}
      </div>
      <h2>${sel ? `Curves of ${sel.label}` : netRuns.hover && preview ? 'Curves of the hovered run (click to keep them)' : 'Click a cell for its curves'}</h2>
      ${sel
        ? html`<div class="row">
            <button data-testid="net-pin" ?disabled=${pinned || netRuns.pins.length >= MAX_PINS} @click=${() => netRuns.pinSelected()}>Pin this run</button>
            ${netRuns.pins.length > 0 ? html`<button @click=${() => netRuns.clearPins()}>Clear pins</button>` : nothing}
            ${netRuns.pins.map((p) => html`<span><span style="color:${p.colour}">■</span> ${p.label} <button aria-label="Unpin ${p.label}" @click=${() => netRuns.unpin(p.run)}>×</button></span>`)}
          </div>`
        : nothing}
      ${sel && !sel.trajectory ? html`<p class="status">Recording its curves…</p>` : nothing}
      ${ctl.netPreview.skipped && netRuns.hover ? html`<p class="status" data-testid="net-preview-skipped">${ctl.netPreview.skipped}</p>` : nothing}
      ${curves.loss.length > 0
        ? html`<p class="status">Loss per step: solid training loss, dashed test loss${every > 1 ? ` (every ${every}th step)` : ''}${preview && netRuns.hover ? '; grey: the hovered run' : ''}.</p>
            <bl-line-chart data-testid="net-loss" .series=${curves.loss} .xLabel=${xLabel} .yLabel=${'loss (log)'} .logY=${true} .height=${200} .label=${'Training loss (solid) and test loss (dashed) per step of the selected, pinned and hovered runs'}></bl-line-chart>
            <p class="status" data-testid="net-lr-note">${lrTexts.note}</p>
            <!-- Its legend takes a row or two per run: the chart grows with it (line-chart's _legendGrowth). -->
            <bl-line-chart data-testid="net-lr" .series=${curves.lr} .xLabel=${xLabel} .yLabel=${'LR'} .logY=${spansDecades(curves.lr.map((c) => c.values))} .height=${150} .label=${lrTexts.label}></bl-line-chart>
            <bl-line-chart data-testid="net-grad" .series=${curves.gradNorm} .xLabel=${xLabel} .yLabel=${'‖grad‖ (log)'} .logY=${true} .height=${140} .label=${'Gradient norm per step'}></bl-line-chart>`
        : nothing}
    </section>`;
  }

  /** The right column: single runs of the sweep, or the race. */
  private detailsTabs() {
    const ctl = this.ctl;
    if (!ctl) return nothing;
    const race = ctl.race.open;
    const tab = (on: boolean, id: string, label: string, open: boolean) =>
      html`<button role="tab" id="tab-${id}" aria-controls="panel-${id}" aria-selected=${on ? 'true' : 'false'} tabindex=${on ? 0 : -1}
        data-testid="tab-${id}" @click=${() => ctl.race.setOpen(open)}
        @keydown=${(e: KeyboardEvent) => {
          if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
            ctl.race.setOpen(!race);
            e.preventDefault();
          }
        }}>${label}</button>`;
    return html`<div role="tablist" aria-label="What the plot on the surface shows">
      ${tab(!race, 'runs', 'Runs of the sweep', false)}${tab(race, 'race', 'Race optimisers', true)}
    </div>`;
  }

  private importSpec(ev: Event): void {
    const input = ev.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (file) void this.ctl?.spec.importFile(file);
  }

  protected override updated(changed: PropertyValues): void {
    void changed;
    document.title = this.ctl?.sweep.running ? 'basinlab (running…)' : 'basinlab';
  }

  override render() {
    const ctl = this.ctl;
    if (!ctl) return html`<p>Starting…</p>`;
    const { sweep, validation: val } = ctl;
    const st = ctl.status();
    // The validation's status line carries its own estimate.
    const timeLeft = val.validating ? undefined : sweep.timeLeft();
    const errors = ctl.spec.errors;
    const net = sweep.net;
    return html`
      <header>
        ${ctl.explorerClosed ? nothing : html`<button class="skip" @click=${() => this.renderRoot.querySelector('bl-heatmap')?.focusPlot()}>Skip to the heatmap</button>`}
        <h1>basinlab</h1>
        ${(() => {
          const line = engineLine(this.engines.status, { network: !!net, hasResults: !!net?.results, engineUsed: sweep.engineUsed }, !!this.engines.gpu);
          return html`<span class="status" data-testid="engine-status" title=${line.title}>${line.text}</span>`;
        })()}
        ${ctl.explorerClosed
          ? nothing
          : html`<button class="to-editor" data-testid="to-editor" title="The spec editor is below the map and the runs at this width" @click=${() => this.renderRoot.querySelector('bl-spec-editor')?.scrollIntoView({ block: 'start' })}>Edit the spec ↓</button>`}
        ${st.busy
          ? html`<button data-testid="cancel" @click=${() => ctl.cancelButton()}>Cancel</button>`
          : ctl.explorerClosed
            ? nothing // The explorer's controls show with it; the header says it is closed.
            : html`<button data-testid="run" ?disabled=${errors.length > 0} @click=${() => ctl.run()}>Run</button>`}
        ${ctl.explorerClosed
          ? nothing
          : // Full once a sweep's results are shown, also ones taken from a study's run (no progress of their own).
            html`<progress data-testid="progress" max=${st.bar.max} value=${st.bar.value}></progress>`}
        <span class="run-state-box">
          <span data-testid="run-state">${st.state}</span>
          ${timeLeft ? html`<span class="status" data-testid="time-left">${timeLeft}</span>` : nothing}
        </span>
        ${ctl.explorerClosed
          ? nothing
          : html`<button data-testid="validate" ?disabled=${!val.canValidate() || st.busy} @click=${() => void val.validate()}
          title=${net ? 'Run this network sweep on the float64 CPU engine and compare it with the results shown (as basinlab validate does)' : 'Run this sweep on the CPU engines and compare'}>Validate vs CPU</button>`}
        <!-- The chip's place is kept while it is absent, so that its coming does not move the controls after it to another row (walkthrough 12);
             a running validation's status takes it, in a few words (the whole line is its tooltip). -->
        <span class="verdict-slot">${val.validating
          ? html`<span class="status" data-testid="validation-status" title=${val.status()} aria-label=${val.status()}>${val.shortStatus()}</span>`
          : ((badge) => (badge ? html`<span data-testid="verdict" class="verdict ${badge.tone}" title=${badge.title}>${badge.text}</span>` : nothing))(
              badgeBesideStudy(st.badge, !!this.studies?.open),
            )}</span>
        ${st.offerFloat64
          ? html`<button data-testid="show-float64" title="Past float32's resolution: draw the float64 results the validation computed" @click=${() => ctl.drawFloat64()}>Draw this view in float64</button>`
          : nothing}
        ${ctl.explorerClosed
          ? nothing
          : html`<button title="Download this map's results as CSV: one row per run, its hyperparameters and outcome (the README lists every column)" @click=${() => ctl.exports.data('csv')} ?disabled=${!st.canExport}>CSV</button>
              <button title="Download this map's results as JSON, with the spec that made them (Import… opens it again)" @click=${() => ctl.exports.data('json')} ?disabled=${!st.canExport}>JSON</button>`}
        <!-- A button, not the browser's own file control: its "Choose File  No file chosen" took a third of a narrow header's row (walkthrough 7: five rows at 800 px). -->
        <button data-testid="import" title="Open a spec, the app's JSON export, or a result file of the CLI (JSON, Parquet, Arrow)"
          @click=${() => this.renderRoot.querySelector<HTMLInputElement>('input[type="file"]')?.click()}>Import…</button>
        <button data-testid="paste-torch" title="Paste the lines of PyTorch code that make your optimizer and scheduler: they replace this view's" @click=${() => void this.openPaste()}>Paste torch…</button>
        ${this.pasteDialog()}
        <input type="file" hidden aria-label="Import a spec or a result file" accept=".json,.parquet,.arrow,.feather,application/json" @change=${(e: Event) => this.importSpec(e)} />
        <bl-view-bar .presets=${this.presetOptions} .preset=${ctl.explorerClosed ? '' : this.presetShown(ctl.spec.json)} .scales=${FIGURE_SCALES} ?canBack=${ctl.spec.history.canGoBack()} ?canForward=${ctl.spec.history.canGoForward()}
          ?figureReady=${st.canExport} .explorer=${!ctl.explorerClosed} @view-action=${(e: CustomEvent<ViewAction>) => this.onViewAction(e.detail)}></bl-view-bar>
        <label>Study
          <select data-testid="study-select" @change=${(e: Event) => {
            const id = (e.target as HTMLSelectElement).value;
            // The explorer's message stays on its line above the map; pinned over a study's figure it
            // read as the figure's (walkthrough 11).
            if (id) {
              this.toast?.dismiss();
              this.ctl?.message.dropRoutine();
              void this.studies?.select(id);
            } else this.closeStudy();
          }}>
            <!-- Properties, not attributes: an attribute sets only the default, so the menu kept a closed study's name and choosing it again fired no change (walkthrough 10). -->
            <option value="" .selected=${!this.studies?.open}>—</option>
            ${this.studies?.studies.map((s) => html`<option value=${s.id} .selected=${this.studies?.open?.id === s.id}>${s.title}</option>`)}
          </select>
        </label>
      </header>
      ${this.studyView()}
      ${this.studies?.open && !ctl.explorerClosed
        ? html`<h2 class="explorer-head" data-testid="explorer-head">Explorer, any sweep: “Open … in explorer” under a study figure above loads its sweep here.</h2>`
        : nothing}
      ${ctl.explorerClosed
        ? html`<section class="explorer-closed" data-testid="explorer-closed">
            <h2 class="explorer-head">Explorer</h2>
            <p>
              The explorer runs any sweep: a spec editor, the heatmap, each run's curves. “Open … in explorer” under a figure above loads that
              figure's sweep here, or <button data-testid="open-explorer" @click=${() => void this.openExplorer()}>Open the explorer</button> on its default view.
              ${ctl.waitingForStudy ? html`<span data-testid="explorer-waits">Until then it runs nothing, so the study has the machine to itself.</span>` : nothing}
            </p>
            <!-- What the page says while the explorer is closed (Copy link's confirmation, a link it could not read). -->
            ${this.messageLine()}
          </section>`
        : this.explorer()}
      <div class="toast" role="status" data-testid="message-toast" ?hidden=${!this.toast?.shown}>
        <span>${ctl.message.headline || ctl.message.text}</span>
        <button aria-label="Dismiss this message" title="Dismiss (the message stays on its line above the map)" @click=${() => this.toast?.dismiss()}>×</button>
      </div>
    `;
  }

  /** The explorer: the spec editor, the heatmap of the sweep shown, and the runs' panel. */
  private explorer() {
    const ctl = this.ctl;
    if (!ctl) return nothing;
    const { sweep, selection: sel, validation: val, zoom } = ctl;
    const plan = sweep.plan;
    const frame = ctl.frame();
    const axes = ctl.axes();
    const hoverInfo = sel.describe(sel.hover ?? sel.selected);
    const t = sel.trajectory;
    const shown = ctl.shown();
    const errors = ctl.spec.errors;
    const net = sweep.net;
    // A network spec with no map at all (a first load the page refused): neither surface column.
    const noNetMap = !net && !plan && ctl.spec.current?.problem === 'network';
    return html`
      <main>
        <section class="editor-col" aria-label="Spec editor">
          <bl-spec-editor .spec=${ctl.spec.json} .handSet=${ctl.spec.handSet} .errors=${errors} @spec-change=${(e: SpecChangeEvent) => this.onSpecEdit(e.detail)}></bl-spec-editor>
        </section>
        ${net ? this.netHeatmapSection(net.plan) : noNetMap ? this.noNetMapSection() : html`<section class="heatmap-col" aria-label="Heatmap">
          <bl-view-notes .caption=${this.captionText(plan, modeFor('surface', ctl.spec.mode))} .blurb=${this.presetBlurb(ctl.spec.json)} .mode=${modeFor('surface', ctl.spec.mode)} ?stale=${sweep.restored !== null} ?invalid=${ctl.spec.errors.length > 0} ?theory=${this.theory(plan).length > 0} .diverged=${plan ? divergedText(plan) : ''} .startNote=${this.startNote(plan)} .lrNote=${this.lrNote(plan)} @restore-spec=${() => ctl.restoreShownSpec()}></bl-view-notes>
          <div class="modes" role="group" aria-label="heatmap shows">
            ${HEATMAP_MODES.map(
              (m) => html`<button data-mode=${m} aria-pressed=${ctl.spec.mode === m ? 'true' : 'false'} @click=${() => ctl.spec.setMode(m)}>${MODE_LABEL[m]}</button>`,
            )}
          </div>
          ${plan && this.sliders(ctl.spec.json, plan).length > 0
            ? html`<details class="sliders" open>
                <summary>Fixed hyperparameters (drag: the sweep re-runs)</summary>
                <bl-param-sliders .sliders=${this.sliders(ctl.spec.json, plan)} .curve=${this.sliderCurve(plan)}
                  @param-input=${(e: CustomEvent<ParamInputDetail>) => this.liveEdit(e.detail.path, e.detail.value, e.detail.final)}></bl-param-sliders>
              </details>`
            : nothing}
          ${this.messageLine()}
          <bl-heatmap
            .frame=${frame}
            .xAxis=${this.heatmapAxisX(axes?.x, plan)}
            .yAxis=${this.heatmapAxisY(axes?.y, plan)}
            .gpu=${ctl.heatmapGpu()}
            .overlay=${val.result?.overlay ?? null}
            .overlayLabel=${'the engines reach different outcomes (the validation)'}
            .selected=${sel.selected}
            .pinned=${this.pinnedCells(ctl.pins.list, plan?.width ?? 0)}
            .legend=${this.legendItems(frame, plan, this.theory(plan))}
            .lines=${this.theory(plan)}
            .summary=${this.summaryText(shown.plan, shown.columns, shown.runsReady, shown.running, modeFor('surface', ctl.spec.mode))}
            .cursorText=${hoverInfo ? `${sel.hover ? 'Cursor' : 'Selected'} at ${runText(hoverInfo.coords, hoverInfo.outcome, hoverInfo.fields)}` : ''}
            @cell-hover=${(e: CustomEvent<CellEventDetail | null>) => this.onCellHover(e.detail)}
            @cell-click=${(e: CustomEvent<CellEventDetail>) => {
              ctl.selectRun(e.detail);
              this.revealDetails();
            }}
            @zoom=${(e: CustomEvent<ZoomDetail>) => zoom.zoomTo(ctl.spec.current, e.detail)}
            @zoom-around=${(e: CustomEvent<ZoomAroundDetail>) => this.onZoomAround(e)}
          ></bl-heatmap>
          ${shown.plan
            ? html`<p class="status">${count(shown.plan.runs)} runs × ${count(shown.plan.spec.steps)} steps on ${sweep.engineUsed}${shown.results
                ? ` in ${shown.results.meta.elapsed_ms} ms; ${zoomHint(shown.plan.spec.sweep)}click a cell for its trajectory.`
                : shown.running
                  ? `; ${zoomHint(shown.plan.spec.sweep)}click a cell for its trajectory.`
                  : // A first sweep cancelled (or failed): no zoom or click to offer on what it left (walkthrough 16).
                    ': the sweep did not finish; Run computes the whole map.'}</p>`
            : nothing}
        </section>`}
        ${net ? this.netDetailsSection(net.plan) : noNetMap ? nothing : html`<section class="details" aria-label="Runs on the loss surface">
          ${this.detailsTabs()}
          ${ctl.race.open
            ? html`<div role="tabpanel" id="panel-race" aria-labelledby="tab-race">
                <bl-race
                  .lanes=${ctl.race.lanes}
                  .race=${ctl.race}
                  .playback=${ctl.racePlayback}
                  .grid=${plan ? this.contourGrid(plan) : null}
                  .minima=${plan?.minima ?? []}
                  .start=${this.startPoint(plan)}
                  .steps=${plan?.spec.steps ?? 0}
                  .surfaceName=${plan?.surface.id ?? ''}
                  @start-move=${(e: CustomEvent<StartMoveDetail>) => this.onStartMove(e)}
                ></bl-race>
              </div>`
            : html`<div role="tabpanel" id="panel-runs" aria-labelledby="tab-runs">
                <div class="run-info-box">
                  <h2>${runPanelHeading(sel.hover, sel.selected)}</h2>
                  ${hoverInfo
                    ? html`<dl data-testid="run-info">
                        ${Object.entries(hoverInfo.coords).map(([k, v]) => html`<dt title=${k}>${shortParam(k)}</dt><dd>${formatNumber(v)}</dd>`)}
                        <dt>outcome</dt><dd>${hoverInfo.outcome}</dd>
                        ${Object.entries(hoverInfo.fields).map(([k, v]) => html`<dt>${k}</dt><dd>${fieldText(k, v)}</dd>`)}
                      </dl>`
                    : sel.hover || sel.selected
                      ? html`<p class="status">Its results arrive when the sweep is done.</p>`
                      : html`<p class="status">Hover a cell of the heatmap (or move its cursor with the arrow keys) to see that run here: its hyperparameters, its outcome, where it ended.</p>`}
                </div>
                ${plan
                  ? html`<bl-run-panel
                      .grid=${this.contourGrid(plan)}
                      .minima=${plan.minima}
                      .overlay=${this.startMap(frame, axes?.x, axes?.y)}
                      .highlight=${hoverInfo && sel.selected ? (sweep.columns?.basin[sel.runOf(sel.selected)] ?? -1) : -1}
                      .start=${this.startPoint(plan)}
                      .selected=${this.selectedRun(t, sel.label, sel.source, sel.exact, sel.selected !== null)}
                      .preview=${ctl.preview.trajectory}
                      .pins=${ctl.pins.list}
                      .pinsController=${ctl.pins}
                      .playback=${ctl.playback}
                      .surfaceName=${plan.surface.id}
                      .sweepEngine=${sweep.engineUsed}
                      @start-move=${(e: CustomEvent<StartMoveDetail>) => this.onStartMove(e)}
                    ></bl-run-panel>`
                  : nothing}
                ${t?.gradAt && plan
                  ? html`<p class="status" data-testid="grad-legend">
                      <span style="color:${GRAD_INK}">╌╌</span> ${gradPointLabel(plan)}
                    </p>`
                  : nothing}
              </div>`}
          <h2>Schedule${plan?.schedule ? `: ${plan.schedule.def.id}` : ': constant LR'}</h2>
          ${(() => {
            const p = plan ? schedulePurpose(plan) : null;
            return p
              ? html`<p class="purpose" data-testid="schedule-purpose">${p.purpose}</p>
                  <details class="status"><summary>Exactly</summary><p>${p.exactly}</p></details>`
              : nothing;
          })()}
          ${(() => {
            const note = plan ? scheduleText(plan, ctl.race.open, sel.selected !== null) : '';
            return note ? html`<p class="status" data-testid="schedule-note">${note}</p>` : nothing;
          })()}
          <!-- No chart for a constant LR: beside the run's own LR chart a flat line only repeated it, at
               the editor's LR rather than the run's (walkthrough 7); the note says it in words. -->
          ${!plan || plan.schedule
            ? html`<bl-line-chart .series=${this.scheduleChart(plan, ctl.race.open).series} .xLabel=${'step'} .yLabel=${'LR'} .yLabelRight=${'momentum'} .height=${120} ?log-y=${this.scheduleChart(plan, ctl.race.open).log}></bl-line-chart>`
            : nothing}
          <!-- A minimum's loss under 1e-12 is 0 to the rounding of where it was found (walkthrough 19: 7.889e-31 beside 0). -->
          ${plan?.minima.length
            ? html`<div class="row" style="margin-top:6px" data-testid="minima"><span>Known minima:</span>${plan.minima.slice(0, 8).map(
                (m, i) => html`<span><span style="color:rgb(${minimumColour(i).join(',')})">■</span> ${m.name ?? `#${i}`} at (${prose(m.x, 3)}, ${prose(m.y, 3)}), loss ${prose(Math.abs(m.value) < 1e-12 ? 0 : m.value, 4)}</span>`,
              )}${plan.minima.length > 8 ? html`<span>… ${plan.minima.length - 8} more</span>` : nothing}</div>`
            : nothing}
        </section>`}
      </main>
    `;
  }
}

customElements.define('bl-app', BlApp);
