"""litgpt-style model + hand-rolled training loop.

Hidden matrices use an orthogonalized-momentum optimizer (Newton-Schulz), everything
else (embeddings, output layer, norm gains, skip gains) uses AdamW. The model adds
"long" residual links from layer i of the first half to layer i of the second half.
"""
import math
import time
from dataclasses import dataclass
from typing import List, Optional, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class Config:
    name: str = "wide-head-124m"
    block_size: int = 1024
    vocab_size: int = 50257
    padding_multiple: int = 1
    n_layer: int = 12
    n_head: int = 6
    n_embd: int = 768
    head_size: int = 128
    intermediate_size: int = 2048
    rope_base: int = 10000
    norm_eps: float = 1e-6
    long_skips: bool = True

    @property
    def padded_vocab_size(self) -> int:
        m = self.padding_multiple
        return ((self.vocab_size + m - 1) // m) * m


class RMSNorm(nn.Module):
    def __init__(self, size: int, eps: float) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.eps = eps

    def forward(self, x):
        return F.rms_norm(x, (x.size(-1),), self.weight, self.eps)


def build_rope_cache(seq_len: int, n_elem: int, base: int, device=None) -> Tuple[torch.Tensor, torch.Tensor]:
    theta = 1.0 / (base ** (torch.arange(0, n_elem, 2, device=device).float() / n_elem))
    idx_theta = torch.outer(torch.arange(seq_len, device=device).float(), theta)
    idx_theta = torch.cat([idx_theta, idx_theta], dim=-1)
    return idx_theta.cos(), idx_theta.sin()


def apply_rope(x, cos, sin):
    x1, x2 = x.chunk(2, dim=-1)
    return (x * cos + torch.cat((-x2, x1), dim=-1) * sin).type_as(x)


class CausalSelfAttention(nn.Module):
    def __init__(self, config: Config) -> None:
        super().__init__()
        self.config = config
        self.attn = nn.Linear(config.n_embd, 3 * config.n_head * config.head_size, bias=False)
        self.proj = nn.Linear(config.n_head * config.head_size, config.n_embd, bias=False)

    def forward(self, x, cos, sin):
        B, T, _ = x.shape
        nh, hs = self.config.n_head, self.config.head_size
        qkv = self.attn(x).view(B, T, 3, nh, hs)
        q, k, v = qkv.unbind(dim=2)
        q = F.rms_norm(q, (hs,))
        k = F.rms_norm(k, (hs,))
        q, k, v = (t.transpose(1, 2) for t in (q, k, v))
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, nh * hs))


class LLaMAMLP(nn.Module):
    def __init__(self, config: Config) -> None:
        super().__init__()
        self.fc_1 = nn.Linear(config.n_embd, config.intermediate_size, bias=False)
        self.fc_2 = nn.Linear(config.n_embd, config.intermediate_size, bias=False)
        self.proj = nn.Linear(config.intermediate_size, config.n_embd, bias=False)

    def forward(self, x):
        return self.proj(F.silu(self.fc_1(x)) * self.fc_2(x))


class Block(nn.Module):
    def __init__(self, config: Config) -> None:
        super().__init__()
        self.norm_1 = RMSNorm(config.n_embd, config.norm_eps)
        self.attn = CausalSelfAttention(config)
        self.norm_2 = RMSNorm(config.n_embd, config.norm_eps)
        self.mlp = LLaMAMLP(config)

    def forward(self, x, cos, sin):
        x = x + self.attn(self.norm_1(x), cos, sin)
        return x + self.mlp(self.norm_2(x))


class GPT(nn.Module):
    def __init__(self, config: Config) -> None:
        super().__init__()
        self.config = config
        self.wte = nn.Embedding(config.padded_vocab_size, config.n_embd)
        self.h = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.ln_f = RMSNorm(config.n_embd, config.norm_eps)
        self.output = nn.Linear(config.n_embd, config.padded_vocab_size, bias=False)
        self.half = config.n_layer // 2
        self.skip_scale = nn.Parameter(torch.ones(config.n_layer - self.half))
        cos, sin = build_rope_cache(config.block_size, config.head_size, config.rope_base)
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        T = idx.size(1)
        cos, sin = self.cos[:T], self.sin[:T]
        x = self.wte(idx)
        saved: List[torch.Tensor] = []
        for i, block in enumerate(self.h):
            if i >= self.half and self.config.long_skips:
                x = x + self.skip_scale[i - self.half] * saved[i - self.half]
            x = block(x, cos, sin)
            if i < self.half:
                saved.append(x)
        return self.output(self.ln_f(x))


