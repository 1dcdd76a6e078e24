/**
 * Network specs through the CLI as a user runs it (`node bin/basinlab.js …` in a child process):
 * `sweep` in every format, shards and `merge`, `trajectory`, `validate` (gpu, cpu, cpu64), `--engine gpu`
 * and its refusal of what the GPU engine does not run, the refusal of what float32 cannot hold, the same limits and signals as a surface
 * sweep, the terminal summary, and every example in examples/ (run with fewer steps and runs).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { summarize } from '../../src/cli/summary.ts';
import { makeNetPlan, prepareSpec } from '../../src/core/network/plan.ts';
import { float32Problems } from '../../src/core/precision.ts';
import type { ResultField } from '../../src/core/results.ts';
import { NET_BASE_COLUMNS, columnOf, resultColumns } from '../../src/core/results.ts';
import { parseNetSpec } from '../../src/core/spec.ts';
import { netTrajectoryFields } from '../../src/core/trajectory.ts';
import { NET_VALIDATION_THRESHOLDS } from '../../src/core/validate.ts';
import { CpuEngine, LONG_SINGLE_RUN, stepCost } from '../../src/engine/cpu/engine.ts';
import { nodeWorkerSpawner } from '../../src/engine/cpu/spawn-node.ts';
import { readResults } from '../../src/io/read.ts';

const dir = mkdtempSync(join(tmpdir(), 'basinlab-cli-net-'));

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/basinlab.js', ...args], { encoding: 'utf8', timeout: 180_000, maxBuffer: 1 << 26 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function specFile(name: string, spec: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(spec));
  return p;
}

/**
 * A 4 × 2 grid of a small classifier: LR × minibatch size. A training loss above 20 counts as
 * diverged (cross-entropy grows slowly: the default bound, 10^6 times the initial loss, is not
 * reached in 20 steps); the largest LR passes it.
 */
const NET = {
  network: { hidden: [4], activation: 'tanh' },
  data: { name: 'spiral', train: 40, test: 20 },
  optimizer: { name: 'SGD', lr: 0.1, momentum: 0.9 },
  steps: 20,
  outcome: { bound: 20, check_every: 5 },
  sweep: {
    x: { param: 'optimizer.lr', min: 0.01, max: 30, count: 4, scale: 'log' },
    y: { param: 'network.batch_size', min: 4, max: 16, count: 2 },
  },
};
const COLUMNS = [...NET_BASE_COLUMNS.map((c) => c.name), 'test_accuracy'];

type Doc = Record<string, unknown>;
const readJSON = (p: string): Doc => JSON.parse(readFileSync(p, 'utf8')) as Doc;
const files = (): string[] => readdirSync(dir);

