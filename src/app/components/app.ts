/**
 * <bl-app>: the page. Lays out the editor, the heatmap and the run's details, and forwards user
 * actions to the SweepController, which holds all state.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { PropertyValues } from 'lit';
import { P_OPTIMIZER } from '../../core/layout.ts';
import type { Plan } from '../../core/plan.ts';
import { readSpecJSON } from '../../core/spec.ts';
import { browserShaderSources } from '../../engine/gpu/shader-sources-browser.ts';
import { minimumColour } from '../colors.ts';
import type { EngineSet } from '../controllers/engines.ts';
import { StudyController } from '../controllers/study-controller.ts';
import { SweepController } from '../controllers/sweep-controller.ts';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import { HEATMAP_MODES, cellColour } from '../heatmap/frame.ts';
import type { HeatmapMode } from '../heatmap/frame.ts';
import { Canvas2DRenderer } from '../heatmap/renderers.ts';
import { surfaceGrid } from '../surface-grid.ts';
import { formatNumber } from '../ticks.ts';
import type { CellEventDetail, HeatmapAxis, HeatmapGpu, ZoomDetail } from './heatmap.ts';
import './heatmap.ts';
import { GRAD_INK } from './contour-plot.ts';
import './line-chart.ts';
import './spec-editor.ts';

const MODE_LABEL: Record<HeatmapMode, string> = {
  basin: 'minimum reached',
  loss: 'final loss',
  steps: 'steps to converge',
  sharpness: 'sharpness',
};

type Grid = NonNullable<ReturnType<typeof surfaceGrid>>;

/** What the dashed path of a trajectory shows: where each step took its gradient. */
function gradPointLabel(plan: Plan): string {
  const both = plan.spec.sam && plan.optimizer.gradSlot;
  if (plan.spec.sam) {
    return `where each step took its gradient: SAM's ascent point w + e(w)${both ? ` around ${plan.optimizer.id}'s y` : ''}; the solid path is ${both ? 'the average x it reports' : 'the weights'}`;
  }
  return `where each step took its gradient: y, between ${plan.optimizer.id}'s average and its base sequence; the solid path is the average x it reports (eval())`;
}

export class BlApp extends LitElement {
  static override properties = { engines: { attribute: false } };
  declare engines: EngineSet;

  private ctl: SweepController | null = null;
  private studies: StudyController | null = null;
  private gridKey = '';
  private grid: Grid | null = null;

