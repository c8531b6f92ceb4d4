"""gptlite.py - compact research trainer (single node, 1..N GPUs).

Features: stacked QKV weight contracted with one einsum, truncated rotary
table, fixed attention temperature, a LayerDrop-style regulariser on one
attention sublayer and an orthogonalised optimizer whose update is computed
on the leader rank.
"""
import math
import os
import random
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

CFG = dict(
    vocab=50304, width=768, depth=12, heads=6, max_pos=65536,
    temperature=0.12, logit_cap=15.0, droppable_attn_layer=7, attn_drop_prob=0.5,
    batch=8, seq=2048, steps=8000, hold_frac=0.6, adam_lr=3e-3, ortho_lr=0.02,
    data=os.environ.get("GPTLITE_DATA", "data/train.bin"), log_every=50,
)


def build_rope_tables(head_dim, max_pos):
    """Half of the frequency slots are zero, the rest span 1 .. 1/1024 geometrically."""
    q = head_dim // 4
    w = torch.exp(-math.log(1024.0) * torch.linspace(0, 1, q))
    w = torch.cat([w, torch.zeros(q)])
    phase = torch.arange(max_pos, dtype=torch.float32)[:, None] * w[None, :]
    return torch.cos(phase), torch.sin(phase)


def rotate(x, cos, sin):
    T = x.size(1)
    c, s = cos[None, :T, None, :], sin[None, :T, None, :]
    xf = x.float()
    x1, x2 = xf[..., : xf.size(-1) // 2], xf[..., xf.size(-1) // 2:]
    return torch.cat([x1 * c + x2 * s, x2 * c - x1 * s], dim=-1).to(x.dtype)


class AttnSub(nn.Module):
    def __init__(self, width, heads, temperature):
        super().__init__()
        self.heads, self.temperature = heads, temperature
        r = 0.5 * math.sqrt(3) / math.sqrt(width)
        self.w_stack = nn.Parameter(torch.empty(3, width, width).uniform_(-r, r))   # [q; k; v]
        self.out = nn.Linear(width, width, bias=False)

    def forward(self, x, cos, sin):
        B, T, D = x.shape
        q, k, v = torch.einsum("btd,sed->sbte", x, self.w_stack.type_as(x)).unflatten(-1, (self.heads, -1))
        q, k = F.rms_norm(q, (q.size(-1),)), F.rms_norm(k, (k.size(-1),))
        q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2),
                                           is_causal=True, scale=self.temperature)
        return self.out(y.transpose(1, 2).reshape(B, T, D))


class MlpSub(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.a = nn.Linear(width, 4 * width, bias=False)
        self.b = nn.Linear(4 * width, width, bias=False)

    def forward(self, x):
        return self.b(F.relu(self.a(x)).square())


class Unit(nn.Module):
    def __init__(self, idx, c):
        super().__init__()
        self.attn = AttnSub(c["width"], c["heads"], c["temperature"])
        self.mlp = MlpSub(c["width"])
        # LayerDrop on a single attention sublayer: skipped at random during training only
        self.drop_p = c["attn_drop_prob"] if idx == c["droppable_attn_layer"] else 0.0

    def forward(self, x, cos, sin):
        skip_attn = self.training and self.drop_p > 0 and random.random() < self.drop_p
        if not skip_attn:
            x = x + self.attn(F.rms_norm(x, (x.size(-1),)), cos, sin)
        return x + self.mlp(F.rms_norm(x, (x.size(-1),)))


class GPTLite(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.tok = nn.Embedding(c["vocab"], c["width"])
        nn.init.normal_(self.tok.weight, std=0.02)
        self.trunk = nn.ModuleList(Unit(i, c) for i in range(c["depth"]))
        cos, sin = build_rope_tables(c["width"] // c["heads"], c["max_pos"])
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)

    def forward(self, idx, tgt):
        x = self.tok(idx)
        for u in self.trunk:
            x = u(x, self.cos, self.sin)
        x = F.rms_norm(x, (x.size(-1),))
        logits = F.linear(x, self.tok.weight).float()           # weight-tied read-out
        cap = self.c["logit_cap"]
        logits = cap * torch.tanh(logits / cap)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), tgt.view(-1))


