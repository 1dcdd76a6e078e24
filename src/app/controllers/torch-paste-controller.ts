/**
 * The "Paste torch…" dialog's state: whether it is open, the code typed, and why the last Apply
 * read nothing (the code's line and column). Applying is the spec controller's (applyTorchCode);
 * a successful Apply closes the dialog and the page's message line says what was read.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Shown in the empty dialog: the lines a user has, as torch writes them. */
export const TORCH_EXAMPLE = `optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.999), weight_decay=1e-2)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=100, eta_min=1e-5)`;

export class TorchPasteController implements ReactiveController {
  open = false;
  text = '';
  error = '';

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly apply: (text: string) => string | null,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  show(): void {
    this.open = true;
    this.error = '';
    this.host.requestUpdate();
  }

  hide(): void {
    this.open = false;
    this.host.requestUpdate();
  }

  edit(text: string): void {
    this.text = text;
    if (this.error) this.error = '';
    this.host.requestUpdate();
  }

  /** Applies the code: closes on success, keeps the dialog open with the reason otherwise. */
  submit(): void {
    const why = this.text.trim() === '' ? 'paste the lines that make your optimizer and scheduler (the example above shows the form)' : this.apply(this.text);
    if (why === null) {
      this.open = false;
      this.error = '';
    } else {
      this.error = why;
    }
    this.host.requestUpdate();
  }
}
