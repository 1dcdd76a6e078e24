/**
 * The explorer explains itself (issue 12), in real Chromium with WebGPU on SwiftShader:
 * - every optimiser and every surface, reached from the default view by the editor, gives a map
 *   with structure (no colour on more than 90% of its cells, counted with the view layer's colours);
 * - the caption, legend, theory lines and curated views;
 * - Back and Forward undo and redo edits and zooms, across a reload; Reset; links that cannot be
 *   read in full say what was dropped and keep the rest;
 * - import of the app's own export and of the CLI's result files (JSON, Parquet);
 * - the figure export (SVG that parses, with axes, legend and caption; PNG at 2x);
 * - validation's pass labels and verdict; a cancelled re-run keeps the last complete map;
 * - "Open in explorer" on a study panel.
 * Screenshots go to test-artifacts/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPEC } from '../../src/app/defaults.ts';
import { PRESETS } from '../../src/app/presets.ts';
import { OPTIMIZERS, SURFACES } from '../../src/core/registry/index.ts';
import { parseSpec, specToJSON } from '../../src/core/spec.ts';
import { encodeUrlState } from '../../src/core/url.ts';
import { dominantShare } from '../../src/view/frame.ts';
import type { Served } from './harness.ts';
import { ARTIFACTS, clickViewBar, frameOf, open, serve, setField, settle, specOf, testText } from './harness.ts';

let s: Served;

beforeAll(async () => {
  s = await serve();
}, 240_000);

afterAll(async () => {
  await s?.close();
});

type Ctl = {
  controller: {
    sweep: { running: boolean; results: unknown; restored: unknown; runsReady: number; plan?: { width: number; optimizer: { id: string }; spec: { steps: number; surface: { name: string }; sweep: unknown } } };
    spec: { json: Record<string, unknown>; mode: string; history: { canGoBack(): boolean; canGoForward(): boolean } };
    message: { text: string };
    selection: { selected: unknown; select(cell: { i: number; j: number }): void };
  };
};

const DEFAULT_JSON = specToJSON(parseSpec(DEFAULT_SPEC));

async function waitFor(page: Page, fn: string, timeout = 120_000): Promise<void> {
  await page.waitForFunction(`(() => { const app = document.querySelector('bl-app'); return ${fn}; })()`, { timeout, polling: 100 });
}

async function waitSpec(page: Page, spec: unknown): Promise<void> {
  await page.waitForFunction((want: string) => JSON.stringify((document.querySelector('bl-app') as unknown as Ctl).controller.spec.json) === want, { timeout: 60_000, polling: 100 }, JSON.stringify(spec));
  await settle(page);
}

async function message(page: Page): Promise<string> {
  return testText(page, 'message');
}

/** The caption above the map (in <bl-view-notes>). */
async function captionOf(page: Page): Promise<string> {
  return page.evaluate(() => document.querySelector('bl-app')?.shadowRoot?.querySelector('bl-view-notes')?.shadowRoot?.querySelector('[data-testid="caption"]')?.textContent ?? '');
}

