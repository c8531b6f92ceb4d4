"""
nanoGPT variant with an hourglass (U-Net) residual layout.
The first half of the blocks stores its outputs, the second half consumes them in
reverse order through learnable gates. Every block can also re-read the normalized
token embedding through a learnable two-way mix.
"""
import os
import math
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
from torch.nn import functional as F

# ---------------------------------------------------------------------------
out_dir = 'out-hourglass'
dataset = 'openwebtext'
batch_size = 16
block_size = 1024
gradient_accumulation_steps = 16
learning_rate = 6e-4
min_lr = 6e-5
warmup_iters = 700
lr_decay_iters = 12000
max_iters = 12000
weight_decay = 0.1
eval_interval = 500
device = 'cuda'


@dataclass
class GPTConfig:
    block_size: int = 1024
    vocab_size: int = 50257
    n_layer: int = 12
    n_head: int = 12
    n_embd: int = 768
    logit_cap: float = 30.0


def rms(x):
    return F.rms_norm(x, (x.size(-1),))


class RoPE(nn.Module):
    def __init__(self, head_dim, max_len, base=10000):
        super().__init__()
        inv = 1.0 / base ** (torch.arange(0, head_dim, 2).float() / head_dim)
        ang = torch.outer(torch.arange(max_len).float(), inv)
        self.register_buffer('cos', ang.cos(), persistent=False)
        self.register_buffer('sin', ang.sin(), persistent=False)

    def forward(self, x):
        # x: (B, T, H, D)
        T = x.size(1)
        c, s = self.cos[:T][None, :, None], self.sin[:T][None, :, None]
        d = x.size(-1) // 2
        u, w = x[..., :d], x[..., d:]
        return torch.cat([u * c + w * s, w * c - u * s], dim=-1).type_as(x)


class CausalSelfAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=False)
        self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=False)
        self.n_head = config.n_head
        self.n_embd = config.n_embd
        self.rope = RoPE(config.n_embd // config.n_head, config.block_size)

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        q = self.rope(q.view(B, T, self.n_head, -1)).transpose(1, 2)
        k = self.rope(k.view(B, T, self.n_head, -1)).transpose(1, 2)
        v = v.view(B, T, self.n_head, -1).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))


class MLP(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=False)
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=False)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x), approximate='tanh'))


class Block(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.attn = CausalSelfAttention(config)
        self.mlp = MLP(config)
        self.resid_mix = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, emb0):
        x = self.resid_mix[0] * x + self.resid_mix[1] * emb0
        x = x + self.attn(rms(x))
        x = x + self.mlp(rms(x))
        return x


class GPT(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(config.vocab_size, config.n_embd),
            h=nn.ModuleList([Block(config) for _ in range(config.n_layer)]),
        ))
        self.n_down = config.n_layer // 2
        self.n_up = config.n_layer - self.n_down
        self.skip_gate = nn.Parameter(torch.ones(self.n_up))
        self.out_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.apply(self._init_weights)
        torch.nn.init.zeros_(self.out_head.weight)

    def _init_weights(self, module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx, targets=None):
        x = rms(self.transformer.wte(idx))
        emb0 = x
        stack = []
        for i in range(self.n_down):
            x = self.transformer.h[i](x, emb0)
            stack.append(x)
        for j in range(self.n_up):
            x = x + self.skip_gate[j] * stack.pop()
            x = self.transformer.h[self.n_down + j](x, emb0)
        x = rms(x)
        logits = self.out_head(x).float()
        cap = self.config.logit_cap
        logits = cap * torch.tanh(logits / cap)
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)
        return logits, loss

    def configure_optimizers(self, weight_decay, learning_rate, betas):
        embed_like = [self.transformer.wte.weight, self.out_head.weight]
        embed_ids = {id(p) for p in embed_like}
        hidden = [p for p in self.parameters() if id(p) not in embed_ids and p.dim() >= 2]
        gains = [p for p in self.parameters() if id(p) not in embed_ids and p.dim() < 2]
        groups = [
            {'params': hidden, 'weight_decay': weight_decay},
            {'params': embed_like, 'weight_decay': 0.0},  # no decay on the vocab tables
            {'params': gains, 'weight_decay': 0.0},
        ]
        return torch.optim.AdamW(groups, lr=learning_rate, betas=betas)

    def estimate_mfu(self, fwdbwd_per_iter, dt):
        N = sum(p.numel() for p in self.parameters())
        cfg = self.config
        L, H, Q, T = cfg.n_layer, cfg.n_head, cfg.n_embd // cfg.n_head, cfg.block_size
        flops_per_iter = (6 * N + 12 * L * H * Q * T) * T * fwdbwd_per_iter
        return flops_per_iter / dt / 989e12  # H100 bf16 dense peak


# ---------------------------------------------------------------------------


def get_lr(it):
    if it < warmup_iters:
        return learning_rate * (it + 1) / (warmup_iters + 1)
    if it > lr_decay_iters:
        return min_lr
    decay_ratio = (it - warmup_iters) / (lr_decay_iters - warmup_iters)
    coeff = 0.5 * (1.0 + math.cos(math.pi * decay_ratio))
    return min_lr + coeff * (learning_rate - min_lr)


def get_batch(split):
    data = np.memmap(os.path.join('data', dataset, f'{split}.bin'), dtype=np.uint16, mode='r')
    ix = torch.randint(len(data) - block_size, (batch_size,))
    x = torch.stack([torch.from_numpy(data[i:i + block_size].astype(np.int64)) for i in ix])
    y = torch.stack([torch.from_numpy(data[i + 1:i + 1 + block_size].astype(np.int64)) for i in ix])
    return x.to(device), y.to(device)


def main():
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(1337)
    model = GPT(GPTConfig(block_size=block_size)).to(device)
    optimizer = model.configure_optimizers(weight_decay, learning_rate, (0.9, 0.95))
    cmodel = torch.compile(model)
    ctx = torch.autocast(device_type='cuda', dtype=torch.bfloat16)
    X, Y = get_batch('train')
    t0 = time.time()
    for it in range(max_iters + 1):
        lr = get_lr(it)
        for g in optimizer.param_groups:
            g['lr'] = lr
        if it % eval_interval == 0:
            cmodel.eval()
            with torch.no_grad(), ctx:
                vl = torch.stack([cmodel(*get_batch('val'))[1] for _ in range(50)]).mean()
            cmodel.train()
            print(f"step {it}: val loss {vl.item():.4f}")
        if it == max_iters:
            break
        for _ in range(gradient_accumulation_steps):
            with ctx:
                _, loss = cmodel(X, Y)
            X, Y = get_batch('train')
            (loss / gradient_accumulation_steps).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        dt = time.time() - t0
        t0 = time.time()
        if it % 10 == 0:
            mfu = model.estimate_mfu(batch_size * gradient_accumulation_steps, dt)
            print(f"iter {it}: loss {loss.item():.4f}, {dt * 1000:.1f}ms, mfu {mfu * 100:.1f}%")
    torch.save(model.state_dict(), os.path.join(out_dir, 'ckpt.pt'))


if __name__ == '__main__':
    main()
