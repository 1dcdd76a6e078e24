/**
 * Pasted PyTorch code read as the spec's optimiser and schedule (src/app/torch-code.ts): torch's
 * own lines, qualified or not, with the literals Python writes; what cannot be read is named with
 * its line and column, never guessed. Every optimiser and schedule of the registry is read by its
 * class name (coverage derived from the registry).
 */
import { describe, expect, it } from 'vitest';
import { parseAnySpec } from '../../src/core/spec.ts';
import { TorchCodeError, enclosingLoops, pasteInto, readTorchCode, replacedGroupsNote, retargetGroupAxes, torchGroupsProblem } from '../../src/app/torch-code.ts';
import { OPTIMIZERS } from '../../src/core/registry/optimizers/index.ts';
import { SCHEDULES } from '../../src/core/registry/schedules/index.ts';
import { parseNetSpec, parseSpec } from '../../src/core/spec.ts';
import { DEFAULT_SPEC } from '../../src/app/defaults.ts';
import { switchSchedule, tidy } from '../../src/app/spec-edit.ts';
import { NETWORK_PARAMS } from '../../src/core/network/schema.ts';

/** The parameter an axis of a pasted view's sweep names. */
/** Why readTorchCode refuses `code` (its TorchCodeError's message); throws where it reads it. */
function refused(code: string): string {
  try {
    readTorchCode(code);
  } catch (e) {
    if (e instanceof TorchCodeError) return e.message;
    throw e;
  }
  throw new Error(`read: ${code}`);
}

function getParam(json: Record<string, unknown>, axis: 'x' | 'y'): unknown {
  return (json.sweep as Record<string, { param?: unknown } | undefined>)[axis]?.param;
}

