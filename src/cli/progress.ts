/** A progress bar on stderr (a line every 10% when stderr is not a terminal). */
import cliProgress from 'cli-progress';
import type { Progress } from '../engine/engine.ts';

export interface ProgressReporter {
  update(p: Progress): void;
  stop(): void;
}

export function progressBar(label: string, quiet: boolean): ProgressReporter {
  if (quiet) return { update: () => undefined, stop: () => undefined };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: `${label} [{bar}] {percentage}% | ETA {eta_formatted} | {rate} run-steps/s`,
        hideCursor: true,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    const t0 = performance.now();
    let started = false;
    return {
      update(p) {
        if (!started) {
          bar.start(p.total, 0, { rate: '-' });
          started = true;
        }
        const s = (performance.now() - t0) / 1000;
        bar.update(p.done, { rate: s > 0 ? formatRate(p.done / s) : '-' });
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let lastDecile = -1;
  return {
    update(p) {
      const decile = Math.floor((10 * p.done) / Math.max(1, p.total));
      if (decile > lastDecile) {
        lastDecile = decile;
        process.stderr.write(`${label}: ${decile * 10}%\n`);
      }
    },
    stop: () => undefined,
  };
}

export function formatRate(x: number): string {
  if (x >= 1e9) return `${(x / 1e9).toFixed(2)}G`;
  if (x >= 1e6) return `${(x / 1e6).toFixed(1)}M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)}k`;
  return x.toFixed(0);
}
