"""
einops-first GPT: every reshape / transpose / contraction in the model is an
einops call. bf16 weights for embeddings and scalars, fp32 master weights for
the linear layers (cast on the fly), no autocast.

    torchrun --nproc_per_node=8 einops_gpt.py
"""
import glob
import math
import os
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from einops import einsum, rearrange, reduce, repeat
from einops.layers.torch import Rearrange
from torch.nn.parallel import DistributedDataParallel as DDP


@dataclass
class Config:
    vocab_size: int = 50257 + (-50257 % 8)
    dim: int = 768
    depth: int = 12
    heads: int = 12
    mlp_mult: int = 4
    seq_len: int = 1024
    batch_size: int = 32
    steps: int = 4500
    warmup: int = 200
    embed_lr: float = 0.006
    embed_wd: float = 0.05
    scalar_lr: float = 0.04
    muon_lr: float = 0.02
    muon_momentum: float = 0.95
    score_cap: float = 15.0
    val_every: int = 250
    val_tokens: int = 10485760
    train_glob: str = "data/fineweb10B/fineweb_train_*.bin"
    val_glob: str = "data/fineweb10B/fineweb_val_*.bin"


def rmsnorm(x):
    return F.rms_norm(x, (x.size(-1),))


class CastedLinear(nn.Linear):
    def __init__(self, in_features, out_features):
        super().__init__(in_features, out_features, bias=False)

    def forward(self, x):
        return F.linear(x, self.weight.to(x.dtype))


class ReLUSquared(nn.Module):
    def forward(self, x):
        return F.relu(x).square()


class Rotary(nn.Module):
    def __init__(self, head_dim, base=10000.0):
        super().__init__()
        inv_freq = 1.0 / base ** (torch.arange(0, head_dim, 2).float() / head_dim)
        self.register_buffer("inv_freq", inv_freq, persistent=False)

    def forward(self, t_len, device):
        t = torch.arange(t_len, device=device, dtype=torch.float32)
        freqs = einsum(t, self.inv_freq, "t, f -> t f")
        cos = rearrange(freqs.cos(), "t f -> 1 1 t f")
        sin = rearrange(freqs.sin(), "t f -> 1 1 t f")
        return cos.bfloat16(), sin.bfloat16()


def rotate_half_pairs(x, cos, sin):
    x1, x2 = rearrange(x, "... (two d) -> two ... d", two=2)
    out = torch.stack([x1 * cos + x2 * sin, -x1 * sin + x2 * cos])
    return rearrange(out, "two ... d -> ... (two d)").type_as(x)


class Attention(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        self.heads = cfg.heads
        self.head_dim = cfg.dim // cfg.heads
        self.scale = self.head_dim ** -0.5
        self.score_cap = cfg.score_cap
        self.to_qkv = nn.Sequential(
            CastedLinear(cfg.dim, 3 * cfg.dim),
            Rearrange("b t (three h d) -> three b h t d", three=3, h=cfg.heads),
        )
        self.to_out = nn.Sequential(
            Rearrange("b h t d -> b t (h d)"),
            CastedLinear(cfg.dim, cfg.dim),
        )
        self.rotary = Rotary(self.head_dim)
        self.lamb = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, v1):
        q, k, v = self.to_qkv(x)
        if v1 is None:
            v1 = v
        v = (1 - self.lamb) * v + self.lamb * v1
        q, k = rmsnorm(q), rmsnorm(k)
        cos, sin = self.rotary(q.size(-2), q.device)
        q, k = rotate_half_pairs(q, cos, sin), rotate_half_pairs(k, cos, sin)

        scores = einsum(q, k, "b h i d, b h j d -> b h i j") * self.scale
        scores = self.score_cap * torch.tanh(scores / self.score_cap)
        T = scores.size(-1)
        causal = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()
        causal = repeat(causal, "i j -> b h i j", b=1, h=1)
        scores = scores.masked_fill(~causal, float("-inf"))
        attn = scores.float().softmax(dim=-1).type_as(v)
        out = einsum(attn, v, "b h i j, b h j d -> b h i d")
        return self.to_out(out), v1


class Block(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        self.attn = Attention(cfg)
        self.mlp = nn.Sequential(
            CastedLinear(cfg.dim, cfg.mlp_mult * cfg.dim),
            ReLUSquared(),
            CastedLinear(cfg.mlp_mult * cfg.dim, cfg.dim),
        )
        self.lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, x0, v1):
        x = self.lambdas[0] * x + self.lambdas[1] * x0
        a, v1 = self.attn(rmsnorm(x), v1)
        x = x + a
        x = x + self.mlp(rmsnorm(x))
        return x, v1


class GPT(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        self.cfg = cfg
        self.wte = nn.Embedding(cfg.vocab_size, cfg.dim)
        self.n_enc = cfg.depth // 2
        self.n_dec = cfg.depth - self.n_enc
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.depth)])
        self.skip_weights = nn.Parameter(torch.ones(self.n_dec))

    def forward(self, idx, targets=None):
        x = rmsnorm(self.wte(idx))
        x0 = x
        v1 = None
        stack = []
        for i in range(self.n_enc):
            x, v1 = self.blocks[i](x, x0, v1)
            stack.append(x)
        for i in range(self.n_dec):
            x = x + self.skip_weights[i] * stack.pop()
            x, v1 = self.blocks[self.n_enc + i](x, x0, v1)
        x = rmsnorm(x)
        logits = einsum(x, self.wte.weight.to(x.dtype), "b t d, v d -> b t v")
        if targets is None:
            return logits
        return F.cross_entropy(rearrange(logits, "b t v -> (b t) v"), rearrange(targets, "b t -> (b t)"))


