#!/usr/bin/env python3
"""Live PyTorch oracle for basinlab's 2-D runs (tests/torch/torch-oracle.test.ts drives it).

Reads a JSON list of jobs on stdin and writes {"torch": version, "missing": {...}, "answers": [...]}
on stdout, one answer per job, in order. A job is a run as basinlab's resolved spec gives it
(torch's names and values, every default explicit):

    {"id": str,
     "surface": {"name": str, "params": {...}},
     "optimizer": {"name": str, "params": {...}},
     "schedule": null | {"name": str, "params": {...}, "schedulers": [child, ...]},
     "steps": int, "start": [x, y],
     "variant": "current" | "unpatched" | "nadam-copy-1.13"   (optional, default "current")}

and its answer is

    {"id": str, "x": [...], "y": [...], "loss": [...]      (steps + 1 points, the start first),
     "lr": [...], "momentum": [...] | null                  (one per step: what that step used),
     "patches": [...], "error": null | str}

The run is torch's training loop on one float64 parameter tensor p of shape [2] = (x, y):

    for k in range(steps):
        opt.zero_grad(); loss = surface(p); loss.backward(); opt.step()
        sched.step()                        # sched.step(loss.item()) for ReduceLROnPlateau

so the LR step k uses is the param group's lr after k scheduler.step() calls (the constructor's
initial step included), which is what basinlab's schedules evaluate (src/core/steps.ts), and the
plateau metric is the loss where step k took its gradient, as basinlab hands it. "momentum" is the
group's momentum or betas[0] at that step, for optimisers that have either.

torch here is Debian's python3-torch (1.13 on Debian 12); basinlab follows current torch. Where the
installed torch lacks a behaviour of current torch that a case uses (MISSING below, detected in
torch's own code), variant "current" patches it in, with a comment quoting current torch, and the
answer lists it under "patches". Variant "unpatched" runs the installed torch's classes as they are,
so that the tests can show each difference is real; "nadam-copy-1.13" runs the NAdam patch with
1.13's line put back. The differences and their reasons are listed in
tests/torch/torch-oracle.test.ts (KNOWN_DIFFERENCES) and docs/validation.md ("Live torch oracle").
"""

import inspect
import json
import math
import sys
import warnings

try:
    import torch
    from torch.optim import lr_scheduler, swa_utils
    import torch.optim.nadam as torch_nadam
except Exception as e:  # noqa: BLE001 - the test reports whatever stopped the import
    sys.stderr.write(
        "basinlab torch oracle: cannot import torch (%s: %s); install Debian's python3-torch "
        "(apt-get install -y python3-torch) for /usr/bin/python3\n" % (type(e).__name__, e)
    )
    sys.exit(3)

# Every tensor the optimisers create for their scalar state (step, NAdam's mu_product, ASGD's eta
# and mu: torch.tensor(...) in 1.13, _get_scalar_dtype() in current torch) takes the default dtype,
# so float64 here keeps the whole run in float64, as basinlab's cpu64 engine is.
torch.set_default_dtype(torch.float64)
# SequentialLR in 1.13 switches children in with scheduler.step(0), which warns about the epoch
# argument; the schedulers also warn about call order. None of that is an error for a test.
warnings.filterwarnings("ignore")

# The optimisers torch lacks, as ports (imported after torch, so the import error above is torch's).
from ports import PORTS  # noqa: E402

# ---------------------------------------------------------------------------------------------
# Surfaces: the formulas of src/core/registry/surfaces/<name>.ts, written in torch ops so that
# autograd, not basinlab's hand-derived gradients, gives the gradient.


def _quadratic(p, P):
    th = math.radians(P["angle"])
    c, s = math.cos(th), math.sin(th)
    u = c * p[0] + s * p[1]
    v = c * p[1] - s * p[0]
    return 0.5 * (P["a"] * u * u + P["b"] * v * v)


def _rosenbrock(p, P):
    return (P["a"] - p[0]) ** 2 + P["b"] * (p[1] - p[0] ** 2) ** 2


def _beale(p, _P):
    x, y = p[0], p[1]
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2 + (2.625 - x + x * y ** 3) ** 2


def _himmelblau(p, _P):
    x, y = p[0], p[1]
    return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2


