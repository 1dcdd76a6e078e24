#!/usr/bin/env python3
"""Live PyTorch oracle for basinlab's network runs (tests/torch/network-oracle.test.ts drives it).

Reads a JSON list of jobs on stdin and writes {"torch": version, "missing": {...}, "answers": [...]}
on stdout, one answer per job, in order. A job is one network run as basinlab's plan resolves it:

    {"id": str,
     "sizes": [in, hidden..., out], "activation": "tanh"|"relu"|"gelu"|"identity", "bias": bool,
     "parametrization": "standard"|"mean_field", "loss": "mse"|"cross_entropy",
     "tensors": [{"name": "layers.0.weight", "rows": int, "cols": int}, ...]   (basinlab's layout)
     "theta": [...]                      (basinlab's initial weights, in that layout)
     "train": {"n": int, "x": [...], "y": [...]}, "test": {...}   (x row-major n x in; y: n x out
                                          targets, or n class indices)
     "optimizer": {"name": str, "params": {...}},       (torch's names, every default explicit)
     "groups": [{"params": [tensor name, ...], <overrides>}, ...]   (explicit param groups only)
     "schedule": null | {"name", "params", "schedulers"},   (as tests/torch/oracle.py takes it)
     "steps": int,
     "rows": null | [[row, ...], ...]    (the minibatch rows of every step; null: the whole set)
     "sam": null | {"rho": float, "adaptive": bool},
     "swa": null | {"start": int, "every": int},
     "sharpness": null | {"start": [...], "max_iterations": int, "tol": float, "exact": bool},
     "variant": "current" | "unpatched"  (optional, as in oracle.py)}

and its answer is

    {"id": str, "names": [...]          (torch's named_parameters(), to check the layout)
     "train_loss": [...]                 (steps + 1: the whole training set's loss at theta_k)
     "batch_loss": [...]                 (steps: the minibatch loss step k took its gradient from)
     "lr": [[per group] per step], "momentum": [[per group] per step] | null,
     "theta": [...]                      (the weights after the last step, basinlab's layout)
     "test_loss": float, "test_accuracy": float | null,
     "swa": null | {"train_loss", "test_loss", "test_accuracy"},
     "sharpness": null | {"power": float, "iterations": int, "residual": float,
                          "eigenvalues": [...] | null   (ascending, of torch.autograd.functional.hessian)},
     "patches": [...],
     "source": str                       (the optimiser class: "torch.optim.<name>", or
                                          "port: tests/torch/ports.py <class>" where torch lacks it)
     "error": null | str}

The run is torch's training loop, in float64:

    model = MLP(...)                    # nn.Linear layers named layers.<l>, basinlab's weights loaded
    opt = Optimizer(param_groups, **optimizer)   # explicit groups in spec order, then the default
                                                 # group: the remaining tensors in layout order
    for k in range(steps):
        xb, yb = X[rows[k]], Y[rows[k]]          # the rows basinlab drew (minibatchRows)
        opt.zero_grad(); loss = loss_fn(model(xb), yb); loss.backward()
        opt.step()                               # SAM: first_step, loss at w + e(w), second_step
        sched.step()                             # sched.step(loss.item()) for ReduceLROnPlateau
        swa_model.update_parameters(model)       # at steps start, start + every, ... (1-based)

The model, the optimiser and scheduler classes, SAM (davda54/sam, copied below) and SWA
(torch.optim.swa_utils.AveragedModel) are torch's own; where the installed torch lacks current
torch's behaviour, oracle.py's patches (its MISSING, its Run) apply, reported under "patches".
"""

import json
import math
import sys

# tests/torch/oracle.py: torch imported in float64, and the optimiser/scheduler plumbing with its patches
from oracle import MISSING, Run, _finite, _momentum, build_schedule, torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils import stateless
from torch.optim import lr_scheduler, swa_utils

SQRT2 = math.sqrt(2.0)


