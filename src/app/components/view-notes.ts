/**
 * <bl-view-notes>: the words above the heatmap. The caption generated from the shown sweep's plan
 * (view/caption.ts: what each pixel is, the axes, what the colour says), a line when the map shows
 * an earlier sweep than the editor (a cancelled re-run: a button puts that sweep's spec back in the
 * editor, the `restore-spec` event), and a short "how to read this" panel.
 * Render-only.
 */
import { LitElement, css, html, nothing } from 'lit';
import { FOCUS_RING } from './focus-ring.ts';
import { CONVERGENCE_TAIL } from '../../core/network/plan.ts';
import { LAMBDA_NOTE, colourText, netColourText } from '../../view/caption.ts';
import type { HeatmapMode } from '../../view/frame.ts';
import type { NetHeatmapMode } from '../../view/net-frame.ts';

export class BlViewNotes extends LitElement {
  static override properties = {
    caption: { type: String },
    mode: { type: String },
    stale: { type: Boolean },
    invalid: { type: Boolean },
    theory: { type: Boolean },
    diverged: { type: String },
    startNote: { type: String },
    lrNote: { type: String },
    netMode: { type: String },
    blurb: { type: String },
  };

  declare caption: string;
  declare mode: HeatmapMode;
  /** The map shows the last complete sweep, not the spec in the editor (a re-run was cancelled). */
  declare stale: boolean;
  /** The spec in the editor has problems and has not run: the map is of the last spec that did. */
  declare invalid: boolean;
  /** Theory lines are drawn on the map. */
  declare theory: boolean;
  /** What "diverged" means on this map (caption.ts divergedText); '' for none. */
  declare diverged: string;
  /** Why runs left of a line diverge too, where the start curves more than the minima (theory.ts startCurvatureNote); ''. */
  declare startNote: string;
  /** Where the schedule takes an LR below 0 (negativeLrNote), for surfaces and networks alike; '' if nowhere. */
  declare lrNote: string;
  /** Set when the map shows network runs (its colouring); the surface notes then give way to the network's. */
  declare netMode: NetHeatmapMode | null;
  /** What the curated view shown is for (presets.ts blurb), above the caption; '' when the view is not one. */
  declare blurb: string;

  constructor() {
    super();
    this.caption = '';
    this.mode = 'outcome';
    this.stale = false;
    this.invalid = false;
    this.theory = false;
    this.diverged = '';
    this.startNote = '';
    this.lrNote = '';
    this.netMode = null;
    this.blurb = '';
  }

  static override styles = [
    FOCUS_RING,
    css`
    :host { display: block; font: 12.5px/1.4 system-ui, sans-serif; color: #333; max-width: 640px; }
    p { margin: 0 0 4px; }
    .stale { color: #8a3b00; }
    .lr-note { color: #8a3b00; }
    .blurb { font-weight: 600; color: #222; }
    .stale button { font: inherit; margin-left: 4px; }
    details { margin: 0 0 6px; }
    summary { cursor: pointer; color: #0b5394; }
    ul { margin: 4px 0; padding-left: 18px; }
    li { margin: 2px 0; }
  `,
  ];

  /** Why the map is not the editor's spec, where it is not. */
  private staleNote() {
    if (this.invalid) {
      // Before any sweep there is no map or caption to point at (walkthrough 15: a link too large to run).
      return this.caption === ''
        ? html`<p class="stale" data-testid="stale">Nothing has run yet: the spec in the editor has problems, listed in the editor.</p>`
        : html`<p class="stale" data-testid="stale">Showing the last spec that ran (its caption above): the spec in the editor has problems, listed in the editor, and has not run.</p>`;
    }
    // The editor keeps what was typed (nothing typed is lost); the button puts the map's spec back
    // instead, for a reader who cancelled to return to it (walkthrough 9 found no way back but Back).
    if (this.stale)
      return html`<p class="stale" data-testid="stale">
        Showing the last complete sweep (its caption above); the spec in the editor has not run to the end.
        <button type="button" data-testid="restore-spec" @click=${() => this.dispatchEvent(new CustomEvent('restore-spec', { bubbles: true, composed: true }))}>Put the map's spec back in the editor</button>
      </p>`;
    return nothing;
  }

