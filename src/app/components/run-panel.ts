/**
 * `<bl-run-panel>`: single runs of the sweep on the loss surface: the hovered run's preview, the
 * selected run and the pinned ones (paths overlaid on the contour plot, loss and LR curves overlaid
 * on two charts, each labelled with its hyperparameters), played back in lockstep, and the start
 * point to drag. Render-only: it shows what the controllers hold and calls them on clicks; it
 * follows the playback's frames itself, so an animation frame re-renders this panel (whose plots
 * redraw only their playhead layers), never the page.
 */
import { LitElement, css, html, nothing } from 'lit';
import { FOCUS_RING } from './focus-ring.ts';
import type { Minimum } from '../../core/registry/types.ts';
import type { Trajectory } from '../../core/trajectory.ts';
import type { PinsController, Pin } from '../controllers/pins-controller.ts';
import type { PlaybackController } from '../controllers/playback-controller.ts';
import { memoLast } from '../memo.ts';
import { pointIndexAt } from '../runs.ts';
import { SELECTED_INK } from '../../view/colors.ts';
import { pathText } from '../summary.ts';
import type { SurfaceGrid } from '../surface-grid.ts';
import { lossCurves } from '../../view/frame.ts';
import type { ColouredPath, ContourOverlay } from './contour-plot.ts';
import './contour-plot.ts';
import { Follow } from './follow.ts';
import type { LineSeries } from './line-chart.ts';
import './line-chart.ts';
import './playback-bar.ts';

/** The selected run as the panel shows it. */
export interface SelectedRun {
  readonly trajectory: Trajectory | null;
  readonly label: string;
  /** The engine that recorded the path, and whether it is the sweep's own. */
  readonly source: string;
  readonly exact: boolean;
}

export class BlRunPanel extends LitElement {
  static override properties = {
    grid: { attribute: false },
    minima: { attribute: false },
    overlay: { attribute: false },
    highlight: { type: Number },
    start: { attribute: false },
    selected: { attribute: false },
    preview: { attribute: false },
    pins: { attribute: false },
    pinsController: { attribute: false },
    playback: { attribute: false },
    surfaceName: {},
    sweepEngine: {},
  };

  declare grid: SurfaceGrid | null;
  declare minima: readonly Minimum[];
  declare overlay: ContourOverlay | null;
  declare highlight: number;
  /** The runs' shared start point (draggable), or null when the sweep varies it. */
  declare start: readonly [number, number] | null;
  declare selected: SelectedRun | null;
  declare preview: Trajectory | null;
  declare pins: readonly Pin[];
  declare pinsController: PinsController | null;
  declare playback: PlaybackController | null;
  declare surfaceName: string;
  /** The engine that ran the sweep (previews say which engine records them when it is another). */
  declare sweepEngine: string;

  constructor() {
    super();
    this.grid = null;
    this.minima = [];
    this.overlay = null;
    this.highlight = -1;
    this.start = null;
    this.selected = null;
    this.preview = null;
    this.pins = [];
    this.pinsController = null;
    this.playback = null;
    this.surfaceName = '';
    this.sweepEngine = '';
    new Follow(this, () => this.playback);
  }

  static override styles = [
    FOCUS_RING,
    css`
    :host { display: block; font: 13px system-ui, sans-serif; }
    /* Equal x and y units make a wide plot tall: past this width it would push everything else off screen. */
    bl-contour-plot { max-width: 600px; }
    h2 { font-size: 13px; margin: 6px 0; }
    .hint { color: #555; font-size: 12px; margin: 2px 0 4px; }
    ul.runs { list-style: none; margin: 4px 0; padding: 0; }
    ul.runs li { display: flex; align-items: center; gap: 6px; margin: 2px 0; flex-wrap: wrap; }
    .key { display: inline-block; width: 18px; height: 3px; border-radius: 1px; flex: none; }
    .label { flex: 1 1 12em; min-width: 0; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
    button { font: inherit; padding: 1px 7px; }
  `,
  ];

  /** Pinned paths for the contour plot, in their colours. */
  private readonly pinPaths = memoLast((pins: readonly Pin[]): ColouredPath[] =>
    pins.flatMap((p) => (p.trajectory ? [{ x: p.trajectory.x, y: p.trajectory.y, steps: p.trajectory.steps, colour: p.colour }] : [])),
  );

  private readonly selectedPath = memoLast((t: Trajectory | null) => (t ? { x: t.x, y: t.y, steps: t.steps, gradAt: t.gradAt ?? null } : null));

  private readonly previewPath = memoLast((t: Trajectory | null) => (t ? { x: t.x, y: t.y } : null));

  private readonly startPoint = memoLast((s: readonly [number, number] | null): readonly [number, number] | null => (s ? [s[0], s[1]] : null));

