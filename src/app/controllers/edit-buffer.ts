/**
 * An editor's edits not yet answered by its owner. The spec editor emits each edit as an event and
 * shows what its parent hands back; a second edit made before the parent answers (or under a parent
 * that keeps its last valid spec while it reports errors) must build on the first, not drop it. So
 * the last edit is held here until the parent assigns a new value, which then wins.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class EditBuffer<T> implements ReactiveController {
  private draft: T | null = null;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** What the next edit builds on: the edit held, else the value the owner gave (`given`). */
  current(given: T | null): T | null {
    return this.draft ?? given;
  }

  /** An edit was emitted: it is shown, and built on, until the owner answers. */
  hold(next: T): void {
    this.draft = next;
    this.host.requestUpdate();
  }

  /** The owner assigned a value: it is what the editor shows now (called as that update starts). */
  answered(): void {
    this.draft = null;
  }
}
