"""
gpt-mini trainer: nanoGPT-shaped model with complex-number RoPE, trained with a
Newton-Schulz orthogonalized Nesterov optimizer on the hidden matrices and AdamW on
the tied token table.
"""
import os
import math
import time
import glob
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# ---------------------------------------------------------------- config globals
data_glob = 'data/fineweb10B/fineweb_train_*.bin'
batch_size = 32
block_size = 1024
grad_accum = 8
max_iters = 6000
warmup_iters = 0
cooldown_iters = 1800
adam_lr = 3e-3
ortho_lr_ratio = 0.1
momentum_start, momentum_end, momentum_ramp = 0.85, 0.95, 500
device = 'cuda' if torch.cuda.is_available() else 'cpu'


def orthogonalize_ns(M, steps=5, eps=1e-7):
    """Quintic Newton-Schulz approximation of U V^T for M = U S V^T."""
    assert M.ndim == 2
    a, b, c = 3.4445, -4.7750, 2.0315
    X = M.bfloat16()
    X = X / (X.norm() + eps)
    tall = M.size(0) > M.size(1)
    if tall:
        X = X.T
    for _ in range(steps):
        gram = X @ X.T
        gx = gram @ X
        X = a * X + b * gx + c * (gram @ gx)
    if tall:
        X = X.T
    return X.to(M.dtype)


class NSMomentum(torch.optim.Optimizer):
    """SGD with Nesterov momentum whose step direction is orthogonalized per matrix."""

    def __init__(self, params, lr=3e-4, momentum=0.95, nesterov=True, ns_steps=5):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, ns_steps=ns_steps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            mu = group['momentum']
            for p in group['params']:
                if p.grad is None:
                    continue
                g = p.grad
                st = self.state[p]
                if 'buf' not in st:
                    st['buf'] = torch.zeros_like(g)
                buf = st['buf']
                buf.mul_(mu).add_(g)
                d = g.add(buf, alpha=mu) if group['nesterov'] else buf
                d = orthogonalize_ns(d, steps=group['ns_steps'])
                rows, cols = p.shape
                d = d * math.sqrt(max(rows, cols))  # unit-RMS update regardless of shape
                p.add_(d, alpha=-group['lr'])


class PairedOptim:
    def __init__(self, *opts):
        self.optimizers = opts

    def step(self):
        for o in self.optimizers:
            o.step()

    def zero_grad(self, set_to_none=True):
        for o in self.optimizers:
            o.zero_grad(set_to_none=set_to_none)

    @property
    def param_groups(self):
        return [g for o in self.optimizers for g in o.param_groups]

# ---------------------------------------------------------------- model


