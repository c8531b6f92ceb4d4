"""Pretrain a 124M GPT-NeoX-like model (litgpt layout, no Fabric) with a
warmup-stable-decay learning-rate schedule."""
import math
import os
import time
from dataclasses import dataclass, asdict
from typing import Optional, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class Config:
    name: str = "neox-124m-wsd"
    block_size: int = 1024
    vocab_size: int = 50257
    n_layer: int = 12
    n_head: int = 6
    n_embd: int = 768
    head_size: int = 128
    bias: bool = True
    rotary_percentage: float = 1.0
    rope_base: int = 10000
    parallel_residual: bool = False
    norm_eps: float = 1e-5
    normalize_qk: bool = True
    intermediate_size: int = 3072
    initializer_range: float = 0.02

    @property
    def rope_n_elem(self) -> int:
        return int(self.rotary_percentage * self.head_size)


@dataclass
class TrainArgs:
    learning_rate: float = 0.0018
    min_lr: float = 0.0
    weight_decay: float = 0.1
    betas: Tuple[float, float] = (0.9, 0.95)
    warmup_steps: int = 256
    decay_steps: int = 2000
    max_steps: int = 9000
    micro_batch_size: int = 16
    grad_accum: int = 16
    grad_clip: float = 1.0
    log_every: int = 10


def build_rope_cache(seq_len: int, n_elem: int, base: int = 10000, device: Optional[torch.device] = None):
    theta = 1.0 / (base ** (torch.arange(0, n_elem, 2, device=device).float() / n_elem))
    seq_idx = torch.arange(seq_len, device=device).float()
    idx_theta = torch.outer(seq_idx, theta).repeat(1, 2)
    return torch.cos(idx_theta), torch.sin(idx_theta)


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    head_size = x.size(-1)
    x1 = x[..., : head_size // 2]
    x2 = x[..., head_size // 2:]
    rotated = torch.cat((-x2, x1), dim=-1)
    return (x * cos + rotated * sin).type_as(x)


class CausalSelfAttention(nn.Module):
    def __init__(self, config: Config) -> None:
        super().__init__()
        self.config = config
        C = config.n_head * config.head_size
        self.q = nn.Linear(config.n_embd, C, bias=config.bias)
        self.k = nn.Linear(config.n_embd, C, bias=config.bias)
        self.v = nn.Linear(config.n_embd, C, bias=config.bias)
        self.proj = nn.Linear(C, config.n_embd, bias=config.bias)

    def forward(self, x, cos, sin):
        B, T, _ = x.shape
        cfg = self.config
        q, k, v = self.q(x), self.k(x), self.v(x)
        if cfg.normalize_qk:
            q = F.rms_norm(q, (q.size(-1),), eps=cfg.norm_eps)
            k = F.rms_norm(k, (k.size(-1),), eps=cfg.norm_eps)
        q = q.view(B, T, cfg.n_head, cfg.head_size).transpose(1, 2)
        k = k.view(B, T, cfg.n_head, cfg.head_size).transpose(1, 2)
        v = v.view(B, T, cfg.n_head, cfg.head_size).transpose(1, 2)
        q = apply_rope(q, cos, sin)
        k = apply_rope(k, cos, sin)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, -1))


class GptNeoxMLP(nn.Module):
    def __init__(self, config: Config) -> None:
        super().__init__()
        self.fc = nn.Linear(config.n_embd, config.intermediate_size, bias=config.bias)
        self.proj = nn.Linear(config.intermediate_size, config.n_embd, bias=config.bias)

    def forward(self, x):
        return self.proj(F.gelu(self.fc(x), approximate="tanh"))


class Block(nn.Module):
    def __init__(self, config: Config) -> None:
        super().__init__()
        self.norm_1 = nn.LayerNorm(config.n_embd, eps=config.norm_eps)
        self.attn = CausalSelfAttention(config)
        self.norm_2 = nn.LayerNorm(config.n_embd, eps=config.norm_eps)
        self.mlp = GptNeoxMLP(config)

    def forward(self, x, cos, sin):
        h = x + self.attn(self.norm_1(x), cos, sin)
        return h + self.mlp(self.norm_2(h))


