"""GPT training with composable gradient transformations (an optax-style API in PyTorch).

Each transformation is a pair (init, update): `init(params) -> state` and
`update(updates, state, params, step) -> (updates, state)`. Optimizers are built by chaining
small transformations, and `multi_transform` routes parameter subsets to different chains.
"""
import glob
import math
import os
import time
from dataclasses import dataclass
from typing import Callable, Dict, List, NamedTuple, Sequence

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor
from torch.nn.parallel import DistributedDataParallel as DDP

Params = List[Tensor]
Updates = List[Tensor]


class GradientTransformation(NamedTuple):
    init: Callable
    update: Callable


# ----------------------------------------------------------------------------------------------
# transformations


def identity() -> GradientTransformation:
    return GradientTransformation(lambda ps: None, lambda u, s, ps, t: (u, s))


def trace(decay: Callable[[int], float], nesterov: bool = True) -> GradientTransformation:
    """Heavy-ball / Nesterov momentum with a step-dependent decay."""

    def init(params):
        return [torch.zeros_like(p) for p in params]

    def update(updates, bufs, params, step):
        mu = decay(step)
        out = []
        for g, b in zip(updates, bufs):
            b.mul_(mu).add_(g)
            out.append(g.add(b, alpha=mu) if nesterov else b.clone())
        return out, bufs

    return GradientTransformation(init, update)


def newton_schulz(G: Tensor, steps: int, coeffs=(3.4445, -4.7750, 2.0315)) -> Tensor:
    a, b, c = coeffs
    X = G.bfloat16()
    tall = G.size(-2) > G.size(-1)
    if tall:
        X = X.mT
    X = X / (X.norm(dim=(-2, -1), keepdim=True) + 1e-7)
    for _ in range(steps):
        A = X @ X.mT
        B = b * A + c * A @ A
        X = a * X + B @ X
    if tall:
        X = X.mT
    return X


def orthogonalize(ns_steps: int = 5) -> GradientTransformation:
    """Replace each (batch of) matrix update by its approximate polar factor U V^T."""

    def update(updates, state, params, step):
        return [newton_schulz(u, ns_steps).to(u.dtype) for u in updates], state

    return GradientTransformation(lambda ps: None, update)


def scale_by_shape() -> GradientTransformation:
    """Tall matrices get their unit-spectral-norm update scaled up by sqrt(rows / cols)."""

    def update(updates, state, params, step):
        return [u * max(1.0, u.size(-2) / u.size(-1)) ** 0.5 for u in updates], state

    return GradientTransformation(lambda ps: None, update)


def scale_by_adam(b1: float = 0.8, b2: float = 0.95, eps: float = 1e-10) -> GradientTransformation:
    def init(params):
        return dict(m=[torch.zeros_like(p) for p in params], v=[torch.zeros_like(p) for p in params])

    def update(updates, state, params, step):
        t = step + 1
        out = []
        for g, m, v in zip(updates, state["m"], state["v"]):
            m.lerp_(g, 1 - b1)
            v.lerp_(g.square(), 1 - b2)
            m_hat = m / (1 - b1 ** t)
            v_hat = v / (1 - b2 ** t)
            out.append(m_hat / (v_hat.sqrt() + eps))
        return out, state

    return GradientTransformation(init, update)


def add_decayed_weights(weight_decay: float = 0.0) -> GradientTransformation:
    def update(updates, state, params, step):
        if weight_decay == 0.0:
            return updates, state
        return [u.add(p, alpha=weight_decay) for u, p in zip(updates, params)], state

    return GradientTransformation(lambda ps: None, update)


def scale_by_schedule(schedule: Callable[[int], float]) -> GradientTransformation:
    def update(updates, state, params, step):
        f = schedule(step)
        return [u * f for u in updates], state

    return GradientTransformation(lambda ps: None, update)


def scale(factor: float) -> GradientTransformation:
    return GradientTransformation(lambda ps: None, lambda u, s, ps, t: ([x * factor for x in u], s))


