# mypy: allow-untyped-defs
r"""GPT pretraining with optimizers written the way torch/optim/*.py writes them:
an ``Optimizer`` subclass with ``_init_group``, a functional entry point, and
single-tensor / multi-tensor (``torch._foreach_*``) implementations.

Optimizers
----------
* ``NSMomentum``: Nesterov momentum whose update direction is orthogonalized with a
  Newton-Schulz iteration (works on any tensor with ndim >= 2; leading dims batched).
* ``AdamLite``: plain Adam (no weight decay) with a foreach path.
"""
import glob
import math
import os
import time
from typing import List, Optional, Tuple, Union

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor
from torch.optim.lr_scheduler import LRScheduler
from torch.optim.optimizer import Optimizer, ParamsT

__all__ = ["NSMomentum", "AdamLite", "ns_momentum", "adam_lite"]


# ----------------------------------------------------------------------------
# Newton-Schulz orthogonalization


def _zeropower_ns(G: Tensor, steps: int = 5) -> Tensor:
    r"""Quintic Newton-Schulz; ``G`` may carry leading batch dimensions."""
    assert G.ndim >= 2
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16()
    wide = G.size(-2) <= G.size(-1)
    if not wide:
        X = X.mT
    X = X / (X.norm(dim=(-2, -1), keepdim=True) + 1e-7)
    for _ in range(steps):
        A = X @ X.mT
        B = b * A + c * (A @ A)
        X = a * X + B @ X
    if not wide:
        X = X.mT
    return X


def _shape_scale(p: Tensor) -> float:
    return max(1.0, p.size(-2) / p.size(-1)) ** 0.5


# ----------------------------------------------------------------------------
# NSMomentum


class NSMomentum(Optimizer):
    def __init__(
        self,
        params: ParamsT,
        lr: Union[float, Tensor] = 0.02,
        momentum: float = 0.95,
        nesterov: bool = True,
        ns_steps: int = 5,
        *,
        foreach: Optional[bool] = None,
    ):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        defaults = dict(lr=lr, momentum=momentum, nesterov=nesterov, ns_steps=ns_steps, foreach=foreach)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", True)
            group.setdefault("foreach", None)

    def _init_group(self, group, params: List[Tensor], grads: List[Tensor], momentum_buffer_list: List[Tensor]):
        for p in group["params"]:
            if p.grad is None:
                continue
            if p.ndim < 2:
                raise RuntimeError("NSMomentum only handles parameters with ndim >= 2")
            params.append(p)
            grads.append(p.grad)
            state = self.state[p]
            if len(state) == 0:
                state["momentum_buffer"] = torch.zeros_like(p, memory_format=torch.preserve_format)
            momentum_buffer_list.append(state["momentum_buffer"])

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            params: List[Tensor] = []
            grads: List[Tensor] = []
            bufs: List[Tensor] = []
            self._init_group(group, params, grads, bufs)
            ns_momentum(
                params, grads, bufs,
                lr=group["lr"], momentum=group["momentum"], nesterov=group["nesterov"],
                ns_steps=group["ns_steps"], foreach=group["foreach"],
            )
        return loss


def ns_momentum(params, grads, bufs, *, lr, momentum, nesterov, ns_steps, foreach: Optional[bool] = None):
    if foreach is None:
        foreach = all(p.is_cuda for p in params)
    func = _multi_tensor_ns_momentum if foreach else _single_tensor_ns_momentum
    func(params, grads, bufs, lr=lr, momentum=momentum, nesterov=nesterov, ns_steps=ns_steps)


def _single_tensor_ns_momentum(params, grads, bufs, *, lr, momentum, nesterov, ns_steps):
    for p, g, buf in zip(params, grads, bufs):
        buf.lerp_(g, 1 - momentum)
        d = g.lerp(buf, momentum) if nesterov else buf
        p.add_(_zeropower_ns(d, ns_steps).to(p.dtype), alpha=-lr * _shape_scale(p))


def _multi_tensor_ns_momentum(params, grads, bufs, *, lr, momentum, nesterov, ns_steps):
    if len(params) == 0:
        return
    torch._foreach_lerp_(bufs, grads, 1 - momentum)
    if nesterov:
        dirs = torch._foreach_lerp(grads, bufs, momentum)
    else:
        dirs = list(bufs)
    # group same-shaped directions and orthogonalize each group as one batched call
    by_shape = {}
    for i, d in enumerate(dirs):
        by_shape.setdefault(tuple(d.shape), []).append(i)
    for shape, idxs in by_shape.items():
        stacked = torch.stack([dirs[i] for i in idxs])
        ortho = _zeropower_ns(stacked, ns_steps)
        scale = -lr * max(1.0, shape[-2] / shape[-1]) ** 0.5
        updates = [u.to(params[i].dtype) for i, u in zip(idxs, ortho.unbind(0))]
        torch._foreach_add_([params[i] for i in idxs], updates, alpha=scale)


