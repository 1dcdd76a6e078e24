/**
 * Re-renders driven by progress, at most one per interval. Engines report progress many times a
 * second (each CPU worker every few runs: ~2,200 reports for "Validate vs CPU" on the default
 * view); a page render per report competes with the workers for the CPU (on two cores, 8.8 s for
 * that validation against 5.9 s throttled, measured in Chromium). State changes that end something
 * (a run finishing, an error) still ask for a render at once.
 */
import type { ReactiveControllerHost } from 'lit';

/** Progress re-renders per second at most: smooth enough for a bar and a filling heatmap. */
export const PROGRESS_RENDER_MS = 100;

export class RenderThrottle {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private last = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly ms = PROGRESS_RENDER_MS,
  ) {}

  /** Asks for a render within `ms`; calls before it happens add nothing. */
  request(): void {
    if (this.timer !== null) return;
    const wait = Math.max(0, this.last + this.ms - performance.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.last = performance.now();
      this.host.requestUpdate();
    }, wait);
  }

  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
