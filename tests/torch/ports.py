"""Optimisers the installed torch (1.13) lacks, re-typed as torch.optim.Optimizer subclasses for the
network oracle (network-oracle.py, through oracle.py's Run). They are PORTS, not the references
themselves: each step below re-states its reference's arithmetic, operation by operation and in the
same order, with torch's own tensor ops (float64 here), so that only the optimiser logic is re-typed
and the reductions (norms, means), the model, autograd and the data stay torch's. The references:

- Lars: timm/optim/lars.py, Lars.step (huggingface/pytorch-image-models; timm is the reference
  basinlab's LARS entry cites).
- Lamb: timm/optim/lamb.py, Lamb._get_clip_grad_norm and Lamb.step (corrected_weight_decay is not
  modelled by basinlab and left out here).
- Lion: timm/optim/lion.py, _single_tensor_lion (foreach=False; corrected_weight_decay/max_lr left
  out as above).
- Adafactor: torch/optim/_adafactor.py (torch 2.5+), Adafactor._init_group and
  _single_tensor_adafactor (foreach=False): the second moment factored into row and column means
  for a parameter of 2 or more dimensions, a full `variance` for a vector. Used only where the
  installed torch has no torch.optim.Adafactor (oracle.py prefers torch's own class).

Param groups behave as torch's Optimizer makes them (every key per group, defaults filled in); the
one key the references read from self.defaults instead (Lamb's max_grad_norm) is read from there.
"""

import torch
from torch.optim import Optimizer


