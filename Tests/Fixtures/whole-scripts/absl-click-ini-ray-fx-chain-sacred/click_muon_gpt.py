#!/usr/bin/env python
"""Small-GPT pretraining with an orthogonalized-momentum optimizer.

    torchrun --standalone --nproc_per_node=8 click_muon_gpt.py --data-dir data/fineweb10B

Every knob is a click option; defaults are the tuned values for an 8xH100 node.
"""
from __future__ import annotations

import glob
import os
import time
import uuid
from pathlib import Path

import click
import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.nn.parallel import DistributedDataParallel as DDP


# --------------------------------------------------------------------------------------
# optimizer


def newton_schulz_orth(G: torch.Tensor, steps: int = 5, eps: float = 1e-7) -> torch.Tensor:
    """Quintic Newton-Schulz iteration approximating U V^T of G = U S V^T."""
    assert G.ndim == 2
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    X = X / (X.norm() + eps)
    transposed = G.size(0) > G.size(1)
    if transposed:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = A @ X
        X = a * X + b * B + c * A @ B
    if transposed:
        X = X.T
    return X.to(G.dtype)


class Muon(torch.optim.Optimizer):
    """SGD-Nesterov whose step direction is replaced by its orthogonalized version."""

    def __init__(self, params, lr: float, momentum: float = 0.95, nesterov: bool = True, ns_steps: int = 5):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, ns_steps=ns_steps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, mu = group["lr"], group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                state = self.state[p]
                if "buf" not in state:
                    state["buf"] = torch.zeros_like(g)
                buf = state["buf"]
                buf.mul_(mu).add_(g)
                if group["nesterov"]:
                    g = g.add(buf, alpha=mu)
                if g.size(0) == 3 * g.size(1):
                    # fused c_attn weight: orthogonalize the q, k and v slabs one by one
                    d = g.size(1)
                    g = torch.cat([newton_schulz_orth(blk, group["ns_steps"]) for blk in g.split(d)])
                    scale = d ** 0.5
                else:
                    g = newton_schulz_orth(g, group["ns_steps"])
                    scale = max(g.size(0), g.size(1)) ** 0.5
                p.add_(g, alpha=-lr * scale)


class OptimizerBundle:
    def __init__(self, *optimizers):
        self.optimizers = optimizers

    def step(self):
        for o in self.optimizers:
            o.step()

    def zero_grad(self):
        for o in self.optimizers:
            o.zero_grad(set_to_none=True)

    def scale_lrs(self, factor: float):
        for o in self.optimizers:
            for g in o.param_groups:
                g["lr"] = g["initial_lr"] * factor


# --------------------------------------------------------------------------------------
# model


class Rotary(nn.Module):
    def __init__(self, dim: int, base: float = 10000.0):
        super().__init__()
        self.register_buffer("inv_freq", 1.0 / (base ** (torch.arange(0, dim, 2).float() / dim)), persistent=False)
        self.cache = (None, None, None)

    def forward(self, x):
        T = x.shape[1]
        if self.cache[0] != T:
            t = torch.arange(T, device=x.device).type_as(self.inv_freq)
            freqs = torch.outer(t, self.inv_freq)
            self.cache = (T, freqs.cos().bfloat16(), freqs.sin().bfloat16())
        _, cos, sin = self.cache
        return cos[None, :, None, :], sin[None, :, None, :]


def apply_rope(x, cos, sin):
    d = x.shape[3] // 2
    x1, x2 = x[..., :d], x[..., d:]
    return torch.cat([x1 * cos + x2 * sin, x1 * (-sin) + x2 * cos], 3).type_as(x)


