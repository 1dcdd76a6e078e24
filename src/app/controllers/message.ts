/**
 * The page's one message line (notices, errors, verdicts), shared by the controllers that speak:
 * the last thing said is what shows.
 */
import type { ReactiveControllerHost } from 'lit';

export class MessageLine {
  text = '';
  /**
   * How the line reads: a notice (amber ink: something was cleared, dropped or refused), a result
   * that is good news (a passed validation, in the page's ordinary ink: walkthrough 11 read a PASS
   * in the warning colour as a warning), or routine news (a link copied, axes that moved with an
   * edit: ordinary ink too, walkthrough 12).
   */
  tone: 'notice' | 'passed' | 'info' = 'notice';
  /**
   * A sentence that stands for `text` on the line, the text itself folded under it (a validation's
   * numbers: walkthrough 11's PASS paragraph pushed the map 200 px down); '' shows the text.
   */
  headline = '';
  /** Counts what is said (each say or add of text): a view tells a new message from one already seen. */
  said = 0;
  /** The text is about the edit that starts the next sweep: that sweep's start keeps it. */
  private aboutNextRun = false;

  constructor(private readonly host: ReactiveControllerHost) {}

  /** Says `text`; with `aboutNextRun`, it stays while the sweep the edit starts begins (see runStarts). */
  say(text: string, opts: { readonly aboutNextRun?: boolean; readonly tone?: 'notice' | 'passed' | 'info'; readonly headline?: string } = {}): void {
    if (text !== '' && text !== this.text) this.said++;
    this.text = text;
    this.tone = opts.tone ?? 'notice';
    this.headline = text === '' ? '' : (opts.headline ?? '');
    this.aboutNextRun = opts.aboutNextRun === true;
    this.host.requestUpdate();
  }

  /** Adds lines to what is said (a link's notices stay beside the spec link's), keeping whether it is about the next run. */
  add(lines: readonly string[]): void {
    const more = lines.filter((t) => t !== '');
    if (more.length === 0) return;
    this.text = [this.text, ...more].filter((t) => t !== '').join(' ');
    this.tone = 'notice';
    this.headline = '';
    this.said++;
    this.host.requestUpdate();
  }

  /**
   * Takes back `line` where it is still part of what is said (a note about a sweep that has ended),
   * leaving the rest; nothing where it is not (something said since replaced it).
   */
  withdraw(line: string): void {
    if (line === '' || !this.text.includes(line)) return;
    const rest = this.text
      .split(line)
      .map((t) => t.trim())
      .filter((t) => t !== '')
      .join(' ');
    if (rest === '') this.say('');
    else {
      this.text = rest;
      this.host.requestUpdate();
    }
  }

  /**
   * Routine news (a link copied, axes that moved: tone 'info') goes, as when a study opens: it was
   * about the explorer's last action (walkthrough 12 found "Link to this view copied." above the map
   * all through a study's run). A notice or a verdict stays (review 15).
   */
  dropRoutine(): void {
    if (this.tone === 'info' && this.text !== '') this.say('');
  }

  /** A sweep starts: what was said goes, unless it is about the edit that started it (said once more then cleared by the next). */
  runStarts(): void {
    if (this.aboutNextRun) this.aboutNextRun = false;
    else this.say('');
  }
}