def precompute_freqs_cis(head_size, max_len, theta=10000.0):
    freqs = 1.0 / (theta ** (torch.arange(0, head_size, 2).float() / head_size))
    t = torch.arange(max_len).float()
    return torch.polar(torch.ones(max_len, head_size // 2), torch.outer(t, freqs))


def rotate_complex(x, freqs_cis):
    # x: (B, T, nh, hs) -> treat adjacent pairs as complex numbers
    xc = torch.view_as_complex(x.float().reshape(*x.shape[:-1], -1, 2))
    out = torch.view_as_real(xc * freqs_cis[None, :x.size(1), None, :]).flatten(3)
    return out.type_as(x)


def rmsnorm(x, eps=1e-6):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)


@dataclass
class GPTConfig:
    block_size: int = 1024
    vocab_size: int = 50304
    n_layer: int = 8
    n_head: int = 6
    n_embd: int = 384


class CausalSelfAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.n_head = cfg.n_head
        self.hs = cfg.n_embd // cfg.n_head
        self.c_attn = nn.Linear(cfg.n_embd, 3 * cfg.n_embd, bias=False)
        self.c_proj = nn.Linear(cfg.n_embd, cfg.n_embd, bias=False)

    def forward(self, x, freqs_cis):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q = rotate_complex(q.view(B, T, self.n_head, self.hs), freqs_cis)
        k = rotate_complex(k.view(B, T, self.n_head, self.hs), freqs_cis)
        v = v.view(B, T, self.n_head, self.hs)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.c_proj(y.transpose(1, 2).reshape(B, T, C))


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.c_fc = nn.Linear(cfg.n_embd, 4 * cfg.n_embd, bias=False)
        self.c_proj = nn.Linear(4 * cfg.n_embd, cfg.n_embd, bias=False)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.attn = CausalSelfAttention(cfg)
        self.mlp = MLP(cfg)

    def forward(self, x, freqs_cis):
        x = x + self.attn(rmsnorm(x), freqs_cis)
        return x + self.mlp(rmsnorm(x))


class GPT(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(cfg.vocab_size, cfg.n_embd),
            h=nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer)),
        ))
        self.readout = nn.Linear(cfg.n_embd, cfg.vocab_size, bias=False)
        self.readout.weight = self.transformer.wte.weight
        self.register_buffer('freqs_cis', precompute_freqs_cis(cfg.n_embd // cfg.n_head, cfg.block_size), persistent=False)

    def forward(self, idx, targets=None):
        x = self.transformer.wte(idx)
        for blk in self.transformer.h:
            x = blk(x, self.freqs_cis)
        logits = self.readout(rmsnorm(x))
        if targets is None:
            return logits, None
        return logits, F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))

    def build_optimizer(self):
        adam = torch.optim.AdamW([self.transformer.wte.weight], lr=adam_lr, betas=(0.9, 0.95), weight_decay=0.0)
        ortho = NSMomentum(self.transformer.h.parameters(), lr=ortho_lr_ratio * adam_lr, momentum=momentum_end)
        for o in (adam, ortho):
            for g in o.param_groups:
                g['base_lr'] = g['lr']
        return PairedOptim(adam, ortho)

# ---------------------------------------------------------------- data + schedule


class ShardStream:
    def __init__(self, pattern, B, T):
        self.files = sorted(glob.glob(pattern))
        self.B, self.T = B, T
        self.shard, self.pos = 0, 0
        self.tokens = self._load(self.files[0])

    @staticmethod
    def _load(path):
        with open(path, 'rb') as f:
            header = np.frombuffer(f.read(1024), dtype=np.int32)
            assert header[0] == 20240520
            return np.frombuffer(f.read(), dtype=np.uint16)

    def next(self):
        n = self.B * self.T
        if self.pos + n + 1 > len(self.tokens):
            self.shard = (self.shard + 1) % len(self.files)
            self.tokens, self.pos = self._load(self.files[self.shard]), 0
        chunk = torch.from_numpy(self.tokens[self.pos:self.pos + n + 1].astype(np.int64))
        self.pos += n
        return chunk[:-1].view(self.B, self.T).to(device), chunk[1:].view(self.B, self.T).to(device)


def lr_multiplier(it):
    if it < warmup_iters:
        return (it + 1) / warmup_iters
    hold_until = max_iters - cooldown_iters
    return 1.0 if it < hold_until else (max_iters - it) / cooldown_iters


def momentum_at(it):
    return float(np.interp(it, [0, momentum_ramp], [momentum_start, momentum_end]))


def main():
    torch.manual_seed(0)
    model = GPT(GPTConfig(block_size=block_size)).to(device)
    opt = model.build_optimizer()
    ortho = opt.optimizers[1]
    cmodel = torch.compile(model) if device == 'cuda' else model
    stream = ShardStream(data_glob, batch_size, block_size)
    amp = torch.autocast(device_type='cuda', dtype=torch.bfloat16, enabled=(device == 'cuda'))
    t0 = time.time()
    for it in range(max_iters):
        for micro in range(grad_accum):
            x, y = stream.next()
            with amp:
                _, loss = cmodel(x, y)
            (loss / grad_accum).backward()
        mult = lr_multiplier(it)
        for g in opt.param_groups:
            g['lr'] = g['base_lr'] * mult
        for g in ortho.param_groups:
            g['momentum'] = momentum_at(it)
        opt.step()
        opt.zero_grad(set_to_none=True)
        if it % 25 == 0:
            print(f"it {it} loss {loss.item():.4f} lr_mult {mult:.3f} {(time.time() - t0) * 1000:.0f}ms")
    torch.save(model.state_dict(), 'gpt_mini.pt')


if __name__ == '__main__':
    main()
