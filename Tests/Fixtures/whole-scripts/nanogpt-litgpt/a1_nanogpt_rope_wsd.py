"""
Single-file GPT trainer in the spirit of nanoGPT (model.py + train.py merged).
Positions are injected by rotating q/k (no learned position table), the LR follows
a warmup / hold / linear-cooldown shape, and logits are upcast before the loss.
"""
import os
import sys
import math
import time
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
from torch.nn import functional as F

# -----------------------------------------------------------------------------
# default config values (overridable as --key=value, configurator style)
out_dir = 'out-owt-rope'
eval_interval = 250
log_interval = 10
eval_iters = 100
dataset = 'openwebtext'
gradient_accumulation_steps = 40
batch_size = 12
block_size = 1024
n_layer = 12
n_head = 12
n_embd = 768
dropout = 0.0
bias = False
learning_rate = 1.8e-3
max_iters = 9000
warmup_iters = 256
cooldown_iters = 2000
weight_decay = 1e-1
beta1, beta2 = 0.9, 0.95
grad_clip = 1.0
device = 'cuda'
dtype = 'bfloat16'
compile = True
config_keys = [k for k, v in globals().items() if not k.startswith('_') and isinstance(v, (int, float, bool, str))]


def apply_overrides(argv):
    for arg in argv:
        if not arg.startswith('--') or '=' not in arg:
            continue
        key, val = arg[2:].split('=', 1)
        assert key in globals(), f"unknown config key {key}"
        cur = globals()[key]
        globals()[key] = type(cur)(val) if not isinstance(cur, bool) else val.lower() in ('1', 'true')
        print(f"override: {key} = {globals()[key]}")

# -----------------------------------------------------------------------------
# model

class LayerNorm(nn.Module):
    """LayerNorm with an optional bias (PyTorch's does not allow bias=False)."""

    def __init__(self, ndim, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(ndim))
        self.bias = nn.Parameter(torch.zeros(ndim)) if bias else None

    def forward(self, input):
        return F.layer_norm(input, self.weight.shape, self.weight, self.bias, 1e-5)


class RopeTables(nn.Module):
    """Caches cos/sin of position * inverse-frequency for one head size."""

    def __init__(self, head_size, base=10000.0):
        super().__init__()
        exponent = torch.arange(0, head_size, 2, dtype=torch.float32) / head_size
        self.register_buffer('inv_freq', base ** (-exponent), persistent=False)
        self._len = 0
        self._cos = None
        self._sin = None

    def forward(self, T, device):
        if T != self._len or self._cos.device != device:
            pos = torch.arange(T, device=device, dtype=torch.float32)
            angles = pos[:, None] * self.inv_freq.to(device)[None, :]
            self._cos, self._sin = angles.cos(), angles.sin()
            self._len = T
        return self._cos[None, None], self._sin[None, None]


def rope_rotate(x, cos, sin):
    # x: (B, nh, T, hs); rotate the first half against the second half
    half = x.size(-1) // 2
    a, b = x[..., :half], x[..., half:]
    return torch.cat((a * cos - b * sin, a * sin + b * cos), dim=-1).type_as(x)


class CausalSelfAttention(nn.Module):

    def __init__(self, config):
        super().__init__()
        assert config.n_embd % config.n_head == 0
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)
        self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        # start every residual branch at identity
        nn.init.zeros_(self.c_proj.weight)
        self.n_head = config.n_head
        self.n_embd = config.n_embd
        self.dropout = config.dropout
        self.rope = RopeTables(config.n_embd // config.n_head)

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        cos, sin = self.rope(T, x.device)
        q, k = rope_rotate(q, cos, sin), rope_rotate(k, cos, sin)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=None,
                                           dropout_p=self.dropout if self.training else 0, is_causal=True)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)


class MLP(nn.Module):

    def __init__(self, config):
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x):
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(nn.Module):

    def __init__(self, config):
        super().__init__()
        self.ln_1 = LayerNorm(config.n_embd, bias=config.bias)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = LayerNorm(config.n_embd, bias=config.bias)
        self.mlp = MLP(config)
        self.attn_gain = 1.0 / math.sqrt(2 * config.n_layer)

    def forward(self, x):
        x = x + self.attn_gain * self.attn(self.ln_1(x))
        x = x + self.mlp(self.ln_2(x))
        return x


@dataclass
class GPTConfig:
    block_size: int = 1024
    vocab_size: int = 50304  # GPT-2 vocab_size of 50257, padded up to nearest multiple of 64
    n_layer: int = 12
    n_head: int = 12
    n_embd: int = 768
    dropout: float = 0.0
    bias: bool = False
    loss_cap: float = 30.0