  static override styles = css`
    :host { display: block; font: 13px system-ui, sans-serif; color: #1d1d1f; background: #fafafa; min-height: 100vh; }
    header { display: flex; gap: 12px; align-items: center; padding: 8px 14px; background: #fff; border-bottom: 1px solid #ddd; flex-wrap: wrap; }
    h1 { font-size: 17px; margin: 0 8px 0 0; }
    .status { color: #555; font-size: 12px; max-width: 520px; }
    button, select { font: inherit; padding: 3px 8px; }
    progress { width: 160px; }
    main { display: grid; grid-template-columns: 360px auto minmax(340px, 1fr); gap: 12px; padding: 12px; align-items: start; }
    section { background: #fff; border: 1px solid #e2e2e2; border-radius: 6px; padding: 10px; }
    .modes { display: flex; gap: 4px; margin-bottom: 8px; flex-wrap: wrap; }
    .modes button[aria-pressed='true'] { background: #1d1d1f; color: #fff; }
    .message { margin: 6px 0; color: #8a3b00; min-height: 1.2em; max-width: 640px; }
    .details dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 10px; margin: 4px 0 8px; }
    .details dt { color: #666; }
    .details dd { margin: 0; font-variant-numeric: tabular-nums; }
    h2 { font-size: 13px; margin: 6px 0; }
    .row { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
    .study { margin: 12px 12px 0; }
    .figures { display: flex; flex-wrap: wrap; gap: 10px; }
    figure { margin: 0; border: 1px solid #eee; }
    .study dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 10px; }
    .study dd { margin: 0; }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.ctl && this.engines) {
      // Read before the sweep controller rewrites the fragment with its spec.
      const study = new URLSearchParams(location.hash.slice(1)).get('study');
      this.ctl = new SweepController(this, this.engines);
      this.studies = new StudyController(this, this.engines);
      this.ctl.init();
      if (study) this.studies.select(study);
    }
  }

  /** For the app's own use and for tests: the controller holding the state. */
  get controller(): SweepController | null {
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
        ${st.running
          ? html`<button @click=${() => st.cancel()}>Cancel</button><span>${st.label}</span><progress max=${p?.total ?? 1} value=${p?.done ?? 0}></progress>`
          : html`<button @click=${() => void st.run()}>Run again</button>`}
        <button @click=${() => st.select(null)}>Close</button>
      </div>
      <p><b>Claim.</b> ${s.claim}</p>
      ${st.error ? html`<p class="message">${st.error}</p>` : nothing}
      ${st.result ? html`<p data-testid="study-summary">${st.result.summary}</p>` : nothing}
      <div class="figures">${st.svgs.map((svg) => html`<figure>${unsafeHTML(svg)}</figure>`)}</div>
      ${st.result
        ? html`<details><summary>Findings</summary><dl>${Object.entries(st.result.findings).map(
            ([k, v]) => html`<dt>${k}</dt><dd>${Array.isArray(v) ? v.map((x) => (typeof x === 'number' ? formatNumber(x) : x)).join(', ') : typeof v === 'number' ? formatNumber(v) : String(v)}</dd>`,
          )}</dl></details>`
        : nothing}
    </section>`;
  }

  deviceLost(message: string): void {
    this.ctl?.deviceLost(message);
  }

  private contourGrid(plan: Plan): Grid | null {
    const key = JSON.stringify(plan.spec.surface);
    if (key !== this.gridKey) {
      this.gridKey = key;
      this.grid = surfaceGrid(plan, 160, 160);
    }
    return this.grid;
  }

  private heatmapAxis(which: 'x' | 'y'): HeatmapAxis | null {
    const ax = this.ctl?.axes();
    const a = which === 'x' ? ax?.x : ax?.y;
    if (!a) return null;
    return { label: a.param, min: a.min, max: a.max, scale: a.scale, count: a.count };
  }

  private gpuSource(): HeatmapGpu | null {
    const gpu = this.engines.gpu;
    const ctl = this.ctl;
    if (!gpu || !ctl || ctl.engineUsed !== 'gpu' || !ctl.results) return null;
    const res = gpu.deviceResults();
    if (!res) return null;
    return { device: res.device, sources: browserShaderSources, results: () => gpu.deviceResults() };
  }

  private startMapCache: { frame: unknown; map: ReturnType<BlApp['buildStartMap']> } | null = null;

  /** The start-point map, rebuilt only when the frame changes (a pass over every run). */
  private startMap() {
    const frame = this.ctl?.frame();
    const hit = this.startMapCache;
    if (hit && hit.frame === frame) return hit.map;
    const map = this.buildStartMap();
    this.startMapCache = { frame, map };
    return map;
  }

  /** Basin colours laid over the contour plot when the sweep is start.0 x start.1. */
  private buildStartMap() {
    const ctl = this.ctl;
    const ax = ctl?.axes();
    const frame = ctl?.frame();
    if (!ctl || !ax || !ax.y || !frame || ax.x.param !== 'start.0' || ax.y.param !== 'start.1') return null;
    const f = { ...frame, mode: 'basin' as const };
    const rgba = new Uint8ClampedArray(f.width * f.height * 4);
    for (let run = 0; run < f.width * f.height; run++) {
      const [r, g, b] = cellColour(f, run);
      rgba.set([r, g, b, run < f.runsReady ? 150 : 0], run * 4);
    }
    return { width: f.width, height: f.height, rgba, domain: { xMin: ax.x.min, xMax: ax.x.max, yMin: ax.y.min, yMax: ax.y.max } };
  }

  private scheduleCache: { plan: Plan | null; series: ReturnType<BlApp['buildScheduleSeries']> } | null = null;

  /** The schedule's curves, rebuilt only for a new plan (so a hover does not redraw the chart). */
  private scheduleSeries() {
    const plan = this.ctl?.plan ?? null;
    if (this.scheduleCache?.plan !== plan) this.scheduleCache = { plan, series: this.buildScheduleSeries() };
    return this.scheduleCache?.series ?? [];
  }

  private buildScheduleSeries() {
    const plan = this.ctl?.plan;
    if (!plan) return [];
    const steps = plan.spec.steps;
    const lr = new Float64Array(steps);
    const mom = plan.cyclesMomentum ? new Float64Array(steps) : null;
    const out = new Float64Array(2);
    const node = plan.schedule;
    const P = Float64Array.from(plan.P);
    for (let k = 0; k < steps; k++) {
      if (node) {
        node.def.evaluate((x) => x, P, node, k, P[P_OPTIMIZER] as number, out);
        lr[k] = out[0] as number;
        if (mom) mom[k] = out[1] as number;
      } else {
        lr[k] = P[P_OPTIMIZER] as number;
      }
    }
    return [
      { label: 'LR', values: lr, colour: '#0072b2' },
      ...(mom ? [{ label: plan.optimizer.momentumParam === 'betas.0' ? 'beta1' : 'momentum', values: mom, colour: '#d55e00', axis: 'right' as const }] : []),
    ];
  }

  private exportPng(): void {
    const ctl = this.ctl;
    const f = ctl?.frame();
    if (!ctl || !f) return;
    const cv = document.createElement('canvas');
    cv.width = f.width;
    cv.height = f.height;
    new Canvas2DRenderer(cv).draw(f);
    this.download(cv.toDataURL('image/png'), `basinlab-${f.mode}.png`);
  }

  private exportData(format: 'csv' | 'json'): void {
    const blob = this.ctl?.exportText(format);
    if (!blob) return;
    const url = URL.createObjectURL(blob);
    this.download(url, `basinlab-results.${format}`);
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  private download(href: string, name: string): void {
    const a = document.createElement('a');
    a.href = href;
    a.download = name;
    a.click();
  }

  private async importSpec(ev: Event): Promise<void> {
    const input = ev.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file || !this.ctl) return;
    try {
      const json = readSpecJSON(await file.text()) as Record<string, unknown>;
      this.ctl.setSpec(json, { immediate: true, pushZoom: true });
    } catch (e) {
      this.ctl.message = `Could not import ${file.name}: ${(e as Error).message}`;
      this.requestUpdate();
    }
  }

  protected override updated(changed: PropertyValues): void {
    void changed;
    document.title = this.ctl?.running ? 'basinlab (running…)' : 'basinlab';
  }

  override render() {
    const ctl = this.ctl;
    if (!ctl) return html`<p>Starting…</p>`;
    const plan = ctl.plan;
    const frame = ctl.frame();
    const p = ctl.progress;
    const hoverInfo = ctl.describeRun(ctl.hover ?? ctl.selected);
    const t = ctl.trajectory;
    const errors = ctl.errors;
    return html`
      <header>
        <h1>basinlab</h1>
        <span class="status" data-testid="engine-status">${this.engines.status}</span>
        ${ctl.running || ctl.validating
          ? html`<button data-testid="cancel" @click=${() => ctl.cancel()}>Cancel</button>`
          : html`<button data-testid="run" ?disabled=${errors.length > 0} @click=${() => void ctl.run()}>Run</button>`}
        <progress data-testid="progress" max=${p?.total ?? 1} value=${ctl.running || ctl.validating ? (p?.done ?? 0) : (p?.total ?? 0)}></progress>
        <span data-testid="run-state">${ctl.running ? 'running' : ctl.validating ? 'validating' : ctl.results ? 'done' : 'idle'}</span>
        <button ?disabled=${!ctl.canGoBack()} @click=${() => ctl.goHistory(-1)} title="previous view">◀ zoom</button>
        <button ?disabled=${!ctl.canGoForward()} @click=${() => ctl.goHistory(1)} title="next view">zoom ▶</button>
        <button data-testid="validate" ?disabled=${!ctl.results || ctl.running || ctl.validating} @click=${() => void ctl.validate()}>Validate vs CPU</button>
        <button @click=${() => this.exportPng()} ?disabled=${!frame}>PNG</button>
        <button @click=${() => this.exportData('csv')} ?disabled=${!ctl.results}>CSV</button>
        <button @click=${() => this.exportData('json')} ?disabled=${!ctl.results}>JSON</button>
        <label>Import spec <input type="file" accept=".json,application/json" @change=${(e: Event) => void this.importSpec(e)} /></label>
        <label>Study
          <select data-testid="study-select" @change=${(e: Event) => this.studies?.select((e.target as HTMLSelectElement).value || null)}>
            <option value="">—</option>
            ${this.studies?.studies.map((s) => html`<option value=${s.id} ?selected=${this.studies?.open?.id === s.id}>${s.title}</option>`)}
          </select>
        </label>
      </header>
      ${this.studyView()}
      <main>
        <section>
          <bl-spec-editor .spec=${ctl.specJSON} .errors=${errors} @spec-change=${(e: CustomEvent<{ spec: Record<string, unknown> }>) => ctl.setSpec(e.detail.spec, { pushZoom: true })}></bl-spec-editor>
        </section>
        <section>
          <div class="modes" role="group" aria-label="heatmap shows">
            ${HEATMAP_MODES.map(
              (m) => html`<button data-mode=${m} aria-pressed=${ctl.mode === m ? 'true' : 'false'} @click=${() => ctl.setMode(m)}>${MODE_LABEL[m]}</button>`,
            )}
          </div>
          <bl-heatmap
            .frame=${frame}
            .xAxis=${this.heatmapAxis('x')}
            .yAxis=${this.heatmapAxis('y')}
            .gpu=${this.gpuSource()}
            .overlay=${ctl.validation?.overlay ?? null}
            .selected=${ctl.selected}
            .minimaLabels=${plan?.minima.map((m, i) => `${i}: (${formatNumber(m.x)}, ${formatNumber(m.y)}) λ=${formatNumber(m.sharpness)}`) ?? []}
            @cell-hover=${(e: CustomEvent<CellEventDetail | null>) => ctl.setHover(e.detail)}
            @cell-click=${(e: CustomEvent<CellEventDetail>) => ctl.select(e.detail)}
            @zoom=${(e: CustomEvent<ZoomDetail>) => ctl.zoom(e.detail)}
          ></bl-heatmap>
          <p class="message" data-testid="message">${ctl.message}</p>
          ${plan ? html`<p class="status">${plan.runs} runs × ${plan.spec.steps} steps on ${ctl.engineUsed}${ctl.results ? ` in ${ctl.results.meta.elapsed_ms} ms` : ''}; drag a rectangle to zoom, click a cell for its trajectory.</p>` : nothing}
        </section>
        <section class="details">
          <h2>${ctl.hover ? 'Hovered run' : ctl.selected ? 'Selected run' : 'Hover a cell'}</h2>
          ${hoverInfo
            ? html`<dl data-testid="run-info">
                ${Object.entries(hoverInfo.coords).map(([k, v]) => html`<dt>${k}</dt><dd>${formatNumber(v)}</dd>`)}
                <dt>outcome</dt><dd>${hoverInfo.outcome}</dd>
                ${Object.entries(hoverInfo.fields).map(([k, v]) => html`<dt>${k}</dt><dd>${Number.isFinite(v) ? formatNumber(v) : String(v)}</dd>`)}
              </dl>`
            : nothing}
          ${plan
            ? html`<bl-contour-plot
                .grid=${this.contourGrid(plan)}
                .minima=${plan.minima}
                .trajectory=${t ? { x: t.x, y: t.y, gradAt: t.gradAt ?? null } : null}
                .overlay=${this.startMap()}
                .highlight=${hoverInfo && ctl.selected ? (ctl.columns?.basin[ctl.runOf(ctl.selected.i, ctl.selected.j)] ?? -1) : -1}
              ></bl-contour-plot>`
            : nothing}
          ${t?.gradAt && plan
            ? html`<p class="status" data-testid="grad-legend">
                <span style="color:${GRAD_INK}">╌╌</span> ${gradPointLabel(plan)}
              </p>`
            : nothing}
          ${t
            ? html`<h2>Selected run: loss and LR per step</h2>
                <bl-line-chart data-testid="loss-chart" .series=${[{ label: 'loss', values: t.loss, colour: '#009e73' }]} .xLabel=${'step'} .yLabel=${'loss'} .logY=${true} .height=${140}></bl-line-chart>
                <bl-line-chart .series=${[{ label: 'LR', values: t.lr, colour: '#0072b2' }]} .xLabel=${'step'} .yLabel=${'LR'} .height=${110}></bl-line-chart>`
            : nothing}
          <h2>Schedule${plan?.schedule ? `: ${plan.schedule.def.id}` : ': constant LR'}</h2>
          <bl-line-chart .series=${this.scheduleSeries()} .xLabel=${'step'} .yLabel=${'LR'} .yLabelRight=${'momentum'} .height=${120}></bl-line-chart>
          <div class="row" style="margin-top:6px">${plan?.minima.slice(0, 8).map((m, i) => html`<span style="color:rgb(${minimumColour(i).join(',')})">■</span> ${i}: ${formatNumber(m.value)}`)}</div>
        </section>
      </main>
    `;
  }
}

customElements.define('bl-app', BlApp);