describe('readTorchCode', () => {
  it("reads an optimizer and a scheduler as torch code writes them, keyword arguments under torch's names", () => {
    const r = readTorchCode(`optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.999), weight_decay=1e-2, amsgrad=False, foreach=True)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=100, eta_min=1e-5)  # per step`);
    expect(r.optimizer).toEqual({ name: 'AdamW', lr: 1e-3, betas: [0.9, 0.999], weight_decay: 1e-2, amsgrad: false });
    expect(r.schedule).toEqual({ name: 'CosineAnnealingLR', T_max: 100, eta_min: 1e-5 });
    expect(r.notes).toEqual(["AdamW's foreach chooses torch's implementation, not its arithmetic: left out."]);
    // What it reads is a spec torch's values hold in.
    const spec = parseSpec({ surface: 'rosenbrock', steps: 100, optimizer: r.optimizer, schedule: r.schedule });
    expect([spec.optimizer.name, spec.schedule?.name]).toEqual(['AdamW', 'CosineAnnealingLR']);
  });

  it('reads a warmup chain: schedulers made above, named in SequentialLR and ChainedScheduler lists', () => {
    const r = readTorchCode(`import torch
opt = optim.SGD(net.parameters(), lr=0.1, momentum=0.9, nesterov=True)
warm = lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=5)
cos = lr_scheduler.CosineAnnealingLR(opt, T_max=95)
sched = lr_scheduler.SequentialLR(opt, schedulers=[warm, cos], milestones=[5])`);
    expect(r.optimizer).toEqual({ name: 'SGD', lr: 0.1, momentum: 0.9, nesterov: true });
    expect(r.schedule).toEqual({ name: 'SequentialLR', milestones: [5], schedulers: [{ name: 'LinearLR', start_factor: 0.1, total_iters: 5 }, { name: 'CosineAnnealingLR', T_max: 95 }] });
    const chained = readTorchCode('s = ChainedScheduler([StepLR(opt, step_size=3), ExponentialLR(opt, gamma=0.9)])');
    expect(chained.schedule).toEqual({ name: 'ChainedScheduler', schedulers: [{ name: 'StepLR', step_size: 3 }, { name: 'ExponentialLR', gamma: 0.9 }] });
    expect(chained.optimizer).toBeNull();
  });

  it('takes warm-up then OneCycleLR with its default momentum cycling, which torch runs (review 20: it had been refused)', () => {
    const r = readTorchCode(`opt = optim.SGD(net.parameters(), lr=0.1, momentum=0.5)
warm = lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=10)
one = lr_scheduler.OneCycleLR(opt, max_lr=0.2, total_steps=90)
sched = lr_scheduler.SequentialLR(opt, schedulers=[warm, one], milestones=[10])`);
    const spec = parseSpec({ surface: 'rosenbrock', steps: 100, optimizer: r.optimizer, schedule: r.schedule });
    expect(spec.schedule?.schedulers[1]?.params.cycle_momentum).toBe(true);
  });

  it('says which optimiser and scheduler it takes when the code makes several, and refuses a scheduler of another optimiser (walkthrough 15)', () => {
    const two = readTorchCode(`optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
s1 = torch.optim.lr_scheduler.StepLR(optimizer, step_size=50, gamma=0.5)
s2 = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.99)`);
    expect(two.schedule).toEqual({ name: 'ExponentialLR', gamma: 0.99 });
    expect(two.notes).toEqual(['More than one scheduler is made here: the view takes the last, s2 (ExponentialLR); s1 (StepLR) left out (torch steps each one you call step() on: to run them together, write ChainedScheduler([s1, s2]))']);
    // A composite's children are its own, not left out.
    expect(readTorchCode(`opt = SGD(net.parameters(), lr=0.1)
warm = LinearLR(opt, start_factor=0.1, total_iters=5)
cos = CosineAnnealingLR(opt, T_max=95)
sched = SequentialLR(opt, schedulers=[warm, cos], milestones=[5])`).notes).toEqual([]);
    const opts = readTorchCode(`opt1 = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
opt2 = torch.optim.Adam(model.parameters(), lr=3e-4)`);
    expect(opts.optimizer).toEqual({ name: 'Adam', lr: 3e-4 });
    expect(opts.notes).toEqual(['More than one optimiser is made here: the view takes the last, opt2 (Adam); opt1 (SGD) left out.']);
    // The same name made twice is Python's last value: nothing to say.
    expect(readTorchCode('optimizer = SGD(model.parameters(), lr=0.1)\noptimizer = Adam(model.parameters(), lr=1e-3)').notes).toEqual([]);
    expect(() =>
      readTorchCode(`opt1 = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
opt2 = torch.optim.Adam(model.parameters(), lr=3e-4)
sched = torch.optim.lr_scheduler.StepLR(opt1, step_size=50)`),
    ).toThrow(/^sched \(StepLR\) steps opt1, not opt2 \(Adam\), the optimiser the view takes \(the last made\): paste one optimiser and its scheduler$/);
    expect(() => readTorchCode('optimizer = torch.optim.LBFGS(model.parameters(), lr=1)')).toThrow(/^torch\.optim\.LBFGS is not in basinlab \(it re-evaluates the loss through a closure within a step: docs\/catalogue\.md\); its optimisers are: SGD, /);
    expect(() => readTorchCode('optimizer = torch.optim.SparseAdam(model.parameters())')).toThrow(/^torch\.optim\.SparseAdam is not in basinlab \(it needs sparse gradients/);
  });

  it('moves the map axes as the editor does when another optimiser is pasted (walkthrough 15: an SGD map pasted over with Adam ran as a stripe)', () => {
    const view = { surface: 'rosenbrock', optimizer: { name: 'SGD', lr: 1e-3, momentum: 0.9 }, steps: 100, sweep: { x: { param: 'optimizer.lr', min: 1e-5, max: 0.01, count: 16, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0, max: 0.99, count: 16 } } };
    const out = pasteInto(view, readTorchCode('optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999))'));
    if (!('json' in out)) throw new Error(out.refused);
    expect((out.json.sweep as { y: { param: string } }).y.param).toBe('optimizer.betas.0');
    expect(out.notes.join(' ')).toMatch(/The map's axes moved with the pasted code: .*y now sweeps betas\[0\] \(was momentum\)/);
    expect(() => parseSpec(out.json)).not.toThrow();
    // The same optimiser pasted: the axes stay as they are, nothing said of them.
    const same = pasteInto(view, readTorchCode('optimizer = torch.optim.SGD(model.parameters(), lr=1e-2, momentum=0.5)'));
    if (!('json' in same)) throw new Error(same.refused);
    expect(same.json.sweep).toEqual(view.sweep);
    expect(same.notes.join(' ')).not.toMatch(/axes moved/);
    // A pasted schedule that sets the swept LR and momentum moves them to its own values (the map
    // had been dropped whole, both axes refused), a warm-up into a OneCycleLR the LR axis alone.
    const one = pasteInto(view, readTorchCode('opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)\nsched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.2, total_steps=100)'));
    if (!('json' in one)) throw new Error(one.refused);
    expect([getParam(one.json, 'x'), getParam(one.json, 'y')]).toEqual(['schedule.max_lr', 'schedule.max_momentum']);
    expect(one.notes.join(' ')).toMatch(/x now sweeps max_lr \(was lr\); y now sweeps max_momentum \(was momentum\)/);
    expect(() => parseSpec(one.json)).not.toThrow();
    const warm = pasteInto(
      view,
      readTorchCode(`opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
warm = LinearLR(opt, start_factor=0.1, total_iters=10)
one = OneCycleLR(opt, max_lr=0.2, total_steps=90, cycle_momentum=False)
sched = SequentialLR(opt, schedulers=[warm, one], milestones=[10])`),
    );
    if (!('json' in warm)) throw new Error(warm.refused);
    // A OneCycleLR shorter than the run: the run takes its length (walkthrough 16: the schedule and
    // the view's sweep were dropped), and a longer one leaves the run as it is.
    const short = pasteInto({ ...view, steps: 300 }, readTorchCode('opt = SGD(model.parameters(), lr=0.001, momentum=0.9)\nsched = OneCycleLR(opt, max_lr=0.005, steps_per_epoch=20, epochs=10)'));
    if (!('json' in short)) throw new Error(short.refused);
    expect(short.json.steps).toBe(200);
    expect(short.notes[0]).toBe('The run is 200 steps now (was 300): the pasted OneCycleLR lasts 200 (epochs × steps_per_epoch = 10 × 20), and torch raises if it is stepped further.');
    expect(() => parseSpec(short.json)).not.toThrow();
    // Param groups pasted over a surface: left out, and said (walkthrough 16: "unknown field").
    const groups = pasteInto(view, readTorchCode("SGD([{'params': model.layers[0].parameters(), 'lr': 0.1}, {'params': model.layers[1].parameters()}], lr=0.01, momentum=0.9)"));
    if (!('json' in groups)) throw new Error(groups.refused);
    expect(groups.json.optimizer).toEqual({ name: 'SGD', lr: 0.01, momentum: 0.9 });
    expect(groups.notes[0]).toBe("The pasted param groups are left out: they name a network's layers, and this is a loss surface (Problem: a network on a data set takes them); the optimizer's own values (lr, momentum) train the point.");
    const long = pasteInto({ ...view, steps: 300 }, readTorchCode('opt = SGD(model.parameters(), lr=0.001, momentum=0.9)\nsched = OneCycleLR(opt, max_lr=0.005, total_steps=400)'));
    expect('json' in long && long.json.steps).toBe(300);
    expect([getParam(warm.json, 'x'), getParam(warm.json, 'y')]).toEqual(['schedule.schedulers.1.max_lr', 'optimizer.momentum']);
    expect(warm.notes.join(' ')).toMatch(/The map's axes moved with the pasted code: x now sweeps max_lr \(was lr\)\.$/);
    // Over a OneCycleLR view, the same short name: the whole paths are said.
    const over = pasteInto({ ...view, ...one.json }, readTorchCode(`opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
warm = LinearLR(opt, start_factor=0.1, total_iters=10)
one = OneCycleLR(opt, max_lr=0.2, total_steps=90, cycle_momentum=False)
sched = SequentialLR(opt, schedulers=[warm, one], milestones=[10])`));
    if (!('json' in over)) throw new Error(over.refused);
    expect(over.notes.join(' ')).toMatch(/x now sweeps schedule\.schedulers\.1\.max_lr \(was schedule\.max_lr\); y now sweeps momentum \(was max_momentum\)/);
    expect(() => parseSpec(warm.json)).not.toThrow();
  });

  it('reads every optimiser and schedule of the registry by its class name, qualified as torch code does', () => {
    for (const o of OPTIMIZERS) expect(readTorchCode(`torch.optim.${o.id}(model.parameters())`).optimizer, o.id).toEqual({ name: o.id });
    for (const s of SCHEDULES.filter((x) => !x.children)) expect(readTorchCode(`torch.optim.lr_scheduler.${s.id}(optimizer)`).schedule, s.id).toEqual({ name: s.id });
  });

  it('reads Python literals: signs, exponents, underscores, True/False/None, strings, nested tuples', () => {
    const r = readTorchCode(`CyclicLR(opt, base_lr=-.5e-3, max_lr=+1_0.0, mode="triangular2", scale_fn=None, cycle_momentum=True, base_momentum=(0.8, (0.85,)))`);
    expect(r.schedule).toEqual({ name: 'CyclicLR', base_lr: -5e-4, max_lr: 10, mode: 'triangular2', scale_fn: null, cycle_momentum: true, base_momentum: [0.8, [0.85]] });
  });

  it('reads a whole notebook cell, leaving out and counting the lines that make no optimiser or scheduler (walkthrough 16)', () => {
    const r = readTorchCode(`import torch
from torch.optim.lr_scheduler import LinearLR, CosineAnnealingLR, SequentialLR

decay, no_decay = [], []
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
warm = LinearLR(optimizer, start_factor=0.1, total_iters=5)
cos = CosineAnnealingLR(optimizer, T_max=295)
scheduler = SequentialLR(optimizer, schedulers=[warm, cos], milestones=[5])

@torch.no_grad()
def evaluate():
    pass

for epoch in range(300):
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item()
    scheduler.step()
    print(f"epoch {epoch}: {total}")`);
    expect(r.optimizer).toEqual({ name: 'SGD', lr: 0.1, momentum: 0.9 });
    expect(r.schedule).toMatchObject({ name: 'SequentialLR', milestones: [5] });
    // The loop's body is counted too (walkthrough 22: its calls went without a word), and a scheduler
    // stepped per epoch against an optimiser stepped per batch is pointed out.
    expect(r.notes).toEqual([
      'Left out, as making no optimiser, scheduler, model or DataLoader: 2 import lines, 2 tuple or augmented assignment lines, 1 decorator line, 3 loop or block header lines, 1 keyword statement line, ' +
        '4 training-step calls (optimizer.zero_grad(), loss.backward(), optimizer.step(), …), 1 other assignment (loss = criterion(…)), 1 print line.',
      "The pasted loop calls scheduler.step() once per epoch (line 21) and optimizer.step() every batch (line 19): basinlab steps the schedule with every optimiser step, as torch does when both are stepped together, so the schedule's counts (milestones=[5], total_iters=5, T_max=295) are optimiser steps here, not epochs; multiply them by the batches per epoch to run what the loop runs.",
    ]);
    // A name that starts like a keyword is code (format, iffy), and an error keeps its line number.
    expect(() => readTorchCode('import torch\nformat = 3\nopt = SGD(p, lr=0.1,, momentum=0.9)')).toThrow(/^line 3, column 21: an empty argument/);
    // A value changed after the optimiser is made would change the run: refused, named.
    expect(() => readTorchCode("opt = SGD(model.parameters(), lr=0.1)\nfor g in opt.param_groups:\n    g['lr'] = 0.01")).toThrow(/^line 3: g\['lr'\] = … changes a value after it is made, which basinlab does not follow/);
    expect(() => readTorchCode("opt = SGD(model.parameters(), lr=0.1)\nopt.param_groups[0]['lr'] = 0.01")).toThrow(/^line 2: opt\.param_groups\[0\]\['lr'\] = …/);
    // Any other attribute set: left out.
    expect(readTorchCode('torch.backends.cudnn.benchmark = True\nopt = SGD(model.parameters(), lr=0.1)').notes).toEqual(['Left out, as making no optimiser, scheduler, model or DataLoader: 1 attribute assignment line.']);
    // Punctuation the reader has no use for (`/`, `<`, `%`, `;`) leaves its line out, counted, not the
    // whole cell refused (review 28); where a line read depends on it, it is refused, named.
    const loop = readTorchCode('%matplotlib inline\nopt = SGD(model.parameters(), lr=0.1)\nfor x, y in loader:\n    loss = criterion(model(x), y) / accum\n    done = loss.item() < 1e-3\n    loss.backward(); opt.step()');
    expect(loop.optimizer).toEqual({ name: 'SGD', lr: 0.1 });
    expect(loop.notes[0]).toMatch(/1 notebook magic or shell command line.*2 other assignments \(loss = criterion\(model\(x\), y\) \/ accum, done = loss\.item\(\) < 1e-3\)/);
    expect(() => readTorchCode('base = 1 / 3\nopt = SGD(model.parameters(), lr=base)')).toThrow(/line 1/);
    // An optimiser stepped under an `if` in the scheduler's own loop is stepped as often: no per-epoch note.
    const same = readTorchCode('opt = SGD(model.parameters(), lr=0.1)\nsched = StepLR(opt, step_size=30)\nfor x, y in loader:\n    loss.backward()\n    if not skip:\n        opt.step()\n    sched.step()');
    expect(same.notes.some((n) => /once per epoch/.test(n))).toBe(false);
    expect(enclosingLoops(['for e in r:', '    for b in l:', '        if ok:', '            opt.step()', '    sched.step()'], 4)).toEqual([2, 1]);
    expect(enclosingLoops(['for e in r:', '    for b in l:', '        if ok:', '            opt.step()', '    sched.step()'], 5)).toEqual([1]);
  });

  it('names what it cannot read, with the line and column, and guesses nothing', () => {
    const refused = (code: string, re: RegExp): void => {
      let err: unknown = null;
      try {
        readTorchCode(code);
      } catch (e) {
        err = e;
      }
      expect(err, code).toBeInstanceOf(TorchCodeError);
      expect((err as Error).message, code).toMatch(re);
    };
    // A positional argument: its field is suggested, not applied.
    refused('StepLR(opt, 30)', /^StepLR: positional argument 2 \(30\) is not read, .*write it as name=value \(probably step_size=30\)$/);
    // An optimiser's lr is its second parameter in every torch version (read: walkthrough 19); the next is not.
    refused('SGD(params, 0.01, 0.9)', /^SGD: positional argument 3 \(0\.9\) is not read.*\(probably momentum=0\.9\)$/);
    refused('opt = SGD(p, lr=0.1)\nx = *', /^line 2, column 5: cannot read "\*" here$/);
    refused('opt = SGD(p, lr=0.1)\nx = {', /^at the end of the code \(line 2\): a dict's keys must be strings .*; the "\{" at line 2, column 5 is not closed$/);
    // A bracket left open names where it opened (walkthrough 15: "at the end: expected ","").
    refused('opt = SGD(model.parameters(), lr=0.1', /^at the end of the code \(line 1\): expected ","; the "\(" at line 1, column 10 is not closed$/);
    refused('x = [1, 2\nopt = SGD(p, lr=0.1)', /^line 2, column 1: expected ","; the "\[" at line 1, column 5 is not closed$/);
    refused('opt = SGD(model.parameters(\n', /^the code ends in the middle of an expression; the "\(" at line 1, column 27 is not closed$/);
    // Two commas (walkthrough 16: read as "a positional argument after a keyword argument").
    refused('SGD(model.parameters(), lr=0.1, momentum=0.9,, nesterov=True)', /^line 1, column 46: an empty argument \(two commas\)$/);
    refused('MultiStepLR(opt, milestones=[10,, 20])', /^line 1, column 33: an empty place \(two commas/);
    // A multi-line call with a fault inside closes later: only the fault is said (review 22).
    refused('opt = SGD(\n    model.parameters(),\n    lr=0.1 momentum=0.9,\n)', /^line 3, column 12: expected ","$/);
    // On the bracket's own line the fault is where the parser stopped, and only that is said.
    refused('opt = SGD(p, lr=0.1]', /^line 1, column 20: expected ","$/);
    refused("SGD(p, lr={'a': 1})", /^SGD\(lr=…\): a dict is read only as a param group/);
    refused('SGD(p, lr=rates[0])', /^SGD\(lr=…\): rates\[0\] cannot be read \(write its value\)$/);
    refused('LambdaLR(opt, lr_lambda=lambda e: 0.95 ** e)', /a lambda cannot be read \(LambdaLR and MultiplicativeLR are not in basinlab\)/);
    refused('print("hi")', /^no torch optimiser or scheduler made here; basinlab's optimisers: SGD, .*; its schedulers: StepLR, /);
    refused('Adam(p, lr=base_lr)', /^Adam\(lr=…\): base_lr is not a value this code gives \(write the number itself\)$/);
    refused('Adam(p, lr=1e-3, lr=2e-3)', /lr is given twice/);
    refused('SequentialLR(opt, schedulers=[a], milestones=[3])', /^SequentialLR: schedulers\[0\] is not a scheduler made above$/);
    refused('x'.repeat(20_001), /20001 characters is more than any optimiser and scheduler take/);
    // A variable holding a number is read through.
    expect(readTorchCode('base = 3e-4\nAdam(p, lr=base)').optimizer).toEqual({ name: 'Adam', lr: 3e-4 });
  });

  it("reads torch's param groups named on basinlab's model (model.layers[k]), and guesses no other model's layers", () => {
    const r = readTorchCode(`opt = torch.optim.SGD([
    {'params': model.layers[0].parameters(), 'lr': 100},
    {'params': [model.layers[1].weight, model.layers[1].bias], 'momentum': 0.9},
], lr=20)`);
    expect(r.optimizer).toEqual({ name: 'SGD', lr: 20, param_groups: [{ params: ['layers.0'], lr: 100 }, { params: ['layers.1.weight', 'layers.1.bias'], momentum: 0.9 }] });
    // params= by keyword, list(…) of one.
    expect(readTorchCode("AdamW(params=[{'params': list(net.layers[0].parameters())}], lr=1e-3)").optimizer?.param_groups).toEqual([{ params: ['layers.0'] }]);
    // A Sequential's index counts its activations too: not guessed.
    expect(refused("SGD([{'params': model[0].parameters(), 'lr': 100}], lr=1)")).toMatch(
      /^SGD: param group 0's params: cannot tell which of basinlab's layers model\[0\]\.parameters\(\) is: write model\.layers\[k\]\.parameters\(\)/,
    );
    // Groups in variables, dict(…), and some layers as the one group (torch trains only them) (review 13).
    const groupsOf = (code: string): unknown => readTorchCode(code).optimizer?.param_groups;
    // An index into a Sequential the code makes is read through it: model[2] is its second Linear
    // layer (walkthrough 18); an activation's index, or one past its end, is refused, named.
    const seq = 'model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))\n';
    expect(groupsOf(`${seq}SGD([{'params': model[0].parameters(), 'lr': 0.1}, {'params': model[2].parameters()}], lr=0.01)`)).toEqual([{ params: ['layers.0'], lr: 0.1 }, { params: ['layers.1'] }]);
    expect(groupsOf(`${seq}SGD([{'params': [model[2].weight]}, {'params': [model[0].weight, model[0].bias, model[2].bias], 'weight_decay': 0}], lr=0.01)`)).toEqual([
      { params: ['layers.1.weight'] },
      { params: ['layers.0.weight', 'layers.0.bias', 'layers.1.bias'], weight_decay: 0 },
    ]);
    expect(groupsOf(`${seq}SGD(model[0].parameters(), lr=1)`)).toEqual([{ params: ['layers.0'] }]);
    // Moved to a device, or to float64, it is the same module (nn.Module.to returns self: review 23).
    for (const move of ['.to(device)', '.cuda()', '.double().to(device)', '.to("cuda:0").train()']) {
      expect(groupsOf(`${seq.replace('\n', `${move}\n`)}SGD([{'params': model[2].parameters()}], lr=1)`), move).toEqual([{ params: ['layers.1'] }]);
    }
    // Another method's result is not the module: not read through.
    expect(refused(`${seq.replace('\n', '.state_dict()\n')}SGD([{'params': model[2].parameters()}], lr=1)`)).toMatch(/cannot tell which of basinlab's layers model\[2\]/);
    expect(refused(`${seq}SGD([{'params': model[1].parameters()}], lr=1)`)).toBe("SGD: param group 0's params: model[1] is ReLU, which has no parameters to train (its Linear layers are at [0], [2])");
    expect(refused(`${seq}SGD([{'params': model[3].parameters()}], lr=1)`)).toBe("SGD: param group 0's params: model[3] is past the end of model, which holds 3 modules");
    // Python's negative index; a Sequential named layers (review 23: read as basinlab's layers.k).
    expect(groupsOf(`${seq}SGD([{'params': model[-1].parameters()}, {'params': model[-3].parameters()}], lr=1)`)).toEqual([{ params: ['layers.1'] }, { params: ['layers.0'] }]);
    const named = 'layers = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 1))\n';
    expect(groupsOf(`${named}SGD([{'params': layers[0].parameters()}, {'params': layers[2].parameters()}, {'params': layers[4].parameters()}], lr=1)`)).toEqual([{ params: ['layers.0'] }, { params: ['layers.1'] }, { params: ['layers.2'] }]);
    // A module with parameters basinlab's models do not have is named as such, not as parameterless.
    expect(refused(`model = nn.Sequential(nn.Linear(2, 8), nn.BatchNorm1d(8), nn.Linear(8, 1))\nSGD([{'params': model[1].parameters()}], lr=1)`)).toBe(
      "SGD: param group 0's params: model[1] is BatchNorm1d, not a Linear layer: basinlab's models are Linear layers and activations (its Linear layers are at [0], [2])",
    );
    expect(groupsOf("groups = [{'params': model.layers[0].parameters(), 'lr': 0.1}]\nopt = SGD(groups, lr=1)")).toEqual([{ params: ['layers.0'], lr: 0.1 }]);
    expect(groupsOf("g0 = {'params': model.layers[0].parameters(), 'lr': 0.1}\ng1 = {'params': model.layers[1].parameters()}\nSGD([g0, g1], lr=1)")).toEqual([{ params: ['layers.0'], lr: 0.1 }, { params: ['layers.1'] }]);
    expect(groupsOf("SGD([dict(params=model.layers[0].parameters(), lr=0.1), dict(params=model.layers[1].parameters())], lr=1)")).toEqual([{ params: ['layers.0'], lr: 0.1 }, { params: ['layers.1'] }]);
    expect(groupsOf('SGD(model.layers[0].parameters(), lr=1)')).toEqual([{ params: ['layers.0'] }]);
    expect(groupsOf('SGD([model.layers[0].weight, model.layers[0].bias], lr=1)')).toEqual([{ params: ['layers.0.weight', 'layers.0.bias'] }]);
    expect(groupsOf('SGD(model.parameters(), lr=1)')).toBeUndefined();
    expect(refused("SGD([{'lr': 100}], lr=1)")).toBe("SGD: param group 0 has no 'params'");
    expect(refused("SGD([{'params': model.layers[0].parameters()}, 3], lr=1)")).toMatch(/^SGD: param group 1 is not a dict/);
  });

  it('refuses param groups that leave tensors out (torch would not train them), and says when one group replaces the view\'s', () => {
    const net = (optimizer: unknown) => parseNetSpec({ network: { hidden: [4] }, data: { name: 'circle' }, optimizer, steps: 10 });
    const partial = readTorchCode("SGD([{'params': model.layers[0].parameters(), 'lr': 100}], lr=1)");
    expect(torchGroupsProblem(partial, net(partial.optimizer))).toMatch(/^torch trains only the tensors in its param groups, and these leave out layers\.1\.weight, layers\.1\.bias, /);
    const whole = readTorchCode("SGD([{'params': model.layers[0].parameters(), 'lr': 100}, {'params': model.layers[1].parameters()}], lr=1)");
    expect(torchGroupsProblem(whole, net(whole.optimizer))).toBeNull();
    const one = readTorchCode('SGD(model.parameters(), lr=1)');
    expect(torchGroupsProblem(one, net(one.optimizer))).toBeNull();
    const view = { optimizer: { name: 'SGD', lr: 100, param_groups: [{ params: ['layers.0'], lr: 100 }] } };
    expect(replacedGroupsNote(one, view)).toBe("The pasted optimiser trains every tensor as one param group (model.parameters()): the view's 1 param group (per-layer values) is replaced.");
    expect(replacedGroupsNote(whole, view)).toBe('');
    expect(replacedGroupsNote(one, { optimizer: { name: 'SGD', lr: 1 } })).toBe('');
  });

  it("moves an axis the pasted groups leave reaching no tensor to the group holding what it swept, rather than losing the sweep (review 13)", () => {
    const perLayer = readTorchCode("SGD([{'params': model.layers[0].parameters(), 'lr': 100}, {'params': model.layers[1].parameters(), 'lr': 20}], lr=1, momentum=0.9)");
    // The fractal view: layers.0 in a group of its own, the y axis over optimizer.lr (the output layer's).
    const fractal = {
      network: { hidden: [4], bias: false },
      data: { name: 'fractal' },
      optimizer: { name: 'SGD', lr: 100, param_groups: [{ params: ['layers.0'], lr: 100 }] },
      steps: 20,
      sweep: { x: { param: 'optimizer.param_groups.0.lr', min: 1, max: 1e5, count: 8, scale: 'log' }, y: { param: 'optimizer.lr', min: 20, max: 600, count: 8, scale: 'log' } },
    };
    const { json, notes } = retargetGroupAxes(fractal, { ...fractal, optimizer: perLayer.optimizer });
    const sweep = json.sweep as { x: { param: string }; y: { param: string; min: number } };
    expect([sweep.x.param, sweep.y.param, sweep.y.min]).toEqual(['optimizer.param_groups.0.lr', 'optimizer.param_groups.1.lr', 20]);
    expect(notes).toEqual(["The sweep's optimizer.lr axis sweeps optimizer.param_groups.1.lr now: the pasted groups set lr for every tensor."]);
    expect(() => parseNetSpec(json)).not.toThrow();
    // A view without groups: its LR axis swept every tensor; it sweeps the group of the first layer.
    const plain = { ...fractal, optimizer: { name: 'SGD', lr: 0.1 }, sweep: { x: { param: 'optimizer.lr', min: 0.01, max: 1, count: 4, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0, max: 0.9, count: 4 } } };
    const moved = retargetGroupAxes(plain, { ...plain, optimizer: perLayer.optimizer });
    expect((moved.json.sweep as { x: { param: string } }).x.param).toBe('optimizer.param_groups.0.lr');
    expect((moved.json.sweep as { y: { param: string } }).y.param).toBe('optimizer.momentum');
    // Nothing to move: the same object back.
    const one = readTorchCode('SGD(model.parameters(), lr=1)');
    const same = { ...plain, optimizer: one.optimizer };
    expect(retargetGroupAxes(plain, same).json).toBe(same);
  });

  it("leaves out a group's LR the pasted OneCycleLR sets itself (torch ignores it), and keeps a sweep (walkthrough 18: the sweep was lost whole)", () => {
    // The layer-LR map: x the default group's LR, y layers.0's.
    const view = {
      network: { hidden: [8] },
      data: { name: 'iris' },
      optimizer: { name: 'SGD', lr: 0.01, momentum: 0.9, param_groups: [{ params: ['layers.0'], lr: 0.001 }] },
      steps: 200,
      sweep: { x: { param: 'optimizer.lr', min: 0.34, max: 10, count: 4, scale: 'log' }, y: { param: 'optimizer.param_groups.0.lr', min: 0.034, max: 1, count: 4, scale: 'log' } },
    };
    const code = readTorchCode(`optimizer = torch.optim.SGD([
    {'params': model.layers[0].parameters(), 'lr': 0.1},
    {'params': model.layers[1].parameters()},
], lr=0.01, momentum=0.9, weight_decay=5e-4)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=[0.5, 0.05], total_steps=200)`);
    const got = pasteInto(view, code);
    if (!('json' in got)) throw new Error(got.refused);
    const spec = parseNetSpec(got.json);
    expect(spec.paramGroups.map((g) => g.overrides.lr)).toEqual([undefined, undefined]);
    expect(spec.schedule?.params.max_lr).toEqual([0.5, 0.05]);
    // Both axes on values the schedule does not set: still a map.
    const axes = got.json.sweep as { x: { param: string }; y: { param: string } };
    expect([axes.x.param, axes.y.param]).not.toContain('optimizer.lr');
    expect(spec.sweep?.kind).toBe('grid');
    expect(got.notes[0]).toBe("The pasted 'lr': 0.1 in group 0 is left out: OneCycleLR sets every param group's lr and momentum from its own values, and torch ignores the group's.");
    expect(got.notes[1]).toMatch(/^The map's axes moved with the pasted code: .* The schedule's max_lr is a list, one value per param group, which an axis cannot sweep; written as one number, it can be\.$/);
  });

  it("per-group lists (review 17): groups that leave tensors out are refused whatever the list's length; the view's lists follow pasted groups", () => {
    const view = { network: { hidden: [4] }, data: { name: 'circle' }, optimizer: { name: 'SGD', lr: 0.1, momentum: 0.9 }, steps: 20 };
    // Valid torch (one group, one value), which basinlab would read as two groups: refused as a scalar would be.
    const partial = readTorchCode("optimizer = torch.optim.SGD([{'params': model.layers[0].parameters()}], lr=0.1, momentum=0.9)\nscheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=[0.1], total_steps=20)");
    expect(pasteInto(view, partial)).toEqual({ refused: expect.stringMatching(/^torch trains only the tensors in its param groups, and these leave out layers\.1/) });
    // Groups over the whole model with one value each: taken as torch has them.
    const whole = readTorchCode(
      "optimizer = torch.optim.SGD([{'params': model.layers[0].parameters()}, {'params': model.layers[1].parameters()}], lr=0.1, momentum=0.9)\nscheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=[0.01, 0.1], total_steps=20)",
    );
    const taken = pasteInto(view, whole);
    expect('json' in taken && parseAnySpec(taken.json).schedule?.params.max_lr).toEqual([0.01, 0.1]);
    // An optimiser alone over a view with lists: torch's code makes no scheduler, so the view's goes,
    // its lists with it (walkthrough 19: the view's schedule had been kept).
    const listed = { ...view, optimizer: { name: 'SGD', lr: 0.1, momentum: 0.9, param_groups: [{ params: ['layers.0'] }] }, schedule: { name: 'OneCycleLR', max_lr: [0.02, 0.2], total_steps: 20 } };
    const one = pasteInto(listed, readTorchCode('optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)'));
    expect('json' in one && one.json.schedule).toBeNull();
    expect('notes' in one && one.notes).toContainEqual("The pasted code makes no scheduler, so the LR is constant: the view's OneCycleLR (max_lr [0.02, 0.2], total_steps 20) is gone.");
    expect('json' in one && parseAnySpec(one.json).problem).toBe('network');
    // With a scheduler, the pasted one's lists are as torch has them.
    const same = pasteInto(
      listed,
      readTorchCode(
        "optimizer = torch.optim.SGD([{'params': model.layers[0].parameters(), 'weight_decay': 0.01}, {'params': model.layers[1].parameters()}], lr=0.1, momentum=0.9)\nscheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=[0.02, 0.2], total_steps=20)",
      ),
    );
    expect('json' in same && (same.json.schedule as { max_lr: unknown }).max_lr).toEqual([0.02, 0.2]);
  });

  it("keeps a pasted nesterov=True over a momentum axis from 0: the axis loses its 0, its other values kept (walkthrough 14)", () => {
    const view = { surface: 'rosenbrock', optimizer: { name: 'SGD', lr: 1e-3, momentum: 0.9 }, steps: 50, sweep: { x: { param: 'optimizer.lr', min: 1e-4, max: 1e-2, count: 8, scale: 'log' }, y: { param: 'optimizer.momentum', min: 0, max: 0.9, count: 10 } } };
    const got = pasteInto(view, readTorchCode('optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True)'));
    if (!('json' in got)) throw new Error('refused');
    const spec = parseAnySpec(got.json);
    expect(spec.optimizer.params.nesterov).toBe(true);
    const y = (got.json.sweep as { y: { min: number; max: number; count: number } }).y;
    expect([y.min, y.max, y.count]).toEqual([0.1, 0.9, 9]);
    expect(got.notes).toContainEqual("The sweep's momentum axis starts at 0.1 now, not 0, keeping its spacing (9 values): torch's SGD refuses nesterov=True at momentum 0.");
    // Written as a person would: 0.9 / 5 is 0.18000000000000002 in floats (review 19).
    const six = pasteInto({ ...view, sweep: { ...view.sweep, y: { ...view.sweep.y, count: 6 } } }, readTorchCode('optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True)'));
    expect('json' in six && (six.json.sweep as { y: { min: number } }).y.min).toBe(0.18);
    // Without nesterov, or an axis that does not start at 0: as it was.
    const plain = pasteInto(view, readTorchCode('optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)'));
    expect('json' in plain && (plain.json.sweep as { y: { min: number } }).y.min).toBe(0);
  });

  it("hands values torch refuses to the spec reader, which names the field and torch's range", () => {
    const r = readTorchCode('opt = torch.optim.Adam(params, lr=-1e-3, betas=(0.9, 1.5))');
    expect(() => parseSpec({ surface: 'rosenbrock', steps: 10, optimizer: r.optimizer })).toThrow(/optimizer\.lr: -0\.001 is out of range; allowed \[0, inf\)/);
  });
});

describe("timm's optimiser names", () => {
  it('reads timm.optim.Lars and timm.optim.Lamb as basinlab\'s LARS and LAMB, which are timm\'s (review 26: refused as slips)', () => {
    expect(readTorchCode('opt = timm.optim.Lars(model.parameters(), lr=0.1, momentum=0.9)').optimizer).toEqual({ name: 'LARS', lr: 0.1, momentum: 0.9 });
    expect(readTorchCode('from timm.optim import Lamb\nopt = Lamb(model.parameters(), lr=1e-3)').optimizer).toEqual({ name: 'LAMB', lr: 1e-3 });
  });
});

describe('pasteInto and readTorchCode after walkthrough 19', () => {
  const paste = (view: Record<string, unknown>, code: string): { readonly json: Record<string, unknown>; readonly notes: readonly string[] } => {
    const out = pasteInto(view, readTorchCode(code));
    if (!('json' in out)) throw new Error(out.refused);
    return out;
  };
  const yAxis = (json: Record<string, unknown>): Record<string, unknown> => (json.sweep as { y: Record<string, unknown> }).y;

  it("runs an optimizer pasted without a scheduler at a constant LR, as torch does: the view's schedule goes, named (F3)", () => {
    const stepped = { ...DEFAULT_SPEC, schedule: { name: 'StepLR', step_size: 30, gamma: 0.1 } };
    const adam = paste(stepped, 'opt = optim.Adam(params, lr=3e-4, betas=(0.9, 0.999), weight_decay=1e-4)');
    expect(adam.json.schedule).toBeNull();
    expect(parseSpec(adam.json).schedule).toBeNull();
    expect(adam.notes[0]).toBe("The pasted code makes no scheduler, so the LR is constant: the view's StepLR (step_size 30) is gone.");
    // Over a view with no schedule, nothing is said of one.
    expect(paste({ ...DEFAULT_SPEC }, 'opt = optim.Adam(params, lr=3e-4)').notes.join(' ')).not.toMatch(/scheduler/);
    // A scheduler alone keeps the view's optimiser.
    const sched = paste({ ...DEFAULT_SPEC, optimizer: { name: 'Adam', lr: 3e-4 }, sweep: null }, 'sched = lr_scheduler.StepLR(opt, step_size=50)');
    expect([sched.json.optimizer, sched.json.schedule]).toEqual([{ name: 'Adam', lr: 3e-4 }, { name: 'StepLR', step_size: 50 }]);
    // A map over the schedule's values moves as choosing none in the editor moves it: still a map.
    const cycled = paste({ ...DEFAULT_SPEC }, 'opt = SGD(p, lr=0.001, momentum=0.9)\nsched = OneCycleLR(opt, max_lr=0.005, total_steps=500)');
    expect([getParam(cycled.json, 'x'), getParam(cycled.json, 'y')]).toEqual(['schedule.max_lr', 'schedule.max_momentum']);
    const plain = paste(cycled.json, 'opt = SGD(p, lr=0.001, momentum=0.9)');
    expect(plain.json.sweep).toEqual(switchSchedule(cycled.json, 'none').sweep);
    expect([getParam(plain.json, 'x'), getParam(plain.json, 'y')]).toEqual(['optimizer.lr', 'optimizer.momentum']);
    expect(plain.notes).toEqual([
      "The pasted code makes no scheduler, so the LR is constant: the view's OneCycleLR (max_lr 0.005, total_steps 500) is gone.",
      "The map's axes moved with the pasted code: x now sweeps lr (was max_lr); y now sweeps momentum (was max_momentum).",
    ]);
    expect(parseSpec(plain.json).sweep?.kind).toBe('grid');
  });

  it('gives back the momentum row a pasted nesterov=True took once pasted code ends Nesterov, as unticking it does (F4)', () => {
    const nest = paste({ ...DEFAULT_SPEC }, 'opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)');
    expect(yAxis(nest.json)).toMatchObject({ param: 'optimizer.momentum', min: tidy(0.99 / 255), max: 0.99, count: 255 });
    const typical = (DEFAULT_SPEC.sweep as { y: unknown }).y;
    const off = paste(nest.json, 'opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)');
    expect(yAxis(off.json)).toEqual(typical);
    expect(off.notes).toEqual(["The sweep's momentum axis has the row nesterov=True took from it back (0 … 0.99, 256 values): the pasted SGD has no nesterov=True."]);
    // The walkthrough's steps: Nesterov SGD, then Adam, then SGD.
    const adam = paste(nest.json, 'opt = optim.Adam(params, lr=3e-4)');
    expect(yAxis(adam.json)).toMatchObject({ param: 'optimizer.betas.0', min: 0, count: 256 });
    expect(adam.notes).toContain("The sweep's momentum axis has the row nesterov=True took from it back (0 … 0.99, 256 values): the pasted Adam replaces SGD with nesterov=True.");
    expect(yAxis(paste(adam.json, 'opt = optim.SGD(params, lr=0.1, momentum=0.9)').json)).toEqual(typical);
    // Nesterov kept, or a scheduler alone (the view's optimiser kept): the axis as it is.
    expect(yAxis(paste(nest.json, 'SGD(p, lr=0.1, momentum=0.9, nesterov=True)').json)).toEqual(yAxis(nest.json));
    expect(yAxis(paste(nest.json, 'StepLR(opt, step_size=30)').json)).toEqual(yAxis(nest.json));
    // An axis nesterov did not make (0.1 … 0.9 over 9 values has the shape, not the typical range): as it is.
    const own = { ...nest.json, sweep: { ...(nest.json.sweep as Record<string, unknown>), y: { param: 'optimizer.momentum', min: 0.1, max: 0.9, count: 9, scale: 'linear' } } };
    expect(yAxis(paste(own, 'SGD(p, lr=0.1, momentum=0.9)').json)).toEqual(yAxis(own));
  });

  it("says where the run cuts a pasted OneCycleLR or CyclicLR short, with core's LR there (F5)", () => {
    const long = paste({ ...DEFAULT_SPEC }, 'opt = SGD(p, lr=0.001, momentum=0.9)\nsched = OneCycleLR(opt, max_lr=0.005, total_steps=1000)');
    expect(long.json.steps).toBe(500);
    // torch 1.13: step 499's LR (0-based) is 0.0040587, 81.2% of max_lr.
    expect(long.notes[0]).toBe(
      'The run is 500 steps and the pasted OneCycleLR lasts 1000 (total_steps): the runs end at its step 500 (LR there ≈ 0.00406, 81% of max_lr), before its cycle ends; set steps to 1000 to see the whole cycle.',
    );
    const epochs = paste({ ...DEFAULT_SPEC, steps: 300 }, 'opt = SGD(p, lr=0.001, momentum=0.9)\nsched = OneCycleLR(opt, max_lr=0.005, epochs=10, steps_per_epoch=100)');
    expect(epochs.notes[0]).toMatch(/^The run is 300 steps and the pasted OneCycleLR lasts 1000 \(epochs × steps_per_epoch = 10 × 100\): the runs end at its step 300 \(LR there ≈ /);
    // As long as the run: nothing to say.
    expect(paste({ ...DEFAULT_SPEC }, 'opt = SGD(p, lr=0.001, momentum=0.9)\nsched = OneCycleLR(opt, max_lr=0.005, total_steps=500)').notes.join(' ')).not.toMatch(/The run is/);
    // torch 1.13: with step_size_up=2000 (its default), LR 1e-4 at step 0 and 0.00132255 at step 499.
    const cyclic = paste({ ...DEFAULT_SPEC }, 'opt = SGD(p, lr=0.001, momentum=0.9)\nsched = CyclicLR(opt, base_lr=0.0001, max_lr=0.005)');
    expect(cyclic.notes[0]).toBe(
      "The run is 500 steps and the pasted CyclicLR's LR rises for 2000 steps (step_size_up, torch's default 2000): over the run the LR only rises, from 1e-4 to 0.00132 at the run's last step, never coming down; set step_size_up below 500 to see it cycle (step_size_down is step_size_up unless given: 250 each makes one whole cycle).",
    );
    expect(paste({ ...DEFAULT_SPEC }, 'opt = SGD(p, lr=0.001, momentum=0.9)\nsched = CyclicLR(opt, base_lr=0.0001, max_lr=0.005, step_size_up=100)').notes.join(' ')).not.toMatch(/The run is/);
  });

  it("answers a misspelt class with did-you-mean, quotes a refused positional value, and reads an optimiser's positional lr (F6)", () => {
    expect(refused('torch.optim.adam(model.parameters(), lr=1e-3)')).toBe("line 1: torch.optim.adam is not one of basinlab's optimisers or schedulers (their names are case-sensitive, as torch.optim's): did you mean Adam?");
    expect(refused('import torch\nopt = optim.sdg(net.parameters(), lr=0.1)\nsched = lr_scheduler.StepLR(opt, step_size=30)')).toBe("line 2: optim.sdg is not one of basinlab's optimisers or schedulers: did you mean SGD?");
    // No near name under torch.optim: named with its line (walkthrough 21: the generic "no optimiser made here").
    expect(refused('import torch\nopt = torch.optim.Foo(model.parameters(), lr=0.02)')).toMatch(/^line 2: torch\.optim\.Foo is not an optimiser or scheduler basinlab has; its optimisers: SGD, /);
    expect(refused('sched = steplr(opt, step_size=3)')).toMatch(/did you mean StepLR\?$/);
    // Unqualified and one slip off: perhaps the user's own function, so said only when nothing is read.
    expect(refused('SDG(p, lr=0.1)')).toMatch(/^no torch optimiser or scheduler made here \(SDG is not one of basinlab's optimisers or schedulers: did you mean SGD\?\); basinlab's optimisers: SGD, /);
    expect(readTorchCode('x = SDG(p)\nopt = SGD(p, lr=0.1)').optimizer).toEqual({ name: 'SGD', lr: 0.1 });
    // nn's classes are no slips of torch.optim's (nn.Linear, LinearLR).
    expect(refused('layer = nn.Linear(4, 8)')).toMatch(/^no torch optimiser or scheduler made here; basinlab's optimisers: /);
    expect(refused("ReduceLROnPlateau(optimizer, 'min')")).toBe(
      "ReduceLROnPlateau: positional argument 2 ('min') is not read, since torch's order differs from class to class: write it as name=value (probably mode='min')",
    );
    expect(refused('MultiStepLR(opt, [30, 60])')).toMatch(/\(probably milestones=\[30, 60\]\)$/);
    expect(refused('ExponentialLR(opt, gamma)')).toMatch(/positional argument 2 \(…\)/);
    // lr is every optimiser's second parameter (params, lr, ...) in every torch version.
    expect(readTorchCode('optim.SGD(net.parameters(), 0.1, momentum=0.9)').optimizer).toEqual({ name: 'SGD', lr: 0.1, momentum: 0.9 });
    for (const o of OPTIMIZERS) {
      expect(o.params[0]?.key, o.id).toBe('lr');
      expect(readTorchCode(`torch.optim.${o.id}(model.parameters(), 0.01)`).optimizer, o.id).toEqual({ name: o.id, lr: 0.01 });
    }
    expect(refused('SGD(p, 0.1, lr=0.2)')).toBe('SGD: lr is given twice, as positional argument 2 and as lr=…');
  });
});

describe('a pasted model, DataLoader and the lines left out (walkthrough 22)', () => {
  // The Iris view (examples/iris.json): 4–8–3 ReLU, batch 16, LR × batch-size map.
  const iris = {
    network: { hidden: [8], activation: 'relu', batch_size: 16 },
    data: { name: 'iris', train: 120, test: 30 },
    optimizer: { name: 'Adam', lr: 0.01 },
    steps: 300,
    sweep: { x: { param: 'optimizer.lr', min: 1e-4, max: 1, count: 32, scale: 'log' }, y: { param: 'network.batch_size', min: 1, max: 120, count: 8, scale: 'log' } },
  };
  const surface = { surface: 'rosenbrock', optimizer: { name: 'SGD', lr: 1e-3 }, steps: 100 };
  const paste = (view: Record<string, unknown>, code: string): { readonly json: Record<string, unknown>; readonly notes: readonly string[] } => {
    const out = pasteInto(view, readTorchCode(code));
    if (!('json' in out)) throw new Error(out.refused);
    return out;
  };
  const refusal = (view: Record<string, unknown>, code: string): string => {
    const out = pasteInto(view, readTorchCode(code));
    if (!('refused' in out)) throw new Error(`taken: ${code}`);
    return out.refused;
  };
  const mlp = 'model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 3))\n';
  const adam = 'opt = torch.optim.Adam(model.parameters(), lr=1e-3)';

  it("applies an nn.Sequential of Linear layers and one activation whose widths fit the data set as the view's network, and says so", () => {
    const got = paste(iris, mlp + adam);
    expect(got.json.network).toEqual({ hidden: [16, 16], activation: 'tanh', batch_size: 16 });
    expect(got.notes[0]).toBe('The view trains the model 4–16–16–3 (tanh) from the pasted nn.Sequential model now, in place of its 4–8–3 (relu).');
    expect(parseNetSpec(got.json).network.hidden).toEqual([16, 16]);
    // Per-layer groups by index into it name its layers (walkthrough 22: every group was dropped, one LR trained all).
    const groups = paste(iris, `${mlp}opt = torch.optim.SGD([{'params': model[0].parameters(), 'lr': 0.1}, {'params': model[2].parameters()}, {'params': model[4].parameters(), 'lr': 0.01}], lr=0.05)`);
    const spec = parseNetSpec(groups.json);
    expect(spec.paramGroups.map((g) => [g.params, g.overrides.lr])).toEqual([[['layers.0'], 0.1], [['layers.1'], undefined], [['layers.2'], 0.01]]);
    expect(spec.network.hidden).toEqual([16, 16]);
    // bias=False on every layer, moved to a device, a width from a name the code gives.
    const nobias = paste(iris, 'h = 32\nmodel = nn.Sequential(nn.Linear(4, h, bias=False), nn.GELU(), nn.Linear(in_features=h, out_features=3, bias=False)).to(device)\n' + adam);
    expect(nobias.json.network).toEqual({ hidden: [32], activation: 'gelu', bias: false, batch_size: 16 });
    expect(nobias.notes[0]).toBe('The view trains the model 4–32–3 (gelu, no bias) from the pasted nn.Sequential model now, in place of its 4–8–3 (relu).');
    // The view's own model: its spec as it was, and said.
    const same = paste(iris, 'model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(inplace=True), nn.Linear(8, 3))\n' + adam);
    expect(same.json.network).toEqual(iris.network);
    expect(same.notes[0]).toBe("The pasted nn.Sequential model is the view's model, 4–8–3 (relu).");
    // Two Linear layers back to back (or nn.Identity between) compose linearly: identity; one Linear layer is a linear model.
    expect(paste(iris, 'model = nn.Sequential(nn.Flatten(), nn.Linear(4, 8), nn.Linear(8, 3))\n' + adam).json.network).toMatchObject({ hidden: [8], activation: 'identity' });
    expect(paste(iris, 'model = nn.Sequential(nn.Linear(4, 3))\n' + adam).notes[0]).toBe('The view trains the model 4–3 (linear) from the pasted nn.Sequential model now, in place of its 4–8–3 (relu).');
    // The name made again after the optimiser is another model: the optimiser trains the first (review 28).
    const twice = mlp + adam + '\nmodel = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 3))';
    expect(paste(iris, twice).json.network).toEqual({ hidden: [16, 16], activation: 'tanh', batch_size: 16 });
    expect(readTorchCode(twice).notes).toContain('model (line 3) is made again after the optimiser: the optimiser trains the model made before it, which the view reads.');
  });

  it("reads every activation the network schema has from torch's module (the two lists held together)", () => {
    const torchClass: Record<string, string> = { tanh: 'Tanh', relu: 'ReLU', gelu: 'GELU', identity: 'Identity' };
    const schema = NETWORK_PARAMS.find((q) => q.key === 'activation');
    expect(schema && 'values' in schema ? [...schema.values].sort() : null).toEqual(Object.keys(torchClass).sort());
    for (const [act, cls] of Object.entries(torchClass)) {
      const got = paste({ ...iris, network: { hidden: [8], activation: act === 'tanh' ? 'relu' : 'tanh' } }, `model = nn.Sequential(nn.Linear(4, 8), nn.${cls}(), nn.Linear(8, 3))\n${adam}`);
      expect(parseNetSpec(got.json).network.activation, cls).toBe(act);
    }
  });

  it("on a mean-field view, a pasted nn.Linear model is torch's standard parametrisation: applied as such, and said", () => {
    const fractal = { network: { hidden: [16], activation: 'tanh', bias: false, parametrization: 'mean_field', batch_size: null }, data: { name: 'fractal', inputs: 16, outputs: 1 }, optimizer: { name: 'SGD', lr: 100 }, steps: 20 };
    const got = paste(fractal, 'model = nn.Sequential(nn.Linear(16, 8, bias=False), nn.Tanh(), nn.Linear(8, 1, bias=False))\nopt = SGD(model.parameters(), lr=0.1)');
    expect(parseNetSpec(got.json).network).toMatchObject({ hidden: [8], parametrization: 'standard', bias: false });
    expect(got.notes[0]).toBe(
      "The view trains the model 16–8–1 (tanh, no bias) from the pasted nn.Sequential model now, in place of its 16–16–1 (tanh, no bias, mean-field). nn.Linear is torch's standard parametrisation and initialisation, so the view's mean-field one is gone. " +
        "The fractal data set's training set follows the model's parameter count: 136 points now (was 272).",
    );
  });

  it("keeps the view's network where the pasted model cannot be basinlab's, naming why; groups over its missing layers are refused with that cause", () => {
    const notApplied = (code: string): string => {
      const got = paste(iris, `${code}\n${adam}`);
      expect(got.json.network, code).toEqual(iris.network);
      return got.notes[0] ?? '';
    };
    expect(notApplied('model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Dropout(0.1), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 3))')).toBe(
      "The pasted model (4–16–16–3, Tanh) was not applied: nn.Dropout is not a basinlab layer (basinlab's networks are nn.Linear layers with one activation between them: nn.Tanh, nn.ReLU, nn.GELU or nn.Identity); the view's 4–8–3 (relu) network is kept.",
    );
    expect(notApplied('model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 3))')).toBe(
      "The pasted model (4–16–8–3, Tanh, ReLU) was not applied: its activations differ (nn.Tanh, nn.ReLU), where basinlab's hidden layers share one; the view's 4–8–3 (relu) network is kept.",
    );
    expect(notApplied('model = nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 3))')).toMatch(/^The pasted model \(5–16–3, Tanh\) was not applied: its input width is 5, and the iris data set has 4 inputs; the view's 4–8–3 \(relu\) network is kept\.$/);
    expect(notApplied('model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 2))')).toMatch(/its output width is 2, and the iris data set has 3 classes;/);
    expect(notApplied('model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3), nn.Softmax(dim=1))')).toMatch(/: nn\.Softmax is not a basinlab layer/);
    expect(notApplied('model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3), nn.ReLU())')).toMatch(/: it ends with nn\.ReLU, after its last Linear layer, where basinlab's network ends with a Linear layer/);
    expect(notApplied('model = nn.Sequential(nn.Tanh(), nn.Linear(4, 3))')).toMatch(/: it starts with nn\.Tanh, before its first Linear layer/);
    expect(notApplied("model = nn.Sequential(nn.Linear(4, 16), nn.GELU(approximate='tanh'), nn.Linear(16, 3))")).toMatch(/nn\.GELU\(approximate='tanh'\) is not basinlab's gelu, which is torch's exact erf form/);
    expect(notApplied('model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(8, 3))')).toMatch(/nn\.Linear\(8, 3\) follows a layer of 16 outputs, which torch refuses/);
    expect(notApplied('model = nn.Sequential(nn.Linear(4, 16, bias=False), nn.Tanh(), nn.Linear(16, 3))')).toMatch(/some of its Linear layers have bias=False and some a bias/);
    expect(notApplied('model = nn.Sequential(nn.Linear(d_in, 16), nn.Tanh(), nn.Linear(16, 3))')).toMatch(
      /^The pasted model \(model = nn\.Sequential\(…\), Tanh\) was not applied: nn\.Linear\(in_features=…\): d_in is not a value this code gives/,
    );
    expect(notApplied(`model = nn.Sequential(${Array.from({ length: 9 }, () => 'nn.Linear(4, 4), nn.Tanh(), ').join('')}nn.Linear(4, 3))`)).toMatch(/: the spec reader refuses it: network\.hidden: /);
    // A model the optimiser does not train.
    expect(paste(iris, 'head = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 3))\nopt = Adam(net.parameters(), lr=1e-3)').notes[0]).toMatch(/was not applied: the optimiser trains net's parameters, not head's; the view's 4–8–3 \(relu\) network is kept\.$/);
    // Per-layer groups on a model not applied, naming a layer the view lacks: refused, the cause said (not only field paths).
    expect(
      refusal(iris, "model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Dropout(0.1), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 3))\nopt = SGD([{'params': model[0].parameters(), 'lr': 0.1}, {'params': model[3].parameters()}, {'params': model[5].parameters(), 'lr': 0.01}], lr=0.05)"),
    ).toBe(
      "The pasted param groups name layers.2, which the view's 4–8–3 (relu) network does not have (its Linear layers: layers.0, layers.1), as the pasted model (4–16–16–3, Tanh) was not applied: nn.Dropout is not a basinlab layer " +
        "(basinlab's networks are nn.Linear layers with one activation between them: nn.Tanh, nn.ReLU, nn.GELU or nn.Identity). torch would train layers.2 with its group's own values, which no run here can: " +
        'paste a model the view can take with them, or groups over its layers (model.layers[k] is its k-th Linear layer, input side first).',
    );
    // And without a model pasted: the same sentence, naming the view's layers.
    expect(refusal(iris, "opt = SGD([{'params': model.layers[0].parameters()}, {'params': model.layers[1].parameters()}, {'params': model.layers[2].parameters()}], lr=0.1)")).toBe(
      "The pasted param groups name layers.2, which the view's 4–8–3 (relu) network does not have (its Linear layers: layers.0, layers.1). torch would train layers.2 with its group's own values, which no run here can: name the network's layers (model.layers[k] is its k-th Linear layer, input side first).",
    );
    // Groups that leave out a layer of the view's network kept: refused as before, the model's cause added.
    expect(refusal(iris, "model = nn.Sequential(nn.Linear(4, 16), nn.Dropout(0.5), nn.Linear(16, 3))\nopt = SGD([{'params': model[0].parameters()}], lr=0.1)")).toMatch(
      /^torch trains only the tensors in its param groups, and these leave out layers\.1\.weight, layers\.1\.bias, .*\. The pasted model \(4–16–3\) was not applied: nn\.Dropout is not a basinlab layer/,
    );
  });

  it('says on a surface that a pasted model and DataLoader are not applied (a surface has no network, no data)', () => {
    const got = paste(surface, `${mlp}loader = DataLoader(ds, batch_size=32)\n${adam}`);
    expect(got.json.optimizer).toEqual({ name: 'Adam', lr: 1e-3 });
    expect(got.json).not.toHaveProperty('network');
    expect(got.notes.slice(0, 2)).toEqual([
      'The pasted model (4–16–16–3, Tanh) is left out: this is a loss surface, which has no network (Problem: a network on a data set takes one).',
      'The pasted DataLoader(batch_size=32) is not applied: a loss surface has no data set to batch (Problem: a network on a data set takes one).',
    ]);
    // The logistic surface draws minibatches of its own data: its own batch size is named.
    expect(paste({ ...surface, surface: { name: 'logistic', batch_size: 4 } }, `loader = DataLoader(ds, batch_size=32)\n${adam}`).notes[0]).toMatch(/; this surface draws minibatches of its own data, its batch_size \(4\), set in the editor\.$/);
  });

  it("sets network.batch_size from a pasted DataLoader as torch reads it (its default 1), within the schema's range, and says so", () => {
    const draws = " basinlab draws each step's rows at random with replacement, where torch's DataLoader deals each epoch's rows without: the same mean gradient, with more variance where the batch is a good part of the training set.";
    const swept = " The sweep's y axis sets the batch size run by run (1 … 120), whatever the code gave.";
    const batchOf = (json: Record<string, unknown>): unknown => (json.network as { batch_size?: unknown }).batch_size;
    const fixed = { ...iris, sweep: null };
    const got = paste(iris, `loader = DataLoader(ds, batch_size=32, shuffle=True)\n${adam}`);
    expect(batchOf(got.json)).toBe(32);
    expect(got.notes[0]).toBe(`The batch size is 32 now (was 16), from the pasted DataLoader(batch_size=32).${draws}${swept}`);
    expect(parseNetSpec(got.json).network.batch_size).toBe(32);
    // torch's default is 1; by position (torch's second parameter), through a name; qualified.
    const one = paste(fixed, `loader = torch.utils.data.DataLoader(ds)\n${adam}`);
    expect([batchOf(one.json), one.notes[0]]).toEqual([1, `The batch size is 1 now (was 16): the pasted DataLoader gives no batch_size, and torch's default is 1.${draws}`]);
    expect(batchOf(paste(fixed, `from torch.utils.data import DataLoader\nloader = DataLoader(ds, 64, shuffle=True)\n${adam}`).json)).toBe(64);
    expect(batchOf(paste(fixed, `bs = 8\nloader = DataLoader(ds, batch_size=bs)\n${adam}`).json)).toBe(8);
    // The whole data set in one batch: full batch (null), exactly torch's.
    const full = paste(fixed, `loader = DataLoader(train_ds, batch_size=len(train_ds))\n${adam}`);
    expect([batchOf(full.json), full.notes[0]]).toEqual([null, 'The batch is the whole training set every step now (full batch; was 16), from the pasted DataLoader(batch_size=len(train_ds)).']);
    expect(paste(fixed, `loader = DataLoader(ds, batch_size=16)\n${adam}`).notes[0]).toBe(`The batch size stays 16, as the pasted DataLoader(batch_size=16) gives.${draws}`);
    // Refused: the spec reader's range (the training set's size), None, a batch_sampler, a name the code does not give.
    const kept = (code: string): string => {
      const out = paste(fixed, `${code}\n${adam}`);
      expect(batchOf(out.json), code).toBe(16);
      return out.notes[0] ?? '';
    };
    expect(kept('loader = DataLoader(ds, batch_size=500)')).toBe(
      "The pasted DataLoader(batch_size=500) is not applied: network.batch_size: 500 is more than the 120 training samples of iris; allowed 1 to 120, the training set's size (null: the whole set, full batch); the view's batch size (16) is kept.",
    );
    expect(kept('loader = DataLoader(ds, batch_size=None)')).toMatch(/^The pasted DataLoader\(batch_size=None\) is not applied: batch_size=None turns off torch's batching .*; the view's batch size \(16\) is kept\.$/);
    expect(kept('loader = DataLoader(ds, batch_sampler=sampler)')).toMatch(/its batch_sampler chooses the rows of each batch/);
    expect(kept('loader = DataLoader(ds, batch_size=B)')).toMatch(/DataLoader\(batch_size=…\): B is not a value this code gives/);
    // Of several, the one named for training; none guessed otherwise.
    const two = paste(fixed, `train_loader = DataLoader(train_ds, batch_size=32, shuffle=True)\ntest_loader = DataLoader(test_ds, batch_size=1000)\n${adam}`);
    expect(batchOf(two.json)).toBe(32);
    expect(readTorchCode(`train_loader = DataLoader(train_ds, batch_size=32)\ntest_loader = DataLoader(test_ds, batch_size=1000)\n${adam}`).notes).toContain(
      'More than one DataLoader is made here: the view reads train_loader, whose name says it trains; test_loader left out.',
    );
    expect(kept('a = DataLoader(x, batch_size=32)\nb = DataLoader(y, batch_size=64)')).toMatch(/the paste makes 2 DataLoaders \(a, b\), and which one trains is not guessed/);
  });

  it('counts by kind every statement it skips (calls, assignments, lines it cannot follow), and refuses a name one of them sets where it is read', () => {
    const r = readTorchCode(`epochs = 300
base = 3e-4
criterion = nn.CrossEntropyLoss()
opt = torch.optim.Adam(model.parameters(), lr=base)
for epoch in range(epochs):
    model.train()
    for x, y in loader:
        opt.zero_grad()
        out = model(x)
        loss = criterion(out, y) + 1e-4 * penalty
        loss.backward()
        opt.step()
        acc = (out.argmax(1) == y).float().mean()`);
    expect(r.optimizer).toEqual({ name: 'Adam', lr: 3e-4 });
    expect(r.notes).toEqual([
      'Left out, as making no optimiser, scheduler, model or DataLoader: 5 other assignments (epochs = 300, criterion = nn.CrossEntropyLoss(), out = model(x), …), 2 loop or block header lines, 1 other call (model.train()), ' +
        '3 training-step calls (opt.zero_grad(), loss.backward(), opt.step()).',
    ]);
    // The scheduler stepped with the optimiser (per batch), or outside any loop: nothing to point out.
    expect(readTorchCode('opt = SGD(model.parameters(), lr=0.1)\nsched = StepLR(opt, step_size=30)\nfor x, y in loader:\n    opt.step()\n    sched.step()').notes.join(' ')).not.toMatch(/per epoch/);
    expect(readTorchCode('opt = SGD(model.parameters(), lr=0.1)\nsched = StepLR(opt, step_size=30)\nfor x, y in loader:\n    opt.step()\nsched.step()').notes.join(' ')).not.toMatch(/per epoch/);
    // A name set by a line the reader cannot follow is not read as whatever part of it parsed.
    expect(refused('lr = base * 2\nopt = SGD(model.parameters(), lr=lr)')).toBe('SGD(lr=…): lr is set on line 1 by code basinlab does not read (lr = base * 2): write the number itself');
    expect(refused('params = [p for p in model.parameters() if p.requires_grad]\nopt = SGD(params, lr=0.1)')).toMatch(/^SGD's params: params is set on line 1 by code basinlab does not read \(params = \[p for p in model/);
    // A statement that makes an optimiser is the paste's to get right: its faults are named, not skipped.
    expect(refused('opt = SGD(model.parameters(), lr=0.1) * 2')).toBe('line 1, column 39: cannot read "*" here');
    expect(refused('opt = SGD(model.parameters(), lr=0.1)\nopt.add_param_group({\'params\': model.layers[1].parameters()})')).toMatch(/^line 2: opt\.add_param_group\(…\) changes the optimiser after it is made/);
    // A model or DataLoader alone is read with its optimiser.
    expect(refused('loader = DataLoader(ds, batch_size=32)')).toMatch(/^no torch optimiser or scheduler made here \(an nn\.Sequential or DataLoader is read with the optimiser that trains it: paste them together\)/);
  });
});
