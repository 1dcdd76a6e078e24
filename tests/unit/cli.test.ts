/**
 * The CLI as a user runs it: `node bin/basinlab.js …` in a child process, checking exit codes,
 * stderr messages and the files it writes (or does not write).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'basinlab-cli-'));

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/basinlab.js', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function specFile(name: string, spec: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof spec === 'string' ? spec : JSON.stringify(spec));
  return p;
}

const sweep = {
  surface: 'quadratic',
  optimizer: { name: 'SGD', lr: 0.1, momentum: 0.5 },
  steps: 100,
  sweep: {
    x: { param: 'optimizer.lr', min: 0.01, max: 0.5, count: 6, scale: 'log' },
    y: { param: 'optimizer.momentum', min: 0, max: 0.9, count: 4 },
  },
};

describe('basinlab sweep', () => {
  it('writes the documented JSON result, row-major', () => {
    const out = join(dir, 'r.json');
    const r = cli('sweep', specFile('s.json', sweep), '--engine', 'cpu64', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/24 runs x 100 steps on cpu64/);
    const res = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    for (const k of ['spec', 'engine', 'width', 'height', 'xValues', 'yValues', 'minima', 'final_x', 'final_y', 'loss', 'basin', 'diverged', 'steps_to_converge', 'sharpness']) {
      expect(res, k).toHaveProperty(k);
    }
    expect(res.width).toBe(6);
    expect(res.height).toBe(4);
    expect((res.final_x as unknown[]).length).toBe(24);
    expect((res.xValues as number[])[5]).toBe(0.5);
    // index = j * width + i: the largest LR with momentum 0.9 (i = 5, j = 3) diverges on a
    // curvature-10 quadratic (0.5 * 10 > 2 * 1.9), the smallest LR without momentum does not.
    expect((res.diverged as number[])[3 * 6 + 5]).toBe(1);
    expect((res.diverged as number[])[0]).toBe(0);
  });

  it('writes CSV with one row per run', () => {
    const out = join(dir, 'r.csv');
    const r = cli('sweep', specFile('s.json', sweep), '--engine', 'cpu', '--out', out, '--quiet');
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('run,i,j,optimizer.lr,optimizer.momentum,final_x,final_y,loss,sharpness,basin,diverged,steps_to_converge');
    expect(lines.length).toBe(25);
  });

  const bad: [string, string[], RegExp][] = [
    ['a spec that is not JSON', [specFile('bad.json', '{ nope')], /spec .* is not valid JSON/],
    ['a missing spec file', [join(dir, 'missing.json')], /cannot read spec .*missing\.json: no such file/],
    ['an invalid field', [specFile('neg.json', { ...sweep, steps: -5 })], /invalid spec: steps: -5 is out of range; allowed integers \[1, 10000000\]/],
    ['an unknown engine', [specFile('s.json', sweep), '--engine', 'tpu'], /argument 'tpu' is invalid\. Allowed choices are cpu, cpu64, gpu/],
    ['an unknown output format', [specFile('s.json', sweep), '--out', join(dir, 'r.xlsx')], /--out: cannot tell the format of .*r\.xlsx from its extension; allowed: \.parquet/],
    ['a bad worker count', [specFile('s.json', sweep), '--workers', 'two'], /--workers 'two' is not allowed; allowed integers 0\.\.\d+ \(0 runs in the main thread\)/],
    // Linux's /proc grants write permission on its root and makes no file there: found before the sweep (walkthrough 8).
    ['a directory that takes no files', [specFile('s.json', sweep), '--out', '/proc/never.json'], /--out: cannot write \/proc\/never\.json: cannot create files in \/proc \(it takes no new files: ENOENT\)/],
    ['a worker count in hex', [specFile('s.json', sweep), '--workers', '0x1'], /--workers '0x1' is not allowed; allowed integers 0\.\.\d+ \(0 runs in the main thread\)/],
  ];
  for (const [name, args, msg] of bad) {
    it(`rejects ${name} with exit code 2, a one-line error and no output file`, () => {
      const before = readdirSync(dir).length;
      const r = cli('sweep', ...args, ...(args.includes('--out') ? [] : ['--out', join(dir, 'never.json')]));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(existsSync(join(dir, 'never.json'))).toBe(false);
      expect(readdirSync(dir).length).toBe(before);
    });
  }
});

describe('basinlab sweep -', () => {
  it('reads the spec from standard input (walkthrough 17), and names it there when it is not JSON', () => {
    const run = (input: string): ReturnType<typeof spawnSync> =>
      spawnSync(process.execPath, ['bin/basinlab.js', 'sweep', '-', '--engine', 'cpu64', '-q'], { encoding: 'utf8', timeout: 120_000, input });
    const r = run(JSON.stringify(sweep));
    expect(r.status, String(r.stderr)).toBe(0);
    const doc = JSON.parse(String(r.stdout)) as { spec: { steps: number }; runs: number };
    expect(doc.spec.steps).toBe(100);
    // A result document piped in: the pipe that gives its spec (review 23: "jq .spec standard input").
    const result = run(String(r.stdout));
    expect(result.status).toBe(2);
    expect(String(result.stderr)).toBe('basinlab: standard input holds a basinlab result, not a spec; the spec it was run from is its "spec" key: pipe it through jq .spec, as in … | jq .spec | basinlab sweep -\n');
    const bad = run('{');
    expect(bad.status).toBe(2);
    expect(String(bad.stderr)).toMatch(/^basinlab: spec on standard input is not valid JSON: line 1, column 2/);
  });
});

describe('basinlab validate', () => {
  it('runs gpu, cpu and cpu64, prints a pass line and writes the report', () => {
    const out = join(dir, 'report.json');
    const spec = specFile('v.json', { ...sweep, noise: { std: 0.3, seed: 2 } });
    const r = cli('validate', spec, '--out', out, '--quiet');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/gpu vs cpu\s+same outcome/);
    expect(r.stdout).toMatch(/^PASS/m);
    const rep = JSON.parse(readFileSync(out, 'utf8')) as { pass: boolean; pairs: { a: string; b: string; sameOutcome: number }[] };
    expect(rep.pass).toBe(true);
    expect(rep.pairs.map((p) => `${p.a}-${p.b}`)).toEqual(['gpu-cpu', 'gpu-cpu64', 'cpu-cpu64']);
    expect(rep.pairs[0]?.sameOutcome).toBeGreaterThanOrEqual(0.995);
    // The adapter the gpu engine ran on is recorded; one that is the CPU emulating a GPU is said
    // (walkthrough 17: validate's PASS read as a GPU's, on a machine with none).
    const adapter = (rep as unknown as { adapter: unknown }).adapter;
    expect(typeof adapter).toBe('string');
    const software = /swiftshader|lavapipe|llvmpipe/i.test(String(adapter));
    expect(r.stderr.includes(`basinlab: note: the gpu engine runs on ${String(adapter)}, a Vulkan driver that emulates a GPU on this machine's CPU: no hardware GPU is used; validate checks the GPU kernels on it, not a GPU\n`)).toBe(software);
  });

  it('without a WebGPU adapter: exit 3, nothing written, and no --engine to use (validate has none)', () => {
    const out = join(dir, 'no-gpu.json');
    const r = spawnSync(process.execPath, ['bin/basinlab.js', 'validate', specFile('v.json', sweep), '--out', out, '--quiet'], {
      encoding: 'utf8',
      timeout: 120_000,
      // Both variables: the loader reads VK_DRIVER_FILES before VK_ICD_FILENAMES (review 23).
      env: { ...process.env, VK_ICD_FILENAMES: join(dir, 'no-such-icd.json'), VK_DRIVER_FILES: join(dir, 'no-such-icd.json') },
    });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/basinlab: no GPU: no WebGPU adapter found .*; validate compares the GPU engine with the CPU engines, so it needs one; the CPU engines alone: basinlab sweep SPEC --engine cpu, and --engine cpu64 \(any Warning lines above are the Vulkan loader's\)\n$/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('basinlab trajectory', () => {
  type Path = {
    run: number;
    coords: Record<string, number>;
    steps: number[];
    x: number[];
    y: number[];
    loss: number[];
    lr: number[];
    momentum?: number[];
    grad_x?: number[];
    grad_y?: number[];
    diverged: boolean;
    diverged_at: number | null;
  };
  type Doc = { engine: string; every: number; params: string[]; paths: Path[] };

  it('prints steps + 1 positions and one LR per step', () => {
    const spec = specFile('t.json', {
      surface: 'rosenbrock',
      optimizer: { name: 'SGD', lr: 1e-3, momentum: 0.9 },
      schedule: { name: 'StepLR', step_size: 10, gamma: 0.5 },
      steps: 30,
    });
    const r = cli('trajectory', spec, '--engine', 'cpu64');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as Doc;
    expect(doc.paths.length).toBe(1);
    const t = doc.paths[0] as Path;
    expect(t.x.length).toBe(31);
    expect(t.loss.length).toBe(31);
    expect(t.steps).toEqual(Array.from({ length: 31 }, (_, k) => k));
    expect(t.lr.length).toBe(30);
    expect(t.momentum).toBeUndefined();
    expect(t.x[0]).toBe(-1.5);
    expect(t.lr[0]).toBe(1e-3);
    expect(t.lr[10]).toBeCloseTo(5e-4, 15);
    expect(t.lr[29]).toBeCloseTo(2.5e-4, 15);
    expect(t.diverged).toBe(false);
    expect(t.diverged_at).toBeNull();
  });

  it('records the cycled momentum (beta1 for Adam) and every k-th step with the last one', () => {
    const spec = specFile('oc.json', {
      surface: 'rosenbrock',
      optimizer: { name: 'Adam', lr: 1e-3 },
      schedule: { name: 'OneCycleLR', max_lr: 0.01, total_steps: 25 },
      steps: 25,
    });
    const r = cli('trajectory', spec, '--engine', 'cpu64', '--every', '10');
    expect(r.code, r.stderr).toBe(0);
    const t = (JSON.parse(r.stdout) as Doc).paths[0] as Path;
    expect(t.steps).toEqual([0, 10, 20, 25]);
    expect(t.x.length).toBe(4);
    expect(t.lr.length).toBe(3);
    // OneCycleLR cycles beta1 from max_momentum 0.95 down to base_momentum 0.85 and back.
    expect(t.momentum?.length).toBe(3);
    expect(t.momentum?.[0]).toBeLessThan(0.95);
    expect(t.momentum?.[0]).toBeGreaterThan(0.85);
  });

  it('says at which step a diverging run was found to diverge, and ends its path there', () => {
    const spec = specFile('dv.json', {
      surface: 'rosenbrock',
      optimizer: { name: 'SGD', lr: 0.5 },
      steps: 100,
      outcome: { check_every: 5 },
    });
    for (const engine of ['cpu64', 'cpu', 'gpu']) {
      const r = cli('trajectory', spec, '--engine', engine);
      expect(r.code, r.stderr).toBe(0);
      const t = (JSON.parse(r.stdout) as Doc).paths[0] as Path;
      expect(t.diverged).toBe(true);
      expect(t.diverged_at).toBe(5);
      expect(t.steps[t.steps.length - 1]).toBe(5);
      expect(t.x.length).toBe(6);
    }
  });

  it('adds where each step took its gradient for SAM (the ascent point) and Schedule-Free (y), and only for them', () => {
    const base = { surface: 'rosenbrock', optimizer: { name: 'SGD', lr: 1e-4, momentum: 0.9 }, steps: 5, start: [-1.5, 2] };
    const run = (spec: object): Path => {
      const r = cli('trajectory', specFile('g.json', spec), '--engine', 'cpu64');
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as Doc).paths[0] as Path;
    };
    expect(run(base).grad_x).toBeUndefined();
    // Rosenbrock's gradient at (-1.5, 2) is (-155, -50): SAM ascends rho along it, normalised.
    const sam = run({ ...base, sam: { rho: 0.1 } });
    const n = Math.hypot(155, 50);
    expect(sam.grad_x?.length).toBe(5);
    expect(sam.grad_x?.[0]).toBeCloseTo(-1.5 - (0.1 * 155) / n, 12);
    expect(sam.grad_y?.[0]).toBeCloseTo(2 - (0.1 * 50) / n, 12);
    // Schedule-Free starts y at the start; then y and the reported x part.
    const sf = run({ ...base, optimizer: { name: 'SGDScheduleFree', lr: 1e-4 } });
    expect(sf.grad_x?.[0]).toBe(-1.5);
    expect(sf.grad_x?.[4]).not.toBe(sf.x[4]);
  });

  it('records several runs by index, range and coordinates in one file, the same on every engine', () => {
    const out = join(dir, 'paths.json');
    const docs: Doc[] = [];
    for (const engine of ['cpu64', 'cpu', 'gpu']) {
      const r = cli('trajectory', specFile('s.json', sweep), '--engine', engine, '--runs', '0,5-6', '--at', 'optimizer.lr=0.02,optimizer.momentum=0.9', '--out', out);
      expect(r.code, r.stderr).toBe(0);
      docs.push(JSON.parse(readFileSync(out, 'utf8')) as Doc);
    }
    const [d64, d32, dgpu] = docs as [Doc, Doc, Doc];
    expect(d64.paths.map((p) => p.run)).toEqual([0, 5, 6, d64.paths[3]?.run]);
    expect(d64.params).toEqual(['optimizer.lr', 'optimizer.momentum']);
    // The nearest grid cell to the coordinates.
    expect(d64.paths[3]?.coords['optimizer.momentum']).toBeCloseTo(0.9, 1);
    // The float32 twin and the GPU record the same points bit for bit (heavy-ball SGD on the quadratic).
    for (let i = 0; i < 4; i++) {
      expect(dgpu.paths[i]?.x).toEqual(d32.paths[i]?.x);
      expect(dgpu.paths[i]?.loss).toEqual(d32.paths[i]?.loss);
      expect(dgpu.paths[i]?.lr).toEqual(d32.paths[i]?.lr);
      expect(d32.paths[i]?.steps).toEqual(d64.paths[i]?.steps);
    }
  });

  it('asks for --runs when the spec has a sweep, and names bad selections', () => {
    const r = cli('trajectory', specFile('s.json', sweep));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pick runs with --runs 0,5,9 \(0\.\.23\)/);
    const bad = cli('trajectory', specFile('s.json', sweep), '--runs', '24');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--runs: 24 is not a run of this sweep; allowed 0\.\.23/);
    const at = cli('trajectory', specFile('s.json', sweep), '--at', 'optimizer.eps=1');
    expect(at.code).toBe(2);
    expect(at.stderr).toMatch(/--at: optimizer.eps is not swept/);
    // Past the swept range: refused, not snapped to the edge run (walkthrough 17: lr=-5 gave the edge).
    for (const v of ['-5', '5']) {
      const out = cli('trajectory', specFile('s.json', sweep), '--at', `optimizer.lr=${v},optimizer.momentum=0.9`);
      expect(out.code).toBe(2);
      expect(out.stderr).toMatch(new RegExp(`^basinlab: --at: optimizer\\.lr=${v} is outside the swept range [\\d.e-]+ … [\\d.e-]+; give a value in it\n$`));
    }
    // Integers in decimal digits only: Number('') is 0 and Number('0x10') is 16 (review 9: `--run ''` was run 0).
    for (const [flag, v, min] of [['--run', '', 0], ['--run', '0x1', 0], ['--run', '99999999999999999999', 0], ['--every', '0', 1], ['--every', '2.5', 1]] as const) {
      const e = cli('trajectory', specFile('s.json', sweep), flag, v);
      expect(e.code, `${flag} '${v}'`).toBe(2);
      expect(e.stderr).toContain(`${flag} must be an integer in [${min}, 9007199254740991] (decimal digits), got '${v}'`);
    }
    // A command it does not know: commander names it, and basinlab lists the ones it has.
    const run = cli('run', specFile('s.json', sweep));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown command 'run'\nbasinlab: the commands are sweep, merge, trajectory, study, validate and schema \(basinlab sweep SPEC runs a spec's runs\); see basinlab --help\n$/);
  });
});
