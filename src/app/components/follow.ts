/**
 * Re-renders a component whenever a source it shows tells of a change (a playback's frames): that
 * component alone, not the page. The source may be swapped; the subscription follows it.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export interface Subscribable {
  subscribe(fn: () => void): () => void;
}

export class Follow implements ReactiveController {
  private current: Subscribable | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly source: () => Subscribable | null,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    // Subscribes on the next update (hostUpdate), whatever the source is by then.
    this.host.requestUpdate();
  }

  hostUpdate(): void {
    const s = this.source();
    if (s === this.current) return;
    this.unsubscribe?.();
    this.current = s;
    this.unsubscribe = s ? s.subscribe(() => this.host.requestUpdate()) : null;
  }

  hostDisconnected(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.current = null;
  }
}