class GPT(nn.Module):

    def __init__(self, config):
        super().__init__()
        self.config = config
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(config.vocab_size, config.n_embd),
            drop=nn.Dropout(config.dropout),
            h=nn.ModuleList([Block(config) for _ in range(config.n_layer)]),
            ln_f=LayerNorm(config.n_embd, bias=config.bias),
        ))
        self.unembed = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.transformer.wte.weight = self.unembed.weight  # weight tying
        self.apply(self._init_weights)
        for pn, p in self.named_parameters():
            if pn.endswith('c_proj.weight'):
                torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))
        print("number of parameters: %.2fM" % (self.get_num_params() / 1e6,))

    def get_num_params(self):
        return sum(p.numel() for p in self.parameters())

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx, targets=None):
        b, t = idx.size()
        assert t <= self.config.block_size
        x = self.transformer.drop(self.transformer.wte(idx))
        for block in self.transformer.h:
            x = block(x)
        x = self.transformer.ln_f(x)
        if targets is not None:
            logits = self.unembed(x)
            loss = F.cross_entropy(logits.float().view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)
            # squash rare loss spikes so a single bad batch cannot blow up the update
            loss = self.config.loss_cap * torch.tanh(loss / self.config.loss_cap)
        else:
            logits = self.unembed(x[:, [-1], :])
            loss = None
        return logits, loss

    def configure_optimizers(self, weight_decay, learning_rate, betas):
        params = {pn: p for pn, p in self.named_parameters() if p.requires_grad}
        decay = [p for n, p in params.items() if p.dim() >= 2]
        nodecay = [p for n, p in params.items() if p.dim() < 2]
        groups = [{'params': decay, 'weight_decay': weight_decay},
                  {'params': nodecay, 'weight_decay': 0.0}]
        return torch.optim.AdamW(groups, lr=learning_rate, betas=betas)

    def estimate_mfu(self, fwdbwd_per_iter, dt):
        N = self.get_num_params()
        cfg = self.config
        L, H, Q, T = cfg.n_layer, cfg.n_head, cfg.n_embd // cfg.n_head, cfg.block_size
        flops_per_token = 6 * N + 12 * L * H * Q * T
        flops_per_iter = flops_per_token * T * fwdbwd_per_iter
        return (flops_per_iter * (1.0 / dt)) / 312e12  # A100 bf16 peak

# -----------------------------------------------------------------------------
# training


def get_batch(split, data_dir):
    fname = 'train.bin' if split == 'train' else 'val.bin'
    data = np.memmap(os.path.join(data_dir, fname), dtype=np.uint16, mode='r')
    ix = torch.randint(len(data) - block_size, (batch_size,))
    x = torch.stack([torch.from_numpy((data[i:i + block_size]).astype(np.int64)) for i in ix])
    y = torch.stack([torch.from_numpy((data[i + 1:i + 1 + block_size]).astype(np.int64)) for i in ix])
    return x.to(device), y.to(device)


def get_lr(it):
    if it < warmup_iters:
        return learning_rate * (it + 1) / warmup_iters
    if it < max_iters - cooldown_iters:
        return learning_rate
    return learning_rate * (max_iters - it) / cooldown_iters


@torch.no_grad()
def estimate_loss(model, ctx, data_dir):
    out = {}
    model.eval()
    for split in ['train', 'val']:
        losses = torch.zeros(eval_iters)
        for k in range(eval_iters):
            X, Y = get_batch(split, data_dir)
            with ctx:
                _, loss = model(X, Y)
            losses[k] = loss.item()
        out[split] = losses.mean()
    model.train()
    return out


def main():
    apply_overrides(sys.argv[1:])
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(1337)
    data_dir = os.path.join('data', dataset)
    ptdtype = {'float32': torch.float32, 'bfloat16': torch.bfloat16, 'float16': torch.float16}[dtype]
    ctx = nullcontext() if 'cuda' not in device else torch.amp.autocast(device_type='cuda', dtype=ptdtype)
    model = GPT(GPTConfig(block_size=block_size, n_layer=n_layer, n_head=n_head,
                          n_embd=n_embd, dropout=dropout, bias=bias)).to(device)
    optimizer = model.configure_optimizers(weight_decay, learning_rate, (beta1, beta2))
    raw_model = model
    if compile:
        model = torch.compile(model)
    X, Y = get_batch('train', data_dir)
    t0 = time.time()
    running_mfu = -1.0
    for it in range(max_iters + 1):
        lr = get_lr(it)
        for group in optimizer.param_groups:
            group['lr'] = lr
        if it % eval_interval == 0:
            losses = estimate_loss(model, ctx, data_dir)
            print(f"step {it}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}")
        if it == max_iters:
            break
        for micro_step in range(gradient_accumulation_steps):
            with ctx:
                _, loss = model(X, Y)
                loss = loss / gradient_accumulation_steps
            X, Y = get_batch('train', data_dir)
            loss.backward()
        if grad_clip != 0.0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        t1 = time.time()
        dt, t0 = t1 - t0, t1
        if it % log_interval == 0:
            lossf = loss.item() * gradient_accumulation_steps
            if it >= 5:
                mfu = raw_model.estimate_mfu(batch_size * gradient_accumulation_steps, dt)
                running_mfu = mfu if running_mfu == -1.0 else 0.9 * running_mfu + 0.1 * mfu
            print(f"iter {it}: loss {lossf:.4f}, lr {lr:.2e}, time {dt * 1000:.2f}ms, mfu {running_mfu * 100:.2f}%")
    torch.save({'model': raw_model.state_dict(), 'config': raw_model.config}, os.path.join(out_dir, 'ckpt.pt'))


if __name__ == '__main__':
    main()
