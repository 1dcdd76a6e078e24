/**
 * The header's line about the sweep shown (src/app/run-status.ts): its state in a word, its progress
 * bar, the validation's badge and the offer to draw the view in float64, decided without a page.
 */
import { describe, expect, it } from 'vitest';
import type { RunFacts } from '../../src/app/run-status.ts';
import { badgeBesideStudy, cancelledText, engineLine, runState, runStatus, validationBadge } from '../../src/app/run-status.ts';

const IDLE: RunFacts = {
  running: false,
  validating: false,
  hasResults: false,
  waitingForStudy: false,
  explorerClosed: false,
  progress: null,
  surfaceCheck: null,
  netCheck: null,
  engineUsed: '',
  engineName: 'gpu',
  network: false,
  float64Fails: null,
};
const facts = (f: Partial<RunFacts>): RunFacts => ({ ...IDLE, ...f });
const ROUNDING = { pass: false, rounding: true, a: 'gpu', b: 'cpu64', title: 'float32 rounding decides 40% of the sample' };

describe('the state in a word', () => {
  it.each<[Partial<RunFacts>, string]>([
    [{}, 'idle'],
    [{ running: true, hasResults: true }, 'running'],
    [{ validating: true, hasResults: true }, 'validating'],
    [{ hasResults: true, explorerClosed: true }, 'done'],
    [{ explorerClosed: true, waitingForStudy: true }, 'waits for the study'],
    [{ explorerClosed: true }, 'explorer closed'],
  ])('%j is %s', (f, state) => {
    expect(runState(facts(f))).toBe(state);
  });
});

describe('the progress bar', () => {
  it('shows the work done while a sweep or a validation runs', () => {
    expect(runStatus(facts({ running: true, progress: { done: 30, total: 120 } })).bar).toEqual({ max: 120, value: 30 });
    expect(runStatus(facts({ validating: true, progress: { done: 5, total: 10 } })).bar).toEqual({ max: 10, value: 5 });
  });
  it("is full once results are shown, also a study's (which had no progress of its own)", () => {
    expect(runStatus(facts({ hasResults: true, progress: { done: 30, total: 120 } })).bar).toEqual({ max: 120, value: 120 });
    expect(runStatus(facts({ hasResults: true })).bar).toEqual({ max: 1, value: 1 });
  });
  it('is empty before any sweep, and busy offers Cancel', () => {
    const s = runStatus(IDLE);
    expect(s.bar).toEqual({ max: 1, value: 0 });
    expect(s.busy).toBe(false);
    expect(s.canExport).toBe(false);
    expect(runStatus(facts({ validating: true })).busy).toBe(true);
  });
});

describe("the validation's badge", () => {
  it('says passed or failed on a surface view, with the message as its title', () => {
    expect(validationBadge(facts({ surfaceCheck: { pass: true, title: 'PASS: …' } }))).toEqual({ tone: 'pass', text: '✓ passed', title: 'PASS: …' });
    expect(validationBadge(facts({ surfaceCheck: { pass: false, title: 'FAIL: …' } }))?.tone).toBe('fail');
  });
  it('is a word or two, the two engines of a network view in its title', () => {
    const b = validationBadge(facts({ network: true, netCheck: { pass: true, rounding: false, a: 'gpu', b: 'cpu64', title: 't' } }));
    expect(b).toEqual({ tone: 'pass', text: '✓ passed', title: 'gpu vs cpu64: t' });
  });
  it('is amber, not red, where float32 does not resolve the view, and says when float64 is already shown', () => {
    expect(validationBadge(facts({ network: true, netCheck: ROUNDING }))).toMatchObject({ tone: 'warn', text: '⚠ past float32' });
    expect(validationBadge(facts({ network: true, netCheck: ROUNDING }))?.title).toMatch(/^Float32 does not resolve this view\. float32 rounding decides/);
    expect(validationBadge(facts({ network: true, netCheck: ROUNDING, engineUsed: 'cpu64' }))?.text).toBe('float64 shown');
  });
  it('is not shown while a validation runs (its status line speaks then)', () => {
    expect(validationBadge(facts({ validating: true, surfaceCheck: { pass: true, title: '' } }))).toBeNull();
  });
});

