/**
 * The page's one message line (notices, errors, verdicts), shared by the controllers that speak:
 * the last thing said is what shows.
 */
import type { ReactiveControllerHost } from 'lit';

export class MessageLine {
  text = '';

  constructor(private readonly host: ReactiveControllerHost) {}

  say(text: string): void {
    this.text = text;
    this.host.requestUpdate();
  }
}