describe('basinlab sweep with a network spec', () => {
  it('writes the network document and every format, value for value the same', async () => {
    const spec = specFile('net-spec.json', NET);
    const outs = ['json', 'csv', 'parquet', 'arrow'].map((f) => join(dir, `net.${f}`));
    for (const out of outs) {
      const r = cli('sweep', spec, '--engine', 'cpu', '--workers', '0', '--out', out);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/8 runs x 20 steps on cpu/);
    }
    const doc = readJSON(outs[0] as string);
    expect(Object.keys(doc)).toEqual(['spec', 'engine', 'version', 'meta', 'checksum', 'width', 'height', 'params', 'xValues', 'yValues', 'network', ...COLUMNS]);
    expect(doc.network).toEqual({ params: 2 * 4 + 4 + 4 * 2 + 2, train: 40, test: 20, loss: 'cross_entropy' });
    expect(doc.params).toEqual(['optimizer.lr', 'network.batch_size']);
    const diverged = doc.diverged as number[];
    expect(diverged.includes(1) && diverged.includes(0), 'the largest LR diverges, the smallest does not').toBe(true);
    const csv = readFileSync(outs[1] as string, 'utf8').trim().split('\n');
    expect(csv[0]).toBe(['run', 'i', 'j', 'optimizer.lr', 'network.batch_size', ...COLUMNS].join(','));
    expect(csv).toHaveLength(9);
    for (const out of outs.slice(1)) {
      const t = await readResults(out, { precision: 'f32' });
      for (const c of COLUMNS) {
        const want = (doc[c] as (number | null)[]).map((v) => (v === null ? Number.NaN : v));
        const got = Array.from(columnOf(t.cols, c as ResultField) ?? [], (v) => (Number.isFinite(v) ? v : Number.NaN));
        expect(got, `${out} ${c}`).toEqual(want);
      }
    }
  });

  it('as shards, merged, equals the unsharded document (checksum included)', () => {
    const spec = specFile('net-shards.json', NET);
    const whole = join(dir, 'net-whole.json');
    expect(cli('sweep', spec, '--workers', '0', '-q', '--out', whole).code).toBe(0);
    const shards = [0, 1].map((k) => join(dir, `net-shard-${k}.${k === 0 ? 'parquet' : 'arrow'}`));
    for (const [k, s] of shards.entries()) {
      const r = cli('sweep', spec, '--workers', '0', '-q', '--shard', `${k}/2`, '--out', s);
      expect(r.code, r.stderr).toBe(0);
    }
    const merged = join(dir, 'net-merged.json');
    const r = cli('merge', merged, ...[...shards].reverse(), '-q');
    expect(r.code, r.stderr).toBe(0);
    const a = readJSON(whole);
    const b = readJSON(merged);
    expect(b.meta).toEqual({ merged_from: 2 });
    for (const k of Object.keys(a)) if (k !== 'meta') expect(b[k], k).toEqual(a[k]);
    expect(Object.keys(b)).toEqual(Object.keys(a));
  });

  it('runs on --engine gpu: the same document, its losses within float32 rounding of cpu\'s, and a trajectory', () => {
    const spec = specFile('net-gpu.json', { ...NET, sweep: { ...NET.sweep, x: { ...NET.sweep.x, max: 1 } } });
    const g = join(dir, 'net-gpu.json.out.json');
    const c = join(dir, 'net-cpu.json.out.json');
    const r = cli('sweep', spec, '--engine', 'gpu', '-q', '--out', g);
    expect(r.code, r.stderr).toBe(0);
    expect(cli('sweep', spec, '--engine', 'cpu', '--workers', '0', '-q', '--out', c).code).toBe(0);
    const gd = readJSON(g);
    const cd = readJSON(c);
    expect(gd.engine).toBe('gpu');
    expect(Object.keys(gd)).toEqual(Object.keys(cd));
    expect(gd.diverged).toEqual(cd.diverged);
    (cd.train_loss as number[]).forEach((v, i) => expect(Math.abs((gd.train_loss as number[])[i]! - v)).toBeLessThan(1e-4 * Math.abs(v)));
    const t = cli('trajectory', spec, '--engine', 'gpu', '--runs', '0', '--out', join(dir, 'net-gpu-path.json'));
    expect(t.code, t.stderr).toBe(0);
  });

  it('refuses on --engine gpu, before any work, a network plan the GPU engine does not run: exit 2, one line naming --engine', () => {
    const spec = specFile('net-gpu-flags.json', { ...NET, optimizer: { ...NET.optimizer, param_groups: [{ params: ['layers.0'], nesterov: true }] } });
    for (const args of [['sweep', spec, '--out', join(dir, 'never.parquet')], ['trajectory', spec, '--runs', '0', '--out', join(dir, 'never.json')]]) {
      const before = files();
      const r = cli(...args, '--engine', 'gpu');
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^basinlab: --engine: gpu: optimizer\.param_groups: SGD\.nesterov differs between groups .*; use --engine cpu \(float32\) or --engine cpu64 \(float64\)\n$/);
      expect(files()).toEqual(before);
    }
  });

  it('refuses on float32 engines what float32 cannot hold (a group value beyond its range, swept values it merges), naming the field', () => {
    const huge = specFile('net-huge.json', { ...NET, sweep: null, optimizer: { name: 'SGD', lr: 0.1, param_groups: [{ params: ['layers.0'], lr: 1e39 }] } });
    const r = cli('sweep', huge, '--engine', 'cpu', '--workers', '0', '--out', join(dir, 'never.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^basinlab: invalid spec: optimizer\.param_groups\.0\.lr: 1e\+39 is beyond float32's range .*; use --engine cpu64\n$/);
    expect(existsSync(join(dir, 'never.json'))).toBe(false);
    expect(cli('sweep', huge, '--engine', 'cpu64', '--workers', '0', '-q', '--out', join(dir, 'huge64.json')).code).toBe(0);

    const merged = specFile('net-merged-values.json', { ...NET, sweep: { x: { param: 'optimizer.lr', min: 0.1, max: 0.1 + 1e-9, count: 4 } } });
    const m = cli('sweep', merged, '--engine', 'cpu', '--workers', '0', '-q');
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/sweep\.x: optimizer\.lr: neighbouring values .* are the same float32 number/);
    const ok = cli('sweep', merged, '--engine', 'cpu', '--workers', '0', '-q', '--accept-float32');
    expect(ok.code, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as { meta: Record<string, unknown> }).meta.float32_merged).toBe('sweep.x');
  });

  it("refuses a surface spec's start and surface, saying what a network has instead (walkthrough 17)", () => {
    const r = cli('sweep', specFile('net-start.json', { ...NET, start: [1, 2], surface: 'rosenbrock' }), '--engine', 'cpu');
    expect(r.code).toBe(2);
    const allowed = 'allowed: network, data, optimizer, schedule, steps, noise, outcome, sweep, swa, sam, $schema';
    expect(r.stderr).toBe(
      `basinlab: invalid spec: start: unknown field (start is for surfaces; a network starts from its initial weights, set by network.init and network.init_seed); ${allowed}\n` +
        `basinlab: invalid spec: surface: unknown field (a spec with a network trains it on its data; surface is for loss-surface specs, which have no network or data); ${allowed}\n`,
    );
  });

  it('refuses a batch larger than the training set (torch would give one batch of the whole set; a run here draws with replacement), naming the field', () => {
    const data = { name: 'iris' };
    const one = specFile('net-big-batch.json', { ...NET, data, network: { hidden: [4], batch_size: 121 }, sweep: null });
    const before = files();
    const r = cli('sweep', one, '--engine', 'cpu', '--workers', '0', '--out', join(dir, 'never.csv'));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("basinlab: invalid spec: network.batch_size: 121 is more than the 120 training samples of iris; allowed 1 to 120, the training set's size (null: the whole set, full batch)\n");
    const swept = specFile('net-big-batch-sweep.json', { ...NET, data, network: { hidden: [4], batch_size: 16 }, sweep: { x: { param: 'network.batch_size', min: 8, max: 1000, count: 3, scale: 'log' } } });
    const s = cli('sweep', swept, '--engine', 'cpu64', '--workers', '0', '--out', join(dir, 'never.json'));
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/^basinlab: invalid spec: sweep\.x\.max: a batch size of 1000 is more than the 120 training samples of iris; allowed 1 to 120/);
    expect(files().sort()).toEqual([...before, 'net-big-batch-sweep.json'].sort());
    // The whole set as a batch is allowed.
    const all = specFile('net-all-batch.json', { ...NET, data, network: { hidden: [4], batch_size: 120 }, sweep: null, steps: 3 });
    expect(cli('sweep', all, '--engine', 'cpu', '--workers', '0', '-q').code).toBe(0);
  });

  it('float32Problems names data a float32 engine could not hold, and a threshold below its range', async () => {
    const spec = parseNetSpec({ ...NET, network: { hidden: [4], threshold: 1e-40 } });
    await prepareSpec(spec);
    const plan = makeNetPlan(spec);
    (plan.data.test.x as Float64Array)[7] = 1e39;
    const problems = float32Problems(plan);
    expect(problems.map((p) => p.path)).toEqual(['network.threshold', 'data']);
    expect(problems[1]?.message).toMatch(/^spiral's test x\[3\]: 1e\+39 is beyond float32's range/);
  });

  it('holds to the same limits: a trajectory too large for one request is refused naming --every', () => {
    const spec = specFile('net-long.json', { ...NET, steps: 10_000_000 });
    const r = cli('trajectory', spec, '--runs', '0,1', '--engine', 'cpu');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^basinlab: --every: 2 runs x 10000001 points .* --every 2 fits, or record fewer --runs\n$/);
  });
});