class MLP(nn.Module):
    """basinlab's MLP (src/core/network/model.ts) as torch modules: one nn.Linear per layer in an
    nn.ModuleList named `layers`, so that named_parameters() is layers.<l>.weight, layers.<l>.bias
    in basinlab's layout order (nn.Sequential would interleave the activations' indices: 0, 2, ...).

    standard: torch's nn.Linear forward, then the activation on the hidden layers.
    mean_field (the fractal notebook's `net`): z = W a / sqrt(fan_in) (no bias), hidden
    tanh(sqrt(2) z) or relu(z) sqrt(2) or z, and the last layer's z divided by sqrt(fan_in) once more."""

    def __init__(self, sizes, activation, bias, parametrization):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(sizes[l], sizes[l + 1], bias=bias) for l in range(len(sizes) - 1))
        self.activation = activation
        self.mean_field = parametrization == "mean_field"
        if self.mean_field and bias:
            raise ValueError("mean_field has no biases")

    def act(self, z):
        a = self.activation
        if self.mean_field:
            if a == "tanh":
                return torch.tanh(SQRT2 * z)
            if a == "relu":
                return F.relu(z) * SQRT2
            if a == "identity":
                return z
            raise ValueError("mean_field has no %s" % a)
        if a == "tanh":
            return torch.tanh(z)
        if a == "relu":
            return F.relu(z)
        if a == "gelu":
            return F.gelu(z)  # approximate='none': x * Phi(x) by erf
        if a == "identity":
            return z
        raise ValueError("unknown activation %r" % a)

    def forward(self, x):
        a = x
        last = len(self.layers) - 1
        for l, layer in enumerate(self.layers):
            if self.mean_field:
                z = F.linear(a, layer.weight) / math.sqrt(layer.in_features)
            else:
                z = layer(a)
            if l < last:
                a = self.act(z)
        return z / math.sqrt(self.layers[last].in_features) if self.mean_field else z


class SAM(torch.optim.Optimizer):
    """davda54/sam (github.com/davda54/sam, sam.py at 3c3afdb), the reference implementation basinlab
    follows, line for line but for one hook: `before_base_step` runs right before
    base_optimizer.step() (oracle.py's Run.before_step, which is a no-op unless a patch of current
    torch needs it)."""

    def __init__(self, params, base_optimizer, rho=0.05, adaptive=False, **kwargs):
        assert rho >= 0.0, f"Invalid rho, should be non-negative: {rho}"

        defaults = dict(rho=rho, adaptive=adaptive, **kwargs)
        super(SAM, self).__init__(params, defaults)

        self.base_optimizer = base_optimizer(self.param_groups, **kwargs)
        self.param_groups = self.base_optimizer.param_groups
        self.defaults.update(self.base_optimizer.defaults)
        self.before_base_step = lambda: None

    @torch.no_grad()
    def first_step(self, zero_grad=False):
        grad_norm = self._grad_norm()
        for group in self.param_groups:
            scale = group["rho"] / (grad_norm + 1e-12)

            for p in group["params"]:
                if p.grad is None: continue
                self.state[p]["old_p"] = p.data.clone()
                e_w = (torch.pow(p, 2) if group["adaptive"] else 1.0) * p.grad * scale.to(p)
                p.add_(e_w)  # climb to the local maximum "w + e(w)"

        if zero_grad: self.zero_grad()

    @torch.no_grad()
    def second_step(self, zero_grad=False):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None: continue
                p.data = self.state[p]["old_p"]  # get back to "w" from "w + e(w)"

        self.before_base_step()
        self.base_optimizer.step()  # do the actual "sharpness-aware" update

        if zero_grad: self.zero_grad()

    def _grad_norm(self):
        shared_device = self.param_groups[0]["params"][0].device  # put everything on the same device, in case of model parallelism
        norm = torch.norm(
                    torch.stack([
                        ((torch.abs(p) if group["adaptive"] else 1.0) * p.grad).norm(p=2).to(shared_device)
                        for group in self.param_groups for p in group["params"]
                        if p.grad is not None
                    ]),
                    p=2
               )
        return norm


def _split(s, inputs, outputs, classification):
    x = torch.tensor(s["x"], dtype=torch.float64).reshape(s["n"], inputs)
    if classification:
        y = torch.tensor([int(v) for v in s["y"]], dtype=torch.long)
    else:
        y = torch.tensor(s["y"], dtype=torch.float64).reshape(s["n"], outputs)
    return x, y


