/**
 * The page's own keys: Space plays or pauses the paths shown (the selected and pinned runs, or the
 * race), Escape cancels a running sweep or validation. Space is left to the control that has the
 * focus when it uses it (a button, a field, a slider, a select).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export type PageKeyAction = 'toggle-play' | 'cancel';

/** Elements whose own behaviour Space triggers. */
const SPACE_TAKERS = new Set(['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON', 'SUMMARY', 'A', 'OPTION']);

/** What a key pressed anywhere on the page means (target: the element that has the focus, by tag name). */
export function pageKey(key: string, targetTag: string, targetEditable: boolean, modifiers: boolean): PageKeyAction | null {
  if (modifiers) return null;
  if (key === 'Escape') return 'cancel';
  if (key === ' ' && !SPACE_TAKERS.has(targetTag.toUpperCase()) && !targetEditable) return 'toggle-play';
  return null;
}

export class KeyboardController implements ReactiveController {
  constructor(
    host: ReactiveControllerHost,
    private readonly act: (a: PageKeyAction) => boolean,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    window.addEventListener('keydown', this.onKey);
  }

  hostDisconnected(): void {
    window.removeEventListener('keydown', this.onKey);
  }

  private readonly onKey = (e: KeyboardEvent): void => {
    if (e.defaultPrevented) return;
    // The element that really has the focus, inside the components' shadow roots.
    const t = e.composedPath()[0];
    const el = t instanceof HTMLElement ? t : null;
    const a = pageKey(e.key, el?.tagName ?? '', el?.isContentEditable ?? false, e.ctrlKey || e.metaKey || e.altKey);
    // Space would scroll the page: not when it played or paused.
    if (a && this.act(a)) e.preventDefault();
  };
}