# ---------------------------------------------------------------------- optimizer

def newton_schulz_orth(G: torch.Tensor, steps: int = 5) -> torch.Tensor:
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.to(torch.bfloat16)
    X = X / (torch.linalg.matrix_norm(X) + 1e-7)
    flip = X.size(-2) > X.size(-1)
    if flip:
        X = X.mT
    for _ in range(steps):
        A = X @ X.mT
        X = a * X + b * (A @ X) + c * (A @ (A @ X))
    return X.mT if flip else X


class OrthoSGD(torch.optim.Optimizer):
    def __init__(self, params, lr: float, momentum: float = 0.95, ns_steps: int = 5):
        super().__init__(params, dict(lr=lr, momentum=momentum, ns_steps=ns_steps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["m"] = torch.zeros_like(p.grad)
                m = state["m"]
                m.mul_(group["momentum"]).add_(p.grad)
                g = p.grad.add(m, alpha=group["momentum"])  # Nesterov look-ahead
                u = newton_schulz_orth(g, group["ns_steps"]).to(p.dtype)
                u *= max(p.size(0), p.size(1)) ** 0.5
                p.sub_(group["lr"] * u)


def build_optimizers(model: GPT, adam_lr: float):
    block_params = list(model.h.parameters())
    matrices = [p for p in block_params if p.ndim == 2]
    vectors = [p for p in block_params if p.ndim < 2] + [model.skip_scale] + list(model.ln_f.parameters())
    adam = torch.optim.AdamW([
        dict(params=[model.wte.weight, model.output.weight], lr=adam_lr),
        dict(params=vectors, lr=adam_lr),
    ], betas=(0.9, 0.95), weight_decay=0.0)
    orth = OrthoSGD(matrices, lr=0.1 * adam_lr, momentum=0.95)
    return [adam, orth]


def lr_factor(step: int, warmup: int, total: int, floor: float = 0.1) -> float:
    if step < warmup:
        return (step + 1) / warmup
    t = (step - warmup) / max(1, total - warmup)
    return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * t))


def main(train_bin: str = "data/fineweb/train.bin", steps: int = 5000, micro_bsz: int = 8, accum: int = 8,
         adam_lr: float = 4e-3, device: Optional[str] = None) -> None:
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(0)
    cfg = Config()
    model = GPT(cfg).to(device)
    optimizers = build_optimizers(model, adam_lr)
    for opt in optimizers:
        for g in opt.param_groups:
            g["initial_lr"] = g["lr"]
    orth = optimizers[1]
    data = np.memmap(train_bin, dtype=np.uint16, mode="r")
    t0 = time.time()
    for step in range(steps):
        for _ in range(accum):
            ix = np.random.randint(0, len(data) - cfg.block_size - 1, size=micro_bsz)
            batch = torch.from_numpy(np.stack([data[i:i + cfg.block_size + 1] for i in ix]).astype(np.int64)).to(device)
            with torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=device == "cuda"):
                logits = model(batch[:, :-1])
                loss = F.cross_entropy(logits.flatten(0, 1), batch[:, 1:].flatten())
            (loss / accum).backward()
        f = lr_factor(step, 200, steps)
        for opt in optimizers:
            for g in opt.param_groups:
                g["lr"] = g["initial_lr"] * f
        for g in orth.param_groups:
            g["momentum"] = 0.95 - 0.10 * max(0.0, 1.0 - step / 500)
        for opt in optimizers:
            opt.step()
        model.zero_grad(set_to_none=True)
        if step % 50 == 0:
            print(f"step {step} loss {loss.item():.4f} elapsed {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
