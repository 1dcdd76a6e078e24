/**
 * The spec being edited and the URL that carries it: parsing and field errors, the heatmap mode
 * (the `v` of the fragment), the fragment kept in step both ways, and spec files imported. A valid
 * spec is handed on (`onValid`); what runs it is another controller's concern.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { SpecErrors } from '../../core/errors.ts';
import type { Spec } from '../../core/spec.ts';
import { SPEC_JSON_LIMITS, parseSpec, readSpecJSON, specToJSON } from '../../core/spec.ts';
import { decodeUrlState, encodeUrlState } from '../../core/url.ts';
import type { HeatmapMode } from '../../view/frame.ts';
import { HEATMAP_MODES } from '../../view/frame.ts';
import type { MessageLine } from './message.ts';

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/** The default view: an LR x momentum sweep of heavy-ball SGD on Rosenbrock. */
export const DEFAULT_SPEC: Record<string, unknown> = {
  surface: { name: 'rosenbrock' },
  optimizer: { name: 'SGD', lr: 0.001, momentum: 0.9 },
  steps: 500,
  start: [-1.5, 2],
  sweep: {
    kind: 'grid',
    x: { param: 'optimizer.lr', min: 1e-5, max: 1e-2, count: 256, scale: 'log' },
    y: { param: 'optimizer.momentum', min: 0, max: 0.99, count: 256, scale: 'linear' },
  },
};

export interface SpecChange {
  /** Run now (a zoom, the URL, an import) rather than after the editor's typing pause. */
  readonly immediate?: boolean;
  /** Add the spec to the zoom history (a new view, not a step through the history). */
  readonly pushZoom?: boolean;
}

export class SpecController implements ReactiveController {
  /** The spec as edited (normalised by the parser once valid). */
  json: Record<string, unknown> = DEFAULT_SPEC;
  /** The last valid spec. */
  current: Spec | null = null;
  errors: FieldError[] = [];
  mode: HeatmapMode = 'basin';

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly message: MessageLine,
    private readonly onValid: (change: SpecChange) => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    window.addEventListener('hashchange', this.onHash);
  }

  hostDisconnected(): void {
    window.removeEventListener('hashchange', this.onHash);
  }

  /** Starts from the URL's spec (or the default). */
  init(): void {
    let json: Record<string, unknown> = DEFAULT_SPEC;
    try {
      const st = decodeUrlState(location.hash);
      if (st) {
        json = st.spec as Record<string, unknown>;
        const m = st.params.v;
        if (m && (HEATMAP_MODES as readonly string[]).includes(m)) this.mode = m as HeatmapMode;
      }
    } catch (e) {
      this.message.text = (e as Error).message;
    }
    this.setSpec(json, { immediate: true, pushZoom: true });
  }

  private onHash = (): void => {
    try {
      const st = decodeUrlState(location.hash);
      if (st && JSON.stringify(st.spec) !== JSON.stringify(this.json)) this.setSpec(st.spec as Record<string, unknown>, { immediate: true });
    } catch (e) {
      this.message.say((e as Error).message);
    }
  };

  private writeUrl(): void {
    // Keep what other parts of the page put in the fragment (the open study).
    const extra = Object.fromEntries([...new URLSearchParams(location.hash.slice(1))].filter(([k]) => k !== 's' && k !== 'v'));
    const hash = encodeUrlState(this.json, { ...extra, v: this.mode });
    if (location.hash !== hash) history.replaceState(null, '', hash);
  }

  /** A new spec from the editor, an import, a zoom or the URL: validate, and hand it on if valid. */
  setSpec(json: Record<string, unknown>, change: SpecChange = {}): void {
    this.json = json;
    try {
      const spec = parseSpec(json);
      this.current = spec;
      this.errors = [];
      this.json = specToJSON(spec);
    } catch (e) {
      if (e instanceof SpecErrors) {
        this.errors = e.errors.map((x) => ({ path: x.path, message: x.message }));
        this.host.requestUpdate();
        return;
      }
      throw e;
    }
    this.writeUrl();
    this.onValid(change);
    this.host.requestUpdate();
  }

  setMode(mode: HeatmapMode): void {
    this.mode = mode;
    this.writeUrl();
    this.host.requestUpdate();
  }

  /** A spec file the user picked: shown and run as a new view, or a message saying why not. */
  async importFile(file: File): Promise<void> {
    try {
      // The spec reader's own bounds: a file larger than any spec is refused before it is read.
      if (file.size > SPEC_JSON_LIMITS.maxChars * 4) throw new Error(`${file.size} bytes is larger than any spec`);
      const json = readSpecJSON(await file.text()) as Record<string, unknown>;
      this.setSpec(json, { immediate: true, pushZoom: true });
    } catch (e) {
      this.message.say(`Could not import ${file.name}: ${(e as Error).message}`);
    }
  }
}
