/**
 * The browser's history as the app's undo and redo: each new view is pushed (`pushState`), Back and
 * Forward (the browser's or the page's buttons) come back as `popstate` and are shown again. The
 * fragment carries the spec and the colouring; `history.state` carries what the URL does not (the
 * hand-set axes, and the entry's place in the app's run of entries: history-model.ts).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { EntryState } from '../history-model.ts';
import { HistoryModel, entryState, readEntryState } from '../history-model.ts';

/** Where the last reachable entry is kept across reloads of the tab (the browser does not say). */
const TOP_KEY = 'basinlab.history.top';

export class HistoryController implements ReactiveController {
  private readonly model = new HistoryModel();

  constructor(
    private readonly host: ReactiveControllerHost,
    /** Shows the entry the browser moved to: its fragment and the app's state of it (null: an entry the app did not write). */
    private readonly show: (hash: string, state: EntryState | null) => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    window.addEventListener('popstate', this.onPop);
  }

  hostDisconnected(): void {
    window.removeEventListener('popstate', this.onPop);
  }

  /** The state of the entry the page opened at (a reload keeps it), and the model placed there. */
  start(): EntryState | null {
    const st = readEntryState(history.state);
    const top = Number(sessionStorage.getItem(TOP_KEY) ?? 'NaN');
    if (st) {
      this.model.index = st.basinlab;
      this.model.top = Number.isInteger(top) && top >= st.basinlab ? top : st.basinlab;
    }
    return st;
  }

  private onPop = (): void => {
    const st = readEntryState(history.state);
    this.model.arrive(st);
    // An entry the app did not write (a fragment typed by hand) is stamped when it is shown.
    this.show(location.hash, st);
    this.host.requestUpdate();
  };

  /**
   * Records the view shown: a new entry after the current one (`push`: the forward entries go, as
   * the browser drops them), or the current entry rewritten (a view reached by Back or Forward, a
   * link mended when read, a view that did not change).
   */
  record(hash: string, handSet: Iterable<string>, push: boolean): void {
    if (push) history.pushState(entryState(this.model.push(), handSet), '', hash);
    else history.replaceState(entryState(this.model.index, handSet), '', hash);
    sessionStorage.setItem(TOP_KEY, String(this.model.top));
    this.host.requestUpdate();
  }

  canGoBack(): boolean {
    return this.model.canGoBack();
  }

  canGoForward(): boolean {
    return this.model.canGoForward();
  }

  back(): void {
    if (this.model.canGoBack()) history.back();
  }

  forward(): void {
    if (this.model.canGoForward()) history.forward();
  }
}
