"""Functional-style GPT training.

All weights live in a flat ``dict[str, Tensor]``; the network is a handful of pure functions of
(params, inputs). An ``nn.Module`` shell only exists so that ``torch.func.functional_call`` can
swap a parameter dict in. Optimizers are plain functions ``(params, grads, state, step) -> None``
that update the dict in place.
"""

import glob
import math
import os
import time
from typing import Dict, NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call

Tensor = torch.Tensor
Params = Dict[str, Tensor]


class Hyper(NamedTuple):
    vocab: int = 50257
    width: int = 768
    depth: int = 12
    n_heads: int = 12
    seq_len: int = 2048
    batch: int = 32
    max_positions: int = 65536
    total_steps: int = 3000
    cooldown: float = 0.45           # last 45% of training is the linear cooldown
    lr_floor: float = 0.1            # ... which stops at a tenth of the peak
    embed_lr: float = 0.05
    adam_betas: tuple = (0.9, 0.95)
    adam_eps: float = 1e-10
    ortho_lr: float = 0.02
    ortho_mom_start: float = 0.85
    ortho_mom_end: float = 0.95
    ortho_mom_ramp: int = 500
    ns_steps: int = 5
    rope_base: float = 1024.0
    cap: float = 30.0
    cap_temp: float = 15.0


H = Hyper()


# ------------------------------------------------------------------------------------------
# parameters


def _uniform_hidden(out_f, in_f, *lead, gen=None):
    std = 0.5 / math.sqrt(in_f)
    bound = math.sqrt(3.0) * std
    return torch.empty(*lead, out_f, in_f).uniform_(-bound, bound, generator=gen)


def init_params(h: Hyper, seed: int = 0) -> Params:
    g = torch.Generator().manual_seed(seed)
    d = h.width
    p: Params = {"wte": torch.randn(h.vocab, d, generator=g) * 0.02}
    for i in range(h.depth):
        pre = f"b{i}"
        p[f"{pre}.qkv"] = _uniform_hidden(d, d, 3, gen=g)          # (3, d, d): q, k, v stacked
        p[f"{pre}.o"] = _uniform_hidden(d, d, gen=g)
        p[f"{pre}.up"] = _uniform_hidden(4 * d, d, gen=g)
        p[f"{pre}.down"] = _uniform_hidden(d, 4 * d, gen=g)
    return p


def rope_tables(h: Hyper) -> Dict[str, Tensor]:
    hd = h.width // h.n_heads
    quarter = hd // 4
    spin = (1.0 / h.rope_base) ** torch.linspace(0.0, 1.0, steps=quarter, dtype=torch.float32)
    still = torch.zeros(quarter, dtype=torch.float32)
    omega = torch.cat([spin, still])                       # hd // 2 angular speeds, half of them 0
    pos = torch.arange(h.max_positions, dtype=torch.float32)
    angle = pos[:, None] * omega[None, :]
    return {"cos": angle.cos(), "sin": angle.sin()}


# ------------------------------------------------------------------------------------------
# pure network functions


def rms(x: Tensor) -> Tensor:
    return F.rms_norm(x, (x.size(-1),))


def rotate(x: Tensor, tab: Dict[str, Tensor]) -> Tensor:
    T = x.size(-3)
    cos = tab["cos"][None, :T, None, :]
    sin = tab["sin"][None, :T, None, :]
    xf = x.float()
    a, b = xf.chunk(2, dim=-1)
    out = torch.cat([a * cos - b * sin, a * sin + b * cos], dim=-1)
    return out.type_as(x)


def attention(params: Params, pre: str, x: Tensor, tab: Dict[str, Tensor], n_heads: int) -> Tensor:
    B, T, D = x.shape
    hd = D // n_heads
    w = params[f"{pre}.qkv"]
    qkv = F.linear(x, w.flatten(end_dim=1))               # one GEMM for q, k and v
    q, k, v = qkv.view(B, T, 3 * n_heads, hd).chunk(3, dim=-2)
    q, k = rms(q), rms(k)
    q, k = rotate(q, tab), rotate(k, tab)
    y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
    y = y.transpose(1, 2).reshape(B, T, D)
    return F.linear(y, params[f"{pre}.o"])


def mlp(params: Params, pre: str, x: Tensor) -> Tensor:
    return F.linear(F.gelu(F.linear(x, params[f"{pre}.up"]), approximate="tanh"), params[f"{pre}.down"])


def forward(params: Params, tab: Dict[str, Tensor], idx: Tensor, h: Hyper) -> Tensor:
    x = F.embedding(idx, params["wte"])
    for i in range(h.depth):
        pre = f"b{i}"
        x = x + attention(params, pre, rms(x), tab, h.n_heads)
        x = x + mlp(params, pre, rms(x))
    x = rms(x)
    return F.linear(x, params["wte"])                     # tied read-out


def loss_from_logits(logits: Tensor, targets: Tensor, h: Hyper) -> Tensor:
    z = logits.float()
    z = h.cap * torch.sigmoid(z / h.cap_temp)             # bounded to (0, cap)
    return F.cross_entropy(z.view(-1, z.size(-1)), targets.view(-1))