def _six_hump_camel(p, _P):
    x, y = p[0], p[1]
    return (4 - 2.1 * x ** 2 + x ** 4 / 3) * x ** 2 + x * y + (4 * y ** 2 - 4) * y ** 2


def _booth(p, _P):
    x, y = p[0], p[1]
    return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2


def _saddle(p, _P):
    x, y = p[0], p[1]
    return x ** 2 / 2 - y ** 2 / 2 + y ** 4 / 4


def _styblinski_tang(p, _P):
    return 0.5 * torch.sum(p ** 4 - 16 * p ** 2 + 5 * p)


def _goldstein_price(p, _P):
    x, y = p[0], p[1]
    a = 1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x ** 2 - 14 * y + 6 * x * y + 3 * y ** 2)
    b = 30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x ** 2 + 48 * y - 36 * x * y + 27 * y ** 2)
    return a * b


def _rastrigin(p, P):
    A = P["A"]
    return 2 * A + torch.sum(p ** 2 - A * torch.cos(2 * math.pi * p))


def _ackley(p, P):
    a, b, c = P["a"], P["b"], P["c"]
    rho = torch.sqrt((p[0] ** 2 + p[1] ** 2) / 2)
    return (-a * torch.exp(-b * rho) - torch.exp((torch.cos(c * p[0]) + torch.cos(c * p[1])) / 2)
            + a + math.e)


def _flat_sharp(p, P):
    x, y = p[0], p[1]

    def well(depth, width, cx, cy):
        return depth * torch.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * width * width))

    return (0.5 * P["bowl"] * (x * x + y * y)
            - well(P["wide_depth"], P["wide_width"], P["wide_x"], P["wide_y"])
            - well(P["sharp_depth"], P["sharp_width"], P["sharp_x"], P["sharp_y"]))


def _logistic_rows(p, P, D):
    """Mean softplus(-label * (w . x)) over the rows of D (f0, f1, label), plus (l2/2)|w|^2: basinlab's
    logistic surface on those rows (the whole data set: its loss; a minibatch, drawn with
    replacement: the gradient a step takes). logaddexp(0, z) is softplus without torch's threshold."""
    z = -D[:, 2] * (p[0] * D[:, 0] + p[1] * D[:, 1])
    return torch.logaddexp(torch.zeros_like(z), z).mean() + 0.5 * P["l2"] * (p[0] ** 2 + p[1] ** 2)


SURFACES = {
    "quadratic": _quadratic,
    "rosenbrock": _rosenbrock,
    "beale": _beale,
    "himmelblau": _himmelblau,
    "six_hump_camel": _six_hump_camel,
    "booth": _booth,
    "saddle": _saddle,
    "styblinski_tang": _styblinski_tang,
    "goldstein_price": _goldstein_price,
    "rastrigin": _rastrigin,
    "ackley": _ackley,
    "flat_sharp": _flat_sharp,
}

# ---------------------------------------------------------------------------------------------
# Current torch where 1.13 differs (variant "current").


