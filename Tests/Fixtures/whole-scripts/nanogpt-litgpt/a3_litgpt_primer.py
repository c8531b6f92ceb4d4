"""litgpt-flavoured pretraining script (no Fabric): Primer-style MLP, normalized q/k,
wide heads and an untied output layer. Plain single-device loop."""
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def find_multiple(n: int, k: int) -> int:
    return n if n % k == 0 else n + k - (n % k)


@dataclass
class Config:
    name: str = "primer-124m"
    block_size: int = 1024
    vocab_size: int = 50257
    padding_multiple: int = 128
    padded_vocab_size: Optional[int] = None
    n_layer: int = 12
    n_head: int = 6
    n_embd: int = 768
    head_size: Optional[int] = None
    rotary_percentage: float = 1.0
    rope_base: int = 10000
    bias: bool = False
    norm_eps: float = 1e-5
    embed_norm: bool = True
    mlp_ratio: int = 4
    norm_qk: bool = True
    attention_logit_softcapping: Optional[float] = 50.0
    final_logit_softcapping: Optional[float] = None
    init_std: float = 0.02
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.padded_vocab_size is None:
            self.padded_vocab_size = find_multiple(self.vocab_size, self.padding_multiple)
        if self.head_size is None:
            self.head_size = self.n_embd // self.n_head
        self.rope_n_elem = int(self.rotary_percentage * self.head_size)
        self.intermediate_size = self.mlp_ratio * self.n_embd


class RMSNorm(nn.Module):
    def __init__(self, size: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        dtype = x.dtype
        x = x.float()
        x = x * torch.rsqrt(x.pow(2).mean(dim=-1, keepdim=True) + self.eps)
        return (x * self.weight).to(dtype)


def build_rope_cache(seq_len: int, n_elem: int, base: int = 10000, device=None) -> Tuple[torch.Tensor, torch.Tensor]:
    theta = 1.0 / (base ** (torch.arange(0, n_elem, 2, device=device).float() / n_elem))
    seq_idx = torch.arange(seq_len, device=device).float()
    idx_theta = torch.outer(seq_idx, theta).repeat(1, 2)
    return torch.cos(idx_theta), torch.sin(idx_theta)


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    head_size = x.size(-1)
    x1 = x[..., : head_size // 2]
    x2 = x[..., head_size // 2:]
    rotated = torch.cat((-x2, x1), dim=-1)
    return (x * cos + rotated * sin).to(dtype=x.dtype)


def softcap(x: torch.Tensor, cap: float) -> torch.Tensor:
    return cap * torch.tanh(x / cap)


class CausalSelfAttention(nn.Module):
    def __init__(self, config: Config) -> None:
        super().__init__()
        shape = 3 * config.n_head * config.head_size
        self.attn = nn.Linear(config.n_embd, shape, bias=config.bias)
        self.proj = nn.Linear(config.n_head * config.head_size, config.n_embd, bias=config.bias)
        self.config = config

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
        B, T, _ = x.size()
        cfg = self.config
        q, k, v = self.attn(x).view(B, T, 3, cfg.n_head, cfg.head_size).permute(2, 0, 3, 1, 4)
        if cfg.norm_qk:
            q = F.rms_norm(q, (cfg.head_size,))
            k = F.rms_norm(k, (cfg.head_size,))
        n = cfg.rope_n_elem
        q = torch.cat((apply_rope(q[..., :n], cos, sin), q[..., n:]), dim=-1)
        k = torch.cat((apply_rope(k[..., :n], cos, sin), k[..., n:]), dim=-1)
        y = self.scaled_dot_product_attention(q, k, v)
        y = y.transpose(1, 2).reshape(B, T, cfg.n_head * cfg.head_size)
        return self.proj(y)

    def scaled_dot_product_attention(self, q, k, v):
        scale = 1.0 / math.sqrt(self.config.head_size)
        cap = self.config.attention_logit_softcapping
        if cap is None:
            return F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=scale)
        T = q.size(-2)
        scores = (q @ k.transpose(-2, -1)) * scale
        scores = softcap(scores, cap)
        mask = torch.ones(T, T, dtype=torch.bool, device=q.device).tril()
        scores = scores.masked_fill(~mask, float("-inf"))
        return F.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype) @ v


class GptNeoxMLP(nn.Module):
    def __init__(self, config: Config) -> None:
        super().__init__()
        self.fc = nn.Linear(config.n_embd, config.intermediate_size, bias=config.bias)
        self.proj = nn.Linear(config.intermediate_size, config.n_embd, bias=config.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.fc(x)
        x = torch.square(F.relu(x))
        return self.proj(x)


class Block(nn.Module):
    def __init__(self, config: Config) -> None:
        super().__init__()
        self.norm_1 = RMSNorm(config.n_embd, eps=config.norm_eps)
        self.attn = CausalSelfAttention(config)
        self.norm_2 = RMSNorm(config.n_embd, eps=config.norm_eps)
        self.mlp = GptNeoxMLP(config)

    def forward(self, x, cos, sin):
        x = x + self.attn(self.norm_1(x), cos, sin)
        return x + self.mlp(self.norm_2(x))


class GPT(nn.Module):
    def __init__(self, config: Config) -> None:
        super().__init__()
        self.config = config
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(config.padded_vocab_size, config.n_embd),
            h=nn.ModuleList(Block(config) for _ in range(config.n_layer)),
            ln_f=RMSNorm(config.n_embd, eps=config.norm_eps),
        ))
        # BLOOM-style normalization of the word embeddings
        self.embed_ln = nn.LayerNorm(config.n_embd) if config.embed_norm else nn.Identity()
        self.output = nn.Linear(config.n_embd, config.padded_vocab_size, bias=False)
        self.rope_cache = None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        std = self.config.init_std
        for mod in self.modules():
            if isinstance(mod, (nn.Linear, nn.Embedding)):
                nn.init.normal_(mod.weight, mean=0.0, std=std)
                if getattr(mod, "bias", None) is not None:
                    nn.init.zeros_(mod.bias)
        for blk in self.transformer.h:
            nn.init.zeros_(blk.attn.proj.weight)
            nn.init.zeros_(blk.mlp.proj.weight)

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        T = idx.size(1)
        if self.rope_cache is None or self.rope_cache[0].size(0) < T or self.rope_cache[0].device != idx.device:
            self.rope_cache = build_rope_cache(self.config.block_size, self.config.rope_n_elem,
                                               self.config.rope_base, idx.device)
        cos, sin = self.rope_cache[0][:T], self.rope_cache[1][:T]
        x = self.embed_ln(self.transformer.wte(idx))
        for block in self.transformer.h:
            x = block(x, cos, sin)
        x = self.transformer.ln_f(x)
        logits = self.output(x)
        if self.config.final_logit_softcapping is not None:
            logits = softcap(logits, self.config.final_logit_softcapping)
        return logits