def chain(*transforms: GradientTransformation) -> GradientTransformation:
    def init(params):
        return [t.init(params) for t in transforms]

    def update(updates, states, params, step):
        new_states = []
        for t, s in zip(transforms, states):
            updates, s = t.update(updates, s, params, step)
            new_states.append(s)
        return updates, new_states

    return GradientTransformation(init, update)


class Optimizer:
    """Binds labelled parameter subsets to transformations and applies `p -= update`."""

    def __init__(self, named_params, labeler: Callable[[str, Tensor], str], transforms: Dict[str, GradientTransformation]):
        self.groups: Dict[str, Params] = {k: [] for k in transforms}
        for name, p in named_params:
            self.groups[labeler(name, p)].append(p)
        self.transforms = transforms
        self.states = {k: transforms[k].init(self.groups[k]) for k in transforms}
        self.step_count = 0

    @torch.no_grad()
    def step(self):
        for k, tx in self.transforms.items():
            ps = self.groups[k]
            if not ps:
                continue
            grads = [p.grad for p in ps]
            updates, self.states[k] = tx.update(grads, self.states[k], ps, self.step_count)
            for p, u in zip(ps, updates):
                p.sub_(u.type_as(p))
        self.step_count += 1


# ----------------------------------------------------------------------------------------------
# schedules


def warmup_stable_decay(total_steps: int, warmup_steps: int = 0, decay_frac: float = 0.4, final_ratio: float = 0.0):
    decay_start = int(total_steps * (1 - decay_frac))

    def fn(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        if step < decay_start:
            return 1.0
        w = (total_steps - step) / (total_steps - decay_start)
        return final_ratio + (1 - final_ratio) * w

    return fn


def linear_warmup(start: float, end: float, steps: int):
    return lambda step: start + (end - start) * min(step / steps, 1.0)


# ----------------------------------------------------------------------------------------------
# model


@dataclass(frozen=True)
class ModelSpec:
    vocab_size: int = 50304
    n_layer: int = 12
    n_head: int = 6
    d_model: int = 768
    softcap: float = 30.0
    eval_fp8_head: bool = True


def rms(x):
    return F.rms_norm(x, (x.size(-1),))


class Rotary(nn.Module):
    def __init__(self, dim, base=10000.0):
        super().__init__()
        self.register_buffer("inv_freq", 1.0 / (base ** (torch.arange(0, dim, 2).float() / dim)), persistent=False)

    def forward(self, x):
        T = x.size(1)
        f = torch.outer(torch.arange(T, device=x.device).float(), self.inv_freq)
        cos, sin = f.cos()[None, :, None, :], f.sin()[None, :, None, :]
        x1, x2 = x.float().chunk(2, dim=-1)
        return torch.cat([x1 * cos + x2 * sin, -x1 * sin + x2 * cos], -1).type_as(x)


class Attention(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h, self.hd = h, d // h
        self.qkv_w = nn.Parameter(torch.empty(3, d, d).normal_(std=d ** -0.5))
        self.proj = nn.Linear(d, d, bias=False)
        nn.init.zeros_(self.proj.weight)
        self.rotary = Rotary(self.hd)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = F.linear(x, self.qkv_w.flatten(end_dim=1)).view(B, T, 3 * self.h, self.hd).chunk(3, dim=-2)
        q, k = self.rotary(rms(q)), self.rotary(rms(k))
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))


class Block(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.attn = Attention(d, h)
        self.fc = nn.Linear(d, 4 * d, bias=False)
        self.proj = nn.Linear(4 * d, d, bias=False)
        nn.init.zeros_(self.proj.weight)
        self.mix = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, x0):
        x = self.mix[0] * x + self.mix[1] * x0
        x = x + self.attn(rms(x))
        return x + self.proj(F.relu(self.fc(rms(x))).square())


def fp8_linear_inference(x: Tensor, w: Tensor) -> Tensor:
    x2 = x.flatten(0, -2)
    x_s, w_s = 2.0, 32.0
    out = torch._scaled_mm(x2.mul(x_s).to(torch.float8_e4m3fn), w.mul(w_s).to(torch.float8_e4m3fn).t(),
                           out_dtype=torch.bfloat16,
                           scale_a=x.new_tensor(1 / x_s, dtype=torch.float32),
                           scale_b=x.new_tensor(1 / w_s, dtype=torch.float32))
    return out.view(*x.shape[:-1], -1)