# ----------------------------------------------------------------------------
# AdamLite


class AdamLite(Optimizer):
    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: Tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        *,
        foreach: Optional[bool] = None,
        fused: bool = False,
    ):
        if fused:
            raise NotImplementedError("AdamLite has no fused kernel; use foreach=True")
        defaults = dict(lr=lr, betas=betas, eps=eps, foreach=foreach)
        super().__init__(params, defaults)

    def _init_group(self, group, params, grads, exp_avgs, exp_avg_sqs, state_steps):
        for p in group["params"]:
            if p.grad is None:
                continue
            params.append(p)
            grads.append(p.grad)
            state = self.state[p]
            if len(state) == 0:
                state["step"] = torch.tensor(0.0)
                state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                state["exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)
            exp_avgs.append(state["exp_avg"])
            exp_avg_sqs.append(state["exp_avg_sq"])
            state_steps.append(state["step"])

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            params, grads, exp_avgs, exp_avg_sqs, state_steps = [], [], [], [], []
            self._init_group(group, params, grads, exp_avgs, exp_avg_sqs, state_steps)
            beta1, beta2 = group["betas"]
            adam_lite(
                params, grads, exp_avgs, exp_avg_sqs, state_steps,
                lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"], foreach=group["foreach"],
            )
        return loss


def adam_lite(params, grads, exp_avgs, exp_avg_sqs, state_steps, *, lr, beta1, beta2, eps, foreach=None):
    if foreach is None:
        foreach = all(p.is_cuda for p in params)
    func = _multi_tensor_adam_lite if foreach else _single_tensor_adam_lite
    func(params, grads, exp_avgs, exp_avg_sqs, state_steps, lr=lr, beta1=beta1, beta2=beta2, eps=eps)


def _single_tensor_adam_lite(params, grads, exp_avgs, exp_avg_sqs, state_steps, *, lr, beta1, beta2, eps):
    for p, g, m, v, step_t in zip(params, grads, exp_avgs, exp_avg_sqs, state_steps):
        step_t += 1
        step = step_t.item()
        m.lerp_(g, 1 - beta1)
        v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
        bc1 = 1 - beta1 ** step
        bc2 = 1 - beta2 ** step
        denom = (v.sqrt() / math.sqrt(bc2)).add_(eps)
        p.addcdiv_(m, denom, value=-lr / bc1)


def _multi_tensor_adam_lite(params, grads, exp_avgs, exp_avg_sqs, state_steps, *, lr, beta1, beta2, eps):
    if len(params) == 0:
        return
    torch._foreach_add_(state_steps, 1)
    torch._foreach_lerp_(exp_avgs, grads, 1 - beta1)
    torch._foreach_mul_(exp_avg_sqs, beta2)
    torch._foreach_addcmul_(exp_avg_sqs, grads, grads, 1 - beta2)
    steps = [s.item() for s in state_steps]
    bc1 = [1 - beta1 ** s for s in steps]
    bc2_sqrt = [math.sqrt(1 - beta2 ** s) for s in steps]
    denom = torch._foreach_sqrt(exp_avg_sqs)
    torch._foreach_div_(denom, bc2_sqrt)
    torch._foreach_add_(denom, eps)
    step_sizes = [-lr / b for b in bc1]
    torch._foreach_addcdiv_(params, exp_avgs, denom, step_sizes)


# ----------------------------------------------------------------------------
# LR schedule: hold, then linear cooldown to a floor


class HoldThenCooldown(LRScheduler):
    def __init__(self, optimizer, total_steps: int, cooldown_frac: float = 0.4, floor: float = 0.1, last_epoch=-1):
        self.total_steps = total_steps
        self.cooldown_frac = cooldown_frac
        self.floor = floor
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        remaining = 1.0 - min(self.last_epoch, self.total_steps) / self.total_steps
        w = min(remaining / self.cooldown_frac, 1.0)
        factor = w * 1.0 + (1.0 - w) * self.floor
        return [base_lr * factor for base_lr in self.base_lrs]


# ----------------------------------------------------------------------------
# Model


class Linear32(nn.Linear):
    """fp32 master weight, cast to the activation dtype on use."""

    def __init__(self, in_features: int, out_features: int):
        super().__init__(in_features, out_features, bias=False)

    def reset_parameters(self) -> None:
        std = 0.5 * self.in_features ** -0.5
        with torch.no_grad():
            self.weight.uniform_(-math.sqrt(3) * std, math.sqrt(3) * std)

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight.to(x.dtype))