describe('informative by default, always', () => {
  it('shows structure on every optimiser and every surface reached from the default view (no colour on > 90% of a map)', async () => {
    const page = await open(s.browser, s.origin);
    const shares: string[] = [];
    const failures: string[] = [];
    const check = async (what: string): Promise<void> => {
      const f = await frameOf(page);
      expect(f.mode).toBe('outcome');
      const share = dominantShare(f);
      shares.push(`${what} ${(100 * share).toFixed(1)}%`);
      if (share > 0.9) failures.push(`${what}: ${(100 * share).toFixed(1)}% one colour`);
    };
    await check('default view (SGD on Rosenbrock)');
    // The default view draws the heavy-ball stability limit of Rosenbrock's minimum.
    const lines = await page.evaluate(() => ((document.querySelector('bl-app')?.shadowRoot?.querySelector('bl-heatmap') as unknown as { lines: { label: string }[] }).lines ?? []).map((l) => l.label));
    expect(lines).toEqual([expect.stringMatching(/^stability limit lr = 2\(1 \+ momentum\)\/λ, λ = 1002/)]);
    for (const o of OPTIMIZERS.slice(1)) {
      await setField(page, 'optimizer.name', o.id);
      await waitFor(page, `app.controller.sweep.plan?.optimizer.id === ${JSON.stringify(o.id)}`);
      await settle(page);
      await check(`${o.id} on Rosenbrock`);
    }
    await setField(page, 'optimizer.name', 'SGD');
    for (const sf of SURFACES) {
      await setField(page, 'surface.name', sf.id);
      await waitFor(page, `app.controller.sweep.plan?.spec.surface.name === ${JSON.stringify(sf.id)} && app.controller.sweep.plan?.optimizer.id === 'SGD'`);
      await settle(page);
      await check(`SGD on ${sf.id}`);
    }
    writeFileSync(`${ARTIFACTS}/explorer-shares.txt`, `${shares.join('\n')}\n`);
    expect(failures).toEqual([]);
    await page.close();
  }, 900_000);

  it('says what the map is: a caption from the spec, a legend naming every colour and λ, a how-to-read panel, curated views', async () => {
    const page = await open(s.browser, s.origin);
    expect(await captionOf(page)).toMatch(/^Each pixel is one run of SGD on Rosenbrock from \(−1\.5, 2\), 500 steps; x: learning rate \(log, 1e-5 … 0\.01\); y: momentum \(0 … 0\.99\); colour: /);
    const legend = await page.evaluate(() => document.querySelector('bl-app')?.shadowRoot?.querySelector('bl-heatmap')?.shadowRoot?.querySelector('[data-testid="legend"]')?.textContent ?? '');
    expect(legend).toMatch(/minimum 0 at \(1, 1\), λ = 1002/);
    expect(legend).toMatch(/still moving/);
    expect(legend).toMatch(/diverged/);
    expect(legend).toMatch(/λ = sharpness: the largest eigenvalue of the Hessian at the minimum/);
    const how = await page.evaluate(() => document.querySelector('bl-app')?.shadowRoot?.querySelector('bl-view-notes')?.shadowRoot?.querySelector('[data-testid="how-to-read"]')?.textContent ?? '');
    expect(how).toMatch(/Each pixel is one complete optimisation run/);
    // A curated view, from the menu, over a selected run: the new view starts with none, unsaid.
    await page.evaluate(() => (document.querySelector('bl-app') as unknown as { controller: { selectRun(c: { i: number; j: number }): void } }).controller.selectRun({ i: 100, j: 100 }));
    await waitFor(page, `app.controller.selection.selected !== null`);
    await page.evaluate(() => {
      const sel = document.querySelector('bl-app')?.shadowRoot?.querySelector('bl-view-bar')?.shadowRoot?.querySelector('select[name="preset"]') as HTMLSelectElement;
      sel.value = 'himmelblau-starts';
      sel.dispatchEvent(new Event('change'));
    });
    await waitFor(page, `app.controller.sweep.plan?.spec.surface.name === 'himmelblau'`);
    await settle(page);
    expect(await captionOf(page)).toMatch(/on Himmelblau from a grid of start points/);
    expect(await page.evaluate(`document.querySelector('bl-app').controller.selection.selected`)).toBeNull();
    expect(await page.evaluate(`document.querySelector('bl-app').controller.message.text`)).not.toMatch(/selected run was cleared/);
    expect(dominantShare(await frameOf(page))).toBeLessThan(0.5);
    // What the view is for, above the caption (walkthrough 19: written for every view, shown nowhere); gone once edited.
    const blurb = (): Promise<string> => page.evaluate(() => document.querySelector('bl-app')?.shadowRoot?.querySelector('bl-view-notes')?.shadowRoot?.querySelector('[data-testid="preset-blurb"]')?.textContent ?? '');
    expect(await blurb()).toBe(PRESETS.find((p) => p.id === 'himmelblau-starts')?.blurb);
    await page.screenshot({ path: `${ARTIFACTS}/explorer-preset.png` });
    await setField(page, 'steps', '150');
    await waitFor(page, `app.controller.spec.json.steps === 150`);
    expect(await blurb()).toBe('');
    await page.close();
  }, 300_000);
});