class GPT(nn.Module):
    def __init__(self, config: Config) -> None:
        super().__init__()
        self.config = config
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(config.vocab_size, config.n_embd),
            h=nn.ModuleList(Block(config) for _ in range(config.n_layer)),
            ln_f=nn.LayerNorm(config.n_embd, eps=config.norm_eps),
        ))
        self.output = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.max_seq_length = config.block_size
        self.cos: Optional[torch.Tensor] = None
        self.sin: Optional[torch.Tensor] = None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        std = self.config.initializer_range
        resid_std = std / math.sqrt(2 * self.config.n_layer)
        for name, p in self.named_parameters():
            if p.ndim == 2:
                nn.init.normal_(p, std=resid_std if name.endswith("proj.weight") else std)
        for block in self.transformer.h:
            nn.init.zeros_(block.attn.proj.bias)
            nn.init.zeros_(block.mlp.proj.bias)
        nn.init.zeros_(self.output.weight)

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        T = idx.size(1)
        if self.cos is None or self.cos.device != idx.device:
            self.cos, self.sin = build_rope_cache(self.max_seq_length, self.config.rope_n_elem,
                                                  self.config.rope_base, idx.device)
        x = self.transformer.wte(idx)
        for block in self.transformer.h:
            x = block(x, self.cos[:T], self.sin[:T])
        return self.output(self.transformer.ln_f(x))


def wsd_lr(step: int, a: TrainArgs) -> float:
    if step < a.warmup_steps:
        return a.learning_rate * (step + 1) / a.warmup_steps
    decay_start = a.max_steps - a.decay_steps
    if step < decay_start:
        return a.learning_rate
    frac = (step - decay_start) / a.decay_steps
    return a.learning_rate + frac * (a.min_lr - a.learning_rate)


class MemmapLoader:
    def __init__(self, path: str, micro_batch_size: int, seq_len: int, device: str) -> None:
        self.data = np.memmap(path, dtype=np.uint16, mode="r")
        self.bsz, self.seq, self.device = micro_batch_size, seq_len, device
        self.cursor = 0

    def __iter__(self):
        return self

    def __next__(self):
        n = self.bsz * self.seq + 1
        if self.cursor + n > len(self.data):
            self.cursor = 0
        buf = torch.from_numpy(self.data[self.cursor:self.cursor + n].astype(np.int64))
        self.cursor += n - 1
        return buf[:-1].view(self.bsz, self.seq).to(self.device), buf[1:].view(self.bsz, self.seq).to(self.device)


def main(out_dir: str = "out/neox-wsd", device: str = "cuda") -> None:
    cfg, args = Config(), TrainArgs()
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(1337)
    model = GPT(cfg).to(device)
    decay = [p for p in model.parameters() if p.ndim >= 2]
    no_decay = [p for p in model.parameters() if p.ndim < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                                   {"params": no_decay, "weight_decay": 0.0}],
                                  lr=args.learning_rate, betas=args.betas)
    loader = MemmapLoader("data/openwebtext/train.bin", args.micro_batch_size, cfg.block_size, device)
    print({**asdict(cfg), **asdict(args)})
    t0 = time.perf_counter()
    for step in range(args.max_steps):
        lr = wsd_lr(step, args)
        for g in optimizer.param_groups:
            g["lr"] = lr
        for _ in range(args.grad_accum):
            x, y = next(loader)
            with torch.autocast(device_type="cuda", dtype=torch.bfloat16):
                logits = model(x)
                loss = F.cross_entropy(logits.view(-1, logits.size(-1)), y.view(-1))
            (loss / args.grad_accum).backward()
        nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        if step % args.log_every == 0:
            print(f"step {step} | loss {loss.item():.4f} | lr {lr:.2e} | {time.perf_counter() - t0:.1f}s")
    torch.save(model.state_dict(), os.path.join(out_dir, "lit_model.pth"))


if __name__ == "__main__":
    main()