class RMSNorm(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: Tensor) -> Tensor:
        return F.rms_norm(x, (x.size(-1),), self.weight.to(x.dtype))


class CausalAttention(nn.Module):
    def __init__(self, dim: int, n_head: int):
        super().__init__()
        self.n_head, self.hd = n_head, dim // n_head
        bound = math.sqrt(3) * 0.5 * dim ** -0.5
        self.qkv_weight = nn.Parameter(torch.empty(3, dim, dim).uniform_(-bound, bound))
        self.out = Linear32(dim, dim)

    def forward(self, x: Tensor) -> Tensor:
        B, T, C = x.shape
        qkv = F.linear(x, self.qkv_weight.flatten(0, 1).to(x.dtype))
        q, k, v = qkv.view(B, T, 3, self.n_head, self.hd).unbind(2)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.out(y.transpose(1, 2).reshape(B, T, C))


class MLP(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.up = Linear32(dim, 4 * dim)
        self.down = Linear32(4 * dim, dim)
        nn.init.zeros_(self.up.weight)

    def forward(self, x: Tensor) -> Tensor:
        return self.down(F.gelu(self.up(x), approximate="tanh"))


class Block(nn.Module):
    def __init__(self, dim: int, n_head: int, n_layer: int):
        super().__init__()
        self.ln1, self.ln2 = RMSNorm(dim), RMSNorm(dim)
        self.attn, self.mlp = CausalAttention(dim, n_head), MLP(dim)
        self.attn_gain = 1.0 / math.sqrt(2 * n_layer)

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.attn_gain * self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class TinyGPT(nn.Module):
    def __init__(self, vocab: int = 50257, ctx: int = 1024, dim: int = 768, n_layer: int = 12, n_head: int = 12):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.wpe = nn.Embedding(ctx, dim)
        self.blocks = nn.ModuleList([Block(dim, n_head, n_layer) for _ in range(n_layer)])
        self.ln_f = RMSNorm(dim)

    def forward(self, idx: Tensor, targets: Tensor) -> Tensor:
        pos = torch.arange(idx.size(1), device=idx.device)
        x = self.wte(idx) + self.wpe(pos)[None]
        for blk in self.blocks:
            x = blk(x)
        logits = F.linear(self.ln_f(x), self.wte.weight.to(x.dtype))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


# ----------------------------------------------------------------------------
# Training


def batches(pattern: str, B: int, T: int, rank: int, world: int):
    for path in sorted(glob.glob(pattern)):
        data = np.memmap(path, dtype=np.uint16, mode="r", offset=1024)
        pos = rank * B * T
        while pos + B * T + 1 <= len(data):
            buf = torch.from_numpy(data[pos:pos + B * T + 1].astype(np.int64))
            yield buf[:-1].view(B, T), buf[1:].view(B, T)
            pos += world * B * T


def main():
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    dev = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
    torch.cuda.set_device(dev)
    B, T, total_steps = 32, 1024, 4000

    model = TinyGPT().to(dev)
    # only the embedding tables live in bf16; every other parameter stays fp32
    for m in model.modules():
        if isinstance(m, nn.Embedding):
            m.to(torch.bfloat16)
    ddp_model = nn.parallel.DistributedDataParallel(torch.compile(model), device_ids=[dev.index])

    block_params = list(model.blocks.named_parameters())
    matrices = [p for _, p in block_params if p.ndim >= 2]
    scalars = [p for _, p in block_params if p.ndim < 2] + list(model.ln_f.parameters())
    embeds = [model.wte.weight, model.wpe.weight]

    adam = AdamLite(
        [dict(params=embeds, lr=0.005), dict(params=scalars, lr=0.02)],
        betas=(0.8, 0.95), eps=1e-10, foreach=True, fused=False,
    )
    ortho = NSMomentum(matrices, lr=0.02, momentum=0.95, foreach=True)
    optimizers = [adam, ortho]
    schedulers = [HoldThenCooldown(o, total_steps, cooldown_frac=0.4, floor=0.1) for o in optimizers]

    it = batches("data/fineweb10B/fineweb_train_*.bin", B, T, rank, world)
    t0 = time.time()
    for step in range(total_steps):
        x, y = next(it)
        loss = ddp_model(x.to(dev), y.to(dev))
        loss.backward()
        for opt, sched in zip(optimizers, schedulers):
            opt.step()
            sched.step()
        ddp_model.zero_grad(set_to_none=True)
        if rank == 0 and step % 50 == 0:
            print(f"step {step:5d} | loss {loss.item():.4f} | lr_mult {schedulers[1].get_last_lr()[0] / 0.02:.3f}"
                  f" | {time.time() - t0:.0f}s")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