describe('state that never traps', () => {
  it('undoes and redoes edits and zooms with Back and Forward (the browser and the page), across a reload, and resets', async () => {
    const page = await open(s.browser, s.origin);
    const spec0 = await specOf(page);
    expect(spec0).toEqual(DEFAULT_JSON);
    await setField(page, 'optimizer.name', 'Adam');
    await waitFor(page, `app.controller.sweep.plan?.optimizer.id === 'Adam'`);
    await settle(page);
    const spec1 = await specOf(page);
    // A zoom: a dragged rectangle.
    const box = await (await page.evaluateHandle(() => document.querySelector('bl-app')?.shadowRoot?.querySelector('bl-heatmap')?.shadowRoot?.querySelector('canvas.overlay'))).asElement()?.boundingBox();
    if (!box) throw new Error('no overlay canvas');
    await page.mouse.move(box.x + 64 + 200, box.y + 12 + 200);
    await page.mouse.down();
    await page.mouse.move(box.x + 64 + 330, box.y + 12 + 330, { steps: 5 });
    await page.mouse.up();
    await waitFor(page, `JSON.stringify(app.controller.spec.json) !== ${JSON.stringify(JSON.stringify(spec1))}`);
    await settle(page);
    const spec2 = await specOf(page);
    expect((spec2.sweep as { x: { min: number } }).x.min).toBeGreaterThan((spec1.sweep as { x: { min: number } }).x.min);

    await page.evaluate(() => history.back());
    await waitSpec(page, spec1);
    await page.evaluate(() => history.back());
    await waitSpec(page, spec0);
    const atStart = await page.evaluate(() => {
      const h = (document.querySelector('bl-app') as unknown as Ctl).controller.spec.history;
      return [h.canGoBack(), h.canGoForward()];
    });
    expect(atStart).toEqual([false, true]);
    await page.evaluate(() => history.forward());
    await waitSpec(page, spec1);
    await clickViewBar(page, 'forward');
    await waitSpec(page, spec2);
    await clickViewBar(page, 'back');
    await waitSpec(page, spec1);

    // A reload keeps the view and what Forward can reach.
    await page.reload();
    await page.waitForSelector('bl-app');
    await waitSpec(page, spec1);
    expect(await page.evaluate(() => (document.querySelector('bl-app') as unknown as Ctl).controller.spec.history.canGoForward())).toBe(true);

    // A run selected in this view is not carried into the default one (walkthrough 12: it landed on
    // the default map's edge, a run nobody picked, and the link still named it); Back brings it back.
    await page.evaluate(() => (document.querySelector('bl-app') as unknown as Ctl).controller.selection.select({ i: 3, j: 5 }));
    await waitFor(page, `location.hash.includes('run=')`);
    await clickViewBar(page, 'reset');
    await waitSpec(page, DEFAULT_JSON);
    await settle(page);
    const afterReset = await page.evaluate(() => ({ selected: (document.querySelector('bl-app') as unknown as Ctl).controller.selection.selected, hash: location.hash }));
    expect(afterReset.selected).toBeNull();
    expect(afterReset.hash).not.toMatch(/run=/);
    await page.evaluate(() => history.back());
    await waitSpec(page, spec1);
    await waitFor(page, `app.controller.selection.selected !== null && location.hash.includes('run=')`);
    await page.close();
  }, 600_000);

  it('keeps what a link with unknown fields can use, naming what it dropped; a garbage or truncated link says so and shows the default view', async () => {
    const bad = { ...DEFAULT_JSON, colour: 'red', optimizer: { ...(DEFAULT_JSON.optimizer as object), nope: 1 } };
    const page = await open(s.browser, s.origin, encodeUrlState(bad, { v: 'loss' }));
    const msg = await message(page);
    expect(msg).toMatch(/dropped/);
    expect(msg).toMatch(/colour \(unknown field\)/);
    expect(msg).toMatch(/optimizer\.nope \(unknown field\)/);
    expect(await specOf(page)).toEqual(DEFAULT_JSON);
    expect(await page.evaluate(() => (document.querySelector('bl-app') as unknown as Ctl).controller.spec.mode)).toBe('loss');
    // The mended link replaced the bad one, and Run is not blocked.
    expect(page.url()).not.toMatch(/Y29sb3Vy/);
    expect(await page.evaluate(() => (document.querySelector('bl-app')?.shadowRoot?.querySelector('[data-testid="run"]') as HTMLButtonElement | null)?.disabled)).toBe(false);
    await page.close();
    const full = encodeUrlState({ ...DEFAULT_JSON, steps: 300 });
    for (const hash of ['#s=%%%%garbage', full.slice(0, full.length - 20)]) {
      const p = await open(s.browser, s.origin, hash);
      expect(await message(p), hash).toMatch(/could not be read.*showing the default view/);
      expect(await specOf(p)).toEqual(DEFAULT_JSON);
      await p.close();
    }
  }, 300_000);

  it("imports the app's own JSON export and the CLI's result files (JSON, Parquet), and says why a CSV cannot be", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'basinlab-import-'));
    const page = await open(s.browser, s.origin);
    await setField(page, 'sweep.x.count', '24');
    await setField(page, 'sweep.y.count', '16');
    // Both edits' values: a half-edited sweep (a pause over the edit debounce) has the first alone (review 16).
    await waitFor(page, 'app.controller.sweep.plan?.width === 24 && app.controller.sweep.plan.height === 16');
    await settle(page);
    const exported = await specOf(page);
    const text = await page.evaluate(async () => {
      const blob = (document.querySelector('bl-app') as unknown as { controller: { exports: { text(f: string): Blob | null } } }).controller.exports.text('json');
      return blob ? blob.text() : '';
    });
    writeFileSync(join(dir, 'app-export.json'), text);
    const cliSpec = { surface: 'himmelblau', optimizer: { name: 'Adam', lr: 0.05 }, steps: 60, sweep: { kind: 'grid', x: { param: 'start.0', min: -5, max: 5, count: 12 }, y: { param: 'start.1', min: -5, max: 5, count: 10 } } };
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(cliSpec));
    for (const ext of ['json', 'parquet', 'csv']) {
      execFileSync('node', ['bin/basinlab.js', 'sweep', join(dir, 'spec.json'), '-e', 'cpu', '-w', '0', '-q', '-o', join(dir, `cli.${ext}`)], { stdio: 'ignore' });
    }
    const input = await page.$('bl-app >>> input[type="file"]');
    if (!input) throw new Error('no import input');
    const upload = async (file: string): Promise<void> => {
      await (input as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(join(dir, file));
    };
    await clickViewBar(page, 'reset');
    await waitSpec(page, DEFAULT_JSON);
    await upload('app-export.json');
    await waitSpec(page, exported);
    expect(await message(page)).toMatch(/^Imported the spec recorded in app-export\.json\.$/);
    for (const file of ['cli.json', 'cli.parquet']) {
      await clickViewBar(page, 'reset');
      await waitSpec(page, DEFAULT_JSON);
      await upload(file);
      await waitSpec(page, specToJSON(parseSpec(cliSpec)));
      expect(await message(page)).toMatch(new RegExp(`^Imported the spec recorded in ${file.replace('.', '\\.')}\\.$`));
    }
    await upload('cli.csv');
    await page.waitForFunction(() => /records no spec/.test(document.querySelector('bl-app')?.shadowRoot?.querySelector('[data-testid="message"]')?.textContent ?? ''), { timeout: 30_000 });
    await page.close();
  }, 300_000);

  it("reads pasted PyTorch code into the view's optimizer and schedule, says what it read, and names in the dialog what it cannot read", async () => {
    const page = await open(s.browser, s.origin);
    await page.click('bl-app >>> [data-testid="paste-torch"]');
    const typeCode = async (code: string): Promise<void> => {
      await page.evaluate((c: string) => {
        const t = document.querySelector('bl-app')?.shadowRoot?.querySelector('[data-testid="paste-text"]') as HTMLTextAreaElement;
        t.value = c;
        t.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
      }, code);
      await page.click('bl-app >>> [data-testid="paste-apply"]');
    };
    const dialogError = (): Promise<string | null> => page.evaluate(() => document.querySelector('bl-app')?.shadowRoot?.querySelector('[data-testid="paste-error"]')?.textContent ?? null);
    // The box has the focus, for the paste.
    expect(await page.evaluate(() => document.querySelector('bl-app')?.shadowRoot?.activeElement?.getAttribute('data-testid'))).toBe('paste-text');
    await typeCode('sched = StepLR(opt, 30)');
    expect(await dialogError()).toMatch(/^StepLR: positional argument 2 \(30\) is not read, .*\(probably step_size=30\)$/);
    expect(await specOf(page)).toEqual(DEFAULT_JSON);
    await typeCode('optimizer = torch.optim.Adam(model.parameters(), lr=3e-4, betas=(0.8, 0.99))\nscheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=100, gamma=0.5)');
    await waitFor(page, `app.controller.sweep.plan?.optimizer.id === 'Adam'`);
    await settle(page);
    const spec = await specOf(page);
    expect(spec.optimizer).toMatchObject({ name: 'Adam', lr: 3e-4, betas: [0.8, 0.99] });
    expect(spec.schedule).toMatchObject({ name: 'StepLR', step_size: 100, gamma: 0.5 });
    expect(await page.evaluate(() => document.querySelector('bl-app')?.shadowRoot?.querySelector('[data-testid="paste-dialog"]') ?? null)).toBeNull();
    // Said, and kept past the sweep it started; the default sweep's momentum axis moves to Adam's betas[0], as choosing Adam in the editor moves it (walkthrough 15).
    expect(await message(page)).toMatch(/^Read from the pasted code: Adam \(lr, betas\) and StepLR \(step_size, gamma\)\.[\s\S]*y now sweeps betas\[0\] \(was momentum\)/);
    expect((spec.sweep as { y: { param: string } }).y.param).toBe('optimizer.betas.0');
    // A misspelt keyword is said under Dropped only, not among what was read (walkthrough 21).
    await page.click('bl-app >>> [data-testid="paste-torch"]');
    await typeCode('opt = torch.optim.SGD(model.parameters(), lr=0.01, momentm=0.9)');
    await waitFor(page, `app.controller.sweep.plan?.optimizer.id === 'SGD'`);
    await settle(page);
    const said = await message(page);
    expect(said).toMatch(/^Read from the pasted code: SGD \(lr\)\./);
    expect(said).toMatch(/Dropped what could not be used \(the rest is shown\): optimizer\.momentm \(unknown field; did you mean momentum\?\)/);
    await page.close();
  }, 300_000);

  it('keeps the last complete map on screen when a re-run is cancelled', async () => {
    const page = await open(s.browser, s.origin);
    await setField(page, 'steps', '50000');
    await waitFor(page, `app.controller.sweep.running && app.controller.sweep.plan?.spec.steps === 50000`);
    await page.click('bl-app >>> button[data-testid="cancel"]');
    await waitFor(page, '!app.controller.sweep.running');
    const st = await page.evaluate(() => {
      const c = (document.querySelector('bl-app') as unknown as Ctl).controller;
      return { steps: c.sweep.plan?.spec.steps, results: !!c.sweep.results, restored: !!c.sweep.restored, ready: c.sweep.runsReady, edited: (c.spec.json as { steps: number }).steps };
    });
    expect(st).toEqual({ steps: 500, results: true, restored: true, ready: 256 * 256, edited: 50000 });
    expect(await page.evaluate(() => document.querySelector('bl-app')?.shadowRoot?.querySelector('bl-view-notes')?.shadowRoot?.querySelector('[data-testid="stale"]')?.textContent ?? '')).toMatch(/last complete sweep/);
    expect(await page.evaluate(() => document.querySelector('bl-app')?.shadowRoot?.querySelector('bl-view-notes')?.shadowRoot?.querySelector('[data-testid="caption"]')?.textContent ?? '')).toMatch(/, 500 steps;/);
    expect(dominantShare(await frameOf(page))).toBeLessThan(0.9);
    // The note's button puts the map's spec back in the editor, and nothing runs again: the map is
    // that spec's complete sweep (a counter of sweeps started tells a re-run from none).
    await page.evaluate(() => {
      const w = window as unknown as { starts: number };
      w.starts = 0;
      const c = (document.querySelector('bl-app') as unknown as { controller: { sweep: { begin: (...a: unknown[]) => unknown } } }).controller.sweep;
      const begin = c.begin.bind(c);
      c.begin = (...a: unknown[]) => {
        w.starts++;
        return begin(...a);
      };
    });
    await page.click('bl-app >>> bl-view-notes >>> button[data-testid="restore-spec"]');
    await waitFor(page, `app.controller.sweep.restored === null && app.controller.spec.json.steps === 500`);
    await settle(page);
    expect(await page.evaluate(() => (window as unknown as { starts: number }).starts)).toBe(0);
    expect(await page.evaluate(() => document.querySelector('bl-app')?.shadowRoot?.querySelector('bl-view-notes')?.shadowRoot?.querySelector('[data-testid="stale"]') ?? null)).toBeNull();
    expect(await message(page)).toMatch(/shown map's spec again/);
    // A spec with problems does not run: the note says the map is the last spec that did.
    await setField(page, 'steps', '0');
    await waitFor(page, `app.controller.spec.errors.length > 0`);
    expect(await page.evaluate(() => document.querySelector('bl-app')?.shadowRoot?.querySelector('bl-view-notes')?.shadowRoot?.querySelector('[data-testid="stale"]')?.textContent ?? '')).toMatch(/the spec in the editor has problems/);
    await page.close();
  }, 300_000);

  it('draws a random sweep as a band of columns over the run index, not a tall square, and offers no zoom', async () => {
    const page = await open(s.browser, s.origin);
    const spec = { surface: { name: 'quadratic' }, optimizer: { name: 'SGD', lr: 0.01 }, steps: 50, sweep: { kind: 'random', count: 64, seed: 0, dims: [{ param: 'optimizer.lr', min: 1e-3, max: 1, scale: 'log' }] } };
    await page.evaluate(`document.querySelector('bl-app').controller.spec.setSpec(${JSON.stringify(spec)}, { immediate: true, record: 'push' })`);
    await waitFor(page, `!app.controller.sweep.running && app.controller.sweep.results && app.controller.sweep.plan.spec.sweep.kind === 'random'`);
    const shape = (await page.evaluate(`(() => { const r = document.querySelector('bl-app').shadowRoot.querySelector('bl-heatmap').shadowRoot; const plot = r.querySelector('canvas.plot-2d').getBoundingClientRect();
      return { shape: r.querySelector('.wrap').dataset.shape, w: plot.width, h: plot.height, status: [...document.querySelector('bl-app').shadowRoot.querySelectorAll('.status')].map((p) => p.textContent).join(' ') }; })()`)) as { shape: string; w: number; h: number; status: string };
    expect(shape.shape).toBe('band');
    expect(shape.h).toBeLessThan(shape.w / 3);
    expect(shape.status).toMatch(/64 runs × 50 steps on \w+ in \d+ ms; click a cell for its trajectory/);
    expect(shape.status).not.toMatch(/drag a rectangle to zoom/);
    await page.close();
  }, 300_000);
});