class Attention(nn.Module):
    def __init__(self, d_model: int, n_heads: int):
        super().__init__()
        self.h = n_heads
        self.hd = d_model // n_heads
        self.c_attn = nn.Linear(d_model, 3 * d_model, bias=False)
        self.c_proj = nn.Linear(d_model, d_model, bias=False)
        nn.init.zeros_(self.c_proj.weight)
        self.rotary = Rotary(self.hd)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q = q.view(B, T, self.h, self.hd)
        k = k.view(B, T, self.h, self.hd)
        v = v.view(B, T, self.h, self.hd)
        cos, sin = self.rotary(q)
        q = F.rms_norm(q, (self.hd,))
        k = F.rms_norm(k, (self.hd,))
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        with sdpa_kernel(SDPBackend.FLASH_ATTENTION):
            y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.c_proj(y.transpose(1, 2).reshape(B, T, C))


class MLP(nn.Module):
    def __init__(self, d_model: int):
        super().__init__()
        self.c_fc = nn.Linear(d_model, 4 * d_model, bias=False)
        self.c_proj = nn.Linear(4 * d_model, d_model, bias=False)
        nn.init.zeros_(self.c_proj.weight)

    def forward(self, x):
        return self.c_proj(F.relu(self.c_fc(x)).square())


class Block(nn.Module):
    def __init__(self, d_model: int, n_heads: int):
        super().__init__()
        self.attn = Attention(d_model, n_heads)
        self.mlp = MLP(d_model)

    def forward(self, x):
        x = x + self.attn(F.rms_norm(x, (x.size(-1),)))
        x = x + self.mlp(F.rms_norm(x, (x.size(-1),)))
        return x


class GPT(nn.Module):
    def __init__(self, vocab_size: int, n_layer: int, n_head: int, d_model: int, tie_embeddings: bool):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, d_model)
        self.h = nn.ModuleList([Block(d_model, n_head) for _ in range(n_layer)])
        self.lm_head = nn.Linear(d_model, vocab_size, bias=False)
        if tie_embeddings:
            self.lm_head.weight = self.wte.weight
        else:
            nn.init.zeros_(self.lm_head.weight)

    def forward(self, idx, targets):
        x = self.wte(idx)
        for blk in self.h:
            x = blk(x)
        x = F.rms_norm(x, (x.size(-1),))
        logits = self.lm_head(x).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


# --------------------------------------------------------------------------------------
# data


def load_shard(path: str) -> np.ndarray:
    with open(path, "rb") as f:
        header = np.frombuffer(f.read(1024), dtype=np.int32)
        assert header[0] == 20240520 and header[1] == 1
        toks = np.frombuffer(f.read(), dtype=np.uint16)
    assert len(toks) == header[2]
    return toks


class Loader:
    def __init__(self, pattern: str, B: int, T: int, rank: int, world: int):
        self.files = sorted(glob.glob(pattern))
        assert self.files, pattern
        self.B, self.T, self.rank, self.world = B, T, rank, world
        self.reset()

    def reset(self):
        self.fi = 0
        self.toks = load_shard(self.files[0])
        self.pos = self.rank * self.B * self.T

    def next(self):
        n = self.B * self.T
        buf = torch.tensor(self.toks[self.pos:self.pos + n + 1].astype(np.int32), dtype=torch.long)
        self.pos += n * self.world
        if self.pos + n * self.world + 1 > len(self.toks):
            self.fi = (self.fi + 1) % len(self.files)
            self.toks = load_shard(self.files[self.fi])
            self.pos = self.rank * n
        return buf[:-1].view(self.B, self.T).cuda(), buf[1:].view(self.B, self.T).cuda()


# --------------------------------------------------------------------------------------
# cli