# ----------------------------------------------------------------------------
# optimizer

def newton_schulz(G, steps=5, eps=1e-7):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16()
    X = X / (X.norm() + eps)
    if G.size(0) > G.size(1):
        X = rearrange(X, "m n -> n m")
    for _ in range(steps):
        A = X @ X.T
        B = b * A + c * A @ A
        X = a * X + B @ X
    if G.size(0) > G.size(1):
        X = rearrange(X, "n m -> m n")
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, nesterov=True, steps=5):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, steps=steps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["buf"] = torch.zeros_like(p.grad)
                buf = state["buf"]
                buf.mul_(group["momentum"]).add_(p.grad)
                g = p.grad.add(buf, alpha=group["momentum"]) if group["nesterov"] else buf
                p.add_(newton_schulz(g, group["steps"]).type_as(p), alpha=-group["lr"])


def cosine_factor(step, cfg: Config):
    if step < cfg.warmup:
        return (step + 1) / cfg.warmup
    progress = (step - cfg.warmup) / max(1, cfg.steps - cfg.warmup)
    return 0.5 * (1.0 + math.cos(math.pi * progress))


# ----------------------------------------------------------------------------
# data

def load_tokens(path):
    header = np.fromfile(path, dtype=np.int32, count=256)
    assert header[0] == 20240520
    return np.fromfile(path, dtype=np.uint16, offset=1024)[: int(header[2])]


class Batcher:
    def __init__(self, pattern, B, T, rank, world):
        self.files = sorted(glob.glob(pattern))
        self.B, self.T, self.rank, self.world = B, T, rank, world
        self.reset()

    def reset(self):
        self.i = 0
        self.data = load_tokens(self.files[0])
        self.pos = 0

    def __next__(self):
        B, T = self.B, self.T
        span = B * T * self.world
        if self.pos + span + 1 > len(self.data):
            self.i = (self.i + 1) % len(self.files)
            self.data, self.pos = load_tokens(self.files[self.i]), 0
        start = self.pos + self.rank * B * T
        flat = torch.from_numpy(self.data[start : start + B * T + 1].astype(np.int64))
        self.pos += span
        x = rearrange(flat[:-1], "(b t) -> b t", b=B)
        y = rearrange(flat[1:], "(b t) -> b t", b=B)
        return x.cuda(non_blocking=True), y.cuda(non_blocking=True)


# ----------------------------------------------------------------------------

def main():
    cfg = Config()
    dist.init_process_group(backend="nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    local_rank = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local_rank)
    master = rank == 0

    model = GPT(cfg).cuda().bfloat16()
    for m in model.modules():
        if isinstance(m, CastedLinear):
            m.float()
    raw = model

    matrix_params = [p for p in raw.blocks.parameters() if p.ndim == 2]
    scalar_params = [p for p in raw.blocks.parameters() if p.ndim < 2] + [raw.skip_weights]
    embed_opt = torch.optim.AdamW([raw.wte.weight], lr=cfg.embed_lr, betas=(0.9, 0.95), weight_decay=cfg.embed_wd)
    scalar_opt = torch.optim.Adam(scalar_params, lr=cfg.scalar_lr, betas=(0.9, 0.95))
    muon = Muon(matrix_params, lr=cfg.muon_lr, momentum=cfg.muon_momentum)
    optimizers = [embed_opt, scalar_opt, muon]
    for opt in optimizers:
        for g in opt.param_groups:
            g["base_lr"] = g["lr"]

    model = torch.compile(model)
    model = DDP(model, device_ids=[local_rank])

    train = Batcher(cfg.train_glob, cfg.batch_size, cfg.seq_len, rank, world)
    val = Batcher(cfg.val_glob, cfg.batch_size, cfg.seq_len, rank, world)
    val_steps = cfg.val_tokens // (cfg.batch_size * cfg.seq_len * world)

    t0 = time.perf_counter()
    for step in range(cfg.steps + 1):
        if step % cfg.val_every == 0 or step == cfg.steps:
            model.eval()
            val.reset()
            losses = torch.zeros(val_steps, device="cuda")
            with torch.no_grad():
                for i in range(val_steps):
                    losses[i] = model(*next(val))
            vloss = reduce(losses, "n -> ", "mean")
            dist.all_reduce(vloss, op=dist.ReduceOp.AVG)
            if master:
                print(f"step {step:5d} | val {vloss.item():.4f} | {time.perf_counter() - t0:.0f}s")
            model.train()
        if step == cfg.steps:
            break

        x, y = next(train)
        loss = model(x, y)
        loss.backward()
        f = cosine_factor(step, cfg)
        for opt in optimizers:
            for g in opt.param_groups:
                g["lr"] = g["base_lr"] * f
            opt.step()
        model.zero_grad(set_to_none=True)
        if master and step % 25 == 0:
            print(f"step {step + 1:5d} | loss {loss.item():.4f} | lr x{f:.3f}")

    dist.destroy_process_group()


if __name__ == "__main__":
    main()
