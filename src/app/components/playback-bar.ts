/**
 * `<bl-playback-bar>`: the transport of a playback: back to the start, step back, play or pause,
 * step forward, a scrubber over the steps, the speed. Render-only: its buttons call the playback
 * controller it is given, and it follows that controller's frames itself (see follow.ts).
 */
import { LitElement, css, html } from 'lit';
import { FOCUS_RING } from './focus-ring.ts';
import type { PlaybackController } from '../controllers/playback-controller.ts';
import { PLAY_SPEEDS } from '../controllers/playback-controller.ts';
import { Follow } from './follow.ts';

export class BlPlaybackBar extends LitElement {
  static override properties = {
    playback: { attribute: false },
    total: { type: Number },
    label: {},
  };

  declare playback: PlaybackController | null;
  /**
   * The length in steps of what is played, as the parent knows it: the playback tells of its own
   * moves, not of paths arriving, so the parent hands the length down to re-render this bar then.
   */
  declare total: number;
  /** What is played, for the controls' names ("the selected run", "the race"). */
  declare label: string;

  constructor() {
    super();
    this.playback = null;
    this.total = 0;
    this.label = 'the paths';
    new Follow(this, () => this.playback);
  }

  static override styles = [
    FOCUS_RING,
    css`
    :host { display: block; font: 12px system-ui, sans-serif; }
    .bar { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 6px; margin: 4px 0; }
    button, select { font: inherit; padding: 2px 7px; min-width: 28px; }
    button.play { min-width: 64px; font-weight: 600; }
    input[type='range'] { flex: 1 1 120px; min-width: 80px; }
    .step { font-variant-numeric: tabular-nums; color: #333; min-width: 9em; }
  `,
  ];

  override render() {
    const pb = this.playback;
    if (!pb) return html``;
    const n = pb.total;
    const at = pb.playhead;
    const shown = at ?? n;
    return html`<div class="bar" role="group" aria-label="Play back ${this.label}">
      <button title="Back to the start" aria-label="Back to the start" ?disabled=${n === 0} @click=${() => pb.seek(0)}>|◀</button>
      <button title="One step back" aria-label="One step back" ?disabled=${n === 0} @click=${() => pb.step(-1)}>◀</button>
      <button class="play" data-testid="play" aria-pressed=${pb.playing ? 'true' : 'false'} ?disabled=${n === 0} @click=${() => pb.toggle()}
        title="Play or pause (Space)">${pb.playing ? '❚❚ Pause' : '▶ Play'}</button>
      <button title="One step forward" aria-label="One step forward" ?disabled=${n === 0} @click=${() => pb.step(1)}>▶|</button>
      <input type="range" min="0" max=${n} step="1" .value=${String(shown)} aria-label="Step shown" aria-valuetext="step ${shown} of ${n}"
        ?disabled=${n === 0} @input=${(e: Event) => pb.seek(Number((e.target as HTMLInputElement).value))} />
      <span class="step" data-testid="play-step">step ${shown} of ${n}</span>
      <label>speed
        <select aria-label="Playback speed" @change=${(e: Event) => pb.setSpeed(Number((e.target as HTMLSelectElement).value))}>
          ${PLAY_SPEEDS.map((s) => html`<option value=${s} ?selected=${s === pb.speed}>${s}×</option>`)}
        </select>
      </label>
    </div>`;
  }
}

if (!customElements.get('bl-playback-bar')) customElements.define('bl-playback-bar', BlPlaybackBar);

declare global {
  interface HTMLElementTagNameMap {
    'bl-playback-bar': BlPlaybackBar;
  }
}
