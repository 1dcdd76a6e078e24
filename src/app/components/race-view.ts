/**
 * `<bl-race>`: several optimisers, each with its own settings, from one start on one surface,
 * animated together on the contour plot with their loss curves. Render-only: lanes and paths are
 * the race controller's (controllers/race-controller.ts); this element calls it on edits and
 * follows the race's playback frames itself.
 */
import { LitElement, css, html, nothing } from 'lit';
import { FOCUS_RING } from './focus-ring.ts';
import { OPTIMIZERS } from '../../core/registry/index.ts';
import type { Minimum } from '../../core/registry/types.ts';
import type { Lane, RaceController } from '../controllers/race-controller.ts';
import { LR_TRIES, entrantFields } from '../controllers/race-controller.ts';
import type { PlaybackController } from '../controllers/playback-controller.ts';
import { memoLast } from '../memo.ts';
import { pointIndexAt } from '../runs.ts';
import { pathText } from '../summary.ts';
import type { SurfaceGrid } from '../surface-grid.ts';
import { lossCurves } from '../../view/frame.ts';
import type { ColouredPath } from './contour-plot.ts';
import './contour-plot.ts';
import { Follow } from './follow.ts';
import type { LineSeries } from './line-chart.ts';
import './line-chart.ts';
import './playback-bar.ts';

export class BlRace extends LitElement {
  static override properties = {
    lanes: { attribute: false },
    race: { attribute: false },
    playback: { attribute: false },
    grid: { attribute: false },
    minima: { attribute: false },
    start: { attribute: false },
    steps: { type: Number },
    surfaceName: {},
  };

  declare lanes: readonly Lane[];
  declare race: RaceController | null;
  declare playback: PlaybackController | null;
  declare grid: SurfaceGrid | null;
  declare minima: readonly Minimum[];
  declare start: readonly [number, number] | null;
  declare steps: number;
  declare surfaceName: string;

  constructor() {
    super();
    this.lanes = [];
    this.race = null;
    this.playback = null;
    this.grid = null;
    this.minima = [];
    this.start = null;
    this.steps = 0;
    this.surfaceName = '';
    new Follow(this, () => this.playback);
  }

  static override styles = [
    FOCUS_RING,
    css`
    :host { display: block; font: 13px system-ui, sans-serif; }
    /* Equal x and y units make a wide plot tall: past this width it would push everything else off screen. */
    bl-contour-plot { max-width: 600px; }
    .hint { color: #555; font-size: 12px; margin: 2px 0 6px; }
    ol { list-style: none; margin: 0 0 6px; padding: 0; }
    li { border-left: 4px solid; padding: 3px 6px; margin: 4px 0; background: #fbfbfc; }
    .head { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
    .fields { display: flex; flex-wrap: wrap; gap: 2px 10px; margin-top: 3px; }
    .fields label { font: 11.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: #333; white-space: nowrap; }
    input { font: inherit; width: 6.5em; padding: 1px 3px; }
    select, button { font: inherit; padding: 1px 6px; }
    .err { color: #b3261e; font-size: 12px; }
    .result { color: #444; font-size: 12px; }
  `,
  ];

  private readonly paths = memoLast((lanes: readonly Lane[]): ColouredPath[] =>
    lanes.flatMap((l) => (l.trajectory ? [{ x: l.trajectory.x, y: l.trajectory.y, steps: l.trajectory.steps, colour: l.entrant.colour }] : [])),
  );

  /** The lanes' losses, above the best minimum as the map colours them (view/frame.ts lossCurves). */
  private readonly loss = memoLast((lanes: readonly Lane[], minima: readonly Minimum[]) =>
    lossCurves(
      lanes.flatMap((l): LineSeries[] => (l.trajectory ? [{ label: l.label, values: l.trajectory.loss, colour: l.entrant.colour }] : [])),
      minima,
    ),
  );