# ------------------------------------------------------------------ training loop

def get_lr(it: int, warmup: int, max_iters: int, lr: float, min_lr: float) -> float:
    if it < warmup:
        return lr * it / warmup
    progress = (it - warmup) / max(1, max_iters - warmup)
    return min_lr + 0.5 * (lr - min_lr) * (1 + math.cos(math.pi * progress))


def batches(path: Path, micro_batch: int, seq_len: int, device: str):
    data = np.memmap(path, dtype=np.uint16, mode="r")
    while True:
        ix = np.random.randint(0, len(data) - seq_len - 1, size=micro_batch)
        buf = np.stack([data[i:i + seq_len + 1] for i in ix]).astype(np.int64)
        buf = torch.from_numpy(buf).to(device)
        yield buf[:, :-1], buf[:, 1:]


def main(data_dir: Path = Path("data/openwebtext"), max_iters: int = 20000, micro_batch: int = 16,
         accum: int = 16, lr: float = 6e-4, device: str = "cuda") -> None:
    torch.manual_seed(42)
    config = Config()
    model = GPT(config).to(device)
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=lr, betas=(0.9, 0.95))
    train_iter = batches(data_dir / "train.bin", micro_batch, config.block_size, device)
    t0 = time.perf_counter()
    for it in range(max_iters):
        for g in optimizer.param_groups:
            g["lr"] = get_lr(it, 2000, max_iters, lr, lr / 10)
        for _ in range(accum):
            x, y = next(train_iter)
            with torch.autocast("cuda", dtype=torch.bfloat16):
                logits = model(x)
                loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))
            (loss / accum).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        if it % 20 == 0:
            print(f"iter {it} | loss {loss.item():.4f} | {time.perf_counter() - t0:.1f}s")


if __name__ == "__main__":
    main()