def _single_tensor_nadam_current(params, grads, exp_avgs, exp_avg_sqs, mu_products, state_steps,
                                 *, beta1, beta2, lr, weight_decay, momentum_decay, eps,
                                 mu_product_bug_113=False):
    """torch 1.13's _single_tensor_nadam (torch/optim/nadam.py) copied line for line, except the
    one line current torch fixed. 1.13 has

        mu_product_next = mu_product * mu * mu_next

    which multiplies mu in twice (mu_product already holds it); torch >= 2.0 has

        mu_product_next = _get_value(mu_product) * mu_next

    (the NAdam paper's prod_{i=1}^{t+1} mu_i). With mu_product_bug_113=True this is 1.13's line
    again, and the tests check that it then reproduces torch.optim.NAdam bit for bit, i.e. that the
    copy differs from 1.13 in that line only. Current torch's exp_avg.lerp_(grad, 1 - beta1) in
    place of mul_(beta1).add_(grad, alpha=1 - beta1) only rounds differently and is not copied."""
    for i, param in enumerate(params):
        grad = grads[i]
        exp_avg = exp_avgs[i]
        exp_avg_sq = exp_avg_sqs[i]
        mu_product = mu_products[i]
        step_t = state_steps[i]
        step_t += 1
        step = step_t.item()
        bias_correction2 = 1 - beta2 ** step
        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)
        mu = beta1 * (1. - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1. - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        mu_product *= mu
        if mu_product_bug_113:
            mu_product_next = mu_product * mu * mu_next
        else:
            mu_product_next = mu_product * mu_next
        exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        denom = exp_avg_sq.div(bias_correction2).sqrt().add_(eps)
        param.addcdiv_(grad, denom, value=-lr * (1. - mu) / (1. - mu_product.item()))
        param.addcdiv_(exp_avg, denom, value=-lr * mu_next / (1. - mu_product_next.item()))


_INSTALLED_NADAM = torch_nadam._single_tensor_nadam


def _use_nadam(variant):
    """torch.optim.nadam.nadam() looks _single_tensor_nadam up in its module at every call."""
    if variant == "unpatched":
        torch_nadam._single_tensor_nadam = _INSTALLED_NADAM
    elif variant == "nadam-copy-1.13":
        def bugged(*args, **kwargs):
            _single_tensor_nadam_current(*args, mu_product_bug_113=True, **kwargs)
        torch_nadam._single_tensor_nadam = bugged
    else:
        torch_nadam._single_tensor_nadam = _single_tensor_nadam_current


class CyclicLRCurrent(lr_scheduler.CyclicLR):
    """CyclicLR cycling beta1 of an Adam-family optimiser, as current torch does. 1.13's constructor
    raises "optimizer must support momentum with `cycle_momentum` option enabled" unless 'momentum'
    is in optimizer.defaults; current torch (lr_scheduler.py, CyclicLR.__init__) has

        if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults: raise ...
        self.use_beta1 = "betas" in self.optimizer.defaults
        ...
            if self.use_beta1:
                group["betas"] = (m_momentum, *group["betas"][1:])
            else:
                group["momentum"] = m_momentum

    and its get_lr writes the cycled value back the same way:

        if self.use_beta1:
            param_group["betas"] = (momentum, *param_group["betas"][1:])
        else:
            param_group["momentum"] = momentum

    The LR part of get_lr is 1.13's, unchanged. This class builds 1.13's CyclicLR without momentum
    (so 1.13 does not raise), then sets the momentum state as current torch's constructor does; the
    constructor's initial step gives momentum max_momentum - (max - base) * 0 * scale =
    max_momentum exactly, so setting that after construction is the same state."""

    def __init__(self, optimizer, cycle_momentum, base_momentum, max_momentum, **kwargs):
        super().__init__(optimizer, cycle_momentum=False, **kwargs)
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError("optimizer must support momentum or beta1 with `cycle_momentum` option enabled")
            self.use_beta1 = "betas" in optimizer.defaults
            # a scalar or one value per group, as torch's _format_param reads them
            self.base_momentums = self._format_param("base_momentum", optimizer, base_momentum)
            self.max_momentums = self._format_param("max_momentum", optimizer, max_momentum)
            for group, m_momentum, b_momentum in zip(optimizer.param_groups, self.max_momentums, self.base_momentums):
                if self.use_beta1:
                    group["betas"] = (m_momentum, *group["betas"][1:])
                else:
                    group["momentum"] = m_momentum
                group["max_momentum"] = m_momentum
                group["base_momentum"] = b_momentum

    def get_lr(self):
        # current torch's CyclicLR.get_lr (identical to 1.13's apart from use_beta1)
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)
        lrs = []
        for base_lr, max_lr in zip(self.base_lrs, self.max_lrs):
            base_height = (max_lr - base_lr) * scale_factor
            if self.scale_mode == "cycle":
                lr = base_lr + base_height * self.scale_fn(cycle)
            else:
                lr = base_lr + base_height * self.scale_fn(self.last_epoch)
            lrs.append(lr)
        if self.cycle_momentum:
            momentums = []
            for base_momentum, max_momentum in zip(self.base_momentums, self.max_momentums):
                base_height = (max_momentum - base_momentum) * scale_factor
                if self.scale_mode == "cycle":
                    momentum = max_momentum - base_height * self.scale_fn(cycle)
                else:
                    momentum = max_momentum - base_height * self.scale_fn(self.last_epoch)
                momentums.append(momentum)
            for param_group, momentum in zip(self.optimizer.param_groups, momentums):
                if self.use_beta1:
                    param_group["betas"] = (momentum, *param_group["betas"][1:])
                else:
                    param_group["momentum"] = momentum
        return lrs