class Lars(Optimizer):
    def __init__(self, params, lr=1.0, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 trust_coeff=0.001, eps=1e-8, trust_clip=False, always_adapt=False):
        if lr < 0.0 or momentum < 0.0 or weight_decay < 0.0:
            raise ValueError("invalid lr, momentum or weight_decay")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                                      nesterov=nesterov, trust_coeff=trust_coeff, eps=eps, trust_clip=trust_clip,
                                      always_adapt=always_adapt))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            wd, mom, damp = group["weight_decay"], group["momentum"], group["dampening"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                # The LARS adaptation (with LARC's clip) only where there is weight decay, or always.
                if wd != 0 or group["always_adapt"]:
                    wn = p.norm(2.0)
                    gn = g.norm(2.0)
                    ratio = group["trust_coeff"] * wn / (gn + wn * wd + group["eps"])
                    # 1 where either norm is 0
                    ratio = torch.where(wn > 0, torch.where(gn > 0, ratio, 1.0), 1.0)
                    if group["trust_clip"]:
                        ratio = torch.clamp(ratio / group["lr"], max=1.0)
                    g.add_(p, alpha=wd)
                    g.mul_(ratio)
                # torch SGD's momentum on the adapted gradient.
                if mom != 0:
                    st = self.state[p]
                    if "momentum_buffer" in st:
                        buf = st["momentum_buffer"]
                        buf.mul_(mom).add_(g, alpha=1.0 - damp)
                    else:
                        buf = st["momentum_buffer"] = torch.clone(g).detach()
                    g = g.add(buf, alpha=mom) if group["nesterov"] else buf
                p.add_(g, alpha=-group["lr"])


class Lamb(Optimizer):
    def __init__(self, params, lr=1e-3, bias_correction=True, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.01,
                 grad_averaging=True, max_grad_norm=1.0, trust_clip=False, always_adapt=False, caution=False,
                 decoupled_decay=False):
        super().__init__(params, dict(lr=lr, bias_correction=bias_correction, betas=betas, eps=eps,
                                      weight_decay=weight_decay, grad_averaging=grad_averaging,
                                      max_grad_norm=max_grad_norm, trust_clip=trust_clip, always_adapt=always_adapt,
                                      caution=caution, decoupled_decay=decoupled_decay))

    def _clip(self):
        # Global: every gradient of every group, and max_grad_norm from the defaults only.
        mgn = self.defaults["max_grad_norm"]
        if mgn is None:
            return None
        per_tensor = [torch.linalg.vector_norm(p.grad) for group in self.param_groups for p in group["params"]
                      if p.grad is not None]
        total = torch.linalg.vector_norm(torch.stack(per_tensor))
        return (total / mgn).clamp_(min=1.0)

    @torch.no_grad()
    def step(self):
        clip = self._clip()
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            beta3 = 1 - beta1 if group["grad_averaging"] else 1.0
            group["step"] = group.get("step", 0) + 1
            t = group["step"]
            if group["bias_correction"]:
                bc1, bc2 = 1 - beta1 ** t, 1 - beta2 ** t
            else:
                bc1, bc2 = 1.0, 1.0
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                if clip is not None:
                    g.div_(clip)
                st = self.state[p]
                if len(st) == 0:
                    st["exp_avg"] = torch.zeros_like(p)
                    st["exp_avg_sq"] = torch.zeros_like(p)
                m, v = st["exp_avg"], st["exp_avg_sq"]
                m.mul_(beta1).add_(g, alpha=beta3)
                v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
                denom = (v.sqrt() / (bc2 ** 0.5)).add_(group["eps"])
                u = (m / bc1).div_(denom)
                if group["caution"]:
                    mask = (u * g > 0).to(g.dtype)
                    mask.div_(mask.mean().clamp_(min=1e-3))
                    u.mul_(mask)
                wd = group["weight_decay"]
                if wd != 0:
                    if group["decoupled_decay"]:
                        p.add_(p, alpha=-group["lr"] * wd)
                    else:
                        u.add_(p, alpha=wd)
                if wd != 0 or group["always_adapt"]:
                    wn = p.norm(2.0)
                    un = u.norm(2.0)
                    ratio = torch.where(wn > 0, torch.where(un > 0, wn / un, 1.0), 1.0)
                    if group["trust_clip"]:
                        ratio = torch.clamp(ratio, max=1.0)
                    u.mul_(ratio)
                p.add_(u, alpha=-group["lr"])


class Lion(Optimizer):
    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0, caution=False, maximize=False):
        if not 0.0 <= betas[0] < 1.0 or not 0.0 <= betas[1] < 1.0:
            raise ValueError("invalid betas")
        super().__init__(params, dict(lr=lr, betas=betas, weight_decay=weight_decay, caution=caution, maximize=maximize))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, wd = group["lr"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = -p.grad if group["maximize"] else p.grad
                st = self.state[p]
                if len(st) == 0:
                    st["exp_avg"] = torch.zeros_like(p)
                m = st["exp_avg"]
                p.mul_(1 - lr * wd)
                u = m.mul(beta1).add_(g, alpha=1 - beta1).sign_()
                if group["caution"]:
                    mask = (u * g > 0).to(g.dtype)
                    mask.div_(mask.mean().clamp_(min=1e-3))
                    u.mul_(mask)
                p.add_(u, alpha=-lr)
                m.lerp_(g, 1 - beta2)


class Adafactor(Optimizer):
    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, maximize=False):
        if not 0.0 <= lr or not beta2_decay <= 0.0 or not 1.0 <= d or not 0.0 <= weight_decay:
            raise ValueError("invalid Adafactor setting")
        super().__init__(params, dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d, weight_decay=weight_decay,
                                      maximize=maximize))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            eps1, eps2 = group["eps"]
            lr, d, wd = group["lr"], group["d"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = -p.grad if group["maximize"] else p.grad
                st = self.state[p]
                if len(st) == 0:
                    st["step"] = torch.tensor(0.0)
                    if g.dim() > 1:
                        st["row_var"] = g.new_zeros(list(g.shape[:-1]) + [1])
                        st["col_var"] = g.new_zeros(list(g.shape[:-2]) + [1, g.shape[-1]])
                    else:
                        st["variance"] = torch.zeros_like(g)
                e1 = torch.finfo(p.dtype).eps if eps1 is None else eps1
                st["step"] += 1
                t = st["step"].item()
                w = t ** group["beta2_decay"]
                rho = min(lr, 1 / (t ** 0.5))
                alpha = max(eps2, p.norm(2).item() / (p.numel() ** 0.5)) * rho
                if wd != 0:
                    p.mul_(1 - lr * wd)
                if g.dim() > 1:
                    row_var, col_var = st["row_var"], st["col_var"]
                    # mean of g * g over the last dimension, and over the one before it
                    row_var.lerp_(torch.linalg.vector_norm(g, dim=-1, keepdim=True).square_().div_(g.size(-1)), w)
                    col_var.lerp_(torch.linalg.vector_norm(g, dim=-2, keepdim=True).square_().div_(g.size(-2)), w)
                    est = row_var @ col_var
                    est.div_(row_var.mean(dim=-2, keepdim=True).clamp_(min=e1))
                else:
                    st["variance"].lerp_(g * g, w)
                    est = st["variance"].clone()
                u = est.clamp_(min=e1 * e1).rsqrt_()
                u.mul_(g)
                denom = max(1.0, u.norm(2).item() / ((u.numel() ** 0.5) * d))
                p.add_(u, alpha=-alpha / denom)


PORTS = {"LARS": Lars, "LAMB": Lamb, "Lion": Lion, "Adafactor": Adafactor}