def _flat(tensors):
    return torch.cat([t.detach().reshape(-1) for t in tensors])


def run_job(job):
    variant = job.get("variant", "current")
    if variant not in ("current", "unpatched"):
        raise ValueError("unknown variant %r" % variant)
    sizes = job["sizes"]
    classification = job["loss"] == "cross_entropy"
    model = MLP(sizes, job["activation"], job["bias"], job["parametrization"])
    named = list(model.named_parameters())
    names = [n for n, _ in named]
    expected = [t["name"] for t in job["tensors"]]
    if names != expected:
        raise ValueError("torch's parameters %s are not basinlab's layout %s" % (names, expected))
    # basinlab's initial weights: each tensor is torch's nn.Linear layout (out x in, row-major).
    theta = job["theta"]
    offset = 0
    with torch.no_grad():
        for (name, p), t in zip(named, job["tensors"]):
            size = t["rows"] * t["cols"]
            p.copy_(torch.tensor(theta[offset:offset + size], dtype=torch.float64).reshape(p.shape))
            if p.numel() != size:
                raise ValueError("%s: torch has %d values, basinlab %d" % (name, p.numel(), size))
            offset += size
    if offset != len(theta):
        raise ValueError("theta has %d values, the layout %d" % (len(theta), offset))
    loss_fn = nn.CrossEntropyLoss() if classification else nn.MSELoss()
    X, Y = _split(job["train"], sizes[0], sizes[-1], classification)
    Xt, Yt = _split(job["test"], sizes[0], sizes[-1], classification)

    # torch's param_groups: the explicit groups in the spec's order, then the default group with the
    # tensors no explicit group holds, in layout order (src/core/network/plan.ts: groups, tensorGroup).
    by_name = dict(named)
    taken = set()
    groups = []
    for g in job["groups"]:
        tensors = []
        for n in g["params"]:
            hits = [t for t in names if t == n or t.startswith(n + ".")]
            if not hits:
                raise ValueError("no tensor or layer %r" % n)
            tensors += hits
        taken.update(tensors)
        groups.append(dict({k: v for k, v in g.items() if k != "params"}, params=[by_name[t] for t in tensors]))
    rest = [by_name[t] for t in names if t not in taken]
    # basinlab's default group, empty or not; left out where it is empty and the schedule's per-group
    # lists have one value per explicit group (torch code over groups that cover the model)
    if groups and (rest or not job.get("omit_empty_default")):
        groups.append({"params": rest})
    params = groups if groups else rest

    sam = job.get("sam")
    factory = None
    if sam:
        def factory(cls, ps, **kw):
            return SAM(ps, cls, rho=sam["rho"], adaptive=sam["adaptive"], **kw)
    run = Run(params, job["optimizer"], variant, factory)
    opt = run.opt
    base = opt.base_optimizer if sam else opt
    if sam:
        opt.before_base_step = run.before_step
    sched = build_schedule(base, job["schedule"], variant, run.patches)
    plateau = isinstance(sched, lr_scheduler.ReduceLROnPlateau)
    swa = job.get("swa")
    swa_model = swa_utils.AveragedModel(model) if swa else None

    rows = job["rows"]
    train_loss, batch_loss, lrs, moms = [], [], [], []
    for k in range(job["steps"]):
        if rows is None:
            xb, yb = X, Y
        else:
            idx = torch.tensor(rows[k], dtype=torch.long)
            xb, yb = X[idx], Y[idx]
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        if rows is None:
            train_loss.append(loss.item())
        else:
            with torch.no_grad():
                train_loss.append(loss_fn(model(X), Y).item())
        batch_loss.append(loss.item())
        lrs.append([g["lr"] for g in base.param_groups])
        moms.append([_momentum(g) for g in base.param_groups])
        loss.backward()
        if sam:
            opt.first_step(zero_grad=True)
            loss_fn(model(xb), yb).backward()
            opt.second_step(zero_grad=True)
        else:
            run.before_step()
            opt.step()
        if plateau:
            sched.step(loss.item())
        elif sched is not None:
            sched.step()
        d = k + 1
        if swa and d >= swa["start"] and (d - swa["start"]) % swa["every"] == 0:
            swa_model.update_parameters(model)

    def evaluate(m):
        with torch.no_grad():
            tr = loss_fn(m(X), Y).item()
            out = m(Xt)
            te = loss_fn(out, Yt).item()
            acc = (out.argmax(dim=1) == Yt).double().mean().item() if classification else None
        return tr, te, acc

    final_train, test_loss, test_accuracy = evaluate(model)
    train_loss.append(final_train)
    swa_answer = None
    if swa:
        s_tr, s_te, s_acc = evaluate(swa_model.module)
        swa_answer = {"train_loss": _finite(s_tr), "test_loss": _finite(s_te), "test_accuracy": s_acc}

    sharp = None
    if job.get("sharpness"):
        sharp = sharpness(model, names, X, Y, loss_fn, job["sharpness"])

    return {
        "id": job["id"],
        "names": names,
        "train_loss": [_finite(v) for v in train_loss],
        "batch_loss": [_finite(v) for v in batch_loss],
        "lr": [[_finite(v) for v in g] for g in lrs],
        "momentum": None if not moms or moms[0][0] is None else [[_finite(v) for v in g] for g in moms],
        "theta": [_finite(v) for v in _flat([p for _, p in named]).tolist()],
        "test_loss": _finite(test_loss),
        "test_accuracy": test_accuracy,
        "swa": swa_answer,
        "sharpness": sharp,
        "patches": run.patches,
        "source": run.source,
        "error": None,
    }