# ---------------------------------------------------------------------------------------------
# Construction from basinlab's resolved parameters (torch's names and values).

TUPLES = ("betas", "etas", "step_sizes")


def _accepts(cls, key):
    return key in inspect.signature(cls.__init__).parameters


# Which of current torch's behaviours the installed torch lacks, found in torch itself rather than
# from its version number, so that the driver patches exactly what is missing (everything listed on
# Debian 12's 1.13, less or nothing on a newer torch). Each key is a KNOWN_DIFFERENCES id of the test.
MISSING = {
    "nadam-mu-product": "mu_product * mu * mu_next" in inspect.getsource(_INSTALLED_NADAM),
    "nadam-radam-maximize": not _accepts(torch.optim.NAdam, "maximize") or not _accepts(torch.optim.RAdam, "maximize"),
    "nadam-radam-decoupled": not _accepts(torch.optim.NAdam, "decoupled_weight_decay")
    or not _accepts(torch.optim.RAdam, "decoupled_weight_decay"),
    "adam-decoupled": not _accepts(torch.optim.Adam, "decoupled_weight_decay"),
    "cycliclr-beta1": "use_beta1" not in inspect.getsource(lr_scheduler.CyclicLR.__init__),
}


class Run:
    """The optimiser, and the per-step hooks that give current torch's behaviour where the installed
    torch lacks it (variant "current"). `patches` lists the MISSING ids applied to this run.

    `params` is what torch's optimisers take: a list of tensors (one group), or a list of
    param_group dicts {"params": [...], <overrides>} (tests/torch/network-oracle.py). `factory`
    builds the optimiser from its class, the params and the keyword arguments (default: the class
    itself; the network driver wraps it in SAM)."""

    def __init__(self, params, spec, variant, factory=None):
        name = spec["name"]
        kw = _torch_kwargs(spec["params"])
        params = [dict(g, **_torch_kwargs({k: v for k, v in g.items() if k != "params"})) if isinstance(g, dict) else g
                  for g in params]
        # torch's own class where the installed torch has it; else (the timm optimisers, and
        # Adafactor before torch 2.5) the re-typed port of tests/torch/ports.py, named in `source`.
        cls = getattr(torch.optim, name, None)
        self.source = "torch.optim.%s" % name
        if cls is None and name in PORTS:
            cls = PORTS[name]
            self.source = "port: tests/torch/ports.py %s" % cls.__name__
        if cls is None:
            raise ValueError("torch.optim has no %s and there is no port of it" % name)
        self.patches = []
        self.negate = False  # maximize, for an optimiser without it
        # weight_decay per param group, applied as current torch's decoupled decay (None: not patched)
        self.decoupled = None
        if variant == "current":
            cls = self._patch(name, cls, kw, params)
        else:
            # Unpatched: what a user of the installed torch gets pasting these settings. A kwarg it
            # lacks is left out when it holds current torch's default (False) and passed otherwise,
            # so that the installed torch raises on it.
            for k in [k for k in kw if not _accepts(cls, k) and kw[k] is False]:
                del kw[k]
            if name == "NAdam":
                _use_nadam(variant)
        if _accepts(cls, "foreach"):
            kw["foreach"] = False  # torch's single-tensor loop, the one basinlab follows
        self.opt = cls(params, **kw) if factory is None else factory(cls, params, **kw)
        if self.decoupled is not None:
            self.decoupled = [self.decoupled.get(i, self.decoupled["default"]) for i in range(len(self.opt.param_groups))]

    def _patch(self, name, cls, kw, params):
        groups = [g for g in params if isinstance(g, dict)]

        def no_group_override(key):
            # The patches below act on the optimiser's kwargs; a group that sets one of them itself
            # would escape them, so such a case is refused rather than run wrong.
            for g in groups:
                if key in g and not _accepts(cls, key):
                    raise ValueError("the driver cannot patch %s set in a param group of %s" % (key, name))

        if name == "NAdam":
            _use_nadam("current" if MISSING["nadam-mu-product"] else "unpatched")
            if MISSING["nadam-mu-product"]:
                self.patches.append("nadam-mu-product")
        if name in ("NAdam", "RAdam"):
            # Current torch (_single_tensor_nadam / _single_tensor_radam) starts with
            #     grad = grads[i] if not maximize else -grads[i]
            # and then
            #     if weight_decay != 0:
            #         if decoupled_weight_decay: param.mul_(1 - lr * weight_decay)
            #         else: grad = grad.add(param, alpha=weight_decay)
            # before anything else reads param (param is only written at the end), so negating
            # p.grad before the step, and multiplying p by 1 - lr * weight_decay before it with
            # weight_decay=0 given to the optimiser, is the same arithmetic in the same order.
            if not _accepts(cls, "maximize"):
                no_group_override("maximize")
                if kw.pop("maximize", False):
                    self.negate = True
                    self.patches.append("nadam-radam-maximize")
            if not _accepts(cls, "decoupled_weight_decay"):
                no_group_override("decoupled_weight_decay")
                if kw.pop("decoupled_weight_decay", False):
                    # Each group's own weight_decay (its override, else the optimiser's), by group index.
                    wd = {"default": kw.get("weight_decay", 0)}
                    for i, g in enumerate(params):
                        if isinstance(g, dict) and "weight_decay" in g:
                            wd[i] = g["weight_decay"]
                            g["weight_decay"] = 0
                    kw["weight_decay"] = 0
                    if any(v != 0 for v in wd.values()):
                        self.decoupled = wd
                        self.patches.append("nadam-radam-decoupled")
        if name == "Adam" and not _accepts(cls, "decoupled_weight_decay"):
            no_group_override("decoupled_weight_decay")
            if kw.pop("decoupled_weight_decay", False):
                # Current torch defines AdamW as Adam with decoupled weight decay (adamw.py:
                # `class AdamW(Adam)`, passing decoupled_weight_decay=True to Adam.__init__), whose
                # step does param.mul_(1 - lr * weight_decay) and then the Adam update. An Adam
                # without the kwarg still has that update as its AdamW.
                self.patches.append("adam-decoupled")
                return torch.optim.AdamW
        return cls

    def before_step(self):
        for i, group in enumerate(self.opt.param_groups):
            for p in group["params"]:
                if self.negate and p.grad is not None:
                    p.grad.neg_()
                if self.decoupled is not None and self.decoupled[i]:
                    with torch.no_grad():
                        p.mul_(1 - group["lr"] * self.decoupled[i])