describe('the offer to draw the view in float64', () => {
  const rounding = facts({ network: true, netCheck: ROUNDING });
  it('is made where float32 does not resolve a network view', () => {
    expect(runStatus(rounding).offerFloat64).toBe(true);
    expect(runStatus({ ...rounding, float64Fails: false }).offerFloat64).toBe(true);
  });
  it.each<[string, Partial<RunFacts>]>([
    ['float32 resolves the view', { netCheck: { ...ROUNDING, rounding: false } }],
    ['a validation runs', { validating: true }],
    ['the float64 engine already draws it', { engineName: 'cpu64' }],
    ['float64 does not resolve it either', { float64Fails: true }],
    ['no network view is shown', { network: false }],
  ])('is not made when %s', (_why, f) => {
    expect(runStatus({ ...rounding, ...f }).offerFloat64).toBe(false);
  });
});

describe("the header's engine line", () => {
  const status = 'WebGPU: google / swiftshader';
  it('names the engine that drew a network map where it is not the GPU the status names (walkthrough 14)', () => {
    const cpuMap = engineLine(status, { network: true, hasResults: true, engineUsed: 'cpu' }, true);
    expect(cpuMap.text).toBe('WebGPU: google / swiftshader · this map: CPU workers');
    expect(cpuMap.title).toMatch(/drawn by the CPU workers: .*#engine=gpu/);
    expect(engineLine(status, { network: true, hasResults: true, engineUsed: 'cpu64' }, true).text).toBe('WebGPU: google / swiftshader · this map: float64 CPU');
  });
  it('is the status alone for a GPU-drawn map, a surface, no map yet, or no GPU', () => {
    for (const [f, gpu] of [
      [{ network: true, hasResults: true, engineUsed: 'gpu' }, true],
      [{ network: false, hasResults: true, engineUsed: 'cpu' }, true],
      [{ network: true, hasResults: false, engineUsed: 'cpu' }, true],
      [{ network: true, hasResults: true, engineUsed: 'cpu' }, false],
    ] as const) expect(engineLine(status, f, gpu)).toEqual({ text: status, title: status });
  });
});

describe("the validation's badge beside an open study", () => {
  it("says it is the map's (walkthrough 14: read as the study's verdict)", () => {
    const b = { tone: 'pass' as const, text: '✓ passed', title: 'gpu vs cpu: …' };
    expect(badgeBesideStudy(b, true)).toEqual({ tone: 'pass', text: '✓ map passed', title: "The explorer's map, below the study: gpu vs cpu: …" });
    expect(badgeBesideStudy({ ...b, tone: 'warn', text: '⚠ past float32' }, true)?.text).toBe('⚠ map past float32');
    expect(badgeBesideStudy(b, false)).toBe(b);
    expect(badgeBesideStudy(null, true)).toBeNull();
  });
});

describe('a first sweep cancelled part-way', () => {
  it('says how much of the map it left and that exports wait for a complete sweep', () => {
    expect(cancelledText(1234, 65536)).toBe('Run cancelled after 1,234 of 65,536 runs: the map shows those, the rest blank; exports wait for a complete sweep, which Run computes.');
    expect(cancelledText(4096, 4096)).toMatch(/^Run cancelled as its last runs came in: .*nothing is exported/);
    expect(cancelledText(0, 4096)).toBe('Run cancelled before any run finished: there is no map to show or export yet; Run computes it.');
    // Nothing exported from a partial map: the header offers no export while results are missing.
    expect(runStatus(facts({ progress: { done: 1234, total: 65536 } })).canExport).toBe(false);
  });
});
