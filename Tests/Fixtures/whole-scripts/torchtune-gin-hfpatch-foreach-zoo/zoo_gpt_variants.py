"""
gpt zoo: a handful of GPT variants behind one entry point.

    torchrun --nproc_per_node=8 zoo_gpt_variants.py --variant speed-124m
    torchrun --nproc_per_node=8 zoo_gpt_variants.py --variant speed-124m --attn dense --optim adamw

Variants are `functools.partial` constructors keyed by name; option strings are
parsed with `match` statements; attention flavours are an `enum.Enum`.
"""
from __future__ import annotations

import argparse
import enum
import functools
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
from torch.nn.attention.flex_attention import create_block_mask, flex_attention


class AttnKind(enum.Enum):
    DENSE = "dense"            # plain causal SDPA over (B, T) batches
    SLIDING = "sliding"        # document-causal, fixed local window, every layer
    LONG_SHORT = "long_short"  # document-causal, long window on some layers, half window on the rest


@dataclass(frozen=True)
class RunShape:
    seq_len: int = 48 * 1024          # one flat token stream per GPU
    val_seq_len: int = 4 * 64 * 1024  # evaluation on longer streams
    num_iterations: int = 1770
    val_every: int = 125
    val_tokens: int = 10_485_760


# -----------------------------------------------------------------------------
# building blocks


def rms(x):
    return F.rms_norm(x, (x.size(-1),))


class RotaryTable(nn.Module):
    def __init__(self, head_dim: int, max_len: int, base: float = 10000.0):
        super().__init__()
        inv = 1.0 / base ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim)
        ang = torch.outer(torch.arange(max_len, dtype=torch.float32), inv)
        self.register_buffer("cos", ang.cos().bfloat16(), persistent=False)
        self.register_buffer("sin", ang.sin().bfloat16(), persistent=False)

    def forward(self, x):  # (B, T, H, D)
        T = x.size(1)
        c, s = self.cos[None, :T, None, :], self.sin[None, :T, None, :]
        u, w = x.chunk(2, dim=-1)
        return torch.cat((u * c + w * s, w * c - u * s), dim=-1)


class SelfAttention(nn.Module):
    def __init__(self, dim, heads, rotary, kind: AttnKind):
        super().__init__()
        self.heads, self.hd, self.kind = heads, dim // heads, kind
        self.wqkv = nn.Linear(dim, 3 * dim, bias=False)
        self.wo = nn.Linear(dim, dim, bias=False)
        self.rotary = rotary

    def forward(self, x, block_mask=None):
        B, T, C = x.shape
        q, k, v = self.wqkv(x).view(B, T, 3, self.heads, self.hd).unbind(2)
        q, k = self.rotary(q), self.rotary(k)
        q, k, v = (t.transpose(1, 2) for t in (q, k, v))
        match self.kind:
            case AttnKind.DENSE:
                y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            case AttnKind.SLIDING | AttnKind.LONG_SHORT:
                y = flex_attention(q, k, v, block_mask=block_mask)
        return self.wo(y.transpose(1, 2).reshape(B, T, C))


class Layer(nn.Module):
    def __init__(self, dim, heads, rotary, kind):
        super().__init__()
        self.attn = SelfAttention(dim, heads, rotary, kind)
        self.up = nn.Linear(dim, 4 * dim, bias=False)
        self.down = nn.Linear(4 * dim, dim, bias=False)

    def forward(self, x, block_mask=None):
        x = x + self.attn(rms(x), block_mask)
        return x + self.down(F.gelu(self.up(rms(x)), approximate="tanh"))