describe('figures worth keeping', () => {
  it('exports the map as an SVG figure (axes, legend, caption) and as a PNG rasterised from it at 2x', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'basinlab-figure-'));
    const page = await open(s.browser, s.origin);
    const cdp = await page.createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: dir });
    const waitFile = async (name: string): Promise<Buffer> => {
      for (let k = 0; k < 300 && !existsSync(join(dir, name)); k++) await new Promise((r) => setTimeout(r, 100));
      // Complete once Chromium has renamed it from its .crdownload.
      return readFileSync(join(dir, name));
    };
    await clickViewBar(page, 'figure-svg');
    const svg = (await waitFile('basinlab-rosenbrock-sgd-lr-by-momentum-outcome.svg')).toString('utf8');
    const parsed = await page.evaluate((t: string) => {
      const doc = new DOMParser().parseFromString(t, 'image/svg+xml');
      return { error: doc.querySelector('parsererror')?.textContent ?? null, texts: [...doc.querySelectorAll('text')].map((e) => e.textContent ?? '') };
    }, svg);
    expect(parsed.error).toBeNull();
    const all = parsed.texts.join('\n');
    expect(all).toMatch(/learning rate \(log\)/);
    expect(all).toMatch(/^momentum$/m);
    expect(parsed.texts).toContain('0.001');
    expect(all).toMatch(/minimum 0 at \(1, 1\), λ = 1002/);
    expect(all).toMatch(/diverged/);
    expect(all).toMatch(/stability limit/);
    expect(all).toMatch(/Each pixel is one run of SGD on Rosenbrock/);
    // resvg (the CLI's rasteriser) reads it too.
    expect(new Resvg(svg).render().width).toBe(520);
    await clickViewBar(page, 'figure-png');
    const png = await waitFile('basinlab-rosenbrock-sgd-lr-by-momentum-outcome@2x.png');
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(1040);
    // Named by the view (problem, optimiser, swept parameters, colouring), so figures of several views do not collide.
    expect(readdirSync(dir).sort()).toEqual(['basinlab-rosenbrock-sgd-lr-by-momentum-outcome.svg', 'basinlab-rosenbrock-sgd-lr-by-momentum-outcome@2x.png']);
    await page.close();
  }, 300_000);
});

