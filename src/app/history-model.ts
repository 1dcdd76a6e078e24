/**
 * The app's views in the browser's own history: every new view (an edit, a zoom, a preset, an
 * import, a reset, another colouring) is a history entry, so Back and Forward undo and redo them,
 * across reloads. This is the DOM-free bookkeeping (tests/unit/app-controllers.test.ts): what an
 * entry's `history.state` holds, and where in the app's own run of entries the page stands, which
 * the browser does not tell (the back and forward buttons of the page need it).
 */

/** What the app keeps in `history.state` besides the URL (the spec and colouring are in the fragment). */
export interface EntryState {
  /** Position of the entry in the app's run of entries (0 = the first view of this tab). */
  readonly basinlab: number;
  /** Sweep axes the user set by hand in this view (see spec-edit.ts `HandSet`). */
  readonly handSet: readonly string[];
}

export function entryState(index: number, handSet: Iterable<string>): EntryState {
  return { basinlab: index, handSet: [...handSet] };
}

/** The app's state of a history entry, or null for an entry it did not write (a typed URL, another page). */
export function readEntryState(state: unknown): EntryState | null {
  if (typeof state !== 'object' || state === null) return null;
  const o = state as Record<string, unknown>;
  const index = o.basinlab;
  const hand = o.handSet;
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) return null;
  const handSet = Array.isArray(hand) ? hand.filter((h): h is string => typeof h === 'string') : [];
  return { basinlab: index, handSet };
}

/**
 * Where the page stands: `index` of the entry shown and `top`, the last entry of the app's run that
 * Forward can reach. A push drops the entries after the current one, as the browser does.
 */
export class HistoryModel {
  index = 0;
  top = 0;

  /** A new view after the current one; returns its index. */
  push(): number {
    this.index += 1;
    this.top = this.index;
    return this.index;
  }

  /**
   * The browser moved to an entry (Back, Forward, a reload): `state` is its EntryState, null for
   * one the app did not write (a URL typed or a fragment edited by hand makes a new entry, which
   * then counts as a push).
   */
  arrive(state: EntryState | null): number {
    if (state === null) return this.push();
    this.index = state.basinlab;
    this.top = Math.max(this.top, this.index);
    return this.index;
  }

  canGoBack(): boolean {
    return this.index > 0;
  }

  canGoForward(): boolean {
    return this.index < this.top;
  }
}