class GPT(nn.Module):
    def __init__(self, spec: ModelSpec):
        super().__init__()
        self.spec = spec
        self.embed = nn.Embedding(spec.vocab_size, spec.d_model)
        self.blocks = nn.ModuleList([Block(spec.d_model, spec.n_head) for _ in range(spec.n_layer)])
        self.head = nn.Linear(spec.d_model, spec.vocab_size, bias=False)
        nn.init.zeros_(self.head.weight)

    def forward(self, idx, targets):
        x = x0 = rms(self.embed(idx))
        for blk in self.blocks:
            x = blk(x, x0)
        x = rms(x)
        if not self.training and self.spec.eval_fp8_head:
            logits = fp8_linear_inference(x.bfloat16(), self.head.weight)
        else:
            logits = self.head(x)
        logits = self.spec.softcap * torch.tanh(logits / self.spec.softcap)
        logits = logits.float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


# ----------------------------------------------------------------------------------------------
# optimizer assembly


def build_optimizer(model: GPT, total_steps: int) -> Optimizer:
    sched = warmup_stable_decay(total_steps)

    def adam_chain(lr):
        return chain(scale_by_adam(), add_decayed_weights(0.0), scale_by_schedule(sched), scale(lr))

    muon_chain = chain(
        trace(decay=linear_warmup(0.85, 0.95, 300)),
        orthogonalize(),
        scale_by_shape(),
        add_decayed_weights(0.01),
        scale_by_schedule(sched),
        scale(0.05),
    )

    def label(name: str, p: Tensor) -> str:
        if name.startswith("embed"):
            return "embed"
        if name.startswith("head"):
            return "head"
        return "matrix" if p.ndim >= 2 else "scalar"

    return Optimizer(model.named_parameters(), label,
                     {"embed": adam_chain(0.6), "head": adam_chain(0.008), "scalar": adam_chain(0.04), "matrix": muon_chain})


# ----------------------------------------------------------------------------------------------
# training


def read(path):
    with open(path, "rb") as f:
        assert np.frombuffer(f.read(1024), dtype=np.int32)[0] == 20240520
        return np.frombuffer(f.read(), dtype=np.uint16)


def batches(pattern, B, T, rank, world):
    files = sorted(glob.glob(pattern))
    k, toks, pos = 0, read(files[0]), rank * B * T
    while True:
        if pos + B * T + 1 > len(toks):
            k = (k + 1) % len(files)
            toks, pos = read(files[k]), rank * B * T
        buf = torch.from_numpy(toks[pos:pos + B * T + 1].astype(np.int64)).cuda()
        pos += B * T * world
        yield buf[:-1].view(B, T), buf[1:].view(B, T)


def main(total_steps: int = 3000, device_batch: int = 64, seq_len: int = 1024, val_every: int = 250):
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    local = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local)
    assert device_batch * seq_len * world == 524288

    model = GPT(ModelSpec()).cuda()
    ddp = DDP(torch.compile(model), device_ids=[local])
    opt = build_optimizer(model, total_steps)
    amp = torch.autocast("cuda", dtype=torch.bfloat16)

    it = batches("data/fineweb10B/fineweb_train_*.bin", device_batch, seq_len, rank, world)
    t0 = time.time()
    for step in range(total_steps):
        x, y = next(it)
        with amp:
            loss = ddp(x, y)
        loss.backward()
        opt.step()
        model.zero_grad(set_to_none=True)
        if step % val_every == 0 or step == total_steps - 1:
            model.eval()
            vit = batches("data/fineweb10B/fineweb_val_*.bin", device_batch, seq_len, rank, world)
            with torch.no_grad(), amp:
                vl = sum(ddp(*next(vit)) for _ in range(20)) / 20
            dist.all_reduce(vl, op=dist.ReduceOp.AVG)
            if rank == 0:
                print(f"step {step} train {loss.item():.4f} val {vl.item():.4f} ({time.time() - t0:.0f}s)")
            model.train()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