  private readonly startPoint = memoLast((s: readonly [number, number] | null): readonly [number, number] | null => (s ? [s[0], s[1]] : null));

  private lane(l: Lane) {
    const race = this.race;
    const e = l.entrant;
    const t = l.trajectory;
    return html`<li style="border-color:${e.colour}" data-testid="race-lane">
      <div class="head">
        <select aria-label="Optimiser of this lane" @change=${(ev: Event) => race?.setOptimizer(e.id, (ev.target as HTMLSelectElement).value)}>
          ${OPTIMIZERS.map((o) => html`<option value=${o.id} ?selected=${o.id === e.optimizer}>${o.id}</option>`)}
        </select>
        <button aria-label="Remove ${l.label}" @click=${() => race?.remove(e.id)}>Remove</button>
        ${t ? html`<span class="result">${pathText('', t)}</span>` : l.tuning ? html`<span class="result" data-testid="lane-tuning">choosing its LR: ${LR_TRIES} runs from this start…</span>` : nothing}
      </div>
      <div class="fields">
        ${entrantFields(e.optimizer, e.params).map((f) =>
          f.kind === 'bool'
            ? html`<label title=${f.doc}>${f.key}
                <input type="checkbox" .checked=${f.value} aria-label="${e.optimizer} ${f.key}"
                  @change=${(ev: Event) => race?.setParam(e.id, f.key, (ev.target as HTMLInputElement).checked)} /></label>`
            : html`<label title=${f.doc}>${f.key}
                <input type="number" step=${f.int ? '1' : 'any'} .value=${String(f.value)} aria-label="${e.optimizer} ${f.key}"
                  @change=${(ev: Event) => {
                    const v = Number((ev.target as HTMLInputElement).value);
                    if (Number.isFinite(v)) race?.setParam(e.id, f.key, v);
                  }} /></label>`,
        )}
      </div>
      ${l.error ? html`<div class="err" role="alert">${l.error}</div>` : nothing}
    </li>`;
  }

  private describe(): string {
    const parts = [`Race on the ${this.surfaceName || 'loss'} surface`];
    for (const l of this.lanes) if (l.trajectory) parts.push(pathText(l.label, l.trajectory));
    return `${parts.join('. ')}.`;
  }

  override render() {
    const pb = this.playback;
    const race = this.race;
    const head = pb?.playhead ?? null;
    const ref = this.lanes.find((l) => l.trajectory)?.trajectory ?? null;
    const k = head !== null && ref ? pointIndexAt(ref.steps, head) : undefined;
    const loss = this.loss(this.lanes, this.minima);
    return html`
      <p class="hint">Each optimiser runs ${this.steps} steps from the same start on this surface (the spec's, without its sweep), in float32 as the GPU runs it: a chaotic run checked against torch in float64 may part from it. Press Play (or Space) to race them; drag the start point to move it.</p>
      <ol aria-label="Optimisers racing">${this.lanes.map((l) => this.lane(l))}</ol>
      <button data-testid="race-add" ?disabled=${!race || race.full} @click=${() => race?.add()}>Add an optimiser</button>
      <bl-contour-plot
        .grid=${this.grid}
        .minima=${this.minima}
        .paths=${this.paths(this.lanes)}
        .playhead=${head}
        .start=${this.startPoint(this.start)}
        .startDraggable=${this.start !== null}
        .label=${this.describe()}
      ></bl-contour-plot>
      <bl-playback-bar .playback=${pb} .total=${pb?.total ?? 0} .label=${'the race'}></bl-playback-bar>
      <bl-line-chart data-testid="race-loss" .series=${loss.series} .xLabel=${'step'} .yLabel=${loss.label} .logY=${loss.log} .height=${150} .marker=${k}></bl-line-chart>
    `;
  }
}

if (!customElements.get('bl-race')) customElements.define('bl-race', BlRace);

declare global {
  interface HTMLElementTagNameMap {
    'bl-race': BlRace;
  }
}
