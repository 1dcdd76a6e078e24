/**
 * Playback of recorded paths: a position in steps that plays, pauses, steps and seeks, at a chosen
 * speed, the same for every path shown (lockstep).
 *
 * An animation frame must cost only the drawing of what moves: the controller tells its subscribers
 * (the one component showing the paths, which redraws its playhead layers), never the page, and
 * never touches the sweep. The clock is injected so that the logic is tested without a browser.
 */

/** Speeds offered, as multiples of the base rate. */
export const PLAY_SPEEDS: readonly number[] = [0.25, 0.5, 1, 2, 4];

/** Seconds a whole run takes at speed 1 (whatever its length: 500 steps or a million). */
export const PLAY_SECONDS = 6;

export interface FrameClock {
  now(): number;
  request(cb: (now: number) => void): number;
  cancel(id: number): void;
}

const browserClock: FrameClock = {
  now: () => performance.now(),
  request: (cb) => requestAnimationFrame(cb),
  cancel: (id) => cancelAnimationFrame(id),
};

export class PlaybackController {
  /** Position in steps (fractional while playing). */
  position = 0;
  playing = false;
  speed = 1;
  /** False until the first play, step or seek: until then the paths show whole. */
  active = false;

  private frame = 0;
  private last = 0;
  private readonly listeners = new Set<() => void>();

  constructor(
    /** The length in steps of what is shown (the longest path). */
    private readonly length: () => number,
    private readonly clock: FrameClock = browserClock,
  ) {}

  /** Called on every change (every animation frame while playing); returns the unsubscribe. */
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The length in steps of what is shown. */
  get total(): number {
    return Math.max(0, this.length());
  }

  /** The step shown, or null while the paths show whole. */
  get playhead(): number | null {
    return this.active ? Math.min(Math.floor(this.position), Math.max(0, this.length())) : null;
  }

  /** Steps per second at the current speed. */
  rate(): number {
    return (Math.max(1, this.length()) / PLAY_SECONDS) * this.speed;
  }

  play(): void {
    const n = this.length();
    if (n <= 0 || this.playing) return;
    if (!this.active || this.position >= n) this.position = 0;
    this.active = true;
    this.playing = true;
    this.last = this.clock.now();
    this.frame = this.clock.request(this.tick);
    this.notify();
  }

  pause(): void {
    if (!this.playing) return;
    this.playing = false;
    this.clock.cancel(this.frame);
    this.frame = 0;
    this.position = Math.floor(this.position);
    this.notify();
  }

  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  /** Moves by whole steps (pausing). */
  step(delta: number): void {
    this.pause();
    this.seek(Math.round(this.active ? this.position : delta < 0 ? this.length() : 0) + delta);
  }

  /** Shows step t (kept within the paths). */
  seek(t: number): void {
    const n = Math.max(0, this.length());
    this.active = true;
    this.position = Math.min(n, Math.max(0, Number.isFinite(t) ? t : 0));
    this.notify();
  }

  setSpeed(s: number): void {
    if (!(s > 0)) return;
    this.speed = s;
    this.notify();
  }

  /** Back to showing the paths whole. */
  stop(): void {
    this.pause();
    this.active = false;
    this.position = 0;
    this.notify();
  }

  dispose(): void {
    if (this.frame) this.clock.cancel(this.frame);
    this.frame = 0;
    this.playing = false;
    this.listeners.clear();
  }

  private readonly tick = (now: number): void => {
    if (!this.playing) return;
    const n = this.length();
    const dt = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.position = Math.min(n, this.position + dt * this.rate());
    if (this.position >= n) {
      this.playing = false;
      this.frame = 0;
    } else {
      this.frame = this.clock.request(this.tick);
    }
    this.notify();
  };

  private notify(): void {
    for (const fn of this.listeners) fn();
  }
}
