"""Hourglass GPT (litgpt-ish modules, plain PyTorch loop).

- encoder/decoder halves with mirrored, gated long skips
- every block re-mixes the normalized embedding with two learnable scalars
- values of layer 0 are shared with all later layers through a learnable blend
- hidden matrices: Nesterov momentum + Newton-Schulz orthogonalization
"""
import math
import time
from dataclasses import dataclass
from typing import Optional

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class Config:
    block_size: int = 1024
    vocab_size: int = 50257
    n_layer: int = 12
    n_head: int = 12
    n_embd: int = 768
    intermediate_size: int = 3072
    rope_base: int = 10000
    bias: bool = False

    @property
    def head_size(self) -> int:
        return self.n_embd // self.n_head


def build_rope_cache(seq_len: int, n_elem: int, base: int = 10000):
    theta = 1.0 / (base ** (torch.arange(0, n_elem, 2).float() / n_elem))
    idx_theta = torch.outer(torch.arange(seq_len).float(), theta).repeat(1, 2)
    return torch.cos(idx_theta), torch.sin(idx_theta)


def apply_rope(x, cos, sin):
    half = x.size(-1) // 2
    rotated = torch.cat((-x[..., half:], x[..., :half]), dim=-1)
    return (x * cos + rotated * sin).to(x.dtype)


class CausalSelfAttention(nn.Module):
    def __init__(self, config: Config) -> None:
        super().__init__()
        self.config = config
        self.attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)
        self.proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.vres = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, cos, sin, v_first: Optional[torch.Tensor]):
        B, T, C = x.shape
        nh, hs = self.config.n_head, self.config.head_size
        q, k, v = self.attn(x).split(C, dim=-1)
        q = q.view(B, T, nh, hs).transpose(1, 2)
        k = k.view(B, T, nh, hs).transpose(1, 2)
        v = v.view(B, T, nh, hs).transpose(1, 2)
        if v_first is None:
            v_first = v
        else:
            v = v + self.vres * (v_first - v)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, C)), v_first


class GptNeoxMLP(nn.Module):
    def __init__(self, config: Config) -> None:
        super().__init__()
        self.fc = nn.Linear(config.n_embd, config.intermediate_size, bias=config.bias)
        self.proj = nn.Linear(config.intermediate_size, config.n_embd, bias=config.bias)

    def forward(self, x):
        return self.proj(F.gelu(self.fc(x)).square())


class Block(nn.Module):
    def __init__(self, config: Config) -> None:
        super().__init__()
        self.attn = CausalSelfAttention(config)
        self.mlp = GptNeoxMLP(config)
        self.mix_a = nn.Parameter(torch.tensor(1.0))
        self.mix_b = nn.Parameter(torch.tensor(0.0))

    def forward(self, x, emb, cos, sin, v_first):
        x = self.mix_a * x + self.mix_b * emb
        a, v_first = self.attn(F.rms_norm(x, (x.size(-1),)), cos, sin, v_first)
        x = x + a
        x = x + self.mlp(F.rms_norm(x, (x.size(-1),)))
        return x, v_first


class GPT(nn.Module):
    def __init__(self, config: Config) -> None:
        super().__init__()
        assert config.n_layer % 2 == 0
        self.config = config
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)
        self.h = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.n_enc = config.n_layer // 2
        self.skip_weights_dec = nn.Parameter(torch.ones(config.n_layer - self.n_enc))
        self.output = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        cos, sin = build_rope_cache(config.block_size, config.head_size, config.rope_base)
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)

    def forward(self, idx, targets=None):
        T = idx.size(1)
        cos, sin = self.cos[:T], self.sin[:T]
        emb = F.rms_norm(self.wte(idx), (self.config.n_embd,))
        x, v_first = emb, None
        enc_outs = []
        for i in range(self.n_enc):
            x, v_first = self.h[i](x, emb, cos, sin, v_first)
            enc_outs.append(x)
        for i in range(self.config.n_layer - self.n_enc):
            x = x + self.skip_weights_dec[i] * enc_outs[self.n_enc - 1 - i]
            x, v_first = self.h[self.n_enc + i](x, emb, cos, sin, v_first)
        logits = self.output(F.rms_norm(x, (self.config.n_embd,)))
        if targets is None:
            return logits
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


# --------------------------------------------------------------------------- optimizer

def ns_orthogonalize(G, steps=5, eps=1e-7):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16()
    X /= X.norm() + eps
    transposed = G.size(0) > G.size(1)
    if transposed:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = A @ X
        X = a * X + b * B + c * A @ B
    return (X.T if transposed else X).type_as(G)


class SpectralNesterov(torch.optim.Optimizer):
    def __init__(self, params, lr=0.015, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, mu = group["lr"], group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p.grad))
                buf.mul_(mu).add_(p.grad)
                p.add_(ns_orthogonalize(p.grad + mu * buf), alpha=-lr)


def build_optimizers(model: GPT):
    hidden = list(model.h.parameters())
    mats = [p for p in hidden if p.ndim == 2]
    gains = [p for p in hidden if p.ndim < 2] + [model.skip_weights_dec]
    adam_tables = torch.optim.AdamW([model.wte.weight, model.output.weight], lr=6e-3,
                                    betas=(0.9, 0.95), weight_decay=0.1)
    adam_gains = torch.optim.Adam(gains, lr=0.01, betas=(0.9, 0.95))
    return [adam_tables, adam_gains, SpectralNesterov(mats, lr=0.015, momentum=0.95)]


def cosine_factor(step, warmup=250, total=6000, final=0.0):
    if step < warmup:
        return (step + 1) / warmup
    p = min(1.0, (step - warmup) / (total - warmup))
    return final + (1 - final) * 0.5 * (1.0 + math.cos(math.pi * p))


def main(total_steps=6000, bsz=16, seq=1024, device="cuda"):
    torch.manual_seed(7)
    model = GPT(Config(block_size=seq)).to(device)
    opts = build_optimizers(model)
    base = [[g["lr"] for g in o.param_groups] for o in opts]
    tokens = np.memmap("data/fineweb_edu/train.bin", dtype=np.uint16, mode="r")
    compiled = torch.compile(model)
    tic = time.time()
    for step in range(total_steps):
        starts = np.random.randint(0, len(tokens) - seq - 1, size=bsz)
        chunk = torch.from_numpy(np.stack([tokens[s:s + seq + 1] for s in starts]).astype(np.int64)).to(device)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = compiled(chunk[:, :-1], chunk[:, 1:])
        loss.backward()
        f = cosine_factor(step, total=total_steps)
        for o, lrs in zip(opts, base):
            for g, lr0 in zip(o.param_groups, lrs):
                g["lr"] = lr0 * f
            o.step()
        model.zero_grad(set_to_none=True)
        if step % 100 == 0:
            print(f"{step:6d} loss={loss.item():.4f} dt={time.time() - tic:.1f}s")


if __name__ == "__main__":
    main()