def _torch_kwargs(params):
    """basinlab's resolved values as torch's keyword arguments (tuples where torch has tuples)."""
    return {k: (tuple(v) if k in TUPLES else v) for k, v in params.items()}


def build_schedule(opt, spec, variant, patches):
    if spec is None:
        return None
    name = spec["name"]
    kw = dict(spec["params"])
    if name == "SequentialLR":
        children = [build_schedule(opt, c, variant, patches) for c in spec["schedulers"]]
        return lr_scheduler.SequentialLR(opt, children, milestones=kw["milestones"])
    if name == "ChainedScheduler":
        return lr_scheduler.ChainedScheduler([build_schedule(opt, c, variant, patches) for c in spec["schedulers"]])
    if name == "SWALR":
        return swa_utils.SWALR(opt, **kw)
    if name == "WSD":
        return wsd(opt, kw)
    if name == "OneCycleLR":
        kw["pct_start"] = float(kw["pct_start"])  # torch checks isinstance(pct_start, float)
        return lr_scheduler.OneCycleLR(opt, **kw)
    if name == "CyclicLR":
        beta1 = kw["cycle_momentum"] and "momentum" not in opt.defaults and "betas" in opt.defaults
        if variant == "current" and beta1 and MISSING["cycliclr-beta1"]:
            patches.append("cycliclr-beta1")
            return CyclicLRCurrent(opt, **kw)
        return lr_scheduler.CyclicLR(opt, **kw)
    return getattr(lr_scheduler, name)(opt, **kw)


