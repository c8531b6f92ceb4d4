"""
nanoGPT (learned positions, LayerNorm) trained with a spectral / orthogonalized
momentum optimizer on block matrices. Attention normalizes q and k per head and
blends each layer's values with those of the first layer.
"""
import os
import sys
import math
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# ---------------------------------------------------------------- knobs
dataset = 'fineweb10B'
batch_size = 16
block_size = 1024
gradient_accumulation_steps = 20
max_iters = 5000
warmup_iters = 300
adam_lr = 2.5e-3
spectral_lr = 0.1 * adam_lr
momentum = 0.95
log_interval = 20
device = 'cuda'
for _arg in sys.argv[1:]:
    if _arg.startswith('--') and '=' in _arg:
        _k, _v = _arg[2:].split('=', 1)
        globals()[_k] = type(globals()[_k])(_v)


@dataclass
class GPTConfig:
    block_size: int = 1024
    vocab_size: int = 50304
    n_layer: int = 12
    n_head: int = 12
    n_embd: int = 768


def head_rmsnorm(t, eps=1e-6):
    # t: (B, nh, T, hs) -> unit RMS along hs, no gain
    return t * torch.rsqrt(t.pow(2).mean(dim=-1, keepdim=True) + eps)


class CausalSelfAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.n_head = config.n_head
        self.n_embd = config.n_embd
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=False)
        self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=False)
        self.value_blend = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, v_first=None):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        q = q.view(B, T, self.n_head, -1).transpose(1, 2)
        k = k.view(B, T, self.n_head, -1).transpose(1, 2)
        v = v.view(B, T, self.n_head, -1).transpose(1, 2)
        if v_first is None:
            v_first = v
        v = (1.0 - self.value_blend) * v + self.value_blend * v_first
        q, k = head_rmsnorm(q), head_rmsnorm(k)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y), v_first


class MLP(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=False)
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=False)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd)
        self.mlp = MLP(config)

    def forward(self, x, v_first):
        a, v_first = self.attn(self.ln_1(x), v_first)
        x = x + a
        x = x + self.mlp(self.ln_2(x))
        return x, v_first


class GPT(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(config.vocab_size, config.n_embd),
            wpe=nn.Embedding(config.block_size, config.n_embd),
            h=nn.ModuleList([Block(config) for _ in range(config.n_layer)]),
            ln_f=nn.LayerNorm(config.n_embd),
        ))
        self.classifier = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.transformer.wte.weight = self.classifier.weight
        self.apply(self._init_weights)
        for block in self.transformer.h:
            block.attn.c_proj.weight.data.zero_()
            block.mlp.c_proj.weight.data.zero_()

    def _init_weights(self, module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx, targets=None):
        t = idx.size(1)
        pos = torch.arange(t, device=idx.device)
        x = self.transformer.wte(idx) + self.transformer.wpe(pos)[None]
        v_first = None
        for block in self.transformer.h:
            x, v_first = block(x, v_first)
        logits = self.classifier(self.transformer.ln_f(x))
        loss = None if targets is None else F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
        return logits, loss


# ---------------------------------------------------------------- optimizer

def _ns5(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16() / (G.norm() + 1e-7)
    if G.size(0) > G.size(1):
        X = X.T
    for _ in range(steps):
        S = X @ X.T
        SX = S @ X
        X = a * X + b * SX + c * S @ SX
    if G.size(0) > G.size(1):
        X = X.T
    return X


class SpectralSGD(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum=0.95, nesterov=True):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group['params']:
                g = p.grad
                if g is None:
                    continue
                state = self.state[p]
                if 'momentum_buffer' not in state:
                    state['momentum_buffer'] = torch.zeros_like(g)
                buf = state['momentum_buffer']
                buf.mul_(group['momentum']).add_(g)
                if group['nesterov']:
                    g = g.add(buf, alpha=group['momentum'])
                upd = _ns5(g)
                scale = math.sqrt(max(g.size(0), g.size(1)))
                p.add_(upd.type_as(p), alpha=-group['lr'] * scale)


def configure_optimizers(model):
    block_params = list(model.transformer.h.parameters())
    mats = [p for p in block_params if p.ndim == 2]
    small = [p for p in block_params if p.ndim < 2] + list(model.transformer.ln_f.parameters())
    tables = [model.transformer.wte.weight, model.transformer.wpe.weight]
    adam = torch.optim.AdamW([{'params': tables}, {'params': small}], lr=adam_lr,
                             betas=(0.9, 0.95), weight_decay=0.0)
    spectral = SpectralSGD(mats, lr=spectral_lr, momentum=momentum)
    return adam, spectral


def get_lr(it):
    if it < warmup_iters:
        return (it + 1) / warmup_iters
    ratio = (it - warmup_iters) / (max_iters - warmup_iters)
    return 0.5 * (1.0 + math.cos(math.pi * ratio))


def get_batch(data):
    ix = torch.randint(len(data) - block_size - 1, (batch_size,))
    buf = torch.stack([torch.from_numpy(data[i:i + block_size + 1].astype(np.int64)) for i in ix])
    return buf[:, :-1].to(device), buf[:, 1:].to(device)


def main():
    torch.manual_seed(1337)
    data = np.memmap(os.path.join('data', dataset, 'train.bin'), dtype=np.uint16, mode='r')
    model = GPT(GPTConfig(block_size=block_size)).to(device)
    adam, spectral = configure_optimizers(model)
    opts = (adam, spectral)
    base_lrs = [[g['lr'] for g in o.param_groups] for o in opts]
    model_c = torch.compile(model)
    t0 = time.time()
    for it in range(max_iters):
        for _ in range(gradient_accumulation_steps):
            x, y = get_batch(data)
            with torch.autocast(device_type='cuda', dtype=torch.bfloat16):
                _, loss = model_c(x, y)
            (loss / gradient_accumulation_steps).backward()
        m = get_lr(it)
        for o, lrs in zip(opts, base_lrs):
            for g, lr0 in zip(o.param_groups, lrs):
                g['lr'] = lr0 * m
        # momentum schedule (0.85 -> 0.95 over the first 500 iterations), logged for reference
        mom_sched = 0.85 + 0.10 * min(it / 500, 1.0)
        for o in opts:
            o.step()
            o.zero_grad(set_to_none=True)
        if it % log_interval == 0:
            dt = time.time() - t0
            print(f"iter {it}: loss {loss.item():.4f} lr_mult {m:.3f} mom_sched {mom_sched:.3f} {dt:.1f}s")


if __name__ == '__main__':
    main()
