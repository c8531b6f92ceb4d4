"""
GPT-2 style language model.  Differences from the stock nanoGPT model:
  * no learned position table -- positions enter through rotary q/k rotation
  * squared ReLU in the MLP
  * q/k are RMS-normalised before attention
"""
import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class GPTConfig:
    vocab_size: int = 50257
    n_layer: int = 12
    n_head: int = 12
    n_embd: int = 768
    rope_base: float = 10000.0


class RotaryCache(nn.Module):
    """Caches cos/sin tables for the rotary position encoding."""

    def __init__(self, head_dim, base=10000.0):
        super().__init__()
        freqs = base ** (-torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim)
        self.register_buffer("freqs", freqs, persistent=False)
        self._len = 0
        self._cos = None
        self._sin = None

    def forward(self, x):
        T = x.shape[1]
        if T != self._len:
            self._len = T
            pos = torch.arange(T, device=x.device, dtype=torch.float32)
            angles = torch.outer(pos, self.freqs.to(x.device))
            self._cos = angles.cos().bfloat16()
            self._sin = angles.sin().bfloat16()
        return self._cos[None, :, None, :], self._sin[None, :, None, :]


def rotate_half_pairs(x, cos, sin):
    # x: (B, T, H, D); rotate first half against second half
    d = x.shape[-1] // 2
    lo, hi = x[..., :d], x[..., d:]
    out_lo = lo * cos + hi * sin
    out_hi = hi * cos - lo * sin
    return torch.cat((out_lo, out_hi), dim=-1).type_as(x)


class SelfAttention(nn.Module):

    def __init__(self, cfg: GPTConfig):
        super().__init__()
        assert cfg.n_embd % cfg.n_head == 0
        self.n_head = cfg.n_head
        self.head_dim = cfg.n_embd // cfg.n_head
        self.c_attn = nn.Linear(cfg.n_embd, 3 * cfg.n_embd, bias=False)
        self.c_proj = nn.Linear(cfg.n_embd, cfg.n_embd, bias=False)
        self.rotary = RotaryCache(self.head_dim, cfg.rope_base)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        # stabilise the attention logits: normalise q and k before use
        q = F.rms_norm(q, (C,))
        k = F.rms_norm(k, (C,))
        q = q.view(B, T, self.n_head, self.head_dim)
        k = k.view(B, T, self.n_head, self.head_dim)
        v = v.view(B, T, self.n_head, self.head_dim)
        cos, sin = self.rotary(q)
        q = rotate_half_pairs(q, cos, sin)
        k = rotate_half_pairs(k, cos, sin)
        y = F.scaled_dot_product_attention(
            q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True
        )
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)


class FeedForward(nn.Module):

    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.c_fc = nn.Linear(cfg.n_embd, 4 * cfg.n_embd, bias=False)
        self.c_proj = nn.Linear(4 * cfg.n_embd, cfg.n_embd, bias=False)

    def forward(self, x):
        h = self.c_fc(x)
        h = torch.relu(h) ** 2
        return self.c_proj(h)


def rmsnorm(x, eps=1e-6):
    return x * torch.rsqrt(x.float().pow(2).mean(-1, keepdim=True) + eps).type_as(x)


class Block(nn.Module):

    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.attn = SelfAttention(cfg)
        self.mlp = FeedForward(cfg)
        # residual branch damping carried over from llm.c
        self.branch_scale = 1.0 / math.sqrt(2 * cfg.n_layer)

    def forward(self, x):
        x = x + self.branch_scale * self.attn(rmsnorm(x))
        x = x + self.mlp(rmsnorm(x))
        return x


class GPT(nn.Module):

    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.cfg = cfg
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(cfg.vocab_size, cfg.n_embd),
            h=nn.ModuleList([Block(cfg) for _ in range(cfg.n_layer)]),
        ))
        self.lm_head = nn.Linear(cfg.n_embd, cfg.vocab_size, bias=False)
        self.transformer.wte.weight = self.lm_head.weight  # weight tying
        self.apply(self._init_weights)

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
        elif isinstance(module, nn.Embedding):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def num_params(self):
        return sum(p.numel() for p in self.parameters())

    def forward(self, idx, targets=None, return_logits=True):
        x = self.transformer.wte(idx)
        for block in self.transformer.h:
            x = block(x)
        x = rmsnorm(x)
        if targets is not None:
            logits = self.lm_head(x)
            loss = F.cross_entropy(
                logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1
            ).float()
        else:
            logits = self.lm_head(x[:, [-1], :])
            loss = None
        if not return_logits:
            logits = None
        return logits, loss

    @torch.no_grad()
    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None):
        for _ in range(max_new_tokens):
            logits, _ = self(idx)
            logits = logits[:, -1, :] / temperature
            if top_k is not None:
                v, _ = torch.topk(logits, min(top_k, logits.size(-1)))
                logits[logits < v[:, [-1]]] = -float("inf")
            probs = F.softmax(logits, dim=-1)
            idx = torch.cat((idx, torch.multinomial(probs, num_samples=1)), dim=1)
        return idx