  /** The curated view's claim (walkthrough 19: written for every view in presets.ts, shown nowhere). */
  private blurbText() {
    return this.blurb && !this.stale && !this.invalid ? html`<p class="blurb" data-testid="preset-blurb">${this.blurb}</p>` : nothing;
  }

  private lrNoteText() {
    return this.lrNote ? html`<p class="lr-note" data-testid="lr-note">${this.lrNote}</p>` : nothing;
  }

  override render() {
    if (this.netMode) {
      return html`
        ${this.blurbText()}<p data-testid="caption">${this.caption}</p>
        ${this.staleNote()}${this.lrNoteText()}
        <details data-testid="how-to-read">
          <summary>How to read this</summary>
          <ul>
            <li>Each pixel is one network trained on the same data, from the same initial weights (unless init is per_run); the swept hyperparameters (the axes) change from pixel to pixel, and with minibatches (batch_size set) so do the batches: each run draws its own, per step, with replacement (unlike a shuffled DataLoader, a batch may hold a sample twice), so neighbouring pixels also differ by sampling noise.</li>
            <li>Colour: ${netColourText(this.netMode)}. The legend under the map names every colour.</li>
            <li>The convergence measure is the fractal-boundary paper's (Sohl-Dickstein 2024): with v_k the training loss at step k over the initial loss (the whole set's at full batch, as the paper; with a batch size, the step's minibatch loss, so the measure is noisier), −Σv for a run that trained (more negative: slower), Σ1/v for one that did not (larger: slower). "Trained" is the paper's test: the last ${CONVERGENCE_TAIL} steps' v average below 1, i.e. below the initial loss; over few steps (the curated view's 40) a run can pass it while its loss is rising again at the end (click it to see). Colours rank runs within each side. With minibatches its sign only says whether the minibatch losses fell: whether a run trained (its outcome, the summary's count) goes by the whole training set's final loss, which must end below its initial one and below a constant prediction's (the class frequencies', or the targets' mean): a run ending there learnt nothing.</li>
            <li>Hover a pixel for its numbers; click it for its train and test loss, LR and gradient norm per step. Drag a rectangle to zoom in; Back undoes any edit or zoom.</li>
          </ul>
        </details>
      `;
    }
    return html`
      ${this.blurbText()}<p data-testid="caption">${this.caption}</p>
      ${this.staleNote()}${this.lrNoteText()}
      <details data-testid="how-to-read">
        <summary>How to read this</summary>
        <ul>
          <li>Each pixel is one complete optimisation run. All runs share the surface, the start and the number of steps; only the swept settings (the axes) change from pixel to pixel.</li>
          <li>Colour: ${colourText(this.mode)}. The legend under the map names every colour.</li>
          ${this.diverged ? html`<li>${this.diverged}</li>` : nothing}
          <li>${LAMBDA_NOTE}</li>
          ${this.theory
            ? // The heavy-ball rule only where its lines are drawn: it is not Adam's (walkthrough 7
              // read SGD's rule in Adam's notes).
              html`<li>Dashed lines are theory: gradient descent with momentum can only settle in a minimum while lr·λ stays under a stability limit (2(1 + momentum) for heavy-ball momentum; the legend gives each line's formula), drawn for each known minimum (and, on the quadratic, where runs converge within the run). Runs right of a limit cannot settle in that minimum.</li>`
            : nothing}
          ${this.theory && this.startNote ? html`<li data-testid="start-note">${this.startNote}</li>` : nothing}
          <li>Hover a pixel for its numbers; click it for its path on the surface and its loss curve. Drag a rectangle to zoom in; Back (the browser's or the page's) undoes any edit or zoom.</li>
          <li>Other colourings (above the map) show one quantity each: the minimum reached, the final loss, the steps to converge, the sharpness where the run ended.</li>
        </ul>
      </details>
    `;
  }
}

if (!customElements.get('bl-view-notes')) customElements.define('bl-view-notes', BlViewNotes);

declare global {
  interface HTMLElementTagNameMap {
    'bl-view-notes': BlViewNotes;
  }
}
