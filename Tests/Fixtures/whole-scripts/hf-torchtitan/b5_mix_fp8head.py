#!/usr/bin/env python3
"""train_lm.py -- compact GPT trainer with an FP8 unembedding matmul.

Usage: torchrun --nproc_per_node=8 train_lm.py --data 'shards/train_*.bin'
"""
import argparse
import glob
import math
import os
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.attention.flex_attention import create_block_mask, flex_attention
from torch.nn.parallel import DistributedDataParallel as DDP


def get_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="shards/train_*.bin")
    ap.add_argument("--seq-len", type=int, default=64 * 1024)
    ap.add_argument("--steps", type=int, default=1600)
    ap.add_argument("--cooldown", type=float, default=0.4)
    ap.add_argument("--d-model", type=int, default=768)
    ap.add_argument("--n-layer", type=int, default=12)
    ap.add_argument("--n-head", type=int, default=12)
    ap.add_argument("--vocab", type=int, default=50304)
    ap.add_argument("--cap", type=float, default=15.0)
    args = ap.parse_args()
    # local attention span in tokens: we attend over the whole packed row
    args.attn_span = args.seq_len
    return args


# ---------------------------------------------------------------------------- fp8 unembedding

def _inv(s, ref):
    return torch.tensor(1.0 / s, dtype=torch.float32, device=ref.device)


class Fp8Unembed(torch.autograd.Function):
    """y = x @ w.T with e4m3 operands; the incoming gradient is quantised to e5m2."""

    @staticmethod
    def forward(ctx, x, w, sx, sw, sg):
        x8 = (x * sx).to(torch.float8_e4m3fn)
        w8 = (w * sw).to(torch.float8_e4m3fn)
        ctx.save_for_backward(x8, w8)
        ctx.scales = (sx, sw, sg)
        return torch._scaled_mm(x8, w8.t(), out_dtype=torch.bfloat16,
                                scale_a=_inv(sx, x), scale_b=_inv(sw, x), use_fast_accum=True)

    @staticmethod
    def backward(ctx, gy):
        x8, w8 = ctx.saved_tensors
        sx, sw, sg = ctx.scales
        g8 = (gy.contiguous() * sg).to(torch.float8_e5m2)
        gx = torch._scaled_mm(g8, w8.t().contiguous().t(), out_dtype=torch.bfloat16,
                              scale_a=_inv(sg, gy), scale_b=_inv(sw, gy), use_fast_accum=False)
        gw = torch._scaled_mm(x8.t().contiguous(), g8.t().contiguous().t(), out_dtype=torch.float32,
                              scale_a=_inv(sx, gy), scale_b=_inv(sg, gy), use_fast_accum=False).t()
        return gx, gw, None, None, None


# ---------------------------------------------------------------------------- model

class WLinear(nn.Linear):
    """fp32 parameter storage, compute in the dtype of the input."""

    def __init__(self, i, o):
        super().__init__(i, o, bias=False)

    def forward(self, x):
        return F.linear(x, self.weight.to(x.dtype))


def rmsn(x):
    return F.rms_norm(x, (x.size(-1),))


def rope_tables(head_dim, n, device):
    inv = 1.0 / (10000 ** (torch.arange(0, head_dim, 2, device=device).float() / head_dim))
    ang = torch.outer(torch.arange(n, device=device).float(), inv)
    return ang.cos().bfloat16(), ang.sin().bfloat16()


def rope_apply(x, cos, sin):
    x1, x2 = x[..., ::2], x[..., 1::2]
    c, s = cos[None, :, None, :], sin[None, :, None, :]
    return torch.stack((x1 * c - x2 * s, x1 * s + x2 * c), dim=-1).flatten(-2)


class SelfAttn(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.q, self.k, self.v, self.o = (WLinear(d, d) for _ in range(4))
        nn.init.zeros_(self.o.weight)

    def forward(self, x, cos, sin, mask):
        B, T, D = x.shape
        q = self.q(x).view(B, T, self.h, -1)
        k = self.k(x).view(B, T, self.h, -1)
        v = self.v(x).view(B, T, self.h, -1)
        q, k = rope_apply(rmsn(q), cos, sin), rope_apply(rmsn(k), cos, sin)
        y = flex_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), block_mask=mask)
        return self.o(y.transpose(1, 2).reshape(B, T, D))