  /** Loss and LR of the selected and pinned runs, each labelled with its hyperparameters. */
  private readonly series = memoLast((sel: SelectedRun | null, pins: readonly Pin[], minima: readonly Minimum[]) => {
    const runs = [
      ...pins.flatMap((p) => (p.trajectory ? [{ t: p.trajectory, label: p.label, colour: p.colour }] : [])),
      ...(sel?.trajectory ? [{ t: sel.trajectory, label: sel.label, colour: SELECTED_INK }] : []),
    ];
    // Above the best minimum, as the map colours it (a surface whose minimum is below 0 has no log chart of its raw loss).
    const loss = lossCurves(runs.map((r): LineSeries => ({ label: r.label, values: r.t.loss, colour: r.colour })), minima);
    const lr: LineSeries[] = runs.map((r) => ({ label: r.label, values: r.t.lr, colour: r.colour }));
    return { loss: loss.series, lr, lossLog: loss.log, lossLabel: loss.label };
  });

  /** The plot in words: the surface, and each path shown. */
  private describe(): string {
    const parts = [`Contour plot of the ${this.surfaceName || 'loss'} surface with ${this.minima.length} known minima`];
    if (this.start) parts.push(`runs start at (${this.start[0]}, ${this.start[1]}) (drag the start point to move it)`);
    const sel = this.selected;
    if (sel?.trajectory) parts.push(pathText(`selected run ${sel.label}`, sel.trajectory));
    for (const p of this.pins) if (p.trajectory) parts.push(pathText(`pinned run ${p.label}`, p.trajectory));
    if (this.preview && this.preview !== sel?.trajectory) parts.push(pathText('hovered run', this.preview));
    return `${parts.join('. ')}.`;
  }

  override render() {
    const sel = this.selected;
    const pb = this.playback;
    const pins = this.pins;
    const pc = this.pinsController;
    const t = sel?.trajectory ?? null;
    const any = !!t || pins.some((p) => p.trajectory);
    const head = pb?.playhead ?? null;
    // The charts' marker: the point each path shows at the playhead (the LR has none at the start).
    const ref = t ?? pins.find((p) => p.trajectory)?.trajectory ?? null;
    const k = head !== null && ref ? pointIndexAt(ref.steps, head) : undefined;
    const s = this.series(sel, pins, this.minima);
    const runPinned = t && pc ? pc.has(t.run) : false;
    return html`
      <bl-contour-plot
        .grid=${this.grid}
        .minima=${this.minima}
        .trajectory=${this.selectedPath(t)}
        .preview=${this.previewPath(this.preview)}
        .paths=${this.pinPaths(pins)}
        .playhead=${head}
        .start=${this.startPoint(this.start)}
        .startDraggable=${this.start !== null}
        .overlay=${this.overlay}
        .highlight=${this.highlight}
        .label=${this.describe()}
      ></bl-contour-plot>
      <p class="hint">
        ${this.start ? 'Drag the start point (○) to move it; the sweep re-runs. ' : ''}Hover a cell to preview its path${this.sweepEngine === 'gpu'
          ? ' (recorded at once on the float32 CPU engine, the shaders\' twin, whose paths match the GPU\'s bit for bit on most runs)'
          : ''}; click it (or Enter on the focused heatmap) to select it and play it back.
      </p>
      ${any ? html`<bl-playback-bar .playback=${pb} .total=${pb?.total ?? 0} .label=${'the selected and pinned runs'}></bl-playback-bar>` : nothing}
      ${sel || pins.length > 0
        ? html`<ul class="runs" aria-label="Runs shown">
            ${sel
              ? html`<li data-testid="selected-run">
                  <span class="key" style="background:${SELECTED_INK}"></span>
                  <span class="label">selected: ${sel.label || '…'}${t ? html` <small>(path ${sel.exact ? `from ${sel.source}` : `preview on ${sel.source}, the ${sel.source === 'cpu' ? 'GPU\'s float32 twin' : 'sweep engine'}; exact path when the sweep is done`})</small>` : html` <small>(recording its path…)</small>`}</span>
                  ${pc && t && !runPinned
                    ? html`<button data-testid="pin" ?disabled=${pc.full} title=${pc.full ? 'Unpin a run first' : 'Keep this run on screen to compare'} @click=${() => pc.pin(t.run, t)}>Pin</button>`
                    : nothing}
                </li>`
              : nothing}
            ${pins.map(
              (p) => html`<li data-testid="pinned-run">
                <span class="key" style="background:${p.colour}"></span>
                <span class="label">pinned: ${p.label}</span>
                <button aria-label="Unpin ${p.label}" @click=${() => pc?.unpin(p.id)}>Unpin</button>
              </li>`,
            )}
          </ul>`
        : nothing}
      ${any
        ? html`<h2>Loss and LR per step</h2>
            <bl-line-chart data-testid="loss-chart" .series=${s.loss} .xLabel=${'step'} .yLabel=${s.lossLabel} .logY=${s.lossLog} .height=${150} .marker=${k}></bl-line-chart>
            <bl-line-chart data-testid="lr-chart" .series=${s.lr} .xLabel=${'step'} .yLabel=${'LR'} .height=${120} .marker=${k === undefined ? undefined : k - 1}></bl-line-chart>`
        : nothing}
    `;
  }
}

if (!customElements.get('bl-run-panel')) customElements.define('bl-run-panel', BlRunPanel);

declare global {
  interface HTMLElementTagNameMap {
    'bl-run-panel': BlRunPanel;
  }
}