def wsd(opt, kw):
    """basinlab's WSD (not a torch class) in torch's own terms. The linear shape is, as
    docs/catalogue.md states,
        SequentialLR([LinearLR(start_factor=warmup_start_factor, end_factor=1, total_iters=warmup_steps),
                      ConstantLR(factor=1, total_iters=stable_steps),
                      LinearLR(start_factor=1, end_factor=min_lr_ratio, total_iters=decay_steps)],
                     milestones=[warmup_steps, warmup_steps + stable_steps])
    (valid for warmup_steps >= 1, warmup_start_factor > 0, decay_steps >= 1). The 1-sqrt cooldown
    (Haegele et al. 2024, arXiv:2405.18392) has no torch class; it is the LambdaLR of that paper's
    multiplier: linear warmup, 1 on the plateau, then 1 - (1 - min_lr_ratio) * sqrt(x) over the
    cooldown progress x, and min_lr_ratio after it."""
    W, ws = kw["warmup_steps"], kw["warmup_start_factor"]
    S, D, m = kw["stable_steps"], kw["decay_steps"], kw["min_lr_ratio"]
    if kw["decay_shape"] == "linear":
        return lr_scheduler.SequentialLR(opt, [
            lr_scheduler.LinearLR(opt, start_factor=ws, end_factor=1.0, total_iters=W),
            lr_scheduler.ConstantLR(opt, factor=1.0, total_iters=S),
            lr_scheduler.LinearLR(opt, start_factor=1.0, end_factor=m, total_iters=D),
        ], milestones=[W, W + S])

    def multiplier(k):
        if k < W:
            return ws + (1 - ws) * k / W
        if k < W + S:
            return 1.0
        if k < W + S + D:
            return 1 - (1 - m) * math.sqrt((k - W - S) / D)
        return m
    return lr_scheduler.LambdaLR(opt, multiplier)


def _momentum(group):
    if "momentum" in group:
        return group["momentum"]
    if "betas" in group:
        return group["betas"][0]
    return None


def _finite(v):
    return v if math.isfinite(v) else None


def run_job(job):
    variant = job.get("variant", "current")
    if variant not in ("current", "unpatched", "nadam-copy-1.13"):
        raise ValueError("unknown variant %r" % variant)
    P = job["surface"]["params"]
    # A data surface (logistic): its rows come with the job, and each step's minibatch rows as
    # basinlab draws them (pcg4d; tests/unit/surfaces.test.ts checks that sampler on its own).
    data = job.get("data")
    D = None if data is None else torch.tensor(data, dtype=torch.float64)
    f = SURFACES[job["surface"]["name"]] if D is None else (lambda q, PP: _logistic_rows(q, PP, D))
    p = torch.tensor([float(job["start"][0]), float(job["start"][1])], dtype=torch.float64, requires_grad=True)
    run = Run([p], job["optimizer"], variant)
    opt = run.opt
    sched = build_schedule(opt, job["schedule"], variant, run.patches)
    plateau = isinstance(sched, lr_scheduler.ReduceLROnPlateau)
    xs, ys, losses, lrs, moms = [p[0].item()], [p[1].item()], [], [], []
    for _ in range(job["steps"]):
        opt.zero_grad()
        loss = f(p, P)
        losses.append(loss.item())
        group = opt.param_groups[0]
        lrs.append(group["lr"])
        moms.append(_momentum(group))
        if D is None:
            loss.backward()
        else:
            _logistic_rows(p, P, D[job["rows"][len(lrs) - 1]]).backward()
        run.before_step()
        opt.step()
        if plateau:
            sched.step(loss.item())
        elif sched is not None:
            sched.step()
        xs.append(p[0].item())
        ys.append(p[1].item())
    with torch.no_grad():
        losses.append(f(p, P).item())
    return {
        "id": job["id"],
        "x": [_finite(v) for v in xs],
        "y": [_finite(v) for v in ys],
        "loss": [_finite(v) for v in losses],
        "lr": [_finite(v) for v in lrs],
        "momentum": None if moms[0] is None else [_finite(v) for v in moms],
        "patches": run.patches,
        "error": None,
    }


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
