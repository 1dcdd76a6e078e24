/**
 * Edits made continuously (a slider dragged, the start point dragged on the contour plot) re-run
 * the sweep live, as fast as the engine allows and no faster: the first edit runs at once; edits
 * arriving while that sweep runs wait, only the latest kept, and run when it ends. A fast GPU then
 * follows the hand; a slow engine shows every sweep it finishes instead of aborting each one for
 * the next. The final edit (the slider or the pointer released) runs at once and enters history.
 */
export type LiveSpec = Record<string, unknown>;

export class LiveEdit {
  private waiting: LiveSpec | null = null;

  constructor(
    /** Shows and runs a spec (`final`: the end of a gesture, a new view in history). */
    private readonly apply: (json: LiveSpec, final: boolean) => void,
    /** Whether a sweep is running now. */
    private readonly busy: () => boolean,
    /** Told of every edit at once, also of those that wait (e.g. to record the selected path ahead). */
    private readonly onEdit: (json: LiveSpec) => void = () => {},
  ) {}

  /** An edit of the gesture in progress (`final` = false) or its end. */
  set(json: LiveSpec, final: boolean): void {
    if (final) {
      this.waiting = null;
      this.apply(json, true);
      return;
    }
    if (this.busy()) {
      this.waiting = json;
      this.onEdit(json);
      return;
    }
    this.apply(json, false);
  }

  /** Whether an edit waits for the running sweep. */
  get pending(): boolean {
    return this.waiting !== null;
  }

  /**
   * The running sweep ended: the edit that waited runs now, unless the sweep did not finish (it
   * was cancelled: Escape stops the gesture's sweeps too; or it failed).
   */
  idle(finished = true): void {
    const json = this.waiting;
    this.waiting = null;
    if (json && finished) this.apply(json, false);
  }
}