describe('basinlab trajectory with a network spec', () => {
  it('writes train and test loss, LR, gradient and parameter norms per recorded step, for --runs and --at', () => {
    const spec = specFile('net-t.json', NET);
    const r = cli('trajectory', spec, '--engine', 'cpu64', '--runs', '0', '--at', 'optimizer.lr=30,network.batch_size=16', '--every', '5');
    expect(r.code, r.stderr).toBe(0);
    // lr 30 is a cell of the grid and batch 16 a row: no note. Off the cells, the run taken is named.
    expect(r.stderr).not.toMatch(/nearest run/);
    const off = cli('trajectory', spec, '--engine', 'cpu64', '--at', 'optimizer.lr=20,network.batch_size=13', '--every', '5');
    expect(off.code, off.stderr).toBe(0);
    expect(off.stderr).toMatch(/^basinlab: --at optimizer\.lr=20,network\.batch_size=13: the nearest run is \d+, at optimizer\.lr=30, network\.batch_size=16\n/);
    const doc = JSON.parse(r.stdout) as { spec: Doc; engine: string; every: number; params: string[]; paths: Record<string, unknown>[] };
    expect(Object.keys(doc)).toEqual(['spec', 'engine', 'every', 'params', 'paths']);
    expect(doc.spec.network).toBeDefined();
    expect(doc.params).toEqual(['optimizer.lr', 'network.batch_size']);
    const [first, last] = doc.paths as [Record<string, unknown>, Record<string, unknown>];
    expect(Object.keys(first)).toEqual(['run', 'coords', 'steps', 'train_loss', 'test_loss', 'lr', 'grad_norm', 'param_norm', 'diverged', 'diverged_at']);
    expect(first.run).toBe(0);
    expect(first.steps).toEqual([0, 5, 10, 15, 20]);
    expect((first.lr as number[]).length).toBe(4);
    expect((first.lr as number[]).every((v) => v === 0.01)).toBe(true);
    expect((first.grad_norm as (number | null)[]).at(-1)).toBeNull();
    expect(last.run).toBe(7);
    expect(last.coords).toEqual({ 'optimizer.lr': 30, 'network.batch_size': 16 });
    // LR 30 with momentum 0.9 passes the bound: the path ends at the checkpoint that found it.
    expect(last.diverged).toBe(true);
    expect(last.diverged_at).toBe(5);
    expect(last.steps).toEqual([0, 5]);
    expect((last.train_loss as number[])[1]).toBeGreaterThan(20);
    expect(first.diverged_at).toBeNull();
    // The keys are netTrajectoryFields', in order.
    const f = new Float64Array(1);
    expect(Object.keys(last)).toEqual(netTrajectoryFields({ run: 0, every: 1, steps: new Int32Array(1), trainLoss: f, testLoss: f, lr: f, groupLr: [f], gradNorm: f, paramNorm: f, diverged: false, divergedAt: null }, {}, [0]).map(([k]) => k));
  });

  it("writes, with two param groups, each group's LR keyed by its parameter path (group_lr), the default group's being lr", () => {
    const spec = specFile('net-groups.json', {
      ...NET,
      optimizer: { name: 'SGD', lr: 0.1, param_groups: [{ params: ['layers.0'], lr: 0.4 }] },
      schedule: { name: 'StepLR', step_size: 10, gamma: 0.5 },
      sweep: { x: { param: 'optimizer.param_groups.0.lr', min: 0.2, max: 0.4, count: 2 } },
    });
    const r = cli('trajectory', spec, '--engine', 'cpu64', '--runs', '1', '--every', '5');
    expect(r.code, r.stderr).toBe(0);
    const [path] = (JSON.parse(r.stdout) as { paths: Record<string, unknown>[] }).paths as [Record<string, unknown>];
    expect(Object.keys(path)).toEqual(['run', 'coords', 'steps', 'train_loss', 'test_loss', 'lr', 'group_lr', 'grad_norm', 'param_norm', 'diverged', 'diverged_at']);
    const g = path.group_lr as Record<string, number[]>;
    expect(Object.keys(g)).toEqual(['optimizer.param_groups.0.lr', 'optimizer.lr']);
    // The points after steps 5, 10, 15, 20: the LR of steps 4, 9, 14, 19, halved from step 10.
    expect(g['optimizer.param_groups.0.lr']).toEqual([0.4, 0.4, 0.2, 0.2]);
    expect(g['optimizer.lr']).toEqual([0.1, 0.1, 0.05, 0.05]);
    expect(path.lr).toEqual(g['optimizer.lr']);
  });
  it("leaves an empty default group out of group_lr (torch's optimiser has no such group): only the groups that train a tensor", () => {
    const spec = specFile('net-groups-all.json', {
      ...NET,
      optimizer: { name: 'SGD', lr: 0.1, param_groups: [{ params: ['layers.0'], lr: 0.4 }, { params: ['layers.1'], lr: 0.2 }] },
      sweep: { x: { param: 'optimizer.param_groups.0.lr', min: 0.2, max: 0.4, count: 2 } },
    });
    const r = cli('trajectory', spec, '--engine', 'cpu64', '--runs', '1', '--every', '10');
    expect(r.code, r.stderr).toBe(0);
    const [path] = (JSON.parse(r.stdout) as { paths: Record<string, unknown>[] }).paths as [Record<string, unknown>];
    const g = path.group_lr as Record<string, number[]>;
    expect(Object.keys(g)).toEqual(['optimizer.param_groups.0.lr', 'optimizer.param_groups.1.lr']);
    expect(g['optimizer.param_groups.0.lr']).toEqual([0.4, 0.4]);
    expect(g['optimizer.param_groups.1.lr']).toEqual([0.2, 0.2]);
    // `lr` stays the optimiser's own lr (documented: with no default group it trains nothing).
    expect(path.lr).toEqual([0.1, 0.1]);
  });
});

