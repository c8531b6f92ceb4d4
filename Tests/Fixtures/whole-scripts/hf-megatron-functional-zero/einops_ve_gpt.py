"""
GPT with per-layer token value-embeddings, written with einops throughout.

    torchrun --standalone --nproc_per_node=8 einops_ve_gpt.py

No DDP wrapper: weights are broadcast once from rank 0 and every gradient is averaged by hand.
"""

import glob
import math
import os
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from einops import einsum, rearrange, repeat
from torch import nn

# ---------------------------------------------------------------------------
# config


@dataclass(frozen=True)
class Cfg:
    vocab_size: int = 50257
    n_layer: int = 12
    n_head: int = 12
    d_model: int = 768
    seq_len: int = 1024
    device_batch: int = 32
    steps: int = 4500
    warmup: int = 200
    # learning rates per parameter family
    lr_embed: float = 0.6       # token embedding + value embedding table
    lr_head: float = 0.008      # untied read-out
    lr_matrix: float = 0.04     # orthogonalized momentum on block matrices
    lr_scalar: float = 0.04     # mixing scalars
    ortho_momentum: float = 0.95
    ortho_decay: float = 0.05
    beta1_from: float = 0.85
    beta1_to: float = 0.95
    beta1_ramp_steps: int = 500
    val_every: int = 125
    val_batches: int = 20


C = Cfg()

# route scaled_dot_product_attention to the cuDNN kernel only
torch.backends.cuda.enable_cudnn_sdp(True)
torch.backends.cuda.enable_flash_sdp(False)
torch.backends.cuda.enable_mem_efficient_sdp(False)
torch.backends.cuda.enable_math_sdp(False)


# ---------------------------------------------------------------------------
# modules


class Rotary(nn.Module):
    def __init__(self, head_dim, base=10_000):
        super().__init__()
        self.register_buffer("inv_freq", base ** -(torch.arange(0, head_dim, 2).float() / head_dim), persistent=False)

    def forward(self, n, device):
        pos = torch.arange(n, device=device, dtype=torch.float32)
        ang = einsum(pos, self.inv_freq, "n, f -> n f")
        return rearrange(ang.cos(), "n f -> 1 1 n f"), rearrange(ang.sin(), "n f -> 1 1 n f")


def rope(x, cos, sin):
    x1, x2 = rearrange(x, "... (two f) -> two ... f", two=2).unbind(0)
    cos, sin = cos.to(x.dtype), sin.to(x.dtype)
    out = torch.stack((x1 * cos + x2 * sin, x2 * cos - x1 * sin), dim=0)
    return rearrange(out, "two ... f -> ... (two f)")


class Attention(nn.Module):
    def __init__(self, cfg: Cfg):
        super().__init__()
        self.h = cfg.n_head
        d = cfg.d_model
        self.w_qkv = nn.Parameter(torch.randn(d, 3 * d) * d ** -0.5)
        self.w_out = nn.Parameter(torch.randn(d, d) * d ** -0.5 / math.sqrt(2 * cfg.n_layer))
        self.ve_gate = nn.Parameter(torch.tensor(0.5))
        self.rotary = Rotary(d // cfg.n_head)

    def forward(self, x, ve):
        n = x.shape[1]
        q, k, v = rearrange(einsum(x, self.w_qkv, "b n d, d e -> b n e"), "b n (three h k) -> three b h n k",
                            three=3, h=self.h)
        ve = rearrange(ve, "b n (h k) -> b h n k", h=self.h)
        lam = self.ve_gate.to(v.dtype)
        v = (1 - lam) * v + lam * ve
        cos, sin = self.rotary(n, x.device)
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        o = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        o = rearrange(o, "b h n k -> b n (h k)")
        return einsum(o, self.w_out, "b n e, e d -> b n d")


class MLP(nn.Module):
    def __init__(self, cfg: Cfg):
        super().__init__()
        d = cfg.d_model
        self.w_in = nn.Parameter(torch.randn(d, 4 * d) * d ** -0.5)
        self.w_out = nn.Parameter(torch.randn(4 * d, d) * (4 * d) ** -0.5 / math.sqrt(2 * cfg.n_layer))

    def forward(self, x):
        hdn = einsum(x, self.w_in, "b n d, d f -> b n f")
        hdn = F.relu(hdn).square()
        return einsum(hdn, self.w_out, "b n f, f d -> b n d")


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.attn = Attention(cfg)
        self.mlp = MLP(cfg)

    def forward(self, x, ve):
        x = x + self.attn(F.rms_norm(x, (x.size(-1),)), ve)
        x = x + self.mlp(F.rms_norm(x, (x.size(-1),)))
        return x


class ValueEmbedGPT(nn.Module):
    def __init__(self, cfg: Cfg):
        super().__init__()
        self.cfg = cfg
        self.tok = nn.Embedding(cfg.vocab_size, cfg.d_model)
        # one wide table: every layer owns a d_model-wide slice of each row
        self.tok_values = nn.Embedding(cfg.vocab_size, cfg.n_layer * cfg.d_model)
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.n_layer)])
        self.readout = nn.Parameter(torch.zeros(cfg.vocab_size, cfg.d_model))  # separate, starts at 0

    def forward(self, idx, targets=None):
        x = F.rms_norm(self.tok(idx), (self.cfg.d_model,))
        ves = rearrange(self.tok_values(idx), "b n (l d) -> l b n d", l=self.cfg.n_layer)
        for blk, ve in zip(self.blocks, ves):
            x = blk(x, ve)
        x = F.rms_norm(x, (self.cfg.d_model,))
        logits = einsum(x, self.readout, "b n d, v d -> b n v")
        if targets is None:
            return logits
        return F.cross_entropy(rearrange(logits, "b n v -> (b n) v"), rearrange(targets, "b n -> (b n)"))