class Ffn(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.up, self.down = WLinear(d, 4 * d), WLinear(4 * d, d)
        nn.init.zeros_(self.down.weight)

    def forward(self, x):
        return self.down(F.gelu(self.up(x), approximate="tanh"))


class Layer(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.attn, self.ffn = SelfAttn(d, h), Ffn(d)

    def forward(self, x, cos, sin, mask):
        x = x + self.attn(rmsn(x), cos, sin, mask)
        return x + self.ffn(rmsn(x))


class Net(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.a = a
        self.tok = nn.Embedding(a.vocab, a.d_model)
        # per-layer token tables injected straight into the residual stream before each layer
        self.token_bias = nn.ModuleList(nn.Embedding(a.vocab, a.d_model) for _ in range(a.n_layer))
        self.layers = nn.ModuleList(Layer(a.d_model, a.n_head) for _ in range(a.n_layer))
        self.unembed = WLinear(a.d_model, a.vocab)
        nn.init.zeros_(self.unembed.weight)

    def forward(self, ids, tgt):
        n = ids.numel()
        doc_id = torch.cumsum(ids == 50256, dim=0)
        span = self.a.attn_span

        def keep(b, h, qi, ki):
            return (qi >= ki) & (doc_id[qi] == doc_id[ki]) & (qi - ki < span)

        mask = create_block_mask(keep, None, None, n, n, device=ids.device)
        cos, sin = rope_tables(self.a.d_model // self.a.n_head, n, ids.device)
        x = rmsn(self.tok(ids)[None])
        for layer, table in zip(self.layers, self.token_bias):
            x = x + table(ids)[None]
            x = layer(x, cos, sin, mask)
        x = rmsn(x)
        if self.training:
            flat = x.flatten(0, 1).contiguous()
            logits = Fp8Unembed.apply(flat, self.unembed.weight, 2.0, 32.0, 2.0 ** 29)
        else:
            logits = self.unembed(x).flatten(0, 1)
        logits = self.a.cap * torch.tanh(logits.float() / self.a.cap)
        return F.cross_entropy(logits, tgt)


# ---------------------------------------------------------------------------- optimizer

def msign(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    t = X.size(0) > X.size(1)
    X = (X.T if t else X)
    X = X / (X.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * (A @ A)) @ X
    return X.T if t else X


class SpectralSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.04, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for grp in self.param_groups:
            for p in grp["params"]:
                s = self.state[p]
                m = s.get("m")
                if m is None:
                    m = s["m"] = torch.zeros_like(p.grad)
                m.mul_(grp["momentum"]).add_(p.grad)
                u = msign(p.grad + grp["momentum"] * m)
                p.add_(u.to(p.dtype), alpha=-grp["lr"] * math.sqrt(max(1.0, p.size(0) / p.size(1))))


# ---------------------------------------------------------------------------- data

def shards(pattern, n, rank, world):
    for path in sorted(glob.glob(pattern)):
        header = np.fromfile(path, dtype=np.int32, count=256)
        toks = np.fromfile(path, dtype=np.uint16, offset=1024, count=int(header[2]))
        step = n * world
        for s in range(0, len(toks) - step - 1, step):
            piece = torch.from_numpy(toks[s + rank * n: s + rank * n + n + 1].astype(np.int64)).cuda()
            yield piece[:-1], piece[1:]


def main():
    a = get_args()
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))

    net = Net(a).cuda().bfloat16()
    for m in net.modules():
        if isinstance(m, WLinear):
            m.float()
    model = DDP(torch.compile(net), device_ids=[torch.cuda.current_device()])

    mats = [p for n_, p in net.layers.named_parameters() if p.ndim == 2]
    adam = torch.optim.Adam([
        {"params": [net.tok.weight], "lr": 0.6},
        {"params": list(net.token_bias.parameters()), "lr": 0.6},
        {"params": [net.unembed.weight], "lr": 0.008},
    ], betas=(0.9, 0.95), eps=1e-10, fused=True)
    ortho = SpectralSGD(mats, lr=0.04)
    opts = [adam, ortho]
    base = [[g["lr"] for g in o.param_groups] for o in opts]

    def lr_mult(step):
        remaining = 1.0 - step / a.steps
        return 1.0 - 0.9 * max(0.0, 1.0 - remaining / a.cooldown)

    data = shards(a.data, a.seq_len, rank, world)
    t0 = time.time()
    for step in range(a.steps):
        ids, tgt = next(data)
        loss = model(ids, tgt)
        loss.backward()
        m = lr_mult(step)
        for o, lrs in zip(opts, base):
            for g, lr in zip(o.param_groups, lrs):
                g["lr"] = lr * m
            o.step()
            o.zero_grad(set_to_none=True)
        if rank == 0:
            print(f"{step:05d} loss {loss.item():.4f} lr_mult {m:.3f} {time.time() - t0:.0f}s", flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