describe('validation a person waits for', () => {
  it('labels its passes, estimates the time left, and shows the verdict against the thresholds', async () => {
    const page = await open(s.browser, s.origin);
    // Large enough that each pass reports more than once: its time left is measured from its first
    // report (walkthrough 12), so a pass over in one report has none to show.
    await setField(page, 'sweep.x.count', '128');
    await setField(page, 'sweep.y.count', '128');
    await waitFor(page, 'app.controller.sweep.plan?.width === 128 && app.controller.sweep.plan.height === 128');
    await settle(page);
    await page.evaluate(() => {
      const w = window as unknown as { __status: string[] };
      w.__status = [];
      const c = (document.querySelector('bl-app') as unknown as { controller: { validation: { status(): string; throttle: { request(): void } } } }).controller;
      const sample = (): void => {
        const t = c.validation.status();
        if (t && w.__status.at(-1) !== t) w.__status.push(t);
      };
      // At every progress report (the controller asks for a render right after its pass clock takes
      // the report), not only on a timer that a busy page may not fire in time (review 16).
      const throttle = c.validation.throttle;
      const request = throttle.request.bind(throttle);
      throttle.request = () => {
        sample();
        request();
      };
      setInterval(sample, 15);
    });
    await page.click('bl-app >>> button[data-testid="validate"]');
    await page.waitForFunction(() => !!document.querySelector('bl-app')?.shadowRoot?.querySelector('[data-testid="verdict"]'), { timeout: 300_000, polling: 100 });
    const statuses = await page.evaluate(() => (window as unknown as { __status: string[] }).__status);
    expect(statuses.some((t) => t.startsWith('Validating 1/2: float32 CPU engine'))).toBe(true);
    expect(statuses.some((t) => t.startsWith('Validating 2/2: float64 CPU engine'))).toBe(true);
    expect(statuses.some((t) => /(s|min) left|almost done/.test(t))).toBe(true);
    expect(await testText(page, 'verdict')).toBe('✓ passed');
    expect(await testText(page, 'message-headline')).toMatch(/^The map checks out: run again on the float32 CPU engine, [\d.]+% of the map's 16,384 runs end the same way/);
    expect(await page.evaluate(() => document.querySelector('bl-app')?.shadowRoot?.querySelector('[data-testid="message"] details p')?.textContent ?? '')).toMatch(/^PASS: gpu vs cpu: same outcome on [\d.]+% of runs \(needs ≥ 99\.50%/);
    await page.close();
  }, 400_000);
});

describe('studies open in the explorer', () => {
  it('opens the sweep behind a study panel in the explorer', async () => {
    const page = await s.browser.newPage();
    await page.goto(`${s.origin}/#study=swa`);
    await page.waitForSelector('bl-app');
    await page.waitForFunction(() => {
      const app = document.querySelector('bl-app') as unknown as { studyController?: { result: unknown; running: boolean } } | null;
      return !!app?.studyController?.result && !app.studyController.running;
    }, { timeout: 300_000, polling: 250 });
    const figures = await page.evaluate(() =>
      [...(document.querySelector('bl-app')?.shadowRoot?.querySelectorAll('[data-testid="study-figure"]') ?? [])].map((f) => ({
        buttons: f.querySelectorAll('[data-testid="open-in-explorer"]').length,
        note: f.querySelector('[data-testid="opens-elsewhere"]')?.textContent ?? '',
      })),
    );
    // The map offers its sweep; the two charts computed from it do not repeat the button, and say
    // where it is: every panel can still be opened, each sweep from one place.
    expect(figures.map((f) => f.buttons)).toEqual([1, 0, 0]);
    expect(figures[0]?.note).toBe('');
    for (const f of figures.slice(1)) expect(f.note).toBe("To explore this chart's sweep: “Open … in explorer” under “Final loss of the last iterate: LR × noise”.");
    const want = await page.evaluate(() => {
      const st = (document.querySelector('bl-app') as unknown as { studyController: { result: { panels: { kind: string; plan?: { spec: { sweep: unknown } } }[] } } }).studyController;
      return JSON.stringify(st.result.panels[0]?.plan?.spec.sweep);
    });
    await page.click('bl-app >>> [data-testid="open-in-explorer"]');
    await page.waitForFunction((w: string) => JSON.stringify((document.querySelector('bl-app') as unknown as Ctl).controller.sweep.plan?.spec.sweep) === w, { timeout: 60_000 }, want);
    await settle(page);
    expect((await specOf(page)).surface).toMatchObject({ name: 'flat_sharp' });
    // The study's run of the sweep is what shows: nothing ran again, and the message says so.
    const shown = await page.evaluate(() => {
      const app = document.querySelector('bl-app') as unknown as {
        controller: { sweep: { fromStudy: boolean; onDevice: boolean; results: unknown; running: boolean } };
        studyController: { result: { panels: { results?: unknown }[] } };
      };
      const sw = app.controller.sweep;
      return { fromStudy: sw.fromStudy, onDevice: sw.onDevice, same: sw.results === app.studyController.result.panels[0]?.results, running: sw.running };
    });
    expect(shown).toEqual({ fromStudy: true, onDevice: false, same: true, running: false });
    expect(await message(page)).toBe("Shown from the study's own run of this sweep: nothing was computed again.");
    // A run of it, selected: flat_sharp's minimum is below 0, so its loss chart draws the loss above
    // the best minimum (a log chart of the raw loss would draw nothing).
    await page.evaluate(() => (document.querySelector('bl-app') as unknown as { controller: { selection: { select(c: { i: number; j: number }): void } } }).controller.selection.select({ i: 3, j: 3 }));
    await page.waitForFunction(() => !!(document.querySelector('bl-app') as unknown as { controller: { selection: { trajectory: unknown } } }).controller.selection.trajectory, { timeout: 60_000, polling: 100 });
    const chart = await page.waitForFunction(() => {
      const c = document.querySelector('bl-app')?.shadowRoot?.querySelector('bl-run-panel')?.shadowRoot?.querySelector('[data-testid="loss-chart"]') as unknown as { series: { values: ArrayLike<number> }[]; yLabel: string; logY: boolean } | null;
      const v = c?.series[0]?.values;
      return c && v ? { label: c.yLabel, log: c.logY, n: v.length, positive: Array.from(v).filter((x) => x > 0).length } : null;
    }, { timeout: 30_000, polling: 100 });
    const drawn = (await chart.jsonValue()) as { label: string; log: boolean; n: number; positive: number };
    expect(drawn.label).toBe('loss above the best minimum');
    expect(drawn.log).toBe(true);
    expect(drawn.n).toBeGreaterThan(1);
    expect(drawn.positive).toBe(drawn.n);
    await page.close();
  }, 400_000);
});