describe('basinlab validate with a network spec', () => {
  it('says there are no runs to compare losses on where every run diverges, not a median over none', () => {
    const spec = specFile('net-all-diverge.json', { ...NET, sweep: { ...NET.sweep, x: { ...NET.sweep.x, min: 1e4, max: 1e5 } } });
    const r = cli('validate', spec, '--workers', '0', '--quiet');
    expect(r.stdout).toMatch(/^cpu vs cpu64 +diverged 100\.000% \/ 100\.000%, divergence agrees 100\.000% \(off boundary [\d.]+%\); no well-conditioned runs off the boundary to compare losses on; no run that neither saw diverge$/m);
    expect(r.stdout).not.toMatch(/median 0\.0e\+0/);
    expect(r.stdout).toMatch(/over the well-conditioned runs \(gpu vs cpu64 and cpu vs cpu64: no well-conditioned runs, losses not compared\)$/m);
  });

  it('without a WebGPU adapter compares cpu with cpu64, the report saying why the GPU is left out (review 23)', () => {
    const out = join(dir, 'net-no-gpu.json');
    const none = join(dir, 'no-such-icd.json');
    const r = spawnSync(process.execPath, ['bin/basinlab.js', 'validate', specFile('net-v-nogpu.json', NET), '--workers', '0', '--quiet', '--out', out], {
      encoding: 'utf8',
      timeout: 180_000,
      env: { ...process.env, VK_ICD_FILENAMES: none, VK_DRIVER_FILES: none },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/basinlab: note: the GPU engine is left out \(no WebGPU adapter found .*\); validating cpu against cpu64\n$/);
    const rep = JSON.parse(readFileSync(out, 'utf8')) as { engines: string[]; adapter: unknown; gpu_left_out: string };
    expect(rep.engines).toEqual(['cpu', 'cpu64']);
    expect(rep.adapter).toBeNull();
    expect(rep.gpu_left_out).toMatch(/^no WebGPU adapter found/);
  });

  it('compares gpu, cpu and cpu64, prints the pairs and PASS, and writes the report', () => {
    const spec = specFile('net-v.json', { ...NET, sweep: { ...NET.sweep, x: { ...NET.sweep.x, max: 1 } } });
    const out = join(dir, 'net-report.json');
    const r = cli('validate', spec, '--workers', '0', '--quiet', '--out', out);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^8 runs x 20 steps of a 22-parameter network; \d+ runs on the trainability boundary \(grid-neighbours\); engines gpu, cpu, cpu64$/m);
    expect(r.stdout).toMatch(/^cpu vs cpu64 +diverged 0\.000% \/ 0\.000%, divergence agrees 100\.000% \(off boundary 100\.000%\); over \d+ well-conditioned runs off the boundary: train loss error .*; over all 8 runs neither saw diverge \(\d+ ill-conditioned\): .*test accuracy the same on/m);
    expect(r.stdout).toMatch(/^gpu vs cpu64 +diverged 0\.000% \/ 0\.000%/m);
    expect(r.stdout).toMatch(/^PASS: gpu vs cpu64 and cpu vs cpu64 need/m);
    const rep = readJSON(out) as {
      engines: string[];
      pass: boolean;
      thresholds: unknown;
      perturbation: number;
      pairs: { a: string; b: string; trainLoss: { runs: number }; conditioned: { runs: number; trainLoss: { median: number } }; accuracy: unknown }[];
    };
    expect(rep.engines).toEqual(['gpu', 'cpu', 'cpu64']);
    expect(rep.pass).toBe(true);
    expect(rep.thresholds).toEqual(NET_VALIDATION_THRESHOLDS);
    expect(rep.pairs.map((p) => `${p.a}-${p.b}`)).toEqual(['gpu-cpu', 'gpu-cpu64', 'cpu-cpu64']);
    expect(rep.pairs[0]?.trainLoss.runs).toBe(8);
    expect(rep.pairs[1]?.conditioned.trainLoss.median).toBeLessThanOrEqual(NET_VALIDATION_THRESHOLDS.maxMedianLossError);
    expect(rep.perturbation).toBe(1e-6);
    expect(rep.pairs[0]?.conditioned.runs).toBeGreaterThan(0);
    expect(rep.pairs[0]?.conditioned.trainLoss.median).toBeLessThanOrEqual(NET_VALIDATION_THRESHOLDS.maxMedianLossError);
    expect(rep.pairs[0]?.accuracy).not.toBeNull();
  });
});

