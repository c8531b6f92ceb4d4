"""
Lightning Fabric trainer: GPT with sparse token-value tables and an MLP-only layer.

    fabric run --accelerator=cuda --devices=8 fabric_sparse_ve.py
"""
import glob
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from lightning.fabric import Fabric

VOCAB, DIM, LAYERS, HEADS, CTX = 50257, 768, 12, 12, 1024
NO_ATTN_LAYER = 7
VE_LAYOUT = [0, 1, 2] + [None] * (LAYERS - 6) + [0, 1, 2]
CAP = 15.0
ROPE_BASE = 1024.0


def rmsnorm(t):
    return F.rms_norm(t, (t.size(-1),))


class Rope(nn.Module):
    def __init__(self, hd, n=CTX):
        super().__init__()
        # every channel pair rotates; slower base than the usual 10k
        inv = ROPE_BASE ** (-torch.arange(0, hd, 2, dtype=torch.float32) / hd)
        th = torch.arange(n, dtype=torch.float32)[:, None] * inv[None]
        self.register_buffer("c", th.cos(), persistent=False)
        self.register_buffer("s", th.sin(), persistent=False)

    def forward(self, x):  # (B, T, H, D), rotation done in fp32
        T = x.size(1)
        c, s = self.c[None, :T, None], self.s[None, :T, None]
        u, w = x.float().chunk(2, -1)
        return torch.cat([u * c + w * s, w * c - u * s], -1).type_as(x)


class ValueTables(nn.Module):
    def __init__(self, n_tables=3):
        super().__init__()
        self.tables = nn.ModuleList([nn.Embedding(VOCAB, DIM) for _ in range(n_tables)])

    def forward(self, idx):
        looked = [t(idx) for t in self.tables]
        return [None if j is None else looked[j] for j in VE_LAYOUT]


class SelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.hd = DIM // HEADS
        self.q = nn.Linear(DIM, DIM, bias=False)
        self.k = nn.Linear(DIM, DIM, bias=False)
        self.v = nn.Linear(DIM, DIM, bias=False)
        self.o = nn.Linear(DIM, DIM, bias=False)
        nn.init.zeros_(self.o.weight)
        self.v_weights = nn.Parameter(torch.tensor([0.5, 0.5]))
        self.rope = Rope(self.hd)

    def forward(self, x, ve):
        B, T, _ = x.shape
        q = self.q(x).view(B, T, HEADS, self.hd)
        k = self.k(x).view(B, T, HEADS, self.hd)
        v = self.v(x).view(B, T, HEADS, self.hd)
        if ve is None:
            v = self.v_weights[0] * v
        else:
            v = self.v_weights[0] * v + self.v_weights[1] * ve.view_as(v)
        q, k = rmsnorm(q), rmsnorm(k)
        q, k = self.rope(q), self.rope(k)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.o(y.transpose(1, 2).reshape(B, T, DIM))


class Layer(nn.Module):
    def __init__(self, i):
        super().__init__()
        self.attn = SelfAttention() if i != NO_ATTN_LAYER else None
        self.fc = nn.Linear(DIM, 4 * DIM, bias=False)
        self.proj = nn.Linear(4 * DIM, DIM, bias=False)
        nn.init.zeros_(self.proj.weight)

    def forward(self, x, ve):
        if self.attn is not None:
            x = x + self.attn(rmsnorm(x), ve)
        return x + self.proj(F.relu(self.fc(rmsnorm(x))) ** 2)


class SparseVEGPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(VOCAB, DIM)
        self.ve = ValueTables()
        self.layers = nn.ModuleList(Layer(i) for i in range(LAYERS))
        self.unembed = nn.Linear(DIM, VOCAB, bias=False)
        self.unembed.weight = self.wte.weight

    def forward(self, idx, tgt):
        ves = self.ve(idx)
        x = self.wte(idx)
        for layer, ve in zip(self.layers, ves):
            x = layer(x, ve)
        z = self.unembed(rmsnorm(x))
        z = CAP * torch.tanh(z / CAP)
        return F.cross_entropy(z.flatten(0, 1), tgt.flatten())


def ns_orthogonalize(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    flip = X.size(0) > X.size(1)
    X = X.T if flip else X
    X = X / (X.norm() + 1e-7)
    for _ in range(steps):
        S = X @ X.T
        SX = S @ X
        X = a * X + b * SX + c * (S @ SX)
    return X.T if flip else X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.03, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for gr in self.param_groups:
            for p in gr["params"]:
                if p.grad is None:
                    continue
                m = self.state[p].setdefault("m", torch.zeros_like(p.grad))
                m.mul_(gr["momentum"]).add_(p.grad)
                p.add_(ns_orthogonalize(p.grad + gr["momentum"] * m).type_as(p), alpha=-gr["lr"])


def load_tokens(pattern):
    return np.concatenate([np.fromfile(f, dtype=np.uint16)[512:] for f in sorted(glob.glob(pattern))[:4]])


def main():
    fabric = Fabric(accelerator="cuda", devices=8, strategy="ddp", precision="bf16-mixed")
    fabric.launch()
    fabric.seed_everything(1234 + fabric.global_rank)

    model = SparseVEGPT()
    # master copies stay fp32 (incl. lambdas); only the lookup tables go to bf16
    for mod in model.modules():
        if isinstance(mod, nn.Embedding):
            mod.bfloat16()

    mats = [p for p in model.layers.parameters() if p.ndim == 2]
    scal = [p for p in model.layers.parameters() if p.ndim < 2]
    adam = torch.optim.Adam([
        dict(params=[model.wte.weight], lr=0.05),
        dict(params=list(model.ve.parameters()), lr=0.3),
        dict(params=scal, lr=0.02),
    ], betas=(0.9, 0.95))
    muon = Muon(mats)
    model = fabric.setup_module(torch.compile(model))
    adam, muon = fabric.setup_optimizers(adam, muon)
    opts = [adam, muon]
    peak = [[g["lr"] for g in o.param_groups] for o in opts]

    tokens = load_tokens("data/fineweb10B/fineweb_train_*.bin")
    B, steps, warm = 16, 4000, 200
    n = B * CTX
    pos = fabric.global_rank * n
    t0 = time.time()
    for step in range(steps):
        if pos + n + 1 > len(tokens):
            pos = fabric.global_rank * n
        arr = torch.from_numpy(tokens[pos:pos + n + 1].astype(np.int64))
        pos += fabric.world_size * n
        x, y = arr[:-1].view(B, CTX).to(fabric.device), arr[1:].view(B, CTX).to(fabric.device)

        loss = model(x, y)
        fabric.backward(loss)
        if step < warm:
            f = (step + 1) / warm
        else:
            f = 0.5 * (1 + math.cos(math.pi * (step - warm) / (steps - warm)))
        for o, lrs in zip(opts, peak):
            for g, lr in zip(o.param_groups, lrs):
                g["lr"] = lr * f
            o.step()
            o.zero_grad(set_to_none=True)
        if step % 50 == 0:
            fabric.print(f"it {step:4d} loss {loss.item():.4f} f={f:.3f} ({time.time() - t0:.0f}s)")


if __name__ == "__main__":
    main()
