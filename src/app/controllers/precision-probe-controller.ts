/**
 * After a network map is drawn in float32: whether it shows its boundary or float32's rounding,
 * measured on a sample of its own runs run again in float64 (precision-probe.ts). When float32 does
 * not resolve the view the page says so above the map and offers to draw it in float64, rather than
 * leaving the rounding's speckle to be read as the boundary.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { NetPlan } from '../../core/network/plan.ts';
import type { NetResults } from '../../core/results.ts';
import type { ClassAgreement } from '../../core/validate.ts';
import { pastResolution } from '../../core/validate.ts';
import type { EngineSet } from './engines.ts';
import { probeRanges, probeSplit, resolutionText } from '../precision-probe.ts';

export interface ProbeResult {
  readonly plan: NetPlan;
  readonly split: ClassAgreement;
  /** Runs sampled. */
  readonly runs: number;
  /** Whether the map is past float32's resolution (core/validate.ts pastResolution). */
  readonly past: boolean;
}

export class PrecisionProbeController implements ReactiveController {
  result: ProbeResult | null = null;
  /** While probing: the map probed and how many of its runs run again. */
  probed: { readonly plan: NetPlan; readonly runs: number } | null = null;
  private abort: AbortController | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly engines: EngineSet,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.clear();
  }

  /** A new sweep, or leaving network views: the probe of the old map stops and its result goes. */
  clear(): void {
    this.abort?.abort();
    this.abort = null;
    this.result = null;
    this.probed = null;
  }

  /** Whether a probe runs now. */
  get probing(): boolean {
    return this.probed !== null;
  }

  /** Probes a finished float32 network map (nothing for a plan that is not a grid, or too small). */
  async probe(plan: NetPlan, shown: NetResults): Promise<void> {
    this.clear();
    const ranges = probeRanges(plan);
    if (ranges.length === 0) return;
    const abort = new AbortController();
    this.abort = abort;
    const probed = { plan, runs: ranges.reduce((n, r) => n + r.end - r.begin, 0) };
    this.probed = probed;
    this.host.requestUpdate();
    try {
      const parts: ArrayLike<number>[] = [];
      // One range at a time: the float64 engine's workers are shared with the page's previews.
      for (const range of ranges) parts.push((await this.engines.cpu64.run(plan, { range, signal: abort.signal })).diverged);
      if (this.abort !== abort) return;
      const split = probeSplit(shown.diverged, ranges, parts);
      this.result = { plan, split, runs: probed.runs, past: pastResolution(split) };
    } catch {
      // Cancelled by a newer sweep, or failed: the map is left without a verdict on its precision
      // (clear() left `result` null).
    } finally {
      if (this.abort === abort) {
        this.abort = null;
        this.probed = null;
        this.host.requestUpdate();
      }
    }
  }
}

/** What the page says above a map past float32's resolution. */
export function probeText(r: ProbeResult): string {
  return (
    `${resolutionText(r.split, `${r.runs} of this map's runs run again`)} Near this boundary, float32's rounding decides which side a run ends on. ` +
    "The float64 CPU engine resolves it, at about the float32 CPU engine's cost (slower than a real GPU's float32 map). " +
    // How deep: float64's rounding steps are 2^29 (5 x 10^8) times finer than float32's, so the same
    // amplification over the same steps makes its rounding decide only at zooms about that much deeper.
    "How deep it can go: its rounding is about 5 × 10^8 times finer, so at these steps rounding would decide in float64 too only at zooms about that many times deeper."
  );
}