describe('basinlab validate traces a run the LR probe misses', () => {
  // Review 18's sweep: run 11 (Adam at LR 10, batch 11) saturates its softmax by step 2; float32
  // returns some 1e-10 gradients with the other sign, Adam (eps 1e-8) turns them into steps of a
  // hundredth of the LR, and the precisions part at step 3, ending 283% apart, while a 1e-6 (or
  // 1e-5) change of the LR leaves float64's result in place (docs/validation.md, "Networks").
  const SPIKE = {
    network: { hidden: [4], activation: 'relu', batch_size: 16, sharpness_iterations: 5 },
    data: { name: 'iris', train: 120, test: 30 },
    optimizer: { name: 'Adam', lr: 0.01 },
    steps: 30,
    sweep: {
      x: { param: 'optimizer.lr', min: 1e-3, max: 10, count: 6, scale: 'log' },
      y: { param: 'network.batch_size', min: 1, max: 120, count: 3, scale: 'log' },
    },
  };
  it('names the step where float32 and float64 parted, and records it in the report', () => {
    const spec = specFile('net-spike.json', SPIKE);
    const out = join(dir, 'net-spike-report.json');
    const r = cli('validate', spec, '--workers', '0', '--quiet', '--out', out);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^ {2}cpu vs cpu64: run 11 \(optimizer\.lr 10, network\.batch_size 11\) ends with train losses \d+% apart, though a change of LR leaves it in place: the two trained it alike until step 3 \(train loss [\d.]+ vs [\d.]+\), after the loss rose to \d+ times its start; rounding inside a step can part/m,
    );
    const rep = readJSON(out) as { pairs: { a: string; b: string; worst: { run: number; illConditioned: boolean; trainLossError: number; split?: { step: number; lossA: number; lossB: number; peak: number } }[] }[] };
    const pair = rep.pairs.find((p) => p.a === 'cpu' && p.b === 'cpu64');
    const w = pair?.worst.find((x) => x.run === 11);
    expect(w?.illConditioned).toBe(false);
    expect(w?.trainLossError).toBeGreaterThan(1);
    expect(w?.split?.step).toBe(3);
    expect(w?.split?.peak).toBeGreaterThan(100);
    // Runs that agree are not traced.
    for (const x of pair?.worst ?? []) if (x.trainLossError <= 1e-3) expect(x.split).toBeUndefined();
  }, 120_000);
});

