/**
 * `<bl-param-sliders>`: a slider for each fixed scalar hyperparameter of the spec (see sliders.ts
 * for which, and their ranges), under a small heading per entry (`optimizer · SGD`,
 * `schedule · StepLR`) where there is more than one, and under the schedule's sliders its LR over
 * the run, drawn small (`curve`), so that dragging gamma shows what it does. Render-only: it reports `param-input` while a
 * slider moves and once more, `final`, when it is let go; the app re-runs the sweep live
 * (controllers/live-edit.ts).
 */
import { LitElement, css, html, nothing } from 'lit';
import { FOCUS_RING } from './focus-ring.ts';
import { formatNumber } from '../../view/ticks.ts';
import type { SliderCurve, SliderModel } from '../sliders.ts';
import { CURVE_BOX, SLIDER_STEPS, sliderPosition, sliderValue } from '../sliders.ts';

export interface ParamInputDetail {
  readonly path: string;
  readonly value: number;
  readonly final: boolean;
}

export class BlParamSliders extends LitElement {
  static override properties = {
    sliders: { attribute: false },
    curve: { attribute: false },
    moving: { state: true },
  };

  declare sliders: readonly SliderModel[];
  /** The schedule's LR over the run (sliderCurve), drawn after the last schedule slider; null: none. */
  declare curve: SliderCurve | null;
  /** The value a slider shows while it moves, ahead of the spec (by path). */
  declare private moving: ReadonlyMap<string, number>;

  constructor() {
    super();
    this.sliders = [];
    this.curve = null;
    this.moving = new Map();
  }

  static override styles = [
    FOCUS_RING,
    css`
    :host { display: block; font: 12px system-ui, sans-serif; container-type: inline-size; }
    .grid { display: grid; grid-template-columns: minmax(4em, auto) minmax(0, 1fr) 5.5em; gap: 2px 8px; align-items: center; }
    /* Two sliders a row where the column is wide: with a schedule and an adaptive optimiser, nine
       rows of one pushed the map below a 1600 x 1000 screen's fold (walkthrough 18). */
    @container (min-width: 560px) {
      .grid { grid-template-columns: repeat(2, minmax(4em, auto) minmax(0, 1fr) 5.5em); column-gap: 10px; }
    }
    .curve-row { grid-column: 1 / -1; display: grid; grid-template-columns: minmax(4em, auto) minmax(0, 1fr) 5.5em; gap: 2px 8px; align-items: center; }
    label { font: 11.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: #333; overflow-wrap: anywhere; }
    input { width: 100%; margin: 0; min-width: 0; }
    output { font-variant-numeric: tabular-nums; text-align: right; }
    .heading { grid-column: 1 / -1; font-size: 11px; color: #666; margin-top: 4px; border-bottom: 1px solid #e4e4e4; }
    .heading:first-child { margin-top: 0; }
    .curve { height: 28px; width: 100%; display: block; background: #fafafa; border: 1px solid #e4e4e4; box-sizing: border-box; }
    .curve polyline { fill: none; stroke: #0072b2; stroke-width: 1.5; vector-effect: non-scaling-stroke; }
    .scale { color: #666; font-size: 11px; }
    .scale.end { text-align: right; }
    .range { font-size: 10px; line-height: 13px; font-variant-numeric: tabular-nums; }
  `,
  ];

  private emit(m: SliderModel, e: Event, final: boolean): void {
    const value = sliderValue(m, Number((e.target as HTMLInputElement).value));
    const moving = new Map(this.moving);
    if (final) moving.delete(m.path);
    else moving.set(m.path, value);
    this.moving = moving;
    this.dispatchEvent(new CustomEvent<ParamInputDetail>('param-input', { detail: { path: m.path, value, final }, bubbles: true, composed: true }));
  }

  override render() {
    if (this.sliders.length === 0) return html``;
    // Headings only where they tell sliders apart: the optimiser's alone need none.
    const headed = new Set(this.sliders.map((m) => m.group)).size > 1;
    // The curve goes under the schedule's last slider (its children's included), or after the
    // last slider where the map sweeps every schedule value (walkthrough 21: it vanished then).
    const scheduleAt = this.sliders.findLastIndex((m) => m.path.startsWith('schedule.'));
    const lastSchedule = scheduleAt >= 0 ? scheduleAt : this.sliders.length - 1;
    const c = this.curve;
    const curve =
      c && lastSchedule >= 0
        ? html`<div class="curve-row"><span class="scale" title=${c.middle ? `The swept values are ${c.middleName ?? 'the middle run'}'s: ${c.middle}` : nothing}>LR by step${c.group ? html`<br />(${c.group})` : nothing}${c.middle ? html`<br />(${(c.middleName ?? 'the middle run').replace(/^the /, '')})` : nothing}${c.log ? html`<br />(log)` : nothing}</span>
            <svg class="curve" data-testid="slider-curve" viewBox="0 0 ${CURVE_BOX.width} ${CURVE_BOX.height}" preserveAspectRatio="none" role="img"
              aria-label="The LR over the run's ${c.steps} steps${c.middle ? `, ${c.middleName ?? 'the middle run'}'s (${c.middle})` : ''}, ${formatNumber(c.max)} at most, ${formatNumber(c.min)} at least${c.log ? ', log scale' : ''}">
              <title>LR over the run's ${c.steps} steps${c.middle ? `, ${c.middleName ?? 'the middle run'}'s (${c.middle})` : ''}: ${formatNumber(c.min)} to ${formatNumber(c.max)}${c.log ? ' (log scale)' : ''}</title>
              <polyline points=${c.points}></polyline>
            </svg>
            <span class="scale end range" data-testid="slider-curve-range">${formatNumber(c.max)}<br />${formatNumber(c.min)}</span></div>`
        : nothing;
    return html`<div class="grid">
      ${this.sliders.map((m, i) => {
        const v = this.moving.get(m.path) ?? m.value;
        const id = `s-${m.path}`;
        const heading = headed && m.group !== this.sliders[i - 1]?.group ? html`<div class="heading" role="heading" aria-level="4">${m.group}</div>` : nothing;
        return html`${heading}<label for=${id} title=${m.doc}>${m.label}</label>
          <input id=${id} type="range" min="0" max=${SLIDER_STEPS} step="1" name=${m.path} data-path=${m.path}
            .value=${String(sliderPosition(m, m.value))}
            aria-valuetext=${formatNumber(v)}
            title="${m.label}: ${formatNumber(m.min)} to ${formatNumber(m.max)}${m.log ? ' (log scale)' : ''}"
            @input=${(e: Event) => this.emit(m, e, false)}
            @change=${(e: Event) => this.emit(m, e, true)} />
          <output for=${id}>${formatNumber(v)}</output>${i === lastSchedule ? curve : nothing}`;
      })}
    </div>`;
  }
}

if (!customElements.get('bl-param-sliders')) customElements.define('bl-param-sliders', BlParamSliders);

declare global {
  interface HTMLElementTagNameMap {
    'bl-param-sliders': BlParamSliders;
  }
}
