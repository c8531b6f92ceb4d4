"""ResFormer-style GPT in a litgpt-like layout.

* value residual: every layer blends its value heads with the first layer's values
* a learnable gate adds the (normalized) token embedding back before the final norm
* separate, zero-initialised output layer
"""
import math
import os
import time
from dataclasses import dataclass
from typing import Optional, Tuple

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
    rope_base: int = 10000
    mlp_hidden: int = 3072
    bias: bool = False
    value_mix_init: float = 0.5

    @property
    def head_size(self) -> int:
        return self.n_embd // self.n_head


def build_rope_cache(seq_len: int, n_elem: int, base: int = 10000) -> Tuple[torch.Tensor, torch.Tensor]:
    theta = torch.exp(-math.log(base) * torch.arange(0, n_elem, 2, dtype=torch.float32) / n_elem)
    idx_theta = torch.arange(seq_len, dtype=torch.float32)[:, None] * theta[None, :]
    return idx_theta.cos(), idx_theta.sin()


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    # x: (B, T, nh, hs), cos/sin: (T, hs/2)
    x1, x2 = x.float().chunk(2, dim=-1)
    c, s = cos[None, :, None, :], sin[None, :, None, :]
    return torch.cat([x1 * c - x2 * s, x2 * c + x1 * s], dim=-1).type_as(x)


class ValueResidualAttention(nn.Module):
    def __init__(self, config: Config) -> None:
        super().__init__()
        self.n_head, self.hs = config.n_head, config.head_size
        self.q_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.k_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.v_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.v_mix = nn.Parameter(torch.tensor(config.value_mix_init))

    def forward(self, x, cos, sin, v_first: Optional[torch.Tensor]):
        B, T, C = x.shape
        q = self.q_proj(x).view(B, T, self.n_head, self.hs)
        k = self.k_proj(x).view(B, T, self.n_head, self.hs)
        v = self.v_proj(x).view(B, T, self.n_head, self.hs)
        if v_first is None:
            v_first = v
        v = torch.lerp(v, v_first, self.v_mix.to(v.dtype))
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, C)), v_first


class GptNeoxMLP(nn.Module):
    def __init__(self, config: Config) -> None:
        super().__init__()
        self.fc = nn.Linear(config.n_embd, config.mlp_hidden, bias=config.bias)
        self.proj = nn.Linear(config.mlp_hidden, config.n_embd, bias=config.bias)

    def forward(self, x):
        h = F.relu(self.fc(x))
        return self.proj(h * h)


class Block(nn.Module):
    def __init__(self, config: Config) -> None:
        super().__init__()
        self.norm_1 = nn.RMSNorm(config.n_embd)
        self.attn = ValueResidualAttention(config)
        self.norm_2 = nn.RMSNorm(config.n_embd)
        self.mlp = GptNeoxMLP(config)

    def forward(self, x, cos, sin, v_first):
        a, v_first = self.attn(self.norm_1(x), cos, sin, v_first)
        x = x + a
        x = x + self.mlp(self.norm_2(x))
        return x, v_first


class GPT(nn.Module):
    def __init__(self, config: Config) -> None:
        super().__init__()
        self.config = config
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)
        self.blocks = nn.ModuleList([Block(config) for _ in range(config.n_layer)])
        self.ln_f = nn.RMSNorm(config.n_embd)
        self.embed_gate = nn.Parameter(torch.zeros(()))
        self.output = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        cos, sin = build_rope_cache(config.block_size, config.head_size, config.rope_base)
        self.register_buffer("rope_cos", cos, persistent=False)
        self.register_buffer("rope_sin", sin, persistent=False)
        self.apply(self._init_weights)
        nn.init.zeros_(self.output.weight)

    @staticmethod
    def _init_weights(m: nn.Module) -> None:
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=0.02)

    def forward(self, idx: torch.Tensor, targets: Optional[torch.Tensor] = None):
        T = idx.size(1)
        emb = F.rms_norm(self.wte(idx), (self.config.n_embd,))
        x, v_first = emb, None
        cos, sin = self.rope_cos[:T], self.rope_sin[:T]
        for blk in self.blocks:
            x, v_first = blk(x, cos, sin, v_first)
        x = x + self.embed_gate * emb
        logits = self.output(self.ln_f(x)).float()
        if targets is None:
            return logits
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


# ---------------------------------------------------------------------------- training

max_iters = 8000
warmup_iters = 256
cooldown_iters = max_iters - warmup_iters
base_lr = 1e-3


def lr_at(it: int) -> float:
    if it < warmup_iters:
        return base_lr * (it + 1) / warmup_iters
    if it < max_iters - cooldown_iters:
        return base_lr
    return base_lr * (max_iters - it) / cooldown_iters


def make_optimizer(model: GPT) -> torch.optim.Optimizer:
    matrices = [p for p in model.parameters() if p.ndim >= 2]
    scalars = [p for p in model.parameters() if p.ndim < 2]
    return torch.optim.AdamW(
        [dict(params=matrices, weight_decay=0.1), dict(params=scalars, weight_decay=0.0)],
        lr=base_lr, betas=(0.9, 0.95))


def load_tokens(path: str) -> np.ndarray:
    return np.memmap(path, dtype=np.uint16, mode="r")


def sample(data: np.ndarray, bsz: int, seq: int, device: str):
    starts = torch.randint(len(data) - seq - 1, (bsz,)).tolist()
    rows = torch.stack([torch.from_numpy(data[s:s + seq + 1].astype(np.int64)) for s in starts]).to(device)
    return rows[:, :-1], rows[:, 1:]


def main() -> None:
    device = "cuda"
    torch.manual_seed(1234)
    cfg = Config()
    model = GPT(cfg).to(device)
    opt = make_optimizer(model)
    train, val = load_tokens("data/train.bin"), load_tokens("data/val.bin")
    bsz, accum = 16, 20
    for it in range(max_iters):
        lr = lr_at(it)
        for g in opt.param_groups:
            g["lr"] = lr
        for _ in range(accum):
            x, y = sample(train, bsz, cfg.block_size, device)
            with torch.autocast(device_type="cuda", dtype=torch.bfloat16):
                loss = model(x, y)
            (loss / accum).backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        if it % 200 == 0:
            model.eval()
            with torch.no_grad(), torch.autocast(device_type="cuda", dtype=torch.bfloat16):
                vl = sum(model(*sample(val, bsz, cfg.block_size, device)).item() for _ in range(20)) / 20
            model.train()
            print(f"it {it:5d} train {loss.item():.4f} val {vl:.4f} lr {lr:.2e}")


if __name__ == "__main__":
    main()