describe('the terminal summary of a network sweep', () => {
  it('says how many runs diverged and reached the threshold, and spreads every float column, accuracy included', async () => {
    const spec = parseNetSpec(NET);
    await prepareSpec(spec);
    const plan = makeNetPlan(spec);
    const e = new CpuEngine('cpu', { workers: 0, spawn: null });
    const res = await e.run(plan);
    await e.dispose();
    const text = summarize(res);
    let diverged = 0;
    for (const d of res.diverged) diverged += d;
    expect(text).toMatch(/^8 runs on cpu \(4 x 2\): 22 parameters, 40 training and 20 test samples, cross_entropy\n/);
    expect(text).toContain(`  diverged: ${diverged} (${((100 * diverged) / 8).toFixed(1)}%)`);
    expect(text).toMatch(/ {2}reached the training-loss threshold: \d+ \(/);
    for (const c of resultColumns(plan.spec, 'f32').filter((d) => d.kind === 'float')) expect(text, c.name).toMatch(new RegExp(`\\n  ${c.name} +(median|no finite)`));
    expect(text).toMatch(/\n {2}test_accuracy +median [\d.]+ \(p10 [\d.]+, p90 [\d.]+\), min/);
  });
});

describe('the examples', () => {
  const examples = readdirSync('examples').filter((f) => f.endsWith('.json'));
  it('include the fractal setting, a Playground spiral, Iris and the texts\' regression', () => {
    for (const name of ['fractal.json', 'spiral.json', 'iris.json', 'regression.json']) expect(examples).toContain(name);
  });

  for (const name of ['fractal.json', 'spiral.json', 'iris.json', 'regression.json']) {
    it(`${name} runs on --engine cpu (3 steps, a 2 x 2 grid of its axes)`, () => {
      const spec = JSON.parse(readFileSync(`examples/${name}`, 'utf8')) as { steps: number; sweep: { x: { count: number }; y: { count: number } } };
      expect(spec.steps).toBeGreaterThan(3);
      const small = { ...spec, steps: 3, sweep: { ...spec.sweep, x: { ...spec.sweep.x, count: 2 }, y: { ...spec.sweep.y, count: 2 } } };
      const r = cli('sweep', specFile(`small-${name}`, small), '--engine', 'cpu', '--workers', '0', '--quiet');
      expect(r.code, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as Doc;
      expect(doc.network).toBeDefined();
      expect((doc.train_loss as unknown[]).length).toBe(4);
    });
  }
});

describe('a network sweep, stopped', () => {
  /** 300 runs of 60 steps: seconds of work, so that the first progress lines come well before the end. */
  const LONG = { ...NET, steps: 60, sweep: { x: { param: 'optimizer.lr', min: 0.01, max: 1, count: 30, scale: 'log' }, y: { param: 'network.batch_size', min: 4, max: 16, count: 10 } } };

  function runAndSignal(args: string[], sig: NodeJS.Signals): Promise<{ code: number | null; stderr: string; sent: boolean }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['bin/basinlab.js', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      let sent = false;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`timed out; stderr so far:\n${stderr}`));
      }, 120_000);
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (d: string) => {
        stderr += d;
        // The first progress line below 90% (a slice of runs may be a fifth of the sweep).
        if (!sent && /: [1-8]0%\n/.test(stderr)) {
          sent = true;
          child.kill(sig);
        }
      });
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stderr, sent });
      });
    });
  }

  /**
   * One run of a 1M-parameter network (about ten minutes on one core), interrupted by SIGINT 4 s in:
   * the run trains (or its path is recorded) in a worker, so the main thread honours the signal at
   * once (in-process it blocked it until the run's end). Exit 130 long before the run's end, one
   * line, nothing left beside the spec.
   */
  const stopsLongRun = async (command: 'sweep' | 'trajectory', args: readonly string[]): Promise<void> => {
    const sub = mkdtempSync(join(dir, `stop-${command}-`));
    const spec = join(sub, 'spec.json');
    writeFileSync(spec, JSON.stringify({ network: { hidden: [1024, 1024] }, data: { name: 'spiral', train: 40, test: 20 }, optimizer: { name: 'SGD', lr: 0.01 }, steps: 3000 }));
    const r = await new Promise<{ code: number | null; stderr: string; stopMs: number }>((resolve, reject) => {
      const c = spawn(process.execPath, ['bin/basinlab.js', command, spec, '--engine', 'cpu', ...args, '--out', join(sub, 'out.json')], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      let sentAt = 0;
      c.stderr.setEncoding('utf8');
      c.stderr.on('data', (d: string) => (stderr += d));
      const send = setTimeout(() => {
        sentAt = performance.now();
        c.kill('SIGINT');
      }, 4000);
      const timer = setTimeout(() => {
        c.kill('SIGKILL');
        reject(new Error(`timed out; stderr so far:\n${stderr}`));
      }, 150_000);
      c.on('error', reject);
      c.on('close', (code) => {
        clearTimeout(send);
        clearTimeout(timer);
        resolve({ code, stderr, stopMs: performance.now() - sentAt });
      });
    });
    expect(r.code, r.stderr).toBe(130);
    // Long before the run would end (3,000 steps: ten minutes on one core): a bound on behaviour,
    // not a speed target, and wide enough for a busy CI machine (review 25: it was 5 s).
    expect(r.stopMs, r.stderr).toBeLessThan(30_000);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('basinlab:'))).toEqual(['basinlab: interrupted by SIGINT; stopped, nothing written']);
    expect(readdirSync(sub)).toEqual(['spec.json']);
  };

  it('trajectory by SIGINT during one long path: exit 130 within seconds, not when the path ends', () => stopsLongRun('trajectory', ['--runs', '0']));

  it('by SIGINT during one long run (a spec without a sweep): exit 130 within seconds, not when the run ends', () => stopsLongRun('sweep', ['--workers', '1']));

  it('a long path recorded in a worker is the in-process path, value for value', async () => {
    // 2,400 steps of a 10k-parameter network on 40 rows: just past LONG_SINGLE_RUN, a second or two.
    const spec = parseNetSpec({ network: { hidden: [96, 96] }, data: { name: 'spiral', train: 40, test: 20 }, optimizer: { name: 'Adam', lr: 0.003 }, steps: 2400 });
    await prepareSpec(spec);
    const plan = makeNetPlan(spec);
    expect(plan.spec.steps * stepCost(plan)).toBeGreaterThan(LONG_SINGLE_RUN);
    const pooled = new CpuEngine('cpu', { workers: 1, spawn: nodeWorkerSpawner() });
    const local = new CpuEngine('cpu', { workers: 0, spawn: null });
    try {
      const [a] = await pooled.trajectories(plan, { runs: [0], every: 10 });
      const [b] = await local.trajectories(plan, { runs: [0], every: 10 });
      expect(a?.steps.length).toBe(241);
      expect(a).toEqual(b);
    } finally {
      await pooled.dispose();
    }
  });

  for (const [sig, workers, code] of [['SIGINT', '2', 130], ['SIGTERM', '0', 143]] as const) {
    it(`by ${sig} mid-run (--workers ${workers}): exit ${code}, one line, nothing left`, async () => {
      const sub = mkdtempSync(join(dir, 'stop-'));
      const spec = join(sub, 'spec.json');
      writeFileSync(spec, JSON.stringify(LONG));
      const out = join(sub, 'r.parquet');
      const r = await runAndSignal(['sweep', spec, '--engine', 'cpu', '--workers', workers, '--out', out], sig);
      expect(r.sent, r.stderr).toBe(true);
      expect(r.code, r.stderr).toBe(code);
      expect(r.stderr.split('\n').filter((l) => l.startsWith('basinlab:'))).toEqual([`basinlab: interrupted by ${sig}; stopped, nothing written`]);
      expect(readdirSync(sub)).toEqual(['spec.json']);
    });
  }
});