# ------------------------------------------------------------------ optimizer

def polar_ns(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    t = G.size(-2) > G.size(-1)
    if t:
        X = X.transpose(-2, -1)
    X = X / (torch.linalg.matrix_norm(X.float(), keepdim=True).to(X.dtype) + 1e-7)
    for _ in range(steps):
        A = X @ X.transpose(-2, -1)
        X = a * X + b * A @ X + c * A @ A @ X
    return X.transpose(-2, -1) if t else X


class LeaderOrtho(torch.optim.Optimizer):
    """Momentum + batched orthogonalization; rank 0 computes all updates and broadcasts them."""

    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))
        self.dist = dist.is_available() and dist.is_initialized()
        self.leader = (not self.dist) or dist.get_rank() == 0

    @torch.no_grad()
    def step(self):
        for grp in self.param_groups:
            for p in grp["params"]:
                if p.grad is None:          # attention sublayer skipped this step (same on all ranks)
                    continue
                st = self.state[p]
                buf = st.setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(grp["momentum"]).add_(p.grad)
                if self.leader:
                    u = polar_ns(p.grad + grp["momentum"] * buf)
                    u = u * max(1.0, p.size(-2) / p.size(-1)) ** 0.5
                else:
                    u = torch.empty_like(p, dtype=torch.bfloat16)
                if self.dist:
                    dist.broadcast(u, src=0)
                p.add_(u.to(p.dtype), alpha=-grp["lr"])


# ------------------------------------------------------------------ training

def main(c=CFG):
    ddp = "WORLD_SIZE" in os.environ
    if ddp:
        dist.init_process_group("nccl")
        torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    rank = dist.get_rank() if ddp else 0
    torch.manual_seed(0)
    random.seed(0)   # identical LayerDrop decisions on every rank

    model = GPTLite(c).cuda()
    net = torch.nn.parallel.DistributedDataParallel(model, device_ids=[torch.cuda.current_device()],
                                                find_unused_parameters=True) if ddp else model
    mats = [p for p in model.trunk.parameters() if p.ndim >= 2]
    rest = [p for p in model.parameters() if p.ndim < 2] + [model.tok.weight]
    opts = [torch.optim.AdamW(rest, lr=c["adam_lr"], betas=(0.9, 0.95), weight_decay=0.0),
            LeaderOrtho(mats, lr=c["ortho_lr"])]

    def factor(step):
        hold = int(c["steps"] * c["hold_frac"])
        if step <= hold:
            return 1.0
        return 1.0 - 0.9 * (step - hold) / (c["steps"] - hold)

    scheds = [torch.optim.lr_scheduler.LambdaLR(o, factor) for o in opts]
    data = np.memmap(c["data"], dtype=np.uint16, mode="r")
    gen = np.random.default_rng(rank)
    tic = time.time()
    for step in range(c["steps"]):
        starts = gen.integers(0, len(data) - c["seq"] - 1, c["batch"])
        arr = np.stack([data[s:s + c["seq"] + 1] for s in starts]).astype(np.int64)
        xy = torch.from_numpy(arr).pin_memory().cuda(non_blocking=True)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = net(xy[:, :-1], xy[:, 1:])
        loss.backward()
        for o, s in zip(opts, scheds):
            o.step()
            s.step()
            o.zero_grad(set_to_none=True)
        if rank == 0 and step % c["log_every"] == 0:
            print(f"{step:6d} loss={loss.item():.4f} lr_x={scheds[0].get_last_lr()[0] / c['adam_lr']:.3f} "
                  f"{time.time() - tic:.0f}s")
    if ddp:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