def sharpness(model, names, X, Y, loss_fn, req):
    """The largest-magnitude eigenvalue of the training loss's Hessian at the final weights, two ways:
    power iteration on torch's Hessian-vector products (double backward through autograd) from
    basinlab's start vector with basinlab's stopping rule (src/engine/cpu/network.ts sharpness()),
    and, with "exact", every eigenvalue of torch.autograd.functional.hessian by eigvalsh."""
    shapes = [p.shape for _, p in model.named_parameters()]
    sizes = [p.numel() for _, p in model.named_parameters()]
    theta = _flat([p for _, p in model.named_parameters()])

    def loss_of(flat):
        parts = torch.split(flat, sizes)
        params = {n: t.reshape(s) for n, t, s in zip(names, parts, shapes)}
        return loss_fn(stateless.functional_call(model, params, (X,)), Y)

    w = theta.clone().requires_grad_(True)
    g = torch.autograd.grad(loss_of(w), w, create_graph=True)[0]

    def hvp(v):
        return torch.autograd.grad(g, w, grad_outputs=v, retain_graph=True)[0].detach()

    v = torch.tensor(req["start"], dtype=torch.float64)
    v = v / torch.sqrt(torch.sum(v * v))
    lam = math.nan
    residual = math.nan
    it = 1
    max_it = req["max_iterations"]
    while it <= max_it:
        hv = hvp(v)
        l = torch.dot(v, hv).item()
        residual = (torch.sqrt(torch.sum((hv - l * v) ** 2)) / abs(l)).item()
        moved = abs(l - lam)
        lam = l
        if moved <= req["tol"] * abs(l) or not math.isfinite(l):
            break
        nm = torch.sqrt(torch.sum(hv * hv))
        if nm.item() == 0:
            break
        v = hv / nm
        it += 1
    eig = None
    if req.get("exact"):
        H = torch.autograd.functional.hessian(loss_of, theta)
        eig = torch.linalg.eigvalsh((H + H.T) / 2).tolist()
    return {"power": _finite(lam), "iterations": min(it, max_it), "residual": _finite(residual), "eigenvalues": eig}


def main():
    jobs = json.load(sys.stdin)
    out = []
    for job in jobs:
        try:
            out.append(run_job(job))
        except Exception as e:  # noqa: BLE001 - reported per job, the test shows it
            out.append({"id": job.get("id"), "patches": [], "error": "%s: %s" % (type(e).__name__, e)})
    json.dump({"torch": torch.__version__, "missing": MISSING, "answers": out}, sys.stdout, allow_nan=False)


if __name__ == "__main__":
    main()
