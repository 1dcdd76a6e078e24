/**
 * <bl-view-bar>: what a person does with the view as a whole. Curated views, Back and Forward (the
 * browser's history: undo and redo of edits and zooms), Reset to defaults, Copy link, and the
 * figure export (SVG, or PNG at a chosen resolution). Render-only: it reports each action as an
 * event (`view-action`); the app's controllers carry it out. While the explorer is closed (a study
 * page) only the curated views show: the rest acts on a view that is not on the page.
 */
import { LitElement, css, html } from 'lit';
import { FOCUS_RING } from './focus-ring.ts';

export interface PresetOption {
  readonly id: string;
  readonly title: string;
}

export type ViewAction =
  | { readonly kind: 'back' | 'forward' | 'reset' | 'copy-link' }
  | { readonly kind: 'preset'; readonly id: string }
  | { readonly kind: 'figure'; readonly format: 'svg' | 'png'; readonly scale: number };

export class BlViewBar extends LitElement {
  static override properties = {
    presets: { attribute: false },
    preset: { type: String },
    scales: { attribute: false },
    canBack: { type: Boolean },
    canForward: { type: Boolean },
    figureReady: { type: Boolean },
    explorer: { type: Boolean },
  };

  declare presets: readonly PresetOption[];
  /** The curated view shown ('' when the view is not one of them): the menu shows it as chosen. */
  declare preset: string;
  /** Resolutions offered for the PNG figure, as multiples of the figure's size. */
  declare scales: readonly number[];
  declare canBack: boolean;
  declare canForward: boolean;
  /** A complete sweep is shown (a figure can be made of it). */
  declare figureReady: boolean;
  /** The explorer is open: its history, link and figure act on what it shows. */
  declare explorer: boolean;

  constructor() {
    super();
    this.presets = [];
    this.preset = '';
    this.scales = [1, 2, 4];
    this.canBack = false;
    this.canForward = false;
    this.figureReady = false;
    this.explorer = true;
  }

  static override styles = [
    FOCUS_RING,
    css`
    /* Its groups are the header's own flex items, so each wraps on its own: as one box it took two
       rows of a narrow header to itself (walkthrough 7). */
    :host { display: contents; }
    button, select { font: inherit; padding: 3px 8px; }
    /* Narrow screens: a group wraps inside itself and the preset menu shrinks rather than overflow. */
    .group { display: inline-flex; flex-wrap: wrap; gap: 4px; align-items: center; max-width: 100%; min-width: 0; }
    select[name='preset'] { max-width: min(20em, calc(100vw - 130px)); min-width: 0; }
  `,
  ];

  private act(detail: ViewAction): void {
    this.dispatchEvent(new CustomEvent<ViewAction>('view-action', { detail, bubbles: true, composed: true }));
  }

  private figure(format: 'svg' | 'png'): void {
    const sel = this.renderRoot.querySelector<HTMLSelectElement>('select[name="scale"]');
    this.act({ kind: 'figure', format, scale: Number(sel?.value ?? 2) });
  }

  override render() {
    return html`
      <label class="group">Curated views
        <select name="preset" data-testid="presets" title=${this.presets.find((p) => p.id === this.preset)?.title ?? 'Views chosen to show one thing each'} @change=${(e: Event) => {
          const sel = e.target as HTMLSelectElement;
          if (sel.value) this.act({ kind: 'preset', id: sel.value });
        }}>
          <option value="" .selected=${this.preset === ''}>${this.preset === '' ? 'choose…' : 'choose another…'}</option>
          ${this.presets.map((p) => html`<option value=${p.id} .selected=${this.preset === p.id}>${p.title}</option>`)}
        </select>
      </label>
      ${this.explorer
        ? this.explorerControls()
        : // A study page's address is a link too (#study=…): offered here, as in the explorer (walkthrough 6 found no button).
          html`<span class="group"><button data-testid="copy-link" title="Copy a link to this study" @click=${() => this.act({ kind: 'copy-link' })}>Copy link</button></span>`}
    `;
  }

  private explorerControls() {
    return html`
      <span class="group">
        <button data-testid="back" ?disabled=${!this.canBack} title="Undo the last edit or zoom (the browser's Back)" @click=${() => this.act({ kind: 'back' })}>◀ Back</button>
        <button data-testid="forward" ?disabled=${!this.canForward} title="Redo (the browser's Forward)" @click=${() => this.act({ kind: 'forward' })}>Forward ▶</button>
        <button data-testid="reset" title="Show the default view (Back returns here)" @click=${() => this.act({ kind: 'reset' })}>Reset to defaults</button>
        <button data-testid="copy-link" title="Copy a link to this view" @click=${() => this.act({ kind: 'copy-link' })}>Copy link</button>
      </span>
      <span class="group">Figure
        <button data-testid="figure-svg" ?disabled=${!this.figureReady} title="The map with axes, legend and caption, as SVG" @click=${() => this.figure('svg')}>SVG</button>
        <button data-testid="figure-png" ?disabled=${!this.figureReady} title="The same figure as a PNG" @click=${() => this.figure('png')}>PNG</button>
        <select name="scale" aria-label="PNG resolution">
          ${this.scales.map((s) => html`<option value=${s} ?selected=${s === 2}>${s}×</option>`)}
        </select>
      </span>
    `;
  }
}

if (!customElements.get('bl-view-bar')) customElements.define('bl-view-bar', BlViewBar);

declare global {
  interface HTMLElementTagNameMap {
    'bl-view-bar': BlViewBar;
  }
}
