/**
 * `<bl-spec-editor>`: the form that edits a sweep spec. It renders a spec JSON and emits
 * `spec-change` with the edited JSON; validation, running and state belong to the controller,
 * which passes the spec and its errors back in.
 *
 * Inputs live in the shadow root, each with `name` and `data-path` equal to the spec path it edits
 * (`optimizer.lr`, `optimizer.betas.0`, `schedule.schedulers.1.T_max`, `sweep.x.param`, …), so a
 * test can set `.value` and dispatch `change`. Number and text fields commit on `change` (blur or
 * Enter); selects and checkboxes commit immediately (their `change` fires at once). Buttons carry
 * `data-action` (`add-scheduler`, `remove-scheduler`, `swap-axes`, `add-dim`, `remove-dim`) and,
 * for removals, `data-index`.
 *
 * The form model and every edit rule are in `spec-edit.ts` (unit-tested without a DOM).
 */
import { LitElement, css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { FOCUS_RING } from './focus-ring.ts';
import { EditBuffer } from '../controllers/edit-buffer.ts';
import { live } from 'lit/directives/live.js';
import type { Action, EditorState, Field, FieldError, Group, HandSet, PlacedError, Section, SpecJSON } from '../spec-edit.ts';
import { applyActionTracked, applyEditTracked, buildForm, isWideSelect, placeErrors, selectTitle } from '../spec-edit.ts';

export type { FieldError, HandSet, SpecJSON } from '../spec-edit.ts';

export interface SpecChangeDetail {
  readonly spec: SpecJSON;
  /** The sweep axes whose range the user has set by hand (they keep it when entries change). */
  readonly handSet: HandSet;
  /** The field edited (`schedule.name`), or '' for an action (add a group, swap the axes). */
  readonly path: string;
}

export type SpecChangeEvent = CustomEvent<SpecChangeDetail>;

/** A key with a line-break opportunity after each underscore (long keys wrap at a word, not mid-word); its text unchanged. */
function breakable(label: string): unknown {
  const parts = label.split('_');
  return parts.map((p, k) => (k < parts.length - 1 ? html`${p}_<wbr />` : p));
}

export class SpecEditor extends LitElement {
  static override properties = {
    spec: { attribute: false },
    handSet: { attribute: false },
    errors: { attribute: false },
    disabled: { type: Boolean, reflect: true },
  };

  /** The spec JSON to show (normally `specToJSON(parseSpec(...))`, or the draft the controller rejected). */
  declare spec: SpecJSON | null;
  /** The axes set by hand, as the controller keeps them (see `SpecChangeDetail`). */
  declare handSet: HandSet;
  /** Problems to show at their fields and in a summary; `path` is a spec path, as SpecError has it. */
  declare errors: readonly FieldError[];
  declare disabled: boolean;
  /** The spec as last emitted, until the parent assigns `spec` again: edits build on it (edit-buffer.ts). */
  private readonly edits = new EditBuffer<EditorState>(this);

  constructor() {
    super();
    this.spec = null;
    this.handSet = new Set();
    this.errors = [];
    this.disabled = false;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('spec') || changed.has('handSet')) this.edits.answered();
  }

  private state(): EditorState | null {
    return this.edits.current(this.spec ? { spec: this.spec, handSet: this.handSet } : null);
  }

  private current(): SpecJSON | null {
    return this.state()?.spec ?? null;
  }

  private emit(next: EditorState, path: string): void {
    this.edits.hold(next);
    this.dispatchEvent(
      new CustomEvent<SpecChangeDetail>('spec-change', { detail: { spec: next.spec, handSet: next.handSet, path }, bubbles: true, composed: true }),
    );
  }

  private onField(field: Field, e: Event): void {
    const st = this.state();
    const el = e.currentTarget;
    if (!st || this.disabled) return;
    let input: string | boolean;
    if (el instanceof HTMLInputElement && el.type === 'checkbox') input = el.checked;
    // Number fields are text inputs (inputmode decimal): what was typed reaches the spec's parser,
    // which names the field when it is no number.
    else if (el instanceof HTMLInputElement) input = el.value;
    else if (el instanceof HTMLSelectElement) input = el.value;
    else return;
    this.emit(applyEditTracked(st, field, input), field.path);
  }

  private onAction(action: Action): void {
    const st = this.state();
    if (!st || this.disabled || action.disabled) return;
    this.emit(applyActionTracked(st, action), '');
  }

  /** Focuses the field (or the first field of the group or section) an error is anchored at. */
  private reveal(anchor: string): void {
    const root = this.shadowRoot;
    if (!root || anchor === '') return;
    const esc = CSS.escape;
    const target =
      anchor.startsWith('group:')
        ? root.querySelector(`[data-group="${esc(anchor.slice(6))}"]`)
        : anchor.startsWith('section:')
          ? root.querySelector(`[data-section="${esc(anchor.slice(8))}"]`)
          : root.querySelector(`[data-path="${esc(anchor)}"]`);
    if (!target) return;
    for (let d = target.closest('details'); d; d = d.parentElement?.closest('details') ?? null) d.open = true;
    const focusable = target.matches('input, select') ? target : target.querySelector('input, select');
    if (focusable instanceof HTMLElement) focusable.focus();
    target.scrollIntoView({ block: 'nearest' });
  }

  override render(): TemplateResult {
    const spec = this.current();
    if (!spec) return html`<p class="empty">No spec.</p>`;
    const form = buildForm(spec);
    const placed = placeErrors(this.errors, form);
    const at = (anchor: string): PlacedError[] => placed.filter((p) => p.anchor === anchor);
    return html`
      <fieldset class="editor" ?disabled=${this.disabled}>
        ${placed.length > 0 ? this.summary(placed) : nothing}
        ${form.sections.map((s) => this.section(s, at))}
      </fieldset>
    `;
  }

  private summary(placed: readonly PlacedError[]): TemplateResult {
    return html`
      <div class="summary" role="alert" data-testid="spec-errors">
        <strong>${placed.length === 1 ? '1 problem' : `${placed.length} problems`}</strong>
        <ul>
          ${placed.map(
            (p) => html`<li>
              ${p.anchor === ''
                ? html`<code>${p.error.path || 'spec'}</code>`
                : html`<button type="button" class="link" @click=${() => this.reveal(p.anchor)}>${p.error.path || 'spec'}</button>`}
              ${p.text}
            </li>`,
          )}
        </ul>
      </div>
    `;
  }

  private section(s: Section, at: (anchor: string) => PlacedError[]): TemplateResult {
    const errs = at(`section:${s.id}`);
    return html`
      <details open class="section" data-section=${s.id}>
        <summary title=${s.doc}>${s.title}${s.note ? html`<span class="note">${s.note}</span>` : nothing}</summary>
        ${this.messages(errs)}
        ${s.groups.map((g) => this.group(g, at))}
        ${s.groups.some((g) => g.fields.some((f) => f.required))
          ? html`<p class="req-key"><span class="req">*</span> ${s.id === 'groups'
              ? // A param group's tensors: nothing proposed or fitted to the run (walkthrough 16: the
                // schedule's footnote about lengths and cycles stood here).
                "required in torch: the tensors the group trains (a layer, layers.0, or a tensor, layers.0.weight)."
              : 'required in torch, which has no default for it: the editor starts it at a value proposed for this run (fitted to its steps where the value sets a length, a decay or a cycle), yours to change.'}</p>`
          : nothing}
        ${this.actions(s.actions)}
      </details>
    `;
  }

  private group(g: Group, at: (anchor: string) => PlacedError[]): TemplateResult {
    const errs = at(`group:${g.path}`);
    return html`
      <div class="group ${g.title ? 'titled' : ''}" data-group=${g.path}>
        ${g.title || g.actions.length > 0
          ? html`<div class="group-head"><span class="group-title">${g.title}</span>${this.actions(g.actions)}</div>`
          : nothing}
        ${this.messages(errs)}
        <div class="grid">${g.fields.map((f) => this.field(f, at(f.path)))}</div>
      </div>
    `;
  }

  private actions(list: readonly Action[]): TemplateResult | typeof nothing {
    if (list.length === 0) return nothing;
    return html`<span class="actions">
      ${list.map(
        (a) => html`<button
          type="button"
          data-action=${a.kind}
          data-index=${'index' in a ? String(a.index) : nothing}
          ?disabled=${a.disabled}
          @click=${() => this.onAction(a)}
        >${a.label}</button>`,
      )}
    </span>`;
  }

  private messages(errs: readonly PlacedError[]): TemplateResult | typeof nothing {
    if (errs.length === 0) return nothing;
    return html`${errs.map((e) => html`<div class="err block-err">${e.text}</div>`)}`;
  }

  private field(f: Field, errs: readonly PlacedError[]): TemplateResult {
    const id = `f-${f.path}`;
    const errId = `e-${f.path}`;
    const invalid = errs.length > 0;
    const describedBy = invalid ? errId : nothing;
    const onChange = (e: Event): void => this.onField(f, e);
    let control: TemplateResult;
    switch (f.type) {
      case 'number': {
        const title = f.exact ? `${f.doc}\nExact value: ${f.exact}` : f.doc;
        // Text, not type="number": a number input hands over '' for text it cannot read ("abc",
        // "1e999"), so the error said "got null" (walkthroughs 8 and 9); the text is what was typed.
        // A per-group field takes a list ("0.02, 0.2"): a phone's decimal pad has no comma to type it with.
        control = html`<input
          id=${id}
          type="text"
          inputmode=${f.perGroup ? 'text' : 'decimal'}
          autocomplete="off"
          spellcheck="false"
          name=${f.path}
          data-path=${f.path}
          placeholder=${f.placeholder}
          title=${title}
          aria-invalid=${invalid ? 'true' : 'false'}
          aria-describedby=${describedBy}
          .value=${live(f.text)}
          @change=${onChange}
        />`;
        break;
      }
      case 'list':
        control = html`<input
          id=${id}
          type="text"
          inputmode="numeric"
          name=${f.path}
          data-path=${f.path}
          placeholder=${f.hint}
          title=${f.doc}
          aria-invalid=${invalid ? 'true' : 'false'}
          aria-describedby=${describedBy}
          .value=${live(f.text)}
          @change=${onChange}
        />`;
        break;
      case 'select':
        // Selection is set per option: a `.value` on the select would be applied before the
        // options rendered by the template exist.
        control = html`<select
          id=${id}
          name=${f.path}
          data-path=${f.path}
          title=${selectTitle(f)}
          aria-invalid=${invalid ? 'true' : 'false'}
          aria-describedby=${describedBy}
          @change=${onChange}
        >
          ${f.options.map((o) => html`<option value=${o.value} .selected=${live(o.value === f.value)}>${o.label}</option>`)}
        </select>`;
        break;
      case 'checkbox':
        control = html`<input
          id=${id}
          type="checkbox"
          name=${f.path}
          data-path=${f.path}
          title=${f.doc}
          aria-invalid=${invalid ? 'true' : 'false'}
          aria-describedby=${describedBy}
          .checked=${live(f.checked)}
          @change=${onChange}
        />`;
        break;
      case 'swept':
        // Not an input: the axis decides the value of every run (edit the axis in the Sweep section).
        control = html`<output id=${id} name=${f.path} data-path=${f.path} class="swept" title=${f.doc}>${f.text}</output>`;
        break;
    }
    const showHint = f.hint !== '' && f.type !== 'select';
    const wide = isWideSelect(f) ? 'wide' : '';
    return html`
      <label for=${id} title=${f.doc} class="${invalid ? 'invalid' : ''} ${wide}"
        >${breakable(f.label)}${f.required
          ? html`<span class="req" title="Required in torch (no default); the editor starts it at a proposal (see the key under this section).">*</span>`
          : nothing}</label
      >
      <div class="value ${invalid ? 'invalid' : ''} ${wide}">
        ${control}${showHint ? html`<span class="hint">${f.hint}</span>` : nothing}
        ${invalid ? html`<div class="err" id=${errId}>${errs.map((e) => html`<div>${e.text}</div>`)}</div>` : nothing}
      </div>
    `;
  }

  static override styles = [
    FOCUS_RING,
    css`
    :host {
      display: block;
      /* The selects with long options take a row of their own where the editor is narrow (below). */
      container-type: inline-size;
      font: 12px/1.35 system-ui, -apple-system, 'Segoe UI', sans-serif;
      color: #1d1d1f;
      background: #fff;
    }
    .empty {
      color: #666;
    }
    fieldset.editor {
      border: 0;
      margin: 0;
      padding: 0;
      min-width: 0;
    }
    details.section {
      border: 1px solid #dcdce0;
      border-radius: 4px;
      margin: 0 0 6px;
      padding: 0 8px 6px;
      background: #fcfcfd;
    }
    details.section > summary {
      cursor: pointer;
      font-weight: 600;
      padding: 5px 0;
      user-select: none;
    }
    .note {
      font-weight: 400;
      color: #666;
      margin-left: 8px;
    }
    .group.titled {
      border-top: 1px dashed #dcdce0;
      margin-top: 6px;
      padding-top: 4px;
    }
    .group-head {
      display: flex;
      align-items: center;
      justify-content: space-between;
      margin-bottom: 2px;
    }
    .group-title {
      font-weight: 600;
      color: #444;
    }
    .grid {
      display: grid;
      /* One label width everywhere, so values line up across sections; long keys wrap. */
      grid-template-columns: 10em minmax(0, 1fr);
      gap: 3px 8px;
      align-items: baseline;
    }
    label {
      color: #333;
      overflow-wrap: anywhere;
      font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
      font-size: 11.5px;
    }
    label.invalid {
      color: #b3261e;
    }
    .req {
      color: #b35c00;
      margin-left: 1px;
    }
    .req-key {
      margin: 4px 0 2px;
      font-size: 11.5px;
      color: #555;
    }
    .value {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: 2px 6px;
      min-width: 0;
    }
    input[type='number'],
    input[type='text'],
    select {
      font: inherit;
      font-variant-numeric: tabular-nums;
      padding: 1px 4px;
      border: 1px solid #b9b9c0;
      border-radius: 3px;
      background: #fff;
      color: inherit;
      min-width: 0;
    }
    input[type='number'],
    input[type='text'] {
      width: 9em;
    }
    select {
      max-width: 100%;
    }
    /* In the narrow column (a wide window's editor), a select whose options are long (data sets,
       sweep parameters, schedules) goes under its label, the column's full width, instead of
       cutting its text beside it (spec-edit.ts isWideSelect). */
    @container (max-width: 480px) {
      label.wide,
      .value.wide {
        grid-column: 1 / -1;
      }
      label.wide {
        margin-bottom: -2px;
      }
      .value.wide select {
        width: 100%;
      }
    }
    .value.invalid input,
    .value.invalid select {
      border-color: #b3261e;
      background: #fff6f5;
    }
    output.swept {
      color: #0b5394;
      font-style: italic;
      /* A long path (schedule.schedulers.1.max_momentum) breaks inside the panel rather than being
         cut at its edge (walkthrough 16). */
      min-width: 0;
      overflow-wrap: anywhere;
    }
    .hint {
      color: #6b6b73;
      font-size: 11px;
      /* Long hints (a list field's) wrap inside the panel rather than run out of it. */
      white-space: normal;
    }
    .err {
      flex-basis: 100%;
      color: #b3261e;
      font-size: 11px;
    }
    .block-err {
      margin: 2px 0 4px;
    }
    .summary {
      border: 1px solid #e8b4b0;
      background: #fdf1f0;
      border-radius: 4px;
      padding: 5px 8px;
      margin-bottom: 6px;
      color: #7a1c15;
    }
    .summary ul {
      margin: 3px 0 0;
      padding-left: 16px;
    }
    .summary code,
    button.link {
      font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
      font-size: 11px;
    }
    button.link {
      border: 0;
      background: none;
      padding: 0;
      color: #7a1c15;
      text-decoration: underline;
      cursor: pointer;
    }
    .actions {
      display: inline-flex;
      gap: 4px;
    }
    section > .actions,
    details > .actions {
      margin-top: 5px;
    }
    button {
      font: inherit;
      padding: 1px 7px;
      border: 1px solid #b9b9c0;
      border-radius: 3px;
      background: #f4f4f6;
      color: inherit;
      cursor: pointer;
    }
    button:disabled,
    input:disabled,
    select:disabled {
      cursor: default;
      opacity: 0.6;
    }
  `,
  ];
}

// Guarded so that a second evaluation of the module (Vite HMR) does not throw.
if (!customElements.get('bl-spec-editor')) customElements.define('bl-spec-editor', SpecEditor);

declare global {
  interface HTMLElementTagNameMap {
    'bl-spec-editor': SpecEditor;
  }
  interface HTMLElementEventMap {
    'spec-change': SpecChangeEvent;
  }
}