class Shell(nn.Module):
    """Parameter-less container: functional_call injects the dict on every call."""

    def __init__(self, names, h: Hyper):
        super().__init__()
        self.names = list(names)
        self.h = h
        for n in self.names:
            self.register_parameter(n.replace(".", "__"), None)

    def forward(self, idx, targets, tab):
        params = {n: getattr(self, n.replace(".", "__")) for n in self.names}
        logits = forward(params, tab, idx, self.h)
        return loss_from_logits(logits, targets, self.h)


# ------------------------------------------------------------------------------------------
# optimizers as functions


def ns_orthogonalize(G: Tensor, steps: int) -> Tensor:
    """Quintic Newton-Schulz over the trailing two dims; any leading dims are a batch."""
    assert G.ndim >= 2
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16()
    wide = G.size(-2) <= G.size(-1)
    if not wide:
        X = X.mT
    X = X / (X.norm(dim=(-2, -1), keepdim=True) + 1e-7)
    for _ in range(steps):
        gram = X @ X.mT
        poly = b * gram + c * gram @ gram
        X = a * X + poly @ X
    if not wide:
        X = X.mT
    return X


def ortho_momentum(step: int, h: Hyper) -> float:
    t = min(step / h.ortho_mom_ramp, 1.0)
    return h.ortho_mom_start + t * (h.ortho_mom_end - h.ortho_mom_start)


@torch.no_grad()
def ortho_sgd_(params: Params, grads: Params, state: dict, step: int, lr: float, h: Hyper, keys):
    mu = ortho_momentum(step, h)
    for k in keys:
        g = grads[k]
        buf = state.setdefault(("mom", k), torch.zeros_like(g))
        buf.mul_(mu).add_(g)
        look = g + mu * buf
        upd = ns_orthogonalize(look, h.ns_steps)
        upd = upd * max(1.0, g.size(-2) / g.size(-1)) ** 0.5
        params[k].sub_(lr * upd.to(params[k].dtype))


@torch.no_grad()
def adam_(params: Params, grads: Params, state: dict, step: int, lr: float, h: Hyper, keys):
    b1, b2 = h.adam_betas
    t = step + 1
    for k in keys:
        g = grads[k]
        m = state.setdefault(("m", k), torch.zeros_like(g))
        v = state.setdefault(("v", k), torch.zeros_like(g))
        m.lerp_(g, 1 - b1)
        v.lerp_(g * g, 1 - b2)
        m_hat = m / (1 - b1 ** t)
        v_hat = v / (1 - b2 ** t)
        params[k].sub_(lr * m_hat / (v_hat.sqrt() + h.adam_eps))


def lr_scale(step: int, h: Hyper) -> float:
    remaining = 1.0 - step / h.total_steps
    w = min(remaining / h.cooldown, 1.0)
    return h.lr_floor + (1.0 - h.lr_floor) * w


# ------------------------------------------------------------------------------------------
# data


def batches(pattern: str, h: Hyper, device):
    files = sorted(glob.glob(pattern))
    span = h.batch * h.seq_len
    while True:
        for f in files:
            n = int(np.fromfile(f, dtype=np.int32, count=256)[2])
            arr = np.memmap(f, dtype=np.uint16, mode="r", offset=1024, shape=(n,))
            for s in range(0, n - span - 1, span):
                buf = torch.from_numpy(arr[s:s + span + 1].astype(np.int64)).to(device)
                yield buf[:-1].view(h.batch, h.seq_len), buf[1:].view(h.batch, h.seq_len)


# ------------------------------------------------------------------------------------------
# main


def main():
    device = torch.device("cuda")
    params = {k: v.to(device).requires_grad_() for k, v in init_params(H).items()}
    tab = {k: v.to(device) for k, v in rope_tables(H).items()}   # not part of the trainable dict
    shell = Shell(params.keys(), H).to(device)

    matrix_keys = [k for k, v in params.items() if v.ndim >= 2 and k != "wte"]
    adam_keys = ["wte"]
    state: dict = {}

    def loss_fn(p, idx, tgt):
        swapped = {k.replace(".", "__"): v for k, v in p.items()}
        with torch.autocast("cuda", dtype=torch.bfloat16):
            return functional_call(shell, swapped, (idx, tgt, tab))

    compiled_loss = torch.compile(loss_fn)
    data = batches(os.environ.get("DATA", "data/fineweb10B/fineweb_train_*.bin"), H, device)
    val = batches(os.environ.get("VAL", "data/fineweb10B/fineweb_val_*.bin"), H, device)

    t0 = time.perf_counter()
    for step in range(H.total_steps + 1):
        if step % 250 == 0 or step == H.total_steps:
            with torch.no_grad():
                vl = sum(compiled_loss(params, *next(val)) for _ in range(10)) / 10
            print(f"step {step} val {vl.item():.4f} t {time.perf_counter() - t0:.0f}s")
        if step == H.total_steps:
            break
        idx, tgt = next(data)
        loss = compiled_loss(params, idx, tgt)
        names = list(params.keys())
        gs = torch.autograd.grad(loss, [params[n] for n in names])
        grads = dict(zip(names, gs))
        s = lr_scale(step, H)
        ortho_sgd_(params, grads, state, step, H.ortho_lr * s, H, matrix_keys)
        adam_(params, grads, state, step, H.embed_lr * s, H, adam_keys)


if __name__ == "__main__":
    main()