@click.command(context_settings={"show_default": True})
@click.option("--data-dir", type=click.Path(file_okay=False), default="data/fineweb10B")
@click.option("--vocab-size", default=50304, help="GPT-2 vocab rounded up to a multiple of 128.")
@click.option("--n-layer", default=12)
@click.option("--n-head", default=6)
@click.option("--d-model", default=768)
@click.option("--tie-embeddings/--no-tie-embeddings", default=True)
@click.option("--global-batch", default=8 * 64, help="Sequences per optimizer step (all ranks).")
@click.option("--device-batch", default=64)
@click.option("--seq-len", default=1024)
@click.option("--steps", default=3000)
@click.option("--lr", default=0.0036, type=float, help="AdamW lr for the embedding/head matrix.")
@click.option("--muon-lr-ratio", default=0.1, type=float, help="Muon lr as a fraction of --lr.")
@click.option("--momentum", default=0.95, type=float)
@click.option("--momentum-warmup-steps", default=0, help="0 disables the Muon momentum ramp.")
@click.option("--weight-decay", default=0.0, type=float)
@click.option("--warmup-steps", default=0)
@click.option("--warmdown-steps", default=856)
@click.option("--val-every", default=125)
@click.option("--val-tokens", default=10_485_760)
@click.option("--fused-adam/--no-fused-adam", default=True)
def train(data_dir, vocab_size, n_layer, n_head, d_model, tie_embeddings, global_batch, device_batch, seq_len,
          steps, lr, muon_lr_ratio, momentum, momentum_warmup_steps, weight_decay, warmup_steps, warmdown_steps,
          val_every, val_tokens, fused_adam):
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    local_rank = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local_rank)
    master = rank == 0

    assert global_batch % (device_batch * world) == 0
    accum = global_batch // (device_batch * world)
    val_steps = val_tokens // (device_batch * seq_len * world)

    train_loader = Loader(str(Path(data_dir) / "fineweb_train_*.bin"), device_batch, seq_len, rank, world)
    val_loader = Loader(str(Path(data_dir) / "fineweb_val_*.bin"), device_batch, seq_len, rank, world)

    raw = GPT(vocab_size, n_layer, n_head, d_model, tie_embeddings).cuda()
    model = DDP(torch.compile(raw), device_ids=[local_rank])

    # with tying these are the same tensor; dedupe by identity
    embed_head = list({id(t): t for t in (raw.wte.weight, raw.lm_head.weight)}.values())
    adamw = torch.optim.AdamW(embed_head, lr=lr, betas=(0.9, 0.95),
                              weight_decay=weight_decay, fused=fused_adam)
    muon = Muon(raw.h.parameters(), lr=muon_lr_ratio * lr, momentum=momentum)
    for o in (adamw, muon):
        for g in o.param_groups:
            g["initial_lr"] = g["lr"]
    opt = OptimizerBundle(adamw, muon)

    def lr_factor(it: int) -> float:
        if it < warmup_steps:
            return (it + 1) / warmup_steps
        if it < steps - warmdown_steps:
            return 1.0
        return (steps - it) / warmdown_steps

    log_path = None
    if master:
        os.makedirs("logs", exist_ok=True)
        log_path = f"logs/{uuid.uuid4()}.txt"

    ctx = torch.autocast(device_type="cuda", dtype=torch.bfloat16)
    x, y = train_loader.next()
    t_start = time.perf_counter()
    for step in range(steps + 1):
        if step == steps or (val_every and step % val_every == 0):
            model.eval()
            val_loader.reset()
            vl = torch.zeros((), device="cuda")
            with torch.no_grad(), ctx:
                for _ in range(val_steps):
                    vx, vy = val_loader.next()
                    vl += model(vx, vy)
            dist.all_reduce(vl, op=dist.ReduceOp.AVG)
            if master:
                msg = f"step {step}/{steps} val_loss {vl.item() / val_steps:.4f} t {time.perf_counter() - t_start:.1f}s"
                click.echo(msg)
                with open(log_path, "a") as f:
                    f.write(msg + "\n")
            model.train()
        if step == steps:
            break

        for i in range(accum):
            with ctx:
                loss = model(x, y) / accum
            x, y = train_loader.next()
            if i < accum - 1:
                with model.no_sync():
                    loss.backward()
            else:
                loss.backward()

        if momentum_warmup_steps > 0:
            frac = min(step / momentum_warmup_steps, 1.0)
            for g in muon.param_groups:
                g["momentum"] = (1 - frac) * 0.85 + frac * momentum

        opt.scale_lrs(lr_factor(step))
        opt.step()
        opt.zero_grad()
        if master and step % 50 == 0:
            click.echo(f"step {step + 1} train_loss {loss.item() * accum:.4f}")

    dist.destroy_process_group()


if __name__ == "__main__":
    train()
