/**
 * The message line where the reader is: the line itself sits above the map, and an edit made far
 * down the editor (its Sweep section, at 1280 x 800 some 600 px below it) left a message such as
 * "The selected run was cleared: ..." out of sight, so the edit looked as if it did nothing
 * (walkthrough 9). While the line is off screen, a new message also shows in a box pinned to the
 * bottom of the window, until it is dismissed, the line comes into view, or the message goes.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { MessageLine } from './message.ts';

/** Whether the pinned box shows: a message the reader has not dismissed, while its line is out of sight. */
export function toastShown(text: string, lineInView: boolean, said: number, dismissed: number): boolean {
  return text !== '' && !lineInView && said !== dismissed;
}

export class MessageToastController implements ReactiveController {
  /** The message line is on screen (an IntersectionObserver's answer; true until it has one). */
  private lineInView = true;
  /** The count of the message the reader dismissed. */
  private dismissed = -1;
  private observed: Element | null = null;
  private observer: IntersectionObserver | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly message: MessageLine,
    /** The message line element now rendered (null while none is). */
    private readonly line: () => Element | null,
  ) {
    host.addController(this);
  }

  get shown(): boolean {
    return toastShown(this.message.text, this.lineInView, this.message.said, this.dismissed);
  }

  dismiss(): void {
    this.dismissed = this.message.said;
    this.host.requestUpdate();
  }

  hostConnected(): void {}

  /** Watches the line rendered now (a view switch renders another). */
  hostUpdated(): void {
    const el = this.line();
    if (el === this.observed) return;
    this.observer?.disconnect();
    this.observed = el;
    this.lineInView = true;
    if (!el || typeof IntersectionObserver === 'undefined') return;
    this.observer = new IntersectionObserver((entries) => {
      const inView = entries.some((e) => e.isIntersecting);
      // A message read on its line is seen: scrolling away again does not bring the box back.
      if (inView) this.dismissed = this.message.said;
      if (inView === this.lineInView) return;
      this.lineInView = inView;
      this.host.requestUpdate();
    });
    this.observer.observe(el);
  }

  hostDisconnected(): void {
    this.observer?.disconnect();
    this.observer = null;
    this.observed = null;
  }
}