class ZooGPT(nn.Module):
    def __init__(self, *, n_layer, dim, heads, attn: AttnKind, window=1024, vocab=50257,
                 max_len=4 * 64 * 1024, eot=50256):
        super().__init__()
        self.attn_kind, self.window, self.eot = attn, window, eot
        self.tok = nn.Embedding(vocab, dim)
        rotary = RotaryTable(dim // heads, max_len)
        self.layers = nn.ModuleList([Layer(dim, heads, rotary, attn) for _ in range(n_layer)])
        self.lm_head = nn.Linear(dim, vocab, bias=False)
        self.lm_head.weight = self.tok.weight
        half = n_layer // 2
        # which layers see the long window: L S S S L S | S L S S S L
        motif = ["L", "S", "S", "S", "L", "S"]
        first = (motif * math.ceil(half / len(motif)))[:half]
        self.window_plan = first + first[::-1]

    def _masks(self, idx):
        docs = (idx == self.eot).cumsum(0)
        S = idx.numel()

        def make(window):
            def doc_local(b, h, q, kv):
                return (q >= kv) & (docs[q] == docs[kv]) & (q - kv < window)
            return create_block_mask(doc_local, None, None, S, S, device=idx.device)

        long_mask = make(self.window)
        short_mask = make(self.window // 2)
        return long_mask, short_mask

    def forward(self, idx, targets):
        masks = [None] * len(self.layers)
        x = self.tok(idx)[None]
        match self.attn_kind:
            case AttnKind.DENSE:
                pass
            case AttnKind.SLIDING:
                long_mask, _ = self._masks(idx)
                masks = [long_mask] * len(self.layers)
            case AttnKind.LONG_SHORT:
                long_mask, short_mask = self._masks(idx)
                masks = [long_mask if tag == "L" else short_mask for tag in self.window_plan]
        for layer, m in zip(self.layers, masks):
            x = layer(x, m)
        logits = self.lm_head(rms(x))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


VARIANTS = {
    "speed-124m": functools.partial(ZooGPT, n_layer=12, dim=768, heads=12, attn=AttnKind.LONG_SHORT),
    "speed-124m-sliding": functools.partial(ZooGPT, n_layer=12, dim=768, heads=12, attn=AttnKind.SLIDING),
    "speed-124m-dense": functools.partial(ZooGPT, n_layer=12, dim=768, heads=12, attn=AttnKind.DENSE),
    "speed-350m": functools.partial(ZooGPT, n_layer=24, dim=1024, heads=16, attn=AttnKind.LONG_SHORT),
}


# -----------------------------------------------------------------------------
# sharded orthogonalized-momentum optimizer


def newton_schulz(G, steps=5):
    assert G.ndim == 2
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    X = X / (X.norm() + 1e-7)
    flip = X.size(0) > X.size(1)
    if flip:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        AX = A @ X
        X = a * X + b * AX + c * (A @ AX)
    return X.T if flip else X


class ShardedMuon(torch.optim.Optimizer):
    """Each rank orthogonalizes every world_size-th matrix of a same-size bucket; the
    results land in one (world_size, numel) bf16 buffer via all_gather_into_tensor, and
    the previous round is applied while the next round's gather is in flight."""

    def __init__(self, params, lr=0.02, momentum=0.95, weight_decay=0.01, ns_steps=5, rank=0, world_size=1):
        self.rank, self.world_size = rank, world_size
        params = list(params)
        buckets = []
        for numel in sorted({p.numel() for p in params}, reverse=True):
            members = [p for p in params if p.numel() == numel]
            gathered = torch.empty(world_size, numel, dtype=torch.bfloat16, device="cuda")
            buckets.append(dict(params=members, gathered=gathered))
        super().__init__(buckets, dict(lr=lr, momentum=momentum, weight_decay=weight_decay, ns_steps=ns_steps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, mom, wd = group["lr"], group["momentum"], group["weight_decay"]
            members, gathered = group["params"], group["gathered"]
            inflight = []  # [(work handle, params of that round)]

            def apply_round():
                if not inflight:
                    return
                work, round_params = inflight.pop()
                work.wait()
                for j, p in enumerate(round_params):
                    upd = gathered[j].view_as(p).type_as(p)
                    p.mul_(1 - lr * wd)
                    p.add_(upd, alpha=-lr * 0.2 * max(p.size(0), p.size(1)) ** 0.5)

            for base in range(0, len(members), self.world_size):
                mine = base + self.rank
                if mine < len(members):
                    p = members[mine]
                    st = self.state[p]
                    if "m" not in st:
                        st["m"] = torch.zeros_like(p.grad)
                    st["m"].lerp_(p.grad, 1 - mom)
                    d = p.grad.lerp_(st["m"], mom)
                    local = newton_schulz(d, group["ns_steps"]).flatten()
                else:
                    local = gathered[self.rank]
                apply_round()
                work = dist.all_gather_into_tensor(gathered, local, async_op=True)
                inflight.append((work, members[base: base + self.world_size]))
            apply_round()


def muon_momentum(step, warmup=500):
    frac = min(step / warmup, 1.0)
    return (1 - frac) * 0.85 + frac * 0.95


# -----------------------------------------------------------------------------
# data


def shard_tokens(path):
    hdr = np.fromfile(path, dtype=np.int32, count=256)
    assert hdr[0] == 20240520
    return torch.from_numpy(np.fromfile(path, dtype=np.uint16, offset=1024)[: hdr[2]].astype(np.int32))


def stream(pattern, seq_len, rank, world, device):
    for path in sorted(glob.glob(pattern)):
        toks = shard_tokens(path)
        for start in range(0, len(toks) - seq_len * world - 1, seq_len * world):
            piece = toks[start + rank * seq_len: start + (rank + 1) * seq_len + 1]
            yield piece[:-1].to(device).long(), piece[1:].to(device).long()


# -----------------------------------------------------------------------------
# main


def parse():
    ap = argparse.ArgumentParser()
    ap.add_argument("--variant", default="speed-124m", choices=sorted(VARIANTS))
    ap.add_argument("--attn", default=None, help="override: dense | sliding | long_short")
    ap.add_argument("--optim", default="muon", help="muon | adamw")
    ap.add_argument("--window", type=int, default=1024)
    ap.add_argument("--data", default="data/fineweb10B")
    return ap.parse_args()


def main():
    args = parse()
    shape = RunShape()
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    device = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
    torch.cuda.set_device(device)

    overrides = dict(window=args.window, max_len=max(shape.seq_len, shape.val_seq_len))
    match args.attn:
        case None:
            pass
        case "dense" | "sliding" | "long_short" as name:
            overrides["attn"] = AttnKind(name)
        case other:
            raise SystemExit(f"unknown attention kind {other!r}")
    model = VARIANTS[args.variant](**overrides).to(device)

    # no DDP wrapper: rank 0's weights are broadcast once, grads are averaged by hand
    for p in model.parameters():
        dist.broadcast(p.detach(), 0)

    matrices = [p for p in model.layers.parameters() if p.ndim == 2]
    match args.optim:
        case "muon":
            optimizers = [
                torch.optim.Adam([model.tok.weight], lr=0.01, betas=(0.9, 0.95), weight_decay=0.0),
                ShardedMuon(matrices, lr=0.02, momentum=0.95, weight_decay=0.01, rank=rank, world_size=world),
            ]
        case "adamw":
            optimizers = [torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.95), weight_decay=0.1)]
        case _:
            raise SystemExit(f"unknown optimizer {args.optim!r}")
    base = [[g["lr"] for g in o.param_groups] for o in optimizers]

    warmup = 100

    def schedule(step):
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (1 + math.cos(math.pi * (step - warmup) / (shape.num_iterations - warmup)))

    compiled = torch.compile(model, dynamic=False)
    train_iter = stream(os.path.join(args.data, "fineweb_train_*.bin"), shape.seq_len, rank, world, device)
    t0 = time.perf_counter()
    for step in range(shape.num_iterations + 1):
        last = step == shape.num_iterations
        if last or step % shape.val_every == 0:
            compiled.eval()
            n = shape.val_tokens // (shape.val_seq_len * world)
            it = stream(os.path.join(args.data, "fineweb_val_*.bin"), shape.val_seq_len, rank, world, device)
            vl = torch.zeros((), device=device)
            with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
                for _ in range(n):
                    vx, vy = next(it)
                    vl += compiled(vx, vy)
            vl /= n
            dist.all_reduce(vl, op=dist.ReduceOp.AVG)
            if rank == 0:
                print(f"step {step} val {vl.item():.4f} t {time.perf_counter() - t0:.0f}s "
                      f"(momentum target {muon_momentum(step):.3f})")
            compiled.train()
        if last:
            break

        x, y = next(train_iter)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = compiled(x, y)
        loss.backward()
        for p in model.parameters():
            if p.grad is not None:
                dist.all_reduce(p.grad, op=dist.ReduceOp.AVG)
        f = schedule(step)
        for opt, lrs in zip(optimizers, base):
            for g, lr0 in zip(opt.param_groups, lrs):
                g["lr"] = lr0 * f
            opt.step()
        model.zero_grad(set_to_none=True)
        if rank == 0 and step % 10 == 0:
            print(f"step {step} loss {loss.item():.4f} lr_mult {f:.3f}")

    dist.destroy_process_group()


if __name__ == "__main__":
    main()