# ---------------------------------------------------------------------------
# optimizer


class SpectralMomentum(torch.optim.Optimizer):
    """Heavy-ball momentum with Nesterov look-ahead, update replaced by its polar factor
    (five quintic Newton-Schulz steps in bf16)."""

    coeffs = (3.4445, -4.7750, 2.0315)

    def __init__(self, params, lr, momentum=0.95, weight_decay=0.0, steps=5):
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay, steps=steps))

    @classmethod
    def polar(cls, G, steps):
        a, b, c = cls.coeffs
        X = G.bfloat16()
        flip = X.shape[0] > X.shape[1]
        if flip:
            X = rearrange(X, "i j -> j i")
        X = X / (X.norm() + 1e-7)
        for _ in range(steps):
            A = einsum(X, X, "i k, j k -> i j")
            AX = einsum(A, X, "i j, j k -> i k")
            AAX = einsum(A, AX, "i j, j k -> i k")
            X = a * X + b * AX + c * AAX
        if flip:
            X = rearrange(X, "j i -> i j")
        return X

    @torch.no_grad()
    def step(self):
        for grp in self.param_groups:
            for p in grp["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                if "m" not in st:
                    st["m"] = torch.zeros_like(p)
                m = st["m"]
                m.mul_(grp["momentum"]).add_(p.grad)
                d = p.grad + grp["momentum"] * m
                u = self.polar(d, grp["steps"])
                if grp["weight_decay"]:
                    p.mul_(1 - grp["lr"] * grp["weight_decay"])
                p.add_(u.type_as(p), alpha=-grp["lr"])


def partition(model: ValueEmbedGPT):
    embeds = [model.tok.weight, model.tok_values.weight]
    head = [model.readout]
    block_params = list(model.blocks.parameters())
    matrices = [p for p in block_params if p.ndim == 2]
    scalars = [p for p in block_params if p.ndim < 2]
    return embeds, head, matrices, scalars


def make_optimizers(model):
    embeds, head, matrices, scalars = partition(model)
    adam_e = torch.optim.Adam(embeds, lr=C.lr_embed, betas=(C.beta1_from, 0.95))
    adam_h = torch.optim.Adam(head, lr=C.lr_head, betas=(C.beta1_from, 0.95))
    adam_s = torch.optim.Adam(scalars, lr=C.lr_scalar, betas=(C.beta1_from, 0.95))
    ortho = SpectralMomentum(matrices, lr=C.lr_matrix, momentum=C.ortho_momentum, weight_decay=C.ortho_decay)
    opts = [adam_e, adam_h, adam_s, ortho]
    for o in opts:
        for g in o.param_groups:
            g["peak_lr"] = g["lr"]
    return opts


def schedule(step):
    if step < C.warmup:
        return (step + 1) / C.warmup
    prog = (step - C.warmup) / max(1, C.steps - C.warmup)
    return 0.5 * (1 + math.cos(math.pi * prog))


def beta1_at(step):
    # Adam's first-moment coefficient is ramped up over the first few hundred steps
    r = min(step / C.beta1_ramp_steps, 1.0)
    return C.beta1_from + r * (C.beta1_to - C.beta1_from)


# ---------------------------------------------------------------------------
# data


def shard_tokens(path):
    n = int(np.fromfile(path, dtype=np.int32, count=256)[2])
    return np.memmap(path, dtype=np.uint16, mode="r", offset=1024, shape=(n,))


def loader(pattern, rank, world):
    files = sorted(glob.glob(pattern))
    span = C.device_batch * C.seq_len
    while True:
        for f in files:
            toks = shard_tokens(f)
            for s in range(rank * span, len(toks) - span - 1, world * span):
                chunk = torch.from_numpy(toks[s:s + span + 1].astype(np.int64)).cuda(non_blocking=True)
                x = rearrange(chunk[:-1], "(b n) -> b n", b=C.device_batch)
                y = rearrange(chunk[1:], "(b n) -> b n", b=C.device_batch)
                yield x, y


# ---------------------------------------------------------------------------
# main


def main():
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    torch.manual_seed(42)

    model = ValueEmbedGPT(C).cuda()
    with torch.no_grad():
        for p in model.parameters():
            dist.broadcast(p, src=0)
    fwd = torch.compile(model)
    opts = make_optimizers(model)
    train = loader("data/fineweb10B/fineweb_train_*.bin", rank, world)
    valid = loader("data/fineweb10B/fineweb_val_*.bin", rank, world)
    per_step = repeat(torch.tensor([C.device_batch * C.seq_len]), "1 -> w", w=world).sum().item()
    if rank == 0:
        print(f"tokens/step: {per_step}")

    t0 = time.time()
    for step in range(C.steps + 1):
        if step % C.val_every == 0 or step == C.steps:
            model.eval()
            with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
                vl = torch.stack([fwd(*next(valid)) for _ in range(C.val_batches)]).mean()
            dist.all_reduce(vl, op=dist.ReduceOp.AVG)
            if rank == 0:
                print(f"step {step} | val {vl.item():.4f} | {time.time() - t0:.0f}s")
            model.train()
        if step == C.steps:
            break

        x, y = next(train)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = fwd(x, y)
        loss.backward()
        for p in model.parameters():
            if p.grad is not None:
                dist.all_reduce(p.grad, op=dist.ReduceOp.AVG)

        s = schedule(step)
        b1 = beta1_at(step)
        for o in opts:
            for g in o.param_groups:
                g["lr"] = g["peak_lr"] * s
                if "betas" in g:
                    g["betas"] = (b1, g["betas"][1])
            o.step()
        model.zero_grad(set_to_none=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
